"""An answer already shared with Anki (`flashdeck sync`: pulled from it or pushed to it) is
never taken back by undo: deleting it here would lose it from one side, since the sync
never pulls or pushes an answer it has listed again."""

from __future__ import annotations

import pytest

from flashdeck.ankisync.merge import TABLES
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from support.clock import T0, Clock
from test_scheduling import basic, make_collection


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())


def _synced(col, review_id: int, pulled: int) -> None:
    with col.transaction() as conn:
        for statement in TABLES:  # the sync's own bookkeeping tables, as it makes them
            conn.execute(statement)
        conn.execute("INSERT INTO anki_log (revlog_id, review_id, pulled) VALUES (?, ?, ?)",
                     (1_790_000_000_000 + review_id, review_id, pulled))


def _log(col) -> list[tuple]:
    return [tuple(r) for r in col.conn.execute("SELECT * FROM reviews ORDER BY id")]


@pytest.mark.parametrize("pulled", [1, 0], ids=["pulled from Anki", "pushed to Anki"])
def test_a_synced_answer_stays_and_undo_says_why(tmp_path, pulled):
    col, clock = make_collection(tmp_path, [basic(1), basic(2)]), Clock()
    e = Engine(col, Config(), now=clock)
    card = e.next_card()
    done = e.answer(card.id, 3)
    _synced(col, done.review_id, pulled)
    log, state = _log(col), tuple(col.conn.execute("SELECT * FROM cards WHERE id = ?",
                                                   (card.id,)).fetchone())
    for undo in (lambda: e.undo(), lambda: e.undo(review_id=done.review_id),
                 lambda: e.undo(day=e.day())):
        undone = undo()
        assert not undone.done
        assert "in Anki already" in undone.reason and f"card {card.id}" in undone.reason
    assert _log(col) == log
    assert tuple(col.conn.execute("SELECT * FROM cards WHERE id = ?",
                                  (card.id,)).fetchone()) == state


def test_an_answer_made_after_the_sync_is_undone_as_ever(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1), basic(2)]), Clock()
    e = Engine(col, Config(), now=clock)
    first = e.next_card()
    _synced(col, e.answer(first.id, 3).review_id, 1)
    clock.advance(minutes=1)
    second = e.next_card()
    e.answer(second.id, 4)
    undone = e.undo()
    assert (undone.card_id, undone.rating) == (second.id, 4)
    assert len(_log(col)) == 1


def test_the_cli_says_why_nothing_was_undone(tmp_path, cli):
    col = make_collection(tmp_path, [basic(1)])
    e = Engine(col, Config(), now=Clock())
    _synced(col, e.answer(e.next_card().id, 3).review_id, 0)
    col.close()
    out = cli("--collection", str(tmp_path / "c.sqlite"), "undo").out
    assert "nothing undone" in out and "in Anki already" in out
