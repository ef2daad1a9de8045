"""Reading exercise templates from YAML — the built-in ones and the ones users write.

One format for both, so a user can copy a built-in (`flashdeck exercise ID --json` shows
its working; the YAML ships in `flashdeck/exercises/builtin/`) and change it. Everything a
user can get wrong becomes a `Problem(path, line, message)` pointing at the offending key,
never an exception: a bad block in one note must not stop an import.

A block is untrusted: its YAML is composed, then checked before anything is built from it —
at most MAX_SOURCE characters, MAX_YAML_NODES nodes with every alias expanded (an alias bomb
is refused, never expanded), no alias inside its own anchor (`loop: &l [*l]`), nesting at
most MAX_YAML_DEPTH deep. A user template is then tried the way reviews draw it (`_trial`):
TRIAL_SEEDS seeds and more until every variant has been drawn, within TEMPLATE_BUDGET
operations of work in all; a template that fails on any of them is refused.
"""

from __future__ import annotations

import keyword
import math
import re
from functools import lru_cache
from typing import Any

from flashdeck.exercises.expr import ExprError, compile_expr
from flashdeck.exercises.model import (
    DEFAULT_TOLERANCE,
    ExerciseError,
    GridSpec,
    Template,
    Trap,
    Variant,
    VarSpec,
    ZeroDivision,
)
from flashdeck.exercises.text import check_text
from flashdeck.notes.model import Problem

TOP_KEYS = (
    "id", "title", "topics", "exact_topics", "vars", "let", "where", "prompt", "steps", "answer",
    "tolerance", "unit", "given", "zero_division", "traps", "grid", "variants",
)
VARIANT_KEYS = (
    "name", "weight", "vars", "let", "where", "prompt", "steps", "answer", "given",
    "zero_division", "traps", "grid",
)
RESERVED = frozenset({"min", "max", "abs", "sqrt", "log", "ln", "exp", "pi", "e", "answer",
                      "convention", "variant"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_RANGE = re.compile(r"^(?P<low>.+?)\s*\.\.\s*(?P<high>.+)$")
_DECIMALS = re.compile(r"(?<![A-Za-z_\d.])\d*\.(\d+)")
MAX_CHOICES = 1000
MAX_VARIANTS = 100
MAX_SOURCE = 64_000  # characters of one template's YAML
MAX_YAML_NODES = 20_000  # nodes, every alias expanded
MAX_YAML_DEPTH = 40
TRIAL_SEEDS = 40  # draws, exactly as reviews make them, before a user template is accepted
TRIAL_MAX_SEEDS = 400  # ...more when a variant has not been drawn yet
TEMPLATE_BUDGET = 150_000  # evaluator operations for the whole trial of one template


class _Lines:
    """Absolute file lines of the YAML keys, so a problem can point at `vars: TP:`."""

    def __init__(self, node: Any, first_line: int) -> None:
        self.first = first_line
        self.map: dict[tuple, int] = {}
        if node is not None:
            self._walk(node)

    def _walk(self, root: Any) -> None:
        """Every key's line. Iterative; the YAML was checked by `_yaml_shape` (at most
        MAX_YAML_NODES nodes with its aliases expanded, no cycles), so this ends quickly."""
        import yaml

        stack: list[tuple[Any, tuple]] = [(root, ())]
        while stack:
            node, path = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if not isinstance(key, yaml.ScalarNode):
                        continue
                    sub = path + (str(key.value),)
                    self.map.setdefault(sub, self.first + key.start_mark.line)
                    stack.append((value, sub))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    sub = path + (index,)
                    self.map.setdefault(sub, self.first + item.start_mark.line)
                    stack.append((item, sub))


    def __call__(self, *path: Any) -> int:
        while path:
            if path in self.map:
                return self.map[path]
            path = path[:-1]
        return self.first


def _yaml_shape(root: Any) -> tuple[str, int] | None:
    """Why a composed YAML document is refused before it is built (None: it is fine):
    an alias inside its own anchor, more than MAX_YAML_NODES nodes once every alias is
    expanded (an alias bomb), or nesting deeper than MAX_YAML_DEPTH. Linear in the nodes
    as written: expanded sizes are added up, never expanded."""
    import yaml

    def children(node: Any) -> list:
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in children(node))
            if size[key] > MAX_YAML_NODES:
                return (f"exercise template has more than {MAX_YAML_NODES:,} values once its "
                        "aliases (*name) are expanded; refused", node.start_mark.line)
            continue
        if key in size:
            continue
        if depth > MAX_YAML_DEPTH:
            return (f"exercise template is nested more than {MAX_YAML_DEPTH} levels deep; "
                    "refused", node.start_mark.line)
        on_path.add(key)
        stack.append((node, depth, True))
        for child in children(node):
            if id(child) in on_path:
                return ("exercise template has an alias (*name) inside its own anchor (&name); "
                        "refused", node.start_mark.line)
            stack.append((child, depth + 1, False))
    return None


class _Collector:
    def __init__(self, path: str, lines: _Lines) -> None:
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


def parse_template(
    source: str, path: str = "<builtin>", line: int = 1
) -> tuple[Template | None, list[Problem]]:
    """Read one template. `line` is the file line on which `source` starts.

    Returns the template (None when it has errors) and the problems found; a user
    template is also instantiated for a few seeds so that impossible `where:`
    conditions or unguarded divisions by zero are reported now, not at review time.
    """
    return _parse(source, path, line, default_id=None, trial=True)


def _parse(
    source: str, path: str, line: int, *, default_id: str | None, trial: bool
) -> tuple[Template | None, list[Problem]]:
    import yaml

    if len(source) > MAX_SOURCE:
        return None, [Problem(path, line, f"exercise template is {len(source):,} characters "
                              f"long; at most {MAX_SOURCE:,} are read")]
    loader = None
    try:
        # libyaml when PyYAML has it (~10x faster: the built-ins load on every import run)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(source)
        node = loader.get_single_node()
        refused = _yaml_shape(node) if node is not None else None
        if refused:
            return None, [Problem(path, line + refused[1], refused[0])]
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = line + mark.line if mark is not None else line
        reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) \
            or str(exc).splitlines()[0]
        return None, [Problem(path, where, f"exercise template is not valid YAML: {reason}")]
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:
        # a number past Python's 4,300-digit limit, a merge key that merges itself...
        reason = "a number too long to read" if isinstance(exc, ValueError) \
            else type(exc).__name__
        return None, [Problem(path, line, f"exercise template is not valid YAML: {reason}")]
    finally:
        if loader is not None:
            loader.dispose()
    lines = _Lines(node, line)
    out = _Collector(path, lines)
    if not isinstance(data, dict):
        out.error("an exercise template is a YAML mapping with at least title, vars, prompt, "
                  "steps and answer")
        return None, out.problems
    for key in data:
        if key not in TOP_KEYS:
            out.warning(f"unknown key {key!r} ignored (known: {', '.join(TOP_KEYS)})", key)

    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        out.error("title: missing; it is the card's front, e.g. 'Compute the Dice score'", "title")
        title = ""
    template_id = data.get("id", default_id)
    if template_id is None:
        template_id = _slug(title) if title else "exercise"
    if not isinstance(template_id, str) or not _ID.match(template_id):
        shown = repr(template_id)[:60] if isinstance(template_id, (str, int, float)) \
            else _describe(template_id)
        out.error(f"id: {shown} must be lower-case letters, digits, - or _ "
                  "(e.g. dice-counts)", "id")
    topics = _topics(data.get("topics"), out, "topics")
    exact_topics = _topics(data.get("exact_topics"), out, "exact_topics")
    tolerance = _tolerance(data.get("tolerance", DEFAULT_TOLERANCE), out)
    unit = data.get("unit", "")
    if not isinstance(unit, str):
        out.error("unit: must be text, e.g. mph", "unit")
        unit = ""

    variants_raw = data.get("variants")
    variants: list[Variant] = []
    if variants_raw is None:
        variant = _variant(data, {}, (), out)
        if variant is not None:
            variants.append(variant)
    elif not isinstance(variants_raw, list) or not variants_raw:
        out.error("variants: must be a non-empty list of scenarios", "variants")
    elif len(variants_raw) > MAX_VARIANTS:
        out.error(f"variants: {len(variants_raw):,} scenarios; a template has at most "
                  f"{MAX_VARIANTS}", "variants")
    else:
        seen: set[str] = set()
        for index, raw in enumerate(variants_raw):
            if not isinstance(raw, dict):
                out.error("each variant is a mapping with at least name:", "variants", index)
                continue
            for key in raw:
                if key not in VARIANT_KEYS:
                    out.warning(f"unknown key {key!r} in a variant ignored "
                                f"(known: {', '.join(VARIANT_KEYS)})", "variants", index, key)
            name = raw.get("name")
            if not isinstance(name, str) or not name.strip():
                out.error("variants: each variant needs a name:", "variants", index)
                continue
            if name in seen:
                out.error(f"variants: duplicate name {name!r}", "variants", index, "name")
                continue
            seen.add(name)
            variant = _variant(data, raw, ("variants", index), out)
            if variant is not None:
                variants.append(variant)
    out.problems = list(dict.fromkeys(out.problems))  # a top-level slip repeats per variant
    if out.failed or not variants:
        if not out.failed:
            out.error("the template defines no usable variant")
        return None, out.problems

    template = Template(
        id=template_id, title=" ".join(title.split()), topics=topics,
        exact_topics=exact_topics, variants=tuple(variants),
        source=source, tolerance=tolerance, unit=unit.strip(), path=path, line=line,
    )
    if trial:
        _trial(template, out)
        if out.failed:
            return None, out.problems
    return template, out.problems


def _trial(template: Template, out: _Collector) -> None:
    """Draw the template exactly as reviews do (seed after seed, the variant chosen by the
    draw) — TRIAL_SEEDS seeds, more until every variant has been drawn — within
    TEMPLATE_BUDGET operations in all; report the first failure, which refuses it. A variant
    no seed chose (a tiny weight) is then drawn on its own for a few seeds."""
    from flashdeck.exercises.engine import (
        INSTANCE_BUDGET,
        chosen_variant,
        draw_instance,
        instantiate_variant,
    )
    from flashdeck.exercises.expr import Budget, BudgetError

    left = TEMPLATE_BUDGET
    drawn = [0] * len(template.variants)

    def refuse(exc: ExerciseError, index: int) -> None:
        name = template.variants[index].name
        label = f" (variant {name})" if name else ""
        out.problems.append(Problem(out.path, exc.line or template.line, f"{exc}{label}"))

    def draw(seed: int, index: int | None) -> bool:
        nonlocal left
        budget = Budget(min(INSTANCE_BUDGET, left))
        variant = chosen_variant(template, seed) if index is None else index
        try:
            if index is None:
                draw_instance(template, seed, budget)
            else:
                instantiate_variant(template, seed, index, budget)
        except BudgetError as exc:
            if budget.limit < INSTANCE_BUDGET:  # the whole trial's budget ran out
                out.problems.append(Problem(
                    out.path, template.line,
                    f"exercise {template.id!r}: drawing it takes too much work (more than "
                    f"{TEMPLATE_BUDGET:,} operations for {seed + 1} draws); simplify it"))
            else:
                refuse(exc, variant)
            return False
        except ExerciseError as exc:
            refuse(exc, variant)
            return False
        left -= budget.used
        drawn[variant] += 1
        return True

    for seed in range(TRIAL_MAX_SEEDS):
        if seed >= TRIAL_SEEDS and min(drawn) > 0:
            break
        if not draw(seed, None):
            return
    for index, count in enumerate(drawn):
        if count == 0:
            for seed in range(3):
                if not draw(seed, index):
                    return


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "exercise"


def _topics(raw: Any, out: _Collector, key: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(t, (str, int, float)) for t in raw):
        out.error(f"{key}: must be a list of note titles, aliases or headings", key)
        return ()
    return tuple(str(t).strip() for t in raw if str(t).strip())


def _describe(value: Any) -> str:
    return "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) \
        else "nothing" if value is None else type(value).__name__


def _tolerance(raw: Any, out: _Collector) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw < 10**6:
        out.error("tolerance: must be a number ≥ 0, e.g. 0.005", "tolerance")
        return DEFAULT_TOLERANCE
    return float(raw)


def _variant(base: dict, over: dict, at: tuple, out: _Collector) -> Variant | None:
    """Merge a variant over the template's top level and check every expression."""
    failed_before = len([p for p in out.problems if p.severity == "error"])

    def pick(key: str) -> tuple[Any, tuple]:
        if key in over:
            return over[key], at + (key,)
        return base.get(key), (key,)

    vars_: dict[str, VarSpec] = {}
    named: list[str] = []  # every variable named, even a broken one: one mistake, one problem
    for source, key_at in ((base, ("vars",)), (over, at + ("vars",))):
        raw = source.get("vars")
        if raw is None:
            continue
        if not isinstance(raw, dict):
            out.error("vars: must map names to ranges (TP: 1..400), lists of values, or "
                      "{min, max, step, places}", *key_at)
            continue
        for name, spec in raw.items():
            if not _check_name(name, out, *key_at, name):
                continue
            known = [n for n in vars_ if n != name]
            parsed = _var(str(name), spec, known, out, key_at + (name,))
            if name not in named:
                named.append(str(name))
            if parsed is not None:
                vars_[str(name)] = parsed
    if not vars_ and not out.failed:
        out.error("vars: the template needs at least one variable", *(at or ("vars",)))

    defined = list(named)
    lets: dict[str, Any] = {}
    for source, key_at in ((base, ("let",)), (over, at + ("let",))):
        raw = source.get("let")
        if raw is None:
            continue
        if not isinstance(raw, dict):
            out.error("let: must map names to expressions (den: 2*TP + FP + FN)", *key_at)
            continue
        for name, text in raw.items():
            if not _check_name(name, out, *key_at, name):
                continue
            if name in vars_:
                out.error(f"let: {name!r} is already a variable", *key_at, name)
                continue
            expr = _expr(text, out, key_at + (name,), defined + [n for n in lets if n != name])
            if expr is not None:
                lets[str(name)] = expr
            if name not in defined:  # even when broken: one mistake, one problem
                defined.append(str(name))

    where = []
    for source, key_at in ((base, ("where",)), (over, at + ("where",))):
        raw = source.get("where")
        if raw is None:
            continue
        items = raw if isinstance(raw, list) else [raw]
        for index, text in enumerate(items):
            path = key_at + ((index,) if isinstance(raw, list) else ())
            expr = _expr(text, out, path, defined, condition=True)
            if expr is not None:
                where.append(expr)

    answer_raw, answer_at = pick("answer")
    answer = None
    if answer_raw is None:
        out.error("answer: missing; write it as an expression, e.g. 2*TP / (2*TP + FP + FN)",
                  *(at or ("answer",)))
    else:
        answer = _expr(answer_raw, out, answer_at, defined)

    zero = None
    zero_raw, zero_at = pick("zero_division")
    if zero_raw is not None:
        if (not isinstance(zero_raw, dict) or "value" not in zero_raw
                or not isinstance(zero_raw.get("convention"), str)):
            out.error("zero_division: needs value: (the result of 0/0) and convention: "
                      "(the sentence that states it)", *zero_at)
        else:
            value = _expr(zero_raw["value"], out, zero_at + ("value",), defined)
            if value is not None:
                zero = ZeroDivision(value, " ".join(zero_raw["convention"].split()))

    after = defined + ["answer"]
    prompt_raw, prompt_at = pick("prompt")
    prompt = ""
    if not isinstance(prompt_raw, str) or not prompt_raw.strip():
        out.error("prompt: missing; it is the question the user sees", *(at or ("prompt",)))
    else:
        prompt = prompt_raw.strip()
        _text(prompt, out, prompt_at, defined)

    steps_raw, steps_at = pick("steps")
    steps: list[str] = []
    if isinstance(steps_raw, str):
        steps = [s.strip() for s in steps_raw.splitlines() if s.strip()]
    elif isinstance(steps_raw, list) and all(isinstance(s, (str, int, float)) for s in steps_raw):
        steps = [str(s).strip() for s in steps_raw if str(s).strip()]
    if not steps:
        out.error("steps: missing; the working, one line each (a list or a | block)",
                  *(at or ("steps",)))
    for index, step in enumerate(steps):
        _text(step, out, steps_at + ((index,) if isinstance(steps_raw, list) else ()),
              after, allow_convention=True)

    given_raw, given_at = pick("given")
    given = None
    if given_raw is not None:
        if not isinstance(given_raw, list) or not all(isinstance(g, str) for g in given_raw):
            out.error("given: must be a list of variable names", *given_at)
        else:
            unknown = [g for g in given_raw if g not in defined]
            if unknown:
                out.error(f"given: unknown name(s) {', '.join(unknown)}", *given_at)
            given = tuple(given_raw)

    traps: list[Trap] = []
    traps_raw, traps_at = pick("traps")
    if traps_raw is not None:
        if not isinstance(traps_raw, list):
            out.error("traps: must be a list of {answer, message}", *traps_at)
        else:
            for index, raw in enumerate(traps_raw):
                if not isinstance(raw, dict) or "answer" not in raw \
                        or not isinstance(raw.get("message"), str):
                    out.error("traps: each needs answer: (an expression) and message:",
                              *traps_at, index)
                    continue
                expr = _expr(raw["answer"], out, traps_at + (index, "answer"), defined)
                _text(raw["message"], out, traps_at + (index, "message"), after)
                if expr is not None:
                    traps.append(Trap(expr, " ".join(raw["message"].split())))

    grid = None
    grid_raw, grid_at = pick("grid")
    if grid_raw is not None:
        keys = ("rows", "cols", "truth", "predicted", "overlap")
        if not isinstance(grid_raw, dict) or any(k not in grid_raw for k in keys):
            out.error(f"grid: needs {', '.join(keys)} (the counts of object, predicted and "
                      "overlapping cells)", *grid_at)
        else:
            parts = [_expr(grid_raw[k], out, grid_at + (k,), defined) for k in keys]
            if all(p is not None for p in parts):
                grid = GridSpec(*parts, line=out.lines(*grid_at))  # type: ignore[arg-type]

    weight = over.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) \
            or not 0 < weight <= 10**6:
        out.error("weight: must be a number > 0 (at most 1,000,000)", *at, "weight")
        weight = 1

    failed_now = len([p for p in out.problems if p.severity == "error"])
    if failed_now > failed_before or answer is None:
        return None
    return Variant(
        name=str(over.get("name", "")).strip(),
        weight=float(weight),
        vars=tuple(vars_.values()),
        lets=tuple(lets.items()),
        where=tuple(where),
        prompt=prompt,
        steps=tuple(steps),
        answer=answer,
        given=given,
        zero_division=zero,
        traps=tuple(traps),
        grid=grid,
    )


def _check_name(name: Any, out: _Collector, *at: Any) -> bool:
    if not isinstance(name, str) or not _NAME.match(name) or keyword.iskeyword(name):
        out.error(f"{name!r} is not a usable name: letters, digits and _, starting with a "
                  "letter (TP, FP, speed_back)", *at)
        return False
    if name in RESERVED:
        what = " (the constant)" if name in ("pi", "e") else " (a function)" \
            if name in ("min", "max", "abs", "sqrt", "log", "ln", "exp") else ""
        out.error(f"{name!r} is reserved{what}; choose another name", *at)
        return False
    return True


def _expr(text: Any, out: _Collector, at: tuple, defined: list[str], *, condition: bool = False):
    line = out.lines(*at)
    try:
        expr = compile_expr(text, condition=condition, line=line)
    except ExprError as exc:
        out.error(f"{at[-1] if at else 'expression'}: {exc}", *at)
        return None
    unknown = sorted(expr.names - set(defined))
    if unknown:
        out.error(f"{at[-1] if at else 'expression'}: unknown name(s) {', '.join(unknown)} in "
                  f"`{expr.text}` (defined before it: {', '.join(defined) or 'none'})", *at)
        return None
    return expr


def _text(text: str, out: _Collector, at: tuple, defined: list[str], *,
          allow_convention: bool = False) -> None:
    try:
        check_text(text, defined, allow_convention=allow_convention)
    except ExerciseError as exc:
        out.error(f"{at[0]}: {exc}", *at)


def _var(name: str, spec: Any, earlier: list[str], out: _Collector, at: tuple) -> VarSpec | None:
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
    from fractions import Fraction

    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


# --- built-ins ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtins() -> tuple[Template, ...]:
    from importlib import resources

    templates = []
    folder = resources.files("flashdeck.exercises").joinpath("builtin")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        source = entry.read_text(encoding="utf-8")
        path = f"flashdeck/exercises/builtin/{entry.name}"
        template, problems = _parse(source, path, 1, default_id=None, trial=False)
        if template is None or problems:  # a warning in a shipped template is a bug too
            raise ExerciseError(f"built-in exercise {entry.name} is broken: {problems[0]}")
        if template.id != entry.name[: -len(".yaml")]:
            raise ExerciseError(f"built-in exercise {entry.name} has id {template.id!r}")
        templates.append(template)
    return tuple(templates)


def builtin_templates() -> list[Template]:
    """The templates shipped with flashdeck, sorted by id."""
    return list(_builtins())


def builtin_template(template_id: str) -> Template | None:
    for template in _builtins():
        if template.id == template_id:
            return template
    return None


@lru_cache(maxsize=256)  # a review session instantiates the same cards again and again
def template_for_card(exercise_id: str, back: str) -> Template:
    """Rebuild the template an exercise card carries (its back is the template's YAML).

    The card is self-contained, so a review works even when the note is gone. If the
    stored source no longer reads (it was written by an older flashdeck) a built-in of
    that id stands in; otherwise the first problem is raised as an ExerciseError.
    """
    template, problems = _parse(back, "<card>", 1, default_id=exercise_id, trial=False)
    if template is not None:
        if template.id != exercise_id:
            template = _replace_id(template, exercise_id)
        return template
    fallback = builtin_template(exercise_id)
    if fallback is not None:
        return fallback
    first = next((p for p in problems if p.severity == "error"), None)
    raise ExerciseError(f"exercise {exercise_id!r}: {first.message if first else 'unreadable'}")


def _replace_id(template: Template, new_id: str) -> Template:
    from dataclasses import replace

    return replace(template, id=new_id)
