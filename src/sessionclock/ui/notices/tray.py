"""The system tray: minutes left in the icon, a tooltip, a menu and notifications.

Only built where ``QSystemTrayIcon.isSystemTrayAvailable()``; elsewhere the app shows notices in
the window's banner instead. The tooltip and notifications name clients by initials only: other
people may see the clinic computer's screen.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, QRectF, Qt, Signal, SignalInstance, Slot
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from sessionclock.core.countdown import ClockState, Phase
from sessionclock.core.formatting import format_countdown, initials
from sessionclock.core.themes import PhaseColours, Theme
from sessionclock.ui.app_icon import app_icon

ICON_PX = 64


def icon_text(state: ClockState) -> str:
    """Return what the tray icon says: the minutes left (rounded up), ``2h`` past 99, or ``✓``."""
    if state.phase is Phase.DAY_DONE:
        return "✓"
    minutes = math.ceil(abs(state.remaining.total_seconds()) / 60)
    if minutes > 99:
        return f"{minutes // 60}h"
    return f"+{minutes}" if state.phase is Phase.OVERTIME and minutes < 10 else str(minutes)


def tooltip_text(state: ClockState) -> str:
    """Return the tooltip: the phase, the client's initials and the time left."""
    left = format_countdown(state.remaining, show_seconds=False)
    if state.phase is Phase.DAY_DONE:
        return "Session Clock — day done"
    if state.current is not None:
        who = initials(state.current.client_name)
        if state.phase is Phase.OVERTIME:
            return f"Session Clock — {who}: {left} over"
        return f"Session Clock — {who}: {left} left"
    who = initials(state.next.client_name) if state.next is not None else ""
    return f"Session Clock — next {who} in {left}"


def draw_icon(state: ClockState, palette: Theme, *, size: int = ICON_PX) -> QPixmap:
    """Draw the tray icon: a disc in the phase's colour with the minutes left."""
    return _draw(icon_text(state), palette.colours(state.phase), size)


def _draw(text: str, colours: PhaseColours, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colours.background))
    painter.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    pen = painter.pen()
    pen.setStyle(Qt.PenStyle.SolidLine)
    pen.setColor(QColor(colours.ring))
    pen.setWidthF(size * 0.09)
    painter.setPen(pen)
    inset = size * 0.06
    painter.drawEllipse(QRectF(inset, inset, size - 2 * inset, size - 2 * inset))
    font = QFont("DejaVu Sans")
    font.setBold(True)
    font.setPixelSize(int(size * (0.5 if len(text) <= 2 else 0.38)))
    painter.setFont(font)
    painter.setPen(QColor(colours.digits))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


class TrayIcon(QObject):
    """The tray icon and its menu.

    Signals:
        show_requested: the practitioner asked to see the main window.
        room_mode_requested: the practitioner asked for room mode.
        start_requested: the practitioner asked to start the next session.
        end_requested: the practitioner asked to end the current session.
        sync_requested: the practitioner asked to sync the calendar now.
        quit_requested: the practitioner asked to quit.
    """

    show_requested = Signal()
    room_mode_requested = Signal()
    start_requested = Signal()
    end_requested = Signal()
    sync_requested = Signal()
    quit_requested = Signal()

    def __init__(self, palette: Theme, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._icon_key: tuple[Phase, str] | None = None
        self.menu = QMenu()
        self.menu.setAccessibleName("Session Clock")
        self.show_action = self._action("&Show clock", self.show_requested)
        self.room_action = self._action("&Room mode", self.room_mode_requested)
        self.menu.addSeparator()
        self.start_action = self._action("Start &next", self.start_requested)
        self.end_action = self._action("&End session", self.end_requested)
        self.sync_action = self._action("S&ync now", self.sync_requested)
        self.menu.addSeparator()
        self.quit_action = self._action("&Quit", self.quit_requested)
        # Until the first tick: the app's own icon, so the tray never shows an empty slot.
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setContextMenu(self.menu)
        self.icon.setToolTip("Session Clock")
        self.icon.activated.connect(self._on_icon_activated)

    def _action(self, text: str, signal: SignalInstance) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(signal)
        self.menu.addAction(action)
        return action

    def show(self) -> None:
        """Put the icon in the tray."""
        self.icon.show()

    def hide(self) -> None:
        """Take the icon out of the tray."""
        self.icon.hide()

    def set_palette(self, palette: Theme) -> None:
        """Draw the icon with *palette* from now on."""
        self._palette = palette
        self._icon_key = None

    @Slot(object)
    def set_state(self, state: ClockState) -> None:
        """Show *state*: redraw the icon only when its minutes or phase changed."""
        key = (state.phase, icon_text(state))
        if key != self._icon_key:
            self._icon_key = key
            self.icon.setIcon(QIcon(draw_icon(state, self._palette)))
        self.icon.setToolTip(tooltip_text(state))
        self.start_action.setEnabled(state.can_start)
        self.end_action.setEnabled(state.can_end)

    def notify(self, title: str, message: str) -> None:
        """Show a notification from the tray."""
        self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 10_000)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()
