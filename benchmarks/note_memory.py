"""Peak memory of `flashdeck check` on one note of the largest size a note may have
(MAX_NOTE_BYTES), in each shape a note can fill it with, for this tree and another's.

    python benchmarks/note_memory.py [--against DIR] [--shapes sep,table,...] [--rounds N]

Shapes: `sep` (`q::a` lines), `cloze_sep` (a cloze a paragraph), `cloze_para` (one paragraph
of clozes), `list` (`- q::a` items), `multi` (`?` cards), `headings` (question headings and
their answers), `table` (one table). Each is written once to a temporary folder; each round
runs `flashdeck check NOTE` with this tree's code and with the other's, alternating, and
reads the child's peak RSS (getrusage, Linux: kilobytes) and CPU time. Prints per shape and
tree: the median peak RSS, its spread, the median CPU seconds, and check's summary line.

--against DIR: a tree holding the other code (a `flashdeck` package); without it, main's
(`git archive main`) in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 16 * 2**20 - 4096  # just under MAX_NOTE_BYTES

SHAPES = {
    "sep": lambda i: f"q{i}::a{i}\n",
    "cloze_sep": lambda i: f"w{i} =={i}== x\n\n",
    "cloze_para": lambda i: f"w{i} =={i}== x\n",
    "list": lambda i: f"- item {i} q{i}::a{i}\n",
    "multi": lambda i: f"front {i}\n?\nback {i}\n\n",
    "headings": lambda i: f"## Why {i}?\nanswer {i}\n",
    "table": lambda i: f"| a{i} | b{i} |\n" if i else "| a | b |\n|---|---|\n",
}


def _write(folder: Path, shape: str) -> Path:
    make = SHAPES[shape]
    parts, size, i = ["#flashcards\n"], len("#flashcards\n"), 0
    while size < LIMIT:  # bounded: every part is at least one character
        part = make(i)
        if size + len(part) > LIMIT:
            break
        parts.append(part)
        size += len(part)
        i += 1
    path = folder / f"{shape}.md"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _run(tree: Path, note: Path, env: dict[str, str]) -> tuple[int, float, str]:
    # ru_maxrss of a process's children is the largest of them all so far: each run goes
    # through a fresh Python that reports its one child's peak
    script = ("import resource, subprocess, sys;"
              "p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
              "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
              "print(u.ru_maxrss, u.ru_utime + u.ru_stime);"
              "print((p.stdout.strip().splitlines() or [''])[-1])")
    out = subprocess.run(
        [sys.executable, "-c", script, sys.executable, "-m", "flashdeck", "check", str(note)],
        cwd=tree, env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True,
        check=True).stdout.splitlines()
    rss, cpu = out[0].split()
    return int(rss), float(cpu), out[1] if len(out) > 1 else ""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", type=Path)
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="note_memory_") as tmp:
        folder = Path(tmp)
        other = args.against
        if other is None:
            other = folder / "main"
            other.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", "main"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        env = {**os.environ, "XDG_DATA_HOME": str(folder / "data"),
               "FLASHDECK_CONFIG": str(folder / "config.toml")}
        trees = {"other": other.resolve(), "this": ROOT}
        for shape in args.shapes.split(","):
            note = _write(folder, shape)
            runs: dict[str, list[tuple[int, float, str]]] = {name: [] for name in trees}
            for _ in range(args.rounds):
                for name, tree in trees.items():
                    runs[name].append(_run(tree, note, env))
            for name, got in runs.items():
                rss = [r for r, _, _ in got]
                cpu = [c for _, c, _ in got]
                print(f"{shape:10} {name:5} peak {statistics.median(rss) / 1024:7.0f} MB"
                      f" (spread {(max(rss) - min(rss)) / 1024:.0f}) cpu"
                      f" {statistics.median(cpu):6.2f} s  {got[-1][2]}", flush=True)
            note.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
