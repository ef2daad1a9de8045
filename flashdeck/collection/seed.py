"""Seed a card's FSRS state from the Obsidian plugin's `<!--SR:…-->` schedule comment.

SM-2 form `!due,interval,ease`: the plugin's SM-2 has an interval in days and an ease in
percent (250 = 2.5). At the default desired retention (0.9) FSRS schedules the next review
`stability` days after the last one, so an SM-2 interval maps onto stability directly; ease
maps onto difficulty (1 easiest .. 10 hardest) with the plugin's default ease 250 in the
middle (5) and its minimum 130 at the hard end. The due date is kept as the plugin set it
(at the day-start hour, local time), so a migrating user sees the same cards due on the same
days.

FSRS form (plugin 1.14.2+): the plugin ran FSRS itself (ts-fsrs), so its card is taken as it
is: state, stability, difficulty, reps, lapses, the (re)learning step, the exact due time
and the last review. With no last review written (`-`) it is the due time less the
interval, as the plugin's own SM-2 → FSRS conversion does.

The parser bounds every field (flashdeck.notes._schedule); this module is defensive as
well: `state_from_sr` never raises, it returns None for a seed it cannot use (the card then
starts new). `seed_json`/`seed_from_json` are the `cards.sr_seed` column's format; the
SM-2 form keeps the JSON of earlier versions (`{"due", "interval", "ease"}`).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timedelta

from flashdeck.clock import local_tz
from flashdeck.notes.model import SRSeed

_STATES = {1: "learning", 2: "review", 3: "relearning"}


def difficulty_from_ease(ease: int) -> float:
    return min(10.0, max(1.0, 5.0 + (250 - ease) / 24))


def state_from_sr(seed: SRSeed, day_start_hour: int = 4) -> dict | None:
    """Card columns for a card the plugin has scheduled, or None when the seed cannot be
    used (the card starts new). Never raises."""
    try:
        tz = local_tz()
        if seed.is_fsrs:
            return _from_fsrs(seed, tz)
        return _from_sm2(seed, tz, day_start_hour)
    except Exception:  # out of range, overflow, a bad clock setting: the card starts new
        return None


def _from_sm2(seed: SRSeed, tz, day_start_hour: int) -> dict:
    due_day = seed.due.date() if isinstance(seed.due, datetime) else seed.due
    due = datetime.combine(due_day, time(hour=day_start_hour), tzinfo=tz)
    interval = max(1, int(seed.interval))
    last = due - timedelta(days=interval)
    return {
        "state": "review",
        "due": int(due.timestamp()),
        "step": None,
        "stability": float(interval),
        "difficulty": difficulty_from_ease(int(seed.ease)),
        "last_review": int(last.timestamp()),
        "reps": 1,
    }


def _from_fsrs(seed: SRSeed, tz) -> dict | None:
    state = _STATES.get(seed.state)  # type: ignore[arg-type]
    stability = float(seed.stability)  # type: ignore[arg-type]
    difficulty = float(seed.difficulty)  # type: ignore[arg-type]
    if state is None or not isinstance(seed.due, datetime):
        return None
    if not (math.isfinite(stability) and stability > 0 and math.isfinite(difficulty)):
        return None
    reps, lapses, step = int(seed.reps), int(seed.lapses), int(seed.step)
    if min(reps, lapses, step) < 0:
        return None
    due = _aware(seed.due, tz)
    if seed.last_review is not None:
        last = _aware(seed.last_review, tz)
    else:
        days = max(0, int(seed.interval))
        last = due - timedelta(days=max(1, days) if state == "review" else days)
    return {
        "state": state,
        "due": int(due.timestamp()),
        "step": None if state == "review" else step,
        "stability": stability,
        "difficulty": min(10.0, max(1.0, difficulty)),
        "last_review": int(last.timestamp()),
        "reps": reps,
        "lapses": lapses,
    }


def _aware(moment: datetime, tz) -> datetime:
    """A time the plugin wrote without an offset is local time (as moment.js reads it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def seed_json(seed: SRSeed) -> str:
    """The seed as the `cards.sr_seed` column holds it."""
    if not seed.is_fsrs:
        return json.dumps({"due": seed.due.isoformat()[:10], "interval": seed.interval,
                           "ease": seed.ease})
    return json.dumps({
        "form": "fsrs", "due": seed.due.isoformat(), "interval": seed.interval, "ease": seed.ease,
        "stability": seed.stability, "difficulty": seed.difficulty, "state": seed.state,
        "reps": seed.reps, "lapses": seed.lapses, "step": seed.step,
        "last_review": seed.last_review.isoformat() if seed.last_review else None,
    })


def seed_from_json(text: str) -> SRSeed:
    """The SRSeed a `cards.sr_seed` value holds (either form). Raises ValueError, KeyError
    or TypeError for a value it cannot read."""
    data = json.loads(text)
    if data.get("form") == "fsrs":
        last = data.get("last_review")
        return SRSeed(
            datetime.fromisoformat(data["due"]), int(data["interval"]), int(data.get("ease", 0)),
            float(data["stability"]), float(data["difficulty"]), int(data["state"]),
            int(data["reps"]), int(data["lapses"]), int(data["step"]),
            datetime.fromisoformat(last) if last is not None else None,
        )
    return SRSeed(date.fromisoformat(data["due"]), int(data["interval"]), int(data["ease"]))
