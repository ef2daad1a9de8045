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


def test_a_huge_hostile_back_is_highlighted_at_once() -> None:
    """100 kB of `==a ` (no answer closes, to the highlighting's rule: a closer after a
    space closes nothing there) after the asked deletion: the answer is marked and the rest
    is text (it took 16 s in the highlighting alone)."""
    back = "The ==answer== is " + "==a " * 25_000
    marked = mark_cloze_answers(back, "<", ">")
    assert marked.startswith("The <answer> is ==a ==a ") and marked.count("==a") == 25_000


def test_a_huge_noisy_paragraph_is_shown_at_once(cli, tmp_path, monkeypatch) -> None:
    """The same 100 kB in a note: to the parser (as to the SR plugin) each `==a ==` is a
    deletion (a closer after a space closes); the paragraph's cards are bounded, said, and
    `show --answer` prints the first card at once, every other deletion as its plain `a`."""
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Noise.md").write_text(
        "---\ntags: [flashcards/ml]\n---\nThe ==answer== is " + "==a " * 25_000 + "\n",
        encoding="utf-8")
    col = tmp_path / "c.sqlite"
    imported = cli("--collection", col, "import", vault)
    assert imported.code == 0
    assert "paragraph has 12501 cloze cards; only the first" in imported.err + imported.out
    shown = cli("--collection", col, "show", "1", "--answer")
    assert shown.code == 0
    assert "The [...] is aa aa aa" in shown.out and "The answer is aa aa aa" in shown.out
    assert "==" not in shown.out and shown.out.count("aa aa") > 10_000
