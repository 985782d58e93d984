"""The storyboard tab beside the timeline: the film as scene rows of shot cards, the two stages'
buttons over them with the board's counts, and the chosen shot's keyframe variants under them.

The selection is the open project's: choosing a card selects its shot on the timeline and in
the inspector, and a shot selected there is chosen here. Changes arrive as the session's
signals; one card's status or progress repaints that card alone.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter, QVBoxLayout, QWidget

from foundry_desktop.app.storyboard import Card, Storyboard, card_of, storyboard_of
from foundry_desktop.ui.project_session import ProjectSession
from foundry_desktop.ui.storyboard.grid import StoryboardGrid
from foundry_desktop.ui.storyboard.keyframe_pictures import KeyframePictures
from foundry_desktop.ui.storyboard.stages import Stage, StageSender, animation_stage, keyframe_stage
from foundry_desktop.ui.storyboard.variants import KeyframeVariants


class StoryboardPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self._connections: list = []
        self.pictures = KeyframePictures(self)
        self.grid = StoryboardGrid()
        self.grid.picture_of = self._picture
        self.grid.chosen.connect(self._choose)
        self.grid.open_requested.connect(self._open_variants)
        self.variants = KeyframeVariants(self.pictures)
        self.variants.tiles.left.connect(self.grid.setFocus)
        self.stages = StageSender(self)
        self.make_button = QPushButton("Make keyframes")
        self.make_button.setToolTip("Keyframe stills for the chosen shots, or for every shot without one")
        self.make_button.clicked.connect(lambda: self._send(lambda session: keyframe_stage(
            session, self.variants_box.value())))
        # As the takes panel's: how many more stills each shot gets beside its first, to choose from.
        self.variants_box = QSpinBox(minimum=0, maximum=8, specialValueText="none")
        self.variants_box.setToolTip("More keyframe stills of each shot, each with a new seed, to choose from")
        self.animate_button = QPushButton("Animate approved")
        self.animate_button.setToolTip("Video for every shot whose keyframe is approved and whose video is not current")
        self.animate_button.clicked.connect(lambda: self._send(animation_stage))
        self.counts = QLabel("")
        self.counts.setObjectName("storyboard-counts")
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 0)
        for widget in (self.make_button, QLabel("Variants"), self.variants_box, self.animate_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.counts, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.grid)
        split.addWidget(self.variants)
        split.setStretchFactor(0, 1)
        split.setCollapsible(0, False)
        self.variants.setMaximumHeight(self.variants.sizeHint().height())  # the grid gets the rest
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        # Edits come in bursts (a generation run announces each shot): one new board per burst.
        self._rebuild = QTimer(self, singleShot=True, interval=0)
        self._rebuild.timeout.connect(self.reload)
        self._stale = True  # the board shown is not the project's: built again when next shown
        self._on_screen = False
        self.pictures.ready.connect(self._picture_ready)
        self.set_session(None)

    def set_session(self, session: ProjectSession | None) -> None:
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self.session = session
        self.pictures.clear()
        self.grid.progress.clear()
        if session is not None:
            for signal, slot in ((session.changed, self._rebuild.start),
                                 (session.shot_status_changed, self._status_changed),
                                 (session.selection_changed, self._selected),
                                 (session.generation_progress, self._progress)):
                signal.connect(slot)
                self._connections.append((signal, slot))
        for button in (self.make_button, self.animate_button):
            button.setEnabled(session is not None)
        self.reload()
        self._selected(session.selected if session is not None else [])

    # -- what the board shows ------------------------------------------------------------------

    def reload(self) -> None:
        # Behind the timeline's tab nothing is built: a board of a thousand shots would cost every
        # edit there the statuses of all its shots. It is built when it is shown.
        self._stale = not self._on_screen
        if self._stale:
            return
        board = storyboard_of(self.session.service) if self.session is not None else Storyboard("", "", ())
        self.grid.show_board(board)
        self._count(board)
        self.variants.refresh()

    def on_screen(self, shown: bool) -> None:
        """Its tab came to the front (or its dock was shown), or went behind another: its dock's
        visibilityChanged (a tab behind another stays "visible" to Qt, so showEvent cannot tell)."""
        self._on_screen = shown
        if shown and self._stale:
            self.reload()
        if shown:  # the selection may have changed behind the tab (chosen on the timeline); once the
            # dock has its size for the tab (show_storyboard resizes it after), its card is brought into view
            QTimer.singleShot(0, self, self._reveal_selection)

    def _reveal_selection(self) -> None:
        if self.session is not None and self.session.selected and self._on_screen:
            self.grid.ensure_visible(self.session.selected[-1])

    def _count(self, board: Storyboard) -> None:
        cards = board.cards
        if not cards:
            self.counts.setText("No shots yet: plan the film or add shots, then make their keyframes here.")
            return
        approved = sum(card.keyframe_state == "approved" for card in cards)
        waiting = sum(card.keyframe_state == "variants" for card in cards)
        current = sum(card.video.kind == "current" for card in cards)
        self.counts.setText(f"{len(cards)} shots · keyframes: {approved} approved, {waiting} to approve, "
                            f"{len(cards) - approved - waiting} none · videos: {current} current")

    def _picture(self, card: Card):
        if self.session is None:
            return None
        return self.pictures.get(self.session, card.keyframe, card.keyframe_hash)

    def _picture_ready(self, content_hash: str) -> None:
        for placed in self.grid.placed:
            if placed.card.keyframe_hash == content_hash:
                self.grid.repaint_card(placed.card.shot_id)

    def _status_changed(self, shot_id: str) -> None:
        session = self.session
        shot = session.shot(shot_id) if session is not None else None
        if shot is None or self._stale:
            return
        card = card_of(session.service, shot, session.index_of(shot_id) + 1)
        if card.video.kind != "generating":
            self.grid.progress.pop(shot_id, None)  # done or stopped: no bar left behind
        self.grid.replace_card(card)

    def _progress(self, shot_id: str, job_id: str, fraction: float, message: str) -> None:
        self.grid.progress[shot_id] = max(0.0, min(1.0, fraction))
        self.grid.repaint_card(shot_id)

    # -- choosing and sending ------------------------------------------------------------------

    def _choose(self, shot_ids: list[str]) -> None:
        if self.session is not None:
            self.session.select(shot_ids)

    def _selected(self, shot_ids: list[str]) -> None:
        self.grid.show_selection(shot_ids)
        if shot_ids:
            self.grid.ensure_visible(shot_ids[-1])
        self.variants.show_shot(self.session, shot_ids[-1] if shot_ids else None)

    def _open_variants(self, shot_id: str) -> None:
        if self.session is not None:
            self.session.select([shot_id])
            self.variants.tiles.setFocus()
            if self.variants.tiles.count():
                self.variants.tiles.setCurrentRow(0)

    def _send(self, make_stage: Callable[[ProjectSession], Stage]) -> None:
        if self.session is not None:
            self.stages.start(self.session, make_stage(self.session))
