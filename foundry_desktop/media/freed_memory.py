"""Giving freed memory back to the system.

glibc keeps memory that was freed for reuse instead of returning it, so after
decoding or encoding at 1080p a process goes on holding a few hundred
megabytes it no longer uses. The render calls this after such work, so an idle
worker or the editor itself does not sit on it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc (macOS, Windows, musl): their allocators return memory themselves


def release_freed_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
