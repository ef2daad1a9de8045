"""Card identity under churn (PRODUCT.md §2): a card keeps its id, and so its history, through
edits elsewhere, small edits of its own text, moves and renames (also with edits at once),
deletion and restoration; duplicates and same-titled notes never steal each other's cards.
These complement tests/test_import.py with the harder cases."""

from __future__ import annotations

import shutil

import pytest

from support.notes import write_note
from flashdeck.collection import identity, importer

NOTE = """\
---
tags: [flashcards/stats]
aliases: [Harmonic average]
summary: the reciprocal of the mean of reciprocals
---

# Harmonic mean

$$H = \\frac{{n}}{{\\sum_{{i=1}}^n \\frac{{1}}{{x_i}}}}$$

## When is the harmonic mean the right average?
For rates over a fixed distance: there and back at 60 and 40 km/h averages 48 km/h.

> [!question] What is the harmonic mean of 2 and 6?
> $\\frac{{2}}{{1/2 + 1/6}} = 3$

Harmonic mean of 1 and 1::1
{extra}Speed there 60, back 40: average?::48 km/h
Harmonic mean of 3 and 6::4
"""


def note(extra: str = "") -> str:
    return NOTE.format(extra=extra)


@pytest.fixture
def col(tmp_path):
    return tmp_path / "c.sqlite"


def ids(cli, col) -> dict[tuple[str, str, str], int]:
    """(note file name, kind, front) -> id of every live card."""
    return {(c["note"].rsplit("/", 1)[-1], c["kind"], c["front"]): c["id"]
            for c in cli("--collection", col, "list", "--json").json}


def imported(cli, col, vault) -> dict:
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0, result.err
    return result.json


def history(cli, col, card_id) -> list[int]:
    return [e["id"] for e in cli("--collection", col, "log", "--json").json
            if e["card"] == card_id]


def test_duplicate_cards_in_one_note_are_two_cards_that_keep_their_ids(cli, col, tmp_path):
    vault = tmp_path / "vault"
    dup = "Harmonic mean of 1 and 1::1\n"
    write_note(vault, "Harmonic.md", note(extra=dup + "\nSome prose in between.\n\n" + dup))
    imported(cli, col, vault)
    copies = [c for c in cli("--collection", col, "list", "--json").json
              if c["front"] == "Harmonic mean of 1 and 1"]
    assert len(copies) == 3 and len({c["id"] for c in copies}) == 3
    last = max(copies, key=lambda c: c["line"])
    assert cli("--collection", col, "answer", last["id"], "good").code == 0
    # an edit elsewhere moves lines, not ids
    (vault / "Harmonic.md").write_text(note(extra=dup + "\nSome prose in between.\n\n" + dup)
                                       .replace("# Harmonic mean\n", "# Harmonic mean\n\n"
                                                "A new paragraph of prose on top.\n"))
    report = imported(cli, col, vault)
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    after = {c["id"]: c for c in cli("--collection", col, "list", "--json").json}
    assert {c["id"] for c in copies} <= set(after)
    assert after[last["id"]]["state"] == "learning"  # the answered copy kept its history
    # drop the first copy: one card is orphaned, the answered one stays
    (vault / "Harmonic.md").write_text(note(extra="\nSome prose in between.\n\n" + dup))
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 0 and report["cards"]["orphaned"] == 1
    live = {c["id"] for c in cli("--collection", col, "list", "--json").json
            if c["front"] == "Harmonic mean of 1 and 1"}
    assert last["id"] in live and len(live) == 2


def test_two_notes_with_one_title_in_different_folders_keep_their_own_cards(cli, col, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "maths/Harmonic.md", note())
    write_note(vault, "physics/Harmonic.md", note())  # the very same text
    imported(cli, col, vault)
    before = ids(cli, col)
    cards = cli("--collection", col, "list", "--json").json
    maths = {c["front"]: c["id"] for c in cards if "/maths/" in c["note"]}
    physics = {c["front"]: c["id"] for c in cards if "/physics/" in c["note"]}
    assert maths.keys() == physics.keys() and not set(maths.values()) & set(physics.values())
    card = maths["Harmonic mean of 3 and 6"]
    cli("--collection", col, "answer", card, "easy")

    # physics' copy moves; the live maths copy is not up for grabs, physics' own cards are
    shutil.move(vault / "physics", vault / "mechanics")
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 0 and report["cards"]["orphaned"] == 0
    cards = cli("--collection", col, "list", "--json").json
    assert {c["front"]: c["id"] for c in cards if "/mechanics/" in c["note"]} == physics
    assert {c["front"]: c["id"] for c in cards if "/maths/" in c["note"]} == maths

    # maths' copy is deleted and restored: it gets its own cards (and history) back
    saved = (vault / "maths/Harmonic.md").read_text()
    (vault / "maths/Harmonic.md").unlink()
    imported(cli, col, vault)
    (vault / "maths/Harmonic.md").write_text(saved)
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 0
    cards = cli("--collection", col, "list", "--json").json
    assert {c["front"]: c["id"] for c in cards if "/maths/" in c["note"]} == maths
    assert len(history(cli, col, card)) == 1
    assert len(before) == len(ids(cli, col))


def test_small_edits_keep_the_card_and_big_edits_make_a_new_one(cli, col, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "Harmonic.md", note())
    imported(cli, col, vault)
    before = ids(cli, col)
    speed = before[("Harmonic.md", "basic", "Speed there 60, back 40: average?")]
    three = before[("Harmonic.md", "basic", "Harmonic mean of 3 and 6")]
    cli("--collection", col, "answer", speed, "good")
    text = note().replace("Speed there 60, back 40: average?::48 km/h",
                          "Speed there 60, back 40: the average speed?::48 km/h") \
                 .replace("Harmonic mean of 3 and 6::4",
                          "Who first named the harmonic mean?::Archytas of Tarentum")
    (vault / "Harmonic.md").write_text(text)
    report = imported(cli, col, vault)
    assert report["cards"] == {"added": 1, "updated": 1, "orphaned": 1}
    after = ids(cli, col)
    assert after[("Harmonic.md", "basic", "Speed there 60, back 40: the average speed?")] == speed
    assert three not in after.values()
    assert ("Harmonic.md", "basic", "Who first named the harmonic mean?") in after
    assert len(history(cli, col, speed)) == 1


def test_a_move_and_an_edit_at_once_keep_ids(cli, col, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "inbox/Harmonic.md", note())
    write_note(vault, "inbox/Other.md", "#flashcards\n\nUnrelated question::unrelated answer\n")
    imported(cli, col, vault)
    before = ids(cli, col)
    speed = before[("Harmonic.md", "basic", "Speed there 60, back 40: average?")]
    cli("--collection", col, "answer", speed, "good")
    (vault / "inbox/Harmonic.md").unlink()
    write_note(vault, "stats/Harmonic mean.md", note().replace(
        "::48 km/h", "::48 km/h (not 50)").replace("# Harmonic mean\n", "# Harmonic mean\n\n"
                                                   "A line of new prose.\n"))
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 0 and report["cards"]["orphaned"] == 0
    after = ids(cli, col)
    assert after[("Harmonic mean.md", "basic", "Speed there 60, back 40: average?")] == speed
    # the title changed with the name: those cards were edited too, and kept their ids
    assert after[("Harmonic mean.md", "summary", "What is meant by *Harmonic mean*?")] == \
        before[("Harmonic.md", "summary", "What is meant by *Harmonic*?")]
    assert sorted(after.values()) == sorted(before.values())


def test_many_notes_deleted_and_restored_come_back_whole(cli, col, tmp_path):
    vault = tmp_path / "vault"
    for i in range(40):
        write_note(vault, f"n{i}.md", note().replace("Harmonic", f"Harmonic{i}"))
    imported(cli, col, vault)
    before = ids(cli, col)
    answered = sorted(before.values())[::9]
    for card in answered:
        assert cli("--collection", col, "answer", card, "hard").code == 0
    saved = {p: p.read_text() for p in vault.glob("*.md")}
    for path in list(saved)[:30]:
        path.unlink()
    report = imported(cli, col, vault)
    assert report["notes"]["gone"] == 30
    assert len(ids(cli, col)) == len(before) // 4
    for path, text in saved.items():
        path.write_text(text)
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 0
    assert ids(cli, col) == before
    states = {c["id"]: c["state"] for c in cli("--collection", col, "list", "--json").json}
    assert all(states[card] == "learning" for card in answered)


def test_two_moved_notes_do_not_steal_each_others_cards(cli, col, tmp_path):
    """Both notes move with small edits; the second gains a near-copy of a card the first
    just claimed back. The first keeps it; the near-copy is a new card."""
    vault = tmp_path / "vault"
    write_note(vault, "a/One.md", "#flashcards\n\nCapital of France::Paris\n")
    write_note(vault, "a/Two.md", "#flashcards\n\nCapital of Spain::Madrid\n")
    imported(cli, col, vault)
    before = ids(cli, col)
    france = before[("One.md", "basic", "Capital of France")]
    cli("--collection", col, "answer", france, "good")
    shutil.rmtree(vault / "a")
    write_note(vault, "b/One.md", "#flashcards\n\nCapital of France::Paris (Île-de-France)\n")
    write_note(vault, "b/Two.md", "#flashcards\n\nCapital of Spain::Madrid\n"
                                  "Capital of France?::Paris!\n")
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 1 and report["cards"]["orphaned"] == 0
    after = ids(cli, col)
    assert after[("One.md", "basic", "Capital of France")] == france
    assert after[("Two.md", "basic", "Capital of Spain")] == before[("Two.md", "basic",
                                                                     "Capital of Spain")]
    assert after[("Two.md", "basic", "Capital of France?")] not in before.values()
    assert len(history(cli, col, france)) == 1


def test_a_moved_note_edits_match_within_the_note_it_was(cli, col, tmp_path):
    """A moved note's edited card is matched among the cards of the note it moved from (its
    unedited cards say which), never taken from another moved note that it now resembles
    more: that one keeps its card. (Comparing with every moved card also took about a minute
    for a folder of 400 notes with an edit each.)"""
    vault = tmp_path / "vault"
    write_note(vault, "a/A.md", "#flashcards\n\nAnchor A::kept\n"
                                "Define the recall::tp over tp plus fn\n")
    write_note(vault, "a/B.md", "#flashcards\n\nAnchor B::kept\n"
                                "Define the recall of a model::tp over tp plus fn, always\n")
    imported(cli, col, vault)
    before = ids(cli, col)
    shutil.rmtree(vault / "a")
    write_note(vault, "b/A.md", "#flashcards\n\nAnchor A::kept\n"
                                "Define the recall of a model::tp over tp plus fn, always!\n")
    write_note(vault, "b/B.md", "#flashcards\n\nAnchor B::kept\n"
                                "Define the recall of a model::tp over tp plus fn, always\n")
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 0 and report["cards"]["orphaned"] == 0
    after = ids(cli, col)
    assert after[("A.md", "basic", "Define the recall of a model")] == \
        before[("A.md", "basic", "Define the recall")]
    assert after[("B.md", "basic", "Define the recall of a model")] == \
        before[("B.md", "basic", "Define the recall of a model")]


class Crash(BaseException):
    """Stands in for a kill: nothing after it runs (but committed work stays)."""


def test_an_import_interrupted_after_a_move_resumes_with_the_same_ids(cli, col, tmp_path,
                                                                      monkeypatch):
    """The run that sees a move (with a small edit) dies after the first note is written; the
    re-run must still know which notes vanished, or the edited cards lose their history."""
    vault = tmp_path / "vault"
    names = ("Alpha", "Beta", "Gamma")
    for n, name in enumerate(names):  # each note's cards its own (no identical cards)
        write_note(vault, f"old/{name}.md", note().replace("Harmonic", name).replace(
            "60", str(61 + n)))
    imported(cli, col, vault)
    before = ids(cli, col)
    card = before[("Gamma.md", "basic", "Speed there 63, back 40: average?")]
    cli("--collection", col, "answer", card, "good")
    shutil.rmtree(vault / "old")
    for n, name in enumerate(names):
        write_note(vault, f"new/{name}.md", note().replace("Harmonic", name).replace(
            "60", str(61 + n)).replace("::48 km/h", "::48 km/h, not 50"))

    real = importer.parse_many

    def dies_after_one(jobs, on_done=None):
        for n, parsed in enumerate(real(jobs, on_done)):
            if n == 1:
                raise Crash()
            yield parsed

    monkeypatch.setattr(importer, "parse_many", dies_after_one)
    with pytest.raises(Crash):
        cli("--collection", col, "import", vault)
    monkeypatch.setattr(importer, "parse_many", real)
    imported(cli, col, vault)
    after = ids(cli, col)
    assert sorted(after.values()) == sorted(before.values())
    assert after[("Gamma.md", "basic", "Speed there 63, back 40: average?")] == card
    assert len(history(cli, col, card)) == 1


def test_cards_claimed_by_another_import_meanwhile_are_not_claimed_again(cli, col, tmp_path):
    """The vanished notes' cards are read once per import; a card another import claimed
    (or orphaned) since is found out and the next claimable copy is offered instead."""
    from flashdeck.collection.store import Collection

    vault = tmp_path / "vault"
    for name in ("A", "B", "C"):
        write_note(vault, f"{name}.md", "#flashcards\n\nShared question::shared answer\n")
    imported(cli, col, vault)
    with Collection.open(col) as collection:
        conn = collection.conn
        rows = conn.execute("SELECT id, note_id FROM cards ORDER BY id").fetchall()
        card_ids = [r["id"] for r in rows]
        gone = identity.GoneCards(conn, {r["note_id"] for r in rows})
        key = conn.execute("SELECT ckey FROM cards LIMIT 1").fetchone()[0]
        assert [r["id"] for r in gone.claimable({key: 2})] == card_ids[:2]
        # another import claims the first card for a note of its own, and orphans the third
        conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (1, 'X.md', 'X')")
        conn.execute("UPDATE cards SET note_id = last_insert_rowid() WHERE id = ?",
                     (card_ids[0],))
        conn.execute("UPDATE cards SET orphaned = 1 WHERE id = ?", (card_ids[2],))
        assert [r["id"] for r in gone.claimable({key: 2})] == [card_ids[1]]
        gone.drop(card_ids[1])  # this import claimed it
        assert gone.claimable({key: 1}) == []


SPLIT_NOTE = """\
---
tags: [flashcards/ml]
summary: the share of flagged items that are truly positive
---

# Precision

Precision from counts::TP / (TP + FP)
Recall from counts::TP / (TP + FN)
Specificity from counts::TN / (TN + FP)
"""


@pytest.mark.parametrize("new_name", ["Another metric.md", "Sensitivity.md"])
def test_a_card_moved_to_another_existing_note_keeps_its_id_wherever_the_note_sorts(
        cli, col, tmp_path, new_name):
    """A note split in two: a card cut from one note and pasted into another note that
    also changed keeps its id and history, whether the note it went to is read before the
    note it left ("Another metric.md") or after it ("Sensitivity.md")."""
    vault = tmp_path / "vault"
    write_note(vault, "Precision.md", SPLIT_NOTE)
    write_note(vault, new_name, "#flashcards/ml\n\nF1 from P and R::2PR / (P + R)\n")
    imported(cli, col, vault)
    before = ids(cli, col)
    recall = before[("Precision.md", "basic", "Recall from counts")]
    assert cli("--collection", col, "answer", recall, "good").code == 0
    answered = history(cli, col, recall)
    assert len(answered) == 1

    (vault / "Precision.md").write_text(SPLIT_NOTE.replace("Recall from counts::TP / (TP + FN)\n",
                                                           ""))
    (vault / new_name).write_text("#flashcards/ml\n\nF1 from P and R::2PR / (P + R)\n"
                                  "Recall from counts::TP / (TP + FN)\n")
    report = imported(cli, col, vault)

    after = ids(cli, col)
    assert after[(new_name, "basic", "Recall from counts")] == recall
    assert history(cli, col, recall) == answered
    # it moved: not added, not orphaned, whichever note came first
    assert report["cards"] == {"added": 0, "updated": 1, "orphaned": 0}
    # nothing else moved, and no card was made twice
    assert {k: v for k, v in after.items() if k[2] != "Recall from counts"} == \
        {k: v for k, v in before.items() if k[2] != "Recall from counts"}
    assert len(after) == len(before)
    shown = {c["id"]: c for c in cli("--collection", col, "list", "--json").json}
    assert shown[recall]["state"] == "learning"
    # and the next import has nothing to do
    assert imported(cli, col, vault)["cards"] == {"added": 0, "updated": 0, "orphaned": 0}


@pytest.mark.parametrize(("other", "there_before"), [
    ("A recall note.md", False), ("Sensitivity.md", False), ("Another metric.md", True)])
def test_a_card_moved_to_another_note_with_a_small_edit_keeps_its_history(
        cli, col, tmp_path, other, there_before):
    """A card cut from one note and pasted, with a word changed, into another: into a new
    note read before the note it left ("A recall note.md") or after it ("Sensitivity.md"),
    or into a note that was there already. Neither note had the card to compare with: it
    became a new card and the answered one an orphan, its history lost from the reviews."""
    vault = tmp_path / "vault"
    write_note(vault, "Precision.md", SPLIT_NOTE)
    if there_before:
        write_note(vault, other, "#flashcards/ml\n\nF1 from P and R::2PR / (P + R)\n")
    imported(cli, col, vault)
    recall = ids(cli, col)[("Precision.md", "basic", "Recall from counts")]
    assert cli("--collection", col, "answer", recall, "good").code == 0
    answered = history(cli, col, recall)

    (vault / "Precision.md").write_text(SPLIT_NOTE.replace("Recall from counts::TP / (TP + FN)\n",
                                                           ""))
    write_note(vault, other, "#flashcards/ml\n\nF1 from P and R::2PR / (P + R)\n"
                             "Recall from the counts::TP / (TP + FN)\n")
    report = imported(cli, col, vault)

    after = ids(cli, col)
    assert after[(other, "basic", "Recall from the counts")] == recall
    assert history(cli, col, recall) == answered
    assert report["cards"]["orphaned"] == 0
    shown = {c["id"]: c for c in cli("--collection", col, "list", "--json").json}
    assert shown[recall]["state"] == "learning"
    assert imported(cli, col, vault)["cards"] == {"added": 0, "updated": 0, "orphaned": 0}


def test_a_different_card_written_in_another_note_is_not_a_moved_one(cli, col, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "Precision.md", SPLIT_NOTE)
    imported(cli, col, vault)
    recall = ids(cli, col)[("Precision.md", "basic", "Recall from counts")]
    assert cli("--collection", col, "answer", recall, "good").code == 0
    (vault / "Precision.md").write_text(SPLIT_NOTE.replace("Recall from counts::TP / (TP + FN)\n",
                                                           ""))
    write_note(vault, "Harmonic.md", "#flashcards/ml\n\nHarmonic mean of 2 and 6::3\n")
    assert imported(cli, col, vault)["cards"] == {"added": 1, "updated": 0, "orphaned": 1}
    assert recall not in ids(cli, col).values()


def test_a_card_moved_by_an_import_killed_halfway_keeps_its_id_on_the_rerun(
        cli, col, tmp_path, monkeypatch):
    """The import that saw the split was killed after it wrote the note the card went to
    (there it was a new card) and before it read the note the card left. The re-run reads
    only the note it left: the card found there gone is the one added by the killed import,
    and keeps its id and history."""
    vault = tmp_path / "vault"
    write_note(vault, "Precision.md", SPLIT_NOTE)
    write_note(vault, "Another metric.md", "#flashcards/ml\n\nF1 from P and R::2PR / (P + R)\n")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-30T09:00:00+01:00")
    imported(cli, col, vault)
    recall = ids(cli, col)[("Precision.md", "basic", "Recall from counts")]
    assert cli("--collection", col, "answer", recall, "good").code == 0
    answered = history(cli, col, recall)

    # the killed import: the note the card went to written, nothing after it (the note it
    # left still as it was then, and the import never marked as run to its end)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-30T10:00:00+01:00")
    (vault / "Another metric.md").write_text("#flashcards/ml\n\nF1 from P and R::2PR / (P + R)\n"
                                             "Recall from counts::TP / (TP + FN)\n")
    monkeypatch.setattr(importer, "mark_imported", lambda *args, **kwargs: None)
    imported(cli, col, vault)
    monkeypatch.undo()
    copy = ids(cli, col)[("Another metric.md", "basic", "Recall from counts")]
    assert copy != recall

    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-30T11:00:00+01:00")
    (vault / "Precision.md").write_text(SPLIT_NOTE.replace("Recall from counts::TP / (TP + FN)\n",
                                                           ""))
    report = imported(cli, col, vault)
    after = ids(cli, col)
    assert after[("Another metric.md", "basic", "Recall from counts")] == recall
    assert history(cli, col, recall) == answered
    assert report["cards"] == {"added": 0, "updated": 1, "orphaned": 0}
    assert copy not in {c["id"] for c in cli("--collection", col, "list", "--json").json}


def test_a_card_moved_out_of_a_note_that_could_not_be_read_then_keeps_its_id(cli, col,
                                                                            tmp_path):
    """The note a card left was saved with a NUL byte (or moved, or changing)
    when the import that saw the card in its new note ran: that note could not be read then,
    and kept its cards. Once it is fixed, the card it lost is the one the other note got."""
    vault = tmp_path / "vault"
    write_note(vault, "Precision.md", SPLIT_NOTE)
    write_note(vault, "Another metric.md", "#flashcards/ml\n\nF1 from P and R::2PR / (P + R)\n")
    imported(cli, col, vault)
    recall = ids(cli, col)[("Precision.md", "basic", "Recall from counts")]
    assert cli("--collection", col, "answer", recall, "good").code == 0
    answered = history(cli, col, recall)

    (vault / "Another metric.md").write_text("#flashcards/ml\n\nF1 from P and R::2PR / (P + R)\n"
                                             "Recall from counts::TP / (TP + FN)\n")
    left = SPLIT_NOTE.replace("Recall from counts::TP / (TP + FN)\n", "")
    (vault / "Precision.md").write_bytes(left.encode() + b"Caf\x00 au lait::a drink\n")
    result = cli("--collection", col, "import", vault)
    assert result.code == 1 and "Precision.md:10: binary file (NUL byte)" in result.err

    (vault / "Precision.md").write_text(left)
    report = imported(cli, col, vault)
    after = ids(cli, col)
    assert after[("Another metric.md", "basic", "Recall from counts")] == recall
    assert history(cli, col, recall) == answered
    assert report["cards"] == {"added": 0, "updated": 1, "orphaned": 0}


def _at(monkeypatch, day: int) -> None:
    monkeypatch.setenv("FLASHDECK_NOW", f"2026-11-{day:02d}T09:00:00+01:00")


def test_a_note_copied_then_its_original_deleted_keeps_its_history_in_the_copy(
        cli, col, tmp_path, monkeypatch):
    """Copied into another folder (imported: its cards are new, as a copy's are) and the
    original deleted days later: the copy's cards came up new and the answered ones stayed
    hidden with the orphans. The copy's untouched cards give their place to them."""
    vault = tmp_path / "vault"
    write_note(vault, "stats/Harmonic.md", note())
    _at(monkeypatch, 20)
    imported(cli, col, vault)
    before = ids(cli, col)
    answered = [before[("Harmonic.md", "basic", "Harmonic mean of 3 and 6")],
                before[("Harmonic.md", "basic", "Speed there 60, back 40: average?")]]
    logged = {}
    for card in answered:
        assert cli("--collection", col, "answer", card, "good").code == 0
        logged[card] = history(cli, col, card)

    _at(monkeypatch, 22)
    shutil.copy2(vault / "stats/Harmonic.md", vault / "archive.md")
    assert imported(cli, col, vault)["cards"]["added"] == len(before)
    _at(monkeypatch, 24)
    (vault / "stats/Harmonic.md").unlink()
    report = imported(cli, col, vault)
    assert report["cards"] == {"added": 0, "updated": 2, "orphaned": len(before) - 2}
    after = ids(cli, col)
    assert len(after) == len(before) and set(answered) <= set(after.values())
    for card in answered:
        assert history(cli, col, card) == logged[card]
    assert {c["id"]: c["state"] for c in cli("--collection", col, "list", "--json").json
            if c["id"] in answered} == {card: "learning" for card in answered}
    assert cli("--collection", col, "doctor").code == 0


def test_a_copy_answered_or_suspended_keeps_its_own_card_when_the_original_goes(
        cli, col, tmp_path, monkeypatch):
    vault = tmp_path / "vault"
    write_note(vault, "stats/Harmonic.md", note())
    _at(monkeypatch, 20)
    imported(cli, col, vault)
    original = ids(cli, col)
    three = original[("Harmonic.md", "basic", "Harmonic mean of 3 and 6")]
    speed = original[("Harmonic.md", "basic", "Speed there 60, back 40: average?")]
    for card in (three, speed):
        assert cli("--collection", col, "answer", card, "good").code == 0
    _at(monkeypatch, 22)
    shutil.copy2(vault / "stats/Harmonic.md", vault / "Harmonic.md")
    imported(cli, col, vault)
    copies = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json
              if c["id"] not in original.values()}
    assert len(copies) == len(original)
    assert cli("--collection", col, "answer", copies["Harmonic mean of 3 and 6"],
               "easy").code == 0
    assert cli("--collection", col, "suspend",
               copies["Speed there 60, back 40: average?"]).code == 0
    _at(monkeypatch, 24)
    (vault / "stats/Harmonic.md").unlink()
    report = imported(cli, col, vault)
    assert report["cards"]["updated"] == 0
    # each copy is the card it was; the originals are orphans
    assert {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json} == \
        copies


@pytest.mark.parametrize("count", [1, 3, 31, 32, 33, 39, 64, 71])
def test_a_new_notes_cards_are_all_stored_in_their_order(cli, tmp_path, col, count):
    """Each card of a new note lands once, with its text and place, the ids in the note's
    order (the plugin-scheduled one first: it is written as it comes), whatever the count:
    the writer puts several cards in one statement."""
    import sqlite3

    seeded = min(4, count - 1)
    lines = ["#flashcards/count", ""]
    for i in range(count):
        lines.append(f"Term {i} of {count}::meaning {i}")
        if i == seeded:
            lines.append("<!--SR:!2026-11-20,4,270-->")
    vault = tmp_path / "vault"
    write_note(vault, "Counted.md", "\n".join(lines) + "\n")
    assert cli("--collection", col, "import", vault).code == 0
    conn = sqlite3.connect(col)
    rows = conn.execute("SELECT id, position, front, back, state, note_id FROM cards"
                        " ORDER BY id").fetchall()
    conn.close()
    assert len(rows) == count
    assert len({note_id for *_, note_id in rows}) == 1
    assert rows[0][1:4] == (seeded, f"Term {seeded} of {count}", f"meaning {seeded}")
    assert rows[0][4] == "review"  # the plugin's schedule, kept
    plain = [i for i in range(count) if i != seeded]
    assert [row[1:5] for row in rows[1:]] == [
        (i, f"Term {i} of {count}", f"meaning {i}", "new") for i in plain]


def test_cards_added_to_a_known_note_are_stored_in_their_order(cli, tmp_path, col):
    """The same for a note the collection has: its cards keep their ids, the 40 new ones
    come after them in the note's order."""
    import sqlite3

    vault = tmp_path / "vault"
    old = ["Alpha::one", "Beta::two", "Gamma::three"]
    write_note(vault, "Grown.md", "#flashcards\n\n" + "\n".join(old) + "\n")
    assert cli("--collection", col, "import", vault).code == 0
    before = dict(ids(cli, col))
    new = [f"Added {i}::value {i}" for i in range(40)]
    write_note(vault, "Grown.md", "#flashcards\n\n" + "\n".join([old[0], *new, *old[1:]]) + "\n")
    assert cli("--collection", col, "import", vault).code == 0
    after = ids(cli, col)
    assert {key: after[key] for key in before} == before
    conn = sqlite3.connect(col)
    rows = conn.execute("SELECT position, front FROM cards WHERE id > ? ORDER BY id",
                        (max(before.values()),)).fetchall()
    conn.close()
    assert rows == [(i + 1, f"Added {i}") for i in range(40)]
