"""The answer -> next card cycle's shortcuts (issue 23) give exactly what the plain way gives:

- the fuzz seeded per review without touching the global generator (scheduling/step.py):
  every state and due date as `random.seed(seed)` then fsrs's draw gave;
- the review screen's engine keeps the due reviews' rank order between answers
  (queue.ReviewRanking): the card it shows next is always the card a fresh engine (a new
  process: `flashdeck next`) shows, after answers, another connection's answers, undo,
  suspend, bury, a day rollover and the clock going back.

Real collections in tmp_path."""

from __future__ import annotations

import random

import pytest

from flashdeck.collection.store import Collection
from flashdeck.notes.model import ParsedCard
from flashdeck.scheduling import step
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from flashdeck.scheduling.state import CardState
from support.clock import T0, Clock
from support.notes import add_notes

DAY = 86400
CONFIG = Config(new_per_day=5, reviews_per_day=500)


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())


def make_collection(path, notes: int = 30) -> Collection:
    """`notes` notes of a reversed pair, two basic cards and an exercise shared with other
    notes, in two decks."""
    def cards_of(n: int) -> list[ParsedCard]:
        deck = f"flashcards/d{n % 2}"
        return [
            ParsedCard("reversed", f"Term {n}", f"Meaning {n}", 1, deck, "L1", 0),
            ParsedCard("reversed", f"Meaning {n}", f"Term {n}", 1, deck, "L1", 1),
            ParsedCard("basic", f"Question {n}.a", f"Answer {n}.a", 3, deck, "L3"),
            ParsedCard("basic", f"Question {n}.b", f"Answer {n}.b", 5, deck, "L5"),
            # one exercise template shared by every third note: copies of one exercise
            ParsedCard("exercise", f"Compute {n % 3}", f"id: ex{n % 3}", 9, deck,
                       f"exercise:ex{n % 3}", exercise=f"ex{n % 3}")]

    col = Collection.open(path)
    with col.transaction() as conn:
        add_notes(conn, notes, cards_of)
    return col


def make_reviews(col: Collection, seed: int, share: float = 0.7) -> None:
    """Most cards become review cards due today, with varied intervals and overdueness:
    some share one due time and interval (ties, ordered by id), some have no last review
    (a NULL rank), one is buried and one suspended."""
    draw = random.Random(seed)
    now = int(T0.timestamp())
    ids = [row[0] for row in col.conn.execute("SELECT id FROM cards ORDER BY id")]
    with col.transaction() as conn:
        for card_id in ids:
            if draw.random() > share:
                continue
            kind = draw.randrange(10)
            if kind < 3:  # one class: the same due time and interval
                due, interval = now - 3 * 3600, 4 * DAY
            else:
                due = now - draw.randrange(-6 * 3600, 20 * DAY)
                interval = draw.choice([3600, 5 * 3600, DAY, 2 * DAY, 9 * DAY, 60 * DAY])
            last = None if kind == 9 else due - interval
            conn.execute("UPDATE cards SET state = 'review', due = ?, last_review = ?,"
                         " stability = ?, difficulty = ?, reps = 3 WHERE id = ?",
                         (due, last, 1.0 + draw.random() * 30, 1 + draw.random() * 9, card_id))
        conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?", (now + 3600, ids[3]))
        conn.execute("UPDATE cards SET suspended = 1 WHERE id = ?", (ids[7],))


def shown(engine: Engine):
    """What the review screen shows: the next card and the counts."""
    card = engine.next_card()
    return (None if card is None else card.id), engine.counts().to_json()


def fresh(col: Collection, clock, deck=None):
    """What a new process (`flashdeck next`) would show now."""
    return shown(Engine(col, CONFIG, now=clock, deck=deck))


# -- the fuzz -------------------------------------------------------------------------------

def _old_fsrs_review(card_id, state, rating, card, when, config):
    """scheduling/step.py's _fsrs_review as it was: the global generator seeded around the
    review, then put back."""
    import fsrs
    import fsrs.scheduler

    saved = random.getstate()
    drawing, fsrs.scheduler.random = fsrs.scheduler.random, random.random
    random.seed(f"{card_id}:{state.version}:{rating}")
    try:
        after, _log = step.scheduler(config).review_card(card, fsrs.Rating(rating),
                                                          review_datetime=when)
    finally:
        random.setstate(saved)
        fsrs.scheduler.random = drawing
    return after


@pytest.mark.parametrize("seed", range(4))
def test_answers_are_the_ones_the_globally_seeded_fuzz_gave(monkeypatch, seed):
    draw = random.Random(seed)
    config = Config()
    now = T0
    states = [CardState()]
    for _ in range(40):
        last = int(now.timestamp()) - draw.randrange(3600, 200 * DAY)
        name = draw.choice(["learning", "review", "review", "relearning"])
        states.append(CardState(
            state=name, due=last + draw.randrange(600, 100 * DAY),
            step=None if name == "review" else draw.choice([0, 1]),
            stability=0.5 + draw.random() * 200, difficulty=1 + draw.random() * 9,
            last_review=last, reps=draw.randrange(1, 30), lapses=draw.randrange(5),
            version=draw.randrange(100)))
    tz = T0.tzinfo
    ours = [step.answers(9_000 + i, s, now, config, tz) for i, s in enumerate(states)]
    global_state = random.getstate()
    assert [step.answers(9_000 + i, s, now, config, tz) for i, s in enumerate(states)] == ours
    assert random.getstate() == global_state  # the global generator is left alone
    monkeypatch.setattr(step, "_fsrs_review", _old_fsrs_review)
    old = [step.answers(9_000 + i, s, now, config, tz) for i, s in enumerate(states)]
    assert ours == old
    # the fuzz was drawn: review intervals of weeks, different for different versions
    long_reviews = [a[3].due for a in ours if a[3].state == "review"
                    and a[3].due - int(now.timestamp()) > 20 * DAY]
    assert len(set(long_reviews)) > 5


def test_an_fsrs_that_draws_its_fuzz_another_way_gets_the_same_numbers(monkeypatch):
    """If a later fsrs draws through something other than the global generator's method
    (here: a function calling it), that name is left alone and the global generator is
    seeded around each review as before: the same due dates, the generator put back."""
    import fsrs.scheduler

    state = CardState(state="review", due=0, stability=50.0, difficulty=5.0,
                      last_review=-50 * DAY, reps=4, version=3)
    expected = step.answers(77, state, T0, Config(), T0.tzinfo)
    monkeypatch.setattr(fsrs.scheduler, "random", lambda: random.random())
    random.seed(11)
    before = random.getstate()
    assert step.answers(77, state, T0, Config(), T0.tzinfo) == expected
    assert random.getstate() == before
    assert fsrs.scheduler.random is not step._draw


def test_the_global_generator_still_serves_others_between_reviews():
    random.seed(5)
    expected = [random.random() for _ in range(3)]
    random.seed(5)
    got = [random.random()]
    step.answers(1, CardState(state="review", due=0, stability=50.0, difficulty=5.0,
                              last_review=-50 * DAY, reps=4), T0, Config(), T0.tzinfo)
    got += [random.random() for _ in range(2)]
    assert got == expected


# -- the review ranking ---------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_the_next_card_after_each_answer_is_a_fresh_engines(tmp_path, seed):
    col = make_collection(tmp_path / "c.sqlite")
    make_reviews(col, seed)
    clock = Clock()
    engine = Engine(col, CONFIG, now=clock)
    draw = random.Random(seed)
    seen = set()
    for i in range(70):
        assert shown(engine) == fresh(col, clock), i
        card = engine.next_card()
        if card is None:
            break
        seen.add(card.state)
        engine.previews(card.id)
        engine.answer(card.id, draw.choice([1, 2, 3, 3, 3, 4]))
        clock.advance(seconds=draw.choice([5, 20, 90, 600, 3 * 3600]))
    assert "review" in seen
    assert engine._ranking._stamp is not None  # the kept ranking was in use


@pytest.mark.parametrize("seed", range(3))
def test_the_order_kept_follows_the_clock(tmp_path, seed):
    """Cards with short intervals overtake ones with long intervals as time passes (and fall
    back when the clock is set back, within the day): the ranking kept from earlier gives
    what a fresh sort gives at each moment, beyond the first few ranked (more cards than
    the queue ranks at once)."""
    col = make_collection(tmp_path / "c.sqlite", notes=40)
    draw = random.Random(seed)
    now = int(T0.timestamp())
    ids = [row[0] for row in col.conn.execute("SELECT id FROM cards ORDER BY id")]
    with col.transaction() as conn:
        for card_id in ids:
            due = now - draw.randrange(-3600, 6 * 3600)
            interval = draw.choice([3 * 3600, 6 * 3600, DAY, 10 * DAY, 100 * DAY])
            conn.execute("UPDATE cards SET state = 'review', due = ?, last_review = ?,"
                         " stability = 9.0, difficulty = 5.0 WHERE id = ?",
                         (due, due - interval, card_id))
    clock = Clock()
    engine = Engine(col, CONFIG, now=clock)
    firsts = []
    for minutes in [10] * 12 + [-10] * 20 + [25] * 6:
        assert shown(engine) == fresh(col, clock)
        # the whole order, as the queue's SQL sorts it
        queue = engine.queue()
        now, end = int(clock().timestamp()), int(queue.day[1].timestamp())
        day = (int(queue.day[0].timestamp()), end)
        firsts.append(tuple(engine._ranking.ranked(col.conn, now, day, None, 32)))
        for few in (1, 7, 32, 256):
            assert engine._ranking.ranked(col.conn, now, day, None, few) == [
                row[0] for row in col.conn.execute(
                    "SELECT c.id FROM cards c WHERE c.state = 'review' AND c.due < ?"
                    " AND c.orphaned = 0 AND c.suspended = 0"
                    " ORDER BY CAST(? - c.due AS REAL) / MAX(c.due - c.last_review, 1) DESC,"
                    " c.id LIMIT ?", (end, now, few))]
        clock.advance(minutes=minutes)
    assert len(set(firsts)) > 2  # the order changed on the way


def test_another_connections_answers_undo_suspend_and_bury(tmp_path):
    path = tmp_path / "c.sqlite"
    col = make_collection(path)
    make_reviews(col, 11)
    clock = Clock()
    engine = Engine(col, CONFIG, now=clock)
    other_col = Collection.open(path)
    other = Engine(other_col, CONFIG, now=clock)
    for round_ in range(6):
        for _ in range(3):
            assert shown(engine) == fresh(col, clock)
            engine.answer(engine.next_card().id, 3)
            clock.advance(seconds=20)
        # another process answers the card this screen shows next
        card = engine.next_card()
        other.answer(card.id, 3)
        assert shown(engine) == fresh(col, clock) == fresh(other_col, clock)
        assert engine.next_card().id != card.id
        # undo (this screen's own answer and the other's), suspend, bury
        action = round_ % 3
        if action == 0:
            assert engine.undo().done
        elif action == 1:
            engine.suspend(engine.next_card().id)
        else:
            engine.bury(engine.next_card().id)
        assert shown(engine) == fresh(col, clock)
        assert other.undo().done
        assert shown(engine) == fresh(col, clock)
    other_col.close()


def test_a_day_rollover_and_the_clock_going_back(tmp_path, monkeypatch):
    col = make_collection(tmp_path / "c.sqlite")
    make_reviews(col, 5)
    clock = Clock()
    engine = Engine(col, CONFIG, now=clock)
    for moves in ([{"seconds": 20}] * 4 + [{"hours": 19}] + [{"seconds": 30}] * 4
                  + [{"hours": -30}] + [{"minutes": 3}] * 3 + [{"days": 2}]):
        assert shown(engine) == fresh(col, clock)
        card = engine.next_card()
        if card is not None:
            engine.answer(card.id, 3)
        clock.advance(**moves)
        monkeypatch.setenv("FLASHDECK_NOW", clock().isoformat())
    assert shown(engine) == fresh(col, clock)


def test_a_deck_of_the_tree(tmp_path):
    col = make_collection(tmp_path / "c.sqlite")
    make_reviews(col, 3)
    clock = Clock()
    engine = Engine(col, CONFIG, now=clock, deck="flashcards/d1")
    for _ in range(25):
        assert shown(engine) == fresh(col, clock, deck="flashcards/d1")
        card = engine.next_card()
        if card is None:
            break
        assert card.deck == "flashcards/d1"
        engine.answer(card.id, 3 if card.id % 3 else 1)
        clock.advance(seconds=40)


def test_the_daily_review_limit_and_a_buried_card_with_a_sibling_answered(tmp_path):
    col = make_collection(tmp_path / "c.sqlite")
    make_reviews(col, 8, share=1.0)
    clock = Clock()
    engine = Engine(col, CONFIG, now=clock)

    def same():
        assert shown(engine) == shown(Engine(col, engine.config, now=clock))

    for _ in range(3):
        same()
        card = engine.next_card()
        engine.answer(card.id, 3)
        clock.advance(seconds=20)
    # the other card of an answered reversed pair, buried: hidden twice over, counted once
    answered = col.conn.execute(
        "SELECT c.note_id, c.block, c.id FROM reviews r JOIN cards c ON c.id = r.card_id"
        " WHERE c.kind = 'reversed' ORDER BY r.id LIMIT 1").fetchone()
    if answered is None:  # no reversed card among the first answers: answer one now
        answered = col.conn.execute(
            "SELECT note_id, block, id FROM cards WHERE kind = 'reversed' AND state = 'review'"
            " AND due < ? ORDER BY id LIMIT 1", (int(clock().timestamp()) + 3600,)).fetchone()
        engine.answer(answered[2], 3)
    partner = col.conn.execute(
        "SELECT id FROM cards WHERE note_id = ? AND block = ? AND id != ?",
        (answered[0], answered[1], answered[2])).fetchone()[0]
    with col.transaction() as conn:  # due today, as a review
        conn.execute("UPDATE cards SET state = 'review', due = ?, last_review = ?,"
                     " stability = 3.0, difficulty = 5.0 WHERE id = ?",
                     (int(clock().timestamp()) - 60, int(clock().timestamp()) - 3 * DAY,
                      partner))
    same()
    engine.bury(partner)
    same()
    # a daily review limit below what is due: reached, and passed
    engine.config = Config(new_per_day=5, reviews_per_day=12)
    for _ in range(14):
        same()
        card = engine.next_card()
        if card is None:
            break
        engine.answer(card.id, 3)
        clock.advance(seconds=20)
    same()
    assert engine.counts().review == 0


# -- the work of a cycle ---------------------------------------------------------------------

def test_an_answer_cycle_reads_no_more_after_300_answers_today_than_after_40(tmp_path):
    """The review screen's answer -> next card -> counts -> previews, measured in SQLite's
    virtual machine steps (deterministic, unlike time), through 330 due reviews: after 300
    answers today it does no more than after 40 (PRODUCT.md §7: constant in the answers
    already made today). Today's totals for the daily limits were counted from the log
    twice a cycle (queue.DoneToday): the cycle's work grew with every answer, 2.2 times
    the 40th's at the 300th."""
    col = make_collection(tmp_path / "c.sqlite", notes=140)  # 700 cards
    make_reviews(col, seed=1, share=0.95)
    clock = Clock()
    engine = Engine(col, Config(new_per_day=600, reviews_per_day=600), now=clock)
    steps = [0]

    def step_taken() -> int:
        steps[0] += 1
        return 0  # go on

    col.conn.set_progress_handler(step_taken, 10)
    card = engine.next_card()
    work = []
    for i in range(330):
        steps[0] = 0
        engine.answer(card.id, 3 if i % 4 else 1)
        card = engine.next_card()
        assert card is not None and card.state != "new"  # studied cards throughout
        engine.counts()
        engine.previews(card.id)
        work.append(steps[0])
        clock.advance(seconds=20)
    col.conn.set_progress_handler(None, 0)
    col.close()
    early, late = sum(work[40:60]) / 20, sum(work[300:320]) / 20
    assert late <= 1.1 * early, (early, late)


def _learning_cards(col: Collection, seed: int) -> list[int]:
    """A third of the cards on a learning or relearning step: some due now, some later
    today, some tomorrow; one of those due now buried an hour, one suspended."""
    draw = random.Random(seed)
    now = int(T0.timestamp())
    ids = [row[0] for row in col.conn.execute("SELECT id FROM cards ORDER BY id")]
    learning = draw.sample(ids, len(ids) // 3)
    with col.transaction() as conn:
        for card_id in learning:
            due = now + draw.choice([-600, -60, 300, 3 * 3600, DAY, 2 * DAY])
            conn.execute("UPDATE cards SET state = ?, due = ?, step = 0, last_review = ?,"
                         " stability = 1.5, difficulty = 5.0, reps = 1 WHERE id = ?",
                         (draw.choice(["learning", "relearning"]), due, now - 600, card_id))
        conn.execute("UPDATE cards SET due = ?, buried_until = ? WHERE id = ?",
                     (now - 60, now + 3600, learning[0]))
        conn.execute("UPDATE cards SET due = ?, suspended = 1 WHERE id = ?",
                     (now - 60, learning[1]))
    return learning


@pytest.mark.parametrize("deck", [None, "flashcards/d1"])
def test_the_learning_count_kept_is_a_fresh_engines(tmp_path, deck):
    """The learning count the review screen's engine keeps between answers
    (queue.LearningCount) is the one a new process counts: through Again on reviews and
    learning steps (cards join), Good and Easy (cards graduate or move to tomorrow), a
    leech suspended, a buried learning card coming back at its hour, this screen's own
    bury, suspend and undo, an answer to a card of another deck than the one studied,
    another connection's answers and bury, and the day's change."""
    path = tmp_path / "c.sqlite"
    col = make_collection(path)
    make_reviews(col, 4, share=0.5)
    learning = _learning_cards(col, 4)
    clock = Clock()
    config = Config(new_per_day=5, reviews_per_day=500, leech_lapses=2)
    engine = Engine(col, config, now=clock, deck=deck)
    other_col = Collection.open(path)
    other = Engine(other_col, config, now=clock)

    def same():
        assert shown(engine) == shown(Engine(col, config, now=clock, deck=deck))

    learning_seen = set()
    for i in range(90):
        same()
        card = engine.next_card()
        if card is None:
            clock.advance(hours=1)
            continue
        if card.state in ("learning", "relearning"):
            learning_seen.add(card.id)
        engine.answer(card.id, [1, 1, 3, 4, 2][i % 5])
        clock.advance(minutes=7)
        if i % 15 == 7:
            engine.bury(engine.next_card().id)
        elif i % 15 == 9:
            same()
            assert engine.undo().done
        elif i % 15 == 11:
            target = other.next_card()
            if target is not None:
                other.answer(target.id, 1)
        elif i % 15 == 13:
            other.bury(learning[2])
        elif i % 15 == 14:
            engine.suspend(learning[3])
        elif i % 15 == 3 and deck is not None:  # a card of another deck (`answer ID`)
            outside = col.conn.execute(
                "SELECT id FROM cards WHERE deck != ? AND suspended = 0 ORDER BY id"
                " LIMIT 1 OFFSET ?", (deck, i // 15)).fetchone()[0]
            engine.answer(outside, 1)
    clock.advance(hours=20)  # tomorrow: the steps of a day come due
    same()
    other_col.close()
    assert learning_seen  # learning cards were shown and answered


def test_the_learning_count_is_not_counted_again_after_the_screens_own_answer(tmp_path):
    """With nothing changed but the screen's own answer, the learning count after it is
    the one the engine keeps (queue.LearningCount): no statement counts the learning
    cards again, however many are on a step (it was counted in SQL at every answer), and
    the counts are a fresh engine's."""
    col = make_collection(tmp_path / "c.sqlite", notes=60)
    make_reviews(col, 2, share=0.9)
    _learning_cards(col, 2)
    clock = Clock()
    engine = Engine(col, Config(new_per_day=50, reviews_per_day=500), now=clock)
    card = engine.next_card()
    statements: list[str] = []
    for i in range(20):
        engine.answer(card.id, 1 if i % 3 == 0 else 3)
        card = engine.next_card()
        col.conn.set_trace_callback(statements.append)
        counts = engine.counts()
        col.conn.set_trace_callback(None)
        assert counts == Engine(col, engine.config, now=clock).counts()
        assert counts.learning > 0
        if i >= 2:  # the first counts build what is kept
            assert not [sql for sql in statements
                        if "WHERE c.state IN ('learning', 'relearning')" in sql], i
        statements.clear()
        clock.advance(seconds=30)
    col.close()
