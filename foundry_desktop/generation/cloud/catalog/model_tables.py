"""Every cloud provider's table of video models, by backend name: what `foundry cloud list`, the
settings' cloud tab and the request-shape checks read. Each provider's module owns its table
(written from the official schema, with source and date); this only gathers them."""

from __future__ import annotations

from collections.abc import Mapping

from foundry_desktop.generation.cloud.catalog.fal_models import FAL_MODELS
from foundry_desktop.generation.cloud.catalog.gemini_models import GEMINI_MODELS
from foundry_desktop.generation.cloud.catalog.runway_models import RUNWAY_VIDEO_MODELS
from foundry_desktop.generation.cloud.catalog.openai_video_models import OPENAI_VIDEO_MODELS
from foundry_desktop.generation.cloud.catalog.replicate_models import REPLICATE_MODELS
from foundry_desktop.generation.cloud.catalog.video_models import VideoModel

# Backend name -> model id -> what that model accepts. A provider's backend also answers
# `request_shape(request)` (video_models.RequestShape) for the estimate and the inspector.
VIDEO_MODEL_TABLES: dict[str, Mapping[str, VideoModel]] = {}
VIDEO_MODEL_TABLES["runway"] = RUNWAY_VIDEO_MODELS
VIDEO_MODEL_TABLES["fal"] = FAL_MODELS
VIDEO_MODEL_TABLES["gemini"] = GEMINI_MODELS
VIDEO_MODEL_TABLES["replicate"] = REPLICATE_MODELS
VIDEO_MODEL_TABLES["openai"] = OPENAI_VIDEO_MODELS
