"""Two imports at once, one of them killed before it squared its moves up (PRODUCT.md §2:
a card keeps its history when it moves to another note; a crash loses nothing). Each import
writes down the cards it orphans (collection/pending.py) so that the next one squares up
what a killed one left. An import that began while another was still running took the
other's cards for a killed import's, squared them up before the other had written the note
they went to, and crossed them off: the other, killed then, left the answered card hidden
for good, its copy new, and `doctor` clean."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from support.identity import france_moved_where_peru_was, imported, live, log
from support.notes import write_note
from flashdeck.collection import importer
from flashdeck.collection.store import Collection

WAIT = 60  # seconds a step may wait for the other thread (a bound, not a timing)


class Crash(BaseException):
    """Stands in for a kill: nothing after it runs; committed work stays."""


def test_an_import_run_meanwhile_leaves_a_running_imports_moves_to_it(
        cli, tmp_path, monkeypatch):
    col, vault, other = tmp_path / "c.sqlite", tmp_path / "vault", tmp_path / "other"
    write_note(vault, "Europe.md", "#flashcards/geo\n\nCapital of France::Paris\n"
                                   "Capital of Spain::Madrid\n")
    write_note(vault, "Oceania.md", "#flashcards/geo\n\nCapital of Fiji::Suva\n")
    write_note(other, "Rivers.md", "#flashcards/geo\n\nLongest river in Peru::Ucayali\n")
    imported(cli, col, vault)
    imported(cli, col, other)
    france = live(cli, col)["Capital of France"]
    assert cli("--collection", col, "answer", france, "good").code == 0
    history = log(cli, col)
    # France's card moves from Europe (written first) to Oceania, edited a little: Oceania
    # adds it as a new card, and the import's squaring up gives it back its place
    write_note(vault, "Europe.md", "#flashcards/geo\n\nCapital of Spain::Madrid\n")
    write_note(vault, "Oceania.md", "#flashcards/geo\n\nCapital of Fiji::Suva\n"
                                    "Capital of France::Paris.\n")

    # each note in a transaction of its own; the import of the vault stops before its
    # second note, Europe written (France's card orphaned and written down)
    flush_each = importer._Batches.add

    def add(self, parsed):
        flush_each(self, parsed)
        self.flush()
    monkeypatch.setattr(importer._Batches, "add", add)
    parse_many = importer.parse_many
    stopped, go_on = threading.Event(), threading.Event()

    def stopping(jobs, tick):
        for parsed in parse_many(jobs, tick):
            if parsed.file.relpath == "Oceania.md":
                stopped.set()
                assert go_on.wait(WAIT)
            yield parsed
    monkeypatch.setattr(importer, "parse_many", stopping)
    outcome: list[BaseException] = []

    def first_import():
        with Collection.open(col) as first:
            try:
                importer.import_paths(first, [str(vault)])
            except BaseException as exc:  # noqa: BLE001 - the Crash, looked at below
                outcome.append(exc)
    thread = threading.Thread(target=first_import)
    thread.start()
    try:
        assert stopped.wait(WAIT)
        # another import meanwhile (another vault, a review screen's re-scan)
        monkeypatch.setattr(importer, "parse_many", parse_many)
        with Collection.open(col) as second:
            importer.import_paths(second, [str(other)])

        # the first goes on, writes Oceania (France's copy added) and is killed before it
        # squares up
        def killed(*args, **kwargs):
            raise Crash()
        monkeypatch.setattr(importer, "reclaim_moved_cards", killed)
    finally:
        go_on.set()
        thread.join(WAIT)
    assert len(outcome) == 1 and isinstance(outcome[0], Crash)
    monkeypatch.undo()

    imported(cli, col, vault)
    ids = live(cli, col)
    assert ids["Capital of France"] == france
    assert log(cli, col) == history
    info = cli("--collection", col, "info", france, "--json").json
    assert info["note"].endswith("Oceania.md") and info["front"] == "Capital of France"
    doctor = cli("--collection", col, "doctor")
    assert doctor.code == 0 and "no problems found" in doctor.out, doctor.out


def test_an_import_is_running_while_its_process_is_and_not_once_it_ended(tmp_path):
    """Whose rows an import may take up: another process's import while that process runs
    (the same process: the same start), not once it exited or was killed, waited for or
    not; one of this process while it runs."""
    from flashdeck.collection import pending

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        started = pending._started(child.pid)
        assert started is not None
        owner = f"{child.pid}:{started}:0a1b2c"
        assert pending._running(owner)
        assert not pending._running(f"{child.pid}:{started}1:0a1b2c")  # another process
        child.kill()
        for _ in range(WAIT * 100):  # killed, not waited for yet: a zombie
            if pending._started(child.pid) is None:
                break
            time.sleep(0.01)
        assert not pending._running(owner)
    finally:
        child.kill()
        child.wait()
    assert not pending._running(owner)
    assert not pending._running(None) and not pending._running("junk")
    here = pending._owner()
    assert not pending._running(here)  # an import of this process that ended
    pending._RUNNING.add(here)
    try:
        assert pending._running(here)
    finally:
        pending._RUNNING.discard(here)


OLD_TABLE = """
CREATE TABLE old AS SELECT card_id, orphaned, before FROM import_pending;
DROP TABLE import_pending;
CREATE TABLE import_pending (card_id INTEGER NOT NULL, orphaned INTEGER NOT NULL,
    before TEXT, PRIMARY KEY (card_id, orphaned));
INSERT INTO import_pending SELECT * FROM old;
DROP TABLE old;
"""


def test_what_a_killed_import_of_an_older_flashdeck_left_is_taken_up(cli, tmp_path,
                                                                     monkeypatch):
    """Its rows name no import (the table as flashdeck made it before): taken up as ever."""
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    france, peru, history = france_moved_where_peru_was(cli, col, vault)

    def killed(*args, **kwargs):
        raise Crash()
    with monkeypatch.context() as patch:
        patch.setattr(importer, "return_taken_cards", killed)
        with pytest.raises(Crash):
            cli("--collection", col, "import", vault)
    conn = sqlite3.connect(col)
    try:
        with conn:
            conn.executescript(OLD_TABLE)
        assert conn.execute("SELECT count(*) FROM import_pending").fetchone()[0] > 0
    finally:
        conn.close()
    assert imported(cli, col, vault) == {"added": 0, "updated": 0, "orphaned": 1}
    ids = live(cli, col)
    assert ids["Capital of France"] == france and peru not in ids.values()
    assert log(cli, col) == history
    doctor = cli("--collection", col, "doctor")
    assert doctor.code == 0 and "no problems found" in doctor.out, doctor.out
