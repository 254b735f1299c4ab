"""Checks for lesson 01's exercises (the LSTM gate equations from scratch)."""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import Hint, array, close, exercise, number

# ------------------------------------------------------------------ exercise 1: the GRU


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _gru_reference(x, kernel, recurrent_kernel, bias, *, variant=None):
    """Keras's GRU (reset_after=True, gates z, r, h), every hidden state; or a known slip."""
    n = recurrent_kernel.shape[0]
    blocks = {"z": slice(0, n), "r": slice(n, 2 * n), "h": slice(2 * n, 3 * n)}
    if variant == "z and r swapped":
        blocks["z"], blocks["r"] = blocks["r"], blocks["z"]
    b_in, b_rec = bias[0], (np.zeros_like(bias[1]) if variant == "no recurrent bias" else bias[1])
    h, steps = np.zeros((x.shape[0], n)), []
    for t in range(x.shape[1]):
        x_t = x[:, t, :]

        def pre(gate, h=h, x_t=x_t):
            return x_t @ kernel[:, blocks[gate]] + b_in[blocks[gate]]

        def rec(gate, h=h):
            return h @ recurrent_kernel[:, blocks[gate]] + b_rec[blocks[gate]]

        z, r = _sigmoid(pre("z") + rec("z")), _sigmoid(pre("r") + rec("r"))
        if variant == "reset before":
            h_rec = (r * h) @ recurrent_kernel[:, blocks["h"]] + b_rec[blocks["h"]]
            candidate = np.tanh(pre("h") + h_rec)
        else:
            candidate = np.tanh(pre("h") + r * rec("h"))
        if variant == "update swapped":
            h = (1 - z) * h + z * candidate
        else:
            h = z * h + (1 - z) * candidate
        steps.append(h)
    return np.stack(steps, axis=1)


_GRU_SLIPS = {
    "update swapped": (
        "the update gate weighs the wrong term: Keras keeps z_t of the old state, "
        "h_t = z_t h_{t-1} + (1 - z_t) h_hat_t"
    ),
    "reset before": (
        "the reset gate is applied before the recurrent product; Keras's form "
        "(reset_after=True) multiplies r_t with h_{t-1} U_h + b_h^(h), after the product"
    ),
    "z and r swapped": "the gate blocks are in the wrong order: Keras's order is z, r, h",
    "no recurrent bias": (
        "the second bias row (the recurrent side, `bias[1]`) is missing: it is added to "
        "h_{t-1} U, inside the reset gate's product for the candidate"
    ),
}


@exercise(
    "01.1",
    results={
        "ex1_gru_forward": (
            "a function (x, kernel, recurrent_kernel, bias) -> every hidden state of Keras's GRU"
        ),
    },
)
def _gru_step(a):
    gru = a.ex1_gru_forward
    if not callable(gru):
        raise Hint(
            "`ex1_gru_forward` should be a function: def ex1_gru_forward(x, kernel, "
            "recurrent_kernel, bias): ..."
        )
    rng = np.random.default_rng(2018)
    for batch, steps, features, units in ((3, 7, 2, 4), (2, 5, 3, 6)):
        x = rng.normal(size=(batch, steps, features))
        weights = [
            0.5 * rng.normal(size=s)
            for s in ((features, 3 * units), (units, 3 * units), (2, 3 * units))
        ]
        copies = [x.copy(), *(w.copy() for w in weights)]
        try:
            got = gru(x, *weights)
        except Exception as error:  # noqa: BLE001 -- the student's function failing is a hint
            raise Hint(
                f"`ex1_gru_forward` raised {type(error).__name__} ({error}) on x of shape "
                f"{x.shape}, kernel {weights[0].shape}, recurrent_kernel {weights[1].shape}, "
                f"bias {weights[2].shape}: do not assume particular sizes"
            ) from None
        if not all(np.array_equal(c, v) for c, v in zip(copies, [x, *weights], strict=True)):
            yield "`ex1_gru_forward` changes its arguments in place: work on copies"
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Hint(
                "`ex1_gru_forward` should return an array of hidden states, got "
                f"{type(got).__name__}"
            ) from None
        if got.shape == (batch, units):
            raise Hint(
                "`ex1_gru_forward` returns only the last hidden state: return every step's, "
                "shape (batch, timesteps, units)"
            )
        if got.shape == (steps, batch, units) and steps != batch:
            raise Hint(
                "`ex1_gru_forward` returns time first: Keras's layout is batch first, "
                "(batch, timesteps, units) (np.stack(..., axis=1))"
            )
        if got.shape != (batch, steps, units):
            raise Hint(
                f"`ex1_gru_forward` returned shape {got.shape} for a batch of {batch} sequences "
                f"of {steps} steps and {units} units; the exercise asks for "
                "(batch, timesteps, units)"
            )
        if not close(got, _gru_reference(x, *weights), rtol=1e-5, atol=1e-6):
            for slip, hint in _GRU_SLIPS.items():
                if close(got, _gru_reference(x, *weights, variant=slip), rtol=1e-5, atol=1e-6):
                    raise Hint(f"`ex1_gru_forward`: {hint}")
            raise Hint(
                "`ex1_gru_forward` does not give Keras's GRU states: check the gate order "
                "(z, r, h), the two bias rows (input side, recurrent side), where the reset "
                "gate acts and which term z_t keeps (section 8's equations), from a zero state"
            )


# ----------------------------------------------------------- exercise 2: chrono half-lives

T_MAX, K_MAX = 50, 100
FIRST_START, LAST_START = 50, 99
UNITS = 16


def _keras_initial_bias(b0) -> bool:
    b0 = np.asarray(b0, dtype=float)
    forget = np.zeros_like(b0, dtype=bool)
    forget[UNITS : 2 * UNITS] = True
    return b0.shape == (4 * UNITS,) and np.all(b0[forget] == 1) and np.all(b0[~forget] == 0)


def _half_lives(a, bias):
    from helpers import data, gradient_flow
    from helpers import lstm_numpy as ln

    sine = data.noisy_sine(200, seed=a.SEED)[None, :, None]  # (1, 200, 1)
    f = ln.lstm_forward(sine, a.W0, a.U0, np.asarray(bias, dtype=float), return_gates=True)[3]
    f = f.f[0]  # (200, 16)
    starts = np.arange(FIRST_START, LAST_START + 1)  # (50,)
    steps = starts[:, None] + 1 + np.arange(K_MAX)  # (50, K)
    kept = np.cumprod(f[steps], axis=1).mean(axis=0)  # (K, 16)   k = 1..K
    kept = np.vstack([np.ones((1, f.shape[1])), kept])  # (K + 1, 16)
    return np.array([gradient_flow.half_life(kept[:, j]) for j in range(f.shape[1])])


def _chrono_bias(a, *, input_gate=True):
    u = np.random.default_rng(a.SEED).uniform(1, T_MAX - 1, size=UNITS)
    bias = np.asarray(a.b0, dtype=float).copy()
    bias[UNITS : 2 * UNITS] = np.log(u)
    if input_gate:
        bias[0:UNITS] = -np.log(u)
    return bias


@exercise(
    "01.2",
    results={
        "ex2_half_lives": "the 16 units' memory half-lives with chrono biases (T_max = 50)",
        "ex2_keras_half_lives": "the 16 units' memory half-lives with Keras's biases `b0`",
    },
    needs=("W0", "U0", "b0", "SEED"),
)
def _chrono(a):
    if not _keras_initial_bias(a.b0):
        raise Hint(
            "`b0` is no longer the bias Keras initialised (1 in the forget block, 0 elsewhere): "
            "it was changed in place. Rerun section 6's cell and change a copy (b0.copy())"
        )
    chrono = array(a, "ex2_half_lives", shape=(UNITS,))
    keras_lives = array(a, "ex2_keras_half_lives", shape=(UNITS,))
    reference_keras = _half_lives(a, a.b0)
    if not close(keras_lives, reference_keras, rtol=1e-3, atol=1e-3):
        yield (
            "`ex2_keras_half_lives` are not the half-lives of section 6's LSTM with its own "
            "biases `b0`: run it over data.noisy_sine(200, seed=SEED), average the products "
            "f_{s+1}...f_{s+k} over the start steps s = 50..99 for each unit, k up to 100, "
            "and pass each unit's curve (1 at k = 0) to gradient_flow.half_life"
        )
    reference = _half_lives(a, _chrono_bias(a))
    if close(chrono, reference, rtol=1e-3, atol=1e-3):
        return
    if close(np.sort(chrono), np.sort(reference), rtol=1e-3, atol=1e-3):
        yield "`ex2_half_lives` are in another order than the units: keep unit j at position j"
    elif close(chrono, _half_lives(a, _chrono_bias(a, input_gate=False)), rtol=1e-3, atol=1e-3):
        yield (
            "`ex2_half_lives` come from chrono forget biases with Keras's input biases: "
            "chrono also sets the input gate's block to b_i = -b_f"
        )
    elif close(chrono, reference_keras, rtol=1e-3, atol=1e-3):
        yield "`ex2_half_lives` are the half-lives with Keras's biases: give the LSTM chrono biases"
    else:
        yield (
            "`ex2_half_lives` are not the chrono LSTM's half-lives: draw the 16 u at once with "
            "np.random.default_rng(SEED).uniform(1, T_max - 1, 16), put ln u in the forget "
            "block (bias[16:32]) and -ln u in the input block (bias[0:16]) of a copy of `b0`, "
            "then measure as for `ex2_keras_half_lives`"
        )


# ------------------------------------------------------------ exercise 3: count parameters


def _lstm_params(n_in, units):
    return 4 * (n_in * units + units * units + units)


@exercise(
    "01.3",
    results={"ex3_n_params": "the stacked model's number of parameters, worked out by hand"},
)
def _count(a):
    n_params = number(a, "ex3_n_params")
    head = 16 * 3 + 3
    total = _lstm_params(4, 32) + _lstm_params(32, 16) + head
    if n_params == total:
        return
    if n_params == total - head:
        yield "`ex3_n_params` leaves out the Dense(3) head: its weights and its biases count too"
    elif n_params == _lstm_params(4, 32) + _lstm_params(4, 16) + head:
        yield (
            "`ex3_n_params`: the second LSTM does not read the 4 features, it reads the first "
            "LSTM's 32 outputs at every step"
        )
    elif n_params in (_lstm_params(10, 32) + _lstm_params(32, 16) + head,
                      _lstm_params(10 * 4, 32) + _lstm_params(32, 16) + head):  # fmt: skip
        yield "`ex3_n_params`: the window length does not enter; the weights are shared over steps"
    else:
        yield (
            "`ex3_n_params` is not the model's parameter count: each LSTM has "
            "4 (n_inputs * units + units^2 + units), where n_inputs is what it reads at each "
            "step; a Dense layer has inputs * outputs + outputs"
        )


# ------------------------------------------------------------ exercise 4: never forgetting


@exercise(
    "01.4",
    results={
        "ex4_bias": "the bias vector (64,): `b0` with your forget-gate and input-gate biases",
        "ex4_c_T": "the last cell state (1, 16) after `sequence`, started from c_0 = 1",
        "ex4_jacobian": "the full Jacobian dc_T/dc_0 (16, 16), ln.memory_jacobian(...).full",
    },
    needs=("W0", "U0", "b0", "sequence"),
)
def _never_forget(a):
    from helpers import lstm_numpy as ln

    units = np.shape(a.U0)[0]
    bias = array(a, "ex4_bias", shape=(4 * units,))
    b0 = np.asarray(a.b0, dtype=float)
    if not np.array_equal(bias[2 * units :], b0[2 * units :]):
        yield (
            "`ex4_bias` changes more than the input and forget gates: keep `b0`'s candidate and "
            "output blocks (bias[32:64])"
        )
    c_T = array(a, "ex4_c_T", shape=(1, units))
    jacobian = array(a, "ex4_jacobian", shape=(units, units))
    x, c0 = np.asarray(a.sequence, dtype=float)[None, :, None], np.ones((1, units))
    c_ref = ln.lstm_forward(x, a.W0, a.U0, bias, c0=c0)[2]
    jac_ref = ln.memory_jacobian(x, a.W0, a.U0, bias, c0=c0).full
    if not close(c_T, c_ref, rtol=1e-9, atol=1e-9):
        yield (
            "`ex4_c_T` is not the last cell state of section 6's LSTM (`W0`, `U0`) with "
            "`ex4_bias` over the 100 steps of `sequence`, started from c0 = np.ones((1, 16))"
        )
    elif not close(c_T, np.ones((1, units)), rtol=0, atol=1e-6):
        yield (
            "`ex4_c_T` is not 1 in every unit: the memory still leaks or takes in new values. "
            "Push the forget gate's bias far enough that sigma rounds to 1 and the input "
            "gate's far enough the other way"
        )
    if not close(jacobian, jac_ref, rtol=1e-9, atol=1e-9):
        yield (
            "`ex4_jacobian` is not ln.memory_jacobian(...).full for `sequence` with `ex4_bias`, "
            "from c0 = 1"
        )
    elif not close(jacobian, np.eye(units), rtol=0, atol=1e-6):
        yield (
            "`ex4_jacobian` is not the identity: some path still shrinks or mixes the memory; "
            "saturate the input and forget gates further"
        )


# --------------------------------------------------------------- exercise 5: a memory by hand

T_MEMORY = 100
TOLERANCE = 1e-4


def _memory_task(rng, n):
    """n sequences of T_MEMORY steps (marker, value), one mark each; the marks and values."""
    marked = rng.integers(0, T_MEMORY, n)
    marked[:3] = 0, T_MEMORY - 1, 1  # the very first step, the very last, the second
    x = np.zeros((n, T_MEMORY, 2))
    x[:, :, 1] = rng.uniform(-1, 1, (n, T_MEMORY))
    x[np.arange(n), marked, 0] = 1.0
    x[3, marked[3], 1], x[4, marked[4], 1] = 1.0, -1.0  # the values' ends
    return x, marked, x[np.arange(n), marked, 1]


@exercise(
    "01.5",
    results={
        "ex5_kernel": "the kernel (2, 4): rows marker and value, columns gates i, f, c, o",
        "ex5_recurrent_kernel": "the recurrent kernel (1, 4)",
        "ex5_bias": "the bias (4,)",
        "ex5_recall": "a function: the last cell states c_T -> the remembered values",
    },
    points=2,
)
def _memory_by_hand(a):
    from helpers import lstm_numpy as ln

    kernel = array(a, "ex5_kernel", shape=(2, 4))
    recurrent_kernel = array(a, "ex5_recurrent_kernel", shape=(1, 4))
    bias = array(a, "ex5_bias", shape=(4,))
    recall = a.ex5_recall
    if not callable(recall):
        raise Hint("`ex5_recall` should be a function: def ex5_recall(c_T): return ...")
    x, marked, wanted = _memory_task(np.random.default_rng(1997), 64)
    c_T = ln.lstm_forward(x, kernel, recurrent_kernel, bias)[2][:, 0]  # (n,)
    try:
        with np.errstate(all="ignore"):
            got = np.asarray(recall(c_T), dtype=float)
    except Exception as error:  # noqa: BLE001 -- the student's function failing is a hint
        raise Hint(
            f"`ex5_recall` raised {type(error).__name__} ({error}) on an array of last cell "
            "states, shape (n_sequences,): write it with NumPy functions that work on arrays"
        ) from None
    if got.shape != wanted.shape:
        raise Hint(
            f"`ex5_recall` returned shape {got.shape} for {len(wanted)} cell states: return one "
            "value per cell state"
        )
    error = np.abs(got - wanted)
    error[~np.isfinite(error)] = np.inf
    if np.all(error <= TOLERANCE):
        return
    early = marked < T_MEMORY // 2
    if error[0] > TOLERANCE and np.all(error[1:] <= TOLERANCE):
        yield (
            "with `ex5_kernel`, `ex5_recurrent_kernel` and `ex5_bias` your LSTM fails when the "
            "mark is at the very first step: what does it write there, starting from c_0 = 0 "
            "and h_0 = 0?"
        )
    elif np.mean(np.minimum(error[early], 1e3)) > 2 * np.mean(np.minimum(error[~early], 1e3)):
        yield (
            "with `ex5_kernel` and `ex5_bias` your LSTM recalls a value marked early worse than "
            "one marked late: the memory leaks over the unmarked steps. Make the unmarked steps' "
            "forget gate open and input gate shut more sharply (larger weights): the recall "
            f"must hold within {TOLERANCE:g}"
        )
    else:
        yield (
            "with `ex5_kernel`, `ex5_recurrent_kernel`, `ex5_bias` (run by ln.lstm_forward, "
            "from zero states), `ex5_recall` applied to c_T does not give back the marked "
            f"values within {TOLERANCE:g}: at the mark, open the input gate and shut the forget "
            "gate; at every other step, the other way round; and invert what the candidate "
            "does to v"
        )
