"""A shot's source timecode keeps its own counting: a non-drop camera original in a drop-frame
film (or the other way round) is labelled as its source labels it in every export, read back
from EDL (FCM lines, label separators), FCPXML (a clip's tcFormat) and OTIO, kept in the
project file (schema 13), and taken from a camera original's embedded timecode."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from lxml import etree
from old_schemas import undo_migrations_after
from video_sources import write_video

from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.interchange.edl.reader import read_edl_text
from foundry_desktop.interchange.edl.writer import edl_text
from foundry_desktop.interchange.fcpxml.reader import read_fcpxml_text
from foundry_desktop.interchange.fcpxml.writer import fcpxml_text
from foundry_desktop.interchange.film_cut import CutClip, CutTransition, FilmCut
from foundry_desktop.interchange.otio.reader import read_otio_text
from foundry_desktop.interchange.otio.writer import otio_text
from foundry_desktop.interchange.smpte_timecode import parse_timecode

NTSC = Fraction(30000, 1001)
NDF_START = parse_timecode("09:05:00:00", NTSC)  # a non-drop camera original's first frame
DF_START = parse_timecode("14:22:10;00", NTSC, drop_frame=True)


def mixed_cut(folder: Path) -> FilmCut:
    """A drop-frame film: a drop-frame source, then (through a 20-frame dissolve) a non-drop one, then
    one that counts as the film does."""
    clips = (
        CutClip("Interview", folder / "A014.mov", 600, 30, 180, 0, 150, reel="A014", source_start=DF_START,
                source_drop_frame=True),
        CutClip("Broll", folder / "B003.mov", 600, 60, 180, 150, 270, reel="B003", source_start=NDF_START,
                source_drop_frame=False),
        CutClip("Plate", folder / "plate.mov", 600, 0, 90, 270, 360, reel="PLATE"),
    )
    return FilmCut("Mixed", NTSC, 1920, 1080, clips, (CutTransition(0, "dissolve", 140, 20),), drop_frame=True)


def event_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^(\d{3}|FCM:)", line)]


def test_the_edl_labels_each_source_in_its_own_counting_with_fcm_lines_where_it_changes(tmp_path):
    text = edl_text(mixed_cut(tmp_path))
    assert event_lines(text) == [
        "FCM: DROP FRAME",
        "001  A014     V     C        14:22:11;00 14:22:15;20 01:00:00;00 01:00:04;20",
        "002  A014     V     C        14:22:15;20 14:22:15;20 01:00:04;20 01:00:04;20",
        "FCM: NON-DROP FRAME",  # between a dissolve's lines, where Avid writes it: the incoming source's
        "002  B003     V     D    020 09:05:01:20 09:05:06:00 01:00:04;20 01:00:09;00",
        "FCM: DROP FRAME",
        "003  PLATE    V     C        00:00:00;00 00:00:03;00 01:00:09;00 01:00:12;00",
    ]
    back = read_edl_text(text, NTSC, folder=tmp_path).cut
    assert back.drop_frame is True  # the record counts in drop frame, whatever the sources do
    assert [(c.source_start + c.source_in, c.source_drop_frame) for c in back.clips] == [
        (DF_START + 30, None), (NDF_START + 60, False), (0, None)]  # None: as the record counts


def test_an_export_that_overrides_the_films_counting_keeps_each_sources_own(tmp_path):
    cut = mixed_cut(tmp_path)
    text = edl_text(replace(cut, clips=(*cut.clips[:2], replace(cut.clips[2], source_drop_frame=True))),
                    drop_frame=False)
    lines = event_lines(text)
    assert lines[0] == "FCM: NON-DROP FRAME" and lines[1] == "FCM: DROP FRAME"
    assert lines[2].endswith("14:22:11;00 14:22:15;20 01:00:00:00 01:00:04:20")  # record non-drop, source not
    assert "09:05:01:20 09:05:06:00" in lines[5] and lines[4] == "FCM: NON-DROP FRAME"


def test_a_list_in_cmx_form_counts_each_event_as_the_fcm_line_in_force_says():
    """Every label written with ':' (CMX's own form): an FCM line before an event says how its source counts;
    the record counts as the first FCM line says."""
    text = "\n".join([
        "TITLE: CMX FORM", "FCM: NON-DROP FRAME",
        "001  A001     V     C        10:00:00:00 10:00:05:00 01:00:00:00 01:00:05:00",
        "FCM: DROP FRAME",
        "002  A002     V     C        10:01:00:02 10:01:01:02 01:00:05:00 01:00:06:00",
    ])
    read = read_edl_text(text, NTSC, folder=Path("."), file_name="cmx.edl").cut
    assert [c.source_drop_frame for c in read.clips] == [None, True]
    assert read.clips[1].source_in == parse_timecode("10:01:00;02", NTSC, drop_frame=True)


def test_fcpxml_writes_each_clips_tc_format_and_reads_it_back(tmp_path):
    cut = mixed_cut(tmp_path)
    text = fcpxml_text(cut, drop_frame=True)
    root = etree.fromstring(text.encode())
    assert root.find(".//sequence").get("tcFormat") == "DF"
    assert [clip.get("tcFormat") for clip in root.iter("asset-clip")] == ["DF", "NDF", "DF"]
    back = read_fcpxml_text(text, tmp_path).cut
    assert [c.source_drop_frame for c in back.clips] == [None, False, None]
    assert [c.source_start for c in back.clips] == [DF_START, NDF_START, 0]


def test_a_clip_nested_in_a_container_counts_as_its_media_clip_says(tmp_path):
    text = """<fcpxml version="1.10"><resources>
      <format id="r1" frameDuration="1001/30000s" width="1920" height="1080"/>
      <asset id="r2" name="B003" start="0s" duration="10s" hasVideo="1" format="r1">
        <media-rep kind="original-media" src="file:///media/B003.mov"/></asset></resources>
      <library><event name="E"><project name="P"><sequence format="r1" tcStart="0s" tcFormat="DF"><spine>
        <clip name="Wrapped" offset="0s" duration="1001/1000s" tcFormat="DF">
          <asset-clip ref="r2" offset="0s" start="0s" duration="1001/1000s" tcFormat="NDF"/></clip>
      </spine></sequence></project></event></library></fcpxml>"""
    (clip,) = read_fcpxml_text(text, tmp_path).cut.clips
    assert clip.source_drop_frame is False


def test_otio_keeps_a_sources_counting_on_its_media_reference(tmp_path):
    cut = mixed_cut(tmp_path)
    back = read_otio_text(otio_text(cut), tmp_path).cut
    assert [c.source_drop_frame for c in back.clips] == [None, False, None]


def test_the_project_keeps_the_flag_and_an_import_keeps_the_cuts_counting(tmp_path):
    edl = tmp_path / "cut.edl"
    edl.write_text(edl_text(mixed_cut(tmp_path)))
    import_cut(edl, tmp_path / "film.foundry", frame_rate="29.97")
    with ProjectService.open(tmp_path / "film.foundry") as service:
        assert [shot.source_drop_frame for shot in service.project.timeline.shots] == [True, False, True]
        service.set_film_timecode(None, False)  # the film counts otherwise now: its sources do not
        (written,) = export_cut(service, tmp_path / "again.edl").files
    lines = event_lines(written.read_text())
    assert lines[0] == "FCM: NON-DROP FRAME" and "09:05:01:20" in written.read_text()
    assert "14:22:11;00 14:22:15;20 01:00:00:00" in lines[2]


def test_a_project_from_before_schema_13_counts_its_sources_as_the_film(tmp_path):
    path = tmp_path / "old.foundry"
    with ProjectService.create(path, frame_rate="29.97") as service:
        service.add_shot(prompt="a harbour", duration_frames=30)
        service.set_shot_sources({0: ("B008", 1800, False)})
        (before,) = export_cut(service, tmp_path / "new.edl").files
    conn = sqlite3.connect(path)
    with conn:
        undo_migrations_after(conn, 12)
        conn.execute("PRAGMA user_version = 12")
    conn.close()
    with ProjectService.open(path) as service:  # migrated on opening
        assert [shot.source_drop_frame for shot in service.project.timeline.shots] == [None]
        (after,) = export_cut(service, tmp_path / "old.edl").files
    assert "00:01:00:00" in before.read_text() and "00:01:00;02" in after.read_text()  # the film's counting
    assert "FCM: NON-DROP" not in after.read_text()


def test_a_camera_originals_drop_frame_timecode_is_kept(tmp_path):
    camera = write_video(tmp_path / "C001.mov", frames=30, frame_rate=NTSC, tags={"timecode": "01:00:00;00"})
    with ProjectService.create(tmp_path / "film.foundry", frame_rate="29.97") as service:
        service.set_film_timecode(None, False)
        add_media_shot(service, camera)
        (shot,) = service.project.timeline.shots
        assert (shot.source_timecode, shot.source_drop_frame) == (parse_timecode("01:00:00;00", NTSC, drop_frame=True),
                                                                  True)
        (written,) = export_cut(service, tmp_path / "cut.edl").files
    assert "01:00:00;00 01:00:01;00 01:00:00:00 01:00:01:00" in written.read_text()
