"""The stats view's queries (issue 20): every figure is aggregated in SQL, so a year of a
million reviews comes back as a few hundred rows. Times are Unix seconds; the caller
(scheduling/stats.py) turns them into scheduling days and figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from flashdeck.collection.cards import LATER_COPY, deck_clause
from flashdeck.collection.store import Collection

MATURE_SECONDS = int(20.5 * 86400)  # a review card given 21 days (due at a day start) is mature
_STATE_BEFORE = ("CASE WHEN json_valid(r.state_before) THEN"
                 " json_extract(r.state_before, '$.state') END")  # as the reviews_state index


def due_counts(col: Collection, until: int, deck: str | None = None) -> list[tuple[int, int]]:
    """[(due, cards)] of the cards due before `until` that the queue can show (not new,
    suspended or orphaned): what the forecast counts."""
    clause, params = deck_clause(deck)
    return [tuple(row) for row in col.conn.execute(
        "SELECT c.due, count(*) FROM cards c WHERE c.orphaned = 0 AND c.suspended = 0"
        " AND c.state != 'new' AND c.due < ?" + clause + " GROUP BY c.due",
        [until, *params])]


@dataclass(frozen=True, slots=True)
class StateRow:
    state: str
    suspended: bool
    leech: bool
    waiting_copy: bool  # a new copy of a shared exercise waiting behind its first copy
    interval_days: int | None  # review cards: days from their last review to their due
    count: int


def card_states(col: Collection, deck: str | None = None) -> list[StateRow]:
    """The live cards grouped by state, flags and (review cards) interval in days."""
    clause, params = deck_clause(deck)
    rows = col.conn.execute(
        "SELECT c.state, c.suspended != 0, c.leech != 0,"
        f" CASE WHEN c.state = 'new' AND c.exercise IS NOT NULL THEN ({LATER_COPY}) ELSE 0 END,"
        " CASE WHEN c.state = 'review' AND c.due IS NOT NULL AND c.last_review IS NOT NULL"
        "  THEN CAST(round((c.due - c.last_review) / 86400.0) AS INTEGER) END AS ivl,"
        " count(*) FROM cards c WHERE c.orphaned = 0" + clause
        + " GROUP BY 1, 2, 3, 4, 5", params)
    return [StateRow(s, bool(sp), bool(lc), bool(w), ivl, n) for s, sp, lc, w, ivl, n in rows]


def review_counts(col: Collection, since: int, bucket: int,
                  deck: str | None = None) -> list[tuple[int, int]]:
    """[(bucket start, reviews)] from `since` on, in buckets of `bucket` seconds (from the
    time index alone; a deck's from the card index)."""
    if deck:
        clause, params = deck_clause(deck)
        sql = ("SELECT r.reviewed_at / ? AS b, count(*) FROM cards c JOIN reviews r"
               " ON r.card_id = c.id WHERE r.reviewed_at >= ?" + clause + " GROUP BY b")
    else:
        params = []
        sql = ("SELECT r.reviewed_at / ? AS b, count(*) FROM reviews r"
               " WHERE r.reviewed_at >= ? GROUP BY b")
    return [(b * bucket, n) for b, n in col.conn.execute(sql, [bucket, since, *params])]


def count_reviews_since(col: Collection, since: int, deck: str | None = None) -> int:
    if deck:
        clause, params = deck_clause(deck)
        return col.conn.execute(
            "SELECT count(*) FROM cards c JOIN reviews r ON r.card_id = c.id"
            " WHERE r.reviewed_at >= ?" + clause, [since, *params]).fetchone()[0]
    return col.conn.execute("SELECT count(*) FROM reviews WHERE reviewed_at >= ?",
                            (since,)).fetchone()[0]


@dataclass(frozen=True, slots=True)
class AnswerRow:
    period: int  # index into the period starts given (0: the newest)
    kind: str  # the card before the answer: learning (new, learning, relearning), young, mature
    rating: int
    count: int


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    bin: int  # floor(predicted recall × bins), the last bin holding 100 %
    count: int
    predicted_sum: float
    passed: int  # answers other than Again


def answers_and_calibration(col: Collection, starts: list[int], *, decay: float,
                            factor: float, offsets: list[tuple[int, int]],
                            day_start_hour: int, bins: int = 10, deck: str | None = None
                            ) -> tuple[list[AnswerRow], list[CalibrationRow]]:
    """One pass over the answers given since `starts[-1]` (each log row's JSON is read
    once), counting:

    - answers by period (`starts` newest first: an answer in [starts[i], starts[i-1]) is in
      period i), by what the card was before (young and mature: review cards by the
      interval they were answered at) and by rating;
    - calibration: the predicted recall at each answer of a card in review or relearning
      with a stability and a last review, binned, against the answer. The prediction is
      FSRS's forgetting curve (1 + factor·t/S) ** decay of the elapsed time t as the
      scheduler counts it: whole scheduling days when the answer came on a later day than
      the last review, else the real time elapsed. A scheduling day is the local date of
      (time − day_start_hour); `offsets` are the zone's UTC offsets [(from, seconds)],
      oldest first, covering every time involved.
    """
    def local(column: str) -> str:
        if len(offsets) == 1:
            return f"({column} + {int(offsets[0][1])})"
        case = " ".join(f"WHEN {column} >= {int(t)} THEN {int(o)}"
                        for t, o in reversed(offsets[1:]))
        return f"({column} + CASE {case} ELSE {int(offsets[0][1])} END)"

    shift = day_start_hour * 3600
    period = " ".join(f"WHEN at >= {int(s)} THEN {i}" for i, s in enumerate(starts))
    days = f"((({local('at')} - {shift}) / 86400) - (({local('last')} - {shift}) / 86400))"
    clause, params = deck_clause(deck)
    join = " JOIN cards c ON c.id = r.card_id" if deck else ""
    sql = f"""
SELECT period, kind, rating, bin, count(*), sum(p) FROM (
  SELECT period, kind, rating, p,
         CASE WHEN p IS NULL THEN -1 ELSE min(CAST(p * {bins} AS INTEGER), {bins - 1}) END
           AS bin
  FROM (
    SELECT CASE {period} END AS period, rating,
           CASE WHEN st = 'review' THEN
             CASE WHEN due - last >= {MATURE_SECONDS} THEN 'mature' ELSE 'young' END
           ELSE 'learning' END AS kind,
           CASE WHEN st IN ('review', 'relearning') AND s > 0 AND last IS NOT NULL THEN
             pow(1 + {factor!r} * (CASE WHEN {days} > 0 THEN {days}
                                   ELSE max(at - last, 0) / 86400.0 END) / s, {decay!r})
           END AS p
    FROM (
      SELECT r.reviewed_at AS at, r.rating AS rating, {_STATE_BEFORE} AS st,
             json_extract(r.state_before, '$.due') AS due,
             json_extract(r.state_before, '$.last_review') AS last,
             json_extract(r.state_before, '$.stability') AS s
      FROM reviews r{join}
      WHERE r.reviewed_at >= ?{clause}
      LIMIT -1  -- not flattened: each row's JSON read once, not once per use of a column
    )
  )
) GROUP BY 1, 2, 3, 4
"""
    _ensure_pow(col)
    answers: dict[tuple, int] = {}
    calibration: dict[int, list] = {}
    for period_, kind, rating, bin_, n, p in col.conn.execute(sql, [int(starts[-1]), *params]):
        key = (period_, kind, rating)
        answers[key] = answers.get(key, 0) + n
        if bin_ >= 0:
            cell = calibration.setdefault(bin_, [0, 0.0, 0])
            cell[0] += n
            cell[1] += p
            cell[2] += n if rating > 1 else 0
    return ([AnswerRow(*key, n) for key, n in answers.items()],
            [CalibrationRow(b, n, p, k) for b, (n, p, k) in sorted(calibration.items())])


def _ensure_pow(col: Collection) -> None:
    """SQLite's math functions are optional at build time: Python's where missing."""
    try:
        col.conn.execute("SELECT pow(2, 0.5)").fetchone()
    except Exception as exc:  # sqlite3.OperationalError: no such function
        if "no such function" not in str(exc):
            raise
        col.conn.create_function("pow", 2, lambda a, b: None if a is None or b is None
                                 else float(a) ** float(b), deterministic=True)


def oldest_review(col: Collection) -> int | None:
    """When the first review in the log was given (from the time index)."""
    return col.conn.execute("SELECT min(reviewed_at) FROM reviews").fetchone()[0]
