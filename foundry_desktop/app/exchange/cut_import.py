"""A cut from another editor (FCPXML, CMX 3600 EDL, OTIO) as a new Foundry project.

Each clip becomes a shot whose take is the clip's media, copied into the new
project's media folder and trimmed as the cut trims it, so a cut edited in
Resolve or Final Cut comes back as it was, its empty time (gaps) included.
Transitions keep their length and record time: an offline shot is made with the
handles its transitions need, and where media lacks them a transition loses only
those frames (interchange/transition_handles.py). The film's fades, music, markers,
captions and scenes (runs of clips of one scene name) follow. A clip whose media is
missing or unreadable still holds its place and length, as a shot to generate (its prompt from Foundry's own
metadata when the file carries it, else the clip's name), and the report says so.
The file is read whole (a file too big to be a cut is refused first) and the project
laid out in memory (cut_project), then written at once: a new project appears whole
or not at all, even if the import is stopped midway (Ctrl+C, kill, a failure), and
the time it takes grows with the events, not their square.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from foundry_desktop.app.edit_base import edit_errors
from foundry_desktop.app.exchange.cut_files import IMPORT_FORMATS, MAX_CUT_BYTES, opened_cut_file, read_cut_file
from foundry_desktop.app.exchange.cut_project import ProjectDraft
from foundry_desktop.app.exchange.staged_media import clear_leftovers, put_in_place, staging_folder
from foundry_desktop.app.project_service import AddedAfterTheFilm, ProjectService
from foundry_desktop.app.shots.media_shots import PreparedMedia, prepare_media
from foundry_desktop.app.exchange.conform_keys import film_timecode_of, in_file_timecode, shot_sources, source_timecode
from foundry_desktop.app.shots.music_clips import PreparedSound, prepare_sound
from foundry_desktop.domain.project import AudioClip, Project, ProjectFormat
from foundry_desktop.domain.time import frames_in_duration
from foundry_desktop.errors import CutFileError, FoundryError, InputFileError
from foundry_desktop.interchange.film_cut import CutClip, CutMusic, FilmCut
from foundry_desktop.interchange.file_url import is_media_file
from foundry_desktop.interchange.transition_handles import Handles, fitted_to_media, implied_handles
from foundry_desktop.media.probe import probe_source
from foundry_desktop.store.media_cache import MediaCache
from foundry_desktop.store.project_store import ProjectStore

__all__ = ["IMPORT_FORMATS", "MAX_CUT_BYTES", "ImportReport", "LaidOutCut", "add_laid_out_cut", "import_cut",
           "import_cut_into", "lay_out_cut", "read_cut_file", "write_laid_out_cut"]  # the formats and reading live in cut_files

DEFAULT_SIZE = (1920, 1080)
# Foundry's own metadata (OTIO keeps it) that brings back an offline shot's generation settings.
_SPEC_KEYS = ("prompt", "negative_prompt", "backend", "model", "workflow", "seed")
_SCENE_KEYS = ("description", "location", "time_of_day", "notes", "color")  # cut_export's scene metadata


@dataclass(frozen=True)
class ImportReport:
    project: Path
    shots: int
    offline: int  # shots whose media was missing or unreadable: shots to generate or replace
    warnings: tuple[str, ...]


def import_cut(source: Path, project_path: Path, *, frame_rate: str | Fraction | None = None,
               sequence: str | None = None) -> ImportReport:
    """Make `project_path` (a new project) from the cut in `source` (its project `sequence`, where it holds
    several), written in one go."""
    source, project_path = Path(source), Path(project_path)
    if project_path.exists():
        raise InputFileError(f"{project_path} already exists: choose a new name for the imported project.")
    clear_leftovers(project_path)
    with opened_cut_file(source, frame_rate, sequence) as read:
        cut = read.cut
        width, height = _frame_size(cut)
        with edit_errors():
            fmt = ProjectFormat(width=width, height=height, frame_rate=cut.frame_rate, audio_rate=cut.audio_rate)
        staging = staging_folder(project_path)
        try:
            building = _ProjectFromCut(ProjectDraft(fmt, MediaCache(staging)), cut, source)
            building.build()
            project, _ = building.service.project(Project(name=cut.name or source.stem, format=fmt))
            ProjectStore.create(project_path, project).close()
            put_in_place(staging, project_path)
        except BaseException:
            _remove_project(project_path, staging)
            raise
    return ImportReport(project_path, len(cut.clips), building.offline, (*read.warnings, *building.warnings))


@dataclass(frozen=True)
class LaidOutCut:
    """A cut laid out for the open project, its media already in the project's media folder."""

    source: Path
    building: _ProjectFromCut
    warnings: tuple[str, ...]


def lay_out_cut(service: ProjectService, source: Path, *, frame_rate: str | Fraction | None = None,
                sequence: str | None = None) -> LaidOutCut:
    """Read the cut (its timeline `sequence`, where it holds several: CutChoiceError lists them) and lay it
    out for the open project, copying its media in. Slow: from a worker thread, then add_laid_out_cut.
    An EDL is read at the project's frame rate unless told otherwise; a cut at another rate than the
    project's is refused (its frames would not be the project's)."""
    source = Path(source)
    with opened_cut_file(source, frame_rate or service.format.frame_rate, sequence) as read:
        rate = service.format.frame_rate
        if read.cut.frame_rate != rate:
            raise CutFileError(f"{source.name} is cut at {float(read.cut.frame_rate):.3f} fps and this project plays "
                               f"at {float(rate):.3f} fps: import it as a new project instead.")
        building = _ProjectFromCut(ProjectDraft(service.format, service.media), read.cut, source)
        building.build()
    return LaidOutCut(source, building, read.warnings)


def add_laid_out_cut(service: ProjectService, laid_out: LaidOutCut) -> ImportReport:
    """The laid-out cut after the end of the open project's film: one edit, one undo step."""
    added, report = write_laid_out_cut(service, laid_out)
    service.finish_adding(added)
    return report


def write_laid_out_cut(service: ProjectService, laid_out: LaidOutCut) -> tuple[AddedAfterTheFilm, ImportReport]:
    """add_laid_out_cut's writing, for a worker thread (a long cut takes seconds to write); the
    window then makes it the open project with service.finish_adding, on its own thread."""
    building = laid_out.building
    added = service.write_after_the_film(f"Import {laid_out.source.name}", building.service.project)
    return added, ImportReport(service.path, len(building.cut.clips), building.offline,
                               (*laid_out.warnings, *building.warnings))


def import_cut_into(service: ProjectService, source: Path, *, frame_rate: str | Fraction | None = None,
                    sequence: str | None = None) -> ImportReport:
    """Add the cut in `source` (its timeline `sequence`) after the end of the open project's film, as one undo step."""
    return add_laid_out_cut(service, lay_out_cut(service, source, frame_rate=frame_rate, sequence=sequence))


def _frame_size(cut: FilmCut) -> tuple[int, int]:
    """The cut's frame size; an EDL has none, so the first clip's picture that reads gives it."""
    width, height = cut.width, cut.height
    if width <= 0 or height <= 0:
        width, height = DEFAULT_SIZE
        for clip in cut.clips:
            if is_media_file(clip.media):
                with contextlib.suppress(FoundryError):
                    info = probe_source(clip.media)
                    width, height = info.width, info.height
                    break
    return width + width % 2, height + height % 2  # the film's encoders need even sizes


def _scene_details(kept: object) -> dict[str, str]:
    """The scene notes cut_export keeps in a clip's metadata, as far as they are what it writes."""
    if not isinstance(kept, dict):
        return {}
    return {key: value for key, value in kept.items() if key in _SCENE_KEYS and isinstance(value, str)}


def _prompt_of(clip: CutClip) -> str:
    """A shot of media is labelled by the prompt Foundry's metadata kept, else by the clip's name (a generated
    shot's name or prompt, which the file, named by its content, would not tell)."""
    prompt = clip.metadata.get("prompt")
    return prompt if isinstance(prompt, str) and prompt else clip.name


def _remove_project(path: Path, staging: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                     path.with_name(path.name + ".lock")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


class _ProjectFromCut:
    """Lays a FilmCut out in a project draft, noting what could not be kept. The draft takes
    the service's edits under their names, so this reads as the edits a creator would make."""

    def __init__(self, service: ProjectDraft, cut: FilmCut, source: Path) -> None:
        self.service = service
        self.cut = cut
        self.source = Path(source).absolute()  # the cut file, which the media bin's items say they came from
        self.rate = cut.frame_rate
        self.warnings: list[str] = []
        self.offline = 0
        self._media: dict[Path, PreparedMedia | FoundryError] = {}
        self._sound: dict[Path, PreparedSound | FoundryError] = {}
        self._handles: list[Handles] = []

    def build(self) -> None:
        self._count_sources_in_files()
        self._fit_transitions_to_media()
        for number, clip in enumerate(self.cut.clips, start=1):
            self._add_clip(number, clip)
        for index in range(len(self.cut.clips)):  # empty time stays empty (before the transitions, which never cross it)
            if gap := self.cut.gap_before(index):
                self.service.insert_gap(index, gap)
        shots = self.service.shots
        for transition in self.cut.transitions:
            limit = self.service.max_transition_frames(transition.outgoing)
            frames = min(transition.frames, limit)
            if frames < transition.frames:
                self.warnings.append(f"The transition after shot {transition.outgoing + 1} lasts {transition.frames} "
                                     f"frames and overlaps the next one; Foundry keeps {frames}.")
            if frames > 0 and transition.outgoing < len(shots) - 1:
                self.service.set_transition(transition.outgoing, transition.kind, frames)
        if self.cut.fade_in or self.cut.fade_out:
            self.service.set_film_fades(self.cut.fade_in, self.cut.fade_out)
        for music in self.cut.music:
            self._add_music(music)
        for marker in self.cut.markers:
            self.service.add_marker(marker.frame, marker.label, marker.color)
        for caption in self.cut.captions:
            self.service.add_caption(caption.text, self._seconds(caption.start), self._seconds(caption.end))
        self._add_scenes()
        self._keep_conform_keys()

    def _add_scenes(self) -> None:
        """Each run of clips of one scene (one shot per clip) as a scene, with its notes where the file kept them."""
        clips = self.cut.clips
        starts = [i for i, clip in enumerate(clips) if clip.scene and (i == 0 or clips[i - 1].scene != clip.scene)]
        for start in starts:
            stop = next((i for i in range(start, len(clips)) if clips[i].scene != clips[start].scene), len(clips))
            details = _scene_details(clips[start].metadata.get("scene"))
            try:
                self.service.add_scene(clips[start].scene, shot_indexes=range(start, stop), **details)
            except FoundryError:  # notes this Foundry refuses (a colour it cannot read): the name will do
                self.service.add_scene(clips[start].scene, shot_indexes=range(start, stop))

    def _fit_transitions_to_media(self) -> None:
        """Shorten the transitions whose media lacks handles (each by what is missing, every
        cut kept in place), and note the handles the offline shots are to be made with."""
        self.cut, notes = fitted_to_media(self.cut, [self._media_frames(clip) for clip in self.cut.clips])
        self.warnings.extend(notes)
        self._handles = implied_handles(self.cut)

    def _media_frames(self, clip: CutClip) -> int | None:
        """How long the clip's media is, in frames; None where it has no end to run out of
        (a still) or will be an offline shot, made with the handles its transitions need."""
        if not is_media_file(clip.media):
            return None
        prepared = self._prepared(clip)
        if isinstance(prepared, FoundryError) or prepared.info.still:
            return None
        frames = self._probed_frames(prepared)
        return None if clip.source_in >= frames else frames

    def _probed_frames(self, prepared: PreparedMedia) -> int:
        return max(1, frames_in_duration(prepared.info.duration_s or 0.0, self.rate))

    def _seconds(self, frames: int) -> Fraction:
        return Fraction(frames) / self.rate

    def _prepared(self, clip: CutClip) -> PreparedMedia | FoundryError:
        assert clip.media is not None
        if clip.media not in self._media:
            try:
                self._media[clip.media] = prepare_media(self.service.media, clip.media)
            except FoundryError as exc:
                self._media[clip.media] = exc
        return self._media[clip.media]

    def _add_clip(self, number: int, clip: CutClip) -> None:
        if clip.media is None:
            # A title or generator the reader made a title card of has said so already.
            return self._add_offline(number, clip, None if clip.metadata.get("title_card") else "it has no media")
        if not is_media_file(clip.media):
            return self._add_offline(number, clip, f"{clip.media} was not found")
        prepared = self._prepared(clip)
        if isinstance(prepared, FoundryError):
            return self._add_offline(number, clip, str(prepared))
        prompt = _prompt_of(clip)
        if prepared.info.still:
            self.service.add_prepared_shot(prepared, name=clip.name, origin=self._origin(clip.media, clip.name),
                                           duration_seconds=self._seconds(clip.frames),
                                           prompt=prompt)
            return None
        frames = self._probed_frames(prepared)
        source_in, source_out = clip.source_in, clip.source_out
        if source_in >= frames:
            return self._add_offline(number, clip, f"the cut uses {clip.media.name} from frame {source_in}, "
                                                   f"and it has only {frames}")
        if source_out > frames:
            self.warnings.append(f"Shot {number} ({clip.name}): the cut uses {clip.media.name} up to frame "
                                 f"{source_out}, and it has only {frames}; the shot ends with it.")
            source_out = frames
        self.service.add_prepared_shot(prepared, name=clip.name, origin=self._origin(clip.media, clip.name),
                                       source_in=self._seconds(source_in),
                                       source_out=self._seconds(source_out), prompt=prompt)
        return None

    def _count_sources_in_files(self) -> None:
        """Each clip's source counted from its file's first frame where the cut counts it in the
        file's own timecode (conform_keys.in_file_timecode), before anything measures it."""
        clips = []
        for clip in self.cut.clips:
            if is_media_file(clip.media):
                prepared = self._prepared(clip)
                if not isinstance(prepared, FoundryError):
                    clip = in_file_timecode(clip, source_timecode(prepared.info, self.rate))
            clips.append(clip)
        self.cut = replace(self.cut, clips=tuple(clips))

    def _keep_conform_keys(self) -> None:
        """The film's timecode and each shot's reel and source timecode as the cut says them, so that
        its export gives them back."""
        if (timecode := film_timecode_of(self.cut)) is not None:
            self.service.set_film_timecode(*timecode)
        shots = self.service.shots
        offline = [not self.service.shows_a_file(index) for index in range(len(shots))]
        starts = [shot.trim_in for shot in shots]  # an offline shot starts past the handles it was made with
        self.service.set_shot_sources(shot_sources(self.cut, shots, starts, offline))

    def _add_offline(self, number: int, clip: CutClip, why: str | None) -> None:
        """The clip's place and length kept by a shot to generate, with what Foundry knew of it (and why,
        unless the reader has said it: None)."""
        self.offline += 1
        if why is not None:
            self.warnings.append(f"Shot {number} ({clip.name}): {why}; it is a shot to generate or replace.")
        spec: dict[str, Any] = {key: clip.metadata[key] for key in _SPEC_KEYS if clip.metadata.get(key) is not None}
        spec.setdefault("prompt", clip.name)
        if spec.get("backend") == "media":  # its file is what is missing: something to generate instead
            del spec["backend"]
        try:
            self.service.add_shot(name=clip.name, duration_frames=self._with_handles(number, clip), **spec)
        except FoundryError:  # settings this machine's Foundry refuses: the clip's name will do
            self.service.add_shot(name=clip.name, prompt=clip.name, duration_frames=self._with_handles(number, clip))
        self._trim_to_handles(number, clip)

    def _with_handles(self, number: int, clip: CutClip) -> int:
        """An offline shot's length to make: the clip and the media its transitions need around it."""
        handles = self._handles[number - 1]
        return handles.head + clip.frames + handles.tail

    def _trim_to_handles(self, number: int, clip: CutClip) -> None:
        """Trim the offline shot just added to the clip, its handles kept beyond its ends for its transitions."""
        handles = self._handles[number - 1]
        if handles.head or handles.tail:
            self.service.set_trims(len(self.service.shots) - 1, handles.head,
                                   handles.head + clip.frames if handles.tail else None)

    def _add_music(self, music: CutMusic) -> None:
        if not is_media_file(music.media):
            self.warnings.append(f"Music {music.name}: {music.media or 'its file'} was not found; it is left out.")
            return
        if music.media not in self._sound:
            try:
                self._sound[music.media] = prepare_sound(self.service.media, music.media)
            except FoundryError as exc:
                self._sound[music.media] = exc
        prepared = self._sound[music.media]
        if isinstance(prepared, FoundryError):
            self.warnings.append(f"Music {music.name}: {prepared}; it is left out.")
            return
        frames = max(1, frames_in_duration(prepared.seconds, self.rate))
        source_out = min(music.source_out, frames)
        if music.source_in >= source_out:
            self.warnings.append(f"Music {music.name}: the cut uses it beyond its end; it is left out.")
            return
        with edit_errors():
            clip = AudioClip(media_path=prepared.relative, content_hash=prepared.content_hash, name=music.name,
                             start=music.record_in, source_in=music.source_in, source_out=source_out,
                             gain_db=max(-60.0, min(24.0, music.gain_db)),
                             fade_in=min(music.fade_in, source_out - music.source_in),
                             fade_out=min(music.fade_out, max(0, source_out - music.source_in - music.fade_in)))
        self.service.add_music_clip(clip, prepared, origin=self._origin(music.media, music.name))

    def _origin(self, media: Path, name: str) -> str:
        """Where a bin item came from: its file, as the clip `name` of the cut file."""
        return f"{media} (clip '{name}' of {self.source})"
