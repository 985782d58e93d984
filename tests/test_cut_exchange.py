"""One truth about the cut, and cuts that come back.

The film Foundry renders and the FCPXML, EDL and OTIO files it exports, each read
back by a reader independent of Foundry's (plain xml.etree for FCPXML, OpenTimelineIO
for OTIO, OpenTimelineIO's cmx_3600 adapter for the EDL), show the same frame of the
same take at every frame of the film, and place the same transitions and fades. A
cut exported and imported again makes the same project; a bad file makes none.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlsplit

import opentimelineio as otio
import pytest
from cmx3600_check import problems as cmx3600_problems
from fcpxml_independent_reader import independent_read
from video_sources import GREY_LEVELS, frame_indices, write_video, write_wav

from foundry_desktop.app.exchange.cut_export import export_cut, film_cut
from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.errors import CutFileError, ExportError
from foundry_desktop.media.probe import probe_media
from foundry_desktop.store.media_cache import sha256_of_file

RATE = Fraction(24)

# Each frame a reader sees: film frame -> (the media file's name, its frame shown there).
PictureMap = dict[int, tuple[str, int]]


@pytest.fixture
def edited(tmp_path) -> ProjectService:
    """Three clips trimmed into a film with a dissolve, fades, music, a marker and a caption."""
    sources = tmp_path / "sources"
    sources.mkdir()
    service = ProjectService.create(tmp_path / "film.foundry", name="Dawn & Dusk", width=160, height=90,
                                    frame_rate=RATE)
    add_media_shot(service, write_video(sources / "a.mp4", frames=48), name="Dawn, take 2", source_in="0.25",
                   source_out="1.75")  # frames 6..42
    add_media_shot(service, write_video(sources / "b.mp4", frames=60), name="Road <wide>", source_in="0.5",
                   source_out="2")  # frames 12..48
    add_media_shot(service, write_video(sources / "c.mp4", frames=36), name="Dusk")
    service.set_transition(0, "dissolve", 8)
    service.set_film_fades(6, 6)
    add_music(service, write_wav(sources / "bed.wav", 3.0, 0.2), at_seconds="0.5", fade_in_seconds="0.25",
              gain_db=-3.0)
    service.add_marker(30, "Look here")
    service.add_caption("Morning", "1", "2")
    yield service
    service.close()


def plain_frames(plan) -> set[int]:
    """The film's frames that show one take as it is: not in a transition or a fade."""
    blended = {f for t in plan.transitions for f in range(t.record_in, t.record_out)}
    blended |= set(range(plan.fade_in)) | set(range(plan.length - plan.fade_out, plan.length))
    return set(range(plan.length)) - blended


def picture_map(clips: list[tuple[str, int, int]], frames: set[int]) -> PictureMap:
    """From (file name, source frame at record_in, record_in, record_out) per clip."""
    shown: PictureMap = {}
    for name, source_in, record_in, record_out in clips:
        for frame in range(record_in, record_out):
            if frame in frames:
                assert frame not in shown, f"two clips at frame {frame}"
                shown[frame] = (name, source_in + frame - record_in)
    return shown


def fcpxml_view(text: str, frames: set[int]) -> tuple[PictureMap, list[tuple[int, int]], dict]:
    seen = independent_read(text)
    clips = [(media.name, start, int(record_in), int(record_out))
             for _, media, start, _, record_in, record_out in seen["clips"]]
    transitions = [(record_in, length) for _, _, record_in, length in seen["transitions"]]
    return picture_map(clips, frames), transitions, seen


def _target_name(clip: otio.schema.Clip) -> str:
    return Path(unquote(urlsplit(clip.media_reference.target_url).path)).name


def otio_view(path: Path, frames: set[int]) -> tuple[PictureMap, list[tuple[int, int]], otio.schema.Timeline]:
    timeline = otio.adapters.read_from_file(str(path))
    track = timeline.video_tracks()[0]
    clips, transitions, record = [], [], 0
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Transition):
            transitions.append((record - round(item.in_offset.to_frames()),
                                round(item.in_offset.to_frames() + item.out_offset.to_frames())))
            continue
        placed = track.range_of_child_at_index(index)
        record = round(placed.start_time.to_frames())
        frames_long = round(placed.duration.to_frames())
        clips.append((_target_name(item), round(item.source_range.start_time.to_frames()), record,
                      record + frames_long))
        record += frames_long
    return picture_map(clips, frames), transitions, timeline


def edl_view(text: str, frames: set[int]) -> tuple[PictureMap, list[tuple[int, int]]]:
    # OTIO's reader refuses a dissolve as a track's first item, so a film that fades in
    # gets a zero-length black event first, for OTIO's sake only.
    lines = text.split("\n")
    if lines[3].startswith("001  BL "):
        lines.insert(3, "000" + lines[3][3:])
    track = otio.adapters.read_from_string("\n".join(lines), "cmx_3600", rate=float(RATE)).tracks[0]
    clips, transitions, record = [], [], 0
    for item in track:
        if isinstance(item, otio.schema.Transition):
            assert item.in_offset.value == 0  # a CMX dissolve starts at its edit
            transitions.append((record, round(item.out_offset.to_frames())))
            continue
        length = round(item.source_range.duration.to_frames())
        if not isinstance(item.media_reference, otio.schema.GeneratorReference):  # black is no picture
            clips.append((item.name, round(item.source_range.start_time.to_frames()), record, record + length))
        record += length
    return picture_map(clips, frames), transitions


def test_the_render_and_every_export_show_the_same_frame_at_every_frame(edited, tmp_path):
    service = edited
    plan = service.cut_plan()
    film = render_film(service, tmp_path / "film.mp4").report.media
    frames = plain_frames(plan)
    shots = service.project.timeline.shots
    expected = picture_map([(Path(service.project.selected_take(shots[p.index]).media_path).name, p.source_in,
                             p.record_in, p.record_out) for p in plan.shots], frames)
    expected_transitions = [(0, plan.fade_in), *((t.record_in, t.frames) for t in plan.transitions),
                            (plan.length - plan.fade_out, plan.fade_out)]
    assert len(expected) > 60 and not plan.warnings  # every handle was there: nothing was trimmed for them

    # The render: its length, rate and size, and each plain frame shows that take frame.
    assert (probe_media(film.path).frame_count, film.frame_rate, film.width, film.height) == (plan.length, RATE, 160, 90)
    rendered = frame_indices(film.path)
    assert {f: rendered[f] for f in frames} == {f: source % GREY_LEVELS for f, (_, source) in expected.items()}

    # FCPXML.
    (fcpxml,) = export_cut(service, tmp_path / "film.fcpxml").files
    picture, transitions, seen = fcpxml_view(fcpxml.read_text(), frames)
    assert picture == expected and transitions == expected_transitions
    assert (seen["frame_rate"], seen["width"], seen["height"]) == (RATE, 160, 90)
    music = service.project.timeline.music[0]
    assert [(start, end, at) for _, _, start, end, at in seen["music"]] == [(0, 72, music.start)]
    assert seen["markers"] == [(30, "Look here")] and seen["captions"] == [(24, 48, "Morning")]

    # OTIO.
    (otio_file,) = export_cut(service, tmp_path / "film.otio").files
    picture, transitions, timeline = otio_view(otio_file, frames)
    assert picture == expected and transitions == expected_transitions
    assert timeline.global_start_time.rate == float(RATE)
    first_clip = timeline.video_tracks()[0].find_clips()[0]
    assert first_clip.metadata["foundry"]["metadata"]["shot_id"] == shots[0].id

    # CMX 3600, through a strict check and OpenTimelineIO's reader; the music in its own EDL, the captions
    # in a SubRip file beside it (an EDL has no place for them).
    report = export_cut(service, tmp_path / "film.edl")
    edl, music_edl, captions = report.files
    assert (music_edl.name, captions.name) == ("film.music.edl", "film.srt")
    assert any("music clip's level" in warning for warning in report.warnings)  # the bed is at -3 dB
    assert cmx3600_problems(edl.read_text(), RATE) == []
    assert cmx3600_problems(music_edl.read_text(), RATE, picture=False) == []
    picture, transitions = edl_view(edl.read_text(), frames)
    # The EDL names each clip after the creator's own file (the media folder keeps a copy named by content).
    own_names = {Path(take.media_path).name: take.request["file"] for takes in service.project.takes.values()
                 for take in takes}
    assert picture == {frame: (own_names[name], source) for frame, (name, source) in expected.items()}
    assert transitions == expected_transitions


def comparable(cut) -> tuple:
    """A FilmCut with its media named by content: an imported project holds copies of the files."""
    def content(path: Path | None) -> str | None:
        return sha256_of_file(path) if path is not None else None

    return (
        [(c.name, content(c.media), c.source_in, c.source_out, c.record_in, c.record_out) for c in cut.clips],
        cut.transitions, cut.fade_in, cut.fade_out, (cut.frame_rate, cut.width, cut.height),
        [(content(m.media), m.source_in, m.source_out, m.record_in, m.fade_in, m.fade_out, m.gain_db) for m in cut.music],
        [(m.frame, m.label) for m in cut.markers], cut.captions,
    )


@pytest.mark.parametrize("kind", [".fcpxml", ".otio"])
def test_an_exported_cut_imports_as_the_same_cut(edited, tmp_path, kind):
    exported = export_cut(edited, tmp_path / f"cut{kind}").files[0]
    report = import_cut(exported, tmp_path / "again.foundry")
    assert (report.shots, report.offline, report.warnings) == (3, 0, ())
    with ProjectService.open(report.project) as again:
        assert comparable(film_cut(again)) == comparable(film_cut(edited))
        assert [again.shot_status(shot).kind for shot in again.project.timeline.shots] == ["current"] * 3
        assert again.project.name == "Dawn & Dusk"
        assert again.undo() is None  # the import is written as the new project's beginning, not as an edit


def test_an_exported_edl_imports_with_the_same_picture(edited, tmp_path):
    edl = export_cut(edited, tmp_path / "cut.edl").files[0]
    report = import_cut(edl, tmp_path / "again.foundry", frame_rate="24")
    with ProjectService.open(report.project) as again:
        assert comparable(film_cut(again))[:4] == comparable(film_cut(edited))[:4]
        assert (again.format.width, again.format.height) == (160, 90)  # an EDL has no size: the media's


def test_missing_media_becomes_shots_to_generate_and_foundry_metadata_brings_their_settings_back(edited, tmp_path):
    edited.update_shot(2, prompt="Dusk over the hills")
    exported = export_cut(edited, tmp_path / "cut.otio").files[0]
    for take in edited.project.takes_of(edited.project.timeline.shots[2].id):
        edited.media.path_of(take.media_path).unlink()  # the third shot's media is gone
    report = import_cut(exported, tmp_path / "again.foundry")
    assert report.offline == 1 and "Shot 3 (Dusk)" in report.warnings[0] and "not found" in report.warnings[0]
    with ProjectService.open(report.project) as again:
        third = again.project.timeline.shots[2]
        assert (third.spec.prompt, third.spec.backend, third.length) == ("Dusk over the hills", "builtin", 36)
        assert again.cut_plan().length == edited.cut_plan().length  # the cut keeps its timing


def test_bad_files_make_no_project_and_say_why(tmp_path):
    garbage = tmp_path / "cut.fcpxml"
    garbage.write_text("<fcpxml version='1.10'><resources>")
    with pytest.raises(CutFileError, match="cut.fcpxml"):
        import_cut(garbage, tmp_path / "new.foundry")
    assert not (tmp_path / "new.foundry").exists() and not (tmp_path / "new.media").exists()
    edl = tmp_path / "cut.edl"
    edl.write_text("TITLE: x\nFCM: NON-DROP FRAME\n")
    with pytest.raises(CutFileError, match="frame rate"):
        import_cut(edl, tmp_path / "new.foundry")
    with pytest.raises(CutFileError, match="none of these"):
        import_cut(tmp_path / "cut.txt", tmp_path / "new.foundry")


def test_exports_refuse_what_they_cannot_write(edited, tmp_path):
    with pytest.raises(ExportError, match="extensions"):
        export_cut(edited, tmp_path / "cut.xml")
    with pytest.raises(ExportError, match="1.9 or 1.10"):
        export_cut(edited, tmp_path / "cut.fcpxml", fcpxml_version="1.11")
    with pytest.raises(ExportError, match="29.97"):
        export_cut(edited, tmp_path / "cut.edl", drop_frame=True)


def test_the_cli_exports_and_imports(edited, tmp_path, capsys):
    project = edited.path
    edited.close()
    assert main(["export", str(project), "-o", str(tmp_path / "cut.fcpxml"), "--fcpxml-version", "1.9"]) == 0
    assert 'version="1.9"' in (tmp_path / "cut.fcpxml").read_text()
    assert main(["import", str(tmp_path / "cut.fcpxml"), "-o", str(tmp_path / "again.foundry")]) == 0
    assert "Imported 3 shots" in capsys.readouterr().out
    assert main(["export", str(project), "-o", str(tmp_path / "cut.edl")]) == 0
    assert main(["import", str(tmp_path / "cut.edl"), "-o", str(tmp_path / "edl.foundry")]) == 1
    assert "frame rate" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "cut.edl"), "-o", str(tmp_path / "edl.foundry"), "--rate", "24"]) == 0
