"""Media in and media lost, in the whole editor window offscreen: File > Import media… (Ctrl+I)
brings footage and sound into the media bin (a damaged file says why and changes nothing),
files dropped on the bin come in too (a file already there once only), tiles
dragged from the bin onto the timeline become a shot and a music clip; a project whose
media folder was moved opens with one notice naming the files as the creator knows them (no
modal box), its shot marked offline, and Relink… with the folder brings the media back as one
undo step. Each checks the project file afterwards."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from gui_loop import editor_window, opened, settings_in, wait_until
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from test_gui_timeline import drop_mime
from video_sources import write_video, write_wav

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_bin import bin_entries, place_entry, prepare_entry, prepare_import
from foundry_desktop.media.probe import probe_media
from foundry_desktop.ui.timeline.geometry import row_of


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def bin_tile(window, name: str):
    bin_list = window.media_bin.list
    return next(bin_list.item(row) for row in range(bin_list.count())
                if bin_list.item(row).text().startswith(name))


def drop_from_bin(window, name: str, at: QPoint) -> None:
    """What a drag of the bin's tile carries (the list's own mimeData), dropped on the timeline."""
    drop_mime(window.timeline.canvas, window.media_bin.list.mimeData([bin_tile(window, name)]), at)


def test_media_imported_from_the_file_menu_goes_to_the_bin_and_from_there_onto_the_timeline(
        window, monkeypatch, tmp_path, loop):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        service.add_shot(prompt="opening", duration_seconds="2")
    clip = write_video(tmp_path / "beach.mp4", frames=48)
    song = write_wav(tmp_path / "song.wav", 3.0, 0.3)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"this is not a video" * 200)
    assert opened(window, path)
    assert window.import_media_action.shortcut() == QKeySequence("Ctrl+I")
    assert window.import_action.shortcut() == QKeySequence("Ctrl+Shift+I")  # Import a cut moved over

    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *args, **kwargs: ([str(clip), str(song), str(broken)], "")))
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    wait_until(loop, lambda: window.media_bin.list.count() == 2 and window.errors)
    assert window.media_tabs.currentWidget() is window.media_bin
    assert bin_tile(window, "beach.mp4").text() == "beach.mp4\n2.0 s · not used yet"
    assert bin_tile(window, "song.wav").text() == "song.wav\n3.0 s · not used yet"
    assert [title for title, _ in window.errors] == ["Cannot import broken.mp4"]
    assert "damaged" in window.errors[0][1] and "not imported" in window.errors[0][1]
    assert window.session.service.undo_label() == "Import 2 files"

    # Files dropped from the file manager on the bin come in the same way; one already there does not.
    still = tmp_path / "poster.png"
    Image.fromarray(np.full((90, 160, 3), 200, np.uint8)).save(still)
    notices = []
    window.session.notice.connect(notices.append)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(clip)), QUrl.fromLocalFile(str(still))])
    dropped = QDropEvent(QPointF(40, 40), Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, mime,
                         Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.media_bin.dropEvent(dropped)
    assert dropped.dropAction() == Qt.DropAction.CopyAction  # the files stay where they were
    wait_until(loop, lambda: window.media_bin.list.count() == 3)
    assert bin_tile(window, "poster.png").text() == "poster.png\nstill · not used yet"
    assert notices == ["Already in the bin: beach.mp4."]
    assert window.session.service.undo_label() == "Import poster.png"

    canvas = window.timeline.canvas
    end_of_film = round(canvas.view.x_of(canvas._plan.length)) + 20
    drop_from_bin(window, "beach.mp4", QPoint(end_of_film, row_of("video").top + 30))
    wait_until(loop, lambda: len(window.session.service.project.timeline.shots) == 2)
    drop_from_bin(window, "song.wav", QPoint(round(canvas.view.x_of(24)), row_of("music").top + 10))
    wait_until(loop, lambda: window.session.service.project.timeline.music)
    assert bin_tile(window, "beach.mp4").text().endswith("used 1×")
    assert window.session.service.undo_label() == "Add music song.wav"

    loop.run_until_complete(window.session.wait_idle())
    with ProjectService.open(path, read_only=True) as reopened:
        project = reopened.project
        assert [item.name for item in project.media] == ["beach.mp4", "song.wav", "poster.png"]
        opening, beach = project.timeline.shots
        assert (beach.name, beach.spec.backend, beach.length) == ("beach", "media", 48)
        assert project.selected_take(beach).content_hash == project.media[0].content_hash
        [music] = project.timeline.music
        assert (music.name, music.start, music.content_hash) == ("song.wav", 24, project.media[1].content_hash)
        assert len(project.takes_of(opening.id)) == 0  # the shot there was left alone


def test_a_moved_media_folder_is_one_notice_an_offline_mark_and_relink_brings_it_back_in_one_undo_step(
        window, monkeypatch, tmp_path, loop):
    path = tmp_path / "film.foundry"
    (tmp_path / "imports").mkdir()
    clip = write_video(tmp_path / "imports" / "beach.mp4", frames=48)
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        service.add_media([prepare_import(service.media, clip)])
        [entry] = bin_entries(service.project)
        place_entry(service, prepare_entry(service.media, entry), frame=0, index=0)
        take_path = service.project.selected_take(service.project.timeline.shots[0]).media_path
    elsewhere = tmp_path / "external drive"
    elsewhere.mkdir()
    shutil.move(tmp_path / "film.media", elsewhere / "film.media")

    assert opened(window, path)
    notice = window.offline_notice
    wait_until(loop, lambda: notice.isVisible())
    text = notice.message.text()
    assert "1 media file is offline" in text and "beach.mp4" in text
    assert entry.content_hash not in text and "takes/" not in text  # named as the creator knows it
    canvas = window.timeline.canvas
    centre = QPoint(round(canvas.view.x_of(24)), row_of("video").top + row_of("video").height // 2 + 8)
    picture = canvas.grab().toImage()  # painting asks for no filmstrip of the offline take
    red = picture.pixelColor(centre)
    assert red.red() > red.green() + 25, red.name()  # the offline look, not a filmstrip or a blank tile
    wait_until(loop, lambda: "offline" in bin_tile(window, "beach.mp4").text())
    window.media_tabs.setCurrentWidget(window.takes)
    window.session.select([window.session.service.project.timeline.shots[0].id])
    loop.run_until_complete(window.session.wait_idle())  # the tile's still: none to be had, and no pop-up
    gallery, key = window.takes.gallery, window.session.service.project.media[0].content_hash
    point = gallery.visualItemRect(gallery.item(0)).center()
    QTest.mouseMove(gallery.viewport(), point)  # plays a take on hover
    wait_until(loop, lambda: key in window.takes._strips)
    loop.run_until_complete(window.session.wait_idle())
    assert window.errors == [] and QApplication.activeModalWidget() is None  # no pop-ups at all

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: str(elsewhere)))
    QTest.mouseClick(notice.relink_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: window.findChild(QMessageBox, "relink-report") is not None)
    report = window.findChild(QMessageBox, "relink-report")
    assert report.text() == "Found 1 of 1 offline files.\n• beach.mp4 — in external drive/film.media"
    assert not report.isModal() and QApplication.activeModalWidget() is None, window.errors
    wait_until(loop, lambda: not notice.isVisible())
    wait_until(loop, lambda: "offline" not in bin_tile(window, "beach.mp4").text())
    wait_until(loop, lambda: window.media_bin._pictures.get(entry.content_hash))  # its picture, asked again
    service = window.session.service
    assert service.undo_label() == "Relink 1 file"
    after = canvas.grab().toImage().pixelColor(centre)
    assert not after.red() > after.green() + 25  # the mark is gone
    loop.run_until_complete(window.session.wait_idle())

    with ProjectService.open(path, read_only=True) as reopened:
        project = reopened.project
        assert project.media[0].origin.startswith(str(elsewhere))
        assert probe_media(reopened.media.path_of(take_path)).frame_count == 48  # the file the project names plays
        assert reopened.shot_status(project.timeline.shots[0]).kind == "current"
    window.undo_action.trigger()  # one step: the relink, back to the shot's placing before it
    assert service.undo_label() == "Add beach.mp4"
