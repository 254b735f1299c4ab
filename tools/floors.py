"""Print a pip constraints file that pins every direct dependency to its lower bound.

``pyproject.toml`` promises ranges such as ``numpy>=1.26,<3``; CI tests the
newest versions (``constraints.txt``) and, with this file, the oldest ones::

    python tools/floors.py > floors.txt
    python -m pip install -c floors.txt -e ".[dev]"

Each requirement of ``[project] dependencies`` and of the chosen extras (``dev``
unless told otherwise) becomes ``name==floor``, where the floor is the version
of its ``>=`` (or ``==``, ``~=``, ``===``) clause. Only the direct dependencies
are pinned: pip chooses versions of the transitive ones that fit the floors.
Extras are dropped (pip refuses them in a constraints file); an environment
marker is kept, so a pin applies where its requirement does.

A requirement without an inclusive lower bound (``numpy``, ``numpy<3``,
``numpy>1.26``) is refused: there is no single version to test, so the script
exits with status 2 and names the requirement rather than guessing. A floor
that was never released (``tensorflow>=2.16``: the first 2.16 on PyPI is
2.16.1) is not caught here but by the install, which then finds no version:
declare the first real release.

Examples
--------
>>> floor_pin("tensorflow>=2.16.1,<3")
'tensorflow==2.16.1'
>>> floor_pin("Pillow[jpeg] >= 10.1 ; python_version < '3.13'")
'pillow==10.1; python_version < "3.13"'
>>> try:
...     floor_pin("numpy<3")
... except NoFloorError as error:
...     print(error)
'numpy<3' has no lower bound: write 'numpy>=X,...' so its oldest release can be tested
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

__all__ = ["NoFloorError", "floor_pin", "floor_pins", "main"]

# Clauses whose version is the oldest one the requirement allows.
_INCLUSIVE_LOWER = (">=", "==", "~=", "===")


class NoFloorError(ValueError):
    """A requirement allows no single oldest version to pin."""


def _normalise(name: str) -> str:
    """Return ``name`` as PEP 503 spells it (``PyYAML`` -> ``pyyaml``).

    >>> _normalise("jupyter_server.Mathjax")
    'jupyter-server-mathjax'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def floor_pin(line: str) -> str:
    """Return the constraint ``name==floor`` for one requirement string.

    The floor is the highest version among the requirement's inclusive lower
    clauses (``>=1.2,>=1.4`` -> ``1.4``) and must itself be allowed by the whole
    specifier (``>=1.0,!=1.0`` is refused: its oldest release is not knowable
    from the text).

    Raises
    ------
    NoFloorError
        If the requirement has no inclusive lower bound, a wildcard ``==1.*``,
        or a floor its own specifier excludes.

    Examples
    --------
    >>> floor_pin("lime>=0.2.0.1,<0.3")
    'lime==0.2.0.1'
    >>> floor_pin("ruff~=0.6.2")
    'ruff==0.6.2'
    >>> try:
    ...     floor_pin("keras>3.2,<4")
    ... except NoFloorError as error:
    ...     print(error)
    'keras>3.2,<4' has no lower bound: write 'keras>=X,...' so its oldest release can be tested
    """
    try:
        req = Requirement(line)
    except InvalidRequirement as error:
        raise NoFloorError(f"{line!r} is not a valid requirement: {error}") from None
    if req.url:
        raise NoFloorError(f"{line!r} names a URL, not a version range")
    floors = []
    for clause in req.specifier:
        if clause.operator not in _INCLUSIVE_LOWER:
            continue
        if clause.version.endswith(".*"):
            raise NoFloorError(f"{line!r}: a wildcard {clause} has no single floor; use >=")
        try:
            floors.append((Version(clause.version), clause.version))
        except InvalidVersion:  # '===' allows arbitrary strings
            raise NoFloorError(f"{line!r}: {clause.version!r} is not a version") from None
    if not floors:
        raise NoFloorError(
            f"{line!r} has no lower bound: write '{req.name}>=X,...' "
            "so its oldest release can be tested"
        )
    floor = max(floors)[1]
    if not req.specifier.contains(floor, prereleases=True):
        raise NoFloorError(f"{line!r} excludes its own lower bound {floor}")
    pin = f"{_normalise(req.name)}=={floor}"
    return f"{pin}; {req.marker}" if req.marker else pin


def floor_pins(pyproject: Path, extras: list[str]) -> list[str]:
    """Return one ``name==floor`` line per requirement, runtime first, then each extra.

    Raises
    ------
    NoFloorError
        For every requirement without a floor at once (one message per line),
        or for an extra that ``pyproject.toml`` does not define.
    KeyError
        If the file has no ``[project]`` table.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    unknown = [extra for extra in extras if extra not in optional]
    if unknown:
        raise NoFloorError(
            f"{pyproject} defines no extra {', '.join(unknown)} (it has: {', '.join(optional)})"
        )
    lines = list(project.get("dependencies", []))
    for extra in extras:
        lines += optional[extra]
    pins, errors = [], []
    for line in lines:
        try:
            pin = floor_pin(line)
        except NoFloorError as error:
            errors.append(str(error))
            continue
        if pin not in pins:  # the same requirement in runtime and an extra
            pins.append(pin)
    if errors:
        raise NoFloorError("\n".join(errors))
    unmarked = [pin.split("==")[0] for pin in pins if ";" not in pin]
    twice = sorted({name for name in unmarked if unmarked.count(name) > 1})
    if twice:
        raise NoFloorError(f"two different floors for {', '.join(twice)}; declare each once")
    return pins


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python tools/floors.py [PYPROJECT] [--extra NAME ...] [-o FILE]``."""
    parser = argparse.ArgumentParser(
        description="Print pip constraints pinning each direct dependency to its lower bound.",
    )
    parser.add_argument(
        "pyproject",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "pyproject.toml",
        help="the pyproject.toml to read (default: the checkout's)",
    )
    parser.add_argument(
        "--extra",
        action="append",
        dest="extras",
        metavar="NAME",
        help="optional-dependency group to include, repeatable (default: dev)",
    )
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    extras = ["dev"] if args.extras is None else args.extras
    try:
        pins = floor_pins(args.pyproject, extras)
    except NoFloorError as error:
        print(f"floors: {error}", file=sys.stderr)
        return 2
    groups = " + ".join(["dependencies", *extras])
    text = (
        f"# Lower bounds of {args.pyproject.name} ({groups}), written by tools/floors.py.\n"
        '# Use: pip install -c THIS_FILE -e ".[dev]"; pip picks the transitive versions.\n'
        + "".join(pin + "\n" for pin in pins)
    )
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
