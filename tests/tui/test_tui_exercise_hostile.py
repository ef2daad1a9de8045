"""An exercise template is card text: what it names on the review screen — down to the
answer box's placeholder, which names its unit — never reaches the terminal raw."""

from __future__ import annotations

import pytest

from support.tui import SIZE, app_for, card, make_collection, run_async, screen_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TEMPLATE = """\
id: hostile-unit
title: Speed
vars:
  d: 2..9
prompt: "You drive {d} miles in one hour. How fast?"
answer: d
unit: "\\e[31mmph [bold]x[/]"
steps: ["{d} / 1"]
"""


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@run_async
async def test_the_answer_box_placeholder_shows_a_hostile_unit_harmlessly(tmp_path):
    # The unit `\e[31mmph` went raw into the answer box's placeholder: the terminal got
    # ESC [31m (red text) from a note. Now it is shown as ␛[31m, like all card text.
    cards = [card("exercise", "Speed", TEMPLATE, 5, exercise="hostile-unit")]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert "You drive" in screen_text(app)
        placeholder = str(app.screen.query_one("#answer").placeholder)
        assert "\x1b" not in placeholder and "␛[31mmph [bold]x[/]" in placeholder
        assert "\x1b" not in app.export_screenshot()
