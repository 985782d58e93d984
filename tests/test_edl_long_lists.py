"""EDLs of more than 999 events: numbered as Avid and Resolve number long edits (four to six
digits, in the long-name dialect), refused in one line in strict CMX 3600, and read back by
Foundry's reader and by OpenTimelineIO's cmx_3600 adapter event by event."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.errors import ExportError
from foundry_desktop.interchange.edl.reader import read_edl
from foundry_desktop.interchange.edl.writer import edl_text, needs_long_numbers, write_edl
from foundry_desktop.interchange.film_cut import CutClip, CutTransition, FilmCut
from foundry_desktop.interchange.smpte_timecode import parse_timecode

RATE = Fraction(24)
EVENTS = 1_200
_EVENT = re.compile(r"^(\d+)\s+(\S+)\s+V\s+[CD]", re.MULTILINE)


def long_cut(events: int, folder: Path) -> FilmCut:
    """`events` clips of camera originals (a reel per file, with its source timecode), a dissolve
    every 50 cuts and a gap every 100 clips, so record times jump and events hold two lines."""
    clips, transitions, record = [], [], 0
    for n in range(events):
        record += 6 if n and n % 100 == 0 else 0
        frames = 20 + (n * 7) % 30
        clips.append(CutClip(f"Clip {n + 1}", folder / f"A{n % 300:03d}.mov", 10_000, 48, 48 + frames,
                             record, record + frames, reel=f"A{n % 300:03d}", source_start=(10 + n % 5) * 86_400))
        record += frames
    for n in range(49, events - 1, 50):
        if clips[n + 1].record_in == clips[n].record_out:
            transitions.append(CutTransition(n, "dissolve", clips[n].record_out - 4, 8))
    return FilmCut("Long edit", RATE, 1920, 1080, tuple(clips), tuple(transitions))


def test_a_strict_cmx_list_of_more_than_999_events_is_refused_in_one_line(tmp_path):
    cut = long_cut(EVENTS, tmp_path)
    assert needs_long_numbers(cut) and not needs_long_numbers(long_cut(900, tmp_path))
    with pytest.raises(ExportError) as refused:
        edl_text(cut, names="cmx")
    assert "\n" not in str(refused.value) and "1,200 EDL events" in str(refused.value)


def test_a_long_list_is_numbered_in_four_digits_and_reads_back_event_by_event(tmp_path):
    cut = long_cut(EVENTS, tmp_path)
    path = write_edl(cut, tmp_path / "long.edl", names="long")
    text = path.read_text()
    numbers = [number for number, _ in _EVENT.findall(text)]
    assert numbers[0] == "0001" and numbers[-1] == "1200" and {len(n) for n in numbers} == {4}
    assert len(set(numbers)) == EVENTS  # a dissolve's two lines share their number
    back = read_edl(path, RATE)
    assert not back.warnings
    assert [(c.reel, c.record_in, c.record_out, c.source_start + c.source_in) for c in back.cut.clips] == [
        (c.reel, c.record_in, c.record_out, c.source_start + c.source_in) for c in cut.clips]
    assert back.cut.transitions == cut.transitions


def test_opentimelineio_reads_the_long_list_as_written(tmp_path):
    cut = long_cut(EVENTS, tmp_path)
    text = write_edl(cut, tmp_path / "long.edl", names="long").read_text()
    timeline = otio.adapters.read_from_string(text, "cmx_3600", rate=float(RATE))
    track = timeline.video_tracks()[0]
    start = parse_timecode("01:00:00:00", RATE)
    offset = round(track.source_range.start_time.to_frames()) if track.source_range else 0
    seen = []
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Clip):
            placed = track.range_of_child_at_index(index)
            record_in = round(placed.start_time.to_frames()) - offset - start  # the track starts at -record start
            seen.append((item.metadata["cmx_3600"]["reel"], record_in))
    # An EDL dissolve starts at its edit: the incoming clip's event starts 4 frames before the cut.
    early = {t.outgoing + 1: t.cut - t.record_in for t in cut.transitions}
    assert seen == [(clip.reel, clip.record_in - early.get(n, 0)) for n, clip in enumerate(cut.clips)]


def test_an_export_of_a_long_edit_writes_long_numbers_and_says_so(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", frame_rate=RATE) as service:
        for _ in range(2):
            service.add_shot(prompt="a wave", duration_frames=12)
        service.set_shot_sources({0: ("A001", 0, None), 1: ("A002", 0, None)})
        report = export_cut(service, tmp_path / "short.edl")
        assert re.search(r"^001  A001 ", report.files[0].read_text(), re.MULTILINE)
        assert not any("999" in warning for warning in report.warnings)
        with pytest.raises(ExportError, match="strict CMX 3600"):
            export_cut_of(service, tmp_path, EVENTS, "cmx")
        report = export_cut_of(service, tmp_path, EVENTS, None)
    assert any("more events than the 999" in warning for warning in report.warnings)
    numbers = [number for number, _ in _EVENT.findall(report.files[0].read_text())]
    assert numbers[-1] == "1200"


def export_cut_of(service: ProjectService, folder: Path, shots: int, names):
    """Export `service`'s film grown to `shots` shots (one undo step of added shots)."""
    missing = shots - len(service.project.timeline.shots)
    if missing > 0:
        with service.group("Grow the film"):
            for _ in range(missing):
                service.add_shot(prompt="a wave", duration_frames=12)
    return export_cut(service, folder / "long.edl", edl_names=names)


def test_long_reel_names_keep_their_events_apart(tmp_path):
    """File129 reels hold whole names; a long list of them still reads back one event per clip."""
    cut = long_cut(1_001, tmp_path)
    named = replace(cut, clips=tuple(replace(c, reel=f"{c.reel}_camera_original_roll") for c in cut.clips))
    back = read_edl(write_edl(named, tmp_path / "names.edl", names="long"), RATE)
    assert [c.reel for c in back.cut.clips] == [c.reel for c in named.clips]
