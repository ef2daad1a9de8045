"""What an import or a check did: notes and cards counted, and every problem found; and the
problems kept with each note in the collection, so that an unchanged note's problems are
reported by every import (and listed by `doctor`) until the note changes and parses clean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from flashdeck.notes.model import Problem
from flashdeck.words import count

MAX_KEPT_PROBLEMS = 200  # kept per note; one more row counts the rest
MAX_KEPT_MESSAGE = 2000  # characters of a kept message
MAX_UNREAD_NAMES = 3  # untagged notes named by the import's hint; the rest are counted
_LINE_MAX = 2**63 - 1


@dataclass
class ImportReport:
    notes_scanned: int = 0
    notes_imported: int = 0
    notes_unchanged: int = 0
    notes_skipped: int = 0  # untagged notes of a folder
    notes_gone: int = 0
    cards_added: int = 0
    cards_updated: int = 0
    cards_orphaned: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # decks = "folders": untagged subfolder notes not read that hold cards in the plugin's
    # syntax (`::` lines, clozes): how many, their cards, the first few by name
    unread_notes: int = 0
    unread_cards: int = 0
    unread_names: list[str] = field(default_factory=list)

    def add(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            (self.warnings if problem.severity == "warning" else self.errors).append(problem)

    def add_unread(self, display: str, cards: int) -> None:
        if cards:
            self.unread_notes += 1
            self.unread_cards += cards
            if len(self.unread_names) < MAX_UNREAD_NAMES:
                self.unread_names.append(display)

    def to_json(self) -> dict:
        def problems(items: list[Problem]) -> list[dict]:
            return [{"path": p.path, "line": p.line, "message": p.message} for p in items]

        return {
            "notes": {
                "scanned": self.notes_scanned,
                "imported": self.notes_imported,
                "unchanged": self.notes_unchanged,
                "skipped": self.notes_skipped,
                "gone": self.notes_gone,
            },
            "cards": {
                "added": self.cards_added,
                "updated": self.cards_updated,
                "orphaned": self.cards_orphaned,
            },
            "errors": problems(self.errors),
            "warnings": problems(self.warnings),
        }

    def summary(self) -> str:
        parts = [
            f"{count(self.notes_scanned, 'note')} scanned: {self.notes_imported} imported, "
            f"{self.notes_unchanged} unchanged, {self.notes_skipped} untagged"
        ]
        if self.notes_gone:
            parts.append(f"{self.notes_gone} gone")
        parts.append(
            f"cards: {self.cards_added} added, {self.cards_updated} updated, "
            f"{self.cards_orphaned} orphaned"
        )
        if self.errors:
            parts.append(count(len(self.errors), "error"))
        if self.warnings:
            parts.append(count(len(self.warnings), "warning"))
        return "; ".join(parts)


# -- problems kept with their notes (table note_problems) -----------------------------------


def keep_problems(conn, note_id: int, display: str, problems: list[Problem]) -> None:
    """What the collection keeps of a note's problems becomes `problems` (none: cleared).
    Called inside the note's own write, so they land (or roll back) with the note."""
    conn.execute("DELETE FROM note_problems WHERE note_id = ?", (note_id,))
    if not problems:
        return
    kept, rest = problems[:MAX_KEPT_PROBLEMS], problems[MAX_KEPT_PROBLEMS:]
    rows = [(note_id, seq, _line(p.line), _severity(p.severity), _message(p.message),
             None if p.path == display else _message(p.path))
            for seq, p in enumerate(kept)]
    if rest:
        errors = sum(_severity(p.severity) == "error" for p in rest)
        what = (f"{errors} error{'s' if errors != 1 else ''}, " if errors else "") \
            + f"{len(rest) - errors} warning{'s' if len(rest) - errors != 1 else ''}"
        rows.append((note_id, len(kept), _line(rest[0].line), "error" if errors else "warning",
                     f"{len(rest)} more problems not kept ({what}); `flashdeck check` on the"
                     " note lists them all", None))
    conn.executemany("INSERT INTO note_problems (note_id, seq, line, severity, message, path)"
                     " VALUES (?, ?, ?, ?, ?, ?)", rows)


def kept_problems(conn, note_id: int, display: str) -> list[Problem]:
    """The problems kept with one note, its own named `display`."""
    return [_problem(row, display) for row in conn.execute(
        "SELECT line, severity, message, path FROM note_problems WHERE note_id = ?"
        " ORDER BY seq", (note_id,))]


def kept_problems_by_note(conn, source_id: int) -> dict[int, list[tuple]]:
    """note id -> its kept problems' rows (line, severity, message, path), for the notes of
    one source that have any; `as_problems` makes them Problems."""
    found: dict[int, list[tuple]] = {}
    for row in conn.execute(
            "SELECT note_id, line, severity, message, path FROM note_problems"
            " WHERE note_id IN (SELECT id FROM notes WHERE source_id = ?)"
            " ORDER BY note_id, seq", (source_id,)):
        found.setdefault(row[0], []).append(tuple(row)[1:])
    return found


def as_problems(rows: Iterable[tuple], display: str) -> list[Problem]:
    return [_problem(row, display) for row in rows]


def _problem(row, display: str) -> Problem:
    line, severity, message, path = row
    return Problem(path if path is not None else display, line, message, severity)


def _line(line) -> int:
    return min(max(line, 0), _LINE_MAX) if isinstance(line, int) else 0


def _message(text) -> str:
    text = str(text)
    return text if len(text) <= MAX_KEPT_MESSAGE else text[:MAX_KEPT_MESSAGE - 1] + "…"


def _severity(severity) -> str:
    return "warning" if severity == "warning" else "error"
