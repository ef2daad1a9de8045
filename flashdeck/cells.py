"""Terminal columns of a string: what every line fitted to a terminal is measured with.

Its own module, with nothing but `unicodedata` behind it: `flashdeck stats` fits its lines
with it, and took it from mathtext's layout, whose package import (the LaTeX renderer, its
symbol tables) was ~20 ms of a command that renders no math (issue 23)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """One character's columns: combining marks and joiners none, East Asian wide two."""
    if unicodedata.combining(ch) or ch in "\u200b\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Terminal columns: combining marks take none, East Asian wide characters two."""
    if text.isascii():
        return len(text)
    # Most lines are made of a few distinct one-column characters (`─`, `⎛`, letters): look
    # each distinct character up once instead of every character (layout measures a lot).
    if all(char_width(ch) == 1 for ch in set(text)):
        return len(text)
    return sum(char_width(ch) for ch in text)
