"""Scenes in the window, driven as a creator would: a scene's band clicked selects its shots and
opens the scene editor, a band dragged moves the scene with its shots as one undo step, the
inspector's scene editor edits the scene and the defaults its shots take, and Shots > New scene
from selection (Ctrl+Alt+N) and Remove scene. Each edit is checked in the project file, reopened."""

from __future__ import annotations

import asyncio

import pytest
from gui_loop import editor_window, settings_in, wait_until
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.project import Timeline
from foundry_desktop.ui.timeline.geometry import BANDS_TOP, SCENE_BAND_HEIGHT, row_of

CTRL = Qt.KeyboardModifier.ControlModifier
NO_KEYS = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def film(tmp_path):
    """Six 1-second shots: 1-2 in "Harbour", 3-5 in "Night", 6 in no scene; a style to choose."""
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        for number in range(1, 7):
            service.add_shot(prompt=f"shot {number}", duration_seconds="1", seed=number)
        service.add_scene("Harbour", shot_indexes=[0, 1], color="#3f9e6e")
        service.add_scene("Night", shot_indexes=[2, 3, 4], location="the quay", time_of_day="night")
        service.add_template("style", "Noir", prompt_suffix="black and white, hard shadows")
        service.update_scene(service.scene("Night").id, defaults={"backend": "comfyui"})
        service.update_shot(3, backend="replicate")  # shot 4 sets its own
    return path


def settle(loop) -> None:
    loop.run_until_complete(asyncio.sleep(0))


@pytest.fixture
def window(qtbot, tmp_path, loop, film):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        window.activateWindow()
        wait_until(loop, window.isActiveWindow)  # shortcuts need an active window

        async def open_film() -> bool:
            return await window.open_project(film)

        assert loop.run_until_complete(open_film())
        settle(loop)
        window.timeline.canvas.fit()
        window.timeline.canvas.setFocus()
        yield window


def saved(window) -> Timeline:
    with ProjectService.open(window.session.path, read_only=True) as reader:
        return reader.project.timeline


def band_point(window, name: str, shift: float = 0.0) -> QPoint:
    canvas = window.timeline.canvas
    band = next(band for band in canvas.bands.bands() if band.name == name)
    return QPoint(round(canvas.view.x_of(band.middle) + shift), BANDS_TOP + SCENE_BAND_HEIGHT // 2)


def shot_point(window, index: int) -> QPoint:
    canvas = window.timeline.canvas
    placed = canvas._plan.shots[index]
    return QPoint(round(canvas.view.x_of((placed.record_in + placed.record_out) / 2)), row_of("video").top + 30)


def scene_names(timeline: Timeline) -> list[str]:
    return [scene.name for scene in timeline.scenes]


def test_clicking_a_band_selects_the_scenes_shots_and_opens_the_scene_editor(window, tmp_path):
    canvas, session = window.timeline.canvas, window.session
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, NO_KEYS, band_point(window, "Night"))
    shots = session.service.project.timeline.shots
    assert session.selected == [shot.id for shot in shots[2:5]]
    page = window.inspector.scene_page
    assert window.inspector.shown_page() is page
    assert (page.name.text(), page.location.text(), page.time_of_day.currentText()) == ("Night", "the quay", "night")
    assert page.title.text() == "Scene 2: shots 3–5, 3.0 s"
    canvas.grab().save(str(tmp_path / "scenes-timeline.png"))
    window.inspector.grab().save(str(tmp_path / "scenes-inspector.png"))
    # A click on a shot, one of the scene's too, goes back to that shot's fields.
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, NO_KEYS, shot_point(window, 3))
    assert session.selected_scene is None and window.inspector.pages.currentWidget() is window.inspector.editor
    assert session.selected == [shots[3].id] and window.inspector.title.text() == "Shot 4 of 6"


def test_dragging_a_band_moves_the_scene_and_its_shots_as_one_undo_step(window):
    canvas, session = window.timeline.canvas, window.session
    ids = [shot.id for shot in session.service.project.timeline.shots]
    start, end = band_point(window, "Night"), band_point(window, "Harbour", shift=-20)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, NO_KEYS, start)
    for step in range(1, 6):
        QTest.mouseMove(canvas, start + (end - start) * step / 5)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, NO_KEYS, end)
    timeline = saved(window)
    assert scene_names(timeline) == ["Night", "Harbour"]
    assert [shot.id for shot in timeline.shots] == ids[2:5] + ids[0:2] + ids[5:]
    assert session.service.undo_label() == 'Move scene "Night" to place 1'
    QTest.keyClick(canvas, Qt.Key.Key_Z, CTRL)  # one step undoes it all
    timeline = saved(window)
    assert scene_names(timeline) == ["Harbour", "Night"] and [shot.id for shot in timeline.shots] == ids


def test_the_inspector_edits_the_scene_and_the_defaults_its_shots_take(window, loop):
    canvas, session = window.timeline.canvas, window.session
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, NO_KEYS, band_point(window, "Harbour"))
    page = window.inspector.scene_page
    page.name.setFocus()
    page.name.selectAll()
    QTest.keyClicks(page.name, "Harbour at dawn")
    QTest.keyClick(page.name, Qt.Key.Key_Return)
    assert scene_names(saved(window)) == ["Harbour at dawn", "Night"]
    assert session.service.undo_label() == "Change scene \"Harbour\": name"

    page.style_default.setFocus()
    QTest.keyClick(page.style_default, Qt.Key.Key_Down)  # from "Shots choose their own" to Noir
    timeline = saved(window)
    noir = session.service.project.styles[0].id
    assert timeline.scenes[0].defaults.style == noir
    assert [shot.spec.style for shot in timeline.shots] == [noir, noir, None, None, None, None]

    QTest.mouseClick(page.swatches[4], Qt.MouseButton.LeftButton)
    assert saved(window).scenes[0].color == page.swatches[4].property("colour")
    assert page.swatches[4].isChecked()
    wait_until(loop, lambda: canvas.bands.bands()[0].color == page.swatches[4].property("colour"))
    assert session.service.undo() == 'Change scene "Harbour at dawn": color'
    assert saved(window).scenes[0].color == "#3f9e6e"


def test_new_scene_from_selection_and_remove_scene_from_the_shots_menu(window, loop):
    canvas, session = window.timeline.canvas, window.session
    session.select([session.service.project.timeline.shots[3].id])  # in the middle of "Night"
    QTest.keyClick(canvas, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.AltModifier)
    assert any("would not be one run of shots" in message for _, message in window.errors)
    assert scene_names(saved(window)) == ["Harbour", "Night"]
    for box in window.findChildren(QMessageBox):  # the message read, the window active again
        box.close()
    window.activateWindow()
    wait_until(loop, window.isActiveWindow)

    last = session.service.project.timeline.shots[5].id
    session.select([last])
    QTest.keyClick(canvas, Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.AltModifier)
    timeline = saved(window)
    assert scene_names(timeline) == ["Harbour", "Night", "Scene 3"]
    assert timeline.shots[5].scene_id == timeline.scenes[2].id
    assert session.selected_scene == timeline.scenes[2].id
    assert window.inspector.shown_page() is window.inspector.scene_page

    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, NO_KEYS, band_point(window, "Night"))
    window.remove_scene_action.trigger()
    timeline = saved(window)
    assert scene_names(timeline) == ["Harbour", "Scene 3"]
    assert [shot.spec.prompt for shot in timeline.shots] == [f"shot {n}" for n in range(1, 7)]  # its shots stay
    assert session.service.undo_label() == 'Remove scene "Night"'


def test_a_shot_that_sets_its_own_backend_takes_the_scenes_again_from_the_inspector(window):
    canvas, session = window.timeline.canvas, window.session
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, NO_KEYS, shot_point(window, 3))
    note = window.inspector.scene_note
    assert note.text.text() == "In scene 2, Night; sets its own backend" and note.take_scenes.isVisible()
    QTest.mouseClick(note.take_scenes, Qt.MouseButton.LeftButton)
    shot = saved(window).shots[3]
    assert (shot.spec.backend, shot.overrides) == ("comfyui", ())
    assert session.service.undo_label() == "Shot 4: backend from the scene"
    assert note.text.text() == "In scene 2, Night" and not note.take_scenes.isVisible()


def test_a_scene_emptied_of_its_shots_is_a_tag_that_can_still_be_chosen_and_removed(window):
    canvas, session = window.timeline.canvas, window.session
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, NO_KEYS, band_point(window, "Harbour"))
    QTest.keyClick(canvas, Qt.Key.Key_Delete)  # its two shots, rippled away; the scene stays, empty
    timeline = saved(window)
    assert scene_names(timeline) == ["Harbour", "Night"] and len(timeline.shots) == 4
    session.select([])
    tag = next(band for band in canvas.bands._empty if band.name == "Harbour")
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, NO_KEYS,
                     QPoint(round(canvas.bands._tag_left(tag)) + 20, BANDS_TOP + SCENE_BAND_HEIGHT // 2))
    assert session.selected_scene == tag.scene_id and session.selected == []
    assert window.inspector.scene_page.title.text() == "Scene 1: no shots, 0.0 s"
    window.remove_scene_action.trigger()
    assert scene_names(saved(window)) == ["Night"]


def test_the_scene_editor_fits_a_1280x720_window_beside_the_timeline(window, loop):
    window.resize(1280, 720)
    settle(loop)
    QTest.mouseClick(window.timeline.canvas, Qt.MouseButton.LeftButton, NO_KEYS, band_point(window, "Night"))
    settle(loop)
    assert window.inspector.shown_page() is window.inspector.scene_page
    assert window.size().toTuple() == (1280, 720)  # the window did not grow past a laptop's screen
    inspector, timeline = window.docks["Inspector"].geometry(), window.docks["Timeline"].geometry()
    assert inspector.bottom() < timeline.top()  # nor cover the timeline's zoom buttons
    assert window.timeline.canvas.height() >= 220  # every track of the timeline still shows
