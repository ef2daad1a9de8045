"""`flashdeck optimize` and `flashdeck retention` (issue 20): personal FSRS parameters fitted
with fsrs-rs-python on scripted learners' real collections, the parameters history that
keeps `doctor` clean, and the retention trade-off."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta

import pytest

from support.fitting_learners import (SETTINGS, T0, default_like, fast_forgetter, run_learner,
                              vault_note)
from support.notes import geo_collection, write_note
from flashdeck.cli import main
from flashdeck.scheduling.config import load_config
from flashdeck.scheduling.parameters import DEFAULT_PARAMETERS, current_parameters


def _build(tmp_path_factory, name, learner, cards, days, per_day):
    """A collection a scripted learner studied in for `days` days (built once per module)."""
    folder = tmp_path_factory.mktemp(name)
    write_note(folder / "vault", "words.md", vault_note(cards))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        mp.setenv("FLASHDECK_NOW", T0.isoformat())
        mp.setenv("FLASHDECK_CONFIG", str(folder / "config.toml"))
        (folder / "config.toml").write_text(SETTINGS)
        assert main(["--collection", str(folder / "c.sqlite"), "import",
                     str(folder / "vault")]) == 0
        answers = run_learner(folder / "c.sqlite", learner, days, per_day)
    return folder / "c.sqlite", answers


@pytest.fixture(scope="module")
def fast_built(tmp_path_factory):
    return _build(tmp_path_factory, "fast", fast_forgetter, cards=40, days=80, per_day=10)


@pytest.fixture(scope="module")
def default_built(tmp_path_factory):
    return _build(tmp_path_factory, "default", default_like, cards=300, days=200, per_day=15)


def _copy(built, tmp_path, monkeypatch, now):
    """This test's own copy of the collection and settings, the clock at `now`."""
    path = tmp_path / "c.sqlite"
    shutil.copy(built[0], path)
    config = tmp_path / "config.toml"
    config.write_text(SETTINGS)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    monkeypatch.setenv("FLASHDECK_NOW", now.isoformat())
    return path, config


def _cards(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM cards ORDER BY id").fetchall()


def _meta(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT key FROM meta WHERE key LIKE 'fsrs_%'").fetchall()


AFTER_FAST = T0 + timedelta(days=81)


def test_a_fast_forgetter_gets_personal_parameters(fast_built, tmp_path, monkeypatch, cli):
    path, config = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    assert fast_built[1] > 1500
    result = cli("--collection", path, "optimize", "--json")
    assert result.code == 0, result.err
    data = result.json
    assert data["switched"] is True and data["written"] is True
    assert data["new"]["log_loss"] < data["current"]["log_loss"]
    assert data["reviews"] == fast_built[1]
    assert data["current"]["parameters"] == pytest.approx(list(DEFAULT_PARAMETERS))
    # saved in config.toml, the user's lines and comments kept
    text = config.read_text()
    assert text.startswith(SETTINGS)
    used = current_parameters(load_config())
    assert used.source == "optimized"
    assert list(used.parameters) == pytest.approx(data["new"]["parameters"])
    assert used.reviews_at_fit == fast_built[1]
    assert used.fitted_at is not None and used.fitted_at > AFTER_FAST
    # and a second run keeps them (nothing clearly better)
    again = cli("--collection", path, "optimize", "--dry-run").out
    assert "Keeping the optimized parameters" in again


def test_doctor_stays_clean_across_the_switch(fast_built, tmp_path, monkeypatch, cli):
    path, config = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    assert cli("--collection", path, "optimize").code == 0
    assert "no problems found" in cli("--collection", path, "doctor").out
    # weeks more of reviews under the new parameters, then doctor again
    answered = run_learner(path, fast_forgetter, 5, 0, start=AFTER_FAST + timedelta(days=1),
                           config=load_config())
    assert answered > 50
    monkeypatch.setenv("FLASHDECK_NOW", (AFTER_FAST + timedelta(days=7)).isoformat())
    report = cli("--collection", path, "doctor")
    assert report.code == 0, report.out
    assert "every card agrees" in report.out
    # the collection's parameters history, not the settings, says what each review used:
    # with the settings back at the defaults the log still replays
    config.write_text(SETTINGS)
    assert cli("--collection", path, "doctor").code == 0


def test_reschedule_recomputes_memory_and_due(fast_built, tmp_path, monkeypatch, cli):
    path, config = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    before = {row[0]: row for row in _cards(path)}
    out = cli("--collection", path, "optimize", "--reschedule")
    assert out.code == 0, out.err
    assert "Rescheduled 40 cards under the new parameters." in out.out
    after = {row[0]: row for row in _cards(path)}
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        names = [d[1] for d in conn.execute("PRAGMA table_info(cards)")]
    stab = names.index("stability")
    assert sum(before[i][stab] != after[i][stab] for i in before) == 40
    assert "no problems found" in cli("--collection", path, "doctor").out
    run_learner(path, fast_forgetter, 3, 0, start=AFTER_FAST + timedelta(days=1),
                config=load_config())
    monkeypatch.setenv("FLASHDECK_NOW", (AFTER_FAST + timedelta(days=5)).isoformat())
    assert cli("--collection", path, "doctor").code == 0


def test_reschedule_keeps_a_card_whose_log_is_damaged_and_does_the_rest(fast_built, tmp_path,
                                                                       monkeypatch, cli):
    """`optimize --reschedule` with a rating of 9 in one card's log: the switch was saved,
    then "internal error: KeyError: 9" stopped the rescheduling halfway. Now that card
    keeps its schedule, named in one line, and the other 39 are rescheduled; exit 1."""
    path, config = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    with sqlite3.connect(path) as conn:
        review, card = conn.execute("SELECT id, card_id FROM reviews ORDER BY id"
                                    " LIMIT 1 OFFSET 100").fetchone()
        conn.execute("PRAGMA ignore_check_constraints = 1")
        conn.execute("UPDATE reviews SET rating = 9 WHERE id = ?", (review,))
    before = {row[0]: row for row in _cards(path)}
    out = cli("--collection", path, "optimize", "--reschedule")
    assert out.code == 1
    where = f"flashdeck: review {review}, card {card}: its row in the review log is damaged"
    assert out.err.splitlines() == [
        f"{where} (rating = 9); the card is left out of the fit; run `flashdeck doctor`",
        f"{where} (rating = 9); the card keeps its schedule; run `flashdeck doctor`"]
    assert "Switched: saved in" in out.out
    assert "Rescheduled 39 cards under the new parameters." in out.out
    after = {row[0]: row for row in _cards(path)}
    assert after[card] == before[card]
    assert sum(before[i] != after[i] for i in before) == 39


def test_dry_run_writes_nothing(fast_built, tmp_path, monkeypatch, cli):
    path, config = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    cards = _cards(path)
    out = cli("--collection", path, "optimize", "--dry-run", "--reschedule")
    assert out.code == 0
    assert "predict your" in out.out and "better" in out.out
    assert "Dry run: nothing written" in out.out
    # the new parameters' figures stand under the current ones'
    lines = out.out.splitlines()
    current = next(x for x in lines if x.startswith("Current parameters (default): "))
    new = next(x for x in lines if x.startswith("New parameters: "))
    assert current.index("log loss") == new.index("log loss")
    assert config.read_text() == SETTINGS
    assert _cards(path) == cards and _meta(path) == []


@pytest.mark.parametrize("column, value", [("reviewed_at", 99999999999999),
                                           ("reviewed_at", "yesterday"),
                                           ("reviewed_at", -62135596000), ("rating", 9)])
def test_a_damaged_review_is_named_and_the_rest_is_fitted(fast_built, tmp_path, monkeypatch,
                                                          cli, column, value):
    """A review whose time or rating is damaged past SQLite's checks: `optimize` said
    "internal error: year 3170843 is out of range" (or fitted a rating 9 as a pass). Now it
    names the review and that its card is left out, in one line as `undo` says it, fits
    the other cards and exits 1."""
    path, config = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    sound = cli("--collection", path, "optimize", "--dry-run", "--json").json
    with sqlite3.connect(path) as conn:
        review, card = conn.execute("SELECT id, card_id FROM reviews ORDER BY id"
                                    " LIMIT 1 OFFSET 100").fetchone()
        others = conn.execute("SELECT count(*) FROM reviews WHERE card_id != ?",
                              (card,)).fetchone()[0]
        conn.execute("PRAGMA ignore_check_constraints = 1")
        conn.execute(f"UPDATE reviews SET {column} = ? WHERE id = ?", (value, review))
    out = cli("--collection", path, "optimize", "--dry-run")
    assert out.code == 1
    what = "rating" if column == "rating" else "time"
    assert out.err.splitlines() == [
        f"flashdeck: review {review}, card {card}: its row in the review log is damaged"
        f" ({what} = {value!r}); the card is left out of the fit; run `flashdeck doctor`"]
    assert out.out.startswith(f"Reviews: {others} (")
    assert "Dry run: nothing written" in out.out
    result = cli("--collection", path, "optimize", "--dry-run", "--json")
    assert result.code == 1
    data = result.json
    assert data["reviews"] == others < sound["reviews"] and data["items"] < sound["items"]
    assert data["damaged"] == [out.err.splitlines()[0].removeprefix("flashdeck: ")]
    assert data["new"] is not None  # fitted on the rest
    assert config.read_text() == SETTINGS


def test_a_default_like_learner_keeps_the_defaults(default_built, tmp_path, monkeypatch,
                                                   cli):
    path, config = _copy(default_built, tmp_path, monkeypatch, T0 + timedelta(days=201))
    assert default_built[1] > 1500
    data = cli("--collection", path, "optimize", "--json").json
    assert data["switched"] is False and data["written"] is False
    assert data["new"] is not None and data["current"]["log_loss"] > 0
    assert "keeping the default parameters" in data["message"]
    assert config.read_text() == SETTINGS and _meta(path) == []


def test_too_few_reviews(tmp_path, monkeypatch, cli):
    write_note(tmp_path / "vault", "w.md", vault_note(5))
    path, config = tmp_path / "small.sqlite", tmp_path / "config.toml"
    config.write_text(SETTINGS)
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())
    monkeypatch.setenv("TZ", "UTC")
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    run_learner(path, fast_forgetter, 10, 5)
    out = cli("--collection", path, "optimize")
    assert out.code == 0
    assert "Too few reviews to fit personal parameters" in out.out
    assert "keeping the default parameters" in out.out
    assert config.read_text() == SETTINGS


def test_retention_table(fast_built, tmp_path, monkeypatch, cli):
    path, _ = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    out = cli("--collection", path, "retention")
    assert out.code == 0, out.err
    lines = out.out.splitlines()
    assert any(line.split()[:1] == ["0.70"] for line in lines)
    assert any(line.split()[:1] == ["0.97"] for line in lines)
    assert any(line.rstrip().endswith("← now") and line.split()[0] == "0.90" for line in lines)
    assert "Least work per card remembered: desired retention 0." in out.out
    data = cli("--collection", path, "retention", "--json").json
    assert [row["retention"] for row in data["rows"]] == [0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97]
    assert 0.7 <= data["recommended"] <= 0.97 and data["current"] == 0.9
    assert all(row["reviews_per_day"] > 0 for row in data["rows"])


def test_retention_table_has_a_row_for_your_own_retention(fast_built, tmp_path, monkeypatch,
                                                         cli):
    """desired_retention = 0.93 (or 0.99): the table had no row for it and marked nothing
    "← now"; it has its row, in order, marked, and the recommendation stays in 0.70-0.97."""
    path, config = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    for mine in (0.93, 0.99):
        config.write_text(SETTINGS.replace("desired_retention = 0.9 ",
                                           f"desired_retention = {mine}"))
        out = cli("--collection", path, "retention")
        assert out.code == 0, out.err
        now = [line for line in out.out.splitlines() if line.rstrip().endswith("← now")]
        assert [line.split()[0] for line in now] == [f"{mine:.2f}"]
        assert f"Yours is {mine:.2f}" in out.out
        data = cli("--collection", path, "retention", "--json").json
        rows = [row["retention"] for row in data["rows"]]
        assert mine in rows and rows == sorted(rows) and len(rows) == 8
        assert 0.7 <= data["recommended"] <= 0.97 and data["current"] == mine


def test_bad_parameters_in_the_settings(tmp_path, monkeypatch, cli):
    path = geo_collection(cli, tmp_path)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    config.write_text("parameters = [1, 2, 3]\n")
    out = cli("--collection", path, "next")
    assert out.code == 2 and "parameters must be a list of 21 numbers" in out.err
    config.write_text("parameters = [" + ", ".join(["0.5"] * 4 + ["-3"] + ["0.5"] * 16) + "]\n")
    out = cli("--collection", path, "next")
    assert out.code == 2 and "parameters[4] = -3.0 is out of bounds" in out.err


def test_personal_parameters_change_the_intervals(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())
    path = geo_collection(cli, tmp_path)
    default = cli("--collection", path, "next", "--json").json["previews"]
    # FSRS-6: 8.3 days, fuzzed within Anki's range for it (6-10 days)
    assert default["easy"]["interval"] in ("6d", "7d", "8d", "9d", "10d")
    params = list(DEFAULT_PARAMETERS)
    params[3] = 30.0  # a learner who knows "easy" cards for a month
    (tmp_path / "config.toml").write_text(
        "# mine\nparameters = [" + ", ".join(map(str, params)) + "]\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(tmp_path / "config.toml"))
    personal = cli("--collection", path, "next", "--json").json["previews"]
    assert personal["easy"]["interval"] in ("27d", "28d", "29d", "30d", "1mo", "1.1mo")
    assert personal["again"] == default["again"]


def test_the_switch_keeps_a_linked_config_and_its_tables(fast_built, tmp_path, monkeypatch,
                                                         cli):
    """A config.toml linked from a dotfiles folder, with a [sync] table last: `optimize`
    rewrites the linked file (the link stays, its mode too), the new keys go above the
    table and their comment sits on the parameters' line, not at the end of [sync]."""
    import os
    import tomllib

    path, _ = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "flashdeck.toml"
    sync = '[sync]\n# my own server\nendpoint = "http://localhost:8080/"\nuser = "me"\n'
    real.write_text(SETTINGS + "\n" + sync)
    real.chmod(0o600)
    link = tmp_path / "config" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(real)
    monkeypatch.setenv("FLASHDECK_CONFIG", str(link))
    data = cli("--collection", path, "optimize", "--json").json
    assert data["switched"] is True and data["written"] is True
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert os.stat(real).st_mode & 0o777 == 0o600
    text = real.read_text()
    assert text.startswith(SETTINGS) and text.endswith(sync)
    line = next(x for x in text.splitlines() if x.startswith("parameters ="))
    assert line.endswith("# personal FSRS parameters, written by `flashdeck optimize`")
    settings = tomllib.loads(text)
    assert settings["sync"] == {"endpoint": "http://localhost:8080/", "user": "me"}
    assert settings["parameters"] == pytest.approx(data["new"]["parameters"])
    assert current_parameters(load_config()).source == "optimized"


ANKI_FSRS5 = [0.40255, 1.18385, 3.173, 15.69105, 7.1949, 0.5345, 1.4604, 0.0046, 1.54575,
              0.1192, 1.01925, 1.9395, 0.11, 0.29605, 2.2698, 0.2315, 2.9898, 0.51655, 0.6621]


def test_ankis_fsrs5_parameters_are_taken_as_fsrs6(tmp_path, monkeypatch, cli):
    """A user moving from Anki pastes the 19 FSRS-5 weights its options showed: they
    schedule as the FSRS-6 weights they are (w19 = 0, the decay 0.5 FSRS-5 had fixed),
    where they were refused ("must be a list of 21 numbers")."""
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")  # the same previews
    path = geo_collection(cli, tmp_path)
    config = tmp_path / "config.toml"
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    config.write_text("parameters = [" + ", ".join(map(str, ANKI_FSRS5)) + "]\n")
    as_fsrs5 = cli("--collection", path, "next", "--json")
    assert as_fsrs5.code == 0, as_fsrs5.err
    config.write_text("parameters = [" + ", ".join(map(str, ANKI_FSRS5 + [0.0, 0.5])) + "]\n")
    as_fsrs6 = cli("--collection", path, "next", "--json")
    config.unlink()
    default = cli("--collection", path, "next", "--json")
    assert as_fsrs5.json["previews"] == as_fsrs6.json["previews"]
    assert as_fsrs5.json["previews"] != default.json["previews"]
    config.write_text("parameters = [" + ", ".join(["0.5"] * 19) + "]\n")
    out = cli("--collection", path, "next")
    assert out.code == 2 and "parameters" in out.err and "Traceback" not in out.err


def test_retention_says_how_many_cards_it_simulated_against_yours(tmp_path, monkeypatch, cli):
    """24 cards: it said "A simulated year of 1000 cards", as if the user had 1,000."""
    path = geo_collection(cli, tmp_path)
    monkeypatch.setenv("FLASHDECK_CONFIG", str(tmp_path / "config.toml"))
    mine = cli("--collection", path, "list", "--json").json
    out = cli("--collection", path, "retention")
    assert out.code == 0, out.err
    assert (f"A simulated year of 1,000 cards (you have {len(mine):,}: the figures a day are"
            " for 1,000;") in out.out
    data = cli("--collection", path, "retention", "--json").json
    assert data["deck_size"] == 1000 and data["your_cards"] == len(mine)


def test_a_flight_west_that_gives_a_card_an_earlier_day_is_fitted(fast_built, tmp_path,
                                                                  monkeypatch, cli):
    """Answered in Tokyo at 05:00 (that day's scheduling day there), then an hour later in
    Los Angeles (13:00 the day before): the second answer's day is before the first's, and
    a review days later fits the card's history with it. The fit takes it as a same-day
    review, as the scheduler did; nothing stops it."""
    path, config = _copy(fast_built, tmp_path, monkeypatch, AFTER_FAST)
    day = (AFTER_FAST + timedelta(days=1)).replace(hour=20, minute=0)  # 05:00 in Tokyo
    for zone, moment in (("Asia/Tokyo", day), ("America/Los_Angeles",
                                              day + timedelta(hours=1)),
                         ("America/Los_Angeles", day + timedelta(days=3))):
        monkeypatch.setenv("TZ", zone)
        monkeypatch.setenv("FLASHDECK_NOW", moment.isoformat())
        assert cli("--collection", path, "answer", "1", "good").code == 0
        answered = cli("--collection", path, "answer", "1", "good")
        assert answered.code == 0, answered.err
    result = cli("--collection", path, "optimize", "--dry-run", "--json")
    assert result.code == 0, result.err
    assert result.json["reviews"] == fast_built[1] + 6
    assert "every card agrees" in cli("--collection", path, "doctor").out
