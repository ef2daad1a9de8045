"""`flashdeck log` on an 80-column terminal: every review and its front fit the width.

The review line takes 73 columns and the front was printed beside it in up to 40 more, so on
an 80-column terminal every entry wrapped (the front cut in the middle of a word, CJK split
across lines). Run in a real pseudo-terminal, as a user runs it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from support.notes import write_note

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")

ROOT = Path(__file__).resolve().parents[2]


def run_in_terminal(args: list[str], env: dict[str, str], columns: int) -> str:
    leader, follower = pty.openpty()
    env = {**env, "COLUMNS": str(columns), "LINES": "24", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "flashdeck", *args], stdin=subprocess.DEVNULL,
                            stdout=follower, stderr=follower, env=env, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed (Linux)
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def cells(text: str) -> int:
    import unicodedata

    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def test_log_fits_an_80_column_terminal(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-12-01T09:00:00+01:00")
    vault = tmp_path / "vault"
    write_note(vault, "Japanese.md", "---\ntags: [flashcards/ja]\n---\n"
               "ありがとうございます::thank you very much\n"
               "What does 「いただきます」 mean?::I humbly receive\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    for card in cli("--collection", col, "list", "--json").json:
        assert cli("--collection", col, "answer", str(card["id"]), "good").code == 0
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    out = run_in_terminal(["--collection", str(col), "log"], env, 80)
    lines = [line for line in out.split("\n") if line]
    assert len(lines) == 4, out  # a review, its front below, twice
    assert all(cells(line) <= 80 for line in lines), out
    assert lines[1].strip() == "ありがとうございます"
    assert lines[3].strip() == "What does 「いただきます」 mean?"
    # a wide terminal keeps one line a review, the front beside it
    wide = [line for line in run_in_terminal(["--collection", str(col), "log"], env, 120)
            .split("\n") if line]
    assert len(wide) == 2 and wide[0].endswith("ありがとうございます"), wide
