"""Card identity (PRODUCT.md §2): a note's parsed cards matched to the cards the collection
has, so each keeps its id and history through edits, moves, renames and restores.

The rules, in order; each old card is taken at most once, and a stage only sees the cards
the stages before it left:
  1. Exact content in the note: a card whose content key (kind, front, back; see
     ParsedCard.content_key) a card of this note has, takes it: its live cards first, then
     its orphans, the nearest position first. When a duplicated card has fewer copies than
     before, the copies with a history are the ones kept. Then the same text of the other
     of basic and reversed (`Q::A` made `Q:::A`, or back): the forward card is the basic
     one. Rules 3 and 4 too take a reversed card, or a question heading's card, for a
     basic one (`match_kind`).
  2. Exact content elsewhere: among orphans anywhere (a restored note) and the live cards of
     the notes that vanished in this import (a move or rename), lowest id first.
     The vanished notes this note took cards from are "the note it was" (its origins).
  3. One side kept whole: the same kind and the same front (its answer rewritten), else the
     same back (its question reworded), when that side is unique in the note before and now;
     the back first for the kinds whose front flashdeck words (formula, summary, aliases).
     A cloze, edited: the cloze of the note that hides the same text (unique before and
     now), when the paragraph kept most of its characters in any order (a sentence reordered).
     A card of the author's wording kept by its back alone, and a cloze by what it hides,
     stands where the old one stood (`Yes` or `0` tells nothing of the question).
  4. Similarity, for small edits: difflib's SequenceMatcher ratio of "front\\nback" at least
     SIMILARITY_THRESHOLD, same kind, against this note's cards left and the cards of its
     origins (of every vanished note when it has none). Pairs are taken best score first, a
     card keeping its sibling ordinal scoring 0.01 more; ties go to the later card, then the
     higher id.
What is left is added; old live cards left unmatched are orphaned (hidden, never deleted, so a
restored note gets them back).
After the whole import, two notes that both changed are squared up: a card moved to a note
written before the one it left takes back its place from the card added for it
(`reclaim_moved_cards`; also from an untouched copy an earlier import added: a note
copied, its original deleted later) or from the card that took it by similarity
(`return_taken_cards`);
a card moved to another note with a small edit, from the card added for it by similarity
(`_reclaim_edited`).

Stage 4's scoring and candidate index are `collection/similar.py`; the rows a worker makes of
parsed cards are `collection/card_rows.py`. This module holds the rules and the writing.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Iterator

from flashdeck.collection.card_rows import (_N_WRITTEN, _SR, _UPDATE_COLUMNS, CardRow, _as_row,
                                            _written, card_row)
from flashdeck.collection.seed import seed_json, state_from_sr
from flashdeck.collection.similar import (SIMILARITY_THRESHOLD, CandidateIndex, _common_head,
                                         _match_similar, match_kind, similarity)
from flashdeck.collection.sources import FORGOTTEN_PREFIX
from flashdeck.notes.model import ParsedCard, SRSeed


# -- the cards of vanished notes --------------------------------------------------------------


class GoneCards:
    """The live cards of the notes that vanished in this import: by content key, read once
    per import when a note first needs them (a query per note walked every vanished note:
    renaming a folder of 2,000 notes took 17 s), and as a CandidateIndex for similarity. A
    snapshot, kept up to date with this import's claims; a card another import claimed
    meanwhile is found out when checked against the table, and dropped."""

    def __init__(self, conn, note_ids: set[int]) -> None:
        self.conn, self.note_ids = conn, note_ids
        self._by_key: dict[str, list[int]] | None = None
        self._key_of: dict[int, str] = {}
        self._index: CandidateIndex | None = None  # every vanished note's cards
        self._claimed: set[int] = set()

    def claimable(self, wanted: dict[str, int]) -> list:
        """Rows (id, ckey, note_id) of the first `wanted[key]` claimable cards of each key,
        lowest ids first (a key that many notes' cards share, an exercise's, would bring
        them all to every note)."""
        if self._by_key is None:
            self._by_key = {}
            for card_id, key in self.conn.execute(
                    "SELECT id, ckey FROM cards INDEXED BY cards_note WHERE orphaned = 0"
                    " AND note_id IN (SELECT value FROM json_each(?)) ORDER BY id",
                    (_json(self.note_ids),)):
                if card_id not in self._claimed:
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

    def index(self, note_ids: set[int]) -> CandidateIndex:
        """A CandidateIndex of the claimable cards of `note_ids` (vanished notes): of all of
        them, built once per import, or of a few (the notes a moved note was), built now."""
        if note_ids != self.note_ids:
            return self._build(note_ids)
        if self._index is None:
            self._index = self._build(self.note_ids)
        return self._index

    def _build(self, note_ids: set[int]) -> CandidateIndex:
        index = CandidateIndex()
        for row in self.conn.execute(
                "SELECT id, kind, front, back, ordinal, position FROM cards INDEXED BY"
                " cards_note WHERE orphaned = 0 AND note_id IN (SELECT value FROM json_each(?))"
                " ORDER BY position, id", (_json(note_ids),)):  # see CandidateIndex.candidates
            if row["id"] not in self._claimed:
                index.add(row["id"], row["kind"], row["front"], row["back"], row["ordinal"],
                          row["position"])
        return index

    def still_claimable(self, card_id: int) -> bool:
        """Checked against the table (another import may have claimed it meanwhile)."""
        row = self.conn.execute("SELECT note_id, orphaned FROM cards WHERE id = ?",
                                (card_id,)).fetchone()
        if row is not None and not row["orphaned"] and row["note_id"] in self.note_ids:
            return True
        self.drop(card_id)
        return False

    def drop(self, card_id: int) -> None:
        """The card is no longer claimable (this import claimed it, or another did)."""
        self._claimed.add(card_id)
        key = self._key_of.pop(card_id, None)
        if key is not None:
            self._by_key[key].remove(card_id)
        if self._index is not None:
            self._index.discard(card_id)


def _json(ids: set[int]) -> str:
    return "[" + ",".join(map(str, sorted(ids))) + "]"


# -- matching and writing a note's cards ------------------------------------------------------


def sync_note_cards(conn, note_id: int, cards: list[ParsedCard] | list[tuple],
                    gone_notes: set[int], now: int,
                    gone_keys: GoneCards | None = None,
                    orphaned_out: list[int] | None = None,
                    rewritten_out: dict[int, tuple] | None = None) -> tuple[int, int, int]:
    """Match a note's parsed cards to existing cards (the rules: the module docstring) and
    write them; returns (added, updated, orphaned). `cards`: ParsedCards, or CardRow-shaped
    tuples (from a worker).

    `gone_notes`: ids of notes whose files vanished in this import; their cards not yet
    claimed by another note may be claimed by this one (a move or rename).
    `orphaned_out`: the ids of the cards this note left are appended to it (see
    `reclaim_moved_cards`); `rewritten_out`: each card of this note given other content
    (rules 3 and 4) -> its columns before (see `return_taken_cards`)."""
    if not gone_notes:
        gone_keys = None
    elif gone_keys is None:
        gone_keys = GoneCards(conn, gone_notes)
    existing = {
        row["id"]: row for row in conn.execute(
            "SELECT id, kind, front, back, ckey, ordinal, block, position, orphaned, line, deck,"
            " breadcrumb, exercise, note_id, reps, state, sr_seed FROM cards WHERE note_id = ?",
            (note_id,))
    }
    if not existing and gone_keys is None and not _orphans_exist(conn):
        # nothing any rule could match (no cards of this note, no vanished notes, no
        # orphans): every card is new, as every note's of a first import
        return _write_new(conn, note_id, cards, now)
    rows = [_as_row(card) for card in cards]
    matched: dict[int, int] = {}  # new index -> card id
    taken: set[int] = set()
    if existing:  # rules 1 and 3 match against the note's own cards: a new note has none
        _match_exact_in_note(rows, existing, matched, taken)
    origins = _match_exact_elsewhere(conn, note_id, rows, matched, taken, gone_keys)
    if existing:
        _match_one_side(rows, existing, matched, taken)
        _match_cloze_answer(rows, existing, matched, taken)
    pending = [(index, row) for index, row in enumerate(rows) if index not in matched]
    # nothing left to match against (a new note, nothing vanished): every card is new
    if pending and (gone_notes or any(card_id not in taken for card_id in existing)):
        pool = CandidateIndex()  # this note's cards left, in the order of their places
        for old in sorted(existing.values(), key=itemgetter("position", "id")):
            if old["id"] not in taken:
                pool.add(old["id"], old["kind"], old["front"], old["back"], old["ordinal"],
                         old["position"])
        pools = [pool]
        if gone_notes:  # the note(s) it was, else every vanished note
            pools.append(gone_keys.index(origins or gone_notes))
        _match_similar(pending, pools, matched, taken,
                       None if gone_keys is None else
                       lambda card_id: card_id in existing or gone_keys.still_claimable(card_id))
    if gone_keys is not None:
        for card_id in matched.values():
            gone_keys.drop(card_id)
    return _write(conn, note_id, rows, existing, matched, taken, now, orphaned_out,
                  rewritten_out)


def _match_exact_in_note(rows: list[CardRow], existing: dict, matched: dict[int, int],
                         taken: set[int]) -> None:
    """Rule 1: exact content, in this note (live cards first, then its orphans), by nearest
    position."""
    by_key: dict[str, list] = {}
    for old in existing.values():
        by_key.setdefault(old["ckey"], []).append(old)
    # fewer copies of a duplicated card than before: the copies with a history stay (which
    # copy was deleted cannot be told, and nearest position alone orphaned the answered one)
    indices_by_key: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        indices_by_key.setdefault(row.ckey, []).append(index)
    for key, indices in indices_by_key.items():
        live = [old for old in by_key.get(key, ()) if not old["orphaned"]]
        if len(live) > len(indices) > 0:
            keep = sorted(live, key=lambda r: (r["reps"] == 0, r["position"]))[:len(indices)]
            for index, old in zip(indices, sorted(keep, key=lambda r: r["position"])):
                matched[index] = old["id"]
                taken.add(old["id"])
    _take_nearest(rows, by_key, attrgetter("ckey"), matched, taken)
    # the same text, now reversed or no longer (`Q::A` <-> `Q:::A`, `?` <-> `??`): the
    # forward card is the basic one
    if len(matched) < len(rows) and any(row.kind in _BASIC_OR_REVERSED for row in rows):
        by_text: dict[tuple, list] = {}
        for old in existing.values():
            if old["kind"] in _BASIC_OR_REVERSED:
                by_text.setdefault((old["front"], old["back"]), []).append(old)
        _take_nearest(rows, by_text, lambda row: (
            (row.front, row.back) if row.kind in _BASIC_OR_REVERSED else None),
            matched, taken)


_BASIC_OR_REVERSED = frozenset({"basic", "reversed"})


def _take_nearest(rows: list[CardRow], by_key: dict, key_of, matched: dict[int, int],
                  taken: set[int]) -> None:
    """Each row not matched yet takes the card of its key (`key_of(row)`) in `by_key` not
    taken yet: a live one before an orphan, the nearest position first."""
    for index, row in enumerate(rows):
        if index in matched:
            continue
        candidates = [old for old in by_key.get(key_of(row), ()) if old["id"] not in taken]
        if candidates:
            best = min(candidates, key=lambda r: (r["orphaned"], abs(r["position"] - index)))
            matched[index] = best["id"]
            taken.add(best["id"])


def _match_exact_elsewhere(conn, note_id: int, rows: list[CardRow], matched: dict[int, int],
                           taken: set[int], gone_keys: GoneCards | None) -> set[int]:
    """Rule 2: exact content among orphans anywhere (a restored note), then among the cards
    of the notes vanished in this import (a moved or renamed note). Returns the vanished
    notes this note took cards from: the note it was, before a move.

    The orphans of a source the user forgot (`flashdeck forget`) while its folder (or file)
    is still there wait for that source's return: a note of another vault does not take
    them (a card `Tea::Tee` in vault B took the history of the one in vault A, forgotten,
    and A imported again got a new card). Once that path is gone (the vault moved, or
    replaced by the one imported now) they are any note's again, as orphans are."""
    pending = [(index, row) for index, row in enumerate(rows) if index not in matched]
    if not pending:
        return set()
    keys = sorted({row.ckey for _, row in pending})
    orphans: dict[str, list] = {}
    gone_note_of: dict[int, int] = {}  # card id -> its vanished note
    found = []
    for start in range(0, len(keys), 500):  # orphans: their index holds only orphans
        chunk = keys[start:start + 500]
        found += conn.execute(
            "SELECT id, ckey, (SELECT s.path FROM notes n JOIN sources s ON s.id = n.source_id"
            f" JOIN meta m ON m.key = '{FORGOTTEN_PREFIX}' || s.id WHERE n.id = cards.note_id"
            " AND s.id != (SELECT source_id FROM notes WHERE id = ?)) AS forgotten"
            " FROM cards INDEXED BY cards_ckey WHERE orphaned = 1"
            f" AND ckey IN ({','.join('?' * len(chunk))})", (note_id, *chunk)).fetchall()
    if any(row["forgotten"] is not None for row in found):  # a stat per forgotten source
        there = {path: os.path.lexists(path) for path in {row["forgotten"] for row in found}
                 if path is not None}
        found = [row for row in found if not there.get(row["forgotten"], False)]
    if gone_keys is not None:  # the cards of notes gone in this import, still where they were
        wanted: dict[str, int] = {}
        for _, row in pending:
            wanted[row.ckey] = wanted.get(row.ckey, 0) + 1
        for old in gone_keys.claimable(wanted):
            gone_note_of[old["id"]] = old["note_id"]
            found.append(old)
    for old in sorted(found, key=lambda r: r["id"]):
        if old["id"] not in taken:
            orphans.setdefault(old["ckey"], []).append(old["id"])
    for index, row in pending:
        ids = [i for i in orphans.get(row.ckey, ()) if i not in taken]
        if ids:
            matched[index] = ids[0]
            taken.add(ids[0])
    return {gone_note_of[i] for i in matched.values() if i in gone_note_of}


_WORDED_BY_US = frozenset({"formula", "summary", "aliases"})  # kinds whose front we phrase


def _match_one_side(rows: list[CardRow], existing: dict, matched: dict[int, int],
                    taken: set[int]) -> None:
    """Rule 3: a card of this note with the same kind and the same front (its answer
    rewritten) or the same back (its question reworded, as when flashdeck asks a derived
    card differently), when that side is unique in the note both before and now. A question
    the author reworded keeps the card's place: a card of the author's wording that shares
    only its back with an old one takes it only where that one stood (`_in_place`), as an
    answer such as `Yes` or `2` tells nothing of the question (a new `…?::Yes` written at the
    end of the note took the history of a `…?::Yes` deleted at its top, and that card,
    restored, came back new)."""
    if len(matched) == len(rows):
        return
    # A formula's, summary's or aliases card's front is flashdeck's wording, its back the
    # author's: the back speaks first (two formulas of one name, `σ = ?` asked again with
    # its sentence, must not swap their histories because the other one's front is free).
    for side, kinds in (("back", _WORDED_BY_US), ("front", None), ("back", None)):
        places = _places(existing, matched) if side == "back" and kinds is None else None
        side_of = attrgetter(side)
        now_count: dict[tuple[str, str], int] = {}
        for row in rows:
            key = (match_kind(row.kind), side_of(row))
            now_count[key] = now_count.get(key, 0) + 1
        before: dict[tuple[str, str], list[int]] = {}
        for old in existing.values():
            before.setdefault((match_kind(old["kind"]), old[side]), []).append(old["id"])
        for index, row in enumerate(rows):
            if index in matched or (kinds is not None and row.kind not in kinds):
                continue
            key = (match_kind(row.kind), side_of(row))
            ids = before.get(key, ())
            if now_count.get(key) == 1 and len(ids) == 1 and ids[0] not in taken and (
                    places is None or row.kind in _WORDED_BY_US
                    or _in_place(index, existing[ids[0]]["position"], places)):
                matched[index] = ids[0]
                taken.add(ids[0])


def _places(existing: dict, matched: dict[int, int]) -> list[tuple[int, int]]:
    """The cards of this note matched so far, as (old position, new index), sorted: what
    `_in_place` goes by."""
    return sorted((existing[card_id]["position"], index) for index, card_id in matched.items()
                  if card_id in existing)


def _in_place(index: int, position: int, places: list[tuple[int, int]]) -> bool:
    """Whether the new card at `index` stands where the old card at `position` stood:
    between the places now of the nearest cards around it before that the earlier rules
    matched (`places`: (old position, new index), sorted; either end open when there is
    none)."""
    at = bisect_left(places, (position,))
    before = places[at - 1][1] if at else -1
    after = bisect_left(places, (position + 1,))
    return before < index and (after == len(places) or index < places[after][1])


def _asked(front: str, back: str) -> str:
    """What a cloze card hides: its back between what its front and back share at their
    start and at their end (`==TP / (TP + FP)==` of `Precision is [...], …`), whatever the
    marker or hint."""
    head = _common_head(front, back)
    tail = _common_head(front[head:][::-1], back[head:][::-1])
    return back[head:len(back) - tail]


def _match_cloze_answer(rows: list[CardRow], existing: dict, matched: dict[int, int],
                        taken: set[int]) -> None:
    """Rule 3 for a cloze: a cloze card of this note that hides the same text, unique in the
    note before and now, when the two paragraphs share most of their characters in any order
    (difflib's quick_ratio at least SIMILARITY_THRESHOLD): its sentence reordered or its
    deletions moved about (`precision and recall` made `recall and precision`), which
    similarity, reading in order, would give the other deletion's card or none. The
    paragraph stands where it stood (`_in_place`): two English sentences of a length share
    most of their characters in any order, and a deletion such as `0` tells nothing, so a new
    `A ReLU outputs ==0== for every negative input…` at the end of the note took the history
    of `The F1 score is ==0== when…`, deleted at its top."""
    pending = [index for index, row in enumerate(rows)
               if index not in matched and row.kind == "cloze"]
    if not pending:
        return
    from difflib import SequenceMatcher  # deferred: only edited clozes are compared

    now_count: dict[str, int] = {}
    asked_now: dict[int, str] = {}
    for index, row in enumerate(rows):
        if row.kind == "cloze":
            asked = asked_now[index] = _asked(row.front, row.back)
            now_count[asked] = now_count.get(asked, 0) + 1
    before: dict[str, list] = {}
    for old in existing.values():
        if old["kind"] == "cloze":
            before.setdefault(_asked(old["front"], old["back"]), []).append(old)
    places = _places(existing, matched)
    for index in pending:
        asked, row = asked_now[index], rows[index]
        olds = before.get(asked, ())
        if not asked or now_count[asked] != 1 or len(olds) != 1 or olds[0]["id"] in taken:
            continue
        old = olds[0]
        if _in_place(index, old["position"], places) and SequenceMatcher(None, f"{row.front}\n{row.back}", f"{old['front']}\n{old['back']}",
                           autojunk=False).quick_ratio() >= SIMILARITY_THRESHOLD:
            matched[index] = old["id"]
            taken.add(old["id"])


def _orphans_exist(conn) -> bool:
    """Whether any card is orphaned (their index holds only orphans: one seek)."""
    return conn.execute("SELECT EXISTS (SELECT 1 FROM cards INDEXED BY cards_ckey"
                        " WHERE orphaned = 1)").fetchone()[0] == 1


def _write_new(conn, note_id: int, cards: list[ParsedCard] | list[tuple],
               now: int) -> tuple[int, int, int]:
    """`_write` with nothing matched, without making CardRows: the same rows, in the same
    order (those with a plugin schedule as they come, then the rest in one go)."""
    plain: list[tuple] = []
    for index, card in enumerate(cards):
        row = card if isinstance(card, tuple) else card_row(card)
        if row[_SR] is None:
            plain.append((note_id, index, *row[:_N_WRITTEN], now))
        else:
            _insert_card(conn, (note_id, index, *row[:_N_WRITTEN]), row[_SR], now)
    _insert_plain(conn, plain)
    return len(cards), 0, 0


def in_chunks(values: list, size: int = 500) -> Iterator[tuple[list, str]]:
    """`values` in chunks of at most `size` (SQLite's limit on bound parameters), each with
    its `?, ?, …` placeholders for an `IN (…)`."""
    for start in range(0, len(values), size):
        chunk = values[start:start + size]
        yield chunk, ",".join("?" * len(chunk))


def _write(conn, note_id: int, rows: list[CardRow], existing: dict, matched: dict[int, int],
           taken: set[int], now: int, orphaned_out: list[int] | None = None,
           rewritten_out: dict[int, tuple] | None = None) -> tuple[int, int, int]:
    """Insert the new cards, update the kept ones that changed, orphan the old ones left."""
    added = updated = 0
    plain: list[tuple] = []  # new cards without a plugin schedule: inserted in one go
    changed: list[tuple] = []  # matched cards whose columns changed
    for index, row in enumerate(rows):
        values = (note_id, index, *_written(row))  # in _UPDATE_COLUMNS' order
        card_id = matched.get(index)
        if card_id is None:
            if row.sr is None:
                plain.append((*values, now))
            else:
                _insert_card(conn, values, row.sr, now)
            added += 1
            continue
        old = existing.get(card_id)
        if row.sr is not None and old is not None and _takes_seed(conn, card_id, old, row.sr):
            _seed_card(conn, card_id, row.sr)
        if old is not None and not old["orphaned"] and all(
            old[c] == v for c, v in zip(_UPDATE_COLUMNS, values)
        ):
            continue  # nothing changed
        changed.append((*values, card_id))
        if rewritten_out is not None and old is not None and not old["orphaned"] \
                and old["ckey"] != row.ckey and len(rewritten_out) < REWRITTEN_KEPT:
            rewritten_out.setdefault(card_id, tuple(old[c] for c in _UPDATE_COLUMNS))
        if old is None or old["front"] != row.front or old["back"] != row.back \
                or old["orphaned"] or old["deck"] != row.deck:
            updated += 1
    if changed:  # kept cards with new content or place: updated in one go
        conn.executemany(_UPDATE, changed)
    _insert_plain(conn, plain)
    left = [i for i, old in existing.items() if i not in taken and not old["orphaned"]]
    for chunk, marks in in_chunks(left):
        conn.execute(f"UPDATE cards SET orphaned = 1 WHERE id IN ({marks})", chunk)
    if orphaned_out is not None:
        orphaned_out.extend(left)
    return added, updated, len(left)


_UPDATE = (f"UPDATE cards SET {', '.join(c + ' = ?' for c in _UPDATE_COLUMNS)}, orphaned = 0"
           " WHERE id = ?")
_PLAIN_INSERT = (f"INSERT INTO cards ({', '.join(_UPDATE_COLUMNS)}, added)"
                 f" VALUES ({', '.join('?' * (len(_UPDATE_COLUMNS) + 1))})")
# _insert_plain's statements: one for each count of rows up to _ROWS_AT_ONCE, each prepared
# once per connection (sqlite3 keeps the last 128 statements prepared)
_ROWS_AT_ONCE = 32
_ONE_ROW = f"({', '.join('?' * (len(_UPDATE_COLUMNS) + 1))})"
_INSERT_ROWS = {rows: _PLAIN_INSERT + f", {_ONE_ROW}" * (rows - 1)
                for rows in range(1, _ROWS_AT_ONCE + 1)}


def _insert_plain(conn, plain: list[tuple]) -> None:
    """Insert cards (`_PLAIN_INSERT`'s values each), in their order, so their ids come in
    that order: up to _ROWS_AT_ONCE rows to a statement, as binding and stepping one
    statement per row was ~40% of a cold import's inserting (88.8k cards: 0.75 -> 0.52 s
    of CPU)."""
    for at in range(0, len(plain), _ROWS_AT_ONCE):
        rows = plain[at:at + _ROWS_AT_ONCE]
        conn.execute(_INSERT_ROWS[len(rows)], list(chain.from_iterable(rows)))


def _takes_seed(conn, card_id: int, old, sr: SRSeed) -> bool:
    """Whether a kept card takes the plugin's schedule in its note: a card never answered
    here does, when it has no seed yet (a comment an older flashdeck could not read, or one
    added since) or when the plugin has rewritten its comment since (the user still reviews
    in Obsidian too). Once it has an answer here, flashdeck's own history wins."""
    if old["sr_seed"] is None:
        return old["state"] == "new" and not old["reps"]
    if old["sr_seed"] == seed_json(sr):
        return False
    return conn.execute(
        "SELECT 1 FROM reviews WHERE card_id = ? LIMIT 1", (card_id,)).fetchone() is None


def _seed_card(conn, card_id: int, sr: SRSeed) -> None:
    state = state_from_sr(sr)
    if state is None:
        return
    columns = ["sr_seed", *state.keys()]
    conn.execute(f"UPDATE cards SET {', '.join(c + ' = ?' for c in columns)},"
                 " version = version + 1 WHERE id = ?", (seed_json(sr), *state.values(), card_id))


def _insert_card(conn, values: tuple, sr: SRSeed, now: int) -> int:
    """A new card seeded from the plugin's schedule (SM-2 or FSRS form); a seed that cannot
    be used (the parser warned about it already) makes it a plain new card."""
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


# -- cards that moved to a note written before the one they left -------------------------------

_STATE_COLUMNS = ("state", "due", "step", "stability", "difficulty", "last_review", "reps",
                  "lapses", "sr_seed")


def reclaim_moved_cards(conn, orphaned: list[int], newer_than: int,
                        this_import: int) -> tuple[int, int]:
    """Rule 2 for a card that moved between two notes that both changed, when the note it
    went to was written first: that note found it still live in the note it left, and made
    it a new card; the note it left then orphaned it. Each card orphaned in this import
    (`orphaned`) whose exact content a card added since (id above `newer_than`: by this
    import, or by one killed since the last that ran to its end) has, takes that card's
    place, lowest ids first, as rule 2 would have had it, if that card was never answered,
    crammed or synced; the added copy is deleted. Returns how many were reclaimed, and how
    many of the copies deleted this import added (id above `this_import`).
    A copy an earlier import added (a note duplicated into another folder, imported, and
    the original deleted later: the history stayed hidden with the orphans while the copy
    came up new) is taken too, by an answered orphan imported before the copy (two notes
    with the same cards from the start each keep their own), when nothing ever touched
    the copy (never answered, crammed, synced, suspended, buried or seeded).
    Call inside a transaction."""
    olds: dict[str, list] = {}
    for chunk, marks in in_chunks(orphaned):
        for row in conn.execute(  # still orphaned: another import may have revived it
                "SELECT id, ckey, state, reps, sr_seed, added FROM cards WHERE orphaned = 1"
                f" AND id IN ({marks}) ORDER BY id", chunk):
            olds.setdefault(row["ckey"], []).append(row)
    if not olds:
        return 0, 0
    synced = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'anki_cards'").fetchone()
    keys = sorted(olds)
    untouched = (" AND NOT EXISTS (SELECT 1 FROM reviews WHERE card_id = cards.id)"
                 " AND NOT EXISTS (SELECT 1 FROM cram_log WHERE card_id = cards.id)"
                 + (" AND NOT EXISTS (SELECT 1 FROM anki_cards WHERE card_id = cards.id)"
                    if synced else ""))
    added = []
    for chunk, marks in in_chunks(keys):
        added += conn.execute(
            f"SELECT id, ckey, sr_seed, added, 1 AS fresh FROM cards WHERE id > ?"
            f" AND orphaned = 0 AND ckey IN ({marks})" + untouched,
            (newer_than, *chunk)).fetchall()
    # copies of earlier imports: above the oldest answered orphan, never touched; one pass
    # over those cards (no index holds live cards by content)
    floor = min((row["id"] for rows in olds.values() for row in rows if row["reps"]),
                default=newer_than)
    if floor < newer_than:
        copies = [card_id for card_id, key in conn.execute(
            "SELECT id, ckey FROM cards WHERE id > ? AND id <= ? AND orphaned = 0"
            " AND version = 0 AND suspended = 0 AND buried_until IS NULL", (floor, newer_than))
            if key in olds]
        for chunk, marks in in_chunks(copies):
            added += conn.execute(
                "SELECT id, ckey, sr_seed, added, 0 AS fresh FROM cards"
                f" WHERE id IN ({marks})" + untouched, chunk).fetchall()
    reclaimed = added_now = 0
    # this import's copies first (as before), then the earlier ones
    for new in sorted(added, key=lambda row: (not row["fresh"], row["id"])):
        waiting = olds.get(new["ckey"])
        if not waiting:
            continue
        if new["fresh"]:
            old = waiting.pop(0)
        else:  # taken only by an answered orphan imported before the copy was
            old = next((o for o in waiting if o["reps"] and o["id"] < new["id"]
                        and o["added"] < new["added"]), None)
            if old is None:
                continue
            waiting.remove(old)
        _take_place(conn, old, new)
        reclaimed += 1
        added_now += new["id"] > this_import
    left = [old["id"] for waiting in olds.values() for old in waiting]
    if left:  # moved and edited at once: rule 4 across the two notes
        again, again_now = _reclaim_edited(conn, left, newer_than, this_import, synced)
        reclaimed += again
        added_now += again_now
    return reclaimed, added_now


def _take_place(conn, old, new) -> None:
    """The orphan `old` takes the place and content of the card `new` (added since), which is
    deleted: an unanswered orphan takes its plugin schedule too, as `_write` would."""
    columns = list(_UPDATE_COLUMNS)
    if new["sr_seed"] is not None and old["state"] == "new" and not old["reps"] \
            and old["sr_seed"] is None:
        columns += _STATE_COLUMNS
    conn.execute(f"UPDATE cards SET ({', '.join(columns)}) = (SELECT {', '.join(columns)}"
                 " FROM cards WHERE id = ?), orphaned = 0 WHERE id = ?", (new["id"], old["id"]))
    conn.execute("DELETE FROM cards WHERE id = ?", (new["id"],))


MOVED_CANDIDATES = 3  # cards added elsewhere an orphan is scored against, most alike first


def _reclaim_edited(conn, left: list[int], newer_than: int, this_import: int,
                    synced) -> tuple[int, int]:
    """Rule 4 for a card cut from one note and pasted, with a small edit, into another
    (`Recall::The share of actual positives found…` made `…positives that are found…` in a
    note of its own): neither note had it to compare with, as the note it went to was
    written before the note it left orphaned it, or found it an orphan of a note still
    there; it became a new card and the answered one an orphan. Each orphan of this import
    that `reclaim_moved_cards` left (`left`) from a note still there (a vanished note's
    cards were compared with every note's new cards already) is scored, as rule 4 scores,
    against the MOVED_CANDIDATES cards added since `newer_than` to other notes that share
    most of its trigrams, never answered, crammed or synced; pairs at SIMILARITY_THRESHOLD
    or above are taken best first, and the orphan takes the place of the card it matched.
    Returns (reclaimed, of which added by this import)."""
    olds = []
    for chunk, marks in in_chunks(sorted(left)):
        olds += conn.execute(
            "SELECT c.id, c.kind, c.front, c.back, c.note_id, c.state, c.reps, c.sr_seed"
            " FROM cards c JOIN notes n ON n.id = c.note_id WHERE n.present = 1"
            f" AND c.orphaned = 1 AND c.id IN ({marks}) ORDER BY c.id", chunk).fetchall()
    if not olds:
        return 0, 0
    kinds = {match_kind(old["kind"]) for old in olds}
    pool = CandidateIndex()
    added: dict[int, object] = {}
    for row in conn.execute(  # in the order of their places (see CandidateIndex.candidates)
            "SELECT id, kind, front, back, ordinal, position, note_id, sr_seed FROM cards"
            " WHERE id > ? AND orphaned = 0"
            " AND NOT EXISTS (SELECT 1 FROM reviews WHERE card_id = cards.id)"
            " AND NOT EXISTS (SELECT 1 FROM cram_log WHERE card_id = cards.id)"
            + (" AND NOT EXISTS (SELECT 1 FROM anki_cards WHERE card_id = cards.id)"
               if synced else "") + " ORDER BY position, id", (newer_than,)):
        if match_kind(row["kind"]) in kinds:
            pool.add(row["id"], row["kind"], row["front"], row["back"], row["ordinal"],
                     row["position"])
            added[row["id"]] = row
    if not added:
        return 0, 0
    from difflib import SequenceMatcher  # deferred: only orphans of edited notes are compared

    pairs = []
    for at, old in enumerate(olds):
        text = f"{old['front']}\n{old['back']}"
        matcher = SequenceMatcher(None, b=text, autojunk=False)
        for candidate in pool.candidates(old["kind"], text, 0, 0, limit=MOVED_CANDIDATES):
            new = added[candidate.old.id]
            if new["note_id"] == old["note_id"]:
                continue  # rule 4 in its own note did not take it: not moved
            score = similarity(candidate.old.text, text, matcher)
            if score >= SIMILARITY_THRESHOLD:
                pairs.append((-score, old["id"], new["id"], at))
    reclaimed = added_now = 0
    done: set[int] = set()
    for _, old_id, new_id, at in sorted(pairs):
        if old_id in done or new_id in done:
            continue
        done.update((old_id, new_id))
        _take_place(conn, olds[at], added[new_id])
        reclaimed += 1
        added_now += new_id > this_import
    return reclaimed, added_now


# -- cards that took the place of a card another note still had --------------------------------

# the rewritten cards an import keeps the old content of (a new parser may rewrite a whole
# vault's cards: its memory stays bounded; cards moved in such an import are not looked at)
REWRITTEN_KEPT = 20_000


def return_taken_cards(conn, orphaned: list[int], rewritten: dict[int, tuple],
                       started: int) -> list[int]:
    """Rule 2 before rule 4, across two notes that both changed: a card pasted into a note
    that lost a similar card at once (`Capital of France::Paris` moved into the note where
    `Capital of Peru::Lima` was deleted) took that card by similarity, when the note it left
    still had it; the note it left then orphaned it. Each card orphaned in this import
    (`orphaned`) whose exact content a card of another note now has that this import
    rewrote (`rewritten`: id -> its columns before) takes that card's place, and that card
    gets back its content and is the orphan: the history of each stays with its question.
    Two cards that took each other's place (two notes' cards swapped) are swapped back.
    A card answered after the import began (`started`) is left as it is. Returns the ids of
    the cards that gave a place back and are orphans now. Call inside a transaction."""
    ckey_at = _UPDATE_COLUMNS.index("ckey")
    note_at = _UPDATE_COLUMNS.index("note_id")
    ids = sorted(rewritten)
    now_rows: dict[int, tuple] = {}
    for chunk, marks in in_chunks(ids):
        for row in conn.execute(
                f"SELECT id, {', '.join(_UPDATE_COLUMNS)} FROM cards WHERE orphaned = 0 AND id IN"
                f" ({marks}) AND NOT EXISTS (SELECT 1 FROM reviews WHERE card_id = cards.id"
                " AND reviewed_at > ?)", (*chunk, started)):
            now_rows[row["id"]] = tuple(row[c] for c in _UPDATE_COLUMNS)
    if not now_rows:
        return []
    by_key: dict[str, list[int]] = {}  # content now -> the rewritten cards that have it
    for card_id in sorted(now_rows):
        by_key.setdefault(now_rows[card_id][ckey_at], []).append(card_id)
    columns = ", ".join(f"{c} = ?" for c in _UPDATE_COLUMNS)
    returned: list[int] = []
    done: set[int] = set()
    for chunk, marks in in_chunks(orphaned):
        for old in conn.execute(f"SELECT id, ckey, note_id FROM cards WHERE orphaned = 1 AND"
                                f" id IN ({marks}) ORDER BY id", chunk).fetchall():
            takers = [i for i in by_key.get(old["ckey"], ())
                      if i not in done and now_rows[i][note_at] != old["note_id"]]
            if not takers:
                continue
            taker = takers[0]
            done.add(taker)
            conn.execute(f"UPDATE cards SET {columns}, orphaned = 0 WHERE id = ?",
                         (*now_rows[taker], old["id"]))
            conn.execute(f"UPDATE cards SET {columns}, orphaned = 1 WHERE id = ?",
                         (*rewritten[taker], taker))
            returned.append(taker)
    for card_id in sorted(now_rows):  # swapped: each has the content the other had
        if card_id in done:
            continue
        before = rewritten[card_id]
        others = [i for i in by_key.get(before[ckey_at], ())
                  if i not in done and i != card_id
                  and rewritten[i][ckey_at] == now_rows[card_id][ckey_at]
                  and now_rows[i][note_at] != before[note_at]]
        if not others:
            continue
        other = others[0]
        done.update((card_id, other))
        conn.execute(f"UPDATE cards SET {columns} WHERE id = ?", (*now_rows[other], card_id))
        conn.execute(f"UPDATE cards SET {columns} WHERE id = ?", (*now_rows[card_id], other))
    return returned
