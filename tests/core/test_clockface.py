"""The clock face's words per phase, including what room mode hides."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sessionclock.core.clockface import FaceText, face_text
from sessionclock.core.countdown import clock_state
from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings

TZ = ZoneInfo("Europe/Paris")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, 4, hour, minute, tzinfo=TZ)


DAY = (
    Session("Camille Martin", at(9), at(10), id=1),
    Session("Hugo Bernard Petit", at(10, 15), at(11), id=2),
)


def face(now: datetime, sessions: tuple[Session, ...] = DAY, **options: bool) -> FaceText:
    state = clock_state(sessions, now=now, settings=ClockSettings())
    return face_text(state, tz=TZ, **options)


def test_before_first_names_the_first_client() -> None:
    text = face(at(8, 30))
    assert (text.label, text.name, text.digits, text.detail) == (
        "First session in",
        "Camille Martin",
        "30:00",
        "Camille Martin at 09:00",
    )


def test_hands_on_names_the_current_and_next_client() -> None:
    text = face(at(9, 30))
    assert text.label == "Hands-on time left"
    assert text.name == "Camille Martin"
    assert text.detail == "Next: Hugo Bernard Petit at 10:15"
    assert text.spoken == "Hands-on time left: 25 min"


def test_room_mode_shows_next_client_by_initials_and_current_by_first_name() -> None:
    text = face(at(9, 30), initials_only=True)
    assert text.name == "Camille"
    assert text.detail == "Next: H.B.P. at 10:15"
    assert "Hugo" not in repr(text)
    turnover = face(at(10, 5), initials_only=True)
    assert turnover.name == "H.B.P."


def test_last_session_and_day_done() -> None:
    assert face(at(10, 30)).detail == "Last session today"
    done = face(at(12))
    assert (done.label, done.digits, done.name) == ("Day done", "Done", "")


def test_twelve_hour_clock() -> None:
    assert face(at(9, 30), use_24h=False).detail == "Next: Hugo Bernard Petit at 10:15 AM"
