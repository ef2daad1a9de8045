"""Card identity (PRODUCT.md §2): a note's parsed cards matched to the cards the collection
has, so each keeps its id and history through edits, moves, renames and restores.

Exact content first (in the note, then among orphans anywhere, then the cards of notes that
vanished in this import), then one side kept whole (same front, or same back), then
similarity for small edits; what is left is added, and old cards left unmatched are
orphaned (hidden, never deleted, so a restored note gets them back)."""

from __future__ import annotations

from typing import NamedTuple

from flashdeck.notes.model import ParsedCard, SRSeed

SIMILARITY_THRESHOLD = 0.6


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
