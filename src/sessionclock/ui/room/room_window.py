"""Room mode: the countdown fullscreen on the treatment-room tablet.

The app enters it when the practitioner asks (the main window's button, F11, the tray menu). It
reuses the main ``CountdownWidget`` with the room theme (dim night by default), initials only for
the next client, no flashing unless asked for, and three large touch targets: Start, End and
+5 min. Leaving needs a deliberate gesture, so a brushed screen does not exit: Esc or F11 on a
keyboard, or holding the "Hold to leave" control for a moment. While a session runs the screen is
kept awake.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from sessionclock.core.countdown import EXTEND_MINUTES, ClockState, Phase
from sessionclock.core.preferences import DisplayPreferences
from sessionclock.core.themes import Theme, theme
from sessionclock.platform.wakelock import ScreenAwake
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.clock.countdown_widget import CUE_MS, CountdownWidget
from sessionclock.ui.desktop import bring_to_front

TOUCH_TARGET_PX = 56
"""Height of the room-mode buttons: above the 48 px minimum for a touch target."""

LONG_PRESS_MS = 900
"""How long the leave control must be held."""

_RUNNING = (Phase.HANDS_ON, Phase.WRAP_UP, Phase.OVERTIME)


class RoomWindow(QWidget):
    """The fullscreen room clock.

    Signals:
        left: emitted when room mode was left (Esc, F11 or the long press).
    """

    left = Signal()

    def __init__(
        self, controller: ClockController, *, display: DisplayPreferences, screen_awake: ScreenAwake
    ) -> None:
        super().__init__()
        self._controller = controller
        self._awake = screen_awake
        self._flashing = display.flashing
        self._phase: Phase | None = None
        self.setWindowTitle("Session Clock — room")
        self.setAccessibleName("Room clock")

        self.countdown = CountdownWidget(controller.clock.zone())
        self.countdown.set_large(True)
        self.start_button = self._button("Start", "Start the session now")
        self.end_button = self._button("End", "End the current session now")
        self.extend_button = self._button(
            f"+{EXTEND_MINUTES} min", f"Give the current session {EXTEND_MINUTES} more minutes"
        )
        self.leave_button = self._button("Hold to leave", "Hold to leave room mode")
        self.leave_button.setAutoRepeat(False)
        self.leave_button.setMinimumWidth(200)

        self._leave_timer = QTimer(self)
        self._leave_timer.setSingleShot(True)
        self._leave_timer.setInterval(LONG_PRESS_MS)
        self._leave_timer.timeout.connect(self._on_leave_timer_timeout)
        self.leave_button.pressed.connect(self._leave_timer.start)
        self.leave_button.released.connect(self._leave_timer.stop)

        bar = QHBoxLayout()
        bar.setContentsMargins(16, 8, 16, 16)
        bar.setSpacing(16)
        for button in (self.start_button, self.end_button, self.extend_button):
            bar.addWidget(button, 2)
        bar.addStretch(1)
        bar.addWidget(self.leave_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.countdown, 1)
        layout.addLayout(bar)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)

        self.apply_display(display)
        self.start_button.clicked.connect(controller.start_now)
        self.end_button.clicked.connect(controller.end_now)
        self.extend_button.clicked.connect(controller.extend)
        self._state: ClockState | None = None
        controller.state_changed.connect(self._on_controller_state_changed)

    def _button(self, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumSize(TOUCH_TARGET_PX * 2, TOUCH_TARGET_PX)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setAccessibleName(accessible)
        button.setToolTip(accessible)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    # -- appearance ----------------------------------------------------------------------------

    def apply_display(self, display: DisplayPreferences) -> None:
        """Apply the room theme and options from *display*."""
        self._flashing = display.flashing
        self.countdown.set_theme(theme(display.room_theme))
        self.countdown.set_options(
            show_seconds=display.show_seconds,
            use_24h=display.use_24h,
            initials_only=display.room_initials_only,
        )
        self._style_chrome()

    def showEvent(self, event: QShowEvent) -> None:
        # A style sheet set while the window was hidden can be painted stale on the next show,
        # so the chrome is styled again as the window appears.
        self._style_chrome()
        super().showEvent(event)

    def _style_chrome(self) -> None:
        current: Theme = self.countdown.theme
        colours = current.colours(self._phase or Phase.DAY_DONE)
        # The bar blends into the face; buttons are outlined, never large light areas at night.
        # The background goes in the style sheet too: a style sheet resets the palette.
        self.setStyleSheet(
            f"RoomWindow {{ background-color: {colours.background}; }}"
            f"QPushButton {{ background: {colours.background}; color: {colours.text};"
            f" border: 2px solid {colours.track}; border-radius: 12px;"
            f" font-size: 20px; padding: 4px 16px; }}"
            f"QPushButton:focus {{ border-color: {colours.ring}; }}"
            f"QPushButton:pressed {{ background: {colours.cue}; }}"
            f"QPushButton:disabled {{ color: {colours.track}; }}"
        )

    # -- state ---------------------------------------------------------------------------------

    @Slot(object)
    def _on_controller_state_changed(self, state: ClockState) -> None:
        self._state = state
        self.countdown.set_state(state)
        if state.phase is not self._phase:
            self._phase = state.phase
            self._style_chrome()
        self.start_button.setEnabled(state.can_start)
        self.end_button.setEnabled(state.can_end)
        self.extend_button.setEnabled(state.can_extend)
        flash = self._flashing and state.phase is Phase.OVERTIME and state.now.second % 2 == 0
        self.countdown.set_pulse(flash)
        if self.isVisible() and state.phase in _RUNNING:
            self._awake.hold()
        else:
            self._awake.release()

    def show_cue(self, duration_ms: int = CUE_MS) -> None:
        """Show the gentle visual cue of a reminder for *duration_ms*."""
        self.countdown.show_cue(duration_ms)

    # -- entering and leaving ------------------------------------------------------------------

    @Slot()
    def enter(self) -> None:
        """Show the room clock fullscreen."""
        self.showFullScreen()
        bring_to_front(self)
        if self._state is not None:
            self._on_controller_state_changed(self._state)

    @Slot()
    def leave(self) -> None:
        """Leave room mode."""
        self._leave_timer.stop()
        self._awake.release()
        self.hide()
        self.left.emit()

    @Slot()
    def _on_leave_timer_timeout(self) -> None:
        if self.leave_button.isDown():
            self.leave()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F11):
            self.leave()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._awake.release()
        super().closeEvent(event)

    def event(self, event: QEvent) -> bool:
        # A window manager closing the fullscreen window also counts as leaving.
        if event.type() == QEvent.Type.Hide:
            self._awake.release()
        return super().event(event)
