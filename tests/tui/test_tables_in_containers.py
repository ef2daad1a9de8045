"""Tables inside callouts and list items read without markdown-it (`split_tables`): the
same tables, in the same quotes and list items, with the same cells, as markdown-it reads
(the Markdown widget's parser), whatever surrounds them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from markdown_it import MarkdownIt

from support.tui import app_for, card, make_collection, run_async, screen_text

MARKER = "flashdeck-table-0123456789abcdef-"


def _plain(cell) -> str:
    return cell if isinstance(cell, str) else cell.plain


def _cell_text(source: str) -> str:
    from flashdeck.tui.card_table import _cell

    return _plain(_cell(source.strip()))


def _structure(markdown: str, tables: list | None = None) -> list:
    """markdown-it's reading of `markdown`: its blocks' opening and closing tokens, each
    table as its header and rows of cell text, each other inline's text; a placeholder
    fence of `split_tables` as the table it stands for (`tables`)."""
    tokens = MarkdownIt("gfm-like").parse(markdown)
    out: list = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "table_open":
            rows, row = [], None
            while tokens[i].type != "table_close":
                kind = tokens[i].type
                if kind == "tr_open":
                    row = []
                elif kind == "inline" and row is not None:
                    row.append(_cell_text(tokens[i].content))
                elif kind == "tr_close":
                    rows.append(row)
                i += 1
            out.append(("table", rows))
        elif token.type == "fence" and tables is not None and token.info.startswith(MARKER):
            headers, body, _ = tables[int(token.info[len(MARKER):])]
            out.append(("table", [[_plain(c) for c in headers]]
                        + [[_plain(c) for c in row] for row in body]))
        elif token.type == "inline":
            out.append(("text", token.content))
        elif token.nesting:
            out.append((token.type, token.nesting))
        else:
            out.append((token.type, token.content))
        i += 1
    return out


def _same_reading(markdown: str) -> tuple[str, list]:
    from flashdeck.tui.card_table import split_tables

    shown, tables = split_tables(markdown, MARKER)
    assert _structure(shown, tables) == _structure(markdown), shown
    return shown, tables


TABLE = "| metric | value |\n|---|--:|\n| recall | 0.8 |\n| F1 \\| Dice | *0.7* |"


@pytest.mark.parametrize("markdown, fast", [
    ("> [!note] Results\n>\n" + "\n".join("> " + x for x in TABLE.split("\n")), 1),
    ("- scores:\n\n" + "\n".join("  " + x for x in TABLE.split("\n")), 1),
    ("1. scores:\n\n" + "\n".join("   " + x for x in TABLE.split("\n")), 1),
    ("> > " + "\n> > ".join(TABLE.split("\n")), 1),
    ("- a\n\n  > " + "\n  > ".join(TABLE.split("\n")), 1),
    ("- a\n  > " + "\n  > ".join(TABLE.split("\n")), 0),  # no blank line above: declined
    # a table that interrupts a paragraph: markdown-it reads it
    ("> Results:\n" + "\n".join("> " + x for x in TABLE.split("\n")), 0),
    # indented as code in its list item: no table at all
    ("- a\n\n" + "\n".join("      " + x for x in TABLE.split("\n")), 0),
    # a row markdown-it reads without its pipe: markdown-it reads the table
    ("> " + "\n> ".join(TABLE.split("\n")) + "\n> more | cells", 0),
    # inside fenced code, quoted or not: text
    ("```\n> " + "\n> ".join(TABLE.split("\n")) + "\n```", 0),
    ("> ```\n> " + "\n> ".join(TABLE.split("\n")) + "\n> ```", 0),
    ("- ```\n  " + "\n  ".join(TABLE.split("\n")) + "\n  ```", 0),
])
def test_a_table_in_a_quote_or_a_list_item_reads_as_markdown_it_reads_it(markdown, fast):
    _, tables = _same_reading(markdown)
    assert len(tables) == fast


_CELL = st.sampled_from(["0.75", "recall", "F1 score", "", " ", "a\\|b", "`x`", "*em*",
                         "x|", "-", ":--", "> q", "1.", "#", "日本"])
_PREFIX = st.sampled_from(["", "> ", ">", "> > ", "  ", "   ", "    ", "      ", "  > ",
                           " > ", ">  "])
_OPENING = st.sampled_from(["", "> [!note] Title\n>", "- item\n", "- item", "1. item\n",
                            "Text above.", "> quote\n", "```\n", "> ```\n>", "    code\n"])
_AFTER = st.sampled_from(["", "\n", "\nText after.", "\n>\n> more", "\n> more", "\n- next",
                          "\n  tail", "\n```", "\n| stray | row |"])


@st.composite
def _documents(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        prefix = draw(_PREFIX)
        columns = draw(st.integers(1, 3))
        header = "| " + " | ".join(f"h{k}" for k in range(columns)) + " |"
        delimiter = "|" + "|".join(draw(st.sampled_from(["---", ":--", "--:", ":-:"]))
                                   for _ in range(columns)) + "|"
        rows = ["| " + " | ".join(draw(_CELL) for _ in range(draw(st.integers(0, 4)))) + " |"
                for _ in range(draw(st.integers(0, 4)))]
        lines = [header, delimiter, *rows]
        odd = draw(st.integers(-1, len(lines) - 1))  # one line with another prefix
        table = "\n".join((draw(_PREFIX) if k == odd else prefix) + line
                          for k, line in enumerate(lines))
        blank = draw(st.sampled_from(["\n\n", "\n", "\n>\n", "\n  \n"]))
        parts.append(draw(_OPENING) + blank + table + draw(_AFTER))
    return "\n\n".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_any_table_read_here_reads_as_markdown_it_reads_it(markdown):
    _same_reading(markdown)


@pytest.mark.parametrize("place", ["callout", "list"])
@run_async
async def test_a_1000_row_table_in_a_callout_or_a_list_is_read_without_markdown_it(
        tmp_path, place):
    """A 1,000x30 table in a callout or a list item went through markdown-it (1.2-1.9 s
    and ~70 MB to show, against 0.5-0.7 s and ~18 MB at the top level): it is read as a
    top-level one is now, drawn by one widget, all of it reachable."""
    from flashdeck.tui.card_table import CardTable

    head = "| true \\ pred | " + " | ".join(f"class {j}" for j in range(1, 30)) + " |"
    lines = [head, "|---" * 30 + "|"] + [
        f"| class {i} | " + " | ".join(str((i * 37 + j * 11) % 1000) for j in range(1, 30))
        + " |" for i in range(1000)]
    if place == "callout":
        body = "> [!note] The matrix\n>\n" + "\n".join("> " + line for line in lines)
    else:
        body = "- The matrix:\n\n" + "\n".join("  " + line for line in lines)
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "What does the confusion matrix look like?",
             body + "\n\nThe diagonal is right.", 3)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        tables = list(app.screen.query(CardTable))
        assert tables and {type(t.parent).__name__ for t in tables} == {"StashedTable"}
        assert sum(len(t.rows) for t in tables) == 1000 * len(tables)
        text = screen_text(app)
        assert "Columns 1–" in text and "│ class 0 " in text
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "│ class 999 " in text and "The diagonal is right." in text
