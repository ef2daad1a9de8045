"""Seed a card's FSRS state from the Obsidian plugin's `<!--SR:!due,interval,ease-->` comment.

The plugin runs SM-2: an interval in days and an ease in percent (250 = 2.5). At the
default desired retention (0.9) FSRS schedules the next review `stability` days after the
last one, so an SM-2 interval maps onto stability directly; ease maps onto difficulty
(1 easiest .. 10 hardest) with the plugin's default ease 250 in the middle (5) and its
minimum 130 at the hard end. The due date is kept as the plugin set it, so a migrating
user sees the same cards due on the same days.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flashdeck.notes.model import SRSeed


def difficulty_from_ease(ease: int) -> float:
    return min(10.0, max(1.0, 5.0 + (250 - ease) / 24))


def state_from_sr(seed: SRSeed, day_start_hour: int = 4) -> dict:
    """Card columns for a card the plugin has scheduled (a review card)."""
    from flashdeck.clock import local_tz

    tz = local_tz()
    due = datetime.combine(seed.due, time(hour=day_start_hour), tzinfo=tz)
    interval = max(1, seed.interval)
    last = due - timedelta(days=interval)
    return {
        "state": "review",
        "due": int(due.timestamp()),
        "step": None,
        "stability": float(interval),
        "difficulty": difficulty_from_ease(seed.ease),
        "last_review": int(last.timestamp()),
        "reps": 1,
    }
