"""How this process is named to others that find a project's lock held ("foundry generate
(process 1234)"), so a refusal can say who to wait for. Light: the CLI sets it before it
imports the heavy libraries its commands use."""

from __future__ import annotations

from foundry_desktop.store import project_lock


def name_this_process(words: str) -> None:
    project_lock.holder_name = words
