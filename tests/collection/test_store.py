"""The collection file: creation, schema upgrades with a backup, refusing what it can't use."""

from __future__ import annotations

import sqlite3

import pytest

from support.schema import make_v1
from flashdeck.collection.store import SCHEMA_VERSION, Collection
from flashdeck.errors import CollectionError


def test_a_new_collection_is_at_the_current_version(tmp_path):
    with Collection.open(tmp_path / "c.sqlite") as col:
        assert col.schema_version() == SCHEMA_VERSION
        assert col.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {r[0] for r in col.conn.execute("SELECT name FROM sqlite_master"
                                                   " WHERE type = 'index'")}
        assert "cards_new" in indexes


def test_an_old_collection_is_backed_up_then_upgraded(tmp_path):
    path = tmp_path / "c.sqlite"
    make_v1(path)
    with Collection.open(path) as col:
        assert col.schema_version() == SCHEMA_VERSION
        assert col.conn.execute("SELECT front FROM cards").fetchone()[0] == "Q"
    backup = tmp_path / "c.sqlite.v1.bak"
    assert backup.exists()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT value FROM meta").fetchone()[0] == "1"
        assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 1


def test_a_collection_from_a_newer_flashdeck_is_refused_untouched(tmp_path):
    path = tmp_path / "c.sqlite"
    Collection.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = path.read_bytes()
    with pytest.raises(CollectionError, match="newer flashdeck"):
        Collection.open(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"plain text, not a database\n", b"\x00" * 4096])
def test_a_file_that_is_not_a_collection_is_refused(tmp_path, content):
    path = tmp_path / "c.sqlite"
    path.write_bytes(content)
    with pytest.raises(CollectionError, match="not a flashdeck collection"):
        Collection.open(path)
    assert path.read_bytes() == content


def test_another_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
    with pytest.raises(CollectionError, match="not a flashdeck collection"):
        Collection.open(path)


def test_a_collection_in_a_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CollectionError, match="cannot create the collection's folder"):
        Collection.open(blocker / "sub" / "c.sqlite")


def test_an_upgraded_collection_still_gives_a_restored_note_its_orphaned_cards(tmp_path, cli):
    """v5 keeps content keys only for orphans; an orphan from before the upgrade is found."""
    from flashdeck.collection.card_rows import content_hash
    from flashdeck.notes.model import ParsedCard

    vault = tmp_path / "vault"
    (vault / "old").mkdir(parents=True)
    path = tmp_path / "c.sqlite"
    make_v1(path)
    key = content_hash(ParsedCard("basic", "What is recall?", "tp/(tp+fn)", 1, "flashcards", "L1"))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sources SET path = ?", (str(vault),))
        conn.execute("UPDATE notes SET relpath = 'old/Misc.md', present = 0")
        conn.execute("UPDATE cards SET front = 'What is recall?', back = 'tp/(tp+fn)',"
                     " ckey = ?, orphaned = 1, reps = 3", (key,))
    (vault / "Misc.md").write_text("#flashcards\n\nWhat is recall?::tp/(tp+fn)\n")
    result = cli("--collection", path, "import", "--json", vault)
    assert result.code == 0, result.err
    assert result.json["cards"]["added"] == 0
    cards = cli("--collection", path, "list", "--json").json
    assert [(c["id"], c["front"]) for c in cards] == [(1, "What is recall?")]


def test_upgrading_keeps_the_review_log_and_its_ids(tmp_path):
    path = tmp_path / "c.sqlite"
    make_v1(path)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO reviews (id, card_id, reviewed_at, rating, duration_ms, state_before,"
            " state_after) VALUES (?, 1, ?, 3, 900, '{}', '{}')", [(4, 100), (9, 200)])
    with Collection.open(path) as col:
        rows = col.conn.execute("SELECT id, reviewed_at, rating FROM reviews ORDER BY id")
        assert [tuple(r) for r in rows] == [(4, 100, 3), (9, 200, 3)]
        col.conn.execute("DELETE FROM reviews WHERE id = 9")  # an undo of the last answer
        new_id = col.conn.execute(
            "INSERT INTO reviews (card_id, reviewed_at, rating, state_before, state_after)"
            " VALUES (1, 300, 3, '{}', '{}')").lastrowid
        assert new_id == 10


def test_an_upgrade_another_process_finished_first_keeps_the_old_versions_backup(
        tmp_path, monkeypatch):
    """Two flashdecks opening an old collection at once: one reads the version, the other
    backs up and upgrades before the first takes its copy. The backup named after the old
    version must still hold the old version (the first one's copy of the upgraded file
    replaced it: the pre-upgrade copy was gone)."""
    path = tmp_path / "c.sqlite"
    make_v1(path)
    migrate = Collection._migrate
    raced = []

    def other_process_first(self, version):
        if not raced:
            raced.append(version)
            Collection.open(path).close()  # the other flashdeck: backs up and upgrades
        migrate(self, version)

    monkeypatch.setattr(Collection, "_migrate", other_process_first)
    with Collection.open(path) as col:
        assert col.schema_version() == SCHEMA_VERSION
        assert col.conn.execute("SELECT front FROM cards").fetchone()[0] == "Q"
    assert raced == [1]
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == ["c.sqlite.v1.bak"]
    with sqlite3.connect(tmp_path / "c.sqlite.v1.bak") as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                            ).fetchone()[0] == "1"
        assert conn.execute("SELECT front FROM cards").fetchone()[0] == "Q"
