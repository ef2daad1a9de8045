"""A first import (a collection with no cards yet, where every card is new) writes its
cards without the matching rules (identity._write_new): the same cards, ids, counts and
listing as an import into a collection that had cards; a failure keeps the notes written
before it; a kill -9 at any moment leaves a whole collection a re-run completes; another
process can read the collection and write to it meanwhile."""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import time
from pathlib import Path

import pytest

import flashdeck.collection.identity as identity
import flashdeck.collection.importer as importer
from flashdeck.collection.importer import import_paths
from flashdeck.collection.store import Collection
from support.reliability import flashdeck, kill, live_cards, spawn, wait


def _note(i: int) -> str:
    return (f"---\ntags: [flashcards/stats/t{i % 3}]\naliases: [Metric {i}]\n"
            f"summary: how often measure {i} is right\n---\n\n"
            f"# Measure {i}\n\n"
            f"What does measure {i} count?::the hits among {i + 3} tries\n"
            f"Measure {i} of nothing:::zero\n"
            f"<!--SR:!2026-01-{1 + i % 9:02d},3,250!2026-01-05,4,270-->\n\n"
            f"The ==numerator {i}== sits over the ==denominator {i}==.\n\n"
            f"## Why is measure {i} bounded?\nBecause hits never exceed tries.\n\n"
            f"Ask about measure {i}\n?\nIt is a ratio\nof two counts.\n")


def _vault(root: Path, count: int, start: int = 0) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        (root / f"Measure {i}.md").write_text(_note(i), encoding="utf-8")
    return root


def _indexes(conn) -> set[tuple[str, str, str]]:
    return {tuple(row) for row in conn.execute("SELECT tbl_name, name, sql FROM sqlite_master"
                                               " WHERE type = 'index' AND sql IS NOT NULL")}


def _expected_indexes() -> set[tuple[str, str, str]]:
    with Collection.in_memory() as fresh:
        return _indexes(fresh.conn)


def _check_whole(path: Path) -> None:
    """Integrity and every index of the schema; what a reader would open."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'cards'").fetchone():
            assert _indexes(conn) == _expected_indexes()
    finally:
        conn.close()


def _cards(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute(
            "SELECT n.relpath, c.kind, c.front, c.back, c.deck, c.line, c.block, c.ordinal,"
            " c.position, c.breadcrumb, c.state, c.orphaned FROM cards c"
            " JOIN notes n ON n.id = c.note_id WHERE n.relpath LIKE 'Measure %'"))
    finally:
        conn.close()


def _rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM cards ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_first_import_writes_the_rows_the_matching_rules_write(tmp_path, monkeypatch):
    vault = _vault(tmp_path / "vault", 60)
    fast, general = tmp_path / "fast.sqlite", tmp_path / "general.sqlite"
    with Collection.open(fast) as col:
        report = import_paths(col, [str(vault)], now=5)
    # the same import, every note through the matching rules (as if an orphan could match)
    monkeypatch.setattr(identity, "_orphans_exist", lambda conn: True)
    with Collection.open(general) as col:
        general_report = import_paths(col, [str(vault)], now=5)
    assert report.to_json() == general_report.to_json()
    rows = _rows(fast)
    assert rows == _rows(general)  # ids, text, places, seeded schedules: every column
    assert len(rows) == 60 * 9 and sum(row[15] is not None for row in rows) == 60 * 2


def test_a_first_import_gives_the_cards_and_indexes_of_any_import(tmp_path):
    vault = _vault(tmp_path / "vault", 60)
    other = tmp_path / "Other.md"
    other.write_text("#flashcards\n\nAn unrelated question::its answer\n", encoding="utf-8")
    first, later = tmp_path / "first.sqlite", tmp_path / "later.sqlite"
    with Collection.open(first) as col:
        report = import_paths(col, [str(vault)], now=0)
    with Collection.open(later) as col:
        import_paths(col, [str(other)], now=0)  # a card already: not a first import
        later_report = import_paths(col, [str(vault)], now=0)
    assert report.to_json() == later_report.to_json()
    assert report.cards_added == 60 * 9 and not report.errors
    assert _cards(first) == _cards(later)
    _check_whole(first)
    # what a user sees: the same listing, the same first card
    listed = [json.loads(flashdeck(path, "list", "--json").stdout) for path in (first, later)]
    assert [{k: v for k, v in c.items() if k != "id"} for c in listed[0]] == \
        [{k: v for k, v in c.items() if k != "id"} for c in listed[1] if c["note"] != str(other)]
    # an unchanged re-import finds every card where it was
    with Collection.open(first) as col:
        again = import_paths(col, [str(vault)], now=10)
    assert (again.notes_unchanged, again.cards_added) == (60, 0)


def test_a_failing_first_import_keeps_what_it_wrote_with_every_index(tmp_path, monkeypatch):
    vault = _vault(tmp_path / "vault", 60)
    path = tmp_path / "c.sqlite"
    real = importer._write_note
    written = []

    def write(conn, source_id, parsed, *args):
        if len(written) == 30:
            raise sqlite3.OperationalError("disk I/O error")
        written.append(parsed.file.relpath)
        return real(conn, source_id, parsed, *args)

    monkeypatch.setattr(importer, "_write_note", write)
    with Collection.open(path) as col:
        with pytest.raises(sqlite3.OperationalError):
            import_paths(col, [str(vault)], now=0)
    _check_whole(path)
    conn = sqlite3.connect(path)
    try:  # the notes written before the failure are kept, as by any import
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 30
        assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 270
    finally:
        conn.close()
    monkeypatch.setattr(importer, "_write_note", real)
    with Collection.open(path) as col:
        report = import_paths(col, [str(vault)], now=0)
    assert (report.cards_added, report.cards_updated) == (270, 0)  # the rest, once
    assert len(live_cards(path)) == 540
    _check_whole(path)


def test_a_first_import_killed_at_any_moment_leaves_a_whole_collection(tmp_path):
    vault = _vault(tmp_path / "vault", 1200)
    reference = tmp_path / "reference.sqlite"
    started = time.monotonic()
    assert flashdeck(reference, "import", vault).returncode == 0
    took = time.monotonic() - started  # how long to wait before a kill, not an assertion
    expected = live_cards(reference)
    rng = random.Random(23)
    for round_ in range(10):
        path = tmp_path / f"c{round_}.sqlite"
        proc = spawn(path, [sys.executable, "-m", "flashdeck", "import", str(vault)])
        time.sleep(rng.uniform(0.1, 1.0) * took)
        kill(proc)
        if not path.exists():
            continue
        _check_whole(path)
        due = flashdeck(path, "due", "--json")
        assert due.returncode == 0, due.stderr
        if round_ % 3 == 0:
            result = flashdeck(path, "import", vault)  # a re-run finishes the job
            assert result.returncode == 0, result.stderr
            assert live_cards(path) == expected
            _check_whole(path)


def _holds_the_write_lock(path: Path) -> bool:
    """True once the collection exists and another process holds its write lock."""
    if not path.exists():
        return False
    conn = sqlite3.connect(path, timeout=0)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'cards'").fetchone():
            return False
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:  # being created
        return False
    finally:
        conn.close()


def test_other_processes_read_and_write_during_a_first_import(tmp_path):
    vault = _vault(tmp_path / "vault", 400)
    extra = _vault(tmp_path / "extra", 1, start=1000)
    reference = tmp_path / "reference.sqlite"
    assert flashdeck(reference, "import", vault).returncode == 0
    assert flashdeck(reference, "import", extra).returncode == 0
    path = tmp_path / "c.sqlite"
    proc = spawn(path, [sys.executable, "-m", "flashdeck", "import", str(vault)])
    for _ in range(20_000):
        if _holds_the_write_lock(path) or proc.poll() is not None:
            break
        time.sleep(0.002)
    # a reader sees the collection as it was, at once; a writer waits its turn
    due = flashdeck(path, "due", "--json")
    assert due.returncode == 0, due.stderr
    json.loads(due.stdout)
    listed = flashdeck(path, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    other = flashdeck(path, "import", extra)
    assert other.returncode == 0, other.stderr
    out, err = wait(proc)
    assert proc.returncode == 0, err
    assert live_cards(path) == live_cards(reference)
    _check_whole(path)
