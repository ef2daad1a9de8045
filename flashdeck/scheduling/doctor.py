"""`flashdeck doctor`: is the collection whole, and does every card agree with its history?

A collection is years of reviews, so the doctor checks what a crash, a bug or a stray edit
could have broken, from the file up:
  - SQLite's own integrity check and foreign-key check;
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

import json
import math
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path

from flashdeck.clock import local_tz
from flashdeck.collection.seed import seed_from_json, state_from_sr
from flashdeck.collection.store import SCHEMA_VERSION, Collection
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
            "problems": [p.to_json() for p in self.problems],
            "fixed": self.fixed,
            "backup": self.backup,
            "note_problems": {
                "notes": self.notes_with_problems,
                "errors": self.note_errors,
                "warnings": self.note_warnings,
                "listed": self.note_problems,
            },
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
        return out + self._problem_lines()

    def _count_lines(self) -> list[str]:
        out = []
        out.append(f"  cards:        {self.cards} ({self.orphaned} orphaned: hidden, kept for"
                   " their notes' return)")
        out.append(f"  notes:        {self.notes} ({self.notes_gone} gone or untagged)")
        replay = [p for p in self.problems if p.check in ("log", "replay", "card")]
        out.append(f"  review log:   {self.reviews} reviews of {self.cards_reviewed} cards, "
                   + ("replayed through FSRS: every card agrees" if not replay else
                      f"replayed through FSRS: {len(replay)} disagreement"
                      f"{'s' if len(replay) != 1 else ''}"))
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
            out.append(f"    {item['path']}:{item['line']}: {label}{item['message']}")
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
def diagnose(col: Collection, config=None) -> Diagnosis:
    """Check the collection. Reads only; runs in one read transaction (one snapshot), so
    an answer committed meanwhile by another process is seen whole or not at all."""
    config = config or Config()
    conn = col.conn
    result = Diagnosis(str(col.path) if col.path else ":memory:", col.schema_version())
    conn.execute("BEGIN")
    try:
        _check_integrity(conn, result)
        if result.integrity != ["ok"]:
            # the other checks read the damaged pages too; what to do now is restore a
            # backup (or `sqlite3 .recover`), and the report must say that, not crash
            result.problems.append(Finding(
                "integrity", "the file is damaged, so the other checks were skipped: restore"
                " a backup copy (the .bak files next to it), or salvage it with"
                " `sqlite3 <file> .recover`"))
            return result
        try:
            _check_foreign_keys(conn, result)
            _check_schema(conn, result)
            _count(conn, result)
            _note_problems(conn, result)
            _check_log(col, config, result)
        except sqlite3.DatabaseError as exc:
            result.problems.append(Finding("integrity", f"reading the collection failed: {exc}"))
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # a read: nothing to commit (and COMMIT trips on damage)
    return result


def _check_integrity(conn: sqlite3.Connection, result: Diagnosis) -> None:
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(100)")]
    except sqlite3.DatabaseError as exc:  # too damaged for the check to walk it
        rows = [str(exc)]
    result.integrity = rows
    if rows != ["ok"]:
        for message in rows:
            result.problems.append(Finding("integrity", f"SQLite integrity check: {message}"))


def _check_foreign_keys(conn: sqlite3.Connection, result: Diagnosis) -> None:
    dangling: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        dangling[(table, parent)] = dangling.get((table, parent), 0) + 1
    for (table, parent), n in sorted(dangling.items()):
        result.problems.append(Finding(
            "foreign_keys", f"{n} row{'s' if n != 1 else ''} of {table} point{'' if n != 1 else 's'}"
            f" to a missing row of {parent}"))


def _expected_schema() -> dict[tuple[str, str], str | None]:
    """(type, name) -> sql of what a fresh collection of this flashdeck has."""
    with Collection.in_memory() as fresh:
        return {(r[0], r[1]): r[2] for r in fresh.conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index')"
            " AND name NOT LIKE 'sqlite_%'")}


def _check_schema(conn: sqlite3.Connection, result: Diagnosis) -> None:
    have = {(r[0], r[1]) for r in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index')")}
    for (kind, name), sql in sorted(_expected_schema().items()):
        if (kind, name) in have:
            continue
        if kind == "index":
            result.problems.append(Finding("index", f"index {name} is missing", fixable=True))
            result.repairs.append(("index", name, sql))
        else:
            result.problems.append(Finding("schema", f"table {name} is missing"))


def _count(conn: sqlite3.Connection, result: Diagnosis) -> None:
    result.cards, result.orphaned = conn.execute(
        "SELECT count(*), coalesce(sum(orphaned), 0) FROM cards").fetchone()
    result.notes, result.notes_gone = conn.execute(
        "SELECT count(*), coalesce(sum(present = 0), 0) FROM notes").fetchone()
    result.reviews, result.cards_reviewed = conn.execute(
        "SELECT count(*), count(DISTINCT card_id) FROM reviews").fetchone()


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
        if a is None or b is None:
            return False
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _differences(expected: dict, actual: dict, columns=REPLAYED) -> list[str]:
    return [f"{c} {_show(c, actual.get(c))}, replay says {_show(c, expected.get(c))}"
            for c in columns if not _same(expected.get(c), actual.get(c))]


def _show(column: str, value) -> str:
    if value is not None and column in ("due", "last_review", "buried_until"):
        return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
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


def _check_log(col: Collection, config, result: Diagnosis) -> None:
    from flashdeck.scheduling.parameters import (InForce, parameters_history,
                                                 recompute_history, recomputed,
                                                 with_parameters)

    here = local_tz()
    in_force = InForce(parameters_history(col.conn))

    def engine(card_id: int, row: dict, rating: int, moment: datetime, after: dict) -> dict:
        """The review replayed by the rules, in the zone and with the FSRS parameters it was
        answered by (the collection's parameters history; a review matching the settings'
        current parameters instead is theirs: set by hand, or fitted on another collection)."""
        tz = step.zone_from_key(after.get("zone"), here)
        state = CardState.from_dict(row)
        rules = after.get("rules", 1)
        used = with_parameters(config, in_force.at(int(moment.timestamp())))
        replayed = step.review(card_id, state, rating, moment, used, tz, rules).to_dict()
        if used != config and _differences(replayed, after, REPLAYED + ("version",)):
            other = step.review(card_id, state, rating, moment, config, tz, rules).to_dict()
            if not _differences(other, after, REPLAYED + ("version",)):
                return other
        return replayed

    recomputes = recompute_history(col.conn)

    def recompute(card_id: int, state: dict, done: list, entry) -> dict:
        """The memory state `optimize` recomputed at `entry` from the reviews `done`."""
        return recomputed(card_id, state, [(r["reviewed_at"], r["rating"], r["state_before"],
                                            r["state_after"]) for r in done],
                          entry, config, here)
    engine.recomputes = recomputes
    engine.recompute = recompute
    rows = col.conn.execute(
        f"SELECT {', '.join('c.' + c for c in _CARD_COLUMNS)}, r.id AS review_id,"
        " r.reviewed_at, r.rating, r.state_before, r.state_after"
        " FROM cards c LEFT JOIN reviews r ON r.card_id = c.id ORDER BY c.id, r.id")
    for card_id, group in groupby(rows, key=lambda r: r["id"]):
        group = list(group)
        card = group[0]
        reviews = [r for r in group if r["review_id"] is not None]
        if not reviews and card["sr_seed"] is None and card["state"] == "new" \
                and card["reps"] == 0:
            continue  # the common case at 50k cards: a new card, never answered
        _check_card(engine, card, reviews, result)


def _check_card(engine, card, reviews, result: Diagnosis) -> None:
    card_id = card["id"]
    try:
        state = initial_state(card["sr_seed"])
    except (ValueError, KeyError, TypeError) as exc:
        result.problems.append(Finding("card", f"card {card_id}: unreadable plugin seed "
                                               f"{card['sr_seed']!r} ({exc})", card_id))
        return
    if card["sr_seed"]:
        first = json.loads(reviews[0]["state_before"]) if reviews else dict(card)
        state = _same_seed_elsewhere(state, first)
    consistent = True  # every logged state_after is what FSRS gives: the log can be trusted
    previous_after: dict | None = None
    pending = list(getattr(engine, "recomputes", ()))  # `optimize` recomputed memory states
    done: list = []

    def recompute_until(moment: int | None, state: dict, previous_after: dict | None,
                        before: dict | None):
        while pending and (moment is None or pending[0].at <= moment):
            entry = pending.pop(0)
            if not done or previous_after is None:
                continue  # never reviewed then: nothing was recomputed
            new = engine.recompute(card_id, state, done, entry)
            if before is not None and _differences(previous_after, before) == [] \
                    and _differences(new, before) != []:
                continue  # answered while `optimize` ran: that card was left as it was
            state = new
            previous_after = {**previous_after, **{c: new[c] for c in REPLAYED}}
        return state, previous_after

    for review in reviews:
        where = f"card {card_id}, review {review['review_id']}"
        try:
            before = json.loads(review["state_before"])
            after = json.loads(review["state_after"])
        except ValueError:
            result.problems.append(Finding("log", f"{where}: unreadable state in the log",
                                           card_id))
            return
        if pending:
            state, previous_after = recompute_until(review["reviewed_at"], state,
                                                    previous_after, before)
        expected_before = previous_after if previous_after is not None else state
        diff = _differences(expected_before, before)
        if diff:
            what = "the previous review's state_after" if previous_after is not None \
                else "the card's starting state"
            result.problems.append(Finding(
                "log", f"{where}: state_before is not {what}: {'; '.join(diff)}", card_id))
            consistent = False
        if previous_after is not None and before.get("version", 0) < previous_after.get("version", 0):
            result.problems.append(Finding(
                "log", f"{where}: the card's version went backwards", card_id))
            consistent = False
        # answer as the engine did: same columns in, same fuzz seed (card id, version, rating)
        row = {**state, "id": card_id, "version": before.get("version", 0),
               "suspended": before.get("suspended", 0),
               "buried_until": before.get("buried_until")}
        moment = datetime.fromtimestamp(review["reviewed_at"], timezone.utc)
        try:
            replayed = engine(card_id, row, review["rating"], moment, after)
        except (ValueError, TypeError, KeyError) as exc:
            result.problems.append(Finding(
                "replay", f"{where}: FSRS cannot replay this review ({exc})", card_id))
            return
        diff = _differences(replayed, after, REPLAYED + ("version",))
        if diff and consistent:
            result.problems.append(Finding(
                "replay", f"{where}: the logged result is not what FSRS gives with the current"
                f" settings (changed desired retention or steps?): {'; '.join(diff)}", card_id))
        if diff:
            consistent = False
        state = replayed
        previous_after = after
        done.append(review)
    if pending:
        state, previous_after = recompute_until(None, state, previous_after, None)
    stored = {c: card[c] for c in REPLAYED}
    diff = _differences(state, stored)
    version_behind = previous_after is not None and card["version"] < previous_after.get("version", 0)
    if diff or version_behind:
        details = diff + (["version is behind its last review"] if version_behind else [])
        result.problems.append(Finding(
            "card", f"card {card_id}: stored state disagrees with its review log: "
            f"{'; '.join(details)}", card_id, fixable=consistent))
        if consistent:
            values = {c: state[c] for c in REPLAYED}
            values["version"] = max(card["version"], state.get("version", 0))
            result.repairs.append(("card", card_id, values))


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
        raise CollectionError(f"{col.path}: cannot make a backup copy ({target}): {exc};"
                              " nothing was changed") from None
    return target


def repair(col: Collection, config=None) -> Diagnosis:
    """Diagnose, back up, and fix what is safely fixable; returns the diagnosis after fixing
    (with `fixed` and `backup` set). Nothing is written when nothing is fixable."""
    first = diagnose(col, config)
    if not first.repairs:
        return first
    backup = backup_copy(col)
    fixed: list[str] = []
    with col.transaction() as conn:
        # diagnose again under the write lock: fix only what is still wrong now
        current = diagnose_in_transaction(col, config)
        for repair_ in current.repairs:
            if repair_[0] == "index":
                _, name, sql = repair_
                conn.execute(sql)
                fixed.append(f"rebuilt index {name}")
            else:
                _, card_id, values = repair_
                conn.execute(
                    f"UPDATE cards SET {', '.join(c + ' = ?' for c in values)} WHERE id = ?",
                    (*values.values(), card_id))
                fixed.append(f"card {card_id}: set to the state its review log replays to")
    after = diagnose(col, config)
    after.fixed = fixed
    after.backup = str(backup)
    return after


def diagnose_in_transaction(col: Collection, config=None) -> Diagnosis:
    """`diagnose` for a caller that already holds a transaction."""
    config = config or Config()
    conn = col.conn
    result = Diagnosis(str(col.path), col.schema_version())
    _check_schema(conn, result)
    _check_log(col, config, result)
    return result
