"""The end of a big import (issue 23: a cold import's wall clock): its notes are parsed in
worker processes while the importer writes, and the cores sit idle while one worker still
parses what it was handed and the other has nothing left, and again while the importer
writes what it holds once the last note is parsed. The last notes are handed out a few at a
time, and the last batches written are small; every note still lands, in its order."""

from __future__ import annotations

import os
from collections import deque

from support.notes import write_note
from flashdeck.collection import importer, parsing
from flashdeck.collection.sources import NoteFile
from flashdeck.notes.model import ParserSettings


class _Conn:
    def __init__(self) -> None:
        self.sent: list[list] = []

    def send(self, batch) -> None:
        self.sent.append(batch)


class _FakeWorker:
    """What _Pool._hand_out looks at: the notes a worker holds, and its pipe."""

    def __init__(self) -> None:
        self.assigned: deque[int] = deque()
        self.conn = _Conn()
        self.since = 0.0


def test_the_last_notes_are_handed_out_a_few_at_a_time(tmp_path):
    """Two workers parsing at the same pace: once every note is handed out, neither holds
    more than two notes it has not parsed yet (with 16 to a batch to the end, one held up to
    32 while the other had none: a core idle for those 32 notes' parse); each note is handed
    out once, in its order."""
    jobs = [(NoteFile(str(tmp_path / f"n{i}.md"), f"n{i}.md", f"n{i}.md"), ParserSettings(),
             True, None, True) for i in range(1000)]
    pool = parsing._Pool(jobs, 2, 30.0, 0)
    assert pool.chunk == 16
    workers = [_FakeWorker(), _FakeWorker()]
    pool.workers = workers
    held_at_end = None
    for _ in range(10_000):  # a bound: each round parses a note on each worker
        pool._hand_out()
        if not pool.todo and held_at_end is None:
            held_at_end = [len(w.assigned) for w in workers]
        for worker in workers:
            if worker.assigned:
                worker.assigned.popleft()
        if not pool.todo and not any(w.assigned for w in workers):
            break
    assert held_at_end is not None and max(held_at_end) <= 2, held_at_end
    handed = [[index for index, _ in batch] for w in workers for batch in w.conn.sent]
    assert sorted(i for batch in handed for i in batch) == list(range(1000))
    assert all(batch == list(range(batch[0], batch[0] + len(batch))) for batch in handed)
    assert max(len(batch) for batch in handed) == 16  # full batches while there is plenty


def test_the_last_batches_written_are_small(cli, tmp_path, monkeypatch):
    """Parsed on two workers, the notes are written in batches that shrink as the end nears:
    what is written once the last note is parsed is that note alone, not every note parsed
    since the last batch (all 60 here, before). Every card lands."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    vault = tmp_path / "vault"
    for i in range(60):
        write_note(vault, f"note{i:02d}.md",
                   f"---\ntags: [flashcards]\n---\n# Note {i}\n\nWhat is {i} + 2?::{i + 2}\n")
    assert 60 >= parsing.PARALLEL_MIN_FILES
    written: list[int] = []
    flush = importer._Batches.flush

    def counted(self) -> None:
        if self.pending:
            written.append(len(self.pending))
        flush(self)

    monkeypatch.setattr(importer._Batches, "flush", counted)
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 0, result.err
    assert "60 imported" in result.out and "60 added" in result.out
    assert sum(written) == 60
    assert written[-1] == 1, written
    assert len(written) <= 12, written  # halving, not a commit per note
    fronts = {card["front"] for card in cli("--collection", col, "list", "--json").json}
    assert fronts == {f"What is {i} + 2?" for i in range(60)}
