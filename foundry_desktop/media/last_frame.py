"""The last frame of a take, as a picture: where a shot that continues the previous one starts.

Decoded to the end (takes are seconds long, and seeking to the last keyframe
of an unindexed stream is not reliable across containers), written as PNG so
the same take always gives the same file, and so the same content hash.
"""

from __future__ import annotations

from pathlib import Path

import av

from foundry_desktop.media.probe import open_video
from foundry_desktop.media.source_frames import decoding_failed


def write_last_frame(video: Path, picture: Path) -> Path:
    """Write the last frame of `video` to `picture` (a .png); MediaError if it cannot be read."""
    with open_video(video, allow_still=True) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        last = None
        try:
            for frame in container.decode(stream):
                last = frame
        except (av.FFmpegError, OSError) as exc:
            if last is None:
                raise decoding_failed(video, exc) from None
            # A damaged tail: the last frame that decoded is the one the take ends on when played.
        if last is None:
            raise decoding_failed(video, ValueError("it has no frames"))
        last.to_image().save(picture, format="PNG")
    return picture
