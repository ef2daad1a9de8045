"""While the review screen is open, a backup or sync tool that copies the collection file
alone (not its `-wal`) carries every answer given once the screen has been left alone a
moment; before, a sitting's answers reached the file only at SQLite's automatic checkpoint
(~80 answers) or on quitting. And a log of another copy set aside on opening is said on
screen."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.reliability import flashdeck
from support.tui import SIZE, NOW_ISO, app_for, make_collection, reviews, run_async, toasts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def file_alone(path: Path, tmp_path: Path) -> list[tuple]:
    """The reviews of a copy of the collection file alone, copied by another process (this
    one has the collection open: closing a descriptor of it here would drop its locks)."""
    copy = tmp_path / "copied" / "c.sqlite"
    copy.parent.mkdir(exist_ok=True)
    for leftover in copy.parent.iterdir():
        leftover.unlink()
    subprocess.run([sys.executable, "-c", "import shutil, sys; shutil.copyfile(*sys.argv[1:])",
                    str(path), str(copy)], check=True)
    return reviews(copy)


@run_async
async def test_the_file_alone_holds_the_answers_once_the_screen_is_idle(tmp_path):
    path = make_collection(tmp_path / "c.sqlite")
    app = app_for(path)
    app.idle_checkpoint = 0.05
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("space", "3", "space", "1", "space", "4")
        await pilot.pause()
        assert reviews(path) == [(1, 3), (2, 1), (3, 4)]  # committed (in the log)
        alone = file_alone(path, tmp_path)
        for _ in range(200):  # bounded: the idle checkpoint comes within a few ticks
            if alone == [(1, 3), (2, 1), (3, 4)]:
                break
            await pilot.pause(0.05)
            alone = file_alone(path, tmp_path)
        assert alone == [(1, 3), (2, 1), (3, 4)]


@run_async
async def test_an_idle_checkpoint_never_comes_between_answers(tmp_path):
    """Answers given faster than the idle time leave the log alone: the checkpoint waits
    until the screen is idle (and an answer waiting for a busy collection holds it off)."""
    path = make_collection(tmp_path / "c.sqlite")
    app = app_for(path)
    app.idle_checkpoint = 3600.0
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("space", "3")
        await pilot.pause()
        assert app.checkpoint_when_idle() is False
        assert file_alone(path, tmp_path) == []
        app.session.last_write -= 3600.0
        assert app.checkpoint_when_idle() is True
        assert file_alone(path, tmp_path) == [(1, 3)]


@run_async
async def test_a_set_aside_log_is_said_on_screen(tmp_path):
    """A log of another copy beside the collection: set aside, and the review screen says
    so, naming both files."""
    path = make_collection(tmp_path / "c.sqlite")
    other = tmp_path / "other.sqlite"
    shutil.copy(path, other)
    log_of_other = _killed_log(other, rating=3)
    _killed_log(path, rating=1)  # this one's own history goes on: an answer of its own
    assert flashdeck(path, "due").returncode == 0  # taken in, its log gone on closing
    (tmp_path / "c.sqlite-wal").write_bytes(log_of_other)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        said = toasts(app)
    aside = sorted(tmp_path.glob("c.sqlite.stale-wal-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == log_of_other
    assert "another copy" in said and str(aside[0]) in said
    assert reviews(path) == [(1, 1)]


def _killed_log(path: Path, rating: int) -> bytes:
    """The log a killed process leaves after answering one card of the collection at `path`
    (its own copy: a different history from the collection it is put beside)."""
    script = (
        "import os, signal, sys\n"
        "from datetime import datetime, timezone\n"
        "from flashdeck.collection.store import Collection\n"
        "from flashdeck.scheduling.config import Config\n"
        "from flashdeck.scheduling.engine import Engine\n"
        "col = Collection.open(sys.argv[1])\n"
        "moment = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)\n"
        "engine = Engine(col, Config(), now=lambda: moment)\n"
        "card = engine.next_card()\n"
        f"engine.answer(card.id, {rating}, expected_version=card.version)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    from support.reliability import env

    subprocess.run([sys.executable, "-c", script, str(path)], env=env(path))
    return path.with_name(path.name + "-wal").read_bytes()
