"""Every upload of an input picture is bounded like a download (generation/bounded_upload.py): a
ComfyUI server that stops reading the picture meets the stall timeout, and one that reads too
slowly for the whole of it meets the deadline; each ends in one line that says which. The bounds
are set small here and the server never resumes, so no outcome depends on machine speed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from servers.comfyui import ComfyUIServer
from servers.stalling import StallingServer

from foundry_desktop.generation.bounded_download import TransferLimits, TransferRefused
from foundry_desktop.generation.comfyui.client import ComfyUIClient

WAIT_S = 120  # only so that a broken bound fails the test instead of hanging it
PICTURE_BYTES = 16 * 1024**2  # more than the socket buffers between here and a server that stopped reading


def upload(url: str, picture: Path, limits: TransferLimits) -> str:
    async def main() -> str:
        async with httpx.AsyncClient(timeout=None) as http:  # no httpx timeout: only the transfer's bounds
            client = ComfyUIClient("gpu-1", url, http, transfer_limits=limits)
            return await asyncio.wait_for(client.upload_image(picture), WAIT_S)
    return asyncio.run(main())


@pytest.mark.parametrize(("limits", "refusal", "reason"), [
    (TransferLimits(deadline_s=WAIT_S, stall_s=0.3),
     r"^The input image still\.png stopped going to ComfyUI on gpu-1: nothing moved for 0\.3 s; Foundry gave up on it\.$",
     "stall"),
    (TransferLimits(deadline_s=0.3, stall_s=WAIT_S),
     r"^The input image still\.png did not reach ComfyUI on gpu-1 within 0\.3 s; Foundry gave up on it\.$", "deadline"),
], ids=["stall", "deadline"])
def test_an_upload_to_a_server_that_stops_reading_it_is_given_up(tmp_path, limits, refusal, reason):
    picture = tmp_path / "still.png"
    picture.write_bytes(bytes(PICTURE_BYTES))
    with StallingServer() as server:
        with pytest.raises(TransferRefused, match=refusal) as refused:
            upload(server.url, picture, limits)
        assert server.heads[0].startswith(b"POST /upload/image ")  # it got there, and was left hanging
    assert refused.value.reason == reason


def test_an_upload_within_its_bounds_is_taken(tmp_path):
    picture = tmp_path / "still.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(3 * 1024**2))  # many pieces, each moving the stall timer on
    with ComfyUIServer(name="gpu-1") as server:
        assert upload(server.url, picture, TransferLimits(deadline_s=WAIT_S, stall_s=WAIT_S)) == "still.png"
        assert (server.input_dir / "still.png").read_bytes() == picture.read_bytes()
