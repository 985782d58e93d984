"""Words into readable captions (domain.caption_segments), punctuation put back on heard words,
caption edits that keep word times where they still make sense, and the strict subtitle readers
the speech tests rely on refusing what they must."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strict_subtitles import SubtitleError, parse_srt, parse_webvtt

from foundry_desktop.app.project_service import ProjectService
from foundry_desktop.domain.captions.segments import CaptionRules, break_lines, caption_drafts
from foundry_desktop.domain.project import Caption
from foundry_desktop.domain.captions.spoken_words import HeardWord, TimedWord, place_words, punctuated
from foundry_desktop.errors import InvalidEditError

RATE = Fraction(24)


def said(text: str, start: int = 0, frames_per_word: int = 6, gap: int = 1) -> list[TimedWord]:
    words, frame = [], start
    for word in text.split():
        words.append(TimedWord(word, frame, frame + frames_per_word))
        frame += frames_per_word + gap
    return words


def test_captions_split_at_sentences_and_pauses_and_stay_up_long_enough_to_read():
    words = said("Hi there. Good") + said("morning to you", start=100)
    drafts = caption_drafts(words, RATE)
    assert [d.text for d in drafts] == ["Hi there.", "Good", "morning to you"]
    first, good, morning = drafts
    assert first.word_starts == (0, 7) and first.end == 14  # 5/6 s would be 20 frames; "Good" follows at 14
    assert good.start == 14 and good.end == 34  # a pause of 80 frames before "morning"
    assert morning.start == 100 and morning.end == 120
    # Reading speed: 39 characters at 17 a second need 55 frames.
    long = caption_drafts(said("abcdefghi abcdefghi abcdefghi abcdefghi", frames_per_word=2), RATE)
    assert len(long) == 1 and long[0].end == 55
    # ...but never over the next caption.
    crowded = caption_drafts(said("One. Two.", frames_per_word=2), RATE)
    assert crowded[0].end == crowded[1].start == 3


def test_lines_are_at_most_42_characters_two_to_a_caption_split_evenly_at_punctuation():
    assert break_lines("short enough") == "short enough"
    assert break_lines("We went down to the river, and the water was cold") == (
        "We went down to the river,\nand the water was cold")
    text = " ".join(["word"] * 40)
    drafts = caption_drafts(said(text, frames_per_word=3), RATE, CaptionRules(max_seconds=Fraction(100)))
    assert len(drafts) > 1
    for draft in drafts:
        lines = draft.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
    assert " ".join(" ".join(d.text.split()) for d in drafts) == text


@given(st.lists(st.tuples(st.sampled_from(["a", "word,", "longer", "end.", "x" * 50]), st.integers(0, 30),
                          st.integers(1, 20)), min_size=1, max_size=60))
def test_any_speech_gives_valid_ordered_captions_with_every_word_once(spoken):
    words, frame = [], 0
    for text, gap, length in spoken:
        frame += gap
        words.append(TimedWord(text, frame, frame + length))
        frame += length
    drafts = caption_drafts(words, RATE)
    assert [w for d in drafts for w in d.text.split()] == [w.text for w in words]
    assert [f for d in drafts for f in d.word_starts] == [w.start for w in words]
    for before, after in zip(drafts, drafts[1:], strict=False):
        assert before.end <= after.start
    for draft in drafts:
        Caption(text=draft.text, start=draft.start, end=draft.end, word_starts=list(draft.word_starts))
        assert draft.end - draft.start <= 7 * 24 or len(draft.word_starts) == 1 or draft.end == max(
            w.end for w in words if w.start in draft.word_starts)


def test_punctuation_comes_back_and_words_outside_the_heard_part_are_dropped():
    heard = [HeardWord("Well", Fraction(0), Fraction(1, 2)), HeardWord("its", Fraction(1), Fraction(2)),
             HeardWord("fine", Fraction(2), Fraction(3))]
    back = punctuated(heard, " Well — it's fine!")
    assert [w.text for w in back] == ["Well—", "it's", "fine!"]
    placed = place_words(back, RATE, audio_starts_at=100, shown_from=12, shown_until=60)
    # "Well" starts before the part heard; "fine!" is cut off where it ends.
    assert placed == [TimedWord("it's", 112, 136), TimedWord("fine!", 136, 148)]


def test_editing_a_caption_keeps_word_times_where_they_still_fit(tmp_path):
    with ProjectService.create(tmp_path / "p.foundry", frame_rate="24") as service:
        service.add_captions([Caption(text="one two", start=10, end=30, word_starts=[10, 20])], label="Captions")
        caption = service.project.timeline.captions[0]
        moved = service.update_caption(caption.id, start=50, end=70)
        assert moved.word_starts == [50, 60]
        longer = service.update_caption(caption.id, end=90)
        assert longer.word_starts == [50, 60]
        reworded = service.update_caption(caption.id, text="one two three")
        assert reworded.word_starts is None
        with pytest.raises(InvalidEditError, match="must end after it starts"):
            service.update_caption(caption.id, end=40)
        assert service.undo().startswith("Change caption")
        assert service.project.timeline.captions[0].word_starts == [50, 60]


@pytest.mark.parametrize("broken, problem", [
    ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n3\n00:00:03,000 --> 00:00:04,000\nYo\n", "numbered"),
    ("1\n00:00:01.000 --> 00:00:02,000\nHi\n", "timing"),
    ("1\n00:00:02,000 --> 00:00:01,000\nHi\n", "ends before"),
    ("1\n00:00:01,000 --> 00:00:03,000\nHi\n\n2\n00:00:02,000 --> 00:00:04,000\nYo\n", "overlaps"),
    ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n\n2\n00:00:03,000 --> 00:00:04,000\nYo\n", "blank line"),
    ("1\n00:00:01,000 --> 00:00:02,000\nHi", "line break"),
    ("1\n00:00:01,000 --> 00:00:02,000\n", "number, a timing and text"),
])
def test_the_strict_srt_reader_refuses(broken, problem):
    with pytest.raises(SubtitleError, match=problem):
        parse_srt(broken)


@pytest.mark.parametrize("broken, problem", [
    ("00:01.000 --> 00:02.000\nHi\n", "WEBVTT"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nA < B\n", "unescaped <"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nA & B\n", "unescaped &"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\none <00:00:03.000>two\n", "outside the cue"),
    ("WEBVTT\n\n00:01.000 --> 00:05.000\na <00:00:03.000>b <00:00:02.000>c\n", "do not rise"),
    ("WEBVTT\n\n00:03.000 --> 00:04.000\nHi\n\n00:01.000 --> 00:02.000\nYo\n", "starts before"),
])
def test_the_strict_webvtt_reader_refuses(broken, problem):
    with pytest.raises(SubtitleError, match=problem):
        parse_webvtt(broken)
