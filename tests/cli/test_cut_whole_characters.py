"""`list`, `check` and `log` cut a front or a deck name that is too long for the
terminal with `…`: never inside a character as a reader sees it (an emoji family, a flag, a
skin tone, a letter with its accent, an Indic conjunct), and never wider than the terminal."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from support.notes import write_note

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
FLAG = "🇩🇪"
THUMB = "👍🏽"
ACCENT = "e\u0301"  # e + combining acute
CONJUNCT = "\u0915\u094d\u0937"  # क्ष: ka, virama, ssa
HEART = "\u2764\ufe0f"  # ❤️: a text symbol made emoji
WHOLE = [FAMILY, FLAG, THUMB, ACCENT, CONJUNCT, HEART]


@pytest.fixture
def col(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+01:00")
    vault = tmp_path / "vault"
    lines = [f"{unit * 60}::back {n}" for n, unit in enumerate(WHOLE)]
    lines += [f"x{unit * 60}::odd {n}" for n, unit in enumerate(WHOLE)]
    write_note(vault, "Emoji.md", "#flashcards\n\n" + "\n\n".join(lines) + "\n")
    write_note(vault, "Deck.md", f"#flashcards/{'日本語の文法' * 10}\n\nIn a long deck::yes\n")
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", vault).code == 0
    for card in cli("--collection", path, "list", "--json").json:
        assert cli("--collection", path, "answer", card["id"], "good").code == 0
    return path


def assert_cut_whole(line: str) -> None:
    if "…" not in line:
        return
    before = line[:line.index("…")]
    assert not before.endswith(("\u200d", "\u094d", "\u0915")), repr(line)
    # what is left before the … is whole units: the flag in pairs, the heart with its VS16
    for unit in WHOLE:
        first = unit[0]
        tail = before.rstrip()
        stripped = tail.rstrip(first + unit[1:])
        if len(tail) != len(stripped):  # the text ends in copies of this unit
            assert (len(tail) - len(stripped)) % len(unit) == 0 and tail.endswith(unit), \
                (unit, repr(line))


@pytest.mark.parametrize("width", [40, 47, 53, 80])
@pytest.mark.parametrize("command", [["list"], ["check", "{vault}"], ["log"]], ids=" ".join)
def test_a_cut_never_splits_a_character_and_the_line_fits(cli, col, monkeypatch, width,
                                                          command):
    monkeypatch.setenv("COLUMNS", str(width))
    args = [a.format(vault=col.parent / "vault") for a in command]
    result = cli("--collection", col, *args)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert sum("…" in line for line in lines) >= 12, result.out
    for line in lines:
        assert_cut_whole(line)
        if command[0] == "list" or command[0] == "check" and line.startswith(" "):
            assert cell_len(line) <= width, (width, repr(line))
