"""The answer's first rows hold the answer: a back that starts with a display formula (or a
heading) starts one blank row under the rule, as a back of plain text does. The formula's
block kept its own top margin inside the answer, under the rule's: three blank rows before
the formula, at 40×12 most of the card's view."""

from __future__ import annotations

import re

import pytest

from support.tui import NOW_ISO, app_for, card, card_rows, laid_out, make_collection, run_async

RECALL = ("$$\\text{recall} = \\frac{T P}{T P + F N}$$\n\n"
          "The share of the real positives that the model finds.")
PLAIN = "The share of the real positives that the model finds."
HEADING = "## Recall\n\nThe share of the real positives that the model finds."


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _rows_under_the_rule(app) -> list[str]:
    """The card panel's rows under the rule."""
    rows = card_rows(app)
    rule = next(i for i, row in enumerate(rows) if re.fullmatch(r" *─{10,}", row))
    return rows[rule + 1:]


def _blank_rows_first(rows: list[str]) -> int:
    return next(i for i, row in enumerate(rows) if row.strip())


@pytest.mark.parametrize("size", [(80, 24), (40, 12), (120, 40)])
@pytest.mark.parametrize("back", [RECALL, HEADING], ids=["formula", "heading"])
@run_async
async def test_an_answer_starts_one_blank_row_under_the_rule(tmp_path, size, back):
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "What does recall measure?", back, 3),
        card("basic", "What does precision measure?", PLAIN, 9)]))
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        await laid_out(pilot)
        rows = _rows_under_the_rule(app)
        first = _blank_rows_first(rows)
        # (a formula's block keeps its shaded row above it from 16 rows on: blank here)
        assert first == (1 if size[1] < 16 or back is HEADING else 2), rows
        shown = " ".join(" ".join(rows).split())
        assert ("TP" in shown and "recall =" in shown) if back is RECALL else "Recall" in shown
        await pilot.press("3", "space")
        await laid_out(pilot)
        plain = _rows_under_the_rule(app)
        assert _blank_rows_first(plain) == 1, plain  # as a back of plain text


# the user's kind of formula: a chain of two rows, the last with a fraction inside a
# denominator (a half of the false ones)
TWO_ROW_FORMULA = (
    "$$S=\\frac{3}{\\frac{1}{\\text { sensitivity }} \\times \\frac{1}{\\text { specificity }}}"
    "=3 \\times \\frac{\\text { sensitivity } \\times \\text { specificity }}"
    "{\\text { sensitivity }+ \\text { specificity }} =\\frac{t p}{t p+\\frac{1}{2}(f p+f n)}"
    " = \\frac{3 T P}{3 T P+F P+F N}$$")


@run_async
async def test_a_formula_one_row_too_tall_for_80x24_shows_whole_without_scrolling(tmp_path):
    """At 80×24 a two-row formula answer (the user's F1 chain) left its last row, the `2`
    under `tp + 1/2 (fp + fn)`, under the fold: the blank rows around the rule and the
    formula's shaded rows took the room. A card taller than its panel now gives those up
    first; the whole formula is on screen and the card needs no scroll."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("formula", "Sensitivity chain: S = ?", TWO_ROW_FORMULA, 3)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await laid_out(pilot)
        panel = app.screen.query_one("#card")
        assert panel.virtual_size.height <= panel.scrollable_content_region.height
        rows = card_rows(app)
        shown = [row.strip() for row in rows if row.strip()]
        assert shown[0] == "Sensitivity chain: S = ?", rows
        assert any(row.startswith("tp + ─ (fp + fn)") for row in shown), rows
        half = next(i for i, row in enumerate(shown) if row.startswith("tp + ─ (fp + fn)"))
        assert shown[half + 1] == "2", rows  # the denominator of the half, on screen
        # the next card is laid out as usual again: two blank rows above the rule
        await pilot.press("3")
        await laid_out(pilot)
        assert not panel.has_class("-tight")
