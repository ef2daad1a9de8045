"""Keys typed fast on the deck list are handled in their order, each by the screen on top
when its turn comes: `Enter ?` opens the review, then its help over it (the help opened
under the review: Escape then showed it over the deck list)."""

from __future__ import annotations

import pytest

from support.tui import (app_for, burst, make_collection, run_async, settle, stack as _stack,
                         standard_cards, until)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


async def _deck_list(app, pilot) -> None:
    await pilot.pause()
    await pilot.press("escape")
    await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen"
                and app.screen.query_one("#decks").row_count > 1)


async def _settles_on(pilot, stack: list[str]) -> None:
    """Let the burst run (bounded), then the screens must be `stack`, bottom first."""
    await settle(pilot, lambda: _stack(pilot.app) == stack)
    assert _stack(pilot.app) == stack


async def _down_to(app, pilot, deck: str) -> list[tuple[str, None]]:
    """The deck list, and the Down keys from its first row to `deck`'s."""
    await _deck_list(app, pilot)
    table = app.screen.query_one("#decks")
    decks = [table.coordinate_to_cell_key((row, 0)).row_key.value
             for row in range(table.row_count)]
    return [("down", None)] * decks.index(deck)


@pytest.mark.parametrize("keys, stack", [
    # Enter reviews the highlighted deck; the `?` typed right after is the review's
    ([("enter", None), ("question_mark", "?")],
     ["HomeScreen", "ReviewScreen", "HelpScreen"]),
    # `a` (review all) then `?`
    ([("a", "a"), ("question_mark", "?")], ["HomeScreen", "ReviewScreen", "HelpScreen"]),
    # `?` then Escape closes the deck list's help, then Enter reviews
    ([("question_mark", "?"), ("escape", None), ("enter", None)],
     ["HomeScreen", "ReviewScreen"]),
    # Enter, then Escape back to the decks at once, then `?`: the deck list's help
    ([("enter", None), ("escape", None), ("question_mark", "?")],
     ["HomeScreen", "HelpScreen"]),
    # Enter, then `i`: the card info over the review
    ([("enter", None), ("i", "i")], ["HomeScreen", "ReviewScreen", "InfoScreen"]),
])
@run_async
async def test_keys_typed_fast_on_the_deck_list_go_to_the_screen_on_top(tmp_path, keys, stack):
    app = app_for(make_collection(tmp_path / "c.sqlite"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _deck_list(app, pilot)
        burst(app, keys)
        await _settles_on(pilot, stack)


@run_async
async def test_down_then_enter_typed_fast_reviews_the_deck_moved_to(tmp_path):
    app = app_for(make_collection(tmp_path / "c.sqlite", standard_cards()))
    async with app.run_test(size=(80, 24)) as pilot:
        down = await _down_to(app, pilot, "flashcards/misc")
        burst(app, down + [("enter", None), ("question_mark", "?")])
        await _settles_on(pilot, ["HomeScreen", "ReviewScreen", "HelpScreen"])
        assert app.screen_stack[-2].deck == "flashcards/misc"


@pytest.mark.parametrize("last, stack", [
    ("escape", ["HomeScreen"]),  # the summary, then the deck list
    ("u", ["HomeScreen", "ReviewScreen"]),  # the bury taken back: its card again
])
@run_async
async def test_a_deck_finished_in_a_burst_from_the_deck_list_shows_its_end(tmp_path, last,
                                                                          stack):
    # Down×n Enter `b` Escape: the deck's one card buried, its summary, then back to the
    # deck list. The Escape ran the summary's binding before the summary was mounted,
    # which then ended the app with a traceback (NoMatches '#summary-title').
    app = app_for(make_collection(tmp_path / "c.sqlite", standard_cards()))
    async with app.run_test(size=(80, 24)) as pilot:
        down = await _down_to(app, pilot, "flashcards/misc")  # one card
        burst(app, down + [("enter", None), ("b", "b"), (last, "u" if last == "u" else None)])
        await _settles_on(pilot, stack)
        assert app.is_running and app.crash is None
