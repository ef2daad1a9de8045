"""The review screen's counts line.

Its progress bar counts cards, as Anki's counts do: the total is the cards done (an answer
took them out of today's queue) and the cards left, and it stays from answer to answer; the
bar fills for the cards done and, half a card each, for those answered but still due today
(a learning step, Again). Before, each answer counted one done and the total was done +
left, so every learning step that came back grew it: `0/3`, then `1/4`, `2/5`, ... for
three new cards; counting only the cards done then left a day of new cards at `0/20` for
~40 answers; counting a card seen as a whole one read `20/20` (full) while every card
still had a step to come today.

It catches up with answers given in another terminal (`flashdeck answer`, a sync) while the
card is on screen: before, it kept counting them as due until the next card."""

from __future__ import annotations

import pytest

from support.tui import SIZE, app_for, card, later, make_collection, run_async, screen_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _line(app) -> str:
    status = app.screen.query_one("#status")
    return screen_text(app).split("\n")[status.region.y]


def _progress(app) -> str:
    return _line(app).split()[-1]


def _capitals(n: int) -> list:
    return [card("basic", f"Capital number {i}?", f"City {i}", 3 + 2 * i) for i in range(n)]


@run_async
async def test_learning_steps_coming_back_never_grow_the_total(tmp_path):
    app = app_for(make_collection(tmp_path / "c.sqlite", _capitals(3)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen = [_progress(app)]
        for _ in range(3):  # each new card Good: its 10-minute step, seen, not done
            await pilot.press("space", "3")
            await pilot.pause()
            seen.append(_progress(app))
        assert seen == ["0/3", "½/3", "1/3", "1½/3"]  # never `3/3` while all three come back
        assert "0 new · 3 learning · 0 review" in _line(app)
        await pilot.press("u")  # the third card's only answer taken back: not seen
        await pilot.pause()
        assert _progress(app) == "1/3"
        assert "1 new · 2 learning · 0 review" in _line(app)
        seen = []
        for _ in range(3):  # the third again, then the first two graduate
            await pilot.press("space", "3")
            await pilot.pause()
            seen.append(_progress(app))
        assert seen == ["1½/3", "2/3", "2½/3"]  # the steps coming back never grow the total
        assert "0 new · 1 learning · 0 review" in _line(app)
        await pilot.press("u")  # a graduation taken back: its card was seen before it
        await pilot.pause()
        assert _progress(app) == "2/3"
        assert "0 new · 2 learning · 0 review" in _line(app)


def _bar_colours(app) -> list[str]:
    """The bar's cells as the user sees them, by the part whose colour each is drawn in:
    `done`, `seen` (lighter) or `rest`."""
    status = app.screen.query_one("#status")
    parts = {"bar--bar": "done", "bar--complete": "done", "bar--seen": "seen"}
    colours = {str(status.get_component_rich_style(name).color): part
               for name, part in parts.items() if name in status.COMPONENT_CLASSES}
    colours[str(status.get_component_rich_style("bar--bar").bgcolor)] = "rest"
    strip = app.screen._compositor.render_strips()[status.region.y]
    return [colours[str(segment.style.color)] for segment in strip for char in segment.text
            if char in "━╸╺"]


@run_async
async def test_the_bar_is_never_full_while_cards_are_left_today(tmp_path):
    """A day of three new cards, each taking two answers (its 10-minute step, then out of
    today's queue): the bar moves from the first answer, the cards seen in a lighter part
    after the cards done, and it is never full before the summary. Before, it read `3/3`,
    full, after three answers with six to go."""
    app = app_for(make_collection(tmp_path / "c.sqlite", _capitals(3)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert set(_bar_colours(app)) == {"rest"} and _progress(app) == "0/3"
        shown = []
        for _ in range(6):
            await pilot.press("space", "3")
            await pilot.pause()
            if type(app.screen).__name__ != "ReviewScreen":
                break
            bar = _bar_colours(app)
            shown.append(_progress(app))
            assert bar[-1] == "rest", bar  # never full while a card is left today
            parts = [part for i, part in enumerate(bar) if i == 0 or bar[i - 1] != part]
            assert parts in (["done", "seen", "rest"], ["seen", "rest"],
                             ["done", "rest"]), parts  # in that order
            assert ("seen" in parts) == ("learning" in _line(app).replace("0 learning", ""))
        assert shown == ["½/3", "1/3", "1½/3", "2/3", "2½/3"]
        assert type(app.screen).__name__ == "SummaryScreen"


@run_async
async def test_a_lapse_keeps_the_card_in_the_total_until_it_is_relearned(tmp_path):
    path = make_collection(tmp_path / "c.sqlite", _capitals(2))
    first = app_for(path)
    async with first.run_test(size=SIZE) as pilot:  # both learned (Easy) the day before
        for _ in range(2):
            await pilot.press("space", "4")
            await pilot.pause()
    app = app_for(path, now=later(60 * 24 * 30))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "0 new · 0 learning · 2 review" in _line(app)
        assert _progress(app) == "0/2"
        await pilot.press("space", "1")  # forgotten: relearning, due again today: seen
        await pilot.pause()
        assert "0 new · 1 learning · 1 review" in _line(app)
        assert _progress(app) == "½/2"
        await pilot.press("u")  # its only answer taken back: not seen
        await pilot.pause()
        assert _progress(app) == "0/2"
        await pilot.press("space", "1")
        await pilot.pause()
        await pilot.press("space", "3")
        await pilot.pause()
        assert _progress(app) == "1½/2"  # one done, one still to relearn today
        await pilot.press("space", "3")  # the relearned card, past its step
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        await pilot.press("u")  # back from the summary: its card relearning, seen
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert _progress(app) == "1½/2"
        assert "0 new · 1 learning · 0 review" in _line(app)


def _answer_elsewhere(path, card_id: int, rating: int = 3) -> None:
    """Another terminal answers a card, as `flashdeck answer` does."""
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    with Collection.open(path) as other:
        Engine(other, Config(fuzz=False)).answer(card_id, rating)


@run_async
async def test_the_counts_catch_up_with_answers_given_in_another_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr("flashdeck.tui.session.ChangeWatch.EVERY", 0.05)
    path = make_collection(tmp_path / "c.sqlite", _capitals(4))
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "4 new · 0 learning · 0 review" in _line(app) and _progress(app) == "0/4"
        shown = app.screen.card.id
        others = [n for n in (1, 2, 3, 4) if n != shown]
        _answer_elsewhere(path, others[0], 4)  # Easy: out of today's queue
        _answer_elsewhere(path, others[1], 3)  # Good: on its learning step
        for _ in range(100):  # at most 5 s: the screen looks every 0.05 s
            if "2 new" in _line(app):
                break
            await pilot.pause(0.05)
        assert "2 new · 1 learning · 0 review" in _line(app)
        assert _progress(app) == "0/3"  # done here: none; left today: three
        assert app.screen.card.id == shown and not app.screen.revealed  # the card stays
        await pilot.press("space", "4")  # this terminal's own answer counts as before
        await pilot.pause()
        assert "1 new · 1 learning · 0 review" in _line(app) and _progress(app) == "1/3"


@run_async
async def test_the_counts_catch_up_with_a_new_day_while_a_card_is_on_screen(tmp_path,
                                                                           monkeypatch):
    """The screen left open over 04:00: the reviews the new day brings are counted."""
    from datetime import datetime, timedelta

    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine
    from support.tui import NOW

    monkeypatch.setattr("flashdeck.tui.session.ChangeWatch.EVERY", 0.05)
    monkeypatch.setenv("TZ", "UTC")
    path = make_collection(tmp_path / "c.sqlite", _capitals(2))
    with Collection.open(path) as col:
        due = Engine(col, Config(fuzz=False), now=lambda: NOW).answer(2, 4).due
    # the last minute of the day before the card's (the day starts at 04:00)
    clock = [datetime(due.year, due.month, due.day, 3, 59, tzinfo=due.tzinfo)]
    app = app_for(path, now=NOW)
    app.session.now = lambda: clock[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 new · 0 learning · 0 review" in _line(app)
        clock[0] += timedelta(minutes=2)  # 04:01: a new scheduling day
        for _ in range(100):
            if "1 review" in _line(app):
                break
            await pilot.pause(0.05)
        assert "1 new · 0 learning · 1 review" in _line(app)


@run_async
async def test_the_deck_list_catches_up_with_answers_given_in_another_terminal(tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr("flashdeck.tui.session.ChangeWatch.EVERY", 0.05)
    path = make_collection(tmp_path / "c.sqlite", _capitals(4))
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        for _ in range(100):
            if "Today: 4 new" in screen_text(app):
                break
            await pilot.pause(0.05)
        assert type(app.screen).__name__ == "HomeScreen"
        _answer_elsewhere(path, 1, 4)
        for _ in range(100):  # at most 5 s: the list looks every 0.05 s
            if "Today: 3 new" in screen_text(app):
                break
            await pilot.pause(0.05)
        assert "Today: 3 new · 0 learning · 0 review" in screen_text(app)
