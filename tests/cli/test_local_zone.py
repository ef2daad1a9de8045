"""Times are printed in local time, and the day rolls over at the local day-start hour,
whichever way `TZ` names the zone: an IANA name, a path into a zoneinfo folder, or a POSIX
rule (as the C library and `date` read it)."""

from __future__ import annotations

import time

import pytest

from support.notes import write_note


@pytest.fixture
def zone_env(monkeypatch):
    """monkeypatch, and the C library's zone read again from the restored TZ afterwards."""
    with monkeypatch.context() as patch:
        yield patch
    time.tzset()


def _answered_twice(cli, tmp_path, zone_env, tz: str) -> list[str]:
    """A card answered in summer and in winter; the log's times."""
    zone_env.setenv("TZ", tz)
    vault = tmp_path / "vault"
    write_note(vault, "Recall.md", "---\ntags: [flashcards]\n---\n\n"
                                   "Recall::the share of real positives found\n")
    col = tmp_path / "c.sqlite"
    # the moments are named in UTC: the offset of FLASHDECK_NOW is no zone
    zone_env.setenv("FLASHDECK_NOW", "2026-07-01T07:00:00+00:00")
    assert cli("--collection", col, "import", vault).code == 0
    card_id = cli("--collection", col, "list", "--json").json[0]["id"]
    assert cli("--collection", col, "answer", card_id, "easy").code == 0
    zone_env.setenv("FLASHDECK_NOW", "2026-12-01T07:00:00+00:00")
    assert cli("--collection", col, "answer", card_id, "good").code == 0
    result = cli("--collection", col, "log")
    assert result.code == 0 and result.err == ""
    return [line[:23] for line in result.out.splitlines()], col, card_id


@pytest.mark.parametrize("tz", ["CET-1CEST,M3.5.0,M10.5.0/3", ":/usr/share/zoneinfo/Europe/Berlin",
                                "Europe/Berlin"])
def test_tz_as_a_posix_rule_or_a_zoneinfo_path_is_the_local_zone(cli, tmp_path, zone_env,
                                                                  tz) -> None:
    times, col, card_id = _answered_twice(cli, tmp_path, zone_env, tz)
    assert times == ["2026-07-01 09:00 +02:00", "2026-12-01 08:00 +01:00"]
    due = cli("--collection", col, "info", card_id, "--json").json["due"]
    assert due[10:19] == "T04:00:00"  # at the day-start hour, local time
    assert due[19:] == ("+02:00" if "-04-" <= due[4:8] < "-11-" else "+01:00"), due


def test_the_day_rolls_over_at_the_day_start_hour_of_a_posix_rule(cli, tmp_path,
                                                                   zone_env) -> None:
    zone_env.setenv("TZ", "EST5EDT,M3.2.0/2,M11.1.0/2")  # New York's rule
    vault = tmp_path / "vault"
    write_note(vault, "Terms.md", "---\ntags: [flashcards]\n---\n\n" + "".join(
        f"Term {i}::meaning {i}\n" for i in range(3)))
    col = tmp_path / "c.sqlite"
    (tmp_path / "config.toml").write_text("new_per_day = 1\n", encoding="utf-8")
    zone_env.setenv("FLASHDECK_CONFIG", str(tmp_path / "config.toml"))
    zone_env.setenv("FLASHDECK_NOW", "2026-07-01T14:00:00+00:00")  # 10:00 EDT
    assert cli("--collection", col, "import", vault).code == 0
    card = cli("--collection", col, "next", "--json").json["card"]
    assert cli("--collection", col, "answer", card["id"], "easy").code == 0
    # 07:30 UTC is 03:30 EDT: still the same scheduling day, no new card
    zone_env.setenv("FLASHDECK_NOW", "2026-07-02T07:30:00+00:00")
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 0
    assert cli("--collection", col, "undo", "--json").json["undone"] is not None
    assert cli("--collection", col, "answer", card["id"], "easy").code == 0
    # 08:00 UTC is 04:00 EDT: the next day
    zone_env.setenv("FLASHDECK_NOW", "2026-07-02T08:00:00+00:00")
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 1


@pytest.mark.parametrize(("rule", "name"), [
    ("CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin"),
    ("AEST-10AEDT,M10.1.0,M4.1.0/3", "Australia/Sydney"),
    ("<-04>4<-03>,M9.1.6/24,M4.1.6/24", "America/Santiago"),  # the change at midnight
])
def test_a_posix_rule_zone_converts_as_its_iana_zone(zone_env, rule, name) -> None:
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from flashdeck.clock import local_tz

    zone_env.setenv("TZ", rule)
    zone_env.delenv("FLASHDECK_NOW", raising=False)
    ours, theirs = local_tz(), ZoneInfo(name)
    assert getattr(ours, "key", None) is None  # the rule, not an IANA zone found for it
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    while moment < datetime(2027, 1, 1, tzinfo=timezone.utc):  # bounded: a year of hours
        a, b = moment.astimezone(ours), moment.astimezone(theirs)
        assert (a.replace(tzinfo=None), a.utcoffset(), a.fold) == \
            (b.replace(tzinfo=None), b.utcoffset(), b.fold), moment
        wall = b.replace(tzinfo=None) + timedelta(minutes=30)  # a wall time, maybe skipped
        for fold in (0, 1):
            assert wall.replace(tzinfo=ours, fold=fold).astimezone(timezone.utc) == \
                wall.replace(tzinfo=theirs, fold=fold).astimezone(timezone.utc), (wall, fold)
        near = {(moment + timedelta(days=d)).astimezone(theirs).utcoffset() for d in (-1, 2)}
        moment += timedelta(hours=1 if len(near) > 1 else 23)  # hourly near a change


def test_every_json_time_of_a_card_is_local_like_info_and_log(cli, tmp_path, zone_env) -> None:
    """`info --json` and `log --json` printed the due time in local time; `list --json`,
    `next --json`'s previews and `answer --json` printed the same moment in UTC, so a script
    comparing them (or showing them) saw two different times for one card."""
    zone_env.setenv("TZ", "Europe/Berlin")
    zone_env.setenv("FLASHDECK_NOW", "2026-12-01T07:00:00+00:00")  # 08:00 in Berlin
    vault = tmp_path / "vault"
    write_note(vault, "Recall.md", "---\ntags: [flashcards]\n---\n\n"
                                   "Recall::the share of real positives found\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    card_id = str(cli("--collection", col, "list", "--json").json[0]["id"])
    previews = cli("--collection", col, "next", "--json").json["previews"]
    assert previews["good"]["due"] == "2026-12-01T08:10:00+01:00"
    assert previews["easy"]["due"].endswith("T04:00:00+01:00")  # the local day start
    answered = cli("--collection", col, "answer", card_id, "easy", "--json").json
    assert answered["due"] == previews["easy"]["due"]
    listed = cli("--collection", col, "list", "--json").json[0]["due"]
    info = cli("--collection", col, "info", card_id, "--json").json["due"]
    logged = cli("--collection", col, "log", "--json").json[0]["due"]
    assert listed == info == logged == answered["due"]


@pytest.mark.parametrize("tz", ["Europe/Berln", "Berlin"])
def test_a_tz_that_names_no_zone_is_said_not_kept_in_silence(cli, tmp_path, zone_env,
                                                            tz) -> None:
    """`TZ=Europe/Berln` (a typo): the C library and `date` keep UTC, flashdeck its own
    fallback, and nothing said so; every day's start was an hour or more off the user's.
    Each command now says which zone it keeps the days in, and goes on."""
    zone_env.setenv("TZ", tz)
    zone_env.setenv("FLASHDECK_NOW", "2026-12-01T07:00:00+01:00")
    vault = tmp_path / "vault"
    write_note(vault, "Recall.md", "---\ntags: [flashcards]\n---\n\n"
                                   "Recall::the share of real positives found\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    due = cli("--collection", col, "due")
    assert due.code == 0 and "total" in due.out
    assert due.err == (f"flashdeck: warning: TZ='{tz}' names no time zone this system knows:"
                       " days are kept in UTC+01:00 instead (e.g. TZ=Europe/Berlin, or unset TZ"
                       " for the system's zone)\n")
