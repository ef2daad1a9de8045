"""Which keys an exercise's answer box takes and which stay commands (PRODUCT.md §4: `q`
quits, and u s b e i work, without leaving the box): a key is typed only when it can
continue the answer written so far. Plain rules, no widgets."""

from __future__ import annotations

import re

COMMAND_KEYS = frozenset({"u", "s", "b", "e", "i", "question_mark", "q", "space"})
_MONEY_WORDS = ("dollars", "dollar")
_WORD_AT_END = re.compile(r"[^\W\d_]+$")


def answer_words(unit: str = "") -> tuple[str, ...]:
    """The words an answer may end with: the exercise's unit (singular or plural, as the
    grader reads it), `percent`, and for money (a currency unit, or none) `dollars`."""
    from flashdeck.exercises.grading import CURRENCY  # ~8 ms: exercise cards only
    from flashdeck.exercises.text import CURRENCY_WORDS

    unit = (unit or "").strip().casefold()
    words = {"percent"}
    if unit and unit not in CURRENCY:
        words |= {unit, unit.rstrip("s"), unit + "s"}
    else:  # `4 euros` for €, `8.89 dollars` for $ or no unit
        words.update(CURRENCY_WORDS.get(unit, _MONEY_WORDS))
    return tuple(sorted(w for w in words if w))


def types_into_answer(before: str, character: str | None,
                      words: tuple[str, ...] = ()) -> bool:
    """Whether `character`, typed after `before` (the answer box's text up to the cursor),
    can continue an answer; if not, its key is a command.

    An answer is a number — digits, `.` `,` `/` `%` `-` `+`, a currency sign, spaces
    between digits, `e`/`E` right after a digit (`1e-3`) — and at most one word after it:
    a word of `words` (`15 mph`, `8.89 dollars`) may begin with any letter, and a word once
    begun takes every letter. `q` and `?` are never typed, nor a space into an empty box."""
    if not character:
        return False
    if character in "q?":
        return False
    if character.isspace():
        return bool(before.strip())
    if not character.isalpha():
        return True
    match = _WORD_AT_END.search(before)
    word = match.group() if match else ""
    head = before[: len(before) - len(word)]
    after_digit = head[-1:].isdigit()
    folded = (word + character).casefold()
    if word and not (word in ("e", "E") and after_digit):
        return True  # a word in progress: `15 mi` + `n`
    if not word and character in "eE" and after_digit:
        return True  # scientific notation: `1` + `e`
    last = head.rstrip()[-1:]  # a word of `words` begins only after the number
    return (last.isdigit() or last == "%") and any(w.startswith(folded) for w in words)
