"""The frozen bundle's cold start, and a picture of its window, on a real (virtual) X screen.

Run the same way each time, after `bash .ci/bundle`:
    .venv/bin/python bench/bundle_start.py [--screenshot OUT.png]
Target (issue 7): the frozen GUI shows an interactive window within 2 s of being started.

It starts Xvfb on a display of its own, then dist/foundry-desktop/foundry-desktop three
times with fresh settings, timing each from the start of the process to its main window
being mapped on the screen (xdotool, from outside the program: nothing is measured by
the program itself). With --screenshot, the bundle's own `foundry demo` makes the demo,
the frozen GUI opens it, and the screen is captured (xwd, converted by ImageMagick).
Needs Debian's xvfb, xdotool, x11-apps and imagemagick.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO / "dist" / "foundry-desktop"
DISPLAY = ":97"
TARGET_S = 2.0
SIZE = "1600x1000"


def wait_for_window(process: subprocess.Popen, env: dict[str, str], timeout_s: float = 30.0) -> float:
    """Seconds until a window of `process` is mapped."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(process.pid)],
                               capture_output=True, text=True, env=env)
        if found.stdout.strip():
            return time.perf_counter() - started
        if process.poll() is not None:
            sys.exit(f"foundry-desktop ended before showing a window (exit {process.returncode})")
        time.sleep(0.01)
    sys.exit(f"no window within {timeout_s:.0f} s")


def wait_for_screen(timeout_s: float = 15.0) -> None:
    """Until Xvfb answers: a program started before would find no display and abort."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if subprocess.run(["xdotool", "getdisplaygeometry"], env={**os.environ, "DISPLAY": DISPLAY},
                          capture_output=True).returncode == 0:
            return
        time.sleep(0.05)
    sys.exit(f"Xvfb did not start on {DISPLAY}")


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(BUNDLE / "foundry-desktop"), *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", type=Path, help="also capture the frozen GUI with the demo open")
    args = parser.parse_args()
    if not (BUNDLE / "foundry-desktop").exists():
        sys.exit(f"no bundle in {BUNDLE}: run `bash .ci/bundle` first")
    for tool in ("Xvfb", "xdotool", "xwd", "convert"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install xvfb xdotool x11-apps imagemagick")
    with tempfile.TemporaryDirectory(prefix="foundry-bench-bundle-") as folder:
        folder = Path(folder)
        screen = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", f"{SIZE}x24", "-nolisten", "tcp"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_screen()
            base = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
            env = {**base, "DISPLAY": DISPLAY, "QT_QPA_PLATFORM": "xcb", "HOME": str(folder / "home"),
                   "FOUNDRY_CONFIG_DIR": str(folder / "config"), "FOUNDRY_CACHE_DIR": str(folder / "cache"),
                   "FOUNDRY_DOCUMENTS_DIR": str(folder / "documents"), "XDG_CONFIG_HOME": str(folder / "xdg")}
            times = []
            for _ in range(3):
                process = start(env)
                times.append(wait_for_window(process, env))
                stop(process)
            print(f"frozen cold start to a shown window: {min(times):.2f} s best of 3 "
                  f"({', '.join(f'{t:.2f}' for t in times)}); target <= {TARGET_S} s: "
                  f"{'met' if min(times) <= TARGET_S else 'NOT met'}")
            if args.screenshot:
                subprocess.run([str(BUNDLE / "foundry"), "demo", "--out", str(folder / "demo")], env=env, check=True,
                               stdout=subprocess.DEVNULL)
                process = start(env, str(folder / "demo" / "demo.foundry"))
                wait_for_window(process, env)
                window = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(process.pid)],
                                        capture_output=True, text=True, env=env).stdout.split()[-1]
                subprocess.run(["xdotool", "windowsize", window, *SIZE.split("x")], env=env, check=True)
                time.sleep(4.0)  # filmstrips and the preview arrive from their threads
                capture = folder / "screen.xwd"
                subprocess.run(["xwd", "-root", "-silent", "-out", str(capture)], env=env, check=True)
                subprocess.run(["convert", str(capture), str(args.screenshot)], check=True)
                stop(process)
                print(f"screenshot of the frozen GUI with the demo: {args.screenshot}")
        finally:
            screen.terminate()
            screen.wait()


if __name__ == "__main__":
    main()
