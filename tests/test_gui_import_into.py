"""File ▸ Import a cut into this project, from the menu: the cut lands after the film's end as one undo
step, and its warnings come grouped (an offline cut of hundreds of events reads as one line with a count,
every warning still under the box's details)."""

from __future__ import annotations

import pytest
from gui_loop import editor_window, opened, settings_in, wait_until
from interchange_samples import FCPXML_SAMPLES
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QListView, QMessageBox
from test_conform import edl

from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.dialogs.import_report import summarize

RATE = 24


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def timecode(frame: int) -> str:
    seconds, frames = divmod(frame, RATE)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


def offline_edl(tmp_path, count: int):
    """`count` one-second events whose clips are nowhere on disk: every one a shot to generate."""
    lines = []
    for number in range(count):
        record = 3600 * RATE + number * RATE
        lines.append(f"{number + 1:03d}  R{number:04d}    V     C        {timecode(number * RATE)} "
                     f"{timecode(number * RATE + RATE)} {timecode(record)} {timecode(record + RATE)}")
        lines.append(f"* FROM CLIP NAME: shot{number + 1}.mov")
    return edl(tmp_path, "offline.edl", "\n".join(lines))


def the_report(window, loop) -> QMessageBox:
    wait_until(loop, lambda: any(box.isVisible() for box in window.findChildren(QMessageBox)))
    return next(box for box in window.findChildren(QMessageBox) if box.isVisible())


def test_a_cut_imported_from_the_menu_lands_after_the_film_and_one_undo_takes_it_away(
        window, tmp_path, loop, monkeypatch):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate=RATE) as service:
        service.add_shot(name="Opening", prompt="a harbour at dawn", duration_frames=30)
    assert opened(window, path)
    source = offline_edl(tmp_path, 300)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(source), ""))
    window.import_into_action.trigger()
    box = the_report(window, loop)
    box.grab().save(str(tmp_path / "import-into-report.png"))
    text = box.text()
    assert len(text.splitlines()) < 10 and "300 shots have no media" in text, text
    assert "shot 1 (shot1.mov), 2 (shot2.mov), 3 (shot3.mov) and 297 more" in text
    assert len(box.detailedText().splitlines()) == 300  # every warning, one a line, under "Show Details…"
    assert window.session.selected == [window.session.service.project.timeline.shots[1].id]  # the cut's first
    canvas = window.timeline.canvas
    first, last = canvas.view.visible_frames(canvas.width())
    assert first <= 30 <= last  # the timeline shows where the cut begins
    with ProjectService.open(path, read_only=True) as reopened:  # the project file, opened afresh
        shots = reopened.project.timeline.shots
        assert [shot.name for shot in shots] == ["Opening", *(f"shot{n}.mov" for n in range(1, 301))]
        assert [placed.record_in for placed in reopened.cut_plan().shots][:3] == [0, 30, 30 + RATE]
    QTest.keyClick(box, Qt.Key.Key_Return)
    wait_until(loop, lambda: not any(box.isVisible() for box in window.findChildren(QMessageBox)))
    window.activateWindow()  # the box had the keyboard; the window has it back once the box is gone
    wait_until(loop, lambda: QApplication.activeWindow() is window)
    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    with ProjectService.open(path, read_only=True) as reopened:
        assert [shot.name for shot in reopened.project.timeline.shots] == ["Opening"]


def test_a_cut_that_cannot_be_read_is_refused_in_words_and_changes_nothing(window, tmp_path, loop, monkeypatch):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate=RATE) as service:
        service.add_shot(name="Opening", prompt="a harbour at dawn", duration_frames=30)
    assert opened(window, path)
    broken = tmp_path / "broken.fcpxml"
    broken.write_text("this is not XML")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(broken), ""))
    window.import_into_action.trigger()
    wait_until(loop, lambda: window.errors)
    title, message = window.errors[-1]
    assert title == "Cannot import broken.fcpxml" and "broken.fcpxml" in message
    with ProjectService.open(path, read_only=True) as reopened:
        assert [shot.name for shot in reopened.project.timeline.shots] == ["Opening"]


def test_title_cards_are_reported_once_and_as_notes_not_as_losses():
    warnings = ("Shot 2 is the title 'Opening' (Basic Title); it became a title card to generate, of its text.",
                "Shot 2 (Opening): it has no media; it is a shot to generate or replace.",
                "Shot 5 (Gone): harbour.mov was not found; it is a shot to generate or replace.",
                "The music in night.music.edl, beside night.edl, was read with it as the film's music.",
                "Event 004 is a wipe; it was read as a dissolve.")
    summary = summarize(warnings)
    assert summary.problems == ("1 shot has no media that could be used: it is a shot to generate or replace "
                                "(shot 5 (Gone)).", "Event 004 is a wipe; it was read as a dissolve.")
    assert summary.notes == ("1 title became a title card to generate: 2 (Opening).", warnings[3])
    assert summary.text().index("could not be kept") < summary.text().index("Also worth knowing")


def test_a_real_fcpxml_title_is_one_note_and_its_markers_one_line(tmp_path):
    """pneo_BasicMarkers.fcpxml (tests/data/SOURCES.md): a Basic Title and four markers outside it."""
    report = import_cut(FCPXML_SAMPLES / "pneo_BasicMarkers.fcpxml", tmp_path / "titles.foundry")
    summary = summarize(report.warnings)
    assert summary.notes == ("1 title became a title card to generate: 1 (Basic Title).",)
    assert summary.problems == ("4 markers lie outside the visible part of their clips and were left out: "
                                "'Standard Marker', 'To Do Marker, Incomplete', 'To Do Marker, Completed' and 1 more.",)


def ask_which_timeline(window, tmp_path, loop, monkeypatch):
    """A one-shot film open in the window, and Import into this project… asked for foundry_projects.fcpxml
    (three projects): the project's path and the question that is then open."""
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate=25) as service:
        service.add_shot(name="Opening", prompt="a harbour at dawn", duration_frames=30)
    assert opened(window, path)
    source = FCPXML_SAMPLES / "foundry_projects.fcpxml"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(source), ""))
    window.import_into_action.trigger()
    wait_until(loop, lambda: any(d.isVisible() for d in window.findChildren(QInputDialog)))
    dialog = next(d for d in window.findChildren(QInputDialog) if d.isVisible())
    return path, dialog


def test_a_file_of_several_timelines_asks_which_and_adds_the_one_clicked(window, tmp_path, loop, monkeypatch):
    """foundry_projects.fcpxml holds three projects: the into-project import asks as the new-project one does."""
    path, dialog = ask_which_timeline(window, tmp_path, loop, monkeypatch)
    assert dialog.comboBoxItems() == ["Untitled Project", "Main cut", "Alt cut"]
    assert "foundry_projects.fcpxml holds 3 timelines" in dialog.labelText() and not window.errors
    dialog.grab().save(str(tmp_path / "import-into-choice.png"))
    names = dialog.findChild(QListView)
    QTest.mouseClick(names.viewport(), Qt.MouseButton.LeftButton,
                     pos=names.visualRect(names.model().index(1, 0)).center())
    QTest.keyClick(names, Qt.Key.Key_Return)
    wait_until(loop, lambda: len(window.session.service.project.timeline.shots) == 3)
    with ProjectService.open(path, read_only=True) as reopened:  # the project file, opened afresh
        shots = reopened.project.timeline.shots
        assert [shot.name for shot in shots][0] == "Opening"
        assert [shot.spec.duration for shot in shots] == [30, 50, 75]  # Main cut's two clips after the film


def test_closing_the_question_adds_nothing(window, tmp_path, loop, monkeypatch):
    path, dialog = ask_which_timeline(window, tmp_path, loop, monkeypatch)
    QTest.keyClick(dialog.findChild(QListView), Qt.Key.Key_Escape)
    wait_until(loop, lambda: not window.findChildren(QInputDialog))  # closed and deleted
    assert not window.work.busy and not window.errors
    with ProjectService.open(path, read_only=True) as reopened:
        assert [shot.name for shot in reopened.project.timeline.shots] == ["Opening"]


def test_the_media_tab_says_which_cut_and_clip_each_imported_file_came_from(window, tmp_path, loop, monkeypatch):
    path = tmp_path / "film.foundry"
    ProjectService.create(path, width=320, height=180, frame_rate=RATE).close()
    assert opened(window, path)
    still = tmp_path / "harbour.png"
    Image.new("RGB", (64, 36), (20, 90, 160)).save(still)
    source = edl(tmp_path, "harbour.edl", f"001  AX       V     C        00:00:00:00 00:00:01:00 "
                                          f"{timecode(3600 * RATE)} {timecode(3601 * RATE)}\n"
                                          "* FROM CLIP NAME: harbour.png")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(source), ""))
    window.import_into_action.trigger()
    wait_until(loop, lambda: len(window.session.service.project.timeline.shots) == 1)
    with ProjectService.open(path, read_only=True) as reopened:  # the project file, opened afresh
        (item,) = reopened.project.media
        assert item.origin == f"{still} (clip 'harbour.png' of {source})"
    tiles = window.media_bin.list
    wait_until(loop, lambda: tiles.count() == 1)
    assert f"From {still} (clip 'harbour.png' of {source})" in tiles.item(0).toolTip()


def test_retimed_shots_are_one_line_and_every_one_is_under_the_details(window, tmp_path, loop, monkeypatch):
    """Final Cut's timeMap on every other clip of a project: the window's report says it once."""
    path = tmp_path / "film.foundry"
    ProjectService.create(path, width=320, height=180, frame_rate=25).close()
    assert opened(window, path)
    ramp = ('<timeMap><timept time="0s" value="0s" interp="linear"/><timept time="1s" value="2s" '
            'interp="linear"/></timeMap>')
    clips = "".join(f'<asset-clip ref="r2" name="{"ramp" if n % 2 == 0 else "plain"} {n}" offset="{n}s" '
                    f'start="{n}s" duration="1s">{ramp if n % 2 == 0 else ""}</asset-clip>' for n in range(40))
    source = tmp_path / "ramps.fcpxml"
    source.write_text('<?xml version="1.0"?><!DOCTYPE fcpxml><fcpxml version="1.10"><resources><format id="r1" '
                      'frameDuration="1/25s" width="1920" height="1080"/><asset id="r2" name="Rushes" start="0s" '
                      f'duration="100s" hasVideo="1" format="r1"><media-rep kind="original-media" '
                      f'src="{(tmp_path / "gone" / "rushes.mov").as_uri()}"/></asset></resources><library>'
                      f'<event name="E"><project name="Ramps"><sequence format="r1"><spine>{clips}</spine>'
                      '</sequence></project></event></library></fcpxml>')
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(source), ""))
    window.import_into_action.trigger()
    box = the_report(window, loop)
    box.grab().save(str(tmp_path / "import-retimes.png"))
    assert ("20 shots play at another speed (a retime, speed effect or media at another frame rate), which Foundry "
            "does not represent; they play at normal speed (shot 1 (ramp 0), 3 (ramp 2), 5 (ramp 4) and 17 more)."
            in box.text()), box.text()
    assert len(box.text().splitlines()) < 8  # the 40 shots without media one line, the 20 retimed another
    details = box.detailedText().splitlines()
    assert sum("changes speed (retime)" in line for line in details) == 20
