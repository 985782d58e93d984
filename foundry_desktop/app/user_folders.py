"""Where Foundry keeps what belongs to the machine rather than to a project."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def cache_folder() -> Path:
    """Machine-wide caches (which encoders work here). FOUNDRY_CACHE_DIR moves it (tests, portable installs)."""
    override = os.environ.get("FOUNDRY_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("foundry-desktop", appauthor=False))


def config_folder() -> Path:
    """Machine-wide settings (ComfyUI servers, workflows). FOUNDRY_CONFIG_DIR moves it."""
    override = os.environ.get("FOUNDRY_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir("foundry-desktop", appauthor=False))


def documents_folder() -> Path:
    """Where new projects (and the demo) go by default: the user's documents.
    FOUNDRY_DOCUMENTS_DIR moves it (tests)."""
    override = os.environ.get("FOUNDRY_DOCUMENTS_DIR")
    return Path(override) if override else Path(platformdirs.user_documents_dir())
