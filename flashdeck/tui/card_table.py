"""A card's markdown table drawn by one widget, line by line.

Textual's Markdown widget draws a table as a grid with one widget per cell: a 150-row
comparison table (600 cells) took 2.7 s to show under load, and a 1,000-row table of 30
columns (in column groups: `cardtext.fit_tables`) longer still. `CardTable` lays the
table out once per width (each column's width, each row's height: plain numbers) and
draws only the lines on screen (`render_line`), so a table costs about what its text
costs, whatever its size, and its memory is its cells plus one number a row.

It looks as the grid did: a thin keyline box, a line between rows, the header in the
primary colour, bold. A cell's text wraps at its words; a word wider than its column
folds onto the cell's next line (never cut with an ellipsis: an answer is never cut
short). Cell text is the `Content` the Markdown widget made of the cell's inline tokens
(emphasis, code, links): never parsed as markup.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict

from rich.cells import cell_len
from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets._markdown import MarkdownBlock, MarkdownTable

CELL_PADDING = 1  # a space each side of a cell's text
COLUMN_COST = 2 * CELL_PADDING + 1  # ... and the border on its left
EDGE_COST = 1  # the table's right border
WRAPPED_ROWS_KEPT = 256  # rows whose wrapped lines are kept for the next frame
NO_BREAK = "\u00a0"  # an inline formula's spaces (`content.NO_BREAK`): never broken at
_SPACES = re.compile(r"[^\S\u00a0]+")  # as the widget's cells: a whitespace run is one space
_RUNS = re.compile(r"[^\S\u00a0]+")  # what a cell breaks at: its ordinary spaces


def _collapsed(text: str) -> str:
    """`text`'s whitespace runs one space each, as the widget's cells show them, but an
    inline formula's no-break spaces kept (`inline.collapse_spaces`)."""
    if NO_BREAK not in text:
        return _SPACES.sub(" ", text)
    from flashdeck.inline import collapse_spaces

    return collapse_spaces(text)


# CJK text breaks between any two of its characters (it has no spaces between words)
_WIDE = "\u2e80-\u303f\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_WIDE_BREAK = re.compile(f"(?<=[{_WIDE}])|(?=[{_WIDE}])")


def _widest(pieces) -> int:
    widest = 0
    for piece in pieces:
        if not piece.isascii():  # a piece of CJK text is its widest character
            piece = max(_WIDE_BREAK.split(piece), key=cell_len)
        widest = max(widest, cell_len(piece))
    return widest


def _longest_word(text: str) -> int:
    return _widest(text.split())


def _longest_run(text: str) -> int:
    """The widest piece of `text` between ordinary spaces: a word, or an inline formula
    whole (`P(A | B) = 0.5`, its spaces no-break ones)."""
    return _widest(_RUNS.split(text))


def _cell_rows(cell: Content | str, width: int) -> list[Content]:
    """A cell's lines at `width`: broken at its ordinary spaces, an inline formula moved
    to the next line whole, and broken inside only when wider than the column
    (`wrapping.no_break_rows`: at its own spaces, then by cells)."""
    from flashdeck.tui.wrapping import no_break_rows

    content = _content(cell)
    return [content[start:end] for start, end in no_break_rows(content.plain, width)]


def column_widths(natural: list[int], least: list[int], room: int,
                  whole: list[int] | None = None) -> list[int]:
    """The text width of each column of a table `room` cells wide (borders and padding
    included in `room`): every column at its `natural` width (its longest cell), the
    room left shared out in proportion to them (the table fills the panel, as the grid
    did); when they do not fit, the narrow columns whole (`_narrow_columns`) and the
    others as follows, at least each column's `whole` (its longest word or
    inline formula: a formula is not broken while the room allows), else its `least`
    (its longest word), and the rest shared in proportion to what each still needs;
    when even the words do not fit, in proportion to the words (at least one cell each:
    long words fold)."""
    count = len(natural)
    if not count:
        return []
    text_room = max(room - COLUMN_COST * count - EDGE_COST, count)
    natural = [max(width, 1) for width in natural]
    least = [min(max(width, 1), full) for width, full in zip(least, natural)]
    if sum(natural) <= text_room:
        return _share(natural, [width for width in natural], text_room)
    kept = _narrow_columns(natural, least, text_room)
    if kept:
        # the narrow columns whole, the others sharing what is left as below
        rest = [k for k in range(count) if k not in kept]
        given = sum(natural[k] + COLUMN_COST for k in kept)
        shared = iter(column_widths([natural[k] for k in rest], [least[k] for k in rest],
                                    room - given, [whole[k] for k in rest] if whole else None))
        return [natural[k] if k in kept else next(shared) for k in range(count)]
    for floor in ([min(max(width, word), full) for width, word, full
                   in zip(whole, least, natural)] if whole else [], least):
        if floor and sum(floor) <= text_room:
            return _share(floor, [full - width for full, width in zip(natural, floor)],
                          text_room)
    return _share([1] * count, [word - 1 for word in least], text_room)


def _narrow_columns(natural: list[int], least: list[int], text_room: int) -> set[int]:
    """The columns of a table too wide for `text_room` that are shown whole: each no
    wider than an even share of the room the columns not yet shown whole have (found
    again as columns are taken: at most one pass a column), while the others' longest
    words still fit beside them. A narrow column (a label, a CJK term, whose every
    character is a place to break) kept only the share of the room its few missing
    cells gave it, and folded: `評価指` over `標` beside a column of sentences."""
    kept: set[int] = set()
    for _ in range(len(natural)):
        rest = [k for k in range(len(natural)) if k not in kept]
        room = text_room - sum(natural[k] for k in kept)
        fair = room // len(rest)
        more = {k for k in rest if natural[k] <= fair}
        if not more or len(more) == len(rest):
            break
        if sum(natural[k] for k in more) + sum(least[k] for k in rest if k not in more) \
                > room:
            break
        kept |= more
    return kept


def _share(base: list[int], weights: list[int], total: int) -> list[int]:
    """`base` with `total - sum(base)` cells added in proportion to `weights` (the
    remainders to the largest fractions, then to the first columns): sums to `total`
    when the weights allow, never less than `base`."""
    spare = total - sum(base)
    weight = sum(weights)
    if spare <= 0 or weight <= 0:
        return list(base)
    widths = [width + spare * share // weight for width, share in zip(base, weights)]
    left = total - sum(widths)
    order = sorted(range(len(base)), key=lambda k: -(spare * weights[k] % weight))
    for k in order[:left]:
        widths[k] += 1
    return widths


def _cells(cell: Content | str) -> int:
    return cell_len(cell) if isinstance(cell, str) else cell.cell_length


def _content(cell: Content | str) -> Content:
    return Content(cell) if isinstance(cell, str) else cell


class CardTable(Widget):
    """A markdown table (its header cells and rows of cells, as `Content`), drawn line by
    line (see the module doc)."""

    COMPONENT_CLASSES = {"card-table--header", "card-table--border"}

    DEFAULT_CSS = """
    CardTable {
        width: 1fr;
        height: auto;
        & > .card-table--header {
            color: $primary;
            text-style: bold;
        }
        & > .card-table--border {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, headers: list[Content | str], rows: list[list[Content | str]],
                 aligns: list[str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        # GFM: the header has the table's columns; a row's cells past them are dropped,
        # a row short of them is filled with empty cells
        count = len(headers)
        self.headers = list(headers)
        # each column's alignment from the delimiter row (`---:` right, `:---:` centre),
        # as Obsidian draws it: "" is left
        self.aligns = [(aligns[k] if aligns and k < len(aligns) else "") for k in range(count)]
        self.rows = [list(row[:count]) + [""] * (count - len(row)) for row in rows]
        natural = [0] * count
        least = [0] * count
        whole = [0] * count  # the longest word or inline formula
        for row in (self.headers, *self.rows):
            for k, cell in enumerate(row):
                plain = cell if isinstance(cell, str) else cell.plain
                width = len(plain) if plain.isascii() else cell_len(plain)
                if width > natural[k]:
                    natural[k] = width
                if width > least[k]:  # a cell's longest word is at most the cell
                    word = _longest_word(plain) if " " in plain or NO_BREAK in plain \
                        or not plain.isascii() else width
                    if word > least[k]:
                        least[k] = word
                if width > whole[k]:
                    if NO_BREAK in plain:
                        run = _longest_run(plain)
                    else:
                        run = _longest_word(plain) if " " in plain or not plain.isascii() \
                            else width
                    if run > whole[k]:
                        whole[k] = run
        self._natural = natural
        self._least = least
        self._whole = whole
        self._layout: tuple[int, list[int], list[int]] | None = None  # width, columns, starts
        self._wrapped: OrderedDict[tuple[int, int], list[list[Content]]] = OrderedDict()

    # -- layout --------------------------------------------------------------------------
    def _widths(self, width: int) -> list[int]:
        return column_widths(self._natural, self._least, width, self._whole)

    def layout_for(self, width: int) -> tuple[list[int], list[int]]:
        """Each column's text width and the first line of each row (the header is row 0)
        at `width`; the last entry of the starts is the table's height."""
        if self._layout is None or self._layout[0] != width:
            widths = self._widths(width)
            # only a column whose longest cell is wider than the column can wrap
            narrow = [k for k, (full, shown) in enumerate(zip(self._natural, widths))
                      if full > shown]
            starts = []
            y = 1  # the top border
            for row in (self.headers, *self.rows):
                starts.append(y)
                y += (self._row_height(row, widths, narrow) if narrow else 1) + 1  # + a rule
            starts.append(y)
            self._layout = (width, widths, starts)
            self._wrapped.clear()
        return self._layout[1], self._layout[2]

    @staticmethod
    def _row_height(row: list[Content | str], widths: list[int], narrow: list[int]) -> int:
        height = 1
        for k in narrow:
            cell, width = row[k], widths[k]
            if len(cell) > width // 2 and _cells(cell) > width:  # (a cell is ≤ 2 a character)
                height = max(height, len(_cell_rows(cell, width)))
        return height

    def _row_lines(self, index: int, widths: list[int]) -> list[list[Content]]:
        key = (index, self._layout[0] if self._layout else 0)
        lines = self._wrapped.get(key)
        if lines is None:
            row = self.headers if index == 0 else self.rows[index - 1]
            lines = [_cell_rows(cell, width) if _cells(cell) > width
                     else [_content(cell)] for cell, width in zip(row, widths)]
            self._wrapped[key] = lines
            if len(self._wrapped) > WRAPPED_ROWS_KEPT:
                self._wrapped.popitem(last=False)
        else:
            self._wrapped.move_to_end(key)
        return lines

    def get_content_width(self, container, viewport) -> int:
        return sum(self._natural) + COLUMN_COST * len(self._natural) + EDGE_COST

    def get_content_height(self, container, viewport, width: int) -> int:
        return self.layout_for(width)[1][-1] if self.headers else 0

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._wrapped.clear()

    # -- drawing -------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.visual_style
        if not self.headers:
            return Strip.blank(width, base.rich_style)
        widths, starts = self.layout_for(width)
        border = (base + self.get_visual_style("card-table--border", partial=True)).rich_style
        last = len(starts) - 1  # the bottom border's line
        if y >= starts[-1] - 1:
            line = self._rule(widths, "└", "┴", "┘") if y == starts[-1] - 1 else ""
            return self._strip([Segment(line, border)] if line else [], width, base)
        if y == 0:
            return self._strip([Segment(self._rule(widths, "┌", "┬", "┐"), border)], width, base)
        row = bisect_right(starts, y) - 1
        if row < last and y == starts[row + 1] - 1:  # the line under a row
            return self._strip([Segment(self._rule(widths, "├", "┼", "┤"), border)], width, base)
        cells = self._row_lines(row, widths)
        offset = y - starts[row]
        style = base + self.get_visual_style("card-table--header", partial=True) if row == 0 \
            else base
        segments: list[Segment] = []
        for lines, column, align in zip(cells, widths, self.aligns):
            segments.append(Segment("│" + " " * CELL_PADDING, border))
            text = lines[offset] if offset < len(lines) else Content("")
            room = column - text.cell_length
            before = room if align == "right" else room // 2 if align == "center" else 0
            if before:
                segments.append(Segment(" " * before, style.rich_style))
            segments.extend(Segment(part, (part_style or style).rich_style) for part, part_style
                            in text.render(style, "", self._get_style))
            segments.append(Segment(" " * (room - before + CELL_PADDING), style.rich_style))
        segments.append(Segment("│", border))
        return self._strip(segments, width, base)

    async def action_link(self, href: str) -> None:
        """A link in a cell clicked: the Markdown widget's message, as its cells sent it
        (the card's Markdown does not open it)."""
        from textual.widgets import Markdown

        markdown = next((node for node in self.ancestors if isinstance(node, Markdown)), None)
        if markdown is not None:
            self.post_message(Markdown.LinkClicked(markdown, href))

    @staticmethod
    def _rule(widths: list[int], left: str, middle: str, right: str) -> str:
        return left + middle.join("─" * (width + 2 * CELL_PADDING) for width in widths) + right

    @staticmethod
    def _strip(segments: list[Segment], width: int, base) -> Strip:
        return Strip(segments).adjust_cell_length(width, base.rich_style)


class StashedTable(MarkdownTable):
    """A top-level table read by `split_tables`, in its placeholder's place."""

    def __init__(self, markdown, token, headers: list, rows: list, aligns: list) -> None:
        super().__init__(markdown, token)
        self._headers = headers
        self._rows = rows
        self._aligns = aligns

    def compose(self):
        yield CardTable(self._headers, self._rows, self._aligns)

    async def _update_from_block(self, block) -> None:  # no streaming: rebuilt whole
        await super(MarkdownTable, self)._update_from_block(block)


TABLE_MARKER = "flashdeck-table-"
TABLES_KEPT = 4  # the tables of the last few updates (an update waits for the one before)


class TableReader:
    """The Markdown widget's side of `split_tables` (mixed into the card's Markdown): each
    update's top-level tables read here, drawn where their placeholders stand."""

    _tables: OrderedDict[str, list]

    def update(self, markdown: str):
        import secrets

        if not hasattr(self, "_tables"):
            self._tables = OrderedDict()
        marker = f"{TABLE_MARKER}{secrets.token_hex(8)}-"
        shown, tables = split_tables(markdown, marker)
        if tables:
            self._tables[marker] = tables
            while len(self._tables) > TABLES_KEPT:
                self._tables.popitem(last=False)
        return super().update(shown)  # type: ignore[misc]

    def _parse_markdown(self, tokens):
        tables = getattr(self, "_tables", {})
        for block in super()._parse_markdown(tokens):  # type: ignore[misc]
            stashed = self._stashed(block, tables)
            if stashed is not None:
                yield stashed
                continue
            if block._blocks:  # a quote or a list: its tables' placeholders inside it
                self._stashed_inside(block, tables)
            yield block

    def _stashed(self, block, tables) -> StashedTable | None:
        """The table whose placeholder `block` is, or None."""
        info = block._token.info if block._token.type == "fence" else ""
        if not info.startswith(TABLE_MARKER):
            return None
        marker, _, number = info.rpartition("-")
        found = tables.get(marker + "-")
        if found is not None and number.isdigit() and int(number) < len(found):
            headers, rows, aligns = found[int(number)]
            return StashedTable(self, block._token, headers, rows, aligns)
        return None

    def _stashed_inside(self, block, tables) -> None:
        """Each placeholder among `block`'s parts (a quote's, a list item's, at any depth)
        replaced by its table. (Bounded: the parts are the card's blocks, each seen once.)"""
        pending = [block]
        while pending:
            parts = pending.pop()._blocks
            for k, part in enumerate(parts):
                stashed = self._stashed(part, tables)
                if stashed is not None:
                    parts[k] = stashed
                elif part._blocks:
                    pending.append(part)


class TablePart:
    """A table's head, body, row or cell while the Markdown widget parses a card: what its
    parser needs of a block (`_blocks`, `build_from_token`), without being a widget. The
    widget's own row and cell blocks are widgets, one made per cell only to be read
    by the table and dropped: a third of a big table's time to the screen."""

    def __init__(self, markdown, token, *args, **kwargs) -> None:
        self._token = token
        self._blocks: list[TablePart] = []
        self._content: Content | str = ""

    def build_from_token(self, token) -> None:
        """A cell's inline tokens as the widget's cells read them: plain text (most cells:
        a number, a word) as its string, made `Content` when drawn; else the `Content`
        of `MarkdownBlock._token_to_content` (a method that uses no state of its block)."""
        children = token.children or ()
        if all(child.type == "text" for child in children):
            self._content = _collapsed("".join(child.content for child in children))
        else:
            self._content = _token_content(token)


class TableHead(TablePart):
    pass


class TableRow(TablePart):
    pass


class TableCell(TablePart):
    pass


_ALIGN = {"text-align:right": "right", "text-align:center": "center"}

TABLE_BLOCKS = {"thead_open": TableHead, "tbody_open": TablePart, "tr_open": TableRow,
                "th_open": TableCell, "td_open": TableCell}


class CardMarkdownTable(MarkdownTable):
    """Textual's table block drawing its cells with one `CardTable` instead of a grid of
    widgets (see the module doc); its parts are `TablePart`s (`TABLE_BLOCKS`)."""

    def compose(self):
        headers, rows, aligns = self._headers_and_rows()
        self._headers = headers
        self._rows = rows
        yield CardTable(headers, rows, aligns)

    def _headers_and_rows(self) -> tuple[list[Content | str], list[list[Content | str]],
                                         list[str]]:
        headers: list[Content | str] = []
        rows: list[list[Content | str]] = []
        aligns: list[str] = []
        for part in self._blocks:
            for row in part._blocks:
                if not isinstance(row, TableRow):
                    continue
                cells = [cell for cell in row._blocks if isinstance(cell, TableCell)]
                if isinstance(part, TableHead):
                    headers.extend(cell._content for cell in cells)
                    # markdown-it: `style="text-align:right"` on a column's cells
                    aligns.extend(_ALIGN.get(str((cell._token.attrs or {}).get("style", "")),
                                             "") for cell in cells)
                else:
                    rows.append([cell._content for cell in cells])
        self._blocks.clear()
        return headers, rows, aligns

    async def _update_from_block(self, block) -> None:  # no streaming: rebuilt whole
        await super(MarkdownTable, self)._update_from_block(block)


# -- tables read without markdown-it ---------------------------------------------------------
# Even with one widget for a table, markdown-it's block parse of a 1,000-row table took
# seconds (its table rule and one inline parse per cell). A table standing on its own at the
# top level of a card (a blank line or the card's start above it, a blank line or its end
# below, every line starting with `|`) is read here instead: its rows split as GFM splits
# them (`cardtext._table_cells`, the same rule as markdown-it's), each cell's inline markup
# read by `inline.inline_paragraph` (as the Markdown widget reads one), or by markdown-it's
# inline parser alone when the fast path declines (a link, an entity). The Markdown widget
# gets a fenced placeholder in the table's place (its text the table's own lines, its info
# a nonce no card text can hold) and the card's Markdown draws a `CardTable` there.
#
# A table inside a callout (a quote) or a list item is read here too (it went through
# markdown-it: 1.1-1.9 s and 65-68 MB more for a 1,000x30 table in a callout, against
# 0.4-0.55 s and 17 MB at the top level): every line of it starts with the same prefix
# (the quote's `> `, the item's indent), then `|`. Whether markdown-it reads a table there
# depends on the blocks around it (a list item's indent, a quote's depth), so markdown-it
# says: the card is parsed with each such table cut to its header, delimiter row and first
# row (the other rows, with the same prefix and a `|` after it, are rows wherever the first
# is), and only a table markdown-it reads at that line, ending after that row, is read here.
# Its placeholder fence has the same prefix on every line, so it lands in the same quote or
# list item (`TableReader._stashed_inside` finds it there).

MAX_EMPTY_CELLS = 0x8000  # markdown-it ends a table past 0x10000 cells its rows lack: read
# by markdown-it (far below that, the count here may differ from its own by a cell a row)
_PREFIX = re.compile(r"(?:[ ]*>[ ]?)*[ ]*")
_BLOCK_PARSER = None


def split_tables(markdown: str, marker: str) -> tuple[str, list[tuple[list, list, list]]]:
    """`markdown` with each table read here (see above) replaced by a fence whose info is
    `marker` and the table's number, and the tables' header cells, rows of cells (each
    `Content` or, plain text, its string) and columns' alignments (see `CardTable`)."""
    from flashdeck.cardtext import _fenced

    if "|" not in markdown:
        return markdown, []
    lines = markdown.split("\n")
    found: list[tuple[int, int, str]] = []  # (header line, end, prefix) of each table
    fence: str | None = None
    quoted: str | None = None  # a fence inside a quote or list item (`_fenced`'s marks)
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        fence, kind = _fenced(fence, line, "")
        quoted, inner = _fenced(quoted, line, "> ")
        span = None
        if kind == "text":
            span = _table_end(lines, i)
            if span is not None:
                span = (span, "")
            elif inner == "text" and "|" in line:
                span = _contained_table(lines, i)
        if span is None:
            i += 1
            continue
        found.append((i, *span))
        i = span[0]
    if any(prefix for _, _, prefix in found):
        found = _read_by_markdown_it(lines, found)
    if not found:
        return markdown, []
    out: list[str] = []
    tables: list[tuple[list, list, list]] = []
    done = 0
    for start, end, prefix in found:
        out.extend(lines[done:start])
        tables.append(_read_table(lines, start, end, len(prefix)))
        ticks = "`" * max(3, _longest_backticks(lines, start, end) + 1)
        out.append(f"{prefix}{ticks}{marker}{len(tables) - 1}")
        out.extend(lines[start:end])
        out.append(f"{prefix}{ticks}")
        done = end
    out.extend(lines[done:])
    return "\n".join(out), tables


def _read_table(lines: list[str], i: int, end: int, cut: int) -> tuple[list, list, list]:
    """The header cells, rows of cells and alignments of the table `lines[i:end]`, each
    line read after its first `cut` characters (its quote markers or indent)."""
    from flashdeck.cardtext import _table_cells

    header = _table_cells(lines[i][cut:].rstrip()) or []
    count = len(header)
    rows = []
    for row in lines[i + 2:end]:
        row = row[cut:]
        cells = (_table_cells(row.rstrip()) or [])[:count]
        if _ROW_MARKUP.search(row):
            cells = [_cell(cell) for cell in cells]
        else:  # a row of plain cells (most rows: numbers, words): their text
            cells = [" ".join(cell.split()) if NO_BREAK not in cell
                     else _collapsed(cell).strip(" ") for cell in cells]
        rows.append(cells + [""] * (count - len(cells)))
    delimiters = _table_cells(lines[i + 1][cut:].rstrip()) or []
    return ([_cell(cell) for cell in header], rows,
            [_alignment(cell.strip()) for cell in delimiters])


def _contained_table(lines: list[str], i: int) -> tuple[int, str] | None:
    """Where the table whose header may be `lines[i]`, inside a quote or a list item, ends
    and the prefix of its lines (see above), or None. Markdown-it has the last word
    (`_read_by_markdown_it`)."""
    from flashdeck.cardtext import _TABLE_DELIMITER_CELL, _table_cells as table_cells

    line = lines[i]
    prefix = _PREFIX.match(line).group()  # type: ignore[union-attr]
    cut = len(prefix)
    if not prefix or line[cut:cut + 1] != "|" or i + 1 >= len(lines):
        return None
    if i and lines[i - 1].strip(" >"):
        return None  # a paragraph's line above (the fast path takes a table standing alone)
    below = lines[i + 1]
    if not below.startswith(prefix) or below[cut:cut + 1] != "|":
        return None
    header = table_cells(line[cut:].rstrip())
    delimiters = table_cells(below[cut:].rstrip())
    if not (header and delimiters and len(header) == len(delimiters)
            and all(_TABLE_DELIMITER_CELL.match(cell) for cell in delimiters)):
        return None
    end, empty = i + 2, 0
    while end < len(lines) and lines[end].startswith(prefix) and lines[end][cut:cut + 1] == "|":
        empty += max(0, len(header) - len(table_cells(lines[end][cut:].rstrip()) or []))
        if empty > MAX_EMPTY_CELLS:
            return None
        end += 1
    return end, prefix


def _read_by_markdown_it(lines: list[str], found: list[tuple[int, int, str]]
                         ) -> list[tuple[int, int, str]]:
    """`found` without the tables in a quote or a list item that markdown-it does not read
    as tables there, ending where `_contained_table` ends them (see above)."""
    from markdown_it import MarkdownIt

    skeleton: list[str] = []
    at: dict[int, int] = {}  # a contained table's header line in the skeleton -> its end
    done = 0
    for start, end, prefix in found:  # (a top-level table cut too: not parsed for nothing)
        kept = min(end, start + 3)  # the header, the delimiter row, the first row
        skeleton.extend(lines[done:kept])
        if prefix:
            at[len(skeleton) - (kept - start)] = len(skeleton)
        done = end
    skeleton.extend(lines[done:])
    global _BLOCK_PARSER
    if _BLOCK_PARSER is None:
        _BLOCK_PARSER = MarkdownIt("gfm-like")  # the Markdown widget's own parser
    read = {token.map[0] for token in _BLOCK_PARSER.parse("\n".join(skeleton))
            if token.type == "table_open" and token.map and at.get(token.map[0]) == token.map[1]}
    kept_tables = []
    index = iter(sorted(at))
    for start, end, prefix in found:
        if not prefix or next(index) in read:
            kept_tables.append((start, end, prefix))
    return kept_tables


def _alignment(delimiter: str) -> str:
    """A delimiter cell's alignment, as markdown-it reads it: `:-:` centre, `-:` right."""
    if delimiter.endswith(":"):
        return "center" if delimiter.startswith(":") else "right"
    return ""


def _table_end(lines: list[str], i: int) -> int | None:
    """Where the table whose header is `lines[i]` ends (the line after its last row), or
    None when `lines[i]` does not start a table read here."""
    from flashdeck.cardtext import _TABLE_DELIMITER_CELL, _table_cells as table_cells

    line = lines[i]
    if not line.startswith("|") or i + 1 >= len(lines) or (i and lines[i - 1].strip()):
        return None
    below = lines[i + 1].rstrip()
    header = table_cells(line.rstrip())
    delimiters = table_cells(below) if below.startswith("|") else None
    if not (header and delimiters and len(header) == len(delimiters)
            and all(_TABLE_DELIMITER_CELL.match(cell) for cell in delimiters)):
        return None
    end = i + 2
    while end < len(lines) and lines[end].strip():
        if not lines[end].startswith("|"):
            return None  # a row markdown-it might read otherwise: it reads this table
        end += 1
    return end


def _longest_backticks(lines: list[str], start: int, end: int) -> int:
    longest = 0
    for line in lines[start:end]:
        if "```" in line:
            longest = max(longest, max(len(run) for run in re.findall("`+", line)))
    return longest


_INLINE_PARSER = None
# what a cell's inline markup (or linkify: `www`, `a.b`, `//`) may start with; a cell
# without any is its text, its whitespace runs one space each
_MARKUP_START = r"[\\`*_\[\]<>&~{}#$@:/!]|\.(?!\d)|www"
_MARKUP = re.compile(_MARKUP_START.format("|"), re.IGNORECASE)
_ROW_MARKUP = re.compile(_MARKUP_START.format(""), re.IGNORECASE)  # a row: its `|` no markup


def _cell(source: str) -> Content | str:
    """A cell's text as the Markdown widget shows it: its string when it is plain."""
    from flashdeck.inline import inline_paragraph

    if not source:
        return ""
    if not _MARKUP.search(source):  # most cells: a number, a word, a few words
        return _collapsed(source)
    inline = inline_paragraph(source)
    if inline is not None:
        text, spans = inline
        text = _collapsed(text) if not spans else text
        if not spans:
            return text
        from textual.content import Span

        return Content(text, spans=[Span(start, end, f".{name}") for start, end, name in spans])
    global _INLINE_PARSER
    if _INLINE_PARSER is None:
        from markdown_it import MarkdownIt

        _INLINE_PARSER = MarkdownIt("gfm-like")
    tokens = _INLINE_PARSER.parseInline(source)
    return _token_content(tokens[0]) if tokens else ""


def _token_content(token) -> Content:
    """`MarkdownBlock._token_to_content` (a method that uses no state of its block) of a
    cell's inline token, its no-break spaces kept: the widget makes every whitespace run
    one space, so they stand in as a character the cell does not hold meanwhile (as the
    card's paragraphs do: `widgets.CardParagraph`)."""
    children = [child for child in token.children or ()
                if child.type == "text" and NO_BREAK in child.content]
    if not children:
        return MarkdownBlock._token_to_content(None, token)  # type: ignore[arg-type]
    text = "".join(child.content for child in token.children or ())
    stand_in = next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
    for child in children:
        child.content = _collapsed(child.content).replace(NO_BREAK, stand_in)
    content = MarkdownBlock._token_to_content(None, token)  # type: ignore[arg-type]
    return Content(content.plain.replace(stand_in, NO_BREAK), spans=content.spans)
