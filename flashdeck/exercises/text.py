"""`{placeholders}` in prompts and steps, and how exact numbers are written out.

A placeholder is an expression with an optional format: `{TP}`, `{2*TP}`, `{x:.3f}`,
`{x:frac}` (3/4), `{x:dec}` (0.75, or 0.6667 rounded), `{x:eq}` ("= 0.75" or "≈ 0.6667"),
`{a / b:work}` which writes the note's chain "600/800 = 0.75" (or "200/300 = 2/3 ≈
0.6667"), and `{n:plural cat pixel}` ("1 cat pixel", "3 cat pixels"; `{n:plural
child/children}` for an irregular plural). `{convention}` in steps is the template's 0/0
convention. `{{` and `}}` are literal braces (for LaTeX such as `$\\frac{{a}}{{b}}$`).

One rounding rule everywhere (prompt, working, the answer line, verdicts, placeholders): a
number is written exactly when at most MAX_EXACT_PLACES decimal places do it (0.75,
0.65625), otherwise rounded half away from zero to APPROX_PLACES places after "≈" (0.6667,
0.0923) — never 4 significant digits in one place and 4 places in another.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Mapping, Union

from flashdeck.exercises.expr import Expr, ExprError, compile_expr
from flashdeck.exercises.model import ExerciseError

OWN_SPECS = ("frac", "dec", "eq", "work")
APPROX_PLACES = 4
MAX_EXACT_PLACES = 6
MAX_FORMAT_NUMBER = 60  # width or precision of a Python format: `{x:>9999999999}` would fill
#                         memory (and the card) with padding; no number shown needs more
_FORMAT_NUMBERS = re.compile(r"\d+")

Piece = Union[str, tuple[Expr | None, str]]  # literal text, or (expression, spec); None: convention


@lru_cache(maxsize=1024)
def pieces(text: str) -> tuple[Piece, ...]:
    """Split text into literals and placeholders; raise ExerciseError on a stray brace."""
    out: list[Piece] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "{}" and text[i + 1 : i + 2] == ch:
            literal.append(ch)
            i += 2
            continue
        if ch == "}":
            raise ExerciseError(f"a '}}' with no '{{' in {text!r} (write }}}} for a literal brace)")
        if ch == "{":
            end = text.find("}", i + 1)
            if end < 0:
                raise ExerciseError(f"a '{{' that is never closed in {text!r} "
                                    "(write {{ for a literal brace)")
            inner = text[i + 1 : end]
            if "{" in inner:
                raise ExerciseError(f"nested braces in {text!r} (write {{{{ and }}}} for literal "
                                    "braces, e.g. in LaTeX)")
            if literal:
                out.append("".join(literal))
                literal = []
            out.append(_placeholder(inner, text))
            i = end + 1
            continue
        literal.append(ch)
        i += 1
    if literal:
        out.append("".join(literal))
    return tuple(out)


def _placeholder(inner: str, text: str) -> tuple[Expr | None, str]:
    expr_text, _, spec = inner.partition(":")
    expr_text, spec = expr_text.strip(), spec.strip()
    if expr_text == "convention":
        if spec:
            raise ExerciseError("{convention} takes no format")
        return (None, "")
    try:
        expr = compile_expr(expr_text)
    except ExprError as exc:
        raise ExerciseError(f"placeholder {{{inner}}}: {exc}") from None
    if spec == "work" and expr.division is None:
        raise ExerciseError(f"{{{inner}}}: the work format needs a division, e.g. {{num / den:work}}")
    if spec.split(None, 1)[:1] == ["plural"]:
        if not _noun_forms(spec):
            raise ExerciseError(f"placeholder {{{inner}}}: plural needs the noun, e.g. "
                                "{n:plural cat pixel} or {n:plural child/children}")
        return (expr, " ".join(spec.split()))
    if spec and spec not in OWN_SPECS and any(
            len(run.lstrip("0")) > 2 or int(run) > MAX_FORMAT_NUMBER
            for run in _FORMAT_NUMBERS.findall(spec)):
        raise ExerciseError(f"placeholder {{{inner}}}: a width or precision above "
                            f"{MAX_FORMAT_NUMBER} in format {spec[:20]!r}")
    if spec and spec not in OWN_SPECS and not (_formats(1.5, spec) or _formats(1, spec)):
        raise ExerciseError(f"placeholder {{{inner}}}: unknown format {spec!r} (use frac, dec, "
                                "eq, work, plural NOUN or a Python format such as .3f)")
    return (expr, spec)


def _noun_forms(spec: str) -> tuple[str, str] | None:
    """`plural cat pixel` -> ("cat pixel", "cat pixels"); `plural child/children` -> both."""
    noun = spec.split(None, 1)[1].strip() if len(spec.split(None, 1)) > 1 else ""
    if not noun:
        return None
    if "/" in noun:
        one, _, many = noun.partition("/")
        one, many = one.strip(), many.strip()
        return (one, many) if one and many else None
    return noun, _plural(noun)


def _plural(noun: str) -> str:
    head, _, last = noun.rpartition(" ")
    prefix = f"{head} " if head else ""
    lower = last.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return f"{prefix}{last}es"
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return f"{prefix}{last[:-1]}ies"
    return f"{prefix}{last}s"


def _formats(value: float, spec: str) -> bool:
    try:
        format(value, spec)
    except (ValueError, TypeError):
        return False
    return True


def check_text(text: str, defined: list[str], *, allow_convention: bool = False) -> None:
    """Raise ExerciseError when text has a bad placeholder or uses an undefined name."""
    for piece in pieces(text):
        if isinstance(piece, str):
            continue
        expr, _spec = piece
        if expr is None:
            if not allow_convention:
                raise ExerciseError("{convention} can only be used in steps")
            continue
        unknown = sorted(expr.names - set(defined))
        if unknown:
            raise ExerciseError(f"unknown name(s) {', '.join(unknown)} in {{{expr.text}}} "
                                f"(defined: {', '.join(defined) or 'none'})")


def render(text: str, evaluate: Callable[[Expr], object], convention: str = "") -> str:
    """Fill the placeholders; `evaluate` applies the template's division-by-zero rule."""
    out = []
    for piece in pieces(text):
        if isinstance(piece, str):
            out.append(piece)
            continue
        expr, spec = piece
        if expr is None:
            out.append(convention or "(no convention was needed)")
        elif spec == "work":
            out.append(_work(expr, evaluate))
        else:
            out.append(format_value(evaluate(expr), spec))
    return "".join(out)


def _work(expr: Expr, evaluate: Callable[[Expr], object]) -> str:
    sides = expr.division
    assert sides is not None  # checked when the text was parsed
    top, bottom = (evaluate(side) for side in sides)
    if not _is_number(top) or not _is_number(bottom):
        raise ExprError(f"{{{expr.text}:work}} needs numbers")
    head = f"{decimal(top)}/{decimal(bottom)}"
    if bottom == 0:
        evaluate(expr)  # raises unless the template states a convention for 0/0
        return f"{head}, which is undefined"
    if not isinstance(top, Fraction) or not isinstance(bottom, Fraction):
        return f"{head} {format_value(evaluate(expr), 'eq')}"  # a float side: rounded
    value = top / bottom
    if value.denominator == 1:
        return f"{head} = {value.numerator}"
    if exact_places(value) is not None:
        return f"{head} = {decimal(value)}"
    reduced = fraction(value)
    middle = f" = {reduced}" if reduced != head else ""
    return f"{head}{middle} ≈ {decimal(value)}"


def format_value(value: object, spec: str = "") -> str:
    if isinstance(value, bool):
        raise ExprError("a condition cannot be shown as a number")
    if isinstance(value, str):
        if spec:
            raise ExprError(f"{value!r} is text; it takes no format")
        return value
    if not _is_number(value):
        raise ExprError(f"cannot show {value!r}")
    if spec.startswith("plural"):
        forms = _noun_forms(spec)
        if forms is None:
            raise ExprError(f"format {spec!r} needs a noun")
        return f"{decimal(value)} {forms[0] if value == 1 else forms[1]}"
    if spec in ("", "dec"):
        return decimal(value)
    if spec == "frac":
        return fraction(value) if isinstance(value, Fraction) else decimal(value)
    if spec == "eq":
        return ("= " if is_exact(value) else "≈ ") + decimal(value)
    try:
        if spec[-1:] in ("d", "n", "x", "X", "o", "b", "c"):
            if not isinstance(value, Fraction) or value.denominator != 1:
                raise ValueError
            return format(value.numerator, spec)
        if isinstance(value, Fraction) and value.denominator == 1 and _no_type(spec):
            return format(value.numerator, spec)  # `{N:,}` is 12,000 — never 12,000.0
        shown = format(float(value), spec)
        if "-" in shown and not any(digit in shown for digit in "123456789"):
            shown = shown.replace("-", "", 1)  # -0.001 with .2f: `0.00`, never `-0.00`
        return shown
    except (ValueError, TypeError, OverflowError):
        raise ExprError(f"cannot show {decimal(value)} with format {spec!r}") from None


_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?#?0?\d*[,_]?(?P<precision>\.\d+)?(?P<type>[a-zA-Z%])?")


def _no_type(spec: str) -> bool:
    """A Python format with neither a type nor a precision (`,`, `>8`, `+`): it only
    aligns, signs or groups, so a whole number keeps its integer form."""
    match = _SPEC.fullmatch(spec)
    return bool(match) and not match["precision"] and not match["type"]


def fraction(value: Fraction) -> str:
    """Reduced fraction or integer text: 3/4, 1, -2/3."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def exact_places(value: Fraction) -> int | None:
    """How many decimal places write value exactly, or None if it needs more than allowed."""
    d = value.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    places = max(twos, fives)
    return places if d == 1 and places <= MAX_EXACT_PLACES else None


def _is_number(value: object) -> bool:
    """An exact Fraction, or a finite float (from sqrt, log, exp)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return isinstance(value, Fraction)


def is_exact(value: Fraction | float) -> bool:
    """Written exactly (0.75, 15) rather than rounded (≈ 0.6667)."""
    return isinstance(value, Fraction) and exact_places(value) is not None


def decimal(value: Fraction | float) -> str:
    """Exact decimal when short (0.75, 22.5), else rounded half away from zero to 4 places
    (0.6667; 0.65625 is exact, 0.656255 rounds to 0.6563). A float is always rounded."""
    if isinstance(value, float):
        value = Fraction(value)
        places = APPROX_PLACES
    else:
        places = exact_places(value)
        if places is None:
            places = APPROX_PLACES
    scaled_exact = abs(value) * 10**places
    magnitude = int(scaled_exact + Fraction(1, 2))  # half away from zero, as people round
    scaled = -magnitude if value < 0 else magnitude
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    if places == 0:
        return sign + digits
    whole, frac = digits[:-places], digits[-places:].rstrip("0")
    if not frac:
        return sign + whole if whole != "0" or not sign else "0"
    return f"{sign}{whole}.{frac}"


def rendered_env(env: Mapping[str, object]) -> str:
    """`TP = 3, FP = 0` — for error messages that must say which draw failed."""
    parts = []
    for name, value in env.items():
        if name.startswith("_"):
            continue
        shown = format_value(value) if isinstance(value, str) or _is_number(value) else value
        parts.append(f"{name} = {shown}")
    return ", ".join(parts)


# --- the answer as shown, and the hint in the answer box -------------------------------

CURRENCY = ("$", "€", "£", "¥")
# the words an amount in a currency is written with (`8.89 dollars`, `4 euros`): the hint
# names the first, the grader reads any of them after the number as it reads the sign
CURRENCY_WORDS = {
    "$": ("dollars", "dollar", "usd"), "€": ("euros", "euro", "eur"),
    "£": ("pounds", "pound", "gbp"), "¥": ("yen", "jpy", "cny", "yuan"),
    "₹": ("rupees", "rupee", "inr"), "₩": ("won", "krw"),
    "₽": ("roubles", "rouble", "rubles", "ruble", "rub"), "¢": ("cents", "cent"),
}


def with_unit(number: str, unit: str = "") -> str:
    """`$3.75`, `24 mph`, `0.75`: a currency sign goes before the number, a unit after."""
    if not unit:
        return number
    if unit in CURRENCY:
        return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    return f"{number} {unit}"


def answer_text(value: Fraction | float, unit: str = "") -> str:
    """How the answer line names the expected answer, by the one rounding rule:
    `15` (never `15 (15)`), `3/4 = 0.75`, `21/32 = 0.65625`, `2/3 ≈ 0.6667`, `≈ 0.3567`."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return with_unit(str(value.numerator), unit)
    if not isinstance(value, Fraction):
        return f"≈ {with_unit(decimal(value), unit)}"
    sign = "=" if is_exact(value) else "≈"
    return f"{fraction(value)} {sign} {with_unit(decimal(value), unit)}"


def instance_answer(instance) -> Fraction | float:
    """The instance's answer as a number: exact (its `answer` is "3/4" or "15"), or the float
    `value` when the answer is not a fraction (sqrt, log, exp)."""
    text = str(instance.answer)
    if "/" in text or text.lstrip("-").isdigit():
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            pass
    return float(instance.value)


def instance_answer_text(instance) -> str:
    return answer_text(instance_answer(instance), instance.unit)


_HINT_SEEDS = 12  # most templates show a fraction on the first draw and stop there
_whole_answers: dict[tuple[str, str], bool] = {}


def whole_number_answers(template) -> bool:
    """True when the template's answers are whole numbers (a count), judged on a few draws."""
    key = (template.id, template.source)
    found = _whole_answers.get(key)
    if found is None:
        from flashdeck.exercises.instances import instantiate  # deferred: it imports this module

        drawn = 0
        for seed in range(_HINT_SEEDS):
            try:
                answer = instance_answer(instantiate(template, seed))
            except (ExerciseError, ExprError, ValueError, ZeroDivisionError, OverflowError):
                continue
            drawn += 1
            if not isinstance(answer, Fraction) or answer.denominator != 1:
                drawn = 0
                break
        found = drawn > 0
        if len(_whole_answers) > 512:
            _whole_answers.clear()
        _whole_answers[key] = found
    return found


_EXAMPLES = (Fraction(3, 4), Fraction(2, 5), Fraction(5, 8), Fraction(7, 20), Fraction(9, 10))


def answer_hint(instance, whole_numbers: bool = False) -> str:
    """The answer box's placeholder for this exercise: in its unit (`in mph`, `in dollars`),
    a whole number for counts, else the accepted forms, with an example that is never one
    of the numbers given (nor the answer, nor a trap)."""
    unit = (instance.unit or "").strip()
    if unit in CURRENCY_WORDS or (not unit and _asks_for_money(instance.prompt)):
        money = CURRENCY_WORDS.get(unit, CURRENCY_WORDS["$"])[0]  # € is `in euros`
        return f"your answer in {money}, e.g. 12.50" if not _collides(
            Fraction(25, 2), instance) else f"your answer in {money}"
    if unit:
        return f"your answer in {unit}"
    if whole_numbers:
        return "your answer: a whole number"
    for example in _EXAMPLES:
        if not _collides(example, instance):
            return (f"your answer: a fraction ({fraction(example)}), a decimal "
                    f"({decimal(example)}) or a percentage ({decimal(example * 100)}%)")
    return "your answer: a fraction, a decimal or a percentage"


def _asks_for_money(prompt: str) -> bool:
    folded = prompt.casefold()
    return "in dollars" in folded or "in $" in folded


def _collides(example: Fraction, instance) -> bool:
    numbers: list[object] = [*instance.given.values(), instance.answer,
                             *(answer for answer, _message in instance.traps)]
    for number in numbers:
        if isinstance(number, bool) or isinstance(number, str) and not number[:1].isdigit():
            continue
        try:
            value = Fraction(number) if not isinstance(number, float) else Fraction(repr(number))
        except (ValueError, ZeroDivisionError):
            continue
        if value in (example, example * 100):
            return True
    return False


def card_answer_hint(exercise_id: str, back: str, instance) -> str:
    """`answer_hint` for an exercise card (its back carries the template)."""
    from flashdeck.exercises.template import template_for_card  # deferred: it imports this module

    try:
        whole = whole_number_answers(template_for_card(exercise_id, back))
    except (ExerciseError, ExprError):
        whole = False
    return answer_hint(instance, whole)
