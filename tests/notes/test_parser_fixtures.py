"""Whole notes from tests/fixtures/notes: what a user of each style of note gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flashdeck.notes.model import SRSeed
from flashdeck.notes.parser import parse_note

NOTES = Path(__file__).parents[1] / "fixtures" / "notes"


def load(name: str):
    path = NOTES / name
    return parse_note(path.read_text(encoding="utf-8"), str(path))


def test_structured_note_gives_summary_aliases_formulas_and_question() -> None:
    note = load("Intersection over Union.md")
    assert note.problems == []
    assert note.title == "Intersection over Union"
    assert note.tagged
    assert note.aliases == ["Jaccard Index", "Jaccard Similarity"]
    cards = {(c.kind, c.front): c for c in note.cards}
    # Only derived cards: no card from the NOTE callout, the inline math, the bold text,
    # the worked examples in inline code or the exercise block.
    assert [c.kind for c in note.cards] == ["aliases", "summary", "formula", "question", "formula"]
    assert {c.deck for c in note.cards} == {"flashcards/ml/metrics"}

    summary = cards[("summary", "What is meant by *Intersection over Union*?")]
    assert summary.back.startswith("measures how well a predicted region matches")
    assert summary.line == 5

    aliases = cards[("aliases", "What are other names for *Intersection over Union*?")]
    assert aliases.back == "Jaccard Index, Jaccard Similarity"

    # formulas are asked by what they compute, the note as context
    first = cards[("formula", "*Intersection over Union*: $\\text{IoU}$ = ?")]
    assert first.back.startswith("$$\\text{IoU}=\\frac{|A \\cap B|}{|A \\cup B|}")
    assert first.back.endswith("\\frac{T P}{T P+F P+F N}$$")
    assert first.line == 8
    second = cards[("formula", "*Intersection over Union*: $D$ = ? and $J$ = ?")]
    assert second.back == "$$D=\\frac{2J}{1+J} \\qquad J=\\frac{D}{2-D}$$"
    assert second.breadcrumb == ("Converting between IoU and Dice",)

    question = cards[("question", "Why is IoU stricter than Dice for the same prediction?")]
    back = question.back
    assert back.startswith("#### Argument 1\nDice counts the overlap twice")
    assert "#### Argument 2\nWhen averaged over many images" in back
    assert back.endswith("[Source](https://example.org/averaging)")
    assert "Converting between" not in back
    assert question.line == 25


def test_structured_note_headings_and_exercise_block() -> None:
    note = load("Intersection over Union.md")
    assert [(h.level, h.text) for h in note.headings] == [
        (3, "IoU for Object Detection"),
        (3, "Why is IoU stricter than Dice for the same prediction?"),
        (4, "Argument 1"),
        (4, "Argument 2"),
        (1, "Converting between IoU and Dice"),
        (2, "Worked conversion"),
    ]
    assert [(b.line, b.source) for b in note.exercise_blocks] == [
        (46, "id: iou-from-boxes\ntitle: IoU of two boxes\n")
    ]
    assert note.exercises is None


def test_plugin_note_gives_the_plugin_cards() -> None:
    note = load("Plugin Cards.md")
    assert note.problems == []
    got = [(c.kind, c.front, c.back, c.deck, c.line, c.ordinal) for c in note.cards]
    assert got == [
        ("basic", "Bonjour", "Hello", "flashcards/languages/french", 5, 0),
        ("reversed", "Merci", "Thank you", "flashcards/languages/french", 6, 0),
        ("reversed", "Thank you", "Merci", "flashcards/languages/french", 6, 1),
        ("basic", "What does *tener* mean?", "to have", "flashcards/languages/spanish", 10, 0),
        ("cloze", "La [...] es grande.", "La ==casa== es grande.", "flashcards/languages/spanish", 16, 0),
        ("cloze", "La casa es [...].", "La casa es ==grande==.", "flashcards/languages/spanish", 16, 1),
        ("basic", "Hund", "dog", "flashcards/languages/german", 19, 0),
    ]
    assert [c.sr for c in note.cards] == [
        None,
        SRSeed(date(2023, 9, 3), 4, 270),
        SRSeed(date(2023, 9, 10), 11, 250),
        SRSeed(date(2024, 1, 5), 20, 290),
        SRSeed(date(2023, 12, 1), 3, 230),
        None,
        None,
    ]
    assert [c.breadcrumb for c in note.cards][3:] == [("Verbs",)] * 4
