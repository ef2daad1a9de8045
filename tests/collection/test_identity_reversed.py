"""A card's kind changed by its separator alone (PRODUCT.md §2): `Q::A` turned into `Q:::A`
(or a `?` block into `??`) is the same question with its reverse added, so the forward card
keeps its id and its history; turned back, the reverse waits as an orphan and comes back
with its own history. Before, the answered card became an orphan, a new card took its place,
and a new card next to it (`Specificity::…`) took the old card's history by similarity."""

from __future__ import annotations

from support.notes import write_note

NOTE = """\
---
tags: [flashcards/ml/metrics]
---
# Precision and recall

{cards}

What does precision ignore?
{mark}
True negatives,
and the false negatives too.
"""

BASIC = "Precision::TP / (TP + FP)\nRecall::TP / (TP + FN)"


def write(vault, cards: str = BASIC, mark: str = "?") -> None:
    write_note(vault, "Precision.md", NOTE.format(cards=cards, mark=mark))


def live(cli, col) -> dict[tuple[str, str], dict]:
    """(front, back) -> card, of every live card."""
    return {(c["front"], c["back"]): c for c in cli("--collection", col, "list", "--json").json}


def logged(cli, col) -> dict[int, int]:
    """card id -> how many reviews the log holds."""
    counts: dict[int, int] = {}
    for entry in cli("--collection", col, "log", "--limit", "0", "--json").json:
        counts[entry["card"]] = counts.get(entry["card"], 0) + 1
    return counts


def imported(cli, col, vault) -> dict:
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0, result.err
    return result.json["cards"]


def test_basic_turned_reversed_and_back_keeps_the_forward_cards_history(cli, tmp_path):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    write(vault)
    imported(cli, col, vault)
    cards = live(cli, col)
    precision = cards[("Precision", "TP / (TP + FP)")]["id"]
    multi = cards[("What does precision ignore?",
                   "True negatives,\nand the false negatives too.")]["id"]
    for card_id in (precision, multi):
        assert cli("--collection", col, "answer", card_id, "good").code == 0

    # reversed now, with a new card above it
    write(vault, "Specificity::TN / (TN + FP)\nRecall::TP / (TP + FN)\nPrecision:::TP / (TP + FP)",
          mark="??")
    assert imported(cli, col, vault) == {"added": 3, "updated": 0, "orphaned": 0}
    cards = live(cli, col)
    assert cards[("Precision", "TP / (TP + FP)")]["id"] == precision
    assert cards[("Precision", "TP / (TP + FP)")]["kind"] == "reversed"
    assert cards[("What does precision ignore?",
                  "True negatives,\nand the false negatives too.")]["id"] == multi
    assert cards[("Specificity", "TN / (TN + FP)")]["id"] not in (precision, multi)
    assert logged(cli, col) == {precision: 1, multi: 1}
    reverse = cards[("TP / (TP + FP)", "Precision")]["id"]
    assert cli("--collection", col, "answer", reverse, "good").code == 0

    # back to basic: the forward card stays, the answered reverse waits as an orphan
    write(vault, "Specificity::TN / (TN + FP)\nRecall::TP / (TP + FN)\nPrecision::TP / (TP + FP)")
    assert imported(cli, col, vault) == {"added": 0, "updated": 0, "orphaned": 2}
    cards = live(cli, col)
    assert cards[("Precision", "TP / (TP + FP)")]["id"] == precision
    assert cards[("Precision", "TP / (TP + FP)")]["kind"] == "basic"
    assert ("TP / (TP + FP)", "Precision") not in cards

    # and reversed again: the reverse comes back with its history
    write(vault, "Specificity::TN / (TN + FP)\nRecall::TP / (TP + FN)\nPrecision:::TP / (TP + FP)",
          mark="??")
    assert imported(cli, col, vault) == {"added": 0, "updated": 2, "orphaned": 0}
    cards = live(cli, col)
    assert cards[("Precision", "TP / (TP + FP)")]["id"] == precision
    assert cards[("TP / (TP + FP)", "Precision")]["id"] == reverse
    assert logged(cli, col) == {precision: 1, multi: 1, reverse: 1}
    doctor = cli("--collection", col, "doctor")
    assert doctor.code == 0 and "no problems found" in doctor.out


def test_reversed_with_its_answer_reworded_keeps_the_forward_card(cli, tmp_path):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    write(vault)
    imported(cli, col, vault)
    precision = live(cli, col)[("Precision", "TP / (TP + FP)")]["id"]
    assert cli("--collection", col, "answer", precision, "good").code == 0
    write(vault, "Precision:::TP / (TP + FP), the share of flagged items that are right\n"
                 "Recall::TP / (TP + FN)")
    imported(cli, col, vault)
    cards = live(cli, col)
    forward = cards[("Precision", "TP / (TP + FP), the share of flagged items that are right")]
    assert forward["id"] == precision
    assert logged(cli, col) == {precision: 1}
