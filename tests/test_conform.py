"""Conform keys: the reels, source timecode and timeline start an online editor conforms a cut by.

A cut imported from an EDL keeps them as data (reopened from the project file), and its export
writes them back unchanged, in EDL, FCPXML and OTIO; a camera original's embedded start timecode
maps the cut's source times onto the file; offline shots stay clips an editor can relink; the EDL's
reel names, its sound and its captions are what an editor expects.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from cmx3600_check import problems as cmx3600_problems
from interchange_samples import fcpxml_dtd_dir
from lxml import etree
from old_schemas import undo_migrations_after
from video_sources import sine, write_video

from foundry_desktop.app.exchange.cut_export import export_cut, film_cut
from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.generation.shot_generation import generate_shots
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.cli.main import main
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.interchange.smpte_timecode import parse_timecode

_EVENT = re.compile(r"^(\d{3,6})\s+(\S+)\s+(\S+)\s+(C|D)\s+(\d*)\s*"
                    r"(\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d)$")


def events(text: str) -> list[tuple[str, str, str, str, str, str]]:
    """(reel, channel, source in, source out, record in, record out) of each event line, as written."""
    found = []
    for line in text.splitlines():
        if match := _EVENT.match(line.strip()):
            found.append((match[2], match[3], *match.group(6, 7, 8, 9)))
    return found


def edl(tmp_path: Path, name: str, body: str, fcm: str = "NON-DROP FRAME") -> Path:
    path = tmp_path / name
    path.write_text(f"TITLE: {Path(name).stem}\nFCM: {fcm}\n\n{body.strip()}\n", encoding="ascii")
    return path


REEL_FOUR = """
001  B008     V     C        00:01:25:12 00:01:27:12 {r0} {r1}
* FROM CLIP NAME: B008_C003.mov
002  A012     V     C        12:30:00:00 12:30:01:00 {r1} {r2}
* FROM CLIP NAME: A012_C001.mov
003  B008     V     C        00:07:00:00 00:07:00:12 {r2} {r3}
* FROM CLIP NAME: B008_C009.mov
"""


@pytest.mark.parametrize("hour", ["04", "00"])
def test_an_imported_edl_exported_again_keeps_its_reels_source_timecode_and_start(tmp_path, hour):
    records = [f"{hour}:00:00:00", f"{hour}:00:02:00", f"{hour}:00:03:00", f"{hour}:00:03:12"]
    source = edl(tmp_path, "reel4.edl", REEL_FOUR.format(r0=records[0], r1=records[1], r2=records[2], r3=records[3]))
    report = import_cut(source, tmp_path / "reel4.foundry", frame_rate="24")
    assert report.offline == 3  # the cut arrived before its media

    with ProjectService.open(tmp_path / "reel4.foundry") as service:  # the keys are in the project file
        timeline = service.project.timeline
        assert [shot.reel for shot in timeline.shots] == ["B008", "A012", "B008"]
        assert timeline.start_timecode == parse_timecode(records[0], Fraction(24))
        assert timeline.drop_frame is False
        (exported,) = export_cut(service, tmp_path / "again.edl").files
    text = exported.read_text()
    assert cmx3600_problems(text, Fraction(24), start=records[0]) == []
    assert events(text) == [
        ("B008", "V", "00:01:25:12", "00:01:27:12", records[0], records[1]),
        ("A012", "V", "12:30:00:00", "12:30:01:00", records[1], records[2]),
        ("B008", "V", "00:07:00:00", "00:07:00:12", records[2], records[3]),
    ]
    assert "FCM: NON-DROP FRAME" in text


def test_drop_frame_is_the_films_own_and_an_export_may_override_it(tmp_path):
    body = "001  TAPE7    V     C        00:10:00;02 00:10:01;02 01:00:00;00 01:00:01;00\n"
    source = edl(tmp_path, "df.edl", body, fcm="DROP FRAME")
    import_cut(source, tmp_path / "df.foundry", frame_rate="29.97")
    with ProjectService.open(tmp_path / "df.foundry") as service:
        assert service.project.timeline.drop_frame is True
        (kept,) = export_cut(service, tmp_path / "kept.edl").files
        (ndf,) = export_cut(service, tmp_path / "ndf.edl", drop_frame=False).files
        (timeline_file,) = export_cut(service, tmp_path / "df.otio").files  # OTIO counts frames: the flag rides along
    import_cut(timeline_file, tmp_path / "from_otio.foundry")
    with ProjectService.open(tmp_path / "from_otio.foundry", read_only=True) as service:
        assert service.project.timeline.drop_frame is True
    assert "FCM: DROP FRAME" in kept.read_text()
    assert events(kept.read_text()) == [("TAPE7", "V", "00:10:00;02", "00:10:01;02", "01:00:00;00", "01:00:01;00")]
    # The same frames, the record labelled without dropping; the source keeps its own (drop-frame) counting,
    # which the list says with an FCM line before its event.
    rate = Fraction(30000, 1001)
    (line,) = events(ndf.read_text())
    assert "FCM: NON-DROP FRAME\nFCM: DROP FRAME\n001" in ndf.read_text().replace("\n\n", "\n")
    assert line[2] == "00:10:00;02"
    assert parse_timecode(line[4], rate) == parse_timecode("01:00:00;00", rate, drop_frame=True)


def test_new_films_drop_frame_at_ntsc_rates_and_old_exports_do_not_change(tmp_path):
    with ProjectService.create(tmp_path / "ntsc.foundry", frame_rate="29.97") as service:
        service.add_shot(prompt="a harbour", duration_frames=30)
        (written,) = export_cut(service, tmp_path / "ntsc.edl").files
    assert "FCM: DROP FRAME" in written.read_text()
    assert events(written.read_text())[0][4] == "01:00:00;00"
    with ProjectService.create(tmp_path / "film24.foundry", frame_rate="24") as service:
        service.add_shot(prompt="a harbour", duration_frames=24)
        with pytest.raises(InvalidEditError, match="29.97 and 59.94"):
            service.set_film_timecode(None, True)


def test_a_camera_originals_embedded_timecode_maps_the_cut_onto_the_file(tmp_path):
    camera = write_video(tmp_path / "A001_C002.mov", frames=96, tags={"timecode": "01:00:00:00"})
    body = """
001  A001C002 V     C        01:00:02:00 01:00:03:00 01:00:00:00 01:00:01:00
* FROM CLIP NAME: A001_C002.mov
"""
    report = import_cut(edl(tmp_path, "camera.edl", body), tmp_path / "camera.foundry", frame_rate="24")
    assert report.offline == 0 and not report.warnings
    with ProjectService.open(tmp_path / "camera.foundry") as service:
        (shot,) = service.project.timeline.shots
        assert (shot.trim_in, shot.length, shot.source_timecode, shot.reel) == (48, 24, 86400, "A001C002")
        (again,) = export_cut(service, tmp_path / "again.edl").files
        (fcpxml,) = export_cut(service, tmp_path / "again.fcpxml").files
        (timeline_file,) = export_cut(service, tmp_path / "again.otio").files
    assert events(again.read_text()) == [("A001C002", "V", "01:00:02:00", "01:00:03:00", "01:00:00:00", "01:00:01:00")]
    document = etree.parse(str(fcpxml)).getroot()
    asset = document.find(".//asset")
    clip = document.find(".//spine/asset-clip")
    assert (asset.get("start"), clip.get("start"), clip.get("offset")) == ("3600s", "3602s", "3600s")
    _valid_fcpxml(document)
    played = otio.adapters.read_from_file(str(timeline_file)).video_tracks()[0].find_clips()[0]
    assert played.media_reference.available_range.start_time.to_frames() == 86400
    assert played.source_range.start_time.to_frames() == 86400 + 48
    for number, exported in enumerate((fcpxml, timeline_file)):  # and each comes back as it went
        import_cut(exported, tmp_path / f"back{number}.foundry")
        with ProjectService.open(tmp_path / f"back{number}.foundry", read_only=True) as service:
            (shot,) = service.project.timeline.shots
            assert (shot.trim_in, shot.length, shot.source_timecode) == (48, 24, 86400)
            assert service.project.timeline.start_timecode == 86400

    # A camera roll that names its reel (here Matroska's tags) gives its shot that reel.
    roll = write_video(tmp_path / "roll.mkv", frames=24, tags={"reel_name": "B008", "timecode": "10:00:00:00"})
    with ProjectService.create(tmp_path / "roll.foundry", frame_rate="25") as service:
        add_media_shot(service, roll)
        (shot,) = service.project.timeline.shots
        assert (shot.reel, shot.source_timecode) == ("B008", 10 * 3600 * 25)  # 10 h, counted at the film's rate

    # A clip added by hand takes its reel and start timecode from the file too.
    with ProjectService.create(tmp_path / "by_hand.foundry", frame_rate="24") as service:
        add_media_shot(service, camera)
        (shot,) = service.project.timeline.shots
        assert (shot.reel, shot.source_timecode) == ("", 86400)  # no reel tag: an export names it after the file
        (by_hand,) = export_cut(service, tmp_path / "by_hand.edl").files
        assert events(by_hand.read_text())[0][:3] == ("A001C002", "V", "01:00:00:00")
        service.undo()
        assert service.project.timeline.shots == []  # adding the clip, keys included, was one step


def _valid_fcpxml(document: etree._Element) -> None:
    folder = fcpxml_dtd_dir()
    if folder is None:
        pytest.skip("FOUNDRY_FCPXML_DTD_DIR is unset: Apple's DTDs are not redistributable")
    version = document.get("version")
    checker = etree.DTD(str(folder / f"FCPXMLv{version.replace('.', '_')}.dtd"))
    assert checker.validate(document), checker.error_log.filter_from_errors()


def test_offline_shots_are_clips_with_their_timecode_in_fcpxml_not_gaps(tmp_path):
    source = edl(tmp_path, "reel4.edl", REEL_FOUR.format(r0="04:00:00:00", r1="04:00:02:00", r2="04:00:03:00",
                                                         r3="04:00:03:12"))
    import_cut(source, tmp_path / "reel4.foundry", frame_rate="24")
    with ProjectService.open(tmp_path / "reel4.foundry", read_only=True) as service:
        (fcpxml,) = export_cut(service, tmp_path / "reel4.fcpxml").files
        (timeline_file,) = export_cut(service, tmp_path / "reel4.otio").files
    document = etree.parse(str(fcpxml)).getroot()
    sequence = document.find(".//sequence")
    assert (sequence.get("tcStart"), sequence.get("tcFormat")) == ("14400s", "NDF")
    spine = document.find(".//spine")
    assert [child.tag for child in spine] == ["asset-clip"] * 3
    starts = [clip.get("start") for clip in spine]
    assert starts == [f"{Fraction(85 * 24 + 12, 24)}s", "45000s", "420s"]  # 00:01:25:12, 12:30:00:00, 00:07:00:00
    # Each clip refers to the file the cut named, where the project expects it: Final Cut shows it missing.
    sources = [asset.find("media-rep").get("src") for asset in document.iter("asset")]
    assert [src.rsplit("/", 1)[1] for src in sources] == ["B008_C003.mov", "A012_C001.mov", "B008_C009.mov"]
    assert all(src.startswith("file:///") for src in sources)
    _valid_fcpxml(document)
    timeline = otio.adapters.read_from_file(str(timeline_file))
    assert timeline.global_start_time.to_frames() == 4 * 3600 * 24
    first = timeline.video_tracks()[0].find_clips()[0]
    assert first.source_range.start_time.to_frames() == 85 * 24 + 12
    assert first.metadata["cmx_3600"]["reel"] == "B008"  # where OpenTimelineIO's EDL adapter looks

    # Each file brought back gives the same keys: Final Cut's reel metadata, OTIO's, the timecodes.
    for number, exported in enumerate((fcpxml, timeline_file)):
        import_cut(exported, tmp_path / f"back{number}.foundry")
        with ProjectService.open(tmp_path / f"back{number}.foundry", read_only=True) as service:
            shots = service.project.timeline.shots
            assert [shot.reel for shot in shots] == ["B008", "A012", "B008"]
            assert [shot.source_timecode for shot in shots] == [85 * 24 + 12, 45000 * 24, 420 * 24]
            assert service.project.timeline.start_timecode == 4 * 3600 * 24


def test_edl_reels_come_from_the_media_names_strict_or_long(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    with ProjectService.create(tmp_path / "names.foundry", width=160, height=90, frame_rate="24") as service:
        for name, pitch in (("interview_camera_A.mp4", 440), ("interview_camera_B.mp4", 660)):
            add_media_shot(service, write_video(sources / name, frames=24, tone=sine(pitch)))
    strict, long = tmp_path / "strict.edl", tmp_path / "long.edl"
    assert main(["export", str(tmp_path / "names.foundry"), "-o", str(strict)]) == 0
    assert main(["export", str(tmp_path / "names.foundry"), "-o", str(long), "--edl-names", "long"]) == 0
    strict_text = strict.read_text()
    assert [event[:2] for event in events(strict_text)] == [("INTERVIE", "AA/V"), ("INTERV_2", "AA/V")]
    assert cmx3600_problems(strict_text, Fraction(24)) == []
    assert "* FROM CLIP NAME: interview_camera_A.mp4" in strict_text
    assert [event[0] for event in events(long.read_text())] == ["interview_camera_A", "interview_camera_B"]

    # The shots' own sound comes back as sound.
    import_cut(strict, tmp_path / "back.foundry", frame_rate="24")
    with ProjectService.open(tmp_path / "back.foundry", read_only=True) as service:
        assert [shot.reel for shot in service.project.timeline.shots] == ["INTERVIE", "INTERV_2"]
        assert [clip.has_audio for clip in film_cut(service).clips] == [True, True]


def test_captions_go_where_each_format_has_a_place_and_an_edl_says_where(tmp_path):
    with ProjectService.create(tmp_path / "said.foundry", frame_rate="24") as service:
        service.add_shot(prompt="a harbour at dawn", duration_frames=48)
        service.add_caption("Good morning", "0.5", "1.5")
        service.add_marker(30, "Red sky", "#e01b24")
        service.add_marker(36, "Red herring")  # Foundry's amber, nearest ORANGE; a label starting with a colour stays whole
        report = export_cut(service, tmp_path / "said.edl")
        (fcpxml,) = export_cut(service, tmp_path / "said.fcpxml").files
        (timeline_file,) = export_cut(service, tmp_path / "said.otio").files
    edl_file, subtitles = report.files
    assert subtitles.name == "said.srt" and "Good morning" in subtitles.read_text()
    assert any("said.srt" in warning for warning in report.warnings)
    text = edl_file.read_text()
    assert "* LOC: 01:00:01:06 RED Red sky" in text and "* LOC: 01:00:01:12 ORANGE Red herring" in text
    assert cmx3600_problems(text, Fraction(24)) == []
    import_cut(edl_file, tmp_path / "said_back.foundry", frame_rate="24")
    with ProjectService.open(tmp_path / "said_back.foundry", read_only=True) as service:
        assert [(m.frame, m.label) for m in service.project.timeline.markers] == [(30, "Red sky"), (36, "Red herring")]
    assert "Good morning" in "".join(etree.parse(str(fcpxml)).getroot().find(".//title").itertext())
    markers = otio.adapters.read_from_file(str(timeline_file)).video_tracks()[0].markers
    assert [marker.name for marker in markers if marker.metadata["foundry"].get("caption")] == ["Good morning"]


def test_the_films_timecode_is_set_from_the_command_line_as_one_undo_step(tmp_path, capsys):
    project = tmp_path / "reel.foundry"
    with ProjectService.create(project, frame_rate="24") as service:
        service.add_shot(prompt="a harbour", duration_frames=24)
    assert main(["timecode", str(project), "--start", "04:00:00:00"]) == 0
    assert "04:00:00:00" in capsys.readouterr().out
    with ProjectService.open(project) as service:
        assert service.project.timeline.start_timecode == 4 * 3600 * 24
        (written,) = export_cut(service, tmp_path / "reel.edl").files
        assert events(written.read_text())[0][4] == "04:00:00:00"
        service.undo()
        assert service.project.timeline.start_timecode is None
    assert main(["timecode", str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"start": "01:00:00:00", "drop_frame": False}
    assert main(["timecode", str(project), "--start", "4 o'clock"]) != 0
    assert "not a timecode" in capsys.readouterr().err


def test_a_generated_shot_comes_back_by_its_prompt_not_its_files_content_name(tmp_path):
    with ProjectService.create(tmp_path / "made.foundry", width=160, height=90, frame_rate="24") as service:
        service.add_shot(prompt="a harbour at dawn", duration_frames=24)
        asyncio.run(generate_shots(service, default_registry()))
        (written,) = export_cut(service, tmp_path / "made.edl").files
    text = written.read_text()
    assert [event[0] for event in events(text)] == ["AHARBOUR"]  # not the first 8 digits of a content hash
    import_cut(written, tmp_path / "back.foundry", frame_rate="24")
    with ProjectService.open(tmp_path / "back.foundry", read_only=True) as service:
        (shot,) = service.project.timeline.shots
        assert (shot.name, shot.spec.prompt, shot.reel) == ("a harbour at dawn", "a harbour at dawn", "AHARBOUR")
        assert service.project.selected_take(shot) is not None  # its media came along


def test_a_project_from_before_the_conform_keys_exports_as_it_did(tmp_path):
    path = tmp_path / "old.foundry"
    with ProjectService.create(path, frame_rate="29.97") as service:
        service.add_shot(prompt="a harbour", duration_frames=30)
    conn = sqlite3.connect(path)
    with conn:
        undo_migrations_after(conn, 11)  # the file as schema 11 left it: no reels, no film timecode
        conn.execute("PRAGMA user_version = 11")
    conn.close()
    with ProjectService.open(path) as service:  # migrated on opening
        timeline = service.project.timeline
        assert (timeline.start_timecode, timeline.drop_frame) == (None, False)  # non-drop, as its exports were
        assert [(shot.reel, shot.source_timecode) for shot in timeline.shots] == [("", 0)]
        (written,) = export_cut(service, tmp_path / "old.edl").files
    assert "FCM: NON-DROP FRAME" in written.read_text()
    assert events(written.read_text())[0][2:5] == ("00:00:00:00", "00:00:01:00", "01:00:00:00")
