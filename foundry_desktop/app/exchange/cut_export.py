"""Handing the cut to Final Cut, Resolve or Premiere: the project as a FilmCut, written
as FCPXML, CMX 3600 EDL or OTIO.

The FilmCut comes from the same cut plan the render and the preview play
(domain.cut_plan): the same shots, trims, centred transitions, fades, music
(loops laid out as the repeats the render plays, cut off where the film ends),
markers and captions, and each shot's scene (by name; an unnamed one as "Scene N").
So an exported file describes exactly the film Foundry renders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from foundry_desktop.app.exchange.caption_files import export_captions
from foundry_desktop.app.exchange.conform_keys import film_drop_frame, reels_need_long_names
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.cut_plan import PlacedShot
from foundry_desktop.domain.project import AudioClip, Scene, Shot, Take
from foundry_desktop.domain.time import frames_in_duration
from foundry_desktop.errors import ExportError, MediaError
from foundry_desktop.interchange.edl.names import ReelStyle
from foundry_desktop.interchange.edl.writer import needs_long_numbers, write_edl, write_music_edl
from foundry_desktop.interchange.fcpxml.writer import FCPXML_VERSIONS, write_fcpxml
from foundry_desktop.interchange.film_cut import (
    CutCaption,
    CutClip,
    CutMarker,
    CutMusic,
    CutTransition,
    FilmCut,
    frames_before_cut,
)
from foundry_desktop.interchange.otio.writer import write_otio
from foundry_desktop.interchange.smpte_timecode import drop_frame_possible as _drop_frame_possible
from foundry_desktop.media.probe import probe_audio_seconds, probe_source

EXPORT_FORMATS = {".fcpxml": "FCPXML", ".edl": "CMX 3600 EDL", ".otio": "OpenTimelineIO"}


@dataclass(frozen=True)
class ExportReport:
    files: tuple[Path, ...]  # the cut, then (EDL) the music's EDLs
    warnings: tuple[str, ...]  # what the cut plan had to change (missing handles...)


def film_cut(service: ProjectService) -> FilmCut:
    """The project's cut as other editors see it. Reads each take's file once (sound or
    not, still or not), so call it off the GUI thread."""
    project = service.project
    plan = service.cut_plan()
    shots = project.timeline.shots
    media = service.media
    sources: dict[str, tuple[bool, bool]] = {}  # take file -> (has sound, still)
    scenes = {scene.id: (number, scene) for number, scene in enumerate(project.timeline.scenes, 1)}

    def clip(index: int) -> CutClip:
        cut_clip = shot_clip(index)
        number, scene = scenes.get(shots[index].scene_id, (0, None))  # type: ignore[arg-type]
        if scene is None:
            return cut_clip
        name = scene.name.strip() or f"Scene {number}"
        return replace(cut_clip, scene=name, metadata={**cut_clip.metadata, "scene": _scene_metadata(scene)})

    def shot_clip(index: int) -> CutClip:
        placed = plan.shots[index]
        shot = shots[index]
        take = project.selected_take(shot)
        name = shot.name or shot.spec.prompt or f"Shot {index + 1}"
        if take is None or not media.exists(take.media_path):
            return _offline_clip(service, name, shot, take, placed)
        path = media.path_of(take.media_path).resolve()
        if take.media_path not in sources:
            try:
                info = probe_source(path)
                sources[take.media_path] = (info.has_audio, info.still)
            except MediaError:  # a damaged take is still where the cut says; the editor will say it is offline
                sources[take.media_path] = (False, False)
        has_audio, still = sources[take.media_path]
        return CutClip(name, path, max(take.frames, placed.source_out), placed.source_in, placed.source_out,
                       placed.record_in, placed.record_out, has_audio=has_audio and not shot.audio_muted, still=still,
                       reel=shot.reel or _generated_reel(take, name), source_start=shot.source_timecode,
                       source_drop_frame=shot.source_drop_frame,
                       media_name=_own_name(take),
                       metadata=_shot_metadata(shot, take))

    length = plan.length
    music = tuple(piece for audio in project.timeline.music for piece in _music_pieces(service, audio, length))
    return FilmCut(
        name=project.name,
        frame_rate=project.format.frame_rate,
        width=project.format.width,
        height=project.format.height,
        audio_rate=project.format.audio_rate,
        clips=tuple(clip(index) for index in range(len(plan.shots))),
        transitions=tuple(CutTransition(t.outgoing, t.kind, t.cut - frames_before_cut(t.frames), t.frames)
                          for t in plan.transitions),
        fade_in=plan.fade_in,
        fade_out=plan.fade_out,
        music=music,
        markers=tuple(CutMarker(m.frame, m.label, m.color) for m in project.timeline.markers if m.frame < length),
        captions=tuple(CutCaption(c.start, min(c.end, length), c.text)
                       for c in project.timeline.captions if c.start < length),
        timecode_start=project.timeline.start_timecode,
        drop_frame=film_drop_frame(project),
    )


def _offline_clip(service: ProjectService, name: str, shot: Shot, take: Take | None, placed: PlacedShot) -> CutClip:
    """A shot without its media: its place, its conform keys, and where its media is expected."""
    return CutClip(name, None, max(placed.source_out, shot.spec.duration), placed.source_in, placed.source_out,
                   placed.record_in, placed.record_out, reel=shot.reel, source_start=shot.source_timecode,
                   source_drop_frame=shot.source_drop_frame,
                   offline_media=_expected_media(service, name, take),
                   media_name=_own_name(take) if take is not None else "", metadata=_shot_metadata(shot, None))


def _generated_reel(take: Take, name: str) -> str:
    """A generated take's file is named by its content: its reel is named after the shot instead."""
    return "" if take.backend == "media" else name


def _own_name(take: Take) -> str:
    """The creator's file's own name (the media folder holds it under its content's name); "" for a generated take."""
    name = take.request.get("file") if take.backend == "media" else None
    return name if isinstance(name, str) else ""


def _expected_media(service: ProjectService, name: str, take: Take | None) -> Path:
    """Where an offline shot's media is expected, for editors that relink by file: its take's file,
    else one named as the shot is (an imported clip's name is its file's) in the media folder."""
    if take is not None:
        return service.media.path_of(take.media_path).resolve()
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._")[:64] or "shot"
    return service.media.path_of(safe if Path(safe).suffix else f"{safe}.mov").resolve()


def _shot_metadata(shot: Shot, take: Take | None) -> dict[str, object]:
    spec = shot.spec
    metadata: dict[str, object] = {"shot_id": shot.id, "prompt": spec.prompt, "backend": spec.backend,
                                   "seed": spec.seed}
    for key in ("negative_prompt", "model", "workflow", "character", "style"):
        value = getattr(spec, key)
        if value:
            metadata[key] = value
    if take is not None:
        metadata.update(take_id=take.id, fingerprint=take.fingerprint, made_by=take.backend, take_seed=take.seed)
    return metadata


def _scene_metadata(scene: Scene) -> dict[str, str]:
    """What a scene's notes say, for the formats that keep metadata (OTIO)."""
    fields = ("description", "location", "time_of_day", "notes", "color")
    return {field: getattr(scene, field) for field in fields if getattr(scene, field)}


def _music_pieces(service: ProjectService, clip: AudioClip, film_frames: int) -> list[CutMusic]:
    """One music clip as the render plays it: from its start, repeated when it loops, cut
    off at the film's end; its fade in on the first repeat and its fade out on the last."""
    if clip.start >= film_frames:
        return []
    path = service.media.path_of(clip.media_path).resolve()
    try:
        media_frames = max(clip.source_out, frames_in_duration(probe_audio_seconds(path), service.format.frame_rate))
    except MediaError:
        media_frames = clip.source_out
    body = clip.source_out - clip.source_in
    end = film_frames if clip.loop else min(film_frames, clip.start + body)
    pieces = []
    for start in range(clip.start, end, body):
        frames = min(body, end - start)
        pieces.append(CutMusic(clip.name or path.name, path, media_frames, clip.source_in, clip.source_in + frames,
                               start, clip.gain_db))
    pieces[0] = replace(pieces[0], fade_in=min(clip.fade_in, pieces[0].frames))
    pieces[-1] = replace(pieces[-1], fade_out=min(clip.fade_out, pieces[-1].frames))
    return pieces


def drop_frame_possible(frame_rate: Fraction) -> bool:
    """Whether FCPXML and EDL can count this rate in drop-frame timecode (29.97, 59.94 fps):
    the export dialog offers drop frame only then."""
    return _drop_frame_possible(frame_rate)


def export_cut(service: ProjectService, path: Path, *, fcpxml_version: str = "1.10",
               drop_frame: bool | None = None, edl_names: ReelStyle | None = None) -> ExportReport:
    """Write the cut to `path`, in the format its extension names (.fcpxml, .edl, .otio).
    An EDL holds the picture; the music goes into its own EDL beside it (NAME.music.edl), the
    captions into a SubRip file (NAME.srt). The film's own timecode (start, drop frame) is written
    unless `drop_frame` overrides it; `edl_names` picks strict 8-character reels or long ones (by
    default long only where the shots keep reels that strict ones would shorten)."""
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in EXPORT_FORMATS:
        known = ", ".join(EXPORT_FORMATS)
        raise ExportError(f"Foundry exports cuts as {known}; {path.name} has none of these extensions.")
    if kind == ".fcpxml" and fcpxml_version not in FCPXML_VERSIONS:
        raise ExportError(f"FCPXML version {fcpxml_version} is not one Foundry writes: choose "
                          f"{' or '.join(FCPXML_VERSIONS)}.")
    if edl_names not in (None, "cmx", "long"):
        raise ExportError(f"EDL reel names are 'cmx' (8 characters) or 'long' (File129), not {edl_names!r}.")
    cut = film_cut(service)
    if not cut.clips:
        raise ExportError("The timeline has no shots: there is no cut to export yet.")
    if kind == ".otio" and drop_frame:
        raise ExportError("Drop-frame timecode is for FCPXML and EDL; an OTIO file counts frames.")
    warnings = list(service.cut_plan().warnings)
    if edl_names is None:
        edl_names = "long" if reels_need_long_names(service.project) else "cmx"
        if kind == ".edl" and edl_names == "cmx" and needs_long_numbers(cut):
            edl_names = "long"
            warnings.append("The edit has more events than the 999 a strict CMX 3600 EDL numbers, so it was written "
                            "as Avid and Resolve write long edits: event numbers of up to six digits and long reel "
                            "names (File129).")
    drop = bool(cut.drop_frame) if drop_frame is None else drop_frame
    try:
        if kind == ".fcpxml":
            files: tuple[Path, ...] = (write_fcpxml(cut, path, fcpxml_version, drop),)
        elif kind == ".edl":
            files = (write_edl(cut, path, drop_frame=drop, names=edl_names),)
            if edl_names == "cmx" and reels_need_long_names(service.project):
                warnings.append("Some reels are longer than the 8 characters of a strict CMX 3600 EDL and were "
                                "shortened; export with long reel names (File129) to keep them whole.")
            if cut.music:
                files += write_music_edl(cut, path.with_name(f"{path.stem}.music.edl"), drop_frame=drop,
                                         names=edl_names)
                if any(piece.gain_db for piece in cut.music):
                    warnings.append("An EDL has no place for a music clip's level: the music EDL plays it at 0 dB.")
            if cut.captions:
                files += (export_captions(service, path.with_name(f"{path.stem}.srt")),)
                warnings.append(f"An EDL has no place for captions: they are in {files[-1].name} beside it.")
        else:
            files = (write_otio(cut, path),)
    except OSError as exc:
        raise ExportError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return ExportReport(files, tuple(warnings))
