"""Which video encoders really work on this machine, found by encoding one frame with each.

PyAV's wheel lists NVENC, QSV and AMF whether or not the machine has the
hardware; only opening the encoder and encoding a frame tells. A broken driver
can hang or crash the process that tries, so the trials run in a child
process, each with a time limit. The answers are kept in a small JSON file
(per FFmpeg build), so the trials run once per machine, not once per render;
`refresh` runs them again after a driver change.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from foundry_desktop.errors import MediaError
from foundry_desktop.media.derived_cache import save_atomically
from foundry_desktop.media.owner_death import die_with_owner, owner_line
from foundry_desktop.media.encode.video_encoding import (
    CODECS,
    VideoEncoding,
    is_hardware,
)

TRIAL_TIMEOUT_S = 20.0  # per encoder
# Hardware encoders refuse tiny pictures (NVENC's minimum is about 145x49).
_TRIAL_SIZE = (256, 144)
_SURVEY_VERSION = 1


@dataclass(frozen=True)
class EncoderCheck:
    encoder: str
    works: bool
    reason: str = ""  # why not, in FFmpeg's words
    hardware: bool = False


def _trial(encoder: str) -> str | None:
    """Encode one frame with `encoder`: None if it works, else FFmpeg's reason."""
    try:
        encoding = VideoEncoding(encoder)
        context = av.CodecContext.create(encoder, "w")
        context.width, context.height = _TRIAL_SIZE
        context.pix_fmt = encoding.pix_fmt
        context.time_base = Fraction(1, 24)
        context.framerate = Fraction(24)
        context.options = encoding.options()
        context.open()
        frame = av.VideoFrame(*_TRIAL_SIZE, "yuv420p").reformat(format=encoding.pix_fmt)
        frame.pts = 0
        packets = [*context.encode(frame), *context.encode(None)]
        return None if packets else "it produced no picture"
    except Exception as exc:  # any failure means "does not work here"; its words are the reason
        return _reason(str(exc) or type(exc).__name__)


def _reason(message: str) -> str:
    """FFmpeg's own last words ("Cannot load libcuda.so.1") rather than the call that failed."""
    _, marker, last_log = message.partition("last error log:")
    if marker:
        return last_log.strip().split("] ", 1)[-1].strip()
    return message


def _trial_worker(encoders: list[str], connection) -> None:
    """In a child process: try each encoder in turn, saying which one is under way."""
    # Encoder libraries print banners and errors straight to stderr; the reasons come back here.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    av.logging.set_level(av.logging.ERROR)  # puts FFmpeg's last error into the exception text
    for encoder in encoders:
        connection.send(("trying", encoder))
        connection.send(("result", _trial(encoder)))


def _owned_trials(owner: tuple, worker: Callable, encoders: list[str], connection) -> None:
    """In the child: `worker`'s trials, ended if the surveying process dies (a killed `doctor`
    must not leave a trial hanging in a driver). Its starter waits for it, so the parent-death
    signal is safe to ask for."""
    die_with_owner(owner[0], parent_death_signal=True, owner_pid=owner[1])
    worker(encoders, connection)


def _run_trials(encoders: list[str], timeout_s: float, worker: Callable = _trial_worker) -> dict[str, str | None]:
    """Every encoder's trial, one after another in a child process; None means it works.

    One process is cheaper than one each. An encoder that hangs (past `timeout_s`)
    or crashes the child is marked as not working, and a fresh child goes on with the rest.
    """
    context = multiprocessing.get_context("spawn")
    results: dict[str, str | None] = {}
    remaining = list(encoders)
    while remaining:
        receiving, sending = context.Pipe(duplex=False)
        child_end, owner_end = owner_line(context)
        process = context.Process(target=_owned_trials, args=((child_end, os.getpid()), worker, remaining, sending),
                                  daemon=True)
        process.start()
        sending.close()
        child_end.close()
        current = None
        try:
            while remaining:
                if not receiving.poll(timeout_s):
                    results[current or remaining[0]] = f"no answer within {timeout_s:.0f} s (a hung driver?)"
                    break
                kind, value = receiving.recv()
                if kind == "trying":
                    current = value
                else:
                    results[current] = value
                    remaining.remove(current)
                    current = None
        except EOFError:
            process.join()
            results[current or remaining[0]] = f"trying it crashed the process (exit code {process.exitcode})"
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            receiving.close()
            owner_end.close()
        remaining = [name for name in remaining if name not in results]
    return results


def _build_identity() -> str:
    return f"{_SURVEY_VERSION}/av {av.__version__}/ffmpeg {av.ffmpeg_version_info}"


def candidate_encoders() -> list[str]:
    """Every encoder Foundry can drive that this PyAV build contains."""
    return [name for codec in CODECS.values() for name in codec.encoders if name in av.codecs_available]


def survey_encoders(cache_file: Path | None, *, refresh: bool = False, timeout_s: float = TRIAL_TIMEOUT_S) -> list[EncoderCheck]:
    """Every candidate encoder, working or not (with the reason), from the cache when it can be."""
    names = candidate_encoders()
    known: dict[str, dict] = {}
    if cache_file is not None and not refresh:
        try:
            saved = json.loads(cache_file.read_text(encoding="utf-8"))
            if saved.get("build") == _build_identity():
                known = saved.get("encoders", {})
        except (OSError, ValueError, AttributeError):
            known = {}  # no cache, or an unreadable one: try again
    missing = [name for name in names if name not in known]
    if missing:
        for name, failure in _run_trials(missing, timeout_s).items():
            known[name] = {"works": failure is None, "reason": failure or ""}
        if cache_file is not None:
            _save(cache_file, {"build": _build_identity(), "encoders": known})
    return [EncoderCheck(name, bool(known[name]["works"]), known[name]["reason"], is_hardware(name)) for name in names]


def _save(cache_file: Path, content: dict) -> None:
    try:
        save_atomically(cache_file, lambda file: file.write(json.dumps(content, indent=1).encode()), "the encoder list")
    except MediaError:
        pass  # a cache that cannot be written only costs the trials again next time


def choose_encoder(codec: str, wanted: str, checks: list[EncoderCheck]) -> str:
    """`auto`: the fastest working encoder for `codec`, the software one when no hardware works.
    A named encoder must be one of the codec's and must work here."""
    family = CODECS[codec]
    working = {check.encoder for check in checks if check.works}
    if wanted == "auto":
        return next((name for name in family.hardware if name in working), family.software)
    if wanted == "software":  # the creator's choice when a hardware encoder misbehaves
        return family.software
    if wanted not in family.encoders:
        raise MediaError(
            f"{wanted} does not encode {family.label}; choose auto or one of {', '.join(family.encoders)} "
            "(`foundry doctor` says which work here)."
        )
    if wanted not in working:
        reason = next((check.reason for check in checks if check.encoder == wanted), "this build does not have it")
        raise MediaError(f"The encoder {wanted} does not work on this machine ({reason}).")
    return wanted
