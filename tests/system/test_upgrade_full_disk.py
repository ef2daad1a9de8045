"""An upgrade (an older collection opened by this flashdeck) on a disk without room for its
backup copy. Before: "cannot back up before upgrading (...): database or disk is full",
SQLite's words, and no word of the collection's fate. Now the line says it was not upgraded
and that the disk is full, in the words every other command uses; the collection holds
what it held (at schema 1), no copy or partial copy is left, and with room the upgrade goes
through. (A tiny tmpfs: root only, skipped elsewhere.)"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from support.schema import make_v1

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def content(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def small_disk(tmp_path):
    if not IS_ROOT:
        pytest.skip("mounting a tiny filesystem needs root")
    folder = tmp_path / "small"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"no tmpfs can be mounted here: {done.stderr.strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def test_no_room_for_the_upgrade_backup_leaves_the_collection_as_it_was(cli, tmp_path,
                                                                        small_disk):
    made = tmp_path / "made.sqlite"
    make_v1(made, 3000)
    size = made.stat().st_size
    assert 700_000 < size < 1_400_000  # fits once on the disk, not twice
    col = small_disk / "c.sqlite"
    shutil.copyfile(made, col)
    before = content(col)
    for command in (["due"], ["list"], ["doctor"]):
        result = cli("--collection", col, *command)
        assert result.code == 2 and result.out == "", command
        assert result.err == (
            f"flashdeck: {col}: cannot back up before upgrading ({col}.v1.bak), so it was not"
            " upgraded: the disk is full; nothing was half-written: free some space and try"
            " again\n"), command
        assert content(col) == before  # (only the header's journal mode: now WAL)
        assert sorted(p.name for p in small_disk.iterdir()) == ["c.sqlite"]
    roomy = tmp_path / "roomy"
    roomy.mkdir()
    shutil.copyfile(col, roomy / "c.sqlite")
    listed = cli("--collection", roomy / "c.sqlite", "list", "--json")
    assert listed.code == 0 and len(listed.json) == 3000
    assert (roomy / "c.sqlite.v1.bak").is_file()


def test_no_room_for_the_doctor_s_backup_fixes_nothing_and_says_why(cli, tmp_path, small_disk):
    """`doctor --fix` copies the collection before it fixes anything. Before: "cannot make a
    backup copy (...): database or disk is full; nothing was changed". Now in the words
    every other command uses for a full disk; the cards are as they were."""
    made = tmp_path / "made.sqlite"
    make_v1(made, 3000)
    assert cli("--collection", made, "list", "--json").code == 0  # upgraded, with room
    conn = sqlite3.connect(made, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute("UPDATE cards SET state = 'bogus' WHERE id <= 3")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    col = small_disk / "c.sqlite"
    shutil.copyfile(made, col)
    before = content(col)
    result = cli("--collection", col, "doctor", "--fix")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"flashdeck: {col}: cannot make a backup copy ({col}.doctor-")
    assert result.err.endswith(".bak), so nothing was fixed: the disk is full; nothing was"
                               " half-written: free some space and try again\n")
    assert content(col) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["c.sqlite"]
