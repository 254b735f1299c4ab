"""A tiny run of benchmarks/run.py keeps the script working; it times nothing that CI judges."""

import importlib.util
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_bench():
    """benchmarks/run.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_smoke_run_writes_every_ratio(tmp_path):
    bench = _load_bench()
    out = tmp_path / "results.json"
    assert bench.main(["--smoke", "--output", str(out)]) == 0
    results = json.loads(out.read_text())
    for key in (*bench.GOALS, *bench.INFORMATION):
        if key.endswith("_over_kernel_floor"):
            continue  # the smoke run executes no notebooks
        assert math.isfinite(results[key]) and results[key] > 0, key
    assert results["fit_over_train"] == results["fit_over_train"]  # measured, not NaN
    assert results["machine"]["smoke"] is True


def test_tutorial_loop_drops_the_last_window():
    bench = _load_bench()
    import numpy as np

    from helpers import data

    series = np.arange(20.0)
    X_loop, _ = bench.tutorial_windows(series, 5)
    X, _ = data.make_windows(series, 5)
    assert len(X) == len(series) - 5 == len(X_loop) + 1
    np.testing.assert_array_equal(X[:-1, :, 0], X_loop)


def test_readme_table_is_rewritten_between_its_markers(tmp_path):
    bench = _load_bench()
    results = {
        "windows_loop_over_vectorized": 120.0,
        "goals_met": {"windows_loop_over_vectorized": True},
        "machine": {"cpu": "Test CPU", "cores": 2, "python": "3.11.7"},
    }
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{bench.START}\nold table\n{bench.END}\nwhy goals are missed\n")
    bench.write_readme_table(results, readme)
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("why goals are missed\n")
    assert "old table" not in text
    assert "| `windows_loop_over_vectorized` |" in text and "| 120.00 | >= 100 | yes |" in text
    assert "Test CPU" in text


def test_lesson_ratios_split_the_core_lessons_from_the_rest():
    bench = _load_bench()
    seconds = {"00_start": 2.0, "05_five": 10.0, "06_six": 30.0, "09_nine": 8.0}
    ratios = bench.notebook_ratios(seconds, 4.0)
    assert ratios["core_lessons_over_kernel_floor"] == (2.0 + 10.0) / (2 * 4.0)
    assert ratios["notebooks_total_over_kernel_floor"] == 50.0 / (4 * 4.0)
    assert ratios["slowest_lesson"] == "06_six"
    assert ratios["slowest_lesson_over_kernel_floor"] == 30.0 / 4.0
    assert ratios["notebooks_over_kernel_floor"]["09_nine"] == 2.0
    with_10 = bench.notebook_ratios({**seconds, "10_ten": 50.0}, 4.0)
    assert with_10["slowest_lesson"] == "10_ten" and with_10["slowest_lesson_but_10"] == "06_six"
    assert with_10["slowest_lesson_but_10_over_kernel_floor"] == 30.0 / 4.0


def test_converged_share_counts_each_lessons_fits(tmp_path):
    bench = _load_bench()
    log = tmp_path / "fits.jsonl"
    log.write_text('{"converged": true}\n{"converged": false}\n{"converged": true}\n')
    shares = bench.converged_share({"03_x": bench._read_fits(log), "00_y": []})
    assert shares["fits_converged"] == {"03_x": [2, 3], "00_y": [0, 0]}
    assert shares["fits_converged_share"] == 2 / 3
