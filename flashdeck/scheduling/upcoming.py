"""What comes due next: studied cards due later today, and during tomorrow (the summary's
and the deck list's "later today" and "tomorrow")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flashdeck.collection.queries import studied_due_between
from flashdeck.scheduling.day import days_later
from flashdeck.scheduling.engine import Engine


def clock_time(moment: datetime, tz) -> str:
    """`09:10`; in an hour the clocks go back over, with its offset (`02:05 +01:00`: at
    02:55 CEST, a card due 10 minutes later is due at 02:05 CET, not 50 minutes ago)."""
    local = moment.astimezone(tz)
    text = f"{local:%H:%M}"
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        offset = int((local.utcoffset() or timedelta(0)).total_seconds() // 60)
        sign = "-" if offset < 0 else "+"
        text += f" {sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return text


@dataclass(frozen=True, slots=True)
class Upcoming:
    """Cards already studied that come due later: today after now, and tomorrow."""

    later_today: int
    next_at: datetime | None  # the first of them, when there is one today
    tomorrow: int

    def today_text(self, tz) -> str:
        if not self.later_today or self.next_at is None:
            return "nothing"
        return (f"{self.later_today} card{'s' if self.later_today != 1 else ''} "
                f"(the next at {clock_time(self.next_at, tz)})")

    def describe(self, tz, still_due: bool = False) -> str:
        """`2 cards come back later today (the next at 09:10); 14 due tomorrow`."""
        if self.later_today and self.next_at is not None:
            one = self.later_today == 1
            first = (f"{self.later_today} card{'' if one else 's'} come{'s' if one else ''} back "
                     f"later today (the next at {clock_time(self.next_at, tz)})")
        else:
            first = "nothing comes back later today" if still_due else "nothing more today"
        return f"{first}; {self.tomorrow} due tomorrow"


def upcoming(engine: Engine, deck: str | None = None) -> Upcoming:
    """Studied cards (not new) due after now: later today, and during tomorrow.

    Later today counts learning cards only: a review due this afternoon is already due
    today (the queue shows it now and counts it among today's reviews)."""
    _, day_end = engine.day()
    deck = deck if deck is not None else engine.deck
    end_ts = int(day_end.timestamp())
    later, first = studied_due_between(engine.col, int(engine.now().timestamp()), end_ts, deck,
                                       learning_only=True)
    tomorrow_end = days_later(day_end, 1, engine.config.day_start_hour, engine.tz())
    tomorrow, _ = studied_due_between(engine.col, end_ts - 1, int(tomorrow_end.timestamp()),
                                      deck)
    next_at = datetime.fromtimestamp(first, timezone.utc) if first is not None else None
    return Upcoming(later_today=later, next_at=next_at, tomorrow=tomorrow)
