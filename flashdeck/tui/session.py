"""One sitting of review: the answers given, the time spent, and what comes due next.

The scheduling itself is the Engine's; this keeps only what the summary needs, so the
screens stay thin. No Textual here.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from flashdeck import clock
from flashdeck.collection.lookups import answers_in_log, set_busy_wait
from flashdeck.collection.store import Collection
from flashdeck.errors import FlashdeckError
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.day import day_bounds
from flashdeck.scheduling.engine import Answered, Counts, Engine, Undo
from flashdeck.scheduling.queue import data_version
from flashdeck.scheduling.rating import Rating

if TYPE_CHECKING:
    from flashdeck.tui.session_values import Pending, Summary

# A card left on screen while the user makes tea should not count as ten minutes of work
# (Anki caps the answer time the same way).
MAX_ANSWER_MS = 60_000

# How long the review screen waits for the collection's write lock before an answer
# becomes pending (written by a worker as soon as the lock is free). Tests make it short.
BUSY_WAIT_SECONDS = 1.5
WAITING_TEXT = "Waiting for the collection… (another program is writing to it)"


class CollectionBusy(FlashdeckError):
    """Another program holds the collection's write lock (an import, another terminal)."""


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database is busy": the collection is not broken,
    another connection is writing to it."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def busy_error(what: str) -> CollectionBusy:
    return CollectionBusy(f"The collection is busy (another program is writing to it): "
                          f"{what}. Try again in a moment.")


def write_failed(exc: sqlite3.Error, what: str) -> FlashdeckError:
    """A write of the review screen that SQLite refused for want of room or access (a full
    disk, a file made read-only, an I/O error), not for a lock: `what` did not happen,
    said with what to do (`describe_error`), for the screen to show; before, such an error
    ended the review as an "internal error". Any other SQLite error (a closed connection, a
    broken constraint: a flashdeck bug) is raised as it is, for the crash log to keep."""
    from flashdeck.collection.store import describe_error

    if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
        raise exc

    return FlashdeckError(f"{what}: {describe_error(exc)}")


def counts_text(counts: Counts) -> str:
    """`12 reviews, 3 new` (what is non-zero)."""
    parts = [f"{n} {name}" for n, name in ((counts.review, "review"), (counts.learning, "learning"),
                                           (counts.new, "new")) if n]
    if counts.review > 1:
        parts[0] = f"{counts.review} reviews"
    return ", ".join(parts) or "nothing"


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


class _Done:
    """One answer of the sitting (a plain class: see `session_values`)."""

    __slots__ = ("card_id", "rating", "duration_ms", "review_id", "reviewed_at", "finished")

    def __init__(self, card_id: int, rating: int, duration_ms: int, review_id: int,
                 reviewed_at: int | None = None) -> None:
        self.card_id = card_id
        self.rating = rating
        self.duration_ms = duration_ms
        self.review_id = review_id
        self.reviewed_at = reviewed_at  # its time in the log: found by it once renumbered
        # whether the answer took the card out of today's queue (the review screen's
        # progress bar: `ReviewScreen.refresh_counts`); None until it has counted it
        self.finished: bool | None = None


class Session:
    """The answers of this sitting. `monotonic` is injectable so tests see fixed times.

    (A plain class, not a dataclass: see `session_values`.)"""

    def __init__(self, col: Collection, config: Config,
                 now: Callable[[], datetime] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 answers: list[_Done] | None = None, started: float | None = None,
                 ahead: int = 0, cram: bool = False, cram_id: str | None = None,
                 pending: Pending | None = None) -> None:
        self.col = col
        self.config = config
        self.now = now
        self.monotonic = monotonic
        self.started = started
        self.ahead = ahead  # days to review ahead once nothing is due (`review --ahead`)
        self.cram = cram  # drill without touching schedules (`review --cram`)
        self.cram_id = uuid.uuid4().hex if cram_id is None else cram_id  # its cram log
        self.cram_aside: set[int] = set()  # the cards `b` put aside in the cram
        self.pending = pending  # an answer not yet written: the collection was busy
        # what `u` takes back, last first: this sitting's answers (_Done) and its suspends
        # and buries (engine.Hidden), as Anki's undo takes back the last action
        self.undoable: list = list(answers or ())
        # when this sitting last wrote to the collection (time.monotonic()): the app
        # checkpoints the write-ahead log into the file once it has been idle a moment
        self.last_write = float("-inf")

    @property
    def answers(self) -> list[_Done]:
        """This sitting's answers (those undone aside), in order."""
        return [done for done in self.undoable if isinstance(done, _Done)]

    def engine(self, deck: str | None = None, col: Collection | None = None) -> Engine:
        """The engine over this session's connection, or over `col` (a worker's own)."""
        col = col if col is not None else self.col
        if self.cram:
            from flashdeck.scheduling.cram import Cram  # `review --cram` only

            return Cram(col, self.config, now=self.now, deck=deck, session=self.cram_id,
                        aside=self.cram_aside)
        return Engine(col, self.config, now=self.now, deck=deck, ahead=self.ahead)

    def start_timer(self) -> float:
        """Mark a card as shown; returns the mark to measure its answer time from."""
        mark = self.monotonic()
        if self.started is None:
            self.started = mark
        return mark

    def answer(self, engine: Engine, card_id: int, rating: int, shown_at: float,
               version: int | None = None) -> Answered:
        """Answer through the engine (committed before this returns) and count it.
        `version` is the card's as shown: if another terminal answered it meanwhile, the
        engine refuses instead of applying a second answer to the same state."""
        duration = self.duration(shown_at)
        answered = engine.answer(card_id, rating, duration_ms=duration, expected_version=version)
        self.record(card_id, rating, duration, answered)
        return answered

    def duration(self, shown_at: float) -> int:
        return min(MAX_ANSWER_MS, max(0, int((self.monotonic() - shown_at) * 1000)))

    def record(self, card_id: int, rating: int, duration_ms: int, answered: Answered) -> None:
        """Count an answer written (by `answer`, or by a worker for a pending one)."""
        self.undoable.append(_Done(card_id, rating, duration_ms, answered.review_id,
                                   answered.reviewed_at))

    def answer_record(self, review_id: int) -> _Done | None:
        """This sitting's record of the answer logged as `review_id` (the last one, as a
        rule: looked for from the end)."""
        for done in reversed(self.undoable):
            if isinstance(done, _Done) and done.review_id == review_id:
                return done
        return None

    def last_answer(self) -> _Done | None:
        """What `undo` takes back next, if it is an answer (its `finished`: whether the
        review screen's progress bar counted its card done)."""
        last = self.undoable[-1] if self.undoable else None
        return last if isinstance(last, _Done) else None

    def hid(self, hidden) -> None:
        """Count a suspend or bury made on the review screen (engine.Hidden): `u` takes it
        back."""
        self.undoable.append(hidden)

    def write_pending(self, pending: Pending, path: Path, retry_seconds: float = 0.5,
                      stop: Callable[[], bool] = lambda: False) -> Answered | None:
        """Write a pending answer on a connection of this (worker) thread, retrying while
        the collection is busy; None if `stop()` said to give up (never while the app
        runs: see FlashdeckApp). The card's version as shown guards against a second
        application: a retry after a write that did happen is refused, not applied again."""
        while True:
            try:
                col = worker_collection(path, self.col)
            except FlashdeckError as exc:  # opening: "busy" while another one migrates it
                if "busy" not in str(exc) and "locked" not in str(exc):
                    raise
                time.sleep(retry_seconds)
                col = None
            if col is not None:
                try:
                    set_busy_wait(col, retry_seconds)
                    engine = self.engine(pending.deck, col=col)
                    return engine.answer(pending.card_id, pending.rating,
                                         duration_ms=pending.duration_ms,
                                         expected_version=pending.version)
                except sqlite3.Error as exc:
                    if not is_busy(exc):
                        raise write_failed(exc, "the collection refused it") from None
                finally:
                    col.close()
            if stop():
                return None

    def undo(self, engine: Engine) -> Undo:
        """Undo this session's last answer, suspend or bury, never anything from before
        it (history stays)."""
        if self.pending is not None:
            return Undo(reason=f"{WAITING_TEXT}: your last answer is not written yet, so "
                               "there is nothing to undo until it is.")
        if not self.undoable:
            return Undo(reason="Nothing to undo in this session: answers from before it stay"
                               " as they are.")
        last = self.undoable[-1]
        if isinstance(last, _Done) and not self.cram:
            now_id = answers_in_log(self.col.conn, [last]).get(last.review_id)
            if now_id is None:
                # `flashdeck undo` in another terminal took it back already: it is no
                # longer this session's to undo (nor to count), and what came before it is
                # next
                self.undoable.pop()
                return Undo(reason=f"Your last answer (card {last.card_id}) was undone "
                                   "elsewhere already; u again undoes the one before it.")
            last.review_id = now_id  # a sync logged it again under a new id
        try:
            if isinstance(last, _Done):
                undone = engine.undo(review_id=last.review_id)
            else:
                undone = engine.restore(last)
        except sqlite3.Error as exc:
            if not is_busy(exc):
                raise write_failed(exc, "Nothing undone") from None
            raise busy_error("nothing undone") from None
        if undone.done:
            self.undoable.pop()
        return undone

    def summary(self, deck: str | None = None) -> Summary:
        """The sitting so far; `deck`: a deck session's, with what is due elsewhere.

        Each card is counted once: a learning card due later today is "later today", not
        also "still due today" (the queue's counts include it: it is today's)."""
        from flashdeck.scheduling.upcoming import upcoming  # the summary's, not the first card's

        def scheduled(deck: str | None = None) -> Engine:
            """What the schedules have due today: not a cram's cards left (its answers change
            no schedule) nor the cards a review ahead reaches on later days."""
            if self.cram or self.ahead:
                return Engine(self.col, self.config, now=self.now, deck=deck)
            return self.engine(deck)

        engine = scheduled(deck)
        answers = self.answers
        if not self.cram and answers:  # answers undone in another terminal: not counted
            kept = answers_in_log(self.col.conn, answers)
            self.undoable = [u for u in self.undoable
                             if not isinstance(u, _Done) or u.review_id in kept]
            for done in self.answers:  # a sync logged some again under new ids
                done.review_id = kept[done.review_id]
            answers = self.answers
        by_rating = {r.value: sum(1 for a in answers if a.rating == r) for r in Rating}
        seconds = (self.monotonic() - self.started) if self.started is not None else 0.0
        later = upcoming(engine)
        counts = engine.counts()
        left = Counts(counts.new, max(0, counts.learning - later.later_today), counts.review)
        elsewhere = None
        if deck:
            everywhere = scheduled().counts()
            everywhere_later = upcoming(scheduled()).later_today
            elsewhere = Counts(
                max(0, everywhere.new - counts.new),
                max(0, everywhere.learning - everywhere_later - left.learning),
                max(0, everywhere.review - counts.review))
        from flashdeck.tui.session_values import Summary

        return Summary(
            done=len(answers),
            again=by_rating[Rating.AGAIN],
            by_rating=by_rating,
            seconds=seconds,
            left=left,
            upcoming=later,
            deck=deck,
            elsewhere=elsewhere,
        )


class ChangeWatch:
    """Whether the collection may count differently than when a screen last counted it:
    another program committed to it since (SQLite's data version moves on another
    connection's commits, never on this one's own), or a new scheduling day began.
    `mark()` when counting, `changed()` every `EVERY` seconds: the data version (one
    statement) and the clock."""

    EVERY = 1.0  # seconds: how often a screen looks (an answer in another terminal shows)

    def __init__(self, col: Collection, now: Callable[[], datetime] | None,
                 day_start_hour: int) -> None:
        self.col = col
        self.now = now or clock.now
        self.day_start_hour = day_start_hour
        self._at: tuple | None = None

    def _state(self) -> tuple:
        return data_version(self.col.conn), self.now()

    def mark(self) -> None:
        self._at = self._state()

    def changed(self) -> bool:
        """Whether to count again (False before the first `mark`). A collection busy a
        moment (another program writing it) is no change yet: the next call looks again."""
        if self._at is None:
            return False
        try:
            version, now = self._state()
        except sqlite3.Error as exc:
            if not is_busy(exc):
                raise
            return False
        counted, then = self._at
        return version != counted or now < then or \
            day_bounds(now, self.day_start_hour) != day_bounds(then, self.day_start_hour)


def worker_collection(path: Path, same_as: Collection | None = None) -> Collection:
    """A second connection to the collection, for a worker thread (connections are not
    shared across threads). With `same_as` (the app's own connection), refused once that
    file was moved or replaced: a file gone from `path` was made again there, empty (read
    with the old file's write-ahead log left by its name), and another file put there was
    read and written as if it were the collection on screen."""
    if same_as is not None:
        same_as.check_in_place(rescue=False)  # its connection is the app thread's
    col = Collection.open(Path(path), create=same_as is None)
    if same_as is not None and col.identity != same_as.identity:  # moved in between
        col.close()
        same_as.check_in_place(rescue=False)
    return col


def __getattr__(name: str):
    """`Pending` and `Summary`, defined in `session_values` (imported on first use)."""
    if name in ("Pending", "Summary"):
        from flashdeck.tui import session_values

        return getattr(session_values, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
