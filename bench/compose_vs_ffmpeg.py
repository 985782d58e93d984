"""The composer against the ffmpeg command line: the same cut, rendered both ways in one run.

Run the same way each time:  .venv/bin/python bench/compose_vs_ffmpeg.py [--runs 3] [--ffmpeg PATH] [--keep DIR]
Target (issue): composer wall time <= 1.10x ffmpeg's.
Needs the ffmpeg program (Debian/Ubuntu: `apt-get install ffmpeg`). Linux/Unix
only (CPU seconds come from getrusage and /proc).

The cut: six PyAV-made clips of mixed sizes and rates (1280x720@24, 1024x576@6,
512x512@8, 1920x1080@30, a 1080x1920 vertical, 1280x720@25 with 44.1 kHz AAC
sound), each 5 s and used from 0.5 s to 4.5 s, in a 1920x1080 24 fps project,
fit framing (letterbox/pillarbox), half-second dissolves after shots 1, 3 and
5 (on the clips' handles), and a 10 s WAV music bed at -6 dB, looped, fading
out over 2 s, mixed with the sixth clip's own sound.

ffmpeg renders the same cut from the project's cut plan (exact frame trims
and transition positions): one filter_complex with, per clip,
scale(force_original_aspect_ratio=decrease)+pad+setsar+format+fps+trim
(fps rounding up, which picks the composer's frame: the latest at or before
each output instant), xfade=fade for the dissolves, concat for the cuts, afade(qsin)/adelay/amix
for the sound; encoded with the composer's settings (libx264 veryfast crf 20,
2 s GOP, yuv420p tagged BT.709, the composer's x264-params, AAC 48 kHz
stereo, +faststart).

Fairness: the headline compares the composer with loudness normalisation off
(loudness_lufs=None) against ffmpeg without loudnorm; a second line times the
composer's default (two-pass normalisation to -14 LUFS), labelled. The
composer's worker pool is warmed up first and every timed composer render
starts from an empty segment cache; where render_film takes output settings,
the encoder is pinned to libx264 (its "auto" would pick a hardware encoder
where one works). Each side is timed --runs times, interleaved, and the
fastest run is reported, with its CPU seconds (the composer's include its
worker processes'). Timings on a shared machine drift: the load average is
printed with them. The outputs' frames and samples are counted by decoding.
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from foundry_desktop.app.render.film_render import SEGMENT_CACHE, render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.shots.music_clips import add_music
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.cut_plan import CutPlan
from foundry_desktop.media.encode.x264_cpu import x264_params
from foundry_desktop.media.encode.yuv_picture import yuv420p_frame

WIDTH, HEIGHT, FPS, AUDIO_RATE = 1920, 1080, 24, 48000
CLIP_SECONDS = 5
SOURCE_IN, SOURCE_OUT = "0.5", "4.5"
DISSOLVE_FRAMES = 12
DISSOLVES_AFTER = (0, 2, 4)  # 0-based shot indices
MUSIC_GAIN_DB, MUSIC_FADE_OUT_S, MUSIC_SECONDS = -6.0, "2", 10


@dataclass(frozen=True)
class ClipSpec:
    name: str
    width: int
    height: int
    rate: int
    audio_rate: int | None = None


CLIPS = (
    ClipSpec("a-720p24", 1280, 720, 24),
    ClipSpec("b-576p6", 1024, 576, 6),
    ClipSpec("c-square8", 512, 512, 8),
    ClipSpec("d-1080p30", 1920, 1080, 30),
    ClipSpec("e-vertical24", 1080, 1920, 24),
    ClipSpec("f-720p25-aac", 1280, 720, 25, audio_rate=44100),
)


# -- sources ------------------------------------------------------------------


def _texture(rng: np.random.Generator, height: int, width: int, base: float, spread: float) -> np.ndarray:
    """Smooth blobs plus a little grain, as uint8: something x264 has to work on, like real footage."""
    cell = 16
    coarse = rng.random((height // cell + 2, width // cell + 2), dtype=np.float32)
    smooth = np.repeat(np.repeat(coarse, cell, axis=0), cell, axis=1)[:height, :width]
    # Two box blurs along each axis round the blocks off.
    for axis in (0, 1, 0, 1):
        smooth = (smooth + np.roll(smooth, cell // 2, axis=axis)) / 2
    grain = rng.normal(0, 2.0, (height, width)).astype(np.float32)
    return np.clip(base + (smooth - 0.5) * 2 * spread + grain, 16, 235).astype(np.uint8)


def make_clip(path: Path, width: int, height: int, rate: int, seconds: float, seed: int,
              audio_rate: int | None = None) -> Path:
    """An H.264 MP4 (with stereo AAC if `audio_rate`) of a textured picture panning sideways."""
    rng = np.random.default_rng(seed)
    frames = round(seconds * rate)
    step = max(2, round(96 / rate)) & ~1  # about 96 px a second, even so chroma moves with luma
    pan = step * frames
    y = _texture(rng, height, width + pan, 110, 70)
    u = _texture(rng, height // 2, (width + pan) // 2, 128, 25)
    v = _texture(rng, height // 2, (width + pan) // 2, 128, 25)
    with av.open(str(path), mode="w") as container:
        video = container.add_stream("libx264", rate=rate, options={"preset": "veryfast", "crf": "20"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = None
        if audio_rate:
            audio = container.add_stream("aac", rate=audio_rate, layout="stereo")
        for index in range(frames):
            x = index * step
            frame = yuv420p_frame(y[:, x:x + width], u[:, x // 2:(x + width) // 2], v[:, x // 2:(x + width) // 2])
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if audio is not None:
            _write_tone(container, audio, audio_rate, seconds, seed)
    return path


def _write_tone(container, stream, rate: int, seconds: float, seed: int) -> None:
    """A chord with a slow tremolo and some noise, 1024 samples a frame."""
    rng = np.random.default_rng(seed + 1000)
    total = round(seconds * rate)
    block = 1024
    for start in range(0, total, block):
        n = min(block, total - start)
        t = (np.arange(start, start + n) / rate).astype(np.float64)
        tone = 0.2 * np.sin(2 * math.pi * 220 * t) + 0.12 * np.sin(2 * math.pi * 277.2 * t)
        tone *= 0.75 + 0.25 * np.sin(2 * math.pi * 0.5 * t)
        left = tone + rng.normal(0, 0.01, n)
        right = 0.9 * tone + rng.normal(0, 0.01, n)
        frame = av.AudioFrame.from_ndarray(np.stack([left, right]).astype(np.float32), format="fltp", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def make_music(path: Path, seconds: float, rate: int = 44100) -> Path:
    """A 16-bit stereo WAV: a plucked bass line over a pad."""
    t = np.arange(round(seconds * rate)) / rate
    beat = (t * 2) % 1
    bass = np.sin(2 * math.pi * np.where((t // 2) % 2 < 1, 55, 65.4) * t) * np.exp(-4 * beat)
    pad = 0.3 * np.sin(2 * math.pi * 330 * t) * (0.6 + 0.4 * np.sin(2 * math.pi * 0.25 * t))
    stereo = np.stack([0.5 * bass + pad, 0.5 * bass + 0.8 * pad]) * 0.6
    pcm = (np.clip(stereo, -1, 1) * 32767).astype(np.int16)
    with av.open(str(path), mode="w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=rate, layout="stereo")
        for start in range(0, pcm.shape[1], 4096):
            chunk = np.ascontiguousarray(pcm[:, start:start + 4096].T.reshape(1, -1))
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


# -- the ffmpeg side ----------------------------------------------------------


def samples_at(frame: int) -> int:
    """The composer's rule: frame n begins at sample round(n * rate / fps), half up."""
    return int(Fraction(frame * AUDIO_RATE, FPS) + Fraction(1, 2))


def ffmpeg_command(service: ProjectService, plan: CutPlan, clips: list[Path], music: Path, output: Path,
                   program: str = "ffmpeg") -> list[str]:
    """The ffmpeg command line that renders `plan` the way the composer does."""
    shots = service.project.timeline.shots
    incoming = {t.outgoing + 1: t for t in plan.transitions}
    outgoing = {t.outgoing: t for t in plan.transitions}
    inputs: list[str] = []
    graph: list[str] = []
    for placed, clip in zip(plan.shots, clips, strict=True):
        i = placed.index
        inputs += ["-i", str(clip)]
        into, out_of = incoming.get(i), outgoing.get(i)
        first = into.incoming_source_in if into else placed.source_in
        last = out_of.outgoing_source_in + out_of.frames if out_of else placed.source_out
        if shots[i].fit != "fit":
            raise SystemExit("this bench only builds fit framing for ffmpeg")
        graph.append(
            f"[{i}:v]scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease:force_divisible_by=2:"
            f"flags=bicubic:out_color_matrix=bt709:out_range=tv,"
            f"pad={WIDTH}:{HEIGHT}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p,"
            f"fps={FPS}:round=up,trim=start_frame={first}:end_frame={last},setpts=PTS-STARTPTS[v{i}]"
        )
    # Pictures: one chain, xfade where the plan has a dissolve, concat at cuts.
    chain = "v0"
    for i in range(1, len(plan.shots)):
        joined = f"j{i}"
        t = incoming.get(i)
        if t is None:
            graph.append(f"[{chain}][v{i}]concat=n=2:v=1:a=0,settb=1/{FPS}[{joined}]")
        else:
            if t.kind != "dissolve":
                raise SystemExit("this bench only builds dissolves for ffmpeg")
            graph.append(
                f"[{chain}][v{i}]xfade=transition=fade:duration={t.frames / FPS:.6f}:"
                f"offset={t.record_in / FPS:.6f}[{joined}]"
            )
        chain = joined
    graph.append(f"[{chain}]null[vout]")

    # Sound: each clip with audio over its shot and the transitions at its ends
    # (equal-power fades there), plus the looped music bed.
    total = samples_at(plan.length)
    mixes = []
    for placed, clip in zip(plan.shots, clips, strict=True):
        i = placed.index
        with av.open(str(clip)) as container:
            if not container.streams.audio:
                continue
        into, out_of = incoming.get(i), outgoing.get(i)
        start = into.record_in if into else placed.record_in
        end = out_of.record_out if out_of else placed.record_out
        fade_in = samples_at(start + into.frames) - samples_at(start) if into else 0
        fade_out = samples_at(end) - samples_at(end - out_of.frames) if out_of else 0
        source_s = Fraction(placed.source_in - (placed.record_in - start), FPS)
        length = samples_at(end) - samples_at(start)
        chain = (f"[{i}:a]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
                 f"atrim=start={float(source_s):.6f},asetpts=PTS-STARTPTS,atrim=end_sample={length}")
        if fade_in:
            chain += f",afade=t=in:ns={fade_in}:curve=qsin"
        if fade_out:
            chain += f",afade=t=out:ss={length - fade_out}:ns={fade_out}:curve=qsin"
        chain += f",adelay=delays={samples_at(start)}S:all=1[a{i}]"
        graph.append(chain)
        mixes.append(f"[a{i}]")
    music_input = len(clips)
    inputs += ["-stream_loop", "-1", "-i", str(music)]
    fade = samples_at(service.frames_from_seconds(MUSIC_FADE_OUT_S))
    graph.append(
        f"[{music_input}:a]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"atrim=end_sample={total},volume={MUSIC_GAIN_DB}dB,"
        f"afade=t=out:ss={total - fade}:ns={fade}:curve=qsin[music]"
    )
    mixes.append("[music]")
    graph.append(f"{''.join(mixes)}amix=inputs={len(mixes)}:normalize=0:duration=longest,"
                 f"apad=whole_len={total},atrim=end_sample={total},asetpts=N/SR/TB[aout]")

    gop = round(2 * FPS)
    params = x264_params()
    return [
        program, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *inputs,
        "-filter_complex", ";".join(graph), "-map", "[vout]", "-map", "[aout]",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", str(gop), "-pix_fmt", "yuv420p",
        *(["-x264-params", params] if params else []),
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        "-c:a", "aac", "-ar", str(AUDIO_RATE), "-ac", "2", "-movflags", "+faststart", str(output),
    ]


# -- measuring ----------------------------------------------------------------


@dataclass(frozen=True)
class Probed:
    frames: int
    video_s: float
    audio_samples: int
    audio_s: float


def probe(path: Path) -> Probed:
    """Frames and samples counted by decoding, so no header can mislead."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video))
        video_s = float(video.duration * video.time_base) if video.duration else float("nan")
    with av.open(str(path)) as container:
        audio = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(audio))
        audio_s = float(audio.duration * audio.time_base) if audio.duration else float("nan")
    return Probed(frames, video_s, samples, audio_s)


def libx264_render(service: ProjectService, output: Path, **options) -> None:
    """render_film with libx264 pinned where the composer lets a render pick its encoder
    (its "auto" would take a hardware encoder where one works): x264 against x264."""
    if "settings" in inspect.signature(render_film).parameters:
        from foundry_desktop.app.render.output_presets import RenderSettings

        options["settings"] = RenderSettings(encoder="libx264")
    render_film(service, output, **options)


def clear_cache(service: ProjectService) -> None:
    shutil.rmtree(service.media.path_of(SEGMENT_CACHE), ignore_errors=True)


def _descendants(pid: int) -> list[int]:
    """Child processes, recursively, from /proc (Linux); [] where /proc is not there."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = [int(part) for part in children.read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *_descendants(kid)]
    return found


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def composer_cpu_s() -> float:
    """CPU seconds so far of this process and its live workers (they outlive a render)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + sum(_cpu_of(pid) for pid in _descendants(os.getpid()))


def time_composer(service: ProjectService, output: Path, loudness_lufs: float | None) -> tuple[float, float]:
    """(wall s, CPU s) of a render from an empty segment cache."""
    clear_cache(service)
    cpu = composer_cpu_s()
    started = time.perf_counter()
    libx264_render(service, output, loudness_lufs=loudness_lufs)
    return time.perf_counter() - started, composer_cpu_s() - cpu


def time_ffmpeg(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"ffmpeg failed ({result.returncode}):\n{result.stderr}")
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def build_project(folder: Path) -> tuple[ProjectService, list[Path], Path]:
    sources = folder / "sources"
    sources.mkdir(parents=True)
    clips = [make_clip(sources / f"{spec.name}.mp4", spec.width, spec.height, spec.rate, CLIP_SECONDS, seed,
                       spec.audio_rate) for seed, spec in enumerate(CLIPS)]
    music = make_music(sources / "bed.wav", MUSIC_SECONDS)
    service = ProjectService.create(folder / "bench.foundry", width=WIDTH, height=HEIGHT, frame_rate=str(FPS),
                                    audio_rate=AUDIO_RATE)
    for clip in clips:
        add_media_shot(service, clip, source_in=SOURCE_IN, source_out=SOURCE_OUT)
    for index in DISSOLVES_AFTER:
        service.set_transition(index, "dissolve", DISSOLVE_FRAMES)
    add_music(service, music, gain_db=MUSIC_GAIN_DB, fade_out_seconds=MUSIC_FADE_OUT_S, loop=True)
    return service, clips, music


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="time each side this many times, report the best (3)")
    parser.add_argument("--ffmpeg", default="ffmpeg", help="the ffmpeg program to compare with (default: on PATH)")
    parser.add_argument("--keep", type=Path, help="render into this folder and keep the files (default: a temp dir)")
    args = parser.parse_args()
    program = shutil.which(args.ffmpeg)
    if program is None:
        sys.exit(f"This bench needs the ffmpeg program ({args.ffmpeg}), which is not installed.\n"
                 "Debian/Ubuntu: apt-get install ffmpeg   (then run it again)")
    ffmpeg_version = subprocess.run([program, "-version"], check=True, capture_output=True, text=True).stdout.split("\n")[0]

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        service, _clips, _music = build_project(folder / "project")
        with service:
            plan = service.cut_plan()
            if plan.warnings:
                sys.exit("the cut plan has warnings, so ffmpeg could not render the same cut: " + "; ".join(plan.warnings))
            # ffmpeg reads the project's own copies, as the composer does.
            clips = [service.media.path_of(service.project.selected_take(shot).media_path)
                     for shot in service.project.timeline.shots]
            music = service.media.path_of(service.project.timeline.music[0].media_path)
            outputs = {"ffmpeg": folder / "ffmpeg.mp4", "composer": folder / "composer.mp4",
                       "composer -14 LUFS": folder / "composer-lufs.mp4"}
            command = ffmpeg_command(service, plan, clips, music, outputs["ffmpeg"], program)

            libx264_render(service, folder / "warm-up.mp4", loudness_lufs=None)  # starts the worker processes
            timings: dict[str, list[tuple[float, float]]] = {name: [] for name in outputs}
            for _ in range(args.runs):  # interleaved, so a slow spell of the machine hits all three
                timings["ffmpeg"].append(time_ffmpeg(command))
                timings["composer"].append(time_composer(service, outputs["composer"], None))
                timings["composer -14 LUFS"].append(time_composer(service, outputs["composer -14 LUFS"], -14.0))
            made = {name: probe(path) for name, path in outputs.items()}
            sizes = {name: path.stat().st_size for name, path in outputs.items()}
        if args.keep:
            (folder / "ffmpeg-command.txt").write_text(subprocess.list2cmdline(command) + "\n")

    film_s = plan.length / FPS
    best = {name: min(runs) for name, runs in timings.items()}  # (wall, cpu) of the fastest run
    ffmpeg_s, composer_s, normalised_s = best["ffmpeg"][0], best["composer"][0], best["composer -14 LUFS"][0]

    def line(label: str, name: str, extra: str = "") -> str:
        wall, cpu = best[name]
        return f"{label:34}{wall:6.2f} s  ({film_s / wall:.2f}x realtime, {cpu:5.1f} CPU s){extra}"

    print(f"cores: {os.cpu_count()}, {WIDTH}x{HEIGHT}@{FPS}, {len(CLIPS)} clips, {len(plan.transitions)} dissolves, "
          f"film {plan.length} frames = {film_s:.2f} s; best of {args.runs}; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (others' work skews timings)")
    print(f"{ffmpeg_version}; PyAV {av.__version__}; x264-params {x264_params() or '(none)'}")
    print(line("ffmpeg CLI (no loudnorm)", "ffmpeg"))
    print(line("composer, loudness off", "composer"))
    print(f"{'ratio composer / ffmpeg':34}{composer_s / ffmpeg_s:6.2f}   (target <= 1.10)")
    print(line("composer, -14 LUFS (its default)", "composer -14 LUFS",
               f"  ratio {normalised_s / ffmpeg_s:.2f}; ffmpeg does no loudness work"))
    for name, info in made.items():
        print(f"  {name:18} {info.frames} frames, video {info.video_s:.3f} s, "
              f"{info.audio_samples} audio samples ({info.audio_s:.3f} s), {sizes[name] / 1e6:.2f} MB")
    if any(info.frames != plan.length for info in made.values()):
        print(f"MISMATCH: the cut has {plan.length} frames")
    if args.runs > 1:
        print("all runs, wall s: " + " | ".join(
            f"{name} " + " ".join(f"{wall:.2f}" for wall, _ in runs) for name, runs in timings.items()))


if __name__ == "__main__":
    main()
