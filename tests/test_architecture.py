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
