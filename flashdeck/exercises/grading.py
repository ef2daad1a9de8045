"""Grading a typed answer against an instance.

People write the same number many ways — `3/4`, `600/800`, `0.75`, `.75`, `75%` — and all
of them are right; only an unreduced fraction earns a gentle "reduce it" remark. Decimals
are compared within the template's tolerance because nobody types 2/3 to 16 places.
"""

from __future__ import annotations

import re
from fractions import Fraction

from flashdeck.exercises.model import Instance, Verdict
from flashdeck.exercises.text import decimal, exact_places, fraction

ACCEPTED = "a fraction (3/4), a decimal (0.75 or .75) or a percentage (75%)"

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_FRACTION = re.compile(r"([+-]?\d+)\s*/\s*([+-]?\d+)")
_PERCENT = re.compile(rf"({_NUM})\s*%")
_DECIMAL = re.compile(_NUM)
_UNICODE = str.maketrans({"−": "-", "–": "-", "⁄": "/", "∕": "/", "÷": "/", "٫": ".", " ": " "})


class Reading:
    """What the user typed, read as an exact number."""

    __slots__ = ("value", "form", "reduced")

    def __init__(self, value: Fraction, form: str, reduced: bool = True) -> None:
        self.value = value
        self.form = form  # "fraction", "decimal" or "percent"
        self.reduced = reduced


def read_answer(typed: str, unit: str = "") -> Reading | None:
    """Read a typed answer; None when it is not a number in an accepted form."""
    text = typed.translate(_UNICODE).strip()
    if unit:
        folded = text.casefold()
        for affix in {unit.casefold(), unit.casefold().rstrip("s")}:
            if affix and folded.endswith(affix):
                text = text[: -len(affix)].strip()
                break
            if affix and folded.startswith(affix):
                text = text[len(affix):].strip()
                break
    if match := _FRACTION.fullmatch(text):
        top, bottom = int(match[1]), int(match[2])
        if bottom == 0:
            return None
        value = Fraction(top, bottom)
        reduced = abs(bottom) == value.denominator
        return Reading(value, "fraction", reduced)
    if match := _PERCENT.fullmatch(text):
        return Reading(Fraction(match[1]) / 100, "percent")
    if _DECIMAL.fullmatch(text):
        return Reading(Fraction(text), "decimal")
    return None


def shown(value: Fraction, unit: str = "") -> str:
    """3/4 = 0.75, 2/3 ≈ 0.6667, 15 — how the expected answer is named in messages."""
    suffix = f" {unit}" if unit else ""
    if value.denominator == 1:
        return f"{value.numerator}{suffix}"
    sign = "=" if exact_places(value) is not None else "≈"
    return f"{fraction(value)} {sign} {decimal(value)}{suffix}"


def grade(instance: Instance, typed: str) -> Verdict:
    """Right, right-but-unsimplified, wrong or unreadable, with what to tell the user."""
    expected = Fraction(instance.answer)
    answer_text = shown(expected, instance.unit)
    reading = read_answer(typed, instance.unit)
    if reading is None:
        if not typed.strip():
            return Verdict("unreadable", f"No answer given. Type {ACCEPTED}.", "again")
        return Verdict("unreadable", f"Could not read {typed.strip()!r} as a number. "
                       f"Type {ACCEPTED}.", "again")
    tolerance = Fraction(repr(float(instance.tolerance)))
    typed_text = " ".join(typed.split())
    if reading.value == expected:
        if reading.form == "fraction" and not reading.reduced:
            return Verdict("unsimplified", f"Right, but {typed_text} reduces to "
                           f"{fraction(expected)} ({answer_text}).", "good")
        return Verdict("right", f"Right: {answer_text}.", "good")
    if abs(reading.value - expected) <= tolerance:
        return Verdict("right", f"Right: {answer_text} ({typed_text} is within "
                       f"±{decimal(tolerance)}).", "good")
    message = f"Not quite: you gave {typed_text}; the answer is {answer_text}."
    for trap_answer, trap_message in instance.traps:
        if abs(reading.value - Fraction(trap_answer)) <= tolerance:
            message = f"{message} {trap_message}"
            break
    return Verdict("wrong", message, "again")
