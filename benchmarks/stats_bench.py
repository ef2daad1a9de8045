"""The stats view's figures at 100k cards and a million reviews (issue 20): opening the
view must cost under 150 ms.

    python benchmarks/stats_bench.py [--cards N] [--reviews N] [--db PATH]

Builds (once, kept at --db) a collection of N cards in review state with due dates spread
over the next two months and N reviews spread over three years (SQL inserts of realistic
log rows: the build is not what is measured), then measures, median of 5:
  - `figures, the first time`: with nothing kept yet (a year of the log counted, kept),
  - `figures`: every figure of the stats view for all decks (scheduling/stats.py),
  - `figures --deck`: the same for one deck of twenty,
  - `open`: pushing the stats view in a headless app until its first frame (the figures
    come from a worker after that),
  - `ready`: until the figures are drawn,
  - `flashdeck stats` as a user runs it (target 0.3 s, issue 23).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

NOW = 1_795_000_000  # 2026-11-18
DAY = 86400


def build(path: Path, cards: int, reviews: int) -> None:
    from run import build_big_collection

    from flashdeck.collection.store import Collection

    build_big_collection(path, cards)
    rnd = random.Random(7)
    with Collection.open(path) as col:
        ids = [row[0] for row in col.conn.execute("SELECT id FROM cards ORDER BY id")]
        with col.transaction() as conn:
            conn.executemany(
                "UPDATE cards SET state = 'review', due = ?, stability = ?, difficulty = ?,"
                " last_review = ?, reps = 5 WHERE id = ?",
                ((NOW + rnd.randrange(-3, 60) * DAY, rnd.uniform(1, 200), rnd.uniform(1, 10),
                  NOW - rnd.randrange(1, 60) * DAY, cid) for cid in ids))
        start = NOW - 3 * 365 * DAY
        step = (NOW - start) // reviews

        def rows():
            for i in range(reviews):
                at = start + step * i
                stability = rnd.uniform(0.5, 120)
                last = at - rnd.randrange(1, 90) * DAY
                state = "review" if i % 5 else "learning"
                before = json.dumps({
                    "state": state, "due": last + int(stability) * DAY, "step": None,
                    "stability": stability, "difficulty": 5.0, "last_review": last,
                    "reps": 7, "lapses": 1, "suspended": 0, "buried_until": None,
                    "leech": 0, "version": 7})
                after = json.dumps({
                    "state": "review", "due": at + 9 * DAY, "step": None,
                    "stability": stability * 1.5, "difficulty": 5.0, "last_review": at,
                    "reps": 8, "lapses": 1, "suspended": 0, "buried_until": None,
                    "leech": 0, "version": 8, "rules": 2, "zone": "UTC"})
                yield (ids[i % len(ids)], at, 1 if rnd.random() < 0.12 else 3,
                       4000 + i % 7000, before, after)

        with col.transaction() as conn:
            conn.executemany(
                "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms, state_before,"
                " state_after) VALUES (?, ?, ?, ?, ?, ?)", rows())


def median(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_open(path: Path, key: str = "t", screen_class=None) -> tuple[float, float]:
    """Seconds from pressing `key` (t) on the deck list to the stats view's first frame, and
    to its figures drawn (median of 5). With `screen_class` (the help screen, as the
    baseline): to that screen's first frame."""
    import asyncio

    from flashdeck.tui.app import build_app
    from flashdeck.tui.screens.home import HomeScreen
    from flashdeck.tui.screens.stats import StatsScreen

    target = screen_class or StatsScreen

    async def once() -> tuple[float, float]:
        app = build_app(path, rescan=False, bundled=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            if not isinstance(app.screen, HomeScreen):
                await pilot.press("escape")
                await app.workers.wait_for_complete()
                await pilot.pause()
            # the first frame: StatsScreen's on_mount, then the refresh after it (not
            # pilot.pause(), which waits for the worker's CPU to go idle)
            stamps: dict[str, float] = {}
            mount = target.on_mount

            def on_mount(screen) -> None:
                mount(screen)
                screen.call_after_refresh(lambda: stamps.setdefault("open", time.perf_counter()))

            target.on_mount = on_mount
            try:
                start = time.perf_counter()
                await pilot.press(key)
                while "open" not in stamps:
                    await asyncio.sleep(0.001)
                while target is StatsScreen and (not isinstance(app.screen, StatsScreen)
                                                 or app.screen.stats is None):
                    await asyncio.sleep(0.005)
                ready = time.perf_counter() - start
            finally:
                target.on_mount = mount
        return stamps["open"] - start, ready

    runs = [asyncio.run(once()) for _ in range(5)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/flashdeck-stats-bench.sqlite"))
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    import os

    os.environ["TZ"] = "UTC"
    os.environ["FLASHDECK_NOW"] = "2026-11-18T09:00:00+00:00"
    os.environ["FLASHDECK_CONFIG"] = "/nonexistent/config.toml"
    if not args.db.exists():
        print(f"building {args.cards} cards, {args.reviews} reviews at {args.db}", flush=True)
        started = time.perf_counter()
        build(args.db, args.cards, args.reviews)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    if args.build_only:
        return
    from flashdeck.clock import now
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.stats import compute_stats

    moment = now()
    with Collection.open(args.db, create=False) as col:
        def forget_kept() -> None:
            with col.transaction() as conn:
                conn.execute("DELETE FROM stats_days")
                conn.execute("DELETE FROM meta WHERE key LIKE 'stats_days_%'")

        forget_kept()
        started = time.perf_counter()
        compute_stats(col, Config(), moment)
        first = time.perf_counter() - started
        whole = median(lambda: compute_stats(col, Config(), moment))
        one = median(lambda: compute_stats(col, Config(), moment, deck="flashcards/d3"))
    print(f"figures, the first time (a year of the log counted and kept): {first * 1000:7.1f} ms")
    print(f"figures, all decks:  {whole * 1000:7.1f} ms")
    print(f"figures, one deck:   {one * 1000:7.1f} ms")
    cli = median(lambda: subprocess.run(
        [sys.executable, "-m", "flashdeck", "--collection", str(args.db), "stats"],
        stdout=subprocess.DEVNULL, check=True, cwd=ROOT))
    bare = median(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    print(f"`flashdeck stats`: {cli * 1000:7.1f} ms   target <= 300 ms"
          f"   (a bare `python -c pass`: {bare * 1000:.1f} ms)")
    from flashdeck.tui.screens.help import HelpScreen

    opened, ready = measure_open(args.db)
    help_opened, _ = measure_open(args.db, "question_mark", HelpScreen)
    print(f"view open (first frame): {opened * 1000:7.1f} ms   target < 150 ms")
    print(f"baseline: the help screen's first frame: {help_opened * 1000:7.1f} ms")
    print(f"view ready (figures drawn): {ready * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
