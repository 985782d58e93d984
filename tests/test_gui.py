"""The plain main window, offscreen: it shows the project through the app service."""

import pytest

pytest.importorskip("PySide6.QtWidgets")

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.ui.main_window import MainWindow  # noqa: E402


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, name="Night Film", width=320, height=180) as service:
        service.add_shot(prompt="Opening title", duration_seconds="2", seed=1, name="Title")
        service.add_shot(prompt="The city at night", duration_seconds="3", seed=2)
    return path


def cell(window: MainWindow, row: int, column: int) -> str:
    return window.shots.item(row, column).text()


def test_window_lists_shots_and_undoes(qtbot, project_path, tmp_path):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.open_project(project_path)
    assert window.windowTitle() == "Night Film — Foundry Desktop"
    assert window.shots.rowCount() == 2
    assert (cell(window, 0, 1), cell(window, 0, 2), cell(window, 0, 4)) == ("Title", "Opening title", "2.00 s")
    assert cell(window, 1, 5) == "missing (not generated yet)"
    assert window.undo_action.isEnabled() and "Add shot 2" in window.undo_action.text()

    # An edit made through the service shows up without any call on the window.
    window.service.update_shot(1, prompt="The city at dawn")
    assert cell(window, 1, 2) == "The city at dawn"

    window.undo_action.trigger()
    assert cell(window, 1, 2) == "The city at night"
    assert window.redo_action.isEnabled()

    window.grab().save(str(tmp_path / "main_window.png"))
    assert (tmp_path / "main_window.png").stat().st_size > 0
    window.close()


def test_a_bad_file_gets_a_message_not_a_crash(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(
        "foundry_desktop.ui.main_window.QMessageBox.warning", lambda parent, title, text: shown.append(text)
    )
    bogus = tmp_path / "bogus.foundry"
    bogus.write_text("nope")
    window = MainWindow()
    qtbot.addWidget(window)
    window.open_project(bogus)
    assert shown and "not a Foundry project" in shown[0]
    assert window.service is None
