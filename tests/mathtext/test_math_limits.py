"""A display's sums, products and limits with their limits under and over them, where a script
cannot be written in Unicode's script letters. `\\sum_{c=1}^{C}` printed `∑_(c=1)^C` and
`\\lim_{n \\to \\infty}` printed `lim_(n→∞)`: code, not mathematics, on the answer of the
cross-entropy and the limit cards. Inline math and `∑ᵢ₌₁ⁿ` stay on one line."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.mathtext import fit_display, render_display, render_inline
from flashdeck.mathtext import symbols as S

STACKED = [
    # the categorical cross-entropy of a note on losses
    (r"\mathcal{L}_{CE} = -\sum_{c=1}^{C} y_c \log \hat{y}_c",
     ["         C",
      "L_CE = − ∑  y_c log ŷ_c",
      "        c=1"]),
    (r"\lim_{n \to \infty} \left(1 + \frac{1}{n}\right)^n = e",
     ["    ⎛    1⎞ⁿ",
      "lim ⎜1 + ─⎟  = e",
      "n→∞ ⎝    n⎠"]),
    (r"\hat{y} = \arg\max_{c \in C} P(c \mid x)",
     ["ŷ = arg max P(c ∣ x)",
      "        c∈C"]),
    (r"\theta^\star = \operatorname*{argmin}_{\theta} \mathcal{L}(\theta)",
     ["θ^⋆ = argmin L(θ)",
      "        θ"]),
    # one sum stacked: its neighbour too, not `∑ᵢ₌₁ᴺ` beside it
    (r"L = -\sum_{i=1}^{N} \sum_{c=1}^{C} y_{ic} \log p_{ic}",
     ["      N   C",
      "L = − ∑   ∑  y_ic log p_ic",
      "     i=1 c=1"]),
    # a note's own `\DeclareMathOperator*{\argmax}{arg\,max}`: one name with a space
    (r"\alpha^\star = \operatorname*{arg\,max}_{\alpha} g(\alpha)",
     ["α^⋆ = arg max g(α)",
      "         α"]),
    (r"P(A) = \sum_{x \in A} p(x)",
     ["P(A) =  ∑  p(x)",
      "       x∈A"]),
]


def rows(latex: str, width: int | None = None) -> list[str]:
    return [line.rstrip() for line in fit_display(latex, width).lines]


@pytest.mark.parametrize("latex,expected", STACKED)
def test_limits_are_set_under_and_over_the_operator(latex, expected):
    assert rows(latex) == expected


@pytest.mark.parametrize("latex,expected", [
    # every script in Unicode's script letters: one line, as before
    (r"\bar{x} = \frac{1}{n}\sum_{i=1}^{n} x_i", None),
    (r"\prod_{k=1}^{n} k = n!", ["∏ₖ₌₁ⁿ k = n!"]),
    (r"\max_i x_i", ["maxᵢ xᵢ"]),
    # integrals keep their limits beside them, as a display of LaTeX does
    (r"\int_0^\infty e^{-x} \, dx = 1", ["∫₀^∞ e⁻ˣ dx = 1"]),
    (r"\int_{a}^{b} f(x)\,dx", ["∫ₐᵇ f(x) dx"]),
])
def test_what_reads_on_one_line_stays_there(latex, expected):
    shown = rows(latex)
    if expected is None:
        assert "∑ᵢ₌₁ⁿ xᵢ" in "\n".join(shown) and not any("_(" in r for r in shown)
    else:
        assert shown == expected


def test_inline_math_is_never_stacked():
    assert render_inline(r"\sum_{c=1}^{C} y_c") == "∑_(c=1)^C y_c"
    assert render_inline(r"\lim_{n \to \infty} a_n") == "lim_(n→∞) aₙ"


def test_a_stacked_sum_fits_a_narrow_card():
    """At 40 columns the stacked limits take less room than `∑_(x∈X)`, never more."""
    latex = r"H(X) = -\sum_{x \in \mathcal{X}} p(x) \log p(x)"
    for width in (80, 40, 30):
        fit = fit_display(latex, width)
        assert fit.overflow == 0
        assert max(len(line.rstrip()) for line in fit.lines) <= width
    assert rows(latex, 40) == ["H(X) = − ∑  p(x) log p(x)",
                               "        x∈X"]


_SCRIPT = st.text(alphabet="abcxyzCNK0123=+-<", min_size=1, max_size=6)
# a script letter read back as the letter it is (`ᵢ` is `i`, `⁺` is `+`)
_PLAIN = {v: k for table in (S.SUBSCRIPTS, S.SUPERSCRIPTS) for k, v in table.items()}


@settings(max_examples=300, deadline=None)
@given(op=st.sampled_from([r"\sum", r"\prod", r"\lim", r"\max", r"\bigcup"]),
       sub=_SCRIPT, sup=st.one_of(st.none(), _SCRIPT))
def test_no_sign_of_a_limit_is_lost(op, sub, sup):
    """Whatever the limits, every letter, digit and sign of them is on the screen (in
    script letters or set under and over), and the block's rows are of one width."""
    latex = op + "_{" + sub + "}" + ("" if sup is None else "^{" + sup + "}") + " f_k"
    lines = render_display(latex)
    block = "\n".join(lines)
    shown = Counter(_PLAIN.get(ch, ch) for ch in block if not ch.isspace())
    wanted = Counter({"-": "−"}.get(ch, ch) for ch in sub + (sup or ""))
    assert not wanted - shown, (latex, block)
    assert len({len(line) for line in lines}) == 1, (latex, block)
