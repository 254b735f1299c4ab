"""How each lesson's claims fared at the further seeds: `python -m tools.seed_report DIR`.

``make test-seeds`` runs every lesson at three seeds besides its stored one
(tests/test_seeds.py); each run leaves ``<lesson>-seed<k>.claims.jsonl`` (one line
per claim, :mod:`helpers.claims`) and ``<lesson>-seed<k>.fits.jsonl`` (one line per
``models.train`` call). This script reads them and writes ``report.md`` beside them:
per lesson, the claims about the method (all must have held, or the test failed),
each claim about one draw with the share of seeds at which it held, and the share of
fits whose early stopping fired.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

_RUN = re.compile(r"^(?P<lesson>\d\d_[\w-]+)-seed(?P<seed>\d+)\.claims\.jsonl$")


def read_runs(folder):
    """``{lesson: {seed: (claims, fits)}}`` from the logs in ``folder``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "03_sine-seed1.claims.jsonl").write_text(
    ...         '{"claim": "x", "kind": "method", "checked": true, "held": true, "value": null}\\n')
    ...     runs = read_runs(d)
    >>> list(runs), list(runs["03_sine"]), runs["03_sine"][1][1]
    (['03_sine'], [1], [])
    """
    runs = defaultdict(dict)
    for path in sorted(Path(folder).glob("*.claims.jsonl")):
        found = _RUN.match(path.name)
        if not found:
            continue
        fits_path = path.with_name(path.name.replace(".claims.", ".fits."))
        runs[found["lesson"]][int(found["seed"])] = (_lines(path), _lines(fits_path))
    return dict(runs)


def _lines(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def report(runs):
    """The markdown report for :func:`read_runs`' result.

    >>> claims = [{"claim": "A beats B", "kind": "method", "checked": True, "held": True,
    ...            "value": 0.01},
    ...           {"claim": "16 units chosen", "kind": "draw", "checked": False, "held": False,
    ...            "value": 8.0}]
    >>> fits = [{"converged": True}, {"converged": False}]
    >>> text = report({"06_tuning": {1: (claims, fits), 2: (claims, fits)}})
    >>> "| `06_tuning` | 1, 2 | 1 claim, held at every seed | 2 of 4 |" in text
    True
    >>> "| `06_tuning` | 16 units chosen | 0 of 2 | 8, 8 |" in text
    True
    """
    lines = [
        "# Claims at the further seeds",
        "",
        "| lesson | seeds | claims about the method | fits whose early stopping fired |",
        "|---|---|---|---|",
    ]
    draws = []
    for lesson, by_seed in sorted(runs.items()):
        seeds = sorted(by_seed)
        method = {r["claim"] for c, _ in by_seed.values() for r in c if r["kind"] == "method"}
        broken = {
            r["claim"]
            for c, _ in by_seed.values()
            for r in c
            if r["kind"] == "method" and not r["held"]
        }
        fits = [f for _, fs in by_seed.values() for f in fs]
        converged = sum(bool(f.get("converged")) for f in fits)
        held = "held at every seed" if not broken else f"FAILED: {sorted(broken)}"
        count = f"{len(method)} claim{'s' if len(method) != 1 else ''}"
        lines.append(
            f"| `{lesson}` | {', '.join(map(str, seeds))} | {count}, {held} | "
            f"{converged} of {len(fits)} |"
        )
        per_claim = defaultdict(list)
        for seed in seeds:
            for record in by_seed[seed][0]:
                if record["kind"] == "draw":
                    per_claim[record["claim"]].append(record)
        for claim, records in per_claim.items():
            values = ", ".join("-" if r["value"] is None else f"{r['value']:.3g}" for r in records)
            times = sum(r["held"] for r in records)
            draws.append(f"| `{lesson}` | {claim} | {times} of {len(records)} | {values} |")
    if draws:
        lines += [
            "",
            "Claims about one run (asserted at the stored seed only): how often they held here.",
            "",
            "| lesson | claim | held | values |",
            "|---|---|---|---|",
            *draws,
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m tools.seed_report FOLDER (make test-seeds writes outputs/seeds)")
        return 2
    folder = Path(argv[0])
    runs = read_runs(folder)
    if not runs:
        print(f"no claims logs in {folder}: run make test-seeds first")
        return 1
    text = report(runs)
    (folder / "report.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
