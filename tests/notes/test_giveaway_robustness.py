"""The give-away check (`notes._giveaway`) reads untrusted headings, sentences and formulas:
it never raises, and what it shows only ever replaces a part of the text with `…`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.notes._giveaway import formula, formula_values, redact, stated_values

_PIECES = ["$", "$$", "\\frac{", "}", "{", "=", " = ", "+", " - ", "/", "^", "‖", "²", "(",
           ")", "TP", "FP", "x", "σ", "\\sigma", "\\lambda", "λ", " is ", ", ", ":", "0.75",
           "1", "\\dots", "…", "\\", "\\text{", "ₙ", "ᵢ", " ", "\n", "{,}", "\\%", "%"]
_texts = st.lists(st.sampled_from(_PIECES) | st.text(max_size=5), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_texts, latex=st.lists(_texts, max_size=3))
def test_redact_never_raises_and_only_cuts(text: str, latex: list[str]) -> None:
    formulas = [f for f in map(formula, latex) if f is not None]
    shown = redact(text, formulas)
    assert isinstance(shown, str)
    if shown != text:  # each cut part is shown as an ellipsis, the rest kept in order
        kept = shown.replace("\\dots", "…").split("…")
        at = 0
        for part in kept:
            found = text.find(part.strip(), at)
            assert found >= 0, (text, shown)
            at = found + len(part.strip())


def test_a_huge_heading_is_left_as_written() -> None:
    f = formula("P = \\frac{TP}{TP+FP}")
    assert f is not None
    text = "TP / (TP + FP) " * 10_000
    assert redact(text, [f]) == text


@settings(max_examples=300, deadline=None)
@given(text=_texts, units=st.lists(_texts, max_size=3), latex=_texts)
def test_the_same_fact_check_never_raises_and_is_bounded(text: str, units: list[str],
                                                         latex: str) -> None:
    stated = stated_values(text, units)
    values = formula_values(latex)
    assert isinstance(stated, set) and isinstance(values, frozenset)
    assert all(sum(n for _s, n in key) >= 2 for key in stated | values)


def test_a_huge_card_or_formula_is_compared_in_bounded_work() -> None:
    assert stated_values("TP / (TP + FP) " * 10_000, ["a + b"] * 10_000) <= {(("a", 1), ("b", 1))}
    assert len(formula_values("x = " + "a + b = " * 10_000)) <= 1


def test_an_operator_or_math_is_told_by_each_of_its_characters_alone() -> None:
    """`has_operator` and `might_state` find `$` or an operator character by one regex
    class: every code point is told as the set of operator characters tells it."""
    from flashdeck.notes._giveaway import _OPERATOR_CHARS, has_operator, might_state

    for code in range(0x110000):
        c = chr(code)
        expected = c == "$" or c in _OPERATOR_CHARS
        assert has_operator(c) is expected, hex(code)
        assert has_operator(f"a {c} b") is expected, hex(code)
        assert might_state(f"word{c}word") is expected, hex(code)
    assert might_state("bias - variance") and might_state("bias – variance")
    assert not might_state("bias-variance") and not has_operator("")
