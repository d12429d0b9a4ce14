"""The licences of the libraries Session Clock runs with, read from their installed metadata.

The frozen build calls ``collect`` with the modules PyInstaller bundled and ships the result as
the resource ``licences.json`` (the frozen app has no package metadata to read). Everywhere else
``bundled_licences`` reads the installed distributions of the modules the running app imported.
Qt-free; the About box shows what this returns.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from importlib import metadata

from sessionclock.core.resources import LICENCES, ResourceMissingError, resource_path

FIRST_PARTY = frozenset({"sessionclock"})
"""Distributions that are Session Clock itself, not a library it bundles."""

_LICENCE_FILE_WORDS = ("LICEN", "COPYING", "NOTICE")
_CLASSIFIER_PREFIX = "License :: "


@dataclass(frozen=True, slots=True)
class Licence:
    """One bundled library and its licence.

    Attributes:
        name: the distribution's name (``PySide6_Essentials``, ``keyring``).
        version: its version.
        licence: an SPDX expression where the library gives one, else its licence's name.
        text: the licence files it ships, one after another (empty if it ships none).
        home: where the project lives (empty if its metadata does not say).
    """

    name: str
    version: str
    licence: str
    text: str
    home: str


def _field(meta: metadata.PackageMetadata, key: str) -> str:
    return str(meta[key] or "").strip() if key in meta else ""


def _licence_name(meta: metadata.PackageMetadata) -> str:
    expression = _field(meta, "License-Expression")
    if expression:
        return expression
    free_text = _field(meta, "License")
    # Some projects paste the whole licence into this field; only a short name is a name.
    if free_text and "\n" not in free_text and len(free_text) <= 100:
        return free_text
    classifiers = [
        c.removeprefix(_CLASSIFIER_PREFIX).removeprefix("OSI Approved :: ")
        for c in meta.get_all("Classifier") or []
        if c.startswith(_CLASSIFIER_PREFIX)
    ]
    return " / ".join(classifiers) or "not stated"


def _licence_text(distribution: metadata.Distribution) -> str:
    texts = []
    for file in sorted(distribution.files or [], key=str):
        in_metadata = file.parts[0].endswith(".dist-info")
        if in_metadata and any(word in file.name.upper() for word in _LICENCE_FILE_WORDS):
            text = file.read_text(encoding="utf-8")
            if text:
                texts.append(text.strip())
    return "\n\n".join(texts)


def _home(meta: metadata.PackageMetadata) -> str:
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "source code", "repository"):
            return str(url).strip()
    return _field(meta, "Home-page")


def describe(name: str) -> Licence:
    """Return the licence of the installed distribution *name*.

    Raises:
        importlib.metadata.PackageNotFoundError: no such distribution is installed.
    """
    distribution = metadata.distribution(name)
    meta = distribution.metadata
    return Licence(
        name=str(meta["Name"]),
        version=distribution.version,
        licence=_licence_name(meta),
        text=_licence_text(distribution),
        home=_home(meta),
    )


def collect(modules: Iterable[str]) -> tuple[Licence, ...]:
    """Return the licences of the distributions that provide *modules*, sorted by name.

    Standard-library modules and Session Clock's own are left out; dotted names count by their
    top-level package.
    """
    providers = metadata.packages_distributions()
    names: set[str] = set()
    for module in modules:
        names.update(providers.get(module.partition(".")[0], ()))
    found = {
        licence.name.lower(): licence
        for licence in (describe(name) for name in names)
        if licence.name.lower() not in FIRST_PARTY
    }
    return tuple(found[key] for key in sorted(found))


def to_json(licences: Iterable[Licence]) -> str:
    """Return *licences* as the JSON the frozen build ships."""
    return json.dumps([asdict(licence) for licence in licences], indent=1, ensure_ascii=False)


def from_json(text: str) -> tuple[Licence, ...]:
    """Return the licences written by ``to_json``.

    Raises:
        ValueError: *text* is not such a list (the message says what is wrong).
    """
    try:
        return tuple(Licence(**entry) for entry in json.loads(text))
    except (TypeError, json.JSONDecodeError) as e:
        raise ValueError(f"not a list of licences: {e}") from e


def bundled_licences() -> tuple[Licence, ...]:
    """Return the licences of the libraries this copy of Session Clock runs with.

    The frozen app reads the list its build wrote; a source checkout or an installed wheel reads
    the installed distributions of every module imported so far.
    """
    try:
        shipped = resource_path(*LICENCES)
    except ResourceMissingError:
        return collect(list(sys.modules))
    return from_json(shipped.read_text(encoding="utf-8"))
