"""The few lookups the review screen needs before its first card (and the busy wait every
long-lived connection sets), apart from `queries`: nothing here builds a class at import,
so the first card does not wait for the rest of the read-only queries (PRODUCT.md §7).
"""

from __future__ import annotations

import sqlite3

from flashdeck.collection.cards import deck_clause
from flashdeck.collection.store import Collection


# -- the connection --------------------------------------------------------------------------
def set_busy_wait(col: Collection, seconds: float) -> None:
    """How long a statement on this connection waits for another one's write lock before
    SQLite says "database is locked" (at least a millisecond)."""
    col.conn.execute(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}")


# -- cards and decks --------------------------------------------------------------------------
def has_live_cards(col: Collection, deck: str | None = None) -> bool:
    """Whether the collection (or `deck`, with its subdecks) holds any card not orphaned."""
    clause, params = deck_clause(deck, "deck")
    return col.conn.execute("SELECT 1 FROM cards WHERE orphaned = 0" + clause + " LIMIT 1",
                            params).fetchone() is not None


def card_source_path(col: Collection, card_id: int) -> str | None:
    """The path of the source (vault or file) the card's note was imported from."""
    row = col.conn.execute(
        "SELECT s.path FROM cards c JOIN notes n ON n.id = c.note_id"
        " JOIN sources s ON s.id = n.source_id WHERE c.id = ?", (card_id,)).fetchone()
    return row[0] if row is not None else None


# -- the review log -------------------------------------------------------------------------
def reviews_in_log(conn: sqlite3.Connection, review_ids: list[int]) -> dict[int, int]:
    """Which of `review_ids` are still in the review log (an answer undone in another
    terminal is not), each with the id it has there now: itself, or the new id `flashdeck
    sync` logged it again under (an earlier answer from a phone pulled in before it, the
    card replayed: ankisync/merge.py's `anki_renumbered`, which holds each old id's latest
    one). Asked in batches of 500 (SQLite's limit on parameters)."""
    found = {review_id: review_id for review_id in _in_log(conn, review_ids)}
    missing = [review_id for review_id in review_ids if review_id not in found]
    if not missing or conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND"
                                   " name = 'anki_renumbered'").fetchone() is None:
        return found
    moved: dict[int, int] = {}
    for start in range(0, len(missing), 500):
        batch = missing[start:start + 500]
        moved.update(conn.execute(
            "SELECT old_id, new_id FROM anki_renumbered"
            f" WHERE old_id IN ({', '.join('?' * len(batch))})", batch))
    there = _in_log(conn, list(set(moved.values())))
    found.update((old, new) for old, new in moved.items() if new in there)
    return found


def _in_log(conn: sqlite3.Connection, review_ids: list[int]) -> set[int]:
    kept: set[int] = set()
    for start in range(0, len(review_ids), 500):
        batch = review_ids[start:start + 500]
        kept.update(row[0] for row in conn.execute(
            f"SELECT id FROM reviews WHERE id IN ({', '.join('?' * len(batch))})", batch))
    return kept
