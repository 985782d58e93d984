"""A ComfyUI protocol test server: stands in for real ComfyUI 0.3.64 servers in tests.

It speaks the HTTP + WebSocket protocol of docs/protocols/comfyui.md
with the quirks a client must survive, and writes real (tiny) media files, so
a ComfyUI client can be tested end to end without a GPU:

* every route also answers under ``/api``;
* one prompt runs at a time, FIFO by queue number (``front`` jumps the queue),
  and ``GET /queue`` lists the pending prompts in a shuffled order;
* graphs are validated against the server's own ``/object_info`` with
  ComfyUI's 400 bodies (``invalid_prompt``, ``prompt_no_outputs``,
  ``no_prompt``, ``prompt_outputs_failed_validation`` with per-node
  ``node_errors``); a body that is not JSON gets a plain-text 500; the newer
  ``["COMBO", {...}]`` dropdowns are *not* validated at submit time and fail
  while running instead, so a 200 is not success;
* execution events go only to the submitting ``client_id`` (the latest socket
  opened with that id, as in ComfyUI), ``status`` goes to everyone, and a
  socket that reconnects mid-run gets an ``executing`` without ``prompt_id``;
* the history entry is written a little *after* ``execution_success`` is sent
  (``history_lag_s``) and lives in memory only: a restarted server forgets it;
* videos are reported under ``images`` with ``"animated": [true]``, named
  ``{prefix}_{counter:05}_.mp4``; an identical graph is served from ComfyUI's
  "classic" node cache (only the last prompt's nodes are kept) in milliseconds,
  with the old file name and no new file;
* ``/view`` supports ``Range`` (206), answers 404 for missing files and 403 for
  path traversal; ``/upload/image`` renames a clash to ``x (1).png``;
* ``/interrupt`` sets ComfyUI's one global flag, found by whatever prompt runs at its next
  check and cleared by the next prompt as it starts; a ``prompt_id`` is honoured (the flag set
  only while that prompt runs) as from ComfyUI 0.3.57 on, and ignored when ``comfyui_version``
  is older (or ``None``: a build whose ``/system_stats`` did not report one).

``/object_info`` answers from ``tests/data/comfyui/object_info.json``, the node definitions
of the shipped workflow templates as ComfyUI describes them (see tests/data/SOURCES.md), with
each loader's dropdown listing this server's model files and LoadImage's its input folder;
a few classes the capture lacks (PreviewImage, SaveAnimatedWEBP, VAEEncode, LoraLoader) keep
hand-written descriptions below. SaveAudio writes a real FLAC as long as the graph's
EmptyLatentAudio asks, reported under ``audio`` as ComfyUI does.

Where it knowingly differs from ComfyUI: every video saver, SaveAnimatedWEBP
included, writes an H.264 MP4 (real SaveAnimatedWEBP writes ``.webp``, which
FFmpeg cannot decode as an animation); a SaveImage fed a whole video writes at
most 16 PNGs; ``..`` in a /view *filename* answers 403 like a traversing
subfolder (docs/protocols/comfyui.md's rule; ComfyUI itself answers 400 there); nodes only
pretend to work: a prompt that is not cached takes ``job_seconds`` from
``execution_start`` to its history written (saving files included, unless
that alone takes longer), most of it in the samplers.

Fault injection for client tests (plain attributes and methods of
``ComfyUIServer``, safe to change from the test thread while the server runs):
``fail_node``, ``drop_sockets()``, ``hostile_filename``, ``truncate_downloads``,
``abort_downloads``, ``slow_responses_s``, ``refuse_uploads``,
``reject_next_prompt_with``, ``missing_models``, ``stop()`` mid-job, ``finish_after_queue_read``
(a prompt ends between a client's look at the queue and its next request),
``answer_interrupts_once_landed``; ``reply_mutation``
(a ``servers.mutated_replies.ReplyMutation``) breaks every answer of one endpoint or every
WebSocket message of one kind in one of ``reply_mutations.KINDS``'s ways.

``hold_samplers``, for tests that must not depend on the machine's speed: while it is
True, a sampler stops after its next progress report (an interrupt still lands), so a
prompt that started running surely is still running, and those behind it still
waiting, until the test sets it back to False.

The server runs in a background thread with its own event loop, so sync tests
and async tests (in any other loop) can use it alike::

    with ComfyUIServer(name="gpu-1", job_seconds=0.2) as server:
        httpx.post(f"{server.url}/prompt", json={"prompt": graph, "client_id": cid})
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import io
import json
import os
import random
import re
import shutil
import struct
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiohttp import WSMsgType, web
from PIL import Image

from servers import mutated_replies

COMFYUI_VERSION = "0.3.64"
# The first release whose /interrupt honours a prompt_id (Comfy-Org/ComfyUI#9607, server.py's
# post_interrupt); before it, /interrupt stops whatever prompt is running, whoever sent it.
TARGETED_INTERRUPT_SINCE = (0, 3, 57)
GIB = 1024**3
MAX_RESOLUTION = 16384
SEED_MAX = 0xFFFFFFFFFFFFFFFF
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# aiohttp's own answer when a handler raises, which is what ComfyUI sends for a body that is not JSON.
PLAIN_500 = "500 Internal Server Error\n\nServer got itself in trouble"

DEFAULT_MODELS: dict[str, list[str]] = {
    "checkpoints": [
        "ltx-video-2b-v0.9.5.safetensors", "sd_xl_base_1.0.safetensors", "stable-audio-open-1.0.safetensors",
        "svd_xt.safetensors", "v1-5-pruned-emaonly.safetensors",
    ],
    "diffusion_models": [
        "flux1-schnell.safetensors",
        "hunyuan_video_t2v_720p_bf16.safetensors",
        "qwen_image_fp8_e4m3fn.safetensors",
        "wan2.1_i2v_480p_14B_fp16.safetensors",
        "wan2.1_t2v_1.3B_fp16.safetensors",
        "wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors",
        "wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors",
        "wan2.2_ti2v_5B_fp16.safetensors",
    ],
    "text_encoders": [
        "clip_l.safetensors", "llava_llama3_fp8_scaled.safetensors", "qwen_2.5_vl_7b_fp8_scaled.safetensors",
        "t5_base.safetensors", "t5xxl_fp16.safetensors", "t5xxl_fp8_e4m3fn.safetensors",
        "umt5_xxl_fp8_e4m3fn_scaled.safetensors",
    ],
    "vae": [
        "ae.safetensors", "hunyuan_video_vae_bf16.safetensors", "qwen_image_vae.safetensors", "wan2.2_vae.safetensors",
        "wan_2.1_vae.safetensors",
    ],
    "clip_vision": ["clip_vision_h.safetensors"],
    "loras": [],
    "upscale_models": [],
    "embeddings": [],
}
DEFAULT_DEVICE = "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync"


async def _sleep_until(deadline: float) -> None:
    """Sleep until the event loop's clock reads `deadline` (at once if it is past)."""
    delay = deadline - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _is_link(value: Any) -> bool:
    """A node input that points at another node's output: ``[source_node_id, output_index]``."""
    return isinstance(value, list)


def _natural_key(node_id: str) -> tuple[int, int | str]:
    return (0, int(node_id)) if node_id.isdigit() else (1, node_id)


# --------------------------------------------------------------------------------------------
# The node catalogue: what /object_info says, and what the validator checks graphs against.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelList:
    """Stands for a dropdown of one model folder's files; filled in when /object_info is asked."""

    folder: str


@dataclass(frozen=True)
class InputImages:
    """Stands for LoadImage's dropdown of the files in the input folder."""


def _int(default: int, minimum: int = 0, maximum: int = MAX_RESOLUTION, step: int = 1, **extra: Any) -> list:
    return ["INT", {"default": default, "min": minimum, "max": maximum, "step": step, **extra}]


def _float(default: float, minimum: float, maximum: float, step: float, **extra: Any) -> list:
    return ["FLOAT", {"default": default, "min": minimum, "max": maximum, "step": step, **extra}]


def _classic(options: list | ModelList | InputImages, **extra: Any) -> list:
    """A dropdown in the classic shape: ``[[options...]]`` (plus an optional extra dict)."""
    return [options, extra] if extra else [options]


def _v3_combo(options: list[str], default: str) -> list:
    """A dropdown in the newer (V3 node) shape: ``["COMBO", {"options": [...], "default"}]``."""
    return ["COMBO", {"options": options, "default": default}]


SAMPLERS = [
    "euler", "euler_cfg_pp", "euler_ancestral", "euler_ancestral_cfg_pp", "heun", "heunpp2", "dpm_2",
    "dpm_2_ancestral", "lms", "dpm_fast", "dpm_adaptive", "dpmpp_2s_ancestral", "dpmpp_sde", "dpmpp_sde_gpu",
    "dpmpp_2m", "dpmpp_2m_sde", "dpmpp_2m_sde_gpu", "dpmpp_3m_sde", "dpmpp_3m_sde_gpu", "ddpm", "lcm", "ipndm",
    "ipndm_v", "deis", "res_multistep", "gradient_estimation", "er_sde", "ddim", "uni_pc", "uni_pc_bh2",
]  # fmt: skip
SCHEDULERS = ["simple", "sgm_uniform", "karras", "exponential", "ddim_uniform", "beta", "normal", "linear_quadratic", "kl_optimal"]
CLIP_TYPES = ["stable_diffusion", "stable_cascade", "sd3", "stable_audio", "mochi", "ltxv", "pixart", "cosmos",
              "lumina2", "wan", "hidream", "chroma", "ace", "omnigen2", "qwen_image", "hunyuan_image"]  # fmt: skip


@dataclass(frozen=True)
class NodeClass:
    """One node class as ComfyUI describes it in /object_info."""

    name: str
    category: str
    output: tuple[str, ...]
    required: dict[str, list]
    optional: dict[str, list] = field(default_factory=dict)
    output_name: tuple[str, ...] | None = None
    output_node: bool = False
    display_name: str | None = None
    python_module: str = "nodes"
    description: str = ""
    captured: dict[str, Any] | None = None  # the /object_info entry it was read from, answered as it is

    def input_spec(self, name: str) -> list | None:
        return self.required.get(name) or self.optional.get(name)


CAPTURE_PATH = Path(__file__).resolve().parents[1] / "data" / "comfyui" / "object_info.json"
# Which models folder a captured loader dropdown lists (the capture holds one server's files).
_CAPTURED_MODEL_FOLDERS = {
    ("CLIPVisionLoader", "clip_name"): "clip_vision",
    **{(loader, "ckpt_name"): "checkpoints" for loader in ("CheckpointLoaderSimple", "ImageOnlyCheckpointLoader")},
    ("UNETLoader", "unet_name"): "diffusion_models",
    ("CLIPLoader", "clip_name"): "text_encoders",
    ("DualCLIPLoader", "clip_name1"): "text_encoders",
    ("DualCLIPLoader", "clip_name2"): "text_encoders",
    ("VAELoader", "vae_name"): "vae",
}


def _captured_spec(class_type: str, name: str, spec: list) -> list:
    """A captured input spec, its file dropdowns standing for this server's files."""
    folder = _CAPTURED_MODEL_FOLDERS.get((class_type, name))
    if folder is not None:
        return [ModelList(folder), *spec[1:]]
    if (class_type, name) == ("LoadImage", "image"):
        return [InputImages(), *spec[1:]]
    return spec


def captured_nodes(path: Path = CAPTURE_PATH) -> tuple[NodeClass, ...]:
    """The node classes of the captured /object_info."""
    nodes = []
    for class_type, entry in json.loads(path.read_text(encoding="utf-8")).items():
        declared = entry["input"]
        nodes.append(NodeClass(
            class_type, entry["category"], tuple(entry["output"]),
            {name: _captured_spec(class_type, name, spec) for name, spec in declared.get("required", {}).items()},
            {name: _captured_spec(class_type, name, spec) for name, spec in declared.get("optional", {}).items()},
            output_name=tuple(entry["output_name"]), output_node=entry["output_node"],
            display_name=entry["display_name"], python_module=entry["python_module"],
            description=entry.get("description", ""), captured=entry,
        ))  # fmt: skip
    return tuple(nodes)


_SAMPLER_INPUTS = {
    "model": ["MODEL", {"tooltip": "The model used for denoising the input latent."}],
    "seed": _int(0, 0, SEED_MAX, control_after_generate=True),
    "steps": _int(20, 1, 10000),
    "cfg": _float(8.0, 0.0, 100.0, 0.1, round=0.01),
    "sampler_name": _classic(SAMPLERS),
    "scheduler": _classic(SCHEDULERS),
    "positive": ["CONDITIONING"],
    "negative": ["CONDITIONING"],
    "latent_image": ["LATENT"],
    "denoise": _float(1.0, 0.0, 1.0, 0.01),
}

CORE_NODES: tuple[NodeClass, ...] = (
    NodeClass("CheckpointLoaderSimple", "loaders", ("MODEL", "CLIP", "VAE"),
              {"ckpt_name": _classic(ModelList("checkpoints"), tooltip="The name of the checkpoint (model) to load.")},
              display_name="Load Checkpoint"),
    NodeClass("ImageOnlyCheckpointLoader", "loaders/video_models", ("MODEL", "CLIP_VISION", "VAE"),
              {"ckpt_name": _classic(ModelList("checkpoints"))}, display_name="Image Only Checkpoint Loader (img2vid model)",
              python_module="comfy_extras.nodes_video_model"),
    NodeClass("UNETLoader", "advanced/loaders", ("MODEL",),
              {"unet_name": _classic(ModelList("diffusion_models")),
               "weight_dtype": _classic(["default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"])},
              display_name="Load Diffusion Model"),
    NodeClass("CLIPLoader", "advanced/loaders", ("CLIP",),
              {"clip_name": _classic(ModelList("text_encoders")), "type": _classic(CLIP_TYPES)},
              {"device": _classic(["default", "cpu"], advanced=True)}, display_name="Load CLIP"),
    NodeClass("VAELoader", "loaders", ("VAE",), {"vae_name": _classic(ModelList("vae"))}, display_name="Load VAE"),
    NodeClass("CLIPVisionLoader", "loaders", ("CLIP_VISION",), {"clip_name": _classic(ModelList("clip_vision"))},
              display_name="Load CLIP Vision"),
    NodeClass("LoraLoader", "loaders", ("MODEL", "CLIP"),
              {"model": ["MODEL"], "clip": ["CLIP"], "lora_name": _classic(ModelList("loras")),
               "strength_model": _float(1.0, -100.0, 100.0, 0.01), "strength_clip": _float(1.0, -100.0, 100.0, 0.01)},
              display_name="Load LoRA"),
    NodeClass("CLIPTextEncode", "conditioning", ("CONDITIONING",),
              {"text": ["STRING", {"multiline": True, "dynamicPrompts": True}], "clip": ["CLIP"]},
              display_name="CLIP Text Encode (Prompt)"),
    NodeClass("CLIPVisionEncode", "conditioning", ("CLIP_VISION_OUTPUT",),
              {"clip_vision": ["CLIP_VISION"], "image": ["IMAGE"], "crop": _classic(["center", "none"])},
              display_name="CLIP Vision Encode"),
    NodeClass("KSampler", "sampling", ("LATENT",), dict(_SAMPLER_INPUTS),
              description="Uses the provided model, positive and negative conditioning to denoise the latent image."),
    NodeClass("KSamplerAdvanced", "sampling", ("LATENT",),
              {"model": ["MODEL"], "add_noise": _classic(["enable", "disable"]), "noise_seed": _int(0, 0, SEED_MAX),
               "steps": _int(20, 1, 10000), "cfg": _float(8.0, 0.0, 100.0, 0.1, round=0.01),
               "sampler_name": _classic(SAMPLERS), "scheduler": _classic(SCHEDULERS), "positive": ["CONDITIONING"],
               "negative": ["CONDITIONING"], "latent_image": ["LATENT"], "start_at_step": _int(0, 0, 10000),
               "end_at_step": _int(10000, 0, 10000), "return_with_leftover_noise": _classic(["disable", "enable"])},
              display_name="KSampler (Advanced)"),
    NodeClass("EmptyLatentImage", "latent", ("LATENT",),
              {"width": _int(512, 16, MAX_RESOLUTION, 8), "height": _int(512, 16, MAX_RESOLUTION, 8),
               "batch_size": _int(1, 1, 4096)}, display_name="Empty Latent Image"),
    NodeClass("EmptyHunyuanLatentVideo", "latent/video", ("LATENT",),
              {"width": _int(848, 16, MAX_RESOLUTION, 16), "height": _int(480, 16, MAX_RESOLUTION, 16),
               "length": _int(25, 1, MAX_RESOLUTION, 4), "batch_size": _int(1, 1, 4096)},
              python_module="comfy_extras.nodes_hunyuan"),
    NodeClass("VAEDecode", "latent", ("IMAGE",), {"samples": ["LATENT"], "vae": ["VAE"]}, display_name="VAE Decode"),
    NodeClass("VAEEncode", "latent", ("LATENT",), {"pixels": ["IMAGE"], "vae": ["VAE"]}, display_name="VAE Encode"),
    NodeClass("LoadImage", "image", ("IMAGE", "MASK"), {"image": _classic(InputImages(), image_upload=True)},
              display_name="Load Image"),
    NodeClass("SaveImage", "image", (), {"images": ["IMAGE"], "filename_prefix": ["STRING", {"default": "ComfyUI"}]},
              output_node=True, display_name="Save Image"),
    NodeClass("PreviewImage", "image", (), {"images": ["IMAGE"]}, output_node=True, display_name="Preview Image"),
    NodeClass("SVD_img2vid_Conditioning", "conditioning/video_models", ("CONDITIONING", "CONDITIONING", "LATENT"),
              {"clip_vision": ["CLIP_VISION"], "init_image": ["IMAGE"], "vae": ["VAE"],
               "width": _int(1024, 16, MAX_RESOLUTION, 8), "height": _int(576, 16, MAX_RESOLUTION, 8),
               "video_frames": _int(14, 1, 4096), "motion_bucket_id": _int(127, 1, 1023), "fps": _int(6, 1, 1024),
               "augmentation_level": _float(0.0, 0.0, 10.0, 0.01)},
              output_name=("positive", "negative", "latent"), python_module="comfy_extras.nodes_video_model"),
    NodeClass("VideoLinearCFGGuidance", "sampling/video_models", ("MODEL",),
              {"model": ["MODEL"], "min_cfg": _float(1.0, 0.0, 100.0, 0.5, round=0.01)},
              python_module="comfy_extras.nodes_video_model"),
    NodeClass("WanImageToVideo", "conditioning/video_models", ("CONDITIONING", "CONDITIONING", "LATENT"),
              {"positive": ["CONDITIONING"], "negative": ["CONDITIONING"], "vae": ["VAE"],
               "width": _int(832, 16, MAX_RESOLUTION, 16), "height": _int(480, 16, MAX_RESOLUTION, 16),
               "length": _int(81, 1, MAX_RESOLUTION, 4), "batch_size": _int(1, 1, 4096)},
              {"clip_vision_output": ["CLIP_VISION_OUTPUT"], "start_image": ["IMAGE"]},
              output_name=("positive", "negative", "latent"), python_module="comfy_extras.nodes_wan"),
    NodeClass("ModelSamplingSD3", "advanced/model", ("MODEL",),
              {"model": ["MODEL"], "shift": _float(3.0, 0.0, 100.0, 0.01)}, python_module="comfy_extras.nodes_model_advanced"),
    NodeClass("SaveAnimatedWEBP", "image/animation", (),
              {"images": ["IMAGE"], "filename_prefix": ["STRING", {"default": "ComfyUI"}],
               "fps": _float(6.0, 0.01, 1000.0, 0.01), "lossless": ["BOOLEAN", {"default": True}],
               "quality": _int(80, 0, 100), "method": _v3_combo(["default", "fastest", "slowest"], "default")},
              output_node=True, python_module="comfy_extras.nodes_images"),
    NodeClass("CreateVideo", "image/video", ("VIDEO",), {"images": ["IMAGE"], "fps": _float(30.0, 1.0, 120.0, 1.0)},
              {"audio": ["AUDIO"]}, display_name="Create Video", python_module="comfy_extras.nodes_video"),
    NodeClass("SaveVideo", "image/video", (),
              {"video": ["VIDEO"], "filename_prefix": ["STRING", {"default": "video/ComfyUI"}],
               "format": _v3_combo(["auto", "mp4"], "auto"), "codec": _v3_combo(["auto", "h264"], "auto")},
              output_node=True, display_name="Save Video", python_module="comfy_extras.nodes_video"),
)  # fmt: skip

SAMPLER_CLASSES = frozenset({"KSampler", "KSamplerAdvanced", "SamplerCustom"})
VIDEO_SAVERS = frozenset({"SaveVideo", "SaveAnimatedWEBP"})
SAVERS = VIDEO_SAVERS | {"SaveImage", "PreviewImage", "SaveAudio"}
IMAGE_SAVERS = frozenset({"SaveImage", "PreviewImage"})


class NodeCatalogue:
    """The node classes this server knows, described as ComfyUI's /object_info does."""

    def __init__(self, server: ComfyUIServer) -> None:
        self._server = server
        self._classes = {node.name: node for node in CORE_NODES} | {node.name: node for node in captured_nodes()}

    def __contains__(self, class_type: object) -> bool:
        return class_type in self._classes

    def __getitem__(self, class_type: str) -> NodeClass:
        return self._classes[class_type]

    def names(self) -> list[str]:
        return list(self._classes)

    def resolve(self, spec: list) -> list:
        """An input spec with its model / input-file placeholder replaced by today's file list."""
        head = spec[0]
        if isinstance(head, ModelList):
            return [self._server.model_files(head.folder), *copy.deepcopy(spec[1:])]
        if isinstance(head, InputImages):
            return [self._server.input_images(), *copy.deepcopy(spec[1:])]
        return copy.deepcopy(spec)

    def info(self, class_type: str) -> dict[str, Any]:
        node = self._classes[class_type]
        required = {name: self.resolve(spec) for name, spec in node.required.items()}
        optional = {name: self.resolve(spec) for name, spec in node.optional.items()}
        if node.captured is not None:
            info = copy.deepcopy(node.captured)
            info["input"]["required"] = required
            if optional:
                info["input"]["optional"] = optional
            return info
        inputs: dict[str, Any] = {"required": required}
        order: dict[str, list[str]] = {"required": list(required)}
        if optional:
            inputs["optional"] = optional
            order["optional"] = list(optional)
        if node.name in IMAGE_SAVERS | VIDEO_SAVERS:
            inputs["hidden"] = {"prompt": "PROMPT", "extra_pnginfo": "EXTRA_PNGINFO"}
            order["hidden"] = ["prompt", "extra_pnginfo"]
        return {
            "input": inputs,
            "input_order": order,
            "output": list(node.output),
            "output_is_list": [False] * len(node.output),
            "output_name": list(node.output_name or node.output),
            "name": node.name,
            "display_name": node.display_name or node.name,
            "description": node.description,
            "python_module": node.python_module,
            "category": node.category,
            "output_node": node.output_node,
        }

    def all_info(self) -> dict[str, Any]:
        return {name: self.info(name) for name in self._classes}


# --------------------------------------------------------------------------------------------
# Validation of a submitted graph, with ComfyUI's error bodies.
# --------------------------------------------------------------------------------------------


def _error(kind: str, message: str, details: str = "", extra_info: dict | None = None) -> dict[str, Any]:
    return {"type": kind, "message": message, "details": details, "extra_info": extra_info or {}}


@dataclass
class Verdict:
    """validate_prompt's answer: accepted or not, the top error, the outputs to run, per-node errors."""

    ok: bool
    error: dict[str, Any] | None
    outputs: list[str]
    node_errors: dict[str, Any]


class PromptValidator:
    """Checks an API-format graph the way ComfyUI's validate_prompt does before queueing it."""

    def __init__(self, catalogue: NodeCatalogue, server: ComfyUIServer) -> None:
        self._catalogue = catalogue
        self._server = server

    def validate(self, graph: Any) -> Verdict:
        if not isinstance(graph, dict):
            return Verdict(False, _error("invalid_prompt", "Cannot execute because the prompt is not a graph of nodes."), [], {})
        for node_id, node in graph.items():
            # The UI's save format ({"nodes": [...], "links": [...], ...}) fails here: its values are no nodes.
            if not isinstance(node, dict) or "class_type" not in node:
                message = "Cannot execute because a node is missing the class_type property."
                return Verdict(False, _error("invalid_prompt", message, f"Node ID '#{node_id}'"), [], {})
            if node["class_type"] not in self._catalogue:
                message = f"Cannot execute because node {node['class_type']} does not exist."
                return Verdict(False, _error("invalid_prompt", message, f"Node ID '#{node_id}'"), [], {})
        outputs = sorted(
            (node_id for node_id, node in graph.items() if self._catalogue[node["class_type"]].output_node),
            key=_natural_key,
        )
        if not outputs:
            return Verdict(False, _error("prompt_no_outputs", "Prompt has no outputs"), [], {})

        validated: dict[str, tuple[bool, list[dict]]] = {}
        good_outputs: list[str] = []
        failed: list[tuple[str, list[dict]]] = []
        node_errors: dict[str, Any] = {}
        for output_id in outputs:
            valid, reasons = self._validate_node(graph, output_id, validated)
            if valid:
                good_outputs.append(output_id)
                continue
            if reasons:
                failed.append((output_id, reasons))
            # As in ComfyUI: every node with errors of its own names the failing output as dependent.
            for node_id, (node_valid, node_reasons) in validated.items():
                if node_valid or not node_reasons:
                    continue
                entry = node_errors.setdefault(
                    node_id,
                    {"errors": node_reasons, "dependent_outputs": [], "class_type": graph[node_id]["class_type"]},
                )
                entry["dependent_outputs"].append(output_id)
        if not good_outputs:
            details = "\n".join(f"{r['message']}: {r['details']}" for _, reasons in failed for r in reasons)
            error = _error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details)
            return Verdict(False, error, [], node_errors)
        return Verdict(True, None, good_outputs, node_errors)

    def _validate_node(self, graph: dict, node_id: str, validated: dict) -> tuple[bool, list[dict]]:
        if node_id in validated:
            return validated[node_id]
        validated[node_id] = (True, [])  # a cycle is reported when it runs, not here
        node = graph[node_id]
        node_class = self._catalogue[node["class_type"]]
        inputs = node.get("inputs") or {}
        reasons: list[dict] = []
        upstream_ok = True
        specs = [(name, spec, True) for name, spec in node_class.required.items()]
        specs += [(name, spec, False) for name, spec in node_class.optional.items()]
        for name, raw_spec, required in specs:
            spec = self._catalogue.resolve(raw_spec)
            if name not in inputs:
                if required:
                    reasons.append(_error("required_input_missing", "Required input is missing", name, {"input_name": name}))
                continue
            value = inputs[name]
            if _is_link(value):
                linked_ok = self._check_link(graph, name, spec, value, reasons, validated)
                upstream_ok = upstream_ok and linked_ok
            else:
                self._check_literal(node_class, name, spec, value, reasons)
        result = (upstream_ok and not reasons, reasons)
        validated[node_id] = result
        return result

    def _check_link(self, graph: dict, name: str, spec: list, value: list, reasons: list, validated: dict) -> bool:
        if len(value) != 2:
            message = "Bad linked input, must be a length-2 list of [node_id, slot_index]"
            reasons.append(_error("bad_linked_input", message, name,
                                  {"input_name": name, "input_config": spec, "received_value": value}))
            return False
        source_id = str(value[0])
        try:
            source = graph[source_id]
            received = self._catalogue[source["class_type"]].output[int(value[1])]
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            reasons.append(_error("exception_during_inner_validation", "Exception when validating inner node", str(exc), {
                "input_name": name, "input_config": spec, "exception_message": str(exc),
                "exception_type": type(exc).__name__, "traceback": [], "linked_node": value,
            }))  # fmt: skip
            return False
        expected = spec[0] if isinstance(spec[0], str) else "COMBO"
        if "*" not in (received, expected) and received != expected:
            details = f"{name}, received_type({received}) mismatch input_type({expected})"
            reasons.append(_error("return_type_mismatch", "Return type mismatch between linked nodes", details,
                                  {"input_name": name, "input_config": spec, "received_type": received, "linked_node": value}))
            return False
        return self._validate_node(graph, source_id, validated)[0]

    def _check_literal(self, node_class: NodeClass, name: str, spec: list, value: Any, reasons: list) -> None:
        kind = spec[0]
        extra = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
        info = {"input_name": name, "input_config": spec, "received_value": value}
        if node_class.name == "LoadImage" and name == "image":
            # LoadImage validates its file itself, so a name in a subfolder or just uploaded passes.
            if not self._server.input_file(str(value)):
                reasons.append(_error("custom_validation_failed", "Custom validation failed for node",
                                      f"{name} - Invalid image file: {value}", info))
            return
        if isinstance(kind, list):
            if value not in kind:
                shown = kind if len(kind) <= 20 else [*kind[:20], "..."]
                reasons.append(_error("value_not_in_list", "Value not in list", f"{name}: '{value}' not in {shown}", info))
            return
        if kind in ("INT", "FLOAT"):
            try:
                number = int(value) if kind == "INT" else float(value)
            except (TypeError, ValueError) as exc:
                reasons.append(_error("invalid_input_type", f"Failed to convert an input value to a {kind} value",
                                      f"{name}, {value}, {exc}", {**info, "exception_message": str(exc)}))
                return
            if "min" in extra and number < extra["min"]:
                reasons.append(_error("value_smaller_than_min", f"Value {number} smaller than min of {extra['min']}", name, info))
            if "max" in extra and number > extra["max"]:
                reasons.append(_error("value_bigger_than_max", f"Value {number} bigger than max of {extra['max']}", name, info))
        # "COMBO" (newer nodes) is deliberately not checked here: such a prompt fails while running.


# --------------------------------------------------------------------------------------------
# The media the fake output nodes write.
# --------------------------------------------------------------------------------------------

# Which node of a graph decides an output's size and length, and through which inputs.
SHAPE_SOURCES = {
    "EmptyHunyuanLatentVideo": ("width", "height", "length"),
    "WanImageToVideo": ("width", "height", "length"),
    "WanFirstLastFrameToVideo": ("width", "height", "length"),
    "Wan22ImageToVideoLatent": ("width", "height", "length"),
    "EmptyLTXVLatentVideo": ("width", "height", "length"),
    "LTXVImgToVideo": ("width", "height", "length"),
    "EmptySD3LatentImage": ("width", "height", "batch_size"),
    "SVD_img2vid_Conditioning": ("width", "height", "video_frames"),
    "EmptyLatentImage": ("width", "height", "batch_size"),
}
FPS_SOURCES = {"SaveAnimatedWEBP": "fps", "CreateVideo": "fps", "SVD_img2vid_Conditioning": "fps"}
MAX_IMAGES_PER_SAVE = 16  # a SaveImage fed a whole video would write every frame; a few are enough here


@dataclass(frozen=True)
class OutputShape:
    width: int
    height: int
    frames: int
    fps: Fraction

    @classmethod
    def of(cls, graph: dict, node_id: str, *, video: bool) -> OutputShape:
        """The output's size from the nearest latent / conditioning node upstream (64x64 when none)."""
        width, height, frames = 64, 64, 8 if video else 1
        fps: Fraction | None = None
        sized = False
        queue, seen = [node_id], {node_id}
        while queue:
            current = queue.pop(0)
            node = graph.get(current) or {}
            inputs = node.get("inputs") or {}
            class_type = node.get("class_type")
            if fps is None and class_type in FPS_SOURCES and isinstance(inputs.get(FPS_SOURCES[class_type]), (int, float)):
                fps = Fraction(inputs[FPS_SOURCES[class_type]]).limit_denominator(1001)
            if not sized and class_type in SHAPE_SOURCES:
                keys = SHAPE_SOURCES[class_type]
                values = [inputs.get(key) for key in keys]
                if all(isinstance(v, int) and v > 0 for v in values):
                    width, height, frames = values
                    sized = True
            for value in inputs.values():
                if _is_link(value) and value and str(value[0]) not in seen:
                    seen.add(str(value[0]))
                    queue.append(str(value[0]))
        if video:  # H.264 in yuv420p needs even sizes
            width, height = max(2, width - width % 2), max(2, height - height % 2)
        return cls(width, height, frames, fps or Fraction(24))


class SaveError(Exception):
    """A saver refused its filename_prefix (ComfyUI refuses to write outside the output folder)."""


class MediaWriter:
    """Writes real files into the server's folders, named and numbered like ComfyUI's savers."""

    def __init__(self, server: ComfyUIServer) -> None:
        self._server = server

    def save_video(self, prefix: str, shape: OutputShape) -> dict[str, Any]:
        folder, name, counter, subfolder = self._next_path(self._server.output_dir, prefix)
        filename = f"{name}_{counter:05}_.mp4"
        _write_mp4(folder / filename, shape)
        self._server._record_file(folder / filename)
        return {"images": [{"filename": filename, "subfolder": subfolder, "type": "output"}], "animated": [True]}

    def save_images(self, prefix: str, shape: OutputShape, kind: str = "output") -> dict[str, Any]:
        base = self._server.output_dir if kind == "output" else self._server.temp_dir
        folder, name, counter, subfolder = self._next_path(base, prefix)
        entries = []
        for index in range(min(shape.frames, MAX_IMAGES_PER_SAVE)):
            filename = f"{name}_{counter + index:05}_.png"
            Image.fromarray(_picture(shape.width, shape.height, index)).save(folder / filename, compress_level=1)
            self._server._record_file(folder / filename)
            entries.append({"filename": filename, "subfolder": subfolder, "type": kind})
        return {"images": entries}

    def save_audio(self, prefix: str, seconds: float) -> dict[str, Any]:
        """SaveAudio: a stereo 44.1 kHz FLAC named like ComfyUI's, reported under ``audio``."""
        folder, name, counter, subfolder = self._next_path(self._server.output_dir, prefix)
        filename = f"{name}_{counter:05}_.flac"
        _write_flac(folder / filename, seconds)
        self._server._record_file(folder / filename)
        return {"audio": [{"filename": filename, "subfolder": subfolder, "type": "output"}]}

    @staticmethod
    def _next_path(base: Path, prefix: str) -> tuple[Path, str, int, str]:
        """ComfyUI's get_save_image_path: the prefix's folder part is a subfolder, the counter follows the files there."""
        normal = os.path.normpath(prefix)
        subfolder, name = os.path.dirname(normal), os.path.basename(normal)
        folder = (base / subfolder).resolve()
        if os.path.commonpath((base.resolve(), folder)) != str(base.resolve()):
            raise SaveError("**** ERROR: Saving image outside the output folder is not allowed.")
        folder.mkdir(parents=True, exist_ok=True)
        pattern = re.compile(rf"^{re.escape(name)}_(\d+)_")
        counters = [int(m.group(1)) for f in os.listdir(folder) if (m := pattern.match(f))]
        return folder, name, max(counters, default=0) + 1, subfolder.replace(os.sep, "/")


def _picture(width: int, height: int, index: int) -> np.ndarray:
    """A frame that changes with its index: a colour ramp with a bar sweeping across it."""
    ramp = np.linspace(0, 255, width, dtype=np.float32)
    frame = np.empty((height, width, 3), dtype=np.uint8)
    frame[..., 0] = ramp.astype(np.uint8)
    frame[..., 1] = (255 - ramp).astype(np.uint8)
    frame[..., 2] = (40 + 9 * index) % 256
    bar = (index * max(1, width // 12)) % width
    frame[:, bar : bar + max(1, width // 16)] = 255
    return frame


def _write_mp4(path: Path, shape: OutputShape) -> None:
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=shape.fps)
        stream.width, stream.height, stream.pix_fmt = shape.width, shape.height, "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast"}
        for index in range(shape.frames):
            frame = av.VideoFrame.from_ndarray(_picture(shape.width, shape.height, index), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


AUDIO_RATE = 44100  # what Stable Audio's VAEDecodeAudio gives


def _audio_seconds(graph: dict, node_id: str) -> float:
    """How long a saved sound lasts: the seconds of the nearest EmptyLatentAudio upstream (5 when none)."""
    queue, seen = [node_id], {node_id}
    while queue:
        node = graph.get(queue.pop(0)) or {}
        inputs = node.get("inputs") or {}
        if node.get("class_type") == "EmptyLatentAudio" and isinstance(inputs.get("seconds"), (int, float)):
            return float(inputs["seconds"])
        for value in inputs.values():
            if _is_link(value) and str(value[0]) not in seen:
                seen.add(str(value[0]))
                queue.append(str(value[0]))
    return 5.0


def _write_flac(path: Path, seconds: float) -> None:
    """A quiet stereo chord, as long as asked (Stable Audio's latent holds whole 2048-sample blocks)."""
    samples = max(2048, round(seconds * AUDIO_RATE / 2048) * 2048)
    time_axis = np.arange(samples, dtype=np.float32) / AUDIO_RATE
    tone = 0.1 * (np.sin(2 * np.pi * 220 * time_axis) + np.sin(2 * np.pi * 330 * time_axis))
    with av.open(str(path), mode="w", format="flac") as container:
        stream = container.add_stream("flac", rate=AUDIO_RATE, layout="stereo")
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]).astype(np.float32).reshape(1, -1), format="flt", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        container.mux(stream.encode(None))


def _preview_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(_picture(64, 64, 3)).save(buffer, format="JPEG", quality=60)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# WebSocket clients.
# --------------------------------------------------------------------------------------------


class ClientSockets:
    """The open WebSockets by client id. As in ComfyUI, a client id's newest socket is the one that hears."""

    def __init__(self, mutation: Any = lambda: None) -> None:
        self._by_client: dict[str, web.WebSocketResponse] = {}
        self._open: dict[web.WebSocketResponse, web.Request] = {}
        self._mutation = mutation  # () -> the ReplyMutation in force, if any

    def attach(self, client_id: str, ws: web.WebSocketResponse, request: web.Request) -> None:
        self._by_client[client_id] = ws
        self._open[ws] = request

    def detach(self, client_id: str, ws: web.WebSocketResponse) -> None:
        self._open.pop(ws, None)
        if self._by_client.get(client_id) is ws:
            del self._by_client[client_id]

    def client_ids(self) -> list[str]:
        return list(self._by_client)

    async def send(self, client_id: str | None, event: str, data: dict[str, Any]) -> None:
        ws = self._by_client.get(client_id) if client_id else None
        if ws is not None:
            await self._send(ws, json.dumps({"type": event, "data": data}), event)

    async def send_bytes(self, client_id: str | None, payload: bytes) -> None:
        ws = self._by_client.get(client_id) if client_id else None
        if ws is not None:
            with contextlib.suppress(Exception):
                await mutated_replies.send_bytes(ws, self._open.get(ws), payload, self._mutation())

    async def broadcast(self, event: str, data: dict[str, Any]) -> None:
        text = json.dumps({"type": event, "data": data})
        for ws in list(self._by_client.values()):
            await self._send(ws, text, event)

    async def _send(self, ws: web.WebSocketResponse, text: str, event: str) -> None:
        # A socket that died under us is the client's problem, never the server's (ComfyUI logs and goes on).
        with contextlib.suppress(Exception):
            await mutated_replies.send_text(ws, self._open.get(ws), text, event, self._mutation())

    def abort_all(self) -> None:
        """Cut every socket at the TCP level, as a dying process or a network drop would: no close frame."""
        for request in list(self._open.values()):
            if request.transport is not None:
                request.transport.abort()
        self._open.clear()
        self._by_client.clear()


# --------------------------------------------------------------------------------------------
# The queue, the classic node cache, and the execution of one prompt.
# --------------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    number: float
    prompt_id: str
    graph: dict[str, Any]
    extra_data: dict[str, Any]
    outputs: list[str]
    sequence: int = 0  # ties between equal numbers go to the earlier submission
    rushed: bool = False  # finish_after_queue_read picked it: it ends at once, held samplers or not

    def as_list(self) -> list[Any]:
        """The queue's wire form: ``[number, prompt_id, graph, extra_data, outputs]``."""
        return [self.number, self.prompt_id, self.graph, self.extra_data, self.outputs]

    @property
    def client_id(self) -> str | None:
        return self.extra_data.get("client_id")


class NodeCache:
    """ComfyUI's "classic" cache: a node whose inputs, recursively, are unchanged is not run again.

    Only the nodes of the last prompt are kept, so A, B, A runs A's own nodes twice.
    """

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Any] | None] = {}  # signature -> the node's UI output (None: no UI)

    def signatures(self, graph: dict, server: ComfyUIServer) -> dict[str, str]:
        memo: dict[str, str] = {}

        def signature(node_id: str, depth: int = 0) -> str:
            if node_id in memo:
                return memo[node_id]
            if depth > len(graph):  # a cycle: give it a signature of its own, it fails when it runs
                return uuid.uuid4().hex
            node = graph[node_id]
            parts: list[Any] = [node["class_type"]]
            for name in sorted(node.get("inputs") or {}):
                value = node["inputs"][name]
                if _is_link(value) and len(value) == 2 and str(value[0]) in graph:
                    parts.append([name, "link", signature(str(value[0]), depth + 1), value[1]])
                else:
                    parts.append([name, value])
            if node["class_type"] == "LoadImage":  # its IS_CHANGED: the file's content
                path = server.input_file(str((node.get("inputs") or {}).get("image", "")))
                parts.append(hashlib.sha256(path.read_bytes()).hexdigest() if path else None)
            memo[node_id] = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
            return memo[node_id]

        return {node_id: signature(node_id) for node_id in graph}

    def has(self, signature: str) -> bool:
        return signature in self._entries

    def ui(self, signature: str) -> dict[str, Any] | None:
        return self._entries.get(signature)

    def put(self, signature: str, ui: dict[str, Any] | None) -> None:
        self._entries[signature] = ui

    def keep_only(self, signatures: Iterable[str]) -> None:
        keep = set(signatures)
        self._entries = {key: value for key, value in self._entries.items() if key in keep}


class Interrupted(Exception):
    def __init__(self, node_id: str, node_type: str) -> None:
        super().__init__(node_id)
        self.node_id, self.node_type = node_id, node_type


class NodeFailure(Exception):
    def __init__(self, node_id: str, node_type: str, error: BaseException, inputs: dict[str, Any]) -> None:
        super().__init__(str(error))
        self.node_id, self.node_type, self.error, self.inputs = node_id, node_type, error, inputs


class PromptExecution:
    """Runs one prompt: the events, in ComfyUI's order, the fake work, and the files."""

    def __init__(self, session: ServerSession, item: QueueItem) -> None:
        self.session = session
        self.server = session.server
        self.item = item
        self.messages: list[list[Any]] = []  # what history keeps under status.messages
        self.outputs: dict[str, Any] = {}
        self.executed: list[str] = []
        self.progress_nodes: dict[str, dict[str, Any]] = {}

    async def emit(self, event: str, data: dict[str, Any], *, record: bool = False) -> None:
        if record:
            self.messages.append([event, data])
        await self.session.sockets.send(self.item.client_id, event, data)

    async def run(self) -> str:
        """Runs the graph; answers "success" or "error" (failed or interrupted)."""
        prompt_id, graph = self.item.prompt_id, self.item.graph
        cache = self.session.cache
        await self.emit("execution_start", {"prompt_id": prompt_id, "timestamp": _now_ms()}, record=True)
        order = self._order()
        signatures = cache.signatures(graph, self.server)
        cached = [node_id for node_id in order if cache.has(signatures[node_id])]
        await self.emit("execution_cached", {"nodes": cached, "prompt_id": prompt_id, "timestamp": _now_ms()}, record=True)
        deadlines = self._deadlines([node_id for node_id in order if node_id not in cached])
        status = "error"
        try:
            for node_id in order:
                self._check_interrupt(node_id)
                if node_id in cached:
                    await self._report(node_id, cache.ui(signatures[node_id]))
                    self.executed.append(node_id)
                    continue
                self.session.queue.last_node_id = node_id
                await self.emit("executing", {"node": node_id, "display_node": node_id, "prompt_id": prompt_id})
                await self._progress_state(node_id, 0, 1, "running")
                ui = await self._run_node(node_id, deadlines[node_id])
                cache.put(signatures[node_id], ui)
                self.executed.append(node_id)
                self.progress_nodes[node_id]["state"] = "finished"
                await self._report(node_id, ui)
            await self.emit("execution_success", {"prompt_id": prompt_id, "timestamp": _now_ms()}, record=True)
            status = "success"
        except Interrupted as stop:
            await self.emit("execution_interrupted", {
                "prompt_id": prompt_id, "node_id": stop.node_id, "node_type": stop.node_type,
                "executed": list(self.executed), "timestamp": _now_ms(),
            }, record=True)  # fmt: skip
        except NodeFailure as failure:
            error = failure.error
            await self.emit("execution_error", {
                "prompt_id": prompt_id, "node_id": failure.node_id, "node_type": failure.node_type,
                "executed": list(self.executed), "exception_message": str(error),
                "exception_type": type(error).__name__, "traceback": traceback.format_tb(error.__traceback__),
                "current_inputs": failure.inputs, "current_outputs": list(self.outputs), "timestamp": _now_ms(),
            }, record=True)  # fmt: skip
        cache.keep_only(signatures.values())
        return status

    def _order(self) -> list[str]:
        """The nodes the outputs need, each after the nodes it reads from."""
        graph, order, seen = self.item.graph, [], set()

        def visit(node_id: str) -> None:
            if node_id in seen or node_id not in graph:
                return
            seen.add(node_id)
            for value in (graph[node_id].get("inputs") or {}).values():
                if _is_link(value) and value:
                    visit(str(value[0]))
            order.append(node_id)

        for output_id in self.item.outputs:
            visit(output_id)
        return order

    def _deadlines(self, to_run: list[str]) -> dict[str, float]:
        """When each node that really runs is done (event-loop time): job_seconds from now to
        the history written, spread over the nodes; samplers take most of it, as on a GPU.
        Deadlines rather than durations, so the events and files a node makes come out of
        its time instead of adding to it."""
        total = max(0.0, float(self.server.job_seconds) - self.server.history_lag_s)
        samplers = [n for n in to_run if self.item.graph[n]["class_type"] in SAMPLER_CLASSES]
        others = [n for n in to_run if n not in samplers]
        if not samplers:
            budget = {n: total / len(others) for n in others}
        else:
            share = 0.8 if others else 1.0
            budget = {n: total * share / len(samplers) for n in samplers}
            budget.update({n: total * (1 - share) / len(others) for n in others})
        deadlines, at = {}, asyncio.get_running_loop().time()
        for node_id in to_run:
            at += budget[node_id]
            deadlines[node_id] = at
        return deadlines

    def _check_interrupt(self, node_id: str) -> None:
        if self.session.queue.interrupt_requested:
            raise Interrupted(node_id, self.item.graph[node_id]["class_type"])

    async def _progress_state(self, node_id: str, value: int, maximum: int, state: str) -> None:
        self.progress_nodes[node_id] = {
            "value": value, "max": maximum, "state": state, "node_id": node_id, "prompt_id": self.item.prompt_id,
            "display_node_id": node_id, "parent_node_id": None, "real_node_id": node_id,
        }  # fmt: skip
        await self.emit("progress_state", {"prompt_id": self.item.prompt_id, "nodes": copy.deepcopy(self.progress_nodes)})

    async def _report(self, node_id: str, ui: dict[str, Any] | None) -> None:
        if ui is None:
            return
        shown = self.session.as_reported(ui)
        self.outputs[node_id] = shown
        await self.emit("executed", {"node": node_id, "display_node": node_id, "output": shown, "prompt_id": self.item.prompt_id})

    async def _run_node(self, node_id: str, deadline: float) -> dict[str, Any] | None:
        node = self.item.graph[node_id]
        class_type, inputs = node["class_type"], node.get("inputs") or {}
        try:
            if class_type in SAMPLER_CLASSES:
                await self._sample(node_id, inputs, deadline)
            elif class_type not in SAVERS:
                await _sleep_until(deadline)  # a saver saves first, and takes the rest of its time after
            self._check_interrupt(node_id)
            self._check_runtime_inputs(class_type, inputs)
            if self.server.fail_node == class_type:
                raise RuntimeError(f"Injected failure in {class_type} (fail_node)")
            ui = await self._save(node_id, class_type, inputs)
            await _sleep_until(deadline)
            return ui
        except (Interrupted, asyncio.CancelledError):
            raise
        except Exception as exc:
            current = {name: [value if not _is_link(value) else f"<output {value[1]} of node {value[0]}>"]
                       for name, value in inputs.items()}  # fmt: skip
            raise NodeFailure(node_id, class_type, exc, current) from exc

    async def _sample(self, node_id: str, inputs: dict[str, Any], deadline: float) -> None:
        steps = inputs.get("steps") if isinstance(inputs.get("steps"), int) and inputs["steps"] > 0 else 20
        start = asyncio.get_running_loop().time()
        for step in range(1, steps + 1):
            await _sleep_until(start + (deadline - start) * step / steps)
            self._check_interrupt(node_id)  # ComfyUI's interrupt lands at a progress tick
            progress = {"value": step, "max": steps, "prompt_id": self.item.prompt_id, "node": node_id}
            await self.emit("progress", progress)
            await self._progress_state(node_id, step, steps, "running")
            if step == (steps + 1) // 2 and self.server.send_previews:
                # A binary preview frame: event type 1 (PREVIEW_IMAGE), then image type 1 (JPEG), then the JPEG.
                await self.session.sockets.send_bytes(self.item.client_id, struct.pack(">II", 1, 1) + _preview_jpeg())
            while self.server.hold_samplers and not self.item.rushed:
                await asyncio.sleep(0.01)
                self._check_interrupt(node_id)

    def _check_runtime_inputs(self, class_type: str, inputs: dict[str, Any]) -> None:
        """What ComfyUI only finds out while running: newer dropdowns, models or images gone since submit."""
        node_class = self.session.catalogue[class_type]
        for name, value in inputs.items():
            spec = node_class.input_spec(name)
            if not spec or _is_link(value):
                continue
            if spec[0] == "COMBO" and value not in spec[1]["options"]:
                raise ValueError(f"Invalid value for {name}: {value!r} is not one of {spec[1]['options']}")
            if isinstance(spec[0], ModelList) and value not in self.server.model_files(spec[0].folder):
                raise FileNotFoundError(f"Model in folder '{spec[0].folder}' with filename '{value}' not found.")
            if isinstance(spec[0], InputImages) and not self.server.input_file(str(value)):
                raise FileNotFoundError(f"[Errno 2] No such file or directory: '{value}'")

    async def _save(self, node_id: str, class_type: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        graph, media = self.item.graph, self.session.media
        prefix = str(inputs.get("filename_prefix", "ComfyUI"))
        if class_type == "SaveAudio":
            return await asyncio.to_thread(media.save_audio, prefix, _audio_seconds(graph, node_id))
        if class_type in VIDEO_SAVERS:
            # Real SaveAnimatedWEBP writes .webp; every video saver writes H.264 MP4 here (see the module docstring).
            shape = OutputShape.of(graph, node_id, video=True)
            return await asyncio.to_thread(media.save_video, prefix, shape)
        if class_type == "SaveImage":
            return await asyncio.to_thread(media.save_images, prefix, OutputShape.of(graph, node_id, video=False))
        if class_type == "PreviewImage":
            temp_prefix = "ComfyUI_temp_" + "".join(random.choices("abcdefghijklmnopqrstuvwxyz", k=5))
            shape = OutputShape.of(graph, node_id, video=False)
            return await asyncio.to_thread(media.save_images, temp_prefix, shape, "temp")
        return None


class PromptQueue:
    """The queue, the running prompt and the history: one prompt at a time, lowest number first."""

    def __init__(self, session: ServerSession) -> None:
        self.session = session
        self.server = session.server
        self.pending: list[QueueItem] = []
        self.running: QueueItem | None = None
        self.history: dict[str, dict[str, Any]] = {}
        self.number = 0
        self.interrupt_requested = False
        self.last_node_id: str | None = None
        self._sequence = 0
        self._wakeup = asyncio.Event()

    def next_number(self, front: bool) -> int:
        number = self.number
        self.number += 1
        return -number if front else number

    def put(self, item: QueueItem) -> None:
        self._sequence += 1
        item.sequence = self._sequence
        self.pending.append(item)
        self._wakeup.set()

    def remaining(self) -> int:
        return len(self.pending) + (1 if self.running else 0)

    def info(self) -> dict[str, Any]:
        return {"exec_info": {"queue_remaining": self.remaining()}}

    def delete(self, prompt_ids: Iterable[str]) -> list[str]:
        """Removes pending prompts only; the running one needs /interrupt."""
        wanted = set(prompt_ids)
        removed = [item.prompt_id for item in self.pending if item.prompt_id in wanted]
        self.pending = [item for item in self.pending if item.prompt_id not in wanted]
        return removed

    def clear(self) -> list[str]:
        removed = [item.prompt_id for item in self.pending]
        self.pending = []
        return removed

    def interrupt(self, prompt_id: str | None) -> QueueItem | None:
        """ComfyUI's one global flag, which the running prompt finds at its next node boundary or
        progress tick, and which the next prompt clears as it starts: the prompt it stops is the one
        running when the flag is found, not the one the client saw. From 0.3.57 on a prompt_id makes
        the server set it only while that prompt is running; older servers ignore the prompt_id.
        The prompt running when it was set, if any."""
        if prompt_id and self.server.targets_interrupts():
            if self.running is None or prompt_id != self.running.prompt_id:
                return None  # "Prompt ... is not currently running, skipping interrupt"
        self.interrupt_requested = True
        return self.running

    async def until_gone(self, item: QueueItem) -> None:
        """Wait until `item` has ended and the next prompt, if one is waiting, has started."""
        while self.running is item or (self.running is None and self.pending):
            await asyncio.sleep(0.005)

    async def run_forever(self) -> None:
        while True:
            while not self.pending:
                self._wakeup.clear()
                await self._wakeup.wait()
            item = min(self.pending, key=lambda i: (i.number, i.sequence))
            self.pending.remove(item)
            await self._run(item)

    async def _run(self, item: QueueItem) -> None:
        self.running = item
        self.interrupt_requested = False  # an interrupt with nothing running does not carry over
        self.server._record_executed(item.prompt_id)
        await self.session.sockets.broadcast("status", {"status": self.info()})
        execution = PromptExecution(self.session, item)
        status = await execution.run()
        if self.server.history_lag_s:
            await asyncio.sleep(self.server.history_lag_s)  # history lands just after execution_success
        self.history[item.prompt_id] = {
            "prompt": item.as_list(),
            "outputs": execution.outputs,
            "status": {"status_str": status, "completed": status == "success", "messages": execution.messages},
            "meta": {node_id: {"node_id": node_id, "display_node": node_id, "parent_node": None, "real_node_id": node_id}
                     for node_id in execution.outputs},
        }  # fmt: skip
        self.running, self.last_node_id = None, None
        await self.session.sockets.broadcast("status", {"status": self.info()})
        await self.session.sockets.send(item.client_id, "executing", {"node": None, "prompt_id": item.prompt_id})


# --------------------------------------------------------------------------------------------
# HTTP + WebSocket routes.
# --------------------------------------------------------------------------------------------


class ComfyUIRoutes:
    """The HTTP and WebSocket handlers, each mounted at its path and again under /api."""

    def __init__(self, session: ServerSession) -> None:
        self.session = session
        self.server = session.server

    def application(self) -> web.Application:
        mutate = mutated_replies.reply_middleware(lambda: self.server.reply_mutation)
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES, middlewares=[self._slow_responses, mutate])
        routes = [
            ("GET", "/ws", self.websocket),
            ("POST", "/prompt", self.post_prompt),
            ("GET", "/prompt", self.get_prompt),
            ("GET", "/queue", self.get_queue),
            ("POST", "/queue", self.post_queue),
            ("POST", "/interrupt", self.post_interrupt),
            ("GET", "/history", self.get_history),
            ("GET", "/history/{prompt_id}", self.get_history_item),
            ("POST", "/history", self.post_history),
            ("GET", "/view", self.view),
            ("POST", "/upload/image", self.upload_image),
            ("GET", "/system_stats", self.system_stats),
            ("GET", "/object_info", self.object_info),
            ("GET", "/object_info/{node_class}", self.object_info_node),
            ("GET", "/models", self.model_folders),
            ("GET", "/models/{folder}", self.models),
            ("GET", "/features", self.features),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
            app.router.add_route(method, "/api" + path, handler)
        return app

    @web.middleware
    async def _slow_responses(self, request: web.Request, handler: Any) -> web.StreamResponse:
        delay = self.server.slow_responses_s
        if delay and not request.path.endswith("/ws"):
            await asyncio.sleep(delay)
        return await handler(request)

    # -- WebSocket --------------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        client_id = request.query.get("clientId") or uuid.uuid4().hex
        sockets, queue = self.session.sockets, self.session.queue
        sockets.attach(client_id, ws, request)
        self.server._record_socket()
        try:
            await sockets.send(client_id, "status", {"status": queue.info(), "sid": client_id})
            running = queue.running
            if running is not None and running.client_id == client_id and queue.last_node_id is not None:
                # ComfyUI's reconnect hint: the node now running, without a prompt_id.
                await sockets.send(client_id, "executing", {"node": queue.last_node_id})
            async for message in ws:
                if message.type == WSMsgType.ERROR:
                    break  # the client's feature_flags and other text frames are ignored, as in ComfyUI
        finally:
            sockets.detach(client_id, ws)
        return ws

    # -- Prompts and the queue ---------------------------------------------------------------

    async def post_prompt(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=500, text=PLAIN_500)
        rejection = self.server._take_rejection()
        if rejection is not None:
            return web.json_response(rejection, status=400)
        if not isinstance(body, dict) or "prompt" not in body:
            error = _error("no_prompt", "No prompt provided", "No prompt provided")
            return web.json_response({"error": error, "node_errors": {}}, status=400)
        queue = self.session.queue
        if "number" in body:
            number: float = float(body["number"])
        else:
            number = queue.next_number(bool(body.get("front")))
        graph = body["prompt"]
        verdict = self.session.validator.validate(graph)
        if not verdict.ok:
            return web.json_response({"error": verdict.error, "node_errors": verdict.node_errors}, status=400)
        extra_data = dict(body.get("extra_data") or {})
        if "client_id" in body:
            extra_data["client_id"] = body["client_id"]
        prompt_id = str(body.get("prompt_id") or uuid.uuid4())
        queue.put(QueueItem(number, prompt_id, graph, extra_data, verdict.outputs))
        self.server._record_submission(Submission(prompt_id, number, extra_data.get("client_id"), copy.deepcopy(graph)))
        await self.session.sockets.broadcast("status", {"status": queue.info()})
        return web.json_response({"prompt_id": prompt_id, "number": number, "node_errors": verdict.node_errors})

    async def get_prompt(self, request: web.Request) -> web.Response:
        return web.json_response(self.session.queue.info())

    async def get_queue(self, request: web.Request) -> web.Response:
        queue = self.session.queue
        pending = [item.as_list() for item in queue.pending]
        random.shuffle(pending)  # ComfyUI lists its heap, not the run order: clients must sort by number
        running = [queue.running.as_list()] if queue.running else []
        answer = web.json_response({"queue_running": running, "queue_pending": pending})
        ending = queue.running
        if ending is not None and ending.prompt_id in self.server.finish_after_queue_read:
            # The race a canceller must survive: what this answer says is running has ended, and
            # the prompt behind it started, by the time the client reads it.
            self.server.finish_after_queue_read.discard(ending.prompt_id)
            ending.rushed = True
            await queue.until_gone(ending)
        return answer

    async def post_queue(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=500, text=PLAIN_500)
        queue = self.session.queue
        removed: list[str] = []
        if body.get("clear"):
            removed += queue.clear()
        if "delete" in body:
            removed += queue.delete(str(prompt_id) for prompt_id in body["delete"])
        if removed:
            self.server._record_deleted(removed)
            await self.session.sockets.broadcast("status", {"status": queue.info()})
        return web.Response(status=200)

    async def post_interrupt(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        prompt_id = body.get("prompt_id") if isinstance(body, dict) else None
        self.server._record_interrupt()
        flagged = self.session.queue.interrupt(prompt_id)
        if flagged is not None and self.server.answer_interrupts_once_landed:
            await self.session.queue.until_gone(flagged)
        return web.Response(status=200)

    async def get_history(self, request: web.Request) -> web.Response:
        items = list(self.session.queue.history.items())
        max_items = request.query.get("max_items")
        if "offset" in request.query:
            offset = int(request.query["offset"])
            items = items[offset : offset + int(max_items)] if max_items is not None else items[offset:]
        elif max_items is not None:  # without an offset ComfyUI answers the newest max_items
            items = items[len(items) - int(max_items) :] if int(max_items) else []
        return web.json_response(dict(items))

    async def get_history_item(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self.session.queue.history.get(prompt_id)
        return web.json_response({prompt_id: entry} if entry is not None else {})

    async def post_history(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=500, text=PLAIN_500)
        history = self.session.queue.history
        if body.get("clear"):
            history.clear()
        for prompt_id in body.get("delete", []):
            history.pop(str(prompt_id), None)
        return web.Response(status=200)

    # -- Files -------------------------------------------------------------------------------

    async def view(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if "filename" not in query:
            return web.Response(status=404)
        filename, annotated_type = _split_annotation(query["filename"])
        hostile = self.session.hostile_files.get(query["filename"])
        if hostile is not None:  # a name this server handed out itself: serve it, the client must refuse it
            return await self._serve(request, hostile, query["filename"])
        if not filename or filename.startswith("/") or ".." in filename:
            return web.Response(status=403)
        base = self.server.folder_of_type(annotated_type or query.get("type", "output"))
        if base is None:
            return web.Response(status=400)
        folder = base
        if query.get("subfolder"):
            folder = Path(os.path.abspath(base / query["subfolder"]))
            if os.path.commonpath((str(folder), str(base))) != str(base):
                return web.Response(status=403)
        path = folder / os.path.basename(filename)
        if not path.is_file():
            return web.Response(status=404)
        return await self._serve(request, path, os.path.basename(filename))

    async def _serve(self, request: web.Request, path: Path, name: str) -> web.StreamResponse:
        headers = {"Content-Disposition": f'filename="{name}"'}
        if not (self.server.truncate_downloads or self.server.abort_downloads):
            return web.FileResponse(path, headers=headers)  # Range -> 206, as aiohttp does for ComfyUI
        data = path.read_bytes()
        content_type = _content_type(path)
        if self.server.truncate_downloads:  # a complete HTTP answer carrying half a file
            return web.Response(body=data[: len(data) // 2], headers=headers, content_type=content_type)
        # abort_downloads: the full length is announced, half is sent, then the connection drops.
        response = web.StreamResponse(headers=headers)
        response.content_type = content_type
        response.content_length = len(data)
        await response.prepare(request)
        await response.write(data[: len(data) // 2])
        if request.transport is not None:
            request.transport.abort()
        return response

    async def upload_image(self, request: web.Request) -> web.Response:
        if self.server.refuse_uploads:
            status = 500 if self.server.refuse_uploads is True else int(self.server.refuse_uploads)
            return web.Response(status=status, text=f"{status} upload refused (refuse_uploads)")
        post = await request.post()
        image = post.get("image")
        if not isinstance(image, web.FileField) or not image.filename:
            return web.Response(status=400)
        upload_type = str(post.get("type") or "input")
        base = self.server.folder_of_type(upload_type)
        if base is None:
            return web.Response(status=500, text=PLAIN_500)
        subfolder = str(post.get("subfolder", ""))
        folder = Path(os.path.abspath(base / os.path.normpath(subfolder))) if subfolder else base
        filename = image.filename
        if os.path.commonpath((str(base), os.path.abspath(folder / filename))) != str(base):
            return web.Response(status=400)
        folder.mkdir(parents=True, exist_ok=True)
        data = image.file.read()
        if str(post.get("overwrite", "")) not in ("true", "1"):
            stem, suffix = os.path.splitext(image.filename)
            counter = 1
            # Same name, same bytes: the existing file is reused; other bytes: "name (1).png", "name (2).png"...
            while (folder / filename).exists() and (folder / filename).read_bytes() != data:
                filename = f"{stem} ({counter}){suffix}"
                counter += 1
        if not (folder / filename).exists() or (folder / filename).read_bytes() != data:
            (folder / filename).write_bytes(data)
        self.server._record_upload(filename if not subfolder else f"{subfolder}/{filename}")
        return web.json_response({"name": filename, "subfolder": subfolder, "type": upload_type})

    # -- Capabilities --------------------------------------------------------------------------

    async def system_stats(self, request: web.Request) -> web.Response:
        busy = self.session.queue.running is not None
        vram_free = self.server.vram_total // (4 if busy else 1) - 512 * 1024**2
        return web.json_response({
            "system": {
                "os": "posix", "ram_total": 64 * GIB, "ram_free": 48 * GIB,
                **({"comfyui_version": self.server.comfyui_version} if self.server.comfyui_version else {}),
                "required_frontend_version": "1.27.10", "python_version": sys.version,
                "pytorch_version": "2.8.0+cu128", "embedded_python": False, "argv": ["main.py", "--listen"],
            },
            "devices": [{
                "name": self.server.device_name, "type": "cuda", "index": 0, "vram_total": self.server.vram_total,
                "vram_free": vram_free, "torch_vram_total": 0, "torch_vram_free": 0,
            }],
        })  # fmt: skip

    async def object_info(self, request: web.Request) -> web.Response:
        return web.json_response(self.session.catalogue.all_info())

    async def object_info_node(self, request: web.Request) -> web.Response:
        node_class = request.match_info["node_class"]
        catalogue = self.session.catalogue
        return web.json_response({node_class: catalogue.info(node_class)} if node_class in catalogue else {})

    async def model_folders(self, request: web.Request) -> web.Response:
        return web.json_response(list(self.server.models))

    async def models(self, request: web.Request) -> web.Response:
        folder = request.match_info["folder"]
        if folder not in self.server.models:
            return web.Response(status=404)
        return web.json_response(self.server.model_files(folder))

    async def features(self, request: web.Request) -> web.Response:
        return web.json_response({"supports_preview_metadata": True, "max_upload_size": MAX_UPLOAD_BYTES,
                                  "extension": {"manager": {"supports_v4": True}}})


def _split_annotation(filename: str) -> tuple[str, str | None]:
    """ComfyUI's annotated names: ``"x.png [input]"`` names the folder type in the file name."""
    for kind in ("output", "input", "temp"):
        if filename.endswith(f" [{kind}]"):
            return filename[: -len(kind) - 3], kind
    return filename, None


def _content_type(path: Path) -> str:
    return {".mp4": "video/mp4", ".png": "image/png", ".webp": "image/webp"}.get(path.suffix.lower(), "application/octet-stream")


# --------------------------------------------------------------------------------------------
# One life of the server, and the public handle tests use.
# --------------------------------------------------------------------------------------------


class ServerSession:
    """Everything that lives from start() to stop(): the loop, sockets, queue, history and cache."""

    def __init__(self, server: ComfyUIServer, loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
        self.server = server
        self.loop = loop
        self.thread = thread
        self.catalogue = server.catalogue
        self.validator = PromptValidator(server.catalogue, server)
        self.media = MediaWriter(server)
        self.sockets = ClientSockets(lambda: server.reply_mutation)
        self.cache = NodeCache()
        self.queue = PromptQueue(self)
        self.hostile_files: dict[str, Path] = {}  # hostile name -> the real file it stands for
        self.runner: web.AppRunner | None = None
        self.worker: asyncio.Task | None = None

    async def open(self, host: str, port: int) -> int:
        # A short shutdown_timeout: stop() is a kill, not a graceful drain.
        self.runner = web.AppRunner(ComfyUIRoutes(self).application(), access_log=None, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port, reuse_address=True)
        await site.start()
        self.worker = asyncio.create_task(self.queue.run_forever())
        return self.runner.addresses[0][1]

    async def kill(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker
        self.sockets.abort_all()
        if self.runner is not None:
            await self.runner.cleanup()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def as_reported(self, ui: dict[str, Any]) -> dict[str, Any]:
        """The UI output as sent to clients: with hostile_filename set, every file gets that name."""
        hostile = self.server.hostile_filename
        if not hostile:
            return copy.deepcopy(ui)
        shown = copy.deepcopy(ui)
        for entry in shown.get("images", []):
            self.hostile_files[hostile] = self.server.folder_of_type(entry["type"]) / entry["subfolder"] / entry["filename"]
            entry["filename"] = hostile
        return shown


@dataclass(frozen=True)
class Submission:
    """One accepted POST /prompt, as a test sees it."""

    prompt_id: str
    number: float
    client_id: str | None
    graph: dict[str, Any]


class ComfyUIServer:
    """A fake ComfyUI server on 127.0.0.1, in a background thread with its own event loop.

    ``with ComfyUIServer(name="gpu-1", job_seconds=0.2) as server: ... server.url``
    """

    def __init__(
        self,
        name: str = "comfyui",
        *,
        job_seconds: float = 0.2,
        models: Mapping[str, Iterable[str]] | None = None,
        root: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        device_name: str = DEFAULT_DEVICE,
        vram_total: int = 24 * GIB,
        history_lag_s: float = 0.05,
        send_previews: bool = True,
    ) -> None:
        self.name = name
        self.host = host
        self.job_seconds = job_seconds  # a prompt that is not cached takes this, start to history; read when it starts
        self.history_lag_s = history_lag_s  # execution_success -> history written
        self.send_previews = send_previews  # one binary preview frame per sampler, as ComfyUI sends
        self.device_name = device_name
        self.vram_total = vram_total
        self.models: dict[str, list[str]] = {k: list(v) for k, v in (models or DEFAULT_MODELS).items()}
        self._own_root = root is None
        # Resolved once, so the traversal checks compare like with like.
        self.root = Path(root if root is not None else tempfile.mkdtemp(prefix=f"comfyui-{name}-")).resolve()
        self.input_dir, self.output_dir, self.temp_dir = (self.root / "input", self.root / "output", self.root / "temp")
        for folder in (self.input_dir, self.output_dir, self.temp_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.catalogue = NodeCatalogue(self)

        # Fault injection: plain attributes, read by the server each time it needs them.
        self.fail_node: str | None = None  # a class_type whose nodes raise while running
        self.hostile_filename: str | None = None  # e.g. "../../evil.mp4": the name every output is reported under
        self.truncate_downloads = False  # /view sends half of each file (a complete HTTP answer)
        self.abort_downloads = False  # /view announces the full length, sends half, drops the connection
        self.slow_responses_s = 0.0  # every HTTP answer waits this long
        self.refuse_uploads: bool | int = False  # True: uploads get 500; an int: that status
        self.reject_next_prompt_with: dict[str, Any] | None = None  # the next POST /prompt gets this 400 body
        self.hold_samplers = False  # True: samplers stop after their next progress report until it is False
        # The version /system_stats reports and /interrupt behaves as (None: a build from before
        # August 2024, whose /system_stats has no comfyui_version; it ignores prompt_id too).
        self.comfyui_version: str | None = COMFYUI_VERSION
        # Prompt ids that, when a GET /queue finds them running, end at once (successfully) before that
        # answer leaves, which waits until the prompt behind has started; each only once.
        self.finish_after_queue_read: set[str] = set()
        # True: an /interrupt that flagged a prompt answers once it has stopped and the next has
        # started (ComfyUI answers at once; this makes what the next request finds certain).
        self.answer_interrupts_once_landed = False
        # Every answer of one endpoint, or every WebSocket message of one kind, broken one way (fuzzing).
        self.reply_mutation: mutated_replies.ReplyMutation | None = None
        self._missing_models: frozenset[str] = frozenset()

        self._port = port
        self._session: ServerSession | None = None
        self._lock = threading.Lock()
        self._submitted: list[Submission] = []
        self._executed: list[str] = []
        self._deleted: list[str] = []
        self._uploads: list[str] = []
        self._files: list[Path] = []
        self._interrupts = 0
        self._sockets_opened = 0

    # -- Life ----------------------------------------------------------------------------------

    def start(self) -> ComfyUIServer:
        """Starts (or restarts, on the same port, with an empty queue, history and cache)."""
        if self._session is not None:
            raise RuntimeError(f"{self!r} is already running")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name=f"ComfyUIServer-{self.name}", daemon=True)
        thread.start()
        session = self._in(loop, lambda: ServerSession(self, loop, thread))
        try:
            self._port = asyncio.run_coroutine_threadsafe(session.open(self.host, self._port), loop).result(60)
        except BaseException:
            self._end_loop(loop, thread)
            raise
        self._session = session
        return self

    def stop(self) -> None:
        """Kills the server abruptly: sockets cut without a close frame, the running prompt lost, history gone."""
        session, self._session = self._session, None
        if session is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(session.kill(), session.loop).result(60)
        self._end_loop(session.loop, session.thread)

    def close(self) -> None:
        """stop(), and remove the server's folders when it made them itself."""
        self.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ComfyUIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = f"on port {self._port}" if self._session else "stopped"
        return f"ComfyUIServer({self.name!r}, {state})"

    @staticmethod
    def _end_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()

    @staticmethod
    def _in(loop: asyncio.AbstractEventLoop, function: Any) -> Any:
        """Runs function in the server's loop thread and returns its result."""

        async def call() -> Any:
            return function()

        return asyncio.run_coroutine_threadsafe(call(), loop).result(60)

    def _call(self, function: Any) -> Any:
        if self._session is None:
            raise RuntimeError(f"{self!r} is not running")
        return self._in(self._session.loop, function)

    def targets_interrupts(self) -> bool:
        """Whether /interrupt honours a prompt_id, as ComfyUI does from 0.3.57 on."""
        match = re.match(r"v?(\d+)\.(\d+)\.(\d+)", self.comfyui_version or "")
        return match is not None and tuple(map(int, match.groups())) >= TARGETED_INTERRUPT_SINCE

    # -- Where it is ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._session is not None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    def ws_url(self, client_id: str) -> str:
        return f"ws://{self.host}:{self._port}/ws?clientId={client_id}"

    # -- Faults and state tests drive ----------------------------------------------------------

    @property
    def missing_models(self) -> frozenset[str]:
        return self._missing_models

    @missing_models.setter
    def missing_models(self, names: str | Iterable[str] | None) -> None:
        """Model file names hidden from /models and /object_info (and failing a loader that runs)."""
        self._missing_models = frozenset([names] if isinstance(names, str) else names or ())

    def drop_sockets(self) -> None:
        """Cuts every WebSocket now (no close frame); clients may reconnect."""
        self._call(lambda: self._session.sockets.abort_all())

    @property
    def sockets_opened(self) -> int:
        """WebSocket connections accepted since the server was made (restarts included)."""
        with self._lock:
            return self._sockets_opened

    def connected_clients(self) -> list[str]:
        """The client ids with an open WebSocket."""
        return self._call(lambda: self._session.sockets.client_ids())

    def queue_remaining(self) -> int:
        return self._call(lambda: self._session.queue.remaining())

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Blocks until nothing is queued or running (the history written)."""
        deadline = time.monotonic() + timeout
        while self.queue_remaining():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self!r} still busy after {timeout} s")
            time.sleep(0.01)

    def history(self) -> dict[str, Any]:
        """A copy of the in-memory history, keyed by prompt_id."""
        return self._call(lambda: copy.deepcopy(self._session.queue.history))

    # -- Counters (cumulative across restarts) --------------------------------------------------

    @property
    def submitted(self) -> list[Submission]:
        with self._lock:
            return list(self._submitted)

    @property
    def submissions(self) -> int:
        """Every accepted POST /prompt."""
        with self._lock:
            return len(self._submitted)

    @property
    def executed(self) -> list[str]:
        """prompt_ids in the order they started running (a cached rerun counts)."""
        with self._lock:
            return list(self._executed)

    @property
    def deleted(self) -> list[str]:
        """prompt_ids removed from the pending queue by POST /queue (delete or clear)."""
        with self._lock:
            return list(self._deleted)

    @property
    def interrupts(self) -> int:
        """Every POST /interrupt, effective or not."""
        with self._lock:
            return self._interrupts

    @property
    def uploads(self) -> list[str]:
        """Names stored by /upload/image ("subfolder/name" when in a subfolder)."""
        with self._lock:
            return list(self._uploads)

    @property
    def files_written(self) -> list[Path]:
        """Every media file an output node wrote."""
        with self._lock:
            return list(self._files)

    def _record_submission(self, submission: Submission) -> None:
        with self._lock:
            self._submitted.append(submission)

    def _record_socket(self) -> None:
        with self._lock:
            self._sockets_opened += 1

    def _record_executed(self, prompt_id: str) -> None:
        with self._lock:
            self._executed.append(prompt_id)

    def _record_deleted(self, prompt_ids: list[str]) -> None:
        with self._lock:
            self._deleted.extend(prompt_ids)

    def _record_interrupt(self) -> None:
        with self._lock:
            self._interrupts += 1

    def _record_upload(self, name: str) -> None:
        with self._lock:
            self._uploads.append(name)

    def _record_file(self, path: Path) -> None:
        with self._lock:
            self._files.append(path)

    def _take_rejection(self) -> dict[str, Any] | None:
        with self._lock:
            body, self.reject_next_prompt_with = self.reject_next_prompt_with, None
        if body is None or "error" in body:
            return body
        # Only node_errors were given: wrap them the way ComfyUI does.
        return {"error": _error("prompt_outputs_failed_validation", "Prompt outputs failed validation"), "node_errors": body}

    # -- Folders and files -----------------------------------------------------------------------

    def model_files(self, folder: str) -> list[str]:
        hidden = self._missing_models
        return sorted(name for name in self.models.get(folder, []) if name not in hidden)

    def folder_of_type(self, kind: str) -> Path | None:
        return {"input": self.input_dir, "output": self.output_dir, "temp": self.temp_dir}.get(kind)

    def input_images(self) -> list[str]:
        """LoadImage's dropdown: the files at the top of the input folder."""
        return sorted(entry.name for entry in self.input_dir.iterdir() if entry.is_file())

    def input_file(self, name: str) -> Path | None:
        """An input file by the name a graph uses ("x.png", "sub/x.png", "x.png [input]"), if it exists."""
        name, kind = _split_annotation(name)
        base = self.folder_of_type(kind or "input")
        if not name or base is None:
            return None
        path = Path(os.path.abspath(base / name))
        if os.path.commonpath((str(path), str(base))) != str(base) or not path.is_file():
            return None
        return path
