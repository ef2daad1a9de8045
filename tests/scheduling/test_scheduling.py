"""The FSRS queue, the review log, undo, and the headless review commands (PRODUCT.md §3, §5)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from flashdeck.collection.identity import sync_note_cards
from flashdeck.collection.store import Collection
from flashdeck.notes.model import ParsedCard, SRSeed
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine, format_interval
from support.clock import T0, Clock


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    # The day boundary is local time; pin the zone through FLASHDECK_NOW's offset.
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())


def make_collection(tmp_path, cards: list[ParsedCard]) -> Collection:
    col = Collection.open(tmp_path / "c.sqlite")
    with col.transaction() as conn:
        source = conn.execute(
            "INSERT INTO sources (path, kind, added) VALUES ('/vault', 'folder', 0)").lastrowid
        note = conn.execute(
            "INSERT INTO notes (source_id, relpath, title) VALUES (?, 'n.md', 'N')",
            (source,)).lastrowid
        sync_note_cards(conn, note, cards, set(), 0)
    return col


def basic(n: int, block: str | None = None, ordinal: int = 0) -> ParsedCard:
    return ParsedCard("basic", f"Q{n}", f"A{n}", n, "flashcards", block or f"L{n}", ordinal)


def engine(col, clock, **config) -> Engine:
    return Engine(col, Config(**config), now=clock)


def card_row(col, card_id):
    return dict(col.conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone())


def test_new_card_good_comes_back_in_ten_minutes_then_graduates(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1)]), Clock()
    e = engine(col, clock)
    card = e.next_card()
    assert card.front == "Q1" and card.state == "new"
    done = e.answer(card.id, 3)
    assert done.state == "learning"
    assert done.interval == timedelta(minutes=10)
    assert e.next_card() is None or e.next_card().id == card.id  # learn-ahead only
    clock.advance(minutes=10)
    again = e.next_card()
    assert again.id == card.id and again.state == "learning"
    graduated = e.answer(card.id, 3)
    assert graduated.state == "review"
    assert graduated.interval >= timedelta(days=1)


def test_previews_are_the_intervals_the_answer_gives(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1)]), Clock()
    e = engine(col, clock)
    card = e.next_card()
    e.answer(card.id, 3)
    clock.advance(minutes=10)
    e.answer(card.id, 3)  # review now
    clock.advance(days=5)
    previews = e.previews(card.id)
    assert [p.label for p in previews.values()] == [
        format_interval(p.interval) for p in previews.values()]
    assert previews["again"].interval < previews["hard"].interval <= previews["good"].interval \
        < previews["easy"].interval
    done = e.answer(card.id, 4)
    assert done.due == previews["easy"].due  # fuzz included: the preview was the real thing


def test_learning_card_due_now_comes_before_new_cards(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1), basic(2), basic(3)]), Clock()
    e = engine(col, clock)
    first = e.next_card()
    e.answer(first.id, 1)  # Again: back in 1 minute
    assert e.next_card().front == "Q2"  # not due yet: new cards go on
    clock.advance(minutes=2)
    assert e.next_card().id == first.id


def test_no_more_than_the_daily_new_limit(tmp_path):
    col, clock = make_collection(tmp_path, [basic(n) for n in range(1, 11)]), Clock()
    e = engine(col, clock, new_per_day=3)
    assert e.counts().new == 3
    seen = []
    for _ in range(3):
        card = e.next_card()
        seen.append(card.front)
        e.answer(card.id, 4)  # Easy: straight to review, days away
    assert seen == ["Q1", "Q2", "Q3"]  # note order
    assert e.next_card() is None
    assert e.counts().new == 0
    clock.advance(days=1)  # a new day: three more
    assert e.counts().new == 3
    assert e.next_card().front == "Q4"


def test_reversed_sibling_waits_for_the_next_day(tmp_path):
    cards = [ParsedCard("reversed", "Q", "A", 1, "flashcards", "L1", 0),
             ParsedCard("reversed", "A", "Q", 1, "flashcards", "L1", 1),
             basic(2)]
    col, clock = make_collection(tmp_path, cards), Clock()
    e = engine(col, clock)
    first = e.next_card()
    assert first.front == "Q"
    e.answer(first.id, 4)
    assert e.next_card().front == "Q2"  # the other side is held back today
    assert e.counts().new == 1
    e.undo()  # undo brings the sibling back: the pair counts once again
    assert e.counts().new == 2
    e.answer(first.id, 4)
    clock.advance(days=1)
    assert e.next_card().front == "A"


def test_undo_leaves_log_and_card_exactly_as_before(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1)]), Clock()
    e = engine(col, clock)
    card = e.next_card()
    e.answer(card.id, 3)
    clock.advance(minutes=10)
    before_card = card_row(col, card.id)
    before_log = col.conn.execute("SELECT * FROM reviews ORDER BY id").fetchall()
    e.answer(card.id, 3)
    assert card_row(col, card.id) != before_card
    undone = e.undo()
    assert (undone.card_id, undone.rating) == (card.id, 3)
    assert card_row(col, card.id) == before_card
    assert [tuple(r) for r in col.conn.execute("SELECT * FROM reviews ORDER BY id")] == [
        tuple(r) for r in before_log]


def test_cards_come_back_days_later_as_reviews(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1)]), Clock()
    e = engine(col, clock)
    card = e.next_card()
    done = e.answer(card.id, 4)
    assert done.state == "review"
    assert e.next_card() is None
    clock.moment = done.due + timedelta(minutes=1)
    back = e.next_card()
    assert back.id == card.id and back.state == "review"
    assert e.counts().review == 1


def test_a_leech_is_flagged_and_suspended(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1)]), Clock()
    e = engine(col, clock, leech_lapses=3)
    card = e.next_card()
    e.answer(card.id, 4)
    lapses = 0
    while True:
        row = card_row(col, card.id)
        clock.moment = datetime.fromtimestamp(row["due"], timezone.utc) + timedelta(minutes=1)
        if row["state"] == "review":
            done = e.answer(card.id, 1)
            lapses += 1
            if done.leech:
                break
        else:
            e.answer(card.id, 4)
    assert lapses == 3
    row = card_row(col, card.id)
    assert row["leech"] == 1 and row["suspended"] == 1
    assert e.next_card() is None


def test_suspend_and_bury_hide_a_card(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1), basic(2)]), Clock()
    e = engine(col, clock)
    e.suspend(1)
    assert e.next_card().id == 2
    e.bury(2)
    assert e.next_card() is None
    clock.advance(days=1)
    assert e.next_card().id == 2
    e.suspend(1, False)
    assert e.counts().new == 2


def test_plugin_schedule_seeds_a_review_card(tmp_path):
    seeded = ParsedCard("basic", "Q", "A", 1, "flashcards", "L1",
                        sr=SRSeed(due=datetime(2026, 11, 30).date(), interval=10, ease=270))
    col, clock = make_collection(tmp_path, [seeded]), Clock()
    row = card_row(col, 1)
    assert row["state"] == "review" and row["stability"] == 10.0
    assert datetime.fromtimestamp(row["due"], timezone.utc).date().isoformat() == "2026-11-30"
    e = engine(col, clock)
    assert e.next_card() is None  # not due until the 30th
    clock.moment = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
    assert e.next_card().state == "review"


def two_notes_with_one_exercise(tmp_path) -> Collection:
    """Two notes about Dice: both get the Dice exercise (and a card of their own)."""
    col = Collection.open(tmp_path / "c.sqlite")
    with col.transaction() as conn:
        source = conn.execute(
            "INSERT INTO sources (path, kind, added) VALUES ('/vault', 'folder', 0)").lastrowid
        for name in ("Dice.md", "F1.md"):
            note = conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (?, ?, ?)",
                                (source, name, name)).lastrowid
            sync_note_cards(conn, note, [
                ParsedCard("exercise", "Compute Dice", "id: f1-counts", 1, "flashcards",
                           "exercise:f1-counts", exercise="f1-counts"),
                ParsedCard("basic", f"Q {name}", "A", 3, "flashcards", "L3")], set(), 0)
    return col


def shown_today(e: Engine) -> list[str]:
    """The kinds of the cards the queue still has today (each is buried once seen)."""
    kinds = []
    while (card := e.next_card()) is not None:
        kinds.append(card.kind)
        e.bury(card.id)
    return kinds


def test_an_exercise_two_notes_share_is_new_once(tmp_path):
    col = two_notes_with_one_exercise(tmp_path)
    clock = Clock()
    e = engine(col, clock)
    assert e.counts().new == 3  # the exercise once, and each note's own card
    first = e.next_card()
    assert (first.kind, first.note) == ("exercise", "/vault/Dice.md")
    e.answer(first.id, 3)
    clock.advance(minutes=30)
    e.answer(first.id, 3)  # graduated, days away
    shown = []
    while (card := e.next_card()) is not None:
        shown.append(card.front)
        e.answer(card.id, 4)
    assert shown == ["Q F1.md", "Q Dice.md"]  # interleaved: F1.md's turn, Dice.md has given one
    for days in range(1, 4):  # the copy in F1.md never comes as a new card
        clock.advance(days=1)
        assert e.counts().new == 0
        while (card := e.next_card()) is not None:
            assert card.id == first.id
            e.answer(card.id, 3)


def test_a_suspended_exercise_stays_away_and_a_deleted_notes_copy_hands_over(tmp_path):
    col = two_notes_with_one_exercise(tmp_path)
    e = engine(col, Clock())
    first = e.next_card()
    e.suspend(first.id)
    assert shown_today(e) == ["basic", "basic"]  # not the copy in F1.md either
    e.suspend(first.id, False)
    with col.transaction() as conn:  # Dice.md is deleted: its cards are orphaned
        conn.execute("UPDATE cards SET orphaned = 1 WHERE note_id = 1")
    e = engine(col, Clock())
    card = e.next_card()
    assert (card.kind, card.note) == ("exercise", "/vault/F1.md")


def test_copies_of_an_exercise_both_studied_keep_their_schedules_one_a_day(tmp_path):
    """(Collections from before copies waited have both in review.)"""
    col = two_notes_with_one_exercise(tmp_path)
    clock = Clock()
    with col.transaction() as conn:
        conn.execute("UPDATE cards SET state = 'review', due = ?, stability = 5,"
                     " difficulty = 5, last_review = ?, reps = 3 WHERE kind = 'exercise'",
                     (int(clock.moment.timestamp()) - 60,
                      int(clock.moment.timestamp()) - 5 * 86400))
    e = engine(col, clock)
    assert e.counts().review == 2
    card = e.next_card()
    assert card.kind == "exercise"
    e.answer(card.id, 3)
    assert shown_today(e) == ["basic", "basic"]  # the other copy waits for tomorrow
    clock.advance(days=1)
    assert "exercise" in shown_today(e)


def test_an_answer_after_an_undo_gets_a_review_id_of_its_own(tmp_path):
    col, clock = make_collection(tmp_path, [basic(1), basic(2)]), Clock()
    e = engine(col, clock)
    first = e.answer(1, 3)
    e.undo()
    again = e.answer(2, 3)
    assert again.review_id > first.review_id
    assert [r[0] for r in col.conn.execute("SELECT id FROM reviews")] == [again.review_id]
