"""Import TensorFlow without its start-up log lines.

TensorFlow 2.21 writes a few C++ log lines (oneDNN, missing CUDA drivers, CPU
instructions) while it loads, before it reads ``TF_CPP_MIN_LOG_LEVEL`` if that
variable was set from inside Python. The Makefile exports the variable so
kernels started by ``make`` are quiet anyway; this function keeps the lines
out of a notebook started any other way. Only lines that look like TensorFlow's
own informational log are dropped; anything else written during the import is
passed on to ``sys.stderr``.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

_NOISE = re.compile(
    r"^(?:[IW]\d{4} .*"  # absl-style info / warning lines
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called.*"
    r"|To enable the following instructions:.*"
    r"|\d{4}-\d\d-\d\d [\d:.]+: [IW] .*)$"  # older TensorFlow log format
)


def without_start_up_noise(text: str) -> str:
    r"""``text`` without TensorFlow's informational start-up lines (and blank lines).

    Examples
    --------
    >>> without_start_up_noise(
    ...     "I0000 00:00:1795429825.592643    2175 cudart_stub.cc:31] Could not find cuda drivers\n"
    ...     "E0000 00:00:1795429825.592643    2175 something.cc:31] a real error\n"
    ... )
    'E0000 00:00:1795429825.592643    2175 something.cc:31] a real error'
    """
    return "\n".join(line for line in text.splitlines() if line.strip() and not _NOISE.match(line))


def import_tensorflow():
    """Return the ``tensorflow`` module, imported with its start-up chatter filtered out.

    If ``TF_CPP_MIN_LOG_LEVEL`` is ``"0"`` (the reader asked for every log),
    nothing is filtered.
    """
    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0") == "0":
        import tensorflow

        return tensorflow
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode("utf-8", errors="replace")
    kept = without_start_up_noise(text)
    if kept:
        print(kept, file=sys.stderr)
    return tensorflow
