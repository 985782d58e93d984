"""The final prompt: a shot's own prompt inside its style's and its character's.

The rule, always in this order:

    prompt   = style prefix, character prefix, shot prompt, character suffix, style suffix
    negative = shot negative, character negative, style negative

The style frames everything (its prefix comes first and its suffix last), the
character sits closest to the shot's own words. Each part is trimmed of spaces
and of trailing commas or semicolons, empty parts are left out, and the rest
are joined with ", ". A shot without a character or style sends exactly its
own prompt and negative prompt.

Reference images: a shot with no input image of its own starts from its
character's first reference image, or else its style's. (Backends that take
one picture — image-to-video models, ComfyUI workflows with an image input,
the built-in generator's pan and zoom — get it; text-only ones ignore it.)

The same rule runs on a shot (for the inspector's preview) and on the
canonical generation spec a job carries (for what is sent), so the preview
always shows what the backend gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from foundry_desktop.domain.project import Project, Shot
from foundry_desktop.domain.prompt_templates import PromptTemplate

_SEPARATOR = ", "


class ComposedPrompt(NamedTuple):
    prompt: str
    negative: str


def template_spec(template: PromptTemplate) -> dict[str, Any]:
    """What of a template determines a generation, as plain JSON: not its name, description or
    preferred generator (those are set on the shot itself), nor a style's palette or keywords."""
    return {
        "id": template.id,
        "prompt_prefix": template.prompt_prefix,
        "prompt_suffix": template.prompt_suffix,
        "negative_prompt": template.negative_prompt,
        "reference_images": [image.path for image in template.reference_images],
    }


def _joined(*parts: str) -> str:
    cleaned = (part.strip().rstrip(",;").rstrip() for part in parts)
    return _SEPARATOR.join(part for part in cleaned if part)


def compose(
    prompt: str, negative: str, character: Mapping[str, Any] | None, style: Mapping[str, Any] | None
) -> ComposedPrompt:
    """The rule above; `character` and `style` are template_spec()s (or None)."""
    if character is None and style is None:
        return ComposedPrompt(prompt, negative)
    c, s = character or {}, style or {}
    return ComposedPrompt(
        _joined(s.get("prompt_prefix", ""), c.get("prompt_prefix", ""), prompt,
                c.get("prompt_suffix", ""), s.get("prompt_suffix", "")),
        _joined(negative, c.get("negative_prompt", ""), s.get("negative_prompt", "")),
    )


def composed_prompt(shot: Shot, project: Project) -> ComposedPrompt:
    """(prompt, negative) as the shot's generation will send them."""
    character, style = project.character_of(shot), project.style_of(shot)
    return compose(shot.spec.prompt, shot.spec.negative_prompt,
                   template_spec(character) if character else None, template_spec(style) if style else None)


def _template_in(spec: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = spec.get(key)
    return value if isinstance(value, Mapping) else None  # a bare id: a template the project no longer has


def prompts_of_spec(spec: Mapping[str, Any]) -> ComposedPrompt:
    """(prompt, negative) for a canonical generation spec (fingerprint.generation_spec)."""
    character, style = _template_in(spec, "character"), _template_in(spec, "style")
    return compose(spec["prompt"], spec["negative_prompt"], character, style)


def input_image_of_spec(spec: Mapping[str, Any]) -> str | None:
    """The picture the generation starts from: the shot's own, else its character's first
    reference image, else its style's; None for none."""
    if spec.get("input_image"):
        return spec["input_image"]
    for key in ("character", "style"):
        template = _template_in(spec, key)
        if template and template.get("reference_images"):
            return template["reference_images"][0]
    return None
