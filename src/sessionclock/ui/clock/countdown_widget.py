"""The big, calm countdown: digits in a progress ring, the client, and who is next."""

from __future__ import annotations

import math
from datetime import tzinfo

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from sessionclock.core.clockface import FaceText, face_text
from sessionclock.core.countdown import ClockState, Phase
from sessionclock.core.preferences import ThemeName
from sessionclock.core.themes import PhaseColours, Theme, theme

CUE_MS = 8000
"""How long a reminder's gentle visual cue stays on a clock face."""

_DIGIT_FAMILY = "DejaVu Sans"  # tabular digits, so the countdown does not jitter each second
_GLYPH_PAD = 0.08  # room around a cached character for strokes that overhang its advance


class CountdownWidget(QWidget):
    """Paints a ``ClockState``: phase, client, big digits, a progress ring and the next client.

    Everything scales with the widget, landscape or portrait. The widget holds no rules: it shows
    the state it is given and the words ``core.clockface`` chooses.

    Attributes:
        face: the words currently shown (for tests and accessibility).
    """

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._state: ClockState | None = None
        self._theme: Theme = theme(ThemeName.DAY)
        self._show_seconds = True
        self._use_24h = True
        self._initials_only = False
        self._cue = False
        self._pulse = False
        self._cue_timer = QTimer(self)
        self._cue_timer.setSingleShot(True)
        self._cue_timer.timeout.connect(self._on_cue_timer_timeout)
        self._large = False
        self.face: FaceText | None = None
        self._font_cache: dict[tuple[str, int, int], QFont] = {}
        self._glyph_cache: dict[tuple[str, int, int, str, float], QPixmap] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAccessibleName("Countdown")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:
        return QSize(640, 560)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 220)

    def set_state(self, state: ClockState) -> None:
        """Show *state*; repaints only if the words or the ring changed."""
        self._state = state
        self._refresh_face()

    def clear(self) -> None:
        """Show an empty face (no account is open): nothing of anyone's day."""
        self._state = None
        self.face = None
        self.setAccessibleDescription("")
        self.update()

    def set_theme(self, value: Theme) -> None:
        """Paint with *value*."""
        self._theme = value
        self.update()

    def set_options(
        self,
        *,
        show_seconds: bool | None = None,
        use_24h: bool | None = None,
        initials_only: bool | None = None,
    ) -> None:
        """Change what the face shows; arguments left as None keep their value."""
        if show_seconds is not None:
            self._show_seconds = show_seconds
        if use_24h is not None:
            self._use_24h = use_24h
        if initials_only is not None:
            self._initials_only = initials_only
        self._refresh_face()

    def set_large(self, on: bool) -> None:
        """Paint the digits as large as the widget allows, over a progress bar (room mode).

        The ring layout keeps the digits inside a circle, which suits a window beside the
        schedule; read from the treatment table three metres away, the digits need the space.
        """
        if on != self._large:
            self._large = on
            self.update()

    def show_cue(self, duration_ms: int = CUE_MS) -> None:
        """Show the gentle visual cue (a soft glow) of a reminder for *duration_ms*."""
        self._cue = True
        self._cue_timer.start(duration_ms)
        self.update()

    @Slot()
    def _on_cue_timer_timeout(self) -> None:
        self._cue = False
        self.update()

    def set_pulse(self, on: bool) -> None:
        """Show or clear the same glow as one beat of a pulse (room mode's flashing overtime)."""
        if on != self._pulse:
            self._pulse = on
            self.update()

    @property
    def cue_shown(self) -> bool:
        """Return whether the glow is showing (a reminder's cue or a pulse)."""
        return self._cue or self._pulse

    @property
    def theme(self) -> Theme:
        """Return the theme being painted."""
        return self._theme

    def _refresh_face(self) -> None:
        if self._state is None:
            return
        face = face_text(
            self._state,
            tz=self._tz,
            show_seconds=self._show_seconds,
            use_24h=self._use_24h,
            initials_only=self._initials_only,
        )
        if face != self.face:
            self.face = face
            self.setAccessibleDescription(face.spoken)
        self.update()

    def _font(self, family: str, pixel_size: int, weight: int) -> QFont:
        key = (family, pixel_size, weight)
        font = self._font_cache.get(key)
        if font is None:
            if len(self._font_cache) > 64:
                self._font_cache.clear()
            font = QFont(family)
            font.setPixelSize(max(1, pixel_size))
            font.setWeight(QFont.Weight(weight))
            self._font_cache[key] = font
        return font

    def paintEvent(self, event: QPaintEvent) -> None:
        phase = self._state.phase if self._state is not None else Phase.DAY_DONE
        colours = self._theme.colours(phase)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor(colours.cue if self.cue_shown else colours.background)
        painter.fillRect(self.rect(), background)
        face = self.face
        if face is None or self._state is None:
            painter.end()
            return

        w, h = float(self.width()), float(self.height())
        unit = min(w, h)
        margin = unit * 0.04
        label_px = max(12, int(unit * 0.045))
        name_px = max(14, int(unit * 0.065))
        detail_px = max(12, int(unit * 0.045))
        top_block = label_px * 1.5 + name_px * 1.4
        bottom_block = detail_px * 3.2

        # Phase label and client name at the top.
        painter.setPen(QColor(colours.muted))
        painter.setFont(self._font(_DIGIT_FAMILY, label_px, 500))
        label_rect = QRectF(margin, margin, w - 2 * margin, label_px * 1.5)
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, face.label.upper())
        painter.setPen(QColor(colours.text))
        name_font = self._font(_DIGIT_FAMILY, name_px, 600)
        painter.setFont(name_font)
        name_rect = QRectF(margin, label_rect.bottom(), w - 2 * margin, name_px * 1.4)
        name = QFontMetricsF(name_font).elidedText(
            face.name, Qt.TextElideMode.ElideRight, name_rect.width()
        )
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignCenter, name)

        middle = QRectF(margin, margin + top_block, w - 2 * margin, h - 2 * margin - top_block)
        middle.setBottom(middle.bottom() - bottom_block)
        if self._large:
            below = self._paint_large(painter, middle, face, colours)
        else:
            below = self._paint_ring(painter, middle, face, colours)

        # Who is next, and how late the day runs, underneath.
        painter.setFont(self._font(_DIGIT_FAMILY, detail_px, 500))
        y = below + detail_px * 0.4
        for text, colour in ((face.detail, colours.text), (face.late, colours.ring)):
            if text:
                painter.setPen(QColor(colour))
                painter.drawText(
                    QRectF(margin, y, w - 2 * margin, detail_px * 1.4),
                    Qt.AlignmentFlag.AlignCenter,
                    text,
                )
            y += detail_px * 1.45
        painter.end()

    def _progress(self) -> float:
        return self._state.progress if self._state is not None else 0.0

    def _paint_ring(
        self, painter: QPainter, area: QRectF, face: FaceText, colours: PhaseColours
    ) -> float:
        """Paint the digits inside a progress ring; return the y below it."""
        side = max(min(area.width(), area.height()), min(self.width(), self.height()) * 0.3)
        ring = QRectF(area.center().x() - side / 2, area.center().y() - side / 2, side, side)
        stroke = max(4.0, side * 0.035)
        arc = ring.adjusted(stroke / 2, stroke / 2, -stroke / 2, -stroke / 2)
        pen = QPen(QColor(colours.track), stroke)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawEllipse(arc)
        progress = self._progress()
        if progress > 0:
            pen.setColor(QColor(colours.ring))
            painter.setPen(pen)
            painter.drawArc(arc, 90 * 16, -round(progress * 360 * 16))
        inner = arc.width() - 2 * stroke
        font = self._fit_digits(face.digits, inner * 0.8, inner * 0.42, weight=300)
        self._draw_digits(painter, ring, face.digits, font, colours.digits)
        return ring.bottom()

    def _paint_large(
        self, painter: QPainter, area: QRectF, face: FaceText, colours: PhaseColours
    ) -> float:
        """Paint digits as large as the area allows, over a progress bar; return the y below."""
        bar_height = max(6.0, min(self.width(), self.height()) * 0.02)
        gap = bar_height * 2
        font = self._fit_digits(face.digits, area.width() * 0.92, (area.height() - gap) * 0.78)
        digits_height = QFontMetricsF(font).height()
        top = area.top() + (area.height() - digits_height - gap - bar_height) / 2
        digits_rect = QRectF(area.left(), top, area.width(), digits_height)
        self._draw_digits(painter, digits_rect, face.digits, font, colours.digits)
        bar_width = area.width() * 0.6
        bar = QRectF(area.center().x() - bar_width / 2, digits_rect.bottom() + gap, bar_width, 0)
        bar.setHeight(bar_height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colours.track))
        painter.drawRoundedRect(bar, bar_height / 2, bar_height / 2)
        progress = self._progress()
        if progress > 0:
            done = QRectF(bar)
            done.setWidth(max(bar_height, bar.width() * progress))
            painter.setBrush(QColor(colours.ring))
            painter.drawRoundedRect(done, bar_height / 2, bar_height / 2)
        return bar.bottom() + gap

    def _draw_digits(
        self, painter: QPainter, rect: QRectF, text: str, font: QFont, colour: str
    ) -> None:
        """Draw *text* centred in *rect* from cached images of its characters.

        Qt's raster engine keeps no cache for glyphs this large and would fill their outlines
        again on every tick; a countdown only ever needs a dozen characters, drawn once each.
        """
        metrics = QFontMetricsF(font)
        advances = [metrics.horizontalAdvance(ch) for ch in text]
        x = rect.center().x() - sum(advances) / 2
        y = rect.center().y() - metrics.height() / 2
        pad = metrics.height() * _GLYPH_PAD
        for ch, advance in zip(text, advances, strict=True):
            painter.drawPixmap(QPointF(x - pad, y), self._glyph(ch, font, colour, metrics))
            x += advance

    def _glyph(self, ch: str, font: QFont, colour: str, metrics: QFontMetricsF) -> QPixmap:
        ratio = self.devicePixelRatioF()
        key = (ch, font.pixelSize(), font.weight().value, colour, ratio)
        pixmap = self._glyph_cache.get(key)
        if pixmap is None:
            if len(self._glyph_cache) > 128:
                self._glyph_cache.clear()
            pad = metrics.height() * _GLYPH_PAD
            width = metrics.horizontalAdvance(ch) + 2 * pad
            pixmap = QPixmap(math.ceil(width * ratio), math.ceil(metrics.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            glyph_painter = QPainter(pixmap)
            glyph_painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            glyph_painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            glyph_painter.setFont(font)
            glyph_painter.setPen(QColor(colour))
            glyph_painter.drawText(QPointF(pad, metrics.ascent()), ch)
            glyph_painter.end()
            self._glyph_cache[key] = pixmap
        return pixmap

    def _fit_digits(
        self, text: str, max_width: float, max_height: float, *, weight: int = 400
    ) -> QFont:
        reference = self._font(_DIGIT_FAMILY, 100, weight)
        width = QFontMetricsF(reference).horizontalAdvance(text) or 1.0
        size = min(100 * max_width / width, max_height)
        return self._font(_DIGIT_FAMILY, int(size), weight)
