"""The argument parser of `foundry`: commands, options and their help."""

from __future__ import annotations

import argparse

from foundry_desktop import __version__
from foundry_desktop.app.generation.api_keys import KEY_OWNERS
from foundry_desktop.app.generation.api_keys import PROVIDERS as API_PROVIDERS
from foundry_desktop.app.render.output_presets import OUTPUT_PRESETS
from foundry_desktop.cli import (
    assist_commands,
    captions_commands,
    mood_board_commands,
    plan_commands,
    self_test_commands,
    template_commands,
)
from foundry_desktop.domain.captions.styles import CAPTION_STYLES
from foundry_desktop.domain.cost import COST_UNITS


def _shot_spec_options(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("--prompt", help="what the shot should show (a title card's text)" + (" (required unless --media)" if adding else ""))
    parser.add_argument("--negative", dest="negative_prompt", help="what the shot should avoid")
    parser.add_argument(
        "--duration", dest="duration_seconds", metavar="SECONDS", help="length in seconds (default 3)" if adding else "length in seconds"
    )
    parser.add_argument("--backend", help="generation backend (default: builtin)" if adding else "generation backend")
    parser.add_argument("--model", help="model name, for backends that offer several")
    parser.add_argument("--workflow", help="the ComfyUI workflow template (see `foundry workflow list`)")
    parser.add_argument("--seed", type=int, help="random seed (default: a new random one)" if adding else "random seed")
    parser.add_argument("--image", metavar="FILE", help="input image (the built-in backend pans and zooms over it)")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="foundry",
        description="Foundry Desktop from the command line: lay out shots, generate them, render the film.",
    )
    parser.add_argument("--version", action="version", version=f"foundry {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser("demo", help="make the demo project and render it", description=(
        "Lay out a four-shot demo film, generate it with the built-in backend, render it "
        "to DIR/demo.mp4 and hand its cut over as DIR/demo.fcpxml, demo.edl and demo.otio. "
        "An earlier demo in DIR is replaced."
    ))
    demo.add_argument("--out", default="demo-output", metavar="DIR", help="output folder (default: demo-output)")
    demo.add_argument("--json", action="store_true", help="print the result as JSON")

    new = commands.add_parser("new", help="create an empty project", description="Create an empty project file.")
    new.add_argument("project", metavar="PROJECT", help="the .foundry file to create")
    new.add_argument("--size", default="1280x720", metavar="WxH", help="output size (default 1280x720)")
    new.add_argument("--fps", default="24", metavar="RATE", help="frame rate: 24, 25, 30000/1001, 29.97... (default 24)")
    new.add_argument("--name", help="project name (default: the file name)")

    info = commands.add_parser("info", help="show a project's format and shots", description=(
        "Show the project's format and each shot: index, id, prompt, backend, duration, status "
        "(with the reason when stale), selected take and number of takes."
    ))
    info.add_argument("project", metavar="PROJECT")
    info.add_argument("--json", action="store_true", help="print as JSON")

    shot = commands.add_parser("shot", help="add, change, move or remove shots", description="Edit the shots of a project. Shots are numbered from 1.")
    shot_commands = shot.add_subparsers(dest="shot_command", metavar="ACTION", required=True)
    add = shot_commands.add_parser("add", help="add a shot", description="Add a shot (at the end unless --at).")
    add.add_argument("project", metavar="PROJECT")
    _shot_spec_options(add, adding=True)
    add.add_argument("--at", type=int, metavar="INDEX", help="put the new shot at this position (1 = first)")
    add.add_argument("--media", metavar="FILE", help="use this clip or still as the shot, as it is (no generation)")
    add.add_argument("--in", dest="source_in", metavar="SECONDS", help="with --media: start this far into the clip")
    add.add_argument("--out", dest="source_out", metavar="SECONDS", help="with --media: end this far into the clip")
    add.add_argument("--json", action="store_true", help="print the new shot as JSON")

    set_ = shot_commands.add_parser("set", help="change a shot", description="Change a shot's generation settings.")
    set_.add_argument("project", metavar="PROJECT")
    set_.add_argument("index", type=int, metavar="INDEX", help="the shot's number (1 = first)")
    _shot_spec_options(set_, adding=False)
    set_.add_argument("--no-image", action="store_true", help="stop using an input image")
    set_.add_argument("--fit", choices=["fit", "fill"], help="fit: whole picture with bars; fill: cover the frame, crop")
    set_.add_argument("--gain", type=float, metavar="DB", help="gain of the shot's own sound, in dB")
    sound = set_.add_mutually_exclusive_group()
    sound.add_argument("--mute", dest="muted", action="store_const", const=True, help="silence the shot's own sound")
    sound.add_argument("--unmute", dest="muted", action="store_const", const=False, help="play the shot's own sound")

    move = shot_commands.add_parser("move", help="move a shot", description="Move the shot at FROM so that it becomes shot TO.")
    move.add_argument("project", metavar="PROJECT")
    move.add_argument("source", type=int, metavar="FROM")
    move.add_argument("destination", type=int, metavar="TO")

    remove = shot_commands.add_parser("remove", help="remove a shot", description="Remove a shot (its takes are kept, so undo brings it back whole).")
    remove.add_argument("project", metavar="PROJECT")
    remove.add_argument("index", type=int, metavar="INDEX")

    transition = commands.add_parser("transition", help="set the transition between two shots", description=(
        "Set the transition from shot INDEX into the next one. It is centred on the cut and uses media "
        "beyond the shots' ends where the takes have it; where they do not, the shots are shortened to make room."
    ))
    transition_commands = transition.add_subparsers(dest="transition_command", metavar="ACTION", required=True)
    set_transition = transition_commands.add_parser("set", help="set a transition", description="Set the transition after shot INDEX.")
    set_transition.add_argument("project", metavar="PROJECT")
    set_transition.add_argument("index", type=int, metavar="INDEX", help="the shot the transition leaves (1 = first)")
    set_transition.add_argument("kind", choices=["cut", "dissolve", "fade-black", "fade-white"], metavar="KIND",
                                help="cut, dissolve, fade-black or fade-white")
    set_transition.add_argument("--duration", metavar="SECONDS", help="how long it lasts (default 1 second; none for a cut)")

    fade = commands.add_parser("fade", help="fade the film in and out", description=(
        "Fade the film in from black at its start and out to black at its end (0 for none)."
    ))
    fade.add_argument("project", metavar="PROJECT")
    fade.add_argument("--in", dest="fade_in", metavar="SECONDS", help="fade in over this long")
    fade.add_argument("--out", dest="fade_out", metavar="SECONDS", help="fade out over this long")

    music = commands.add_parser("music", help="put music on the film", description="Edit the music track.")
    music_commands = music.add_subparsers(dest="music_command", metavar="ACTION", required=True)
    music_add = music_commands.add_parser("add", help="add a sound file", description=(
        "Add a sound file to the music track. It plays from --at (seconds into the film), at --gain dB, "
        "with fades; --loop repeats a short bed until the film ends."
    ))
    music_add.add_argument("project", metavar="PROJECT")
    music_add.add_argument("file", metavar="FILE", help="a sound file (WAV, MP3, AAC, FLAC, Opus...) or a video with sound")
    music_add.add_argument("--at", default="0", metavar="SECONDS", help="where in the film it starts (default 0)")
    music_add.add_argument("--gain", type=float, default=0.0, metavar="DB", help="gain in dB (default 0)")
    music_add.add_argument("--fade-in", default="0", metavar="SECONDS", help="fade in over this long")
    music_add.add_argument("--fade-out", default="0", metavar="SECONDS", help="fade out over this long")
    music_add.add_argument("--loop", action="store_true", help="repeat it until the film ends")

    caption = commands.add_parser("caption", help="caption the film", description="Edit the caption track.")
    caption_commands = caption.add_subparsers(dest="caption_command", metavar="ACTION", required=True)
    caption_add = caption_commands.add_parser("add", help="add a caption", description=(
        "Add a caption, burnt into the render and written to the .srt and .vtt beside it."
    ))
    caption_add.add_argument("project", metavar="PROJECT")
    caption_add.add_argument("--start", required=True, metavar="SECONDS", help="when it appears, in the film")
    caption_add.add_argument("--end", required=True, metavar="SECONDS", help="when it goes")
    caption_add.add_argument("--text", required=True, help="what it says")
    caption_add.add_argument("--style", default="subtitle", choices=list(CAPTION_STYLES),
                             help="how it looks (default subtitle; social highlights each word in turn)")
    caption_list = caption_commands.add_parser("list", help="list the captions", description="List the captions, numbered.")
    caption_list.add_argument("project", metavar="PROJECT")
    caption_list.add_argument("--json", action="store_true", help="print them as JSON")
    caption_remove = caption_commands.add_parser("remove", help="remove a caption", description="Remove caption N (see list).")
    caption_remove.add_argument("project", metavar="PROJECT")
    caption_remove.add_argument("index", type=int, metavar="N")

    for verb, text in (("undo", "undo the last edit"), ("redo", "redo the last undone edit")):
        travel = commands.add_parser(verb, help=text, description=f"{text.capitalize()}. The history is kept in the project, so this works after a restart.")
        travel.add_argument("project", metavar="PROJECT")
        travel.add_argument("--json", action="store_true", help="print the result as JSON")

    generate = commands.add_parser("generate", help="generate the shots that are not current", description=(
        "Generate every shot that is not current. A shot whose settings match an existing take "
        "gets that take back without generating."
    ))
    generate.add_argument("project", metavar="PROJECT")
    generate.add_argument("--shot", dest="shots", type=int, action="append", metavar="INDEX",
                          help="only this shot (repeatable)")
    generate.add_argument("--variants", type=int, default=0, metavar="N",
                          help="also make N more takes of each (chosen) shot, each with a new seed")
    generate.add_argument("--priority", type=int, default=0, metavar="N",
                          help="start these jobs before others of lower priority (default 0)")
    generate.add_argument("--estimate", action="store_true",
                          help="say what it would generate and what that would cost; generate nothing")
    generate.add_argument("--json", action="store_true", help='print {"generated": N, "reused": N, "failed": N}')

    takes = commands.add_parser("takes", help="a shot's takes", description="List a shot's takes with where they came from.")
    takes.add_argument("project", metavar="PROJECT")
    takes.add_argument("index", type=int, metavar="INDEX")
    takes.add_argument("--json", action="store_true")
    take = commands.add_parser("take", help="choose a shot's take", description="Choose which take a shot shows.")
    take_commands = take.add_subparsers(dest="take_command", metavar="ACTION", required=True)
    take_select = take_commands.add_parser("select", help="show this take in the shot (undoable)")
    take_select.add_argument("project", metavar="PROJECT")
    take_select.add_argument("index", type=int, metavar="INDEX")
    take_select.add_argument("take", metavar="TAKE", help="its number in `foundry takes`, or its id")

    jobs = commands.add_parser("jobs", help="the project's generation jobs", description=(
        "The project's generation jobs: what each asked of which backend, where it runs, how far it got."
    ))
    jobs.add_argument("project", metavar="PROJECT")
    jobs.add_argument("--all", action="store_true", help="finished ones too")
    jobs.add_argument("--json", action="store_true")
    cancel = commands.add_parser("cancel", help="cancel generation jobs", description=(
        "Cancel one job (by the id `foundry jobs` shows) or all unfinished ones, on the server too."
    ))
    cancel.add_argument("project", metavar="PROJECT")
    cancel.add_argument("job", metavar="JOB", nargs="?")
    retry = commands.add_parser("retry", help="send failed jobs again", description=(
        "Send one failed job (by the id `foundry jobs --all` shows) or every failed one again, with the "
        "same settings and seed, where its shot still asks for that take."
    ))
    retry.add_argument("project", metavar="PROJECT")
    retry.add_argument("job", metavar="JOB", nargs="?")
    retry.add_argument("--json", action="store_true", help='print {"generated": N, "reused": N, "failed": N}')

    cost = commands.add_parser("cost", help="what generating has cost, per shot and in all", description=(
        "What the project's finished generations cost, per shot and in all, in each service's own unit "
        "(Runway and Stability credits, Replicate seconds, seconds of video, ComfyUI GPU seconds), "
        "against the project's budget."
    ))
    cost.add_argument("project", metavar="PROJECT")
    cost.add_argument("--json", action="store_true")
    budget = commands.add_parser("budget", help="cap what the project may spend", description=(
        "Cap what generating may spend in one unit. A shot that would go beyond the cap is not sent, "
        "and says why. Units: " + ", ".join(f"{unit} ({words})" for unit, words in COST_UNITS.items()) + "."
    ))
    budget_commands = budget.add_subparsers(dest="budget_command", metavar="ACTION", required=True)
    budget_set = budget_commands.add_parser("set", help="cap spending in a unit")
    budget_set.add_argument("project", metavar="PROJECT")
    budget_set.add_argument("unit", choices=list(COST_UNITS), metavar="UNIT")
    budget_set.add_argument("amount", type=float, metavar="AMOUNT")
    budget_remove = budget_commands.add_parser("remove", help="lift the cap of a unit")
    budget_remove.add_argument("project", metavar="PROJECT")
    budget_remove.add_argument("unit", choices=list(COST_UNITS), metavar="UNIT")

    render = commands.add_parser("render", help="render the film to a video file", description=(
        "Render the timeline's selected takes into one film: H.264/AAC MP4 at the project's size unless "
        "a preset says otherwise. The container follows the file name (.mp4, .mov, .webm, .mkv). "
        "Presets: " + "; ".join(f"{p.name}: {p.label}" for p in OUTPUT_PRESETS.values()) + "."
    ))
    render.add_argument("project", metavar="PROJECT")
    render.add_argument("-o", "--output", required=True, metavar="FILE", help="the film to write (.mp4, .mov, .webm, .mkv)")
    render.add_argument("--preset", choices=list(OUTPUT_PRESETS), metavar="NAME",
                        help="size and codec: " + ", ".join(OUTPUT_PRESETS))
    render.add_argument("--encoder", default="auto", metavar="NAME",
                        help="auto (default: the fastest that works here) or an encoder `foundry doctor` lists as working")
    quality = render.add_mutually_exclusive_group()
    quality.add_argument("--crf", type=int, metavar="N", help="constant quality, lower is better (H.264 default 20)")
    quality.add_argument("--bitrate", type=int, metavar="KBPS", help="average video bitrate in kb/s instead")
    render.add_argument("--json", action="store_true", help="print the rendered film and what the render did as JSON")
    render.add_argument("--loudness", type=float, default=-14.0, metavar="LUFS",
                        help="integrated loudness to normalise the mix to (default -14, as streaming services play)")
    render.add_argument("--true-peak", type=float, default=-1.0, metavar="DBTP",
                        help="ceiling for the mix's true peak (default -1)")
    render.add_argument("--no-normalise", action="store_true", help="leave the mix as it is")

    export = commands.add_parser("export", help="hand the cut to Final Cut, Resolve or Premiere", description=(
        "Write the cut (shots, trims, transitions, fades, music, markers, captions) as FCPXML (Final Cut Pro, "
        "DaVinci Resolve), a CMX 3600 EDL (Premiere, Avid, Resolve; the music goes into NAME.music.edl beside it) "
        "or OpenTimelineIO, by the file's extension. It describes exactly the film `render` makes."
    ))
    export.add_argument("project", metavar="PROJECT")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write (.fcpxml, .edl, .otio)")
    export.add_argument("--fcpxml-version", default="1.10", choices=["1.9", "1.10"],
                        help="1.10 (default: Final Cut 10.6+, Resolve 18.5+) or 1.9 (Final Cut 10.4.9-10.5)")
    export.add_argument("--drop-frame", action="store_true", help="drop-frame timecode (29.97 and 59.94 fps only)")
    export.add_argument("--json", action="store_true", help="print the files written and any notes as JSON")

    import_ = commands.add_parser("import", help="make a project from a cut made elsewhere", description=(
        "Make a new project from an FCPXML (1.8-1.11), CMX 3600 EDL or OTIO file: each clip becomes a shot "
        "with the clip's media as its take, trimmed as the cut trims it. A clip whose media is missing becomes "
        "a shot to generate. What cannot be represented (multicam, speed changes, effects) is listed."
    ))
    import_.add_argument("file", metavar="FILE", help="the cut to read (.fcpxml, .fcpxmld, .edl, .otio)")
    import_.add_argument("-o", "--output", required=True, metavar="PROJECT", help="the new project (.foundry)")
    import_.add_argument("--rate", metavar="RATE",
                         help="the frame rate an EDL was cut at (an EDL does not say): 23.976, 24, 25, 29.97...")
    import_.add_argument("--json", action="store_true", help="print the result as JSON")

    assist_commands.add_parsers(commands)
    self_test_commands.add_parsers(commands)
    template_commands.add_parsers(commands)
    captions_commands.add_parsers(commands)
    plan_commands.add_parsers(commands)
    mood_board_commands.add_parsers(commands)

    server = commands.add_parser("server", help="the ComfyUI servers of this machine", description=(
        "The ComfyUI servers this machine generates on. Each job goes to a server that is up and has the "
        "workflow's nodes and models, and has the shortest queue."
    ))
    server_commands = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    server_add = server_commands.add_parser("add", help="add a server", description="Add a ComfyUI server.")
    server_add.add_argument("name", metavar="NAME", help="what to call it (gpu-1, studio...)")
    server_add.add_argument("url", metavar="URL", help="its address, e.g. http://192.168.1.20:8188")
    server_add.add_argument("--max-queued", type=int, default=2, metavar="N", help=(
        "prompts of ours it holds at once (default 2: the next waits there, so the GPU never idles between them)"))
    server_add.add_argument("--disabled", action="store_true", help="add it switched off")
    server_commands.add_parser("list", help="list the servers").add_argument("--json", action="store_true")
    server_remove = server_commands.add_parser("remove", help="remove a server")
    server_remove.add_argument("name", metavar="NAME")
    server_check = server_commands.add_parser("check", help="ask each server how it is", description=(
        "Ask each server (or one) whether it is up, its GPU and memory, and its queue."
    ))
    server_check.add_argument("name", metavar="NAME", nargs="?")
    server_check.add_argument("--json", action="store_true")

    workflow = commands.add_parser("workflow", help="ComfyUI workflow templates", description=(
        "The ComfyUI workflows shots can use: built-in templates and imported ones."
    ))
    workflow_commands = workflow.add_subparsers(dest="workflow_command", metavar="ACTION", required=True)
    workflow_commands.add_parser("list", help="list the workflows").add_argument("--json", action="store_true")
    workflow_show = workflow_commands.add_parser("show", help="what a workflow needs and what it fills in")
    workflow_show.add_argument("name", metavar="NAME")
    workflow_add = workflow_commands.add_parser("add", help="import a workflow", description=(
        "Import a workflow exported from ComfyUI with Save (API Format); tag node titles like "
        "'Prompt (Input:prompt)' so Foundry knows where the prompt, seed and size go."
    ))
    workflow_add.add_argument("file", metavar="FILE")
    workflow_add.add_argument("--name", help="what to call it (default: from the file name)")
    workflow_add.add_argument("--category", help="where to list it")
    workflow_check = workflow_commands.add_parser("check", help="which servers can run a workflow")
    workflow_check.add_argument("name", metavar="NAME")
    workflow_favourite = workflow_commands.add_parser("favourite", help="mark a workflow as a favourite (or --off)")
    workflow_favourite.add_argument("name", metavar="NAME")
    workflow_favourite.add_argument("--off", action="store_true", help="no longer a favourite")
    workflow_category = workflow_commands.add_parser("category", help="list a workflow under another category")
    workflow_category.add_argument("name", metavar="NAME")
    workflow_category.add_argument("category", metavar="CATEGORY", nargs="?",
                                   help="the category (left out: back to the workflow's own)")
    workflow_remove = workflow_commands.add_parser("remove", help="remove an imported workflow")
    workflow_remove.add_argument("name", metavar="NAME")

    key = commands.add_parser("key", help="cloud API keys (kept in the system's password store)", description=(
        "Keep a cloud service's API key in the operating system's password store (never in a project). "
        "Without a password store, set FOUNDRY_<SERVICE>_API_KEY in the environment instead."
    ))
    key_commands = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_set = key_commands.add_parser("set", help="store a key (asked for, or read from standard input)")
    key_set.add_argument("provider", choices=KEY_OWNERS, metavar="SERVICE",
                         help=", ".join(KEY_OWNERS) + " (assist: the language model of `foundry assist`)")
    key_set.add_argument("--stdin", action="store_true", help="read the key from standard input")
    key_remove = key_commands.add_parser("remove", help="forget a key")
    key_remove.add_argument("provider", choices=KEY_OWNERS, metavar="SERVICE")
    key_commands.add_parser("list", help="which services have a key (the keys are never shown)")

    cloud = commands.add_parser("cloud", help="cloud services' addresses and default models", description=(
        "Where a cloud service is and which model a shot gets when it names none. An OpenAI-compatible "
        "videos gateway is used only once its --base-url is set."
    ))
    cloud_commands = cloud.add_subparsers(dest="cloud_command", metavar="ACTION", required=True)
    cloud_set = cloud_commands.add_parser("set", help="set a service's address or default model")
    cloud_set.add_argument("provider", choices=API_PROVIDERS, metavar="SERVICE")
    cloud_set.add_argument("--base-url", metavar="URL")
    cloud_set.add_argument("--model", metavar="NAME")
    cloud_set.add_argument("--poll-seconds", type=float, metavar="S",
                           help="how long to wait before reading a task's status again, at first (default 5)")
    cloud_set.add_argument("--timeout-minutes", type=float, metavar="M",
                           help="how long a task may take before Foundry gives up on it (default 30)")
    cloud_commands.add_parser("list", help="the services and how they are set up")

    doctor = commands.add_parser("doctor", help="show what this machine can do", description=(
        "List the video encoders this machine really has (each is tried on one frame; the answers are "
        "remembered), which `--encoder auto` picks for each codec, and the versions of the media libraries."
    ))
    doctor.add_argument("--refresh", action="store_true", help="try every encoder again (after a driver change)")
    doctor.add_argument("--json", action="store_true", help="print the findings as JSON")
    return parser
