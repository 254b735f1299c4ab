"""Many fresh models for the price of one trace: reuse a traced Keras model as a new build.

Every new Keras model pays TensorFlow's tracing of its training step on its first fit
(about a second or two for the lessons' small LSTMs, several seconds with
``recurrent_dropout``), while a whole fit on a few hundred windows can cost less. A
search or a seed ensemble fits the same architecture many times, so this module keeps
one model per architecture and, for every new fit, puts a new build's state into it:

- :class:`ModelPool`: ``pool(*args, **options)`` builds the model as ``build`` would
  (cheap: nothing is traced), then hands back the pool's model of the same
  architecture with the new build's state copied in. The first request of an
  architecture hands back the new build itself.
- :func:`copy_state`: the copy itself. Every variable of the model (weights, the
  random-seed states of its dropout layers) and of its optimizer (step count, step
  size, moments) takes the other model's value, so training the copy is training the
  new build (tests/test_model_pool.py checks it to the last bit).
- :func:`snapshot` and :func:`restore`: the same state kept as NumPy arrays, so one
  model can carry several fits that pause and resume (warm starts of a seed ensemble).

Public Keras API only: ``model.variables``, ``optimizer.variables``,
``optimizer.build`` and ``Variable.assign``.
"""

from __future__ import annotations

import numpy as np

from helpers import _checks
from helpers._keras import check_model

__all__ = ["ModelPool", "copy_state", "snapshot", "restore"]


def _state(model):
    """Every variable a fit reads or changes: the model's, then its optimizer's (built first)."""
    check_model(model)
    if model.optimizer is None:
        raise ValueError("model must be compiled: its optimizer's state is part of a fresh build")
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    return [*model.variables, *model.optimizer.variables]


def _check_same_layout(source, target, what):
    shapes = [tuple(v.shape) for v in source], [tuple(v.shape) for v in target]
    if shapes[0] != shapes[1]:
        raise ValueError(
            f"{what} must hold variables of the same shapes, got {len(shapes[0])} variables "
            f"{shapes[0][:3]}... and {len(shapes[1])} variables {shapes[1][:3]}...: "
            "are they the same architecture?"
        )


def copy_state(source, target):
    """Give ``target`` every variable value of ``source``: weights, seed states, optimizer.

    Parameters
    ----------
    source, target : keras.Model
        Compiled models of the same architecture. ``target`` is changed in place;
        ``source``'s optimizer is built if it was not (its variables are created).

    Returns
    -------
    keras.Model
        ``target``, now in ``source``'s state.

    Raises
    ------
    TypeError
        If either is not a Keras model.
    ValueError
        If either is not compiled, or their variables differ in number or shape.

    Examples
    --------
    >>> from helpers.models import build_forecaster
    >>> a, b = build_forecaster(5, units=2, seed=0), build_forecaster(5, units=2, seed=1)
    >>> b = copy_state(a, b)
    >>> all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))
    True
    """
    check_model(target, "target")
    check_model(source, "source")
    values, variables = _state(source), _state(target)
    _check_same_layout(values, variables, "source and target")
    for variable, value in zip(variables, values, strict=True):
        variable.assign(value)
    return target


def snapshot(model):
    """The model's state (its variables and its optimizer's) as a list of NumPy arrays.

    Parameters
    ----------
    model : keras.Model
        Compiled.

    Returns
    -------
    list of ndarray
        Copies, in the order :func:`restore` expects.

    Examples
    --------
    >>> from helpers.models import build_forecaster
    >>> model = build_forecaster(5, units=2, seed=0)
    >>> saved = snapshot(model)
    >>> model.set_weights([w + 1 for w in model.get_weights()])
    >>> restore(model, saved) is model
    True
    >>> bool(np.array_equal(model.get_weights()[0], saved[0]))
    True
    """
    return [np.array(variable.numpy(), copy=True) for variable in _state(model)]


def restore(model, saved):
    """Put back a state that :func:`snapshot` took of ``model`` (or of a model like it).

    Parameters
    ----------
    model : keras.Model
    saved : list of ndarray
        As :func:`snapshot` returns it.

    Returns
    -------
    keras.Model
        ``model``, changed in place.

    Raises
    ------
    ValueError
        If ``saved`` does not match the model's variables in number or shape.
    """
    variables = _state(model)
    if not isinstance(saved, list):
        raise TypeError(f"saved must be the list snapshot() returns, got {type(saved).__name__}")
    _check_same_layout(saved, variables, "saved and the model")
    for variable, value in zip(variables, saved, strict=True):
        variable.assign(value)
    return model


class ModelPool:
    """Hand out fresh builds of a model, traced once per architecture.

    Parameters
    ----------
    build : callable
        ``build(*args, **options)`` returning a compiled Keras model, e.g.
        :func:`helpers.models.build_forecaster`.
    state_options : tuple of str, default ("seed", "learning_rate")
        The options that change only a model's *state*, not its architecture: requests
        that differ only in them share one model. Every other argument picks the
        architecture.

    Attributes
    ----------
    builds : int
        Models built so far (one per request).
    architectures : int
        Models kept (one per architecture): the traces paid.

    Examples
    --------
    >>> from helpers.models import build_forecaster
    >>> pool = ModelPool(build_forecaster)
    >>> a = pool(5, units=2, seed=0)
    >>> b = pool(5, units=2, seed=1, learning_rate=0.01)  # the same model, a new state
    >>> c = pool(5, units=3, seed=0)  # another architecture
    >>> a is b, a is c, pool.architectures
    (True, False, 2)
    >>> bool(np.isclose(float(b.optimizer.learning_rate.numpy()), 0.01))
    True
    """

    def __init__(self, build, *, state_options=("seed", "learning_rate")):
        self.build = _checks.function(build, "build", call="build(*args, **options)")
        if isinstance(state_options, str) or not all(
            isinstance(name, str) for name in state_options
        ):
            raise TypeError(f"state_options must be a tuple of option names, got {state_options!r}")
        self.state_options = tuple(state_options)
        self._models = {}
        self.builds = 0

    @property
    def architectures(self):
        return len(self._models)

    def _key(self, args, options):
        kept = {k: v for k, v in options.items() if k not in self.state_options}
        return repr((args, sorted(kept.items())))

    def __call__(self, *args, **options):
        fresh = self.build(*args, **options)
        self.builds += 1
        key = self._key(args, options)
        kept = self._models.get(key)
        if kept is None:
            self._models[key] = fresh
            return fresh
        return copy_state(fresh, kept)
