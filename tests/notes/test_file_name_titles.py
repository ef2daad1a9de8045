"""A note's title from its file name is plain text, as Obsidian shows it: a Python user's
`__init__.md` is titled `__init__`, not a bold `init`, and `$k$-means.md` is no formula. Before, the file name went into the derived fronts and the breadcrumb as
markdown: `show` printed `What is meant by init?` under `flashcards · init`. A `title:` in
the frontmatter is still the author's markdown (`title: $\\beta$-VAE` reads `β-VAE`)."""

from __future__ import annotations

import pytest

from flashdeck.notes.parser import parse_note
from support.notes import write_note

NOTE = ("---\ntags: [flashcards]\naliases: [constructor hook]\n"
        "summary: Runs when a new instance is made.\n---\n"
        "Called by::the class, after `__new__`\n")


def _shown(cli, tmp_path, name: str) -> dict[str, list[str]]:
    """`show --answer` of each card of the note `name`, by kind: its lines."""
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, name, NOTE)
    assert cli("--collection", col, "import", vault).code == 0
    return {c["kind"]: cli("--collection", col, "show", c["id"], "--answer").out.splitlines()
            for c in cli("--collection", col, "list", "--json").json}


@pytest.mark.parametrize("name, title", [
    ("__init__.md", "__init__"),
    ("_private helpers_.md", "_private helpers_"),
    ("$PATH and $HOME.md", "$PATH and $HOME"),
    ("$k$-means.md", "$k$-means"),
    ("`git stash`.md", "`git stash`"),
    ("~~deprecated~~ APIs.md", "~~deprecated~~ APIs"),
    ("==pinned== notes.md", "==pinned== notes"),
    ("&amp; and &lt;.md", "&amp; and &lt;"),
    ("[[MOC]] index.md", "[[MOC]] index"),
    ("[docs](v2) links.md", "[docs](v2) links"),
])
def test_a_title_from_a_file_name_shows_as_written(cli, tmp_path, name, title):
    shown = _shown(cli, tmp_path, name)
    assert shown["summary"][0].endswith(f"flashcards · {title}")
    assert shown["summary"][2] == f"What is meant by {title}?"
    assert shown["aliases"][2] == f"What is another name for {title}?"
    assert shown["basic"][0].endswith(f"flashcards · {title}")  # the breadcrumb


def test_plain_file_names_keep_their_titles_byte_for_byte():
    """The common names hold nothing markdown would read: their title, and so every derived
    front and the cards' identity, is the file name as before."""
    for stem in ("F1 Score", "learning_rate schedule", "snake_case_names", "Q&A", "C++",
                 "Big-O Cheatsheet", "R&D notes", "2. Linear Regression", "E=mc2",
                 "a ~ b", "Käse", "[Draft] plan"):
        assert parse_note(NOTE, f"/v/{stem}.md").title == stem


def test_a_frontmatter_title_is_still_markdown(cli, tmp_path):
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "beta-vae.md", "---\ntags: [flashcards]\ntitle: $\\beta$-VAE\n"
                                     "summary: A VAE with a weighted KL term.\n---\n")
    assert cli("--collection", col, "import", vault).code == 0
    [card] = cli("--collection", col, "list", "--json").json
    shown = cli("--collection", col, "show", card["id"]).out.splitlines()
    assert shown[0].endswith("flashcards · β-VAE")
    assert shown[2] == "What is meant by β-VAE?"


def test_aliases_show_as_written(cli, tmp_path):
    """Aliases are plain names too (Obsidian's properties and link suggestions show them as
    written): `aliases: [__init__, __new__]` answered `init, new` in bold."""
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, "Dunder methods.md",
               "---\ntags: [flashcards]\naliases: [__init__, __new__, magic_methods, '`x`']\n"
               "---\nbody\n")
    assert cli("--collection", col, "import", vault).code == 0
    [card] = cli("--collection", col, "list", "--json").json
    shown = cli("--collection", col, "show", card["id"], "--answer").out.splitlines()
    assert shown[2] == "What are other names for Dunder methods?"
    assert shown[-1] == "__init__, __new__, magic_methods, `x`"


def test_a_question_title_ends_the_question_once():
    """A note titled as a question (`title:`, or a file name with the full-width `？` that
    file systems allow): its own question mark ends the front, as in print ("What is
    another name for *Why is the sky blue?*"), not `?*?`."""
    body = ("aliases: [Rayleigh scattering]\nsummary: Short wavelengths scatter more.\n---\n"
            "$$\\sum_i x_i$$\n")
    for note, asked in ((parse_note("---\ntitle: Why is the sky blue?\n" + body, "/v/Sky.md"),
                         "Why is the sky blue?"),
                        (parse_note("---\n" + body, "/v/天空为什么是蓝色的？.md"),
                         "天空为什么是蓝色的？")):
        assert {c.kind: c.front for c in note.cards} == {
            "summary": asked, "aliases": f"What is another name for *{asked}*",
            "formula": f"What is the formula for *{asked}*"}
