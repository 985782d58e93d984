"""ComfyUI workflow templates: the shipped ones load and fill right; bad files fail clearly."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from foundry_desktop.errors import FoundryError, GenerationError, InputFileError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.comfyui.library import (
    WorkflowLibrary,
    builtin_workflows_dir,
)
from foundry_desktop.generation.comfyui.server_check import check_against
from foundry_desktop.generation.comfyui.template import ModelFile, WorkflowValues
from foundry_desktop.generation.comfyui.template_file import load_workflow_template, parse_workflow_template

IMAGE = ["flux-schnell-text-to-image", "qwen-image-text-to-image", "sdxl-text-to-image"]
AUDIO = ["stable-audio-text-to-audio"]
FIRST_LAST_FRAME = ["wan22-first-last-frame"]
IMAGE_TO_VIDEO = ["ltxv-image-to-video", "svd-image-to-video", "wan-image-to-video", "wan22-5b-image-to-video",
                  *FIRST_LAST_FRAME]  # fmt: skip
VIDEO = sorted(IMAGE_TO_VIDEO + ["ltxv-text-to-video", "wan-text-to-video", "wan22-5b-text-to-video"])
SHIPPED = sorted(IMAGE + AUDIO + VIDEO)


def shipped(name: str):
    return load_workflow_template(builtin_workflows_dir() / f"{name}.json")


def values(**overrides) -> WorkflowValues:
    base = dict(
        prompt="a lighthouse in a storm",
        negative_prompt="blurry",
        seed=1234,
        width=832,
        height=480,
        frames=33,
        fps=Fraction(24),
        input_image="shot-1 start.png",
        last_image="shot-1 end.png",
    )
    base.update(overrides)
    return WorkflowValues(**base)


def landed(graph: dict, template, role: str) -> list:
    return [graph[t.node_id]["inputs"][t.input_name] for t in template.roles[role]]


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# A bare API-format export whose roles come only from node titles.
TAGGED_GRAPH = {
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "dreamshaper.safetensors"}},
    "2": {
        "class_type": "CLIPTextEncode",
        "inputs": {"text": "old", "clip": ["1", 1]},
        "_meta": {"title": "Prompt (Input:prompt)"},
    },
    "3": {
        "class_type": "EmptyLatentImage",
        "inputs": {"width": 512, "height": 512, "batch_size": 1},
        "_meta": {"title": "Size (Input:width) (Input:height) (input:frames)"},
    },
    "4": {
        "class_type": "KSamplerAdvanced",
        "inputs": {
            "noise_seed": 1, "steps": 20, "cfg": 7, "add_noise": "enable",
            "model": ["1", 0], "positive": ["2", 0], "negative": ["2", 0], "latent_image": ["3", 0],
        },
        "_meta": {"title": "Sampler (Input:seed) (Input:detail=steps) (Input:cfg)"},
    },
    "5": {"class_type": "VAEDecode", "inputs": {"samples": ["4", 0], "vae": ["1", 2]}},
    "6": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["5", 0]}},
}  # fmt: skip


# -- the shipped templates ------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_template_loads_with_the_roles_a_shot_fills(name):
    template = shipped(name)
    assert template.name == name
    assert template.title and template.category and template.description
    assert template.category == ("Audio" if name in AUDIO else "Image" if name in IMAGE else "Video")
    for role in ("seed", "seconds") if name in AUDIO else ("seed", "width", "height"):
        assert template.has_role(role), role
    if name != "svd-image-to-video":  # SVD is steered by the picture alone
        assert template.has_role("prompt")
    assert template.has_role("frames") == (name in VIDEO)
    assert template.has_role("fps") == (name in VIDEO)
    assert template.takes_image == (name in IMAGE_TO_VIDEO)
    assert template.takes_last_image == (name in FIRST_LAST_FRAME)
    assert template.outputs(), "a template must save something"


@pytest.mark.parametrize("name", SHIPPED)
def test_the_shipped_models_list_is_what_the_graph_loads(name):
    template = shipped(name)
    declared = {(model.name, model.folder) for model in template.declared_models}
    assert {(model.name, model.folder) for model in template.required_models()} == declared
    assert all(model.url and model.url.startswith("https://") for model in template.required_models())
    readme = (builtin_workflows_dir() / "README.md").read_text(encoding="utf-8")
    assert name in readme and all(model_name in readme for model_name, _ in declared)


def test_required_nodes_and_models_of_the_shipped_templates():
    assert shipped("sdxl-text-to-image").required_nodes() == [
        "CLIPTextEncode", "CheckpointLoaderSimple", "EmptyLatentImage", "KSampler", "SaveImage", "VAEDecode",
    ]  # fmt: skip
    assert shipped("sdxl-text-to-image").required_models() == [
        ModelFile("sd_xl_base_1.0.safetensors", "checkpoints")
    ]
    assert shipped("svd-image-to-video").required_nodes() == [
        "CreateVideo", "ImageOnlyCheckpointLoader", "KSampler", "LoadImage", "SVD_img2vid_Conditioning",
        "SaveVideo", "VAEDecode", "VideoLinearCFGGuidance",
    ]  # fmt: skip
    assert shipped("svd-image-to-video").required_models() == [ModelFile("svd_xt.safetensors", "checkpoints")]
    assert set(shipped("wan-text-to-video").required_nodes()) == {
        "UNETLoader", "CLIPLoader", "VAELoader", "ModelSamplingSD3", "CLIPTextEncode", "EmptyHunyuanLatentVideo",
        "KSampler", "VAEDecode", "CreateVideo", "SaveVideo",
    }  # fmt: skip
    assert set(shipped("wan-image-to-video").required_nodes()) == {
        "UNETLoader", "CLIPLoader", "VAELoader", "CLIPVisionLoader", "CLIPVisionEncode", "LoadImage",
        "WanImageToVideo", "ModelSamplingSD3", "CLIPTextEncode", "KSampler", "VAEDecode", "CreateVideo", "SaveVideo",
    }  # fmt: skip
    assert shipped("wan-image-to-video").required_models() == [
        ModelFile("clip_vision_h.safetensors", "clip_vision"),
        ModelFile("wan2.1_i2v_480p_14B_fp16.safetensors", "diffusion_models"),
        ModelFile("umt5_xxl_fp8_e4m3fn_scaled.safetensors", "text_encoders"),
        ModelFile("wan_2.1_vae.safetensors", "vae"),
    ]
    assert shipped("wan-text-to-video").graph["38"]["inputs"]["type"] == "wan"


@pytest.mark.parametrize("name", SHIPPED)
def test_fill_puts_each_value_in_its_node_input(name):
    template = shipped(name)
    graph = template.fill(values(extra={"steps": "12", "cfg": 3.5}, seconds=12.5))
    assert landed(graph, template, "seed") == [1234] * len(template.roles["seed"])
    if template.has_role("width"):
        assert landed(graph, template, "width") == [832]
        assert landed(graph, template, "height") == [480]
    if template.has_role("steps"):
        assert landed(graph, template, "steps") == [12]
    if template.has_role("cfg"):  # FLUX schnell runs without guidance
        assert landed(graph, template, "cfg") == [3.5] * len(template.roles["cfg"])
    if template.has_role("prompt"):
        assert landed(graph, template, "prompt") == ["a lighthouse in a storm"]
    if template.has_role("negative_prompt"):
        assert landed(graph, template, "negative_prompt") == ["blurry"]
    if template.has_role("seconds"):
        assert landed(graph, template, "seconds") == [12.5] * len(template.roles["seconds"])
    if template.has_role("frames"):
        assert landed(graph, template, "frames") == [33]
        assert landed(graph, template, "fps") == [24.0] * len(template.roles["fps"])
    if template.takes_image:
        assert landed(graph, template, "input_image") == ["shot-1 start.png"]
    if template.takes_last_image:
        assert landed(graph, template, "last_image") == ["shot-1 end.png"]
    # Only the mapped inputs changed, and the template itself did not.
    assert graph.keys() == template.graph.keys()
    assert all(graph[n]["class_type"] == template.graph[n]["class_type"] for n in graph)
    assert template.graph != graph
    assert template.fill(values(extra={"steps": "12", "cfg": 3.5}, seconds=12.5)) == graph


def test_the_wan_template_fills_the_nodes_the_official_example_uses():
    template = shipped("wan-text-to-video")
    graph = template.fill(values(frames=81, fps=Fraction(16), seed=7))
    assert graph["40"]["inputs"] == {"width": 832, "height": 480, "length": 81, "batch_size": 1}
    assert graph["3"]["inputs"]["seed"] == 7
    assert graph["6"]["inputs"]["text"] == "a lighthouse in a storm"
    assert graph["49"]["inputs"]["fps"] == 16.0
    assert graph["50"]["inputs"]["format"] == "mp4" and graph["50"]["inputs"]["codec"] == "h264"


def test_svd_gets_the_frame_rate_in_both_the_conditioning_and_the_video():
    template = shipped("svd-image-to-video")
    graph = template.fill(values(fps=Fraction(30000, 1001), frames=25, extra={"motion_bucket_id": "180"}))
    assert graph["12"]["inputs"]["video_frames"] == 25
    assert graph["12"]["inputs"]["motion_bucket_id"] == 180
    assert graph["24"]["inputs"]["fps"] == pytest.approx(29.97, abs=0.001)
    assert graph["12"]["inputs"]["fps"] == pytest.approx(29.97, abs=0.001)  # ComfyUI makes INT inputs int itself


@pytest.mark.parametrize("name", SHIPPED)
def test_another_seed_gives_another_graph(name):
    template = shipped(name)
    assert template.fill(values(seed=1)) != template.fill(values(seed=2))


def test_odd_sizes_become_even_and_follow_the_size_multiple():
    sdxl = shipped("sdxl-text-to-image")  # size_multiple 8
    graph = sdxl.fill(values(width=1081, height=607))
    assert (graph["5"]["inputs"]["width"], graph["5"]["inputs"]["height"]) == (1080, 608)
    wan = shipped("wan-text-to-video")  # size_multiple 16
    graph = wan.fill(values(width=1920, height=1080))
    assert (graph["40"]["inputs"]["width"], graph["40"]["inputs"]["height"]) == (1920, 1088)
    plain = parse_workflow_template(TAGGED_GRAPH, name="plain")  # no multiple given: just even
    graph = plain.fill(values(width=641, height=479))
    assert (graph["3"]["inputs"]["width"], graph["3"]["inputs"]["height"]) == (642, 480)
    assert plain.fill(values(width=1, height=1))["3"]["inputs"]["width"] == 2


def test_an_empty_negative_prompt_keeps_the_templates_own():
    template = shipped("wan-text-to-video")
    graph = template.fill(values(negative_prompt=""))
    assert graph["7"]["inputs"]["text"] == template.graph["7"]["inputs"]["text"] != ""


def test_an_image_to_video_template_needs_the_image():
    with pytest.raises(GenerationError, match="starts from an image"):
        shipped("wan-image-to-video").fill(values(input_image=None))


def test_an_unknown_or_bad_parameter_is_named():
    template = shipped("wan-text-to-video")
    with pytest.raises(GenerationError, match=r"no setting called stpes.*steps"):
        template.fill(values(extra={"stpes": 30}))
    assert template.fill(values(extra={"title": "x"}), ignore_unknown=True)
    with pytest.raises(GenerationError, match="takes a number"):
        template.fill(values(extra={"steps": "many"}))
    with pytest.raises(GenerationError, match="seed"):
        template.fill(values(seed=-1))


def test_the_template_keeps_its_own_copy_of_the_graph():
    source = json.loads(json.dumps(TAGGED_GRAPH))
    template = parse_workflow_template(source, name="x")
    source["2"]["inputs"]["text"] = "changed"
    assert template.graph["2"]["inputs"]["text"] == "old"
    with pytest.raises(GenerationError, match="takes a number"):
        template.fill(values(extra={"cfg": "inf"}))


def test_values_come_from_a_generation_request(tmp_path):
    request = GenerationRequest(
        shot_id="s1", prompt="p", negative_prompt="n", seed=9, width=1280, height=720,
        frame_rate=Fraction(24000, 1001), frames=49, output_dir=tmp_path, params={"shift": 5},
    )  # fmt: skip
    graph = shipped("wan-text-to-video").fill(WorkflowValues.from_request(request, filename_prefix="foundry/s1"))
    assert graph["40"]["inputs"]["length"] == 49
    assert graph["48"]["inputs"]["shift"] == 5.0
    assert graph["50"]["inputs"]["filename_prefix"] == "foundry/s1"
    assert graph["49"]["inputs"]["fps"] == pytest.approx(23.976, abs=0.001)


def test_the_identity_follows_the_graph_not_the_title(tmp_path):
    source = json.loads((builtin_workflows_dir() / "wan-text-to-video.json").read_text(encoding="utf-8"))
    original = parse_workflow_template(source, name="a")
    retitled = parse_workflow_template({**source, "title": "Renamed", "category": "Other"}, name="b")
    assert original.identity == retitled.identity
    changed = json.loads(json.dumps(source))
    changed["graph"]["3"]["inputs"]["steps"] = 31
    assert parse_workflow_template(changed, name="a").identity != original.identity
    assert len({shipped(name).identity for name in SHIPPED}) == len(SHIPPED)


# -- role tags in titles ----------------------------------------------------------


def test_role_tags_in_titles_work_without_a_map(tmp_path):
    template = load_workflow_template(write(tmp_path / "my-flow.json", TAGGED_GRAPH))
    assert template.name == "my-flow" and template.title == "My flow"
    assert {role: [(t.node_id, t.input_name) for t in targets] for role, targets in template.roles.items()} == {
        "prompt": [("2", "text")],
        "width": [("3", "width")],
        "height": [("3", "height")],
        "frames": [("3", "batch_size")],
        "seed": [("4", "noise_seed")],
        "detail": [("4", "steps")],
        "cfg": [("4", "cfg")],
    }
    graph = template.fill(values(frames=1, extra={"detail": 8}))
    assert graph["4"]["inputs"]["noise_seed"] == 1234
    assert graph["4"]["inputs"]["steps"] == 8
    assert graph["2"]["inputs"]["text"] == "a lighthouse in a storm"
    assert template.outputs() == ["6"]
    assert template.required_models() == [ModelFile("dreamshaper.safetensors", "checkpoints")]


def test_the_explicit_map_wins_over_a_tag():
    wrapped = {"graph": TAGGED_GRAPH, "params": {"cfg": {"node": "4", "input": "steps"}}}
    template = parse_workflow_template(wrapped, name="x")
    assert [(t.node_id, t.input_name) for t in template.roles["cfg"]] == [("4", "steps")]
    assert "prompt" in template.roles  # the tags still count for the other roles


def test_without_a_seed_role_the_seed_goes_into_the_file_name():
    graph = json.loads(json.dumps(TAGGED_GRAPH))
    graph["4"]["_meta"]["title"] = "Sampler"
    template = parse_workflow_template(graph, name="x")
    one, two = template.fill(values(seed=1)), template.fill(values(seed=2))
    assert one != two
    assert one["6"]["inputs"]["filename_prefix"] == "foundry_1"


# -- files that are not right -------------------------------------------------------


def test_a_ui_format_file_gets_the_export_hint(tmp_path):
    ui_format = {"last_node_id": 9, "nodes": [{"id": 3, "type": "KSampler"}], "links": [], "version": 0.4}
    for path in (write(tmp_path / "ui.json", ui_format), write(tmp_path / "wrapped.json", {"graph": ui_format})):
        with pytest.raises(InputFileError, match=r"UI format; export it with Save \(API Format\)"):
            load_workflow_template(path)


def test_a_file_that_is_not_json_is_named(tmp_path):
    (tmp_path / "broken.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"broken\.json is not a workflow: it is not valid JSON"):
        load_workflow_template(tmp_path / "broken.json")
    with pytest.raises(InputFileError, match="does not exist"):
        load_workflow_template(tmp_path / "missing.json")
    with pytest.raises(InputFileError, match="no class_type"):
        load_workflow_template(write(tmp_path / "odd.json", {"1": {"inputs": {}}}))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"seed": {"node": "99"}}, "node 99, which is not in the workflow"),
        ({"seed": {"node": "4", "input": "sed"}}, "input sed of node 4"),
        ({"seed": {"node": "4", "input": "model"}}, "wired to another node"),
        ({"prompt": {"node": "5"}}, "no input called text"),
        ({"seed": "4"}, "must name a node"),
        ({"Bad Name": {"node": "4"}}, "not a parameter name"),
    ],
)
def test_a_broken_map_is_explained(params, message):
    with pytest.raises(InputFileError, match=message):
        parse_workflow_template({"graph": TAGGED_GRAPH, "params": params}, name="x")


def test_a_tag_naming_a_missing_input_is_explained():
    graph = json.loads(json.dumps(TAGGED_GRAPH))
    graph["5"]["_meta"] = {"title": "Decode (Input:seed)"}
    with pytest.raises(InputFileError, match=r"no input called seed or noise_seed.*\(Input:seed=INPUT_NAME\)"):
        parse_workflow_template(graph, name="x")


def test_a_link_to_a_missing_node_is_explained():
    graph = json.loads(json.dumps(TAGGED_GRAPH))
    graph["5"]["inputs"]["vae"] = ["42", 2]
    with pytest.raises(InputFileError, match="from node 42, which is not in the workflow"):
        parse_workflow_template(graph, name="x")


# -- checking against a server --------------------------------------------------------


def object_info_for(template, *, combo_shape: str = "classic") -> dict:
    """An /object_info answer that offers exactly what the template uses (and one more choice)."""
    options: dict[tuple[str, str], list] = {}
    info: dict = {}
    for node in template.graph.values():
        class_type = node["class_type"]
        required = info.setdefault(class_type, {"input": {"required": {}}, "output_node": class_type.startswith("Save")})
        required = required["input"]["required"]
        for input_name, value in node["inputs"].items():
            if isinstance(value, str) and input_name not in ("text", "filename_prefix"):
                choices = options.setdefault((class_type, input_name), ["other.safetensors"])
                choices.insert(0, value)
                required[input_name] = [choices] if combo_shape == "classic" else ["COMBO", {"options": choices}]
            elif isinstance(value, str):
                required[input_name] = ["STRING", {"multiline": True}]
            elif isinstance(value, (int, float)):
                required[input_name] = ["FLOAT", {"default": 0}]
            else:
                required[input_name] = ["MODEL"]
    return info


@pytest.mark.parametrize("shape", ["classic", "combo"])
def test_check_against_a_server_that_has_everything(shape):
    template = shipped("wan-image-to-video")
    info = object_info_for(template, combo_shape=shape)
    info["LoadImage"]["input"]["required"]["image"] = [["something-else.png"]]  # Foundry uploads its own
    folders = {model.folder: [model.name] for model in template.required_models()}
    assert check_against(template, info, folders) == []
    assert template.outputs(info) == ["56"]


def test_check_against_names_a_missing_node_class():
    template = shipped("wan-text-to-video")
    info = object_info_for(template)
    del info["EmptyHunyuanLatentVideo"]
    problems = check_against(template, info, {})
    assert len(problems) == 1
    assert "lacks the node EmptyHunyuanLatentVideo" in problems[0]


def test_check_against_names_a_missing_model_from_the_folder_listing():
    template = shipped("wan-text-to-video")
    info = object_info_for(template)
    info["VAELoader"]["input"]["required"]["vae_name"] = ["COMBO", {"options": ["wan_2.1_vae.safetensors"]}]
    # The old folder name for text encoders counts, and a folder not listed is not checked.
    models = {"clip": ["umt5_xxl_fp8_e4m3fn_scaled.safetensors"], "diffusion_models": ["other.safetensors"]}
    assert check_against(template, info, models) == [
        "The server lacks the model wan2.1_t2v_1.3B_fp16.safetensors in diffusion_models: "
        "put it in ComfyUI/models/diffusion_models/."
    ]


@pytest.mark.parametrize("shape", ["classic", "combo"])
def test_check_against_names_a_model_missing_from_a_loader_dropdown(shape):
    template = shipped("sdxl-text-to-image")
    info = object_info_for(template, combo_shape=shape)
    offered = ["v1-5-pruned-emaonly.safetensors"]
    info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"] = (
        [offered] if shape == "classic" else ["COMBO", {"options": offered}]
    )
    problems = check_against(template, info, {"checkpoints": offered})
    assert problems == [
        "The server lacks the model sd_xl_base_1.0.safetensors in checkpoints: put it in ComfyUI/models/checkpoints/."
    ]


@pytest.mark.parametrize("shape", ["classic", "combo"])
def test_check_against_names_a_dropdown_value_the_server_does_not_offer(shape):
    template = shipped("wan-text-to-video")
    info = object_info_for(template, combo_shape=shape)
    samplers = ["euler", "dpmpp_2m"]
    info["KSampler"]["input"]["required"]["sampler_name"] = (
        [samplers] if shape == "classic" else ["COMBO", {"options": samplers}]
    )
    problems = check_against(template, info, {})
    assert len(problems) == 1
    assert "sampler_name is 'uni_pc', which this server does not offer (it offers 'euler', 'dpmpp_2m')" in problems[0]
    assert "node 3" in problems[0]


def test_check_against_names_an_input_a_newer_node_needs():
    template = shipped("sdxl-text-to-image")
    info = object_info_for(template)
    info["EmptyLatentImage"]["input"]["required"]["aspect"] = ["INT", {}]
    problems = check_against(template, info, {})
    assert len(problems) == 1 and "needs the input aspect" in problems[0]


# -- the library ----------------------------------------------------------------------


def test_the_library_lists_the_built_ins_by_category(tmp_path):
    library = WorkflowLibrary(tmp_path / "user")
    assert library.names() == SHIPPED
    grouped = library.by_category()
    assert [entry.name for entry in grouped["Video"]] == [  # by title
        "ltxv-image-to-video", "ltxv-text-to-video", "svd-image-to-video", "wan-image-to-video", "wan-text-to-video",
        "wan22-first-last-frame", "wan22-5b-image-to-video", "wan22-5b-text-to-video",
    ]  # fmt: skip
    assert [entry.name for entry in grouped["Image"]] == IMAGE
    assert [entry.name for entry in grouped["Audio"]] == AUDIO
    assert all(entry.builtin and not entry.favourite for entry in library.entries())
    assert library.get("wan-text-to-video").title == "Wan 2.1 text to video (1.3B)"
    assert library.problems() == []


def test_import_favourite_categorise_and_remove(tmp_path):
    user = tmp_path / "user"
    library = WorkflowLibrary(user)
    source = write(tmp_path / "My Flow.json", TAGGED_GRAPH)

    imported = library.import_workflow(source, category="Stills")
    assert imported.name == "my-flow"
    assert (user / "my-flow.json").read_bytes() == source.read_bytes()
    entry = library.entry("my-flow")
    assert (entry.category, entry.builtin, entry.favourite) == ("Stills", False, False)
    assert library.get("my-flow").identity == imported.identity

    library.set_favourite("my-flow")
    library.set_favourite("wan-text-to-video")
    assert [entry.name for entry in library.favourites()] == ["my-flow", "wan-text-to-video"]
    library.set_favourite("wan-text-to-video", False)
    library.set_category("sdxl-text-to-image", "Stills")
    assert [entry.name for entry in library.by_category()["Stills"]] == ["my-flow", "sdxl-text-to-image"]

    # The index survives a new library object (it is a file, written whole).
    index = json.loads((user / "library.json").read_text(encoding="utf-8"))
    assert index["favourites"] == ["my-flow"]
    assert WorkflowLibrary(user).entry("my-flow").favourite

    with pytest.raises(GenerationError, match="already have a workflow called my-flow"):
        library.import_workflow(source)
    library.import_workflow(source, replace=True)

    library.remove("my-flow")
    assert not (user / "my-flow.json").exists()
    assert "my-flow" not in library.names()
    index = json.loads((user / "library.json").read_text(encoding="utf-8"))
    assert index["favourites"] == [] and "my-flow" not in index["categories"]
    assert [p.name for p in user.iterdir()] == ["library.json"]  # no temporary files left


def test_the_library_refuses_what_it_must(tmp_path):
    library = WorkflowLibrary(tmp_path / "user")
    with pytest.raises(GenerationError, match="built-in workflows cannot be removed"):
        library.remove("wan-text-to-video")
    with pytest.raises(GenerationError, match="already called wan-text-to-video"):
        library.import_workflow(write(tmp_path / "wan-text-to-video.json", TAGGED_GRAPH))
    with pytest.raises(InputFileError, match="UI format"):
        library.import_workflow(write(tmp_path / "ui.json", {"nodes": [], "links": []}))
    assert not (tmp_path / "user" / "ui.json").exists()
    with pytest.raises(GenerationError, match=r"no workflow called 'nope' \(there are: flux-schnell-text-to-image"):
        library.get("nope")
    with pytest.raises(GenerationError, match="no workflow called 'nope'"):
        library.set_favourite("nope")


def test_a_broken_user_file_is_reported_not_fatal(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "broken.json").write_text("{", encoding="utf-8")
    (user / "library.json").write_text("not an index", encoding="utf-8")
    library = WorkflowLibrary(user)
    assert library.names() == sorted(SHIPPED + ["broken"])
    # By category (Audio, Image, Video), then by title.
    assert [entry.name for entry in library.entries()] == [entry.name for group in library.by_category().values() for entry in group]
    assert [entry.name for entry in library.entries()][:4] == AUDIO + IMAGE
    assert len(library.problems()) == 1 and "broken.json" in library.problems()[0]
    with pytest.raises(FoundryError):
        library.get("broken")


def test_the_library_gets_a_template_by_path(tmp_path):
    path = write(tmp_path / "elsewhere.json", TAGGED_GRAPH)
    assert WorkflowLibrary(tmp_path / "user").get(str(path)).name == "elsewhere"
