"""`flashdeck log` over a big review history (issue 18): the first lines of
`log --limit 0 --json | head` come at once, and memory stays flat however long the log.

    python benchmarks/log_bench.py [--reviews N]     (default 1,000,000)

Builds a collection of N reviews (SQL inserts of realistic rows: the build is not what is
measured), then measures, each against `log --limit 1` in the same run:
  - the wall time of `log --limit 0 --json | head -5`,
  - the peak RSS of `log --limit 0 --json > /dev/null` (every row written),
and reports the full run's time for information.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

NOW = 1_795_000_000  # 2026-11-18, the log's last review


def build(path: Path, reviews: int, cards: int = 1000) -> None:
    """`cards` cards (through the importer's identity code) and `reviews` reviews of them."""
    from run import build_big_collection

    from flashdeck.collection.store import Collection

    build_big_collection(path, cards)
    before = json.dumps({"state": "review", "due": NOW, "stability": 12.5, "difficulty": 5.1,
                         "step": None, "reps": 7, "lapses": 1, "last_review": NOW - 86400})
    after = json.dumps({"state": "review", "due": NOW + 9 * 86400, "stability": 19.25,
                        "difficulty": 5.05, "step": None, "reps": 8, "lapses": 1,
                        "last_review": NOW})
    with Collection.open(path) as col:
        ids = [row[0] for row in col.conn.execute("SELECT id FROM cards ORDER BY id")]
        start = NOW - reviews * 30
        with col.transaction() as conn:
            conn.executemany(
                "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms, state_before,"
                " state_after) VALUES (?, ?, ?, ?, ?, ?)",
                ((ids[i % len(ids)], start + 30 * i, 1 + i % 4, 4000 + i % 7000, before, after)
                 for i in range(reviews)))


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT), FLASHDECK_CONFIG="/nonexistent/config.toml", TZ="UTC")
    return env


def head_time(col: Path, limit: int) -> float:
    """Seconds for `flashdeck log --limit LIMIT --json | head -5`."""
    start = time.perf_counter()
    subprocess.run(f"{sys.executable} -m flashdeck --collection {col} log --limit {limit}"
                   " --json | head -5", shell=True, check=True, stdout=subprocess.DEVNULL,
                   env=_env())
    return time.perf_counter() - start


def _peak_kb(pid: int) -> int | None:
    """VmHWM (the peak resident set) of a running process, from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def full_run(col: Path, limit: int) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `flashdeck log --limit LIMIT --json > /dev/null`.

    The peak is the child's own VmHWM, sampled until it exits (getrusage's ru_maxrss would
    count the forking parent's memory too)."""
    start = time.perf_counter()
    peak = 0
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen([sys.executable, "-m", "flashdeck", "--collection", str(col),
                                 "log", "--limit", str(limit), "--json"], stdout=devnull,
                                env=_env())
        while proc.poll() is None:
            peak = max(peak, _peak_kb(proc.pid) or 0)
            time.sleep(0.005)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"log exited {proc.returncode}")
    return elapsed, peak / 1024


def measure(work: Path, reviews: int, runs: int = 5) -> dict:
    col = work / f"log{reviews}.sqlite"
    started = time.perf_counter()
    build(col, reviews)
    built = time.perf_counter() - started
    heads, one_heads = [], []
    for _ in range(runs):  # interleaved: a busy moment hits the figure and its baseline alike
        heads.append(head_time(col, 0))
        one_heads.append(head_time(col, 1))
    full_time, full_rss = full_run(col, 0)
    one_time, one_rss = full_run(col, 1)
    return {"reviews": reviews, "build_s": built,
            "head_s": statistics.median(heads), "head_one_s": statistics.median(one_heads),
            "full_s": full_time, "full_rss_mb": full_rss,
            "one_s": one_time, "one_rss_mb": one_rss}


def run_all(table, work: Path, reviews: int) -> None:
    """The rows of benchmarks/run.py's table."""
    print(f"log: {reviews:,} reviews", flush=True)
    r = measure(work, reviews)
    print(f"  built in {r['build_s']:.1f} s; full `log --limit 0 --json` {r['full_s']:.1f} s,"
          f" peak RSS {r['full_rss_mb']:.0f} MB (one review: {r['one_rss_mb']:.0f} MB)",
          flush=True)
    n = f"{reviews // 1000}k" if reviews < 1_000_000 else f"{reviews / 1e6:g}M"
    table.add(f"log --limit 0 --json | head, {n} reviews", r["head_s"], r["head_one_s"], 1.5,
              baseline_name="log --limit 1 --json | head")
    table.add(f"log --limit 0 --json peak RSS, {n} reviews", r["full_rss_mb"], r["one_rss_mb"],
              1.3, unit="MB", baseline_name="log --limit 1 --json")
    table.add(f"log --limit 0 --json > /dev/null, {n} reviews", r["full_s"], r["one_s"], None,
              baseline_name="log --limit 1 --json")


def main() -> int:
    import argparse
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flashdeck-logbench-"))
    try:
        print(json.dumps(measure(work, args.reviews), indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
