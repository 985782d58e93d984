"""Which of a shot's prompt, seed and input image a workflow template uses, read from its bindings;
the notes for a take whose shape or length is not its shot's; and the warning for a take made
after a change its workflow ignores."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from foundry_desktop.app.shots.ignored_inputs import ignored_change_warning
from foundry_desktop.app.shots.take_fit import take_fit_notes, take_warnings
from foundry_desktop.domain.project import Take
from foundry_desktop.generation.comfyui.template_file import load_workflow_template, parse_workflow_template
from foundry_desktop.generation.comfyui.template_bindings import (
    ignored_given,
    ignored_roles,
    import_warning,
    loads_own_picture,
)

WORKFLOWS = Path(__file__).resolve().parents[1] / "workflows"
SHIPPED = sorted(path.stem for path in WORKFLOWS.glob("*.json"))


def shipped(name: str):
    return load_workflow_template(WORKFLOWS / f"{name}.json")


def shipped_data(name: str) -> dict:
    return copy.deepcopy(json.loads((WORKFLOWS / f"{name}.json").read_text()))


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_template_uses_the_prompt_seed_and_picture_it_takes(name):
    template = shipped(name)
    ignored = ignored_roles(template)
    # Stable Video Diffusion is image-only: it has no text conditioning at all, so it says so.
    assert ("prompt" in ignored) == (name == "svd-image-to-video")
    assert "seed" not in ignored
    assert ("input_image" in ignored) == (not template.takes_image)
    assert loads_own_picture(template) == template.takes_image  # every picture it loads is the shot's
    assert (import_warning(template) is None) == (name != "svd-image-to-video")


def test_a_template_without_bindings_ignores_the_prompt_and_the_seed():
    template = parse_workflow_template(shipped_data("wan22-5b-text-to-video")["graph"], name="bare")
    assert template.roles == {}
    assert ignored_roles(template) == ("prompt", "seed", "input_image")
    assert import_warning(template) == (
        "The workflow “Bare” ignores the prompt and the seed it is given: changing them makes the same take "
        "again. If it should use them, tag the node input that takes them in the graph, as in (Input:prompt), "
        "or map them under “params”.")
    assert ignored_given(template, {"prompt": "a fox", "seed": 0, "input_image": None}) == ("prompt", "seed")
    assert ignored_given(template, {"prompt": "", "seed": 3}) == ("seed",)


def test_a_binding_to_a_node_that_feeds_no_output_is_ignored_too():
    """A prompt filled into a text encoder whose result goes nowhere reaches nothing."""
    data = shipped_data("wan22-5b-text-to-video")
    data["graph"]["90"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["38", 0]}}
    data["params"]["prompt"] = {"node": "90", "input": "text"}
    template = parse_workflow_template(data, name="dangling")
    assert ignored_roles(template, ("prompt", "seed")) == ("prompt",)
    assert "ignores the prompt it is given: changing it makes the same take again" in import_warning(template)


def test_a_picture_of_its_own_that_no_role_replaces_is_an_ignored_input_image():
    data = shipped_data("wan22-5b-image-to-video")
    del data["params"]["input_image"]
    template = parse_workflow_template(data, name="fixed-picture")
    assert loads_own_picture(template) and ignored_roles(template) == ("input_image",)
    assert import_warning(template).startswith(
        "The workflow “Wan 2.2 image to video (TI2V 5B)” ignores the input image it is given: its takes start from its own picture "
        "(or none), not the shot's. If it should use it, tag the node input that takes it in the graph, as in "
        "(Input:input_image)")
    # A text-to-video template takes no picture by design: nothing to say at import, but a shot that has one
    # (an approved keyframe) is told when a change of it changes nothing.
    text_to_video = shipped("wan22-5b-text-to-video")
    assert import_warning(text_to_video) is None
    assert ignored_given(text_to_video, {"prompt": "a fox", "seed": 1, "input_image": Path("key.png")}) == ("input_image",)


def test_a_graph_without_an_output_node_is_left_to_the_server_check():
    data = shipped_data("wan22-5b-text-to-video")
    del data["graph"]["58"], data["params"]["filename_prefix"]
    assert ignored_roles(parse_workflow_template(data, name="no-save")) == ()


# -- a take against its shot ------------------------------------------------------------------------


def take(width=384, height=216, frames=72, **changes) -> Take:
    spec = {"width": 384, "height": 216, "frames": 72, "frame_rate": "24"}
    fields = dict(shot_id="s", media_path="takes/x.mp4", content_hash="x", fingerprint="f", spec=spec,
                  backend="comfyui", seed=1, frames=frames, width=width, height=height, created_at="2025-01-01",
                  elapsed_s=1.0, request={"workflow": "fixed", "prompt": "a fox", "seed": 1})
    return Take(**(fields | changes))


def test_a_take_of_another_shape_or_length_is_noted_and_rounding_is_not():
    assert take_fit_notes(take()) == []
    assert take_fit_notes(take(384, 224)) == []  # a 16-pixel size multiple: a few pixels of bar
    assert take_fit_notes(take(frames=73)) == take_fit_notes(take(frames=71)) == []  # Wan's 4n+1 rounding
    assert take_fit_notes(take(512, 512), "fill") == [
        "the take is 512x512, not the shot's shape (384x216): its edges are cropped to fill the frame."]
    assert take_fit_notes(take(frames=48)) == [
        "the take lasts 2.00 s, shorter than the shot's 3.00 s: the shot ends where the take does."]
    assert take_fit_notes(take(frames=120)) == [
        "the take lasts 5.00 s, longer than the shot's 3.00 s: the film uses 3.00 s of it."]
    # The creator's own footage, keyframe stills and sound are whatever shape and length they are.
    assert take_fit_notes(take(512, 512, backend="media")) == []
    assert take_fit_notes(take(512, 512, frames=1, kind="still")) == []
    # What the backend said comes after, as it was kept.
    said = take(512, 512, request={"warnings": ["The workflow “Fixed” ignores the seed: ..."]})
    assert take_warnings(said) == ["The take is 512x512, not the shot's shape (384x216): it shows with black bars "
                                   "to fit the frame.", "The workflow “Fixed” ignores the seed: ..."]


def test_a_repeat_is_warned_only_after_a_change_of_what_the_workflow_ignores():
    first = take(request={"workflow": "fixed", "prompt": "a fox", "seed": 1})
    same = take(request={"workflow": "fixed", "prompt": "a fox", "seed": 1})
    new_prompt = take(request={"workflow": "fixed", "prompt": "a wolf", "seed": 1})
    other_workflow = take(request={"workflow": "other", "prompt": "a fox", "seed": 2})
    assert ignored_change_warning(first, [], ("prompt", "seed")) is None  # nothing changed yet
    assert ignored_change_warning(same, [first], ("prompt", "seed")) is None  # the same values: a plain re-run
    assert ignored_change_warning(new_prompt, [first], ()) is None  # the workflow used everything
    assert ignored_change_warning(new_prompt, [first], ("prompt", "seed")) == (
        "The workflow “fixed” ignores the prompt: this take comes out as take 1 did, although the prompt changed "
        "since. Give the workflow's template a place for it, or choose another workflow.")
    assert ignored_change_warning(new_prompt, [other_workflow], ("prompt",)) is None  # another workflow made that
    both = take(request={"workflow": "fixed", "prompt": "a wolf", "seed": 5})
    assert "ignores the prompt and the seed: this take comes out as take 2 did" in ignored_change_warning(
        both, [other_workflow, first], ("prompt", "seed"))
