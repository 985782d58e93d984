"""Where ComfyUI keeps the model files a workflow's loaders name.

A loader node names a file (`svd_xt.safetensors`) that must sit in one of the
server's models folders (`checkpoints`); which folder follows from the loader's
class and input, or for custom loaders from the input's name.
"""

from __future__ import annotations

from typing import Any

# Model files a core loader names, by loader class: input -> models folder.
_LOADER_MODEL_INPUTS: dict[str, dict[str, str]] = {
    "CheckpointLoaderSimple": {"ckpt_name": "checkpoints"},
    "CheckpointLoader": {"ckpt_name": "checkpoints", "config_name": "configs"},
    "ImageOnlyCheckpointLoader": {"ckpt_name": "checkpoints"},
    "unCLIPCheckpointLoader": {"ckpt_name": "checkpoints"},
    "UNETLoader": {"unet_name": "diffusion_models"},
    "CLIPLoader": {"clip_name": "text_encoders"},
    "DualCLIPLoader": {"clip_name1": "text_encoders", "clip_name2": "text_encoders"},
    "TripleCLIPLoader": {f"clip_name{i}": "text_encoders" for i in (1, 2, 3)},
    "QuadrupleCLIPLoader": {f"clip_name{i}": "text_encoders" for i in (1, 2, 3, 4)},
    "CLIPVisionLoader": {"clip_name": "clip_vision"},
    "VAELoader": {"vae_name": "vae"},
    "LoraLoader": {"lora_name": "loras"},
    "LoraLoaderModelOnly": {"lora_name": "loras"},
    "ControlNetLoader": {"control_net_name": "controlnet"},
    "DiffControlNetLoader": {"control_net_name": "controlnet"},
    "UpscaleModelLoader": {"model_name": "upscale_models"},
    "StyleModelLoader": {"style_model_name": "style_models"},
    "GLIGENLoader": {"gligen_name": "gligen"},
    "HypernetworkLoader": {"hypernetwork_name": "hypernetworks"},
}
# For loaders we do not know (custom nodes), the input's name is a fair guess,
# used only when the value looks like a model file.
_MODEL_INPUT_FOLDERS = {
    "ckpt_name": "checkpoints",
    "unet_name": "diffusion_models",
    "vae_name": "vae",
    "lora_name": "loras",
    "control_net_name": "controlnet",
}
_MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft")
# ComfyUI renamed two folders and still reads the old names.
FOLDER_ALIASES = {"text_encoders": ("text_encoders", "clip"), "diffusion_models": ("diffusion_models", "unet")}


def model_folder(class_type: str, input_name: str, value: Any) -> str | None:
    """The models folder `value` must be in, or None when the input names no model file."""
    if not isinstance(value, str) or "." not in value:  # VAELoader's "taesd", "pixel_space"...
        return None
    known = _LOADER_MODEL_INPUTS.get(class_type)
    if known is not None:
        return known.get(input_name)
    if value.lower().endswith(_MODEL_SUFFIXES):
        return _MODEL_INPUT_FOLDERS.get(input_name)
    return None
