"""What a card shows on the review screen, as markdown for Textual's `Markdown` widget.

Textual's Markdown widget knows CommonMark and tables, but not Obsidian: wiki links,
embeds, callouts and `$…$` math would show as raw syntax (math is dropped outright). So
the card's markdown is rewritten here first, in this order:

1. math becomes Unicode (`flashdeck.mathtext` through `render.with_math`): it must see the
   LaTeX before anything else touches the `$`s;
2. Obsidian syntax outside code: `[[target|alias]]` -> its text, `![[x.png]]` -> a labelled
   placeholder `[image: x.png]`, `> [!note] Title` -> a bold label in the quote;
3. terminal control characters are made visible (`textsafe.sanitize`).

The result is only ever given to a markdown renderer, never parsed as Rich/Textual markup;
text the rewrite inserts is backslash-escaped so a file name cannot become markdown either.
No Textual import here: this is plain text work, tested on its own.
"""

from __future__ import annotations

import re

from flashdeck.render import embed_label, image_label, link_text
from flashdeck.textsafe import sanitize

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_EMBED = re.compile(r"!\[\[([^\[\]\n]+?)\]\]")
_WIKI = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\(\s*<?([^()\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_CALLOUT = re.compile(r"^(\s*(?:>\s*)+)\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=$&])")

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


def escape_markdown(text: str) -> str:
    """Text that markdown shows exactly as written."""
    return _MD_PUNCT.sub(r"\\\1", text)


def render_math(markdown: str) -> str:
    """LaTeX math as Unicode, through the math module (`render.with_math`).

    Math is always delimited by `$`, so text without one skips the math module's import
    (it costs the first card's start-up time for nothing)."""
    if "$" not in markdown:
        return markdown
    from flashdeck.render import with_math

    return with_math(markdown)


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


def prepare(markdown: str) -> str:
    """Card markdown, made ready and safe for the Markdown widget."""
    return sanitize(obsidian_to_markdown(render_math(markdown)))


def front(card, seed: int | None = None) -> str:
    """The question side (an exercise's prompt; its grid is drawn by its own widget)."""
    if card.kind == "exercise":
        from flashdeck.render import exercise_instance

        return prepare(exercise_instance(card, seed).prompt)
    from flashdeck.render import front_markdown

    return prepare(front_markdown(card, seed))


def back(card, seed: int | None = None) -> str:
    """The answer side; a cloze's answers are strong (styled as highlights by the CSS)."""
    from flashdeck.render import back_markdown

    return prepare(back_markdown(card, seed, highlight="**"))


# Characters that can start markdown syntax anywhere in a line (escapes, emphasis, code,
# links and images, autolinks and HTML, entities, strikethrough, tables, headings, math
# leftovers), and what linkify (on in Textual's "gfm-like" parser) makes a link of: a
# domain (`.` then a letter), an email (`@`), `http://` and `//`, `www`.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>&~|#$@]|\.[^\W\d_]|//|www", re.IGNORECASE)
# What makes a line a block other than a paragraph: indentation (code), a list item or a
# rule (`-`, `+`, `*`), a setext underline (`===`), an ordered item (`1.`, `1)`).
_BLOCK_START = re.compile(r"^(?:\s|[-+*=]|\d{1,9}[.)](?:\s|$))")


def simple_text(markdown: str) -> str | None:
    """The text a one-line plain paragraph shows, or None when the markdown needs a parser.

    The review screen shows such a card (most question fronts) with a plain text widget
    that looks exactly like the Markdown widget's paragraph, so the first card can be drawn
    before the markdown parser and widget are even imported. Deliberately conservative:
    anything that might be syntax goes to the real parser. Whitespace runs collapse to one
    space, as the Markdown widget does."""
    text = markdown.strip("\n")
    if (not text or text != text.strip() or "\n" in text or "\r" in text
            or _BLOCK_START.match(text) or _MARKDOWN_SYNTAX.search(text)):
        return None
    return " ".join(text.split())


def plain(text: str) -> str:
    """One line of card text for a label (header, deck name): control characters shown."""
    return sanitize(text)
