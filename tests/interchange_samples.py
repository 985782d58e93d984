"""Where the interchange samples lie: tests/data/interchange (real files written by Final Cut,
Premiere and Avid, and a few of our own; tests/data/SOURCES.md says where each came from).

Apple's FCPXML DTDs are not redistributable, so they are not in the repository: the DTD tests
read them from the folder FOUNDRY_FCPXML_DTD_DIR names (CI sets it) and are skipped without it.
"""

import os
from fractions import Fraction
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "data" / "interchange"
EDL_SAMPLES = SAMPLES / "edl"
FCPXML_SAMPLES = SAMPLES / "fcpxml"
DTD_DIR_VARIABLE = "FOUNDRY_FCPXML_DTD_DIR"

NTSC = Fraction(30000, 1001)
# An EDL does not say its frame rate: the rate each sample was cut at, where it is not 24 fps.
EDL_SAMPLE_RATES = {
    "fcm_switch.edl": NTSC, "premiere_utf16.edl": NTSC, "foundry_2997_drop_frame.edl": NTSC, "pycmx_TEST.edl": NTSC,
    "ndf_sources_in_drop_frame.edl": NTSC,
    "resolve_file32.edl": Fraction(25), "latin1_names.edl": Fraction(25), "comments_without_star.edl": Fraction(25),
    "audio_only.edl": Fraction(25), "otio_25fps.edl": Fraction(25), "foundry_reel4_start.edl": Fraction(25),
    "foundry_60fps_dissolves.edl": Fraction(60),
}


def edl_sample_rate(name: str) -> Fraction:
    return EDL_SAMPLE_RATES.get(name, Fraction(24))


def fcpxml_dtd_dir() -> Path | None:
    """The folder holding Apple's FCPXMLv1_*.dtd files, or None when the environment names none."""
    folder = os.environ.get(DTD_DIR_VARIABLE)
    return Path(folder) if folder else None
