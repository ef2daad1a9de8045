"""A layout pass of the answer box (`input_into_view`: a resize's refit, a focus) that ran
while the session's first exercise panel was mounted but its parts (the box, the hint under
it) were not yet ended the review with a traceback: `NoMatches: '#answer-hint'`. Found by
random bursts of keys and resizes on main (seed 11 of 40; the moment depends on the
machine's timing, so this test puts the panel in that state itself)."""

from __future__ import annotations

import pytest

from support.tui import app_for, card, laid_out, make_collection, run_async, screen_text


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@run_async
async def test_a_layout_pass_before_the_exercise_s_parts_are_built_is_no_crash(tmp_path):
    from flashdeck.tui.answer_parts import ExercisePanel
    from flashdeck.tui.widgets import once_laid_out

    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("basic", "Is Dice the same as F1?", "Yes, on binary masks.", 3)]))
    async with app.run_test(size=(60, 20)) as pilot:
        await laid_out(pilot)
        screen = app.screen
        panel = ExercisePanel(id="exercise")  # as `ReviewScreen._exercise_panel` mounts it
        await screen.query_one("#card").mount(panel, after="#front")
        assert panel.input_into_view() is None  # nothing to bring into view yet
        once_laid_out(panel, panel.input_into_view)  # (as a refit runs it)
        await laid_out(pilot)
        assert app.is_running and app.crash is None
        assert "Is Dice the same as F1?" in screen_text(app)
