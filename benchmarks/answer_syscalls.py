"""The system calls of one answer -> next card, flashdeck's loop beside Anki's (issue 23): where
the time of an answer can go that Python's profilers do not see (fsync, locks, writes).

    python benchmarks/answer_syscalls.py [--cards N] [--answers N]

Needs `strace` (Linux) and the `anki` extra. Each loop runs in a process of its own under
`strace -f`; the collection is built and a few answers given first, then the answers counted
are marked off by a `kill(pid, 0)` before and after them (a call neither loop makes). Prints
each loop's calls per answer, by name: how often each commits to the disk (fsync/fdatasync),
how many pages it writes, how many locks it takes (fcntl).

Measured on the issue's collections (50,000 cards, a fifth in review), 300 answers: both
fsync once an answer (Anki `fsync`, flashdeck `fdatasync`: SQLite's choice where the system
has it; both flush the data and the file's size) and write ~11.5 pages into the write-ahead
log; Anki takes no file lock at all (`locking_mode=exclusive`: one process per collection),
flashdeck ~14 `fcntl` (the log's read and write locks: the review screen, `flashdeck answer`
and `sync` share a collection).

flashdeck's loop runs as the review screen does (`Collection.sync_in_background`): its
`fdatasync` is made after each commit, once the next card is ready (20,000 cards, 100
answers, Dec 2: 12.6 pages, 12.1 `fcntl`, 1.03 `fdatasync` an answer before and after;
flushed by a thread of its own, tried first, it added ~8 `futex` an answer).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _loop(which: str, cards: int, answers: int, folder: str) -> None:
    """The loop itself (run in the traced child)."""
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    import anki_bench

    tmp = Path(folder)
    if which == "anki":
        col = anki_bench.build(tmp / "bench.anki2", cards)

        def answer(i: int) -> None:
            top = col.sched.get_queued_cards().cards[0]
            card = col.get_card(top.card.id)
            card.start_timer()
            col.sched.answer_card(col.sched.build_answer(card=card, states=top.states,
                                                         rating=3 if i % 4 else 1))
    else:
        from datetime import datetime, timedelta, timezone

        from run import build_big_collection

        from flashdeck.collection.store import Collection
        from flashdeck.scheduling.config import Config
        from flashdeck.scheduling.engine import Engine

        moment = [datetime(2026, 11, 24, 9, tzinfo=timezone.utc)]
        os.environ["FLASHDECK_NOW"] = moment[0].isoformat()
        build_big_collection(tmp / "new.sqlite", cards)
        anki_bench._copy(tmp / "new.sqlite", tmp / "mixed.sqlite")
        anki_bench.review_mix(tmp / "mixed.sqlite", cards, int(moment[0].timestamp()))
        col = Collection.open(tmp / "mixed.sqlite")
        col.sync_in_background()  # as the review screen does: flushed once the card is shown
        engine = Engine(col, Config(new_per_day=300, reviews_per_day=1000),
                        now=lambda: moment[0])
        shown = [engine.next_card()]
        engine.previews(shown[0].id)

        def answer(i: int) -> None:
            engine.answer(shown[0].id, 3 if i % 4 else 1)
            shown[0] = engine.next_card()
            engine.counts()
            engine.previews(shown[0].id)
            col.flush_log()  # as the screen does once the next card is painted
            moment[0] += timedelta(seconds=20)
    for i in range(3):
        answer(i)
    os.kill(os.getpid(), 0)
    for i in range(answers):
        answer(i)
    os.kill(os.getpid(), 0)
    col.close()


def traced(which: str, cards: int, answers: int) -> Counter:
    """The system calls per answer of `which` (anki | flashdeck), by name."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "strace.txt"
        subprocess.run(["strace", "-f", "-o", str(log), sys.executable, __file__, "--child",
                        which, "--cards", str(cards), "--answers", str(answers),
                        "--folder", tmp], check=True)
        calls: Counter = Counter()
        marks = 0
        with open(log, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                parts = line.split(None, 1)
                name = parts[1].split("(", 1)[0] if len(parts) == 2 else ""
                if name == "kill":
                    marks += 1
                elif marks == 1 and name and not name.startswith(("+++", "---", "<...")):
                    calls[name] += 1
    return Counter({name: n / answers for name, n in calls.items()})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--child")
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.child:
        _loop(args.child, args.cards, args.answers, args.folder)
        return
    if shutil.which("strace") is None:
        sys.exit("needs strace")
    for which in ("flashdeck", "anki"):
        calls = traced(which, args.cards, args.answers)
        shown = ", ".join(f"{name} {n:.2f}" for name, n in calls.most_common())
        print(f"{which}: {sum(calls.values()):.1f} system calls an answer ({shown})")


if __name__ == "__main__":
    main()
