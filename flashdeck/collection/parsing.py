"""Reading and parsing notes, on all cores when there are many: a note file in, its cards
out as rows for the writer (see card_rows.CardRow). Runs in worker processes.

One note can never stop the rest: whatever goes wrong while reading or parsing it (any
exception, a parse over its time budget, a worker over its memory budget or dying under it)
becomes that note's problem, `path:line: message`, and the other notes go on.
"""

from __future__ import annotations

import errno
import faulthandler
import os
import re
import signal
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

import flashdeck.exercises as exercises
from flashdeck.collection.card_rows import card_row
from flashdeck.collection.sources import NoteFile
from flashdeck.notes import files
from flashdeck.notes.model import ParsedNote, ParserSettings, Problem, describe_failure
from flashdeck.textsafe import sanitize

try:
    import resource  # POSIX only: elsewhere the memory cap is a no-op
except ImportError:
    resource = None

READ_ATTEMPTS = 3  # reads of a note that changes while being read, before giving up on it
PARALLEL_MIN_FILES = 48  # below this a process pool costs more than it saves
NOTE_SECONDS = 30.0  # wall time one note may take to read and parse
NOTE_MEMORY = 2 * 2**30  # bytes a parse may add to its process (where RLIMIT_AS exists)
_WATCHDOG_GRACE = 10.0  # past its budget, a worker stuck where the timer cannot reach is killed
_LEFT_AS_IT_WAS = "the note is left as it was"
COUNT_UNREAD_CHARS = 200_000  # an unread folder note larger than this is not parsed to count


@dataclass
class Parsed:
    file: NoteFile | None  # None only in transit from a worker (parse_many puts it back)
    size: int
    mtime_ns: int
    hash: str  # "" when the note could not be read or parsed: the writer leaves it alone
    note: ParsedNote | None  # None: unreadable, a folder note without the tag, or for_writer
    problems: list[Problem]
    # for_writer: the note's title and its cards as `CardRow`-shaped tuples (None: no
    # flashcard note), instead of the whole note: that is all the writer needs
    title: str | None = None
    rows: list[tuple] | None = None
    # decks = "folders": the cards in the plugin's syntax of an untagged subfolder note that
    # was not read (see `by_folder` below); the import names such notes
    unread_cards: int = 0
    # not parsed: its hash is the one the collection has (rows None then says nothing of
    # whether it is a flashcard note)
    unchanged: bool = False


# a line `?` or `??` (in a quote too): a cheap look before parsing, which decides
_SEPARATOR_LINE = re.compile(r"^[ \t>]*\?\??[ \t]*$", re.M)


def read_and_parse(file: NoteFile, settings: ParserSettings, require_tag: bool,
                   known_hash: str | None = None, for_writer: bool = False,
                   imported: bool = False, moved_from: frozenset[str] = frozenset()) -> Parsed:
    """Read one note, hash it, and (unless its hash is `known_hash`) parse it.
    `for_writer`: hand the cards over as `rows` (see CardRow). `imported`: the collection
    has the note's cards (see `by_folder` below). `moved_from`: the hashes of the notes
    of its vault that vanished in this import; a note with one of them was moved here, and
    the collection has its cards too. May raise: see `parse_one`."""
    try:
        stat = os.stat(file.path)
        size, mtime_ns = stat.st_size, stat.st_mtime_ns
    except OSError as exc:
        return Parsed(file, -1, -1, "", None, [Problem(file.display, 0, _cannot_read(exc))])
    for attempt in range(READ_ATTEMPTS):
        try:
            # only a regular file, and at most MAX_NOTE_BYTES of it: a FIFO or a device
            # named like a note is refused at once instead of blocking or reading forever
            raw, _ = files.read_regular_file(file.path, files.MAX_NOTE_BYTES)
            again = os.stat(file.path)
        except files.NotReadable as exc:
            return Parsed(file, size, mtime_ns, "", None,
                          [Problem(file.display, 1, f"{exc}; not read")])
        except OSError as exc:
            return Parsed(file, size, mtime_ns, "", None,
                          [Problem(file.display, 0, _cannot_read(exc))])
        if (again.st_size, again.st_mtime_ns) == (size, mtime_ns) and len(raw) == size:
            break
        # written to while we read (an editor saving): what we have may be torn
        size, mtime_ns = again.st_size, again.st_mtime_ns
    else:
        return Parsed(file, size, mtime_ns, "", None, [Problem(
            file.display, 0, "kept changing while being read; its cards are left as they"
            " were (import again once it is saved)")])
    digest = files.content_digest(raw)
    imported = imported or digest in moved_from
    if known_hash is not None and digest == known_hash:
        return Parsed(file, size, mtime_ns, digest, None, [], unchanged=True)
    text, problems = files.read_note_file(file.path, file.display, data=raw)
    if text is None:
        return Parsed(file, size, mtime_ns, digest, None, problems)
    # deferred: the parser (~20 ms) loads only once a note has changed, never on a re-import
    # of an unchanged vault
    from flashdeck.notes import parser

    # decks = "folders", a note in a subfolder: the plugin reviews it tagged or not. One
    # without the tag gives its explicit cards (the plugin's syntax) when it is plainly a
    # flashcard note of the plugin: the plugin has reviewed cards of it (a `<!--SR:`
    # comment: no schedule is lost), it holds a multi-line card (a line `?` or `??`, which
    # prose never has), or the collection has its cards (its comments since cleaned out:
    # no history hidden; moved or its folder renamed, too: `imported`, `moved_from`). Its
    # structure derives nothing and it gets no exercises. Any other still needs the tag: a
    # vault's highlights and Dataview `key:: value` fields are no cards.
    by_folder = require_tag and settings.decks == "folders" and settings.folder != ""
    if require_tag and not parser.might_be_tagged(text, settings) and not (
            by_folder and (imported or "<!--SR:" in text or _SEPARATOR_LINE.search(text))):
        if not (by_folder and len(text) <= COUNT_UNREAD_CHARS
                and parser.might_hold_cards(text, settings)):
            return Parsed(file, size, mtime_ns, digest, None, problems)
        # not read, but named: its `::` lines may be Dataview fields, its highlights prose.
        # Parsed only to count them (`unread_cards`): none of its problems is said, and over
        # its budget (a note never read must not fail the import) it is not counted
        try:
            unread = parser.parse_note(text, file.display, settings, derive_untagged=False)
        except (_OverBudget, MemoryError, RecursionError):
            return Parsed(file, size, mtime_ns, digest, None, problems)
        return Parsed(file, size, mtime_ns, digest, None, problems,
                      unread_cards=len(unread.cards))
    note = parser.parse_note(text, file.display, settings, derive_untagged=not by_folder)
    if require_tag and not note.tagged and not (
            by_folder and (imported or note.plugin_scheduled or note.multiline_syntax)):
        return Parsed(file, size, mtime_ns, digest, None, problems + note.problems,
                      unread_cards=len(note.cards) if by_folder else 0)
    try:
        exercise_cards, exercise_problems = (
            exercises.exercises_for_note(note) if note.tagged or not require_tag else ([], []))
    except (Exception, SystemExit, _OverBudget) as exc:  # the line of its block, if just one
        blocks = note.exercise_blocks
        raise _AtLine(blocks[0].line if len(blocks) == 1 else 1) from exc
    note.cards.extend(exercise_cards)
    note.problems.extend(exercise_problems)
    if for_writer:
        return Parsed(file, size, mtime_ns, digest, None, problems + note.problems, note.title,
                      [card_row(card) for card in note.cards])
    return Parsed(file, size, mtime_ns, digest, note, problems + note.problems, note.title)


def _cannot_read(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return files.PATH_TOO_LONG
    return f"cannot read: {exc.strerror or exc}"


class _AtLine(Exception):
    """Carries the line a failure is known to be at; the failure is its __cause__."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _OverBudget(BaseException):
    """Raised by the timer in the middle of a parse over its time budget. A BaseException,
    so that no `except Exception` on the way swallows it."""


def parse_one(job: tuple, seconds: float | None = None) -> Parsed:
    """`read_and_parse(*job)`, but never raises: any failure, and a parse over `seconds`
    (where a timer can interrupt it), is the note's problem and its hash is left empty, so
    the writer leaves the note as the collection has it."""
    timer = _Timer(seconds)
    try:
        try:
            timer.start()
            return read_and_parse(*job)
        finally:
            timer.stop()
    except _OverBudget:
        return failed(job[0], _too_slow(seconds))
    except (Exception, SystemExit) as exc:  # MemoryError, RecursionError, a bug, ...
        line = 1
        if isinstance(exc, _AtLine):
            line, exc = exc.line, exc.__cause__
            if isinstance(exc, _OverBudget):
                return failed(job[0], _too_slow(seconds), line)
        return failed(job[0], describe_failure(exc), line)


def _too_slow(seconds: float) -> str:
    return f"cannot be parsed: it takes longer than the {seconds:g} s one note may take"


def failed(file: NoteFile, message: str, line: int = 1) -> Parsed:
    """A note that could not be read or parsed: its problem, and nothing to write."""
    shown = file.display if file is not None else "?"
    return Parsed(file, -1, -1, "", None,
                  [Problem(shown, line, sanitize(f"{message}; {_LEFT_AS_IT_WAS}"))])


class _Timer:
    """An interval timer (SIGALRM) that raises _OverBudget in the parse it interrupts. Only
    on the main thread, where signals are delivered, and where no other timer is running
    (a test runner's own timeout, say): elsewhere a no-op."""

    def __init__(self, seconds: float | None) -> None:
        self.armed = False
        self.previous = None
        self.usable = bool(seconds) and hasattr(signal, "setitimer") \
            and threading.current_thread() is threading.main_thread()
        self.seconds = seconds

    def start(self) -> None:
        if not self.usable or signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0):
            return
        self.previous = signal.signal(signal.SIGALRM, _alarm)
        if self.previous is None:  # not set from Python
            self.previous = signal.SIG_DFL
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def stop(self) -> None:
        if self.armed:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def _alarm(signum, frame) -> None:
    raise _OverBudget()


class _MemoryCap:
    """RLIMIT_AS lowered to what the process uses now plus NOTE_MEMORY, so that a runaway
    parse gets a MemoryError instead of the machine's memory. Linux only (it needs the
    process's size, /proc/self/statm); elsewhere a no-op."""

    def __init__(self, extra: int | None) -> None:
        self.saved = None
        self.limit = None
        if not extra or resource is None:
            return
        try:
            with open("/proc/self/statm", "rb") as f:
                size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        except (OSError, ValueError, IndexError, AttributeError):
            return
        limit = size + extra
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            self.saved, self.limit = (soft, hard), limit

    def __enter__(self) -> "_MemoryCap":
        if self.limit is not None:
            try:
                resource.setrlimit(resource.RLIMIT_AS, (self.limit, self.saved[1]))
            except (ValueError, OSError):
                self.limit = None
        return self

    def __exit__(self, *exc) -> None:
        if self.limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, self.saved)


def _warm_up() -> None:
    """Import the parser and exercises, and load the built-in templates, once."""
    # deferred: loading them (in each worker) is this function's job
    from flashdeck.exercises import builtin_templates
    from flashdeck.notes.parser import _markdown

    _markdown()
    builtin_templates()


def parse_many(jobs: list[tuple],
               on_done: Callable[[], None] | None = None) -> Iterable[Parsed]:
    """Parse on all cores when there is enough work; results come back in job order.
    Never raises for a note: each failure is that note's problem (see `parse_one`)."""
    if not parses_in_parallel(len(jobs)):
        yield from _parse_here(jobs, on_done)
        return
    _warm_up()  # before the fork: the workers start with all of it loaded
    pool = _Pool(jobs, os.cpu_count(), NOTE_SECONDS, NOTE_MEMORY)
    try:
        yield from pool.results(on_done)
    finally:
        pool.close()


def parses_in_parallel(jobs: int) -> bool:
    """Whether parse_many parses this many notes in worker processes (on all cores), while
    its caller goes on with the notes it has."""
    return jobs >= PARALLEL_MIN_FILES and (os.cpu_count() or 1) >= 2


def _parse_here(jobs: Iterable[tuple], on_done: Callable[[], None] | None) -> Iterable[Parsed]:
    """In this process: the same isolation, the memory cap per note, and the timer where
    this is the main thread."""
    memory = NOTE_MEMORY
    for job in jobs:
        with _MemoryCap(memory):
            parsed = parse_one(job, NOTE_SECONDS)
        yield parsed
        if on_done:
            on_done()


# -- the pool -------------------------------------------------------------------------------


def _worker_main(conn, seconds: float, memory: int, parents_ends: list[int],
                 progress=None) -> None:
    """A parse worker: reads lists of (index, job), sends back lists of (index, Parsed).
    `progress` (shared memory, where the worker is forked): the count of notes it has
    begun, written before each, so that the parent always knows which note the worker is
    on (to blame it if the worker dies or hangs there) while the results of several notes
    cross the pipe in one message (one per note cost the parent's feeding thread ~0.1 ms
    a note): what is done is sent as a note ends SEND_AFTER or more after the last message,
    and at the end of each batch. Not a whole batch at once: the importer writes the notes in
    their order, and results held back for a whole batch of slow notes (a loaded machine)
    kept it waiting: a cold import took ~20% longer under load (3,000 notes). Without
    `progress`, each note's result is sent as it is done: the parent knows then.

    `parents_ends`: the parent's ends of the workers' pipes, this one's too, inherited by
    the fork. They are let go of, so that when the parent dies every worker sees its pipe
    closed (instead of waiting forever to send a result nobody will read)."""
    if parents_ends:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in parents_ends:  # dup2, not close: the number stays valid for its object
            try:
                os.dup2(devnull, fd)
            except OSError:
                pass
        os.close(devnull)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    except (ValueError, OSError):
        pass
    faulthandler.disable()  # a crash here is the note's problem, told as such: no dump
    parent = os.getppid()
    begun = 0
    with _MemoryCap(memory):
        while True:
            try:
                while not conn.poll(1.0):
                    if os.getppid() != parent:  # the import was killed: nothing to do
                        return
                batch = conn.recv()
            except (EOFError, OSError):
                return
            if batch is None:
                return
            done: list[tuple[int, Parsed]] = []
            batch = [(index, (NoteFile(*job[0]), *job[1:])) for index, job in batch]
            sent = time.monotonic()  # the last message (or the batch's start)
            for index, job in batch:
                if progress is not None:
                    begun += 1
                    _PROGRESS.pack_into(progress, 0, begun)
                parsed = parse_one(job, seconds)
                parsed.file = None  # the parent has it
                done.append((index, parsed))
                now = time.monotonic()
                if progress is None or now - sent >= SEND_AFTER:
                    if not _send_results(conn, done, batch):
                        return
                    sent = now
            if done and not _send_results(conn, done, batch):
                return


def _sent(job: tuple) -> tuple:
    """A job as it crosses to a worker: its note file as (path, relpath, display), without
    the stat from the walk (which pickles as a dict of a dozen fields: half the feeding
    thread's CPU went to pickling jobs). The parent keeps the whole NoteFile."""
    file = job[0]
    return ((file.path, file.relpath, file.display), *job[1:])


_PROGRESS = struct.Struct("q")  # a worker's count of notes begun, in its shared memory
SEND_AFTER = 0.005  # seconds between a worker's messages, at least (but a batch's last)


def _send_results(conn, done: list[tuple[int, Parsed]], batch: list[tuple]) -> bool:
    """Send `done` (emptied once sent); False when the parent is gone. A result that cannot
    be sent (pickled) is that note's problem, the others are sent as they are."""
    try:
        try:
            conn.send(done)  # pickled whole before a byte is written: all of it, or nothing
        except (EOFError, BrokenPipeError, ConnectionResetError):
            return False
        except Exception:
            jobs = dict(batch)
            for index, parsed in done:
                try:
                    conn.send([(index, parsed)])
                except (EOFError, BrokenPipeError, ConnectionResetError):
                    return False
                except Exception as exc:
                    parsed = failed(jobs[index][0], describe_failure(exc))
                    parsed.file = None
                    conn.send([(index, parsed)])
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return False
    done.clear()
    return True


def _readable(conn) -> Callable[[], bool]:
    """`conn.poll` (a result to read, or the pipe's end), with one poll object kept for it
    instead of a selector made per call; where there is no poll(2), `conn.poll` itself."""
    import select

    if not hasattr(select, "poll"):
        return conn.poll
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return lambda: bool(poller.poll(0))


class _Worker:
    def __init__(self, context, seconds: float, memory: int, others: list[_Worker]) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        forked = context.get_start_method() == "fork"  # inherits every descriptor
        ends = [parent_end.fileno(), *(w.conn.fileno() for w in others)] if forked else []
        # the notes it has begun (see _worker_main): shared memory the fork inherits
        if forked:
            import mmap  # deferred: only a pool of workers needs it

            self.progress = mmap.mmap(-1, _PROGRESS.size)
        else:
            self.progress = None
        self.process = context.Process(target=_worker_main,
                                       args=(child_end, seconds, memory, ends, self.progress),
                                       daemon=True)
        self.process.start()
        child_end.close()
        self.conn = parent_end
        self.readable = _readable(parent_end)
        self.assigned: deque[int] = deque()  # sent, not yet back, in the order sent
        self.returned = 0  # results received from it
        self.begun = 0  # notes it had begun when last looked at (`progress`)
        self.since = time.monotonic()  # when the note it is on started (as far as seen)

    def on_note(self) -> int:
        """Where in `assigned` the note it is parsing is: the notes before it are done, their
        results not sent yet. 0 when not known (no `progress`), or between two notes."""
        if self.progress is None:
            return 0
        begun = _PROGRESS.unpack_from(self.progress, 0)[0]
        return max(0, min(begun - self.returned - 1, len(self.assigned) - 1))

    def look(self, now: float) -> None:
        """A note begun since the last look restarts its clock (see _Pool._collect)."""
        if self.progress is not None:
            begun = _PROGRESS.unpack_from(self.progress, 0)[0]
            if begun != self.begun:
                self.begun, self.since = begun, now

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, AttributeError):
            pass
        self.process.join(5)
        self.conn.close()
        self.release()

    def release(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None


class _Pool:
    """Worker processes parsing `jobs`, each worker with a few small batches in hand, fed and
    read by a thread of their own, so that they keep parsing while the importer writes.

    A worker that dies (a crash, the OOM killer) or overstays a note's budget where its own
    timer cannot interrupt it (inside C code) is killed if need be and replaced; the note it
    was on is that note's problem (a death gets one more try: it may not have been the
    note's fault), the notes queued behind it are handed out again, and so are those it
    had parsed before it whose results were not sent yet (see _worker_main).
    """

    def __init__(self, jobs: list[tuple], workers: int, seconds: float, memory: int) -> None:
        import multiprocessing  # deferred: only a run of PARALLEL_MIN_FILES changed notes needs it

        self.jobs = jobs
        self.seconds, self.memory = seconds, memory
        self.context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        self.size = workers
        self.chunk = max(1, min(16, len(jobs) // (workers * 8)))  # small: cores finish together
        # the feeding thread's own
        self.todo: deque[int] = deque(range(len(jobs)))
        self.tries: dict[int, int] = {}
        self.workers: list[_Worker] = []
        self.deaths = 0  # deaths with no note to blame: past a few, the rest is parsed here
        self.fallback = False
        # shared, under `ready`
        self.ready = threading.Condition()
        self.done: dict[int, Parsed] = {}
        self.received = 0
        self.finished = False  # the feeding thread has ended
        self.stopping = False
        self.thread = threading.Thread(target=self._feed, name="flashdeck-parse", daemon=True)
        # the feeding thread's poll of the workers' pipes and sentinels: made again only when
        # the workers change (a new selector per wait cost ~20% of that thread's time)
        self.poller = None
        self.polled: tuple[_Worker, ...] = ()
        self.by_fd: dict[int, _Worker] = {}

    def results(self, on_done: Callable[[], None] | None) -> Iterable[Parsed]:
        self._start_workers()  # forked from this thread; only replacements from the feeder
        self.thread.start()
        for index in range(len(self.jobs)):
            with self.ready:
                while index not in self.done and not self.finished:
                    self.ready.wait()
                parsed = self.done.pop(index, None)
            if parsed is None:  # no workers to be had (or a bug in feeding them): parse here
                with _MemoryCap(self.memory):
                    parsed = parse_one(self.jobs[index], self.seconds)
            if parsed.file is None:
                parsed.file = self.jobs[index][0]
            yield parsed
            if on_done:
                on_done()

    def _feed(self) -> None:
        try:
            while not self.stopping and not self.fallback and self.received < len(self.jobs):
                self._hand_out()
                self._collect()
        except BaseException:  # never a hang: what is left is parsed in the importer's thread
            pass
        finally:
            with self.ready:
                self.finished = True
                self.ready.notify_all()

    def _put(self, index: int, parsed: Parsed) -> None:
        self._put_all([(index, parsed)])

    def _put_all(self, results: list[tuple[int, Parsed]]) -> None:
        with self.ready:
            self.done.update(results)
            self.received += len(results)
            self.ready.notify_all()

    def _start_workers(self) -> None:
        while len(self.workers) < self.size and not self.fallback:
            try:
                self.workers.append(_Worker(self.context, self.seconds, self.memory,
                                            self.workers))
            except OSError:  # no more processes: go on with the ones there are, or here
                if not self.workers:
                    self._fall_back()
                break

    def _hand_out(self) -> None:
        self._start_workers()
        for worker in self.workers:
            while self.todo:
                size = self._batch_size()
                if len(worker.assigned) >= 2 * size:
                    break
                batch = [self.todo.popleft() for _ in range(size)]
                if not worker.assigned:
                    worker.since = time.monotonic()
                worker.assigned.extend(batch)
                try:
                    worker.conn.send([(i, _sent(self.jobs[i])) for i in batch])
                except (OSError, EOFError):
                    break  # dead: found out below

    def _batch_size(self) -> int:
        """Notes to a batch (and half of what a worker may hold): `chunk` while there is
        plenty left, fewer as the end nears (a quarter of each worker's share of what is
        left), so that the workers finish together. With `chunk` to the end, a worker could
        hold two full batches while the other had none left: at 10,000 notes one core sat
        idle for the last 20 to 130 ms of the parse."""
        share = len(self.todo) // (4 * max(1, len(self.workers)))
        return max(1, min(self.chunk, share, len(self.todo)))

    def _ready(self, timeout: float) -> list[_Worker]:
        """The workers with something to read (a result, or their end), as
        multiprocessing.connection.wait finds them, waiting at most `timeout` seconds."""
        import select

        if not hasattr(select, "poll"):  # no poll(2): multiprocessing's own wait
            from multiprocessing.connection import wait  # deferred: see __init__

            waiting = {w.conn: w for w in self.workers}
            waiting.update({w.process.sentinel: w for w in self.workers})
            return [waiting[handle] for handle in wait(list(waiting), timeout=timeout)]
        if self.poller is None or self.polled != tuple(self.workers):
            self.poller = select.poll()
            self.by_fd = {}
            for worker in self.workers:
                for fd in (worker.conn.fileno(), worker.process.sentinel):
                    self.poller.register(fd, select.POLLIN)
                    self.by_fd[fd] = worker
            self.polled = tuple(self.workers)
        if not self.by_fd:
            time.sleep(timeout)
            return []
        # any event but writability is "ready", as for connection.wait (a hang-up included)
        return [self.by_fd[fd] for fd, _ in self.poller.poll(int(timeout * 1000))
                if fd in self.by_fd]

    def _collect(self) -> None:
        ready = self._ready(0.25)
        dead = []
        for worker in ready:
            if worker in dead:
                continue
            if not self._receive(worker):
                dead.append(worker)
        now = time.monotonic()
        for worker in self.workers:
            if worker in dead:
                continue
            worker.look(now)
            if worker.assigned and now - worker.since > self.seconds + _WATCHDOG_GRACE:
                self._receive(worker)  # what it finished meanwhile
                worker.look(now)
                if worker.assigned and now - worker.since > self.seconds + _WATCHDOG_GRACE:
                    at = worker.on_note()  # those before it: done, not sent, parsed again
                    index = worker.assigned[at]
                    del worker.assigned[at]
                    self._put(index, failed(self.jobs[index][0], _too_slow(self.seconds)))
                    self._retire(worker)
        for worker in dead:
            self._died(worker)

    def _receive(self, worker: _Worker) -> bool:
        """Take what the worker has sent; False when it has died."""
        try:
            while worker.readable():
                results = worker.conn.recv()
                for index, _ in results:
                    if worker.assigned and worker.assigned[0] == index:
                        worker.assigned.popleft()
                    else:  # cannot happen: results come in the order sent
                        worker.assigned.remove(index)
                worker.returned += len(results)
                worker.since = time.monotonic()
                self._put_all(results)
        except (EOFError, OSError):
            return False
        except Exception:  # a result that cannot be read: the worker is not to be trusted
            return False
        return worker.process.is_alive()

    def _died(self, worker: _Worker) -> None:
        if worker.process.is_alive():  # alive but talking nonsense
            worker.process.kill()
        worker.process.join(5)
        code = worker.process.exitcode
        if worker.assigned:
            at = worker.on_note()  # those before it: done, not sent, parsed again
            index = worker.assigned[at]
            self.tries[index] = self.tries.get(index, 0) + 1
            if self.tries[index] >= 2:
                del worker.assigned[at]
                self._put(index, failed(self.jobs[index][0], "cannot be parsed: the parser"
                                        f" process died on it ({_how_it_ended(code)})"))
            # else once more, in case it was not this note's doing
        else:
            self.deaths += 1
            if self.deaths > 3 * self.size:
                self._fall_back()
        self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        """Kill and drop a worker; the notes it had are handed out again, first."""
        self.todo.extendleft(reversed(worker.assigned))
        worker.assigned.clear()
        worker.kill()
        self.workers.remove(worker)

    def _fall_back(self) -> None:
        self.fallback = True
        for worker in list(self.workers):
            self._retire(worker)

    def close(self) -> None:
        """Idle workers are told to stop; busy ones (the import was interrupted) killed."""
        self.stopping = True
        if self.thread.is_alive():
            self.thread.join(10)
        for worker in self.workers:
            if worker.assigned:
                worker.kill()
                continue
            try:
                worker.conn.send(None)
            except (OSError, EOFError):
                pass
        deadline = time.monotonic() + 2
        for worker in self.workers:
            if worker.assigned:
                continue
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.kill()
            else:
                worker.conn.close()
                worker.release()
        self.workers = []


def _how_it_ended(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        more = ", perhaps out of memory" if name == "SIGKILL" else ""
        return f"killed by {name}{more}"
    return f"exit status {code}"


# -- check: parse only ----------------------------------------------------------------------
