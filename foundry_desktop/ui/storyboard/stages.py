"""The storyboard's two stages, each sent only after a confirmation that says how many shots
it sends and what it costs in the backends' own units: "Make keyframes" (the chosen shots, or
every shot with no keyframe yet) and "Animate approved" (every shot whose keyframe is
approved and whose video is not current).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from foundry_desktop.app.generation.shot_generation import GenerationEstimate
from foundry_desktop.app.storyboard import cost_words, shots_to_animate, shots_to_keyframe
from foundry_desktop.ui.project_session import ProjectSession


@dataclass(frozen=True)
class Stage:
    title: str  # "Make keyframes"
    what: str  # "keyframe", "video": what one job makes
    shot_ids: list[str]
    estimate: Callable[[], Awaitable[GenerationEstimate]]
    send: Callable[[], None]


def keyframe_stage(session: ProjectSession, variants: int = 0) -> Stage:
    """`variants` more stills of each shot, each with a new seed, to choose from."""
    ids = shots_to_keyframe(session.service, session.selected)
    service, generation = session.service, session.generation
    return Stage("Make keyframes", "keyframe", ids,
                 lambda: generation.estimate(service, set(ids), variants, keyframes=True),
                 lambda: session.make_keyframes(set(ids), variants))


def animation_stage(session: ProjectSession) -> Stage:
    ids = shots_to_animate(session.service)
    service, generation = session.service, session.generation
    return Stage("Animate approved", "video", ids, lambda: generation.estimate(service, set(ids)),
                 lambda: session.generate(set(ids)))


def confirmation_text(stage: Stage, estimate: GenerationEstimate, numbers: dict[str, int]) -> str:
    """'Make keyframes for 3 shots (1, 4, 7): 3 keyframe jobs, free.' and what the budget stops."""
    count = len(stage.shot_ids)
    shots = ", ".join(str(numbers[i]) for i in stage.shot_ids if i in numbers)
    jobs = len(estimate.jobs)
    lines = [f"{stage.title} for {count} shot{'s' if count != 1 else ''} ({shots}).",
             f"{jobs} {stage.what} job{'s' if jobs != 1 else ''} to send; cost: "
             f"{cost_words(estimate.totals, estimate.unknown)}."]
    if estimate.reused:
        lines.append(f"{estimate.reused} shot{'s' if estimate.reused != 1 else ''} get a take made before back, free.")
    for shot, overrun in estimate.overruns:
        lines.append(f"Shot {shot} would not be sent: {overrun.words()}.")
    lines += estimate.unguarded_words()
    return "\n".join(lines)


class StageSender:
    """Asks for the stage's estimate, shows the confirmation, and sends the stage on Yes.
    The open confirmation is `box` (tests press its buttons)."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent
        self.box: QMessageBox | None = None

    def start(self, session: ProjectSession, stage: Stage) -> None:
        if not stage.shot_ids:
            session.notice.emit(_nothing_to_send(stage))
            return
        numbers = {shot.id: index for index, shot in enumerate(session.service.project.timeline.shots, start=1)}
        session.run(stage.title, stage.estimate(), lambda estimate: self._confirm(stage, estimate, numbers))

    def _confirm(self, stage: Stage, estimate: GenerationEstimate, numbers: dict[str, int]) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, stage.title, confirmation_text(stage, estimate, numbers),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.parent)
        box.button(QMessageBox.StandardButton.Yes).setText(stage.title)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        send = box.button(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(lambda button: stage.send() if button is send else None)
        box.finished.connect(lambda _: setattr(self, "box", None))
        self.box = box
        box.open()


def _nothing_to_send(stage: Stage) -> str:
    if stage.what == "video":
        return "No shot to animate: approve keyframes first (shots whose video is current are left as they are)."
    return "Every shot has keyframes; choose shots on the storyboard to make more of theirs."
