"""An exercise's worked answer states the formula it is computed by (`Recall = TP / (TP +
FN)` above the numbers): a card of the note asking or stating that formula is one fact with
it, and once one of them is answered the other waits for another day (PRODUCT.md §3,
siblings). Before, `Recall` came the same morning as `Compute the recall from TP, FP and FN`,
whose working shows its answer. A formula that only looks alike (the IoU's `TP / (TP + FP +
FN)` beside the Dice score's `2TP / (2TP + FP + FN)`) is another fact."""

from __future__ import annotations

from support.notes import two_days

from flashdeck.exercises import exercises_for_note
from flashdeck.notes.parser import parse_note

RECALL = """\
---
tags: [flashcards/ml]
---
Recall::$\\frac{TP}{TP+FN}$, the share of the real positives the model finds

## Why screening wants recall
A missed tumour costs more than a false alarm: a screening model is tuned for ==high recall==.
"""

SEGMENTATION = """\
---
tags: [flashcards/cv]
exercises: [f1-counts, iou-counts, mask-grid]
---
Dice coefficient of two masks::$\\frac{2 T P}{2 T P+F P+F N}$

## Overlap the other way round
IoU is ==TP / (TP + FP + FN)==, the Jaccard index of the two masks.
"""


def test_the_card_an_exercise_working_answers_never_comes_the_same_day(cli, tmp_path,
                                                                        monkeypatch):
    cards, seen, later, col = two_days(cli, tmp_path, monkeypatch, "Recall.md", RECALL)
    recall = cards["Recall"]["id"]
    exercise = cards["Compute the recall from TP, FP and FN"]["id"]
    screening = next(c["id"] for c in cards.values() if c["kind"] == "cloze")
    shown = cli("--collection", col, "show", "--answer", exercise).out
    assert "Recall = TP / (TP + FN)" in shown  # the working states the card's answer

    assert len({recall, exercise} & set(seen)) == 1, seen
    assert screening in seen  # another fact of the note: the same day, as before
    assert {recall, exercise} <= set(seen) | set(later), later


def test_an_exercise_joins_the_card_stating_its_own_formula_not_one_looking_alike():
    note = parse_note(SEGMENTATION, "Segmentation Metrics.md")
    exercises, problems = exercises_for_note(note)
    assert problems == []
    by_front = {c.front: c for c in note.cards}
    dice = by_front["Dice coefficient of two masks"]
    iou = next(c for c in note.cards if c.kind == "cloze")
    by_id = {c.exercise: c for c in exercises}
    assert by_id["f1-counts"].block == dice.block  # 2·TP / (2·TP + FP + FN)
    assert by_id["iou-counts"].block == iou.block  # TP / (TP + FP + FN)
    # the mask grid asks Dice or IoU by its draw: it joins one card, and does not make the
    # two cards siblings of each other (one a day)
    assert by_id["mask-grid"].block in (dice.block, iou.block)
    assert dice.block != iou.block


def test_an_exercise_stating_no_card_of_the_note_keeps_a_block_of_its_own():
    note = parse_note(RECALL.replace("Recall::$\\frac{TP}{TP+FN}$",
                                     "Recall::the share of the real positives found"),
                      "Recall.md")
    exercises, _problems = exercises_for_note(note)
    assert [c.block for c in exercises if c.exercise == "recall"] == ["exercise:recall"]
