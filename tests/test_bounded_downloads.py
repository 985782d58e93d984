"""Every download of a take is bounded (generation/bounded_download.py): a server that trickles
bytes meets the deadline, one that stalls meets the stall timeout, a declared length over the
cap is refused before the body is read, and a page served as video/mp4 is recognised from its
first bytes. Nothing is left where the take would have gone. The bounds are set small here;
the servers are slow on purpose (minutes for a file), so no outcome depends on machine speed.
"""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from servers.cloud_base import HUGE_LENGTH, NOT_MEDIA_HTML, CloudServer, sample_image, sample_mp4, sample_sound
from servers.runway import RunwayServer

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.bounded_download import TransferLimits, media_families
from foundry_desktop.generation.cloud.errors import CloudOutputError, CloudUnavailableError
from foundry_desktop.generation.cloud.retries import RetryPolicy
from foundry_desktop.generation.cloud.providers.runway import RunwayBackend
from foundry_desktop.generation.cloud.task import PollPolicy
from foundry_desktop.generation.comfyui.client import ComfyUIClient, OutputFile

KEY = "sk-bounded"
WAIT_S = 120  # only so that a broken bound fails the test instead of hanging it
FAST_RETRY = RetryPolicy(attempts=2, base_s=0.01, max_s=0.02, max_wait_s=1)
FAST_POLL = PollPolicy(interval_s=0.01, max_interval_s=0.02, growth=1.5, timeout_s=WAIT_S)


def request(folder: Path) -> GenerationRequest:
    return GenerationRequest(shot_id="shot-1", prompt="waves at dusk", negative_prompt="", seed=3, width=1280,
                             height=720, frame_rate=Fraction(24), frames=120, output_dir=folder, model="gen4.5")


def generate(server: RunwayServer, folder: Path, limits: TransferLimits) -> Any:
    async def main() -> Any:
        async with httpx.AsyncClient(timeout=WAIT_S) as http:
            backend = RunwayBackend(http, KEY, base_url=server.url, retry=FAST_RETRY, poll=FAST_POLL,
                                    transfer_limits=limits)
            return await asyncio.wait_for(backend.generate(request(folder), lambda event: None), WAIT_S)
    return asyncio.run(main())


@pytest.fixture
def runway():
    with RunwayServer(api_key=KEY, task_seconds=0.05) as server:
        yield server


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


def test_a_trickling_download_meets_its_deadline(runway, scratch):
    runway.mutate_next("trickle", 10, only="/outputs/")  # a byte every 50 ms: the file would take minutes
    with pytest.raises(CloudUnavailableError, match=r"did not arrive within 0\.5 s .*gave up on it.*follow it again"):
        generate(runway, scratch, TransferLimits(deadline_s=0.5, stall_s=WAIT_S))
    assert list(scratch.iterdir()) == []


def test_a_stalled_download_meets_the_stall_timeout(runway, scratch):
    runway.mutate_next("slow", 10, only="/outputs/")  # half the file, then nothing until Foundry hangs up
    with pytest.raises(CloudUnavailableError, match=r"stopped coming: nothing for 0\.3 s"):
        generate(runway, scratch, TransferLimits(deadline_s=WAIT_S, stall_s=0.3))
    assert list(scratch.iterdir()) == []


def test_a_declared_length_over_the_cap_is_refused_before_reading(runway, scratch):
    runway.mutate_next("huge_length", 10, only="/outputs/")
    with pytest.raises(CloudOutputError, match=r"would be 5\.0 GiB, more than Foundry accepts .*did not download"):
        generate(runway, scratch, TransferLimits())
    assert list(scratch.iterdir()) == []


def test_a_page_served_as_video_mp4_is_recognised_from_its_first_bytes(runway, scratch):
    runway.mutate_next(lambda body: NOT_MEDIA_HTML * 1000, 10, only="/outputs/")
    with pytest.raises(CloudOutputError, match="Runway sent a web page or an error message instead of the video"):
        generate(runway, scratch, TransferLimits())
    download = [r for r in runway.requests if r.path.startswith("/outputs/")][0]
    assert download.status == 200 and download.fault == "mutate"  # served as a 200 video/mp4
    assert list(scratch.iterdir()) == []


def test_media_is_recognised_by_its_magic_numbers():
    assert "video" in media_families(sample_mp4()[:16])
    assert media_families(sample_image("png")[:16]) >= {"picture"}
    assert media_families(sample_image("jpeg")[:16]) == {"picture"}
    assert media_families(sample_image("webp")[:16]) >= {"picture"}
    assert media_families(sample_sound("wav", 1)[:16]) == {"sound"}
    assert media_families(sample_sound("mp3", 1)[:16]) == {"sound"}
    assert media_families(b"\x1a\x45\xdf\xa3" + bytes(12)) >= {"video"}  # WebM / Matroska
    assert media_families(b"fLaC" + bytes(12)) == {"sound"}
    assert media_families(b"OggS" + bytes(12)) >= {"sound"}
    for not_media in (NOT_MEDIA_HTML[:16], b'{"error": "no"}', b"", b"\x00" * 16, b"PK\x03\x04" + bytes(12)):
        assert media_families(not_media) == frozenset()


# --------------------------------------------------------------------------- ComfyUI's /view

class ViewServer(CloudServer):
    """A /view route as ComfyUI serves outputs, on the test servers' machinery (faults, mutations)."""

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/view", self._view)]

    async def _view(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=sample_mp4(), content_type="video/mp4")

    def error_response(self, status: int, message: str, **details: Any) -> web.Response:
        return web.json_response({"error": message}, status=status)


def comfy_download(server: ViewServer, destination: Path, limits: TransferLimits) -> Any:
    async def main() -> Any:
        # The test server machinery wants a key on every API route; ComfyUI has none, so the client's
        # shared httpx client carries it for this test.
        async with httpx.AsyncClient(timeout=WAIT_S, headers={"Authorization": f"Bearer {KEY}"}) as http:
            client = ComfyUIClient("gpu-1", server.url, http, transfer_limits=limits)
            output = OutputFile("take_00001.mp4", "", "output", True)
            return await asyncio.wait_for(client.download(output, destination), WAIT_S)
    return asyncio.run(main())


@pytest.mark.parametrize(("mutation", "limits", "refusal"), [
    ("trickle", TransferLimits(deadline_s=0.5, stall_s=WAIT_S), r"did not arrive within 0\.5 s"),
    ("slow", TransferLimits(deadline_s=WAIT_S, stall_s=0.3), r"stopped coming"),
    ("huge_length", TransferLimits(), r"would be 5\.0 GiB"),
    (lambda body: NOT_MEDIA_HTML, TransferLimits(), r"sent a web page or an error message instead of the file"),
], ids=["trickle", "stall", "huge-length", "html"])
def test_comfyui_downloads_keep_the_same_bounds(tmp_path, mutation, limits, refusal):
    destination = tmp_path / "take.mp4"
    with ViewServer(api_key=KEY) as server:
        assert not comfy_download(server, destination, TransferLimits()).still  # unbroken, it is taken
        destination.unlink()
        server.mutate_next(mutation, only="GET /view")
        with pytest.raises(GenerationError, match=refusal):
            comfy_download(server, destination, limits)
    assert sorted(path.name for path in tmp_path.iterdir()) == []
    assert HUGE_LENGTH > 4 * 1024**3  # over ComfyUI's cap too
