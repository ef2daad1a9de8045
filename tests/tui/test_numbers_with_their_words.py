"""A number is never split from the word it counts: at 40×12 the session summary's
`16 new · 0 learning · 0 review` wrapped inside `0 learning` (`0` at the end of one line,
`learning` under it). The text stays plain: no no-break space the user would copy."""

from __future__ import annotations

import re

import pytest
from textual.content import Content

from flashdeck.tui.wrapping import hanging_content, wrap_hanging
from support.tui import NOW_ISO, app_for, card, make_collection, run_async, screen_text, until


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


COUNTS = "Still due today      16 new · 0 learning · 0 review"


@pytest.mark.parametrize("width", range(20, 60))  # (from 20: room for `0 learning`)
def test_a_count_and_its_word_stay_on_one_line(width):
    lines = [text.plain for text in hanging_content(Content(COUNTS), width, column=21)]
    assert " ".join(" ".join(lines).split()) == " ".join(COUNTS.split())  # nothing lost
    for pair in ("16 new", "0 learning", "0 review"):
        assert any(pair in line for line in lines), (pair, lines)
    assert all(len(line) <= width for line in lines), lines


def test_a_count_and_its_word_too_wide_for_the_line_still_break():
    """Only where the two alone do not fit the line they part (never a lost word)."""
    rows = wrap_hanging("12345 learning", 8, hang=0)
    assert [("12345 learning"[a:b]) for _, a, b in rows] == ["12345", "learning"]


def test_only_a_number_before_a_word_holds_on():
    lines = [line.plain for line in hanging_content(Content("Again a · Hard 1 · Good 2 x"), 12)]
    assert lines == ["Again a ·", "  Hard 1 ·", "  Good 2 x"], lines


@run_async
async def test_the_summary_keeps_each_count_with_its_word_at_40x12(tmp_path):
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("basic", f"Which port does service {i} use?", f"Port {8000 + i}", 3 + 2 * i)
        for i in range(20)]))
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        for _ in range(4):
            await pilot.press("space", "4")
        await pilot.press("q")
        await until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
        await pilot.pause()
        rows = screen_text(app).split("\n")
        text = "\n".join(rows)
        assert re.search(r"16 new", text), text
        for word in ("learning", "review"):
            assert re.search(rf"\b\d+ {word}\b", text), text  # on one row
        body = app.screen.query_one("#summary-body")
        assert "\xa0" not in body.content.plain  # what a copy takes reads as it should
