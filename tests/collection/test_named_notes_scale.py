"""`find notes -name '*.md' -print0 | xargs -0 flashdeck import`: in a folder with no
`.obsidian`, each note named is a source of its own. The import looked every known source
up on disk for each note named (N² `lstat`s: 30 s for 1,700 notes of a public vault, 5 s
of it parsing); now the disk is asked about each source a bounded number of times."""

from __future__ import annotations

import os

from support.notes import write_note


def test_naming_many_notes_asks_the_disk_about_each_a_few_times(cli, tmp_path, monkeypatch):
    folder = tmp_path / "notes"
    paths = [write_note(folder, f"Note {i:03}.md", f"Capital {i}::City {i}\n")
             for i in range(120)]
    asked: list[str] = []
    real = os.path.lexists

    def lexists(path) -> bool:
        asked.append(str(path))
        return real(path)

    monkeypatch.setattr(os.path, "lexists", lexists)
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", *paths)
    assert result.code == 0, result.err
    assert "120 notes scanned: 120 imported" in result.out
    assert "cards: 120 added" in result.out
    assert len(asked) <= 5 * len(paths), len(asked)
    # again, one note moved (renamed): it keeps its card's id, the rest unchanged
    ids = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    os.rename(paths[7], folder / "Seven.md")
    paths[7] = folder / "Seven.md"
    asked.clear()
    result = cli("--collection", col, "import", *paths)
    assert result.code == 0, result.err
    assert "120 unchanged" in result.out and "0 added" in result.out
    assert "Note 007.md, moved or renamed: its cards keep their ids" in result.err
    assert len(asked) <= 5 * len(paths), len(asked)
    assert {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json} == ids
