"""A small, exact and safe arithmetic evaluator for exercise templates.

Templates come from the user's notes, so their expressions are untrusted input: we parse
them with `ast` and walk only the node types we allow (numbers, names, + - * / **, brackets,
unary minus, min/max/abs, sqrt/log/ln/exp, the constants pi and e, and — in `where:`
conditions only — comparisons with and/or/not). Nothing is ever passed to `eval`.

Numbers are `fractions.Fraction`, so `2*300/800` is exactly 3/4 and the working never shows
float noise. `sqrt`, `log`, `ln` and `exp` stay exact where the result is rational
(`sqrt(9/4)` is 3/2, `log(8, 2)` is 3, `exp(0)` is 1) and give a `float` otherwise; anything
computed from a float is a float (graded within the template's tolerance).

Bounds, so that no template can hang or crash whoever draws it:
- every exact operation checks the size of its result BEFORE computing it: the bits of the
  numerator and of the denominator, bounded from the operands' sizes (a product's numerator
  has at most the sum of its factors' numerator bits), must stay within MAX_BITS;
- a float result must be finite (`exp(1000)` is refused, never `inf`);
- each evaluation spends from a `Budget` of operations (one per node, more for big numbers);
  the engine gives one budget to a whole instance (every draw, redraw and placeholder).
Every refusal is an ExprError (a ZeroDivisionError for a division by zero, which a template
may settle with its 0/0 convention).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Union

from flashdeck.exercises.model import ExerciseError

Value = Union[Fraction, float, str]

MAX_LENGTH = 400  # characters; keeps the parser's recursion and our walk shallow
MAX_EXPONENT = 64  # 10**64 is plenty for a flashcard; 9**9**9 is a denial of service
MAX_BITS = 4096  # bits of a numerator or a denominator (about 1,233 digits), checked before
#                  every exact operation: q*q*q*… or (10**64)**64 is refused, never computed
MAX_DEPTH = 100  # nesting of an expression (brackets, unary minus, calls): keeps the walk shallow
MAX_OPS = 50_000  # the default work budget of one evaluation (the engine passes its own)

FUNCTIONS = ("min", "max", "abs", "sqrt", "log", "ln", "exp")
CONSTANTS = {"pi": math.pi, "e": math.e}
GRAMMAR = ("numbers, names, + - * / **, brackets, unary minus, min/max/abs, sqrt/log/ln/exp "
           "and the constants pi and e")
_ARITY = {"abs": (1, 1), "sqrt": (1, 1), "ln": (1, 1), "exp": (1, 1), "log": (1, 2),
          "min": (1, 1000), "max": (1, 1000)}

# Unicode operators people type in notes, mapped to Python's.
_TRANSLATE = str.maketrans({"·": "*", "×": "*", "÷": "/", "−": "-", "–": "-", "≤": "<", "≥": ">"})
_TWO_CHAR = (("≤", "<="), ("≥", ">="), ("≠", "!="))

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}

# Friendly names for what people (or attackers) try, so the error says what went wrong.
_REFUSED = {
    ast.Attribute: "attribute access (x.y)",
    ast.Subscript: "subscripts (x[i])",
    ast.Lambda: "lambda",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.ListComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.IfExp: "if/else expressions",
    ast.NamedExpr: "assignment (:=)",
    ast.JoinedStr: "f-strings",
    ast.Starred: "starred arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.FloorDiv: "floor division (//)",
    ast.Mod: "the % operator",
    ast.MatMult: "the @ operator",
    ast.BitAnd: "bitwise operators",
    ast.BitOr: "bitwise operators",
    ast.BitXor: "bitwise operators",
    ast.LShift: "bitwise operators",
    ast.RShift: "bitwise operators",
    ast.Invert: "bitwise operators",
}


class ExprError(ExerciseError):
    """An expression outside the grammar, or one that cannot be evaluated."""


class BudgetError(ExprError):
    """An instance needed more work than its budget allows."""


class Budget:
    """Operations left for one instance (shared by every evaluation made for it)."""

    __slots__ = ("limit", "left")

    def __init__(self, limit: int = MAX_OPS) -> None:
        self.limit = limit
        self.left = limit

    @property
    def used(self) -> int:
        return self.limit - self.left

    def spend(self, cost: int = 1) -> None:
        self.left -= cost
        if self.left < 0:
            raise BudgetError(f"more than {self.limit:,} operations of work; simplify the "
                              "template (fewer or smaller values, looser where: conditions)")


@dataclass(frozen=True)
class Expr:
    """A checked expression, ready to evaluate many times (once per draw)."""

    text: str
    tree: ast.expr
    names: frozenset[str]
    condition: bool = False
    line: int = 0  # where it sits in its file, for error messages (0: unknown)

    def evaluate(self, env: Mapping[str, Value], budget: Budget | None = None) -> Value:
        """The value for these names; ExprError (or ZeroDivisionError) when it has none.
        Spends from `budget` (a fresh MAX_OPS one when not given)."""
        evaluator = _Evaluator(env, self.text, budget if budget is not None else Budget())
        try:
            return evaluator.visit(self.tree)
        except (OverflowError, MemoryError):  # pragma: no cover - belt and braces
            raise ExprError(f"`{self.text}` gives a number too large to compute with") from None
        except RecursionError:  # pragma: no cover - MAX_DEPTH keeps the walk shallow
            raise ExprError(f"`{self.text}` is nested too deeply") from None

    @property
    def division(self) -> tuple["Expr", "Expr"] | None:
        """The two sides when the whole expression is a division (for `{a/b:work}`)."""
        tree = self.tree
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div):
            return (
                Expr(self.text, tree.left, _names(tree.left), line=self.line),
                Expr(self.text, tree.right, _names(tree.right), line=self.line),
            )
        return None


def compile_expr(text: object, *, condition: bool = False, line: int = 0) -> Expr:
    """Parse and check `text`; raise ExprError naming the first thing not allowed."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ExprError(f"expected an arithmetic expression, got {_describe(text)}")
    source = str(text).strip()
    if not source:
        raise ExprError("empty expression")
    if len(source) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    for uni, ascii_ in _TWO_CHAR:
        source = source.replace(uni, ascii_)
    source = source.translate(_TRANSLATE)
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise ExprError(f"cannot read `{text}` as an expression ({exc.msg})") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExprError(f"cannot read `{text}` as an expression") from None
    _check(tree, str(text), condition)
    if _depth(tree) > MAX_DEPTH:
        raise ExprError(f"`{_clip(str(text))}` is nested more than {MAX_DEPTH} levels deep")
    return Expr(str(text), tree, _names(tree), condition, line)


def _names(tree: ast.AST) -> frozenset[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found.discard(node.func.id)
    # a name used both as a function and a variable is refused by _check
    return frozenset(found - set(FUNCTIONS) - set(CONSTANTS))


def _depth(tree: ast.AST) -> int:
    """How deeply the expression nests (iteratively: a deep tree must not recurse here)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            # the left operand of + - * / ** is evaluated in a loop (`a + b + c`), not deeper
            same = isinstance(node, ast.BinOp) and child is node.left
            stack.append((child, depth if same else depth + 1))
    return deepest


def _clip(text: str) -> str:
    return text if len(text) <= 80 else text[:79] + "…"


def _describe(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return type(value).__name__


def _refuse(node: ast.AST, text: str) -> ExprError:
    what = _REFUSED.get(type(node))
    if what is None:
        what = type(node).__name__
    return ExprError(f"{what} is not allowed in `{text}`; expressions may use {GRAMMAR}")


def _check(node: ast.AST, text: str, condition: bool) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExprError(f"only numbers are allowed as literals in `{text}`, not {node.value!r}")
        if isinstance(node.value, float) and not math.isfinite(node.value):  # nan, 1e999
            raise ExprError(f"a number too large to use in `{text}`")
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExprError(f"names starting with _ are not allowed in `{text}`")
        if node.id in FUNCTIONS:
            raise ExprError(f"{node.id} is a function; call it as {node.id}(…) in `{text}`")
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise _refuse(node.op, text)
        _check(node.left, text, condition)
        _check(node.right, text, condition)
        return
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, (ast.USub, ast.UAdd)) or (condition and isinstance(node.op, ast.Not)):
            _check(node.operand, text, condition)
            return
        if isinstance(node.op, ast.Not):
            raise ExprError(f"`not` is only allowed in where: conditions, not in `{text}`")
        raise _refuse(node.op, text)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            raise _refuse(node.func, text)
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else "an expression"
            raise ExprError(f"calling {called} is not allowed in `{text}`: only "
                            f"{', '.join(FUNCTIONS)} can be called")
        if node.keywords:
            raise ExprError(f"keyword arguments are not allowed in `{text}`")
        least, most = _ARITY[node.func.id]
        if not node.args:
            raise ExprError(f"{node.func.id} needs at least one argument in `{text}`")
        if not least <= len(node.args) <= most:
            takes = "one argument" if most == 1 else f"{least} to {most} arguments"
            raise ExprError(f"{node.func.id} takes {takes} in `{text}`")
        for arg in node.args:
            _check(arg, text, condition)
        return
    if isinstance(node, ast.Compare):
        if not condition:
            raise ExprError(f"comparisons are only allowed in where: conditions, not in `{text}`")
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExprError(f"only < <= > >= == != may compare values in `{text}`")
        _check(node.left, text, condition)
        for comparator in node.comparators:
            _check(comparator, text, condition)
        return
    if isinstance(node, ast.BoolOp):
        if not condition:
            raise ExprError(f"and/or are only allowed in where: conditions, not in `{text}`")
        for value in node.values:
            _check(value, text, condition)
        return
    raise _refuse(node, text)


def _size(value: Fraction) -> tuple[int, int]:
    return value.numerator.bit_length(), value.denominator.bit_length()


def _is_number(value: object) -> bool:
    return isinstance(value, (Fraction, float)) and not isinstance(value, bool)


def _as_float(value: Fraction | float, text: str) -> float:
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except OverflowError:
        raise ExprError(f"`{text}` gives a number too large to compute with") from None


def _iroot(n: int, k: int) -> int | None:
    """The exact whole k-th root of n ≥ 0, or None."""
    if n < 2:
        return n
    if k == 2:
        root = math.isqrt(n)
        return root if root * root == n else None
    root = 1 << -(-n.bit_length() // k)  # an upper bound; Newton's method from above
    while True:
        smaller = ((k - 1) * root + n // root ** (k - 1)) // k
        if smaller >= root:
            break
        root = smaller
    return root if root ** k == n else None


class _Evaluator:
    def __init__(self, env: Mapping[str, Value], text: str, budget: Budget) -> None:
        self.env = env
        self.text = _clip(text)  # for messages
        self.budget = budget

    def visit(self, node: ast.AST):  # node types were checked by compile_expr
        self.budget.spend()
        method = getattr(self, "visit_" + type(node).__name__)
        return method(node)

    def number(self, node: ast.AST) -> Fraction | float:
        value = self.visit(node)
        if isinstance(value, bool):
            raise ExprError(f"a condition is used as a number in `{self.text}`")
        if not _is_number(value):
            raise ExprError(f"{value!r} is text, not a number, in `{self.text}`")
        return value

    def too_large(self) -> ExprError:
        return ExprError(f"`{self.text}` gives a number too large to show (more than "
                         f"{MAX_BITS} bits)")

    def exact(self, num_bits: int, den_bits: int) -> None:
        """Refuse a result whose bound exceeds MAX_BITS, before computing it."""
        if num_bits > MAX_BITS or den_bits > MAX_BITS:
            raise self.too_large()
        self.budget.spend((num_bits + den_bits) // 512)  # big numbers cost more

    def finite(self, value: float) -> float:
        if not math.isfinite(value):
            raise ExprError(f"`{self.text}` gives a number too large to compute with")
        return value

    def visit_Constant(self, node: ast.Constant) -> Fraction:
        # repr() is the shortest text that reads back as the same float, so 0.1 -> 1/10.
        return Fraction(repr(node.value)) if isinstance(node.value, float) else Fraction(node.value)

    def visit_Name(self, node: ast.Name) -> Value:
        try:
            return self.env[node.id]
        except KeyError:
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            known = ", ".join(sorted(k for k in self.env if not k.startswith("_"))) or "none"
            raise ExprError(f"unknown name {node.id!r} in `{self.text}` (defined: {known})") from None

    def visit_BinOp(self, node: ast.BinOp) -> Fraction | float:
        # `a + b + c + …` nests to the left: walk that spine in a loop, not by recursion
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp):
            spine.append(spine[-1].left)  # type: ignore[arg-type]
        value = self.number(spine[-1].left)
        for index, binop in enumerate(reversed(spine)):
            if index < len(spine) - 1:
                self.budget.spend()  # what visiting it would have cost
            value = self.binop(binop.op, value, self.number(binop.right))
        return value

    def binop(self, op_node: ast.operator, left: Fraction | float,
              right: Fraction | float) -> Fraction | float:
        op = type(op_node)
        if op is ast.Div and right == 0:
            raise ZeroDivisionError(f"division by zero in `{self.text}`")
        if op is ast.Pow:
            return self.power(left, right)
        if isinstance(left, float) or isinstance(right, float):
            a, b = _as_float(left, self.text), _as_float(right, self.text)
            try:
                result = a + b if op is ast.Add else a - b if op is ast.Sub else \
                    a * b if op is ast.Mult else a / b
            except (OverflowError, ZeroDivisionError):  # pragma: no cover - b == 0 ruled out
                raise ExprError(f"`{self.text}` gives a number too large to compute with") from None
            return self.finite(result)
        (ln, ld), (rn, rd) = _size(left), _size(right)
        if op is ast.Add or op is ast.Sub:
            self.exact(max(ln + rd, rn + ld) + 1, ld + rd)
            return left + right if op is ast.Add else left - right
        if op is ast.Mult:
            self.exact(ln + rn, ld + rd)
            return left * right
        self.exact(ln + rd, ld + rn)
        return left / right

    def power(self, left: Fraction | float, right: Fraction | float) -> Fraction | float:
        if isinstance(right, float) or right.denominator != 1:
            raise ExprError(f"only whole-number powers are allowed; {_short(right)} is not, in "
                            f"`{self.text}` (use sqrt(x), or exp(y*ln(x)) for x to the power y)")
        if abs(right) > MAX_EXPONENT:
            raise ExprError(f"exponent {right} is too large (at most {MAX_EXPONENT}) in `{self.text}`")
        if left == 0 and right < 0:
            raise ZeroDivisionError(f"division by zero (0 to a negative power) in `{self.text}`")
        exponent = int(right)
        if isinstance(left, float):
            try:
                return self.finite(left ** exponent)
            except OverflowError:
                raise ExprError(f"`{self.text}` gives a number too large to compute with") from None
        num_bits, den_bits = _size(left)
        if exponent < 0:
            num_bits, den_bits = den_bits, num_bits
        self.exact(num_bits * abs(exponent), den_bits * abs(exponent))
        return left ** exponent

    def visit_UnaryOp(self, node: ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return not self.condition(node.operand)
        value = self.number(node.operand)
        return -value if isinstance(node.op, ast.USub) else value

    def visit_Call(self, node: ast.Call) -> Fraction | float:
        args = [self.number(arg) for arg in node.args]
        name = node.func.id  # type: ignore[attr-defined]
        if name == "abs":
            return abs(args[0])
        if name == "min":
            return min(args)
        if name == "max":
            return max(args)
        if name == "sqrt":
            return self.sqrt(args[0])
        if name == "exp":
            return self.exp(args[0])
        if name == "ln" or len(args) == 1:
            return self.log(args[0])
        return self.log_base(args[0], args[1])

    def domain(self, what: str) -> ExprError:
        return ExprError(f"{what} in `{self.text}`")

    def sqrt(self, x: Fraction | float) -> Fraction | float:
        if x < 0:
            raise self.domain(f"the square root of a negative number ({_short(x)}) is undefined")
        if isinstance(x, Fraction):
            top, bottom = _iroot(x.numerator, 2), _iroot(x.denominator, 2)
            if top is not None and bottom is not None:
                return Fraction(top, bottom)
            if x.numerator.bit_length() > 1000 or x.denominator.bit_length() > 1000:
                # past a float's range: halve the logarithm instead
                return self.finite(math.exp((math.log(x.numerator) - math.log(x.denominator)) / 2))
        return self.finite(math.sqrt(_as_float(x, self.text)))

    def ln(self, x: Fraction | float) -> float:
        if isinstance(x, Fraction):  # exact logs of the parts: no overflow for big fractions
            return math.log(x.numerator) - math.log(x.denominator)
        return math.log(x)

    def log(self, x: Fraction | float) -> Fraction | float:
        if x <= 0:
            raise self.domain(_log_domain(x))
        if x == 1:
            return Fraction(0)
        return self.finite(self.ln(x))

    def log_base(self, x: Fraction | float, base: Fraction | float) -> Fraction | float:
        if base <= 0 or base == 1:
            raise self.domain(f"a logarithm's base must be positive and not 1, not {_short(base)}")
        if x <= 0:
            raise self.domain(_log_domain(x))
        ln_base = self.ln(base)
        if ln_base == 0:  # 1 + 1/10**60: a float cannot tell it from 1
            raise self.domain("a logarithm's base must be positive and not 1, and this one is "
                              "too close to 1 to compute with")
        value = self.ln(x) / ln_base
        if isinstance(x, Fraction) and isinstance(base, Fraction) and math.isfinite(value):
            # exact when x is a whole power of base, or base a whole power of x
            if abs(value) >= 1:
                k = round(value)
                if abs(k) <= MAX_EXPONENT and self.fits(base, k) and base ** k == x:
                    return Fraction(k)
            elif value != 0:
                k = round(1 / value)
                if abs(k) <= MAX_EXPONENT and self.fits(x, k) and x ** k == base:
                    return Fraction(1, k)
        return self.finite(value)

    def fits(self, base: Fraction, k: int) -> bool:
        return max(_size(base)) * abs(k) <= MAX_BITS

    def exp(self, x: Fraction | float) -> Fraction | float:
        if x == 0:
            return Fraction(1)
        value = _as_float(x, self.text)
        if value > 709:  # e**709 is about 8e307, the edge of a float
            raise ExprError(f"`{self.text}` gives a number too large to compute with "
                            f"(exp of {_short(x)})")
        return math.exp(value)

    def condition(self, node: ast.AST) -> bool:
        value = self.visit(node)
        if isinstance(value, bool):
            return value
        if _is_number(value):
            return value != 0
        raise ExprError(f"{value!r} is text, not a condition, in `{self.text}`")

    def visit_Compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.visit(comparator)
            if isinstance(left, str) or isinstance(right, str):
                if type(op) not in (ast.Eq, ast.NotEq):
                    raise ExprError(f"text can only be compared with == or != in `{self.text}`")
            elif isinstance(left, bool) or isinstance(right, bool):
                raise ExprError(f"cannot compare a condition in `{self.text}`")
            ok = {
                ast.Lt: lambda a, b: a < b,
                ast.LtE: lambda a, b: a <= b,
                ast.Gt: lambda a, b: a > b,
                ast.GtE: lambda a, b: a >= b,
                ast.Eq: lambda a, b: a == b,
                ast.NotEq: lambda a, b: a != b,
            }[type(op)](left, right)
            if not ok:
                return False
            left = right
        return True

    def visit_BoolOp(self, node: ast.BoolOp) -> bool:
        if isinstance(node.op, ast.And):
            return all(self.condition(value) for value in node.values)
        return any(self.condition(value) for value in node.values)


def _short(value: Fraction | float) -> str:
    """A number for an error message, never thousands of digits."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if max(_size(value)) <= 64:
        return str(value)
    return f"{float(value):.6g}" if max(_size(value)) < 1000 else "a very large number"


def _log_domain(x: Fraction | float) -> str:
    if x == 0:
        return "the logarithm of 0 is undefined"
    return f"the logarithm of a negative number ({_short(x)}) is undefined"
