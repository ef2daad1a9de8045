"""The deck list as the app's first screen (nothing due, or the first run's demo) has its own
styles: Textual loads a screen's CSS when it is pushed or switched to, not for the app's
default screen, and `flashdeck review` with nothing due opened on a deck list with no border
and no padding, its deck names cut to "All" and "fl"."""

from __future__ import annotations

import asyncio

import pytest

from support.tui import SIZE, app_for, card, laid_out, make_collection, run_async, screen_text
from test_demo import DEMO_NOTE, fresh_home  # noqa: F401 (a fixture)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _styled(text: str) -> None:
    lines = text.split("\n")
    assert any(line.startswith("  flashdeck") for line in lines), text  # its padding
    assert any(line.strip().startswith("╭") for line in lines), text  # the table's border
    assert "All decks" in text, text


@run_async
async def test_the_deck_list_opened_with_nothing_due_is_styled(tmp_path):
    path = make_collection(tmp_path / "c.sqlite", [
        card("basic", "Capital of Peru?", "Lima", 3, deck="flashcards/geography")])
    async with app_for(path).run_test(size=SIZE) as pilot:
        await pilot.press("space", "4")  # answered Easy: nothing due for days
    app = app_for(path)  # `flashdeck review` again
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await laid_out(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        _styled(screen_text(app))


@run_async
async def test_the_first_runs_deck_list_is_styled(fresh_home, tmp_path):
    bundled = tmp_path / "cards"
    bundled.mkdir()
    (bundled / "Demo.md").write_text(DEMO_NOTE, encoding="utf-8")
    from flashdeck.paths import review_collection

    path, demo = review_collection(None)
    app = app_for(path, bundled=bundled, demo=demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for _ in range(400):
            await pilot.pause()
            if type(app.screen).__name__ == "ReviewScreen":
                break
            await asyncio.sleep(0.01)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await laid_out(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        _styled(screen_text(app))
