"""The aliases card asks the note's other names; a card whose front or breadcrumb shows one
beside the note's title gives that answer away when it comes first, so they are siblings
(PRODUCT.md §3): never on the same day. Before, `What are other names for Intersection over
Union?` came right after `IoU of two disjoint boxes` (and the formula asked `IoU = ?`)."""

from __future__ import annotations

from support.notes import answer_the_day, write_note

from flashdeck.notes.parser import parse_note

DAY1 = "2026-12-01T09:00:00+01:00"
DAY2 = "2026-12-02T09:00:00+01:00"

IOU = """\
---
tags: [flashcards/ml]
exercises: []
aliases: [IoU, Jaccard index]
---
The overlap of two regions over the area they cover together.

IoU of two disjoint boxes::0

## Boxes that touch
What happens when one box holds the other?::the small area over the large area

## Why is the union in the denominator?
So that predicting everything is punished: the union grows with every wrong pixel.
"""



def test_a_card_showing_another_name_never_comes_on_the_day_of_the_aliases_card(
        cli, tmp_path, monkeypatch):
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "Intersection over Union.md", IOU)
    monkeypatch.setenv("FLASHDECK_NOW", DAY1)
    assert cli("--collection", col, "import", vault).code == 0
    cards = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    names = cards["What are other names for *Intersection over Union*?"]
    shows_iou = cards["IoU of two disjoint boxes"]
    others = {cards["What happens when one box holds the other?"],
              cards["Why is the union in the denominator?"]}
    seen = answer_the_day(cli, col)
    assert len({names, shows_iou} & set(seen)) == 1, seen
    assert others <= set(seen)  # the cards that show no other name come as before
    monkeypatch.setenv("FLASHDECK_NOW", DAY2)
    later = answer_the_day(cli, col)
    assert {names, shows_iou} <= set(seen) | set(later), later


def blocks_of(text: str, path: str) -> dict[str, str]:
    return {c.front: c.block for c in parse_note(text, path).cards}


def test_another_name_in_a_heading_or_in_math_is_shown_too():
    """`## Sample SD` above a card, `$\\sigma$ = ?` (σ as it reads): each shows a name the
    aliases card asks. A word that only contains a name (`SDs` aside, `ISDN`) shows none."""
    blocks = blocks_of("""\
---
aliases: [σ, SD]
---
$$\\sigma = \\sqrt{\\operatorname{Var}(X)}$$

## Sample SD
Why divide by n - 1?::the sample mean is fitted to the same data

## Networks
What did ISDN carry?::voice and data
""", "Standard Deviation.md")
    names = blocks["What are other names for *Standard Deviation*?"]
    assert blocks["*Standard Deviation*: $\\sigma$ = ?"] == names
    assert blocks["Why divide by n - 1?"] == names
    assert blocks["What did ISDN carry?"] != names


def test_a_name_the_note_shows_on_most_cards_holds_none_of_them_back():
    """A note that writes `IoU` on four cards uses it as its notation: each review of the
    note shows it beside the title, and holding four cards back for the aliases card would
    put them on four days."""
    blocks = blocks_of("""\
---
aliases: [IoU]
---
IoU of two disjoint boxes::0

IoU of a box with itself::1

Is IoU symmetric?::yes

IoU of a box inside one twice its size::1/2
""", "Intersection over Union.md")
    names = blocks["What is another name for *Intersection over Union*?"]
    assert list(blocks.values()).count(names) == 1, blocks
