"""Tests for helpers.lstm_numpy: the NumPy LSTM against Keras, TensorFlow and finite differences.

Three independent references:

1. the expected outputs Keras publishes in its own LSTM test file (no model built here);
2. a live ``keras.layers.LSTM`` with the same random weights (forward) and
   ``tf.GradientTape`` through it (backward);
3. central finite differences of our own forward pass (backward).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import lstm_numpy as ln
from helpers._tf import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402


def _random_problem(batch, steps, features, units, *, dtype="float64", seed=0, scale=0.5):
    """Random inputs, weights in Keras's layout, and initial states."""
    rng = np.random.default_rng(seed)

    def draw(*shape):
        return (scale * rng.standard_normal(shape)).astype(dtype)

    return {
        "x": draw(batch, steps, features),
        "kernel": draw(features, 4 * units),
        "recurrent_kernel": draw(units, 4 * units),
        "bias": draw(4 * units),
        "h0": draw(batch, units),
        "c0": draw(batch, units),
    }


# ---------------------------------------------------------------- Keras's published values


def _constant_weights(n_features, units, *, bias="unit_forget"):
    """The weights Keras's own test builds with Constant(0.01), Constant(0.02), Constant(0.03).

    With ``unit_forget_bias=True`` (the default) Keras replaces the forget
    gate's block of the bias by ones; ``use_bias=False`` means a zero bias.
    """
    kernel = np.full((n_features, 4 * units), 0.01, dtype="float32")
    recurrent = np.full((units, 4 * units), 0.02, dtype="float32")
    b = np.full(4 * units, 0.03, dtype="float32")
    if bias == "unit_forget":
        b[units : 2 * units] = 1.0
    elif bias == "none":
        b[:] = 0.0
    return kernel, recurrent, b


# Expected values copied from keras-team/keras, keras/src/layers/rnn/lstm_test.py at commit
# edc1dfa66f3f2c09d7183db79a782c25381fd569 (LSTMTest.test_correctness): the last hidden state
# of LSTM(3) on np.arange(72).reshape((3, 6, 4)); every unit has the same value by symmetry.
KERAS_CORRECTNESS = {
    "default": ("unit_forget", False, [0.6288687, 0.86899155, 0.9460773]),
    "go_backwards": ("unit_forget", True, [0.35622165, 0.74789524, 0.8872726]),
    "unit_forget_bias=False": ("constant", False, [0.57019705, 0.8661914, 0.9459622]),
    "use_bias=False": ("none", False, [0.54986924, 0.86226785, 0.9443936]),
}


@pytest.mark.parametrize("case", list(KERAS_CORRECTNESS))
def test_keras_published_correctness_values(case):
    """Keras's ``test_correctness`` (keras/src/layers/rnn/lstm_test.py, keras-team/keras@edc1dfa6).

    ``go_backwards=True`` reads the sequence from its last step to its first,
    so it is the same LSTM on ``x[:, ::-1]``.
    """
    bias_kind, backwards, expected = KERAS_CORRECTNESS[case]
    x = np.arange(72).reshape((3, 6, 4)).astype("float32")
    W, U, b = _constant_weights(4, 3, bias=bias_kind)
    _, h_last, _ = ln.lstm_forward(x[:, ::-1] if backwards else x, W, U, b)
    expected = np.repeat(np.array(expected, dtype="float32")[:, None], 3, axis=1)
    np.testing.assert_allclose(h_last, expected, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize(
    "backwards, expected",
    [
        (False, [[0.20574439, 0.3558822], [0.64930826, 0.66276]]),
        (True, [[0.13281618, 0.2790356], [0.5839337, 0.5992567]]),
    ],
)
def test_keras_published_initial_state_values(backwards, expected):
    """Keras's ``test_pass_initial_state`` (same file and commit): h0 = c0 = [[0, 1], [2, 3]]."""
    x = np.arange(24).reshape((2, 4, 3)).astype("float32")
    state = np.arange(4).reshape((2, 2)).astype("float32")
    W, U, b = _constant_weights(3, 2)
    _, h_last, _ = ln.lstm_forward(x[:, ::-1] if backwards else x, W, U, b, h0=state, c0=state)
    np.testing.assert_allclose(h_last, np.array(expected), atol=1e-6, rtol=1e-6)


def test_keras_published_stateful_values():
    """Keras's ``test_statefulness`` (same file and commit): a stateful LSTM(4) called twice
    on the same batch starts the second call from the first call's final (h, c)."""
    x = np.arange(24).reshape((2, 3, 4)).astype("float32")
    W, U, b = _constant_weights(4, 4)
    _, h1, c1 = ln.lstm_forward(x, W, U, b)
    _, h2, _ = ln.lstm_forward(x, W, U, b, h0=h1, c0=c1)
    expected = np.repeat(np.array([[0.3124785], [0.6863672]]), 4, axis=1)
    np.testing.assert_allclose(h2, expected, atol=1e-6, rtol=1e-6)


def test_keras_published_sequence_values_before_the_mask():
    """Keras's ``test_masking`` (same file and commit), ``return_sequences=True``: before the
    first masked step the outputs are an ordinary LSTM's, step by step (sample 0 is unmasked
    at steps 0-1, sample 1 at step 0)."""
    x = np.arange(24).reshape((2, 4, 3)).astype("float32")
    W, U, b = _constant_weights(3, 2)
    outputs, _, _ = ln.lstm_forward(x, W, U, b)
    np.testing.assert_allclose(outputs[0, :2, 0], [0.0158891, 0.05552047], atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(outputs[1, 0, :], [0.14185596, 0.14185596], atol=1e-6, rtol=1e-6)


# --------------------------------------------------------------------------- live Keras layer


def _keras_lstm(units, n_features, weights, dtype):
    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True, dtype=dtype)
    layer.build((None, None, n_features))
    layer.set_weights(weights)
    return layer


SHAPES = [(1, 1, 1, 1), (3, 5, 2, 4), (8, 20, 3, 16), (2, 12, 6, 3)]


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("batch, steps, features, units", SHAPES)
def test_forward_matches_live_keras_layer(batch, steps, features, units, with_state, dtype, tol):
    p = _random_problem(batch, steps, features, units, dtype=dtype, seed=batch + steps, scale=0.7)
    weights = [p["kernel"], p["recurrent_kernel"], p["bias"]]
    layer = _keras_lstm(units, features, weights, dtype)
    if with_state:
        ref = layer(p["x"], initial_state=[p["h0"], p["c0"]])
        ours = ln.lstm_forward(p["x"], *weights, h0=p["h0"], c0=p["c0"])
    else:
        ref = layer(p["x"])
        ours = ln.lstm_forward(p["x"], *weights)
    for name, mine, theirs in zip(["outputs", "h_last", "c_last"], ours, ref, strict=True):
        assert mine.dtype == np.dtype(dtype), name
        assert mine.shape == tuple(theirs.shape), name
        assert np.max(np.abs(mine - np.asarray(theirs))) <= tol, name


def test_weights_of_a_trained_style_keras_layer_load_straight_in():
    """``get_weights()`` of a layer initialised by Keras itself needs no reshaping."""
    keras.utils.set_random_seed(3)
    layer = keras.layers.LSTM(6, return_sequences=True, return_state=True)
    x = np.random.default_rng(3).standard_normal((4, 9, 2)).astype("float32")
    ref = layer(x)
    ours = ln.lstm_forward(x, *layer.get_weights())
    for mine, theirs in zip(ours, ref, strict=True):
        assert np.max(np.abs(mine - np.asarray(theirs))) <= 1e-5


# --------------------------------------------------------------------------- gradients


def _relative_error(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)


GRAD_NAMES = ["x", "h0", "c0", "kernel", "recurrent_kernel", "bias"]


@pytest.mark.parametrize("batch, steps, features, units", [(2, 6, 3, 4), (5, 15, 1, 8)])
def test_backward_matches_gradient_tape(batch, steps, features, units):
    """L = sum(A * outputs) + sum(B * h_last) + sum(C * c_last), float64, random A, B, C."""
    p = _random_problem(batch, steps, features, units, seed=steps)
    rng = np.random.default_rng(100 + steps)
    A = rng.standard_normal((batch, steps, units))
    B = rng.standard_normal((batch, units))
    C = rng.standard_normal((batch, units))
    layer = _keras_lstm(units, features, [p["kernel"], p["recurrent_kernel"], p["bias"]], "float64")
    x, h0, c0 = (tf.Variable(p[k]) for k in ("x", "h0", "c0"))
    with tf.GradientTape() as tape:
        outputs, h_last, c_last = layer(x, initial_state=[h0, c0])
        loss = tf.reduce_sum(A * outputs) + tf.reduce_sum(B * h_last) + tf.reduce_sum(C * c_last)
    cell = layer.cell
    sources = [x, h0, c0, cell.kernel, cell.recurrent_kernel, cell.bias]
    expected = tape.gradient(loss, sources)
    grads = ln.lstm_backward(
        p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], A,
        h0=p["h0"], c0=p["c0"], d_h_last=B, d_c_last=C,
    )  # fmt: skip
    for name, theirs in zip(GRAD_NAMES, expected, strict=True):
        mine = getattr(grads, name)
        assert mine.shape == tuple(theirs.shape), name
        assert _relative_error(mine, theirs) <= 1e-6, name


def test_backward_matches_central_finite_differences():
    """Every partial derivative of L = sum(A * outputs) + sum(B * h_last) + sum(C * c_last),
    by central differences of lstm_forward in float64."""
    p = _random_problem(2, 4, 3, 2, seed=7, scale=0.8)
    rng = np.random.default_rng(8)
    A, B, C = (
        rng.standard_normal((2, 4, 2)),
        rng.standard_normal((2, 2)),
        rng.standard_normal((2, 2)),
    )

    def loss(q):
        outputs, h, c = ln.lstm_forward(
            q["x"], q["kernel"], q["recurrent_kernel"], q["bias"], h0=q["h0"], c0=q["c0"]
        )
        return np.sum(A * outputs) + np.sum(B * h) + np.sum(C * c)

    grads = ln.lstm_backward(
        p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], A,
        h0=p["h0"], c0=p["c0"], d_h_last=B, d_c_last=C,
    )  # fmt: skip
    eps = 1e-6
    for name in GRAD_NAMES:
        numeric = np.zeros_like(p[name])
        for index in np.ndindex(p[name].shape):
            plus = {k: v.copy() for k, v in p.items()}
            minus = {k: v.copy() for k, v in p.items()}
            plus[name][index] += eps
            minus[name][index] -= eps
            numeric[index] = (loss(plus) - loss(minus)) / (2 * eps)
        assert _relative_error(getattr(grads, name), numeric) <= 1e-6, name


def test_backward_none_upstream_means_zero_and_d_h_last_adds_to_last_output():
    p = _random_problem(3, 5, 2, 4, seed=11)
    args = (p["x"], p["kernel"], p["recurrent_kernel"], p["bias"])
    D = np.random.default_rng(12).standard_normal((3, 4))
    only_last = np.zeros((3, 5, 4))
    only_last[:, -1] = D
    via_outputs = ln.lstm_backward(*args, only_last)
    via_h_last = ln.lstm_backward(*args, None, d_h_last=D)
    for name in GRAD_NAMES:
        np.testing.assert_allclose(getattr(via_h_last, name), getattr(via_outputs, name))
    zero = ln.lstm_backward(*args, None)
    assert all(not np.any(getattr(zero, name)) for name in GRAD_NAMES)


# --------------------------------------------------------------------------- properties

dims = st.integers(min_value=1, max_value=5)


@settings(max_examples=30, deadline=None)
@given(batch=dims, steps=dims, features=dims, units=dims, split=st.integers(0, 4), seed=dims)
def test_two_halves_with_carried_state_equal_the_whole(batch, steps, features, units, split, seed):
    """Running steps [0, s) and then [s, T) from the carried (h, c) is running [0, T)."""
    steps += 1  # at least two steps, so both halves are non-empty
    s = 1 + split % (steps - 1)
    p = _random_problem(batch, steps, features, units, seed=seed)
    w = (p["kernel"], p["recurrent_kernel"], p["bias"])
    whole, h, c = ln.lstm_forward(p["x"], *w, h0=p["h0"], c0=p["c0"])
    first, h1, c1 = ln.lstm_forward(p["x"][:, :s], *w, h0=p["h0"], c0=p["c0"])
    second, h2, c2 = ln.lstm_forward(p["x"][:, s:], *w, h0=h1, c0=c1)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-14)
    np.testing.assert_allclose(h2, h, atol=1e-14)
    np.testing.assert_allclose(c2, c, atol=1e-14)


@settings(max_examples=30, deadline=None)
@given(batch=dims, steps=dims, features=dims, units=dims, seed=dims)
def test_shapes_ranges_and_step_function(batch, steps, features, units, seed):
    p = _random_problem(batch, steps, features, units, seed=seed, scale=2.0)
    w = (p["kernel"], p["recurrent_kernel"], p["bias"])
    outputs, h_last, c_last, gates = ln.lstm_forward(p["x"], *w, return_gates=True)
    assert outputs.shape == (batch, steps, units)
    assert h_last.shape == c_last.shape == (batch, units)
    np.testing.assert_array_equal(outputs[:, -1], h_last)
    np.testing.assert_array_equal(gates.c[:, -1], c_last)
    for name in "ifo":
        values = getattr(gates, name)
        assert values.shape == (batch, steps, units)
        assert np.all((values >= 0) & (values <= 1)), name
    assert np.all(np.abs(gates.c_tilde) <= 1) and np.all(np.abs(outputs) <= 1)
    # the step function, applied in a loop, is the forward pass
    h = c = np.zeros((batch, units))
    for t in range(steps):
        h, c, (i, f, c_tilde, o) = ln.lstm_step(p["x"][:, t], h, c, *w)
        np.testing.assert_allclose(f, gates.f[:, t], atol=1e-15)
        np.testing.assert_allclose(c_tilde, gates.c_tilde[:, t], atol=1e-15)
        np.testing.assert_allclose(h, outputs[:, t], atol=1e-15)
    # each sample of the batch is computed on its own
    for b in range(batch):
        alone = ln.lstm_forward(p["x"][b : b + 1], *w)[0]
        np.testing.assert_allclose(alone[0], outputs[b], atol=1e-14)


def test_dtype_follows_the_inputs_and_inputs_are_not_modified():
    p32 = _random_problem(2, 3, 2, 3, dtype="float32")
    copies = {k: v.copy() for k, v in p32.items()}
    out32 = ln.lstm_forward(p32["x"], p32["kernel"], p32["recurrent_kernel"], p32["bias"])
    grads = ln.lstm_backward(
        p32["x"], p32["kernel"], p32["recurrent_kernel"], p32["bias"], np.ones((2, 3, 3), "float32")
    )
    assert all(a.dtype == np.float32 for a in out32)
    assert all(getattr(grads, n).dtype == np.float32 for n in GRAD_NAMES)
    for k, v in p32.items():
        np.testing.assert_array_equal(v, copies[k])
    out_int = ln.lstm_forward(
        np.ones((1, 2, 1), dtype=int), np.ones((1, 4)), np.ones((1, 4)), np.ones(4)
    )
    assert out_int[0].dtype == np.float64


def test_sigmoid_is_the_logistic_function_and_does_not_overflow():
    z = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(ln.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-13, atol=1e-300)
    with np.errstate(over="raise"):
        assert ln.sigmoid(np.array([-1e4]))[0] == 0.0


def test_the_candidate_is_c_tilde_and_still_readable_as_g():
    p = _random_problem(2, 3, 2, 4, seed=3)
    gates = ln.lstm_forward(
        p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], return_gates=True
    )[3]
    assert [f.name for f in dataclasses.fields(gates)] == ["i", "f", "c_tilde", "o", "c"]
    assert gates.g is gates.c_tilde
    # the candidate is tanh of the third block of z = x W + h U + b, at the first step (h0 = 0)
    z_c = p["x"][:, 0] @ p["kernel"][:, 8:12] + p["bias"][8:12]
    np.testing.assert_allclose(gates.c_tilde[:, 0], np.tanh(z_c), atol=1e-15)


# --------------------------------------------------------------------------- memory Jacobian


def _cell_state_after(p, c0):
    """c_T of the one sequence in ``p``, started from (p["h0"], c0)."""
    return ln.lstm_forward(
        p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], h0=p["h0"], c0=c0
    )[2][0]


def test_memory_jacobian_matches_central_finite_differences():
    p = _random_problem(1, 6, 2, 4, seed=5, scale=0.8)
    jac = ln.memory_jacobian(
        p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], h0=p["h0"], c0=p["c0"]
    )
    step = 1e-6
    numeric = np.empty((4, 4))
    for j in range(4):
        e = np.zeros((1, 4))
        e[0, j] = step
        numeric[:, j] = (_cell_state_after(p, p["c0"] + e) - _cell_state_after(p, p["c0"] - e)) / (
            2 * step
        )  # column j: dc_T / dc_0[j], with h0 held fixed
    np.testing.assert_allclose(jac.full, numeric, rtol=0, atol=1e-8)
    # over six steps the paths through h count: the full Jacobian is not the direct path
    assert np.abs(jac.full - jac.direct).max() > 1e-3


def test_memory_jacobian_direct_path_is_the_product_of_the_forget_gates():
    p = _random_problem(1, 7, 3, 5, seed=6)
    w = (p["kernel"], p["recurrent_kernel"], p["bias"])
    f = ln.lstm_forward(p["x"], *w, h0=p["h0"], c0=p["c0"], return_gates=True)[3].f[0]
    jac = ln.memory_jacobian(p["x"], *w, h0=p["h0"], c0=p["c0"])
    np.testing.assert_allclose(jac.direct, np.diag(np.prod(f, axis=0)), rtol=1e-14, atol=0)
    # one step back, with h held fixed, the direct path is the whole Jacobian: diag(f_1)
    one = ln.memory_jacobian(p["x"][:, :1], *w, h0=p["h0"], c0=p["c0"])
    np.testing.assert_allclose(one.full, np.diag(f[0]), rtol=0, atol=1e-15)
    np.testing.assert_allclose(one.direct, np.diag(f[0]), rtol=0, atol=1e-15)


def test_memory_jacobian_refuses_more_than_one_sequence():
    p = _random_problem(2, 3, 2, 4)
    with pytest.raises(ValueError, match=r"x must hold one sequence.* got shape \(2, 3, 2\)"):
        ln.memory_jacobian(p["x"], p["kernel"], p["recurrent_kernel"], p["bias"])


# --------------------------------------------------------------------------- parameter count


@pytest.mark.parametrize("n_features, units", [(1, 1), (1, 16), (3, 8), (10, 32)])
def test_param_count_matches_keras(n_features, units):
    model = keras.Sequential([keras.Input((5, n_features)), keras.layers.LSTM(units)])
    expected_by_hand = 4 * (n_features * units + units * units + units)
    assert ln.lstm_param_count(n_features, units) == expected_by_hand == model.count_params()


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"n_features": 0, "units": 3}, ValueError, "n_features must be a positive integer, got 0"),
        ({"n_features": 2, "units": -1}, ValueError, "units must be a positive integer, got -1"),
        ({"n_features": 2.0, "units": 3}, TypeError, "n_features must be a positive integer"),
        ({"n_features": 2, "units": True}, TypeError, "units must be a positive integer"),
    ],
)
def test_param_count_rejects_bad_sizes(kwargs, error, words):
    with pytest.raises(error, match=words):
        ln.lstm_param_count(**kwargs)


# --------------------------------------------------------------------------- bad input


def _good():
    return _random_problem(2, 3, 4, 5)


def _call_forward(p):
    return ln.lstm_forward(
        p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], h0=p["h0"], c0=p["c0"]
    )


def test_x_must_be_3d():
    p = _good()
    p["x"] = p["x"][0]
    with pytest.raises(ValueError, match=r"x must be 3-D .* got shape \(3, 4\)"):
        _call_forward(p)


def test_x_needs_a_time_step():
    p = _good()
    p["x"] = p["x"][:, :0]
    with pytest.raises(
        ValueError, match=r"x must have at least one time step, got shape \(2, 0, 4\)"
    ):
        _call_forward(p)


def test_x_must_be_numeric():
    p = _good()
    p["x"] = np.full((2, 3, 4), "a")
    with pytest.raises(TypeError, match="x must hold real numbers, got dtype <U1"):
        _call_forward(p)


def test_kernel_columns_must_be_four_blocks():
    p = _good()
    p["kernel"] = p["kernel"][:, :-1]
    with pytest.raises(ValueError, match=r"kernel must be 2-D .* got shape \(4, 19\)"):
        _call_forward(p)


def test_kernel_rows_must_match_features():
    p = _good()
    p["kernel"] = p["kernel"][:3]
    with pytest.raises(ValueError, match=r"kernel must have shape .* = \(4, 20\) to fit x with 4 "
                       r"features, got shape \(3, 20\)"):  # fmt: skip
        _call_forward(p)


def test_recurrent_kernel_must_fit_kernel():
    p = _good()
    p["recurrent_kernel"] = p["recurrent_kernel"].T
    with pytest.raises(ValueError, match=r"recurrent_kernel must have shape .* = \(5, 20\) .* "
                       r"got shape \(20, 5\)"):  # fmt: skip
        _call_forward(p)


def test_bias_must_fit_kernel():
    p = _good()
    p["bias"] = p["bias"][:5]
    with pytest.raises(ValueError, match=r"bias must have shape .* = \(20,\) .* got shape \(5,\)"):
        _call_forward(p)


def test_h0_must_be_batch_by_units():
    p = _good()
    p["h0"] = p["h0"][:1]
    with pytest.raises(ValueError, match=r"h0 must have shape .* = \(2, 5\) .* got shape \(1, 5\)"):
        _call_forward(p)


def test_c0_must_be_batch_by_units():
    p = _good()
    p["c0"] = p["c0"][:, :4]
    with pytest.raises(ValueError, match=r"c0 must have shape .* = \(2, 5\) .* got shape \(2, 4\)"):
        _call_forward(p)


def test_d_outputs_must_match_outputs():
    p = _good()
    with pytest.raises(
        ValueError, match=r"d_outputs must have shape \(2, 3, 5\) .* got shape \(2, 5\)"
    ):
        ln.lstm_backward(p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], np.ones((2, 5)))


def test_d_c_last_must_be_batch_by_units():
    p = _good()
    with pytest.raises(ValueError, match=r"d_c_last must have shape \(2, 5\) .* got shape \(5,\)"):
        ln.lstm_backward(
            p["x"], p["kernel"], p["recurrent_kernel"], p["bias"], None, d_c_last=np.ones(5)
        )


def test_step_names_its_own_arguments():
    p = _good()
    with pytest.raises(ValueError, match=r"x_t must be 2-D .* got shape \(2, 3, 4\)"):
        ln.lstm_step(p["x"], p["h0"], p["c0"], p["kernel"], p["recurrent_kernel"], p["bias"])
    with pytest.raises(ValueError, match=r"h_prev must have shape .* got shape \(5,\)"):
        ln.lstm_step(
            p["x"][:, 0], p["h0"][0], p["c0"], p["kernel"], p["recurrent_kernel"], p["bias"]
        )


def test_lstm_cell_is_the_step_that_lstm_step_and_lstm_forward_run():
    p = _random_problem(3, 4, 2, 5, seed=2)
    W, U, b = p["kernel"], p["recurrent_kernel"], p["bias"]
    h0, c0 = np.zeros((3, 5)), np.zeros((3, 5))
    x_t = p["x"][:, 0]
    by_cell = ln.lstm_cell(x_t @ W + b, h0, c0, U)
    by_step = ln.lstm_step(x_t, h0, c0, W, U, b)
    for a, b_ in zip(by_cell[:2], by_step[:2], strict=True):
        np.testing.assert_array_equal(a, b_)
    outputs, _, _ = ln.lstm_forward(p["x"][:, :1], W, U, b)
    np.testing.assert_array_equal(outputs[:, 0], by_cell[0])
