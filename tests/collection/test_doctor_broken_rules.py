"""Rows that break the schema's own rules, written by another program with SQLite's checks
off (a card's `state` 'bogus', a NULL in a NOT NULL column, a review rated 9). SQLite's
integrity check lists such rows ("CHECK constraint failed in cards"), and `doctor` called
the whole file damaged, skipped every other check and advised restoring a backup, so days
of answers since the last backup were the price of one bad value. Now the file counts as
whole when the integrity check complains of such values only: `doctor` names each row, and
`doctor --fix` sets a card's schedule from its review log (new when it has none); what no
log can say (a source's kind, a card's front) is named for a human. A file whose structure
is damaged is still reported as damaged."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from support.notes import write_note
from flashdeck.scheduling import doctor

NOTE = """\
---
tags: [flashcards/stats]
summary: the spread of a sample around its mean
---
# Variance

Population variance::the mean of the squared deviations from the mean

## Why divide by n-1 for a sample?
Because the sample mean is fitted to the same data, one degree of freedom is spent.
"""


@pytest.fixture
def collection(cli, tmp_path) -> Path:
    """A collection of one note's cards, two of them answered (one twice)."""
    write_note(tmp_path / "vault", "Variance.md", NOTE)
    target = tmp_path / "c.sqlite"
    assert cli("--collection", target, "import", tmp_path / "vault").code == 0
    for card, rating in (("1", "good"), ("1", "good"), ("2", "again")):
        assert cli("--collection", target, "answer", card, rating).code == 0
    return target


def damage(path: Path, sql: str, *params) -> None:
    """Write past the CHECK constraints, as another program can."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute(sql, params)
    conn.close()


def null_past_not_null(path: Path, column: str, card: int) -> None:
    """A NULL in a NOT NULL column of `cards`: the schema's text edited to let it in, then
    put back (what a tool with writable_schema can leave)."""
    conn = sqlite3.connect(path, isolation_level=None)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'cards'").fetchone()[0]
    loose = re.sub(rf"(\n\s*{column}\s+\w+) NOT NULL", r"\1", sql)
    assert loose != sql
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'cards'", (loose,))
    conn.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"UPDATE cards SET {column} = NULL WHERE id = ?", (card,))
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'cards'", (sql,))
    conn.close()


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def card_row(path: Path, card: int) -> tuple:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT state, reps, version, due IS NULL FROM cards WHERE id = ?",
                            (card,)).fetchone()
    finally:
        conn.close()


def test_a_bogus_state_is_named_and_fixed_from_the_log(cli, collection):
    answered = card_row(collection, 1)
    damage(collection, "UPDATE cards SET state = 'bogus' WHERE id IN (1, 3)")
    assert integrity(collection) == ["CHECK constraint failed in cards"] * 2
    reviews = len(cli("--collection", collection, "log", "--json").json)

    found = cli("--collection", collection, "doctor")
    assert found.code == 1, found.out
    assert "integrity:    ok" in found.out and "DAMAGED" not in found.out
    assert "restore a backup" not in found.out
    assert "problem: card 1: stored state disagrees with its review log: state 'bogus'," \
           " replay says 'review'  (fixable: flashdeck doctor --fix)" in found.out
    assert "problem: card 3: stored state disagrees with its review log: state 'bogus'," \
           " replay says 'new'  (fixable: flashdeck doctor --fix)" in found.out
    # and the commands that meet the card say the same way out
    answer = cli("--collection", collection, "answer", "1", "good")
    assert answer.code == 2 and answer.err.strip() == (
        "flashdeck: card 1: its stored schedule is damaged (state = 'bogus');"
        " `flashdeck doctor --fix` sets it from its review log")

    fixed = cli("--collection", collection, "doctor", "--fix")
    assert fixed.code == 0, fixed.out
    assert "fixed: card 1: set to the state its review log replays to" in fixed.out
    assert "fixed: card 3: set to the state its review log replays to" in fixed.out
    backup = re.search(r"backup before fixing: (.+)", fixed.out).group(1)
    assert Path(backup).is_file() and integrity(Path(backup)) != ["ok"]  # as it was
    assert card_row(collection, 1) == answered
    assert card_row(collection, 3) == ("new", 0, 0, 1)
    assert integrity(collection) == ["ok"]
    assert cli("--collection", collection, "doctor").code == 0
    assert len(cli("--collection", collection, "log", "--json").json) == reviews
    assert cli("--collection", collection, "answer", "1", "good").code == 0


@pytest.mark.parametrize("column, card, shown", [
    ("state", 1, "state None, replay says 'review'"),
    ("reps", 1, "reps None, replay says 2"),
    ("leech", 3, "leech None, replay says 0"),  # a new card: not skipped as untouched
    ("version", 1, "version is None, not a count"),
    ("version", 3, "version is None, not a count"),
])
def test_a_null_in_a_scheduling_column_is_fixed_from_the_log(cli, collection, column, card,
                                                              shown):
    """Before: "integrity: DAMAGED" (and a NULL version crashed the replay: "internal
    error: TypeError")."""
    before = card_row(collection, card)
    null_past_not_null(collection, column, card)
    assert integrity(collection) != ["ok"]
    found = cli("--collection", collection, "doctor")
    assert found.code == 1 and found.err == "", found.err
    assert f"problem: card {card}: stored state disagrees with its review log: {shown}" \
           "  (fixable: flashdeck doctor --fix)" in found.out
    assert cli("--collection", collection, "doctor", "--fix").code == 0
    assert card_row(collection, card) == before
    assert integrity(collection) == ["ok"]
    assert cli("--collection", collection, "doctor").code == 0


@pytest.mark.parametrize("setup, shown", [
    (lambda p: damage(p, "UPDATE sources SET kind = 'web'"), "source 1: kind = 'web'"),
    (lambda p: damage(p, "UPDATE reviews SET rating = 9 WHERE id = 2"), "review 2: rating = 9"),
    (lambda p: null_past_not_null(p, "front", 2), "card 2: front = None"),
], ids=["source kind", "review rating", "card front"])
def test_a_value_no_log_can_restore_is_named_and_left(cli, collection, setup, shown):
    setup(collection)
    assert integrity(collection) != ["ok"]
    found = cli("--collection", collection, "doctor", "--json")
    assert found.code == 1
    report = found.json
    assert report["integrity"] == ["ok"]
    rules = [p["message"] for p in report["problems"] if p["check"] == "rules"]
    assert len(rules) == 1 and rules[0].startswith(f"{shown} breaks the collection's rules")
    fixed = cli("--collection", collection, "doctor", "--fix")
    assert fixed.code == 1 and f"problem: {shown} breaks" in fixed.out
    assert integrity(collection) != ["ok"]  # left for the user: nothing guessed


def test_structural_damage_still_reads_as_damaged(cli, collection):
    """An index that disagrees with its table is damage, not a broken rule."""
    conn = sqlite3.connect(collection, isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    # the queue's index made to lie: the rows' index entries no longer match
    conn.execute("UPDATE cards SET state = 'review' WHERE id = 3")
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'cards_block'").fetchone()[0]
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'cards_block'",
                 (sql.replace("(note_id, block)", "(block, note_id)"),))
    conn.close()
    assert any("missing from index" in r or "wrong # of entries" in r
               for r in integrity(collection))
    found = cli("--collection", collection, "doctor")
    assert found.code == 1
    assert "integrity:    DAMAGED" in found.out and "restore a backup copy" in found.out


def test_every_check_of_the_schema_is_known_to_the_doctor():
    """`doctor` finds the rows breaking a CHECK by the conditions it knows: one per CHECK of
    a fresh collection's tables, so a CHECK added later cannot go unsearched."""
    schema = doctor._expected_schema()
    for (kind, name), sql in schema.items():
        if kind != "table":
            continue
        assert sql.count("CHECK (") == len(doctor._CHECKS.get(name, ())), name
        for condition in doctor._CHECKS.get(name, ()):
            assert condition.replace(" ", "") in sql.replace(" ", "").replace("\n", ""), name


def test_dangling_rows_are_named(cli, collection, tmp_path):
    """Before: "2 rows of notes point to a missing row of sources" and nothing to find them
    by. Now the first rows are named, with the id they point to; the rest counted."""
    for n in range(7):
        write_note(tmp_path / "vault", f"Extra {n}.md", NOTE.replace("Variance", f"Extra {n}"))
    assert cli("--collection", collection, "import", tmp_path / "vault").code == 0
    conn = sqlite3.connect(collection, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM sources")
    conn.close()
    found = cli("--collection", collection, "doctor")
    assert found.code == 1
    assert "problem: 8 rows of notes point to a missing row of sources: note 1 (source_id 1)," \
           " note 2 (source_id 1), note 3 (source_id 1), note 4 (source_id 1), note 5" \
           " (source_id 1) and 3 more" in found.out


def test_a_log_row_of_a_card_that_is_not_there(cli, collection):
    """A review whose card_id names no card (another program's edit, foreign keys off).
    Before: `undo` said "no card with id 999" every time, and so no answer before it could
    be undone either; `doctor` counted the row without naming it. Now `undo` says what it
    is and where to look, and `doctor` names the row and its card."""
    conn = sqlite3.connect(collection, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO reviews (card_id, reviewed_at, rating, state_before, state_after)"
                 " SELECT 999, reviewed_at, rating, state_before, state_after FROM reviews"
                 " ORDER BY id DESC LIMIT 1")
    stray = conn.execute("SELECT max(id) FROM reviews").fetchone()[0]
    conn.close()
    undo = cli("--collection", collection, "undo")
    assert undo.code == 0 and undo.err == ""
    assert undo.out == (f"nothing undone: the last answer in the review log (review {stray})"
                        " is of card 999, which is not in the collection; run `flashdeck"
                        " doctor`\n")
    found = cli("--collection", collection, "doctor")
    assert found.code == 1
    assert (f"problem: 1 row of reviews points to a missing row of cards: review {stray}"
            " (card_id 999)") in found.out


def test_damage_behind_a_hundred_broken_rules_is_still_damage(cli, tmp_path):
    """SQLite's integrity check stops after 100 complaints. With more than 100 cards past
    the CHECK, the first 100 were all broken rules and an index entry missing behind them
    went unseen: the file counted as whole and `--fix` would write into it. The check now
    runs again past them all when it stopped at its limit."""
    lines = "\n".join(f"Term {n}::Meaning {n}" for n in range(130))
    write_note(tmp_path / "vault", "Glossary.md", f"---\ntags: [flashcards]\n---\n{lines}\n")
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    for card in ("121", "122", "123"):  # answered: cards the doctor would checkpoint
        assert cli("--collection", path, "answer", card, "good").code == 0
    conn = sqlite3.connect(path, isolation_level=None)
    last = conn.execute("SELECT max(id) FROM cards").fetchone()[0]
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'cards_block'").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")  # the last card's index entry left stale
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'cards_block'",
                 (f"{sql} WHERE id != {last}",))
    conn.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE cards SET block = 'elsewhere' WHERE id = ?", (last,))
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'cards_block'", (sql,))
    conn.close()
    damage(path, "UPDATE cards SET state = 'bogus' WHERE id <= 120")
    conn = sqlite3.connect(path)
    first = [r[0] for r in conn.execute("PRAGMA integrity_check(100)")]
    conn.close()
    assert set(first) == {"CHECK constraint failed in cards"}  # the damage is behind them
    found = cli("--collection", path, "doctor")
    assert found.code == 1
    assert "integrity:    DAMAGED" in found.out
    assert f"problem: SQLite integrity check: row {last} missing from index cards_block" \
        in found.out
    fixed = cli("--collection", path, "doctor", "--fix")
    assert "fixed:" not in fixed.out and "backup before fixing" not in fixed.out
    assert card_row(path, 1)[0] == "bogus"  # nothing written into a damaged file
    # and the doctor's checkpoints were not written into it either
    conn = sqlite3.connect(path)
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                            (doctor.CHECKPOINTS,)).fetchone()
    conn.close()


@pytest.mark.parametrize("column, card, command", [("deck", 2, ["due"]),
                                                   ("front", 2, ["list"]),
                                                   ("front", 2, ["show", "2"])])
def test_a_command_failing_on_a_damaged_value_names_the_file(cli, collection, column, card,
                                                             command):
    """What a damaged file reads as (here a NULL where a card's deck or front belongs; a
    truncated copy gave the same) failed deep inside `due`, `list` or `show`: "internal
    error: AttributeError: 'NoneType' object has no attribute 'translate'". When a command
    fails unexpectedly and SQLite's quick check of its collection fails too, the line now
    names the file and the way out; `doctor` then names the row."""
    null_past_not_null(collection, column, card)
    result = cli("--collection", collection, *command)
    assert result.code == 2 and result.out == ""
    assert result.err == (f"flashdeck: {collection}: the collection file is damaged; run"
                          " `flashdeck doctor`, or restore a backup copy\n")
    found = cli("--collection", collection, "doctor")
    assert f"problem: card {card}: {column} = None breaks the collection's rules" in found.out


def test_a_null_suspended_is_named_with_the_command_that_sets_it(cli, collection):
    null_past_not_null(collection, "suspended", 2)
    found = cli("--collection", collection, "doctor")
    assert "problem: card 2: suspended = None breaks the collection's rules (written by" \
           " another program with SQLite's checks off); `flashdeck unsuspend 2` (or" \
           " `suspend 2`) sets it" in found.out
    assert cli("--collection", collection, "unsuspend", "2").code == 0
    assert cli("--collection", collection, "doctor").code == 0
    assert integrity(collection) == ["ok"]
