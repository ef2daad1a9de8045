"""What a card shows on the review screen, as markdown for Textual's `Markdown` widget.

The rewrite of a card's Obsidian markdown (math as Unicode, wiki links, embeds, callouts,
control characters made visible) lives in `flashdeck.cardtext`, shared with `flashdeck show`
so both show the same text; this module picks a card's sides and adds what only the screen
needs (`inline_paragraph`: flashdeck/inline.py). The result is only ever given to a markdown renderer, never parsed as
Rich/Textual markup. No Textual import here: this is plain text work, tested on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flashdeck.cardtext import Labels, has_embed, image_blocks, obsidian_to_markdown, prepare
from flashdeck.escaping import escape_markdown
from flashdeck.inline import inline_paragraph
from flashdeck.render import back_markdown, exercise_instance, front_markdown
from flashdeck.textsafe import sanitize

if TYPE_CHECKING:
    from flashdeck.notes.embeds import Embed, Resolver

__all__ = ["back", "escape_markdown", "front", "has_embed", "math_width", "obsidian_to_markdown",
           "inline_paragraph", "panel_math_width", "plain", "prepare", "with_images"]


def front(card, seed: int | None = None, width: int | None = None,
          resolver: Resolver | None = None) -> str | list[str | Embed]:
    """The question side (an exercise's prompt; its grid is drawn by its own widget).
    `width`: the columns a display-math block has on screen (None: as wide as it is).
    `resolver`: finds the note's embedded images (see `with_images`)."""
    if card.kind == "exercise":
        return _ready(exercise_instance(card, seed).prompt, width, line_breaks=False)
    return with_images(front_markdown(card, seed), width, resolver)


def back(card, seed: int | None = None, width: int | None = None,
         resolver: Resolver | None = None) -> str | list[str | Embed]:
    """The answer side; a cloze's answers are strong (styled as highlights by the CSS)."""
    markdown = back_markdown(card, seed, highlight="**")
    if card.kind == "exercise":
        return _ready(markdown, width, line_breaks=False)
    return with_images(markdown, width, resolver)


def with_images(markdown: str, width: int | None,
                resolver: Resolver | None) -> str | list[str | Embed]:
    """A side's markdown made ready (`prepare`); given a `resolver` and an image on a line
    of its own, the list of the markdown parts (made ready) and the images (`Embed`s) in
    order. Other embeds read as labels that say why an image cannot be shown."""
    if resolver is None or not has_embed(markdown):
        return _ready(markdown, width)
    labels = Labels(resolver)
    parts: list[str | Embed] = []
    for part in image_blocks(markdown, resolver):
        if isinstance(part, str):
            if part.strip():
                parts.append(_ready(part, width, labels))
        else:
            parts.append(part)
    if all(isinstance(part, str) for part in parts):
        return _ready(markdown, width, labels)
    return parts


def _ready(markdown: str, width: int | None, labels: Labels | None = None,
           line_breaks: bool = True) -> str:
    """`prepare` for the card panel: display math in `width` columns (`math_width`), tables
    in the panel's own width (a table has no fence padding), an inline formula's spaces
    no-break spaces (the screen wraps a formula in a sentence as one word: `wrapping`)."""
    return prepare(markdown, width, labels or Labels(),
                   None if width is None else width + FENCE_PADDING, line_breaks, NO_BREAK)


def plain(text: str) -> str:
    """One line of card text for a label (header, deck name): control characters shown."""
    return sanitize(text)


NO_BREAK = "\u00a0"

# What Textual's code block (a display-math fence) takes of the card panel's width: its
# label's padding, two columns each side (none in the ANSI theme: then the block has room
# to spare). The panel's vertical scrollbar may appear once the card is drawn, so its
# columns are never counted as room either.
FENCE_PADDING = 4
MIN_MATH_WIDTH = 10


def math_width(panel_columns: int, scrollbar_columns: int = 0) -> int:
    """The columns a display-math block has on a card panel `panel_columns` wide inside its
    padding (`scrollbar_columns`: what a vertical scrollbar takes when it appears)."""
    return max(panel_columns - scrollbar_columns - FENCE_PADDING, MIN_MATH_WIDTH)


def panel_math_width(panel, screen_columns: int) -> int:
    """`math_width` for the card panel widget `panel` (duck-typed: its `content_region` and
    `styles`, so this module needs no Textual import). Before the panel's first layout its
    region is empty: then the screen's width less the panel's own padding."""
    styles = panel.styles
    columns = panel.content_region.width
    if columns <= 0:
        columns = screen_columns - styles.padding.left - styles.padding.right
    return math_width(columns, styles.scrollbar_size_vertical)
