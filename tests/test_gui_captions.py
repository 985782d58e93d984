"""The Captions window, offscreen: captions listed, edited in place and deleted as undoable edits,
and transcribed from a shot's take through the transcription test server, off the GUI thread,
with refusals shown in words."""

from __future__ import annotations

import keyring
import pytest
import shiboken6
from gui_loop import project_session, wait_until
from PySide6.QtCore import QItemSelectionModel
from servers.openai_audio import OpenAIAudioServer
from spoken_audio import Speech

from foundry_desktop.app.assist.language_model import (
    LanguageModelSettings,
    save_language_model,
)
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.captions.styles import CAPTION_STYLES
from foundry_desktop.ui.dialogs.captions import END, START, TEXT, CaptionsDialog

SPEECH = Speech([("Good", 0.25, 0.5), ("morning.", 0.6, 1.0)])


@pytest.fixture
def machine(tmp_path, monkeypatch, password_store):
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    password_store.set_password("foundry-desktop", "assist", "test-key")


@pytest.fixture
def session(tmp_path, loop, machine):
    service = ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24")
    add_media_shot(service, SPEECH.write_video(tmp_path / "speech.mp4", frames=48))
    service.add_caption("By hand", "1.5", "2", "title")
    with project_session(service, loop) as opened:
        yield opened


@pytest.fixture
def dialog(loop, session):
    window = CaptionsDialog(session)
    window.show()
    yield window
    loop.run_until_complete(window.wait_idle())
    window.close()
    shiboken6.delete(window)


def cell(dialog, row, column) -> str:
    return dialog.table.item(row, column).text()


def test_captions_are_listed_and_edited_in_place_as_undoable_edits(dialog, session):
    service = session.service
    assert dialog.table.rowCount() == 1
    assert (cell(dialog, 0, START), cell(dialog, 0, END), cell(dialog, 0, TEXT)) == ("1.500", "2.000", "By hand")
    dialog.table.item(0, TEXT).setText("Changed")
    assert service.project.timeline.captions[0].text == "Changed"
    dialog.table.item(0, END).setText("2.5")
    assert service.project.timeline.captions[0].end == 60
    assert cell(dialog, 0, END) == "2.500"  # listed again after the edit
    # A refused edit is said in the window, and the cell shows the caption as it is.
    dialog.table.item(0, END).setText("1")
    assert "must end after it starts" in dialog.error_line.text() and dialog.error_line.isVisibleTo(dialog)
    assert cell(dialog, 0, END) == "2.500"
    assert service.undo() == "Change caption \"Changed\"" and cell(dialog, 0, END) == "2.000"
    dialog.table.selectionModel().select(dialog.table.model().index(0, 0),
                                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    dialog.delete_selected()
    assert service.project.timeline.captions == [] and dialog.table.rowCount() == 0
    service.undo()
    assert dialog.table.rowCount() == 1


def test_transcribing_a_shot_runs_off_the_gui_thread_and_adds_its_captions(dialog, session, loop):
    with OpenAIAudioServer(vocabulary=SPEECH.vocabulary) as server:
        # Nothing set up yet: the one line that says how, in the window.
        dialog.source.setCurrentIndex(dialog.source.findData("shot:1"))
        dialog.transcribe()
        wait_until(loop, lambda: dialog.error_line.text())
        assert "No language model is set up" in dialog.error_line.text()

        save_language_model(LanguageModelSettings(base_url=server.base_url, timeout_s=60))
        keyring.set_password("foundry-desktop", "assist", "wrong-key-123456")
        dialog.transcribe()
        wait_until(loop, lambda: "refused the key" in dialog.error_line.text())
        assert dialog.transcribe_button.isEnabled()

        keyring.set_password("foundry-desktop", "assist", "test-key")
        dialog.style.setCurrentText("social")
        dialog.transcribe()
        assert not dialog.transcribe_button.isEnabled() and "Transcribing shot 1" in dialog.status.text()
        wait_until(loop, lambda: dialog.table.rowCount() == 2)
    captions = session.service.project.timeline.captions
    assert [c.text for c in captions] == ["Good morning.", "By hand"]
    assert captions[0].word_starts == [6, 14] and captions[0].style == CAPTION_STYLES["social"]
    assert cell(dialog, 0, TEXT) == "Good morning." and cell(dialog, 0, 3) == "social"
    assert dialog.status.text() == "1 caption from shot 1." and not dialog.error_line.isVisibleTo(dialog)
    assert session.service.undo() == "Captions from shot 1"
