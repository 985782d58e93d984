"""Entry point of `foundry-desktop`: the Qt application on a qasync event loop.

`--self-test` runs the installation's self-test headless (ui.self_test); `--check-playback
FILM` is its playback check alone, which `foundry self-test` runs through this program;
`--export-storyboard PROJECT OUTPUT PER_PAGE` writes the storyboard's contact sheet for
`foundry storyboard export`."""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
from pathlib import Path

from foundry_desktop.app.child_program import watch_owner_if_started_by_one
from foundry_desktop.ui.checks.self_test import check_playback_command, run_desktop_self_test
from foundry_desktop.ui.storyboard.sheet_export import export_storyboard_command


def main(argv: list[str] | None = None) -> int:
    # Render workers are spawned processes; a frozen bundle must hand them over here.
    multiprocessing.freeze_support()
    argv = sys.argv if argv is None else argv
    watch_owner_if_started_by_one()  # started by `foundry storyboard export` or `self-test`: end with it
    if "--self-test" in argv[1:]:
        return run_desktop_self_test()
    if "--check-playback" in argv[1:-1]:
        return check_playback_command(Path(argv[argv.index("--check-playback") + 1]))
    if "--export-storyboard" in argv[1:]:
        return export_storyboard_command(argv[argv.index("--export-storyboard") + 1:])
    # The window's modules only now: the headless commands above start without them.
    import qasync

    from foundry_desktop.ui.application import make_application
    from foundry_desktop.ui.window.main_window import MainWindow

    app = make_application(argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow()
    projects = [arg for arg in argv[1:] if arg.endswith(".foundry")]
    if projects:
        window.open_project(Path(projects[0]))
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(window.generation.close())  # event sockets and connections closed cleanly
    return 0


if __name__ == "__main__":
    sys.exit(main())
