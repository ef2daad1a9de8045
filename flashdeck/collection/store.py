"""The collection: one SQLite file holding sources, notes, cards and the review log.

Opening it sets WAL mode and a busy timeout, checks the schema version, and migrates an
older collection (after copying it to a backup next to it). A collection written by a
newer flashdeck is refused, never modified.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from flashdeck.collection import wal
from flashdeck.errors import CollectionError, DamagedCollectionError

SCHEMA_VERSION = 13
# an import's page cache, in KiB (Collection.import_cache)
IMPORT_CACHE_KIB = 16 * 1024
# the review screen's log is copied into the collection file after this many commits, once
# the next card is on screen (`Collection.flush_log`): an answer writes 10-20 pages, so the
# log stays below the 1,000 pages at which SQLite would do it inside an answer's commit
CHECKPOINT_COMMITS = 40

# Times are integer Unix seconds (UTC). Card scheduling state lives on the card row; the
# review log keeps the whole state before and after each answer (JSON) so undo is exact.
_SCHEMA_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE sources (
    id    INTEGER PRIMARY KEY,
    path  TEXT NOT NULL UNIQUE,          -- absolute path of a folder or a file
    kind  TEXT NOT NULL CHECK (kind IN ('folder', 'file')),
    added INTEGER NOT NULL
);
CREATE TABLE notes (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    relpath   TEXT NOT NULL,             -- '/'-separated, relative to the source folder
    title     TEXT NOT NULL,
    size      INTEGER NOT NULL DEFAULT -1,
    mtime_ns  INTEGER NOT NULL DEFAULT -1,
    hash      TEXT NOT NULL DEFAULT '',
    present   INTEGER NOT NULL DEFAULT 1, -- 0: the file vanished or lost its tag
    UNIQUE (source_id, relpath)
);
CREATE TABLE cards (
    id          INTEGER PRIMARY KEY,
    note_id     INTEGER NOT NULL REFERENCES notes(id),
    kind        TEXT NOT NULL,
    front       TEXT NOT NULL,
    back        TEXT NOT NULL,
    ckey        TEXT NOT NULL,           -- hash of kind+front+back, to match moved cards
    line        INTEGER NOT NULL,
    deck        TEXT NOT NULL,
    block       TEXT NOT NULL,           -- sibling key within the note
    ordinal     INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL DEFAULT 0, -- order in the note: new cards come in this order
    breadcrumb  TEXT NOT NULL DEFAULT '', -- headings above the card, joined by ' › '
    exercise    TEXT,
    orphaned    INTEGER NOT NULL DEFAULT 0, -- its note vanished or it left the note: hidden
    added       INTEGER NOT NULL,
    sr_seed     TEXT,                    -- the plugin's <!--SR:--> schedule, JSON, if any
    -- scheduling state
    state       TEXT NOT NULL DEFAULT 'new'
                CHECK (state IN ('new', 'learning', 'review', 'relearning')),
    due         INTEGER,                 -- NULL while new
    step        INTEGER,
    stability   REAL,
    difficulty  REAL,
    last_review INTEGER,
    reps        INTEGER NOT NULL DEFAULT 0,
    lapses      INTEGER NOT NULL DEFAULT 0,
    suspended   INTEGER NOT NULL DEFAULT 0,
    buried_until INTEGER,                -- hidden until this time (bury, siblings)
    leech       INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 0 -- bumped by every answer (optimistic concurrency)
);
CREATE INDEX cards_note ON cards (note_id);
CREATE INDEX cards_ckey ON cards (ckey);
CREATE INDEX cards_queue ON cards (orphaned, suspended, state, due);
CREATE INDEX cards_deck ON cards (deck);
CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    card_id      INTEGER NOT NULL REFERENCES cards(id),
    reviewed_at  INTEGER NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    duration_ms  INTEGER,
    state_before TEXT NOT NULL,          -- JSON: the card's scheduling columns before
    state_after  TEXT NOT NULL           -- JSON: and after
);
CREATE INDEX reviews_card ON reviews (card_id);
CREATE INDEX reviews_time ON reviews (reviewed_at);
"""

# Migrations from version N to N+1, in order. A new collection is made as version 1 and
# migrated up, so every migration runs on every new collection too.
_MIGRATIONS: dict[int, str] = {
    # new cards in note order without sorting them all (the new-card query names it)
    1: "CREATE INDEX cards_new ON cards (id)"
       " WHERE state = 'new' AND orphaned = 0 AND suspended = 0",
    # no query can use it (decks are matched with OR/LIKE) and it cost a fifth of insert time
    2: "DROP INDEX IF EXISTS cards_deck",
    # cards in note order straight from the index: `list` streams without sorting them all
    3: "DROP INDEX IF EXISTS cards_note; CREATE INDEX cards_note ON cards (note_id, position)",
    # content keys are looked up only among orphans (a note's own cards and those of notes
    # gone in this import are found by note_id): the index of every card's random key was
    # the costliest part of inserting one
    4: "DROP INDEX IF EXISTS cards_ckey;"
       " CREATE INDEX cards_ckey ON cards (ckey) WHERE orphaned = 1",
    # an exercise's copies in several notes: the queue looks for the other copies of one
    5: "CREATE INDEX cards_exercise ON cards (exercise, id) WHERE exercise IS NOT NULL",
    # review ids are never reused (after an undo the next answer took the undone one's id)
    6: """
CREATE TABLE reviews_v7 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id      INTEGER NOT NULL REFERENCES cards(id),
    reviewed_at  INTEGER NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    duration_ms  INTEGER,
    state_before TEXT NOT NULL,
    state_after  TEXT NOT NULL
);
INSERT INTO reviews_v7 (id, card_id, reviewed_at, rating, duration_ms, state_before, state_after)
    SELECT id, card_id, reviewed_at, rating, duration_ms, state_before, state_after FROM reviews;
DROP TABLE reviews;
ALTER TABLE reviews_v7 RENAME TO reviews;
CREATE INDEX reviews_card ON reviews (card_id);
CREATE INDEX reviews_time ON reviews (reviewed_at)
""",
    # the queue in constant work per answer (scheduling/queue.py): new cards by note and
    # position (notes take turns); a card's siblings (its note and block) and whether one
    # was answered today (a card's reviews by time), each an index seek instead of a list
    # of today's blocks; today's answers by the state they started from, counted from the
    # index alone (the daily limits). json_valid: a damaged log row must not make every
    # write of it, or this migration, fail (`doctor` reports it)
    7: """
DROP INDEX IF EXISTS cards_new;
CREATE INDEX cards_new ON cards (note_id, position)
    WHERE state = 'new' AND orphaned = 0 AND suspended = 0;
CREATE INDEX cards_block ON cards (note_id, block);
DROP INDEX IF EXISTS reviews_card;
CREATE INDEX reviews_card ON reviews (card_id, reviewed_at);
CREATE INDEX reviews_state ON reviews (
    CASE WHEN json_valid(state_before) THEN json_extract(state_before, '$.state') END,
    reviewed_at, card_id)
""",
    # cram: drilling cards without touching their schedules; its answers are logged apart
    # from the reviews, so they never count as reviews, limits or history (`review --cram`)
    8: """
CREATE TABLE cram_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session     TEXT NOT NULL,
    card_id     INTEGER NOT NULL REFERENCES cards(id),
    reviewed_at INTEGER NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    duration_ms INTEGER
);
CREATE INDEX cram_session ON cram_log (session, card_id, id)
""",
    # a note's problems are kept with it, so an import reports them again while the note is
    # unchanged and `doctor` lists them; replaced whenever the note is read again, at most
    # MAX_KEPT_PROBLEMS a note (then one row counting the rest). `path` is NULL for the note
    # itself (messages name it as the user named the folder this time). IF NOT EXISTS: a
    # collection taken back to an older version by hand may still have it. Nothing was kept
    # before: the parse stamps go, so the next import reads every note again (as for a new
    # parser) and finds the problems of the unchanged ones
    9: """
CREATE TABLE IF NOT EXISTS note_problems (
    note_id  INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,           -- the order they were found in
    line     INTEGER NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
    message  TEXT NOT NULL,
    path     TEXT,                       -- NULL: the note itself
    PRIMARY KEY (note_id, seq)
) WITHOUT ROWID;
DELETE FROM meta WHERE key LIKE 'parse_stamp:%'
""",
    # what each card was before each answer (state, due, last review, stability) as
    # columns computed from the logged JSON and stored with the row (json_valid: a damaged
    # row reads as NULLs, never an error), so nothing reads a row's JSON to know it: the
    # stats (scheduling/stats.py) read a year of a million-review log from the time index
    # alone, the queue counts today's answers by the state they started from, and SQLite's
    # integrity check compares stored values instead of parsing JSON for every index
    # entry. Every writer of the log (answer, undo, doctor, sync) keeps them right without
    # knowing of them. The table is made again for them (ids and the id high-water mark
    # kept: ids are never reused). The past days' answers are kept counted (stats_days, up
    # to the day in meta `stats_days_upto`); the triggers drop that mark when a review
    # before it is added, changed or removed, or a reviewed card changes deck, so the
    # counts are made again from the log (stats_queries.py). Every change to a card's log
    # bumps its generation (log_changes): `doctor` trusts a card's checkpoint without
    # reading its log again while the generation is the one it checked
    10: """
CREATE TABLE reviews_v11 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id      INTEGER NOT NULL REFERENCES cards(id),
    reviewed_at  INTEGER NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    duration_ms  INTEGER,
    state_before TEXT NOT NULL,
    state_after  TEXT NOT NULL,
    before_state TEXT GENERATED ALWAYS AS (CASE WHEN json_valid(state_before)
        THEN json_extract(state_before, '$.state') END) STORED,
    before_due INTEGER GENERATED ALWAYS AS (CASE WHEN json_valid(state_before)
        THEN json_extract(state_before, '$.due') END) STORED,
    before_last_review INTEGER GENERATED ALWAYS AS (CASE WHEN json_valid(state_before)
        THEN json_extract(state_before, '$.last_review') END) STORED,
    before_stability REAL GENERATED ALWAYS AS (CASE WHEN json_valid(state_before)
        THEN json_extract(state_before, '$.stability') END) STORED
);
INSERT INTO reviews_v11 (id, card_id, reviewed_at, rating, duration_ms, state_before,
                         state_after)
    SELECT id, card_id, reviewed_at, rating, duration_ms, state_before, state_after
    FROM reviews ORDER BY id;
INSERT INTO sqlite_sequence (name, seq) SELECT 'reviews_v11', 0
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'reviews_v11');
UPDATE sqlite_sequence SET seq = max(seq, coalesce(
    (SELECT seq FROM sqlite_sequence WHERE name = 'reviews'), 0)) WHERE name = 'reviews_v11';
DROP TABLE reviews;
ALTER TABLE reviews_v11 RENAME TO reviews;
CREATE INDEX reviews_card ON reviews (card_id, reviewed_at);
CREATE INDEX reviews_state ON reviews (before_state, reviewed_at, card_id);
CREATE INDEX reviews_time ON reviews (reviewed_at, rating, before_state, before_due,
    before_last_review, before_stability, card_id);
CREATE INDEX cards_stats ON cards (orphaned, state, suspended, leech, due, last_review, deck);
CREATE TABLE stats_days (
    day    INTEGER NOT NULL,             -- the scheduling day (days since 1970, local)
    deck   TEXT NOT NULL,                -- the card's deck
    kind   TEXT NOT NULL,                -- the card before the answer: learning, young, mature
    rating INTEGER NOT NULL,
    bin    INTEGER NOT NULL,             -- the predicted recall's calibration bin, -1: none
    count  INTEGER NOT NULL,
    p_sum  REAL NOT NULL,                -- the predicted recalls, summed
    PRIMARY KEY (day, kind, rating, bin, deck) -- read summed over decks, in this order
) WITHOUT ROWID;
CREATE TRIGGER stats_days_insert AFTER INSERT ON reviews
    WHEN new.reviewed_at < (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'stats_days_upto')
    BEGIN DELETE FROM meta WHERE key = 'stats_days_upto'; END;
CREATE TRIGGER stats_days_delete AFTER DELETE ON reviews
    WHEN old.reviewed_at < (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'stats_days_upto')
    BEGIN DELETE FROM meta WHERE key = 'stats_days_upto'; END;
CREATE TRIGGER stats_days_update AFTER UPDATE ON reviews
    WHEN min(old.reviewed_at, new.reviewed_at)
         < (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'stats_days_upto')
    BEGIN DELETE FROM meta WHERE key = 'stats_days_upto'; END;
CREATE TABLE log_changes (
    card_id    INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL          -- bumped by every change to the card's log
) WITHOUT ROWID;
INSERT INTO log_changes (card_id, generation) SELECT card_id, 1 FROM reviews WHERE true
    GROUP BY card_id;
CREATE TRIGGER log_changes_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO log_changes (card_id, generation) VALUES (new.card_id, 1)
        ON CONFLICT (card_id) DO UPDATE SET generation = generation + 1; END;
CREATE TRIGGER log_changes_delete AFTER DELETE ON reviews BEGIN
    INSERT INTO log_changes (card_id, generation) VALUES (old.card_id, 1)
        ON CONFLICT (card_id) DO UPDATE SET generation = generation + 1; END;
CREATE TRIGGER log_changes_update AFTER UPDATE ON reviews BEGIN
    INSERT INTO log_changes (card_id, generation) VALUES (old.card_id, 1)
        ON CONFLICT (card_id) DO UPDATE SET generation = generation + 1;
    INSERT INTO log_changes (card_id, generation) VALUES (new.card_id, 1)
        ON CONFLICT (card_id) DO UPDATE SET generation = generation + 1; END;
CREATE TRIGGER stats_days_deck AFTER UPDATE OF deck ON cards
    WHEN old.deck IS NOT new.deck
         AND EXISTS (SELECT 1 FROM meta WHERE key = 'stats_days_upto')
         AND EXISTS (SELECT 1 FROM reviews WHERE card_id = new.id)
    BEGIN DELETE FROM meta WHERE key = 'stats_days_upto'; END
""",
    # a note imported by its own path (`flashdeck import vault/note.md`) is imported without
    # the flashcards tag (PRODUCT.md §1), then and on every later import of its vault folder:
    # naming it once is what says it holds cards. The notes of a source that is one note
    # file were all named
    11: """
ALTER TABLE notes ADD COLUMN named INTEGER NOT NULL DEFAULT 0;
UPDATE notes SET named = 1 WHERE source_id IN (SELECT id FROM sources WHERE kind = 'file')
""",
    # the stats' index with the card's id before its deck: an import's new cards (their
    # flags, due and last review all alike) went into it by deck, in the middle of it, at
    # as many places as there are decks; by id they go at one place, after the new cards
    # before them (10,000 notes, 295k cards: its upkeep 0.36 -> 0.12 s of the writer's
    # CPU). Its readers scan the flags' and due's ranges and read the deck from the index
    # alone, as before: no query sought on the deck, which stood after due
    12: """
DROP INDEX IF EXISTS cards_stats;
CREATE INDEX cards_stats ON cards (orphaned, state, suspended, leech, due, last_review, id, deck)
""",
}


class Collection:
    """An open collection. Use as a context manager or call close()."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path
        self.read_only = False  # opened for reading only: its disk or folder is read-only
        # what opening it did that the user is told of (a log set aside: `wal.take_stock`),
        # each one line, said by whoever shows the collection (the CLI, the review screen)
        self.notices: list[str] = []
        self._counted = False  # in `wal._open_here` (see `_count_open`)
        # its log flushed to the disk after each commit returned (`sync_in_background`:
        # the review screen's), else None: each commit waits for it
        self._behind: wal.LogSync | None = None
        self._sync_behind = False  # asked for, to start after the next commit
        self._later: Callable[[], object] | None = None  # arranges the flush (the screen's)
        # the file opened (device, inode): a move or a replacement of the file while it is
        # open is told by `check_in_place` before each write
        try:
            self.identity = _identity(path) if path is not None else None
        except OSError:
            self.identity = None  # not made yet, or cannot be looked at: never told moved

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, create: bool = True, reading: bool = False) -> "Collection":
        """Open (and create, migrate) the collection at `path`. `reading`: for a command
        that only reads, which reads it as it is also when the disk is full."""
        path = Path(path)
        if path.is_dir():
            raise CollectionError(f"{path}: is a directory, not a collection file")
        exists = path.exists()
        if exists and not path.is_file():  # SQLite said "disk I/O error": "the disk failed"
            raise CollectionError(f"{path}: is a device, a pipe or a socket, not a collection"
                                  " file")
        if not exists:
            if not create:
                raise CollectionError(f"{path}: no collection here yet (run `flashdeck import`)")
            parent = path.parent
            if not parent.exists():
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise CollectionError(
                        f"{path}: cannot create the collection's folder: {exc.strerror}"
                    ) from None
        # a log left beside it by a killed flashdeck: whether it is this file's own (then
        # SQLite replays it, and it is checkpointed into the file at once below) or another
        # copy's (then set aside, never replayed over this file)
        try:
            stock = wal.take_stock(path) if exists else wal.keep_orphan(path)
        except wal.SharedMemoryGone:
            raise CollectionError(
                f"{path}: another program has the collection open and its shared-memory"
                f" file or log ({path.name}-shm, -wal) was deleted while it was: opened"
                " now, the two"
                " would no longer see each other's writes and answers would be lost;"
                " nothing was done: quit the other flashdeck (what it wrote is safe), then"
                " run this again") from None
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise CollectionError(f"{path}: {describe_error(exc)}") from None
        # The file is never opened with Python's own I/O while this process has it open in
        # SQLite: closing any descriptor of a file drops every POSIX lock this process holds
        # on it, SQLite's included (`wal.take_stock` reads it before, and only when no
        # Collection of this process has it open). SQLite itself tells a file that is not a
        # database.
        col = cls(conn, path)
        try:
            if not create:
                col._refuse_empty()
            col._configure()
            col._prepare()
        except sqlite3.DatabaseError as exc:
            conn.close()
            if not create and (_cannot_write(exc) or (reading and _no_room(exc))):
                # a collection on a read-only disk or in a read-only folder (a backup
                # mounted read-only, a synced share), or, for a command that only reads,
                # on a full disk (SQLite could not make its -shm file): read commands read
                # it as it is; what would write says the file is read-only
                return cls._open_read_only(path, exc)
            if "not a database" in str(exc):
                raise CollectionError(
                    f"{path}: not a flashdeck collection (not SQLite); {WRONG_FILE}") from None
            if "malformed" in str(exc):
                raise DamagedCollectionError(f"{path}: {describe_error(exc)}") from None
            raise CollectionError(f"{path}: {describe_error(exc)}") from None
        except UnicodeDecodeError:
            # SQLite's own message quotes the damaged schema text, which is not UTF-8: the
            # message itself could not be read ("internal error: UnicodeDecodeError")
            conn.close()
            raise DamagedCollectionError(f"{path}: {DAMAGED}") from None
        except BaseException:
            conn.close()
            raise
        col._count_open()
        if stock is not None:
            col._took_stock(stock)
        return col

    def _count_open(self) -> None:
        if not self._counted and self.path is not None:
            self._counted = True
            wal.opened(self.identity)

    def _took_stock(self, stock: "wal.Leftover") -> None:
        if stock.set_aside is not None and stock.frames < 0:
            self.notices.append(
                f"{stock.log}: a write-ahead log left with no collection file beside it (the"
                " file was moved or deleted without it); kept as"
                f" {stock.set_aside}, and a new collection made at {self.path}")
        elif stock.set_aside is not None:
            self.notices.append(
                f"{stock.log}: a write-ahead log left by another copy of this collection (a"
                " newer or older file was put in its place); replaying it would have"
                " overwritten this file's answers with that copy's, so it was set aside as"
                f" {stock.set_aside} and the collection opened without it")
        elif stock.frames:
            # a log a killed flashdeck left, taken in: the file alone made whole again now,
            # not at the next clean close (a backup or sync tool copies the file alone)
            self.checkpoint()

    def checkpoint(self) -> bool:
        """Copy what the write-ahead log holds into the collection file (PASSIVE: never
        waits for, nor blocks, another process; what a reader still needs stays in the log
        for the next one). Whether the file now holds everything committed. A sync tool or
        backup that copies the file alone then carries every answer."""
        if self.path is None or self.read_only or self.conn.in_transaction:
            return False
        if self._behind is not None:
            self._behind.commits = 0  # (`flush_log`)
        try:
            busy, frames, copied = self.conn.execute(
                "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            return False  # busy, or the disk refused: the log keeps it, as before
        return not busy and frames == copied

    @classmethod
    def _open_read_only(cls, path: Path, why: sqlite3.Error) -> "Collection":
        """`path` opened for reading only (SQLite's `mode=ro`; `immutable` when the
        collection was closed cleanly and SQLite cannot make its shared-memory file next to
        it). Writing through it fails with SQLite's "attempt to write a readonly database",
        which `describe_error` words."""
        from urllib.parse import quote

        uri = f"file:{quote(str(path.resolve()))}"
        wal = path.with_name(path.name + "-wal")
        modes = ["?mode=ro"] + ([] if wal.exists() and wal.stat().st_size else ["?immutable=1"])
        for mode in modes:  # bounded: two at most
            try:
                conn = sqlite3.connect(uri + mode, uri=True, timeout=30, isolation_level=None)
            except sqlite3.Error:
                continue
            col = cls(conn, path)
            try:
                col._settings()
                version = col.schema_version()  # another program's database: refused
                if version == 0:
                    col._refuse_empty()
            except sqlite3.DatabaseError:
                conn.close()
                continue
            except BaseException:
                conn.close()
                raise
            if version != SCHEMA_VERSION:
                conn.close()
                raise CollectionError(
                    f"{path}: {describe_error(why)} (and this collection, schema {version},"
                    f" needs {'an upgrade' if version < SCHEMA_VERSION else 'a newer flashdeck'}"
                    " before it can be read)")
            col.read_only = True
            col._count_open()
            return col
        raise CollectionError(f"{path}: {describe_error(why)}") from None

    @classmethod
    def open_readonly(cls, path: Path) -> "Collection":
        """For commands that only read: a missing collection reads as an empty one."""
        path = Path(path)
        if not path.exists():
            return cls.in_memory()
        return cls.open(path, create=False, reading=True)

    @classmethod
    def in_memory(cls) -> "Collection":
        conn = sqlite3.connect(":memory:", isolation_level=None)
        col = cls(conn, None)
        col._configure()
        col._prepare()
        return col

    def _refuse_empty(self) -> None:
        """An empty file (or a database with no tables) is no collection: only `import`
        makes one. Any other command would write a new, empty schema into it (untouched is
        what a refusal means) and report "0 cards", as if a typo or a file emptied by
        accident were fine."""
        if self.schema_version() == 0:
            raise CollectionError(
                f"{self.path}: an empty file, not a flashdeck collection; "
                "`flashdeck import NOTES` makes one")

    def _settings(self) -> None:
        """What every connection to a collection has, the read-only one too."""
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA busy_timeout = 30000")
        self.conn.execute("PRAGMA foreign_keys = ON")
        # an import's savepoint per note keeps the pages it changes in a sub-journal; in a
        # temp file that was ~200,000 small writes on a cold import of 2,000 notes
        self.conn.execute("PRAGMA temp_store = MEMORY")
        from flashdeck.collection.decknames import register_deck_functions

        register_deck_functions(self.conn)

    def _configure(self) -> None:
        self._settings()
        if self.path is not None:
            # refuse another program's database before switching it to WAL (that rewrites
            # its header: "refused" must mean "untouched")
            self.schema_version()
            self._use_wal()
            # every commit reaches the disk before it returns, as Anki's do: an answer
            # given is never lost, not even to a power cut (with NORMAL, the answers since
            # the last checkpoint, up to ~80, could be). An import, which the notes can
            # always redo, lowers it for its own writes (redoable_writes); the review
            # screen flushes each commit once the next card is shown instead (sync_in_background)
            self.conn.execute("PRAGMA synchronous = FULL")

    def sync_in_background(self, later: Callable[[], object] | None = None) -> bool:
        """The review screen's durability, from this collection's first commit on: a
        commit returns once its frames are written to the log (synchronous NORMAL), and the
        log is flushed to the disk afterwards (`flush_log`), on this thread, once the next
        card is on screen: `later` is called after each such commit and arranges that
        (the screen: after its next repaint). The next write's commit and `close` first
        make a flush still due, and a flush the system refused is said there
        (CollectionError, never dropped). A crash or kill loses nothing; a power cut can
        lose the one last commit (an answer), until its flush ends, a few milliseconds
        after the next card is on screen. Every commit waiting for its flush (synchronous
        FULL, as Anki's do, and as every other command's still do) was half of an answer's
        time. The first commit is flushed before it returns (nothing before the first
        card). Whether it is on: never for a collection in memory or read only, nor off
        POSIX systems (Windows flushes no file opened for reading)."""
        self._sync_behind = self.path is not None and not self.read_only and os.name == "posix"
        self._later = later
        return self._sync_behind

    def flush_log(self) -> None:
        """Flush the last commit to the disk now, if it is not yet (`sync_in_background`);
        a refusal is said by the next write or `close`. Nothing to do otherwise.

        Every CHECKPOINT_COMMITS commits, the log is then copied into the collection file
        too (`checkpoint`), here, once the next card is on screen: SQLite's own checkpoint
        (when a commit leaves 1,000 pages in the log: every ~80 answers) ran inside that
        answer's commit, between the grade and the next card, 10-60 ms on the screen's
        thread. It still runs should the log reach its size all the same (no flush asked
        for that long, or another program reading the log so that it cannot start over).
        A checkpoint that copied all of the log is followed by the commit that starts the
        log over (`_start_log_over`), here too."""
        behind = self._behind
        if behind is None:
            return
        behind.flush()
        if behind.commits >= CHECKPOINT_COMMITS and not self.conn.in_transaction:
            if self.checkpoint():
                self._start_log_over()

    def _start_log_over(self) -> None:
        """After a checkpoint that copied all of the log: one commit of the header's marks
        alone (`wal.new_marks`), flushed, so that SQLite starts the log over here. It does
        so at the first commit after such a checkpoint, and flushes the log's new header to
        the disk inside that commit (at every synchronous level but OFF): that was the
        next answer's commit, 0.3-0.5 ms more once every CHECKPOINT_COMMITS answers, the
        slowest answers of a session but the first (issue 23's p95). Never waits: with
        another connection writing (or the file moved, or the disk refusing the write),
        nothing is done here, nothing is lost, and that connection's commit or the next
        answer's starts the log over as before, saying any error of its own."""
        conn = self.conn
        if self.moved() is not None:  # (check_in_place's case: the next write says it)
            return
        wait = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # another connection writes now (busy)
            return
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(wait)}")
        try:
            wal.new_marks(conn)
            conn.execute("COMMIT")
        except sqlite3.Error:  # the disk refused it: rolled back, the next write says so
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return
        self._behind.start()
        self._behind.flush()

    @property
    def syncs_in_background(self) -> bool:
        """Whether its commits are flushed after they return (`sync_in_background`), or
        will be from its next commit on."""
        return self._sync_behind or self._behind is not None

    def _start_behind(self) -> None:
        """After the first commit (flushed before it returned): later ones are flushed
        after they return. When the log cannot be opened, every commit waits for the disk,
        as before."""
        self._sync_behind = False
        if self.conn.in_transaction:
            return
        try:
            behind = wal.LogSync(self.path.with_name(self.path.name + "-wal"))
        except OSError:
            return
        try:
            self.conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            behind.close()
            raise
        self._behind = behind

    def _flushed(self) -> None:
        """Make the flush of the last commit's log still due (`sync_in_background`); a
        CollectionError when the system refused it (now or when it was made)."""
        error = self._behind.wait() if self._behind is not None else None
        if error is not None:
            raise CollectionError(_not_saved(self.path, error))

    @contextmanager
    def import_cache(self):
        """While inside, a page cache of IMPORT_CACHE_KIB (SQLite's default is 2 MiB): a
        cold import inserts into every index of the cards table, and with the default cache
        ~10% of that time went to index pages dropped from it and read in again. Bounded,
        and back to what it was afterwards (the review screen's connection re-imports)."""
        before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
        try:
            yield
        finally:
            try:
                self.conn.execute(f"PRAGMA cache_size = {int(before)}")
            except sqlite3.ProgrammingError:  # closed meanwhile: it has no cache to give back
                pass

    @contextmanager
    def redoable_writes(self):
        """While inside, commits do not wait for the disk: for writes the notes can always
        make again (an import). A power cut could roll the collection back to before them,
        never leave it half-written (WAL). Inside a transaction the level cannot change:
        those writes stay durable."""
        if self.path is None or self.conn.in_transaction:
            yield
            return
        self.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            yield
        finally:
            if not self.conn.in_transaction:  # else the caller's error says what went wrong
                self.conn.execute("PRAGMA synchronous = "
                                  + ("NORMAL" if self._behind is not None else "FULL"))

    def _use_wal(self) -> None:
        """Switch to WAL, waiting out other processes. SQLite does not call the busy handler
        for this switch: two processes creating a collection at once got "database is
        locked" at once."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def _prepare(self) -> None:
        version = self.schema_version()
        if version == 0:
            with self.transaction():
                if self.schema_version() == 0:  # another process may have raced us
                    for statement in _split_sql(_SCHEMA_V1):
                        self.conn.execute(statement)
                    self.conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
                    self._apply_migrations()
            return
        if version > SCHEMA_VERSION:
            raise CollectionError(
                f"{self.path}: this collection was written by a newer flashdeck "
                f"(schema {version}, this one knows {SCHEMA_VERSION}); upgrade flashdeck"
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def schema_version(self) -> int:
        # one statement, one snapshot: another process may be creating the collection
        # between two reads (tables seen, meta not yet: "not a flashdeck collection")
        has_meta, tables = self.conn.execute(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'),"
            " (SELECT count(*) FROM sqlite_master WHERE type = 'table')"
        ).fetchone()
        if not has_meta:
            if tables:
                anki = self.conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                    " AND name IN ('col', 'revlog')").fetchone()[0] == 2
                raise CollectionError(
                    f"{self.path}: " + ("an Anki collection, not a flashdeck one (flashdeck"
                                        " reaches Anki by `flashdeck export anki` and `flashdeck"
                                        " sync`)" if anki else
                                        "not a flashdeck collection (another program's"
                                        " database)") + f"; {WRONG_FILE}")
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            raise CollectionError(f"{self.path}: not a flashdeck collection (no schema version)")
        try:
            version = int(row[0])
        except (ValueError, TypeError):
            version = 0
        if version < 1:  # no flashdeck writes it: 0 read as "an empty file", -3 crashed
            raise CollectionError(f"{self.path}: damaged schema version {row[0]!r} (no"
                                  " flashdeck writes it); restore a backup copy (a .bak file"
                                  " next to it)")
        return version

    def _migrate(self, version: int) -> None:
        if self.path is not None:
            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            try:
                # another process may have upgraded it since `version` was read: its copy
                # (taken before) stays, never replaced by a copy of the upgraded file
                self.backup(backup, schema=version)
            except (sqlite3.Error, OSError) as exc:
                why = describe_error(exc) if isinstance(exc, sqlite3.Error) \
                    else exc.strerror or str(exc)
                raise CollectionError(
                    f"{self.path}: cannot back up before upgrading ({backup}), so it was not"
                    f" upgraded: {why}") from None
        with self.transaction():
            self._apply_migrations()

    def backup(self, target: Path, *, schema: int | None = None) -> bool:
        """A consistent copy of the collection at `target` (SQLite's backup API: safe while
        other processes use it; never a file copy, see `open`). Written under a name of its
        own (`target` + `.<pid>-<random>.partial`, locked while it is written) and renamed
        to `target` once whole: a copy killed half-way never bears a backup's name nor
        replaces an earlier backup (it read as an empty collection), and is deleted by the
        next backup, silently (it held nothing the collection does not). With `schema`, the
        copy is kept only if it holds that schema version (returns whether it was kept)."""
        from glob import escape as glob_escape  # here only: not imported by every start

        from flashdeck.durable import claimed, clear_abandoned, sync_folder

        target = Path(target)
        if self.path is not None:
            folder = self.path.parent
            clear_abandoned(sorted(folder.glob(f"{glob_escape(self.path.name)}.*.partial")))
            for journal in folder.glob(f"{glob_escape(self.path.name)}.*.partial-journal"):
                if not journal.with_name(journal.name[:-len("-journal")]).exists():
                    journal.unlink(missing_ok=True)  # its copy gone, it can restore nothing
        partial = target.with_name(f"{target.name}.{os.getpid()}-{os.urandom(4).hex()}.partial")
        with claimed(partial):
            try:
                copy = sqlite3.connect(partial)
                try:
                    self.conn.backup(copy)
                    kept = schema is None or copy.execute(
                        "SELECT value FROM meta WHERE key = 'schema_version'"
                    ).fetchone() == (str(schema),)
                finally:
                    copy.close()
                if kept:
                    # SQLite flushed the copy to disk at its commit; the rename is flushed
                    # too, so a power cut never takes the backup's name back
                    os.replace(partial, target)
                    sync_folder(target.parent)
                    return True
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.unlink()
            return False

    def _apply_migrations(self) -> None:
        """Inside a transaction: bring the schema from its version up to SCHEMA_VERSION.
        A column a migration adds that the table has already (a schema_version set back
        by hand) is left as it is; any other part already there is said in words (the
        version does not match the tables, and what to do), never as SQLite's message."""
        current = self.schema_version()
        while current < SCHEMA_VERSION:
            for statement in _split_sql(_MIGRATIONS[current]):
                added = _ADD_COLUMN_RE.match(statement)
                if added is not None and added.group(2).lower() in {
                        row[1].lower() for row in self.conn.execute(
                            f"PRAGMA table_info({added.group(1)})")}:
                    continue
                try:
                    self.conn.execute(statement)
                except sqlite3.OperationalError as exc:
                    if not any(word in str(exc) for word in _NOT_THAT_VERSION):
                        raise  # a full disk, a lock...: said as such by describe_error
                    raise CollectionError(
                        f"{self.path}: its schema_version says {current}, but its tables are "
                        f"not those of version {current} ({exc}): the version was changed "
                        "by hand or by another program. Nothing was changed: set its "
                        "schema_version (table meta) back to the version of its tables "
                        f"({SCHEMA_VERSION} if this flashdeck made them), or restore a "
                        "backup copy made before the change") from None
            current += 1
        self.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(current),))

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK on error): one writer at a time. Refused
        (CollectionError) once the file was moved or replaced (`check_in_place`)."""
        self.check_in_place()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if self.path is not None:
                wal.new_marks(self.conn)  # tells its log from another copy's (wal.py)
            yield self.conn
        except BaseException:
            # SQLite may have rolled back already (a full disk does): a second ROLLBACK
            # would fail and hide the real error
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            behind = self._behind
            if behind is not None:
                try:  # the last commit is on the disk before this one is made
                    self._flushed()
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
            self.conn.execute("COMMIT")
            if behind is not None:
                behind.start()
                if self._later is not None:
                    self._later()
            elif self._sync_behind:
                self._start_behind()

    def moved(self) -> str | None:
        """Whether the collection's path still names the file this connection has open:
        None if it does (or it cannot be told); "moved" when nothing is there now (the file
        was moved, renamed or deleted), "replaced" when another file is."""
        if self.path is None or self.identity is None:
            return None
        try:
            here = _identity(self.path)
        except FileNotFoundError:
            return "moved"
        except OSError:
            return None  # cannot look (a folder made unreadable): SQLite says what fails
        return None if here == self.identity else "replaced"

    def check_in_place(self, rescue: bool = True) -> None:
        """Refuse to write once the file was moved, renamed or replaced while open. SQLite
        keeps writing to the file it has open, but its write-ahead log (the `-wal` file, by
        the old name) would hold the writes: the file where it is now never shows them
        (answers reported saved were not in it), and a file put in its place would read
        that log as its own and be damaged. A moved file first takes in what the log holds
        (the answers given before the move go with it), when it can: not with `rescue`
        False (a worker thread's look at its app's connection, which only the app's thread
        may use; `close` does it then)."""
        why = self.moved()
        if why is None:
            return
        if why == "replaced":
            raise CollectionError(
                f"{self.path}: another file took the collection's place while flashdeck had"
                " it open, so nothing more is written; quit and start flashdeck again")
        raise CollectionError(f"{self.path}: the collection file was moved, renamed or"
                              f" deleted while flashdeck had it open, so nothing more is"
                              f" written to it; {self._rescue()[1] if rescue else AFTER_MOVE}")

    def _rescue(self) -> tuple[bool, str]:
        """The moved file takes in what its write-ahead log (by the old name) holds: the
        answers given before the move, otherwise never seen in the file where it is now.
        Whether it did, and where what was written is."""
        log = self.path.with_name(self.path.name + "-wal")
        try:
            # PASSIVE: never waits (a reader could hold quitting up for the busy timeout);
            # whole when every frame of the log reached the file
            busy, frames, copied = self.conn.execute(
                "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            whole, why = False, describe_error(exc)
        else:
            whole, why = not busy and frames == copied, "another program was reading it"
        if whole:
            # and the log emptied, if no one reads it (never waiting): a collection made at
            # the old path later would read the frames left in it as its own pages
            wait = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
            self.conn.execute("PRAGMA busy_timeout = 0")
            try:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {int(wait)}")
            return True, f"what was written before the move is in the file; {AFTER_MOVE}"
        return False, (f"what was written since it was last saved whole is still in {log}"
                       f" ({why}): put the file back at {self.path} and run flashdeck there"
                       " to keep it")

    def close(self) -> None:
        """Close the connection. A file moved while open first takes in what its write-ahead
        log holds (`_rescue`); when it cannot, CollectionError says where that is."""
        rescued, where = True, ""
        unsaved = None  # the last commit's flush, refused (`sync_in_background`)
        try:
            if self._behind is not None:
                behind, self._behind = self._behind, None
                unsaved = behind.close()
            if not self.read_only and self.moved() == "moved":
                rescued, where = self._rescue()
        finally:
            self.conn.close()
            if self._counted:
                self._counted = False
                wal.closed(self.identity)
        if unsaved is not None:
            raise CollectionError(_not_saved(self.path, unsaved))
        if not rescued:
            raise CollectionError(f"{self.path}: the collection file was moved, renamed or"
                                  f" deleted while flashdeck had it open; {where}")

    def __enter__(self) -> "Collection":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()
        if isinstance(exc, sqlite3.Error):
            # a full disk, a read-only file, a lock held too long: one line naming the file
            # (every write is in a transaction, so nothing was half-written)
            raise CollectionError(f"{self.path or 'collection'}: {describe_error(exc)}") from exc


# what to do when the path names some other file: said with every such refusal
WRONG_FILE = ("left as it is; give --collection (or FLASHDECK_COLLECTION) the path of your"
              " flashdeck collection")
# what to do once the collection file was moved while open (`Collection.check_in_place`)
AFTER_MOVE = "quit and open it where it is now (--collection PATH)"
DAMAGED = "the collection file is damaged; run `flashdeck doctor`, or restore a backup copy"


def damaged_file(path: Path) -> str | None:
    """After a command failed unexpectedly on the collection at `path`: "<path>: <DAMAGED>"
    when SQLite's quick check of it (read-only) fails, so the line names the file and the
    way out instead of the code that tripped on what a damaged file reads as (a NULL where
    a deck belongs, a row cut short); None when it passes or cannot be run."""
    try:
        if not Path(path).is_file():
            return None
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, ValueError, sqlite3.Error):
        return None
    try:
        verdict = conn.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.OperationalError:
        return None  # busy, or unreadable: no evidence either way
    except sqlite3.DatabaseError:
        verdict = ("damaged",)
    finally:
        conn.close()
    return None if verdict == ("ok",) else f"{path}: {DAMAGED}"


def _not_saved(path: Path | None, error: OSError) -> str:
    """A flush of the log after its commit refused by the system (`Collection._flushed`)."""
    return (f"{path}: {wal.NOT_SAVED}: {error.strerror or error}; it may be lost if the"
            " computer loses power, and what is written next may be too: check the disk"
            " (free space, errors), then run `flashdeck doctor`")


def _identity(path: Path) -> tuple[int, int]:
    """What tells one file from another at a path: its device and inode."""
    st = os.stat(path)
    return st.st_dev, st.st_ino


def _cannot_write(exc: sqlite3.Error) -> bool:
    """Whether `exc` is SQLite failing for want of write access (the file, its folder, or
    the disk read-only: the -shm or -wal file cannot be made)."""
    text = str(exc).lower()
    return "readonly database" in text or "unable to open database file" in text


def _no_room(exc: sqlite3.Error) -> bool:
    """Whether `exc` is SQLite failing for want of space (the disk or a quota full; the
    shared-memory file could not grow)."""
    return (getattr(exc, "sqlite_errorname", "") in ("SQLITE_FULL", "SQLITE_IOERR_SHMSIZE")
            or "disk is full" in str(exc).lower())


def describe_error(exc: sqlite3.Error) -> str:
    """What went wrong with the collection, in words a user can act on."""
    text = str(exc)
    lowered = text.lower()
    if getattr(exc, "sqlite_errorname", "") == "SQLITE_IOERR_SHMSIZE":
        # the shared-memory file next to the collection (-shm) could not grow: on a full
        # disk that is all SQLite can say ("disk I/O error"), which read as a failing disk
        lowered = "disk is full"
    elif getattr(exc, "sqlite_errorname", "") in _WRITE_FAILED:
        # a write or flush the system refused: a file-size limit (`ulimit -f`) or a quota
        # as often as a failing disk, and SQLite wrote nothing it had not whole (the log's
        # frames count only once flushed): "the disk failed" sent users to a drive test
        return ("cannot write the collection file (I/O error): a file-size limit or a quota"
                " is reached, the disk is full, or it is failing; nothing was half-written:"
                " make room and try again")
    for needle, message in (
        ("disk is full", "the disk is full; nothing was half-written: free some space and"
                         " try again"),
        ("readonly database", "cannot write the collection: the file or its folder is"
                              " read-only"),
        ("unable to open database file", "cannot open the collection file: check that its"
                                         " folder exists and is writable"),
        ("database is locked", "the collection is busy: another program (another"
                               " flashdeck, a database tool) has held its write lock for"
                               " over 30 s; nothing was written: try again"),
        ("disk i/o error", "the disk failed while using the collection (I/O error)"),
        ("malformed", DAMAGED),
        # a text value whose bytes are not UTF-8: no flashdeck ever stored such text
        ("could not decode to utf-8", DAMAGED),
    ):
        if needle in lowered:
            return message
    if "no such table" in lowered:  # a part of the file gone (a tool, a damaged disk)
        return f"cannot use the collection: {text}; run `flashdeck doctor`"
    return f"cannot use the collection: {text}"


# SQLite's names for a write or flush of the collection or its log that the system refused
_WRITE_FAILED = frozenset({"SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE",
                           "SQLITE_IOERR_DIR_FSYNC"})
# what SQLite says when a migration meets tables of another version than the file's
# schema_version claims (set back by hand): a part made already, or one not made yet
_NOT_THAT_VERSION = ("already exists", "duplicate column", "no such table", "no such column",
                     "error in trigger", "no such index")
# a migration's `ALTER TABLE t ADD COLUMN c ...`: the table and the column
_ADD_COLUMN_RE = re.compile(r"\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)", re.I)


def _split_sql(script: str) -> list[str]:
    """The statements of a schema script (no semicolons or `--` inside our statements'
    strings; a trigger's body, with semicolons of its own, stays one statement)."""
    statements = []
    pending = ""
    for chunk in script.split(";"):
        lines = [line.split("--", 1)[0] for line in chunk.splitlines()]
        pending += "\n".join(lines) + ";"
        if sqlite3.complete_statement(pending):
            text = pending.strip().rstrip(";").strip()
            if text:
                statements.append(text)
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip().rstrip(";").strip())
    return statements
