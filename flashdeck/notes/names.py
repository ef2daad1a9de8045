"""How a reader tells a note's names apart (its title, its aliases, a heading)."""

from __future__ import annotations

import re

__all__ = ["name_key", "NoteNames", "singular"]

_WORD_RE = re.compile(r"[^\W_]+")


def name_key(name: str) -> str:
    """A name as a reader tells names apart: case, punctuation, a possessive and a plural
    ending aside (`p-values` lists `p-value` and `P Value`, `Enzymes` lists `Enzyme`,
    `Newton's Method` lists `Newtons Method`, for links; none is another name for it)."""
    words = _WORD_RE.findall(name.casefold().replace("'", "").replace("\u2019", ""))
    if not words:  # a name of symbols only (`∑`) is told apart by its symbols
        return " ".join(name.casefold().split())
    return " ".join(_singular(w) for w in words)


def singular(word: str) -> str:
    """A casefolded word without a plural ending (`priors` is `prior`, `boxes` `box`)."""
    return _singular(word)


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


_MAX_NAME = 200  # characters of a heading compared with the note's names
_FIRST_RE = re.compile(r"\S")  # where a name of symbols only starts
_MAX_ALIASES = 50  # aliases of a note compared with its headings
_MAX_SEEN = 10_000  # texts whose answer NoteNames.of's names keep, made anew past this


def _first(folded: str) -> str:
    if folded[:1].isalnum():  # a word starts the text (`[^\W_]` is what isalnum() is)
        return folded[0]
    m = _WORD_RE.search(folded)
    if m is not None:
        return m.group(0)[0]
    m = _FIRST_RE.search(folded)
    return m.group(0) if m is not None else ""


class NoteNames:
    """The note's title and aliases, to tell a heading that only repeats one of them: it
    says nothing the breadcrumb's title does not (`# ROC AUC` in ROC AUC.md, `# Bayes'
    Theorem` in Bayes Theorem.md), and an alias there (`# Intersection over Union` in
    IoU.md) gives the aliases card's answer away above every card."""

    __slots__ = ("_title", "_keys", "_seen", "_longest", "_firsts", "_too_long")

    def __init__(self, title: str, aliases: list[str] | tuple[()] = ()) -> None:
        self._title = title.strip().casefold()
        self._keys = {name_key(title.strip()[:_MAX_NAME])} | {
            name_key(a[:_MAX_NAME]) for a in aliases[:_MAX_ALIASES]
            if isinstance(a, str) and a.strip()}
        self._keys.discard("")
        # a text much longer than every name is none of them (the common case, read fast)
        self._longest = 2 * max(map(len, self._keys), default=0) + 8
        self._firsts = {key[0] for key in self._keys}
        self._seen: dict[str, bool] = {}
        # a text longer than this is none of the names, nor the title: casefolding never
        # makes a text shorter (each character folds to one to three)
        self._too_long = max(self._longest, len(self._title))

    @classmethod
    def of(cls, title: str, aliases: list[str] | tuple[()] = ()) -> NoteNames:
        """NoteNames(title, aliases), the same one again for the same names: a note's
        breadcrumbs, its same-fact pass and its exercises' breadcrumbs ask for its names
        one after the other (what it tells depends on the names alone)."""
        global _last
        key = (title, list(aliases))
        if _last is not None and _last[0] == key and len(_last[1]._seen) < _MAX_SEEN:
            return _last[1]  # (notes of one name one after the other: bounded all the same)
        names = cls(title, aliases)
        _last = (key, names)
        return names

    def repeats(self, heading: str) -> bool:
        if len(heading) > self._too_long:  # most card sides: told without folding
            return False
        found = self._seen.get(heading)
        if found is None:
            folded = heading.casefold()
            first = _first(folded) if len(heading) <= self._longest else ""
            found = folded == self._title or (
                first in self._firsts
                and len(heading) <= _MAX_NAME and name_key(heading) in self._keys)
            self._seen[heading] = found
        return found


_last: tuple[tuple[str, list], NoteNames] | None = None  # NoteNames.of's last names
