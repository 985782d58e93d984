"""The cloud models in the window, offscreen: Settings › Cloud services lists the chosen
provider's models (what they accept, cost and when checked), and the inspector shows for a cloud
shot the request its video will send — updated when the prompt or the model changes."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import project_session, wait_until  # noqa: E402
from listed_models import runway_listed  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from foundry_desktop.app.generation.session import GenerationSession  # noqa: E402
from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES  # noqa: E402
from foundry_desktop.ui.inspector.inspector import InspectorPanel  # noqa: E402
from foundry_desktop.ui.settings.dialog import SettingsDialog  # noqa: E402


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FOUNDRY_CACHE_DIR", str(tmp_path / "cache"))
    runway_listed(monkeypatch)


def click_provider(tab, label_start: str) -> None:
    row = next(r for r in range(tab.providers.count()) if tab.providers.item(r).text().startswith(label_start))
    rect = tab.providers.visualItemRect(tab.providers.item(row))
    QTest.mouseClick(tab.providers.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_cloud_tab_lists_each_providers_models(loop, tmp_path, dark_theme):
    dialog = SettingsDialog(GenerationSession(), settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                            confirm=lambda *_: True)
    dialog.show()
    tab = dialog.cloud
    dialog.tabs.setCurrentWidget(tab)
    wait_until(loop, lambda: "runway" in tab.catalogue)
    click_provider(tab, "Runway")
    table = tab.models.table
    assert tab.models.isVisible() and table.rowCount() == len(VIDEO_MODEL_TABLES["runway"])
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, 3)] for r in range(table.rowCount())}
    gen45 = rows["Gen-4.5\ngen4.5 — default"]
    model = VIDEO_MODEL_TABLES["runway"]["gen4.5"]
    assert gen45[0].startswith(model.accepts_words()) and "Runway credits per second" in gen45[1]
    assert "gets gen4.5" in tab.models.note.text() and f"Checked {model.checked}" in tab.models.note.text()
    # The words a model accepts get the room: wider than the model's name and its price together.
    assert table.columnWidth(1) > table.columnWidth(0) + table.columnWidth(2)
    click_provider(tab, "Stability")  # stills only: no table of video models
    assert not tab.models.isVisible()
    loop.run_until_complete(dialog.wait_idle())
    dialog.close()
    dialog.deleteLater()


def test_the_inspector_shows_the_request_a_cloud_shot_will_send(qtbot, loop, tmp_path):
    service = ProjectService.create(tmp_path / "film.foundry", width=1024, height=768, frame_rate="24")
    service.add_shot(prompt="Waves at dusk", duration_seconds="5", seed=42, backend="runway")
    service.add_shot(prompt="A title", duration_seconds="2", seed=2)
    with project_session(service, loop) as session:
        panel = InspectorPanel()
        qtbot.addWidget(panel)
        panel.resize(400, 1000)
        panel.show()
        panel.set_session(session)
        shots = service.project.timeline.shots
        session.select([shots[0].id])
        line = panel.request_line
        wait_until(loop, lambda: line.isVisible() and line.text().startswith("sends gen4.5, text to video"))
        assert "1280:720 is the nearest shape Gen-4.5 makes to the project's 1024x768" in line.text()

        panel.prompt.setFocus()
        panel.prompt.selectAll()
        QTest.keyClick(panel.prompt, Qt.Key.Key_Delete)  # an empty prompt: gen4.5 needs one
        wait_until(loop, lambda: line.text().startswith("not sent: ") and "prompt" in line.text())
        assert service.project.timeline.shots[0].spec.prompt == ""

        other = next(model for model in VIDEO_MODEL_TABLES["runway"].values() if model.id != "gen4.5")
        panel.model.setFocus()
        QTest.keyClicks(panel.model, other.id)
        wait_until(loop, lambda: service.project.timeline.shots[0].spec.model == other.id)
        wait_until(loop, lambda: other.id in line.text() or other.label in line.text())

        session.select([shots[1].id])  # the built-in generator: nothing is sent anywhere
        wait_until(loop, lambda: not line.isVisible())
        loop.run_until_complete(session.wait_idle())
