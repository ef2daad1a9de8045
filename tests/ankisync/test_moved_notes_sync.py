"""A note moved or renamed in the vault between two syncs, and two vaults holding a note at
the same relative path (PRODUCT.md §2, §5b). A card's GUID is derived from its note's path
once, when it is first synced, and kept with the card from then on: the card that keeps its
id through a move keeps its Anki note, and so the phone's history; no duplicate is made."""

from __future__ import annotations

import sqlite3

from support.notes import write_note
from support.syncserver import synced

NOTE = "#flashcards/geo\n\nCapital of France::Paris\n\nCapital of Peru::Lima\n"


def log(cli, path) -> list[tuple[int, str]]:
    return [(r["card"], r["rating"]) for r in
            cli("--collection", path, "log", "--limit", "0", "--json").json]


def guids(path) -> dict[int, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT card_id, guid FROM anki_cards"))
    finally:
        conn.close()


def test_a_note_moved_and_renamed_between_syncs_keeps_its_anki_notes_and_history(
        cli, tmp_path, server, sync_env, phone_at):
    vault, path = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "europe/Capitals.md", NOTE)
    assert cli("--collection", path, "import", vault).code == 0
    synced(cli, path, server)
    phone = phone_at()
    phone.sync()
    assert phone.answer(1, ease=3) == ["<p>Capital of France</p>"]
    phone.sync()
    synced(cli, path, server)
    cards = {c["front"]: c["id"] for c in cli("--collection", path, "list", "--json").json}
    assert log(cli, path) == [(cards["Capital of France"], "good")]
    before = guids(path)

    (vault / "europe/Capitals.md").rename(vault / "World capitals.md")
    (vault / "europe").rmdir()
    assert cli("--collection", path, "import", vault).code == 0
    assert {c["front"]: c["id"] for c in cli("--collection", path, "list", "--json").json} \
        == cards
    synced(cli, path, server)
    phone.sync()
    assert guids(path) == before
    assert phone.col.db.scalar("SELECT count() FROM notes") == 2
    # the phone's card keeps its answer, and the source field names the note's new path
    assert phone.revlog() == 1
    sources = sorted(phone.col.db.list("SELECT flds FROM notes"))
    assert all("World capitals.md" in flds for flds in sources), sources

    # answered on the phone after the move: lands on the same card here
    assert phone.answer(1, ease=3) == ["<p>Capital of Peru</p>"]
    phone.sync()
    synced(cli, path, server)
    assert sorted(log(cli, path)) == sorted([(cards["Capital of France"], "good"),
                                             (cards["Capital of Peru"], "good")])
    assert cli("--collection", path, "doctor").code == 0


def test_two_vaults_with_a_note_at_the_same_path_are_two_anki_notes(
        cli, tmp_path, server, sync_env, phone_at):
    path = tmp_path / "c.sqlite"
    for name in ("work", "home"):
        write_note(tmp_path / name, "Capitals.md", NOTE)
        assert cli("--collection", path, "import", tmp_path / name).code == 0
    assert len(cli("--collection", path, "list", "--json").json) == 4
    synced(cli, path, server)
    assert len(set(guids(path).values())) == 4
    phone = phone_at()
    phone.sync()
    assert phone.col.db.scalar("SELECT count() FROM notes") == 4
    answered = phone.answer(2, ease=3)
    phone.sync()
    synced(cli, path, server)
    # each phone answer is on its own card here, once
    entries = log(cli, path)
    assert len(entries) == 2 and len({card for card, _ in entries}) == len(answered)
    assert cli("--collection", path, "doctor").code == 0

