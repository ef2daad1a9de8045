"""A card's text as the reader sees it: one module for `flashdeck show` and the review screen.

Terminal markdown renderers (Rich for `show`, Textual's Markdown widget on the screen) know
CommonMark and tables, but not Obsidian: wiki links, embeds, callouts and `$…$` math would
show as raw syntax. So a card's markdown is rewritten here first, in this order:

1. math becomes Unicode (`flashdeck.mathtext.render_markdown`): it must see the
   LaTeX before anything else touches the `$`s; display math becomes a ```text block, broken
   at its relations when it is wider than the `width` given;
2. Obsidian syntax outside code: `[[target|alias]]` -> its text, `![[x.png]]` -> a labelled
   placeholder `[image: x.png]`, `> [!note] Title` -> a bold label `Note: Title` in the quote;
3. terminal control characters are made visible (`textsafe.sanitize`).

The result is only ever given to a markdown renderer, never parsed as Rich/Textual markup;
text the rewrite inserts is backslash-escaped so a file name cannot become markdown either.
Plain text work: no Textual (nor Rich) import here.
"""

from __future__ import annotations

import re

from flashdeck.escaping import escape_markdown
from flashdeck.render import embed_label, image_label, link_text
from flashdeck.textsafe import sanitize

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_EMBED = re.compile(r"!\[\[([^\[\]\n]+?)\]\]")
_WIKI = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\(\s*<?([^()\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_CALLOUT = re.compile(r"^(\s*(?:>\s*)+)\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")

# Obsidian's callout types and their aliases, by the label a reader expects.
_CALLOUT_LABELS = {
    "note": "Note", "abstract": "Summary", "summary": "Summary", "tldr": "Summary",
    "info": "Info", "todo": "To do", "tip": "Tip", "hint": "Tip", "important": "Important",
    "success": "Success", "check": "Success", "done": "Success", "question": "Question",
    "help": "Question", "faq": "Question", "warning": "Warning", "caution": "Warning",
    "attention": "Warning", "failure": "Failure", "fail": "Failure", "missing": "Failure",
    "danger": "Danger", "error": "Danger", "bug": "Bug", "example": "Example",
    "quote": "Quote", "cite": "Quote",
}


def render_math(markdown: str, width: int | None = None) -> str:
    """LaTeX math as Unicode (`mathtext.render_markdown`): display math as aligned ```text
    blocks, broken at their relations when wider than `width` columns (None: as wide as
    they are).

    Math is always delimited by `$`, so text without one skips the math module's import
    (it costs the first card's start-up time for nothing)."""
    if "$" not in markdown:
        return markdown
    from flashdeck.mathtext import render_markdown  # ~55 ms: only for a card with math

    return render_markdown(markdown, width=width)


def _inline(text: str) -> str:
    """Obsidian's inline syntax, outside code spans."""
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_inline_plain(text[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_inline_plain(text[last:]))
    return "".join(out)


def _inline_plain(text: str) -> str:
    text = _EMBED.sub(lambda m: escape_markdown(embed_label(m.group(1))), text)
    text = _IMAGE.sub(lambda m: escape_markdown(image_label(m.group(1), m.group(2))), text)
    return _WIKI.sub(lambda m: escape_markdown(link_text(m.group(1))), text)


def _callout(line: str) -> str | None:
    match = _CALLOUT.match(line)
    if not match:
        return None
    prefix, kind, _fold, title = match.groups()
    label = _CALLOUT_LABELS.get(kind.lower(), kind.capitalize())
    title = title.strip()
    heading = f"**{escape_markdown(label)}: {_inline(title)}**" if title else \
        f"**{escape_markdown(label)}**"
    # a quote line of its own after the label, so the body starts a new paragraph
    return f"{prefix}{heading}\n{prefix.rstrip()}"


def obsidian_to_markdown(markdown: str) -> str:
    """Rewrite wiki links, embeds and callouts into plain CommonMark (code left alone)."""
    lines = markdown.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        opening = _FENCE.match(line.lstrip("> "))
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        callout = _callout(line)
        lines[i] = callout if callout is not None else _inline(line)
    return "\n".join(lines)


def prepare(markdown: str, width: int | None = None) -> str:
    """Card markdown, made ready and safe for a markdown renderer; display math fitted to
    `width` columns (the width a block has at the top level)."""
    return sanitize(obsidian_to_markdown(render_math(markdown, width)))
