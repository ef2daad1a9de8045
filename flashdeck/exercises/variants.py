"""Reading one variant of an exercise template: the template's top level with the variant's
own keys over it, one small reader per key (`_VARIANT_READERS`), each reporting what is wrong
as a problem at the key's line and giving the key's value. `template.py` reads the whole
template (its YAML, its variants, the trial) and calls `read_variant` once per variant.
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata
from fractions import Fraction
from typing import Any, Callable

from flashdeck.exercises.expr import ExprError, compile_expr
from flashdeck.exercises.model import (
    ExerciseError,
    GridSpec,
    Trap,
    Variant,
    VarSpec,
    ZeroDivision,
)
from flashdeck.exercises.text import check_text
from flashdeck.notes.model import Problem

RESERVED = frozenset({"min", "max", "abs", "sqrt", "log", "ln", "exp", "pi", "e", "answer",
                      "convention", "variant"})
_NAME = re.compile(r"[^\W\d_]\w*\Z")  # a letter of any script, then letters, digits, _
_RANGE = re.compile(r"^(?P<low>.+?)\s*\.\.\s*(?P<high>.+)$")
_DECIMALS = re.compile(r"(?<![A-Za-z_\d.])\d*\.(\d+)")
MAX_CHOICES = 1000


class Collector:
    """The problems found in one template, each at the line of the key it is about
    (`lines(*key)`: the file line of that key path)."""

    def __init__(self, path: str, lines: Callable[..., int]) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    def error(self, message: str, *key: Any) -> None:
        self.problems.append(Problem(self.path, self.lines(*key), message))

    def warning(self, message: str, *key: Any) -> None:
        self.problems.append(Problem(self.path, self.lines(*key), message, "warning"))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


class _Draft:
    """A variant being read: its own keys (`over`, found at `at`) over the template's top
    level (`base`); the names defined so far, and the value each reader gave."""

    def __init__(self, base: dict, over: dict, at: tuple, out: Collector) -> None:
        self.base, self.over, self.at, self.out = base, over, at, out
        self.values: dict[str, Any] = {}
        self.named: list[str] = []  # every variable named, even a broken one
        self.defined: list[str] = []  # variables and lets: what an expression may use

    def pick(self, key: str) -> tuple[Any, tuple]:
        """The variant's value for `key` where it has one, else the top level's; and where."""
        if key in self.over:
            return self.over[key], self.at + (key,)
        return self.base.get(key), (key,)

    def both(self, key: str):
        """(value, where) of `key` at the top level, then in the variant: the keys that add up
        (vars, let, where) rather than replace."""
        for source, key_at in ((self.base, (key,)), (self.over, self.at + (key,))):
            raw = source.get(key)
            if raw is not None:
                yield raw, key_at

    def missing(self, key: str) -> tuple:
        """Where to point when `key` is missing: the variant, else the top-level key."""
        return self.at or (key,)


def _read_vars(d: _Draft) -> dict[str, VarSpec]:
    out, vars_ = d.out, {}
    for raw, key_at in d.both("vars"):
        if not isinstance(raw, dict):
            out.error("vars: must map names to ranges (TP: 1..400), lists of values, or "
                      "{min, max, step, places}", *key_at)
            continue
        for key, spec in raw.items():
            name = _check_name(key, out, *key_at, key)
            if name is None:
                continue
            known = [n for n in vars_ if n != name]
            parsed = _var(name, spec, known, out, key_at + (key,))
            if name not in d.named:  # one mistake, one problem
                d.named.append(name)
            if parsed is not None:
                vars_[name] = parsed
    if not vars_ and not out.failed:
        out.error("vars: the template needs at least one variable", *d.missing("vars"))
    d.defined = list(d.named)
    return vars_


def _read_let(d: _Draft) -> dict[str, Any]:
    out, vars_, lets = d.out, d.values["vars"], {}
    for raw, key_at in d.both("let"):
        if not isinstance(raw, dict):
            out.error("let: must map names to expressions (den: 2*TP + FP + FN)", *key_at)
            continue
        keys = list(raw)
        for index, (key, text) in enumerate(raw.items()):
            name = _check_name(key, out, *key_at, key)
            if name is None:
                continue
            if name in vars_:
                out.error(f"let: {name!r} is already a variable", *key_at, key)
                continue
            below = {unicodedata.normalize("NFKC", k): raw[k] for k in keys[index + 1:]
                     if isinstance(k, str)}
            expr = _expr(text, out, key_at + (key,),
                         d.defined + [n for n in lets if n != name], below=below)
            if expr is not None:
                lets[name] = expr
            if name not in d.defined:  # even when broken: one mistake, one problem
                d.defined.append(name)
    return lets


def _read_where(d: _Draft) -> list:
    where = []
    for raw, key_at in d.both("where"):
        items = raw if isinstance(raw, list) else [raw]
        cut = [str(item) for item in items if isinstance(item, str)
               and item.count("(") != item.count(")")]
        if isinstance(raw, list) and len(cut) > 1:
            # `where: [a > 0, max(a, b) < 9]`: YAML cuts a [...] list at every comma
            d.out.error(f"where: YAML cut the list [...] at the comma inside "
                        f"`{', '.join(cut[:2])}`; quote that condition, or write one "
                        "condition a line (- max(a, b) < 9)", *key_at)
            continue
        for index, text in enumerate(items):
            path = key_at + ((index,) if isinstance(raw, list) else ())
            expr = _expr(text, d.out, path, d.defined, condition=True)
            if expr is not None:
                where.append(expr)
    return where


def _read_answer(d: _Draft):
    raw, at = d.pick("answer")
    if raw is None:
        d.out.error("answer: missing; write it as an expression, e.g. 2*TP / (2*TP + FP + FN)",
                    *d.missing("answer"))
        return None
    return _expr(raw, d.out, at, d.defined)


def _read_zero_division(d: _Draft) -> ZeroDivision | None:
    raw, at = d.pick("zero_division")
    if raw is None:
        return None
    if not isinstance(raw, dict) or "value" not in raw \
            or not isinstance(raw.get("convention"), str):
        d.out.error("zero_division: needs value: (the result of 0/0) and convention: "
                    "(the sentence that states it)", *at)
        return None
    value = _expr(raw["value"], d.out, at + ("value",), d.defined)
    return None if value is None else ZeroDivision(value, " ".join(raw["convention"].split()))


def _read_prompt(d: _Draft) -> str:
    raw, at = d.pick("prompt")
    if not isinstance(raw, str) or not raw.strip():
        d.out.error("prompt: missing; it is the question the user sees", *d.missing("prompt"))
        return ""
    _text(raw.strip(), d.out, at, d.defined)
    return raw.strip()


def _read_steps(d: _Draft) -> list[str]:
    raw, at = d.pick("steps")
    steps: list[str] = []
    if isinstance(raw, str):
        steps = [s.strip() for s in raw.splitlines() if s.strip()]
    elif isinstance(raw, list) and all(isinstance(s, (str, int, float)) for s in raw):
        steps = [str(s).strip() for s in raw if str(s).strip()]
    if not steps:
        d.out.error("steps: missing; the working, one line each (a list or a | block)",
                    *d.missing("steps"))
    for index, step in enumerate(steps):
        _text(step, d.out, at + ((index,) if isinstance(raw, list) else ()),
              d.defined + ["answer"], allow_convention=True)
    return steps


def _read_given(d: _Draft) -> tuple[str, ...] | None:
    raw, at = d.pick("given")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(g, str) for g in raw):
        d.out.error("given: must be a list of variable names", *at)
        return None
    raw = [unicodedata.normalize("NFKC", g) for g in raw]  # as the names are (`_check_name`)
    unknown = [g for g in raw if g not in d.defined]
    if unknown:
        d.out.error(f"given: unknown name(s) {', '.join(unknown)}", *at)
    return tuple(raw)


def _read_traps(d: _Draft) -> list[Trap]:
    raw_traps, at = d.pick("traps")
    traps: list[Trap] = []
    if raw_traps is None:
        return traps
    if not isinstance(raw_traps, list):
        d.out.error("traps: must be a list of {answer, message}", *at)
        return traps
    for index, raw in enumerate(raw_traps):
        if not isinstance(raw, dict) or "answer" not in raw \
                or not isinstance(raw.get("message"), str):
            d.out.error("traps: each needs answer: (an expression) and message:", *at, index)
            continue
        expr = _expr(raw["answer"], d.out, at + (index, "answer"), d.defined)
        _text(raw["message"], d.out, at + (index, "message"), d.defined + ["answer"])
        if expr is not None:
            traps.append(Trap(expr, " ".join(raw["message"].split())))
    return traps


def _read_grid(d: _Draft) -> GridSpec | None:
    raw, at = d.pick("grid")
    if raw is None:
        return None
    keys = ("rows", "cols", "truth", "predicted", "overlap")
    if not isinstance(raw, dict) or any(k not in raw for k in keys):
        d.out.error(f"grid: needs {', '.join(keys)} (the counts of object, predicted and "
                    "overlapping cells)", *at)
        return None
    parts = [_expr(raw[k], d.out, at + (k,), d.defined) for k in keys]
    if any(p is None for p in parts):
        return None
    return GridSpec(*parts, line=d.out.lines(*at))  # type: ignore[arg-type]


def _read_weight(d: _Draft) -> float:
    weight = d.over.get("weight", 1)  # a variant's own: the top level has none
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) \
            or not 0 < weight <= 10**6:
        d.out.error("weight: must be a number > 0 (at most 1,000,000)", *d.at, "weight")
        return 1.0
    return float(weight)


# One reader per key, run in this order (a key may use the names the keys before it define);
# each reports its own problems and gives the key's value (None when it is unusable).
_VARIANT_READERS = {
    "vars": _read_vars,
    "let": _read_let,
    "where": _read_where,
    "answer": _read_answer,
    "zero_division": _read_zero_division,
    "prompt": _read_prompt,
    "steps": _read_steps,
    "given": _read_given,
    "traps": _read_traps,
    "grid": _read_grid,
    "weight": _read_weight,
}


def _errors(out: Collector) -> int:
    return sum(p.severity == "error" for p in out.problems)


def read_variant(base: dict, over: dict, at: tuple, out: Collector) -> Variant | None:
    """A variant (`over`, found at the key path `at`; {} and () for a template without
    variants) merged over the template's top level (`base`), every expression checked; None
    when it has errors (reported in `out`)."""
    failed_before = _errors(out)
    draft = _Draft(base, over, at, out)
    for key, read in _VARIANT_READERS.items():
        draft.values[key] = read(draft)
    v = draft.values
    if _errors(out) > failed_before or v["answer"] is None:
        return None
    return Variant(
        name=str(over.get("name", "")).strip(),
        weight=v["weight"],
        vars=tuple(v["vars"].values()),
        lets=tuple(v["let"].items()),
        where=tuple(v["where"]),
        prompt=v["prompt"],
        steps=tuple(v["steps"]),
        answer=v["answer"],
        given=v["given"],
        zero_division=v["zero_division"],
        traps=tuple(v["traps"]),
        grid=v["grid"],
    )


def _check_name(key: Any, out: Collector, *at: Any) -> str | None:
    """The name a `vars:`/`let:` key defines, or None (said) when it cannot be one: letters
    of any script (`α`, `β`, `Fläche`), digits and _, starting with a letter. The name is
    NFKC-normalised, as Python's parser reads the names in an expression (`µ` is `μ`)."""
    name = unicodedata.normalize("NFKC", key) if isinstance(key, str) else None
    if name is None or not _NAME.match(name) or not name.isidentifier() \
            or keyword.iskeyword(name):
        out.error(f"{key!r} is not a usable name: letters, digits and _, starting with a "
                  "letter (TP, FP, speed_back, α)", *at)
        return None
    if name in RESERVED:
        what = " (the constant)" if name in ("pi", "e") else " (a function)" \
            if name in ("min", "max", "abs", "sqrt", "log", "ln", "exp") else ""
        out.error(f"{key!r} is reserved{what}; choose another name", *at)
        return None
    return name


def _label(at: tuple) -> str:
    """What a message about the value at `at` starts with: its key (`answer`, `den`), not a
    list index (`where: [...]` item 0 was "0: cannot read ...")."""
    keys = [k for k in at if not isinstance(k, int)]
    return str(keys[-1]) if keys else "expression"


def _expr(text: Any, out: Collector, at: tuple, defined: list[str], *, condition: bool = False,
          below: dict[str, Any] | None = None):
    """`below`: the `let:` values defined under this one (name -> their text), to say so
    when this one uses one of them."""
    line = out.lines(*at)
    try:
        expr = compile_expr(text, condition=condition, line=line)
    except ExprError as exc:
        out.error(f"{_label(at)}: {exc}", *at)
        return None
    unknown = sorted(expr.names - set(defined))
    later = [n for n in unknown if below and n in below]
    if later:
        name = at[-1]
        uses_back = [n for n in later
                     if re.search(rf"(?<!\w){re.escape(str(name))}(?!\w)", str(below[n]))]
        if uses_back:
            out.error(f"{name}: `{expr.text}` uses {', '.join(uses_back)}, which uses {name} "
                      "in turn: a cycle, so neither can be computed; write one of them "
                      "without the other", *at)
        else:
            out.error(f"{name}: `{expr.text}` uses {', '.join(later)}, defined below it; "
                      "let: values are computed in order, so move "
                      f"{', '.join(later)} above {name}", *at)
        return None
    if unknown:
        out.error(f"{_label(at)}: unknown name(s) {', '.join(unknown)} in "
                  f"`{expr.text}` (defined before it: {', '.join(defined) or 'none'})", *at)
        return None
    return expr


def _text(text: str, out: Collector, at: tuple, defined: list[str], *,
          allow_convention: bool = False) -> None:
    try:
        check_text(text, defined, allow_convention=allow_convention)
    except ExerciseError as exc:
        out.error(f"{at[0]}: {exc}", *at)


def _var(name: str, spec: Any, earlier: list[str], out: Collector, at: tuple) -> VarSpec | None:
    line = out.lines(*at)
    if isinstance(spec, bool):
        out.error(f"vars: {name}: true/false is not a number", *at)
        return None
    if isinstance(spec, (int, float)):
        if not _usable(spec):
            out.error(f"vars: {name}: the number is too large (at most 60 digits)", *at)
            return None
        return VarSpec(name, choices=(_number(spec),), line=line)
    if isinstance(spec, list):
        if not spec or len(spec) > MAX_CHOICES:
            out.error(f"vars: {name}: a list of 1 to {MAX_CHOICES} values", *at)
            return None
        choices = []
        for item in spec:
            if isinstance(item, bool) or not isinstance(item, (int, float, str)):
                out.error(f"vars: {name}: list items must be numbers or words", *at)
                return None
            if isinstance(item, (int, float)) and not _usable(item):
                out.error(f"vars: {name}: a number in the list is too large (at most 60 "
                          "digits)", *at)
                return None
            choices.append(_number(item) if isinstance(item, (int, float)) else item)
        return VarSpec(name, choices=tuple(choices), line=line)
    if isinstance(spec, str):
        match = _RANGE.match(spec.strip())
        if not match:
            out.error(f"vars: {name}: {spec!r} is not a range; write low..high (1..400, "
                      "0.05..0.95), a list of values, or {min, max, step, places}", *at)
            return None
        low_text, high_text, step_text, places = match["low"], match["high"], None, None
    elif isinstance(spec, dict):
        unknown = [k for k in spec if k not in ("min", "max", "step", "places")]
        if unknown or "min" not in spec or "max" not in spec:
            out.error(f"vars: {name}: a range mapping has min, max and optionally step or "
                      "places", *at)
            return None
        low_text, high_text = spec["min"], spec["max"]
        step_text, places = spec.get("step"), spec.get("places")
        if places is not None and (isinstance(places, bool) or not isinstance(places, int)
                                   or not 0 <= places <= 6):
            out.error(f"vars: {name}: places must be a whole number from 0 to 6", *at, "places")
            return None
    else:
        out.error(f"vars: {name}: expected a range, a list or a number", *at)
        return None
    low = _expr(low_text, out, at, earlier)
    high = _expr(high_text, out, at, earlier)
    step = _expr(step_text, out, at, earlier) if step_text is not None else None
    if low is None or high is None or (step_text is not None and step is None):
        return None
    if places is None:
        found = [len(m.group(1)) for m in _DECIMALS.finditer(f"{_literal(low_text)} "
                                                             f"{_literal(high_text)}")]
        places = max(found, default=0)
        if places > 6:
            out.error(f"vars: {name}: at most 6 decimal places", *at)
            return None
    return VarSpec(name, low=low, high=high, step=step, places=places, line=line)


def _usable(value: int | float) -> bool:
    """A YAML number a template can use: finite, and at most 60 digits."""
    return abs(value) < 10**60 if isinstance(value, int) else math.isfinite(value) \
        and abs(value) < 1e60


def _literal(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _number(value: int | float):
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
