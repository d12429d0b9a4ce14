"""The version number is written once, as ``sessionclock.__version__``."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import sessionclock

ROOT = Path(__file__).resolve().parent.parent


def test_the_package_metadata_reads_the_version_from_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "sessionclock.__version__"


def test_the_installed_distribution_has_the_packages_version() -> None:
    assert importlib.metadata.version("sessionclock") == sessionclock.__version__
