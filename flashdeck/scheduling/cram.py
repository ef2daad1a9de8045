"""Cram: drill a deck's cards without touching their schedules (`flashdeck review --cram`).

Every live, unsuspended card of the deck comes once (studied ones first, soonest due
first, then new ones in their order); a card answered
Again comes back after a few others, until it is answered otherwise. The answers go to their
own log (`cram_log`, one session id per sitting), never to the reviews: no state, due date,
daily limit, sibling rule or history changes. Like the queue, what is left is derived from
that log, so undo is deleting the answer's row.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from flashdeck.collection.cards import CARD_SELECT, CardView, deck_clause
from flashdeck.scheduling.engine import (
    RATING_NAMES,
    Answered,
    Engine,
    Preview,
    Undo,
    check_rating,
)
from flashdeck.scheduling.queue import Counts

AGAIN_GAP = 3  # a card answered Again comes back after this many other answers

# the cards of the deck this session has not yet passed (its last answer here, if any, was
# Again): live, not suspended (and, `_left`, not buried)
_LEFT = (" WHERE c.orphaned = 0 AND c.suspended = 0"
         " AND coalesce((SELECT l.rating FROM cram_log l INDEXED BY cram_session"
         " WHERE l.session = ? AND l.card_id = c.id ORDER BY l.id DESC LIMIT 1), 1) = 1")


class Cram(Engine):
    """The engine's interface over a cram session: the review screen drives it unchanged."""

    def __init__(self, *args, session: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session or uuid.uuid4().hex

    def _left(self) -> tuple[str, list]:
        """The cards left, buried ones aside (`b` in a cram said "Buried until tomorrow."
        and showed the same card again)."""
        clause, params = deck_clause(self.deck)
        now = int(self.now().timestamp())
        return (_LEFT + clause + " AND (c.buried_until IS NULL OR c.buried_until <= ?)",
                [self.session, *params, now])

    def next_card(self) -> CardView | None:
        conn = self.col.conn
        where, params = self._left()
        recent = [row[0] for row in conn.execute(
            "SELECT card_id FROM cram_log WHERE session = ? ORDER BY id DESC LIMIT ?",
            (self.session, AGAIN_GAP))]
        # not one of the last few answered, while another card waits
        fresh = conn.execute(
            CARD_SELECT + where + " AND c.id NOT IN (SELECT value FROM json_each(?))"
            " ORDER BY (SELECT count(*) FROM cram_log l INDEXED BY cram_session"
            " WHERE l.session = ? AND l.card_id = c.id) > 0, c.due IS NULL, c.due, c.id LIMIT 1",
            [*params, _json(recent), self.session]).fetchone()
        if fresh is not None:
            return CardView.from_row(fresh)
        row = conn.execute(CARD_SELECT + where + " ORDER BY c.due IS NULL, c.due, c.id LIMIT 1",
                           params).fetchone()
        return CardView.from_row(row) if row else None

    def counts(self) -> Counts:
        where, params = self._left()
        left, again = self.col.conn.execute(
            "SELECT count(*), sum(EXISTS (SELECT 1 FROM cram_log l INDEXED BY cram_session"
            " WHERE l.session = ? AND l.card_id = c.id)) FROM cards c" + where,
            [self.session, *params]).fetchone()
        again = again or 0
        return Counts(new=0, learning=again, review=left - again)

    def previews(self, card_id: int) -> dict[str, Preview]:
        """Again brings the card back in this session; any other answer passes it. Nothing
        is scheduled: the due date stays the card's own."""
        row = self._row(card_id)
        now = self.now().replace(microsecond=0)
        state = {name: row[name] for name in row.keys()}
        return {name: Preview(rating, now, timedelta(0), state,
                              text="soon" if rating == 1 else "done")
                for rating, name in RATING_NAMES.items()}

    def answer(self, card_id: int, rating: int, *, duration_ms: int | None = None,
               expected_version: int | None = None) -> Answered:
        check_rating(rating)
        now = self.now().replace(microsecond=0)
        with self.col.transaction() as conn:
            row = self._row(card_id)
            cram_id = conn.execute(
                "INSERT INTO cram_log (session, card_id, reviewed_at, rating, duration_ms)"
                " VALUES (?, ?, ?, ?, ?)",
                (self.session, card_id, int(now.timestamp()), rating, duration_ms)).lastrowid
        due = _datetime(row["due"]) or now
        return Answered(card_id, rating, cram_id, row["state"], due, due - now, leech=False)

    def undo(self, *, review_id: int | None = None, since: datetime | None = None) -> Undo:
        with self.col.transaction() as conn:
            if review_id is None:
                last = conn.execute("SELECT id, card_id, rating FROM cram_log WHERE session = ?"
                                    " ORDER BY id DESC LIMIT 1", (self.session,)).fetchone()
            else:
                last = conn.execute("SELECT id, card_id, rating FROM cram_log WHERE id = ?"
                                    " AND session = ?", (review_id, self.session)).fetchone()
            if last is None:
                return Undo(reason="nothing to undo in this cram session")
            conn.execute("DELETE FROM cram_log WHERE id = ?", (last["id"],))
        return Undo(last["card_id"], last["rating"])


def _json(ids: list[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def _datetime(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)
