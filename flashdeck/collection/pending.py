"""What an import must still square up, kept in the collection until it has.

An import orphans the cards a note left as it writes each note (in batches, each committed),
and squares the moves up only at its end, in one transaction (importer: `reclaim_moved_cards`,
`return_taken_cards`): a card cut from one note and pasted into another written first was
added there as a new card, and takes that place back only then. An import killed between the
two left the answered card hidden with the orphans and its copy new, for good: the re-run
found both notes unchanged and orphaned nothing, so it had nothing to square up.

So each card orphaned (and each card given other content, with its columns before) is written
down in the same transaction that orphans (or rewrites) it, and crossed off in the one that
squares it up; the next import takes up what a killed one left, with the card ids and the
time that import began. The table is made by the first import that needs it: a collection
without it has nothing pending (and a flashdeck without this module ignores it).

Each row names the import that wrote it (`owner`: its process, that process's start, and a
token of its own), with that import's start. An import takes up only the rows of imports
that are no longer running, and crosses off only its own and those: one begun while
another ran took the other's rows for a killed import's, squared them up before the other
had written the note a card went to, and crossed them off, so the other, killed then,
left its answered card hidden and the copy new for good. Rows of older flashdecks name no
import: they are taken up as before."""

from __future__ import annotations

import json
import os

from flashdeck.collection.identity import REWRITTEN_KEPT, in_chunks

TABLE = "import_pending"
# orphaned = 1: a card orphaned by the import; 0: a card it gave other content (`before`:
# its columns before, JSON, in _UPDATE_COLUMNS' order)
# owner: the import that wrote it (see `_owner`); since: the highest card id a card added by
# that import is above; started: when it began (NULL in rows of older flashdecks)
_CREATE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (card_id INTEGER NOT NULL,"
           " orphaned INTEGER NOT NULL, before TEXT, owner TEXT, since INTEGER,"
           " started INTEGER, PRIMARY KEY (card_id, orphaned))")
_ADDED_COLUMNS = ("owner TEXT", "since INTEGER", "started INTEGER")
# {"since", "started"} as above: written with the first row, so the earliest unfinished
# import's (what rows without their own are taken up with, and what older flashdecks read)
META_KEY = "import_pending"

_RUNNING: set[str] = set()  # the owners of the imports running in this process


def _started(pid: int) -> str | None:
    """When process `pid` started, as the system counts it ('' where that cannot be told
    but the process is there), or None: no such process (or not known to be one)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rpartition(b")")[2].split()
        if fields[0] in (b"Z", b"X"):  # killed, not yet waited for by its parent
            return None
        return fields[19].decode("ascii")  # field 22, starttime (fields from 3 on here)
    except (OSError, IndexError, UnicodeDecodeError):
        pass
    if os.name != "posix" or os.path.isdir("/proc/self"):
        return None  # /proc says it is gone; elsewhere (Windows) kill would end it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        return ""  # someone else's: it is there
    return ""


def _owner() -> str:
    pid = os.getpid()
    return f"{pid}:{_started(pid) or ''}:{os.urandom(6).hex()}"


def _running(owner: str | None) -> bool:
    """Whether the import that wrote a row (`owner`) is running now: in this process, one
    not ended; in another, that process (the same one: same start) still there."""
    if not owner:
        return False
    pid, _, rest = owner.partition(":")
    started, _, _token = rest.partition(":")
    if not pid.isdigit() or int(pid) <= 0:
        return False
    if int(pid) == os.getpid():
        return owner in _RUNNING
    return _started(int(pid)) == started


class Pending:
    """The cards orphaned (`orphaned`) and rewritten (`rewritten`: id -> columns before) by
    this import, and by a killed one before it that left them to square up (`taken_up`:
    how many of `orphaned` came from it). `since` and `started`: this import's, or the
    killed one's if it left any."""

    def __init__(self, conn, since: int, started: int) -> None:
        self.orphaned: list[int] = []
        self.rewritten: dict[int, tuple] = {}
        self.since, self.started = since, started
        self._written_orphans = 0  # how many of `orphaned` are in the table
        self._written_rewrites: set[int] = set()
        self.owner = _owner()
        _RUNNING.add(self.owner)  # until `close`
        self._owners: set[str] = {self.owner}  # its own rows and those it took up
        self._unowned = False  # it took up rows of an older flashdeck (no owner)
        self._made = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                  " AND name = ?", (TABLE,)).fetchone() is not None
        self._columns = False  # the table has the owner columns
        if self._made:
            self._take_up(conn)
        self.taken_up = len(self.orphaned)

    def close(self) -> None:
        """The import ended (done, failed or interrupted): what it left is another's to
        take up now."""
        _RUNNING.discard(self.owner)

    def _take_up(self, conn) -> None:
        self._columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{TABLE}")')} \
            >= {"owner", "since", "started"}
        select = "owner, since, started" if self._columns else "NULL, NULL, NULL"
        running: dict[str, bool] = {}
        known = True  # every row taken up says when its import began
        for card_id, orphaned, before, owner, since, started in conn.execute(
                f"SELECT card_id, orphaned, before, {select} FROM {TABLE}"
                " ORDER BY card_id, orphaned"):
            if owner not in running:
                running[owner] = _running(owner)
            if running[owner]:
                continue  # another import's, still running: it squares them up itself
            if owner:
                self._owners.add(owner)
            else:
                self._unowned = True
            if isinstance(since, int) and isinstance(started, int):
                self.since, self.started = min(self.since, since), min(self.started, started)
            else:
                known = False
            if orphaned:
                self.orphaned.append(card_id)
            elif len(self.rewritten) < REWRITTEN_KEPT:
                try:
                    self.rewritten[card_id] = tuple(json.loads(before))
                except (TypeError, ValueError):
                    continue  # not one flashdeck wrote: nothing to give back
                self._written_rewrites.add(card_id)
        self._written_orphans = len(self.orphaned)
        if known:
            return
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
        try:
            kept = json.loads(row[0]) if row is not None else {}
            self.since = min(self.since, int(kept["since"]))
            self.started = min(self.started, int(kept["started"]))
        except (TypeError, ValueError, KeyError):
            if self.orphaned or self.rewritten:
                self.since = 0  # not known: every card added since may be a moved one's copy

    def record(self, conn) -> None:
        """Inside the transaction that orphaned or rewrote them: write down the cards not
        written down yet."""
        orphans = self.orphaned[self._written_orphans:]
        rewrites = [(card_id, before) for card_id, before in self.rewritten.items()
                    if card_id not in self._written_rewrites]
        if not orphans and not rewrites:
            return
        if not self._made:
            conn.execute(_CREATE)
            self._made = self._columns = True
        elif not self._columns:  # made by an older flashdeck: the owner columns added
            have = {row[1] for row in conn.execute(f'PRAGMA table_info("{TABLE}")')}
            for column in _ADDED_COLUMNS:
                if column.split()[0] not in have:
                    conn.execute(f"ALTER TABLE {TABLE} ADD COLUMN {column}")
            self._columns = True
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                     (META_KEY, json.dumps({"since": self.since, "started": self.started})))
        mine = (self.owner, self.since, self.started)
        conn.executemany(f"INSERT OR IGNORE INTO {TABLE} (card_id, orphaned, owner, since,"
                         " started) VALUES (?, 1, ?, ?, ?)",
                         [(card_id, *mine) for card_id in orphans])
        conn.executemany(f"INSERT OR IGNORE INTO {TABLE} (card_id, orphaned, before, owner,"
                         " since, started) VALUES (?, 0, ?, ?, ?, ?)",
                         [(card_id, json.dumps(before), *mine) for card_id, before in rewrites])
        self._written_orphans = len(self.orphaned)
        self._written_rewrites.update(card_id for card_id, _ in rewrites)

    def clear(self, conn) -> None:
        """Inside the transaction that squared them up: cross off the cards this import
        knows, of its own rows and those it took up (another import running at once keeps
        its own), and the start once none is left."""
        if not self._made:
            return
        if not self._columns:  # another import may have added them since
            self._columns = {row[1] for row in conn.execute(
                f'PRAGMA table_info("{TABLE}")')} >= {"owner", "since", "started"}
        owners = json.dumps(sorted(self._owners))
        whose = ("owner IN (SELECT value FROM json_each(?))"
                 + (" OR owner IS NULL" if self._unowned else "")) if self._columns else "1"
        for chunk, marks in in_chunks(sorted(set(self.orphaned) | set(self.rewritten)), 499):
            conn.execute(f"DELETE FROM {TABLE} WHERE card_id IN ({marks}) AND ({whose})",
                         (*chunk, owners) if self._columns else chunk)
        if conn.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchone() is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (META_KEY,))
