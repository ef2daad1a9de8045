"""What a card shows, as markdown, shared by `flashdeck show` and the review screen.

The card's text is untrusted: it is only ever handed to a markdown renderer (never parsed
as Rich/Textual markup) and terminal control characters are made visible first.
"""

from __future__ import annotations

import re
import sys

from flashdeck.textsafe import sanitize

_CLOZE_ANSWER = re.compile(r"==(?=\S)(.+?)(?<=\S)==")


def header(card) -> str:
    """`deck · Note title › Heading › Sub`: where the card comes from."""
    trail = " › ".join(part for part in (card.note_title, card.breadcrumb) if part)
    return f"{card.deck} · {trail}" if trail else card.deck


def exercise_seed(card) -> int:
    """A different instance for every review of an exercise card, reproducible for `show`."""
    return card.id * 7919 + card.reps


def front_markdown(card, seed: int | None = None) -> str:
    if card.kind == "exercise":
        instance = exercise_instance(card, seed)
        parts = [instance.prompt]
        if instance.grid is not None:
            from flashdeck.exercises import grid_text

            parts.append("```text\n" + "\n".join(grid_text(instance.grid)) + "\n```")
        return "\n\n".join(parts)
    return card.front


def back_markdown(card, seed: int | None = None, *, highlight: str = "**") -> str:
    """The answer side. Cloze answers (`==x==`) are shown emphasised (`highlight` marks)."""
    if card.kind == "exercise":
        instance = exercise_instance(card, seed)
        steps = "\n".join(f"    {step}" for step in instance.steps)
        return f"**Answer: {instance.answer}** ({instance.value:.4g})\n\n{steps}"
    if card.kind == "cloze":
        return _CLOZE_ANSWER.sub(lambda m: f"{highlight}{m.group(1)}{highlight}", card.back)
    return card.back


def exercise_instance(card, seed: int | None = None):
    from flashdeck.exercises import instantiate, template_for_card

    template = template_for_card(card.exercise, card.back)
    return instantiate(template, exercise_seed(card) if seed is None else seed)


def with_math(markdown: str) -> str:
    """Render LaTeX math as Unicode (display math as aligned ```text blocks)."""
    from flashdeck.mathtext import render_markdown

    return render_markdown(markdown)


def card_source(card, answer: bool, seed: int | None = None) -> str:
    """The card's markdown (front, and the answer below a rule), math still as LaTeX."""
    parts = [front_markdown(card, seed)]
    if answer:
        parts.append("---")
        parts.append(back_markdown(card, seed))
    return sanitize("\n\n".join(parts))


def print_card(card, answer: bool = False, seed: int | None = None, file=None) -> None:
    """Print a card for a terminal or a pipe: markdown rendered by Rich, display math as its
    own unwrapped block (a wrapped stacked fraction is unreadable)."""
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.text import Text

    from flashdeck.mathtext import split_markdown

    console = Console(file=file or sys.stdout, highlight=False)
    console.print(Text(sanitize(f"#{card.id}  {header(card)}"), style="dim"))
    if card.suspended:
        console.print(Text("(suspended)", style="dim"))
    console.print()
    for segment in split_markdown(card_source(card, answer, seed)):
        if segment.kind == "math":
            block = "\n".join("  " + segment.indent + line for line in segment.lines)
            console.print(Text(block + "\n"), soft_wrap=True, crop=False)
        else:
            console.print(Markdown(segment.text, code_theme="ansi_dark"))
