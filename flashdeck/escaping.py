"""The one markdown escaper: text a markdown renderer shows exactly as written.

Used wherever flashdeck inserts text into card markdown (rendered math, link and embed
labels, callout titles, error messages on a card). A leaf module with no imports of ours, so
the math module and the card-text module can both use it without loading each other.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character that can start or end markdown syntax: CommonMark lets
# a backslash escape any of them, and the escaped character is shown as itself.
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=$&])")


def escape_markdown(text: str) -> str:
    """Backslash-escape the characters markdown would read as syntax."""
    return _MD_PUNCT.sub(r"\\\1", text)
