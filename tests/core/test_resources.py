"""The resource helper finds every data file from a source checkout and from an installed wheel.

The frozen app is the third place: ``tests/packaging/test_frozen_app.py`` checks the built folder
holds the resources where the helper looks, and that the built app shows its icon.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from sessionclock.core import resources
from sessionclock.core.chimes import ChimeKind
from sessionclock.core.resources import (
    ResourceMissingError,
    app_icon_files,
    chime_path,
    resource_path,
    resource_root,
)

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT_RESOURCES = ROOT / "src" / "sessionclock" / "resources"

# Run inside another interpreter: every path the helper gives, as JSON.
REPORT = """
import json, sys
from sessionclock.core.chimes import ChimeKind
from sessionclock.core.resources import app_icon_files, chime_path, resource_root
print(json.dumps({
    "root": str(resource_root()),
    "icons": [str(p) for p in app_icon_files()],
    "chimes": [str(chime_path(kind)) for kind in ChimeKind],
    "prefix": sys.prefix,
}))
"""


def test_a_checkout_finds_the_resources_in_the_source_tree() -> None:
    assert resource_root() == CHECKOUT_RESOURCES


def test_every_icon_and_chime_is_found() -> None:
    icons = app_icon_files()
    assert icons[0].suffix == ".svg"
    assert [p.name for p in icons[1:]] == [
        f"sessionclock-{size}.png" for size in resources.APP_ICON_PNG_SIZES
    ]
    assert all(p.is_file() for p in icons)
    chimes = [chime_path(kind) for kind in ChimeKind]
    assert [p.read_bytes()[:4] for p in chimes] == [b"RIFF"] * len(ChimeKind)


def test_a_missing_file_is_named_in_a_clear_message() -> None:
    with pytest.raises(ResourceMissingError, match=r"icons/nothing\.png is missing"):
        resource_path("icons", "nothing.png")


@pytest.mark.parametrize(
    "parts", [(), ("",), ("..", "pyproject.toml"), ("icons/sessionclock.svg",), (".",)]
)
def test_names_that_leave_the_folder_are_refused(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="not a resource name"):
        resource_path(*parts)


def test_a_folder_is_not_a_resource_file() -> None:
    with pytest.raises(ResourceMissingError):
        resource_path("icons")


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel built from this checkout installed."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = folder.glob("sessionclock-*.whl")
    env = folder / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    install = ["install", "-q", "--no-deps", str(wheel)]
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), *install],
        check=True,
        capture_output=True,
    )
    return python


def test_an_installed_wheel_finds_its_own_copies(wheel_venv: Path, tmp_path: Path) -> None:
    # -I: no PYTHONPATH, no user site, no current folder: only what the wheel installed.
    result = subprocess.run(
        [str(wheel_venv), "-I", "-c", REPORT],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(result.stdout)
    root = Path(found["root"])
    assert root.is_relative_to(Path(found["prefix"]))
    assert not root.is_relative_to(ROOT / "src")
    paths = [Path(p) for p in found["icons"] + found["chimes"]]
    assert len(paths) == 1 + len(resources.APP_ICON_PNG_SIZES) + len(ChimeKind)
    for path in paths:
        assert path.is_relative_to(root)
        original = CHECKOUT_RESOURCES / path.relative_to(root)
        assert path.read_bytes() == original.read_bytes(), path
