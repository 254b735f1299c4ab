"""helpers.versions and helpers._paths: the checkout is found once, in one function.

(The version report itself is checked in test_environment.py.)
"""

from pathlib import Path

import pytest

import helpers
from helpers import _paths, data, versions


def test_project_root_and_datasets_folder_start_from_one_checkout():
    root = _paths.checkout()
    assert versions.project_root() == root
    assert data.datasets_folder() == root / "datasets"
    assert (root / "pyproject.toml").is_file()
    assert Path(helpers.__file__).resolve().is_relative_to(root)


def test_a_package_without_its_checkout_is_named_in_both_errors(monkeypatch, tmp_path):
    monkeypatch.setattr(helpers, "__file__", str(tmp_path / "helpers" / "__init__.py"))
    assert _paths.checkout() == tmp_path
    with pytest.raises(FileNotFoundError, match="pyproject.toml not found.*pip install -e"):
        versions.project_root()
    with pytest.raises(FileNotFoundError, match="datasets/ folder was not found.*pip install -e"):
        data.datasets_folder()


def test_tested_versions_are_exact_pins_of_declared_requirements():
    tested = versions.tested_versions()
    declared = versions.declared_requirements()
    assert "tensorflow" in tested and "tensorflow" in declared
    for name, version in tested.items():
        assert version and "=" not in version and " " not in version, name
