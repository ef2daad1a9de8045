"""Card identity's stage 4 (see `collection/identity.py`): similar cards, for small edits.

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
from operator import attrgetter
from typing import NamedTuple

from flashdeck.collection.card_rows import CardRow

SIMILARITY_THRESHOLD = 0.6


def match_kind(kind: str) -> str:
    """The kind a card is matched by: a reversed pair's cards are basic cards written
    `Q:::A` (or `??`), so turning `Q::A` into `Q:::A` and back keeps the forward card; a
    question heading asks as a basic card does, so `## Why…?` turned into `Why…?::…` (or a
    `?` line written under the heading) keeps its history."""
    return "basic" if kind in ("reversed", "question") else kind

CANDIDATES = 8  # old cards compared with an edited card, and again while those are taken
MAX_CANDIDATES = 32  # at most, per edited card
ALL_PAIRS = 2048  # as many edited-old pairs or fewer: all compared, no index needed
POSTINGS_BUDGET = 400  # index entries an edited card visits to find its candidates
SHORT_TEXT = 400  # two texts this long in all are compared whole (see `similarity`)
MAX_TEXT = 1000  # characters compared at most (their head and tail) and indexed


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
    kind: str  # as matched: `match_kind`
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
        kind = match_kind(kind)
        self._kinds.setdefault(kind, []).append(len(self._olds))
        self._olds.append(OldCard(card_id, kind, f"{front}\n{back}", ordinal, position))
        self._gone.discard(card_id)
        self._postings = None

    def discard(self, card_id: int) -> None:
        self._gone.add(card_id)

    def every(self, kind: str) -> list[OldCard]:
        """The old cards of `kind` not discarded."""
        olds, gone = self._olds, self._gone
        return [olds[e] for e in self._kinds.get(match_kind(kind), ()) if olds[e].id not in gone]

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
        kind = match_kind(kind)
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
