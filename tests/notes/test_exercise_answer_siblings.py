"""An exercise's words can state a card's answer: its title, prompt and working, shown on
every draw. `Compute F1 from precision and recall (their harmonic mean)` came the same
morning as the summary card of a note saying F1 `folds precision and recall into one number,
their harmonic mean`. Such a card and the exercise are one fact (PRODUCT.md §3, siblings):
once one is answered, the other waits for another day. Words a topic's cards and exercises
all use (`pixel`, `mask`, `positive`) are not a fact: they make no siblings."""

from __future__ import annotations

from support.notes import two_days

from flashdeck.exercises import exercises_for_note
from flashdeck.notes.parser import parse_note

F_MEASURE = """\
---
tags: [flashcards/ml/metrics]
aliases: [F-measure]
summary: folds the precision and recall of a classifier into one number, their harmonic mean
---
# F Measure
A single score for a classifier when both kinds of error matter.

### When is accuracy misleading?
With 99 % negatives, predicting *negative* always scores 0.99 and finds nothing.
"""

HARMONIC_CLOZE = """\
---
tags: [flashcards/ml]
---
# Precision and Recall
The F1 score is the ==harmonic mean== of precision and recall, so one low value drags it down.
"""

LOSSES = """\
---
tags: [flashcards/ml/losses]
summary: cross entropy averages a loss over the pixels one by one, Dice loss scores how much the whole mask overlaps
exercises: [mask-grid]
---
# Cross Entropy vs Dice Loss
Dice looks at the mask as a whole, so a small object counts as much as a large one.
"""

SCREENING = """\
---
tags: [flashcards/med]
---
# Sensitivity and Specificity
Sensitivity::the share of real positives the test finds
Specificity::the share of healthy people the test clears
"""


def _blocks(text: str, path: str):
    note = parse_note(text, path)
    exercises, problems = exercises_for_note(note)
    assert problems == []
    return note.cards, {c.exercise: c for c in exercises}


def test_the_summary_an_exercise_title_states_is_its_sibling():
    cards, exercises = _blocks(F_MEASURE, "F Measure.md")
    summary = next(c for c in cards if c.kind == "summary")
    # the title says `their harmonic mean`, the working `F1 is the harmonic mean of
    # precision and recall`, the prompt `A classifier has precision …`
    assert exercises["f1-from-precision-recall"].block == summary.block
    # the Dice exercise of the same note states nothing of the summary: a block of its own
    assert exercises["f1-counts"].block != summary.block


def test_a_short_answer_shown_word_for_word_makes_siblings():
    cards, exercises = _blocks(HARMONIC_CLOZE, "Precision and Recall.md")
    cloze = next(c for c in cards if c.kind == "cloze")
    assert exercises["f1-from-precision-recall"].block == cloze.block


def test_a_topic_vocabulary_shared_is_no_fact():
    # the summary and the mask grid share `pixel`, `score`, `mask` and no phrase of it
    cards, exercises = _blocks(LOSSES, "Cross Entropy vs Dice Loss.md")
    summary = next(c for c in cards if c.kind == "summary")
    assert exercises["mask-grid"].block != summary.block


def test_each_exercise_joins_the_card_it_states_not_its_neighbour():
    cards, exercises = _blocks(SCREENING.replace(
        "tags: [flashcards/med]", "tags: [flashcards/med]\nexercises: [sensitivity, specificity]"),
        "Sensitivity and Specificity.md")
    by_front = {c.front: c for c in cards}
    # `of the sick people, the share the test finds`: the sensitivity card's answer
    assert exercises["sensitivity"].block == by_front["Sensitivity"].block
    # the specificity working says `the share the test clears` of the healthy: its own card
    assert exercises["specificity"].block == by_front["Specificity"].block
    assert by_front["Sensitivity"].block != by_front["Specificity"].block


def test_the_summary_and_the_exercise_stating_it_never_come_the_same_day(cli, tmp_path,
                                                                          monkeypatch):
    cards, seen, later, _col = two_days(cli, tmp_path, monkeypatch, "F Measure.md", F_MEASURE)
    summary = next(c["id"] for c in cards.values() if c["kind"] == "summary")
    exercise = cards["Compute F1 from precision and recall (their harmonic mean)"]["id"]
    question = next(c["id"] for c in cards.values() if c["kind"] == "question")

    assert len({summary, exercise} & set(seen)) == 1, seen
    assert question in seen  # another fact of the note: the same day
    assert {summary, exercise} <= set(seen) | set(later), later
