"""The backends and ComfyUI workflows a creator names, checked before an edit records them: a shot
that names `nope` would otherwise be saved, estimated as free and fail only when it is generated."""

from __future__ import annotations

from foundry_desktop.app.generation.backends import backend_names, workflow_library
from foundry_desktop.errors import FoundryError, InvalidEditError


def check_generator_names(*, backends: tuple[str | None, ...] = (), workflows: tuple[str | None, ...] = ()) -> None:
    """Refuse a backend this machine does not have or a workflow its library does not hold, naming
    those there are. None (not given) and "" (cleared: take the default) pass."""
    named = [name for name in backends if name]
    if named:
        known = backend_names()
        for name in named:
            if name not in known:
                raise InvalidEditError(f"No generation backend called {name!r} (there are: {', '.join(known)}).")
    if any(workflows):
        library = workflow_library()
        for name in filter(None, workflows):
            try:
                library.get(name)
            except FoundryError as exc:  # unknown, or a broken file that says what is wrong with it
                raise InvalidEditError(str(exc)) from None
