"""Forms real vaults write that read wrongly in a terminal: a bar between words, a root set
apart by a space, a left-hand side wider than the panel, a long sum inside tall brackets."""

from __future__ import annotations

import pytest

from flashdeck.mathtext import fit_display, render_inline
from flashdeck.mathtext.layout import cell_width


def width_of(lines) -> int:
    return max(cell_width(line) for line in lines)


@pytest.mark.parametrize("latex,shown", [
    (r"P(A|\text{rain})", "P(A | rain)"),  # was `P(A| rain)`
    (r"P(\text{rain}|A)", "P(rain | A)"),  # was `P(rain |A)`
    (r"P(\text{rain}|\text{clouds})", "P(rain | clouds)"),
    (r"P(A|B)", "P(A|B)"),  # letters: as before
    (r"|\text{rain}|", "|rain|"),  # a pair of bars is no "given"
    (r"\log|x|", "log |x|"),
])
def test_a_bar_between_words_is_spaced_alike_on_both_sides(latex, shown):
    assert render_inline(latex) == shown


@pytest.mark.parametrize("latex,shown", [
    (r"\sqrt{2}\,E_\text{Planck}", "√2 E_Planck"),  # was `√(2) E_Planck`
    (r"\sqrt 3\,k^2", "√3 k²"),
    (r"\sqrt{2}E", "√(2)E"),  # touching: `√2E` would read as the root of 2E
    (r"\sqrt{x}\sqrt{y}", "√(x)√y"),
])
def test_a_root_set_apart_by_a_space_needs_no_brackets(latex, shown):
    assert render_inline(latex) == shown


def test_a_left_hand_side_of_prose_wider_than_the_panel_wraps_at_its_words():
    latex = (r"\text{the expected number of customers waiting in the queue at time } t"
             r" = \lambda W_q")
    fit = fit_display(latex, 40)
    assert fit.overflow == 0 and width_of(fit.lines) <= 40  # it scrolled by 23 columns
    text = [line.rstrip() for line in fit.lines if line.strip()]
    assert text == ["the expected number of customers waiting",
                    "  in the queue at time t",
                    "    = λW_q"]


def test_a_sum_on_the_left_wider_than_the_panel_breaks_before_its_terms():
    latex = (r"(\delta_{1})\vec{q}_{1}+(\delta_{2}+\beta_{21})\vec{q}_{2}"
             r"+(\delta_{3}+\beta_{31}+\beta_{32})\vec{q}_{3} = 0")
    fit = fit_display(latex, 40)
    assert fit.overflow == 0
    text = [line.rstrip() for line in fit.lines if line.strip()]
    assert text[0].startswith("(δ₁)q⃗₁ + (δ₂ + β₂₁)q⃗₂")
    assert text[1].startswith("  + (δ₃ + β₃₁ + β₃₂)q⃗₃")
    assert text[-1].strip() == "= 0"


def test_a_prose_introduction_wraps_as_prose():
    fit = fit_display(r"\text{when we delete u it follows that: } \delta(s,u)=d(s,u)", 30)
    assert fit.overflow == 0  # it scrolled by 7
    assert [line.strip() for line in fit.lines if line.strip()] == [
        "when we delete u it follows", "that: δ(s, u)", "= d(s, u)"]


def test_a_one_word_name_is_not_a_break():
    """`\\text{precision}` is a factor: a term is not torn between words of one name."""
    fit = fit_display(r"\text{precision}\times\text{recall} = x", 12)
    assert any("precision × recall" in line for line in fit.lines)


def test_a_long_sum_inside_tall_brackets_breaks_at_40_columns():
    latex = (r"J = \left( \sum_{i=1}^{n} \frac{a_i}{b_i} + \sum_{j=1}^{m} \frac{c_j}{d_j}"
             r" + \sum_{k=1}^{p} \frac{e_k}{f_k} + \sum_{l=1}^{n} \frac{g_l}{h_l} \right)^2")
    fit = fit_display(latex, 40)
    assert fit.overflow == 0 and width_of(fit.lines) <= 40  # it scrolled by 7
    text = "\n".join(fit.lines)
    for sign in ("aᵢ", "cⱼ", "eₖ", "gₗ", "hₗ", "∑ₗ₌₁ⁿ", ")²"):
        assert sign in text
    # the terms in order, each continuation opening with its sign
    assert text.index("aᵢ") < text.index("cⱼ") < text.index("eₖ") < text.index("gₗ")
    assert any(line.lstrip().startswith("+ ∑ₗ₌₁ⁿ") for line in fit.lines)


def test_a_sum_with_limits_set_under_it_needs_no_break_at_40_columns():
    """`\\sum_{l=1}^{q}` (no superscript q) sets every sum of the row's limits under and
    over it (test_math_limits.py): the same sum of four fractions fits 40 columns whole."""
    latex = (r"J = \left( \sum_{i=1}^{n} \frac{a_i}{b_i} + \sum_{j=1}^{m} \frac{c_j}{d_j}"
             r" + \sum_{k=1}^{p} \frac{e_k}{f_k} + \sum_{l=1}^{q} \frac{g_l}{h_l} \right)^2")
    fit = fit_display(latex, 40)
    assert fit.overflow == 0 and width_of(fit.lines) <= 40
    assert [line.rstrip() for line in fit.lines] == [
        "    ⎛ n  aᵢ    m  cⱼ    p  eₖ    q  gₗ⎞²",
        "J = ⎜ ∑  ── +  ∑  ── +  ∑  ── +  ∑  ──⎟",
        "    ⎝i=1 bᵢ   j=1 dⱼ   k=1 fₖ   l=1 hₗ⎠"]


def test_a_wide_bracket_among_other_terms_is_opened_too():
    latex = r"y = (a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u)^2 + 1"
    fit = fit_display(latex, 40)
    assert fit.overflow == 0  # it scrolled by 46
    assert [line.rstrip() for line in fit.lines] == [
        "y = (a + b + c + d + e + f + g + h + i",
        "    + j + k + l + m + n + o + p + q + r",
        "    + s + t + u)² + 1"]


def test_a_chain_that_fits_is_untouched():
    latex = r"P(A|B) = \frac{P(B|A)P(A)}{P(B)}"
    assert fit_display(latex, 40).lines == fit_display(latex, None).lines
