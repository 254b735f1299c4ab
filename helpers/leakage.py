"""Leakage, measured: the same small forecaster trained through honest and leaky pipelines.

Lesson 02 teaches two shortcuts that let the test part leak into training (a random
split of the windows, a scaler fitted on the whole series) and measures what each does
to a model's score. The teaching is the pipelines; this module is the plumbing that
runs them at several origins and keeps every forecast, so the lesson can compare them
with the paired rule (:func:`helpers.metrics.compare_forecasts`):

- :class:`Pipeline`: which rows the min-max scaler is fitted on (``"train"`` or
  ``"whole"``) and how the windows are split (``"chronological"`` or ``"random"``);
- :func:`origin_ends`: the origins, as the number of rows each one sees: the last
  ``fold`` rows of each are its test part, the ``fold`` before them validation;
- :func:`pipeline_windows`: one pipeline at one origin, the scaled windows and which of
  them train, validate and test;
- :func:`run_pipelines`: every pipeline at every origin, trained until early stopping
  fires, each forecast back in the target's units next to the seasonal naive one.

Paired by design: at one origin every pipeline trains from the same initial weights with
the same order of the windows (one seed per origin), and the random pipelines share one
random split. So the chronological pipelines forecast the same test windows, and the
random ones the same random windows, from models that differ only in the pipeline.

Every fit is the one a freshly built model of its seed gets, while one model's traced
steps serve them all (:class:`helpers.refits.Refitter`). TensorFlow is imported only
when :func:`run_pipelines` first trains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler

from helpers import _checks, data

__all__ = [
    "Pipeline",
    "origin_ends",
    "pipeline_windows",
    "PipelineWindows",
    "LeakageRuns",
    "run_pipelines",
]

SCALERS = ("train", "whole")
SPLITS = ("chronological", "random")


class Pipeline(NamedTuple):
    """One way from a series to a score: where the scaler is fitted, how windows are split.

    Attributes
    ----------
    scaler : {"train", "whole"}
        Fit the min-max scaler on the training rows only (honest) or on every row the
        origin sees, test rows included (leak).
    split : {"chronological", "random"}
        Train, validation and test windows in time order (honest), or drawn at random
        from all windows in the same numbers (leak).

    Examples
    --------
    >>> Pipeline("train", "chronological")
    Pipeline(scaler='train', split='chronological')
    """

    scaler: str
    split: str


def _check_pipelines(pipelines):
    if not isinstance(pipelines, dict) or not pipelines:
        raise ValueError(
            "pipelines must be a non-empty dict of name -> Pipeline(scaler, split), "
            f"got {pipelines!r}"
        )
    checked = {}
    for name, spec in pipelines.items():
        if not isinstance(name, str):
            raise TypeError(f"pipeline names must be strings, got {name!r}")
        checked[name] = _check_pipeline(spec, f"pipelines[{name!r}]")
    return checked


def _check_pipeline(spec, name="pipeline"):
    if not isinstance(spec, tuple) or len(spec) != 2:
        raise TypeError(f"{name} must be a Pipeline(scaler, split), got {spec!r}")
    scaler, split = spec
    if scaler not in SCALERS:
        raise ValueError(f"{name}.scaler must be one of {SCALERS}, got {scaler!r}")
    if split not in SPLITS:
        raise ValueError(f"{name}.split must be one of {SPLITS}, got {split!r}")
    return Pipeline(scaler, split)


def origin_ends(n_rows, *, fold, n_origins, window, horizon=1):
    """The rows each origin sees: ``n_rows``, ``n_rows - fold``, ... (oldest first).

    At every origin the last ``fold`` rows are the test part and the ``fold`` rows
    before them validation, so the test parts of consecutive origins are consecutive
    blocks of ``fold`` rows that end the series, never overlapping.

    Parameters
    ----------
    n_rows : int
        Rows in the whole series.
    fold : int
        Rows of each origin's validation part and of its test part.
    n_origins : int
    window, horizon : int
        As in :func:`helpers.data.make_windows`: the earliest origin must leave at least
        one training window.

    Returns
    -------
    list of int
        ``n_origins`` row counts, increasing; the last is ``n_rows``.

    Raises
    ------
    ValueError
        If the earliest origin leaves no training window, or a count is not positive.

    Examples
    --------
    >>> origin_ends(144, fold=12, n_origins=3, window=12)
    [120, 132, 144]
    >>> origin_ends(40, fold=12, n_origins=2, window=12)
    Traceback (most recent call last):
    ...
    ValueError: n_origins=2 leaves the earliest origin 4 training rows, fewer than \
WINDOW + HORIZON = 13: use fewer origins or a smaller fold
    """
    n_rows = _checks.integer(n_rows, "n_rows")
    fold = _checks.integer(fold, "fold")
    n_origins = _checks.integer(n_origins, "n_origins")
    window = _checks.integer(window, "window")
    horizon = _checks.integer(horizon, "horizon")
    if fold < horizon:
        raise ValueError(f"fold must hold at least HORIZON = {horizon} rows, got {fold}")
    ends = [n_rows - k * fold for k in range(n_origins - 1, -1, -1)]
    train_rows = ends[0] - 2 * fold
    if train_rows < window + horizon:
        raise ValueError(
            f"n_origins={n_origins} leaves the earliest origin {train_rows} training rows, "
            f"fewer than WINDOW + HORIZON = {window + horizon}: use fewer origins or a "
            "smaller fold"
        )
    return ends


@dataclass(frozen=True)
class PipelineWindows:
    """One pipeline at one origin: the scaled windows and which of them do what.

    Attributes
    ----------
    X : ndarray, shape (n_windows, window, n_features)
        Every window of the origin's rows, scaled.
    y : ndarray, shape (n_windows, horizon)
        Their targets, scaled.
    train, validation, test : ndarray of int
        Indices into ``X`` and ``y``; window ``i`` starts at row ``i``, so its first
        target is row ``i + window``.
    scaler : sklearn.preprocessing.MinMaxScaler
        Fitted as the pipeline says.
    target : int
        The target's column position in the scaler.
    """

    X: np.ndarray
    y: np.ndarray
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    scaler: MinMaxScaler
    target: int

    def to_units(self, values):
        """Undo the min-max scaling of the target: ``x = (x' - min_) / scale_``."""
        values = np.asarray(values, dtype=float)
        return (values - self.scaler.min_[self.target]) / self.scaler.scale_[self.target]


def pipeline_windows(part, pipeline, *, target, window, horizon=1, fold, order=None):
    """Scale one origin's rows and split its windows as ``pipeline`` says.

    Parameters
    ----------
    part : DataFrame, shape (time, features)
        The rows the origin sees, oldest first; ``target`` among its columns.
    pipeline : Pipeline
    target : str
        The column forecast.
    window, horizon : int
        As in :func:`helpers.data.make_windows`.
    fold : int
        Rows of the validation part and of the test part (the last rows).
    order : ndarray of int, optional
        A permutation of the windows, for a random split: the first ones train, the
        next validate, the next test, in the numbers of the chronological split.
        Required when ``pipeline.split == "random"``.

    Returns
    -------
    PipelineWindows

    Raises
    ------
    ValueError
        If a random split has no ``order``, or ``order`` is not a permutation of the
        windows.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": np.arange(40.0)})
    >>> honest = pipeline_windows(frame, Pipeline("train", "chronological"), target="y",
    ...                           window=4, fold=6)
    >>> len(honest.train), len(honest.validation), len(honest.test)
    (24, 6, 6)
    >>> float(honest.X[honest.train].max()), float(honest.to_units(honest.y[honest.test][0, 0]))
    (1.0, 34.0)
    """
    _checks.dataframe(part, "part")
    pipeline = _check_pipeline(pipeline)
    target_column = _checks.column_name(target, "target")
    honest = data.split_windows(
        part, window, horizon=horizon, validation_size=fold, test_size=fold
    )  # the course's split rule, which gives the numbers of windows in each part
    fitted_on = part.iloc[: honest.rows[0]] if pipeline.scaler == "train" else part
    scaler = MinMaxScaler().fit(fitted_on)
    target_position = list(part.columns).index(target_column)
    X, y = data.make_windows(
        scaler.transform(part), window, horizon=horizon, target_columns=target_position
    )  # every window: (n, window, features), (n, horizon)
    if pipeline.split == "chronological":
        parts = [w.first_target - window for w in (honest.train, honest.validation, honest.test)]
    else:
        if order is None:
            raise ValueError("a random split needs order=, a permutation of the windows")
        order = np.asarray(order)
        if sorted(order.tolist()) != list(range(len(X))):
            raise ValueError(f"order must be a permutation of the {len(X)} windows")
        cuts = np.cumsum(honest.lengths)  # the same numbers of windows as chronologically
        parts = [order[: cuts[0]], order[cuts[0] : cuts[1]], order[cuts[1] : cuts[2]]]
    return PipelineWindows(X, y, *parts, scaler=scaler, target=target_position)


@dataclass(frozen=True)
class LeakageRuns:
    """Every forecast of :func:`run_pipelines`, and every fit's history.

    Attributes
    ----------
    forecasts : DataFrame
        One row per pipeline, origin, test window and lead: ``pipeline``, ``origin``
        (0 for the earliest), ``origin_end`` (the time of the origin's last row),
        ``first_target`` (the row of the window's first target), ``time`` (of this
        target), ``lead`` (1 .. horizon), ``truth``, ``forecast`` (the LSTM, the mean of
        its members) and ``baseline`` (the seasonal naive forecast), all in the
        target's units.
    histories : dict
        ``(pipeline, origin, member) -> TrainingHistory``, one per fit.
    pipelines : dict of str to Pipeline
    season : int
        The baseline's period (1: the naive forecast).
    seeds : dict
        ``origin -> list of int``: the seeds of that origin's fits, one per member, the
        same for every pipeline.
    """

    forecasts: pd.DataFrame
    histories: dict
    pipelines: dict
    season: int
    seeds: dict

    def points(self, pipeline, *, lead=1):
        """One pipeline's test points at one lead, sorted by origin and time.

        Returns
        -------
        DataFrame
            The rows of :attr:`forecasts` for ``pipeline`` and ``lead``.
        """
        if pipeline not in self.pipelines:
            raise ValueError(f"pipeline must be one of {list(self.pipelines)}, got {pipeline!r}")
        rows = self.forecasts[
            (self.forecasts["pipeline"] == pipeline) & (self.forecasts["lead"] == lead)
        ]
        return rows.sort_values(["origin", "first_target"]).reset_index(drop=True)

    def scores(self):
        """RMSE of the LSTM and of the baseline per pipeline and origin, and their ratio.

        Returns
        -------
        DataFrame
            Index ``(pipeline, origin)``; columns ``LSTM``, ``baseline`` (RMSE in the
            target's units, over every test window and lead) and ``rel. RMSE`` (their
            ratio: below 1, the LSTM is closer than the baseline).
        """
        f = self.forecasts

        def rmse(column):
            squared = (f[column] - f["truth"]) ** 2
            return np.sqrt(squared.groupby([f["pipeline"], f["origin"]], sort=False).mean())

        table = pd.DataFrame({"LSTM": rmse("forecast"), "baseline": rmse("baseline")})
        table["rel. RMSE"] = table["LSTM"] / table["baseline"]
        return table


def run_pipelines(
    frame,
    pipelines,
    *,
    target,
    window,
    horizon=1,
    fold,
    n_origins,
    seed,
    season=1,
    members=1,
    units=8,
    learning_rate=0.01,
    epochs=300,
    batch_size=32,
    patience=20,
    min_delta=0.0,
):
    """Train one small LSTM through every pipeline at every origin and keep its forecasts.

    At each origin (:func:`origin_ends`) a seed is drawn for the fits (the initial
    weights and the order of the windows, the same for every pipeline) and a
    permutation of the windows for the random splits (the same for every random
    pipeline). Each pipeline's model trains until early stopping fires on its
    validation windows (:func:`helpers.models.train`), then forecasts its test windows.

    Parameters
    ----------
    frame : DataFrame, shape (time, features)
        The whole series, oldest first.
    pipelines : dict of str to Pipeline
    target : str
        The column forecast (an input too).
    window, horizon : int
    fold : int
        Rows of each origin's validation part and of its test part.
    n_origins : int
    seed : int or numpy.random.Generator
        Draws each origin's fit seeds and random split.
    season : int, default 1
        The baseline is the seasonal naive forecast with this period: each target is
        forecast by the value ``season`` steps before it (the value a whole number of
        seasons back, for leads beyond one season). 1 gives the naive forecast, the
        last value.
    members : int, default 1
        Fits per pipeline and origin, each from its own seed (the same seeds for every
        pipeline at that origin); their mean is the forecast.
    units, learning_rate
        Of :func:`helpers.models.build_forecaster`.
    epochs, batch_size, patience, min_delta
        Of :func:`helpers.models.train`; ``epochs`` is the cap.

    Returns
    -------
    LeakageRuns

    Raises
    ------
    TypeError, ValueError
        On a bad pipeline, column or count (see :func:`origin_ends`).
    """
    _checks.dataframe(frame, "frame")
    pipelines = _check_pipelines(pipelines)
    ends = origin_ends(len(frame), fold=fold, n_origins=n_origins, window=window, horizon=horizon)
    members = _checks.integer(members, "members")
    season = _checks.integer(season, "season")
    if season > window:
        raise ValueError(
            f"season={season} is longer than window={window}: the earliest windows would have "
            "no value one season back for the seasonal naive forecast; use a window of at "
            "least one season (or season=1, the naive forecast)"
        )
    back = [season * -(-(lead + 1) // season) for lead in range(horizon)]  # whole seasons
    rng = _checks.rng(seed)
    from helpers import models
    from helpers.refits import Refitter

    n_features = frame.shape[1]
    refit = Refitter(
        lambda s: models.build_forecaster(
            window, n_features, units=units, horizon=horizon, learning_rate=learning_rate, seed=s
        )
    )
    rows, histories, seeds = [], {}, {}
    for origin, end in enumerate(ends):
        part = frame.iloc[:end]
        fit_seeds = seeds[origin] = [int(s) for s in rng.integers(2**31 - 1, size=members)]
        order = rng.permutation(end - window - horizon + 1)  # shared by the random splits
        for name, pipeline in pipelines.items():
            w = pipeline_windows(
                part, pipeline, target=target, window=window, horizon=horizon, fold=fold,
                order=order,
            )  # fmt: skip
            forecasts = []
            for member, fit_seed in enumerate(fit_seeds):
                histories[name, origin, member] = refit.fit(
                    fit_seed,
                    w.X[w.train],
                    w.y[w.train],
                    validation_data=(w.X[w.validation], w.y[w.validation]),
                    epochs=epochs,
                    batch_size=batch_size,
                    patience=patience,
                    min_delta=min_delta,
                )  # the fit of a fresh build_forecaster(seed=fit_seed), epochs in its order
                forecasts.append(refit.predict(w.X[w.test]))  # (n_test, horizon)
            forecast = w.to_units(np.mean(forecasts, axis=0))  # the members' mean
            truth = w.to_units(w.y[w.test])
            values = part[target].to_numpy()
            for i, start in enumerate(w.test):
                for lead in range(horizon):
                    rows.append(
                        {
                            "pipeline": name,
                            "origin": origin,
                            "origin_end": part.index[-1],
                            "first_target": int(start + window),
                            "time": part.index[start + window + lead],
                            "lead": lead + 1,
                            "truth": truth[i, lead],
                            "forecast": forecast[i, lead],
                            "baseline": values[start + window + lead - back[lead]],
                        }
                    )
    return LeakageRuns(pd.DataFrame(rows), histories, pipelines, season, seeds)
