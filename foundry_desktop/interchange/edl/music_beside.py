"""An EDL read for import, with the music EDLs Foundry writes beside it.

An EDL has one picture track, so Foundry exports a film's music to its own EDLs
beside the picture's: `film.edl` has `film.music.edl`, and overlapping music goes
on to `film.music_2.edl`, `film.music_3.edl`... (writer.py). Importing `film.edl`
reads those too, their record times counted from the picture's first frame, and
says so. An EDL with no picture is imported as its music when its audio files are
there; when none is, there is nothing to import, and the refusal says what to do.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.edl.edl_bytes import read_edl_file
from foundry_desktop.interchange.edl.reader import read_edl_placed
from foundry_desktop.interchange.file_url import is_media_file
from foundry_desktop.interchange.film_cut import CutMusic, ReadCut

_MUSIC_EDL = re.compile(r"\.music(_\d+)?\.edl$", re.IGNORECASE)


def music_edls_beside(path: Path) -> list[Path]:
    """The music EDLs written beside the picture EDL `path` (none beside a music EDL)."""
    path = Path(path)
    if _MUSIC_EDL.search(path.name):
        return []
    found = []
    candidate = path.with_name(f"{path.stem}.music.edl")
    while candidate.is_file():
        found.append(candidate)
        candidate = path.with_name(f"{path.stem}.music_{len(found) + 1}.edl")
    return found


def read_edl_with_music(path: Path, frame_rate: Fraction) -> ReadCut:
    """The cut in the EDL at `path`, its music EDLs' clips added to its music."""
    path = Path(path)
    folder = path.absolute().parent
    read, origin = read_edl_placed(read_edl_file(path), frame_rate, folder=folder, file_name=path.name)
    music, warnings = list(read.cut.music), list(read.warnings)
    beside = music_edls_beside(path)
    for music_path in beside:
        more, _ = read_edl_placed(read_edl_file(music_path), frame_rate, folder=folder, file_name=music_path.name,
                                  origin=origin)
        music += more.cut.music
        warnings += more.warnings
    if beside:
        names = ", ".join(p.name for p in beside)
        count = len(music) - len(read.cut.music)
        warnings.append(f"The music in {names}, beside {path.name}, was read with it "
                        f"({count} clip{'' if count == 1 else 's'}).")
    if not read.cut.clips:
        _only_audio(path, music, warnings)
    cut = replace(read.cut, music=tuple(sorted(music, key=lambda m: m.record_in)))
    return ReadCut(cut, tuple(dict.fromkeys(warnings)))


def _only_audio(path: Path, music: list[CutMusic], warnings: list[str]) -> None:
    """An EDL without picture: its music, if any of its files is there; else a refusal."""
    if any(is_media_file(m.media) for m in music):
        warnings.append(f"{path.name} holds only audio events ({len(music)}), no picture: its audio was imported "
                        "as music, and the film has no shots.")
        return
    if not music:
        raise CutFileError(f"{path.name} holds no picture or sound Foundry can import: its events are black, "
                           "keys, or on no video or audio channel.")
    missing = next((m.media.name for m in music if m.media is not None), music[0].name)
    raise CutFileError(f"{path.name} holds only audio events ({len(music)}), no picture, and none of their files "
                       f"(such as {missing}) is in {path.absolute().parent}: import its picture EDL, or put the "
                       "audio files there and import it again.")
