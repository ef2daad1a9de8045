"""A grade typed before its answer was on screen, when that answer was slow to draw.

A card whose answer is a 1,000-row table took seconds to draw: Space, then Space again (or
`3`) while nothing seemed to happen, graded the card Good, its answer never seen. Such a
key is now dropped, with the bell and a notice, when drawing the answer took
`ANSWER_SEEN_AFTER` of work or more; the grade typed once the answer is on screen is taken.
An answer drawn at once keeps a fast typist's keys (`tests/tui/test_tui_daily_loop.py`).

The slow answer is made deterministic: the back's drawing does a fixed amount of work (CPU
time, which the rule measures) before it draws, whatever the machine's load."""

from __future__ import annotations

import contextlib
import time

import pytest
from textual import events

from support.tui import (app_for, card, make_collection, reviews, run_async, screen_text,
                         standard_cards)

SIZE = (80, 24)
UNSEEN = "was not taken"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _slow_answers(monkeypatch, work: float) -> None:
    """Each answer's drawing does `work` seconds of CPU time first (a huge table's)."""
    from flashdeck.tui.screens import review
    from flashdeck.tui.widgets import CardSide

    assert work > review.ANSWER_SEEN_AFTER
    show = CardSide.show

    async def slow_show(self, markdown):
        if self.id == "back":
            start = time.thread_time()  # the screen thread's, as the rule measures
            while time.thread_time() - start < work:
                pass
        await show(self, markdown)

    monkeypatch.setattr(CardSide, "show", slow_show)



@contextlib.asynccontextmanager
async def _slow_review(monkeypatch, path):
    """The review screen at SIZE on the collection at `path`, each answer drawn slowly
    (1.3 s of CPU time), its first card on screen: (app, pilot, path)."""
    _slow_answers(monkeypatch, 1.3)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        yield app, pilot, path

def _burst(app, keys: list[tuple[str, str | None]]) -> None:
    """Keys typed before the app has handled the first (as in the daily-loop tests)."""
    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)


def _bells(app) -> list[int]:
    rung: list[int] = []
    bell = app.bell

    def counted() -> None:
        rung.append(1)
        bell()

    app.bell = counted
    return rung


async def _settle(pilot, done) -> None:
    for _ in range(100):  # bounded: until the keys are handled
        await pilot.pause()
        if done():
            break


def _said(app) -> bool:
    """The notice of a grade not taken is on screen (a toast: drawn a frame or two after
    the bell)."""
    return UNSEEN in " ".join(screen_text(app).split())


def _two_cards(tmp_path):
    return make_collection(tmp_path / "c.sqlite", [
        card("question", "What does the confusion matrix of model A look like?",
             "Rows are the true classes, columns the predicted ones.", 10),
        card("basic", "Is Dice the same as F1?", "Yes: on binary masks Dice = F1.", 40)])


@pytest.mark.parametrize("key, character", [("space", " "), ("enter", None), ("1", "1"),
                                            ("2", "2"), ("3", "3"), ("4", "4")])
@run_async
async def test_a_key_typed_while_a_slow_answer_is_drawn_does_not_grade_it(
        tmp_path, monkeypatch, key, character):
    async with _slow_review(monkeypatch, _two_cards(tmp_path)) as (app, pilot, path):
        first = app.screen.card.id
        rung = _bells(app)
        _burst(app, [("space", " "), (key, character)])
        await _settle(pilot, lambda: app.screen.revealed and rung)
        await _settle(pilot, lambda: _said(app))
        text = screen_text(app)
        assert reviews(path) == [], text  # the unseen answer is not graded
        assert app.screen.card.id == first and app.screen.revealed
        assert "Rows are the true classes" in text  # ... it is on screen now
        assert UNSEEN in " ".join(text.split()), text  # said, with the bell
        assert rung == [1]
        await pilot.press("2")  # graded once read
        await _settle(pilot, lambda: reviews(path))
    assert reviews(path) == [(first, 2)]


@run_async
async def test_keys_typed_before_a_slow_answer_are_all_dropped_and_said_once(tmp_path,
                                                                             monkeypatch):
    """Space pressed four more times while nothing seemed to happen: no grade, one notice,
    a bell for each."""
    async with _slow_review(monkeypatch, _two_cards(tmp_path)) as (app, pilot, path):
        rung = _bells(app)
        _burst(app, [("space", " ")] * 5)
        await _settle(pilot, lambda: len(rung) == 4)
        await _settle(pilot, lambda: _said(app))
        text = " ".join(screen_text(app).split())
        assert reviews(path) == []
        assert rung == [1] * 4
        assert text.count(UNSEEN) == 1, text
        await pilot.press("space")  # Good, the answer read
        await _settle(pilot, lambda: reviews(path))
    assert [rating for _, rating in reviews(path)] == [3]


@run_async
async def test_keys_typed_after_a_slow_answer_is_on_screen_grade_it(tmp_path, monkeypatch):
    """The rule drops only what came before the answer was drawn: a slow answer, once on
    screen, is graded by the next key at once, with no bell."""
    async with _slow_review(monkeypatch, _two_cards(tmp_path)) as (app, pilot, path):
        first = app.screen.card.id
        rung = _bells(app)
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.revealed and "Rows are the true classes" in screen_text(app)
        await pilot.press("4")
        await _settle(pilot, lambda: reviews(path))
        assert rung == []
        assert UNSEEN not in " ".join(screen_text(app).split())
    assert reviews(path) == [(first, 4)]


def _exercise_first(tmp_path):
    exercise = [c for c in standard_cards() if c.kind == "exercise"][0]
    basic = card("basic", "Is Dice the same as F1?", "Yes: on binary masks Dice = F1.", 40)
    return make_collection(tmp_path / "c.sqlite", [exercise, basic])


@pytest.mark.parametrize("after", [("1", "1"), ("enter", None)])
@run_async
async def test_a_grade_typed_right_after_an_exercise_check_waits_for_a_slow_working(
        tmp_path, monkeypatch, after):
    """`3/4` Enter `1` (or Enter: the suggested grade) in one burst, the working slow to
    draw: the answer is checked (Enter in the box is the answer, not a grade), the grade
    typed before the working was on screen is not taken."""
    async with _slow_review(monkeypatch, _exercise_first(tmp_path)) as (app, pilot, path):
        box = app.screen.query_one("#answer")
        assert app.screen.focused is box
        rung = _bells(app)
        _burst(app, [("3", "3"), ("slash", "/"), ("4", "4"), ("enter", None), after])
        await _settle(pilot, lambda: app.screen.revealed and rung)
        await _settle(pilot, lambda: _said(app))
        text = " ".join(screen_text(app).split())
        assert box.value == "3/4" and app.screen.graded and app.screen.revealed
        assert reviews(path) == [], text
        assert UNSEEN in text, text
        await pilot.press("1")
        await _settle(pilot, lambda: reviews(path))
    assert reviews(path) == [(1, 1)]
