"""Tables on the review screen: a card whose answer is a long comparison table or a big
confusion matrix shows as fast as its text allows, in bounded memory, and reads whole at
80×24 (columns that do not fit come in labelled groups; rows scroll)."""

from __future__ import annotations

import pytest

from support.tables import drawn_tables
from support.tui import app_for, card, make_collection, run_async, screen_text

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def metrics_table(rows: int) -> str:
    """A model-comparison table as the user writes one: model, precision, recall, F1."""
    lines = ["| model | precision | recall | F1 |", "|---|:---:|---:|---|"]
    for i in range(rows):
        p, r = (i * 37) % 100 / 100, (i * 53) % 100 / 100
        lines.append(f"| resnet-{i} | {p:.2f} | {r:.2f} | {2 * p * r / (p + r or 1):.2f} |")
    return "\n".join(lines)


def confusion(classes: int, columns: int) -> str:
    head = "| true \\ pred | " + " | ".join(f"class {j}" for j in range(1, columns)) + " |"
    lines = [head, "|---" * columns + "|"]
    for i in range(classes):
        lines.append(f"| class {i} | " + " | ".join(str((i * 37 + j * 11) % 1000)
                                                     for j in range(1, columns)) + " |")
    return "\n".join(lines)


async def _answer(tmp_path, back: str):
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "How do the models compare?", back, 3)]))
    return app


@run_async
async def test_a_long_table_is_one_widget_not_one_per_cell(tmp_path):
    """A 150-row comparison table in an answer took 2.7 s to show (4.5 s under load): the
    Markdown widget drew it with a widget per cell, 600 of them. Now one widget draws
    the table: the screen holds as many widgets for 150 rows as for 3, and the first and
    the last row both read on screen."""
    counts = {}
    for rows in (3, 150):
        app = app_for(make_collection(tmp_path / f"c{rows}.sqlite", [
            card("question", "How do the models compare?",
                 "On the test split:\n\n" + metrics_table(rows) + "\n\nF1 is harmonic.", 3)]))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("space")
            await pilot.pause()
            assert "resnet-0 " in screen_text(app)
            counts[rows] = len(app.screen.query("*"))
            await pilot.press("end")
            await pilot.pause()
            text = screen_text(app)
            assert f"resnet-{rows - 1} " in text and "F1 is harmonic." in text
    assert counts[150] == counts[3]


@run_async
async def test_every_cell_of_a_long_table_reads_on_screen(tmp_path):
    """Scrolled through at 80×24, each of the 150 rows reads whole, in order, with the
    header first."""
    table = metrics_table(150)
    app = await _answer(tmp_path, table)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        (rows,) = await drawn_tables(app, pilot)
        written = [[c.strip() for c in line.strip().strip("|").split("|")]
                   for i, line in enumerate(table.split("\n")) if i != 1]
        assert rows == written


@run_async
async def test_a_1000_row_30_column_confusion_matrix_reads_in_labelled_column_groups(tmp_path):
    """A 1,000×30 table did not show at all (the pilot gave up after 30 s with 34,000 cell
    widgets to mount). Now it shows in column groups, each named (`Columns 1–10 of 30:`),
    and End reaches its last row."""
    app = await _answer(tmp_path, confusion(1000, 30) + "\n\nThe diagonal is right.")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert "Columns 1–" in text and "of 30:" in text
        assert "│ class 0 " in text
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "│ class 999 " in text and "The diagonal is right." in text
        assert "…" not in text


@run_async
async def test_cell_text_is_never_markup_and_inline_styles_still_apply(tmp_path):
    """A cell holding Rich/Textual markup shows it as written; emphasis and code in a cell
    are read as the Markdown widget reads them (the markers gone)."""
    table = ("| metric | note |\n|---|---|\n"
             "| [bold red]F1[/] | [@click=app.quit]quit[/] |\n"
             "| *Dice* | `2TP/(2TP+FP+FN)` |\n"
             "| IoU \\| Jaccard | see [[Jaccard Index]] |\n")
    app = await _answer(tmp_path, table)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        (rows,) = await drawn_tables(app, pilot)
        assert rows[1] == ["[bold red]F1[/]", "[@click=app.quit]quit[/]"]
        assert rows[2] == ["Dice", "2TP/(2TP+FP+FN)"]
        assert rows[3] == ["IoU | Jaccard", "see Jaccard Index"]
        assert app.is_running


TRICKY_CELLS = ["plain words", "0.75", "-0.5", "1.", "# not a heading", "a  b\u00a0c",
                "*em* and **strong**", "`co|de`", "\\*literal\\*", "a_b_c", "__init__",
                "[link](http://example.com)", "see example.com", "www.example.org",
                "x < y & z", "&amp; &copy;", "~~gone~~", "2 * 3 * 4", "**unclosed", "$x$",
                "<b>tag</b>", "a\\|b", "![alt](img.png)", "https://a.b/c", "é ü 日本", ""]


def _in_every_place(table: str) -> str:
    """`table` at the top level, in a callout and in a list item (each read without
    markdown-it: `split_tables`), then after a paragraph's line (which it interrupts: read
    by markdown-it)."""
    quoted = "\n".join("> " + line for line in table.split("\n"))
    listed = "\n".join("  " + line for line in table.split("\n"))
    return (table + "\n\n> [!note] In a callout\n>\n" + quoted + "\n\n- In a list:\n\n"
            + listed + "\n\nRead by markdown-it:\n" + table)


def _readers(app) -> list[str]:
    from flashdeck.tui.card_table import CardTable

    return [type(table.parent).__name__ for table in app.screen.query(CardTable)]


READ_FAST_THEN_BY_MARKDOWN_IT = ["StashedTable"] * 3 + ["CardMarkdownTable"]


@run_async
async def test_a_table_read_without_markdown_it_shows_what_markdown_it_read(tmp_path):
    """A table standing alone (at the top level, in a callout, in a list item) is read by
    `split_tables` (fast), one interrupting a paragraph by markdown-it: the same cells show
    the same text and styles either way."""
    from flashdeck.tui.card_table import CardTable

    rows = "\n".join(f"| {cell} | {i} |" for i, cell in enumerate(TRICKY_CELLS))
    table = "| cell | n |\n|---|---|\n" + rows
    app = await _answer(tmp_path, _in_every_place(table))
    async with app.run_test(size=(120, 80)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        assert _readers(app) == READ_FAST_THEN_BY_MARKDOWN_IT
        *fast_ones, parsed = list(app.screen.query(CardTable))

        def plain(cell):
            return cell if isinstance(cell, str) else cell.plain

        for fast in fast_ones:
            assert len(fast.rows) == len(TRICKY_CELLS)
            for a, b in zip(fast.rows, parsed.rows):
                assert plain(a[0]) == plain(b[0])
                if not isinstance(a[0], str) or not isinstance(b[0], str):
                    from textual.content import Content
                    ca = Content(a[0]) if isinstance(a[0], str) else a[0]
                    cb = Content(b[0]) if isinstance(b[0], str) else b[0]
                    assert [(s.start, s.end, str(s.style)) for s in ca.spans] == \
                        [(s.start, s.end, str(s.style)) for s in cb.spans], plain(a[0])


@run_async
async def test_short_and_long_rows_read_as_gfm_reads_them(tmp_path):
    """A row short of the header's cells is filled with empty cells, one longer loses the
    cells past them (GFM), read without markdown-it or with it alike."""
    table = "| metric | value |\n|---|---|\n| recall |\n| precision | 0.8 | stray |"
    app = await _answer(tmp_path, _in_every_place(table))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        assert _readers(app) == READ_FAST_THEN_BY_MARKDOWN_IT
        read = await drawn_tables(app, pilot)
        assert read == [[["metric", "value"], ["recall", ""], ["precision", "0.8"]]] * 4


@run_async
async def test_columns_are_aligned_as_the_delimiter_row_says(tmp_path):
    """`---:` right, `:---:` centre, as Obsidian draws a table: the numbers of a results
    table line up at their last digit. Read without markdown-it or with it alike; the
    cells' text is unchanged."""
    table = ("| model | precision | recall |\n|:---|:---:|---:|\n"
             "| ResNet-50 | 0.81 | 0.7 |\n| ViT-B/16 | 0.865 | 0.795 |")
    app = await _answer(tmp_path, _in_every_place(table))
    async with app.run_test(size=(80, 60)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        assert _readers(app) == READ_FAST_THEN_BY_MARKDOWN_IT
        read = await drawn_tables(app, pilot)
        assert read == [[["model", "precision", "recall"], ["ResNet-50", "0.81", "0.7"],
                         ["ViT-B/16", "0.865", "0.795"]]] * 4
        lines = [line for line in screen_text(app).split("\n") if "ResNet" in line
                 or "ViT" in line]
        assert len(lines) == 8
        for line in lines:
            model, precision, recall = line.split("│")[1:4]
            assert model.startswith(" ResNet") or model.startswith(" ViT")  # left
            assert recall.endswith(("0.7 ", "0.795 "))  # right: the last digit at the rule
            text = precision.strip()  # centred: as much room either side, give or take one
            left = len(precision) - len(precision.lstrip())
            right = len(precision) - len(precision.rstrip())
            assert text in ("0.81", "0.865") and abs(left - right) <= 1 and left > 2
