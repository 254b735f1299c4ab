"""Where the course's checkout is: the one place that works it out.

``helpers`` is installed in development mode (``pip install -e .``), so the
folder above the package is the checkout, holding ``pyproject.toml``,
``datasets/`` and ``notebooks/``. :func:`helpers.versions.project_root` and
:func:`helpers.lesson_data.datasets_folder` both start from :func:`checkout`.
"""

from __future__ import annotations

from pathlib import Path


def checkout() -> Path:
    """The folder above the ``helpers`` package (it may not exist in a plain install).

    Read from ``helpers.__file__`` at each call, so it follows the package
    that is actually imported.

    Examples
    --------
    >>> (checkout() / "helpers" / "_paths.py").is_file()
    True
    """
    import helpers

    return Path(helpers.__file__).resolve().parent.parent
