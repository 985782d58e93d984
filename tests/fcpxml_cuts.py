"""FilmCuts for the FCPXML tests: one film with every kind of thing a cut can hold, at any rate."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from foundry_desktop.interchange.film_cut import (
    CutCaption,
    CutClip,
    CutMarker,
    CutMusic,
    CutTransition,
    FilmCut,
    frames_before_cut,
)

GOLDEN_RATES = {"23.976": Fraction(24000, 1001), "25": Fraction(25), "29.97": Fraction(30000, 1001), "30": Fraction(30)}
ALL_RATES = {**GOLDEN_RATES, "24": Fraction(24), "50": Fraction(50), "59.94": Fraction(60000, 1001), "60": Fraction(60)}

PLAIN_NAMES = {
    "film": "Desert Film",
    "clips": ("Shot 1", "Shot 2", "Shot 3", "Shot 4"),
    "media": (Path("/media/films/shot1.mp4"), Path("/media/films/shot2.mp4"), Path("/media/films/still3.png"),
              Path("/media/films/shot1.mp4")),
    "music": (Path("/media/films/theme.wav"), Path("/media/films/coda.wav")),
}
# Everything a name or path can hold that XML or a URL must escape.
TRICKY_NAMES = {
    "film": 'Film & "Friends" <cut 2>',
    "clips": ('Take & "one" <1>', "Größe — 夜の街", "it's a still", "Take & \"one\" <1>"),
    "media": (Path("/media/Foundry Films/shot #1 100%.mp4"), Path("/media/Foundry Films/día?/take 2 & more.mov"),
              Path("/media/Foundry Films/夜 still.png"), Path("/media/Foundry Films/shot #1 100%.mp4")),
    "music": (Path("/media/Foundry Films/Theme & Variations #2.wav"), Path("/media/Foundry Films/coda 50%.wav")),
}

# (media frames, source in, length, has audio, still) per clip: handles on both sides of every cut.
_CLIPS = ((400, 12, 48, True, False), (300, 30, 61, False, False), (57, 20, 37, False, True),
          (400, 160, 75, True, False))


def film(rate: Fraction, *, transitions: bool = True, fades: bool = True, music: bool = True,
         markers: bool = True, captions: bool = True, names: dict = PLAIN_NAMES) -> FilmCut:
    """Four shots (the third a still, the fourth from the first's file again) of 48, 61, 37 and 75
    frames: a dissolve, an 11-frame fade through black and a fade through white between them, a fade
    in and out, two pieces of music, three markers and two captions."""
    clips = []
    record = 0
    for (media_frames, source_in, frames, has_audio, still), name, media in zip(
            _CLIPS, names["clips"], names["media"], strict=True):
        clips.append(CutClip(name, media, media_frames, source_in, source_in + frames, record, record + frames,
                             has_audio=has_audio, still=still))
        record += frames
    cuts = [clip.record_out for clip in clips[:-1]]
    between = ()
    if transitions:
        between = tuple(CutTransition(i, kind, cuts[i] - frames_before_cut(frames), frames)
                        for i, (kind, frames) in enumerate((("dissolve", 12), ("fade_black", 11), ("fade_white", 8))))
    pieces = ()
    if music:
        theme, coda = names["music"]
        pieces = (CutMusic("Theme & Variations" if names is TRICKY_NAMES else "Theme", theme, 2000, 0, 150, 0,
                           gain_db=-3.5, fade_in=12, fade_out=24),
                  CutMusic("Coda", coda, 900, 300, 361, 160))
    return FilmCut(
        name=names["film"],
        frame_rate=rate,
        width=1920,
        height=1080,
        clips=tuple(clips),
        transitions=between,
        fade_in=10 if fades else 0,
        fade_out=15 if fades else 0,
        music=pieces,
        markers=(CutMarker(5, "Start <here>"), CutMarker(70, "Größe & co"), CutMarker(200, "")) if markers else (),
        captions=(CutCaption(20, 60, "Hello & <welcome>"), CutCaption(150, 190, "Two\nlines “quoted”"))
        if captions else (),
        timecode_start=3600 * round(rate), drop_frame=False,  # 01:00:00:00 NDF, as the sequence's tcStart says
    )


def offline_film(rate: Fraction) -> FilmCut:
    """A shot whose take is unknown between two that have one, dissolving into it."""
    clips = (CutClip("Opening", Path("/media/a.mp4"), 100, 10, 40, 0, 30),
             CutClip("Missing shot", None, 24, 0, 24, 30, 54),
             CutClip("Closing", Path("/media/b.mp4"), 100, 10, 40, 54, 84))
    return FilmCut("Offline", rate, 1280, 720, clips, (CutTransition(0, "dissolve", 26, 8),),
                   timecode_start=3600 * round(rate), drop_frame=False)
