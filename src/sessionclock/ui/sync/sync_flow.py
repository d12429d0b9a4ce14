"""The calendar sync as the practitioner lives it: fetch, review, apply; and the quiet check.

``SyncFlow`` reads the sealed address on the GUI thread, lets ``FeedSync`` fetch and import on a
worker thread (with progress and cancel), plans the changes against the stored sessions, shows
them for review and writes only what the practitioner confirms, in one transaction. The optional
background check fetches every N minutes and only says "calendar changed, review": it never
writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from sessionclock.core.clock import Clock
from sessionclock.core.errors import SessionClockError
from sessionclock.core.feed.importer import ImportResult
from sessionclock.core.models import Session
from sessionclock.core.preferences import SyncPreferences
from sessionclock.core.sync import SyncChanges, SyncPlan, import_window, plan_sync
from sessionclock.ui.prompts import Prompts
from sessionclock.ui.sync.sync_preview_dialog import SyncPreviewDialog
from sessionclock.ui.sync.sync_worker import FeedSync

log = logging.getLogger(__name__)


class SyncStore(Protocol):
    """What a sync needs from the account's repository."""

    def feed_url(self) -> str | None:
        """Return the sealed address, opened."""
        ...

    def sessions_between(self, start: datetime, end: datetime) -> tuple[Session, ...]:
        """Return stored sessions overlapping [start, end)."""
        ...

    def apply_sync(
        self, *, add: Sequence[Session], update: Sequence[Session], remove_ids: Sequence[int]
    ) -> None:
        """Write a confirmed sync in one transaction."""
        ...

    def purge_before(self, cutoff: datetime) -> int:
        """Delete sessions that ended before *cutoff*."""
        ...


Confirm = Callable[[SyncPlan], SyncChanges | None]


class SyncFlow(QObject):
    """Runs syncs on request and, if enabled, checks the calendar in the background.

    Signals:
        synced: emitted with the number of changes written after a confirmed sync.
        failed: emitted with a user-presentable message when a sync could not be read.
        check_failed: emitted with the message when a background check failed (nobody is
            looking at a dialog then, so it goes to the tray).
        calendar_changed: the background check found changes waiting for review.
        running_changed: emitted with True when a sync starts and False when it ends.
    """

    synced = Signal(int)
    failed = Signal(str)
    check_failed = Signal(str)
    calendar_changed = Signal()
    running_changed = Signal(bool)

    def __init__(
        self,
        *,
        store: SyncStore,
        clock: Clock,
        preferences: SyncPreferences,
        prompts: Prompts,
        feed_sync: FeedSync | None = None,
        parent_widget: QWidget | None = None,
        confirm: Confirm | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._preferences = preferences
        self._parent_widget = parent_widget
        self._prompts = prompts
        self._confirm = confirm or self._confirm_with_dialog
        self.feed_sync = feed_sync or FeedSync(parent=self)
        self.feed_sync.setParent(self)
        self.feed_sync.progressed.connect(self._on_feed_sync_progressed)
        self.feed_sync.fetched.connect(self._on_feed_sync_fetched)
        self.feed_sync.failed.connect(self._on_feed_sync_failed)
        self.feed_sync.finished.connect(self._on_feed_sync_finished)
        self._interactive = False
        self._window: tuple[datetime, datetime] | None = None
        self._progress: QProgressDialog | None = None
        self._use_24h = True
        self._paused: str | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.set_preferences(preferences)

    @property
    def preferences(self) -> SyncPreferences:
        """Return the sync preferences in force."""
        return self._preferences

    def set_preferences(self, preferences: SyncPreferences, *, use_24h: bool | None = None) -> None:
        """Apply new sync preferences (restarts or stops the background check)."""
        self._preferences = preferences
        if use_24h is not None:
            self._use_24h = use_24h
        minutes = preferences.background_check_minutes
        if minutes > 0:
            self._timer.start(minutes * 60_000)
        else:
            self._timer.stop()

    def set_paused(self, reason: str | None) -> None:
        """Pause syncing and the background check (*reason*: why, said on Sync), or resume."""
        self._paused = reason

    @property
    def paused(self) -> bool:
        """Return whether syncing is paused (the subscription ended, or offline too long)."""
        return self._paused is not None

    def background_check_active(self) -> bool:
        """Return whether the background check is scheduled."""
        return self._timer.isActive()

    def sync_now(self) -> bool:
        """Start an interactive sync; returns False if none could start (the reason is shown)."""
        return self._start(interactive=True)

    def check_now(self) -> bool:
        """Start a quiet check that only reports whether the calendar changed."""
        return self._start(interactive=False)

    def cancel(self) -> None:
        """Cancel the running sync."""
        self.feed_sync.cancel()

    def shutdown(self) -> None:
        """Stop the background check and any running sync."""
        self._timer.stop()
        self.feed_sync.shutdown()
        self._close_progress()

    def purge_old_sessions(self) -> int:
        """Delete sessions that ended longer ago than the retention setting."""
        cutoff = self._clock.now() - timedelta(days=self._preferences.retention_days)
        try:
            return self._store.purge_before(cutoff)
        except SessionClockError as e:
            log.warning("Old sessions could not be deleted: %s", e)
            return 0

    # -- running -------------------------------------------------------------------------------

    def _start(self, *, interactive: bool) -> bool:
        if self.feed_sync.is_running():
            return False
        if self._paused is not None:
            if interactive:
                self._report(self._paused)
            return False
        try:
            url = self._store.feed_url()
        except SessionClockError as e:
            self._fail(str(e), interactive=interactive)
            return False
        if url is None:
            if interactive:
                self._report("No calendar is connected. Open Calendar settings to connect one.")
            return False
        self._interactive = interactive
        self._window = import_window(
            self._clock.now(), tz=self._clock.zone(), days_ahead=self._preferences.window_days
        )
        self.feed_sync.start(url=url, tz=self._clock.zone(), window=self._window)
        del url
        log.info("calendar %s started", "sync" if interactive else "check")
        if interactive:
            self._show_progress()
        self.running_changed.emit(True)
        return True

    def _show_progress(self) -> None:
        progress = QProgressDialog("Reading your calendar…", "Cancel", 0, 0, self._parent_widget)
        progress.setWindowTitle("Calendar sync")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(self.cancel)
        self._progress = progress

    def _close_progress(self) -> None:
        if self._progress is not None:
            self._progress.canceled.disconnect(self.cancel)
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None

    @Slot(int, int)
    def _on_feed_sync_progressed(self, received: int, total: int) -> None:
        if self._progress is None:
            return
        if total > 0:
            self._progress.setMaximum(total)
            self._progress.setValue(min(received, total))
        self._progress.setLabelText(f"Reading your calendar… {received // 1024} KB")

    @Slot(object)
    def _on_feed_sync_fetched(self, result: ImportResult) -> None:
        window = self._window
        assert window is not None
        self._close_progress()
        try:
            stored = self._store.sessions_between(*window)
        except SessionClockError as e:
            self._fail(str(e), interactive=self._interactive)
            return
        plan = plan_sync(result, stored, window=window)
        log.info(
            "calendar read: %d new, %d moved, %d removed, %d not imported",
            len(plan.new),
            len(plan.moved),
            len(plan.removed),
            len(plan.skipped),
        )
        if not self._interactive:
            if plan.has_changes:
                self.calendar_changed.emit()
            return
        changes = self._confirm(plan)
        if changes is None:
            log.info("calendar sync: the preview was cancelled")
            return
        try:
            self._store.apply_sync(
                add=changes.add, update=changes.update, remove_ids=changes.remove_ids
            )
        except SessionClockError as e:
            self._fail(str(e), interactive=True)
            return
        self.purge_old_sessions()
        applied = len(changes.add) + len(changes.update) + len(changes.remove_ids)
        log.info("calendar sync: %d changes applied", applied)
        self.synced.emit(applied)

    @Slot(str)
    def _on_feed_sync_failed(self, message: str) -> None:
        self._close_progress()
        self._fail(message, interactive=self._interactive)

    @Slot()
    def _on_feed_sync_finished(self) -> None:
        self._close_progress()
        self.running_changed.emit(False)

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.check_now()

    def _fail(self, message: str, *, interactive: bool) -> None:
        # The messages are the app's own, written to be shown: they never hold client data.
        log.info("calendar %s failed: %s", "sync" if interactive else "check", message)
        self.failed.emit(message)
        if interactive:
            self._report(message)
        else:
            self.check_failed.emit(message)

    # -- asking and telling ---------------------------------------------------------------------

    def _confirm_with_dialog(self, plan: SyncPlan) -> SyncChanges | None:
        dialog = SyncPreviewDialog(
            plan, tz=self._clock.zone(), use_24h=self._use_24h, parent=self._parent_widget
        )
        accepted = dialog.exec() == SyncPreviewDialog.DialogCode.Accepted
        changes = dialog.changes() if accepted else None
        dialog.deleteLater()
        return changes

    def _report(self, message: str) -> None:
        self._prompts.report(self._parent_widget, "Calendar sync", message)
