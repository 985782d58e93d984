"""The storyboard's contact sheet for a 40-shot, 8-scene film whose keyframes are all approved
1280×720 photograph-like PNGs: the PDF painted in-process (the window's File ▸ Export storyboard…
does this in a worker thread), and `foundry storyboard export` from the command line end to end
(its desktop program started, the project opened, the PDF written). Issue 18's target: ≤ 3 s.
Both read the keyframes with as many threads as the machine has cores, as the command does.

Run the same way each time:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/storyboard_export.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests")]

from PySide6.QtGui import QGuiApplication  # noqa: E402
from storyboard_scroll import film  # noqa: E402

from foundry_desktop.app.project_service import ProjectService  # noqa: E402
from foundry_desktop.app.storyboard import storyboard_of  # noqa: E402
from foundry_desktop.ui.storyboard.sheet import write_sheet  # noqa: E402

TARGET_S = 3.0


def main() -> None:
    app = QGuiApplication([])
    with tempfile.TemporaryDirectory() as folder:
        path = film(Path(folder))
        began = time.perf_counter()
        with ProjectService.open(path, read_only=True) as service:
            board = storyboard_of(service)
        write_sheet(board, Path(folder) / "board.pdf", readers=os.cpu_count() or 1)
        in_process_s = time.perf_counter() - began
        began = time.perf_counter()
        write_sheet(board, Path(folder) / "board.png", readers=os.cpu_count() or 1)
        png_s = time.perf_counter() - began
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "foundry_desktop.cli.main", "storyboard", "export", str(path),
                               "-o", str(Path(folder) / "cli.pdf"), "--json"], capture_output=True, text=True,
                              cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
        cli_s = time.perf_counter() - began
        written = json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr.strip()}
        size = (Path(folder) / "board.pdf").stat().st_size
    del app
    print(json.dumps({"shots": len(board.cards), "scenes": sum(row.scene is not None for row in board.rows),
                      "pages": written.get("pages"), "pdf_bytes": size,
                      "pdf_in_process_s": round(in_process_s, 2), "png_pages_in_process_s": round(png_s, 2),
                      "cli_end_to_end_s": round(cli_s, 2), "target_s": TARGET_S,
                      "ok": in_process_s <= TARGET_S and cli_s <= TARGET_S}, indent=2))


if __name__ == "__main__":
    main()
