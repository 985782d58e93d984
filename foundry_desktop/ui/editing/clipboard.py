"""Copied shots on the system clipboard: the service's plain data as JSON under the app's own
MIME type, so another window of the app (another project) can paste them, with the shots'
names as plain text for any other program.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

SHOTS_MIME = "application/x-foundry-shots+json"


def put_shots(payload: dict[str, Any]) -> None:
    data = QMimeData()
    data.setData(SHOTS_MIME, json.dumps(payload).encode("utf-8"))
    data.setText("\n".join(shot["name"] or shot["spec"]["prompt"] for shot in payload["shots"]))
    QGuiApplication.clipboard().setMimeData(data)


def copied_shots() -> dict[str, Any] | None:
    """What put_shots put there (here or in another window), or None when the clipboard holds
    anything else. The service checks the data itself when it is pasted."""
    data = QGuiApplication.clipboard().mimeData()
    if data is None or not data.hasFormat(SHOTS_MIME):
        return None
    try:
        payload = json.loads(bytes(data.data(SHOTS_MIME).data()).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None
