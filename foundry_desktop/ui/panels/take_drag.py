"""A take dragged out of the takes bin: what the drag carries, and reading it back on a drop."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

TAKE_MIME = "application/x-foundry-take"


def take_mime_data(shot_id: str, take_id: str) -> QMimeData:
    data = QMimeData()
    data.setData(TAKE_MIME, json.dumps({"shot_id": shot_id, "take_id": take_id}).encode())
    return data


def dragged_take(data: QMimeData) -> tuple[str, str] | None:
    """(shot id, take id) of a dragged take; None when the drag carries something else."""
    if not data.hasFormat(TAKE_MIME):
        return None
    try:
        carried = json.loads(bytes(data.data(TAKE_MIME).data()))
        return str(carried["shot_id"]), str(carried["take_id"])
    except (ValueError, KeyError, TypeError):
        return None
