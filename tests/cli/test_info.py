"""`flashdeck info` and `i` on the review screen: one card's state, memory, recall now and
history; `log` in local time (PRODUCT.md §4, §5)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from support.notes import geo_collection, write_note
from support.tui import (F1_EXERCISE, HOSTILE, NOW, SIZE, app_for, card, make_collection,
                              run_async, screen_text, standard_cards)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY1 = "2026-11-24T09:00:00+01:00"  # local time one hour ahead of UTC
JSON_KEYS = {"id", "deck", "note", "line", "kind", "front", "back", "state", "due", "suspended",
             "buried", "buried_until", "leech", "orphaned", "stability", "difficulty",
             "retrievability", "last_review", "reps", "lapses", "history"}
REVIEW_KEYS = {"id", "card", "time", "rating", "duration_ms", "state_before", "state_after",
               "due", "interval", "deck"}
LOCAL_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d ")


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.delenv("TZ", raising=False)  # local time: FLASHDECK_NOW's offset
    monkeypatch.setenv("FLASHDECK_NOW", DAY1)


@pytest.fixture
def col(cli, tmp_path) -> Path:
    return geo_collection(cli, tmp_path)


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("FLASHDECK_NOW", moment)


def three_answers(cli, col, monkeypatch) -> None:
    """Card 1: good on day 1 (learning), good 10 minutes later (review), good two days on."""
    for moment in (DAY1, "2026-11-24T09:11:00+01:00", "2026-11-26T20:30:00+01:00"):
        at(monkeypatch, moment)
        assert cli("--collection", col, "answer", "1", "good").code == 0


# -- the command ------------------------------------------------------------------------------
def test_info_of_a_new_card(cli, col):
    result = cli("--collection", col, "info", "1")
    assert result.code == 0, result.err
    out = result.out
    assert out.splitlines()[0] == "#1  flashcards · geo"
    assert re.search(r"front  Capital of France$", out, re.M)
    assert re.search(r"note  .*geo\.md:3$", out, re.M)
    assert re.search(r"state  new$", out, re.M)
    assert re.search(r"recall now  — \(new\)$", out, re.M)
    assert out.rstrip().endswith("no reviews yet")

    data = cli("--collection", col, "info", "1", "--json").json
    assert set(data) == JSON_KEYS
    assert (data["state"], data["due"], data["stability"], data["difficulty"],
            data["retrievability"], data["reps"], data["history"]) == (
        "new", None, None, None, None, 0, [])


def test_info_after_three_answers_on_different_days(cli, col, monkeypatch):
    three_answers(cli, col, monkeypatch)
    at(monkeypatch, "2026-11-27T09:00:00+01:00")
    result = cli("--collection", col, "info", "1")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    history = [line.strip() for line in lines if LOCAL_TIME.match(line.strip())]
    # local time with its offset, the rating, the interval it gave, state before → after
    assert [h.split()[:5] for h in history] == [
        ["2026-11-24", "09:00", "+01:00", "good", "10m"],
        ["2026-11-24", "09:11", "+01:00", "good", history[1].split()[4]],
        ["2026-11-26", "20:30", "+01:00", "good", history[2].split()[4]]]
    assert history[0].endswith("new → learning")
    assert history[1].endswith("learning → review")
    assert history[2].endswith("review → review")
    assert re.search(r"state  review$", result.out, re.M)
    assert re.search(r"reviews  3 · lapses 0$", result.out, re.M)
    assert re.search(r"due  2026-1[12]-\d\d \d\d:\d\d \+01:00 \(in \d+d\)$", result.out, re.M)

    data = cli("--collection", col, "info", "1", "--json").json
    assert set(data) == JSON_KEYS
    assert [(r["rating"], r["state_before"], r["state_after"]) for r in data["history"]] == [
        ("good", "new", "learning"), ("good", "learning", "review"),
        ("good", "review", "review")]
    assert [set(r) for r in data["history"]] == [REVIEW_KEYS] * 3
    assert [r["time"] for r in data["history"]] == [
        "2026-11-24T09:00:00+01:00", "2026-11-24T09:11:00+01:00", "2026-11-26T20:30:00+01:00"]
    assert data["history"][0]["interval"] == "10m"
    assert data["due"].endswith("+01:00") and data["last_review"] == "2026-11-26T20:30:00+01:00"
    assert data["stability"] > 0 and 1 <= data["difficulty"] <= 10

    # the probability of recall now: between 0 and 1, falling as the days pass
    recall = []
    for day in ("2026-11-28", "2026-12-05", "2027-01-20", "2027-11-20"):
        at(monkeypatch, f"{day}T09:00:00+01:00")
        recall.append(cli("--collection", col, "info", "1", "--json").json["retrievability"])
    assert all(0 < r < 1 for r in recall)
    assert recall == sorted(recall, reverse=True) and len(set(recall)) == 4
    text = cli("--collection", col, "info", "1").out
    assert re.search(rf"recall now  {recall[-1]:.1%}$", text, re.M)


def test_due_in_counts_the_days_answer_said(cli, col, monkeypatch):
    """Answered at 20:30 with a review interval of N days, the card is due at 04:00 N
    scheduling days later: `info` right after says "in Nd" as `answer` did (not N - 1, the
    24-hour periods); the evening before, "in 1d"; two days late, "2d ago"."""
    for moment in (DAY1, "2026-11-24T09:11:00+01:00"):
        at(monkeypatch, moment)
        assert cli("--collection", col, "answer", "1", "good").code == 0
    at(monkeypatch, "2026-11-26T20:30:00+01:00")
    said = cli("--collection", col, "answer", "1", "good").out
    days = int(re.search(r"due in (\d+)d$", said.strip()).group(1))
    assert days >= 2
    due = cli("--collection", col, "info", "1", "--json").json["due"]
    assert due.endswith("04:00:00+01:00")
    assert re.search(rf"\(in {days}d\)$", cli("--collection", col, "info", "1").out, re.M)
    from datetime import datetime

    day = datetime.fromisoformat(due)
    at(monkeypatch, (day - timedelta(hours=8)).isoformat())  # 20:00 the evening before
    assert re.search(r"\(in 1d\)$", cli("--collection", col, "info", "1").out, re.M)
    at(monkeypatch, (day + timedelta(days=2, hours=5)).isoformat())
    assert re.search(r"\(2d ago\)$", cli("--collection", col, "info", "1").out, re.M)


def test_flags_show_suspended_and_buried(cli, col, monkeypatch):
    cli("--collection", col, "suspend", "1")
    cli("--collection", col, "bury", "2")
    assert re.search(r"flags  suspended$", cli("--collection", col, "info", "1").out, re.M)
    out = cli("--collection", col, "info", "2").out
    assert re.search(r"flags  buried until 2026-11-25 04:00 \+01:00$", out, re.M)
    data = cli("--collection", col, "info", "2", "--json").json
    assert (data["buried"], data["buried_until"], data["suspended"]) == (
        True, "2026-11-25T04:00:00+01:00", False)
    at(monkeypatch, "2026-11-25T09:00:00+01:00")  # a new day: no longer buried
    assert cli("--collection", col, "info", "2", "--json").json["buried"] is False


@pytest.mark.parametrize("args, message", [
    (["info", "999"], "no card with id 999"),
    (["info", "999", "--json"], "no card with id 999"),
    (["info", "abc"], "not a card id"),
])
def test_an_unknown_card_is_one_line_and_exit_2(cli, col, args, message):
    result = cli("--collection", col, *args)
    assert (result.code, result.out) == (2, "")
    assert message in result.err and len(result.err.strip().splitlines()) == 1


def test_no_collection_is_exit_2_and_creates_nothing(cli, tmp_path):
    missing = tmp_path / "nowhere" / "c.sqlite"
    for args in (["info", "1"], ["info", "1", "--json"]):
        result = cli("--collection", missing, *args)
        assert result.code == 2 and f"no collection at {missing}" in result.err
    assert not missing.parent.exists()


def test_malformed_clock_is_a_usage_error(cli, col, monkeypatch):
    at(monkeypatch, "tomorrow")
    for command in (["info", "1"], ["log"]):
        result = cli("--collection", col, *command)
        assert result.code == 2 and "FLASHDECK_NOW" in result.err
        assert "Traceback" not in result.err


def test_hostile_front_is_shown_literally_and_drives_nothing(cli, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "evil.md", "#flashcards\n\n[bold]x[/] \x1b[31mred [@click=app.quit]y::back\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    cli("--collection", col, "answer", "1", "good")
    for command in (["info", "1"], ["log"]):
        out = cli("--collection", col, *command).out
        assert "[bold]x[/] ␛[31mred [@click=app.quit]y" in out, command
        assert "\x1b" not in out
    assert cli("--collection", col, "info", "1", "--json").json["front"] == \
        "[bold]x[/] \x1b[31mred [@click=app.quit]y"


def test_info_and_log_load_no_tui_and_no_renderer(col, tmp_path):
    import json
    import subprocess
    import sys

    code = ("import io, json, sys, contextlib\n"
            "from flashdeck.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    codes = [main(['--collection', {str(col)!r}, *c]) for c in "
            "(['info', '1'], ['info', '1', '--json'], ['log'])]\n"
            "print(json.dumps([codes, [m for m in ('textual', 'rich', 'flashdeck.tui') "
            "if m in sys.modules]]))\n")
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "FLASHDECK_NOW": DAY1,
           "FLASHDECK_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, timeout=120, env=env)
    assert json.loads(done.stdout) == [[0, 0, 0], []]


# -- log in local time ----------------------------------------------------------------------------
def test_log_shows_local_time_with_its_offset(cli, col, monkeypatch):
    three_answers(cli, col, monkeypatch)
    lines = cli("--collection", col, "log").out.splitlines()
    assert [line[:23] for line in lines] == [
        "2026-11-24 09:00 +01:00", "2026-11-24 09:11 +01:00", "2026-11-26 20:30 +01:00"]
    assert "card     1  good    10m         new → learning" in lines[0]
    assert lines[0].endswith("Capital of France")
    log = cli("--collection", col, "log", "--json").json
    assert [e["time"] for e in log] == [
        "2026-11-24T09:00:00+01:00", "2026-11-24T09:11:00+01:00", "2026-11-26T20:30:00+01:00"]
    assert [set(e) for e in log] == [REVIEW_KEYS] * 3
    # the same line as `info` gives for the review (one function formats both)
    info = cli("--collection", col, "info", "1").out
    assert "2026-11-24 09:00 +01:00  good    10m         new → learning" in info
    # another offset, the same moments
    at(monkeypatch, "2026-11-27T09:00:00-05:00")
    assert cli("--collection", col, "log", "--json").json[0]["time"] == \
        "2026-11-24T03:00:00-05:00"
    assert cli("--collection", col, "log").out.startswith("2026-11-24 03:00 -05:00")


def test_log_and_info_give_each_moment_its_own_offset_in_a_time_zone(cli, col, monkeypatch):
    from flashdeck.clock import local_tz

    monkeypatch.setenv("TZ", "Europe/Berlin")
    if getattr(local_tz(), "key", None) != "Europe/Berlin":
        pytest.skip("the clock does not read TZ")
    for moment in ("2026-10-24T09:00:00+02:00", "2026-10-26T09:00:00+01:00"):
        at(monkeypatch, moment)
        assert cli("--collection", col, "answer", "2", "good").code == 0
    assert [line[:23] for line in cli("--collection", col, "log").out.splitlines()] == [
        "2026-10-24 09:00 +02:00", "2026-10-26 09:00 +01:00"]  # summer time, then winter
    history = cli("--collection", col, "info", "2", "--json").json["history"]
    assert [r["time"] for r in history] == ["2026-10-24T09:00:00+02:00",
                                             "2026-10-26T09:00:00+01:00"]


# -- the review screen ----------------------------------------------------------------------------
SMALL = (80, 24)


@pytest.fixture
def _tui_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _answered(path: Path, card_id: int, days: int) -> None:
    """`days` answers of the card, one a day, ending a month before the app's now."""
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    moment = NOW - timedelta(days=400)
    with Collection.open(path) as col:
        for n in range(days):
            Engine(col, Config(fuzz=False), now=lambda: moment).answer(card_id, 3 if n % 5 else 1)
            moment += timedelta(days=3)


def _fits(app) -> list[str]:
    lines = screen_text(app).splitlines()
    assert len(lines) <= SMALL[1] and all(len(line) <= SMALL[0] for line in lines)
    return lines


@run_async
async def test_i_opens_the_card_info_and_escape_closes_it_at_80x24(tmp_path, _tui_clock):
    path = make_collection(tmp_path / "c.sqlite")
    _answered(path, 1, 14)
    app = app_for(path)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "InfoScreen"
        text = "\n".join(_fits(app))
        assert "#1  flashcards/ml/metrics · F1 Score › Metrics" in text
        assert "front  What does the F1 score measure?" in text
        assert "History (14 reviews)" in text
        assert "2025-10-20 09:00 +00:00  again    1m         new → learning" in text
        assert "Escape or i closes" in text  # the keys stay in view
        last = f"{NOW - timedelta(days=400 - 3 * 13):%Y-%m-%d} 09:00 +00:00  good"
        assert last not in text  # the last review: below, to scroll to
        await pilot.press("end")
        await pilot.pause()
        assert last in "\n".join(_fits(app))
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "InfoScreen"
        await pilot.press("i")  # i closes it too
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        await pilot.press("space")  # the review goes on as before
        await pilot.pause()
        assert "The harmonic mean of precision and recall." in screen_text(app)


@run_async
async def test_i_works_in_an_exercise_answer_box(tmp_path, _tui_clock):
    cards = [c for c in standard_cards() if c.kind == "exercise"]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press(*"3/4")
        answer = app.screen.query_one("#answer")
        assert app.screen.focused is answer
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "InfoScreen"
        text = "\n".join(_fits(app))
        assert "kind  exercise" in text and "front  Dice score of the cat mask" in text
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert app.screen.focused is answer and answer.value == "3/4"  # nothing typed
        await pilot.press("enter")
        await pilot.pause()
        assert "✓ Right" in screen_text(app)


@run_async
async def test_an_i_in_the_exercises_unit_is_typed(tmp_path, _tui_clock):
    template = F1_EXERCISE.replace("answer:", "unit: min\nanswer:")
    cards = [card("exercise", "Dice in minutes", template, 50, exercise="cat-dice")]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press(*"3/4 mi")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert app.screen.query_one("#answer").value == "3/4 mi"


@run_async
async def test_hostile_card_text_in_the_info_screen_is_literal(tmp_path, _tui_clock):
    cards = [card("basic", HOSTILE, "back", 3, deck="flashcards/[bold]deck",
                  breadcrumb=("[@click=app.quit]heading",))]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        text = screen_text(app)
        assert "front  [bold red]x[/] [@click=app.quit]y[/] list[int] x[/]y ␛[31mred" in text
        assert "#1  flashcards/[bold]deck · F1 Score › [@click=app.quit]heading" in text
        await pilot.click("#info-fields", offset=(30, 0))  # on the would-be action link
        await pilot.pause()
        assert app.is_running and type(app.screen).__name__ == "InfoScreen"
        assert "\x1b" not in app.export_screenshot()
