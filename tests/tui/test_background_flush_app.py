"""The review screen's answers are flushed to the disk in the background (issue 23;
tests/collection/test_background_flush.py tests the flush itself)."""

from __future__ import annotations

from flashdeck.collection.importer import import_paths
from flashdeck.collection.store import Collection
from flashdeck.tui.app import build_app


def test_the_review_screen_flushes_in_the_background(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Graphs.md").write_text("---\ntags: [flashcards/graphs]\n---\n# Graphs\n\n"
                                     "A tree on n vertices has how many edges?::n - 1\n",
                                     encoding="utf-8")
    path = tmp_path / "col.sqlite"
    with Collection.open(path) as col:
        import_paths(col, [str(vault)], now=0)
        assert not col.syncs_in_background  # a command's: each commit waits for the disk
    app = build_app(path, bundled=False, rescan=False)
    try:
        assert app.session.col.syncs_in_background
    finally:
        app.session.col.close()
