"""`flashdeck import` / `check`: notes on disk -> cards in the collection.

The work, per source (a folder or a file named on the command line):
  1. list the note files; the cards of notes whose file vanished can be claimed by a moved or
     renamed note below, and what is left of them is orphaned at the end of the run;
  2. skip files whose size and mtime are unchanged, then those whose content hash is;
  3. parse the rest (on all cores when there are many), keeping only tagged notes of a folder;
  4. match the parsed cards to the cards the collection already has, so each card keeps its
     id and history: exact content first (in the note, then among orphans anywhere), then
     similarity for small edits; what is left is added, and old cards left unmatched are
     orphaned (hidden, never deleted, so a restored note gets them back).
Each note is written in its own transaction. The notes themselves are only ever read.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

from flashdeck.collection.identity import GoneCards, sync_note_cards
from flashdeck.collection.parsing import Parsed, parse_many
from flashdeck.collection.report import ImportReport
from flashdeck.collection.sources import Source, collect_sources, settings_for
from flashdeck.collection.store import Collection
from flashdeck.notes.model import PARSER_VERSION, ParsedNote, Problem


def check_paths(paths: Iterable[str]) -> tuple[list[ParsedNote], ImportReport]:
    report = ImportReport()
    notes: list[ParsedNote] = []
    sources = collect_sources(paths, report)
    jobs = [(f, settings_for(s, f), s.kind == "folder", None) for s in sources for f in s.files]
    for parsed in parse_many(jobs):
        report.notes_scanned += 1
        _file_problems(parsed.problems, report)
        if parsed.note is None:
            if parsed.hash and not any(p.severity == "error" for p in parsed.problems):
                report.notes_skipped += 1
            continue
        report.notes_imported += 1
        report.cards_added += len(parsed.note.cards)
        notes.append(parsed.note)
    return notes, report


def _file_problems(problems: list[Problem], report: ImportReport) -> None:
    for problem in problems:
        (report.warnings if problem.severity == "warning" else report.errors).append(problem)


# -- import ---------------------------------------------------------------------------------


def import_paths(col: Collection, paths: Iterable[str], *, now: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import notes into the collection. `progress(done, total)` is called as files finish."""
    report = ImportReport()
    now = int(time.time()) if now is None else now
    sources = collect_sources(paths, report)
    for source in sources:
        _import_source(col, source, report, now, progress)
    return report


def _import_source(col: Collection, source: Source, report: ImportReport, now: int,
                   progress: Callable[[int, int], None] | None) -> None:
    conn = col.conn
    source_id = _source_id(col, source, now)
    known = {
        row["relpath"]: row
        for row in conn.execute(
            "SELECT id, relpath, size, mtime_ns, hash, present FROM notes WHERE source_id = ?",
            (source_id,),
        )
    }
    on_disk = {f.relpath for f in source.files}
    # Notes read by another parser version or other settings are read again, changed or not.
    stamp_key = f"parse_stamp:{source_id}"
    stamp = f"{PARSER_VERSION}:{source.settings!r}"
    stamp_row = conn.execute("SELECT value FROM meta WHERE key = ?", (stamp_key,)).fetchone()
    reread = stamp_row is None or stamp_row[0] != stamp

    # 1. notes whose file is gone: a moved or renamed note may claim their cards below; what
    # is left is orphaned at the end. (Orphaning first, in its own transaction, lost the
    # claim to a crash in between: the re-run no longer knew which notes had just vanished.)
    gone_notes = {row["id"] for rel, row in known.items() if rel not in on_disk and row["present"]}

    # 2. skip by size and mtime
    jobs = []
    for file in source.files:
        report.notes_scanned += 1
        row = known.get(file.relpath)
        if row is not None and row["size"] >= 0 and not reread:
            stat = file.stat
            if stat is None:
                try:
                    stat = os.stat(file.path)
                except OSError:
                    stat = None
            if stat and stat.st_size == row["size"] and stat.st_mtime_ns == row["mtime_ns"]:
                if row["present"]:
                    report.notes_unchanged += 1
                else:
                    report.notes_skipped += 1
                continue
        known_hash = row["hash"] if row is not None and row["hash"] and not reread else None
        jobs.append((file, settings_for(source, file), source.kind == "folder", known_hash,
                     True))

    # 3. parse what changed; 4. write each note in its own transaction
    total, done = len(jobs), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    gone_keys = GoneCards(conn, gone_notes)
    batches = _Batches(col)
    try:
        for parsed in parse_many(jobs, tick):
            _file_problems(parsed.problems, report)
            if not parsed.hash:  # unreadable: leave what the collection has alone
                continue
            with batches.note():
                _write_note(conn, source_id, parsed, gone_notes, now, report, gone_keys)
    finally:
        batches.commit()
    if gone_notes:
        with col.transaction():
            for note_id in gone_notes:
                report.cards_orphaned += conn.execute(
                    "UPDATE cards SET orphaned = 1 WHERE note_id = ? AND orphaned = 0", (note_id,)
                ).rowcount
                conn.execute("UPDATE notes SET present = 0, size = -1, mtime_ns = -1, hash = ''"
                             " WHERE id = ? AND present = 1", (note_id,))
        report.notes_gone += len(gone_notes)
    if reread:  # only once every note was read: a killed import reads them all again
        with col.transaction():
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (stamp_key, stamp))


class _Batches:
    """Notes are written in batches: one transaction per batch (a commit per note made a
    cold import pay ~1 ms a note), a savepoint per note. A kill loses at most the batch in
    flight, and a re-run redoes it: those notes' size/mtime/hash were not recorded either."""

    def __init__(self, col: Collection, size: int = 200, seconds: float = 0.3):
        self.conn = col.conn
        self.size, self.seconds = size, seconds
        self.open = False
        self.count = 0
        self.started = 0.0

    @contextmanager
    def note(self):
        if not self.open:
            self.conn.execute("BEGIN IMMEDIATE")
            self.open, self.count, self.started = True, 0, time.monotonic()
        self.conn.execute("SAVEPOINT note")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO note")
                self.conn.execute("RELEASE note")
                self.commit()
            else:  # SQLite rolled the batch back itself (a full disk): nothing to keep
                self.open = False
            raise
        self.conn.execute("RELEASE note")
        self.count += 1
        if self.count >= self.size or time.monotonic() - self.started >= self.seconds:
            self.commit()

    def commit(self) -> None:
        if self.open:
            self.conn.execute("COMMIT")
            self.open = False


def _write_note(conn, source_id: int, parsed: Parsed, gone_notes: set[int], now: int,
                report: ImportReport, gone_keys: GoneCards | None = None) -> None:
    # read under the write lock: another import of this vault may have written it meanwhile
    row = conn.execute("SELECT id, relpath, size, mtime_ns, hash, present FROM notes"
                       " WHERE source_id = ? AND relpath = ?",
                       (source_id, parsed.file.relpath)).fetchone()
    if parsed.rows is None and row is not None and parsed.hash == row["hash"]:
        # same content (touched, or copied back): only the stat changed
        conn.execute("UPDATE notes SET size = ?, mtime_ns = ? WHERE id = ?",
                     (parsed.size, parsed.mtime_ns, row["id"]))
        if row["present"]:
            report.notes_unchanged += 1
        else:
            report.notes_skipped += 1
        return
    if parsed.rows is None and any(p.severity == "error" for p in parsed.problems):
        return  # unreadable (binary, bad encoding): keep its cards as they were
    note_id = _upsert_note(conn, source_id, parsed, row)
    if parsed.rows is None:  # no (longer a) flashcard note
        orphaned = conn.execute(
            "UPDATE cards SET orphaned = 1 WHERE note_id = ? AND orphaned = 0", (note_id,)
        ).rowcount
        report.cards_orphaned += orphaned
        report.notes_skipped += 1
        return
    added, updated, orphaned = sync_note_cards(conn, note_id, parsed.rows, gone_notes, now,
                                               gone_keys)
    report.notes_imported += 1
    report.cards_added += added
    report.cards_updated += updated
    report.cards_orphaned += orphaned


def _source_id(col: Collection, source: Source, now: int) -> int:
    conn = col.conn
    row = conn.execute("SELECT id FROM sources WHERE path = ?", (str(source.path),)).fetchone()
    if row:
        return row[0]
    with col.transaction():  # OR IGNORE: another import of this folder may have added it
        conn.execute("INSERT OR IGNORE INTO sources (path, kind, added) VALUES (?, ?, ?)",
                     (str(source.path), source.kind, now))
        return conn.execute("SELECT id FROM sources WHERE path = ?",
                            (str(source.path),)).fetchone()[0]


def _upsert_note(conn, source_id: int, parsed: Parsed, row) -> int:
    cards = parsed.rows is not None
    title = parsed.title if cards and parsed.title else Path(parsed.file.relpath).stem
    present = 1 if cards else 0
    if row is None:
        return conn.execute(
            "INSERT INTO notes (source_id, relpath, title, size, mtime_ns, hash, present)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (source_id, parsed.file.relpath, title, parsed.size, parsed.mtime_ns, parsed.hash,
             present),
        ).lastrowid
    conn.execute(
        "UPDATE notes SET title = ?, size = ?, mtime_ns = ?, hash = ?, present = ? WHERE id = ?",
        (title, parsed.size, parsed.mtime_ns, parsed.hash, present, row["id"]),
    )
    return row["id"]


# -- identity -------------------------------------------------------------------------------
