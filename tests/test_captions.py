"""Captions: burnt into the render where and when they should be, and written as SRT and WebVTT."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from video_sources import decoded_frames, write_video

from foundry_desktop.app.render.caption_pixels import caption_look
from foundry_desktop.app.render.film_render import render_film
from foundry_desktop.app.shots.media_shots import add_media_shot
from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.captions.styles import CAPTION_STYLES, word_spans
from foundry_desktop.domain.project import Caption, CaptionStyle
from foundry_desktop.errors import InvalidEditError
from foundry_desktop.interchange.subtitles import srt_text, webvtt_text
from foundry_desktop.media.render.caption_overlay import CaptionOverlay, CaptionPainter
from foundry_desktop.media.encode.yuv_picture import planes_of, yuv420p_frame

GREY = (90, 90, 90)


def grey_frame(width=320, height=180, level=80):
    return yuv420p_frame(
        np.full((height, width), level, np.uint8),
        np.full((height // 2, width // 2), 128, np.uint8),
        np.full((height // 2, width // 2), 128, np.uint8),
    )


def overlay(text="HELLO THERE", style=CaptionStyle(), height=180, first=0, end=10, word_starts=()):
    return CaptionOverlay(text, caption_look(style, height), first, end, word_starts)


def ink_rows(y: np.ndarray, background: int = 80) -> np.ndarray:
    return np.flatnonzero((np.abs(y.astype(int) - background) > 30).any(axis=1))


@pytest.mark.parametrize("position", ["bottom", "middle", "top"])
def test_a_caption_is_drawn_inside_the_title_safe_area(position):
    painter = CaptionPainter(320, 180)
    picture = grey_frame()
    drawn = painter.apply(picture, (overlay(style=CaptionStyle(position=position)),), 0)
    y = planes_of(drawn)[0]
    rows = ink_rows(y)
    cols = np.flatnonzero((np.abs(y.astype(int) - 80) > 30).any(axis=0))
    assert rows.size and cols.size
    # Title safe: the central 90% (9 px margins on 180, 16 on 320).
    assert rows[0] >= 9 and rows[-1] < 171 and cols[0] >= 16 and cols[-1] < 304
    where = {"top": rows[-1] < 60, "middle": 60 <= rows.mean() <= 120, "bottom": rows[0] > 120}
    assert where[position]
    # White letters and a black outline both appear; the source picture is untouched.
    assert y.max() > 225 and y.min() < 40
    assert planes_of(picture)[0].max() == 80


def test_a_caption_shows_only_on_its_frames():
    painter = CaptionPainter(320, 180)
    picture = grey_frame()
    caption = overlay(first=3, end=5)
    assert painter.apply(picture, (caption,), 2) is picture
    assert ink_rows(planes_of(painter.apply(picture, (caption,), 3))[0]).size
    assert painter.apply(picture, (caption,), 5) is picture


def test_the_highlighted_word_changes_colour_as_it_is_spoken():
    style = CAPTION_STYLES["social"]
    caption = overlay("ONE TWO", style=style, word_starts=(0, 5))
    painter = CaptionPainter(320, 180)
    first, second = (painter.apply(grey_frame(), (caption,), frame) for frame in (0, 5))
    # Yellow carries colour (U well below 128); the left word is yellow first, then the right one.
    u_first, u_second = planes_of(first)[1].astype(int), planes_of(second)[1].astype(int)
    half = u_first.shape[1] // 2
    assert u_first[:, :half].min() < 100 and u_first[:, half:].min() > 110
    assert u_second[:, half:].min() < 100 and u_second[:, :half].min() > 110


def test_words_without_times_are_spread_by_length():
    caption = Caption(text="a bb ccc", start=10, end=22)
    assert word_spans(caption) == [(10, 12), (12, 16), (16, 22)]
    timed = Caption(text="a bb ccc", start=10, end=22, word_starts=[10, 11, 20])
    assert word_spans(timed) == [(10, 11), (11, 20), (20, 22)]
    with pytest.raises(ValueError, match="one start per word"):
        Caption(text="a bb", start=0, end=5, word_starts=[0])
    with pytest.raises(ValueError, match="while it shows"):
        Caption(text="a bb", start=0, end=5, word_starts=[0, 5])


def test_srt_and_webvtt_times_are_the_caption_frames():
    rate = Fraction(30000, 1001)
    captions = [
        Caption(text="Second <b> & more", start=60, end=90),
        Caption(text="First\n\nline two", start=1, end=30),
        Caption(text="After the end", start=400, end=420),
        Caption(text="Cut off", start=290, end=330),
    ]
    assert srt_text(captions, rate, 300) == (
        "1\n00:00:00,033 --> 00:00:01,001\nFirst\nline two\n\n"
        "2\n00:00:02,002 --> 00:00:03,003\nSecond <b> & more\n\n"
        "3\n00:00:09,676 --> 00:00:10,010\nCut off\n"
    )
    vtt = webvtt_text(captions, rate, 300)
    assert vtt.startswith("WEBVTT\n\n00:00:00.033 --> 00:00:01.001\nFirst\nline two\n")
    assert "Second &lt;b&gt; &amp; more" in vtt


def test_webvtt_times_each_word_of_a_highlighted_caption():
    caption = Caption(text="one two", start=24, end=48, word_starts=[24, 36], style=CAPTION_STYLES["social"])
    assert "00:00:01.000 --> 00:00:02.000\none <00:00:01.500>two\n" in webvtt_text([caption], Fraction(24), 100)
    # Words said on the same frame share the first one's time: WebVTT's times must rise.
    crowded = Caption(text="a b c d", start=24, end=26, word_starts=[24, 25, 25, 25], style=CAPTION_STYLES["social"])
    assert "\na <00:00:01.042>b c d\n" in webvtt_text([crowded], Fraction(24), 100)


@pytest.fixture
def service(tmp_path):
    with ProjectService.create(tmp_path / "film.foundry", width=320, height=180, frame_rate="24") as service:
        yield service


def test_a_render_burns_captions_in_and_writes_sidecars(service, tmp_path):
    grey = write_video(tmp_path / "grey.mp4", frames=72, width=320, height=180,
                       picture=lambda index: np.full((180, 320, 3), GREY, np.uint8))
    add_media_shot(service, grey)
    add_media_shot(service, grey)
    service.add_caption("Hello there", "1", "2")
    service.add_caption("Up top", "2.5", "3.5", "title")
    render = render_film(service, tmp_path / "film.mp4")

    frames = decoded_frames(render.report.media.path)
    assert len(frames) == 144

    def bright_rows(frame):
        luma = frame.mean(axis=2)
        return np.flatnonzero((luma > 200).any(axis=1))

    assert bright_rows(frames[23]).size == 0
    for index in (24, 47):
        rows = bright_rows(frames[index])
        assert rows.size and rows[0] > 120 and rows[-1] < 171  # low, within title safe
    assert bright_rows(frames[48]).size == 0
    # The title (frames 60-83) crosses the cut between the shots at 72 and is in the middle.
    for index in (60, 72, 83):
        rows = bright_rows(frames[index])
        assert rows.size and 50 < rows.mean() < 130
    assert bright_rows(frames[84]).size == 0

    srt, vtt = render.subtitles
    assert srt.read_text() == (
        "1\n00:00:01,000 --> 00:00:02,000\nHello there\n\n2\n00:00:02,500 --> 00:00:03,500\nUp top\n"
    )
    assert vtt.name == "film.vtt" and vtt.read_text().startswith("WEBVTT")

    # Without captions, a new render of the film takes the old subtitles away with it.
    for caption in list(service.project.timeline.captions):
        service.remove_caption(caption.id)
    assert render_film(service, tmp_path / "film.mp4").subtitles == ()
    assert not srt.exists() and not vtt.exists()


def test_changing_a_caption_encodes_only_the_segments_it_shows_in(service, tmp_path):
    grey = write_video(tmp_path / "grey.mp4", frames=48, width=320, height=180,
                       picture=lambda index: np.full((180, 320, 3), GREY, np.uint8))
    for _ in range(3):
        add_media_shot(service, grey)
    caption = service.add_caption("First words", "0.5", "1")
    render_film(service, tmp_path / "one.mp4")
    service.remove_caption(caption.id)
    service.add_caption("Other words", "0.5", "1")
    again = render_film(service, tmp_path / "two.mp4").report
    assert (again.segments_encoded, again.segments_reused) == (1, 1)  # shots 2 and 3 are one cached segment


def test_unknown_styles_and_fonts_are_refused_in_words(service):
    with pytest.raises(InvalidEditError, match="no caption style 'loud'"):
        service.add_caption("x", "0", "1", "loud")
    with pytest.raises(InvalidEditError, match="neither a bundled font"):
        service.add_caption("x", "0", "1", CaptionStyle(font="Comic Sans"))
    with pytest.raises(InvalidEditError, match="must end after it starts"):
        service.add_caption("x", "1", "1")
    assert service.project.timeline.captions == []
