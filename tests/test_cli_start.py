"""`foundry` starts in a blink (issue 16): parsing, --version, --help and every command's --help
import none of the heavy libraries, and `info` opens a project without the media or network ones.

Each check runs `foundry` in a fresh process, whose sys.modules at the end says what was
imported (the speed itself is bench/cli_start.py's; tests hold no time bounds).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from foundry_desktop.cli.parser import COMMANDS, build_parser

REPO = Path(__file__).resolve().parent.parent
HEAVY = {"sqlalchemy", "av", "numpy", "keyring", "httpx", "openai", "PySide6"}

# Runs each argv (a JSON list of them) through main, output swallowed, then prints the top-level
# packages imported, as JSON.
CHILD = """
import contextlib, io, json, sys
from foundry_desktop.cli.main import main
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code
    assert code in (0, None) and out.getvalue(), (argv, code)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def packages_imported_by(*argvs: list[str]) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(argvs)], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_version_and_help_import_no_heavy_library():
    for argv in (["--version"], ["--help"], ["render", "--help"], ["info", "--help"]):
        imported = packages_imported_by(argv)
        assert "foundry_desktop" in imported  # the child did run foundry
        assert imported & HEAVY == set(), argv


def test_no_command_s_help_imports_a_heavy_library():
    imported = packages_imported_by(*([name, "--help"] for name in COMMANDS))
    assert imported & HEAVY == set()


def test_info_opens_a_project_without_the_media_and_network_libraries(tmp_path):
    project = str(tmp_path / "film.foundry")
    imported = packages_imported_by(["new", project], ["shot", "add", project, "--prompt", "A valley"],
                                    ["info", project])
    assert "sqlalchemy" in imported  # the project was opened
    assert imported & HEAVY == {"sqlalchemy"}


def test_a_command_s_own_parser_is_the_one_in_the_whole_parser():
    """Parsing builds only the named command's options; they and the table's help line must be
    those of the parser with every command (the one `build_parser()` gives)."""
    whole = build_parser()._subparsers._group_actions[0]
    for name in COMMANDS:
        alone = build_parser([name])._subparsers._group_actions[0]
        assert alone.choices[name].format_help() == whole.choices[name].format_help(), name
        assert [a.help for a in alone._choices_actions] == [a.help for a in whole._choices_actions]
