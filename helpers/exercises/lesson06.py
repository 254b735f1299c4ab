"""Checks for lesson 06's exercises (tuning and walk-forward evaluation on Seattle's weather)."""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import (
    Hint,
    close,
    comparison,
    exercise,
    judges,
    number,
)

ALPHAS = np.logspace(-3, 3, 7)  # exercise 2's grid of ridge penalties
WIDTHS = (0, 3, 7, 15, 30)  # exercise 3's climatology half-widths


@exercise(
    "06.1",
    results={"ex1_mase": "persistence's MASE on the first block, computed from `frame` by hand"},
    needs=("frame", "TARGET_COLUMN", "origins", "M"),
)
def _persistence_mase(a):
    y = np.asarray(a.frame[a.TARGET_COLUMN], dtype=float)  # (time,)
    origin, stop, m = int(a.origins[0]), int(a.origins[1]), int(a.M)
    scale = np.mean(np.abs(y[m:origin] - y[: origin - m]))  # naive error before the origin
    mase = np.mean(np.abs(y[origin:stop] - y[origin - 1 : stop - 1])) / scale
    if not close(number(a, "ex1_mase"), mase):
        yield (
            "`ex1_mase` is not persistence's MASE at the first origin: forecast each day of the "
            "first block (rows origins[0] to origins[1] - 1) by the day before, and divide its "
            "mean absolute error by the mean absolute change from one row to the M-th next over "
            "the rows before the origin only"
        )


def _ridge_fold_errors(flat, target, cv):
    """Each fold's held-out errors for every alpha of ALPHAS: list of (alphas, n_fold)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # small solves: threads only wait for each other
        return [_ridge_errors(flat, target, train, test) for train, test in cv.split(flat)]


def _ridge_errors(flat, target, train, test):
    mean, sd = flat[train].mean(axis=0), flat[train].std(axis=0)
    sd[sd == 0] = 1.0
    z_train, z_test = (flat[train] - mean) / sd, (flat[test] - mean) / sd  # StandardScaler
    z_mean, y_mean = z_train.mean(axis=0), target[train].mean()  # Ridge's intercept
    centred = z_train - z_mean
    values, vectors = np.linalg.eigh(centred.T @ centred)
    projected = vectors.T @ (centred.T @ (target[train] - y_mean))  # (features,)
    weights = vectors @ (projected[:, None] / (values[:, None] + ALPHAS[None, :]))
    predicted = (z_test - z_mean) @ weights + y_mean  # (n_fold, alphas)
    return (target[test][:, None] - predicted).T


def _best_alphas(errors):
    """The alphas a search would choose by RMSE, MSE or MAE (R²: :func:`_best_r2`)."""
    scores = {
        "RMSE": [np.sqrt(np.mean(e**2, axis=1)) for e in errors],
        "MSE": [np.mean(e**2, axis=1) for e in errors],
        "MAE": [np.mean(np.abs(e), axis=1) for e in errors],
    }
    return {float(ALPHAS[np.argmin(np.mean(s, axis=0))]) for s in scores.values()}


def _ljung_box_p(x, lags):
    from scipy import stats

    x = np.asarray(x, dtype=float) - np.mean(x)
    n = len(x)
    rho = np.array([np.sum(x[k:] * x[:-k]) for k in range(1, lags + 1)]) / np.sum(x**2)
    q = n * (n + 2) * np.sum(rho**2 / (n - np.arange(1, lags + 1)))
    return float(stats.chi2.sf(q, lags))


def _best_r2(errors, target, cv):
    r2 = [
        1 - np.sum(e**2, axis=1) / np.sum((target[test] - target[test].mean()) ** 2)
        for e, (_, test) in zip(errors, cv.split(target), strict=True)
    ]
    return float(ALPHAS[np.argmax(np.mean(r2, axis=0))])


@exercise(
    "06.2",
    results={
        "ex2_alpha_kfold": "the ridge's alpha chosen by GridSearchCV with shuffled 5-fold folds",
        "ex2_alpha_time": "the ridge's alpha chosen by GridSearchCV with TimeSeriesSplit(5)",
        "ex2_ljung_box_p": "the Ljung-Box p-value at lag 7 of the time-ordered choice's "
        "out-of-fold errors",
    },
    needs=("X_dev", "y_dev"),
)
def _kfold_or_time(a):
    from sklearn.model_selection import KFold, TimeSeriesSplit

    flat = np.asarray(a.X_dev, dtype=float).reshape(len(a.X_dev), -1)
    target = np.asarray(a.y_dev, dtype=float)[:, 0]
    chosen, errors = {}, {}
    for name, cv, what in [
        ("ex2_alpha_kfold", KFold(5, shuffle=True, random_state=0),
         "KFold(5, shuffle=True, random_state=0)"),
        ("ex2_alpha_time", TimeSeriesSplit(5), "TimeSeriesSplit(5)"),
    ]:  # fmt: skip
        alpha = number(a, name)
        if not np.any(np.isclose(alpha, ALPHAS, rtol=1e-9)):
            raise Hint(f"`{name}` should be one of the grid's values, np.logspace(-3, 3, 7)")
        errors[name] = _ridge_fold_errors(flat, target, cv)
        best = [*_best_alphas(errors[name]), _best_r2(errors[name], target, cv)]
        if not np.any(np.isclose(alpha, best)):
            yield (
                f"`{name}` is not the alpha with the best mean score over the folds of {what}: "
                "search a StandardScaler + Ridge pipeline on the flattened development windows "
                "`X_dev` and their targets `y_dev[:, 0]`"
            )
        chosen[name] = float(ALPHAS[np.argmin(np.abs(ALPHAS - alpha))])
    column = int(np.argmin(np.abs(ALPHAS - chosen["ex2_alpha_time"])))
    # the errors on the 5 scored blocks, in time order
    out_of_fold = np.concatenate([e[column] for e in errors["ex2_alpha_time"]])
    p = number(a, "ex2_ljung_box_p")
    if not 0 <= p <= 1:
        raise Hint("`ex2_ljung_box_p` should be a p-value, between 0 and 1")
    if not close(p, _ljung_box_p(out_of_fold, 7), rtol=1e-4, atol=1e-8):
        yield (
            "`ex2_ljung_box_p` is not the Ljung-Box p-value at lag 7 of the out-of-fold errors: "
            "refit the pipeline with `ex2_alpha_time` on each TimeSeriesSplit(5) training part, "
            "join the errors on its 5 scored blocks in time order, and test them at lags=[7]"
        )


def _climatology(frame, target, origins, stop, width):
    """Climatology's forecasts of rows [origins[0], stop), each block from its own past."""
    from helpers.features import climatology_forecast

    ends = [*origins[1:], stop]
    return np.concatenate([
        climatology_forecast(frame[target].iloc[:o], frame.index[o:e], half_width=width)
        for o, e in zip(origins, ends, strict=True)
    ])  # fmt: skip


@exercise(
    "06.3",
    results={
        "ex3_width": "the climatology's half-width chosen on the development rows",
        "ex3_verdict": "the paired rule's verdict on the test part, chosen width against "
        "HALF_WIDTH",
    },
    needs=("frame", "development", "origins", "TARGET_COLUMN", "HALF_WIDTH", "M"),
)
def _climatology_width(a):
    from helpers.walk_forward import expanding_origins

    width = number(a, "ex3_width")
    if width not in WIDTHS:
        raise Hint(f"`ex3_width` should be one of the widths the exercise lists, {set(WIDTHS)}")
    width = int(width)
    y, target, m = np.asarray(a.development[a.TARGET_COLUMN], dtype=float), a.TARGET_COLUMN, a.M
    inner = [int(o) for o in expanding_origins(len(y), test_size=min(200, len(y) // 4),
                                               n_origins=4)]  # fmt: skip
    ends = [*inner[1:], len(y)]
    mase, squared, absolute = {}, {}, {}
    for w in WIDTHS:
        forecast = _climatology(a.development, target, inner, len(y), w)
        errors = y[inner[0] :] - forecast
        mase[w] = np.mean([
            np.mean(np.abs(errors[o - inner[0] : e - inner[0]]))
            / np.mean(np.abs(y[m:o] - y[: o - m]))
            for o, e in zip(inner, ends, strict=True)
        ])  # fmt: skip
        squared[w], absolute[w] = np.mean(errors**2), np.mean(np.abs(errors))
    best = {min(score, key=score.get) for score in (mase, squared, absolute)}
    if width not in best:
        yield (
            "`ex3_width` is not the width with the lowest error on the development origins: "
            "score every width by a walk-forward over the last 200 development rows in 4 blocks "
            "(wf.expanding_origins on `development`), never on the test rows"
        )
    verdict = comparison(a, "ex3_verdict")
    if width == a.HALF_WIDTH:
        return  # the same forecaster twice: there is nothing to judge
    origins = [int(o) for o in a.origins]
    truth = np.asarray(a.frame[target], dtype=float)[origins[0] :]
    chosen = _climatology(a.frame, target, origins, len(a.frame), width)
    fixed = _climatology(a.frame, target, origins, len(a.frame), int(a.HALF_WIDTH))
    if not judges(verdict, truth, chosen, fixed):
        yield (
            "`ex3_verdict` is not the paired rule on the test part between the climatology of "
            "`ex3_width` and that of `HALF_WIDTH`: forecast every test block from the rows "
            "before its origin (`origins`) and compare the two with result.compare or "
            "metrics.compare_forecasts"
        )


@exercise(
    "06.4",
    results={
        "ex4_forecasts": "a dict: your forecaster's name -> its forecast of the test days, and "
        "the ridge's (a name with 'ridge' in it) -> the ridge's",
        "ex4_verdict": "the paired rule's verdict, your forecaster against the ridge",
    },
    needs=("result",),
    points=2,
)
def _fairer_fight(a):
    truth = np.asarray(a.result.y_true, dtype=float)[:, 0]  # (N,) the test days
    forecasts = a.ex4_forecasts
    if not isinstance(forecasts, dict) or len(forecasts) != 2:
        raise Hint(
            "`ex4_forecasts` should be a dict with two entries, your forecaster's and the "
            "ridge's, each name -> its forecast of the test days"
        )
    ridge = [name for name in forecasts if "ridge" in str(name).lower()]
    if len(ridge) != 1:
        raise Hint(
            "`ex4_forecasts` should hold one ridge forecast, under a name with 'ridge' in it"
        )
    values = {}
    for name, forecast in forecasts.items():
        values[name] = np.asarray(forecast, dtype=float).reshape(-1)
        if values[name].shape != truth.shape or not np.all(np.isfinite(values[name])):
            raise Hint(
                f"`ex4_forecasts[{name!r}]` should forecast every test day of section 4 "
                "(`result.y_true`), one finite value per day"
            )
    (mine,) = [name for name in forecasts if name != ridge[0]]
    if close(values[mine], np.asarray(a.result.forecasts["LSTM"], dtype=float)[:, 0]):
        yield (
            f"`ex4_forecasts[{mine!r}]` is section 4's LSTM unchanged: the exercise asks you to "
            "give it what it lacks"
        )
    elif close(values[mine], values[ridge[0]]):
        yield (
            f"`ex4_forecasts[{mine!r}]` is the ridge's forecast again: the paired rule would "
            "compare a forecaster with itself; leave your forecaster's forecast there"
        )
    verdict = comparison(a, "ex4_verdict")
    named = set(map(str, verdict.names))
    # the rule's default names ("A", "B") are no wrong answer: the exercise asks for a verdict,
    # not for names, and judges() below recomputes it from the two forecasts either way round
    if named != set(map(str, forecasts)) and tuple(map(str, verdict.names)) != ("A", "B"):
        yield (
            "`ex4_verdict` should name the two forecasters of `ex4_forecasts`: pass "
            "names=tuple(ex4_forecasts) to metrics.compare_forecasts"
        )
    elif not judges(verdict, truth, values[mine], values[ridge[0]]):
        yield (
            "`ex4_verdict` is not the paired rule on the two forecasts of `ex4_forecasts` "
            "against the test days' truth (`result.y_true`): pass them to "
            "metrics.compare_forecasts"
        )
