"""An inline formula in a sentence wraps as one word on the review screen: Textual broke a
line at any space, so `P(A|B) =` ended one line and `P(B|A)P(A)/P(B)` began the next.
Now a formula moves to the next line whole, and only one wider than the line breaks,
at its own spaces (never inside a symbol)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.tui import app_for, card, make_collection, run_async, screen_text
from flashdeck.tui.wrapping import NO_BREAK, no_break_rows

BAYES = ("For any events with $P(B) > 0$, Bayes' rule gives the posterior "
         "$P(A | B) = P(B | A) P(A) / P(B)$ from the likelihood and the prior, "
         "and $\\frac{a+b}{c}$ is inline.\n\n"
         "- the evidence $P(B) = \\sum_i P(B | A_i) P(A_i)$ sums over a partition")
FORMULAS = ["P(B) > 0", "P(A|B) = P(B|A)P(A)/P(B)", "(a + b)/c", "P(B) = ∑ᵢ P(B|Aᵢ)P(Aᵢ)"]


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _lines(app) -> list[str]:
    return [" ".join(line.replace("\xa0", " ").split()) for line in screen_text(app).split("\n")]


@pytest.mark.parametrize("width", [40, 60, 80])
@run_async
async def test_an_inline_formula_in_an_answer_is_never_split_across_lines(tmp_path, width):
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "What does Bayes' rule say?", BAYES, 3)]))
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        lines = _lines(app)
        for formula in FORMULAS:
            assert any(formula in line for line in lines), (formula, lines)
        text = " ".join(lines)
        assert "from the likelihood and the prior" in text and "sums over a partition" in text


@run_async
async def test_an_inline_formula_in_a_one_line_front_stays_whole(tmp_path):
    """The fast path for one-line fronts (no Markdown widget) keeps it whole too."""
    front = "When A and B are independent, what is $P(A | B) = P(A \\cap B) / P(B)$ equal to?"
    app = app_for(make_collection(tmp_path / "c.sqlite", [card("basic", front, "$P(A)$", 3)]))
    async with app.run_test(size=(46, 20)) as pilot:
        await pilot.pause()
        assert any("P(A|B) = P(A ∩ B)/P(B)" in line for line in _lines(app)), _lines(app)


@run_async
async def test_a_formula_wider_than_the_line_breaks_at_its_own_spaces(tmp_path):
    """At 24 columns (a panel of 22) `P(A|B) = P(B|A)P(A)/P(B)` (24 cells) cannot fit: it
    breaks after `=`, each symbol whole."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "Bayes?", BAYES, 3)]))
    async with app.run_test(size=(24, 40)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        lines = _lines(app)
        at = next(i for i, line in enumerate(lines) if line.endswith("P(A|B) ="))
        assert lines[at + 1].startswith("P(B|A)P(A)/P(B)"), lines


def test_show_prints_inline_formulas_with_plain_spaces():
    """Only the review screen asks for no-break spaces: `show`, `next` and JSON keep the
    spaces of the formula as they were."""
    from flashdeck.cardtext import prepare

    assert NO_BREAK not in prepare("so $a + b = c$ holds")
    assert "a \\+ b \\= c" in prepare("so $a + b = c$ holds")


_TEXT = st.text(alphabet=st.sampled_from(list("ab=()+ \n") + [NO_BREAK, "日", "\t"]),
                max_size=80)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.integers(min_value=1, max_value=30))
def test_rows_fit_and_keep_every_character(text, width):
    """Every screen line fits; joined back (the spaces dropped at a break put back) the
    lines are the text; a break inside a no-break run only where the run is wider than
    the line."""
    from rich.cells import cell_len

    rows = no_break_rows(text, width)
    kept = "".join(text[start:end] for start, end in rows)
    assert kept.replace(" ", "").replace("\t", "").replace("\n", "").replace(NO_BREAK, "") \
        == text.replace(" ", "").replace("\t", "").replace("\n", "").replace(NO_BREAK, "")
    for start, end in rows:
        piece = text[start:end]
        assert cell_len(piece) <= width or len(piece) == 1, (piece, width)
        assert "\n" not in piece
    for (_, end), (start, _) in zip(rows, rows[1:]):
        between = text[end:start]
        if not between.strip(" \t\n") and NO_BREAK not in between and "\n" not in between \
                and between:
            continue  # an ordinary break
        # a break inside a no-break run: the run did not fit the line
        left = text[:end].split(" ")[-1].split("\n")[-1]
        right = text[start:].split(" ")[0].split("\n")[0]
        assert "\n" in between or cell_len(left + between + right) > width or not between
