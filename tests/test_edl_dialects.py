"""EDLs as real editors write them: Avid's and Resolve's long names and 6-digit events,
Premiere's UTF-16, Latin-1 names, DOS end-of-file bytes, CR-only lines, FCM changing
mid-file, M2 speed lines, comments without the "*", audio-only EDLs and the music EDL
Foundry writes beside a picture EDL. Each sample (tests/data/interchange/edl, see
SOURCES.md) imports with the record and source times it holds, checked against
OpenTimelineIO's cmx_3600 reader where it parses the file and against values worked
out by hand below; hostile files are refused with one line, never a traceback."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from interchange_samples import EDL_SAMPLES, NTSC, edl_sample_rate
from video_sources import write_video, write_wav

from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.exchange.cut_import import import_cut, read_cut_file
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.edl.edl_bytes import edl_file_text, read_edl_file
from foundry_desktop.interchange.edl.event_fields import event_fields
from foundry_desktop.interchange.edl.reader import read_edl, read_edl_text
from foundry_desktop.interchange.film_cut import FilmCut

# OpenTimelineIO's reader refuses these: comments without "*" ("Unknown event type"), audio
# events overlapping on one track, and source and record lengths that differ without M2.
NOT_FOR_OTIO = {"comments_without_star.edl", "audio_only.edl", "pycmx_TEST.edl"}
PICTURE_SAMPLES = sorted(p.name for p in EDL_SAMPLES.glob("*.edl") if p.name not in NOT_FOR_OTIO)


def _rate(name: str) -> Fraction:
    return edl_sample_rate(name)


def _edl_events(cut: FilmCut) -> list[tuple[int, int, int]]:
    """(record in, record out, source in) of each picture event as the EDL wrote it: a
    dissolve starts at its edit, where Foundry centres it (FilmCut's rule)."""
    starts = {t.outgoing + 1: t.record_in for t in cut.transitions}
    events = []
    for index, clip in enumerate(cut.clips):
        record_in = starts.get(index, clip.record_in)
        record_out = starts.get(index + 1, clip.record_out)
        events.append((record_in, record_out, clip.source_in - (clip.record_in - record_in)))
    return events


def _otio_events(path: Path) -> list[tuple[int, int, int]]:
    timeline = otio.adapters.read_from_string(read_edl_file(path), "cmx_3600", rate=float(_rate(path.name)))
    events = []
    for item in timeline.video_tracks()[0]:
        if isinstance(item, otio.schema.Clip):
            placed = item.range_in_parent()
            events.append((placed.start_time.to_frames(), placed.end_time_exclusive().to_frames(),
                           item.source_range.start_time.to_frames()))
    return events


@pytest.mark.parametrize("sample", PICTURE_SAMPLES)
def test_record_and_source_times_are_what_opentimelineio_reads(sample):
    path = EDL_SAMPLES / sample
    assert _edl_events(read_edl(path, _rate(sample)).cut) == _otio_events(path)


def _tc(hours: int, minutes: int, seconds: int, frames: int, rate: int) -> int:
    return ((hours * 60 + minutes) * 60 + seconds) * rate + frames


def _clips(cut: FilmCut) -> list[tuple]:
    return [(c.name, c.media.name if c.media else None, c.source_in, c.record_in, c.record_out) for c in cut.clips]


def test_avid_six_digit_events_and_long_source_names():
    read = read_edl(EDL_SAMPLES / "avid_file129.edl", Fraction(24))
    rope = "B001C004_250612_R1XQ_ROPE_CLOSE_UP_ON_THE_BOLLARD_AT_THE_END_OF_THE_PIER_TAKE_2.mov"
    # A 24-frame dissolve at 01:00:04:00 (frame 96): Foundry's cut is 12 frames after the edit.
    assert _clips(read.cut) == [
        ("HARBOUR WIDE - TAKE 3", "A003C012_250611_R2KD.mov", _tc(14, 22, 5, 10, 24), 0, 108),
        ("ROPE CLOSE", rope, _tc(9, 1, 0, 0, 24) + 12, 108, 216),
        ("GULLS", "C002C001_250613_R3AA.mov", _tc(22, 10, 0, 0, 24), 216, 276),
    ]
    assert [(t.record_in, t.frames) for t in read.cut.transitions] == [(96, 24)]
    assert [(m.frame, m.label) for m in read.cut.markers] == [(144, "rope needs a cleanup")]
    assert read.warnings == ()  # the ASC colour decisions are left out quietly


def test_resolve_long_reels_crlf_and_its_marker_lines():
    read = read_edl(EDL_SAMPLES / "resolve_file32.edl", Fraction(25))
    assert _clips(read.cut) == [
        ("A003C012_250611_R2KD.mov", "A003C012_250611_R2KD.mov", _tc(14, 22, 5, 10, 25), 0, 50),
        ("B001C004_250612_R1XQ.mov", "B001C004_250612_R1XQ.mov", _tc(9, 1, 0, 0, 25), 50, 130),
        ("C002C001_250613_R3AA.mov", "C002C001_250613_R3AA.mov", _tc(22, 10, 0, 0, 25) + 5, 130, 175),
    ]
    assert [(m.frame, m.label, m.color) for m in read.cut.markers] == [(0, "Marker 1", "#3584e4")]
    assert read.cut.name == "Harbour Edit v3" and read.warnings == ()


def _bom(encoding: str) -> bytes:
    return "\ufeff".encode(encoding)


def test_text_encodings_keep_their_names():
    premiere = read_edl(EDL_SAMPLES / "premiere_utf16.edl", NTSC)  # UTF-16 LE with a BOM, drop-frame
    assert _clips(premiere.cut) == [("café_terrasse.mov", "café_terrasse.mov", 0, 0, 120),
                                    ("Straße bei Nacht.mov", "Straße bei Nacht.mov", 300, 120, 195)]
    assert premiere.cut.clips[0].has_audio and not premiere.cut.clips[1].has_audio  # AA/V, then V
    latin = read_edl(EDL_SAMPLES / "latin1_names.edl", Fraction(25))
    assert latin.cut.name == "Überfahrt"
    assert [c.name for c in latin.cut.clips] == ["Überfahrt_Ätna.mov", "café_crème.mov"]
    text = "001  A V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n* FROM CLIP NAME: Ünder\n"
    for data in (text.encode("utf-8-sig"), text.encode("utf-16-be"), text.encode("utf-16-le"),
                 _bom("utf-16-be") + text.encode("utf-16-be"), text.encode("utf-16") + b"\x1a",
                 text.encode("cp1252"), text.encode("utf-8") + b"\r\n\x1a\x00\x00"):
        assert edl_file_text(data, "x.edl") == text.rstrip("\n")
    assert edl_file_text(text.replace("Ünder", "Ün\x1bder").encode(), "x.edl") == text.replace("Ünder", "Ün der").rstrip()


def test_dos_end_of_file_bytes_cr_only_lines_and_no_title():
    dos = read_edl(EDL_SAMPLES / "dos_eof.edl", Fraction(24))
    assert _clips(dos.cut) == [("TAPE01", "TAPE01", _tc(10, 0, 0, 0, 24), 0, 72),
                               ("TAPE02", "TAPE02", _tc(20, 0, 1, 0, 24), 72, 96)]
    mac = read_edl(EDL_SAMPLES / "cr_only.edl", Fraction(24))
    assert mac.cut.name == "cr_only" and _clips(mac.cut) == [("first.mov", "first.mov", 0, 0, 24),
                                                             ("second.mov", "second.mov", 48, 24, 48)]


def test_fcm_changing_mid_file_reads_each_event_in_its_own_mode():
    path = EDL_SAMPLES / "fcm_switch.edl"
    read = read_edl(path, NTSC)
    # 01:00:00;00 is frame 107892 in drop-frame; 01:00:10;00 is 300 frames on. After
    # "FCM: NON-DROP FRAME", 01:00:06:12 is 108000 + 192 = 108192: the same frame.
    assert _clips(read.cut) == [("drop_frame_source.mov", "drop_frame_source.mov", 107892, 0, 300),
                                ("non_drop_source.mov", "non_drop_source.mov", 216000, 300, 450)]
    one_mode = read_edl_file(path).replace("FCM: NON-DROP FRAME", "").replace(":12", ";12")
    with pytest.raises(CutFileError, match="line 7: event 002 starts before event 001 ends"):
        read_edl_text(one_mode, NTSC, folder=EDL_SAMPLES, file_name="fcm_switch.edl")


def test_other_ways_of_writing_drop_frame():
    text = ("FRAME CODE MODE: DROP FRAME\n"
            "001  AX V C 00:01:00.02 00:01:01,02 01:00:00.00 01:00:01.00\n")
    read = read_edl_text(text, NTSC, folder=EDL_SAMPLES, file_name="sony.edl")
    assert _clips(read.cut) == [("AX", None, 1800, 0, 30)]  # 00:01:00;02 is frame 1800 in drop-frame


def test_m2_speed_lines_keep_record_times_and_are_told_in_one_warning():
    read = read_edl(EDL_SAMPLES / "m2_speed.edl", Fraction(24))
    assert _clips(read.cut) == [("normal.mov", "normal.mov", 240, 0, 48), ("double.mov", "double.mov", 480, 48, 96),
                                ("freeze.mov", "freeze.mov", 720, 96, 120)]
    assert read.warnings == ("2 event(s) (002, 003) change speed (M2: 48, 0 fps); Foundry has no speed changes, so "
                             "they play at normal speed from their source in, over the record times the EDL gives.",)


def test_m2_at_the_edl_rate_is_no_speed_change():
    text = ("001  A001 V C 00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00\n"
            "M2   A001       023.976              00:00:10:00\n"
            "002  A002 V C 00:00:20:00 00:00:22:00 01:00:02:00 01:00:04:00\n"
            "M2   A002       024.0                00:00:20:00\n")
    assert read_edl_text(text, Fraction(24000, 1001), folder=EDL_SAMPLES, file_name="m2.edl").warnings == ()


def test_channels_a_single_track_film_holds_and_those_it_leaves_out():
    text = ("001  PIC  A2/V C 00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
            "002  MX   A3   C 00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
            "003  MX2  A4   C 00:00:05:00 00:00:06:00 01:00:01:00 01:00:02:00\n"
            "004  TC   NONE C 00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n")
    read = read_edl_text(text, Fraction(25), folder=EDL_SAMPLES, file_name="channels.edl")
    assert [(c.name, c.has_audio, c.record_in, c.record_out) for c in read.cut.clips] == [("PIC", True, 0, 50)]
    assert [(m.name, m.source_in, m.record_in, m.record_out) for m in read.cut.music] == [
        ("MX", 0, 0, 50), ("MX2", 125, 25, 50)]
    assert read.warnings == ("Audio events on A3, A4 were read as music.",
                             "1 event(s) on no video or audio channel were left out.")


def test_comments_without_a_star_and_rem_lines():
    read = read_edl(EDL_SAMPLES / "comments_without_star.edl", Fraction(25))
    assert _clips(read.cut) == [("Pier at dawn", "pier_dawn.mov", _tc(10, 0, 0, 0, 25), 0, 50),
                                ("Boat leaves", "Boat leaves", _tc(11, 0, 0, 0, 25), 50, 125)]
    assert [(m.frame, m.label, m.color) for m in read.cut.markers] == [(25, "check the horizon", "#33d17a")]
    assert read.warnings == ()


@pytest.mark.parametrize(("line", "reel", "channel", "kind", "frames"), [
    ("001  MY REEL 01 V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00", "MY REEL 01", "V", "C", 0),
    ("1 AX B C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00", "AX", "B", "C", 0),
    ("123456  TAPE_WITH_A_NAME_LONGER_THAN_EIGHT AA/V C 000 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00",
     "TAPE_WITH_A_NAME_LONGER_THAN_EIGHT", "AA/V", "C", 0),
    ("002  KEY V K B 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00", "KEY", "V", "K", 0),
    ("002  KEY V KO 010 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00", "KEY", "V", "K", 0),
    ("002  W V W001 015 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00", "W", "V", "W", 15),
    ("002  D D D 020 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00", "D", "D", "D", 20),
])
def test_event_lines_are_read_from_the_right(line, reel, channel, kind, frames):
    fields = event_fields(line)
    assert (fields.reel, fields.channel, fields.transition, fields.frames) == (reel, channel, kind, frames)
    assert fields.timecodes[2] == "01:00:00:00"


HOSTILE = {
    "binary junk": bytes(range(256)) * 40,
    "a truncated file": b"TITLE: T\nFCM: NON-DROP FRAME\n001  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00",
    "minutes past 59": b"001  AX V C 00:00:00:00 00:00:01:00 01:75:00:00 01:76:00:00\n",
    "hours past the day": b"001  AX V C 00:00:00:00 00:00:01:00 25:00:00:00 25:00:01:00\n",
    "frames past the rate": b"001  AX V C 00:00:00:00 00:00:01:99 01:00:00:00 01:00:01:00\n",
    "record out before in": b"001  AX V C 00:00:00:00 00:00:01:00 01:00:01:00 01:00:00:00\n",
    "a megabyte of comments": b"* just a comment, nothing else\n" * 34000,
    "prose": "Dear editor,\nhere is the cut you asked for.\n".encode(),
    "an empty file": b"",
    "only padding": b"\x1a\x00\x00",
    "black only": b"001  BL V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n",
    "a bad M2 line": b"001  AX V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\nM2 fast\n",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_in_one_line(case, tmp_path):
    path = tmp_path / "hostile.edl"
    path.write_bytes(HOSTILE[case])
    with pytest.raises(CutFileError) as refused:
        import_cut(path, tmp_path / "hostile.foundry", frame_rate="24")
    message = str(refused.value)
    assert "hostile.edl" in message and "\n" not in message and "Traceback" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.edl"]  # no project, not even a partial one


def test_an_audio_only_edl_is_refused_without_its_files_and_imports_its_music_with_them(tmp_path):
    source = tmp_path / "audio_only.edl"
    source.write_bytes((EDL_SAMPLES / "audio_only.edl").read_bytes())
    with pytest.raises(CutFileError, match=r"^audio_only\.edl holds only audio events \(3\), no picture, and none "
                                           r"of their files \(such as score_cue_1\.wav\) is in .+: import its "
                                           r"picture EDL"):
        import_cut(source, tmp_path / "music.foundry", frame_rate="25")
    assert not (tmp_path / "music.foundry").exists()
    write_wav(tmp_path / "score_cue_1.wav", 21.0, 0.2)
    report = import_cut(source, tmp_path / "music.foundry", frame_rate="25")
    assert report.shots == 0
    assert any("holds only audio events (3), no picture" in w for w in report.warnings)
    assert sum("was not found; it is left out" in w for w in report.warnings) == 2
    with ProjectService.open(report.project) as project:
        (music,) = project.project.timeline.music
        assert (music.name, music.start, music.source_in, music.source_out) == ("score_cue_1.wav", 0, 0, 500)


def test_importing_film_edl_picks_up_the_music_edl_written_beside_it(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    with ProjectService.create(tmp_path / "film.foundry", name="Pier", width=160, height=90,
                               frame_rate=Fraction(24)) as service:
        add_media_shot(service, write_video(sources / "a.mp4", frames=48), name="Pier")
        add_media_shot(service, write_video(sources / "b.mp4", frames=36), name="Boat")
        add_music(service, write_wav(sources / "bed.wav", 3.0, 0.2), at_seconds="0.5", fade_in_seconds="0.25")
        add_music(service, write_wav(sources / "gulls.wav", 1.0, 0.2), at_seconds="1")  # overlaps: a second file
        files = export_cut(service, tmp_path / "out" / "film.edl").files
        expected = sorted((m.start, m.source_in, m.source_out, m.fade_in) for m in service.project.timeline.music)
    assert [f.name for f in files] == ["film.edl", "film.music.edl", "film.music_2.edl"]
    report = import_cut(files[0], tmp_path / "again.foundry", frame_rate="24")
    assert report.shots == 2
    assert any("film.music.edl, film.music_2.edl, beside film.edl, was read with it (2 clips)" in w
               for w in report.warnings)
    with ProjectService.open(tmp_path / "again.foundry") as again:
        music = sorted((m.start, m.source_in, m.source_out, m.fade_in) for m in again.project.timeline.music)
    assert music == expected
    # The music EDL on its own is read as it is, with nothing picked up beside it.
    alone = read_cut_file(files[1], "24")
    assert alone.cut.clips == () and len(alone.cut.music) == 1
