"""How fast `foundry` starts: wall time and peak memory of light commands, against Python itself.

Run the same way each time:  .venv/bin/python bench/cli_start.py [--runs N] [--json]
Targets (issue 16):
    foundry --version     <= 0.15 s and <= 30 MB peak RSS
    foundry info P        <= 0.5 s  (SQLAlchemy's own import is about 0.3 s of that)

Each run is a fresh process started the way the `foundry` script starts (this Python, the
script's two lines, PYTHONPATH at this checkout, bytecode cached as an install has it); its
peak RSS is the child's own, from wait4(). This process imports nothing heavy: a child's peak
counts its parent's pages until it execs, so the "python -c pass" row shows that floor. The
commands take turns round by round, so a busy moment on a shared machine slows all of them
alike; each is reported as the median of N runs, with `python -c pass` measured in the same
rounds as the yardstick (the "x python" column).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# What the installed `foundry` script runs.
ENTRY = "import sys; from foundry_desktop.cli.main import main; sys.exit(main())"
TARGETS = {"foundry --version": (0.15, 30.0), "foundry info P": (0.5, None)}


def measure_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        failed = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True)
        sys.exit(f"{' '.join(argv)} failed ({process.returncode}):\n{failed.stderr[-3000:]}")
    return wall, usage.ru_maxrss / 1024  # Linux gives kilobytes


# Made in a child process: a forked child's peak RSS starts at its parent's, so this one stays small.
MAKE_PROJECT = """
import sys
from pathlib import Path
from foundry_desktop.app.project_service import ProjectService
path, shots = Path(sys.argv[1]), int(sys.argv[2])
with ProjectService.create(path, name=f"{shots} shots", width=320, height=180, frame_rate="24") as service:
    with service.group("Lay out"):
        for number in range(shots):
            service.add_shot(prompt=f"Shot {number + 1}: a slow push over a valley", duration_seconds="3", seed=number)
"""


def make_project(path: Path, shots: int, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "-c", MAKE_PROJECT, str(path), str(shots)], env=env, cwd=REPO, check=True)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=9, help="runs of each command (default 9)")
    options.add_argument("--json", action="store_true", help="print the medians as JSON")
    args = options.parse_args()

    with tempfile.TemporaryDirectory(prefix="foundry-bench-cli-") as folder:
        folder = Path(folder)
        # Bytecode is written (and then read), as for an installed package: PYTHONDONTWRITEBYTECODE
        # would make every run compile the package's sources again.
        env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=str(REPO), FOUNDRY_CONFIG_DIR=str(folder / "config"),
                   FOUNDRY_CACHE_DIR=str(folder / "cache"))
        small, hundred = folder / "small.foundry", folder / "hundred.foundry"
        make_project(small, 3, env)
        make_project(hundred, 100, env)
        foundry = [PYTHON, "-c", ENTRY]
        commands = {
            "python -c pass": [PYTHON, "-c", "pass"],
            "foundry --version": [*foundry, "--version"],
            "foundry --help": [*foundry, "--help"],
            "foundry render --help": [*foundry, "render", "--help"],
            "foundry info P": [*foundry, "info", str(small)],
            "foundry info P (100 shots)": [*foundry, "info", str(hundred)],
        }
        for argv in commands.values():  # once each first: the files' pages into the cache, .pyc written
            measure_once(argv, env)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                runs[name].append(measure_once(argv, env))

    baseline = statistics.median(wall for wall, _ in runs["python -c pass"])
    results = {
        name: {"wall_s": statistics.median(wall for wall, _ in measured),
               "min_s": min(wall for wall, _ in measured),
               "rss_mb": statistics.median(rss for _, rss in measured)}
        for name, measured in runs.items()
    }
    if args.json:
        print(json.dumps({"runs": args.runs, "python": PYTHON, "results": results}, indent=2))
        return
    print(f"median of {args.runs} runs each, fresh process each ({PYTHON})")
    print(f"{'command':<28} {'wall s':>7} {'min s':>7} {'x python':>8} {'peak MB':>8}  target")
    for name, result in results.items():
        verdict = ""
        if name in TARGETS:
            seconds, megabytes = TARGETS[name]
            met = result["wall_s"] <= seconds and (megabytes is None or result["rss_mb"] <= megabytes)
            verdict = f"<= {seconds} s" + (f", <= {megabytes:.0f} MB" if megabytes else "") + \
                (": met" if met else ": NOT met")
        print(f"{name:<28} {result['wall_s']:7.3f} {result['min_s']:7.3f} {result['wall_s'] / baseline:8.1f} "
              f"{result['rss_mb']:8.1f}  {verdict}")


if __name__ == "__main__":
    main()
