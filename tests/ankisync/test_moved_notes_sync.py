"""A note moved or renamed in the vault between two syncs, and two vaults holding a note at
the same relative path (PRODUCT.md §2, §5b). A card's GUID is derived from its note's path
once, when it is first synced, and kept with the card from then on: the card that keeps its
id through a move keeps its Anki note, and so the phone's history; no duplicate is made."""

from __future__ import annotations

from support.notes import write_note
from support.syncserver import anki_guids as guids, synced

NOTE = "#flashcards/geo\n\nCapital of France::Paris\n\nCapital of Peru::Lima\n"


def log(cli, path) -> list[tuple[int, str]]:
    return [(r["card"], r["rating"]) for r in
            cli("--collection", path, "log", "--limit", "0", "--json").json]


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



def fronts_logged(cli, path) -> list[tuple[str, str]]:
    fronts = {c["id"]: c["front"] for c in cli("--collection", path, "list", "--json").json}
    return sorted((fronts[card], rating) for card, rating in log(cli, path))


def test_a_second_flashdeck_syncing_first_after_a_move_takes_the_anki_notes_of_its_cards(
        cli, tmp_path, server, sync_env, phone_at):
    """Machine B syncs for the first time after a note moved: its cards' GUIDs, derived from
    the new path, named no Anki note, so it added a second note of each (the phone showed
    every card twice) and never got the phone's answers to A's. Each card now takes the
    Anki note no card of B's claims that holds its content."""
    vault, a, b = tmp_path / "vault", tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_note(vault, "europe/Capitals.md", NOTE)
    write_note(vault, "zz/Rivers.md", "#flashcards/geo\n\nLongest river in France::Loire\n")
    assert cli("--collection", a, "import", vault).code == 0
    synced(cli, a, server)
    phone = phone_at()
    phone.sync()
    assert phone.answer(1, ease=3) == ["<p>Capital of France</p>"]  # the first note's first
    phone.sync()
    synced(cli, a, server)

    (vault / "europe/Capitals.md").rename(vault / "World capitals.md")
    assert cli("--collection", b, "import", vault).code == 0
    synced(cli, b, server)
    phone.sync()
    assert phone.col.db.scalar("SELECT count() FROM notes") == 3
    assert fronts_logged(cli, b) == [("Capital of France", "good")]
    assert cli("--collection", b, "doctor").code == 0

    # A imports the move too; everyone's answers reach everyone, once
    assert cli("--collection", a, "import", vault).code == 0
    assert phone.answer(1, ease=3) == ["<p>Capital of Peru</p>"]
    phone.sync()
    for path in (a, b, a):
        synced(cli, path, server)
    phone.sync()
    assert phone.col.db.scalar("SELECT count() FROM notes") == 3
    assert phone.revlog() == 2
    expected = [("Capital of France", "good"), ("Capital of Peru", "good")]
    assert fronts_logged(cli, a) == expected and fronts_logged(cli, b) == expected
    assert set(guids(a).values()) == set(guids(b).values())


def test_a_second_flashdeck_never_takes_an_anki_note_one_of_its_cards_holds(
        cli, tmp_path, server, sync_env, phone_at):
    """Two cards of one content in two notes: each keeps an Anki note of its own; a note
    B's card has by its path is never taken by another card of B's."""
    vault, a, b = tmp_path / "vault", tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_note(vault, "Capitals.md", NOTE)
    write_note(vault, "Quiz.md", NOTE)
    assert cli("--collection", a, "import", vault).code == 0
    synced(cli, a, server)
    (vault / "Quiz.md").rename(vault / "Quiz 2026.md")
    write_note(vault, "Copy.md", NOTE)  # a third copy: a note of its own
    assert cli("--collection", b, "import", vault).code == 0
    synced(cli, b, server)
    phone = phone_at()
    phone.sync()
    assert phone.col.db.scalar("SELECT count() FROM notes") == 6
    assert len(set(guids(b).values())) == 6

    def by_note(path) -> dict[tuple[str, str], str]:
        of = guids(path)
        return {(c["note"].rsplit("/", 1)[1], c["front"]): of[c["id"]]
                for c in cli("--collection", path, "list", "--json").json}
    in_a, in_b = by_note(a), by_note(b)
    for front in ("Capital of France", "Capital of Peru"):
        assert in_b["Capitals.md", front] == in_a["Capitals.md", front]
        assert in_b["Quiz 2026.md", front] == in_a["Quiz.md", front]  # the closer path
        assert in_b["Copy.md", front] not in in_a.values()
