"""Every interchange sample makes the round trip an editor relies on (issue 19, "Done when").

Each file under tests/data/interchange, found by globbing, is imported with `foundry import`
and exported again with `foundry export` as an EDL and as FCPXML. Both exports are read back
by readers independent of Foundry's (tests/roundtrip_events.py: OpenTimelineIO's cmx_3600
adapter for EDLs, plain xml.etree for FCPXML) and compared event by event with what the same
readers get from the original: the record in and out of every event, its source in and out as
timecode, its reel, and where each transition starts and how long it lasts.

Record times, source timecode and reels must come back identical: no warning excuses them.
A transition that comes back moved or changed must be named (by its shot and its length) in
one of the warnings the import or the exports gave. A file Foundry refuses must be one that
holds no picture an independent reader sees, refused in one line.
Source timecode is compared in the source's own counting (an FCPXML clip's tcFormat, an EDL
event's FCM or label separator), so a non-drop camera original in a drop-frame film must come
back labelled non-drop.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import cmx3600_check
import opentimelineio as otio
import pytest
from interchange_samples import EDL_SAMPLE_RATES, SAMPLES
from roundtrip_events import (
    Event,
    Picture,
    Transition,
    edl_drop_frame,
    edl_text,
    events_of_edl,
    events_of_edl_lines,
    events_of_fcpxml,
    fcpxml_projects,
)
from video_sources import write_video

from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.cli.main import main

# An EDL does not say its frame rate: a sample not in EDL_SAMPLE_RATES (tests/interchange_samples.py)
# is read at the lowest common rate its labels fit (29.97 when it says drop frame).
_LABEL_FRAMES = re.compile(r"\b\d\d:\d\d:\d\d[:;.,](\d\d)\b")
_KINDS = (".edl", ".fcpxml", ".fcpxmld")


def sample_files() -> list[Path]:
    """Every cut file under tests/data/interchange/<format>/ (an .fcpxmld bundle is one file)."""
    return sorted(path for path in SAMPLES.glob("*/*") if path.suffix.lower() in _KINDS)


def _param(path: Path):
    return pytest.param(path, id=path.name)


def edl_rate(path: Path) -> Fraction:
    if path.name in EDL_SAMPLE_RATES:
        return EDL_SAMPLE_RATES[path.name]
    text = edl_text(path)
    if edl_drop_frame(text):
        return Fraction(30000, 1001)
    highest = max((int(frames) for frames in _LABEL_FRAMES.findall(text)), default=0)
    return next(Fraction(rate) for rate in (24, 25, 30, 50, 60) if highest < rate)


def _fcpxml_file(path: Path) -> Path:
    return path / "Info.fcpxml" if path.is_dir() else path  # a bundle (.fcpxmld) keeps its document inside


def picture_of(path: Path, rate: Fraction | None, project: str | None = None) -> Picture:
    if path.suffix.lower() == ".edl":
        return events_of_edl(path, rate)
    return events_of_fcpxml(_fcpxml_file(path), project)


def foundry(capsys, *args: str) -> tuple[int, dict, str]:
    """Run a `foundry` command with --json: (exit status, its JSON answer, what it said on stderr)."""
    capsys.readouterr()
    status = main([*args, "--json"])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if status == 0 else {}), err


def _cut_number(picture: Picture, record_in: str) -> int:
    """The shot a transition starting at `record_in` leaves: the last event starting before it (1 when none)."""
    return max(1, sum(event.record_in < record_in for event in picture.events))


def _named(warnings: list[str], shot: int, frames: int) -> bool:
    return any(re.search(rf"\bshot {shot}\b", warning, re.IGNORECASE) and re.search(rf"\b{frames}\b", warning)
               for warning in warnings)


def differences(original: Picture, back: Picture, warnings: list[str]) -> list[str]:
    """What an editor would find changed, as sentences; [] when the round trip kept the cut."""
    found = []
    if len(back.events) != len(original.events):
        found.append(f"{len(original.events)} events became {len(back.events)}: "
                     f"{[e.name for e in original.events]} -> {[e.name for e in back.events]}")
    for number, (theirs, ours) in enumerate(zip(original.events, back.events, strict=False), start=1):
        where = f"event {number} ({theirs.name})"
        if (theirs.record_in, theirs.record_out) != (ours.record_in, ours.record_out):
            found.append(f"{where}: record {theirs.record_in}-{theirs.record_out} became "
                         f"{ours.record_in}-{ours.record_out}")
        if theirs.source_in is not None and (theirs.source_in, theirs.source_out) != (ours.source_in, ours.source_out):
            found.append(f"{where}: source {theirs.source_in}-{theirs.source_out} became "
                         f"{ours.source_in}-{ours.source_out}")
        if theirs.reel is not None and theirs.reel != ours.reel:
            found.append(f"{where}: reel {theirs.reel} became {ours.reel}")
    if len(back.transitions) != len(original.transitions):
        found.append(f"{len(original.transitions)} transitions became {len(back.transitions)}")
    for theirs, ours in zip(original.transitions, back.transitions, strict=False):
        shot = _cut_number(original, theirs.record_in)
        if theirs != ours and not _named(warnings, shot, theirs.frames):
            found.append(f"the {theirs.frames}-frame transition at {theirs.record_in} (after shot {shot}) became "
                         f"{ours.frames} frames at {ours.record_in}, and no warning names it")
    return found


def round_trip(sample: Path, work: Path, capsys, project: str | None = None) -> list[str]:
    """Import `sample` (its `project`, for a file holding several), export it as EDL and FCPXML into
    `work`: what changed that no warning excuses."""
    rate = edl_rate(sample) if sample.suffix.lower() == ".edl" else None
    original = picture_of(sample, rate, project)
    imported_path = work / "imported.foundry"
    status, imported, said = foundry(capsys, "import", str(sample), "-o", str(imported_path),
                                     *(["--rate", str(rate)] if rate else []),
                                     *(["--sequence", project] if project is not None else []))
    if status != 0:
        assert not original.events, f"{sample.name} holds {len(original.events)} events and was refused: {said}"
        assert said.count("\n") == 1 and said.startswith("foundry: error: "), said
        assert not imported_path.exists()
        return []
    warnings = list(imported["warnings"])
    found = []
    for kind in ("edl", "fcpxml"):
        exported = work / f"again.{kind}"
        status, answer, said = foundry(capsys, "export", str(imported_path), "-o", str(exported))
        assert status == 0, f"export to {kind}: {said}"
        warnings += answer["warnings"]
        back = picture_of(exported, original.rate)
        assert back.rate == original.rate
        found += [f"{kind}: {difference}" for difference in differences(original, back, warnings)]
    return found


def projects_of(sample: Path) -> list[str | None]:
    """The projects to import one by one: each of an FCPXML file's projects that holds a picture
    when it holds several (by name, with --sequence); otherwise the file as it is."""
    if sample.suffix.lower() == ".edl":
        return [None]
    names = fcpxml_projects(_fcpxml_file(sample))
    if len(names) < 2:
        return [None]
    return [name for name in names if picture_of(sample, None, name).events]


@pytest.mark.parametrize("sample", [_param(path) for path in sample_files()])
def test_sample_round_trips_through_edl_and_fcpxml(sample: Path, tmp_path, capsys):
    found = []
    for number, project in enumerate(projects_of(sample)):
        work = tmp_path / str(number)
        work.mkdir()
        found += [f"{project}: {difference}" if project else difference
                  for difference in round_trip(sample, work, capsys, project)]
    assert not found, "\n".join(found)


def test_a_cut_foundry_wrote_itself_makes_the_round_trip(tmp_path, capsys):
    """The harness passes a cut it should pass: Foundry's own FCPXML of online media, with a dissolve
    and a gap, as FCPXML."""
    service = ProjectService.create(tmp_path / "film.foundry", name="Harbour", width=160, height=90,
                                    frame_rate=Fraction(24))
    with service:
        wide = write_video(tmp_path / "harbour_wide.mp4", frames=72)
        add_media_shot(service, wide, name="Wide", source_in="0.5")
        add_media_shot(service, write_video(tmp_path / "harbour_close.mp4", frames=60), name="Close")
        add_media_shot(service, wide, name="Wide again", source_in="1", source_out="2")
        service.set_transition(0, "dissolve", 12)
        service.insert_gap(2, 10)
        export_cut(service, tmp_path / "cut.fcpxml")
    work = tmp_path / "work"
    work.mkdir()
    original = events_of_fcpxml(tmp_path / "cut.fcpxml")
    assert len(original.events) == 3 and [t.frames for t in original.transitions] == [12]
    assert original.events[2].record_in == "01:00:04:22"  # 60 + 60 frames less the 12 they share, a 10-frame gap
    assert round_trip(tmp_path / "cut.fcpxml", work, capsys) == []


# --- the harness's own readers and comparison ---------------------------------------------------------

TWINS = ["foundry_conform_reels", "foundry_reel4_start", "foundry_2997_drop_frame", "foundry_offline_dissolve"]


def _seen(picture: Picture) -> tuple:
    """All the round trip compares, without the clip names (an EDL and FCPXML name clips their own ways)."""
    events = [(e.reel, e.record_in, e.record_out, e.source_in, e.source_out) for e in picture.events]
    return picture.rate, picture.drop_frame, events, picture.transitions


@pytest.mark.parametrize("twin", TWINS)
def test_an_edl_and_its_fcpxml_twin_read_alike(twin):
    edl = SAMPLES / "edl" / f"{twin}.edl"
    assert _seen(events_of_edl(edl, edl_rate(edl))) == _seen(events_of_fcpxml(SAMPLES / "fcpxml" / f"{twin}.fcpxml"))


@pytest.mark.parametrize("sample", [p for p in sample_files() if p.suffix.lower() == ".edl"], ids=lambda p: p.name)
def test_opentimelineio_and_the_line_reading_agree(sample):
    text = edl_text(sample)
    rate = edl_rate(sample)
    try:
        otio.adapters.read_from_string(text, "cmx_3600", rate=float(rate))
    except Exception:  # noqa: BLE001 - only the files OpenTimelineIO reads can be compared with it
        pytest.skip("OpenTimelineIO's cmx_3600 adapter refuses this file; the line reading stands alone")
    assert _seen(events_of_edl_lines(text, rate, edl_drop_frame(text))) == _seen(events_of_edl(sample, rate))


def test_a_dissolve_between_offline_clips_counted_by_hand():
    picture = events_of_edl(SAMPLES / "edl" / "foundry_offline_dissolve.edl", Fraction(24))
    # A001 runs on under the 30-frame dissolve (01:00:05:00 + 30 frames = 01:00:06:06), its source with it.
    assert _seen(picture)[2] == [
        ("A001", "01:00:00:00", "01:00:06:06", "10:00:00:00", "10:00:06:06"),
        ("B002", "01:00:05:00", "01:00:11:00", "11:00:10:00", "11:00:16:00"),
        ("C003", "01:00:11:00", "01:00:13:00", "12:30:00:00", "12:30:02:00"),
    ]
    assert picture.transitions == (Transition("01:00:05:00", 30),)


def test_drop_frame_labels_agree_with_counting_frames():
    """The drop-frame sample's labels, counted the strict checker's way (every label of every earlier
    minute, less the dropped ones): the first event is 1,860 frames long and the second 75."""
    rate = Fraction(30000, 1001)
    events = events_of_fcpxml(SAMPLES / "fcpxml" / "foundry_2997_drop_frame.fcpxml").events
    count = [[cmx3600_check._frames(label, rate, True) for label in (e.record_in, e.record_out, e.source_in,
                                                                       e.source_out)] for e in events]
    assert [(out - in_, source_out - source_in) for in_, out, source_in, source_out in count] == [(1860, 1860),
                                                                                                  (75, 75)]
    assert events[1].record_in == "01:01:02;02"


def _picture(*events: Event, transitions: tuple[Transition, ...] = ()) -> Picture:
    return Picture(Fraction(24), False, events, transitions)


def test_the_comparison_lets_nothing_but_a_named_transition_pass():
    a = Event("A001C001", "A001", "01:00:00:00", "01:00:06:06", "10:00:00:00", "10:00:06:06")
    b = Event("B002C004", "B002", "01:00:05:00", "01:00:11:00", "11:00:10:00", "11:00:16:00")
    dissolve = Transition("01:00:05:00", 30)
    original = _picture(a, b, transitions=(dissolve,))
    assert differences(original, original, []) == []
    moved = _picture(a, replace(b, record_out="01:00:10:23"), transitions=(dissolve,))
    warned = ["Shot 2 ends 1 frame early (01:00:10:23)."]
    assert differences(original, moved, warned) == [
        "event 2 (B002C004): record 01:00:05:00-01:00:11:00 became 01:00:05:00-01:00:10:23"]
    renamed = _picture(replace(a, reel="A001C001", source_in="00:00:00:00"), b, transitions=(dissolve,))
    assert len(differences(original, renamed, ["Reel A001 is A001C001 now."])) == 2
    shorter = _picture(a, b, transitions=(Transition("01:00:05:00", 24),))
    assert differences(original, shorter, ["The transition after shot 1 lasts 30 frames; it is 24."]) == []
    assert differences(original, shorter, ["The transition after shot 2 lasts 30 frames; it is 24."]) == [
        "the 30-frame transition at 01:00:05:00 (after shot 1) became 24 frames at 01:00:05:00, "
        "and no warning names it"]
    assert differences(original, _picture(a), []) == [
        "2 events became 1: ['A001C001', 'B002C004'] -> ['A001C001']", "1 transitions became 0"]


_TWO_PROJECTS = """<?xml version="1.0" encoding="UTF-8"?>
<fcpxml version="1.10">
  <resources>
    <format id="r1" frameDuration="1/25s" width="1920" height="1080"/>
    <asset id="r2" name="pier" start="36000s" duration="60s" hasVideo="1" format="r1"/>
  </resources>
  <library>
    <event name="Day 1">
      <asset-clip ref="r2" name="pier wide" start="36002s" duration="2s"/>
      <asset-clip ref="r2" name="pier close" start="36010s" duration="3/5s"/>
      {projects}
    </event>
  </library>
</fcpxml>
"""
_PROJECT = """<project name="{name}"><sequence format="r1" tcStart="3600s" tcFormat="NDF"><spine>
        <asset-clip ref="r2" offset="3600s" name="pier" start="{start}s" duration="1s"/>
      </spine></sequence></project>"""


def test_fcpxml_projects_are_read_by_name_and_event_clips_end_to_end(tmp_path):
    several = tmp_path / "several.fcpxml"
    several.write_text(_TWO_PROJECTS.format(projects=_PROJECT.format(name="Main", start=36005)
                                            + _PROJECT.format(name="Alt", start=36020)))
    assert fcpxml_projects(several) == ["Main", "Alt"]
    assert events_of_fcpxml(several, "Alt").events == (
        Event("pier", None, "01:00:00:00", "01:00:01:00", "10:00:20:00", "10:00:21:00"),)
    assert events_of_fcpxml(several).events[0].source_in == "10:00:05:00"
    clips_only = tmp_path / "clips.fcpxml"
    clips_only.write_text(_TWO_PROJECTS.format(projects=""))
    assert [(e.record_in, e.record_out, e.source_in) for e in events_of_fcpxml(clips_only).events] == [
        ("00:00:00:00", "00:00:02:00", "10:00:02:00"), ("00:00:02:00", "00:00:02:15", "10:00:10:00")]


def test_a_dissolve_from_black_leaves_the_clip_before_it_as_it_was():
    text = "\n".join([
        "TITLE: FADES", "FCM: NON-DROP FRAME",
        "001  A001     V     C        10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00",
        "002  BL       V     C        00:00:00:00 00:00:00:00 01:00:02:00 01:00:02:00",
        "002  B002     V     D    012 11:00:00:00 11:00:02:00 01:00:02:00 01:00:04:00",
    ])
    picture = events_of_edl_lines(text, Fraction(24), False)
    assert [(e.reel, e.record_out, e.source_out) for e in picture.events] == [
        ("A001", "01:00:02:00", "10:00:02:00"), ("B002", "01:00:04:00", "11:00:02:00")]
    assert picture.transitions == (Transition("01:00:02:00", 12),)


def test_container_clips_are_read_as_the_media_they_show_counted_by_hand():
    """A compound, multicam or sync clip is conformed to the media inside it: its source is that media's
    own timecode, not the container's start (which counts in the container's time)."""
    def seen(name: str) -> list[tuple]:
        return [(e.record_in, e.record_out, e.source_in, e.source_out)
                for e in events_of_fcpxml(SAMPLES / "fcpxml" / f"{name}.fcpxml").events]
    # The compound's media 1s-6s: beach_a (from 2s) until 3s, beach_b (from 3610s) after, a 10-frame
    # dissolve centred on that edit; shown again from its media's start, beach_a from 2s.
    assert seen("foundry_compound") == [
        ("00:00:00:00", "00:00:02:00", "00:00:10:00", "00:00:12:00"),
        ("00:00:02:00", "00:00:04:05", "00:00:03:00", "00:00:05:05"),
        ("00:00:03:20", "00:00:07:00", "01:00:09:20", "01:00:13:00"),
        ("00:00:07:00", "00:00:08:00", "01:00:20:00", "01:00:21:00"),
        ("00:00:08:00", "00:00:10:00", "00:00:02:00", "00:00:04:00")]
    # Angle b2 at 10s is beach_b 9s after its 01:00:00:00 start (the angle begins with a second of gap).
    assert seen("foundry_multicam")[0][2:] == ("01:00:09:00", "01:00:11:00")
    # The sync clip's 1s is beach_a's 6s; the clip's 2s is its video's 3601s + 1s.
    assert [event[2] for event in seen("foundry_sync_clip")] == ["00:00:06:00", "01:00:02:00"]
