"""Helpers for the reliability, concurrency and doctor tests: real `flashdeck` subprocesses,
generated vaults in the user's note style, and reading a collection's cards back.

(Named test_* so it sits with the tests it serves; it defines no tests itself.)
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-24T09:00:00+00:00"


def env(collection: Path, **extra: str) -> dict[str, str]:
    """The environment of a flashdeck subprocess: this checkout, a fixed clock, no user files."""
    result = dict(os.environ)
    # no empty entry when there was none: it stands for the working folder, which Python
    # makes absolute at start-up (a deleted working folder then stopped Python itself)
    result["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), result.get("PYTHONPATH"))))
    result["FLASHDECK_COLLECTION"] = str(collection)
    result["FLASHDECK_CONFIG"] = str(collection.parent / "no-config.toml")
    result.pop("FLASHDECK_DEBUG", None)
    result.setdefault("FLASHDECK_NOW", NOW)
    result.update(extra)
    return result


def flashdeck(collection: Path, *args: str, timeout: float = 60, **extra: str):
    """Run `python -m flashdeck ARGS` to completion."""
    return subprocess.run([sys.executable, "-m", "flashdeck", *map(str, args)],
                          env=env(collection, **extra), capture_output=True, text=True,
                          timeout=timeout, cwd=str(collection.parent))


def spawn(collection: Path, argv: list[str], **extra: str) -> subprocess.Popen:
    """Start a process in its own process group (so a kill takes its workers too)."""
    return subprocess.Popen(argv, env=env(collection, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            cwd=str(collection.parent))


def kill(proc: subprocess.Popen) -> tuple[str, str]:
    """SIGKILL the process and its group (a power cut, as far as the collection can tell)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, err = proc.communicate(timeout=30)
    return out, err


def kill_once_started(proc: subprocess.Popen, delay: float) -> tuple[str, str]:
    """Wait for the first line of output (it is working, however busy the machine), let it
    run `delay` seconds more, then SIGKILL it. Reads through the same buffered stream that
    readline used, so no reported line is lost."""
    first = proc.stdout.readline()
    time.sleep(delay)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out = first + proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(timeout=30)
    return out, err


def wait(proc: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(proc)
        raise


# An answer loop in a real process, as a reviewer at a terminal: pick a card, answer it with
# the version it was shown at, print the committed review, repeat. `undo` every so often.
ANSWER_LOOP = r"""
import os, random, sys
from datetime import datetime, timedelta, timezone
from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine

path, first, last, count, seed, undo_every = sys.argv[1:7]
first, last, count, seed, undo_every = int(first), int(last), int(count), int(seed), int(undo_every)
rng = random.Random(seed)
moment = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc) + timedelta(days=seed % 7)

def clock():
    return moment

with Collection.open(path) as col:
    engine = Engine(col, Config(), now=clock)
    done = tries = 0
    while done < count and tries < count * 50:
        tries += 1
        moment += timedelta(seconds=rng.randint(30, 4 * 86400))
        card_id = rng.randint(first, last)
        row = col.conn.execute("SELECT version, orphaned, suspended FROM cards WHERE id = ?",
                               (card_id,)).fetchone()
        if row is None or row["orphaned"] or row["suspended"]:
            continue
        rating = rng.choice((1, 2, 3, 3, 3, 4))
        try:
            answered = engine.answer(card_id, rating, expected_version=row["version"])
        except UsageError as exc:
            print(f"refused {card_id} {exc}", flush=True)
            continue
        print(f"done {answered.review_id} {card_id} {row['version']} {rating}", flush=True)
        done += 1
        if undo_every and done % undo_every == 0:
            undone = engine.undo()
            if undone.done:
                print(f"undo {undone.card_id} {undone.rating}", flush=True)
print("finished", flush=True)
"""


def answer_loop(collection: Path, first: int, last: int, count: int, seed: int,
                undo_every: int = 0) -> subprocess.Popen:
    return spawn(collection, [sys.executable, "-c", ANSWER_LOOP, str(collection), str(first),
                              str(last), str(count), str(seed), str(undo_every)])


def parse_loop_output(out: str) -> tuple[list[tuple[int, int, int, int]], list[str]]:
    """([(review id, card id, version before, rating)] reported done and not undone since,
    other lines). An `undo` line takes back the loop's answer just before it."""
    done, other = [], []
    for line in out.splitlines():
        if line.startswith("done "):
            done.append(tuple(int(x) for x in line.split()[1:]))
        elif line.startswith("undo "):
            card_id = int(line.split()[1])
            assert done and done[-1][1] == card_id, f"undo of an answer not just made: {line}"
            done.pop()
        else:
            other.append(line)
    return done, other


# -- vaults in the user's note style ------------------------------------------------------
def note_text(i: int, variant: int = 0) -> str:
    """A note like the user's: frontmatter, display math, a callout, a question heading,
    a worked numeric example and a couple of explicit cards."""
    tp, fp, fn = 10 + i, 3 + i % 7, 2 + i % 5
    extra = f"\nAn added line of prose, version {variant}.\n" if variant else ""
    return f"""---
tags: [flashcards/ml/topic{i % 5}]
aliases: [Concept {i} score, C{i}]
summary: the measure number {i}, a ratio of overlap to total size
source: lecture {i}
---

# Concept {i}
{extra}
$$C_{{{i}}} = \\frac{{2\\,TP}}{{2\\,TP + FP + FN}}$$

> [!NOTE]
> Concept {i} treats false positives and false negatives alike.

## Why does concept {i} ignore true negatives?
Because background pixels would swamp the score: with {tp * 100} pixels of background
every prediction would look perfect.

### Worked example
TP = {tp}, FP = {fp}, FN = {fn}: $\\frac{{2 \\cdot {tp}}}{{2 \\cdot {tp} + {fp} + {fn}}}$.

What is the range of concept {i}?::from 0 to 1
Concept {i} of a perfect prediction:::1
"""


def make_vault(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        sub = folder / f"area{i % 4}"
        sub.mkdir(exist_ok=True)
        (sub / f"Concept {i}.md").write_text(note_text(i), encoding="utf-8")
    return folder


# -- reading a collection back (only while no connection of this process has it open) -----
def live_cards(collection: Path) -> list[tuple]:
    """Live cards as (note relpath, kind, front, back), sorted: what a user can review."""
    conn = sqlite3.connect(collection)
    try:
        return sorted(conn.execute(
            "SELECT n.relpath, c.kind, c.front, c.back FROM cards c JOIN notes n"
            " ON n.id = c.note_id WHERE c.orphaned = 0"))
    finally:
        conn.close()


def card_ids(collection: Path) -> dict[tuple, int]:
    conn = sqlite3.connect(collection)
    try:
        return {(rel, kind, front): cid for cid, rel, kind, front in conn.execute(
            "SELECT c.id, n.relpath, c.kind, c.front FROM cards c JOIN notes n"
            " ON n.id = c.note_id WHERE c.orphaned = 0")}
    finally:
        conn.close()


def query(collection: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(collection)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def integrity(collection: Path) -> str:
    return query(collection, "PRAGMA integrity_check")[0][0]


def doctor_json(collection: Path, *args: str) -> tuple[int, dict, str]:
    import json

    result = flashdeck(collection, "doctor", "--json", *args)
    return result.returncode, json.loads(result.stdout) if result.stdout else {}, result.stderr


def settle(seconds: float) -> None:
    time.sleep(seconds)
