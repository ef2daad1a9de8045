"""A card's scheduling state: one typed value, the columns the collection stores for it.

The review log keeps this value before and after every answer (`to_dict`, as JSON), so undo
restores it exactly and `doctor` can replay a card's history.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# The card columns an answer changes, in the collection's order; defined once, here.
SCHEDULING_COLUMNS: tuple[str, ...] = (
    "state", "due", "step", "stability", "difficulty", "last_review", "reps", "lapses",
    "suspended", "buried_until", "leech", "version")


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
