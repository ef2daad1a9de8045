"""SVG snapshots of the screens (pytest-textual-snapshot): fixed clock, size and timer.

Update after a deliberate change with `--snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_tui_support import NOW_ISO, SIZE, app_for, make_collection, standard_cards


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def app(tmp_path: Path):
    return app_for(make_collection(tmp_path / "c.sqlite"))


async def _settled(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_home_screen(app, snap_compare):
    async def to_home(pilot):
        await pilot.press("escape")
        await _settled(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=to_home)


def test_question(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE)


def test_revealed_answer_with_previews(app, snap_compare):
    assert snap_compare(app, press=["space"], terminal_size=SIZE)


def test_cloze_revealed(tmp_path, snap_compare):
    cards = [c for c in standard_cards() if c.kind == "cloze"]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    assert snap_compare(app, press=["space"], terminal_size=SIZE)


def test_exercise_graded(tmp_path, snap_compare):
    cards = [c for c in standard_cards() if c.kind == "exercise"]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    assert snap_compare(app, press=["3", "/", "4", "enter"], terminal_size=SIZE)


def test_help_screen(app, snap_compare):
    assert snap_compare(app, press=["question_mark"], terminal_size=SIZE)


def test_summary(app, snap_compare):
    assert snap_compare(app, press=["space", "1", "space", "3", "q"], terminal_size=SIZE)
