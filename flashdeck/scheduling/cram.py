"""Cram: drill a deck's cards without touching their schedules (`flashdeck review --cram`).

Every live card of the deck, not suspended or buried, comes once (studied ones first, soonest due
first, then new ones in their order; a sibling of one of the last few answered waits while
another card can come); a card answered
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
    Hidden,
    Preview,
    Undo,
    check_rating,
)
from flashdeck.scheduling.queue import Counts

AGAIN_GAP = 3  # a card answered Again comes back after this many other answers

# the cards of the deck this session has not yet passed (its last answer here, if any, was
# Again): live, not suspended, not buried (buried in the daily review: `b` in a cram only
# puts the card aside for the cram, see `Cram.bury`)
_LEFT = (" WHERE c.orphaned = 0 AND c.suspended = 0"
         " AND (c.buried_until IS NULL OR c.buried_until <= ?)"
         " AND coalesce((SELECT l.rating FROM cram_log l INDEXED BY cram_session"
         " WHERE l.session = ? AND l.card_id = c.id ORDER BY l.id DESC LIMIT 1), 1) = 1")


# not a sibling (same note and block) of one of the cards in a JSON array (one parameter)
_NO_SIBLING = (" AND NOT EXISTS (SELECT 1 FROM json_each(?) j CROSS JOIN cards s"
               " WHERE s.id = j.value AND s.note_id = c.note_id AND s.block = c.block)")


class Cram(Engine):
    """The engine's interface over a cram session: the review screen drives it unchanged."""

    def __init__(self, *args, session: str | None = None, aside: set[int] | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session or uuid.uuid4().hex
        # the cards `b` put aside in this cram (the sitting's: shared by its engines)
        self.aside = aside if aside is not None else set()

    def _left(self) -> tuple[str, list]:
        clause, params = deck_clause(self.deck)
        return (_LEFT + clause + " AND c.id NOT IN (SELECT value FROM json_each(?))",
                [int(self.now().timestamp()), self.session, *params, _json(sorted(self.aside))])

    def next_card(self) -> CardView | None:
        conn = self.col.conn
        where, params = self._left()
        recent = [row[0] for row in conn.execute(
            "SELECT card_id FROM cram_log WHERE session = ? ORDER BY id DESC LIMIT ?",
            (self.session, AGAIN_GAP))]
        # not one of the last few answered, while another card waits; and first, not a
        # sibling of one of them (a reversed pair's other side, another cloze of the
        # paragraph: the card just answered shows its answer)
        order = (" ORDER BY (SELECT count(*) FROM cram_log l INDEXED BY cram_session"
                 " WHERE l.session = ? AND l.card_id = c.id) > 0, c.due IS NULL, c.due, c.id"
                 " LIMIT 1")
        fresh = CARD_SELECT + where + " AND c.id NOT IN (SELECT value FROM json_each(?))"
        for sql in (fresh + _NO_SIBLING, fresh):
            row = conn.execute(sql + order, [*params, _json(recent), *(
                [_json(recent)] if sql is not fresh else []), self.session]).fetchone()
            if row is not None:
                return CardView.from_row(row)
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

    def bury(self, card_id: int) -> Hidden:
        """`b` in a cram: the card leaves this cram only. Its schedule is untouched (a cram
        changes none, as Anki's filtered decks without rescheduling): it is not buried in
        the daily review. Returns what `restore` undoes."""
        row = self._row(card_id)
        self.aside.add(card_id)
        return Hidden(card_id, "bury", row["suspended"], row["leech"], row["buried_until"],
                      row["version"])

    def restore(self, hidden: Hidden) -> Undo:
        if hidden.action == "bury":
            if hidden.card_id not in self.aside:
                return Undo(reason=f"nothing undone: card {hidden.card_id} is not put aside")
            self.aside.discard(hidden.card_id)
            return Undo(hidden.card_id, action=hidden.action)
        return super().restore(hidden)  # a suspend: the card's own, as in the daily review

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
