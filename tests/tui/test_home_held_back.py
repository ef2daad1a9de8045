"""The deck list says how many new cards (and reviews) the sibling rules hold back for
another day, as `flashdeck due` does. Before, a user with a daily limit of 20 and nine new
cards on the list had no word of the seven siblings waiting, and wondered why."""

from __future__ import annotations

import re

import pytest

from support.tui import (NOW_ISO, app_for, card, laid_out, make_collection, run_async,
                         screen_text, sibling_cards)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


async def _deck_list(app, pilot):
    from flashdeck.tui.screens.home import HomeScreen

    await pilot.pause()
    await pilot.press("escape")
    await app.workers.wait_for_complete()
    await laid_out(pilot)
    assert isinstance(app.screen, HomeScreen)
    return screen_text(app).split("\n")


@pytest.mark.parametrize("size,said", [
    ((120, 40), "Held back: 3 new for another day (siblings of today's cards)"),
    ((80, 24), "Held back: 3 new for another day (siblings of today's cards)"),
    ((40, 12), "Held back: 3 new (siblings)"),
])
@run_async
async def test_the_deck_list_says_what_siblings_hold_back(tmp_path, size, said):
    app = app_for(make_collection(tmp_path / "c.sqlite", sibling_cards()))
    async with app.run_test(size=size) as pilot:
        lines = await _deck_list(app, pilot)
        shown = [line.strip() for line in lines]
        assert said in shown, "\n".join(lines)
        # the lines above it whole too, and the key bar below them with every key
        assert "Today: 3 new · 0 learning · 0 review" in shown, "\n".join(lines)
        assert any(line.startswith("Waiting: ") and line.endswith("due tomorrow")
                   for line in shown), "\n".join(lines)
        footer = app.screen.query_one("Footer").region.y
        later = app.screen.query_one("#later").region
        assert later.bottom <= footer, "\n".join(lines)
        assert re.search(r"q Quit(\s|$)", lines[footer]), lines[footer]
        assert re.search(r"All decks\s+3\s+0\s+0", "\n".join(lines))


@run_async
async def test_the_short_wording_on_a_narrow_list_and_the_full_one_back_when_wider(tmp_path):
    app = app_for(make_collection(tmp_path / "c.sqlite", sibling_cards()))
    async with app.run_test(size=(40, 12)) as pilot:
        lines = await _deck_list(app, pilot)
        assert "Held back: 3 new (siblings)" in [line.strip() for line in lines]
        await pilot.resize_terminal(80, 24)
        await laid_out(pilot)
        text = screen_text(app)
        assert "Held back: 3 new for another day (siblings of today's cards)" in text, text


@run_async
async def test_nothing_held_back_says_nothing(tmp_path):
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("basic", f"Capital number {i}?", f"City {i}", 3 + 2 * i) for i in range(3)]))
    async with app.run_test(size=(80, 24)) as pilot:
        lines = await _deck_list(app, pilot)
        text = "\n".join(lines)
        assert "Today: 3 new" in text and "Held back" not in text, text


@run_async
async def test_the_held_back_line_follows_an_answer(tmp_path):
    """One cloze of the paragraph answered: its two siblings stay held back, and the
    reversed pair's still waits; the list says 3 while the review went on."""
    app = app_for(make_collection(tmp_path / "c.sqlite", sibling_cards()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(3):  # the three new cards of today, each answered Easy
            await pilot.press("space", "4")
            await pilot.pause()
        from flashdeck.tui.screens.summary import SummaryScreen

        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await laid_out(pilot)
        text = screen_text(app)
        assert "Today: 0 new" in text, text
        assert "Held back: 3 new for another day (siblings of today's cards)" in text, text


@run_async
async def test_at_40x12_the_lines_under_the_table_are_whole_above_the_key_bar(tmp_path):
    """At 40×12 `Today:` and `Waiting:` took two rows each and the last one went under
    the key bar (`Waiting: nothing more today; 0 due`, its `tomorrow` hidden), the screen
    scrolling and its scrollbar over `q Quit`. A short terminal now gives the rows above
    the title to them, and a narrow one says each in its short wording."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("basic", f"Capital number {i}?", f"City {i}", 3 + 2 * i) for i in range(25)]))
    async with app.run_test(size=(40, 12)) as pilot:
        lines = await _deck_list(app, pilot)
        shown = [line.strip() for line in lines]
        assert "Today: 20 new · 0 learn · 0 due" in shown, "\n".join(lines)
        assert "Waiting: 0 due tomorrow" in shown, "\n".join(lines)
        footer = app.screen.query_one("Footer").region.y
        assert app.screen.query_one("#later").region.bottom <= footer
        assert re.search(r"q Quit(\s|$)", lines[footer]), lines[footer]
        assert app.screen.max_scroll_y == 0  # nothing below the screen's last row
