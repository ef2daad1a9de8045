"""The review screen's parts. Each posts its own messages (nested in the widget class);
the screen's handlers own the state.

Card text reaches the terminal only as `Content` built from plain strings (never parsed as
markup) or through the Markdown widget, and always after `textsafe.sanitize`.

Start-up time: the first card must be on screen within a few tens of milliseconds of a
bare Textual app, so the parts the first frame does not show are built when first needed
(the answer buttons on the first reveal, the exercise input on the first exercise) and
the Markdown widget, whose import alone costs ~40 ms, only for a card that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.renderables.bar import Bar
from textual.widget import Widget
from textual.widgets import Button, Input, Static  # both loaded by textual.app already

from flashdeck.scheduling.engine import Counts
from flashdeck.scheduling.rating import Rating
from flashdeck.tui.content import plain, simple_text
from flashdeck.tui.wrapping import HangingText, middle_ellipsis

if TYPE_CHECKING:
    from flashdeck.tui.card_markdown import CardMarkdown

_VARIANTS = {Rating.AGAIN: "error", Rating.HARD: "warning", Rating.GOOD: "success",
             Rating.EASY: "primary"}


_CARD_MARKDOWN: type | None = None


def card_markdown_class() -> type:
    """The card's Markdown widget, its indented code blocks (an exercise's working) wrapped
    at the panel's width with a hanging indent instead of clipped at the right edge.
    Built on first use: importing the Markdown widget costs the first card ~40 ms."""
    global _CARD_MARKDOWN
    if _CARD_MARKDOWN is None:
        from textual.widgets.markdown import MarkdownFence  # ~40 ms: see the module doc

        from flashdeck.tui.card_markdown import CardMarkdown

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
                yield HangingText(self._highlighted_code, hang=2, id="code-content")

            def set_content(self, content: Content) -> None:
                self._content = content
                for text in self.query("#code-content").results(HangingText):
                    text.update(content)

        class CardSideMarkdown(CardMarkdown):
            BLOCKS = {**CardMarkdown.BLOCKS, "code_block": WrappedCodeBlock}

        _CARD_MARKDOWN = CardSideMarkdown
    return _CARD_MARKDOWN


class CardSide(Vertical):
    """One side of a card, given as markdown (already made safe by `content.prepare`).

    A one-line plain paragraph (most question fronts) is drawn by a plain text widget
    styled exactly like the Markdown widget's paragraph (see `flashdeck.tcss`); anything
    else by a `CardMarkdown`, mounted the first time a card needs it. A side with images
    (`content.with_images`: a list of markdown parts and `Embed`s) is drawn part by part,
    each image by a `CardImage` (`flashdeck.tui.images`, imported for the first one)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._markdown: CardMarkdown | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="card-text", expand=True)

    async def show(self, markdown: str | list) -> None:
        for parts in self.query(".card-parts"):
            await parts.remove()
        paragraph = self.query_one(".card-text", Static)
        if not isinstance(markdown, str):
            await self._show_parts(markdown)
            paragraph.display = False
            if self._markdown is not None:
                self._markdown.display = False
            return
        text = simple_text(markdown)
        if text is not None:
            paragraph.update(Content(text))
            paragraph.display = True
            if self._markdown is not None:
                self._markdown.display = False
            return
        if self._markdown is None:
            self._markdown = card_markdown_class()()
            await self.mount(self._markdown)
        await self._markdown.update(markdown)
        self._markdown.display = True
        paragraph.display = False

    async def _show_parts(self, parts: list) -> None:
        from flashdeck.tui.images import CardImage  # only for a card that draws an image

        markdown_class = card_markdown_class()
        widgets: list[Widget] = []
        for part in parts:
            widgets.append(markdown_class(part) if isinstance(part, str) else CardImage(part))
        box = Vertical(classes="card-parts")
        box.styles.height = "auto"
        await self.mount(box)
        await box.mount_all(widgets)


class QueueCounts(Static):
    """`12 new · 3 learning · 40 review`, the current card's queue underlined (as in Anki)."""

    def show(self, counts: Counts, current: str | None) -> None:
        parts = [("new", counts.new, "$accent"), ("learning", counts.learning, "$error"),
                 ("review", counts.review, "$success")]
        content = Content("")
        for i, (name, number, colour) in enumerate(parts):
            if i:
                content += Content(" · ")
            style = f"bold {colour}" + (" underline" if current == name else "")
            content += Content.styled(str(number), style) + Content(f" {name}")
        self.update(content)


class SessionProgress(Widget, can_focus=False):
    """Cards done this session out of done + still due, as a bar.

    Drawn exactly as Textual's `ProgressBar` (without percentage and ETA) draws it, with
    the same `bar--*` component classes; one light widget instead of the ProgressBar's
    two and their reactives, which cost the first frame a few milliseconds."""

    COMPONENT_CLASSES = {"bar--bar", "bar--complete"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fraction = 0.0

    def update(self, total: int, progress: int) -> None:
        self.fraction = min(max(progress / total, 0.0), 1.0) if total else 1.0
        self.refresh()

    def render(self) -> RenderResult:
        width = self.size.width
        # as ProgressBar's Bar: the fraction is rounded down to a half cell
        shown = int(self.fraction * width * 2) / (width * 2) if width else self.fraction
        style = self.get_component_rich_style("bar--bar" if shown < 1 else "bar--complete")
        return Bar(highlight_range=(0, width * shown),
                   highlight_style=Style.from_color(style.color),
                   background_style=Style.from_color(style.bgcolor))


def queue_of(state: str) -> str:
    return {"new": "new", "review": "review"}.get(state, "learning")


class AnswerBar(Horizontal):
    """The four grades with the interval each gives: `Again 1m · Hard 6m · Good 10m · Easy 9d`."""

    @dataclass
    class Chosen(Message):
        rating: int

    def compose(self) -> ComposeResult:
        for rating in Rating:
            button = Button(rating.label, id=f"grade-{rating.value}", variant=_VARIANTS[rating],
                            compact=True)
            button.can_focus = False  # Space/Enter belong to the screen: reveal, then Good
            yield button

    def show(self, labels: dict[int, str], suggested: int | None = None) -> None:
        for rating in Rating:
            button = self.query_one(f"#grade-{rating.value}", Button)
            button.label = Content.assemble(
                (f"{rating.value} ", "dim"), rating.label, " ", (labels.get(rating, ""), "bold"))
            button.set_class(rating == suggested, "-suggested")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.startswith("grade-"):
            self.post_message(self.Chosen(int(event.button.id.removeprefix("grade-"))))


_GRID_STYLES = {"TP": "bold $success", "FP": "bold $error", "FN": "bold $warning",
                "TN": "$text-muted"}


def grid_content(grid) -> Content:
    """The mask grid, one coloured symbol per cell, then its legend with the counts."""
    lines: list[Content] = []
    for row in grid.cells:
        line = Content("")
        for j, cell in enumerate(row):
            if j:
                line += Content(" ")
            line += Content.styled(grid.symbol(cell.kind), _GRID_STYLES.get(cell.kind, ""))
        lines.append(line)
    lines.append(Content(""))
    for kind, symbol, meaning in grid.legend:
        lines.append(Content.assemble((symbol, _GRID_STYLES.get(kind, "")), f" {kind}  ",
                                      (plain(meaning), "dim")))
    return Content("\n").join(lines)


# The review screen's command keys (binding names). On an exercise card they stay commands
# while the answer box has focus, unless the key can continue the answer typed so far
# (`types_into_answer`): no Escape needed first.
class AnswerInput(Input):
    """The exercise's answer box. A command key its screen lets through
    (`answer_box_passes(key, character, before)`, `before` being the text up to the
    cursor) goes to the screen's bindings even while the box has focus."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        passes = getattr(self.screen, "answer_box_passes", None)
        if passes is not None and passes(key, character,
                                         self.value[: self.cursor_position]):
            return False
        return super().check_consume_key(key, character)


class ExercisePanel(Vertical):
    """An exercise's grid, the answer input and, once graded, the verdict.

    The answer box's placeholder names the accepted forms; when it is wider than the box
    (`your answer: a fraction (3/4), a decimal (0.75) or a percentage (75%)` at 80
    columns), the whole of it is also shown, wrapped, under the box until the answer is
    checked: never clipped silently."""

    # Escape leaves the answer box (the command keys work in it too: `types_into_answer`)
    BINDINGS = [Binding("escape", "leave_input", "Keys", show=False)]

    @dataclass
    class Graded(Message):
        verdict: object

    async def load(self, instance, hint: str | None = None) -> None:
        """Show this exercise, its answer box empty (the parts are built on the first one).
        `hint` is the answer box's placeholder for this exercise (in mph, a whole number...)."""
        if hint is None:
            from flashdeck.exercises.text import answer_hint  # ~8 ms: exercise cards only

            hint = answer_hint(instance)
        if not self.children:
            await self.mount_all([Static(id="grid"), AnswerInput(placeholder=hint, id="answer"),
                                  Static(id="answer-hint"), Static(id="verdict")])
        self.instance = instance
        grid = self.query_one("#grid", Static)
        grid.display = instance.grid is not None
        if instance.grid is not None:
            grid.update(grid_content(instance.grid))
        answer = self.query_one("#answer", Input)
        answer.placeholder = hint
        answer.value = ""
        answer.disabled = False
        self.query_one("#answer-hint", Static).update(Content(plain(hint)))
        self._fit_hint()
        verdict = self.query_one("#verdict", Static)
        verdict.update("")
        verdict.display = False
        self.remove_class("-right", "-wrong")

    def _fit_hint(self) -> None:
        """The line under the box shows the placeholder whole when the box cuts it, until
        the answer is checked."""
        for answer in self.query("#answer").results(Input):
            room = answer.content_size.width - 1  # a cell for the cursor
            self.query_one("#answer-hint", Static).display = (
                not answer.disabled and room > 0 and cell_len(str(answer.placeholder)) > room)

    def on_resize(self) -> None:
        self._fit_hint()

    def focus_input(self) -> None:
        for answer in self.query("#answer"):  # none before the first exercise
            answer.focus(scroll_visible=False)
            # in view once laid out (below a grid at 80×24 it starts under the fold)
            self.call_after_refresh(self._input_into_view)

    def _input_into_view(self) -> None:
        """The answer box, and the hint under it, in the card's view (the grid above
        them as far as it fits)."""
        scroll = self.parent
        if not isinstance(scroll, Widget) or not self.display:
            return
        hint = self.query_one("#answer-hint", Static)
        scroll_to_show(scroll, self, hint if hint.display else self.query_one("#answer"))

    def action_leave_input(self) -> None:
        self.screen.set_focus(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        # the key bar shows the keys that are commands at this point of the answer (`e`
        # goes into `1e-3`, a Space between digits): it follows the typing
        event.stop()
        self.screen.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        verdict = self.check(event.value)
        if verdict is not None:
            self.post_message(self.Graded(verdict))

    @property
    def typed(self) -> str:
        """What the answer box holds ("" before the first exercise)."""
        for answer in self.query("#answer").results(Input):
            return answer.value
        return ""

    def retype(self, typed: str) -> None:
        """Put `typed` back in the answer box, the cursor after it (the card's state kept
        across the editor)."""
        for answer in self.query("#answer").results(Input):
            answer.value = typed
            answer.cursor_position = len(typed)

    def check(self, typed: str):
        """Grade `typed` and show the verdict and the working; the verdict, or None when
        the answer cannot be read (then the user may try again, the box still open)."""
        from flashdeck.exercises import grade  # ~8 ms: exercise cards only
        from flashdeck.exercises.model import Verdict

        answer = self.query_one("#answer", Input)
        typed = typed.strip()
        if typed:
            verdict = grade(self.instance, typed)
        else:
            verdict = Verdict("wrong", "No answer given: here is the working.", "again")
        message = self.query_one("#verdict", Static)
        message.display = True
        if verdict.status == "unreadable":  # let the user try again
            message.update(Content.styled(plain(verdict.message), "$warning"))
            return None
        marks = {"right": ("✓ Right", "bold $success"),
                 "unsimplified": ("✓ Right, not simplified", "bold $success"),
                 "wrong": ("✗ Wrong", "bold $error")}
        mark, style = marks.get(verdict.status, (verdict.status, "bold"))
        # the grader's message names the verdict itself (`Right: 3/4 = 0.75.`): keep its
        # words and put only the sign in front; without a message, the plain label
        text = (Content.styled(mark[0], style) + Content(" ") + Content(plain(verdict.message))
                if verdict.message else Content.styled(mark, style))
        message.update(text)
        self.set_class(verdict.correct, "-right")
        self.set_class(not verdict.correct, "-wrong")
        answer.disabled = True
        self._fit_hint()
        return verdict


def scroll_to_show(scroll: Widget, first: Widget, last: Widget) -> None:
    """Scroll `scroll` (the card) the least that brings `last`'s bottom into view without
    taking `first`'s top out of it: after grading, the verdict stays in view and the
    working below it shows as far as the screen allows (PageDown shows the rest)."""
    if not (scroll.is_attached and first.is_attached and last.is_attached):
        return
    viewport = scroll.scrollable_content_region
    y = round(scroll.scroll_y)
    top = first.region.y - viewport.y + y
    bottom = last.region.bottom - viewport.y + y
    target = min(top, max(y, bottom - viewport.height))
    if target != y:
        scroll.scroll_to(y=max(target, 0), animate=False, immediate=True)


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


__all__ = ["AnswerBar", "CardSide", "ExercisePanel", "Notice", "QueueCounts", "SessionProgress",
           "card_markdown_class", "grid_content", "queue_of", "scroll_to_show"]
