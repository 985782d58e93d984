"""FilmCuts for the OTIO tests: built directly, with awkward names and paths on purpose."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from foundry_desktop.interchange.film_cut import (
    CutCaption,
    CutClip,
    CutMarker,
    CutMusic,
    CutTransition,
    CutTransitionKind,
    FilmCut,
    frames_before_cut,
)

RATES = {
    "23.976": Fraction(24000, 1001),
    "25": Fraction(25),
    "29.97": Fraction(30000, 1001),
    "30": Fraction(30),
    "59.94": Fraction(60000, 1001),
}

# Paths with a space, &, #, %, a question mark and non-ASCII letters.
MEDIA = Path("/films/Rêve & Co/shot #1 100%.mp4")
MEDIA_2 = Path("/films/Rêve & Co/shot_002?take=7 été.mov")
STILL = Path("/films/Rêve & Co/title card 日本.png")
SONG = Path("/films/music/Théme #2 (50% louder).wav")


def clips_of(*specs: tuple[str, Path | None, int, int, int], metadata: list[dict] | None = None,
             sound: tuple[bool, ...] = ()) -> tuple[CutClip, ...]:
    """Clips butted end to end from (name, media, media_frames, source_in, frames)."""
    clips = []
    record = 0
    for index, (name, media, media_frames, source_in, frames) in enumerate(specs):
        clips.append(CutClip(
            name=name, media=media, media_frames=media_frames, source_in=source_in, source_out=source_in + frames,
            record_in=record, record_out=record + frames, has_audio=index < len(sound) and sound[index],
            still=media is not None and media.suffix == ".png",
            metadata=(metadata[index] if metadata else {}),
        ))
        record += frames
    return tuple(clips)


def centred(clips: tuple[CutClip, ...], outgoing: int, kind: CutTransitionKind, frames: int) -> CutTransition:
    return CutTransition(outgoing, kind, clips[outgoing].record_out - frames_before_cut(frames), frames)


SHOT_METADATA = [
    {"prompt": "A “quiet” harbour at dawn, gulls & fog", "seed": 1234567890123, "backend": "comfyui",
     "shot_id": "shot-0001", "take_id": "take-0003", "loras": ["film grain", 0.6], "cfg": 6.5},
    {"prompt": "Zoom into the lighthouse window", "seed": 42, "backend": "runway", "shot_id": "shot-0002",
     "take_id": "take-0007", "negative": None},
    {"prompt": "Title: Rêve", "seed": 0, "backend": "builtin", "shot_id": "shot-0003", "take_id": "take-0001"},
    {"prompt": "", "seed": 7, "backend": "stability", "shot_id": "shot-0004", "take_id": None},
]


def full_cut(frame_rate: Fraction) -> FilmCut:
    """Four clips (one offline, one still), a dissolve of even length and dips through black and white of
    odd lengths, fades at both ends, overlapping music, markers and captions."""
    clips = clips_of(
        ("shot #1 100%.mp4", MEDIA, 200, 20, 90),
        ("shot_002?take=7 été.mov", MEDIA_2, 150, 30, 60),
        ("title card 日本.png", STILL, 200, 10, 48),
        ("Missing take", None, 120, 10, 70),
        metadata=SHOT_METADATA, sound=(True, True, False, True),
    )
    return FilmCut(
        name="Rêve & Co — cut 3",
        frame_rate=frame_rate,
        timecode_start=3600 * round(frame_rate),  # the timeline's global start: 01:00:00:00
        width=1280,
        height=720,
        clips=clips,
        transitions=(centred(clips, 0, "dissolve", 12), centred(clips, 1, "fade_black", 9),
                     centred(clips, 2, "fade_white", 7)),
        fade_in=10,
        fade_out=15,
        music=(
            CutMusic("Théme #2", SONG, 5000, 100, 250, 0, gain_db=-6.5, fade_in=24, fade_out=36),
            CutMusic("Sting", SONG, 5000, 3000, 3040, 120, gain_db=0.0, fade_in=0, fade_out=10),  # overlaps
        ),
        markers=(CutMarker(5, "Start", "#e5a50a"), CutMarker(150, "Fix the colour", "#33d17a"),
                 CutMarker(268, "", "#2060e0")),
        captions=(CutCaption(12, 60, "Dawn over the harbour"),
                  CutCaption(100, 180, "« Rêve » — 2025\nsecond line")),
    )


def simple_cut(frame_rate: Fraction) -> FilmCut:
    """Two clips and a dissolve: the golden files' cut."""
    clips = clips_of(("shot #1 100%.mp4", MEDIA, 200, 20, 90), ("shot_002?take=7 été.mov", MEDIA_2, 150, 30, 60),
                     metadata=SHOT_METADATA[:2])
    return FilmCut(name="Simple cut", frame_rate=frame_rate, width=1920, height=1080, clips=clips,
                   timecode_start=3600 * round(frame_rate),
                   transitions=(centred(clips, 0, "dissolve", 10),), fade_in=6,
                   markers=(CutMarker(30, "Look here"),))


def long_cut(frame_rate: Fraction) -> FilmCut:
    """Over an hour at every rate (more than 500,000 frames), so float rates would drift if times were seconds."""
    clips = clips_of(
        ("reel 1", MEDIA, 300_000, 1_001, 200_000),
        ("reel 2", MEDIA_2, 300_000, 17, 299_983),
        ("reel 3", MEDIA, 300_000, 12_345, 77),
        ("reel 4", MEDIA_2, 300_000, 99_999, 100_001),
    )
    return FilmCut(name="Long", frame_rate=frame_rate, width=3840, height=2160, clips=clips,
                   timecode_start=3600 * round(frame_rate),
                   transitions=(centred(clips, 0, "dissolve", 25), centred(clips, 2, "dissolve", 31)),
                   fade_out=49,
                   music=(CutMusic("Score", SONG, 900_000, 1, 500_001, 499_999),),
                   markers=(CutMarker(500_001, "half a million"),), captions=(CutCaption(499_990, 500_010, "Late"),))
