"""Options of the generation commands: generate, takes, take, jobs, cancel, retry, cost and budget."""

from __future__ import annotations

from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import BUDGET, NUMBER, PRIORITY, VARIANTS
from foundry_desktop.domain.cost import COST_UNITS


def generate(commands: Commands, name: str, summary: str) -> None:
    generate = commands.add_parser(name, help=summary, description=(
        "Generate every shot that is not current. A shot whose settings match an existing take "
        "gets that take back without generating."
    ))
    generate.add_argument("project", metavar="PROJECT")
    generate.add_argument("--shot", dest="shots", type=values.whole(NUMBER), action="append", metavar="INDEX",
                          help="only this shot (repeatable)")
    generate.add_argument("--variants", type=values.whole(VARIANTS), default=0, metavar="N",
                          help="also make N more takes of each (chosen) shot, each with a new seed")
    generate.add_argument("--priority", type=values.whole(PRIORITY), default=0, metavar="N",
                          help="start these jobs before others of lower priority (default 0)")
    generate.add_argument("--estimate", action="store_true",
                          help="say what it would generate and what that would cost; generate nothing")
    generate.add_argument("--json", action="store_true", help='print {"generated": N, "reused": N, "failed": N}')


def takes(commands: Commands, name: str, summary: str) -> None:
    takes = commands.add_parser(name, help=summary, description=(
        "List a shot's takes (or a generated music clip's, as music:N) with where they came from."))
    takes.add_argument("project", metavar="PROJECT")
    takes.add_argument("index", metavar="INDEX", help="the shot's number, or music:N for the Nth music clip")
    takes.add_argument("--json", action="store_true")


def take(commands: Commands, name: str, summary: str) -> None:
    take = commands.add_parser(name, help=summary, description=(
        "Choose which take a shot shows, or which a generated music clip (music:N) plays."))
    actions = take.add_subparsers(dest="take_command", metavar="ACTION", required=True)
    take_select = actions.add_parser("select", help="show this take in the shot (undoable)")
    take_select.add_argument("project", metavar="PROJECT")
    take_select.add_argument("index", metavar="INDEX", help="the shot's number, or music:N for the Nth music clip")
    take_select.add_argument("take", metavar="TAKE", help="its number in `foundry takes`, or its id")


def jobs(commands: Commands, name: str, summary: str) -> None:
    jobs = commands.add_parser(name, help=summary, description=(
        "The project's generation jobs: what each asked of which backend, where it runs, how far it got."
    ))
    jobs.add_argument("project", metavar="PROJECT")
    jobs.add_argument("--all", action="store_true", help="finished ones too")
    jobs.add_argument("--json", action="store_true")


def cancel(commands: Commands, name: str, summary: str) -> None:
    cancel = commands.add_parser(name, help=summary, description=(
        "Cancel one job (by the id `foundry jobs` shows) or all unfinished ones, on the server too."
    ))
    cancel.add_argument("project", metavar="PROJECT")
    cancel.add_argument("job", metavar="JOB", nargs="?")


def retry(commands: Commands, name: str, summary: str) -> None:
    retry = commands.add_parser(name, help=summary, description=(
        "Send one failed job (by the id `foundry jobs --all` shows) or every failed one again, with the "
        "same settings and seed, where its shot still asks for that take."
    ))
    retry.add_argument("project", metavar="PROJECT")
    retry.add_argument("job", metavar="JOB", nargs="?")
    retry.add_argument("--json", action="store_true", help='print {"generated": N, "reused": N, "failed": N}')


def cost(commands: Commands, name: str, summary: str) -> None:
    cost = commands.add_parser(name, help=summary, description=(
        "What the project's finished generations cost, per shot and in all, in each service's own unit "
        "(Runway and Stability credits, Replicate seconds, seconds of video, ComfyUI GPU seconds), "
        "against the project's budget."
    ))
    cost.add_argument("project", metavar="PROJECT")
    cost.add_argument("--json", action="store_true")


def budget(commands: Commands, name: str, summary: str) -> None:
    budget = commands.add_parser(name, help=summary, description=(
        "Cap what generating may spend in one unit. A shot that would go beyond the cap is not sent, "
        "and says why. Units: " + ", ".join(f"{unit} ({words})" for unit, words in COST_UNITS.items()) + "."
    ))
    actions = budget.add_subparsers(dest="budget_command", metavar="ACTION", required=True)
    budget_set = actions.add_parser("set", help="cap spending in a unit")
    budget_set.add_argument("project", metavar="PROJECT")
    budget_set.add_argument("unit", choices=list(COST_UNITS), metavar="UNIT")
    budget_set.add_argument("amount", type=values.number(BUDGET), metavar="AMOUNT")
    budget_remove = actions.add_parser("remove", help="lift the cap of a unit")
    budget_remove.add_argument("project", metavar="PROJECT")
    budget_remove.add_argument("unit", choices=list(COST_UNITS), metavar="UNIT")
