"""The clock. `FLASHDECK_NOW` (ISO 8601 with an offset) fixes it, for tests and scripts."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from functools import lru_cache

from flashdeck.errors import UsageError

# FLASHDECK_NOW's range: times are stored as Unix seconds, and a card may be scheduled up to
# 100 years (maximum_interval) plus a day's bounds ahead of now, which must stay a datetime.
EARLIEST = datetime(1970, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


def now() -> datetime:
    """The current time as an aware datetime in UTC."""
    fixed = os.environ.get("FLASHDECK_NOW")
    if fixed:
        return parse_now(fixed)
    return datetime.now(timezone.utc)


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"FLASHDECK_NOW={value!r} is not an ISO 8601 time (e.g. 2026-11-24T09:00:00+01:00)"
        ) from None
    if moment.tzinfo is None:
        raise UsageError(
            f"FLASHDECK_NOW={value!r} has no UTC offset (e.g. 2026-11-24T09:00:00+01:00)"
        )
    try:
        moment = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        raise UsageError(
            f"FLASHDECK_NOW={value!r} is out of range (from {EARLIEST:%Y-%m-%d} to before "
            f"{LATEST:%Y-%m-%d}, UTC)"
        )
    return moment


def local_tz():
    """The local time zone, as an IANA zone wherever one is known, so the scheduling day is
    right on 23- and 25-hour days: `TZ` (e.g. Europe/Berlin); else FLASHDECK_NOW's offset when
    the clock is fixed (a script names its moment, not its zone); else the system's zone
    (/etc/localtime), else the system's current offset."""
    return _local_tz(os.environ.get("TZ", ""), os.environ.get("FLASHDECK_NOW", ""))


@lru_cache(maxsize=8)
def _local_tz(tz_name: str, fixed: str):
    zone = _zone(tz_name.lstrip(":")) if tz_name else None
    if zone is not None:
        return zone
    if fixed:
        try:
            moment = datetime.fromisoformat(fixed.strip())
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.tzinfo
    try:
        link = os.readlink("/etc/localtime")
    except OSError:
        link = ""
    if "zoneinfo/" in link:
        zone = _zone(link.split("zoneinfo/", 1)[1])
        if zone is not None:
            return zone
    return datetime.now().astimezone().tzinfo


def _zone(name: str):
    """The IANA zone `name`, or None when it is no zone this system knows."""
    if not name or name.startswith("/") or ".." in name:
        return None
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return None
