"""What importing a cut asks the creator: the file, the frame rate when the file is an
EDL (which does not say), and where the new project goes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from foundry_desktop.app.exchange.cut_import import IMPORT_FORMATS

EDL_RATES = ("23.976", "24", "25", "29.97", "30", "50", "59.94", "60")


@dataclass(frozen=True)
class ImportChoice:
    source: Path
    project: Path
    frame_rate: str | None  # an EDL's; None for files that carry their own


def free_project_path(source: Path) -> Path:
    """A project path beside the cut that names no existing file: NAME.foundry, NAME 2.foundry..."""
    candidate, number = source.with_suffix(".foundry"), 2
    while candidate.exists():
        candidate = source.with_name(f"{source.stem} {number}.foundry")
        number += 1
    return candidate


def ask_for_import(parent: QWidget, start_folder: Path) -> ImportChoice | None:
    patterns = " ".join(f"*{extension}" for extension in IMPORT_FORMATS)
    chosen, _ = QFileDialog.getOpenFileName(parent, "Import a cut", str(start_folder),
                                            f"Cuts from other editors ({patterns})")
    if not chosen:
        return None
    source = Path(chosen)
    rate = None
    if source.suffix.lower() == ".edl":
        rate, ok = QInputDialog.getItem(parent, "Frame rate", f"{source.name} does not say its frame rate.\n"
                                        "Which rate was it cut at?", EDL_RATES, 1, False)
        if not ok:
            return None
    target, _ = QFileDialog.getSaveFileName(parent, "Save the imported project as", str(free_project_path(source)),
                                            "Foundry projects (*.foundry)")
    if not target:
        return None
    return ImportChoice(source, Path(target).with_suffix(".foundry"), rate)
