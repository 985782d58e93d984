"""A cut imported at scale: laid out once and written once (a new project in one
transaction, or one edit and one undo step into the open project), its empty time,
overlapping music, scenes, markers and captions kept; a file too big to be a cut
refused before it is read; an import stopped midway leaving no project behind.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from video_sources import write_video, write_wav

from foundry_desktop.app.exchange import cut_import
from foundry_desktop.app.exchange.cut_import import MAX_CUT_BYTES, import_cut, import_cut_into
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.project import Project
from foundry_desktop.errors import CutFileError
from foundry_desktop.interchange.film_cut import CutCaption, CutClip, CutMarker, CutMusic, CutTransition, FilmCut
from foundry_desktop.interchange.otio.writer import write_otio

RATE = Fraction(24)
ROOT = Path(__file__).resolve().parents[1]


def offline_cut(events: int, music: tuple[CutMusic, ...] = ()) -> FilmCut:
    """`events` clips without media (shots to generate) of 10-19 frames, a gap of 5 before every
    7th, a dissolve after every 10th where the next touches it, a scene every 4 clips, a marker
    and a caption every 5."""
    clips, record = [], 0
    for n in range(events):
        record += 5 if n % 7 == 6 else 0
        frames = 10 + n % 10
        clips.append(CutClip(f"Shot {n + 1}", None, frames, 0, frames, record, record + frames,
                             scene=f"Scene {n // 4 + 1}"))
        record += frames
    transitions = tuple(CutTransition(n, "dissolve", clips[n].record_out - 2, 4) for n in range(9, events - 1, 10)
                        if clips[n + 1].record_in == clips[n].record_out)
    markers = tuple(CutMarker(clips[n].record_in, f"Note {n}") for n in range(0, events, 5))
    captions = tuple(CutCaption(clips[n].record_in, clips[n].record_out, f"Line {n}") for n in range(0, events, 5))
    return FilmCut("Long night", RATE, 320, 180, tuple(clips), transitions, music=music, markers=markers,
                   captions=captions)


def test_the_project_is_the_cut_it_was_imported_from(tmp_path):
    video = write_video(tmp_path / "take.mp4", frames=48)
    song = write_wav(tmp_path / "song.wav", 4.0, 0.2)
    overlapping = (CutMusic("Song", song, 96, 0, 60, 10), CutMusic("Song again", song, 96, 12, 72, 40))
    cut = offline_cut(24, overlapping)
    shown = CutClip("Dawn", video, 48, 6, 30, cut.length, cut.length + 24, scene="Scene 7")
    cut = FilmCut(cut.name, RATE, 320, 180, (*cut.clips, shown), cut.transitions, fade_in=6, fade_out=4,
                  music=cut.music, markers=cut.markers, captions=cut.captions)
    report = import_cut(write_otio(cut, tmp_path / "night.otio"), tmp_path / "night.foundry")
    assert (report.shots, report.offline) == (25, 24)

    with ProjectService.open(tmp_path / "night.foundry") as opened:
        timeline = opened.project.timeline
        shots = timeline.shots
        assert [shot.name for shot in shots] == [clip.name for clip in cut.clips]
        assert [shot.length for shot in shots] == [clip.frames for clip in cut.clips]
        assert [shot.gap_before for shot in shots] == [cut.gap_before(n) for n in range(len(cut.clips))]  # gaps stay
        assert [(n, s.transition_out.kind, s.transition_out.duration) for n, s in enumerate(shots)
                if s.transition_out.kind != "cut"] == [(t.outgoing, t.kind, t.frames) for t in cut.transitions]
        assert (timeline.fade_in, timeline.fade_out) == (6, 4)
        scenes = {scene.id: scene.name for scene in timeline.scenes}
        assert [scenes[shot.scene_id] for shot in shots] == [clip.scene for clip in cut.clips]
        assert [scene.name for scene in timeline.scenes] == [f"Scene {n}" for n in range(1, 8)]
        # Music that overlaps is kept as it is, on lanes of its own.
        assert [(clip.name, clip.start, clip.source_in, clip.source_out) for clip in timeline.music] == [
            ("Song", 10, 0, 60), ("Song again", 40, 12, 72)]
        assert [(m.frame, m.label) for m in timeline.markers] == [(m.frame, m.label) for m in cut.markers]
        assert [(c.start, c.end, c.text) for c in timeline.captions] == [(c.start, c.end, c.text) for c in cut.captions]
        dawn = shots[-1]
        take = opened.project.selected_take(dawn)
        assert take is not None and opened.shot_status(dawn).kind == "current"
        assert (dawn.trim_in, dawn.trim_out) == (6, 30)
        assert sorted((item.name, item.kind) for item in opened.project.media) == [
            ("song.wav", "sound"), ("take.mp4", "video")]  # each file used, once, in the bin
        assert opened.undo_label() is None  # the import is where the new project begins


def test_an_import_into_the_open_project_is_one_edit_and_one_undo_step(tmp_path):
    video = write_video(tmp_path / "take.mp4", frames=48)
    cut = offline_cut(12)
    cut = FilmCut(cut.name, RATE, 320, 180, (*cut.clips, CutClip("Dawn", video, 48, 0, 20, cut.length,
                                                                  cut.length + 20)),
                  markers=cut.markers, captions=cut.captions)  # cuts only: every clip where the cut puts it
    source = write_otio(cut, tmp_path / "night.otio")
    path = tmp_path / "film.foundry"
    with ProjectService.create(path, width=320, height=180, frame_rate=RATE) as service:
        service.add_shot(name="Opening", prompt="a harbour at dawn", duration_frames=30)
        service.add_marker(3, "Start")
        report = import_cut_into(service, source)
        assert (report.shots, report.offline) == (13, 12)
        assert service.undo_label() == "Import night.otio"
        service.undo()
        assert service.undo_label() == "Add marker at frame 3"  # one step took the whole cut away
        assert [shot.name for shot in service.project.timeline.shots] == ["Opening"]
        service.redo()

    with ProjectService.open(path) as reopened:
        timeline = reopened.project.timeline
        assert [shot.name for shot in timeline.shots] == ["Opening", *(clip.name for clip in cut.clips)]
        assert [placed.record_in for placed in reopened.cut_plan().shots][1:] == [
            30 + clip.record_in for clip in cut.clips]  # after the film's end
        assert [(m.frame, m.label) for m in timeline.markers] == [
            (3, "Start"), *((30 + m.frame, m.label) for m in cut.markers)]
        assert reopened.shot_status(timeline.shots[-1]).kind == "current"  # its file, found after the redo


def test_an_import_into_a_project_at_another_frame_rate_is_refused(tmp_path):
    source = write_otio(offline_cut(3), tmp_path / "night.otio")
    with ProjectService.create(tmp_path / "film.foundry", frame_rate="25") as service:
        with pytest.raises(CutFileError, match="cut at 24.000 fps and this project plays at 25.000 fps"):
            import_cut_into(service, source)
        assert service.project.timeline.shots == [] and service.undo_label() is None


def import_counting(tmp_path: Path, events: int, monkeypatch) -> tuple[int, int, int]:
    """(SQL statements, rows they wrote, copies of a whole Project) while importing a cut of `events`."""
    statements, rows, copies = 0, 0, 0

    def executed(conn, cursor, statement, parameters, context, executemany) -> None:
        nonlocal statements, rows
        statements += 1
        rows += len(parameters) if executemany else 1

    original_copy = Project.model_copy

    def counted_copy(self, *args, **kwargs):
        nonlocal copies
        copies += 1
        return original_copy(self, *args, **kwargs)

    source = write_otio(offline_cut(events), tmp_path / f"cut{events}.otio")
    event.listen(Engine, "before_cursor_execute", executed)
    monkeypatch.setattr(Project, "model_copy", counted_copy)
    try:
        import_cut(source, tmp_path / f"cut{events}.foundry")
    finally:
        event.remove(Engine, "before_cursor_execute", executed)
        monkeypatch.undo()
    return statements, rows, copies


def test_an_import_costs_the_same_statements_and_copies_at_any_size_and_rows_in_step(tmp_path, monkeypatch):
    """Linear time without a clock: the statements and copies of the whole model an import makes do
    not grow with the events (each event appends; the store writes each table in one statement),
    and the rows written grow in step with them."""
    small = import_counting(tmp_path, 40, monkeypatch)
    large = import_counting(tmp_path, 400, monkeypatch)
    assert large[0] == small[0]  # statements
    assert large[2] == small[2] <= 2  # copies of the project
    per_event = (large[1] - small[1]) / 360
    assert per_event == pytest.approx(1 + 1 / 4 + 1 / 5 + 1 / 5)  # a shot; a scene, a marker, a caption now and then


def test_a_file_too_big_to_be_a_cut_is_refused_before_it_is_read(tmp_path, monkeypatch):
    read: list[str] = []
    read_bytes = Path.read_bytes

    def noted(path: Path) -> bytes:  # every reader reads its file whole, with read_bytes
        read.append(path.name)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", noted)
    for name, size in (("huge.edl", MAX_CUT_BYTES[".edl"] + 1), ("huge.fcpxml", MAX_CUT_BYTES[".fcpxml"] + 1)):
        huge = tmp_path / name
        with huge.open("wb") as handle:
            handle.truncate(size)  # sparse: no disk space taken
        with pytest.raises(CutFileError, match=rf"{name} is \d+ MB: too big to be a cut"):
            import_cut(huge, tmp_path / "huge.foundry", frame_rate="24")
        assert not (tmp_path / "huge.foundry").exists()
    assert read == []
    small_enough = tmp_path / "big.edl"
    small_enough.write_text("TITLE: big\n")
    with pytest.raises(CutFileError):  # read, and found to hold no events
        import_cut(small_enough, tmp_path / "big.foundry", frame_rate="24")
    assert read == ["big.edl"]


EDL = """TITLE: NIGHT
FCM: NON-DROP FRAME

001  A001     V     C        00:00:10:00 00:00:11:00 01:00:00:00 01:00:01:00
* FROM CLIP NAME: harbour.mov

002  A002     V     C        00:00:20:00 00:00:21:12 01:00:02:00 01:00:03:12
* FROM CLIP NAME: lighthouse.mov
"""

# The import, held still once it has written the new project's rows into its temporary file
# (the parent then stops it there: the moment a crash would do most harm).
CHILD = """
import sys
from pathlib import Path
from foundry_desktop.store import project_store

write_rows = project_store.write_new_rows

def write_and_wait(conn, project):
    write_rows(conn, project)
    print("written", flush=True)
    sys.stdin.read()

project_store.write_new_rows = write_and_wait
from foundry_desktop.app.exchange.cut_import import import_cut
import_cut(Path(sys.argv[1]), Path(sys.argv[2]), frame_rate="24")
"""


def stopped_import(tmp_path: Path, stop: signal.Signals) -> Path:
    """Import an EDL in a process of its own, stopped by `stop` while its file is being written."""
    edl = tmp_path / "night.edl"
    edl.write_text(EDL)
    target = tmp_path / "night.foundry"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(edl), str(target)], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert child.stdout is not None and child.stdout.readline() == "written\n", child.stderr.read()
    assert tmp_path.joinpath(".night.foundry.creating").exists() and not target.exists()
    child.send_signal(stop)
    child.wait()
    return target


def test_an_import_killed_midway_leaves_no_project_and_the_next_one_succeeds(tmp_path):
    target = stopped_import(tmp_path, signal.SIGKILL)
    assert not target.exists()  # only the temporary file, which the next import clears away
    report = import_cut(tmp_path / "night.edl", target, frame_rate="24")
    assert report.shots == 2 and not tmp_path.joinpath(".night.foundry.creating").exists()
    with ProjectService.open(target) as opened:
        assert [shot.name for shot in opened.project.timeline.shots] == ["harbour.mov", "lighthouse.mov"]
        assert [shot.gap_before for shot in opened.project.timeline.shots] == [0, 24]


def test_an_import_interrupted_midway_leaves_nothing_behind(tmp_path):
    stopped_import(tmp_path, signal.SIGINT)  # Ctrl+C
    assert sorted(path.name for path in tmp_path.iterdir()) == ["night.edl"]


def test_an_import_that_fails_midway_leaves_nothing_behind(tmp_path, monkeypatch):
    video = write_video(tmp_path / "take.mp4", frames=24)
    cut = FilmCut("x", RATE, 320, 180, (CutClip("Dawn", video, 24, 0, 24, 0, 24),))
    source = write_otio(cut, tmp_path / "x.otio")

    def failing(*_args):
        raise OSError("the disk went away")

    monkeypatch.setattr(cut_import.ProjectStore, "create", failing)  # after the media was copied in
    with pytest.raises(OSError, match="went away"):
        import_cut(source, tmp_path / "x.foundry")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["take.mp4", "x.otio"]
