"""The real-world calendar corpora beside the repository: an extra test layer, not a requirement.

``../shared/ics`` (79 feeds from public projects) and ``../shared/peer-ics`` (1,220 test calendars
of 20 projects) are not part of the repository: a fresh clone has neither. Tests that read them
skip with a reason when the folder is absent, and fail instead when ``CI=true``, where CI provides
the folder and the layer must run. The project's own small feeds (``tests/core/feed/feeds``) cover
every quirk on their own.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
"""Where the corpora are looked for: ``shared`` beside the repository."""

MARKER = "corpus"
"""The marker of every test in the corpus layer, with the corpus it reads: ``corpus("ics")``."""


def required() -> bool:
    """Return whether the corpus layer must run (``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def corpus_dir(name: str) -> Path | None:
    """Return ``../shared/<name>`` if it is there, else None."""
    path = SHARED / name
    return path if path.is_dir() else None


def require(name: str) -> Path:
    """Return ``../shared/<name>``; skip the test if it is absent, or fail it under ``CI=true``."""
    path = corpus_dir(name)
    if path is not None:
        return path
    missing = SHARED / name
    if required():
        pytest.fail(f"corpus layer required (CI=true) but {missing} is missing", pytrace=False)
    pytest.skip(f"corpus layer not run: {missing} is not beside the repository")


def corpus_files(name: str, pattern: str = "*.ics") -> list[Path | None]:
    """Return the files of ``../shared/<name>`` for parametrising, sorted.

    When the folder is absent the list holds one ``None``, so that the test runs once and its
    ``require`` call reports the absence (a skip, or a failure under ``CI=true``) instead of
    pytest's silent "empty parameter set".
    """
    path = corpus_dir(name)
    if path is None:
        return [None]
    files: list[Path | None] = [p for p in sorted(path.rglob(pattern)) if p.is_file()]
    return files


def file_id(path: Path | None) -> str:
    """Return a short test id for a corpus file: its folder and name."""
    return "absent" if path is None else f"{path.parent.name}/{path.name}"
