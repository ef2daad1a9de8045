"""A table wider than the terminal: `flashdeck show` splits it into column groups that fit,
each with the rows' names (the first column), so every cell prints whole."""

from __future__ import annotations

import re

from flashdeck.cardtext import fit_tables
from support.notes import shown_answer

CLASSES = ["cat", "dog", "bird", "fish", "horse", "sheep", "cow", "truck", "ship", "plane"]


def confusion_matrix() -> tuple[str, dict[tuple[str, str], str]]:
    """A 10-class confusion matrix as a note has it, and its cells by (true, predicted)."""
    cells = {(t, p): str(100 + 37 * i + 11 * j) for i, t in enumerate(CLASSES)
             for j, p in enumerate(CLASSES)}
    lines = ["| true \\ pred | " + " | ".join(CLASSES) + " |",
             "|---|" + "---:|" * len(CLASSES)]
    lines += ["| " + t + " | " + " | ".join(cells[t, p] for p in CLASSES) + " |"
              for t in CLASSES]
    return "\n".join(lines), cells


def wide_row(columns: int = 200) -> str:
    return ("| " + " | ".join(f"t{i}" for i in range(columns)) + " |\n|"
            + "---|" * columns + "\n| " + " | ".join(str(i * i) for i in range(columns)) + " |")


def tables_of(markdown: str) -> list[list[list[str]]]:
    """The tables of `markdown`, each as rows of cells (the delimiter row left out)."""
    tables: list[list[list[str]]] = []
    previous = ""
    for line in markdown.split("\n"):
        body = line.lstrip("> ")
        if body.startswith("|"):
            if not previous.lstrip("> ").startswith("|"):
                tables.append([])
            if not re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", body):
                tables[-1].append([c.strip() for c in body.strip("|").split("|")])
        previous = line
    return tables


def test_a_table_too_wide_is_split_into_groups_that_each_keep_the_rows_names():
    table, cells = confusion_matrix()
    shown = fit_tables(f"Which classes are confused?\n\n{table}\n\nCats and dogs.", 70)
    groups = tables_of(shown)
    assert len(groups) == 2
    seen = {}
    for group in groups:
        header, *rows = group
        assert header[0] == "true \\ pred" and [row[0] for row in rows] == CLASSES
        for row in rows:
            for name, value in zip(header[1:], row[1:]):
                seen[row[0], name] = value
    assert seen == cells  # every cell once, under its own row and column
    assert "*Columns 1–9 of 11:*" in shown and "*Columns 1, 10–11 of 11:*" in shown
    assert "---:" in shown  # each column keeps its alignment
    assert shown.startswith("Which classes are confused?") and shown.endswith("Cats and dogs.")


def test_a_table_that_fits_a_code_block_and_a_narrow_one_are_left_alone():
    table, _ = confusion_matrix()
    assert fit_tables(table, 120) == table  # its columns fit: the renderer wraps its words
    fenced = f"```\n{wide_row()}\n```"
    assert fit_tables(fenced, 70) == fenced
    two = "| a | b |\n|---|---|\n| " + "x" * 90 + " | y |"
    assert fit_tables(two, 70) == two  # nothing to split: the renderer folds it
    assert fit_tables(table, None) == table


def test_a_table_in_a_callout_is_split_inside_the_callout():
    """... each label a paragraph of its own, also after a line of text the table follows
    directly (it read `The counts: Columns 1–9 of 11:`)."""
    table, cells = confusion_matrix()
    quoted = "> [!example] Confusions\n> The counts:\n" + "\n".join(
        f"> {line}" for line in table.split("\n"))
    shown = fit_tables(quoted, 70)
    lines = shown.split("\n")
    assert all(line.startswith(">") for line in lines)
    assert lines[1:3] == ["> The counts:", ">"]
    assert re.fullmatch(r"> \*Columns 1–\d of 11:\*", lines[3])
    values = {cell for group in tables_of(shown) for row in group[1:] for cell in row[1:]}
    assert values == set(cells.values())


def test_show_prints_every_cell_of_a_200_column_table(cli, tmp_path):
    """Rich squeezed the 200 columns into 80 and printed a blank line: nothing of the table
    could be read. Now it prints in groups of columns, each value whole."""
    result = shown_answer(cli, tmp_path, "Squares.md", "---\ntags: [flashcards/maths]\n---\n"
                          f"## What are the first squares?\n{wide_row()}\nThe squares.\n")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert max(len(line) for line in lines) <= 80
    words = set(result.out.split())
    assert {str(i * i) for i in range(200)} <= words
    assert {f"t{i}" for i in range(200)} <= words
    assert "The squares." in result.out


def test_a_table_whose_lines_are_indented_or_quoted_unevenly_is_split_too():
    """GFM lets each line of a table have its own indent (up to three spaces) and space
    after `>`: such a table was left whole, and on the review screen its 11 columns were
    squeezed one letter wide."""
    table, cells = confusion_matrix()
    lines = table.split("\n")
    indented = "\n".join((" " if k % 2 else "") + line for k, line in enumerate(lines))
    quoted = "> [!note] Errors\n" + "\n".join(
        (">" if k % 2 else "> ") + line for k, line in enumerate(lines))
    for text in (indented, quoted):
        groups = tables_of(fit_tables(text, 70))
        assert len(groups) == 2, text
        seen = {(row[0], name): value for group in groups for row in group[1:]
                for name, value in zip(group[0][1:], row[1:])}
        assert seen == cells
