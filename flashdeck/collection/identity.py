"""Card identity (PRODUCT.md §2): a note's parsed cards matched to the cards the collection
has, so each keeps its id and history through edits, moves, renames and restores.

The rules, in order; each old card is taken at most once, and a stage only sees the cards
the stages before it left:
  1. Exact content in the note: a card whose content key (kind, front, back; see
     ParsedCard.content_key) a card of this note has, takes it: its live cards first, then
     its orphans, the nearest position first. When a duplicated card has fewer copies than
     before, the copies with a history are the ones kept.
  2. Exact content elsewhere: among orphans anywhere (a restored note) and the live cards of
     the notes that vanished in this import (a move or rename), lowest id first.
     The vanished notes this note took cards from are "the note it was" (its origins).
  3. One side kept whole: the same kind and the same front (its answer rewritten), else the
     same back (its question reworded), when that side is unique in the note before and now.
  4. Similarity, for small edits: difflib's SequenceMatcher ratio of "front\\nback" at least
     SIMILARITY_THRESHOLD, same kind, against this note's cards left and the cards of its
     origins (of every vanished note when it has none). Pairs are taken best score first, a
     card keeping its sibling ordinal scoring 0.01 more; ties go to the later card, then the
     higher id.
What is left is added; old live cards left unmatched are orphaned (hidden, never deleted, so a
restored note gets them back).

Similarity in near-linear time (comparing every edited card with every old card took 5
minutes for one note of 1,000 edited cards, inside the write transaction):
  - Candidates. Each edited card is compared only with the old cards of its kind that share
    the most of its rarer character trigrams (a `CandidateIndex`, (kind, trigram) -> old
    cards; a card looks at POSTINGS_BUDGET index entries at most, rarest trigrams first, and
    when none is rare, at the cards nearest its place): CANDIDATES of them, CANDIDATES more
    while the ones offered went to other cards, MAX_CANDIDATES in all. With ALL_PAIRS
    pairs or fewer (a few edited cards, a note of few cards) all are compared, as before.
    The cards of every vanished note are indexed once per import (`GoneCards.index`).
  - Lazy scores. Each pair enters a heap at difflib's quick_ratio (an upper bound: the
    characters shared in any order) and is scored only when it reaches the top; at one value
    bounds come out before scores, so pairs are taken in the order a sort of all scored pairs
    gives, while most are never scored.
  - Bounded texts. Past SHORT_TEXT characters a pair is compared by what lies between its
    common head and tail, at most MAX_TEXT characters of it (`similarity`).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter
from operator import attrgetter, itemgetter
from typing import NamedTuple

from flashdeck.collection.seed import seed_json, state_from_sr
from flashdeck.notes.model import ParsedCard, SRSeed

SIMILARITY_THRESHOLD = 0.6
CANDIDATES = 8  # old cards compared with an edited card, and again while those are taken
MAX_CANDIDATES = 32  # at most, per edited card
ALL_PAIRS = 2048  # as many edited-old pairs or fewer: all compared, no index needed
POSTINGS_BUDGET = 400  # index entries an edited card visits to find its candidates
SHORT_TEXT = 400  # two texts this long in all are compared whole (see `similarity`)
MAX_TEXT = 1000  # characters compared at most (their head and tail) and indexed


class CardRow(NamedTuple):
    """A parsed card as the writer needs it: the insert's values (see _UPDATE_COLUMNS),
    content hash included. The one place these columns are named. Made in the worker, so
    the hashing is done on all cores rather than by the one writer; it crosses the process
    boundary as a plain tuple (`card_row`: a NamedTuple or dataclass costs ~4x more to
    unpickle), and the writer reads it as a CardRow (`CardRow._make`), by name."""

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
    """`card` as a plain tuple in CardRow's order (what workers send)."""
    return (card.kind, card.front, card.back, content_hash(card), card.line, card.deck,
            card.block, card.ordinal, " › ".join(card.breadcrumb), card.exercise, card.sr)


def content_hash(card: ParsedCard) -> str:
    from hashlib import blake2b  # deferred: an unchanged vault's re-import never hashes

    return blake2b(card.content_key.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


# the columns of CardRow the cards table holds (the schedule seed is written apart)
_WRITTEN = tuple(name for name in CardRow._fields if name != "sr")
_written = attrgetter(*_WRITTEN)  # a CardRow's values for those columns, by name
# the columns an import writes: the note, the place in it, then CardRow's
_UPDATE_COLUMNS = ("note_id", "position", *_WRITTEN)


def _as_row(card: ParsedCard | tuple) -> CardRow:
    return CardRow._make(card if isinstance(card, tuple) else card_row(card))


# -- the candidate index ----------------------------------------------------------------------


def similarity(text: str, other: str, matcher=None) -> float:
    """difflib's SequenceMatcher ratio of an edited card's text and an old card's (`matcher`:
    one with `other` as its second sequence, reused). Past SHORT_TEXT characters in all, the
    head and tail they share count as matched and only what lies between is compared; past
    MAX_TEXT of that, its own head and tail, the matches found scaled to the whole (the
    ratio costs up to ~0.1 s a pair of 1,000-character texts)."""
    from difflib import SequenceMatcher  # deferred: only edited cards are compared

    total = len(text) + len(other)
    if total <= SHORT_TEXT:
        if matcher is None:
            matcher = SequenceMatcher(None, b=other, autojunk=False)
        matcher.set_seq1(text)
        return matcher.ratio()
    head = _common_head(text, other)
    tail = _common_head(text[head:][::-1], other[head:][::-1])
    a, b = text[head:len(text) - tail], other[head:len(other) - tail]
    middle = len(a) + len(b)
    if middle > MAX_TEXT:
        quarter = MAX_TEXT // 4
        a, b = (s if len(s) <= 2 * quarter else s[:quarter] + s[-quarter:] for s in (a, b))
    matches = sum(size for _, _, size in SequenceMatcher(
        None, a, b, autojunk=False).get_matching_blocks())
    if a or b:
        matches *= middle / (len(a) + len(b))
    return 2.0 * (head + tail + matches) / total


def _common_head(a: str, b: str) -> int:
    """The length of the longest common prefix."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _grams(text: str) -> set[str]:
    """The character trigrams of a text (of its head and tail past MAX_TEXT)."""
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT // 2] + text[-MAX_TEXT // 2:]
    return {text[i:i + 3] for i in range(len(text) - 2)} or {text}


class OldCard(NamedTuple):
    """An old card in a CandidateIndex."""

    id: int
    kind: str
    text: str  # front and back, as similarity compares them
    ordinal: int
    position: int


class Candidate(NamedTuple):
    """An old card found for an edited one: rank, the share of trigrams in common."""

    rank: float
    old: OldCard


class CandidateIndex:
    """Old cards claimable by similarity, by (kind, character trigram): finds the few old
    cards an edited card is worth comparing with, without looking at the others. The
    trigrams are indexed on the first search (few pairs are all compared: `every`)."""

    def __init__(self) -> None:
        self._olds: list[OldCard] = []
        self._postings: dict[tuple[str, str], list[int]] | None = None  # -> entries
        self._sizes: list[int] = []  # entry -> how many distinct trigrams
        self._kinds: dict[str, list[int]] = {}  # kind -> entries
        self._gone: set[int] = set()  # discarded card ids (their entries stay, skipped)

    def __len__(self) -> int:
        return len(self._olds)

    def add(self, card_id: int, kind: str, front: str, back: str, ordinal: int,
            position: int) -> None:
        self._kinds.setdefault(kind, []).append(len(self._olds))
        self._olds.append(OldCard(card_id, kind, f"{front}\n{back}", ordinal, position))
        self._gone.discard(card_id)
        self._postings = None

    def discard(self, card_id: int) -> None:
        self._gone.add(card_id)

    def every(self, kind: str) -> list[OldCard]:
        """The old cards of `kind` not discarded."""
        olds, gone = self._olds, self._gone
        return [olds[e] for e in self._kinds.get(kind, ()) if olds[e].id not in gone]

    def _index(self) -> dict[tuple[str, str], list[int]]:
        postings: dict[tuple[str, str], list[int]] = {}
        self._sizes = []
        for entry, old in enumerate(self._olds):
            grams = _grams(old.text)
            self._sizes.append(len(grams))
            kind = old.kind
            for gram in grams:
                key = (kind, gram)
                entries = postings.get(key)
                if entries is None:
                    postings[key] = [entry]
                else:
                    entries.append(entry)
        self._postings = postings
        return postings

    def candidates(self, kind: str, text: str, ordinal: int, position: int,
                   limit: int = MAX_CANDIDATES) -> list[Candidate]:
        """Up to `limit` old cards of `kind`, best first, by the trigrams they share
        with `text`: only its rarest trigrams are looked up (POSTINGS_BUDGET index entries
        in all; a trigram most cards have tells little), and the count shared is weighed
        against both cards' trigram counts; same rank, the same ordinal, then the nearer
        position. Only old cards whose length allows a ratio of SIMILARITY_THRESHOLD
        (difflib's real_quick_ratio)."""
        postings = self._postings if self._postings is not None else self._index()
        grams = _grams(text)
        lists = sorted((entries for gram in grams
                        if (entries := postings.get((kind, gram))) is not None), key=len)
        shared: Counter[int] = Counter()
        budget = POSTINGS_BUDGET
        if len(self._olds) <= limit:  # few cards: each one of its kind, as if compared with all
            shared.update(dict.fromkeys(self._kinds.get(kind, ()), 0))
            budget = len(self._olds) * len(grams)
        for entries in lists:
            if len(entries) > budget:
                if shared:
                    break
                # nothing rarer to go by: the cards nearest its place (entries are in
                # the order of the cards' positions)
                olds = self._olds
                at = bisect_left(entries, position, key=lambda e: olds[e].position)
                start = max(0, min(at - budget // 2, len(entries) - budget))
                entries = entries[start:start + budget]
            shared.update(entries)
            budget -= len(entries)
        if not shared:
            return []
        olds, sizes, gone, wide = self._olds, self._sizes, self._gone, 2 * limit
        counted = shared.most_common()  # (entry, trigrams shared), most first
        if len(counted) > wide and counted[wide][1] == counted[0][1]:
            # all alike at the top: the nearest ones
            most = counted[0][1]
            counted = heapq.nsmallest(wide, (c for c in counted if c[1] == most),
                                      key=lambda c: abs(olds[c[0]].position - position))
        length, size, ranked = len(text), len(grams), []
        for entry, count in counted[:wide]:
            old = olds[entry]
            other = len(old.text)
            if 2 * min(length, other) >= SIMILARITY_THRESHOLD * (length + other) \
                    and old.id not in gone:
                ranked.append(Candidate(count / (size + sizes[entry]), old))
        ranked.sort(key=attrgetter("rank"), reverse=True)
        if len(ranked) > limit:
            cut = ranked[limit - 1].rank
            ranked = [c for c in ranked if c.rank >= cut]

        def order(candidate: Candidate) -> tuple:
            # same rank: the same ordinal, then the nearer place, then the older card
            old = candidate.old
            return (-candidate.rank, old.ordinal != ordinal, abs(old.position - position),
                    old.id)

        ranked.sort(key=order)
        return ranked[:limit]


def _match_similar(pending: list[tuple[int, CardRow]], pools: list, matched: dict[int, int],
                   taken: set[int], claimable=None) -> None:
    """Rule 4 (see the module docstring): match `pending` (index, row) to old cards of the
    CandidateIndex(es) `pools`, which hold different cards. `claimable(card_id)`: False when
    a card of a snapshot pool was claimed elsewhere meanwhile (it is skipped)."""
    from difflib import SequenceMatcher  # deferred: only edited cards are compared

    matchers: dict[int, SequenceMatcher] = {}  # old card id -> matcher indexing its text
    old_counts: dict[int, Counter] = {}  # old card id -> its characters, counted

    def matcher(old: OldCard) -> SequenceMatcher | None:
        found = matchers.get(old.id)
        if found is None and len(old.text) < SHORT_TEXT:
            found = matchers[old.id] = SequenceMatcher(None, autojunk=False)
            found.set_seq2(old.text)
        return found

    ranked: dict[int, list[OldCard]] = {}
    texts: dict[int, str] = {}
    ordinals: dict[int, int] = {}
    every = len(pending) * sum(map(len, pools)) <= ALL_PAIRS  # few pairs: all of them
    for index, row in pending:
        text = texts[index] = f"{row.front}\n{row.back}"
        ordinals[index] = row.ordinal
        if every:
            ranked[index] = [old for pool in pools for old in pool.every(row.kind)]
            continue
        found = [candidate for pool in pools
                 for candidate in pool.candidates(row.kind, text, row.ordinal, index)]
        found.sort(key=attrgetter("rank"), reverse=True)  # the pools hold different cards
        ranked[index] = [candidate.old for candidate in found[:MAX_CANDIDATES]]

    # the heap: (-(score + bonus), 0 for an upper bound | 1 for a score, -index, -card id,
    # old card); at the same value bounds come first, so a score is taken only once no
    # pair can still beat it: the order of `sorted(all scored pairs, reverse=True)`
    heap: list = []
    live: dict[int, int] = {}  # index -> its entries in the heap
    offered: dict[int, int] = {}  # index -> candidates offered so far
    crowded: set[int] = set()  # indices that lost a candidate to another card
    lost: set[int] = set()  # claimed elsewhere meanwhile (see `claimable`)

    def offer(index: int, batch: int = CANDIDATES) -> None:
        start, cands = offered.get(index, 0), ranked[index]
        text, ordinal = texts[index], ordinals[index]
        new_counts = Counter(text)
        count = 0
        while start < len(cands) and count < batch:
            old = cands[start]
            start += 1
            if old.id in taken or old.id in lost:
                continue
            count += 1
            counts = old_counts.get(old.id)
            if counts is None:
                counts = old_counts[old.id] = Counter(old.text)
            # difflib's quick_ratio: the characters they share, in any order
            shared = sum([min(n, counts[c]) for c, n in new_counts.items() if c in counts])
            bound = 2.0 * shared / (len(text) + len(old.text))
            if bound < SIMILARITY_THRESHOLD:
                continue
            heapq.heappush(heap, (-(bound + 0.01 * (old.ordinal == ordinal)), 0, -index,
                                  -old.id, old))
            live[index] = live.get(index, 0) + 1
        offered[index] = start

    for index, cands in ranked.items():
        offer(index, len(cands) if every else CANDIDATES)
    while heap:
        value, scored, neg_index, neg_id, old = heapq.heappop(heap)
        index, card_id = -neg_index, -neg_id
        live[index] -= 1
        if index not in matched:
            if card_id in taken or card_id in lost:
                crowded.add(index)
            elif scored:
                if claimable is None or claimable(card_id):
                    matched[index] = card_id
                    taken.add(card_id)
                else:
                    lost.add(card_id)
                    crowded.add(index)
            else:
                text = texts[index]
                bonus = 0.01 * (old.ordinal == ordinals[index])
                if len(text) + len(old.text) <= SHORT_TEXT:
                    score = similarity(text, old.text, matcher(old))
                else:  # an estimate, kept within its bound (the order of the heap)
                    score = min(similarity(text, old.text), -value - bonus)
                if score >= SIMILARITY_THRESHOLD:
                    heapq.heappush(heap, (-(score + bonus), 1, neg_index, neg_id, old))
                    live[index] += 1
            if not live[index] and index not in matched and index in crowded:
                crowded.discard(index)  # its candidates went to others: the next ones
                offer(index)


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
                    gone_keys: GoneCards | None = None) -> tuple[int, int, int]:
    """Match a note's parsed cards to existing cards (the rules: the module docstring) and
    write them; returns (added, updated, orphaned). `cards`: ParsedCards, or CardRow-shaped
    tuples (from a worker).

    `gone_notes`: ids of notes whose files vanished in this import; their cards not yet
    claimed by another note may be claimed by this one (a move or rename)."""
    if not gone_notes:
        gone_keys = None
    elif gone_keys is None:
        gone_keys = GoneCards(conn, gone_notes)
    rows = [_as_row(card) for card in cards]
    existing = {
        row["id"]: row for row in conn.execute(
            "SELECT id, kind, front, back, ckey, ordinal, block, position, orphaned, line, deck,"
            " breadcrumb, exercise, note_id, reps, state, sr_seed FROM cards WHERE note_id = ?",
            (note_id,))
    }
    matched: dict[int, int] = {}  # new index -> card id
    taken: set[int] = set()
    _match_exact_in_note(rows, existing, matched, taken)
    origins = _match_exact_elsewhere(conn, rows, matched, taken, gone_keys)
    _match_one_side(rows, existing, matched, taken)
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
    return _write(conn, note_id, rows, existing, matched, taken, now)


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
    for index, row in enumerate(rows):
        if index in matched:
            continue
        candidates = [old for old in by_key.get(row.ckey, ()) if old["id"] not in taken]
        if candidates:
            best = min(candidates, key=lambda r: (r["orphaned"], abs(r["position"] - index)))
            matched[index] = best["id"]
            taken.add(best["id"])


def _match_exact_elsewhere(conn, rows: list[CardRow], matched: dict[int, int],
                           taken: set[int], gone_keys: GoneCards | None) -> set[int]:
    """Rule 2: exact content among orphans anywhere (a restored note), then among the cards
    of the notes vanished in this import (a moved or renamed note). Returns the vanished
    notes this note took cards from: the note it was, before a move."""
    pending = [(index, row) for index, row in enumerate(rows) if index not in matched]
    if not pending:
        return set()
    keys = sorted({row.ckey for _, row in pending})
    orphans: dict[str, list] = {}
    gone_note_of: dict[int, int] = {}  # card id -> its vanished note
    found = []
    for start in range(0, len(keys), 500):  # orphans: their index holds only orphans
        chunk = keys[start:start + 500]
        found += conn.execute(f"SELECT id, ckey FROM cards INDEXED BY cards_ckey WHERE"
                              f" orphaned = 1 AND ckey IN ({','.join('?' * len(chunk))})",
                              chunk).fetchall()
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


def _match_one_side(rows: list[CardRow], existing: dict, matched: dict[int, int],
                    taken: set[int]) -> None:
    """Rule 3: a card of this note with the same kind and the same front (its answer
    rewritten) or the same back (its question reworded, as when flashdeck asks a derived
    card differently), when that side is unique in the note both before and now."""
    if len(matched) == len(rows):
        return
    for side in ("front", "back"):
        side_of = attrgetter(side)
        now_count: dict[tuple[str, str], int] = {}
        for row in rows:
            key = (row.kind, side_of(row))
            now_count[key] = now_count.get(key, 0) + 1
        before: dict[tuple[str, str], list[int]] = {}
        for old in existing.values():
            before.setdefault((old["kind"], old[side]), []).append(old["id"])
        for index, row in enumerate(rows):
            if index in matched:
                continue
            key = (row.kind, side_of(row))
            ids = before.get(key, ())
            if now_count.get(key) == 1 and len(ids) == 1 and ids[0] not in taken:
                matched[index] = ids[0]
                taken.add(ids[0])


def _write(conn, note_id: int, rows: list[CardRow], existing: dict, matched: dict[int, int],
           taken: set[int], now: int) -> tuple[int, int, int]:
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
        if row.sr is not None and old is not None and old["state"] == "new" \
                and not old["reps"] and old["sr_seed"] is None:
            # a plugin schedule an older flashdeck could not read (or a comment added since):
            # a card never answered here takes it, as a new card would
            _seed_card(conn, card_id, row.sr)
        if old is not None and not old["orphaned"] and all(
            old[c] == v for c, v in zip(_UPDATE_COLUMNS, values)
        ):
            continue  # nothing changed
        changed.append((*values, card_id))
        if old is None or old["front"] != row.front or old["back"] != row.back \
                or old["orphaned"] or old["deck"] != row.deck:
            updated += 1
    if changed:  # kept cards with new content or place: updated in one go
        conn.executemany(_UPDATE, changed)
    if plain:
        conn.executemany(_PLAIN_INSERT, plain)
    left = [i for i, old in existing.items() if i not in taken and not old["orphaned"]]
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
