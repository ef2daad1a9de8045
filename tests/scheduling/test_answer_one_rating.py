"""An answer computes fsrs for the ratings its result depends on only (step.answers'
`only`), and the review screen's engine keeps fsrs's last results between a card's
previews and its answer (step.ReviewMemo): both give exactly what the four ratings
computed afresh give, so `doctor`'s replay and the previews agree with every answer."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.scheduling import step
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.state import CardState
from support.clock import T0

DAY = 86400


def states(seed: int, count: int = 60) -> list[CardState]:
    draw = random.Random(seed)
    now = int(T0.timestamp())
    result = [CardState()]
    for _ in range(count):
        last = now - draw.randrange(60, 300 * DAY)
        name = draw.choice(["learning", "review", "review", "review", "relearning"])
        result.append(CardState(
            state=name, due=last + draw.randrange(60, 120 * DAY),
            step=None if name == "review" else draw.choice([0, 1, 2]),
            stability=0.1 + draw.random() * 300, difficulty=1 + draw.random() * 9,
            last_review=last, reps=draw.randrange(1, 40), lapses=draw.randrange(9),
            version=draw.randrange(200)))
    return result


def drawn_state(draw: random.Random, name: str, last: int, *, within: int, steps: int,
                stability: float, reps: int, versions: int) -> CardState:
    """A card in state `name` last reviewed at `last` (new: never), due within `within`
    seconds of it, its other values drawn."""
    if name == "new":
        return CardState(version=draw.randrange(5))
    return CardState(
        state=name, due=last + draw.randrange(0, within),
        step=None if name == "review" else draw.choice(range(steps)),
        stability=0.05 + draw.random() * stability, difficulty=1 + draw.random() * 9,
        last_review=last, reps=draw.randrange(1, reps), lapses=draw.randrange(9),
        version=draw.randrange(versions))


@pytest.mark.parametrize("seed", range(4))
def test_one_rating_is_that_ratings_share_of_all_four(seed):
    config = Config(maximum_interval=[36500, 60, 5][seed % 3])
    tz = T0.tzinfo
    for i, state in enumerate(states(seed)):
        for now in (T0, T0.replace(hour=3, minute=59)):
            every = step.answers(500 + i, state, now, config, tz)
            for rating in step.RATINGS:
                assert step.answers(500 + i, state, now, config, tz,
                                    only=rating)[rating] == every[rating], (i, rating)


def test_the_memo_gives_what_fsrs_gives(monkeypatch):
    memo = step.ReviewMemo()
    tz = T0.tzinfo
    config, other = Config(), Config(desired_retention=0.8)
    for i, state in enumerate(states(9, 40)):
        expected = step.answers(i, state, T0, config, tz)
        for _ in range(2):  # the second time from the memo
            assert step.answers(i, state, T0, config, tz, memo=memo) == expected
            for rating in step.RATINGS:
                assert step.answers(i, state, T0, config, tz, memo=memo,
                                    only=rating)[rating] == expected[rating]
        # another version (another fuzz), other settings: not the kept results
        bumped = replace(state, version=state.version + 1)
        assert step.answers(i, bumped, T0, config, tz, memo=memo) == step.answers(
            i, bumped, T0, config, tz)
        assert step.answers(i, state, T0, other, tz, memo=memo) == step.answers(
            i, state, T0, other, tz)
    assert len(memo._results) <= step.ReviewMemo.SIZE


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), later=st.integers(0, 2 * DAY),
       ago=st.integers(0, 3 * DAY), name=st.sampled_from(
           ["new", "learning", "review", "relearning"]))
def test_a_kept_result_moved_to_the_answers_time_is_what_fsrs_gives_then(seed, later, ago,
                                                                          name):
    """The previews at one moment, the answer `later` seconds on (the user reading the card,
    or leaving it on screen overnight): the memo's moved result is fsrs's own at that time,
    whether the whole days since the last review changed in between or not."""
    draw = random.Random(seed)
    tz = T0.tzinfo
    config = Config(fuzz=draw.random() < 0.8)
    now = int(T0.timestamp())
    if name == "new":
        state = CardState(version=draw.randrange(5))
    else:
        state = CardState(
            state=name, due=now - ago + 600, step=None if name == "review" else draw.choice([0, 1]),
            stability=0.05 + draw.random() * 50, difficulty=1 + draw.random() * 9,
            last_review=now - ago, reps=draw.randrange(1, 9), lapses=draw.randrange(3),
            version=draw.randrange(50))
    memo = step.ReviewMemo()
    shown = T0 + timedelta(seconds=draw.randrange(0, 60))
    step.answers(77, state, shown, config, tz, memo=memo)  # the previews
    answered = shown + timedelta(seconds=later)
    for rating in step.RATINGS:
        assert step.answers(77, state, answered, config, tz, memo=memo, only=rating)[rating] \
            == step.answers(77, state, answered, config, tz)[rating], rating


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), ago=st.integers(0, 400 * DAY),
       name=st.sampled_from(["new", "learning", "review", "relearning"]),
       rating=st.sampled_from(step.RATINGS), retention=st.sampled_from([0.8, 0.9, 0.95]))
def test_unfuzzed_reviews_are_fsrs_s_own_and_draw_nothing(seed, ago, name, rating,
                                                          retention):
    """Every answer asks fsrs with its fuzz off (rules 4: `step._unfuzzed`), without the
    seed the fuzz would need: fsrs's result is the one a plain call of fsrs gives, on a
    scheduler of its own, and fsrs draws no random number meanwhile."""
    import fsrs
    import fsrs.scheduler

    draw = random.Random(seed)
    state = drawn_state(draw, name, int(T0.timestamp()) - ago, within=30 * DAY, steps=3,
                        stability=300, reps=40, versions=200)
    config = step._unfuzzed(Config(desired_retention=retention,
                                   maximum_interval=draw.choice([36500, 60])))
    draws: list[float] = []

    def drawn() -> float:
        draws.append(0.5)
        return 0.5

    when = T0 + timedelta(seconds=draw.randrange(0, DAY))
    card = step.fsrs_card(31, state, when)
    plain = fsrs.Scheduler(desired_retention=retention, learning_steps=config.learning_steps,
                           relearning_steps=config.relearning_steps,
                           maximum_interval=config.maximum_interval, enable_fuzzing=False)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(fsrs.scheduler, "random", drawn)
        expected = plain.review_card(step.fsrs_card(31, state, when), fsrs.Rating(rating),
                                     review_datetime=when)[0]
        assert step._fsrs_review(31, state, rating, card, when, config) == expected
    assert card == step.fsrs_card(31, state, when)  # the card given is left as it was
    assert draws == []


_ZONES = ("Europe/Berlin", "Australia/Lord_Howe", "America/New_York")
# around the nights the clocks change (Berlin: 29 Mar, 25 Oct 2026; Lord Howe: 5 Apr,
# 4 Oct; New York: 8 Mar, 1 Nov) and an ordinary day
_AROUND = ("2026-03-28T20:00:00+00:00", "2026-10-24T20:00:00+00:00",
           "2026-04-04T10:00:00+00:00", "2026-10-03T10:00:00+00:00",
           "2026-03-07T22:00:00+00:00", "2026-10-31T22:00:00+00:00",
           "2026-11-24T01:00:00+00:00")


@settings(max_examples=400, deadline=None)
@given(seed=st.integers(0, 2**32), zone=st.sampled_from(_ZONES),
       around=st.sampled_from(_AROUND), shown=st.integers(0, 30 * 3600),
       later=st.sampled_from([0, 1, 7, 59, 600, 3599, 3600, 5400, 86399, 86400, 90000]),
       ago=st.integers(0, 3 * DAY), hour=st.sampled_from([0, 2, 3, 4, 23]),
       name=st.sampled_from(["new", "learning", "review", "relearning"]))
def test_an_answer_from_its_previews_work_is_the_answer_worked_out_afresh(
        seed, zone, around, shown, later, ago, hour, name):
    """The review screen's answer takes its previews' work (`ReviewMemo.plan`) when only
    the time moved on: the result is exactly the one worked out afresh at the answer's time,
    for every rating, whether the time moved by a second or past the day's start, across
    the nights the clocks change, with steps of a day (`_step_of_days`) and reviews from an
    earlier day, fuzz on or off. (Kept across the day's start or with the whole days since
    the last review changed, it gave the previews' day: the key holds both.)"""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    draw = random.Random(seed)
    tz = ZoneInfo(zone)
    config = Config(fuzz=draw.random() < 0.7, day_start_hour=hour,
                    learning_steps=draw.choice([(timedelta(minutes=1), timedelta(minutes=10)),
                                                (timedelta(minutes=10), timedelta(days=1)),
                                                (timedelta(hours=23),)]),
                    relearning_steps=draw.choice([(timedelta(minutes=10),),
                                                  (timedelta(days=1),), ()]))
    at = datetime.fromisoformat(around) + timedelta(seconds=shown)
    state = drawn_state(draw, name, int(at.timestamp()) - ago, within=3 * DAY, steps=2,
                        stability=80, reps=9, versions=50)
    memo = step.ReviewMemo()
    step.answers(91, state, at, config, tz, memo=memo)  # the previews
    answered = at + timedelta(seconds=later)
    for rating in step.RATINGS:
        assert step.answers(91, state, answered, config, tz, memo=memo, only=rating)[rating] \
            == step.answers(91, state, answered, config, tz)[rating], rating
    # and the previews again, later (the screen's card left on screen): the same
    assert step.answers(91, state, answered, config, tz, memo=memo) \
        == step.answers(91, state, answered, config, tz)


@pytest.mark.parametrize("name", ["learning", "relearning"])
def test_an_answer_a_whole_day_after_its_last_review_on_a_25_hour_day_is_not_its_previews(
        name):
    """Berlin's scheduling day of 24 October 2026 is 25 hours long (04:00 CEST to 04:00
    CET). A step answered at 02:10 UTC that day, the card shown again at 02:05 UTC the next
    morning (23 h 55 min later, the same scheduling day) and answered at 02:40 UTC (24 h 30
    min: a whole day since the last review, which fsrs counts): the answer is fsrs's at
    02:40, not the previews' work kept from 02:05."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Berlin")
    last = datetime(2026, 10, 24, 2, 10, tzinfo=timezone.utc)
    shown = datetime(2026, 10, 25, 2, 5, tzinfo=timezone.utc)
    answered = datetime(2026, 10, 25, 2, 40, tzinfo=timezone.utc)
    config = Config(day_start_hour=4)
    assert step.scheduling_date(last, 4, tz) == step.scheduling_date(answered, 4, tz)
    state = CardState(state=name, due=int(last.timestamp()) + 600, step=0, stability=2.5,
                      difficulty=5.0, last_review=int(last.timestamp()), reps=2,
                      lapses=1 if name == "relearning" else 0, version=3)
    fresh = step.answers(91, state, answered, config, tz)
    assert fresh != {rating: replace(after, due=after.due + 35 * 60,
                                     last_review=after.last_review + 35 * 60)
                     for rating, after in step.answers(91, state, shown, config, tz).items()}
    memo = step.ReviewMemo()
    step.answers(91, state, shown, config, tz, memo=memo)  # the previews
    for rating in step.RATINGS:
        assert step.answers(91, state, answered, config, tz, memo=memo,
                            only=rating)[rating] == fresh[rating], rating
