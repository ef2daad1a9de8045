"""A hostile machine: notes that change while being imported, read-only vaults and collection
folders, a full disk, FLASHDECK_COLLECTION pointing at the wrong thing. Each gets one clear
line (`flashdeck: <path>: <what is wrong>`, exit 2; or `path:line: message`, exit 1 for a bad
note), never a traceback, and the notes are never touched. (Issue 9.)

Read-only folders: as a normal user by chmod; as root (whom chmod does not stop) by a
read-only tmpfs mount, skipped where mounting is not allowed. An unreadable note cannot be
simulated as root at all, so that one test is skipped for root.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from support.notes import write_note
from support.reliability import env
from flashdeck.collection import parsing
from flashdeck.collection.store import Collection

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

NOTE = """\
---
tags: [flashcards/ml]
summary: intersection over union of two regions
---

# IoU

$$IoU = \\frac{{|A \\cap B|}}{{|A \\cup B|}}$$

> [!question] What is the IoU of a 40-pixel prediction inside a 50-pixel truth?
> $\\frac{{40}}{{50}} = 0.8$

IoU of identical boxes::1
Card {n}::answer {n}
"""

FULL = "the disk is full; nothing was half-written: free some space and try again"


def vault_snapshot(folder: Path) -> dict:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def fronts(cli, col) -> set[str]:
    return {c["front"] for c in cli("--collection", col, "list", "--json").json}


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    for n in range(5):
        write_note(folder, f"note{n}.md", NOTE.format(n=n))
    return folder


class ReadOnly:
    """Make a folder read-only the way this user can: chmod, or (root) a read-only mount."""

    def __init__(self) -> None:
        self.mounts: list[Path] = []
        self.chmodded: list[Path] = []

    def folder(self, path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        if IS_ROOT:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path)],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                pytest.skip(f"root, and no tmpfs can be mounted here: {done.stderr.strip()}")
            self.mounts.append(path)
        return path

    def seal(self, path: Path) -> None:
        if IS_ROOT:
            subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)
            return
        for p in [path, *path.rglob("*")]:
            mode = p.stat().st_mode
            p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        self.chmodded.append(path)

    def cleanup(self) -> None:
        for path in self.chmodded:
            for p in [path, *path.rglob("*")]:
                p.chmod(p.stat().st_mode | stat.S_IWUSR)
        for path in reversed(self.mounts):
            subprocess.run(["umount", "-l", str(path)], check=True)


@pytest.fixture
def readonly():
    helper = ReadOnly()
    yield helper
    helper.cleanup()


# -- notes that change while being imported -------------------------------------------------
def editor_writing(monkeypatch, target: Path, times: int) -> list[int]:
    """After flashdeck reads `target`, an "editor" saves a new version (for `times` reads)."""
    from flashdeck.notes import files

    real = files.read_regular_file
    reads = [0]

    def read_regular_file(path, limit):
        data = real(path, limit)
        if Path(path) == target and reads[0] < times:
            reads[0] += 1
            # bytes go in through the same Path API an editor's save would use
            Path.write_text(target, NOTE.format(n=f"edited {reads[0]}") + "x" * reads[0],
                            encoding="utf-8")
        return data

    monkeypatch.setattr(files, "read_regular_file", read_regular_file)
    return reads


def test_a_note_saved_once_during_the_import_is_imported_as_saved(cli, vault, tmp_path,
                                                                  monkeypatch):
    target = (vault / "note2.md").absolute()
    editor_writing(monkeypatch, target, times=1)
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 0, result.err
    assert "Card edited 1" in fronts(cli, col) and "Card 2" not in fronts(cli, col)


def test_a_note_that_keeps_changing_is_reported_and_its_cards_kept(cli, vault, tmp_path,
                                                                   monkeypatch):
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    target = (vault / "note2.md").absolute()
    Path.write_text(target, NOTE.format(n="two") + "\nA new card::while typing\n")
    reads = editor_writing(monkeypatch, target, times=100)
    result = cli("--collection", col, "import", vault)
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{vault / 'note2.md'}:0: kept changing while being read; its cards are left as they"
        " were (import again once it is saved)"]
    assert reads[0] == parsing.READ_ATTEMPTS
    assert "Card 2" in fronts(cli, col)  # what the collection had, untouched
    monkeypatch.undo()
    assert target.read_text().startswith(NOTE.format(n="edited 3"))  # the editor's, not ours
    assert cli("--collection", col, "import", vault).code == 0
    assert "Card edited 3" in fronts(cli, col)


# -- read-only places -------------------------------------------------------------------------
def test_a_vault_on_a_read_only_filesystem_imports_and_is_untouched(cli, tmp_path, readonly):
    vault = readonly.folder(tmp_path / "ro-vault")
    for n in range(3):
        write_note(vault, f"sub/note{n}.md", NOTE.format(n=n))
    readonly.seal(vault)
    before = vault_snapshot(vault)
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 0, result.err
    assert {"Card 0", "Card 1", "Card 2"} <= fronts(cli, col)
    assert cli("--collection", col, "import", vault).code == 0
    assert vault_snapshot(vault) == before


@pytest.mark.skipif(IS_ROOT, reason="root reads any file: an unreadable note cannot be made")
def test_an_unreadable_note_is_one_line_and_the_rest_imports(cli, vault, tmp_path):
    locked = vault / "note3.md"
    locked.chmod(0)
    try:
        result = cli("--collection", tmp_path / "c.sqlite", "import", vault)
    finally:
        locked.chmod(0o644)
    assert result.code == 1
    assert result.err.strip() == f"{locked}:0: cannot read: Permission denied"
    assert "Card 4" in fronts(cli, tmp_path / "c.sqlite")


def test_a_collection_in_a_missing_folder_is_created(cli, vault, tmp_path):
    col = tmp_path / "not" / "yet" / "there" / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    assert "Card 1" in fronts(cli, col)


def test_a_collection_folder_that_cannot_be_made(cli, vault, tmp_path):
    (tmp_path / "a-file").write_text("in the way")
    col = tmp_path / "a-file" / "sub" / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 2
    assert result.err.strip() == (f"flashdeck: {col}: cannot create the collection's folder:"
                                  " Not a directory")


def test_a_collection_in_a_read_only_folder(cli, vault, tmp_path, readonly, monkeypatch):
    """A collection on a read-only disk or in a read-only folder (a backup mounted
    read-only, a synced share): the commands that only read work (they said "cannot open
    the collection file: check that its folder exists and is writable"); what writes says
    the collection is read-only, and changes nothing."""
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    folder = readonly.folder(tmp_path / "ro-home")
    col = folder / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0  # made while writable
    assert cli("--collection", col, "answer", "1", "good").code == 0
    expected = {args: cli("--collection", col, *args).out for args in READING}
    readonly.seal(folder)
    before = vault_snapshot(vault)
    content = col.read_bytes()
    for args in READING:
        result = cli("--collection", col, *args)
        assert (result.code, result.err) == (0, ""), args
        assert result.out == expected[args], args
    for args in (["answer", "2", "good"], ["import", str(vault)], ["doctor"], ["suspend", "1"],
                 ["forget", str(vault)]):
        result = cli("--collection", col, *args)
        assert result.code == 2, (args, result.out)
        assert result.err.startswith(f"flashdeck: {col}: "), args
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
        assert ("read-only" in result.err or "writable" in result.err), result.err
        assert "damaged" not in result.err.lower()
    assert col.read_bytes() == content
    new = folder / "new.sqlite"
    result = cli("--collection", new, "import", vault)
    assert result.code == 2 and result.err.startswith(f"flashdeck: {new}: ")
    assert "writable" in result.err or "read-only" in result.err
    assert vault_snapshot(vault) == before


READING = (("list",), ("list", "--json"), ("list", "--due"), ("due",), ("due", "--json"),
           ("next", "--json"), ("show", "1", "--answer"), ("info", "1", "--json"),
           ("log", "--json"), ("stats", "--json"), ("sources",))


# -- a full disk ------------------------------------------------------------------------------
class FullDisk:
    """A connection whose disk fills up after `room` more card inserts. What is rolled back
    gives its room back, as SQLite writes over a rolled-back transaction's part of the log."""

    def __init__(self, conn: sqlite3.Connection, room: int) -> None:
        self._conn = conn
        self.room = room
        self._marks: list[tuple[str, int]] = []  # the room at each BEGIN and SAVEPOINT

    def _spend(self, sql: str) -> None:
        if sql.lstrip().upper().startswith("INSERT INTO CARDS"):
            self.room -= 1
            if self.room < 0:
                raise sqlite3.OperationalError("database or disk is full")

    def _roll(self, sql: str) -> None:
        words = sql.split()
        first = words[0].upper() if words else ""
        if first == "BEGIN":
            self._marks = [("", self.room)]
        elif first == "SAVEPOINT":
            self._marks.append((words[1], self.room))
        elif first == "ROLLBACK" and self._marks:
            name = words[-1] if len(words) > 1 and words[1].upper() == "TO" else ""
            while self._marks and self._marks[-1][0] != name:
                self._marks.pop()
            if self._marks:
                self.room = self._marks[-1][1]

    def execute(self, sql, *args):
        self._roll(sql)
        self._spend(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql, *args):
        self._spend(sql)
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_a_full_disk_mid_import_is_one_line_and_a_rerun_finishes(cli, vault, tmp_path,
                                                                 monkeypatch):
    for n in range(5, 40):
        write_note(vault, f"more/note{n}.md", NOTE.format(n=n))
    before = vault_snapshot(vault)
    col = tmp_path / "c.sqlite"
    real_open = Collection.open.__func__

    def open_on_a_small_disk(cls, path, **kwargs):
        opened = real_open(cls, path, **kwargs)
        opened.conn = FullDisk(opened.conn, room=12)
        return opened

    monkeypatch.setattr(Collection, "open", classmethod(open_on_a_small_disk))
    result = cli("--collection", col, "import", vault)
    assert result.code == 2
    assert result.err.strip() == f"flashdeck: {col}: {FULL}"
    monkeypatch.undo()
    with sqlite3.connect(col) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
    assert 0 < partial < 40  # some notes made it; none half-way (each note is all or nothing)
    with sqlite3.connect(col) as conn:
        for (note_id, cards) in conn.execute(
                "SELECT n.id, count(c.id) FROM notes n LEFT JOIN cards c ON c.note_id = n.id"
                " GROUP BY n.id"):
            assert cards > 0, f"note {note_id} was recorded without its cards"
    # space freed: the same command finishes the job, as if nothing had happened
    assert cli("--collection", col, "import", vault).code == 0
    reference = tmp_path / "reference.sqlite"
    assert cli("--collection", reference, "import", vault).code == 0
    assert cli("--collection", col, "list", "--json").json == \
        cli("--collection", reference, "list", "--json").json
    assert vault_snapshot(vault) == before


def test_a_full_disk_on_answer_is_one_line_and_loses_nothing(cli, vault, tmp_path,
                                                            monkeypatch):
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    assert cli("--collection", col, "answer", "1", "good").code == 0
    real_open = Collection.open.__func__

    class NoRoomForReviews(FullDisk):
        def _spend(self, sql: str) -> None:
            if sql.lstrip().upper().startswith("INSERT INTO REVIEWS"):
                raise sqlite3.OperationalError("database or disk is full")

    def open_full(cls, path, **kwargs):
        opened = real_open(cls, path, **kwargs)
        opened.conn = NoRoomForReviews(opened.conn, 0)
        return opened

    monkeypatch.setattr(Collection, "open", classmethod(open_full))
    result = cli("--collection", col, "answer", "2", "easy")
    assert (result.code, result.err.strip()) == (2, f"flashdeck: {col}: {FULL}")
    monkeypatch.undo()
    log = cli("--collection", col, "log", "--json").json
    assert [e["card"] for e in log] == [1]  # the failed answer left no trace...
    card = next(c for c in cli("--collection", col, "list", "--json").json if c["id"] == 2)
    assert card["state"] == "new"  # ...not even half of one
    assert cli("--collection", col, "doctor").code == 0


@pytest.mark.skipif(not IS_ROOT, reason="mounting a tiny filesystem needs root")
def test_a_really_full_disk(cli, tmp_path, readonly):
    small = readonly.folder(tmp_path / "small")
    subprocess.run(["mount", "-o", "remount,size=160k", str(small)], check=True)
    big = tmp_path / "big-vault"
    for n in range(60):
        write_note(big, f"n{n}.md", NOTE.format(n=f"{n} " + "lorem ipsum " * 60))
    col = small / "c.sqlite"
    result = cli("--collection", col, "import", big)
    assert result.code == 2
    assert result.err.strip() == f"flashdeck: {col}: {FULL}"
    with sqlite3.connect(col) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    moved = tmp_path / "c.sqlite"
    with sqlite3.connect(col) as src, sqlite3.connect(moved) as dst:
        src.backup(dst)
    assert cli("--collection", moved, "import", big).code == 0  # room again: it finishes
    assert len(cli("--collection", moved, "list", "--json").json) >= 60


# -- FLASHDECK_COLLECTION pointing at the wrong thing -----------------------------------------
COMMANDS = (["import", "{vault}"], ["list"], ["next"], ["answer", "1", "good"], ["doctor"],
            ["due"])


@pytest.mark.parametrize("what", ["text file", "directory", "other database", "newer flashdeck",
                                  "truncated collection"])
def test_flashdeck_collection_pointing_at_the_wrong_thing(cli, vault, tmp_path, monkeypatch,
                                                          what):
    target = tmp_path / "target"
    expected = {
        "text file": "not a flashdeck collection (not SQLite)",
        "directory": "is a directory, not a collection file",
        "other database": "not a flashdeck collection",
        "newer flashdeck": "this collection was written by a newer flashdeck (schema 99, this"
                           " one knows",
        "truncated collection": "",
    }[what]
    if what == "text file":
        target.write_text("my shopping list, not a database\n")
    elif what == "directory":
        target.mkdir()
        (target / "keep.txt").write_text("mine")
    elif what == "other database":
        with sqlite3.connect(target) as conn:
            conn.execute("CREATE TABLE songs (title TEXT)")
    else:
        made = tmp_path / "made.sqlite"
        assert cli("--collection", made, "import", vault).code == 0
        if what == "newer flashdeck":
            conn = sqlite3.connect(made)
            conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
            conn.commit()
            conn.close()  # the last connection: the WAL is folded into the file
            shutil.copyfile(made, target)
        else:
            data = made.read_bytes()
            target.write_bytes(data[: len(data) // 3])
    snapshot = vault_snapshot(tmp_path) if target.is_dir() else target.read_bytes()
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(target))
    for command in COMMANDS:
        args = [a.format(vault=vault) for a in command]
        result = cli(*args)
        assert result.code == 2, (what, args, result.out, result.err)
        assert result.err.startswith(f"flashdeck: {target}: "), (what, args, result.err)
        assert expected in result.err, (what, args, result.err)
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "internal error" not in result.err
    assert (vault_snapshot(tmp_path) if target.is_dir() else target.read_bytes()) == snapshot


@pytest.mark.parametrize("args", [["doctor"], ["doctor", "--json"], ["doctor", "--fix"]],
                         ids=" ".join)
def test_doctor_on_a_file_damaged_where_its_schema_lives_says_what_to_do(cli, vault, tmp_path,
                                                                        args):
    """Every command says "damaged; run `flashdeck doctor`". When the damage is in the pages
    SQLite reads the schema from, doctor cannot open the file either: it said the same line
    again, sending the user round in a circle. It names the way out instead."""
    made = tmp_path / "made.sqlite"
    assert cli("--collection", made, "import", vault).code == 0
    data = made.read_bytes()
    target = tmp_path / "damaged.sqlite"
    target.write_bytes(data[:5000])  # page 1 and a bit: the rest of the schema is gone
    assert "run `flashdeck doctor`" in cli("--collection", target, "due").err
    result = cli("--collection", target, *args)
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    assert result.err.strip() == (
        f"flashdeck: {target}: the collection file is damaged where even its list of tables"
        " cannot be read: restore a backup copy (a .bak file next to it: with flashdeck"
        " closed, delete the collection's -wal and -shm files, then copy the .bak over it),"
        " or salvage it with `sqlite3 <file> .recover`")
    assert target.read_bytes() == data[:5000]


@pytest.mark.parametrize("args", [["due"], ["answer", "1", "good"], ["import", "VAULT"],
                                  ["doctor"]], ids=" ".join)
def test_a_schema_damaged_into_bytes_that_are_not_text_is_one_line(cli, vault, tmp_path,
                                                                   args):
    """A damaged page in the middle of a table's CREATE statement: SQLite's message quotes
    the bytes it could not parse, which are not UTF-8, so the message itself could not be
    read, and every command ended in "internal error: UnicodeDecodeError"."""
    target = tmp_path / "damaged.sqlite"
    assert cli("--collection", target, "import", vault).code == 0
    data = bytearray(target.read_bytes())
    start = data.index(b"CREATE TABLE note_problems")
    at = data.index(b"seq", start)
    data[at:at + 3] = b"[\xff\xfe"  # an unterminated [name] of bytes that are not UTF-8
    target.write_bytes(bytes(data))
    result = cli("--collection", target, *[str(vault) if a == "VAULT" else a for a in args])
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    advice = ("the collection file is damaged where even its list of tables cannot be read"
              if args == ["doctor"] else
              "the collection file is damaged; run `flashdeck doctor`, or restore a backup copy")
    assert result.err.strip().startswith(f"flashdeck: {target}: {advice}")
    assert len(result.err.strip().splitlines()) == 1
    assert target.read_bytes() == bytes(data)


def _no_room_to_grow(limit: int):
    def apply() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_no_room_for_the_shared_memory_file_is_a_full_disk_not_a_failing_one(cli, vault,
                                                                             tmp_path):
    """On a full disk the first command after a quiet spell cannot make the collection's
    `-shm` file: SQLite says only "disk I/O error", and the user read "the disk failed" -
    a dying drive - where the fix is to free some space. (A file-size limit below the
    -shm file's 32 KiB makes SQLite fail the same way without a full disk.)"""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    done = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col),
                           "answer", "1", "good"], env=env(col), capture_output=True,
                          text=True, timeout=60, cwd=str(tmp_path),
                          preexec_fn=_no_room_to_grow(8192))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == f"flashdeck: {col}: {FULL}"
    assert cli("--collection", col, "log", "--json").json == []  # nothing half-written
    assert cli("--collection", col, "answer", "1", "good").code == 0  # room again: it works
    assert [e["card"] for e in cli("--collection", col, "log", "--json").json] == [1]


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_with_no_room_the_commands_that_only_read_still_read(cli, vault, tmp_path):
    """On a full disk SQLite cannot make the collection's `-shm` file, and every command
    refused with "the disk is full", `list`, `due`, `show` and `stats` too: the user could
    not even look at the cards while freeing space. Those that only read now read the
    collection as it is; what writes still refuses, and nothing is half-written."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    assert cli("--collection", col, "answer", "1", "good").code == 0
    listed = cli("--collection", col, "list", "--json").json

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col),
                               *args], env=env(col), capture_output=True, text=True,
                              timeout=60, cwd=str(tmp_path), preexec_fn=_no_room_to_grow(8192))

    import json

    for gone in ("-wal", "-shm"):  # closed cleanly: the next command must make them
        assert not (tmp_path / f"c.sqlite{gone}").exists()
    read = run("list", "--json")
    assert (read.returncode, read.stderr) == (0, "")
    assert json.loads(read.stdout) == listed
    for args, shown in ((["show", "1"], "#1 "), (["due"], "deck"),
                        (["stats"], "1 in all"), (["log"], "good")):
        done = run(*args)
        assert (done.returncode, done.stderr) == (0, ""), args
        assert shown in done.stdout, args
    refused = run("answer", "2", "good")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.strip() == f"flashdeck: {col}: {FULL}"
    assert [e["card"] for e in cli("--collection", col, "log", "--json").json] == [1]


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_a_file_size_limit_mid_import_is_no_failing_disk(cli, tmp_path):
    """`ulimit -f` (or a quota) stops the collection's log from growing mid-import: SQLite
    says only "disk I/O error" (SQLITE_IOERR_WRITE), and the user read "the disk failed"
    (a dying drive) where the fix is room; the notes before it are kept whole, the rest
    lands on the next run."""
    big = tmp_path / "big-vault"
    for n in range(150):
        write_note(big, f"n{n}.md", NOTE.format(n=f"{n} " + "lorem ipsum " * 40))
    col = tmp_path / "c.sqlite"
    done = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col),
                           "import", str(big)], env=env(col), capture_output=True,
                          text=True, timeout=120, cwd=str(tmp_path),
                          preexec_fn=_no_room_to_grow(256 * 1024))
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"flashdeck: {col}: cannot write the collection file (I/O error): a file-size limit or"
        " a quota is reached, the disk is full, or it is failing; nothing was half-written:"
        " make room and try again")
    with sqlite3.connect(col) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert cli("--collection", col, "import", big).code == 0  # room again: it finishes
    reference = tmp_path / "reference.sqlite"
    assert cli("--collection", reference, "import", big).code == 0
    assert fronts(cli, col) == fronts(cli, reference)
    assert cli("--collection", col, "doctor").code == 0


@pytest.mark.skipif(not IS_ROOT, reason="mounting a tiny filesystem needs root")
def test_an_answer_on_a_disk_filled_to_the_brim(cli, vault, tmp_path, readonly):
    small = readonly.folder(tmp_path / "small")
    col = small / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    before = cli("--collection", col, "list", "--json").json
    filler = small / "filler"
    with open(filler, "wb", buffering=0) as out:  # every last block
        with pytest.raises(OSError) as full:
            for _ in range(2_000):  # 4 MiB at most: the mount's size
                out.write(b"\0" * 4096)
        assert full.value.errno == errno.ENOSPC
    result = cli("--collection", col, "answer", "1", "good")
    assert (result.code, result.err.strip()) == (2, f"flashdeck: {col}: {FULL}")
    listed = cli("--collection", col, "list", "--json")  # what only reads, reads
    assert (listed.code, listed.err) == (0, "") and listed.json == before
    filler.unlink()
    assert cli("--collection", col, "log", "--json").json == []
    assert cli("--collection", col, "answer", "1", "good").code == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("what", ["named pipe", "device"])
def test_a_collection_path_that_is_a_pipe_or_a_device(cli, vault, tmp_path, what):
    """SQLite reads a pipe or /dev/null as a disk that fails ("disk I/O error"), and the
    user read "the disk failed"; it is the path that is wrong."""
    if what == "named pipe":
        target = tmp_path / "pipe.sqlite"
        os.mkfifo(target)
    else:
        target = Path(os.devnull)
        if not target.exists():
            pytest.skip("no null device here")
    for command in COMMANDS:
        args = [a.format(vault=vault) for a in command]
        result = cli("--collection", target, *args)
        assert (result.code, result.out) == (2, ""), (args, result.err)
        assert result.err.strip() == (f"flashdeck: {target}: is a device, a pipe or a socket,"
                                      " not a collection file"), args
    assert target.exists() and not target.is_file()


@pytest.mark.parametrize("args", [["import", "{vault}"], ["due"], ["answer", "1", "good"]],
                         ids=" ".join)
def test_an_empty_collection_option_is_never_the_default_collection(cli, vault, tmp_path,
                                                                    monkeypatch, args):
    """`flashdeck --collection "$COL" import …` with COL unset read as no --collection at
    all: the notes went into the user's own collection (a script's test vault too)."""
    own = tmp_path / "own.sqlite"
    assert cli("--collection", own, "import", vault).code == 0
    before = own.read_bytes()
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(own))
    result = cli("--collection", "", *[a.format(vault=vault) for a in args])
    assert (result.code, result.out) == (2, "")
    assert result.err.strip() == "flashdeck: --collection was given an empty path"
    assert own.read_bytes() == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("args", [["answer", "1", "good"], ["answer", "1", "good", "--json"],
                                  ["list"], ["log", "--json"]], ids=" ".join)
def test_output_to_a_full_disk_is_one_line_and_the_answer_is_kept(cli, vault, tmp_path, args):
    """`flashdeck answer 1 good >> answers.log` with the disk full: the answer is committed,
    then printing it fails. It said "internal error: OSError", so a script took the answer
    as not given and gave it again."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col),
                               *args], env=env(col), stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=60, cwd=str(tmp_path))
    assert done.returncode == 2
    assert done.stderr == ("flashdeck: cannot write the output: No space left on device; what"
                           " the command changed in the collection is saved\n")
    answered = [e["card"] for e in cli("--collection", col, "log", "--json").json]
    assert answered == ([1] if args[0] == "answer" else [])


@pytest.mark.skipif(os.name != "posix", reason="a closed descriptor at start is POSIX")
def test_a_closed_stdout_is_no_crash(cli, vault, tmp_path):
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    for args in (["answer", "1", "good"], ["list"], ["next"]):
        # started as `flashdeck list >&-` starts it: Python's sys.stdout is None (`list`
        # asked it whether it is a terminal: "internal error: AttributeError")
        done = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col),
                               *args], env=env(col), stderr=subprocess.PIPE, text=True,
                              timeout=60, cwd=str(tmp_path), preexec_fn=lambda: os.close(1))
        assert (done.returncode, done.stderr) == (0, ""), args
    assert [e["card"] for e in cli("--collection", col, "log", "--json").json] == [1]


def test_a_card_text_damaged_into_bytes_that_are_not_text_says_damaged(cli, vault, tmp_path):
    """A text value on a damaged page: SQLite hands back bytes that are not UTF-8. The line
    said "cannot use the collection: Could not decode to UTF-8 column 'front' with text
    '…'" (the garbage quoted); it says what it is, and what to do."""
    target = tmp_path / "c.sqlite"
    assert cli("--collection", target, "import", vault).code == 0
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE cards SET front = CAST(X'5B49EC8FF7' AS TEXT) WHERE id = 1")
    conn.close()
    for args in (["list", "--json"], ["next"]):
        result = cli("--collection", target, *args)
        assert result.code == 2, (result.out, result.err)
        assert result.err.strip() == (f"flashdeck: {target}: the collection file is damaged;"
                                      " run `flashdeck doctor`, or restore a backup copy")


def test_undo_of_a_damaged_log_row_refuses_and_changes_nothing(cli, vault, tmp_path):
    """The last answer's row in the log is damaged (its state before is not JSON): undo
    cannot know what to restore. It said "internal error: JSONDecodeError"; it names the
    row and the way out, and leaves the card and the log as they are."""
    target = tmp_path / "c.sqlite"
    assert cli("--collection", target, "import", vault).code == 0
    assert cli("--collection", target, "answer", "1", "good").code == 0
    assert cli("--collection", target, "answer", "2", "easy").code == 0
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE reviews SET state_before = 'not json' WHERE card_id = 2")
    conn.close()
    before = cli("--collection", target, "list", "--json").json
    result = cli("--collection", target, "undo")
    assert result.code == 0, result.err
    assert result.out.strip() == ("nothing undone: that answer's row in the review log"
                                  " (review 2, card 2) is damaged; run `flashdeck doctor`")
    assert cli("--collection", target, "list", "--json").json == before
    assert [e["card"] for e in cli("--collection", target, "log", "--json").json] == [1, 2]
    result = cli("--collection", target, "undo", "--json")
    assert result.code == 0 and result.json["undone"] is None
    assert "damaged" in result.json["reason"]


@pytest.mark.parametrize("damage, shown", [
    ("due = due + 99999999999999", "due = "),  # a flipped bit: a time no calendar has
    ("stability = 'abc'", "stability = 'abc'"),
    ("stability = -5.0", "stability = -5.0"),
    ("state = 'zzz'", "state = 'zzz'"),
], ids=["due out of range", "stability text", "stability negative", "unknown state"])
def test_a_card_with_a_damaged_schedule_is_one_line_naming_it(cli, vault, tmp_path, damage,
                                                                shown):
    """A card's stored schedule damaged on disk: answering it, its previews and `info` ended
    in "internal error" (year out of range, a complex number from FSRS...). They name the
    card, the value and the way out; `doctor --fix` sets the card from its log, and the
    answer then goes through."""
    target = tmp_path / "c.sqlite"
    assert cli("--collection", target, "import", vault).code == 0
    assert cli("--collection", target, "answer", "1", "good").code == 0
    with sqlite3.connect(target) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(f"UPDATE cards SET {damage} WHERE id = 1")
    conn.close()
    for args in (["answer", "1", "good"], ["info", "1"], ["info", "1", "--json"]):
        result = cli("--collection", target, *args)
        assert result.code == 2, (args, result.out, result.err)
        line = result.err.strip()
        assert line.startswith("flashdeck: card 1: its stored schedule is damaged (") \
            and shown in line, line
        # past a CHECK constraint too (state): a broken rule, not a damaged file
        assert line.endswith("`flashdeck doctor --fix` sets it from its review log"), line
    assert [e["card"] for e in cli("--collection", target, "log", "--json").json] == [1]
    assert cli("--collection", target, "doctor", "--fix").code == 0
    assert cli("--collection", target, "answer", "1", "good").code == 0
    assert cli("--collection", target, "doctor").code == 0


@pytest.mark.parametrize("damage", ["reviewed_at = reviewed_at + 99999999999999",
                                    "reviewed_at = 'x'"], ids=["time out of range", "time text"])
def test_a_damaged_log_time_leaves_the_rest_of_the_history_readable(cli, vault, tmp_path,
                                                                     damage):
    """One review's time damaged on disk (a flipped bit, text): `log` and `info` ended in
    "internal error", so none of the history could be read; undo crashed too. The row shows
    without a time, the others as they were; undo never crashes on it."""
    target = tmp_path / "c.sqlite"
    assert cli("--collection", target, "import", vault).code == 0
    for card in ("1", "2", "3"):
        assert cli("--collection", target, "answer", card, "good").code == 0
    with sqlite3.connect(target) as conn:
        conn.execute(f"UPDATE reviews SET {damage} WHERE card_id = 3")
    conn.close()
    log = cli("--collection", target, "log", "--json")
    assert log.code == 0, log.err
    assert [(e["card"], e["time"] is None) for e in log.json] == [(1, False), (2, False),
                                                                  (3, True)]
    text = cli("--collection", target, "log")
    assert text.code == 0 and text.err == "" and len(text.out.splitlines()) == 3
    info = cli("--collection", target, "info", "3", "--json")
    assert info.code == 0, info.err
    undo = cli("--collection", target, "undo")
    assert undo.code == 0 and undo.err == ""
    if "'x'" in damage:  # a time that is no number: the row cannot be judged, so it stays
        assert "is damaged; run `flashdeck doctor`" in undo.out
        assert len(cli("--collection", target, "log", "--json").json) == 3
    else:  # a time far past today: a later day's answer, which undo leaves and says so
        assert "at a time out of range" in undo.out and "later day" in undo.out, undo.out
        assert len(cli("--collection", target, "log", "--json").json) == 3


def test_restoring_a_backup_as_the_doctor_says_gets_the_backup(cli, vault, tmp_path):
    """The doctor's advice for a damaged file is to restore a backup. Copied over the
    collection while a killed session's -wal was still next to it, the copy was not what
    came back: SQLite replayed that log onto it (later answers and edits returned). The
    advice now says to delete the -wal and -shm first; done so, the backup is what opens."""
    target = tmp_path / "c.sqlite"
    assert cli("--collection", target, "import", vault).code == 0
    assert cli("--collection", target, "answer", "1", "good").code == 0
    backup = tmp_path / "c.sqlite.mine.bak"
    with Collection.open(target) as col:
        col.backup(backup)
    # a session killed after more answers: its log never checkpointed into the file
    script = ("import os, signal, sqlite3, sys\n"
              "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
              "c.execute('UPDATE cards SET reps = reps + 5, front = front || \" later\"')\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    subprocess.run([sys.executable, "-c", script, str(target)])
    assert (tmp_path / "c.sqlite-wal").stat().st_size > 0
    for name in ("c.sqlite-wal", "c.sqlite-shm"):  # as the advice says
        (tmp_path / name).unlink(missing_ok=True)
    shutil.copyfile(backup, target)
    fronts_now = {c["front"] for c in cli("--collection", target, "list", "--json").json}
    assert fronts_now and not any(f.endswith(" later") for f in fronts_now)
    assert [e["card"] for e in cli("--collection", target, "log", "--json").json] == [1]
    assert cli("--collection", target, "doctor").code == 0
