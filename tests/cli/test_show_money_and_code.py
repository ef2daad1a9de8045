"""A programmer's shell note: money (`$5`) and shell variables in code spans (`${VAR}`)
are text, not math, in the parser and on the screen."""

from __future__ import annotations

from support.notes import shown_answer

SHELL_NOTE = """---
tags: [flashcards/cs/shell]
---
# Bash

The file costs $5 and the book $12.
Expand a default: `${VAR:-default}` uses ==default== when VAR is unset.
"""


def test_a_dollar_before_a_code_span_is_money_not_math(cli, tmp_path):
    """`$5 … `${VAR}`` was read as inline math from the `$5` to the `$` inside the code
    span: the front lost its dollar sign and showed a stray backtick (`{VAR:-default}`)."""
    out = shown_answer(cli, tmp_path, "Bash.md", SHELL_NOTE).out
    question, answer = out.split("-" * 20, 1)
    for side in (question, answer):
        assert "costs $5 and the book $12." in side
        assert "${VAR:-default}" in side
        assert "`" not in side
    assert "uses [...] when" in question
    assert "uses default when" in answer


def test_the_parser_masks_the_same_dollar_as_text(cli, tmp_path):
    """The parser agrees: the `::` between `$5` and the code span is a separator (it was
    masked as math, and the line was no card at all)."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Shell.md").write_text(
        "#flashcards\n\nWhat costs $5?::the `$PATH` lookup\n", encoding="utf-8")
    result = cli("check", vault / "Shell.md", "--json")
    [card] = result.json["notes"][0]["cards"]
    assert (card["front"], card["back"]) == ("What costs $5?", "the `$PATH` lookup")
