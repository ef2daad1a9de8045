"""The widget that draws text with a hanging indent (`wrapping.hanging_content`,
`wrapping.working_content`): an exercise's working, the help's keys, card info. A module of
its own, imported by those only: a plain first card never builds the class."""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget

from flashdeck.tui.wrapping import hanging_content, working_content


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
                 working: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hang = hang
        self.column = column
        self.working = working  # an exercise's working: broken between its steps
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
            self._lines = (width, working_content(self._content, width, self.hang)
                           if self.working else
                           hanging_content(self._content, width, self.hang, self.column))
        return self._lines[1]

    def get_content_width(self, container, viewport) -> int:
        return max((line.cell_length for line in self._content.split("\n")), default=0)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> RenderResult:
        return Content("\n").join(self.lines(self.size.width))
