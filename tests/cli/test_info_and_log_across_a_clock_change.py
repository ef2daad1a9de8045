"""`info` and `log` give a learning step's time as it is on the nights the clocks change:
10 minutes from 02:55 CEST is 02:05 CET (the repeated hour), not "50m ago"."""

from __future__ import annotations

from pathlib import Path

from support.notes import write_note


def _answered(cli, tmp_path: Path, monkeypatch, now: str) -> tuple[Path, int]:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    vault = tmp_path / "vault"
    write_note(vault, "Hours.md", "---\ntags: [flashcards]\n---\n\n"
               "The hour repeated in October::02:00 to 03:00\n")
    col = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_NOW", now)
    assert cli("--collection", col, "import", vault).code == 0
    card = cli("--collection", col, "next", "--json").json["card"]
    assert cli("--collection", col, "answer", card["id"], "good").code == 0
    return col, card["id"]


def test_a_step_into_the_repeated_hour_is_ten_minutes_ahead(
        cli, tmp_path, monkeypatch) -> None:
    col, card = _answered(cli, tmp_path, monkeypatch, "2026-10-25T02:55:00+02:00")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-10-25T02:58:00+02:00")
    info = cli("--collection", col, "info", card)
    assert info.code == 0
    assert "2026-10-25 02:05 +01:00 (in 7m)" in info.out
    assert "ago" not in info.out
    line = cli("--collection", col, "log").out.splitlines()[0]
    assert "good    10m         new → learning" in line
    assert cli("--collection", col, "log", "--json").json[0]["interval"] == "10m"


def test_a_step_over_the_skipped_hour_is_ten_minutes(cli, tmp_path, monkeypatch) -> None:
    col, card = _answered(cli, tmp_path, monkeypatch, "2026-03-29T01:55:00+01:00")
    info = cli("--collection", col, "info", card).out
    assert "2026-03-29 03:05 +02:00 (in 10m)" in info
    assert "good    10m         new → learning" in info  # its history line
