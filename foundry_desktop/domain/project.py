"""The project model: a film laid out as shots on a timeline, plus its takes.

Plain pydantic models. Edits go through timeline_ops, which returns new,
validated timelines; nothing here performs I/O.
"""

from __future__ import annotations

import uuid
from fractions import Fraction
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    model_validator,
)

from foundry_desktop.domain.prompt_templates import (
    Character,
    PromptTemplate,
    StyleTemplate,
    TemplateKind,
)
from foundry_desktop.domain.time import parse_frame_rate


def _validate_rate(value: Any) -> Fraction:
    try:
        return parse_frame_rate(value)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


FrameRate = Annotated[Fraction, PlainValidator(_validate_rate), PlainSerializer(str, return_type=str)]


def new_id() -> str:
    return uuid.uuid4().hex


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    def with_changes(self, **changes: Any) -> Self:
        """A copy with `changes`, checked by the model's validators as a new one is: model_copy's
        update is not, so a value from a file or a reply could slip past them into the project.
        Fields already held go in as they are (models are not validated again), so it costs
        about as much as making the model anew. Raises pydantic's ValidationError."""
        return type(self).model_validate({**self.__dict__, **changes})


class ShotSpec(_Model):
    """Everything that determines what a generation of the shot produces."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = ""
    negative_prompt: str = ""
    backend: str = "builtin"
    model: str | None = None
    workflow: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    seed: int = Field(default=0, ge=0, lt=2**63)
    duration: int = Field(default=72, gt=0, description="frames to generate")
    input_image: str | None = Field(default=None, description="the input image's path in the media folder")
    input_image_name: str | None = Field(default=None, description="the file name the creator chose")
    input_media: str | None = Field(default=None, description="a clip or still used as it is (backend 'media')")
    character: str | None = Field(default=None, description="the id of the project's character in the shot")
    style: str | None = Field(default=None, description="the id of the project's style template")
    # How the shot's keyframe stills are made (text to image); not part of the video's fingerprint.
    image_backend: str = "builtin"
    image_model: str | None = None
    image_workflow: str | None = None


TransitionKind = Literal["cut", "dissolve", "fade_black", "fade_white"]
FitMode = Literal["fit", "fill"]


class Transition(_Model):
    """How a shot hands over to the next one. A cut has no duration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TransitionKind = "cut"
    duration: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _cut_has_no_duration(self) -> Transition:
        if self.kind == "cut" and self.duration != 0:
            raise ValueError("a cut has no duration")
        if self.kind != "cut" and self.duration == 0:
            raise ValueError(f"a {self.kind.replace('_', ' ')} needs a duration of at least one frame")
        return self


CUT = Transition()


TakeKind = Literal["video", "still", "sound"]


class Take(_Model):
    """One generated file with where it came from: a video or a keyframe still of a shot,
    or the sound of a generated music clip."""

    id: str = Field(default_factory=new_id)
    shot_id: str = Field(description="its owner: a shot (video, still) or a music clip (sound)")
    kind: TakeKind = "video"
    media_path: str = Field(description="relative to the project's media folder")
    content_hash: str
    fingerprint: str
    spec: dict[str, Any] = Field(description="the canonical generation spec the fingerprint hashes")
    backend: str
    request: dict[str, Any] = Field(default_factory=dict)
    seed: int
    frames: int = Field(gt=0)
    width: int = Field(ge=0, description="0 for sound")
    height: int = Field(ge=0, description="0 for sound")
    created_at: str
    elapsed_s: float = Field(ge=0)


Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$", description="#rrggbb or #rrggbbaa")]


class SceneDefaults(_Model):
    """What a scene's shots inherit unless they set it themselves (None: the scene sets nothing)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    style: str | None = None
    character: str | None = None
    backend: str | None = None
    model: str | None = None
    workflow: str | None = None
    image_backend: str | None = None
    image_model: str | None = None
    image_workflow: str | None = None


SCENE_DEFAULT_FIELDS: tuple[str, ...] = tuple(SceneDefaults.model_fields)


class Scene(_Model):
    """A named run of consecutive shots (Shot.scene_id), with notes and defaults for its shots."""

    id: str = Field(default_factory=new_id)
    name: str = ""
    description: str = ""
    location: str = ""
    time_of_day: str = ""
    notes: str = ""
    color: Color = "#4a7fb5"
    defaults: SceneDefaults = Field(default_factory=SceneDefaults)


class Shot(_Model):
    id: str = Field(default_factory=new_id)
    name: str = ""
    spec: ShotSpec = Field(default_factory=ShotSpec)
    selected_take_id: str | None = None
    scene_id: str | None = Field(default=None, description="the scene it belongs to; None: none")
    overrides: tuple[str, ...] = Field(
        default=(), description="SceneDefaults fields the shot sets itself instead of inheriting them")
    keyframe_take_id: str | None = Field(default=None, description="the approved first-frame keyframe (a still take)")
    last_keyframe_take_id: str | None = Field(default=None, description="the approved last-frame keyframe")
    continue_from_previous: bool = Field(
        default=False, description="start from the last frame of the previous shot's take")
    trim_in: int = Field(default=0, ge=0)
    trim_out: int | None = Field(default=None, description="exclusive end in the take; None = its end")
    transition_out: Transition = CUT
    fit: FitMode = Field(default="fit", description="fit: whole picture, bars; fill: cover the frame, crop")
    audio_gain_db: float = Field(default=0.0, ge=-60, le=24)
    audio_muted: bool = False
    gap_before: int = Field(default=0, ge=0, description="frames of empty time (black, silence) before the shot")
    # The keys an online editor conforms by: kept as the cut or the file named them, written back unchanged.
    reel: str = Field(default="", description="its source's reel (tape, camera roll); '' for none known")
    source_timecode: int = Field(default=0, ge=0, description="the timecode of its source's first frame, "
                                 "in frames at the film's rate (a camera original's start timecode)")
    source_drop_frame: bool | None = Field(default=None, description="whether its source's timecode drops frame "
                                           "labels (a camera original's own counting); None: it counts as the film does")

    @property
    def source_end(self) -> int:
        return self.spec.duration if self.trim_out is None else self.trim_out

    @property
    def length(self) -> int:
        """Frames this shot occupies on the timeline."""
        return self.source_end - self.trim_in


class MusicSpec(_Model):
    """What a generated music clip was asked for (its takes are sound takes of the clip)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = ""
    backend: str = "builtin"
    model: str | None = None
    workflow: str | None = None
    seed: int = Field(default=0, ge=0, lt=2**63)
    params: dict[str, Any] = Field(default_factory=dict)


class AudioClip(_Model):
    id: str = Field(default_factory=new_id)
    media_path: str
    content_hash: str
    name: str = ""
    start: int = Field(default=0, ge=0, description="timeline frame where the clip begins")
    source_in: int = Field(default=0, ge=0)
    source_out: int = Field(gt=0)
    gain_db: float = Field(default=0.0, ge=-60, le=24)
    fade_in: int = Field(default=0, ge=0)
    fade_out: int = Field(default=0, ge=0)
    loop: bool = Field(default=False, description="repeat [source_in, source_out) until the film ends")
    spec: MusicSpec | None = Field(default=None, description="how it was generated; None: a file brought in")
    selected_take_id: str | None = Field(default=None, description="the sound take it plays (generated clips)")

    @model_validator(mode="after")
    def _in_before_out(self) -> AudioClip:
        if self.source_out <= self.source_in:
            raise ValueError("an audio clip must end after it starts")
        if self.fade_in + self.fade_out > self.source_out - self.source_in:
            raise ValueError("the fades are longer than the clip")
        return self


CaptionPosition = Literal["bottom", "middle", "top"]


class CaptionStyle(_Model):
    """How a caption looks. Sizes are fractions (of the frame height, or of the
    text size), so a style looks the same at every output size."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    font: str = Field(default="DejaVu Sans Bold", description="a bundled font's name, or a font file")
    size: float = Field(default=0.055, ge=0.01, le=0.3, description="text size / frame height")
    color: Color = "#ffffff"
    outline_color: Color = "#000000"
    outline: float = Field(default=0.08, ge=0, le=0.3, description="outline width / text size")
    shadow_color: Color | None = "#000000a0"
    shadow_offset: float = Field(default=0.06, ge=0, le=0.5, description="shadow offset / text size")
    position: CaptionPosition = Field(default="bottom", description="where in the title-safe area")
    highlight_color: Color | None = Field(default=None, description="the word being spoken; None: no highlight")


class Caption(_Model):
    id: str = Field(default_factory=new_id)
    text: str
    start: int = Field(ge=0)
    end: int
    style: CaptionStyle = Field(default_factory=CaptionStyle)
    word_starts: list[int] | None = Field(
        default=None, description="the film frame where each word is spoken; None: spread by length"
    )

    @model_validator(mode="after")
    def _valid_timing(self) -> Caption:
        if not self.text.strip():
            raise ValueError("a caption needs some text")
        if self.end <= self.start:
            raise ValueError("a caption must end after it starts")
        if self.word_starts is not None:
            if len(self.word_starts) != len(self.text.split()):
                raise ValueError("a caption needs one start per word")
            if any(b < a for a, b in zip(self.word_starts, self.word_starts[1:], strict=False)):
                raise ValueError("a caption's words must start in order")
            if self.word_starts and not self.start <= self.word_starts[0] <= self.word_starts[-1] < self.end:
                raise ValueError("a caption's words must start while it shows")
        return self


class Marker(_Model):
    id: str = Field(default_factory=new_id)
    frame: int = Field(ge=0)
    label: str = ""
    color: str = "#e5a50a"


class Timeline(_Model):
    """Three tracks and markers. The video track is the shots in order, each after
    its gap (empty time, often none) and otherwise butted to the one before; where
    each one plays in the film is worked out by cut_plan. Scenes group runs of
    consecutive shots; they are listed in film order."""

    shots: list[Shot] = Field(default_factory=list)
    scenes: list[Scene] = Field(default_factory=list)
    music: list[AudioClip] = Field(default_factory=list)
    captions: list[Caption] = Field(default_factory=list)
    markers: list[Marker] = Field(default_factory=list)
    fade_in: int = Field(default=0, ge=0, description="frames of fade from black at the film's start")
    fade_out: int = Field(default=0, ge=0, description="frames of fade to black at the film's end")
    start_timecode: int | None = Field(default=None, ge=0, description="the film's first frame's timecode, in "
                                       "frames; None: 01:00:00:00, where editors start their timelines")
    drop_frame: bool | None = Field(default=None, description="whether its timecode drops frame labels; "
                                    "None: it does at 29.97 and 59.94 fps, where drop frame exists")


MediaKind = Literal["video", "still", "sound"]


class MediaItem(_Model):
    """A file the creator brought into the project's media bin, whether the timeline uses it or not."""

    id: str = Field(default_factory=new_id)
    name: str = Field(description="the file's name as the creator knows it")
    media_path: str = Field(description="relative to the project's media folder")
    content_hash: str
    kind: MediaKind
    seconds: float = Field(default=0.0, ge=0, description="how long it plays; 0 for a still")
    size: int = Field(default=0, ge=0, description="bytes, to find the file again by size and content")
    origin: str = Field(default="", description="where the file was when it was brought in (or last found)")


class ProjectFormat(_Model):
    """The output format every take is generated at and the film is rendered at."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    width: int = Field(default=1280, ge=16, le=8192)
    height: int = Field(default=720, ge=16, le=8192)
    frame_rate: FrameRate = Fraction(24)
    audio_rate: int = Field(default=48000, ge=8000, le=192000)

    @model_validator(mode="after")
    def _even_size(self) -> ProjectFormat:
        # H.264 in 4:2:0 needs even dimensions.
        if self.width % 2 or self.height % 2:
            raise ValueError(f"the size {self.width}x{self.height} must be even in both directions")
        return self


class Project(_Model):
    id: str = Field(default_factory=new_id)
    name: str = "Untitled"
    format: ProjectFormat = Field(default_factory=ProjectFormat)
    timeline: Timeline = Field(default_factory=Timeline)
    takes: dict[str, list[Take]] = Field(default_factory=dict, description="shot id -> takes, oldest first")
    characters: list[Character] = Field(default_factory=list)
    styles: list[StyleTemplate] = Field(default_factory=list)
    media: list[MediaItem] = Field(default_factory=list, description="the media bin, in the order brought in")

    def templates(self, kind: TemplateKind) -> list[Character] | list[StyleTemplate]:
        return self.characters if kind == "character" else self.styles

    def template(self, kind: TemplateKind, template_id: str | None) -> PromptTemplate | None:
        """The character or style with this id (None: none, or not in the project)."""
        return next((t for t in self.templates(kind) if t.id == template_id), None) if template_id else None

    def character_of(self, shot: Shot) -> Character | None:
        return self.template("character", shot.spec.character)  # type: ignore[return-value]

    def style_of(self, shot: Shot) -> StyleTemplate | None:
        return self.template("style", shot.spec.style)  # type: ignore[return-value]

    def takes_of(self, shot_id: str) -> list[Take]:
        return self.takes.get(shot_id, [])

    def video_takes_of(self, shot_id: str) -> list[Take]:
        """The shot's video takes, oldest first (not its keyframe stills)."""
        return [take for take in self.takes_of(shot_id) if take.kind == "video"]

    def selected_take(self, shot: Shot) -> Take | None:
        return next((t for t in self.takes_of(shot.id) if t.id == shot.selected_take_id), None)

    def with_take(self, take: Take, *, select_it: bool) -> Project:
        """This project with a new (newest) take for its shot, shown there if `select_it`."""
        takes = {**self.takes, take.shot_id: [*self.takes_of(take.shot_id), take]}
        changed = self.model_copy(update={"takes": takes})
        return changed.with_selected_take(take.shot_id, take.id) if select_it else changed

    def with_selected_take(self, shot_id: str, take_id: str | None) -> Project:
        shots = [s.model_copy(update={"selected_take_id": take_id}) if s.id == shot_id else s for s in self.timeline.shots]
        return self.model_copy(update={"timeline": self.timeline.model_copy(update={"shots": shots})})
