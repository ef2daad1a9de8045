"""Two flashdeck processes on one collection at once (two terminals reviewing, an import while
reviewing, two imports of one vault): nobody sees "database is locked", no answer is lost or
applied twice, and the collection ends consistent. (PRODUCT.md §2, §3; issue 9.)"""

from __future__ import annotations

import json
import sys
import time

import pytest

from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine
from support.reliability import (answer_loop, doctor_json, flashdeck, live_cards,
                                      make_vault, note_text, parse_loop_output, query, spawn,
                                      wait)


def assert_log_matches(collection, reported) -> None:
    """Every reported answer is in the log once, as reported; no card answered twice from one
    state (the version check)."""
    log = {r[0]: r for r in query(collection,
                                  "SELECT id, card_id, rating, state_before FROM reviews")}
    for review_id, card_id, version, rating in reported:
        assert review_id in log, f"reported answer {review_id} is missing from the log"
        assert log[review_id][1:3] == (card_id, rating)
        assert json.loads(log[review_id][3])["version"] == version
    pairs = [(r[1], json.loads(r[3])["version"]) for r in log.values()]
    assert len(pairs) == len(set(pairs))


def assert_clean(collection) -> None:
    code, report, err = doctor_json(collection)
    assert code == 0, (err, report.get("problems"))


@pytest.fixture
def imported(tmp_path):
    vault = make_vault(tmp_path / "vault", 60)
    collection = tmp_path / "c.sqlite"
    result = flashdeck(collection, "import", vault)
    assert result.returncode == 0, result.stderr
    return vault, collection


def test_two_reviewers_on_different_cards(imported):
    _, collection = imported
    top = query(collection, "SELECT max(id) FROM cards")[0][0]
    half = top // 2
    first = answer_loop(collection, 1, half, 800, seed=1)
    second = answer_loop(collection, half + 1, top, 800, seed=2)
    (out1, err1), (out2, err2) = wait(first), wait(second)
    for out, err in ((out1, err1), (out2, err2)):
        assert err == "" and "finished" in out
    done1, other1 = parse_loop_output(out1)
    done2, other2 = parse_loop_output(out2)
    assert len(done1) == len(done2) == 800
    # different cards: neither ever saw the other's answer as a conflict
    assert not [line for line in other1 + other2 if line.startswith("refused")]
    assert_log_matches(collection, done1 + done2)
    assert query(collection, "SELECT count(*) FROM reviews")[0][0] == 1600
    assert_clean(collection)


def test_an_import_while_answering(imported):
    vault, collection = imported
    top = query(collection, "SELECT max(id) FROM cards")[0][0]
    reviewer = answer_loop(collection, 1, top, 3000, seed=5, undo_every=11)
    for round_ in range(4):
        for i in range(round_, 60, 4):  # edit a quarter of the notes, then import
            path = vault / f"area{i % 4}" / f"Concept {i}.md"
            path.write_text(note_text(i, variant=round_ + 1))
        make_vault(vault, 30, start=60 + 30 * round_)
        result = flashdeck(collection, "import", vault)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
    out, err = wait(reviewer)
    assert err == "" and "finished" in out
    done, other = parse_loop_output(out)
    # (the loop's undos took back the answer it had just made; parse_loop_output drops them)
    assert_log_matches(collection, done)
    assert query(collection, "SELECT count(*) FROM reviews")[0][0] == len(done)
    assert query(collection, "SELECT count(*) FROM notes WHERE present = 1")[0][0] == 180
    assert_clean(collection)


def test_two_imports_of_the_same_vault_at_once(tmp_path):
    vault = make_vault(tmp_path / "vault", 400)
    reference = tmp_path / "reference.sqlite"
    assert flashdeck(reference, "import", vault).returncode == 0
    expected = live_cards(reference)
    for attempt in range(2):
        collection = tmp_path / f"c{attempt}.sqlite"
        argv = [sys.executable, "-m", "flashdeck", "import", str(vault)]
        first, second = spawn(collection, argv), spawn(collection, argv)
        (_, err1), (_, err2) = wait(first), wait(second)
        assert (first.returncode, err1) == (0, ""), err1
        assert (second.returncode, err2) == (0, ""), err2
        assert live_cards(collection) == expected
        assert query(collection, "SELECT count(*) FROM cards")[0][0] == len(expected)
        assert query(collection, "SELECT count(*) FROM notes")[0][0] == 400
        assert query(collection, "SELECT count(*) FROM sources")[0][0] == 1
    # and two re-imports of a vault that changed under both
    for i in range(0, 400, 7):
        (vault / f"area{i % 4}" / f"Concept {i}.md").write_text(note_text(i, variant=2))
    first, second = spawn(collection, argv), spawn(collection, argv)
    wait(first), wait(second)
    assert first.returncode == second.returncode == 0
    assert flashdeck(reference, "import", vault).returncode == 0
    assert live_cards(collection) == live_cards(reference)
    assert_clean(collection)


def test_a_card_answered_in_two_places_counts_once(tmp_path, imported):
    """Two review screens show the same card; both answer it. The second is refused (the
    card's version moved on), so the answer is applied once."""
    _, collection = imported
    with Collection.open(collection) as one, Collection.open(collection) as two:
        a, b = Engine(one, Config()), Engine(two, Config())
        shown_a = one.conn.execute("SELECT version FROM cards WHERE id = 1").fetchone()[0]
        shown_b = two.conn.execute("SELECT version FROM cards WHERE id = 1").fetchone()[0]
        a.answer(1, 3, expected_version=shown_a)
        with pytest.raises(UsageError, match="answered elsewhere"):
            b.answer(1, 3, expected_version=shown_b)
        assert one.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 1


RACE = r"""
import sys, time
from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError
from flashdeck.scheduling.engine import Engine
path, start = sys.argv[1], float(sys.argv[2])
with Collection.open(path) as col:
    engine = Engine(col)
    engine.next_card()
    while time.time() < start:
        time.sleep(0.001)
    try:
        engine.answer(1, 3, expected_version=0)
        print("applied")
    except UsageError as exc:
        print("refused", exc)
"""


def test_processes_racing_to_answer_one_card(imported):
    _, collection = imported
    start = time.time() + 1.0
    procs = [spawn(collection, [sys.executable, "-c", RACE, str(collection), str(start)])
             for _ in range(4)]
    results = [wait(p) for p in procs]
    outs = [out.strip() for out, _ in results]
    assert all(err == "" for _, err in results), results
    assert sum(out == "applied" for out in outs) == 1, outs
    assert all(out == "applied" or "answered elsewhere" in out for out in outs)
    assert query(collection, "SELECT count(*) FROM reviews WHERE card_id = 1")[0][0] == 1


HOLD = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def test_an_answer_waits_for_a_busy_writer_instead_of_failing(imported):
    """Another process holds the write lock for a while (a long import batch): `answer`
    waits for it rather than printing "database is locked"."""
    _, collection = imported
    holder = spawn(collection, [sys.executable, "-c", HOLD, str(collection), "1.5"])
    assert holder.stdout.readline().strip() == "holding"
    started = time.monotonic()
    result = flashdeck(collection, "answer", "1", "good")
    assert result.returncode == 0, result.stderr
    assert "locked" not in result.stderr
    assert time.monotonic() - started >= 1.0  # it did wait for the lock
    wait(holder)
    assert query(collection, "SELECT count(*) FROM reviews")[0][0] == 1


def test_a_lock_held_past_the_timeout_is_one_clear_line(imported, monkeypatch, cli):
    """If another process never lets go, the user gets one line naming the collection."""
    _, collection = imported
    holder = spawn(collection, [sys.executable, "-c", HOLD, str(collection), "1"])
    assert holder.stdout.readline().strip() == "holding"
    original = Collection._configure

    def short_timeout(self):
        original(self)
        self.conn.execute("PRAGMA busy_timeout = 200")

    monkeypatch.setattr(Collection, "_configure", short_timeout)
    try:
        result = cli("--collection", collection, "answer", "1", "good")
    finally:
        wait(holder)
    assert result.code == 2
    # the holder is no flashdeck here (a plain SQLite connection, as a database tool's):
    # the line said "another flashdeck has held it"
    assert result.err.strip() == (f"flashdeck: {collection}: the collection is busy: another "
                                  "program (another flashdeck, a database tool) has held its"
                                  " write lock for over 30 s; nothing was written: try again")


OPEN = r"""
import sys, time
from flashdeck.collection.store import Collection
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.0005)
with Collection.open(sys.argv[1]) as col:
    print(col.schema_version())
"""


def test_processes_creating_one_collection_at_once(tmp_path):
    """Two terminals, first run ever: both create the collection at the same moment (it used
    to fail with "database is locked", or "not a flashdeck collection" half the time)."""
    for round_ in range(6):
        collection = tmp_path / f"new{round_}.sqlite"
        start = time.time() + 0.4
        procs = [spawn(collection, [sys.executable, "-c", OPEN, str(collection), str(start)])
                 for _ in range(3)]
        results = [wait(p) for p in procs]
        assert [err for _, err in results] == ["", "", ""], results
        assert len({out for out, _ in results}) == 1
    with Collection.open(collection) as col:
        assert col.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
