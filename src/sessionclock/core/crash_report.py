"""What an unexpected error says about itself, with nothing about clients in it.

An exception's message can hold anything its code had at hand: a client's name, the calendar
address, a row of the database. So a report keeps only what locates the fault: the exception's
type, and for each frame its file (relative to where Python found it, so no home folder and no
user name), line and function. Messages, local values and source lines are left out. The same
formatting serves the crash dialog's "Copy report" and the log file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from types import TracebackType

_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"


@dataclass(frozen=True, slots=True)
class Runtime:
    """Where the error happened: versions and platform, for the report's first lines.

    Attributes:
        app_version: Session Clock's version.
        qt_version: the Qt library's version (empty where Qt is not loaded).
        pyside_version: PySide6's version (empty where Qt is not loaded).
        platform: the operating system and machine, e.g. ``Windows-11-10.0.22631-SP0``.
        python_version: the interpreter's version.
        frozen: True for the built app, False when run from Python.
    """

    app_version: str
    qt_version: str
    pyside_version: str
    platform: str
    python_version: str
    frozen: bool


def short_path(filename: str) -> str:
    """Return *filename* relative to the import path it was found on, or its bare name.

    ``/home/ana/clinic/.venv/lib/python3.11/site-packages/sessionclock/app.py`` becomes
    ``sessionclock/app.py``: the report says which module, never whose home folder.
    """
    path = os.path.normpath(filename)
    roots = sorted((os.path.normpath(p) for p in sys.path if p), key=len, reverse=True)
    for root in roots:
        if path.startswith(root + os.sep):
            return PurePath(os.path.relpath(path, root)).as_posix()
    if not os.path.isabs(path):
        return PurePath(path).as_posix()
    return PurePath(path).name


def _type_name(error: BaseException) -> str:
    kind = type(error)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _frames(tb: TracebackType | None) -> Iterator[str]:
    while tb is not None:
        code = tb.tb_frame.f_code
        yield f'  File "{short_path(code.co_filename)}", line {tb.tb_lineno}, in {code.co_name}'
        tb = tb.tb_next


def format_exception(error: BaseException) -> list[str]:
    """Return the traceback of *error* and its causes: types, files, lines and functions only."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    lines: list[str] = []
    for number, (item, _) in enumerate(reversed(chain)):
        if number:
            # The link stored with the later exception names how the earlier one led to it.
            lines += ["", chain[len(chain) - number][1], ""]
        lines.append("Traceback (most recent call last):")
        lines += _frames(item.__traceback__)
        lines.append(f"{_type_name(item)} (message left out)")
    return lines


def crash_report(error: BaseException, runtime: Runtime, *, thread: str = "") -> str:
    """Return the report of an unexpected *error*, ready to paste into a support request."""
    build = "built app" if runtime.frozen else "from Python"
    lines = [
        f"Session Clock {runtime.app_version} ({build})",
        f"Platform: {runtime.platform}",
        f"Python: {runtime.python_version}",
        f"Qt: {runtime.qt_version or 'not loaded'}, PySide6: {runtime.pyside_version or '-'}",
    ]
    if thread:
        lines.append(f"Thread: {thread}")
    lines += ["", *format_exception(error)]
    return "\n".join(lines) + "\n"
