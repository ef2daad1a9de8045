"""One FSRS step as a pure function: (card id, state, rating, time, config, zone) -> state.

The engine persists what it returns, previews show it, and `doctor` replays a card's log
through it, so what a button previews is exactly what the answer gives.

FSRS itself is the `fsrs` package. Around it, the rules an Anki user expects (rules 2):

- **Scheduling days.** For an answer on a later scheduling day than the card's last review
  (the day rolls over at `day_start_hour`, local time, in the IANA zone), FSRS sees the
  elapsed time in whole scheduling days, as Anki and fsrs-rs count it: py-fsrs counts
  24-hour periods, so a 1-day card answered the next morning 40 minutes "early" was a
  same-day review. Same-day answers (learning steps) keep the real elapsed time.
- **Review cards are due on a day:** at the start of the scheduling day their interval
  ends on (right on 23- and 25-hour days).
- **A learning step of days ends on the day its days give** (rules 3): the `1d` of
  `["10m", "1d"]` answered on a 25-hour day's morning ends tomorrow, not 24 hours later
  (still today's scheduling day); off that day it is due at that day's start.
- **Ordered buttons, fuzzed as Anki fuzzes** (rules 4, `_anki_days`): fsrs gives the memory
  state, and the days are drawn within Anki's fuzz range, one draw for the four buttons;
  again < hard <= good < easy, for review cards good >= hard + 1 day and easy >= good + 1
  day, a passing review not fuzzed below the interval it had, and easy from (re)learning at
  least a day after good's interval. (Rules 1-3 took fsrs's own fuzz, drawn per rating.)
- **Leeches.** A lapse that brings the card to `leech_lapses` lapses (and, as in Anki,
  every half of it more after that, rounded up: rules 4; rules 2-3 waited `leech_lapses`
  more) flags and suspends it; unsuspending clears the flag.

Fuzz is seeded from the card's id, version and rating, so the same inputs give the same
result in any process. Reviews logged before these rules (rules 1: 24-hour periods, no
ordering; rules 2: a step of days was 24-hour periods) replay with the rules they logged.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from flashdeck.scheduling.config import Config
from flashdeck.scheduling.day import (day_start, days_between,  # noqa: F401 (step.* users)
                                      scheduling_date)
from flashdeck.scheduling.state import CardState

RULES = 4  # the rules new answers follow; logged with each review (3: a step of days
# ends on the scheduling day its days give, on 23- and 25-hour days too; 4: review intervals
# fuzzed and bounded as Anki does it, `_anki_days`; a leech again every half threshold)
RATINGS = (1, 2, 3, 4)
_STATE_NAMES = ("learning", "review", "relearning")  # fsrs.State 1, 2, 3
_DAY = timedelta(days=1)


@lru_cache(maxsize=8)
def scheduler(config: Config):
    import fsrs  # deferred (here and below): ~11 ms to load, and `due`/`stats` need none of it

    extra = {} if config.parameters is None else {"parameters": config.parameters}
    return fsrs.Scheduler(
        **extra,
        desired_retention=config.desired_retention,
        learning_steps=config.learning_steps,
        relearning_steps=config.relearning_steps,
        maximum_interval=config.maximum_interval,
        enable_fuzzing=config.fuzz,
    )


def _dt(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)


def fsrs_card(card_id: int, state: CardState, now: datetime):
    """The fsrs.Card for a state (a new card is a learning card at its first step)."""
    import fsrs  # deferred: see scheduler()

    if state.state == "new":
        return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=now)
    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State(_STATE_NAMES.index(state.state) + 1),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=_dt(state.due),
        last_review=_dt(state.last_review),
    )


# The fuzz's seed. fsrs draws its fuzz from the name `random` in fsrs.scheduler (`from random
# import random`: the global generator's method). That name, when it is that method, is
# pointed once at `_draw`, which draws from a generator seeded with the review's seed while
# `_fsrs_review` runs, and from the global generator otherwise (as fsrs did). Each draw is exactly the one `random.seed(seed)`
# then `random()` gave, without saving and restoring the global generator's state around
# every review (a third of a review's time), and only when fsrs draws (a review interval of
# 3 days or more). Per thread: two threads reviewing at once do not share a seed.
_fuzz = threading.local()


def _draw() -> float:
    seed = getattr(_fuzz, "seed", None)
    if seed is None:
        return random.random()
    generator = getattr(_fuzz, "generator", None)
    if generator is None:  # the first draw of this review: seeded as random.seed(seed) was
        generator = _fuzz.generator = random.Random(seed)
    return generator.random()


def _fsrs_review(card_id: int, state: CardState, rating: int, card, when: datetime,
                 config: Config):
    import fsrs  # deferred: see scheduler()

    if not config.fuzz:  # every answer under rules 4 (`_unfuzzed`): fsrs draws nothing
        # (its one draw is its fuzz, made only when enabled), so no seed is set around it
        return scheduler(config).review_card(card, fsrs.Rating(rating),
                                             review_datetime=when)[0]
    import fsrs.scheduler

    seed = f"{card_id}:{state.version}:{rating}"
    drawn_by = getattr(fsrs.scheduler, "random", None)
    if drawn_by is random.random:  # as fsrs 6.3 has it: `from random import random`
        fsrs.scheduler.random = drawn_by = _draw
    if drawn_by is not _draw:
        # another fsrs draws its fuzz some other way: the global generator, seeded around
        # the review as before (slower, the same numbers wherever fsrs draws from it)
        saved = random.getstate()
        random.seed(seed)
        try:
            return scheduler(config).review_card(card, fsrs.Rating(rating),
                                                 review_datetime=when)[0]
        finally:
            random.setstate(saved)
    _fuzz.seed = seed
    _fuzz.generator = None
    try:
        after, _log = scheduler(config).review_card(card, fsrs.Rating(rating),
                                                     review_datetime=when)
    finally:
        _fuzz.seed = _fuzz.generator = None
    return after


def _after(state: CardState, rating: int, after, due: int, now: datetime,
           config: Config, rules: int = RULES) -> CardState:
    lapse = rating == 1 and state.state == "review"
    lapses = state.lapses + (1 if lapse else 0)
    threshold = config.leech_lapses
    if rules == 1:  # the old rule: a leech stayed flagged, and every answer suspended it
        leech = bool(state.leech) or (lapse and lapses >= threshold)
        suspend = leech
    else:  # a leech at `threshold` lapses, and again every `threshold` more (unsuspended);
        # rules 4: every half threshold more, rounded up, as Anki (8, 12, 16… by default)
        every = max(1, math.ceil(threshold / 2)) if rules >= 4 else threshold
        suspend = lapse and lapses >= threshold and (lapses - threshold) % every == 0
        leech = suspend or bool(state.leech)
    return CardState(
        state=_STATE_NAMES[int(after.state) - 1],
        due=due,
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        last_review=int(now.timestamp()),
        reps=state.reps + 1,
        lapses=lapses,
        suspended=1 if suspend else state.suspended,
        buried_until=state.buried_until,
        leech=1 if leech else 0,
        version=state.version + 1,
    )


class ReviewMemo:
    """fsrs's last few results, kept by an engine (the review screen's) between its previews
    and its answer, so the answer asks fsrs nothing the card's previews asked it already.

    fsrs's result is a function of what it is given (the card, the rating, the settings), of
    the fuzz's seed (the card's id, version and rating) and of the review's time only
    through two things: the whole days since the card's last review (`.days`: which
    stability formula, the recall it had), and the time itself as the base the new due and
    last review are counted from. So a result kept from a preview at 09:00:00 is the answer
    at 09:00:20 moved on by 20 s whenever the whole days since the last review are the same
    at both times (always for a new card); the key holds those days, not the time, and
    `test_step`'s property checks it against fsrs itself. A review card from an earlier day
    is reviewed at the start of today (whole scheduling days), so its key is the same all
    day.

    Asked with its fuzz off (every answer under rules 4: `_unfuzzed`), fsrs draws nothing,
    so the card's id and version (the fuzz's seed) change nothing either: they are not in
    the key then, and every new card shares one card's results (a day of new cards asked
    fsrs four times a card for the same four answers)."""

    SIZE = 16
    PLANS = 4

    def __init__(self) -> None:
        self._config: Config | None = None
        self._results: dict[tuple, tuple] = {}
        # `answers`' own work kept the same way (`plan`, `keep`): per rating, fsrs's result
        # and the due time it gives as a function of the answer's time
        self._plan_config: Config | None = None
        self._plans: dict[tuple, dict] = {}

    def plan(self, key: tuple, config: Config, ratings: tuple) -> dict | None:
        """What `answers` kept for `key` (every input of its result but the answer's time
        itself: see `answers`) under `config`, if it holds all of `ratings`; else None."""
        if config is not self._plan_config:
            self._plan_config = config
            self._plans.clear()
            return None
        plan = self._plans.get(key)
        if plan is None or any(rating not in plan for rating in ratings):
            return None
        return plan

    def keep(self, key: tuple, config: Config, plan: dict) -> None:
        if config is not self._plan_config:
            self._plan_config = config
            self._plans.clear()
        if key not in self._plans and len(self._plans) >= self.PLANS:
            del self._plans[next(iter(self._plans))]  # the oldest
        self._plans[key] = plan

    def review(self, card_id: int, state: CardState, rating: int, card, when: datetime,
               config: Config):
        if config is not self._config:
            self._config = config
            self._results.clear()
        elapsed = None if card.last_review is None else (when - card.last_review).days
        key = (rating, int(card.state), card.step, card.stability, card.difficulty,
               card.last_review, elapsed)
        if config.fuzz:  # fsrs draws its fuzz, seeded by the card's id and version
            key = (card_id, state.version, *key)
        kept = self._results.get(key)
        if kept is None:
            after = _fsrs_review(card_id, state, rating, card, when, config)
            if len(self._results) >= self.SIZE:
                del self._results[next(iter(self._results))]  # the oldest
            self._results[key] = (when, after)
            return after
        then, after = kept
        if then == when:
            return after
        return _Moved(after, when - then, when)  # the same answer, counted from `when`


class _Moved:
    """A result fsrs gave (`ReviewMemo`) counted from a later time: what `answers` reads
    of an fsrs.Card (a copy of it, `copy.copy`, was a fifth of the memo's time)."""

    __slots__ = ("state", "step", "stability", "difficulty", "due", "last_review")

    def __init__(self, after, shift: timedelta, when: datetime) -> None:
        self.state = after.state
        self.step = after.step
        self.stability = after.stability
        self.difficulty = after.difficulty
        self.due = after.due + shift
        self.last_review = when


# The ratings a rating's result depends on (`answers`' ordering rules): hard is at most
# good, good at least hard (+ a day for a review card), easy after good, and each step
# after the lower grades'. Again depends on none.
_NEEDED = {1: (1,), 2: (1, 2, 3), 3: (1, 2, 3), 4: RATINGS}


def answers(card_id: int, state: CardState, now: datetime, config: Config,
            tz: tzinfo, *, only: int | None = None,
            memo: ReviewMemo | None = None, rules: int = RULES) -> dict[int, CardState]:
    """The state after each rating (1-4) answered `now`: the previews, and the answers.
    `only`: the answer to that rating, computed from the ratings it depends on alone (the
    others are left out of the result). `memo`: fsrs's results kept between calls, and this
    function's own work (`ReviewMemo.plan`): the review screen's answer takes what its
    previews worked out, seconds earlier, and redoes only what depends on the time itself.
    `rules=2` replays a review logged before a step of days was counted in days."""
    now = now.astimezone(timezone.utc)
    hour = config.day_start_hour
    today = scheduling_date(now, hour, tz)
    last = _dt(state.last_review) if state.state != "new" else None
    later_day = last is not None and scheduling_date(last, hour, tz) < today
    ratings = RATINGS if only is None else _NEEDED[only]
    plan = key = None
    if memo is not None:
        # Everything but the answer's time `now` that the result depends on. Past the
        # card's id, its state, the settings (`config`: the memo's), the zone and the
        # rules: the scheduling day (`today`: the review days' due times, whether the last
        # review was on an earlier day); for a review on an earlier day fsrs is asked at
        # the start of today (the same time all day), else at `now`, where fsrs's result
        # depends on the time only through the whole days since the last review (the
        # `elapsed` of ReviewMemo) and as the base its due time is counted from: a learning
        # step's due is `now` plus an offset the plan keeps (a step of a day or more is
        # then put on its day from `now` again, `_step_of_days`), and the last review is
        # `now` (`_after`); the buttons' order is checked again on the dues at `now`.
        elapsed = None if last is None or later_day else (now - last).days
        key = (card_id, state.state, state.due, state.step, state.stability,
               state.difficulty, state.last_review, state.reps, state.lapses,
               state.suspended, state.buried_until, state.leech, state.version,
               tz, rules, today, later_day, elapsed)
        plan = memo.plan(key, config, ratings)
    if plan is None:
        plan = _plan(card_id, state, now, today, last, later_day, ratings, config, tz, memo,
                     rules)
        if memo is not None:
            memo.keep(key, config, plan)
    result: dict[int, CardState] = {}
    for rating in ratings:
        after, fixed, offset = plan[rating]
        if fixed is not None:
            due = fixed
        else:
            moment = now + offset
            if rules >= 3 and offset >= _DAY:
                moment = _step_of_days(now, offset, moment, today, hour, tz)
            due = int(moment.timestamp())
        result[rating] = _after(state, rating, after, due, now, config, rules=rules)
    # a step never comes before a lower grade's (again < hard <= good < easy)
    for rating in ratings[1:]:
        lower = result[rating - 1].due
        if result[rating].due < lower + (1 if rating != 3 else 0):
            result[rating] = replace(result[rating], due=lower + (1 if rating != 3 else 0))
    return result


def _plan(card_id: int, state: CardState, now: datetime, today, last: datetime | None,
          later_day: bool, ratings: tuple, config: Config, tz: tzinfo,
          memo: ReviewMemo | None, rules: int) -> dict[int, tuple]:
    """`answers`' work that does not depend on the answer's time itself (see there): per
    rating, fsrs's result, and either the due time (Unix seconds: a review day's start) or
    the offset from the answer's time a (re)learning step ends at."""
    hour = config.day_start_hour
    card = fsrs_card(card_id, state, now)
    if later_day:
        # whole scheduling days: both times at the same hour of their days
        when = datetime.combine(today, time(), tzinfo=timezone.utc)
        card.last_review = datetime.combine(scheduling_date(last, hour, tz), time(),
                                            tzinfo=timezone.utc)
    else:
        when = now
    # rules 4: fsrs gives the memory state unfuzzed, and the days are fuzzed here (Anki's way)
    asked = _unfuzzed(config) if rules >= 4 else config
    if memo is None:
        raw = {rating: _fsrs_review(card_id, state, rating, card, when, asked)
               for rating in ratings}
    else:
        raw = {rating: memo.review(card_id, state, rating, card, when, asked)
               for rating in ratings}
    # review results in whole days; steps as durations
    if rules >= 4:
        days = _anki_days(card_id, state, raw, config, hour, tz)
    else:
        days = {}
        for rating, after in raw.items():
            if int(after.state) == 2:
                days[rating] = max(1, round((after.due - when) / _DAY))
        if state.state == "review":  # as Anki orders a review card's buttons
            if 2 in days and 3 in days:
                days[3] = max(days[3], days[2] + 1)
        if 3 in days and 4 in days:
            days[4] = max(days[4], days[3] + 1)
    if 2 in days and 3 in days:
        days[2] = min(days[2], days[3])
    for rating in days:
        days[rating] = min(days[rating], config.maximum_interval)
    plan: dict[int, tuple] = {}
    for rating, after in raw.items():
        if rating in days:
            due = day_start(today + timedelta(days=days[rating]), hour, tz)
            plan[rating] = (after, int(due.timestamp()), None)
        else:
            plan[rating] = (after, None, after.due - when)
    return plan


@lru_cache(maxsize=8)
def _unfuzzed(config: Config) -> Config:
    """`config` without fuzz: what fsrs is asked under rules 4 (one object per config, so
    ReviewMemo keeps its results)."""
    return replace(config, fuzz=False) if config.fuzz else config


def _anki_days(card_id: int, state: CardState, raw: dict, config: Config, hour: int,
               tz: tzinfo) -> dict[int, int]:
    """The days of the ratings fsrs put in review (rules 4), fuzzed and bounded as Anki's
    scheduler does it (rslib scheduler/states: review.rs, learning.rs, fuzz.rs): from fsrs's
    interval before its rounding, within Anki's fuzz range, one draw for the card's four
    buttons; a review card's passing answers never fuzzed below the interval it had (+ 1 day
    when the interval grew), good >= hard + 1 and easy >= good + 1; easy from (re)learning at
    least a day after good's interval, as if good had graduated. fsrs's own fuzz (py-fsrs
    6.3) drew from a range rounded first and could land a day past its top: 11 days for an
    interval of 7.5, where Anki keeps to 6-9."""
    sched = scheduler(_unfuzzed(config))
    maximum = config.maximum_interval
    factor = _fuzz_factor(card_id, state.version) if config.fuzz else None

    decay = -sched.parameters[20]  # as fsrs computes it (FSRS-6), from public parameters
    fsrs_factor = 0.9 ** (1 / decay) - 1

    def interval(after) -> float:  # fsrs's next interval, before it rounds it (its formula)
        return after.stability / fsrs_factor * (config.desired_retention ** (1 / decay) - 1)

    def fuzzed(days: float, minimum: int) -> int:
        return _with_fuzz(factor, days, minimum, maximum)

    result: dict[int, int] = {}
    if state.state == "review":
        previous = 0 if state.last_review is None or state.due is None else \
            max(0, days_between(_dt(state.last_review), _dt(state.due), hour, tz))
        lower = 0
        for rating in (2, 3, 4):
            if rating in raw and int(raw[rating].state) == 2:
                days = interval(raw[rating])
                lower = result[rating] = fuzzed(
                    days, max(_minimum_fuzz(days, previous, maximum), lower + 1, 1))
        if 1 in raw and int(raw[1].state) == 2:  # no relearning steps: a lapse, unfuzzed
            result[1] = max(_round(interval(raw[1])), 1)
        return result
    for rating, after in raw.items():
        if int(after.state) != 2:
            continue
        days = interval(after)
        minimum = 1
        if rating == 4 and 3 in raw:  # at least a day after good's interval
            minimum = fuzzed(interval(raw[3]), 1) + 1
        result[rating] = fuzzed(max(_round(days), 1), minimum)
    return result


@lru_cache(maxsize=64, typed=True)  # typed: the seed is the values' text
def _fuzz_factor(card_id: int, version: int) -> float:
    """The one draw for a card's four buttons (`_anki_days`), seeded by its id and version:
    drawn once for its previews and its answer (a generator seeded from a string hashes it,
    a tenth of the answer's FSRS step), the same number every time."""
    return random.Random(f"{card_id}:{version}:fuzz").random()


def _round(x: float) -> int:
    """Rust's f32::round for the non-negative days here (half away from zero)."""
    return int(math.floor(x + 0.5))


def _fuzz_bounds(days: float, minimum: int, maximum: int) -> tuple[int, int]:
    """Anki's constrained_fuzz_bounds: the range a review interval is fuzzed within."""
    minimum = min(minimum, maximum)
    days = min(max(days, minimum), maximum)
    delta = 0.0
    if days >= 2.5:
        delta = 1.0 + sum(factor * max(min(days, end) - start, 0.0)
                          for start, end, factor in _FUZZ_RANGES)
    lower = min(max(_round(days - delta), minimum), maximum)
    upper = min(max(_round(days + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


def _with_fuzz(factor: float | None, days: float, minimum: int, maximum: int) -> int:
    if factor is None:  # fuzz off: the interval rounded, within the bounds
        return min(max(_round(days), min(minimum, maximum)), maximum)
    lower, upper = _fuzz_bounds(days, minimum, maximum)
    return int(math.floor(lower + factor * (1 + upper - lower)))


def _minimum_fuzz(days: float, previous: int, maximum: int) -> int:
    """Anki's minimum_review_fuzz_interval: a passing review is not fuzzed below the
    interval it had (a day more when the interval grew)."""
    if _round(days) > previous:
        return previous + 1
    if previous <= _fuzz_bounds(days, 1, maximum)[1]:
        return previous
    return 0


def _step_of_days(now: datetime, step: timedelta, due: datetime, today, hour: int,
                  tz: tzinfo) -> datetime:
    """When a learning step of a day or more (the `1d` of `["10m", "1d"]`) answered `now`
    ends: `step` later, on the scheduling day the wall clock's `step` later falls on (a
    day is a day, 23 or 25 hours long: the 1d step answered at 04:30 on the Saturday
    before the clocks go back ended at 03:30 the next morning, still Saturday's
    scheduling day, and the card came straight back; answered at 03:30 before they go
    forward it skipped a day). Off that day, the start of that day (the queue shows a
    step of days all of the day it ends on)."""
    def wall_day(wall: datetime):
        return wall.date() if wall.hour >= hour else wall.date() - _DAY

    wall = now.astimezone(tz).replace(tzinfo=None)
    # the days the wall clock moves on, from today (not the wall's own day: a time in a
    # skipped or repeated stretch can lie in the day before the one its clock says)
    target = today + max(wall_day(wall + step) - wall_day(wall), _DAY)
    if scheduling_date(due, hour, tz) == target:
        return due
    return day_start(target, hour, tz)


def zone_key(tz: tzinfo, at: datetime) -> str:
    """How a review's log names the zone its days were counted in: the IANA name, else
    the UTC offset it had (`+01:00`), so a replay counts the same days."""
    name = getattr(tz, "key", None)
    if name:
        return str(name)
    if type(tz) is timezone:  # a fixed offset (FLASHDECK_NOW's, a POSIX rule's none): the
        return _fixed_zone_key(tz)  # same name at every moment
    return _offset_key(at.astimezone(tz).utcoffset() or timedelta(0))


@lru_cache(maxsize=16)
def _fixed_zone_key(tz: timezone) -> str:
    return _offset_key(tz.utcoffset(None))


def _offset_key(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def logged_days(after: dict, start: int, end: int, tz: tzinfo, default_hour: int) -> int:
    """`days_between` two moments (epoch seconds) in the zone and day-start hour a review's
    log (`after`, its state_after) says it was answered with."""
    return days_between(datetime.fromtimestamp(start, timezone.utc),
                        datetime.fromtimestamp(end, timezone.utc),
                        logged_hour(after, default_hour), zone_from_key(after.get("zone"), tz))


def logged_hour(after: dict, default: int) -> int:
    """The day-start hour a review was answered with (its log's `hour`); `default` for a
    review logged before the hour was (or with an unreadable one)."""
    hour = after.get("hour")
    if isinstance(hour, int) and not isinstance(hour, bool) and 0 <= hour <= 23:
        return hour
    return default


def logged_day_start(after: dict, config: Config) -> Config:
    """`config` with the day-start hour a review was answered with (`logged_hour`), so a
    replay counts the days that answer counted after the setting has changed."""
    hour = logged_hour(after, config.day_start_hour)
    return config if hour == config.day_start_hour else replace(config, day_start_hour=hour)


# The settings an answer's result depends on besides the day-start hour (logged as `hour`) and
# the parameters (their own history): logged with each review as `set`, only those that
# differ from the defaults (`{}` for a user who changed none), so that a replay (`doctor`,
# a sync's merge, `optimize`'s recompute) gives what the answer gave after the user has
# changed them: desired retention 0.9 -> 0.8 made every earlier review "disagree with FSRS".
LOGGED_SETTINGS = ("desired_retention", "learning_steps", "relearning_steps",
                   "maximum_interval", "fuzz", "leech_lapses")
_DEFAULTS = Config()


def _seconds(step: timedelta) -> int | float:
    seconds = step.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


@lru_cache(maxsize=8)
def _settings_logged(config: Config) -> tuple:
    logged = []
    for name in LOGGED_SETTINGS:
        value = getattr(config, name)
        if value != getattr(_DEFAULTS, name):
            logged.append((name, [_seconds(s) for s in value] if name.endswith("steps")
                           else value))
    return tuple(logged)


def settings_logged(config: Config) -> dict:
    """What a review logs as `set`: the LOGGED_SETTINGS of `config` that are not the
    defaults (steps in seconds)."""
    return dict(_settings_logged(config))


def logged_config(after: dict, config: Config) -> Config:
    """`config` as a review was answered with it: its day-start hour (`logged_day_start`)
    and, when the review logged them (`set`), its LOGGED_SETTINGS, each the default unless
    logged; a review logged before they were keeps `config`'s (the current settings)."""
    config = logged_day_start(after, config)
    logged = after.get("set")
    if not isinstance(logged, dict):
        return config
    try:
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                           for k, v in logged.items() if k in LOGGED_SETTINGS))
        return _with_logged(config, key)
    except TypeError:  # an unhashable value: a damaged log; the replay will say so
        return config


@lru_cache(maxsize=64)
def _with_logged(config: Config, logged: tuple) -> Config:
    values = {name: getattr(_DEFAULTS, name) for name in LOGGED_SETTINGS}
    for name, value in logged:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if name.endswith("steps"):
            if isinstance(value, tuple) and all(
                    isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x < 1e9
                    for x in value):
                values[name] = tuple(timedelta(seconds=x) for x in value)
            else:  # unreadable: the current setting (a replay that disagrees says so)
                values[name] = getattr(config, name)
        elif name == "desired_retention":
            values[name] = float(value) if number and 0 < value < 1 else config.desired_retention
        elif name == "fuzz":
            values[name] = value if isinstance(value, bool) else config.fuzz
        elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10**6:
            values[name] = int(value)
        else:
            values[name] = getattr(config, name)
    if all(values[name] == getattr(config, name) for name in LOGGED_SETTINGS):
        return config
    return replace(config, **values)


def zone_from_key(key: str | None, default: tzinfo) -> tzinfo:
    if not key:
        return default
    if key[0] in "+-" and len(key) == 6:
        try:
            hours, minutes = int(key[1:3]), int(key[4:6])
        except ValueError:
            return default
        sign = -1 if key[0] == "-" else 1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        from zoneinfo import ZoneInfo  # deferred: only a stored zone name needs it (~4 ms)

        return ZoneInfo(key)
    except (ValueError, OSError, KeyError):  # an unknown or malformed zone name
        return default


def review(card_id: int, state: CardState, rating: int, now: datetime, config: Config,
           tz: tzinfo, rules: int = RULES) -> CardState:
    """The state after answering `rating` now. `rules=1` replays a review logged before
    scheduling days and ordered buttons (24-hour periods, no ordering, the old leech rule)."""
    if rules == 1:
        return _review_rules_1(card_id, state, rating, now, config)
    return answers(card_id, state, now, config, tz, rules=rules)[rating]


def _review_rules_1(card_id: int, state: CardState, rating: int, now: datetime,
                    config: Config) -> CardState:
    now = now.astimezone(timezone.utc)
    after = _fsrs_review(card_id, state, rating, fsrs_card(card_id, state, now), now, config)
    return _after(state, rating, after, int(after.due.timestamp()), now, config, rules=1)
