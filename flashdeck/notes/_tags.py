"""Obsidian tags: which are flashcard tags, and which deck a tag names."""

from __future__ import annotations

import re
from functools import lru_cache

from flashdeck.notes._marks import TAG_CHAR

# An inline tag starts after whitespace (or at a line start): `a#b` and `x.com/#frag` are not
# tags. Obsidian also reads one at the start of an emphasis, strike or highlight
# (`**#flashcards**`, `~~#x~~`, `==#x==`): after one to three of `*~=` that follow whitespace
# or a line start. (`_#x_` is left out: `_` is a tag character, the closing `_` would join
# the tag.) Masked code/comments (\x01, \x02) are neither whitespace nor tag characters.
# The pattern starts with the `#` (its look-behinds come after it), so the regex engine
# skips from `#` to `#`; a leading look-behind was tried at every position (~20x slower).
EMPHASIS_OPENERS = "*~="
_AFTER_OPENERS = "|".join(
    rf"(?<=[*~=]{{{n}}}#)(?<!\S[*~=]{{{n}}}#)" for n in (1, 2, 3))
TAG_RE = re.compile(rf"#(?:(?<!\S#)|{_AFTER_OPENERS})({TAG_CHAR}+)")
LEADING_TAG_RE = re.compile(rf"[ \t]*#({TAG_CHAR}+)(?=\s|\Z)[ \t]*")
# Obsidian: a tag is not all digits (`#1984` is no tag, `#y1984` and `#🧠` are)
_NOT_A_DIGIT_RE = re.compile(r"[^0-9]")


_SLASHES_RE = re.compile(r"//+")


def clean_tag(raw: str) -> str:
    """`#flashcards/ml/` -> `flashcards/ml`; "" when it is not a tag (`#123`, `#2024/11`).
    A doubled slash is one (`#flashcards//ml` names no deck of no name between them)."""
    body = raw.strip().lstrip("#")
    tag = body.strip("/")
    if "//" in tag:
        tag = _SLASHES_RE.sub("/", tag)
    if not tag or not _NOT_A_DIGIT_RE.search(body):
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
