"""Generate (Ctrl+G) brings the Jobs tab to the front of the window's bottom area; when the run
ends the tab the creator was on comes back, unless they chose a tab themselves meanwhile. Driven
by the real key and a real click on the dock's tab, on a project generating with the built-in
generator."""

from __future__ import annotations

import pytest
from gui_loop import editor_window, opened, settings_in, wait_until
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTabBar
from test_gui_edit_commands import settle

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.window.jobs_in_front import in_front

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, tmp_path, loop):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate="24") as service:
        for number in (1, 2):
            service.add_shot(prompt=f"shot {number}", duration_seconds="1", seed=number)
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        window.activateWindow()  # shortcuts need an active window
        wait_until(loop, window.isActiveWindow)
        assert opened(window, path)
        window.timeline.canvas.setFocus()
        yield window


def front(window) -> str:
    return next(name for name in ("Timeline", "Storyboard", "Jobs") if in_front(window.docks[name]))


def generate(window, loop) -> None:
    QTest.keyClick(window.timeline.canvas, Qt.Key.Key_G, CTRL)  # its work runs in the waits that follow


def test_the_timeline_comes_back_when_the_run_ends(window, loop):
    assert front(window) == "Timeline"
    generate(window, loop)
    assert window.session.generating and front(window) == "Jobs"
    wait_until(loop, lambda: not window.session.generating)
    assert front(window) == "Timeline"
    assert all(window.session.service.shot_status(shot).kind == "current"
               for shot in window.session.service.project.timeline.shots)
    settle(loop)


def test_a_tab_the_creator_chose_during_the_run_stays(window, loop):
    generate(window, loop)
    assert front(window) == "Jobs"
    bar = next(bar for bar in window.findChildren(QTabBar)
               if "Storyboard" in [bar.tabText(index) for index in range(bar.count())])
    storyboard_tab = next(index for index in range(bar.count()) if bar.tabText(index) == "Storyboard")
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     bar.tabRect(storyboard_tab).center())
    assert window.session.generating and front(window) == "Storyboard"  # chosen while the run goes on
    wait_until(loop, lambda: not window.session.generating)
    assert front(window) == "Storyboard"
    settle(loop)
