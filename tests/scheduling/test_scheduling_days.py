"""Scheduling an Anki user trusts (issue 14): scheduling days, ordered buttons, undo that keeps
history, IANA time zones on DST nights, leeches that stay unsuspended."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.notes import write_note
from flashdeck.collection.identity import sync_note_cards
from flashdeck.collection.store import Collection
from flashdeck.notes.model import ParsedCard
from flashdeck.scheduling import step
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from flashdeck.scheduling.state import CardState

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
DAY = timedelta(days=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def review_card(stability: float, last: datetime, due: datetime, version: int = 3) -> CardState:
    return CardState(state="review", due=int(due.timestamp()), stability=stability,
                     difficulty=5.0, last_review=int(last.timestamp()), reps=3,
                     version=version)


# --- scheduling days ------------------------------------------------------------------

def test_a_one_day_card_answered_next_morning_or_evening_gets_about_the_same_interval():
    """Learned yesterday at 09:40, due today: answered at 09:00 (23h20m later, "early" in
    24-hour periods) it is a one-day recall as much as at 20:00."""
    config = Config(fuzz=False)
    last = at("2026-11-23T09:40:00+01:00")
    card = review_card(1.2, last, at("2026-11-24T04:00:00+01:00"))
    morning = step.review(7, card, 3, at("2026-11-24T09:00:00+01:00"), config, BERLIN)
    evening = step.review(7, card, 3, at("2026-11-24T20:00:00+01:00"), config, BERLIN)
    assert morning.stability == evening.stability > 3  # a recall after a day: 1.2 -> ~4.5
    assert morning.due == evening.due
    # due at the start of a scheduling day, 04:00 Berlin time
    assert datetime.fromtimestamp(morning.due, BERLIN).hour == 4
    assert (morning.due - int(at("2026-11-24T04:00:00+01:00").timestamp())) // 86400 >= 3
    # under the old rule (24-hour periods) the morning answer was a same-day review
    old = step.review(7, card, 3, at("2026-11-24T09:00:00+01:00"), config, BERLIN, rules=1)
    assert old.stability < 1.5


def test_same_day_learning_steps_keep_real_time():
    config = Config(fuzz=False)
    now = at("2026-11-24T09:00:00+01:00")
    new = step.answers(1, CardState(), now, config, BERLIN)
    assert new[1].due - int(now.timestamp()) == 60  # again: 1 minute
    assert new[3].due - int(now.timestamp()) == 600  # good: 10 minutes
    assert new[4].state == "review"  # easy graduates, due at a day start
    assert datetime.fromtimestamp(new[4].due, BERLIN).hour == 4


review_states = st.builds(
    lambda stability, difficulty, elapsed, hour, version, state, lapses: (
        CardState(state=state, due=0, step=0 if state == "relearning" else None,
                  stability=stability, difficulty=difficulty,
                  last_review=int((at("2026-06-10T12:00:00+02:00") - timedelta(days=elapsed))
                                  .timestamp()), reps=5, lapses=lapses, version=version),
        at("2026-06-10T00:00:00+02:00") + timedelta(hours=hour)),
    stability=st.floats(0.05, 2000), difficulty=st.floats(1, 10),
    elapsed=st.floats(0, 400), hour=st.floats(0, 24), version=st.integers(0, 50),
    state=st.sampled_from(["review", "learning", "relearning"]), lapses=st.integers(0, 20))


@settings(max_examples=400, deadline=None)
@given(review_states)
def test_previews_are_ordered_as_anki_orders_them(case) -> None:
    state, now = case
    config = Config()
    result = step.answers(11, state, now, config, BERLIN)
    due = {r: result[r].due for r in (1, 2, 3, 4)}
    assert due[1] < due[2] <= due[3] < due[4]
    if state.state == "review":
        days = {r: (due[r] - due[1]) / 86400 for r in (2, 3, 4)}
        if all(result[r].state == "review" for r in (2, 3, 4)):
            assert due[3] - due[2] >= 86400 - 3600  # a day (a DST day has 23 hours)
            assert due[4] - due[3] >= 86400 - 3600, days


def test_a_preview_is_exactly_the_answer(tmp_path) -> None:
    col = Collection.open(tmp_path / "c.sqlite")
    with col.transaction() as conn:
        source = conn.execute(
            "INSERT INTO sources (path, kind, added) VALUES ('/v', 'folder', 0)").lastrowid
        note = conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (?, 'n.md',"
                            " 'N')", (source,)).lastrowid
        sync_note_cards(conn, note, [ParsedCard("basic", f"Q{i}", "A", i, "d", f"L{i}")
                                     for i in range(30)], set(), 0)
    clock = [at("2026-11-24T09:00:00+01:00")]
    engine = Engine(col, Config(new_per_day=30), now=lambda: clock[0])
    rng = random.Random(5)
    for _ in range(120):
        card = engine.next_card()
        if card is None:
            clock[0] += timedelta(hours=rng.choice((1, 9, 20, 30)))
            continue
        previews = engine.previews(card.id)
        name = rng.choice(["again", "hard", "good", "good", "easy"])
        answered = engine.answer(card.id, previews[name].rating)
        assert answered.due == previews[name].due
        clock[0] += timedelta(minutes=rng.choice((1, 5, 11, 60)))


# --- time zones -----------------------------------------------------------------------

def _vault_of(tmp_path, cards: int):
    vault = tmp_path / "vault"
    write_note(vault, "Deck.md", "#flashcards\n\n" + "".join(
        f"Question {i}::answer {i}\n" for i in range(cards)))
    return vault


@pytest.mark.parametrize(("answered", "same_day", "next_day"), [
    # autumn: the scheduling day of 24 Oct runs 25 hours, to 04:00 CET on the 25th
    ("2026-10-24T04:30:00+02:00", "2026-10-25T03:30:00+01:00", "2026-10-25T04:30:00+01:00"),
    # spring: the day of 28 Mar runs 23 hours, to 04:00 CEST on the 29th
    ("2026-03-28T04:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-29T04:30:00+02:00"),
])
def test_dst_nights_keep_the_daily_limits(cli, tmp_path, monkeypatch, answered, same_day,
                                          next_day) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    col = tmp_path / "c.db"
    monkeypatch.setenv("FLASHDECK_NOW", answered)
    assert cli("--collection", col, "import", _vault_of(tmp_path, 45)).code == 0
    for _ in range(20):
        card = cli("--collection", col, "next", "--json").json["card"]
        assert cli("--collection", col, "answer", card["id"], "easy").code == 0
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 0
    monkeypatch.setenv("FLASHDECK_NOW", same_day)  # still the same scheduling day
    assert cli("--collection", col, "next", "--json").json["card"] is None
    monkeypatch.setenv("FLASHDECK_NOW", next_day)  # a new day: 20 new again
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 20


def test_day_bounds_follow_the_zone_not_an_offset(monkeypatch) -> None:
    from flashdeck.scheduling.day import day_bounds

    monkeypatch.setenv("TZ", "Europe/Berlin")
    start, end = day_bounds(at("2026-10-24T12:00:00+02:00"))
    assert (end - start) == timedelta(hours=25)
    start, end = day_bounds(at("2026-03-28T12:00:00+01:00"))
    assert (end - start) == timedelta(hours=23)


# --- undo -----------------------------------------------------------------------------

def test_undo_the_next_morning_changes_nothing_and_says_so(cli, tmp_path, monkeypatch) -> None:
    col = tmp_path / "c.db"
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T21:00:00+01:00")
    cli("--collection", col, "import", _vault_of(tmp_path, 5))
    for _ in range(3):
        card = cli("--collection", col, "next", "--json").json["card"]
        cli("--collection", col, "answer", card["id"], "good")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-25T08:00:00+01:00")
    for _ in range(5):  # a key held too long
        result = cli("--collection", col, "undo")
        assert result.code == 0
        assert "earlier day" in result.out and "only today's answers" in result.out
    assert len(cli("--collection", col, "log", "--json").json) == 3
    assert cli("--collection", col, "undo", "--json").json["undone"] is None
    # today's own answer is undone, and then nothing further back
    card = cli("--collection", col, "next", "--json").json["card"]
    cli("--collection", col, "answer", card["id"], "again")
    assert cli("--collection", col, "undo", "--json").json["undone"] == {
        "card": card["id"], "rating": "again"}
    assert "earlier day" in cli("--collection", col, "undo").out
    assert len(cli("--collection", col, "log", "--json").json) == 3



def test_undo_leaves_an_answer_logged_on_a_later_day(cli, tmp_path, monkeypatch) -> None:
    """The clock set back (a wrong date put right): the last answer in the log is of a
    later day. The command line's undo reaches today's answers only; it took that one back
    all the same. Now it says why it does not, and today's own answers are undone as before."""
    col = tmp_path / "c.db"
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-28T21:00:00+01:00")  # the clock ran ahead
    cli("--collection", col, "import", _vault_of(tmp_path, 5))
    card = cli("--collection", col, "next", "--json").json["card"]
    cli("--collection", col, "answer", card["id"], "good")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T21:00:00+01:00")  # and was put right
    before = cli("--collection", col, "list", "--json").json
    result = cli("--collection", col, "undo")
    assert result.code == 0, result.err
    assert "later day" in result.out and "only today's answers" in result.out, result.out
    assert "2026-11-28 21:00" in result.out
    assert len(cli("--collection", col, "log", "--json").json) == 1
    assert cli("--collection", col, "list", "--json").json == before
    # an answer of today: undone, the later day's left
    card = cli("--collection", col, "next", "--json").json["card"]
    cli("--collection", col, "answer", card["id"], "again")
    assert cli("--collection", col, "undo", "--json").json["undone"] == {
        "card": card["id"], "rating": "again"}
    assert len(cli("--collection", col, "log", "--json").json) == 1

# --- leeches --------------------------------------------------------------------------

def test_an_unsuspended_leech_stays_unsuspended_until_half_as_many_lapses_again(cli, tmp_path,
                                                                           monkeypatch) -> None:
    col = tmp_path / "c.db"
    moment = at("2026-11-01T09:00:00+01:00")
    monkeypatch.setenv("FLASHDECK_NOW", moment.isoformat())
    vault = tmp_path / "vault"
    write_note(vault, "Hard.md", "#flashcards\n\nA hard fact::its answer\n")
    cli("--collection", col, "import", vault)
    card_id = cli("--collection", col, "list", "--json").json[0]["id"]

    def lapse_once() -> dict:
        """Bring the card to review (easy), then forget it (again)."""
        nonlocal moment
        for rating in ("easy", "again"):
            moment += 40 * DAY
            monkeypatch.setenv("FLASHDECK_NOW", moment.isoformat())
            assert cli("--collection", col, "answer", card_id, rating).code == 0, rating
        assert _card(cli, col, card_id)["state"] == "relearning"
        return _card(cli, col, card_id)

    lapses = 0
    while True:
        card = lapse_once()
        lapses += 1
        if card["suspended"]:
            break
        assert lapses < 8
    assert lapses == 8
    assert cli("--collection", col, "unsuspend", card_id).code == 0
    for _ in range(3):  # three more lapses: still unsuspended
        card = lapse_once()
        assert not card["suspended"]
    card = lapse_once()  # the 12th: a leech again, half the threshold on, as Anki has it
    assert card["suspended"]
    assert cli("--collection", col, "unsuspend", card_id).code == 0
    for _ in range(3):
        assert not lapse_once()["suspended"]
    assert lapse_once()["suspended"]  # the 16th


def _card(cli, col, card_id) -> dict:
    return next(c for c in cli("--collection", col, "list", "--json").json if c["id"] == card_id)
