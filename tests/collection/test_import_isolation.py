"""One note never stops an import (issue 15): whatever goes wrong while reading, parsing or
writing one note — an exception, a parse over its time or memory budget, a parse worker that
dies — becomes that note's `path:line: message`, nothing of it is written, every other note
lands, and the import exits 1. The write lock is held only while writing, never while
parsing. Only regular files are read: a FIFO or a device is refused at once.

Every test imports real files into a real collection. Poison is real input (a YAML alias bomb,
a self-referencing alias) or a failure injected into the parser of this process (the parse
workers are forked, so they inherit it)."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from support.notes import write_note
from flashdeck.collection import importer, parsing

GOOD = 60
POISON = "note30 poison.md"  # sorts among the good notes: notes after it must land too
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers inherit the poison")
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices, sockets")

REPO = Path(__file__).resolve().parents[2]


def good_note(i: int) -> str:
    return (f"---\ntags: [flashcards]\n---\n# Note {i}\n\nWhat is {i} + 1?::{i + 1}\n\n"
            f"Capital number {i}?::City {i}\n")


def exercise_note(block: str) -> str:
    return ("---\ntags: [flashcards]\n---\n# Poison\n\nPoison question?::poison answer\n\n"
            f"```flashdeck-exercise\n{block}```\n")


ALIAS_LOOP = exercise_note(
    "id: loop\ntitle: Loop\nloop: &l [*l]\nvars:\n  x: 1..5\nprompt: x is {x}\nanswer: x\n"
    "steps: |\n  x\n")
ALIAS_BOMB = exercise_note(
    "id: bomb\ntitle: Bomb\n"
    + "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
              for prev, name in zip("abcdefgh", "bcdefghi"))
    .replace("b: &b", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b")
    + "vars:\n  x: 1..5\nprompt: x is {x}\nanswer: x\nsteps: |\n  x\n")
PLAIN_POISON = exercise_note("id: fine\ntitle: Fine\nvars:\n  x: 1..5\nprompt: x is {x}\n"
                             "answer: x\nsteps: |\n  x\n")


@pytest.fixture
def col(tmp_path):
    return tmp_path / "collection.sqlite"


def make_vault(folder: Path, poison: str | None = PLAIN_POISON, good: int = GOOD) -> Path:
    for i in range(good):
        write_note(folder, f"note{i:02d}.md", good_note(i))
    if poison is not None:
        write_note(folder, POISON, poison)
    return folder


def fronts(cli, col) -> set[str]:
    return {card["front"] for card in cli("--collection", col, "list", "--json").json}


def assert_only_poison_failed(cli, col, vault: Path, result, line: int | None = None,
                              whole: bool = True) -> str:
    """60 good notes in, nothing of the poisoned one, which is named once: `path:line:`.
    `whole=False`: the note may have been imported all the same, less what was wrong."""
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    shown = str(vault / POISON)
    lines = [x for x in result.err.splitlines() if x.startswith(shown + ":")]
    assert len(lines) == 1, result.err
    found = re.match(re.escape(shown) + r":(\d+): \S", lines[0])
    assert found, lines[0]
    if line is not None:
        assert int(found.group(1)) == line, lines[0]
    cards = fronts(cli, col)
    assert {f"What is {i} + 1?" for i in range(GOOD)} <= cards
    if not whole:
        return lines[0]
    assert len(cards) == 2 * GOOD
    assert "Poison question?" not in cards
    conn = sqlite3.connect(col)
    try:
        assert conn.execute("SELECT count(*) FROM notes WHERE relpath = ?",
                            (POISON,)).fetchone()[0] == 0
    finally:
        conn.close()
    return lines[0]


@pytest.fixture(params=["pool", "here"])
def path(request, monkeypatch):
    """The pool path (at least PARALLEL_MIN_FILES notes, on at least two workers), or
    parsing in this process."""
    if request.param == "pool":
        if not hasattr(os, "fork"):
            pytest.skip("workers inherit the poison only when forked")
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
        assert GOOD + 1 >= parsing.PARALLEL_MIN_FILES
    else:
        monkeypatch.setattr(parsing, "PARALLEL_MIN_FILES", 10_000)
    return request.param


def poison_parser(monkeypatch, what: str, action) -> None:
    """Make one stage act up, for the poisoned note only."""
    if what == "parse":
        from flashdeck.notes import parser

        real = parser.parse_note

        def parse_note(text, path, *args, **kwargs):
            if path.endswith(POISON):
                action()
            return real(text, path, *args, **kwargs)

        monkeypatch.setattr(parser, "parse_note", parse_note)
    elif what == "exercise":
        import flashdeck.exercises as exercises

        real_exercises = exercises.exercises_for_note

        def exercises_for_note(note):
            if note.path.endswith(POISON):
                action()
            return real_exercises(note)

        monkeypatch.setattr(exercises, "exercises_for_note", exercises_for_note)
    else:
        from flashdeck.notes import files

        real_read = files.read_note_file

        def read_note_file(path, display=None, **kwargs):
            if str(path).endswith(POISON):
                action()
            return real_read(path, display, **kwargs)

        monkeypatch.setattr(files, "read_note_file", read_note_file)


def raising(exc: BaseException):
    def action():
        raise exc
    return action


def recurse():
    def down(n):
        return down(n + 1) + 1
    down(0)


def too_many_digits():
    int("9" * 5000)


EXCEPTIONS = {
    "MemoryError": raising(MemoryError()),
    "RecursionError": recurse,
    "OverflowError": raising(OverflowError("int too large to convert to float")),
    "ValueError": too_many_digits,
    "KeyError": raising(KeyError("\x1b[31mred")),
}


# -- any exception while reading or parsing one note --------------------------------------
@pytest.mark.parametrize("stage", ["read", "parse", "exercise"])
@pytest.mark.parametrize("kind", sorted(EXCEPTIONS))
def test_an_exception_in_one_note_costs_only_that_note(cli, col, tmp_path, monkeypatch, path,
                                                       stage, kind):
    vault = make_vault(tmp_path / "vault")
    poison_parser(monkeypatch, stage, EXCEPTIONS[kind])
    result = cli("--collection", col, "import", vault)
    line = assert_only_poison_failed(cli, col, vault, result,
                                     line=8 if stage == "exercise" else 1)
    assert kind in line
    assert "\x1b" not in result.err  # nothing printed drives the terminal


def test_the_poisoned_note_is_named_until_it_is_fixed(cli, col, tmp_path, monkeypatch, path):
    from flashdeck.notes import parser

    real = parser.parse_note

    def parse_note(text, *args, **kwargs):
        if "POISON" in text:
            recurse()
        return real(text, *args, **kwargs)

    monkeypatch.setattr(parser, "parse_note", parse_note)
    vault = make_vault(tmp_path / "vault", poison=PLAIN_POISON + "POISON\n")
    first = cli("--collection", col, "import", vault)
    named = assert_only_poison_failed(cli, col, vault, first)
    again = cli("--collection", col, "import", vault)
    assert again.code == 1 and named in again.err.splitlines(), again.err
    write_note(vault, POISON, PLAIN_POISON)
    fixed = cli("--collection", col, "import", vault)
    assert fixed.code == 0, fixed.err
    assert "Poison question?" in fronts(cli, col)


@pytest.mark.parametrize("poison", [ALIAS_LOOP, ALIAS_BOMB], ids=["alias-loop", "alias-bomb"])
def test_a_yaml_alias_bomb_is_stopped_by_the_memory_budget(cli, col, tmp_path, monkeypatch,
                                                           path, poison):
    """The alias bomb once took one worker to 22 GB; the loop raised RecursionError. Real
    input, no injected failure: whatever the exercise code makes of it (its own bounds may
    refuse the block), the import ends soon, names the note, and the rest lands."""
    monkeypatch.setattr(parsing, "NOTE_MEMORY", 256 * 2**20)
    monkeypatch.setattr(parsing, "NOTE_SECONDS", 20.0)
    resource = pytest.importorskip("resource")
    limits = resource.getrlimit(resource.RLIMIT_AS)
    vault = make_vault(tmp_path / "vault", poison=poison)
    started = time.monotonic()
    result = cli("--collection", col, "import", vault)
    assert_only_poison_failed(cli, col, vault, result, whole=False)
    assert time.monotonic() - started < 60
    assert resource.getrlimit(resource.RLIMIT_AS) == limits  # this process's, as they were


def test_a_parse_over_its_time_budget_costs_only_that_note(cli, col, tmp_path, monkeypatch,
                                                           path):
    monkeypatch.setattr(parsing, "NOTE_SECONDS", 1.0)
    poison_parser(monkeypatch, "parse", lambda: time.sleep(60))
    vault = make_vault(tmp_path / "vault")
    started = time.monotonic()
    result = cli("--collection", col, "import", vault)
    line = assert_only_poison_failed(cli, col, vault, result, line=1)
    assert "longer than the 1 s" in line
    assert time.monotonic() - started < 30


# -- a parse worker that dies or hangs ------------------------------------------------------
def exit_now():
    os._exit(3)


def segfault():
    os.kill(os.getpid(), signal.SIGSEGV)


def killed():
    os.kill(os.getpid(), signal.SIGKILL)


def stuck_in_c():
    """Where the worker's own timer cannot reach it (a loop inside C code)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(60)


@needs_fork
@pytest.mark.parametrize("death, words", [
    (exit_now, "exit status 3"), (segfault, "SIGSEGV"), (killed, "SIGKILL"),
    (stuck_in_c, "longer than the 1 s"),
])
def test_a_worker_that_dies_costs_only_its_note(cli, col, tmp_path, monkeypatch, death, words):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parsing, "NOTE_SECONDS", 1.0)
    monkeypatch.setattr(parsing, "_WATCHDOG_GRACE", 1.0)
    poison_parser(monkeypatch, "parse", death)
    vault = make_vault(tmp_path / "vault")
    started = time.monotonic()
    result = cli("--collection", col, "import", vault)
    line = assert_only_poison_failed(cli, col, vault, result, line=1)
    assert words in line
    assert time.monotonic() - started < 60
    import multiprocessing

    assert multiprocessing.active_children() == []  # every worker ended, none left behind


@needs_fork
@pytest.mark.parametrize("death, words", [
    (killed, "SIGKILL"), (stuck_in_c, "longer than the 1 s"),
])
@pytest.mark.parametrize("before", [1, 2])
def test_a_worker_that_dies_mid_batch_costs_only_its_note(cli, col, tmp_path, monkeypatch,
                                                          death, words, before):
    """A worker sends a batch's results together: the notes of its batch it had parsed
    before the one it died on (or hung in) are lost with it and parsed again, not blamed."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parsing, "NOTE_SECONDS", 1.0)
    monkeypatch.setattr(parsing, "_WATCHDOG_GRACE", 1.0)
    poison_parser(monkeypatch, "parse", death)
    vault = make_vault(tmp_path / "vault")
    for k in range(before):  # notes without cards, first in the walk: the poison moves on
        write_note(vault, f"a{k}.md", f"Prose {k}, no tag and no card.\n")
    total = GOOD + 1 + before
    chunk = max(1, min(16, total // (2 * 8)))  # the pool's batch size (_Pool.chunk)
    poison_at = 30 + before  # notes a*, note00..note29, then the poison
    assert chunk > 1 and poison_at % chunk == before  # not the first of its batch
    result = cli("--collection", col, "import", vault)
    line = assert_only_poison_failed(cli, col, vault, result, line=1)
    assert words in line


class Unsendable:
    def __reduce__(self):
        raise TypeError("this result cannot be sent")


@needs_fork
def test_a_result_that_cannot_be_sent_costs_only_its_note(cli, col, tmp_path, monkeypatch):
    """A parsed note whose result cannot cross to the parent (pickled) is that note's
    problem; the notes of its worker's batch sent with it land all the same."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    real = parsing.read_and_parse

    def read_and_parse(file, *args, **kwargs):
        parsed = real(file, *args, **kwargs)
        if file.path.endswith(POISON):
            parsed.title = Unsendable()
        return parsed

    monkeypatch.setattr(parsing, "read_and_parse", read_and_parse)
    vault = make_vault(tmp_path / "vault")
    result = cli("--collection", col, "import", vault)
    line = assert_only_poison_failed(cli, col, vault, result, line=1)
    assert "TypeError: this result cannot be sent" in line


def test_workers_started_without_fork_send_each_result_as_it_is_done(cli, col, tmp_path,
                                                                    monkeypatch):
    """Where workers are spawned (no fork: no shared memory for their progress), each
    result comes back on its own; every note lands."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.delattr(os, "fork", raising=False)
    sent = []
    real = parsing._Worker.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        sent.append(self.progress)

    monkeypatch.setattr(parsing._Worker, "__init__", init)
    vault = make_vault(tmp_path / "vault", poison=None)
    result = cli("--collection", col, "import", vault)
    assert result.code == 0, result.err
    assert sent and all(progress is None for progress in sent)
    assert {f"What is {i} + 1?" for i in range(GOOD)} <= fronts(cli, col)


@needs_fork
def test_a_workers_results_reach_the_importer_before_its_batch_ends(tmp_path, monkeypatch):
    """The importer writes the notes in their order: what a worker has parsed reaches it
    SEND_AFTER after the worker's last message, not only once its whole batch is parsed
    (results held back for a batch of slow notes kept the importer waiting). A note waits
    (bounded) until the note before it in its batch, parsed well over SEND_AFTER after the
    batch began, has been handed to the importer."""
    from flashdeck.collection.sources import NoteFile
    from flashdeck.notes.model import ParserSettings

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    vault = make_vault(tmp_path / "vault", poison=None, good=64)
    names = sorted(p.name for p in vault.iterdir())
    chunk = max(1, min(16, len(names) // (2 * 8)))  # the pool's batch size (_Pool.chunk)
    assert chunk >= 3
    first, waiting = names[chunk + 1], names[chunk + 2]  # the 2nd and 3rd of a batch
    released, timed_out = tmp_path / "released", tmp_path / "timed out"
    real = parsing.read_and_parse

    def read_and_parse(file, *args, **kwargs):
        if file.path.endswith(first):
            time.sleep(10 * parsing.SEND_AFTER)
        if file.path.endswith(waiting):
            for _ in range(400):  # 20 s at most
                if released.exists():
                    break
                time.sleep(0.05)
            else:
                timed_out.touch()
        return real(file, *args, **kwargs)

    monkeypatch.setattr(parsing, "read_and_parse", read_and_parse)
    jobs = [(NoteFile(str(vault / name), name, name), ParserSettings(), True, None, True)
            for name in names]
    got = []
    for parsed in parsing.parse_many(jobs):
        got.append(parsed.file.relpath)
        if parsed.file.relpath == first:
            released.touch()
    assert got == names
    assert not timed_out.exists()


def test_without_worker_processes_the_notes_are_parsed_here(cli, col, tmp_path, monkeypatch):
    """No process can be started (a process limit): parsed in this process, isolation kept."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    def no_more_processes(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(parsing, "_Worker", no_more_processes)
    poison_parser(monkeypatch, "parse", recurse)
    vault = make_vault(tmp_path / "vault")
    result = cli("--collection", col, "import", vault)
    assert "RecursionError" in assert_only_poison_failed(cli, col, vault, result, line=1)


@needs_fork
def test_a_worker_death_not_the_notes_doing_is_tried_again(cli, col, tmp_path, monkeypatch):
    """The first parse of the note loses its worker (the OOM killer took it, say); the note
    is parsed again and lands."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    marker = tmp_path / "died-once"

    def die_once():
        if not marker.exists():
            marker.touch()
            os._exit(9)

    poison_parser(monkeypatch, "parse", die_once)
    vault = make_vault(tmp_path / "vault")
    result = cli("--collection", col, "import", vault)
    assert result.code == 0, result.err
    assert marker.exists()
    assert "Poison question?" in fronts(cli, col) and len(fronts(cli, col)) == 2 * GOOD + 2


# -- writing one note fails ---------------------------------------------------------------
@pytest.mark.parametrize("failure", [
    ValueError("no good"), sqlite3.IntegrityError("UNIQUE constraint failed: cards.id"),
    MemoryError(), OverflowError("Python int too large to convert to SQLite INTEGER"),
])
def test_a_write_failure_rolls_back_that_note_only(cli, col, tmp_path, monkeypatch, failure):
    real = importer._write_note

    def write_note_then_fail(conn, source_id, parsed, *args, **kwargs):
        real(conn, source_id, parsed, *args, **kwargs)  # its rows are written...
        if parsed.file.relpath == POISON:
            raise failure  # ...and must all go again

    monkeypatch.setattr(importer, "_write_note", write_note_then_fail)
    vault = make_vault(tmp_path / "vault")
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 1
    report = result.json
    assert report["notes"]["imported"] == GOOD  # the failed note is not counted
    assert report["cards"]["added"] == 2 * GOOD
    assert [(e["path"], e["line"]) for e in report["errors"]] == [(str(vault / POISON), 1)]
    message = report["errors"][0]["message"]
    assert message.startswith("cannot be saved: ") and type(failure).__name__ in message
    monkeypatch.undo()
    # nothing of it was recorded, so the next import reads it again, and it lands
    again = cli("--collection", col, "import", vault)
    assert again.code == 0, again.err
    assert "Poison question?" in fronts(cli, col)


def test_a_write_failure_after_notes_that_changed_cards_costs_only_that_note(
        cli, col, tmp_path, monkeypatch):
    """A batch is written without a savepoint per note, and written again note by note
    when one fails: what the notes before the failed one did is said once and done once
    (a card left orphaned, a card reworded keeping its id, a touched note's kept warning),
    and the failed note lands with the next import."""
    vault = make_vault(tmp_path / "vault")
    write_note(vault, "note05.md", good_note(5) + "\nLonely question::\n")
    assert cli("--collection", col, "import", vault).code == 0
    before = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    os.utime(vault / "note05.md", ns=(1, 1))  # touched: the same content, its warning kept
    write_note(vault, "note10.md", good_note(10).replace("Capital number 10?::City 10\n", ""))
    write_note(vault, "note20.md", good_note(20).replace("What is 20 + 1?", "What is 20 plus 1?"))
    write_note(vault, POISON, PLAIN_POISON.replace("poison answer", "a new answer"))
    real = importer._write_note

    def write_note_then_fail(conn, source_id, parsed, *args, **kwargs):
        real(conn, source_id, parsed, *args, **kwargs)
        if parsed.file.relpath == POISON:
            raise ValueError("no good")

    monkeypatch.setattr(importer, "_write_note", write_note_then_fail)
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 1
    report = result.json
    assert [(e["path"], e["message"].split(":")[0]) for e in report["errors"]] == [
        (str(vault / POISON), "cannot be saved")]
    assert [w["line"] for w in report["warnings"] if w["path"] == str(vault / "note05.md")] \
        == [10]
    assert report["notes"] == {"scanned": GOOD + 1, "imported": 2, "unchanged": GOOD - 2,
                               "skipped": 0, "gone": 0}
    assert report["cards"] == {"added": 0, "updated": 1, "orphaned": 1}
    after = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    assert "Capital number 10?" not in after
    assert after["What is 20 plus 1?"] == before["What is 20 + 1?"]
    monkeypatch.undo()
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 0, again.err
    assert again.json["notes"]["imported"] == 1 and again.json["cards"] == {
        "added": 0, "updated": 1, "orphaned": 0}


def test_ctrl_c_while_a_note_is_written_keeps_what_it_says(cli, col, tmp_path, monkeypatch):
    """Ctrl-C while a batch is written: the batch is rolled back, and the notes the message
    says are kept are the ones the collection has; the next import adds the rest."""
    real = importer._write_note

    def interrupted(conn, source_id, parsed, *args, **kwargs):
        if parsed.file.relpath == "note45.md":
            raise KeyboardInterrupt
        real(conn, source_id, parsed, *args, **kwargs)

    monkeypatch.setattr(importer, "_write_note", interrupted)
    vault = make_vault(tmp_path / "vault")
    result = cli("--collection", col, "import", vault)
    assert result.code == 130
    kept = cli("--collection", col, "list", "--json").json
    said = re.search(r"the (\d+) notes? imported so far \((\d+) cards added", result.err)
    assert said and int(said[2]) == len(kept) and int(said[1]) == len({c["note"] for c in kept})
    assert "What is 45 + 1?" not in {c["front"] for c in kept}
    monkeypatch.undo()
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 0, again.err
    total = cli("--collection", col, "list", "--json").json
    assert again.json["cards"]["added"] == len(total) - len(kept)
    assert "What is 45 + 1?" in {c["front"] for c in total}


def test_a_busy_collection_is_not_a_notes_fault(cli, col, tmp_path, monkeypatch):
    """Busy, full or read-only is the collection's failure: the import stops with one line
    (exit 2), as before, keeping the notes written before it."""
    real = importer._write_note

    def busy(conn, source_id, parsed, *args, **kwargs):
        if parsed.file.relpath == POISON:
            raise sqlite3.OperationalError("database is locked")
        real(conn, source_id, parsed, *args, **kwargs)

    monkeypatch.setattr(importer, "_write_note", busy)
    vault = make_vault(tmp_path / "vault")
    result = cli("--collection", col, "import", vault)
    assert result.code == 2
    assert "busy" in result.err and "Traceback" not in result.err
    monkeypatch.undo()
    assert "What is 29 + 1?" in fronts(cli, col)  # written before it, in the same batch


# -- the write lock only while writing ----------------------------------------------------
def test_an_answer_is_not_blocked_by_a_slow_parse(cli, col, tmp_path, monkeypatch):
    """While an import waits on a slow note, another process answers a card at once."""
    first = tmp_path / "first"
    write_note(first, "Known.md", good_note(999))
    assert cli("--collection", col, "import", first).code == 0
    card = cli("--collection", col, "list", "--json").json[0]["id"]

    slow_started, answered = threading.Event(), threading.Event()

    def slow():
        slow_started.set()
        answered.wait(30)

    poison_parser(monkeypatch, "parse", slow)
    monkeypatch.setattr(parsing, "PARALLEL_MIN_FILES", 10_000)  # parsed in this process
    vault = make_vault(tmp_path / "vault")
    results = []
    importing = threading.Thread(
        target=lambda: results.append(cli("--collection", col, "import", vault)))
    importing.start()
    try:
        assert slow_started.wait(60)
        time.sleep(0.5)  # the notes before the slow one are parsed (and may be written)
        env = {**os.environ, "PYTHONPATH": str(REPO), "FLASHDECK_COLLECTION": str(col)}
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col),
                               "answer", str(card), "good"], capture_output=True, text=True,
                              env=env, timeout=60)
        waited = time.monotonic() - started
    finally:
        answered.set()
        importing.join(60)
    assert done.returncode == 0, done.stderr
    assert "busy" not in done.stderr
    assert waited < 15  # not held up until the slow parse ends (30 s)
    assert results and results[0].code == 0, results and results[0].err
    assert len(fronts(cli, col)) == 2 * GOOD + 2 + 2


def test_batches_are_written_after_parsing_not_during(cli, col, tmp_path, monkeypatch):
    """No transaction is open while parse_many is asked for the next note."""
    real = importer.parse_many
    made, conn_seen = [], []

    class Batches(importer._Batches):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    def watched(jobs, on_done=None):
        for parsed in real(jobs, on_done):
            yield parsed
            # the importer asks for the next note: is a transaction open meanwhile?
            conn_seen.append(made[-1].conn.in_transaction)

    monkeypatch.setattr(importer, "_Batches", Batches)
    monkeypatch.setattr(importer, "parse_many", watched)
    vault = make_vault(tmp_path / "vault")
    assert cli("--collection", col, "import", vault).code == 0
    assert conn_seen and not any(conn_seen)


# -- only regular files are read ----------------------------------------------------------
def run_cli(col: Path, *args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    """In a subprocess with a timeout: a hang fails the test instead of CI."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "FLASHDECK_COLLECTION": str(col)}
    return subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col),
                           *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=timeout)


@posix_only
@pytest.mark.parametrize("command", ["check", "import"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_a_settings_file_that_is_not_a_regular_file_is_refused_at_once(col, tmp_path, command,
                                                                       kind):
    vault = make_vault(tmp_path / "vault", poison=None, good=3)
    settings = vault / ".flashdeck.toml"
    if kind == "fifo":
        os.mkfifo(settings)
    elif kind == "dev-zero":
        settings.symlink_to("/dev/zero")
    else:
        settings.mkdir()
    started = time.monotonic()
    done = run_cli(col, command, vault)
    assert time.monotonic() - started < 15
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    problem = [x for x in done.stderr.splitlines() if x.startswith(f"{settings}:1: ")]
    assert len(problem) == 1, done.stderr
    words = {"fifo": "named pipe (FIFO)", "dev-zero": "character device", "folder": "folder"}
    assert words[kind] in problem[0] and "defaults used" in problem[0]
    if kind == "dev-zero":
        assert "/dev/zero" in problem[0]
    if command == "import":
        assert len(fronts_of(col)) == 6  # the notes, with the default settings


def fronts_of(col: Path) -> list[str]:
    conn = sqlite3.connect(col)
    try:
        return [r[0] for r in conn.execute("SELECT front FROM cards WHERE orphaned = 0")]
    finally:
        conn.close()


def test_a_settings_file_over_its_bound_is_refused(cli, col, tmp_path):
    vault = make_vault(tmp_path / "vault", poison=None, good=3)
    (vault / ".flashdeck.toml").write_bytes(b"#" * (2**20 + 1))
    result = cli("--collection", col, "check", vault)
    assert result.code == 1
    assert f"{vault / '.flashdeck.toml'}:1: is 1.0 MiB, over the 1 MiB" in result.err


@posix_only
@pytest.mark.parametrize("named", [True, False], ids=["on-the-command-line", "in-the-vault"])
def test_a_fifo_note_is_refused_at_once(col, tmp_path, named):
    vault = make_vault(tmp_path / "vault", poison=None, good=3)
    fifo = vault / "pipe.md"
    os.mkfifo(fifo)
    started = time.monotonic()
    done = run_cli(col, "import", fifo if named else vault)
    assert time.monotonic() - started < 15
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{fifo}:1: is a named pipe (FIFO), not a regular file; not read" in done.stderr
    assert len(fronts_of(col)) == (0 if named else 6)


@posix_only
def test_device_and_socket_notes_are_refused(cli, col):
    folder = Path(tempfile.mkdtemp(prefix="fd-", dir="/tmp"))  # a socket path must be short
    try:
        make_vault(folder, poison=None, good=3)
        (folder / "zero.md").symlink_to("/dev/zero")
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(folder / "sock.md"))
        try:
            result = cli("--collection", col, "import", folder)
        finally:
            sock.close()
        assert result.code == 1
        err = result.err
        assert f"{folder / 'zero.md'}:1: is a character device (a symlink to '/dev/zero')" in err
        assert f"{folder / 'sock.md'}:1: is a socket, not a regular file; not read" in err
        assert len(fronts(cli, col)) == 6
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def test_a_note_over_the_size_bound_is_refused(cli, col, tmp_path, monkeypatch):
    from flashdeck.notes import files

    monkeypatch.setattr(files, "MAX_NOTE_BYTES", 2000)
    vault = make_vault(tmp_path / "vault", poison=None, good=3)
    write_note(vault, "big.md", "---\ntags: [flashcards]\n---\nBig?::yes\n" + "x" * 3000)
    result = cli("--collection", col, "import", vault)
    assert result.code == 1
    assert f"{vault / 'big.md'}:1: is " in result.err and "over the" in result.err
    assert len(fronts(cli, col)) == 6


# -- settings warnings and over-long paths ------------------------------------------------
@pytest.mark.parametrize("command", ["import", "check"])
def test_an_unknown_settings_key_is_a_warning_not_an_error(cli, col, tmp_path, command):
    vault = make_vault(tmp_path / "vault", poison=None, good=3)
    (vault / ".flashdeck.toml").write_text('[cards]\ntags = ["flashcards"]\ncolour = "red"\n')
    result = cli("--collection", col, command, vault)
    assert result.code == 0, result.err
    assert f"{vault / '.flashdeck.toml'}:3: warning: [cards] unknown setting 'colour'" \
        in result.err


@posix_only
def test_a_path_longer_than_the_system_allows_is_reported(cli, col, tmp_path):
    vault = make_vault(tmp_path / "vault", poison=None, good=3)
    limit = os.pathconf(str(vault), "PC_PATH_MAX") if hasattr(os, "pathconf") else 4096
    segment = "d" * 200
    fd = os.open(vault, os.O_RDONLY)
    depth, length = 0, len(str(vault))
    try:
        while length <= limit + 300:  # built through file descriptors: no path is that long
            os.mkdir(segment, dir_fd=fd)
            inner = os.open(segment, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, depth, length = inner, depth + 1, length + len(segment) + 1
        note = os.open("deep.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(note, good_note(500).encode())
        os.close(note)
    finally:
        os.close(fd)
    result = cli("--collection", col, "import", vault)
    assert result.code == 1
    assert "Traceback" not in result.err
    reported = [x for x in result.err.splitlines() if "path too long" in x]
    assert len(reported) == 1, result.err
    assert reported[0].startswith(str(vault / segment))
    assert len(fronts(cli, col)) == 6


# -- file names the collection cannot hold, or that would break a line -------------------------
@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin",
                    reason="needs a file system that takes any bytes as a name")
@pytest.mark.parametrize("command", ["import", "check"])
def test_a_name_that_is_not_utf8_is_one_clear_line_and_the_rest_imports(cli, col, tmp_path,
                                                                        command):
    """A note or folder named in an older encoding (Latin-1 bytes from an old archive) used to
    fail as "cannot be saved: UnicodeEncodeError"; given on the command line, a folder so
    named stopped the whole import with an internal error."""
    vault = make_vault(tmp_path / "vault", poison=None, good=3)
    note = os.fsencode(vault) + b"/Caf\xe9.md"
    with open(note, "wb") as f:
        f.write(b"#flashcards\n\nCoffee in French::caf\xc3\xa9\n")
    folder = os.fsencode(tmp_path) + b"/Notizen \xfcber"
    os.mkdir(folder)
    with open(folder + b"/n.md", "wb") as f:
        f.write(b"#flashcards\n\nTea in German::Tee\n")
    result = cli("--collection", col, command, vault, os.fsdecode(folder))
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert f"{vault}/Caf\ufffd.md:1: file name is not valid UTF-8" in result.err
    assert f"{tmp_path}/Notizen \ufffdber:0: path is not valid UTF-8" in result.err
    if command == "import":
        assert fronts(cli, col) == {f"What is {i} + 1?" for i in range(3)} | \
            {f"Capital number {i}?" for i in range(3)}


@pytest.mark.skipif(sys.platform == "win32", reason="a newline in a file name")
@pytest.mark.parametrize("command", ["import", "check"])
def test_a_file_name_with_a_newline_keeps_its_problem_on_one_line(cli, col, tmp_path, command):
    vault = make_vault(tmp_path / "vault", poison=None, good=3)
    (vault / "two\nlines.md").write_bytes(b"#flashcards\n\nBad byte::\xff\n")
    (vault / "tab\there.md").write_text("#flashcards\n\nTab::ok\n")
    result = cli("--collection", col, command, vault)
    assert result.code == 0
    assert f"{vault}/two\u240alines.md:3: warning: not valid UTF-8 (byte 0xff at column 11):" \
        f" read as \ufffd; save the note as UTF-8 to keep the character\n" in result.err
    assert "two\n" not in result.err + result.out
    if command == "check":
        assert f"{vault}/tab\u2409here.md: 1 card\n" in result.out
    else:
        doctor = cli("--collection", col, "doctor")
        assert f"{vault}/two\u240alines.md:3: warning: not valid UTF-8" in doctor.out
        assert "two\n" not in doctor.out


def test_a_byte_that_is_not_utf8_reads_the_rest_of_the_note_and_keeps_its_cards(cli, col,
                                                                                tmp_path):
    """A note saved once in Latin-1 (`caf\\xe9`) used to stop there: its new and edited cards
    were not imported until the byte was found. Now the note is read as Obsidian shows it
    (the byte is U+FFFD), a warning names the file and the line on every import, and the
    card keeps its history once the note is saved as UTF-8. The note is never written."""
    vault = tmp_path / "vault"
    note = vault / "Drinks.md"
    write_note(vault, "Drinks.md", "#flashcards\n\nTea in German::Tee\n")
    assert cli("--collection", col, "import", vault).code == 0
    tea = cli("--collection", col, "list", "--json").json[0]["id"]
    assert cli("--collection", col, "answer", tea, "good").code == 0

    latin1 = (b"#flashcards\n\nTea in German::Tee\nCaf\xe9 in English::coffee\n"
              b"Milk in German::Milch\n")
    note.write_bytes(latin1)
    for _ in range(2):  # the second import skips the unchanged note and says it again
        result = cli("--collection", col, "import", vault)
        assert result.code == 0, result.err
        assert f"{note}:4: warning: not valid UTF-8 (byte 0xe9 at column 4): read as \ufffd;" \
            in result.err
    cards = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    assert set(cards) == {"Tea in German", "Caf\ufffd in English", "Milk in German"}
    assert cards["Tea in German"] == tea
    assert note.read_bytes() == latin1
    doctor = cli("--collection", col, "doctor")
    assert doctor.code == 0 and f"{note}:4: warning: not valid UTF-8" in doctor.out
    assert cli("--collection", col, "answer", cards["Caf\ufffd in English"], "good").code == 0

    note.write_text("#flashcards\n\nTea in German::Tee\nCafé in English::coffee\n"
                    "Milk in German::Milch\n")
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0 and result.json["errors"] == []
    assert "not valid UTF-8" not in result.err
    after = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    assert after == {"Tea in German": tea, "Café in English": cards["Caf\ufffd in English"],
                     "Milk in German": cards["Milk in German"]}
    assert sorted(e["card"] for e in cli("--collection", col, "log", "--json").json) == \
        sorted([tea, cards["Caf\ufffd in English"]])


def test_a_note_refused_for_its_bytes_by_an_older_flashdeck_is_read_again(cli, col, tmp_path,
                                                                          monkeypatch):
    """The collection kept such a note as unreadable by its hash: without a new parser version
    it stayed unchanged, and its cards never came in until the note was edited."""
    from flashdeck.notes import files
    from flashdeck.notes.model import Problem

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Drinks.md").write_bytes(b"#flashcards\n\nTea in German::Tee\nCaf\xe9::coffee\n")
    with monkeypatch.context() as old:  # as flashdeck with PARSER_VERSION 35 read it
        old.setattr(importer, "PARSER_VERSION", 35)
        old.setattr(files, "read_note_file", lambda path, display=None, **kwargs: (
            None, [Problem(display, 4, "not valid UTF-8 (byte 0xe9 at column 4)")]))
        assert cli("--collection", col, "import", vault).code == 1
    assert cli("--collection", col, "list", "--json").json == []
    result = cli("--collection", col, "import", vault)
    assert result.code == 0 and "Drinks.md:4: warning: not valid UTF-8" in result.err
    assert {c["front"] for c in cli("--collection", col, "list", "--json").json} == {
        "Tea in German", "Caf\ufffd"}
