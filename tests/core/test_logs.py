"""Log files rotate, keep to the level asked for, and never hold addresses, tokens or messages."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from sessionclock.core import logs
from sessionclock.core.logs import LogLevel, LogSetup, configure_logging, redact

ADDRESS = "https://clinic.janeapp.com/calendar/42/ical/3f9c2a7be1d04c55.ics"
TOKEN = "sc_4fJ9xQ2mZp7LwT3vB8nK1rY6dH0sA5eC"
CLIENT = "Maya Okafor"


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[LogSetup]:
    configured = configure_logging(LogLevel.INFO, folder=tmp_path / "logs", stream=io.StringIO())
    yield configured
    configured.close()


def written(setup: LogSetup) -> str:
    for handler in setup.handlers:
        handler.flush()
    return setup.file.read_text(encoding="utf-8")


def test_own_lines_at_the_chosen_level_go_to_the_file(setup: LogSetup) -> None:
    log = logging.getLogger("sessionclock.core.sync")
    log.info("calendar synced: %d changes", 3)
    log.debug("not at INFO")
    text = written(setup)
    assert "INFO sessionclock.core.sync: calendar synced: 3 changes" in text
    assert "not at INFO" not in text
    assert setup.file.parent.name == "logs"


@pytest.mark.allow_warning_logs
def test_libraries_write_warnings_only(setup: LogSetup) -> None:
    logging.getLogger("httpx").info("HTTP Request: GET %s", ADDRESS)
    logging.getLogger("httpx").warning("slow answer")
    text = written(setup)
    assert "HTTP Request" not in text
    assert "WARNING httpx: slow answer" in text


@pytest.mark.allow_warning_logs
def test_addresses_tokens_and_e_mail_addresses_are_masked(setup: LogSetup) -> None:
    logging.getLogger("sessionclock.x").warning(
        "fetch of %s for ana@example.org with %s failed", ADDRESS, TOKEN
    )
    text = written(setup)
    assert "fetch of <address> for <e-mail> with <token> failed" in text
    for secret in (ADDRESS, "janeapp", TOKEN, "ana@example.org"):
        assert secret not in text


@pytest.mark.allow_warning_logs
def test_exceptions_are_written_without_their_messages(setup: LogSetup) -> None:
    try:
        raise ValueError(f"{CLIENT} {ADDRESS}")
    except ValueError:
        logging.getLogger("sessionclock.y").exception("could not apply the sync")
    text = written(setup)
    assert "could not apply the sync" in text
    assert "ValueError (message left out)" in text
    assert "test_exceptions_are_written_without_their_messages" in text
    assert CLIENT not in text
    assert "janeapp" not in text


def test_files_rotate_and_only_a_few_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    configured = configure_logging(LogLevel.DEBUG, folder=tmp_path, stream=None)
    try:
        for number in range(400):
            logging.getLogger("sessionclock.z").debug("line %04d of the log", number)
    finally:
        configured.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [logs.LOG_FILE] + [f"{logs.LOG_FILE}.{n}" for n in range(1, logs.BACKUPS + 1)]
    assert all(p.stat().st_size <= 2_100 for p in tmp_path.iterdir())
    assert "line 0399" in (tmp_path / logs.LOG_FILE).read_text(encoding="utf-8")


def test_close_puts_logging_back_as_it_was(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level, logging.getLogger("sessionclock").level)
    configure_logging(LogLevel.DEBUG, folder=tmp_path, stream=None).close()
    assert (list(root.handlers), root.level, logging.getLogger("sessionclock").level) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("webcal://p42-caldav.icloud.com/published/2/abc", "<address>"),
        ("see http://x.test/a?b=c now", "see <address> now"),
        ("module sessionclock.core.sync line 12", "module sessionclock.core.sync line 12"),
        ("/home/ana/.local/state/SessionClock/log", "/home/ana/.local/state/SessionClock/log"),
    ],
)
def test_redact_masks_what_it_must_and_keeps_the_rest(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_levels_map_to_logging_numbers() -> None:
    assert [level.number for level in LogLevel] == [logging.DEBUG, logging.INFO, logging.WARNING]


def test_the_default_folder_is_the_platforms_log_folder() -> None:
    folder = logs.default_log_folder()
    assert "SessionClock" in folder.parts
