"""A card of the author's that states what a display formula states (a cloze `recall =
==TP / (TP + FN)==`, `Precision::TP / (TP + FP)`) is one fact with that formula's card: once
one of them is answered the other waits for another day (PRODUCT.md §3, siblings). Before,
the cloze and `R = ?` came one after the other the same morning, each answering the other.
A formula that only shares symbols with a card (`TN / (TN + FP)` beside `FP / (FP + TN)`'s
cousin `TP / (TP + FN)`) is another fact: those cards come the same day as before."""

from __future__ import annotations

from support.notes import answer_the_day, write_note

from flashdeck.notes.parser import parse_note

NOTE = """\
---
tags: [flashcards/ml]
exercises: []
---
## Recall
Recall is ==TP / (TP + FN)==, the share of real positives found.

$$R = \\frac{TP}{TP+FN}$$

## Precision
Precision::TP / (TP + FP)

$$
\\text{Precision} = \\frac{T P}{T P + F P}
$$

## Specificity
The ==specificity== is TN / (TN + FP).

## False discovery rate
$$FDR = \\frac{FP}{TP + FP}$$
"""

DAY1 = "2026-12-01T09:00:00+01:00"
DAY2 = "2026-12-02T09:00:00+01:00"



def test_a_cloze_or_basic_card_and_the_formula_stating_the_same_never_share_a_day(
        cli, tmp_path, monkeypatch):
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "Metrics.md", NOTE)
    monkeypatch.setenv("FLASHDECK_NOW", DAY1)
    assert cli("--collection", col, "import", vault).code == 0
    cards = cli("--collection", col, "list", "--json").json
    by_front = {c["front"]: c["id"] for c in cards}
    recall_cloze = by_front["Recall is [...], the share of real positives found."]
    recall_formula = next(c["id"] for c in cards if c["front"].endswith("$R$ = ?"))
    precision_card = by_front["Precision"]
    precision_formula = next(c["id"] for c in cards if "text{Precision}$ = ?" in c["front"])
    specificity = by_front["The [...] is TN / (TN + FP)."]
    fdr = next(c["id"] for c in cards if c["front"].endswith("$FDR$ = ?"))

    seen = answer_the_day(cli, col)
    assert len({recall_cloze, recall_formula} & set(seen)) == 1, seen
    assert len({precision_card, precision_formula} & set(seen)) == 1, seen
    # other facts: TN/(TN+FP) is not TP/(TP+FN), FP/(TP+FP) is not TP/(TP+FP)
    assert specificity in seen and fdr in seen

    monkeypatch.setenv("FLASHDECK_NOW", DAY2)  # the next day the other of each pair comes
    later = answer_the_day(cli, col)
    assert {recall_cloze, recall_formula, precision_card, precision_formula} <= set(seen) | set(
        later), later


def test_a_formula_is_one_fact_with_the_card_stating_it_in_any_notation():
    """`E[X²] − E[X]²` typed in a cloze is `E[X^2] - E[X]^2` in LaTeX; a cloze whose text
    shows a formula's value while asking something else gives it away too; a formula stating
    two things side by side is one fact with each."""
    note = parse_note("""\
Var(X) = ==E[X²] − E[X]²==

$$\\operatorname{Var}(X) = E[X^2] - E[X]^2$$

Since precision = $\\frac{TP}{TP+FP}$, no false positives give a precision of ==1==.

$$P = \\frac{TP}{TP + FP} \\qquad R = \\frac{TP}{TP + FN}$$

The mean of a sample is ==the sum over the count==.

$$\\bar{x} = \\frac{1}{n} \\sum_i x_i$$

The ==bias – variance== trade-off: a simpler model, less variance, more bias.

$$MSE = Bias^2 + Variance$$
""", "Stats.md")
    blocks = {c.front: c.block for c in note.cards}
    variance = [b for f, b in blocks.items() if "Var" in f]
    assert len(variance) == 2 and len(set(variance)) == 1, blocks
    assert blocks["Since precision = $\\frac{TP}{TP+FP}$, no false positives give a precision"
                  " of [...]."] == blocks["*Stats*: $P$ = ? and $R$ = ?"], blocks
    mean = blocks["The mean of a sample is [...]."]
    assert list(blocks.values()).count(mean) == 1, blocks  # words state no formula
    # words joined by a dash are a phrase, not a difference
    trade_off = blocks["The [...] trade-off: a simpler model, less variance, more bias."]
    assert list(blocks.values()).count(trade_off) == 1, blocks
