"""The safe evaluator: exact arithmetic inside its grammar, a clear refusal outside it."""

import math
import re
from fractions import Fraction

import pytest

from flashdeck.exercises import ExprError, compile_expr


def ev(text: str, **names):
    env = {k: Fraction(v) if not isinstance(v, str) else v for k, v in names.items()}
    return compile_expr(text).evaluate(env)


@pytest.mark.parametrize(
    "text, names, expected",
    [
        ("2*TP / (2*TP + FP + FN)", {"TP": 300, "FP": 200, "FN": 0}, Fraction(3, 4)),
        ("0.1 + 0.2", {}, Fraction(3, 10)),  # exact, no float noise
        ("2**-2", {}, Fraction(1, 4)),
        ("(1 + b**2) * P * R / (b**2 * P + R)", {"b": 2, "P": "0.5", "R": "0.25"}, Fraction(5, 18)),
        ("min(3, 1, 2) + max(4, 5) + abs(-6)", {}, Fraction(12)),
        ("-(3 - 5)", {}, Fraction(2)),
        ("+x", {"x": 7}, Fraction(7)),
        ("2·3 − 1", {}, Fraction(5)),  # the notes' Unicode operators
        ("6 ÷ 4 × 2", {}, Fraction(3)),
    ],
)
def test_evaluates_exactly(text, names, expected):
    names = {k: Fraction(v) for k, v in names.items()}
    assert compile_expr(text).evaluate(names) == expected


def test_literals_are_fractions_not_floats():
    value = ev("1/3 + 1/3 + 1/3")
    assert isinstance(value, Fraction) and value == 1


def test_names_lists_what_an_expression_needs():
    assert compile_expr("2*TP / (2*TP + FP + max(FN, 0))").names == {"TP", "FP", "FN"}


@pytest.mark.parametrize(
    "text, says",
    [
        ("x.real", "attribute access"),
        ("__import__('os')", "calling __import__"),
        ("__import__('os').system('echo hi')", "attribute access"),
        ("(lambda: 1)()", "calling"),
        ("lambda: 1", "lambda"),
        ("a[0]", "subscripts"),
        ("open('f')", "calling open"),
        ("eval('1')", "calling eval"),
        ("round(1.5)", "calling round"),
        ("max(a=1)", "keyword arguments"),
        ("'text'", "only numbers"),
        ("[1, 2]", "lists"),
        ("1 if x else 2", "if/else"),
        ("(y := 2)", "assignment"),
        ("7 // 2", "floor division"),
        ("7 % 2", "% operator"),
        ("1 << 2", "bitwise"),
        ("a < b", "only allowed in where"),
        ("a and b", "only allowed in where"),
        ("_secret + 1", "names starting with _"),
        ("min", "is a function"),
        ("f'{x}'", "f-strings"),
        ("2 +", "cannot read"),
        ("", "empty"),
        ("1" * 500, "longer than"),
    ],
)
def test_refuses_everything_outside_the_grammar(text, says):
    with pytest.raises(ExprError) as caught:
        compile_expr(text)
    assert says in str(caught.value)


def test_refusal_names_the_grammar():
    with pytest.raises(ExprError, match=r"numbers, names, \+ - \* / \*\*"):
        compile_expr("x.y")


def test_not_a_string_or_number_is_refused():
    with pytest.raises(ExprError, match="expected an arithmetic expression"):
        compile_expr({"a": 1})


def test_undefined_name_is_a_clear_error():
    with pytest.raises(ExprError, match=r"unknown name 'FN'.*defined: FP, TP"):
        ev("TP + FN", TP=1, FP=2)


def test_powers_stay_exact_and_bounded():
    with pytest.raises(ExprError, match="whole-number powers"):
        ev("2 ** 0.5")
    with pytest.raises(ExprError, match="too large"):
        ev("9 ** 9 ** 9")


def test_division_by_zero_is_reported_not_hidden():
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        ev("TP / (FP + FN)", TP=1, FP=0, FN=0)


def test_text_values_cannot_take_part_in_arithmetic():
    with pytest.raises(ExprError, match="is text, not a number"):
        ev("metric + 1", metric="Dice")


def test_conditions_compare_and_combine():
    cond = compile_expr("TP <= M and (FP > 0 or not FN == 0) and v1 != v2", condition=True)
    env = {"TP": Fraction(3), "M": Fraction(5), "FP": Fraction(0), "FN": Fraction(2),
           "v1": Fraction(10), "v2": Fraction(30)}
    assert cond.evaluate(env) is True
    env["TP"] = Fraction(6)
    assert cond.evaluate(env) is False
    chained = compile_expr("0 < x <= 1", condition=True)
    assert chained.evaluate({"x": Fraction(1)}) is True
    assert chained.evaluate({"x": Fraction(0)}) is False


def test_conditions_still_refuse_calls_and_attributes():
    with pytest.raises(ExprError, match="calling"):
        compile_expr("len(x) > 1", condition=True)
    with pytest.raises(ExprError, match="attribute access"):
        compile_expr("x.y > 1", condition=True)
    with pytest.raises(ExprError, match="only < <= > >= == != "):
        compile_expr("x in y", condition=True)


# -- sqrt, log, ln, exp, pi, e ---------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("sqrt(9/4)", Fraction(3, 2)),
    ("sqrt(0)", Fraction(0)),
    ("log(8, 2)", Fraction(3)),
    ("log(2, 8)", Fraction(1, 3)),
    ("log(1/100, 10)", Fraction(-2)),
    ("ln(1)", Fraction(0)),
    ("exp(0)", Fraction(1)),
    ("sqrt(x**2)", Fraction(7)),
])
def test_functions_are_exact_where_the_result_is_rational(text, expected):
    value = ev(text, x=7)
    assert isinstance(value, Fraction) and value == expected


@pytest.mark.parametrize("text, expected", [
    ("sqrt(2)", math.sqrt(2)),
    ("log(10)", math.log(10)),
    ("ln(10)", math.log(10)),
    ("log(10, 3)", math.log(10) / math.log(3)),
    ("exp(1)", math.e),
    ("e", math.e),
    ("2*pi", 2 * math.pi),
    ("-(0.3*ln(0.3) + 0.7*ln(0.7))", -(0.3 * math.log(0.3) + 0.7 * math.log(0.7))),
    ("exp(2) / (exp(1) + exp(2))", math.exp(2) / (math.exp(1) + math.exp(2))),
    ("sqrt(2)**2", 2.0000000000000004),
])
def test_functions_give_floats_otherwise(text, expected):
    value = ev(text)
    assert isinstance(value, float) and value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text, says", [
    ("sqrt(-1)", "square root of a negative number"),
    ("log(0)", "logarithm of 0 is undefined"),
    ("ln(-2)", "logarithm of a negative number"),
    ("log(2, 1)", "base must be positive and not 1"),
    ("log(2, 0)", "base must be positive and not 1"),
    ("exp(1000)", "too large"),
    ("exp(700) * exp(700)", "too large"),
    ("2 ** 0.5", "whole-number powers"),
    ("2 ** sqrt(2)", "whole-number powers"),
    ("sqrt(1, 2)", "sqrt takes one argument"),
    ("log(1, 2, 3)", "log takes 1 to 2 arguments"),
    ("1e999", "too large"),
])
def test_domain_errors_are_the_templates_problem(text, says):
    with pytest.raises(ExprError, match=re.escape(says)):
        ev(text)


def test_deep_nesting_is_refused_when_compiled_not_when_evaluated():
    with pytest.raises(ExprError, match="nested more than 100 levels deep"):
        compile_expr("-" * 150 + "1")
    assert ev("1" + " + 1" * 98) == 99  # a long sum is fine


def test_messages_never_quote_thousands_of_characters():
    with pytest.raises(ExprError) as caught:
        ev("*".join(["q"] * 100), q=2**100)
    assert "too large" in str(caught.value) and len(str(caught.value)) < 200
