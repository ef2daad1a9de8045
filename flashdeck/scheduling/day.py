"""The scheduling day: it rolls over at the day-start hour (04:00 by default), local time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flashdeck.clock import local_tz


def day_bounds(now: datetime, day_start_hour: int = 4, tz=None) -> tuple[datetime, datetime]:
    """(start, end) in UTC of the scheduling day that contains `now`."""
    if tz is None:
        tz = local_tz()
    local = now.astimezone(tz)
    start = local.replace(hour=day_start_hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    end = start + timedelta(days=1)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
