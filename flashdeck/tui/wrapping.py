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
