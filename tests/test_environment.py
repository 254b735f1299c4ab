"""The set-up: pyproject.toml declares, constraints.txt pins, environment.yml and CI use both."""

import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from helpers import versions

ROOT = Path(__file__).resolve().parent.parent


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _environment_pip_lines():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml must have exactly one pip: section"
    return env, pip_sections[0]


def test_environment_yml_installs_the_course_with_the_tested_versions():
    # The requirements are declared once, in pyproject.toml: conda's pip section installs
    # the course itself at the versions in constraints.txt, and repeats no requirement.
    _, pip_lines = _environment_pip_lines()
    assert pip_lines == ["-c constraints.txt", "-e .[dev]"]
    assert (ROOT / "constraints.txt").is_file()


def test_environment_yml_python_is_allowed_by_requires_python():
    env, _ = _environment_pip_lines()
    pythons = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python=")]
    assert pythons == ["python=3.11"]

    assert SpecifierSet(_pyproject()["requires-python"]).contains("3.11.0")


def test_every_declared_requirement_has_an_upper_bound():
    for line in _pyproject()["dependencies"] + _pyproject()["optional-dependencies"]["dev"]:
        req = Requirement(line)
        if versions._normalise(req.name) == "packaging":
            continue  # packaging's API for Requirement/SpecifierSet has been stable for years
        assert any(s.operator in ("<", "<=", "~=", "==") for s in req.specifier), (
            f"{line!r} in pyproject.toml has no upper bound"
        )


@pytest.mark.parametrize(
    "line", _pyproject()["dependencies"] + _pyproject()["optional-dependencies"]["dev"]
)
def test_lock_pins_each_requirement_inside_its_range(line):
    req = Requirement(line)
    tested = versions.tested_versions()
    name = versions._normalise(req.name)
    assert name in tested, (
        f"{req.name} is declared in pyproject.toml but not pinned in constraints.txt"
    )
    assert req.specifier.contains(tested[name], prereleases=True), (
        f"constraints.txt pins {req.name}=={tested[name]}, outside pyproject's {req.specifier}"
    )


def test_lock_pins_exact_versions_only():
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "==" in line and not line.startswith("-e"), f"not an exact pin: {line!r}"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci
    assert "make test" in readme


def test_every_python_the_course_supports_is_tested_in_ci():
    supported = SpecifierSet(_pyproject()["requires-python"])
    assert [
        v for v in ("3.10", "3.11", "3.12", "3.13", "3.14") if supported.contains(v + ".0")
    ] == [
        "3.11",
        "3.12",
        "3.13",
    ]
    ci = (ROOT / ".ci" / "run").read_text()
    python_only = (ROOT / ".ci" / "python-only").read_text()
    assert "make test " in ci or "make test\n" in ci  # 3.11, the Makefile's default
    assert "make test-floors" in ci  # 3.11 at the lowest versions
    assert 'make test-python V=3.12 LESSONS="00_ or 01_"' in ci
    assert ".ci/python-only" in ci and "PYTHON_ONLY_VERSION:-3.13" in python_only


def _python_only_block():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- python-only:start -->", 1)[1].split("<!-- python-only:end -->")[0]
    lines = block.strip().splitlines()
    assert lines[0] == "```bash" and lines[-1] == "```", "the block is one bash fence"
    return [line.split("#", 1)[0].strip() for line in lines[1:-1]]


def test_the_python_only_route_needs_nothing_but_python():
    # What .ci/python-only runs, line by line: no make, no conda, the tested versions.
    commands = [c for c in _python_only_block() if c]
    assert commands[0] == "python -m venv .venv"
    assert 'python -m pip install -c constraints.txt -e ".[dev]"' in commands
    assert commands[-1] == "python -m jupyter lab notebooks"
    assert all(c.startswith(("python ", "source ")) for c in commands), commands


def test_version_report_flags_a_missing_or_out_of_range_package(monkeypatch):
    from importlib import metadata

    real = metadata.version

    def fake_version(name):
        if name == "seaborn":
            raise metadata.PackageNotFoundError(name)
        if name == "keras":
            return "2.15.0"
        return real(name)

    monkeypatch.setattr(versions.metadata, "version", fake_version)
    report = versions.version_report()
    assert report.loc["seaborn", "status"] == "missing"
    assert report.loc["keras", "status"] == "out of range"


def test_readme_names_the_tested_tensorflow_and_keras_versions():
    readme = (ROOT / "README.md").read_text()
    tested = versions.tested_versions()
    assert f"TensorFlow {tested['tensorflow']}" in readme
    assert f"Keras {tested['keras']}" in readme


def test_make_help_lists_every_target():
    import re
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("no make on this machine (the README's Python-only route needs none)")
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*?)(?<!\\)\n", makefile, flags=re.M | re.S).group(1)
    targets = set(phony.replace("\\", " ").split())
    listed = subprocess.run(
        ["make", "-s", "--no-print-directory", "help"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    shown = {line.split()[1] for line in listed.splitlines() if line.startswith("make ")}
    assert shown == targets, f"missing from make help: {targets - shown}; extra: {shown - targets}"
    assert all(len(line.split(None, 2)) == 3 for line in listed.splitlines()), listed
