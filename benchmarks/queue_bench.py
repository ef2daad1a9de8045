"""The queue at scale: answer -> next card after many answers today, and `due` over many decks.

    python benchmarks/queue_bench.py [--cards N] [--answers N] [--decks N]
                                     [--new-per-day N] [--reviews-per-day N]

Run alone it prints the figures; benchmarks/run.py adds them to its table (`bench_queue`).

The collection is built through the importer's identity code, with the sibling structure of
a real vault: per note of 25 cards, a reversed pair, the three clozes of one paragraph, and an
exercise whose template is shared by ten notes (copies), the rest basic cards. Three in five
cards are in review (due from yesterday to 100 days on: about one in sixty due today), the rest new.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PER_NOTE = 25
NOW = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)


def note_cards(n: int, deck: str) -> list:
    from flashdeck.notes.model import ParsedCard

    cards = []
    for k in range(PER_NOTE):
        if k in (10, 11):  # a reversed pair
            pair = (f"Term {n}", f"Meaning {n}")
            front, back = pair if k == 10 else pair[::-1]
            cards.append(ParsedCard("reversed", front, back, 11, deck, "L11", k - 10))
        elif k in (12, 13, 14):  # the clozes of one paragraph
            cards.append(ParsedCard("cloze", f"Paragraph {n} [...] {k}", f"Paragraph {n} {k}",
                                    13, deck, "L13", k - 12))
        elif k == 24:  # an exercise shared by ten notes
            cards.append(ParsedCard("exercise", f"Compute {n % 100}", f"id: ex{n % 100}", 40,
                                    deck, f"exercise:ex{n % 100}", exercise=f"ex{n % 100}"))
        else:
            cards.append(ParsedCard("basic", f"Question {n}.{k} with some words",
                                    f"Answer {n}.{k}", k + 1, deck, f"L{k + 1}"))
    return cards


def build(path: Path, cards: int, decks: int = 20, review_share: float = 0.6) -> None:
    """`cards` cards in `decks` leaf decks (ten per parent deck past 20), some in review."""
    import random

    from flashdeck.collection.identity import sync_note_cards
    from flashdeck.collection.store import Collection

    def deck_of(n: int) -> str:
        leaf = n % decks
        if decks <= 20:
            return f"flashcards/d{leaf}"
        return f"flashcards/g{leaf // 10}/d{leaf}"

    rng = random.Random(1)
    now = int(NOW.timestamp())
    with Collection.open(path) as col:
        with col.transaction() as conn:
            source = conn.execute("INSERT INTO sources (path, kind, added) VALUES"
                                  " ('/bench', 'folder', 0)").lastrowid
            for n in range(cards // PER_NOTE):
                note = conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES"
                                    " (?, ?, ?)", (source, f"n{n:06}.md", f"Note {n}")).lastrowid
                sync_note_cards(conn, note, note_cards(n, deck_of(n)), set(), 0)
            ids = [r[0] for r in conn.execute("SELECT id FROM cards")]
            rows = []
            for card_id in rng.sample(ids, int(len(ids) * review_share)):
                ivl = rng.randint(1, 100)
                due = now + rng.randint(-86400, 100 * 86400)
                rows.append((due, due - ivl * 86400, float(ivl), card_id))
            conn.executemany(
                "UPDATE cards SET state = 'review', due = ?, last_review = ?, stability = ?,"
                " difficulty = 5.0, reps = 3, step = NULL WHERE id = ?", rows)
        col.conn.execute("ANALYZE")


def answer_then_next(path: Path, answers: int, measured: int, config) -> dict:
    """Answer `answers` cards through Engine.answer (a card every 20 s), then `measured` more,
    timing each answer + next_card + counts + previews; next_card + counts alone too."""
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.engine import Engine

    moment = [NOW]
    os.environ["FLASHDECK_NOW"] = NOW.isoformat()  # the day boundary in UTC
    cycle, queue = [], []
    try:
        with Collection.open(path) as col:
            engine = Engine(col, config, now=lambda: moment[0])
            card = engine.next_card()
            for i in range(answers + measured):
                start = time.perf_counter()
                engine.answer(card.id, 3 if i % 5 else 1)
                middle = time.perf_counter()
                card = engine.next_card()
                engine.counts()
                after = time.perf_counter()
                engine.previews(card.id)
                end = time.perf_counter()
                cycle.append(end - start)
                queue.append(after - middle)
                moment[0] += timedelta(seconds=20)
    finally:
        del os.environ["FLASHDECK_NOW"]

    def p95(times):
        times = sorted(times)
        return times[min(len(times) - 1, int(len(times) * 0.95))]

    return {"queue_first": queue[0], "queue_first_p95": p95(queue[:measured]),
            "queue_p95": p95(queue[answers:]), "cycle_first_p95": p95(cycle[:measured]),
            "cycle_p95": p95(cycle[answers:]), "cycle_median": statistics.median(cycle[answers:])}


def time_due(path: Path, runs: int = 5) -> float:
    """`deck_counts` (what `flashdeck due` and the home screen compute), median of runs."""
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.decks import deck_counts

    os.environ["FLASHDECK_NOW"] = NOW.isoformat()
    try:
        with Collection.open(path) as col:
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                deck_counts(col, Config(), lambda: NOW)
                times.append(time.perf_counter() - start)
    finally:
        del os.environ["FLASHDECK_NOW"]
    return statistics.median(times)


def main() -> int:
    import argparse

    from flashdeck.scheduling.config import Config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--measured", type=int, default=200)
    parser.add_argument("--decks", type=int, default=1000)
    parser.add_argument("--new-per-day", type=int, default=200)
    parser.add_argument("--reviews-per-day", type=int, default=9999)
    parser.add_argument("--skip-answer", action="store_true")
    parser.add_argument("--skip-due", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flashdeck-queue-"))
    if not args.skip_answer:
        path = work / "answer.sqlite"
        start = time.perf_counter()
        build(path, args.cards)
        print(f"built {args.cards} cards in {time.perf_counter() - start:.1f} s", flush=True)
        result = answer_then_next(path, args.answers, args.measured,
                                  Config(new_per_day=args.new_per_day,
                                                         reviews_per_day=args.reviews_per_day))
        for key, value in result.items():
            print(f"  {key}: {value * 1000:.1f} ms")
    if not args.skip_due:
        path = work / "decks.sqlite"
        build(path, args.decks * 100, decks=args.decks)
        print(f"due, {args.decks} decks x 100 cards: {time_due(path, 3):.3f} s", flush=True)
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
