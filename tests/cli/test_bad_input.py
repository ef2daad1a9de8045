"""A vault full of broken files: each bad file gets one `path:line: message`, every good card
still lands, the exit code is 1, and no traceback reaches the user."""

from __future__ import annotations

import os
import re

import pytest

from support.notes import write_note

GOOD = "---\ntags: [flashcards]\n---\n\nGood question::good answer\n"


@pytest.fixture
def bad_vault(tmp_path):
    v = tmp_path / "vault"
    write_note(v, "good.md", GOOD)
    write_note(v, "broken yaml.md", "---\ntags: [flashcards\nsummary: : :\n---\n\nQ1::A1\n")
    write_note(v, "list frontmatter.md", "---\n- flashcards\n- other\n---\n#flashcards\n\nQ2::A2\n")
    (v / "latin1.md").write_bytes("#flashcards\n\nCaf\xe9::coffee\n".encode("latin-1"))
    (v / "nul.md").write_bytes(b"#flashcards\n\nQ3::A3\x00\x00\n")
    (v / "empty.md").write_bytes(b"")
    write_note(v, "unclosed.md", "---\ntags: [flashcards]\n\nQ4::A4\n")
    (v / "crlf.md").write_bytes(b"#flashcards\r\n\r\nCRLF question::CRLF answer\r\n")
    (v / "bom.md").write_bytes("\ufeff---\ntags: [flashcards]\n---\nBOM question::BOM answer\n"
                               .encode("utf-8"))
    (v / "binary.md").write_bytes(bytes(range(256)) * 40)
    (v / "folder.md").mkdir()
    write_note(v, "folder.md/inside.md", "#flashcards\n\nInside question::inside answer\n")
    os.symlink(v / "loop", v / "loop")
    os.symlink(v / "missing-target.md", v / "dangling.md")
    write_note(v, "big.md", "#flashcards\n\n" + ("Plain prose line.\n\n" * 150_000)
               + "Big question::big answer\n")
    write_note(v, "long line.md", "#flashcards\n\n" + "x" * 1_000_000 + "\n\nLong question::ok\n")
    write_note(v, "deep.md", "#flashcards\n\n" + ">" * 3000 + " deep\n\nDeep question::deep answer\n")
    return v


def test_bad_files_are_reported_and_good_cards_land(cli, bad_vault, tmp_path):
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", bad_vault)
    assert result.code == 1
    assert "Traceback" not in result.err + result.out
    errors = [line for line in result.err.splitlines() if ": warning: " not in line]
    for line in errors:
        assert re.match(r"^.+:\d+: \S", line), line
    by_file = {}
    for line in errors:
        name = os.path.basename(line.split(":", 1)[0])
        by_file[name] = by_file.get(name, 0) + 1
    for name in ("nul.md", "binary.md", "dangling.md", "broken yaml.md"):
        assert by_file.get(name) == 1, (name, result.err)
    # a byte that is not UTF-8 is a warning: the rest of the note is read (as Obsidian shows it)
    assert f"{bad_vault}/latin1.md:3: warning: not valid UTF-8 (byte 0xe9 at column 4)" \
        in result.err
    fronts = {c["front"] for c in cli("--collection", col, "list", "--json").json}
    assert {"Good question", "CRLF question", "BOM question", "Inside question",
            "Big question", "Long question", "Deep question", "Q2", "Caf\ufffd"} <= fronts
    # unreadable files gave nothing; notes whose frontmatter (and so their tags) cannot be
    # read are reported and, in a folder import, not taken as flashcard notes
    assert not fronts & {"Café", "Q3", "Q1", "Q4"}
    assert "unclosed.md:1: warning: frontmatter is not closed" in result.err


def test_an_empty_folder_is_fine(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("--collection", tmp_path / "c.sqlite", "import", tmp_path / "empty", "--json")
    assert result.code == 0
    assert result.json["notes"]["scanned"] == 0


def test_check_on_the_bad_vault_says_the_same(cli, bad_vault, tmp_path):
    result = cli("check", bad_vault, "--json")
    assert result.code == 1
    paths = {os.path.basename(e["path"]) for e in result.json["errors"]}
    assert {"nul.md", "binary.md"} <= paths
    assert [(os.path.basename(w["path"]), w["line"]) for w in result.json["warnings"]
            if "not valid UTF-8" in w["message"]] == [("latin1.md", 3)]
    for error in result.json["errors"]:
        assert isinstance(error["line"], int) and error["message"]


@pytest.mark.parametrize("frontmatter, line, says", [
    # a quote never closed: PyYAML stops at the end of the frontmatter, the closing `---`
    ('tags: [flashcards]\nsummary: "Half a quote\nsource: lecture 3', 3,
     "a quoted value begun on this line is never closed"),
    ("tags: [flashcards]\nsummary: the mean\naliases: [F-score, Dice", 4,
     "a '[' list begun on this line is never closed"),
    ("tags: [flashcards]\nsource: {book: Bishop, page: 12", 3,
     "a '{' mapping begun on this line is never closed"),
    ("summary: x\ntags: [flashcards\nsource: lecture", 4, "(in a '[' list begun on line 3)"),
    ("tags: [flashcards]\nsummary: the mean\n  aliases: x\nsource: y", 4, "mapping values"),
])
def test_a_frontmatter_error_names_its_own_line_not_the_closing_fence(
        cli, tmp_path, frontmatter, line, says):
    text = f"---\n{frontmatter}\n---\n\n#flashcards\n\nMean::sum over count\n"
    note = write_note(tmp_path / "v", "Mean.md", text)
    closing = text.split("\n").index("---", 1) + 1
    result = cli("check", note)
    problems = [x for x in result.err.splitlines() if "frontmatter is not valid YAML" in x]
    assert len(problems) == 1, result.err
    assert problems[0].startswith(f"{note}:{line}: "), (problems[0], closing)
    assert line != closing
    assert says in problems[0]
    assert "Traceback" not in result.err
