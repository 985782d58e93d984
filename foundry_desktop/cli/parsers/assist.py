"""Options of the creative assist's commands: assist, captions, plan and moodboard."""

from __future__ import annotations

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import FILM_SECONDS, FILM_TIME_SECONDS, NUMBER, REQUEST_SECONDS
from foundry_desktop.domain.captions.styles import CAPTION_STYLES
from foundry_desktop.domain.planning.scene_plan import ASPECTS

DEFAULT_PLAN_SECONDS = "30"  # a plan's length when --duration is left out


def assist(commands: Commands, name: str, summary: str) -> None:
    assist = commands.add_parser(name, help=summary, description=(
        "Plans from a brief, mood boards and captions from speech use an OpenAI-compatible endpoint: OpenAI, or "
        "a local server such as Ollama (http://localhost:11434/v1), LM Studio or vLLM. Its key, if it needs one: "
        "`foundry key set assist`. Set for this machine, or with --project for one project (its settings win)."
    ))
    actions = assist.add_subparsers(dest="assist_command", metavar="ACTION", required=True)
    assist_set = actions.add_parser("set", help="set the endpoint and its models")
    assist_set.add_argument("--project", metavar="PROJECT", help="set them for this project only")
    assist_set.add_argument("--base-url", metavar="URL", help="the endpoint ('' to forget it); https://, or plain "
                                                           "http:// to this machine unless --allow-insecure")
    assist_set.add_argument("--allow-insecure", action="store_true",
                            help="accept a plain http:// endpoint on another machine (the key crosses unencrypted)")
    assist_set.add_argument("--model", metavar="NAME", help="the chat model that writes plans")
    assist_set.add_argument("--transcription-model", metavar="NAME", help="speech to text (default whisper-1)")
    assist_set.add_argument("--image-model", metavar="NAME", help="the picture model for mood boards")
    assist_set.add_argument("--timeout-seconds", type=values.number(REQUEST_SECONDS), metavar="S", help="how long one request may take")
    assist_set.add_argument("--follow-machine", action="store_true",
                            help="with --project: drop the project's own settings, use the machine's")
    assist_show = actions.add_parser("show", help="how the assist is set up")
    assist_show.add_argument("--project", metavar="PROJECT", help="as this project uses it")
    assist_show.add_argument("--json", action="store_true")


def captions(commands: Commands, name: str, summary: str) -> None:
    captions = commands.add_parser(name, help=summary, description=(
        "Transcribe speech into word-timed captions through the assist's endpoint (foundry assist set), "
        "or write the caption track as subtitles."
    ))
    actions = captions.add_subparsers(dest="captions_command", metavar="ACTION", required=True)
    transcribe = actions.add_parser("from", help="caption what is said in a shot, a music clip or a file",
                                    description=(
        "Transcribe SOURCE with word times and add captions split for reading (at most two lines of 42 "
        "characters, a new caption at each pause and sentence), as one undo step. SOURCE is shot:N (shot N's "
        "take, as the cut plays it), music:N (the Nth music clip) or an audio/video file (placed at --at). "
        "Captions that would overlap existing ones are refused unless --replace."
    ))
    transcribe.add_argument("project", metavar="PROJECT")
    transcribe.add_argument("source", metavar="SOURCE", help="shot:N, music:N or a file")
    transcribe.add_argument("--language", metavar="L", help="the spoken language, ISO-639-1 (en, de, fr...)")
    transcribe.add_argument("--style", default="subtitle", choices=list(CAPTION_STYLES),
                            help="the look (default subtitle; social highlights each word as it is said)")
    transcribe.add_argument("--at", metavar="SECONDS", type=values.seconds(FILM_TIME_SECONDS), help="where a file's sound starts in the film (default 0)")
    transcribe.add_argument("--replace", action="store_true", help="replace the captions the new ones overlap")
    transcribe.add_argument("--json", action="store_true", help="print the captions added as JSON")
    export = actions.add_parser("export", help="write the captions as SRT or WebVTT", description=(
        "Write the film's captions as SubRip (.srt) or WebVTT (.vtt), timed to the frames they show on; "
        "the same files a render writes beside the film."
    ))
    export.add_argument("project", metavar="PROJECT")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.srt or FILE.vtt")


def plan(commands: Commands, name: str, summary: str) -> None:
    plan = commands.add_parser(name, help=summary, description=(
        "Ask the language model (`foundry assist set`) for a scene plan from a brief: scenes with prompts, "
        "durations that add up exactly to the target in frames, transitions and a music mood. Print it, or "
        "--json to save and edit it, then apply it with --from-json FILE --apply. Applying adds the scenes as "
        "new shots, one undo step, never changing the shots already there."
    ))
    plan.add_argument("project", metavar="PROJECT")
    source = plan.add_mutually_exclusive_group(required=True)
    source.add_argument("--brief", metavar="TEXT|FILE", help="the brief, or a text file that holds it")
    source.add_argument("--from-json", metavar="FILE", help="a plan printed by --json (and edited), to apply")
    plan.add_argument("--duration", metavar="S", type=values.seconds(FILM_SECONDS), help=f"the film's length in seconds (default {DEFAULT_PLAN_SECONDS})")
    plan.add_argument("--aspect", choices=list(ASPECTS), help="the shape the shots are framed for "
                                                              "(default: the project's)")
    plan.add_argument("--apply", action="store_true", help="add the scenes to the project as shots")
    plan.add_argument("--at", type=values.whole(NUMBER), metavar="INDEX", help="with --apply: the first new shot's position "
                                                              "(default: after the last shot)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")


def moodboard(commands: Commands, name: str, summary: str) -> None:
    board = commands.add_parser(name, help=summary, description=(
        "Ask the language model (`foundry assist set`) for 3 or 4 visual directions from a brief, each with "
        "keywords, a palette and a prompt prefix, and reference pictures from the picture model "
        "(`foundry assist set --image-model NAME`) kept in the project's media folder. Save them with --json, "
        "then make one a style template: --from-json FILE --choose N."
    ))
    board.add_argument("project", metavar="PROJECT")
    source = board.add_mutually_exclusive_group(required=True)
    source.add_argument("--brief", metavar="TEXT|FILE", help="the brief, or a text file that holds it")
    source.add_argument("--from-json", metavar="FILE", help="a mood board printed by --json")
    board.add_argument("--directions", type=int, default=3, choices=(3, 4), help="how many looks (default 3)")
    board.add_argument("--pictures", type=int, default=2, choices=range(0, 5), metavar="N",
                       help="reference pictures per look, 0 to 4 (default 2)")
    board.add_argument("--aspect", choices=list(ASPECTS), help="the pictures' shape (default: the project's)")
    board.add_argument("--choose", type=values.whole(NUMBER), metavar="N", help="make look N a style template of the project")
    board.add_argument("--json", action="store_true", help="print the mood board as JSON")
