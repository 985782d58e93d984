"""Reading a timeline from FCPXML (Final Cut Pro, DaVinci Resolve...) into a FilmCut.

Versions 1.3 to 1.11 are read as their DTDs define them. 1.12 and 1.13 (Final
Cut Pro 10.8 and 11) are read too, with a warning: they add elements for new
Final Cut features but keep the timeline's structure, and whatever this reader
does not know is reported like any other unsupported element. Anything newer,
older, or not FCPXML is refused in words. Parsing is safe: the parser expands no
entities (entities.py works out declared ones, within limits, for titles' text),
and nothing is fetched from the network.

Which project's sequence is read, projects.py says. What becomes of each part of it:

* Times are converted to whole frames at the sequence's rate (its format's
  frameDuration); record frames count from the sequence's start (its tcStart),
  so drop-frame timecode changes nothing. Times off that grid (media at
  another rate) are rounded to the nearest frame, with a warning.
* Primary storyline: `asset-clip`, `video` and `audio` elements, and `clip` /
  `sync-clip` containers (through their primary media, however nested), become
  shots on that media: source in = the clip's start in its asset's time minus
  the asset's own start (its timecode origin). A shot's source length always
  equals its length in the film. A clip whose tcFormat differs from the
  sequence's (a non-drop camera original in a drop-frame project) keeps its
  source's own counting (CutClip.source_drop_frame).
* A `gap` named "Gap" (Final Cut's name for its own) is empty time: the shots
  after it keep their places, and what is connected to it is read like anything
  connected to a shot. A transition into the one the film ends in is its fade
  to black; one between a shot and a gap in the film's middle is left out, with
  a warning. A `gap` named otherwise becomes an offline shot (no media) of that
  name (Foundry writes a shot with no media so), as does anything unknown, with
  a warning. Of an `audition`, its chosen (first) clip is read.
* Compound (`ref-clip`) and multicam (`mc-clip`) clips are flattened: the shots
  of the storyline they play (a multicam's active video angle) take their
  place, trimmed to what they show (compound.py).
* A `title` or `video` that refers to an effect (a title, a solid or another
  generator used as a shot) becomes a title card for the built-in generator
  to make, of the title's text or else its name.
* A transition is centred on its cut where the file puts it: Final Cut puts
  the odd frame of an odd-length transition before the cut
  (film_cut.frames_before_cut), and an export writes it there again. A transition before the first clip is the film's fade from black,
  one after the last its fade to black. Cross Dissolve is a dissolve, Fade To
  Color a fade through black (through white when its colour is light); other
  transitions become dissolves, with a warning.
* Markers and chapter markers, on any clip read, keep their place in the film;
  ones outside the visible part of their clip are left out, with a warning.
  Markers inside a transition count from the sequence's start (what the
  Final Cut samples show).
* A clip's keyword "Scene: NAME" puts it in that scene (Foundry's export); the
  marker "Scene: NAME" where such a scene begins is the scene's, not a marker.
* Connected clips: audio with the music role (or any audio-only media below
  the picture, whatever its role) becomes music, also inside a connected
  storyline, and only while a clip holding it plays; connected titles and
  captions become captions. Other connected clips and storylines, effects,
  transforms and keyframed parameters are not represented, and one warning
  names them all; speed changes (timeMap, rate conform) are warned of by shot.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

from lxml import etree

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.fcpxml.clip_contents import ShotContents
from foundry_desktop.interchange.fcpxml.document import FcpxmlDocument
from foundry_desktop.interchange.fcpxml.projects import chosen_timeline, start_timecode
from foundry_desktop.interchange.fcpxml.storyline import PrimaryStoryline
from foundry_desktop.interchange.film_cut import FilmCut, ReadCut, without_scene_markers

OLDEST_VERSION = (1, 3)  # the first with libraries and events (Final Cut Pro 10.1)
NEWEST_CHECKED_VERSION = (1, 11)  # the newest DTD Foundry has
NEWEST_VERSION = (1, 13)

_VERSION = re.compile(r"^\s*(\d+)\.(\d+)\s*$")
_AUDIO_RATES = {"32k": 32000, "44.1k": 44100, "48k": 48000, "88.2k": 88200, "96k": 96000, "176.4k": 176400,
                "192k": 192000}


def read_fcpxml(path: Path, sequence: str | None = None) -> ReadCut:
    """The cut of the project named `sequence` (or the only one) in an .fcpxml file or .fcpxmld bundle."""
    path = Path(path)
    document = path / "Info.fcpxml" if path.is_dir() else path
    try:
        data = document.read_bytes()
    except OSError as exc:
        raise CutFileError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
    return read_fcpxml_text(data, document.parent, path.name, sequence)


def read_fcpxml_text(text: str | bytes, folder: Path, name: str = "The FCPXML file",
                     sequence: str | None = None) -> ReadCut:
    """The cut in FCPXML `text`; relative media paths are resolved against `folder`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if "amplification" in (exc.msg or ""):  # libxml2's own guard against entity bombs
            raise CutFileError(f"{name} declares entities that expand into far more text than any timeline holds "
                               f"(an entity bomb?); it was not read.") from None
        problem = " ".join((exc.msg or "").split())  # libxml2's message may run over several lines
        raise CutFileError(f"{name} is not well-formed XML (line {exc.lineno}: {problem}).") from None
    if root is None:
        raise CutFileError(f"{name} is empty.")
    if root.tag != "fcpxml":
        raise CutFileError(f"{name} is not an FCPXML file: its root element is <{root.tag}>, not <fcpxml>.")
    return _read(FcpxmlDocument(root, folder, name), sequence)


def _version(root: etree._Element, name: str) -> tuple[int, int]:
    text = root.get("version")
    match = _VERSION.match(text or "")
    if match is None:
        raise CutFileError(f"{name} does not say which FCPXML version it is (version=\"{text or ''}\").")
    version = int(match.group(1)), int(match.group(2))
    if version > NEWEST_VERSION:
        raise CutFileError(
            f"{name} is FCPXML {text.strip()}, newer than Foundry reads (1.3 to 1.13). "
            f"Export it again choosing FCPXML 1.11 or older.")
    if version < OLDEST_VERSION:
        raise CutFileError(
            f"{name} is FCPXML {text.strip()}, older than Foundry reads (1.3 to 1.13). "
            f"Open it in Final Cut Pro and export it again.")
    return version


def _read(doc: FcpxmlDocument, sequence_name: str | None) -> ReadCut:
    """The cut of the chosen project's sequence (projects.py says which)."""
    version = _version(doc.root, doc.name)
    if version > NEWEST_CHECKED_VERSION:
        doc.warn(f"{doc.name} is FCPXML {version[0]}.{version[1]}, newer than the 1.11 definition Foundry "
                 f"knows; it was read as 1.11, and anything it did not know is listed here.")
    timeline = chosen_timeline(doc, sequence_name)
    sequence = timeline.sequence
    film_format = doc.resources.get(sequence.get("format"))
    if film_format is None or film_format.tag != "format":
        raise CutFileError(f"{doc.where(sequence)}: the sequence's format '{sequence.get('format')}' "
                           f"is not among the file's resources.")
    duration = doc.time(film_format, "frameDuration", Fraction(0))
    if duration <= 0:
        raise CutFileError(f"{doc.where(film_format)}: the sequence's format has no frame duration, "
                           f"so its frame rate is unknown.")
    doc.rate = 1 / duration
    doc.tc_start, drop_frame = start_timecode(doc, sequence)
    doc.drop_frame = drop_frame
    try:
        width, height = int(film_format.get("width", "")), int(film_format.get("height", ""))
    except ValueError:
        width, height = 1920, 1080
        doc.warn(f"The sequence's format gives no frame size; the film is {width}×{height}.")
    contents = ShotContents(doc)
    clips, transitions, fade_in, fade_out = PrimaryStoryline(doc, contents).read(sequence.find("spine"))
    length = clips[-1].record_out if clips else 0
    if left_out := contents.left_out_warning():
        doc.warn(left_out)
    if doc.off_grid:
        doc.warn("Some times are not whole frames at the timeline's rate (media at another rate); "
                 "they were rounded to the nearest frame.")
    cut = FilmCut(
        name=timeline.name or Path(doc.name).stem,
        frame_rate=doc.rate,
        width=width,
        height=height,
        clips=tuple(clips),
        transitions=tuple(transitions),
        fade_in=fade_in,
        fade_out=fade_out,
        music=tuple(sorted(contents.music, key=lambda m: (m.record_in, m.name))),
        markers=tuple(sorted((m for m in contents.markers if 0 <= m.frame < length), key=lambda m: m.frame)),
        captions=tuple(sorted((c for c in contents.captions if c.start < length), key=lambda c: (c.start, c.end))),
        audio_rate=_AUDIO_RATES.get(sequence.get("audioRate", ""), 48000),
        timecode_start=doc.frames(doc.tc_start),
        drop_frame=drop_frame,
    )
    return ReadCut(without_scene_markers(cut), tuple(doc.warnings))
