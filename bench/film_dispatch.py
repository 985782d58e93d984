"""The film flow's dispatch: `foundry film --until keyframes` on the built-in backends for a 40-shot plan,
against the time the backend itself spends making the keyframes.

Run the same way each time:  .venv/bin/python bench/film_dispatch.py [--shots 40] [--size 320x180]
Target (issue 18): dispatch overhead <= 5 ms per job beyond the backends' own time: the keyframe step's
wall time less the time spent inside the built-in backend's generate(), per keyframe job (the built-in
backend runs one job at a time, so the two are directly comparable).

The language model is the OpenAI-compatible test server of tests/servers/openai_chat.py, answering a
fixed plan of one scene per sentence of a 40-sentence brief; the machine's settings go to a temporary
FOUNDRY_CONFIG_DIR. The flow runs as the command runs it (app.film_flow.run_film_flow with the machine's
backends), its steps timed from their own progress events; the built-in backend is wrapped to time its
generate() calls. Also shown: each step's wall time, and the main process's CPU per keyframe job.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
os.environ["FOUNDRY_CONFIG_DIR"] = tempfile.mkdtemp(prefix="foundry-bench-config-")  # never the user's settings

from servers.openai_chat import OpenAIChatServer  # noqa: E402

from foundry_desktop.app.assist.language_model import LanguageModelSettings  # noqa: E402
from foundry_desktop.app.film_flow.film_flow import run_film_flow  # noqa: E402
from foundry_desktop.app.film_flow.film_request import FilmRequest, FilmStep  # noqa: E402
from foundry_desktop.app.generation import backends  # noqa: E402
from foundry_desktop.app.project_service import ProjectService  # noqa: E402

TARGET_MS = 5.0
SUBJECTS = ("a lighthouse", "a fishing boat", "the harbour wall", "a gull", "the keeper", "a storm cloud",
            "the morning ferry", "a net of silver fish")


class TimedBackend:
    """The built-in backend, its generate() calls timed (everything else passed through)."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.name = backend.name
        self.seconds = 0.0
        self.calls = 0

    async def generate(self, request, on_event):
        started = time.perf_counter()
        try:
            return await self._backend.generate(request, on_event)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1

    def __getattr__(self, name):
        return getattr(self._backend, name)


def brief(shots: int) -> str:
    return " ".join(f"Shot {n + 1} shows {SUBJECTS[n % len(SUBJECTS)]} in the {['dawn', 'noon', 'dusk'][n % 3]} light."
                    for n in range(shots))


async def flow(project: Path, server: OpenAIChatServer, shots: int, size: tuple[int, int]):
    timed: list[TimedBackend] = []
    machine_registry = backends.default_registry

    def timed_registry():
        registry = machine_registry()
        builtin = TimedBackend(registry.get("builtin"))
        registry.register(builtin)
        timed.append(builtin)
        return registry

    backends.default_registry = timed_registry
    settings = LanguageModelSettings(base_url=server.base_url, model="llama3.1", timeout_s=120)
    stamps: dict[str, list[float]] = {}

    def on_step(step: FilmStep) -> None:
        stamps.setdefault(step.step, []).append(time.perf_counter())

    width, height = size
    with ProjectService.create(project, width=width, height=height, frame_rate="24") as service:
        cpu = time.process_time()
        async with backends.generation_backends() as registry:
            await run_film_flow(service, registry, FilmRequest(brief=brief(shots), seconds=Fraction(3 * shots)),
                                settings, on_step)
        cpu = time.process_time() - cpu
        made = sum(len(service.keyframes_of(shot.id)) for shot in service.project.timeline.shots)
    backends.default_registry = machine_registry
    return stamps, timed[0], cpu, made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=40)
    parser.add_argument("--size", default="320x180", metavar="WxH")
    args = parser.parse_args()
    size = tuple(int(part) for part in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="foundry-bench-film-") as folder, \
            OpenAIChatServer(api_key="bench") as server:
        os.environ["FOUNDRY_ASSIST_API_KEY"] = "bench"
        server.max_scenes = args.shots
        stamps, builtin, cpu, made = asyncio.run(flow(Path(folder) / "film.foundry", server, args.shots, size))
    print(f"`foundry film --until keyframes`, {args.shots}-shot plan, {args.size}, built-in backends")
    for step, (start, end) in stamps.items():
        print(f"  {step:<10} {end - start:8.3f} s")
    start, end = stamps["keyframes"]
    wall = end - start
    overhead_ms = (wall - builtin.seconds) / max(1, builtin.calls) * 1000
    print(f"keyframes: {made} made by {builtin.calls} jobs; step {wall:.3f} s, "
          f"inside the backend {builtin.seconds:.3f} s")
    print(f"dispatch overhead per job: {overhead_ms:.2f} ms (target <= {TARGET_MS:g} ms) — "
          f"{'met' if overhead_ms <= TARGET_MS else 'NOT met'}")
    print(f"main process CPU for the whole flow: {cpu:.2f} s")


if __name__ == "__main__":
    main()
