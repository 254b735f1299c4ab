"""Every ``module.name`` a lesson calls on a helpers module exists, so a rename cannot
silently break a lesson; and every helpers module has its own test file.

The names are read from the code cells of ``notebooks/*.ipynb``: the import
lines map each alias (``from helpers import sensitivity as sens``) to its
module, then every attribute read on such an alias (``sens.rank_features``)
is looked up in the imported module. Nothing is executed.
"""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _code(path: Path) -> list[tuple[int, str]]:
    """(cell number, source) of every code cell, IPython magics and shell lines blanked."""
    cells = json.loads(path.read_text())["cells"]
    out = []
    for number, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        lines = "".join(cell["source"]).splitlines()
        out.append((number, "\n".join("" if ln.lstrip()[:1] in "%!" else ln for ln in lines)))
    return out


def _helpers_aliases(trees) -> dict[str, str]:
    """Alias -> module name for every helpers module a notebook imports."""
    aliases = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "helpers" or alias.name.startswith("helpers."):
                        if alias.asname:
                            aliases[alias.asname] = alias.name
                        elif alias.name == "helpers":
                            aliases["helpers"] = "helpers"
            elif isinstance(node, ast.ImportFrom) and node.module == "helpers" and node.level == 0:
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"helpers.{alias.name}"
    return aliases


def _attribute_uses(trees, aliases) -> set[tuple[str, str]]:
    """(alias, attribute) for every attribute read on a helpers alias."""
    used = set()
    for tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and isinstance(node.ctx, ast.Load)
            ):
                used.add((node.value.id, node.attr))
    return used


def _uses(path: Path):
    trees = []
    for number, source in _code(path):
        try:
            trees.append(ast.parse(source))
        except SyntaxError as error:  # pragma: no cover - a lesson that does not parse
            pytest.fail(f"{path.name} cell {number} does not parse: {error}")
    aliases = _helpers_aliases(trees)
    return aliases, _attribute_uses(trees, aliases)


def test_the_reader_finds_aliases_and_attribute_calls():
    source = (
        "import helpers\nfrom helpers import data, sensitivity as sens\n"
        "from helpers import lstm_numpy as ln\nx = sens.rank_features(ln.lstm_cell)\n"
        "data.make_windows(1, 2)\nhelpers.set_seed(0)\nother.thing\n"
    )
    trees = [ast.parse(source)]
    aliases = _helpers_aliases(trees)
    assert aliases == {
        "helpers": "helpers",
        "data": "helpers.data",
        "sens": "helpers.sensitivity",
        "ln": "helpers.lstm_numpy",
    }
    assert _attribute_uses(trees, aliases) == {
        ("sens", "rank_features"),
        ("ln", "lstm_cell"),
        ("data", "make_windows"),
        ("helpers", "set_seed"),
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_helpers_name_a_lesson_uses_exists(path):
    aliases, used = _uses(path)
    missing = []
    for alias, attribute in sorted(used):
        module = importlib.import_module(aliases[alias])
        if not hasattr(module, attribute):
            missing.append(f"{alias}.{attribute} ({aliases[alias]})")
    assert not missing, f"{path.name} uses names that helpers does not have: {missing}"


# Modules whose tests live in a file named for what they do.
TESTED_ELSEWHERE = {"__init__": "test_init.py", "_tf": "test_init.py", "_paths": "test_versions.py"}


def test_every_helpers_module_has_its_own_test_file():
    untested = []
    for module in sorted((ROOT / "helpers").glob("*.py")):
        name = module.stem
        test_file = TESTED_ELSEWHERE.get(name, f"test_{name.lstrip('_')}.py")
        if not (ROOT / "tests" / test_file).is_file():
            untested.append(f"{module.name} (expected tests/{test_file})")
    assert not untested, f"helpers modules without tests: {untested}"
