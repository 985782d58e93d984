"""Characters & Styles in the editor, offscreen: the dialog (list with usage, edit, pictures,
remove) and the inspector's pickers and final prompt, every change one undoable step."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from gui_loop import opened, project_session, wait_until  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.ui.dialogs.characters import CharactersDialog  # noqa: E402
from foundry_desktop.ui.inspector.inspector import InspectorPanel  # noqa: E402
from foundry_desktop.ui.window.main_window import MainWindow  # noqa: E402


@pytest.fixture
def session(tmp_path, loop):
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24")
    service.add_template("character", "Mara", prompt_prefix="Mara,", negative_prompt="extra fingers")
    service.add_template("style", "Noir", prompt_suffix="film noir")
    service.add_shot(prompt="walks in the rain", duration_seconds="1", seed=1, character="Mara")
    service.add_shot(prompt="an empty street", duration_seconds="1", seed=2)
    with project_session(service, loop) as opened:
        yield opened


def spec(session, number=1):
    return session.service.project.timeline.shots[number - 1].spec


def entries(page) -> list[str]:
    return [page.entries.item(row).text() for row in range(page.entries.count())]


def test_the_dialog_lists_edits_adds_pictures_and_removes_undoably(qtbot, loop, session, tmp_path):
    answers = []
    dialog = CharactersDialog(session, confirm=lambda title, question: answers.pop(0))
    qtbot.addWidget(dialog)
    dialog.show()
    characters, styles = dialog.pages["character"], dialog.pages["style"]
    assert entries(characters) == ["Mara  ·  1 shot"] and entries(styles) == ["Noir  ·  0 shots"]
    assert characters.usage.text() == "shot 1"
    assert characters.fields["prompt_prefix"].toPlainText() == "Mara,"

    # Edit the form, apply: one undoable step, and the shot that uses her goes stale in words.
    service = session.service
    characters.fields["prompt_suffix"].setPlainText("green coat")
    characters.fields["backend"].setText("comfyui")
    assert characters.apply_button.isEnabled()
    characters.apply_button.click()
    mara = service.project.characters[0]
    assert (mara.prompt_suffix, mara.backend) == ("green coat", "comfyui")
    assert service.undo_label() == "Change character Mara"
    assert not characters.apply_button.isEnabled()

    # A refusal is shown in the dialog and keeps what was typed.
    characters.name.setText("")
    characters.name.textEdited.emit("")
    characters.apply_button.click()
    assert dialog.error_line.isVisibleTo(dialog) and "needs a name" in dialog.error_line.text()
    characters.name.setText("Mara")
    characters.apply_button.click()
    assert not dialog.error_line.isVisibleTo(dialog)

    # Add one; it is named so as not to clash, and shown for editing.
    characters.add_button.click()
    assert [c.name for c in service.project.characters] == ["Mara", "New character"]
    assert characters.name.text() == "New character" and entries(characters)[1] == "New character  ·  0 shots"

    # Pictures: checked and copied in a worker thread, added as one step, shown as thumbnails.
    still = tmp_path / "mara.png"
    Image.new("RGB", (160, 90), (200, 40, 40)).save(still)
    characters.entries.setCurrentRow(0)
    characters.add_pictures([still])
    wait_until(loop, lambda: service.project.characters[0].reference_images)
    assert service.project.characters[0].reference_images[0].name == "mara.png"
    wait_until(loop, lambda: characters.pictures.count() == 1 and not characters.pictures.item(0).icon().isNull())
    assert service.undo_label() == "Change character Mara"

    # Removing one that a shot uses asks first; no keeps it, yes takes it from the shot in the same step.
    answers.extend([False, True])
    characters.remove_button.click()
    assert [c.name for c in service.project.characters] == ["Mara", "New character"]
    characters.remove_button.click()
    assert [c.name for c in service.project.characters] == ["New character"] and spec(session).character is None
    assert answers == []
    service.undo()
    assert entries(characters) == ["Mara  ·  1 shot", "New character  ·  0 shots"]  # the dialog follows undo
    assert spec(session).character == service.project.characters[0].id
    dialog.close()


def test_the_style_page_keeps_palette_and_keywords(qtbot, session):
    dialog = CharactersDialog(session, confirm=lambda *_: True)
    qtbot.addWidget(dialog)
    styles = dialog.pages["style"]
    styles.fields["palette"].setText("#102030, #405060")
    styles.fields["palette"].textEdited.emit("")
    styles.fields["keywords"].setText("rain, neon")
    styles.apply()
    noir = session.service.project.styles[0]
    assert (noir.palette, noir.keywords) == (("#102030", "#405060"), ("rain", "neon"))
    styles.fields["palette"].setText("blue")
    styles.fields["palette"].textEdited.emit("")
    assert not styles.apply() and "palette" in dialog.error_line.text()
    dialog.close()  # closing tries once more; the refusal stays in the dialog


def test_inspector_pickers_and_the_final_prompt(qtbot, loop, session):
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 1100)
    panel.show()
    panel.set_session(session)
    session.select([session.service.project.timeline.shots[0].id])
    assert [panel.character_picker.itemText(i) for i in range(panel.character_picker.count())] == ["None", "Mara"]
    assert panel.character_picker.currentText() == "Mara" and panel.style_picker.currentText() == "None"
    assert panel.final_prompt.toPlainText() == "Mara, walks in the rain\n\nAvoid: extra fingers"
    assert panel.final_prompt.isReadOnly()

    panel.style_picker.setCurrentIndex(panel.style_picker.findText("Noir"))
    assert spec(session).style == session.service.project.styles[0].id
    assert session.service.undo_label() == "Change shot 1: style"
    assert panel.final_prompt.toPlainText() == "Mara, walks in the rain, film noir\n\nAvoid: extra fingers"

    # Typing in the prompt shows the final prompt at once, before it is saved.
    panel.prompt.moveCursor(QTextCursor.MoveOperation.End)
    panel.prompt.insertPlainText(" at night")
    assert panel.final_prompt.toPlainText().startswith("Mara, walks in the rain at night, film noir")

    panel.character_picker.setCurrentIndex(0)  # None
    assert spec(session).character is None
    assert panel.final_prompt.toPlainText() == "walks in the rain at night, film noir"
    wait_until(loop, lambda: spec(session).prompt == "walks in the rain at night")  # saved after the pause

    # An edit made elsewhere (the dialog, the CLI, undo) shows here too.
    assert session.service.undo() == "Change shot 1: prompt"
    assert session.service.undo() == "Change shot 1: character"
    assert panel.character_picker.currentText() == "Mara"
    session.service.update_template("character", "Mara", name="Mara Kell", prompt_prefix="Mara Kell,")
    assert panel.character_picker.currentText() == "Mara Kell"
    assert panel.final_prompt.toPlainText() == "Mara Kell, walks in the rain, film noir\n\nAvoid: extra fingers"
    assert session.errors == []


def test_the_shots_menu_opens_the_dialog(qtbot, tmp_path, loop):
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert not window.characters_action.isEnabled()  # no project open
    with ProjectService.create(tmp_path / "film.foundry", width=320, height=180):
        pass
    assert opened(window, tmp_path / "film.foundry")
    shots_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Shots")
    assert window.characters_action in shots_menu.actions() and window.characters_action.isEnabled()
    window.characters_action.trigger()
    dialog = window.findChild(CharactersDialog)
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "Characters & Styles"
    dialog.pages["character"].add_button.click()
    assert [c.name for c in window.session.service.project.characters] == ["New character"]
    assert window.undo_action.text() == "&Undo Add character New character"
    dialog.close()
    loop.run_until_complete(window.session.wait_idle())
    window.close_project()
    loop.run_until_complete(window.generation.close())


def test_a_picture_that_is_not_one_is_refused_in_the_dialog(qtbot, loop, session, tmp_path):
    dialog = CharactersDialog(session, confirm=lambda *_: True)
    qtbot.addWidget(dialog)
    not_a_picture = Path(tmp_path / "notes.png")
    not_a_picture.write_text("hello")
    dialog.pages["character"].add_pictures([not_a_picture])
    wait_until(loop, lambda: dialog.error_line.text())
    assert "notes.png is not an image" in dialog.error_line.text()
    assert session.service.project.characters[0].reference_images == ()
    dialog.close()
