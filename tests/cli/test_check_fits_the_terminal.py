"""`flashdeck check` lists the cards in the terminal's columns, as `list` does: a history
student's long deck name ran into the front, and a front was cut at 70 characters without
a mark (70 Chinese characters took 140 columns), so every line wrapped at 80 columns."""

from __future__ import annotations

import unicodedata

from support.notes import write_note


def cells(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def test_check_lines_fit_80_columns(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    vault = tmp_path / "vault"
    write_note(vault, "Magna Carta.md", "---\ntags: [flashcards/history/england]\n---\n"
               "In which year was Magna Carta first reissued after King John's death?::1216\n")
    write_note(vault, "Chinese.md", "#flashcards/zh\n\n"
               "我今天早上六点起床然后去公园跑步跑了一个小时以后回家吃早饭吃完早饭以后我开始学习中文"
               "::a long sentence\n短::short\n")
    result = cli("check", vault)
    assert result.code == 0
    lines = [line for line in result.out.splitlines() if line.startswith("  ")]  # the cards
    assert len(lines) == 3 and all(cells(line) <= 80 for line in lines), lines
    [magna] = [line for line in lines if "basic" in line and "Magna" in line]
    assert "flashcards/history/… In which year was Magna Carta" in magna and magna.endswith("…")
    [long] = [line for line in lines if "我今天" in line]
    assert long.endswith("…")
    assert any(line.endswith("flashcards/zh        短") for line in lines), lines


def test_the_summary_tells_notes_read_from_notes_that_gave_cards(cli, tmp_path):
    """Two tagged notes of prose only said "2 notes with cards, 0 cards"."""
    vault = tmp_path / "vault"
    write_note(vault, "Prose.md", "---\ntags: [flashcards]\n---\n# Reading list\n\nBooks.\n")
    write_note(vault, "Rivers.md", "#flashcards/geo\n\nWhich river runs through Lyon?::Rhône\n")
    result = cli("check", vault)
    assert result.code == 0
    assert result.out.splitlines()[-1].startswith("2 notes read (1 with cards), 1 card,")
