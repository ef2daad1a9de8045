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


def test_a_vault_without_the_tag_is_told_how_to_import_it(cli, tmp_path):
    """A first import of a vault kept without the plugin's tag said only "2 notes scanned:
    0 imported, 0 unchanged, 2 untagged; cards: 0 added…", and the review had nothing: no
    word of why or what to do. Now a line says a folder import reads tagged notes only and
    how to tag them; once a note is tagged it is imported and the line is gone."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Softmax.md").write_text(
        "# Softmax\n\nTurns logits into probabilities: $\\sigma(z)_i = e^{z_i} / \\sum_j"
        " e^{z_j}$\n\nWhat does softmax sum to?::1\n", encoding="utf-8")
    (vault / "Dropout.md").write_text(
        "---\ntags: [ml]\n---\nDropout zeroes activations with probability ==p== while"
        " training.\n", encoding="utf-8")
    col = tmp_path / "c.sqlite"
    first = cli("--collection", col, "import", vault)
    assert first.code == 0 and first.err == ""
    assert first.out.splitlines() == [
        "2 notes scanned: 0 imported, 0 unchanged, 2 untagged; cards: 0 added, 0 updated,"
        " 0 orphaned",
        "None of the 2 notes scanned has a flashcard tag (`#flashcards`, or the `tags` of the"
        " vault's .flashdeck.toml): a folder import reads tagged notes only. Tag the notes to"
        " learn from (`tags: [flashcards]` in their frontmatter), or name a note file to"
        " import it untagged."]
    assert cli("--collection", col, "import", "--json", vault).json["notes"]["skipped"] == 2
    checked = cli("--collection", col, "check", vault)  # the dry run says it too
    assert checked.out.splitlines()[-2:] == [
        "0 notes read (0 with cards), 0 cards, 2 untagged notes skipped, 0 errors, 0 warnings",
        first.out.splitlines()[1]]
    (vault / "Softmax.md").write_text("#flashcards\n\nWhat does softmax sum to?::1\n",
                                      encoding="utf-8")
    tagged = cli("--collection", col, "import", vault)
    lines = tagged.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("2 notes scanned: 1 imported, 0 unchanged,"
                                                   " 1 untagged; cards: ")
    single = tmp_path / "single"
    single.mkdir()
    (single / "Adam.md").write_text("Adam keeps moving averages of ==the gradient==.\n",
                                    encoding="utf-8")
    alone = cli("--collection", tmp_path / "d.sqlite", "import", single).out.splitlines()
    assert alone[1].startswith("The note scanned has no flashcard tag (`#flashcards`")


def test_a_doubled_slash_in_a_tag_names_no_empty_deck(cli, tmp_path):
    """`#flashcards//ml` (a slash typed twice) was the deck `flashcards//ml`: `due` listed a
    deck of no name between `flashcards` and `ml`, and `--deck flashcards/ml` missed it."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Optimizers.md").write_text(
        "#flashcards//ml\n\nWhich optimizer keeps a running mean of squared gradients?::RMSProp\n",
        encoding="utf-8")
    (vault / "Losses.md").write_text(
        "---\ntags: [flashcards///ml/]\n---\nWhich loss suits classification?::cross-entropy\n",
        encoding="utf-8")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    assert [line.split() for line in cli("--collection", col, "due").out.splitlines()] == [
        ["deck", "new", "learn", "due"], ["flashcards", "2", "0", "0"], ["ml", "2", "0", "0"],
        ["total", "2", "0", "0"]]
    listed = cli("--collection", col, "list", "--deck", "flashcards/ml", "--json").json
    assert sorted(c["deck"] for c in listed) == ["flashcards/ml", "flashcards/ml"]
