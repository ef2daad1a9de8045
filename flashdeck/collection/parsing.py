"""Reading and parsing notes, on all cores when there are many: a note file in, its cards
out as rows for the writer (see identity.CardRow). Runs in worker processes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from flashdeck.collection.identity import card_row
from flashdeck.collection.sources import NoteFile
from flashdeck.notes.model import ParsedNote, ParserSettings, Problem

READ_ATTEMPTS = 3  # reads of a note that changes while being read, before giving up on it
PARALLEL_MIN_FILES = 48  # below this a process pool costs more than it saves


@dataclass
class Parsed:
    file: NoteFile | None  # None only in transit from a worker (parse_many puts it back)
    size: int
    mtime_ns: int
    hash: str
    note: ParsedNote | None  # None: unreadable, a folder note without the tag, or for_writer
    problems: list[Problem]
    # for_writer: the note's title and its cards as `CardRow`-shaped tuples (None: no
    # flashcard note), instead of the whole note: that is all the writer needs
    title: str | None = None
    rows: list[tuple] | None = None


def read_and_parse(file: NoteFile, settings: ParserSettings, require_tag: bool,
                   known_hash: str | None = None, for_writer: bool = False) -> Parsed:
    """Read one note, hash it, and (unless its hash is `known_hash`) parse it.
    `for_writer`: hand the cards over as `rows` (see CardRow)."""
    from flashdeck.notes.files import read_note_file

    try:
        stat = os.stat(file.path)
        size, mtime_ns = stat.st_size, stat.st_mtime_ns
    except OSError as exc:
        return Parsed(file, -1, -1, "", None, [Problem(file.display, 0, f"cannot read: {exc.strerror}")])
    for attempt in range(READ_ATTEMPTS):
        try:
            raw = Path(file.path).read_bytes()
            again = os.stat(file.path)
        except OSError as exc:
            return Parsed(file, size, mtime_ns, "", None,
                          [Problem(file.display, 0, f"cannot read: {exc.strerror}")])
        if (again.st_size, again.st_mtime_ns) == (size, mtime_ns) and len(raw) == size:
            break
        # written to while we read (an editor saving): what we have may be torn
        size, mtime_ns = again.st_size, again.st_mtime_ns
    else:
        return Parsed(file, size, mtime_ns, "", None, [Problem(
            file.display, 0, "kept changing while being read; its cards are left as they"
            " were (import again once it is saved)")])
    from hashlib import blake2b  # here: an unchanged vault's re-import never hashes

    digest = blake2b(raw, digest_size=16).hexdigest()
    if known_hash is not None and digest == known_hash:
        return Parsed(file, size, mtime_ns, digest, None, [])
    text, problems = read_note_file(file.path, file.display, data=raw)
    if text is None:
        return Parsed(file, size, mtime_ns, digest, None, problems)
    from flashdeck.notes.parser import might_be_tagged, parse_note

    if require_tag and not might_be_tagged(text, settings):
        return Parsed(file, size, mtime_ns, digest, None, problems)
    note = parse_note(text, file.display, settings)
    if require_tag and not note.tagged:
        return Parsed(file, size, mtime_ns, digest, None, problems + note.problems)
    from flashdeck.exercises import exercises_for_note

    exercise_cards, exercise_problems = exercises_for_note(note)
    note.cards.extend(exercise_cards)
    note.problems.extend(exercise_problems)
    if for_writer:
        return Parsed(file, size, mtime_ns, digest, None, problems + note.problems, note.title,
                      [card_row(card) for card in note.cards])
    return Parsed(file, size, mtime_ns, digest, note, problems + note.problems, note.title)


def _parse_job(job: tuple) -> Parsed:
    return read_and_parse(*job)


def _parse_job_in_worker(job: tuple) -> Parsed:
    parsed = read_and_parse(*job)
    parsed.file = None  # the parent has it (its Path and stat cost more to send than to keep)
    return parsed


def _warm_up() -> None:
    """Import the parser and exercises, and load the built-in templates, once."""
    from flashdeck.exercises import builtin_templates
    from flashdeck.notes.parser import _markdown

    _markdown()
    builtin_templates()


def parse_many(jobs: list[tuple],
               on_done: Callable[[], None] | None = None) -> Iterable[Parsed]:
    """Parse on all cores when there is enough work; results come back in job order."""
    workers = os.cpu_count() or 1
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        for job in jobs:
            yield _parse_job(job)
            if on_done:
                on_done()
        return
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    _warm_up()  # before the fork: the workers start with all of it loaded

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunk = max(1, min(16, len(jobs) // (workers * 8)))  # small: the cores finish together
        for job, parsed in zip(jobs, pool.map(_parse_job_in_worker, jobs, chunksize=chunk)):
            parsed.file = job[0]
            yield parsed
            if on_done:
                on_done()


# -- check: parse only ----------------------------------------------------------------------
