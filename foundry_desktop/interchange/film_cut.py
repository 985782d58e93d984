"""The cut as other editors see it: what every exporter writes and every importer reads.

One plain description of a film's edit, independent of any file format and of
Foundry's project model: clips on one video track in order, each butted to the
one before or after empty time (a gap: black and silence, which no transition
crosses; the film starts at frame 0, possibly with a gap), centred
transitions between them (Final Cut's rule, the one domain.cut_plan follows),
fades from and to black at the film's ends, music clips, markers and captions,
and the scene each clip is in (by name: runs of clips of one name are a scene).
The app builds one from a project (app.cut_export) and turns one read from a
file into a project (app.cut_import), so the writers and readers never touch
the store or the media folder, and a round trip is a comparison of two of these.

Every time is a whole number of frames at `frame_rate`; source frames count from
the media file's first frame, record frames from the film's first frame. The
timecode an editor conforms by is kept beside them: each clip's reel and the
timecode of its media's first frame (`source_start`, so source frame f is
labelled source_start + f) with whether that timecode drops frame labels (the
source's own counting, which may differ from the film's), and the timecode of the
film's first frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from foundry_desktop.interchange.smpte_timecode import drop_frame_possible, parse_timecode

DEFAULT_RECORD_START = "01:00:00:00"  # where editors start their timelines
# A time in a cut past this many frames (over a year at 24 fps) is damage, not a film: readers refuse
# it, before a number too large for the project file (SQLite's 64 bits) gets that far.
MAX_CUT_FRAMES = 10**9
CutTransitionKind = Literal["dissolve", "fade_black", "fade_white"]


@dataclass(frozen=True)
class CutClip:
    """One shot of the film: a run of one media file."""

    name: str
    media: Path | None  # an absolute path; None when the file is unknown (an offline clip)
    media_frames: int  # how long the file is, in frames; at least source_out
    source_in: int
    source_out: int  # exclusive
    record_in: int
    record_out: int  # exclusive; record_out - record_in == source_out - source_in
    has_audio: bool = False
    still: bool = False  # a picture held for the clip's length
    scene: str = ""  # the name of the scene it is in; "" for none
    reel: str = ""  # the source's reel as the cut or the file names it; "" for none (writers make one)
    source_start: int = 0  # the timecode of the media's first frame, in frames
    source_drop_frame: bool | None = None  # whether its source's timecode drops frame labels; None: as the record's
    offline_media: Path | None = None  # an offline clip's: where its media is expected (None: a gap's)
    media_name: str = ""  # the media's own file name where `media` is a copy named otherwise ("": its name)
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)  # prompt, seed, backend... (OTIO keeps it)

    @property
    def frames(self) -> int:
        return self.record_out - self.record_in

    def source_counts_drop_frame(self, record_drop_frame: bool, frame_rate: Fraction) -> bool:
        """Whether its source timecode is labelled in drop frame: its source's own counting where known,
        else the record's; never at a rate without drop frame."""
        drop = record_drop_frame if self.source_drop_frame is None else self.source_drop_frame
        return drop and drop_frame_possible(frame_rate)

    @property
    def file_name(self) -> str:
        """What editors call its media: the media's own name, else its file's (an offline clip's: its name)."""
        return self.media_name or (self.media.name if self.media is not None else self.name)


GAP_NAME = "Gap"  # what Final Cut and Resolve call empty time, and Foundry writes it as


@dataclass(frozen=True)
class CutTransition:
    """Between clip `outgoing` and the next, centred on their cut as Final Cut centres
    it (frames_before_cut), and both clips play on media beyond their edges (handles)
    while it lasts."""

    outgoing: int
    kind: CutTransitionKind
    record_in: int
    frames: int

    @property
    def record_out(self) -> int:
        return self.record_in + self.frames

    @property
    def cut(self) -> int:
        return self.record_in + frames_before_cut(self.frames)


def frames_before_cut(frames: int) -> int:
    """How much of a centred transition plays before its cut in a cut file: Final Cut writes
    the odd frame of an odd length before the cut (a 407-frame dissolve starts 204 frames
    before its edit), and a file's transition is kept where the file put it. Foundry's own
    plan (domain.cut_plan) starts it frames // 2 before: the same cut, the blend one frame
    later."""
    return frames - frames // 2


@dataclass(frozen=True)
class CutMusic:
    """A piece of the music bed: `media` from source_in to source_out, placed at record_in."""

    name: str
    media: Path | None
    media_frames: int
    source_in: int
    source_out: int  # exclusive
    record_in: int
    gain_db: float = 0.0
    fade_in: int = 0
    fade_out: int = 0

    @property
    def frames(self) -> int:
        return self.source_out - self.source_in

    @property
    def record_out(self) -> int:
        return self.record_in + self.frames


@dataclass(frozen=True)
class CutMarker:
    frame: int
    label: str = ""
    color: str = "#e5a50a"


@dataclass(frozen=True)
class CutCaption:
    start: int
    end: int  # exclusive
    text: str


@dataclass(frozen=True)
class FilmCut:
    name: str
    frame_rate: Fraction
    width: int
    height: int
    clips: tuple[CutClip, ...] = ()
    transitions: tuple[CutTransition, ...] = ()
    fade_in: int = 0  # frames from black at the film's start, over the first clip
    fade_out: int = 0  # frames to black at the film's end, over the last clip
    music: tuple[CutMusic, ...] = ()
    markers: tuple[CutMarker, ...] = ()
    captions: tuple[CutCaption, ...] = ()
    audio_rate: int = 48000
    timecode_start: int | None = None  # the film's first frame's timecode, in frames; None: 01:00:00:00
    drop_frame: bool | None = None  # whether its timecode drops frame labels; None: not said

    def record_start(self, drop_frame: bool) -> int:
        """The film's first frame's timecode in frames, counted with or without drop frame."""
        if self.timecode_start is not None:
            return self.timecode_start
        return parse_timecode(DEFAULT_RECORD_START, self.frame_rate, drop_frame=drop_frame)

    @property
    def length(self) -> int:
        return self.clips[-1].record_out if self.clips else 0

    def gap_before(self, index: int) -> int:
        """Frames of empty time before clip `index` (0 where it follows the clip before, or starts the film)."""
        return self.clips[index].record_in - (self.clips[index - 1].record_out if index else 0)

    def with_gaps_as_clips(self) -> FilmCut:
        """This cut with each gap as an offline clip named GAP_NAME (the transitions renumbered),
        for formats whose storyline is a row of items with no holes in it."""
        clips: list[CutClip] = []
        renumbered: dict[int, int] = {}
        for index, clip in enumerate(self.clips):
            if gap := self.gap_before(index):
                clips.append(CutClip(GAP_NAME, None, gap, 0, gap, clip.record_in - gap, clip.record_in))
            renumbered[index] = len(clips)
            clips.append(clip)
        transitions = tuple(replace(t, outgoing=renumbered[t.outgoing]) for t in self.transitions)
        return replace(self, clips=tuple(clips), transitions=transitions)


SCENE_LABEL = "Scene: "  # how a scene's name is spelt where the format has no field for it (markers, keywords)


def scene_of_label(label: str) -> str:
    """The scene a "Scene: NAME" marker or keyword names; "" when it names none."""
    return label[len(SCENE_LABEL):].strip() if label.startswith(SCENE_LABEL) else ""


def scene_starts(cut: FilmCut) -> list[tuple[int, str]]:
    """(record frame, name) where each scene begins: the first clip of each run of one scene's clips."""
    starts = []
    for index, clip in enumerate(cut.clips):
        if clip.scene and (index == 0 or cut.clips[index - 1].scene != clip.scene):
            starts.append((clip.record_in, clip.scene))
    return starts


def with_scene_markers(cut: FilmCut) -> FilmCut:
    """The cut with a "Scene: NAME" marker where each scene begins, for formats whose editors show markers."""
    added = [CutMarker(frame, SCENE_LABEL + name) for frame, name in scene_starts(cut)]
    return replace(cut, markers=tuple(sorted([*cut.markers, *added], key=lambda m: m.frame)))


def without_scene_markers(cut: FilmCut) -> FilmCut:
    """A cut read back with the markers with_scene_markers added taken out again (its clips say their scenes)."""
    starts = {(frame, SCENE_LABEL + name) for frame, name in scene_starts(cut)}
    kept = tuple(marker for marker in cut.markers if (marker.frame, marker.label) not in starts)
    return cut if len(kept) == len(cut.markers) else replace(cut, markers=kept)


@dataclass(frozen=True)
class ReadCut:
    """What an importer made of a file: the cut, and what it could not represent, in words."""

    cut: FilmCut
    warnings: tuple[str, ...] = ()
