"""The picture of an EDL: its video events as Foundry's clips and centred transitions.

The rules (dissolves, fades, black and gaps) are in reader.py's docstring.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from foundry_desktop.interchange.edl.edit_events import EditEvent, EdlParser, EventLine, note_lengths
from foundry_desktop.interchange.edl.media_finder import MediaFinder
from foundry_desktop.interchange.film_cut import CutClip, CutTransition, CutTransitionKind, frames_before_cut
from foundry_desktop.interchange.smpte_timecode import drop_frame_possible

STILL_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})


@dataclass
class _Piece:
    """A run of the video track: an event's incoming source over its record time, or a gap."""

    record_in: int
    record_out: int
    source_in: int
    black: bool
    name: str
    file_name: str
    media: Path | None
    has_audio: bool = False
    dissolve_in: int = 0  # frames of dissolve from what comes before
    dissolve_from_black: bool = False
    white: bool = False  # Foundry's comment: a fade through white shown through black
    start_shift: int = 0  # where Foundry's clip starts, from record_in (a centred transition's half)
    end_shift: int = 0
    scene: str = ""  # Foundry's comment: the scene the shot is in
    reel: str = ""  # the source's reel, a conform key ("" for black and AX, which name none)
    source_drop_frame: bool | None = None  # whether its source timecode counts in drop frame (None: as the record)

    @property
    def frames(self) -> int:
        return self.record_out - self.record_in


class PictureBuilder:
    def __init__(self, parser: EdlParser, media: MediaFinder, events: list[EditEvent], sound: set[tuple]):
        self.parser = parser
        self.media = media
        self.warnings = parser.warnings
        self.pieces = self._pieces(events, sound)
        self.kept: list[_Piece] = []
        self.transitions: list[tuple[int, CutTransitionKind, int]] = []  # (outgoing index in kept, kind, frames)
        self.fade_in = self.fade_out = 0

    def _pieces(self, events: list[EditEvent], sound: set[tuple]) -> list[_Piece]:
        pieces: list[_Piece] = []
        previous: EditEvent | None = None
        for event in events:
            line = event.incoming
            if line.record_in == line.record_out:
                continue
            if line.transition == "K":
                self.warnings.append(f"Event {line.number:03d} is a key effect, which is not represented; "
                                     "it was left out.")
                continue
            if previous is not None and line.record_in < previous.incoming.record_out:
                raise self.parser.error(line.line_no, f"event {line.number:03d} starts before event "
                                                      f"{previous.incoming.number:03d} ends, on the same video track.")
            if pieces and line.record_in > pieces[-1].record_out:
                start = pieces[-1].record_out
                pieces.append(_Piece(start, line.record_in, 0, True, "Gap", "", None))
            note_lengths(event, self.parser)
            name, file_name, path = self.media.clip(event)
            if line.black:
                name, file_name, path = "Black", "", None
            dissolve = line.frames if line.transition in ("D", "W") else 0
            if line.transition == "W":
                self.warnings.append(f"Event {line.number:03d} is a wipe; it was read as a dissolve.")
            if dissolve > line.record_out - line.record_in:
                self.warnings.append(f"Event {line.number:03d}'s dissolve is longer than the event; it was "
                                     "shortened to fit.")
                dissolve = line.record_out - line.record_in
            outgoing = event.outgoing
            pieces.append(_Piece(
                line.record_in, line.record_out, line.source_in, line.black, name, file_name, path,
                has_audio=line.audio or (line.reel, line.source_in, line.record_in, line.record_out) in sound,
                dissolve_in=dissolve,
                dissolve_from_black=outgoing is not None and outgoing.black,
                white="WHITE" in event.comments.get("foundry_transition", "").upper(),
                scene=event.comments.get("scene", ""),
                reel="" if line.black or line.reel.upper() == "AX" else line.reel,
                source_drop_frame=self._source_counting(line),
            ))
            previous = event
        return pieces

    def _source_counting(self, line: EventLine) -> bool | None:
        """The source's counting where it differs from the record's (an FCM change or its labels' separator);
        None where it counts as the record does."""
        if not drop_frame_possible(self.parser.frame_rate) or line.source_drop_frame == self.parser.drop_frame_used:
            return None
        return line.source_drop_frame

    def build(self, origin: int) -> tuple[list[CutClip], list[CutTransition], int, int]:
        """The clips and transitions, and the film's fade in and fade out, with record
        times counted from `origin`."""
        pieces = self.pieces
        while pieces and pieces[0].black:
            self.warnings.append(f"{pieces[0].frames} frames of black at the start were left out.")
            pieces = pieces[1:]
        for index, piece in enumerate(pieces):
            after = pieces[index + 1] if index + 1 < len(pieces) else None
            if not piece.black:
                self._keep_shot(piece)
            elif self._fades_through(piece, after):
                self._fade_through(piece, after)
            elif all(p.black for p in pieces[index:]):
                self._end_in(pieces[index:])
                break
            elif piece.dissolve_in:  # black or a gap between shots is empty time: the record times jump over it
                self.warnings.append(f"A dissolve into {piece.name.lower()} was read as a cut.")
        return *self._clips(self.kept, self.transitions, origin), self.fade_in, self.fade_out

    def _shot_before(self, piece: _Piece) -> _Piece | None:
        """The piece kept last, if it is a shot (not black) that ends where `piece` starts."""
        before = self.kept[-1] if self.kept else None
        return before if before is not None and not before.black and before.record_out == piece.record_in else None

    def _fades_through(self, black: _Piece, after: _Piece | None) -> bool:
        """Whether the shot before dissolves into all of `black`, and `after` is a shot."""
        return (self._shot_before(black) is not None and black.dissolve_in == black.frames
                and after is not None and not after.black)

    def _fade_through(self, black: _Piece, after: _Piece) -> None:
        """A fade through black (or white): into the black over all of it, out of it into `after`."""
        before = self.kept[-1]
        into, out_of = black.frames, after.dissolve_in
        frames = into + out_of
        if into != frames - frames // 2:
            self.warnings.append(f"The fade through black after “{before.name}” was evened out to "
                                 "Foundry's (half out, half in).")
        before.end_shift = frames_before_cut(frames)  # the cut, that far after the edit at the black's start
        after.start_shift = frames_before_cut(frames) - into
        after.dissolve_in = 0
        self.transitions.append((len(self.kept) - 1, "fade_white" if black.white else "fade_black", frames))

    def _end_in(self, black: list[_Piece]) -> None:
        """Black to the end: a dissolve into it is the film's fade out, the rest is left out."""
        before = self._shot_before(black[0])
        if before is not None and black[0].dissolve_in:
            self.fade_out = black[0].dissolve_in
            before.end_shift = self.fade_out
        left_out = sum(p.frames for p in black) - self.fade_out
        if left_out:
            self.warnings.append(f"{left_out} frames of black at the end were left out.")

    def _keep_shot(self, piece: _Piece) -> None:
        """A shot, and the dissolve into it: the film's fade in, a transition, or a cut."""
        before = self.kept[-1] if self.kept else None
        if piece.dissolve_in:
            if before is not None and before.record_out < piece.record_in:
                self.warnings.append(f"The dissolve into “{piece.name}” from empty time was read as a cut.")
            elif before is None:
                if not piece.dissolve_from_black:
                    self.warnings.append("The first event dissolves from a source that is not in the EDL; "
                                         "it was read as a fade from black.")
                self.fade_in = piece.dissolve_in
            elif not before.black:
                if piece.dissolve_from_black:
                    self.warnings.append(f"The dissolve from black into “{piece.name}” was read as a "
                                         f"dissolve from “{before.name}”.")
                frames = piece.dissolve_in
                before.end_shift = frames_before_cut(frames)
                piece.start_shift = frames_before_cut(frames)
                self.transitions.append((len(self.kept) - 1, "dissolve", frames))
            else:
                self.warnings.append(f"The dissolve from {before.name.lower()} into “{piece.name}” was "
                                     "read as a cut.")
        self.kept.append(piece)

    def _clips(self, kept: list[_Piece], transitions: list[tuple[int, CutTransitionKind, int]], origin: int):
        clips = []
        for piece in kept:
            record_in = piece.record_in + piece.start_shift - origin
            record_out = piece.record_out + piece.end_shift - origin
            source_in = 0 if piece.black else piece.source_in + piece.start_shift
            source_out = source_in + record_out - record_in
            media = piece.media
            clips.append(CutClip(
                name=piece.name, media=media, media_frames=source_out, source_in=source_in, source_out=source_out,
                record_in=record_in, record_out=record_out, has_audio=piece.has_audio, scene=piece.scene, reel=piece.reel,
                source_drop_frame=None if piece.black else piece.source_drop_frame,
                still=media is not None and media.suffix.lower() in STILL_SUFFIXES,
            ))
        cut_transitions = []
        for outgoing, kind, frames in transitions:
            cut = clips[outgoing].record_out
            cut_transitions.append(CutTransition(outgoing, kind, cut - frames_before_cut(frames), frames))
            # The outgoing clip plays on past its out point for the rest of the transition.
            handle = clips[outgoing].source_out + frames - frames // 2
            clips[outgoing] = replace(clips[outgoing], media_frames=max(clips[outgoing].media_frames, handle))
        return clips, cut_transitions
