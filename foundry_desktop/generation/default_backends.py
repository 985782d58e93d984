"""The backends available without any configuration."""

from __future__ import annotations

from foundry_desktop.generation.backend import BackendRegistry
from foundry_desktop.generation.builtin import BuiltinBackend


def default_registry() -> BackendRegistry:
    registry = BackendRegistry()
    registry.register(BuiltinBackend())
    return registry
