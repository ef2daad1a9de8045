"""The scheduling day: it rolls over at the day-start hour (04:00 by default), local time.

Day D starts at D's day-start hour on the wall clock (`day_start`): at that hour's first
pass when the clocks go back over it, when they jump when they go forward over it. The day
holding a moment is the last one started at or before it (`scheduling_date`), so a day
never starts twice, and the queue's day (`day_bounds`), the due days and the elapsed days
FSRS sees all agree on the nights the clocks change."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from flashdeck.clock import local_tz

_DAY = timedelta(days=1)


@lru_cache(maxsize=1024)
def day_start(day: date, day_start_hour: int, tz: tzinfo) -> datetime:
    """When the scheduling day `day` starts, in UTC (fold 0: a repeated hour's first pass,
    a skipped hour's jump)."""
    return datetime.combine(day, time(hour=day_start_hour), tzinfo=tz).astimezone(timezone.utc)


def scheduling_date(moment: datetime, day_start_hour: int, tz: tzinfo) -> date:
    """The local date of the scheduling day holding `moment` (before the day-start hour it
    is still the day before)."""
    local = moment.astimezone(tz)
    day = local.date() if local.hour >= day_start_hour else local.date() - _DAY
    # the wall clock's answer, but for a clock set back over the day-start hour (Chatham's
    # 03:45 -> 02:45, the day starting at 03:00: the day began at the first 03:00) or
    # forward over it: the last day started at or before `moment`
    if day_start(day + _DAY, day_start_hour, tz) <= moment:
        return day + _DAY
    if day_start(day, day_start_hour, tz) > moment:
        return day - _DAY
    return day


def days_between(start: datetime, end: datetime, day_start_hour: int, tz: tzinfo) -> int:
    """Scheduling days from the day holding `start` to the day holding `end`: a review
    interval as Anki counts it (answered at 23:50, due at the start of the day after
    tomorrow, is 2 days, not the 1 its 28 hours round to)."""
    return (scheduling_date(end, day_start_hour, tz)
            - scheduling_date(start, day_start_hour, tz)).days


def days_later(start: datetime, days: int, day_start_hour: int, tz=None) -> datetime:
    """The start of the scheduling day `days` after the one starting at `start` (not
    `days` times 24 hours: a day the clocks change on is 23 or 25 hours long)."""
    if tz is None:
        tz = local_tz()
    return day_start(scheduling_date(start, day_start_hour, tz) + days * _DAY, day_start_hour, tz)


def day_bounds(now: datetime, day_start_hour: int = 4, tz=None) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the scheduling day that contains `now`."""
    if tz is None:
        tz = local_tz()
    today = scheduling_date(now, day_start_hour, tz)
    return day_start(today, day_start_hour, tz), day_start(today + _DAY, day_start_hour, tz)
