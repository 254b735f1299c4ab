"""Lesson 01's exercise checks (helpers/exercises/lesson01.py) on namespaces built here.

No kernel and no Keras: section 6's freshly initialised LSTM is rebuilt in NumPy the way
Keras initialises one (Glorot-uniform kernel, orthogonal recurrent kernel, bias 1 in the
forget block and 0 elsewhere), and each right answer is computed here as a student would.
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_hints import shown  # tests/ is on the path

from helpers import data, gradient_flow
from helpers import lstm_numpy as ln
from helpers.exercises import check, find, grade, registered

SEED = 42
UNITS = 16


def _names(result, name):
    return any(f"`{name}`" in hint for hint in result.hints)


@pytest.fixture(scope="module")
def lesson():
    """The lesson's variables the checks read: SEED, section 6's W0, U0, b0 and sequence."""
    rng = np.random.default_rng(7)
    limit = np.sqrt(6 / (1 + 4 * UNITS))
    W0 = rng.uniform(-limit, limit, size=(1, 4 * UNITS)).astype("float32")
    q, _ = np.linalg.qr(rng.normal(size=(4 * UNITS, UNITS)))
    U0 = q.T.astype("float32")  # (16, 64), orthonormal rows
    b0 = np.zeros(4 * UNITS, dtype="float32")
    b0[UNITS : 2 * UNITS] = 1.0
    sequence = data.noisy_sine(100, seed=SEED)
    return {"SEED": SEED, "W0": W0, "U0": U0, "b0": b0, "sequence": sequence}


def test_every_exercise_is_registered():
    assert [e.key for e in registered("01")] == ["01.1", "01.2", "01.3", "01.4", "01.5"]
    assert find("01.5").points == 2


def test_nothing_defined_asks_for_every_result(lesson):
    for ex in registered("01"):
        result = check(ex.key, dict(lesson))
        assert not result.right
        assert [h.split(":")[0] for h in result.hints] == [f"define `{n}`" for n in ex.results]


# ------------------------------------------------------------------------ exercise 1


def gru_forward(x, kernel, recurrent_kernel, bias):
    n = recurrent_kernel.shape[0]
    xw = x @ kernel + bias[0]
    h, hs = np.zeros((x.shape[0], n)), []
    for t in range(x.shape[1]):
        hu = h @ recurrent_kernel + bias[1]
        z = ln.sigmoid(xw[:, t, :n] + hu[:, :n])
        r = ln.sigmoid(xw[:, t, n : 2 * n] + hu[:, n : 2 * n])
        h_hat = np.tanh(xw[:, t, 2 * n :] + r * hu[:, 2 * n :])
        h = z * h + (1 - z) * h_hat
        hs.append(h)
    return np.stack(hs, axis=1)


def gru_slip(x, kernel, recurrent_kernel, bias, slip):
    n = recurrent_kernel.shape[0]
    xw = x @ kernel + bias[0]
    h, hs = np.zeros((x.shape[0], n)), []
    for t in range(x.shape[1]):
        hu = h @ recurrent_kernel + (0 if slip == "no recurrent bias" else bias[1])
        z = ln.sigmoid(xw[:, t, :n] + hu[:, :n])
        r = ln.sigmoid(xw[:, t, n : 2 * n] + hu[:, n : 2 * n])
        if slip == "reset before":
            rec = (r * h) @ recurrent_kernel[:, 2 * n :] + bias[1, 2 * n :]
            h_hat = np.tanh(xw[:, t, 2 * n :] + rec)
        else:
            h_hat = np.tanh(xw[:, t, 2 * n :] + r * hu[:, 2 * n :])
        h = (1 - z) * h + z * h_hat if slip == "update swapped" else z * h + (1 - z) * h_hat
        hs.append(h)
    return np.stack(hs, axis=1)


def test_ex1_right_gru_passes():
    assert check("01.1", {"ex1_gru_forward": gru_forward}).right
    grade("01.1", {"ex1_gru_forward": gru_forward})


def test_ex1_a_float32_gru_passes():
    def in_float32(x, kernel, recurrent_kernel, bias):
        args = (np.asarray(v, dtype="float32") for v in (x, kernel, recurrent_kernel, bias))
        return gru_forward(*args)

    assert check("01.1", {"ex1_gru_forward": in_float32}).right


@pytest.mark.parametrize(
    "slip, words",
    [
        ("update swapped", "z_t"),
        ("reset before", "reset gate"),
        ("no recurrent bias", "bias[1]"),
    ],
)
def test_ex1_known_slips_are_named(slip, words):
    def wrong(x, kernel, recurrent_kernel, bias):
        return gru_slip(x, kernel, recurrent_kernel, bias, slip)

    result = check("01.1", {"ex1_gru_forward": wrong})
    assert not result.right and _names(result, "ex1_gru_forward")
    assert any(words in hint for hint in result.hints)
    with pytest.raises(AssertionError, match="ex1_gru_forward"):
        grade("01.1", {"ex1_gru_forward": wrong})


def test_ex1_wrong_shapes_and_kinds():
    def last_only(x, *weights):
        return gru_forward(x, *weights)[:, -1]

    def time_first(x, *weights):
        return gru_forward(x, *weights).transpose(1, 0, 2)

    def fixed_units(x, kernel, recurrent_kernel, bias):
        return gru_forward(x, kernel[:, :12], recurrent_kernel[:4, :12], bias[:, :12])

    for wrong, words in (
        (last_only, "only the last"),
        (time_first, "time first"),
        (fixed_units, "ex1_gru_forward"),
        (np.eye(3), "should be a function"),
    ):
        result = check("01.1", {"ex1_gru_forward": wrong})
        assert not result.right and _names(result, "ex1_gru_forward")
        assert any(words in hint for hint in result.hints), result.hints


def test_ex1_changing_the_arguments_is_named():
    def in_place(x, kernel, recurrent_kernel, bias):
        out = gru_forward(x, kernel, recurrent_kernel, bias)
        bias[1] = 0.0
        return out

    result = check("01.1", {"ex1_gru_forward": in_place})
    assert not result.right and any("in place" in hint for hint in result.hints)


# ------------------------------------------------------------------------ exercise 2


def half_lives(lesson, bias):
    sine = data.noisy_sine(200, seed=lesson["SEED"])[None, :, None]
    f = ln.lstm_forward(sine, lesson["W0"], lesson["U0"], bias, return_gates=True)[3].f[0]
    out = []
    for j in range(UNITS):
        products = [np.cumprod(f[s + 1 : s + 101, j]) for s in range(50, 100)]
        out.append(gradient_flow.half_life(np.concatenate([[1.0], np.mean(products, axis=0)])))
    return np.array(out)


def chrono_bias(lesson, input_gate=True):
    u = np.random.default_rng(lesson["SEED"]).uniform(1, 49, size=UNITS)
    bias = lesson["b0"].astype("float64").copy()
    bias[16:32] = np.log(u)
    if input_gate:
        bias[0:16] = -np.log(u)
    return bias


@pytest.fixture(scope="module")
def ex2(lesson):
    right = {
        "ex2_half_lives": half_lives(lesson, chrono_bias(lesson)),
        "ex2_keras_half_lives": half_lives(lesson, lesson["b0"].astype("float64")),
    }
    return {**lesson, **right}


def test_ex2_right_half_lives_pass(ex2):
    assert ex2["ex2_half_lives"].max() > 5 * ex2["ex2_keras_half_lives"].max()  # a real spread
    assert check("01.2", ex2).right
    grade("01.2", ex2)


def test_ex2_wrong_chrono_half_lives(ex2, lesson):
    wrongs = {
        "another order": np.sort(ex2["ex2_half_lives"]),
        "b_i = -b_f": half_lives(lesson, chrono_bias(lesson, input_gate=False)),
        "Keras's biases": ex2["ex2_keras_half_lives"],
        "ex2_half_lives": ex2["ex2_half_lives"] * 1.1,
    }
    for words, wrong in wrongs.items():
        result = check("01.2", {**ex2, "ex2_half_lives": wrong})
        assert not result.right and _names(result, "ex2_half_lives")
        assert any(words in hint for hint in result.hints), result.hints
        assert not shown(result.hints, ex2["ex2_half_lives"])
        with pytest.raises(AssertionError):
            grade("01.2", {**ex2, "ex2_half_lives": wrong})


def test_ex2_wrong_keras_half_lives(ex2):
    for wrong in (ex2["ex2_half_lives"], ex2["ex2_keras_half_lives"][:8], "2.2"):
        result = check("01.2", {**ex2, "ex2_keras_half_lives": wrong})
        assert not result.right and _names(result, "ex2_keras_half_lives")
        assert not shown(result.hints, ex2["ex2_keras_half_lives"])


def test_ex2_b0_changed_in_place_is_named(ex2):
    result = check("01.2", {**ex2, "b0": chrono_bias(ex2).astype("float32")})
    assert not result.right and _names(result, "b0") and "in place" in result.hints[0]


# ------------------------------------------------------------------------ exercise 3


def test_ex3_right_count_passes():
    by_hand = 4 * (4 * 32 + 32**2 + 32) + 4 * (32 * 16 + 16**2 + 16) + 16 * 3 + 3
    assert check("01.3", {"ex3_n_params": by_hand}).right
    assert check("01.3", {"ex3_n_params": np.int64(by_hand)}).right
    grade("01.3", {"ex3_n_params": float(by_hand)})


def test_ex3_wrong_counts():
    lstm = ln.lstm_param_count
    right = lstm(4, 32) + lstm(32, 16) + 51
    wrongs = {
        "Dense(3) head": right - 51,
        "32 outputs": lstm(4, 32) + lstm(4, 16) + 51,
        "window length": lstm(10, 32) + lstm(32, 16) + 51,
        "4 (n_inputs": right + 1,
        "one number": [right],
    }
    for words, wrong in wrongs.items():
        result = check("01.3", {"ex3_n_params": wrong})
        assert not result.right and _names(result, "ex3_n_params")
        assert any(words in hint for hint in result.hints), result.hints
        assert str(right) not in " ".join(result.hints)
    with pytest.raises(AssertionError):
        grade("01.3", {"ex3_n_params": right - 51})


# ------------------------------------------------------------------------ exercise 4


def never_forget(lesson, shut=50.0):
    bias = lesson["b0"].astype("float64").copy()
    bias[0:16], bias[16:32] = -shut, shut
    x, c0 = lesson["sequence"][None, :, None], np.ones((1, UNITS))
    c_T = ln.lstm_forward(x, lesson["W0"], lesson["U0"], bias, c0=c0)[2]
    jacobian = ln.memory_jacobian(x, lesson["W0"], lesson["U0"], bias, c0=c0).full
    return {"ex4_bias": bias, "ex4_c_T": c_T, "ex4_jacobian": jacobian}


def test_ex4_right_answer_passes(lesson):
    right = {**lesson, **never_forget(lesson)}
    assert check("01.4", right).right
    grade("01.4", right)


def test_ex4_leaky_biases(lesson):
    leaky = never_forget(lesson, shut=5.0)
    assert np.abs(leaky["ex4_c_T"] - 1).max() > 1e-3  # the leak is real
    result = check("01.4", {**lesson, **leaky})
    assert not result.right
    assert _names(result, "ex4_c_T") and _names(result, "ex4_jacobian")
    assert not shown(result.hints, leaky["ex4_c_T"])
    with pytest.raises(AssertionError):
        grade("01.4", {**lesson, **leaky})


def test_ex4_results_typed_in_are_not_enough(lesson):
    typed = {**never_forget(lesson, shut=5.0), "ex4_c_T": np.ones((1, UNITS))}
    typed["ex4_jacobian"] = np.eye(UNITS)
    result = check("01.4", {**lesson, **typed})
    assert not result.right
    assert _names(result, "ex4_c_T") and _names(result, "ex4_jacobian")


def test_ex4_other_blocks_and_shapes(lesson):
    right = never_forget(lesson)
    output_changed = {**right, "ex4_bias": right["ex4_bias"].copy()}
    output_changed["ex4_bias"][48:] = 3.0
    wrongs = {
        "ex4_bias": output_changed,
        "ex4_c_T": {**right, "ex4_c_T": right["ex4_c_T"][0]},
        "ex4_jacobian": {**right, "ex4_jacobian": right["ex4_jacobian"].T[:8]},
    }
    for name, wrong in wrongs.items():
        result = check("01.4", {**lesson, **wrong})
        assert not result.right and _names(result, name), (name, result.hints)


# ------------------------------------------------------------------------ exercise 5


def memory(sharp=20.0):
    kernel = np.zeros((2, 4))
    kernel[0, :2] = 2 * sharp, -2 * sharp
    kernel[1, 2] = 0.5
    return {
        "ex5_kernel": kernel,
        "ex5_recurrent_kernel": np.zeros((1, 4)),
        "ex5_bias": np.array([-sharp, sharp, 0.0, 0.0]),
        "ex5_recall": lambda c_T: 2 * np.arctanh(c_T),
    }


def test_ex5_right_design_passes():
    assert check("01.5", memory()).right
    grade("01.5", memory())


def test_ex5_another_right_design_passes():
    # the value written through a saturated output of the candidate: tanh(0.25 v), read back
    design = memory(sharp=25.0)
    design["ex5_kernel"][1, 2] = 0.25
    design["ex5_recall"] = lambda c_T: 4 * np.arctanh(c_T)
    assert check("01.5", design).right


def test_ex5_leaky_design():
    result = check("01.5", memory(sharp=6.0))
    assert not result.right and any("leaks" in hint for hint in result.hints)
    with pytest.raises(AssertionError):
        grade("01.5", memory(sharp=6.0))


def test_ex5_wrong_recall_and_shapes():
    right = memory()
    wrongs = {
        "ex5_recall": [
            {**right, "ex5_recall": lambda c_T: np.arctanh(c_T)},
            {**right, "ex5_recall": 2.0},
            {**right, "ex5_recall": lambda c_T: float(c_T)},
        ],
        "ex5_kernel": [{**right, "ex5_kernel": right["ex5_kernel"].T}],
        "ex5_recurrent_kernel": [{**right, "ex5_recurrent_kernel": np.zeros(4)}],
        "ex5_bias": [{**right, "ex5_bias": right["ex5_bias"][:, None]}],
    }
    for name, cases in wrongs.items():
        for wrong in cases:
            result = check("01.5", wrong)
            assert not result.right and _names(result, name), (name, result.hints)
