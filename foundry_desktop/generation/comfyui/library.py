"""The ComfyUI workflows a creator can choose from.

Two places hold them: the built-in templates that ship in the repository's
`workflows/` folder (read-only), and a user folder where imported workflows
are copied. The user folder also keeps `library.json`, a small index of the
creator's favourites and the categories they gave workflows; it is written
whole or not at all, so a crash never leaves half an index.

A workflow is named by its file's stem (`wan-text-to-video`); a user
workflow may not take a built-in's name, so a name always means one graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundry_desktop import WORKFLOWS_DIR
from foundry_desktop.errors import FoundryError, GenerationError, InputFileError
from foundry_desktop.generation.comfyui.template import WorkflowTemplate
from foundry_desktop.generation.comfyui.template_file import load_workflow_template

# Whole or not at all, and a refusal of the disk named in a creator's words.
from foundry_desktop.media.derived_cache import save_atomically

INDEX_FILE_NAME = "library.json"
INDEX_VERSION = 1
_NAME_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")


def builtin_workflows_dir() -> Path:
    """Where the built-in templates live (from source or in a frozen bundle: foundry_desktop.WORKFLOWS_DIR)."""
    return WORKFLOWS_DIR


@dataclass(frozen=True)
class WorkflowEntry:
    """One workflow as the library lists it."""

    name: str
    title: str
    category: str
    description: str
    builtin: bool
    favourite: bool
    path: Path


class WorkflowLibrary:
    """The built-in workflows plus the ones a creator imported into `user_dir`."""

    def __init__(self, user_dir: Path, builtin_dir: Path | None = None) -> None:
        self.user_dir = user_dir
        self.builtin_dir = builtin_dir if builtin_dir is not None else builtin_workflows_dir()
        self._loaded: dict[tuple[Path, str], tuple[tuple[int, int], WorkflowTemplate]] = {}

    def _load(self, path: Path, name: str | None = None) -> WorkflowTemplate:
        """The template in `path`, parsed again only when the file has changed (every job of
        a batch asks for its workflow)."""
        try:
            stat = path.stat()
        except OSError:
            return load_workflow_template(path, name=name)  # which says in words what is wrong
        key, version = (path, name or path.stem), (stat.st_mtime_ns, stat.st_size)
        cached = self._loaded.get(key)
        if cached is None or cached[0] != version:
            cached = self._loaded[key] = (version, load_workflow_template(path, name=name))
        return cached[1]

    # -- reading --------------------------------------------------------------

    def entries(self) -> list[WorkflowEntry]:
        """Every workflow that loads, sorted by category then title (see `problems` for the rest)."""
        index = self._read_index()
        entries = []
        for name, path, builtin in self._files():
            try:
                template = self._load(path, name)
            except FoundryError:
                continue
            entries.append(self._entry(template, path, builtin, index))
        return sorted(entries, key=lambda entry: (entry.category.lower(), entry.title.lower(), entry.name))

    def by_category(self) -> dict[str, list[WorkflowEntry]]:
        """The entries grouped by category, categories in alphabetical order."""
        grouped: dict[str, list[WorkflowEntry]] = {}
        for entry in self.entries():
            grouped.setdefault(entry.category, []).append(entry)
        return grouped

    def favourites(self) -> list[WorkflowEntry]:
        return [entry for entry in self.entries() if entry.favourite]

    def names(self) -> list[str]:
        return sorted(name for name, _, _ in self._files())

    def problems(self) -> list[str]:
        """Why each workflow file that does not load does not, one line each."""
        found = []
        for name, path, _ in self._files():
            try:
                self._load(path, name)
            except FoundryError as exc:
                found.append(str(exc))
        return found

    def get(self, reference: str) -> WorkflowTemplate:
        """The workflow called `reference`, or the template file at that path.

        Raises GenerationError naming the workflows there are when neither exists.
        """
        for name, path, _ in self._files():
            if name == reference:
                return self._load(path, name)
        candidate = Path(reference).expanduser()
        if candidate.suffix.lower() == ".json" and candidate.is_file():
            return self._load(candidate)  # a template file named as such, to show or check before importing
        checked_name(reference)
        known = ", ".join(self.names()) or "none"
        raise GenerationError(f"There is no workflow called {reference!r} (there are: {known}).")

    def entry(self, name: str) -> WorkflowEntry:
        checked_name(name)
        index = self._read_index()
        for file_name, path, builtin in self._files():
            if file_name == name:
                return self._entry(self._load(path, name), path, builtin, index)
        raise GenerationError(f"There is no workflow called {name!r}.")

    # -- changing -------------------------------------------------------------

    def import_workflow(
        self, source: Path, *, name: str | None = None, category: str | None = None, replace: bool = False
    ) -> WorkflowTemplate:
        """Copy a workflow file into the user folder once it has loaded cleanly.

        The file is copied as it is (a Foundry template or a bare API export
        with role tags). Its name is `name` or the file's stem, made safe for
        a file name. A built-in's name is refused; another user workflow's
        only without `replace`.
        """
        load_workflow_template(source)  # raises InputFileError naming what is wrong
        final_name = workflow_name(name if name is not None else source.stem)
        if (self.builtin_dir / f"{final_name}.json").is_file():
            raise GenerationError(
                f"A built-in workflow is already called {final_name}; import this one under another name."
            )
        destination = self.user_dir / f"{final_name}.json"
        if destination.exists() and not replace:
            raise GenerationError(f"You already have a workflow called {final_name}; remove it first or replace it.")
        try:
            content = source.read_bytes()
        except OSError as exc:
            raise InputFileError(f"The workflow file {source.name} cannot be read: {exc.strerror or exc}.") from None
        save_atomically(destination, lambda file: file.write(content), f"the workflow {final_name} in {self.user_dir}")
        if category is not None and category.strip():
            self._update_index(lambda index: index["categories"].__setitem__(final_name, category.strip()))
        return load_workflow_template(destination, name=final_name)

    def remove(self, name: str) -> None:
        """Delete a user workflow and what the index says about it; built-ins stay."""
        checked_name(name)  # a name, never a path: nothing outside the library is deleted
        if (self.builtin_dir / f"{name}.json").is_file():
            raise GenerationError(f"{name} is a built-in workflow; built-in workflows cannot be removed.")
        path = self.user_dir / f"{name}.json"
        if not path.is_file():
            raise GenerationError(f"You have no workflow called {name!r} to remove.")
        try:
            path.unlink()
        except OSError as exc:
            raise GenerationError(f"Could not remove the workflow {name}: {exc.strerror or exc}.") from None

        def forget(index: dict[str, Any]) -> None:
            index["favourites"] = [favourite for favourite in index["favourites"] if favourite != name]
            index["categories"].pop(name, None)

        self._update_index(forget)

    def set_favourite(self, name: str, favourite: bool = True) -> None:
        """Mark or unmark a workflow (built-in or not) as a favourite."""
        self._require(name)

        def mark(index: dict[str, Any]) -> None:
            rest = [other for other in index["favourites"] if other != name]
            index["favourites"] = sorted(rest + [name]) if favourite else rest

        self._update_index(mark)

    def set_category(self, name: str, category: str | None) -> None:
        """File a workflow under `category`; None or blank goes back to the template's own."""
        self._require(name)

        def file_under(index: dict[str, Any]) -> None:
            if category is None or not category.strip():
                index["categories"].pop(name, None)
            else:
                index["categories"][name] = category.strip()

        self._update_index(file_under)

    # -- the files and the index ----------------------------------------------

    def _files(self) -> Iterable[tuple[str, Path, bool]]:
        """(name, path, built-in?) of every template file; built-ins first, so they win a name."""
        seen = set()
        for folder, builtin in ((self.builtin_dir, True), (self.user_dir, False)):
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.json")):
                if path.name == INDEX_FILE_NAME or path.name.startswith(".") or path.stem in seen:
                    continue
                seen.add(path.stem)
                yield path.stem, path, builtin

    def _require(self, name: str) -> None:
        checked_name(name)
        if name not in self.names():
            raise GenerationError(f"There is no workflow called {name!r}.")

    def _entry(self, template: WorkflowTemplate, path: Path, builtin: bool, index: dict[str, Any]) -> WorkflowEntry:
        return WorkflowEntry(
            name=template.name,
            title=template.title,
            category=index["categories"].get(template.name, template.category),
            description=template.description,
            builtin=builtin,
            favourite=template.name in index["favourites"],
            path=path,
        )

    def _read_index(self) -> dict[str, Any]:
        """The index, or an empty one when there is none yet.

        A damaged index (hand-edited, say) reads as empty rather than hiding
        every workflow: favourites are a convenience, the workflows are not.
        """
        empty: dict[str, Any] = {"version": INDEX_VERSION, "favourites": [], "categories": {}}
        try:
            data = json.loads((self.user_dir / INDEX_FILE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return empty
        if not isinstance(data, dict):
            return empty
        favourites = data.get("favourites")
        categories = data.get("categories")
        return {
            "version": INDEX_VERSION,
            "favourites": [f for f in favourites if isinstance(f, str)] if isinstance(favourites, list) else [],
            "categories": (
                {k: v for k, v in categories.items() if isinstance(v, str)} if isinstance(categories, dict) else {}
            ),
        }

    def _update_index(self, change: Callable[[dict[str, Any]], None]) -> None:
        index = self._read_index()
        change(index)
        content = (json.dumps(index, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
        save_atomically(
            self.user_dir / INDEX_FILE_NAME, lambda file: file.write(content), f"the workflow list in {self.user_dir}"
        )


def checked_name(name: str) -> str:
    """`name` if it can name a workflow of the library: no folders, no `..`, not a path.

    Raises GenerationError in words otherwise, so that no command reaches a file outside
    the library by its name.
    """
    if not name or "\x00" in name or "/" in name or "\\" in name or ".." in name or Path(name).is_absolute() or name != name.strip():
        raise GenerationError(
            f"{name!r} is not a workflow name: a name has no folders or '..' in it (see `foundry workflow list`)."
        )
    return name


def workflow_name(text: str) -> str:
    """A workflow name made from `text`: lower case, words joined by -, safe as a file name."""
    name = _NAME_NOT_ALLOWED.sub("-", text.strip().lower()).strip("-_")
    if not name:
        raise InputFileError(f"{text!r} cannot name a workflow; use letters, digits, - or _.")
    return name
