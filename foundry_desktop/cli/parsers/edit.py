"""Options of the commands that edit the cut: shot, transition, fade, music, media and caption."""

from __future__ import annotations

import argparse

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import FADE_SECONDS, FILM_TIME_SECONDS, GAIN_DB, NUMBER, SEED, SHOT_SECONDS, TRANSITION_SECONDS
from foundry_desktop.cli.parsers.music import add_generate
from foundry_desktop.cli.parsers.scenes import SCENE_DEFAULT_OPTIONS
from foundry_desktop.domain.captions.styles import CAPTION_STYLES


# What a shot may take from its scene (domain.project.SceneDefaults, as options name them).
_INHERITABLE = tuple(SCENE_DEFAULT_OPTIONS)


def _shot_spec_options(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("--prompt", help="what the shot should show (a title card's text)" + (" (required unless --media)" if adding else ""))
    parser.add_argument("--negative", dest="negative_prompt", help="what the shot should avoid")
    parser.add_argument(
        "--duration", dest="duration_seconds", metavar="SECONDS", type=values.seconds(SHOT_SECONDS), help="length in seconds (default 3)" if adding else "length in seconds"
    )
    parser.add_argument("--backend", help="generation backend (default: builtin)" if adding else "generation backend")
    parser.add_argument("--model", help="model name, for backends that offer several")
    parser.add_argument("--workflow", help="the ComfyUI workflow template (see `foundry workflow list`)")
    parser.add_argument("--seed", type=values.whole(SEED), help="random seed (default: a new random one)" if adding else "random seed")
    parser.add_argument("--image", metavar="FILE", type=values.existing_file,
                        help="a picture to start from, approved as the shot's keyframe (the built-in backend pans "
                             "and zooms over it)")
    parser.add_argument("--image-backend", metavar="NAME", help="the backend that makes its keyframe stills")
    parser.add_argument("--image-model", metavar="NAME", help="its model, for backends that offer several ('' for "
                                                              "the backend's default)")
    parser.add_argument("--image-workflow", metavar="NAME", help="its ComfyUI workflow template ('' for none)")
    parser.add_argument(
        "--param",
        dest="params",
        action="append",
        metavar="KEY=VALUE",
        help="a backend parameter (VALUE is read as JSON when it parses, else as text); repeatable",
    )
    parser.add_argument("--name", help="a short name for the shot")
    parser.add_argument("--character", metavar="NAME", help="the project's character in the shot ('' for none)")
    parser.add_argument("--style", metavar="NAME", help="the project's style for the shot ('' for none)")


def shot(commands: Commands, name: str, summary: str) -> None:
    shot = commands.add_parser(name, help=summary, description="Edit the shots of a project. Shots are numbered from 1.")
    actions = shot.add_subparsers(dest="shot_command", metavar="ACTION", required=True)
    _shot_add(actions)
    _shot_set(actions)
    move = actions.add_parser("move", help="move a shot", description="Move the shot at FROM so that it becomes shot TO.")
    move.add_argument("project", metavar="PROJECT")
    move.add_argument("source", type=values.whole(NUMBER), metavar="FROM")
    move.add_argument("destination", type=values.whole(NUMBER), metavar="TO")
    remove = actions.add_parser("remove", help="remove a shot", description="Remove a shot (its takes are kept, so undo brings it back whole). The shots after it close up (ripple delete) unless --lift.")
    remove.add_argument("project", metavar="PROJECT")
    remove.add_argument("index", type=values.whole(NUMBER), metavar="INDEX")
    remove.add_argument("--lift", action="store_true", help="leave its time empty (a gap), so nothing after it moves")
    close_gap = actions.add_parser("close-gap", help="close the empty time before a shot", description="Remove the gap before shot INDEX: it and the shots after it move up.")
    close_gap.add_argument("project", metavar="PROJECT")
    close_gap.add_argument("index", type=values.whole(NUMBER), metavar="INDEX")


def _shot_add(actions: Commands) -> None:
    add = actions.add_parser("add", help="add a shot", description="Add a shot (at the end unless --at).")
    add.add_argument("project", metavar="PROJECT")
    _shot_spec_options(add, adding=True)
    add.add_argument("--at", type=values.whole(NUMBER), metavar="INDEX", help="put the new shot at this position (1 = first)")
    add.add_argument("--media", metavar="FILE", type=values.existing_file, help="use this clip or still as the shot, as it is (no generation)")
    add.add_argument("--in", dest="source_in", metavar="SECONDS", type=values.seconds(FILM_TIME_SECONDS), help="with --media: start this far into the clip")
    add.add_argument("--out", dest="source_out", metavar="SECONDS", type=values.seconds(FILM_TIME_SECONDS), help="with --media: end this far into the clip")
    add.add_argument("--json", action="store_true", help="print the new shot as JSON")


def _shot_set(actions: Commands) -> None:
    set_ = actions.add_parser("set", help="change a shot", description="Change a shot's generation settings.")
    set_.add_argument("project", metavar="PROJECT")
    set_.add_argument("index", type=values.whole(NUMBER), metavar="INDEX", help="the shot's number (1 = first)")
    _shot_spec_options(set_, adding=False)
    set_.add_argument("--no-image", action="store_true", help="stop using an input image")
    set_.add_argument("--inherit", action="append", metavar="FIELD", choices=_INHERITABLE, help=(
        "take FIELD from the shot's scene again instead of setting it here: "
        f"{', '.join(_INHERITABLE)}; repeatable"))
    set_.add_argument("--fit", choices=["fit", "fill"], help="fit: whole picture with bars; fill: cover the frame, crop")
    set_.add_argument("--gain", type=values.number(GAIN_DB), metavar="DB", help="gain of the shot's own sound, in dB")
    sound = set_.add_mutually_exclusive_group()
    sound.add_argument("--mute", dest="muted", action="store_const", const=True, help="silence the shot's own sound")
    sound.add_argument("--unmute", dest="muted", action="store_const", const=False, help="play the shot's own sound")


def transition(commands: Commands, name: str, summary: str) -> None:
    transition = commands.add_parser(name, help=summary, description=(
        "Set the transition from shot INDEX into the next one. It is centred on the cut and uses media "
        "beyond the shots' ends where the takes have it; where they do not, the shots are shortened to make room."
    ))
    actions = transition.add_subparsers(dest="transition_command", metavar="ACTION", required=True)
    set_transition = actions.add_parser("set", help="set a transition", description="Set the transition after shot INDEX.")
    set_transition.add_argument("project", metavar="PROJECT")
    set_transition.add_argument("index", type=values.whole(NUMBER), metavar="INDEX", help="the shot the transition leaves (1 = first)")
    set_transition.add_argument("kind", choices=["cut", "dissolve", "fade-black", "fade-white"], metavar="KIND",
                                help="cut, dissolve, fade-black or fade-white")
    set_transition.add_argument("--duration", metavar="SECONDS", type=values.seconds(TRANSITION_SECONDS), help="how long it lasts (default 1 second; none for a cut)")


def fade(commands: Commands, name: str, summary: str) -> None:
    fade = commands.add_parser(name, help=summary, description=(
        "Fade the film in from black at its start and out to black at its end (0 for none)."
    ))
    fade.add_argument("project", metavar="PROJECT")
    fade.add_argument("--in", dest="fade_in", metavar="SECONDS", type=values.seconds(FADE_SECONDS), help="fade in over this long")
    fade.add_argument("--out", dest="fade_out", metavar="SECONDS", type=values.seconds(FADE_SECONDS), help="fade out over this long")


def music(commands: Commands, name: str, summary: str) -> None:
    music = commands.add_parser(name, help=summary, description="Edit the music track.")
    actions = music.add_subparsers(dest="music_command", metavar="ACTION", required=True)
    music_add = actions.add_parser("add", help="add a sound file", description=(
        "Add a sound file to the music track. It plays from --at (seconds into the film), at --gain dB, "
        "with fades; --loop repeats a short bed until the film ends."
    ))
    music_add.add_argument("project", metavar="PROJECT")
    music_add.add_argument("file", metavar="FILE", type=values.existing_file, help="a sound file (WAV, MP3, AAC, FLAC, Opus...) or a video with sound")
    music_add.add_argument("--at", default="0", metavar="SECONDS", type=values.seconds(FILM_TIME_SECONDS), help="where in the film it starts (default 0)")
    music_add.add_argument("--gain", type=values.number(GAIN_DB), default=0.0, metavar="DB", help="gain in dB (default 0)")
    music_add.add_argument("--fade-in", default="0", metavar="SECONDS", type=values.seconds(FADE_SECONDS), help="fade in over this long")
    music_add.add_argument("--fade-out", default="0", metavar="SECONDS", type=values.seconds(FADE_SECONDS), help="fade out over this long")
    music_add.add_argument("--loop", action="store_true", help="repeat it until the film ends")
    add_generate(actions)


def media(commands: Commands, name: str, summary: str) -> None:
    media = commands.add_parser(name, help=summary, description=(
        "The project's media bin: footage, stills and sound brought in (copied into the project's media "
        "folder), ready to put on the timeline."))
    actions = media.add_subparsers(dest="media_command", metavar="ACTION", required=True)
    media_import = actions.add_parser("import", help="bring files into the bin", description=(
        "Check each file and copy it into the project's media folder; all of them are one undoable edit. "
        "A file that cannot be used is named with the reason, and the others still come in."))
    media_import.add_argument("project", metavar="PROJECT")
    media_import.add_argument("files", metavar="FILE", nargs="+", help="footage, still pictures or sound")
    media_list = actions.add_parser("list", help="what the bin holds, and what is offline", description=(
        "Each file the project holds (the bin's, and the creator's media the timeline uses): its kind, "
        "length, how often the film uses it, and whether its file is missing (offline)."))
    media_list.add_argument("project", metavar="PROJECT")
    media_list.add_argument("--json", action="store_true", help="print as JSON")
    relink = actions.add_parser("relink", help="find offline files in a folder", description=(
        "Look through FOLDER (and the folders in it) for the files missing from the project's media folder: "
        "by name first, then by content; a file is taken only when its content is the one the project used. "
        "Found files are copied back; one undoable edit."))
    relink.add_argument("project", metavar="PROJECT")
    relink.add_argument("folder", metavar="FOLDER", type=values.existing_folder)


def caption(commands: Commands, name: str, summary: str) -> None:
    caption = commands.add_parser(name, help=summary, description="Edit the caption track.")
    actions = caption.add_subparsers(dest="caption_command", metavar="ACTION", required=True)
    caption_add = actions.add_parser("add", help="add a caption", description=(
        "Add a caption, burnt into the render and written to the .srt and .vtt beside it."
    ))
    caption_add.add_argument("project", metavar="PROJECT")
    caption_add.add_argument("--start", required=True, metavar="SECONDS", type=values.seconds(FILM_TIME_SECONDS), help="when it appears, in the film")
    caption_add.add_argument("--end", required=True, metavar="SECONDS", type=values.seconds(FILM_TIME_SECONDS), help="when it goes")
    caption_add.add_argument("--text", required=True, help="what it says")
    caption_add.add_argument("--style", default="subtitle", choices=list(CAPTION_STYLES),
                             help="how it looks (default subtitle; social highlights each word in turn)")
    caption_list = actions.add_parser("list", help="list the captions", description="List the captions, numbered.")
    caption_list.add_argument("project", metavar="PROJECT")
    caption_list.add_argument("--json", action="store_true", help="print them as JSON")
    caption_remove = actions.add_parser("remove", help="remove a caption", description="Remove caption N (see list).")
    caption_remove.add_argument("project", metavar="PROJECT")
    caption_remove.add_argument("index", type=values.whole(NUMBER), metavar="N")
