"""Decks named by tags as Obsidian reads them, seen through the CLI: emoji and symbols in a
tag, and a tag written in bold."""

from __future__ import annotations

from pathlib import Path


def _vault(root: Path) -> Path:
    vault = root / "vault"
    vault.mkdir()
    (vault / "Neural Nets.md").write_text(
        "# Neural Nets\n\n#flashcards/🧠-ml\n\nWhat does a ReLU return for -3?::0\n\n"
        "#flashcards/ml✨ Which activation is smooth everywhere?::GELU\n", encoding="utf-8")
    (vault / "Loss Functions.md").write_text(
        "# Loss Functions\n\n**#flashcards/losses**\n\nWhich loss for classification?::"
        "cross-entropy\n", encoding="utf-8")
    return vault


def test_emoji_and_bold_tags_name_their_decks_in_every_command(cli, tmp_path):
    """The deck was `flashcards` (the tag cut at the emoji), `#flashcards/ml✨` stayed in the
    front, and the note tagged only `**#flashcards**` was skipped as untagged."""
    vault = _vault(tmp_path)
    col = tmp_path / "c.sqlite"
    checked = cli("--collection", col, "check", vault)
    assert checked.code == 0, checked.err
    assert "0 untagged notes skipped" in checked.out
    rows = [line.split(None, 3) for line in checked.out.splitlines() if line.startswith("  ")]
    assert [(r[2], r[3]) for r in rows] == [
        ("flashcards/losses", "Which loss for classification?"),
        ("flashcards/🧠-ml", "What does a ReLU return for -3?"),
        ("flashcards/ml✨", "Which activation is smooth everywhere?")]
    assert cli("--collection", col, "import", vault).code == 0
    due = cli("--collection", col, "due").out
    assert [line.split()[0] for line in due.splitlines()[1:-1]] == [
        "flashcards", "losses", "ml✨", "🧠-ml"]
    listed = cli("--collection", col, "list", "--deck", "flashcards/🧠-ml", "--json").json
    assert [(c["deck"], c["front"]) for c in listed] == [
        ("flashcards/🧠-ml", "What does a ReLU return for -3?")]
