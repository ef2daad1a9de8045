"""Read-only queries the commands and screens show: the review log and the collection's
counts. SQL lives here (and in the rest of `collection/`), never in `commands/` or `tui/`;
what comes back is small typed rows, times as Unix seconds (the caller picks the zone).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterator

from flashdeck.collection.cards import INTERDAY_STEP, LATER_COPY, deck_clause
from flashdeck.collection.store import Collection
from flashdeck.records import Frozen

_REVIEW_SELECT = """
SELECT r.id, r.card_id, r.reviewed_at, r.rating, r.duration_ms, r.state_before, r.state_after,
       c.deck, c.front
FROM reviews r JOIN cards c ON c.id = r.card_id
"""
STATES = ("new", "learning", "review", "relearning")


# -- the review log ---------------------------------------------------------------------------
class ReviewRow(Frozen):
    """One row of the review log with its card's deck and front, as stored (reviewed_at:
    Unix seconds; state_before, state_after: the card's scheduling state before and after
    the answer, as JSON)."""

    __slots__ = __match_args__ = ("id", "card_id", "reviewed_at", "rating", "duration_ms",
                                  "state_before", "state_after", "deck", "front")

    def __init__(self, id: int, card_id: int, reviewed_at: int, rating: int,  # noqa: A002
                 duration_ms: int | None, state_before: str, state_after: str, deck: str,
                 front: str) -> None:
        _set = object.__setattr__  # a row a review: as fast as the dataclass's own
        _set(self, "id", id)
        _set(self, "card_id", card_id)
        _set(self, "reviewed_at", reviewed_at)
        _set(self, "rating", rating)
        _set(self, "duration_ms", duration_ms)
        _set(self, "state_before", state_before)
        _set(self, "state_after", state_after)
        _set(self, "deck", deck)
        _set(self, "front", front)


def _review_rows(cursor) -> Iterator[ReviewRow]:
    return (ReviewRow(*row) for row in cursor)


def iter_reviews(col: Collection, limit: int = 0) -> Iterator[ReviewRow]:
    """The last `limit` reviews (0: all), oldest first, read from the cursor one by one:
    constant memory at any size of log. The query runs now, before the first row is asked
    for."""
    sql, params = _REVIEW_SELECT, []
    if limit > 0:
        # the id of the limit-th newest review: from it on, in id order, is the last `limit`
        first = col.conn.execute("SELECT id FROM reviews ORDER BY id DESC LIMIT 1 OFFSET ?",
                                 (limit - 1,)).fetchone()
        if first is not None:
            sql += " WHERE r.id >= ?"
            params.append(first[0])
    return _review_rows(col.conn.execute(sql + " ORDER BY r.id", params))


def card_reviews(col: Collection, card_id: int) -> list[ReviewRow]:
    """One card's reviews, oldest first."""
    return list(_review_rows(col.conn.execute(
        _REVIEW_SELECT + " WHERE r.card_id = ? ORDER BY r.id", (card_id,))))


class ExerciseCardRow(Frozen):
    """A live exercise card: its template id, its stored back, and where its note is."""

    __slots__ = __match_args__ = ("exercise", "back", "relpath", "source_path", "source_kind")

    def __init__(self, exercise: str, back: str, relpath: str, source_path: str,
                 source_kind: str) -> None:
        self._set(exercise, back, relpath, source_path, source_kind)


def exercise_cards(col: Collection, exercise: str | None = None) -> Iterator[ExerciseCardRow]:
    """Live exercise cards in card id order; `exercise`: only that template's."""
    sql = ("SELECT c.exercise, c.back, n.relpath, s.path, s.kind"
           " FROM cards c JOIN notes n ON n.id = c.note_id JOIN sources s ON s.id = n.source_id"
           " WHERE c.exercise IS NOT NULL AND c.orphaned = 0")
    params: list = []
    if exercise is not None:
        sql += " AND c.exercise = ?"
        params.append(exercise)
    return (ExerciseCardRow(*row) for row in col.conn.execute(sql + " ORDER BY c.id", params))


def notes_with_errors(col: Collection, limit: int) -> list[str]:
    """The notes the collection keeps errors for (their last import's), as paths to read
    them by, in note id order; at most `limit`."""
    rows = col.conn.execute(
        "SELECT n.relpath, s.path, s.kind FROM notes n JOIN sources s ON s.id = n.source_id"
        " WHERE n.id IN (SELECT note_id FROM note_problems WHERE severity = 'error')"
        " ORDER BY n.id LIMIT ?", (limit,)).fetchall()
    return [path if kind == "file" else str(PurePosixPath(path) / relpath)
            for relpath, path, kind in rows]


def studied_due_between(col: Collection, start: int, end: int, deck: str | None = None,
                        learning_only: bool = False) -> tuple[int, int | None]:
    """Studied (not new), unsuspended, live cards due after `start` and before `end` (Unix
    seconds), not buried past their due time: how many, and the first one's due time.
    `learning_only`: learning cards on a step of less than a day (the queue gives the others
    from the start of their day)."""
    clause, params = deck_clause(deck)
    sql = ("SELECT count(*), min(c.due) FROM cards c WHERE c.orphaned = 0 AND c.suspended = 0"
           " AND c.state != 'new' AND c.due > ? AND c.due < ?"
           " AND (c.buried_until IS NULL OR c.buried_until <= c.due)" + clause)
    if learning_only:  # a step of a day or more is due all day: not "later" today
        sql += f" AND c.state IN ('learning', 'relearning') AND NOT coalesce({INTERDAY_STEP}, 0)"
    count, first = col.conn.execute(sql, [start, end, *params]).fetchone()
    return count, first


# -- the collection's counts -----------------------------------------------------------------
class CollectionCounts(Frozen):
    """What `flashdeck stats` shows of the collection itself (what is due is the queue's):
    `states` the live cards by state (`new` without the waiting copies), `waiting_copies`
    the new copies of a shared exercise waiting behind its first copy, `retention_30d` the
    answers other than Again on review cards, last 30 days."""

    __slots__ = __match_args__ = ("states", "waiting_copies", "suspended", "leeches",
                                  "orphaned", "notes", "reviews_today", "review_ms_today",
                                  "reviews_total", "retention_30d")

    def __init__(self, states: dict[str, int], waiting_copies: int, suspended: int,
                 leeches: int, orphaned: int, notes: int, reviews_today: int,
                 review_ms_today: int, reviews_total: int,
                 retention_30d: float | None) -> None:
        self._set(states, waiting_copies, suspended, leeches, orphaned, notes, reviews_today,
                  review_ms_today, reviews_total, retention_30d)

    @property
    def cards(self) -> int:
        return sum(self.states.values()) + self.waiting_copies

    def to_json(self) -> dict:
        return {
            "cards": self.cards,
            "states": dict(self.states),
            "waiting_copies": self.waiting_copies,
            "suspended": self.suspended,
            "leeches": self.leeches,
            "orphaned": self.orphaned,
            "notes": self.notes,
            "reviews": {
                "today": self.reviews_today,
                "today_minutes": round(self.review_ms_today / 60000, 1),
                "total": self.reviews_total,
            },
            "retention_30d": self.retention_30d,
        }


def collection_counts(col: Collection, day_start: int, deck: str | None = None,
                      retention_30d: float | None = None, day_end: int | None = None,
                      groups: list[tuple] | None = None) -> CollectionCounts:
    """The collection's counts, or those of `deck` and its subdecks; `day_start` (Unix
    seconds) is when today began, `day_end` when it ends (a review logged later, the clock
    set back since, or at a damaged time, is not one of today's). `retention_30d`: the
    true retention of the last 30 days as the stats figures count it (scheduling/stats.py),
    not counted a second way here; `groups` the live cards by state and flags
    (stats_queries.state_groups) when the figures have read them already (at 100k cards
    each pass over the cards is tens of milliseconds of `flashdeck stats`)."""
    conn = col.conn
    clause, params = deck_clause(deck)

    def one(sql: str, *args) -> int:
        return conn.execute(sql + clause, [*args, *params]).fetchone()[0]

    end = 2 ** 63 - 1 if day_end is None else day_end
    states = dict.fromkeys(STATES, 0)
    if groups is None:
        from flashdeck.collection.stats_queries import state_groups

        groups = state_groups(col, deck)
    waiting = suspended = leeches = 0
    for state, flag_suspended, flag_leech, n, copies in groups:
        states[state] = states.get(state, 0) + n
        # the waiting copies of a shared exercise (one template matched by several notes:
        # only its first copy is ever new, as the queue has it) are not new cards
        waiting += copies
        suspended += n if flag_suspended == 1 else 0
        leeches += n if flag_leech == 1 else 0
    states["new"] -= waiting
    if deck:
        today, today_ms = conn.execute(
            "SELECT count(*), coalesce(sum(r.duration_ms), 0) FROM reviews r"
            " JOIN cards c ON c.id = r.card_id WHERE r.reviewed_at >= ?"
            " AND r.reviewed_at < ?" + clause, [day_start, end, *params]).fetchone()
        notes = one("SELECT count(DISTINCT c.note_id) FROM cards c WHERE c.orphaned = 0")
        total = one("SELECT count(*) FROM reviews r JOIN cards c ON c.id = r.card_id"
                    " WHERE 1")
    else:
        today, today_ms = conn.execute(
            "SELECT count(*), coalesce(sum(duration_ms), 0) FROM reviews"
            " WHERE reviewed_at >= ? AND reviewed_at < ?", (day_start, end)).fetchone()
        notes = conn.execute("SELECT count(*) FROM notes WHERE present = 1").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    return CollectionCounts(
        states=states,
        waiting_copies=waiting,
        suspended=suspended,
        leeches=leeches,
        orphaned=one("SELECT count(*) FROM cards c WHERE c.orphaned = 1"),
        notes=notes,
        reviews_today=today,
        review_ms_today=today_ms,
        reviews_total=total,
        retention_30d=None if retention_30d is None else round(retention_30d, 3),
    )
