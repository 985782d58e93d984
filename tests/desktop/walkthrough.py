"""Drive the real editor under Xvfb with xdotool, as a creator would, and save a screenshot
after each gesture: `python tests/desktop/walkthrough.py OUT_DIR`.

Not a pytest test: it exercises the installed program from outside (X events into a real
window) and leaves pictures for a person to look at. The gestures and what each must show
are in STEPS; a step that cannot be done ends the walk with the reason. The project starts
as the demo (`foundry demo`), the window as it first opens on a fresh machine (settings in a
temporary home), maximised on a 1600x1000 screen, so the timeline's geometry is known.

Needs Debian's xvfb, xdotool, x11-apps (xwd) and imagemagick (convert).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIZE = (1600, 1000)
DISPLAY = ":93"


@dataclass
class Desktop:
    env: dict[str, str]
    out: Path
    folder: Path
    count: int = 0

    def xdotool(self, *args: object) -> str:
        done = subprocess.run(["xdotool", *map(str, args)], env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"xdotool {' '.join(map(str, args))}: {done.stderr.strip()}")
        return done.stdout

    def capture(self) -> bytes:
        return subprocess.run(["xwd", "-root", "-silent"], env=self.env, capture_output=True, check=True).stdout

    def settle(self, quiet_s: float = 0.6, limit_s: float = 20.0) -> None:
        """Until the screen stops changing for `quiet_s` (work in threads lands in the window)."""
        started = time.monotonic()
        last, since = None, time.monotonic()
        while time.monotonic() - started < limit_s:
            digest = hashlib.sha1(self.capture()).digest()
            if digest != last:
                last, since = digest, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
            time.sleep(0.1)

    def shot(self, name: str, *, settle: bool = True) -> Path:
        if settle:
            self.settle()
        self.count += 1
        path = self.out / f"{self.count:02d}-{name}.png"
        raw = self.folder / "screen.xwd"
        raw.write_bytes(self.capture())
        subprocess.run(["convert", f"xwd:{raw}", str(path)], check=True)
        print(f"{path.name}")
        return path

    # -- gestures ----------------------------------------------------------------------------------
    def key(self, *keys: str) -> None:
        self.xdotool("key", "--clearmodifiers", *keys)
        time.sleep(0.15)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", 40, text)

    def click(self, x: int, y: int, button: int = 1, repeat: int = 1) -> None:
        self.xdotool("mousemove", x, y)
        time.sleep(0.1)
        self.xdotool("click", "--repeat", repeat, "--delay", 80, button)
        time.sleep(0.2)

    def drag(self, start: tuple[int, int], end: tuple[int, int], steps: int = 12) -> None:
        self.xdotool("mousemove", *start)
        time.sleep(0.1)
        self.xdotool("mousedown", 1)
        for i in range(1, steps + 1):
            x = start[0] + (end[0] - start[0]) * i // steps
            y = start[1] + (end[1] - start[1]) * i // steps
            self.xdotool("mousemove", x, y)
            time.sleep(0.03)
        self.xdotool("mouseup", 1)
        time.sleep(0.3)


Step = Callable[[Desktop], None]


def start_screen(env: dict[str, str]) -> subprocess.Popen:
    screen = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        if subprocess.run(["xdotool", "getdisplaygeometry"], env=env, capture_output=True).returncode == 0:
            return screen
        time.sleep(0.05)
    sys.exit(f"Xvfb did not start on {DISPLAY}")


def open_window(desktop: Desktop, project: Path) -> subprocess.Popen:
    app = subprocess.Popen([sys.executable, "-m", "foundry_desktop.ui.main", str(project)], env=desktop.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(app.pid)],
                               env=desktop.env, capture_output=True, text=True).stdout.split()
        if found:
            window = found[-1]
            desktop.xdotool("windowmove", window, 0, 0)
            desktop.xdotool("windowsize", window, *SIZE)
            desktop.xdotool("windowactivate", "--sync", window)
            return app
        if app.poll() is not None:
            sys.exit(f"the editor ended before showing a window (exit {app.returncode})")
        time.sleep(0.05)
    sys.exit("the editor showed no window")
