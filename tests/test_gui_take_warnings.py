"""The window says it too, offscreen, against the ComfyUI protocol test server: importing a workflow
that ignores the prompt and the seed warns in the workflow library, and a take that does not match
its shot shows a warning in the inspector, on its tile in the takes panel and on its job's row."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import project_session, wait_until  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QInputDialog  # noqa: E402
from servers.comfyui import ComfyUIServer  # noqa: E402

from foundry_desktop.app.generation.settings import ComfyServerSettings, add_server, load_settings, save_settings  # noqa: E402
from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.ui.dialogs.workflow_library import WorkflowLibraryDialog  # noqa: E402
from foundry_desktop.ui.inspector.inspector import InspectorPanel  # noqa: E402
from foundry_desktop.ui.panels.job_table import DETAILS  # noqa: E402
from foundry_desktop.ui.panels.jobs import JobsPanel  # noqa: E402
from foundry_desktop.ui.panels.takes import TakesPanel  # noqa: E402

WORKFLOWS = Path(__file__).resolve().parents[1] / "workflows"


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))


def bare_workflow(path: Path) -> Path:
    """Wan 2.2's text-to-video graph exported bare, with no role tags: 512x512, 2 s at 24 fps, always."""
    graph = copy.deepcopy(json.loads((WORKFLOWS / "wan22-5b-text-to-video.json").read_text())["graph"])
    graph["55"]["inputs"].update(width=512, height=512, length=48)
    graph["57"]["inputs"]["fps"] = 24.0
    for node in graph.values():
        node.pop("_meta", None)
    path.write_text(json.dumps(graph))
    return path


def import_in_the_library(loop, monkeypatch, source: Path) -> str:
    """Import `source` as "fixed" through the workflow library's Import button; the dialog's note."""
    dialog = WorkflowLibraryDialog()
    dialog.show()
    wait_until(loop, lambda: dialog.entries and dialog.template is not None)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(source), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("fixed", True))
    QTest.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: dialog.template is not None and dialog.template.name == "fixed")
    note, description = dialog.note.text(), dialog.description.text()
    loop.run_until_complete(dialog.wait_idle())
    dialog.done(0)
    dialog.deleteLater()
    return note + "\n" + description


def test_the_window_warns_of_a_workflow_that_ignores_its_values_and_a_take_unlike_its_shot(
        qtbot, loop, tmp_path, monkeypatch):
    said = import_in_the_library(loop, monkeypatch, bare_workflow(tmp_path / "bare.json"))
    warning = ("⚠ The workflow “Fixed” ignores the prompt and the seed it is given: changing them makes the same "
               "take again.")
    assert said.startswith(f"Imported bare.json as fixed.\n{warning}")
    assert said.count(warning) == 2  # the import's note, and the workflow's description while it is chosen

    service = ProjectService.create(tmp_path / "film.foundry", width=384, height=216, frame_rate="24")
    service.add_shot(prompt="a lighthouse", duration_seconds="3", seed=7, backend="comfyui", workflow="fixed")
    with ComfyUIServer(name="studio", job_seconds=0.1) as server, project_session(service, loop) as session:
        save_settings(add_server(load_settings(), ComfyServerSettings(name="studio", url=server.url)))
        notices: list[str] = []
        session.notice.connect(notices.append)
        inspector, takes, jobs = InspectorPanel(), TakesPanel(), JobsPanel()
        for panel in (inspector, takes, jobs):
            qtbot.addWidget(panel)
            panel.resize(480, 800)
            panel.show()
            panel.set_session(session)
        shot_id = service.project.timeline.shots[0].id
        session.select([shot_id])
        assert not inspector.take_note.isVisible()  # no take yet: nothing to say

        QTest.mouseClick(takes.generate_button, Qt.MouseButton.LeftButton)
        wait_until(loop, lambda: not session.generating and service.project.selected_take(
            service.project.timeline.shots[0]) is not None)
        assert session.errors == []

        # The inspector, on the take the shot shows.
        wait_until(loop, lambda: inspector.take_note.isVisible())
        assert inspector.take_note.text() == (
            "⚠ The take is 512x512, not the shot's shape (384x216): it shows with black bars to fit the frame.\n"
            "⚠ The take lasts 2.00 s, shorter than the shot's 3.00 s: the shot ends where the take does.")
        session.select([])  # shown again when the shot is chosen again, not only as its status changes
        assert not inspector.take_note.isVisible()
        session.select([shot_id])
        assert inspector.take_note.isVisible() and "512x512" in inspector.take_note.text()
        # The take's tile: marked, and said in full when pointed at.
        wait_until(loop, lambda: takes.gallery.count() == 1 and "⚠" in takes.gallery.item(0).text())
        assert "⚠ The take lasts 2.00 s" in takes.gallery.item(0).toolTip()
        # The job's row, and the status bar's notice pointing there.
        wait_until(loop, lambda: jobs.model.jobs and jobs.model.jobs[0].state == "done")
        details = jobs.model.index(0, DETAILS).data()
        assert details.startswith("⚠ The take is 512x512") and "shorter than the shot's 3.00 s" in details
        assert notices == ["Shot 1: The take is 512x512, not the shot's shape (384x216): it shows with black bars "
                           "to fit the frame. (and 1 more in the Jobs panel)"]
        for panel in (inspector, takes, jobs):
            panel.set_session(None)

    with ProjectService.open(tmp_path / "film.foundry", read_only=True) as again:  # kept in the project file
        (job,) = again.jobs(("done",))
        assert job.error.startswith("The take is 512x512") and "2.00 s" in job.error
