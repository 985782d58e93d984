"""Imported transitions keep every cut in place (issue 19): a dissolve keeps its length and
record time whether the media is offline (the shots are made with the handles the cut
implies) or there (only what the media lacks is taken off, and the note names the cut),
the film keeps the cut's length, and re-exports write the source file's record times.

The exports are read back by readers of the tests' own (the EDL's record columns, the
FCPXML's independent reader, OpenTimelineIO) so a writer's mistake and Foundry's reader's
cannot cancel out."""

from __future__ import annotations

import random
import re
import shutil
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from fcpxml_independent_reader import independent_read
from video_sources import write_video

from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.exchange.cut_import import import_cut, read_cut_file
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.render.slates import with_slates
from foundry_desktop.interchange.fcpxml.writer import write_fcpxml
from foundry_desktop.interchange.film_cut import CutClip, CutTransition, FilmCut
from foundry_desktop.interchange.otio.writer import write_otio
from foundry_desktop.interchange.transition_handles import fitted_to_media
from foundry_desktop.media.probe import probe_media

SAMPLES = Path(__file__).parent / "data" / "interchange"
HOUR = 3600 * 24


def timecode(frames: int, rate: int = 24) -> str:
    seconds, frame = divmod(frames, rate)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{second:02d}:{frame:02d}"


def dissolve_edl(path: Path, lengths: list[int], dissolve: int = 30, media: list[str] | None = None) -> list[int]:
    """A CMX 3600 EDL of events `lengths` frames long (record), each after the first
    dissolving in over `dissolve` frames, starting at 01:00:00:00; each event's source
    starts at 00:00:10:00 (names: `media`, else offline clips). Returns the record frame,
    from the film's start, where each dissolve begins: the incoming event's record in."""
    names = media or [f"shot{n:03d}.mov" for n in range(1, len(lengths) + 1)]
    source = 240
    lines = ["TITLE: dissolves", "FCM: NON-DROP FRAME"]
    record, starts = 0, []
    for number, (length, name) in enumerate(zip(lengths, names, strict=True), start=1):
        reel = f"R{number:03d}"
        rec_in, rec_out = timecode(HOUR + record), timecode(HOUR + record + length)
        if number == 1:
            lines.append(f"{number:03d}  {reel} V     C        {timecode(source)} {timecode(source + length)} "
                         f"{rec_in} {rec_out}")
            lines.append(f"* FROM CLIP NAME: {name}")
        else:
            before_out = timecode(source + lengths[number - 2])
            lines.append(f"{number:03d}  R{number - 1:03d} V     C        {before_out} {before_out} {rec_in} {rec_in}")
            lines.append(f"{number:03d}  {reel} V     D    {dissolve:03d} {timecode(source)} "
                         f"{timecode(source + length)} {rec_in} {rec_out}")
            lines.append(f"* FROM CLIP NAME: {names[number - 2]}")
            lines.append(f"* TO CLIP NAME: {name}")
            starts.append(record)
        record += length
    path.write_text("\n".join(lines) + "\n")
    return starts


@pytest.fixture(scope="module")
def long_cut(tmp_path_factory):
    """200 events of 40 to 120 frames with 30-frame dissolves, the media offline, imported."""
    folder = tmp_path_factory.mktemp("long")
    lengths = [random.Random(19 + n).randint(40, 120) for n in range(200)]
    starts = dissolve_edl(folder / "long.edl", lengths)
    report = import_cut(folder / "long.edl", folder / "long.foundry", frame_rate="24")
    return folder, lengths, starts, report


def test_a_long_offline_cut_keeps_every_dissolve_and_every_cut_in_place(long_cut):
    folder, lengths, starts, report = long_cut
    assert report.offline == 200
    assert not [w for w in report.warnings if "instead of" in w or "transition" in w]
    with ProjectService.open(folder / "long.foundry") as service:  # the project file, reopened
        plan = service.cut_plan()
    assert plan.warnings == ()
    assert plan.length == sum(lengths)
    assert [t.frames for t in plan.transitions] == [30] * 199
    assert [t.record_in for t in plan.transitions] == starts
    # A CMX dissolve starts at the incoming event's record in; Foundry's edit is its middle.
    assert [shot.record_in for shot in plan.shots[1:]] == [start + 15 for start in starts]


def test_offline_shots_are_made_with_the_handles_their_dissolves_need(long_cut):
    folder, lengths, _, _ = long_cut
    with ProjectService.open(folder / "long.foundry") as service:
        shots = service.project.timeline.shots
    first, middle, last = shots[0], shots[1], shots[-1]
    # 15 frames before the shot for the dissolve into it, 15 after it for the one out of it.
    assert (first.trim_in, first.spec.duration - first.source_end) == (0, 15)
    assert (middle.trim_in, middle.spec.duration - middle.source_end) == (15, 15)
    assert (last.trim_in, last.trim_out) == (15, None)
    assert middle.length == lengths[1]  # the event's 15 frames lost to the dissolve in, and 15 won at its end


def test_the_render_plan_of_an_offline_cut_lasts_as_long_as_the_cut(long_cut):
    """Offline shots play as slates for their spec's length: the film is the cut's length."""
    folder, lengths, _, _ = long_cut
    with ProjectService.open(folder / "long.foundry") as service:
        pieces = list(service.cut_plan().pieces())
    assert pieces[-1].record_out == sum(lengths)
    assert all(a.record_out == b.record_in for a, b in zip(pieces, pieces[1:], strict=False))


def test_an_offline_cut_renders_with_slates_as_long_as_the_cut(tmp_path):
    # Shot 2 shows one frame of its own between its dissolves: a one-frame segment among longer ones.
    lengths = [40, 31, 45, 60]
    clips, record = [], 0
    for number, length in enumerate(lengths, start=1):
        clips.append(CutClip(f"shot {number}", None, 240 + length + 15, 240, 240 + length, record, record + length))
        record += length
    cut = FilmCut("slates", Fraction(24), 160, 90, clips=tuple(clips), transitions=tuple(
        CutTransition(index, "dissolve", clips[index].record_out - 15, 30) for index in range(3)))
    write_otio(cut, tmp_path / "cut.otio")
    import_cut(tmp_path / "cut.otio", tmp_path / "cut.foundry")
    with ProjectService.open(tmp_path / "cut.foundry") as service:
        service.project = with_slates(service)  # what a render "with slates" renders
        film = render_film(service, tmp_path / "film.mp4").report.media
        plan = service.cut_plan()
    assert [(t.record_in, t.frames) for t in plan.transitions] == [(t.record_in, 30) for t in cut.transitions]
    assert [piece.frames for piece in plan.pieces()] == [25, 30, 1, 30, 15, 30, 45]
    assert probe_media(film.path).frame_count == cut.length == sum(lengths)


def test_media_too_short_shortens_the_dissolve_by_what_it_lacks_and_the_note_names_the_cut(tmp_path):
    # Shot 1 uses frames 240 to 280 of a 290-frame file: the 30-frame dissolve needs 30 more, it has 10.
    write_video(tmp_path / "first.mp4", frames=290)
    write_video(tmp_path / "second.mp4", frames=300)
    dissolve_edl(tmp_path / "cut.edl", [40, 48], media=["first.mp4", "second.mp4"])
    report = import_cut(tmp_path / "cut.edl", tmp_path / "cut.foundry", frame_rate="24")
    assert report.offline == 0
    assert ("The dissolve between shots 1 and 2 is 10 frames instead of 30: shot 1's media ends 20 frames "
            "too early.") in report.warnings
    with ProjectService.open(tmp_path / "cut.foundry") as service:
        plan = service.cut_plan()
    assert plan.warnings == ()
    # It still starts where the EDL starts it and keeps the film's length; its edit moves within it.
    assert [(t.record_in, t.frames) for t in plan.transitions] == [(40, 10)]
    assert [(s.record_in, s.record_out) for s in plan.shots] == [(0, 45), (45, 88)]
    assert (plan.shots[0].source_out, plan.shots[1].source_in) == (285, 245)


def test_an_fcpxml_dissolve_into_media_that_starts_too_late_keeps_its_end_and_the_film_its_length(tmp_path):
    # Final Cut centres a 30-frame dissolve on the edit: shot 2, from frame 7, lacks 8 of the 15 before it.
    media = [write_video(tmp_path / name, frames=120) for name in ("first.mp4", "second.mp4")]
    cut = FilmCut("late", Fraction(24), 160, 90, clips=(
        CutClip("first", media[0], 120, 20, 80, 0, 60), CutClip("second", media[1], 120, 7, 67, 60, 120)),
        transitions=(CutTransition(0, "dissolve", 45, 30),))
    write_fcpxml(cut, tmp_path / "cut.fcpxml")
    report = import_cut(tmp_path / "cut.fcpxml", tmp_path / "cut.foundry")
    assert report.warnings == ("The dissolve between shots 1 and 2 is 22 frames instead of 30: shot 2's media starts "
                               "8 frames too late.",)
    with ProjectService.open(tmp_path / "cut.foundry") as service:
        plan = service.cut_plan()
    assert plan.warnings == ()
    assert [(t.record_in, t.frames, t.record_out) for t in plan.transitions] == [(53, 22, 75)]
    assert [(s.source_in, s.source_out, s.record_in, s.record_out) for s in plan.shots] == \
        [(20, 84, 0, 64), (11, 67, 64, 120)]


def test_media_that_starts_too_late_loses_only_the_frames_it_lacks():
    clips = []
    for index in range(6):  # 60-frame clips, each from frame 100 of its media, except shot 5 from frame 7
        source_in = 7 if index == 4 else 100
        clips.append(CutClip(f"c{index}", Path(f"/m/{index}.mov"), 1000, source_in, source_in + 60,
                             index * 60, index * 60 + 60))
    cut = FilmCut("film", Fraction(24), 1920, 1080, clips=tuple(clips),
                  transitions=(CutTransition(3, "dissolve", 225, 30), CutTransition(4, "fade_black", 285, 30)))
    fitted, notes = fitted_to_media(cut, [1000] * 6)
    assert notes == ["The dissolve between shots 4 and 5 is 22 frames instead of 30: shot 5's media starts 8 frames "
                     "too late."]
    # It ends where it did, 8 frames later in; the edit is its middle; nothing else moves.
    assert fitted.transitions == (CutTransition(3, "dissolve", 233, 22), cut.transitions[1])
    assert (fitted.clips[3].record_out, fitted.clips[4].record_in, fitted.clips[4].source_in) == (244, 244, 11)
    assert fitted.clips[3].source_out == 100 + 64
    assert [(c.record_in, c.record_out) for c in fitted.clips[:3] + fitted.clips[5:]] == \
        [(c.record_in, c.record_out) for c in clips[:3] + clips[5:]]
    # Offline media (no end to run out of) keeps every transition whole.
    assert fitted_to_media(cut, [None] * 6) == (cut, [])


# ----------------------------------------------------------------- re-exports

EDL_EVENT = re.compile(r"^\d+\s+\S+\s+V\s+(C|D|W\d+)\s+(?:(\d{3})\s+)?(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$")


def edl_record_times(text: str, rate: int) -> list[tuple[str, int, int]]:
    """(transition and its frames, record in, record out) of each video line, from the film's first frame."""
    def frames(code: str) -> int:
        hours, minutes, seconds, frame = (int(part) for part in re.split("[:;]", code))
        return ((hours * 60 + minutes) * 60 + seconds) * rate + frame

    rows = []
    for line in text.splitlines():
        if match := EDL_EVENT.match(line.strip()):
            kind, length, *_, rec_in, rec_out = match.groups()
            rows.append((kind + (length or ""), frames(rec_in), frames(rec_out)))
    origin = min(rec_in for _, rec_in, _ in rows)
    return [(kind, rec_in - origin, rec_out - origin) for kind, rec_in, rec_out in rows]


def otio_record_times(path: Path) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    track = otio.adapters.read_from_file(str(path)).video_tracks()[0]
    clips, transitions = [], []
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Transition):  # the film's fade in is one before anything
            cut = track.range_of_child_at_index(index - 1).end_time_exclusive().to_frames() if index else 0
            transitions.append((cut - item.in_offset.to_frames(), (item.in_offset + item.out_offset).to_frames()))
        else:  # a clip or a gap
            placed = track.range_of_child_at_index(index)
            clips.append((placed.start_time.to_frames(), placed.end_time_exclusive().to_frames()))
    return clips, transitions


WITH_TRANSITIONS = [("edl/foundry_60fps_dissolves.edl", "60"), ("edl/otio_dissolve_test.edl", "24"),
                    ("fcpxml/pneo_23.98.fcpxml", None), ("fcpxml/pneo_24.fcpxml", None),
                    ("fcpxml/pneo_TransitionMarkers1.fcpxml", None), ("long", "24")]


@pytest.mark.parametrize(("sample", "rate"), WITH_TRANSITIONS, ids=[s for s, _ in WITH_TRANSITIONS])
def test_re_exports_write_the_record_times_of_the_source_file(tmp_path, sample, rate):
    if sample == "long":
        source = tmp_path / "long.edl"
        dissolve_edl(source, [random.Random(n).randint(40, 120) for n in range(200)])
    else:
        source = tmp_path / Path(sample).name
        shutil.copy(SAMPLES / sample, source)  # beside no media: offline, as cuts usually arrive
    held = read_cut_file(source, rate).cut
    # As a storyline: gaps are items, the film's fades transitions from and to nothing.
    clips = [(clip.record_in, clip.record_out) for clip in held.with_gaps_as_clips().clips]
    transitions = [(t.record_in, t.frames) for t in held.transitions]
    transitions = [*[(0, held.fade_in)] * bool(held.fade_in), *transitions,
                   *[(held.length - held.fade_out, held.fade_out)] * bool(held.fade_out)]
    assert transitions
    import_cut(source, tmp_path / "film.foundry", frame_rate=rate)
    with ProjectService.open(tmp_path / "film.foundry") as service:
        for suffix in (".edl", ".fcpxml", ".otio"):
            export_cut(service, tmp_path / f"again{suffix}")
    if source.suffix == ".edl":  # the very columns of the file
        assert edl_record_times((tmp_path / "again.edl").read_text(), int(held.frame_rate)) == \
            edl_record_times(source.read_text(), int(held.frame_rate))
    seen = independent_read((tmp_path / "again.fcpxml").read_text())
    assert [(int(rec_in), int(rec_out)) for *_, rec_in, rec_out in seen["clips"]] == clips
    assert [(int(rec_in), int(length)) for *_, rec_in, length in seen["transitions"]] == transitions
    assert otio_record_times(tmp_path / "again.otio") == (clips, transitions)
