"""`flashdeck show` names a card's images with where they are in the vault, or why they
cannot be shown; it never reads an image, nor imports textual-image."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from support.notes import write_note

NOTE = """---
tags: [flashcards]
---
# Precision Recall

### What does a good precision-recall curve look like?
It hugs the top right corner.

![[pr-curve.png|300]]

### Which figure did the lecture use?
![the matrix](figures/confusion%20matrix.png)

![[lecture-slide.png]]

![Arithmetic mean](https://i.example.com/SYA7h.jpg)

### Where does the secret live?
![[../../secret.png]]
"""


@pytest.fixture()
def vault(tmp_path):
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    for rel in ("attachments/pr-curve.png", "ML/figures/confusion matrix.png"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write_note(root / "ML", "Precision Recall.md", NOTE)
    return root


@pytest.fixture()
def col(cli, tmp_path, vault):
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", vault).code == 0
    return path


def shown(cli, col, start: str) -> list[str]:
    cards = cli("--collection", col, "list", "--json").json
    card = next(c["id"] for c in cards if c["front"].startswith(start))
    result = cli("--collection", col, "show", card, "--answer", "--width", "200")
    assert result.code == 0, result.err
    return result.out.splitlines()


def test_show_names_each_image_with_its_path_in_the_vault(cli, col, vault):
    lines = shown(cli, col, "What does a good")
    assert f"[image: pr-curve.png → {(vault / 'attachments' / 'pr-curve.png').resolve()}]" \
        in lines


def test_show_names_a_relative_image_a_missing_one_and_a_link(cli, col, vault):
    lines = shown(cli, col, "Which figure")
    matrix = (vault / "ML" / "figures" / "confusion matrix.png").resolve()
    assert f"[image: the matrix (confusion matrix.png) → {matrix}]" in lines
    assert "[image: lecture-slide.png — not found]" in lines
    assert "[image: Arithmetic mean (SYA7h.jpg) — a link (not downloaded)]" in lines


def test_show_never_follows_a_path_out_of_the_vault(cli, col):
    lines = shown(cli, col, "Where does the secret")
    assert "[image: ../../secret.png — outside the vault]" in lines


def test_show_imports_no_image_library(col):
    """`show` only names images: textual-image (which asks the terminal) and Pillow stay
    unloaded."""
    script = ("import sys; from flashdeck.cli import main; "
              f"main(['--collection', {str(col)!r}, 'show', '1', '--answer']); "
              "print([m for m in ('textual_image', 'PIL', 'textual') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "FLASHDECK_NOW": "2026-11-24T09:00:00+00:00"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_show_never_prints_a_terminal_escape_from_a_folder_name(cli, tmp_path):
    """The image's path comes from the disk, not the note: a folder named with a terminal
    escape (`\\x1b]0;…\\x07` retitles the terminal) was printed raw by `show`. Now it shows
    its control pictures, like any card text."""
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    folder = root / "att\x1b]0;pwned\x07"
    folder.mkdir()
    (folder / "roc.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write_note(root, "ROC.md", "---\ntags: [flashcards]\n---\n### What does the ROC curve "
               "plot?\n![[roc.png]]\nTPR against FPR.\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", root).code == 0
    lines = shown(cli, col, "What does the ROC")
    text = "\n".join(lines)
    assert "\x1b" not in text and "\x07" not in text
    assert "att␛]0;pwned␇/roc.png]" in text


def test_show_puts_an_image_on_its_own_line_as_the_review_screen_does(cli, tmp_path, vault):
    """A note writes its explanation right under the image (no blank line). The review
    screen draws the image, then the text; `show` ran the label and the text together,
    `[image: pr-curve.png → …] The curve hugs the corner.`. Now the label is its own block."""
    write_note(vault / "ML", "Curves.md", "---\ntags: [flashcards]\n---\n"
               "### What does a good PR curve do?\n![[pr-curve.png]]\nIt hugs the corner.\n")
    col = tmp_path / "c2.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    lines = shown(cli, col, "What does a good PR curve do?")
    label = next(i for i, line in enumerate(lines) if line.startswith("[image: pr-curve.png"))
    assert lines[label].endswith("attachments/pr-curve.png]")
    assert "It hugs the corner." in lines[label + 1:]
