"""Grading a typed answer against an instance.

People write the same number many ways — `3/4`, `600/800`, `0.75`, `.75`, `75%`, `0,75`,
`$8.89`, `15 mph`, `1e-3` — and all of them are right; only an unreduced fraction earns a
gentle "reduce it" remark. Decimals are compared within the template's tolerance because
nobody types 2/3 to 16 places (and an answer computed with sqrt/log/exp is a float).

How a typed answer is read (`read`), in this order:
- at most MAX_TYPED characters (a pasted 5,000-digit number gets a message, never an error);
- Unicode minus, fraction slash, ½-style fractions and full-width digits are normalised;
- an `=` or `≈` before the number, a sign set apart (`- 0.5`) and a full stop after a
  percentage or a decimal (`75%.`, `0.75.`) are dropped: an answer written as in a sentence;
- a currency sign ($ € £ ¥ ₹) before or after the number, the template's unit (`mph`, its
  singular or plural; `cm^2` is `cm²`), or — when the template has no unit — one word after
  the number (`15 pixels`, `16 m²`) are set aside; `%` (or `percent`) makes it a percentage;
  another unit word than the template's (`16 m²` for `cm²`) is named in the message;
- the number: a fraction `a/b` (`1/0` is named a division by zero), a decimal, or scientific
  notation (`1e-3`, `2.5E2`, `2.5×10^3`, exponent at most ±MAX_EXPONENT);
- separators: a number with both `,` and `.` takes the last one as the decimal mark and the
  other as the thousands separator (`1,234.5`, `1.234,5`); with only commas, a comma
  followed by exactly three digits and then nothing but more such groups, after a first
  group of 1-3 digits that is not `0`, separates thousands (`1,234` is 1234, `1,234,567`),
  any other single comma is a decimal comma (`0,3658`, `0,375`, `12,5`) — and `grade` takes
  an ambiguous `2,303` as a decimal comma when that, not 2303, is right; several dots are
  thousands separators only in groups of three (`1.234.567`), one dot is a decimal point
  (`1.234` is 1.234); spaces, thin spaces, `'` and `_` separate thousands in groups of three
  (`1 234`). Anything else is unreadable, with a message saying what is accepted.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from flashdeck.exercises.model import Instance, Verdict
from flashdeck.exercises.text import (APPROX_PLACES, CURRENCY_WORDS, answer_text, decimal,
                                      fraction, is_exact)

ACCEPTED = "a fraction (3/4), a decimal (0.75 or .75) or a percentage (75%)"
MAX_TYPED = 100  # characters
MAX_EXPONENT = 1000  # of scientific notation: 1e-1000 is still just a number to compare
CURRENCY = "$€£¥₹₩₽¢"

_UNICODE = str.maketrans({"−": "-", "–": "-", "—": "-", "⁄": "/", "∕": "/", "÷": "/",
                          "٫": ".",
                          "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
                          "’": "'", "×": "x", "·": "x", "⋅": "x"})
_DIGITS = r"\d[\d,.' _]*"
_NUMBER = re.compile(rf"(?P<sign>[+-]?)(?P<body>{_DIGITS}|[.,]\d[\d' _]*)"
                     r"(?:\s*(?:[eE](?P<e>[+-]?\d{1,5})"  # 1e-3
                     r"|[xX*]\s*10\s*(?:\^|\*\*)\s*(?P<x>[+-]?\d{1,5})))?")  # 2.5×10^3
_FRACTION = re.compile(r"(?P<top>[^/]+?)\s*/\s*(?P<bottom>[^/]+)")
# a unit word after the number: letters (`pixels`, `km/h`), or a square or cubic unit
# (`cm2`, `m3`, `m/s2`: `²` is `2` by then, `^2` too); one letter with a power only after a
# space, so that `5e2` stays a number
_UNIT_WORD = r"(?:[^\W\d_]{2,}|(?<=\s)[^\W\d_])[23]?(?:/[^\W\d_]+[23]?)?"
_TRAILING_WORD = re.compile(r"(?P<num>.*\d)\s*(?P<word>" + _UNIT_WORD + r"\.?)")
_CARET_POWER = re.compile(r"(?<=[^\W\d_])\^([23])(?!\d)")


class Reading:
    """What the user typed, read as an exact number."""

    __slots__ = ("value", "form", "reduced", "whole")

    def __init__(self, value: Fraction, form: str, reduced: bool = True,
                 whole: bool = False) -> None:
        self.value = value
        self.form = form  # "fraction", "decimal" or "percent"
        self.reduced = reduced
        self.whole = whole  # a fraction of two whole numbers (`82/183`): an exact claim


class Unreadable(str):
    """Why a typed answer could not be read (a message for the user)."""


def read_answer(typed: str, unit: str = "") -> Reading | None:
    """Read a typed answer; None when it is not a number in an accepted form."""
    result = read(typed, unit)
    return result if isinstance(result, Reading) else None


def read(typed: object, unit: str = "") -> Reading | Unreadable:
    """Read a typed answer, or say why it cannot be read. Never raises."""
    if not isinstance(typed, str):
        return Unreadable("No answer given.")
    text = typed.strip()
    if not text:
        return Unreadable("No answer given.")
    if len(text) > MAX_TYPED:
        return Unreadable(f"That answer is {len(text):,} characters long; an answer is a number "
                          f"of at most {MAX_TYPED} characters.")
    text = unicodedata.normalize("NFKC", text).translate(_UNICODE).strip()
    if len(text) > MAX_TYPED:  # NFKC can lengthen text (a ligature becomes several letters)
        return Unreadable("not a number")
    text = _as_written_in_a_sentence(text)
    if text[:1] in ("+", "-") and _currency(text[1:2]):  # -$8.89
        text = text[1] + text[0] + text[2:]
    text, percent = _strip_affixes(text, unit)
    if text is None:
        return Unreadable(percent)  # type: ignore[arg-type]  # the message
    if match := _FRACTION.fullmatch(text):
        top, bottom = _number(match["top"]), _number(match["bottom"])
        if isinstance(top, Unreadable) or isinstance(bottom, Unreadable):
            return top if isinstance(top, Unreadable) else bottom  # type: ignore[return-value]
        if bottom == 0:
            return Unreadable(f"{_quote(typed)} divides by zero, so it is not a number.")
        value = top / bottom
        if percent:
            return Reading(value / 100, "percent")
        whole = top.denominator == 1 and bottom.denominator == 1
        reduced = not whole or abs(bottom) == value.denominator
        return Reading(value, "fraction", reduced, whole)
    value = _number(text)
    if isinstance(value, Unreadable):
        return value
    return Reading(value / 100, "percent") if percent else Reading(value, "decimal")


_ONE_THOUSANDS_COMMA = re.compile(r"[^,.]*\d,\d{3}(?!\d)[^,.]*")


def _decimal_comma_reading(typed: str, unit: str, reading: Reading) -> Fraction | None:
    """The other reading of an ambiguous `2,303` (one comma, then exactly three digits, no
    dot): read as thousands (2303) first, but a decimal comma (2.303) to many people."""
    if reading.form == "fraction" or not _ONE_THOUSANDS_COMMA.fullmatch(typed.strip()):
        return None
    other = read(typed.replace(",", ".", 1), unit)
    return other.value if isinstance(other, Reading) else None


_DECIMAL_AND_STOP = re.compile(r"\d[.,]\d+\.\Z")


def _as_written_in_a_sentence(text: str) -> str:
    """The number of an answer written as in a sentence or copied from the working: an
    `=` or `≈` before it (`≈ 0.7847`), a sign set apart (`- 0.5`), a full stop after a
    percentage or a decimal (`75%.`, `0.75.`; `15.` and `3/4.` read as numbers anyway)."""
    if text[:1] in "=≈~":
        text = text[1:].lstrip()
    if text[:1] in "+-" and text[1:2].isspace():
        text = text[0] + text[1:].lstrip()
    if text.endswith(".") and (text[:-1].rstrip().endswith("%")
                               or _DECIMAL_AND_STOP.search(text)):
        text = text[:-1].rstrip()
    return text


def _currency(char: str) -> bool:
    return len(char) == 1 and char in CURRENCY


def _quote(typed: str) -> str:
    text = " ".join(typed.split())
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _strip_affixes(text: str, unit: str) -> tuple[str | None, object]:
    """The number's text without currency, unit or percent sign, and whether it was a
    percentage; (None, message) when another unit is given."""
    percent = False
    unit = unit.strip()
    # the unit read as the answer is (NFKC): `cm²` typed is `cm2` by then
    folded_unit = unicodedata.normalize("NFKC", unit).translate(_UNICODE).casefold()
    units = {u for u in (folded_unit, folded_unit.rstrip("s"), folded_unit + "s") if u}
    units.update(CURRENCY_WORDS.get(unit, ()))  # `$`: `8.89 dollars` too
    text = _CARET_POWER.sub(r"\1", text)  # `36 cm^2` is `36 cm²`
    for _ in range(3):  # `$ 8.89`, `75 %`, `15 mph`: at most a sign and a unit, either side
        before = text
        if _currency(text[:1]):
            text = text[1:].strip()
        if _currency(text[-1:]):
            text = text[:-1].strip()
        for affix in sorted(units, key=len, reverse=True):
            folded = text.casefold()
            # the whole unit, not its end (`16 cm` is not `16 c` and the unit m)
            if folded.endswith(affix) and len(text) > len(affix) \
                    and not (affix[:1].isalpha() and text[-len(affix) - 1].isalpha()):
                text = text[: -len(affix)].strip()
                break
            if folded.startswith(affix) and len(text) > len(affix) and not affix[:1].isdigit() \
                    and not (affix[-1:].isalpha() and text[len(affix)].isalpha()):
                text = text[len(affix):].strip()
                break
        if not percent and (text.endswith("%") or text.casefold().endswith(" percent")):
            text = text[:-1].strip() if text.endswith("%") else text[: -len(" percent")].strip()
            percent = True
        if text == before:
            break
    # one word after the number: `15 pixels` (no unit asked), or the wrong unit (`15 km`)
    if match := _TRAILING_WORD.fullmatch(text):
        word = match["word"].casefold().rstrip(".")
        if unit and word not in units:
            given = re.sub(r"(?<=[^\W\d_])[23]", lambda m: "²³"[int(m[0]) - 2], match["word"])
            return None, (f"The answer is asked in {unit}, not {given}: type the "
                          f"number (in {unit}).")
        text = match["num"].strip()
    return text, percent


def _number(text: str) -> Fraction | Unreadable:
    """One number: a decimal with separators, in scientific notation or not."""
    text = text.strip()
    match = _NUMBER.fullmatch(text)
    if not match:
        return Unreadable("not a number")
    digits = _digits(match["body"])
    if digits is None:
        return Unreadable(f"{_quote(text)}: the separators are not read as thousands or a "
                          "decimal mark (write 1234.5, 1,234.5 or 0,75).")
    exponent_text = match["e"] or match["x"]
    exponent = int(exponent_text) if exponent_text else 0
    if abs(exponent) > MAX_EXPONENT:
        return Unreadable(f"{_quote(text)} is too large or too small a number to be an answer.")
    value = Fraction(digits) * Fraction(10) ** exponent
    return -value if match["sign"] == "-" else value


def _digits(body: str) -> str | None:
    """`1,234.5` -> `1234.5`, `0,3658` -> `0.3658`; None when the separators make no sense."""
    body = body.strip()
    for sep in " '_":
        if sep in body:
            head, *groups = body.split(sep)
            last = groups[-1]
            tail = ""
            for mark in ",.":  # the last group may carry the decimal part: `1 234,5`
                if mark in last and mark not in "".join(groups[:-1]) + head:
                    last, tail = last.split(mark, 1)[0], mark + last.split(mark, 1)[1]
                    break
            if not _thousands(head, [*groups[:-1], last]):
                return None
            body = head + "".join(groups[:-1]) + last + tail
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        mark, other = ("." , ",") if body.rfind(".") > body.rfind(",") else (",", ".")
        whole, _, part = body.rpartition(mark)
        if body.count(mark) != 1 or not _thousands(*_split(whole, other)) or other in part:
            return None
        return _plain(whole.replace(other, "") + "." + part)
    if commas:
        head, *groups = body.split(",")
        if _thousands(head, groups):
            return _plain("".join([head, *groups]))
        if commas == 1:
            return _plain(body.replace(",", "."))
        return None
    if dots > 1:
        head, *groups = body.split(".")
        return _plain("".join([head, *groups])) if _thousands(head, groups) else None
    return _plain(body)


def _split(whole: str, sep: str) -> tuple[str, list[str]]:
    head, *groups = whole.split(sep)
    return head, groups


def _thousands(head: str, groups: list[str]) -> bool:
    """`1` `234` `567`: a first group of 1-3 digits (not 0), then groups of exactly three."""
    if not groups:
        return head.isdigit() or head == ""
    return (head.isdigit() and 1 <= len(head) <= 3 and head != "0"
            and all(len(g) == 3 and g.isdigit() for g in groups))


def _plain(text: str) -> str | None:
    return text if re.fullmatch(r"\d+\.?\d*|\.\d+", text) else None


_EXACT_ANSWER = re.compile(r"-?\d+(?:/\d+)?")


def expected_value(instance: Instance) -> Fraction | float:
    """The instance's answer: exact (`3/4`, `15`), or a float when it was computed with
    sqrt, log or exp (then `Instance.answer` is the float written out: `1.4142135623730951`)."""
    if _EXACT_ANSWER.fullmatch(instance.answer):
        return Fraction(instance.answer)
    return float(instance.answer)


def shown(value: Fraction | float, unit: str = "") -> str:
    """3/4 = 0.75, 2/3 ≈ 0.6667, 15, ≈ 1.4142: how the expected answer is named in messages."""
    return answer_text(value, unit)


def close(reading: Reading, expected: Fraction, expected_float: Fraction | float,
          tolerance: Fraction) -> bool:
    """Whether an answer that is not exactly the expected one is right all the same.

    Within the tolerance — except that a fraction of whole numbers against an exact answer
    is an exact claim (`82/182` for 82/183 is a miscount, not a rounding), and that an
    answer smaller than the tolerance (1/273 ≈ 0.0037) is not matched by 0, by the other
    sign or by twice its size: the gap must stay below the answer itself, unless the
    number typed is the answer as shown (`0` for ≈ 0)."""
    if reading.whole and isinstance(expected_float, Fraction):
        return False
    gap = abs(reading.value - expected)
    if gap > tolerance:
        return False
    if expected == 0 or gap < abs(expected):
        return True
    return reading.value == Fraction(decimal(expected_float))


def grade(instance: Instance, typed: str) -> Verdict:
    """Right, right-but-unsimplified, wrong or unreadable, with what to tell the user.
    Never raises, whatever is typed (or pasted)."""
    expected_float = expected_value(instance)
    answer_text = shown(expected_float, instance.unit)
    expected = Fraction(expected_float)
    reading = read(typed, instance.unit)
    if isinstance(reading, Unreadable):
        if reading == "No answer given.":
            return Verdict("unreadable", f"No answer given. Type {ACCEPTED}.", "again")
        if reading == "not a number":
            return Verdict("unreadable", f"Could not read {_quote(typed)} as a number. "
                           f"Type {ACCEPTED}.", "again")
        return Verdict("unreadable", f"{reading} Type {ACCEPTED}.", "again")
    tolerance = Fraction(repr(float(instance.tolerance)))
    if not is_exact(expected_float):
        # the answer is shown rounded (≈ 1.8708): typing what is shown is never wrong, even
        # when the template asks for less than half a unit of the last place shown
        tolerance = max(tolerance, Fraction(1, 2 * 10**APPROX_PLACES))
    typed_text = " ".join(typed.split())
    exact = isinstance(expected_float, Fraction)
    if reading.value == expected and exact:
        if reading.form == "fraction" and not reading.reduced:
            reduced = fraction(expected)
            named = "" if answer_text == reduced else f" ({answer_text})"  # never `0 (0)`
            return Verdict("unsimplified", f"Right, but {typed_text} reduces to "
                           f"{reduced}{named}.", "good")
        return Verdict("right", f"Right: {answer_text}.", "good")
    if close(reading, expected, expected_float, tolerance):
        if reading.form == "fraction" and not reading.reduced:
            return Verdict("unsimplified", f"Right, but {typed_text} can be reduced "
                           f"({answer_text}).", "good")
        return Verdict("right", f"Right: {answer_text} ({typed_text} is within "
                       f"±{decimal(tolerance)}).", "good")
    comma = _decimal_comma_reading(typed, instance.unit, reading)
    if comma is not None and abs(comma - expected) <= tolerance:
        # `2,303` reads as 2303 by the thousands rule; typed for ≈ 2.3026 it is a decimal comma
        return Verdict("right", f"Right: {answer_text} ({typed_text} read with a decimal "
                       "comma).", "good")
    message = f"Not quite: you gave {typed_text}; the answer is {answer_text}."
    for trap_answer, trap_message in instance.traps:
        try:
            trap = Fraction(trap_answer)
        except (ValueError, ZeroDivisionError):
            continue
        if abs(reading.value - trap) <= tolerance:
            message = f"{message} {trap_message}"
            break
    return Verdict("wrong", message, "again")
