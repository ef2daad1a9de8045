"""Anki's answer -> next card, as issue 23's peer: the `anki` package's own scheduler (its
Rust backend) on a collection of N cards of which a fifth are review cards due today, FSRS
on, each answer committed as Anki commits it. Needs the `anki` extra.

    python benchmarks/anki_bench.py [--cards N] [--answers N] [--rounds N]

Durability: Anki's commit waits for the disk (fsync) on every answer; flashdeck's loop runs at
the review screen's (`Collection.sync_in_background`): each answer's commit writes the log,
and the log is flushed to the disk once the next card is ready (the screen: once it is
painted; here: after the timed part, answer, next card, counts and previews), before the
next answer's commit. A crash or kill loses nothing; a power cut can lose the last answer,
until its flush ends, a few milliseconds after the next card is on screen.

`run.py` calls `answer_p95` and puts flashdeck's figure beside it. Run alone, this prints
Anki's figures and flashdeck's (run.py's loop: answer, next card, counts, previews) on two
collections, all new and a fifth in review due today as here, in interleaved rounds; Anki
twice: answering right after the build, as run.py measures it, and reopened first, its
write-ahead log empty as flashdeck's is and as a review session starts (`answer_p95`).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def build(path: Path, cards: int):
    from anki.collection import AddNoteRequest, Collection

    col = Collection(str(path))
    col.set_config("fsrs", True)
    model = col.models.by_name("Basic")
    deck = col.decks.id("bench")
    requests = []
    for i in range(cards):
        note = col.new_note(model)
        note["Front"] = f"Question {i} with some words"
        note["Back"] = f"Answer {i}"
        requests.append(AddNoteRequest(note=note, deck_id=deck))
    col.add_notes(requests)
    conf = col.decks.config_dict_for_deck_id(deck)
    conf["new"]["perDay"] = 300
    conf["rev"]["perDay"] = 1000
    col.decks.update_config(conf)
    col.decks.select(deck)
    today = col.sched.today
    col.db.execute(  # a fifth in review, due today, with an FSRS memory state
        "UPDATE cards SET type = 2, queue = 2, ivl = 5, due = ?, reps = 3,"
        " data = '{\"s\":5.0,\"d\":5.0,\"dr\":0.9}' WHERE id IN"
        " (SELECT id FROM cards ORDER BY id LIMIT ?)", today, cards // 5)
    return col


def answer_p95(cards: int = 50_000, answers: int = 200,
               reopened: bool = False) -> tuple[float, float]:
    """(p50, p95) seconds of get the next card, answer it (Good, Again every fourth).
    `reopened`: the collection closed and opened again after it is built, as a review
    session starts: its write-ahead log empty. Built and answered at once, Anki answers
    into the 14.6 MB log the build left (50k cards), rewriting blocks the disk has already
    allocated, while a session's first ~85 answers (1,000 pages) grow the log (an fsync
    that grows a file also commits the file system's journal). flashdeck's loop always
    starts with no log (`flashdeck_answer` copies the collection file alone). Measured on a
    quiet machine (Dec 2, 5 rounds, twice): reopened, Anki's p50 0.61-0.72 ms against
    0.51-0.60 ms, its p95 within the rounds' noise."""
    from anki.collection import Collection

    with tempfile.TemporaryDirectory() as tmp:
        col = build(Path(tmp) / "bench.anki2", cards)
        if reopened:
            col.close()
            col = Collection(str(Path(tmp) / "bench.anki2"))
        try:
            times = []
            for i in range(answers + 1):
                start = time.perf_counter()
                queued = col.sched.get_queued_cards()
                top = queued.cards[0]
                card = col.get_card(top.card.id)
                card.start_timer()
                changes = col.sched.build_answer(card=card, states=top.states,
                                                 rating=3 if i % 4 else 1)
                col.sched.answer_card(changes)
                if i:  # the first builds the queue
                    times.append(time.perf_counter() - start)
        finally:
            col.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def review_mix(path: Path, cards: int, now: int) -> None:
    """A fifth of a flashdeck collection's cards in review, due today (an hour ago), as
    `build` makes Anki's: stability 5, difficulty 5, a 5-day interval."""
    import sqlite3

    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE cards SET state = 'review', due = ?, step = NULL, stability = 5.0,"
                     " difficulty = 5.0, last_review = ?, reps = 3 WHERE id IN"
                     " (SELECT id FROM cards ORDER BY id LIMIT ?)",
                     (now - 3600, now - 3600 - 5 * 86400, cards // 5))
    conn.close()


def flashdeck_answer(path: Path, answers: int = 200) -> tuple[float, float]:
    """(p50, p95) seconds of run.py's loop on a copy of the collection at `path`."""
    import os
    import shutil
    from datetime import datetime, timedelta, timezone

    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work.sqlite"
        shutil.copy(path, work)
        moment = [datetime(2026, 11, 24, 9, tzinfo=timezone.utc)]
        saved = os.environ.get("FLASHDECK_NOW")
        os.environ["FLASHDECK_NOW"] = moment[0].isoformat()
        try:
            with Collection.open(work) as col:
                col.sync_in_background()  # as the review screen does (Collection's docs)
                engine = Engine(col, Config(new_per_day=300, reviews_per_day=1000),
                                now=lambda: moment[0])
                card = engine.next_card()
                engine.previews(card.id)
                times = []
                for i in range(answers):
                    start = time.perf_counter()
                    engine.answer(card.id, 3 if i % 4 else 1)
                    card = engine.next_card()
                    engine.counts()
                    engine.previews(card.id)
                    times.append(time.perf_counter() - start)
                    col.flush_log()  # as the screen does once the next card is painted
                    moment[0] += timedelta(seconds=20)
        finally:
            if saved is None:
                os.environ.pop("FLASHDECK_NOW", None)
            else:
                os.environ["FLASHDECK_NOW"] = saved
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def compare(cards: int, answers: int, rounds: int) -> None:
    """Anki and flashdeck in interleaved rounds; the median of the rounds' p50 and p95."""
    import sys
    from datetime import datetime, timezone

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import build_big_collection

    now = int(datetime(2026, 11, 24, 9, tzinfo=timezone.utc).timestamp())
    with tempfile.TemporaryDirectory() as tmp:
        all_new = Path(tmp) / "new.sqlite"
        build_big_collection(all_new, cards)
        mixed = Path(tmp) / "mixed.sqlite"
        _copy(all_new, mixed)
        review_mix(mixed, cards, now)
        runs: dict[str, list] = {"flashdeck, all new": [], "flashdeck, a fifth in review": [],
                                 "Anki, a fifth in review": [],
                                 "Anki, a fifth in review, reopened": []}
        for _ in range(rounds):
            runs["flashdeck, all new"].append(flashdeck_answer(all_new, answers))
            runs["flashdeck, a fifth in review"].append(flashdeck_answer(mixed, answers))
            runs["Anki, a fifth in review"].append(answer_p95(cards, answers))
            runs["Anki, a fifth in review, reopened"].append(
                answer_p95(cards, answers, reopened=True))
    for name, figures in runs.items():
        p50 = statistics.median(p for p, _ in figures)
        p95 = statistics.median(p for _, p in figures)
        print(f"{name}, answer -> next card at {cards} cards: p50 {p50 * 1000:.2f} ms,"
              f" p95 {p95 * 1000:.2f} ms")


def _copy(source: Path, target: Path) -> None:
    """A collection (its WAL too) into a new file, as one consistent snapshot."""
    import sqlite3

    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    compare(args.cards, args.answers, args.rounds)


if __name__ == "__main__":
    main()
