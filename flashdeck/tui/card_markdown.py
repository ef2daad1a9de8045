"""The Markdown widget for card sides that need a markdown parser.

A module of its own because importing Textual's Markdown widget (and markdown-it with it)
costs ~40 ms: it is imported the first time a card needs it, never before the first card
is on screen unless that card needs it.
"""

from __future__ import annotations

from textual.widgets import Markdown


class CardMarkdown(Markdown):
    """A card side. Links are not opened (card text is untrusted): a click only names them."""

    def __init__(self, markdown: str = "", **kwargs) -> None:
        super().__init__(markdown, open_links=False, **kwargs)
