"""A review screen left open over more than a day's change (a laptop's lid shut over a
weekend), then a sync: an answer given on it that the sync logged again under a new id (a
phone's earlier answer to the card pulled in before it) lost the link from its old id once a
later day's sync dropped it (`prune_renumbered`). The screen's `u` then said "Your last
answer was undone elsewhere already" of an answer still in the log, dropped it from the
sitting, and the summary counted one answer less. Nothing was undone: it is in Anki, and
undo says so."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.tui.session import Session
from support.notes import write_note
from support.syncserver import synced

NOTE = "#flashcards/ml\n\nPrecision::TP / (TP + FP)\n"


def test_an_answer_of_a_screen_open_for_days_is_not_called_undone_after_a_sync(
        cli, tmp_path, server, sync_env, phone_at, monkeypatch):
    write_note(tmp_path / "vault", "Precision.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    synced(cli, path, server)
    phone = phone_at()
    phone.sync()
    assert phone.answer(1, ease=1) == ["<p>Precision</p>"]  # at the real time
    phone.sync()

    # the review screen, an hour after the phone's answer: one answer, and it stays open
    later = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=1)
    with Collection.open(path) as col:
        session = Session(col, Config(fuzz=False), now=lambda: later, monotonic=lambda: 0.0)
        engine = session.engine()
        card = engine.next_card()
        session.answer(engine, card.id, 3, shown_at=0.0)

        # the same day's sync pulls the phone's answer (ours is logged again after it) and
        # pushes ours; three days on, another sync
        monkeypatch.setenv("FLASHDECK_NOW", (later + timedelta(minutes=5)).isoformat())
        synced(cli, path, server)
        monkeypatch.setenv("FLASHDECK_NOW", (later + timedelta(days=3)).isoformat())
        synced(cli, path, server)
        log = cli("--collection", path, "log", "--limit", "0", "--json").json
        assert [(r["card"], r["rating"]) for r in log] == [(card.id, "again"),
                                                           (card.id, "good")]

        undone = session.undo(engine)
        assert not undone.done
        assert "elsewhere" not in undone.reason
        assert "in Anki already" in undone.reason
        assert len(session.answers) == 1  # still this sitting's answer
        summary = session.summary()
        assert summary.done == 1 and summary.by_rating[3] == 1
    assert cli("--collection", path, "log", "--limit", "0", "--json").json == log
