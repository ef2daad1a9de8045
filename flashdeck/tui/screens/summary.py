"""The end of a session: cards done, time, again-rate, what is still due and what comes next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from flashdeck.scheduling.rating import Rating
from flashdeck.tui.content import plain
from flashdeck.tui.hanging import HangingText
from flashdeck.tui.session import Summary, counts_text, format_duration
from flashdeck.words import count


def summary_content(summary: Summary, tz) -> tuple[Content, int]:
    """The summary as aligned label/value lines, and the column the values start at
    (where a value continues when it wraps: `0 new · 0 learning · 0 review` at 40
    columns went on at the box's left edge, under the labels)."""
    rate = f"{summary.again_rate:.0%}" if summary.again_rate is not None else "-"
    r = summary.by_rating
    left = summary.left
    rows = [
        ("Cards reviewed", str(summary.done)),
        ("Time", format_duration(summary.seconds)),
        ("Again", f"{summary.again} ({rate})"),
        ("Hard · Good · Easy", f"{r[Rating.HARD]} · {r[Rating.GOOD]} · {r[Rating.EASY]}"),
        ("Still due in this deck" if summary.deck else "Still due today",
         f"{left.new} new · {left.learning} learning · {left.review} review"),
        ("Later today", summary.upcoming.today_text(tz)),
        ("Tomorrow", count(summary.upcoming.tomorrow, "card")),
    ]
    if summary.elsewhere is not None:
        rows.insert(5, ("Other decks", f"{counts_text(summary.elsewhere)} due"
                        if summary.elsewhere.total else "nothing due"))
    width = max(len(label) for label, _ in rows)
    return Content("\n").join(
        Content.assemble((f"{label:<{width}}", "bold"), "   ", value)
        for label, value in rows), width + 3


class SummaryScreen(Screen):
    CSS_PATH = "summary.tcss"  # its rules, parsed when the screen is first shown

    BINDINGS = [
        Binding("q", "leave", "Quit"),
        Binding("enter", "leave", "Quit", show=False),
        Binding("escape", "decks", "Decks"),
        # the session's undo reaches past its end: a slip on the last card is taken back
        Binding("u", "undo", "Undo", show=False),
    ]

    # a small terminal (a split pane): the box gives up its blank rows and its line of
    # keys, which the key bar under it says too (`summary.tcss`), for more of the summary
    VERTICAL_BREAKPOINTS = [(0, "-short"), (16, "-tall")]

    def __init__(self, finished: bool, deck: str | None = None, done: int = 0,
                 seen: frozenset[int] = frozenset()) -> None:
        super().__init__()
        self.finished = finished
        self.deck = deck  # a deck session's: the end speaks of that deck, and of the others
        # the review screen's progress when it ended here: cards done, cards answered but
        # still in today's queue (ReviewScreen.refresh_counts)
        self.done = done
        self.seen = seen

    def compose(self) -> ComposeResult:
        # the box is no taller than the room left above the toasts (docked at the bottom,
        # `flashdeck.tcss`): its title and keys are docked in it, the lines between scroll
        # (↑ ↓). As a plain box it went on under the toasts, its closing border and keys
        # hidden, at 80×24 with two toasts on screen.
        with VerticalScroll(id="summary-box"):
            yield Static(Content.styled("Session summary", "bold $accent"), id="summary-title")
            yield Static(Content.assemble(("q", "bold"), " or ", ("Enter", "bold"), " quit   ",
                                          ("Escape", "bold"), " back to the decks"),
                         id="summary-keys")
            yield HangingText(id="summary-body")
        yield Footer()

    def on_mount(self) -> None:
        self.show_summary()
        self.query_one("#summary-box", VerticalScroll).focus()  # the arrows scroll at once

    def title_text(self) -> str:
        """What the end says: of the session's deck, and of what is due elsewhere."""
        if not self.finished:
            return "Session summary"
        if self.app.session.cram:  # every card passed; what is due is the schedules' (below)
            return "Cram done — every card of " + (
                f"deck {plain(self.deck)}" if self.deck else "the collection") + " passed."
        if not self.deck:
            return "Done for now — nothing more is due."
        title = f"Nothing more due in deck {plain(self.deck)}."
        elsewhere = self.summary.elsewhere
        if elsewhere is not None and elsewhere.total:
            title += f"\nElsewhere: {counts_text(elsewhere)} due — Escape for the deck list."
        return title

    def show_summary(self) -> None:
        app = self.app
        self.summary = app.session.summary(self.deck)
        title = self.query_one("#summary-title", Static)
        body = self.query_one("#summary-body", HangingText)
        if app.pending is not None:  # the last answer is not in the collection yet
            title.update(Content.styled("Session summary", "bold $accent"))
            body.hang, body.column = 0, None
            body.update(Content.assemble(
                ("⏳ " + app.waiting_text(), "bold $warning"),
                "\nYour last answer is written as soon as the collection is free; "
                "the summary follows, and q quits once it is written."))
            return
        title.update(Content.styled(self.title_text(), "bold $accent"))
        text, body.column = summary_content(self.summary, app.tz)
        body.update(text)

    async def pending_written(self, answered) -> None:
        """The last answer is written (or refused): the summary, now with it."""
        self.show_summary()

    def action_leave(self) -> None:
        # never before a pending answer is written: the app waits for it, and says so
        self.app.leave(None if self.app.pending is not None else self.summary.line(self.app.tz))

    def action_decks(self) -> None:
        self.app.show_home()

    async def action_undo(self) -> None:
        """Undo the session's last answer and show its card again (a review screen in
        this one's place), as `u` on the review screen does."""
        from flashdeck.collection.cards import get_card
        from flashdeck.errors import FlashdeckError
        from flashdeck.tui.screens.review import ReviewScreen, taken_back

        app = self.app
        last = app.session.last_answer()  # what the bar counted for it
        try:
            undone = app.session.undo(app.session.engine(self.deck))
        except FlashdeckError as exc:
            self.notify(plain(str(exc)), severity="error", markup=False)
            return
        if not undone.done:
            self.notify(plain(undone.reason), markup=False)
            self.show_summary()  # an answer undone elsewhere is no longer counted
            return
        label = Rating(undone.rating).label if undone.action == "answer" else \
            f"the {undone.action} of card {undone.card_id}"
        card = get_card(app.session.col, undone.card_id)
        if card.orphaned or card.suspended:
            why = "is no longer in its note" if card.orphaned else "is suspended"
            self.notify(f"Undid {label}. Card {card.id} {why}: it is not shown again.",
                        markup=False)
            self.show_summary()
            return
        self.notify(f"Undid {label}.", markup=False)
        # the progress bar goes on where the sitting was, less the answer taken back
        seen = set(self.seen)
        done = taken_back(self.done, seen, last, app.session.answers) \
            if undone.action == "answer" else self.done
        app.switch_screen(ReviewScreen(self.deck, first=card, done=done, seen=frozenset(seen)))
