"""Show what a calendar sync would change, a checkbox per change, before anything is written."""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.feed.importer import SkipReason
from sessionclock.core.formatting import format_span, format_time
from sessionclock.core.sync import SyncChanges, SyncPlan, changes_for
from sessionclock.core.themes import CHROME

_INDEX_ROLE = Qt.ItemDataRole.UserRole + 1


ROW_PX = 36
"""Height of a change's row: a comfortable touch target, like the schedule's rows."""

CHECK_PX = 22
"""Side of a change's check box."""


class SyncPreviewDialog(QDialog):
    """Lists new, moved, removed and unchanged sessions and the skipped events.

    New, moved and removed sessions each have a checkbox (ticked by default); only what stays
    ticked is written, in one transaction, when the practitioner applies. Cancel writes nothing.
    A free/busy address (every event "Busy") is explained first, with which address to copy
    instead; what was taken out of the names is said under the summary.

    Attributes:
        tree: the list of changes, grouped by kind.
        free_busy: the explanation of a free/busy address, or None for an ordinary feed.
        names_note: what was removed from the names, or None when nothing was.
    """

    def __init__(
        self,
        plan: SyncPlan,
        *,
        tz: tzinfo,
        use_24h: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._plan = plan
        self._tz = tz
        self._use_24h = use_24h
        self.setWindowTitle("Review calendar changes")
        self.resize(720, 560)

        summary = _text(self._summary())
        self.free_busy = _free_busy_box(plan.free_busy) if plan.free_busy else None
        names = plan.names_note()
        self.names_note = _text(names) if names else None
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Client", "When", "Change"])
        self.tree.setAccessibleName("Calendar changes")
        self.tree.setUniformRowHeights(True)
        # Rows and check boxes big enough to tick with a finger on the tablet, as the schedule's.
        self.tree.setStyleSheet(
            f"QTreeView::item {{ min-height: {ROW_PX}px; }}"
            f" QTreeView::indicator {{ width: {CHECK_PX}px; height: {CHECK_PX}px; }}"
        )
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)

        self._groups: dict[str, QTreeWidgetItem] = {}
        self._fill()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton(
            "Apply changes", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_button.setEnabled(plan.has_changes)
        # Sessions all called "Busy" are seldom wanted: Enter does not apply them by reflex.
        self.apply_button.setDefault(plan.has_changes and plan.free_busy is None)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if self.free_busy is not None:
            layout.addWidget(self.free_busy)
        layout.addWidget(summary)
        if self.names_note is not None:
            layout.addWidget(self.names_note)
        for warning in plan.warnings:
            note = _text(warning)
            note.setStyleSheet(f"color: {CHROME.caution};")
            layout.addWidget(note)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)

    def _summary(self) -> str:
        plan = self._plan
        if not plan.has_changes:
            return "Your schedule already matches the calendar. Nothing needs to change."
        parts = [
            f"{len(plan.new)} new",
            f"{len(plan.moved)} moved",
            f"{len(plan.removed)} removed",
        ]
        return (
            f"The calendar has {', '.join(parts)}. Untick anything you do not want, then apply. "
            "Sessions you added by hand are never changed by a sync."
        )

    def _span(self, start: datetime, end: datetime) -> str:
        day = start.astimezone(self._tz).strftime("%a %d %b")
        return f"{day}, {format_span(start, end, tz=self._tz, use_24h=self._use_24h)}"

    def _group(self, key: str, title: str, count: int) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [f"{title} ({count})"])
        item.setFirstColumnSpanned(True)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setExpanded(key != "unchanged")
        self._groups[key] = item
        return item

    def _checkable(self, parent: QTreeWidgetItem, texts: list[str], index: int) -> None:
        item = QTreeWidgetItem(parent, texts)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked)
        item.setData(0, _INDEX_ROLE, index)

    def _fill(self) -> None:
        plan = self._plan
        if plan.new:
            group = self._group("new", "New", len(plan.new))
            for i, s in enumerate(plan.new):
                self._checkable(group, [_name(s.name), self._span(s.start, s.end), "Add"], i)
        if plan.moved:
            group = self._group("moved", "Moved", len(plan.moved))
            for i, m in enumerate(plan.moved):
                was = self._span(m.stored.start, m.stored.end)
                texts = [_name(m.imported.name), self._span(m.imported.start, m.imported.end)]
                self._checkable(group, [*texts, f"Was {was}"], i)
        if plan.removed:
            group = self._group("removed", "Removed from the calendar", len(plan.removed))
            for i, r in enumerate(plan.removed):
                self._checkable(
                    group, [_name(r.client_name), self._span(r.start, r.end), "Remove"], i
                )
        if plan.unchanged:
            group = self._group("unchanged", "Unchanged", len(plan.unchanged))
            for u in plan.unchanged:
                QTreeWidgetItem(group, [_name(u.client_name), self._span(u.start, u.end), ""])
        if plan.skipped:
            group = self._group("skipped", "Not imported", len(plan.skipped))
            for k in plan.skipped:
                when = ""
                if k.start is not None:
                    when = k.start.astimezone(self._tz).strftime("%a %d %b %Y")
                    if k.reason is not SkipReason.ALL_DAY:
                        when += ", " + format_time(k.start, tz=self._tz, use_24h=self._use_24h)
                QTreeWidgetItem(group, [_name(k.name), when, k.reason.description])

    def group(self, key: str) -> QTreeWidgetItem | None:
        """Return the group item for *key* (new, moved, removed, unchanged, skipped)."""
        return self._groups.get(key)

    def _ticked(self, key: str) -> list[int]:
        group = self._groups.get(key)
        if group is None:
            return []
        ticked = []
        for i in range(group.childCount()):
            child = group.child(i)
            if child is not None and child.checkState(0) == Qt.CheckState.Checked:
                ticked.append(int(child.data(0, _INDEX_ROLE)))
        return ticked

    def changes(self) -> SyncChanges:
        """Return the writes for what is ticked."""
        return changes_for(
            self._plan,
            new=self._ticked("new"),
            moved=self._ticked("moved"),
            removed=self._ticked("removed"),
        )


def _name(name: str | None) -> str:
    return name if name else "(no name)"


def _text(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _free_busy_box(advice: str) -> QFrame:
    """Return the framed explanation of a free/busy address, in the notice banner's colours."""
    box = QFrame()
    box.setObjectName("freeBusy")
    box.setAccessibleName("This address shows only when you are busy")
    box.setAccessibleDescription(advice)
    box.setStyleSheet(
        f"#freeBusy {{ background: {CHROME.notice_background};"
        f" border: 1px solid {CHROME.notice_border}; border-radius: 8px; }}"
        f"#freeBusy QLabel {{ color: {CHROME.notice_text}; }}"
    )
    title = _text("This address shows only when you are busy, not who is booked")
    font = title.font()
    font.setBold(True)
    title.setFont(font)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(12, 8, 12, 10)
    layout.addWidget(title)
    layout.addWidget(_text(advice))
    return box
