"""A layout that stays put (issue 17): background work (a generation run, the preview's render,
a render of the film) never changes the size of a panel, and the seek slider keeps its width;
View > Reset the layout brings back the default; tables and the ruler show their words whole."""

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import editor_window, opened, settings_in, wait_until  # noqa: E402
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.ui.dialogs.render import RenderDialog  # noqa: E402
from foundry_desktop.ui.window.main_window import MainWindow  # noqa: E402
from foundry_desktop.ui.panels.job_table import STATE, STATE_WORDS  # noqa: E402
from foundry_desktop.ui.timeline.geometry import row_of  # noqa: E402
from foundry_desktop.ui.timeline.painting import ruler_label_places  # noqa: E402

LONG_NAME = "The valley at dawn, seen from the ridge above the old mill, before the fog lifts"


@pytest.fixture
def settings(tmp_path):
    return settings_in(tmp_path)


@pytest.fixture
def film(tmp_path):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        service.add_shot(prompt="Opening title", duration_seconds="1", seed=1, name="Title")
        service.add_shot(prompt="The valley at dawn", duration_seconds="1", seed=2, name=LONG_NAME)
        service.add_shot(prompt="The city at night", duration_seconds="1", seed=3, name="City")
    return path


@pytest.fixture
def window(qtbot, loop, settings):
    with editor_window(qtbot, loop, settings, size=(1440, 900)) as window:
        yield window


def sizes(window) -> dict[str, tuple[int, int]]:
    # The timeline and the jobs share a place as tabs (a run brings the jobs to the front); a tab
    # behind another keeps an old size.
    measured = {"Timeline/Jobs" if name in ("Timeline", "Jobs") else name: (dock.width(), dock.height())
                for name, dock in window.docks.items() if not dock.visibleRegion().isEmpty()}
    measured["seek slider"] = (window.preview.slider.width(), 0)
    return measured


def test_panel_sizes_are_the_same_before_and_after_a_generation_and_a_render(window, film, loop, tmp_path):
    opened(window, film)
    session = window.session
    session.select([session.service.project.timeline.shots[1].id])  # the long name in the panels
    wait_until(loop, lambda: window.inspector.backend.count() > 0)
    before = sizes(window)

    window.generate_action.trigger()
    wait_until(loop, lambda: session.generating)
    wait_until(loop, lambda: not session.generating and not session.service.statuses()[1].kind != "current")
    wait_until(loop, lambda: window.takes.gallery.count() == 1 and window.takes.stills.pictures)
    assert sizes(window) == before

    window.preview.play_timeline()  # the preview renders the cut small, in the background
    wait_until(loop, lambda: window.preview.frames_shown > 3)
    window.preview.pause()
    window.render_action.trigger()  # the render runs as a job in the Jobs panel and the status bar
    dialog = next(found for found in window.findChildren(RenderDialog) if found.isVisible())
    dialog.output.setText(str(tmp_path / "film.mp4"))
    QTest.mouseClick(dialog.start, Qt.MouseButton.LeftButton)
    job = window.jobs.renders.jobs[-1]
    wait_until(loop, lambda: job.finished, timeout=300)
    assert job.state == "done", job.error
    window.grab().save(str(tmp_path / "layout-after.png"))
    assert sizes(window) == before
    window.close_project()  # the layout is saved as it is now: as it was before the work
    opened(window, film)
    assert laid_out(window) == before


def test_the_state_column_holds_every_state_once_jobs_ran(window, film, loop):
    opened(window, film)
    window.generate_action.trigger()
    wait_until(loop, lambda: window.session.generating)
    wait_until(loop, lambda: not window.session.generating)
    table = window.jobs.table
    wait_until(loop, lambda: table.model().rowCount() == 3)
    widest = max(table.fontMetrics().horizontalAdvance(words) for words in STATE_WORDS)
    assert table.horizontalHeader().sectionSize(STATE) > widest


def laid_out(window) -> dict[str, tuple[int, int]]:
    """The sizes once the window has handled the layout requests waiting."""
    QApplication.processEvents()
    return sizes(window)


def test_reset_the_layout_brings_back_the_default_sizes(window, film, settings, loop):
    opened(window, film)
    default = laid_out(window)
    window.resizeDocks([window.docks["Takes"]], [700], Qt.Orientation.Horizontal)
    wait_until(loop, lambda: sizes(window) != default)
    window.reset_layout_action.trigger()
    assert laid_out(window) == default


def test_the_last_ruler_label_ends_inside_the_panel():
    width_of = lambda text: 8.0 * len(text)  # noqa: E731 (a font eight pixels a letter)
    ticks = [(100.0, "00:00:00:00"), (200.0, "00:00:01:00"), (300.0, "00:00:02:00"), (390.0, "00:00:03:00")]
    places = ruler_label_places(ticks, width_of, right=420.0)
    assert all(left + width_of(text) <= 420.0 for left, text in places)
    assert [text for _, text in places][:3] == ["00:00:00:00", "00:00:01:00", "00:00:02:00"]
    assert all(second[0] >= first[0] + width_of(first[1]) for first, second in zip(places, places[1:]))
    # With room to its left, the last label is kept, ending at the panel's edge.
    roomy = ruler_label_places([(100.0, "00:00:00:00"), (290.0, "00:00:01:00")], width_of, right=300.0)
    assert [text for _, text in roomy] == ["00:00:00:00", "00:00:01:00"] and roomy[1][0] + 88 <= 300


def test_files_dropped_on_the_timeline_are_copied_not_moved(window, film, loop, tmp_path):
    from PIL import Image

    opened(window, film)
    still = tmp_path / "poster.png"
    Image.new("RGB", (320, 180), (10, 120, 200)).save(still)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(still))])
    canvas = window.timeline.canvas
    event = QDropEvent(QPointF(QPoint(300, row_of("video").top + 30)), Qt.DropAction.MoveAction
                       | Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton, Qt.KeyboardModifier.ShiftModifier)
    assert event.proposedAction() == Qt.DropAction.MoveAction  # what Shift asks a file manager for
    canvas.dropEvent(event)
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.CopyAction
    wait_until(loop, lambda: len(window.session.service.project.timeline.shots) == 4)
    assert still.exists()
    with ProjectService.open(film, read_only=True) as reader:
        assert "poster.png" in [shot.spec.prompt for shot in reader.project.timeline.shots]


# -- the smaller defects of the window ------------------------------------------------------------


def test_open_recent_lists_each_project_once_told_apart_by_folder(qtbot, loop, settings, tmp_path):
    first, second = tmp_path / "a" / "demo.foundry", tmp_path / "b" / "demo.foundry"
    for path in (first, second):
        path.parent.mkdir()
        ProjectService.create(path, width=320, height=180).close()
    same_again = tmp_path / "a" / ".." / "a" / "demo.foundry"
    settings.setValue("recent", [str(first), str(same_again), str(second)])
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    names = [action.text() for action in window.recent_menu.actions()]
    assert names == ["demo.foundry — a", "demo.foundry — b"]
    assert window.welcome.recent.count() == 2

    window.recent_menu.actions()[1].trigger()
    wait_until(loop, lambda: window.session is not None)
    assert window.session.path == second
    session = window.session
    window.recent_menu.actions()[0].trigger()  # the one open is listed first now: opening it again
    assert window.opening.path is None  # nothing to open: no worker asked for
    assert window.session is session and window.errors == []  # not "open elsewhere"
    loop.run_until_complete(window.session.wait_idle())
    window.close()
    loop.run_until_complete(window.generation.close())


def test_the_demo_opens_from_the_documents_folder_with_its_shots_generated(window, loop):
    window.demo_action.trigger()
    wait_until(loop, lambda: window.session is not None)
    session = window.session
    assert session.path.parent.name == "Foundry demo"
    assert "Foundry demo" in window.statusBar().currentMessage()
    wait_until(loop, lambda: not session.generating and all(
        status.kind == "current" for status in session.service.statuses()), timeout=600)
    with ProjectService.open(session.path, read_only=True) as reader:
        assert all(reader.project.selected_take(shot) is not None for shot in reader.project.timeline.shots)
        music = reader.project.timeline.music
    # Nothing to undo: Ctrl+Z took the demo apart step by step ("Set the music under the film", ...).
    assert not window.undo_action.isEnabled()
    window.activateWindow()
    wait_until(loop, window.isActiveWindow)
    window.timeline.canvas.setFocus()
    for _ in range(3):
        QTest.keyClick(window.timeline.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    with ProjectService.open(session.path, read_only=True) as reader:
        assert reader.project.timeline.music == music and music[0].fade_in > 0
    assert window.errors == []
