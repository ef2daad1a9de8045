"""`flashdeck stats` counts each answer on the scheduling day the queue, `undo` and the
daily limits count it on, on the nights a clock change crosses the day-start hour by a
part of an hour (Chatham: 45-minute offsets, the clocks moved at 02:45/03:45)."""

from __future__ import annotations

import os
from pathlib import Path

from support.notes import write_note


def _setup(cli, tmp_path: Path, monkeypatch, now: str) -> Path:
    monkeypatch.setenv("TZ", "Pacific/Chatham")
    Path(os.environ["FLASHDECK_CONFIG"]).write_text("day_start_hour = 3\n", encoding="utf-8")
    vault = tmp_path / "vault"
    write_note(vault, "Islands.md", "---\ntags: [flashcards]\n---\n\n# Islands\n\n"
               "Chatham Islands offset in winter::+12:45\n"
               "Chatham Islands offset in summer::+13:45\n"
               "Largest island of the group::Rēkohu (Chatham Island)\n")
    col = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_NOW", now)
    assert cli("--collection", col, "import", vault).code == 0
    return col


def _answer_two(cli, col) -> None:
    for _ in range(2):
        card = cli("--collection", col, "next", "--json").json["card"]
        assert cli("--collection", col, "answer", card["id"], "good").code == 0


def _stats(cli, col, monkeypatch, now: str) -> dict:
    monkeypatch.setenv("FLASHDECK_NOW", now)
    result = cli("--collection", col, "stats", "--json")
    assert result.code == 0, result.err
    return result.json


def test_answers_in_the_repeated_quarter_hour_after_the_day_started_count_today(
        cli, tmp_path, monkeypatch) -> None:
    # 5 April 2026: 03:45 (+13:45) goes back to 02:45 (+12:45); the day began at the
    # first 03:00, so 02:50 in the second pass is on the 5th, as the queue counts it
    col = _setup(cli, tmp_path, monkeypatch, "2026-04-04T09:00:00+13:45")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-04-05T02:50:00+12:45")
    _answer_two(cli, col)
    stats = _stats(cli, col, monkeypatch, "2026-04-05T02:55:00+12:45")
    assert stats["today"] == "2026-04-05"
    assert stats["reviews"]["today"] == 2
    assert stats["heatmap"]["counts"][-1] == 2  # today's square, not the day before's
    assert stats["heatmap"]["counts"][-2] == 0
    # the next day, from the counts kept for the days before today
    stats = _stats(cli, col, monkeypatch, "2026-04-06T09:00:00+12:45")
    assert stats["today"] == "2026-04-06"
    assert stats["heatmap"]["counts"][-3:] == [0, 2, 0]


def test_answers_in_the_quarter_hour_before_a_jumped_day_start_count_the_day_before(
        cli, tmp_path, monkeypatch) -> None:
    # 27 September 2026: 02:45 (+12:45) jumps to 03:45 (+13:45); the day starting at
    # 03:00 starts when the clock shows 04:00, so 03:50 is still the 26th's
    col = _setup(cli, tmp_path, monkeypatch, "2026-09-26T09:00:00+12:45")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-09-27T03:50:00+13:45")
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 3
    _answer_two(cli, col)
    stats = _stats(cli, col, monkeypatch, "2026-09-27T03:55:00+13:45")
    assert stats["today"] == "2026-09-26"
    assert stats["reviews"]["today"] == 2
    assert stats["heatmap"]["counts"][-1] == 2
    stats = _stats(cli, col, monkeypatch, "2026-09-27T09:00:00+13:45")
    assert stats["today"] == "2026-09-27"
    assert stats["reviews"]["today"] == 0
    assert stats["heatmap"]["counts"][-2:] == [2, 0]
