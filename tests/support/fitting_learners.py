"""Scripted learners answering through the engine over months, with a fixed, moving clock
(the optimizer's tests: issue 20)."""

from __future__ import annotations

import heapq
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from flashdeck.scheduling.parameters import DEFAULT_PARAMETERS

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def vault_note(cards: int) -> str:
    lines = ["#flashcards", ""]
    lines += [f"Word number {i} in the test language::meaning {i}" for i in range(cards)]
    return "\n\n".join(lines) + "\n"


def default_recall(elapsed_days: float, stability: float) -> float:
    """FSRS-6's forgetting curve with the default weights."""
    decay = -DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * elapsed_days / stability) ** decay


def fast_forgetter(rng, row, now) -> int:
    """Forgets anything not seen for more than two days."""
    if row["last_review"] is None:
        return 3
    elapsed = (now.timestamp() - row["last_review"]) / 86400
    return 1 if elapsed > 2 else 3


def default_like(rng, row, now) -> int:
    """Remembers with the probability FSRS's default parameters predict."""
    if row["last_review"] is None or row["state"] != "review":
        return 3
    elapsed = (now.timestamp() - row["last_review"]) / 86400
    return 3 if rng.random() < default_recall(elapsed, row["stability"]) else 1


SETTINGS = """# my settings
desired_retention = 0.9   # the default, said out loud
leech_lapses = 1000       # a scripted learner lapses a lot: never suspend
"""
CONFIG = Config(leech_lapses=1000)


def run_learner(path: Path, learner, days: int, new_per_day: int, seed: int = 7,
                start: datetime = T0, config: Config = CONFIG) -> int:
    """Study every day at 09:00 for `days` days: new cards, then everything due that day,
    learning steps as they come due. Returns the number of answers."""
    rng = random.Random(seed)
    moment = [start]
    answers = 0
    with Collection.open(path, create=False) as col:
        engine = Engine(col, config, now=lambda: moment[0])
        fresh = [r[0] for r in col.conn.execute(
            "SELECT id FROM cards WHERE state = 'new' ORDER BY id")]
        due = [(r[1], r[0]) for r in col.conn.execute(
            "SELECT id, due FROM cards WHERE state != 'new' AND suspended = 0")]
        heapq.heapify(due)
        for day in range(days):
            session_start = start + timedelta(days=day)
            moment[0] = session_start
            for card_id in fresh[:new_per_day]:
                heapq.heappush(due, (int(session_start.timestamp()), card_id))
            fresh = fresh[new_per_day:]
            day_end = int((session_start + timedelta(hours=12)).timestamp())
            while due and due[0][0] <= day_end:
                at, card_id = heapq.heappop(due)
                moment[0] = max(moment[0], datetime.fromtimestamp(at, timezone.utc)) \
                    + timedelta(seconds=5)
                row = engine._row(card_id)
                result = engine.answer(card_id, learner(rng, row, moment[0]))
                answers += 1
                heapq.heappush(due, (int(result.due.timestamp()), card_id))
    return answers
