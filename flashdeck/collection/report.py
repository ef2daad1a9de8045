"""What an import or a check did: notes and cards counted, and every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field

from flashdeck.notes.model import Problem


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
            f"{self.notes_scanned} notes scanned: {self.notes_imported} imported, "
            f"{self.notes_unchanged} unchanged, {self.notes_skipped} untagged"
        ]
        if self.notes_gone:
            parts.append(f"{self.notes_gone} gone")
        parts.append(
            f"cards: {self.cards_added} added, {self.cards_updated} updated, "
            f"{self.cards_orphaned} orphaned"
        )
        if self.errors:
            parts.append(f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}")
        return "; ".join(parts)
