"""One card's memory and history, and one review as a line: shared by `flashdeck info`,
`flashdeck log` and the review screen's `i` (which is why this lives outside `commands/`
and imports no Textual).

Times are shown in local time with the offset written out (`2026-11-24 10:00 +01:00`), and
given in JSON as ISO 8601 with that offset. Card text is untrusted: everything shown here is
plain text made safe by `textsafe.sanitize` (and `render.inline_text` for card markdown),
never Rich/Textual markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from flashdeck import clock
from flashdeck.collection.cards import CardView, card_row
from flashdeck.collection.queries import ReviewRow, card_reviews, iter_reviews
from flashdeck.render import header, inline_text
from flashdeck.scheduling import step
from flashdeck.scheduling.engine import RATING_NAMES, format_interval
from flashdeck.scheduling.state import CardState, check_stored
from flashdeck.textsafe import sanitize

# -- times ------------------------------------------------------------------------------------
def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


def local_dt(timestamp: int | None, tz) -> datetime | None:
    if timestamp is None:
        return None
    try:
        return datetime.fromtimestamp(timestamp, timezone.utc).astimezone(tz)
    except (TypeError, ValueError, OverflowError, OSError):
        return None  # a damaged log row (text, a time no calendar has): `doctor` reports it


def iso_local(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def time_text(moment: datetime | None) -> str:
    """`2026-11-24 10:00 +01:00`: local time, the offset written out."""
    if moment is None:
        return "—"
    offset = moment.utcoffset()
    if offset is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{moment:%Y-%m-%d %H:%M} {sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _interval(delta: timedelta | None) -> str | None:
    return None if delta is None else format_interval(delta)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """The real time from `start` to `end`. Two local times of one zone subtract as wall
    clock times in Python (02:55 CEST to 02:05 CET, 10 minutes, is "-50 minutes"): both
    are read in UTC first."""
    return end.astimezone(timezone.utc) - start.astimezone(timezone.utc)


def _relative(delta: timedelta) -> str:
    """`in 4d` for a time ahead, `3d ago` for one past."""
    if delta.total_seconds() >= 0:
        return f"in {format_interval(delta)}"
    return f"{format_interval(-delta)} ago"


# -- one review ---------------------------------------------------------------------------------
def _state(raw) -> dict:
    """A review's state_before/state_after JSON; {} when unreadable (doctor reports those)."""
    try:
        state = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


@dataclass(frozen=True, slots=True)
class Review:
    """One row of the review log, its times in local time."""

    id: int
    card_id: int
    time: datetime
    rating: str
    duration_ms: int | None
    state_before: str
    state_after: str
    due: datetime | None  # when the card was due after this answer
    deck: str
    front: str
    days: int | None = None  # a review card's interval: scheduling days to its due day

    @property
    def interval(self) -> timedelta | None:
        """What this answer gave: a review card's scheduling days (as its buttons showed
        them), else its due after it minus the time of the answer."""
        if self.days is not None:
            return timedelta(days=self.days)
        return None if self.due is None or self.time is None else elapsed(self.time, self.due)

    @classmethod
    def from_row(cls, row: ReviewRow, tz, day_start_hour: int = 4) -> "Review":
        before, after = _state(row.state_before), _state(row.state_after)
        due = after.get("due")
        days = None
        if isinstance(due, int) and after.get("state") == "review" \
                and after.get("rules", 1) != 1:  # due on a day (scheduling/step.py)
            try:
                days = step.logged_days(after, row.reviewed_at, due, tz, day_start_hour)
            except (OverflowError, ValueError, OSError):  # a damaged log: doctor reports it
                days = None
        return cls(
            days=days,
            id=row.id, card_id=row.card_id, time=local_dt(row.reviewed_at, tz),
            rating=RATING_NAMES.get(row.rating, str(row.rating)),
            duration_ms=row.duration_ms,
            state_before=str(before.get("state", "?")), state_after=str(after.get("state", "?")),
            due=local_dt(due, tz) if isinstance(due, int) else None,
            deck=row.deck, front=row.front,
        )

    def to_json(self) -> dict:
        return {
            "id": self.id, "card": self.card_id, "time": iso_local(self.time),
            "rating": self.rating, "duration_ms": self.duration_ms,
            "state_before": self.state_before, "state_after": self.state_after,
            "due": iso_local(self.due), "interval": _interval(self.interval), "deck": self.deck,
        }


def review_line(review: Review, with_card: bool = False) -> str:
    """One review as a line of plain text, the same in `info` and `log`:
    `2026-11-24 10:00 +01:00  good     10m         new → learning`
    (`with_card`: the card's id after the time, for the log of every card)."""
    card = f"card {review.card_id:>5}  " if with_card else ""
    interval = _interval(review.interval) or "—"
    return sanitize(f"{time_text(review.time)}  {card}{review.rating:<5} {interval:>5}  "
                    f"{review.state_before:>10} → {review.state_after}")


def iter_review_log(col, limit: int = 0, tz=None, day_start_hour: int = 4):
    """The last `limit` reviews (0: all), oldest first, read one by one (constant memory at
    any size of log: `collection.queries.iter_reviews`); times in `tz`, else local time."""
    tz = tz or clock.local_tz()
    return (Review.from_row(row, tz, day_start_hour) for row in iter_reviews(col, limit))


def card_history(col, card_id: int, tz=None, day_start_hour: int = 4) -> list[Review]:
    tz = tz or clock.local_tz()
    return [Review.from_row(row, tz, day_start_hour) for row in card_reviews(col, card_id)]


# -- one card -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CardInfo:
    card: CardView
    now: datetime  # local
    due: datetime | None  # local; None for a new card
    last_review: datetime | None
    stability: float | None  # days
    difficulty: float | None  # 1 (easy) .. 10 (hard)
    retrievability: float | None  # the probability of recall now; None for a new card
    buried_until: datetime | None  # set only while the card is buried
    history: list[Review]
    # a review card's due day from today's, in scheduling days (its interval is counted so:
    # given at 20:00, a 9-day interval ends 8 days and 8 hours later, "in 9d" as `answer`
    # said); None for other cards, whose due is a time
    due_days: int | None = None

    def to_json(self) -> dict:
        card = self.card
        return {
            "id": card.id, "deck": card.deck, "note": card.note, "line": card.line,
            "kind": card.kind, "front": card.front, "back": card.back, "state": card.state,
            "due": iso_local(self.due), "suspended": card.suspended,
            "buried": self.buried_until is not None,
            "buried_until": iso_local(self.buried_until),
            "leech": card.leech, "orphaned": card.orphaned,
            "stability": self.stability, "difficulty": self.difficulty,
            "retrievability": self.retrievability,
            "last_review": iso_local(self.last_review),
            "reps": card.reps, "lapses": card.lapses,
            "history": [r.to_json() for r in self.history],
        }

    def title(self) -> str:
        """`#12  deck · Note › Heading`: the card's header as `show` prints it."""
        return sanitize(f"#{self.card.id}  {header(self.card)}")

    def fields(self) -> list[tuple[str, str]]:
        """(label, value) lines of plain text, sanitised."""
        card = self.card
        if self.due is None:
            due = "— (new: not studied yet)"
        else:
            relative = (_relative(timedelta(days=self.due_days)) if self.due_days
                        else _relative(elapsed(self.now, self.due)))
            due = f"{time_text(self.due)} ({relative})"
        if self.stability is None and self.difficulty is None:
            memory = "— (new)"
        else:
            stability = "—" if self.stability is None else f"{self.stability:.2f} days"
            difficulty = "—" if self.difficulty is None else f"{self.difficulty:.2f} of 10"
            memory = f"stability {stability} · difficulty {difficulty}"
        recall = "— (new)" if self.retrievability is None else f"{self.retrievability:.1%}"
        flags = []
        if card.suspended:
            flags.append("suspended")
        if self.buried_until is not None:
            flags.append(f"buried until {time_text(self.buried_until)}")
        if card.leech:
            flags.append("leech")
        if card.orphaned:
            flags.append("orphaned (no longer in its note)")
        if card.source_missing:
            flags.append("source missing (the collection lost its vault's row; see `doctor`)")
        rows = [
            ("front", inline_text(card.front)),
            ("deck", card.deck),
            ("note", f"{card.note}:{card.line}"),
            ("kind", card.kind),
            ("state", card.state),
            ("due", due),
            ("memory", memory),
            ("recall now", recall),
            ("reviews", f"{card.reps} · lapses {card.lapses}"),
            ("flags", ", ".join(flags) or "none"),
        ]
        return [(label, sanitize(value)) for label, value in rows]


def recall_probability(engine, row, now: datetime) -> float | None:
    """FSRS's retrievability of the card now (py-fsrs, with the user's settings), the
    elapsed time counted as an answer now would count it: in whole scheduling days after
    the day of the last review, real time on that same day (`scheduling/step.py`)."""
    check_stored(row)
    state = CardState.from_dict(row)
    if state.state == "new" or state.stability is None or state.last_review is None:
        return None
    card = step.fsrs_card(row["id"], state, now)
    hour, tz = engine.config.day_start_hour, engine.tz()
    today = step.scheduling_date(now, hour, tz)
    last_day = step.scheduling_date(card.last_review, hour, tz)
    if last_day < today:
        card.last_review = datetime.combine(last_day, time(), tzinfo=timezone.utc)
        now = datetime.combine(today, time(), tzinfo=timezone.utc)
    return float(step.scheduler(engine.config).get_card_retrievability(card, now))


def card_info(engine, card_id: int, tz=None) -> CardInfo:
    """One card's state, memory and history as of the engine's now. Raises UsageError for
    an unknown id."""
    now = engine.now()
    tz = tz or clock.local_tz()
    col = engine.col
    row = card_row(col, card_id)
    card = CardView.from_row(row)
    new = row["state"] == "new"
    retrievability = None if new else recall_probability(engine, row, now)
    buried = row["buried_until"] is not None and row["buried_until"] > now.timestamp()
    return CardInfo(
        card=card, now=now.astimezone(tz),
        due=None if new else local_dt(row["due"], tz),
        last_review=local_dt(row["last_review"], tz),
        stability=None if new else row["stability"],
        difficulty=None if new else row["difficulty"],
        retrievability=retrievability,
        buried_until=local_dt(row["buried_until"], tz) if buried else None,
        history=card_history(col, card_id, tz, engine.config.day_start_hour),
        due_days=_due_days(row, now, tz, engine.config.day_start_hour),
    )


def _due_days(row, now: datetime, tz, hour: int) -> int | None:
    if row["state"] != "review" or row["due"] is None:
        return None
    return step.days_between(now, _utc(row["due"]), hour, tz)
