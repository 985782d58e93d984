"""Where the interchange reference lies: ../shared/reference/interchange beside the repository
(FCPXML DTDs and real files written by Final Cut, Resolve, Premiere and Avid)."""

from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "interchange"
EDL_SAMPLES = REFERENCE / "samples" / "edl"
FCPXML_SAMPLES = REFERENCE / "samples" / "fcpxml"
DTDS = REFERENCE / "dtd"
