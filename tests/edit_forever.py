"""Child process for test_crash_safety: edits a project until it is killed.

Before each edit it prints the state the edit will lead to ("next ..."), after
the edit returns it prints the state again ("done ..."). The parent kills it
at a random instant and checks that the file holds one of those two states.
"""

import json
import random
import sys
from pathlib import Path

from foundry_desktop.app.project_service import ProjectService


def prompts(service: ProjectService) -> list[str]:
    return [s.spec.prompt for s in service.project.timeline.shots]


def say(kind: str, state: list[str]) -> None:
    print(kind, json.dumps(state), flush=True)


def main(path: str, seed: int) -> None:
    rng = random.Random(seed)
    service = ProjectService.open(Path(path))
    say("start", prompts(service))
    counter = 0
    while True:
        counter += 1
        state = prompts(service)
        name = f"s{seed}-{counter}"
        choice = rng.random()
        if choice < 0.4 or len(state) < 2:
            at = rng.randint(0, len(state))
            say("next", state[:at] + [name] + state[at:])
            service.add_shot(at=at, prompt=name, seed=counter, duration_frames=24)
        elif choice < 0.6:
            index = rng.randrange(len(state))
            say("next", state[:index] + [name] + state[index + 1 :])
            service.update_shot(index, prompt=name)
        elif choice < 0.75:
            source, destination = rng.randrange(len(state)), rng.randrange(len(state))
            moved = state.copy()
            moved.insert(destination, moved.pop(source))
            say("next", moved)
            service.move_shot(source, destination)
        elif choice < 0.9:
            say("next", state + [name + "a", name + "b"])
            with service.group("two shots"):
                service.add_shot(prompt=name + "a", seed=1, duration_frames=24)
                service.add_shot(prompt=name + "b", seed=2, duration_frames=24)
        else:
            index = rng.randrange(len(state))
            say("next", state[:index] + state[index + 1 :])
            service.remove_shot(index)
        say("done", prompts(service))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
