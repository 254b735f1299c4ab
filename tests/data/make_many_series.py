"""Write tests/data/many_series.csv: a small long-format panel for lesson 10's own-data runs.

Run from the repository root: ``python tests/data/make_many_series.py``. Seeded, so the
file it writes is the file in git. Not the tourism data: 24 made-up regions of monthly
visitors, each a level times a trend times a yearly season times noise, from 2008-01 to
2019-12 (144 months), plus one region with only 40 months, which lesson 10 must name and
leave out (it needs at least WINDOW + 2 x HORIZON = 84 values with its defaults).
"""

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240607
OUT = Path(__file__).resolve().parent / "many_series.csv"


def region(rng, months):
    t = np.arange(months)
    level = rng.uniform(200, 5000)
    growth = rng.normal(0.003, 0.002)  # per month
    peak = rng.integers(12)
    season = 1 + rng.uniform(0.1, 0.6) * np.cos(2 * np.pi * (t - peak) / 12)
    noise = np.exp(rng.normal(0, 0.08, months))
    return np.round(level * np.exp(growth * t) * season * noise, 1)


def main():
    rng = np.random.default_rng(SEED)
    frames = []
    for i in range(24):
        months = pd.period_range("2008-01", periods=144, freq="M")
        frames.append(
            pd.DataFrame(
                {
                    "region": f"R{i + 1:02d}",
                    "month": months.astype(str),
                    "visitors": region(rng, 144),
                }
            )
        )
    short = pd.period_range("2016-09", periods=40, freq="M")
    frames.append(
        pd.DataFrame({"region": "R25", "month": short.astype(str), "visitors": region(rng, 40)})
    )
    pd.concat(frames).to_csv(OUT, index=False)


if __name__ == "__main__":
    main()
