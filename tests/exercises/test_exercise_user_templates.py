"""Exercise templates as a user writes them in notes, imported into a real collection and
seen through the CLI: the deck they land in, names in any script, an edit of a template
keeping the card and its history."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from flashdeck.cli import main


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def _flashdeck(capsys, col: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--collection", str(col), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _exercise_cards(capsys, col: Path, *argv: str) -> dict[str, dict]:
    code, out, err = _flashdeck(capsys, col, "list", "--json", *argv)
    assert code == 0, err
    return {c["front"]: c for c in json.loads(out) if c["kind"] == "exercise"}


MCC_NOTE = """\
---
tags: [flashcards/ml/metrics]
exercises: []
---
# Matthews correlation

```flashdeck-exercise
id: mcc
title: Matthews correlation coefficient from a confusion matrix
vars:
  TP: 5..50
  TN: 5..50
  FP: 1..20
  FN: 1..20
prompt: "TP = {TP}, TN = {TN}, FP = {FP}, FN = {FN}. What is the MCC?"
answer: (TP*TN - FP*FN) / sqrt((TP + FP)*(TP + FN)*(TN + FP)*(TN + FN))
steps: |
  MCC = (TP·TN − FP·FN) / √((TP + FP)(TP + FN)(TN + FP)(TN + FN))
  MCC = ({TP}·{TN} − {FP}·{FN}) / √({TP + FP}·{TP + FN}·{TN + FP}·{TN + FN}) {answer:eq}
```
"""

DRILL_NOTE = """\
---
tags: [flashcards/ml/drill]
flashdeck: {derive: false}
exercises: [f1-counts]
---
Morning drill.

#flashcards/ml/losses
```flashdeck-exercise
id: bce-one
title: Binary cross-entropy of one prediction
vars:
  p: 0.05..0.95
prompt: "The model predicts p = {p} for the true class. What is the cross-entropy (natural log)?"
answer: -ln(p)
steps: |
  CE = −ln p, p the probability given to the true class
  CE = −ln {p} {answer:eq}
```
"""


def test_exercise_cards_go_to_the_deck_of_their_notes_tags(tmp_path, capsys):
    """A note holding only exercises (no derived card), or with derivation off, put its
    exercise cards in the deck `flashcards` whatever its tags said: `review --deck
    flashcards/ml/metrics` never showed the MCC exercise of a note tagged with it. Now an
    exercise card takes its deck by the rules every card follows: the nearest flashcard
    tag above it, else the note's frontmatter tags."""
    vault = tmp_path / "vault"
    _write(vault / "Metrics" / "Matthews Correlation.md", MCC_NOTE)
    _write(vault / "Drill.md", DRILL_NOTE)
    col = tmp_path / "col.sqlite"
    code, _, err = _flashdeck(capsys, col, "import", str(vault))
    assert code == 0, err
    cards = _exercise_cards(capsys, col)
    decks = {front: c["deck"] for front, c in cards.items()}
    assert decks == {
        "Matthews correlation coefficient from a confusion matrix": "flashcards/ml/metrics",
        "Compute the Dice (F1) score from TP, FP and FN": "flashcards/ml/drill",
        "Binary cross-entropy of one prediction": "flashcards/ml/losses",
    }
    chosen = _exercise_cards(capsys, col, "--deck", "flashcards/ml/metrics")
    assert list(chosen) == ["Matthews correlation coefficient from a confusion matrix"]
