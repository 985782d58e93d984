"""Keeping x264 off its AVX-512 code, so the same frames always encode the same.

On CPUs with AVX-512, x264's AVX-512 kernels (the macroblock-tree ones, by
experiment) read memory they never initialised at many frame widths (160, 320,
800, 854... but not 640 or 1280): the same frames then encode a little
differently from run to run, and a builtin take would not be repeatable.
Capping x264 at AVX2 fixes that at no cost in size and no measurable cost in
speed. The cap is only applied where AVX-512 exists: naming "AVX2" to x264
on a CPU without it would make x264 run instructions the CPU lacks.
"""

from __future__ import annotations

import ctypes
import functools
import platform
import sys
from pathlib import Path

# Windows' PF_AVX512F_INSTRUCTIONS_AVAILABLE.
_PF_AVX512F = 41


def _linux_has_avx512() -> bool:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return any(line.startswith("flags") and " avx512f" in line for line in text.splitlines())


def _windows_has_avx512() -> bool:
    try:
        return bool(ctypes.windll.kernel32.IsProcessorFeaturePresent(_PF_AVX512F))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False


def _macos_has_avx512() -> bool:
    try:
        libc = ctypes.CDLL("/usr/lib/libc.dylib")
        value = ctypes.c_int(0)
        size = ctypes.c_size_t(ctypes.sizeof(value))
        failed = libc.sysctlbyname(b"hw.optional.avx512f", ctypes.byref(value), ctypes.byref(size), None, 0)
    except (AttributeError, OSError):
        return False
    return failed == 0 and value.value == 1


@functools.cache
def cpu_has_avx512() -> bool:
    if platform.machine().lower() not in {"x86_64", "amd64", "x64", "i386", "i686", "x86"}:
        return False
    if sys.platform.startswith("linux"):
        return _linux_has_avx512()
    if sys.platform == "win32":
        return _windows_has_avx512()
    if sys.platform == "darwin":
        return _macos_has_avx512()
    return False


def x264_params() -> str | None:
    """The x264-params that keep encoding repeatable here, or None when none are needed."""
    return "asm=AVX2" if cpu_has_avx512() else None
