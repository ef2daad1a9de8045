"""A scripted learner for the stats tests (issue 20): deck EASY is always answered Good,
deck HARD Again on every third of its reviews; everything due is reviewed every morning
for DAYS days, and every answer is logged with the card's state before it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from support.notes import write_note

START = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)
DAYS = 150
END = START + timedelta(days=DAYS)  # 2026-10-29 09:00 UTC: "now" for the figures
EASY, HARD = "flashcards/lang/easy", "flashcards/lang/hard"


def write_notes(vault) -> None:
    easy = "\n\n".join(f"easy word {i}::meaning {i}" for i in range(12))
    hard = "\n\n".join(f"hard word {i}::sense {i}" for i in range(12))
    write_note(vault, "easy.md", f"#{EASY}\n\n{easy}\n")
    write_note(vault, "hard.md", f"#{HARD}\n\n{hard}\n")


class Learner:
    """Reviews everything due every morning for DAYS days; logs what it answered."""

    def __init__(self, col: Collection):
        self.col = col
        self.moment = START
        self.engine = Engine(col, Config(), now=lambda: self.moment)
        self.hard_reviews = 0
        self.log: list[dict] = []  # one entry per answer: deck, time, rating, state before

    def rating(self, deck: str) -> int:
        if deck == EASY:
            return 3
        self.hard_reviews += 1
        return 1 if self.hard_reviews % 3 == 0 else 3

    def day(self) -> None:
        session_end = self.moment + timedelta(hours=2)
        while self.moment < session_end:
            card = self.engine.next_card()
            if card is None:
                self.moment += timedelta(minutes=5)
                continue
            row = self.col.conn.execute(
                "SELECT state, stability, last_review, due FROM cards WHERE id = ?",
                (card.id,)).fetchone()
            rating = self.rating(card.deck)
            self.log.append({"deck": card.deck, "at": self.moment, "rating": rating,
                             "state": row[0], "stability": row[1], "last": row[2],
                             "due": row[3]})
            self.engine.answer(card.id, rating)
            self.moment += timedelta(seconds=20)

    def run(self) -> None:
        for day in range(DAYS):
            self.moment = START + timedelta(days=day)
            self.day()




def build(base):
    """Import the two decks into `base`/c.sqlite and run the script over them (TZ must
    be UTC); returns (the collection's path, the script's log)."""
    from flashdeck.cli import main

    vault = base / "vault"
    write_notes(vault)
    path = base / "c.sqlite"
    assert main(["--collection", str(path), "import", str(vault)]) == 0
    with Collection.open(path) as col:
        learner = Learner(col)
        learner.run()
    return path, learner.log


def build_in_utc(base):
    """`build` with TZ=UTC for its duration (for module-scoped fixtures)."""
    import os

    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    try:
        return build(base)
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved

