"""Taking a collection back to an older schema by hand, or making one at schema 1, to test
its migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def make_v1(path: Path, cards: int | None = None) -> None:
    """A collection at schema 1 holding one note: one card `Q`/`A` (`cards` None), else
    `cards` cards with longer backs (a bigger file, for a disk that fills up)."""
    from flashdeck.collection import store

    conn = sqlite3.connect(path)
    for statement in store._split_sql(store._SCHEMA_V1):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO sources (path, kind, added) VALUES ('/v', 'folder', 0)")
    conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (1, 'a.md', 'A')")
    rows = [("Q", "A", "k", 1, "L1")] if cards is None else [
        (f"Question {n}", "an answer of some length " * 8, f"k{n}", n, f"L{n}")
        for n in range(cards)]
    conn.executemany(
        "INSERT INTO cards (note_id, kind, front, back, ckey, line, deck, block, added)"
        " VALUES (1, 'basic', ?, ?, ?, ?, 'flashcards', ?, 0)", rows)
    conn.commit()
    conn.close()

_REVIEWS_V10 = """
CREATE TABLE reviews_v10 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id      INTEGER NOT NULL REFERENCES cards(id),
    reviewed_at  INTEGER NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    duration_ms  INTEGER,
    state_before TEXT NOT NULL,
    state_after  TEXT NOT NULL
)"""


def back_to_schema_12(conn) -> None:
    """Undo schema 13 (the stats' index with the card's id before its deck) on an open
    connection, inside the caller's transaction; the version is left to the caller."""
    conn.execute("DROP INDEX cards_stats")
    conn.execute("CREATE INDEX cards_stats ON cards (orphaned, state, suspended, leech, due,"
                 " last_review, deck)")


def back_to_schema_11(conn) -> None:
    """Undo schemas 13 and 12 (notes.named) on an open connection, inside the caller's
    transaction; the version is left to the caller."""
    back_to_schema_12(conn)
    conn.execute("ALTER TABLE notes DROP COLUMN named")


def back_to_schema_10(conn) -> None:
    """Undo schemas 13 to 11 (the log's stored columns, the stats indexes and kept counts)
    on an open connection, inside the caller's transaction; the version is left to the
    caller. The log's ids and its id high-water mark are kept."""
    back_to_schema_11(conn)
    for trigger in ("insert", "delete", "update", "deck"):
        conn.execute(f"DROP TRIGGER stats_days_{trigger}")
    for trigger in ("insert", "delete", "update"):
        conn.execute(f"DROP TRIGGER log_changes_{trigger}")
    conn.execute("DROP TABLE log_changes")
    conn.execute("DROP TABLE stats_days")
    conn.execute("DELETE FROM meta WHERE key LIKE 'stats_days_%'")
    conn.execute("DROP INDEX cards_stats")
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'reviews'").fetchone()
    conn.execute(_REVIEWS_V10)
    conn.execute("INSERT INTO reviews_v10 SELECT id, card_id, reviewed_at, rating, duration_ms,"
                 " state_before, state_after FROM reviews")
    conn.execute("DROP TABLE reviews")
    conn.execute("ALTER TABLE reviews_v10 RENAME TO reviews")
    if seq is not None:
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'reviews'")
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('reviews', ?)", seq)
    conn.execute("CREATE INDEX reviews_card ON reviews (card_id, reviewed_at)")
    conn.execute("CREATE INDEX reviews_time ON reviews (reviewed_at)")
    conn.execute(
        "CREATE INDEX reviews_state ON reviews (CASE WHEN json_valid(state_before) THEN"
        " json_extract(state_before, '$.state') END, reviewed_at, card_id)")
