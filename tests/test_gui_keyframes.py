"""The inspector's keyframe strip, offscreen, on a real project: keyframes made through the job
machinery, a click on a variant approves it, the context menu approves a last frame, and the
"Continue from the previous shot" box; each checked in the project file."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import project_session, wait_until  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QContextMenuEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMenu  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from still_painter import StillPainter  # noqa: E402

from foundry_desktop.app.generation import backends  # noqa: E402
from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.generation.default_backends import default_registry  # noqa: E402
from foundry_desktop.ui.inspector.inspector import InspectorPanel  # noqa: E402
from foundry_desktop.ui.panels.job_table import JobTableModel  # noqa: E402

SCREENSHOTS = Path("/tmp/foundry-shots")


@pytest.fixture
def session(tmp_path, loop, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))

    def with_painter():
        registry = default_registry()
        registry.register(StillPainter())
        return registry

    monkeypatch.setattr(backends, "default_registry", with_painter)
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24")
    service.add_shot(prompt="A lighthouse in a storm", duration_seconds="1", seed=3, image_backend="painter")
    service.add_shot(prompt="The keeper climbs the stairs", duration_seconds="1", seed=4, image_backend="painter")
    with project_session(service, loop) as opened:
        yield opened


def inspector(qtbot, loop, session, number=1):
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 1200)
    panel.show()
    panel.set_session(session)
    session.select([session.service.project.timeline.shots[number - 1].id])
    return panel


def saved_shots(session):
    with ProjectService.open(session.service.path, read_only=True) as reader:
        return reader.project.timeline.shots, reader.project.takes


def click_item(strip, row: int, button=Qt.MouseButton.LeftButton) -> None:
    rect = strip.visualItemRect(strip.item(row))
    QTest.mouseClick(strip.viewport(), button, Qt.KeyboardModifier.NoModifier, rect.center())


def test_keyframes_are_made_and_a_click_on_a_variant_approves_it(qtbot, loop, session):
    panel = inspector(qtbot, loop, session)
    strip = panel.keyframes.strip
    assert strip.count() == 0 and "No keyframes yet" in panel.keyframes.note.text()
    QTest.mouseClick(panel.keyframes.make, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: strip.count() == 1)
    QTest.mouseClick(panel.keyframes.more, Qt.MouseButton.LeftButton)  # + 2 variants
    wait_until(loop, lambda: strip.count() == 3)
    wait_until(loop, lambda: all(not strip.item(row).icon().isNull() for row in range(3)))  # read off the GUI thread
    assert session.errors == []

    click_item(strip, 1)
    shots, takes = saved_shots(session)
    stills = [take for take in takes[shots[0].id] if take.kind == "still"]
    assert len(stills) == 3 and shots[0].keyframe_take_id == stills[1].id and shots[0].selected_take_id is None
    assert strip.item(1).text() == "2 · first" and "starts from keyframe 2" in panel.keyframes.note.text()
    assert panel.image_name.text().startswith("Keyframe made by painter")  # the input image is the keyframe
    jobs = JobTableModel()  # the Jobs panel says which jobs made keyframes
    jobs.set_jobs(session.service.jobs(), {shots[0].id: 1}, {})
    assert [jobs.data(jobs.index(row, 0)) for row in range(jobs.rowCount())] == ["1 keyframe"] * 3
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert panel.keyframes.grab().save(str(SCREENSHOTS / "keyframe-strip.png"))
    assert panel.grab().save(str(SCREENSHOTS / "inspector-keyframes.png"))

    # The context menu approves another as the last frame.
    rect = strip.visualItemRect(strip.item(2))
    QApplication.sendEvent(strip.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, rect.center(),
                                                               strip.viewport().mapToGlobal(rect.center())))
    menu = panel.keyframes.findChild(QMenu)
    last = next(action for action in menu.actions() if action.text() == "Approve as the last frame")
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, menu.actionGeometry(last).center())
    shots, _ = saved_shots(session)
    assert (shots[0].keyframe_take_id, shots[0].last_keyframe_take_id) == (stills[1].id, stills[2].id)
    assert session.service.undo() == "Approve the last-frame keyframe of shot 1"


def test_the_continue_box_makes_the_shot_start_from_the_previous_one(qtbot, loop, session):
    first = inspector(qtbot, loop, session, number=1)
    assert not first.keyframes.continues.isEnabled()  # shot 1 has no shot before it
    session.select([session.service.project.timeline.shots[1].id])
    assert first.keyframes.continues.isEnabled()
    QTest.mouseClick(first.keyframes.continues, Qt.MouseButton.LeftButton)
    shots, _ = saved_shots(session)
    assert [shot.continue_from_previous for shot in shots] == [False, True]
    assert not first.keyframes.strip.isEnabled()  # its keyframes are not what it starts from now


def test_the_backend_that_makes_the_keyframes_is_picked_in_the_strip(qtbot, loop, session):
    panel = inspector(qtbot, loop, session)
    picker = panel.keyframes.made_by
    wait_until(loop, lambda: "builtin" in [picker.itemText(i) for i in range(picker.count())])  # the machine's
    assert picker.currentText() == "painter"  # not this machine's, but the shot's choice: shown
    picker.setFocus()
    for _ in range(picker.count()):  # up the list, as far as "builtin"
        if picker.currentText() == "builtin":
            break
        QTest.keyClick(picker, Qt.Key.Key_Up)
    shots, _ = saved_shots(session)
    assert shots[0].spec.image_backend == "builtin" and shots[0].spec.backend == "builtin"
    assert session.service.undo_label() == "Change shot 1: image backend"
