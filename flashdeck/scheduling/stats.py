"""How you learn, in figures (issue 20): the forecast, a year of reviews, Anki's true
retention, calibration (FSRS's predicted recall against what you recalled), card states,
intervals and the FSRS parameters in use. `flashdeck stats` prints them, the review app's
stats view draws them.

The SQL is collection/stats_queries.py (aggregated there: a million reviews come back as a
few hundred rows); here those rows become figures over scheduling days (the day rolls over
at `day_start_hour`, local time, as the queue counts it).
"""

from __future__ import annotations

import bisect
import json
from datetime import date, datetime, timedelta, timezone, tzinfo

from flashdeck.collection import stats_queries as q
from flashdeck.records import Frozen
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.state import STATES, review_damage, stored_problem
from flashdeck.scheduling.step import day_start, scheduling_date
from flashdeck.words import count

EPOCH = date(1970, 1, 1)  # scheduling days are counted from it (stats_queries.DayRow.day)
FORECAST_DAYS = 30
HEATMAP_DAYS = 365
CALIBRATION_BINS = 10
CALIBRATION_DAYS = HEATMAP_DAYS  # the answers calibration looks at: the last year's
# true retention's columns: the answers from `a` to `b` days ago (today: 0 days ago)
PERIOD_DAYS = {"today": (0, 1), "yesterday": (1, 2), "week": (0, 7), "month": (0, 30),
               "year": (0, 365)}
PERIODS = tuple(PERIOD_DAYS)
KINDS = ("learning", "young", "mature")
RATING_KEYS = ("again", "hard", "good", "easy")
# the interval histogram's bins: (label, up to and including this many days)
MATURE_DAYS = q.MATURE_DAYS  # a review card's interval from which it is mature
INTERVAL_BINS = (("1d", 1), ("2-3d", 3), ("4-7d", 7), ("1-2w", 14), ("2-3w", 21),
                 ("3w-2mo", 60), ("2-6mo", 182), ("6mo-1y", 365), ("1-2y", 730), (">2y", None))


class Forecast(Frozen):
    # start: today's scheduling date: days[0] is today, with the backlog; days: cards due
    # each day (today: what is due by the end of today); overdue: of days[0], due before
    # today began
    __slots__ = __match_args__ = ("start", "days", "overdue")

    def __init__(self, start: date, days: tuple[int, ...], overdue: int) -> None:
        self._set(start, days, overdue)

    def to_json(self) -> dict:
        return {"start": self.start.isoformat(), "overdue": self.overdue,
                "days": [{"date": (self.start + timedelta(days=i)).isoformat(), "due": n}
                         for i, n in enumerate(self.days)],
                "total": sum(self.days)}


class Heatmap(Frozen):
    # start: the first day shown (a year ago); counts: reviews each scheduling day, oldest
    # first, the last today
    __slots__ = __match_args__ = ("start", "counts")

    def __init__(self, start: date, counts: tuple[int, ...]) -> None:
        self._set(start, counts)

    def to_json(self) -> dict:
        return {"start": self.start.isoformat(), "counts": list(self.counts),
                "total": sum(self.counts), "days_studied": sum(1 for n in self.counts if n)}


class Pass(Frozen):
    __slots__ = __match_args__ = ("passed", "total")

    def __init__(self, passed: int, total: int) -> None:
        self._set(passed, total)

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def to_json(self) -> dict:
        rate = self.rate
        return {"passed": self.passed, "failed": self.total - self.passed, "total": self.total,
                "rate": None if rate is None else round(rate, 4)}


class CalibrationBin(Frozen):
    # low: predicted recall from (0.9: the 90-100 % bin); predicted: the mean predicted
    # recall; actual: the share answered other than Again
    __slots__ = __match_args__ = ("low", "high", "count", "predicted", "actual")

    def __init__(self, low: float, high: float, count: int, predicted: float,
                 actual: float) -> None:
        self._set(low, high, count, predicted, actual)

    def to_json(self) -> dict:
        return {"low": self.low, "high": self.high, "count": self.count,
                "predicted": round(self.predicted, 4), "actual": round(self.actual, 4)}


class Parameters(Frozen):
    # source: "default" | "optimized"; reviews_since: reviews logged after the fit
    __slots__ = __match_args__ = ("parameters", "source", "fitted_at", "reviews_at_fit",
                                  "reviews_since")

    def __init__(self, parameters: tuple[float, ...], source: str, fitted_at: datetime | None,
                 reviews_at_fit: int | None, reviews_since: int | None) -> None:
        self._set(parameters, source, fitted_at, reviews_at_fit, reviews_since)

    def to_json(self) -> dict:
        return {"source": self.source, "parameters": [round(w, 4) for w in self.parameters],
                "fitted_at": self.fitted_at.isoformat() if self.fitted_at else None,
                "reviews_at_fit": self.reviews_at_fit, "reviews_since": self.reviews_since}


class Stats(Frozen):
    # true_retention: period -> {"young"|"mature"|"all": Pass}; buttons: kind -> rating
    # name -> answers, last 30 days; states: without young and mature when the intervals
    # were not counted; intervals: None when not counted (compute_stats); damaged: one
    # line for each damaged row left out of the figures (naming it and the fix), at most
    # stats_queries.NAMED, damaged_more: the list was cut; later: reviews logged after
    # today (the clock set back since), not counted; state_groups: the live cards by state
    # and flags as stored, the states' source (stats_queries.state_groups): `flashdeck
    # stats`'s counts are made from them too
    __slots__ = __match_args__ = (
        "deck", "today", "forecast", "heatmap", "true_retention", "buttons", "calibration",
        "states", "intervals", "parameters", "damaged", "damaged_more", "later",
        "state_groups")

    def __init__(self, deck: str | None, today: date, forecast: Forecast, heatmap: Heatmap,
                 true_retention: dict[str, dict[str, Pass]],
                 buttons: dict[str, dict[str, int]], calibration: tuple[CalibrationBin, ...],
                 states: dict[str, int], intervals: tuple[tuple[str, int], ...] | None,
                 parameters: Parameters, damaged: tuple[str, ...] = (),
                 damaged_more: bool = False, later: int = 0,
                 state_groups: tuple[tuple, ...] = ()) -> None:
        self._set(deck, today, forecast, heatmap, true_retention, buttons, calibration,
                  states, intervals, parameters, damaged, damaged_more, later, state_groups)

    def to_json(self) -> dict:
        return {
            "deck": self.deck,
            "today": self.today.isoformat(),
            "forecast": self.forecast.to_json(),
            "heatmap": self.heatmap.to_json(),
            "true_retention": {p: {k: v.to_json() for k, v in row.items()}
                               for p, row in self.true_retention.items()},
            "buttons": self.buttons,
            "calibration": {"bins": [b.to_json() for b in self.calibration],
                            "count": sum(b.count for b in self.calibration),
                            "window_days": CALIBRATION_DAYS},
            "states": dict(self.states),
            "intervals": None if self.intervals is None else [
                {"label": label, "count": n} for label, n in self.intervals],
            "parameters": self.parameters.to_json(),
            "damaged": self.damage_lines(),
            "reviews_after_today": self.later,
        }

    def damage_lines(self) -> list[str]:
        """The damaged rows the figures leave out, a line each (naming the row and the
        fix), and a last line when there are more than are named."""
        return list(self.damaged) + (
            ["... and more damaged rows (`flashdeck doctor` lists them all)"]
            if self.damaged_more else [])

    def notices(self) -> list[str]:
        """What the figures leave out, a line each: the damaged rows, the reviews logged
        after today."""
        lines = self.damage_lines()
        if self.later:
            lines.append(f"{count(self.later, 'review')} logged after today (the clock was"
                         f" set back since) {'is' if self.later == 1 else 'are'} not counted")
        return lines


# -- the figures ------------------------------------------------------------------------------
def forecast(counts: list[int], today: date) -> Forecast:
    """`counts`: the cards due before today began, then on today and each day after it."""
    overdue, *days = counts
    days[0] += overdue
    return Forecast(today, tuple(days), overdue)


def true_retention(rows: list[q.DayRow], today: int) -> tuple[dict[str, dict[str, Pass]],
                                                             dict[str, dict[str, int]]]:
    """Anki's true retention (answers of review cards other than Again, young and mature,
    today, yesterday, the last 7, 30 and 365 days) and the answer buttons of the last 30
    days. `today`: today's scheduling day as `rows` count days."""
    table: dict[str, dict[str, Pass]] = {}
    for name, days in PERIOD_DAYS.items():
        row = {}
        for kind in ("young", "mature"):
            sel = [r for r in rows if r.kind == kind and today - days[1] < r.day <= today - days[0]]
            row[kind] = Pass(sum(r.count for r in sel if r.rating > 1), sum(r.count for r in sel))
        row["all"] = Pass(row["young"].passed + row["mature"].passed,
                          row["young"].total + row["mature"].total)
        table[name] = row
    buttons = {kind: dict.fromkeys(RATING_KEYS, 0) for kind in KINDS}
    for r in rows:
        if today - r.day < 30:
            buttons[r.kind][RATING_KEYS[r.rating - 1]] += r.count
    return table, buttons


def calibration(rows: list[q.DayRow], bins: int = CALIBRATION_BINS
                ) -> tuple[CalibrationBin, ...]:
    """Only the bins that hold answers, lowest first."""
    cells: dict[int, list] = {}
    for r in rows:
        if r.bin >= 0:
            cell = cells.setdefault(r.bin, [0, 0.0, 0])
            cell[0] += r.count
            cell[1] += r.p_sum
            cell[2] += r.count if r.rating > 1 else 0
    return tuple(CalibrationBin(b / bins, (b + 1) / bins, n, p / n, k / n)
                 for b, (n, p, k) in sorted(cells.items()) if n)


def heatmap(rows: list[q.DayRow], first: date, first_day: int) -> Heatmap:
    counts = [0] * HEATMAP_DAYS
    for r in rows:
        if 0 <= r.day - first_day < HEATMAP_DAYS:
            counts[r.day - first_day] += r.count
    return Heatmap(first, tuple(counts))


def states(rows: list[q.StateRow], intervals: list[tuple[int, int]] | None
           ) -> tuple[dict[str, int], tuple[tuple[str, int], ...] | None]:
    """Card states — new, learning, review and relearning (each live card once; `new`
    without the waiting copies of shared exercises), review split into young and mature
    (interval under or from MATURE_DAYS), and suspended and leech cards (of any state) —
    and the review cards' interval histogram. `intervals`: [(days, review cards)]; None:
    not counted, so no histogram and no young and mature."""
    counts = dict.fromkeys(("new", "learning", "review", "relearning", "young", "mature",
                            "suspended", "leech", "waiting_copies"), 0)
    for r in rows:
        counts["waiting_copies"] += r.waiting_copies
        counts[r.state] += r.count - r.waiting_copies
        counts["suspended"] += r.count if r.suspended else 0
        counts["leech"] += r.count if r.leech else 0
    if intervals is None:
        del counts["young"], counts["mature"]
        return counts, None
    hist = [0] * len(INTERVAL_BINS)
    for days, n in intervals:
        hist[_interval_bin(days)] += n
        counts["mature"] += n if days >= MATURE_DAYS else 0
    counts["young"] = counts["review"] - counts["mature"]
    return counts, tuple((label, n) for (label, _), n in zip(INTERVAL_BINS, hist))


def _interval_bin(days: int) -> int:
    for i, (_, upper) in enumerate(INTERVAL_BINS):
        if upper is None or days <= upper:
            return i
    return len(INTERVAL_BINS) - 1


# -- time: scheduling days and the zone's offsets ---------------------------------------------
def day_starts(first: date, count: int, hour: int, tz: tzinfo) -> list[int]:
    """The Unix times the scheduling days `first`, `first + 1`, ... (`count` of them) start."""
    return [int(day_start(first + timedelta(days=i), hour, tz).timestamp())
            for i in range(count)]


def zone_offsets(tz: tzinfo, start: int, end: int) -> list[tuple[int, int]]:
    """[(from, UTC offset in seconds)] of `tz` between two Unix times, oldest first: the
    offset at `start`, then each change (found to the second)."""
    def offset(ts: int) -> int:
        moment = datetime.fromtimestamp(ts, timezone.utc).astimezone(tz)
        return int((moment.utcoffset() or timedelta(0)).total_seconds())

    result = [(start, offset(start))]
    if isinstance(tz, timezone):  # a fixed offset never changes
        return result
    step = 86400
    previous, prev_off = start, result[0][1]
    ts = start + step
    while ts < end + step:
        now_off = offset(ts)
        if now_off != prev_off:
            low, high = previous, ts  # offset(low) == prev_off, offset(high) == now_off
            while high - low > 1:
                mid = (low + high) // 2
                if offset(mid) == prev_off:
                    low = mid
                else:
                    high = mid
            result.append((high, now_off))
            prev_off = now_off
        previous = ts
        ts += step
    return result


def day_offsets(tz: tzinfo, hour: int, start: int, end: int) -> list[tuple[int, int]]:
    """[(from, offset in seconds)] oldest first, as `zone_offsets`, for counting answers
    into scheduling days in SQL (stats_queries.day_sql: the local date of time − `hour`):
    the zone's offsets, and where that date is not the scheduling day (`scheduling_date`:
    the last day started at or before the time), the offset that gives the scheduling day.
    That is near a clock change over the day-start hour that is not a whole hour's at its
    start: Chatham's 03:45 -> 02:45 repeats 02:45-03:00 after the day started at the
    first 03:00, and its 02:45 -> 03:45 starts the day at 04:00, not at 03:45 (the
    heatmap put such answers on the day before the one the queue and "today" counted)."""
    zone = zone_offsets(tz, start, end)
    if len(zone) == 1:
        return zone
    shift = hour * 3600

    def offset_at(ts: int) -> int:
        return zone[bisect.bisect_right(zone, (ts, float("inf"))) - 1][1]

    def counted(ts: int, offset: int) -> int:
        return (ts + offset - shift) // 86400

    def true_day(ts: int) -> int:
        moment = datetime.fromtimestamp(ts, timezone.utc)
        return (scheduling_date(moment, hour, tz) - EPOCH).days

    fixes: list[tuple[int, int, int]] = []  # (from, until, the scheduling day)
    for change, _ in zone[1:]:  # bounded: the zone's changes in the window
        # every time where either count can change near this one: the change itself, the
        # wall clock's midnights (shifted by `hour`) with either offset, the days' starts
        near = (change - 2 * 86400, change + 2 * 86400)
        points = {t for t, _ in zone if near[0] <= t <= near[1]}
        for offset in (offset_at(change - 1), offset_at(change)):
            base = counted(change, offset) * 86400 - offset + shift
            points.update(base + k * 86400 for k in (-1, 0, 1, 2))
        local = datetime.fromtimestamp(change, timezone.utc).astimezone(tz).date()
        points.update(int(day_start(local + timedelta(days=k), hour, tz).timestamp())
                      for k in (-2, -1, 0, 1, 2))
        ordered = sorted(p for p in points if max(near[0], zone[0][0]) <= p <= near[1])
        for low, high in zip(ordered, ordered[1:]):  # both counts are constant on each piece
            day = true_day(low)
            if counted(low, offset_at(low)) != day:
                fixes.append((low, high, day))
    if not fixes:
        return zone
    bounds = sorted({t for t, _ in zone} | {t for f in fixes for t in f[:2]})
    result: list[tuple[int, int]] = []
    for ts in bounds:
        offset = offset_at(ts)
        for low, high, day in fixes:
            if low <= ts < high:  # a piece shorter than a day: one offset gives its day
                offset = day * 86400 + shift - low
                break
        if not result or result[-1][1] != offset:
            result.append((ts, offset))
    return result


# -- parameters ---------------------------------------------------------------------------------
def forgetting_curve(parameters: tuple[float, ...]) -> tuple[float, float]:
    """FSRS-6's (decay, factor): R(t) = (1 + factor · t / S) ** decay (the fsrs package's
    Scheduler: decay = −w[20], factor = 0.9 ** (1 / decay) − 1)."""
    decay = -parameters[20]
    return decay, 0.9 ** (1 / decay) - 1


def curves_in_force(col, since: int, in_use) -> list[tuple[int, float, float]]:
    """[(from, decay, factor)] oldest first: the forgetting curve of the parameters that
    were in force from each time on (the collection's history, scheduling/parameters.py),
    from `since`; with no history, those in use now."""
    from flashdeck.scheduling.parameters import DEFAULT_PARAMETERS, parameters_history

    history = parameters_history(col.conn)
    if not history:
        return [(since, *forgetting_curve(tuple(in_use.parameters)))]
    curves = [(since, *forgetting_curve(DEFAULT_PARAMETERS))]
    for entry in history:
        curve = forgetting_curve(entry.parameters or DEFAULT_PARAMETERS)
        if entry.since <= since:
            curves[0] = (since, *curve)
        else:
            curves.append((entry.since, *curve))
    return curves


def parameters_in_use(config: Config):
    """The FSRS parameters new answers are scheduled with (scheduling/parameters.py)."""
    from flashdeck.scheduling.parameters import current_parameters

    return current_parameters(config)


# -- everything ----------------------------------------------------------------------------------
def compute_stats(col, config: Config, now: datetime, deck: str | None = None,
                  tz: tzinfo | None = None, intervals: bool = True) -> Stats:
    """Every figure for `deck` (and its subdecks), or the whole collection. `intervals`
    False: not the review cards' intervals (nor young and mature), a pass over every review
    card that `flashdeck stats`'s summary does not show (about half its time at 100k
    cards)."""
    if tz is None:
        from flashdeck.clock import local_tz

        tz = local_tz()
    hour = config.day_start_hour
    today = scheduling_date(now, hour, tz)
    ahead = day_starts(today, FORECAST_DAYS + 1, hour, tz)
    fc = forecast(q.due_counts(col, ahead, deck), today)

    first = today - timedelta(days=HEATMAP_DAYS - 1)
    year = day_starts(first, HEATMAP_DAYS + 1, hour, tz)
    in_use = parameters_in_use(config)
    # last reviews can be long before the window: the zone's offsets over the whole log
    oldest = q.oldest_review(col)
    offsets = day_offsets(tz, hour, min(oldest, year[0]) - 86400 if oldest else year[0],
                          year[-1])
    curves = tuple(curves_in_force(col, 0, in_use))
    counting = q.DayCounting(curves, tuple(offsets), hour, CALIBRATION_BINS, json.dumps(
        {"zone": getattr(tz, "key", None) or str(tz), "hour": hour, "curves": curves,
         "bins": CALIBRATION_BINS, "mature": f"{q.MATURE_DAYS} scheduling days",
         # counts kept before day_offsets put Chatham's odd nights on the queue's day
         "days": "the queue's"}))
    first_day = (first - EPOCH).days
    rows = q.answer_days(col, counting, first_day, year[0], year[-2], deck, year[-1])
    # a rating or state no flashdeck writes (a damaged page, a hand edit past the checks)
    # is named and left out; the rest is counted
    damaged = [review_damage(*row) for row in q.damaged_times(col, deck)]
    if any(type(r.rating) is not int or not 1 <= r.rating <= 4 for r in rows):
        rows = [r for r in rows if type(r.rating) is int and 1 <= r.rating <= 4]
        damaged += [review_damage(*row) for row in q.damaged_ratings(col, deck)]
    groups = q.state_groups(col, deck)
    state_rows = q.card_states(col, deck, groups)
    if any(r.state not in STATES for r in state_rows):
        state_rows = [r for r in state_rows if r.state in STATES]
        damaged += [stored_problem(row) for row in q.damaged_states(col, STATES, deck)]
    table, buttons = true_retention(rows, (today - EPOCH).days)
    hm = heatmap(rows, first, first_day)
    cal = calibration(rows)
    st, histogram = states(state_rows, q.review_intervals(col, offsets, hour, deck)
                           if intervals else None)
    fitted = in_use.fitted_at
    params = Parameters(tuple(in_use.parameters), in_use.source, fitted, in_use.reviews_at_fit,
                        q.count_reviews_since(col, int(fitted.timestamp()), deck)
                        if fitted else None)
    named = [line for line in damaged if line][:q.NAMED]
    more = len([line for line in damaged if line]) > len(named)
    return Stats(deck, today, fc, hm, table, buttons, cal, st, histogram, params,
                 tuple(named), more, q.count_reviews_after(col, year[-1], deck),
                 tuple(groups))

