"""The stats keep the past days' answers counted (schema 11's stats_days) so a year of a
big log is not read again on every opening. Whatever happens to the log or the cards, the
figures must be those a fresh count of the log gives: each test changes the collection the
way a user or another program does, then compares with the figures of a copy whose kept
counts were thrown away."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta, timezone

import pytest

from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from flashdeck.scheduling.stats import compute_stats
from support.stats_learner import EASY, END, HARD, build_in_utc


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    return build_in_utc(tmp_path_factory.mktemp("learner"))[0]


def copy_of(path, to):
    """A copy of the collection with what its write-ahead log holds (SQLite's backup)."""
    with sqlite3.connect(path) as source, sqlite3.connect(to) as target:
        source.backup(target)
    return to


@pytest.fixture
def path(learned, tmp_path):
    return copy_of(learned, tmp_path / "c.sqlite")


def figures(path, now=END, deck=None) -> dict:
    with Collection.open(path, create=False) as col:
        return compute_stats(col, Config(), now, deck=deck, tz=timezone.utc).to_json()


def fresh(path, now=END, deck=None) -> dict:
    """The figures counted from the log alone (a copy with nothing kept)."""
    copy = copy_of(path, path.with_name("fresh.sqlite"))
    conn = sqlite3.connect(copy)
    conn.execute("DELETE FROM stats_days")
    conn.execute("DELETE FROM meta WHERE key LIKE 'stats_days_%'")
    conn.commit()
    conn.close()
    try:
        return figures(copy, now, deck)
    finally:
        copy.unlink()


def kept_upto(path) -> int | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'stats_days_upto'").fetchone()
    return None if row is None else int(row[0])


def sql(path, statement: str, params=()) -> None:
    conn = sqlite3.connect(path)
    conn.execute(statement, params)
    conn.commit()
    conn.close()


def test_the_past_days_are_counted_once_and_kept(path):
    first = figures(path)
    upto = kept_upto(path)
    assert upto == int(END.replace(hour=4).timestamp())  # today's start: today is live
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM stats_days").fetchone()[0] > 0
    assert figures(path) == first == fresh(path)
    for deck in (EASY, HARD, "flashcards/lang"):
        assert figures(path, deck=deck) == fresh(path, deck=deck)


def test_an_answer_today_counts_at_once_and_tomorrow_from_the_kept_days(path):
    figures(path)
    with Collection.open(path, create=False) as col:
        engine = Engine(col, Config(), now=lambda: END + timedelta(hours=1))
        card_id = col.conn.execute("SELECT id FROM cards WHERE state = 'review'").fetchone()[0]
        engine.answer(card_id, 1)  # ahead of its due date, as `review --ahead` does
    today = figures(path, END + timedelta(hours=1))
    assert today == fresh(path, END + timedelta(hours=1))
    assert today["heatmap"]["counts"][-1] >= 1
    tomorrow = figures(path, END + timedelta(days=1))
    assert kept_upto(path) == int((END + timedelta(days=1)).replace(hour=4).timestamp())
    assert tomorrow == fresh(path, END + timedelta(days=1))
    assert tomorrow["heatmap"]["counts"][-2] == today["heatmap"]["counts"][-1]


@pytest.mark.parametrize("change", [
    # a review from another device, answered weeks ago, arrives (a sync)
    "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms, state_before, state_after)"
    " SELECT card_id, reviewed_at + 3600, 1, 1000, state_before, state_after FROM reviews"
    " WHERE reviewed_at < :before ORDER BY id DESC LIMIT 1",
    # an old review is taken back (an undo across midnight)
    "DELETE FROM reviews WHERE id = (SELECT max(id) FROM reviews WHERE reviewed_at < :before)",
    # an old review's logged state is rewritten (doctor --fix)
    "UPDATE reviews SET state_before = json_set(state_before, '$.stability', 0.01)"
    " WHERE id = (SELECT min(id) FROM reviews WHERE reviewed_at < :before"
    " AND json_extract(state_before, '$.state') = 'review')",
    # a reviewed card moves to another deck (its note's tag changed)
    f"UPDATE cards SET deck = '{EASY}' WHERE deck = '{HARD}'"
    " AND id IN (SELECT card_id FROM reviews WHERE reviewed_at < :before) AND :before > 0",
], ids=["old review added", "old review removed", "old review rewritten", "card moved deck"])
def test_a_change_before_the_kept_mark_counts_again(path, change):
    before = figures(path), figures(path, deck=HARD)
    upto = kept_upto(path)
    sql(path, change, {"before": upto - 86400})
    assert kept_upto(path) is None  # the mark is dropped in the same transaction
    after = figures(path), figures(path, deck=HARD)
    assert after == (fresh(path), fresh(path, deck=HARD))
    assert after != before


def test_an_answer_after_the_mark_keeps_it(path):
    figures(path)
    upto = kept_upto(path)
    sql(path, "INSERT INTO reviews (card_id, reviewed_at, rating, state_before, state_after)"
              " SELECT card_id, :at, 3, state_after, state_after FROM reviews"
              " ORDER BY id DESC LIMIT 1", {"at": upto + 60})
    assert kept_upto(path) == upto
    assert figures(path) == fresh(path)


def test_going_back_in_time_or_changing_settings_counts_again(path):
    figures(path)
    earlier = END - timedelta(days=40)
    assert figures(path, earlier) == fresh(path, earlier)
    assert kept_upto(path) == int(earlier.replace(hour=4).timestamp())
    with Collection.open(path, create=False) as col:  # another day start: other days
        late = compute_stats(col, Config(day_start_hour=10), END, tz=timezone.utc).to_json()
    assert kept_upto(path) == int(END.replace(hour=10).timestamp()) - 86400
    assert late["heatmap"]["total"] == figures(path)["heatmap"]["total"]
    with sqlite3.connect(path) as conn:
        key = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'stats_days_key'"
                                      ).fetchone()[0])
    assert key["hour"] == 4


def test_a_busy_or_read_only_collection_still_gets_right_figures(path):
    expected = fresh(path)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        assert figures(path) == expected
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert kept_upto(path) is None  # nothing could be kept
    with Collection.open(path, create=False) as col:  # a file this user cannot write
        col.conn.execute("PRAGMA query_only = ON")
        assert compute_stats(col, Config(), END, tz=timezone.utc).to_json() == expected
    assert kept_upto(path) is None


@pytest.mark.parametrize("damage", [
    "UPDATE stats_days SET count = -5",
    "UPDATE stats_days SET count = count * 1000",
    "UPDATE stats_days SET count = count + 1 WHERE day = (SELECT max(day) FROM stats_days)",
    "UPDATE stats_days SET count = 'abc'",
    "UPDATE stats_days SET p_sum = 'nan'",
    "UPDATE stats_days SET p_sum = 1e308 WHERE bin >= 0",
    "UPDATE stats_days SET kind = 'garbage' WHERE kind = 'young'",
    "UPDATE OR IGNORE stats_days SET kind = 'mature' WHERE kind = 'young'",
    "UPDATE stats_days SET day = day - 1 WHERE day = (SELECT max(day) FROM stats_days)",
    "UPDATE OR IGNORE stats_days SET deck = 'flashcards/elsewhere'",
    "UPDATE OR IGNORE stats_days SET deck = CAST(X'666C617368FF' AS TEXT)",
    "INSERT INTO stats_days VALUES ((SELECT max(day) FROM stats_days) + 1,"
    " 'flashcards', 'young', 3, 9, 50, 45.0)",
    "DELETE FROM stats_days WHERE day = (SELECT max(day) FROM stats_days)",
    "UPDATE meta SET value = '-5' WHERE key = 'stats_days_upto'",
    "UPDATE meta SET value = '[1, 2' WHERE key = 'stats_days_sum'",
    "DELETE FROM meta WHERE key = 'stats_days_sum'",
], ids=["negative count", "count x1000", "count +1", "text count", "text p_sum",
        "huge p_sum", "unknown kind", "another kind", "another day", "another deck",
        "deck not utf-8",
        "row added", "row lost", "mark out of range", "sum unreadable", "sum lost"])
def test_kept_counts_changed_in_the_file_are_counted_again_not_shown(path, damage):
    """A byte changed in the kept counts (a damaged disk, another tool, a copy cut short) was
    shown as figures: "-95 reviews", "young 66.7% of -30", "flashdeck said inf%", 1000 times
    the reviews; an unknown kind ended `stats` ("internal error: KeyError"), a mark moved
    before the kept days in "UNIQUE constraint failed". The kept counts are checked against
    what they added up to when written; changed, they are counted again from the log."""
    expected = figures(path)
    assert expected == fresh(path)
    sql(path, damage)
    assert figures(path) == expected
    assert figures(path, deck=HARD) == fresh(path, deck=HARD)
    assert figures(path) == expected  # kept again, right


def test_kept_counts_intact_are_read_not_counted_again(path, monkeypatch):
    """The check costs one pass over the kept rows: the log's past days are not read again."""
    from flashdeck.collection import stats_queries

    figures(path)
    upto = kept_upto(path)
    expected = fresh(path)
    counted: list[int] = []
    real = stats_queries._count_days

    def spy(col, counting, since, until, deck=None):
        counted.append(int(since))
        return real(col, counting, since, until, deck)

    monkeypatch.setattr(stats_queries, "_count_days", spy)
    assert figures(path) == expected
    assert counted and min(counted) >= upto  # only today's answers
