"""`foundry-desktop --self-test`: the checks of app.self_test, then the film they rendered
played through Qt's media player, headless (offscreen unless a platform is chosen)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from foundry_desktop.app.setup.self_test import SelfTest, run_check, run_self_test


def _headless_application():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from foundry_desktop.ui.application import make_application

    return make_application(sys.argv[:1])


def run_desktop_self_test() -> int:
    from foundry_desktop.ui.checks.playback_check import play_and_count_frames

    app = _headless_application()

    def playback(test: SelfTest) -> Iterator[tuple[str, Callable[[], str]]]:
        yield "playback", lambda: play_and_count_frames(test.film)

    passed = run_self_test(playback, report=lambda line: print(line, flush=True))
    del app
    return 0 if passed else 1


def check_playback_command(film: Path) -> int:
    """The playback check alone, for `foundry self-test` (whose program holds no Qt)."""
    from foundry_desktop.ui.checks.playback_check import play_and_count_frames

    app = _headless_application()
    result = run_check("playback", lambda: play_and_count_frames(film))
    print(result.detail, flush=True)
    del app
    return 0 if result.ok else 1
