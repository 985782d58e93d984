"""What the ComfyUI workflow library answers with, named for the views: an entry of the
library, a workflow template, and a model file a template needs. ui/ reaches generation/
only through app (tests/test_architecture.py); the library itself is
app.generation.backends.workflow_library().
"""

from foundry_desktop.generation.comfyui.library import WorkflowEntry
from foundry_desktop.generation.comfyui.template import ModelFile, WorkflowTemplate

__all__ = ["ModelFile", "WorkflowEntry", "WorkflowTemplate"]
