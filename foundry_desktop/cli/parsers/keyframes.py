"""Options of `foundry keyframes`: make, approve and list the shots' keyframe stills."""

from __future__ import annotations

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import NUMBER, VARIANTS


def keyframes(commands: Commands, name: str, summary: str) -> None:
    keyframes = commands.add_parser(name, help=summary, description=(
        "Keyframe stills: a picture per shot, made by its image backend from its prompt (with its style and "
        "character) and approved before any video is made; the approved keyframe is the video's first frame."
    ))
    actions = keyframes.add_subparsers(dest="keyframes_command", metavar="ACTION", required=True)
    make = actions.add_parser("make", help="make keyframes (every generated shot without an approved one)")
    make.add_argument("project", metavar="PROJECT")
    make.add_argument("--shots", metavar="LIST", help="only these shots: numbers and ranges, e.g. 1,3-5")
    make.add_argument("--variants", type=values.whole(VARIANTS), default=0, metavar="N",
                      help="also make N more keyframes of each shot, each with a new seed, to choose from")
    make.add_argument("--estimate", action="store_true", help="say what it would make and cost; make nothing")
    make.add_argument("--json", action="store_true")
    approve = actions.add_parser("approve", help="approve a keyframe as the shot's first frame (undoable)")
    approve.add_argument("project", metavar="PROJECT")
    approve.add_argument("shot", type=values.whole(NUMBER), metavar="SHOT")
    approve.add_argument("take", metavar="TAKE",
                         help="its number in `foundry takes` or `keyframes list`, or its id; none: approve none")
    approve.add_argument("--last", action="store_true", help="as the shot's last frame (first/last-frame workflows)")
    listing = actions.add_parser("list", help="each shot's keyframes and which are approved")
    listing.add_argument("project", metavar="PROJECT")
    listing.add_argument("--json", action="store_true")
    follow = actions.add_parser("continue", help="start a shot from the last frame of the previous shot's take")
    follow.add_argument("project", metavar="PROJECT")
    follow.add_argument("shot", type=values.whole(NUMBER), metavar="SHOT")
    follow.add_argument("--off", action="store_true", help="start it from its own keyframe again")
