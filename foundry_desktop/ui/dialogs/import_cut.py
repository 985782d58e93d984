"""What importing a cut asks the creator: the file, the frame rate when the file is an
EDL (which does not say), where the new project goes, and, when the file holds several
timelines (an FCPXML library's projects), which one. That last is known only once the
file has been read, in the import's worker thread: the import answers with the names
instead of a project, and is run again with the one chosen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from foundry_desktop.app.exchange.cut_import import IMPORT_FORMATS, ImportReport, import_cut
from foundry_desktop.errors import CutChoiceError

EDL_RATES = ("23.976", "24", "25", "29.97", "30", "50", "59.94", "60")


@dataclass(frozen=True)
class ImportChoice:
    source: Path
    project: Path
    frame_rate: str | None  # an EDL's; None for files that carry their own
    sequence: str | None = None  # which of the file's timelines, by name or number; None: its only one


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


def import_or_names(choice: ImportChoice) -> ImportReport | CutChoiceError:
    """Import the cut (blocking: a worker thread's), or the refusal that lists the timelines to choose from."""
    try:
        return import_cut(choice.source, choice.project, frame_rate=choice.frame_rate, sequence=choice.sequence)
    except CutChoiceError as exc:
        return exc


def ask_for_sequence(parent: QWidget, source: Path, names: tuple[str, ...],
                     chosen: Callable[[str], None]) -> QInputDialog:
    """A window-modal list of the file's timelines; `chosen` gets the one picked, by its number in the list
    (names may repeat: two projects called "Untitled" are still two)."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Which timeline?")
    dialog.setLabelText(f"{source.name} holds {len(names)} timelines.\nWhich one should be imported?")
    dialog.setOption(QInputDialog.InputDialogOption.UseListViewForComboBoxItems)
    dialog.setComboBoxItems(list(names))
    dialog.setComboBoxEditable(False)
    dialog.setOkButtonText("Import")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.textValueSelected.connect(lambda name: chosen(str(names.index(name) + 1)))
    dialog.open()
    return dialog
