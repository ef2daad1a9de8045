"""The answer of a cloze back (`==x==`) is found as it always was, in time linear in the
back: `show` and the review screen's header took 16 s on a 400 kB back of unclosed `==a `."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.render import mark_cloze_answers

# the rule as one regular expression (what render.py used; quadratic on hostile backs)
_AS_A_REGEX = re.compile(
    r"(`+[^`]*`+|\$\$.*?\$\$|\$[^$\n]+\$|\\.|\[\[[^\[\]\n]*\]\]|\]\(<?[^\s()<>]*"
    r"|\b(?:https?|ftp)://[^\s<>]*)"
    r"|==(?=\S)([^\n]{1,4002}?)(?<=\S)==", re.S)


def _by_regex(back: str) -> str:
    return _AS_A_REGEX.sub(
        lambda m: m.group(0) if m.group(1) is not None else f"<{m.group(2)}>", back)


_PIECES = st.sampled_from(["==", "=", " ", "a", "\n", "`", "$", "$$", "\\", "[[", "]]",
                           "](", "http://x", "b c", "TP", "*"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_answers_are_those_the_rule_finds(back: str) -> None:
    assert mark_cloze_answers(back, "<", ">") == _by_regex(back)


def test_a_long_answer_is_no_answer_past_the_parsers_length() -> None:
    long = "x" * 4002
    assert mark_cloze_answers(f"a =={long}== b", "<", ">") == f"a <{long}> b"
    assert mark_cloze_answers(f"a =={long}y== b", "<", ">") == f"a =={long}y== b"


def test_a_huge_hostile_back_is_shown_at_once(cli, tmp_path, monkeypatch) -> None:
    """100 kB of `==a ` (no answer closes) after a real deletion: `show --answer` prints the
    answer highlighted and the rest as text (it took 16 s in the highlighting alone)."""
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Noise.md").write_text(
        "---\ntags: [flashcards/ml]\n---\nThe ==answer== is " + "==a " * 25_000 + "\n",
        encoding="utf-8")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    shown = cli("--collection", col, "show", "1", "--answer")
    assert shown.code == 0
    assert shown.out.count("==a") >= 2 * 24_000  # front and back, as text
    from flashdeck.collection.cards import get_card
    from flashdeck.collection.store import Collection

    with Collection.open(col) as opened:
        back = get_card(opened, 1).back
    marked = mark_cloze_answers(back, "<", ">")
    assert marked.startswith("The <answer> is ==a ==a ")
