"""The math renderer works within a budget: deep or huge LaTeX shows its source, at once.

Timing is measured by a benchmark script, not here; these tests check that the fallback
happens and that every call returns (in a subprocess with a generous timeout, to catch a hang
or a crash of the interpreter without taking the test run down)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.notes import write_note
from flashdeck.mathtext import render_display, render_inline, render_markdown, render_plain
from flashdeck.mathtext import split_markdown
from flashdeck.mathtext.layout import MAX_DISPLAY_CELLS, MAX_DISPLAY_LINES, cell_width
from flashdeck.mathtext.markdown import MAX_CARD_MATH
from flashdeck.mathtext.tree import MAX_NESTING, MAX_SOURCE, nesting_depth

ROOT = Path(__file__).resolve().parents[2]


def frac(n: int) -> str:
    return "\\frac{" * n + "1" + "}{2}" * n


def left(n: int) -> str:
    return "\\left(" * n + "x" + "\\right)" * n


def braces(n: int) -> str:
    return "{" * n + "x" + "}" * n


def envs(n: int) -> str:
    return "\\begin{matrix}" * n + "x" + "\\end{matrix}" * n


def sqrt(n: int) -> str:
    return "\\sqrt{" * n + "x" + "}" * n


def sups(n: int) -> str:
    return "x" + "^2" * n  # double superscripts nest without any brace


def parens(n: int) -> str:
    return "(" * n + "x" + ")" * n  # balanced brackets are paired into nested fences


DEEP = [frac(250), frac(300), left(3000), braces(5000), envs(1000), sqrt(400),
        "x^{" * 400 + "2" + "}" * 400]


@pytest.mark.parametrize("source", DEEP, ids=lambda s: f"{s[:12]}…{len(s)}")
def test_deep_math_shows_its_source(source: str) -> None:
    assert render_inline(source) == source
    assert render_display(source) == [source]


def test_past_the_depth_budget_is_source_and_within_it_is_rendered() -> None:
    assert render_inline(frac(MAX_NESTING)) != frac(MAX_NESTING)
    assert render_inline(frac(MAX_NESTING + 1)) == frac(MAX_NESTING + 1)
    assert render_inline(left(MAX_NESTING)) == "(" * MAX_NESTING + "x" + ")" * MAX_NESTING
    assert render_inline(left(MAX_NESTING + 1)) == left(MAX_NESTING + 1)


@pytest.mark.parametrize("source", [sups(3000), parens(3000), "x" * (MAX_SOURCE + 1)],
                         ids=["double-superscripts", "parentheses", "long"])
def test_trees_too_deep_or_too_long_without_braces_show_their_source(source: str) -> None:
    assert render_inline(source) == source
    assert render_display(source) == [source]


def test_a_tall_display_block_falls_back_to_the_one_line_form() -> None:
    source = frac(40)  # 81 lines stacked: unreadable, and slow to build
    lines = render_display(source)
    assert lines == [render_inline(source)]
    assert "/" in lines[0] and "\\" not in lines[0]
    small = render_display(frac(3))
    assert len(small) == 7 and "─" in small[3]


def test_a_big_multiline_source_block_is_not_padded_into_a_huge_block() -> None:
    source = "a}" + "x" * 1900 + "\n" + "\n".join("y" for _ in range(50))
    lines = render_display(source)
    assert sum(cell_width(line) for line in lines) <= len(source) + MAX_DISPLAY_CELLS


def test_nesting_depth_counts_groups_left_right_and_environments() -> None:
    assert nesting_depth("x") == 0
    assert nesting_depth("{a}{b}") == 1
    assert nesting_depth(r"\frac{\frac{1}{2}}{3}") == 2
    assert nesting_depth(r"\left( \left[ x \right] \right)") == 2
    assert nesting_depth(r"\begin{cases} {x} \end{cases}") == 2
    assert nesting_depth(r"\{ \{ \{ x \} \} \}") == 0  # delimiters, not groups
    assert nesting_depth(r"\leftarrow \rightarrow \endgraf") == 0  # other commands
    assert nesting_depth("}}}{") == 1  # a stray closer never goes below zero


def test_a_card_with_thousands_of_formulas_renders_the_budget_and_shows_the_rest() -> None:
    card = " ".join(f"${{x^{i}}}$" for i in range(2000))
    out = render_plain(card)
    assert out.startswith("x⁰ x¹ x²")
    assert out.endswith("{x^1999}")  # past the card's budget: the source, as text
    assert len(out) < 2 * len(card)
    assert MAX_CARD_MATH < len(card)


def test_deep_math_in_markdown_shows_its_source() -> None:
    source = frac(300)
    assert render_plain(f"a ${source}$ b") == f"a {source} b"
    assert render_markdown(f"$${source}$$") == f"```text\n{source}\n```"
    segments = split_markdown(f"$$\n{source}\n$$")
    assert segments[0].kind == "math" and segments[0].lines == (source,)


def test_every_entry_point_returns_on_hostile_math_in_a_fresh_interpreter() -> None:
    """The issue's inputs, each in a fresh process (no warm cache, default recursion limit);
    the timeout only catches a hang, it measures nothing."""
    code = textwrap.dedent("""
        from flashdeck.mathtext import render_display, render_inline, render_markdown
        from flashdeck.mathtext import render_plain, split_markdown
        cases = ["\\\\frac{" * n + "1" + "}{2}" * n for n in (80, 160, 250, 300)]
        cases += ["\\\\left(" * 3000 + "x" + "\\\\right)" * 3000, "{" * 20000,
                  "\\\\begin{cases}" * 2000, "x" + "^2" * 5000, "(" * 5000 + ")" * 5000,
                  "\\\\sqrt" * 5000 + "x", "_" * 5000, "\\\\frac" * 5000]
        for source in cases:
            render_inline(source)
            render_display(source)
            render_markdown("$" + source + "$ and\\n$$\\n" + source + "\\n$$")
            render_plain("$" + source + "$")
            split_markdown("$$" + source + "$$")
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_show_of_a_deep_fraction_card_prints_its_source(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    source = frac(250)
    write_note(vault, "deep.md", f"#flashcards\n\nWhat is ${source}$?::A\n\n$${left(3000)}$$\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    result = cli("--collection", col, "show", "1", "--answer")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err and "RecursionError" not in result.err
    assert "frac" in result.out


# -- generated LaTeX-ish soup ---------------------------------------------------------------

piece = st.sampled_from(["{", "}", "\\frac", "\\left(", "\\right)", "\\left.", "^", "_",
                         "\\sqrt", "[", "]", "(", ")", "x", "2", " ", "+", "=", "&", "\\\\",
                         "\\begin{cases}", "\\end{cases}", "\\text{ab}", "\\alpha", "'",
                         "\\", "$", "\\{", "\\}"])
soup = st.lists(piece, max_size=400).map("".join)
deep = st.tuples(st.sampled_from(["{", "\\frac{", "\\left(", "\\sqrt{", "x^{", "("]),
                 st.integers(0, 300), soup).map(lambda t: t[0] * t[1] + t[2])


def _within_output_budget(source: str, out: str | list[str]) -> bool:
    lines = [out] if isinstance(out, str) else out
    cells = sum(cell_width(line) for line in lines)
    return len(lines) <= max(MAX_DISPLAY_LINES, source.count("\n") + 1) and \
        cells <= max(MAX_DISPLAY_CELLS, 4 * len(source) + 16)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(soup, deep))
def test_latex_soup_never_raises_and_stays_within_the_output_budget(source: str) -> None:
    line = render_inline(source)
    lines = render_display(source)
    assert isinstance(line, str) and "\n" not in line
    assert _within_output_budget(source, line)
    assert _within_output_budget(source, lines)
    assert len({cell_width(row) for row in lines}) <= 1
    assert isinstance(render_markdown(f"${source}$ $${source}$$"), str)


def test_the_review_screen_content_of_deep_math_is_its_source() -> None:
    from flashdeck.tui.content import prepare

    shown = prepare(f"Q ${left(3000)}$\n\n$$\n{frac(300)}\n$$\n")
    assert "left" in shown and "frac" in shown
