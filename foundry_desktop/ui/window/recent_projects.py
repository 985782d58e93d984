"""The projects opened lately, remembered between runs in the window's settings: each once
(however its path was spelled), newest first, those no longer on disk left out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

RECENT_KEPT = 8


class RecentProjects:
    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def paths(self) -> list[str]:
        value = self._settings.value("recent", [])
        paths = [value] if isinstance(value, str) else list(value or [])
        return distinct_recent([path for path in paths if Path(path).exists()])

    def remember(self, path: Path) -> None:
        self._settings.setValue("recent", distinct_recent([str(path), *self.paths()])[:RECENT_KEPT])

    def forget(self, path: Path) -> None:
        self._settings.setValue("recent", [p for p in self.paths() if p != str(path)])

    def fill(self, menu: QMenu, open_project: Callable[[str], object]) -> None:
        """File ▸ Open recent: one entry a project, its path in the tooltip."""
        menu.clear()
        paths = self.paths()
        for path, name in zip(paths, recent_names(paths)):
            action = menu.addAction(name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: open_project(p))
        menu.setEnabled(bool(paths))


def distinct_recent(paths: list[str]) -> list[str]:
    """Each project once (the same file reached by another spelling of its path counts once),
    newest first."""
    seen: set[Path] = set()
    kept = []
    for path in paths:
        resolved = Path(path).expanduser().resolve()
        if resolved not in seen:
            seen.add(resolved)
            kept.append(path)
    return kept


def recent_names(paths: list[str]) -> list[str]:
    """How each recent project is listed: its file name, and its folder's name where another
    project of the list has the same file name (three "demo.foundry" looked identical)."""
    names = [Path(path).name for path in paths]
    return [f"{name} — {Path(path).parent.name or Path(path).parent}" if names.count(name) > 1 else name
            for name, path in zip(names, paths)]
