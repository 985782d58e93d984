"""The storyboard view in the editor's window, offscreen, driven by real key presses and clicks:
walking the grid moves the project's selection (and the timeline's moves the grid's), and
"Animate approved" asks first, saying how many shots and what they cost, then sends exactly
the shots whose keyframe is approved and whose video is not current."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import editor_window, opened, settings_in, wait_until  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, Qt  # noqa: E402
from PySide6.QtGui import QHelpEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QToolTip  # noqa: E402
from storyboard_films import storyboard_film  # noqa: E402

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.ui.editing.shortcuts import shortcut_groups  # noqa: E402
from foundry_desktop.ui.timeline import geometry  # noqa: E402


@pytest.fixture
def window(qtbot, loop, tmp_path):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as opened:
        yield opened


def open_board(window, path: Path):
    assert opened(window, path)
    window.show_storyboard()
    grid = window.storyboard.grid
    grid.setFocus()
    return grid


def ids(window) -> list[str]:
    return [shot.id for shot in window.session.service.project.timeline.shots]


def test_the_keys_walk_the_grid_and_the_selection_follows_both_ways(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=8, scenes=2, outside=1)
    grid = open_board(window, path)
    shots = ids(window)
    assert [row.title for row in window.storyboard.grid.board.rows] == [
        "Outside any scene", "Scene 1 · Harbour 1", "Scene 2 · Harbour 2"]

    QTest.keyClick(grid, Qt.Key.Key_Home)
    assert window.session.selected == [shots[0]]
    QTest.keyClick(grid, Qt.Key.Key_Right)  # the outside row's only card: on into scene 1
    assert window.session.selected == [shots[1]]
    assert window.inspector.title.text() == "Shot 2 of 8"  # the inspector shows what the storyboard chose
    QTest.keyClick(grid, Qt.Key.Key_Up)
    assert window.session.selected == [shots[0]]
    QTest.keyClick(grid, Qt.Key.Key_Down)
    QTest.keyClick(grid, Qt.Key.Key_Down)  # scene 1's line, then scene 2's line below it
    assert grid.rect_of(window.session.selected[0]).top() > grid.rect_of(shots[1]).top()
    assert window.session.selected[0] in [card.shot_id for card in grid.board.rows[2].cards]
    QTest.keyClick(grid, Qt.Key.Key_End)
    assert window.session.selected == [shots[-1]]
    QTest.keyClick(grid, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert window.session.selected == shots[-2:]  # Shift extends in film order

    window.session.select([shots[3]])  # chosen elsewhere (the timeline): the grid follows
    assert grid.selected == [shots[3]] and grid.current == shots[3]
    QTest.keyClick(grid, Qt.Key.Key_Right)
    assert window.session.selected == [shots[4]]

    rect = grid.rect_of(shots[2]).translated(0, -grid.verticalScrollBar().value())
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.session.selected == [shots[2]]
    assert window.storyboard.variants.heading.text().startswith("Shot 3 has no keyframes yet")


def test_animate_approved_asks_then_sends_the_approved_shots_whose_video_is_not_current(window, loop, tmp_path):
    # Shots 1, 2 and 4 have an approved keyframe; 3 has none. Shot 1's video is made first, so is current.
    path = storyboard_film(tmp_path / "film.foundry", shots=4, scenes=1, outside=0, approve=lambda index: True)
    grid = open_board(window, path)
    shots = ids(window)
    window.session.generate({shots[0]})
    wait_until(loop, lambda: not window.session.generating)
    assert window.session.service.shot_status(window.session.shot(shots[0])).kind == "current"

    QTest.mouseClick(window.storyboard.animate_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: window.storyboard.stages.box is not None)
    box = window.storyboard.stages.box
    assert "Animate approved for 2 shots (2, 4)." in box.text()
    assert "2 video jobs to send; cost: free." in box.text()
    QTest.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: len(window.session.service.jobs(("done",))) == 3 and not window.session.generating)
    assert grid.board.cards[1].video.kind == "current"

    window.close_project()
    with ProjectService.open(path) as reopened:
        made = {shot_id: [take for take in takes if take.kind == "video"] for shot_id, takes in
                reopened.project.takes.items()}
        assert [len(made.get(shot_id, [])) for shot_id in shots] == [1, 1, 0, 1]
        sent = sorted(job.shot_id for job in reopened.jobs())
        assert sent == sorted([shots[0], shots[1], shots[3]])


def test_nothing_to_animate_says_what_to_do_and_sends_nothing(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=3, scenes=1, outside=0, approve=lambda index: False)
    open_board(window, path)
    notices = []
    window.session.notice.connect(notices.append)
    QTest.mouseClick(window.storyboard.animate_button, Qt.MouseButton.LeftButton)
    assert window.storyboard.stages.box is None
    assert notices[-1].startswith("No shot to animate: approve keyframes first")
    window.close_project()
    with ProjectService.open(path) as reopened:
        assert reopened.jobs() == []


def test_a_click_on_a_variant_approves_it_as_one_undo_step(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=3, scenes=1, outside=0, variants=3,
                           approve=lambda index: False)
    grid = open_board(window, path)
    shots = ids(window)
    QTest.keyClick(grid, Qt.Key.Key_Home)
    QTest.keyClick(grid, Qt.Key.Key_Return)  # Enter: the card's variants, the keys now in their strip
    tiles = window.storyboard.variants.tiles
    assert tiles.count() == 3 and tiles.hasFocus()
    assert window.storyboard.variants.heading.text() == "Shot 1: 3 keyframe variants — click one to approve it."
    second = tiles.item(1)
    QTest.mouseClick(tiles.viewport(), Qt.MouseButton.LeftButton, pos=tiles.visualItemRect(second).center())
    wait_until(loop, lambda: grid.board.cards[0].keyframe_state == "approved")
    variant = window.session.service.keyframes_of(shots[0])[1]
    assert window.session.shot(shots[0]).keyframe_take_id == variant.id
    assert window.undo_action.text() == "&Undo Approve the keyframe of shot 1"
    QTest.keyClick(tiles, Qt.Key.Key_Right)
    QTest.keyClick(tiles, Qt.Key.Key_Return)  # Enter on the third tile approves it instead
    third = window.session.service.keyframes_of(shots[0])[2]
    wait_until(loop, lambda: window.session.shot(shots[0]).keyframe_take_id == third.id)
    assert "✓" in tiles.item(2).text() and "✓" not in tiles.item(1).text()
    QTest.keyClick(tiles, Qt.Key.Key_Escape)  # back to the cards
    assert grid.hasFocus()

    window.close_project()
    with ProjectService.open(path) as reopened:
        assert reopened.project.timeline.shots[0].keyframe_take_id == third.id
        assert reopened.undo() == "Approve the keyframe of shot 1"
        assert reopened.project.timeline.shots[0].keyframe_take_id == variant.id


def test_make_keyframes_asks_then_makes_stills_for_the_shots_without_any(window, loop, tmp_path):
    # Shot 3 of 4 has no keyframe stills (every third shot has none); the others have variants.
    path = storyboard_film(tmp_path / "film.foundry", shots=4, scenes=1, outside=0, approve=lambda index: False)
    open_board(window, path)
    shots = ids(window)
    QTest.mouseClick(window.storyboard.make_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: window.storyboard.stages.box is not None)
    box = window.storyboard.stages.box
    assert box.text().startswith("Make keyframes for 1 shot (3).\n1 keyframe job to send; cost: free.")
    QTest.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: window.session.service.keyframes_of(shots[2]) and not window.session.generating)
    assert window.storyboard.grid.board.cards[2].keyframe_state == "variants"

    window.session.select(shots[:2])  # chosen cards: keyframes for them, even though they have some
    QTest.mouseClick(window.storyboard.make_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: window.storyboard.stages.box is not None)
    assert window.storyboard.stages.box.text().startswith("Make keyframes for 2 shots (1, 2).")
    QTest.mouseClick(window.storyboard.stages.box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)

    window.close_project()
    with ProjectService.open(path) as reopened:
        stills = [len(reopened.keyframes_of(shot_id)) for shot_id in shots]
        assert stills == [2, 2, 1, 2]  # the cancelled second round sent nothing
        assert [job.shot_id for job in reopened.jobs()] == [shots[2]]


def test_a_click_on_a_scene_header_chooses_its_shots_and_help_lists_the_keys(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=7, scenes=2, outside=1)
    grid = open_board(window, path)
    row, header = grid.headers[2]  # scene 2
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.translated(0, -grid.verticalScrollBar().value()).topLeft() + QPoint(40, 10))
    assert window.session.selected == [card.shot_id for card in row.cards] and len(row.cards) == 3

    groups = dict(shortcut_groups(window))
    keys = dict(groups["In the storyboard panel"])
    assert keys["Next card (on into the next scene)"] == "Right"
    assert keys["The card's keyframe variants"].startswith("Return")
    assert dict(groups["View menu"])["The storyboard"] == "Ctrl+Shift+B"
    assert dict(groups["File menu"])["Export the storyboard"] == "Ctrl+Shift+E"


def test_an_edit_repaints_only_the_card_it_changed_and_progress_shows_on_its_card(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=4, scenes=1, outside=0)
    grid = open_board(window, path)
    shots = ids(window)
    approved = [card.shot_id for card in grid.board.cards if card.keyframe is not None]
    assert approved == [shots[0]]
    # Every card painted, the approved one with its keyframe read (what a card showed: card, size,
    # selected, progress, its picture's key).
    wait_until(loop, lambda: len(grid._painted) == 4 and grid._painted[shots[0]][0][4] != 0)
    before = {shot_id: pixmap.cacheKey() for shot_id, (_, pixmap) in grid._painted.items()}

    window.session.edit("Prompt", lambda: window.session.service.update_shot(1, prompt="A new prompt for shot two"))
    wait_until(loop, lambda: grid._painted[shots[1]][1].cacheKey() != before[shots[1]])
    assert {shot_id: grid._painted[shot_id][1].cacheKey() for shot_id in (shots[0], shots[2], shots[3])} == {
        shot_id: before[shot_id] for shot_id in (shots[0], shots[2], shots[3])}
    assert grid.board.cards[1].prompt == "A new prompt for shot two"

    window.session.generation_progress.emit(shots[2], "job", 0.4, "working")
    wait_until(loop, lambda: grid._painted[shots[2]][0][3] == 0.4)
    assert grid._painted[shots[0]][1].cacheKey() == before[shots[0]]


def test_delete_on_the_storyboard_is_the_timelines_ripple_delete(window, loop, tmp_path):
    window.activateWindow()  # the window's Delete is a shortcut: it needs an active window
    wait_until(loop, window.isActiveWindow)
    path = storyboard_film(tmp_path / "film.foundry", shots=4, scenes=1, outside=0)
    grid = open_board(window, path)
    shots = ids(window)
    QTest.keyClick(grid, Qt.Key.Key_Home)
    QTest.keyClick(grid, Qt.Key.Key_Right)
    QTest.keyClick(grid, Qt.Key.Key_Delete)
    wait_until(loop, lambda: len(grid.board.cards) == 3)
    assert [card.shot_id for card in grid.board.cards] == [shots[0], shots[2], shots[3]]

    window.close_project()
    with ProjectService.open(path) as reopened:
        assert [shot.id for shot in reopened.project.timeline.shots] == [shots[0], shots[2], shots[3]]
        assert reopened.undo() == "Remove shot 2"  # one step, as on the timeline
        assert [shot.id for shot in reopened.project.timeline.shots] == shots


def test_a_cards_tooltip_gives_its_whole_prompt_and_both_stages_in_words(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=3, scenes=1, outside=0)
    grid = open_board(window, path)
    rect = grid.rect_of(ids(window)[1]).translated(0, -grid.verticalScrollBar().value())
    QTest.mouseMove(grid.viewport(), rect.center())
    event = QHelpEvent(QEvent.Type.ToolTip, rect.center(), grid.viewport().mapToGlobal(rect.center()))
    QApplication.sendEvent(grid.viewport(), event)
    wait_until(loop, lambda: QToolTip.isVisible())
    assert QToolTip.text() == ("Shot 2 · 0.5 s\nWaves break over the harbour wall, gulls scatter\n\n"
                               "2 variants to approve\nVideo not generated")


def test_keyframe_variants_for_the_chosen_shot_are_counted_before_they_are_made(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=3, scenes=1, outside=0, approve=lambda index: False)
    grid = open_board(window, path)
    shots = ids(window)
    QTest.keyClick(grid, Qt.Key.Key_End)  # shot 3: no keyframe yet
    spin = window.storyboard.variants_box
    spin.setFocus()
    QTest.keyClick(spin, Qt.Key.Key_Up)
    QTest.keyClick(spin, Qt.Key.Key_Up)
    assert spin.value() == 2
    QTest.mouseClick(window.storyboard.make_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: window.storyboard.stages.box is not None)
    box = window.storyboard.stages.box
    assert box.text().startswith("Make keyframes for 1 shot (3).\n3 keyframe jobs to send; cost: free.")
    QTest.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: len(window.session.service.keyframes_of(shots[2])) == 3 and not window.session.generating)
    assert window.storyboard.variants.tiles.count() == 3  # the chosen shot's variants, to approve

    window.close_project()
    with ProjectService.open(path) as reopened:
        seeds = {take.seed for take in reopened.keyframes_of(shots[2])}
        assert len(seeds) == 3 and reopened.project.timeline.shots[2].keyframe_take_id is None


def test_behind_the_timelines_tab_the_board_waits_to_be_shown_before_it_is_built(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=3, scenes=1, outside=0)
    assert opened(window, path)
    assert window.storyboard.visibleRegion().isEmpty()  # the timeline's tab is in front
    window.session.edit("Prompt", lambda: window.session.service.update_shot(0, prompt="Changed while hidden"))
    wait_until(loop, lambda: not window.storyboard._rebuild.isActive())
    assert window.storyboard.grid.board.cards == []  # nothing built for a board no one sees

    window.show_storyboard()
    assert [card.prompt for card in window.storyboard.grid.board.cards][0] == "Changed while hidden"


def test_the_chosen_shots_card_comes_into_view_when_the_board_is_shown(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=40, scenes=2, outside=0)
    window.activateWindow()  # its keys are shortcuts: they need an active window
    wait_until(loop, window.isActiveWindow)
    assert opened(window, path)
    canvas = window.timeline.canvas
    canvas.fit()
    last = canvas._plan.shots[-1]
    x = round(canvas.view.x_of((last.record_in + last.record_out) / 2))
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(x, geometry.row_of("video").top + 40))  # the last shot, chosen on the timeline
    shot_id = ids(window)[-1]
    assert window.session.selected == [shot_id]
    QTest.keyClick(canvas, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    grid = window.storyboard.grid
    assert grid.verticalScrollBar().maximum() > 0  # a board taller than its view

    def card_in_view() -> bool:  # its top at least: a card may be taller than the board's view
        rect = grid.rect_of(shot_id)
        return rect is not None and grid.viewport().rect().contains(
            rect.translated(0, -grid.verticalScrollBar().value()).topLeft())

    wait_until(loop, card_in_view)


def test_one_variant_says_a_click_approves_it_and_once_approved_how_to_get_others(window, loop, tmp_path):
    path = storyboard_film(tmp_path / "film.foundry", shots=2, scenes=1, outside=0, variants=1,
                           approve=lambda index: index == 0)
    grid = open_board(window, path)
    QTest.keyClick(grid, Qt.Key.Key_Home)
    heading = window.storyboard.variants.heading
    assert heading.text() == ("Shot 1: 1 keyframe variant — approved. For others to choose from, "
                              "set Variants and Make keyframes.")
    QTest.keyClick(grid, Qt.Key.Key_Right)
    assert heading.text() == "Shot 2: 1 keyframe variant — click it to approve it."
