"""How you learn, in figures (issue 20): the forecast, a year of reviews, Anki's true
retention, calibration (FSRS's predicted recall against what you recalled), card states,
intervals and the FSRS parameters in use. `flashdeck stats` prints them, the review app's
stats view draws them.

The SQL is collection/stats_queries.py (aggregated there: a million reviews come back as a
few hundred rows); here those rows become figures over scheduling days (the day rolls over
at `day_start_hour`, local time, as the queue counts it).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from flashdeck.collection import stats_queries as q
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.step import day_start, scheduling_date

FORECAST_DAYS = 30
HEATMAP_DAYS = 365
CALIBRATION_BINS = 10
CALIBRATION_DAYS = HEATMAP_DAYS  # the answers calibration looks at: the last year's
PERIODS = ("today", "yesterday", "week", "month", "year")  # true retention's columns
KINDS = ("learning", "young", "mature")
RATING_KEYS = ("again", "hard", "good", "easy")
# the interval histogram's bins: (label, up to and including this many days)
INTERVAL_BINS = (("1d", 1), ("2-3d", 3), ("4-7d", 7), ("1-2w", 14), ("2-3w", 21),
                 ("3w-2mo", 60), ("2-6mo", 182), ("6mo-1y", 365), ("1-2y", 730), (">2y", None))


@dataclass(frozen=True, slots=True)
class Forecast:
    start: date  # today's scheduling date: days[0] is today, with the backlog
    days: tuple[int, ...]  # cards due each day (today: what is due by the end of today)
    overdue: int  # of days[0]: due before today began

    def to_json(self) -> dict:
        return {"start": self.start.isoformat(), "overdue": self.overdue,
                "days": [{"date": (self.start + timedelta(days=i)).isoformat(), "due": n}
                         for i, n in enumerate(self.days)],
                "total": sum(self.days)}


@dataclass(frozen=True, slots=True)
class Heatmap:
    start: date  # the first day shown (a year ago)
    counts: tuple[int, ...]  # reviews each scheduling day, oldest first, the last today

    def to_json(self) -> dict:
        return {"start": self.start.isoformat(), "counts": list(self.counts),
                "total": sum(self.counts), "days_studied": sum(1 for n in self.counts if n)}


@dataclass(frozen=True, slots=True)
class Pass:
    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def to_json(self) -> dict:
        rate = self.rate
        return {"passed": self.passed, "failed": self.total - self.passed, "total": self.total,
                "rate": None if rate is None else round(rate, 4)}


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    low: float  # predicted recall from (0.9: the 90-100 % bin)
    high: float
    count: int
    predicted: float  # mean predicted recall
    actual: float  # the share answered other than Again

    def to_json(self) -> dict:
        return {"low": self.low, "high": self.high, "count": self.count,
                "predicted": round(self.predicted, 4), "actual": round(self.actual, 4)}


@dataclass(frozen=True, slots=True)
class Parameters:
    parameters: tuple[float, ...]
    source: str  # "default" | "optimized"
    fitted_at: datetime | None
    reviews_at_fit: int | None
    reviews_since: int | None  # reviews logged after the fit

    def to_json(self) -> dict:
        return {"source": self.source, "parameters": [round(w, 4) for w in self.parameters],
                "fitted_at": self.fitted_at.isoformat() if self.fitted_at else None,
                "reviews_at_fit": self.reviews_at_fit, "reviews_since": self.reviews_since}


@dataclass(frozen=True, slots=True)
class Stats:
    deck: str | None
    today: date
    forecast: Forecast
    heatmap: Heatmap
    # period -> {"young"|"mature"|"all": Pass}
    true_retention: dict[str, dict[str, Pass]]
    buttons: dict[str, dict[str, int]]  # kind -> rating name -> answers, last 30 days
    calibration: tuple[CalibrationBin, ...]
    states: dict[str, int]
    intervals: tuple[tuple[str, int], ...]
    parameters: Parameters

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
            "intervals": [{"label": label, "count": n} for label, n in self.intervals],
            "parameters": self.parameters.to_json(),
        }


# -- the figures ------------------------------------------------------------------------------
def forecast(rows: list[tuple[int, int]], starts: list[int], today: date) -> Forecast:
    """`rows` [(due, cards)] due before starts[-1]; `starts`: the day starts of today and of
    the FORECAST_DAYS days after it (FORECAST_DAYS + 1 times)."""
    days = [0] * (len(starts) - 1)
    overdue = 0
    for due, n in rows:
        if due < starts[0]:
            overdue += n
            days[0] += n
            continue
        index = bisect_right(starts, due) - 1
        if 0 <= index < len(days):
            days[index] += n
    return Forecast(today, tuple(days), overdue)


def heatmap(rows: list[tuple[int, int]], starts: list[int], first: date) -> Heatmap:
    """`rows` [(bucket start, reviews)]; `starts` the day starts from `first` to the end
    of today (one more than days)."""
    counts = [0] * (len(starts) - 1)
    for at, n in rows:
        index = bisect_right(starts, at) - 1
        if 0 <= index < len(counts):
            counts[index] += n
    return Heatmap(first, tuple(counts))


def true_retention(rows: list[q.AnswerRow]) -> tuple[dict[str, dict[str, Pass]],
                                                     dict[str, dict[str, int]]]:
    """Anki's true retention (answers of review cards other than Again, young and mature,
    today, yesterday, the last 7, 30 and 365 days) and the answer buttons of the last 30
    days. `rows` come in disjoint periods (0 today, 1 yesterday, 2 the 5 days before,
    3 the rest of 30, 4 the rest of the year)."""
    # each reported period is made of these disjoint ones
    parts = {"today": (0,), "yesterday": (1,), "week": (0, 1, 2), "month": (0, 1, 2, 3),
             "year": (0, 1, 2, 3, 4)}
    table: dict[str, dict[str, Pass]] = {}
    for name, wanted in parts.items():
        row = {}
        for kind in ("young", "mature"):
            sel = [r for r in rows if r.period in wanted and r.kind == kind]
            row[kind] = Pass(sum(r.count for r in sel if r.rating > 1),
                             sum(r.count for r in sel))
        row["all"] = Pass(row["young"].passed + row["mature"].passed,
                          row["young"].total + row["mature"].total)
        table[name] = row
    buttons = {kind: dict.fromkeys(RATING_KEYS, 0) for kind in KINDS}
    for r in rows:
        if r.period in parts["month"]:
            buttons[r.kind][RATING_KEYS[r.rating - 1]] += r.count
    return table, buttons


def calibration(rows: list[q.CalibrationRow], bins: int = CALIBRATION_BINS
                ) -> tuple[CalibrationBin, ...]:
    """Only the bins that hold answers, lowest first."""
    return tuple(CalibrationBin(r.bin / bins, (r.bin + 1) / bins, r.count,
                                r.predicted_sum / r.count, r.passed / r.count)
                 for r in sorted(rows, key=lambda r: r.bin) if r.count)


def states(rows: list[q.StateRow]) -> tuple[dict[str, int], tuple[tuple[str, int], ...]]:
    """Card states — new, learning, review and relearning (each live card once; `new`
    without the waiting copies of shared exercises), review split into young and mature
    (interval under or from 21 days), and suspended and leech cards (of any state) — and
    the review cards' interval histogram."""
    counts = dict.fromkeys(("new", "learning", "review", "relearning", "young", "mature",
                            "suspended", "leech", "waiting_copies"), 0)
    hist = [0] * len(INTERVAL_BINS)
    for r in rows:
        if r.waiting_copy:
            counts["waiting_copies"] += r.count
        else:
            counts[r.state] += r.count
        counts["suspended"] += r.count if r.suspended else 0
        counts["leech"] += r.count if r.leech else 0
        if r.state == "review":
            mature = r.interval_days is not None and r.interval_days >= 21
            counts["mature" if mature else "young"] += r.count
            if r.interval_days is not None:
                hist[_interval_bin(r.interval_days)] += r.count
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


# -- parameters ---------------------------------------------------------------------------------
def forgetting_curve(parameters: tuple[float, ...]) -> tuple[float, float]:
    """FSRS-6's (decay, factor): R(t) = (1 + factor · t / S) ** decay (the fsrs package's
    Scheduler: decay = −w[20], factor = 0.9 ** (1 / decay) − 1)."""
    decay = -parameters[20]
    return decay, 0.9 ** (1 / decay) - 1


def parameters_in_use(config: Config):
    """The FSRS parameters new answers are scheduled with (scheduling/parameters.py)."""
    from flashdeck.scheduling.parameters import current_parameters

    return current_parameters(config)


# -- everything ----------------------------------------------------------------------------------
def compute_stats(col, config: Config, now: datetime, deck: str | None = None,
                  tz: tzinfo | None = None) -> Stats:
    """Every figure for `deck` (and its subdecks), or the whole collection."""
    if tz is None:
        from flashdeck.clock import local_tz

        tz = local_tz()
    hour = config.day_start_hour
    today = scheduling_date(now, hour, tz)
    ahead = day_starts(today, FORECAST_DAYS + 1, hour, tz)
    fc = forecast(q.due_counts(col, ahead[-1], deck), ahead, today)

    first = today - timedelta(days=HEATMAP_DAYS - 1)
    year = day_starts(first, HEATMAP_DAYS + 1, hour, tz)
    hm = heatmap(q.review_counts(col, year[0], 900, deck), year, first)

    # disjoint periods, newest first: today, yesterday, 5 more days, 23 more, the rest of
    # the year; calibration looks at the same year (CALIBRATION_DAYS)
    t0 = HEATMAP_DAYS - 1  # today's index in `year`
    period_starts = [year[t0], year[t0 - 1], year[t0 - 6], year[t0 - 29], year[0]]
    in_use = parameters_in_use(config)
    decay, factor = forgetting_curve(tuple(in_use.parameters))
    # last reviews can be long before the window: the zone's offsets over the whole log
    oldest = q.oldest_review(col)
    offsets = zone_offsets(tz, min(oldest, year[0]) - 86400 if oldest else year[0], year[-1])
    answer_rows, calibration_rows = q.answers_and_calibration(
        col, period_starts, decay=decay, factor=factor, offsets=offsets, day_start_hour=hour,
        bins=CALIBRATION_BINS, deck=deck)
    table, buttons = true_retention(answer_rows)
    cal = calibration(calibration_rows)
    st, intervals = states(q.card_states(col, deck))
    fitted = in_use.fitted_at
    params = Parameters(tuple(in_use.parameters), in_use.source, fitted, in_use.reviews_at_fit,
                        q.count_reviews_since(col, int(fitted.timestamp()), deck)
                        if fitted else None)
    return Stats(deck, today, fc, hm, table, buttons, cal, st, intervals, params)

