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
            desktop.xdotool("windowfocus", "--sync", window)  # no window manager: focus it directly
            return app
        if app.poll() is not None:
            sys.exit(f"the editor ended before showing a window (exit {app.returncode})")
        time.sleep(0.05)
    sys.exit("the editor showed no window")


# -- where things are: the window maximised on the 1600x1000 screen, the timeline fitted to the
# demo's 13.5 s film (measured on its first screenshot; if the layout changes, measure again:
# the scenes' bands under the ruler moved every track down, and clicks meant for the ruler
# chose a scene) --
RULER_Y = 611
SHOTS_Y = 703
MUSIC_Y = 760
CAPTIONS_Y = 800
FRAME_ZERO_X = 95
PX_PER_SECOND = 110.3


def x_at(seconds: float) -> int:
    return round(FRAME_ZERO_X + seconds * PX_PER_SECOND)


def play_and_pause(desktop: Desktop) -> None:
    desktop.click(x_at(2.5), RULER_Y)  # the playhead into the title
    desktop.key("space")
    time.sleep(1.2)  # the picture moves on: its slate and shots are what the screenshot shows
    desktop.shot("playing", settle=False)
    desktop.key("space")


def move_the_music(desktop: Desktop) -> None:
    desktop.click(x_at(5), MUSIC_Y)
    desktop.shot("music-selected")
    desktop.drag((x_at(5), MUSIC_Y), (x_at(5.5), MUSIC_Y))


def type_a_caption(desktop: Desktop) -> None:
    desktop.click(x_at(11.2), RULER_Y)
    desktop.click(x_at(11.5), CAPTIONS_Y, repeat=2)
    desktop.type("Made with Foundry")
    desktop.shot("caption-being-typed")
    desktop.key("Return")


def split_and_lift(desktop: Desktop) -> None:
    desktop.click(x_at(9), RULER_Y)
    desktop.click(x_at(9.5), SHOTS_Y)
    desktop.key("ctrl+b")
    desktop.shot("split-at-playhead")
    desktop.click(x_at(9.5), SHOTS_Y)  # the second half
    desktop.key("BackSpace")


def context_menu(desktop: Desktop) -> None:
    desktop.click(x_at(5), SHOTS_Y, button=3)
    desktop.shot("shot-context-menu")
    desktop.key("Escape")


def shortcuts(desktop: Desktop) -> None:
    desktop.key("ctrl+slash")  # Help > Keyboard shortcuts
    desktop.shot("keyboard-shortcuts")
    desktop.key("Escape")


def render_in_background(desktop: Desktop) -> None:
    desktop.key("ctrl+r")
    desktop.shot("render-sheet")
    desktop.key("Return")  # the demo's own film is there already: the sheet asks first
    desktop.shot("render-asks-before-replacing")
    desktop.click(878, 460)  # Replace
    time.sleep(0.3)
    desktop.click(x_at(1), SHOTS_Y)  # editing goes on while it renders
    desktop.shot("rendering-while-editing", settle=False)


def import_media(desktop: Desktop) -> None:
    desktop.key("ctrl+i")
    desktop.settle()
    desktop.type(str(REPO / "resources" / "demo" / "coast.png"))
    desktop.key("Return")
    desktop.click(25, 88)  # the Media tab


# (screenshot name, the gesture before it); each screenshot shows the window once it settled.
STEPS: list[tuple[str, Step]] = [
    ("demo-opened", lambda d: None),
    ("shot-selected", lambda d: d.click(x_at(5), SHOTS_Y)),
    ("paused-after-play", play_and_pause),
    ("playhead-on-the-coast", lambda d: d.click(x_at(8.5), RULER_Y)),
    ("music-moved", move_the_music),
    ("undo-music-move", lambda d: d.key("ctrl+z")),
    ("caption-typed", type_a_caption),
    ("split-and-lifted", split_and_lift),
    ("undone-twice", lambda d: (d.key("ctrl+z"), d.key("ctrl+z"))),
    ("context-menu-closed", context_menu),
    ("shortcuts-closed", shortcuts),
    ("media-imported", import_media),
    ("render-finished", render_in_background),
    ("editor", lambda d: (d.click(x_at(5), SHOTS_Y), d.click(x_at(5.2), RULER_Y))),
]


def walk(out: Path, only: set[str] | None) -> None:
    for tool in ("Xvfb", "xdotool", "xwd", "convert"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install xvfb xdotool x11-apps imagemagick")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="foundry-walkthrough-") as folder:
        folder = Path(folder)
        env = {**os.environ, "DISPLAY": DISPLAY, "QT_QPA_PLATFORM": "xcb", "HOME": str(folder / "home"),
               "XDG_CONFIG_HOME": str(folder / "xdg"), "FOUNDRY_CONFIG_DIR": str(folder / "config"),
               "FOUNDRY_CACHE_DIR": str(folder / "cache"), "FOUNDRY_DOCUMENTS_DIR": str(folder / "documents"),
               "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "foundry_desktop.cli.main", "demo", "--out", str(folder / "demo")],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        screen = start_screen(env)
        desktop = Desktop(env, out, folder)
        app = None
        try:
            app = open_window(desktop, folder / "demo" / "demo.foundry")
            for name, gesture in STEPS:
                if only and name not in only:
                    continue
                gesture(desktop)
                desktop.shot(name)
        finally:
            if app is not None:
                app.terminate()
                app.wait(timeout=20)
            screen.terminate()
            screen.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder for the screenshots")
    parser.add_argument("--only", nargs="*", help="just these steps (by screenshot name)")
    args = parser.parse_args()
    walk(args.out, set(args.only) if args.only else None)


if __name__ == "__main__":
    main()
