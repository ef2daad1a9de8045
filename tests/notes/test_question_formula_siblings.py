"""A formula asked by name under a question heading (PRODUCT.md §1: it stays in the question's
answer) is the question's sibling (§3): the answer of one shows the other's, so once one is
answered the other waits for another day. Before, `How is the F1 score computed?` showed
`F₁ = 2·TP / (2·TP + FP + FN)` and the very next card asked `F₁ = ?`."""

from __future__ import annotations

from support.notes import answer_the_day, write_note

NOTE = """\
---
tags: [flashcards/ml]
exercises: []
---
# F1 score

## How is the F1 score computed?
From the confusion counts, with the true negatives left out:

$$
F_1 = \\frac{2 \\cdot TP}{2 \\cdot TP + FP + FN}
$$

### Where does it come from?
The harmonic mean of precision and recall:

$$
F_1 = \\frac{2PR}{P + R}
$$

## Range
$$
0 \\le F_1 \\le 1
$$

Perfect F1::1
"""

DAY1 = "2026-12-01T09:00:00+01:00"
DAY2 = "2026-12-02T09:00:00+01:00"



def test_a_formula_in_a_questions_answer_never_comes_on_the_day_the_question_is_answered(
        cli, tmp_path, monkeypatch):
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "F1.md", NOTE)
    monkeypatch.setenv("FLASHDECK_NOW", DAY1)
    assert cli("--collection", col, "import", vault).code == 0
    cards = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    question = cards["How is the F1 score computed?"]
    inner = cards["Where does it come from?"]
    formulas = [c for c in cli("--collection", col, "list", "--json").json
                if c["kind"] == "formula"]
    # the first formula is in the outer question's answer, the second in the inner one's,
    # the third under a heading that asks nothing
    assert len(formulas) == 3
    first, second, free = sorted(formulas, key=lambda c: c["line"])
    shown = cli("--collection", col, "show", question, "--answer").out
    assert "2 · TP + FP + FN" in shown  # the formula is the question's answer

    seen = []
    assert cli("--collection", col, "answer", question, "good").code == 0
    seen.append(question)
    while (nxt := cli("--collection", col, "next", "--json").json) and nxt.get("card"):
        card_id = nxt["card"]["id"]
        assert card_id != first["id"], "F₁ = ? asked right after its question showed it"
        assert cli("--collection", col, "answer", card_id, "good").code == 0
        seen.append(card_id)
    assert inner in seen and free["id"] in seen and cards["Perfect F1"] in seen
    assert second["id"] not in seen  # the inner question's formula, answered with it
    assert first["id"] not in seen

    monkeypatch.setenv("FLASHDECK_NOW", DAY2)  # another day: now it comes
    later = answer_the_day(cli, col)
    assert first["id"] in later and second["id"] in later


NAMES = """\
---
tags: [flashcards/stats]
exercises: []
aliases: [SD, σ]
summary: The square root of the variance.
---
Spread around the mean, in the data's own unit.

σ::The standard deviation

What does a small spread say?::The values sit close to the mean
"""


def test_a_card_about_the_notes_name_never_comes_with_its_summary_or_aliases(
        cli, tmp_path, monkeypatch):
    """`σ::The standard deviation` in Standard Deviation.md with `aliases: [SD, σ]`: its
    front is the aliases card's answer and its answer the title the other two fronts
    show. Before, all three came on one day, one after the other."""
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "Standard Deviation.md", NAMES)
    monkeypatch.setenv("FLASHDECK_NOW", DAY1)
    assert cli("--collection", col, "import", vault).code == 0
    cards = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    same = {cards["σ"], cards["What are other names for *Standard Deviation*?"],
            cards["What is meant by *Standard Deviation*?"]}
    other = cards["What does a small spread say?"]  # no other name of the note on it
    seen = answer_the_day(cli, col)
    assert other in seen and len(same & set(seen)) == 1, seen
    monkeypatch.setenv("FLASHDECK_NOW", DAY2)  # the next day, one more of them
    later = answer_the_day(cli, col)
    assert len(same & set(later)) == 1 and not set(seen) & set(later) & same, later


ROC = """\
---
tags: [flashcards/ml]
exercises: []
aliases: [AUROC]
summary: The chance that a random positive is ranked above a random negative.
---
# ROC AUC

> [!question] What is ROC AUC?
> The chance that a random positive is ranked above a random negative.

## What is AUROC?
The area under the ROC curve, computed from its points:

$$AUC = \\sum_i (x_{i+1} - x_i) \\, y_i$$

## What does an AUC of 0.5 mean?
A random ranking.
"""


def test_a_question_that_asks_what_the_note_is_comes_with_none_of_its_summary_cards(
        cli, tmp_path, monkeypatch):
    """`What is ROC AUC?` and `What is AUROC?` (an alias) ask what the summary and aliases
    cards ask (and `What is AUROC?` shows the aliases card's answer on its front). Before,
    the four came on one day, each answering the next."""
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "ROC AUC.md", ROC)
    monkeypatch.setenv("FLASHDECK_NOW", DAY1)
    assert cli("--collection", col, "import", vault).code == 0
    listed = cli("--collection", col, "list", "--json").json
    cards = {c["front"]: c["id"] for c in listed}
    same = {cards["What is ROC AUC?"], cards["What is AUROC?"],
            cards["What is another name for *ROC AUC*?"],
            cards["What is meant by *ROC AUC*?"],
            # the formula of `What is AUROC?`'s answer goes with its question
            next(c["id"] for c in listed if c["kind"] == "formula")}
    other = cards["What does an AUC of 0.5 mean?"]
    seen = answer_the_day(cli, col)
    assert other in seen and len(same & set(seen)) == 1, seen
