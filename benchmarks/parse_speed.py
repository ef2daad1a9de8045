"""What parsing a note costs, this tree's code against another's, interleaved.

    python benchmarks/parse_speed.py [--against DIR] [--notes N] [--rounds R] [--vault DIR]

Each round runs one process per tree, alternating which goes first, and each process reads
and parses every note of a generated vault (benchmarks/vault.py; or --vault) as an import's
worker does (`read_and_parse`: reading, hashing, the parse, the exercises, the flashcard tag
required), after one warm-up pass, and reports its CPU time per note. Prints each round
and the medians with their spread. Other processes on the machine move both alike.

--against DIR: a tree holding the other code; without it, main's (`git archive main`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _measure(vault: Path) -> float:
    """In the tree on sys.path: CPU ms per note of read_and_parse over the vault."""
    import time

    from flashdeck.collection.parsing import read_and_parse
    from flashdeck.collection.sources import NoteFile
    from flashdeck.notes.model import ParserSettings

    settings = ParserSettings()
    jobs = [(NoteFile(str(p), p.name, p.name), settings, True)
            for p in sorted(vault.rglob("*.md"))]
    for job in jobs:
        read_and_parse(*job)
    start = time.process_time()
    for job in jobs:
        read_and_parse(*job)
    return (time.process_time() - start) * 1000 / len(jobs)


def _run(tree: Path, vault: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure",
                          str(vault), "--tree", str(tree)], check=True, env=env,
                         cwd=str(tree), capture_output=True, text=True).stdout
    return float(out.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", type=Path)
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--vault", type=Path)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, str(args.tree))
        print(f"{_measure(args.measure):.6f}")
        return 0
    with tempfile.TemporaryDirectory(prefix="parse_speed.") as tmp:
        folder = Path(tmp)
        sys.path.insert(0, str(HERE))
        from trees import other_tree

        against = other_tree(args.against, folder)
        vault = args.vault
        if vault is None:
            sys.path.insert(0, str(HERE))
            from vault import generate

            vault = generate(folder / "vault", args.notes)
        trees = {"theirs": against.resolve(), "ours": ROOT}
        times: dict[str, list[float]] = {"theirs": [], "ours": []}
        for r in range(args.rounds):
            order = ["theirs", "ours"] if r % 2 == 0 else ["ours", "theirs"]
            for name in order:
                times[name].append(_run(trees[name], vault))
            print(f"round {r + 1}: theirs {times['theirs'][-1]:.3f} ms/note, "
                  f"ours {times['ours'][-1]:.3f} ms/note", flush=True)
        for name in ("theirs", "ours"):
            t = times[name]
            print(f"{name:<7} median {statistics.median(t):.3f} ms/note "
                  f"(min {min(t):.3f}, max {max(t):.3f}, {len(t)} rounds)")
        ratios = [o / t for o, t in zip(times["ours"], times["theirs"])]
        print(f"ours / theirs: median {statistics.median(ratios):.3f} "
              f"(min {min(ratios):.3f}, max {max(ratios):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
