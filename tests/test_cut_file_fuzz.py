"""Cut files from other editors, broken every way a file arrives broken (tests/file_mutations.py),
through the EDL, FCPXML and OTIO readers and the import command: each is read, or refused with one
clear line (a FoundryError) — never another exception, never a hang, never a partial project.

Every mutation kind is tried on every format, starting from the real samples (tests/data/interchange)
and the golden files. `.ci/fuzz` runs these longer (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import os
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
from file_mutations import MUTATIONS, failing_after
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interchange_samples import edl_sample_rate

from foundry_desktop.app.exchange.cut_import import import_cut, read_cut_file
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.errors import FoundryError
from foundry_desktop.interchange.film_cut import ReadCut

TESTS = Path(__file__).parent
SAMPLES: dict[str, list[Path]] = {
    ".edl": sorted([*(TESTS / "data/interchange/edl").glob("*.edl"), *(TESTS / "golden/edl").glob("*.edl")]),
    ".fcpxml": sorted([*(TESTS / "data/interchange/fcpxml").glob("**/*.fcpxml"),
                       *(TESTS / "golden/fcpxml").glob("*.fcpxml")]),
    ".otio": sorted((TESTS / "golden/otio").glob("*.otio")),
}
# Far beyond what reading any of these takes on a loaded machine: only a hang reaches it, and fails.
HANG_SECONDS = 300
# An import writes a project file per example, so the normal suite tries fewer (a few seconds a
# test); the fuzz profile's long run tries as many as for the readers.
IMPORTS = settings.get_profile("fuzz").max_examples if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 25


def rate_for(sample: Path) -> Fraction | None:
    """The frame rate an EDL is read at (the other formats carry theirs)."""
    return edl_sample_rate(sample.name) if sample.suffix == ".edl" else None


def assert_one_clear_line(error: FoundryError) -> None:
    message = str(error)
    assert message.strip() and "\n" not in message and "Traceback" not in message, repr(message)


def broken_cut(data: st.DataObject, suffix: str, kind: str) -> tuple[Path, bytes]:
    sample = data.draw(st.sampled_from(SAMPLES[suffix]), label="sample")
    return sample, MUTATIONS[kind](data, sample.read_bytes())


def test_every_format_has_samples():
    assert all(SAMPLES.values()) and len(SAMPLES[".fcpxml"]) > 20 and len(SAMPLES[".edl"]) > 20


@pytest.mark.fuzz
@pytest.mark.parametrize("kind", MUTATIONS)
@pytest.mark.parametrize("suffix", SAMPLES)
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.data())
def test_a_broken_cut_file_is_read_or_refused_in_one_line(suffix, kind, data):
    sample, content = broken_cut(data, suffix, kind)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"cut{suffix}"
        path.write_bytes(content)
        with failing_after(HANG_SECONDS):
            try:
                read = read_cut_file(path, rate_for(sample))
            except FoundryError as error:
                assert_one_clear_line(error)
                return
        assert isinstance(read, ReadCut)
        assert all(isinstance(warning, str) and warning.strip() for warning in read.warnings)


@pytest.mark.fuzz
@pytest.mark.parametrize("suffix", SAMPLES)
@settings(max_examples=IMPORTS,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.data())
def test_importing_a_broken_cut_makes_a_whole_project_or_none(suffix, data):
    kind = data.draw(st.sampled_from(list(MUTATIONS)), label="kind")
    sample, content = broken_cut(data, suffix, kind)
    with tempfile.TemporaryDirectory() as folder:
        source, project = Path(folder) / f"cut{suffix}", Path(folder) / "imported.foundry"
        source.write_bytes(content)
        with failing_after(HANG_SECONDS):
            try:
                report = import_cut(source, project, frame_rate=rate_for(sample))
            except FoundryError as error:
                assert_one_clear_line(error)
                assert sorted(p.name for p in Path(folder).iterdir()) == [source.name]  # nothing left behind
                return
        made = {p.name for p in Path(folder).iterdir()} - {source.name}
        assert project.name in made and made <= {project.name, f"{project.name}.lock", "imported.media"}
        with ProjectService.open(project, read_only=True) as service:
            assert service.cut_plan() is not None
            assert len(service.project.timeline.shots) >= report.shots - report.offline >= 0


def test_an_otio_file_nested_beyond_any_timeline_is_refused_before_otio_reads_it(tmp_path):
    """OTIO's C++ reader recurses once per level and crashes the process (no exception) on thousands of
    levels once Python's own limit lets json through: the depth is refused first, whatever the limit."""
    sample = SAMPLES[".otio"][0].read_bytes()
    at = sample.index(b"{") + 1
    path = tmp_path / "deep.otio"
    path.write_bytes(sample[:at] + b"\"deep\": " + b"[" * 50_000 + b"]" * 50_000 + b"," + sample[at:])
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200_000)
    try:
        with pytest.raises(FoundryError, match="nests its JSON far deeper"):
            read_cut_file(path)
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize("schema", ["Clip.0", "Clip.-1", "Clip", "Clip.99999999999999999999", 5, None])
def test_an_otio_schema_version_otio_cannot_read_is_refused_before_it_reads_it(tmp_path, schema):
    """OTIO's C++ reader kills the process (a segmentation fault) on "Clip.0", which a byte flip makes."""
    import json

    document = json.loads(SAMPLES[".otio"][0].read_text())
    clip = next(child for child in document["tracks"]["children"][0]["children"] if child["OTIO_SCHEMA"] == "Clip.2")
    clip["OTIO_SCHEMA"] = schema
    path = tmp_path / "bad.otio"
    path.write_text(json.dumps(document))
    with pytest.raises(FoundryError, match="damaged OTIO file") as refused:
        read_cut_file(path)
    assert_one_clear_line(refused.value)
