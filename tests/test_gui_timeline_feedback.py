"""What the timeline shows the creator while they work, offscreen on a real project and driven by
real input events: the names of clips whose start has scrolled off the left edge (kept at the
visible edge, as Resolve and Premiere keep them), the readout while an edge is dragged (and Escape
cancelling the trim), and a caption's editor kept within the caption's own span."""

from __future__ import annotations

import numpy as np
import pytest
from gui_loop import project_session, wait_until
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from video_sources import write_wav

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.ui.timeline.geometry import HEADER_WIDTH, RULER_HEIGHT, row_of
from foundry_desktop.ui.timeline.panel import TimelinePanel
from foundry_desktop.ui.timeline.track_painting import caption_boxes, music_boxes

LEFT, NONE, CTRL = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def session(tmp_path, loop):
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24")
    for number, seconds in enumerate(("2", "3", "2"), start=1):
        service.add_shot(prompt=f"shot {number}", duration_seconds=seconds, seed=number)
    add_music(service, write_wav(tmp_path / "bed.wav", 5.0, 0.5), at_seconds="1")
    service.add_caption("Hello there", "2", "5")
    with project_session(service, loop) as opened:
        yield opened


@pytest.fixture
def panel(qtbot, session, loop):
    panel = TimelinePanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 300)
    panel.show()
    panel.activateWindow()  # the panel's keys are shortcuts: they need an active window
    wait_until(loop, panel.isActiveWindow)
    panel.set_session(session)
    panel.canvas.setFocus()
    return panel


def written_pixels(image, left: float, top: float, right: float, bottom: float) -> int:
    """How many pixels in the area are the near-white of text (no track, clip or line is that light)."""
    pixels = np.asarray(image)[round(top):round(bottom), round(left):round(right), :3].astype(int)
    return int((pixels.min(axis=2) > 190).sum())


def canvas_image(canvas) -> np.ndarray:
    """The canvas as painted now, as rows of RGB pixels (a copy: the picture's memory goes with it)."""
    picture = canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height = picture.width(), picture.height()
    rows = np.frombuffer(picture.constBits(), np.uint8).reshape(height, picture.bytesPerLine())
    return rows[:, :width * 3].reshape(height, width, 3).copy()


def test_clips_whose_start_scrolled_off_keep_their_names_at_the_left_edge(panel):
    canvas = panel.canvas
    QTest.mouseClick(canvas, LEFT, NONE, QPoint(round(canvas.view.x_of(84)), RULER_HEIGHT // 2))  # into shot 2
    for _ in range(6):
        QTest.keyClick(canvas, Qt.Key.Key_Equal, CTRL)  # zoom in about the playhead
    view = canvas.view
    first_visible = view.frame_at(HEADER_WIDTH)
    assert 48 < first_visible < 120, first_visible  # shot 2 (48..120) begins off the left edge and fills the view
    music = music_boxes(view, canvas.tracks.music(), canvas.length)[0][1]
    caption = caption_boxes(view, canvas.tracks.captions())[0][1]
    assert music.left() < HEADER_WIDTH < music.right() and caption.left() < HEADER_WIDTH < caption.right()

    image = canvas_image(canvas)
    video = row_of("video")
    edge = HEADER_WIDTH + 2
    assert written_pixels(image, edge, video.top + 2, edge + 90, video.top + 15) > 10  # "2  shot 2"
    assert written_pixels(image, edge, music.bottom() - 16, edge + 90, music.bottom()) > 10  # "bed"
    assert written_pixels(image, edge, caption.top(), edge + 90, caption.bottom()) > 10  # "Hello there"


def saved_durations(session) -> list[int]:
    with ProjectService.open(session.service.path, read_only=True) as reader:
        return [shot.spec.duration for shot in reader.project.timeline.shots]


def test_a_dragged_edge_shows_how_far_it_moved_and_escape_cancels_the_trim(panel, session):
    canvas = panel.canvas
    end = QPoint(round(canvas.view.x_of(48)) - 2, row_of("video").top + 40)  # shot 1's end (2 s, no take yet)
    to = QPoint(round(canvas.view.x_of(60)), end.y())  # 12 frames later
    before, undo_before = saved_durations(session), session.service.undo_label()

    QTest.mousePress(canvas, LEFT, NONE, end)
    for step in range(1, 6):
        QTest.mouseMove(canvas, end + (to - end) * step / 5)
    assert canvas.trim_readout() == "+12 frames  ·  2.5 s"
    readout_area = (to.x() + 10, to.y() - 50, to.x() + 160, to.y())
    during = canvas_image(canvas)
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.trim_readout() == ""
    after = canvas_image(canvas)
    left, top, right, bottom = readout_area
    assert (during[top:bottom, left:right] != after[top:bottom, left:right]).any()  # the readout was painted, and went
    QTest.mouseRelease(canvas, LEFT, NONE, to)
    assert saved_durations(session) == before and session.service.undo_label() == undo_before

    QTest.mousePress(canvas, LEFT, NONE, end)
    for step in range(1, 6):
        QTest.mouseMove(canvas, end + (to - end) * step / 5)
    QTest.mouseRelease(canvas, LEFT, NONE, to)
    assert canvas.trim_readout() == ""  # gone on release
    assert saved_durations(session) == [60, *before[1:]]


def saved_captions(session) -> list[tuple[str, int, int]]:
    with ProjectService.open(session.service.path, read_only=True) as reader:
        return [(caption.text, caption.start, caption.end) for caption in reader.project.timeline.captions]


def test_a_caption_being_typed_leaves_the_next_caption_in_sight(panel, session):
    canvas = panel.canvas
    session.edit("Add caption", lambda: session.service.add_caption("Hi", "1", "2"))  # just before "Hello there"
    QTest.keyClick(canvas, Qt.Key.Key_Equal, CTRL)  # zoomed in a step: "Hi" is wide enough to type over
    shown = "Hi"
    for zoom_out, typed, over_track in ((False, "Hi you", True), (True, "Hey", False)):
        for _ in range(3 if zoom_out else 0):
            QTest.keyClick(canvas, Qt.Key.Key_Minus, CTRL)  # zoomed out: "Hi you" is too narrow to type over
        boxes = {caption.text: box for caption, box in caption_boxes(canvas.view, canvas.tracks.captions())}
        short, neighbour = boxes[shown], boxes["Hello there"]
        QTest.mouseDClick(canvas, LEFT, NONE, QPoint(round(short.center().x()), round(short.center().y())))
        entry = canvas.tracks.entry
        assert entry is not None and entry.isVisible()
        place = entry.geometry()
        assert not place.intersects(neighbour.toAlignedRect().adjusted(1, 1, -1, -1)), (place, neighbour)
        track = row_of("captions")
        assert (track.top <= place.top() and place.bottom() < track.bottom) == over_track  # else just above it
        assert place.left() >= HEADER_WIDTH and place.right() < canvas.width()
        entry.selectAll()
        QTest.keyClicks(entry, typed)
        QTest.keyClick(entry, Qt.Key.Key_Return)
        assert saved_captions(session) == [(typed, 24, 48), ("Hello there", 48, 120)]
        shown = typed
