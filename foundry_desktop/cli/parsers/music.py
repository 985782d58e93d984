"""Options of `foundry music generate`: music made by a backend, placed on the music track."""

from __future__ import annotations

import argparse

from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import FILM_SECONDS, FILM_TIME_SECONDS, NUMBER, SEED, VARIANTS


def add_generate(actions: argparse._SubParsersAction) -> None:
    generate = actions.add_parser("generate", help="generate music with a backend", description=(
        "Generate music and put it on the music track, with its takes (see `foundry takes P music:N`). "
        "The built-in backend synthesises a quiet bed on this machine; replicate and comfyui run music "
        "models. Only what changed is generated: --clip N generates the Nth music clip again only if "
        "its prompt, length, backend, model or seed changed (or with --variants)."))
    generate.add_argument("project", metavar="PROJECT")
    generate.add_argument("--prompt", help="what the music should be like (required for new music)")
    generate.add_argument("--duration", default=None, metavar="auto|SECONDS", type=values.auto_or_seconds(FILM_SECONDS),
                          help="how long; auto is the film's length (new music's default; --clip keeps its own)")
    generate.add_argument("--backend", help="builtin (default), replicate, comfyui...")
    generate.add_argument("--model", help="the backend's model (Replicate: owner/name, e.g. meta/musicgen)")
    generate.add_argument("--workflow", help="the ComfyUI template (default: stable-audio-text-to-audio)")
    generate.add_argument("--seed", type=values.whole(SEED), help="random seed (default: a new random one)")
    generate.add_argument("--variants", type=values.whole(VARIANTS), default=0, metavar="N", help="N more takes, each with a new seed")
    generate.add_argument("--at", default="0", metavar="SECONDS", type=values.seconds(FILM_TIME_SECONDS), help="where in the film new music starts")
    generate.add_argument("--clip", type=values.whole(NUMBER), metavar="N", help="generate the Nth music clip again instead")
    generate.add_argument("--estimate", action="store_true", help="say what it would send and cost; change nothing")
    generate.add_argument("--json", action="store_true", help="print the result as JSON")
