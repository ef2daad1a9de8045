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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from flashdeck.collection.store import Collection
from flashdeck.notes.model import (
    PARSER_VERSION,
    ParsedCard,
    ParsedNote,
    ParserSettings,
    Problem,
    SRSeed,
)

SIMILARITY_THRESHOLD = 0.6
READ_ATTEMPTS = 3  # reads of a note that changes while being read, before giving up on it
PARALLEL_MIN_FILES = 48  # below this a process pool costs more than it saves


@dataclass
class ImportReport:
    notes_scanned: int = 0
    notes_imported: int = 0
    notes_unchanged: int = 0
    notes_skipped: int = 0  # untagged notes of a folder
    notes_gone: int = 0
    cards_added: int = 0
    cards_updated: int = 0
    cards_orphaned: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict:
        def problems(items: list[Problem]) -> list[dict]:
            return [{"path": p.path, "line": p.line, "message": p.message} for p in items]

        return {
            "notes": {
                "scanned": self.notes_scanned,
                "imported": self.notes_imported,
                "unchanged": self.notes_unchanged,
                "skipped": self.notes_skipped,
                "gone": self.notes_gone,
            },
            "cards": {
                "added": self.cards_added,
                "updated": self.cards_updated,
                "orphaned": self.cards_orphaned,
            },
            "errors": problems(self.errors),
            "warnings": problems(self.warnings),
        }

    def summary(self) -> str:
        parts = [
            f"{self.notes_scanned} notes scanned: {self.notes_imported} imported, "
            f"{self.notes_unchanged} unchanged, {self.notes_skipped} untagged"
        ]
        if self.notes_gone:
            parts.append(f"{self.notes_gone} gone")
        parts.append(
            f"cards: {self.cards_added} added, {self.cards_updated} updated, "
            f"{self.cards_orphaned} orphaned"
        )
        if self.errors:
            parts.append(f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        return "; ".join(parts)


# -- finding the files --------------------------------------------------------------------
@dataclass
class NoteFile:
    path: str  # absolute
    relpath: str  # '/'-separated, relative to the source
    display: str  # how messages name it
    stat: os.stat_result | None = None  # from the walk, so it is not stat'ed twice


@dataclass
class Source:
    path: Path  # absolute: the folder, or the file
    kind: str  # 'folder' | 'file'
    root: Path  # the vault root (settings and deck folders are relative to it)
    settings: ParserSettings
    files: list[NoteFile]


def find_vault_root(start: Path) -> Path:
    """The nearest folder above `start` holding `.flashdeck.toml` or `.obsidian`, else its folder."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".flashdeck.toml").is_file() or (candidate / ".obsidian").is_dir():
            return candidate
    return folder


def collect_sources(paths: Iterable[str], report: ImportReport) -> list[Source]:
    from flashdeck.notes.files import walk_note_files
    from flashdeck.notes.settings import load_vault_settings

    sources: list[Source] = []
    for given in paths:
        path = Path(given).expanduser()
        if not os.path.lexists(path):
            report.errors.append(Problem(given, 0, "no such file or folder"))
            continue
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            report.errors.append(Problem(given, 0, f"cannot follow this path: {exc}"))
            continue
        if resolved.is_dir():
            settings, problems = load_vault_settings(resolved)
            report.errors.extend(problems)
            files = []
            prefix = str(resolved).rstrip(os.sep) + os.sep
            shown = "" if str(path) == "." else str(path).rstrip(os.sep) + os.sep
            for file_path, problem, stat in walk_note_files(resolved):
                if problem is not None:
                    report.errors.append(problem)
                    continue
                # under `resolved`: the walk joins entry names to it
                rel = file_path[len(prefix):] if file_path.startswith(prefix) \
                    else os.path.basename(file_path)
                if os.sep != "/":
                    rel = rel.replace(os.sep, "/")
                files.append(NoteFile(file_path, rel, shown + rel, stat))
            sources.append(Source(resolved, "folder", resolved, settings, files))
        else:
            root = find_vault_root(resolved)
            settings, problems = load_vault_settings(root)
            report.errors.extend(problems)
            sources.append(
                Source(resolved, "file", root, settings,
                       [NoteFile(str(resolved), resolved.name, str(given))])
            )
    return sources


# -- parsing (runs in worker processes) ------------------------------------------------------
@dataclass
class Parsed:
    file: NoteFile | None  # None only in transit from a worker (parse_many puts it back)
    size: int
    mtime_ns: int
    hash: str
    note: ParsedNote | None  # None: unreadable, a folder note without the tag, or for_writer
    problems: list[Problem]
    # for_writer: the note's title and its cards as `CardRow`-shaped tuples (None: no
    # flashcard note), instead of the whole note: that is all the writer needs
    title: str | None = None
    rows: list[tuple] | None = None


class CardRow(NamedTuple):
    """A parsed card as the writer needs it: the insert's values in column order (see
    _UPDATE_COLUMNS), content hash included. Made in the worker, so the hashing is done on
    all cores rather than by the one writer; it crosses the process boundary as a plain
    tuple (a NamedTuple or dataclass costs ~4x more to unpickle), which is why readers
    unpack it by position."""

    kind: str
    front: str
    back: str
    ckey: str  # content_hash
    line: int
    deck: str
    block: str
    ordinal: int
    breadcrumb: str  # the headings above the card, joined by ' › '
    exercise: str | None
    sr: SRSeed | None


def card_row(card: ParsedCard) -> tuple:
    return (card.kind, card.front, card.back, content_hash(card), card.line, card.deck,
            card.block, card.ordinal, " › ".join(card.breadcrumb), card.exercise, card.sr)


def _settings_for(source: Source, file: NoteFile) -> ParserSettings:
    if source.settings.decks != "folders":
        return source.settings
    from dataclasses import replace

    try:
        folder = Path(file.path).parent.relative_to(source.root).as_posix()
    except ValueError:
        folder = ""
    return replace(source.settings, folder="" if folder == "." else folder)


def read_and_parse(file: NoteFile, settings: ParserSettings, require_tag: bool,
                   known_hash: str | None = None, for_writer: bool = False) -> Parsed:
    """Read one note, hash it, and (unless its hash is `known_hash`) parse it.
    `for_writer`: hand the cards over as `rows` (see CardRow)."""
    from flashdeck.notes.files import read_note_file

    try:
        stat = os.stat(file.path)
        size, mtime_ns = stat.st_size, stat.st_mtime_ns
    except OSError as exc:
        return Parsed(file, -1, -1, "", None, [Problem(file.display, 0, f"cannot read: {exc.strerror}")])
    for attempt in range(READ_ATTEMPTS):
        try:
            raw = Path(file.path).read_bytes()
            again = os.stat(file.path)
        except OSError as exc:
            return Parsed(file, size, mtime_ns, "", None,
                          [Problem(file.display, 0, f"cannot read: {exc.strerror}")])
        if (again.st_size, again.st_mtime_ns) == (size, mtime_ns) and len(raw) == size:
            break
        # written to while we read (an editor saving): what we have may be torn
        size, mtime_ns = again.st_size, again.st_mtime_ns
    else:
        return Parsed(file, size, mtime_ns, "", None, [Problem(
            file.display, 0, "kept changing while being read; its cards are left as they"
            " were (import again once it is saved)")])
    from hashlib import blake2b  # here: an unchanged vault's re-import never hashes

    digest = blake2b(raw, digest_size=16).hexdigest()
    if known_hash is not None and digest == known_hash:
        return Parsed(file, size, mtime_ns, digest, None, [])
    text, problems = read_note_file(file.path, file.display, data=raw)
    if text is None:
        return Parsed(file, size, mtime_ns, digest, None, problems)
    from flashdeck.notes.parser import might_be_tagged, parse_note

    if require_tag and not might_be_tagged(text, settings):
        return Parsed(file, size, mtime_ns, digest, None, problems)
    note = parse_note(text, file.display, settings)
    if require_tag and not note.tagged:
        return Parsed(file, size, mtime_ns, digest, None, problems + note.problems)
    from flashdeck.exercises import exercises_for_note

    exercise_cards, exercise_problems = exercises_for_note(note)
    note.cards.extend(exercise_cards)
    note.problems.extend(exercise_problems)
    if for_writer:
        return Parsed(file, size, mtime_ns, digest, None, problems + note.problems, note.title,
                      [card_row(card) for card in note.cards])
    return Parsed(file, size, mtime_ns, digest, note, problems + note.problems, note.title)


def _parse_job(job: tuple) -> Parsed:
    return read_and_parse(*job)


def _parse_job_in_worker(job: tuple) -> Parsed:
    parsed = read_and_parse(*job)
    parsed.file = None  # the parent has it (its Path and stat cost more to send than to keep)
    return parsed


def _warm_up() -> None:
    """Import the parser and exercises, and load the built-in templates, once."""
    from flashdeck.exercises import builtin_templates
    from flashdeck.notes.parser import _markdown

    _markdown()
    builtin_templates()


def parse_many(jobs: list[tuple],
               on_done: Callable[[], None] | None = None) -> Iterable[Parsed]:
    """Parse on all cores when there is enough work; results come back in job order."""
    workers = os.cpu_count() or 1
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        for job in jobs:
            yield _parse_job(job)
            if on_done:
                on_done()
        return
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    _warm_up()  # before the fork: the workers start with all of it loaded

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunk = max(1, min(16, len(jobs) // (workers * 8)))  # small: the cores finish together
        for job, parsed in zip(jobs, pool.map(_parse_job_in_worker, jobs, chunksize=chunk)):
            parsed.file = job[0]
            yield parsed
            if on_done:
                on_done()


# -- check: parse only ----------------------------------------------------------------------
def check_paths(paths: Iterable[str]) -> tuple[list[ParsedNote], ImportReport]:
    report = ImportReport()
    notes: list[ParsedNote] = []
    sources = collect_sources(paths, report)
    jobs = [(f, _settings_for(s, f), s.kind == "folder", None) for s in sources for f in s.files]
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
        jobs.append((file, _settings_for(source, file), source.kind == "folder", known_hash,
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
def content_hash(card: ParsedCard) -> str:
    from hashlib import blake2b

    return blake2b(card.content_key.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


# the columns an import writes: the note, the place in it, then CardRow's (sr aside)
_UPDATE_COLUMNS = ("note_id", "position", *CardRow._fields[:-1])


class GoneCards:
    """The live cards of the notes that vanished in this import, by content key: read once
    per import, when a note first needs them (a query per note walked every vanished
    note: renaming a folder of 2,000 notes took 17 s). A snapshot, kept up to date with
    this import's claims; a card another import claimed meanwhile is found out when checked
    against the table, and dropped."""

    def __init__(self, conn, note_ids: set[int]) -> None:
        self.conn, self.note_ids = conn, note_ids
        self._by_key: dict[str, list[int]] | None = None
        self._key_of: dict[int, str] = {}

    def claimable(self, wanted: dict[str, int]) -> list:
        """Rows (id, ckey, note_id) of the first `wanted[key]` claimable cards of each key,
        lowest ids first (a key that many notes' cards share, an exercise's, would bring
        them all to every note)."""
        if self._by_key is None:
            self._by_key = {}
            gone_json = "[" + ",".join(map(str, sorted(self.note_ids))) + "]"
            for card_id, key in self.conn.execute(
                    "SELECT id, ckey FROM cards INDEXED BY cards_note WHERE orphaned = 0"
                    " AND note_id IN (SELECT value FROM json_each(?)) ORDER BY id", (gone_json,)):
                self._by_key.setdefault(key, []).append(card_id)
                self._key_of[card_id] = key
        while True:
            ids = [i for key, n in wanted.items() for i in self._by_key.get(key, ())[:n]]
            rows = []
            for start in range(0, len(ids), 500):  # by id: with `orphaned = 0` SQLite scanned
                chunk = ids[start:start + 500]
                rows += [row for row in self.conn.execute(
                    f"SELECT id, ckey, note_id, orphaned FROM cards WHERE id IN"
                    f" ({','.join('?' * len(chunk))})", chunk)
                    if not row["orphaned"] and row["note_id"] in self.note_ids]
            stale = set(ids) - {row["id"] for row in rows}
            if not stale:
                return rows
            for card_id in stale:  # claimed, orphaned or deleted by another import
                self.drop(card_id)

    def drop(self, card_id: int) -> None:
        """The card is no longer claimable (this import claimed it, or another did)."""
        key = self._key_of.pop(card_id, None)
        if key is not None:
            self._by_key[key].remove(card_id)


def sync_note_cards(conn, note_id: int, cards: list[ParsedCard] | list[tuple],
                    gone_notes: set[int], now: int,
                    gone_keys: GoneCards | None = None) -> tuple[int, int, int]:
    """Match a note's parsed cards to existing cards; returns (added, updated, orphaned).

    `gone_notes`: ids of notes whose files vanished in this import; their cards not yet
    claimed by another note may be claimed by this one (a move or rename)."""
    origins: set[int] = set()  # the vanished note(s) this note was, before a move
    card_rows = [c if isinstance(c, tuple) else card_row(c) for c in cards]  # see CardRow
    new = [(i, row, row[3]) for i, row in enumerate(card_rows)]
    existing = {
        row["id"]: row for row in conn.execute(
            "SELECT id, kind, front, back, ckey, ordinal, block, position, orphaned, line, deck,"
            " breadcrumb, exercise, note_id, reps, state, sr_seed FROM cards WHERE note_id = ?",
            (note_id,))
    }
    matched: dict[int, int] = {}  # new index -> card id
    taken: set[int] = set()

    # exact content, in this note (live cards first, then its orphans), by nearest position
    by_key: dict[str, list] = {}
    for row in existing.values():
        by_key.setdefault(row["ckey"], []).append(row)
    # fewer copies of a duplicated card than before: the copies with a history stay (which
    # copy was deleted cannot be told, and nearest position alone orphaned the answered one)
    indices_by_key: dict[str, list[int]] = {}
    for index, _card, key in new:
        indices_by_key.setdefault(key, []).append(index)
    for key, indices in indices_by_key.items():
        live = [r for r in by_key.get(key, ()) if not r["orphaned"]]
        if len(live) > len(indices) > 0:
            keep = sorted(live, key=lambda r: (r["reps"] == 0, r["position"]))[:len(indices)]
            for index, row in zip(indices, sorted(keep, key=lambda r: r["position"])):
                matched[index] = row["id"]
                taken.add(row["id"])
    for index, card, key in new:
        if index in matched:
            continue
        candidates = [r for r in by_key.get(key, ()) if r["id"] not in taken]
        if candidates:
            best = min(candidates, key=lambda r: (r["orphaned"], abs(r["position"] - index)))
            matched[index] = best["id"]
            taken.add(best["id"])

    # exact content among orphans anywhere (a moved, renamed or restored note)
    pending = [(i, c, k) for i, c, k in new if i not in matched]
    if pending:
        keys = sorted({k for _, _, k in pending})
        orphans: dict[str, list] = {}
        gone_note_of: dict[int, int] = {}  # card id -> its vanished note
        found = []
        for start in range(0, len(keys), 500):  # orphans: their index holds only orphans
            chunk = keys[start:start + 500]
            found += conn.execute(f"SELECT id, ckey FROM cards INDEXED BY cards_ckey WHERE"
                                  f" orphaned = 1 AND ckey IN ({','.join('?' * len(chunk))})",
                                  chunk).fetchall()
        if gone_notes:  # the cards of notes gone in this import, still where they were
            gone_keys = gone_keys or GoneCards(conn, gone_notes)
            wanted: dict[str, int] = {}
            for _, _, key in pending:
                wanted[key] = wanted.get(key, 0) + 1
            for row in gone_keys.claimable(wanted):
                gone_note_of[row["id"]] = row["note_id"]
                found.append(row)
        for row in sorted(found, key=lambda r: r["id"]):
            if row["id"] not in taken:
                orphans.setdefault(row["ckey"], []).append(row["id"])
        for index, card, key in pending:
            ids = [i for i in orphans.get(key, ()) if i not in taken]
            if ids:
                matched[index] = ids[0]
                taken.add(ids[0])
        # the vanished notes this note took cards from: the note it was before a move
        origins = {gone_note_of[i] for i in matched.values() if i in gone_note_of}
        for card_id in matched.values():
            if card_id in gone_note_of:
                gone_keys.drop(card_id)

    # one side kept whole: a card of this note with the same kind and the same front (its
    # answer rewritten) or the same back (its question reworded, as when flashdeck asks a
    # derived card differently), when that side is unique in the note both before and now
    pending = [(i, c) for i, c, _ in new if i not in matched]
    if pending:
        for side in (1, 2):  # front, then back
            now_count: dict[tuple[str, str], int] = {}
            for _, card, _key in new:
                now_count[(card[0], card[side])] = now_count.get((card[0], card[side]), 0) + 1
            before: dict[tuple[str, str], list[int]] = {}
            name = "front" if side == 1 else "back"
            for row in existing.values():
                before.setdefault((row["kind"], row[name]), []).append(row["id"])
            for index, card in pending:
                if index in matched:
                    continue
                key = (card[0], card[side])
                ids = before.get(key, ())
                if now_count.get(key) == 1 and len(ids) == 1 and ids[0] not in taken:
                    matched[index] = ids[0]
                    taken.add(ids[0])

    # similarity: small edits, within this note and among the cards of notes that just
    # vanished: of the note(s) it was, when its unedited cards said which (a folder of moved
    # notes with an edit each compared every edited card with every moved card: minutes)
    pending = [(i, c) for i, c, _ in new if i not in matched]
    if pending:
        from difflib import SequenceMatcher

        pool_ids = [i for i in existing if i not in taken]
        rows = [existing[i] for i in pool_ids]
        if gone_notes:  # cards of vanished notes that no other note claimed yet
            pool_json = "[" + ",".join(map(str, sorted(origins or gone_notes))) + "]"
            rows.extend(row for row in conn.execute(
                "SELECT id, kind, front, back, ordinal, block FROM cards INDEXED BY cards_note"
                " WHERE orphaned = 0"
                " AND note_id IN (SELECT value FROM json_each(?))", (pool_json,))
                if row["id"] not in taken)
        pairs = []
        for index, (kind, front, back, _key, _line, _deck, _block, ordinal, *_) in pending:
            text = f"{front}\n{back}"
            for row in rows:
                if row["kind"] != kind:
                    continue
                other = f"{row['front']}\n{row['back']}"
                # real_quick_ratio's bound, before building a matcher (that indexes `other`)
                shorter, total = min(len(text), len(other)), len(text) + len(other)
                if 2 * shorter < SIMILARITY_THRESHOLD * total:
                    continue
                matcher = SequenceMatcher(None, text, other, autojunk=False)
                if matcher.quick_ratio() < SIMILARITY_THRESHOLD:
                    continue
                score = matcher.ratio()
                if score >= SIMILARITY_THRESHOLD:
                    bonus = 0.01 * (row["ordinal"] == ordinal)
                    pairs.append((score + bonus, index, row["id"]))
        for _, index, card_id in sorted(pairs, reverse=True):
            if index in matched or card_id in taken:
                continue
            matched[index] = card_id
            taken.add(card_id)

    added = updated = 0
    plain: list[tuple] = []  # new cards without a plugin schedule: inserted in one go
    changed: list[tuple] = []  # matched cards whose columns changed
    for index, card, _key in new:
        values = (note_id, index, *card[:10])
        sr = card[10]
        card_id = matched.get(index)
        if card_id is None:
            if sr is None:
                plain.append((*values, now))
            else:
                _insert_card(conn, values, sr, now)
            added += 1
            continue
        old = existing.get(card_id)
        if sr is not None and old is not None and old["state"] == "new" and not old["reps"] \
                and old["sr_seed"] is None:
            # a plugin schedule an older flashdeck could not read (or a comment added since):
            # a card never answered here takes it, as a new card would
            _seed_card(conn, card_id, sr)
        if old is not None and not old["orphaned"] and all(
            old[c] == v for c, v in zip(_UPDATE_COLUMNS, values)
        ):
            continue  # nothing changed
        changed.append((*values, card_id))
        if old is None or old["front"] != values[3] or old["back"] != values[4] \
                or old["orphaned"] or old["deck"] != values[7]:
            updated += 1
    if changed:  # kept cards with new content or place: updated in one go
        conn.executemany(_UPDATE, changed)
    if plain:
        conn.executemany(_PLAIN_INSERT, plain)
    left = [i for i, row in existing.items() if i not in taken and not row["orphaned"]]
    for start in range(0, len(left), 500):
        chunk = left[start:start + 500]
        conn.execute(f"UPDATE cards SET orphaned = 1 WHERE id IN ({','.join('?' * len(chunk))})",
                     chunk)
    return added, updated, len(left)


_UPDATE = (f"UPDATE cards SET {', '.join(c + ' = ?' for c in _UPDATE_COLUMNS)}, orphaned = 0"
           " WHERE id = ?")
_PLAIN_INSERT = (f"INSERT INTO cards ({', '.join(_UPDATE_COLUMNS)}, added)"
                 f" VALUES ({', '.join('?' * (len(_UPDATE_COLUMNS) + 1))})")


def _seed_card(conn, card_id: int, sr: SRSeed) -> None:
    from flashdeck.collection.seed import seed_json, state_from_sr

    state = state_from_sr(sr)
    if state is None:
        return
    columns = ["sr_seed", *state.keys()]
    conn.execute(f"UPDATE cards SET {', '.join(c + ' = ?' for c in columns)},"
                 " version = version + 1 WHERE id = ?", (seed_json(sr), *state.values(), card_id))


def _insert_card(conn, values: tuple, sr: SRSeed, now: int) -> int:
    """A new card seeded from the plugin's schedule (SM-2 or FSRS form); a seed that cannot
    be used (the parser warned about it already) makes it a plain new card."""
    from flashdeck.collection.seed import seed_json, state_from_sr

    state = state_from_sr(sr)
    if state is None:
        return conn.execute(_PLAIN_INSERT, (*values, now)).lastrowid
    seed = seed_json(sr)
    columns = list(_UPDATE_COLUMNS) + ["added", "sr_seed", *state.keys()]
    params = list(values) + [now, seed, *state.values()]
    return conn.execute(
        f"INSERT INTO cards ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        params,
    ).lastrowid
