"""`doctor`'s integrity check runs in parts side by side (collection/integrity.py): the
file's structure and rules (`quick_check`), each plain index of the review log checked on
its own against its table, the other tables by SQLite's own check. It must find what the
one `PRAGMA integrity_check` finds, and on a damaged file report SQLite's own words."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from flashdeck.collection import integrity
from support.notes import write_note

NOTE = """\
---
tags: [flashcards/geo]
---
# Rivers

The longest river of Africa::the Nile
The river through Vienna::the Danube
Rhine:::flows into the North Sea
"""


@pytest.fixture
def collection(cli, tmp_path) -> Path:
    """A few cards, each answered a few times: a review log with its three indexes."""
    write_note(tmp_path / "vault", "Rivers.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    for rating in ("good", "again", "good", "easy"):
        for card in ("1", "2", "3", "4"):
            assert cli("--collection", path, "answer", card, rating).code == 0
    return path


def sqlite_says(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return integrity.integrity_rows(conn)
    finally:
        conn.close()


def lie_in_index(path: Path, index: str, row: int, change: str) -> None:
    """An index entry left stale: the index made partial (without `row`), the change
    made, then the index's text put back (what a tool with writable_schema can leave)."""
    conn = sqlite3.connect(path, isolation_level=None)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?",
                 (f"{sql} WHERE id != {row}", index))
    conn.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(change)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql, index))
    conn.close()


def test_the_review_log_indexes_are_checked_in_parts(collection):
    conn = sqlite3.connect(collection)
    parts = integrity._parts(conn)
    conn.close()
    split = {p[2] for p in parts if p[0] == "index" and p[1] == "reviews"}
    assert split == {"reviews_card", "reviews_state", "reviews_time"}
    assert ("quick",) in parts and ("table", "cards") in parts  # partial indexes: SQLite's
    assert integrity.check_file(collection) == ["ok"] == sqlite_says(collection)


@pytest.mark.parametrize("index", ["reviews_time", "reviews_state", "reviews_card"])
@pytest.mark.parametrize("change", [
    "UPDATE reviews SET reviewed_at = reviewed_at + 7, card_id = 2 WHERE id = {row}",
    "DELETE FROM reviews WHERE id = {row}",
    "INSERT INTO reviews (id, card_id, reviewed_at, rating, state_before, state_after)"
    " SELECT {row}, card_id, reviewed_at + 60, rating, state_before, state_after"
    " FROM reviews WHERE id = 1",
], ids=["entry stale", "entry without a row", "row without an entry"])
def test_a_lying_review_index_is_found_in_sqlites_words(cli, collection, index, change):
    conn = sqlite3.connect(collection)
    last = conn.execute("SELECT max(id) FROM reviews").fetchone()[0]
    conn.close()
    row = last + 1 if change.startswith("INSERT") else 5
    lie_in_index(collection, index, row, change.format(row=row))
    sqlite = sqlite_says(collection)
    assert sqlite != ["ok"]
    assert integrity.check_file(collection) == sqlite
    assert integrity.check_file(collection, workers=3) == sqlite
    found = cli("--collection", collection, "doctor")
    assert found.code == 1
    assert "integrity:    DAMAGED" in found.out
    for message in sqlite:
        assert f"problem: SQLite integrity check: {message}" in found.out


def test_a_broken_rule_in_the_log_reads_as_sqlite_lists_it(collection):
    conn = sqlite3.connect(collection, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE reviews SET rating = 9 WHERE id = 3")
    conn.close()
    assert integrity.check_file(collection) == sqlite_says(collection) \
        == ["CHECK constraint failed in reviews"]


def test_a_damaged_page_gives_sqlites_rows(collection):
    conn = sqlite3.connect(collection)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reviews_time'"
                        ).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(collection, "r+b") as f:  # the index's root page: its header overwritten
        f.seek((root - 1) * page_size)
        f.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff")
    sqlite = sqlite_says(collection)
    assert sqlite != ["ok"]
    assert integrity.check_file(collection) == sqlite


def test_a_part_that_fails_leaves_the_verdict_to_sqlites_whole_check(collection, monkeypatch):
    """A part that cannot run for any reason (here: made to fail) is no verdict: the file is
    checked by the one statement, and no thread's traceback reaches the terminal."""
    import threading

    seen: list = []
    monkeypatch.setattr(threading, "excepthook", seen.append)
    real = integrity._check

    def failing(conn, part):
        if part[0] == "index":
            raise ValueError("made to fail")
        return real(conn, part)

    monkeypatch.setattr(integrity, "_check", failing)
    calls: list = []
    whole = integrity.integrity_rows
    monkeypatch.setattr(integrity, "integrity_rows",
                        lambda conn, *a: calls.append(1) or whole(conn, *a))
    assert integrity.check_file(collection) == ["ok"]
    assert calls == [1] and seen == []
