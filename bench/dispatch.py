"""Dispatch: M ComfyUI shots generated over a farm of N test servers, against the time the servers alone need.

Run the same way each time:  .venv/bin/python bench/dispatch.py [--servers 4] [--jobs 40] [--job-seconds 0.5]
                             [--max-queued 1 2] [--profile]
Targets (issue 4): scaling efficiency = ideal / actual >= 1/1.05 (within 1.05x of ideal, ideal = ceil(M / N) x
job time), and dispatcher overhead <= 5 ms per job: the wall time the dispatcher adds, (actual - ideal) / M.
Also shown, with no target: the main process's CPU per job, which is all of Foundry's work for a job (HTTP,
the event socket, downloading and probing the output, hashing it into the cache, SQLite).

Each server is the ComfyUI protocol test server of tests/servers/comfyui.py, in a
process of its own (so the main process's CPU time is Foundry's alone, and the
servers do not share its GIL): one prompt at a time, each taking `--job-seconds`
from execution_start to its history written (encoding its video included). The
servers are set up as this machine's settings (in a temporary FOUNDRY_CONFIG_DIR),
the project gets M image-to-video shots on the `svd-image-to-video` workflow, and
`generate_shots` runs them, once per `--max-queued` value, each on fresh servers
and a fresh project. "server work" is the time the servers spent on our prompts
(execution_start to history written); "idle between prompts" is the time a server
waited for our next prompt while it still had shots to do; the figure "against the
server floor" (ceil(M / N) x measured server work per prompt) is the dispatcher's
own share. `--profile` adds a cProfile'd run of the last configuration (slower;
its numbers are not the measured ones).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import itertools
import math
import multiprocessing
import os
import pstats
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
CONFIG_DIR: Path | None = None
if __name__ == "__main__":  # not in the server processes, which import this file too
    # Machine settings (the ComfyUI servers) go to a folder of this run, never the user's; set before Foundry is imported.
    CONFIG_DIR = Path(tempfile.mkdtemp(prefix="foundry-bench-config-"))
    os.environ["FOUNDRY_CONFIG_DIR"] = str(CONFIG_DIR)

import numpy as np
from PIL import Image

from foundry_desktop.app.generation.backends import generation_backends
from foundry_desktop.app.generation.settings import (
    ComfyServerSettings,
    GenerationSettings,
    save_settings,
)
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.generation.shot_generation import generate_shots

SVD_MODELS = {"checkpoints": ["svd_xt.safetensors"]}
WORKFLOW = "svd-image-to-video"
PROFILED = (r"foundry_desktop", r"httpx|httpcore|websockets|sqlalchemy")  # Foundry's code, then the libraries it drives


# -- The servers, each in its own process ------------------------------------------------------


def _serve(name: str, job_seconds: float, conn) -> None:
    """Child process: one ComfyUI test server until told to stop, then what it saw."""
    sys.path.insert(0, str(TESTS))
    from servers.comfyui import ComfyUIServer

    with ComfyUIServer(name=name, job_seconds=job_seconds, models=SVD_MODELS) as server:
        conn.send((server.url, server.history_lag_s))
        conn.recv()  # "stop"
        spans = []  # (execution_start, history written), wall-clock seconds
        for entry in server.history().values():
            stamps = {kind: data.get("timestamp") for kind, data in entry["status"]["messages"]}
            if stamps.get("execution_start") and stamps.get("execution_success"):
                end = stamps["execution_success"] / 1000 + server.history_lag_s
                spans.append((stamps["execution_start"] / 1000, end))
        conn.send({
            "submissions": server.submissions,
            "prompt_ids": [submission.prompt_id for submission in server.submitted],
            "executed": server.executed,
            "spans": sorted(spans),
        })


class Farm:
    """N server processes; `.urls` while open, `.seen` (per server) after close()."""

    def __init__(self, count: int, job_seconds: float) -> None:
        context = multiprocessing.get_context("spawn")
        self.names = [f"gpu-{number + 1}" for number in range(count)]
        self._pipes, self._processes = [], []
        for name in self.names:
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(name, job_seconds, theirs), daemon=True)
            process.start()
            self._pipes.append(ours)
            self._processes.append(process)
        self.urls = [pipe.recv()[0] for pipe in self._pipes]
        self.seen: list[dict] = []

    def close(self) -> None:
        for pipe in self._pipes:
            pipe.send("stop")
        self.seen = [pipe.recv() for pipe in self._pipes]
        for process in self._processes:
            process.join(10)


# -- One run -------------------------------------------------------------------------------------


@dataclass
class Run:
    max_queued: int
    wall_s: float
    cpu_s: float
    loop_cpu_s: float
    first_submit_s: float
    seen: list[dict]
    takes_ok: int
    report: dict
    profile: str = ""


def run_once(args, max_queued: int, folder: Path, image: Path, profile: bool = False) -> Run:
    farm = Farm(args.servers, args.job_seconds)
    try:
        save_settings(GenerationSettings(comfyui_servers=[
            ComfyServerSettings(name=name, url=url, max_queued=max_queued) for name, url in zip(farm.names, farm.urls)
        ]))
        project = folder / f"dispatch-q{max_queued}{'-profiled' if profile else ''}.foundry"
        with ProjectService.create(project, width=160, height=90, frame_rate="24") as service:
            for number in range(args.jobs):
                service.add_shot(prompt=f"Shot number {number + 1}", duration_seconds="1", seed=number,
                                 backend="comfyui", workflow=WORKFLOW, image=str(image))

            async def generate():
                async with generation_backends() as registry:
                    return await generate_shots(service, registry)

            profiler = cProfile.Profile() if profile else None
            started_wall, started = time.time(), time.perf_counter()  # wall clock: compared with the servers' stamps
            started_cpu, started_loop = time.process_time(), time.thread_time()
            if profiler:
                profiler.enable()
            report = asyncio.run(generate())
            if profiler:
                profiler.disable()
            wall_s, cpu_s = time.perf_counter() - started, time.process_time() - started_cpu
            loop_cpu_s = time.thread_time() - started_loop  # the event loop's thread alone (no to_thread work)

            service.reload()
            takes_ok = 0
            for shot in service.project.timeline.shots:
                take = service.project.selected_take(shot)
                takes_ok += take is not None and service.media.exists(take.media_path)
    finally:
        farm.close()
    starts = [span[0] for seen in farm.seen for span in seen["spans"]]
    first_submit_s = (min(starts) - started_wall) if starts else float("nan")
    text = ""
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        out.write("(a coroutine's ncalls counts each time it resumes; its cumtime is the time it ran, not waited)\n")
        for pattern in PROFILED:
            out.write(f"-- top 15 cumulative, {pattern.replace('|', ', ')} only --\n")
            stats.print_stats(pattern, 15)
        out.write("-- top 15 by own time, everything (select.epoll's poll is the event loop waiting: idle) --\n")
        stats.sort_stats("tottime").print_stats(15)
        text = out.getvalue().replace(f"{REPO}/", "")
        for packages in sorted({p for p in sys.path if p.endswith("-packages")}, key=len, reverse=True):
            text = text.replace(f"{packages}/", "")
    return Run(max_queued, wall_s, cpu_s, loop_cpu_s, first_submit_s, farm.seen, takes_ok, report.as_json(), text)


def server_numbers(run: Run) -> tuple[float, float, float]:
    """(mean server work per prompt, mean idle between our prompts, total idle) over all servers."""
    work, gaps = [], []
    for seen in run.seen:
        spans = seen["spans"]
        work += [end - start for start, end in spans]
        gaps += [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    return mean(work), mean(gaps), sum(gaps)


def show(args, run: Run) -> bool:
    m, n, job_s = args.jobs, args.servers, args.job_seconds
    rounds = math.ceil(m / n)
    ideal = rounds * job_s
    work_per_prompt, gap, total_gap = server_numbers(run)
    floor = rounds * work_per_prompt  # what these servers need for our prompts with zero dispatch gaps
    submissions = [seen["submissions"] for seen in run.seen]
    prompt_ids = [pid for seen in run.seen for pid in seen["prompt_ids"]]
    balanced = all(abs(count - m / n) <= 1 for count in submissions)
    executed = [pid for seen in run.seen for pid in seen["executed"]]
    unique = (len(prompt_ids) == len(set(prompt_ids)) == m and sorted(executed) == sorted(prompt_ids))
    ok = run.takes_ok == m and balanced and unique and run.report["generated"] == m
    efficiency = ideal / run.wall_s
    print(f"\nmax_queued {run.max_queued}")
    print(f"  wall time          {run.wall_s:7.2f} s   ideal {ideal:.2f} s (ceil({m}/{n}) x {job_s} s), "
          f"server floor {floor:.2f} s ({work_per_prompt * 1000:.0f} ms of server work per prompt)")
    print(f"  efficiency         {efficiency:7.3f}     (ideal / actual; target >= {1 / 1.05:.3f}, "
          f"{'met' if efficiency >= 1 / 1.05 else 'NOT met'}); {floor / run.wall_s:.3f} against the server floor")
    overhead = (run.wall_s - ideal) / m
    print(f"  overhead per job   {overhead * 1000:7.1f} ms  ((actual - ideal) / jobs, wall; target <= 5 ms, "
          f"{'met' if overhead <= 0.005 else 'NOT met'})")
    print(f"  main CPU per job   {run.cpu_s / m * 1000:7.1f} ms  (process_time / jobs: all of Foundry's work for a job); "
          f"main process {run.cpu_s / run.wall_s:.0%} busy")
    print(f"    in the loop      {run.loop_cpu_s / m * 1000:7.1f} ms  (the event loop's thread; "
          "the rest is worker threads: probing downloads)")
    print(f"  servers idle       {gap * 1000:7.1f} ms  between our prompts on average ({total_gap:.2f} s in all); "
          f"first prompt started {run.first_submit_s * 1000:.0f} ms after the start")
    print(f"  submissions        {submissions} (each {m / n:g} +- 1: {'yes' if balanced else 'NO'}; "
          f"sum {sum(submissions)} of {m}, none sent or run twice: {'yes' if unique else 'NO'})")
    print(f"  takes              {run.takes_ok}/{m} on disk; report {run.report}   {'OK' if ok else 'CHECKS FAILED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--job-seconds", type=float, default=0.5)
    parser.add_argument("--max-queued", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--profile", action="store_true", help="also a cProfile'd run of the last --max-queued")
    args = parser.parse_args()
    all_ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="foundry-bench-dispatch-") as folder:
            folder = Path(folder)
            image = folder / "valley.png"
            Image.fromarray(np.full((90, 160, 3), (40, 120, 200), np.uint8)).save(image)
            print(f"cores: {os.cpu_count()}, {args.servers} servers x {args.job_seconds} s per prompt "
                  f"(one at a time each), {args.jobs} jobs ({WORKFLOW}, 160x90, 24 frames)")
            for max_queued in args.max_queued:
                all_ok &= show(args, run_once(args, max_queued, folder, image))
            if args.profile:
                run = run_once(args, args.max_queued[-1], folder, image, profile=True)
                print(f"\nprofiled run, max_queued {run.max_queued}: wall {run.wall_s:.2f} s, "
                      f"main CPU {run.cpu_s / args.jobs * 1000:.1f} ms per job (with the profiler's own cost)")
                print(run.profile)
    finally:
        if CONFIG_DIR is not None:
            shutil.rmtree(CONFIG_DIR, ignore_errors=True)
    if not all_ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
