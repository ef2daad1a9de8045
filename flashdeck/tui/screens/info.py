"""One card's memory and history (`i` on the review screen): what `flashdeck info` prints."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from flashdeck.cardinfo import CardInfo, review_line
from flashdeck.tui.hanging import HangingText


def fields_content(info: CardInfo) -> tuple[Content, int]:
    """The card's fields as aligned label/value lines (plain text: card text is never
    read as markup), and the column the values start at (where a long value, the note's
    path, continues when it wraps)."""
    rows = info.fields()
    width = max(len(label) for label, _ in rows)
    return Content("\n").join(
        Content.assemble((f"{label:>{width}}", "bold"), "  ", value)
        for label, value in rows), width + 2


def history_content(info: CardInfo) -> Content:
    if not info.history:
        return Content.styled("No reviews yet.", "$text-muted")
    count = len(info.history)
    heading = Content.assemble(
        (f"History ({count} review{'s' if count != 1 else ''})", "bold"),
        ("  time, rating, interval given, state before → after", "$text-muted"))
    return Content("\n").join([heading, *(Content(review_line(r)) for r in info.history)])


class InfoScreen(ModalScreen):
    CSS_PATH = "info.tcss"  # its rules, parsed when the screen is first shown

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("i", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, info: CardInfo) -> None:
        super().__init__()
        self.info = info

    def compose(self) -> ComposeResult:
        # the box itself scrolls; its title and closing line are docked, so they stay (as
        # the help's): the body's own scroll, 70% of the terminal's height, left the
        # closing line out of a shorter screen (80×16, or with toasts below the box)
        with VerticalScroll(id="info-box"):
            yield Static(Content.styled(self.info.title(), "bold"), id="info-title")
            yield Static(Content.styled("Escape or i closes · ↑ ↓ PgUp PgDn scroll", "dim"),
                         id="info-close")
            fields, column = fields_content(self.info)
            yield HangingText(fields, column=column, id="info-fields")
            yield HangingText(history_content(self.info), hang=2, id="info-history")

    def on_mount(self) -> None:
        self.query_one("#info-box", VerticalScroll).focus()  # the arrows scroll at once
