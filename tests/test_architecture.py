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


# The commands talk to the service and the app's modules, never to store/, generation/, media/
# or interchange/ themselves (issue 16): what they need of those, the app offers.
CLI_MAY_IMPORT = {"cli", "app", "domain", "errors"}


def run_time_imports(path: Path) -> set[str]:
    """The modules of ours `path` imports when it runs (relative imports resolved): all but those
    under `if TYPE_CHECKING:`."""
    package = ["foundry_desktop", *path.relative_to(PACKAGE).parent.parts]
    modules = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            modules.add(".".join([*base, *([node.module] if node.module else [])]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return {module for module in modules if module.split(".")[0] == "foundry_desktop"}


def test_commands_go_through_the_app():
    """cli/ imports only cli, app, domain, errors and the package's top level (foundry_desktop).

    Imports under `if TYPE_CHECKING:` are not counted: they never run, and they only name the
    types of values the app hands over (a render's MediaInfo, the workflow library's templates)
    for annotations. test_arrows_point_down still holds them to the layers below."""
    offenders = []
    for path in sorted((PACKAGE / "cli").rglob("*.py")):
        for module in run_time_imports(path):
            parts = module.split(".")
            if len(parts) > 1 and parts[1] not in CLI_MAY_IMPORT:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []
    assert run_time_imports(PACKAGE / "cli" / "main.py")  # the scan sees the imports it should
