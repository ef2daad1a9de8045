"""`anki_renumbered` (an answer of ours a sync logged again under a new id, after a phone's
earlier answer to the card was pulled) is kept only while an undo can still reach the
answer: the sync of a later day drops it. It used to grow with every sync for ever."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from support.notes import write_note
from support.syncserver import synced

NOTE = "#flashcards/ml\n\nPrecision::TP / (TP + FP)\n"


def imported_and_synced(cli, tmp_path, server):
    """A collection of NOTE's one card, synced once: its path and the card's id."""
    write_note(tmp_path / "vault", "Precision.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    synced(cli, path, server)
    return path, cli("--collection", path, "list", "--json").json[0]["id"]


def renumbered(path) -> list[tuple[int, int]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT old_id, new_id FROM anki_renumbered").fetchall()
    finally:
        conn.close()


def test_a_later_day_s_sync_drops_renumberings_no_undo_can_reach(cli, tmp_path, server,
                                                                  sync_env, phone_at,
                                                                  monkeypatch):
    path, card = imported_and_synced(cli, tmp_path, server)
    phone = phone_at()
    phone.sync()
    assert phone.answer(1, ease=1) == ["<p>Precision</p>"]  # at the real time
    phone.sync()

    # answered here an hour after the phone's answer, before the sync that pulls it
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    monkeypatch.setenv("FLASHDECK_NOW", later.isoformat())
    assert cli("--collection", path, "answer", card, "good").code == 0
    mine = cli("--collection", path, "log", "--json").json[-1]["id"]
    synced(cli, path, server)
    log = cli("--collection", path, "log", "--limit", "0", "--json").json
    assert [(r["card"], r["rating"]) for r in log] == [(card, "again"), (card, "good")]
    new_id = log[-1]["id"]
    assert new_id != mine and renumbered(path) == [(mine, new_id)]

    # the same day: kept (an open review screen's undo finds the answer by it)
    monkeypatch.setenv("FLASHDECK_NOW", (later + timedelta(hours=2)).isoformat())
    synced(cli, path, server)
    assert renumbered(path) == [(mine, new_id)]

    # three days on: no undo reaches that answer, and the sync drops it; history is whole
    monkeypatch.setenv("FLASHDECK_NOW", (later + timedelta(days=3)).isoformat())
    synced(cli, path, server)
    assert renumbered(path) == []
    assert cli("--collection", path, "log", "--limit", "0", "--json").json == log
    assert cli("--collection", path, "doctor", "--json").json["ok"]
