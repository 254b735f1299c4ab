"""Checks for lesson 03's exercises (the sine-wave forecaster)."""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import (
    Hint,
    array,
    as_number,
    close,
    comparison,
    exercise,
    judges,
    number,
)


@exercise(
    "03.1",
    results={
        "ex1_naive_rmse": "the naive forecast's RMSE on the test part",
        "ex1_seasonal_rmse": "the seasonal naive forecast's RMSE on the test part",
    },
    needs=("scores",),
)
def _baselines_by_hand(a):
    naive, seasonal = number(a, "ex1_naive_rmse"), number(a, "ex1_seasonal_rmse")
    if not close(naive, a.scores.loc["naive", "RMSE"]):
        yield (
            "`ex1_naive_rmse` is not the naive forecast's test RMSE: forecast each test value "
            "by the value just before it, and average over the test points only"
        )
    if not close(seasonal, a.scores.loc["seasonal naive", "RMSE"]):
        yield (
            "`ex1_seasonal_rmse` is not the seasonal naive forecast's test RMSE: forecast each "
            "test value by the value one period (SEASONAL_PERIOD) before it"
        )


@exercise(
    "03.2",
    results={
        "ex2_linear_forecast": "the least-squares forecast of every test point, series' units",
        "ex2_verdict": "the paired rule's verdict, linear model against the LSTM",
    },
    needs=("truth", "lstm_one", "X_train", "y_train", "X_test", "scaled"),
)
def _linear_model(a):
    forecast = array(a, "ex2_linear_forecast", shape=np.shape(a.truth))
    design_train = np.column_stack([np.ones(len(a.X_train)), a.X_train[:, :, 0]])
    beta, *_ = np.linalg.lstsq(design_train, a.y_train[:, 0], rcond=None)
    design_test = np.column_stack([np.ones(len(a.X_test)), a.X_test[:, :, 0]])
    if not close(forecast, a.scaled.inverse(design_test @ beta), rtol=1e-4, atol=1e-4):
        yield (
            "`ex2_linear_forecast` is not the least-squares fit's forecast: fit an intercept "
            "and one weight per window step on the training windows, forecast the test "
            "windows, and undo the scaling"
        )
    verdict = comparison(a, "ex2_verdict")
    if not judges(verdict, a.truth, forecast, a.lstm_one):
        yield (
            "`ex2_verdict` is not the paired rule on the linear forecast and `lstm_one`: pass "
            "`truth` and the two forecasts to metrics.compare_forecasts"
        )


@exercise(
    "03.3",
    results={
        "ex3_best_k": "the number of periods K chosen on the validation part",
        "ex3_forecast": "the seasonal mean of K periods for every test point",
        "ex3_verdict": "the paired rule's verdict, seasonal mean against the LSTM",
    },
    needs=("series", "n_train", "n_val", "SEASONAL_PERIOD", "truth", "lstm_one"),
)
def _seasonal_mean(a):
    series, period = np.asarray(a.series, dtype=float), a.SEASONAL_PERIOD

    def seasonal_mean(rows, k):
        return np.mean([series[rows - j * period] for j in range(1, k + 1)], axis=0)

    validation = np.arange(a.n_train, a.n_train + a.n_val)
    rmse = {
        k: np.sqrt(np.mean((series[validation] - seasonal_mean(validation, k)) ** 2))
        for k in range(1, a.n_train // period + 1)
    }
    k = number(a, "ex3_best_k")
    if k not in rmse:
        raise Hint(
            f"`ex3_best_k` should be a whole number of periods from 1 to {max(rmse)}: "
            "K periods back must lie inside the series at the first validation point"
        )
    if k != min(rmse, key=rmse.get):
        yield (
            "`ex3_best_k` is not the K with the lowest RMSE on the validation part: try every "
            "K the past allows and score each on the validation points only"
        )
    forecast = array(a, "ex3_forecast", shape=np.shape(a.truth))
    test = np.arange(a.n_train + a.n_val, len(series))
    if not close(forecast, seasonal_mean(test, int(k))):
        yield (
            "`ex3_forecast` is not the seasonal mean of `ex3_best_k` periods at the test "
            "points: average the values 1, 2, ..., K periods before each test point"
        )
    if not judges(comparison(a, "ex3_verdict"), a.truth, forecast, a.lstm_one):
        yield (
            "`ex3_verdict` is not the paired rule on `ex3_forecast` and `lstm_one` against `truth`"
        )


@exercise(
    "03.4",
    results={
        "ex4_rmse": "a dict: each forecaster's name -> its RMSE on the same test points",
        "ex4_verdict": "the paired rule's verdict, your forecaster against the naive forecast",
    },
    needs=("series", "SEED", "SEASONAL_PERIOD", "NOISE"),
    points=2,
)
def _drift(a):
    rmse = a.ex4_rmse
    if not isinstance(rmse, dict) or len(rmse) < 2:
        raise Hint(
            "`ex4_rmse` should be a dict with one RMSE per forecaster, the naive one included"
        )
    naive = [name for name in rmse if "naive" in str(name).lower()]
    if not naive:
        raise Hint("`ex4_rmse` has no entry for the naive forecast (a name with 'naive' in it)")
    values = {str(name): as_number(v, f"`ex4_rmse[{name!r}]`") for name, v in rmse.items()}
    if min(values.values()) <= 0:
        yield "`ex4_rmse` holds an RMSE that is not positive"
    verdict = comparison(a, "ex4_verdict")
    if not any("naive" in str(name).lower() for name in verdict.names):
        raise Hint(
            "`ex4_verdict` should compare your forecaster with the naive forecast: give the "
            "naive forecast a name with 'naive' in it (names=(..., 'naive'))"
        )
    # Tie both to the drifting series: the naive RMSE over the verdict's test points (the last
    # verdict.n points of the 200), from the lesson's sine (regenerated, or `series` itself).
    from helpers import data

    sines = [data.noisy_sine(200, period=a.SEASONAL_PERIOD, noise=a.NOISE, seed=a.SEED)]
    if np.shape(a.series) == (200,):
        sines.append(np.asarray(a.series, dtype=float))
    n = int(verdict.n)
    naive_mse = [
        float(np.mean(np.diff(sine + 0.02 * np.arange(200))[-n:] ** 2)) if 0 < n < 200 else np.nan
        for sine in sines
    ]
    matched = [  # the entry that is the naive RMSE (a forecaster of yours may say "naive" too)
        str(name)
        for name in naive
        if any(np.isclose(values[str(name)], np.sqrt(mse), rtol=1e-6) for mse in naive_mse)
    ]
    if not matched:
        raise Hint(
            "`ex4_rmse`'s naive entry is not the naive forecast's RMSE on the drifting series "
            "(the lesson's sine plus 0.02 t) over the test points `ex4_verdict` judges: its "
            "last `ex4_verdict.n` points, each forecast by the value before it"
        )
    names = [str(name) for name in verdict.names]
    naive_side = [name for name in names if name in matched]
    if len(naive_side) != 1:  # the verdict names the naive forecast otherwise than ex4_rmse
        naive_side = [name for name in names if "naive" in name.lower()]
    yours = [name for name in names if name not in naive_side]
    if verdict.winner is None or str(verdict.winner) in naive_side:
        yield (
            "by `ex4_verdict` your forecaster does not beat the naive forecast yet: the "
            "exercise asks for one that does (think about what the drift does to the levels "
            "the network sees)"
        )
    naive_rmse = values[matched[0]]
    if len(yours) == 1 and yours[0] in values:
        if str(verdict.winner) == yours[0] and values[yours[0]] >= naive_rmse:
            yield (
                "`ex4_rmse` and `ex4_verdict` disagree: the winner's RMSE is not below the naive's"
            )
        # mean_loss_difference = MSE(A) - MSE(B): |MSE(yours) - MSE(naive)| either way round
        gap = values[yours[0]] ** 2 - naive_rmse**2
        if verdict.loss == "squared" and not np.isclose(
            abs(gap), abs(verdict.mean_loss_difference), rtol=1e-4, atol=1e-9
        ):
            yield (
                f"`ex4_verdict` does not judge the forecast whose RMSE is `ex4_rmse[{yours[0]!r}]` "
                "against the naive one on the same points: pass the drifting series' test "
                "values and the two forecasts to metrics.compare_forecasts"
            )
