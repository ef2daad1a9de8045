"""The working shown for a drawn instance is arithmetically right for the numbers drawn:
in every chain `2·300 / (2·300 + 200 + 0) = 600/800 = 0.75` of a built-in's working, each
side that is plain arithmetic equals the one before it (`=` exactly, `≈` to the 4 places
shown), for any seed."""

from __future__ import annotations

import re
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.exercises import ExprError, builtin_templates, compile_expr, instantiate

ROUNDED = Fraction(5, 100_000)  # half a unit of the 4th place


def _value(side: str) -> Fraction | float | None:
    """A side of a chain as a number, when it is plain arithmetic (`2·300 / 800`, `e^(3)`)."""
    side = side.strip().rstrip(".,;").replace("$", "").replace("e^(", "exp(")
    side = re.sub(r"\s*(mph|h|min|mi|shares)$", "", side)
    if not side or re.search(r"[^\d\s.+\-−·×/()*]", side.replace("exp(", "(")):
        return None
    try:
        return compile_expr(side).evaluate({})
    except (ExprError, ZeroDivisionError):
        return None


def chains(line: str) -> list[list[tuple[str, str]]]:
    """Each clause's chain as [(relation, side)], the first relation empty."""
    found = []
    for clause in re.split(r"[:;]\s|,\s(?=[A-Za-z])", line):
        sides = re.split(r"\s(=|≈)\s", clause)
        found.append([("", sides[0])] + list(zip(sides[1::2], sides[2::2])))
    return found


def broken_links(lines: list[str]) -> list[str]:
    broken, checked = [], 0
    for line in lines:
        for chain in chains(line):
            before = None
            for relation, side in chain:
                value = _value(side)
                if value is not None and before is not None:
                    checked += 1
                    exact = isinstance(value, Fraction) and isinstance(before, Fraction)
                    if relation == "=" and exact:
                        ok = value == before
                    else:
                        ok = abs(Fraction(value) - Fraction(before)) <= ROUNDED + Fraction(1, 10**9)
                    if not ok:
                        broken.append(f"{line!r}: {side.strip()} does not follow")
                if value is not None:
                    before = value
    return broken


def test_the_checker_catches_a_slip():
    assert broken_links(["Dice = 2·300 / (2·300 + 200 + 0) = 600/800 = 0.75"]) == []
    assert broken_links(["Dice = 2·300 / (2·300 + 200 + 0) = 600/900 = 0.75"])
    assert broken_links(["F1 = 0.348/0.89 = 174/445 ≈ 0.3911"])
    assert broken_links(["x = 2/3 ≈ 0.6667"]) == []


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**63 - 1))
def test_every_builtins_working_is_right_for_any_seed(seed):
    for template in builtin_templates():
        instance = instantiate(template, seed)
        assert broken_links(instance.steps) == [], (template.id, seed)
