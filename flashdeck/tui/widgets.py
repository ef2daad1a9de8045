"""The review screen's parts. Each posts its own messages (nested in the widget class);
the screen's handlers own the state.

Card text reaches the terminal only as `Content` built from plain strings (never parsed as
markup) or through the Markdown widget, and always after `textsafe.sanitize`.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Markdown, Static

from flashdeck.scheduling.engine import Counts
from flashdeck.tui.content import plain

RATING_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_BY_NAME = {"again": 1, "hard": 2, "good": 3, "easy": 4}
_VARIANTS = {1: "error", 2: "warning", 3: "success", 4: "primary"}


class CardMarkdown(Markdown):
    """A card side. Links are not opened (card text is untrusted): a click only names them."""

    def __init__(self, markdown: str = "", **kwargs) -> None:
        super().__init__(markdown, open_links=False, **kwargs)


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


def queue_of(state: str) -> str:
    return {"new": "new", "review": "review"}.get(state, "learning")


class AnswerBar(Horizontal):
    """The four grades with the interval each gives: `Again 1m · Hard 6m · Good 10m · Easy 9d`."""

    class Chosen(Message):
        def __init__(self, rating: int) -> None:
            super().__init__()
            self.rating = rating

    def compose(self) -> ComposeResult:
        for rating, label in RATING_LABELS.items():
            button = Button(label, id=f"grade-{rating}", variant=_VARIANTS[rating], compact=True)
            button.can_focus = False  # Space/Enter belong to the screen: reveal, then Good
            yield button

    def show(self, labels: dict[int, str], suggested: int | None = None) -> None:
        for rating, name in RATING_LABELS.items():
            button = self.query_one(f"#grade-{rating}", Button)
            button.label = Content.assemble(
                (f"{rating} ", "dim"), name, " ", (labels.get(rating, ""), "bold"))
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


class ExercisePanel(Vertical):
    """An exercise's grid, the answer input and, once graded, the verdict."""

    # Escape leaves the answer box, so that letters are keys again (q, s, b, e, ?)
    BINDINGS = [Binding("escape", "leave_input", "Keys", show=False)]

    class Graded(Message):
        def __init__(self, verdict) -> None:
            super().__init__()
            self.verdict = verdict

    def compose(self) -> ComposeResult:
        yield Static(id="grid")
        yield Input(placeholder="your answer: 3/4, 0.75 or 75%",
                    id="answer")
        yield Static(id="verdict")

    def load(self, instance) -> None:
        self.instance = instance
        grid = self.query_one("#grid", Static)
        grid.display = instance.grid is not None
        if instance.grid is not None:
            grid.update(grid_content(instance.grid))
        answer = self.query_one("#answer", Input)
        answer.value = ""
        answer.disabled = False
        verdict = self.query_one("#verdict", Static)
        verdict.update("")
        verdict.display = False
        self.remove_class("-right", "-wrong")

    def focus_input(self) -> None:
        self.query_one("#answer", Input).focus()

    def action_leave_input(self) -> None:
        self.screen.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from flashdeck.exercises import grade
        from flashdeck.exercises.model import Verdict

        event.stop()
        typed = event.value.strip()
        if typed:
            verdict = grade(self.instance, typed)
        else:
            verdict = Verdict("wrong", "No answer given: here is the working.", "again")
        message = self.query_one("#verdict", Static)
        message.display = True
        if verdict.status == "unreadable":  # let the user try again
            message.update(Content.styled(plain(verdict.message), "$warning"))
            return
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
        event.input.disabled = True
        self.post_message(self.Graded(verdict))


class Notice(Static):
    """A line of app text that may quote card text: always plain, never markup."""

    def say(self, text: str) -> None:
        self.update(Content(plain(text)))


__all__ = ["AnswerBar", "CardMarkdown", "ExercisePanel", "Notice", "QueueCounts",
           "grid_content", "queue_of", "RATING_BY_NAME", "RATING_LABELS"]
