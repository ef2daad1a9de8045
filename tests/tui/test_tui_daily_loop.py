"""The daily loop as a user lives it: keys typed fast (as a terminal delivers them in one
read), undo after the note changed, a card answered elsewhere while it is on screen."""

from __future__ import annotations

import pytest
from textual import events

from support.tui import (SIZE, app_for, card, make_collection, reviews, run_async,
                         screen_text, standard_cards)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _exercise_first(tmp_path):
    exercise = [c for c in standard_cards() if c.kind == "exercise"][0]
    basic = card("basic", "Is Dice the same as F1?", "Yes: on binary masks Dice = F1.", 40)
    return make_collection(tmp_path / "c.sqlite", [exercise, basic])


def _burst(app, keys: list[tuple[str, str | None]]) -> None:
    """Keys as a terminal delivers a fast burst (key repeat, a quick typist): all of them
    queued before the app has handled the first."""
    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)


@pytest.mark.parametrize("fix", [
    [("backspace", None)] * 4,                       # Backspace held down
    [("home", None), ("delete", None), ("delete", None), ("end", None),
     ("backspace", None), ("backspace", None)],       # the cursor keys, then Backspace
])
@run_async
async def test_an_answer_corrected_fast_is_graded_as_typed(tmp_path, fix):
    # Typing `71`, holding Backspace and typing `0.5` Enter quickly graded `7`: Textual
    # inserts a typed character at once but runs the box's Backspace (a binding) only when
    # the key has bubbled up to the app, so the characters typed after it came first and
    # Backspace then deleted them. The box now does its own keys in the order they came.
    app = app_for(_exercise_first(tmp_path))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#answer")
        assert app.screen.focused is box
        await pilot.press("7", "1")
        assert box.value == "71"
        _burst(app, [*fix, ("0", "0"), ("full_stop", "."), ("5", "5"), ("enter", None)])
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert "you gave 0.5" in text, text
        assert box.value == "0.5"
    assert reviews(app.collection_path) == []  # checked, not yet graded
