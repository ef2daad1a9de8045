"""The review screen's engine keeps the new cards left today between answers
(queue.NewCards: the count, and the next new card in the interleaved order): what it shows
is always what a fresh engine (a new process: `flashdeck next`) shows, through answers of
every grade, sibling burying, exercise copies, the daily limit reached, learn-ahead,
another connection's answers and undo, this screen's undo, bury and suspend, new cards
buried until later today, a day rollover and the clock set back.

Real collections in tmp_path; the cards are made here."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from flashdeck.collection.identity import sync_note_cards
from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError
from flashdeck.notes.model import ParsedCard
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from flashdeck.scheduling.queue import NewCards
from support.clock import T0, Clock


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())


def make_collection(path, notes: int = 14) -> Collection:
    """Each note: a reversed pair, a paragraph of three clozes, two plain cards and an
    exercise whose template every fourth note shares (copies of one exercise); two decks.
    A few notes hold many cards (long walks past a note that has given one)."""
    col = Collection.open(path)
    with col.transaction() as conn:
        source = conn.execute(
            "INSERT INTO sources (path, kind, added) VALUES ('/garden', 'folder', 0)"
        ).lastrowid
        for n in range(notes):
            note = conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (?, ?, ?)",
                                (source, f"plants/p{n}.md", f"Plant {n}")).lastrowid
            deck = f"flashcards/g{n % 2}"
            cards = [
                ParsedCard("reversed", f"Genus {n}", f"Plant {n}", 1, deck, "B1", 0),
                ParsedCard("reversed", f"Plant {n}", f"Genus {n}", 1, deck, "B1", 1),
            ]
            cards += [ParsedCard("cloze", f"Plant {n} grows in [...] soil {k}",
                                 f"Plant {n} grows in wet soil {k}", 3, deck, "B3", k)
                      for k in range(3)]
            cards += [ParsedCard("basic", f"When does plant {n} flower ({k})?",
                                 f"In month {k + 1}", 5 + k, deck, f"B{5 + k}")
                      for k in range(2 + (9 if n % 5 == 2 else 0))]
            cards.append(ParsedCard("exercise", f"Water needs {n % 4}", f"id: water{n % 4}",
                                    30, deck, f"exercise:water{n % 4}",
                                    exercise=f"water{n % 4}"))
            sync_note_cards(conn, note, cards, set(), 0)
    return col


def shown(engine: Engine):
    """What the review screen shows: the next card and the counts."""
    card = engine.next_card()
    return (None if card is None else card.id), engine.counts().to_json()


def fresh(col: Collection, engine: Engine, clock):
    return shown(Engine(col, engine.config, now=clock, deck=engine.deck))


def undo(engine: Engine) -> None:
    """Undo the last answer; refused (and said so) when its card changed since."""
    try:
        engine.undo()
    except UsageError as exc:
        assert "changed since that answer" in str(exc)


@pytest.mark.parametrize("order", ["interleaved", "note", "random"])
@pytest.mark.parametrize("tiny", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_what_is_shown_is_a_fresh_engines(tmp_path, monkeypatch, order, tiny, seed):
    if tiny:  # read a few cards at a time: the prefixes run out and are read further
        monkeypatch.setattr(NewCards, "STRETCH", 3)
        monkeypatch.setattr(NewCards, "MARGIN", 2)
        monkeypatch.setattr(NewCards, "READS", 4)
        monkeypatch.setattr(NewCards, "TESTS", 2)
    path = tmp_path / "c.sqlite"
    col = make_collection(path)
    draw = random.Random(seed)
    now = int(T0.timestamp())
    ids = [row[0] for row in col.conn.execute("SELECT id FROM cards ORDER BY id")]
    with col.transaction() as conn:
        # studied before today, due now: answering one hides its new siblings for the day
        for card_id in draw.sample(ids, 16):
            conn.execute("UPDATE cards SET state = 'review', due = ?, last_review = ?,"
                         " stability = 4.0, difficulty = 5.0, reps = 2 WHERE id = ?",
                         (now - draw.randrange(0, 3 * 86400), now - 5 * 86400, card_id))
        # learning since yesterday, due later today: shown between the new cards, and
        # answering one hides its new siblings from then on
        for card_id in draw.sample(ids, 12):
            conn.execute("UPDATE cards SET state = 'relearning', due = ?, step = 0,"
                         " last_review = ?, stability = 2.0, difficulty = 6.0, reps = 3"
                         " WHERE id = ? AND state = 'new'",
                         (now + draw.randrange(60, 3 * 3600), now - 86400, card_id))
        # new cards buried until later today, one until tomorrow
        for card_id in draw.sample(ids, 8):
            conn.execute("UPDATE cards SET buried_until = ? WHERE id = ?",
                         (now + draw.choice([600, 3600, 4 * 3600, 30 * 3600]), card_id))
    clock = Clock()
    config = Config(new_per_day=draw.choice([15, 40]), reviews_per_day=60, new_order=order)
    engine = Engine(col, config, now=clock, deck=draw.choice([None, None, "flashcards/g1"]))
    other_col = Collection.open(path)
    other = Engine(other_col, config, now=clock)
    used = False
    for step in range(90):
        assert shown(engine) == fresh(col, engine, clock), step
        used = used or engine._new_cards._stamp is not None
        card = engine.next_card()
        action = draw.random()
        if card is not None and action < 0.72:
            engine.previews(card.id)
            engine.answer(card.id, draw.choice([1, 1, 2, 3, 3, 3, 4]))
        elif card is not None and action < 0.76:
            other.answer(card.id, 3)  # another process answers the card shown here
        elif action < 0.80:
            undo(engine)
        elif action < 0.83:
            undo(other)
        elif card is not None and action < 0.86:
            engine.bury(card.id)
        elif card is not None and action < 0.88:
            engine.suspend(card.id)
        elif action < 0.90:
            other.suspend(draw.choice(ids), draw.random() < 0.5)
        elif action < 0.92:
            clock.advance(minutes=-draw.choice([1, 30, 90]))  # the clock set back
        elif action < 0.93:
            engine.config = Config(new_per_day=draw.choice([3, 15, 60]), reviews_per_day=60,
                                   new_order=order)
        clock.advance(seconds=draw.choice([5, 20, 20, 90, 700, 2 * 3600]))
    assert shown(engine) == fresh(col, engine, clock)
    clock.advance(hours=22)  # the next day
    for _ in range(15):
        assert shown(engine) == fresh(col, engine, clock)
        card = engine.next_card()
        if card is None:
            break
        engine.answer(card.id, 3)
        clock.advance(seconds=30)
    other_col.close()
    col.close()
    assert used  # what is kept between calls was in use


def test_the_daily_limit_and_the_exercise_after_an_exercise(tmp_path):
    """Answering only new cards, Good: the count goes down one by one to the limit, the
    notes take turns, never two exercises in a row while other new cards wait, and the
    kept walk gives the SQL's card each time."""
    col = make_collection(tmp_path / "c.sqlite", notes=6)
    clock = Clock()
    config = Config(new_per_day=30, reviews_per_day=10)
    engine = Engine(col, config, now=clock)
    kinds, notes, counts = [], [], []
    for _ in range(40):
        assert shown(engine) == fresh(col, engine, clock)
        card = engine.next_card()
        if card is None or card.state != "new":
            break
        counts.append(engine.counts().new)
        kinds.append(card.kind)
        notes.append(card.note_id)
        engine.answer(card.id, 3)
        clock.advance(seconds=5)
    assert counts[:2] == [30, 29] and len(counts) == 30
    assert notes[:6] == sorted(set(notes[:6]))  # one card of each note, in turn
    assert not any(a == b == "exercise" for a, b in zip(kinds, kinds[1:]))
    assert engine.counts().new == 0
    assert engine._new_cards._stamp is not None


def test_a_new_card_buried_until_later_today_comes_back_on_time(tmp_path):
    col = make_collection(tmp_path / "c.sqlite", notes=3)
    now = int(T0.timestamp())
    with col.transaction() as conn:  # every new card but one note's, buried for an hour
        conn.execute("UPDATE cards SET buried_until = ? WHERE note_id != ("
                     "SELECT max(note_id) FROM cards)", (now + 3600,))
    clock = Clock()
    engine = Engine(col, Config(new_per_day=50, reviews_per_day=10), now=clock)
    before = shown(engine)
    for _ in range(3):
        assert shown(engine) == fresh(col, engine, clock)
        clock.advance(minutes=25)
    assert shown(engine) == fresh(col, engine, clock) != before
    assert engine.counts().new > before[1]["new"]


def test_a_studied_cards_answer_hides_its_new_sibling_shown_next(tmp_path):
    """The first note's reversed pair: one side relearning since yesterday evening (a
    12-hour step; a step of a day or more would be due all day), due in five minutes; the
    other side new, the next new card in the note order. The new side is held back all day:
    its sibling is due today (as Anki's queue, which takes the learning cards first and
    buries their new siblings), before the answer and after it, as a fresh engine has it."""
    col = make_collection(tmp_path / "c.sqlite", notes=3)
    first, partner = [row[0] for row in col.conn.execute(
        "SELECT id FROM cards WHERE note_id = (SELECT min(note_id) FROM cards)"
        " AND kind = 'reversed' ORDER BY position")]
    now = int(T0.timestamp())
    with col.transaction() as conn:
        conn.execute("UPDATE cards SET state = 'relearning', due = ?, step = 0,"
                     " last_review = ?, stability = 2.0, difficulty = 6.0, reps = 3"
                     " WHERE id = ?", (now + 300, now + 300 - 12 * 3600, first))
    clock = Clock()
    engine = Engine(col, Config(new_per_day=20, reviews_per_day=10), now=clock)
    for _ in range(2):  # the second look keeps the new cards
        assert shown(engine) == fresh(col, engine, clock)
        assert engine.next_card().id != partner
    clock.advance(minutes=6)
    assert engine.next_card().id == first
    engine.answer(first, 3)
    assert shown(engine) == fresh(col, engine, clock)
    assert engine.next_card().id != partner


def test_answers_logged_on_a_later_day_are_not_todays(tmp_path):
    """The clock set back by days (a wrong date corrected, a phone whose clock ran ahead
    synced its answers): the answers logged on a later day are not today's. They used up
    today's new-card limit (no new card until the clock caught up with them) and hid their
    siblings, while `due` and the stats said nothing was done today. A fresh engine agrees."""
    col = make_collection(tmp_path / "c.sqlite", notes=6)
    config = Config(new_per_day=10, reviews_per_day=50, new_order="note")
    later = Clock(T0 + timedelta(days=5))
    engine = Engine(col, config, now=later)
    answered = []
    while (card := engine.next_card()) is not None and card.state == "new":
        answered.append(card)
        engine.answer(card.id, 3)
        later.advance(seconds=5)
    assert len(answered) == 10 and engine.counts().new == 0
    first = answered[0]  # one side of the first note's reversed pair: the other waited
    assert first.kind == "reversed"

    clock = Clock()  # set back five days
    today = Engine(col, config, now=clock)
    assert today.counts().new == 10
    card = today.next_card()
    assert (card.kind, card.note_id, card.block, card.state) == \
        ("reversed", first.note_id, first.block, "new")  # no sibling answered today
    for _ in range(10):
        assert shown(today) == fresh(col, today, clock)
        card = today.next_card()
        assert card is not None and card.state == "new"
        today.answer(card.id, 3)
        clock.advance(seconds=5)
    assert today.counts().new == 0 and shown(today) == fresh(col, today, clock)
