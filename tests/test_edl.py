"""CMX 3600 EDLs: what Foundry writes passes a strict check, reads back through
OpenTimelineIO's cmx_3600 adapter and through our reader as the same cut, and
matches the golden files per rate; the sample EDLs (tests/data/interchange/edl) import."""

from __future__ import annotations

import os
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import cmx3600_check
import opentimelineio as otio
import pytest
from edl_cuts import (
    CUTS,
    MEDIA,
    RATES,
    cuts_only,
    every_transition,
    film,
    non_ascii,
    with_music,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from interchange_samples import EDL_SAMPLES, edl_sample_rate

from foundry_desktop.errors import CutFileError, ExportError
from foundry_desktop.interchange.edl.names import ascii_text, reel_names
from foundry_desktop.interchange.edl.reader import read_edl, read_edl_text
from foundry_desktop.interchange.edl.writer import (
    edl_text,
    music_edl_texts,
    write_edl,
    write_music_edl,
)
from foundry_desktop.interchange.film_cut import CutClip, FilmCut
from foundry_desktop.interchange.smpte_timecode import format_timecode, parse_timecode

SAMPLES = EDL_SAMPLES
GOLDEN = Path(__file__).parent / "golden" / "edl"
NTSC = ("29.97", "59.94")
EXPORTS = [(cut, rate, drop) for cut in CUTS for rate in RATES
           for drop in ((False, True) if rate in NTSC else (False,))]


# --- timecode -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("frame", "rate", "label"), [
    (0, "29.97", "00:00:00;00"),
    (1799, "29.97", "00:00:59;29"),
    (1800, "29.97", "00:01:00;02"),
    (17981, "29.97", "00:09:59;29"),
    (17982, "29.97", "00:10:00;00"),
    (107892, "29.97", "01:00:00;00"),
    (3600, "59.94", "00:01:00;04"),
    (35964, "59.94", "00:10:00;00"),
])
def test_drop_frame_labels_known_values(frame, rate, label):
    assert format_timecode(frame, RATES[rate], drop_frame=True) == label
    assert parse_timecode(label, RATES[rate], drop_frame=True) == frame


def test_non_drop_labels_count_at_the_rounded_rate():
    assert format_timecode(86400, RATES["23.976"]) == "01:00:00:00"
    assert format_timecode(108000, RATES["29.97"]) == "01:00:00:00"
    assert parse_timecode("00:00:01:00", RATES["25"]) == 25


def test_labels_that_name_no_frame_are_refused():
    with pytest.raises(ValueError, match="does not exist in drop-frame"):
        parse_timecode("00:01:00;01", RATES["29.97"], drop_frame=True)
    with pytest.raises(ValueError, match="frame rate right"):
        parse_timecode("00:00:00:25", RATES["25"])
    with pytest.raises(ValueError, match="only at 29.97"):
        format_timecode(10, RATES["25"], drop_frame=True)


@settings(max_examples=300, deadline=None)
@given(frame=st.integers(0, 10**9), rate=st.sampled_from(NTSC))
def test_drop_frame_formatting_and_parsing_are_inverses(frame, rate):
    frame %= 24 * 6 * (round(RATES[rate]) * 600 - 18 * round(RATES[rate]) // 30)  # frames in 24 hours
    label = format_timecode(frame, RATES[rate], drop_frame=True)
    assert parse_timecode(label, RATES[rate], drop_frame=True) == frame


@settings(max_examples=300, deadline=None)
@given(h=st.integers(0, 23), m=st.integers(0, 59), s=st.integers(0, 59), f=st.integers(0, 59),
       rate=st.sampled_from(NTSC))
def test_every_drop_frame_label_names_one_frame(h, m, s, f, rate):
    base = round(RATES[rate])
    label = f"{h:02d}:{m:02d}:{s:02d};{f % base:02d}"
    try:
        frame = parse_timecode(label, RATES[rate], drop_frame=True)
    except ValueError:
        assert s == 0 and f % base < base // 15 and m % 10  # only the skipped labels
        return
    assert format_timecode(frame, RATES[rate], drop_frame=True) == label


# --- the strict check, OTIO and our reader on every export ----------------------------------------


def _texts(cut: FilmCut, drop: bool) -> list[tuple[str, bool]]:
    return [(edl_text(cut, drop_frame=drop), True)] + [(t, False) for t in music_edl_texts(cut, drop_frame=drop)]


@pytest.mark.parametrize(("name", "rate", "drop"), EXPORTS)
def test_every_export_passes_the_strict_cmx3600_check(name, rate, drop):
    for text, picture in _texts(CUTS[name](RATES[rate]), drop):
        assert cmx3600_check.problems(text, RATES[rate], picture=picture) == []


def test_the_strict_check_catches_what_it_promises():
    good = edl_text(every_transition(RATES["25"]))
    lines = good.split("\n")
    second = next(i for i, line in enumerate(lines) if line.startswith("002  "))
    early = lines[:second] + [lines[second][:-23] + "01:00:03:18 01:00:03:18"] + lines[second + 1:]
    broken = {
        "overlap": "\n".join(early),
        "drop": good.replace("FCM: NON-DROP FRAME", "FCM: DROP FRAME"),
        "tab": good.replace("* SOURCE", "*\tSOURCE", 1),
        "reel": good.replace("SHOT00_2", "SHOT001T"),
        "column": good.replace("001  BL       V", "001 BL        V"),
    }
    for what, text in broken.items():
        assert text != good, what
        assert cmx3600_check.problems(text, RATES["25"]), what


def _expected_events(cut: FilmCut) -> list[tuple[str, int, int, int, int]]:
    """What a CMX reader should see, from the FilmCut's own rules: (name, source in,
    frames, record in, dissolve into it) per event, "BL" for black. The edit of a
    centred transition is its record_in; a fade through black goes into black for
    n - n // 2 frames and comes out of it over n // 2."""
    incoming = {t.outgoing + 1: t for t in cut.transitions}
    outgoing = {t.outgoing: t for t in cut.transitions}
    events = []
    for index, clip in enumerate(cut.clips):
        start, dissolve = clip.record_in, cut.fade_in if index == 0 else 0
        if index in incoming:
            t = incoming[index]
            start, dissolve = t.record_in, t.frames
            if t.kind != "dissolve":
                into = t.frames - t.frames // 2
                events.append(("BL", 0, into, t.record_in, into))
                start, dissolve = t.record_in + into, t.frames // 2
        end = outgoing[index].record_in if index in outgoing else clip.record_out
        if index == len(cut.clips) - 1:
            end -= cut.fade_out
        name = clip.media.name if clip.media else clip.name
        events.append((ascii_text(name), clip.source_in + start - clip.record_in, end - start, start, dissolve))
    if cut.fade_out:
        events.append(("BL", 0, cut.fade_out, cut.length - cut.fade_out, cut.fade_out))
    return events


def _otio_events(text: str, rate: Fraction) -> list[tuple[str, int, int, int, int]]:
    # OTIO's reader refuses a dissolve as a track's first item ("Transitions can't be at the
    # very beginning of a track"), so a film that fades in gets a zero-length black event
    # before its first event for OTIO's sake; it is left out of what is compared.
    lines = text.split("\n")
    if lines[3].startswith("001  BL "):
        lines.insert(3, "000" + lines[3][3:])
    timeline = otio.adapters.read_from_string("\n".join(lines), "cmx_3600", rate=float(rate))
    (track,) = timeline.tracks
    events, record, dissolve = [], 0, 0
    for item in track:
        if isinstance(item, otio.schema.Transition):
            assert item.in_offset.value == 0  # a CMX dissolve starts at its edit
            dissolve = round(item.out_offset.to_frames())
            continue
        frames = item.source_range.duration.to_frames()
        if frames == 0:
            continue
        black = isinstance(item.media_reference, otio.schema.GeneratorReference)
        events.append(("BL" if black else item.name, 0 if black else item.source_range.start_time.to_frames(),
                       frames, record, dissolve))
        record, dissolve = record + frames, 0
    return events


@pytest.mark.parametrize(("name", "rate", "drop"), EXPORTS)
def test_opentimelineio_reads_back_the_same_cut(name, rate, drop):
    cut = CUTS[name](RATES[rate])
    assert _otio_events(edl_text(cut, drop_frame=drop), RATES[rate]) == _expected_events(cut)


def _comparable(cut: FilmCut) -> tuple:
    """The cut as an EDL can carry it: not the media's length (the reader knows only what
    the EDL uses) nor the reels the writer made up for clips that had none (the reader keeps them)."""
    clips = tuple(replace(c, media_frames=0, reel="") for c in cut.clips)
    music = tuple(sorted((replace(m, media_frames=0) for m in cut.music), key=lambda m: (m.record_in, m.name)))
    return clips, cut.transitions, cut.fade_in, cut.fade_out, music


@pytest.mark.parametrize(("name", "rate", "drop"), EXPORTS)
def test_write_then_read_is_the_same_cut(name, rate, drop, tmp_path):
    cut = CUTS[name](RATES[rate])
    path = write_edl(cut, tmp_path / "film.edl", drop_frame=drop)
    music_paths = write_music_edl(cut, tmp_path / "film music.edl", drop_frame=drop)
    read = read_edl(path, RATES[rate])
    assert read.warnings == ()
    music = []
    for music_path in music_paths:
        music_read = read_edl(music_path, RATES[rate])
        assert music_read.warnings == () and music_read.cut.clips == ()
        music += music_read.cut.music
    back = replace(read.cut, music=tuple(music))
    if name != "non_ascii":
        assert _comparable(back) == _comparable(cut)
    assert read.cut.frame_rate == RATES[rate]
    used = {c.media: c.source_out for c in cut.clips if c.media}
    assert all(c.media_frames >= used[c.media] for c in read.cut.clips if c.media)


def test_names_and_paths_become_ascii_and_paths_stay_exact():
    cut = non_ascii(RATES["25"])
    text = edl_text(cut)
    assert text.isascii() and "\t" not in text
    assert "TITLE: Film \"Nuit\" - ete" in text
    assert "* FROM CLIP NAME: Angstrom take.mp4" in text and "* SOURCE FILE: /media/Cafe/Angstrom take.mp4" in text
    assert "* TO CLIP NAME: ??.mp4" in text and "* SOURCE FILE: /media/??/??.mp4" in text
    assert "* SOURCE FILE URL: file:///media/%E5%A4%9C%E5%B8%82/%E5%A4%9C%E5%B8%82.mp4" in text
    assert "* FOUNDRY NAME: Tab and newline" in text
    read = read_edl_text(text, RATES["25"], folder=Path("/elsewhere")).cut
    assert [c.media for c in read.clips] == [c.media for c in cut.clips]
    assert [c.name for c in read.clips] == ["Cafe au lait", "??", "Tab and newline"]


def test_reels_are_unique_per_file_and_never_collide():
    reels = reel_names([
        ("a", "shot_001_take3.mp4"), ("b", "shot_001_take7.mp4"), ("a", "shot_001_take3.mp4"),
        ("c", "shot_001_take9.mp4"), ("d", "bl.mp4"), ("e", "夜.mp4"), ("f", "ok.mov"), ("g", "OK.mp4"),
    ])
    assert reels == {"a": "SHOT001T", "b": "SHOT00_2", "c": "SHOT00_3", "d": "BL_2", "e": "CLIP", "f": "OK",
                     "g": "OK_2"}
    text = edl_text(every_transition(RATES["25"]))
    assert "SHOT001T V     C " in text and "SHOT00_2 V" in text


def test_music_that_overlaps_goes_into_a_second_file(tmp_path):
    cut = with_music(RATES["25"])
    paths = write_music_edl(cut, tmp_path / "music.edl")
    assert [p.name for p in paths] == ["music.edl", "music_2.edl"]
    first, second = (p.read_text() for p in paths)
    assert "THEME" in first and "REPRISE" in first and "STING" in first and "DRONE" in second
    assert "002  REPRISE  AA    D    030 00:00:04:00 00:00:16:00 01:00:11:05 01:00:23:05" in first
    assert write_music_edl(cuts_only(RATES["25"]), tmp_path / "none.edl") == ()


def test_a_fade_through_white_is_written_through_black_and_read_back_as_white():
    text = edl_text(every_transition(RATES["25"]))
    assert "* FOUNDRY TRANSITION: FADE THROUGH WHITE" in text
    kinds = [t.kind for t in read_edl_text(text, RATES["25"], folder=Path("/")).cut.transitions]
    assert kinds == ["dissolve", "dissolve", "fade_black", "fade_white", "fade_black", "dissolve"]


# --- golden files -----------------------------------------------------------------------------------

GOLDEN_EXPORTS = [("23.976", False), ("25", False), ("29.97", False), ("29.97", True), ("30", False)]


def _golden_name(rate: str, drop: bool) -> str:
    return f"every_transition_{rate.replace('.', '_')}{'_df' if drop else ''}.edl"


@pytest.mark.parametrize(("rate", "drop"), GOLDEN_EXPORTS)
def test_golden_files(rate, drop):
    text = edl_text(every_transition(RATES[rate]), drop_frame=drop)
    golden = GOLDEN / _golden_name(rate, drop)
    if os.environ.get("FOUNDRY_WRITE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


def test_golden_music_file():
    texts = music_edl_texts(with_music(RATES["25"]))
    golden = [GOLDEN / "with_music_25.edl", GOLDEN / "with_music_25_2.edl"]
    if os.environ.get("FOUNDRY_WRITE_GOLDEN"):
        for path, text in zip(golden, texts, strict=True):
            path.write_text(text)
    assert texts == [p.read_text() for p in golden]


# --- writer refusals -----------------------------------------------------------------------------------


def test_drop_frame_is_refused_at_rates_that_have_none():
    with pytest.raises(ExportError, match="only at 29.97 and 59.94"):
        edl_text(cuts_only(RATES["25"]), drop_frame=True)


def test_more_than_999_events_is_refused_in_strict_cmx():
    shots = [(f"s{i}", MEDIA / f"s{i}.mp4", 0, 2) for i in range(1000)]
    with pytest.raises(ExportError, match="a strict CMX 3600 EDL numbers at most 999.*--edl-names long"):
        edl_text(film(RATES["25"], shots))
    assert edl_text(film(RATES["25"], shots[:999])).count("\n999  ") == 1


def test_cuts_an_edl_cannot_describe_are_refused():
    with pytest.raises(ExportError, match="no shots"):
        edl_text(film(RATES["25"], []))
    with pytest.raises(ExportError, match="at most 999 frames"):
        edl_text(film(RATES["25"], [("a", MEDIA / "a.mp4", 600, 1200), ("b", MEDIA / "b.mp4", 600, 1200)],
                      [(0, "dissolve", 1000)]))
    with pytest.raises(ExportError, match="before the first frame"):
        edl_text(film(RATES["25"], [("a", MEDIA / "a.mp4", 0, 50), ("b", MEDIA / "b.mp4", 0, 50)],
                      [(0, "dissolve", 10)]))
    overlap = replace(cuts_only(RATES["25"]), clips=(cuts_only(RATES["25"]).clips[0], replace(
        cuts_only(RATES["25"]).clips[1], record_in=90, record_out=151)))
    with pytest.raises(ExportError, match="overlaps the shot before it"):
        edl_text(overlap)


# --- the sample EDLs ---------------------------------------------------------------------------------



@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.edl")))
def test_every_sample_imports(sample):
    read = read_edl(SAMPLES / sample, edl_sample_rate(sample))
    assert read.cut.clips or read.cut.music
    for clip in read.cut.clips:
        assert clip.frames > 0 and clip.source_out - clip.source_in == clip.frames


def _cut_list(cut: FilmCut) -> list[tuple]:
    return [(c.name, c.source_in, c.source_out, c.record_in, c.record_out) for c in cut.clips]


def test_sample_dissolve_test_cut_list():
    # 001 clip_A 01:00:04:05-04:14 at 0-9; 002 dissolves 10 frames into clip_B 08:08-08:18 at 9-19;
    # 003 clip_B 08:18-08:19 at 19-20. Centred: the cut is 5 frames after the edit at 9.
    read = read_edl(SAMPLES / "otio_dissolve_test.edl", Fraction(24))
    hour = 86400
    assert _cut_list(read.cut) == [
        ("clip_A", hour + 101, hour + 115, 0, 14),
        ("clip_B", hour + 205, hour + 210, 14, 19),
        ("clip_B", hour + 210, hour + 211, 19, 20),
    ]
    assert [(t.outgoing, t.kind, t.record_in, t.frames) for t in read.cut.transitions] == [(0, "dissolve", 9, 10)]
    assert read.cut.clips[0].media == SAMPLES.absolute() / "clip_A"


def test_sample_60fps_dissolves_cut_list():
    # Shaped like an Avid EDL (FCM repeated inside dissolve events, the incoming source starting
    # before the hour). 60 fps; the film starts at 00:00:12:30 (frame 750). Dissolves of 90 frames
    # at 17:30 (300) and 24 frames at 22:30 (600) move their cuts 45 and 12 frames after their edits.
    read = read_edl(SAMPLES / "foundry_60fps_dissolves.edl", Fraction(60))
    hour = 216000
    assert _cut_list(read.cut) == [
        ("ferry0010", hour, hour + 345, 0, 345),
        ("ferry0020", hour, hour + 267, 345, 612),
        ("ferry0030", hour - 58, hour + 260, 612, 930),
        ("ferry0040", hour, hour + 240, 930, 1170),
    ]
    assert [(t.record_in, t.frames) for t in read.cut.transitions] == [(300, 90), (600, 24)]
    assert read.warnings == ()


def test_sample_resolve_and_avid_cut_lists():
    resolve = read_edl(SAMPLES / "foundry_resolve_style.edl", Fraction(24))
    assert _cut_list(resolve.cut) == [("harbour_wide.mov", 0, 84, 0, 84), ("harbour_close.mov", 0, 122, 84, 206)]
    avid = read_edl(SAMPLES / "otio_avid_example.edl", Fraction(24))
    assert [c.media.name for c in avid.cut.clips] == ["ZZ100_501.take_1.0001.exr", "ZZ100_502A.take_2.0101.exr"]
    assert [(c.record_in, c.record_out) for c in avid.cut.clips] == [(0, 31), (31, 81)]
    assert any("Windows paths" in w for w in avid.warnings)


def test_sample_audio_only_edl_becomes_music():
    read = read_edl(SAMPLES / "pycmx_TEST.edl", Fraction(24))
    assert read.cut.clips == ()
    # 040: BL A12 dissolves 2 frames into TC_R1_V6 at 01:08:56:00 -> a fade in; its file comes from
    # the other events of that reel and name (its own SOURCE FILE is the black's "(NULL)").
    faded = [m for m in read.cut.music if m.record_in == (8 * 60 + 56) * 24 and m.fade_in == 2]
    assert [m.media.name for m in faded] == ["TC R1 V6 TEMP2 ST MX.WAV"]
    assert any("source and record lengths" in w for w in read.warnings)


# --- reader decisions and errors ------------------------------------------------------------------------

HEADER = "TITLE: t\nFCM: NON-DROP FRAME\n"


def _read(body: str, rate: Fraction = Fraction(25)):
    return read_edl_text(HEADER + body, rate, folder=Path("/edl"), file_name="cut.edl")


def test_gaps_stay_empty_time_and_order_is_restored():
    read = _read(
        "003  BL V C 00:00:00:00 00:00:01:00 01:00:03:00 01:00:04:00\n"
        "004  C V C 00:00:00:00 00:00:01:00 01:00:04:00 01:00:05:00\n"
        "002  B V C 00:00:00:00 00:00:01:00 01:00:02:00 01:00:03:00\n"
        "001  A V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"
    )
    assert [(c.name, c.media, c.record_in, c.record_out) for c in read.cut.clips] == [
        ("A", Path("/edl/A"), 0, 25), ("B", Path("/edl/B"), 50, 75), ("C", Path("/edl/C"), 100, 125)]
    assert [read.cut.gap_before(i) for i in range(3)] == [0, 25, 25]  # a gap in record time, then black
    assert any("record order" in w for w in read.warnings) and not any("no media" in w for w in read.warnings)


def test_wipes_speed_changes_and_drop_frame_at_the_wrong_rate():
    read = _read(
        "001  A V C 00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
        "002  A V C 00:00:02:00 00:00:02:00 01:00:02:00 01:00:02:00\n"
        "002  B V W001 010 00:00:00:00 00:00:02:00 01:00:02:00 01:00:04:00\n"
        "M2   B       050.0                00:00:00:00\n"
    )
    assert [(t.kind, t.frames) for t in read.cut.transitions] == [("dissolve", 10)]
    assert any("wipe" in w for w in read.warnings)
    read = _read("001  A V C 00:00:00:00 00:00:04:00 01:00:00:00 01:00:02:00\nM2   A  050.0  00:00:00:00\n")
    assert any("M2" in w for w in read.warnings)
    with pytest.raises(CutFileError, match="line 3: .*29.97"):
        _read("001  A V C 00:00:00;00 00:00:02;00 01:00:00;00 01:00:02;00\n")


@pytest.mark.parametrize(("body", "line", "what"), [
    ("this is not an edl\n", 3, "not an EDL line"),
    ("001  A V C 00:00:00:00 00:00:01:00 01:00:00:00\n", 3, "incomplete|four timecodes"),
    ("* ok\n001  A V C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:0x:00\n", 4, "not a timecode"),
    ("001  A V C 00:00:00:00 00:00:01:00 01:00:00:30 01:00:01:00\n", 3, "frame rate right"),
    ("001  A V X 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n", 3, "not a CMX 3600 transition"),
    ("001  A V C 00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
     "002  B V C 00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n", 4, "starts before"),
])
def test_malformed_lines_name_their_line(body, line, what):
    with pytest.raises(CutFileError, match=rf"cut\.edl, line {line}: .*({what})"):
        _read(body)


def test_garbage_and_empty_files_are_refused(tmp_path):
    (tmp_path / "bin.edl").write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(CutFileError, match="not a text file"):
        read_edl(tmp_path / "bin.edl", Fraction(25))
    with pytest.raises(CutFileError, match="no edit events"):
        _read("")
    with pytest.raises(CutFileError, match="Could not read"):
        read_edl(tmp_path / "missing.edl", Fraction(25))


def test_a_shot_with_sound_on_an_av_channel_keeps_it():
    read = _read("001  A B C 00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n"
                 "002  A A C 00:00:00:00 00:00:01:00 01:00:02:00 01:00:03:00\n")
    assert read.cut.clips[0].has_audio and [m.record_in for m in read.cut.music] == [50]


def test_markers_from_loc_comments():
    read = _read("001  A V C 00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
                 "* LOC: 01:00:01:05 RED     FIX THE SKY\n")
    (marker,) = read.cut.markers
    assert (marker.frame, marker.label, marker.color) == (30, "FIX THE SKY", "#e01b24")


def test_still_pictures_read_as_stills():
    cut = every_transition(RATES["25"])
    read = read_edl_text(edl_text(cut), RATES["25"], folder=Path("/")).cut
    assert [c.still for c in read.clips] == [c.still for c in cut.clips] and any(c.still for c in read.clips)
    assert isinstance(read.clips[0], CutClip)
