"""The home screen: the deck tree with what is due in each, and what comes later today.

The counts are computed in a thread worker on its own connection (SQLite connections stay
in their thread): with many decks and cards they take a moment, and the first card must
not wait for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.scalar import Scalar
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static

from flashdeck.scheduling.engine import Counts
from flashdeck.scheduling.upcoming import Upcoming
from flashdeck.tui.app import run_key_on_top
from flashdeck.tui.keybar import KeyBar
from flashdeck.tui.content import plain
from flashdeck.tui.widgets import Notice, once_laid_out
from flashdeck.words import held_back

ALL = "\x00all"  # the row key of the totals row (no deck name can hold NUL)


@dataclass(frozen=True, slots=True)
class DeckRow:
    deck: str  # the full '/'-separated name
    depth: int
    counts: Counts


def compute_rows(col, config, now) -> tuple[list[DeckRow], Counts, Upcoming, Counts]:
    """The tree with counts (a parent counts its subdecks), the totals, what is later, and
    what the sibling rules hold back for another day (as `flashdeck due` says it)."""
    from flashdeck.scheduling.decks import deck_counts
    from flashdeck.scheduling.engine import Engine
    from flashdeck.scheduling.upcoming import upcoming

    engine = Engine(col, config, now=now)
    tree, total = deck_counts(col, config, now, engine)
    rows = [DeckRow(node, depth, counts) for node, depth, counts in tree]
    return rows, total, upcoming(engine), engine.queue().held_back()


def day_lines(total: Counts, later: Upcoming, held: Counts, tz) -> list[tuple[Content, Content]]:
    """The lines under the deck table, each in its full wording and a short one for a
    narrow screen (`DayLines`): what is due today, what is waiting, and the new cards and
    reviews that siblings of today's cards hold back for another day (a user with a limit
    of 20 saw 9 new and no word of the 7 others)."""
    from flashdeck.scheduling.upcoming import clock_time

    today = ("Today: ", "bold")
    lines = [(Content.assemble(today, f"{total.new} new · {total.learning} learning · "
                                      f"{total.review} review"),
              Content.assemble(today, f"{total.new} new · {total.learning} learn · "
                                      f"{total.review} due"))]
    waiting = ("Waiting: ", "bold")
    if later.later_today and later.next_at is not None:
        short = (f"{later.later_today} today ({clock_time(later.next_at, tz)}), "
                 f"{later.tomorrow} tomorrow")
    else:
        short = f"{later.tomorrow} due tomorrow"
    lines.append((Content.assemble(waiting, later.describe(tz)),
                  Content.assemble(waiting, short)))
    if held.new or held.review:
        cards = held_back(held.new, held.review)
        lines.append((Content.assemble(("Held back: ", "bold"), f"{cards} for another day "
                                       "(siblings of today's cards)"),
                      Content.assemble(("Held back: ", "bold"), f"{cards} (siblings)")))
    return lines


class DayLines(Widget):
    """The lines under the deck table, each whole in its full wording where the width
    allows, else in its short one (`day_lines`; wrapped if it must): at 40 columns each
    full line took two rows, and the last went under the key bar. The wording is chosen
    for the width the layout gives it, in that same layout (its height is that of the
    lines it shows)."""

    _lines: tuple[tuple[Content, Content], ...] = ()

    def say(self, lines: list[tuple[Content, Content]]) -> None:
        self._lines = tuple(lines)
        self.refresh(layout=True)

    def text_for(self, width: int) -> Content:
        return Content("\n").join(full if not width or full.cell_length <= width else short
                                  for full, short in self._lines)

    def render(self) -> Content:
        return self.text_for(self.content_size.width)

    def get_content_height(self, container, viewport, width: int) -> int:
        return self.text_for(width).get_height(self.styles, width) if width else 0


def _number(value: int, style: str) -> Text:
    # DataTable sizes its columns from rich Text; a zero is dimmed so the due decks stand out
    return Text(str(value), style=style if value else "dim", justify="right")


def _fit(label: Text, room: int | None) -> Text:
    """`label` cut to `room` cells, an ellipsis at its end (None: whole)."""
    if room is None or label.cell_len <= room:
        return label
    cut = label.copy()
    cut.truncate(room, overflow="ellipsis")
    return cut


def _add_columns(table: DataTable, deck_width: int | None = None) -> None:
    """The columns; the Deck column as wide as `deck_width` cells when given. Left to
    DataTable, its width came from the rows it had measured, and on a deck list that was
    the app's first screen, filled while under the review screen, it stayed as wide as
    its header: "All", "fl" for "All decks", "flashcards"."""
    table.add_column("Deck", key="deck", width=deck_width)
    table.add_column("New", key="new")
    table.add_column("Learn", key="learning")
    table.add_column("Due", key="review")


class DeckTable(DataTable):
    """The deck list; Enter (its select key) reviews the highlighted deck.

    Its keys are handled in their order, each by the screen on top in its turn. Textual
    runs a widget's bindings (and its screen's) only once the key has bubbled up to the
    app, and Enter only posted a message, handled later still: `Enter ?` typed fast opened
    the deck list's help under the review (the `?` ran before the review was pushed);
    `a ?` and `Enter i` lost their second key (it reached the app once the review was on
    top, and found none of its own bindings, which are priority ones)."""

    BINDINGS = [Binding("enter", "select_cursor", "Review deck")]

    async def _on_key(self, event: events.Key) -> None:
        if self.screen is not self.app.screen and self.screen not in self.app.screen_stack:
            return  # the deck list is gone
        event.stop()
        event.prevent_default()
        if self.screen is self.app.screen:
            # its bindings, the deck list's and the app's, now (the app's priority ones
            # ran as the key came: it came here because it had none)
            await self.app._check_bindings(event.key)
        else:
            # a key before it, in this burst, opened a screen over the deck list (the
            # review, the help): this key is that screen's (`run_key_on_top`)
            await run_key_on_top(self.app, event.key, event.time)

    def action_select_cursor(self) -> None:
        """Enter: the highlighted deck reviewed now, in the key's turn (not by a message:
        see the class)."""
        self._set_hover_cursor(False)
        if self.row_count and self.is_valid_row_index(self.cursor_row):
            key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value
            self.screen.review(None if key == ALL else key)


class HomeScreen(Screen):
    CSS_PATH = "home.tcss"  # its rules, parsed when the screen is first shown
    # a short terminal (a split pane): the rows above the table go to the lines under it
    # (`home.tcss`); at 80×24 nothing changes
    VERTICAL_BREAKPOINTS = [(0, "-short"), (16, "-tall")]

    BINDINGS = [
        Binding("a", "review_all", "Review all"),
        Binding("t", "stats", "Stats"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    @dataclass
    class CountsReady(Message):
        rows: list[DeckRow]
        total: Counts
        upcoming: Upcoming
        held: Counts  # new and review cards siblings hold back for another day

    @dataclass
    class CountsFailed(Message):
        error: str

    def compose(self) -> ComposeResult:
        demo = " (demo)" if getattr(self.app, "demo", False) else ""
        yield Static(Content.assemble(("flashdeck", "bold $accent"), demo, "  decks due today"),
                     id="home-title")
        yield Notice(id="home-notice")
        table = DeckTable(id="decks", cursor_type="row", zebra_stripes=False)
        _add_columns(table)
        yield table
        yield DayLines(id="later")
        yield KeyBar()  # (Textual's Footer, fitted to a split pane: `keybar`)

    def on_mount(self) -> None:
        from flashdeck.tui.session import ChangeWatch

        session = self.app.session
        self._changes = ChangeWatch(session.col, session.now, session.config.day_start_hour)
        self.notice(self.app.home_notice)
        self.refresh_counts()
        self.set_interval(ChangeWatch.EVERY, self._catch_up)
        for rack in self.query("ToastRack"):
            # toasts take rows of their own above the key bar (`flashdeck.tcss`): the
            # table fitted again above them as they come (their rack's height changes)
            self.watch(rack, "virtual_size", lambda: once_laid_out(self, self._fit_height),
                       init=False)
        self.app.after_first_frame(self, self.app.first_screen_shown)

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def notice(self, text: str) -> None:
        """A line above the decks (the bundled deck being imported, and what it added)."""
        for widget in self.query("#home-notice").results(Notice):  # none before compose
            widget.say(text)
            widget.display = bool(text)

    _changes = None  # a session.ChangeWatch, from mounting (`_catch_up`)

    def refresh_counts(self) -> None:
        if self._changes is not None:  # (asked before mounting: the demo deck's import)
            self._changes.mark()
        self._count()

    def _catch_up(self) -> None:
        """As the review screen's counts line (`ReviewScreen._catch_up`): the decks counted
        again once another program wrote to the collection (answers given in another
        terminal, a sync) or a new day began, while the list is on screen."""
        if self.app.screen is self and self._changes.changed():
            self.refresh_counts()

    @work(thread=True, exclusive=True, group="deck-counts")
    def _count(self) -> None:
        from flashdeck.tui.session import worker_collection

        app = self.app
        try:
            with worker_collection(app.collection_path, app.session.col) as col:
                rows, total, later, held = compute_rows(col, app.session.config,
                                                        app.session.now)
        except Exception as exc:  # shown to the user in the handler; the review goes on
            self.post_message(self.CountsFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.CountsReady(rows, total, later, held))

    _counts: CountsReady | None = None

    def on_home_screen_counts_ready(self, message: CountsReady) -> None:
        self._counts = message
        self._fill_table(message)
        from flashdeck.clock import local_tz

        total = message.total
        if getattr(self.app, "_importing_bundled", False):
            # the demo deck is on its way (the notice says so): no "no cards yet", no
            # "nothing more today"
            lines = []
        else:
            lines = day_lines(total, message.upcoming, message.held, local_tz())
        if not message.rows and not getattr(self.app, "_importing_bundled", False):
            empty = Content("No cards yet: add your notes with `flashdeck import PATH`.")
            lines.append((empty, empty))
        self.query_one("#later", DayLines).say(lines)
        self.total = total
        once_laid_out(self, self._fit_height)

    MIN_TABLE_HEIGHT = 4  # its border, its header and one deck

    def _fit_height(self) -> object:
        """The deck table at most as tall as the room between the title and the lines under
        it (what is due today, what is waiting), above the key bar. CSS could not say it
        (`max-height: 1fr` is the whole screen): with more decks than fit, the table ran
        under the key bar and off the screen, its last rows, its highlighted row on the
        way down and the lines under it hidden. Run after each refresh until what it
        reads stops changing (`once_laid_out`: the lines under the table are laid out a
        refresh later); returns what it read."""
        table, later = self.query_one("#decks", DataTable), self.query_one("#later", DayLines)
        bottom = self.scrollable_content_region.bottom
        for footer in self.query(Footer):
            if footer.display and footer.region.height:
                bottom = min(bottom, footer.region.y)
        for rack in self.query("ToastRack"):  # the toasts take the rows above the key bar
            if rack.display and rack.region.height:
                bottom = min(bottom, rack.region.y)
        below = later.outer_size.height + later.styles.margin.top if later.display else 0
        # the table's top in the screen's content, whatever its scroll: read off its region
        # (where the screen, scrolled by a row while the lines under the table were still
        # taller, drew it) the room was a row too many, and the screen stayed scrolled,
        # its title out of view (40×12, the demo's notice)
        top = table.region.y + round(self.scroll_y)
        seen = (top, table.region.height, bottom, below)
        if table.region.height:  # laid out
            room = max(self.MIN_TABLE_HEIGHT, bottom - top - below)
            if table.styles.max_height != Scalar.from_number(room):
                table.styles.max_height = room
                # made shorter, the table kept its scroll: the highlighted deck could be
                # below its last row shown
                once_laid_out(table, self._cursor_into_view, passes=1)
        return seen

    def _cursor_into_view(self) -> None:
        table = self.query_one("#decks", DataTable)
        if table.row_count and table.is_valid_row_index(table.cursor_row):
            table.move_cursor(row=table.cursor_row, animate=False)

    def _fill_table(self, message: CountsReady) -> None:
        """The deck rows; a name too long for the screen beside its counts is cut
        with an ellipsis (`_deck_room`): the counts are never pushed off the right edge."""
        table = self.query_one("#decks", DataTable)
        selected = None
        if table.row_count and table.is_valid_row_index(table.cursor_row):
            selected = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        # the columns too: a column's width only ever grows with the rows added to it, so
        # after a resize to a narrower screen the Deck column kept its old width and pushed
        # the counts off the right edge (at 60 columns no count was left)
        total = message.total
        room = self._deck_room(message)
        labels = [_fit(Text("All decks", style="bold"), room)] + [
            _fit(Text("  " * (row.depth + 1) + plain(row.deck.rsplit("/", 1)[-1])), room)
            for row in message.rows]  # never markup
        table.clear(columns=True)
        _add_columns(table, max(len("Deck"), *(label.cell_len for label in labels)))
        table.add_row(labels[0],
                      _number(total.new, "bold blue"), _number(total.learning, "bold red"),
                      _number(total.review, "bold green"), key=ALL)
        for label, row in zip(labels[1:], message.rows):
            c = row.counts
            table.add_row(label, _number(c.new, "blue"), _number(c.learning, "red"),
                          _number(c.review, "green"), key=row.deck)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected), animate=False)

    def _deck_room(self, message: CountsReady) -> int | None:
        """The cells the Deck column may take so that the three counts fit beside it, or
        None when the screen is not laid out yet."""
        width = self.size.width
        if not width:
            return None
        counts = [message.total, *(row.counts for row in message.rows)]
        numbers = sum(max(len(header), *(len(str(getattr(c, field))) for c in counts)) + 2
                      for header, field in (("New", "new"), ("Learn", "learning"),
                                            ("Due", "review")))
        # the screen's width within its padding, less its scrollbar (2), the table's
        # border (1 + 1), its scrollbar (2) and the Deck column's own cell padding (1 + 1)
        return max(4, width - 2 - 2 - 2 - numbers - 2)

    def on_resize(self) -> None:
        if self._counts is not None:
            self._fill_table(self._counts)
        once_laid_out(self, self._fit_height)

    def on_home_screen_counts_failed(self, message: CountsFailed) -> None:
        self.notify(plain(f"Could not count the decks: {message.error}"), severity="error",
                    markup=False)

    # -- actions ---------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        self.review(None if key == ALL else key)

    def action_review_all(self) -> None:
        self.review(None)

    def action_refresh(self) -> None:
        self.refresh_counts()

    def review(self, deck: str | None) -> None:
        from flashdeck.tui.screens.review import ReviewScreen

        if self.app.pending is not None:  # its card would come again, unanswered
            self.notify(f"{self.app.waiting_text()}: your last answer is written first.",
                        markup=False)
            return
        card = self.app.session.engine(deck).next_card()
        if card is None:
            where = f"in {plain(deck)}" if deck else "in any deck"
            self.notify(f"Nothing is due now {where}.", markup=False)
            return
        self.app.push_screen(ReviewScreen(deck, first=card))

    def highlighted_deck(self) -> str | None:
        """The deck under the cursor (None: the totals row, or no rows yet)."""
        table = self.query_one("#decks", DataTable)
        if not table.row_count or not table.is_valid_row_index(table.cursor_row):
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return None if key == ALL else key

    def action_stats(self) -> None:
        """The stats view for the highlighted deck (and its subdecks), or all decks."""
        from flashdeck.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.highlighted_deck()))

    def palette_commands(self):
        """The command palette's entries for this screen (app.get_system_commands)."""
        deck = self.highlighted_deck()
        yield ("Stats", f"Forecast, heatmap, true retention, calibration: "
               f"{plain(deck) if deck else 'all decks'}", self.action_stats)
        yield ("Stats for all decks", "The stats view for the whole collection",
               lambda: self.app.push_screen(_stats_screen(None)))

    def action_help(self) -> None:
        from flashdeck.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    async def pending_written(self, answered) -> None:
        self.refresh_counts()

    def action_quit(self) -> None:
        if self.app.session.answers or self.app.pending is not None:
            from flashdeck.tui.screens.summary import SummaryScreen

            self.app.push_screen(SummaryScreen(finished=False))
        else:
            self.app.exit(self.app.session.summary().line(self.app.tz))


def _stats_screen(deck: str | None):
    from flashdeck.tui.screens.stats import StatsScreen

    return StatsScreen(deck)
