"""Input pictures fitted to each model's published rules before anything is sent (inputs.py):
a WebP keyframe goes to Replicate's Kling 3.0 as a PNG copy of the same pixels, a picture too
small or too tall is refused in one line naming its size and the model's range (the test server
never hears of it), a JPEG copy stands in where the PNG would be over the weight limit, and a
picture over the largest side is scaled down keeping its shape. `request_shape` says which."""

from __future__ import annotations

import base64
import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from servers.replicate import ReplicateServer
from test_replicate_files import KEY, created_inputs, generate

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.fal_models import SEEDANCE_PICTURES
from foundry_desktop.generation.cloud.catalog.replicate_models import KLING_V3_PICTURES, REPLICATE_MODELS
from foundry_desktop.generation.cloud.catalog.video_models import shape_request
from foundry_desktop.generation.cloud.inputs import JPEG, PNG, PictureRules, fit_picture, picture_for

KLING = "kwaivgi/kling-v3-video"
WHO = "Replicate's Kling 3.0"


def saved(path: Path, size: tuple[int, int], kind: str = "PNG", *, noisy: bool = False, **options) -> Path:
    width, height = size
    pixels = (np.random.default_rng(3).integers(0, 256, (height, width, 3), dtype=np.uint8) if noisy else
              np.tile(np.linspace(0, 255, width, dtype=np.uint8)[None, :, None], (height, 1, 3)))
    Image.fromarray(pixels).save(path, kind, **options)
    return path


def kling_shot(folder: Path, image: Path) -> GenerationRequest:
    return GenerationRequest(shot_id="s1", prompt="a harbour at dawn", negative_prompt="", seed=5, width=1280,
                             height=720, frame_rate=Fraction(24), frames=24 * 5, output_dir=folder, model=KLING,
                             input_image=image)


def test_a_webp_keyframe_reaches_kling_as_a_png_copy_of_the_same_pixels(tmp_path: Path) -> None:
    key = saved(tmp_path / "key.webp", (640, 360), "WEBP", lossless=True)
    shape = shape_request(REPLICATE_MODELS[KLING], kling_shot(tmp_path, key), provider_words="Replicate")
    assert any("key.webp is WebP" in note and "sent as a PNG copy" in note for note in shape.notes), shape.notes
    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server:
        result = generate(server, kling_shot(tmp_path, key))
        (sent,) = created_inputs(server)
    head, _, payload = sent["start_image"].partition(",")
    assert head == "data:image/png;base64" and result.path.exists()  # the server takes it: no failure
    with Image.open(io.BytesIO(base64.b64decode(payload))) as copy, Image.open(key) as own:
        assert copy.format == "PNG" and copy.tobytes() == own.convert(copy.mode).tobytes()


@pytest.mark.parametrize(("size", "words"), [
    ((200, 112), "The input image key.png is 200x112 px; Replicate's Kling 3.0 needs at least 300 px a side."),
    ((320, 1000), "The input image key.png is 320x1000 px (1:3.12); Replicate's Kling 3.0 takes pictures from "
                  "1:2.5 to 2.5:1. Crop it"),
])
def test_a_picture_kling_cannot_take_is_refused_in_one_line_before_any_call(tmp_path: Path, size, words) -> None:
    key = saved(tmp_path / "key.png", size)
    with pytest.raises(GenerationError) as shaped:
        shape_request(REPLICATE_MODELS[KLING], kling_shot(tmp_path, key), provider_words="Replicate")
    assert str(shaped.value).startswith(words) and "\n" not in str(shaped.value)
    with ReplicateServer(api_key=KEY, task_seconds=0.05) as server:
        with pytest.raises(GenerationError) as sent:
            generate(server, kling_shot(tmp_path, key))
        assert server.requests == []  # not even the model's schema was asked for
    assert str(sent.value) == str(shaped.value)


def test_a_png_over_the_weight_limit_goes_as_a_jpeg_of_the_same_size(tmp_path: Path) -> None:
    heavy = saved(tmp_path / "heavy.png", (2000, 1500), noisy=True)  # about 9 MB of noise
    rules = PictureRules(formats=(PNG, JPEG), min_side=300, max_bytes=heavy.stat().st_size // 2)
    assert "lighter copy" in (fit_picture(heavy, rules, role="input image", who=WHO).note(WHO, rules) or "")
    data, mime = picture_for(heavy, rules, role="input image", who=WHO)
    assert mime == JPEG and len(data) <= rules.max_bytes
    with Image.open(io.BytesIO(data)) as copy:
        assert copy.size == (2000, 1500)


def test_a_picture_over_the_largest_side_is_scaled_down_keeping_its_shape(tmp_path: Path) -> None:
    wide = saved(tmp_path / "wide.png", (7000, 3500))
    fit = fit_picture(wide, SEEDANCE_PICTURES, role="input image", who="fal.ai's Seedance 2.0")
    assert "sent scaled to 6000x3000" in (fit.note("fal.ai's Seedance 2.0", SEEDANCE_PICTURES) or "")
    data, mime = picture_for(wide, SEEDANCE_PICTURES, role="input image", who="fal.ai's Seedance 2.0")
    with Image.open(io.BytesIO(data)) as copy:
        assert (mime, copy.size) == (PNG, (6000, 3000))


def test_a_picture_sent_as_it_is_is_the_file_itself_and_an_unreadable_one_is_refused(tmp_path: Path) -> None:
    key = saved(tmp_path / "key.jpg", (640, 360), "JPEG", quality=80)
    assert picture_for(key, KLING_V3_PICTURES, role="input image", who=WHO) == (key.read_bytes(), JPEG)
    assert fit_picture(key, KLING_V3_PICTURES, role="input image", who=WHO).note(WHO, KLING_V3_PICTURES) is None
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with pytest.raises(GenerationError, match="notes.png is not a picture Foundry can read"):
        fit_picture(text, KLING_V3_PICTURES, role="last frame", who=WHO)
    with pytest.raises(GenerationError, match="gone.png is missing"):
        fit_picture(tmp_path / "gone.png", KLING_V3_PICTURES, role="input image", who=WHO)


def test_a_camera_jpeg_turned_by_its_exif_is_measured_as_it_is_seen(tmp_path: Path) -> None:
    """A portrait photo stored 1000x300 with 'rotate 90' is 300x1000 on screen: out of Kling's range."""
    exif = Image.Exif()
    exif[0x0112] = 6
    turned = saved(tmp_path / "turned.jpg", (1000, 300), "JPEG", exif=exif.tobytes())
    with pytest.raises(GenerationError, match=r"turned.jpg is 300x1000 px"):
        fit_picture(turned, KLING_V3_PICTURES, role="input image", who=WHO)
