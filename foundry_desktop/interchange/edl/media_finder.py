"""Where an EDL event's media is, and what its clip is called (reader.py gives the order of the clues)."""

from __future__ import annotations

import os
import re
from pathlib import Path, PureWindowsPath

from foundry_desktop.interchange.edl.edit_events import BLACK_REELS, EditEvent, EdlParser
from foundry_desktop.interchange.file_url import path_from_file_url

UNNAMED_REELS = frozenset({"AX", *BLACK_REELS})


class MediaFinder:
    """Each event's clip name and media path (see the module's rules for the order)."""

    def __init__(self, parser: EdlParser, folder: Path):
        self.folder = folder
        self.parser = parser
        self.known: dict[tuple[str, str], Path | None] = {}
        self.windows_paths: list[str] = []
        for event in parser.events:  # learn first, so an event may borrow from a later one
            name, _, path, how = self._said(event)
            if how == "said":
                self.known.setdefault((event.incoming.reel, name), path)

    def _path(self, text: str) -> Path | None:
        text = text.strip()
        if not text or text.upper() == "(NULL)":
            return None
        if os.name != "nt" and re.match(r"^([A-Za-z]:[\\/]|\\\\)", text):
            self.windows_paths.append(text)
            return self.folder / PureWindowsPath(text).name
        return Path(os.path.normpath(self.folder / text))

    def _said(self, event: EditEvent) -> tuple[str, str, Path | None, str]:
        """(display name, file name, path, how sure): "said" when a comment gives the
        path, "maybe none" for `(NULL)` in a dissolve from black (Avid writes the black's
        there, Foundry an offline clip's), "unsaid" otherwise."""
        c = event.comments
        outgoing = event.outgoing
        file_name = c.get("to_name" if outgoing else "from_name") or ""
        if outgoing is not None and not file_name and outgoing.black:
            file_name = c.get("from_name", "")
        file_name = file_name or event.incoming.reel
        name = c.get("foundry_name") or file_name
        if "source_url" in c:
            return name, file_name, path_from_file_url(c["source_url"], self.folder), "said"
        if outgoing is not None and "to_file" in c:
            return name, file_name, self._path(c["to_file"]), "said"
        source = c.get("source_file")
        if source is not None and outgoing is not None:
            if source.strip().upper() == "(NULL)" and outgoing.black:
                return name, file_name, None, "maybe none"
            stated = PureWindowsPath(source).name
            if stated == c.get("from_name") and stated != c.get("to_name"):
                source = None  # the outgoing clip's file
        if source is None and outgoing is None:
            source = c.get("from_file")
        if source is not None:
            return name, file_name, self._path(source), "said"
        return name, file_name, None, "unsaid"

    def clip(self, event: EditEvent) -> tuple[str, str, Path | None]:
        name, file_name, path, how = self._said(event)
        if how == "said":
            return name, file_name, path
        key = (event.incoming.reel, name)
        if key in self.known:
            return name, file_name, self.known[key]
        if how == "unsaid" and file_name and file_name.upper() not in UNNAMED_REELS:
            return name, file_name, self._path(file_name)
        return name, file_name, None
