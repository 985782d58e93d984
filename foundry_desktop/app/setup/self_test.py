"""The self-test: does this installation (a source checkout or a frozen bundle) work?

`foundry self-test` and `foundry-desktop --self-test` run it headless: the shipped
files are found, a small project is made in a temporary folder and generated with the
built-in backend, a few seconds are rendered and probed, the cut is exported as
FCPXML, EDL and OTIO and read back, and the encoders are tried. (The desktop program
adds playback through Qt's media player.) Each check prints one line; any failure
makes the exit status non-zero. These are the parts a frozen build loses first: a
library or a plugin not collected, a file looked up beside the source.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from foundry_desktop import RESOURCES_DIR, WORKFLOWS_DIR
from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.exchange.cut_import import read_cut_file
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.render.output_presets import encoder_checks
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.generation.shot_generation import generate_shots
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.generation.comfyui.library import WorkflowLibrary, builtin_workflows_dir
from foundry_desktop.media.probe import probe_media

FILM_SECONDS = 3
SIZE = (320, 180)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail} ({self.seconds:.1f} s)"


def run_check(name: str, check: Callable[[], str]) -> CheckResult:
    """One check: its detail when it passes, what went wrong (an unexpected error with where) when not."""
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except Exception as exc:  # a self-test reports every failure, whatever it is
        where = traceback.extract_tb(exc.__traceback__)[-1]
        detail, ok = f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})", False
    return CheckResult(name, ok, detail, time.perf_counter() - started)


class SelfTest:
    """The checks, in order, sharing one temporary folder; later checks use what earlier ones made."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.project = folder / "self-test.foundry"
        self.film = folder / "self-test.mp4"

    def checks(self) -> Iterator[tuple[str, Callable[[], str]]]:
        yield "shipped files", self.shipped_files
        yield "project", self.make_project
        yield "generate", self.generate
        yield "render", self.render
        yield "export", self.export
        yield "encoders", self.encoders

    def shipped_files(self) -> str:
        fonts = sorted(path.name for path in (RESOURCES_DIR / "fonts").glob("*.ttf"))
        demo = sorted(path.name for path in (RESOURCES_DIR / "demo").glob("*.png"))
        workflows = WorkflowLibrary(self.folder / "workflows", builtin_workflows_dir()).entries()
        if not fonts or not demo or not workflows:
            raise FileNotFoundError(f"missing from {RESOURCES_DIR} or {WORKFLOWS_DIR}: fonts {fonts}, demo pictures "
                                    f"{demo}, {len(workflows)} workflows")
        return f"{len(fonts)} fonts, {len(demo)} demo pictures, {len(workflows)} workflows in {RESOURCES_DIR.parent}"

    def make_project(self) -> str:
        with ProjectService.create(self.project, name="Self-test", width=SIZE[0], height=SIZE[1], frame_rate="24") \
                as service:
            service.add_shot(name="Title", prompt="Foundry self-test", duration_seconds=Fraction(FILM_SECONDS, 2))
            service.add_shot(name="Valley", prompt="A valley", image=RESOURCES_DIR / "demo" / "valley.png",
                             duration_seconds=Fraction(FILM_SECONDS, 2))
            service.set_transition(0, "dissolve", 6)
            return f"{len(service.project.timeline.shots)} shots in {self.project.name}"

    def generate(self) -> str:
        with ProjectService.open(self.project) as service:
            report = asyncio.run(generate_shots(service, default_registry()))
            if report.failures or report.generated != len(service.project.timeline.shots):
                raise RuntimeError("; ".join(report.failures) or f"{report.generated} takes generated")
            return f"{report.generated} takes with the built-in generator"

    def render(self) -> str:
        with ProjectService.open(self.project) as service:
            render_film(service, self.film)
            expected = service.cut_plan().length
        info = probe_media(self.film)
        if (info.frame_count, info.frame_rate, info.width, info.height) != (expected, Fraction(24), *SIZE):
            raise RuntimeError(f"the film has {info.frame_count} frames at {info.frame_rate} fps, "
                               f"{info.width}x{info.height}; expected {expected} at 24 fps, {SIZE[0]}x{SIZE[1]}")
        return f"{info.frame_count} frames, {info.width}x{info.height}, {info.video_codec}" \
               f"{' with sound' if info.has_audio else ''}"

    def export(self) -> str:
        written = []
        with ProjectService.open(self.project, read_only=True) as service:
            for kind in (".fcpxml", ".edl", ".otio"):
                path = export_cut(service, self.folder / f"self-test{kind}").files[0]
                read = read_cut_file(path, "24")
                if len(read.cut.clips) != 2 or read.cut.length != service.cut_plan().length:
                    raise RuntimeError(f"{path.name} reads back as {len(read.cut.clips)} clips, "
                                       f"{read.cut.length} frames")
                written.append(path.suffix[1:].upper())
        return f"{', '.join(written)} written and read back"

    def encoders(self) -> str:
        checks = encoder_checks(refresh=True)
        working = [check.encoder for check in checks if check.works]
        if not any(not check.hardware for check in checks if check.works):
            raise RuntimeError("no software encoder works: " + "; ".join(f"{c.encoder}: {c.reason}" for c in checks))
        return f"{len(working)} of {len(checks)} work ({', '.join(working)})"


def run_self_test(extra: Callable[[SelfTest], Iterator[tuple[str, Callable[[], str]]]] | None = None,
                  report: Callable[[str], None] = print) -> bool:
    """Run every check (and `extra`'s, after them), reporting a line each; True if all passed."""
    with tempfile.TemporaryDirectory(prefix="foundry-self-test-") as folder:
        test = SelfTest(Path(folder))
        results = []
        for name, check in [*test.checks(), *(extra(test) if extra else ())]:
            result = run_check(name, check)
            report(result.line())
            results.append(result)
    failed = [result.name for result in results if not result.ok]
    report(f"self-test: {'all ' + str(len(results)) + ' checks passed' if not failed else 'FAILED: ' + ', '.join(failed)}")
    return not failed
