"""The session's values the first card does not need: an answer waiting for a busy
collection (`Pending`) and the end of a sitting (`Summary`). A module of their own, imported
on first use (`flashdeck.tui.session` names them too): a dataclass is built, its methods
compiled, when its module is imported, ~1 ms each before the first card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flashdeck.scheduling.engine import Counts
from flashdeck.tui.session import counts_text, format_duration

if TYPE_CHECKING:
    from flashdeck.scheduling.upcoming import Upcoming


@dataclass(frozen=True, slots=True)
class Pending:
    """An answer given but not yet written (the collection was busy)."""

    card_id: int
    rating: int
    duration_ms: int
    version: int | None
    deck: str | None


@dataclass(frozen=True, slots=True)
class Summary:
    done: int
    again: int
    by_rating: dict[int, int]
    seconds: float
    left: Counts  # still due today (the session's deck), learning cards due later aside
    upcoming: Upcoming
    deck: str | None = None  # a `--deck` session's deck
    elsewhere: Counts | None = None  # a deck session: what is due in the other decks

    @property
    def again_rate(self) -> float | None:
        return self.again / self.done if self.done else None

    def line(self, tz) -> str:
        """The one-line summary printed to the terminal when the TUI exits."""
        left = ", ".join(f"{n} {name}" for n, name in ((self.left.new, "new"),
                         (self.left.learning, "learning"), (self.left.review, "review")) if n)
        still = f"Still due today: {left}. " if left else ""
        if self.deck:
            still = (f"Still due today in {self.deck}: {left}. " if left else "") + \
                (f"Elsewhere: {counts_text(self.elsewhere)} due. "
                 if self.elsewhere is not None and self.elsewhere.total else "")
        upcoming = self.upcoming.describe(tz, still_due=bool(left))
        if not self.done:
            return f"No cards reviewed. {still}{upcoming[0].upper()}{upcoming[1:]}."
        rate = f"{self.again_rate:.0%}" if self.again_rate is not None else "-"
        return (f"Reviewed {self.done} card{'s' if self.done != 1 else ''} in "
                f"{format_duration(self.seconds)}, again {rate}. {still}"
                f"Next: {upcoming}.")
