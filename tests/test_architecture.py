"""The layering rules of the architecture, checked on the source."""

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "foundry_desktop"
QT_MODULES = {"PySide6", "shiboken6", "qasync", "PyQt5", "PyQt6"}
# Each layer may import only these of ours (arrows point down).
ALLOWED = {
    "domain": {"domain"},
    "store": {"domain", "store", "errors"},
    # Backends write and check video through media (PyAV); media never imports generation.
    "generation": {"generation", "media", "errors", "domain"},
    "media": {"media", "errors", "atomic_file"},
    "interchange": {"interchange", "domain", "errors", "atomic_file"},
    "app": {"app", "domain", "store", "generation", "media", "interchange", "errors", "atomic_file"},
    "cli": {"cli", "app", "domain", "errors"},
    # The service is the only door: the commands and the views reach store, generation, media
    # and interchange through app alone, types included (imports under TYPE_CHECKING count).
    "ui": {"ui", "app", "domain", "errors"},
}


@functools.cache
def syntax_tree(path: Path) -> ast.Module:
    """`path` parsed once for all the rules below."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, wherever the import stands (under TYPE_CHECKING, in a function).

    Relative imports are resolved against the file's package, and `from package import module`
    counts as importing that module, so no spelling of an import slips past the rules."""
    tree = syntax_tree(path)
    package = ["foundry_desktop", *path.relative_to(PACKAGE).parent.parts]
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            modules.add(module)
            for alias in node.names:
                inner = PACKAGE.joinpath(*module.split(".")[1:], alias.name)
                if module.startswith("foundry_desktop") and (inner.is_dir() or inner.with_suffix(".py").is_file()):
                    modules.add(f"{module}.{alias.name}")
    return modules


def core_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] != "ui":
            yield relative, path


def test_nothing_outside_ui_imports_qt():
    offenders = [
        f"{relative}: {module}"
        for relative, path in core_files()
        for module in imported_modules(path)
        if module.split(".")[0] in QT_MODULES
    ]
    assert offenders == []


def test_the_core_was_actually_scanned():
    scanned = {relative.parts[0] for relative, _ in core_files()}
    assert {"domain", "store", "generation", "media", "app", "cli"} <= scanned


def test_arrows_point_down():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        layer = relative.parts[0] if len(relative.parts) > 1 else None
        if layer not in ALLOWED:
            continue
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] != "foundry_desktop" or len(parts) < 2:
                continue
            if parts[1] not in ALLOWED[layer]:
                offenders.append(f"{relative} imports {module}")
    assert offenders == []


def test_views_and_commands_never_touch_the_services_store():
    """ui/ and cli/ ask the service (service.media, service.jobs(), ...); its store is its own."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] not in ("ui", "cli"):
            continue
        tree = syntax_tree(path)
        offenders += [
            f"{relative}:{node.lineno} .{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in ("store", "_store")
        ]
    assert offenders == []


# -- the parts inside a layer ------------------------------------------------------------------

# A layer's sub-packages are rooms of their own: each row says which of its sibling rooms a
# sub-package never imports. What they share lives at the layer's top level (generation/backend.py,
# interchange/film_cut.py, media/probe.py, ...), never in one of the rooms.
SEPARATE_PARTS = {
    # The backend families: a cloud API, a ComfyUI server, and nothing at all are three ways to make
    # a take behind one Backend protocol; a fix in one family never ripples into another.
    "generation/cloud": {"generation/comfyui", "generation/local"},
    "generation/comfyui": {"generation/cloud", "generation/local"},
    "generation/local": {"generation/cloud", "generation/comfyui"},
    # The exchange formats: each reads and writes its own files, to and from interchange/film_cut.py.
    "interchange/fcpxml": {"interchange/edl", "interchange/otio"},
    "interchange/edl": {"interchange/fcpxml", "interchange/otio"},
    "interchange/otio": {"interchange/fcpxml", "interchange/edl"},
    # Encoding lies beneath the render and the previews; the render and the previews (thumbnails,
    # waveforms for the views) are made independently of each other.
    "media/encode": {"media/render", "media/previews"},
    "media/previews": {"media/render"},
    "media/render": {"media/previews"},
    # The model's two specialised parts do not lean on each other.
    "domain/captions": {"domain/planning"},
    "domain/planning": {"domain/captions"},
}


def part_of(module: str) -> str | None:
    """"generation/cloud" for foundry_desktop.generation.cloud and anything in it; None outside a
    sub-package (a layer's top-level modules, other packages)."""
    parts = module.split(".")
    if parts[0] != "foundry_desktop" or len(parts) < 3:
        return None
    if not PACKAGE.joinpath(parts[1], parts[2]).is_dir():
        return None
    return f"{parts[1]}/{parts[2]}"


def test_the_parts_of_a_layer_stand_apart():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        here = "/".join(relative.parts[:2]) if len(relative.parts) > 2 else None
        for module in sorted(imported_modules(path)):
            if part_of(module) in SEPARATE_PARTS.get(here, ()):
                offenders.append(f"{relative} imports {module}")
    assert offenders == [], "A part of a layer imports a sibling it stands apart from:\n" + "\n".join(offenders)


def test_the_parts_named_in_the_rules_exist():
    """A renamed or removed sub-package must not leave its rule checking nothing."""
    named = set(SEPARATE_PARTS) | set().union(*SEPARATE_PARTS.values())
    assert sorted(part for part in named if not (PACKAGE / part).is_dir()) == []


# -- sizes -------------------------------------------------------------------------------------

# A newcomer finds a feature's room from the tree, and a file is one idea that fits on a few screens.
MAX_MODULES_PER_FOLDER = 15  # not counting __init__.py
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60

# Declarative tables may be longer than a function should: a table read top to bottom is easier to
# check than the same table cut into pieces. Each entry says what its table is.
DECLARATIVE_TABLES: dict[str, str] = {
    # "path/module.py:function": "what the table is, and why it reads better whole",
    # (none today: the command line's parser, the last one, became a table of small builders)
}

def functions_of(tree: ast.Module):
    """(qualified name, lines) of every function and method, nested ones too; a function's lines
    run from its `def` to its last line, nested functions included."""
    def walk(node: ast.AST, prefix: str):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{prefix}{child.name}", child.end_lineno - child.lineno + 1
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)
    yield from walk(tree, "")


def size_offences() -> dict[str, str]:
    """What is over a limit, keyed as the allowlists are ("folder/", "file.py", "file.py:function")."""
    offences = {}
    folders = sorted({path.parent for path in PACKAGE.rglob("*.py")})
    for folder in folders:
        modules = [path for path in folder.glob("*.py") if path.name != "__init__.py"]
        if len(modules) > MAX_MODULES_PER_FOLDER:
            key = f"{folder.relative_to(PACKAGE).as_posix()}/"
            offences[key] = f"folder, {len(modules)} modules (limit {MAX_MODULES_PER_FOLDER})"
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offences[relative] = f"module, {lines} lines (limit {MAX_MODULE_LINES})"
        for name, length in functions_of(syntax_tree(path)):
            if length > MAX_FUNCTION_LINES:
                offences[f"{relative}:{name}"] = f"function, {length} lines (limit {MAX_FUNCTION_LINES})"
    return offences


def test_folders_modules_and_functions_keep_to_their_sizes():
    offences = size_offences()
    problems = [f"{key}: {what}" for key, what in sorted(offences.items())
                if key not in DECLARATIVE_TABLES]
    problems += [f"{key}: in DECLARATIVE_TABLES but not over a limit (or gone); remove the entry"
                 for key in sorted(DECLARATIVE_TABLES) if key not in offences]
    assert not problems, "Over the size limits (split by idea; see the README's map):\n" + "\n".join(problems)


def test_the_size_check_sees_what_it_should():
    """The walk finds methods and nested functions, and measures them from def to last line."""
    tree = ast.parse("class A:\n    def f(self):\n        def g():\n            pass\n        return g\n")
    assert dict(functions_of(tree)) == {"A.f": 4, "A.f.g": 2}

