"""The clock. `FLASHDECK_NOW` (ISO 8601 with an offset) fixes it, for tests and scripts."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone, tzinfo
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
    right on 23- and 25-hour days: `TZ` (e.g. Europe/Berlin, or a path into a zoneinfo
    folder), or a POSIX rule in `TZ` (`CET-1CEST,M3.5.0,M10.5.0/3`) as the C library (and
    `date`) reads it; else FLASHDECK_NOW's offset when the clock is fixed (a script names its
    moment, not its zone); else the system's zone (/etc/localtime), else the system's
    current offset."""
    return _local_tz(os.environ.get("TZ", ""), os.environ.get("FLASHDECK_NOW", ""))


def tz_problem() -> str | None:
    """What is wrong with `TZ` when it names no zone this system knows and is no POSIX rule
    either (`Europe/Berln`): the C library, `date` with it, then keeps UTC, and flashdeck its
    fallback (`local_tz`), with nothing said. None when TZ is unset, empty or sound."""
    value = os.environ.get("TZ", "")
    name = _tz_name(value)
    if not name or _zone(name) is not None or _posix_rule(name):
        return None
    used = local_tz()
    said = getattr(used, "key", None) or used.tzname(datetime.now(timezone.utc)) or str(used)
    return (f"TZ={value!r} names no time zone this system knows: days are kept in {said}"
            " instead (e.g. TZ=Europe/Berlin, or unset TZ for the system's zone)")


def _tz_name(value: str) -> str:
    """The zone `TZ` names: `:Europe/Berlin` and `:/usr/share/zoneinfo/Europe/Berlin` are
    `Europe/Berlin`; anything else as it is (a POSIX rule, or nothing)."""
    name = value.lstrip(":")
    if name.startswith("/") and "/zoneinfo/" in name:
        name = name.split("/zoneinfo/", 1)[1]
    return name


@lru_cache(maxsize=8)
def _local_tz(tz_name: str, fixed: str):
    name = _tz_name(tz_name)
    zone = _zone(name) if name else None
    if zone is not None:
        return zone
    if name and _posix_rule(name):  # TZ=CET-1CEST,M3.5.0,M10.5.0/3: the C library's zone
        return _SystemZone(name)
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


# A POSIX TZ rule: a name (3+ letters or <...>), an offset, optionally a summer-time name,
# its offset and the rule of its dates (`EST5EDT,M3.2.0,M11.1.0`, `<+0330>-3:30`, `JST-9`)
_POSIX_NAME = r"(?:[A-Za-z]{3,}|<[+\-A-Za-z0-9]{1,10}>)"
_POSIX_OFFSET = r"[+-]?[0-9]{1,2}(?::[0-9]{2}){0,2}"
_POSIX_TZ = (rf"{_POSIX_NAME}{_POSIX_OFFSET}(?:{_POSIX_NAME}(?:{_POSIX_OFFSET})?"
             r"(?:,[A-Za-z0-9.:/+\-]{1,40},[A-Za-z0-9.:/+\-]{1,40})?)?\Z")


def _posix_rule(name: str) -> bool:
    import re  # deferred: only a TZ that names no IANA zone needs it

    return len(name) < 120 and re.match(_POSIX_TZ, name, re.ASCII) is not None


def _zone(name: str):
    """The IANA zone `name`, or None when it is no zone this system knows."""
    if not name or name.startswith("/") or ".." in name:
        return None
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return None


class _SystemZone(tzinfo):
    """The zone the C library reads from a `TZ` that names no IANA zone (a POSIX rule, e.g.
    `EST+5EDT,M3.2.0/2,M11.1.0/2`): each moment's offset as `time.localtime` gives it, so
    its clock changes are kept. Times are logged with their offset (`step.zone_key`)."""

    def __init__(self, value: str) -> None:
        import time

        time.tzset()  # the C library's zone from TZ as it is now (not as at the start)
        self._value = value

    def _offset_at(self, timestamp: float) -> timedelta:
        import time

        try:
            return timedelta(seconds=time.localtime(timestamp).tm_gmtoff)
        except (OverflowError, OSError, ValueError):
            return timedelta(0)

    def fromutc(self, dt: datetime) -> datetime:
        stamp = (dt.replace(tzinfo=timezone.utc) - _EPOCH).total_seconds()
        offset = self._offset_at(stamp)
        local = dt + offset
        # the second pass of a repeated hour: its wall time's first pass has another offset
        if self.utcoffset(local.replace(fold=0)) != offset:
            return local.replace(fold=1)
        return local

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return self._offset_at(datetime.now(timezone.utc).timestamp())
        naive = (dt.replace(tzinfo=timezone.utc) - _EPOCH).total_seconds()
        # the wall time read with the offset before a change (fold 0) or after it (fold 1)
        first = self._offset_at(naive - self._offset_at(naive - 86400).total_seconds())
        second = self._offset_at(naive - self._offset_at(naive + 86400).total_seconds())
        candidates = [o for o in (first, second) if self._offset_at(
            naive - o.total_seconds()) == o]
        if not candidates:  # a skipped wall time: read with the offset before the jump
            return self._offset_at(naive + 86400 if dt.fold else naive - 86400)  # (or after)
        if len(candidates) == 2 and candidates[0] != candidates[1]:
            early, late = sorted(candidates, reverse=True)  # the larger offset is the earlier instant
            return late if dt.fold else early
        return candidates[0]

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        import time

        stamp = datetime.now(timezone.utc).timestamp() if dt is None else \
            (dt - dt.utcoffset()).replace(tzinfo=timezone.utc).timestamp()
        try:
            return time.localtime(stamp).tm_zone
        except (OverflowError, OSError, ValueError):
            return self._value

    def __repr__(self) -> str:
        return f"_SystemZone({self._value!r})"


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
