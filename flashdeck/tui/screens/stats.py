"""The stats view (`t` on the deck list, or the command palette): the forecast, a year's
heatmap, true retention, answer buttons, calibration, card states, intervals and the FSRS
parameters in use, for one deck (and its subdecks) or all.

It opens at once: the figures are computed in a thread worker on its own connection (a
year of a big log takes a moment) and drawn when they come. The charts are text lines
(scheduling/stats_charts.py) shown as plain Content: deck names are never read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from flashdeck.tui.content import plain


# the narrowest the figures are laid out for: the forecast's 30 days and its axis (to 9,999
# cards a day), a heatmap row, the calibration rows; a narrower screen scrolls sideways
MIN_WIDTH = 36


class StatsScreen(Screen):
    CSS_PATH = "stats.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("t", "close", "Close", show=False),
    ]

    @dataclass
    class Ready(Message):
        stats: object

    @dataclass
    class Failed(Message):
        error: str

    def __init__(self, deck: str | None = None) -> None:
        super().__init__()
        self.deck = deck
        self.stats = None

    def title_text(self) -> str:
        title = f"Stats · {self.deck}" if self.deck else "Stats · all decks"
        if self.stats is not None:
            title += f" · {self.stats.today:%A %Y-%m-%d}"
        return title

    def compose(self) -> ComposeResult:
        # the whole deck name, wrapped (a long one takes lines, it is never cut silently)
        yield Static(Content.styled(plain(self.title_text()), "bold $accent"),
                     id="stats-title")
        with VerticalScroll(id="stats-body"):
            yield Static(Content.styled("Counting…", "$text-muted"), id="stats-charts")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stats-body", VerticalScroll).focus()  # the arrows scroll at once
        self.call_after_refresh(self.compute)  # the first frame first, then the figures

    @work(thread=True, exclusive=True, group="stats")
    def compute(self) -> None:
        from flashdeck import clock
        from flashdeck.scheduling.stats import compute_stats
        from flashdeck.tui.session import worker_collection

        app = self.app
        try:
            with worker_collection(app.collection_path, app.session.col) as col:
                now = (app.session.now or clock.now)()
                stats = compute_stats(col, app.session.config, now, deck=self.deck)
        except Exception as exc:  # shown to the user in the handler
            self.post_message(self.Failed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Ready(stats))

    def on_stats_screen_ready(self, message: Ready) -> None:
        self.stats = message.stats
        self.draw()

    def on_stats_screen_failed(self, message: Failed) -> None:
        self.query_one("#stats-charts", Static).update(
            Content(plain(f"Could not compute the stats: {message.error}")))

    def on_resize(self) -> None:
        if self.stats is not None:
            self.draw()

    def draw(self) -> None:
        from flashdeck.scheduling.stats_charts import all_lines

        # the body's width (its padding and scroll bar off), and at least MIN_WIDTH: laid
        # out for 40 columns, a 40-column screen's body of 36 hid the last 4 of every line
        # behind its sideways scroll (`Reviews, last 365 days: 141 on 14 da`)
        width = max(MIN_WIDTH, self.size.width - 4)
        self.query_one("#stats-title", Static).update(
            Content.styled(plain(self.title_text()), "bold $accent"))
        lines = all_lines(self.stats, width, title=False)  # the title is the screen's own
        # what the figures leave out (damaged rows...) comes first, up to a blank line
        warnings = lines.index("") if self.stats.notices() else 0
        body = Content("\n").join(
            Content.styled(plain(line), "$warning") if i < warnings
            else Content.styled(plain(line), "bold") if _heading(line)
            else Content(plain(line)) for i, line in enumerate(lines))
        self.query_one("#stats-charts", Static).update(body)

    def action_close(self) -> None:
        self.dismiss()


def _heading(line: str) -> bool:
    return bool(line) and not line.startswith(" ") and line[:2] not in (
        "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su") and "▕" not in line[:8]
