"""The stats view's queries (issue 20): every figure is aggregated in SQL, so a year of a
million reviews comes back as a few hundred rows. Times are Unix seconds; the caller
(scheduling/stats.py) turns them into scheduling days and figures.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from flashdeck.clock import EARLIEST, LATEST
from flashdeck.collection.cards import LATER_COPY, deck_clause
from flashdeck.collection.decknames import in_deck
from flashdeck.collection.store import Collection
from flashdeck.records import Frozen

MATURE_DAYS = 21  # a review card's interval from which it is mature (Anki's)
# A review card is due at the start of a scheduling day, and its interval is counted in
# scheduling days from the day of its last review to that day (not in 24-hour periods: a
# 21-day interval given at 20:00 is 20 days and 8 hours long). Its due day is read at
# half a day past the due time, out of reach of a DST hour or a changed day start.
_DUE_MARGIN = 43200


def _by_time(column: str, values) -> str:
    """SQL: the value in force at `column`'s time, from [(from, value)] oldest first."""
    if len(values) == 1:
        return repr(values[0][1])
    case = " ".join(f"WHEN {column} >= {int(t)} THEN {v!r}" for t, v in reversed(values[1:]))
    return f"(CASE {case} ELSE {values[0][1]!r} END)"


def day_sql(column: str, offsets, day_start_hour: int) -> str:
    """SQL: the scheduling day (days since 1970-01-01) of the Unix time `column`, the zone's
    UTC offsets being [(from, seconds)] oldest first."""
    offset = _by_time(column, [(t, int(o)) for t, o in offsets])
    return f"(({column} + {offset} - {int(day_start_hour) * 3600}) / 86400)"


def interval_days_sql(due: str, last: str, offsets, day_start_hour: int) -> str:
    """SQL: a review card's interval in scheduling days, from its due and last review."""
    return (f"({day_sql(f'({due} + {_DUE_MARGIN})', offsets, day_start_hour)}"
            f" - {day_sql(last, offsets, day_start_hour)})")


def due_counts(col: Collection, starts: list[int], deck: str | None = None) -> list[int]:
    """How many cards the queue can show (not new, suspended or orphaned) fall due before
    starts[0] (overdue), then in each [starts[i], starts[i + 1]): what the forecast
    counts. One index range count per day for the whole collection."""
    bounds = [-(2 ** 62), *starts]
    clause, params = deck_clause(deck)
    if deck:
        dues = sorted(due for (due,) in col.conn.execute(
            "SELECT c.due FROM cards c WHERE c.orphaned = 0 AND c.suspended = 0"
            " AND c.state != 'new' AND c.due < ?" + clause, [starts[-1], *params]))
        counts = [bisect_left(dues, b) - bisect_left(dues, a)
                  for a, b in zip(bounds, bounds[1:])]
    else:
        days = ", ".join(f"({int(a)}, {int(b)})" for a, b in zip(bounds, bounds[1:]))
        counts = [n for (n,) in col.conn.execute(
            f"WITH d(s, e) AS (VALUES {days}) SELECT (SELECT count(*) FROM cards c"
            " INDEXED BY cards_queue WHERE c.orphaned = 0 AND c.suspended = 0"
            " AND c.state IN ('learning', 'review', 'relearning') AND c.due >= d.s"
            " AND c.due < d.e) FROM d")]
    # a card buried today (bury, or a sibling answered) comes back when its burial ends:
    # counted on that day, as the queue shows it, not today (the cards due by today's end)
    for due, until in col.conn.execute(
            "SELECT c.due, c.buried_until FROM cards c INDEXED BY cards_queue"
            " WHERE c.orphaned = 0 AND c.suspended = 0"
            " AND c.state IN ('learning', 'review', 'relearning') AND c.due < ?"
            " AND c.buried_until > ?" + clause, [starts[1], starts[0], *params]):
        counts[bisect_right(bounds, due) - 1] -= 1
        back = max(due, until)
        if back < starts[-1]:
            counts[bisect_right(bounds, back) - 1] += 1
    return counts


class StateRow(Frozen):
    # waiting_copies: new copies of a shared exercise waiting behind their first copy
    __slots__ = __match_args__ = ("state", "suspended", "leech", "count", "waiting_copies")

    def __init__(self, state: str, suspended: bool, leech: bool, count: int,
                 waiting_copies: int) -> None:
        self._set(state, suspended, leech, count, waiting_copies)


def card_states(col: Collection, deck: str | None = None,
                groups: list[tuple] | None = None) -> list[StateRow]:
    """The live cards grouped by state and flags (`state_groups`, or `groups` read from it
    already)."""
    return [StateRow(s, bool(sp), bool(lc), n, waiting)
            for s, sp, lc, n, waiting in (state_groups(col, deck) if groups is None
                                          else groups)]


def state_groups(col: Collection, deck: str | None = None) -> list[tuple]:
    """[(state, suspended, leech, cards, waiting copies)]: the live cards grouped by state and
    flags as stored (a damaged flag, 2, is its own group), read from the cards_stats index
    in its order (no sorting, no card rows). The waiting copies are new copies of a shared
    exercise waiting behind their first copy. One pass for the stats figures and
    `flashdeck stats`'s counts (queries.collection_counts) alike."""
    clause, params = deck_clause(deck)
    waiting = {(s, sp, lc): n for s, sp, lc, n in col.conn.execute(
        "SELECT c.state, c.suspended, c.leech, count(*) FROM cards c INDEXED BY cards_exercise"
        f" WHERE c.exercise IS NOT NULL AND c.orphaned = 0 AND c.state = 'new' AND {LATER_COPY}"
        + clause + " GROUP BY 1, 2, 3", params)}
    return [(s, sp, lc, n, waiting.get((s, sp, lc), 0))
            for s, sp, lc, n in col.conn.execute(
                "SELECT c.state, c.suspended, c.leech, count(*) FROM cards c"
                " INDEXED BY cards_stats WHERE c.orphaned = 0" + clause
                + " GROUP BY c.state, c.suspended, c.leech", params)]


def review_intervals(col: Collection, offsets, day_start_hour: int, deck: str | None = None
                     ) -> list[tuple[int, int]]:
    """[(days, cards)]: the live review cards by interval (scheduling days from their last
    review's to their due day; `offsets` as day_sql's), from the cards_stats index."""
    clause, params = deck_clause(deck)
    days = interval_days_sql("c.due", "c.last_review", offsets, day_start_hour)
    return [tuple(row) for row in col.conn.execute(
        f"SELECT {days}, count(*) FROM cards c"
        " INDEXED BY cards_stats WHERE c.orphaned = 0 AND c.state = 'review'"
        " AND c.due IS NOT NULL AND c.last_review IS NOT NULL" + clause + " GROUP BY 1",
        params)]


def count_reviews_since(col: Collection, since: int, deck: str | None = None) -> int:
    if deck:
        clause, params = deck_clause(deck)
        return col.conn.execute(
            "SELECT count(*) FROM cards c JOIN reviews r ON r.card_id = c.id"
            " WHERE r.reviewed_at >= ?" + clause, [since, *params]).fetchone()[0]
    return col.conn.execute("SELECT count(*) FROM reviews WHERE reviewed_at >= ?",
                            (since,)).fetchone()[0]


class DayRow(Frozen):
    """Answers of one scheduling day to cards of one deck, by what the card was before
    (learning — new, learning or relearning —, young or mature: review cards by the
    interval they were answered at), rating and calibration bin."""
    # day: the scheduling day, as days since 1970-01-01; deck: None, summed over decks;
    # bin: floor(predicted recall × bins), the last bin holding 100 %, -1: no prediction;
    # p_sum: the predicted recalls, summed (0 without a prediction)
    __slots__ = __match_args__ = ("day", "deck", "kind", "rating", "bin", "count", "p_sum")

    def __init__(self, day: int, deck: str | None, kind: str, rating: int, bin: int,  # noqa: A002
                 count: int, p_sum: float) -> None:
        _set = object.__setattr__  # a row a day, deck, rating and bin: as fast as before
        _set(self, "day", day)
        _set(self, "deck", deck)
        _set(self, "kind", kind)
        _set(self, "rating", rating)
        _set(self, "bin", bin)
        _set(self, "count", count)
        _set(self, "p_sum", p_sum)


class DayCounting(Frozen):
    """How answers are counted into days and bins: what a kept count was made with.

    `curves` [(from, decay, factor)], oldest first: the forgetting curve of the parameters
    in force from each time on; `offsets` the zone's UTC offsets [(from, seconds)], oldest
    first, covering every time involved; a scheduling day is the local date of
    (time − day_start_hour). `key` names all of it (the zone included): counts kept under
    another key are made again."""

    __slots__ = __match_args__ = ("curves", "offsets", "day_start_hour", "bins", "key")

    def __init__(self, curves: tuple[tuple[int, float, float], ...],
                 offsets: tuple[tuple[int, int], ...], day_start_hour: int, bins: int,
                 key: str) -> None:
        self._set(curves, offsets, day_start_hour, bins, key)


_UPTO, _KEY = "stats_days_upto", "stats_days_key"  # schema 11's triggers name the first
_SUM = "stats_days_sum"  # what each deck's kept counts add up to, written with them
_KINDS = ("learning", "young", "mature")


def _kept_groups(conn, deck: str | None = None) -> list[tuple]:
    """The kept rows of `deck` (None: all) summed over decks: (day, kind, rating, bin,
    count, p_sum, rows, deck name lengths, smallest count), in the table's order (the sums
    stream, unsorted)."""
    clause, params = deck_clause(deck, "deck")
    return conn.execute(
        "SELECT day, kind, rating, bin, sum(count), sum(p_sum), count(*), sum(length(deck)),"
        " min(count) FROM stats_days WHERE 1" + clause + " GROUP BY day, kind, rating, bin",
        params).fetchall()


def _signature(groups: list[tuple], bins: int) -> list | None:
    """What the kept counts add up to: [rows, answers, Σ day·answers, Σ (rating, bin)·answers,
    Σ kind·answers, Σ deck name lengths, Σ predictions]; None when a row is one no count can
    be (a count that is not a positive whole number, a day that is not one, a kind or a bin
    out of range, a sum of predictions that is not a number within its bin's range).
    Written with the counts, and compared before they are used: a byte changed in the file
    (a damaged disk, a tool, a copy cut short) was shown as figures (-95 reviews,
    "flashdeck said inf%", a thousand times the answers) or ended `stats` ("KeyError").
    Read from the rows the figures read anyway. (A deck name changed in the file moves
    answers between decks: all decks' figures stay right, and one deck's are checked
    against its own signatures, `_deck_signatures`.)"""
    import zlib

    rows = answers = days = grades = kinds = names = 0
    predicted = 0.0
    for day, kind, rating, bin_, count, p_sum, n, name_length, least in groups:
        if (type(count) is not int or type(least) is not int or least <= 0
                or type(day) is not int or kind not in _KINDS or type(bin_) is not int
                or not -1 <= bin_ < bins or type(p_sum) is not float
                or type(name_length) is not int):
            return None
        slack = 1e-9 * count
        if not (p_sum == 0 if bin_ == -1
                else count * bin_ / bins - slack <= p_sum <= count * (bin_ + 1) / bins + slack):
            return None
        rows += n
        answers += count
        days += day * count
        # (a rating out of 1-4, text even, is the log's damage, counted and named as such)
        grade = rating if type(rating) is int else zlib.crc32(repr(rating).encode())
        grades += (grade * 64 + bin_ + 1) * count
        kinds += (_KINDS.index(kind) + 1) * count
        names += name_length
        predicted += p_sum
    return [rows, answers, days, grades, kinds, names, predicted]


def _deck_signatures(conn, bins: int) -> dict[str, list] | None:
    """`_signature` of each deck's kept rows, by the deck's name as hex (a name damaged into
    bytes that are not UTF-8 is no error). Made when the counts are written (a pass over
    every kept row, once a day); the signatures add up, so those of a deck and its subdecks
    are summed to check one deck's figures."""
    rows: dict[str, list[tuple]] = {}
    for name, *row in conn.execute(
            "SELECT hex(deck), day, kind, rating, bin, count, p_sum, 1, length(deck), count"
            " FROM stats_days"):
        rows.setdefault(name, []).append(tuple(row))
    signatures = {name: _signature(group, bins) for name, group in rows.items()}
    return None if any(sig is None for sig in signatures.values()) else signatures


def _verified(conn, kept: str | None, upto: int, bins: int, deck: str | None
              ) -> list[tuple] | None:
    """The kept rows of `deck` (`_kept_groups`) when they add up to what was written for
    its decks (the signatures in meta, with the mark `upto`), else None: count them
    again."""
    import json
    import math

    try:
        was = json.loads(kept) if kept else None
    except ValueError:
        return None
    if not isinstance(was, list) or len(was) != 2 or was[0] != upto \
            or not isinstance(was[1], dict):
        return None
    written = [0, 0, 0, 0, 0, 0, 0.0]
    for name, sig in was[1].items():
        if not isinstance(sig, list) or len(sig) != 7 \
                or not all(isinstance(v, (int, float)) for v in sig):
            return None
        try:
            text = bytes.fromhex(name).decode("utf-8", "replace")
        except (TypeError, ValueError):
            return None
        if deck is None or in_deck(text, deck):
            written = [w + v for w, v in zip(written, sig)]
    groups = _kept_groups(conn, deck)
    now = _signature(groups, bins)
    if (now is None or now[:6] != written[:6]
            or not math.isclose(now[6], written[6], rel_tol=1e-9, abs_tol=1e-6)):
        return None
    return groups


def answer_days(col: Collection, counting: DayCounting, first_day: int, first_start: int,
                today_start: int, deck: str | None = None, today_end: int | None = None
                ) -> list[DayRow]:
    """The answers from scheduling day `first_day` (starting at `first_start`) on, today's
    (from `today_start`, up to `today_end`: a review logged later, the clock set back since,
    is in no day yet) included. The complete days before today are counted once and
    kept (stats_days, up to `stats_days_upto`; schema 11's triggers drop that mark when
    the log before it changes), then only the days since are counted; today's come from
    the log. When the counts cannot be written (another program writing, a read-only
    file) they are made for this call alone."""
    meta = dict(col.conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?, ?)",
                                 (_UPTO, _KEY, _SUM)))
    try:
        upto = int(meta.get(_UPTO, ""))
    except ValueError:
        upto = None
    valid = upto is not None and meta.get(_KEY) == counting.key and upto <= today_start
    verified = (_verified(col.conn, meta.get(_SUM), upto, counting.bins, deck or None)
                if valid else None)
    valid = verified is not None

    def kept() -> list[DayRow]:
        if verified is None:
            return _kept(col, first_day, deck)
        return [DayRow(day, None, kind, rating, bin_, n, p)
                for day, kind, rating, bin_, n, p, *_ in verified if day >= first_day]

    today = _count_days(col, counting, today_start, today_end, deck)
    if valid and upto == today_start:
        return kept() + today
    made = _count_days(col, counting, max(upto, first_start) if valid else first_start,
                       today_start)
    if _keep(col, made, counting.key, upto if valid else None, today_start, first_day,
             counting.bins):
        verified = None  # rewritten: read again
        return kept() + today
    return ((kept() if valid else []) + [r for r in _in_deck(made, deck) if r.day >= first_day]
            + today)


def _in_deck(rows: list[DayRow], deck: str | None) -> list[DayRow]:
    if not deck:
        return rows
    return [r for r in rows if in_deck(r.deck, deck)]


def _kept(col: Collection, first_day: int, deck: str | None) -> list[DayRow]:
    """The kept counts from `first_day` on, summed over decks (in the table's order: the
    sum streams, unsorted)."""
    clause, params = deck_clause(deck, "deck")
    return [DayRow(day, None, kind, rating, bin_, n, p) for day, kind, rating, bin_, n, p
            in col.conn.execute(
                "SELECT day, kind, rating, bin, sum(count), sum(p_sum) FROM stats_days"
                " WHERE day >= ?" + clause + " GROUP BY day, kind, rating, bin",
                [first_day, *params])]


def _keep(col: Collection, rows: list[DayRow], key: str, upto: int | None, new_upto: int,
          first_day: int, bins: int) -> bool:
    """Add `rows` to the counts kept up to `upto` and move the mark to `new_upto` (with
    `upto` None, they replace all kept counts); False when the collection cannot be
    written now, or the mark moved since it was read."""
    import json
    import sqlite3

    from flashdeck.collection.lookups import set_busy_wait

    waited = col.conn.execute("PRAGMA busy_timeout").fetchone()[0]
    set_busy_wait(col, 0.05)
    try:
        with col.transaction() as conn:
            still = conn.execute("SELECT value FROM meta WHERE key = ?", (_UPTO,)).fetchone()
            if upto is not None and (still is None or still[0] != str(upto)):
                return False  # an old review changed, or another program counted
            conn.execute("DELETE FROM stats_days" if upto is None
                         else "DELETE FROM stats_days WHERE day < ?",
                         () if upto is None else (first_day,))
            conn.executemany(
                "INSERT INTO stats_days (day, deck, kind, rating, bin, count, p_sum)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(r.day, r.deck, r.kind, r.rating, r.bin, r.count, r.p_sum) for r in rows
                 if r.day >= first_day])
            signature = [int(new_upto), _deck_signatures(conn, bins)]
            conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                             [(_UPTO, str(int(new_upto))), (_KEY, key),
                              (_SUM, json.dumps(signature))])
        return True
    except sqlite3.OperationalError as exc:  # locked, busy, read-only: count for now only
        if not any(word in str(exc) for word in ("locked", "busy", "readonly", "read-only")):
            raise
        return False
    finally:
        set_busy_wait(col, waited / 1000)


def _count_days(col: Collection, counting: DayCounting, since: int, until: int | None,
                deck: str | None = None) -> list[DayRow]:
    """The answers given in [since, until) counted by scheduling day, deck, what the card
    was before, rating and calibration bin, read from the log's time index (schema 11:
    what the card was before each answer is kept there).

    The prediction is FSRS's forgetting curve (1 + factor·t/S) ** decay of the elapsed
    time t as the scheduler counts it: whole scheduling days when the answer came on a
    later day than the last review, else the real time elapsed; for answers to cards in
    review or relearning with a stability and a last review."""
    def day(column: str) -> str:
        return day_sql(column, counting.offsets, counting.day_start_hour)

    bins = counting.bins
    decay = _by_time("at", [(t, float(d)) for t, d, _ in counting.curves])
    factor = _by_time("at", [(t, float(f)) for t, _, f in counting.curves])
    days = f"({day('at')} - {day('last')})"
    clause, params = deck_clause(deck)
    window = "r.reviewed_at >= ?" + ("" if until is None else " AND r.reviewed_at < ?")
    params = [int(since), *([] if until is None else [int(until)]), *params]
    sql = f"""
SELECT d, deck, kind, rating,
       CASE WHEN p IS NULL THEN -1 ELSE min(CAST(p * {bins} AS INTEGER), {bins - 1}) END,
       count(*), coalesce(sum(p), 0)
FROM (
  SELECT {day('at')} AS d, deck, rating,
         CASE WHEN st = 'review' THEN
           CASE WHEN {interval_days_sql('due', 'last', counting.offsets,
                                        counting.day_start_hour)} >= {MATURE_DAYS}
           THEN 'mature' ELSE 'young' END
         ELSE 'learning' END AS kind,
         CASE WHEN st IN ('review', 'relearning') AND s > 0 AND last IS NOT NULL THEN
           pow(1 + {factor} * (CASE WHEN {days} > 0 THEN {days}
                               ELSE max(at - last, 0) / 86400.0 END) / s, {decay})
         END AS p
  FROM (
    SELECT r.reviewed_at AS at, r.rating AS rating, r.before_state AS st,
           r.before_due AS due, r.before_last_review AS last, r.before_stability AS s,
           coalesce(c.deck, '') AS deck
    FROM reviews r INDEXED BY reviews_time LEFT JOIN cards c ON c.id = r.card_id
    WHERE {window}{clause}
  )
  LIMIT -1  -- not flattened: each row's prediction computed once, not once per use
) GROUP BY 1, 2, 3, 4, 5
"""
    _ensure_pow(col)
    return [DayRow(*row) for row in col.conn.execute(sql, params)]


def _ensure_pow(col: Collection) -> None:
    """SQLite's math functions are optional at build time: Python's where missing."""
    try:
        col.conn.execute("SELECT pow(2, 0.5)").fetchone()
    except Exception as exc:  # sqlite3.OperationalError: no such function
        if "no such function" not in str(exc):
            raise
        col.conn.create_function("pow", 2, lambda a, b: None if a is None or b is None
                                 else float(a) ** float(b), deterministic=True)


# the times an answer can be given at (the clock's range: 1970-01-02 to before 9000): a
# logged time outside them (or text, which SQLite sorts after every number) is damage
FIRST_TIME, LAST_TIME = int(EARLIEST.timestamp()), int(LATEST.timestamp()) - 1
NAMED = 10  # damaged rows named at most; `doctor` lists them all


def damaged_times(col: Collection, deck: str | None = None) -> list[tuple]:
    """[(review id, card id, rating, time)]: reviews at a time no clock gives (text, out of
    range; the column is NOT NULL), found by two seeks of the log's time index (the
    figures never count them: their days are out of every window)."""
    clause, params = deck_clause(deck)
    seek = ("SELECT id, card_id, rating, reviewed_at FROM reviews INDEXED BY reviews_time"
            " WHERE reviewed_at ")  # an OR of the two would scan the whole index
    return [tuple(row) for row in col.conn.execute(
        f"SELECT r.* FROM ({seek}< ? UNION ALL {seek}> ?) r"
        " LEFT JOIN cards c ON c.id = r.card_id WHERE 1" + clause + " LIMIT ?",
        [FIRST_TIME, LAST_TIME, *params, NAMED + 1])]


def damaged_ratings(col: Collection, deck: str | None = None) -> list[tuple]:
    """[(review id, card id, rating, time)]: reviews whose rating is not 1 to 4. Reads the
    whole log: called only once the day counts showed such a rating."""
    clause, params = deck_clause(deck)
    return [tuple(row) for row in col.conn.execute(
        "SELECT r.id, r.card_id, r.rating, r.reviewed_at FROM reviews r"
        " LEFT JOIN cards c ON c.id = r.card_id"
        " WHERE NOT (typeof(r.rating) = 'integer' AND r.rating BETWEEN 1 AND 4)" + clause
        + " ORDER BY r.id LIMIT ?", [*params, NAMED + 1])]


def damaged_states(col: Collection, states, deck: str | None = None) -> list:
    """The live cards whose state is none of `states` (their whole rows): called only once
    the state counts showed one."""
    clause, params = deck_clause(deck)
    marks = ", ".join("?" * len(states))
    return col.conn.execute(
        f"SELECT * FROM cards c WHERE c.orphaned = 0 AND c.state NOT IN ({marks})" + clause
        + " ORDER BY c.id LIMIT ?", [*states, *params, NAMED + 1]).fetchall()


def count_reviews_after(col: Collection, since: int, deck: str | None = None) -> int:
    """Reviews logged at or after `since` (a time still to come: the clock was set back
    after them), damaged times aside."""
    clause, params = deck_clause(deck)
    return col.conn.execute(
        "SELECT count(*) FROM reviews r INDEXED BY reviews_time"
        + (" JOIN cards c ON c.id = r.card_id" if deck else "")
        + " WHERE r.reviewed_at >= ? AND r.reviewed_at <= ?" + clause,
        [since, LAST_TIME, *params]).fetchone()[0]


def oldest_review(col: Collection) -> int | None:
    """When the first review in the log was given (from the time index), from 1970-01-02
    on: the zone's offsets are found from it to today, a day at a time (a time logged in
    the year 1 made that 740,000 steps, and its day before no calendar's)."""
    return col.conn.execute("SELECT min(reviewed_at) FROM reviews WHERE reviewed_at >= ?",
                            (FIRST_TIME,)).fetchone()[0]
