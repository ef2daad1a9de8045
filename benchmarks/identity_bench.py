"""Card identity at scale: re-importing one note whose every card was edited.

    python benchmarks/identity_bench.py [--cards N ...] [--runs N]

Run alone it prints the figures for each size; benchmarks/run.py adds the 1,000-card one to
its table (`bench_identity`). Each card is `Q{i} asks some WORD thing::A{i} with some WORD
text`, and every re-import swaps WORD in both sides of every card (so neither side is kept
whole and each card is found again by similarity alone). Issue 15 measured 7.9 s for 250
cards, 68 s for 600 and 5½ minutes for 1,000 when every edited card was compared with every
old one; the cold import of the same note takes ~0.2 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "FLASHDECK_CONFIG": "/nonexistent/config.toml"}
WORDS = ("longer", "edited")


def note_text(cards: int, word: str) -> str:
    return "#flashcards\n\n" + "".join(f"Q{i} asks some {word} thing::A{i} with some {word}"
                                        f" text\n" for i in range(cards))


def _import(col: Path, vault: Path, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col), "import",
                    str(vault)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def edited_reimport(work: Path, cards: int, runs: int = 3, env: dict | None = None) -> dict:
    """The cold import of one note of `cards` cards, then the median of `runs` re-imports
    with every card edited (each run swaps the word back), checking that no card was added
    or orphaned."""
    env = env or ENV
    vault = work / f"identity{cards}"
    col = work / f"identity{cards}.sqlite"
    vault.mkdir(parents=True)
    note = vault / "Many cards.md"
    note.write_text(note_text(cards, WORDS[0]))
    cold = _import(col, vault, env)
    times = []
    for run in range(runs):
        note.write_text(note_text(cards, WORDS[(run + 1) % 2]))
        times.append(_import(col, vault, env))
    import sqlite3

    with sqlite3.connect(col) as conn:
        live, total = conn.execute("SELECT SUM(orphaned = 0), COUNT(*) FROM cards").fetchone()
    if (live, total) != (cards, cards):
        raise AssertionError(f"{cards} cards edited: {live} live of {total}, ids not all kept")
    shutil.rmtree(vault)
    return {"cold": cold, "reimport": statistics.median(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, nargs="+", default=[250, 600, 1000, 3000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flashdeck-identity-"))
    try:
        for cards in args.cards:
            result = edited_reimport(work, cards, args.runs)
            print(f"{cards:>6} cards: cold import {result['cold']:.2f} s, re-import with every"
                  f" card edited {result['reimport']:.2f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
