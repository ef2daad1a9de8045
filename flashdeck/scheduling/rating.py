"""The four answers to a card, as FSRS numbers them: 1 Again, 2 Hard, 3 Good, 4 Easy."""

from __future__ import annotations

from enum import IntEnum

from flashdeck.errors import UsageError


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def word(self) -> str:
        """`again`: as typed on the command line and printed in JSON."""
        return self.name.lower()

    @property
    def label(self) -> str:
        """`Again`: as on the grade buttons."""
        return self.name.capitalize()

    @classmethod
    def named(cls, name: str) -> Rating | None:
        """The rating called `name` (`good`; any case), or None."""
        return cls.__members__.get(str(name).strip().upper())


def check_rating(rating: int) -> None:
    """Refuse anything but 1-4 (a UsageError)."""
    if rating not in Rating._value2member_map_:
        raise UsageError(f"{rating!r} is not a rating (1-4)")


def parse_rating(value: str) -> Rating:
    """`again`, `hard`, `good`, `easy` (any case) or `1`-`4`; a UsageError otherwise."""
    text = str(value).strip()
    rating = Rating.named(text)
    if rating is None and text in ("1", "2", "3", "4"):
        rating = Rating(int(text))
    if rating is None:
        raise UsageError(f"{value!r} is not a rating: use again, hard, good or easy (or 1-4)")
    return rating
