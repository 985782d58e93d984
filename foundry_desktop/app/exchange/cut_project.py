"""The project a cut makes, laid out in memory in one pass and written once.

Made through ProjectService's edits one by one, a cut of n events costs n edits,
each diffed against and recorded with everything added before it: the square of n
(2,000 events took two minutes). The draft offers the few edits an import makes,
under the service's names, but each appends to plain lists, and `project()` makes
the Project from them once: time and memory grow with the events, and the store
writes it in one transaction (a new project) or one edit (into an open one).

What it makes equals what those edits make: shots specified as add_shot and
add_prepared_shot specify them, each media shot showing its file as a take whose
fingerprint is the shot's, trims normalised as trim_shot leaves them, scenes taking
their shots by domain.scenes' rule, and every file used in the media bin once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from foundry_desktop.app.edit_base import edit_errors
from foundry_desktop.app.exchange.conform_keys import source_keys
from foundry_desktop.app.project_service import DEFAULT_SHOT_SECONDS
from foundry_desktop.app.shot_edits import new_seed
from foundry_desktop.app.shots.media_shots import PreparedMedia
from foundry_desktop.app.shots.music_clips import PreparedSound
from foundry_desktop.domain import timeline_ops
from foundry_desktop.domain.captions.styles import caption_style
from foundry_desktop.domain.fingerprint import generation_spec, shot_fingerprint
from foundry_desktop.domain.project import (
    SCENE_DEFAULT_FIELDS, AudioClip, Caption, Marker, MediaItem, Project, ProjectFormat, Scene, Shot, ShotSpec, Take,
    Timeline, Transition,
)
from foundry_desktop.domain.time import frames_in_duration, seconds_to_frames
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.store.media_cache import MediaCache


@dataclass(frozen=True)
class _ShownFile:
    """A media shot's file, which becomes its take once the project (and so its fingerprint) is made."""

    shot: int
    prepared: PreparedMedia
    frames: int


class ProjectDraft:
    """A project being laid out from a cut: shots, tracks and bin as lists, the Project made once."""

    def __init__(self, fmt: ProjectFormat, media: MediaCache) -> None:
        self.format = fmt
        self.media = media
        self.shots: list[Shot] = []
        self.music: list[AudioClip] = []
        self.captions: list[Caption] = []
        self.markers: list[Marker] = []
        self.scenes: list[tuple[Scene, range]] = []
        self.fade_in = self.fade_out = 0
        self.timecode: tuple[int | None, bool | None] | None = None  # the film's (start, drop frame), a new film's
        self._shown: list[_ShownFile] = []
        self._bin: dict[str, MediaItem] = {}  # by content hash: each file once

    @property
    def frame_rate(self) -> Fraction:
        return self.format.frame_rate

    # -- the service's edits, made on the lists --------------------------------

    def add_shot(self, *, name: str = "", duration_frames: int, **spec_fields: Any) -> Shot:
        """A shot to generate, specified as ProjectService.add_shot specifies it."""
        fields = {key: (None if key in ("model", "workflow") and value == "" else value)
                  for key, value in spec_fields.items() if value is not None}
        fields.setdefault("seed", new_seed())
        with edit_errors():
            spec = ShotSpec.model_validate({**fields, "duration": duration_frames})
        overrides = tuple(field for field in SCENE_DEFAULT_FIELDS if fields.get(field) is not None)
        self.shots.append(Shot(name=name, spec=spec, overrides=overrides))
        return self.shots[-1]

    def add_prepared_shot(self, prepared: PreparedMedia, *, name: str = "", source_in: Fraction | None = None,
                          source_out: Fraction | None = None, duration_seconds: Fraction | None = None,
                          prompt: str = "", origin: str = "") -> Shot:
        """A shot showing a file prepare_media copied in, as media_shots.add_prepared_shot makes it
        (a still held `duration_seconds`; a video from `source_in` to `source_out` seconds); `origin`
        says in the media bin where the file came from."""
        info = prepared.info
        if info.still:
            frames = self._frames(duration_seconds or DEFAULT_SHOT_SECONDS)
        else:
            frames = max(1, frames_in_duration(info.duration_s or 0.0, self.frame_rate))
        trim_in = 0 if source_in is None else self._frames(source_in)
        trim_out = None if source_out is None else self._frames(source_out)
        if trim_in >= (trim_out or frames) or (trim_out or frames) > frames:
            raise InvalidEditError(f"{prepared.name} has {frames} frames; the cut uses it from frame {trim_in} "
                                   f"to {trim_out}.")
        shot = self.add_shot(name=name or Path(prepared.name).stem, prompt=prompt or prepared.name, backend="media",
                             input_media=prepared.relative, duration_frames=frames, seed=0)
        index = len(self.shots) - 1
        reel, timecode, drop = source_keys(info, self.frame_rate)
        shot = self._change_shot(index, reel=reel, source_timecode=timecode, source_drop_frame=drop)
        if trim_in or (trim_out is not None and trim_out < frames):  # trim_shot keeps no end trim at the end
            shot = self.set_trims(index, trim_in, trim_out)
        self._shown.append(_ShownFile(index, prepared, frames))
        self._in_bin(prepared.name, prepared.relative, prepared.content_hash,
                     "still" if info.still else "video", 0.0 if info.still else float(info.duration_s or 0.0), origin)
        return shot

    def shows_a_file(self, index: int) -> bool:
        return any(shown.shot == index for shown in self._shown)

    def set_film_timecode(self, start_timecode: int | None, drop_frame: bool | None) -> None:
        self.timecode = (start_timecode, drop_frame)

    def set_shot_sources(self, sources: dict[int, tuple[str, int, bool | None]]) -> None:
        for index, (reel, timecode, drop) in sources.items():
            self._change_shot(index, reel=reel.strip(), source_timecode=timecode, source_drop_frame=drop)

    def set_trims(self, index: int, trim_in: int, trim_out: int | None) -> Shot:
        """Shot `index` showing frames [trim_in, trim_out) of its take (None: to its end)."""
        return self._change_shot(index, trim_in=trim_in, trim_out=trim_out)

    def insert_gap(self, index: int, frames: int) -> None:
        self._change_shot(index, gap_before=self.shots[index].gap_before + frames)

    def max_transition_frames(self, index: int) -> int:
        # Every field given: model_construct looks defaults up slowly, and this runs once per transition.
        shots_only = Timeline.model_construct(shots=self.shots, scenes=[], music=[], captions=[], markers=[],
                                              fade_in=0, fade_out=0)
        return timeline_ops.max_transition_frames(shots_only, index)

    def set_transition(self, index: int, kind: str, frames: int = 0) -> None:
        if frames > self.max_transition_frames(index):
            raise InvalidEditError(f"The transition after shot {index + 1} is longer than its shots allow.")
        with edit_errors(self._shot_words(index)):
            transition = Transition(kind=kind, duration=frames)
        self._change_shot(index, transition_out=transition)

    def set_film_fades(self, fade_in: int, fade_out: int) -> None:
        self.fade_in, self.fade_out = fade_in, fade_out

    def add_music_clip(self, clip: AudioClip, sound: PreparedSound | None = None, origin: str = "") -> None:
        """Music as it is placed: clips that overlap stay as they are (the timeline shows them in lanes)."""
        self.music.append(clip)
        if sound is not None:
            self._in_bin(sound.name, sound.relative, sound.content_hash, "sound", float(sound.seconds), origin)

    def add_marker(self, frame: int, label: str = "", color: str | None = None) -> None:
        with edit_errors():
            self.markers.append(Marker(frame=frame, label=label, **({"color": color} if color else {})))

    def add_caption(self, text: str, start_seconds: Fraction, end_seconds: Fraction) -> None:
        with edit_errors():
            self.captions.append(Caption(text=text, start=self._frames(start_seconds),
                                         end=self._frames(end_seconds), style=caption_style("subtitle")))

    def add_scene(self, name: str, *, shot_indexes: range, **details: str) -> None:
        try:
            scene = Scene.model_validate({**details, "name": name.strip()})
        except ValidationError as exc:
            raise InvalidEditError(f"Scene {name}: {exc.errors()[0]['msg']}.") from None
        self.scenes.append((scene, shot_indexes))

    # -- the project -----------------------------------------------------------

    def project(self, base: Project, start: int = 0) -> tuple[Project, list[Take]]:
        """`base` with everything laid out added after what it holds, its tracks from film frame
        `start` on (the end of base's film), made once; and the takes its new shots show."""
        timeline = base.timeline
        shots = list(self.shots)
        for scene, indexes in self.scenes:
            for index in indexes:
                shots[index] = timeline_ops.in_scene(shots[index], scene)
        music = [clip.model_copy(update={"start": clip.start + start}) for clip in self.music] if start else self.music
        captions = [caption.model_copy(update={"start": caption.start + start, "end": caption.end + start})
                    for caption in self.captions] if start else self.captions
        markers = [marker.model_copy(update={"frame": marker.frame + start})
                   for marker in self.markers] if start else self.markers
        # Sorted as the service's edits insert them; stable, so clips starting together keep the cut's order.
        timeline = Timeline(
            shots=[*timeline.shots, *shots], scenes=[*timeline.scenes, *(scene for scene, _ in self.scenes)],
            music=sorted([*timeline.music, *music], key=lambda clip: clip.start),
            captions=sorted([*timeline.captions, *captions], key=lambda caption: caption.start),
            markers=sorted([*timeline.markers, *markers], key=lambda marker: marker.frame),
            fade_in=timeline.fade_in if start else self.fade_in, fade_out=self.fade_out or timeline.fade_out,
            start_timecode=timeline.start_timecode, drop_frame=timeline.drop_frame)
        if self.timecode is not None and not start:  # a cut made into a new film keeps its timecode
            with edit_errors("The cut's film timecode"):
                timeline = timeline.with_changes(**dict(zip(("start_timecode", "drop_frame"), self.timecode)))
        held = {item.content_hash for item in base.media}
        bin_items = [item for item in self._bin.values() if item.content_hash not in held]
        project = base.model_copy(update={"timeline": timeline, "media": [*base.media, *bin_items]})
        return self._with_takes(project, len(base.timeline.shots))

    def _with_takes(self, project: Project, first: int) -> tuple[Project, list[Take]]:
        """Each media shot showing its file: a take of the shot's fingerprint, selected."""
        shots, takes, made = list(project.timeline.shots), dict(project.takes), []
        created = datetime.now(UTC).isoformat(timespec="microseconds")
        for shown in self._shown:
            index = first + shown.shot
            shot, info = shots[index], shown.prepared.info
            take = Take(shot_id=shot.id, media_path=shown.prepared.relative, content_hash=shown.prepared.content_hash,
                        fingerprint=shot_fingerprint(shot, project), spec=generation_spec(shot, project),
                        backend="media", request={"file": shown.prepared.name}, seed=0, frames=shown.frames,
                        width=info.width, height=info.height, created_at=created, elapsed_s=0.0)
            made.append(take)
            takes[shot.id] = [take]
            shots[index] = shot.model_copy(update={"selected_take_id": take.id})
        timeline = project.timeline.model_copy(update={"shots": shots})
        return project.model_copy(update={"timeline": timeline, "takes": takes}), made

    def _frames(self, seconds: Fraction) -> int:
        return seconds_to_frames(seconds, self.frame_rate)

    def _change_shot(self, index: int, **changes: Any) -> Shot:
        """Shot `index` with `changes`, as its model's validators let them be: a value a cut file led to
        that the project could not hold (a negative trim or timecode) is refused here, naming the shot,
        before it reaches the project file."""
        with edit_errors(self._shot_words(index)):
            self.shots[index] = self.shots[index].with_changes(**changes)
        return self.shots[index]

    def _shot_words(self, index: int) -> str:
        """How an import names shot `index` (the cut's event index + 1): by number and the clip's name."""
        return f"Shot {index + 1} ({self.shots[index].name})"

    def _in_bin(self, name: str, relative: str, content_hash: str, kind: str, seconds: float, origin: str) -> None:
        if content_hash not in self._bin:  # a file several clips show came, as the bin says, from the first
            path = self.media.path_of(relative)
            self._bin[content_hash] = MediaItem(name=name, media_path=relative, content_hash=content_hash, kind=kind,
                                                seconds=seconds, size=path.stat().st_size if path.exists() else 0,
                                                origin=origin)
