"""The backends available without any configuration."""

from __future__ import annotations

from foundry_desktop.generation.backend import BackendRegistry
from foundry_desktop.generation.local.builtin import BuiltinBackend
from foundry_desktop.generation.local.media_file import MediaFileBackend


def default_registry() -> BackendRegistry:
    registry = BackendRegistry()
    registry.register(BuiltinBackend())
    registry.register(MediaFileBackend())
    return registry
