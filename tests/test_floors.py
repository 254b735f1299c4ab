"""tools/floors.py: the constraints file that pins every direct dependency to its lower bound."""

import doctest
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_floors():
    spec = importlib.util.spec_from_file_location("floors", ROOT / "tools" / "floors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floors = _load_floors()


def test_its_examples_hold():
    result = doctest.testmod(floors)
    assert result.attempted >= 5 and result.failed == 0


def test_every_declared_requirement_gets_its_own_lower_bound(tmp_path):
    out = tmp_path / "floors.txt"
    assert floors.main([str(ROOT / "pyproject.toml"), "-o", str(out)]) == 0
    pins = [line for line in out.read_text().splitlines() if line and not line.startswith("#")]
    from helpers import versions

    declared = versions.declared_requirements()
    assert sorted(pin.split("==")[0] for pin in pins) == sorted(declared)
    for pin in pins:
        name, floor = pin.split("==")
        assert declared[name].specifier.contains(floor, prereleases=True), pin


@pytest.mark.parametrize(
    ("line", "pin"),
    [
        ("numpy>=1.26,<3", "numpy==1.26"),
        ("PyYAML>=6,<7", "pyyaml==6"),
        ("pkg>=1.0,>=1.4,<2", "pkg==1.4"),
        ("pkg==2.1", "pkg==2.1"),
        ("pkg[extra]>=3 ; sys_platform == 'win32'", 'pkg==3; sys_platform == "win32"'),
    ],
)
def test_a_floor_is_the_highest_inclusive_lower_clause(line, pin):
    assert floors.floor_pin(line) == pin


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("numpy", "no lower bound"),
        ("numpy<3", "no lower bound"),
        ("numpy>1.26,<3", "no lower bound"),
        ("numpy>=1.26,!=1.26", "excludes its own lower bound"),
        ("numpy==1.*", "wildcard"),
        ("numpy @ https://example.org/numpy.whl", "URL"),
    ],
)
def test_a_requirement_without_a_floor_is_refused(line, message):
    with pytest.raises(floors.NoFloorError, match=message):
        floors.floor_pin(line)


@pytest.mark.slow  # starts a child Python, as every test marked slow does
def test_the_command_line_names_every_requirement_it_refuses(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\ndependencies = ["a>=1", "b<2", "c"]\n'
        '[project.optional-dependencies]\ndev = ["d>=0.1"]\n'
    )
    script = ROOT / "tools" / "floors.py"
    refused = subprocess.run(
        [sys.executable, str(script), str(pyproject)], capture_output=True, text=True
    )
    assert refused.returncode == 2 and refused.stdout == ""
    assert "'b<2' has no lower bound" in refused.stderr
    assert "'c' has no lower bound" in refused.stderr
    pyproject.write_text(pyproject.read_text().replace('"b<2", "c"', '"b>=2"'))
    ok = subprocess.run(
        [sys.executable, str(script), str(pyproject)], capture_output=True, text=True
    )
    assert ok.returncode == 0
    assert [line for line in ok.stdout.splitlines() if not line.startswith("#")] == [
        "a==1",
        "b==2",
        "d==0.1",
    ]
    unknown = subprocess.run(
        [sys.executable, str(script), str(pyproject), "--extra", "docs"],
        capture_output=True,
        text=True,
    )
    assert unknown.returncode == 2 and "no extra docs" in unknown.stderr
