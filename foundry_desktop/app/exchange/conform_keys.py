"""The keys an online editor conforms a cut by: each shot's reel and source timecode, and where
the film's own timecode starts and whether it drops frame labels.

A shot's reel is what the cut it was imported from called its source, else the reel name its
file carries; without either, an export names the reel after the media's own file name. Its source timecode is the timecode of
its source's first frame, in frames at the film's rate: the start timecode a camera original
carries (converted through seconds when the file runs at another rate), else 00:00:00:00,
labelled in its source's own counting (drop frame or not, as the cut or the file's timecode says;
None: as the film counts).
The film starts at 01:00:00:00 unless told otherwise, and drops frame labels at 29.97 and
59.94 fps unless told otherwise; exports write these unless their caller overrides them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from foundry_desktop.domain.project import Project, Shot
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.interchange.edl.names import fits_strict_reel
from foundry_desktop.interchange.film_cut import DEFAULT_RECORD_START, CutClip, FilmCut
from foundry_desktop.interchange.smpte_timecode import drop_frame_possible, format_timecode, parse_timecode
from foundry_desktop.media.probe import SourceInfo

def film_drop_frame(project: Project) -> bool:
    """Whether the film's timecode drops frame labels (its own flag, else the rate's default)."""
    flag = project.timeline.drop_frame
    return drop_frame_possible(project.format.frame_rate) if flag is None else flag


def drop_frame_exists(project: Project) -> bool:
    """Whether the film's rate has drop-frame timecode at all (29.97 and 59.94 fps)."""
    return drop_frame_possible(project.format.frame_rate)


def film_start_frames(project: Project) -> int:
    """The film's first frame's timecode in frames (01:00:00:00 unless set)."""
    start = project.timeline.start_timecode
    if start is None:
        return parse_timecode(DEFAULT_RECORD_START, project.format.frame_rate, drop_frame=film_drop_frame(project))
    return start


def film_timecode_label(project: Project) -> tuple[str, bool]:
    """The film's start timecode as its label, and whether it drops frame labels."""
    return film_timecode_at(project, 0), film_drop_frame(project)


def film_timecode_at(project: Project, frame: int) -> str:
    """The film's timecode of its frame `frame` (from 0), as a ruler or a timecode display shows it."""
    return format_timecode(film_start_frames(project) + frame, project.format.frame_rate,
                           drop_frame=film_drop_frame(project))


def timecode_frames(label: str, frame_rate: Fraction, drop_frame: bool) -> int:
    """A timecode the creator typed (04:00:00:00; 04:00:00;00 is drop frame) as frames, or why not in words."""
    try:
        return parse_timecode(label.strip(), frame_rate, drop_frame=drop_frame or ";" in label)
    except ValueError as exc:
        raise InvalidEditError(f"{label.strip()!r} is not a timecode Foundry can use: {exc}.") from None


def source_timecode(info: SourceInfo, film_rate: Fraction) -> int:
    """The file's own start timecode in frames at the film's rate; 0 when it carries none that reads."""
    if not info.timecode or not info.frame_rate:
        return 0
    try:
        frames = parse_timecode(info.timecode, info.frame_rate, drop_frame=";" in info.timecode)
    except ValueError:  # a tag no timecode reader could use: the file counts from zero, as before
        return 0
    if info.frame_rate == film_rate:
        return frames
    return round(Fraction(frames) / info.frame_rate * film_rate)


def source_drop_frame(info: SourceInfo, film_rate: Fraction) -> bool | None:
    """Whether the file's own start timecode counts in drop frame (its label's ';', or '.' / ',' as some
    cameras write it); None when it carries none, or the film's rate has no drop frame to label it in."""
    if not info.timecode or not drop_frame_possible(film_rate):
        return None
    return info.timecode[-3:-2] in (";", ".", ",")


def source_keys(info: SourceInfo, film_rate: Fraction) -> tuple[str, int, bool | None]:
    """What a shot showing the file conforms by: (reel, source timecode, its drop frame), as set_shot_sources takes them."""
    return source_reel(info), source_timecode(info, film_rate), source_drop_frame(info, film_rate)


def source_reel(info: SourceInfo) -> str:
    """The reel the file names itself; "" for none (an export then names it after the file)."""
    return info.reel


def reels_need_long_names(project: Project) -> bool:
    """Whether a reel the shots keep (from a cut or a file) does not fit a strict CMX 3600 EDL's 8
    characters, so that an EDL written with them whole (File129) is the one that keeps them."""
    return any(shot.reel and not fits_strict_reel(shot.reel) for shot in project.timeline.shots)


# -- a cut brought in -----------------------------------------------------------------------------


def film_timecode_of(cut: FilmCut) -> tuple[int | None, bool | None] | None:
    """The film's (start timecode, drop frame) as an imported cut says them; None when it says neither."""
    if cut.timecode_start is None and cut.drop_frame is None:
        return None
    drop_frame = cut.drop_frame
    if drop_frame and not drop_frame_possible(cut.frame_rate):  # a ';' at 25 fps: no drop frame to keep
        drop_frame = False
    return cut.timecode_start, drop_frame


def in_file_timecode(clip: CutClip, file_timecode: int) -> CutClip:
    """The clip with its source counted from its file's first frame, when the cut counts it in the
    file's own timecode (`file_timecode`, the file's first frame's: an EDL at 01:00:02:00 on a camera
    original starting at 01:00:00:00 means 2 s into it); as it is when it counts from the first frame
    already (a file without timecode, or a cut whose source times lie before it)."""
    timecode = clip.source_start + clip.source_in
    if not file_timecode or timecode < file_timecode or clip.source_start == file_timecode:
        return clip
    return replace(clip, source_in=timecode - file_timecode, source_out=timecode - file_timecode + clip.frames,
                   source_start=file_timecode)


def shot_sources(cut: FilmCut, shots: Sequence[Shot], starts: Sequence[int],
                 offline: Sequence[bool]) -> dict[int, tuple[str, int, bool | None]]:
    """Shot index -> (reel, source timecode, its drop frame) where the cut's keys differ from what the
    shot has: clip i (its source counted in its file, in_file_timecode) made shot i, which starts on
    source frame starts[i]. An offline shot's timecode is set so that the frame it starts on has the
    cut's source timecode; a media shot's is its clip's source_start. The source's counting is the
    cut's word for it (a clip's own, else the cut's record counting), kept whatever the film's counting
    becomes later; None at a rate without drop frame."""
    sources: dict[int, tuple[str, int, bool | None]] = {}
    record_drop_frame = bool(cut.drop_frame)
    for index, clip in enumerate(cut.clips):
        shot = shots[index]
        if offline[index]:
            timecode = max(0, clip.source_start + clip.source_in - starts[index])
        else:
            timecode = clip.source_start
        reel = clip.reel or shot.reel
        drop = clip.source_counts_drop_frame(record_drop_frame, cut.frame_rate) if drop_frame_possible(
            cut.frame_rate) else None
        if (reel, timecode, drop) != (shot.reel, shot.source_timecode, shot.source_drop_frame):
            sources[index] = (reel, timecode, drop)
    return sources
