"""The clock. `FLASHDECK_NOW` (ISO 8601 with an offset) fixes it, for tests and scripts."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from flashdeck.errors import UsageError


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
    return moment.astimezone(timezone.utc)


def local_tz():
    """The local time zone: FLASHDECK_NOW's offset when the clock is fixed, else the system's."""
    fixed = os.environ.get("FLASHDECK_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed.strip())
        if moment.tzinfo is not None:
            return moment.tzinfo
    return datetime.now().astimezone().tzinfo
