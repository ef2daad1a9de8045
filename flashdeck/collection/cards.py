"""Reading cards out of the collection, in the JSON shape of PRODUCT.md §5."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath
from typing import NamedTuple

from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError

_CARD_SELECT = """
SELECT c.*, n.relpath AS relpath, n.title AS note_title, s.path AS source_path,
       s.kind AS source_kind
FROM cards c{index} LEFT JOIN notes n ON n.id = c.note_id LEFT JOIN sources s ON s.id = n.source_id
"""
# (LEFT JOINs: a card whose note or source row is gone — doctor names such rows — is still
# a card: `due` counts it, so `show`, `info`, `list` and the review find it too)
CARD_SELECT = _CARD_SELECT.format(index="")
# For live new cards in id order; the query's WHERE must imply the index's (state = 'new'
# AND orphaned = 0 AND suspended = 0), or SQLite refuses it.
NEW_CARD_SELECT = _CARD_SELECT.format(index=" INDEXED BY cards_new")

# A card `c` that is a waiting copy of a shared exercise (one template matched by several
# notes): a new copy waits while another copy is older or already studied; a suspended copy
# counts too (suspending an exercise suspends it), an orphaned one does not (when its note
# goes, the next copy takes its place). Copies already studied keep their schedules.
LATER_COPY = ("c.exercise IS NOT NULL AND EXISTS (SELECT 1 FROM cards o"
              " INDEXED BY cards_exercise WHERE o.exercise = c.exercise AND o.orphaned = 0"
              " AND o.id != c.id AND (o.id < c.id OR o.state != 'new'))")

# A learning card `c` on a step of a day or more (Anki's "interday" learning, e.g. the 1d of
# "10m 1d"): due on the scheduling day its step ends on, from that day's start, as Anki shows
# it, not only from the hour of the day it was last answered at.
INTERDAY_STEP = "c.due - c.last_review >= 86400"


@lru_cache(maxsize=1024)
def _note_path(source: str, relpath: str) -> str:
    """A note's path in a folder source (cards come note by note: one join per note)."""
    return str(PurePosixPath(source) / relpath)


class CardView(NamedTuple):
    """A card with what the screens and the JSON need to show it."""

    id: int
    deck: str
    note: str  # the note's path
    note_title: str
    line: int
    kind: str
    front: str
    back: str
    breadcrumb: str
    block: str
    ordinal: int
    exercise: str | None
    state: str
    due: int | None
    suspended: bool
    buried_until: int | None
    leech: bool
    orphaned: bool
    reps: int
    lapses: int
    note_id: int
    version: int = 0  # the scheduling state's version: answers check it (two terminals)
    # its note's source row (or note row) is missing from the collection (doctor names it):
    # `note` is then the note's path inside that source as far as known, else ""
    source_missing: bool = False

    @classmethod
    def from_row(cls, row) -> "CardView":
        missing = row["source_path"] is None
        if missing:
            note = row["relpath"] or ""
        elif row["source_kind"] == "file":
            note = row["source_path"]
        else:
            note = _note_path(row["source_path"], row["relpath"])
        return cls(
            id=row["id"], deck=row["deck"], note=note, note_title=row["note_title"] or "",
            line=row["line"], kind=row["kind"], front=row["front"], back=row["back"],
            breadcrumb=row["breadcrumb"], block=row["block"], ordinal=row["ordinal"],
            exercise=row["exercise"], state=row["state"], due=row["due"],
            suspended=bool(row["suspended"]), buried_until=row["buried_until"],
            leech=bool(row["leech"]), orphaned=bool(row["orphaned"]), reps=row["reps"],
            lapses=row["lapses"], note_id=row["note_id"], version=row["version"],
            source_missing=missing,
        )

    def to_json(self) -> dict:
        shown = {
            "id": self.id,
            "deck": self.deck,
            "note": self.note or None,
            "line": self.line,
            "kind": self.kind,
            "front": self.front,
            "back": self.back,
            "state": self.state,
            "due": iso(self.due),
            "suspended": self.suspended,
        }
        if self.source_missing:  # the vault it came from is not in the collection's list
            shown["source_missing"] = True
        return shown


def iso(timestamp: int | None) -> str | None:
    """The moment in local time, its offset written out, as every time flashdeck prints
    (`info --json` and `log --json` gave 09:01+01:00 for the `list --json` 08:01+00:00)."""
    if timestamp is None:
        return None
    from flashdeck.clock import local_tz  # deferred: the zone is looked up once, when asked

    return datetime.fromtimestamp(timestamp, local_tz()).isoformat()


SQLITE_MAX_INT = 2**63 - 1


def ascii_int(value: str) -> int | None:
    """`value` as a whole number >= 0 written in plain ASCII digits (no sign, no `_`, no
    full-width or other Unicode digits, which `int()` would all accept); else None."""
    text = str(value).strip()
    if not text or len(text) > 30 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def parse_card_id(value: str) -> int:
    """A card id as the user types it: ASCII digits, optionally after `#` (as titles show
    it), within SQLite's integer range. Anything else is a UsageError."""
    text = str(value).strip()
    card_id = ascii_int(text[1:] if text.startswith("#") else text)
    if card_id is None:
        raise UsageError(f"{value!r} is not a card id (card ids are numbers, see `flashdeck list`)")
    if not 0 < card_id <= SQLITE_MAX_INT:
        raise UsageError(f"{value!r} is not a card id (no card has that number)")
    return card_id


def card_row(col: Collection, card_id: int):
    """The card's whole row (CARD_SELECT: its scheduling columns, note and source too);
    a UsageError for an unknown id."""
    row = col.conn.execute(CARD_SELECT + " WHERE c.id = ?", (card_id,)).fetchone()
    if row is None:
        raise UsageError(f"no card with id {card_id}")
    return row


def get_card(col: Collection, card_id: int) -> CardView:
    return CardView.from_row(card_row(col, card_id))


def deck_clause(deck: str | None, column: str = "c.deck") -> tuple[str, list]:
    """A deck and its subdecks: `flashcards/ml` matches `flashcards/ml/metrics` too, and
    `Flashcards/ML`: letter case aside, as `decknames.in_deck` compares (SQLite's NOCASE and
    LIKE fold ASCII letters; a name with another character is compared by `in_deck` itself,
    registered on every connection)."""
    if not deck:
        return "", []
    deck = deck.strip("/")
    clause = f"{column} = ? COLLATE NOCASE OR {column} LIKE ? ESCAPE '\\'"
    params = [deck, deck.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"]
    if not deck.isascii():
        clause += f" OR in_deck({column}, ?)"
        params.append(deck)
    return f" AND ({clause})", params


# Sources by path, their notes by path, each note's cards by position: each step an index
# walk (CROSS JOIN keeps that order), so rows stream out already sorted.
# What list_cards reads: a CardView's columns, or a CardLine's
_VIEW_COLUMNS = ("c.*, n.relpath AS relpath, n.title AS note_title, s.path AS source_path,"
                 " s.kind AS source_kind")
_LINE_COLUMNS = "c.id, c.deck, c.front, c.state, c.due, c.suspended, s.id IS NULL"

_NOTE_ORDER_SELECT = """
SELECT {columns}
FROM sources s CROSS JOIN notes n CROSS JOIN cards c
WHERE n.source_id = s.id AND c.note_id = n.id
"""

# The cards that walk misses: their note's source row (or note row) is gone, in id order
_SOURCE_MISSING_SELECT = """
SELECT {columns}
FROM cards c LEFT JOIN notes n ON n.id = c.note_id LEFT JOIN sources s ON s.id = n.source_id
WHERE s.id IS NULL
"""

# Studied cards due by a time (one parameter), not suspended: a range of the cards_queue
# index for each state (its rows are sorted after, in note order).
# Cards in the order of a JSON array of ids (one parameter): `list --due`, the queue's order
_IDS_SELECT = """
SELECT {columns}
FROM json_each(?) j CROSS JOIN cards c LEFT JOIN notes n ON n.id = c.note_id
LEFT JOIN sources s ON s.id = n.source_id
WHERE c.id = j.value
"""


class CardLine(NamedTuple):
    """What `flashdeck list` prints of a card (list_cards(lines=True))."""

    id: int
    deck: str
    front: str
    state: str
    due: int | None
    suspended: int
    source_missing: int = 0  # its note's source row is gone (shown marked)


def list_cards(col: Collection, deck: str | None = None, ids: list[int] | None = None,
               include_orphans: bool = False, lines: bool = False):
    """Cards in note order; with `ids`, those cards in that order (the queue's, for `list
    --due`). `lines`: CardLine tuples, read from the row as it comes (no CardView to
    build), for the plain listing of thousands of cards."""
    columns = _LINE_COLUMNS if lines else _VIEW_COLUMNS
    sql = _NOTE_ORDER_SELECT.format(columns=columns)
    params: list = []
    if ids is not None:
        sql = _IDS_SELECT.format(columns=columns)
        params.append("[" + ",".join(str(int(i)) for i in ids) + "]")
    where = "" if include_orphans else " AND c.orphaned = 0"
    clause, extra = deck_clause(deck)
    where += clause
    params += extra
    sql += where
    sql += " ORDER BY j.key" if ids is not None else " ORDER BY s.path, n.relpath, c.position"
    queries = [(sql, params)]
    if ids is None:  # then the cards whose source is gone: counted by `due`, so listed too
        queries.append((_SOURCE_MISSING_SELECT.format(columns=columns) + where
                        + " ORDER BY c.id", extra))
    for sql, params in queries:
        if lines:
            yield from map(CardLine._make, col.conn.execute(sql, params))
            continue
        for row in col.conn.execute(sql, params):
            yield CardView.from_row(row)
