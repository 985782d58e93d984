"""What an import tells the creator afterwards, grouped so a long offline cut stays readable: a
10,000-event EDL with no media has 10,000 "no media" warnings, which read as one line with a count,
the first few shots named, and every line under "Show Details…". Notes that are not problems (music
picked up beside the EDL, a title made into a title card) get their own heading. Retimed shots are
one line too ("12 shots play at another speed", app/exchange/retime_report.py, as the CLI says it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from foundry_desktop.app.exchange.retime_report import first_named, grouped_retimes

# "Shot 12 (name): it has no media; it is a shot to generate or replace." (app/exchange/cut_import.py)
_OFFLINE = re.compile(r"^Shot (\d+) \((.*)\): .*; it is a shot to generate or replace\.$", re.DOTALL)
# "Shot 3 is the title 'Opening' (Basic Title); it became a title card to generate, ..." (FCPXML reader)
_TITLE_CARD = re.compile(r"^Shot (\d+) is the (?:title|generator) '(.*)' .*it became a title card", re.DOTALL)
# Warnings that repeat once per marker or music clip, counted as one line when there are several:
# (what each names, the line for several, where {count} and {names} go).
_REPEATED = (
    (re.compile(r"^The marker '(.*)' lies outside the visible part of its clip and was left out\.$", re.DOTALL),
     "{count} markers lie outside the visible part of their clips and were left out: {names}."),
    (re.compile(r"^Music (.*): .* was not found; it is left out\.$", re.DOTALL),
     "{count} music clips were left out: their files were not found ({names})."),
)
# Notes that say what was done, not what was lost.
_NOTES = (re.compile(r"was read with it"), re.compile(r"were read as music\."),
          re.compile(r"holds only audio events"), re.compile(r"were put in order\."))


@dataclass(frozen=True)
class ImportSummary:
    problems: tuple[str, ...]  # one line each, grouped: "9,812 shots have no media: …"
    notes: tuple[str, ...]  # what the import did that is no loss

    def text(self) -> str:
        parts = []
        if self.problems:
            parts.append("Some of the cut could not be kept as it was:\n\n"
                         + "\n".join(f"• {line}" for line in self.problems))
        if self.notes:
            parts.append("Also worth knowing:\n\n" + "\n".join(f"• {line}" for line in self.notes))
        return "\n\n".join(parts)


def _repeated_kind(warning: str) -> int | None:
    return next((kind for kind, (pattern, _) in enumerate(_REPEATED) if pattern.match(warning)), None)


def summarize(warnings: tuple[str, ...]) -> ImportSummary:
    """Group the import's warnings: offline shots counted (a title card once, as a title card, not also as
    a shot with no media), retimed shots, markers and music left out counted, notes apart from problems,
    every other warning as it is."""
    titles = {int(match[1]): match[2] for warning in warnings if (match := _TITLE_CARD.match(warning))}
    offline: list[str] = []
    problems: list[str] = []
    notes: list[str] = []
    repeated: dict[int, list[str]] = {}
    for warning in grouped_retimes(warnings):
        if (match := _OFFLINE.match(warning)) is not None:
            if int(match[1]) not in titles:
                offline.append(f"{match[1]} ({match[2]})")
        elif (kind := _repeated_kind(warning)) is not None:
            repeated.setdefault(kind, []).append(warning)
        elif _TITLE_CARD.match(warning) is None:
            (notes if any(note.search(warning) for note in _NOTES) else problems).append(warning)
    for kind, lines in repeated.items():
        pattern, several = _REPEATED[kind]
        names = [f"'{pattern.match(line)[1]}'" for line in lines]  # type: ignore[index]  (each matched above)
        problems.append(lines[0] if len(lines) == 1
                        else several.format(count=f"{len(lines):,}", names=first_named(names)))
    if titles:
        count = len(titles)
        cards = "title cards" if count > 1 else "a title card"
        notes.insert(0, f"{count:,} title{'s' if count > 1 else ''} became {cards} to generate: "
                        f"{first_named([f'{number} ({name})' for number, name in sorted(titles.items())])}.")
    if offline:
        count = len(offline)
        problems.insert(0, f"{count:,} shot{'s have' if count > 1 else ' has'} no media that could be used: "
                           f"{'they are shots' if count > 1 else 'it is a shot'} to generate or replace "
                           f"(shot {first_named(offline)}).")
    return ImportSummary(tuple(problems), tuple(notes))


def show_import_report(parent: QWidget, title: str, warnings: tuple[str, ...]) -> QMessageBox | None:
    """The grouped report in a box that does not stop the app; every warning, one a line, under its details."""
    if not warnings:
        return None
    summary = summarize(warnings)
    problems = bool(summary.problems)
    box = QMessageBox(QMessageBox.Icon.Warning if problems else QMessageBox.Icon.Information, title,
                      summary.text(), QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText("\n".join(warnings))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
