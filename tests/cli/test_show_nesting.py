"""Lists and quotes nested deeper than markdown-it parses (20 block levels): `show` and the
review screen keep every line, written at the deepest level the parser shows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from flashdeck.cardtext import cap_nesting
from support.notes import shown_answer

DEEP_LIST = "\n".join("  " * d + f"- step {d} of the derivation" for d in range(14))


def test_show_prints_a_list_nested_fourteen_deep_and_the_lines_after_it(cli, tmp_path):
    """A list nested ten deep or more lost its deeper items and every line of the card after
    it, in `show` and on the review screen alike (markdown-it stops at 20 levels)."""
    out = shown_answer(cli, tmp_path, "Backprop.md", "---\ntags: [flashcards/ml]\n---\n"
                       f"## How does backprop unfold?\n{DEEP_LIST}\n\n"
                       "So the chain rule, step by step.\n").out
    for d in range(14):
        assert f"step {d} of the derivation" in out
    assert "So the chain rule, step by step." in out


def _inline_text(markdown: str) -> str:
    parser = MarkdownIt("commonmark").enable("table")  # as Rich parses; Textual's is alike
    return " ".join(token.content for token in parser.parse(markdown) if token.content)


LINE = st.tuples(st.integers(0, 30), st.integers(0, 60),
                 st.sampled_from(["- ", "* ", "1. ", "12) ", "+ ", "", "> "]))


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=40), st.booleans())
def test_no_line_is_lost_however_deep_the_nesting(lines, blank_lines):
    text = "\n".join(">" * quotes + " " * indent + marker + f"w{k}x"
                     + ("\n" if blank_lines and k % 3 == 0 else "")
                     for k, (quotes, indent, marker) in enumerate(lines)) + "\n\nTHE END"
    shown = _inline_text(cap_nesting(text))
    for k in range(len(lines)):
        assert f"w{k}x" in shown
    assert "THE END" in shown


def test_code_and_shallow_nesting_are_left_as_written():
    code = "```python\n" + "\n".join(" " * 4 * d + f"- x{d}" for d in range(12)) + "\n```"
    assert cap_nesting(code) == code
    shallow = "\n".join("  " * d + f"- item {d}" for d in range(6))
    assert cap_nesting(shallow) == shallow
    assert cap_nesting("> " * 5 + "quoted") == "> " * 5 + "quoted"
