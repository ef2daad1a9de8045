"""The answer's parts of the review screen: the grade buttons and an exercise's panel
(grid, answer box, verdict). A module of their own, imported after the first card is on
screen (the review screen builds them after the first frame): the first card does not wait
for their classes to be made. `flashdeck.tui.widgets` names them too.

Card text reaches the terminal only as `Content` built from plain strings (never parsed as
markup), always after `textsafe.sanitize`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from flashdeck.scheduling.rating import Rating
from flashdeck.tui.answer_keys import COMMAND_KEYS
from flashdeck.tui.app import run_key_on_top, typed_at as key_typed_at
from flashdeck.tui.content import plain
from flashdeck.tui.widgets import once_laid_out, row_in
from flashdeck.tui.wrapping import NO_BREAK, KeepsFormulasWhole

_VARIANTS = {Rating.AGAIN: "error", Rating.HARD: "warning", Rating.GOOD: "success",
             Rating.EASY: "primary"}


class AnswerBar(Horizontal):
    """The four grades with the interval each gives: `Again 1m · Hard 6m · Good 10m · Easy 9d`.

    In one row when they fit (at 80 columns and wider); narrower, two rows of two
    (`-stacked`), then without the grades' names (`1 · 1m`), then without the buttons'
    margins (`-tight`), so no grade or interval is cut off at the right edge."""

    BUTTON_MIN_WIDTH = 16  # as `AnswerBar Button` in flashdeck.tcss: min-width, margin 0 1
    BUTTON_MARGIN = 2

    @dataclass
    class Chosen(Message):
        rating: int

    def compose(self) -> ComposeResult:
        for rating in Rating:
            button = Button(rating.label, id=f"grade-{rating.value}", variant=_VARIANTS[rating],
                            compact=True)
            button.can_focus = False  # Space/Enter belong to the screen: reveal, then Good
            yield button

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._labels: dict[int, str] = {}  # the interval each grade gives, by rating

    def show(self, labels: dict[int, str], suggested: int | None = None) -> None:
        self._labels = dict(labels)
        for rating in Rating:
            self.query_one(f"#grade-{rating.value}", Button).set_class(
                rating == suggested, "-suggested")
        self._fit()

    def _label(self, rating: Rating, short: bool) -> Content:
        """`1 Again 1m`, or short (no room for the names) `1 · 1m`."""
        interval = (self._labels.get(rating, ""), "bold")
        if short:
            return Content.assemble((f"{rating.value}", "dim"), " · ", interval)
        return Content.assemble((f"{rating.value} ", "dim"), rating.label, " ", interval)

    def row_width(self) -> int:
        """The cells the four buttons take in one row (a compact button: its label and a
        cell either side)."""
        return sum(max(self.BUTTON_MIN_WIDTH, self._label(rating, False).cell_length + 2)
                   + self.BUTTON_MARGIN for rating in Rating)

    def _fit(self) -> None:
        width = self.size.width  # 0 while hidden: the labels now, the layout on a resize
        stacked = bool(width) and self.row_width() > width
        # two to a row, each half the bar less its margins, a cell either side of the label
        room = (width // 2) - self.BUTTON_MARGIN - 2
        short = stacked and max(self._label(r, False).cell_length for r in Rating) > room
        # still too narrow: the buttons give up their margins
        tight = short and max(self._label(r, True).cell_length for r in Rating) > room
        if width:
            self.set_class(stacked, "-stacked")
            self.set_class(tight, "-tight")
        for rating in Rating:
            self.query_one(f"#grade-{rating.value}", Button).label = self._label(rating, short)

    def on_resize(self) -> None:
        self._fit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.startswith("grade-"):
            self.post_message(self.Chosen(int(event.button.id.removeprefix("grade-"))))


_GRID_STYLES = {"TP": "bold $success", "FP": "bold $error", "FN": "bold $warning",
                "TN": "$text-muted"}


GRID_CHROME = 6  # `#exercise #grid` in flashdeck.tcss: a border and two cells of padding a side
LEGEND_GAP = 4  # cells between the grid and its legend beside it


def _grid_rows(grid) -> list[Content]:
    rows: list[Content] = []
    for row in grid.cells:
        line = Content("")
        for j, cell in enumerate(row):
            if j:
                line += Content(" ")
            line += Content.styled(grid.symbol(cell.kind), _GRID_STYLES.get(cell.kind, ""))
        rows.append(line)
    return rows


def _legend_rows(grid) -> list[Content]:
    return [Content.assemble((symbol, _GRID_STYLES.get(kind, "")), f" {kind}  ",
                             (plain(meaning), "dim")) for kind, symbol, meaning in grid.legend]


def grid_width(grid, beside: bool) -> int:
    """The cells `grid_content(grid, beside)` takes in a row, its border and padding too."""
    cells = max((row.cell_length for row in _grid_rows(grid)), default=0)
    legend = max((row.cell_length for row in _legend_rows(grid)), default=0)
    return GRID_CHROME + (cells + LEGEND_GAP + legend if beside else max(cells, legend))


def grid_content(grid, beside: bool = False) -> Content:
    """The mask grid, one coloured symbol per cell, and its legend with the counts: under
    the grid, or `beside` it (at 80×24 the legend under a 6-row grid pushed the question
    and the answer box apart, off one screen)."""
    rows, legend = _grid_rows(grid), _legend_rows(grid)
    if not beside:
        return Content("\n").join([*rows, Content(""), *legend])
    cells = max((row.cell_length for row in rows), default=0)
    lines = []
    for i in range(max(len(rows), len(legend))):
        left = rows[i] if i < len(rows) else Content("")
        line = left + Content(" " * (cells - left.cell_length + LEGEND_GAP))
        lines.append(line + legend[i] if i < len(legend) else line)
    return Content("\n").join(lines)


# The review screen's command keys (binding names). On an exercise card they stay commands
# while the answer box has focus, unless the key can continue the answer typed so far
# (`types_into_answer`): no Escape needed first.
class AnswerInput(Input):
    """The exercise's answer box. A command key its screen lets through
    (`answer_box_passes(key, character, before)`, `before` being the text up to the
    cursor) goes to the screen's bindings even while the box has focus.

    Keys are handled in the order they come, also when they come faster than the app
    handles them (a quick typist, key repeat, a busy machine): the app sees each key
    before the box has handled the ones before it, so while keys are on their way to the
    box a command key goes on to the box too, and is decided there on the answer as typed
    up to it (`1e-3` typed fast opened the editor at the `e`; `2 secs` suspended the
    card at the `s`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._on_the_way: set[int] = set()  # the keys sent to the box, not yet handled

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if key in ("enter", "escape"):
            # the box's own (check the answer; leave the box), not the screen's Show / Good
            # and Decks (priority bindings: see `ReviewScreen.BINDINGS`)
            return True
        passes = getattr(self.screen, "answer_box_passes", None)
        if passes is not None:
            if self._on_the_way and key in COMMAND_KEYS:
                return True  # decided in its turn (`_on_key`)
            if passes(key, character, self.value[: self.cursor_position]):
                return False
        return super().check_consume_key(key, character)

    def _forward_event(self, event: events.Event) -> None:
        # Widget._forward_event, noting the keys queued for the box
        event._set_forwarded()
        if self.post_message(event) and isinstance(event, events.Key):
            self._on_the_way.add(id(event))

    async def _on_key(self, event: events.Key) -> None:
        """A command key that came while others were on their way: a command if the answer
        typed before it cannot go on with it. The box's own keys (Backspace, Delete, the
        cursor keys, Enter) are done here too, in the order the keys came: Textual inserts
        a typed character at once but runs an Input's bound keys only when the key has
        bubbled up to the app, so in a burst (Backspace held down, then `0.5` Enter) the
        characters landed first, Backspace then deleted them and `7` was graded. What is
        not done here, Input's own handler does (Textual calls it next, unless prevented)."""
        self._on_the_way.discard(id(event))
        if self.screen is not self.app.screen and self.screen in self.app.screen_stack:
            # a key before this one, on its way here with it, opened another screen over
            # the card (`2 i Escape 3` typed fast: the `i`, the card info): this key is
            # that screen's, run by its bindings here, in its turn, as if typed once it was
            # shown (the Escape closes it, the `3` after it goes on into the box). The
            # Escape left the answer box instead, and the card info stayed open over it.
            event.stop()
            event.prevent_default()
            await run_key_on_top(self.app, event.key, event.time)
            return
        if self.disabled:
            # the answer is checked: the box is done. A key that was on its way to it (a
            # burst: `3/4` Enter `1`) is the screen's — the grade grades the card (the `1`
            # landed in the box, `3/41`, the card left ungraded)
            event.stop()
            event.prevent_default()
            after_check = getattr(self.screen, "key_after_check", None)
            if after_check is not None:
                await after_check(event.key, event.time, event.character)
            return
        panel = next((p for p in self.ancestors if isinstance(p, ExercisePanel)), None)
        if event.key == "enter" and panel is not None:
            # checked here, in its turn: the box is done before the next key is handled
            # (Input's submit only posts a message, handled after the keys behind it)
            event.stop()
            event.prevent_default()
            panel.submit(self.value)
            return
        if event.key == "escape":  # leave the box (the panel's binding, which the box hides)
            event.stop()
            event.prevent_default()
            for panel in self.ancestors:
                if isinstance(panel, ExercisePanel):
                    panel.action_leave_input()
                    break
            return
        passes = getattr(self.screen, "answer_box_passes", None)
        if passes is not None and passes(event.key, event.character,
                                         self.value[: self.cursor_position]):
            event.stop()
            event.prevent_default()
            await self._screen_key(event.key, event.time)
            return
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority:
                    # an action that passes (Copy with nothing selected) lets the key go on
                    # to the screen's and the app's bindings (Ctrl-C: quit)
                    if await self.app.run_action(binding.action, self):
                        event.stop()
                        event.prevent_default()
                        return
                    break


    async def _screen_key(self, key: str, typed_at: float | None = None) -> None:
        """Run the screen's command for `key` (its priority binding), if it has one."""
        await run_screen_key(self.screen, key, typed_at)


async def run_screen_key(screen, key: str, typed_at: float | None = None) -> None:
    """Run `screen`'s command for `key` (its priority binding), if it has one, as the
    app runs it for a key typed at `typed_at` (`app.key_time`). When another screen has
    opened over it meanwhile (a key before this one, in the same burst: `i`, `?`), the
    key is that screen's (`run_key_on_top`): the keys typed after an exercise's Enter ran
    the review's bindings under it (`3/4` Enter `i ?` stacked the help over the card
    info; `i` Escape left the review for the deck list, the card info kept open)."""
    if screen is not screen.app.screen and screen in screen.app.screen_stack:
        await run_key_on_top(screen.app, key, typed_at)
        return
    for binding in screen._bindings.key_to_bindings.get(key, ()):
        if binding.priority:
            with key_typed_at(typed_at):
                await screen.run_action(binding.action)
            break


_STEP = re.compile(r"(?<=\S) ([=≈]) (?=\S)")


def whole_steps(message: str) -> str:
    """A verdict's `a = b ≈ c` joined by no-break spaces: it moves to the next line whole
    (`the answer is 26/75 ≈` at the end of one line, `0.3467.` on the next)."""
    return _STEP.sub(f"{NO_BREAK}\\1{NO_BREAK}", message)


class VerdictText(KeepsFormulasWhole, Static):
    """The verdict under the answer box: its result (`26/75 ≈ 0.3467`) never broken."""


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
        hint = plain(hint)  # it names the template's unit: card text, so never raw escapes
        if not self.children:
            await self.mount_all([Static(id="grid"), AnswerInput(placeholder=hint, id="answer"),
                                  Static(id="answer-hint"), VerdictText(id="verdict")])
        self.instance = instance
        self._legend_beside = None
        self.query_one("#grid", Static).display = instance.grid is not None
        self._draw_grid()
        answer = self.query_one("#answer", Input)
        answer.placeholder = hint
        answer.value = ""
        answer.disabled = False
        verdict = self.query_one("#verdict", Static)
        verdict.update("")
        verdict.display = False
        self.query_one("#answer-hint", Static).update(Content(hint))
        self._fit_hint()
        self.remove_class("-right", "-wrong")

    def _fit_hint(self) -> None:
        """The line under the box shows the placeholder whole when the box cuts it, until
        the answer is checked or a message under the box says what is accepted."""
        for answer in self.query("#answer").results(Input):
            room = answer.content_size.width - 1  # a cell for the cursor
            self.query_one("#answer-hint", Static).display = (
                not answer.disabled and not self.query_one("#verdict").display
                and room > 0 and cell_len(str(answer.placeholder)) > room)

    def _message_into_view(self) -> object:
        """The answer box and the message under it in the card's view."""
        scroll = self.parent
        if not isinstance(scroll, Widget) or not self.display:
            return None
        return scroll_to_show(scroll, self.query_one("#answer"), self.query_one("#verdict"))

    def _draw_grid(self) -> None:
        """The grid with its legend beside it when the panel is wide enough, else under it
        (drawn again when the panel's width changes)."""
        grid = getattr(getattr(self, "instance", None), "grid", None)
        if grid is None:
            return
        width = self.content_size.width
        if width <= 0:  # not laid out yet (the first exercise): the card panel's width
            scroll = self.parent
            width = scroll.content_size.width if isinstance(scroll, Widget) else 0
        beside = width > 0 and grid_width(grid, True) <= width
        if beside != self._legend_beside:
            self._legend_beside = beside
            self.query_one("#grid", Static).update(grid_content(grid, beside))

    def on_resize(self) -> None:
        self._fit_hint()
        self._draw_grid()

    def focus_input(self) -> None:
        for answer in self.query("#answer"):  # none before the first exercise
            answer.focus(scroll_visible=False)
            # in view once laid out (below a grid at 80×24 it starts under the fold)
            once_laid_out(self, self.input_into_view)

    def input_into_view(self) -> object:
        """The answer box, and the hint under it, in the card's view, with the prompt above
        them when it fits (else its start and the box: in a 50×16 pane the hint was
        scrolled into view and the prompt's first line, `P = 0.5 and`, out of it); with a
        grid too tall for that, the grid above them as far as it fits."""
        scroll = self.parent
        hint = next(iter(self.query("#answer-hint").results(Static)), None)
        answer = next(iter(self.query("#answer")), None)
        if not isinstance(scroll, Widget) or not self.display or hint is None or answer is None:
            # (no box yet: the session's first exercise panel is mounted before its parts,
            # and a resize's refit could come between; `load`'s focus brings them into view)
            return None
        below = hint if hint.display else answer
        room = scroll.scrollable_content_region.height
        for prompt in scroll.query("#front"):
            top = row_in(scroll, prompt)
            for last in (below, answer):
                end = row_in(scroll, last)
                if top is not None and end is not None \
                        and end + last.virtual_region.height - top <= room:
                    return scroll_to_show(scroll, prompt, last)
        return scroll_to_show(scroll, self, below)

    def action_leave_input(self) -> None:
        self.screen.set_focus(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        # the key bar shows the keys that are commands at this point of the answer (`e`
        # goes into `1e-3`, a Space between digits): it follows the typing
        event.stop()
        self.screen.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def submit(self, typed: str) -> None:
        """Check `typed` (the box is done once it is graded) and tell the screen."""
        verdict = self.check(typed)
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
            # it says what is accepted: the hint gives it its place, and it comes into
            # view under the box (at 80×24 it was below the fold: Enter seemed to do nothing)
            self._fit_hint()
            once_laid_out(self, self._message_into_view)
            return None
        marks = {"right": ("✓ Right", "bold $success"),
                 "unsimplified": ("✓ Right, not simplified", "bold $success"),
                 "wrong": ("✗ Wrong", "bold $error")}
        mark, style = marks.get(verdict.status, (verdict.status, "bold"))
        # the grader's message names the verdict itself (`Right: 3/4 = 0.75.`): keep its
        # words and put only the sign in front; without a message, the plain label
        text = (Content.styled(mark[0], style) + Content(" ")
                + Content(whole_steps(plain(verdict.message)))
                if verdict.message else Content.styled(mark, style))
        message.update(text)
        self.set_class(verdict.correct, "-right")
        self.set_class(not verdict.correct, "-wrong")
        answer.disabled = True
        self._fit_hint()
        return verdict


def scroll_to_show(scroll: Widget, first: Widget, last: Widget) -> object:
    """Scroll `scroll` (the card) the least that brings `last`'s bottom into view without
    taking `first`'s top out of it: after grading, the verdict stays in view and the
    working below it shows as far as the screen allows (PageDown shows the rest).

    Returns what the scroll was decided on (`once_laid_out` runs this again until that
    stops changing), or None when there is nothing to show."""
    if not (scroll.is_attached and first.is_attached and last.is_attached):
        return None
    top, below = row_in(scroll, first), row_in(scroll, last)
    if top is None or below is None:
        return None
    viewport = scroll.scrollable_content_region
    y = round(scroll.scroll_y)
    bottom = below + last.virtual_region.height
    target = max(min(top, max(y, bottom - viewport.height)), 0)
    if target != y:
        scroll.scroll_to(y=target, animate=False, immediate=True)
    return scroll.virtual_size, viewport, top, bottom, target


__all__ = ["AnswerBar", "AnswerInput", "ExercisePanel", "grid_content", "grid_width",
           "scroll_to_show"]
