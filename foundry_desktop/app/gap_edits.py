"""The service's edits of empty time on the video track: lifting a shot out (its
time stays empty), closing or opening a gap, moving a shot into empty time, and
trimming a shot's ends in place (the gap next to it takes up the difference).
Deleting a shot so that the rest closes up (ripple delete) is ShotEdits.remove_shot.
"""

from __future__ import annotations

from collections.abc import Callable

from foundry_desktop.app.edit_base import EditBase
from foundry_desktop.domain import timeline_gaps
from foundry_desktop.domain.cut_plan import CutPlan


class GapEdits(EditBase):
    """Shots are addressed by their index on the timeline (from 0); each edit is one undo step."""

    cut_plan: Callable[[], CutPlan]  # the service's: positions are where the cut plays each shot

    def _placed_lengths(self) -> list[int]:
        return [placed.frames for placed in self.cut_plan().shots]

    def lift_shot(self, index: int) -> None:
        """Take the shot out and leave its time empty: nothing after it moves."""
        self.shot_at(index)
        lengths = self._placed_lengths()
        self._edit(
            f"Lift shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_gaps.lift_shot(timeline, index, lengths)),
        )

    def close_gap(self, index: int) -> None:
        """Remove the empty time before shot `index`; it and the shots after it move up."""
        self.shot_at(index)
        self._edit(
            f"Close the gap before shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_gaps.close_gap(timeline, index)),
        )

    def insert_gap(self, index: int, frames: int) -> None:
        """Open `frames` of empty time before shot `index`; it and the shots after it move later."""
        self.shot_at(index)
        self._edit(
            f"Insert empty time before shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_gaps.insert_gap(timeline, index, frames)),
        )

    def move_shot_to_frame(self, index: int, frame: int) -> None:
        """Move the shot into empty time, starting at film frame `frame` (after the film's end: a gap opens)."""
        self.shot_at(index)
        lengths = self._placed_lengths()
        self._edit(
            f"Move shot {index + 1} into empty time",
            self._with_timeline(lambda timeline: timeline_gaps.move_shot_to_frame(timeline, index, frame, lengths)),
        )

    def trim_start_in_place(self, index: int, trim_in: int) -> None:
        """Start the shot at take frame `trim_in`, its end where it is: the gap before it takes up the difference."""
        self.shot_at(index)
        self._edit(
            f"Trim shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_gaps.trim_start_in_place(timeline, index, trim_in)),
        )

    def trim_end_in_place(self, index: int, trim_out: int) -> None:
        """End the shot at take frame `trim_out`, the next shot where it is: the gap between takes up the difference."""
        self.shot_at(index)
        self._edit(
            f"Trim shot {index + 1}",
            self._with_timeline(lambda timeline: timeline_gaps.trim_end_in_place(timeline, index, trim_out)),
        )

    def gaps(self) -> list[tuple[int, int]]:
        """(first frame, frames) of the empty time before each shot, as the cut plays it."""
        return timeline_gaps.gap_starts(self.project.timeline, self._placed_lengths())
