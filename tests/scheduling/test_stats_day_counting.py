"""The stats' SQL counts an answer into a scheduling day from the zone's offsets
(stats.day_offsets, stats_queries.day_sql): the same day the queue's `scheduling_date`
gives, at every moment of every clock change, for every day-start hour."""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from flashdeck.scheduling.day import scheduling_date
from flashdeck.scheduling.stats import EPOCH, day_offsets, zone_offsets

UTC = timezone.utc
# whole-hour and part-hour changes, a day skipped (Apia, 30 December 2011), a change at
# 00:01 (St. John's, 2011), a two-hour change (Troll)
CASES = (("Europe/Berlin", 2026), ("Australia/Lord_Howe", 2026), ("Pacific/Chatham", 2026),
         ("America/Santiago", 2026), ("Pacific/Apia", 2011), ("America/St_Johns", 2011),
         ("Antarctica/Troll", 2026))


def _counted(offsets, moment: int, hour: int) -> int:
    """day_sql's day, in Python: the local date of (time − hour) with the offset given."""
    offset = offsets[bisect.bisect_right(offsets, (moment, float("inf"))) - 1][1]
    return (moment + offset - hour * 3600) // 86400


@pytest.mark.parametrize("name,year", CASES)
def test_every_answer_is_counted_on_the_queues_day(name, year) -> None:
    zone = ZoneInfo(name)
    start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    changes = [t for t, _ in zone_offsets(zone, start, end)[1:]]
    assert changes, name
    for hour in range(24):
        offsets = day_offsets(zone, hour, start, end)
        for change in changes:
            moment = change - 30 * 3600
            while moment < change + 30 * 3600:  # bounded: 60 hours in 15-minute steps
                queue_day = scheduling_date(datetime.fromtimestamp(moment, UTC), hour, zone)
                assert _counted(offsets, moment, hour) == (queue_day - EPOCH).days, (
                    name, hour, datetime.fromtimestamp(moment, UTC).astimezone(zone))
                moment += 15 * 60


def test_a_zone_without_odd_nights_keeps_its_offsets() -> None:
    zone = ZoneInfo("Europe/Berlin")
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    end = start + 365 * 86400
    assert day_offsets(zone, 4, start, end) == zone_offsets(zone, start, end)
    fixed = timezone(timedelta(hours=5, minutes=45))
    assert day_offsets(fixed, 4, start, end) == [(start, 20700)]
