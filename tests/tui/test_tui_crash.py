"""The crash report of the review app: one line for the terminal, the traceback in a file."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from flashdeck.tui.crash import MAX_MESSAGE, Crash, one_line, record

WHEN = datetime(2026, 11, 24, 9, 30, 5, tzinfo=timezone.utc)


def _raised(error: Exception) -> Exception:
    try:
        raise error
    except Exception as caught:  # a real traceback, as a handler's exception has
        return caught


def test_the_traceback_goes_to_a_new_file_and_the_line_names_it(tmp_path):
    crash = record(_raised(KeyError("card 12")), tmp_path / "log", now=WHEN)
    assert crash.log == tmp_path / "log" / f"crash-20261124-093005-{os.getpid()}.log"
    assert crash.line() == \
        f"flashdeck: internal error: KeyError: 'card 12' (details in {crash.log})"
    report = crash.log.read_text(encoding="utf-8")
    assert report.startswith("flashdeck review crashed at 2026-11-24T09:30:05+00:00\n")
    assert "Traceback (most recent call last)" in report and "in _raised" in report
    assert report.rstrip().endswith("KeyError: 'card 12'")


def test_a_second_crash_in_the_same_second_keeps_the_first_report(tmp_path):
    first = record(_raised(ValueError("one")), tmp_path, now=WHEN)
    second = record(_raised(ValueError("two")), tmp_path, now=WHEN)
    assert first.log != second.log
    assert "ValueError: one" in first.log.read_text(encoding="utf-8")
    assert "ValueError: two" in second.log.read_text(encoding="utf-8")


def test_an_unwritable_log_dir_still_gives_one_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the log dir would be", encoding="utf-8")
    crash = record(_raised(RuntimeError("boom")), blocker / "log", now=WHEN)
    assert crash.log is None
    line = crash.line()
    assert line.startswith("flashdeck: internal error: RuntimeError: boom (no log written: ")
    assert line.endswith("; set FLASHDECK_DEBUG=1 for details)")
    assert "\n" not in line


@pytest.mark.parametrize("message,shown", [
    ("two\nlines\tand  gaps", "two lines and gaps"),
    ("\x1b[31mred\x07", "␛[31mred␇"),  # a message cannot drive the terminal
    ("", ""),
])
def test_the_message_is_one_safe_line(message, shown):
    assert one_line(message) == shown


def test_a_long_message_is_cut():
    cut = one_line("x" * 1000)
    assert len(cut) == MAX_MESSAGE and cut.endswith("…")


def test_an_exception_without_a_message_is_named_alone():
    assert Crash("StopIteration", "", Path("/l/c.log")).line() == \
        "flashdeck: internal error: StopIteration (details in /l/c.log)"


def test_a_crash_in_a_test_s_app_lands_in_its_temp_home_never_the_user_s(
        tmp_path, tmp_path_factory, monkeypatch):
    """A review app that crashes in a test (a test failing, or one that means to) wrote
    its report into the developer's own `~/.local/state/flashdeck/log`: the test setup
    (conftest) gives every test a temp home for the platform's user folders, and the crash
    report, like the demo, the mirror and the settings, lands there."""
    import asyncio

    from flashdeck.paths import config_path, data_dir
    from flashdeck.tui.crash import log_dir
    from flashdeck.tui.screens.review import ReviewScreen
    from support.tui import app_for, make_collection, standard_cards

    base = tmp_path_factory.getbasetemp().resolve()
    for folder in (log_dir(), data_dir(), config_path().parent):
        assert base in folder.resolve().parents, folder

    def broken_undo(self):
        raise RuntimeError("undo broke in a test")

    monkeypatch.setattr(ReviewScreen, "action_undo", broken_undo)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    app = app_for(make_collection(tmp_path / "c.sqlite", standard_cards()))

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()

    with pytest.raises(RuntimeError, match="undo broke in a test"):
        asyncio.run(run())
    assert app.crash is not None and app.crash.log is not None
    assert base in app.crash.log.resolve().parents, app.crash.log
    assert "undo broke in a test" in app.crash.log.read_text(encoding="utf-8")
