"""The few lookups the review screen needs before its first card (and the busy wait every
long-lived connection sets), apart from `queries`: nothing here builds a class at import,
so the first card does not wait for the rest of the read-only queries (PRODUCT.md §7).
"""

from __future__ import annotations

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
def reviews_in_log(col: Collection, review_ids: list[int]) -> set[int]:
    """Which of `review_ids` are still in the review log (an answer undone in another
    terminal is not). Asked in batches of 500 (SQLite's limit on parameters)."""
    kept: set[int] = set()
    for start in range(0, len(review_ids), 500):
        batch = review_ids[start:start + 500]
        kept.update(row[0] for row in col.conn.execute(
            f"SELECT id FROM reviews WHERE id IN ({', '.join('?' * len(batch))})", batch))
    return kept
