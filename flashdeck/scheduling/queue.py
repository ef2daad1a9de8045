"""Which card comes next today, and how many are left: the queue of one scheduling day.

  1. learning/relearning cards whose step is due now (a step of a day or more, e.g. the 1d
     of "10m 1d", is due from the start of the scheduling day it ends on, as in Anki);
  2. review cards due today, most overdue relative to their interval first, up to the
     daily review limit;
  3. new cards, up to the daily new limit, in the order the `new_order` setting names:
     `interleaved` (the default): notes take turns in import order (note id), each giving
       its next card (by position in the note); a note's turn today comes after every note
       that has given fewer new cards today, so each day goes round the notes one card at a
       time, starting again from the first note with new cards;
     `note`: note by note, in import order, each note's cards in their order;
     `random`: shuffled, the same way all day (seeded by the day), so `flashdeck next` and
       `flashdeck answer` in two processes agree.
     Never two exercises in a row while another new card waits (interleaved and random):
     after an exercise, the next new card is one that is not, if there is one;
  4. when nothing else is left, learning cards due within the next 20 minutes (learn ahead),
     but not past the end of the scheduling day: a step ending after the rollover is the
     next day's, as in Anki (counted and shown then, not at 03:55 with the counts at 0);
  5. reviewing ahead (`ahead` days, asked for), when nothing else is left: studied cards due
     within that many days after today, soonest first, as early reviews (the daily review
     limit does not hold them back: the user asked for them).
Suspended, orphaned and buried cards are skipped. Siblings (cards of one source block, e.g.
a reversed pair or the clozes of one paragraph; and the copies of one exercise in several
notes) are not shown on a day once one of them has been answered. As Anki builds the day
(with "bury siblings" on: the learning cards, then the reviews, then the new cards, no
second card of a note), a new card whose block has a studied card due today, and a review
whose block has a card on a learning step due today, wait for another day; and the counts
count one card a block: they are the cards the user will be asked, and drop by one an
answer (never by a sibling held back after it).

Everything about today is derived from the review log in SQL, so undo brings a sibling back
(and gives a note its turn back) with no extra state to restore. The sibling test is an index
seek per candidate card and the daily limits' counts read one index (schema 8's indexes): the
work per answer does not grow with the answers already made today, and no query binds a
variable per answered block. (The notes' turns read today's new cards: at most the new limit.)
What is kept between calls, by the review screen's engine, used only while provably unchanged:
the due reviews in their rank order and how many pass the sibling test (ReviewRanking), and the
new cards left today: how many, and the walk to the next one (NewCards).
"""

from __future__ import annotations

import bisect
import heapq
import random
import sqlite3
from collections import deque
from datetime import datetime, timedelta
from typing import NamedTuple

from flashdeck.collection.cards import (CARD_SELECT, INTERDAY_STEP, LATER_COPY,
                                        NEW_CARD_SELECT, CardView, deck_clause)
from flashdeck.collection.decknames import in_deck
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config

LEARN_AHEAD = timedelta(minutes=20)


class Counts(NamedTuple):
    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review

    def to_json(self) -> dict:
        return {"new": self.new, "learning": self.learning, "review": self.review}


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


# The state a review started from, as the reviews_state index has it (schema 11's stored
# column; NULL for a damaged row).
_BEFORE = "r.before_state"

# Card c has a sibling answered today: a card of its note and block (a reversed pair, the
# clozes of one paragraph), or a copy of its exercise (one template in several notes), with a
# review today (two parameters each: the day's start and end; a review logged after today's
# end, the clock set back since, is not one of today's, as the counts have it). Index seeks: c's block
# (cards_block), then each sibling's reviews since the day started (reviews_card).
_ANSWERED_SIBLING = (
    "EXISTS (SELECT 1 FROM cards s INDEXED BY cards_block CROSS JOIN reviews r"
    " INDEXED BY reviews_card WHERE s.note_id = c.note_id AND s.block = c.block"
    " AND r.card_id = s.id AND r.reviewed_at >= ? AND r.reviewed_at < ?)"
    " OR (c.exercise IS NOT NULL AND EXISTS (SELECT 1 FROM cards s INDEXED BY cards_exercise"
    " CROSS JOIN reviews r INDEXED BY reviews_card WHERE s.exercise = c.exercise"
    " AND r.card_id = s.id AND r.reviewed_at >= ? AND r.reviewed_at < ?))")
_NOT_SIBLINGS = f" AND NOT ({_ANSWERED_SIBLING})"

# Card c has a sibling still to come today, as Anki's queue builder finds it (with "bury
# siblings" on, it gathers the learning cards, then the reviews, then the new cards, and
# takes no card of a note it has already taken): another live card of c's block, shown
# today (not suspended, not buried at now; in the deck studied: `{deck}`, see _scoped), that
# comes first. Answering that sibling will hold c back, so c is neither counted nor shown: a
# count never drops by a sibling after an answer. Index seeks (cards_block); parameters:
# now, then the test's own, then the deck's.
_LIVE_SIBLING = (
    "SELECT 1 FROM cards s INDEXED BY cards_block WHERE s.note_id = c.note_id"
    " AND s.block = c.block AND s.id != c.id AND s.orphaned = 0 AND s.suspended = 0"
    " AND (s.buried_until IS NULL OR s.buried_until <= ?)")
# for a new card: a studied sibling due today (a learning step, a review; the day's end)
_DUE_SIBLING = f"EXISTS ({_LIVE_SIBLING} AND s.state != 'new' AND s.due < ?{{deck}})"
# for a review: a sibling on a learning step due today (the day's end)
_LEARNING_SIBLING = (f"EXISTS ({_LIVE_SIBLING} AND s.state IN ('learning', 'relearning')"
                     " AND s.due < ?{deck})")
# for counting, one card a block, in one seek: a new card held back (_DUE_SIBLING) or after
# a new sibling (in the block's order); a review held back (_LEARNING_SIBLING) or after a
# due review sibling (by id: which one is shown is the queue's order). The day's end.
_NEW_NOT_COUNTED = (f"EXISTS ({_LIVE_SIBLING} AND ((s.state != 'new' AND s.due < ?)"
                    " OR (s.state = 'new' AND (s.position < c.position"
                    " OR (s.position = c.position AND s.id < c.id)))){deck})")
_REVIEW_NOT_COUNTED = (f"EXISTS ({_LIVE_SIBLING} AND s.due < ?"
                       " AND (s.state IN ('learning', 'relearning')"
                       " OR (s.state = 'review' AND s.id < c.id)){deck})")

# for counting the cards of a review ahead, one a block: a studied sibling due before the
# horizon that comes first (due today, or by id). The horizon, the day's end.
_AHEAD_NOT_COUNTED = (f"EXISTS ({_LIVE_SIBLING} AND s.state != 'new' AND s.due < ?"
                      " AND (s.due < ? OR s.id < c.id){deck})")


def _scoped(test: str, deck: str | None) -> tuple[str, list]:
    """A sibling test above with its sibling in `deck` (None: anywhere), and the deck's
    parameters (they come last): a sibling in a deck not studied is not shown, so it holds
    nothing back (Anki gathers the decks studied only)."""
    sql, params = deck_clause(deck, "s.deck")
    return test.replace("{deck}", sql), params


# One exercise template can match several notes (every note about Dice gets the Dice
# exercise): its cards there are copies of one exercise, and only the first is ever new
# (the others wait: collection.cards.LATER_COPY).
_FIRST_COPY = f" AND NOT ({LATER_COPY})"

# The notes that have given new cards today (two parameters: the day's start and end), and
# how many.
_TOUCHED_NOTES = (
    "SELECT t.note_id FROM reviews r INDEXED BY reviews_state CROSS JOIN cards t"
    f" WHERE {_BEFORE} = 'new' AND r.reviewed_at >= ? AND r.reviewed_at < ?"
    " AND t.id = r.card_id")
_TOUCHED_NOTE_COUNTS = (
    "SELECT t.note_id AS note_id, count(*) AS given FROM reviews r INDEXED BY reviews_state"
    f" CROSS JOIN cards t WHERE {_BEFORE} = 'new' AND r.reviewed_at >= ? AND r.reviewed_at < ?"
    " AND t.id = r.card_id GROUP BY t.note_id")

# `random`: the new cards in an order that looks random and changes with the day: by a hash
# of the id, p prime and m, s, m2, s2 drawn from the day: x = (id * m + s) mod p, then
# y = (x * x * m2 + s2) mod p... squared once more. (An affine map alone, (id * m + s) mod p,
# orders ids as a fixed stride: by the three-gap theorem consecutive cards' ids then differ
# by one of at most three steps.) Ties (rare) go by id. Integer arithmetic that stays below
# 2**63 (ids below 2**31; every product is of two numbers below p).
_P = 2147483647
_X = f"((c.id * ? + ?) % {_P})"
_Y = f"(((({_X} * {_X}) % {_P}) * ? + ?) % {_P})"
_SHUFFLE = f"(({_Y} * {_Y}) % {_P})"


def _shuffle_params(day_start: datetime) -> list[int]:
    draw = random.Random(f"flashdeck new_order random {_ts(day_start)}")
    m, s, m2, s2 = (draw.randrange(1, _P), draw.randrange(0, _P), draw.randrange(1, _P),
                    draw.randrange(0, _P))
    y = [m, s, m, s, m2, s2]  # _Y's parameters, in the order they appear in it
    return [*y, *y]


class ReviewRanking:
    """The due review cards of one scheduling day in their rank order, kept between calls by
    an Engine (the review screen's), so that the next review card is not a sort of every due
    card at each answer (4 ms at 10,000 due). Exactly the SQL's order (`Queue._review_card`):
    relative overdueness, `CAST(now - due AS REAL) / MAX(due - last_review, 1)` descending,
    then id; a NULL rank (no last review) last.

    The rank changes with `now`, but not within a class of cards with one due time and one
    interval (their order is by id at any time), and by at most (now - built) / smallest
    interval for any card: the classes are sorted by rank when built, and a walk stops at
    the first class whose rank then, plus that bound, is below the candidates' `few`th.

    Valid only while nothing could change the answer: no commit by another connection
    (`PRAGMA data_version`), no row changed by this one (`total_changes`; the engine's own
    answer updates the ranking and its stamp, `after_answer`), the same day and deck, and
    the clock not gone back. Otherwise it is rebuilt. Built only at its second use (a
    command's one call sorts in SQL). A walk longer than `WALK` classes gives None: the
    caller sorts in SQL.

    It counts the due reviews too (`due_count`): the cards with a sibling answered today are
    found once when built (the SQL's sibling test on each), then each answer of this
    connection adds its own block's and exercise's cards (the test's two groups)."""

    WALK = 2048
    REBUILD = 256
    MOST = 50_000  # more due reviews than this: not kept (memory), sorted in SQL
    _SAFE = 1 << 50  # integers beyond this: not exactly the SQL's doubles; not cached

    def __init__(self) -> None:
        self._stamp: tuple | None = None
        self._uses = 0
        self._built_at = 0
        self._classes: list = []  # (rank when built, due, interval, [(id, buried_until)])
        self._unranked: list = []  # (id, buried_until) of NULL rank, by id
        self._member: dict[int, list] = {}  # card id -> its class's members
        self._emptied = 0  # classes emptied by answers since built (rebuilt past REBUILD)
        self._failed: tuple | None = None  # the stamp a build gave up at (sort in SQL)
        # members with a sibling answered today, or on a learning step due today
        self._excluded: set[int] = set()
        self._buried: dict[int, int] = {}  # members with a buried_until: until when
        self._block: dict[int, tuple] = {}  # member -> its block (note, block)
        self._per_block: dict[tuple, int] = {}  # block -> its members not excluded
        self._min_interval = 1

    def _key(self, conn, day: tuple[int, int], deck: str | None,
             version: int | None = None) -> tuple:
        return (data_version(conn, version), conn.total_changes, *day, deck)

    @property
    def kept(self) -> bool:
        return self._stamp is not None

    def fresh(self, conn, version: int) -> int | None:
        """Inside the answer's transaction (no other connection can commit until it ends),
        at data version `version`: that version, if the ranking still holds; else None."""
        if self._stamp is None:
            return None
        return version if self._stamp[:2] == (version, conn.total_changes) else None

    def passing(self, ids: list[int]) -> int | None:
        """The first of `ids` (from `ranked`, just now: the ranking holds) with no sibling
        answered today (the SQL's sibling test, as kept for due_count); None if none."""
        excluded = self._excluded
        for card_id in ids:
            if card_id not in excluded:
                return card_id
        return None

    def after_answer(self, conn, version: int, card, reviewed_at: int, state: str,
                     due: int | None, suspended: int, siblings: list[int]) -> None:
        """This connection committed its answer to `card` (its row before; the card's new
        state after; its `siblings`: answer_siblings), the ranking fresh at `version`
        within that transaction (a commit by another connection since changes the data
        version again)."""
        if self._stamp is None or self._stamp[0] != version:
            self._stamp = None
            return
        start, end = self._stamp[2], self._stamp[3]
        if (state == "review" and due is not None and due < end and not suspended) or not (
                start <= reviewed_at < end):
            self._stamp = None  # still a due review (never after an answer), or another day
            return
        card_id = card["id"]
        for sibling in {*siblings, card_id}:
            if sibling in self._member and sibling not in self._excluded:
                self._excluded.add(sibling)
                self._leave_block(sibling)
        self._excluded.discard(card_id)
        self._buried.pop(card_id, None)
        members = self._member.pop(card_id, None)
        if members is not None:
            at = bisect.bisect_left(members, (card_id,))  # members are sorted by id
            if at < len(members) and members[at][0] == card_id:
                del members[at]
            self._emptied += not members
        self._stamp = (version, conn.total_changes, *self._stamp[2:])

    def _leave_block(self, card_id: int) -> None:
        block = self._block[card_id]
        left = self._per_block[block] - 1
        if left:
            self._per_block[block] = left
        else:
            del self._per_block[block]

    def _build(self, conn, now: int, day: tuple[int, int], deck: str | None) -> bool:
        start, end = day
        clause, extra = deck_clause(deck)
        classes: dict[tuple[int, int], list] = {}
        unranked = []
        blocks: dict[int, tuple] = {}
        for seen, (card_id, due, last, buried, note_id, block) in enumerate(conn.execute(
                "SELECT c.id, c.due, c.last_review, c.buried_until, c.note_id, c.block"
                " FROM cards c WHERE c.state = 'review' AND c.due < ? AND c.orphaned = 0"
                " AND c.suspended = 0" + clause + " LIMIT ?", [end, *extra, self.MOST + 1])):
            if seen >= self.MOST:
                return False
            blocks[card_id] = (note_id, block)
            for value in (due, last, buried):
                if value is not None and (type(value) is not int or abs(value) > self._SAFE):
                    return False
            if type(due) is not int:
                return False
            if last is None:
                unranked.append((card_id, buried))
            else:
                classes.setdefault((due, max(due - last, 1)), []).append((card_id, buried))
        ranked = []
        for (due, interval), members in classes.items():
            members.sort()
            ranked.append(((now - due) / interval, due, interval, members))
        ranked.sort(key=lambda item: -item[0])
        unranked.sort()
        self._classes, self._unranked = ranked, unranked
        self._member = {card_id: members for *_, members in ranked for card_id, _ in members}
        self._member.update((card_id, unranked) for card_id, _ in unranked)
        self._emptied = 0
        self._buried = {card_id: buried for *_, members in ranked for card_id, buried in members
                        if buried is not None}
        self._buried.update((card_id, buried) for card_id, buried in unranked
                            if buried is not None)
        learning, learning_deck = _scoped(_LEARNING_SIBLING, deck)
        self._excluded = {row[0] for row in conn.execute(
            "SELECT c.id FROM cards c WHERE c.state = 'review' AND c.due < ?"
            " AND c.orphaned = 0 AND c.suspended = 0" + clause
            + f" AND (({_ANSWERED_SIBLING}) OR {learning})",
            [end, *extra, start, end, start, end, now, end, *learning_deck])} & self._member.keys()
        self._block = blocks
        per_block: dict[tuple, int] = {}
        for card_id in self._member:
            if card_id not in self._excluded:
                per_block[blocks[card_id]] = per_block.get(blocks[card_id], 0) + 1
        self._per_block = per_block
        self._min_interval = min((item[2] for item in ranked), default=1)
        self._built_at = now
        return True

    def _holds(self, key: tuple, now: int) -> bool:
        """Whether the ranking kept is still the collection's at `key` and `now`: the same
        stamp, the clock not gone back, not too many classes emptied since it was built."""
        return self._stamp == key and now >= self._built_at and self._emptied <= self.REBUILD

    def _ready(self, conn, now: int, day: tuple[int, int], deck: str | None,
               version: int | None = None) -> tuple | None:
        """The stamp, the ranking built or rebuilt as needed; None: use the SQL."""
        key = self._key(conn, day, deck, version)
        if key == self._failed:
            return None
        if not self._holds(key, now):
            self._stamp = None
            self._uses += 1
            if self._uses < 2:
                return None
            if not self._build(conn, now, day, deck):
                self._failed = key
                return None
            self._stamp = key
        return key

    def ranked(self, conn, now: int, day: tuple[int, int], deck: str | None,
               few: int, version: int | None = None) -> list[int] | None:
        """The first `few` due review ids in rank order at `now`, or None (sort in SQL).
        `version`: the data version, when the caller has read it in this transaction."""
        key = self._ready(conn, now, day, deck, version)
        if key is None:
            return None
        ids = self._walk(now, few)
        if ids is None and self._built_at != now:  # sorted long ago: sort again, walk again
            self._stamp = None
            if not self._build(conn, now, day, deck):
                self._failed = key
                return None
            self._stamp = key
            ids = self._walk(now, few)
        return ids

    def due_count(self, conn, now: int, day: tuple[int, int], deck: str | None,
                  version: int | None = None) -> int | None:
        """How many due reviews pass the queue's tests at `now` (not buried, no sibling
        answered today), or None (count in SQL). Never builds the ranking: only the
        next card's search does (a command's `next` counts once, and sorts in SQL)."""
        if self._stamp is None or not self._holds(self._key(conn, day, deck, version), now):
            return None
        excluded = self._excluded
        # one card a block (the SQL's _REVIEW_NOT_COUNTED): a block counts unless every
        # member of it left is buried
        buried: dict[tuple, int] = {}
        for card_id, until in self._buried.items():
            if until > now and card_id not in excluded:
                block = self._block[card_id]
                buried[block] = buried.get(block, 0) + 1
        return len(self._per_block) - sum(1 for block, n in buried.items()
                                          if n >= self._per_block.get(block, 0))

    def _walk(self, now: int, few: int) -> list[int] | None:
        slack = (now - self._built_at) / self._min_interval
        best: list[tuple[float, int]] = []  # the `few` best (rank, -id): a min-heap
        for walked, (built_rank, due, interval, members) in enumerate(self._classes):
            if walked >= self.WALK:
                return None
            if len(best) >= few and (built_rank + slack
                                     + 1e-9 * (1 + abs(built_rank) + slack)) < best[0][0]:
                break
            rank = (now - due) / interval
            taken = 0
            for card_id, buried in members:
                if buried is not None and buried > now:
                    continue
                item = (rank, -card_id)
                if len(best) < few:
                    heapq.heappush(best, item)
                elif item > best[0]:
                    heapq.heapreplace(best, item)
                else:
                    break  # the class's later members rank alike, with larger ids
                taken += 1
                if taken >= few:
                    break
        ids = [-negative for _rank, negative in sorted(best, reverse=True)]
        for card_id, buried in self._unranked:
            if len(ids) >= few:
                break
            if buried is None or buried <= now:
                ids.append(card_id)
        return ids


class DoneToday:
    """Today's totals the daily limits are taken from (`Queue.done_today`: new cards
    introduced, reviews answered), kept between calls by an Engine (the review screen's):
    they were counted from the log twice an answer (the next card, the counts), a count
    that grew with the answers made today (0.02 ms at 10, 0.06 ms at 400 answers).

    Valid only while nothing else could change them, as ReviewRanking: the same stamp
    (`PRAGMA data_version`: no other connection committed; `total_changes`: this one changed
    nothing else; the same day). This connection's own answer adds itself (`after_answer`,
    by the state the card had before it, as the log's row says it); anything else (an
    undo, another terminal's answer, a new day) counts again from the log."""

    def __init__(self) -> None:
        self._stamp: tuple | None = None
        self._done = (0, 0)

    @property
    def kept(self) -> bool:
        return self._stamp is not None

    def get(self, conn, day: tuple[int, int], count,
            version: int | None = None) -> tuple[int, int]:
        """The totals of `day` ([start, end)), counted by `count()` unless kept. `version`:
        the data version, when the caller has read it in this transaction."""
        key = (data_version(conn, version), conn.total_changes, *day)
        if key != self._stamp:
            self._done = count()
            self._stamp = key
        return self._done

    def fresh(self, conn, version: int) -> bool:
        """Inside the answer's transaction, at data version `version`: whether it holds."""
        return self._stamp is not None and self._stamp[:2] == (version, conn.total_changes)

    def after_answer(self, conn, version: int, reviewed_at: int, before: str) -> None:
        """This connection committed an answer logged at `reviewed_at` to a card that was
        `before` (its state); fresh at `version` within that transaction."""
        if self._stamp is None or self._stamp[0] != version or not (
                self._stamp[2] <= reviewed_at < self._stamp[3]):
            self._stamp = None
            return
        new, reviews = self._done
        self._done = (new + (before == "new"), reviews + (before == "review"))
        self._stamp = (version, conn.total_changes, *self._stamp[2:])


class LearningCount:
    """The learning count of one scheduling day (`Queue.counts`: the cards on a learning or
    relearning step due before the day's end, live, not suspended, in the deck, not buried
    at `now`), kept between calls by an Engine (the review screen's): it was counted in SQL
    at every answer.

    Kept as the cards that pass every test but the buried one, with their buried_until
    (tested at `now` when counted). Valid only while nothing else could change them, as
    ReviewRanking: the same stamp (`PRAGMA data_version`: no other connection committed;
    `total_changes`: this connection changed nothing else; the same day and deck). This
    connection's own answer changes one card: `after_answer` takes it out and puts it back
    by its state after the answer; anything else (an undo, a bury, another terminal's
    answer, a new day) counts again from the collection. Built at its second use (a
    command's one count runs the SQL). More than MOST learning cards, or a value the SQL
    would compare otherwise than Python (not an integer): not kept, counted in SQL.

    The members' due and last review are kept too: while it holds, they tell the next card
    that no learning step is due now (`none_due`), and its first query is not run (it
    found nothing at most answers, ~10 µs of the cycle)."""

    MOST = 50_000
    WALK = 256  # members at most looked at by `none_due` (more: the SQL looks)

    def __init__(self) -> None:
        self._stamp: tuple | None = None
        self._uses = 0
        self._failed: tuple | None = None  # the stamp a build gave up at (count in SQL)
        self._members: dict[int, int | None] = {}  # card id -> its buried_until
        self._buried: dict[int, int] = {}  # members with a buried_until: until when
        self._due: dict[int, tuple] = {}  # members: (due, last_review)

    @property
    def kept(self) -> bool:
        return self._stamp is not None

    def fresh(self, conn, version: int) -> bool:
        """Inside the answer's transaction, at data version `version`: whether it holds."""
        return self._stamp is not None and self._stamp[:2] == (version, conn.total_changes)

    def count(self, conn, now: int, day: tuple[int, int], deck: str | None,
              version: int | None = None) -> int | None:
        """How many learning cards `counts` counts at `now`, or None (count in SQL)."""
        key = (data_version(conn, version), conn.total_changes, *day, deck)
        if key != self._stamp:
            self._stamp = None
            if key == self._failed:
                return None
            self._uses += 1
            if self._uses < 2:
                return None
            if not self._build(conn, day[1], deck):
                self._failed = key
                return None
            self._stamp = key
        return len(self._members) - sum(1 for until in self._buried.values() if until > now)

    def none_due(self, conn, now: int, day: tuple[int, int], deck: str | None,
                 version: int | None = None) -> bool:
        """Whether, certainly, no card is on a learning step due at `now` for the next card
        (`Queue.next_card`'s first query: a learning or relearning card due before the
        day's end, and by `now` or on a step of a day or more, live, not suspended, not
        buried at `now`, in the deck): those are all members, so none is when no member
        passes the rest of that query's tests. False when not kept as of now (no build
        here) or with more than WALK members: the query decides."""
        if self._stamp != (data_version(conn, version), conn.total_changes, *day, deck) \
                or len(self._due) > self.WALK:
            return False
        for card_id, (due, last_review) in self._due.items():
            if due <= now or (last_review is not None and due - last_review >= 86400):
                until = self._members[card_id]
                if until is None or until <= now:
                    return False
        return True

    def _build(self, conn, end: int, deck: str | None) -> bool:
        clause, extra = deck_clause(deck)
        members: dict[int, int | None] = {}
        buried: dict[int, int] = {}
        dues: dict[int, tuple] = {}
        for seen, (card_id, until, due, last_review) in enumerate(conn.execute(
                "SELECT c.id, c.buried_until, c.due, c.last_review FROM cards c"
                " WHERE c.state IN ('learning', 'relearning') AND c.due < ?"
                " AND c.orphaned = 0 AND c.suspended = 0" + clause + " LIMIT ?",
                [end, *extra, self.MOST + 1])):
            if seen >= self.MOST or (until is not None and type(until) is not int) \
                    or type(due) is not int \
                    or (last_review is not None and type(last_review) is not int):
                return False
            members[card_id] = until
            dues[card_id] = (due, last_review)
            if until is not None:
                buried[card_id] = until
        self._members, self._buried, self._due = members, buried, dues
        return True

    def after_answer(self, conn, version: int, card, after: dict) -> None:
        """This connection committed an answer to `card` (its row before; `after`: its
        scheduling columns after), the count fresh at `version` within that transaction."""
        if self._stamp is None or self._stamp[0] != version:
            self._stamp = None
            return
        card_id = card["id"]
        self._members.pop(card_id, None)
        self._buried.pop(card_id, None)
        self._due.pop(card_id, None)
        deck, until, due = self._stamp[4], after["buried_until"], after["due"]
        last_review = after["last_review"]
        if after["state"] in ("learning", "relearning") and not card["orphaned"] \
                and not after["suspended"]:
            if type(due) is not int or (until is not None and type(until) is not int) \
                    or (last_review is not None and type(last_review) is not int):
                self._stamp = None  # not as the SQL compares it: count again
                return
            if due < self._stamp[3] and (not deck or (isinstance(card["deck"], str)
                                                      and in_deck(card["deck"], deck))):
                self._members[card_id] = until
                self._due[card_id] = (due, last_review)
                if until is not None:
                    self._buried[card_id] = until
        self._stamp = (version, conn.total_changes, *self._stamp[2:])


def data_version(conn, known: int | None = None) -> int:
    """`PRAGMA data_version`: changes when another connection commits. `known`: the value
    the caller read in the transaction it is in (one snapshot: the same value), so that a
    read transaction's statements ask it once (the engine's `_reading`) instead of once
    for each thing kept."""
    if known is not None:
        return known
    return conn.execute("PRAGMA data_version").fetchone()[0]


def answer_siblings(conn, card) -> list[int]:
    """The cards an answer to `card` (its row) gives a sibling answered today, as
    _ANSWERED_SIBLING finds them: its block's cards (itself too), and the copies of its
    exercise."""
    siblings = [row[0] for row in conn.execute(
        "SELECT s.id FROM cards s INDEXED BY cards_block WHERE s.note_id = ?"
        " AND s.block = ?", (card["note_id"], card["block"]))]
    if card["exercise"] is not None:
        siblings += [row[0] for row in conn.execute(
            "SELECT s.id FROM cards s INDEXED BY cards_exercise WHERE s.exercise = ?",
            (card["exercise"],))]
    return siblings


class NewCards:
    """The new cards left today, kept between calls by an Engine (the review screen's): how
    many (the count was a walk of the daily limit's worth of new cards, each with its
    sibling and copy tests, at every answer) and, in the interleaved order, which comes
    next (a walk past every card of the notes that have given one today: ~0.4 ms after
    200 answers at 25 cards a note, growing through the day).

    - for the count, cards that pass every test of the new count's SQL but the buried
      one (new, live, not suspended, in the deck, not a waiting copy, no sibling answered
      today), with their buried_until (tested at `now` when counted): any
      `limit + MARGIN` of them, or all (`_complete`). The count is min(what is left of
      the limit, those not buried) when all are kept, else what is left of the limit if
      at least that many are kept and not buried; otherwise the SQL counts;
    - for the next card, the new cards in cards_new order (note, position, id) as the
      index has them (live, not suspended, in the deck), read `STRETCH` at a time from
      where the last read stopped; the walk skips the notes that have given a card today
      and the buried (at `now`), and runs the sibling and copy tests (`_passes`) on the
      cards it reaches, once each. Every card before the read point that passes now is
      among them (the tests only grow stricter while this is kept, see below), so the
      first that passes now, if any, is the SQL's first.

    Valid only while nothing else could change them: the same stamp as ReviewRanking
    (`PRAGMA data_version`: no other connection committed; `total_changes`: this one
    changed nothing else; the same day and deck). This connection's own answer only makes
    the tests stricter (the card leaves `new`, its block and its exercise's copies have a
    sibling answered today, its note has given a card today if it was new; a waiting copy
    waits still; an answer buries or unsuspends nothing): `after_answer` applies that.
    Built at the second use of one kind (a command's one count and one next card run
    the SQL)."""

    MARGIN = 256
    STRETCH = 512  # cards read at a time for the next card
    READS = 64  # reads at most for one next card (then the SQL's walk)
    TESTS = 64  # cards tested at most for one next card (then the SQL's walk)

    def __init__(self) -> None:
        self._stamp: tuple | None = None
        self._uses = [0, 0]  # uses while not kept: of the count, of the next card
        # for the count: id -> its block (None: not read yet)
        self._members: dict[int, tuple] | None = None
        self._buried: dict[int, int] = {}  # members with a buried_until: until when
        self._per_block: dict[tuple, int] = {}  # block -> its members
        self._complete = False
        # for the next card: (note, position, id, kind, buried_until) in cards_new order
        self._order: list[tuple] | None = None  # None: not read yet
        self._at = 0  # the entries before this one are out for good
        self._order_complete = False
        self._gone: set[int] = set()  # cards taken out by this connection's answers
        self._passed: dict[int, bool] = {}  # cards tested (_passes): whether they passed
        self._touched: set[int] = set()  # the notes that have given a new card today

    @property
    def kept(self) -> bool:
        return self._stamp is not None

    def fresh(self, conn, version: int) -> bool:
        """Inside the answer's transaction, at data version `version`: whether it holds."""
        return self._stamp is not None and self._stamp[:2] == (version, conn.total_changes)

    def after_answer(self, conn, version: int, reviewed_at: int, card, siblings: list[int]
                     ) -> None:
        """This connection committed an answer (reviewed at `reviewed_at`) to `card` (its
        row before) whose `siblings` (answer_siblings, the card itself among them) now
        have a sibling answered today; it was fresh at `version` within that
        transaction."""
        if self._stamp is None or self._stamp[0] != version or not (
                self._stamp[2] <= reviewed_at < self._stamp[3]):
            self._stamp = None
            return
        for card_id in siblings:
            if self._members is not None:
                block = self._members.pop(card_id, None)
                self._buried.pop(card_id, None)
                if block is not None:
                    left = self._per_block[block] - 1
                    if left:
                        self._per_block[block] = left
                    else:
                        del self._per_block[block]
            self._gone.add(card_id)
        if card["state"] == "new":
            self._touched.add(card["note_id"])
        self._stamp = (version, conn.total_changes, *self._stamp[2:])

    def _holds(self, queue: "Queue", use: int) -> bool:
        """Whether what is kept is the collection's now (else it is dropped, and from the
        second use of one kind on, 0 the count, 1 the next card, started again: a
        command's one `next` and one count run the SQL)."""
        conn = queue.col.conn
        key = (data_version(conn, queue.version), conn.total_changes,
               _ts(queue.day[0]), _ts(queue.day[1]), queue.deck)
        if self._stamp == key:
            return True
        self._stamp = None
        self._uses[use] += 1
        if self._uses[use] < 2:
            return False
        self._members, self._buried, self._per_block, self._complete = None, {}, {}, False
        self._order, self._at, self._order_complete = None, 0, False
        self._gone, self._passed = set(), {}
        self._touched = {row[0] for row in conn.execute(_TOUCHED_NOTES, (key[2], key[3]))}
        self._stamp = key
        return True

    # -- the count ---------------------------------------------------------------------
    def count(self, queue: "Queue", cap: int) -> int | None:
        """The new count (`cap`: what is left of the daily limit, > 0), or None (count in
        SQL)."""
        if not self._holds(queue, 0):
            return None
        now = _ts(queue.now)
        left = None if self._members is None else self._left(now, cap)
        if left is None:  # not read yet, or too few kept for this limit: read (again)
            self._read_members(queue, cap)
            left = self._left(now, cap)
        return left

    def _left(self, now: int, cap: int) -> int | None:
        # one card a block (the SQL's _NEW_NOT_COUNTED: a buried card gives its turn to
        # the next of its block): a block counts unless every member of it is buried at
        # `now`. Only the buried members are looked at (the members per block are kept as
        # answers take cards out): this was a set of every member's block at each count,
        # ~0.08 ms of each answer at a limit of 300
        hidden: dict[tuple, int] = {}
        members = self._members
        for card_id, until in self._buried.items():
            if until > now:
                block = members[card_id]
                hidden[block] = hidden.get(block, 0) + 1
        per_block = self._per_block
        shown = len(per_block) - sum(1 for block, n in hidden.items() if n >= per_block[block])
        if self._complete:
            return min(cap, shown)
        return cap if shown >= cap else None

    def _read_members(self, queue: "Queue", cap: int) -> None:
        clause, extra = deck_clause(queue.deck)
        _, sibling_params = queue._not_siblings()
        held, held_params = queue._held_new()
        limit = cap + self.MARGIN
        rows = queue.col.conn.execute(
            "SELECT c.id, c.buried_until, c.note_id, c.block FROM cards c WHERE c.state = 'new'"
            + _FIRST_COPY + " AND c.orphaned = 0 AND c.suspended = 0" + clause + _NOT_SIBLINGS
            + held + " LIMIT ?", [*extra, *sibling_params, *held_params, limit]).fetchall()
        self._members = {card_id: (note_id, block) for card_id, _, note_id, block in rows}
        self._buried = {card_id: until for card_id, until, *_ in rows if until is not None}
        per_block: dict[tuple, int] = {}
        for block in self._members.values():
            per_block[block] = per_block.get(block, 0) + 1
        self._per_block = per_block
        self._complete = len(rows) < limit

    # -- the next card (interleaved) ---------------------------------------------------
    UNKNOWN = -1

    def first_untouched(self, queue: "Queue", no_exercise: bool) -> int | None:
        """The id of the first new card (cards_new order) of a note that has given none
        today, passing the tests at `now` (`no_exercise`: and not an exercise); None if
        there is none; UNKNOWN: run the SQL."""
        if not self._holds(queue, 1):
            return self.UNKNOWN
        if self._order is None:
            self._order = []
        now = _ts(queue.now)
        order, gone, touched, passed = self._order, self._gone, self._touched, self._passed
        i = self._at
        settled = True  # every entry before i is out for good
        reads = tests = 0
        while True:
            if i >= len(order):
                if self._order_complete:
                    return None
                if reads >= self.READS or not self._read_order(queue):
                    return self.UNKNOWN
                reads += 1
                continue
            note_id, _position, card_id, kind, until = order[i]
            if card_id in gone or note_id in touched or passed.get(card_id) is False:
                i += 1
                if settled:
                    self._at = i
                continue
            if (until is not None and until > now) or (no_exercise and kind == "exercise"):
                settled = False
                i += 1
                continue
            if card_id not in passed:
                if tests >= self.TESTS:
                    return self.UNKNOWN
                tests += 1
                passed[card_id] = self._passes(queue, card_id)
                continue  # seen again, now tested
            return card_id

    def _passes(self, queue: "Queue", card_id: int) -> bool:
        """The new card's sibling and copy tests (the SQL's), once: while this is kept they
        only grow stricter, and a sibling answered here puts the card in `_gone`."""
        _, sibling_params = queue._not_siblings()
        held, held_params = queue._held_new()
        return queue.col.conn.execute(
            "SELECT 1 FROM cards c WHERE c.id = ?" + _NOT_SIBLINGS + _FIRST_COPY + held,
            [card_id, *sibling_params, *held_params]).fetchone() is not None

    def _read_order(self, queue: "Queue") -> bool:
        """The next STRETCH new cards in cards_new order after the last read (live, not
        suspended, in the deck: the index's own tests, cheap; the others are `_passes`,
        for the cards the walk reaches); False if no progress could be made (then the SQL
        walks)."""
        clause, extra = deck_clause(queue.deck)
        sql = ("SELECT c.note_id, c.position, c.id, c.kind, c.buried_until FROM cards c"
               " INDEXED BY cards_new WHERE c.state = 'new' AND c.orphaned = 0"
               " AND c.suspended = 0" + clause)
        params = list(extra)
        last = self._order[-1] if self._order else None
        if last is not None:  # after the last read: equal (note, position) come by id
            sql += " AND (c.note_id, c.position) >= (?, ?)"
            params += [last[0], last[1]]
        rows = queue.col.conn.execute(sql + " ORDER BY c.note_id, c.position LIMIT ?",
                                      [*params, self.STRETCH]).fetchall()
        fresh_rows = [tuple(row) for row in rows if last is None or (row[0], row[1]) != (
            last[0], last[1]) or row[2] > last[2]]
        self._order.extend(fresh_rows)
        if len(rows) < self.STRETCH:
            self._order_complete = True
            return True
        return bool(fresh_rows)



def _one_a_block(rows, most: int) -> list[int]:
    """The ids of (id, note, block) rows, in their order, but the first of each block: the
    first `most` of them (the rows are read no further)."""
    seen: set[tuple] = set()
    ids: list[int] = []
    for card_id, note_id, block in rows:
        if len(ids) >= most:
            break
        if (note_id, block) not in seen:
            seen.add((note_id, block))
            ids.append(card_id)
    return ids


def _id_array(ids: list[int]) -> str:
    """Card ids as one JSON array (SQL's json_each reads it): one parameter, however many.
    (Written here, not by `json`, which nothing else before the first card needs.)"""
    return "[" + ",".join(str(int(card_id)) for card_id in ids) + "]"


class Queue:
    """The queue at one moment: `now` and the scheduling day `day` = (start, end) in UTC."""

    def __init__(self, col: Collection, config: Config, now: datetime,
                 day: tuple[datetime, datetime], deck: str | None = None, ahead: int = 0,
                 ranking: ReviewRanking | None = None, new_cards: NewCards | None = None,
                 done: DoneToday | None = None, version: int | None = None,
                 learning: LearningCount | None = None):
        self.col = col
        # PRAGMA data_version, read in the read transaction this queue's statements run in
        # (None: not read; each thing kept reads it)
        self.version = version
        self.ranking = ranking  # the engine's, kept between calls (None: sort in SQL)
        self.new_cards = new_cards  # the engine's, kept between calls (None: count in SQL)
        self.done = done  # the engine's, kept between calls (None: count in SQL)
        self.learning = learning  # the engine's, kept between calls (None: count in SQL)
        self.config = config
        self.now = now
        self.day = day
        self.deck = deck
        self.ahead = ahead  # days to review ahead when nothing is due
        self.shown_row = None  # the row of the card `next_card` gave (CARD_SELECT's columns)

    def _horizon(self) -> int:
        """Until when a review ahead reaches: the end of the `ahead`th day after today."""
        from flashdeck.scheduling.day import days_later

        return _ts(days_later(self.day[1], self.ahead, self.config.day_start_hour))

    def _filters(self, now: datetime) -> tuple[str, list]:
        sql = (" AND c.orphaned = 0 AND c.suspended = 0"
               " AND (c.buried_until IS NULL OR c.buried_until <= ?)")
        params: list = [_ts(now)]
        clause, extra = deck_clause(self.deck)
        return sql + clause, params + extra

    def _today(self) -> tuple[int, int]:
        """Today in Unix seconds, [start, end): an answer logged after the end (the clock
        set back since) is not one of today's."""
        return _ts(self.day[0]), _ts(self.day[1])

    def _not_siblings(self) -> tuple[str, list]:
        """SQL that leaves out the siblings of cards answered today (four parameters)."""
        start, end = self._today()
        return _NOT_SIBLINGS, [start, end, start, end]

    def _held_new(self, counting: bool = False) -> tuple[str, list]:
        """SQL that leaves out the new cards a studied sibling due today holds back, and
        (`counting`) every new card of a block but its first that is shown today."""
        now, end = _ts(self.now), self._today()[1]
        test, deck = _scoped(_NEW_NOT_COUNTED if counting else _DUE_SIBLING, self.deck)
        return f" AND NOT {test}", [now, end, *deck]

    def _held_review(self, counting: bool = False) -> tuple[str, list]:
        """SQL that leaves out the reviews a sibling on a learning step due today holds
        back, and (`counting`) every due review of a block but one."""
        now, end = _ts(self.now), self._today()[1]
        test, deck = _scoped(_REVIEW_NOT_COUNTED if counting else _LEARNING_SIBLING,
                             self.deck)
        return f" AND NOT {test}", [now, end, *deck]

    def done_today(self) -> tuple[int, int]:
        """(new cards introduced, reviews answered) today: two counts over the reviews_state
        index (no review row is read). A review logged after today's end (the clock set back
        since) is not one of today's: counted, it used up the day's limits until the clock
        caught up (no new card for days), while the counts said nothing was done today."""
        start, end = self._today()

        def count() -> tuple[int, int]:
            new, reviews = self.col.conn.execute(
                f"SELECT (SELECT count(*) FROM reviews r INDEXED BY reviews_state"
                f" WHERE {_BEFORE} = 'new' AND r.reviewed_at >= ? AND r.reviewed_at < ?),"
                f" (SELECT count(*) FROM reviews r INDEXED BY reviews_state"
                f" WHERE {_BEFORE} = 'review' AND r.reviewed_at >= ? AND r.reviewed_at < ?)",
                (start, end, start, end)).fetchone()
            return new, reviews

        if self.done is None:
            return count()
        return self.done.get(self.col.conn, (start, end), count, self.version)

    def _first(self, sql: str, params: list) -> CardView | None:
        row = self.col.conn.execute(sql + " LIMIT 1", params).fetchone()
        if row is not None:
            # as a dict: an sqlite3.Row finds a name by comparing it with each column's in
            # turn (33 here), and the review screen's engine reads this row by name ~80
            # times from its next_card to its answer (CardView, the checks, the answer)
            row = dict(zip(row.keys(), row))
        self.shown_row = row
        return CardView.from_row(row) if row else None

    def next_card(self) -> CardView | None:
        now = self.now
        day_start, day_end = self.day
        filters, params = self._filters(now)
        not_siblings, sibling_params = self._not_siblings()

        # 1. learning steps due now; a step of a day or more, all of the day it ends on
        # (not looked for when the engine's kept learning cards say none is: none_due)
        if self.learning is None or not self.learning.none_due(
                self.col.conn, _ts(now), self._today(), self.deck, self.version):
            card = self._first(
                CARD_SELECT + " WHERE c.state IN ('learning', 'relearning') AND c.due < ?"
                f" AND (c.due <= ? OR {INTERDAY_STEP})" + filters
                + " ORDER BY c.due, c.id", [_ts(day_end), _ts(now), *params])
            if card:
                return card
        new_done, reviews_done = self.done_today()
        # 2. reviews due today, most overdue (relative to the interval) first
        if reviews_done < self.config.reviews_per_day:
            card = self._review_card(filters, params)
            if card:
                return card
        # 3. new cards, in the configured order
        if new_done < self.config.new_per_day:
            held, held_params = self._held_new()
            where = " WHERE c.state = 'new'" + filters + not_siblings + _FIRST_COPY + held
            where_params = [*params, *sibling_params, *held_params]
            card = None
            if self.config.new_order != "note" and self._last_was_exercise():
                card = self._new_card(where + " AND c.kind != 'exercise'", where_params,
                                      no_exercise=True)
            if card is None:
                card = self._new_card(where, where_params)
            if card:
                return card
        # 4. learn ahead, within today: a step that ends in tomorrow's scheduling day is
        # tomorrow's (Anki makes it a day-learn card), as the counts and `list --due` have it
        card = self._first(
            CARD_SELECT + " WHERE c.state IN ('learning', 'relearning') AND c.due <= ?" + filters
            + " ORDER BY c.due, c.id", [min(_ts(now + LEARN_AHEAD), _ts(day_end) - 1), *params])
        if card or self.ahead <= 0:
            return card
        # 5. review ahead: the studied cards due soonest, within the horizon
        return self._first(
            CARD_SELECT + " WHERE c.state != 'new' AND c.due < ?" + filters + not_siblings
            + " ORDER BY c.due, c.id", [self._horizon(), *params, *sibling_params])

    def _review_card(self, filters: str, params: list) -> CardView | None:
        """The most overdue review card (relative to its interval) that has no sibling
        answered today. Every due card is ranked, but only the first few are tested for
        siblings (the test costs more than the ranking): the first `few` by rank, then eight
        times as many while none of them passes and there are more."""
        now, end = _ts(self.now), _ts(self.day[1])
        not_siblings, sibling_params = self._not_siblings()
        held, held_params = self._held_review()
        conn = self.col.conn
        few = 32
        while True:
            ranked = None if self.ranking is None else self.ranking.ranked(
                conn, now, self._today(), self.deck, few, self.version)
            if ranked is not None:  # kept: the sibling test too (ReviewRanking._excluded)
                found = self.ranking.passing(ranked)
                if found is not None:
                    return self._first(CARD_SELECT + " WHERE c.id = ?", [found])
                if len(ranked) < few:
                    return None
                few *= 8
                continue
            ranked = [row[0] for row in conn.execute(
                "SELECT c.id FROM cards c WHERE c.state = 'review' AND c.due < ?" + filters
                + " ORDER BY CAST(? - c.due AS REAL) / MAX(c.due - c.last_review, 1) DESC,"
                " c.id LIMIT ?", [end, *params, now, few])]
            if not ranked:
                return None
            # the ranked ids as one JSON array: one parameter, however many
            row = conn.execute(
                "SELECT c.id FROM json_each(?) j CROSS JOIN cards c WHERE c.id = j.value"
                + not_siblings + held + " ORDER BY j.key LIMIT 1",
                [_id_array(ranked), *sibling_params, *held_params]).fetchone()
            if row is not None:
                return self._first(CARD_SELECT + " WHERE c.id = ?", [row[0]])
            if len(ranked) < few:
                return None
            few *= 8

    def _last_was_exercise(self) -> bool:
        """Whether the card answered last today is an exercise."""
        row = self.col.conn.execute(
            "SELECT c.kind FROM reviews r INDEXED BY reviews_time CROSS JOIN cards c"
            " WHERE r.reviewed_at >= ? AND r.reviewed_at < ? AND c.id = r.card_id"
            " ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1",
            self._today()).fetchone()
        return row is not None and row[0] == "exercise"

    def _new_card(self, where: str, params: list, no_exercise: bool = False
                  ) -> CardView | None:
        """The first new card matching `where` (which names `c`; `no_exercise`: it says
        `c.kind != 'exercise'`), in the configured order."""
        order = self.config.new_order
        if order == "note":
            return self._first(NEW_CARD_SELECT + where + " ORDER BY c.note_id, c.position",
                               params)
        if order == "random":
            # ranking every new card costs little from the cards_new index alone; the tests
            # of `where` (siblings, buried, the deck) cost more: they are run on the first
            # few in that order, and only if none of those passes, on all
            shuffle = _shuffle_params(self.day[0])
            ranked = [row[0] for row in self.col.conn.execute(
                "SELECT c.id FROM cards c INDEXED BY cards_new WHERE c.state = 'new'"
                f" AND c.orphaned = 0 AND c.suspended = 0 ORDER BY {_SHUFFLE}, c.id LIMIT 64",
                shuffle)]
            card = self._first(
                CARD_SELECT + where + " AND c.id IN (SELECT value FROM json_each(?))"
                f" ORDER BY {_SHUFFLE}, c.id", [*params, _id_array(ranked), *shuffle])
            if card is not None or len(ranked) < 64:
                return card
            return self._first(CARD_SELECT + where + f" ORDER BY {_SHUFFLE}, c.id",
                               [*params, *shuffle])
        # interleaved: a note that has given no new card today first (in note order), so
        # a walk of cards_new in its order that skips the notes that have; when every note
        # with a card left has given one, the one that has given fewest (then note order)
        today = list(self._today())
        first = NewCards.UNKNOWN
        if self.new_cards is not None:  # the engine's, kept between calls
            first = self.new_cards.first_untouched(self, no_exercise)
        if first is None:
            card = None
        elif first != NewCards.UNKNOWN:
            card = self._first(CARD_SELECT + " WHERE c.id = ?", [first])
        else:
            card = self._first(
                NEW_CARD_SELECT + where + f" AND c.note_id NOT IN ({_TOUCHED_NOTES})"
                " ORDER BY c.note_id, c.position", [*params, *today])
        if card:
            return card
        row = self.col.conn.execute(
            f"WITH touched AS ({_TOUCHED_NOTE_COUNTS}) SELECT c.id FROM touched"
            " CROSS JOIN cards c INDEXED BY cards_new" + where + " AND c.note_id = touched.note_id"
            " ORDER BY touched.given, c.note_id, c.position LIMIT 1", [*today, *params]).fetchone()
        return self._first(CARD_SELECT + " WHERE c.id = ?", [row[0]]) if row else None

    def counts(self) -> Counts:
        """What is left today: new (within the limit), learning, review (within the limit)."""
        now = self.now
        _day_start, day_end = self.day
        filters, params = self._filters(now)
        not_siblings, sibling_params = self._not_siblings()
        conn = self.col.conn

        def count(where: str, extra: list, cap: int, skip_siblings: bool,
                  held: tuple[str, list] = ("", [])) -> int:
            """How many cards match, counting no further than `cap` (the rest of a limit)."""
            if cap <= 0:
                return 0
            sql = "SELECT 1 FROM cards c WHERE " + where + filters
            args = [*extra, *params]
            if skip_siblings:
                sql += not_siblings + held[0]
                args += [*sibling_params, *held[1]]
            return conn.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)", [*args, cap]).fetchone()[0]

        new_done, reviews_done = self.done_today()
        review_cap = self.config.reviews_per_day - reviews_done
        due = None
        if self.ranking is not None and review_cap > 0:  # the engine's, kept between calls
            due = self.ranking.due_count(conn, _ts(now), (_ts(_day_start), _ts(day_end)),
                                         self.deck, self.version)
        new_cap = self.config.new_per_day - new_done
        new = None
        if self.new_cards is not None and new_cap > 0:  # the engine's, kept between calls
            new = self.new_cards.count(self, new_cap)
        learning = None
        if self.learning is not None:  # the engine's, kept between calls
            learning = self.learning.count(conn, _ts(now), (_ts(_day_start), _ts(day_end)),
                                           self.deck, self.version)
        counts = Counts(
            new=(count("c.state = 'new'" + _FIRST_COPY, [], new_cap, True,
                       self._held_new(counting=True)) if new is None else new),
            learning=(count("c.state IN ('learning', 'relearning') AND c.due < ?",
                            [_ts(day_end)], 1 << 62, False) if learning is None else learning),
            # count(*) of at most `cap` rows is min(cap, all of them)
            review=(count("c.state = 'review' AND c.due < ?", [_ts(day_end)], review_cap, True,
                          self._held_review(counting=True))
                    if due is None else min(review_cap, due)),
        )
        if self.ahead <= 0:
            return counts
        # reviewing ahead: the cards due after today, within the horizon, count as reviews
        # (every studied card next_card's review ahead gives: on a learning step of days too),
        # one a block: an answer holds its siblings back
        not_counted, deck = _scoped(_AHEAD_NOT_COUNTED, self.deck)
        ahead = count("c.state != 'new' AND c.due >= ? AND c.due < ?",
                      [_ts(day_end), self._horizon()], 1 << 62, True,
                      (f" AND NOT {not_counted}",
                       [_ts(now), self._horizon(), _ts(day_end), *deck]))
        return Counts(counts.new, counts.learning, counts.review + ahead)

    def held_back(self) -> Counts:
        """How many more new and review cards today would have without the sibling rules:
        the cards a sibling answered today, a sibling studied and due today, or a sibling
        that comes first today holds back for another day (within what is left of the daily
        limits: a card past a limit waits anyway). Learning cards are never held. Each count
        reads at most the rest of its limit of rows, as `counts` does."""
        filters, params = self._filters(self.now)
        new_done, reviews_done = self.done_today()

        def at_most(where: str, extra: list, cap: int) -> int:
            if cap <= 0:
                return 0
            return self.col.conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM cards c WHERE {where}{filters} LIMIT ?)",
                [*extra, *params, cap]).fetchone()[0]

        shown = self.counts()
        new = at_most("c.state = 'new'" + _FIRST_COPY, [],
                      self.config.new_per_day - new_done)
        review = at_most("c.state = 'review' AND c.due < ?", [_ts(self.day[1])],
                         self.config.reviews_per_day - reviews_done)
        return Counts(max(new - shown.new, 0), 0, max(review - shown.review, 0))

    def today(self) -> list[int]:
        """The ids of the cards `counts` counts, in the order the queue gives them (what
        `flashdeck list --due` lists): the learning steps due now, the reviews due today
        (most overdue first, within the limit), the new cards the rest of the daily limit
        lets in (in the configured order; interleaved: the notes take turns, those that
        have given fewest today first), then the learning steps due later today. The same
        tests as `counts`; the order is the queue's as far as the day's answers go (an
        answer may hold a sibling back); no two exercises in a row while another new card
        waits, as `next_card` gives them."""
        now, (day_start, day_end) = self.now, self.day
        filters, params = self._filters(now)
        not_siblings, sibling_params = self._not_siblings()
        conn = self.col.conn
        new_done, reviews_done = self.done_today()
        learning = [(row[0], row[1]) for row in conn.execute(
            "SELECT c.id, c.due <= ? OR " + INTERDAY_STEP + " FROM cards c"
            " WHERE c.state IN ('learning', 'relearning') AND c.due < ?" + filters
            + " ORDER BY c.due, c.id", [_ts(now), _ts(day_end), *params])]
        ids = [card_id for card_id, now_due in learning if now_due]
        review_cap = self.config.reviews_per_day - reviews_done
        held, held_params = self._held_review()
        few = 2 * review_cap + 32
        while review_cap > 0:
            # ranked as `_review_card` ranks them; the sibling test (a few seeks a card)
            # only on the first few in that order, more while too few of them pass; one
            # card a block, the first in that order (the one `next_card` gives: answered,
            # it holds the others back)
            ranked = [row[0] for row in conn.execute(
                "SELECT c.id FROM cards c WHERE c.state = 'review' AND c.due < ?" + filters
                + " ORDER BY CAST(? - c.due AS REAL) / MAX(c.due - c.last_review, 1) DESC,"
                " c.id LIMIT ?", [_ts(day_end), *params, _ts(now), few])]
            passing = _one_a_block(conn.execute(
                "SELECT c.id, c.note_id, c.block FROM json_each(?) j CROSS JOIN cards c"
                " WHERE c.id = j.value" + not_siblings + held + " ORDER BY j.key",
                [_id_array(ranked), *sibling_params, *held_params]), review_cap)
            if len(passing) == review_cap or len(ranked) < few:
                ids += passing
                break
            few *= 8
        new_cap = self.config.new_per_day - new_done
        if new_cap > 0:
            ids += self._new_in_turn(new_cap, ids[-1] if ids else None)
        return ids + [card_id for card_id, now_due in learning if not now_due]

    def _new_in_turn(self, cap: int, before: int | None) -> list[int]:
        """The first `cap` new cards as `next_card` gives them: in the configured order, but
        never an exercise after an exercise while another new card waits (`before`: the
        card listed before them; None: the card answered last today). After an exercise,
        the order's first card that is not one comes forward, from wherever it is in the
        order (as `next_card` finds it), the rest keeping their order."""
        if self.config.new_order == "note":
            return self._new_today(cap)
        if before is None:
            after_exercise = self._last_was_exercise()
        else:
            row = self.col.conn.execute("SELECT kind FROM cards WHERE id = ?",
                                        (before,)).fetchone()
            after_exercise = row is not None and row[0] == "exercise"
        size = 2 * cap
        while True:  # the order's first `size` cards; more while they hold too few others
            order = self._new_today(size)
            spread = self._spread(order, cap, after_exercise, all_of_them=len(order) < size)
            if spread is not None:
                return spread
            size *= 4

    def _spread(self, order: list[int], cap: int, after_exercise: bool,
                all_of_them: bool) -> list[int] | None:
        """`_new_in_turn`'s first `cap` cards from `order`, the start of the new cards'
        order (`all_of_them`: the whole of it); None when an exercise would follow an
        exercise while the order beyond `order` may hold a card that is not one."""
        exercise = {row[0] for row in self.col.conn.execute(
            "SELECT c.id FROM json_each(?) j CROSS JOIN cards c WHERE c.id = j.value"
            " AND c.kind = 'exercise'", [_id_array(order)])}
        if not exercise:
            return order[:cap]
        exercises = deque((i, card_id) for i, card_id in enumerate(order) if card_id in exercise)
        others = deque((i, card_id) for i, card_id in enumerate(order)
                       if card_id not in exercise)
        spread: list[int] = []
        while len(spread) < cap and (exercises or others):  # one card a pass
            if after_exercise and not others and not all_of_them:
                return None
            take = exercises if not others or (exercises and exercises[0] < others[0]
                                               and not after_exercise) else others
            spread.append(take.popleft()[1])
            after_exercise = take is exercises
        return spread

    def _new_today(self, cap: int) -> list[int]:
        """The first `cap` new cards in the configured order (`today`), each with the new
        count's tests. The tests (siblings, copies) cost a seek or two a card: they run on
        the cards the order reaches, not on every new card of the collection."""
        filters, params = self._filters(self.now)
        not_siblings, sibling_params = self._not_siblings()
        order = self.config.new_order
        # one card a block: its first in the block's order (note, interleaved); in the
        # random order, its first in that order (below)
        held, held_params = self._held_new(counting=order != "random")
        where = " WHERE c.state = 'new'" + filters + not_siblings + _FIRST_COPY + held
        where_params = [*params, *sibling_params, *held_params]
        conn = self.col.conn
        if order == "note":  # the index's order: the walk stops at the cap
            return [row[0] for row in conn.execute(
                "SELECT c.id FROM cards c INDEXED BY cards_new" + where
                + " ORDER BY c.note_id, c.position LIMIT ?", [*where_params, cap])]
        if order == "random":
            shuffle = _shuffle_params(self.day[0])
            ranked_sql = ("SELECT c.id FROM cards c INDEXED BY cards_new WHERE c.state = 'new'"
                          " AND c.orphaned = 0 AND c.suspended = 0"
                          f" ORDER BY {_SHUFFLE}, c.id LIMIT ?")
            few = 4 * cap + 64
            ranked = [row[0] for row in conn.execute(ranked_sql, [*shuffle, few])]
            passing = {row[0]: row for row in conn.execute(
                "SELECT c.id, c.note_id, c.block FROM cards c" + where
                + " AND c.id IN (SELECT value FROM json_each(?))",
                [*where_params, _id_array(ranked)])}
            ids = _one_a_block((passing[card_id] for card_id in ranked
                                if card_id in passing), cap)
            if len(ids) == cap or len(ranked) < few:
                return ids
            return _one_a_block(conn.execute(
                "SELECT c.id, c.note_id, c.block FROM cards c" + where
                + f" ORDER BY {_SHUFFLE}, c.id", [*where_params, *shuffle]), cap)
        # interleaved: the notes take turns; a note that has given g cards today has had g
        # turns. A card's key is (g + its rank among its note's cards left, note, position):
        # each note's first `cap` cards that pass, note by note in the index's order, until
        # no note further on could come before the cap-th key found (its first card would
        # have turn 1 at best, and a later note)
        given = dict(conn.execute(_TOUCHED_NOTE_COUNTS, self._today()).fetchall())
        per_note = ("SELECT c.id, c.position FROM cards c INDEXED BY cards_new" + where
                    + " AND c.note_id = ? ORDER BY c.position, c.id LIMIT ?")
        next_note = ("SELECT c.note_id FROM cards c INDEXED BY cards_new"
                     " WHERE c.state = 'new' AND c.orphaned = 0 AND c.suspended = 0"
                     " AND c.note_id > ?" + deck_clause(self.deck)[0]
                     + " ORDER BY c.note_id LIMIT 1")
        deck_params = deck_clause(self.deck)[1]
        keys: list[tuple[int, int, int, int]] = []  # (turn, note, position, id)
        note = -(1 << 63)
        while True:
            if len(keys) >= cap:
                keys.sort()
                del keys[cap:]
                if keys[-1][0] <= 1:
                    break  # every note further on comes after the cap-th
            row = conn.execute(next_note, [note, *deck_params]).fetchone()
            if row is None:
                break
            note = row[0]
            first = given.get(note, 0)
            for rank, (card_id, position) in enumerate(
                    conn.execute(per_note, [*where_params, note, cap]), start=1):
                keys.append((first + rank, note, position, card_id))
        keys.sort()
        return [key[3] for key in keys[:cap]]

    def deck_counts(self) -> dict[str, Counts]:
        """Every deck with a live card (suspended ones too) and what it has left today, the
        daily limits not applied (see scheduling/decks.py): one grouped pass over the cards."""
        now = _ts(self.now)
        end = _ts(self.day[1])
        _, sibling_params = self._not_siblings()
        # each sum's test is a CASE: its WHEN clauses are tried in order and the first that
        # holds wins, so the sibling and copy tests run only for a card that is due
        hidden = "c.suspended != 0 OR coalesce(c.buried_until > ?, 0)"
        # the sibling tests with their siblings in any deck: a block counts once, in the
        # deck of its card that comes first
        new_not_counted = _scoped(_NEW_NOT_COUNTED, None)[0]
        review_not_counted = _scoped(_REVIEW_NOT_COUNTED, None)[0]
        sql = (
            "SELECT c.deck,"
            f" sum(CASE WHEN c.state != 'new' OR {hidden} THEN 0 WHEN {LATER_COPY} THEN 0"
            f"  WHEN {_ANSWERED_SIBLING} THEN 0 WHEN {new_not_counted} THEN 0 ELSE 1 END),"
            " sum(CASE WHEN c.state NOT IN ('learning', 'relearning') OR c.due >= ?"
            f"  OR {hidden} THEN 0 ELSE 1 END),"
            f" sum(CASE WHEN c.state != 'review' OR c.due >= ? OR {hidden} THEN 0"
            f"  WHEN {_ANSWERED_SIBLING} THEN 0 WHEN {review_not_counted} THEN 0 ELSE 1 END)"
            # every deck with a live card is in the tree, suspended or buried ones too. A
            # plain scan of the table (`+`: no index for `orphaned`, which nearly every card
            # passes): through an index, each card's row was a seek, 8x slower at 100k cards
            " FROM cards c WHERE +c.orphaned = 0 GROUP BY c.deck")
        params = [now, *sibling_params, now, end, end, now, end, now, *sibling_params, now, end]
        conn = self.col.conn
        # GROUP BY sorts every live card: in memory (the collection's temp_store, for the
        # import's sub-journals) that grew ~10 MB per 100k cards; in temporary files
        # SQLite's sorter keeps to its page cache and spills the rest. No temporary table
        # is ever made, so switching loses nothing; where no temporary file can be made,
        # the sort is done in memory as before
        conn.execute("PRAGMA temp_store = FILE")
        try:
            rows = conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "unable to open" not in str(exc):
                raise
            conn.execute("PRAGMA temp_store = MEMORY")
            rows = conn.execute(sql, params).fetchall()
        finally:
            conn.execute("PRAGMA temp_store = MEMORY")
        return {deck: Counts(new, learning, review) for deck, new, learning, review in rows}
