"""Turning a template and a seed into an instance: draw, check, compute, write the working.

Everything is driven by one `random.Random(seed)`, so a seed always gives the same numbers,
grid and working (the CLI prints the seed so an exercise can be reproduced). Draws that
break a `where:` condition are redrawn from the same generator, a bounded number of times.

Bounds: one instance spends at most INSTANCE_BUDGET operations of the evaluator (every draw,
redraw, derived value and placeholder together), and every number it shows must be showable
(at most MAX_SHOWN_DIGITS digits before the point, or in a fraction's parts). When the draw
for a seed still fails at review time (a rare `where:` the import trial did not hit), the
instance is drawn again from derived seeds, REDRAWS times at most, before an ExerciseError
(which every screen and command reports as a message) is raised.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from flashdeck.exercises.expr import Budget, BudgetError, Expr, ExprError
from flashdeck.exercises.model import (
    Cell,
    ExerciseError,
    GivenValue,
    Grid,
    GridSpec,
    Instance,
    Template,
    Variant,
    VarSpec,
)
from flashdeck.exercises.text import decimal, fraction, pieces, render, rendered_env

MAX_TRIES = 1000
MAX_RANGE_VALUES = 10**9
MAX_GRID_SIDE = 20
INSTANCE_BUDGET = 20_000  # evaluator operations for one instance (a built-in needs 30-600)
REDRAWS = 5  # seeds tried at review time before giving up on an instance
MAX_SHOWN_DIGITS = 60  # a shown number: at most this many digits (10**60 is past any metric)
_SHOWN_LIMIT = 10**MAX_SHOWN_DIGITS


def instantiate(template: Template, seed: int) -> Instance:
    """The exercise for `seed`: the same seed always gives the same instance.

    Should the draw for `seed` fail (a template whose rare draws break — the import trial
    refuses templates that fail on any of its seeds, so this is a last resort), the instance
    is drawn from derived seeds instead, up to REDRAWS times sharing one more INSTANCE_BUDGET;
    the instance records the seed it was drawn from. Only when every one fails is the first
    ExerciseError raised."""
    first_error: ExerciseError | None = None
    spare = INSTANCE_BUDGET  # the redraws share one more instance's budget
    for attempt in range(REDRAWS):
        if attempt and spare <= 0:
            break
        budget = Budget(INSTANCE_BUDGET if attempt == 0 else spare)
        try:
            return draw_instance(template, redraw_seed(seed, attempt), budget)
        except ExerciseError as exc:
            first_error = first_error or exc
            if attempt:
                spare -= budget.used
    assert first_error is not None
    raise first_error


def redraw_seed(seed: int, attempt: int) -> int:
    """The seed of the `attempt`-th draw for `seed` (attempt 0: the seed itself)."""
    return seed if attempt == 0 else (seed * 1_000_003 + attempt * 7_919) % 2**63


def chosen_variant(template: Template, seed: int) -> int:
    """The index of the variant a draw for `seed` takes (the generator's first draw)."""
    if len(template.variants) == 1:
        return 0
    weights = [v.weight for v in template.variants]
    return random.Random(seed).choices(range(len(template.variants)), weights=weights)[0]


def draw_instance(template: Template, seed: int, budget: Budget | None = None) -> Instance:
    """One draw for `seed`, exactly as a review draws it, or an ExerciseError (no redraw)."""
    return instantiate_variant(template, seed, None, budget)


def instantiate_variant(template: Template, seed: int, variant_index: int | None,
                        budget: Budget | None = None) -> Instance:
    """`draw_instance`, optionally forcing one variant (which skips the variant's random
    choice, so it draws other numbers than a review of the same seed)."""
    rng = random.Random(seed)
    if variant_index is None:
        weights = [v.weight for v in template.variants]
        variant = rng.choices(template.variants, weights=weights)[0]
    else:
        variant = template.variants[variant_index]
    draw = _Draw(template, variant, budget if budget is not None else Budget(INSTANCE_BUDGET))
    tries = 0
    try:
        for tries in range(1, MAX_TRIES + 1):
            env = draw.attempt(rng)
            if env is not None:
                return draw.finish(env, rng, seed)
    except BudgetError as exc:
        if tries > 1 and variant.where:
            conditions = "; ".join(w.text for w in variant.where)
            raise BudgetError(
                f"exercise {template.id!r}: no draw satisfied {conditions} within "
                f"{draw.budget.limit:,} operations of work ({tries} tries, seed {seed}); widen "
                "the ranges or loosen the where: conditions",
                line=variant.where[0].line or template.line) from None
        raise BudgetError(f"exercise {template.id!r}: {_bare(exc)} (seed {seed})",
                          line=exc.line or template.line) from None
    if draw.empty is not None and draw.empties == tries:  # every try: a range with no value
        spec, low, high = draw.empty
        why = ("its first bound is above its second" if low > high
               else "it holds no multiple of its step")
        bounds = f"{spec.low.text}..{spec.high.text}"  # type: ignore[union-attr]
        drawn = f"{decimal(low)}..{decimal(high)}"
        raise ExerciseError(
            f"exercise {template.id!r}: the range {spec.name}: {bounds}"
            + (f" (here {drawn})" if drawn != bounds else "")
            + f" is empty on every draw; {why}", line=spec.line or template.line)
    first = variant.where[0] if variant.where else None
    conditions = "; ".join(w.text for w in variant.where) or "the ranges"
    raise ExerciseError(
        f"exercise {template.id!r}: no draw satisfied {conditions} in {MAX_TRIES} tries "
        f"(seed {seed}); widen the ranges or loosen the where: conditions",
        line=first.line if first else template.line,
    )


def _bare(exc: Exception) -> str:
    """An error's message without the `exercise 'x': ` its evaluation put in front."""
    text = str(exc)
    return text.split(": ", 1)[1] if text.startswith("exercise '") and ": " in text else text


def showable(value: object) -> bool:
    """A number that can be written out: finite, and at most MAX_SHOWN_DIGITS digits."""
    if isinstance(value, float):
        return abs(value) < _SHOWN_LIMIT  # False for inf and nan too
    if isinstance(value, Fraction):
        return abs(value.numerator) < _SHOWN_LIMIT and value.denominator < _SHOWN_LIMIT
    return True


class _Draw:
    def __init__(self, template: Template, variant: Variant, budget: Budget) -> None:
        self.template = template
        self.variant = variant
        self.budget = budget
        self.convention_used = False
        self.empty: tuple[VarSpec, Fraction, Fraction] | None = None  # the last empty range
        self.empties = 0  # tries that ended on an empty range

    # -- evaluation with the template's division-by-zero rule -------------------------
    def evaluate(self, expr: Expr, env: dict) -> object:
        try:
            return expr.evaluate(env, self.budget)
        except ZeroDivisionError:
            zero = self.variant.zero_division
            if zero is None:
                raise ExerciseError(
                    f"exercise {self.template.id!r}: division by zero in `{expr.text}` when "
                    f"{_env_text(env)}; rule it out with a where: condition or state a "
                    "zero_division: convention",
                    line=expr.line or self.template.line,
                ) from None
            self.convention_used = True
            return self._plain(zero.value, env)
        except ExprError as exc:
            raise type(exc)(f"exercise {self.template.id!r}: {exc}",
                            line=exc.line or expr.line or self.template.line) from None

    def _plain(self, expr: Expr, env: dict) -> object:
        try:
            return expr.evaluate(env, self.budget)
        except ZeroDivisionError:
            raise ExerciseError(f"exercise {self.template.id!r}: the zero_division value "
                                f"`{expr.text}` divides by zero", line=expr.line) from None

    def number(self, expr: Expr, env: dict) -> Fraction | float:
        value = self.evaluate(expr, env)
        if not isinstance(value, (Fraction, float)) or isinstance(value, bool):
            raise ExerciseError(f"exercise {self.template.id!r}: `{expr.text}` is not a number",
                                line=expr.line or self.template.line)
        return value

    # -- drawing ----------------------------------------------------------------------
    def attempt(self, rng: random.Random) -> dict | None:
        """One draw of every variable and derived value; None when a condition fails."""
        self.convention_used = False
        env: dict[str, object] = {}
        pending = list(self.variant.where)
        for spec in self.variant.vars:
            value = self.draw_var(spec, env, rng)
            if value is None:
                return None
            env[spec.name] = value
            if not self.conditions_hold(pending, env):
                return None
        for name, expr in self.variant.lets:
            env[name] = self.evaluate(expr, env)
            if not self.conditions_hold(pending, env):
                return None
        return env

    def conditions_hold(self, pending: list[Expr], env: dict) -> bool:
        """Check each condition as soon as its names are known, so later values are safe."""
        for condition in list(pending):
            if condition.names <= env.keys():
                pending.remove(condition)
                try:
                    ok = condition.evaluate(env, self.budget)
                except ZeroDivisionError:
                    raise ExerciseError(
                        f"exercise {self.template.id!r}: the condition `{condition.text}` divides "
                        f"by zero when {_env_text(env)}", line=condition.line) from None
                except ExprError as exc:
                    raise type(exc)(f"exercise {self.template.id!r}: {exc}",
                                    line=condition.line) from None
                if not ok:
                    return False
        return True

    def draw_var(self, spec: VarSpec, env: dict, rng: random.Random) -> object | None:
        if spec.choices:
            return rng.choice(spec.choices)
        assert spec.low is not None and spec.high is not None
        # a bound computed with sqrt/log/exp is a float: its exact value bounds the range
        low = Fraction(self.number(spec.low, env))
        high = Fraction(self.number(spec.high, env))
        step = Fraction(self.number(spec.step, env)) if spec.step is not None \
            else Fraction(1, 10**spec.places)
        if not (showable(low) and showable(high) and showable(step)):
            raise ExerciseError(f"exercise {self.template.id!r}: {spec.name}: a bound of the "
                                f"range has more than {MAX_SHOWN_DIGITS} digits", line=spec.line)
        if step <= 0:
            raise ExerciseError(f"exercise {self.template.id!r}: {spec.name}: the step must be "
                                "greater than 0", line=spec.line)
        if spec.step is not None:  # low, low + step, low + 2·step, ... up to high
            base, count = low, math.floor((high - low) / step) + 1
        else:  # the multiples of 10**-places between low and high
            first = math.ceil(low / step)
            base, count = first * step, math.floor(high / step) - first + 1
        if count <= 0:
            self.empty = (spec, low, high)
            self.empties += 1
            return None  # an empty range for this draw (e.g. 0..M-1 with M = 0): redraw
        if count > MAX_RANGE_VALUES:
            raise self._too_wide(spec)
        return base + step * rng.randrange(count)

    def _too_wide(self, spec: VarSpec) -> ExerciseError:
        return ExerciseError(f"exercise {self.template.id!r}: {spec.name}: the range has more "
                             f"than {MAX_RANGE_VALUES} values", line=spec.line)

    # -- the instance -----------------------------------------------------------------
    def finish(self, env: dict, rng: random.Random, seed: int) -> Instance:
        variant, template = self.variant, self.template
        answer = self.number(variant.answer, env)
        self.shown(answer, variant.answer, env, whole=True)
        env["answer"] = answer
        grid = self.grid(variant.grid, env, rng) if variant.grid is not None else None

        def evaluate(expr: Expr) -> object:
            value = self.evaluate(expr, env)
            self.shown(value, expr, env)
            return value

        prompt = render(variant.prompt, evaluate)
        # Steps are rendered after every value is known, so the convention is known too.
        steps = [render(step, evaluate) for step in variant.steps]
        convention = ""
        zero = variant.zero_division
        if self.convention_used and zero is not None:
            convention = zero.convention
            steps = [render(step, evaluate, convention) for step in variant.steps]
            if not any(_mentions_convention(step) for step in variant.steps):
                steps.append(f"Convention: {convention}")
        traps = []
        for trap in variant.traps:
            value = self._trap_value(trap.answer, env)
            if value is not None and value != answer:
                text = fraction(value) if isinstance(value, Fraction) else repr(value)
                traps.append((text, render(trap.message, evaluate)))
        names = variant.given if variant.given is not None else tuple(s.name for s in variant.vars)
        for name in names:
            if not showable(env[name]):
                spec_line = next((spec.line for spec in variant.vars if spec.name == name), 0)
                let_line = next((expr.line for let, expr in variant.lets if let == name), 0)
                raise ExerciseError(f"exercise {template.id!r}: the given value {name} has more "
                                    f"than {MAX_SHOWN_DIGITS} digits; it cannot be shown",
                                    line=spec_line or let_line or template.line)
        given: dict[str, GivenValue] = {name: _given(env[name]) for name in names}
        if len(template.variants) > 1 and "variant" not in given:
            given["variant"] = variant.name
        return Instance(
            template_id=template.id,
            seed=seed,
            prompt=prompt,
            given=given,
            answer=fraction(answer) if isinstance(answer, Fraction) else repr(answer),
            value=float(answer),
            steps=steps,
            grid=grid,
            tolerance=template.tolerance,
            title=template.title,
            variant=variant.name,
            unit=template.unit,
            traps=tuple(traps),
            convention=convention,
        )

    def _trap_value(self, expr: Expr, env: dict) -> Fraction | float | None:
        """A trap that cannot be computed for this draw (0/0, too large) does not apply to it."""
        try:
            value = expr.evaluate(env, self.budget)
        except BudgetError:
            raise
        except (ZeroDivisionError, ExerciseError):
            return None
        if isinstance(value, bool) or not isinstance(value, (Fraction, float)):
            return None
        return value if showable(value) else None

    def shown(self, value: object, expr: Expr, env: dict, whole: bool = False) -> None:
        """Refuse a value that cannot be written out (past a float, thousands of digits)."""
        if showable(value):
            return
        what = "the answer" if whole else f"`{expr.text}`"
        raise ExerciseError(
            f"exercise {self.template.id!r}: {what} gives a number with more than "
            f"{MAX_SHOWN_DIGITS} digits, too large to show, when {_short_env(env)}",
            line=expr.line or self.template.line)

    def grid(self, spec: GridSpec, env: dict, rng: random.Random) -> Grid:
        def whole(expr: Expr, what: str) -> int:
            value = self.number(expr, env)
            if not isinstance(value, Fraction) or value.denominator != 1 or value < 0:
                raise ExerciseError(f"exercise {self.template.id!r}: grid {what} must be a whole "
                                    f"number ≥ 0, got {value}", line=spec.line)
            return int(value)

        rows, cols = whole(spec.rows, "rows"), whole(spec.cols, "cols")
        truth, predicted, overlap = (whole(spec.truth, "truth"), whole(spec.predicted, "predicted"),
                                     whole(spec.overlap, "overlap"))
        if not (1 <= rows <= MAX_GRID_SIDE and 1 <= cols <= MAX_GRID_SIDE):
            raise ExerciseError(f"exercise {self.template.id!r}: the grid is {rows}×{cols}; each "
                                f"side must be 1 to {MAX_GRID_SIDE}", line=spec.line)
        if overlap > truth or overlap > predicted or truth + predicted - overlap > rows * cols:
            raise ExerciseError(
                f"exercise {self.template.id!r}: a {rows}×{cols} grid cannot hold {truth} object "
                f"cells and {predicted} predicted cells overlapping in {overlap}", line=spec.line)
        return draw_grid(rng, rows, cols, truth, predicted, overlap)


def _env_text(env: dict) -> str:
    if all(showable(v) for v in env.values()):
        return rendered_env(env)
    return _short_env(env)


def _short_env(env: dict) -> str:
    """The draw, for a message: every value short (never thousands of digits)."""
    parts = []
    for name, value in env.items():
        if isinstance(value, (Fraction, float)) and not isinstance(value, bool) \
                and not showable(value):
            parts.append(f"{name} is huge")
        else:
            parts.append(f"{name} = {value if isinstance(value, str) else _num(value)}")
    return ", ".join(parts) or "nothing is drawn"


def _num(value: object) -> str:
    if isinstance(value, Fraction):
        return fraction(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _mentions_convention(step: str) -> bool:
    return any(not isinstance(p, str) and p[0] is None for p in pieces(step))


def _given(value: object) -> GivenValue:
    if isinstance(value, float):
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else float(value)
    return value  # type: ignore[return-value]  # text chosen from a list


# --- mask grids ------------------------------------------------------------------------


def draw_grid(rng: random.Random, rows: int, cols: int, truth: int, predicted: int,
              overlap: int) -> Grid:
    """A mask that looks like segmentation: an object blob, a prediction that mostly covers
    it and spills over its edge — with exactly the requested counts."""
    everything = [(r, c) for r in range(rows) for c in range(cols)]
    object_cells = _blob(rng, rows, cols, truth, set(everything), near=set())
    hits = _blob(rng, rows, cols, overlap, object_cells, near=set())
    background = set(everything) - object_cells
    spill = _blob(rng, rows, cols, predicted - overlap, background, near=hits or object_cells)
    prediction = hits | spill
    cells = tuple(
        tuple(Cell((r, c) in object_cells, (r, c) in prediction) for c in range(cols))
        for r in range(rows)
    )
    return Grid(cells)


def _blob(rng: random.Random, rows: int, cols: int, size: int, allowed: set, near: set) -> set:
    """Grow `size` cells from `allowed`, each next to the last ones where possible."""
    chosen: set = set()
    if size <= 0:
        return chosen

    def neighbours(cells: set) -> list:
        found = set()
        for r, c in cells:
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                cell = (r + dr, c + dc)
                if cell in allowed and cell not in chosen:
                    found.add(cell)
        return sorted(found)

    while len(chosen) < size:
        frontier = neighbours(chosen) if chosen else neighbours(near)
        if not frontier:
            frontier = sorted(allowed - chosen)
        if not frontier:
            raise ExerciseError(f"cannot place {size} cells in a {rows}×{cols} grid")
        chosen.add(rng.choice(frontier))
    return chosen


def grid_text(grid: Grid) -> list[str]:
    """The grid in plain text, one line per row, then a blank line and the legend."""
    lines = [" ".join(grid.symbol(cell.kind) for cell in row) for row in grid.cells]
    lines.append("")
    for kind, symbol, meaning in grid.legend:
        lines.append(f"{symbol} {kind}  {meaning}")
    return lines
