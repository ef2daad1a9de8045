"""Obsidian tags: which are flashcard tags, and which deck a tag names."""

from __future__ import annotations

import re
from functools import lru_cache

from flashdeck.notes._marks import TAG_CHARS

# An inline tag starts after whitespace (or at a line start): `a#b` and `x.com/#frag` are not
# tags. Masked code/comments (\x01, \x02) are neither whitespace nor tag characters. The
# pattern starts with the `#` (its look-behind comes after it), so the regex engine skips
# from `#` to `#`; a leading look-behind was tried at every position (~20x slower).
TAG_RE = re.compile(rf"#(?<!\S#)([{TAG_CHARS}]+)")
LEADING_TAG_RE = re.compile(rf"[ \t]*#([{TAG_CHARS}]+)(?=\s|\Z)[ \t]*")
_HAS_LETTER_RE = re.compile(r"[^\W\d]")


def clean_tag(raw: str) -> str:
    """`#flashcards/ml/` -> `flashcards/ml`; "" when it is not a tag (`#123`)."""
    tag = raw.strip().lstrip("#").strip("/")
    if not tag or not _HAS_LETTER_RE.search(tag):
        return ""
    return tag


@lru_cache(maxsize=64)
def _normalized(tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in (clean_tag(x).casefold() for x in tags) if t)


def is_flashcard_tag(tag: str, settings_tags: tuple[str, ...]) -> bool:
    """`flashcards/ml/metrics` is one when `flashcards` is (tags are case-insensitive)."""
    folded = tag.casefold()
    for base in _normalized(settings_tags):
        if folded == base or folded.startswith(base + "/"):
            return True
    return False


def default_deck(settings_tags: tuple[str, ...]) -> str:
    for tag in settings_tags:
        cleaned = clean_tag(tag)
        if cleaned:
            return cleaned
    return "flashcards"


def might_carry(text: str, settings_tags: tuple[str, ...]) -> bool:
    """Substring test: every tag occurrence, inline or in frontmatter, contains its name."""
    names = _normalized(settings_tags)
    if not names:
        return False
    for name in names:
        if name in text:
            return True
    folded = text.casefold()
    return any(name in folded for name in names)
