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


async def _summary_rows(tmp_path, answers: int) -> tuple[list[str], str]:
    """The rows of the session summary at 40×12, and its body's text, after `answers`
    answers (Easy) to a collection of 20 new cards."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("basic", f"Which port does service {i} use?", f"Port {8000 + i}", 3 + 2 * i)
        for i in range(20)]))
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        for _ in range(answers):
            await pilot.press("space", "4")
        await pilot.press("q")
        await until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
        await pilot.pause()
        body = app.screen.query_one("#summary-body")
        return screen_text(app).split("\n"), body.content.plain


@run_async
async def test_the_summary_keeps_each_count_with_its_word_at_40x12(tmp_path):
    rows, body = await _summary_rows(tmp_path, 4)
    text = "\n".join(rows)
    assert re.search(r"16 new", text), text
    for word in ("learning", "review"):
        assert re.search(rf"\b\d+ {word}\b", text), text  # on one row
    assert "\xa0" not in body  # what a copy takes reads as it should


@pytest.mark.parametrize("width", range(31, 42))
def test_a_value_column_past_half_the_width_is_kept_while_its_words_fit(width):
    # at 40×12 the summary's body is ~34 cells and its values start at 21: the counts
    # went on at 17 (half the width), four cells left of the value they continue
    rows = wrap_hanging(COUNTS, width, column=21)
    assert len(rows) > 1 and [indent for indent, _, _ in rows[1:]] == [21] * (len(rows) - 1)
    assert all(indent + end - start <= width for indent, start, end in rows)


def test_a_value_column_with_no_room_for_its_words_still_gives_way():
    # (`0 learning` needs 10 cells: from 21 on, a line of 30 has 9)
    rows = wrap_hanging(COUNTS, 30, column=21)
    assert [indent for indent, _, _ in rows[1:]] == [15] * (len(rows) - 1)
    assert [COUNTS[a:b] for _, a, b in rows] == ["Still due today      16 new ·",
                                                  "0 learning ·", "0 review"]


@run_async
async def test_the_summary_s_counts_go_on_under_their_value_at_40x12(tmp_path):
    rows, _ = await _summary_rows(tmp_path, 0)
    first = next(i for i, row in enumerate(rows) if "Still due today" in row)
    column = rows[first].index("20 new")
    following = rows[first + 1:first + 3]
    assert [row.find("learning") - 2 for row in following[:1]] == [column], rows
    for row in following:  # the value's lines, each at its column
        assert row[:column].strip(" │") == "" and row[column] != " ", rows
