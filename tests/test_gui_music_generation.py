"""Shots ▸ Generate music…, offscreen: the dialog filled in with real keys and clicks, its refusals
in words, the bed generated in the background and placed at the playhead on the music track,
in the project file; and the music clip inspector showing the clip's prompt and takes to choose from."""

from __future__ import annotations

import pytest
from gui_loop import editor_window, opened, settings_in, wait_until
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.music_generation import generate_music
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.dialogs.music_generation import GenerateMusicDialog


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def film(tmp_path):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        service.add_shot(prompt="dawn", duration_seconds="2", seed=1)
        service.add_shot(prompt="dusk", duration_seconds="2", seed=2)
    return path


def open_dialog(window) -> GenerateMusicDialog:
    shots_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Shots")
    assert window.generate_music_action in shots_menu.actions()
    window.generate_music_action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, GenerateMusicDialog) and w.isVisible())
    return dialog


def test_the_dialog_generates_a_bed_at_the_playhead_and_the_inspector_offers_its_takes(qtbot, loop, tmp_path, film):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        assert opened(window, film)
        session = window.session
        session.move_playhead(24)
        dialog = open_dialog(window)
        wait_until(loop, lambda: dialog.estimate.text() == "1 take, free")
        QTest.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)  # no prompt yet: said in words
        assert dialog.error_line.isVisible() and "Say what the music" in dialog.error_line.text()
        QTest.keyClicks(dialog.prompt, "calm warm strings")
        assert not dialog.error_line.isVisible()  # typing answers it
        QTest.mouseClick(dialog.film_length, Qt.MouseButton.LeftButton)  # seconds of its own
        assert dialog.seconds.isEnabled()
        dialog.seconds.selectAll()
        QTest.keyClicks(dialog.seconds.lineEdit(), "3")
        QTest.keyClick(dialog.seconds.lineEdit(), Qt.Key.Key_Tab)
        dialog.variants.setFocus()
        QTest.keyClick(dialog.variants, Qt.Key.Key_Up)  # one variant
        wait_until(loop, lambda: dialog.estimate.text() == "2 takes, free")
        dialog.grab().save("/tmp/music-dialog.png")
        QTest.keyClick(dialog.prompt, Qt.Key.Key_Return)  # Generate is the default button
        assert not dialog.isVisible()
        wait_until(loop, lambda: session.selected_music)  # the new clip, selected when it arrives
        (clip,) = session.service.project.timeline.music
        assert clip.start == 24 and clip.source_out == 72
        inspector = window.inspector
        fields = inspector.track_pages[0]
        assert fields.isVisible() and "calm warm strings" in fields.prompt.text()
        assert fields.takes.count() == 2
        other = next(i for i in range(2) if fields.takes.item(i).data(Qt.ItemDataRole.UserRole) != clip.selected_take_id)
        chosen_id = fields.takes.item(other).data(Qt.ItemDataRole.UserRole)
        rect = fields.takes.visualItemRect(fields.takes.item(other))
        QTest.mouseClick(fields.takes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click
        QTest.mouseDClick(fields.takes.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert session.service.project.timeline.music[0].selected_take_id == chosen_id  # an edit, at once
        assert fields.takes.item(other).text().startswith("▶")
        window.jobs.reload()
        table = window.jobs.model
        assert sorted(table.data(table.index(row, 0)) for row in range(table.rowCount())) == ["Music 1", "Music 1"]
        waveforms = window.timeline.canvas.tracks.waveforms
        wait_until(loop, lambda: waveforms.seconds(session.service.project.timeline.music[0]))  # its outline drawn
        assert abs(waveforms.seconds(session.service.project.timeline.music[0]) - 3.0) < 0.05
        window.grab().save("/tmp/music-window.png")
    with ProjectService.open(film) as reopened:  # the project file has the clip and the chosen take
        (clip,) = reopened.project.timeline.music
        assert (clip.start, clip.selected_take_id, clip.spec.prompt) == (24, chosen_id, "calm warm strings")
        assert len(reopened.project.takes_of(clip.id)) == 2
        assert reopened.undo_label() == "Choose take of music Music: calm warm strings"


def test_an_empty_film_asks_for_seconds(qtbot, loop, tmp_path):
    path = tmp_path / "empty.foundry"
    ProjectService.create(path, width=320, height=180, frame_rate="24").close()
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        assert opened(window, path)
        dialog = open_dialog(window)
        QTest.keyClicks(dialog.prompt, "a bed")
        QTest.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
        assert "no shots yet" in dialog.error_line.text() and dialog.isVisible()
        wait_until(loop, lambda: "no shots yet" in dialog.estimate.text())
        QTest.mouseClick(dialog.film_length, Qt.MouseButton.LeftButton)  # seconds of its own, on Replicate
        assert not dialog.error_line.isVisible()
        dialog.backend.setFocus()
        QTest.keyClick(dialog.backend, Qt.Key.Key_Down)
        assert dialog.backend.currentData() == "replicate" and dialog.model.isEnabled()
        wait_until(loop, lambda: "Replicate" in dialog.estimate.text())
        assert dialog.estimate.text() == "1 take, cost in Replicate seconds not known until one has run"
        dialog.grab().save("/tmp/music-dialog-replicate.png")
        dialog.reject()


def test_generate_again_from_the_inspector_asks_with_the_clips_own_fields(qtbot, loop, tmp_path, film):
    with ProjectService.open(film) as service:
        async def first():
            async with generation_backends() as registry:
                return await generate_music(service, registry, prompt="soft rain", seconds=2, seed=3)
        clip_id = loop.run_until_complete(first()).clip_id
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        assert opened(window, film)
        session = window.session
        session.select([], music=[clip_id])
        fields = window.inspector.track_pages[0]
        assert fields.again.isVisible()
        QTest.mouseClick(fields.again, Qt.MouseButton.LeftButton)
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, GenerateMusicDialog) and w.isVisible())
        assert (dialog.prompt.text(), dialog.seconds.value(), dialog.film_length.isChecked()) == ("soft rain", 2.0, False)
        wait_until(loop, lambda: dialog.estimate.text() == "Nothing to generate: the music is current.")
        dialog.prompt.selectAll()
        QTest.keyClicks(dialog.prompt, "soft rain, cello")
        QTest.keyClick(dialog.prompt, Qt.Key.Key_Tab)  # the estimate follows the finished prompt
        wait_until(loop, lambda: dialog.estimate.text() == "1 take, free")
        dialog.grab().save("/tmp/music-dialog-again.png")
        QTest.keyClick(dialog.prompt, Qt.Key.Key_Return)
        wait_until(loop, lambda: len(session.service.project.takes_of(clip_id)) == 2)
        wait_until(loop, lambda: fields.takes.count() == 2)
        fields.grab().save("/tmp/music-inspector.png")
    with ProjectService.open(film) as reopened:
        (clip,) = reopened.project.timeline.music
        newest = reopened.project.takes_of(clip_id)[-1]
        assert (clip.spec.prompt, clip.spec.seed, clip.selected_take_id) == ("soft rain, cello", 3, newest.id)
        assert clip.source_out == 48  # its own two seconds, not the film's four
