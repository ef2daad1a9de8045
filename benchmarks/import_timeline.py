"""Where a cold import's wall time goes: a per-phase timeline, and whose CPU it is.

    python benchmarks/import_timeline.py [--notes N] [--vault DIR]

Imports a generated vault (benchmarks/vault.py; or DIR) into a new collection in this
process, as `flashdeck import` does, and prints:
  - the phases on the wall clock: start (sources listed, collection read), parsing and
    writing side by side, the tail after the last note is parsed, closing;
  - the importer's main thread: writing (each batch, its write lock held) against waiting
    for parsed notes; the thread that feeds the workers and reads their results; each
    worker's CPU, and how much of it is `parse_one` (reading, hashing, parsing a note);
  - the machine's busy share over the parse (from /proc/stat, where there is one): how far
    the import is from using every core;
  - markdown-it-py alone on the same files (what benchmarks/run.py compares with): one
    process on one core, and its CPU time.
The figure that sets the cold-import ratio on a machine whose cores the import keeps busy
is its total CPU over the number of cores, against markdown-it's CPU: both are printed.

It measures by wrapping the importer's internals (collection/importer.py, parsing.py) for
the one run: a tool for finding the costs, not a benchmark of record (benchmarks/run.py is).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from vault import generate  # noqa: E402


def _busy_jiffies() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine since boot; None without /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def timeline(vault: Path, collection: Path) -> dict[str, float]:
    from flashdeck.collection import importer, parsing
    from flashdeck.collection.store import Collection

    figures: dict[str, float] = {}
    marks: dict[str, float] = {}
    lock = threading.Lock()

    def add(name: str, value: float) -> None:
        with lock:
            figures[name] = figures.get(name, 0.0) + value

    # the main thread: writing batches, and waiting for the workers' results
    flush = importer._Batches.flush

    def timed_flush(self) -> None:
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            flush(self)
        finally:
            add("main: writing, wall", time.perf_counter() - start)
            add("main: writing, cpu", time.thread_time() - cpu)

    importer._Batches.flush = timed_flush
    parse_many = parsing.parse_many

    def timed_parse_many(jobs, on_done=None):
        marks.setdefault("parse begins", time.perf_counter())
        results = iter(parse_many(jobs, on_done))
        while True:
            start = time.perf_counter()
            try:
                parsed = next(results)
            except StopIteration:
                add("main: waiting for parsed notes", time.perf_counter() - start)
                marks["last note parsed"] = time.perf_counter()
                return
            add("main: waiting for parsed notes", time.perf_counter() - start)
            yield parsed

    importer.parse_many = timed_parse_many
    # the feeding thread (hands jobs out, reads results): its CPU
    feed = parsing._Pool._feed

    def timed_feed(self) -> None:
        cpu = time.thread_time()
        try:
            feed(self)
        finally:
            add("feeder thread: cpu", time.thread_time() - cpu)

    parsing._Pool._feed = timed_feed
    # each worker: its CPU, and the part of it in parse_one; told back through a pipe
    # (a worker ends with os._exit: nothing it keeps outlives it)
    reader, writer = os.pipe()
    parse_one, worker_main = parsing.parse_one, parsing._worker_main

    def counted_parse_one(job, seconds=None):
        cpu = time.process_time()
        try:
            return parse_one(job, seconds)
        finally:
            _spent[0] += time.process_time() - cpu
            _spent[1] += 1

    _spent = [0.0, 0]

    def timed_worker_main(*args) -> None:
        os.close(reader)
        try:
            worker_main(*args)
        finally:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            os.write(writer, f"{usage.ru_utime + usage.ru_stime} {_spent[0]} {_spent[1]}\n"
                     .encode())

    parsing.parse_one = counted_parse_one
    parsing._worker_main = timed_worker_main

    begin = time.perf_counter()
    cpu_begin = resource.getrusage(resource.RUSAGE_SELF)
    machine_begin = _busy_jiffies()
    col = Collection.open(collection)
    report = importer.import_paths(col, [str(vault)])
    machine_parsed = _busy_jiffies()
    closing = time.perf_counter()
    col.close()
    end = time.perf_counter()
    os.close(writer)
    with os.fdopen(reader) as f:
        workers = [tuple(float(v) for v in line.split()) for line in f if line.strip()]
    cpu_end = resource.getrusage(resource.RUSAGE_SELF)

    parsed_at = marks.get("last note parsed", closing)
    figures["wall: start (sources listed, collection read)"] = \
        marks.get("parse begins", closing) - begin
    figures["wall: parsing and writing"] = parsed_at - marks.get("parse begins", closing)
    figures["wall: tail (last batch, orphans, stamps)"] = closing - parsed_at
    figures["wall: close"] = end - closing
    figures["wall: total"] = end - begin
    figures["parent process: cpu"] = (cpu_end.ru_utime + cpu_end.ru_stime
                                      - cpu_begin.ru_utime - cpu_begin.ru_stime)
    for k, (total, parsing_cpu, notes) in enumerate(workers):
        figures[f"worker {k}: cpu"] = total
        figures[f"worker {k}: in parse_one ({int(notes)} notes)"] = parsing_cpu
    figures["parent: cpu outside writing and feeding (start, warm-up, results)"] = \
        figures["parent process: cpu"] - figures.get("main: writing, cpu", 0.0) \
        - figures.get("feeder thread: cpu", 0.0)
    figures["workers: cpu outside parse_one (jobs in, results out)"] = \
        sum(w[0] - w[1] for w in workers)
    figures["all processes: cpu"] = figures["parent process: cpu"] + sum(w[0] for w in workers)
    if machine_begin and machine_parsed:
        busy = machine_parsed[0] - machine_begin[0]
        total = machine_parsed[1] - machine_begin[1]
        figures["machine busy over the import (all processes), share"] = \
            busy / total if total else 0.0
    figures["cards added"] = report.cards_added
    return figures


def markdown_it_alone(vault: Path) -> tuple[float, float]:
    """(wall, cpu) of benchmarks/run.py's baseline, in this process."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    start, cpu = time.perf_counter(), time.process_time()
    for path in sorted(vault.rglob("*.md")):
        md.parse(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--vault", type=Path, help="a vault to import instead of a generated one")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flashdeck-timeline-"))
    try:
        vault = args.vault or generate(work / "vault", args.notes)
        figures = timeline(vault, work / "timeline.sqlite")
        mdit_wall, mdit_cpu = markdown_it_alone(vault)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cores = os.cpu_count() or 1
    for name, value in figures.items():
        shown = f"{value:,.0f}" if name == "cards added" else \
            f"{value:.1%}" if name.endswith("share") else f"{value:.3f} s"
        print(f"{name:<58} {shown:>12}")
    print(f"{'markdown-it-py alone: wall':<58} {mdit_wall:>10.3f} s")
    print(f"{'markdown-it-py alone: cpu (one process, one core)':<58} {mdit_cpu:>10.3f} s")
    if not any(name.startswith("worker") for name in figures):
        print("(parsed in the importer's own thread, one core: fewer notes than"
              " parsing.PARALLEL_MIN_FILES, or one core)")
        cores = 1
    floor = figures["all processes: cpu"] / cores
    print(f"{f'import cpu / {cores} cores (its wall time on idle cores)':<58} {floor:>10.3f} s")
    print(f"{'  ... / markdown-it alone cpu (the ratio it sets)':<58} "
          f"{floor / mdit_cpu:>11.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
