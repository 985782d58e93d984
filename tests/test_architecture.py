"""The layering rules of the architecture, checked on the source."""

import ast
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
    "cli": {"cli", "app", "domain", "generation", "media", "errors"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
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
    for relative, path in core_files():
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
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [
            f"{relative}:{node.lineno} .{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in ("store", "_store")
        ]
    assert offenders == []


def test_the_views_reach_the_core_only_through_the_app():
    """The service is the only door: ui/ imports of ours are ui, app (the ProjectService and the
    app's modules), domain, errors, and the package's top level (RESOURCES_DIR, __version__);
    never store, generation, media or interchange. Imports under `if TYPE_CHECKING:` count too
    (the walk sees every import in the file): a name the views need for a type comes through app."""
    allowed = {"ui", "app", "domain", "errors"}
    offenders, scanned = [], 0
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        scanned += 1
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "foundry_desktop":
                # `from foundry_desktop import store` is a subpackage too; RESOURCES_DIR is not
                modules = [f"foundry_desktop.{alias.name}" for alias in node.names
                           if (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").is_file()]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                assert not (isinstance(node, ast.ImportFrom) and node.level), f"{path}: a relative import"
                continue
            offenders += [f"{path.relative_to(PACKAGE)}:{node.lineno} imports {module}" for module in modules
                          if module.split(".")[0] == "foundry_desktop" and len(module.split(".")) > 1
                          and module.split(".")[1] not in allowed]
    assert scanned > 30
    assert offenders == []
