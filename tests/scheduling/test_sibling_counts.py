"""The day's counts are the cards the user will be asked today, siblings and all.

Siblings (a reversed pair, the clozes of one paragraph) are never shown on one day once one
is answered. Before, the counts counted every one of them: a reversed pair, a basic card and
a paragraph of three clozes said "6 new" in `next`, `due`, `list --due` and the review
screen, three were asked, and the count dropped by two or three after an answer. Anki's
queue (with "bury siblings" on) takes one card of a note and, once a learning card or a
review of a note is due today, none of its new siblings: these counts are now Anki's."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from support.notes import write_note

DAY = "2026-12-01T09:00:00+01:00"

ANIMALS = """\
---
tags: [flashcards/lang/de]
---
# Tiere

Der Hund:::the dog

Die Katze::the cat

Die ==Maus== frisst den ==Käse== im ==Keller==.
"""


def _collection(cli, tmp_path, monkeypatch, text=ANIMALS):
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "Tiere.md", text)
    monkeypatch.setenv("FLASHDECK_NOW", DAY)
    assert cli("--collection", col, "import", vault).code == 0
    return col


def _cards(cli, col) -> dict[str, dict]:
    return {c["front"]: c for c in cli("--collection", col, "list", "--json").json}


def _counts(cli, col) -> dict:
    return cli("--collection", col, "next", "--json").json["counts"]


def _answer_the_day(cli, col) -> list[tuple[dict, dict]]:
    """Every card `next` gives today with the counts shown with it, answered Good."""
    seen = []
    while (nxt := cli("--collection", col, "next", "--json").json)["card"]:
        seen.append((nxt["card"], nxt["counts"]))
        assert cli("--collection", col, "answer", nxt["card"]["id"], "good").code == 0
        assert len(seen) < 50
    return seen


def _asked(seen, state) -> list[dict]:
    return [card for card, _ in seen if card["state"] == state]


def _honest(seen) -> None:
    """At every card, the new and review counts shown are the new and review cards that
    are still to be asked today (none drops by a sibling after an answer)."""
    for k, (_card, counts) in enumerate(seen):
        later = [card["state"] for card, _ in seen[k:]]
        assert (counts["new"], counts["review"]) == (later.count("new"),
                                                     later.count("review")), (k, seen)


def test_a_reversed_pair_and_a_paragraphs_clozes_count_once(cli, tmp_path, monkeypatch):
    col = _collection(cli, tmp_path, monkeypatch)
    assert len(_cards(cli, col)) == 6
    assert _counts(cli, col) == {"new": 3, "learning": 0, "review": 0}
    due = cli("--collection", col, "due", "--json").json
    assert due["total"]["new"] == 3
    assert [d["new"] for d in due["decks"] if d["deck"] == "flashcards/lang/de"] == [3]
    listed = [c["id"] for c in cli("--collection", col, "list", "--due", "--json").json]
    seen = _answer_the_day(cli, col)
    _honest(seen)
    new = _asked(seen, "new")
    assert [c["front"] for c in new] == ["Der Hund", "Die Katze",
                                         "Die [...] frisst den Käse im Keller."]
    assert [c["id"] for c in new] == listed  # `list --due`: the cards asked, in order
    assert _counts(cli, col) == {"new": 0, "learning": 0, "review": 0}


def test_undo_and_bury_of_a_sibling_keep_the_count(cli, tmp_path, monkeypatch):
    col = _collection(cli, tmp_path, monkeypatch)
    cards = _cards(cli, col)
    dog = cards["Der Hund"]["id"]
    assert cli("--collection", col, "answer", dog, "good").code == 0
    assert _counts(cli, col) == {"new": 2, "learning": 1, "review": 0}
    assert cli("--collection", col, "undo").code == 0  # the pair is today's again, once
    assert _counts(cli, col) == {"new": 3, "learning": 0, "review": 0}
    assert cli("--collection", col, "next", "--json").json["card"]["id"] == dog
    # one side put off till tomorrow: the other is the pair's card today
    assert cli("--collection", col, "bury", dog).code == 0
    assert _counts(cli, col) == {"new": 3, "learning": 0, "review": 0}
    listed = [c["front"] for c in cli("--collection", col, "list", "--due", "--json").json]
    assert "the dog" in listed and "Der Hund" not in listed
    seen = _answer_the_day(cli, col)
    _honest(seen)
    assert [c["front"] for c in _asked(seen, "new")][0] == "the dog"


def test_a_sibling_due_today_holds_its_new_and_review_siblings_back(
        cli, tmp_path, monkeypatch):
    """Both sides of the pair and the first cloze are reviews due today; the other clozes
    are new. Before: "3 new, 3 review" (the pair twice, the held-back clozes as new), two of
    them never asked. Now one review a block, and no new cloze beside its due sibling."""
    col = _collection(cli, tmp_path, monkeypatch)
    cards = _cards(cli, col)
    today = int(datetime.fromisoformat(DAY).timestamp())
    studied = [cards[f]["id"] for f in ("Der Hund", "the dog",
                                        "Die [...] frisst den Käse im Keller.")]
    with sqlite3.connect(col) as conn:
        conn.executemany(
            "UPDATE cards SET state = 'review', due = ?, last_review = ?, stability = 10.0,"
            " difficulty = 5.0, reps = 3 WHERE id = ?",
            [(today - 3600, today - 11 * 86400, card_id) for card_id in studied])
    conn.close()
    assert _counts(cli, col) == {"new": 1, "learning": 0, "review": 2}
    due = cli("--collection", col, "due", "--json").json
    assert due["total"] == {"new": 1, "learning": 0, "review": 2}
    listed = [c["id"] for c in cli("--collection", col, "list", "--due", "--json").json]
    seen = _answer_the_day(cli, col)
    _honest(seen)
    assert [c["front"] for c in _asked(seen, "new")] == ["Die Katze"]
    assert len(_asked(seen, "review")) == 2
    assert [c["id"] for c in _asked(seen, "review") + _asked(seen, "new")] == listed


def test_the_new_limit_gives_that_many_blocks_not_siblings(cli, tmp_path, monkeypatch):
    """Twenty-five reversed pairs and five paragraphs of three clozes, 20 new a day: twenty
    cards of twenty blocks are asked (no new card is spent on a sibling held back)."""
    pairs = "\n\n".join(f"Wort {i}:::word {i}" for i in range(25))
    clozes = "\n\n".join(f"Satz {i}: ==eins{i}== und ==zwei{i}== und ==drei{i}==."
                         for i in range(5))
    col = _collection(cli, tmp_path, monkeypatch,
                      f"---\ntags: [flashcards]\n---\n{pairs}\n\n{clozes}\n")
    (tmp_path / "home").mkdir(exist_ok=True)
    config = tmp_path / "config.toml"
    config.write_text("new_per_day = 20\n", encoding="utf-8")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    assert _counts(cli, col)["new"] == 20
    seen = _answer_the_day(cli, col)
    _honest(seen)
    new = _asked(seen, "new")
    assert len(new) == 20 and len({c["line"] for c in new}) == 20


RECALL = """\
---
tags: [flashcards/ml]
exercises: []
---
## Recall
Recall is ==TP / (TP + FN)==, the share of real positives found.

#flashcards/formulas
$$R = \\frac{TP}{TP+FN}$$
"""


def test_a_sibling_in_a_deck_not_studied_holds_nothing_back(cli, tmp_path, monkeypatch):
    """The cloze and the formula state one fact (siblings), in two decks. Studying one
    deck, its card is asked (its sibling is not shown there): counted once everywhere."""
    col = _collection(cli, tmp_path, monkeypatch, RECALL)
    cards = {c["kind"]: c for c in cli("--collection", col, "list", "--json").json}
    assert cards["cloze"]["deck"] == "flashcards/ml"
    assert cards["formula"]["deck"] == "flashcards/formulas"
    for deck, kind in (("flashcards/formulas", "formula"), ("flashcards/ml", "cloze")):
        nxt = cli("--collection", col, "next", "--deck", deck, "--json").json
        assert nxt["card"]["id"] == cards[kind]["id"]
        assert nxt["counts"] == {"new": 1, "learning": 0, "review": 0}
    assert _counts(cli, col) == {"new": 1, "learning": 0, "review": 0}
    seen = _answer_the_day(cli, col)
    _honest(seen)
    assert len(_asked(seen, "new")) == 1


def test_reviewing_ahead_counts_a_block_once(cli, tmp_path, monkeypatch):
    """Nothing due today, every card a review due within days: `next --ahead 5` said
    "6 review" and the count dropped by a sibling after an answer; three are asked."""
    col = _collection(cli, tmp_path, monkeypatch)
    today = int(datetime.fromisoformat(DAY).timestamp())
    ids = [c["id"] for c in cli("--collection", col, "list", "--json").json]
    with sqlite3.connect(col) as conn:
        conn.executemany(
            "UPDATE cards SET state = 'review', due = ?, last_review = ?, stability = 10.0,"
            " difficulty = 5.0, reps = 3 WHERE id = ?",
            [(today + (2 + i % 3) * 86400, today - 8 * 86400, card_id)
             for i, card_id in enumerate(ids)])
    conn.close()
    assert _counts(cli, col) == {"new": 0, "learning": 0, "review": 0}
    seen = []
    while (nxt := cli("--collection", col, "next", "--ahead", "5", "--json").json)["card"]:
        seen.append((nxt["card"], nxt["counts"]))
        assert cli("--collection", col, "answer", nxt["card"]["id"], "good").code == 0
        assert len(seen) < 20
    assert seen[0][1] == {"new": 0, "learning": 0, "review": 3}
    _honest(seen)
    assert len(seen) == 3
