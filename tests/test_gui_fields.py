"""The right fields for the right thing (issue 17): the inspector shows a footage or still shot
as media (its source file, in and out, framing and sound) with no prompt, seed or backend, and
a generated shot as generation settings; each media field, typed or clicked, is one undo step
saved to the project file."""

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import project_session, wait_until  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent, QHelpEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QToolTip  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from video_sources import sine, write_video  # noqa: E402

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.app.shots.media_shots import add_media_shot  # noqa: E402
from foundry_desktop.domain.keyframe_spec import approved_keyframe  # noqa: E402
from foundry_desktop.domain.project import new_id  # noqa: E402
from foundry_desktop.ui.inspector.inspector import InspectorPanel  # noqa: E402
from foundry_desktop.ui.panels.takes import TakesPanel  # noqa: E402


@pytest.fixture
def session(tmp_path, loop):
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24")
    clip = write_video(tmp_path / "beach walk.mp4", frames=48, width=320, height=180, tone=sine())
    still = tmp_path / "poster.png"
    Image.new("RGB", (320, 180), (200, 60, 40)).save(still)
    add_media_shot(service, clip)
    add_media_shot(service, still, duration_seconds="2")
    service.add_shot(prompt="A red fox in the snow", duration_seconds="2", seed=1, name="Fox")
    with project_session(service, loop) as opened:
        yield opened


def show(qtbot, loop, session, index: int) -> InspectorPanel:
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 900)
    panel.show()
    panel.set_session(session)
    session.select([session.service.project.timeline.shots[index].id])
    wait_until(loop, lambda: panel.backend.count() > 0)  # the machine's backends are read
    return panel


def saved(session):
    with ProjectService.open(session.service.path, read_only=True) as reader:
        return reader.project.timeline.shots


def saved_keyframe_file(session, index: int) -> str | None:
    """The file name of the picture shot `index` starts from, as the project file has it."""
    with ProjectService.open(session.service.path, read_only=True) as reader:
        keyframe = approved_keyframe(reader.project, reader.project.timeline.shots[index])
        return keyframe.request.get("file") if keyframe else None


def type_into(qtbot, box, text: str) -> None:
    """Click into a spin box, replace its text and press Return, as a creator does."""
    QTest.mouseClick(box.lineEdit(), Qt.MouseButton.LeftButton)
    QTest.keyClick(box.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(box.lineEdit(), text)
    QTest.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def test_footage_shows_as_media_without_generation_fields(qtbot, loop, session):
    panel = show(qtbot, loop, session, 0)
    assert panel.media.isVisible()
    for field in (panel.prompt, panel.seed, panel.backend, panel.model, panel.workflow, panel.browse_image):
        assert not field.isVisible(), field  # nothing that would send the footage to a generator
    assert panel.media.source.text() == "beach walk.mp4"
    assert panel.media.trim_in.isVisible() and panel.media.trim_out.isVisible()
    assert not panel.media.hold.isVisible()
    assert panel.media.trim_out.value() == pytest.approx(2.0)
    panel.grab().save(str(session.service.path.parent / "inspector-media.png"))


def test_a_still_is_held_and_a_generated_shot_keeps_its_settings(qtbot, loop, session):
    panel = show(qtbot, loop, session, 1)
    assert panel.media.source.text() == "poster.png" and panel.media.hold.isVisible()
    assert not panel.media.trim_in.isVisible() and not panel.media.mute.isEnabled()
    type_into(qtbot, panel.media.hold, "3.5")
    assert saved(session)[1].spec.duration == 84  # 3.5 s at 24 fps
    assert session.service.undo_label() == "Change shot 2: duration"

    session.select([session.service.project.timeline.shots[2].id])
    assert not panel.media.isVisible() and panel.prompt.isVisible() and panel.backend.isVisible()
    backends = [panel.backend.itemText(i) for i in range(panel.backend.count())]
    assert "media" not in backends  # a generated shot cannot be turned into "footage" with no file


def test_in_and_out_trim_the_clip_one_undo_step_each(qtbot, loop, session):
    panel = show(qtbot, loop, session, 0)
    type_into(qtbot, panel.media.trim_in, "0.5")
    assert (saved(session)[0].trim_in, saved(session)[0].trim_out) == (12, None)
    type_into(qtbot, panel.media.trim_out, "1.5")
    assert (saved(session)[0].trim_in, saved(session)[0].trim_out) == (12, 36)
    session.service.undo()
    assert saved(session)[0].trim_out is None and saved(session)[0].trim_in == 12

    type_into(qtbot, panel.media.trim_in, "1.9")
    type_into(qtbot, panel.media.trim_out, "0.2")  # out before in: refused in words, nothing saved
    assert any("trim" in error.lower() for error in session.errors), session.errors
    assert saved(session)[0].trim_out is None


def test_fit_gain_and_mute_are_saved(qtbot, loop, session):
    panel = show(qtbot, loop, session, 0)
    panel.media.fit.setFocus()
    QTest.keyClick(panel.media.fit, Qt.Key.Key_Down)
    assert saved(session)[0].fit == "fill"
    type_into(qtbot, panel.media.gain, "-6")
    assert saved(session)[0].audio_gain_db == -6.0
    QTest.mouseClick(panel.media.mute, Qt.MouseButton.LeftButton, pos=QPoint(8, panel.media.mute.height() // 2))
    assert saved(session)[0].audio_muted and not panel.media.gain.isEnabled()
    session.service.undo()  # each field was its own step
    assert not saved(session)[0].audio_muted and saved(session)[0].audio_gain_db == -6.0


def takes_of_first_shot(qtbot, loop, session, copies: int, width: int) -> TakesPanel:
    """The takes panel `width` wide on the footage shot, which has its file and `copies` more takes."""
    service = session.service
    shot = service.project.timeline.shots[0]
    take = service.project.selected_take(shot)
    for _ in range(copies):
        service.add_take(take.model_copy(update={"id": new_id()}), select_it=False)
    panel = TakesPanel()
    qtbot.addWidget(panel)
    panel.resize(width, 420)
    panel.show()
    panel.set_session(session)
    session.select([shot.id])
    wait_until(loop, lambda: len(panel.stills.pictures) == 1)  # the copies share one picture
    return panel


def test_take_tiles_show_length_and_tell_their_making_on_hover(qtbot, loop, session):
    panel = takes_of_first_shot(qtbot, loop, session, 0, 420)
    tile = panel.gallery.item(0)
    assert tile.text().splitlines() == ["Take 1 · in use", "2.00 s · 48 frames", "beach walk.mp4"]
    assert "seed" not in tile.text()  # footage has no seed, and was not "made" in 0.0 s
    spot = panel.gallery.visualItemRect(tile).center()
    QTest.mouseMove(panel.gallery.viewport(), spot)
    QApplication.sendEvent(panel.gallery.viewport(), QHelpEvent(QEvent.Type.ToolTip, spot,
                                                                panel.gallery.viewport().mapToGlobal(spot)))
    wait_until(loop, lambda: QToolTip.isVisible())
    assert QToolTip.text().startswith("Your file beach walk.mp4") and "Brought in" in QToolTip.text()


def test_the_takes_grid_uses_the_width_of_a_wide_panel(qtbot, loop, session):
    panel = takes_of_first_shot(qtbot, loop, session, 5, 1200)
    rows = {panel.gallery.visualItemRect(panel.gallery.item(i)).top() for i in range(panel.gallery.count())}
    columns = {panel.gallery.visualItemRect(panel.gallery.item(i)).left() for i in range(panel.gallery.count())}
    panel.grab().save(str(session.service.path.parent / "takes-wide.png"))
    assert len(rows) == 1 and len(columns) == 6, (rows, columns)  # six tiles side by side in 1200 px
    last = panel.gallery.visualItemRect(panel.gallery.item(5))
    right_edge = last.center().x() + panel.gallery.gridSize().width() // 2
    assert panel.gallery.viewport().width() - right_edge < 40  # the spare width is shared, not left blank


def test_a_picture_dropped_on_the_inspector_is_copied_not_moved(qtbot, loop, session, tmp_path):
    panel = show(qtbot, loop, session, 2)  # the generated shot: it takes an input image
    picture = tmp_path / "sketch.png"
    Image.new("RGB", (64, 36), (20, 200, 90)).save(picture)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(picture))])
    box = panel.image_box
    event = QDropEvent(QPointF(box.width() / 2, box.height() / 2), Qt.DropAction.MoveAction | Qt.DropAction.CopyAction,
                       data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier)
    assert event.proposedAction() == Qt.DropAction.MoveAction  # what Shift asks a file manager for
    box.dropEvent(event)
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.CopyAction  # the file manager keeps it
    assert picture.exists() and saved_keyframe_file(session, 2) == "sketch.png"


def test_tab_goes_from_the_prompt_to_the_next_field_and_types_no_tab(qtbot, loop, session):
    panel = show(qtbot, loop, session, 2)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    QTest.mouseClick(panel.prompt.viewport(), Qt.MouseButton.LeftButton)
    QTest.keyClick(panel.prompt, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(panel.prompt, "A grey wolf in the snow")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is panel.negative_prompt
    QTest.keyClicks(QApplication.focusWidget(), "blur")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not panel.negative_prompt
    wait_until(loop, lambda: saved(session)[2].spec.negative_prompt == "blur")  # saved as the field is left
    assert saved(session)[2].spec.prompt == "A grey wolf in the snow"
