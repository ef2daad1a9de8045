"""The fronts of derived cards: grammatical for every shape of title, and asked by name.

A note title is a term as the author wrote it: singular or plural, "X and Y", an acronym,
"X vs Y", even a question. Fronts treat it as a term ("What is meant by *X*?"; "What is
the gist of *X*?" for a clause like "How to …") instead of guessing articles and number,
which no rule gets right for every noun ("What is *Confusion Matrix*?" lacks an article,
"What is *Specificity and Sensitivity*?" a plural).
"""

from __future__ import annotations

import re

from flashdeck.notes._latex import equation_sides

__all__ = ["summary_front", "aliases_front", "formula_front", "distinct_front",
           "ends_asking", "MARKS_AROUND", "QUESTION_MARKS"]

# what ends a question: `?`, the full-width `？` of Chinese and Japanese, the Arabic `؟`
QUESTION_MARKS = ("?", "\uff1f", "\u061f")

_VS_RE = re.compile(r"\s+(?:vs\.?|versus)\s+", re.I)
# a title that is a clause, not a term (`How to Temper Chocolate`, `Why Dice Beats CE`):
# nothing is "meant by" it
_CLAUSE_RE = re.compile(r"(?:how|why|when|where|which|what|who|whose)\s", re.I)


def _em(text: str) -> str:
    """`text` in italics, unless it already holds markdown that italics would break."""
    text = text.strip()
    return f"*{text}*" if text and "*" not in text and "_" not in text else text


# a colon ending a heading (`#### _proof:_`), inside its emphasis or not: the front adds its
# own `: …` or `?` after the place ("proof:: S = ?", "… › proof:?" before)
_TRAILING_COLON_RE = re.compile(r":(\s*[_*]*)\s*$")


def _no_colon(place: str) -> str:
    place = place.rstrip()
    return _TRAILING_COLON_RE.sub(r"\1", place) if ":" in place else place


# what may close around a question's mark: emphasis, strikethrough, a highlight
MARKS_AROUND = "*_~="


def ends_asking(text: str) -> bool:
    """Whether `text` ends with a question mark, inside emphasis, strikethrough or a
    highlight too (`**Why?**`, `==Why?==`)."""
    return text.rstrip(MARKS_AROUND).endswith(QUESTION_MARKS)


def _asked(phrase: str) -> str:
    """`phrase` ended as a question: one that ends in a title's own question mark
    (`… for *Why is the sky blue?*`) takes no second one (`?*?`), as in print."""
    return phrase if ends_asking(phrase) else phrase + "?"


def summary_front(title: str) -> str:
    title = title.strip()
    if title.endswith(QUESTION_MARKS):
        return title
    parts = _VS_RE.split(title)
    if len(parts) == 2 and all(p.strip() for p in parts):
        return f"How do {_em(parts[0])} and {_em(parts[1])} differ?"
    if _CLAUSE_RE.match(title):
        return f"What is the gist of {_em(title)}?"
    return f"What is meant by {_em(title)}?"


def aliases_front(title: str, count: int) -> str:
    if count == 1:
        return _asked(f"What is another name for {_em(title)}")
    return _asked(f"What are other names for {_em(title)}")


def formula_front(latex: str, title: str, heading: str = "", intro: str = "",
                  with_heading: bool = False) -> str:
    """The front of a display formula: asked by the names on its left-hand sides
    (`F_1 = …` gives "F₁ = ?" once rendered, `a \\approx …` "a ≈ ?") or by the sentence
    that introduces it, with the note as context (and the heading, `with_heading`; a named
    formula then also with its introducing sentence); else by the note and heading.
    """
    sides = equation_sides(latex)
    place = _no_colon(" › ".join(p for p in (title.strip(), heading.strip()) if p))
    where = _em(place if with_heading else title)
    if sides:  # `\log_2(n!) \approx …` is asked "log₂(n!) ≈ ?", as `F_1 = …` is "F₁ = ?"
        asks = [f"${name}$ {relation} ?" for name, relation in sides]
        listed = asks[0] if len(asks) == 1 else ", ".join(asks[:-1]) + " and " + asks[-1]
        intro = intro.strip().rstrip(":").rstrip()
        if with_heading and intro:  # two formulas of one name: told apart by their sentence
            return f"{where}: {intro}: {listed}"
        return f"{where}: {listed}"
    intro = intro.strip().rstrip(":").rstrip()
    if intro:  # `Specificity is …` (its formula left out) asks as it reads
        return f"{where}: {intro}?" if intro.endswith("…") else f"{where}: {intro} …?"
    return _asked(f"What is the formula for {_em(place)}")


def distinct_front(front: str, context: str, ordinal: int) -> str:
    """A front made unique within its note: the heading it sits under, else a number."""
    if context:
        return f"{front} ({context})"
    return f"{front} ({ordinal})"
