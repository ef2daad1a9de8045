"""Keys typed right after an exercise's Enter, in one burst, run in their order once the
answer is shown, each on the screen on top in its turn: `3/4 Enter i ?` left the help open
over the card info (two boxes stacked), `i` then Escape left the review for the deck list
with the card info still open: every key after the check ran the review screen's
bindings, whatever had opened over it meanwhile."""

from __future__ import annotations

import pytest

from support.tui import (SIZE, app_for, burst, card, make_collection, run_async, settle,
                         stack as _stack, standard_cards, typed as _typed, until)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.mark.parametrize("after, stack", [
    ([("i", "i"), ("question_mark", "?")], ["ReviewScreen", "InfoScreen"]),  # ? is no key there
    ([("i", "i"), ("escape", None), ("question_mark", "?")], ["ReviewScreen", "HelpScreen"]),
    ([("question_mark", "?"), ("i", "i")], ["ReviewScreen", "HelpScreen"]),  # nor i there
    ([("question_mark", "?"), ("escape", None), ("i", "i")], ["ReviewScreen", "InfoScreen"]),
    ([("i", "i"), ("escape", None)], ["ReviewScreen"]),  # closed, the review kept
])
@run_async
async def test_keys_after_the_check_go_to_the_screen_on_top(tmp_path, after, stack):
    exercise = [c for c in standard_cards() if c.kind == "exercise"][0]
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        exercise, card("basic", "Is Dice the same as F1?", "Yes, on binary masks.", 40)]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        review = app.screen
        assert review.focused is review.query_one("#answer")
        burst(app, _typed("3/4") + [("enter", None)] + after)
        await until(pilot, lambda: review.revealed, rounds=3000)
        await settle(pilot, lambda: _stack(app) == stack and not review._keys_waiting)
        assert _stack(app) == stack
        assert review.card.kind == "exercise"  # not graded: no grade was typed


@pytest.mark.parametrize("after, graded, revealed", [
    ([("3", "3"), ("space", " ")], [(1, 3)], True),  # the next card's answer shown
    ([("3", "3"), ("space", " "), ("1", "1")], [(1, 3), (2, 1)], False),  # ... and graded
    ([("3", "3"), ("i", "i")], [(1, 3)], False),  # the next card's info
])
@run_async
async def test_keys_typed_after_the_grade_in_the_same_burst_are_the_next_card_s(
        tmp_path, after, graded, revealed):
    # `3/4` Enter `3 Space` typed fast: the 3 graded the exercise once its answer was
    # shown, and the keys after it were dropped (the next card stayed unrevealed)
    from support.tui import reviews

    exercise = [c for c in standard_cards() if c.kind == "exercise"][0]
    path = make_collection(tmp_path / "c.sqlite", [
        exercise, card("basic", "Is Dice the same as F1?", "Yes, on binary masks.", 40)])
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        review = app.screen
        burst(app, _typed("3/4") + [("enter", None)] + after)
        await settle(pilot, lambda: reviews(path) == graded
                     and (review.revealed == revealed) and not review._keys_waiting
                     and (_stack(app)[-1] == "InfoScreen") == (after[-1][0] == "i"), 300)
        assert reviews(path) == graded
        if after[-1][0] == "i":
            assert _stack(app) == ["ReviewScreen", "InfoScreen"]
        else:
            assert review.revealed == revealed and _stack(app) == ["ReviewScreen"]
        assert review.card.kind == "basic" or graded == [(1, 3), (2, 1)]


@run_async
async def test_an_answer_typed_after_the_grade_goes_into_the_next_exercise_s_box(tmp_path):
    from support.tui import fuel_card

    exercise = [c for c in standard_cards() if c.kind == "exercise"][0]
    app = app_for(make_collection(tmp_path / "c.sqlite", [exercise, fuel_card()]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        review = app.screen
        burst(app, _typed("3/4") + [("enter", None), ("3", "3")] + _typed("20/7"))
        box = review.query_one("#answer")
        await settle(pilot, lambda: box.value == "20/7", 300)
        assert review.card.exercise == "fuel-average" and box.value == "20/7"
