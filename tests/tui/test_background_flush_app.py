"""The review screen's answers are flushed to the disk once the next card is painted (issue
23; tests/collection/test_background_flush.py tests the flush itself)."""

from __future__ import annotations

import os

import pytest

from flashdeck.collection.importer import import_paths
from flashdeck.collection.store import Collection
from flashdeck.tui.app import build_app
from support.commits import watch_commits
from support.tui import SIZE, NOW_ISO, app_for, make_collection, reviews, run_async

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_review_screen_flushes_after_its_commits(tmp_path):
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


@run_async
async def test_each_answer_is_flushed_once_the_next_card_is_painted(tmp_path, monkeypatch):
    """After each answer the log is flushed by the screen itself, once the next card is
    drawn: before the next answer's commit, and never by that commit's own wait."""
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    path = make_collection(tmp_path / "c.sqlite")
    app = app_for(path)
    col = app.session.col
    events: list[str] = []
    real = os.fdatasync

    def flush(fd: int) -> None:
        # made by a commit's wait (inside its transaction), or by the screen (outside)
        events.append("flushed by the commit" if col.conn.in_transaction else "flushed")
        real(fd)

    monkeypatch.setattr(os, "fdatasync", flush)
    watch_commits(col.conn, events)
    async with app.run_test(size=SIZE) as pilot:
        for rating in ("3", "1", "4"):
            await pilot.press("space", rating)
            for _ in range(50):  # bounded: the flush comes with the next repaint
                await pilot.pause()
                if not col._behind or not col._behind.due:
                    break
        # the first answer's commit waited for the disk itself (synchronous FULL); each
        # later one was flushed by the screen before anything else was written
        assert events == ["commit", "commit", "flushed", "commit", "flushed"]
    assert reviews(path) == [(1, 3), (2, 1), (3, 4)]


@run_async
async def test_a_flush_still_due_is_made_by_the_screen_s_timer(tmp_path, monkeypatch):
    """Should the screen an answer's flush was to follow go away before its repaint, the
    timer that checkpoints the idle screen flushes it (within its 3 seconds)."""
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    path = make_collection(tmp_path / "c.sqlite")
    app = app_for(path)
    col = app.session.col
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "3", "space", "1")
        await pilot.pause()
        col._behind.start()  # a commit whose repaint never came
        assert col._behind.due
        app.checkpoint_when_idle()
        assert not col._behind.due
    assert reviews(path) == [(1, 3), (2, 1)]
