"""One shot card, painted: its keyframe (or a drawing that says why there is none) over its
number, length, prompt and the two stages' badges. The storyboard view paints it on screen
and the contact sheet on paper, each with its own look.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen

from foundry_desktop.app.storyboard import Card
from foundry_desktop.ui.theme import ACCENT, BASE, DIM_TEXT, PANEL, STATUS_COLOURS, TEXT

PICTURE_RATIO = 9 / 16
KEYFRAME_COLOURS = {"approved": STATUS_COLOURS["current"], "variants": STATUS_COLOURS["stale"],
                    "none": STATUS_COLOURS["missing"]}


@dataclass(frozen=True)
class CardLook:
    """The colours and type of a card: the editor's dark theme, or ink on paper."""

    card: QColor
    picture_ground: QColor  # behind a letterboxed picture, and the placeholder's ground
    text: QColor
    dim_text: QColor
    accent: QColor  # the selected card's frame
    font_px: int  # the body text's pixel size; the rest is scaled from it
    badges: bool = True


SCREEN = CardLook(PANEL, BASE, TEXT, DIM_TEXT, ACCENT, 12)
PAPER = CardLook(QColor("#ffffff"), QColor("#e9eaec"), QColor("#1b1c1f"), QColor("#5f636b"), ACCENT, 11,
                 badges=False)


def card_height(width: int, look: CardLook, *, prompt_lines: int = 2) -> int:
    """The card's height for its width: the picture's 16:9, then the words under it."""
    line = _font(look, 1.0).pixelSize() * 1.45
    badge_room = line * 1.5 if look.badges else 0
    return round(width * PICTURE_RATIO + 10 + line * (1 + prompt_lines) + badge_room + 10)


def paint_card(painter: QPainter, rect: QRect, card: Card, picture: QImage | None, look: CardLook, *,
               selected: bool = False, progress: float | None = None, prompt_lines: int = 2) -> None:
    """`card` into `rect`; `picture` is its approved keyframe, read (None: not read yet, or none)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    frame = QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5)
    outline = QPainterPath()
    outline.addRoundedRect(frame, 6, 6)
    painter.fillPath(outline, look.card)
    picture_rect = QRect(rect.left(), rect.top(), rect.width(), round(rect.width() * PICTURE_RATIO))
    painter.save()
    painter.setClipPath(outline)
    _paint_picture(painter, picture_rect, card, picture, look)
    if progress is not None:
        bar = QRectF(picture_rect.left(), picture_rect.bottom() - 3, picture_rect.width() * progress, 4)
        painter.fillRect(bar, STATUS_COLOURS["generating"])
    painter.restore()
    _paint_words(painter, rect.adjusted(10, picture_rect.height() + 8, -10, -8), card, look, prompt_lines)
    painter.setPen(QPen(look.accent, 3) if selected else QPen(look.dim_text.darker(160), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(frame.adjusted(1, 1, -1, -1) if selected else frame, 6, 6)
    painter.restore()


def _paint_picture(painter: QPainter, rect: QRect, card: Card, picture: QImage | None, look: CardLook) -> None:
    painter.fillRect(rect, look.picture_ground)
    if picture is not None and not picture.isNull():
        scaled = picture.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, scaled.width(), scaled.height())
        target.moveCenter(rect.center())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, picture)
        return
    if card.keyframe is not None:
        return  # being read: the ground alone, so the card does not flash a false "No keyframe"
    paint_placeholder(painter, rect, card, look)


def paint_placeholder(painter: QPainter, rect: QRect, card: Card, look: CardLook) -> None:
    """A frame with a camera-less mark: 'No keyframe', or 'Keyframe not approved' over variants."""
    painter.setPen(QPen(look.dim_text, 1, Qt.PenStyle.DashLine))
    inner = QRectF(rect).adjusted(10, 10, -10, -10)
    painter.drawRoundedRect(inner, 4, 4)
    centre = QPointF(inner.center().x(), inner.center().y() - inner.height() * 0.12)
    size = min(inner.width(), inner.height()) * 0.16
    painter.setPen(QPen(look.dim_text, 2))
    painter.drawRoundedRect(QRectF(centre.x() - size, centre.y() - size * 0.7, size * 2, size * 1.4), 3, 3)
    painter.drawEllipse(centre, size * 0.42, size * 0.42)
    painter.setFont(_font(look, 1.0, bold=True))
    words = "Keyframe not approved" if card.keyframe_state == "variants" else "No keyframe"
    below = QRectF(inner.left(), centre.y() + size * 0.9, inner.width(), inner.bottom() - centre.y() - size * 0.9)
    painter.drawText(below, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, words)


def _paint_words(painter: QPainter, rect: QRect, card: Card, look: CardLook, prompt_lines: int) -> None:
    title_font, body_font = _font(look, 1.08, bold=True), _font(look, 1.0)
    line = round(body_font.pixelSize() * 1.45)
    painter.setFont(title_font)
    painter.setPen(look.text)
    head = QRect(rect.left(), rect.top(), rect.width(), line)
    painter.drawText(head, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, card.label)
    painter.setFont(body_font)
    painter.setPen(look.dim_text)
    painter.drawText(head, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, card.duration_text)
    painter.setPen(look.text)
    prompt = QRect(rect.left(), head.bottom() + 2, rect.width(), line * prompt_lines)
    # Broken into lines here, not by Qt: its own wrap may break a line that was measured to fit.
    painter.drawText(prompt, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                     elided_lines(card.prompt or "(no prompt)", QFontMetrics(body_font), rect.width(), prompt_lines))
    if look.badges:
        badges = QRect(rect.left(), prompt.bottom() + 4, rect.width(), round(line * 1.25))
        _paint_badges(painter, badges, card, _font(look, 0.88))


def _paint_badges(painter: QPainter, rect: QRect, card: Card, font: QFont) -> None:
    """Two pills: the keyframe's state, then the video's."""
    painter.setFont(font)
    metrics = QFontMetrics(font)
    left = rect.left()
    video_kind = card.video.kind
    for words, colour in ((_short_keyframe(card), KEYFRAME_COLOURS[card.keyframe_state]),
                          (_short_video(card), STATUS_COLOURS.get(video_kind, STATUS_COLOURS["missing"]))):
        width = min(metrics.horizontalAdvance(words) + 14, rect.right() - left)
        if width <= 14:
            break
        pill = QRectF(left, rect.top(), width, rect.height())
        tint = QColor(colour)
        tint.setAlpha(70)
        painter.setPen(QPen(colour, 1))
        painter.setBrush(tint)
        painter.drawRoundedRect(pill, rect.height() / 2, rect.height() / 2)
        painter.setPen(colour.lighter(135))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, metrics.elidedText(words, Qt.TextElideMode.ElideRight,
                                                                                  width - 10))
        left += width + 6


def _short_keyframe(card: Card) -> str:
    if card.keyframe_state == "approved":
        return "✓ Keyframe"
    return f"{card.variants} to approve" if card.keyframe_state == "variants" else "No keyframe"


def _short_video(card: Card) -> str:
    kind = card.video.kind
    if kind == "missing":
        return "No video"
    if kind == "stale" and card.video.reasons:
        return f"Stale: {card.video.reasons[0]}"
    return {"current": "Video ✓", "generating": "Animating…", "failed": "Video failed"}.get(kind, kind)


def elided_lines(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """`text` wrapped into at most `lines` lines of `width`, the last cut with an ellipsis."""
    words, kept, current = text.split(), [], ""
    for index, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if metrics.horizontalAdvance(trial) <= width or not current:
            current = trial
            continue
        kept.append(current)
        current = word
        if len(kept) == lines - 1:
            current = " ".join(words[index:])
            break
    kept.append(metrics.elidedText(current, Qt.TextElideMode.ElideRight, width))
    return "\n".join(kept[:lines])


def _font(look: CardLook, scale: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(max(6, round(look.font_px * scale)))
    font.setBold(bold)
    return font
