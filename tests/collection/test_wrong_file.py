"""A path that names some other file as the collection (a note, an Anki collection, another
program's database). Before: "X: not a flashdeck collection", no word of what to do (and an
Anki user who pointed --collection at collection.anki2 was not told that flashdeck reaches
Anki another way). Now the line says what the file is, that it was left as it is, and what
to give instead; exit 2, the file byte for byte unchanged, nothing created beside it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

WHAT_TO_DO = ("left as it is; give --collection (or FLASHDECK_COLLECTION) the path of your"
              " flashdeck collection")


def _anki(path: Path) -> None:
    conn = sqlite3.connect(path)
    for table in ("col", "notes", "cards", "revlog", "graves"):
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()


def _songs(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.execute("INSERT INTO songs VALUES ('Clair de lune')")
    conn.commit()
    conn.close()


def _note(path: Path) -> None:
    path.write_text("---\ntags: [flashcards]\n---\nMean::the sum divided by the count\n")


@pytest.mark.parametrize("name, make, said", [
    ("collection.anki2", _anki, "an Anki collection, not a flashdeck one (flashdeck reaches"
                                " Anki by `flashdeck export anki` and `flashdeck sync`)"),
    ("music.db", _songs, "not a flashdeck collection (another program's database)"),
    ("Mean.md", _note, "not a flashdeck collection (not SQLite)"),
])
@pytest.mark.parametrize("command", [["due"], ["list"], ["doctor"], ["answer", "1", "good"],
                                     ["import", "{notes}"]])
def test_another_file_given_as_the_collection(cli, tmp_path, name, make, said, command):
    folder = tmp_path / "files"
    folder.mkdir()
    target = folder / name
    make(target)
    before = target.read_bytes()
    notes = tmp_path / "notes"
    notes.mkdir()
    _note(notes / "Mean.md")
    result = cli("--collection", target, *[a.format(notes=notes) for a in command])
    assert result.code == 2 and result.out == ""
    assert result.err == f"flashdeck: {target}: {said}; {WHAT_TO_DO}\n"
    assert target.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [name]


@pytest.mark.parametrize("how", ["--collection", "FLASHDECK_COLLECTION"])
def test_review_of_a_collection_that_is_not_there_creates_nothing(cli, tmp_path, monkeypatch,
                                                                  how):
    """Before: `flashdeck review` with a mistyped --collection (or FLASHDECK_COLLECTION, or
    a disk not mounted) made the folders and an empty collection there, and the screen said
    "No cards yet". Now it is refused as by every other command, before any screen."""
    missing = tmp_path / "Dropbox" / "flashdeck" / "colection.sqlite"
    if how == "FLASHDECK_COLLECTION":
        monkeypatch.setenv("FLASHDECK_COLLECTION", str(missing))
        result = cli("review")
    else:
        result = cli("--collection", missing, "review")
    assert result.code == 2 and result.out == ""
    assert result.err == (f"flashdeck: no collection at {missing}; `flashdeck import NOTES`"
                          " creates one\n")
    assert not (tmp_path / "Dropbox").exists()


def _collection(cli, tmp_path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir(exist_ok=True)
    _note(notes / "Mean.md")
    target = tmp_path / "c.sqlite"
    assert cli("--collection", target, "import", notes).code == 0
    assert cli("--collection", target, "answer", "1", "good").code == 0
    return target


@pytest.mark.parametrize("value", ["0", "-3", "abc"])
def test_a_damaged_schema_version_is_one_line_and_nothing_is_made(cli, tmp_path, value):
    """Before: '0' read as "an empty file, not a flashdeck collection" (a collection of
    cards and answers), and '-3' crashed ("internal error: KeyError: -3") after leaving a
    backup named c.sqlite.v-3.bak."""
    target = _collection(cli, tmp_path)
    conn = sqlite3.connect(target)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
    conn.commit()
    conn.close()
    before = target.read_bytes()
    for command in (["due"], ["doctor"], ["answer", "1", "good"], ["import", tmp_path / "notes"]):
        result = cli("--collection", target, *command)
        assert result.code == 2 and result.out == "", command
        assert result.err == (f"flashdeck: {target}: damaged schema version {value!r} (no"
                              " flashdeck writes it); restore a backup copy (a .bak file next"
                              " to it)\n"), command
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite", "notes"]


def test_a_missing_table_is_not_offered_as_fixable_through_its_indexes(cli, tmp_path):
    """Before: with the review log's table gone, `doctor` listed its 3 indexes and 6
    triggers as "fixable: flashdeck doctor --fix", and `--fix` made a backup, then failed
    ("no such table: main.reviews", exit 2). Now the table is the one problem, not fixable,
    and `--fix` changes nothing."""
    target = _collection(cli, tmp_path)
    conn = sqlite3.connect(target)
    conn.execute("DROP TABLE reviews")
    conn.commit()
    conn.close()
    found = cli("--collection", target, "doctor", "--json")
    assert found.code == 1
    schema = [p for p in found.json["problems"] if p["check"] in ("schema", "index", "trigger")]
    assert schema == [{"check": "schema", "message": "table reviews is missing", "card": None,
                       "fixable": False}]
    fixed = cli("--collection", target, "doctor", "--fix")
    assert fixed.code == 1 and fixed.err == ""
    assert "problem: table reviews is missing" in fixed.out and "fixed:" not in fixed.out


def test_the_stats_kept_counts_table_missing_is_fixable_and_counted_again(cli, tmp_path,
                                                                          monkeypatch):
    """With the stats' kept day counts (stats_days, made from the log alone) gone from the
    file, `stats` said "cannot use the collection: no such table: stats_days" and `doctor
    --fix` could not fix it ("table stats_days is missing", not fixable). Now `stats` says
    to run `doctor`, which makes the table anew; the figures are the log's."""
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-20T09:00:00+01:00")
    target = _collection(cli, tmp_path)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+01:00")
    expected = cli("--collection", target, "stats", "--json")
    assert expected.code == 0 and expected.json["heatmap"]["total"] == 1
    conn = sqlite3.connect(target)
    conn.execute("DROP TABLE stats_days")
    conn.commit()
    conn.close()
    stats = cli("--collection", target, "stats")
    assert (stats.code, stats.out) == (2, "")
    assert stats.err == (f"flashdeck: {target}: cannot use the collection: no such table:"
                         " stats_days; run `flashdeck doctor`\n")
    found = cli("--collection", target, "doctor", "--json")
    assert [p for p in found.json["problems"] if p["check"] == "schema"] == [
        {"check": "schema", "message": "table stats_days is missing", "card": None,
         "fixable": True}]
    fixed = cli("--collection", target, "doctor", "--fix")
    assert fixed.code == 0, fixed.out + fixed.err
    assert "fixed: recreated table stats_days (counted again from the review log)" in fixed.out
    assert cli("--collection", target, "stats", "--json").json == expected.json
    assert cli("--collection", target, "doctor").code == 0


def _set_schema_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.commit()
    conn.close()


def _schema_version(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    finally:
        conn.close()


def test_a_schema_version_set_back_by_hand_over_a_column_already_there(cli, tmp_path):
    """A current collection whose schema_version was set back to 11 by hand: the upgrade
    finds the column it adds already there and goes on (it failed with SQLite's
    "duplicate column name: named"); the cards and their reviews are all there."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Rivers.md").write_text("#flashcards\n\nLongest river::the Nile\n\n"
                                     "Largest by discharge::the Amazon\n", encoding="utf-8")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    assert cli("--collection", col, "answer", "1", "good").code == 0
    _set_schema_version(col, 11)

    listed = cli("--collection", col, "list")
    assert listed.code == 0, listed.err
    assert "duplicate column" not in listed.err
    assert [line.split()[-1] for line in listed.out.splitlines()] == ["river", "discharge"]
    assert _schema_version(col) == "13"
    assert "good    10m         new → learning" in cli("--collection", col, "info", "1").out


def test_a_schema_version_set_further_back_is_said_in_words_and_nothing_changes(cli, tmp_path):
    """Set back past a migration that would remake a table or index the file has: a line
    saying the version does not match the tables and what to do; the file as it was."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Rivers.md").write_text("#flashcards\n\nLongest river::the Nile\n", encoding="utf-8")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    for version in (5, 10):
        _set_schema_version(col, version)
        before = col.read_bytes()
        result = cli("--collection", col, "list")
        assert result.code == 2
        assert result.err.startswith(f"flashdeck: {col}: its schema_version says {version},"
                                     f" but its tables are not those of version {version}")
        assert "set its schema_version (table meta) back to the version of its tables" \
            in result.err
        assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
        assert col.read_bytes() == before
