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
