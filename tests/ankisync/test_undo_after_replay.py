"""Undo after a sync replayed the answer: a phone's earlier answer to a card pulled by
`flashdeck sync` puts it before flashdeck's own later answer, which is logged again under a
new review id (merge.py). The review screen's `u` and `flashdeck undo` find that answer
under its new id: taken back while the server does not have it, refused (saying it is in
Anki) once it does; never called "undone elsewhere" nor dropped from the session's count.

The replay is run directly (`merge.pull`) on a real collection file, with the revlog entry a
phone's answer gives."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from flashdeck.ankisync import merge
from flashdeck.ankisync.mirror import RevlogEntry
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from flashdeck.scheduling.state import SCHEDULING_COLUMNS
from flashdeck.tui.session import Session
from support.notes import write_note

NOTE = """---
tags: [flashcards/ml/metrics]
aliases: [Dice coefficient]
summary: The harmonic mean of precision and recall.
---
# F1 Score

$$F_1 = \\frac{2 \\cdot TP}{2 \\cdot TP + FP + FN}$$

## Why the harmonic mean?

> [!NOTE]
> It punishes a large gap between precision and recall.

Precision::$\\frac{TP}{TP + FP}$
"""

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def collection(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW.isoformat())
    write_note(tmp_path / "vault", "F1 Score.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    return path


def _phone_answer(col: Collection, card_id: int, at: datetime, ease: int = 1) -> None:
    """What `flashdeck sync` does with a phone's answer to `card_id` given `at`."""
    merge.ensure_tables(col)
    guid = merge.assign_guids(col)[card_id]
    entry = RevlogEntry(revlog_id=int(at.timestamp()) * 1000 + 7, guid=guid, ease=ease,
                        duration_ms=4000)
    assert merge.pull(col, [entry], Config(fuzz=False)).reviews == 1


def _answered_in_session(col: Collection):
    session = Session(col, Config(fuzz=False), now=lambda: NOW, monotonic=lambda: 0.0)
    engine = session.engine()
    card = engine.next_card()
    session.answer(engine, card.id, 3, shown_at=0.0)
    return session, engine, card.id


def _columns(col: Collection, card_id: int) -> dict:
    row = col.conn.execute(f"SELECT {', '.join(SCHEDULING_COLUMNS)} FROM cards WHERE id = ?",
                           (card_id,)).fetchone()
    return dict(zip(SCHEDULING_COLUMNS, row))


def test_the_review_screen_undoes_its_answer_renumbered_by_a_sync(collection):
    with Collection.open(collection) as col:
        session, engine, card_id = _answered_in_session(col)
        old_id = session.answers[-1].review_id
        _phone_answer(col, card_id, NOW - timedelta(hours=1))
        # the sync killed before its push: the replayed answer is not in Anki yet
        new_id, = [r for (r,) in col.conn.execute(
            "SELECT id FROM reviews WHERE card_id = ? AND id NOT IN"
            " (SELECT review_id FROM anki_log)", (card_id,))]
        assert new_id != old_id
        phone_state = col.conn.execute(
            "SELECT state_after FROM reviews WHERE id = (SELECT review_id FROM anki_log)"
        ).fetchone()[0]
        undone = session.undo(engine)
        assert undone.done, undone.reason
        assert (undone.card_id, undone.rating) == (card_id, 3)
        # only the phone's answer is left, and the card is as that answer left it
        assert col.conn.execute("SELECT count(*) FROM reviews WHERE card_id = ?",
                                (card_id,)).fetchone()[0] == 1
        after_phone = json.loads(phone_state)
        assert _columns(col, card_id) == {c: after_phone[c] for c in SCHEDULING_COLUMNS}
        assert session.answers == []


def test_a_renumbered_answer_already_sent_to_anki_is_refused_and_still_counted(collection):
    with Collection.open(collection) as col:
        session, engine, card_id = _answered_in_session(col)
        merge.ensure_tables(col)
        merge.assign_guids(col)
        # pushed by an earlier sync, then the phone's earlier answer arrives
        merge.record_pushed(col, [(int(NOW.timestamp()) * 1000, session.answers[-1].review_id)])
        _phone_answer(col, card_id, NOW - timedelta(hours=1))
        undone = session.undo(engine)
        assert not undone.done
        assert "in Anki already" in undone.reason
        assert "elsewhere" not in undone.reason
        assert col.conn.execute("SELECT count(*) FROM reviews WHERE card_id = ?",
                                (card_id,)).fetchone()[0] == 2
        # still this session's answer: counted in its summary
        assert len(session.answers) == 1
        assert session.summary().by_rating[3] == 1


def test_the_engine_follows_a_review_id_renumbered_twice(collection):
    with Collection.open(collection) as col:
        session, engine, card_id = _answered_in_session(col)
        old_id = session.answers[-1].review_id
        _phone_answer(col, card_id, NOW - timedelta(hours=2))
        _phone_answer(col, card_id, NOW - timedelta(hours=1))  # renumbered again
        undone = engine.undo(review_id=old_id)
        assert undone.done, undone.reason
        assert col.conn.execute("SELECT count(*) FROM reviews WHERE card_id = ?",
                                (card_id,)).fetchone()[0] == 2


def test_the_command_line_undo_takes_back_the_renumbered_answer(cli, collection):
    card_id = cli("--collection", collection, "next", "--json").json["card"]["id"]
    assert cli("--collection", collection, "answer", card_id, "good").code == 0
    with Collection.open(collection) as col:
        _phone_answer(col, card_id, NOW - timedelta(hours=1))
    result = cli("--collection", collection, "undo")
    assert result.code == 0, result.out + result.err
    log = cli("--collection", collection, "log", "--limit", "0", "--json").json
    assert [r["rating"] for r in log if r["card"] == card_id] == ["again"]


REPLAY = """
import sys
from flashdeck.ankisync import merge
from flashdeck.ankisync.mirror import RevlogEntry
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config

path, card_id, at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with Collection.open(path) as col:
    merge.ensure_tables(col)
    guid = merge.assign_guids(col)[card_id]
    entry = RevlogEntry(revlog_id=at * 1000 + 7, guid=guid, ease=1, duration_ms=4000)
    assert merge.pull(col, [entry], Config(fuzz=False)).reviews == 1
"""


def test_u_on_the_review_screen_takes_back_the_answer_a_sync_renumbered(tmp_path):
    """The review screen open; in another terminal a sync (killed before its push) pulls a
    phone's earlier answer to the card just answered; `u` takes the answer back."""
    import asyncio
    import subprocess
    import sys

    from support.tui import NOW as SCREEN_NOW
    from support.tui import SIZE, app_for, make_collection, reviews, screen_text

    path = make_collection(tmp_path / "c.sqlite")

    async def run() -> None:
        app = app_for(path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("space", "3")
            await pilot.pause()
            assert reviews(path) == [(1, 3)]
            done = subprocess.run(
                [sys.executable, "-c", REPLAY, str(path), "1",
                 str(int((SCREEN_NOW - timedelta(hours=1)).timestamp()))],
                capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            assert reviews(path) == [(1, 1), (1, 3)]  # the phone's first, ours replayed
            await pilot.press("u")
            await pilot.pause()
            text = screen_text(app)
            assert "Undid Good." in text, text
            assert "elsewhere" not in text
            assert reviews(path) == [(1, 1)]

    asyncio.run(run())


def test_the_command_line_undo_means_the_last_answer_given_here_not_a_phone_s(cli,
                                                                               collection):
    """A sync (killed before its push) pulls a phone's answer to another card after the
    answer given here: it is logged last, but `flashdeck undo` takes back the one given
    here; once pushed, it names that one as in Anki."""
    cards = [c["id"] for c in cli("--collection", collection, "list", "--json").json]
    mine = cli("--collection", collection, "next", "--json").json["card"]["id"]
    other = next(c for c in cards if c != mine)
    assert cli("--collection", collection, "answer", mine, "good").code == 0
    with Collection.open(collection) as col:
        _phone_answer(col, other, NOW - timedelta(hours=1))
    result = cli("--collection", collection, "undo", "--json")
    assert result.json["undone"] == {"card": mine, "rating": "good"}, result.out
    assert cli("--collection", collection, "answer", mine, "hard").code == 0
    with Collection.open(collection) as col:
        review_id, = col.conn.execute("SELECT max(id) FROM reviews WHERE card_id = ?",
                                      (mine,)).fetchone()
        merge.record_pushed(col, [(int(NOW.timestamp()) * 1000 + 1, review_id)])
        _phone_answer(col, other, NOW - timedelta(minutes=30))
    result = cli("--collection", collection, "undo")
    assert f"hard on card {mine}" in result.out and "in Anki already" in result.out, \
        result.out
