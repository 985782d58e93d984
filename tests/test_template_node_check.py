"""The shipped workflow templates against ComfyUI's own node definitions.

tests/data/comfyui/object_info.json is ComfyUI's /object_info for every node class the
templates use, made from ComfyUI 0.3.64's source (tests/data/SOURCES.md). Each template is
checked against it here, `workflow check` finds what the server would refuse, and the
protocol test server answers /object_info from it and runs the new kinds of template end
to end: a still, a sound, and a video from a first and a last frame.
"""

from __future__ import annotations

import asyncio
import copy
import json
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import httpx
import numpy as np
import pytest
from PIL import Image
from servers.comfyui import CAPTURE_PATH, ComfyUIServer

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.comfyui.api_graph import is_link
from foundry_desktop.generation.comfyui.backend import ComfyUIBackend, _pick_output
from foundry_desktop.generation.comfyui.client import ComfyUIClient
from foundry_desktop.generation.comfyui.farm import ComfyFarm, ComfyServer
from foundry_desktop.generation.comfyui.input_specs import dropdown_choices, spec_type
from foundry_desktop.generation.comfyui.library import WorkflowLibrary, builtin_workflows_dir
from foundry_desktop.generation.comfyui.replies import HistoryEntry
from foundry_desktop.generation.comfyui.server_check import check_against
from foundry_desktop.generation.comfyui.template_file import load_workflow_template, parse_workflow_template
from foundry_desktop.media.probe import probe_audio_seconds, probe_source

CAPTURE = json.loads(CAPTURE_PATH.read_text(encoding="utf-8"))
SHIPPED = sorted(path.stem for path in builtin_workflows_dir().glob("*.json"))
NEW = ["flux-schnell-text-to-image", "ltxv-image-to-video", "ltxv-text-to-video", "qwen-image-text-to-image",
       "stable-audio-text-to-audio", "wan22-5b-image-to-video", "wan22-5b-text-to-video", "wan22-first-last-frame"]  # fmt: skip
# The kind of input each standard role must land in.
ROLE_TYPES = {
    "prompt": {"STRING"}, "negative_prompt": {"STRING"}, "filename_prefix": {"STRING"},
    "seed": {"INT"}, "width": {"INT"}, "height": {"INT"}, "frames": {"INT"}, "steps": {"INT"},
    "fps": {"FLOAT", "INT"}, "cfg": {"FLOAT"}, "denoise": {"FLOAT"}, "seconds": {"FLOAT"},
    "input_image": {"COMBO"}, "last_image": {"COMBO"},
}  # fmt: skip
WAIT_S = 60  # only so that a broken backend fails the test instead of hanging it


def shipped(name: str):
    return load_workflow_template(builtin_workflows_dir() / f"{name}.json")


def declared(class_type: str) -> dict:
    inputs = CAPTURE[class_type]["input"]
    return {**inputs.get("required", {}), **inputs.get("optional", {})}


def capture_models() -> dict[str, list[str]]:
    """The model folders of the captured server, as GET /models/{folder} would list them."""
    return {
        "checkpoints": dropdown_choices(declared("CheckpointLoaderSimple")["ckpt_name"]),
        "diffusion_models": dropdown_choices(declared("UNETLoader")["unet_name"]),
        "text_encoders": dropdown_choices(declared("CLIPLoader")["clip_name"]),
        "vae": dropdown_choices(declared("VAELoader")["vae_name"]),
        "clip_vision": dropdown_choices(declared("CLIPVisionLoader")["clip_name"]),
    }


# -- the capture itself ----------------------------------------------------------------


def test_the_capture_holds_exactly_the_node_classes_the_templates_use():
    used = {class_type for name in SHIPPED for class_type in shipped(name).required_nodes()}
    assert set(CAPTURE) == used
    for class_type, entry in CAPTURE.items():
        assert entry["name"] == class_type
        assert {"input", "input_order", "output", "output_name", "output_node", "category", "python_module"} <= set(entry)
        assert len(entry["output"]) == len(entry["output_name"]) == len(entry["output_is_list"])
        for group, names in entry["input_order"].items():
            assert names == list(entry["input"][group]), (class_type, group)
    sources = (CAPTURE_PATH.parents[1] / "SOURCES.md").read_text(encoding="utf-8")
    assert "comfyui/object_info.json" in sources and "GPL-3.0" in sources


# -- every template against it ---------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_every_node_and_input_of_the_template_is_one_comfyui_declares(name):
    template = shipped(name)
    for node_id, node in template.graph.items():
        spec = declared(node["class_type"])
        required = CAPTURE[node["class_type"]]["input"]["required"]
        assert set(node["inputs"]) <= set(spec), (node_id, set(node["inputs"]) - set(spec))
        assert set(required) <= set(node["inputs"]), (node_id, set(required) - set(node["inputs"]))
        for input_name, value in node["inputs"].items():
            if is_link(value):
                source = template.graph[value[0]]["class_type"]
                given = CAPTURE[source]["output"][value[1]]
                assert given == spec_type(spec[input_name]), (node_id, input_name, given)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_server_check_finds_nothing_wrong_with_the_template(name):
    template = shipped(name)
    assert check_against(template, CAPTURE, capture_models()) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_each_role_lands_in_an_input_of_its_kind(name):
    template = shipped(name)
    for role, targets in template.roles.items():
        for target in targets:
            node = template.graph[target.node_id]
            kind = spec_type(declared(node["class_type"])[target.input_name])
            assert kind in ROLE_TYPES.get(role, {kind}), (role, target, kind)
            if role in ("input_image", "last_image"):
                assert node["class_type"] == "LoadImage"


@pytest.mark.parametrize("name", SHIPPED)
def test_the_template_saves_what_its_category_promises(name):
    template = shipped(name)
    saver = {"Video": {"SaveVideo"}, "Image": {"SaveImage"}, "Audio": {"SaveAudio"}}[template.category]
    outputs = template.outputs(CAPTURE)
    assert outputs and {template.graph[node_id]["class_type"] for node_id in outputs} == saver


def test_the_first_last_frame_template_feeds_both_frames_to_the_wan_node():
    template = shipped("wan22-first-last-frame")
    flf = next(node for node in template.graph.values() if node["class_type"] == "WanFirstLastFrameToVideo")
    first, last = template.roles["input_image"][0], template.roles["last_image"][0]
    assert flf["inputs"]["start_image"] == [first.node_id, 0] and flf["inputs"]["end_image"] == [last.node_id, 0]
    assert len(template.roles["seed"]) == 2  # both experts of Wan 2.2 14B get the shot's seed


# -- what the server would refuse, found before sending -----------------------------------


def broken(name: str, node_class: str, **inputs):
    """The template with one node's inputs changed (or removed, given None)."""
    template = shipped(name)
    graph = copy.deepcopy(dict(template.graph))
    node = next(node for node in graph.values() if node["class_type"] == node_class)
    for key, value in inputs.items():
        if value is None:
            node["inputs"].pop(key)
        else:
            node["inputs"][key] = value
    return load_workflow_template_from(graph, name)


def load_workflow_template_from(graph: dict, name: str):
    return parse_workflow_template({"graph": graph}, name=name)


def test_a_number_out_of_the_nodes_range_is_found():
    template = broken("wan22-5b-text-to-video", "Wan22ImageToVideoLatent", width=16)
    assert check_against(template, CAPTURE, capture_models()) == [
        "node 55 (Wan22ImageToVideoLatent): width is 16, below the least the node takes (32)."
    ]
    template = broken("stable-audio-text-to-audio", "EmptyLatentAudio", seconds=2000.0)
    assert check_against(template, CAPTURE, capture_models()) == [
        "node 12 (EmptyLatentAudio): seconds is 2000.0, above the most the node takes (1000.0)."
    ]
    template = broken("flux-schnell-text-to-image", "KSampler", steps="many")
    assert check_against(template, CAPTURE, capture_models()) == [
        "node 13 (KSampler): steps takes a whole number, not 'many'."
    ]


def test_a_choice_the_dropdown_lacks_is_found_in_either_dropdown_shape():
    classic = broken("flux-schnell-text-to-image", "KSampler", sampler_name="eulerr")
    assert check_against(classic, CAPTURE, capture_models())[0].startswith(
        "node 13 (KSampler): sampler_name is 'eulerr', which this server does not offer (it offers 'euler',"
    )
    v3 = broken("ltxv-text-to-video", "KSamplerSelect", sampler_name="eulerr")  # ["COMBO", {"options": ...}]
    assert "sampler_name is 'eulerr', which this server does not offer" in check_against(v3, CAPTURE, capture_models())[0]


def test_a_link_of_the_wrong_type_and_a_value_where_a_link_belongs_are_found():
    template = broken("ltxv-image-to-video", "SamplerCustom", latent_image=["70", 0])
    assert check_against(template, CAPTURE, capture_models()) == [
        "node 72 (SamplerCustom): latent_image takes LATENT but is wired to an output that gives CONDITIONING."
    ]
    template = broken("qwen-image-text-to-image", "VAEDecode", vae="qwen_image_vae.safetensors")
    assert check_against(template, CAPTURE, capture_models()) == [
        "node 8 “VAE Decode” (VAEDecode): vae must be wired to a node that gives VAE; "
        "the workflow sets it to the value 'qwen_image_vae.safetensors'."
    ]


def test_a_widget_of_a_type_newer_than_foundry_is_not_judged():
    """The newest SaveVideo's format is a dynamic dropdown: a value there is right, not a missing link."""
    info = copy.deepcopy(CAPTURE)
    info["SaveVideo"]["input"]["required"]["format"] = ["COMFY_DYNAMICCOMBO_V3", {"options": [{"key": "mp4"}]}]
    assert check_against(shipped("wan22-5b-text-to-video"), info, capture_models()) == []


def test_a_missing_required_input_and_a_graph_without_output_are_found():
    template = broken("wan22-5b-text-to-video", "Wan22ImageToVideoLatent", batch_size=None)
    assert check_against(template, CAPTURE, capture_models()) == [
        "node 55 (Wan22ImageToVideoLatent) needs the input batch_size, which the workflow does not set: "
        "the node on the server is probably newer than the workflow."
    ]
    graph = {k: v for k, v in shipped("flux-schnell-text-to-image").graph.items() if v["class_type"] != "SaveImage"}
    assert check_against(load_workflow_template_from(graph, "no-save"), CAPTURE, capture_models()) == [
        "The workflow has no output node (such as Save Image, Save Video or Save Audio), "
        "so the server would refuse it: add one and export it again."
    ]


def test_what_the_check_finds_is_what_the_server_refuses():
    """The same broken graph: check_against names the problem, the protocol server answers 400."""
    template = broken("wan22-5b-text-to-video", "Wan22ImageToVideoLatent", length=0)
    assert check_against(template, CAPTURE, capture_models()) == [
        "node 55 (Wan22ImageToVideoLatent): length is 0, below the least the node takes (1)."
    ]
    with ComfyUIServer(name="studio") as server:
        answer = httpx.post(f"{server.url}/prompt", json={"prompt": dict(template.graph), "client_id": "c"})
        assert answer.status_code == 400
        assert answer.json()["node_errors"]["55"]["errors"][0]["type"] == "value_smaller_than_min"
        good = shipped("wan22-5b-text-to-video")
        assert httpx.post(f"{server.url}/prompt", json={"prompt": dict(good.graph), "client_id": "c"}).status_code == 200


# -- the protocol server answers from the capture ------------------------------------------------


def test_the_protocol_server_answers_object_info_from_the_capture():
    with ComfyUIServer(name="studio", models={"diffusion_models": ["mine.safetensors"]}) as server:
        info = httpx.get(f"{server.url}/object_info").json()
        one = httpx.get(f"{server.url}/api/object_info/Wan22ImageToVideoLatent").json()
    assert set(CAPTURE) <= set(info)
    assert one == {"Wan22ImageToVideoLatent": CAPTURE["Wan22ImageToVideoLatent"]}
    assert info["SaveAudio"] == CAPTURE["SaveAudio"]
    # A loader's dropdown lists this server's files, as ComfyUI's does.
    assert info["UNETLoader"]["input"]["required"]["unet_name"][0] == ["mine.safetensors"]
    assert info["UNETLoader"]["input"]["required"]["weight_dtype"] == CAPTURE["UNETLoader"]["input"]["required"]["weight_dtype"]


@pytest.mark.parametrize("name", NEW)
def test_workflow_check_says_which_server_can_run_each_new_template(name, tmp_path, monkeypatch, capsys):
    from foundry_desktop.cli.main import main

    monkeypatch.setenv("FOUNDRY_CONFIG_DIR", str(tmp_path / "config"))
    template = shipped(name)
    missing = template.required_models()[0]
    with (ComfyUIServer(name="full") as full, ComfyUIServer(name="bare") as bare):
        bare.missing_models = missing.name
        main(["server", "add", "full", full.url])
        main(["server", "add", "bare", bare.url])
        capsys.readouterr()
        main(["workflow", "check", name])
        out = capsys.readouterr().out
    assert "full             can run it" in out
    assert f"lacks the model {missing.name} in {missing.folder}" in out


# -- the new kinds of template run end to end ----------------------------------------------------


def picture(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.fromarray(np.full((72, 128, 3), colour, np.uint8)).save(path)
    return path


def generation(tmp_path: Path, workflow: str, **extra) -> GenerationRequest:
    out = tmp_path / "scratch"
    out.mkdir(exist_ok=True)
    fields = dict(shot_id="shot-1", prompt="a lighthouse at dusk", negative_prompt="", seed=5, width=128, height=72,
                  frame_rate=Fraction(24), frames=17, output_dir=out, workflow=workflow)  # fmt: skip
    return GenerationRequest(**(fields | extra))


def run_on(server: ComfyUIServer, request: GenerationRequest, tmp_path: Path):
    async def work():
        async with httpx.AsyncClient(timeout=WAIT_S) as http:
            backend = ComfyUIBackend(ComfyFarm([ComfyServer(server.name, server.url)], http),
                                     WorkflowLibrary(tmp_path / "user-workflows"))
            try:
                return await backend.generate(request, lambda event: None)
            finally:
                await backend.aclose()

    return asyncio.run(work())


@pytest.mark.parametrize("workflow", ["flux-schnell-text-to-image", "qwen-image-text-to-image"])
def test_a_still_comes_back_as_a_picture(tmp_path, workflow):
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        result = run_on(server, generation(tmp_path, workflow, output="still"), tmp_path)
    info = probe_source(result.path)
    assert result.path.suffix == ".png" and info.still and (info.width, info.height) == (128, 80)  # 16-pixel multiple
    assert (result.width, result.height, result.frames) == (128, 80, 17)


def test_a_sound_comes_back_as_flac_as_long_as_asked(tmp_path):
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        result = run_on(server, generation(tmp_path, "stable-audio-text-to-audio", output="sound", frames=240), tmp_path)
        graph = server.submitted[0].graph
    assert graph["12"]["inputs"]["seconds"] == 10.0 and graph["11"]["inputs"]["seconds_total"] == 10.0
    assert result.path.suffix == ".flac" and (result.width, result.height) == (0, 0)
    assert probe_audio_seconds(result.path) == pytest.approx(10.0, abs=0.05)
    assert result.frames == pytest.approx(240, abs=2)  # the sound's length in the request's frames


def test_a_seconds_param_overrides_the_length(tmp_path):
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        request = generation(tmp_path, "stable-audio-text-to-audio", output="sound", frames=240, params={"seconds": "4"})
        result = run_on(server, request, tmp_path)
    assert probe_audio_seconds(result.path) == pytest.approx(4.0, abs=0.05)


@pytest.mark.parametrize("workflow", ["ltxv-image-to-video", "ltxv-text-to-video", "wan22-5b-image-to-video",
                                      "wan22-5b-text-to-video"])
def test_each_new_video_template_makes_a_video_of_the_shots_size(tmp_path, workflow):
    start = picture(tmp_path / "start.png", (200, 40, 40))
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        result = run_on(server, generation(tmp_path, workflow, input_image=start, width=320, height=180), tmp_path)
        uploads = server.uploads
    info = probe_source(result.path)
    assert not info.still and (info.width, info.height) == (320, 192)  # 32-pixel multiples for both models
    assert uploads == (["start.png"] if "image-to-video" in workflow else [])


def test_first_and_last_frames_are_both_uploaded_and_wired(tmp_path):
    first = picture(tmp_path / "first.png", (200, 40, 40))
    last = picture(tmp_path / "last.png", (40, 40, 200))
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        request = generation(tmp_path, "wan22-first-last-frame", input_image=first, last_image=last)
        result = run_on(server, request, tmp_path)
        graph, uploads = server.submitted[0].graph, server.uploads
    assert sorted(uploads) == ["first.png", "last.png"]
    assert (graph["52"]["inputs"]["image"], graph["53"]["inputs"]["image"]) == ("first.png", "last.png")
    assert probe_source(result.path).duration_s is not None and result.frames >= 1


def test_a_first_last_frame_shot_without_its_last_frame_is_refused_in_words(tmp_path):
    first = picture(tmp_path / "first.png", (200, 40, 40))
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        with pytest.raises(GenerationError, match="give the shot a last-frame keyframe"):
            run_on(server, generation(tmp_path, "wan22-first-last-frame", input_image=first), tmp_path)
        assert server.submissions == 0


@pytest.mark.parametrize("name", SHIPPED)
def test_each_template_knows_what_it_makes(name):
    template = shipped(name)
    assert template.output_kind == {"Video": "video", "Image": "still", "Audio": "sound"}[template.category]


@pytest.mark.parametrize(("workflow", "output", "words"), [
    ("stable-audio-text-to-audio", "still", "makes sound, not still pictures"),
    ("wan22-5b-text-to-video", "still", "makes video, not still pictures"),
    ("flux-schnell-text-to-image", "sound", "makes still pictures, not sound"),
])  # fmt: skip
def test_a_workflow_that_cannot_make_what_is_asked_is_refused_before_sending(tmp_path, workflow, output, words):
    with ComfyUIServer(name="studio", job_seconds=0.1) as server:
        with pytest.raises(GenerationError, match=words):
            run_on(server, generation(tmp_path, workflow, output=output), tmp_path)
        assert server.submissions == 0


def test_the_take_is_the_saved_file_of_the_kind_asked_for():
    """From what a history entry lists: a video, else a picture, for a video; a picture for a
    still; the sound (listed under audio) for a sound; none of the kind is said in words."""
    entry = {"outputs": {
        "9": {"images": [{"filename": "still_00001_.png", "subfolder": "foundry", "type": "output"}]},
        "19": {"audio": [{"filename": "bed_00001_.flac", "subfolder": "foundry", "type": "output"}]},
        "30": {"images": [{"filename": "clip_00001_.mp4", "subfolder": "", "type": "output"}], "animated": [True]},
    }}  # fmt: skip
    outputs = ComfyUIClient.outputs(None, HistoryEntry.model_validate(entry))  # reads only the entry
    studio = SimpleNamespace(name="studio")
    assert _pick_output(outputs, studio, "video").filename == "clip_00001_.mp4"
    assert _pick_output(outputs, studio, "still").filename == "still_00001_.png"
    assert _pick_output(outputs, studio, "sound").filename == "bed_00001_.flac"
    with pytest.raises(GenerationError, match="ran on studio but saved no sound"):
        _pick_output(outputs[:1], studio, "sound")
