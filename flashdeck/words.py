"""Counted nouns for what the user reads: `1 card`, `2 cards` (no imports: every layer
may use it)."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 review`, `2 reviews`; `plural` for a noun that does not take an s."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
