"""`flashdeck doctor`: is the collection whole, and does every card agree with its history?

A collection is years of reviews, so the doctor checks what a crash, a bug or a stray edit
could have broken, from the file up:
  - SQLite's own integrity check and foreign-key check (a value that breaks a CHECK or
    NOT NULL of the schema, written by another program with the checks off, is a row to
    name, not a damaged file: a card's schedule is then set from its log like any other);
  - the schema: its version, and the tables and indexes a collection of that version has;
  - the review log, replayed through FSRS card by card: start from a new card (or from the
    card's `<!--SR:-->` seed), apply each logged rating at its logged time with the engine's
    own scheduling code and fuzz seeding, and compare with what the log says and with the
    card's stored state; each review's `state_before` must also be the previous review's
    `state_after`.
Counts (cards, orphans, notes gone) are reported too; orphans are a feature (hidden cards
a restored note gets back), never a problem.

The notes' own problems (a bad exercise block, a card with an empty side), kept with each
note by the last import, are listed in a section of their own: they are problems of the
input, not of the collection, so they never make `doctor` exit 1 (`import` does, while any
error remains) and `--fix` leaves them to the notes' author.

`--fix` repairs only what can be repaired without guessing, after a backup copy: a missing
index is rebuilt, and a card whose stored state disagrees with a self-consistent log is set
to the state the log replays to. A damaged file, dangling rows, or a log that disagrees
with FSRS itself are reported for a human to decide (the backup copies and the log are the
evidence, so nothing is deleted).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sqlite3
import sys
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from flashdeck.clock import local_tz
from flashdeck.collection.integrity import INTEGRITY_ROWS, check_file
from flashdeck.collection.integrity import integrity_rows as _integrity_rows
from flashdeck.collection.seed import seed_from_json, state_from_sr
from flashdeck.collection.store import SCHEMA_VERSION, Collection, describe_error
from flashdeck.errors import CollectionError
from flashdeck.scheduling import step
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.state import SCHEDULING_COLUMNS, CardState

# The card columns FSRS decides: these must replay exactly. `suspended`, `buried_until`
# and `version` also change outside the log (suspend, bury), so they are not compared
# across reviews; `version` only has to grow.
REPLAYED = tuple(c for c in SCHEDULING_COLUMNS
                 if c not in ("suspended", "buried_until", "version"))
MAX_LISTED = 50  # problems listed one by one in the text report; the rest are counted
NOTE_LINES = 10  # the notes' problems listed in the text report
NOTE_LINES_JSON = 1000  # and in --json


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with the collection, found by a check (listed as a "problem" in the
    report and its JSON, as before)."""

    check: str  # integrity | foreign_keys | schema | index | log | replay | card
    message: str
    card_id: int | None = None
    fixable: bool = False

    def to_json(self) -> dict:
        return {"check": self.check, "message": self.message, "card": self.card_id,
                "fixable": self.fixable}


@dataclass
class Diagnosis:
    """What the doctor found. `repairs` is what `--fix` would do (and did, with `fixed`)."""

    path: str
    schema_version: int
    integrity: list[str] = field(default_factory=list)  # ["ok"] when whole
    cards: int = 0
    orphaned: int = 0
    notes: int = 0
    notes_gone: int = 0
    reviews: int = 0
    cards_reviewed: int = 0
    # cards an import killed before its end left to square up (collection/pending.py): the
    # next import does; until then a card moved to another note may show as new there
    import_unfinished: int = 0
    problems: list[Finding] = field(default_factory=list)
    # repairs: ("index", name, sql) or ("card", card id, {column: value})
    repairs: list[tuple] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    backup: str | None = None
    # the notes' own problems kept by the last import: counts, and the first ones
    # (dicts: path, line, severity, message)
    notes_with_problems: int = 0
    note_errors: int = 0
    note_warnings: int = 0
    note_problems: list[dict] = field(default_factory=list)
    # the replay: cards resumed from a verified checkpoint, reviews replayed through FSRS,
    # checkpoints saved for the next run (or why they could not be)
    from_checkpoint: int = 0
    logs_unread: int = 0  # of those, cards whose log had not changed: not read at all
    replayed: int = 0
    checkpoints_saved: int = 0
    checkpoint_error: str | None = None
    # write-ahead logs of other copies of the collection, set aside beside it when it was
    # opened (collection/wal.py): not the collection's, so no problem of it, but answers
    # the user may miss
    set_aside_logs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The collection is whole (the notes' own problems are the notes' business)."""
        return not self.problems

    def to_json(self) -> dict:
        return {
            "collection": self.path,
            "ok": self.ok,
            "schema_version": self.schema_version,
            "integrity": self.integrity,
            "cards": self.cards,
            "orphaned": self.orphaned,
            "notes": self.notes,
            "notes_gone": self.notes_gone,
            "reviews": self.reviews,
            "cards_reviewed": self.cards_reviewed,
            "import_unfinished": self.import_unfinished,
            "problems": [p.to_json() for p in self.problems],
            "fixed": self.fixed,
            "backup": self.backup,
            "note_problems": {
                "notes": self.notes_with_problems,
                "errors": self.note_errors,
                "warnings": self.note_warnings,
                "listed": self.note_problems,
            },
            "replay": {
                "from_checkpoint": self.from_checkpoint, "logs_unread": self.logs_unread,
                "reviews_replayed": self.replayed,
                "checkpoints_saved": self.checkpoints_saved,
                "checkpoint_error": self.checkpoint_error,
            },
            "set_aside_logs": self.set_aside_logs,
        }

    def lines(self) -> list[str]:
        """The human report."""
        out = [f"collection: {self.path}"]
        known = "current" if self.schema_version == SCHEMA_VERSION else \
            f"this flashdeck knows {SCHEMA_VERSION}"
        out.append(f"  schema:       version {self.schema_version} ({known})")
        out.append(f"  integrity:    {'ok' if self.integrity == ['ok'] else 'DAMAGED'}")
        if self.integrity != ["ok"]:
            out.append("  (the file is damaged: counts and the review log were not checked)")
        else:
            out.extend(self._count_lines())
            out.extend(self._note_problem_lines())
        return out + self._set_aside_lines() + self._problem_lines()

    def _set_aside_lines(self) -> list[str]:
        if not self.set_aside_logs:
            return []
        n = len(self.set_aside_logs)
        out = [f"  set aside:    {n} write-ahead log{'s' if n != 1 else ''} of another copy of"
               " this collection, found beside it when it was opened and not replayed (that"
               " would have overwritten its answers); what they hold is not in it. Put one"
               " back beside the copy it belongs to as <that copy>-wal to read it there,"
               " else delete it:"]
        out.extend(f"    {name}" for name in self.set_aside_logs[:NOTE_LINES])
        if n > NOTE_LINES:
            out.append(f"    ... and {n - NOTE_LINES} more (--json lists all)")
        return out

    def _count_lines(self) -> list[str]:
        out = []
        out.append(f"  cards:        {self.cards} ({self.orphaned} orphaned: hidden, kept for"
                   " their notes' return)")
        out.append(f"  notes:        {self.notes} ({self.notes_gone} gone or untagged)")
        if self.import_unfinished:
            n = self.import_unfinished
            out.append(f"  import:       stopped before its end: {n} card{'s' if n != 1 else ''}"
                       " it moved or hid wait for the next `flashdeck import`, which finishes"
                       " the job (each keeps its history)")
        replay = [p for p in self.problems if p.check in ("log", "replay", "card")]
        out.append(f"  review log:   {self.reviews} reviews of {self.cards_reviewed} cards, "
                   + ("replayed through FSRS: every card agrees" if not replay else
                      f"replayed through FSRS: {len(replay)} disagreement"
                      f"{'s' if len(replay) != 1 else ''}"))
        if self.checkpoint_error:
            out.append(f"  (checkpoints not saved: {self.checkpoint_error}; the next run"
                       " replays every review again)")
        return out

    def _note_problem_lines(self) -> list[str]:
        if not self.notes_with_problems:
            return []
        n = self.notes_with_problems
        counts = [f"{c} {word}{'s' if c != 1 else ''}"
                  for c, word in ((self.note_errors, "error"), (self.note_warnings, "warning"))
                  if c]
        out = [f"  note problems: {n} note{'s' if n != 1 else ''} with {', '.join(counts)},"
               " kept by the last import (fix the notes, then import again):"]
        for item in self.note_problems[:NOTE_LINES]:
            label = "warning: " if item["severity"] == "warning" else ""
            where = f"{item['path']}:{item['line']}".replace("\n", "\u240a")  # one line
            out.append(f"    {where}: {label}{item['message']}")
        more = self.note_errors + self.note_warnings - min(len(self.note_problems), NOTE_LINES)
        if more > 0:
            out.append(f"    ... and {more} more (`flashdeck doctor --json` lists"
                       f" {NOTE_LINES_JSON} of them; `flashdeck check` a note for all of its)")
        return out

    def _problem_lines(self) -> list[str]:
        out = []
        for done in self.fixed:
            out.append(f"fixed: {done}")
        if self.backup:
            out.append(f"backup before fixing: {self.backup}")
        if self.ok:
            out.append("no problems found" if not self.notes_with_problems else
                       "no problems found in the collection (the notes' own are listed above)")
            return out
        for problem in self.problems[:MAX_LISTED]:
            hint = "  (fixable: flashdeck doctor --fix)" if problem.fixable else ""
            out.append(f"problem: {problem.message}{hint}")
        if len(self.problems) > MAX_LISTED:
            out.append(f"... and {len(self.problems) - MAX_LISTED} more (--json lists all)")
        fixable = sum(p.fixable for p in self.problems)
        out.append(f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} found"
                   + (f", {fixable} fixable with --fix" if fixable and not self.fixed else ""))
        return out


# -- the checks ---------------------------------------------------------------------------
def diagnose(col: Collection, config=None, *, save_checkpoints: bool = False) -> Diagnosis:
    """Check the collection. Reads in one read transaction (one snapshot), so an answer
    committed meanwhile by another process is seen whole or not at all. SQLite's integrity
    check (the longest check at a million reviews: every index entry of every row) runs
    meanwhile on a connection of its own, in a thread (SQLite works outside the GIL); the
    other checks' findings count only once it says the file is whole. With
    `save_checkpoints` (the `doctor` command) the cards found consistent are checkpointed
    for the next run, in short transactions beside the read (once the file is known to be
    whole); else nothing is written."""
    config = config or Config()
    conn = col.conn
    result = Diagnosis(str(col.path) if col.path else ":memory:", col.schema_version())
    if col.path is not None:
        from flashdeck.collection.wal import set_aside_logs

        result.set_aside_logs = [str(p) for p in set_aside_logs(col.path)]
    integrity = _IntegrityCheck(col.path) if col.path is not None else None
    writer = _CheckpointWriter(col.path, integrity) if save_checkpoints and col.path else None
    conn.execute("BEGIN")
    try:
        rules: list[str] = []
        if integrity is None:
            rules = _check_integrity(conn, result)
            if result.integrity != ["ok"]:
                return _damaged(result)
        try:
            _check_foreign_keys(conn, result)
            _check_schema(conn, result)
            _count(conn, result)
            _note_problems(conn, result)
            _check_log(col, config, result, writer=writer)
        except sqlite3.DatabaseError as exc:
            result.problems.append(Finding("integrity", f"reading the collection failed: {exc}"))
        except (ValueError, TypeError, KeyError, IndexError, OverflowError):
            # what a damaged file can make of its rows: the integrity check says what it is
            if integrity is None or _structure(integrity.wait()) == ["ok"]:
                raise
        if integrity is not None:
            whole = Diagnosis(result.path, result.schema_version)
            rules = _check_integrity(conn, whole, integrity.wait())
            if whole.integrity != ["ok"]:
                return _damaged(whole)
            result.integrity = whole.integrity
        if rules:
            found = _check_rules(conn, result, rules)
            if found and len(rules) >= INTEGRITY_ROWS:
                # the check stopped at its limit, all of it broken rules: damage could be
                # behind them (an index entry missing), so it runs again past them all
                rerun = Diagnosis(result.path, result.schema_version)
                rules = _check_integrity(conn, rerun, _integrity_rows(
                    conn, found + INTEGRITY_ROWS))
                if rerun.integrity != ["ok"]:
                    return _damaged(rerun)
            if not found:
                # rows the check complains of that no query finds: not what it says
                whole = Diagnosis(result.path, result.schema_version, integrity=rules)
                whole.problems = [Finding("integrity", f"SQLite integrity check: {r}")
                                  for r in rules]
                return _damaged(whole)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # a read: nothing to commit (and COMMIT trips on damage)
        if writer is not None:
            writer.close()
            result.checkpoints_saved, result.checkpoint_error = writer.saved, writer.error
    return result


# How to restore, said in full: a copy put over the collection while its old `-wal` file is
# still next to it is not restored (SQLite replays that log onto the copy: the cards and
# answers after the backup came back, the restore silently undone)
RESTORE = ("restore a backup copy (a .bak file next to it: with flashdeck closed, delete the"
           " collection's -wal and -shm files, then copy the .bak over it), or salvage it with"
           " `sqlite3 <file> .recover`")


def _damaged(result: Diagnosis) -> Diagnosis:
    # the other checks read the damaged pages too; what to do now is restore a backup (or
    # `sqlite3 .recover`), and the report must say that, not crash
    result.problems.append(Finding(
        "integrity", f"the file is damaged, so the other checks were skipped: {RESTORE}"))
    return result


class _IntegrityCheck:
    """SQLite's integrity check of the file, on connections of its own in threads (its
    parts side by side over the cores: collection/integrity.py)."""

    def __init__(self, path: Path):
        import threading

        self.rows: list[str] | None = None
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path,), daemon=True,
                                       name="flashdeck-integrity")
        self.thread.start()

    def _run(self, path: Path) -> None:
        try:
            self.rows = check_file(path, _cores())
        except sqlite3.Error as exc:  # cannot open it at all
            self.rows = [str(exc)]
        except BaseException as exc:  # handed to the caller by wait()
            self.failure = exc

    def done(self) -> bool:
        return not self.thread.is_alive()

    def wait(self) -> list[str]:
        self.thread.join()
        if self.failure is not None:
            raise self.failure
        return self.rows or ["the integrity check gave no answer"]


def _check_integrity(conn: sqlite3.Connection, result: Diagnosis,
                     rows: list[str] | None = None) -> list[str]:
    """SQLite's verdict on the file's structure in `result.integrity` (["ok"]: whole);
    returns its rows about values that break a CHECK or NOT NULL of the schema (another
    tool writing with the checks off): those are rows to name and repair, not damage."""
    rows = _integrity_rows(conn) if rows is None else rows
    rules = [r for r in rows if _RULE_BROKEN.match(r)]
    structure = [r for r in rows if r != "ok" and r not in rules]
    result.integrity = structure or ["ok"]
    for message in structure:
        result.problems.append(Finding("integrity", f"SQLite integrity check: {message}"))
    return rules


def _structure(rows: list[str]) -> list[str]:
    """The integrity check's rows about the file's structure (["ok"]: whole)."""
    return [r for r in rows if r != "ok" and not _RULE_BROKEN.match(r)] or ["ok"]


# what the integrity check says of a row whose value breaks one of the schema's rules (the
# file itself whole): "CHECK constraint failed in cards", "NULL value in cards.reps"
_RULE_BROKEN = re.compile(r"(?:CHECK constraint failed in (\w+)|NULL value in (\w+)\.\w+)\Z")
# every CHECK of the schema, as the condition its rows meet (a test holds this to the
# schema); a row breaks it when the condition is false (NULL passes, as in SQLite)
_CHECKS: dict[str, tuple[str, ...]] = {
    "sources": ("kind IN ('folder', 'file')",),
    "cards": ("state IN ('new', 'learning', 'review', 'relearning')",),
    "reviews": ("rating BETWEEN 1 AND 4",),
    "cram_log": ("rating BETWEEN 1 AND 4",),
    "note_problems": ("severity IN ('error', 'warning')",),
}
_NAMES = {"sources": "source", "notes": "note", "cards": "card", "reviews": "review",
          "cram_log": "cram answer", "meta": "setting"}


def _check_rules(conn: sqlite3.Connection, result: Diagnosis, rules: list[str]) -> int:
    """Name each row whose value breaks a CHECK or NOT NULL of the schema (`rules`: what
    the integrity check said of them). A card's scheduling columns are named, and repaired
    from its log, by the replay; any other such value is named for a human to decide.
    Returns how many were found; 0 when the rows the check complained of cannot all be
    found (a table with none of them): damage after all."""
    tables = {m.group(1) or m.group(2) for m in map(_RULE_BROKEN.match, rules)}
    total = 0
    for table in sorted(tables):
        info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        if not info:
            return 0
        keys = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
        has_rowid = not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
            " AND sql LIKE '%WITHOUT ROWID%'", (table,)).fetchone()
        key = ["rowid"] if has_rowid else keys
        if not key:
            return 0
        tests = [(f"NOT ({c})", c.split(" ", 1)[0]) for c in _CHECKS.get(table, ())]
        # typeof: SQLite answers `IS NULL` of a NOT NULL column with false, unread
        tests += [(f'typeof("{r[1]}") = \'null\'', r[1]) for r in info if r[3]]
        found = 0
        for condition, column in tests:
            for row in conn.execute(
                    f'SELECT {", ".join(key)}, "{column}" FROM "{table}" WHERE {condition}'
                    f" ORDER BY {', '.join(key)}"):
                found += 1
                if table == "cards" and column in REPLAYED + ("version",):
                    continue  # the replay names it, and `--fix` sets it from the log
                what = f"{_NAMES.get(table, table + ' row')} " + ", ".join(map(str, row[:-1]))
                todo = (f"`flashdeck unsuspend {row[0]}` (or `suspend {row[0]}`) sets it"
                        if (table, column) == ("cards", "suspended") else
                        "nothing can say what it should be: correct it by hand, or restore"
                        " a backup copy")
                result.problems.append(Finding(
                    "rules", f"{what}: {column} = {row[-1]!r} breaks the collection's rules"
                    f" (written by another program with SQLite's checks off); {todo}",
                    row[0] if table == "cards" else None))
        if not found:
            return 0
        total += found
    return total


FK_NAMED = 5  # dangling rows named one by one per table, the rest counted


def _check_foreign_keys(conn: sqlite3.Connection, result: Diagnosis) -> None:
    dangling: dict[tuple[str, str], list[str]] = {}
    columns: dict[tuple[str, int], str] = {}
    for table, rowid, parent, fk in conn.execute("PRAGMA foreign_key_check").fetchall():
        rows = dangling.setdefault((table, parent), [])
        if len(rows) >= FK_NAMED or rowid is None:  # counted (a WITHOUT ROWID table's too)
            rows.append("")
            continue
        if (table, fk) not in columns:
            columns.update({(table, r[0]): r[3] for r in
                            conn.execute(f'PRAGMA foreign_key_list("{table}")')})
        column = columns.get((table, fk))
        value = conn.execute(f'SELECT "{column}" FROM "{table}" WHERE rowid = ?',
                             (rowid,)).fetchone() if column else None
        rows.append(f"{_NAMES.get(table, table + ' row')} {rowid}"
                    + (f" ({column} {value[0]!r})" if value else ""))
    for (table, parent), rows in sorted(dangling.items()):
        n = len(rows)
        named = [r for r in rows if r]
        more = f" and {n - len(named)} more" if n > len(named) and named else ""
        result.problems.append(Finding(
            "foreign_keys", f"{n} row{'s' if n != 1 else ''} of {table} point{'' if n != 1 else 's'}"
            f" to a missing row of {parent}" + (f": {', '.join(named)}{more}" if named else "")))


def _expected_schema(with_tables: bool = False) -> dict[tuple[str, str], str | None]:
    """(type, name) -> sql of what a fresh collection of this flashdeck has (with
    `with_tables`, -> (sql, the table it belongs to))."""
    with Collection.in_memory() as fresh:
        return {(r[0], r[1]): (r[2], r[3]) if with_tables else r[2] for r in fresh.conn.execute(
            "SELECT type, name, sql, tbl_name FROM sqlite_master WHERE type IN ('table',"
            " 'index', 'trigger') AND name NOT LIKE 'sqlite_%'")}


# tables that hold only what is counted from the review log (the stats' kept day counts):
# one missing is made anew, empty, and counted again; `stats` said "no such table"
DERIVED_TABLES = ("stats_days",)


def _check_schema(conn: sqlite3.Connection, result: Diagnosis) -> None:
    have = {(r[0], r[1]) for r in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')")}
    expected = _expected_schema(with_tables=True)
    for (kind, name), (sql, table) in sorted(expected.items()):
        if (kind, name) in have:
            continue
        if kind != "table" and ("table", table) not in have:
            # an index or trigger of a missing table: the table is the problem (and an
            # index cannot be made on a table that is not there: `--fix` failed on it)
            continue
        if kind in ("index", "trigger"):
            result.problems.append(Finding(kind, f"{kind} {name} is missing", fixable=True))
            result.repairs.append((kind, name, sql))
        elif name in DERIVED_TABLES:
            # counts made from the log, nothing else: made anew (empty), they count again
            result.problems.append(Finding("schema", f"table {name} is missing", fixable=True))
            result.repairs.append(("table", name, sql))
        else:
            result.problems.append(Finding("schema", f"table {name} is missing"))


def _count(conn: sqlite3.Connection, result: Diagnosis) -> None:
    result.cards, result.orphaned = conn.execute(
        "SELECT count(*), coalesce(sum(orphaned), 0) FROM cards").fetchone()
    result.notes, result.notes_gone = conn.execute(
        "SELECT count(*), coalesce(sum(present = 0), 0) FROM notes").fetchone()
    result.reviews, result.cards_reviewed = conn.execute(
        "SELECT count(*), count(DISTINCT card_id) FROM reviews").fetchone()
    from flashdeck.collection.pending import TABLE

    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                    (TABLE,)).fetchone():
        result.import_unfinished = conn.execute(
            f"SELECT count(DISTINCT card_id) FROM {TABLE}").fetchone()[0]


def _note_problems(conn: sqlite3.Connection, result: Diagnosis) -> None:
    """The problems the last import kept with each note (a collection whose table is missing
    is reported by the schema check)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                        " AND name = 'note_problems'").fetchone():
        return
    # a note gone or forgotten has no content (hash ''): what was kept of it is void
    result.notes_with_problems, result.note_errors, result.note_warnings = conn.execute(
        "SELECT count(DISTINCT note_id), coalesce(sum(severity = 'error'), 0),"
        " coalesce(sum(severity = 'warning'), 0) FROM note_problems"
        " WHERE note_id IN (SELECT id FROM notes WHERE hash != '')").fetchone()
    if not result.notes_with_problems:
        return
    for row in conn.execute(
            "SELECT s.path AS source, s.kind, n.relpath, p.line, p.severity, p.message,"
            " p.path FROM note_problems p JOIN notes n ON n.id = p.note_id"
            " JOIN sources s ON s.id = n.source_id WHERE n.hash != ''"
            " ORDER BY s.path, n.relpath, p.seq LIMIT ?", (NOTE_LINES_JSON,)):
        if row["path"] is not None:
            path = row["path"]
        elif row["kind"] == "file":
            path = row["source"]
        else:
            path = str(Path(row["source"]) / row["relpath"])
        result.note_problems.append({"path": path, "line": row["line"],
                                     "severity": row["severity"], "message": row["message"]})


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            return False  # None, or a damaged value (text where a number belongs)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _differences(expected: dict, actual: dict, columns=REPLAYED) -> list[str]:
    return [f"{c} {_show(c, actual.get(c))}, replay says {_show(c, expected.get(c))}"
            for c in columns if not _same(expected.get(c), actual.get(c))]


def _show(column: str, value) -> str:
    if value is not None and column in ("due", "last_review", "buried_until"):
        try:
            return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        except (TypeError, ValueError, OverflowError, OSError):
            return f"{value!r} (not a time)"  # damaged: text, or a time no calendar has
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def initial_state(sr_seed: str | None) -> dict:
    """A card's scheduling columns before its first answer: new, or the plugin's seed."""
    state = CardState().to_dict()
    if sr_seed:
        # either form: the SM-2 `{"due", "interval", "ease"}` of every version, or FSRS
        seeded = state_from_sr(seed_from_json(sr_seed))
        if seeded is None:
            raise ValueError("the seed gives no usable schedule")
        state.update(seeded)
    return state


def _same_seed_elsewhere(seeded: dict, actual: dict) -> dict:
    """The seed's due day starts at the day-start hour in the local zone of the import; a
    doctor run in another zone (a laptop that travelled) must not call that a disagreement.
    A shift of both times by the same whole quarter-hours, within a day, is the same seed."""
    try:
        shift = actual["due"] - seeded["due"]
        if actual["last_review"] - seeded["last_review"] != shift:
            return seeded
    except (KeyError, TypeError):
        return seeded
    if shift and shift % 900 == 0 and abs(shift) <= 26 * 3600:
        return {**seeded, "due": actual["due"], "last_review": actual["last_review"]}
    return seeded


_CARD_COLUMNS = ("id", "sr_seed", "suspended", "buried_until", "version") + REPLAYED
# a review as the checks read it: (id, reviewed_at, rating, state_before, state_after, head),
# the states as UTF-8 bytes (hashed as stored, parsed only when replayed), `head` the row's
# other fields and the states' lengths, as SQLite writes them (for the digest)
_ID, _AT, _RATING, _BEFORE, _AFTER, _HEAD = range(6)
_HEAD_SQL = ("CAST(quote(r.id) || ',' || quote(r.reviewed_at) || ',' || quote(r.rating) || ','"
             " || length(CAST(r.state_before AS BLOB)) || ',' || length(CAST(r.state_after"
             " AS BLOB)) || ':' AS BLOB)")

# -- checkpoints ----------------------------------------------------------------------------
# Replaying a million reviews through FSRS takes minutes; reading and hashing them, seconds.
# After a run that found a card's log consistent, the doctor keeps a checkpoint of it: the id
# of the last review checked, a digest of everything the replay up to it depended on (the
# replay's settings, parameters and code, the card's seed, and every logged row of the card
# up to it: ids, times, ratings, both states, as stored), and the replayed state. The next
# run hashes the rows again and replays only the reviews after the checkpoint when the
# digest matches; any difference (a row edited, added or undone, other settings) replays
# the card in full. A card whose log has not changed at all since (its generation in
# log_changes, bumped by schema 11's triggers on every insert, update or delete of one of
# its reviews, is the one the checkpoint was made at) is not even read again: its stored
# state is compared with the checkpoint's, itself checked by a seal of its fields and the
# replay's fingerprint. The table is the doctor's own, created where it is first written.
CHECKPOINTS = "doctor_checkpoints"
_CHECKPOINT_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} ("
    " card_id INTEGER PRIMARY KEY,"
    " review_id INTEGER NOT NULL,"  # the card's last review found consistent
    " digest BLOB NOT NULL,"  # of the replay's inputs up to it and `state`; then the seal
    " state TEXT NOT NULL"  # JSON: "at": the state after that review; "final": and after
    # `optimize`'s recomputes since; "version": that review's logged version
    ") WITHOUT ROWID")
CHECKPOINT_FORMAT = 3
BATCH = 500  # cards per checkpoint write, and per `--fix` transaction
PARALLEL_REVIEWS = 20_000  # replays beyond this many are spread over the cores
CHUNK_REVIEWS = 2_000  # reviews per parallel task


def _fingerprint(config, history, recomputes, here) -> bytes:
    """What every card's replay depends on besides its own rows: the settings FSRS uses,
    the parameters history, `optimize`'s recomputes, the local zone, and the replay's code
    (this flashdeck's and the `fsrs` package's source)."""
    import fsrs.scheduler

    from flashdeck.scheduling import parameters, state

    from dataclasses import replace

    # every setting, but those that only pick and count cards or describe the fit (a
    # setting added later counts until it is known not to change a replay)
    scheduling = replace(config, new_per_day=0, reviews_per_day=0, new_order="",
                         parameters_fitted_at=None, parameters_reviews=None)
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((CHECKPOINT_FORMAT, scheduling, history, recomputes, here)).encode())
    for module in (step, parameters, state, sys.modules[__name__], fsrs.scheduler):
        try:
            digest.update(Path(module.__file__).read_bytes())
        except (OSError, TypeError):  # no source to read (a frozen install): its version
            digest.update(repr(getattr(module, "__version__", module.__name__)).encode())
    return digest.digest()


def _digest(fingerprint: bytes, seed, reviews, state_json: str) -> bytes:
    parts = [fingerprint, b"%a\x1e" % (seed,)]
    for review in reviews:
        # every field delimited by its length or quoted: no two logs hash alike
        parts.append(review[_HEAD])
        parts.append(review[_BEFORE])
        parts.append(review[_AFTER])
    parts.append(state_json.encode())
    return hashlib.blake2b(b"".join(parts), digest_size=20).digest()


_LOG_TRIGGERS = ("log_changes_insert", "log_changes_delete", "log_changes_update")


def _log_changes_tracked(conn: sqlite3.Connection) -> bool:
    """Whether every change to the log bumps its card's generation (schema 11's table and
    triggers, all there): only then is a checkpoint trusted without reading the log."""
    names = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE (type = 'trigger' AND name LIKE 'log_changes_%')"
        " OR (type = 'table' AND name = 'log_changes')")}
    return names >= {"log_changes", *_LOG_TRIGGERS}


def _seal(fingerprint: bytes, card_id: int, review_id: int, digest: bytes,
          state_json: str) -> bytes:
    """What a checkpoint is checked by when its log is not read: its own fields, sealed
    (an edited or damaged checkpoint is not trusted)."""
    return hashlib.blake2b(b"%b%d:%d:%b%b" % (fingerprint, card_id, review_id, digest,
                                              state_json.encode()), digest_size=20).digest()


def _sealed(fingerprint: bytes, card_id: int, saved: tuple) -> bool:
    """Whether a checkpoint (review id, digest and seal, states) is whole and of this
    replay: its seal is of its own fields."""
    review_id, blob, state_json = saved
    return isinstance(blob, bytes) and len(blob) == 40 and isinstance(state_json, str) \
        and blob[20:] == _seal(fingerprint, card_id, review_id, blob[:20], state_json)


def _agrees_sql(tracked: bool) -> str:
    """SQL (over `cards c`, `log_changes g`, the checkpoints `k`): 1 when the card's
    checkpoint, read as JSON, is of its log's generation and seed, and its final state is
    the card's stored one value for value, type for type, its version not behind: what
    `_trusted` and `_compare_stored` conclude in Python ("nothing to say") for the common
    card, said by SQLite without a JSON parse in Python. 0 says nothing: Python looks."""
    if not tracked:
        return "0"

    def at(path: str) -> str:
        return f"json_extract(k.state, '$.{path}')"

    def same(column: str) -> str:
        value = at(f"final.{column}")
        return (f"(CASE WHEN c.{column} IS NULL THEN {value} IS NULL"
                f" ELSE typeof({value}) = typeof(c.{column}) AND {value} = c.{column} END)")

    checks = [
        "json_type(k.state, '$.final') = 'object'",
        f"json_type(k.state, '$.generation') = 'integer' AND {at('generation')} = g.generation",
        f"(CASE WHEN c.sr_seed IS NULL THEN {at('seed')} IS NULL ELSE typeof(c.sr_seed) ="
        f" 'text' AND json_type(k.state, '$.seed') = 'text' AND {at('seed')} = c.sr_seed END)",
        f"json_type(k.state, '$.version') = 'integer' AND typeof(c.version) = 'integer'"
        f" AND c.version >= {at('version')}",
        *(same(column) for column in REPLAYED)]
    # nested CASEs: json_extract fails the statement on text that is not JSON
    return ("CASE WHEN typeof(k.state) = 'text' AND g.generation IS NOT NULL THEN"
            f" CASE WHEN json_valid(k.state) THEN {' AND '.join(checks)} ELSE 0 END ELSE 0 END")


def _trusted(saved, card: dict, fingerprint: bytes) -> dict | None:
    """A card's checkpoint states when its log has not changed since it was checked (the
    generation it was checked at is the card's now), under the same replay (fingerprint,
    in the seal) and plugin seed, the checkpoint whole (its seal); else None."""
    if saved is None or card["generation"] is None \
            or not _sealed(fingerprint, card["id"], saved):
        return None
    state_json = saved[2]
    try:
        states = json.loads(state_json)
        if states.get("generation") == card["generation"] and states.get("seed") == card["sr_seed"]:
            return {"final": states["final"], "version": states["version"]}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # an unreadable checkpoint: the card is checked from its log
    return None


def _verified(fingerprint: bytes, card: dict, reviews: list, saved) -> tuple | None:
    """Where a card's replay can resume: (reviews covered, the checkpoint's states), when
    its checkpoint's digest matches the rows read now; else None (a full replay)."""
    if saved is None or not reviews:
        return None
    review_id, digest, state_json = saved
    covered = next((i + 1 for i, r in enumerate(reviews) if r[_ID] == review_id), 0)
    if not covered or not isinstance(digest, bytes) or not isinstance(state_json, str):
        return None
    if _digest(fingerprint, card["sr_seed"], reviews[:covered], state_json) != digest[:20]:
        return None
    try:
        states = json.loads(state_json)
        return covered, states["at"], states["final"], states["version"]
    except (ValueError, KeyError, TypeError):
        return None


class _CheckpointWriter:
    """Saves checkpoints in short transactions of a connection of its own (WAL: beside the
    diagnosis's read snapshot, never holding the write lock more than one batch). A
    collection that cannot take them (read-only, busy) is diagnosed all the same; the
    report says the next run replays everything again."""

    def __init__(self, path: Path, integrity: _IntegrityCheck | None = None):
        self.path = path
        self.integrity = integrity  # nothing is written to a file not known to be whole
        self.rows: list[tuple] = []
        self.saved = 0
        self.error: str | None = None
        self._conn: sqlite3.Connection | None = None

    def add(self, row: tuple) -> None:
        if self.error is None:
            self.rows.append(row)
            if len(self.rows) >= BATCH:
                self.flush()

    def flush(self, last: bool = False) -> None:
        if self.integrity is not None:
            if not last and len(self.rows) < 20 * BATCH and not self.integrity.done():
                return  # kept (a bounded number) until the integrity check has answered
            rows = self.integrity.wait()
            if _structure(rows) != ["ok"]:
                self.error = "the file is damaged"
            elif len(rows) >= INTEGRITY_ROWS:  # cut short: damage may be behind them
                self.error = f"over {INTEGRITY_ROWS} rows break the collection's rules"
        rows, self.rows = self.rows, []
        if not rows or self.error is not None:
            return
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, timeout=2, isolation_level=None)
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(_CHECKPOINT_TABLE)
                conn.executemany(f"INSERT OR REPLACE INTO {CHECKPOINTS} (card_id, review_id,"
                                 " digest, state) VALUES (?, ?, ?, ?)", rows)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            self.saved += len(rows)
        except sqlite3.Error as exc:
            self.error = "the collection is busy (another flashdeck is writing to it)" \
                if "locked" in str(exc) else describe_error(exc)

    def close(self) -> None:
        self.flush(last=True)
        if self._conn is not None:
            self._conn.close()


# -- replaying ------------------------------------------------------------------------------
class _Replayer:
    """A review replayed by the rules, in the zone and with the FSRS parameters it was
    answered by (the collection's parameters history; a review matching the settings'
    current parameters instead is theirs: set by hand, or fitted on another collection)."""

    def __init__(self, config, history, recomputes, here, fingerprint: bytes):
        from flashdeck.scheduling.parameters import InForce

        self.config = config
        self.here = here
        self.in_force = InForce(history)
        self.recomputes = recomputes
        self.fingerprint = fingerprint

    def review(self, card_id: int, row: dict, rating: int, moment: datetime,
               after: dict) -> dict:
        from flashdeck.scheduling.parameters import with_parameters

        config = step.logged_config(after, self.config)
        tz = step.zone_from_key(after.get("zone"), self.here)
        state = CardState.from_dict(row)
        rules = after.get("rules", 1)
        used = with_parameters(config, self.in_force.at(int(moment.timestamp())))
        replayed = step.review(card_id, state, rating, moment, used, tz, rules).to_dict()
        if used != config and _differences(replayed, after, REPLAYED + ("version",)):
            other = step.review(card_id, state, rating, moment, config, tz, rules).to_dict()
            if not _differences(other, after, REPLAYED + ("version",)):
                return other
        if "set" not in after and _differences(replayed, after, REPLAYED + ("version",)):
            # logged before reviews kept their settings: answered with the defaults, most
            # likely, when the settings have been changed since
            defaults = step.logged_config({"set": {}}, used)
            if defaults != used:
                other = step.review(card_id, state, rating, moment, defaults, tz,
                                    rules).to_dict()
                if not _differences(other, after, REPLAYED + ("version",)):
                    return other
        return replayed

    def recompute(self, card_id: int, state: dict, done: list, entry) -> dict:
        """The memory state `optimize` recomputed at `entry` from the reviews `done`."""
        from flashdeck.scheduling.parameters import recomputed

        return recomputed(card_id, state, [(r[_AT], r[_RATING], r[_BEFORE], r[_AFTER])
                                           for r in done], entry, self.config, self.here)


@dataclass(slots=True)
class _Outcome:
    card_id: int
    findings: list[Finding]
    repair: tuple | None = None
    checkpoint: tuple | None = None  # a new one to keep: (card id, review id, digest, state)
    replayed: int = 0  # reviews replayed through FSRS


def _check_log(col: Collection, config, result: Diagnosis, card_ids=None,
               writer: _CheckpointWriter | None = None, parallel: bool = True) -> None:
    """Replay the log of every card (of `card_ids`) and compare it with the cards."""
    from flashdeck.scheduling.parameters import parameters_history, recompute_history

    here = local_tz()
    history = parameters_history(col.conn)
    recomputes = recompute_history(col.conn)
    fingerprint = _fingerprint(config, history, recomputes, here)
    replayer = _Replayer(config, history, recomputes, here, fingerprint)
    where = "" if card_ids is None else f" WHERE c.id IN ({', '.join('?' * len(card_ids))})"
    cursor = col.conn.cursor()
    cursor.row_factory = None
    tracked = _log_changes_tracked(col.conn)
    generation = "g.generation" if tracked else "NULL"
    join = " LEFT JOIN log_changes g ON g.card_id = c.id" if tracked else ""
    # each card with the checkpoint kept by an earlier run (none before the first run)
    checkpoints = col.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
        (CHECKPOINTS,)).fetchone() is not None
    kept_sql = f"k.card_id, k.review_id, k.digest, k.state, {_agrees_sql(tracked)}" \
        if checkpoints else "NULL, NULL, NULL, NULL, 0"
    if checkpoints:
        join += f" LEFT JOIN {CHECKPOINTS} k ON k.card_id = c.id"
    cards = cursor.execute(
        f"SELECT {', '.join('c.' + c for c in _CARD_COLUMNS)}, {generation}, {kept_sql}"
        f" FROM cards c{join}{where} ORDER BY c.id", tuple(card_ids or ()))
    log = col.conn.cursor()
    log.row_factory = None
    width = len(_CARD_COLUMNS)
    findings: list[Finding] = []
    repairs: list[tuple] = []

    def take(outcome: _Outcome) -> None:
        findings.extend(outcome.findings)
        if outcome.repair is not None:
            repairs.append(outcome.repair)
        if outcome.checkpoint is not None and writer is not None:
            writer.add(outcome.checkpoint)
        result.replayed += outcome.replayed

    outcomes = _Pipeline(replayer, (config, history, recomputes, here, fingerprint),
                         parallel, take)
    for row in cards:
        kept = row[width + 2:width + 5] if row[width + 1] is not None else None
        if row[width + 5] == 1 and _sealed(fingerprint, row[0], kept):
            # its log unchanged since it was found consistent, and the card as it left it
            result.from_checkpoint += 1
            result.logs_unread += 1
            continue
        card = dict(zip(_CARD_COLUMNS, row[:width]))
        card_id, card["generation"] = card["id"], row[width]
        if tracked and row[width] is None and card["sr_seed"] is None and _untouched(card):
            continue  # the common case at 50k cards: a new card, never answered
        trusted = _trusted(kept, card, fingerprint) if tracked else None
        if trusted is not None:  # its log unchanged since it was found consistent
            result.from_checkpoint += 1
            result.logs_unread += 1
            take(_compare_stored(_Outcome(card_id, []), card, trusted["final"],
                                 {"version": trusted["version"]}, True))
            continue
        reviews = log.execute(
            f"SELECT r.id, r.reviewed_at, r.rating, CAST(r.state_before AS BLOB),"
            f" CAST(r.state_after AS BLOB), {_HEAD_SQL} FROM reviews r"
            " WHERE r.card_id = ? ORDER BY r.id", (card_id,)).fetchall()
        if not reviews and card["sr_seed"] is None and _untouched(card):
            continue
        resume = _verified(fingerprint, card, reviews, kept)
        if resume is not None:
            result.from_checkpoint += 1
        outcomes.add(card, reviews, resume)
    outcomes.finish()
    # in card order, whichever process replayed which card
    findings.sort(key=lambda f: f.card_id)
    repairs.sort(key=lambda r: r[1])
    result.problems.extend(findings)
    result.repairs.extend(repairs)


def _untouched(card: dict) -> bool:
    """A new card as an import makes it: nothing to replay (any other stored value, a due
    or a stability written over it, is compared with its replay, which has none)."""
    return card["state"] == "new" and card["reps"] == 0 and card["lapses"] == 0 \
        and card["leech"] == 0 and type(card["version"]) is int and all(
        card[c] is None for c in ("due", "step", "stability", "difficulty", "last_review"))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_WORKER: _Replayer | None = None


def _start_worker(config, history, recomputes, here, fingerprint) -> None:
    import signal

    # Ctrl-C is the parent's to handle (it stops the pool): no worker prints a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _WORKER
    _WORKER = _Replayer(config, history, recomputes, here, fingerprint)


def _check_chunk(chunk: list[tuple]) -> list[_Outcome]:
    return [_check_card(_WORKER, card, reviews, resume) for card, reviews, resume in chunk]


class _Pipeline:
    """The cards' checks, in this process while they are few, else spread over the cores in
    chunks (a bounded number in flight, so memory stays flat in the size of the log).
    Each outcome goes to `take` as it comes; the caller orders what it keeps."""

    def __init__(self, replayer: _Replayer, worker_args: tuple, parallel: bool, take):
        self.replayer = replayer
        self.worker_args = worker_args
        self.workers = _cores() if parallel else 1
        self.seen = 0  # reviews to replay so far
        self.chunk: list[tuple] = []
        self.chunk_reviews = 0
        self.pool = None
        self.flying: deque = deque()
        self.take = take

    def add(self, card: dict, reviews: list, resume) -> None:
        heavy = len(reviews) - (resume[0] if resume else 0)
        self.seen += heavy
        if heavy == 0 or self.workers < 2 or (self.pool is None
                                              and self.seen < PARALLEL_REVIEWS):
            self.take(_check_card(self.replayer, card, reviews, resume))
            return
        self.chunk.append((card, reviews, resume))
        self.chunk_reviews += heavy
        if self.chunk_reviews >= CHUNK_REVIEWS:
            self._submit()

    def _submit(self) -> None:
        if not self.chunk:
            return
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                            initializer=_start_worker,
                                            initargs=self.worker_args)
        while len(self.flying) >= 2 * self.workers:
            self._land()
        self.flying.append(self.pool.submit(_check_chunk, self.chunk))
        self.chunk, self.chunk_reviews = [], 0

    def _land(self) -> None:
        for outcome in self.flying.popleft().result():
            self.take(outcome)

    def finish(self) -> None:
        try:
            self._submit()
            while self.flying:
                self._land()
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)


def _check_card(replayer: _Replayer, card: dict, reviews: list, resume) -> _Outcome:
    card_id = card["id"]
    outcome = _Outcome(card_id, [])
    problems = outcome.findings
    recomputes = replayer.recomputes
    if resume is not None:
        covered, at_state, final, version = resume
        if covered == len(reviews):  # nothing new since the checkpoint: no replay at all
            state, pending = final, []
            previous_after: dict | None = {"version": version}
        else:
            last_at = reviews[covered - 1][_AT]
            state, pending = at_state, [e for e in recomputes if e.at > last_at]
            previous_after = json.loads(reviews[covered - 1][_AFTER])
        done = list(reviews[:covered])
        todo = reviews[covered:]
    else:
        try:
            state = initial_state(card["sr_seed"])
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(Finding("card", f"card {card_id}: unreadable plugin seed "
                                            f"{card['sr_seed']!r} ({exc})", card_id))
            return outcome
        if card["sr_seed"]:
            try:
                first = json.loads(reviews[0][_BEFORE]) if reviews else dict(card)
            except ValueError:
                first = dict(card)  # reported with the review below
            state = _same_seed_elsewhere(state, first)
        previous_after = None
        pending = list(recomputes)  # `optimize` recomputed memory states
        done = []
        todo = reviews
    consistent = True  # every logged state_after is what FSRS gives: the log can be trusted

    def recompute_until(moment: int | None, state: dict, previous_after: dict | None,
                        before: dict | None):
        while pending and (moment is None or pending[0].at <= moment):
            entry = pending.pop(0)
            if not done or previous_after is None:
                continue  # never reviewed then: nothing was recomputed
            new = replayer.recompute(card_id, state, done, entry)
            if before is not None and _differences(previous_after, before) == [] \
                    and _differences(new, before) != []:
                continue  # answered while `optimize` ran: that card was left as it was
            state = new
            previous_after = {**previous_after, **{c: new[c] for c in REPLAYED}}
        return state, previous_after

    for review in todo:
        where = f"card {card_id}, review {review[_ID]}"
        try:
            before = json.loads(review[_BEFORE])
            after = json.loads(review[_AFTER])
            if not isinstance(before, dict) or not isinstance(after, dict):
                raise ValueError("not a state")
        except (ValueError, TypeError):
            problems.append(Finding("log", f"{where}: unreadable state in the log", card_id))
            return outcome
        if pending:
            state, previous_after = recompute_until(review[_AT], state, previous_after, before)
        expected_before = previous_after if previous_after is not None else state
        diff = _differences(expected_before, before)
        if diff:
            what = "the previous review's state_after" if previous_after is not None \
                else "the card's starting state"
            problems.append(Finding(
                "log", f"{where}: state_before is not {what}: {'; '.join(diff)}", card_id))
            consistent = False
        if previous_after is not None and before.get("version", 0) < previous_after.get("version", 0):
            problems.append(Finding("log", f"{where}: the card's version went backwards",
                                    card_id))
            consistent = False
        # answer as the engine did: same columns in, same fuzz seed (card id, version, rating)
        row = {**state, "id": card_id, "version": before.get("version", 0),
               "suspended": before.get("suspended", 0),
               "buried_until": before.get("buried_until")}
        try:
            moment = datetime.fromtimestamp(review[_AT], timezone.utc)
            replayed = replayer.review(card_id, row, review[_RATING], moment, after)
        except (ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
            problems.append(Finding(
                "replay", f"{where}: FSRS cannot replay this review ({exc})", card_id))
            return outcome
        outcome.replayed += 1
        diff = _differences(replayed, after, REPLAYED + ("version",))
        if diff and consistent:
            problems.append(Finding(
                "replay", f"{where}: the logged result is not what FSRS gives with the current"
                f" settings (changed desired retention or steps?): {'; '.join(diff)}", card_id))
        if diff:
            consistent = False
        state = replayed
        previous_after = after
        done.append(review)
    at_state = state
    if pending:
        state, previous_after = recompute_until(None, state, previous_after, None)
    if consistent and todo:  # a log found consistent up to its last review: kept
        state_json = json.dumps({"at": at_state, "final": state,
                                 "version": previous_after.get("version", 0),
                                 "generation": card.get("generation"),
                                 "seed": card["sr_seed"]})
        digest = _digest(replayer.fingerprint, card["sr_seed"], reviews, state_json)
        seal = _seal(replayer.fingerprint, card_id, reviews[-1][_ID], digest, state_json)
        outcome.checkpoint = (card_id, reviews[-1][_ID], digest + seal, state_json)
    return _compare_stored(outcome, card, state, previous_after, consistent)


def _compare_stored(outcome: _Outcome, card: dict, state: dict, previous_after: dict | None,
                    consistent: bool) -> _Outcome:
    """The card's stored state against what its log gives (`state`); a repair when the
    log is `consistent`."""
    card_id = card["id"]
    problems = outcome.findings
    stored = {c: card[c] for c in REPLAYED}
    diff = _differences(state, stored)
    version = card["version"]
    if type(version) is not int:  # NULL or text, written past the schema's rules
        version_behind, version = True, -1
    else:
        version_behind = previous_after is not None and version < previous_after.get("version", 0)
    if diff or version_behind:
        details = diff + ([f"version is {card['version']!r}, not a count"] if version < 0 else
                          ["version is behind its last review"] if version_behind else [])
        problems.append(Finding(
            "card", f"card {card_id}: stored state disagrees with its review log: "
            f"{'; '.join(details)}", card_id, fixable=consistent))
        if consistent:
            values = {c: state[c] for c in REPLAYED}
            values["version"] = max(version, state.get("version", 0))
            outcome.repair = ("card", card_id, values)
    return outcome


# -- fixing -------------------------------------------------------------------------------
def backup_copy(col: Collection, label: str = "doctor") -> Path:
    """A consistent copy next to the collection (SQLite's backup API: safe while others use
    it), named so that it never overwrites an earlier one."""
    if col.path is None:
        raise CollectionError("an in-memory collection has no place for a backup")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    target = col.path.with_name(f"{col.path.name}.{label}-{stamp}.bak")
    n = 1
    while target.exists():
        n += 1
        target = col.path.with_name(f"{col.path.name}.{label}-{stamp}-{n}.bak")
    try:
        col.backup(target)
    except (sqlite3.Error, OSError) as exc:
        why = describe_error(exc) if isinstance(exc, sqlite3.Error) else exc.strerror or exc
        raise CollectionError(f"{col.path}: cannot make a backup copy ({target}), so nothing"
                              f" was fixed: {why}") from None
    return target


def repair(col: Collection, config=None) -> Diagnosis:
    """Diagnose (without the write lock), back up, and fix what is safely fixable, in
    transactions of at most BATCH cards that re-check their cards first: a card answered
    meanwhile is diagnosed again, never overwritten with a stale state. Returns the
    diagnosis with what was fixed taken out (and `fixed`, `backup` set). Nothing is written
    (but the doctor's checkpoints) when nothing is fixable."""
    config = config or Config()
    result = diagnose(col, config, save_checkpoints=True)
    if not result.repairs:
        return result
    result.backup = str(backup_copy(col))
    conn = col.conn
    if any(r[0] in ("index", "trigger", "table") for r in result.repairs):
        with col.transaction():
            now = Diagnosis(result.path, result.schema_version)
            _check_schema(conn, now)  # what is still missing now
            # a table before its indexes
            for kind, name, sql in sorted(now.repairs, key=lambda r: r[0] != "table"):
                conn.execute(sql)
                if kind == "table":  # derived counts: the mark goes, they count again
                    conn.execute("DELETE FROM meta WHERE key LIKE 'stats_days_%'")
                result.fixed.append(
                    f"rebuilt index {name}" if kind == "index"
                    else f"recreated table {name} (counted again from the review log)"
                    if kind == "table" else f"recreated trigger {name}")
            if any(kind == "trigger" for kind, _, _ in now.repairs):
                # what a missing trigger did not count is unknown: every card's log counts
                # as changed (no checkpoint trusted unread), the stats count again
                conn.execute("INSERT INTO log_changes (card_id, generation) SELECT card_id, 1"
                             " FROM reviews WHERE true GROUP BY card_id ON CONFLICT (card_id)"
                             " DO UPDATE SET generation = generation + 1")
                conn.execute("DELETE FROM meta WHERE key = 'stats_days_upto'")
        result.problems = [p for p in result.problems if p.check not in ("index", "trigger")
                           and not (p.check == "schema" and p.fixable)]
    cards = [r[1] for r in result.repairs if r[0] == "card"]
    rechecked: set[int] = set()
    found: list[Finding] = []
    for start in range(0, len(cards), BATCH):
        batch = cards[start:start + BATCH]
        with col.transaction():
            now = Diagnosis(result.path, result.schema_version)
            _check_log(col, config, now, card_ids=batch, parallel=False)
            for _, card_id, values in now.repairs:
                conn.execute(
                    f"UPDATE cards SET {', '.join(c + ' = ?' for c in values)} WHERE id = ?",
                    (*values.values(), card_id))
                result.fixed.append(f"card {card_id}: set to the state its review log"
                                    " replays to")
        repaired = {r[1] for r in now.repairs}
        rechecked.update(batch)
        found.extend(p for p in now.problems
                     if not (p.check == "card" and p.card_id in repaired))
    result.problems = [p for p in result.problems if p.card_id not in rechecked] + found
    result.repairs = []
    return result
