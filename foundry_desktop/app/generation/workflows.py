"""What the ComfyUI workflow library answers with, named for the views and commands: the
library, an entry of it, a workflow template, and a model file a template needs. ui/ and
cli/ reach generation/ only through app (tests/test_architecture.py); the library itself is
app.generation.backends.workflow_library().
"""

from foundry_desktop.generation.comfyui.library import WorkflowEntry, WorkflowLibrary
from foundry_desktop.generation.comfyui.template import ModelFile, WorkflowTemplate

__all__ = ["ModelFile", "WorkflowEntry", "WorkflowLibrary", "WorkflowTemplate"]
