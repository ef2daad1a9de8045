"""SQLite's integrity check of a collection file, over the cores.

`PRAGMA integrity_check` is one statement on one core: at a million reviews it takes most
of `doctor`'s time, nearly all of it in looking up, for every row of the review log, its
entry in each of the log's indexes (a random read per row and index). The same checks are
made here in parts that run side by side, each on a connection of its own:
  - `PRAGMA quick_check`: the whole file's structure (every page, the free list, no page
    used twice or never), and every row's NOT NULL and CHECK rules;
  - for a table whose indexes are plain (named columns, not unique, not partial), each
    index on its own: the table's rows, sorted in the index's order, each found in the index
    (so the index is read in order, not at random), and as many entries as rows: together
    what the integrity check proves of an index (each row its entry, no entry without a
    row);
  - for any other table with indexes (unique, partial, on expressions),
    `PRAGMA integrity_check(<table>)` itself.
The verdict is "ok" only when every part says so. Otherwise, or when a part cannot run (a
damaged page, no room for the sort's temporary files), the whole `PRAGMA integrity_check`
runs as before and its own rows are the answer: the report of a damaged file is SQLite's,
word for word.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from pathlib import Path

INTEGRITY_ROWS = 100  # the integrity check stops after this many complaints


def integrity_rows(conn: sqlite3.Connection, limit: int = INTEGRITY_ROWS) -> list[str]:
    """SQLite's own `PRAGMA integrity_check`, its rows (["ok"]: whole)."""
    try:
        return [r[0] for r in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    except sqlite3.DatabaseError as exc:  # too damaged for the check to walk it
        return [str(exc)]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parts(conn: sqlite3.Connection) -> list[tuple]:
    """The checks that together make the integrity check: ("quick",), ("table", name) or
    ("index", table, index, key columns), the longest first."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name")]
    split: list[tuple] = []
    whole: list[tuple] = []
    for table in tables:
        indexes = conn.execute(
            'SELECT name, "unique", origin, partial FROM pragma_index_list(?)',
            (table,)).fetchall()
        if not indexes:
            continue  # its rows and its tree: the quick check's
        columns = {r[1].lower() for r in conn.execute(
            "SELECT * FROM pragma_table_xinfo(?)", (table,))}
        rowid = not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
            " AND sql LIKE '%WITHOUT ROWID%'", (table,)).fetchone()
        plain = rowid and not columns & {"rowid", "_rowid_", "oid"}
        keys = []
        for name, unique, origin, partial in indexes:
            key = conn.execute("SELECT cid, name, coll, desc FROM pragma_index_xinfo(?)"
                               " WHERE key", (name,)).fetchall()
            if unique or partial or origin != "c" or not key or any(
                    cid < 0 or column is None or (coll or "BINARY").upper() != "BINARY"
                    or desc for cid, column, coll, desc in key):
                plain = False
                break
            keys.append(("index", table, name, tuple(r[1] for r in key)))
        if plain:
            split.extend(keys)
        else:
            whole.append(("table", table))
    return split + [("quick",)] + whole


def _check(conn: sqlite3.Connection, part: tuple) -> list[str]:
    """One part's rows (["ok"]: it found nothing)."""
    if part[0] == "quick":
        return [r[0] for r in conn.execute(f"PRAGMA quick_check({INTEGRITY_ROWS})")]
    if part[0] == "table":
        return [r[0] for r in conn.execute(
            f"PRAGMA integrity_check({_quoted(part[1])})")]
    _, table, index, key = part
    t, i = _quoted(table), _quoted(index)
    names = [f"k{n}" for n in range(len(key))]
    # the rows in the index's order, near enough (its first two columns: sorting by all of
    # them costs twice as much): each lookup reads the page the last one read
    rows = (f"SELECT {', '.join(f'{_quoted(c)} AS {a}' for c, a in zip(key, names))},"
            f" rowid AS k_rowid FROM {t} NOT INDEXED ORDER BY {', '.join(names[:2])}")
    found = (f"SELECT 1 FROM {t} AS i INDEXED BY {i} WHERE"
             f" ({', '.join('i.' + _quoted(c) for c in key)}, i.rowid)"
             f" IS ({', '.join('o.' + a for a in names)}, o.k_rowid)")
    conn.execute("BEGIN")  # one snapshot for the rows, their lookups and the count
    try:
        count, missing = conn.execute(
            f"SELECT count(*), coalesce(sum(NOT EXISTS ({found})), 0) FROM ({rows}) AS o"
        ).fetchone()
        # sum(1), not count(*): SQLite counts `count(*)` on the smallest index, whatever
        # INDEXED BY says; this reads the index named
        entries = conn.execute(
            f"SELECT coalesce(sum(1), 0) FROM {t} INDEXED BY {i}").fetchone()[0]
    finally:
        conn.execute("ROLLBACK")
    if missing or entries != count:
        return [f"index {index}: {missing} rows not found, {entries} entries for {count} rows"]
    return ["ok"]


def check_file(path: Path, workers: int = 2) -> list[str]:
    """The integrity check of the file at `path`: ["ok"] when whole, else the rows of
    SQLite's own `PRAGMA integrity_check` (its limit: INTEGRITY_ROWS), as one statement
    gives them. The parts run on `workers` threads (SQLite works outside the GIL); with
    one, the one statement runs (the parts together cost ~10 % more than it)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        if workers < 2:  # one core: the one statement costs less than its parts
            return integrity_rows(conn)
        try:
            parts = _parts(conn)
        except sqlite3.Error:
            return integrity_rows(conn)  # damage where the schema lives: SQLite says what
        todo: queue.Queue = queue.Queue()
        for part in parts:
            todo.put(part)
        verdicts: list[bool] = []

        def work(own: sqlite3.Connection | None) -> None:
            try:
                own = own or sqlite3.connect(path, timeout=30, isolation_level=None)
            except sqlite3.Error:
                verdicts.append(False)
                return
            try:
                while verdicts.count(False) == 0:
                    try:
                        part = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        verdicts.append(_check(own, part) == ["ok"])
                    except Exception:  # damage, no room to sort, anything: not a verdict;
                        verdicts.append(False)  # SQLite's whole check gives it below
            finally:
                if own is not conn:
                    own.close()

        threads = [threading.Thread(target=work, args=(None,), daemon=True,
                                    name=f"flashdeck-integrity-{n}")
                   for n in range(max(0, min(workers, len(parts)) - 1))]
        for thread in threads:
            thread.start()
        work(conn)
        for thread in threads:
            thread.join()
        if all(verdicts) and len(verdicts) == len(parts):
            return ["ok"]
        return integrity_rows(conn)
    finally:
        conn.close()
