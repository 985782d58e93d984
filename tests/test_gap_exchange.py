"""Empty time travels: FCPXML writes a `gap` named Gap, the EDL's record times jump,
OTIO holds a Gap; each read back by an independent reader places the shots after it
where Foundry does, and each imported again makes the same gaps, not offline shots."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from cmx3600_check import problems as cmx3600_problems
from fcpxml_independent_reader import independent_read
from video_sources import write_video, write_wav

from foundry_desktop.app.exchange.cut_export import export_cut, film_cut
from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.interchange.fcpxml.reader import read_fcpxml_text
from foundry_desktop.interchange.film_cut import CutCaption

RATE = Fraction(24)


@pytest.fixture
def gapped(tmp_path) -> ProjectService:
    """Four 24-frame clips; the second lifted (24 frames of empty time), a dissolve between the last two."""
    sources = tmp_path / "sources"
    sources.mkdir()
    service = ProjectService.create(tmp_path / "gaps.foundry", width=160, height=90, frame_rate=RATE)
    for name in "abcd":
        add_media_shot(service, write_video(sources / f"{name}.mp4", frames=48), name=name.upper(),
                       source_in="0.25", source_out="1.25")  # frames 6..30: handles for the dissolve
    service.lift_shot(1)
    service.set_transition(1, "dissolve", 6)
    yield service
    service.close()


def placed(service: ProjectService) -> list[tuple[str, int, int]]:
    shots = service.project.timeline.shots
    return [(shots[p.index].name, p.record_in, p.record_out) for p in service.cut_plan().shots]


EXPECTED = [("A", 0, 24), ("C", 48, 72), ("D", 72, 96)]


def test_the_cut_with_a_gap_is_placed_as_lifted(gapped):
    assert placed(gapped) == EXPECTED and gapped.cut_plan().length == 96


def test_fcpxml_writes_a_gap_named_gap(gapped, tmp_path):
    (path,) = export_cut(gapped, tmp_path / "cut.fcpxml").files
    text = path.read_text()
    assert '<gap offset="3601s" name="Gap" start="0s" duration="1s"/>' in text  # 1 h + 24 frames, 24 frames long
    clips = independent_read(text)["clips"]
    assert [(int(record_in), int(record_out)) for _, media, *_, record_in, record_out in clips if media is not None] == [
        (0, 24), (48, 72), (72, 96)]


def test_an_edl_jumps_over_the_gap_in_record_time(gapped, tmp_path):
    (path,) = export_cut(gapped, tmp_path / "cut.edl").files
    text = path.read_text()
    assert cmx3600_problems(text, RATE, gaps=True) == []
    assert cmx3600_problems(text, RATE) == ["line 9: record in is not where the event before ended"]  # the jump
    assert "01:00:01:00 01:00:02:00" not in text  # nothing is recorded over the gap
    track = otio.adapters.read_from_string(text, "cmx_3600", rate=float(RATE)).tracks[0]
    gaps = [item for item in track if isinstance(item, otio.schema.Gap)]
    assert [round(g.source_range.duration.to_frames()) for g in gaps] == [24]


def test_otio_holds_a_gap(gapped, tmp_path):
    (path,) = export_cut(gapped, tmp_path / "cut.otio").files
    track = otio.adapters.read_from_file(str(path)).video_tracks()[0]
    kinds = [type(item).__name__ for item in track]
    assert kinds == ["Clip", "Gap", "Clip", "Transition", "Clip"]
    assert round(track[1].source_range.duration.to_frames()) == 24


@pytest.mark.parametrize("kind", [".fcpxml", ".edl", ".otio"])
def test_an_imported_cut_keeps_its_gap_as_empty_time(gapped, tmp_path, kind):
    exported = export_cut(gapped, tmp_path / f"cut{kind}").files[0]
    report = import_cut(exported, tmp_path / "again.foundry", frame_rate="24")
    assert (report.shots, report.offline) == (3, 0)
    assert not any("Gap" in warning for warning in report.warnings)
    with ProjectService.open(report.project) as again:
        shots = again.project.timeline.shots
        assert [shot.gap_before for shot in shots] == [0, 24, 0]
        assert [(p.record_in, p.record_out) for p in again.cut_plan().shots] == [(r, o) for _, r, o in EXPECTED]
        assert shots[1].transition_out.kind == "dissolve"


@pytest.mark.parametrize("kind", [".fcpxml", ".otio"])
def test_what_plays_over_empty_time_comes_back_where_it_was(gapped, tmp_path, kind):
    """A caption, a marker and music starting in the gap (FCPXML hangs them on the `gap`)."""
    gapped.add_caption("In the dark", "1.25", "1.75")  # frames 30..42, inside the gap at 24..48
    gapped.add_marker(30, "Nothing yet")
    add_music(gapped, write_wav(tmp_path / "bed.wav", 2.0, 0.2), at_seconds="1.5")
    before = film_cut(gapped)
    report = import_cut(export_cut(gapped, tmp_path / f"cut{kind}").files[0], tmp_path / "again.foundry")
    assert report.warnings == ()
    with ProjectService.open(report.project) as again:
        after = film_cut(again)
    assert after.captions == before.captions == (CutCaption(30, 42, "In the dark"),)
    assert [(m.frame, m.label) for m in after.markers] == [(30, "Nothing yet")]
    assert [(m.record_in, m.frames) for m in after.music] == [(m.record_in, m.frames) for m in before.music] == [(36, 48)]


@pytest.mark.parametrize("kind", [".fcpxml", ".otio"])
def test_a_film_that_starts_in_black_keeps_its_opening_gap_and_fade(gapped, tmp_path, kind):
    gapped.lift_shot(0)  # A's 24 frames: the film now opens on 48 frames of black
    gapped.set_film_fades(6, 0)  # the fade from black lies in the first shot, after the gap
    report = import_cut(export_cut(gapped, tmp_path / f"cut{kind}").files[0], tmp_path / "again.foundry")
    assert report.warnings == ()
    with ProjectService.open(report.project) as again:
        assert [shot.gap_before for shot in again.project.timeline.shots] == [48, 0]
        plan = again.cut_plan()
        assert (plan.fade_in, plan.shots[0].record_in, plan.length) == (6, 48, 96)


FINAL_CUT_GAPS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.10">
  <resources>
    <format id="r1" frameDuration="1/25s" width="1280" height="720"/>
    <asset id="r2" name="a" start="0s" duration="100s" hasVideo="1"><media-rep kind="original-media" src="file:///m/a.mov"/></asset>
    <effect id="r3" name="Cross Dissolve" uid="FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"/>
  </resources>
  <library><event name="E"><project name="P"><sequence format="r1" tcStart="0s" duration="10s"><spine>
    <asset-clip ref="r2" offset="0s" name="A" start="10s" duration="2s"/>
    <transition name="Cross Dissolve" offset="9/5s" duration="2/5s"><filter-video ref="r3" name="Cross Dissolve"/></transition>
    <gap name="Gap" offset="2s" start="3600s" duration="1s"/>
    <asset-clip ref="r2" offset="3s" name="B" start="20s" duration="2s"/>
    <transition name="Cross Dissolve" offset="23/5s" duration="2/5s"><filter-video ref="r3" name="Cross Dissolve"/></transition>
    <gap name="Gap" offset="5s" start="3600s" duration="5s"/>
  </spine></sequence></project></event></library>
</fcpxml>"""


def test_final_cut_s_gaps_are_empty_time_and_a_dissolve_into_the_last_one_is_the_fade_out():
    read = read_fcpxml_text(FINAL_CUT_GAPS, Path("/"), "cut.fcpxml")
    cut = read.cut
    assert [(c.name, c.record_in, c.record_out) for c in cut.clips] == [("A", 0, 50), ("B", 75, 125)]
    assert cut.transitions == () and cut.fade_out == 10 and cut.length == 125  # the trailing gap is no film
    assert len(read.warnings) == 1 and "transition between a shot and empty time was left out" in read.warnings[0]
