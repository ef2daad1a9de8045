"""The note's tags, and the deck each of its cards goes to."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from flashdeck.notes import _tags
from flashdeck.notes._frontmatter import Frontmatter, obsidian_key, string_list
from flashdeck.notes._lines import Lines
from flashdeck.notes._marks import TAG_CHAR
from flashdeck.notes._mask import line_of
from flashdeck.notes.model import ParserSettings

# a line of tags only, each perhaps in bold, struck or highlighted (`**#flashcards/ml**`)
TAG_ONLY_LINE_RE = re.compile(rf"[ \t]*(?:[*~=]{{0,3}}#{TAG_CHAR}+[*~=]{{0,3}}[ \t]*)+")


@dataclass(slots=True)
class Decks:
    tags: list[str]  # every tag of the note, first spelling of each
    tagged: bool  # carries a flashcard tag anywhere
    # (file line, deck) of the lines outside cards whose flashcard tag names a deck
    context: list[tuple[int, str]]
    context_lines: list[int]
    frontmatter_deck: str | None
    fallback: str  # for cards above every tag line
    folder_deck: str | None  # decks = "folders": every card's deck

    def deck(self, line: int, own: str | None) -> str:
        """The deck of a card at file `line`, with `own` from a leading tag on its line:
        else the nearest flashcard tag above it or on its line (a derived card's heading or
        callout title, `## Why? #flashcards/bio`)."""
        if self.folder_deck is not None:
            return self.folder_deck
        if own:
            return own
        k = bisect_right(self.context_lines, line) - 1  # a tag on the card's line counts
        if k >= 0:
            return self.context[k][1]
        if self.frontmatter_deck:
            return self.frontmatter_deck
        return self.fallback


def read_decks(frontmatter: Frontmatter, lines: Lines, card_spans: list[tuple[int, int]],
               settings: ParserSettings) -> Decks:
    """`card_spans`: body line ranges of the explicit cards."""
    settings_tags = settings.tags
    data = frontmatter.data
    key = obsidian_key(data, "tags", "tag")
    listed = string_list(data.get(key) if key is not None else None, True)
    frontmatter_tags = [t for t in (_tags.clean_tag(x) for x in listed) if t]
    seen: set[str] = set()
    all_tags: list[str] = []

    def add(tag: str) -> None:
        folded = tag.casefold()
        if folded not in seen:
            seen.add(folded)
            all_tags.append(tag)

    for tag in frontmatter_tags:
        add(tag)
    # Tags on a card's lines name that card's deck only (as in the plugin), except a
    # line holding nothing but tags: written above a card, it reads as a section tag.
    masked_lines = lines.masked
    n = len(lines.body)
    on_card = [False] * n
    for a, b in card_spans:
        for i in range(a, min(b, n)):
            line = masked_lines[i]  # a line of tags holds a `#` (most card lines have none)
            on_card[i] = "#" not in line or TAG_ONLY_LINE_RE.fullmatch(line) is None
    context: list[tuple[int, str]] = []
    any_card_tag: str | None = None
    last_line = -1
    masked = lines.masked_text
    if "#" in masked:
        starts = lines.line_starts
        for m in _tags.TAG_RE.finditer(masked):
            tag = _tags.clean_tag(m.group(1))
            if not tag:
                continue
            add(tag)
            if not _tags.is_flashcard_tag(tag, settings_tags):
                continue
            idx = line_of(starts, m.start())
            if on_card[idx]:
                any_card_tag = any_card_tag or tag
                continue
            if idx != last_line:  # the first flashcard tag of a line names its deck
                context.append((lines.file_line(idx), tag))
                last_line = idx
    frontmatter_deck = next(
        (t for t in frontmatter_tags if _tags.is_flashcard_tag(t, settings_tags)), None)
    folder_deck = None
    if settings.decks == "folders":
        # composed (NFC), as typed: macOS writes a folder's name decomposed
        folder = unicodedata.normalize("NFC", settings.folder.replace("\\", "/").strip("/"))
        folder_deck = folder or _tags.default_deck(settings_tags)
    return Decks(
        tags=all_tags,
        tagged=frontmatter_deck is not None or bool(context) or any_card_tag is not None,
        context=context,
        context_lines=[line for line, _ in context],
        frontmatter_deck=frontmatter_deck,
        fallback=context[0][1] if context else any_card_tag or _tags.default_deck(settings_tags),
        folder_deck=folder_deck,
    )
