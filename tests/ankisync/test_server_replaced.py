"""The server's collection replaced by a phone's (the phone answered "Upload to AnkiWeb" when
Anki asked for a one-way sync): answers the server had and that phone lacked are gone from
the server. flashdeck has every one of them in its log (pulled or its own); the next sync
gives them back to the server, so every device's history is whole again, each answer once."""

from __future__ import annotations

from support.notes import write_note

NOTE = """---
tags: [flashcards/ml]
summary: The harmonic mean of precision and recall.
---
# F1 Score

$$F_1 = \\frac{2 \\cdot P \\cdot R}{P + R}$$

Precision::$\\frac{TP}{TP + FP}$

Recall::$\\frac{TP}{TP + FN}$

### When is F1 better than accuracy?
When the classes are imbalanced: F1 ignores the true negatives.
"""


def test_answers_a_phone_s_full_upload_wiped_from_the_server_are_sent_again(
        cli, tmp_path, server, sync_env, phone_at):
    write_note(tmp_path / "vault", "F1 Score.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    args = ["--collection", a, "sync", "--endpoint", server.endpoint, "--user", server.user]
    card = cli("--collection", a, "next", "--json").json["card"]
    assert cli("--collection", a, "answer", card["id"], "good").code == 0
    assert cli(*args).code == 0

    old_phone, new_phone = phone_at("old phone"), phone_at("new phone")
    old_phone.sync()
    new_phone.sync()
    new_phone.answer(2)  # pulled by flashdeck, then wiped from the server
    new_phone.sync()
    result = cli(*args)
    assert result.code == 0, result.err
    assert "2 reviews from Anki" in result.out
    card = cli("--collection", a, "next", "--json").json["card"]
    assert cli("--collection", a, "answer", card["id"], "good").code == 0  # sent, then wiped
    assert cli(*args).code == 0
    assert len(cli("--collection", a, "log", "--limit", "0", "--json").json) == 4

    # the old phone (1 answer) answers one more and replaces the server's collection
    old_phone.answer(1)
    old_phone.col.close_for_full_sync()
    old_phone.col.full_upload_or_download(auth=old_phone.auth, server_usn=None, upload=True)
    old_phone.col.reopen(after_full_sync=True)

    result = cli(*args)
    assert result.code == 0, result.err
    assert "1 review from Anki" in result.out
    history = cli("--collection", a, "log", "--limit", "0", "--json").json
    assert len(history) == 5  # every answer, once
    assert cli("--collection", a, "doctor").code == 0

    # and the server has them all again: each phone gets the five, none twice
    for phone in (old_phone, new_phone):
        phone.sync()
        assert phone.revlog() == 5
    assert "0 reviews from Anki, 0 to Anki" in cli(*args).out
    assert len(cli("--collection", a, "log", "--limit", "0", "--json").json) == 5


def test_answers_sent_again_after_a_full_download_keep_their_revlog_ids(
        cli, tmp_path, server, sync_env, phone_at, monkeypatch):
    """Two flashdecks on one account: A's answers (three in one second, as a script gives
    them) reach B; then a phone that never had them replaces the server's collection. A
    sends its own again and B the ones it pulled: each under the revlog id it had, so the
    server, both flashdecks and a new phone hold each answer once, never a second copy."""
    import sqlite3

    write_note(tmp_path / "vault", "F1 Score.md", NOTE)
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for path in (a, b):
        assert cli("--collection", path, "import", tmp_path / "vault").code == 0

    def sync(path):
        result = cli("--collection", path, "sync", "--endpoint", server.endpoint, "--user",
                     server.user)
        assert result.code == 0, result.err
        return result

    def revlog_ids(path) -> list[int]:
        conn = sqlite3.connect(path)
        try:
            return [rid for (rid,) in conn.execute(
                "SELECT revlog_id FROM anki_log ORDER BY revlog_id")]
        finally:
            conn.close()

    sync(a)
    old_phone = phone_at("old phone")
    old_phone.sync()
    monkeypatch.setenv("FLASHDECK_NOW", "2026-12-01T10:00:00+00:00")
    for _ in range(3):
        card = cli("--collection", a, "next", "--json").json["card"]
        assert cli("--collection", a, "answer", card["id"], "again").code == 0
    monkeypatch.delenv("FLASHDECK_NOW")
    sync(a)
    sent = revlog_ids(a)
    assert len(sent) == 3 and "3 reviews from Anki" in sync(b).out

    old_phone.answer(1)
    old_phone.col.close_for_full_sync()
    old_phone.col.full_upload_or_download(auth=old_phone.auth, server_usn=None, upload=True)
    old_phone.col.reopen(after_full_sync=True)
    for path in (a, b, a, b):
        sync(path)
    new_phone = phone_at("new phone")
    new_phone.sync()
    on_server = sorted(new_phone.col.db.list("SELECT id FROM revlog"))
    assert len(on_server) == 4 and set(sent) <= set(on_server)
    for path in (a, b):
        assert revlog_ids(path) == on_server
        assert len(cli("--collection", path, "log", "--limit", "0", "--json").json) == 4
        assert cli("--collection", path, "doctor").code == 0
