"""The window's Generate with a budget set, offscreen, driven by real key presses and clicks: shots
whose cost cannot be estimated beforehand (Runway states no price for seedance2_fast) are named
in a question before anything is sent; Cancel sends nothing, "Generate anyway" sends them. The
storyboard's confirmation says the same."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import editor_window, opened, settings_in, wait_until  # noqa: E402
from test_gui_jobs_tab import front  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from servers.runway import RunwayServer  # noqa: E402

from foundry_desktop.app.generation.shot_generation import GenerationEstimate  # noqa: E402
from foundry_desktop.cli.main import main  # noqa: E402
from foundry_desktop.domain.cost import Overrun  # noqa: E402
from foundry_desktop.ui.storyboard.stages import Stage, confirmation_text  # noqa: E402

SECRET = "rk-budget-check-1234"
WARNING = ("The cost of shot 1 in Runway credits cannot be estimated beforehand, so the budget of 500 Runway "
           "credits cannot guard it: it is sent while the budget is not used up, and may take the spending beyond it.")


@pytest.fixture
def runway(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FOUNDRY_RUNWAY_API_KEY", SECRET)
    with RunwayServer(api_key=SECRET, task_seconds=0.2) as server:
        assert main(["cloud", "set", "runway", "--base-url", server.url, "--poll-seconds", "0.1"]) == 0
        yield server


@pytest.fixture
def window(runway, qtbot, loop, tmp_path):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as opened:
        yield opened


def film(folder: Path, *, budget: bool) -> Path:
    path = folder / "film.foundry"
    assert main(["new", str(path), "--size", "160x90", "--fps", "24"]) == 0
    assert main(["shot", "add", str(path), "--prompt", "waves at dusk", "--backend", "runway",
                 "--model", "seedance2_fast", "--duration", "5"]) == 0
    if budget:
        assert main(["budget", "set", str(path), "runway-credits", "500"]) == 0
    return path


def press_generate(window, loop) -> None:
    canvas = window.timeline.canvas
    window.activateWindow()
    canvas.setFocus()
    wait_until(loop, canvas.hasFocus)
    QTest.keyClick(canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)


def test_generate_names_what_the_budget_cannot_guard_and_sends_only_when_told(window, loop, runway, tmp_path):
    assert opened(window, film(tmp_path, budget=True))
    session = window.session
    press_generate(window, loop)
    wait_until(loop, lambda: window.budget_check.box is not None)
    box = window.budget_check.box
    assert box.text() == f"{WARNING}\nGenerate anyway?"
    QTest.mouseClick(box.button(box.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert window.budget_check.box is None and not session.generating
    assert runway.submissions == 0 and session.service.jobs() == []
    assert front(window) == "Timeline"  # nothing went: the Jobs tab did not take the timeline's place

    press_generate(window, loop)
    wait_until(loop, lambda: window.budget_check.box is not None)
    QTest.mouseClick(window.budget_check.box.button(box.StandardButton.Yes), Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: len(session.service.jobs(("done",))) == 1 and not session.generating)
    assert runway.submissions == 1 and window.errors == []


def test_without_a_budget_generate_sends_at_once(window, loop, runway, tmp_path):
    assert opened(window, film(tmp_path, budget=False))
    press_generate(window, loop)
    assert window.session.generating and window.budget_check.box is None
    wait_until(loop, lambda: not window.session.generating)
    assert runway.submissions == 1 and window.errors == []


def test_the_storyboards_confirmation_says_it_too():
    stage = Stage("Animate approved", "video", ["a", "b"], lambda: None, lambda: None)
    estimate = GenerationEstimate(
        jobs=[], reused=0, totals={"runway-credits": 60.0}, unknown={"runway-credits": 1}, spent={},
        budgets={"runway-credits": 500.0}, overruns=[(3, Overrun("runway-credits", 500.0, 480.0, 0.0, 60.0))],
        unguarded={"runway-credits": [1]})
    lines = confirmation_text(stage, estimate, {"a": 1, "b": 3}).splitlines()
    assert lines[0] == "Animate approved for 2 shots (1, 3)."
    assert lines[2].startswith("Shot 3 would not be sent: the project's budget is 500 Runway credits")
    assert lines[3] == WARNING
