"""A card's tables as the review screen draws them, read back off the screen: each table's
rows of cells, a cell's wrapped lines joined (a word folded across lines joined whole)."""

from __future__ import annotations

from support.tui import screen_text


async def drawn_tables(app, pilot) -> list[list[list[str]]]:
    """Every table of the card panel, scrolled into view one after the other, read off the
    screen: its rows (the header first), each a list of its cells' text."""
    from flashdeck.tui.card_table import CardTable

    panel = app.screen.query_one("#card")
    tables = []
    for table in app.screen.query(CardTable):
        panel.scroll_to_widget(table, animate=False, top=True, immediate=True)
        seen: dict[int, str] = {}
        for _ in range(1000):  # bounded: a page a step
            await pilot.pause()
            view, region = panel.content_region, table.region
            screen = screen_text(app).split("\n")
            for y in range(max(region.y, view.y), min(region.bottom, view.bottom)):
                seen[y - region.y] = screen[y][region.x:region.right]
            if len(seen) >= region.height or panel.scroll_y >= panel.max_scroll_y:
                break
            panel.scroll_to(y=panel.scroll_y + view.height, animate=False, immediate=True)
        assert len(seen) == table.region.height, "a table's lines not all seen"
        tables.append(_cells([seen[y] for y in sorted(seen)]))
    return tables


def _cells(lines: list[str]) -> list[list[str]]:
    """The rows of a drawn table (`┌─┬─┐` … `└─┴─┘`): each row's cells, the cell's lines
    joined by a space when its text wrapped at a space, with nothing when a word folded."""
    rows: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in lines:
        text = line.rstrip()
        if not text.startswith("│"):
            if current:
                rows.append(current)
                current = []
            continue
        parts = text.strip("│").split("│")
        if not current:
            current = [[] for _ in parts]
        for cell, part in zip(current, parts):
            cell.append(part[1:] if part.startswith(" ") else part)
    if current:
        rows.append(current)
    return [[_join(cell) for cell in row] for row in rows]


def _join(pieces: list[str]) -> str:
    """A cell's screen lines as its text: joined by a space (compare without spaces where
    a word may have folded)."""
    return " ".join(piece.strip() for piece in pieces if piece.strip())
