"""The collection file travels without its write-ahead log (a sync tool, `cp`, a backup
that copies `c.sqlite` alone): a log a killed flashdeck left beside an older copy is never
replayed over a newer one put in its place (it overwrote the newer copy's answers, and
`doctor` said nothing); a log that is the file's own is always replayed, and the file alone
is made whole again at the next open. Real processes, killed with SIGKILL."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

from support.reliability import flashdeck, make_vault, query, spawn, wait

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg") or sys.platform == "win32",
                                reason="needs POSIX signals and locks")

# answers `count` cards on one long-lived engine, as the review screen does, prints each
# one's review id once committed, with a checkpoint now and then (`checkpoints` 1: after
# every second answer; the log starts again after each), then is killed (SIGKILL, as a
# power cut or a crash): its log stays beside the file
KILLED_SESSION = r"""
import os, signal, sys
from datetime import datetime, timedelta, timezone
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine

path, count, checkpoints = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
moment = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
col = Collection.open(path)
engine = Engine(col, Config(new_per_day=100), now=lambda: moment)
for i in range(count):
    card = engine.next_card()
    answered = engine.answer(card.id, 3, expected_version=card.version)
    print(f"done {answered.review_id}", flush=True)
    if checkpoints and i % 2:
        col.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    moment += timedelta(seconds=30)
os.kill(os.getpid(), signal.SIGKILL)
"""


def killed_session(collection, count: int, checkpoints: int = 0) -> list[int]:
    proc = spawn(collection, [sys.executable, "-c", KILLED_SESSION, str(collection),
                              str(count), str(checkpoints)])
    out, err = wait(proc)
    assert proc.returncode == -9 and "Traceback" not in err, err
    assert (collection.parent / f"{collection.name}-wal").stat().st_size > 0
    return [int(line.split()[1]) for line in out.splitlines() if line.startswith("done ")]


def answer_next(collection, times: int) -> None:
    for _ in range(times):
        card = json.loads(flashdeck(collection, "next", "--json").stdout)["card"]
        assert flashdeck(collection, "answer", str(card["id"]), "good").returncode == 0


def reviews(collection) -> list[tuple]:
    return query(collection, "SELECT id, card_id, rating, reviewed_at FROM reviews ORDER BY id")


@pytest.fixture
def collection(tmp_path):
    vault = make_vault(tmp_path / "vault", 8)
    home = tmp_path / "home"
    home.mkdir()
    path = home / "c.sqlite"
    assert flashdeck(path, "import", vault).returncode == 0
    return path


def test_a_newer_copy_put_over_a_killed_sessions_file_keeps_its_answers(collection, tmp_path):
    """The laptop's copy (two answers more than the desktop's file had) is copied over the
    desktop's file, beside which a killed review left a log of three answers: the laptop's
    answers are all there, the desktop's log is set aside whole under a name that says so,
    one warning names both files, and `doctor` lists it."""
    laptop = tmp_path / "laptop.sqlite"
    shutil.copy(collection, laptop)
    answer_next(laptop, 2)
    on_laptop = reviews(laptop)
    assert len(on_laptop) == 2
    killed_session(collection, 3)
    log = collection.parent / f"{collection.name}-wal"
    held = log.read_bytes()
    shutil.copy(laptop, collection)  # the main file only, as a sync tool does

    result = flashdeck(collection, "due")
    assert result.returncode == 0, result.stderr
    aside = sorted(collection.parent.glob("c.sqlite.stale-wal-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == held  # never deleted nor changed
    warning = result.stderr.strip()
    assert warning.count("\n") == 0 and str(log) in warning and str(aside[0]) in warning
    assert "another copy" in warning
    assert reviews(collection) == on_laptop

    code = flashdeck(collection, "doctor")
    assert code.returncode == 0 and "no problems found" in code.stdout
    assert "set aside:    1 write-ahead log of another copy" in code.stdout
    assert aside[0].name in code.stdout
    report = json.loads(flashdeck(collection, "doctor", "--json").stdout)
    assert report["set_aside_logs"] == [str(aside[0])]
    again = flashdeck(collection, "due")  # said once: the log is no longer there
    assert again.returncode == 0 and again.stderr == ""


def test_an_older_copy_put_back_is_not_overwritten_by_a_later_log(collection, tmp_path):
    """A backup taken before some answers is copied back (cp -p) over a file whose killed
    session left a log that continues those later answers: the backup is what opens."""
    backup = tmp_path / "backup.sqlite"
    shutil.copy2(collection, backup)
    answer_next(collection, 2)
    killed_session(collection, 4, checkpoints=1)
    shutil.copy2(backup, collection)
    result = flashdeck(collection, "log")
    assert result.returncode == 0 and "set aside as" in result.stderr
    assert reviews(collection) == []
    assert query(collection, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("checkpoints", [0, 1])
def test_a_killed_sessions_own_log_is_replayed_and_the_file_made_whole(collection, tmp_path,
                                                                      checkpoints):
    """The common case: the file's own log (a crash, a power cut; checkpointed during the
    session or not) is replayed, every answer reported done is kept, nothing is set aside;
    and once the next session has opened it (the review screen, which stays open), the file
    alone (as a backup or sync tool copies it) holds every answer: it held none of the
    last ones until that session closed."""
    done = killed_session(collection, 6, checkpoints)
    holder = spawn(collection, [sys.executable, "-c", HOLD_OPEN, str(collection), "0"])
    try:
        assert holder.stdout.readline().strip() == "open"
        alone = tmp_path / "alone"
        alone.mkdir()
        shutil.copy(collection, alone / "c.sqlite")  # the main file without its log
    finally:
        holder.kill()
        wait(holder)
    assert [r[0] for r in reviews(alone / "c.sqlite")] == done
    assert not list(collection.parent.glob("*stale-wal*"))
    assert [r[0] for r in reviews(collection)] == done


def test_the_whole_folder_copied_after_a_kill_keeps_its_log(collection, tmp_path):
    """The collection's folder copied whole (cp -a: file, log and -shm) after a crash: the
    copy's log is its own, replayed there."""
    done = killed_session(collection, 4, checkpoints=1)
    copy = tmp_path / "copy"
    shutil.copytree(collection.parent, copy)
    assert flashdeck(copy / "c.sqlite", "due").stderr == ""
    assert [r[0] for r in reviews(copy / "c.sqlite")] == done


def test_a_live_log_is_never_touched(collection, tmp_path):
    """Another flashdeck has the collection open with answers in its log: a command run
    meanwhile sets nothing aside, even with a newer copy's marks in the file (it cannot tell
    a live log from a stale one by its marks alone: it never judges one)."""
    holder = spawn(collection, [sys.executable, "-c", HOLD_OPEN, str(collection), "3"])
    try:
        assert holder.stdout.readline().strip() == "open"
        result = flashdeck(collection, "log")
        assert result.returncode == 0 and result.stderr == ""
        assert len(result.stdout.splitlines()) == 3
        assert not list(collection.parent.glob("*stale-wal*"))
    finally:
        holder.kill()
        wait(holder)


# opens the collection as the review screen does, answers argv[2] cards, and keeps it open
# (its log live) until killed
HOLD_OPEN = r"""
import sys, time
from datetime import datetime, timezone
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine

col = Collection.open(sys.argv[1])
engine = Engine(col, Config(), now=lambda: datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc))
for _ in range(int(sys.argv[2])):
    card = engine.next_card()
    engine.answer(card.id, 3, expected_version=card.version)
print("open", flush=True)
time.sleep(120)
"""


def test_a_log_left_behind_by_a_moved_file_is_kept_and_gives_its_answers_back(collection,
                                                                            tmp_path):
    """After a crash the file alone is moved away (its log left by the old name), and a new
    collection is made at the old path: SQLite deleted the log (a log beside a new, empty
    file), and the answers in it with it. Now it is kept under a set-aside name, said in
    one warning; put back beside the moved file as its -wal, it gives those answers back."""
    done = killed_session(collection, 3)
    log = collection.parent / f"{collection.name}-wal"
    held = log.read_bytes()
    moved = tmp_path / "moved.sqlite"
    os.rename(collection, moved)
    result = flashdeck(collection, "import", tmp_path / "vault")
    assert result.returncode == 0, result.stderr
    aside = sorted(collection.parent.glob("c.sqlite.stale-wal-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == held
    assert str(aside[0]) in result.stderr and "no collection file beside it" in result.stderr
    assert reviews(collection) == []  # the new collection
    shutil.copy(aside[0], tmp_path / "moved.sqlite-wal")
    assert [r[0] for r in reviews(moved)] == done


@pytest.mark.parametrize("deleted", [("-shm",), ("-wal",), ("-wal", "-shm")])
def test_a_second_process_is_refused_while_the_shared_memory_file_is_gone(collection,
                                                                          deleted):
    """Another flashdeck has the collection open and its -shm (or -wal) is deleted from
    under it (a cleanup script, a sync tool): a command run meanwhile made a second -shm,
    and the process closing last deleted the other's log (6 of 41 answers reported done
    were lost, doctor silent). Now the command is refused, saying why and what to do, and
    nothing is lost."""
    holder = spawn(collection, [sys.executable, "-c", HOLD_OPEN, str(collection), "3"])
    try:
        assert holder.stdout.readline().strip() == "open"
        for suffix in deleted:  # `rm c.sqlite-shm`, as a cleanup script does
            os.unlink(collection.parent / f"{collection.name}{suffix}")
        result = flashdeck(collection, "due")
        assert result.returncode == 2
        assert "(c.sqlite-shm, -wal) was deleted" in result.stderr
        assert "quit the other flashdeck" in result.stderr
    finally:
        holder.kill()
        wait(holder)
    if "-wal" not in deleted:
        assert len(reviews(collection)) == 3
