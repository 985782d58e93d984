"""Films laid out for the storyboard's tests and benches: scenes of shots, some with keyframe
stills (real PNG files in the media folder), some of those approved, written straight into a
project file as the contract's model has them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.project import Project, ProjectFormat, Scene, Shot, ShotSpec, Take, Timeline
from foundry_desktop.store.project_store import ProjectStore

PROMPTS = ("A lighthouse keeper climbs the spiral stairs at dawn, lantern swinging",
           "Waves break over the harbour wall, gulls scatter", "Close on weathered hands tying a rope",
           "The ferry's horn across a foggy bay", "Children run along the pier at noon")
SCENE_COLOURS = ("#4a7fb5", "#b5764a", "#5fa36b", "#9a5fb5")


def still_take(shot_id: str, index: int) -> Take:
    return Take(shot_id=shot_id, kind="still", media_path=f"stills/{shot_id}-{index}.png",
                content_hash=f"{shot_id}-{index}", fingerprint=f"still-{shot_id}-{index}", spec={}, backend="builtin",
                seed=index, frames=1, width=320, height=180, created_at="2026-12-07T12:00:00Z", elapsed_s=0.1)


def storyboard_film(path: Path, *, shots: int = 8, scenes: int = 3, outside: int = 1, variants: int = 2,
                    approve=lambda index: index % 2 == 0, frames: int = 12,
                    picture: tuple[int, int] = (320, 180)) -> Path:
    """`shots` shots: the first `outside` outside any scene, the rest shared among `scenes` scenes
    in order. Every shot but each third has `variants` keyframe stills; of those, the shots
    `approve(index)` picks (0-based) have their first still approved. The stills are `picture` pixels."""
    scene_list = [Scene(name=f"Harbour {n}", location="Harbour", time_of_day=("dawn", "noon", "dusk")[n % 3],
                        description=f"The town wakes, part {n}.", color=SCENE_COLOURS[n % len(SCENE_COLOURS)])
                  for n in range(1, scenes + 1)]
    in_scenes = shots - outside
    shot_list, takes = [], {}
    for index in range(shots):
        scene = None if index < outside or not scene_list else scene_list[(index - outside) * scenes // in_scenes]
        shot = Shot(spec=ShotSpec(prompt=PROMPTS[index % len(PROMPTS)], duration=frames, seed=index),
                    scene_id=scene.id if scene else None)
        stills = [still_take(shot.id, n) for n in range(variants)] if index % 3 != 2 else []
        if stills and approve(index):
            shot = shot.model_copy(update={"keyframe_take_id": stills[0].id})
        takes[shot.id] = stills
        shot_list.append(shot)
    project = Project(name="Harbour film", format=ProjectFormat(width=320, height=180), timeline=Timeline(shots=shot_list, scenes=scene_list), takes=takes)
    ProjectStore.create(path, project).close()  # the shots, scenes and takes; the takes' pictures below
    with ProjectService.open(path) as service:
        for number, take in enumerate(take for stills in takes.values() for take in stills):
            image = QImage(*picture, QImage.Format.Format_RGB32)
            image.fill(QColor.fromHsv(number * 37 % 360, 120, 200))
            target = service.media.path_of(take.media_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            assert image.save(str(target))
        for shot in shot_list:
            if shot.keyframe_take_id:
                service.approve_keyframe(shot.id, shot.keyframe_take_id)
    return path
