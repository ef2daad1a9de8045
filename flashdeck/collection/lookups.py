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


def answers_in_log(conn: sqlite3.Connection, answers: list) -> dict[int, int]:
    """`reviews_in_log` for a review sitting's answers (each with its review_id, card_id,
    rating and reviewed_at): review id -> the id it has in the log now. An answer a sync
    logged again under a new id whose link from the old one a later day's sync dropped
    (`prune_renumbered`: a review screen left open over more than a day) is found by its
    card, time and rating among the answers logged after it; before, it was taken for an
    answer undone elsewhere. Only in a collection that has synced: elsewhere an answer
    missing from the log was undone."""
    found = reviews_in_log(conn, [a.review_id for a in answers])
    lost = [a for a in answers if a.review_id not in found and a.reviewed_at is not None]
    if not lost or conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND"
                                " name = 'anki_log'").fetchone() is None:
        return found
    taken = set(found.values())
    for answer in lost:  # a few: the answers of one sitting that are not in the log
        for (review_id,) in conn.execute(
                "SELECT id FROM reviews WHERE card_id = ? AND reviewed_at = ? AND rating = ?"
                " AND id > ? AND NOT EXISTS (SELECT 1 FROM anki_log l WHERE l.review_id ="
                " reviews.id AND l.pulled = 1) ORDER BY id",
                (answer.card_id, answer.reviewed_at, answer.rating, answer.review_id)):
            if review_id not in taken:
                taken.add(review_id)
                found[answer.review_id] = review_id
                break
    return found


def _in_log(conn: sqlite3.Connection, review_ids: list[int]) -> set[int]:
    kept: set[int] = set()
    for start in range(0, len(review_ids), 500):
        batch = review_ids[start:start + 500]
        kept.update(row[0] for row in conn.execute(
            f"SELECT id FROM reviews WHERE id IN ({', '.join('?' * len(batch))})", batch))
    return kept
