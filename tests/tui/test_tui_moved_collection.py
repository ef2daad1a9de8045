"""The collection file moved, renamed or replaced while the review screen has it open.

SQLite keeps writing to the file it opened, but its write-ahead log is the `-wal` file named
after the old path: before, the answers given (and reported saved) after a move, and those
given before it that were still in the log, never showed in the file where it now is, and
quitting did not bring them there either (SQLite leaves the log of a renamed file alone).
Now every write first checks that the path still names the file: a moved file takes in its
log (what was answered before the move goes with it) and the screen says that nothing more is
written; quitting brings the log in too; a file put in the old one's place is never written.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from support.tui import SIZE, app_for, make_collection, reviews, run_async, toasts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MOVED = "was moved, renamed or deleted while flashdeck had it open"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@run_async
async def test_answers_follow_a_collection_moved_while_the_screen_is_open(tmp_path):
    collection = make_collection(tmp_path / "c.sqlite")
    moved = tmp_path / "elsewhere" / "my cards.sqlite"
    moved.parent.mkdir()
    app = app_for(collection)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card
        await pilot.press("space", "3")  # Good, written before the move
        await pilot.pause()
        second = app.screen.card
        assert second.id != first.id
        os.rename(collection, moved)  # the user tidies their files meanwhile
        await pilot.press("space", "4")  # Easy: cannot reach the moved file
        await pilot.pause()
        messages = toasts(app)
        assert MOVED in messages
        assert "what was written before the move is in the file" in messages
        assert "quit and open it where it is now" in messages
        await pilot.press("s")  # suspend: the same message, no crash
        await pilot.pause()
        assert "(the card is not suspended)" in toasts(app)
    assert app.crash is None
    assert app.close_problem is None
    # the moved file holds the answer given before the move, and only that one
    assert reviews(moved) == [(first.id, 3)]
    assert not collection.exists()  # no empty collection made again at the old path


@run_async
async def test_quitting_brings_the_answers_along_to_the_moved_file(tmp_path):
    collection = make_collection(tmp_path / "c.sqlite")
    moved = tmp_path / "renamed.sqlite"
    app = app_for(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen.card
        await pilot.press("space", "1")
        await pilot.pause()
        os.rename(collection, moved)
        await pilot.press("q")  # the summary, then quit: no write after the move
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.crash is None
    assert app.close_problem is None
    assert reviews(moved) == [(first.id, 1)]


@run_async
async def test_a_file_put_in_the_collections_place_is_never_written(tmp_path):
    collection = make_collection(tmp_path / "c.sqlite")
    app = app_for(collection)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card
        await pilot.press("space", "3")
        await pilot.pause()
        # a sync tool replaces the file with another copy (a rename over it)
        other = make_collection(tmp_path / "copy" / "c.sqlite")
        os.replace(other, collection)
        second = app.screen.card
        await pilot.press("space", "1")
        await pilot.pause()
        assert "another file took the collection's place" in toasts(app)
    assert app.crash is None
    # the answer after the replacement is written nowhere: not into the file now there
    # (which SQLite reads with the old file's `-wal` log, still named after the path: what
    # was answered before it shows there, a sync tool's affair flashdeck cannot undo)
    assert (second.id, 1) not in reviews(collection)
    assert first.id != second.id


def test_the_cli_refuses_to_write_a_moved_collection_and_keeps_what_it_wrote(tmp_path):
    """The store's rule, for every command: the same connection, the file moved between
    two writes."""
    from flashdeck.collection.store import Collection
    from flashdeck.errors import CollectionError

    collection = make_collection(tmp_path / "c.sqlite")
    moved = tmp_path / "moved.sqlite"
    col = Collection.open(collection)
    with col.transaction() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('before', 'move')")
    os.rename(collection, moved)
    with pytest.raises(CollectionError, match="moved, renamed or deleted"):
        with col.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('after', 'move')")
    col.close()
    conn = sqlite3.connect(moved)
    try:
        assert conn.execute("SELECT key FROM meta WHERE key IN ('before', 'after')"
                            ).fetchall() == [("before",)]
    finally:
        conn.close()


def test_closing_a_moved_collection_says_where_its_last_answers_are_when_it_cannot_bring_them(
        tmp_path):
    """Another program reading the file (by its old name) keeps the log from being taken
    in: closing says so, naming the `-wal` file and the way to keep what it holds."""
    from flashdeck.collection.store import Collection
    from flashdeck.errors import CollectionError

    collection = make_collection(tmp_path / "c.sqlite")
    col = Collection.open(collection)
    reader = sqlite3.connect(collection, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM cards").fetchone()  # holds its snapshot
        with col.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('answered', 'before')")
        os.rename(collection, tmp_path / "moved.sqlite")
        with pytest.raises(CollectionError) as refused:
            col.close()
    finally:
        reader.close()
    said = str(refused.value)
    assert f"is still in {collection}-wal" in said
    assert f"put the file back at {collection}" in said


def test_an_import_running_when_the_collection_is_moved_stops_and_the_moved_file_is_whole(
        tmp_path):
    """A long `flashdeck import` (a real process) while the user moves the collection: the
    batches after the move went on into the log by the old name (reported imported, never
    in the moved file); now the import stops with the one line, the batches before it are in
    the moved file, and importing into it there finishes the job."""
    import sys
    import time

    from support.notes import write_note
    from support.reliability import flashdeck, spawn, wait

    vault = tmp_path / "vault"
    for n in range(2500):
        write_note(vault, f"topic {n % 25}/Term {n}.md",
                   f"---\ntags: [flashcards/terms]\nsummary: term {n} in a sentence.\n---\n"
                   f"# Term {n}\n\nTerm {n}::Meaning {n}\n")
    collection = tmp_path / "c.sqlite"
    moved = tmp_path / "moved" / "c.sqlite"
    moved.parent.mkdir()
    proc = spawn(collection, [sys.executable, "-m", "flashdeck", "import", str(vault)])
    for _ in range(6000):  # until its first batch is committed (bounded: 60 s)
        if proc.poll() is not None:
            break
        if collection.exists():
            try:
                conn = sqlite3.connect(collection, timeout=0.01)
                try:
                    notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
                finally:
                    conn.close()
            except sqlite3.Error:
                notes = 0
            if notes:
                break
        time.sleep(0.01)
    os.rename(collection, moved)
    out, err = wait(proc)
    assert proc.returncode == 2, (out, err)
    assert f"flashdeck: {collection}: the collection file was moved, renamed or deleted" \
           " while flashdeck had it open" in err
    kept = sqlite3.connect(moved)
    try:
        assert kept.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        landed = kept.execute("SELECT count(*) FROM notes").fetchone()[0]
    finally:
        kept.close()
    assert landed > 0
    # the log by the old name is left empty: a collection made there later reads none of it
    assert not Path(f"{collection}-wal").exists() or Path(f"{collection}-wal").stat().st_size == 0
    assert flashdeck(moved, "import", vault).returncode == 0
    assert flashdeck(moved, "doctor").returncode == 0
    assert len(flashdeck(moved, "list").stdout.splitlines()) >= 2500


@run_async
async def test_quitting_says_where_the_answers_are_when_they_cannot_follow_the_file(tmp_path):
    """Another program reading the collection by its old name holds the log: the answers
    given cannot be taken into the moved file, and quitting says where they are (the line
    the command prints after the summary, exit 2), never silently."""
    from flashdeck.commands.review import finish

    collection = make_collection(tmp_path / "c.sqlite")
    app = app_for(collection)
    reader = sqlite3.connect(collection, isolation_level=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM cards").fetchone()  # holds its snapshot
            await pilot.press("space", "3")
            await pilot.pause()
            os.rename(collection, tmp_path / "moved.sqlite")
            await pilot.press("q")
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
    finally:
        reader.close()
    assert app.crash is None
    assert f"is still in {collection}-wal" in app.close_problem
    assert f"put the file back at {collection}" in app.close_problem
    assert finish(app, None) == 2
