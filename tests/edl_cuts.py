"""FilmCuts for the EDL tests, built the way FilmCut describes a cut: shots butted end
to end, each transition centred on its cut (record_in = cut - frames // 2)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from foundry_desktop.interchange.film_cut import CutClip, CutMusic, CutTransition, FilmCut, frames_before_cut

MEDIA = Path("/media/Foundry Films/takes")
RATES = {
    "23.976": Fraction(24000, 1001),
    "24": Fraction(24),
    "25": Fraction(25),
    "29.97": Fraction(30000, 1001),
    "30": Fraction(30),
    "59.94": Fraction(60000, 1001),
}


def film(
    rate: Fraction,
    shots: list[tuple[str, Path | None, int, int]],
    transitions: list[tuple[int, str, int]] = (),
    *,
    fade_in: int = 0,
    fade_out: int = 0,
    music: tuple[CutMusic, ...] = (),
    name: str = "Night Market",
) -> FilmCut:
    """shots: (name, media, source_in, frames); transitions: (outgoing, kind, frames)."""
    clips = []
    record = 0
    for shot_name, media, source_in, frames in shots:
        clips.append(CutClip(shot_name, media, source_in + frames + 40, source_in, source_in + frames,
                             record, record + frames, still=media is not None and media.suffix == ".png"))
        record += frames
    placed = tuple(
        CutTransition(outgoing, kind, clips[outgoing].record_out - frames_before_cut(frames), frames)
        for outgoing, kind, frames in transitions
    )
    return FilmCut(name, rate, 1920, 1080, tuple(clips), placed, fade_in, fade_out, music)


def cuts_only(rate: Fraction) -> FilmCut:
    return film(rate, [
        ("Opening", MEDIA / "shot_01_take_3.mp4", 0, 96),
        ("Stalls", MEDIA / "shot_02_take_1.mp4", 12, 61),
        ("Lanterns", MEDIA / "shot_03_take_2.mp4", 5, 120),
    ])


def every_transition(rate: Fraction) -> FilmCut:
    """Fades at both ends, dissolves of even and odd length, fades through black and
    white (one of a single frame), an offline shot, a still, a file used twice,
    two files whose names agree in their first 8 characters, and a long shot that
    crosses minute boundaries (drop-frame labels skip there)."""
    return film(rate, [
        ("Opening", MEDIA / "shot_001_take3.mp4", 24, 100),
        ("Stalls", MEDIA / "shot_001_take7.mp4", 30, 75),
        ("Cook & <wok>", MEDIA / "cook.mov", 16, 2000),
        ("Offline shot", None, 0, 50),
        ("Poster", MEDIA / "poster.png", 0, 48),
        ("Opening again", MEDIA / "shot_001_take3.mp4", 300, 61),
        ("Lanterns", MEDIA / "lanterns.mp4", 8, 90),
        ("Last", MEDIA / "last.mp4", 10, 72),
    ], [
        (0, "dissolve", 12), (1, "dissolve", 9), (2, "fade_black", 20), (3, "fade_white", 15),
        (5, "fade_black", 1), (6, "dissolve", 2),
    ], fade_in=18, fade_out=25)


def single_shot_with_fades(rate: Fraction) -> FilmCut:
    return film(rate, [("Only", MEDIA / "only.mp4", 0, 60)], fade_in=20, fade_out=40)


def with_music(rate: Fraction) -> FilmCut:
    """Music that starts late, fades, cross-fades, leaves a gap and overlaps."""
    songs = MEDIA.parent / "music"
    music = (
        CutMusic("Theme", songs / "theme.wav", 4000, 0, 300, 10, fade_in=24, fade_out=30),
        CutMusic("Theme reprise", songs / "reprise.wav", 4000, 100, 400, 280, fade_in=30),  # cross-fade
        CutMusic("Sting", songs / "sting.wav", 400, 0, 48, 700),  # after a gap
        CutMusic("Drone", songs / "drone.wav", 4000, 0, 200, 150, fade_out=12),  # over the others
    )
    return replace(cuts_only(rate), music=music)


def non_ascii(rate: Fraction) -> FilmCut:
    return film(rate, [
        ("Café au lait", Path("/media/Café/Ångström take.mp4"), 0, 50),
        ("夜市", Path("/media/夜市/夜市.mp4"), 10, 50),
        ("Tab\tand\nnewline", MEDIA / "plain.mp4", 0, 50),
    ], [(0, "dissolve", 10)], name="Film “Nuit” — été")


CUTS = {
    "cuts_only": cuts_only,
    "every_transition": every_transition,
    "single_shot_with_fades": single_shot_with_fades,
    "with_music": with_music,
    "non_ascii": non_ascii,
}
