"""A short answer shown word for word on another card of the note is given away by it:
`Which mean does F1 take?::The harmonic mean` beside `Why does F1 take the harmonic mean
rather than the arithmetic mean?::…` came one after the other, the second's question
answering the first. Such cards are siblings (PRODUCT.md §3): once one is answered, the
other waits for another day. One-word answers, formulas (compared as expressions elsewhere)
and a phrase the note shows everywhere (its vocabulary) make no siblings."""

from __future__ import annotations

from support.notes import two_days

from flashdeck.notes.parser import parse_note

F_MEASURE = """\
---
tags: [flashcards/ml/metrics]
---
# F Measure
Which mean of precision and recall does F1 take?::The harmonic mean
Why does F1 take the harmonic mean rather than the arithmetic one?::A low precision or recall pulls it down, so one bad value cannot hide.
What does F-beta add to F1?::A weight on recall

Adam's default learning rate::0.001
"""

QUESTION_HEADING = """\
---
tags: [flashcards/ml/metrics]
---
# Averages
F1 is the ==harmonic mean== of precision and recall.

### Why is the harmonic mean below the arithmetic mean?
It weighs the smaller value more: for 0.2 and 0.8 it is 0.32, not 0.5.

### When do the two means agree?
Only when both values are equal.
"""

EVERYWHERE = """\
---
tags: [flashcards/ml]
---
# Overfitting
What happens with too many parameters?::The model overfits
Why does dropout help when the model overfits?::It averages many thinned networks
Why does early stopping help when the model overfits?::It stops before the noise is fit
Why does weight decay help when the model overfits?::It keeps the weights small
What does more data do when the model overfits?::It makes the noise average out
"""


def _block(note, front: str) -> str:
    return next(c.block for c in note.cards if c.front.startswith(front))


def test_a_short_answer_on_another_card_front_makes_siblings():
    note = parse_note(F_MEASURE, "F Measure.md")
    assert _block(note, "Which mean") == _block(note, "Why does F1 take the harmonic mean")
    # `A weight on recall` is shown nowhere else; `0.001` is a number, not words
    assert _block(note, "What does F-beta") != _block(note, "Which mean")
    assert _block(note, "Adam's default") not in (_block(note, "Which mean"),
                                                  _block(note, "What does F-beta"))


def test_a_cloze_deletion_in_a_question_heading_makes_siblings():
    note = parse_note(QUESTION_HEADING, "Averages.md")
    assert _block(note, "F1 is the [...]") == _block(note, "Why is the harmonic mean")
    assert _block(note, "When do the two means") != _block(note, "F1 is the [...]")


def test_an_answer_the_note_shows_everywhere_is_its_vocabulary():
    # `the model overfits` is on four other cards: one block would hold five cards to
    # one a day; every review of the note shows the phrase anyway
    note = parse_note(EVERYWHERE, "Overfitting.md")
    assert len({c.block for c in note.cards}) == len(note.cards)


def test_the_answer_and_the_card_giving_it_away_never_come_the_same_day(cli, tmp_path,
                                                                         monkeypatch):
    cards, seen, later, _col = two_days(cli, tmp_path, monkeypatch, "F Measure.md", F_MEASURE)
    which = cards["Which mean of precision and recall does F1 take?"]["id"]
    why = cards["Why does F1 take the harmonic mean rather than the arithmetic one?"]["id"]
    other = cards["What does F-beta add to F1?"]["id"]

    assert len({which, why} & set(seen)) == 1, seen
    assert other in seen
    assert {which, why} <= set(seen) | set(later), later


COMMENTED = """\
---
tags: [flashcards/ml/metrics]
---
# Averages
Which mean of precision and recall does F1 take?::The harmonic mean
Why does F1 take the harmonic <!-- not the geometric --> mean?::One low value pulls it down.
What does F-beta add to F1?::A weight on recall
"""


def test_an_answer_shown_across_a_comment_makes_siblings():
    # the comment hides only itself: the second card's front reads `… the harmonic mean?`,
    # which states the first card's answer; the note's text has the comment in the phrase
    note = parse_note(COMMENTED, "Averages.md")
    front = next(c.front for c in note.cards if c.front.startswith("Why"))
    assert " ".join(front.split()) == "Why does F1 take the harmonic mean?"
    assert _block(note, "Which mean") == _block(note, "Why does F1 take")
    assert _block(note, "What does F-beta") != _block(note, "Which mean")


def test_the_notes_text_is_read_as_its_words_one_space_apart():
    """`_one_spaced` and `_without`, the fast reading of a note's whole text, give what
    `" ".join(text.split())` and `str.replace(marker, "")` give, for any whitespace."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from flashdeck.notes._derived import _OTHER_SPACES, _one_spaced, _without

    every_space = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert set(_OTHER_SPACES) == every_space - {" ", "\n"}
    assert len(_OTHER_SPACES) == len(set(_OTHER_SPACES))
    pieces = ["==", "=", "*", "**", "***", " ", "  ", "   ", "\n", "\n\n", ">", "a", "É", "ß",
              "word", "\0", *sorted(every_space)]

    @settings(max_examples=2000, deadline=None)
    @given(st.lists(st.sampled_from(pieces) | st.text(max_size=3), max_size=30).map("".join))
    def same(text: str) -> None:
        assert _one_spaced(text) == " ".join(text.split())
        for marker in ("==", "**"):
            assert _without(text, marker) == text.replace(marker, "")

    same()
    assert _one_spaced(" a" + " " * 1000 + "b \n") == "a b"
