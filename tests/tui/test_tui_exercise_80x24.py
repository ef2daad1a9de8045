"""The built-in exercises on the review screen at 80×24, as a user meets them one after
another: the answer box in view when the card comes, the verdict in view when Enter is
pressed, every number of the prompt whole. Read off the screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flashdeck.exercises import builtin_template
from support.tui import (NOW_ISO, app_for, card, editor_replacing, make_collection, run_async,
                         screen_text, toasts)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _builtins(tmp_path: Path, *ids: str) -> Path:
    """One card per built-in exercise, shown in this order."""
    cards = []
    for n, exercise in enumerate(ids):
        template = builtin_template(exercise)
        assert template is not None
        cards.append(card("exercise", template.title, template.source, 5 + n,
                          exercise=exercise, block=f"exercise:{exercise}"))
    return make_collection(tmp_path / "c.sqlite", cards)


def _card_view(app) -> str:
    """The rows of the card panel the user sees now."""
    panel = app.screen.query_one("#card")
    rows = screen_text(app).split("\n")[panel.region.y:panel.region.bottom]
    return "\n".join(row[panel.region.x:panel.region.right - 2] for row in rows)


async def _settled(pilot) -> None:
    for _ in range(4):
        await pilot.pause()


@pytest.mark.parametrize("first,then", [("mask-grid", "roc-point"),
                                        ("roc-point", "mask-grid"),
                                        ("iou-to-dice", "mask-grid")])
@run_async
async def test_each_exercise_comes_with_its_answer_box_in_view(tmp_path, first, then):
    """The second exercise of a session came with its answer box under the fold at 80×24
    (the scroll was decided on the first card's layout, or before the prompt's table had
    its rows): the user typed into a box they could not see, and Enter showed nothing
    (the verdict was under the fold too). Now the box is in view on every card, and the
    verdict after Enter."""
    app = app_for(_builtins(tmp_path, first, then))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(2):
            await _settled(pilot)
            assert "▔▔▔▔▔▔▔▔▔▔" in _card_view(app), _card_view(app)  # the box's top edge
            await pilot.press("2", "enter")  # never right: these are in [0, 1]
            await _settled(pilot)
            view = _card_view(app)
            assert "you gave 2" in view and "Answer:" in view, view
            await pilot.press("3")


@run_async
async def test_the_roc_scores_are_shown_whole_at_80_columns(tmp_path):
    """The ROC exercise's nine scores were a Markdown table of ten columns: at 80 columns
    Textual squeezed them until a score folded in its cell, `0.65` drawn as `0.6` over `5`
    (and `example` as `exampl` over `e`). They are a fixed-width block now: each score is
    on the screen as the number it is, and the prompt, its question and the answer box fit
    in the panel together."""
    from flashdeck.render import exercise_instance, exercise_seed
    from flashdeck.collection.cards import get_card
    from flashdeck.collection.store import Collection

    path = _builtins(tmp_path, "roc-point")
    with Collection.open(path) as col:
        instance = exercise_instance(get_card(col, 1), exercise_seed(get_card(col, 1)))
    scores = [f"{float(instance.given[f's{i}']):.2f}" for i in range(1, 10)]
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settled(pilot)
        view = _card_view(app)
        # (the prompt's first line, `A classifier scores nine examples`, is in view too)
        row = next(line for line in view.split("\n") if line.strip().startswith("score "))
        assert "A classifier scores nine examples" in view, view
        assert re.findall(r"\d+(?:\.\d+)?", row) == scores, view
        assert "example  x1    x2" in view and "What is the" in view and "▔▔▔▔" in view, view


@pytest.mark.parametrize("size,beside", [((80, 24), True), ((120, 40), True), ((56, 30), False)])
@run_async
async def test_the_mask_grid_its_legend_question_and_answer_box_share_the_screen(
        tmp_path, size, beside):
    """At 80×24 the mask grid's legend stood under the grid: the grid, the legend and the
    answer box filled the panel, and the question (Dice or IoU?) was scrolled off above.
    The legend now stands beside the grid where it fits, so the question, every cell, the
    legend and the answer box are on one screen; narrower, it goes under the grid, whole."""
    from flashdeck.collection.cards import get_card
    from flashdeck.collection.store import Collection
    from flashdeck.render import exercise_instance, exercise_seed

    path = _builtins(tmp_path, "mask-grid")
    with Collection.open(path) as col:
        grid = exercise_instance(get_card(col, 1), exercise_seed(get_card(col, 1))).grid
    app = app_for(path)
    async with app.run_test(size=size) as pilot:
        await _settled(pilot)
        view = _card_view(app)
        assert re.search(r"then compute the (Dice score|IoU)", view), view
        lines = view.split("\n")
        for row in grid.cells:
            drawn = " ".join(grid.symbol(cell.kind) for cell in row)
            assert any(f"│  {drawn}  " in line for line in lines), (drawn, view)
        for kind, symbol, meaning in grid.legend:
            legend = f"{symbol} {kind}  {meaning}"
            assert any(legend in line for line in lines), (legend, view)
        first_row = " ".join(grid.symbol(cell.kind) for cell in grid.cells[0])
        assert any(first_row in line and "■ TP  object" in line for line in lines) == beside
        assert "▔▔▔▔▔▔▔▔▔▔" in view, view


COFFEE = """\
id: coffee-price
title: Price per kilogram
vars:
  g: 500..500
  c: 3..3
prompt: "A bag of {g} g of coffee costs €{c}. What is the price per kilogram?"
answer: c * 1000 / g
unit: "€"
steps: |
  price per kg = price / mass in kg = {c} / {g/1000} {answer:eq}
"""


@pytest.mark.parametrize("typed", ["6 euros", "6 €", "€6", "6,00 €", "6 EUR"])
@run_async
async def test_an_answer_in_euros_is_asked_and_read_in_euros(tmp_path, typed):
    """A template with `unit: "€"` showed "your answer in dollars, e.g. 12.50" in its
    answer box, and `6 euros` (the box let the word be typed) was refused: "The answer is
    asked in €, not euros". Now the box asks in euros and the word is read as the sign."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("exercise", "Price per kilogram", COFFEE, 5, exercise="coffee-price")]))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settled(pilot)
        assert str(app.screen.query_one("#answer").placeholder).startswith(
            "your answer in euros")
        assert "dollars" not in _card_view(app)
        await pilot.press(*typed, "enter")
        await _settled(pilot)
        view = _card_view(app)
        assert "✓ Right: €6." in view, view


@pytest.mark.parametrize("typed", ["abc", "7" * 5000, "0.75 (3/4)"])
@run_async
async def test_an_unreadable_answer_says_so_in_view(tmp_path, typed):
    """An answer that cannot be read (a word, 5,000 digits) got its message under the hint,
    below the fold at 80×24 on a mask grid: Enter seemed to do nothing. Now the message
    comes into view under the box (the hint gives it its place: it says the same), the
    answer stays in the box to be corrected, and a right answer is then graded."""
    app = app_for(_builtins(tmp_path, "mask-grid"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settled(pilot)
        box = app.screen.query_one("#answer")
        box.value = typed  # (5,000 key presses take the pilot minutes: as pasted)
        box.cursor_position = len(typed)
        await pilot.press("enter")
        await _settled(pilot)
        view = " ".join(_card_view(app).split())
        assert "Type a fraction (3/4), a decimal (0.75 or .75) or a percentage (75%)." in view
        assert "▔▔▔▔▔▔▔▔▔▔" in view and not app.screen.revealed
        assert "your answer: a fraction (3/4), a decimal (0.75) or a percentage" not in view
        instance = app.screen.query_one("#exercise").instance
        box.value = str(instance.answer)
        await pilot.press("end", "enter")
        await _settled(pilot)
        assert "✓ Right" in _card_view(app) and app.screen.revealed


PRACTICE = """\
---
tags: [flashcards/ml/ranking]
---
# Precision at k

```flashdeck-exercise
id: precision-at-k
title: Compute precision at k
vars:
  k: [5, 10, 20]
  r: 0..k
prompt: "A search engine returns {k} results; {r} of them are relevant. What is P@{k}?"
answer: r / k
steps: |
  P@{k} = {r} / {k} = {r / k:work}
```
"""


@run_async
async def test_e_that_breaks_the_template_says_why_the_card_is_set_aside(tmp_path, monkeypatch):
    """`e` on an exercise, and a typo saved in its template (`answer: r / kk`): the screen
    said "That card is no longer in its note." -- but it is, just broken. Now it names the
    mistake (file and line) and says the card waits, with its history, for the fix; the
    fix brings the same card back."""
    from flashdeck.collection.importer import import_paths
    from flashdeck.collection.store import Collection
    from support.tui import read_rows

    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "Precision at k.md"
    note.write_text(PRACTICE, encoding="utf-8")
    path = tmp_path / "c.sqlite"
    with Collection.open(path) as col:
        import_paths(col, [str(vault)], now=0)
    editor_replacing(tmp_path, monkeypatch, "answer: r / k", "answer: r / kk")
    app = app_for(path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _settled(pilot)
        card_id = app.screen.card.id
        assert app.screen.card.kind == "exercise"
        await pilot.press("e")  # from the answer box
        await app.workers.wait_for_complete()
        await _settled(pilot)
        said = toasts(app)
        assert f"{note}:13: answer: unknown name(s) kk" in said, said
        assert "template has a mistake now" in said and "no longer in its note" not in said
        assert getattr(app.screen, "card", None) is None  # no other card: the summary
    assert read_rows(path, f"SELECT orphaned FROM cards WHERE id = {card_id}") == [(1,)]
    note.write_text(PRACTICE, encoding="utf-8")
    with Collection.open(path) as col:
        import_paths(col, [str(vault)], now=0)
    assert read_rows(path, f"SELECT orphaned FROM cards WHERE id = {card_id}") == [(0,)]


@run_async
async def test_in_a_small_pane_the_prompt_stays_above_the_answer_box(tmp_path):
    """At 50×16 the box and the hint under it were scrolled into view and the prompt's
    first line (`A classifier has precision P = 0.5 and`) out of it: the numbers to answer
    with were off screen. Now the prompt and the box share the view when they fit; made
    smaller (40×12) with an answer typed, the box comes back into view, the answer kept."""
    app = app_for(_builtins(tmp_path, "f1-from-precision-recall"))
    async with app.run_test(size=(50, 16)) as pilot:
        await _settled(pilot)
        view = _card_view(app)
        prompt = app.screen.query_one("#front").region
        panel = app.screen.query_one("#card").scrollable_content_region
        assert prompt.y >= panel.y, view  # the prompt's first line in view
        assert "precision P =" in view and "your answer" in view, view
        await pilot.press("0", ".", "3")
        await pilot.resize_terminal(40, 12)
        await _settled(pilot)
        assert "0.3" in _card_view(app), _card_view(app)
        await pilot.press("enter")
        await _settled(pilot)
        assert "Not quite: you gave 0.3" in " ".join(_card_view(app).split()), _card_view(app)
