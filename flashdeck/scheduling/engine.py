"""The review engine: what each answer does, undo, suspend, bury.

FSRS itself is the `fsrs` package; the queue (which card comes next, the counts) is
scheduling/queue.py. Every answer is written to the collection before anything else happens.

Fuzz is random in FSRS; it is seeded from the card's id and version here, so the interval a
preview shows is exactly the one the answer gives, even across processes (`flashdeck next`
then `flashdeck answer`).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Callable, NamedTuple

from flashdeck import clock
from flashdeck.collection.cards import CardView, card_row
from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.day import day_bounds, days_between
from flashdeck.scheduling.queue import (Counts, DoneToday, LearningCount, NewCards, Queue,
                                        ReviewRanking, answer_siblings, data_version)
from flashdeck.scheduling.rating import Rating, check_rating

if TYPE_CHECKING:
    from flashdeck.scheduling.state import CardState

# the rating words by number, for the modules that print them (cram, cardinfo, the commands)
RATING_NAMES = {rating.value: rating.word for rating in Rating}


class Preview(NamedTuple):
    rating: int
    due: datetime
    interval: timedelta
    columns: dict  # the card's scheduling columns after this answer
    text: str = ""  # the label, where it is no interval (cram: "soon", "done")

    @property
    def label(self) -> str:
        return self.text or format_interval(self.interval)

    def to_json(self) -> dict:
        return {"due": self.due.astimezone(clock.local_tz()).isoformat(), "interval": self.label}


class Answered(NamedTuple):
    card_id: int
    rating: int
    review_id: int
    state: str
    due: datetime
    interval: timedelta
    leech: bool  # this answer made it a leech (it is now suspended)
    reviewed_at: int | None = None  # its time in the review log (Unix seconds; None: a cram's)


class Undo(NamedTuple):
    """What an undo did: the card and rating taken back (or its suspend or bury: `action`),
    or why nothing was."""

    card_id: int | None = None
    rating: int | None = None
    reason: str = ""
    action: str = "answer"

    @property
    def done(self) -> bool:
        return self.card_id is not None


class Hidden(NamedTuple):
    """A suspend or bury of one card (or an unsuspend) and the card's columns before it,
    for `Engine.restore`."""

    card_id: int
    action: str  # suspend | unsuspend | bury
    suspended: int
    leech: int
    buried_until: int | None
    version: int


def format_interval(delta: timedelta) -> str:
    """Anki-style: <1m, 10m, 1.5h, 8d, 30d, 2.1mo, 1.5y, as Anki's answer buttons have them
    (rslib scheduler/timespan.rs): minutes and days whole, hours, months and years to a
    tenth; a month is a twelfth of 365 days, so 30 days are 30d and 161 days 5.3mo (they
    were 1mo and 5.4mo here, a month taken as 30 days); halves rounded up."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{_half_up(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{_tenths(hours)}h"
    days = hours / 24
    if days < _MONTH:
        return f"{_half_up(days)}d"
    if days < 365:
        return f"{_tenths(days / _MONTH)}mo"
    return f"{_tenths(days / 365)}y"


_MONTH = 365 / 12  # Anki's month, in days


def _half_up(x: float) -> int:
    return int(x + 0.5)  # Rust's round for the positive amounts here


def _tenths(x: float) -> str:
    """One decimal, halves rounded up, without a trailing .0 (`1mo`, `1.1mo`)."""
    tenths = int(x * 10 + 0.5)
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _dt(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)


def _synced(conn, review_id: int, pulled: bool = False) -> bool:
    """Whether an answer is in Anki already: pulled from it or pushed to it by `flashdeck
    sync` (ankisync/merge.py's `anki_log`, which exists once the collection has synced).
    `pulled`: whether it is an answer pulled from Anki (given on another device)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'anki_log'"
                    ).fetchone() is None:
        return False
    return conn.execute("SELECT 1 FROM anki_log WHERE review_id = ?"
                        + (" AND pulled = 1" if pulled else ""),
                        (review_id,)).fetchone() is not None


def _record_parameters(conn, config: Config, now: datetime) -> None:
    """Note in the collection's parameters history (inside the answer's transaction) that
    `config`'s parameters are in force from `now`, unless they are already: parameters
    pasted into config.toml by hand (Anki's), or taken out again, are then what `doctor`
    replays the answers given with them by, after they have changed again. Before, a user
    who had answered with Anki's weights for a week and then removed them got a problem for
    every card answered that week. Looked at on an engine's first answer and again after
    another connection's writes (an `optimize` in another terminal while the review screen,
    with its settings read at start, goes on answering: its answers were replayed by the
    new parameters, and `doctor` flagged each of them)."""
    from flashdeck.scheduling.parameters import (InForce, parameters_history,
                                                 record_parameters, with_parameters)

    in_force = InForce(parameters_history(conn)).at(_ts(now))
    if with_parameters(config, in_force) != config:
        record_parameters(conn, now, config.parameters)

class Engine:
    """Scheduling over one open collection. Cheap to create; holds no queue in memory, but
    the due reviews' rank order and the new cards left today once asked twice
    (queue.ReviewRanking, queue.NewCards: rebuilt whenever anything but its own answers
    changed the collection), and fsrs's last results (step.ReviewMemo)."""

    def __init__(self, col: Collection, config: Config | None = None,
                 now: Callable[[], datetime] | None = None, deck: str | None = None,
                 ahead: int = 0):
        self.col = col
        self.config = config or Config()
        self._now = now or clock.now
        self.deck = deck
        self.ahead = ahead  # days to review ahead once nothing is due (`--ahead`)
        # the due reviews' rank order, kept while provably unchanged (queue.ReviewRanking)
        self._ranking = ReviewRanking()
        # the new cards left today, kept the same way (queue.NewCards)
        self._new_cards = NewCards()
        # today's totals for the daily limits, kept the same way (queue.DoneToday)
        self._done = DoneToday()
        # the learning count, kept the same way (queue.LearningCount)
        self._learning = LearningCount()
        self._memo = None  # fsrs's results, from the previews to the answer (step.ReviewMemo)
        # the collection's PRAGMA data_version when its parameters history last had this
        # config's parameters in force (see _record_parameters): looked at again once
        # another connection has written (an `optimize`, or a flashdeck with other
        # settings, in another terminal, may have put other parameters in force since)
        self._parameters_seen: int | None = None
        # the row of the card next_card gave, with the stamp it holds at (`_card_row`)
        self._shown: tuple | None = None
        # PRAGMA data_version, read once a read transaction of `_reading` (None outside one)
        self._snapshot: int | None = None
        self._checked = None  # the last row `answers` found sound (check_stored); rows are immutable
        self._day: tuple | None = None  # (zone, day-start hour, start, end): `day`

    # -- time ------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._now()

    def day(self) -> tuple[datetime, datetime]:
        """The scheduling day holding now, (start, end) in UTC (`day.day_bounds`), kept
        while now is within it: a day is [its start, the next day's start) in its zone and
        day-start hour, so every moment in it gives these bounds again (the next_card and
        the counts of each answer asked for them: the zone's offsets, two day starts)."""
        now, tz, hour = self.now(), self.tz(), self.config.day_start_hour
        kept = self._day
        if kept is not None and kept[0] is tz and kept[1] == hour \
                and kept[2] <= now < kept[3]:
            return kept[2], kept[3]
        start, end = day_bounds(now, hour, tz)
        self._day = (tz, hour, start, end)
        return start, end

    def tz(self):
        return clock.local_tz()

    def interval(self, state: str, due: datetime, now: datetime, tz=None) -> timedelta:
        """The interval an answer `now` gives, as Anki shows it: for a review card, the
        scheduling days from today to its due day (answered at 23:50, a card due the day
        after tomorrow is 2d, not the 1d its 28 hours round to); else the time to `due`.
        `tz`: the zone (`tz()`), when the caller has it already."""
        if state != "review":
            return due - now
        return timedelta(days=days_between(now, due, self.config.day_start_hour,
                                           self.tz() if tz is None else tz))

    # -- FSRS (scheduling/step.py: imported at the first answer or preview, which come after
    # the first card is on screen) ------------------------------------------------------------
    def answers(self, row, now: datetime, only: int | None = None, tz=None,
                state: CardState | None = None) -> dict[int, CardState]:
        """The card's state after each rating (1-4) answered `now` (`only`: after that one;
        step.answers). fsrs's results are kept between the previews and the answer. `tz`:
        the zone (`tz()`), `state`: the row's CardState, when the caller has them already."""
        from flashdeck.scheduling import step
        from flashdeck.scheduling.state import CardState, check_stored

        if row is not self._checked:  # the kept row (`_card_row`): checked at its previews
            check_stored(row)
            self._checked = row
        if self._memo is None:
            self._memo = step.ReviewMemo()
        return step.answers(row["id"], CardState.from_dict(row) if state is None else state,
                            now, self.config, self.tz() if tz is None else tz, only=only,
                            memo=self._memo)

    def previews(self, card_id: int) -> dict[str, Preview]:
        row = self._card_row(card_id)
        now = self.now().replace(microsecond=0)
        tz = self.tz()
        result = {}
        for rating, after in self.answers(row, now, tz=tz).items():
            due = _dt(after.due)
            result[RATING_NAMES[rating]] = Preview(rating, due,
                                                  self.interval(after.state, due, now, tz),
                                                  after.to_dict())
        return result

    def _card_row(self, card_id: int, version: int | None = None):
        """The card's row (`collection.cards.card_row`): the one next_card read for it while
        provably unchanged (the review screen's previews, then its answer, read it twice
        more): no commit by another connection since (`PRAGMA data_version`, `version` when
        the caller has read it in its transaction) and no row changed by this one
        (`total_changes`), as the queue's kept ranking is validated."""
        shown = self._shown
        if shown is not None and shown[0] == card_id:
            conn = self.col.conn
            if version is None:
                version = data_version(conn)
            if shown[2] == version and shown[3] == conn.total_changes:
                return shown[1]
        return card_row(self.col, card_id)

    def _row(self, card_id: int):
        """The card's row (`collection.cards.card_row`), for subclasses (cram)."""
        return card_row(self.col, card_id)

    # -- the queue (scheduling/queue.py) ----------------------------------------------------
    def queue(self):
        return Queue(self.col, self.config, self.now(), self.day(), self.deck, self.ahead,
                     self._ranking, self._new_cards, self._done, version=self._snapshot,
                     learning=self._learning)

    def next_card(self) -> CardView | None:
        with self._reading():
            conn = self.col.conn
            queue = self.queue()
            card = queue.next_card()
            row = queue.shown_row
            self._shown = None
            if card is not None and row is not None and row["id"] == card.id:
                version = data_version(conn, self._snapshot)
                self._shown = (card.id, row, version, conn.total_changes)
            return card

    def counts(self) -> Counts:
        """What is left today: new (within the limit), learning, review (within the limit)."""
        with self._reading():
            return self.queue().counts()

    @contextmanager
    def _reading(self):
        """The queue's statements in one read transaction (one snapshot): each statement
        on its own took and released the write-ahead log's read lock (two fcntl calls),
        about 16 of the ~50 system calls of an answer cycle. Inside a caller's transaction,
        that one."""
        conn = self.col.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            # the data version the queue's kept state is checked against, read once: its
            # first statement starts the read transaction, so it is this snapshot's
            self._snapshot = data_version(conn)
            yield
        finally:
            self._snapshot = None
            if conn.in_transaction:  # a read transaction: COMMIT only ends it
                conn.execute("COMMIT")

    # -- answering -------------------------------------------------------------------------
    def answer(self, card_id: int, rating: int, *, duration_ms: int | None = None,
               expected_version: int | None = None) -> Answered:
        """Answer a card and commit it. `expected_version` guards against a concurrent answer."""
        import json  # these three: not before the first card (PRODUCT.md §7)

        from flashdeck.scheduling import step
        from flashdeck.scheduling.state import SCHEDULING_COLUMNS, SCHEDULING_SET, CardState

        check_rating(rating)
        now = self.now().replace(microsecond=0)
        tz = self.tz()
        with self.col.transaction() as conn:
            version = data_version(conn)
            row = self._card_row(card_id, version)
            self._shown = None  # answered: the row changes
            if row["orphaned"]:
                raise UsageError(f"card {card_id} is no longer in its note")
            if row["suspended"]:
                raise UsageError(f"card {card_id} is suspended (`flashdeck unsuspend {card_id}`)")
            if expected_version is not None and row["version"] != expected_version:
                raise UsageError(f"card {card_id} was answered elsewhere in the meantime")
            ranking_fresh, new_fresh, done_fresh = None, False, False
            learning_fresh = self._learning.fresh(conn, version)
            if self._ranking.kept or self._new_cards.kept or self._done.kept:  # still hold?
                ranking_fresh = self._ranking.fresh(conn, version)
                new_fresh = self._new_cards.fresh(conn, version)
                done_fresh = self._done.fresh(conn, version)
            # the cards this answer holds back today, read in its own transaction (after
            # the commit, the statement took the log's read lock again on its own)
            siblings = (answer_siblings(conn, row)
                        if ranking_fresh is not None or new_fresh else None)
            state = CardState.from_dict(row)
            before = state.to_dict()
            after = self.answers(row, now, only=rating, tz=tz, state=state)[rating].to_dict()
            changed = conn.execute(
                f"UPDATE cards SET {SCHEDULING_SET} WHERE id = ? AND version = ?",
                (*[after[c] for c in SCHEDULING_COLUMNS], card_id, row["version"]),
            ).rowcount
            if changed != 1:
                raise UsageError(f"card {card_id} was answered elsewhere in the meantime")
            seen = version  # no other connection commits while this one writes
            if seen != self._parameters_seen:
                _record_parameters(conn, self.config, now)
            review_id = conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms, state_before,"
                " state_after) VALUES (?, ?, ?, ?, ?, ?)",
                (card_id, _ts(now), rating, duration_ms, json.dumps(before),
                 json.dumps({**after, "rules": step.RULES,
                             "zone": step.zone_key(tz, now),
                             "hour": self.config.day_start_hour,
                             "set": step.settings_logged(self.config)})),
            ).lastrowid
        # committed: what is kept between calls follows this answer
        self._parameters_seen = seen
        if learning_fresh:
            self._learning.after_answer(self.col.conn, version, row, after)
        if done_fresh:
            self._done.after_answer(self.col.conn, version, _ts(now), before["state"])
        if siblings is not None:
            if ranking_fresh is not None:
                self._ranking.after_answer(self.col.conn, ranking_fresh, row, _ts(now),
                                           after["state"], after["due"], after["suspended"],
                                           siblings)
            if new_fresh:
                self._new_cards.after_answer(self.col.conn, version, _ts(now), row, siblings)
        due = _dt(after["due"])
        return Answered(card_id, rating, review_id, after["state"], due,
                        self.interval(after["state"], due, now, tz),
                        leech=bool(after["leech"]) and not before["leech"],
                        reviewed_at=_ts(now))

    def undo(self, *, review_id: int | None = None,
             day: tuple[datetime, datetime] | None = None) -> Undo:
        """Undo one answer exactly: the answer `review_id` (the review screen undoes its own
        session's), else the collection's last one when it was given within `day`, [start,
        end) (the command line undoes the current scheduling day's). Anything further back
        is history: it is never undone, and the result says why; so is an answer logged on
        a later day (the clock set back since), which is that day's."""
        import json  # these two: not before the first card (PRODUCT.md §7)

        from flashdeck.scheduling.state import SCHEDULING_COLUMNS

        with self.col.transaction() as conn:
            columns = "SELECT id, card_id, rating, reviewed_at, state_after FROM reviews"
            if review_id is not None:
                last = conn.execute(columns + " WHERE id = ?", (review_id,)).fetchone()
                if last is None:  # logged again under a new id by a sync (or undone)
                    from flashdeck.collection.lookups import reviews_in_log

                    now_id = reviews_in_log(conn, [review_id]).get(review_id)
                    if now_id is not None:
                        last = conn.execute(columns + " WHERE id = ?", (now_id,)).fetchone()
                if last is None:
                    return Undo(reason="that answer is no longer in the review log")
            else:
                last = conn.execute(columns + " ORDER BY id DESC LIMIT 1").fetchone()
                if last is None:
                    return Undo(reason="nothing to undo: no answers yet")
                if _synced(conn, last["id"], pulled=True):
                    # a phone's answers pulled in by `flashdeck sync` are logged after the
                    # answers given here before it: the last one given here is the one meant
                    # (the last in the log named a phone's answer to another card instead);
                    # within `day` only (by the time index: not a walk past every pulled
                    # answer, 1 s at a million), as no answer before it is undone
                    since = "r.reviewed_at >= ? AND " if day is not None else ""
                    own = conn.execute(
                        columns + f" r WHERE {since}NOT EXISTS (SELECT 1 FROM anki_log l"
                        " WHERE l.review_id = r.id AND l.pulled = 1) ORDER BY id DESC LIMIT 1",
                        (_ts(day[0]),) if day is not None else ()).fetchone()
                    last = own if own is not None else last
            try:  # a damaged row (the file damaged on disk) is never applied
                before = json.loads(conn.execute("SELECT state_before FROM reviews WHERE id = ?",
                                                 (last["id"],)).fetchone()[0])
                after = json.loads(last["state_after"])
                if last["rating"] not in RATING_NAMES or type(last["reviewed_at"]) is not int \
                        or not isinstance(before, dict) \
                        or not isinstance(after, dict) or "version" not in after \
                        or not set(SCHEDULING_COLUMNS) <= set(before):
                    raise ValueError(last["rating"])
            except (ValueError, TypeError):
                return Undo(reason=(
                    f"nothing undone: that answer's row in the review log (review {last['id']},"
                    f" card {last['card_id']}) is damaged; run `flashdeck doctor`"))
            if review_id is None and day is not None \
                    and not _ts(day[0]) <= last["reviewed_at"] < _ts(day[1]):
                when = ("was on an earlier day" if last["reviewed_at"] < _ts(day[0]) else
                        "was logged on a later day than today (the clock was set back since)")
                return Undo(reason=(
                    f"nothing undone: the last answer ({self._said(last, on_card=True)})"
                    f" {when}, and undo reaches only today's answers"))
            if _synced(conn, last["id"]):
                return Undo(reason=(
                    f"nothing undone: the last answer ({self._said(last, on_card=True)})"
                    " is in Anki already (`flashdeck sync` shared it), and a synced answer"
                    " stays: taking it back here would lose it from one side"))
            if conn.execute("SELECT 1 FROM cards WHERE id = ?",
                            (last["card_id"],)).fetchone() is None:
                # a log row of a card that is not there (another program's edit): every undo
                # ended in "no card with id 999", and no answer before it could be undone
                return Undo(reason=(
                    f"nothing undone: the last answer in the review log (review {last['id']})"
                    f" is of card {last['card_id']}, which is not in the collection; run"
                    " `flashdeck doctor`"))
            row = card_row(self.col, last["card_id"])
            if row["version"] != after["version"]:
                # buried, suspended or answered elsewhere since: taking the answer back now
                # would undo that too
                return Undo(reason=(
                    f"nothing undone: card {last['card_id']} changed since that answer"
                    f" ({self._said(last)}): it was buried, suspended or answered elsewhere"
                    " since, and undo takes back only an answer nothing came after"))
            conn.execute(
                f"UPDATE cards SET {', '.join(c + ' = ?' for c in SCHEDULING_COLUMNS)}"
                " WHERE id = ?", (*[before[c] for c in SCHEDULING_COLUMNS], last["card_id"]))
            conn.execute("DELETE FROM reviews WHERE id = ?", (last["id"],))
        return Undo(last["card_id"], last["rating"])

    def _said(self, review, on_card: bool = False) -> str:
        """An answer as undo's refusals name it: `good on card 3, 2026-12-01 09:00`."""
        card = f" on card {review['card_id']}" if on_card else ""
        try:
            when = f"{_dt(review['reviewed_at']).astimezone(self.tz()):%Y-%m-%d %H:%M}"
        except (ValueError, OverflowError, OSError):  # a time damaged on disk
            when = "at a time out of range"
        return f"{Rating(review['rating']).word}{card}, {when}"

    def suspend(self, card_id: int, suspended: bool = True) -> Hidden:
        """Suspend or unsuspend; unsuspending a leech clears its flag (it becomes a leech
        again after half as many more lapses, rounded up, as in Anki). Returns what `restore`
        undoes."""
        with self.col.transaction() as conn:
            row = card_row(self.col, card_id)
            conn.execute("UPDATE cards SET suspended = ?, leech = leech * ?,"
                         " version = version + 1 WHERE id = ?",
                         (int(suspended), int(suspended), card_id))
        return Hidden(card_id, "suspend" if suspended else "unsuspend", row["suspended"],
                      row["leech"], row["buried_until"], row["version"])

    def bury(self, card_id: int) -> Hidden:
        """Hide the card until the next day starts. Returns what `restore` undoes."""
        _, day_end = self.day()
        with self.col.transaction() as conn:
            row = card_row(self.col, card_id)
            conn.execute("UPDATE cards SET buried_until = ?, version = version + 1 WHERE id = ?",
                         (_ts(day_end), card_id))
        return Hidden(card_id, "bury", row["suspended"], row["leech"], row["buried_until"],
                      row["version"])

    def restore(self, hidden: Hidden) -> Undo:
        """Undo a suspend or a bury exactly (the review screen's `u`): the card as it was
        before it, version and all, so an answer before it can be undone next; refused when
        anything changed the card since (an answer elsewhere, another bury)."""
        with self.col.transaction() as conn:
            changed = conn.execute(
                "UPDATE cards SET suspended = ?, leech = ?, buried_until = ?, version = ?"
                " WHERE id = ? AND version = ?",
                (hidden.suspended, hidden.leech, hidden.buried_until, hidden.version,
                 hidden.card_id, hidden.version + 1)).rowcount
        if changed != 1:
            return Undo(reason=f"nothing undone: card {hidden.card_id} changed since the"
                               f" {hidden.action} (answered or hidden elsewhere)")
        return Undo(hidden.card_id, action=hidden.action)
