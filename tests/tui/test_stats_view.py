"""The stats view (issue 20): `t` on the deck list (for the highlighted deck, or all) and the
command palette open it; its charts and tables come from a worker; Escape or q closes it.
Snapshots at 80×24 and 120×40 on a collection a scripted learner built over five months."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from support.stats_learner import END, HARD, build_in_utc
from support.tui import app_for, run_async, screen_text

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    return build_in_utc(tmp_path_factory.mktemp("learner"))[0]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", END.isoformat())
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def collection(learned, tmp_path) -> Path:
    copy = tmp_path / "c.sqlite"
    shutil.copy(learned, copy)
    return copy


async def _settled(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _home(pilot) -> None:
    from flashdeck.tui.screens.home import HomeScreen

    await _settled(pilot)
    if not isinstance(pilot.app.screen, HomeScreen):
        await pilot.press("escape")
        await _settled(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)


@run_async
async def test_t_opens_the_stats_for_all_decks_and_escape_closes_it(collection):
    from flashdeck.tui.screens.home import HomeScreen
    from flashdeck.tui.screens.stats import StatsScreen

    app = app_for(collection, now=END)
    async with app.run_test(size=(120, 40)) as pilot:
        await _home(pilot)
        await pilot.press("t")
        await _settled(pilot)
        assert isinstance(app.screen, StatsScreen)
        text = screen_text(app)
        assert "Stats · all decks" in text
        assert "Forecast: 2 due in the next 30 days" in text
        assert "Reviews, last 365 days: 396 on 96 days" in text
        assert "True retention" in text
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "you remembered" in text and "FSRS parameters: default" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("t")
        await _settled(pilot)
        await pilot.press("q")  # q closes the view, not the app
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


@run_async
async def test_t_on_a_deck_shows_that_deck(collection):
    from flashdeck.tui.screens.stats import StatsScreen

    app = app_for(collection, now=END)
    async with app.run_test(size=(120, 40)) as pilot:
        await _home(pilot)
        table = app.screen.query_one("#decks")
        row = table.get_row_index(HARD)
        table.move_cursor(row=row, animate=False)
        await pilot.press("t")
        await _settled(pilot)
        assert isinstance(app.screen, StatsScreen) and app.screen.deck == HARD
        text = screen_text(app)
        assert f"Stats · {HARD}" in text
        # the hard deck's own reviews (the whole collection has 396)
        assert "Reviews, last 365 days: 336 on 91 days" in text


@run_async
async def test_the_command_palette_opens_the_stats(collection):
    from flashdeck.tui.screens.stats import StatsScreen

    app = app_for(collection, now=END)
    async with app.run_test(size=(120, 40)) as pilot:
        await _home(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "Stats for all":
            await pilot.press("space" if ch == " " else ch)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await _settled(pilot)
        assert isinstance(app.screen, StatsScreen) and app.screen.deck is None


@pytest.mark.parametrize("size", SIZES)
def test_stats_view(collection, snap_compare, size):
    async def to_stats(pilot):
        await _home(pilot)
        await pilot.press("t")
        await _settled(pilot)

    assert snap_compare(app_for(collection, now=END), terminal_size=size, run_before=to_stats)


@pytest.mark.parametrize("size", [(30, 30), (40, 30)])
@run_async
async def test_below_40_columns_the_heatmap_rows_stay_whole_and_the_view_scrolls_sideways(
        collection, size):
    """The lines are laid out for at least 36 columns; on a narrower screen the view used to
    wrap them again: `Mo` on a line of its own, its weeks on the next, the rows' columns
    out of step. Now each line stays one line and the view scrolls sideways."""
    from flashdeck.tui.screens.stats import StatsScreen

    app = app_for(collection, now=END)
    async with app.run_test(size=size) as pilot:
        await _home(pilot)
        await pilot.press("t")
        await _settled(pilot)
        assert isinstance(app.screen, StatsScreen)
        lines = screen_text(app).split("\n")
        days = [line for line in lines if line.strip()[:2] in ("Mo", "Tu", "We", "Th", "Fr",
                                                                "Sa", "Su")]
        assert len(days) == 7
        for line in days:  # the day's name and its weeks on one line
            assert len(line.strip()) > 20, line
        body = app.screen.query_one("#stats-body")
        if size[0] < 40:
            assert body.max_scroll_x > 0 and body.show_horizontal_scrollbar
            await pilot.press("right")
            await pilot.pause()
            assert body.scroll_x > 0
        else:
            # at 40 columns the lines were laid out for 40 in a body of 36: the last 4
            # columns of each were out of sight (`Reviews, last 365 days: 1 on 14 da`)
            assert body.max_scroll_x == 0, "\n".join(lines)
            charts = app.screen.query_one("#stats-charts").render().plain
            widest = max(len(line) for line in charts.split("\n"))
            assert widest <= body.scrollable_content_region.width, charts
            text = " ".join(" ".join(lines).split())
            assert re.search(r"Reviews, last 365 days: \d+ on \d+ days", text), text


# a deck name of 200 characters, right-to-left text and emoji in it, and would-be markup
LONG_DECK = ("flashcards/" + "תורת_הלמידה_🧠_مرحبا_[bold]x[/bold]_" * 6)[:200]


@run_async
async def test_a_200_character_deck_name_is_shown_whole_and_the_figures_start_clean(
        collection):
    """The title was one line: at 80 columns it showed "Stats ·" and nothing of the deck,
    and the body, which dropped the figures' first two lines as "the title", began with a
    leftover piece of the wrapped name. Now the title wraps (the whole name, the date)
    and the body begins with the forecast."""
    import sqlite3

    from flashdeck.tui.screens.stats import StatsScreen

    conn = sqlite3.connect(collection)
    conn.execute("UPDATE cards SET deck = ? WHERE deck = ?", (LONG_DECK, HARD))
    conn.commit()
    conn.close()
    app = app_for(collection, now=END)
    async with app.run_test(size=(80, 24)) as pilot:
        await _home(pilot)
        table = app.screen.query_one("#decks")
        table.move_cursor(row=table.get_row_index(LONG_DECK), animate=False)
        await pilot.press("t")
        await _settled(pilot)
        assert isinstance(app.screen, StatsScreen) and app.screen.deck == LONG_DECK
        text = screen_text(app)
        lines = text.split("\n")
        title_end = next(i for i, line in enumerate(lines) if "Forecast:" in line)
        title = "".join(line.strip() for line in lines[:title_end])
        assert LONG_DECK in title and title.endswith("Thursday 2026-10-29")
        assert "[bold]x[/bold]" in text  # the name's brackets are text, not markup
        assert lines[title_end].strip().startswith("Forecast: ")
        assert "Reviews, last 365 days: 336 on 91 days" in text


@run_async
async def test_a_damaged_card_state_is_named_above_the_figures(collection):
    """A card whose state is 'bogus' on disk: the view said "Could not compute the stats:
    KeyError: 'bogus'" and showed nothing; now it names the card and its fix, then draws
    every figure."""
    import sqlite3

    conn = sqlite3.connect(collection)
    conn.execute("PRAGMA ignore_check_constraints = 1")
    card = conn.execute("SELECT min(id) FROM cards WHERE state = 'review'").fetchone()[0]
    conn.execute("UPDATE cards SET state = 'bogus' WHERE id = ?", (card,))
    conn.commit()
    conn.close()
    app = app_for(collection, now=END)
    async with app.run_test(size=(120, 40)) as pilot:
        await _home(pilot)
        await pilot.press("t")
        await _settled(pilot)
        text = screen_text(app)
        assert "Could not compute" not in text
        assert (f"card {card}: its stored schedule is damaged (state = 'bogus'); `flashdeck"
                " doctor --fix` sets it from its review log") in text
        assert "Reviews, last 365 days: 396 on 96 days" in text


@pytest.mark.parametrize("width", [36, 37, 38, 39, 40])
def test_every_figure_fits_a_narrow_body_without_a_row_of_a_chart_cut(collection, width):
    """(`flashdeck stats --plot` on a narrow terminal too.) The calibration rows were 39
    wide: at 36 they would have wrapped, their last column on a line of its own."""
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.stats import compute_stats
    from flashdeck.scheduling.stats_charts import all_lines, calibration_table

    with Collection.open(collection) as col:
        stats = compute_stats(col, Config(), END)
    assert all(len(line) <= width for line in all_lines(stats, width)), width
    rows = calibration_table(stats, width)[2:]  # (its two lines of words: wrapped)
    assert rows[0].split() == ["predicted", "reviews", "said", "recalled"], rows
    assert len(rows) > 3 and all(len(row) <= width for row in rows), rows
