"""The storyboard's grid: a band per scene (its number, name, place and time, shot count and
length) over its shot cards, flowed into as many columns as the width holds. Painted, not
made of widgets: a change repaints the cards it touched, and scrolling paints only the cards
in sight, so a film of many shots scrolls smoothly.

Clicks and arrow keys choose cards (Ctrl adds, Shift extends in film order); Enter asks for the
chosen card's keyframe variants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget

from foundry_desktop.app.storyboard import Card, Row, Storyboard
from foundry_desktop.ui.storyboard.card_painting import PICTURE_RATIO, SCREEN, card_height, paint_card
from foundry_desktop.ui.theme import DIM_TEXT, TEXT

MARGIN, GAP, HEADER, ROW_GAP = 16, 14, 46, 18
CARD_MIN, CARD_MAX = 210, 320
NEW_CARDS_PER_PAINT = 6  # about 1 ms a card: a paint stays well inside a frame
EMPTY_ROW = 36  # a scene with no shots yet: a line saying so


@dataclass(frozen=True)
class Placed:
    card: Card
    rect: QRect  # in the board's coordinates (the scroll offset not applied)


class StoryboardGrid(QAbstractScrollArea):
    chosen = Signal(list)  # the shot ids the creator chose (click, keys)
    open_requested = Signal(str)  # Enter or a double click on a card: its keyframe variants

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setAutoFillBackground(True)
        self.verticalScrollBar().setSingleStep(40)
        self.board = Storyboard("", "", ())
        self.placed: list[Placed] = []
        self.headers: list[tuple[Row, QRect]] = []
        self.selected: list[str] = []
        self.current: str | None = None  # the card the keys walk from
        self.progress: dict[str, float] = {}  # shot id -> fraction of its video being made
        self.picture_of: Callable[[Card], QImage | None] = lambda card: None
        # Keyframes scaled to the cards' size once (smoothly), and each card painted once as it is
        # now (shot id -> what it showed, its picture): scrolling and repaints only copy pictures.
        self._fitted: dict[tuple[str, int], QImage] = {}
        self._painted: dict[str, tuple[tuple, QPixmap]] = {}
        self._drawn_last: dict[str, int] = {}  # shot id -> the cache key of the picture last drawn for it
        # A paint paints a few new cards and leaves the rest to the next paint, soon after, so a
        # board of new cards (opening it, a generation run) never holds the GUI thread for long.
        self._more = QTimer(self, singleShot=True, interval=0)
        self._more.timeout.connect(self.viewport().update)
        self._height = 0
        self._add_keys()

    # -- content -------------------------------------------------------------------------------

    def show_board(self, board: Storyboard) -> None:
        self.board = board
        shot_ids = {card.shot_id for card in board.cards}
        self._painted = {shot_id: kept for shot_id, kept in self._painted.items() if shot_id in shot_ids}
        self._lay_out()

    def show_selection(self, shot_ids: list[str]) -> None:
        self.selected = list(shot_ids)
        if shot_ids and self.current not in shot_ids:
            self.current = shot_ids[-1]
        self.viewport().update()

    def replace_card(self, card: Card) -> None:
        """One card's new state (its status changed): repaint just it."""
        for index, placed in enumerate(self.placed):
            if placed.card.shot_id == card.shot_id:
                self.placed[index] = Placed(card, placed.rect)
                self.repaint_card(card.shot_id)

    def repaint_card(self, shot_id: str) -> None:
        rect = self.rect_of(shot_id)
        if rect is not None:
            self.viewport().update(rect.translated(0, -self.verticalScrollBar().value()))

    def rect_of(self, shot_id: str) -> QRect | None:
        return next((placed.rect for placed in self.placed if placed.card.shot_id == shot_id), None)

    # -- layout --------------------------------------------------------------------------------

    def _columns(self) -> tuple[int, int]:
        room = max(CARD_MIN, self.viewport().width() - 2 * MARGIN)
        columns = max(1, (room + GAP) // (CARD_MIN + GAP))
        width = min(CARD_MAX, (room - (columns - 1) * GAP) // columns)
        return columns, width

    def _lay_out(self) -> None:
        columns, width = self._columns()
        if self.placed and self.placed[0].rect.width() != width:
            self._fitted.clear()  # made for the cards' old size
        height = card_height(width, SCREEN)
        self.placed, self.headers = [], []
        y = MARGIN
        for row in self.board.rows:
            self.headers.append((row, QRect(MARGIN, y, self.viewport().width() - 2 * MARGIN, HEADER - 8)))
            y += HEADER
            for index, card in enumerate(row.cards):
                line, column = divmod(index, columns)
                self.placed.append(Placed(card, QRect(MARGIN + column * (width + GAP), y + line * (height + GAP),
                                                      width, height)))
            lines = -(-len(row.cards) // columns)
            y += lines * (height + GAP) - GAP if row.cards else EMPTY_ROW
            y += ROW_GAP
        self._height = y
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, self._height - self.viewport().height()))
        bar.setPageStep(self.viewport().height())
        self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._lay_out()

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self.viewport())
        offset = self.verticalScrollBar().value()
        painter.translate(0, -offset)
        seen = event.rect().translated(0, offset)
        for row, rect in self.headers:
            if rect.intersects(seen.adjusted(0, -HEADER, 0, HEADER)):
                self._paint_header(painter, row, rect)
        selected = set(self.selected)
        fresh = 0
        for placed in self.placed:
            if not placed.rect.intersects(seen):
                continue
            picture = self._card_picture(placed, placed.card.shot_id in selected, may_paint=fresh < NEW_CARDS_PER_PAINT)
            if picture is None:  # this paint has painted its share: the card's ground now, the card next time
                painter.fillRect(placed.rect.adjusted(1, 1, -1, -1), SCREEN.card)
                self._more.start()
                continue
            fresh += picture.cacheKey() != self._drawn_last.get(placed.card.shot_id, 0)
            self._drawn_last[placed.card.shot_id] = picture.cacheKey()
            painter.drawPixmap(placed.rect.topLeft(), picture)
        painter.end()

    def _card_picture(self, placed: Placed, selected: bool, *, may_paint: bool) -> QPixmap | None:
        """The card as painted last, or painted again now if anything it shows changed (None: it
        changed, and `may_paint` says this paint may not paint another card)."""
        card = placed.card
        progress = self.progress.get(card.shot_id)
        picture = self._fitted_picture(placed)
        shown = (card, placed.rect.size().toTuple(), selected, progress, picture.cacheKey() if picture else 0)
        kept = self._painted.get(card.shot_id)
        if kept is not None and kept[0] == shown:
            return kept[1]
        if not may_paint:
            return None
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(placed.rect.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        paint_card(painter, QRect(QPoint(0, 0), placed.rect.size()), card, picture, SCREEN, selected=selected,
                   progress=progress)
        painter.end()
        self._painted[card.shot_id] = (shown, pixmap)
        return pixmap

    def _fitted_picture(self, placed: Placed) -> QImage | None:
        picture = self.picture_of(placed.card)
        if picture is None or picture.isNull():
            return picture
        key = (placed.card.keyframe_hash, placed.rect.width())
        fitted = self._fitted.get(key)
        if fitted is None:
            size = QSize(placed.rect.width(), round(placed.rect.width() * PICTURE_RATIO))
            fitted = picture.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            self._fitted[key] = fitted
        return fitted

    def _paint_header(self, painter: QPainter, row: Row, rect: QRect) -> None:
        colour = QColor(row.scene.color) if row.scene is not None else DIM_TEXT
        painter.fillRect(QRect(rect.left(), rect.top() + 4, 4, rect.height() - 4), colour)
        text = rect.adjusted(14, 0, 0, 0)
        title = QFont(self.font())
        title.setPixelSize(15)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(TEXT)
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, row.title)
        detail = QFont(self.font())
        detail.setPixelSize(12)
        painter.setFont(detail)
        painter.setPen(DIM_TEXT)
        words = " · ".join(part for part in (row.place, row.summary if row.cards else "no shots yet") if part)
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, words)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        self.viewport().update()

    # -- choosing cards ------------------------------------------------------------------------

    def card_at(self, point: QPoint) -> Card | None:
        at = point + QPoint(0, self.verticalScrollBar().value())  # the viewport's point on the board
        return next((placed.card for placed in self.placed if placed.rect.contains(at)), None)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        card = self.card_at(event.position().toPoint())
        if card is None:
            self._choose_scene(event.position().toPoint())
            return
        modifiers = event.modifiers()
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            chosen = [i for i in self.selected if i != card.shot_id]
            chosen += [] if card.shot_id in self.selected else [card.shot_id]
        elif modifiers & Qt.KeyboardModifier.ShiftModifier and self.current is not None:
            chosen = self._film_range(self.current, card.shot_id)
        else:
            chosen = [card.shot_id]
        self.current = card.shot_id
        self.chosen.emit(chosen)

    def _choose_scene(self, point: QPoint) -> None:
        """A click on a scene's header chooses its shots, as a click on its band on the timeline does."""
        at = point + QPoint(0, self.verticalScrollBar().value())
        row = next((row for row, rect in self.headers if rect.contains(at)), None)
        if row is not None and row.cards:
            self.current = row.cards[0].shot_id
            self.chosen.emit([card.shot_id for card in row.cards])

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.ToolTip:
            card = self.card_at(event.pos())
            if card is None:
                QToolTip.hideText()
            else:  # the whole prompt (the card cuts it short) and both stages in words
                QToolTip.showText(event.globalPos(), f"{card.label} · {card.duration_text}\n{card.prompt}\n\n"
                                  f"{card.keyframe_text}\n{card.video_text}", self.viewport())
            return True
        return super().viewportEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        card = self.card_at(event.position().toPoint())
        if card is not None:
            self.open_requested.emit(card.shot_id)

    def _add_keys(self) -> None:
        """The keys as actions of the grid (so Help ▸ Keyboard shortcuts lists them), live while it
        has the focus; Shift with an arrow extends the choice (keyPressEvent)."""
        for words, keys, run in (
                ("Next card (on into the next scene)", [Qt.Key.Key_Right], lambda: self.go(Qt.Key.Key_Right)),
                ("Previous card", [Qt.Key.Key_Left], lambda: self.go(Qt.Key.Key_Left)),
                ("Card above", [Qt.Key.Key_Up], lambda: self.go(Qt.Key.Key_Up)),
                ("Card below", [Qt.Key.Key_Down], lambda: self.go(Qt.Key.Key_Down)),
                ("First card", [Qt.Key.Key_Home], lambda: self.go(Qt.Key.Key_Home)),
                ("Last card", [Qt.Key.Key_End], lambda: self.go(Qt.Key.Key_End)),
                ("The card's keyframe variants", [Qt.Key.Key_Return, Qt.Key.Key_Enter], self._open_current)):
            action = QAction(words, self)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(run)
            self.addAction(action)

    def _open_current(self) -> None:
        if self.current is not None:
            self.open_requested.emit(self.current)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._walk(event.key()) is not None:
            self.go(event.key(), extend=True)
            return
        super().keyPressEvent(event)

    def go(self, key: int, *, extend: bool = False) -> None:
        target = self._walk(key)
        if target is None:
            return
        anchor = self.selected[0] if self.selected else self.current
        chosen = self._film_range(anchor, target) if extend else [target]
        self.current = target
        self.ensure_visible(target)
        self.chosen.emit(chosen)

    def _walk(self, key: int) -> str | None:
        """The card a key goes to: left and right in film order (on across scene rows), up and
        down to the nearest card of the line above or below, Home and End to the ends."""
        ids = [placed.card.shot_id for placed in self.placed]
        if not ids:
            return None
        if self.current not in ids:
            return ids[0] if key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Home) else (
                ids[-1] if key in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_End) else None)
        index = ids.index(self.current)
        steps = {Qt.Key.Key_Left: max(0, index - 1), Qt.Key.Key_Right: min(len(ids) - 1, index + 1),
                 Qt.Key.Key_Home: 0, Qt.Key.Key_End: len(ids) - 1}
        if key in steps:
            return ids[steps[key]]
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return self._line_neighbour(index, up=key == Qt.Key.Key_Up)
        return None

    def _line_neighbour(self, index: int, *, up: bool) -> str:
        here = self.placed[index].rect
        tops = sorted({placed.rect.top() for placed in self.placed})
        line = tops.index(here.top()) + (-1 if up else 1)
        if not 0 <= line < len(tops):
            return self.placed[index].card.shot_id
        candidates = [placed for placed in self.placed if placed.rect.top() == tops[line]]
        nearest = min(candidates, key=lambda placed: abs(placed.rect.center().x() - here.center().x()))
        return nearest.card.shot_id

    def _film_range(self, start: str | None, end: str) -> list[str]:
        ids = [placed.card.shot_id for placed in self.placed]
        if start not in ids:
            return [end]
        first, last = sorted((ids.index(start), ids.index(end)))
        return ids[first:last + 1]

    def ensure_visible(self, shot_id: str) -> None:
        rect = self.rect_of(shot_id)
        if rect is None:
            return
        bar, height = self.verticalScrollBar(), self.viewport().height()
        top, bottom = rect.top() - HEADER, rect.bottom() + MARGIN
        if top < bar.value() or bottom - top > height:  # a card taller than the view shows its top
            bar.setValue(top)
        elif bottom > bar.value() + height:
            bar.setValue(bottom - height)
