"""OTIO export and import: written files checked through OpenTimelineIO's own reader, round trips
at every NTSC and integer rate (over an hour too), timelines other tools write, and broken files."""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlsplit

import opentimelineio as otio
import pytest
from interchange_samples import EDL_SAMPLES
from otio_cuts import (
    MEDIA,
    MEDIA_2,
    RATES,
    SHOT_METADATA,
    SONG,
    STILL,
    clips_of,
    full_cut,
    long_cut,
    simple_cut,
)
from video_sources import write_video

from foundry_desktop.app.exchange.cut_import import read_cut_file
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.errors import CutChoiceError, CutFileError, ExportError
from foundry_desktop.interchange.film_cut import CutClip, FilmCut, frames_before_cut
from foundry_desktop.interchange.otio.reader import read_otio, read_otio_text
from foundry_desktop.interchange.otio.writer import otio_text, write_otio

GOLDEN = Path(__file__).parent / "golden" / "otio"


def frames(time: otio.opentime.RationalTime) -> int:
    assert time.value == int(time.value), f"{time} is not a whole frame"
    return int(time.value)


def written(cut: FilmCut, tmp_path: Path) -> otio.schema.Timeline:
    """The cut written by our writer and read back by OpenTimelineIO alone."""
    path = write_otio(cut, tmp_path / "cut.otio")
    return otio.adapters.read_from_file(str(path))


def children(track: otio.schema.Track, kind: type) -> list[tuple[int, object]]:
    return [(index, item) for index, item in enumerate(track) if isinstance(item, kind)]


# Written files, read by OpenTimelineIO


@pytest.mark.parametrize("rate_name", RATES)
def test_the_written_timeline_is_the_cut_for_opentimelineio(rate_name, tmp_path):
    cut = full_cut(RATES[rate_name])
    timeline = written(cut, tmp_path)
    rate = float(RATES[rate_name])

    assert timeline.name == "Rêve & Co — cut 3"
    assert timeline.global_start_time == otio.opentime.RationalTime(3600 * round(rate), rate)
    # 01:00:00:00 in non-drop timecode, as NLE timelines start (108000 frames at 29.97).
    assert timeline.global_start_time.to_timecode(rate, drop_frame=False) == "01:00:00:00"
    assert dict(timeline.metadata["foundry"])["width"] == 1280 and timeline.metadata["foundry"]["height"] == 720
    assert [(t.name, t.kind) for t in timeline.tracks] == [
        ("Video", "Video"), ("Shot sound", "Audio"), ("Music", "Audio"), ("Music 2", "Audio")
    ]

    video = timeline.tracks[0]
    clips = children(video, otio.schema.Clip)
    assert [clip.name for _, clip in clips] == [clip.name for clip in cut.clips]
    for (index, clip), expected in zip(clips, cut.clips, strict=True):
        assert clip.source_range.start_time.rate == rate and clip.source_range.duration.rate == rate
        assert (frames(clip.source_range.start_time), frames(clip.source_range.end_time_exclusive())) == (
            expected.source_in, expected.source_out)
        placed = video.range_of_child_at_index(index)
        assert (frames(placed.start_time), frames(placed.end_time_exclusive())) == (
            expected.record_in, expected.record_out)
        available = clip.media_reference.available_range
        assert (frames(available.start_time), frames(available.duration)) == (0, expected.media_frames)

    # Transitions: the fades at the ends (nothing on their far side), then the three centred ones.
    transitions = [(t.name, t.transition_type, frames(t.in_offset), frames(t.out_offset))
                   for _, t in children(video, otio.schema.Transition)]
    assert transitions == [
        ("Fade from black", "SMPTE_Dissolve", 0, 10),
        ("Dissolve", "SMPTE_Dissolve", 6, 6),
        ("Fade through black", "SMPTE_Dissolve", 5, 4),  # the odd frame before the cut
        ("Fade through white", "SMPTE_Dissolve", 4, 3),
        ("Fade to black", "SMPTE_Dissolve", 15, 0),
    ]
    assert [type(item).__name__ for item in video] == [
        "Transition", "Clip", "Transition", "Clip", "Transition", "Clip", "Transition", "Clip", "Transition"
    ]
    # OTIO places a transition from in_offset before the cut it sits on: where FilmCut says it starts.
    for (index, _), expected in zip(children(video, otio.schema.Transition)[1:4], cut.transitions, strict=True):
        placed = video.range_of_child_at_index(index)
        assert (frames(placed.start_time), frames(placed.duration)) == (expected.record_in, expected.frames)

    # Media as file URLs that decode to the exact paths; offline media as a MissingReference.
    references = [clip.media_reference for _, clip in clips]
    for reference, expected in zip(references[:3], (MEDIA, MEDIA_2, STILL), strict=True):
        url = reference.target_url
        assert url.startswith("file:///") and url.isascii()
        assert not set(url[len("file://"):]) & set(" #?&") and not re.search(r"%(?![0-9A-F]{2})", url)
        assert unquote(urlsplit(url).path) == str(expected)
        assert reference.name == expected.name
    assert isinstance(references[3], otio.schema.MissingReference)

    # Foundry's shot metadata, as OTIO sees it.
    for (_, clip), expected in zip(clips, SHOT_METADATA, strict=True):
        kept = clip.metadata["foundry"]["metadata"]
        assert (kept["prompt"], kept["seed"], kept["backend"]) == (expected["prompt"], expected["seed"],
                                                                   expected["backend"])
        assert kept["take_id"] == expected["take_id"]

    markers = [(m.name, m.color, frames(m.marked_range.start_time), frames(m.marked_range.duration),
                bool(m.metadata["foundry"].get("caption", False))) for m in video.markers]
    assert markers == [
        ("Start", "YELLOW", 5, 0, False), ("Fix the colour", "GREEN", 150, 0, False), ("", "BLUE", 268, 0, False),
        ("Dawn over the harbour", "CYAN", 12, 48, True), ("« Rêve » — 2025\nsecond line", "CYAN", 100, 80, True),
    ]

    # The takes' own sound under the clips that have it; the music spread over two tracks as it overlaps.
    shot_sound = timeline.tracks[1]
    assert [(type(item).__name__, item.name, frames(shot_sound.range_of_child_at_index(i).start_time))
            for i, item in enumerate(shot_sound)] == [
        ("Clip", cut.clips[0].name, 0), ("Transition", "Dissolve", 84), ("Clip", cut.clips[1].name, 90),
        ("Gap", "", 150), ("Clip", cut.clips[3].name, 198),
    ]
    for track, piece in ((timeline.tracks[2], cut.music[0]), (timeline.tracks[3], cut.music[1])):
        index, clip = children(track, otio.schema.Clip)[0]
        assert frames(track.range_of_child_at_index(index).start_time) == piece.record_in
        assert (frames(clip.source_range.start_time), frames(clip.source_range.duration)) == (piece.source_in,
                                                                                            piece.frames)
        assert unquote(urlsplit(clip.media_reference.target_url).path) == str(SONG)
        assert dict(clip.metadata["foundry"]) == {"gain_db": piece.gain_db, "fade_in": piece.fade_in,
                                                  "fade_out": piece.fade_out}


@pytest.mark.parametrize("rate_name", RATES)
def test_times_stay_whole_frames_over_more_than_an_hour(rate_name, tmp_path):
    cut = long_cut(RATES[rate_name])
    assert cut.length > 500_000 and cut.length / RATES[rate_name] > 3600
    text = write_otio(cut, tmp_path / "long.otio").read_text(encoding="utf-8")
    document = json.loads(text)

    def times(node):
        if isinstance(node, dict):
            if node.get("OTIO_SCHEMA") == "RationalTime.1":
                yield node
            for value in node.values():
                yield from times(value)
        elif isinstance(node, list):
            for value in node:
                yield from times(value)

    written_times = list(times(document))
    assert written_times and all(t["rate"] == float(RATES[rate_name]) for t in written_times)
    assert all(t["value"] == int(t["value"]) for t in written_times)

    video = otio.adapters.read_from_string(text, "otio_json").tracks[0]
    last = children(video, otio.schema.Clip)[-1][0]
    assert frames(video.range_of_child_at_index(last).start_time) == cut.clips[-1].record_in == 500_060
    assert frames(video.duration()) == cut.length == 600_061
    assert frames(video.markers[0].marked_range.start_time) == 500_001


# Round trips


@pytest.mark.parametrize("rate_name", RATES)
@pytest.mark.parametrize("make", [full_cut, simple_cut, long_cut])
def test_a_written_cut_reads_back_the_same(rate_name, make, tmp_path):
    cut = make(RATES[rate_name])
    read = read_otio(write_otio(cut, tmp_path / "cut.otio"))
    assert read.warnings == ()
    assert read.cut == cut
    assert [clip.metadata for clip in read.cut.clips] == [clip.metadata for clip in cut.clips]
    assert read.cut.frame_rate == RATES[rate_name] and isinstance(read.cut.frame_rate, Fraction)


@pytest.mark.parametrize("rate_name", ["23.976", "25", "29.97", "30"])
def test_golden_files(rate_name):
    golden = GOLDEN / f"simple_{rate_name}.otio"
    # To regenerate after a deliberate change: write otio_text(simple_cut(rate)) there and read it through.
    assert otio_text(simple_cut(RATES[rate_name])) == golden.read_text(encoding="utf-8")


# Timelines other tools write


RATE = 24


def rt(value: float, rate: float = RATE) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(value, rate)


def span(start: float, duration: float, rate: float = RATE) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(rt(start, rate), rt(duration, rate))


def clip(name: str, source_in: int, length: int, url: str | None = None, media_frames: int = 1000,
         media_start: int = 0, rate: float = RATE) -> otio.schema.Clip:
    available = span(media_start, media_frames, rate)
    reference = (otio.schema.ExternalReference(target_url=url, available_range=available) if url is not None
                 else otio.schema.MissingReference(available_range=available))
    return otio.schema.Clip(name=name, media_reference=reference, source_range=span(media_start + source_in, length,
                                                                                     rate))


def gap(length: int) -> otio.schema.Gap:
    return otio.schema.Gap(source_range=span(0, length))


def dissolve(before: int, after: int, kind: str = "SMPTE_Dissolve") -> otio.schema.Transition:
    return otio.schema.Transition(name="", transition_type=kind, in_offset=rt(before), out_offset=rt(after))


def timeline_of(*tracks: otio.schema.Track, rate: float = RATE) -> otio.schema.Timeline:
    timeline = otio.schema.Timeline(name="Foreign", global_start_time=rt(86400, rate))
    for track in tracks:
        timeline.tracks.append(track)
    return timeline


def track_of(*items, kind: str = otio.schema.TrackKind.Video, name: str = "V1") -> otio.schema.Track:
    track = otio.schema.Track(name=name, kind=kind)
    for item in items:
        track.append(item)
    return track


def imported(timeline: otio.schema.Timeline, tmp_path: Path, name: str = "foreign.otio"):
    path = tmp_path / name
    otio.adapters.write_to_file(timeline, str(path))
    return read_otio(path)


def placed(cut: FilmCut) -> list[tuple]:
    return [(c.name, c.media, c.source_in, c.source_out, c.record_in, c.record_out) for c in cut.clips]


def test_gaps_keep_their_place_and_after_the_last_clip_they_are_dropped(tmp_path):
    timeline = timeline_of(track_of(gap(24), clip("A", 10, 50), gap(12), clip("B", 0, 30), gap(40)))
    timeline.tracks.markers.append(otio.schema.Marker(name="late", marked_range=span(30, 0),
                                                      color=otio.schema.MarkerColor.GREEN))
    read = imported(timeline, tmp_path)
    # The film starts with 24 frames of empty time; 12 more lie between the clips.
    assert placed(read.cut) == [("A", None, 10, 60, 24, 74), ("B", None, 0, 30, 86, 116)]
    assert read.cut.markers[0].frame == 30 and read.cut.markers[0].label == "late"
    assert read.cut.markers[0].color == "#33b84d"
    assert (read.cut.width, read.cut.height, read.cut.frame_rate) == (1920, 1080, 24)
    assert read.warnings == ()


def test_a_nested_stack_becomes_an_empty_shot_of_its_length(tmp_path):
    nested = otio.schema.Stack(name="Compound 1")
    nested.append(track_of(clip("inner", 0, 20)))
    read = imported(timeline_of(track_of(clip("A", 0, 10), nested, clip("B", 5, 10))), tmp_path)
    assert placed(read.cut) == [("A", None, 0, 10, 0, 10), ("Compound 1", None, 0, 20, 10, 30),
                                ("B", None, 5, 15, 30, 40)]
    assert read.warnings == (
        "The nested stack Compound 1 is not imported; an empty shot of its length takes its place.",)


def test_speed_effects_are_named_and_left_out(tmp_path):
    fast = clip("fast", 0, 40)
    fast.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    frozen = clip("frozen", 12, 24)
    frozen.effects.append(otio.schema.FreezeFrame())
    blurred = clip("blurred", 0, 10)
    blurred.effects.append(otio.schema.Effect(name="blur", effect_name="Gaussian Blur"))
    read = imported(timeline_of(track_of(fast, frozen, blurred)), tmp_path)
    assert placed(read.cut) == [("fast", None, 0, 40, 0, 40), ("frozen", None, 12, 36, 40, 64),
                                ("blurred", None, 0, 10, 64, 74)]
    assert read.warnings == (
        "Clip 1 (fast) plays at 2x speed in the timeline; Foundry plays it at normal speed.",
        "Clip 2 (frozen) is a freeze frame in the timeline; Foundry plays it at normal speed.",
        "Clip 3 (blurred) has the effect Gaussian Blur, which is not imported.",
    )


def test_media_references_other_than_files_make_offline_clips(tmp_path):
    generated = otio.schema.Clip(name="bars", source_range=span(0, 24), media_reference=otio.schema.GeneratorReference(
        generator_kind="SMPTEBars", available_range=span(0, 240)))
    remote = clip("remote", 0, 10, url="https://example.com/a.mov")
    relative = clip("relative", 0, 10, url="media/shot 1 #2.mov")
    encoded = clip("encoded", 0, 10, url="file:///Volumes/R%C3%AAve%20%26%20Co/a%20%2350%25.mov")
    plain = clip("plain", 0, 10, url="/Volumes/Projects/b.mov")
    read = imported(timeline_of(track_of(clip("missing", 3, 10), generated, remote, relative, encoded, plain)),
                    tmp_path)
    assert [c.media for c in read.cut.clips] == [
        None, None, None, tmp_path / "media" / "shot 1 #2.mov", Path("/Volumes/Rêve & Co/a #50%.mov"),
        Path("/Volumes/Projects/b.mov"),
    ]
    assert read.cut.clips[1].media_frames == 240
    assert read.warnings == (
        "Clip 2 (bars) is generated (SMPTEBars); it is imported offline.",
        "Clip 3 (remote)'s media is not a file (https://example.com/a.mov); it is imported offline.",
    )


def test_uneven_transitions_are_centred_showing_the_same_pictures(tmp_path):
    track = track_of(clip("A", 10, 40), dissolve(2, 8), clip("B", 20, 30), dissolve(6, 1, "Custom_Transition"),
                     clip("C", 0, 2))
    read = imported(timeline_of(track), tmp_path)
    # The cut between A and B moves 3 frames later: A plays 3 more frames of its media, B starts 3 later.
    # B -> C cannot move 3 frames earlier (C's media starts at its in point): it is centred on its cut.
    assert placed(read.cut) == [("A", None, 10, 53, 0, 43), ("B", None, 23, 50, 43, 70), ("C", None, 0, 2, 70, 72)]
    assert [(t.outgoing, t.kind, t.record_in, t.frames) for t in read.cut.transitions] == [
        (0, "dissolve", 38, 10), (1, "dissolve", 66, 7)]
    assert read.warnings == (
        "The transition Custom_Transition becomes a dissolve.",
        "The transition between A and B was not centred on its cut; the cut moved 3 frames later, "
        "so the same pictures show.",
        "The transition between B and C was not centred on its cut; it is centred on it now.",
    )


def test_fades_from_and_to_black_as_the_edl_adapter_writes_them(tmp_path):
    # cmx_3600 reads a dissolve from black as black (a Gap) dissolving into the clip, and one to black alike.
    track = track_of(gap(5), dissolve(5, 5), clip("A", 20, 40), dissolve(4, 6), gap(6))
    read = imported(timeline_of(track), tmp_path)
    # The clip takes the transitions' far halves over from the gaps: the film shows the same frames.
    assert placed(read.cut) == [("A", None, 15, 66, 0, 51)]
    assert (read.cut.fade_in, read.cut.fade_out, read.cut.transitions) == (10, 10, ())
    assert read.warnings == ()


def test_audio_under_a_clip_is_its_sound_other_audio_is_music(tmp_path):
    video = track_of(clip("A", 0, 48, url="file:///m/a.mov"), clip("B", 0, 24, url="file:///m/b.mov"))
    sync = track_of(clip("A", 0, 48, url="file:///m/a.mov"), kind="Audio", name="A1")
    music = track_of(gap(12), dissolve(0, 24), clip("song", 100, 60, url="file:///m/song%201.wav", media_frames=5000),
                     kind="Audio", name="A2")
    read = imported(timeline_of(video, sync, music), tmp_path)
    assert [c.has_audio for c in read.cut.clips] == [True, False]
    (song,) = read.cut.music
    assert (song.name, song.media, song.source_in, song.source_out, song.record_in, song.media_frames) == (
        "song", Path("/m/song 1.wav"), 100, 160, 12, 5000)
    assert (song.fade_in, song.fade_out, song.gain_db) == (24, 0, 0.0)
    assert read.warnings == ()


def test_markers_on_clips_land_where_the_clip_shows_them(tmp_path):
    marked = clip("A", 100, 50, media_start=86400)  # media with a timecode start: frames count from it
    marked.markers.append(otio.schema.Marker(name="note", marked_range=span(86400 + 110, 0),
                                             color=otio.schema.MarkerColor.PURPLE))
    read = imported(timeline_of(track_of(clip("lead", 0, 20), marked)), tmp_path)
    assert placed(read.cut)[1] == ("A", None, 100, 150, 20, 70)
    assert [(m.frame, m.label, m.color) for m in read.cut.markers] == [(30, "note", "#9343c9")]


def test_times_at_another_rate_are_converted_to_the_timelines(tmp_path):
    double = clip("fifty", 100, 60, rate=50, media_frames=1000)  # 2 s in, 1.2 s long at 50 fps
    read = imported(timeline_of(track_of(clip("A", 0, 25, rate=25), double), rate=25), tmp_path)
    assert read.cut.frame_rate == 25
    assert placed(read.cut) == [("A", None, 0, 25, 0, 25), ("fifty", None, 50, 80, 25, 55)]
    assert read.cut.clips[1].media_frames == 500


def collection_of(*names: str) -> otio.schema.SerializableCollection:
    collection = otio.schema.SerializableCollection(name="bin")
    for length, name in enumerate(names, start=10):
        timeline = timeline_of(track_of(clip(name or "unnamed", 0, length)))
        timeline.name = name
        collection.append(timeline)
    return collection


def test_a_collection_of_one_timeline_gives_it(tmp_path):
    read = imported(collection_of("only"), tmp_path)
    assert read.cut.name == "only" and read.cut.clips[0].name == "only" and read.warnings == ()


def test_a_collection_of_timelines_is_chosen_from_by_name_or_number(tmp_path):
    path = tmp_path / "foreign.otio"
    otio.adapters.write_to_file(collection_of("first", "second", "", "Second"), str(path))
    with pytest.raises(CutChoiceError) as refused:
        read_otio(path)
    assert refused.value.names == ("first", "second", "Timeline 3", "Second")
    assert str(refused.value) == ("foreign.otio holds 4 timelines: 1. first; 2. second; 3. Timeline 3; 4. Second. "
                                  "Choose one by its name or number (foundry import --sequence NAME).")
    assert read_otio(path, "second").cut.clips[0].source_out == 11  # the exact name first
    assert read_otio(path, "FIRST").cut.name == "first"  # then ignoring case
    assert read_otio(path, "3").cut.clips[0].name == "unnamed"  # by its number in the list
    with pytest.raises(CutChoiceError, match="holds 2 timelines named 'SECOND': choose one by its number"):
        read_otio(path, "SECOND")
    with pytest.raises(CutChoiceError, match="holds nothing named 'third'; its timelines: 1. first"):
        read_otio(path, "third")


def test_a_single_timeline_refuses_a_choice(tmp_path):
    path = tmp_path / "one.otio"
    otio.adapters.write_to_file(timeline_of(track_of(clip("A", 0, 10))), str(path))
    with pytest.raises(CutFileError, match="one.otio holds one timeline: there is none to choose by name"):
        read_otio(path, "A")


def test_foundry_import_lists_a_collections_timelines_and_imports_the_one_named(tmp_path, capsys):
    path = tmp_path / "reels.otio"
    otio.adapters.write_to_file(collection_of("Reel 1", "Reel 2"), str(path))
    project = tmp_path / "reel.foundry"
    assert main(["import", str(path), "-o", str(project)]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == ["Reel 1", "Reel 2"] and "--sequence NAME" in err and not project.exists()
    assert main(["import", str(path), "-o", str(project), "--sequence", "Reel 2"]) == 0
    with ProjectService.open(project, read_only=True) as service:  # the project file, reopened
        assert service.project.name == "Reel 2"
        assert [shot.spec.duration for shot in service.project.timeline.shots] == [11]


def bundled(tmp_path: Path, collection: otio.core.SerializableObject, media: Path) -> Path:
    """A .otioz as OTIO's own adapter writes one: content.otio, and the media under media/."""
    bundle = tmp_path / "reels.otioz"
    otio.adapters.write_to_file(collection, str(bundle))
    assert any(name.startswith("media/") for name in zipfile.ZipFile(bundle).namelist())  # the media travels in it
    media.unlink()  # only the bundle's copy is left
    return bundle


def test_a_bundle_of_several_timelines_is_chosen_from_and_imported_with_its_media(tmp_path, capsys, monkeypatch):
    unpacked = tmp_path / "temporary"
    unpacked.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(unpacked))  # where the bundle is unpacked, watched here
    media = tmp_path / "footage" / "sunrise.mp4"
    media.parent.mkdir()
    write_video(media, width=320, height=180, frames=48)
    collection = collection_of("Reel 1", "Reel 2")
    for timeline in collection:
        first = timeline.video_tracks()[0][0]
        first.media_reference = otio.schema.ExternalReference(target_url=media.as_uri(), available_range=span(0, 48))
    bundle = bundled(tmp_path, collection, media)
    project = tmp_path / "reel.foundry"
    assert main(["import", str(bundle), "-o", str(project)]) == 2
    assert capsys.readouterr().out.splitlines() == ["Reel 1", "Reel 2"]
    assert main(["import", str(bundle), "-o", str(project), "--sequence", "2"]) == 0, capsys.readouterr().err
    with ProjectService.open(project, read_only=True) as service:  # the project file, reopened
        assert service.project.name == "Reel 2"
        (shot,) = service.project.timeline.shots
        (take,) = service.project.takes[shot.id]
        assert shot.spec.backend == "media" and service.media.exists(take.media_path)  # copied from the bundle
        assert (shot.trim_in, shot.trim_out) == (0, 11)
    assert not list(unpacked.iterdir())  # the unpacked bundle is gone


def test_a_broken_bundle_is_refused_in_words(tmp_path):
    not_zip = tmp_path / "cut.otioz"
    not_zip.write_text("hello")
    with pytest.raises(CutFileError, match=r"^cut.otioz is not an OTIO bundle: it is not a zip file\.$"):
        read_cut_file(not_zip)
    empty = tmp_path / "empty.otioz"
    with zipfile.ZipFile(empty, "w") as bundle:
        bundle.writestr("media/readme.txt", "no timeline here")
    with pytest.raises(CutFileError, match=r"^empty.otioz holds no content.otio: it is not an OTIO bundle\.$"):
        read_cut_file(empty)


EDL_RATES = {
    "otio_dissolve_test.edl": 24, "foundry_60fps_dissolves.edl": 60, "otio_25fps.edl": 25,
    "foundry_resolve_style.edl": 24, "otio_avid_example.edl": 24, "otio_premiere_example.edl": 24,
    # pycmx_TEST.edl is left out: OTIO's cmx_3600 adapter itself refuses it (an audio dissolve at a track's start).
}


@pytest.mark.parametrize("name", EDL_RATES)
def test_real_edls_through_otio_import(name, tmp_path):
    timeline = otio.adapters.read_from_file(str(EDL_SAMPLES / name), rate=EDL_RATES[name])
    read = imported(timeline, tmp_path, name.replace(".edl", ".otio"))
    video = timeline.video_tracks()[0]
    their_clips = children(video, otio.schema.Clip)
    their_transitions = children(video, otio.schema.Transition)
    cut = read.cut
    assert cut.frame_rate == EDL_RATES[name]
    assert [c.name for c in cut.clips] == [c.name for _, c in their_clips]
    assert cut.length == frames(video.duration())
    assert len(cut.transitions) == len(their_transitions)
    uneven = 0
    offset = frames(video.range_of_child_at_index(their_clips[0][0]).start_time)
    for ours, (index, theirs) in zip(cut.clips, their_clips, strict=True):
        start = frames(video.range_of_child_at_index(index).start_time) - offset
        source = frames(theirs.source_range.start_time)
        # A clip keeps its place, or moves with its cut (both ends alike) to centre a dissolve.
        assert ours.record_in - start == ours.source_in - source
        uneven += ours.record_in != start
    for ours, (_, theirs) in zip(cut.transitions, their_transitions, strict=True):
        assert ours.frames == frames(theirs.in_offset) + frames(theirs.out_offset)
        assert ours.record_in == cut.clips[ours.outgoing].record_out - frames_before_cut(ours.frames)
    # The adapter's dissolves start at the cut; centring them is said once per dissolve.
    assert len([w for w in read.warnings if "not centred" in w]) == len(their_transitions)
    assert (uneven > 0) == (len(their_transitions) > 0)
    assert all(c.source_in >= 0 and c.source_out <= c.media_frames for c in cut.clips)


# Broken files and values


@pytest.mark.parametrize(("content", "message"), [
    (b'{"OTIO_SCHEMA": "Timeline.1", "name": ', "cut.otio is not an OTIO file: its JSON is broken at line 1, column"),
    (b"", "cut.otio is not an OTIO file: its JSON is broken at line 1, column 1"),
    (b'{"clips": []}', "cut.otio is JSON but not an OpenTimelineIO file (it has no OTIO_SCHEMA)."),
    (b"[1, 2]", "cut.otio is JSON but not an OpenTimelineIO file"),
    (b'{"OTIO_SCHEMA": "Timeline.1", "name": "x"}', "cut.otio is a damaged OTIO file: "),
    (b'{"OTIO_SCHEMA": "Timeline.1", "tracks": 5}', "cut.otio is a damaged OTIO file: "),
    (otio.adapters.write_to_string(otio.schema.Clip(name="c"), "otio_json").encode(),
     "cut.otio holds an OTIO Clip, not a timeline."),
    (b'{"OTIO_SCHEMA": "Spaceship.1"}', "cut.otio holds an OTIO Spaceship, not a timeline."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff", "cut.otio is not an OTIO file: it is not text (UTF-8)."),
])
def test_broken_files_say_what_is_wrong(content, message, tmp_path):
    path = tmp_path / "cut.otio"
    path.write_bytes(content)
    with pytest.raises(CutFileError) as error:
        read_otio(path)
    assert str(error.value).startswith(message)


def test_a_missing_file_is_a_cut_file_error(tmp_path):
    with pytest.raises(CutFileError, match="Could not read gone.otio: No such file or directory"):
        read_otio(tmp_path / "gone.otio")


def test_a_timeline_without_video_reads_as_an_empty_cut(tmp_path):
    read = read_otio_text(otio.adapters.write_to_string(timeline_of(), "otio_json"), tmp_path, "empty.otio")
    assert read.cut.clips == () and read.warnings == ("empty.otio has no video track; the cut is empty.",)


@pytest.mark.parametrize(("value", "complaint"), [(object(), "not JSON serializable"), (2**70, "int64"),
                                                  (float("nan"), "Out of range float values")])
def test_metadata_otio_cannot_hold_is_an_export_error(value, complaint, tmp_path):
    clips = clips_of(("odd", MEDIA, 10, 0, 10), metadata=[{"seed": value}])
    cut = FilmCut(name="x", frame_rate=Fraction(25), width=640, height=360, clips=clips)
    with pytest.raises(ExportError, match=rf"The metadata of clip 1 \(odd\) cannot be written to OTIO: .*{complaint}"):
        write_otio(cut, tmp_path / "x.otio")
    assert not list(tmp_path.iterdir())


def test_an_unwritable_place_is_an_export_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="Could not write the OTIO timeline cut.otio"):
        write_otio(simple_cut(Fraction(25)), blocker / "cut.otio")


def test_overlapping_clips_cannot_be_written(tmp_path):
    first, second = clips_of(("a", MEDIA, 50, 0, 20), ("b", MEDIA, 50, 0, 20))
    overlapping = CutClip(**{**second.__dict__, "record_in": 15, "record_out": 35})
    cut = FilmCut(name="x", frame_rate=Fraction(25), width=640, height=360, clips=(first, overlapping))
    with pytest.raises(ExportError, match=r"Clip 2 \(b\) overlaps the clip before it"):
        write_otio(cut, tmp_path / "x.otio")


@pytest.mark.parametrize(("written_rate", "exact"), [(29.97, Fraction(30000, 1001)), (23.98, Fraction(24000, 1001)),
                                                     (59.94, Fraction(60000, 1001)), (24.0, Fraction(24)),
                                                     (12.5, Fraction(25, 2))])
def test_rates_written_with_few_decimals_mean_what_editors_mean(written_rate, exact, tmp_path):
    timeline = timeline_of(track_of(clip("A", 0, 100_000, rate=written_rate, media_frames=200_000)),
                           rate=written_rate)
    read = imported(timeline, tmp_path)
    assert read.cut.frame_rate == exact and placed(read.cut) == [("A", None, 0, 100_000, 0, 100_000)]
    assert read.warnings == ()


def test_foundry_import_says_once_that_shots_play_at_another_speed(tmp_path, capsys):
    """One line for the retimed shots on the CLI's report; --json keeps a line for each."""
    items = []
    for n in range(12):
        retimed = clip(f"ramp{n + 1}", 0, 10)
        retimed.effects.append(otio.schema.FreezeFrame() if n == 5 else otio.schema.LinearTimeWarp(time_scalar=2.0))
        items += [retimed, clip(f"plain{n + 1}", 0, 10)]
    path = tmp_path / "ramps.otio"
    otio.adapters.write_to_file(timeline_of(track_of(*items)), str(path))
    assert main(["import", str(path), "-o", str(tmp_path / "ramps.foundry")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "speed" in line]
    assert warnings == ["foundry: warning: 12 shots play at another speed (a retime, speed effect or media at another "
                        "frame rate), which Foundry does not represent; they play at normal speed (shot 1 (ramp1), "
                        "3 (ramp2), 5 (ramp3) and 9 more)."]
    assert main(["import", str(path), "-o", str(tmp_path / "again.foundry"), "--json"]) == 0
    every = [line for line in json.loads(capsys.readouterr().out)["warnings"] if "speed" in line]
    assert len(every) == 12 and every[5] == ("Clip 11 (ramp6) is a freeze frame in the timeline; Foundry plays it "
                                             "at normal speed.")
