"""Anki's answer -> next card, as issue 23's peer: the `anki` package's own scheduler (its
Rust backend) on a collection of N cards of which a fifth are review cards due today, FSRS
on, each answer committed as Anki commits it. Needs the `anki` extra.

    python benchmarks/anki_bench.py [--cards N] [--answers N]

`run.py` calls `answer_p95` and puts flashdeck's figure beside it.
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


def answer_p95(cards: int = 50_000, answers: int = 200) -> tuple[float, float]:
    """(p50, p95) seconds of get the next card, answer it (Good, Again every fourth)."""
    with tempfile.TemporaryDirectory() as tmp:
        col = build(Path(tmp) / "bench.anki2", cards)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    p50, p95 = answer_p95(args.cards, args.answers)
    print(f"Anki, answer -> next card at {args.cards} cards: p50 {p50 * 1000:.2f} ms,"
          f" p95 {p95 * 1000:.2f} ms")


if __name__ == "__main__":
    main()
