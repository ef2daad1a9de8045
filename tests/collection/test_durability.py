"""What a power cut could cost: an answer's commit waits for the disk (synchronous=FULL, as
Anki's), an import's does not (the notes can always make it again), and the level comes
back for everything after the import."""

from __future__ import annotations

from pathlib import Path

import pytest

from flashdeck.collection.importer import import_paths
from flashdeck.collection.store import Collection

FULL, NORMAL = 2, 1


def _level(col: Collection) -> int:
    return col.conn.execute("PRAGMA synchronous").fetchone()[0]


def _vault(root: Path, notes: int) -> Path:
    root.mkdir()
    for i in range(notes):
        (root / f"Topic {i}.md").write_text(
            f"---\ntags: [flashcards/recall]\n---\n# Topic {i}\n\n"
            f"What does topic {i} measure?::The share of relevant items found\n",
            encoding="utf-8")
    return root


def test_a_collection_commits_wait_for_the_disk(tmp_path):
    with Collection.open(tmp_path / "col.sqlite") as col:
        assert _level(col) == FULL


def test_an_import_does_not_wait_for_the_disk_and_everything_after_it_does(tmp_path):
    vault = _vault(tmp_path / "vault", 3)
    seen: list[int] = []
    with Collection.open(tmp_path / "col.sqlite") as col:
        report = import_paths(col, [str(vault)], now=0,
                              progress=lambda done, total: seen.append(_level(col)))
        assert report.cards_added == 3
        assert seen and set(seen) == {NORMAL}
        assert _level(col) == FULL


def test_inside_a_transaction_the_level_stays_durable(tmp_path):
    with Collection.open(tmp_path / "col.sqlite") as col:
        with col.transaction():
            with col.redoable_writes():
                assert _level(col) == FULL
        assert _level(col) == FULL


def test_a_failing_import_leaves_the_collection_durable(tmp_path):
    with Collection.open(tmp_path / "col.sqlite") as col:
        with pytest.raises(KeyError), col.redoable_writes():
            assert _level(col) == NORMAL
            raise KeyError("the import failed")
        assert _level(col) == FULL


def _cache(col: Collection) -> int:
    return col.conn.execute("PRAGMA cache_size").fetchone()[0]


def test_an_import_s_larger_page_cache_is_bounded_and_given_back(tmp_path):
    # the review screen keeps its connection and re-imports on return from the editor:
    # the import's cache must not stay with it
    from flashdeck.collection.store import IMPORT_CACHE_KIB

    vault = _vault(tmp_path / "vault", 3)
    seen: list[int] = []
    with Collection.open(tmp_path / "col.sqlite") as col:
        before = _cache(col)
        import_paths(col, [str(vault)], now=0,
                     progress=lambda done, total: seen.append(_cache(col)))
        assert seen and set(seen) == {-IMPORT_CACHE_KIB}
        assert IMPORT_CACHE_KIB <= 64 * 1024  # KiB: bounded whatever the vault's size
        assert _cache(col) == before
        with pytest.raises(KeyError), col.import_cache():
            raise KeyError("the import failed")
        assert _cache(col) == before


def test_a_backup_s_name_is_on_disk_once_it_is_given(tmp_path, monkeypatch):
    """A backup (before `doctor --fix`, before an upgrade) is renamed from its partial copy
    to its name: the folder is flushed after the rename, so a power cut right after the
    fix does not take the backup's name back (the copy gone, the fix done)."""
    import os
    import stat

    events: list[tuple] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", stat.S_ISDIR(os.fstat(fd).st_mode)))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", Path(dst).name))
        real_replace(src, dst)

    with Collection.open(tmp_path / "c.sqlite") as col:
        import_paths(col, [str(_vault(tmp_path / "vault", 2))], now=0)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        assert col.backup(tmp_path / "c.sqlite.doctor-1.bak")
    at = events.index(("replace", "c.sqlite.doctor-1.bak"))
    assert ("fsync", True) in events[at + 1:], events
    with Collection.open(tmp_path / "c.sqlite.doctor-1.bak") as copy:
        assert copy.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 2
