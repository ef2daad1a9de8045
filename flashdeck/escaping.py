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


# What in a plain name (a note's file name) markdown would read as syntax inline: code
# spans, emphasis, math, links and wiki links, HTML, strikethrough and highlight runs,
# entities. Narrower than escape_markdown on purpose: a name holding none of these (`F1
# Score`, `learning_rate`, `Q&A`, `C++`, `2. Linear Regression`) is left as it is, so the
# titles, fronts and identities of such notes stay what they were (`[Draft] plan` too: a
# bracket is a link only before `(`).
_NAME_SYNTAX = re.compile(
    r"[\\`*$<]"  # always syntax, or the start of it
    r"|\[\[|\[(?=\^|[^\[\]]*\]\()"  # a wiki link, a footnote, a link's text (`[x](y)`)
    r"|(?<![^\W_])_+|_+(?![^\W_])"  # a `_` run not inside a word (`__init__`, `_x_`)
    r"|~~+|==+"  # strikethrough, highlight
    r"|&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")  # an entity


_NAME_MAY_HOLD = re.compile(r"[\\`*$<\[_~=&]")  # what each of those starts with


def escape_name(name: str) -> str:
    """A plain name as markdown that shows it as written (`__init__` -> `\\_\\_init\\_\\_`),
    changing only the characters that would be read as syntax."""
    if _NAME_MAY_HOLD.search(name) is None:  # most names (`F1 Score`)
        return name
    return _NAME_SYNTAX.sub(lambda m: "".join("\\" + c for c in m.group(0)), name)
