"""What the review screen's engine keeps between calls (issue 23: queue.ReviewRanking,
queue.NewCards, step.ReviewMemo and the one-rating answer) never shows the user anything a
fresh engine — a new process, `flashdeck next` — would not: the same next card, the same
counts, the same button previews (every rating's due date, interval and state), and each
answer gives exactly what the fresh engine's buttons said just before.

A hypothesis state machine drives one long-lived engine, as the review screen holds it,
through answers of every grade, its own undo, bury and suspend, time moving on (seconds to
days, across the day start, midnight and a DST change in an IANA zone), another terminal's
answers, undo, bury, suspend and unsuspend, the notes re-imported with a card edited,
removed or added (from the other terminal and from the screen's own connection), switching
the deck and reviewing ahead. After every step the kept engine is compared with the plain
SQL queue and a fresh engine on a second connection.

The collection is imported from notes written here in the user's style: clozes of one
paragraph, reversed pairs and multi-line cards (siblings), a summary and aliases, an
exercise matched by two notes (copies), notes whose only new cards are exercises, decks and
subdecks from tags, and `<!--SR:…-->` comments (SM-2 and FSRS) that seed review cards due
today and over the next days, one a lapse from being a leech and one relearning. The daily
limits are small, so they bite; the three new-card orders are drawn; a second run makes
what is kept read a few cards at a time (its walks cut short and rebuilt often).
Derandomized with no example database: the same runs everywhere.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from textwrap import dedent
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition,
                                 rule, run_state_machine_as_test)

from flashdeck.collection.importer import import_paths
from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.day import day_bounds
from flashdeck.scheduling.engine import RATING_NAMES, Engine
from flashdeck.scheduling.queue import NewCards, Queue, ReviewRanking

UTC = timezone.utc

# (zone, the first moment): a day or so before the zone's clocks change
STARTS = {
    "Europe/Berlin": datetime(2026, 10, 24, 7, 30, tzinfo=UTC),  # back an hour on the 25th
    "America/New_York": datetime(2026, 10, 31, 13, 10, tzinfo=UTC),  # back on Nov 1st
    "Europe/Berlin, spring": datetime(2026, 3, 28, 8, 45, tzinfo=UTC),  # forward on the 29th
}
DECKS = [None, None, "flashcards/bio", "flashcards/ml", "flashcards/ml/metrics",
         "flashcards/ml/metrics", "flashcards/bio/leaves"]


def sr(day: date, *groups: tuple[int, int, int]) -> str:
    """An Obsidian Spaced Repetition comment: per sibling, due `offset` days after `day`,
    its interval and ease."""
    return "<!--SR:" + "".join(f"!{day + timedelta(days=offset)},{interval},{ease}"
                               for offset, interval, ease in groups) + "-->"


def fsrs(day: date, offset: int, interval: int, stability: float, difficulty: float,
         state: str, lapses: int) -> str:
    """The plugin's FSRS comment (1.14.2 on): due at 08:00 UTC `offset` days after `day`,
    last reviewed `interval` days before that (a relearning card: the day before)."""
    due = datetime.combine(day + timedelta(days=offset), datetime.min.time()).replace(hour=8)
    last = due - timedelta(days=max(interval, 1))
    code = {"review": 2, "relearning": 3}[state]
    return (f"<!--SR:!fsrs,{due:%Y-%m-%dT%H:%M:%S}.000Z,{interval},{stability},{difficulty},"
            f"{code},{lapses + 5},{lapses},0,{last:%Y-%m-%dT%H:%M:%S}.000Z-->")


def notes(day: date) -> dict[str, list[str]]:
    """The vault's notes: each its text, then edited versions (a back edited, a card
    removed, a card added) that the re-import step switches between."""
    plants = dedent(f"""\
        ---
        tags: [flashcards/bio]
        ---

        # Plants

        #flashcards/bio/leaves
        Leaves turn light into ==sugar== using ==chlorophyll==. {sr(day, (0, 3, 250), (1, 4, 250))}

        Xylem:::carries water up {sr(day, (-1, 6, 230))}

        Phloem::carries sugar down

        Stomata open when?
        ?
        In the light,
        when water is plenty.

        #flashcards/bio/roots
        Roots take up ==water== and ==minerals==.
        """)
    soil = dedent(f"""\
        ---
        tags: [flashcards/bio]
        summary: the loose top layer of the ground
        ---

        # Soil

        Humus::decayed plant matter
        Loam is ==sand==, ==silt== and ==clay==.
        What is pH a measure of?::acidity

        Clay holds::water well {sr(day, (-2, 3, 250))}

        Sand drains ==fast== and warms ==early==. {sr(day, (0, 5, 230), (2, 12, 270))}
        """)
    harmonic = dedent(f"""\
        ---
        tags: [flashcards/ml]
        aliases: [HM]
        summary: the reciprocal of the mean of the reciprocals
        exercises: [harmonic-mean-speed]
        ---

        # Harmonic Mean

        The ==harmonic== mean of rates is ==never above== the ==arithmetic== mean.

        What averages speeds over equal distances::the harmonic mean {sr(day, (1, 2, 250))}

        Rate:::Speed

        Why is it used for F1?
        ?
        It punishes an imbalance
        between precision and recall.

        ## Is the harmonic mean at most the geometric mean?
        Yes, for positive numbers: HM ≤ GM ≤ AM.
        """)
    trips = dedent(f"""\
        ---
        tags: [flashcards/ml/metrics]
        exercises: [harmonic-mean-speed]
        ---

        # Trip speeds

        Going at 10 and back at 30 averages ==15== km/h, not ==20==.

        Average speed on a round trip::harmonic mean of the two speeds {sr(day, (0, 8, 250))}
        """)
    # migrated from the plugin: studied already (due over the last days and the next ones;
    # one a lapse away from being a leech, one relearning), their exercises new: both
    # notes' new cards are exercises only
    overlap = dedent(f"""\
        ---
        tags: [flashcards/ml/metrics]
        exercises: [iou-counts, dice-to-iou]
        ---

        # Overlap

        IoU is ==intersection== over ==union==. {sr(day, (-1, 3, 250), (0, 2, 250))}

        Dice:::twice the overlap over the sizes {sr(day, (-2, 4, 250), (-1, 3, 230))}

        Jaccard index::IoU {sr(day, (0, 1, 250))}
        """)
    scores = dedent(f"""\
        ---
        tags: [flashcards/ml/metrics]
        exercises: [iou-to-dice, iou-counts]
        ---

        # Scores

        Dice is ==2 IoU== over ==1 + IoU==, so it is ==never below== IoU. \
        {sr(day, (-3, 2, 250), (-1, 4, 250), (0, 3, 210))}

        Which score punishes small errors more?::IoU {fsrs(day, 0, 2, 2.1, 8.5, "review", 7)}

        Tversky with equal weights::Dice {fsrs(day, 0, 0, 0.6, 7.0, "relearning", 2)}
        """)
    return {
        "ml/Overlap.md": [
            overlap,
            overlap.replace("over the sizes", "over the two sizes"),
            overlap.replace("Jaccard index::IoU", "Jaccard index::IoU, the same number"),
        ],
        "ml/Scores.md": [
            scores,
            scores.replace("exercises: [iou-to-dice, iou-counts]", "exercises: [iou-counts]"),
            scores + "\nTversky index::a weighted IoU\n",
        ],
        "bio/Plants.md": [
            plants,
            plants.replace("carries sugar down", "carries sugar down to the roots"),
            plants.replace("Phloem::carries sugar down\n", ""),
            plants + "\nChlorophyll is ==green==.\n",
        ],
        "bio/Soil.md": [
            soil,
            soil.replace("Humus::decayed plant matter\n", ""),
            soil.replace("Loam is ==sand==, ==silt== and ==clay==.",
                         "Loam is ==sand==, ==silt==, ==clay== and ==humus=="),
        ],
        "ml/Harmonic Mean.md": [
            harmonic,
            harmonic.replace("Rate:::Speed", "Rate:::Speed per hour"),
            harmonic.replace("exercises: [harmonic-mean-speed]", "exercises: []"),
        ],
        "ml/Trip Speeds.md": [
            trips,
            trips.replace("not ==20==", "not ==20== (the arithmetic mean)"),
            trips + "\nWhich mean for a round trip?::the harmonic one\n",
        ],
    }


FIXED_MTIME = 1_700_000_000


def write_vault(vault: Path, texts: dict[str, list[str]]) -> None:
    for relpath, versions in texts.items():
        path = vault / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(versions[0], encoding="utf-8")
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))


def remove_collection(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


class Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def shown(next_card, counts, previews) -> tuple:
    """What the review screen shows: the card, the counts, the buttons."""
    return (None if next_card is None else (next_card.id, next_card.version, next_card.state),
            counts.to_json(), previews)


class KeptVersusFresh(RuleBasedStateMachine):
    workdir: Path  # set by the test
    templates: dict[str, Path] = {}  # a collection imported per zone, copied for each run

    # -- setting up -----------------------------------------------------------------------
    @initialize(zone=st.sampled_from(sorted(STARTS)), hour=st.sampled_from([4, 4, 0, 2]),
                new=st.integers(4, 8), reviews=st.integers(2, 12), deck=st.sampled_from(DECKS),
                order=st.sampled_from(["interleaved", "interleaved", "note", "random"]),
                steps=st.sampled_from(["minutes", "minutes", "a day"]))
    def start(self, zone, hour, new, reviews, deck, order, steps):
        os.environ["TZ"] = zone.split(",")[0]
        self.zone = ZoneInfo(zone.split(",")[0])
        start = STARTS[zone]
        self.vault = self.workdir / "vault"
        self.texts = notes(start.astimezone(self.zone).date())
        write_vault(self.vault, self.texts)
        self.path = self.workdir / "collection.sqlite"
        remove_collection(self.path)
        template = self.templates.get(zone)
        if template is None:
            template = self.workdir / f"template-{len(self.templates)}.sqlite"
            col = Collection.open(template)
            report = import_paths(col, [str(self.vault)], now=int(start.timestamp()) - 86400)
            assert not report.errors
            col.close()
            self.templates[zone] = template
        shutil.copyfile(template, self.path)
        self.clock = Clock(start)
        # "a day": steps of a day, shown all of the day they end on (the queue's first
        # query, which the kept learning cards can tell has nothing: LearningCount.none_due)
        day_steps = {} if steps == "minutes" else {
            "learning_steps": (timedelta(minutes=10), timedelta(days=1)),
            "relearning_steps": (timedelta(days=1),)}
        self.config = Config(new_per_day=new, reviews_per_day=reviews, day_start_hour=hour,
                             new_order=order, **day_steps)
        self.col = Collection.open(self.path)  # the review screen's connection
        self.other = Collection.open(self.path)  # another terminal's
        self.reader = Collection.open(self.path)  # the fresh engines'
        self.engine = Engine(self.col, self.config, now=self.clock, deck=deck)
        self.session: list[int] = []  # this screen's answers (review ids), for its undo
        self.mtime = FIXED_MTIME
        self.ids = [row[0] for row in self.col.conn.execute("SELECT id FROM cards ORDER BY id")]
        assert 40 <= len(self.ids) <= 60

    def teardown(self):
        for name in ("col", "other", "reader"):
            col = getattr(self, name, None)
            if col is not None:
                col.close()

    # -- what is compared -----------------------------------------------------------------
    def fresh(self) -> Engine:
        return Engine(self.reader, self.config, now=self.clock, deck=self.engine.deck,
                      ahead=self.engine.ahead)

    def expected(self) -> tuple:
        """What a fresh engine shows: the plain SQL queue (nothing kept), its previews."""
        engine = self.fresh()
        queue = Queue(self.reader, self.config, engine.now(), engine.day(), engine.deck,
                      engine.ahead)
        card = queue.next_card()
        assert (None if card is None else card.id) == (
            None if engine.next_card() is None else engine.next_card().id)
        return shown(card, queue.counts(), None if card is None else engine.previews(card.id))

    def seen(self) -> tuple:
        """What the kept engine shows, in the screen's order: the card, the counts, then
        the buttons."""
        card = self.engine.next_card()
        counts = self.engine.counts()
        return shown(card, counts, None if card is None else self.engine.previews(card.id))

    @invariant()
    def the_screen_shows_what_a_fresh_engine_shows(self):
        if not hasattr(self, "engine"):
            return
        assert self.seen() == self.expected()

    # -- the review screen ----------------------------------------------------------------
    @rule(rating=st.integers(1, 4), look=st.booleans())
    def answer(self, rating, look):
        card = self.engine.next_card()
        if card is None:
            return
        buttons = self.fresh().previews(card.id)
        if look:  # the screen shows the buttons before the answer
            self.engine.previews(card.id)
        answered = self.engine.answer(card.id, rating, expected_version=card.version)
        button = buttons[RATING_NAMES[rating]]
        assert (answered.due, answered.interval, answered.state) == (
            button.due, button.interval, button.columns["state"])
        after = self.reader.conn.execute(
            "SELECT due, state, stability, difficulty, version FROM cards WHERE id = ?",
            (card.id,)).fetchone()
        assert tuple(after) == tuple(button.columns[c] for c in (
            "due", "state", "stability", "difficulty", "version"))
        self.session.append(answered.review_id)

    @rule(keys=st.lists(st.sampled_from([1, 2, 3, 3, 4, "b"]), min_size=2, max_size=8),
          seconds=st.sampled_from([3, 20, 90]))
    def answer_a_run(self, keys, seconds):
        """Several answers (or `b`) in a row, as a sitting goes: the screen checked at each."""
        for key in keys:
            if key == "b":
                card = self.engine.next_card()
                if card is not None:
                    self.engine.bury(card.id)
            else:
                self.answer(key, look=True)
            self.clock.moment += timedelta(seconds=seconds)
            assert self.seen() == self.expected()

    @precondition(lambda self: self.session)
    @rule()
    def undo(self):
        try:
            self.engine.undo(review_id=self.session[-1])
        except UsageError as exc:  # the card was answered elsewhere since: refused
            assert "changed since that answer" in str(exc)
        self.session.pop()

    @rule(suspend=st.booleans(), then=st.none() | st.integers(1, 4))
    def bury_or_suspend_the_card_shown(self, suspend, then):
        """`b` or `s` on the card shown; `then`: the next card answered straight away."""
        card = self.engine.next_card()
        if card is None:
            return
        if suspend:
            self.engine.suspend(card.id)
        else:
            self.engine.bury(card.id)
        if then is not None:
            self.answer(then, look=False)

    @rule(index=st.integers(0, 59), then=st.none() | st.integers(1, 4))
    def unsuspend_here(self, index, then):
        """`flashdeck unsuspend` on this connection (a suspended card, if there is one),
        then maybe the next card answered straight away."""
        ids = [row[0] for row in self.col.conn.execute(
            "SELECT id FROM cards WHERE suspended = 1 ORDER BY id")] or self.ids
        self.engine.suspend(ids[index % len(ids)], False)
        if then is not None:
            self.answer(then, look=False)

    @rule(deck=st.sampled_from(DECKS))
    def switch_deck(self, deck):
        self.engine.deck = deck

    @rule(ahead=st.sampled_from([0, 0, 2, 7]))
    def review_ahead(self, ahead):
        self.engine.ahead = ahead

    # -- time -----------------------------------------------------------------------------
    @rule(seconds=st.sampled_from([1, 7, 45, 61, 300, 599, 601, 1200, 3600, 3 * 3600,
                                   9 * 3600, 86400, 2 * 86400 + 600]))
    def time_passes(self, seconds):
        self.clock.moment += timedelta(seconds=seconds)

    @rule(before=st.sampled_from([-61, -1, 0, 1, 59]))
    def to_the_next_day_start(self, before):
        _, end = day_bounds(self.clock.moment, self.config.day_start_hour, self.zone)
        self.clock.moment = max(self.clock.moment, end + timedelta(seconds=before))

    @rule(before=st.sampled_from([-1, 0, 1]))
    def to_local_midnight(self, before):
        local = self.clock.moment.astimezone(self.zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(),
                                    tzinfo=self.zone).astimezone(UTC)
        self.clock.moment = midnight + timedelta(seconds=before)

    @rule(seconds=st.sampled_from([1, 30, 600]))
    def clock_set_back(self, seconds):
        self.clock.moment -= timedelta(seconds=seconds)

    # -- another terminal -----------------------------------------------------------------
    def terminal(self) -> Engine:
        """`flashdeck answer|undo|bury|suspend` in another terminal: a new engine each time,
        its clock this one."""
        return Engine(self.other, self.config, now=self.clock)

    @rule(rating=st.integers(1, 4), same=st.booleans())
    def another_terminal_answers(self, rating, same):
        card = (self.engine if same else self.terminal()).next_card()
        if card is not None:
            self.terminal().answer(card.id, rating)

    @rule()
    def another_terminal_undoes(self):
        engine = self.terminal()
        try:
            engine.undo(day=engine.day())
        except UsageError as exc:  # the card was buried or suspended since: refused
            assert "changed since that answer" in str(exc)

    @rule(index=st.integers(0, 59), action=st.sampled_from(["bury", "suspend", "unsuspend"]),
          first_new=st.booleans())
    def another_terminal_buries_or_suspends(self, index, action, first_new):
        """`flashdeck bury|suspend|unsuspend` of any card, or of a note's first new card
        (the one the notes' turns would show)."""
        ids = self.ids
        if first_new:
            ids = [row[0] for row in self.other.conn.execute(
                "SELECT min(id) FROM cards WHERE state = 'new' AND orphaned = 0"
                " GROUP BY note_id ORDER BY note_id")] or ids
        card_id = ids[index % len(ids)]
        if action == "bury":
            self.terminal().bury(card_id)
        else:
            self.terminal().suspend(card_id, action == "suspend")

    @rule(note=st.sampled_from(["bio/Plants.md", "bio/Soil.md", "ml/Harmonic Mean.md",
                                "ml/Overlap.md", "ml/Scores.md", "ml/Trip Speeds.md"]),
          version=st.integers(0, 3), here=st.booleans())
    def notes_edited_and_imported(self, note, version, here):
        """A note edited (a card's text, a card removed or added, or back as it was) and
        imported from the other terminal, or by the screen after `e` ($EDITOR)."""
        versions = self.texts[note]
        path = self.vault / note
        path.write_text(versions[version % len(versions)], encoding="utf-8")
        self.mtime += 10
        os.utime(path, (self.mtime, self.mtime))
        report = import_paths(self.col if here else self.other, [str(self.vault)],
                              now=int(self.clock.moment.timestamp()))
        assert not report.errors
        self.ids = [row[0] for row in self.col.conn.execute("SELECT id FROM cards ORDER BY id")]


@pytest.mark.parametrize("tiny", [False, True])
def test_the_kept_engine_shows_what_a_fresh_engine_shows(tmp_path, monkeypatch, tiny):
    monkeypatch.setenv("TZ", "UTC")  # restored after the run: each run sets its zone
    if tiny:  # what is kept read a few cards at a time, walks cut short, rebuilt often
        monkeypatch.setattr(NewCards, "STRETCH", 3)
        monkeypatch.setattr(NewCards, "MARGIN", 2)
        monkeypatch.setattr(NewCards, "READS", 4)
        monkeypatch.setattr(NewCards, "TESTS", 2)
        monkeypatch.setattr(ReviewRanking, "WALK", 3)
        monkeypatch.setattr(ReviewRanking, "REBUILD", 2)
    KeptVersusFresh.workdir = tmp_path
    KeptVersusFresh.templates = {}
    run_state_machine_as_test(KeptVersusFresh, settings=settings(
        max_examples=50, stateful_step_count=40, deadline=None, derandomize=True,
        database=None, suppress_health_check=[HealthCheck.too_slow]))


def test_a_new_card_unsuspended_mid_sitting_is_shown_in_its_turn(tmp_path, monkeypatch):
    """`s` on a new card, later `flashdeck unsuspend` of it on the screen's own connection,
    then a learning card answered (no look at the new cards in between): the next new card
    is the unsuspended one, as a fresh engine shows, and the count has it again."""
    monkeypatch.setenv("TZ", "UTC")
    start = datetime(2026, 10, 24, 7, 30, tzinfo=UTC)
    vault = tmp_path / "vault"
    write_vault(vault, notes(start.date()))
    col = Collection.open(tmp_path / "c.sqlite")
    assert not import_paths(col, [str(vault)], now=int(start.timestamp())).errors
    clock = Clock(start)
    config = Config(new_per_day=8, reviews_per_day=1)
    engine = Engine(col, config, now=clock, deck="flashcards/bio")

    def fresh():
        return Engine(col, config, now=clock, deck="flashcards/bio")

    def same():
        ours, theirs = engine.next_card(), fresh().next_card()
        assert (ours is None, ours and ours.id) == (theirs is None, theirs and theirs.id)
        assert engine.counts() == fresh().counts()
        return ours

    card = same()
    assert card.state == "review"  # the day's one review
    engine.answer(card.id, 3)
    first = same()
    assert first.state == "new"
    engine.answer(first.id, 1)  # again: a learning step a minute away
    second = same()
    assert second.state == "new"
    engine.suspend(second.id)
    assert same().id != second.id
    clock.moment += timedelta(minutes=2)
    assert same().id == first.id  # the learning step is due
    engine.suspend(second.id, False)
    engine.answer(first.id, 3)
    assert same().id == second.id
    col.close()
