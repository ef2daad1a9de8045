"""`doctor`, `doctor --fix`, `due` and `list --due` at 100k cards and a million reviews
(issue 23).

    python benchmarks/doctor_bench.py [--cards N] [--reviews N] [--db PATH] [--build-only]

Builds (once, kept at --db) a collection that `doctor` finds clean: N cards through the
importer's identity code, and a review log made by the engine's own pure FSRS step
(scheduling/step.py `review`, as scheduling/engine.py's `answer` calls it, with the same
state_before / state_after JSON), written with bulk SQL inserts (the engine's per-answer
transaction would take hours; the build is not what is measured). The replay of the build is
spread over the cores (multiprocessing).

Then runs the CLI as a user does (`/usr/bin/time -v flashdeck --collection X ...`), each
against its target:
  - `doctor`, first run on the collection (no checkpoint yet: every review replayed),
  - `doctor` again (from the verified checkpoints the first run kept): target <= 10 s,
  - `doctor --fix` on a copy with a few broken cards: target, the write lock never held
    longer than one batch (measured: the longest wait of a concurrent writer, which
    tries a tiny write every 50 ms while the fix runs),
  - `due` and `list --due`: target <= 0.3 s,
and the peak RSS of each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

NOW = 1_795_000_000  # 2026-11-18 ~ 09:46 UTC: FLASHDECK_NOW below
NOW_ISO = "2026-11-18T09:46:40+00:00"
DAY = 86400
SPAN = 3 * 365 * DAY  # the log covers three years
FLASHDECK = str(ROOT / ".venv" / "bin" / "flashdeck")


def _bench_env() -> dict[str, str]:
    return {**os.environ, "TZ": "UTC", "FLASHDECK_NOW": NOW_ISO,
            "FLASHDECK_CONFIG": "/nonexistent/config.toml"}


def card_history(card_id: int, count: int) -> tuple[list[tuple], dict]:
    """`count` answers of one card, as the engine logs them: (card_id, reviewed_at, rating,
    duration_ms, state_before JSON, state_after JSON), and the card's final columns."""
    from datetime import datetime, timezone

    from flashdeck import clock
    from flashdeck.scheduling import step
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.state import CardState

    config = Config()
    tz = clock.local_tz()
    rnd = random.Random(card_id)
    at = NOW - SPAN + rnd.randrange(0, SPAN // 3)
    state = CardState()
    rows = []
    for k in range(count):
        left = count - k
        rating = rnd.choices((1, 2, 3, 4), weights=(12, 8, 70, 10))[0]
        moment = datetime.fromtimestamp(at, timezone.utc)
        before = state.to_dict()
        state = step.review(card_id, state, rating, moment, config, tz)
        after = state.to_dict()
        rows.append((card_id, at, rating, 3000 + rnd.randrange(9000), json.dumps(before),
                     json.dumps({**after, "rules": step.RULES,
                                 "zone": step.zone_key(tz, moment)})))
        # the next answer: when it is due (a little late), but the card's answers all before
        # NOW (answered early when its interval would reach past it)
        room = (NOW - 3600 - at) // max(1, left)
        wait = max(60, state.due - at) + rnd.randrange(0, 3 * 3600)
        at += max(60, min(wait, room))
    final = state.to_dict()
    return rows, final


def _histories(job: tuple[int, int, int]) -> tuple[list[tuple], list[tuple]]:
    first, last, per_card = job
    os.environ["TZ"] = "UTC"
    from flashdeck.scheduling.state import SCHEDULING_COLUMNS

    rows, finals = [], []
    for card_id in range(first, last + 1):
        logged, final = card_history(card_id, per_card)
        rows.extend(logged)
        finals.append((*[final[c] for c in SCHEDULING_COLUMNS], card_id))
    return rows, finals


def build(path: Path, cards: int, reviews: int) -> None:
    from multiprocessing import get_context

    from run import build_big_collection

    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.state import SCHEDULING_COLUMNS

    os.environ["TZ"] = "UTC"
    partial = path.with_name(path.name + ".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    build_big_collection(partial, cards)
    with Collection.open(partial) as col:
        ids = [r[0] for r in col.conn.execute("SELECT id FROM cards ORDER BY id")]
        assert ids == list(range(ids[0], ids[0] + len(ids))), "card ids are not contiguous"
        reviewed = min(len(ids), max(1, reviews // 10))  # ten answers a card, as in the issue
        per_card = max(1, reviews // reviewed)
        chunk = 500
        jobs = [(ids[0] + i, ids[0] + min(i + chunk, reviewed) - 1, per_card)
                for i in range(0, reviewed, chunk)]
        update = (f"UPDATE cards SET {', '.join(c + ' = ?' for c in SCHEDULING_COLUMNS)}"
                  " WHERE id = ?")
        done = 0
        with get_context("fork").Pool(os.cpu_count() or 1) as pool:
            for rows, finals in pool.imap(_histories, jobs):  # in order: ids grow per card
                with col.transaction() as conn:
                    conn.executemany(
                        "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms,"
                        " state_before, state_after) VALUES (?, ?, ?, ?, ?, ?)", rows)
                    conn.executemany(update, finals)
                done += len(rows)
                print(f"\r  {done:,} reviews", end="", flush=True)
        print()
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)


# -- measuring -----------------------------------------------------------------------------
def timed(args: list[str], env: dict | None = None) -> tuple[float, int, int, str]:
    """Wall seconds, peak RSS (kB), exit code and stdout of the CLI run as a user runs it."""
    cmd = ["/usr/bin/time", "-v", FLASHDECK, *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env or _bench_env())
    wall = time.perf_counter() - start
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return wall, int(match.group(1)) if match else -1, proc.returncode, proc.stdout


def report(name: str, wall: float, rss: int, code: int, target: float | None) -> None:
    aim = f"target <= {target:g} s: {'PASS' if wall <= target else 'FAIL'}" if target \
        else "no target"
    print(f"{name:<44} {wall:8.2f} s  {rss / 1024:7.0f} MB  exit {code}   {aim}", flush=True)


def break_cards(path: Path, count: int) -> list[int]:
    """`count` cards whose stored state no longer agrees with their (consistent) log: what
    `--fix` repairs."""
    conn = sqlite3.connect(path)
    try:
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM cards WHERE reps > 0 ORDER BY id LIMIT ?", (count * 997,))][::997]
        with conn:
            conn.executemany("UPDATE cards SET stability = stability * 2 WHERE id = ?",
                             [(i,) for i in ids])
    finally:
        conn.close()
    return ids


def spread_due_dates(path: Path) -> None:
    """The build's answers all come before NOW, so most cards are overdue; a user's are
    spread over the coming weeks. For `due` and `list --due` (not for the doctor: the
    states no longer agree with the log), cards are made due over the next two months
    (learning steps within three weeks), about one in fifteen today."""
    rnd = random.Random(5)
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT id, state FROM cards WHERE state != 'new'").fetchall()
        with conn:
            conn.executemany("UPDATE cards SET due = ? WHERE id = ?", [
                (NOW - NOW % DAY + 4 * 3600 + rnd.randrange(-2, 60) * DAY if state == "review"
                 else NOW + rnd.randrange(-3600, 20 * DAY), card_id)
                for card_id, state in rows])
    finally:
        conn.close()


class LockProbe(threading.Thread):
    """A concurrent writer: a tiny write transaction every 50 ms; the longest it waited for
    the write lock is how long someone else held it."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path = path
        self.longest = 0.0
        self.writes = 0
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_probe (n INTEGER)")
        while not self.stop.is_set():
            start = time.perf_counter()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO bench_probe VALUES (1)")
                conn.execute("COMMIT")
                self.writes += 1
            except sqlite3.OperationalError as exc:
                self.failures.append(str(exc))
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            self.longest = max(self.longest, time.perf_counter() - start)
            time.sleep(0.05)
        conn.execute("DROP TABLE IF EXISTS bench_probe")
        conn.close()


def fix_under_writer(work: Path, count: int):
    """Break `count` cards, then run `doctor --fix` while a LockProbe writes: the broken
    ids, the probe (its longest wait, its failures) and the fix's timed() result."""
    broken = break_cards(work, count)
    probe = LockProbe(work)
    probe.start()
    time.sleep(0.2)
    try:
        result = timed(["--collection", str(work), "doctor", "--fix"])
    finally:
        probe.stop.set()
        probe.join()
    return broken, probe, result


def remove(path: Path, keep: bool = False) -> None:
    """A bench collection's files: its WAL, shared memory and doctor's backups (`keep`: the
    collection itself stays)."""
    for suffix in ("-wal", "-shm") if keep else ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    for backup in path.parent.glob(path.name + ".doctor-*.bak"):
        backup.unlink()


def checked_copy(db: Path) -> Path:
    """The build with the checkpoints of a first `doctor` run, made once and kept beside it
    (`<db>.checked`): a later run is what a user who runs doctor now and then gets."""
    checked = db.with_name(db.name + ".checked")
    if not checked.exists():
        partial = db.with_name(db.name + ".checking")
        shutil.copyfile(db, partial)
        print("  a first `doctor` run, to keep its checkpoints (once)", flush=True)
        wall, _rss, code, out = timed(["--collection", str(partial), "doctor"])
        print(f"  first run: {wall:.0f} s, exit {code}", flush=True)
        if code != 0:
            raise SystemExit(f"the build is not clean: {out[-2000:]}")
        remove(partial, keep=True)
        partial.rename(checked)
    return checked


def run_all(table, reviews: int, db: Path | None = None) -> None:
    """benchmarks/run.py's rows: a review history of `reviews` answers over `reviews // 10`
    cards, built once and kept at `db` (the build is not measured); each command is run as a
    user runs it, against its budget, and its peak memory against the same command's on a
    history a hundred times smaller (memory flat in cards and reviews)."""
    os.environ["TZ"] = "UTC"
    cards = max(100, reviews // 10)

    def kept(n_reviews: int, n_cards: int) -> Path:
        path = db if db is not None and n_reviews == reviews else Path(
            f"/tmp/flashdeck-doctor-bench-{n_cards}c-{n_reviews}r.sqlite")
        if not path.exists():
            print(f"  building {n_cards:,} cards, {n_reviews:,} reviews at {path} (once)",
                  flush=True)
            started = time.perf_counter()
            build(path, n_cards, n_reviews)
            print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        return path

    print(f"history: {cards:,} cards, {reviews:,} reviews", flush=True)
    rss: dict[tuple[str, int], int] = {}
    scale = f"{reviews / 1e6:g}M" if reviews >= 1_000_000 else f"{reviews // 1000}k"
    for n_reviews, n_cards in ((reviews, cards), (reviews // 100, max(100, cards // 100))):
        big = n_reviews == reviews
        work = Path(f"/tmp/flashdeck-history-run-{os.getpid()}.sqlite")
        checked = checked_copy(kept(n_reviews, n_cards))
        shutil.copyfile(checked, work)
        col = ["--collection", str(work)]
        try:
            # a change to the replay's code or settings makes the kept checkpoints stale
            # (doctor then replays every card, as it would for a user after such an
            # upgrade): that run makes them again, and the copy is kept for the next runs
            _wall, _rss, code, out = timed([*col, "doctor", "--json"])
            if code == 0 and json.loads(out)["replay"]["reviews_replayed"]:
                print("  the kept checkpoints were stale: made again", flush=True)
                shutil.copyfile(work, checked)
            runs = [timed([*col, "doctor"]) for _ in range(3 if big else 1)]
            wall, peak, code, out = sorted(runs)[len(runs) // 2]
            if code != 0:
                raise SystemExit(f"doctor found problems in the build: {out[-2000:]}")
            rss["doctor", n_reviews] = peak
            if big:
                table.add(f"doctor (checkpoints kept), {scale} reviews", wall, 10.0, 1.0,
                          baseline_name="10 s budget")
            broken, probe, (wall, peak, code, out) = fix_under_writer(work, 5)
            rss["doctor --fix", n_reviews] = peak
            fixed = sum(1 for line in out.splitlines() if line.startswith("fixed: card"))
            if fixed != len(broken) or probe.failures:
                raise SystemExit(f"doctor --fix fixed {fixed} of {len(broken)};"
                                 f" concurrent writes failed: {probe.failures[:3]}")
            if big:
                print(f"  doctor --fix {wall:.1f} s; a concurrent writer made {probe.writes}"
                      " writes, none failed", flush=True)
                table.add(f"doctor --fix: longest wait of a writer, {scale}", probe.longest,
                          1.0, 1.0, baseline_name="1 s budget")
            spread_due_dates(work)
            for name, argv in (("due", ["due"]), ("list --due", ["list", "--due"]),
                               ("stats", ["stats"])):
                runs = sorted(timed([*col, *argv]) for _ in range(5 if big else 1))
                wall, peak, code, _ = runs[len(runs) // 2]
                if code != 0:
                    raise SystemExit(f"{name} exited {code}")
                rss[name, n_reviews] = peak
                if big:
                    table.add(f"{name}, {scale} reviews", wall, 0.3, 1.0,
                              baseline_name="0.3 s budget")
        finally:
            remove(work)
    small = reviews // 100
    for name in ("doctor", "doctor --fix", "due", "list --due", "stats"):
        table.add(f"{name} peak RSS, {scale} vs {small:,} reviews", rss[name, reviews] / 1024,
                  rss[name, small] / 1024, 1.5, unit="MB",
                  baseline_name=f"{small:,} reviews")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/flashdeck-doctor-bench.sqlite"))
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--broken", type=int, default=5, help="cards broken for --fix")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"
    if not args.db.exists():
        print(f"building {args.cards:,} cards, {args.reviews:,} reviews at {args.db}",
              flush=True)
        started = time.perf_counter()
        build(args.db, args.cards, args.reviews)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    if args.build_only:
        return
    work = args.db.with_name(args.db.name + ".run")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(args.db, work)  # the kept build stays without checkpoints
    col = ["--collection", str(work)]
    print(f"{'command':<44} {'wall':>10}  {'peak RSS':>10}")
    wall, rss, code, out = timed([*col, "doctor"])
    report("doctor (first run: no checkpoint yet)", wall, rss, code, None)
    if code != 0:
        print(out[-2000:])
    wall, rss, code, out = timed([*col, "doctor"])
    report("doctor (again: from verified checkpoints)", wall, rss, code, 10)
    if code != 0:
        print(out[-2000:])
    broken, probe, (wall, rss, code, out) = fix_under_writer(work, args.broken)
    report(f"doctor --fix ({len(broken)} broken cards)", wall, rss, code, None)
    fixed = sum(1 for line in out.splitlines() if line.startswith("fixed: card"))
    print(f"  fixed {fixed} of {len(broken)}; a concurrent writer made {probe.writes} writes,"
          f" waited at most {probe.longest * 1000:.0f} ms for the lock,"
          f" {len(probe.failures)} failed ({'PASS' if not probe.failures else 'FAIL'})")
    wall, rss, code, _ = timed([*col, "doctor"])
    report("doctor (after the fix)", wall, rss, code, 10)
    spread_due_dates(work)
    for name, argv in (("due", ["due"]), ("list --due", ["list", "--due"])):
        runs = sorted(timed([*col, *argv]) for _ in range(5))
        wall, rss, code, _ = runs[2]
        report(f"{name} (median of 5)", wall, rss, code, 0.3)
    remove(work)


if __name__ == "__main__":
    main()
