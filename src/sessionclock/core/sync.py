"""Compare what the calendar feed says with what is stored, before anything is written.

A sync is planned, shown, and only then applied. Sessions are matched on name and time (no UID is
ever stored): the same name at the same time is unchanged, the same name at another time has
moved, a name the store does not have is new, and a calendar session inside the import window
that the feed no longer has was removed. Manual sessions are never moved or removed by a sync; a
feed event identical to a manual session is taken as already there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TypeVar

from sessionclock.core.feed.importer import ImportedSession, ImportResult, SkippedEvent
from sessionclock.core.feed.names import MAX_NAME_LENGTH
from sessionclock.core.formatting import day_bounds
from sessionclock.core.models import Session, SessionSource

_T = TypeVar("_T")

TRUNCATED_WARNING = (
    "The calendar looks cut off, so no session is treated as removed. Try the sync again later."
)


@dataclass(frozen=True, slots=True)
class Move:
    """A stored session the feed now shows at another time.

    Attributes:
        stored: the session as stored.
        imported: the feed's version.
    """

    stored: Session
    imported: ImportedSession


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """What confirming a sync would change.

    Attributes:
        window: the span [start, end) the sync covers.
        new: feed sessions the store does not have.
        moved: stored calendar sessions the feed shows at another time.
        removed: stored calendar sessions in the window the feed no longer has.
        unchanged: stored sessions the feed agrees with.
        skipped: feed events that are not imported, with the reason.
        warnings: what the importer had to guess or could not read (no client names); the
            three fields below are not repeated here.
        free_busy: for a free/busy address (every event "Busy"), which address to copy instead;
            None otherwise.
        names_scrubbed: how many names had phone numbers, e-mail addresses or links removed.
        names_shortened: how many names were too long and were shortened.
    """

    window: tuple[datetime, datetime]
    new: tuple[ImportedSession, ...]
    moved: tuple[Move, ...]
    removed: tuple[Session, ...]
    unchanged: tuple[Session, ...]
    skipped: tuple[SkippedEvent, ...]
    warnings: tuple[str, ...]
    free_busy: str | None = None
    names_scrubbed: int = 0
    names_shortened: int = 0

    @property
    def has_changes(self) -> bool:
        """Return whether confirming would change anything."""
        return bool(self.new or self.moved or self.removed)

    def names_note(self) -> str | None:
        """Return what was taken out of the names, in plain words, or None if nothing was."""
        notes = []
        if self.names_scrubbed:
            notes.append(
                "Phone numbers, e-mail addresses and links were removed from "
                f"{_count(self.names_scrubbed, 'name')}: Session Clock never keeps contact "
                "details."
            )
        if self.names_shortened:
            were = "was" if self.names_shortened == 1 else "were"
            notes.append(
                f"{_count(self.names_shortened, 'name')} {were} longer than {MAX_NAME_LENGTH} "
                f"characters and {were} shortened."
            )
        return " ".join(notes) or None


@dataclass(frozen=True, slots=True)
class SyncChanges:
    """The writes a confirmed plan makes, in the store's terms.

    Attributes:
        add: sessions to insert.
        update: sessions to update (moved ones, with their new times).
        remove_ids: ids of sessions to delete.
    """

    add: tuple[Session, ...]
    update: tuple[Session, ...]
    remove_ids: tuple[int, ...]


def import_window(now: datetime, *, tz: tzinfo, days_ahead: int) -> tuple[datetime, datetime]:
    """Return the span a sync imports: from the start of yesterday to *days_ahead* after today."""
    today = now.astimezone(tz).date()
    start, _ = day_bounds(today - timedelta(days=1), tz)
    _, end = day_bounds(today + timedelta(days=days_ahead), tz)
    return start, end


def _key(name: str, start: datetime, end: datetime) -> tuple[str, datetime, datetime]:
    return (name, start.astimezone(UTC), end.astimezone(UTC))


def plan_sync(
    result: ImportResult,
    stored: Iterable[Session],
    *,
    window: tuple[datetime, datetime],
) -> SyncPlan:
    """Plan the sync of *result* against the *stored* sessions that overlap *window*."""
    start, end = window
    imported = sorted(
        (s for s in result.sessions if s.start < end and s.end > start),
        key=lambda s: (s.start.astimezone(UTC), s.name),
    )
    in_window = [s for s in stored if s.start < end and s.end > start]
    by_key: dict[tuple[str, datetime, datetime], list[Session]] = {}
    for session in in_window:
        by_key.setdefault(_key(session.client_name, session.start, session.end), []).append(session)

    unchanged: list[Session] = []
    unmatched: list[ImportedSession] = []
    for item in imported:
        candidates = by_key.get(_key(item.name, item.start, item.end))
        if candidates:
            unchanged.append(candidates.pop(0))
        else:
            unmatched.append(item)
    matched_ids = {id(s) for s in unchanged}
    leftover = [
        s for s in in_window if id(s) not in matched_ids and s.source is SessionSource.CALENDAR
    ]

    moved: list[Move] = []
    new: list[ImportedSession] = []
    for item in unmatched:
        same_name = [s for s in leftover if s.client_name == item.name]
        if not same_name:
            new.append(item)
            continue
        closest = min(same_name, key=lambda s: abs(s.start.astimezone(UTC) - item.start))
        leftover.remove(closest)
        moved.append(Move(stored=closest, imported=item))

    warnings = _other_warnings(result)
    if result.truncated:
        # A feed cut off in transit lacks sessions that still exist: never delete on its word.
        leftover = []
        warnings = (*warnings, TRUNCATED_WARNING)
    return SyncPlan(
        window=window,
        new=tuple(new),
        moved=tuple(moved),
        removed=tuple(sorted(leftover, key=lambda s: s.start.astimezone(UTC))),
        unchanged=tuple(sorted(unchanged, key=lambda s: s.start.astimezone(UTC))),
        skipped=result.skipped,
        warnings=warnings,
        free_busy=result.free_busy,
        names_scrubbed=result.names_scrubbed,
        names_shortened=result.names_shortened,
    )


def _other_warnings(result: ImportResult) -> tuple[str, ...]:
    """Return the importer's warnings but those the plan carries as fields of their own.

    The importer words the free/busy advice as ``result.free_busy``, and each count of changed
    names as "… {count} names …"; tests/core/test_sync.py holds this to the importer's wording.
    """
    counts = [f"{n} names" for n in (result.names_scrubbed, result.names_shortened) if n]
    return tuple(
        warning
        for warning in result.warnings
        if warning != result.free_busy and not any(count in warning for count in counts)
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def changes_for(
    plan: SyncPlan,
    *,
    new: Iterable[int] | None = None,
    moved: Iterable[int] | None = None,
    removed: Iterable[int] | None = None,
) -> SyncChanges:
    """Return the writes for the parts of *plan* the practitioner ticked.

    Each argument lists indexes into the plan's tuple of that kind; None means all of them.
    """

    add = tuple(
        Session(s.name, s.start, s.end, source=SessionSource.CALENDAR) for s in _pick(plan.new, new)
    )
    update = tuple(
        m.stored.with_changes(start=m.imported.start, end=m.imported.end)
        for m in _pick(plan.moved, moved)
    )
    remove_ids = tuple(s.id for s in _pick(plan.removed, removed) if s.id is not None)
    return SyncChanges(add=add, update=update, remove_ids=remove_ids)


def _pick(items: tuple[_T, ...], chosen: Iterable[int] | None) -> list[_T]:
    if chosen is None:
        return list(items)
    return [items[i] for i in sorted(set(chosen)) if 0 <= i < len(items)]
