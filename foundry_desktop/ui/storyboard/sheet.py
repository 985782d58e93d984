"""The storyboard as a printable contact sheet for review: A4 landscape pages with the film's
title, each scene as a section (its name, place and time, description and notes) and a card per
shot (its keyframe or a drawing saying there is none, "Shot N", its length and prompt). Written as
a PDF (Qt's PDF writer, which works headless) or as PNG pages, whichever the file's suffix says.

Every card carries exactly one picture, the placeholder included, so a reader of the file can
count the shots by its pictures. Painting only reads files: it may run in a worker thread.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from foundry_desktop.app.storyboard import Card, Row, Storyboard
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.ui.picture_loading import read_picture
from foundry_desktop.ui.storyboard.card_painting import (
    PAPER,
    PICTURE_RATIO,
    card_height,
    paint_card,
    paint_placeholder,
)

PAGE = QSize(1123, 794)  # A4 landscape at 96 dots per inch: the units the sheet is laid out in
MARGIN, GAP, TITLE_HEIGHT, SECTION_HEIGHT = 48, 18, 78, 58
PNG_SCALE = 2  # PNG pages at 192 dpi: sharp on screen and in print
PICTURE_WIDTH = 480
DEFAULT_PER_PAGE = 12
PROMPT_LINES = 3
INK, DIM_INK = QColor("#1b1c1f"), QColor("#5f636b")


@dataclass(frozen=True)
class Section:
    row: Row
    top: int
    continued: bool  # the scene began on an earlier page


@dataclass(frozen=True)
class Page:
    sections: tuple[Section, ...]
    cards: tuple[tuple[Card, QRect], ...]


def lay_out(board: Storyboard, per_page: int) -> list[Page]:
    """The board in pages: a title on the first, then each scene's header and its cards in
    lines of up to four, a new page when the next line does not fit or the page holds `per_page` cards."""
    if per_page < 1:
        raise InvalidEditError("A page holds at least one shot (--per-page 1 or more).")
    columns = min(4, per_page)
    width = (PAGE.width() - 2 * MARGIN - (columns - 1) * GAP) // columns
    height = card_height(width, PAPER, prompt_lines=PROMPT_LINES)
    pages: list[Page] = []
    sections: list[Section] = []
    cards: list[tuple[Card, QRect]] = []
    y = MARGIN + TITLE_HEIGHT

    def new_page() -> None:
        nonlocal sections, cards, y
        pages.append(Page(tuple(sections), tuple(cards)))
        sections, cards, y = [], [], MARGIN

    for row in board.rows:
        lines = [row.cards[i:i + columns] for i in range(0, len(row.cards), columns)] or [()]
        for number, line in enumerate(lines):
            header = SECTION_HEIGHT if number == 0 or not sections or sections[-1].row is not row else 0
            full = len(cards) + len(line) > per_page and cards
            if full or y + header + (height if line else 0) > PAGE.height() - MARGIN:
                new_page()
                header = SECTION_HEIGHT
            if header:
                sections.append(Section(row, y, continued=number > 0))
                y += header
            for column, card in enumerate(line):
                cards.append((card, QRect(MARGIN + column * (width + GAP), y, width, height)))
            y += height + GAP if line else 0
        y += GAP // 2
    pages.append(Page(tuple(sections), tuple(cards)))
    return pages


def write_sheet(board: Storyboard, output: Path, *, per_page: int = DEFAULT_PER_PAGE, readers: int = 1) -> list[Path]:
    """Write the sheet to `output` (.pdf or .png) and return the files written: one PDF, or one
    PNG per page (board.png alone for one page; board-1.png, board-2.png... for several).
    `readers` threads read the keyframes (one beside a window: the others keep its cores free)."""
    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".png"):
        raise InvalidEditError(f"Cannot write a storyboard as {output.name}: name a .pdf or a .png file.")
    if not output.parent.is_dir():
        raise InvalidEditError(f"There is no folder {output.parent} to write the storyboard in.")
    pages = lay_out(board, per_page)
    pictures = _pictures(board, readers)
    if suffix == ".pdf":
        return [_write_pdf(board, pages, pictures, output)]
    return _write_pngs(board, pages, pictures, output)


def _pictures(board: Storyboard, readers: int) -> dict[str, QImage]:
    """Each approved keyframe, read at the size a card prints it (an unreadable one: none)."""
    cards = [card for card in board.cards if card.keyframe is not None]
    with ThreadPoolExecutor(max_workers=max(1, readers)) as pool:
        images = pool.map(lambda card: read_picture(card.keyframe, PICTURE_WIDTH), cards)
        return {card.shot_id: image.convertToFormat(QImage.Format.Format_RGB32)
                for card, image in zip(cards, images) if not image.isNull()}


def _write_pdf(board: Storyboard, pages: list[Page], pictures: dict[str, QImage], output: Path) -> Path:
    writer = QPdfWriter(str(output))
    writer.setTitle(f"{board.title} — storyboard")
    writer.setCreator("Foundry Desktop")
    writer.setResolution(96)  # device units = the layout's units
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(0, 0, 0, 0)))
    painter = QPainter(writer)
    if not painter.isActive():
        raise InvalidEditError(f"Cannot write {output}: the file cannot be made there.")
    for number, page in enumerate(pages, start=1):
        if number > 1:
            writer.newPage()
        _paint_page(painter, board, page, pictures, number, len(pages))
    painter.end()
    return output


def _write_pngs(board: Storyboard, pages: list[Page], pictures: dict[str, QImage], output: Path) -> list[Path]:
    written = []
    for number, page in enumerate(pages, start=1):
        image = QImage(PAGE * PNG_SCALE, QImage.Format.Format_RGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        painter.scale(PNG_SCALE, PNG_SCALE)
        _paint_page(painter, board, page, pictures, number, len(pages))
        painter.end()
        target = output if len(pages) == 1 else output.with_name(f"{output.stem}-{number}{output.suffix}")
        if not image.save(str(target)):
            raise InvalidEditError(f"Cannot write {target}.")
        written.append(target)
    return written


def _paint_page(painter: QPainter, board: Storyboard, page: Page, pictures: dict[str, QImage], number: int,
                pages: int) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    if number == 1:
        painter.setPen(INK)
        painter.setFont(_font(26, bold=True))
        painter.drawText(QRect(MARGIN, MARGIN, PAGE.width() - 2 * MARGIN, 36), Qt.AlignmentFlag.AlignLeft,
                         board.title)
        painter.setPen(DIM_INK)
        painter.setFont(_font(13))
        painter.drawText(QRect(MARGIN, MARGIN + 40, PAGE.width() - 2 * MARGIN, 20), Qt.AlignmentFlag.AlignLeft,
                         f"Storyboard · {board.subtitle}")
    for section in page.sections:
        _paint_section(painter, section)
    for card, rect in page.cards:
        picture = pictures.get(card.shot_id) or _placeholder(card, rect.width())
        paint_card(painter, rect, card, picture, PAPER, prompt_lines=PROMPT_LINES)
    painter.setPen(DIM_INK)
    painter.setFont(_font(10))
    painter.drawText(QRect(MARGIN, PAGE.height() - MARGIN + 14, PAGE.width() - 2 * MARGIN, 16),
                     Qt.AlignmentFlag.AlignRight, f"{board.title} · page {number} of {pages}")


def _paint_section(painter: QPainter, section: Section) -> None:
    row = section.row
    colour = QColor(row.scene.color) if row.scene is not None else DIM_INK
    painter.fillRect(QRect(MARGIN, section.top + 4, 4, SECTION_HEIGHT - 16), colour)
    left, width = MARGIN + 14, PAGE.width() - 2 * MARGIN - 14
    painter.setPen(INK)
    painter.setFont(_font(15, bold=True))
    title = row.title + (" (continued)" if section.continued else "")
    painter.drawText(QRect(left, section.top, width, 22), Qt.AlignmentFlag.AlignLeft, title)
    details = " · ".join(part for part in (row.place, row.summary if row.cards else "no shots yet") if part)
    notes = " ".join(row.notes.split())
    painter.setPen(DIM_INK)
    painter.setFont(_font(11))
    line = f"{details} — {notes}" if notes and not section.continued else details
    painter.drawText(QRect(left, section.top + 22, width, 18), Qt.AlignmentFlag.AlignLeft,
                     painter.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, width))


def _placeholder(card: Card, width: int) -> QImage:
    """The card's 'No keyframe' drawing as a picture of its own (one picture per card)."""
    size = QSize(width, round(width * PICTURE_RATIO))
    image = QImage(size * 2, QImage.Format.Format_RGB32)
    image.fill(PAPER.picture_ground)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(2, 2)
    paint_placeholder(painter, QRect(QPoint(0, 0), size), card, PAPER)
    painter.end()
    return image


def _font(pixels: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font
