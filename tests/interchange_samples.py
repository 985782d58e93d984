"""Where the interchange samples lie: tests/data/interchange (real files written by Final Cut,
Premiere and Avid, and a few of our own; tests/data/SOURCES.md says where each came from).

Apple's FCPXML DTDs are not redistributable, so they are not in the repository: the DTD tests
read them from the folder FOUNDRY_FCPXML_DTD_DIR names (CI sets it) and are skipped without it.
"""

import os
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "data" / "interchange"
EDL_SAMPLES = SAMPLES / "edl"
FCPXML_SAMPLES = SAMPLES / "fcpxml"
DTD_DIR_VARIABLE = "FOUNDRY_FCPXML_DTD_DIR"


def fcpxml_dtd_dir() -> Path | None:
    """The folder holding Apple's FCPXMLv1_*.dtd files, or None when the environment names none."""
    folder = os.environ.get(DTD_DIR_VARIABLE)
    return Path(folder) if folder else None
