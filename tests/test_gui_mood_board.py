"""The "Mood board…" dialog, offscreen, against the OpenAI-compatible test server: no model set
up said in the dialog; looks proposed off the GUI thread with their palettes and pictures;
"Use this look" adds the look as a style, one undo step; and the Shots menu that opens it."""

from __future__ import annotations

import pytest
from gui_loop import project_session, wait_until
from PySide6.QtWidgets import QLabel
from servers.openai_chat import OpenAIChatServer

from foundry_desktop.app.assist.language_model import LanguageModelSettings
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.dialogs.mood_board import MoodBoardDialog


@pytest.fixture(autouse=True)
def key_store(password_store):
    password_store.set_password("foundry-desktop", "assist", "sk-gui")


@pytest.fixture
def session(tmp_path, loop):
    service = ProjectService.create(tmp_path / "mugs.foundry", width=320, height=180)
    with project_session(service, loop) as opened:
        yield opened


def test_looks_are_proposed_shown_and_one_becomes_a_style(qtbot, loop, session):
    with OpenAIChatServer(api_key="sk-gui") as server:
        # The timeout of a try only stops a broken test hanging: a slow machine never comes near it.
        settings = LanguageModelSettings(base_url=server.base_url, model="gpt-4o-mini", image_model="gpt-image-2",
                                         timeout_s=60)
        dialog = MoodBoardDialog(session, load_settings=lambda: settings)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.brief.setPlainText("Handmade ceramic mugs, thrown and glazed in a seaside workshop.")
        task = dialog.propose()
        assert not dialog.propose_button.isEnabled()  # busy while the model answers
        loop.run_until_complete(task)
        assert dialog.board is not None and len(dialog.use_buttons) == 3
        loop.run_until_complete(dialog.work.wait_idle())  # the pictures, read in worker threads
    pictures = [label for label in dialog.looks.findChildren(QLabel) if label.pixmap() and not label.pixmap().isNull()]
    assert len(pictures) == 6
    swatches = [label for label in dialog.looks.findChildren(QLabel) if "background: #" in label.styleSheet()]
    assert len(swatches) == sum(len(chosen.direction.palette) for chosen in dialog.board.directions)

    dialog.use_buttons[1].click()
    chosen = dialog.board.directions[1]
    styles = session.service.project.styles
    assert [style.name for style in styles] == [chosen.direction.name]
    assert [image.path for image in styles[0].reference_images] == chosen.pictures
    assert "Added the style" in dialog.status.text()
    session.service.undo()
    assert session.service.project.styles == []


def test_no_language_model_is_said_in_the_dialog(qtbot, loop, session):
    dialog = MoodBoardDialog(session, load_settings=LanguageModelSettings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.brief.setPlainText("Anything")
    loop.run_until_complete(dialog.propose())
    wait_until(loop, lambda: dialog.error_line.isVisible())
    assert "No language model is set up" in dialog.error_line.text() and dialog.propose_button.isEnabled()
    dialog.brief.setPlainText("")
    assert dialog.propose() is None and dialog.error_line.isVisible()  # an empty brief is refused before asking
