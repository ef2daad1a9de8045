"""The review screen's parts. Each posts its own messages (nested in the widget class);
the screen's handlers own the state.

Card text reaches the terminal only as `Content` built from plain strings (never parsed as
markup) or through the Markdown widget, and always after `textsafe.sanitize`.

Start-up time: the first card must be on screen within a few tens of milliseconds of a
bare Textual app, so the parts the first frame does not show are built when first needed
(the answer buttons on the first reveal, the exercise input on the first exercise) and
the Markdown widget, whose import alone costs ~40 ms, only for a card that needs it. The
answer's parts (grade buttons, an exercise's panel) live in `flashdeck.tui.answer_parts`,
imported when they are first built (or named from here).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from inspect import isawaitable
from typing import TYPE_CHECKING

from rich.style import Style
from textual.app import ComposeResult, RenderResult
from textual.containers import Vertical
from textual.content import Content, Span
from textual.renderables.bar import Bar
from textual.style import Style as TextualStyle
from textual.widget import Widget
from textual.widgets import Static

from flashdeck.scheduling.engine import Counts
from flashdeck.tui.app import load_rules
from flashdeck.tui.content import inline_paragraph, plain
from flashdeck.tui.wrapping import NO_BREAK, KeepsFormulasWhole, middle_ellipsis

if TYPE_CHECKING:
    from flashdeck.tui.card_markdown import CardMarkdown


_CARD_MARKDOWN: type | None = None


def card_markdown_class() -> type:
    """The card's Markdown widget, its indented code blocks (an exercise's working) wrapped
    at the panel's width with a hanging indent instead of clipped at the right edge.
    Built on first use: importing the Markdown widget costs the first card ~40 ms."""
    global _CARD_MARKDOWN
    if _CARD_MARKDOWN is None:
        from textual.widgets.markdown import MarkdownFence  # ~40 ms: see the module doc
        from textual.widgets._markdown import MarkdownParagraph

        from flashdeck.inline import collapse_spaces

        from flashdeck.tui.card_markdown import CardMarkdown
        from flashdeck.tui.hanging import HangingText
        from flashdeck.tui.card_table import TABLE_BLOCKS, CardMarkdownTable, TableReader

        class WrappedCodeBlock(MarkdownFence):
            """An indented code block, wrapped (a fenced one keeps its own layout)."""

            DEFAULT_CSS = """
            WrappedCodeBlock {
                overflow: hidden hidden;
                & > HangingText {
                    padding: 1 2;
                }
            }
            WrappedCodeBlock:ansi > HangingText {
                padding: 1 0;
            }
            """

            def compose(self) -> ComposeResult:
                yield HangingText(self._highlighted_code, hang=2, working=True,
                                  id="code-content")

            def set_content(self, content: Content) -> None:
                self._content = content
                for text in self.query("#code-content").results(HangingText):
                    text.update(content)

        class CardParagraph(KeepsFormulasWhole, MarkdownParagraph):
            """A paragraph whose no-break spaces (an inline formula's) are kept, not made
            spaces (`inline.collapse_spaces`), and never broken at (`KeepsFormulasWhole`)."""

            def _token_to_content(self, token) -> Content:
                children = [child for child in token.children or ()
                            if child.type == "text" and NO_BREAK in child.content]
                if not children:
                    return super()._token_to_content(token)
                # the widget makes every whitespace run one space: a stand-in for the
                # no-break spaces (a character the paragraph does not hold) keeps them
                text = "".join(child.content for child in token.children or ())
                stand_in = next(chr(code) for code in range(0xE000, 0xF900)
                                if chr(code) not in text)
                for child in children:
                    child.content = collapse_spaces(child.content).replace(NO_BREAK, stand_in)
                content = super()._token_to_content(token)
                return Content(content.plain.replace(stand_in, NO_BREAK), spans=content.spans)

        class CardSideMarkdown(TableReader, CardMarkdown):
            BLOCKS = {**CardMarkdown.BLOCKS, "code_block": WrappedCodeBlock,
                      "paragraph_open": CardParagraph,
                      "table_open": CardMarkdownTable, **TABLE_BLOCKS}

        _CARD_MARKDOWN = CardSideMarkdown
    return _CARD_MARKDOWN


class CardText(KeepsFormulasWhole, Static):
    """A one-line paragraph of a card side, drawn as the Markdown widget draws one: the
    text and inline spans of `content.inline_paragraph`, styled by the same component
    classes and rules as the widget's blocks (`em`, `strong`, `s`, `code_inline`; their
    rules copied from Textual's `Markdown` and `MarkdownBlock` default CSS), so a front
    with `*emphasis*` or `` `code` `` needs neither markdown-it nor the widget. An inline
    formula wraps as one word, as in the card's paragraphs (`KeepsFormulasWhole`)."""

    COMPONENT_CLASSES = {"em", "strong", "s", "code_inline"}

    DEFAULT_CSS = """
    CardText {
        &:ansi > .code_inline {
            background: ansi_default !important;
        }
        &:dark > .code_inline {
            background: $warning 10%;
            color: $text-warning 95%;
        }
        &:light > .code_inline {
            background: $error 5%;
            color: $text-error 95%;
        }
        & > .em {
            text-style: italic;
        }
        & > .strong {
            text-style: bold;
        }
        & > .s {
            text-style: strike;
        }
    }
    """

    def show(self, text: str, spans: list[tuple[int, int, str]]) -> None:
        self.update(Content(text, spans=[Span(start, end, f".{name}")
                                         for start, end, name in spans]))


class CardSide(Vertical):
    """One side of a card, given as markdown (already made safe by `content.prepare`).

    A one-line paragraph (most question fronts, with their emphasis, code spans, rendered
    math and wiki links: `content.inline_paragraph`) is drawn by a `CardText` styled
    exactly like the Markdown widget's paragraph (see `flashdeck.tcss`); anything else by
    a `CardMarkdown`, mounted the first time a card needs it. A side with images
    (`content.with_images`: a list of markdown parts and `Embed`s) is drawn part by part,
    each image by a `CardImage` (`flashdeck.tui.images`, imported for the first one)."""

    def __init__(self, *, fast_text: bool = True, **kwargs) -> None:
        """`fast_text=False` draws every side with the Markdown widget (the tests compare
        the two ways)."""
        super().__init__(**kwargs)
        self._markdown: CardMarkdown | None = None
        self._fast_text = fast_text
        self._shown: str | None = None  # the markdown on screen

    def compose(self) -> ComposeResult:
        yield CardText(classes="card-text", expand=True)

    async def show(self, markdown: str | list) -> None:
        if isinstance(markdown, str) and markdown == self._shown:
            return  # drawn as it is (a resize that leaves the side's layout as it was)
        self._shown = None
        for parts in self.query(".card-parts"):
            await parts.remove()
        paragraph = self.query_one(".card-text", CardText)
        if not isinstance(markdown, str):
            await self._show_parts(markdown)
            paragraph.display = False
            if self._markdown is not None:
                self._markdown.display = False
            return
        inline = inline_paragraph(markdown) if self._fast_text else None
        if inline is not None:
            paragraph.show(*inline)
            paragraph.display = True
            if self._markdown is not None:
                self._markdown.display = False
            self._shown = markdown
            return
        if self._markdown is None:
            load_rules(self.app, "markdown.tcss")
            self._markdown = card_markdown_class()()
            await self.mount(self._markdown)
        await self._markdown.update(markdown)
        self._markdown.display = True
        paragraph.display = False
        self._shown = markdown

    async def _show_parts(self, parts: list) -> None:
        from flashdeck.tui.images import CardImage  # only for a card that draws an image

        load_rules(self.app, "markdown.tcss")
        markdown_class = card_markdown_class()
        widgets: list[Widget] = []
        for part in parts:
            widgets.append(markdown_class(part) if isinstance(part, str) else CardImage(part))
        box = Vertical(classes="card-parts")
        box.styles.height = "auto"
        await self.mount(box)
        await box.mount_all(widgets)


def halves_text(halves: int) -> str:
    """`halves` half cards as the progress shows them: `0`, `½`, `3`, `3½`.

    `½` is East Asian Ambiguous width (a terminal set to draw those wide, an option of
    CJK set-ups, draws it two cells), as are the `·` between the counts on the same line,
    the bar's `━`, the rules' `─`, `…` and every border Textual draws: such a terminal
    shifts this row at its first `·` already, and every box. Kept: spelling the half
    another way (`1.5/20`) would fix none of that, and reads worse."""
    whole, half = divmod(max(halves, 0), 2)
    return (str(whole) if whole or not half else "") + ("½" if half else "")


class StatusLine(Widget, can_focus=False):
    """The line above the card: `12 new · 3 learning · 40 review` (the current card's queue
    underlined, as in Anki), a bar of this sitting's progress through today's cards, and
    that progress as `done/total` (see `ReviewScreen.refresh_counts`).

    A card counts 1 once an answer takes it out of today's queue (done), ½ while an
    answer of this sitting has left it due again today (a learning step, Again: seen).
    The bar fills for both, the done part in the bar's colour and the seen part lighter,
    and `done/total` reads `6½/20`: it moves from the first answer (`½/20`: the 20 new
    cards of a day each take two answers with the default steps) and is full only once
    nothing is left today. Counting a seen card whole read `20/20` while the steps still
    brought every card back; counting the done cards alone, `0/20` for ~40 answers.

    One widget draws the three parts, as three widgets in a row drew them (the counts at
    their width, two cells, the bar taking the rest, a cell, `done/total` at its width):
    each widget more cost the first card ~1% of a hello-world Textual app's start. The
    bar is drawn as Textual's `ProgressBar` draws its `Bar` (`━`, a half cell `╸`), with
    its `bar--*` component classes and `bar--seen` for the lighter part.

    Narrower than the counts with `done/total` (a split pane, a small terminal), the line
    gives up the bar, then the queue names (`12 · 3 · 40`, coloured as the names' numbers),
    then `done/total`, and cuts what is left with an ellipsis: a number is shown whole or
    not at all, never clipped to another (`0/2` for `0/20`)."""

    COMPONENT_CLASSES = {"bar--bar", "bar--complete", "bar--seen", "status--progress"}
    COUNTS_GAP = 2  # cells between the counts and the bar
    PROGRESS_GAP = 1  # ...and between the bar and `done/total`

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.counts = Content("")
        self.numbers: list[Content] = []  # the three counts without their names
        self.fraction = 0.0  # of the bar filled: the cards done and half the cards seen
        self.done_fraction = 0.0  # ...of which the cards done
        self.progress = ""

    def show(self, counts: Counts, current: str | None, done: int, seen: int,
             total: int) -> None:
        """The queue's `counts` (`current`: the shown card's queue); `done` cards and
        `seen` (answered, still due today: counted half) of `total`."""
        parts = [("new", counts.new, "$accent"), ("learning", counts.learning, "$error"),
                 ("review", counts.review, "$success")]
        content = Content("")
        self.numbers = []
        for i, (name, number, colour) in enumerate(parts):
            if i:
                content += Content(" · ")
            style = f"bold {colour}" + (" underline" if current == name else "")
            self.numbers.append(Content.styled(str(number), style))
            content += self.numbers[-1] + Content(f" {name}")
        self.counts = content
        done = min(max(done, 0), max(total, 0))
        seen = min(max(seen, 0), max(total - done, 0))
        halves = 2 * done + seen
        total_shown = max(total, 1)
        self.fraction = min(halves / (2 * total_shown), 1.0)
        self.done_fraction = min(done / total_shown, 1.0)
        self.progress = f"{halves_text(halves)}/{total}"
        self.refresh()

    def bar_width(self) -> int:
        return max(0, self.size.width - self.counts.cell_length - self.COUNTS_GAP
                   - self.PROGRESS_GAP - len(self.progress))

    def render(self) -> RenderResult:
        room = self.size.width
        gaps = self.COUNTS_GAP + self.PROGRESS_GAP
        if self.counts.cell_length + gaps + len(self.progress) > room:
            return self._render_narrow(room)
        width = self.bar_width()
        line = self.counts + Content(" " * self.COUNTS_GAP)
        if width:
            line += self._bar(width)
        progress = Content.styled(self.progress, TextualStyle.from_rich_style(
            self.get_component_rich_style("status--progress")))
        return line + Content(" " * self.PROGRESS_GAP) + progress

    def _bar(self, width: int) -> Content:
        """The bar, `width` cells, in half cells as `ProgressBar`'s (each part rounded
        down to a half cell: full only when the progress is): the done part, the seen
        part (lighter), the rest. A cell half one part and half the next is drawn in
        the first part's colour, `━` (or `╸` before the rest; the rest starting on a
        cell's edge, `╺`)."""
        solid = int(self.done_fraction * width * 2)
        filled = max(int(self.fraction * width * 2), solid)
        complete = self.fraction >= 1
        bar = self.get_component_rich_style("bar--complete" if complete else "bar--bar")
        seen = self.get_component_rich_style("bar--seen")
        styles = [TextualStyle.from_rich_style(Style.from_color(bar.color)),
                  TextualStyle.from_rich_style(Style.from_color(seen.color)),
                  TextualStyle.from_rich_style(Style.from_color(bar.bgcolor))]

        def part(half: int) -> int:
            return 0 if half < solid else 1 if half < filled else 2

        pieces: list[tuple[str, TextualStyle]] = []
        for cell in range(width):
            left, right = part(2 * cell), part(2 * cell + 1)
            glyph = "╸" if left != right and right == 2 else "━"
            if left == 2 and 0 < filled == 2 * cell:
                glyph = "╺"  # the rest starts on a cell's edge: a gap, as `Bar` draws it
            if pieces and pieces[-1][1] is styles[left] and pieces[-1][0][-1] == "━" == glyph:
                pieces[-1] = (pieces[-1][0] + glyph, styles[left])
            else:
                pieces.append((glyph, styles[left]))
        return Content.assemble(*pieces)

    def _render_narrow(self, room: int) -> Content:
        """The line without its bar, for `room` cells too few for the counts with their
        names and `done/total` (see the class doc)."""
        progress = Content.styled(self.progress, TextualStyle.from_rich_style(
            self.get_component_rich_style("status--progress")))
        numbers = Content(" · ").join(self.numbers)
        gap = Content(" " * (self.COUNTS_GAP + self.PROGRESS_GAP))  # as when the bar has no room
        with_progress = numbers + gap + progress
        if with_progress.cell_length <= room:
            return with_progress
        for shown in range(len(self.numbers), 0, -1):  # whole numbers, then `…`
            line = Content(" · ").join(self.numbers[:shown])
            if shown < len(self.numbers):
                line += Content(" …")
            if line.cell_length <= room:
                return line
        return Content("…")


def queue_of(state: str) -> str:
    return {"new": "new", "review": "review"}.get(state, "learning")


class Notice(Static):
    """A line of app text that may quote card text: always plain, never markup.

    Styled `text-wrap: nowrap` (the breadcrumb), a text wider than the widget is cut in
    its middle by an ellipsis (`middle_ellipsis`): both ends stay, nothing is clipped
    silently, and the line never wraps to two."""

    _said = ""

    def say(self, text: str) -> None:
        self._said = plain(text)
        self.update(Content(self._said))

    def render(self) -> RenderResult:
        if self.styles.text_wrap == "nowrap" and self.size.width:
            return Content(middle_ellipsis(self._said, self.size.width))
        return super().render()


def still_shown(widget: Widget) -> bool:
    """`widget` is on a screen still in the app's stack (shown, or under the one shown).

    Textual runs a `call_after_refresh` callback on whichever screen is current when its
    turn comes, with the other callbacks of that refresh after it. A callback of a screen
    just left (Escape from the review screen) that queried its widgets then raised
    NoMatches: they were being removed, the screen not yet. That dropped every callback
    after it, the deck list's key bar among them (it stayed empty; caught by a snapshot
    under load). A screen leaves the stack before its widgets go: every such callback
    checks this first."""
    return widget.is_attached and widget.screen in widget.app.screen_stack


def row_in(scroll: Widget, widget: Widget) -> int | None:
    """`widget`'s top row in the content of `scroll`, its scrolling ancestor (the card),
    whatever the scroll: the rows from `scroll`'s first content row to `widget`, added
    up from each widget's place in its parent (`virtual_region`, which scrolling does
    not move). None when `widget` is not inside `scroll`.

    A widget's screen `region` is where the last layout drew it, at the scroll of that
    moment: read against the scroll of now (a pass of `once_laid_out` right after the
    last one scrolled) it put the widget as many rows too low as the card had scrolled
    since, so each pass scrolled further. After a resize to 40×12 with an exercise
    graded, the chain ran the card to its end and the verdict out of view."""
    row = 0
    node = widget
    for _ in range(64):  # bounded: the card's widgets nest a few deep
        parent = node.parent
        if not isinstance(parent, Widget):
            return None
        row += node.virtual_region.y
        if parent is scroll:
            return row
        row += parent.styles.gutter.top - round(parent.scroll_y)
        node = parent
    return None


LAYOUT_PASSES = 8  # at most: a card's parts settle in two or three
# How long a callback waits for the widgets to tell the screen of their new layout
# (`after_layout`): a turn of the event loop each time first (under load it took up to
# three), then a short timer each time, at most `LAYOUT_WAITS` times in all (~2 s).
QUICK_WAITS = 8
LAYOUT_WAITS = 200
LAYOUT_WAIT_STEP = 0.01  # s


def layout_pending(screen: Widget) -> bool:
    """Whether a layout of `screen` is still to come: asked for by one of its widgets (a
    part just shown, or given new content) but not made yet.

    The screen knows of a widget's new layout only once that widget's own task has
    handled its refresh and told it (Textual 8.2.8, pinned: `Widget._check_refresh`; the
    widget's `_layout_required` set until then, the screen's own after)."""
    if getattr(screen, "_layout_required", False):
        return True
    return any(getattr(node, "_layout_required", False) for node in screen.walk_children())


def after_layout(widget: Widget, callback: Callable[[], object], waited: int = 0) -> None:
    """Run `callback` after the next refresh of the screen that leaves no layout of it to
    come (`layout_pending`): the regions it reads, the frame it takes as drawn, are those
    of the widgets as they are now.

    Textual runs a `call_after_refresh` callback once the screen is idle, and the screen's
    queue runs its callbacks back to back without giving the event loop a turn while it
    holds messages: on a loaded machine they ran before the widgets just shown (the
    answer's rule and back) had told the screen of their new layout. The answer was then
    scrolled into view by a layout without them, and Space at 30×9 showed the grade
    buttons with the answer under the fold. Such a callback now gives those widgets their
    turn, then waits for the refresh that lays them out (`LAYOUT_WAITS` at most)."""
    app = widget.app

    async def run() -> None:
        if waited < LAYOUT_WAITS and still_shown(widget) and layout_pending(widget.screen):
            if waited < QUICK_WAITS:
                await asyncio.sleep(0)  # the widgets' own tasks tell the screen now
                after_layout(widget, callback, waited + 1)
            else:  # a widget busy longer (a big answer being built): it gets the time
                app.set_timer(LAYOUT_WAIT_STEP, again)
            return
        result = callback()
        if isawaitable(result):
            await result

    def again() -> None:
        if still_shown(widget):
            after_layout(widget, callback, waited + 1)
        else:  # its screen left meanwhile: the callback sees so itself
            app.call_later(callback)

    widget.call_after_refresh(run)


def once_laid_out(widget: Widget, apply: Callable[[], object], passes: int = LAYOUT_PASSES,
                  last: object = None) -> None:
    """Run `apply` (a scroll into view, reading the widgets' regions) once laid out
    (`after_layout`), and again after each refresh until what it reads stops changing.

    One refresh is not enough: a card's parts are laid out over several. Right after the
    next card is shown the regions still hold the last card's scroll offset, and a prompt's
    table (a Markdown block) gets its cells and rows a refresh or two later, so the scroll
    was computed on the old layout: the answer box of the second exercise of a session
    stayed under the fold, and at 80×24 Enter on a mask grid showed no verdict (it was
    below the box, out of view). `apply` returns what its scroll was decided on (None:
    nothing to do)."""
    app = widget.app
    # passes still to run, app-wide: the snapshot tests wait for none before a screenshot
    # (under load one was taken half way through the home screen's fitting)
    app.layout_passes_pending = getattr(app, "layout_passes_pending", 0) + 1

    def run() -> None:
        app.layout_passes_pending -= 1
        if not still_shown(widget):
            return
        seen = apply()
        if seen is not None and seen != last and passes > 1:
            once_laid_out(widget, apply, passes - 1, seen)

    after_layout(widget, run)


__all__ = ["CardSide", "CardText", "Notice", "StatusLine", "after_layout", "layout_pending",
           "once_laid_out", "row_in", "still_shown", "card_markdown_class", "queue_of"]
