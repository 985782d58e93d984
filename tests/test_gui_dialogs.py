"""The settings and workflow library dialogs, offscreen, driven as a creator would: servers
added, checked live against real protocol servers and removed; cloud keys set and removed
without ever being shown; service, rendering and storage settings kept; workflows listed,
marked, filed, imported (and a UI-format export refused in words), removed, and checked
against servers. Screenshots of the dark look go to /tmp/foundry-shots/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
import shiboken6
from gui_loop import spin, wait_until
from memory_keyring import MemoryKeyring
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QLineEdit, QListWidget
from servers.comfyui import ComfyUIServer
from servers.openai_chat import OpenAIChatServer

from foundry_desktop.app.generation.api_keys import PROVIDERS
from foundry_desktop.app.generation.backends import workflow_library
from foundry_desktop.app.generation.session import GenerationSession
from foundry_desktop.app.generation.settings import (
    CloudServiceSettings,
    ComfyServerSettings,
    GenerationSettings,
    load_settings,
    save_settings,
)
from foundry_desktop.app.assist.language_model import load_language_model
from foundry_desktop.ui.settings.cloud_tab import KEY_SET, NO_KEY
from foundry_desktop.ui.settings.dialog import SettingsDialog
from foundry_desktop.ui.settings.rendering_tab import (
    CHECKING,
    render_encoder,
    render_loudness,
)
from foundry_desktop.ui.settings.servers_tab import GPU, MEMORY, ON, QUEUE, STATE
from foundry_desktop.ui.dialogs.workflow_library import NAME_ROLE, WorkflowLibraryDialog

SHOTS = Path("/tmp/foundry-shots")
WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"
SVD_MODELS = {"checkpoints": ["svd_xt.safetensors"]}
DOWN = "http://127.0.0.1:9"  # nothing listens there
SECRET = "rk-very-secret-1234"


class Creator:
    """Answers the dialogs' yes-or-no questions, in the order given, and remembers them."""

    def __init__(self) -> None:
        self.answers: list[bool] = []
        self.questions: list[str] = []

    def __call__(self, title: str, question: str) -> bool:
        self.questions.append(question)
        return self.answers.pop(0)


@pytest.fixture(autouse=True)
def machine(tmp_path, monkeypatch):
    """This test's own settings and cache folders and password store, and no keys in the environment."""
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FOUNDRY_CACHE_DIR", str(tmp_path / "cache"))
    for provider in PROVIDERS:
        monkeypatch.delenv(f"FOUNDRY_{provider.upper().replace('-', '_')}_API_KEY", raising=False)
    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(previous)


@pytest.fixture
def creator() -> Creator:
    return Creator()


@pytest.fixture
def qsettings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def dispose(loop, dialog) -> None:
    """Close the dialog and delete it now, on the GUI thread. Left to Python, its wrapper (held
    in reference cycles by the lambdas its signals call) would be freed by the garbage collector
    in whichever thread it runs next — a test server's, a worker's — and a widget deleted off
    the GUI thread leaves its timers registered there, to crash a later test."""
    loop.run_until_complete(dialog.wait_idle())
    dialog.close()
    shiboken6.delete(dialog)


@pytest.fixture
def settings_dialog(loop, dark_theme, creator, qsettings):
    dialog = SettingsDialog(GenerationSession(), settings=qsettings, confirm=creator)
    dialog.show()
    # Its first work (which keys are kept) runs now, inside the loop: pytest-qt processes Qt
    # events between a test's stages, where an asyncio task would find no running loop.
    loop.run_until_complete(dialog.wait_idle())
    yield dialog
    dispose(loop, dialog)


@pytest.fixture
def library_dialog(loop, dark_theme, creator):
    dialog = WorkflowLibraryDialog(confirm=creator)
    dialog.show()
    wait_until(loop, lambda: dialog.entries and dialog.template is not None)
    yield dialog
    dispose(loop, dialog)


def shoot(loop, widget, name: str) -> None:
    spin(loop, 0.1)  # let the last changes paint
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def every_text(dialog) -> str:
    """All the words the dialog shows: labels, fields and list rows."""
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    texts += [field.text() for field in dialog.findChildren(QLineEdit)]
    for listing in dialog.findChildren(QListWidget):
        texts += [listing.item(row).text() for row in range(listing.count())]
    return "\n".join(texts)


# -- Settings › ComfyUI servers -------------------------------------------------------------


def add_server(tab, name: str, url: str, max_queued: int = 2) -> None:
    tab.name.setText(name)
    tab.url.setText(url)
    tab.max_queued.setValue(max_queued)
    tab.add_button.click()


def cell(tab, row: int, column: int) -> str:
    return tab.table.item(row, column).text()


def test_servers_are_added_checked_live_switched_off_and_removed(settings_dialog, loop):
    tab = settings_dialog.servers
    settings_dialog.tabs.setCurrentWidget(tab)
    changes = []
    settings_dialog.generation_settings_changed.connect(lambda: changes.append(1))
    with ComfyUIServer(name="gpu-1", models=SVD_MODELS) as server:
        add_server(tab, "gpu-1", server.url, 3)
        add_server(tab, "attic", DOWN)
        assert [(s.name, s.url, s.max_queued, s.enabled) for s in load_settings().comfyui_servers] == [
            ("gpu-1", server.url, 3, True), ("attic", DOWN, 2, True)]
        assert len(changes) == 2 and tab.name.text() == "" and tab.url.text() == ""
        wait_until(loop, lambda: not tab.checking)  # a new server is checked as it is added

        tab.check_button.click()
        assert cell(tab, 0, STATE) == cell(tab, 1, STATE) == "checking…"  # the GUI goes on meanwhile
        wait_until(loop, lambda: not tab.checking)
        assert cell(tab, 0, STATE).startswith("up — ComfyUI")
        assert cell(tab, 0, GPU) == "NVIDIA GeForce RTX 4090"
        assert cell(tab, 0, MEMORY).endswith("of 24.0 GiB free") and cell(tab, 0, QUEUE) == "0"
        assert cell(tab, 1, STATE) == "down" and cell(tab, 1, GPU) == ""
        assert tab.down_reasons.isVisibleTo(settings_dialog)
        assert tab.down_reasons.text().startswith("attic is down: ComfyUI on attic cannot be reached at "
                                                  "http://127.0.0.1:9")
        tab.table.selectRow(1)
        shoot(loop, settings_dialog, "settings-servers")

    add_server(tab, "ftp", "ftp://files.example.com")
    assert tab.error.isVisibleTo(settings_dialog)
    assert tab.error.text() == "Address: a server address starts with http:// or https://."
    add_server(tab, "gpu-1", "http://10.0.0.5:8188")
    assert tab.error.text() == "There is already a ComfyUI server called gpu-1."
    assert tab.name.text() == "gpu-1"  # what was typed stays, to be corrected
    assert len(load_settings().comfyui_servers) == 2 and len(changes) == 2

    tab.table.item(1, ON).setCheckState(Qt.CheckState.Unchecked)
    wait_until(loop, lambda: not load_settings().comfyui_servers[1].enabled)
    assert load_settings().comfyui_servers[0].enabled and not tab.error.isVisibleTo(settings_dialog)

    tab.table.selectRow(1)
    tab.remove_button.click()
    assert not tab.down_reasons.isVisibleTo(settings_dialog)  # the down one is gone
    assert [s.name for s in load_settings().comfyui_servers] == ["gpu-1"]
    assert tab.table.rowCount() == 1 and cell(tab, 0, 1) == "gpu-1"
    assert len(changes) == 4  # added twice, switched off, removed


def test_a_damaged_settings_file_is_named_and_not_overwritten(loop, tmp_path, qsettings):
    broken = tmp_path / "config" / "generation.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json")
    dialog = SettingsDialog(GenerationSession(), settings=qsettings)
    dialog.show()
    assert "cannot be read" in dialog.servers.error.text() and "fix or delete the file" in dialog.servers.error.text()
    assert not dialog.servers.add_button.isEnabled()
    dispose(loop, dialog)
    assert broken.read_text() == "{not json"


# -- Settings › Cloud services --------------------------------------------------------------


def test_a_cloud_key_is_set_and_removed_and_never_shown(settings_dialog, loop, machine):
    tab = settings_dialog.cloud
    settings_dialog.tabs.setCurrentWidget(tab)
    wait_until(loop, lambda: tab.key_states["runway"] == NO_KEY)
    tab.choose("runway")
    assert tab.key_field.echoMode() == QLineEdit.EchoMode.Password
    tab.key_field.setText(SECRET)
    tab.set_key_button.click()
    assert tab.key_field.text() == ""  # off the screen at once
    wait_until(loop, lambda: tab.key_states["runway"] == KEY_SET)
    assert machine.passwords[("foundry-desktop", "runway")] == SECRET
    assert tab.key_state.text() == "key set" and tab.remove_key_button.isEnabled()
    assert tab.providers.item(0).text() == "Runway — key set"
    assert tab.providers.item(1).text() == "Replicate — no key"
    assert SECRET not in every_text(settings_dialog)
    shoot(loop, settings_dialog, "settings-cloud-key-set")

    tab.remove_key_button.click()
    wait_until(loop, lambda: tab.key_states["runway"] == NO_KEY)
    assert ("foundry-desktop", "runway") not in machine.passwords and not tab.remove_key_button.isEnabled()
    tab.remove_key()  # nothing left to remove: said in words
    wait_until(loop, lambda: tab.error.text() != "")
    assert tab.error.text() == "No runway key is kept on this machine."
    tab.set_key_from_field()
    assert tab.error.text() == "Paste the key into the field first."


# -- Settings › Assist ------------------------------------------------------------------------


def test_the_assist_endpoint_is_saved_checked_live_and_its_key_kept_unseen(settings_dialog, loop, machine):
    tab = settings_dialog.assist
    settings_dialog.tabs.setCurrentWidget(tab)
    assert "No language model is set up yet" in tab.status.text()
    tab.base_url.setText("ftp://nowhere")
    assert tab.save() is None and "Endpoint" in tab.error.text()  # refused in words, nothing saved
    with OpenAIChatServer(api_key=SECRET) as server:
        tab.base_url.setText(server.base_url)
        tab.model.setText("gpt-4o-mini")
        tab.image_model.setText("no-such-picture-model")
        loop.run_until_complete(tab.save())
        assert load_language_model().base_url == server.base_url and load_language_model().model == "gpt-4o-mini"
        loop.run_until_complete(tab.check())  # no key yet: the endpoint refuses
        assert tab.error.text() and server.base_url in tab.error.text()
        tab.key.setText(SECRET)
        loop.run_until_complete(tab.keep_the_key())
        assert tab.key.text() == "" and machine.passwords[("foundry-desktop", "assist")] == SECRET
        assert SECRET not in every_text(settings_dialog) and tab.forget_key.isEnabled()
        tab.error.clear_error()
        loop.run_until_complete(tab.check())
        assert "The endpoint answers" in tab.status.text() and "gpt-4o-mini" in tab.status.text()
        assert "Not among them:" in tab.status.text() and "no-such-picture-model" in tab.status.text()
    loop.run_until_complete(tab.forget_the_key())
    assert ("foundry-desktop", "assist") not in machine.passwords and not tab.forget_key.isEnabled()


def test_a_machine_without_a_password_store_is_told_so(settings_dialog, loop):
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the machine fixture puts the memory one back
    tab = settings_dialog.cloud
    settings_dialog.tabs.setCurrentWidget(tab)
    tab.choose("stability")
    tab.key_field.setText(SECRET)
    tab.set_key_button.click()
    wait_until(loop, lambda: tab.error.text() != "")
    assert tab.error.isVisibleTo(settings_dialog)
    assert tab.error.text().startswith("This machine has no password store to keep the key in; set "
                                       "FOUNDRY_STABILITY_API_KEY in the environment instead.")
    assert "Traceback" not in every_text(settings_dialog) and SECRET not in every_text(settings_dialog)
    shoot(loop, settings_dialog, "settings-cloud-no-password-store")


def test_a_cloud_service_address_model_and_timing_are_saved(settings_dialog, loop):
    tab = settings_dialog.cloud
    changes = []
    settings_dialog.generation_settings_changed.connect(lambda: changes.append(1))
    settings_dialog.tabs.setCurrentWidget(tab)
    tab.choose("openai")
    assert "OpenAI-compatible" in tab.base_url.placeholderText()
    tab.base_url.setText("http://127.0.0.1:8765/v1/")
    tab.default_model.setText("sora-2")
    tab.poll_seconds.setValue(2.5)
    tab.save_button.click()
    assert load_settings().cloud["openai"] == CloudServiceSettings(
        base_url="http://127.0.0.1:8765/v1", default_model="sora-2", poll_seconds=2.5)
    assert tab.saved_note.text() == "OpenAI-compatible videos saved." and changes == [1]

    tab.base_url.setText("videos.example.com")
    tab.save_button.click()
    assert tab.error.text() == ("OpenAI-compatible videos: 'videos.example.com' is not a web address: give it as "
                                "https://host/path (or http:// on this machine).")
    assert load_settings().cloud["openai"].base_url == "http://127.0.0.1:8765/v1"

    tab.base_url.setText("http://127.0.0.1:8765/v1")
    tab.choose("runway")  # what was typed for a service is kept when another one is chosen
    assert tab.base_url.text() == "" and tab.poll_seconds.text() == "Foundry's default (5 s)"
    tab.timeout_minutes.setValue(45)
    tab.choose("replicate")
    assert load_settings().cloud["runway"] == CloudServiceSettings(timeout_minutes=45)

    # The servers tab writes the same file: neither tab's changes are lost to the other's.
    add_server(settings_dialog.servers, "gpu-1", "http://127.0.0.1:8188")
    saved = load_settings()
    assert [s.name for s in saved.comfyui_servers] == ["gpu-1"] and set(saved.cloud) == {"openai", "runway"}
    tab.choose("runway")
    assert tab.timeout_minutes.value() == 45
    tab.timeout_minutes.setValue(0)  # back to Foundry's default: nothing left to keep
    tab.save_button.click()
    assert set(load_settings().cloud) == {"openai"} and [s.name for s in load_settings().comfyui_servers] == ["gpu-1"]
    tab.choose("openai")
    shoot(loop, settings_dialog, "settings-cloud-service")


def test_the_cloud_services_show_whole_at_the_dialogs_own_size(settings_dialog, loop):
    tab = settings_dialog.cloud
    QTest.mouseClick(settings_dialog.tabs.tabBar(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     settings_dialog.tabs.tabBar().tabRect(settings_dialog.tabs.indexOf(tab)).center())
    listing = tab.providers
    row = PROVIDERS.index("openai")
    QTest.mouseClick(listing.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     listing.visualItemRect(listing.item(row)).center())
    assert tab.provider == "openai"
    for index in range(listing.count()):  # each service's line, with its key's state, whole
        for state in (NO_KEY, KEY_SET):
            line = f"{listing.item(index).text().split(' — ')[0]} — {state}"
            assert listing.fontMetrics().horizontalAdvance(line) < listing.viewport().width(), line
    for field in (tab.base_url, tab.default_model, tab.poll_seconds, tab.timeout_minutes, tab.save_button,
                  tab.deadline_minutes, tab.stall_seconds):  # none squeezed below the height of its words
        assert field.height() >= field.minimumSizeHint().height(), field


def test_a_plain_http_address_to_another_machine_is_refused_until_allowed(settings_dialog, loop):
    """Keys never cross plain HTTP unasked: the address is refused until its box is ticked, by a click."""
    tab = settings_dialog.cloud
    settings_dialog.tabs.setCurrentWidget(tab)
    tab.choose("runway")
    tab.base_url.clear()
    QTest.keyClicks(tab.base_url, "http://192.168.1.30:8080/v1")
    QTest.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "plain http://, so the runway key would cross the network unencrypted" in tab.error.text()
    assert "runway" not in load_settings().cloud
    QTest.mouseClick(tab.allow_insecure, Qt.MouseButton.LeftButton)
    assert tab.allow_insecure.isChecked()
    tab.deadline_minutes.setValue(20)
    tab.stall_seconds.setValue(45)
    QTest.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    saved = load_settings()
    assert saved.cloud["runway"].base_url == "http://192.168.1.30:8080"  # its paths start with /v1 themselves
    assert (saved.transfers.deadline_minutes, saved.transfers.stall_seconds) == (20, 45)
    tab.choose("replicate")
    tab.choose("runway")
    assert tab.allow_insecure.isChecked()  # shown as it was allowed

    assist = settings_dialog.assist
    settings_dialog.tabs.setCurrentWidget(assist)
    assist.base_url.clear()
    QTest.keyClicks(assist.base_url, "http://llm.example.com/v1/v1")
    assert assist.save() is None and "Endpoint: http://llm.example.com/v1/v1 is plain http://" in assist.error.text()
    QTest.mouseClick(assist.allow_insecure, Qt.MouseButton.LeftButton)
    loop.run_until_complete(assist.save())
    assert load_language_model().base_url == "http://llm.example.com/v1"
    assist.base_url.clear()
    QTest.keyClicks(assist.base_url, "http://localhost:11434/v1")  # this machine: no question asked
    QTest.mouseClick(assist.allow_insecure, Qt.MouseButton.LeftButton)
    assert not assist.allow_insecure.isChecked()
    loop.run_until_complete(assist.save())
    assert load_language_model().base_url == "http://localhost:11434/v1"


# -- Settings › Rendering and Storage -------------------------------------------------------


def test_the_encoders_are_tried_in_a_thread_and_the_render_choices_kept(settings_dialog, loop, qsettings):
    tab = settings_dialog.rendering
    assert tab.checks is None  # not tried until the tab is looked at
    settings_dialog.tabs.setCurrentWidget(tab)
    assert tab.state.text() == CHECKING and not tab.check_again.isEnabled()
    shoot(loop, settings_dialog, "settings-rendering-checking")
    wait_until(loop, lambda: tab.checks is not None)
    rows = {tab.table.item(row, 0).text(): [tab.table.item(row, column).text() for column in range(1, 4)]
            for row in range(tab.table.rowCount())}
    assert rows["libx264"] == ["software", "yes", ""]
    assert len(rows) == len(tab.checks) and tab.state.text().startswith(f"{sum(c.works for c in tab.checks)} of ")
    assert all(kind == "hardware" for name, (kind, *_) in rows.items() if "nvenc" in name or "qsv" in name)
    assert all(reason for _, works, reason in rows.values() if works == "no")  # each failure says why
    shoot(loop, settings_dialog, "settings-rendering")

    assert render_encoder(qsettings) == "auto" and render_loudness(qsettings) == -14.0
    tab.encoder.setCurrentIndex(tab.encoder.findData("software"))
    tab.loudness.setValue(-23.0)
    assert render_encoder(qsettings) == "software" and render_loudness(qsettings) == -23.0
    qsettings.sync()
    again = SettingsDialog(GenerationSession(), settings=QSettings(qsettings.fileName(), QSettings.Format.IniFormat))
    assert again.rendering.encoder.currentData() == "software" and again.rendering.loudness.value() == -23.0
    dispose(loop, again)


def test_the_cache_is_measured_and_cleaned_up_after_a_yes(settings_dialog, loop, creator, tmp_path):
    cache = tmp_path / "cache"
    (cache / "segments").mkdir(parents=True)
    (cache / "segments" / "a.bin").write_bytes(b"\0" * 2_400_000)
    (cache / "encoders.json").write_bytes(b"{" + b" " * 99_998 + b"}")
    tab = settings_dialog.storage
    settings_dialog.tabs.setCurrentWidget(tab)
    assert tab.folder_label.text() == str(cache)
    wait_until(loop, lambda: tab.size is not None)
    assert tab.size_label.text() == "2.5 MB in 2 files" and tab.clean_button.isEnabled()
    shoot(loop, settings_dialog, "settings-storage")

    creator.answers = [False]
    tab.clean_button.click()
    assert str(cache) in creator.questions[0] and "2.5 MB" in creator.questions[0]
    loop.run_until_complete(settings_dialog.wait_idle())
    assert (cache / "segments" / "a.bin").exists()

    creator.answers = [True]
    tab.clean_button.click()
    wait_until(loop, lambda: tab.result.text() != "")
    assert cache.is_dir() and list(cache.iterdir()) == []
    assert tab.result.text() == "Freed 2.5 MB." and tab.size_label.text() == "0.0 MB in 0 files"
    assert not tab.clean_button.isEnabled()


# -- The workflow library --------------------------------------------------------------------


def tree(dialog) -> dict[str, list[tuple[str, str]]]:
    """Category -> (name, text shown) of each workflow, in the order shown."""
    found = {}
    for index in range(dialog.tree.topLevelItemCount()):
        group = dialog.tree.topLevelItem(index)
        found[group.text(0)] = [(group.child(row).data(0, NAME_ROLE), group.child(row).text(0))
                                for row in range(group.childCount())]
    return found


def choose(loop, dialog, name: str) -> None:
    dialog.choose(name)
    wait_until(loop, lambda: dialog.template is not None and dialog.template.name == name)


def parameter_rows(dialog) -> list[tuple[str, str, str]]:
    return [tuple(dialog.parameters.item(row, column).text() for column in range(3))
            for row in range(dialog.parameters.rowCount())]


def test_the_library_shows_the_built_in_workflows_by_category_with_their_needs(library_dialog, loop):
    dialog = library_dialog
    assert tree(dialog) == {
        "Audio": [("stable-audio-text-to-audio", "Stable Audio Open text to music and sound")],
        "Image": [("flux-schnell-text-to-image", "FLUX.1 schnell text to image"),
                  ("qwen-image-text-to-image", "Qwen-Image text to image"),
                  ("sdxl-text-to-image", "SDXL text to image")],
        "Video": [("ltxv-image-to-video", "LTX-Video image to video (2B)"),
                  ("ltxv-text-to-video", "LTX-Video text to video (2B)"),
                  ("svd-image-to-video", "Stable Video Diffusion: image to video"),
                  ("wan-image-to-video", "Wan 2.1 image to video (14B, 480p)"),
                  ("wan-text-to-video", "Wan 2.1 text to video (1.3B)"),
                  ("wan22-first-last-frame", "Wan 2.2 first to last frame (14B)"),
                  ("wan22-5b-image-to-video", "Wan 2.2 image to video (TI2V 5B)"),
                  ("wan22-5b-text-to-video", "Wan 2.2 text to video (TI2V 5B)")],
    }
    choose(loop, dialog, "svd-image-to-video")
    assert dialog.title.text() == "Stable Video Diffusion: image to video"
    assert dialog.about.text() == "svd-image-to-video · Video · built in"
    assert dialog.description.text().startswith("Animates the shot's input image")
    rows = parameter_rows(dialog)
    assert ("input_image", "23 · LoadImage", "image") in rows and ("seed", "3 · KSampler", "seed") in rows
    assert {row[0] for row in rows} >= {"width", "height", "frames", "fps"}
    assert "KSampler" in dialog.nodes.text().split(", ") and "ImageOnlyCheckpointLoader" in dialog.nodes.text()
    assert "svd_xt.safetensors" in dialog.models.text() and "models/checkpoints/" in dialog.models.text()
    assert 'href="https://huggingface.co/' in dialog.models.text()
    assert not dialog.remove_button.isEnabled()  # built-in
    shoot(loop, dialog, "workflow-library")

    choose(loop, dialog, "wan-text-to-video")
    assert ("frames", "40 · EmptyHunyuanLatentVideo", "length") in parameter_rows(dialog)
    assert dialog.models.text().count("<br>") == 2  # three model files


def test_favourites_come_first_marked_and_persist_and_categories_can_change(library_dialog, loop, monkeypatch):
    dialog = library_dialog
    changes = []
    dialog.library_changed.connect(lambda: changes.append(1))
    choose(loop, dialog, "wan-text-to-video")
    dialog.favourite_button.click()
    wait_until(loop, lambda: tree(dialog)["Video"][0][0] == "wan-text-to-video")
    assert tree(dialog)["Video"][0][1] == "★ Wan 2.1 text to video (1.3B)"
    assert dialog.chosen == "wan-text-to-video" and dialog.favourite_button.isChecked()
    assert dialog.favourite_button.text() == "★ Favourite"
    assert workflow_library().entry("wan-text-to-video").favourite

    reopened = WorkflowLibraryDialog()
    wait_until(loop, lambda: reopened.entries)
    assert tree(reopened)["Video"][0] == ("wan-text-to-video", "★ Wan 2.1 text to video (1.3B)")
    dispose(loop, reopened)

    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kwargs: ("Drafts", True))
    dialog.category_button.click()
    wait_until(loop, lambda: "Drafts" in tree(dialog))
    assert tree(dialog)["Drafts"] == [("wan-text-to-video", "★ Wan 2.1 text to video (1.3B)")]
    assert workflow_library().entry("wan-text-to-video").category == "Drafts"
    shoot(loop, dialog, "workflow-library-favourite")

    wait_until(loop, lambda: dialog.template is not None)
    dialog.favourite_button.click()
    wait_until(loop, lambda: not workflow_library().entry("wan-text-to-video").favourite)
    wait_until(loop, lambda: tree(dialog)["Drafts"][0][1] == "Wan 2.1 text to video (1.3B)")
    dialog.file_under("wan-text-to-video", "")  # back to the template's own
    wait_until(loop, lambda: "Drafts" not in tree(dialog))
    assert len(changes) == 4


def test_workflows_are_imported_refused_in_words_and_removed(library_dialog, loop, monkeypatch, tmp_path, creator):
    dialog = library_dialog
    copy = tmp_path / "my-svd.json"
    shutil.copy(WORKFLOWS / "svd-image-to-video.json", copy)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(copy), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("studio-svd", True))
    dialog.import_button.click()
    wait_until(loop, lambda: dialog.template is not None and dialog.template.name == "studio-svd")
    assert ("studio-svd", "Stable Video Diffusion: image to video (studio-svd)") in tree(dialog)["Video"]
    # SVD has no text conditioning: the import says the prompt changes nothing (see test_gui_take_warnings).
    assert dialog.note.text().splitlines()[0] == "Imported my-svd.json as studio-svd."
    assert "ignores the prompt it is given" in dialog.note.text()
    assert dialog.about.text().startswith("studio-svd · Video · imported, ") and dialog.remove_button.isEnabled()
    assert (tmp_path / "config" / "workflows" / "studio-svd.json").is_file()

    dialog.import_file(copy, "svd-image-to-video")
    wait_until(loop, lambda: dialog.error.text() != "")
    assert "A built-in workflow is already called svd-image-to-video" in dialog.error.text()

    ui_export = tmp_path / "from-the-ui.json"
    ui_export.write_text(json.dumps({"nodes": [], "links": []}))
    dialog.import_file(ui_export)
    wait_until(loop, lambda: "UI format" in dialog.error.text())
    assert "export it with Save (API Format)" in dialog.error.text() and dialog.error.isVisibleTo(dialog)
    assert "from-the-ui" not in {name for entries in tree(dialog).values() for name, _ in entries}
    shoot(loop, dialog, "workflow-library-ui-format-refused")

    (tmp_path / "config" / "workflows" / "broken.json").write_text("{")
    dialog.refresh("studio-svd")
    wait_until(loop, lambda: dialog.problems != [])
    assert "broken" in dialog.problems_line.text() and dialog.problems_line.isVisibleTo(dialog)

    creator.answers = [False]
    dialog.remove_button.click()
    assert "studio-svd" in creator.questions[0] and "studio-svd" in dialog.entries
    creator.answers = [True]
    dialog.remove_button.click()
    wait_until(loop, lambda: "studio-svd" not in dialog.entries)
    assert not (tmp_path / "config" / "workflows" / "studio-svd.json").exists()
    assert dialog.note.text() == "Removed studio-svd." and dialog.chosen is not None


def test_a_workflow_is_checked_against_live_servers(library_dialog, loop):
    dialog = library_dialog
    choose(loop, dialog, "svd-image-to-video")
    dialog.check_button.click()
    assert [dialog.server_verdicts.item(row).text() for row in range(dialog.server_verdicts.count())] == [
        "No ComfyUI servers are set up; add them in Settings › ComfyUI servers."]
    with ComfyUIServer(name="gpu-1", models=SVD_MODELS) as able, ComfyUIServer(name="gpu-2", models={"checkpoints": []}) as bare:
        save_settings(GenerationSettings(comfyui_servers=[
            ComfyServerSettings(name="gpu-1", url=able.url), ComfyServerSettings(name="gpu-2", url=bare.url),
            ComfyServerSettings(name="attic", url=DOWN)]))
        dialog.check_button.click()
        assert dialog.server_verdicts.item(0).text() == "Asking 3 server(s)…"
        wait_until(loop, lambda: dialog.server_verdicts.count() == 3)
        verdicts = [dialog.server_verdicts.item(row).text() for row in range(3)]
        assert verdicts[0] == "gpu-1: can run it"
        assert verdicts[1].startswith("gpu-2: ") and "svd_xt.safetensors" in verdicts[1]
        assert verdicts[2].startswith("attic: down (") and "cannot be reached" in verdicts[2]
        shoot(loop, dialog, "workflow-library-servers")


def test_settings_open_first_on_cloud_services_then_on_the_tab_last_used(settings_dialog, loop, qsettings):
    assert settings_dialog.tabs.currentWidget() is settings_dialog.cloud  # where a new user's keys go
    bar = settings_dialog.tabs.tabBar()
    rendering = next(index for index in range(bar.count()) if bar.tabText(index) == "Rendering")
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, bar.tabRect(rendering).center())
    assert settings_dialog.tabs.currentWidget() is settings_dialog.rendering
    qsettings.sync()
    again = SettingsDialog(GenerationSession(), settings=QSettings(qsettings.fileName(), QSettings.Format.IniFormat))
    assert again.tabs.currentWidget() is again.rendering
    dispose(loop, again)
