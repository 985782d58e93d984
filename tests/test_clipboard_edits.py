"""Shots copied in one project and pasted in another (a second window of the app): the
files the copies need are brought into the other project's media folder, the paste is one
undo step, and what is not shots on the clipboard is refused in words."""

from __future__ import annotations

import json

import pytest
from video_sources import sine, write_video

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.errors import InvalidEditError


def test_shots_copied_in_one_project_paste_into_another_with_their_files(tmp_path):
    with ProjectService.create(tmp_path / "a.foundry", width=320, height=180, frame_rate="24") as first, \
            ProjectService.create(tmp_path / "b.foundry", width=320, height=180, frame_rate="24") as second:
        add_media_shot(first, write_video(tmp_path / "clip.mp4", frames=24, tone=sine()))
        second.add_shot(prompt="theirs", duration_seconds="2", seed=1)
        payload = json.loads(json.dumps(first.copied_shots([0])))  # as the system clipboard carries it
        assert second.bring_clipboard_media(payload) == 1
        assert second.bring_clipboard_media(payload) == 0  # already there
        pasted = second.paste_shots(payload, 48)  # after "theirs"
        assert second.undo_label() == "Paste 1 shot"
        assert second.shot_status(pasted[0]).kind == "current"
    with ProjectService.open(tmp_path / "b.foundry", read_only=True) as reopened:
        shots = reopened.project.timeline.shots
        assert [shot.spec.prompt for shot in shots] == ["theirs", "clip.mp4"]
        assert reopened.media.exists(reopened.project.selected_take(shots[1]).media_path)


@pytest.mark.parametrize("payload", [None, {"version": 1}, {"version": 1, "shots": [{"spec": 3}], "takes": {}}])
def test_what_is_not_copied_shots_is_refused_in_words(tmp_path, payload):
    with ProjectService.create(tmp_path / "a.foundry") as service:
        with pytest.raises(InvalidEditError, match="copy a shot on the timeline first"):
            service.paste_shots(payload, 0)
