"""Licences of the bundled libraries, read from the installed distributions' metadata."""

from __future__ import annotations

import email.message
import sys
from importlib import metadata
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy

from sessionclock.core import licences, resources
from sessionclock.core.licences import Licence, bundled_licences, collect, from_json, to_json


def test_modules_are_traced_to_their_distributions() -> None:
    found = {entry.name: entry for entry in collect(["keyring.backend", "httpx", "PySide6.QtCore"])}
    assert set(found) == {"keyring", "httpx", "PySide6_Essentials", "PySide6_Addons"}
    assert found["keyring"].version == metadata.version("keyring")
    assert found["keyring"].licence == "MIT"
    assert "Permission is hereby granted" in found["keyring"].text
    assert found["PySide6_Essentials"].licence.startswith("LGPL-3.0-only")
    assert found["httpx"].home.startswith("https://")


def meta(**fields: str | list[str]) -> metadata.PackageMetadata:
    message = email.message.Message()
    for key, value in fields.items():
        for item in [value] if isinstance(value, str) else value:
            message[key.replace("_", "-")] = item
    return cast(metadata.PackageMetadata, message)


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"License_Expression": "MIT", "License": "BSD"}, "MIT"),
        (
            {"License": "BSD-3-Clause", "Classifier": "License :: OSI Approved :: MIT License"},
            "BSD-3-Clause",
        ),
        (
            {
                "License": "Copyright...\nPermission is granted",
                "Classifier": ["License :: OSI Approved :: MIT License", "Topic :: Office"],
            },
            "MIT License",
        ),
        ({"Classifier": "Topic :: Office"}, "not stated"),
    ],
)
def test_the_licence_is_named_by_expression_then_name_then_classifier(
    fields: dict[str, str | list[str]], name: str
) -> None:
    assert licences._licence_name(meta(**fields)) == name


def test_the_standard_library_and_the_app_itself_are_left_out() -> None:
    assert collect(["json", "sqlite3", "sessionclock", "sessionclock.core.countdown"]) == ()


def test_the_json_the_build_ships_reads_back_the_same() -> None:
    entries = collect(["keyring", "cryptography"])
    assert from_json(to_json(entries)) == entries


@pytest.mark.parametrize("text", ["", "{", '{"name": "x"}', '[{"name": "x"}]'])
def test_a_damaged_list_is_refused_clearly(text: str) -> None:
    with pytest.raises(ValueError, match="not a list of licences"):
        from_json(text)


def test_without_a_shipped_list_the_running_modules_are_read() -> None:
    names = {entry.name for entry in bundled_licences()}
    # This module has imported both.
    assert sqlalchemy.__name__ in sys.modules
    assert {"keyring", "SQLAlchemy"} <= names


def test_the_frozen_apps_shipped_list_is_read_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = (Licence("Only", "1.0", "MIT", "text", ""),)
    (tmp_path / "licences.json").write_text(to_json(shipped), encoding="utf-8")
    monkeypatch.setattr(resources, "resource_root", lambda: tmp_path)
    assert licences.bundled_licences() == shipped
