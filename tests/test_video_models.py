"""The request shape chosen from a cloud model's table: ratio per endpoint, length, seed, notes, refusals."""

from fractions import Fraction
from pathlib import Path

import pytest

from foundry_desktop.errors import GenerationError
from foundry_desktop.generation.backend import GenerationRequest
from foundry_desktop.generation.cloud.catalog.video_models import (
    EndpointShape,
    Price,
    VideoModel,
    ratio_words,
    shape_request,
)

MODEL = VideoModel(
    id="m1", provider="test", label="Model One",
    endpoints={
        "text_to_video": EndpointShape(ratios=("1280:720", "720:1280"), durations=(4, 6, 8), seed_range=(0, 99),
                                       max_prompt_units=10),
        "image_to_video": EndpointShape(ratios=("1280:720", "720:1280", "960:960"), durations=(5, 10),
                                        prompt_required=False),
    },
    price=Price(0.5, "usd"),
)


def request(width=1280, height=720, seconds=6, prompt="a fox", image=None, seed=7, last=None):
    return GenerationRequest(shot_id="s", prompt=prompt, negative_prompt="", seed=seed, width=width, height=height,
                             frame_rate=Fraction(24), frames=int(seconds * 24), output_dir=Path("."),
                             input_image=image, last_image=last)


def test_the_ratio_is_chosen_per_endpoint_and_a_differing_shape_is_noted():
    square_text = shape_request(MODEL, request(960, 960), provider_words="Test")
    assert square_text.ratio == "1280:720" and any("nearest shape" in note for note in square_text.notes)
    square_picture = shape_request(MODEL, request(960, 960, image=Path("k.png"), seconds=5), provider_words="Test")
    assert square_picture.endpoint == "image_to_video" and square_picture.ratio == "960:960"
    assert not any("shape" in note for note in square_picture.notes)


def test_length_seed_and_price_come_from_the_table():
    shape = shape_request(MODEL, request(seconds=7, seed=1234), provider_words="Test")
    assert shape.duration_s == 8 and shape.seed == 1234 % 100
    assert shape.estimate is not None and shape.estimate.amount == 4.0 and shape.estimate.unit == "usd"
    assert any("8 s asked for a 7 s shot" in note for note in shape.notes)
    no_seed = shape_request(MODEL, request(image=Path("k.png"), seconds=5, seed=3), provider_words="Test")
    assert no_seed.seed is None and any("no seed" in note for note in no_seed.notes)
    assert "no seed" in no_seed.words()


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"prompt": "  "}, "needs a prompt"),
    ({"prompt": "a" * 11}, "up to 10 characters"),
    ({"image": Path("k.png"), "last": Path("l.png")}, "no last frame"),
])
def test_what_the_model_cannot_take_is_refused_before_sending(kwargs, words):
    with pytest.raises(GenerationError, match=words):
        shape_request(MODEL, request(**kwargs), provider_words="Test")


def test_a_model_without_the_endpoint_says_which_input_is_missing():
    text_only = VideoModel(id="t", provider="test", label="T", endpoints={"text_to_video": EndpointShape()})
    with pytest.raises(GenerationError, match="from text only"):
        shape_request(text_only, request(image=Path("k.png")), provider_words="Test")
    picture_only = VideoModel(id="p", provider="test", label="P", endpoints={"image_to_video": EndpointShape()})
    with pytest.raises(GenerationError, match="from a picture"):
        shape_request(picture_only, request(), provider_words="Test")
    assert "text to video (16:9/9:16, 4, 6, 8 s)" in MODEL.accepts_words()


def test_a_listing_names_shapes_as_a_creator_does_and_keeps_sizes():
    runway = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672", "1920:1080")
    assert ratio_words(runway) == "16:9/9:16/4:3/3:4/1:1/21:9"
    assert ratio_words(("16:9", "9:16")) == "16:9/9:16"
    assert ratio_words(("1280x720", "1792x1024")) == "1280x720/1792x1024"
    assert ratio_words(("1000:10", "7:0", "auto")) == "1000:10/7:0/auto"  # no common shape: as the provider spells it
