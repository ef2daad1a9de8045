"""A card's scheduling state: one typed value, the columns the collection stores for it.

The review log keeps this value before and after every answer (`to_dict`, as JSON), so undo
restores it exactly and `doctor` can replay a card's history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from flashdeck.errors import CollectionError

# The card columns an answer changes, in the collection's order; defined once, here.
SCHEDULING_COLUMNS: tuple[str, ...] = (
    "state", "due", "step", "stability", "difficulty", "last_review", "reps", "lapses",
    "suspended", "buried_until", "leech", "version")
# `UPDATE cards SET <this> WHERE ...`: the columns, each bound in SCHEDULING_COLUMNS' order
SCHEDULING_SET = ", ".join(f"{name} = ?" for name in SCHEDULING_COLUMNS)


@dataclass(slots=True)
class CardState:
    state: str = "new"  # new | learning | review | relearning
    due: int | None = None  # epoch seconds (UTC)
    step: int | None = None  # the (re)learning step, while in one
    stability: float | None = None
    difficulty: float | None = None
    last_review: int | None = None  # epoch seconds (UTC)
    reps: int = 0
    lapses: int = 0
    suspended: int = 0
    buried_until: int | None = None  # epoch seconds (UTC)
    leech: int = 0
    version: int = 0  # bumped by every change (optimistic concurrency)

    @classmethod
    def from_dict(cls, data: Any) -> CardState:
        """From a dict or an sqlite3.Row holding at least the scheduling columns."""
        return cls(**{name: data[name] for name in SCHEDULING_COLUMNS})

    def to_dict(self) -> dict[str, Any]:
        # every field is a plain value: no need for asdict's recursive deep copy (a fifth
        # of the time an answer and its previews take)
        return {name: getattr(self, name) for name in SCHEDULING_COLUMNS}


assert tuple(f.name for f in fields(CardState)) == SCHEDULING_COLUMNS

STATES = ("new", "learning", "review", "relearning")
_TIMES = ("due", "last_review", "buried_until")
# the seconds a datetime can hold (years 1 to 9999): a stored time outside them is damage
_FIRST, _LAST = -62135596800, 253402300799


def _damaged(name: str, value: Any) -> bool:
    if name == "state":
        return value not in STATES
    if name in ("stability", "difficulty"):
        return value is not None and (isinstance(value, bool)
                                      or not isinstance(value, (int, float))
                                      or not math.isfinite(value) or value <= 0)
    if value is None:
        return name not in _TIMES and name != "step"
    if isinstance(value, bool) or not isinstance(value, int):
        return True
    return name in _TIMES and not _FIRST <= value <= _LAST


def stored_problem(row: Any) -> str | None:
    """What is damaged in a card row's stored schedule, in one line naming the card, the
    value and what fixes it (None: nothing): a value no flashdeck writes (a damaged page, a
    flipped bit, a hand edit past SQLite's checks), or a studied card with no due time."""
    for name in SCHEDULING_COLUMNS:
        value = row[name]
        if _damaged(name, value):
            return _DAMAGED.format(row["id"], f"{name} = {value!r}")
        if name == "due" and value is None and row["state"] != "new":
            return _DAMAGED.format(row["id"], f"due = None for a {row['state']} card")
    return None


_DAMAGED = ("card {}: its stored schedule is damaged ({}); `flashdeck doctor --fix` sets it"
            " from its review log")


def check_stored(row: Any) -> None:
    """A CollectionError naming the card and the column when a stored scheduling value is
    one no flashdeck writes (`stored_problem`): FSRS and the calendar then failed deep
    inside ("internal error: year 3170843 is out of range"). `doctor --fix` sets such a
    card to the state its review log replays to."""
    problem = stored_problem(row)
    if problem is not None:
        raise CollectionError(problem)


def review_damage(review_id: Any, card_id: Any, rating: Any, reviewed_at: Any,
                  consequence: str = "") -> str | None:
    """One line naming a review whose rating or time is one no flashdeck writes (a damaged
    page, a hand edit past the table's checks; a time outside the clock's range), what it
    means for the command (`consequence`) and what to do, as `undo` says it; None for a
    sound one."""
    from flashdeck.clock import EARLIEST, LATEST

    if type(rating) is not int or not 1 <= rating <= 4:
        what = f"rating = {rating!r}"
    elif type(reviewed_at) is not int \
            or not EARLIEST.timestamp() <= reviewed_at < LATEST.timestamp():
        what = f"time = {reviewed_at!r}"
    else:
        return None
    return (f"review {review_id}, card {card_id}: its row in the review log is damaged"
            f" ({what}){'; ' + consequence if consequence else ''}; run `flashdeck doctor`")
