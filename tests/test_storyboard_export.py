"""The storyboard exported for review: `foundry storyboard export` (painted by the desktop program,
headless) and File ▸ Export storyboard… in the window. The PDF is read back with a PDF library: one
picture and one "Shot N" label per shot; PNG pages are read back as pictures."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import editor_window, opened, settings_in, wait_until  # noqa: E402
from PIL import Image  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QFileDialog  # noqa: E402
from storyboard_films import PROMPTS, storyboard_film  # noqa: E402

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.app.storyboard import storyboard_of  # noqa: E402
from foundry_desktop.cli.main import main  # noqa: E402
from foundry_desktop.ui.storyboard.sheet import PAGE, PNG_SCALE, lay_out  # noqa: E402


def pdf_text(pdf: Path) -> str:
    """The words of every page, ligatures undone and spacing made single (Qt's PDF spaces words with tabs)."""
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def shot_labels(pdf: Path) -> list[int]:
    return [int(number) for number in re.findall(r"Shot (\d+)", pdf_text(pdf))]


def pictures(pdf: Path) -> int:
    return sum(len(page.images) for page in PdfReader(pdf).pages)


def test_the_pdf_has_a_picture_and_a_label_per_shot_with_the_scenes(tmp_path, capsys):
    # 11 shots: some approved (their keyframe printed), the rest drawn as having none.
    path = storyboard_film(tmp_path / "film.foundry", shots=11, scenes=3, outside=2)
    board_pdf = tmp_path / "board.pdf"
    assert main(["storyboard", "export", str(path), "-o", str(board_pdf), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["files"] == [str(board_pdf)] and written["shots"] == 11

    reader = PdfReader(board_pdf)
    assert len(reader.pages) == written["pages"] > 1
    assert reader.metadata.title == "Harbour film — storyboard"
    assert shot_labels(board_pdf) == list(range(1, 12))
    assert pictures(board_pdf) == 11
    text = pdf_text(board_pdf)
    for words in ("Harbour film", "Scene 1 · Harbour 1", "Scene 3", "Outside any scene", "The town wakes, part 2."):
        assert words in text
    assert "No keyframe" not in text  # the placeholder is a picture, not words


def test_png_pages_are_numbered_and_hold_their_share_of_the_shots(tmp_path, capsys, qapp):
    path = storyboard_film(tmp_path / "film.foundry", shots=9, scenes=2, outside=0)
    assert main(["storyboard", "export", str(path), "-o", str(tmp_path / "board.png"), "--per-page", "4"]) == 0
    out = capsys.readouterr().out
    pages = sorted(tmp_path.glob("board-*.png"))
    assert [page.name for page in pages] == [f"board-{n}.png" for n in range(1, len(pages) + 1)]
    assert f"9 shots on {len(pages)} pages" in out
    with ProjectService.open(path, read_only=True) as service:
        laid_out = lay_out(storyboard_of(service), 4)
    assert len(laid_out) == len(pages) and all(len(page.cards) <= 4 for page in laid_out)
    assert sum(len(page.cards) for page in laid_out) == 9
    for page in pages:
        with Image.open(page) as picture:
            assert picture.size == (PAGE.width() * PNG_SCALE, PAGE.height() * PNG_SCALE)
            assert len(picture.getcolors(1 << 16) or range(1 << 16)) > 50  # drawn on, not a blank page

    assert main(["storyboard", "export", str(path), "-o", str(tmp_path / "single.png"), "--per-page", "40"]) == 0
    assert (tmp_path / "single.png").is_file() or (tmp_path / "single-1.png").is_file()


def test_bad_outputs_are_refused_in_words(tmp_path, capsys):
    path = storyboard_film(tmp_path / "film.foundry", shots=2, scenes=1, outside=0)
    assert main(["storyboard", "export", str(path), "-o", str(tmp_path / "board.docx")]) != 0
    assert "name a .pdf or a .png file" in capsys.readouterr().err
    assert main(["storyboard", "export", str(path), "-o", str(tmp_path / "missing" / "board.pdf")]) != 0
    assert "There is no folder" in capsys.readouterr().err
    assert main(["storyboard", "export", str(path), "-o", str(tmp_path / "b.pdf"), "--per-page", "0"]) != 0
    assert "at least one shot" in capsys.readouterr().err


def test_the_window_exports_the_storyboard_from_the_file_menu(qtbot, loop, tmp_path, monkeypatch):
    path = storyboard_film(tmp_path / "film.foundry", shots=6, scenes=2, outside=0)
    target = tmp_path / "for the client.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PDF (*.pdf)"))
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        window.activateWindow()  # shortcuts need an active window (offscreen Qt makes none active itself)
        wait_until(loop, window.isActiveWindow)
        assert opened(window, path)
        QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        wait_until(loop, lambda: "Storyboard written" in window.statusBar().currentMessage())
        assert window.errors == []
        # A name typed without a suffix, PNG pages chosen: a PNG (the six shots fit on one page).
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda *args, **kwargs: (str(tmp_path / "pages"), "PNG pages (*.png)"))
        window.statusBar().clearMessage()
        QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        wait_until(loop, lambda: "Storyboard written" in window.statusBar().currentMessage())
        assert window.statusBar().currentMessage().startswith("Storyboard written: pages.png (in ")
    assert shot_labels(target) == list(range(1, 7))
    assert pictures(target) == 6
    assert Image.open(tmp_path / "pages.png").size == (PAGE.width() * PNG_SCALE, PAGE.height() * PNG_SCALE)


def test_the_board_lists_scenes_in_film_order_with_an_empty_scene_where_the_list_has_it(tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=6, scenes=2, outside=1)
    with ProjectService.open(path) as service:
        service.add_scene("Night falls", at=1, location="Pier", time_of_day="night")  # between the two, no shots
        board = storyboard_of(service)
        assert [row.title for row in board.rows] == [
            "Outside any scene", "Scene 1 · Harbour 1", "Scene 2 · Night falls", "Scene 3 · Harbour 2"]
        assert [row.place for row in board.rows] == ["", "Harbour · noon", "Pier · night", "Harbour · dusk"]
        assert [len(row.cards) for row in board.rows] == [1, 3, 0, 2]
        assert board.rows[3].summary == "2 shots · 1.0 s"

        service.move_scene(service.project.timeline.scenes[2].id, 0)  # Harbour 2 first: its shots come first
        board = storyboard_of(service)
    assert [row.title for row in board.rows] == [
        "Outside any scene", "Scene 1 · Harbour 2", "Scene 2 · Harbour 1", "Scene 3 · Night falls"]
    assert [card.number for card in board.cards] == [1, 2, 3, 4, 5, 6]
    assert [card.prompt for card in board.rows[1].cards] == [PROMPTS[4], PROMPTS[0]]
