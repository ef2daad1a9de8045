"""Formulas as students write them in real vaults: a command given as a script without
braces (`\\eta_\\text{lr}`), accents over more than one letter (`\\vec{w_1}`,
`\\overline{\\phi(x)}`), relations written side by side (`:=`, `<<`), TeX's infix
`{n \\choose k}`, colour and strut commands, AMS symbols. Each printed as a reader expects,
nothing dropped, nothing left as a command name."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashdeck.mathtext import fit_display, render_display, render_inline
from flashdeck.mathtext.layout import cell_width

SCRIPT_COMMANDS = [
    # was `η_(text)lr`, `L_(mathrm)(CE)`, `σ^(frac)12`: the command's argument was lost
    (r"\eta_\text{lr} = 0.01", "η_lr = 0.01"),
    (r"\mathcal{L}_\mathrm{CE} = -\sum_i y_i \log \hat{y}_i", "L_CE = −∑ᵢ yᵢ log ŷᵢ"),
    (r"\sigma^\frac12", "σ^(1/2)"),
    (r"x^\sqrt{2}", "x^(√2)"),
    (r"\theta_\text{new} = \theta_\text{old} - \eta g", "θ_new = θ_old − ηg"),
    (r"L_\text{Dice}^2", "L_(Dice)²"),
    (r"\omega_\text{kin}(k)", "ω_(kin)(k)"),
]

ACCENTS = [
    # was `vec(w₁)`, `overline(ϕ(x))`, `vec(AB)`, `tilde(xy)`
    (r"\vec{w_1} \cdot \vec{x}", "w⃗₁ · x⃗"),
    (r"\overline{\phi(x)}", "ϕ̅(̅x̅)̅"),
    (r"\overline{A \cup B} = \bar{A} \cap \bar{B}", "A̅ ̅∪̅ ̅B̅ = Ā ∩ B̄"),
    (r"\hat{\theta_j}", "θ̂ⱼ"),
    (r"\vec{AB} + \vec{BC} = \vec{AC}", "A⃗B⃗ + B⃗C⃗ = A⃗C⃗"),
    (r"\widetilde{xy}", "x̃ỹ"),
    (r"\overline{\overline{z}} = z", "z̅̅ = z"),  # was `z̅ = z`: one bar lost
    (r"\underline{x}", "x̲"),  # was `x`
    # a hat over a sum is not a hat on each sign: its name says what it covers
    (r"\hat{a+b}", "hat(a + b)"),
]

RELATIONS_SIDE_BY_SIDE = [
    # was `f : = σ(Wx + b)`, `ϵ < < 1`, `a mathrel(+) = 1`
    (r"f := \sigma(Wx + b)", "f := σ(Wx + b)"),
    (r"\epsilon << 1", "ϵ << 1"),
    (r"\delta >> 0", "δ >> 0"),
    (r"a \mathrel{+}= 1", "a += 1"),
    (r"f: A \to B", "f : A → B"),
]

INFIX_AND_DECORATION = [
    # was `P(X = k) = n choose kpᵏ…`: the binomial not grouped
    (r"P(X=k) = {n \choose k} p^k (1-p)^{n-k}", "P(X = k) = (n choose k)pᵏ(1 − p)ⁿ⁻ᵏ"),
    (r"x = {1 \over 2}", "x = 1/2"),
    # was `RGB]200,30,30loss = 0` and `rule(0pt, 2ex)x²`
    (r"\textcolor[RGB]{200,30,30}{\text{loss}} = 0", "loss = 0"),
    (r"\color[rgb]{0,0,1} y", "y"),
    (r"\rule{0pt}{2ex} x^2", "x²"),
    (r"\colorbox{yellow}{x} + 1", "x + 1"),
]

SYMBOLS = [
    (r"\mathbb{F}_2", "𝔽₂"),  # was `F₂`
    (r"\mathbb{1}_{y=k}", "𝟙_(y=k)"),
    (r"x \in \R^d", "x ∈ ℝᵈ"),
    (r"N \lhd G", "N ⊲ G"),  # was `N lhd G`
    (r"\llbracket 1, n \rrbracket", "⟦1, n⟧"),
    (r"a \leqq b", "a ≦ b"),
    (r"\triangledown f", "▽f"),
    (r"\sum_{\substack{i<n \\ j<m}} a_{ij}", "∑_(i<n; j<m) a_ij"),
    # a transpose however written (was `W^(⊤)x`, `A^(⊺)A`)
    (r"\mathbf{W}^\top \mathbf{x} + b", "Wᵀx + b"),
    (r"(AB)^\intercal = B^\intercal A^\intercal", "(AB)ᵀ = BᵀAᵀ"),
]


DERIVATIVES_AND_BARS = [
    # was `∂L/(∂w)`, `dy/(dx)`: a differential is one factor, as every reader reads it
    (r"\frac{\partial \mathcal{L}}{\partial w} = 0", "∂L/∂w = 0"),
    (r"\frac{dy}{dx}", "dy/dx"),
    (r"\frac{\partial^2 f}{\partial x^2}", "∂²f/∂x²"),
    (r"\frac{\mathrm{d}v}{\mathrm{d}t} = a", "dv/dt = a"),
    (r"\frac{d}{dx}(x^2)", "(d/dx)(x²)"),
    # two differentials, or a product ending in d, are still bracketed
    (r"\frac{\partial^2 f}{\partial x \partial y}", "∂²f/(∂x∂y)"),
    (r"\frac{a}{bd}", "a/(bd)"),
    # was `| det(A)|`, `‖ sin x‖`: an opening bar sits against what it holds
    (r"|\det(W)| \leq \prod_j \|w_j\|", "|det(W)| ≤ ∏ⱼ ‖wⱼ‖"),
    (r"\| \sin x \|_2", "‖sin x‖₂"),
    (r"|x| \text{ if } x > 0", "|x| if x > 0"),
]


CROSSED_AND_CIRCLED = [
    # was `xy/x = y`: a cancelled term printed as if it stood
    (r"\frac{\cancel{x} y}{\cancel{x}} = y", "x̶y/x̶ = y"),
    (r"a + \cancel{b - b} = a", "a + b̶ ̶−̶ ̶b̶ = a"),
    (r"\textcircled{1} \textcircled{a}", "①ⓐ"),  # was `textcircled(1)textcircled(a)`
    (r"x \centernot\in A", "x ∉ A"),
    (r"\slashed{D}\psi", "D̸ψ"),
    # an accent named over a sum stays named under another accent: its mark never
    # runs over the name (was `v⃗e⃗c⃗(⃗…`)
    (r"\vec{\hat{a+b}}", "vec(hat(a + b))"),
    (r"\overline{\hat{a+b}}", "overline(hat(a + b))"),
]


@pytest.mark.parametrize(("latex", "expected"),
                         SCRIPT_COMMANDS + ACCENTS + RELATIONS_SIDE_BY_SIDE
                         + INFIX_AND_DECORATION + SYMBOLS + DERIVATIVES_AND_BARS
                         + CROSSED_AND_CIRCLED)
def test_vault_formulas_read_as_written(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


def test_the_binomial_of_choose_is_stacked_in_display() -> None:
    assert render_display(r"P(X=k) = {n \choose k} p^k") == [
        "P(X = k) = ⎛n⎞pᵏ",
        "           ⎝k⎠  ",
    ]


def test_an_accent_over_a_fraction_is_a_rule_above_it_not_a_second_bar() -> None:
    assert render_display(r"\overline{\frac{x+1}{2}} = y") == [
        "‾‾‾‾‾    ",
        "x + 1    ",
        "───── = y",
        "  2      ",
    ]
    assert render_display(r"\vec{\frac{a+b}{c}}") == ["────→", "a + b", "─────", "  c  "]


# -- properties ------------------------------------------------------------------------------
_LETTER = st.sampled_from(list("abxyzABLW") + [r"\theta", r"\phi", r"\mu", "1", "2"])
_COMMAND_ARG = st.sampled_from([r"\text{lr}", r"\mathrm{CE}", r"\frac12", r"\sqrt{2}",
                                r"\hat{x}", r"\vec{v}", r"\mathbb{R}", r"\alpha"])
_ACCENT = st.sampled_from(["vec", "hat", "bar", "overline", "widetilde", "underline", "dot",
                           "cancel"])


def _grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    two = st.tuples(inner, inner)
    return st.one_of(
        st.lists(inner, min_size=2, max_size=4).map(" ".join),
        st.tuples(inner, st.sampled_from(["_", "^"]), _COMMAND_ARG).map("".join),
        st.tuples(_ACCENT, inner).map(lambda ab: f"\\{ab[0]}{{{ab[1]}}}"),
        two.map(lambda ab: f"{{{ab[0]} \\choose {ab[1]}}}"),
        two.map(lambda ab: f"{{{ab[0]} \\over {ab[1]}}}"),
        two.map(lambda ab: f"\\frac{{{ab[0]}}}{{{ab[1]}}}"),
        inner.map(lambda a: f"\\left( {a} \\right)"),
        two.map(lambda ab: f"{ab[0]} := {ab[1]}"),
        inner.map(lambda a: f"\\textcolor[RGB]{{1,2,3}}{{{a}}}"),
        two.map(lambda ab: f"{ab[0]}_{{{ab[1]}}}"),
    )


FORMULAS = st.recursive(_LETTER, _grow, max_leaves=12)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS)
def test_vault_shaped_formulas_render_whole_and_balanced(source: str) -> None:
    line = render_inline(source)
    lines = render_display(source)
    assert "\\" not in line and all("\\" not in row for row in lines), (source, line)
    # no command comes back as its name: not `text(lr)`, `vec(v)`, `frac`, `choose`…
    assert not re.search(r"\b(text|mathrm|frac|sqrt|textcolor|RGB|over|mathbb)\b", line), \
        (source, line)
    # a mark never runs over a name: `hat(…)` or `vec(…)` is written out plainly
    bare = "".join(ch for ch in unicodedata.normalize("NFD", line)
                   if not unicodedata.combining(ch))
    for name in re.findall(r"(vec|hat|bar|overline|widetilde|underline|dot|cancel)\(", bare):
        assert f"{name}(" in line, (source, line)
    assert _balanced(line), (source, line)  # every bracket it adds is closed
    assert len({cell_width(row) for row in lines}) <= 1  # a rectangle
    assert len(line) <= 12 * len(source) + 20  # bounded by the source, whatever it nests


# -- statements set apart by \quad -----------------------------------------------------------


def test_two_statements_too_wide_for_one_line_go_one_under_the_other():
    # was `v = ∑ᵢ₌₁ᵐ aᵢvᵢ  w` over `  = ∑ⱼ₌₁ⁿ bⱼvⱼ`: w's sum read as v's
    latex = r"v = \sum_{i=1}^m a_i v_i \quad w = \sum_{j=1}^n b_j v_j"
    assert render_display(latex, 24) == ["v = ∑ᵢ₌₁ᵐ aᵢvᵢ", "w = ∑ⱼ₌₁ⁿ bⱼvⱼ"]
    assert render_display(latex, 40) == render_display(latex)  # fits: side by side


def test_a_mean_and_a_variance_keep_their_own_left_hand_sides():
    latex = r"\mu = \frac{1}{n}\sum_i x_i, \quad \sigma^2 = \frac{1}{n}\sum_i (x_i - \mu)^2"
    assert render_display(latex, 30) == [
        "    1              ",
        "μ = ─ ∑ᵢ xᵢ,       ",
        "    n              ",
        "                   ",
        "     1             ",
        "σ² = ─ ∑ᵢ (xᵢ − μ)²",
        "     n             ",
    ]


def test_a_statement_still_too_wide_is_broken_on_its_own():
    latex = r"f(x) = x^2 + 2x + 1 \quad \text{for } x > 0"
    fit = fit_display(latex, 16)
    assert fit.overflow == 0
    assert [line.rstrip() for line in fit.lines] == [
        "f(x) = x² + 2x", "       + 1", "", "for x > 0"]


def test_counts_listed_with_commas_keep_each_name_with_its_number():
    # was `TP = 300, FP` over `   = 200, FN = 0, TN` over `   = 9500`: FP's 200 read as TP's
    latex = r"TP = 300, FP = 200, FN = 0, TN = 9500"
    assert [line.rstrip() for line in render_display(latex, 20)] == [
        "TP = 300, FP = 200,", "FN = 0, TN = 9500"]
    # a list of values is no list of statements: it stays one
    assert render_display(r"x = 1, 2, 3", 20) == ["x = 1, 2, 3"]


def test_a_connective_word_opens_the_next_statement():
    latex = r"x_1 = 2 \text{ and } x_2 = 3 \text{ so } x_1 + x_2 = 5"
    assert [line.rstrip() for line in render_display(latex, 16)] == [
        "x₁ = 2", "and x₂ = 3", "so x₁ + x₂ = 5"]
    # a word that names a quantity is no connective: the chain is broken at its `=` only
    assert [line.rstrip() for line in render_display(
        r"\text{cost} = \text{price}\ \text{quantity} = 5", 12)] == [
        "cost", "= price quantity", "= 5"]


_NAMES = st.sampled_from(["TP", "FP", "FN", "TN", r"\alpha", r"\beta", "x_1", "n"])
_VALUES = st.sampled_from(["300", "0.05", r"\frac{1}{2}", "9500", r"\sqrt{2}"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_NAMES, _VALUES), min_size=2, max_size=6),
       st.sampled_from([", ", r",\; ", r" \quad ", r" \text{ and } "]),
       st.integers(min_value=6, max_value=90))
def test_listed_statements_are_never_split_between_a_name_and_its_value(pairs, joiner, width):
    latex = joiner.join(f"{name} = {value}" for name, value in pairs)
    fit = fit_display(latex, width)
    lines = list(fit.lines)
    assert fit.overflow == max(0, max(cell_width(line) for line in lines) - width)
    for name, value in pairs:
        statement = render_display(f"{name} = {value}")
        if max(cell_width(line) for line in statement) + 6 <= width:
            # its name and its `=` stand on one row: no continuation `= value` under another
            row = render_inline(name) + " = "
            assert any(row in line for line in lines), (latex, width, lines)


def test_an_aligned_line_opening_with_an_operator_continues_the_one_above():
    # was `  −2yŷ + ŷ²`: a negative term, not the subtraction the derivation writes
    latex = r"\begin{aligned} L &= (y - \hat{y})^2 \\ &- 2y\hat{y} + \hat{y}^2 \end{aligned}"
    assert render_display(latex) == ["L = (y − ŷ)² ", "   − 2yŷ + ŷ²"]
    assert render_display(r"\begin{aligned} f(x) &= x^2 \\ &+ 2x \end{aligned}") == [
        "f(x) = x² ", "      + 2x"]
    # a sign opening a line's left side, or a matrix cell, is still a sign
    assert render_display(r"\begin{aligned} -x &= y \\ z &= -1 \end{aligned}") == [
        "−x = y ", " z = −1"]
    assert render_display(r"\begin{pmatrix} -1 & -2 \end{pmatrix}") == ["(−1  −2)"]


def test_an_underbrace_is_drawn_with_its_label_under_it():
    # was the label as a subscript of the bracket's last row: `(𝔼[f̂] − f)²_(bias²)`
    latex = (r"\mathbb{E}[(y - \hat{f})^2] = \underbrace{(\mathbb{E}[\hat{f}] - f)^2}"
             r"_{\text{bias}^2} + \underbrace{\mathbb{E}[(\hat{f} - \mathbb{E}[\hat{f}])^2]}"
             r"_{\text{variance}} + \sigma^2")
    assert render_display(latex) == [
        "𝔼[(y − f̂)²] = (𝔼[f̂] − f)² + 𝔼[(f̂ − 𝔼[f̂])²] + σ²",
        "              └────┬────┘   └──────┬─────┘     ",
        "                 bias²         variance        ",
    ]
    assert render_display(r"\overbrace{x + \cdots + x}^{n \text{ times}} = nx") == [
        " n times      ",
        "┌───┴───┐     ",
        "x + ⋯ + x = nx",
    ]
    # on one line the label is the group's script, as before
    assert render_inline(r"\overbrace{x + \cdots + x}^{n \text{ times}} = nx") == \
        "(x + ⋯ + x)^(n times) = nx"


def test_a_sum_inside_a_bracket_is_broken_before_its_terms_when_too_wide():
    # was 5 columns too wide at 40, to be scrolled: the whole product stayed on one line
    latex = (r"\mathcal{L}_\text{BCE} = -\frac{1}{N}\sum_{i=1}^{N} \left( y_i \log \hat{y}_i"
             r" + (1 - y_i) \log (1 - \hat{y}_i) \right)")
    fit = fit_display(latex, 40)
    assert fit.overflow == 0
    assert [line.rstrip() for line in fit.lines] == [
        "         1",
        "L_BCE = −─ ∑ᵢ₌₁ᴺ (yᵢ log ŷᵢ",
        "         N",
        "",
        "        + (1 − yᵢ) log(1 − ŷᵢ))",
    ]
    assert fit_display(latex, 72).lines == tuple(render_display(latex))  # fits: whole


def test_what_follows_left_or_right_that_is_no_delimiter_is_kept_as_itself():
    # was `(a\x`: the row break taken for a delimiter and printed with its backslash
    assert render_inline(r"\left( a \right \\ x") == "(a; x"
    # was `())`: the matrix taken for a delimiter and dropped
    assert render_inline(r"\left\begin{pmatrix} 1 \end{pmatrix} \right)") == "(1))"


BARS = [
    # was `(|A ∩ B|)/(|A ∪ B|)`, `1/(|x|)`, `q⃗ᵢ = v⃗ᵢ/(‖v⃗ᵢ‖)`: bars delimit as brackets do
    (r"\text{IoU} = \frac{|A \cap B|}{|A \cup B|}", "IoU = |A ∩ B|/|A ∪ B|"),
    (r"\frac{1}{|x|}", "1/|x|"),
    (r"\hat{u} = \frac{\vec{v}}{\|\vec{v}\|}", "û = v⃗/‖v⃗‖"),
    (r"\|x - y\|_2^2 \le \|x\|_2^2 + \|y\|_2^2", "‖x − y‖₂² ≤ ‖x‖₂² + ‖y‖₂²"),
    (r"\lambda \log |x|", "λ log |x|"),
    # bars of two kinds nest (the reverse triangle inequality)
    (r"\big|\|x\| - \|y\|\big| \le \|x - y\|", "|‖x‖ − ‖y‖| ≤ ‖x − y‖"),
    # a bar that pairs with none stays a sign: a condition, a set-builder bar, "divides"
    (r"\frac{P(A|B)}{P(B)}", "P(A|B)/P(B)"),
    (r"\left\{ f : I \to \mathbb{C} | \int_I |f(x)|^2 dx < \infty \right\}",
     "{f : I → ℂ| ∫_I |f(x)|²dx < ∞}"),
    (r"d|a \implies \frac{a}{d}|a", "d|a ⟹ (a/d)|a"),
]


@pytest.mark.parametrize(("latex", "expected"), BARS)
def test_bars_pair_as_a_reader_pairs_them(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


def test_bars_around_a_fraction_grow_with_it():
    assert render_display(r"\left|\frac{a}{b}\right| = |\frac{a}{b}|") == [
        "│a│   │a│",
        "│─│ = │─│",
        "│b│   │b│",
    ]


def test_a_boxed_result_is_framed_in_a_display_and_plain_on_one_line():
    # was the body alone: the note's framed result looked like any other line
    latex = r"x = \boxed{\frac{-b \pm \sqrt{b^2 - 4ac}}{2a}}"
    assert render_display(latex) == [
        "    ┌──────────────────┐",
        "    │ −b ± √(b² − 4ac) │",
        "x = │ ──────────────── │",
        "    │        2a        │",
        "    └──────────────────┘",
    ]
    assert render_inline(latex) == "x = (−b ± √(b² − 4ac))/(2a)"


_JOINERS = st.sampled_from([", ", r" \quad ", r" \text{ and } ", " = ", " + ", r" \le "])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FORMULAS, min_size=1, max_size=5), st.lists(_JOINERS, min_size=4, max_size=4),
       st.integers(min_value=4, max_value=90))
def test_fitting_to_a_width_never_loses_a_sign(parts, joiners, width):
    """Broken at statements, relations, terms or inside a bracket, a display keeps every
    sign of its one-block form (a root's brackets aside: `2√(2) x` is `2√2` at a line end)."""
    latex = parts[0] + "".join(j + p for j, p in zip(joiners, parts[1:]))
    fit = fit_display(latex, width)
    def signs(lines):
        return sorted(ch for line in lines for ch in line if not ch.isspace() and ch not in "()")
    assert signs(fit.lines) == signs(render_display(latex)), (latex, width, fit.lines)
    assert fit.overflow == max(0, max(cell_width(line) for line in fit.lines) - width)
