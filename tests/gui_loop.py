"""Running the GUI's asyncio work in tests: the qasync loop the app uses, and a wait that
keeps both Qt and asyncio going until a condition holds.

Qt's own event processing (qtbot.waitUntil) does not run asyncio tasks; the
qasync loop runs both, so GUI tests wait with `wait_until(loop, condition)`: for an event,
never for a guessed time.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterator

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QSettings

from foundry_desktop.app.generation.session import GenerationSession
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.ui.window.main_window import MainWindow
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.theme import apply_theme


class AlwaysRunningLoop(qasync.QEventLoop):
    """The app's loop runs for as long as the app does, so asyncio work that Qt's events start
    (a click, a key) always finds it running. A test runs Qt between its waits too (a key press,
    a dialog), so this loop counts as the running one throughout the test, stepping aside only
    while a wait runs it for real."""

    between_waits = False  # counts as running outside its waits (during the test, not its teardown)

    def run_forever(self) -> None:
        asyncio.events._set_running_loop(None)
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(self if self.between_waits else None)


@pytest.fixture
def loop(qapp):
    """The app's kind of event loop: asyncio inside Qt."""
    event_loop = AlwaysRunningLoop(qapp, already_running=False)
    asyncio.set_event_loop(event_loop)
    event_loop.between_waits = True
    asyncio.events._set_running_loop(event_loop)
    try:
        yield event_loop
    finally:
        event_loop.between_waits = False
        asyncio.events._set_running_loop(None)
    pending = [task for task in asyncio.all_tasks(event_loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    # Work a cancelled task left on a worker thread hands its result back through a queued Qt
    # signal: let it arrive while the loop can still take it.
    event_loop.run_until_complete(asyncio.sleep(0.2))
    event_loop.close()  # also stops its worker threads
    # qasync keeps a Qt timer registered for each cancelled call_later handle (httpx's timeouts)
    # until it fires; the closed loop is freed by the garbage collector in whichever thread runs
    # next, and a QObject deleted off the GUI thread leaves its timers to fire into freed memory
    # (a segfault in some later test). Delete it here, on the GUI thread.
    if shiboken6.isValid(event_loop._timer):
        shiboken6.delete(event_loop._timer)
    asyncio.set_event_loop(None)
    # The test's windows and loop may sit in reference cycles; collected later, they would be freed
    # by whichever thread the collector happens to run in, and a Qt object freed off the GUI thread
    # can crash the process (once seen: a segfault while a worker thread was collecting). Here.
    gc.collect()


# How long wait_until waits: only so that a broken test fails instead of hanging; a slow machine
# never comes near it.
WAIT_S = 120.0


def wait_until(loop: asyncio.AbstractEventLoop, condition: Callable[[], object], timeout: float = WAIT_S) -> None:
    """Run Qt and asyncio until `condition()` is true; fail after `timeout` seconds."""

    async def poll() -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout} s: {getattr(condition, '__name__', condition)}")
            await asyncio.sleep(0.02)

    loop.run_until_complete(poll())


def spin(loop: asyncio.AbstractEventLoop, seconds: float) -> None:
    """Run Qt and asyncio for a while: to let paints happen, or before checking that something
    did NOT happen. Never to wait for something to happen (that is wait_until)."""
    loop.run_until_complete(asyncio.sleep(seconds))


@pytest.fixture
def dark_theme(qapp):
    """The app's own theme for one test (screenshots that look as the app does); the test
    run's palette, style sheet and style are put back after."""
    palette, style_sheet, style = qapp.palette(), qapp.styleSheet(), qapp.style().name()
    apply_theme(qapp)
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(style_sheet)


@contextlib.contextmanager
def project_session(service: ProjectService, loop: asyncio.AbstractEventLoop) -> Iterator[ProjectSession]:
    """`service` opened as the editor opens a project, the errors it shows kept in `.errors`
    ("title: message"); its background work, backends and project closed afterwards."""
    opened = ProjectSession(service, GenerationSession())
    opened.errors = []
    opened.error.connect(lambda title, message: opened.errors.append(f"{title}: {message}"))
    try:
        yield opened
    finally:
        loop.run_until_complete(opened.wait_idle())
        loop.run_until_complete(opened.generation.close())
        opened.close()


def settings_in(folder) -> QSettings:
    """The window's settings in a file of the test's own, never the machine's."""
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)


@contextlib.contextmanager
def editor_window(qtbot, loop: asyncio.AbstractEventLoop, settings: QSettings,
                  size: tuple[int, int] = (1400, 900)) -> Iterator[MainWindow]:
    """The editor's window, shown at `size`; afterwards its renders stopped and its background
    work let end, then its project and backends closed (pytest-qt closes the window itself)."""
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    yield window
    renders = window.jobs.renders
    renders.cancel_all()
    loop.run_until_complete(renders.wait_idle())
    if window.session is not None:
        loop.run_until_complete(window.session.wait_idle())
    window.close_project()
    loop.run_until_complete(window.generation.close())


def opened(window: MainWindow, path) -> bool:
    """`path` opened in the window as File ▸ Open opens it (read in a worker thread), waited for on
    the test's loop (the `loop` fixture's); whether it opened."""
    return asyncio.get_event_loop().run_until_complete(window.open_project(path))
