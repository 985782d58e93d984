"""FCPXML as Final Cut, Resolve and Premiere write it: every spine item kind, compound and multicam
clips, titles and generators in the storyline, connected clips, event clips with no project, several
projects, entities, bundles, versions 1.3 to 1.13, and hostile files refused in words.

Each file in tests/data/interchange/fcpxml/foundry_*.fcpxml (written for these tests, see
SOURCES.md) imports with the record and source times an independent reader computes from its XML
(tests/fcpxml_independent_reader.py), and validates against Apple's DTD of its version where there
is one (FOUNDRY_FCPXML_DTD_DIR)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from fcpxml_independent_reader import independent_shots
from interchange_samples import FCPXML_SAMPLES, fcpxml_dtd_dir
from lxml import etree

from foundry_desktop.app.exchange.cut_import import import_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.cli.main import main
from foundry_desktop.errors import CutChoiceError, CutFileError
from foundry_desktop.interchange.fcpxml.reader import read_fcpxml, read_fcpxml_text
from foundry_desktop.interchange.film_cut import CutCaption, CutMarker, CutTransition

OURS = sorted(p.name for p in FCPXML_SAMPLES.glob("foundry_*"))
DAILIES = Path("/media/dailies")
A, B = DAILIES / "beach_a.mov", DAILIES / "beach_b.mov"


def document(name: str) -> Path:
    path = FCPXML_SAMPLES / name
    return path / "Info.fcpxml" if path.is_dir() else path


def times(cut) -> list[tuple]:
    return [(c.media, c.source_in, c.source_out, c.record_in, c.record_out) for c in cut.clips]


@pytest.mark.parametrize("name", OURS)
def test_each_file_is_valid_against_the_dtd_of_its_version(name):
    folder = fcpxml_dtd_dir()
    if folder is None:
        pytest.skip("FOUNDRY_FCPXML_DTD_DIR is unset: Apple's FCPXML DTDs are not redistributable")
    tree = etree.parse(str(document(name)), etree.XMLParser(resolve_entities=False))
    dtd_path = folder / f"FCPXMLv{tree.getroot().get('version').replace('.', '_')}.dtd"
    if not dtd_path.exists():
        pytest.skip(f"no DTD for FCPXML {tree.getroot().get('version')} (Foundry has 1.9 to 1.11)")
    dtd = etree.DTD(str(dtd_path))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()


@pytest.mark.parametrize("name", [n for n in OURS if n not in ("foundry_event_clips.fcpxml", "foundry_projects.fcpxml")])
def test_each_file_imports_with_the_times_it_holds(name):
    expected = independent_shots(document(name).read_bytes())
    cut = read_fcpxml(FCPXML_SAMPLES / name).cut
    assert cut.frame_rate == expected["frame_rate"]
    assert cut.timecode_start == expected["timecode_start"]
    assert times(cut) == [shot[1:] for shot in expected["shots"]]


def test_a_compound_clip_plays_its_storyline_trimmed_where_it_shows():
    """The compound (beach_a 2-5 s, a 10-frame dissolve, beach_b from 3610 s) shown from 1 s for 5 s,
    then from its start for 2 s; its marker at 4 s of its own time lies 3 s into it."""
    read = read_fcpxml(FCPXML_SAMPLES / "foundry_compound.fcpxml")
    cut = read.cut
    assert times(cut) == [(A, 250, 300, 0, 50), (A, 75, 125, 50, 100), (B, 250, 325, 100, 175),
                          (B, 500, 525, 175, 200), (A, 50, 100, 200, 250)]
    assert cut.transitions == (CutTransition(1, "dissolve", 95, 10),)  # the one whose cut the compound shows
    assert cut.markers == (CutMarker(125, "Inside the compound"),)
    assert read.warnings == ()


def test_a_multicam_clip_plays_its_active_video_angle():
    cut = read_fcpxml(FCPXML_SAMPLES / "foundry_multicam.fcpxml").cut
    # Cam B starts after a 1 s gap: 10 s into the multicam is 9 s into beach_b (timecode origin 3600 s).
    assert times(cut) == [(B, 225, 275, 0, 50), (A, 0, 75, 50, 125)]


def test_sync_clips_and_clips_play_their_primary_media_and_keep_the_start_timecode():
    read = read_fcpxml(FCPXML_SAMPLES / "foundry_sync_clip.fcpxml")
    assert times(read.cut) == [(A, 150, 250, 0, 100), (B, 50, 125, 100, 175)]
    assert (read.cut.timecode_start, read.cut.drop_frame) == (3600 * 25, False)
    # The sync-clip's own sound (a dialogue role) goes to the music track, for as long as the sync-clip plays:
    # its 10 s from 20 s, seen from the sync-clip's start 1 s in, for its 4 s.
    assert [(m.name, m.source_in, m.source_out, m.record_in) for m in read.cut.music] == [("boom_mic", 525, 625, 0)]
    assert read.warnings == ("Foundry's film has one picture track, a music track and no effects. Connected sound "
                             "that is not music went to the music track: the dialogue 'boom_mic' over shot 1.",)


def test_titles_and_generators_in_the_storyline_are_title_cards_to_generate(tmp_path):
    read = read_fcpxml(FCPXML_SAMPLES / "foundry_titles_and_generators.fcpxml")
    slate, card, _ = read.cut.clips
    assert (slate.media, slate.metadata) == (None, {"prompt": "Slate", "backend": "builtin", "title_card": True})
    assert (card.media, card.metadata) == (None, {"prompt": "Chapter One", "backend": "builtin", "title_card": True})
    assert read.cut.captions == ()
    assert any("the title 'Chapter card' (Basic Title)" in w for w in read.warnings)
    project = tmp_path / "titles.foundry"
    assert main(["import", str(FCPXML_SAMPLES / "foundry_titles_and_generators.fcpxml"), "-o", str(project)]) == 0
    with ProjectService.open(project, read_only=True) as service:
        shots = service.project.timeline.shots
        assert [(s.name, s.spec.prompt, s.spec.backend) for s in shots[:2]] == [
            ("Slate", "Slate", "builtin"), ("Chapter card", "Chapter One", "builtin")]
    report = import_cut(FCPXML_SAMPLES / "foundry_titles_and_generators.fcpxml", tmp_path / "again.foundry")
    said = [w for w in report.warnings if w.startswith(("Shot 1 ", "Shot 2 "))]
    assert len(said) == 2 and all("title card" in w for w in said)  # each said once, not also as "no media"


def test_what_one_picture_track_cannot_hold_is_named_in_one_warning():
    read = read_fcpxml(FCPXML_SAMPLES / "foundry_connected.fcpxml")
    cut = read.cut
    assert [(m.name, m.source_in, m.source_out, m.record_in) for m in cut.music] == [
        ("theme", 0, 200, 0), ("waves", 750, 875, 0)]  # audio-only with no role, and the music role
    assert cut.captions == (CutCaption(0, 50, "Sunrise"),)
    assert read.warnings == (
        "Foundry's film has one picture track, a music track and no effects. 2 connected clips on lanes 1-2 "
        "were left out: the clip 'beach_b cutaway' over shot 1; a storyline over shot 1 (beach_b over, beach_a "
        "over). Effects were left out: Gaussian Blur (shot 1); keyframed Amount (shot 1).",)


def test_event_clips_without_a_project_are_read_in_order_as_a_cut():
    read = read_fcpxml(FCPXML_SAMPLES / "foundry_event_clips.fcpxml")
    assert read.cut.name == "Dailies 12 May"
    assert times(read.cut) == [(B, 0, 100, 0, 100), (A, 300, 375, 100, 175), (A, 0, 2500, 175, 2675)]
    assert read.warnings == ("foundry_event_clips.fcpxml holds no project, only clips: the 3 clips of "
                             "'Dailies 12 May' were read in order as a cut.",)


def test_clips_in_several_events_and_no_project_are_listed_to_choose_from():
    text = (FCPXML_SAMPLES / "foundry_event_clips.fcpxml").read_text()
    text = text.replace("</event>", '</event><event name="Pickups"><asset-clip ref="r2" name="x" duration="1s"/>'
                                    "</event>")
    with pytest.raises(CutChoiceError, match=r"2 events of clips and no project: 1\. Dailies 12 May; 2\. Pickups"):
        read_fcpxml_text(text, FCPXML_SAMPLES, "two.fcpxml")
    assert len(read_fcpxml_text(text, FCPXML_SAMPLES, "two.fcpxml", "pickups").cut.clips) == 1


def test_several_projects_need_a_choice():
    path = FCPXML_SAMPLES / "foundry_projects.fcpxml"
    with pytest.raises(CutChoiceError) as refused:
        read_fcpxml(path)
    assert refused.value.names == ("Untitled Project", "Main cut", "Alt cut")
    main_cut = read_fcpxml(path, "Main cut").cut
    expected = independent_shots(path.read_bytes(), "Main cut")
    assert times(main_cut) == [shot[1:] for shot in expected["shots"]] == [(A, 100, 150, 0, 50), (B, 125, 200, 50, 125)]
    assert main_cut.name == "Main cut" and main_cut.timecode_start == 90000
    assert read_fcpxml(path, "3").cut.name == "Alt cut"  # by its number in the list
    with pytest.raises(CutChoiceError, match="holds nothing named 'Final cut'; its projects: 1. Untitled Project"):
        read_fcpxml(path, "Final cut")


def test_foundry_import_lists_the_projects_and_says_to_choose(tmp_path, capsys):
    path = FCPXML_SAMPLES / "foundry_projects.fcpxml"
    project = tmp_path / "cut.foundry"
    assert main(["import", str(path), "-o", str(project)]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == ["Untitled Project", "Main cut", "Alt cut"]
    assert "--sequence NAME" in err and not project.exists()
    assert main(["import", str(path), "-o", str(project), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["sequences"] == ["Untitled Project", "Main cut", "Alt cut"]
    edl = tmp_path / "cut.edl"
    edl.write_text("TITLE: Cut\nFCM: NON-DROP FRAME\n")
    assert main(["import", str(edl), "-o", str(project), "--rate", "25", "--sequence", "Main cut"]) == 1
    assert "cut.edl holds one timeline: choosing one by name is for FCPXML files" in capsys.readouterr().err
    assert main(["import", str(path), "-o", str(project), "--sequence", "Main cut"]) == 0
    with ProjectService.open(project, read_only=True) as service:  # the project file, reopened
        assert [s.spec.duration for s in service.project.timeline.shots] == [50, 75]
        assert service.project.name == "Main cut"


def test_entities_in_caption_text_keep_all_the_text():
    read = read_fcpxml(FCPXML_SAMPLES / "foundry_entities.fcpxml")
    assert read.cut.captions == (CutCaption(25, 75, "Tom & Jerry’s <show> by Foundry & Friends, the end"),)
    assert read.cut.name == "Tom & Jerry’s cut"


def test_versions_1_3_and_1_13_read():
    old = read_fcpxml(FCPXML_SAMPLES / "foundry_v1_3.fcpxml")
    assert old.cut.frame_rate == Fraction(24000, 1001) and old.warnings == ()
    assert times(old.cut) == [(Path("/media/old/harbour.mov"), 24, 72, 0, 48),
                              (Path("/media/old/lighthouse.mov"), 48, 120, 48, 120)]
    new = read_fcpxml(FCPXML_SAMPLES / "foundry_v1_13.fcpxml")
    assert (new.cut.timecode_start, new.cut.drop_frame) == (107892, True)  # 01:00:00;00 drop-frame
    assert "FCPXML 1.13" in new.warnings[0]


def test_a_bundle_reads_its_info_fcpxml():
    cut = read_fcpxml(FCPXML_SAMPLES / "foundry_bundle.fcpxmld").cut
    assert times(cut) == [(B, 50, 75, 0, 25), (A, 175, 200, 50, 75)]  # the gap stays empty time


HEADER = ('<fcpxml version="1.10"><resources><format id="r1" frameDuration="1/25s" width="640" height="360"/>'
          '<effect id="r2" name="Basic Title" uid="x"/></resources>')


def spine(items: str, resources: str = "") -> str:
    return (HEADER.replace("</resources>", resources + "</resources>")
            + f'<library><event><project name="P"><sequence format="r1"><spine>{items}</spine></sequence></project>'
              "</event></library></fcpxml>")


def test_hostile_files_are_refused_in_words(tmp_path):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE fcpxml [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1 if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
            + "]>\n" + spine('<title ref="r2" name="T" duration="1s"><text><text-style>&lol9;</text-style></text></title>'))
    with pytest.raises(CutFileError, match=r"^bomb.fcpxml declares entities that expand into far more text .*bomb"):
        read_fcpxml_text(bomb, tmp_path, "bomb.fcpxml")  # libxml2 stops it as it expands
    unused = bomb.replace("&lol9;", "")
    with pytest.raises(CutFileError, match=r"entity 'lol\d', which expands to more than 100,000 characters"):
        read_fcpxml_text(unused, tmp_path, "bomb.fcpxml")  # declared, never used: refused all the same
    looped = '<!DOCTYPE fcpxml [<!ENTITY a "&b;"><!ENTITY b "&a;">]>' + spine("")
    with pytest.raises(CutFileError, match="in terms of itself"):
        read_fcpxml_text(looped, tmp_path, "loop.fcpxml")
    with pytest.raises(CutFileError, match="is not well-formed XML"):
        read_fcpxml_text(b"\x00\x01PK binary", tmp_path, "zip.fcpxml")
    big = tmp_path / "big.fcpxml"
    big.write_bytes(b"<fcpxml version='1.10'><resources/>" + b"<!-- padding -->" * (50 * 2**20 // 16) + b"</fcpxml")
    with pytest.raises(CutFileError, match="big.fcpxml is not well-formed XML"):
        read_fcpxml(big)
    lost = read_fcpxml_text(spine('<title ref="r9" name="Card" duration="1s"><text>Hello</text></title>'), tmp_path, "t")
    assert lost.cut.clips[0].metadata["prompt"] == "Hello"
    assert lost.warnings == ("Shot 1 is the title 'Card' (an effect missing from the file); it became a title card "
                             "to generate, of its text.",)
    with pytest.raises(CutFileError, match="refers to 'r9', which is not a media resource"):
        read_fcpxml_text(spine('<ref-clip ref="r9" name="C" duration="1s"/>'), tmp_path, "c.fcpxml")
    media = '<media id="r3" name="Self"><sequence format="r1"><spine><ref-clip ref="r3" duration="1s"/></spine></sequence></media>'
    with pytest.raises(CutFileError, match="nests compound clips more than 16 deep"):
        read_fcpxml_text(spine('<ref-clip ref="r3" name="Self" duration="1s"/>', media), tmp_path, "self.fcpxml")


def test_a_transition_cut_off_by_the_edge_of_a_compound_is_left_out_with_a_warning():
    text = (FCPXML_SAMPLES / "foundry_compound.fcpxml").read_text().replace(
        '<ref-clip ref="r5" offset="8s" name="Beach compound" duration="2s"/>',
        '<ref-clip ref="r5" offset="8s" name="Beach compound" start="2s" duration="1s"/>')  # ends at the dissolve's cut
    read = read_fcpxml_text(text, FCPXML_SAMPLES, "edge.fcpxml")
    assert times(read.cut)[-1] == (A, 100, 125, 200, 225) and len(read.cut.transitions) == 1
    assert read.warnings == ("Shot 5: the transition at the edge of what the compound clip 'Beach compound' shows "
                             "was left out.",)


def test_the_one_warning_stays_readable_for_a_cut_of_thousands_of_clips():
    clip = '<asset-clip ref="r3" offset="{n}s" name="c{n}" duration="1s"><filter-video ref="r2" name="Blur"/>' \
           '<asset-clip ref="r3" lane="1" offset="{n}s" name="over {n}" duration="1s"/></asset-clip>'
    asset = '<asset id="r3" name="a" duration="10000s" hasVideo="1"><media-rep src="file:///m/a.mov"/></asset>'
    read = read_fcpxml_text(spine("".join(clip.format(n=n) for n in range(3000)), asset), Path("/"), "big.fcpxml")
    assert len(read.cut.clips) == 3000
    assert read.warnings == (
        "Foundry's film has one picture track, a music track and no effects. 3000 connected clips on lane 1 were "
        "left out: " + "; ".join(f"the clip 'over {n}' over shot {n + 1}" for n in range(12)) + "; and 2,988 more. "
        "Effects were left out: Blur (shots 1-3000).",)
