"""File ▸ Clean up the project folder: the open project's unused media and stale render segments go
(checked on disk), its takes stay, and the window says what it freed."""

from __future__ import annotations

import os
import time

import pytest
from gui_loop import editor_window, opened, settings_in, wait_until

from foundry_desktop.app.project_service import ProjectService

ORPHAN_HASH = "cd" * 32


@pytest.fixture
def window(qtbot, tmp_path, loop):
    with editor_window(qtbot, loop, settings_in(tmp_path)) as window:
        yield window


def test_clean_up_removes_what_nothing_needs_off_the_gui_thread(window, tmp_path, loop):
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180) as service:
        service.add_shot(name="Opening", prompt="a harbour at dawn", duration_frames=24)
    assert opened(window, path)
    media = path.with_suffix(".media")
    # Made while the window has the project open: the open's own tidying did not see them.
    orphan = media / "takes" / ORPHAN_HASH[:2] / f"{ORPHAN_HASH}.mp4"
    stale = media / "renders" / "segments" / "ef" / f"{'ef' * 32}.mp4"
    for planted, size in ((orphan, 1500), (stale, 2500)):
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.write_bytes(b"\0" * size)
    then = time.time() - 90 * 86400
    os.utime(stale, (then, then))

    window.clean_project_action.trigger()
    wait_until(loop, lambda: "freed" in window.statusBar().currentMessage())
    assert window.statusBar().currentMessage() == "Cleaned up 2 files nothing needed: 4.0 KB freed."
    assert not orphan.exists() and not stale.exists()
    assert [shot.name for shot in window.session.service.project.timeline.shots] == ["Opening"]
