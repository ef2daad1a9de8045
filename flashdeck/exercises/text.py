"""`{placeholders}` in prompts and steps, and how exact numbers are written out.

A placeholder is an expression with an optional format: `{TP}`, `{2*TP}`, `{x:.3f}`,
`{x:frac}` (3/4), `{x:dec}` (0.75, or 0.6667 rounded), `{x:eq}` ("= 0.75" or "≈ 0.6667"),
and `{a / b:work}` which writes the note's chain "600/800 = 0.75" (or "200/300 = 2/3 ≈
0.6667"). `{convention}` in steps is the template's 0/0 convention. `{{` and `}}` are
literal braces (for LaTeX such as `$\\frac{{a}}{{b}}$`).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Callable, Mapping, Union

from flashdeck.exercises.expr import Expr, ExprError, compile_expr
from flashdeck.exercises.model import ExerciseError

OWN_SPECS = ("frac", "dec", "eq", "work")
APPROX_PLACES = 4
MAX_EXACT_PLACES = 6

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
    if spec and spec not in OWN_SPECS and not (_formats(1.5, spec) or _formats(1, spec)):
        raise ExerciseError(f"placeholder {{{inner}}}: unknown format {spec!r} (use frac, dec, "
                                "eq, work or a Python format such as .3f)")
    return (expr, spec)


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
    if not isinstance(top, Fraction) or not isinstance(bottom, Fraction):
        raise ExprError(f"{{{expr.text}:work}} needs numbers")
    head = f"{decimal(top)}/{decimal(bottom)}"
    if bottom == 0:
        evaluate(expr)  # raises unless the template states a convention for 0/0
        return f"{head}, which is undefined"
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
    if not isinstance(value, Fraction):
        raise ExprError(f"cannot show {value!r}")
    if spec in ("", "dec"):
        return decimal(value)
    if spec == "frac":
        return fraction(value)
    if spec == "eq":
        return ("= " if exact_places(value) is not None else "≈ ") + decimal(value)
    try:
        if spec[-1:] in ("d", "n", "x", "X", "o", "b", "c"):
            if value.denominator != 1:
                raise ValueError
            return format(value.numerator, spec)
        return format(float(value), spec)
    except (ValueError, TypeError, OverflowError):
        raise ExprError(f"cannot show {decimal(value)} with format {spec!r}") from None


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


def decimal(value: Fraction) -> str:
    """Exact decimal when short (0.75, 22.5), else rounded to 4 places (0.6667)."""
    places = exact_places(value)
    if places is None:
        places = APPROX_PLACES
    scaled = round(value * 10**places)
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
        parts.append(f"{name} = {format_value(value) if isinstance(value, (Fraction, str)) else value}")
    return ", ".join(parts)
