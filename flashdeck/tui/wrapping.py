"""Text wrapped at a widget's width with a hanging indent, and lines cut in their middle:
the working under an exercise, the help's keys, card info, the breadcrumb. Nothing here is
ever clipped silently."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget


def wrap_hanging(text: str, width: int, hang: int = 2,
                 column: int | None = None) -> list[tuple[int, int, int]]:
    """Where `text` breaks to fit `width` cells: `(indent, start, end)` for each screen line,
    `text[start:end]` shown after `indent` spaces.

    Lines break at spaces (a word longer than the line is cut); each line's continuations
    hang `hang` cells past its own indent (its leading spaces), or start at `column` when
    given, never past half the width, so that a wrapped line reads as one. Trailing
    spaces at a break are dropped; a line's own leading spaces are kept."""
    width = max(width, 1)
    rows: list[tuple[int, int, int]] = []
    offset = 0
    for line in text.split("\n"):
        lead = len(line) - len(line.lstrip(" "))
        hanging = min(column if column is not None else lead + hang, width // 2)
        start, indent = 0, 0
        while True:
            room = width - indent
            used = 0
            end = start
            fits_to = start  # the end of the last word that fits
            while end < len(line):
                used += cell_len(line[end])
                if used > room:
                    break
                end += 1
                if end == len(line) or (line[end] == " " and line[end - 1] != " "):
                    fits_to = end
            if end >= len(line):
                rows.append((indent, offset + start, offset + len(line)))
                break
            if fits_to <= start:  # no word ends in the room: cut the one that overflows
                fits_to = max(end, start + 1)
            rows.append((indent, offset + start, offset + fits_to))
            start = fits_to
            while start < len(line) and line[start] == " ":
                start += 1
            if start >= len(line):
                break
            indent = hanging
        offset += len(line) + 1
    return rows


def hanging_content(content: Content, width: int, hang: int = 2,
                    column: int | None = None) -> list[Content]:
    """`content`'s lines wrapped at `width` with a hanging indent (`wrap_hanging`), styles
    kept."""
    return [Content(" " * indent) + content[start:end] if indent else content[start:end]
            for indent, start, end in wrap_hanging(content.plain, width, hang, column)]


def middle_ellipsis(text: str, width: int) -> str:
    """`text` cut to `width` cells by an ellipsis in its middle, at word boundaries where
    it can: both ends stay (a breadcrumb's deck and its heading)."""
    if cell_len(text) <= width:
        return text
    if width < 7:
        return _cells_prefix(text, max(width - 1, 0)) + "…"[:width]
    head_room = (width - 3) // 3  # " … " takes 3 cells
    first_word = cell_len(text.split(" ", 1)[0])  # a breadcrumb's deck: whole if it can be
    if head_room < first_word <= (width - 3) // 2:
        head_room = first_word
    head = _cells_prefix(text, head_room)
    if text[len(head):][:1] not in ("", " ") and not head.endswith(" ") \
            and " " in head.strip():
        head = head[:head.rstrip().rfind(" ")]  # the last whole word
    tail = _cells_prefix(text[::-1], width - 3 - cell_len(head.rstrip()))[::-1]
    if text[:len(text) - len(tail)][-1:] not in ("", " ") and not tail.startswith(" ") \
            and " " in tail.strip():
        tail = tail[tail.lstrip().find(" ") + len(tail) - len(tail.lstrip()):]
    return f"{head.rstrip()} … {tail.lstrip()}"


NO_BREAK = "\u00a0"


def no_break_rows(text: str, width: int) -> list[tuple[int, int]]:
    """Where `text` breaks to fit `width` cells, as `(start, end)` of each screen line,
    breaking only at its ordinary spaces (and its newlines): a run of words joined by
    no-break spaces (an inline formula, `P(A | B) = P(B)`) moves to the next line whole.
    Only a run wider than the line breaks inside, at its own no-break spaces (as a
    textbook breaks a long formula), and a piece still wider is cut by cells. A line's
    trailing spaces are dropped at a break. Bounded: every step takes a character."""
    width = max(width, 1)
    rows: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start, n = 0, len(line)
        line_start, used = 0, 0  # the current screen line and its cells so far
        pending: tuple[int, int] | None = None  # the current screen line's end
        i = 0
        while i < n:
            if line[i] == " " or (line[i].isspace() and line[i] != NO_BREAK):
                i += 1
                continue
            start = i
            while i < n and not (line[i] == " " or (line[i].isspace() and line[i] != NO_BREAK)):
                i += 1
            word = cell_len(line[start:i])
            gap = cell_len(line[pending[1]:start]) if pending else 0
            if pending and used + gap + word <= width:
                pending = (line_start, i)
                used += gap + word
                continue
            if pending:
                rows.append((offset + pending[0], offset + pending[1]))
            if word <= width:
                line_start, used, pending = start, word, (start, i)
                continue
            # a run wider than the line: its no-break spaces, then its cells
            for piece_start, piece_end in _long_run(line, start, i, width):
                rows.append((offset + piece_start, offset + piece_end))
            last = rows.pop()
            line_start, pending = last[0] - offset, (last[0] - offset, last[1] - offset)
            used = cell_len(line[pending[0]:pending[1]])
        if pending:
            rows.append((offset + pending[0], offset + pending[1]))
        elif not n or not rows or rows[-1][1] < offset:
            rows.append((offset, offset))  # a blank line is a line
        offset += n + 1
    return rows


def _long_run(line: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """`line[start:end]` (no ordinary space inside) in pieces of at most `width` cells,
    broken after its no-break spaces where it can, by cells where it cannot."""
    pieces: list[tuple[int, int]] = []
    piece = start
    while piece < end:
        used, i, fits = 0, piece, None
        while i < end:
            used += cell_len(line[i])
            if used > width:
                break
            i += 1
            if i < end and line[i] == NO_BREAK:
                fits = i  # the piece may end before this no-break space
        if i >= end:
            pieces.append((piece, end))
            break
        cut = fits if fits is not None and fits > piece else max(i, piece + 1)
        pieces.append((piece, cut))
        piece = cut
        while piece < end and line[piece] == NO_BREAK:
            piece += 1
    return pieces


def no_break_wrapped(content: Content, width: int) -> Content:
    """`content` broken into lines at `width` by `no_break_rows`, styles kept: each line
    fits, so the widget's own wrapping leaves it as it is."""
    return Content("\n").join(content[start:end] for start, end in
                               no_break_rows(content.plain, width))


class KeepsFormulasWhole:
    """For a `Static` whose text may hold no-break spaces (a card's paragraph: an inline
    formula's spaces): drawn wrapped by `no_break_rows`, not by Textual, which breaks a
    line at any space, no-break ones too (`P(A | B) =` at the end of one line, `P(B)` on
    the next). Text without one is left to the widget."""

    def _kept_whole(self):
        visual = super().render()  # type: ignore[misc]
        if isinstance(visual, Content) and NO_BREAK in visual.plain \
                and self.styles.text_wrap != "nowrap":  # type: ignore[attr-defined]
            return visual
        return None

    def render(self):
        visual = self._kept_whole()
        if visual is None:
            return super().render()  # type: ignore[misc]
        return no_break_wrapped(visual, self.size.width)  # type: ignore[attr-defined]

    def get_content_height(self, container, viewport, width: int) -> int:
        visual = self._kept_whole()
        if visual is None:
            return super().get_content_height(container, viewport, width)  # type: ignore[misc]
        return len(no_break_rows(visual.plain, width))


def _cells_prefix(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells` cells."""
    used = 0
    for i, character in enumerate(text):
        used += cell_len(character)
        if used > cells:
            return text[:i]
    return text


class HangingText(Widget):
    """Text wrapped at the widget's width with a hanging indent: a wrapped line's
    continuation starts `hang` cells past the line's indent (or at `column`), so nothing
    is clipped and a long line still reads as one (the working, the help's keys)."""

    DEFAULT_CSS = """
    HangingText {
        width: 1fr;
        height: auto;
    }
    """

    def __init__(self, content: Content | str = "", hang: int = 2, column: int | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.hang = hang
        self.column = column
        self._content = Content(content) if isinstance(content, str) else content
        self._lines: tuple[int, list[Content]] | None = None

    def update(self, content: Content | str) -> None:
        self._content = Content(content) if isinstance(content, str) else content
        self._lines = None
        self.refresh(layout=True)

    @property
    def content(self) -> Content:
        return self._content

    def lines(self, width: int) -> list[Content]:
        if self._lines is None or self._lines[0] != width:
            self._lines = (width, hanging_content(self._content, width, self.hang,
                                                  self.column))
        return self._lines[1]

    def get_content_width(self, container, viewport) -> int:
        return max((line.cell_length for line in self._content.split("\n")), default=0)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> RenderResult:
        return Content("\n").join(self.lines(self.size.width))
