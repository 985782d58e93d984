"""The budget question on every Generate, offscreen, driven by real clicks against a Runway test
server: with a budget set and a model whose price Runway does not state (seedance2_fast), the takes
panel's Generate and the render dialog's "Generate, then render" name the shot first and send
nothing (nor render) on Cancel; "Generate anyway" sends it. `foundry film`'s summary says it too."""

import json

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import opened, wait_until  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from test_gui_background_render import click, open_render_sheet, question_button  # noqa: E402
from test_film_flow import brief, chat_server, painter  # noqa: E402,F401  (fixtures)
from test_gui_budget_check import WARNING, film, runway, window  # noqa: E402,F401  (fixtures)

from foundry_desktop.app.film_flow.film_request import FilmResult  # noqa: E402
from foundry_desktop.app.generation.shot_generation import GenerationEstimate  # noqa: E402
from foundry_desktop.cli.commands.storyboard.film import print_summary  # noqa: E402
from foundry_desktop.cli.main import main  # noqa: E402


def answer(check, button: QMessageBox.StandardButton) -> None:
    box = check.box
    assert box is not None and box.text() == f"{WARNING}\nGenerate anyway?"
    QTest.mouseClick(box.button(button), Qt.MouseButton.LeftButton)


def test_the_takes_panels_generate_asks_first_and_sends_only_when_told(window, loop, runway, tmp_path):
    assert opened(window, film(tmp_path, budget=True))
    session, takes = window.session, window.takes
    session.select([session.service.project.timeline.shots[0].id])
    wait_until(loop, lambda: takes.generate_button.isVisible() and takes.generate_button.isEnabled())
    QTest.mouseClick(takes.generate_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: takes.budget_check.box is not None)
    assert not takes.progress.isVisibleTo(takes)  # nothing is on its way while the question is open
    answer(takes.budget_check, QMessageBox.StandardButton.Cancel)
    assert takes.budget_check.box is None and not session.generating
    assert runway.submissions == 0 and session.service.jobs() == []

    QTest.mouseClick(takes.generate_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: takes.budget_check.box is not None)
    answer(takes.budget_check, QMessageBox.StandardButton.Yes)
    wait_until(loop, lambda: len(session.service.jobs(("done",))) == 1 and not session.generating)
    assert runway.submissions == 1 and window.errors == []


def test_generate_then_render_asks_first_and_neither_sends_nor_renders_on_cancel(window, qtbot, loop, runway,
                                                                                  tmp_path):
    assert opened(window, film(tmp_path, budget=True))
    session, renders = window.session, window.jobs.renders
    output = tmp_path / "film.mp4"

    def ask():
        dialog = open_render_sheet(window, qtbot, output)
        click(dialog.start)
        click(question_button(dialog, "Generate, then render"))
        wait_until(loop, lambda: dialog.budget_check.box is not None)
        return dialog

    dialog = ask()
    answer(dialog.budget_check, QMessageBox.StandardButton.Cancel)
    assert dialog.budget_check.box is None and not session.generating
    assert runway.submissions == 0 and session.service.jobs() == [] and renders.jobs == []

    dialog = ask()
    answer(dialog.budget_check, QMessageBox.StandardButton.Yes)
    wait_until(loop, lambda: renders.jobs and renders.jobs[-1].finished, timeout=300)
    assert renders.jobs[-1].state == "done", renders.jobs[-1].error
    assert runway.submissions == 1 and output.exists()


def test_the_films_summary_says_what_the_budget_cannot_guard(capsys):
    """After the keyframes, `foundry film` says what animating sends; with a budget it cannot guard
    a shot, it says so (text and --json), as `generate --estimate` does."""
    estimate = GenerationEstimate(jobs=[], reused=0, totals={}, unknown={"runway-credits": 1}, spent={},
                                  budgets={"runway-credits": 500.0}, overruns=[], unguarded={"runway-credits": [1]})
    result = FilmResult(stopped_after="keyframes", video_estimate=estimate)
    print_summary(result, "film.foundry", as_json=False)
    assert capsys.readouterr().out.splitlines()[-1] == f"Warning: {WARNING}"
    print_summary(result, "film.foundry", as_json=True)
    said = json.loads(capsys.readouterr().out)
    assert said["video_estimate"]["budget_cannot_guard"] == [{"unit": "runway-credits", "shots": [1]}]
    assert said["video_estimate"]["warnings"] == [WARNING]


def test_foundry_film_stopped_for_review_says_it_and_sends_no_video(runway, password_store, chat_server, painter,
                                                                    brief, tmp_path, capsys):
    """`foundry film` itself, to the keyframes (made by the painter), its shots on Runway's seedance2_fast
    and a Runway budget set: the summary warns, and no video has gone to Runway."""
    project = str(tmp_path / "harbour.foundry")
    assert main(["new", project, "--size", "320x180", "--fps", "24"]) == 0
    assert main(["budget", "set", project, "runway-credits", "500"]) == 0
    capsys.readouterr()
    assert main(["film", project, "--brief", brief, "--duration", "9", "--backend", "runway", "--model",
                 "seedance2_fast", "--image-backend", "painter"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == ("Warning: The cost of shots 1, 2 and 3 in Runway credits cannot be estimated beforehand, so the "
                    "budget of 500 Runway credits cannot guard them: they are sent while the budget is not used up, "
                    "and may take the spending beyond it."), last
    assert runway.submissions == 0 and painter.submissions == 3
