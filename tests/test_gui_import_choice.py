"""Importing a cut file that holds several timelines from the window: the import answers with their
names, the creator picks one from a list, and that one becomes the project."""

from __future__ import annotations

import pytest
from gui_loop import editor_window, settings_in, wait_until
from interchange_samples import FCPXML_SAMPLES
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QListView

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.dialogs.import_cut import ImportChoice

PROJECTS = FCPXML_SAMPLES / "foundry_projects.fcpxml"


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def the_question(window, loop) -> QInputDialog:
    wait_until(loop, lambda: any(d.isVisible() for d in window.findChildren(QInputDialog)))
    return next(d for d in window.findChildren(QInputDialog) if d.isVisible())


def test_a_file_of_several_timelines_asks_which_and_imports_the_one_clicked(window, tmp_path, loop):
    project = tmp_path / "main.foundry"
    loop.run_until_complete(window.import_cut(ImportChoice(PROJECTS, project, None)))
    dialog = the_question(window, loop)
    assert dialog.comboBoxItems() == ["Untitled Project", "Main cut", "Alt cut"]
    assert "foundry_projects.fcpxml holds 3 timelines" in dialog.labelText() and not project.exists()
    dialog.grab().save(str(tmp_path / "fcpxml-read-choice.png"))
    names = dialog.findChild(QListView)
    QTest.mouseClick(names.viewport(), Qt.MouseButton.LeftButton,
                     pos=names.visualRect(names.model().index(1, 0)).center())
    QTest.keyClick(names, Qt.Key.Key_Return)
    wait_until(loop, lambda: window.session is not None and window.session.path == project)
    with ProjectService.open(project, read_only=True) as service:  # the project file, opened afresh
        assert service.project.name == "Main cut"
        assert [shot.spec.duration for shot in service.project.timeline.shots] == [50, 75]


def test_closing_the_question_imports_nothing(window, tmp_path, loop):
    project = tmp_path / "none.foundry"
    loop.run_until_complete(window.import_cut(ImportChoice(PROJECTS, project, None)))
    dialog = the_question(window, loop)
    QTest.keyClick(dialog.findChild(QListView), Qt.Key.Key_Escape)
    wait_until(loop, lambda: not window.findChildren(QInputDialog))  # closed and deleted
    assert window.session is None and not project.exists() and not window.work.busy
