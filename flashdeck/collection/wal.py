"""Whether the write-ahead log beside a collection belongs to it, before SQLite reads it.

SQLite replays a `-wal` file found beside a database as that database's own: it cannot
tell a log left by another copy of the file. A newer collection copied over an older one
whose log a killed flashdeck left beside it (a sync tool or `cp` that copies the main file
only) had that old log replayed onto it: the newer copy's answers were overwritten, the
file sometimes damaged, and nothing said so.

flashdeck marks every write transaction (`stamp`): the file's header gets a new random
mark (`user_version`, offset 60) and keeps the mark it replaces (`application_id`, offset
68). A transaction's marks reach the main file only when the log is checkpointed into it,
and a log only ever continues the file it was started on: the file's page 1 is then the
page 1 the log started from (whose mark the log's first stamped page 1 names as the one it
replaced) or one of the log's own page-1 frames (a checkpoint copied part of the log, or
all of it, into the file). A file whose marks are none of these is another copy: its log
would overwrite it with another history, and is set aside instead of replayed.

Only a certain verdict sets a log aside; anything unsure leaves it to SQLite, as before:
- someone else has the collection open (its log is live: never touched);
- no log, an empty or unreadable one, or one with no committed frame (SQLite replays
  nothing of it);
- a log with no page 1 among its frames (no mark to compare: logs of older flashdecks, or
  of other programs' writes);
- a page size, header or platform that does not fit what is read here.
The log is read frame header by frame header (24 bytes each) and page 1's marks only,
bounded by its size; frames are read past what SQLite would replay (checksums are not
verified: a torn last frame counts as the log's), which can only make a log look like the
file's own, never the other way round.
"""

from __future__ import annotations

import os
import _thread
import struct
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no POSIX record locks to tell a live log; never set aside
    fcntl = None

_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_VERSION = 3007000
_WAL_HEADER = 32
_FRAME_HEADER = 24
# SQLite's lock bytes in the main file (os_unix.c): every connection to a collection in WAL
# mode holds a read lock on the shared range while it is open, idle ones too
_PENDING_BYTE = 0x40000000
_SHARED_FIRST = _PENDING_BYTE + 2
_SHARED_SIZE = 510
# the name a log set aside takes: `c.sqlite.stale-wal-20261201-090000`
SET_ASIDE = ".stale-wal-"

# the Collections this process has open, by file (device, inode): their SQLite locks on
# the main file would be dropped by closing any other descriptor of it (POSIX), so the
# main file is never opened here while one of them is
_open_here: dict[tuple[int, int], int] = {}
_open_here_lock = _thread.allocate_lock()  # the review screen's workers open and close their own


def opened(identity: tuple[int, int] | None) -> None:
    if identity is not None:
        with _open_here_lock:
            _open_here[identity] = _open_here.get(identity, 0) + 1


def closed(identity: tuple[int, int] | None) -> None:
    if identity is not None:
        with _open_here_lock:
            if identity in _open_here:
                _open_here[identity] -= 1
                if _open_here[identity] <= 0:
                    del _open_here[identity]


def new_marks(conn) -> None:
    """Inside a write transaction: the collection's header takes a new random mark and
    keeps the one it replaces (see the module's docstring). Two statements on page 1."""
    previous = conn.execute("PRAGMA user_version").fetchone()[0]
    mark = 0
    while mark == 0:  # bounded in practice: one draw in 2**32 is 0
        mark = int.from_bytes(os.urandom(4), "big", signed=True)
    conn.execute(f"PRAGMA application_id = {int(previous)}")
    conn.execute(f"PRAGMA user_version = {mark}")


class Leftover:
    """What `take_stock` found beside a collection no one else has open (a plain class:
    `dataclasses` costs every command ~8 ms to import). `frames`: committed frames in its
    log (0: no log to replay; -1: no file it belonged to); `set_aside`: where a log that
    was not the file's own went; `log`: its name before."""

    __slots__ = ("frames", "set_aside", "log")

    def __init__(self, frames: int, set_aside: Path | None = None, log: Path | None = None):
        self.frames, self.set_aside, self.log = frames, set_aside, log


def take_stock(path: Path) -> Leftover | None:
    """Before SQLite opens `path`: None when another process has it open (its log is live)
    or nothing can be told; else what its log holds, and, when the log certainly belongs
    to another copy of the file, the name it was set aside under (renamed, never deleted).
    Done under an exclusive lock on the file's shared range, so no SQLite connection opens
    it meanwhile (they wait, through their busy handler)."""
    if fcntl is None or not hasattr(os, "pread"):
        return None
    path = Path(path)
    log = path.with_name(path.name + "-wal")
    try:
        st = os.stat(path)
        if (st.st_dev, st.st_ino) in _open_here:
            return None
        fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None  # read-only, gone, unreadable: SQLite says what it can do
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, _SHARED_SIZE, _SHARED_FIRST, 0)
        except OSError:
            # held: another connection has it open (or locks are not kept here)
            if _shared_memory_gone(path, fd):
                raise SharedMemoryGone(path)
            return None
        try:
            return _judge(path, fd, log) if log.exists() else None
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, _SHARED_SIZE, _SHARED_FIRST, 0)
    finally:
        # no SQLite connection of this process has the file open (`_open_here`): closing
        # this descriptor drops no lock but its own
        os.close(fd)


class SharedMemoryGone(Exception):
    """Another process has the collection open in WAL mode and its shared-memory file
    (`-shm`) or its log (`-wal`) was deleted from under it (a cleanup script, a sync tool
    mirroring another machine's folder). Opening it now makes second ones: the two
    processes no longer see each other's log, and the one that closes last deletes what the
    other wrote (in a run, 6 of 41 answers reported done were lost, the file whole and
    `doctor` silent)."""


def _shared_memory_gone(path: Path, fd: int) -> bool:
    """Whether the file, in WAL mode and open elsewhere (its shared lock held), has no
    `-shm` or no `-wal` beside it, and still not after a moment: a process opening it
    holds the lock a moment before making them, so the look is repeated (bounded, ~0.2 s)."""
    shm = path.with_name(path.name + "-shm")
    log = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK):
        return False  # a read-only folder: readers there keep their index in memory
    for attempt in range(20):
        try:
            header = os.pread(fd, 20, 0)
        except OSError:
            return False
        if header[18:20] != b"\x02\x02" or (os.path.lexists(shm) and os.path.lexists(log)):
            return False  # not WAL (no -shm needed), or its -shm and -wal are there
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, _SHARED_SIZE, _SHARED_FIRST, 0)
        except OSError:
            time.sleep(0.01)
            continue
        fcntl.lockf(fd, fcntl.LOCK_UN, _SHARED_SIZE, _SHARED_FIRST, 0)
        return False  # closed meanwhile: nobody has it open
    return True


def _judge(path: Path, fd: int, log: Path) -> Leftover | None:
    try:
        header = os.pread(fd, 100, 0)
        frames = _log_frames(log)
    except OSError:
        return None
    if frames is None:
        return None
    committed, page_size, firsts = frames
    if committed == 0:
        return Leftover(0)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return None
    size = struct.unpack(">H", header[16:18])[0]
    if (65536 if size == 1 else size) != page_size or not firsts:
        return Leftover(committed)  # nothing to compare: replayed, as SQLite would
    mark, previous = struct.unpack(">i", header[60:64])[0], struct.unpack(">i", header[68:72])[0]
    # the file's page 1 is the log's start (whose mark its first stamped page 1 replaced)
    # or one of the log's own page-1 frames
    if (previous, mark) in firsts or mark == firsts[0][0]:
        return Leftover(committed)
    aside = _aside_name(path)
    if aside is None:
        return Leftover(committed)
    try:
        os.rename(log, aside)
        _sync_folder(path.parent)
    except OSError:
        return Leftover(committed)  # cannot move it: SQLite replays it, as before
    return Leftover(0, set_aside=aside, log=log)


def keep_orphan(path: Path) -> Leftover | None:
    """Before a new collection is made at `path` (no file there): a log left by that name
    (the file was moved or deleted without it, after a crash) is kept under a set-aside
    name. SQLite deletes it when it makes the new file (a log beside an empty database),
    and with it the answers it holds. Linked (or copied), never renamed: if another process
    is making the collection at this moment, its own log is left where it is."""
    log = path.with_name(path.name + "-wal")
    try:
        frames = _log_frames(log) if log.is_file() else None
    except OSError:
        return None
    if frames is None or frames[0] == 0:
        return None
    aside = _aside_name(path)
    if aside is None:
        return None
    try:
        try:
            os.link(log, aside)
        except OSError:  # no hard links here (FAT, some shares): a copy
            import shutil

            shutil.copyfile(log, aside)
        _sync_folder(path.parent)
    except OSError:
        return None
    return Leftover(-1, set_aside=aside, log=log)  # -1: no file it belonged to


def _log_frames(log: Path) -> tuple[int, int, list[tuple[int, int]]] | None:
    """The log's committed frames (as SQLite counts them: up to its last commit frame among
    the frames carrying its header's salts), its page size, and the (application_id,
    user_version) of each committed page-1 frame in order; None when it is no log SQLite
    would read (then it replays nothing)."""
    fd = os.open(log, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        head = os.pread(fd, _WAL_HEADER, 0)
        if len(head) < _WAL_HEADER:
            return 0, 0, []
        magic, version, page_size, _, salt1, salt2 = struct.unpack(">6I", head[:24])
        if magic not in _WAL_MAGIC or version != _WAL_VERSION or page_size < 512 \
                or page_size > 65536 or page_size & (page_size - 1):
            return 0, 0, []
        total = os.fstat(fd).st_size
        frame = _FRAME_HEADER + page_size
        count = max(0, (total - _WAL_HEADER) // frame)
        committed, pending, firsts = 0, [], []
        for index in range(count):  # bounded by the log's size
            offset = _WAL_HEADER + index * frame
            fh = os.pread(fd, _FRAME_HEADER, offset)
            if len(fh) < _FRAME_HEADER:
                break
            page, commit, s1, s2 = struct.unpack(">4I", fh[:16])
            if page == 0 or (s1, s2) != (salt1, salt2):
                break  # the log's end: frames of an earlier round of it follow
            if page == 1:
                marks = os.pread(fd, 12, offset + _FRAME_HEADER + 60)
                if len(marks) < 12:
                    break
                pending.append((struct.unpack(">i", marks[8:12])[0],
                                struct.unpack(">i", marks[0:4])[0]))
            if commit:
                committed = index + 1
                firsts.extend(pending)
                pending = []
        return committed, page_size, firsts
    finally:
        os.close(fd)


def _aside_name(path: Path) -> Path | None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 100):  # bounded: one a second would take 100 copies
        aside = path.with_name(f"{path.name}{SET_ASIDE}{stamp}" + (f"-{n}" if n > 1 else ""))
        if not os.path.lexists(aside):
            return aside
    return None


def set_aside_logs(path: Path) -> list[Path]:
    """The logs set aside beside the collection at `path` (`take_stock`), oldest first."""
    from glob import escape as glob_escape  # here only: not imported by every start

    path = Path(path)
    return sorted(path.parent.glob(f"{glob_escape(path.name)}{SET_ASIDE}*"))


def _sync_folder(folder: Path) -> None:
    from flashdeck.durable import sync_folder

    sync_folder(folder)


class LogSync:
    """The review screen's durability (`Collection.sync_in_background`): its commits write
    the log's frames without waiting for the disk (synchronous NORMAL), and the log is then
    flushed to the disk here (`flush`), on the caller's thread, once the next card is on
    screen (the screen calls it when idle, after the repaint: the user reads the card for
    seconds, the flush takes a fraction of a millisecond). The next write's commit, and
    closing the collection, first make a flush still due (`wait`), so at most one commit is
    ever not on the disk yet. A crash or kill loses nothing (the frames are in the system's
    cache); a power cut can lose the one last commit, until its flush ends, a few
    milliseconds after the next card is on screen. A flush the system refuses is said at
    the next wait (`wait` returns it), never dropped (a second flush may well succeed: the
    system has marked the pages written, so the refusal is kept).

    The log flushed is the file this connection writes: a descriptor of it opened while the
    connection has it open (SQLite keeps one log file open for the connection's life,
    writes into it from its start again after a checkpoint, and deletes it only when the
    last connection closes), checked to be the file at the log's path then. A later move
    or rename of the files changes nothing (the descriptor follows the file, as SQLite's
    does). SQLite takes no lock on the log file (its locks are on the main file and the
    -shm file), so this descriptor's close drops none.

    (A thread of its own flushing right after each commit was tried first: the hand-over
    between the two threads cost ~0.2 ms an answer, and the next commit waited for it.)"""

    __slots__ = ("_fd", "_due", "_error", "commits")

    def __init__(self, log: Path):
        fd = os.open(log, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            st = os.fstat(fd)
            import stat

            if not stat.S_ISREG(st.st_mode) or not os.path.samestat(st, os.stat(log)):
                raise OSError(f"{log}: not the collection's log")
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._due = False  # a commit was made since the last flush
        self._error: OSError | None = None  # the last flush's refusal, not yet said
        self.commits = 0  # since the log was last copied into the file (Collection.flush_log)
        _syncing.add(self)
        global _atexit_set
        if not _atexit_set:
            import atexit

            atexit.register(_wait_all)
            _atexit_set = True

    def start(self) -> None:
        """After a commit: the log is to be flushed (`flush`, or at the latest `wait`)."""
        self._due = True
        self.commits += 1

    @property
    def due(self) -> bool:
        """Whether a commit was made that is not flushed yet."""
        return self._due

    def flush(self) -> None:
        """Flush the log to the disk if a commit is not yet; a refusal is kept for `wait`."""
        if self._due and self._fd >= 0:
            self._due = False
            try:
                getattr(os, "fdatasync", os.fsync)(self._fd)  # as SQLite flushes its log
            except OSError as exc:
                self._error = exc

    def wait(self) -> OSError | None:
        """Make the flush still due, if any: the error the system gave a flush since the
        last wait (once), else None."""
        self.flush()
        error, self._error = self._error, None
        return error

    def close(self) -> OSError | None:
        """The flush still due (its error, as `wait`), then let go of the log."""
        error = self.wait()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            _syncing.discard(self)
        return error


# the logs flushed after their commits, until their collection closes (or the process
# exits: `_wait_all`)
_syncing: set = set()
_atexit_set = False


def _wait_all() -> None:
    """At the process's exit: every log with a commit not flushed yet is flushed (a
    collection not closed), and a flush the system refused is said (one line, on stderr)."""
    import sys

    for sync in list(_syncing):
        error = sync.close()
        if error is not None:
            from flashdeck.textsafe import sanitize

            print(sanitize(f"flashdeck: {NOT_SAVED}: {error.strerror or error}"),
                  file=sys.stderr)


# what a refused flush of the log says (the commit before it may be lost to a power cut)
NOT_SAVED = ("the last change (an answer, an undo, a suspend or a bury) could not be saved to"
             " disk (the system refused to flush the"
             " collection's log)")

