"""Rendering in a process of its own, for the desktop app.

A render's own thread mixes sound, joins segments and writes the file in
Python, holding the GIL for tens of milliseconds at a time; beside the GUI
that stalls the editor. Here the render runs in a spawned process that opens
the project read-only (the editor keeps it open for editing; SQLite's WAL lets
both read), reports progress through a queue, and stops when asked. It dies with the
process that started it (owner_death): the thread that starts it waits for its end, so
Linux's parent-death signal is safe to ask for, and the owner line covers the other systems.

`render_in_process` blocks: call it from a worker thread. Given a `snapshot` (the project as
it was when the creator pressed Render), the child renders that, not what the file holds by
the time it reads it: the creator goes on editing meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from foundry_desktop.app.render.film_render import FilmRender, render_film, render_preview
from foundry_desktop.app.render.output_presets import RenderSettings
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.app.render.slates import with_slates
from foundry_desktop.domain.project import Project
from foundry_desktop.errors import FoundryError, MediaError
from foundry_desktop.media.encode.video_writer import write_error
from foundry_desktop.media.render.film_compose import ComposeProgress
from foundry_desktop.media.owner_death import die_with_owner, owner_line
from foundry_desktop.media.worker_processes import run_in_background

POLL_S = 0.1


def _render_child(project: Path, output: Path | None, settings: RenderSettings, loudness_lufs: float | None,
                  messages: Any, cancel: Any, snapshot: Project | None, slates: bool, owner: tuple[Any, int]) -> None:
    """In the child: render (the film to `output`, or the preview when None) and say how it went;
    `snapshot`: the project to render instead of the file's; `slates`: shots without a picture
    shown as slates instead of refused; `owner`: the owner line's end and the owner's pid."""
    die_with_owner(owner[0], parent_death_signal=True, owner_pid=owner[1])
    run_in_background()
    stop = threading.Event()
    threading.Thread(target=lambda: (cancel.wait(), stop.set()), daemon=True).start()

    def progress(step: ComposeProgress) -> None:
        messages.put(("progress", step))

    try:
        with ProjectService.open(project, read_only=True) as service:
            if snapshot is not None:
                service.project = snapshot
            if slates:
                service.project = with_slates(service, stop)
            if output is None:
                result = render_preview(service, cancel=stop, on_progress=progress)
            else:
                result = render_film(service, output, cancel=stop, on_progress=progress, settings=settings,
                                     loudness_lufs=loudness_lufs)
        messages.put(("done", result))
    except FoundryError as exc:
        messages.put(("error", exc))
    except OSError as exc:  # the subtitles beside the film, a slate: the disk, not a bug
        messages.put(("error", write_error(output or project, exc)))
    except BaseException as exc:  # a bug: reported in words, not lost with the process
        messages.put(("error", MediaError(f"The render failed unexpectedly: {exc}")))


def render_in_process(
    project: Path,
    output: Path | None,
    *,
    settings: RenderSettings = RenderSettings(),
    loudness_lufs: float | None = -14.0,
    on_progress: Callable[[ComposeProgress], None] | None = None,
    cancel: threading.Event | None = None,
    snapshot: Project | None = None,
    slates: bool = False,
) -> FilmRender:
    """Render `project` to `output` (None: its preview) in a child process; see the module docstring.
    Without a `snapshot`, the project must be saved as it is to be rendered (every edit is, at once)."""
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    stop = context.Event()
    child_end, owner_end = owner_line(context)
    child = context.Process(target=_render_child, name="foundry-render",
                            args=(Path(project), output, settings, loudness_lufs, messages, stop, snapshot, slates,
                                  (child_end, os.getpid())))
    child.start()
    child_end.close()  # the child has its own copy now
    try:
        while True:
            if cancel is not None and cancel.is_set():
                stop.set()
            try:
                kind, value = messages.get(timeout=POLL_S)
            except queue.Empty:
                if not child.is_alive():
                    raise MediaError("The render stopped unexpectedly; your project is safe. Try again.") from None
                continue
            if kind == "progress":
                if on_progress is not None:
                    on_progress(value)
            elif kind == "error":
                raise value
            else:
                return value
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
            child.join()
        owner_end.close()
