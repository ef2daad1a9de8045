"""A learning step of a day or more (`learning_steps = ["10m", "1d"]`) ends on the next
scheduling day on the days the clocks change too: a day is 23 or 25 hours long there, and
24 hours from a time near the day's start is on the same day or the day after next."""

from __future__ import annotations

import os
from pathlib import Path

from support.notes import write_note


def _setup(cli, tmp_path: Path, monkeypatch, now: str) -> Path:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    Path(os.environ["FLASHDECK_CONFIG"]).write_text('learning_steps = ["10m", "1d"]\n',
                                                    encoding="utf-8")
    vault = tmp_path / "vault"
    write_note(vault, "Clocks.md", "---\ntags: [flashcards]\n---\n\n# Clocks\n\n"
               "Summer time ends in the EU on::the last Sunday of October\n"
               "Summer time starts in the EU on::the last Sunday of March\n")
    col = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_NOW", now)
    assert cli("--collection", col, "import", vault).code == 0
    return col


def _at(monkeypatch, now: str) -> None:
    monkeypatch.setenv("FLASHDECK_NOW", now)


def test_a_day_step_answered_on_the_25_hour_days_morning_is_not_back_the_same_day(
        cli, tmp_path, monkeypatch) -> None:
    # Saturday 24 October 2026, 04:30 CEST: the scheduling day runs to Sunday 04:00 CET,
    # 24.5 hours; 24 hours later is 03:30 CET on Sunday, still Saturday's day
    col = _setup(cli, tmp_path, monkeypatch, "2026-10-24T04:30:00+02:00")
    card = cli("--collection", col, "next", "--json").json["card"]
    answered = cli("--collection", col, "answer", card["id"], "good", "--json").json
    assert answered["state"] == "learning" and answered["interval"] == "1d"
    assert answered["due"] == "2026-10-25T04:00:00+01:00"
    _at(monkeypatch, "2026-10-24T04:40:00+02:00")
    shown = cli("--collection", col, "next", "--json").json["card"]
    assert shown["id"] != card["id"]  # the other card, new; not this one again
    _at(monkeypatch, "2026-10-25T03:45:00+01:00")  # the last minutes of Saturday's day
    assert cli("--collection", col, "due", "--json").json["total"]["learning"] == 0
    _at(monkeypatch, "2026-10-25T04:00:00+01:00")  # Sunday's day: due all of it
    assert cli("--collection", col, "due", "--json").json["total"]["learning"] == 1
    assert cli("--collection", col, "next", "--json").json["card"]["id"] == card["id"]
    assert "every card agrees" in cli("--collection", col, "doctor").out


def test_a_day_step_answered_before_the_23_hour_days_start_is_due_the_next_day(
        cli, tmp_path, monkeypatch) -> None:
    # Saturday 28 March 2026, 03:30 CET is still Friday's scheduling day; 24 hours later
    # is 04:30 CEST on Sunday, the day after next. The step ends on Saturday's day.
    col = _setup(cli, tmp_path, monkeypatch, "2026-03-28T03:30:00+01:00")
    card = cli("--collection", col, "next", "--json").json["card"]
    answered = cli("--collection", col, "answer", card["id"], "good", "--json").json
    # on Saturday's day (from 04:00 CET); not before hard's 12 hours (buttons in order)
    assert answered["due"] == "2026-03-28T15:35:00+01:00"
    _at(monkeypatch, "2026-03-28T23:00:00+01:00")  # Saturday's day, late
    assert cli("--collection", col, "due", "--json").json["total"]["learning"] == 1
    assert cli("--collection", col, "next", "--json").json["card"]["id"] == card["id"]
    assert "every card agrees" in cli("--collection", col, "doctor").out


def test_a_day_step_on_an_ordinary_day_still_ends_24_hours_later(
        cli, tmp_path, monkeypatch) -> None:
    col = _setup(cli, tmp_path, monkeypatch, "2026-11-10T20:15:00+01:00")
    card = cli("--collection", col, "next", "--json").json["card"]
    answered = cli("--collection", col, "answer", card["id"], "good", "--json").json
    assert answered["due"] == "2026-11-11T20:15:00+01:00" and answered["interval"] == "1d"


def test_a_one_day_step_ends_on_the_next_scheduling_day_at_every_moment_of_a_change() -> None:
    from dataclasses import replace
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from flashdeck.scheduling import step
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.state import CardState
    from flashdeck.scheduling.stats import zone_offsets

    config = replace(Config(), learning_steps=(timedelta(minutes=10), timedelta(days=1)))
    new = CardState()  # a new card: its first good goes to the 1d step
    start = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
    for name in ("Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham"):
        zone = ZoneInfo(name)
        for hour in (0, 2, 3, 4):
            hourly = replace(config, day_start_hour=hour)
            for change, _ in zone_offsets(zone, start, start + 365 * 86400)[1:]:
                moment = datetime.fromtimestamp(change - 30 * 3600, timezone.utc)
                for _ in range(4 * 30):  # bounded: the 30 hours before it, 15 minutes apart
                    good = step.answers(1, new, moment, hourly, zone, only=3)[3]
                    due = datetime.fromtimestamp(good.due, timezone.utc)
                    assert (step.scheduling_date(due, hour, zone)
                            - step.scheduling_date(moment, hour, zone)).days == 1, (
                        name, hour, moment.astimezone(zone), due.astimezone(zone))
                    moment += timedelta(minutes=15)
