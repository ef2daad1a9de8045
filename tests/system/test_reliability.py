"""Crash safety: `kill -9` real flashdeck processes at random moments, mid-import and
mid-answer, many times. Afterwards the collection opens, SQLite finds it whole, every answer a
process reported as committed is in the log exactly once, and a re-run of the import finishes
the job with the same cards as an uninterrupted run. (PRODUCT.md §2, §3; issue 9.)

FLASHDECK_SOAK=N multiplies the number of kills (default 1: a few per test).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import sqlite3
import time

import pytest

from support.reliability import (answer_loop, card_ids, doctor_json, flashdeck, integrity,
                                      kill, kill_once_started, live_cards, make_vault, note_text,
                                      parse_loop_output, query, spawn, wait)

SOAK = max(1, int(os.environ.get("FLASHDECK_SOAK", "1")))

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX signals")


def copy_collection(source, target) -> None:
    """A consistent copy through SQLite (no Python file handle on a live collection)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def present_notes(collection) -> int:
    return query(collection, "SELECT count(*) FROM notes WHERE present = 1")[0][0]


def wait_for_progress(proc, collection, timeout: float = 60) -> None:
    """Until the import has committed some notes (or ended): a reader, like a reviewer's."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if collection.exists():
            try:
                if query(collection, "SELECT count(*) FROM notes")[0][0] > 0:
                    return
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):  # being created right now: no tables yet
                    raise
        time.sleep(0.01)


def wait_for_notes(proc, collection, target: int, timeout: float = 60) -> None:
    """Until the import has `target` notes present (or ended): the kill then lands mid-import
    however fast or slow this run is next to the reference run (a sleep of a share of the
    reference's time missed the middle on a loaded machine: every kill came before the first
    commit or after the last)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if present_notes(collection) >= target:
                return
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc) and "no such column" not in str(exc):
                raise
        time.sleep(0.005)


def assert_whole(collection) -> None:
    """What a user needs after a crash: it opens, SQLite says ok, the doctor says clean."""
    assert integrity(collection) == "ok"
    code, report, err = doctor_json(collection)
    assert code == 0, (err, report.get("problems"))
    assert report["integrity"] == ["ok"]


def test_killed_imports_finish_on_rerun_with_the_cards_of_an_uninterrupted_run(tmp_path):
    vault = make_vault(tmp_path / "vault", 1200)
    reference = tmp_path / "reference.sqlite"
    done = flashdeck(reference, "import", vault)
    assert done.returncode == 0, done.stderr
    expected = live_cards(reference)

    collection = tmp_path / "killed.sqlite"
    rng = random.Random(9)
    seen_partial = False
    for _ in range(3 * SOAK):
        try:
            already = present_notes(collection) if collection.exists() else 0
        except sqlite3.OperationalError:  # killed before its tables were made
            already = 0
        proc = spawn(collection, [sys.executable, "-m", "flashdeck", "import", str(vault)])
        wait_for_progress(proc, collection)  # so the kill lands mid-import even on a busy machine
        # a random point of what is left, found by reading as a reviewer would
        wait_for_notes(proc, collection, already + 1 + int(rng.uniform(0, 0.5) * (1200 - already)))
        _, err = kill(proc)
        assert "Traceback" not in err
        if not collection.exists():
            continue  # killed before it was created: nothing to check
        assert_whole(collection)
        notes = present_notes(collection)
        seen_partial |= 0 < notes < 1200
        if notes == 1200:
            break
    assert seen_partial, "no kill landed in the middle of an import; the test proved nothing"

    rerun = flashdeck(collection, "import", vault, "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert live_cards(collection) == expected
    # nothing doubled: one row per card, and no orphans (nothing was ever removed)
    assert query(collection, "SELECT count(*) FROM cards")[0][0] == len(expected)
    assert_whole(collection)


def test_a_kill_during_a_move_and_edit_keeps_card_ids(tmp_path):
    """Notes moved to another folder and edited a little; the import that sees it is killed,
    possibly between orphaning the vanished notes' cards and re-homing them."""
    vault = make_vault(tmp_path / "vault", 500)
    base = tmp_path / "base.sqlite"
    assert flashdeck(base, "import", vault).returncode == 0
    before = card_ids(base)
    moved = []
    for i in range(0, 500, 10):
        old = vault / f"area{i % 4}" / f"Concept {i}.md"
        new = vault / "moved" / f"Concept {i} (renamed).md"
        new.parent.mkdir(exist_ok=True)
        text = old.read_text().replace("from 0 to 1", "from 0 to 1 inclusive")
        new.write_text(text)
        old.unlink()
        moved.append((i, new))

    reference = tmp_path / "reference.sqlite"
    copy_collection(base, reference)
    started = time.monotonic()
    assert flashdeck(reference, "import", vault).returncode == 0
    took = time.monotonic() - started
    expected = card_ids(reference)

    rng = random.Random(4)
    for attempt in range(3 * SOAK):
        collection = tmp_path / f"killed{attempt}.sqlite"
        copy_collection(base, collection)
        proc = spawn(collection, [sys.executable, "-m", "flashdeck", "import", str(vault)])
        time.sleep(rng.uniform(0.1, 0.9) * took)
        kill(proc)
        assert integrity(collection) == "ok"
        assert flashdeck(collection, "import", vault).returncode == 0
        # same cards, same ids as the uninterrupted run; the edited card kept its history
        assert card_ids(collection) == expected
        for i, new in moved[:20]:
            rel = f"moved/{new.name}"
            assert card_ids(collection)[(rel, "basic", f"What is the range of concept {i}?")] \
                == before[(f"area{i % 4}/Concept {i}.md", "basic",
                           f"What is the range of concept {i}?")]


def test_killed_answer_loops_lose_nothing_and_apply_nothing_twice(tmp_path):
    # enough cards that a long soak does not make them all leeches (suspended)
    vault = make_vault(tmp_path / "vault", 60 * SOAK + 140)
    collection = tmp_path / "c.sqlite"
    assert flashdeck(collection, "import", vault).returncode == 0
    cards = query(collection, "SELECT max(id) FROM cards")[0][0]
    rng = random.Random(3)
    reported = []
    for round_ in range(4 * SOAK):
        proc = answer_loop(collection, 1, cards, 100_000, seed=round_)
        out, err = kill_once_started(proc, rng.uniform(0.05, 0.8))
        assert "Traceback" not in err, err
        done, _ = parse_loop_output(out)
        assert done, "the loop answered nothing before the kill"
        reported += done
        assert integrity(collection) == "ok"

    log = {r[0]: r for r in query(
        collection, "SELECT id, card_id, rating, state_before FROM reviews")}
    for review_id, card_id, version, rating in reported:
        assert review_id in log, f"answer {review_id} was reported done but is not in the log"
        _, logged_card, logged_rating, before = log[review_id]
        assert (logged_card, logged_rating) == (card_id, rating)
        assert json.loads(before)["version"] == version
    # exactly once: no card was answered twice from the same state
    versions = [(r[1], json.loads(r[3])["version"]) for r in log.values()]
    assert len(versions) == len(set(versions))
    assert len(log) - len(reported) <= 4 * SOAK  # at most the answer in flight at each kill
    assert_whole(collection)


# The review screen's cycle in a process of its own: answer the card shown, then the next
# card, the counts and the previews, on one long-lived engine (what it keeps between calls:
# queue.ReviewRanking, NewCards, DoneToday, step.ReviewMemo), the clock 20 s on an answer.
REVIEW_CYCLE = r"""
import sys
from datetime import datetime, timedelta, timezone
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine

path, day = sys.argv[1], int(sys.argv[2])
moment = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc) + timedelta(days=day)
with Collection.open(path) as col:
    engine = Engine(col, Config(new_per_day=5000, reviews_per_day=5000), now=lambda: moment)
    card = engine.next_card()
    i = 0
    while card is not None:
        previews = engine.previews(card.id)
        rating = 3 if i % 4 else 1
        answered = engine.answer(card.id, rating, expected_version=card.version)
        print(f"done {answered.review_id} {card.id} {card.version} {rating}"
              f" {previews[('again', 'hard', 'good', 'easy')[rating - 1]].columns['due']}",
              flush=True)
        moment += timedelta(seconds=20)
        card = engine.next_card()
        engine.counts()
        i += 1
"""


def test_killed_review_cycles_lose_no_answer_shown_done(tmp_path):
    """kill -9 lands anywhere in the review screen's cycle (in the answer's commit, in the
    next card's read, in the counts): every answer reported done is in the log once, with
    the schedule its button previewed; the collection is whole and `doctor` finds it clean;
    and the next process's queue goes on from there (a new engine, nothing kept)."""
    # more work a day than two processes get through before their kills (~800 answers a
    # second on an idle machine: 60 notes' 420 cards, 400 new a day, ran out in the day's
    # first two rounds, and the third had nothing to answer)
    vault = make_vault(tmp_path / "vault", 300)
    collection = tmp_path / "c.sqlite"
    assert flashdeck(collection, "import", vault).returncode == 0
    rng = random.Random(5)
    reported = []
    for round_ in range(4 * SOAK):
        proc = spawn(collection, [sys.executable, "-c", REVIEW_CYCLE, str(collection),
                                  str(round_ // 2)])
        out, err = kill_once_started(proc, rng.uniform(0.05, 0.8))
        assert "Traceback" not in err, err
        done = [tuple(int(x) for x in line.split()[1:]) for line in out.splitlines()
                if line.startswith("done ")]
        assert done, "the loop answered nothing before the kill"
        reported += done
        assert integrity(collection) == "ok"
    log = {r[0]: r for r in query(
        collection, "SELECT id, card_id, rating, state_before, state_after FROM reviews")}
    for review_id, card_id, version, rating, due in reported:
        assert review_id in log, f"answer {review_id} was reported done but is not in the log"
        _, logged_card, logged_rating, before, after = log[review_id]
        assert (logged_card, logged_rating) == (card_id, rating)
        assert json.loads(before)["version"] == version
        assert json.loads(after)["due"] == due  # what its button previewed
    versions = [(r[1], json.loads(r[3])["version"]) for r in log.values()]
    assert len(versions) == len(set(versions))  # no answer applied twice
    assert len(log) - len(reported) <= 4 * SOAK  # at most the answer in flight at each kill
    assert_whole(collection)


def test_a_long_scripted_session_ends_clean(tmp_path):
    """Thousands of answers with undos, imports of a changing vault in between, a killed
    answer loop and a killed import: `flashdeck doctor` then reports a clean collection."""
    vault = make_vault(tmp_path / "vault", 80)
    collection = tmp_path / "c.sqlite"
    assert flashdeck(collection, "import", vault).returncode == 0
    rng = random.Random(11)
    total = 0
    for round_ in range(3 * SOAK):
        top = query(collection, "SELECT max(id) FROM cards")[0][0]
        out, err = wait(answer_loop(collection, 1, top, 700, seed=100 + round_, undo_every=9))
        assert "finished" in out and "Traceback" not in err, err
        total += len(parse_loop_output(out)[0])
        # edit, move, delete and restore notes between sittings
        for i in rng.sample(range(80), 8):
            path = vault / f"area{i % 4}" / f"Concept {i}.md"
            if path.exists():
                path.write_text(note_text(i, variant=round_ + 1))
        gone = vault / "area1" / f"Concept {4 * round_ + 1}.md"
        saved = gone.read_text()
        gone.unlink()
        assert flashdeck(collection, "import", vault).returncode == 0
        gone.write_text(saved)
        shutil.move(vault / "area2" / f"Concept {4 * round_ + 2}.md",
                    vault / "area3" / f"Moved {round_}.md")
        assert flashdeck(collection, "import", vault).returncode == 0
    # a reviewer killed mid-sitting, an import killed mid-way
    proc = answer_loop(collection, 1, 400, 100_000, seed=7, undo_every=5)
    time.sleep(0.6)
    kill(proc)
    make_vault(vault, 400, start=80)
    proc = spawn(collection, [sys.executable, "-m", "flashdeck", "import", str(vault)])
    time.sleep(0.25)
    kill(proc)
    assert flashdeck(collection, "import", vault).returncode == 0
    out, err = wait(answer_loop(collection, 1, 2000, 700, seed=99, undo_every=13))
    assert "finished" in out, err
    total += 700
    assert total >= 2000
    assert query(collection, "SELECT count(*) FROM reviews")[0][0] >= 1500

    code, report, err = doctor_json(collection)
    assert code == 0, report.get("problems")
    assert report["ok"] is True and report["problems"] == []
    assert report["reviews"] >= 1500 and report["cards_reviewed"] > 100
    text = flashdeck(collection, "doctor")
    assert text.returncode == 0
    assert "no problems found" in text.stdout
    assert "every card agrees" in text.stdout
