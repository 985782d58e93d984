"""Every option of every `foundry` command, given values out of range, not finite, of the wrong kind or naming
nothing that exists (tests/cli_argument_table.py builds the cases from the parser itself): each is refused
with a non-zero status and one line on stderr, no traceback, and the project, its media folder and
everything beside them stay exactly as they were. Runs in-process (main() is the program: a few cases
run as subprocesses too, to show they end the same)."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_argument_table import Case, cases, leaf_parsers, name_of, value_options
from video_sources import write_video, write_wav

from foundry_desktop.cli.main import main

# Values a command legitimately accepts, each with why: these are not run.
FREE_TEXT = {
    "--prompt", "--negative", "--name", "--description", "--location", "--time", "--notes", "--text", "--prefix",
    "--suffix", "--keyword", "--model", "--image-model", "--transcription-model", "--category", "--brief",
    "--language", "--encoder",
}
FREE_TEXT_REASON = "free text, or a name the service (not Foundry) knows; any text is a value"
NEW_NAMES = {("scene", "add", "NAME"), ("character", "add", "NAME"), ("style", "add", "NAME"), ("server", "add", "NAME"),
             ("workflow", "category", "CATEGORY"), ("character", "set", "--name"), ("style", "set", "--name")}
ACCEPTED: dict[tuple[tuple[str, ...], str, str], str] = {
    **{(c, o, v): "0 and -1 dB are gains" for c in (("shot", "set"), ("music", "add")) for o in ("--gain",)
       for v in ("0", "-1")},
    **{(c, "--seed", "0"): "0 is a seed" for c in (("shot", "add"), ("shot", "set"), ("music", "generate"))},
    **{(c, "--variants", "0"): "no extra takes, the default" for c in (("generate",), ("keyframes", "make"),
                                                                      ("music", "generate"))},
    **{(("generate",), "--priority", v): "priorities may be negative" for v in ("0", "-1")},
    **{(("render",), "--crf", "0"): "CRF 0 is lossless"},
    **{(("render",), "--true-peak", v): "a ceiling of 0 or -1 dBTP" for v in ("0", "-1")},
    **{(("budget", "set"), "AMOUNT", "0"): "a budget of 0 stops all spending"},
    **{(c, o, "0"): "no fade" for c, o in ((("fade",), "--in"), (("fade",), "--out"), (("music", "add"), "--fade-in"),
                                            (("music", "add"), "--fade-out"))},
    **{(c, "--at", "0"): "the film's start" for c in (("music", "add"), ("music", "generate"), ("captions", "from"))},
    **{(("shot", "add"), "--in", "0"): "a clip's start", (("caption", "add"), "--start", "0"): "the film's start"},
    (("timecode",), "--start", "-1"): "read as -1 frames, refused by the service, tested in test_cli",
    (("import",), "--sequence", "nope"): "names a timeline of the file imported; needs a real cut (test_cut_exchange)",
    (("assist", "set"), "--base-url", "notaurl"): "base URLs are checked by the cloud settings (i20-cloud-edge)",
    (("cloud", "set"), "--base-url", "notaurl"): "base URLs are checked by the cloud settings (i20-cloud-edge)",
    (("demo",), "--out", "nope"): "the folder the demo is made in, created when missing",
    (("new",), "PROJECT", "nope"): "the new project's file",
    (("film",), "PROJECT", "nope"): "the film's project, created when missing",
    (("budget", "set"), "AMOUNT", "1e9"): "a billion credits is a large budget, not a wrong one",
}
# Commands whose value arguments are the creator's own text or new names throughout.
SKIPPED_COMMANDS = {("self-test",), ("doctor",)}


def accepted_reason(case: Case) -> str | None:
    if case.option in FREE_TEXT:
        return FREE_TEXT_REASON
    if (*case.command, case.option) in NEW_NAMES:
        return "a new name, not one that must exist"
    return ACCEPTED.get((case.command, case.option, case.value))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Path]:
    """A project with two generated shots, music, a caption, a scene, a character and a style; files to give."""
    root = tmp_path_factory.mktemp("arguments")
    work = root / "work"
    work.mkdir()
    project = work / "film.foundry"
    wav = write_wav(root / "bed.wav", 1.0, 0.3)
    clip = write_video(root / "clip.mp4", width=64, height=36, frames=24)
    (root / "folder").mkdir()
    (root / "cut.edl").write_text("TITLE: X\nFCM: NON-DROP FRAME\n\n001  AX       V     C        "
                                  "00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n")
    for argv in (["new", project, "--size", "64x36"], ["shot", "add", project, "--prompt", "a", "--duration", "1"],
                 ["shot", "add", project, "--prompt", "b", "--duration", "1"], ["generate", project],
                 ["music", "add", project, wav], ["caption", "add", project, "--start", "0", "--end", "1", "--text", "hi"],
                 ["scene", "add", project, "Harbour", "--shots", "1"], ["character", "add", project, "Mara"],
                 ["style", "add", project, "Noir"]):
        with contextlib.redirect_stdout(io.StringIO()):
            assert main([str(a) for a in argv]) == 0, argv
    pristine = root / "pristine"
    shutil.copytree(work, pristine)
    return {"root": root, "work": work, "project": project, "wav": wav, "clip": clip, "pristine": pristine}


def valid_argv(command: tuple[str, ...], parser: argparse.ArgumentParser, world: dict[str, Path]) -> dict[str, str]:
    """A value for each required argument that the command accepts, by its name."""
    root, project = world["root"], str(world["project"])
    by_name = {
        "PROJECT": project, "INDEX": "1", "FROM": "1", "TO": "1", "SHOT": "1", "N": "1", "KIND": "dissolve",
        "UNIT": "runway-credits", "AMOUNT": "10", "SCENE": "Harbour", "TAKE": "1", "SOURCE": "shot:1",
        "FOLDER": str(root / "folder"), "SERVICE": "runway", "URL": "http://127.0.0.1:9", "CATEGORY": "mine",
        "--start": "0", "--end": "1", "--text": "hi", "--output": str(root / "out" / "x.mp4"),
    }
    if command in (("character", "set"), ("character", "remove")):
        by_name["NAME"] = "Mara"
    elif command in (("style", "set"), ("style", "remove")):
        by_name["NAME"] = "Noir"
    elif command[0] == "workflow":
        by_name["NAME"] = "wan-text-to-video"
    else:
        by_name["NAME"] = "New one"
    if command == ("music", "add") or command == ("media", "import"):
        by_name["FILE"] = str(world["wav"])
    elif command == ("import",):
        by_name["FILE"], by_name["--output"] = str(root / "cut.edl"), str(root / "out" / "new.foundry")
    elif command == ("workflow", "add"):
        by_name["FILE"] = str(root / "folder")  # only reached when FILE itself is the option tried
    for suffix, commands in ((".pdf", {("storyboard", "export")}), (".fcpxml", {("export",)}),
                             (".srt", {("captions", "export")})):
        if command in commands:
            by_name["--output"] = str(root / "out" / f"x{suffix}")
    return by_name


def argv_for(case: Case, parser: argparse.ArgumentParser, world: dict[str, Path]) -> list[str]:
    by_name = valid_argv(case.command, parser, world)
    paths = {"FOLDER": str(world["root"] / "folder"), "MISSING": str(world["root"] / "missing.mp4"),
             "FILE": str(world["wav"])}
    bad = paths.get(case.value, case.value)
    argv = [*case.command]
    required_group = {("plan",), ("moodboard",)}
    for action in value_options(parser):
        name = name_of(action)
        if name == case.option:
            argv += ([action.option_strings[-1]] if action.option_strings else []) + [bad]
        elif not action.option_strings and action.nargs != "?":
            argv.append(by_name[name])
        elif action.required:
            argv += [action.option_strings[-1], by_name[name]]
    if case.command in required_group and case.option not in ("--brief", "--from-json"):
        argv += ["--brief", "a film"]
    return argv


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder`, by content (SQLite's -shm index and the lock file aside: they are no part of the
    project's content; a -wal that holds changes is)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-shm", ".lock")) and not (p.name.endswith("-wal") and
                                                                              p.stat().st_size == 0)}


def run_in_process(argv: list[str]) -> tuple[object, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's refusal
            code = exc.code
    return code, err.getvalue()


def test_every_option_refuses_its_wrong_values(world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a relative name ("nope") would land
    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    (tmp_path / "config").mkdir()
    parsers = dict(leaf_parsers())
    watched = [world["work"], world["root"] / "folder", tmp_path]
    problems, used = [], set()
    tried = 0
    for case in cases():
        reason = accepted_reason(case)
        if case.command in SKIPPED_COMMANDS:
            continue
        if reason is not None:
            used.add((case.command, case.option, case.value))
            continue
        argv = argv_for(case, parsers[case.command], world)
        before = [snapshot(folder) for folder in watched]
        tried += 1
        try:
            code, err = run_in_process(argv)
        except Exception as exc:  # noqa: BLE001 (a traceback: the defect this test looks for)
            problems.append(f"{' '.join(argv)}: {type(exc).__name__}: {exc}")
            code, err = None, ""
        lines = err.strip().splitlines()
        if code is not None and (code == 0 or len(lines) != 1 or "Traceback" in err):
            problems.append(f"{' '.join(argv)}: exit {code}, stderr {err.strip()!r}")
        if [snapshot(folder) for folder in watched] != before or (world["root"] / "out").exists():
            problems.append(f"{' '.join(argv)}: changed files")
            shutil.rmtree(world["work"])
            shutil.copytree(world["pristine"], world["work"])
            shutil.rmtree(world["root"] / "out", ignore_errors=True)
    assert not problems, f"{len(problems)} of {tried} cases:\n" + "\n".join(problems)
    stale = {key for key in ACCEPTED if key not in used}
    assert not stale, f"allowed values no option has: {stale}"
    assert tried > 400  # every command's every option, not a handful


@pytest.mark.parametrize("argv", [
    ["generate", "PROJECT", "--variants", "1000000"],
    ["fade", "PROJECT", "--out", "inf"],
    ["budget", "set", "PROJECT", "runway-credits", "nan"],
    ["shot", "add", "PROJECT", "--prompt", "x", "--backend", "nope"],
])
def test_the_program_refuses_as_main_does(world, argv):
    """The same refusal from the installed program as from main() in this process."""
    argv = [str(world["project"]) if arg == "PROJECT" else arg for arg in argv]
    before = snapshot(world["work"])
    code, err = run_in_process(argv)
    result = subprocess.run([sys.executable, "-m", "foundry_desktop.cli.main", *argv], capture_output=True, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=120)
    assert (result.returncode, result.stderr) == (code, err) and code != 0 and len(err.strip().splitlines()) == 1
    assert snapshot(world["work"]) == before
