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
from dataclasses import fields
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from flashdeck.collection import wal
from flashdeck.collection.identity import (GoneCards, in_chunks, reclaim_moved_cards,
                                           return_taken_cards, sync_note_cards)
from flashdeck.collection.parsing import Parsed, parse_many, parses_in_parallel
from flashdeck.collection.pending import Pending
from flashdeck.collection.report import (ImportReport, as_problems, keep_problems,
                                         kept_problems, kept_problems_by_note)
from flashdeck.collection.sources import (MissingFiles, Source, collect_sources, mark_imported,
                                          out_of_reach, place_source, settings_for,
                                          settings_stamp)
from flashdeck.collection.store import Collection
from flashdeck.notes.model import PARSER_VERSION, ParsedNote, Problem
from flashdeck.words import count


def check_paths(paths: Iterable[str]) -> tuple[list[ParsedNote], ImportReport]:
    report = ImportReport()
    notes: list[ParsedNote] = []
    sources = collect_sources(paths, report)
    once = ReadOnce(sources)
    jobs = [(f, settings_for(s, f), s.kind == "folder", None) for s in sources for f in s.files
            if once.takes(f, s.kind == "folder")]
    for parsed in parse_many(jobs):
        report.notes_scanned += 1
        _file_problems(parsed.problems, report)
        if parsed.note is None:
            if parsed.hash and not any(p.severity == "error" for p in parsed.problems):
                report.notes_skipped += 1
                report.add_unread(parsed.file.display, parsed.unread_cards)
            continue
        report.notes_imported += 1
        report.cards_added += len(parsed.note.cards)
        notes.append(parsed.note)
    return notes, report


class ReadOnce:
    """Which of the paths given reads each note file: a note named twice (`import vault
    vault/sub`) is read once; one named on its own (`import vault vault/x.md`) is read as
    named (imported without the tag), never as part of a folder given beside it."""

    def __init__(self, sources: list[Source]) -> None:
        self.named = {f.path for s in sources if s.kind == "file" for f in s.files}
        self.read: set[str] = set()

    def takes(self, file, in_folder: bool) -> bool:
        """Whether this source (a folder given, or a note named) reads `file`."""
        if file.path in self.read or (in_folder and file.path in self.named):
            return False
        self.read.add(file.path)
        return True


def _file_problems(problems: list[Problem], report: ImportReport) -> None:
    report.add(problems)


def _kept_problems(col: Collection, source: Source, source_id: int, known: dict,
                   on_disk: set[str], reread: bool) -> dict[int, list[tuple]]:
    """The problems kept with this source's notes (note id -> rows), for the notes skipped
    as unchanged. Those of notes whose file is gone are dropped (and an untagged one is read
    again if it comes back: its problems come back with it), as are those of notes gone or
    forgotten before (no content: hash ''). When every note is read again (a new parser or
    other settings) they are all dropped: each note's are found again."""
    conn = col.conn
    kept = kept_problems_by_note(conn, source_id)
    if not kept:
        return kept
    mine = [(rel, row) for rel, row in known.items() if row["id"] in kept and source.covers(rel)]
    vanished = [row for rel, row in mine if rel not in on_disk or not row["hash"]]
    drop = {row["id"] for rel, row in mine} if reread else {row["id"] for row in vanished}
    forget_stat = {row["id"] for row in vanished if not row["present"] and row["hash"]}
    if drop:
        with col.transaction():
            conn.executemany("DELETE FROM note_problems WHERE note_id = ?",
                             [(note_id,) for note_id in drop])
            conn.executemany("UPDATE notes SET size = -1, mtime_ns = -1, hash = '' WHERE id = ?",
                             [(note_id,) for note_id in forget_stat])
        for note_id in drop:
            del kept[note_id]
    return kept


# -- import ---------------------------------------------------------------------------------


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C during an import: the notes written so far are kept (each batch is committed);
    `report` counts them, for the line that says so."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__()
        self.report = report


def import_paths(col: Collection, paths: Iterable[str], *, now: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 hold_seconds: float | None = None) -> ImportReport:
    """Import notes into the collection. `progress(done, total)` is called as files finish.
    `hold_seconds`: commit at least this often while writing (the review screen's re-scan,
    so that an answer never waits long behind it); None: batches as big as is fastest."""
    report = ImportReport()
    now = int(time.time()) if now is None else now
    sources = collect_sources(paths, report)
    try:
        _import_sources(col, sources, report, now, progress, hold_seconds)
    except KeyboardInterrupt as exc:
        raise ImportInterrupted(report) from exc
    return report


def _import_sources(col: Collection, sources: list[Source], report: ImportReport, now: int,
                    progress: Callable[[int, int], None] | None,
                    hold_seconds: float | None) -> None:
    # a card cut from one note and pasted into another that is written first is added there
    # before the note it left orphans it: matched up at the end (reclaim_moved_cards) with
    # the cards added by this import, or since the last import of these sources that ran
    # to its end having read every note (one killed after writing the one note and before
    # the other, or one that could not read the note the card left)
    newer_than = col.conn.execute("SELECT coalesce(max(id), 0) FROM cards").fetchone()[0]
    # the cards orphaned, and those rewritten (card id -> its columns before), are written
    # down as they are and crossed off once squared up below: an import killed in between
    # leaves them to the next (collection/pending.py)
    pending = Pending(col.conn, newer_than, now)
    try:
        orphaned, rewritten = pending.orphaned, pending.rewritten
        once = ReadOnce(sources)
        missing = MissingFiles(col.conn)  # read once, not once per source
        # what an import writes, the notes can always write again: its commits do not wait for
        # the disk (a power cut could roll the collection back to an earlier import, never
        # leave it half-written, and never touch an answer: those wait for the disk)
        with col.redoable_writes(), col.import_cache():
            if sources:
                _leave_the_demo(col, sources, report, now)
            for source in sources:
                # one vault is one source whatever path names it: a note or folder inside a known
                # source refreshes that part of it, a moved vault is found by its notes' content
                folder_given = source.kind == "folder"  # placing may make a note a folder's part
                source = place_source(col, source, now, report, missing)
                if source.settings_errors and _has_notes(col, source):
                    # a setting that kept its default (its tags, clozes, end marker) would make
                    # other cards of the notes than they have: a typo in .flashdeck.toml hid every
                    # card of a vault tagged otherwise. Its notes are left as they are
                    report.errors.append(Problem(
                        str(source.path), 0, "not imported: its settings file has an error (said"
                        " above), and this vault's notes are left as the collection has them, every"
                        " card as it was, until it is fixed"))
                    continue
                seen = _cards_seen(col, source)
                if seen is not None:
                    pending.since = min(pending.since, seen)
                errors = len(report.errors)
                _import_source(col, source, report, now, progress, hold_seconds, orphaned, once,
                               by_name=not folder_given, rewritten=rewritten, missing=missing,
                               pending=pending)
                # a note that could not be read may still hold a card another note took: the
                # cards added since stay matchable until an import reads every note
                mark_imported(col, source, now, every_note_read=len(report.errors) == errors)
            since, taken_up = pending.since, pending.taken_up
            if orphaned:
                returned: list[int] = []
                added_again = again = 0
                with col.transaction():  # one transaction with the crossing off: all or nothing
                    reclaimed, added_now = reclaim_moved_cards(col.conn, orphaned, since,
                                                               newer_than)
                    if rewritten:
                        returned = return_taken_cards(col.conn, orphaned, rewritten,
                                                      pending.started)
                        # ...unless its own content went to a note that added it: it moved too
                        again, added_again = reclaim_moved_cards(col.conn, returned, since,
                                                                 newer_than) if returned else (0, 0)
                    pending.clear(col.conn)
                # counted as a card the note it went to took from the orphans (as when that
                # note is written after the one it left)
                report.cards_added -= added_now
                report.cards_updated += reclaimed
                # each gave its place back to the card it took it from, and is an orphan
                orphaned += returned
                report.cards_orphaned += len(returned)
                report.cards_added -= added_again
                report.cards_updated += again
                # a card a note left and another took in this import (whichever came first) is
                # not orphaned: it moved (those a killed import left were counted by it)
                report.cards_orphaned -= _live(col, orphaned[taken_up:])
            elif len(rewritten) > 1:  # two cards that took each other's place, nothing orphaned
                with col.transaction():
                    return_taken_cards(col.conn, orphaned, rewritten, pending.started)
                    pending.clear(col.conn)
            elif rewritten:
                with col.transaction():
                    pending.clear(col.conn)
    finally:
        pending.close()  # what it left is the next import's now


def _has_notes(col: Collection, source: Source) -> bool:
    """Whether the collection holds notes of `source` (of the part imported) already."""
    rows = col.conn.execute("SELECT relpath FROM notes WHERE source_id = ? AND present = 1",
                            (source.id,))
    return any(source.covers(relpath) for (relpath,) in rows)


def _missing_file_notes(conn, source_id: int,
                        missing: MissingFiles | None = None) -> dict[int, int]:
    """The notes of the other sources that are one note file, missing on disk: note id ->
    its live cards."""
    found = {}
    ids = [r["id"] for r in (missing or MissingFiles(conn)).rows() if r["id"] != source_id]
    if not ids:
        return found
    for row in conn.execute("SELECT n.id, s.path FROM sources s JOIN notes n ON n.source_id ="
                            " s.id WHERE s.kind = 'file' AND n.present = 1 AND s.id IN"
                            " (SELECT value FROM json_each(?))",
                            ("[" + ",".join(str(int(i)) for i in ids) + "]",)).fetchall():
        if not os.path.lexists(row["path"]):
            live = _live_cards(conn, row["id"])
            if live:
                found[row["id"]] = live
    return found


def _live_cards(conn, note_id: int) -> int:
    return conn.execute("SELECT count(*) FROM cards WHERE note_id = ? AND orphaned = 0",
                        (note_id,)).fetchone()[0]


def _live(col: Collection, card_ids: list[int]) -> int:
    """How many of these cards are not orphaned."""
    return sum(col.conn.execute(f"SELECT count(*) FROM cards WHERE orphaned = 0 AND id IN"
                                f" ({marks})", chunk).fetchone()[0]
               for chunk, marks in in_chunks(card_ids))


def _cards_seen(col: Collection, source: Source) -> int | None:
    """The highest card id when an import of `source` last ran to its end having read every
    note (None: never, or not known)."""
    from flashdeck.collection.sources import CARDS_SEEN_KEY

    if source.id is None:
        return None
    row = col.conn.execute("SELECT value FROM meta WHERE key = ?",
                           (CARDS_SEEN_KEY.format(source.id),)).fetchone()
    try:
        return int(row[0]) if row is not None else None
    except (TypeError, ValueError):
        return None


def _leave_the_demo(col: Collection, sources: list[Source], report: ImportReport,
                    now: int) -> None:
    """A collection whose only source is the bundled demo deck (`flashdeck review` put it
    there before the demo had its own collection) is the user's from their first import of
    their own notes: the demo deck is forgotten then (its cards hidden, their history kept;
    `flashdeck review --demo` still shows it), and the report says so."""
    from flashdeck.collection.sources import forget_source, list_sources
    from flashdeck.paths import bundled_cards_dir

    bundled = bundled_cards_dir()
    if bundled is None:
        return
    try:
        demo = bundled.resolve()
    except (OSError, RuntimeError):
        return

    def same(path) -> bool:
        try:
            return Path(path).resolve() == demo
        except (OSError, RuntimeError):
            return False

    # a source's path is resolved already (sources.collect_sources): compared as it is, not
    # resolved again for each of thousands of notes named one by one
    if any(Path(source.path) == demo for source in sources):
        return
    # the sources' paths first: the listing counts every source's notes and cards (~0.1 s
    # at 300k cards), and only a collection that has the demo deck needs it
    if not any(same(path) for (path,) in col.conn.execute("SELECT path FROM sources")):
        return
    listed = list_sources(col)
    if len(listed) != 1 or not same(listed[0].path):
        return
    _, cards, _ = forget_source(col, listed[0], now)
    report.warnings.append(Problem(
        listed[0].path, 0,
        f"this collection held only the demo deck: it is forgotten now ({cards} demo cards "
        "hidden, their history kept); `flashdeck review --demo` shows the demo any time",
        severity="warning"))


def _import_source(col: Collection, source: Source, report: ImportReport, now: int,
                   progress: Callable[[int, int], None] | None,
                   hold_seconds: float | None = None,
                   orphaned: list[int] | None = None, once: ReadOnce | None = None, *,
                   by_name: bool = False, rewritten: dict[int, tuple] | None = None,
                   missing: MissingFiles | None = None,
                   pending: Pending | None = None) -> None:
    """`once`: the files another path given reads are neither read nor counted here.
    `by_name`: the source is a note named by its own path: imported without the flashcards
    tag, and marked so (notes.named) for the imports of its folder."""
    conn = col.conn
    source_id = _source_id(col, source, now)
    known = {
        row["relpath"]: row
        for row in conn.execute(
            "SELECT id, relpath, size, mtime_ns, hash, present, named FROM notes"
            " WHERE source_id = ?",
            (source_id,),
        )
        if source.covers(row["relpath"])  # importing a part: the rest is neither read nor gone
    }
    on_disk = {f.relpath for f in source.files}
    # Notes read by another parser version or other settings are read again, changed or not.
    stamp_key = f"parse_stamp:{source_id}"
    stamp = f"{PARSER_VERSION}:{settings_stamp(source)}"
    stamp_row = conn.execute("SELECT value FROM meta WHERE key = ?", (stamp_key,)).fetchone()
    reread = stamp_row is None or stamp_row[0] != stamp
    if source.scope is not None:  # a part is read again; the rest of the source is not
        stamp = stamp_row[0] if stamp_row is not None else ""

    # 1. notes whose file is gone: a moved or renamed note may claim their cards below; what
    # is left is orphaned at the end. (Orphaning first, in its own transaction, lost the
    # claim to a crash in between: the re-run no longer knew which notes had just vanished.)
    vanished = [row for rel, row in known.items() if rel not in on_disk and row["present"]]
    # the notes left as the collection has them, unread: when every note is read again (a
    # new parser, other settings), each is read once it can be, its file changed or not
    unread: list[int] = []
    if vanished and source.kind == "folder":  # there but out of reach: not gone
        unread = [row["id"] for row in vanished if out_of_reach(source, row["relpath"])]
        if unread:
            report.warnings.append(Problem(
                str(source.path), 0, f"{count(len(unread), 'note')} cannot be reached now (an"
                " error above, or a linked folder whose target is not there):"
                f" {'its' if len(unread) == 1 else 'their'} cards are left as they were",
                severity="warning"))
            kept = set(unread)
            vanished = [row for row in vanished if row["id"] not in kept]
    if vanished and not source.files and source.kind == "folder" and source.scope is None:
        # a vault whose folder is there but holds no note now: a drive not mounted on its
        # mount point, a sync client that has not brought the files down yet. Orphaning
        # every card would empty the review until the notes come back (and a phone sync
        # would send the empty deck on); a vault emptied on purpose is `forget`'s to drop.
        # (Its notes moved to a new folder are found there as the vault moved: place_source)
        report.warnings.append(Problem(
            str(source.path), 0,
            f"holds no note now (it had {len(vanished)}): its cards are left as they were,"
            " in case it is a drive not mounted or a sync still under way; if its notes are gone"
            " for good, `flashdeck forget` drops them (their history kept)", severity="warning"))
        return
    gone_notes = {row["id"] for row in vanished}
    # decks = "folders" reads an untagged note whose cards the collection has (parsing.py):
    # moved to another folder, or its folder renamed, the note at its new path is that note
    # when it has a vanished note's name or content, and its cards are claimed, not orphaned
    moved_names = {PurePosixPath(row["relpath"]).name for row in vanished}
    moved_hashes: dict[int, set[str]] = {}  # by size: a job carries the few of its size
    for row in vanished:
        if row["hash"]:
            moved_hashes.setdefault(row["size"], set()).add(row["hash"])

    # 2. skip by size and mtime; an unchanged note's kept problems are reported again
    kept = _kept_problems(col, source, source_id, known, on_disk, reread)
    jobs = []
    for file in source.files:
        if once is not None and not once.takes(file, not by_name):
            continue
        report.notes_scanned += 1
        row = known.get(file.relpath)
        # named now for the first time: read (an unchanged untagged note was skipped before)
        newly_named = by_name and (row is None or not row["named"])
        if row is not None and row["size"] >= 0 and not reread and not newly_named:
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
                if row["id"] in kept:
                    report.add(as_problems(kept[row["id"]], file.display))
                continue
        known_hash = row["hash"] if row is not None and row["hash"] and not reread \
            and not newly_named else None
        require_tag = not by_name and not (row is not None and row["named"])
        settings = settings_for(source, file)
        imported = row is not None and bool(row["present"])
        moved_from: frozenset[str] = frozenset()
        if not imported and settings.decks == "folders":
            imported = PurePosixPath(file.relpath).name in moved_names
            if not imported and row is not None:
                # its cards hidden while the vault read tags (or its tag was removed):
                # they come back with it
                imported = conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM cards WHERE note_id = ?)",
                    (row["id"],)).fetchone()[0] == 1
            if not imported and moved_hashes:
                try:
                    size = (file.stat or os.stat(file.path)).st_size
                except OSError:
                    size = -1
                moved_from = frozenset(moved_hashes.get(size, ()))
        jobs.append((file, settings, require_tag, known_hash, True, imported, moved_from))

    # 3. parse what changed; 4. write each note in its own transaction
    total, done = len(jobs), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    # a note imported by its own path whose file is gone may have moved into this source:
    # its cards can be claimed as a vanished note's; it is gone once one of them is
    moved_away = _missing_file_notes(conn, source_id, missing) if jobs else {}
    gone_notes |= set(moved_away)
    gone_keys = GoneCards(conn, gone_notes)

    def write(parsed: Parsed) -> None:
        _write_note(conn, source_id, parsed, gone_notes, now, report, gone_keys, orphaned,
                    by_name, rewritten)

    def restore_point() -> Callable[[], None]:
        """What writing notes changes outside the collection but the report, to be put back
        if the batch is rolled back: the cards orphaned and rewritten (only ever added to).
        Not the vanished notes' cards claimed (gone_keys): then each note has a savepoint."""
        orphans = len(orphaned) if orphaned is not None else 0
        rewrites = len(rewritten) if rewritten is not None else 0

        def restore() -> None:
            if orphaned is not None:
                del orphaned[orphans:]
            if rewritten is not None:
                for card_id in list(rewritten)[rewrites:]:
                    del rewritten[card_id]
        return restore

    record = None if pending is None else pending.record
    batches = _Batches(col, write, report, hold=hold_seconds, before_commit=record,
                       restore_point=None if gone_notes else restore_point)
    try:
        # parsed elsewhere meanwhile, the last notes are written as they come (_Batches.add)
        in_parallel = parses_in_parallel(len(jobs))
        for index, parsed in enumerate(parse_many(jobs, tick)):
            _file_problems(parsed.problems, report)
            if not parsed.hash:  # unreadable or unparsable: leave what the collection has
                row = known.get(parsed.file.relpath)
                if row is not None:
                    unread.append(row["id"])
                continue
            if in_parallel:
                batches.to_come = total - 1 - index
            batches.add(parsed)  # written once a batch is parsed: never locked while parsing
    finally:
        batches.flush()
    if moved_away:  # nothing taken: it may be on a drive not mounted now; left as it is
        gone_notes -= {note_id for note_id, live in moved_away.items()
                       if _live_cards(conn, note_id) == live}
    if gone_notes:
        with col.transaction():
            for note_id in gone_notes:
                left = [card_id for (card_id,) in conn.execute(
                    "UPDATE cards SET orphaned = 1 WHERE note_id = ? AND orphaned = 0"
                    " RETURNING id", (note_id,))]
                report.cards_orphaned += len(left)
                if orphaned is not None:
                    orphaned.extend(left)
                conn.execute("UPDATE notes SET present = 0, size = -1, mtime_ns = -1, hash = ''"
                             " WHERE id = ? AND present = 1", (note_id,))
            if pending is not None:
                pending.record(conn)
        report.notes_gone += len(gone_notes)
    if reread:  # only once every note was read: a killed import reads them all again
        with col.transaction():
            conn.executemany("UPDATE notes SET size = -1, mtime_ns = -1, hash = '' WHERE id = ?",
                             [(note_id,) for note_id in unread])
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (stamp_key, stamp))


class _Batches:
    """Parsed notes are written in batches: one transaction per batch (a commit per note made a
    cold import pay ~1 ms a note), a savepoint per note. The transaction is open only while a
    batch of notes already parsed is written, never while the next ones are parsed, so another
    flashdeck (an answer in another terminal) waits at most for one batch's writing. A kill
    loses at most the notes not yet written, and a re-run redoes them: their size/mtime/hash
    were not recorded either.

    A note whose writing fails is rolled back to its savepoint and becomes its own problem;
    the batch goes on. A failure of the collection itself (busy, a full disk, read-only, I/O)
    is not the note's: the notes before it are committed and it is raised, as ever.

    With `restore_point` (and no `hold`), a batch is first written without a savepoint per
    note: SQLite copied every page a note changed, already changed by the notes before it,
    into the savepoint's journal (10,000 notes: ~0.15 s of the writer's CPU). Should a note
    fail, the whole batch is rolled back, what writing it did outside the collection is put
    back (`restore_point()` returns what does that), and the batch is written again note by
    note, as above: the same notes land, the same problems are said. Interrupted (Ctrl-C),
    the batch is rolled back and its notes are not counted: the next import writes them."""

    def __init__(self, col: Collection, write: Callable[[Parsed], None], report: ImportReport,
                 size: int = 200, seconds: float = 0.3, hold: float | None = None,
                 before_commit: Callable[[object], None] | None = None,
                 restore_point: Callable[[], Callable[[], None]] | None = None):
        self.col, self.conn = col, col.conn
        self.restore_point = restore_point
        # called in each transaction before its commit (what it orphaned is written down)
        self.before_commit = before_commit
        self.write, self.report = write, report
        self.size, self.seconds = size, seconds
        self.hold = hold  # commit (and begin again) once the write lock was held this long
        self.pending: list[Parsed] = []
        self.started = 0.0  # when the first pending note came
        # how many notes may still come after the one added next, when they are parsed by
        # other processes meanwhile (else None). Near the end a batch is written once it
        # holds as many as may still come: the last batches halve (200, 100, 50, ... 1), and
        # what is left to write once the last note is parsed is a note or two instead of up
        # to `size`, written while the cores that parsed sit idle (10,000 notes: ~0.1 s)
        self.to_come: int | None = None
        # the report's counts, put back when a note's writing fails
        self.counters = [f.name for f in fields(report)
                         if isinstance(getattr(report, f.name), int)]

    def add(self, parsed: Parsed) -> None:
        if not self.pending:
            self.started = time.monotonic()
        self.pending.append(parsed)
        if len(self.pending) >= self.size or time.monotonic() - self.started >= self.seconds \
                or (self.to_come is not None and len(self.pending) >= self.to_come):
            self.flush()

    def flush(self) -> None:
        notes, self.pending = self.pending, []
        if not notes:
            return
        if self.restore_point is not None and self.hold is None and self._at_once(notes):
            return
        self._begin()
        began = time.monotonic()
        try:
            for parsed in notes:
                self._note(parsed)
                if self.hold is not None and time.monotonic() - began >= self.hold:
                    self._commit()
                    # a gap for a waiting answer: SQLite's busy handler polls every ~100 ms,
                    # and would miss a lock released and taken again at once
                    time.sleep(self.hold / 2)
                    self.conn.execute("BEGIN IMMEDIATE")
                    wal.new_marks(self.conn)
                    began = time.monotonic()
        except BaseException:
            if self.conn.in_transaction:  # keep the notes written before the failure
                self._commit()
            raise  # else SQLite rolled the batch back itself (a full disk): nothing to keep
        self._commit()

    def _begin(self) -> None:
        # the collection file moved away while a long import runs: its batches would go to
        # a write-ahead log the file where it is now never reads (Collection.check_in_place)
        self.col.check_in_place()
        self.conn.execute("BEGIN IMMEDIATE")
        wal.new_marks(self.conn)  # tells its log from another copy's (collection/wal.py)

    def _at_once(self, notes: list[Parsed]) -> bool:
        """Write the batch without a savepoint per note. False: a note failed, and the
        batch was rolled back (the collection and the rest as they were): to be written
        note by note."""
        report = self.report
        counts = self._counts()
        problems = [(items, len(items)) for items in (report.errors, report.warnings,
                                                      report.unread_names)]
        restore = self.restore_point()
        self._begin()
        try:
            for parsed in notes:
                self.write(parsed)
        except BaseException as exc:
            self._put_back(counts)
            for items, length in problems:
                del items[length:]
            restore()
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, Exception):
                return False
            raise
        self._commit()
        return True

    def _commit(self) -> None:
        if self.before_commit is not None:
            self.before_commit(self.conn)
        self.conn.execute("COMMIT")

    def _counts(self) -> list[tuple[str, int]]:
        return [(name, getattr(self.report, name)) for name in self.counters]

    def _put_back(self, counts: list[tuple[str, int]]) -> None:
        for name, value in counts:
            setattr(self.report, name, value)

    def _note(self, parsed: Parsed) -> None:
        counts = self._counts()
        self.conn.execute("SAVEPOINT note")
        try:
            self.write(parsed)
        except BaseException as exc:
            if not self.conn.in_transaction:
                raise
            self.conn.execute("ROLLBACK TO note")
            self.conn.execute("RELEASE note")
            if not isinstance(exc, Exception) or _collection_failure(exc):
                raise
            self._put_back(counts)  # nothing of this note is counted either
            self.report.errors.append(_write_failure(parsed, exc))
            return
        self.conn.execute("RELEASE note")


# SQLite's result codes that are about the collection, not the note being written
_COLLECTION_CODES = frozenset({
    "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR",
    "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_PROTOCOL",
    "SQLITE_INTERRUPT", "SQLITE_NOLFS", "SQLITE_AUTH",
})
_COLLECTION_WORDS = ("locked", "busy", "disk is full", "readonly", "read-only", "disk i/o",
                     "malformed", "not a database", "unable to open", "closed database",
                     "no such table", "no such column")


def _collection_failure(exc: BaseException) -> bool:
    """True for a failure of the collection (busy, full, read-only, broken, its schema),
    which no other note would escape either; False for what is this note's own."""
    import sqlite3

    if not isinstance(exc, sqlite3.Error):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""  # SQLITE_IOERR_WRITE: SQLITE_IOERR
    if "_".join(name.split("_")[:2]) in _COLLECTION_CODES:
        return True
    text = str(exc).lower()
    return any(word in text for word in _COLLECTION_WORDS)


def _write_failure(parsed: Parsed, exc: BaseException) -> Problem:
    from flashdeck.collection.parsing import describe_failure
    from flashdeck.textsafe import sanitize

    message = describe_failure(exc).replace("cannot be parsed", "cannot be saved", 1)
    return Problem(parsed.file.display, 1, sanitize(f"{message}; the note is left as it was"))


def _write_note(conn, source_id: int, parsed: Parsed, gone_notes: set[int], now: int,
                report: ImportReport, gone_keys: GoneCards | None = None,
                orphaned_out: list[int] | None = None, by_name: bool = False,
                rewritten_out: dict[int, tuple] | None = None) -> None:
    # read under the write lock: another import of this vault may have written it meanwhile
    row = conn.execute("SELECT id, relpath, size, mtime_ns, hash, present FROM notes"
                       " WHERE source_id = ? AND relpath = ?",
                       (source_id, parsed.file.relpath)).fetchone()
    if parsed.rows is None and row is not None and parsed.hash == row["hash"] and (
            parsed.unchanged or not row["present"]):
        # same content (touched, or copied back): only the stat changed. (Read again for
        # other settings and no flashcard note under them, it is one no longer: below.)
        conn.execute("UPDATE notes SET size = ?, mtime_ns = ? WHERE id = ?",
                     (parsed.size, parsed.mtime_ns, row["id"]))
        if row["present"]:
            report.notes_unchanged += 1
        else:
            report.notes_skipped += 1
        if parsed.problems:  # read again all the same (a new parser, other settings)
            keep_problems(conn, row["id"], parsed.file.display, parsed.problems)
        else:  # the same content has the same problems
            report.add(kept_problems(conn, row["id"], parsed.file.display))
        return
    if parsed.rows is None and any(p.severity == "error" for p in parsed.problems):
        # unreadable (binary, bad encoding): keep its cards as they were; its problems are
        # kept with it (and its size, mtime and hash: read again once it changes)
        if row is None:
            note_id = _upsert_note(conn, source_id, parsed, None)
        else:
            note_id = row["id"]
            conn.execute("UPDATE notes SET size = ?, mtime_ns = ?, hash = ? WHERE id = ?",
                         (parsed.size, parsed.mtime_ns, parsed.hash, note_id))
        keep_problems(conn, note_id, parsed.file.display, parsed.problems)
        return
    note_id = _upsert_note(conn, source_id, parsed, row, by_name)
    keep_problems(conn, note_id, parsed.file.display, parsed.problems)
    if parsed.rows is None:  # no (longer a) flashcard note
        left = [card_id for (card_id,) in conn.execute(
            "UPDATE cards SET orphaned = 1 WHERE note_id = ? AND orphaned = 0 RETURNING id",
            (note_id,))]
        report.cards_orphaned += len(left)
        if orphaned_out is not None:
            orphaned_out.extend(left)
        report.notes_skipped += 1
        report.add_unread(parsed.file.display, parsed.unread_cards)
        return
    added, updated, orphaned = sync_note_cards(conn, note_id, parsed.rows, gone_notes, now,
                                               gone_keys, orphaned_out, rewritten_out)
    report.notes_imported += 1
    report.cards_added += added
    report.cards_updated += updated
    report.cards_orphaned += orphaned


def _source_id(col: Collection, source: Source, now: int) -> int:
    if source.id is not None:  # placed (sources.place_source)
        return source.id
    conn = col.conn
    row = conn.execute("SELECT id FROM sources WHERE path = ?", (str(source.path),)).fetchone()
    if row:
        return row[0]
    with col.transaction():  # OR IGNORE: another import of this folder may have added it
        conn.execute("INSERT OR IGNORE INTO sources (path, kind, added) VALUES (?, ?, ?)",
                     (str(source.path), source.kind, now))
        return conn.execute("SELECT id FROM sources WHERE path = ?",
                            (str(source.path),)).fetchone()[0]


def _upsert_note(conn, source_id: int, parsed: Parsed, row, by_name: bool = False) -> int:
    cards = parsed.rows is not None
    title = parsed.title if cards and parsed.title else Path(parsed.file.relpath).stem
    present = 1 if cards else 0
    if row is None:
        return conn.execute(
            "INSERT INTO notes (source_id, relpath, title, size, mtime_ns, hash, present, named)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (source_id, parsed.file.relpath, title, parsed.size, parsed.mtime_ns, parsed.hash,
             present, int(by_name)),
        ).lastrowid
    conn.execute(
        "UPDATE notes SET title = ?, size = ?, mtime_ns = ?, hash = ?, present = ?,"
        " named = max(named, ?) WHERE id = ?",
        (title, parsed.size, parsed.mtime_ns, parsed.hash, present, int(by_name), row["id"]),
    )
    return row["id"]


# -- identity -------------------------------------------------------------------------------
