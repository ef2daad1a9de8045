"""The end of a session: cards done, time, again-rate, what is still due and what comes next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from flashdeck.tui.session import Summary, format_duration


def summary_content(summary: Summary, tz) -> Content:
    """The summary as aligned label/value lines."""
    rate = f"{summary.again_rate:.0%}" if summary.again_rate is not None else "-"
    r = summary.by_rating
    left = summary.left
    rows = [
        ("Cards reviewed", str(summary.done)),
        ("Time", format_duration(summary.seconds)),
        ("Again", f"{summary.again} ({rate})"),
        ("Hard · Good · Easy", f"{r[2]} · {r[3]} · {r[4]}"),
        ("Still due today", f"{left.new} new · {left.learning} learning · {left.review} review"),
        ("Later today", summary.upcoming.today_text(tz)),
        ("Tomorrow", f"{summary.upcoming.tomorrow} cards"),
    ]
    width = max(len(label) for label, _ in rows)
    return Content("\n").join(
        Content.assemble((f"{label:<{width}}", "bold"), "   ", value) for label, value in rows)


class SummaryScreen(Screen):
    CSS_PATH = "summary.tcss"  # its rules, parsed when the screen is first shown

    BINDINGS = [
        Binding("q", "leave", "Quit"),
        Binding("enter", "leave", "Quit", show=False),
        Binding("escape", "decks", "Decks"),
    ]

    def __init__(self, finished: bool) -> None:
        super().__init__()
        self.finished = finished

    def compose(self) -> ComposeResult:
        title = ("Done for now — nothing more is due." if self.finished
                 else "Session summary")
        with Vertical(id="summary-box"):
            yield Static(Content.styled(title, "bold $accent"), id="summary-title")
            yield Static(id="summary-body")
            yield Static(Content.assemble(("q", "bold"), " or ", ("Enter", "bold"), " quit   ",
                                          ("Escape", "bold"), " back to the decks"),
                         id="summary-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.summary = self.app.session.summary()
        self.query_one("#summary-body", Static).update(summary_content(self.summary, self.app.tz))

    def action_leave(self) -> None:
        self.app.exit(self.summary.line(self.app.tz))

    def action_decks(self) -> None:
        self.app.show_home()
