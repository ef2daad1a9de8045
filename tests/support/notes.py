"""Notes in temp folders, and a small collection imported by the CLI."""

from __future__ import annotations

from pathlib import Path


def write_note(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def geo_collection(cli, tmp_path: Path) -> Path:
    """A collection holding two basic cards (Capital of France / Peru), imported by the CLI."""
    vault = tmp_path / "vault"
    write_note(vault, "geo.md", "#flashcards\n\nCapital of France::Paris\n\n"
                                "Capital of Peru::Lima\n")
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", vault).code == 0
    return path
