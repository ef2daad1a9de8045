"""Counted nouns for what the user reads: `1 card`, `2 cards` (no imports: every layer
may use it)."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 review`, `2 reviews`; `plural` for a noun that does not take an s."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def held_back(new: int, review: int) -> str:
    """The cards the sibling rules keep for another day, as `flashdeck due` and the deck
    list say it: `7 new`, `7 new and 2 due`; '' for none."""
    return " and ".join(f"{n} {kind}" for n, kind in ((new, "new"), (review, "due")) if n)
