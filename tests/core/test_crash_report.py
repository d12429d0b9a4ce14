"""Crash reports locate the fault and say nothing about clients."""

from __future__ import annotations

import sys
import traceback

import pytest

from sessionclock.core.crash_report import Runtime, crash_report, format_exception, short_path

RUNTIME = Runtime(
    app_version="1.2.3",
    qt_version="6.11.3",
    pyside_version="6.11.3",
    platform="Windows-11-10.0.22631-SP0",
    python_version="3.11.9",
    frozen=True,
)
CLIENT = "Maya Okafor"
ADDRESS = "https://clinic.janeapp.com/calendar/42/ical/3f9c2a7be1d04c55.ics"


def fail_with_client_data() -> None:
    name = CLIENT  # a local value that must not appear
    raise KeyError(f"{name} at {ADDRESS}")


def caught(function: object) -> BaseException:
    assert callable(function)
    try:
        function()
    except Exception as e:
        return e
    pytest.fail("nothing was raised")


def test_the_report_names_versions_platform_and_where_it_failed() -> None:
    report = crash_report(caught(fail_with_client_data), RUNTIME, thread="MainThread")
    lines = report.splitlines()
    assert lines[:5] == [
        "Session Clock 1.2.3 (built app)",
        "Platform: Windows-11-10.0.22631-SP0",
        "Python: 3.11.9",
        "Qt: 6.11.3, PySide6: 6.11.3",
        "Thread: MainThread",
    ]
    assert "Traceback (most recent call last):" in lines
    assert any(
        line.startswith('  File "tests/core/test_crash_report.py", line ')
        and line.endswith(", in fail_with_client_data")
        for line in lines
    )
    assert lines[-1] == "KeyError (message left out)"


def test_messages_local_values_and_source_lines_are_left_out() -> None:
    error = caught(fail_with_client_data)
    # What Python itself would print holds the client data ...
    assert CLIENT in "".join(traceback.format_exception(error))
    report = crash_report(error, RUNTIME)
    # ... the report does not, nor the code that held it.
    for secret in (CLIENT, "Maya", "Okafor", ADDRESS, "janeapp", "name = CLIENT"):
        assert secret not in report


def test_causes_and_contexts_are_followed_in_python_order() -> None:
    def chained() -> None:
        try:
            try:
                raise ValueError(CLIENT)
            except ValueError as first:
                raise LookupError(CLIENT) from first
        except LookupError:
            raise RuntimeError(ADDRESS)  # noqa: B904 (the implicit context is what is tested)

    lines = format_exception(caught(chained))
    kinds = [line for line in lines if line.endswith("(message left out)")]
    assert kinds == [
        "ValueError (message left out)",
        "LookupError (message left out)",
        "RuntimeError (message left out)",
    ]
    links = [line for line in lines if line.startswith(("The above", "During handling"))]
    assert links == [
        "The above exception was the direct cause of the following exception:",
        "During handling of the above exception, another exception occurred:",
    ]
    assert CLIENT not in "\n".join(lines)


def test_project_exceptions_are_named_with_their_module() -> None:
    from sessionclock.core.errors import FeedNetworkError

    def fail() -> None:
        raise FeedNetworkError(ADDRESS)

    assert format_exception(caught(fail))[-1] == (
        "sessionclock.core.errors.FeedNetworkError (message left out)"
    )


def test_paths_lose_the_folders_above_the_import_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", ["/home/ana/clinic/.venv/lib/python3.11/site-packages"])
    site = "/home/ana/clinic/.venv/lib/python3.11/site-packages/sessionclock/app.py"
    assert short_path(site) == "sessionclock/app.py"
    assert short_path("/home/ana/secret/notes.py") == "notes.py"
    # The frozen app's modules carry paths relative to the bundle already.
    assert short_path("sessionclock/ui/tray.py") == "sessionclock/ui/tray.py"


def test_from_python_and_without_qt_are_said_plainly() -> None:
    runtime = Runtime("1.0", "", "", "Linux-6.1-x86_64", "3.11.2", frozen=False)
    report = crash_report(caught(fail_with_client_data), runtime)
    assert report.startswith("Session Clock 1.0 (from Python)\n")
    assert "Qt: not loaded, PySide6: -" in report
    assert "Thread:" not in report
