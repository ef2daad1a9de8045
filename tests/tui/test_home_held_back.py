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


@run_async
async def test_at_40x12_the_demo_notice_takes_one_line(tmp_path):
    """The demo deck's notice wrapped to three rows at 40 columns, and `Waiting:` went
    under the key bar. On a short terminal it is one line, cut in its middle."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("basic", f"Capital number {i}?", f"City {i}", 3 + 2 * i) for i in range(25)]),
        demo=True)
    async with app.run_test(size=(40, 12)) as pilot:
        lines = await _deck_list(app, pilot)
        shown = [line.strip() for line in lines]
        notice = app.screen.query_one("#home-notice").region
        assert notice.height == 1 and "…" in lines[notice.y], "\n".join(lines)
        assert lines[notice.y].strip().startswith("█ Demo deck"), lines[notice.y]
        assert "Waiting: 0 due tomorrow" in shown, "\n".join(lines)
        footer = app.screen.query_one("Footer").region.y
        assert app.screen.query_one("#later").region.bottom <= footer
        assert app.screen.max_scroll_y == 0, "\n".join(lines)  # its title in view too
        await pilot.resize_terminal(80, 24)  # tall again: the notice whole
        await laid_out(pilot)
        text = screen_text(app)
        assert "Demo deck — `flashdeck import NOTES` starts your own collection." in text, text


@run_async
async def test_a_deck_list_scrolled_by_a_taller_moment_fits_back_with_its_title(tmp_path):
    """The screen scrolled a row while its table was still too tall (its lines, the
    notice, laid out a refresh later) read the table's top off the scrolled screen: the
    room came out a row too many, the screen stayed scrolled, its title out of view."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("basic", f"Q{i}?", "A", 3 + i, deck=f"flashcards/languages/lang-{i:02d}")
        for i in range(12)]), demo=True)
    async with app.run_test(size=(40, 12)) as pilot:
        await _deck_list(app, pilot)
        screen, table = app.screen, app.screen.query_one("#decks")
        table.styles.max_height = table.region.height + 3  # a taller moment
        await laid_out(pilot)
        screen.scroll_to(y=2, animate=False, immediate=True)
        await pilot.pause()
        assert screen.scroll_y == 2
        await pilot.press("r")  # the decks counted again, the table fitted again
        await app.workers.wait_for_complete()
        await laid_out(pilot)
        lines = screen_text(app).split("\n")
        assert screen.scroll_y == 0 and screen.max_scroll_y == 0, "\n".join(lines)
        assert lines[0].strip().startswith("flashdeck (demo)"), "\n".join(lines)
        assert "Waiting: 0 due tomorrow" in [line.strip() for line in lines]
