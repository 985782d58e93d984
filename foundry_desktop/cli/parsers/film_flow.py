"""Options of `foundry film`: one flow from a brief to a film."""

from __future__ import annotations

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import FILM_SECONDS, NUMBER

UNTIL = ("keyframes", "video", "render")  # where the creator may stop (app.film_flow.film_request.Until)


def film(commands: Commands, name: str, summary: str) -> None:
    film = commands.add_parser(name, help=summary, description=(
        "Make a film from a brief: the language model plans its scenes and proposes looks (a mood board), the "
        "plan becomes shots with the chosen look, each shot gets a keyframe still, and the flow stops for you to "
        "review them (and says what animating will cost). Run it again with --until video to animate the shots "
        "(a shot with no approved keyframe gets its first one approved, and the flow says which) and add a music "
        "bed, or --until render to render the film as well. It continues where it stopped and never pays for a "
        "step twice. The project is created when it does not exist."
    ))
    film.add_argument("project", metavar="PROJECT", help="the .foundry file (created when missing)")
    film.add_argument("--brief", metavar="TEXT|FILE", help="the brief, or a file holding it (only to start the film)")
    film.add_argument("--duration", metavar="SECONDS", type=values.seconds(FILM_SECONDS), help="how long the film lasts (default 60)")
    film.add_argument("--look", type=values.whole(NUMBER), metavar="N",
                      help="the mood board's look N, numbered as `foundry moodboard` shows them (default: the first)")
    film.add_argument("--until", choices=UNTIL, default="keyframes",
                      help="where to stop: keyframes (default, to review them), video, or render")
    film.add_argument("-o", "--output", metavar="FILE", help="the rendered film (default: PROJECT's name with .mp4)")
    film.add_argument("--backend", metavar="NAME", help="the video backend of the new shots (default builtin)")
    film.add_argument("--model", metavar="NAME", help="the video model, for backends that offer several")
    film.add_argument("--workflow", metavar="NAME", help="the ComfyUI workflow template, for --backend comfyui")
    film.add_argument("--image-backend", metavar="NAME", help="the backend that makes the keyframes (default builtin)")
    film.add_argument("--image-model", metavar="NAME", help="the picture model, for image backends that offer several")
    film.add_argument("--image-workflow", metavar="NAME",
                      help="the ComfyUI image workflow, for --image-backend comfyui")
    film.add_argument("--music-backend", metavar="NAME", help="the backend that makes the music (default builtin)")
    film.add_argument("--size", default="1280x720", metavar="WxH", type=values.picture_size, help="a new project's size (default 1280x720)")
    film.add_argument("--fps", default="24", metavar="RATE", type=values.frame_rate, help="a new project's frame rate (default 24)")
    film.add_argument("--name", help="a new project's name (default: the file name)")
    film.add_argument("--json", action="store_true", help="print each step's result as JSON")
