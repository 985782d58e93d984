"""What the ComfyUI workflow library answers with, named for the views and commands: the
library, an entry of it, a workflow template, a model file a template needs, and the warning
for a template that ignores the prompt, seed or picture it is given. ui/ and
cli/ reach generation/ only through app (tests/test_architecture.py); the library itself is
app.generation.backends.workflow_library().
"""

from foundry_desktop.generation.comfyui.library import WorkflowEntry, WorkflowLibrary
from foundry_desktop.generation.comfyui.template import ModelFile, WorkflowTemplate
from foundry_desktop.generation.comfyui.template_bindings import import_warning

__all__ = ["ModelFile", "WorkflowEntry", "WorkflowLibrary", "WorkflowTemplate", "import_warning"]
