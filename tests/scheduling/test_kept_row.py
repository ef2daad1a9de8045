"""The card's row read once an answer cycle (issue 23): the review screen's engine reads the
row of the card next_card gives, and its previews and its answer use that row while the
collection provably has not changed (no commit by another connection, no row changed by
this one); any change is read again. Real collections in tmp_path."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from flashdeck.collection.identity import sync_note_cards
from flashdeck.collection.store import Collection
from flashdeck.notes.model import ParsedCard
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from support.clock import T0

CONFIG = Config(new_per_day=20, reviews_per_day=200)


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())


@pytest.fixture
def path(tmp_path):
    """A collection of three notes of four cards (a reversed pair, two basic cards); a
    review card due today among them."""
    path = tmp_path / "c.sqlite"
    with Collection.open(path) as col:
        with col.transaction() as conn:
            source = conn.execute("INSERT INTO sources (path, kind, added)"
                                  " VALUES ('/vault', 'folder', 0)").lastrowid
            for n in range(3):
                note = conn.execute("INSERT INTO notes (source_id, relpath, title)"
                                    " VALUES (?, ?, ?)",
                                    (source, f"F1 Score {n}.md", f"F1 Score {n}")).lastrowid
                sync_note_cards(conn, note, [
                    ParsedCard("reversed", "Precision", "TP / (TP + FP)", 3,
                               "flashcards/ml", "L3", 0),
                    ParsedCard("reversed", "TP / (TP + FP)", "Precision", 3,
                               "flashcards/ml", "L3", 1),
                    ParsedCard("basic", "What is $F_1$?", "$$F_1 = 2PR/(P+R)$$", 7,
                               "flashcards/ml", "L7"),
                    ParsedCard("basic", "Recall?", "TP / (TP + FN)", 11, "flashcards/ml",
                               "L11"),
                ], set(), 0)
            now = int(T0.timestamp())
            conn.execute("UPDATE cards SET state = 'review', due = ?, last_review = ?,"
                         " stability = 6.0, difficulty = 5.0, reps = 3"
                         " WHERE id = (SELECT max(id) FROM cards)",
                         (now - 3600, now - 3600 - 6 * 86400))
    return path


def card_selects(col: Collection) -> list[str]:
    """The statements that read a card's whole row (CARD_SELECT), as SQLite runs them."""
    seen: list[str] = []
    col.conn.set_trace_callback(
        lambda sql: seen.append(sql) if sql.lstrip().startswith("SELECT c.*") else None)
    return seen


def previews_shown(previews: dict) -> dict:
    return {word: (p.due, p.interval, p.columns) for word, p in previews.items()}


def test_previews_and_answer_read_the_shown_card_once(path):
    with Collection.open(path) as col:
        engine = Engine(col, CONFIG, now=lambda: T0)
        card = engine.next_card()
        seen = card_selects(col)
        engine.previews(card.id)
        engine.answer(card.id, 3)
        assert seen == []  # the row next_card read, twice more
        card = engine.next_card()
        assert len(seen) >= 1  # the next card is read
        del seen[:]
        engine.previews(card.id)
        assert seen == []


def test_another_connections_answer_is_read_again(path):
    """Another terminal answers the card shown here: the previews are of the card as it is
    now, and an answer here starts from there (its log's state before is that answer's
    state after), never from the row read before."""
    with Collection.open(path) as col:
        engine = Engine(col, CONFIG, now=lambda: T0)
        card = engine.next_card()
        engine.previews(card.id)
        with Collection.open(path) as other:
            Engine(other, CONFIG, now=lambda: T0).answer(card.id, 1)
        with Collection.open(path) as other:
            fresh = Engine(other, CONFIG, now=lambda: T0).previews(card.id)
        assert previews_shown(engine.previews(card.id)) == previews_shown(fresh)
        answered = engine.answer(card.id, 3)
        before, = col.conn.execute("SELECT state_before FROM reviews WHERE id = ?",
                                   (answered.review_id,)).fetchone()
        after_other, = col.conn.execute(
            "SELECT state_after FROM reviews WHERE card_id = ? AND id < ? ORDER BY id DESC",
            (card.id, answered.review_id)).fetchone()
        kept = {k: v for k, v in json.loads(after_other).items()
                if k not in ("rules", "zone", "hour", "set")}
        assert json.loads(before) == kept


@pytest.mark.parametrize("change", ["bury", "suspend"])
def test_this_connections_change_is_read_again(path, change):
    """A bury, or a suspend and unsuspend, by this engine changes the card's version: the
    previews and the answer after it are of the card as it is now (the fuzz is seeded by the
    version; an answer from the row before would be refused as a concurrent answer)."""
    with Collection.open(path) as col:
        engine = Engine(col, CONFIG, now=lambda: T0)
        card = engine.next_card()
        engine.previews(card.id)
        if change == "bury":
            engine.bury(card.id)
        else:
            engine.suspend(card.id)
            engine.suspend(card.id, suspended=False)
        version, = col.conn.execute("SELECT version FROM cards WHERE id = ?",
                                    (card.id,)).fetchone()
        assert version == card.version + (1 if change == "bury" else 2)
        shown = engine.previews(card.id)
        assert {p.columns["version"] for p in shown.values()} == {version + 1}
        with Collection.open(path) as other:
            fresh = Engine(other, CONFIG, now=lambda: T0).previews(card.id)
        assert previews_shown(shown) == previews_shown(fresh)
        answered = engine.answer(card.id, 3)
        assert answered.due == shown["good"].due


def test_a_review_card_answered_later_the_same_day(path, tmp_path):
    """The kept row serves an answer given a while after the previews (the clock moved on):
    the same answer, logged the same, as an engine that reads the row afresh gives on a
    copy of the collection."""
    import sqlite3

    moment = [T0]
    with Collection.open(path) as col:
        engine = Engine(col, CONFIG, now=lambda: moment[0])
        card = engine.next_card()
        assert card.state == "review"
        engine.previews(card.id)
        copy = tmp_path / "copy.sqlite"
        target = sqlite3.connect(copy)
        col.conn.backup(target)
        target.close()
        moment[0] = T0 + timedelta(minutes=3)
        answered = engine.answer(card.id, 4)
        logged = col.conn.execute("SELECT state_before, state_after FROM reviews"
                                  " WHERE id = ?", (answered.review_id,)).fetchone()
    with Collection.open(copy) as col:
        fresh = Engine(col, CONFIG, now=lambda: moment[0]).answer(card.id, 4)
        assert col.conn.execute("SELECT state_before, state_after FROM reviews WHERE id = ?",
                                (fresh.review_id,)).fetchone() == logged
    assert answered == fresh


def test_a_damaged_row_is_refused_at_its_previews_and_at_its_answer(path):
    """The kept row is checked (a schedule no flashdeck writes) once it was found sound: a
    damaged one is refused by the previews and again by the answer, which writes nothing."""
    from flashdeck.errors import CollectionError

    with Collection.open(path) as col:
        with col.transaction() as conn:
            conn.execute("UPDATE cards SET stability = -1.0 WHERE state = 'review'")
        engine = Engine(col, CONFIG, now=lambda: T0)
        card = engine.next_card()
        assert card.state == "review"
        with pytest.raises(CollectionError, match="stability"):
            engine.previews(card.id)
        with pytest.raises(CollectionError, match="stability"):
            engine.answer(card.id, 3)
        assert col.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0
