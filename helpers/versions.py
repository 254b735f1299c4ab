"""Which versions are installed, and which ones the course was tested with.

The supported ranges live in ``pyproject.toml``; the exact versions CI tested
live in ``constraints.txt`` (what ``make`` installs). Lesson 00 prints this
report so a reader can see at a glance whether their set-up matches the class.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pandas as pd
from packaging.requirements import Requirement

from helpers._paths import checkout

__all__ = ["project_root", "declared_requirements", "tested_versions", "version_report"]


def project_root() -> Path:
    """Return the folder holding ``pyproject.toml`` (the course's checkout).

    Raises
    ------
    FileNotFoundError
        If the package was installed without its checkout (``pip install .``
        rather than ``pip install -e .``).
    """
    root = checkout()
    if not (root / "pyproject.toml").is_file():
        raise FileNotFoundError(
            f"pyproject.toml not found next to the helpers package (looked in {root.name}/); "
            "install the course with `pip install -e .` from its checkout so lessons can find it"
        )
    return root


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_requirements(*, extras: tuple[str, ...] = ("dev",)) -> dict[str, Requirement]:
    """Return the requirements in ``pyproject.toml``, keyed by normalised name.

    Parameters
    ----------
    extras : tuple of str
        Optional-dependency groups to include besides the runtime ones.

    Returns
    -------
    dict of str to packaging.requirements.Requirement

    Examples
    --------
    >>> reqs = declared_requirements()
    >>> "tensorflow" in reqs and "pytest" in reqs
    True
    """
    project = tomllib.loads((project_root() / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project.get("optional-dependencies", {}).get(extra, [])
    return {_normalise(Requirement(line).name): Requirement(line) for line in lines}


def tested_versions() -> dict[str, str]:
    """Return the exact versions in ``constraints.txt``, keyed by normalised name.

    Examples
    --------
    >>> tested = tested_versions()
    >>> tested["keras"].startswith("3.")
    True
    """
    versions = {}
    for line in (project_root() / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            versions[_normalise(name)] = version.strip()
    return versions


def version_report() -> pd.DataFrame:
    """Compare installed versions of the course's direct dependencies with the tested ones.

    Returns
    -------
    pandas.DataFrame
        One row per direct dependency (plus Python), columns ``installed``,
        ``tested``, ``supported`` (the range from pyproject.toml) and
        ``status``: ``"tested"`` (exactly the CI version), ``"in range"``
        (supported but not the tested version), ``"out of range"`` or
        ``"missing"``.
    """
    tested = tested_versions()
    rows = []
    python = ".".join(map(str, sys.version_info[:3]))
    requires = tomllib.loads((project_root() / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    from packaging.specifiers import SpecifierSet

    in_range = SpecifierSet(requires).contains(python)
    rows.append(
        (
            "python",
            python,
            "3.11",
            requires,
            "tested"
            if python.startswith("3.11.")
            else ("in range" if in_range else "out of range"),
        )
    )
    for name, requirement in declared_requirements().items():
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed is None:
            status = "missing"
        elif installed == tested.get(name):
            status = "tested"
        elif requirement.specifier.contains(installed, prereleases=True):
            status = "in range"
        else:
            status = "out of range"
        rows.append((name, installed, tested.get(name), str(requirement.specifier), status))
    return pd.DataFrame(
        rows, columns=["package", "installed", "tested", "supported", "status"]
    ).set_index("package")
