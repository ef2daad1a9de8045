"""The review screen's durability (issue 23): its answers' commits return once written to the
write-ahead log, and the log is flushed to the disk afterwards (`wal.LogSync`; the screen does
it once the next card is painted: tests/tui/test_background_flush_app.py); the next write's
commit and closing the collection first make a flush still due, and a flush the system
refuses is said there, never dropped. Every other command's commits still wait for the disk.

Real collections in tmp_path; only the system's flush (`os.fdatasync`) is replaced, to make
it slow or make it fail."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from flashdeck.collection.importer import import_paths
from flashdeck.collection.store import Collection
from flashdeck.errors import CollectionError
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from support.clock import T0
from support.commits import watch_commits

FULL, NORMAL = 2, 1
CONFIG = Config(new_per_day=50)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())


def _vault(root: Path, notes: int = 4) -> Path:
    root.mkdir()
    for i in range(notes):
        (root / f"Sorting {i}.md").write_text(
            f"---\ntags: [flashcards/algorithms]\n---\n# Sorting {i}\n\n"
            f"Worst case of quicksort variant {i}?::Quadratic, on sorted input\n"
            f"Stable sort number {i}?::Merge sort keeps equal keys in order\n",
            encoding="utf-8")
    return root


def _collection(tmp_path: Path) -> Path:
    path = tmp_path / "col.sqlite"
    with Collection.open(path) as col:
        assert import_paths(col, [str(_vault(tmp_path / "vault"))], now=0).cards_added == 8
    return path


def _level(col: Collection) -> int:
    return col.conn.execute("PRAGMA synchronous").fetchone()[0]


def _answer(col: Collection) -> int:
    engine = Engine(col, CONFIG)
    card = engine.next_card()
    engine.answer(card.id, 3)
    return card.id


def _logged(path: Path) -> int:
    with Collection.open(path) as col:
        return col.conn.execute("SELECT count(*) FROM reviews").fetchone()[0]


class SlowFlush:
    """os.fdatasync made slow (it flushes for real after a pause), each call logged in
    `events` beside the commits the connection makes (`watch`)."""

    def __init__(self, monkeypatch, pause: float = 0.2):
        self.events: list[str] = []
        self.inodes: set[int] = set()
        self.real = os.fdatasync
        self.pause = pause
        monkeypatch.setattr(os, "fdatasync", self)

    def __call__(self, fd: int) -> None:
        self.inodes.add(os.fstat(fd).st_ino)
        time.sleep(self.pause)  # a slow disk: a commit that did not wait comes first
        self.real(fd)
        self.events.append("flushed")

    def watch(self, col: Collection) -> None:
        """Log the commits of write transactions (not the reads' COMMITs)."""
        watch_commits(col.conn, self.events)


def test_each_commit_waits_for_the_last_one_s_background_flush_and_close_for_the_last(
        tmp_path, monkeypatch):
    path = _collection(tmp_path)
    flush = SlowFlush(monkeypatch)
    col = Collection.open(path)
    assert col.sync_in_background()
    assert _level(col) == FULL  # the first commit is flushed before it returns
    flush.watch(col)
    for _ in range(4):
        _answer(col)
    assert _level(col) == NORMAL
    col.close()
    # the first answer's commit waited for the disk itself; each later one's flush ended
    # before the next commit was made, and the last one's before close returned
    assert flush.events == ["commit"] + ["commit", "flushed"] * 3
    # the file flushed is the log SQLite writes (the same file, not a copy or a new one)
    assert len(flush.inodes) == 1
    assert _logged(path) == 4


def test_the_log_flushed_is_the_collection_s_own(tmp_path, monkeypatch):
    path = _collection(tmp_path)
    flush = SlowFlush(monkeypatch, pause=0)
    col = Collection.open(path)
    col.sync_in_background()
    _answer(col)
    _answer(col)
    log = Path(f"{path}-wal").stat().st_ino
    col.close()
    assert flush.inodes == {log}


def test_a_refused_flush_is_said_at_the_next_answer_which_is_not_written(
        tmp_path, monkeypatch):
    path = _collection(tmp_path)
    refused = []

    def failing(fd: int) -> None:
        refused.append(fd)
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fdatasync", failing)
    col = Collection.open(path)
    col.sync_in_background()
    _answer(col)  # the first commit here: flushed before it returned
    _answer(col)  # its flush is refused
    engine = Engine(col, CONFIG)
    card = engine.next_card()
    with pytest.raises(CollectionError) as caught:
        engine.answer(card.id, 3)
    message = str(caught.value)
    assert "could not be saved to disk" in message
    assert os.strerror(errno.EIO) in message
    assert str(path) in message
    assert refused
    # said once: nothing of this answer was written, and the next one is (and is flushed
    # again, and refused again: said again at close)
    assert col.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 2
    assert col.conn.execute("SELECT reps FROM cards WHERE id = ?", (card.id,)).fetchone()[0] == 0
    engine.answer(card.id, 3)
    assert col.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 3
    with pytest.raises(CollectionError, match="could not be saved to disk"):
        col.close()
    assert _logged(path) == 3  # no crash: the system had every answer


def test_the_flush_is_left_to_the_screen_which_makes_it_once(tmp_path, monkeypatch):
    """After each commit but the first, `later` is called (the screen: after its next
    repaint), and `flush_log` flushes the log once; the next commit has nothing left to
    flush."""
    path = _collection(tmp_path)
    flush = SlowFlush(monkeypatch, pause=0)
    col = Collection.open(path)
    col.sync_in_background(later=lambda: flush.events.append("later"))
    flush.watch(col)
    _answer(col)
    col.flush_log()  # the first commit was flushed before it returned: nothing to do
    for _ in range(2):
        _answer(col)
        col.flush_log()
        col.flush_log()  # once only
    col.close()
    assert flush.events == ["commit"] + ["commit", "later", "flushed"] * 2
    assert _logged(path) == 3


def test_a_flush_refused_when_the_screen_made_it_is_said_at_the_next_answer(
        tmp_path, monkeypatch):
    """A refusal is kept for the next write, even though a second flush would succeed (the
    system may have dropped the pages it could not write)."""
    path = _collection(tmp_path)
    real = os.fdatasync

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    col = Collection.open(path)
    col.sync_in_background()
    _answer(col)
    _answer(col)
    monkeypatch.setattr(os, "fdatasync", failing)
    col.flush_log()  # refused: nothing said yet (the screen shows the next card)
    monkeypatch.setattr(os, "fdatasync", real)
    engine = Engine(col, CONFIG)
    card = engine.next_card()
    with pytest.raises(CollectionError, match="could not be saved to disk"):
        engine.answer(card.id, 3)
    assert col.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 2
    engine.answer(card.id, 3)  # said once; this one is written
    col.close()
    assert _logged(path) == 3


def test_a_refused_flush_of_the_last_answer_is_said_when_the_collection_closes(
        tmp_path, monkeypatch):
    path = _collection(tmp_path)

    def failing(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fdatasync", failing)
    col = Collection.open(path)
    col.sync_in_background()
    _answer(col)
    _answer(col)
    with pytest.raises(CollectionError) as caught:
        col.close()
    assert "could not be saved to disk" in str(caught.value)
    assert os.strerror(errno.ENOSPC) in str(caught.value)
    with pytest.raises(Exception):
        col.conn.execute("SELECT 1")  # closed all the same
    assert _logged(path) == 2


def test_other_writes_of_the_review_screen_wait_too(tmp_path, monkeypatch):
    path = _collection(tmp_path)
    flush = SlowFlush(monkeypatch)
    col = Collection.open(path)
    col.sync_in_background()
    flush.watch(col)
    card_id = _answer(col)
    engine = Engine(col, CONFIG)
    _answer(col)
    hidden = engine.bury(card_id)
    engine.restore(hidden)
    engine.undo()
    col.close()
    assert flush.events == ["commit"] + ["commit", "flushed"] * 4


def test_an_import_on_the_review_screen_s_connection_keeps_its_level(tmp_path, monkeypatch):
    path = _collection(tmp_path)
    col = Collection.open(path)
    col.sync_in_background()
    _answer(col)
    assert _level(col) == NORMAL
    with col.redoable_writes():
        assert _level(col) == NORMAL
    assert _level(col) == NORMAL  # not FULL: the commits are flushed after they return still
    _answer(col)
    col.close()
    assert _logged(path) == 2


def test_commands_other_than_the_review_screen_still_wait_for_the_disk(tmp_path):
    path = _collection(tmp_path)
    with Collection.open(path) as col:
        _answer(col)
        assert _level(col) == FULL
        assert col._behind is None


def test_a_collection_in_memory_has_nothing_to_flush():
    col = Collection.in_memory()
    assert not col.sync_in_background()
    col.close()


_EXITING = """
import os, sys, time
sys.path[:0] = {paths!r}
real = os.fdatasync
def slow(fd):
    time.sleep(0.3)
    real(fd)
    print("flushed", flush=True)
os.fdatasync = slow
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
col = Collection.open({path!r})
col.sync_in_background()
for _ in range(2):
    engine = Engine(col, Config(new_per_day=50))
    engine.answer(engine.next_card().id, 3)
print("answered", flush=True)
# the process ends with the collection open: its exit waits for the last flush
"""


def test_the_process_s_exit_waits_for_the_last_flush(tmp_path):
    path = _collection(tmp_path)
    here = Path(__file__).resolve().parent.parent
    code = _EXITING.format(paths=[str(here.parent), str(here)], path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "FLASHDECK_NOW": T0.isoformat()}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["answered", "flushed"]
    assert _logged(path) == 2


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="Linux's /proc")
def test_closing_lets_go_of_the_log(tmp_path):
    path = _collection(tmp_path)
    log = f"{path}-wal"

    def holding() -> int:
        held = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                held += os.readlink(f"/proc/self/fd/{fd}").startswith(log)
            except OSError:  # the listing's own descriptor, closed since
                pass
        return held

    col = Collection.open(path)
    col.sync_in_background()
    _answer(col)
    assert holding() == 2  # SQLite's and the flush's (from the first commit on)
    _answer(col)
    assert holding() == 2
    col.close()
    assert holding() == 0
    col.close()  # twice: nothing more to do


def _many_cards(path: Path, notes: int = 60) -> None:
    """A collection of `notes` notes of four basic cards each (no import: quick)."""
    from flashdeck.notes.model import ParsedCard
    from support.notes import add_notes

    with Collection.open(path) as col, col.transaction() as conn:
        add_notes(conn, notes, lambda n: [
            ParsedCard("basic", f"Heap {n} question {k}?", f"Heap {n} answer {k}", k + 1,
                       "flashcards/algorithms", f"L{k + 1}") for k in range(4)],
            title="Heap {n}")


def test_the_screen_s_log_is_copied_into_the_file_after_its_flush_never_in_an_answer(
        tmp_path, monkeypatch):
    """SQLite copies the log into the collection file itself when a commit leaves 1,000 pages
    in it (every ~80 answers), inside that commit: the answer that crossed it waited 10-60 ms
    for it on the screen's thread. The screen's flush after the repaint (`flush_log`) now
    copies it every CHECKPOINT_COMMITS commits, so the log never grows to SQLite's threshold
    (its file, reused from its start after each copy, stays below 1,000 pages), and the
    collection file alone holds the answers up to the last copy."""
    from flashdeck.collection.store import CHECKPOINT_COMMITS

    path = tmp_path / "col.sqlite"
    _many_cards(path)
    log = path.with_name(path.name + "-wal")
    clock = [T0]
    answers = 200
    col = Collection.open(path)
    try:
        col.sync_in_background()
        engine = Engine(col, Config(new_per_day=answers), now=lambda: clock[0])
        largest = 0
        for _ in range(answers):
            card = engine.next_card()
            engine.answer(card.id, 3)
            col.flush_log()  # as the screen does once the next card is painted
            largest = max(largest, log.stat().st_size)
            clock[0] += timedelta(seconds=30)
        page = col.conn.execute("PRAGMA page_size").fetchone()[0]
        alone = tmp_path / "alone.sqlite"
        # what a backup tool copying the file alone gets (another process: this one's
        # descriptor of the file, closed, would drop SQLite's locks)
        subprocess.run(["cp", str(path), str(alone)], check=True)
    finally:
        col.close()
    assert largest < 32 + 1000 * (24 + page)
    with Collection.open(alone) as copy:
        kept = copy.conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    assert answers - CHECKPOINT_COMMITS <= kept <= answers


def _log_header(log: Path) -> bytes:
    """The write-ahead log's header: a log started over has a new checkpoint sequence
    number and new salts (SQLite's wal.c)."""
    with open(log, "rb") as f:
        return f.read(32)


def test_no_answer_s_commit_starts_the_log_over(tmp_path):
    """SQLite starts the log over at the first commit after a checkpoint copied all of it,
    and flushes the log's new header to the disk inside that commit: that was the answer
    after every screen's checkpoint (0.3-0.5 ms more, the slowest answers of a session).
    The screen's flush (`flush_log`) now starts it over itself, after its checkpoint: no
    answer's commit writes a new header, the log is still started over after each
    checkpoint (it stays small), and every answer is kept."""
    from flashdeck.collection.store import CHECKPOINT_COMMITS

    path = tmp_path / "col.sqlite"
    _many_cards(path)
    log = path.with_name(path.name + "-wal")
    clock = [T0]
    answers = 3 * CHECKPOINT_COMMITS + 5
    started_over = 0
    col = Collection.open(path)
    try:
        col.sync_in_background()
        engine = Engine(col, Config(new_per_day=answers), now=lambda: clock[0])
        engine.answer(engine.next_card().id, 3)  # the first commit: the log made
        col.flush_log()
        for _ in range(answers - 1):
            card = engine.next_card()
            before = _log_header(log)
            engine.answer(card.id, 3)
            assert _log_header(log) == before  # this answer's commit only added frames
            col.flush_log()  # as the screen does once the next card is painted
            started_over += _log_header(log) != before
            clock[0] += timedelta(seconds=30)
        assert not col.syncs_in_background or not col._behind.due  # flushed
    finally:
        col.close()
    assert started_over == answers // CHECKPOINT_COMMITS
    with Collection.open(path) as again:
        assert again.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == answers


def test_a_writer_elsewhere_at_the_checkpoint_is_not_waited_for(tmp_path):
    """Another connection writing when the screen's flush has copied the log (an import
    in another terminal): the flush does not wait for it (the screen's thread), the
    busy timeout is as it was, and the next answer, once that writer is done, starts the
    log over itself and is kept."""
    import sqlite3

    from flashdeck.collection.store import CHECKPOINT_COMMITS

    path = tmp_path / "col.sqlite"
    _many_cards(path)
    log = path.with_name(path.name + "-wal")
    clock = [T0]
    col = Collection.open(path)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        col.sync_in_background()
        engine = Engine(col, Config(new_per_day=100), now=lambda: clock[0])
        for _ in range(CHECKPOINT_COMMITS):
            engine.answer(engine.next_card().id, 3)
            col.flush_log()
            clock[0] += timedelta(seconds=30)
        engine.answer(engine.next_card().id, 3)  # the CHECKPOINT_COMMITS-th since the copy
        other.execute("BEGIN IMMEDIATE")  # the other writer, holding the write lock
        before = _log_header(log)
        col.flush_log()  # copies the log; cannot start it over now
        assert _log_header(log) == before
        assert col.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
        other.execute("ROLLBACK")
        card = engine.next_card()
        engine.answer(card.id, 1)
        assert _log_header(log) != before  # started over by this answer, as before
        col.flush_log()
    finally:
        other.close()
        col.close()
    with Collection.open(path) as again:
        assert again.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] \
            == CHECKPOINT_COMMITS + 2
