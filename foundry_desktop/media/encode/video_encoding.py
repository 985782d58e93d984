"""How the film's pictures are encoded: codec families, their encoders, and each encoder's settings.

Every codec family lists its hardware encoders, fastest first, then the
software encoder that always works. Which hardware ones really work on this
machine is found out by encoder_survey.py; this module only knows how to
set each one up so that a quality number means roughly the same thing
everywhere (x264's CRF 20 is "visually lossless for web"; the others get the
nearest equivalent of their own scale).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction

from foundry_desktop.media.encode.x264_cpu import x264_params

# Films (and the built-in generator's takes, so the film can copy them) start a
# group of pictures every 2 s: quick to seek, and little cost in size.
DEFAULT_KEYFRAME_INTERVAL_S = 2.0

# Every encoder runs two threads, on every machine. x264's output depends on its
# thread count, so a fixed count makes a segment the same bytes anywhere (the cache
# stays valid when a project moves), and it bounds each encoder's memory; the
# render runs cores / 2 encoders side by side instead (render/film_compose.py).
ENCODER_THREADS = 2

# SVT-AV1 prints a banner to stderr each time it opens unless told to keep to errors.
os.environ.setdefault("SVT_LOG", "1")


@dataclass(frozen=True)
class Codec:
    name: str
    label: str
    hardware: tuple[str, ...]  # preference order: the fastest first
    software: str
    container: str  # the muxer its films are written with by default
    extension: str

    @property
    def encoders(self) -> tuple[str, ...]:
        return (*self.hardware, self.software)


CODECS: dict[str, Codec] = {
    "h264": Codec("h264", "H.264", ("h264_nvenc", "h264_qsv", "h264_amf", "h264_videotoolbox"), "libx264", "mp4", ".mp4"),
    "hevc": Codec("hevc", "HEVC", ("hevc_nvenc", "hevc_qsv", "hevc_amf", "hevc_videotoolbox"), "libx265", "mp4", ".mp4"),
    "prores": Codec("prores", "ProRes 422", ("prores_videotoolbox",), "prores_ks", "mov", ".mov"),
    "vp9": Codec("vp9", "VP9", ("vp9_qsv",), "libvpx-vp9", "webm", ".webm"),
    "av1": Codec("av1", "AV1", ("av1_nvenc", "av1_qsv", "av1_amf"), "libsvtav1", "webm", ".webm"),
}

# The muxer for each film extension, and the sound each carries.
CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".webm": "webm", ".mkv": "matroska"}
AUDIO_CODECS = {"mp4": "aac", "mov": "aac", "webm": "libopus", "matroska": "aac"}
# Which codecs each muxer takes (WebM is VP9 and AV1 only; ProRes lives in MOV).
CONTAINER_CODECS = {
    "mp4": {"h264", "hevc", "vp9", "av1"},
    "mov": {"h264", "hevc", "prores"},
    "webm": {"vp9", "av1"},
    "matroska": {"h264", "hevc", "prores", "vp9", "av1"},
}


def codec_of(encoder: str) -> Codec:
    for codec in CODECS.values():
        if encoder in codec.encoders:
            return codec
    raise ValueError(f"unknown video encoder {encoder!r}")


def is_hardware(encoder: str) -> bool:
    return encoder != codec_of(encoder).software


@dataclass(frozen=True)
class VideoEncoding:
    """An encoder and its quality: by constant quality (CRF-like, lower is better)
    or by average bitrate. ProRes has neither: its profile fixes the quality."""

    encoder: str = "libx264"
    crf: int | None = 20
    bitrate_kbps: int | None = None

    def __post_init__(self) -> None:
        codec_of(self.encoder)  # refuses unknown encoders
        if self.crf is not None and self.bitrate_kbps is not None:
            raise ValueError("choose a constant quality or a bitrate, not both")
        if self.crf is not None and not 0 <= self.crf <= 51:
            raise ValueError(f"a quality (CRF) runs from 0 to 51, not {self.crf}")
        if self.bitrate_kbps is not None and self.bitrate_kbps <= 0:
            raise ValueError(f"a bitrate must be positive, not {self.bitrate_kbps} kb/s")

    @property
    def codec(self) -> Codec:
        return codec_of(self.encoder)

    @property
    def pix_fmt(self) -> str:
        """The picture format the encoder is fed (the composer works in yuv420p)."""
        if self.codec.name == "prores":
            return "yuv422p10le"  # ProRes 422 is 10-bit 4:2:2
        if self.encoder.endswith(("_qsv", "_amf", "_videotoolbox")):
            return "nv12"  # what the hardware takes without a conversion of its own
        return "yuv420p"

    @property
    def segment_container(self) -> str:
        """The muxer for cached segments: one that keeps the frame grid's time base."""
        return "mov" if self.codec.name == "prores" else "mp4"

    @property
    def bit_rate(self) -> int | None:
        return None if self.bitrate_kbps is None else self.bitrate_kbps * 1000

    def options(self) -> dict[str, str]:
        """The encoder's private options for this quality."""
        crf = self.crf if self.crf is not None else 20
        by_bitrate = self.bitrate_kbps is not None
        name = self.encoder
        if name == "libx264":
            options = {"preset": "veryfast"}
            params = x264_params()
            if params:
                options["x264-params"] = params
            return options if by_bitrate else {**options, "crf": str(crf)}
        if name == "libx265":
            options = {"preset": "veryfast", "x265-params": "log-level=error"}
            return options if by_bitrate else {**options, "crf": str(crf)}
        if name.endswith("_nvenc"):
            options = {"preset": "p4", "rc": "vbr"}
            return options if by_bitrate else {**options, "cq": str(crf), "b": "0"}
        if name.endswith("_qsv"):
            options = {"preset": "veryfast"}
            return options if by_bitrate else {**options, "global_quality": str(crf)}
        if name.endswith("_amf"):
            return {"quality": "speed"} if by_bitrate else {"rc": "cqp", "qp_i": str(crf), "qp_p": str(crf)}
        if name.endswith("_videotoolbox"):
            if by_bitrate or name.startswith("prores"):
                return {}
            # Constant quality on a 1-100 scale, given as FFmpeg's global_quality (in lambda units, 118 per step).
            return {"flags": "+qscale", "global_quality": str(max(1, 100 - 2 * crf) * 118)}
        if name == "prores_ks":
            return {"profile": "2", "vendor": "apl0"}  # 2 = standard ProRes 422
        if name == "libvpx-vp9":
            # VP9's scale runs to 63; "good" at cpu-used 5 with row threading is its fast, sane mode.
            options = {"deadline": "good", "cpu-used": "5", "row-mt": "1"}
            return options if by_bitrate else {**options, "crf": str(min(63, crf + 12)), "b": "0"}
        if name == "libsvtav1":
            # SVT-AV1 ignores the thread count; its own "level of parallelism" bounds its threads.
            options = {"preset": "8", "svtav1-params": f"lp={ENCODER_THREADS}"}
            return options if by_bitrate else {**options, "crf": str(min(63, crf + 10))}
        return {}

    def identity(self) -> list:
        """What decides the encoded bytes (for cache keys). x264's CPU cap is left out:
        it makes an AVX-512 machine encode as every other machine does."""
        options = {key: value for key, value in self.options().items() if key != "x264-params"}
        return [self.encoder, self.crf, self.bitrate_kbps, self.pix_fmt, sorted(options.items())]


@dataclass(frozen=True)
class VideoFormat:
    """The film's pictures: size, rate and how they are encoded."""

    width: int
    height: int
    frame_rate: Fraction
    encoding: VideoEncoding = VideoEncoding()
    keyframe_interval_s: float = DEFAULT_KEYFRAME_INTERVAL_S
