"""How a reader tells a note's names apart (its title, its aliases, a heading)."""

from __future__ import annotations

import re

__all__ = ["name_key"]

_WORD_RE = re.compile(r"[^\W_]+")


def name_key(name: str) -> str:
    """A name as a reader tells names apart: case, punctuation, a possessive and a plural
    ending aside (`p-values` lists `p-value` and `P Value`, `Enzymes` lists `Enzyme`,
    `Newton's Method` lists `Newtons Method`, for links; none is another name for it)."""
    words = _WORD_RE.findall(name.casefold().replace("'", "").replace("\u2019", ""))
    if not words:  # a name of symbols only (`∑`) is told apart by its symbols
        return " ".join(name.casefold().split())
    return " ".join(_singular(w) for w in words)


def _singular(word: str) -> str:
    if len(word) > 3:
        if word.endswith("ies"):
            word = word[:-3] + "y"
        elif word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        # `boxes`/`box`, `sauces`/`sauce`: an `e` where a plural may add `es`, after a
        # hiss (`-ce -ge -se -xe -ze -che -she`); not any `e` (`Mod` is no `Mode`)
        if len(word) > 3 and word.endswith("e") and word[-2] in "cgsxzh":
            word = word[:-1]
    return word
