"""The review screen's counts and progress bar count a reversed pair once: one side is
asked today, the other held back. Before, the header said `3 new` and `0/3` for a pair and
a basic card, then jumped to `1 new` and `1/2` after the first answer."""

from __future__ import annotations

import pytest

from support.tui import SIZE, app_for, card, make_collection, reviews, run_async

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _status(app) -> tuple[str, str]:
    status = app.screen.query_one("#status")
    return status.counts.plain, status.progress


@run_async
async def test_the_header_counts_a_reversed_pair_once_and_never_jumps(tmp_path):
    cards = [card("reversed", "Precision", "TP / (TP + FP)", 10, block="L10", ordinal=0),
             card("reversed", "TP / (TP + FP)", "Precision", 10, block="L10", ordinal=1),
             card("basic", "Recall?", "TP / (TP + FN)", 20)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert _status(app) == ("2 new · 0 learning · 0 review", "0/2")
        await pilot.press("space", "4")
        await pilot.pause()
        assert _status(app) == ("1 new · 0 learning · 0 review", "1/2")
        await pilot.press("u")  # undo: the pair is today's again, still once
        await pilot.pause()
        assert _status(app) == ("2 new · 0 learning · 0 review", "0/2")
        await pilot.press("space", "4")
        await pilot.pause()
        await pilot.press("space", "4")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
    assert len(reviews(path)) == 2
