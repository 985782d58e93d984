"""Options of `foundry storyboard`: the board exported for review."""

from __future__ import annotations

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import PER_PAGE


def storyboard(commands: Commands, name: str, summary: str) -> None:
    parser = commands.add_parser(name, help=summary, description=(
        "The storyboard: every shot's approved keyframe, number, length and prompt, scene by scene."))
    actions = parser.add_subparsers(dest="storyboard_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write the storyboard as a PDF or PNG pages", description=(
        "Write a printable contact sheet for review: the film's title, each scene as a section with its "
        "description and notes, and a card per shot with its approved keyframe (or a drawing saying there is "
        "none), \"Shot N\", its length and prompt. The output's suffix chooses the format: .pdf writes one PDF; "
        ".png writes a PNG per page (board.png for one page, board-1.png, board-2.png... for several)."))
    export.add_argument("project", metavar="PROJECT")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="board.pdf or board.png")
    export.add_argument("--per-page", type=values.whole(PER_PAGE), default=12, metavar="N",
                        help="at most N shots on a page (default 12; fewer when their scenes' headings need room)")
    export.add_argument("--json", action="store_true", help="print the files written as JSON")
