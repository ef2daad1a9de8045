"""Grading what the user types: every sensible way of writing the number is understood."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.exercises import ACCEPTED, Instance, builtin_template, grade, instantiate


def make(answer: str, value: float, tolerance: float = 0.005, unit: str = "",
         traps=()) -> Instance:
    return Instance(
        template_id="t", seed=0, prompt="?", given={}, answer=answer, value=value,
        steps=["working"], grid=None, tolerance=tolerance, unit=unit, traps=tuple(traps),
    )


THREE_QUARTERS = make("3/4", 0.75)


@pytest.mark.parametrize("typed", ["3/4", " 3 / 4 ", "0.75", ".75", "0.750", "75%", "75 %",
                                   "0.7501", "0.745", "0.755", "74.6%", "+0.75"])
def test_right_forms(typed):
    verdict = grade(THREE_QUARTERS, typed)
    assert (verdict.status, verdict.suggested) == ("right", "good")
    assert "3/4 = 0.75" in verdict.message


@pytest.mark.parametrize("typed", ["600/800", "6/8", "30/40"])
def test_unreduced_fraction_is_right_but_unsimplified(typed):
    verdict = grade(THREE_QUARTERS, typed)
    assert (verdict.status, verdict.suggested) == ("unsimplified", "good")
    assert verdict.correct
    assert "reduces to 3/4" in verdict.message


@pytest.mark.parametrize("typed", ["0.7", "4/3", "70%", "0.744", "0.756", "1", "-0.75", "3/5"])
def test_wrong_forms(typed):
    verdict = grade(THREE_QUARTERS, typed)
    assert (verdict.status, verdict.suggested) == ("wrong", "again")
    assert not verdict.correct
    assert "the answer is 3/4 = 0.75" in verdict.message


@pytest.mark.parametrize("typed", ["", "   ", "abc", "three quarters", "3/0", "0.75.1", "3/4/5",
                                   "3 4", "1e3e3", "1,23,4", "x=0.75", "%75"])
def test_unreadable_input_says_what_is_accepted(typed):
    verdict = grade(THREE_QUARTERS, typed)
    assert (verdict.status, verdict.suggested) == ("unreadable", "again")
    assert ACCEPTED in verdict.message
    assert "3/4" in verdict.message and "0.75" in verdict.message and "75%" in verdict.message


def test_inexact_answers_accept_rounded_decimals():
    two_thirds = make("2/3", 2 / 3)
    assert grade(two_thirds, "2/3").status == "right"
    assert grade(two_thirds, "0.667").status == "right"
    assert grade(two_thirds, "0.67").status == "right"  # within ±0.005
    assert grade(two_thirds, "66.7%").status == "right"
    assert grade(two_thirds, "0.66").status == "wrong"
    assert grade(two_thirds, "4/6").status == "unsimplified"
    assert "2/3 ≈ 0.6667" in grade(two_thirds, "0.66").message


def test_integer_answers():
    one = make("1", 1.0)
    for typed in ("1", "1.0", "100%", "1/1"):
        assert grade(one, typed).status == "right", typed
    assert grade(one, "2/2").status == "unsimplified"
    assert grade(one, "0").status == "wrong"


def test_the_template_tolerance_and_unit_apply():
    speed = make("40/3", 40 / 3, tolerance=0.05, unit="mph")
    assert grade(speed, "13.3").status == "right"
    assert grade(speed, "13.33 mph").status == "right"
    assert grade(speed, "13.33mph").status == "right"
    assert grade(speed, "13.2").status == "wrong"
    assert "40/3 ≈ 13.3333 mph" in grade(speed, "13.2").message


def test_a_trap_answer_is_explained():
    speed = make("15", 15.0, unit="mph", traps=[("20", "That is the arithmetic mean.")])
    verdict = grade(speed, "20")
    assert verdict.status == "wrong"
    assert verdict.message.endswith("That is the arithmetic mean.")
    assert "arithmetic" not in grade(speed, "19").message


def test_grading_a_built_in_instance_end_to_end():
    template = builtin_template("f1-counts")
    instance = instantiate(template, 42)
    numerator, _, denominator = instance.answer.partition("/")
    assert grade(instance, instance.answer).status == "right"
    assert grade(instance, f"{instance.value:.4f}").status == "right"
    if denominator:
        assert grade(instance, f"{int(numerator) * 3}/{int(denominator) * 3}").status == \
            "unsimplified"
    assert grade(instance, str(instance.value + 0.1)).status == "wrong"
    g = instance.given
    iou = g["TP"] / (g["TP"] + g["FP"] + g["FN"])
    if abs(iou - instance.value) > 0.01:
        assert "IoU" in grade(instance, f"{iou:.4f}").message  # the Dice/IoU trap


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_grading_never_raises(typed):
    verdict = grade(THREE_QUARTERS, typed)
    assert verdict.status in ("right", "unsimplified", "wrong", "unreadable")
    assert verdict.suggested == ("good" if verdict.correct else "again")


@pytest.mark.parametrize("typed, value", [
    ("1,234", 1234),  # a comma, then exactly three digits: thousands
    ("12,345,678", 12345678),
    ("0,375", Fraction(3, 8)),  # a leading 0 is never a thousands group
    ("1,2345", Fraction(12345, 10000)),  # not three digits: a decimal comma
    ("1,23", Fraction(123, 100)),
    ("1,234.5", Fraction(2469, 2)),  # both marks: the last one is the decimal mark
    ("1.234,5", Fraction(2469, 2)),
    ("1.234", Fraction(1234, 1000)),  # one dot is always a decimal point
    ("1.234.567", 1234567),
    ("1 234 567", 1234567),
    ("1'234.5", Fraction(2469, 2)),
    ("1 234,5", Fraction(2469, 2)),
    (",75", Fraction(3, 4)),
    ("2.5e-3", Fraction(1, 400)),
    ("3×10^2", 300),
    ("1.5/3", Fraction(1, 2)),
])
def test_separators_are_read_by_the_documented_rules(typed, value):
    from flashdeck.exercises.grading import read

    assert read(typed).value == value


@pytest.mark.parametrize("typed", ["1,23,456", "1,2,3", "1.234,567.8", "1 23", "0,000,1",
                                   "1..2", "1e", "e3", "$", "%"])
def test_separators_that_fit_no_rule_are_unreadable(typed):
    assert grade(THREE_QUARTERS, typed).status == "unreadable"
