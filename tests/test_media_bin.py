"""The media bin and relinking, through the app service on real files: footage, stills and sound
come in as bin items (once each, one undo step), a damaged file is refused in words; offline
files are named as the creator knows them, and found again by name or, renamed, by content,
never by a name alone; a relink is one undo step, recorded in the bin."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image
from video_sources import write_video, write_wav

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_bin import bin_entries, place_entry, prepare_entry, prepare_import
from foundry_desktop.app.shots.media_relink import find_offline, offline_media, record_relink, restore_found
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.cli.main import main
from foundry_desktop.errors import InputFileError


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24") as opened:
        yield opened


def test_footage_stills_and_sound_come_in_once_each_as_one_undo_step(service, tmp_path):
    clip = write_video(tmp_path / "beach.mp4", frames=36)
    still = tmp_path / "poster.png"
    Image.fromarray(np.full((90, 160, 3), 120, np.uint8)).save(still)
    song = write_wav(tmp_path / "song.wav", 1.5, 0.3)
    items = [prepare_import(service.media, path) for path in (clip, still, song)]
    assert [(item.kind, item.seconds) for item in items] == [("video", 1.5), ("still", 0.0), ("sound", 1.5)]
    assert service.add_media(items) == items and service.undo_label() == "Import 3 files"
    assert service.add_media([prepare_import(service.media, clip)]) == []  # the same content: not twice
    assert service.undo_label() == "Import 3 files"

    place_entry(service, prepare_entry(service.media, bin_entries(service.project)[1]), frame=0, index=0)
    assert [(e.name, e.uses) for e in bin_entries(service.project)] == [
        ("beach.mp4", 0), ("poster.png", 1), ("song.wav", 0)]
    service.undo()
    service.undo()
    assert service.project.media == []
    with ProjectService.open(service.path, read_only=True) as reopened:
        assert reopened.project.media == []


def test_a_damaged_file_is_refused_in_words_and_changes_nothing(service, tmp_path):
    broken = tmp_path / "holiday.mov"
    broken.write_bytes(b"\x00\x00\x00\x18ftypqt  " + bytes(4000))
    with pytest.raises(InputFileError, match="holiday.mov") as refused:
        prepare_import(service.media, broken)
    assert "not imported" in str(refused.value)
    with pytest.raises(InputFileError, match="no such file"):
        prepare_import(service.media, tmp_path / "gone.mp4")
    assert service.project.media == [] and service.undo_label() is None


def test_offline_files_are_found_by_name_then_by_content_and_never_by_name_alone(service, tmp_path):
    originals = tmp_path / "shoot"
    originals.mkdir()
    clips = [write_video(originals / f"{name}.mp4", frames=24,
                         picture=lambda _, grey=grey: np.full((90, 160, 3), grey, np.uint8))
             for name, grey in (("beach", 40), ("harbour", 120), ("cliffs", 200))]
    service.add_media([prepare_import(service.media, clip) for clip in clips])
    for entry in bin_entries(service.project):
        place_entry(service, prepare_entry(service.media, entry), frame=0, index=0)
    shutil.rmtree(tmp_path / "film.media")

    offline = offline_media(service.project, service.media)
    assert sorted(file.name for file in offline) == ["beach.mp4", "cliffs.mp4", "harbour.mp4"]
    (originals / "harbour.mp4").rename(originals / "harbour final.mp4")  # renamed: found by its content
    (originals / "elsewhere").mkdir()
    write_video(originals / "elsewhere" / "cliffs.mp4", frames=24)  # a different file of the same name
    (originals / "cliffs.mp4").unlink()  # really gone
    report = find_offline(offline, originals)
    assert sorted((file.name, path.name) for file, path in report.found) == [
        ("beach.mp4", "beach.mp4"), ("harbour.mp4", "harbour final.mp4")]
    assert [file.name for file in report.missing] == ["cliffs.mp4"]
    assert report.in_words() == ("Found 2 of 3 offline files.\n• beach.mp4 — in shoot\n"
                                 "• harbour.mp4 — as harbour final.mp4 in shoot\nStill missing:\n• cliffs.mp4")

    restore_found(service.media, report)
    record_relink(service, report)
    assert service.undo_label() == "Relink 2 files"
    assert [file.name for file in offline_media(service.project, service.media)] == ["cliffs.mp4"]
    statuses = {shot.name: service.shot_status(shot).kind for shot in service.project.timeline.shots}
    assert statuses == {"beach": "current", "harbour": "current", "cliffs": "missing"}
    with ProjectService.open(service.path, read_only=True) as reopened:
        origins = {item.name: item.origin for item in reopened.project.media}
    assert origins["harbour.mp4"].endswith("harbour final.mp4") and origins["cliffs.mp4"].endswith("shoot/cliffs.mp4")


def test_relinking_files_the_timeline_uses_puts_them_in_the_bin_as_the_one_undo_step(service, tmp_path):
    clip = write_video(tmp_path / "dropped.mp4", frames=24)
    song = write_wav(tmp_path / "bed.wav", 1.0, 0.3)
    add_media_shot(service, clip)  # as a file dropped from the desktop: on the timeline, not in the bin
    add_music(service, song)
    assert service.project.media == []
    shutil.rmtree(tmp_path / "film.media")
    report = find_offline(offline_media(service.project, service.media), tmp_path)
    restore_found(service.media, report)
    record_relink(service, report)
    assert service.undo_label() == "Relink 2 files"
    assert [(item.name, item.kind, item.origin) for item in service.project.media] == [
        ("dropped.mp4", "video", str(clip)), ("bed.wav", "sound", str(song))]
    assert service.undo() == "Relink 2 files" and service.project.media == []


def test_the_command_line_imports_lists_and_relinks_the_bin(tmp_path, capsys):
    project = tmp_path / "film.foundry"
    ProjectService.create(project, width=320, height=180, frame_rate="24").close()
    clip = write_video(tmp_path / "beach.mp4", frames=24)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video" * 50)
    assert main(["media", "import", str(project), str(clip), str(broken)]) == 1  # one refused, the other in
    out, err = capsys.readouterr()
    assert out == "Imported 1 file\n" and "broken.mp4" in err and "not imported" in err
    shutil.move(tmp_path / "film.media", tmp_path / "away")
    assert main(["media", "list", str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"name": "beach.mp4", "kind": "video", "seconds": 1.0, "uses": 0, "in_bin": True, "offline": True}]
    assert main(["media", "relink", str(project), str(tmp_path / "away")]) == 0
    assert capsys.readouterr().out == "Found 1 of 1 offline files.\n• beach.mp4 — in away/takes\n"
    assert main(["media", "list", str(project)]) == 0
    assert capsys.readouterr().out == "beach.mp4  video  1.0 s  used 0x\n"
    assert main(["media", "relink", str(project), str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("Nothing is offline")
    with ProjectService.open(project, read_only=True) as reopened:
        assert reopened.undo_label() == "Relink 1 file"
