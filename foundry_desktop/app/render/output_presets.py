"""What a render is written as: output presets, the encoder, the container.

A preset fixes a frame size (or keeps the project's) and a codec; the frame
rate is always the project's, since the cut is counted in its frames. The
container follows the file name (.mp4, .mov, .webm, .mkv), and a name that
cannot hold the codec is refused with the way out. `auto` picks the fastest
encoder that works on this machine (media.encoder_survey tries each once).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foundry_desktop.app.user_folders import cache_folder
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.media.encode.video_encoding import (
    CODECS,
    CONTAINER_CODECS,
    CONTAINERS,
    VideoEncoding,
    VideoFormat,
)

# `foundry render --help` lists the presets and should start in a blink: the encoder survey
# (PyAV, numpy) is imported where it is used, the project model (pydantic) only named.
if TYPE_CHECKING:
    from foundry_desktop.domain.project import ProjectFormat
    from foundry_desktop.media.encode.encoder_survey import EncoderCheck

OPUS_RATES = (48000, 24000, 16000, 12000, 8000)


@dataclass(frozen=True)
class OutputPreset:
    name: str
    label: str
    size: tuple[int, int] | None  # None: the project's size
    codec: str
    crf: int | None  # the codec's default quality; None where the codec has no such knob (ProRes)


OUTPUT_PRESETS = {
    preset.name: preset
    for preset in (
        OutputPreset("1080p", "1080p HD, 16:9 (1920x1080), H.264", (1920, 1080), "h264", 20),
        OutputPreset("720p", "720p HD, 16:9 (1280x720), H.264", (1280, 720), "h264", 21),
        OutputPreset("2160p", "4K UHD, 16:9 (3840x2160), H.264", (3840, 2160), "h264", 20),
        OutputPreset("vertical", "Vertical 9:16 (1080x1920), H.264, for phones", (1080, 1920), "h264", 20),
        OutputPreset("square", "Square 1:1 (1080x1080), H.264", (1080, 1080), "h264", 20),
        OutputPreset("hevc", "HEVC at the project's size (smaller files)", None, "hevc", 24),
        OutputPreset("prores", "ProRes 422 MOV at the project's size, for finishing", None, "prores", None),
        OutputPreset("webm-vp9", "VP9 WebM at the project's size, for the web", None, "vp9", 20),
        OutputPreset("webm-av1", "AV1 WebM at the project's size, smallest files", None, "av1", 20),
    )
}


@dataclass(frozen=True)
class RenderSettings:
    preset: str | None = None  # None: the project's size in H.264 (VP9 for a .webm)
    encoder: str = "auto"  # or an encoder's name (see `foundry doctor`)
    crf: int | None = None  # overrides the preset's quality
    bitrate_kbps: int | None = None  # average bitrate instead of constant quality


@dataclass(frozen=True)
class OutputFormat:
    video: VideoFormat
    container: str
    audio_rate: int


def __getattr__(name: str) -> Any:
    if name == "EncoderCheck":  # what encoder_checks lists, for the views that show it
        from foundry_desktop.media.encode.encoder_survey import EncoderCheck

        return EncoderCheck
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def encoder_checks(refresh: bool = False) -> list[EncoderCheck]:
    from foundry_desktop.media.encode.encoder_survey import survey_encoders

    return survey_encoders(cache_folder() / "encoders.json", refresh=refresh)


def _codec_for(settings: RenderSettings, container: str) -> tuple[str, int | None, tuple[int, int] | None]:
    if settings.preset is None:
        codec = "vp9" if container == "webm" else "h264"
        return codec, 20, None
    try:
        preset = OUTPUT_PRESETS[settings.preset]
    except KeyError:
        raise InvalidEditError(f"There is no output preset {settings.preset!r}; choose one of {', '.join(OUTPUT_PRESETS)}.") from None
    return preset.codec, preset.crf, preset.size


def output_format(project_format: ProjectFormat, output: Path, settings: RenderSettings) -> OutputFormat:
    """The format, encoder and container `output` is rendered with under `settings`."""
    container = CONTAINERS.get(output.suffix.lower())
    if container is None:
        raise InvalidEditError(f"Foundry writes films as {', '.join(CONTAINERS)}; {output.name} is none of those.")
    codec, crf, size = _codec_for(settings, container)
    if codec not in CONTAINER_CODECS[container]:
        fitting = next(ext for ext, name in CONTAINERS.items() if codec in CONTAINER_CODECS[name])
        raise InvalidEditError(f"A {output.suffix} file cannot hold {CODECS[codec].label}; name the film {output.with_suffix(fitting).name}.")
    if crf is None and (settings.crf is not None or settings.bitrate_kbps is not None):
        raise InvalidEditError(f"{CODECS[codec].label}'s quality is set by its profile; leave out --crf and --bitrate.")
    from foundry_desktop.media.encode.encoder_survey import choose_encoder

    encoder = choose_encoder(codec, settings.encoder, encoder_checks())
    try:
        by_bitrate = settings.bitrate_kbps is not None
        quality = None if by_bitrate or crf is None else (settings.crf if settings.crf is not None else crf)
        encoding = VideoEncoding(encoder, crf=quality, bitrate_kbps=settings.bitrate_kbps)
    except ValueError as exc:
        raise InvalidEditError(f"{str(exc).capitalize()}.") from None
    width, height = size or (project_format.width, project_format.height)
    audio_rate = project_format.audio_rate
    if container == "webm" and audio_rate not in OPUS_RATES:
        audio_rate = 48000  # WebM's Opus takes only these rates; the mixer resamples
    return OutputFormat(VideoFormat(width, height, project_format.frame_rate, encoding), container, audio_rate)
