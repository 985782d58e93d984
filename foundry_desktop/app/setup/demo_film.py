"""The demo film, made as a storyboard is: four shots in four scenes; the valley and the coast have
keyframes (the demo's two pictures, approved) that the built-in backend animates, the title and
credits are cards made from their words; a dissolve, two captions and a music bed the built-in
backend composes; rendered to MP4, and its cut (scenes included) handed over as FCPXML, EDL and OTIO."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path


from foundry_desktop import RESOURCES_DIR
from foundry_desktop.app.exchange.cut_export import export_cut
from foundry_desktop.app.render.film_render import FilmRender, render_film
from foundry_desktop.app.generation.music_generation import generate_music
from foundry_desktop.domain.cut_plan import plan_cut
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.generation.shot_generation import GenerateReport, generate_shots
from foundry_desktop.errors import GenerationError, ProjectLockedError
from foundry_desktop.generation.backend import BackendRegistry
from foundry_desktop.generation.default_backends import default_registry
from foundry_desktop.store.project_lock import LockBusy, ProjectLock
from foundry_desktop.store.project_store import media_folder_for

DEMO_IMAGES = RESOURCES_DIR / "demo"
# The bed the built-in music backend composes under the film (its mood from the prompt, key and tempo from the seed).
DEMO_MUSIC = ("quiet, warm and hopeful", 5)
DEMO_EXPORTS = (".fcpxml", ".edl", ".otio")

# (name, prompt, seconds, image file in resources/demo or None, seed)
DEMO_SHOTS = [
    ("Title", "The Long Valley", Fraction(7, 2), None, 7),
    ("Valley", "Dawn breaks over a quiet valley", Fraction(4), "valley.png", 11),
    ("Coast", "The coast road at dusk", Fraction(4), "coast.png", 23),
    ("Credits", "Made with Foundry Desktop", Fraction(3), None, 42),
]
# (name, description, location, time of day, the shots it holds): every shot in a scene, as a storyboard has them.
DEMO_SCENES = [
    ("Opening", "The film's title over black.", "", "", [0]),
    ("The valley", "Morning comes to the valley.", "A quiet valley", "dawn", [1]),
    ("The coast", "The road along the sea as the day ends.", "The coast road", "dusk", [2]),
    ("Credits", "Who made it.", "", "", [3]),
]
# (text, start and end in seconds on the film): one caption over each of the two stills' shots.
DEMO_CAPTIONS = [
    ("Dawn breaks over a quiet valley", "4", "6.25"),
    ("The coast road at dusk", "7.5", "10"),
]


@dataclass(frozen=True)
class DemoResult:
    project: Path
    film: Path
    render: FilmRender
    report: GenerateReport
    exports: tuple[Path, ...]  # demo.fcpxml, demo.edl, demo.otio


def _remove_previous_demo(project_path: Path, film_path: Path) -> None:
    lock = ProjectLock(project_path)
    try:
        lock.acquire(wait_s=0)
    except LockBusy:
        raise ProjectLockedError(
            f"The demo in {project_path.parent} is open in Foundry; close it before making a new demo."
        ) from None
    try:
        project_path.unlink(missing_ok=True)
        for sidecar in ("-wal", "-shm"):
            project_path.with_name(project_path.name + sidecar).unlink(missing_ok=True)
        media = media_folder_for(project_path)
        if media.exists():
            shutil.rmtree(media)
        film_path.unlink(missing_ok=True)
        for kind in DEMO_EXPORTS:
            film_path.with_suffix(kind).unlink(missing_ok=True)
    finally:
        lock.release()  # and its file with it


def create_demo_project(path: Path) -> ProjectService:
    """The demo's project with its shots laid out, not generated yet."""
    service = ProjectService.create(path, name="The Long Valley", width=1280, height=720, frame_rate="24")
    with service.group("Lay out the demo"):
        for name, prompt, seconds, image, seed in DEMO_SHOTS:
            service.add_shot(
                name=name,
                prompt=prompt,
                duration_seconds=seconds,
                image=DEMO_IMAGES / image if image else None,
                seed=seed,
            )
        for name, description, location, time_of_day, shots in DEMO_SCENES:
            service.add_scene(name, shot_indexes=shots, description=description, location=location,
                              time_of_day=time_of_day)
        # The valley dissolves into the coast over a second, as a film would.
        service.set_transition(1, "dissolve", service.frames_from_seconds("1"))
        for text, start, end in DEMO_CAPTIONS:
            service.add_caption(text, start, end)
        # Half a second out of black, a second into it at the end.
        service.set_film_fades(service.frames_from_seconds("0.5"), service.frames_from_seconds("1"))
    _compose_music(service)
    service.forget_history()  # the demo opens as it is made: its building steps are no creator's edits
    return service


def _compose_music(service: ProjectService) -> None:
    """The bed, as long as the film, composed by the built-in backend (its own loop: this runs in the
    CLI's thread or the window's worker thread), then set under the film: quieter, faded in and out."""
    prompt, seed = DEMO_MUSIC
    report = asyncio.run(generate_music(service, default_registry(), prompt=prompt, seconds="auto", backend="builtin",
                                        seed=seed))
    if report.clip_id is None:
        raise GenerationError(f"The demo's music could not be made: {'; '.join(report.run.failures) or 'no clip'}.")
    # The bed ends with the film, so its fade-out is heard under the film's own.
    service.update_music_clip(report.clip_id, "Set the music under the film", gain_db=-6.0,
                              fade_in=service.frames_from_seconds("1"), fade_out=service.frames_from_seconds("2"),
                              source_out=plan_cut(service.project.timeline).length)


def make_demo(out_dir: Path, registry: BackendRegistry | None = None) -> DemoResult:
    """The demo in `out_dir`, generated by `registry` (default: the built-in backends)."""
    registry = default_registry() if registry is None else registry
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    project_path = out_dir / "demo.foundry"
    film_path = out_dir / "demo.mp4"
    _remove_previous_demo(project_path, film_path)

    with create_demo_project(project_path) as service:
        report = asyncio.run(generate_shots(service, registry))
        render = render_film(service, film_path)
        exports = tuple(path for kind in DEMO_EXPORTS
                        for path in export_cut(service, out_dir / f"demo{kind}").files)
    return DemoResult(project_path, film_path, render, report, exports)
