"""Foundry Desktop: a desktop editor for AI video."""

import sys
from pathlib import Path

__version__ = "0.1.0"

# The one place that says where the files shipped beside the code are: the repository
# when running from source, the bundle's own folder when frozen by PyInstaller (which
# puts resources/ and workflows/ there, see foundry.spec). Nothing is read relative to
# the working directory.
SHIPPED_DIR = Path(getattr(sys, "_MEIPASS", "")) if getattr(sys, "frozen", False) else Path(__file__).resolve().parent.parent
RESOURCES_DIR = SHIPPED_DIR / "resources"
WORKFLOWS_DIR = SHIPPED_DIR / "workflows"
