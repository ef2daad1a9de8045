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
without it has nothing pending (and a flashdeck without this module ignores it)."""

from __future__ import annotations

import json

from flashdeck.collection.identity import REWRITTEN_KEPT, in_chunks

TABLE = "import_pending"
# orphaned = 1: a card orphaned by the import; 0: a card it gave other content (`before`:
# its columns before, JSON, in _UPDATE_COLUMNS' order)
_CREATE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (card_id INTEGER NOT NULL,"
           " orphaned INTEGER NOT NULL, before TEXT, PRIMARY KEY (card_id, orphaned))")
# {"since": the highest card id a card added by that import is above, "started": when it
# began}: written with its first row, so the earliest unfinished import's
META_KEY = "import_pending"


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
        self._made = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                  " AND name = ?", (TABLE,)).fetchone() is not None
        if self._made:
            self._take_up(conn)
        self.taken_up = len(self.orphaned)

    def _take_up(self, conn) -> None:
        for card_id, orphaned, before in conn.execute(
                f"SELECT card_id, orphaned, before FROM {TABLE} ORDER BY card_id, orphaned"):
            if orphaned:
                self.orphaned.append(card_id)
            elif len(self.rewritten) < REWRITTEN_KEPT:
                try:
                    self.rewritten[card_id] = tuple(json.loads(before))
                except (TypeError, ValueError):
                    continue  # not one flashdeck wrote: nothing to give back
                self._written_rewrites.add(card_id)
        self._written_orphans = len(self.orphaned)
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
            self._made = True
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                     (META_KEY, json.dumps({"since": self.since, "started": self.started})))
        conn.executemany(f"INSERT OR IGNORE INTO {TABLE} (card_id, orphaned) VALUES (?, 1)",
                         [(card_id,) for card_id in orphans])
        conn.executemany(f"INSERT OR IGNORE INTO {TABLE} (card_id, orphaned, before)"
                         " VALUES (?, 0, ?)",
                         [(card_id, json.dumps(before)) for card_id, before in rewrites])
        self._written_orphans = len(self.orphaned)
        self._written_rewrites.update(card_id for card_id, _ in rewrites)

    def clear(self, conn) -> None:
        """Inside the transaction that squared them up: cross off the cards this import
        knows (another import running at once keeps its own), and the start once none is
        left."""
        if not self._made:
            return
        for chunk, marks in in_chunks(sorted(set(self.orphaned) | set(self.rewritten))):
            conn.execute(f"DELETE FROM {TABLE} WHERE card_id IN ({marks})", chunk)
        if conn.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchone() is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (META_KEY,))
