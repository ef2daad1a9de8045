"""A small, exact and safe arithmetic evaluator for exercise templates.

Templates come from the user's notes, so their expressions are untrusted input: we parse
them with `ast` and walk only the node types we allow (numbers, names, + - * / **, brackets,
unary minus, min/max/abs, and — in `where:` conditions only — comparisons with and/or/not).
Nothing is ever passed to `eval`. Every number is a `fractions.Fraction`, so `2*300/800`
is exactly 3/4 and the working never shows float noise.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Union

from flashdeck.exercises.model import ExerciseError

Value = Union[Fraction, str]

MAX_LENGTH = 400  # characters; keeps the parser's recursion and our walk shallow
MAX_EXPONENT = 64  # 10**64 is plenty for a flashcard; 9**9**9 is a denial of service
MAX_BITS = 4096  # and so is (10**64)**64**…: cap the size of a power's result

FUNCTIONS = ("min", "max", "abs")
GRAMMAR = "numbers, names, + - * / **, brackets, unary minus and min/max/abs"

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


@dataclass(frozen=True)
class Expr:
    """A checked expression, ready to evaluate many times (once per draw)."""

    text: str
    tree: ast.expr
    names: frozenset[str]
    condition: bool = False
    line: int = 0  # where it sits in its file, for error messages (0: unknown)

    def evaluate(self, env: Mapping[str, Value]) -> Value:
        return _Evaluator(env, self.text).visit(self.tree)

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
    return Expr(str(text), tree, _names(tree), condition, line)


def _names(tree: ast.AST) -> frozenset[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found.discard(node.func.id)
    # a name used both as a function and a variable is refused by _check
    return frozenset(found - set(FUNCTIONS))


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
        if isinstance(node.value, float) and node.value != node.value:  # nan
            raise ExprError(f"not a number in `{text}`")
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
            raise ExprError(f"calling {called} is not allowed in `{text}`: only min, max and abs "
                            "can be called")
        if node.keywords:
            raise ExprError(f"keyword arguments are not allowed in `{text}`")
        if node.func.id == "abs" and len(node.args) != 1:
            raise ExprError(f"abs takes one argument in `{text}`")
        if not node.args:
            raise ExprError(f"{node.func.id} needs at least one argument in `{text}`")
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


class _Evaluator:
    def __init__(self, env: Mapping[str, Value], text: str) -> None:
        self.env = env
        self.text = text

    def visit(self, node: ast.AST):  # node types were checked by compile_expr
        method = getattr(self, "visit_" + type(node).__name__)
        return method(node)

    def number(self, node: ast.AST) -> Fraction:
        value = self.visit(node)
        if isinstance(value, bool):
            raise ExprError(f"a condition is used as a number in `{self.text}`")
        if not isinstance(value, Fraction):
            raise ExprError(f"{value!r} is text, not a number, in `{self.text}`")
        return value

    def visit_Constant(self, node: ast.Constant) -> Fraction:
        # repr() is the shortest text that reads back as the same float, so 0.1 -> 1/10.
        return Fraction(repr(node.value)) if isinstance(node.value, float) else Fraction(node.value)

    def visit_Name(self, node: ast.Name) -> Value:
        try:
            return self.env[node.id]
        except KeyError:
            known = ", ".join(sorted(k for k in self.env if not k.startswith("_"))) or "none"
            raise ExprError(f"unknown name {node.id!r} in `{self.text}` (defined: {known})") from None

    def visit_BinOp(self, node: ast.BinOp) -> Fraction:
        left = self.number(node.left)
        right = self.number(node.right)
        op = type(node.op)
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            if right == 0:
                raise ZeroDivisionError(f"division by zero in `{self.text}`")
            return left / right
        # power: only whole exponents keep the result exact
        if right.denominator != 1:
            raise ExprError(f"only whole-number powers are exact; {right} is not, in `{self.text}`")
        if abs(right) > MAX_EXPONENT:
            raise ExprError(f"exponent {right} is too large (at most {MAX_EXPONENT}) in `{self.text}`")
        size = max(left.numerator.bit_length(), left.denominator.bit_length())
        if size * abs(right) > MAX_BITS:
            raise ExprError(f"the power in `{self.text}` gives a number too large to show")
        if left == 0 and right < 0:
            raise ZeroDivisionError(f"division by zero (0 to a negative power) in `{self.text}`")
        return left ** int(right)

    def visit_UnaryOp(self, node: ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return not self.condition(node.operand)
        value = self.number(node.operand)
        return -value if isinstance(node.op, ast.USub) else value

    def visit_Call(self, node: ast.Call) -> Fraction:
        args = [self.number(arg) for arg in node.args]
        name = node.func.id  # type: ignore[attr-defined]
        if name == "abs":
            return abs(args[0])
        return min(args) if name == "min" else max(args)

    def condition(self, node: ast.AST) -> bool:
        value = self.visit(node)
        if isinstance(value, bool):
            return value
        if isinstance(value, Fraction):
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
