"""Options of the project commands: demo, new, info, undo, redo and clean."""

from __future__ import annotations

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values


def demo(commands: Commands, name: str, summary: str) -> None:
    demo = commands.add_parser(name, help=summary, description=(
        "Lay out a four-shot demo film, generate it with the built-in backend, render it "
        "to DIR/demo.mp4 and hand its cut over as DIR/demo.fcpxml, demo.edl and demo.otio. "
        "An earlier demo in DIR is replaced."
    ))
    demo.add_argument("--out", default="demo-output", metavar="DIR", help="output folder (default: demo-output)")
    demo.add_argument("--json", action="store_true", help="print the result as JSON")


def new(commands: Commands, name: str, summary: str) -> None:
    new = commands.add_parser(name, help=summary, description="Create an empty project file.")
    new.add_argument("project", metavar="PROJECT", help="the .foundry file to create")
    new.add_argument("--size", default="1280x720", metavar="WxH", type=values.picture_size, help="output size (default 1280x720)")
    new.add_argument("--fps", default="24", metavar="RATE", type=values.frame_rate, help="frame rate: 24, 25, 30000/1001, 29.97... (default 24)")
    new.add_argument("--name", help="project name (default: the file name)")


def info(commands: Commands, name: str, summary: str) -> None:
    info = commands.add_parser(name, help=summary, description=(
        "Show the project's format and each shot: index, id, prompt, backend, duration, status "
        "(with the reason when stale), selected take and number of takes."
    ))
    info.add_argument("project", metavar="PROJECT")
    info.add_argument("--json", action="store_true", help="print as JSON")


def history(commands: Commands, name: str, summary: str) -> None:
    """undo and redo: `summary` is what they do ("undo the last edit")."""
    travel = commands.add_parser(name, help=summary, description=(
        f"{summary.capitalize()}. The history is kept in the project, so this works after a restart."))
    travel.add_argument("project", metavar="PROJECT")
    travel.add_argument("--json", action="store_true", help="print the result as JSON")


def clean(commands: Commands, name: str, summary: str) -> None:
    clean = commands.add_parser(name, help=summary, description=(
        "Report and remove what the project's folder holds that nothing needs, with sizes: "
        "media files (takes, pictures, sounds) that no shot, take, media item, music clip, job or undo "
        "step names — a take that undo can still bring back keeps its file, every take a shot "
        "lists (selected or not) stays, as `take select` can show it again, and mood board pictures stay; "
        "render segments no render has used for 30 days, and the oldest beyond the render cache's "
        "4 GiB budget (renders keep it to that size themselves; --all-segments empties it, and the "
        "next render encodes again what it needs); and leftovers of work that was killed: partial "
        "takes and renders, scratch files, the marker of an unfinished creation. Leftovers and "
        "unnamed media are also removed, quietly, whenever the project is opened for editing."
    ))
    clean.add_argument("project", metavar="PROJECT")
    clean.add_argument("--dry-run", action="store_true", help="list what would go, and remove nothing")
    clean.add_argument("--all-segments", action="store_true",
                       help="remove the whole render cache, not only its stale segments")
    clean.add_argument("--json", action="store_true", help="print the result as JSON")
