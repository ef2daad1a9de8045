"""Properties of the math renderer on generated input: it never raises, never leaks a command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashdeck.mathtext import render_display, render_inline, render_markdown, split_markdown
from flashdeck.mathtext.layout import cell_width
from flashdeck.mathtext.symbols import known_commands

# \begin and \end only make sense as a pair; the generator builds environments itself.
COMMANDS = sorted(known_commands() - {"begin", "end"})

leaf = st.one_of(
    st.sampled_from(list("abcxyzATP0123456789+-=*/,.()[]|<>'! ")),
    st.sampled_from(COMMANDS).map(lambda name: f"\\{name} "),
    st.sampled_from(["\\,", "\\;", "\\!", "\\{", "\\}", "\\|", "\\\\", "&", "~", "\\%"]),
    st.text(alphabet="abc xyz", max_size=8).map(lambda w: f"\\text{{{w}}}"),
)


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    two = st.tuples(inner, inner)
    return st.one_of(
        st.lists(inner, min_size=2, max_size=5).map("".join),
        inner.map(lambda a: f"{{{a}}}"),
        two.map(lambda ab: f"\\frac{{{ab[0]}}}{{{ab[1]}}}"),
        inner.map(lambda a: f"\\sqrt{{{a}}}"),
        two.map(lambda ab: f"\\sqrt[{ab[0]}]{{{ab[1]}}}"),
        two.map(lambda ab: f"{ab[0]}^{{{ab[1]}}}"),
        two.map(lambda ab: f"{ab[0]}_{{{ab[1]}}}"),
        inner.map(lambda a: f"\\left( {a} \\right)"),
        inner.map(lambda a: f"\\left\\{{ {a} \\right."),
        two.map(lambda ab: f"\\begin{{cases}} {ab[0]} & {ab[1]} \\\\ x \\end{{cases}}"),
        two.map(lambda ab: f"\\begin{{pmatrix}} {ab[0]} & {ab[1]} \\end{{pmatrix}}"),
        st.tuples(st.sampled_from(COMMANDS), inner).map(lambda ca: f"\\{ca[0]}{{{ca[1]}}}"),
        inner.map(lambda a: f"\\unknowncmd{{{a}}}"),
    )


latex = st.recursive(leaf, _extend, max_leaves=25)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(latex)
def test_known_commands_never_come_back_raw(source: str) -> None:
    line = render_inline(source)
    lines = render_display(source)
    assert "\\" not in line, (source, line)
    assert "\n" not in line
    assert all("\\" not in row for row in lines), (source, lines)
    assert len({cell_width(row) for row in lines}) <= 1  # a rectangle


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert isinstance(render_inline(text), str)
    assert isinstance(render_display(text), list)
    assert isinstance(render_markdown(text), str)
    assert isinstance(split_markdown(text), list)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="$\\`~>-ab{}^_ \n", max_size=60))
def test_markdown_delimiter_soup_never_raises(text: str) -> None:
    out = render_markdown(text)
    assert isinstance(out, str)
    for segment in split_markdown(text):
        assert segment.kind in ("markdown", "math")


@settings(max_examples=100, deadline=None)
@given(latex)
def test_display_math_block_never_leaves_dollars(source: str) -> None:
    if "$" in source:
        return
    out = render_markdown(f"$${source}$$")
    assert "$$" not in out


def test_importing_mathtext_is_light() -> None:
    """No Textual ever; pylatexenc only once something is rendered."""
    code = (
        "import sys, flashdeck.mathtext as m\n"
        "assert 'textual' not in sys.modules\n"
        "assert 'pylatexenc' not in sys.modules\n"
        "m.render_inline('x')\n"
        "assert 'pylatexenc' in sys.modules\n"
        "assert 'textual' not in sys.modules and 'rich' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


_word = st.text(alphabet="abcijknxyzTP", min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(_word, _word, st.sampled_from(["_", "^"]))
def test_where_a_script_ends_is_never_lost(inside: str, after: str, mark: str) -> None:
    # `x_{ij}k` and `x_{ijk}` are different formulas; they must never print the same.
    glued_after = render_inline(f"x{mark}{{{inside}}}{after}")
    all_inside = render_inline(f"x{mark}{{{inside}{after}}}")
    assert glued_after != all_inside, (inside, after, glued_after)


_factor_atom = st.sampled_from([
    "a", "x", "2", r"\alpha", r"\text{tp}", "ij", "n+1", r"\hat{y}", "x_{ij}", r"e^{\alpha}",
    r"\sqrt{2}", "(a)", "x^2", "y_i",
])
_factor = st.lists(_factor_atom, min_size=1, max_size=3).map(" ".join)
# Two formulas that differ only in where a group ends: they must never print the same.
_GROUPINGS = [
    ("{A}^{B}C", "{A}^{B C}"), ("{A}_{B}C", "{A}_{B C}"), (r"\sqrt{A}B", r"\sqrt{A B}"),
    (r"\frac{A}{B}C", r"\frac{A}{B C}"), (r"C\frac{A}{B}", r"\frac{C A}{B}"),
    ("{A}^{B}/C", "{A}^{B/C}"), ("{{A}^{B}}^{C}", "{A}^{B^{C}}"), ("{A}_{B}^{C}", "{A}_{B^{C}}"),
    (r"C\sqrt[A]{B}", r"{C}^{A}\sqrt{B}"),
]


@settings(max_examples=300, deadline=None)
@given(_factor, _factor, _factor, st.sampled_from(_GROUPINGS))
def test_different_groupings_never_print_the_same(a: str, b: str, c: str,
                                                  grouping: tuple[str, str]) -> None:
    one, other = (g.replace("A", f"{{{a}}}").replace("B", f"{{{b}}}").replace("C", f"{{{c}}}")
                  for g in grouping)
    assert render_inline(one) != render_inline(other), (one, other, render_inline(one))
