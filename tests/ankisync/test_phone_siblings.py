"""A card answered on the phone holds its siblings back in flashdeck that day, and the
counts flashdeck shows after the sync are the cards it then asks."""

from __future__ import annotations

from support.notes import write_note

NOTE = """---
tags: [flashcards/lang]
---
# Wörter

Der Hund:::the dog

Die Katze::the cat
"""


def test_a_sibling_answered_on_the_phone_is_held_back_after_the_sync(
        cli, tmp_path, server, sync_env, phone_at):
    write_note(tmp_path / "vault", "Wörter.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    sync = ("--collection", a, "sync", "--endpoint", server.endpoint, "--user", server.user)
    assert cli(*sync).code == 0
    assert cli("--collection", a, "next", "--json").json["counts"]["new"] == 2  # two blocks
    phone = phone_at()
    phone.sync()
    [front] = phone.answer(1)
    phone.sync()
    assert cli(*sync).code == 0
    nxt = cli("--collection", a, "next", "--json").json
    assert nxt["counts"] == {"new": 1, "learning": 1, "review": 0}
    asked = []
    while (nxt := cli("--collection", a, "next", "--json").json)["card"] and (
            nxt["card"]["state"] == "new"):
        asked.append(nxt["card"]["front"])
        assert cli("--collection", a, "answer", nxt["card"]["id"], "good").code == 0
    # the other block's card, never the answered card's sibling
    siblings = {"Der Hund", "the dog"}
    on_the_phone = any(side in front for side in siblings)  # the mirror's HTML of it
    assert len(asked) == 1 and (asked[0] in siblings) != on_the_phone
