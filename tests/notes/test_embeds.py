"""Embedded images found as Obsidian finds them, never outside the vault."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flashdeck.notes import embeds
from flashdeck.notes.embeds import NOT_FOUND, OUTSIDE, REMOTE, Resolver, VaultIndex


@pytest.fixture(autouse=True)
def _fresh_index():
    VaultIndex.forget()
    yield
    VaultIndex.forget()


def touch(path: Path, data: bytes = b"\x89PNG\r\n\x1a\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    touch(root / "attachments" / "roc-curve.png")
    touch(root / "ML" / "Metrics" / "f1-score-srcs" / "Untitled.png")
    touch(root / "ML" / "Metrics" / "confusion.png")
    touch(root / "Other" / "deep" / "confusion.png")
    touch(root / "confusion.png")
    touch(root / "ML" / "Metrics" / "plots" / "pr curve.png")
    (root / "ML" / "Metrics" / "F1 Score.md").write_text("# F1\n")
    return root


def resolver(vault: Path) -> Resolver:
    return Resolver(vault, vault / "ML" / "Metrics" / "F1 Score.md")


def test_a_name_is_found_anywhere_in_the_vault(vault):
    embed = resolver(vault).wiki("roc-curve.png")
    assert embed.path == (vault / "attachments" / "roc-curve.png").resolve()
    assert embed.problem is None
    assert embed.label(with_path=True) == f"[image: roc-curve.png → {embed.path}]"


def test_a_shared_name_prefers_the_notes_folder_then_the_shortest_path(vault):
    assert resolver(vault).wiki("confusion.png").path == \
        (vault / "ML" / "Metrics" / "confusion.png").resolve()
    other = Resolver(vault, vault / "Other" / "note.md")
    assert other.wiki("confusion.png").path == (vault / "confusion.png").resolve()


def test_a_vault_path_and_a_paths_tail(vault):
    full = resolver(vault).wiki("ML/Metrics/f1-score-srcs/Untitled.png")
    assert full.path == (vault / "ML/Metrics/f1-score-srcs/Untitled.png").resolve()
    tail = resolver(vault).wiki("f1-score-srcs/Untitled.png")
    assert tail.path == full.path
    assert resolver(vault).wiki("nowhere/Untitled.png").problem == NOT_FOUND


def test_sizes_and_alt_text():
    assert embeds.parse_wiki_target("a.png|300") == ("a.png", "", 300, None)
    assert embeds.parse_wiki_target("a.png|300x200") == ("a.png", "", 300, 200)
    assert embeds.parse_wiki_target("a.png|a plot") == ("a.png", "a plot", None, None)
    assert embeds.parse_wiki_target("dir/a.png#x|40") == ("dir/a.png", "", 40, None)


def test_a_markdown_image_is_relative_to_the_note_and_url_decoded(vault):
    embed = resolver(vault).markdown("PR curve", "plots/pr%20curve.png")
    assert embed.path == (vault / "ML/Metrics/plots/pr curve.png").resolve()
    assert embed.name == "PR curve (pr curve.png)"
    angle = resolver(vault).markdown("", "<plots/pr curve.png>")
    assert angle.path == embed.path
    sized = resolver(vault).markdown("curve|120x80", "plots/pr%20curve.png")
    assert (sized.width, sized.height, sized.alt) == (120, 80, "curve")


def test_a_url_stays_a_labelled_link(vault):
    embed = resolver(vault).markdown("Arithmetic mean", "https://i.example.com/SYA7h.jpg")
    assert embed.path is None and embed.problem == REMOTE
    assert embed.label() == "[image: Arithmetic mean (SYA7h.jpg) — a link (not downloaded)]"


def test_a_missing_image_is_named_with_why(vault):
    embed = resolver(vault).wiki("confusion-matrix.png")
    assert embed.label() == "[image: confusion-matrix.png — not found]"


def test_a_note_embed_is_named_not_resolved(vault):
    """Named with the heading it embeds: `[embed: Precision and Recall]` did not say which
    part of the note the card shows there; a block reference names its note."""
    embed = resolver(vault).wiki("Precision and Recall#Definition")
    assert embed.label() == "[embed: Precision and Recall › Definition]"
    assert embed.path is None and embed.problem is None
    assert resolver(vault).wiki("Precision and Recall#^a1b2c3").label() == \
        "[embed: Precision and Recall]"
    assert resolver(vault).wiki("Precision and Recall#Definition|the definition").label() == \
        "[embed: Precision and Recall › Definition]"


@pytest.mark.parametrize("target", ["../../../../etc/passwd.png", "../../../outside.png",
                                    "/etc/passwd.png"])
def test_paths_never_leave_the_vault(vault, target):
    touch(vault.parent / "outside.png")
    embed = resolver(vault).wiki(target)
    assert embed.path is None and embed.problem == OUTSIDE
    assert resolver(vault).markdown("x", target).path is None


def test_a_symlink_out_of_the_vault_is_not_followed(vault):
    secret = touch(vault.parent / "secret.png")
    os.symlink(secret, vault / "attachments" / "link.png")
    os.symlink(vault.parent, vault / "attachments" / "up")
    embed = resolver(vault).wiki("link.png")
    assert embed.path is None and embed.problem == OUTSIDE
    assert resolver(vault).wiki("attachments/up/secret.png").problem == OUTSIDE
    # nor is a symlinked folder walked when looking a name up
    assert resolver(vault).wiki("secret.png").problem == NOT_FOUND


def test_the_vault_walk_is_bounded_and_cached(vault, monkeypatch):
    monkeypatch.setattr(embeds, "MAX_WALK_ENTRIES", 3)
    index = VaultIndex.of(vault.resolve())
    assert index.truncated
    assert VaultIndex.of(vault.resolve()) is index  # once per session


def test_a_pipe_escaped_for_a_table_still_sizes_the_image(vault):
    """In a table Obsidian writes `![[plot.png\\|300]]` (a bare `|` would end the cell): it
    read as an embedded note `plot.png\\` (`[embed: roc-curve.png\\]`). Now it is the image,
    300 pixels wide."""
    embed = resolver(vault).wiki("roc-curve.png\\|300")
    assert embed.is_image and embed.width == 300 and embed.path is not None
    assert embed.label() == "[image: roc-curve.png]"
