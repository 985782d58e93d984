"""Leftovers removed on the next open, and `foundry clean`: what goes, what stays, checked on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.media.partial_files import claim_partial, release_partial

ORPHAN_HASH = "ab" * 32
DAY_S = 86400


def foundry(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "foundry_desktop.cli.main", *args], capture_output=True,
                          text=True, check=check)


@pytest.fixture
def project(tmp_path) -> Path:
    """Two shots with a take each; the second removed (its take lives on in the undo history)."""
    path = tmp_path / "film.foundry"
    foundry("new", str(path), "--size", "64x36")
    foundry("shot", "add", str(path), "--prompt", "kept", "--duration", "0.5")
    foundry("shot", "add", str(path), "--prompt", "removed", "--duration", "0.5")
    foundry("generate", str(path))
    foundry("shot", "remove", str(path), "2")
    return path


def files_under(folder: Path) -> dict[str, int]:
    """Each file and its size, but SQLite's own -wal and -shm files (a reader may make them)."""
    return {str(path.relative_to(folder)): path.stat().st_size for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.name.endswith(("-wal", "-shm"))}


def take_files(project: Path) -> list[Path]:
    return sorted((project.with_suffix(".media") / "takes").rglob("*.mp4"))


def plant(path: Path, size: int, *, age_days: float = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * size)
    if age_days:
        then = time.time() - age_days * DAY_S
        os.utime(path, (then, then))
    return path


def test_opening_for_writing_removes_what_killed_work_left_and_keeps_what_is_named_or_being_written(project):
    media = project.with_suffix(".media")
    takes = take_files(project)
    assert len(takes) == 2
    orphan = plant(media / "takes" / ORPHAN_HASH[:2] / f"{ORPHAN_HASH}.mp4", 1000)
    abandoned = plant(media / "renders" / "segments" / "00" / ".segment.1234.partial", 500)
    being_written = plant(media / "renders" / "segments" / "01" / ".other.5678.partial", 500)
    marker = plant(project.with_name(f".{project.name}.creating"), 10)
    # Named by a looks file a `moodboard --json` wrote outside the project, until one is chosen.
    proposal = plant(media / "moodboards" / "cd" / f"{'cd' * 32}.png", 300)
    claim = claim_partial(being_written)  # as a render in another process holds the file it writes
    try:
        with ProjectService.open(project, read_only=True):
            pass  # reading never removes anything
        assert orphan.exists() and abandoned.exists() and marker.exists()
        with ProjectService.open(project):
            pass
        assert not orphan.exists() and not abandoned.exists() and not marker.exists()
        assert being_written.exists() and proposal.exists()
    finally:
        release_partial(claim)
    # Both takes stay: the removed shot's is what undo brings back with it.
    assert take_files(project) == takes
    with ProjectService.open(project) as service:
        service.undo()
        assert [shot.spec.prompt for shot in service.project.timeline.shots] == ["kept", "removed"]
    assert all(path.exists() for path in takes)


def test_clean_dry_run_lists_with_sizes_and_changes_nothing_then_clean_removes_it(project):
    media = project.with_suffix(".media")
    plant(media / "takes" / ORPHAN_HASH[:2] / f"{ORPHAN_HASH}.mp4", 2000)
    plant(media / "renders" / "segments" / "0a" / f"{'0a' * 32}.mp4", 3000, age_days=40)
    recent = plant(media / "renders" / "segments" / "0b" / f"{'0b' * 32}.mp4", 4000, age_days=1)
    plant(media / "renders" / "segments" / "0c" / ".left.9999.partial", 700)
    before = files_under(project.parent)

    listed = foundry("clean", str(project), "--dry-run")
    assert files_under(project.parent) == before
    lines = listed.stdout.splitlines()
    assert any("2.0 KB" in line and "unreferenced media" in line and ORPHAN_HASH in line for line in lines)
    assert any("3.0 KB" in line and "stale render segment" in line for line in lines)
    assert any("700 B" in line and "leftover" in line for line in lines)
    assert not any("0b" * 32 in line for line in lines)
    assert lines[-1] == ("Would remove 1 unused media files (2.0 KB), 1 stale render segments (3.0 KB), "
                         "1 leftovers (700 B): 5.7 KB in all.")

    removed = json.loads(foundry("clean", str(project), "--json").stdout)
    assert removed["removed"] is True and removed["bytes"] == 5700
    after = files_under(project.parent)
    assert set(before) - set(after) == {str(Path(item["path"]).relative_to(project.parent))
                                        for item in removed["files"]}
    assert recent.exists() and len(take_files(project)) == 2
    assert foundry("clean", str(project)).stdout.strip() == "Nothing to clean."

    foundry("clean", str(project), "--all-segments")
    assert not recent.exists()
    assert len(take_files(project)) == 2  # takes are never render cache

