"""FCPXML export and import: DTD-valid at every rate, read back by an independent reader, golden
files per rate, round trips, Final Cut's own sample files, and errors in words."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from fractions import Fraction
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from fcpxml_cuts import (
    ALL_RATES,
    GOLDEN_RATES,
    PLAIN_NAMES,
    TRICKY_NAMES,
    film,
    offline_film,
)
from fcpxml_independent_reader import independent_read, parse_time
from interchange_samples import DTD_DIR_VARIABLE, FCPXML_SAMPLES, fcpxml_dtd_dir
from lxml import etree

from foundry_desktop.errors import CutFileError, ExportError
from foundry_desktop.interchange.fcpxml.reader import read_fcpxml, read_fcpxml_text
from foundry_desktop.interchange.fcpxml.writer import fcpxml_text, write_fcpxml
from foundry_desktop.interchange.file_url import file_url, path_from_file_url
from foundry_desktop.interchange.film_cut import (
    CutClip,
    CutMarker,
    CutTransition,
    FilmCut,
)

SAMPLES = FCPXML_SAMPLES
GOLDEN = Path(__file__).parent / "golden/fcpxml"

_DTDS: dict[str, etree.DTD] = {}


def dtd(version: str) -> etree.DTD:
    """Apple's DTD for `version`; the calling test is skipped when FOUNDRY_FCPXML_DTD_DIR is unset
    (the DTDs are all rights reserved, so the repository cannot carry them)."""
    folder = fcpxml_dtd_dir()
    if folder is None:
        pytest.skip(f"{DTD_DIR_VARIABLE} is unset: Apple's FCPXML DTDs are not redistributable, "
                    "so DTD validation needs a folder of FCPXMLv1_*.dtd named there (CI sets it)")
    if version not in _DTDS:
        _DTDS[version] = etree.DTD(str(folder / f"FCPXMLv{version.replace('.', '_')}.dtd"))
    return _DTDS[version]


def assert_valid(text: str, version: str) -> None:
    document = etree.fromstring(text.encode("utf-8"))
    assert document.get("version") == version
    checker = dtd(version)
    assert checker.validate(document), checker.error_log.filter_from_errors()


VARIANTS = {
    "cuts only": dict(transitions=False, fades=False, music=False, markers=False, captions=False),
    "dissolves": dict(fades=False, music=False, captions=False),
    "fades and music": dict(transitions=False),
    "everything, tricky names": dict(names=TRICKY_NAMES),
}


@pytest.mark.parametrize("version", ["1.9", "1.10"])
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("rate", GOLDEN_RATES)
def test_every_export_validates_against_its_dtd(rate, variant, version):
    assert_valid(fcpxml_text(film(GOLDEN_RATES[rate], **VARIANTS[variant]), version), version)


@pytest.mark.parametrize("rate", ALL_RATES)
def test_every_rate_validates_against_the_dtd(rate):
    assert_valid(fcpxml_text(film(ALL_RATES[rate], names=TRICKY_NAMES)), "1.10")


@pytest.mark.parametrize("rate", ALL_RATES)
def test_every_time_is_on_the_frame_grid(rate):
    text = fcpxml_text(film(ALL_RATES[rate], names=TRICKY_NAMES))
    frame = 1 / ALL_RATES[rate]
    root = ET.fromstring(text)
    (sequence_format,) = [f for f in root.iter("format") if f.get("frameDuration")]
    assert parse_time(sequence_format.get("frameDuration")) == frame
    times = [(e.tag, name, e.get(name)) for e in root.iter() for name in ("offset", "start", "duration", "tcStart")
             if e.get(name) is not None]
    assert len(times) > 40
    for tag, name, value in times:
        assert re.fullmatch(r"\d+(/\d+)?s", value), (tag, name, value)
        assert (parse_time(value) / frame).denominator == 1, (tag, name, value)


@pytest.mark.parametrize("rate", GOLDEN_RATES)
def test_an_independent_reader_sees_the_cut(rate):
    cut = film(GOLDEN_RATES[rate], names=TRICKY_NAMES)
    seen = independent_read(fcpxml_text(cut))
    assert seen["frame_rate"] == GOLDEN_RATES[rate]
    assert (seen["width"], seen["height"]) == (1920, 1080)
    assert seen["clips"] == [(c.name, c.media, c.source_in, c.source_out, c.record_in, c.record_out)
                             for c in cut.clips]
    # The storyline: fade in, shot, dissolve, shot, dip to black, still, dip to white, shot, fade out.
    assert seen["items"] == ["transition", "asset-clip", "transition", "asset-clip", "transition", "video",
                             "transition", "asset-clip", "transition"]
    clip_ends = [c.record_out for c in cut.clips]
    assert seen["transitions"] == [
        (0, "Cross Dissolve", 0, 10),  # the fade from black, lying within the first shot
        (2, "Cross Dissolve", clip_ends[0] - 6, 12),  # centred: 6 frames each side of the cut
        (4, "Fade To Color", clip_ends[1] - 6, 11),  # the odd frame before the cut, as Final Cut writes it
        (6, "Fade To Color white", clip_ends[2] - 4, 8),
        (8, "Cross Dissolve", cut.length - 15, 15),  # the fade to black, ending with the film
    ]
    assert seen["music"] == [(m.name, m.media, m.source_in, m.source_out, m.record_in) for m in cut.music]
    assert seen["markers"] == [(m.frame, m.label) for m in cut.markers]
    assert seen["captions"] == [(c.start, c.end, c.text) for c in cut.captions]


def test_file_urls_are_percent_encoded_and_decode_to_the_exact_path():
    text = fcpxml_text(film(Fraction(25), names=TRICKY_NAMES))
    sources = re.findall(r'src="([^"]+)"', text)
    assert "file:///media/Foundry%20Films/shot%20%231%20100%25.mp4" in sources
    assert "file:///media/Foundry%20Films/d%C3%ADa%3F/take%202%20%26%20more.mov" in sources
    assert all(re.fullmatch(r"file:///[A-Za-z0-9/%._~-]+", src) for src in sources), sources
    assert file_url(PureWindowsPath(r"C:\Films\shot #1 100%.mp4")) == "file:///C:/Films/shot%20%231%20100%25.mp4"
    assert file_url(PureWindowsPath(r"\\studio\share\a b.mov")) == "file://studio/share/a%20b.mov"
    assert path_from_file_url("file:///C:/Films/a%20b.mp4", Path("/x")) == Path("C:/Films/a b.mp4")
    assert path_from_file_url("file://localhost/a%20b/%23%25.mp4", Path("/x")) == Path("/a b/#%.mp4")
    assert path_from_file_url("clips/a%20b.mp4", Path("/projects")) == Path("/projects/clips/a b.mp4")
    assert path_from_file_url("https://example.com/a.mp4", Path("/x")) is None
    with pytest.raises(ValueError):
        file_url(PurePosixPath("relative/shot.mp4"))


@pytest.mark.parametrize("rate", GOLDEN_RATES)
def test_golden_files(rate):
    text = fcpxml_text(film(GOLDEN_RATES[rate], names=TRICKY_NAMES))
    assert text == (GOLDEN / f"{rate}.fcpxml").read_text(encoding="utf-8")


def test_one_hour_is_timecode_not_seconds_and_drop_frame_only_at_ntsc_rates():
    ntsc = film(Fraction(30000, 1001), transitions=False, fades=False, music=False, markers=False, captions=False)
    ntsc = replace(ntsc, timecode_start=None)  # the default start: 01:00:00:00 as each count labels it
    sequence = ET.fromstring(fcpxml_text(ntsc)).find("library/event/project/sequence")
    assert (sequence.get("tcStart"), sequence.get("tcFormat")) == ("18018/5s", "NDF")  # 108000 frames
    sequence = ET.fromstring(fcpxml_text(ntsc, drop_frame=True)).find("library/event/project/sequence")
    assert sequence.get("tcFormat") == "DF"
    assert parse_time(sequence.get("tcStart")) == 107892 * Fraction(1001, 30000)  # 01:00:00;00
    assert independent_read(fcpxml_text(ntsc, drop_frame=True))["clips"] == independent_read(fcpxml_text(ntsc))["clips"]
    with pytest.raises(ExportError, match="29.97 and 59.94"):
        fcpxml_text(film(Fraction(25)), drop_frame=True)


def test_writing_refuses_what_no_editor_could_open(tmp_path):
    with pytest.raises(ExportError, match="1.9, 1.10"):
        fcpxml_text(film(Fraction(25)), version="1.11")
    with pytest.raises(ExportError, match="no shots"):
        fcpxml_text(FilmCut("Empty", Fraction(25), 1920, 1080))
    cut = film(Fraction(25), transitions=False)
    overlap = FilmCut("Overlap", Fraction(25), 1920, 1080, (cut.clips[0], cut.clips[0]))
    with pytest.raises(ExportError, match="Shot 2 .* overlaps"):
        fcpxml_text(overlap)
    skewed = FilmCut("Skewed", Fraction(25), 1920, 1080, cut.clips, (CutTransition(0, "dissolve", 40, 12),))
    with pytest.raises(ExportError, match="not centred"):
        fcpxml_text(skewed)
    written = write_fcpxml(film(Fraction(25)), tmp_path / "deep" / "film.fcpxml")
    assert written.read_text(encoding="utf-8") == fcpxml_text(film(Fraction(25)))
    assert [p.name for p in written.parent.iterdir()] == ["film.fcpxml"]


# Round trips through the reader under test.
@pytest.mark.parametrize("version", ["1.9", "1.10"])
@pytest.mark.parametrize("rate", GOLDEN_RATES)
def test_round_trip_gives_the_same_cut(tmp_path, rate, version):
    cut = film(GOLDEN_RATES[rate], names=TRICKY_NAMES)
    read = read_fcpxml(write_fcpxml(cut, tmp_path / "film.fcpxml", version))
    assert read.cut == cut
    assert read.warnings == ()


def test_round_trip_of_plain_names_at_every_rate():
    for rate in ALL_RATES.values():
        cut = film(rate, names=PLAIN_NAMES)
        assert read_fcpxml_text(fcpxml_text(cut), Path("/")).cut == cut


def test_an_offline_shot_travels_as_a_gap_named_after_it():
    cut = offline_film(Fraction(24))
    text = fcpxml_text(cut)
    assert '<gap offset="14405/4s" name="Missing shot" start="0s" duration="1s"/>' in text  # 1 h + 30 frames
    read = read_fcpxml_text(text, Path("/"))
    assert read.cut == cut
    assert read.warnings == ("Shot 2 is a gap in the storyline; it became an offline shot named 'Missing shot'.",)


# Final Cut's own files.
@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("pneo_*.fcpxml")))  # Final Cut's own
def test_every_sample_imports(sample):
    read = read_fcpxml(SAMPLES / sample)
    cut = read.cut
    assert cut.clips and cut.clips[0].record_in == 0
    for before, after in zip(cut.clips, cut.clips[1:]):
        assert after.record_in >= before.record_out  # Final Cut's gaps are empty time
    for clip in cut.clips:
        assert clip.source_out - clip.source_in == clip.frames > 0
    assert all(0 <= m.frame < cut.length for m in cut.markers)


def test_sample_29_97_cut_list():
    """pneo_29.97.fcpxml read by hand: seven spine items at 1001/30000s a frame, starting at 0s."""
    read = read_fcpxml(SAMPLES / "pneo_29.97.fcpxml")
    cut = read.cut
    assert (cut.frame_rate, cut.width, cut.height, cut.name) == (Fraction(30000, 1001), 1920, 1080, "29.97_V1")
    movie = Path("/Users/user/Movies/TestVideo.mp4")
    assert [(c.name, c.media, c.source_in, c.source_out, c.record_in, c.record_out) for c in cut.clips] == [
        ("TestVideo", movie, 0, 103, 0, 103),  # no start: from the asset's start; 103103/30000s = 103 frames
        ("TestVideo", movie, 214, 320, 103, 209),  # start 214214/30000s
        ("TestVideo", movie, 452, 560, 209, 317),  # a compound clip: its spine's clip, from start 452452/30000s
        ("TestVideo", movie, 427, 527, 317, 417),  # start 427683/30000s is 427.26 frames (retimed clip): rounded
        ("TestVideo", movie, 1300, 1437, 417, 554),
        ("TestVideo", movie, 1108, 1232, 554, 678),  # 1109174/30000s = 1108.07 frames
        ("TestVideo", movie, 2674, 2883, 678, 887),
    ]
    assert cut.clips[0].media_frames == 3053  # 101869/1000s of media
    assert cut.transitions == () and (cut.fade_in, cut.fade_out) == (0, 0)
    # Marker 2 at 11011/7500s in the first clip's media time = frame 44; Marker 3 at 239239/30000s (239) in the
    # second clip, whose media starts at 214 and which starts at record 103: 103 + 239 - 214 = 128.
    assert cut.markers[:3] == (CutMarker(44, "Marker 2"), CutMarker(128, "Marker 3"), CutMarker(176, "Marker 4"))
    # The compound's own markers count in its media's time: INSIDE 1 at 247247/15000s (494.49, rounded 494) is
    # 209 + 494 - 452 = 251; INSIDE 3 at 588 lies beyond the 108 frames the compound shows.
    assert [(m.frame, m.label) for m in cut.markers if m.label.startswith("INSIDE")] == [(251, "INSIDE 1"),
                                                                                          (300, "INSIDE 2")]
    assert len(cut.markers) == 17  # the four in the connected storyline are not read
    assert any("2 connected clips on lane 1 were left out" in w and "the clip '29.97_CC' over shot 7" in w
               for w in read.warnings)
    assert any("Shot 4 ('TestVideo') changes speed" in w for w in read.warnings)
    assert any("Color Adjustments" in w for w in read.warnings)
    # The drop-frame project's clips say tcFormat="NDF": the same cut, each source keeping its non-drop counting.
    assert read_fcpxml(SAMPLES / "pneo_29.97d.fcpxml").cut.clips == tuple(
        replace(clip, source_drop_frame=False) for clip in cut.clips)


def test_sample_transitions_and_markers():
    """pneo_TransitionMarkers1.fcpxml (24 fps, tcStart 3600s, FCPXML 1.13): three 10 s titles, a dissolve
    from black at the start, two 1 s dissolves centred on the cuts, a dissolve to black at the end."""
    read = read_fcpxml(SAMPLES / "pneo_TransitionMarkers1.fcpxml")
    cut = read.cut
    assert [(c.name, c.media, c.record_in, c.record_out) for c in cut.clips] == [
        ("Basic Title 1", None, 0, 240), ("Basic Title 2", None, 240, 480), ("Basic Title 3", None, 480, 720)]
    assert cut.transitions == (CutTransition(0, "dissolve", 228, 24), CutTransition(1, "dissolve", 468, 24))
    assert (cut.fade_in, cut.fade_out) == (24, 24)
    assert cut.captions == ()  # each title is a title card of its text
    assert [(c.metadata["prompt"], c.metadata["backend"]) for c in cut.clips] == [("Title", "builtin")] * 3
    assert cut.timecode_start == 3600 * 24 and not cut.drop_frame
    # Markers in a transition count from the sequence's start: Marker 4 at 3600s in the transition at
    # offset 3609.5s lies at its start, frame 228. Marker 6 at 3600.5s in a title starting (start) 3600s
    # placed at 3610s: 240 + 12.
    assert [(m.frame, m.label) for m in cut.markers] == [
        (0, "Marker 1"), (12, "Marker 2"), (24, "Marker 3"), (228, "Marker 4"), (240, "Marker 5"),
        (252, "Marker 6"), (468, "Marker 7"), (480, "Marker 8"), (492, "Marker 9"), (696, "Marker 10"),
        (708, "Marker 11")]
    assert "FCPXML 1.13" in read.warnings[0]


def test_sample_clips_nesting_their_media_and_a_dissolve_with_an_odd_length():
    cut = read_fcpxml(SAMPLES / "pneo_CutSample.fcpxml").cut
    meditate = Path("/Users/user/Movies/meditate.mp4")
    assert (cut.width, cut.height) == (3840, 1920)
    assert [(c.name, c.media, c.source_in, c.source_out, c.record_in) for c in cut.clips] == [
        ("Mojave desert sunrise_LYNDA_61316", Path("/Users/user/Movies/Mojave desert sunrise_LYNDA_61316.mp4"),
         0, 916, 0),
        ("meditate", meditate, 0, 673, 916),
        ("meditate", meditate, 673, 2303, 1589),  # clip start 673673/30000s through its <video> at offset 0
        ("meditate", meditate, 2303, 3518, 3219),
    ]
    assert cut.clips[1].media_frames == 3518
    # pneo_24.fcpxml: a 407-frame dissolve on the cut at 760, kept where Final Cut starts it (556: the odd
    # frame before the cut), after a 286-frame dissolve from black.
    cut = read_fcpxml(SAMPLES / "pneo_24.fcpxml").cut
    assert cut.fade_in == 286
    assert cut.transitions == (CutTransition(0, "dissolve", 556, 407),)
    # Its <gap name="Gap"> of 4 frames is empty time before the eighth clip, not an offline shot.
    assert cut.gap_before(7) == 4 and all(clip.name != "Gap" for clip in cut.clips)


def test_a_version_1_8_file_with_asset_src_and_a_bundle(tmp_path):
    document = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.8">
  <resources>
    <format id="r1" frameDuration="1/25s" width="1280" height="720"/>
    <asset id="r2" name="a" src="file:///Volumes/Media/a%20%231.mov" start="3600s" duration="100s" hasVideo="1"/>
    <asset id="r3" name="b" src="clips/b%20c.mov" start="0s" duration="10s" hasVideo="1" hasAudio="1"/>
    <asset id="r4" name="song" src="music/song.m4a" start="0s" duration="60s" hasAudio="1"/>
  </resources>
  <event name="E">
    <project name="P &amp; Q">
      <sequence format="r1" tcStart="3600s" duration="6s">
        <spine>
          <asset-clip ref="r2" offset="3600s" name="A" start="3602s" duration="4s">
            <asset-clip ref="r4" lane="-1" offset="3603s" name="Song" start="10s" duration="2s">
              <adjust-volume amount="-6dB"><param name="amount"><fadeIn duration="1/5s"/></param></adjust-volume>
            </asset-clip>
          </asset-clip>
          <asset-clip ref="r3" offset="3604s" name="B" duration="2s"/>
        </spine>
      </sequence>
    </project>
  </event>
</fcpxml>"""
    bundle = tmp_path / "Cut.fcpxmld"
    bundle.mkdir()
    (bundle / "Info.fcpxml").write_text(document, encoding="utf-8")
    read = read_fcpxml(bundle)
    cut = read.cut
    assert read.warnings == ()
    assert (cut.name, cut.frame_rate, cut.width, cut.height) == ("P & Q", 25, 1280, 720)
    # A's asset starts at 01:00:00:00 (its source timecode, a conform key); its clip 2 s into it.
    assert cut.clips == (CutClip("A", Path("/Volumes/Media/a #1.mov"), 2500, 50, 150, 0, 100, source_start=90000),
                         CutClip("B", bundle / "clips/b c.mov", 250, 0, 50, 100, 150, has_audio=True))
    (music,) = cut.music
    assert (music.media, music.source_in, music.source_out, music.record_in) == (bundle / "music/song.m4a", 250,
                                                                                  300, 25)
    assert (music.gain_db, music.fade_in, music.fade_out) == (-6.0, 5, 0)


# Errors a creator can meet, in words.
def read_text(text: str) -> FilmCut:
    return read_fcpxml_text(text, Path("/"), "cut.fcpxml").cut


def test_malformed_and_foreign_files_are_refused_in_words(tmp_path):
    with pytest.raises(CutFileError, match=r"cut.fcpxml is not well-formed XML \(line 1"):
        read_text("this is not XML")
    with pytest.raises(CutFileError, match=r"not well-formed XML \(line 3"):
        read_text('<?xml version="1.0"?>\n<fcpxml version="1.10">\n<resources></fcpxml>')
    with pytest.raises(CutFileError, match=r"not an FCPXML file: its root element is <xmeml>"):
        read_text('<xmeml version="5"><sequence/></xmeml>')
    with pytest.raises(CutFileError, match=r"FCPXML 1\.14, newer than Foundry reads"):
        read_text('<fcpxml version="1.14"/>')
    with pytest.raises(CutFileError, match=r"FCPXML 2\.0, newer"):
        read_text('<fcpxml version="2.0"/>')
    with pytest.raises(CutFileError, match=r"FCPXML 1\.2, older"):
        read_text('<fcpxml version="1.2"/>')
    with pytest.raises(CutFileError, match="holds no project"):
        read_text('<fcpxml version="1.10"><resources/></fcpxml>')
    with pytest.raises(CutFileError, match="Could not read missing.fcpxml"):
        read_fcpxml(tmp_path / "missing.fcpxml")


def test_a_clip_referring_to_a_missing_asset_is_refused_with_its_line():
    text = fcpxml_text(film(Fraction(25), music=False)).replace('<asset-clip ref="r7"', '<asset-clip ref="r99"', 1)
    line = text[:text.index('ref="r99"')].count("\n") + 1
    with pytest.raises(CutFileError, match=rf"line {line}: the clip 'Shot 1' refers to 'r99', which is not an asset"):
        read_text(text)
    with pytest.raises(CutFileError, match=r"<asset-clip> start=\"soon\" is not an FCPXML time"):
        read_text(fcpxml_text(film(Fraction(25))).replace('start="12/25s"', 'start="soon"', 1))


def test_entities_are_never_expanded():
    """A file may declare entities, but no file on this machine ends up in the cut."""
    secret = Path(__file__).resolve()
    header = f"""<?xml version="1.0"?>
<!DOCTYPE fcpxml [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>
<fcpxml version="1.10"><resources><format id="r1" frameDuration="1/25s" width="640" height="360"/>
<effect id="r2" name="Basic Title" uid="x"/></resources>
<library><event><project name="P"><sequence format="r1"><spine>"""
    in_text = header + '<title ref="r2" name="T" duration="1s"><text><text-style>&secret;</text-style></text></title>'
    cut = read_text(in_text + "</spine></sequence></project></event></library></fcpxml>")
    assert cut.captions == () and cut.clips[0].name == "T"
    in_name = header + '<gap name="&secret;" duration="1s"/></spine></sequence></project></event></library></fcpxml>'
    with pytest.raises(CutFileError, match="external entity"):
        read_text(in_name)
