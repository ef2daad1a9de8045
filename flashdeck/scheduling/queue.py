"""Which card comes next today, and how many are left: the queue of one scheduling day.

  1. learning/relearning cards whose step is due now;
  2. review cards due today, most overdue relative to their interval first, up to the
     daily review limit;
  3. new cards in note order, up to the daily new limit;
  4. when nothing else is left, learning cards due within the next 20 minutes (learn ahead).
Suspended, orphaned and buried cards are skipped. Siblings (cards of one source block, e.g.
a reversed pair or the clozes of one paragraph) are not shown on a day once one of them has
been answered: that is derived from the review log, so undo brings a sibling back with no
extra state to restore.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flashdeck.collection.cards import CARD_SELECT, NEW_CARD_SELECT, CardView, deck_clause
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config

LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True, slots=True)
class Counts:
    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review

    def to_json(self) -> dict:
        return {"new": self.new, "learning": self.learning, "review": self.review}



def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


class Queue:
    """The queue at one moment: `now` and the scheduling day `day` = (start, end) in UTC."""

    def __init__(self, col: Collection, config: Config, now: datetime,
                 day: tuple[datetime, datetime], deck: str | None = None):
        self.col = col
        self.config = config
        self.now = now
        self.day = day
        self.deck = deck

    # One exercise template can match several notes (every note about Dice gets the Dice
    # exercise): its cards there are copies of one exercise, and only the first is ever new.
    # A new copy waits while another copy is older or already studied; a suspended copy
    # counts too (suspending an exercise suspends it), an orphaned one does not (when its
    # note goes, the next copy takes its place). Copies already studied keep their schedules.
    _FIRST_COPY = (" AND (c.exercise IS NULL OR NOT EXISTS (SELECT 1 FROM cards o"
                   " INDEXED BY cards_exercise WHERE o.exercise = c.exercise AND o.orphaned = 0"
                   " AND o.id != c.id AND (o.id < c.id OR o.state != 'new')))")

    def _filters(self, now: datetime) -> tuple[str, list]:
        sql = (" AND c.orphaned = 0 AND c.suspended = 0"
               " AND (c.buried_until IS NULL OR c.buried_until <= ?)")
        params: list = [_ts(now)]
        clause, extra = deck_clause(self.deck)
        return sql + clause, params + extra

    def _answered_blocks(self, day_start: datetime) -> set[tuple]:
        """Sibling keys answered today: (note id, block), and ("exercise", template id) since
        the cards of one exercise template (in several notes) are variants of one exercise."""
        keys: set[tuple] = set()
        for note_id, block, exercise in self.col.conn.execute(
            "SELECT DISTINCT c.note_id, c.block, c.exercise FROM reviews r"
            " JOIN cards c ON c.id = r.card_id WHERE r.reviewed_at >= ?", (_ts(day_start),)
        ):
            keys.add((note_id, block))
            if exercise:
                keys.add(("exercise", exercise))
        return keys

    @staticmethod
    def _not_siblings(siblings: set[tuple]) -> tuple[str, list]:
        """SQL that leaves out the siblings of cards answered today."""
        blocks = [key for key in siblings if key[0] != "exercise"]
        exercises = [key[1] for key in siblings if key[0] == "exercise"]
        parts, params = [], []
        if blocks:
            parts.append("(c.note_id, c.block) IN (VALUES "
                         + ", ".join("(?, ?)" for _ in blocks) + ")")
            params += [value for key in blocks for value in key]
        if exercises:
            parts.append("coalesce(c.exercise, '') IN (" + ", ".join("?" for _ in exercises) + ")")
            params += exercises
        if not parts:
            return "", []
        return " AND NOT (" + " OR ".join(parts) + ")", params

    def _done_today(self, day_start: datetime) -> tuple[int, int]:
        """(new cards introduced, reviews answered) since the day started."""
        new = review = 0
        for before, in self.col.conn.execute(
            "SELECT state_before FROM reviews WHERE reviewed_at >= ?", (_ts(day_start),)
        ):
            state = json.loads(before)["state"]
            if state == "new":
                new += 1
            elif state == "review":
                review += 1
        return new, review

    def _first(self, sql: str, params: list) -> CardView | None:
        row = self.col.conn.execute(sql + " LIMIT 1", params).fetchone()
        return CardView.from_row(row) if row else None

    def next_card(self) -> CardView | None:
        now = self.now
        day_start, day_end = self.day
        filters, params = self._filters(now)
        not_siblings, sibling_params = self._not_siblings(self._answered_blocks(day_start))

        # 1. learning steps due now
        card = self._first(
            CARD_SELECT + " WHERE c.state IN ('learning', 'relearning') AND c.due <= ?" + filters
            + " ORDER BY c.due, c.id", [_ts(now), *params])
        if card:
            return card
        new_done, reviews_done = self._done_today(day_start)
        # 2. reviews due today, most overdue (relative to the interval) first
        if reviews_done < self.config.reviews_per_day:
            card = self._first(
                CARD_SELECT + " WHERE c.state = 'review' AND c.due < ?" + filters + not_siblings
                + " ORDER BY (CAST(? - c.due AS REAL) / MAX(c.due - c.last_review, 1)) DESC, c.id",
                [_ts(day_end), *params, *sibling_params, _ts(now)])
            if card:
                return card
        # 3. new cards in note order
        if new_done < self.config.new_per_day:
            card = self._first(
                NEW_CARD_SELECT + " WHERE c.state = 'new'" + filters + not_siblings
                + self._FIRST_COPY + " ORDER BY c.id",
                [*params, *sibling_params])
            if card:
                return card
        # 4. learn ahead
        return self._first(
            CARD_SELECT + " WHERE c.state IN ('learning', 'relearning') AND c.due <= ?" + filters
            + " ORDER BY c.due, c.id", [_ts(now + LEARN_AHEAD), *params])

    def counts(self) -> Counts:
        """What is left today: new (within the limit), learning, review (within the limit)."""
        now = self.now
        day_start, day_end = self.day
        filters, params = self._filters(now)
        not_siblings, sibling_params = self._not_siblings(self._answered_blocks(day_start))
        conn = self.col.conn

        def count(where: str, extra: list, cap: int, skip_siblings: bool) -> int:
            """How many cards match, counting no further than `cap` (the rest of a limit)."""
            if cap <= 0:
                return 0
            sql = "SELECT 1 FROM cards c WHERE " + where + filters
            args = [*extra, *params]
            if skip_siblings:
                sql += not_siblings
                args += sibling_params
            return conn.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)", [*args, cap]).fetchone()[0]

        new_done, reviews_done = self._done_today(day_start)
        return Counts(
            new=count("c.state = 'new'" + self._FIRST_COPY, [],
                      self.config.new_per_day - new_done, True),
            learning=count("c.state IN ('learning', 'relearning') AND c.due < ?", [_ts(day_end)],
                           1 << 62, False),
            review=count("c.state = 'review' AND c.due < ?", [_ts(day_end)],
                         self.config.reviews_per_day - reviews_done, True),
        )
