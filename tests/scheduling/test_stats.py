"""The stats figures (issue 20) on a collection built by a scripted learner over months:
deck `lang/easy` is always answered Good, deck `lang/hard` Again on every third review.
The figures are checked against what the script did, counted by the script itself."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from flashdeck.collection.store import SCHEMA_VERSION, Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.stats import (CALIBRATION_BINS, compute_stats, forgetting_curve,
                                        zone_offsets)
from flashdeck.scheduling.parameters import DEFAULT_PARAMETERS, record_parameters
from flashdeck.scheduling.step import scheduling_date
from support.schema import back_to_schema_10
from support.stats_learner import EASY, END, HARD, build_in_utc

@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    """The collection after the script, and the script's log."""
    return build_in_utc(tmp_path_factory.mktemp("learner"))


def _stats(path, deck=None):
    with Collection.open(path, create=False) as col:
        return compute_stats(col, Config(), END, deck=deck, tz=timezone.utc)


def test_the_script_reviewed_for_months(learned):
    _, log = learned
    assert len(log) > 300
    assert {e["deck"] for e in log} == {EASY, HARD}
    assert any(e["state"] == "review" for e in log)


def test_true_retention_is_what_the_script_answered(learned):
    path, log = learned
    stats = _stats(path)
    month_start = END.replace(hour=4) - timedelta(days=29)
    for kind in ("young", "mature"):
        answers = [e for e in log if e["state"] == "review" and e["at"] >= month_start
                   and (_interval_days(e) >= 21) == (kind == "mature")]
        cell = stats.true_retention["month"][kind]
        assert cell.total == len(answers)
        assert cell.passed == sum(1 for e in answers if e["rating"] > 1)
    # the easy deck never failed: 100 %; the hard one failed a third of its reviews
    easy = _stats(path, EASY).true_retention["year"]["all"]
    hard = _stats(path, HARD).true_retention["year"]["all"]
    assert easy.total > 20 and easy.rate == 1.0
    hard_answers = [e for e in log if e["deck"] == HARD and e["state"] == "review"]
    assert hard.total == len(hard_answers)
    assert hard.passed == sum(1 for e in hard_answers if e["rating"] > 1)
    assert 0.5 < hard.rate < 0.8


def _interval_days(entry) -> int:
    """The interval the card was answered at, in scheduling days (Anki's, for mature)."""
    def day(ts):
        return scheduling_date(datetime.fromtimestamp(ts, timezone.utc), 4, timezone.utc)

    return (day(entry["due"]) - day(entry["last"])).days


def _predicted(entry, parameters=DEFAULT_PARAMETERS) -> float:
    """FSRS-6's forgetting curve at the answer, counted as the scheduler counts time."""
    decay, factor = forgetting_curve(parameters)
    last = datetime.fromtimestamp(entry["last"], timezone.utc)
    days = (scheduling_date(entry["at"], 4, timezone.utc)
            - scheduling_date(last, 4, timezone.utc)).days
    t = days if days > 0 else (entry["at"] - last).total_seconds() / 86400
    return (1 + factor * t / entry["stability"]) ** decay


def _expected_bins(log, parameters_at=lambda at: DEFAULT_PARAMETERS) -> dict[int, list]:
    answers = [e for e in log if e["state"] in ("review", "relearning")
               and e["stability"] and e["last"] is not None]
    expected: dict[int, list] = {}
    for e in answers:
        p = _predicted(e, parameters_at(e["at"]))
        expected.setdefault(min(int(p * CALIBRATION_BINS), CALIBRATION_BINS - 1), []).append(
            (p, e["rating"] > 1))
    return expected


def _assert_bins(bins, expected) -> None:
    assert [round(b.low * CALIBRATION_BINS) for b in bins] == sorted(expected)
    for b in bins:
        rows = expected[round(b.low * CALIBRATION_BINS)]
        assert b.count == len(rows)
        assert b.predicted == pytest.approx(sum(p for p, _ in rows) / len(rows))
        assert b.actual == pytest.approx(sum(ok for _, ok in rows) / len(rows))


def test_calibration_bins_hold_what_the_script_did(learned):
    path, log = learned
    expected = _expected_bins(log)
    _assert_bins(_stats(path).calibration, expected)
    # the easy deck remembered everything, whatever was predicted
    assert all(b.actual == 1.0 for b in _stats(path, EASY).calibration)
    hard = _stats(path, HARD).calibration
    passed = sum(b.actual * b.count for b in hard)
    assert 0.5 < passed / sum(b.count for b in hard) < 0.8


def test_forecast_counts_every_card_due_in_30_days(learned):
    path, _ = learned
    stats = _stats(path)
    horizon = int((END.replace(hour=4) + timedelta(days=30)).timestamp())
    with Collection.open(path, create=False) as col:
        due = col.conn.execute(
            "SELECT count(*) FROM cards WHERE state != 'new' AND suspended = 0 AND due < ?",
            (horizon,)).fetchone()[0]
        overdue = col.conn.execute(
            "SELECT count(*) FROM cards WHERE state != 'new' AND suspended = 0 AND due < ?",
            (int(END.replace(hour=4).timestamp()),)).fetchone()[0]
    assert len(stats.forecast.days) == 30
    assert sum(stats.forecast.days) == due > 0
    assert stats.forecast.overdue == overdue


def test_heatmap_counts_each_day_of_the_script(learned):
    path, log = learned
    stats = _stats(path)
    assert sum(stats.heatmap.counts) == len(log)
    first = stats.heatmap.start
    by_day: dict[int, int] = {}
    for e in log:
        index = (scheduling_date(e["at"], 4, timezone.utc) - first).days
        by_day[index] = by_day.get(index, 0) + 1
    assert {i: n for i, n in enumerate(stats.heatmap.counts) if n} == by_day


def test_states_and_intervals_add_up(learned):
    path, _ = learned
    s = _stats(path).states
    assert s["new"] + s["learning"] + s["review"] + s["relearning"] == 24
    assert s["young"] + s["mature"] == s["review"] and s["mature"] > 0
    assert sum(n for _, n in _stats(path).intervals) == s["review"]


def test_zone_offsets_find_each_change_to_the_second():
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    start = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(2026, 12, 31, tzinfo=timezone.utc).timestamp())
    offsets = zone_offsets(berlin, start, end)
    assert [o for _, o in offsets] == [3600, 7200, 3600]
    assert offsets[1][0] == int(datetime(2026, 3, 29, 1, tzinfo=timezone.utc).timestamp())
    assert offsets[2][0] == int(datetime(2026, 10, 25, 1, tzinfo=timezone.utc).timestamp())


def test_calibration_predicts_with_the_parameters_in_force_at_each_answer(learned, tmp_path):
    """After `optimize` switched parameters, the answers before the switch were predicted
    by the old curve and those after by the new one."""
    path, log = learned
    copy = tmp_path / "c.sqlite"
    shutil.copy(path, copy)
    times = sorted(e["at"] for e in log)
    switch = times[len(times) // 2]
    steeper = (*DEFAULT_PARAMETERS[:20], 0.6)  # a much steeper forgetting curve
    with Collection.open(copy, create=False) as col, col.transaction() as conn:
        record_parameters(conn, switch, steeper)
    expected = _expected_bins(log, lambda at: steeper if at >= switch else DEFAULT_PARAMETERS)
    assert expected != _expected_bins(log)  # the switch moves answers between bins
    _assert_bins(_stats(copy).calibration, expected)


def test_a_version_10_collection_is_migrated_and_its_stats_are_unchanged(learned, tmp_path):
    """Schema 11 keeps what each card was before each answer in the log's time index;
    the migration builds it from the log already there (a damaged row included)."""
    path, _ = learned
    copy = tmp_path / "c.sqlite"
    shutil.copy(path, copy)
    before = _stats(copy).to_json()
    conn = sqlite3.connect(copy)
    high = conn.execute("SELECT max(id) FROM reviews").fetchone()[0] + 5
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'reviews'", (high,))  # undone
    back_to_schema_10(conn)
    conn.execute("INSERT INTO reviews (card_id, reviewed_at, rating, state_before, state_after)"
                 " VALUES (1, 0, 3, 'not json', 'not json')")  # in 1970: outside every figure
    conn.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    after = _stats(copy).to_json()
    # the figures unchanged; the row, at a time no clock gives, named as damaged
    assert after.pop("damaged") == [f"review {high + 1}, card 1: its row in the review log"
                                    " is damaged (time = 0); run `flashdeck doctor`"]
    assert before.pop("damaged") == [] and after == before
    assert (tmp_path / "c.sqlite.v10.bak").exists()
    with Collection.open(copy, create=False) as col:
        assert col.schema_version() == SCHEMA_VERSION
        rows = col.conn.execute(
            "SELECT before_state, before_stability, state_before FROM reviews"
            " ORDER BY id DESC LIMIT 2").fetchall()
    assert rows[0][:2] == (None, None)  # the damaged row reads as nothing, never an error
    assert rows[1][0] == json.loads(rows[1][2])["state"]
    with Collection.open(copy, create=False) as col, col.transaction() as conn:
        new = conn.execute("INSERT INTO reviews (card_id, reviewed_at, rating, state_before,"
                           " state_after) VALUES (1, 1, 3, '{}', '{}')").lastrowid
    assert new == high + 2  # ids are never reused: past the damaged row and the undone ones


def test_a_version_12_collection_is_migrated_and_its_stats_read_the_index_alone(learned,
                                                                                tmp_path):
    """Schema 13 puts the card's id before its deck in the stats' index (an import's new
    cards then go at one place of it, not at one per deck): a collection of schema 12 is
    upgraded (a backup kept), its figures for every deck and each deck are the same, and
    they are still read from the index alone, never from the cards' rows."""
    from flashdeck.collection.stats_queries import review_intervals, state_groups
    from support.schema import back_to_schema_12

    path, _ = learned
    copy = tmp_path / "c.sqlite"
    shutil.copy(path, copy)
    before = [_stats(copy, deck).to_json() for deck in (None, EASY, HARD)]
    conn = sqlite3.connect(copy)
    back_to_schema_12(conn)
    conn.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    assert [_stats(copy, deck).to_json() for deck in (None, EASY, HARD)] == before
    assert (tmp_path / "c.sqlite.v12.bak").exists()
    with Collection.open(copy, create=False) as col:
        assert col.schema_version() == SCHEMA_VERSION
        columns = [row["name"] for row in col.conn.execute("PRAGMA index_info(cards_stats)")]
        assert columns == ["orphaned", "state", "suspended", "leech", "due", "last_review",
                           "id", "deck"]
        ran = []  # each statement as run, its parameters written in
        col.conn.set_trace_callback(ran.append)
        for deck in (None, EASY):
            state_groups(col, deck)
            review_intervals(col, [(0, 0)], 4, deck)
        col.conn.set_trace_callback(None)
        read = [sql for sql in ran if "cards_stats" in sql]
        assert len(read) == 4
        for sql in read:
            plan = " ".join(row[3] for row in col.conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING COVERING INDEX cards_stats" in plan, plan
