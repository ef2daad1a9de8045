"""A backup copy killed half-way: `doctor --fix` and a schema upgrade each copy the
collection before they change it. A `kill -9` during the copy must never leave a file with
a backup's name that is not a whole backup (it read as an empty collection: a user restoring
"the .bak next to it" after a disaster got no cards and no history), nor replace an earlier
good backup; the next run makes its backup and does its work. (PRODUCT.md §2.)
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flashdeck.collection.store import SCHEMA_VERSION
from support.reliability import doctor_json, flashdeck, make_vault, query, spawn
from support.schema import back_to_schema_10

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX signals")

# a collection big enough that copying it takes a while (years of reviews): one large
# value in meta, which nothing reads
PADDING = 24_000_000
ATTEMPTS = 6


def _reviewed_collection(tmp_path: Path) -> tuple[Path, int]:
    vault = make_vault(tmp_path / "vault", 6)
    base = tmp_path / "base.sqlite"
    assert flashdeck(base, "import", vault).returncode == 0
    for card in (1, 2, 3, 4):
        assert flashdeck(base, "answer", str(card), "good").returncode == 0
    conn = sqlite3.connect(base)
    conn.execute("INSERT INTO meta (key, value) VALUES ('zz_padding', ?)", ("x" * PADDING,))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return base, 4


def _fresh_copy(base: Path, target: Path) -> None:
    for old in target.parent.glob(target.name + "*"):
        old.unlink()
    shutil.copyfile(base, target)


def _kill_when_a_copy_starts(proc, folder: Path, pattern: str) -> bool:
    """SIGKILL `proc` as soon as a file matching `pattern` appears (its copy has begun).
    Whether it was killed (False: it ended first)."""
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if any(folder.glob(pattern)):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
            return True
        time.sleep(0.0005)
    proc.communicate(timeout=30)
    return False


def _assert_every_backup_is_whole(folder: Path, pattern: str, reviews: int,
                                  schema: str | None = None) -> None:
    for backup in folder.glob(pattern):
        if not backup.name.endswith(".bak"):
            continue
        conn = sqlite3.connect(backup)
        try:
            assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == reviews, backup
            if schema is not None:
                assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                                    ).fetchone()[0] == schema, backup
        except sqlite3.OperationalError as exc:  # "no such table": an empty file
            pytest.fail(f"{backup.name} bears a backup's name but is no backup: {exc}")
        finally:
            conn.close()


def _killed_mid_copy(tmp_path, base: Path, reviews: int, command: list[str], pattern: str,
                     schema: str | None = None) -> tuple[Path, Path]:
    """A fresh copy of `base` in a folder of its own, `flashdeck COMMAND` run on it and
    killed as soon as its backup copy (`pattern`) appears, until a kill lands while the
    copy is being written; every backup left behind is whole. (folder, collection)."""
    work = tmp_path / "run"
    work.mkdir()
    collection = work / "c.sqlite"
    for _ in range(ATTEMPTS):
        _fresh_copy(base, collection)
        proc = spawn(collection, [sys.executable, "-m", "flashdeck", *command])
        killed = _kill_when_a_copy_starts(proc, work, pattern)
        _assert_every_backup_is_whole(work, pattern, reviews, schema=schema)
        if killed and not any(p.name.endswith(".bak") for p in work.glob(pattern)):
            return work, collection
    raise AssertionError("no kill landed while the backup was being written")


def test_a_doctor_fix_killed_while_it_backs_up_leaves_no_false_backup(tmp_path):
    base, reviews = _reviewed_collection(tmp_path)
    conn = sqlite3.connect(base)  # stored states a crash left behind: --fix has work to do
    conn.execute("UPDATE cards SET stability = stability + 1 WHERE id IN (1, 2)")
    conn.commit()
    conn.close()
    work, collection = _killed_mid_copy(tmp_path, base, reviews, ["doctor", "--fix"],
                                        "c.sqlite.doctor-*")
    # nothing was changed yet; the next run backs up and fixes
    assert query(collection, "SELECT count(*) FROM reviews")[0][0] == reviews
    result = flashdeck(collection, "doctor", "--fix")
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_every_backup_is_whole(work, "c.sqlite.doctor-*", reviews)
    # the killed run's unfinished copy is gone, without a word about it
    assert list(work.glob("*.partial*")) == []
    assert "partial" not in result.stdout + result.stderr
    assert len([p for p in work.glob("c.sqlite.doctor-*") if p.name.endswith(".bak")]) == 1
    code, report, err = doctor_json(collection)
    assert code == 0 and report["ok"], (err, report.get("problems"))


def test_an_upgrade_killed_while_it_backs_up_leaves_no_false_backup(tmp_path):
    base, reviews = _reviewed_collection(tmp_path)
    conn = sqlite3.connect(base)
    back_to_schema_10(conn)
    conn.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    work, collection = _killed_mid_copy(tmp_path, base, reviews, ["due"], "c.sqlite.v10.bak*",
                                        schema="10")
    assert query(collection, "SELECT value FROM meta WHERE key = 'schema_version'") == [("10",)]
    result = flashdeck(collection, "due")
    assert result.returncode == 0, result.stderr
    assert list(work.glob("*.partial*")) == [] and "partial" not in result.stderr
    _assert_every_backup_is_whole(work, "c.sqlite.v10.bak*", reviews, schema="10")
    assert (work / "c.sqlite.v10.bak").exists()
    assert query(collection, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)]
    assert query(collection, "SELECT count(*) FROM reviews")[0][0] == reviews


HOLD_A_COPY = """
import sys
from pathlib import Path
from flashdeck.durable import claimed
with claimed(Path(sys.argv[1])):
    print("holding", flush=True)
    sys.stdin.read()
"""


def test_copies_left_by_killed_runs_are_cleared_by_the_next_backup_not_a_live_one(tmp_path):
    """Killed backups of earlier days (`doctor --fix` names each copy by its time, so the
    next run's copy has another name) stayed next to the collection for ever, one more per
    killed run. The next backup deletes them, and their journals, silently; a copy another
    flashdeck is writing right now is left alone."""
    base, reviews = _reviewed_collection(tmp_path)
    work = tmp_path / "run"
    work.mkdir()
    collection = work / "c.sqlite"
    shutil.copyfile(base, collection)
    conn = sqlite3.connect(collection)
    conn.execute("UPDATE cards SET stability = stability + 1 WHERE id IN (1, 2)")
    conn.commit()
    conn.close()
    stale = [work / "c.sqlite.doctor-20261120T061502.bak.partial",  # as older runs named them
             work / "c.sqlite.v10.bak.partial",
             work / "c.sqlite.doctor-20261125T071000.bak.8123-0f3a9c1e.partial"]
    for path in stale:
        path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)  # cut off mid-copy
    Path(f"{stale[0]}-journal").write_bytes(b"\xd9\xd5\x05\xf9" + b"\x00" * 500)
    (work / "c.sqlite.doctor-20261121T060000.bak.partial-journal").write_bytes(b"\x00" * 64)
    live = work / "c.sqlite.doctor-20261201T070000.bak.9999-aaaaaaaa.partial"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_A_COPY, str(live)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = flashdeck(collection, "doctor", "--fix")
    finally:
        holder.communicate("", timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "partial" not in result.stdout + result.stderr
    assert sorted(p.name for p in work.glob("*.partial*")) == [live.name]
    backups = [p for p in work.glob("c.sqlite.doctor-*") if p.name.endswith(".bak")]
    assert len(backups) == 1
    _assert_every_backup_is_whole(work, "c.sqlite.doctor-*", reviews)
