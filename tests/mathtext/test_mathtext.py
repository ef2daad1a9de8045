"""LaTeX -> Unicode: what the user sees for each rule of the math renderer."""

from __future__ import annotations

import pytest

from flashdeck.mathtext import render_display, render_inline
from flashdeck.mathtext.layout import cell_width

# The F1 chain as such notes write it (spaced `\text { … }`, `2 T P` letter products).
F1_CHAIN = (
    r"F_1=\frac{2}{\frac{1}{\text { recall }} \times \frac{1}{\text { precision }}}"
    r"=2 \times \frac{\text { precision } \times \text { recall }}"
    r"{\text { precision }+ \text { recall }} =\frac{t p}{t p+\frac{1}{2}(f p+f n)}"
    r" = \frac{2 T P}{2 T P+F P+F N}"
)


def block(text: str) -> list[str]:
    """Expected display lines, written flush in the test and padded like the renderer pads."""
    lines = text.strip("\n").split("\n")
    width = max(cell_width(line) for line in lines)
    return [line + " " * (width - cell_width(line)) for line in lines]


SYMBOLS = [
    (r"\times", "×"), (r"\cdot", "·"), (r"\le", "≤"), (r"\leq", "≤"), (r"\ge", "≥"),
    (r"\geq", "≥"), (r"\ne", "≠"), (r"\neq", "≠"), (r"\cap", "∩"), (r"\cup", "∪"),
    (r"\sum", "∑"), (r"\prod", "∏"), (r"\int", "∫"), (r"\infty", "∞"), (r"\approx", "≈"),
    (r"\pm", "±"), (r"\in", "∈"), (r"\notin", "∉"), (r"\to", "→"), (r"\rightarrow", "→"),
    (r"\Rightarrow", "⇒"), (r"\leftarrow", "←"), (r"\leftrightarrow", "↔"),
    (r"\Leftrightarrow", "⇔"), (r"\implies", "⟹"), (r"\iff", "⟺"), (r"\mapsto", "↦"),
    (r"\partial", "∂"), (r"\nabla", "∇"), (r"\forall", "∀"), (r"\exists", "∃"),
    (r"\emptyset", "∅"), (r"\mid", "∣"), (r"\div", "÷"), (r"\subseteq", "⊆"),
    (r"\equiv", "≡"), (r"\propto", "∝"), (r"\ldots", "…"), (r"\cdots", "⋯"),
    (r"\alpha", "α"), (r"\beta", "β"), (r"\lambda", "λ"), (r"\sigma", "σ"), (r"\Sigma", "Σ"),
    (r"\Delta", "Δ"), (r"\varepsilon", "ε"), (r"\theta", "θ"), (r"\pi", "π"), (r"\mu", "μ"),
    (r"\Omega", "Ω"), (r"\langle x \rangle", "⟨x⟩"), (r"\lfloor x \rfloor", "⌊x⌋"),
    (r"\lceil x \rceil", "⌈x⌉"), (r"\lvert x \rvert", "|x|"), (r"\|x\|", "‖x‖"),
    (r"\neg p", "¬p"), (r"\mathbb{R}", "ℝ"), (r"\mathbb{N}", "ℕ"), (r"\hat{y}", "ŷ"),
    (r"\bar{x}", "x̄"), (r"\tilde{x}", "x̃"), (r"\vec{v}", "v⃗"), (r"\not=", "≠"),
    (r"\not\in", "∉"), (r"\%", "%"), (r"\$", "$"), (r"\backslash", "⧵"),
]


@pytest.mark.parametrize(("latex", "expected"), SYMBOLS)
def test_symbols(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


SCRIPTS = [
    ("F_1", "F₁"),
    ("x^2", "x²"),
    (r"\sum_{i=1}^{n}", "∑ᵢ₌₁ⁿ"),
    ("e^{-x}", "e⁻ˣ"),
    ("x_{n-1}", "xₙ₋₁"),
    ("10^{-3}", "10⁻³"),
    ("A^{-1}", "A⁻¹"),
    ("x^{2n+1}", "x²ⁿ⁺¹"),
    ("x^T", "xᵀ"),
    (r"\log_2 n", "log₂ n"),
    (r"\mathbb{R}^n", "ℝⁿ"),
    # fallbacks: a character without a script form, or a word
    ("x_{max}", "x_max"),
    (r"x^{\alpha}", "x^α"),
    (r"F_\beta", "F_β"),
    (r"e^{i\pi}", "e^(iπ)"),
    ("x_{i,j}", "x_(i,j)"),
    (r"\lim_{x \to 0} f(x)", "lim_(x→0) f(x)"),
    (r"x_{\text{train}}", "x_train"),
    ("f'(x)", "f′(x)"),
    ("f''", "f′′"),
    (r"\prod_{k=1}^{K} p_k", "∏ₖ₌₁ᴷ pₖ"),
    (r"\int_0^\infty e^{-x^2} dx", "∫₀^∞ e^(−x²)dx"),
    # an operator in a script sits tight (`zᵢ−b`), but spaced on both sides when a
    # function name or a word beside it is (it read `e^(zᵢ− max z)`)
    (r"e^{z_i - b}", "e^(zᵢ−b)"),
    (r"e^{z_i - \max z}", "e^(zᵢ − max z)"),
    (r"2^{n - \text{bits}}", "2^(n − bits)"),
]


@pytest.mark.parametrize(("latex", "expected"), SCRIPTS)
def test_sub_and_superscripts(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


WORDS_AND_ROOTS = [
    (r"\text { recall }", "recall"),
    (r"\text{precision} \times \text{recall}", "precision × recall"),
    (r"\mathrm{TP} + \mathrm{FP}", "TP + FP"),
    (r"\textbf{w}^T x", "wᵀx"),
    (r"\mathbf{x} + \mathbf{y}", "x + y"),
    (r"\operatorname{softmax}(z)", "softmax(z)"),
    (r"\operatorname{argmax}_x f(x)", "argmaxₓ f(x)"),
    (r"\text{if } x > 0", "if x > 0"),
    # a one-letter text the author spaced off is a word (a unit), not a glued symbol
    (r"10 \text{ s}", "10 s"),
    (r"x \text{ a } y", "x a y"),
    (r"\frac{120 \text{ km}}{1.5 \text{ h}}", "(120 km)/(1.5 h)"),
    (r"2 \text{h}", "2h"),
    (r"\text{F}_1", "F₁"),
    (r"\mathrm{d}x", "dx"),
    (r"\sin x + \sin(x)", "sin x + sin(x)"),
    (r"\sqrt{x}", "√x"),
    (r"\sqrt{a+b}", "√(a + b)"),
    (r"\sqrt{2x}", "√(2x)"),
    (r"\sqrt{2} + x", "√2 + x"),
    (r"\sqrt{2}x", "√(2)x"),
    (r"\sqrt[3]{x}", "∛x"),
    (r"\sqrt[n]{x}", "ⁿ√x"),
    # after a factor, a root's leading index would read as that factor's exponent
    (r"2\sqrt[n]{x}", "2(ⁿ√x)"),
    (r"y\sqrt[\alpha]{x}", "y(^α√x)"),
    (r"2\sqrt[3]{x}", "2∛x"),
    (r"a = \sqrt[n]{x}", "a = ⁿ√x"),
    (r"\left( a + b \right)", "(a + b)"),
    (r"\left[ 0, 1 \right)", "[0, 1)"),
    (r"\left. x \right|", "x|"),
    ("|A|", "|A|"),
    (r"|A \cap B|", "|A ∩ B|"),
    ("|x| + |y|", "|x| + |y|"),
    (r"\{ x \mid x > 0 \}", "{x ∣ x > 0}"),
    (r"a\,b", "a b"),
    (r"a\;b", "a b"),
    (r"a\quad b", "a  b"),
    (r"a \qquad b", "a    b"),
    (r"a\!b", "ab"),
    ("a~b", "a b"),
    (r"a \pmod{n}", "a (mod n)"),
    (r"\binom{n}{k}", "(n choose k)"),
]


@pytest.mark.parametrize(("latex", "expected"), WORDS_AND_ROOTS)
def test_words_roots_brackets_spaces(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


INLINE_FRACTIONS = [
    (r"\frac{a+b}{c}", "(a + b)/c"),
    (r"\frac{1}{2}", "1/2"),
    (r"\frac12", "1/2"),
    (r"\frac{a}{b+c}", "a/(b + c)"),
    (r"2 \times \frac{a}{b}", "2 × a/b"),
    (r"\frac{a}{b}^2", "(a/b)²"),
    (r"\frac{1}{2x}", "1/(2x)"),
    (r"\frac{2 T P}{2 T P+F P+F N}", "2TP/(2TP + FP + FN)"),
    (r"\frac{2 * 300}{2*300 + 200 + 0}", "(2 * 300)/(2 * 300 + 200 + 0)"),
    (r"\frac{0}{0 + 0 + 300} = 0", "0/(0 + 0 + 300) = 0"),
    (r"\frac{1}{2}(f p+f n)", "(1/2)(fp + fn)"),
    (r"x\frac{1}{2}", "x(1/2)"),
    (r"\frac{a}{b}\frac{c}{d}", "(a/b)(c/d)"),
    (r"x / \frac{a}{b}", "x/(a/b)"),
    (r"\frac{\frac{a}{b}}{c}", "(a/b)/c"),
    # a big operator with limits is not a factor: ∑ᵢ aᵢ/n would read as the sum of aᵢ/n
    (r"\frac{\sum_{i} a_i}{n}", "(∑ᵢ aᵢ)/n"),
    (r"\frac{\sum a_i}{n}", "(∑ aᵢ)/n"),
    (r"\frac{\max_i x_i}{2}", "(maxᵢ xᵢ)/2"),
    (r"\frac{\log_2 n}{2}", "(log₂ n)/2"),
    (r"\frac{a_i^2}{b_j^2}", "aᵢ²/bⱼ²"),
    # a script on a plain `)` belongs to the bracketed group: no extra brackets
    (r"\frac{(x-\mu)^2}{2}", "(x − μ)²/2"),
    (r"\frac{(x-\mu)^2}{2 \sigma^2}", "(x − μ)²/(2σ²)"),
    (r"\frac{a}{\frac{b}{c}}", "a/(b/c)"),
    (r"-\frac{a}{b}", "−a/b"),
    (r"\frac{-1}{x}", "(−1)/x"),
    (r"\frac{1}{\text{recall}}", "1/recall"),
    (r"\frac{x^2}{y_i}", "x²/yᵢ"),
    (r"\frac{(a+b)}{(c+d)}", "(a + b)/(c + d)"),
    (r"\frac{P(B \mid A) P(A)}{P(B)}", "P(B ∣ A)P(A)/P(B)"),
    # bars delimit as brackets do: no brackets around them, as `(a + b)/(c + d)` above
    (r"\frac{|A \cap B|}{|A \cup B|}", "|A ∩ B|/|A ∪ B|"),
    (r"\sigma(x) = \frac{1}{1 + e^{-x}}", "σ(x) = 1/(1 + e⁻ˣ)"),
    (r"\frac{1}{n}\sum_{i=1}^{n}(y_i - \hat{y}_i)^2", "(1/n) ∑ᵢ₌₁ⁿ (yᵢ − ŷᵢ)²"),
    (r"\dfrac{a}{b} + \tfrac{c}{d}", "a/b + c/d"),
]


@pytest.mark.parametrize(("latex", "expected"), INLINE_FRACTIONS)
def test_inline_fractions_bracket_exactly_where_needed(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


SPACING_AND_FAITHFULNESS = [
    # letters separated only by spaces are one product; operators get one space each side
    ("2 T P", "2TP"),
    ("t p+f n", "tp + fn"),
    ("a+b=c", "a + b = c"),
    ("a   +    b", "a + b"),
    # `*` is kept as the author wrote it (not turned into × or ·)
    ("2*300", "2 * 300"),
    # unary minus has no space after it; binary minus is spaced
    ("-x + y", "−x + y"),
    ("a = -b", "a = −b"),
    ("(-x)", "(−x)"),
    ("a - b", "a − b"),
    (r"f(x, y)", "f(x, y)"),
    (r"\{1, 2, 3\}", "{1, 2, 3}"),
    ("1,000 + 2", "1,000 + 2"),
    ("3.14 r^2", "3.14r²"),
    # nothing simplified, reordered or evaluated
    ("b + a", "b + a"),
    ("1 + 1 = 2", "1 + 1 = 2"),
    (r"\frac{600}{800}", "600/800"),
    (r"\frac{2}{4}", "2/4"),
    ("x + 0", "x + 0"),
    (r"a \le b \ne c", "a ≤ b ≠ c"),
    (r"x \in A \cup B", "x ∈ A ∪ B"),
    (r"a \to b \Rightarrow c", "a → b ⇒ c"),
    (r"\text{precision}\text{recall}", "precision recall"),
]


@pytest.mark.parametrize(("latex", "expected"), SPACING_AND_FAITHFULNESS)
def test_spacing_is_consistent_and_terms_keep_their_order(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


DEGRADED = [
    (r"\foo{x}", "foo(x)"),
    (r"\foo{a}{b}", "foo(a, b)"),
    (r"\foo", "foo"),
    (r"\foo x", "foo x"),
    (r"\bar", "bar"),
    (r"\frac{a}", "frac(a)"),
    (r"\frac", "frac"),
    (r"\sqrt", "√"),
    ("x^", "x^"),
    (r"\left( x", "(x"),
    (r"\right)", ")"),
    (r"\displaystyle \frac{a}{b}", "a/b"),
    (r"\label{eq:1} x", "x"),
    (r"\color{red} x", "x"),
    (r"\textcolor{red}{x}", "x"),
    (r"a % a comment", "a"),
    ("", ""),
    ("   ", ""),
]


@pytest.mark.parametrize(("latex", "expected"), DEGRADED)
def test_unknown_and_incomplete_commands_degrade_readably(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


@pytest.mark.parametrize(
    "latex", [r"a}b", r"{a", r"\frac{a}{b", r"\text{x", r"\end{cases}", r"x \[ y", "a $ b"]
)
def test_invalid_latex_is_returned_as_written(latex: str) -> None:
    assert render_inline(latex) == latex
    assert render_display(latex) == [latex]


def test_invalid_multiline_display_keeps_its_lines() -> None:
    assert render_display("a}\nbb") == ["a}", "bb"]


def test_environments_inline() -> None:
    cases = r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}"
    assert render_inline(cases) == "f(x) = {1, x > 0; 0, otherwise}"
    assert render_inline(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}") == "(a, b; c, d)"
    assert render_inline(r"\begin{array}{cc} 1 & 2 \end{array}") == "1, 2"
    assert render_inline(r"a &= b \\ &= c") == "a = b; = c"


# --- display -------------------------------------------------------------------------------


def test_display_f1_chain_stacks_every_fraction_on_one_baseline() -> None:
    assert render_display(F1_CHAIN) == block("""
              2                 precision × recall           tp                2TP
F₁ = ──────────────────── = 2 × ────────────────── = ────────────────── = ─────────────
        1          1            precision + recall         1              2TP + FP + FN
      ────── × ─────────                              tp + ─ (fp + fn)
      recall   precision                                   2
""")


def test_display_f1_chain_acceptance() -> None:
    lines = render_display(F1_CHAIN)
    text = "\n".join(lines)
    assert "F₁" in text and "×" in text
    assert "precision" in text and "recall" in text
    assert "\\" not in text and "$" not in text
    assert len({cell_width(line) for line in lines}) == 1  # a rectangle


def test_inline_f1_chain() -> None:
    assert render_inline(F1_CHAIN) == (
        "F₁ = 2/(1/recall × 1/precision) = 2 × (precision × recall)/(precision + recall)"
        " = tp/(tp + (1/2)(fp + fn)) = 2TP/(2TP + FP + FN)"
    )


DISPLAYS = [
    (r"\frac{a}{b}", """
a
─
b
"""),
    (r"\frac{a+b}{c}", """
a + b
─────
  c
"""),
    (r"x = \frac{1}{2}", """
    1
x = ─
    2
"""),
    # nested: the outer rule overhangs the inner ones by one column each side
    (r"\frac{\frac{a}{b}}{\frac{c}{d}}", """
 a
 ─
 b
───
 c
 ─
 d
"""),
    (r"\frac{1}{1+\frac{1}{x}}", """
   1
───────
     1
 1 + ─
     x
"""),
    # two fractions side by side stay apart; a bracket grows around a fraction
    (r"\frac{a}{b}\frac{c}{d}", """
a c
─ ─
b d
"""),
    (r"\left( \frac{a}{b} \right)^2", """
⎛a⎞²
⎜─⎟
⎝b⎠
"""),
    (r"\frac{a}{b}^2", """
⎛a⎞²
⎜─⎟
⎝b⎠
"""),
    (r"2(\frac{a}{b})", """
 ⎛a⎞
2⎜─⎟
 ⎝b⎠
"""),
    (r"\sqrt{\frac{a}{b}}", """
 ⎛a⎞
√⎜─⎟
 ⎝b⎠
"""),
    (r"\binom{n}{k}", """
⎛n⎞
⎝k⎠
"""),
    (r"\text{IoU} = \frac{|A \cap B|}{|A \cup B|}", """
      |A ∩ B|
IoU = ───────
      |A ∪ B|
"""),
    (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", """
⎛a  b⎞
⎝c  d⎠
"""),
    (r"|x| = \begin{cases} x & x \ge 0 \\ -x & x < 0 \end{cases}", """
|x| = ⎧x   x ≥ 0
      ⎩−x  x < 0
"""),
    (r"a &= b + c \\ &= d", """
a = b + c
  = d
"""),
    (r"\sum_{i=1}^{n} x_i", "∑ᵢ₌₁ⁿ xᵢ"),
    (r"a \times b", "a × b"),
]


@pytest.mark.parametrize(("latex", "expected"), DISPLAYS)
def test_display_layout(latex: str, expected: str) -> None:
    assert render_display(latex) == block(expected)


def test_display_empty_is_no_lines() -> None:
    assert render_display("") == []
    assert render_display("  \n ") == []


def test_display_lines_share_one_width_even_with_combining_marks() -> None:
    lines = render_display(r"\frac{\hat{y}}{\bar{x} + \vec{v}}")
    assert lines == ["  ŷ  ", "─────", "x̄ + v⃗"]
    assert {cell_width(line) for line in lines} == {5}


def test_inline_result_is_always_one_line() -> None:
    assert "\n" not in render_inline("a \\\\\n b")
    assert "\n" not in render_inline("a}\nb")


def test_display_lines_split_by_double_backslash_are_centred() -> None:
    assert render_display(r"a = 10 \\ b = 2") == ["a = 10", "b = 2 "]
    assert render_display(r"x = 1 \\ y + z = 22") == ["  x = 1   ", "y + z = 22"]


# A spelled-out script must end where the author's braces end: `x_{ij}k` is x_ij times k,
# and `x_ijk` would read as the subscript ijk. A script or root used as a base is bracketed.
SCRIPT_BOUNDARIES = [
    ("x_{ij}k", "x_(ij)k"),
    ("x_{ij} k", "x_(ij)k"),
    ("x^{th} y", "x^(th)y"),
    (r"e^{\alpha}x", "e^(α)x"),
    (r"\hat{\theta}_{MLE}x", "θ̂_(MLE)x"),
    ("x_{ij}(t)", "x_(ij)(t)"),
    ("x_{ij}^{2}", "x_(ij)²"),
    ("W^{(l)}_{ij}", "W_(ij)⁽ˡ⁾"),
    ("x^{(train)}", "x^(train)"),
    ("x^{(train)}y", "x^(train)y"),
    ("x^{(ab)(c)}y", "x^((ab)(c))y"),
    # inside a script nothing is spaced, so an operator or comma follows directly
    (r"e^{x^{\alpha}+1}", "e^(x^(α)+1)"),
    (r"\sigma_{x_{ij}+1}", "σ_(x_(ij)+1)"),
    ("y_{x_{ij},k}", "y_(x_(ij),k)"),
    ("x^{2^{3}}", "x^(2³)"),
    ("{x^2}^3", "(x²)³"),
    (r"\sqrt{a}^2", "(√a)²"),
    # a fraction's numerator ends before its slash: e^(α)/2 is not e to the α/2
    (r"\frac{e^{\alpha}}{2}", "e^(α)/2"),
    (r"\frac{x_{ij}}{n}", "x_(ij)/n"),
    (r"\frac{2 e^{\alpha}}{2}", "2e^(α)/2"),
    (r"\frac{x^2}{2}", "x²/2"),
    # nothing glued on: the plain fallback stays
    ("x_{ij}", "x_ij"),
    ("x_{train} + 1", "x_train + 1"),
    (r"e^{\alpha} + x", "e^α + x"),
    ("x_{max}, y", "x_max, y"),
    (r"\left( x_{ij} \right)", "(x_ij)"),
]


@pytest.mark.parametrize(("latex", "expected"), SCRIPT_BOUNDARIES)
def test_a_spelled_out_script_never_swallows_what_follows(latex: str, expected: str) -> None:
    assert render_inline(latex) == expected


def test_display_keeps_script_boundaries_on_one_line_bases() -> None:
    assert list(render_display(r"F = x_{ij}k + \frac{a}{b}")) == [
        "              a",
        "F = x_(ij)k + ─",
        "              b",
    ]


@pytest.mark.parametrize(("latex", "expected"), [
    (r"y = \sqrt{2}x + \frac{a}{b}", ["            a", "y = √(2)x + ─", "            b"]),
    (r"\frac{a}{\sqrt{b}c}", ["  a  ", "─────", "√(b)c"]),
])
def test_display_root_followed_by_a_factor_keeps_its_brackets(latex: str,
                                                               expected: list[str]) -> None:
    # `√bc` would read as the root of bc; inline already says √(b)c, display must too.
    assert list(render_display(latex)) == expected


def test_display_indexed_root_after_a_factor_is_bracketed() -> None:
    assert list(render_display(r"y\sqrt[n]{\frac{a}{b}}")) == [
        " ⎛  ⎛a⎞⎞",
        "y⎜ⁿ√⎜─⎟⎟",
        " ⎝  ⎝b⎠⎠",
    ]


def test_display_plain_brackets_with_a_script_grow_around_a_fraction() -> None:
    # as \left( \right) do: `(\frac{a}{b})^2` written without them is the same formula
    assert render_display(r"(\frac{a}{b})^2") == render_display(r"\left(\frac{a}{b}\right)^2")
    assert list(render_display(r"(\frac{a}{b})^2")) == ["⎛a⎞²", "⎜─⎟ ", "⎝b⎠ "]
