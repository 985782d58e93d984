"""Options of the commands about this machine: server, workflow, key, cloud, doctor and self-test."""

from __future__ import annotations

from foundry_desktop.app.generation.api_keys import KEY_OWNERS
from foundry_desktop.app.generation.api_keys import PROVIDERS as API_PROVIDERS
from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import MAX_QUEUED, POLL_SECONDS, TIMEOUT_MINUTES


def server(commands: Commands, name: str, summary: str) -> None:
    server = commands.add_parser(name, help=summary, description=(
        "The ComfyUI servers this machine generates on. Each job goes to a server that is up and has the "
        "workflow's nodes and models, and has the shortest queue."
    ))
    actions = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    server_add = actions.add_parser("add", help="add a server", description="Add a ComfyUI server.")
    server_add.add_argument("name", metavar="NAME", help="what to call it (gpu-1, studio...)")
    server_add.add_argument("url", metavar="URL", help="its address, e.g. http://192.168.1.20:8188")
    server_add.add_argument("--max-queued", type=values.whole(MAX_QUEUED), default=2, metavar="N", help=(
        "prompts of ours it holds at once (default 2: the next waits there, so the GPU never idles between them)"))
    server_add.add_argument("--disabled", action="store_true", help="add it switched off")
    actions.add_parser("list", help="list the servers").add_argument("--json", action="store_true")
    server_remove = actions.add_parser("remove", help="remove a server")
    server_remove.add_argument("name", metavar="NAME")
    server_check = actions.add_parser("check", help="ask each server how it is", description=(
        "Ask each server (or one) whether it is up, its GPU and memory, and its queue."
    ))
    server_check.add_argument("name", metavar="NAME", nargs="?")
    server_check.add_argument("--json", action="store_true")


def workflow(commands: Commands, name: str, summary: str) -> None:
    workflow = commands.add_parser(name, help=summary, description=(
        "The ComfyUI workflows shots can use: built-in templates and imported ones."
    ))
    actions = workflow.add_subparsers(dest="workflow_command", metavar="ACTION", required=True)
    actions.add_parser("list", help="list the workflows").add_argument("--json", action="store_true")
    workflow_show = actions.add_parser("show", help="what a workflow needs and what it fills in")
    workflow_show.add_argument("name", metavar="NAME")
    workflow_add = actions.add_parser("add", help="import a workflow", description=(
        "Import a workflow exported from ComfyUI with Save (API Format); tag node titles like "
        "'Prompt (Input:prompt)' so Foundry knows where the prompt, seed and size go."
    ))
    workflow_add.add_argument("file", metavar="FILE", type=values.existing_file)
    workflow_add.add_argument("--name", help="what to call it (default: from the file name)")
    workflow_add.add_argument("--category", help="where to list it")
    workflow_check = actions.add_parser("check", help="which servers can run a workflow")
    workflow_check.add_argument("name", metavar="NAME")
    workflow_favourite = actions.add_parser("favourite", help="mark a workflow as a favourite (or --off)")
    workflow_favourite.add_argument("name", metavar="NAME")
    workflow_favourite.add_argument("--off", action="store_true", help="no longer a favourite")
    workflow_category = actions.add_parser("category", help="list a workflow under another category")
    workflow_category.add_argument("name", metavar="NAME")
    workflow_category.add_argument("category", metavar="CATEGORY", nargs="?",
                                   help="the category (left out: back to the workflow's own)")
    workflow_remove = actions.add_parser("remove", help="remove an imported workflow")
    workflow_remove.add_argument("name", metavar="NAME")


def key(commands: Commands, name: str, summary: str) -> None:
    key = commands.add_parser(name, help=summary, description=(
        "Keep a cloud service's API key in the operating system's password store (never in a project). "
        "Without a password store, set FOUNDRY_<SERVICE>_API_KEY in the environment instead."
    ))
    actions = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_set = actions.add_parser("set", help="store a key (asked for, or read from standard input)")
    key_set.add_argument("provider", choices=KEY_OWNERS, metavar="SERVICE",
                         help=", ".join(KEY_OWNERS) + " (assist: the language model of `foundry assist`)")
    key_set.add_argument("--stdin", action="store_true", help="read the key from standard input")
    key_remove = actions.add_parser("remove", help="forget a key")
    key_remove.add_argument("provider", choices=KEY_OWNERS, metavar="SERVICE")
    actions.add_parser("list", help="which services have a key (the keys are never shown)")


def cloud(commands: Commands, name: str, summary: str) -> None:
    cloud = commands.add_parser(name, help=summary, description=(
        "Where a cloud service is and which model a shot gets when it names none. An OpenAI-compatible "
        "videos gateway is used only once its --base-url is set."
    ))
    actions = cloud.add_subparsers(dest="cloud_command", metavar="ACTION", required=True)
    cloud_set = actions.add_parser("set", help="set a service's address or default model")
    cloud_set.add_argument("provider", choices=API_PROVIDERS, metavar="SERVICE")
    cloud_set.add_argument("--base-url", metavar="URL", help="https:// (plain http:// only to this machine, "
                                                          "unless --allow-insecure)")
    cloud_set.add_argument("--allow-insecure", action="store_true",
                           help="accept a plain http:// address to another machine (the key crosses unencrypted)")
    cloud_set.add_argument("--model", metavar="NAME")
    cloud_set.add_argument("--poll-seconds", type=values.number(POLL_SECONDS), metavar="S",
                           help="how long to wait before reading a task's status again, at first (default 5)")
    cloud_set.add_argument("--timeout-minutes", type=values.number(TIMEOUT_MINUTES), metavar="M",
                           help="how long a task may take before Foundry gives up on it (default 30)")
    cloud_list = actions.add_parser("list", help="the services, how they are set up, and each one's models with "
                                                 "what they accept and cost")
    cloud_list.add_argument("--provider", metavar="SERVICE", help="only this service")
    transfers = actions.add_parser("transfers", help="how long a download or upload of a take may take")
    transfers.add_argument("--deadline-minutes", type=float, metavar="M",
                           help="one download or upload in all (default 60)")
    transfers.add_argument("--stall-seconds", type=float, metavar="S",
                           help="without a byte moving, before it is given up (default 120)")


def doctor(commands: Commands, name: str, summary: str) -> None:
    doctor = commands.add_parser(name, help=summary, description=(
        "List the video encoders this machine really has (each is tried on one frame; the answers are "
        "remembered), which `--encoder auto` picks for each codec, and the versions of the media libraries."
    ))
    doctor.add_argument("--refresh", action="store_true", help="try every encoder again (after a driver change)")
    doctor.add_argument("--json", action="store_true", help="print the findings as JSON")


def self_test(commands: Commands, name: str, summary: str) -> None:
    commands.add_parser(name, help=summary, description=(
        "Make a small project in a temporary folder, generate it with the built-in backend, render a few seconds, "
        "play them through the desktop program's media player, export FCPXML/EDL/OTIO and try the encoders; "
        "one line per check, and a non-zero exit status if any fails. Needs no display."
    ))
