"""What this machine can do for Foundry (`foundry doctor`): the versions of the media libraries,
the video encoders that really work here (each tried on one frame, the answers remembered), and
the one `--encoder auto` picks for each codec."""

from __future__ import annotations

from dataclasses import dataclass

import av

from foundry_desktop import __version__
from foundry_desktop.app.render.output_presets import encoder_checks
from foundry_desktop.media.encode.encoder_survey import EncoderCheck, choose_encoder
from foundry_desktop.media.encode.video_encoding import CODECS


@dataclass(frozen=True)
class MachineReport:
    versions: dict[str, str]  # foundry, av (PyAV), ffmpeg
    checks: list[EncoderCheck]
    auto: dict[str, str]  # codec family: the encoder `--encoder auto` uses
    codec_labels: dict[str, str]  # codec family: its name for people (H.264, ProRes 422...)


def machine_report(refresh: bool = False) -> MachineReport:
    """`refresh` tries every encoder again (after a driver change)."""
    checks = encoder_checks(refresh=refresh)
    return MachineReport(
        versions={"foundry": __version__, "av": av.__version__, "ffmpeg": str(av.ffmpeg_version_info)},
        checks=checks,
        auto={codec: choose_encoder(codec, "auto", checks) for codec in CODECS},
        codec_labels={codec: family.label for codec, family in CODECS.items()},
    )
