"""The summary's "Later today" in the hour the clocks go back over: the next card's time
carries its offset, so 10 minutes after 02:55 CEST does not read as 02:05, 50 minutes ago."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from support.tui import SIZE, app_for, make_collection, run_async, screen_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FIRST_PASS = "2026-10-25T02:55:00+02:00"  # Europe/Berlin: 02:00-03:00 comes twice


@pytest.fixture(autouse=True)
def _berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("FLASHDECK_NOW", FIRST_PASS)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@run_async
async def test_the_next_card_in_the_second_pass_is_named_with_its_offset(tmp_path: Path):
    collection = make_collection(tmp_path / "c.sqlite")
    app = app_for(collection, now=datetime.fromisoformat(FIRST_PASS))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("space", "3")  # good: its 10-minute step, due 02:05 CET
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        text = screen_text(app)
        assert "Later today          1 card (the next at 02:05 +01:00)" in text


def test_an_ordinary_time_has_no_offset() -> None:
    from zoneinfo import ZoneInfo

    from flashdeck.scheduling.upcoming import clock_time

    berlin = ZoneInfo("Europe/Berlin")
    assert clock_time(datetime.fromisoformat("2026-10-25T01:05:00+00:00"), berlin) == \
        "02:05 +01:00"
    assert clock_time(datetime.fromisoformat("2026-10-25T00:05:00+00:00"), berlin) == \
        "02:05 +02:00"
    assert clock_time(datetime.fromisoformat("2026-10-25T03:05:00+00:00"), berlin) == "04:05"
    assert clock_time(datetime.fromisoformat("2026-03-29T01:05:00+00:00"), berlin) == "03:05"
