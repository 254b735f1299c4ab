"""The course's tooling: what ``make`` runs, beside the library but not part of it.

Run from the repository root (``python -m tools.<module>``); ``tools`` is not
installed with ``helpers`` and no lesson imports it.

- :mod:`tools.execute`: re-execute notebooks in place (``make notebooks``), and the
  one notebook runner the benchmarks use;
- :mod:`tools.editions`: the student edition without solutions (``make student``)
  and the offline website (``make site``);
- :mod:`tools.own_data`: run the own-data lessons on a reader's CSV with papermill
  (``make own-data``).
"""
