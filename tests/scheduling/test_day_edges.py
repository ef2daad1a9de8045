"""The scheduling day on the nights the clocks change, for every day-start hour: one day
never starts twice (a repeated hour), and undo, the daily limits and bury agree on it."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support.notes import write_note
from flashdeck.scheduling.day import day_bounds
from flashdeck.scheduling.step import scheduling_date

UTC = timezone.utc
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham",
         "America/Santiago")
HOURS = (0, 1, 2, 3, 4, 23)


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC moments (to the quarter hour) at which `zone`'s offset changes in `year`."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:  # bounded: a year of hours
        following = moment + timedelta(hours=1)
        if following.astimezone(zone).utcoffset() != offset:
            quarter = moment
            while quarter.astimezone(zone).utcoffset() == offset:  # at most 4 steps
                quarter += timedelta(minutes=15)
            found.append(quarter)
            offset = following.astimezone(zone).utcoffset()
        moment = following
    return found


@pytest.mark.parametrize("name", ZONES)
def test_every_moment_of_a_dst_night_lies_in_one_day_that_starts_once(name) -> None:
    zone = ZoneInfo(name)
    transitions = _transitions(zone, 2026)
    assert len(transitions) == 2, transitions
    for hour in HOURS:
        for change in transitions:
            moment = change - timedelta(hours=30)
            while moment < change + timedelta(hours=30):  # bounded: 240 quarter hours
                start, end = day_bounds(moment, hour, zone)
                where = f"{name}, day start {hour}:00, {moment.astimezone(zone)}"
                assert start <= moment < end, where
                # the day of its own start and of its last second is the same day
                assert day_bounds(start, hour, zone) == (start, end), where
                assert day_bounds(end - timedelta(seconds=1), hour, zone) == (start, end), where
                assert day_bounds(end, hour, zone)[0] == end, where
                # named as the scheduling (answers') day names it
                assert scheduling_date(start, hour, zone) == scheduling_date(moment, hour, zone)
                assert timedelta(hours=22) <= end - start <= timedelta(hours=26), where
                moment += timedelta(minutes=15)


def _config(text: str) -> None:
    Path(os.environ["FLASHDECK_CONFIG"]).write_text(text, encoding="utf-8")


def _vault(tmp_path: Path, cards: int) -> Path:
    vault = tmp_path / "vault"
    write_note(vault, "Metrics.md", "---\ntags: [flashcards]\n---\n\n" + "".join(
        f"Term {i}::its meaning {i}\n" for i in range(cards)))
    return vault


# Berlin's autumn night: 02:00-03:00 is passed twice (CEST, then CET)
FIRST_PASS = "2026-10-25T02:30:00+02:00"
SECOND_PASS = "2026-10-25T02:10:00+01:00"


def test_undo_in_the_second_pass_of_the_day_start_hour_reaches_the_first(
        cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    _config("day_start_hour = 2\n")
    col = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_NOW", FIRST_PASS)
    assert cli("--collection", col, "import", _vault(tmp_path, 3)).code == 0
    card = cli("--collection", col, "next", "--json").json["card"]
    assert cli("--collection", col, "answer", card["id"], "good").code == 0
    # 40 minutes later by the clock on the wall, still the scheduling day that began at
    # the first 02:00
    monkeypatch.setenv("FLASHDECK_NOW", SECOND_PASS)
    result = cli("--collection", col, "undo", "--json")
    assert result.code == 0
    assert result.json == {"undone": {"card": card["id"], "rating": "good"}, "reason": None}
    assert cli("--collection", col, "log", "--json").json == []


def test_the_second_pass_of_the_day_start_hour_gives_no_second_days_new_cards(
        cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    _config("day_start_hour = 2\nnew_per_day = 3\n")
    col = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_NOW", FIRST_PASS)
    assert cli("--collection", col, "import", _vault(tmp_path, 8)).code == 0
    for _ in range(3):
        card = cli("--collection", col, "next", "--json").json["card"]
        assert cli("--collection", col, "answer", card["id"], "easy").code == 0
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 0
    monkeypatch.setenv("FLASHDECK_NOW", SECOND_PASS)
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 0
    assert cli("--collection", col, "next", "--json").json["card"] is None
    # the next day (from 02:00 CET on the 26th) brings three more
    monkeypatch.setenv("FLASHDECK_NOW", "2026-10-26T02:00:00+01:00")
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 3


def test_santiago_answers_in_the_first_pass_of_a_23h_day_start_count_in_the_second(
        cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/Santiago")  # the clocks go back at midnight
    _config("day_start_hour = 23\nnew_per_day = 1\n")
    col = tmp_path / "c.sqlite"
    # 4 April 2026: 23:00-24:00 (-03), then 23:00-24:00 again (-04)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-04-04T23:20:00-03:00")
    assert cli("--collection", col, "import", _vault(tmp_path, 4)).code == 0
    card = cli("--collection", col, "next", "--json").json["card"]
    assert cli("--collection", col, "answer", card["id"], "easy").code == 0
    monkeypatch.setenv("FLASHDECK_NOW", "2026-04-04T23:10:00-04:00")  # the second pass
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 0
    undone = cli("--collection", col, "undo", "--json").json["undone"]
    assert undone == {"card": card["id"], "rating": "easy"}


def test_changing_the_day_start_hour_keeps_the_log_agreeing_with_its_replay(
        cli, tmp_path, monkeypatch) -> None:
    """An answer counts its days with the day start it was given under; `doctor` (and its
    --fix) replays it so after the setting changed, and finds nothing to report or rewrite."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    col = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-10T03:00:00+01:00")  # still the 9th's day
    assert cli("--collection", col, "import", _vault(tmp_path, 2)).code == 0
    ids = [c["id"] for c in cli("--collection", col, "list", "--json").json]
    for card_id in ids:
        assert cli("--collection", col, "answer", card_id, "easy").code == 0
    _config("day_start_hour = 0\n")  # from now on the day starts at midnight
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-30T09:00:00+01:00")
    assert cli("--collection", col, "answer", ids[0], "good").code == 0
    before = cli("--collection", col, "list", "--json").json
    for args in (("doctor", "--json"), ("doctor", "--fix", "--json")):
        result = cli("--collection", col, *args)
        assert result.code == 0, result.out
        assert result.json["problems"] == [] and result.json["fixed"] == []
    assert cli("--collection", col, "list", "--json").json == before
    assert len(cli("--collection", col, "log", "--json").json) == 3
    _config("day_start_hour = 4\n")  # and back: still every card agrees
    assert cli("--collection", col, "doctor").code == 0


@pytest.mark.parametrize(("learned", "answered", "today"), [
    # late in the evening: the day after tomorrow is 2 days, not the 1 its 28 hours round to
    ("2026-03-20T23:40:00+01:00", "2026-03-20T23:50:00+01:00", "2026-03-20"),
    # before the day-start hour: still the day before
    ("2026-03-21T03:40:00+01:00", "2026-03-21T03:50:00+01:00", "2026-03-20"),
    # the night the clocks go forward (a 23-hour day)
    ("2026-03-29T03:40:00+02:00", "2026-03-29T03:50:00+02:00", "2026-03-28"),
])
def test_a_review_cards_interval_is_shown_in_scheduling_days_everywhere(
        cli, tmp_path, monkeypatch, learned, answered, today) -> None:
    """The buttons, `answer`, `log` and `info` show a review card's interval as the days
    from today to its due day, as Anki does, whatever the hour of the answer."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    _config("fuzz = false\n")
    col = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_NOW", learned)
    assert cli("--collection", col, "import", _vault(tmp_path, 1)).code == 0
    card_id = cli("--collection", col, "list", "--json").json[0]["id"]
    assert cli("--collection", col, "answer", card_id, "good").code == 0  # to the 10m step
    monkeypatch.setenv("FLASHDECK_NOW", answered)
    previews = cli("--collection", col, "next", "--json").json["previews"]
    day = datetime.fromisoformat(today).date()
    berlin = ZoneInfo("Europe/Berlin")
    labels = {}
    for name in ("good", "easy"):  # both give a review card
        due = datetime.fromisoformat(previews[name]["due"]).astimezone(berlin)
        assert due.hour == 4 and due.minute == 0
        labels[name] = f"{(due.date() - day).days}d"
        assert previews[name]["interval"] == labels[name], (name, previews[name])
    assert previews["again"]["interval"] == "1m"
    result = cli("--collection", col, "answer", card_id, "good", "--json").json
    assert result["interval"] == labels["good"] and result["state"] == "review"
    assert cli("--collection", col, "log", "--json").json[-1]["interval"] == labels["good"]
    assert cli("--collection", col, "info", card_id, "--json").json["history"][-1][
        "interval"] == labels["good"]
    assert f" {labels['good']}  " in cli("--collection", col, "log").out.splitlines()[-1]


def test_tomorrow_and_review_ahead_end_with_tomorrows_day_when_it_is_23_hours(
        cli, tmp_path, monkeypatch) -> None:
    """On the Friday before the clocks go forward, tomorrow's day is 23 hours: a card due on
    Sunday is not due tomorrow, nor within `--ahead 1`."""
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import load_config
    from flashdeck.scheduling.engine import Engine
    from flashdeck.scheduling.upcoming import upcoming

    monkeypatch.setenv("TZ", "Europe/Berlin")
    vault = tmp_path / "vault"
    write_note(vault, "Seeded.md", "---\ntags: [flashcards]\n---\n\n"
               "Saturday's::card <!--SR:!2026-03-28,3,250-->\n\n"
               "Sunday's::card <!--SR:!2026-03-29,3,250-->\n")
    col = tmp_path / "c.sqlite"
    friday = "2026-03-27T09:00:00+01:00"
    monkeypatch.setenv("FLASHDECK_NOW", friday)
    assert cli("--collection", col, "import", vault).code == 0
    assert cli("--collection", col, "due", "--json").json["total"]["review"] == 0
    assert cli("--collection", col, "next", "--ahead", "1", "--json").json["counts"][
        "review"] == 1
    card = cli("--collection", col, "next", "--ahead", "1", "--json").json["card"]
    assert card["front"] == "Saturday's"
    assert cli("--collection", col, "next", "--ahead", "2", "--json").json["counts"][
        "review"] == 2
    with Collection.open(col) as opened:
        later = upcoming(Engine(opened, load_config(), now=lambda: datetime.fromisoformat(friday)))
    assert later.tomorrow == 1


@pytest.mark.parametrize("zone_name", ZONES)
def test_the_engine_s_kept_day_is_the_day_of_every_moment(monkeypatch, zone_name):
    """The review screen's engine keeps the scheduling day's bounds while the clock is
    within them (`Engine.day`): moving on by seconds to a day and a half at a time through
    the nights the clocks change, for every day-start hour, it gives the bounds of the day
    holding each moment, as `day_bounds` works them out afresh; and another zone or
    day-start hour is never answered from the kept day."""
    import random

    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    zone = ZoneInfo(zone_name)
    draw = random.Random(zone_name)
    monkeypatch.setenv("TZ", zone_name)
    monkeypatch.delenv("FLASHDECK_NOW", raising=False)
    steps = (1, 59, 600, 3599, 3600, 5400, 86399, 86400, 90000, 129600)
    with Collection.in_memory() as col:
        for change in _transitions(zone, 2026):
            for hour in HOURS:
                clock = [change - timedelta(hours=30, seconds=draw.randrange(3600))]
                engine = Engine(col, Config(day_start_hour=hour), now=lambda: clock[0])
                for _ in range(12):  # bounded
                    assert engine.day() == day_bounds(clock[0], hour, zone), clock[0]
                    clock[0] += timedelta(seconds=draw.choice(steps))
                other = (hour + 5) % 24  # the same moment, another day-start hour
                engine.config = Config(day_start_hour=other)
                assert engine.day() == day_bounds(clock[0], other, zone)
                monkeypatch.setenv("TZ", "UTC")
                assert engine.day() == day_bounds(clock[0], other, timezone.utc)
                monkeypatch.setenv("TZ", zone_name)
