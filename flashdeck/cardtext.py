"""A card's text as the reader sees it: one module for `flashdeck show` and the review screen.

Terminal markdown renderers (Rich for `show`, Textual's Markdown widget on the screen) know
CommonMark and tables, but not Obsidian: wiki links, embeds, callouts and `$…$` math would
show as raw syntax. So a card's markdown is rewritten here first, in this order:

1. math becomes Unicode (`flashdeck.mathtext.render_markdown`): it must see the
   LaTeX before anything else touches the `$`s; display math becomes a ```text block, broken
   at its relations when it is wider than the `width` given;
2. Obsidian syntax outside code: `[[target|alias]]` -> its text, `![[x.png]]` -> a labelled
   placeholder `[image: x.png]` (given a `Resolver`, one that says why it cannot be shown,
   or where the file is), `> [!note] Title` -> a bold label `Note: Title` in the quote;
3. terminal control characters are made visible (`textsafe.sanitize`).

The result is only ever given to a markdown renderer, never parsed as Rich/Textual markup;
text the rewrite inserts is backslash-escaped so a file name cannot become markdown either.
Plain text work: no Textual (nor Rich) import here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from flashdeck.escaping import escape_markdown
from flashdeck.render import Lazy, embed_label, image_label, link_text
from flashdeck.textsafe import sanitize

if TYPE_CHECKING:
    from flashdeck.notes.embeds import Embed, Resolver

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_EMBED = re.compile(r"!\[\[([^\[\]\n]+?)\]\]")
_WIKI = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
# `![alt](path.png)`, `![alt](<a path with spaces.png> "title")`: group 2 the path as written
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\(\s*(<[^<>\n]*>|[^()\s<>]*)(?:\s+\"[^\"]*\")?\s*\)")
# `> [!faq|wide]-`: what follows a `|` is the callout's styling (Obsidian's metadata)
_CALLOUT = re.compile(r"^(\s*(?:>\s*)+)\[!([A-Za-z][\w-]*)(?:\|[^\]\n]*)?\]([+-]?)[ \t]*(.*)$")

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


def render_math(markdown: str, width: int | None = None, inline_space: str = " ") -> str:
    """LaTeX math as Unicode (`mathtext.render_markdown`): display math as aligned ```text
    blocks, broken at their relations when wider than `width` columns (None: as wide as
    they are).

    Math is always delimited by `$`, so text without one skips the math module's import
    (it costs the first card's start-up time for nothing)."""
    if "$" not in markdown:
        return markdown
    from flashdeck.mathtext import render_markdown  # ~55 ms: only for a card with math

    return render_markdown(markdown, width=width, inline_space=inline_space)


class Labels(NamedTuple):
    """How embeds read in the text: resolved by `resolver` (None: named as written), with
    their resolved path when `with_paths` (`flashdeck show`)."""

    resolver: Resolver | None = None
    with_paths: bool = False
    # raw HTML left as written, for a renderer that shows it as text (the Anki export
    # escapes it); else its tags read as their text (terminal renderers drop raw HTML)
    keep_html: bool = False

    def wiki(self, target: str) -> str:
        if self.resolver is None:
            return embed_label(target)
        return self.resolver.wiki(target).label(self.with_paths)

    def image(self, alt: str, src: str) -> str:
        if self.resolver is None:
            return image_label(alt, src.removeprefix("<").removesuffix(">"))
        return self.resolver.markdown(alt, src).label(self.with_paths)


_AS_WRITTEN = Labels()


def _inline(text: str, labels: Labels = _AS_WRITTEN) -> str:
    """Obsidian's inline syntax, outside code spans."""
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_inline_plain(text[last:match.start()], labels))
        out.append(match.group(0))
        last = match.end()
    out.append(_inline_plain(text[last:], labels))
    return "".join(out)


def _inline_plain(text: str, labels: Labels = _AS_WRITTEN) -> str:
    text = _EMBED.sub(lambda m: escape_markdown(labels.wiki(m.group(1))), text)
    text = _IMAGE.sub(lambda m: escape_markdown(labels.image(m.group(1), m.group(2))), text)
    if "<" in text and not labels.keep_html and _BREAK not in text:
        text = _html_text(text, labels)
    if "[^" in text:  # a footnote: no renderer here knows them, so `[1]` as text
        text = _FOOTNOTE.sub(lambda m: escape_markdown(f"[{m.group(1)}]"), text)
    if "^[" in text:  # Obsidian's inline footnote `word^[a note]` reads `word (a note)`
        text = _INLINE_FOOTNOTE.sub(r" (\1)", text)
    return _WIKI.sub(lambda m: escape_markdown(link_text(m.group(1))), text)


# a footnote reference `[^1]`, or its definition `[^1]: text` (read as a link reference
# definition, a definition holding a URL would vanish): both read `[1]`
# (a label holds no bracket and is bounded: `[^[^[^…` costs one pass, not one per `[^`)
_FOOTNOTE = Lazy(r"\[\^([^\[\]\s]{1,200})\]")
_INLINE_FOOTNOTE = Lazy(r"\^\[([^\[\]\n]+)\]")


# An HTML tag (CommonMark's open or closing tag). Renderers drop raw HTML, and a line that
# starts with a tag makes its whole paragraph an HTML block, dropped with its text
# (`<details><summary>More</summary>` … `</details>`): so tags become their text here.
_HTML_TAG = Lazy(
    r"</?([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*)\s*/?>")
_HTML_ATTR = Lazy(r"""([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
# tags that end a line of text where they stand (a line break, a block of its own)
_HTML_BREAKS = frozenset({
    "br", "hr", "p", "div", "li", "tr", "td", "th", "details", "summary", "table", "ul", "ol",
    "blockquote", "pre", "section", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "center"})
_BREAK = "\x00"  # a line break in `_html_text`'s result, made one by `_breaks`


def _html_text(text: str, labels: Labels) -> str:
    """A piece of a line with its HTML tags as text: an `<img>` its label, a block tag or
    `<br>` a line break, any other tag nothing (its content stays)."""
    def tag(m: re.Match) -> str:
        name = m.group(1).lower()
        if name == "img" and not m.group(0).startswith("</"):
            attrs = {a.group(1).lower(): next(v for v in a.group(2, 3, 4) if v is not None)
                     for a in _HTML_ATTR.finditer(m.group(2))}
            return escape_markdown(labels.image(attrs.get("alt", ""), attrs.get("src", "")))
        return _BREAK if name in _HTML_BREAKS else ""

    return _HTML_TAG.sub(tag, text)


def _breaks(line: str) -> str:
    """The line breaks `_html_text` left in a line, as hard breaks inside its quote."""
    prefix = re.match(r"[ \t]*(?:>[ \t]*)*", line).group(0)  # type: ignore[union-attr]
    body = line[len(prefix):]
    pieces = [p.strip() for p in body.split(_BREAK)]
    kept = [p for p in pieces if p]
    if not kept:
        return prefix.rstrip()
    quote = prefix.strip()
    return prefix + ("\\\n" + (quote + " " if quote else "")).join(kept)


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


def _fenced(fence: str | None, line: str, marks: str) -> tuple[str | None, str]:
    """One line of a walk through markdown: the fence open after it (None: none), and what
    the line is: "code" (in a fenced block, or its closing fence), "opens" (an opening
    fence) or "text". `marks`: what may stand before a fence (quote markers)."""
    opening = _FENCE.match(line.lstrip(marks))
    if fence is not None:
        closes = opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence)
        return (None if closes else fence), "code"
    if opening:
        return opening.group(1), "opens"
    return None, "text"


def obsidian_to_markdown(markdown: str, labels: Labels = _AS_WRITTEN,
                         line_breaks: bool = True) -> str:
    """Rewrite wiki links, embeds and callouts into plain CommonMark (code left alone);
    embeds read as `labels` has them; a note's line breaks kept (`_line_breaks`) unless
    `line_breaks` is False (an exercise's text, whose template lines are wrapped prose)."""
    lines = markdown.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        fence, kind = _fenced(fence, line, "> ")
        if kind != "text":
            continue
        callout = _callout(line)
        lines[i] = callout if callout is not None else _inline(line, labels)
        if _BREAK in lines[i] and _BREAK not in line:
            lines[i] = _breaks(lines[i])
    joined = "\n".join(lines)
    return _line_breaks(joined) if line_breaks else joined


_QUOTE_PREFIX = Lazy(r"[ \t]*(?:>[ \t]*)*")


def _line_breaks(markdown: str) -> str:
    """Each line break inside a paragraph kept as a line break, as Obsidian shows it (its
    "strict line breaks" is off by default) and as the Anki cards are written: a conjugation
    written one form a line, a quote and its attribution, a two-line front read as two lines,
    not run together into one. A line with text followed by another ends in two spaces (a hard
    break in a paragraph; nothing where a block ends, a heading or a table row); code is left
    alone, and a line already ending in a hard break."""
    if "\n" not in markdown:
        return markdown
    lines = markdown.split("\n")
    fence: str | None = None
    kinds = []
    for line in lines:
        fence, kind = _fenced(fence, line, "> ")
        kinds.append(kind)
    for i in range(len(lines) - 1):
        line = lines[i]
        if kinds[i] != "text" or kinds[i + 1] != "text" or line.endswith(("\\", "  ")):
            continue
        if (len(_QUOTE_PREFIX.match(line).group(0)) == len(line)  # type: ignore[union-attr]
                or not lines[i + 1][len(_QUOTE_PREFIX.match(lines[i + 1]).group(0)):].strip()):  # type: ignore[union-attr]
            continue
        lines[i] = line.rstrip(" \t") + "  "
    return "\n".join(lines)


def prepare(markdown: str, width: int | None = None, labels: Labels = _AS_WRITTEN,
            table_width: int | None = None, line_breaks: bool = True,
            inline_space: str = " ") -> str:
    """Card markdown, made ready and safe for a markdown renderer; display math fitted to
    `width` columns (the width a block has at the top level), tables to `table_width` (by
    default `width`: see `fit_tables`); `line_breaks`: see `obsidian_to_markdown`;
    `inline_space`: see `mathtext.render_markdown`."""
    shown = cap_nesting(obsidian_to_markdown(render_math(markdown, width, inline_space), labels,
                                             line_breaks))
    return sanitize(fit_tables(shown, width if table_width is None else table_width))


# -- images that stand on their own line: drawn, not labelled (the review screen) ------------
# (patterns, compiled on first use by `re`'s cache: only a card with an embed needs them,
# and the first card on screen does not wait for their compilation)
_IMAGE_LINE = r"^[ \t]*(?:(?:!\[\[[^\[\]\n]+?\]\]|" + _IMAGE.pattern + r")[ \t]*)+$"
_LINE_EMBED = r"!\[\[([^\[\]\n]+?)\]\]|" + _IMAGE.pattern
MAX_IMAGES = 20  # drawn per card side; any more read as labels
CAPPED_IMAGES = (f"More images than the {MAX_IMAGES} drawn on a card: the rest are named, "
                 "not drawn.")


def has_embed(markdown: str) -> bool:
    """Whether the text may hold an embed (cheap: the review screen's common case has none)."""
    return "![" in markdown


def image_blocks(markdown: str, resolver: Resolver) -> Iterator[str | Embed]:
    """The card's markdown in order: its text, and each image that stands on a line of its
    own at the top level (outside code, quotes and lists) as the resolved `Embed`. An
    image inside a paragraph, quote or list reads as a label in the text."""
    lines = markdown.split("\n")
    fence: str | None = None
    chunk: list[str] = []
    drawn = 0
    capped = False
    image_line, line_embed = re.compile(_IMAGE_LINE), re.compile(_LINE_EMBED)
    for line in lines:
        fence, kind = _fenced(fence, line, "> ")
        if kind != "text":
            pass  # code: shown as it is
        elif drawn >= MAX_IMAGES and not capped and not line.startswith("    ") \
                and image_line.match(line):
            # the images past the cap read as labels: said once, where they start
            capped = True
            chunk.extend(["", f"*{escape_markdown(CAPPED_IMAGES)}*", ""])
        elif drawn < MAX_IMAGES and not line.startswith("    ") and image_line.match(line):
            if chunk:
                yield "\n".join(chunk)
                chunk = []
            for match in line_embed.finditer(line):
                if drawn >= MAX_IMAGES:  # the rest of the line read as labels (were lost)
                    capped = True
                    chunk.extend(["", f"*{escape_markdown(CAPPED_IMAGES)}*", "",
                                  line[match.start():]])
                    break
                drawn += 1
                wiki, alt, src = match.group(1), match.group(2), match.group(3)
                yield resolver.wiki(wiki) if wiki is not None else resolver.markdown(alt, src)
            continue
        chunk.append(line)
    if chunk:
        yield "\n".join(chunk)


# -- tables wider than the panel: split into column groups ----------------------------------
# A markdown table is drawn by the renderer at the panel's width: past what its columns need
# at the least (their longest words), Textual's table folds numbers across lines (`907` as
# `90`/`7`) and Rich's squeezes its columns to nothing (a 200-column table printed as a
# blank line). So a table whose columns cannot fit is written as several tables, each with
# the first column (the rows' names) and as many of the next columns as fit, under a line
# naming the columns it holds: every cell reads whole, at any width. The work is one pass
# over the lines, each cell measured once.

TABLE_COLUMN_COST = 3  # what a column costs besides its text: a border and a space each side
RICH_COLUMN_COST = 2  # ... in `flashdeck show` (Rich): two spaces between columns
TABLE_EDGE_COST = 1  # the table's closing border
TABLE_WORD_ROOM = 24  # a column of long text is given this much and wraps within it
MAX_TABLE_COLUMNS = 1000  # a row of more cells is left as written (the renderer's to draw)
MIN_SPLIT_COLUMNS = 4  # fewer: a group would be the first column and one more, little gained

_TABLE_DELIMITER_CELL = Lazy(r"^\s*:?-+:?\s*$")
_TABLE_QUOTE = Lazy(r"^[ \t]{0,3}(?:>[ \t]?)*")
_CELL_MARKUP = Lazy(r"\\(.)|\*\*|__|~~|==|[*_`]|\[([^\[\]]*)\]\([^()\s]*\)")
_CELL_MARKUP_START = Lazy(r"[\\*_~=`\[]")  # where a `_CELL_MARKUP` match can begin


def _table_cells(row: str) -> list[str] | None:
    """A table row's cells (GFM: split at each `|` not escaped by a backslash, the outer
    pipes optional), or None for a line that holds no cell boundary."""
    if "\\" not in row:  # nothing escaped: every `|` is a boundary
        if "|" not in row:
            return None
        cells = row.split("|")
        if not cells[0].strip():
            cells.pop(0)
        if cells and not cells[-1].strip():
            cells.pop()
        return [cell.strip() for cell in cells]
    cells: list[str] = []
    start = i = 0
    n = len(row)
    while i < n:
        c = row[i]
        if c == "\\":
            i += 2
            continue
        if c == "|":
            cells.append(row[start:i])
            start = i + 1
        i += 1
    if not cells:
        return None
    cells.append(row[start:])
    if not cells[0].strip():
        cells.pop(0)
    if cells and not cells[-1].strip():
        cells.pop()
    return [cell.strip() for cell in cells]


def _shown_width(cell: str) -> tuple[int, int]:
    """(the cell's width as shown, its longest word's): markdown markers not counted."""
    from rich.cells import cell_len  # only for a card holding a table

    if cell.isascii() and cell.isprintable() and not _CELL_MARKUP_START.search(cell):
        # most cells (a number, a word): one cell a character, no markers
        return len(cell), max(map(len, cell.split()), default=0) if " " in cell else len(cell)
    text = _CELL_MARKUP.sub(lambda m: m.group(1) or m.group(2) or "", cell)
    return cell_len(text), max((cell_len(word) for word in text.split()), default=0)


def _in_quote(line: str, prefix: str) -> str | None:
    """`line` without its indent and quote markers when it is at `prefix`'s quote level,
    else None."""
    own = _TABLE_QUOTE.match(line).group(0)  # type: ignore[union-attr]
    return line[len(own):] if own.count(">") == prefix.count(">") else None


def _split_table(prefix: str, rows: list[list[str]], delimiters: list[str],
                 room: int, cost: int) -> list[str] | None:
    """The table's lines as column groups that fit `room` columns (a group is at least the
    first column and one more, however wide), or None when its columns fit as they are or
    it has too few to split."""
    count = len(delimiters)
    rows = [(row + [""] * count)[:count] for row in rows]
    natural = [0] * count
    least = [0] * count
    for row in rows:
        for k, cell in enumerate(row):
            shown, word = _shown_width(cell)
            natural[k] = max(natural[k], shown)
            least[k] = max(least[k], word)
    if count < MIN_SPLIT_COLUMNS or sum(least) + cost * count + TABLE_EDGE_COST <= room:
        return None
    need = [min(natural[k], max(least[k], TABLE_WORD_ROOM)) + cost
            for k in range(count)]
    groups: list[list[int]] = []
    used = room  # start a group at once
    for k in range(1, count):
        if groups and used + need[k] <= room:
            groups[-1].append(k)
            used += need[k]
        else:
            groups.append([k])
            used = TABLE_EDGE_COST + need[0] + need[k]
    if len(groups) < 2:
        return None
    lines: list[str] = []
    quote = prefix.rstrip()
    for group in groups:
        columns = [0, *group]
        first, last = group[0] + 1, group[-1] + 1
        span = f"{first}" if first == last else f"{first}–{last}"
        # a blank line before each label: a table may follow a line of text directly, and
        # the label would read on from it (`And a table: Columns 1–10 of 11:`)
        lines.append(quote)
        shown = f"1–{last}" if first == 2 else f"1, {span}"
        lines.append(f"{prefix}*Columns {shown} of {count}:*")
        lines.append(quote)
        for r, row in enumerate(rows):
            cells = [row[k] for k in columns]
            lines.append(f"{prefix}| " + " | ".join(cells) + " |")
            if r == 0:
                lines.append(f"{prefix}|" + "|".join(delimiters[k] for k in columns) + "|")
    return lines


def fit_tables(markdown: str, room: int | None, column_cost: int = TABLE_COLUMN_COST) -> str:
    """Each table of `markdown` whose columns cannot fit in `room` columns (inside a quote,
    QUOTE_COST less a level) split into column groups that do (see above); the rest as is.
    `column_cost`: what the renderer draws around a column's text (the review screen's
    borders and padding by default; Rich, for `show`, puts two spaces between columns).
    Code blocks are left alone."""
    if room is None or "|" not in markdown:
        return markdown
    lines = markdown.split("\n")
    out: list[str] = []
    fence: str | None = None
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        fence, kind = _fenced(fence, line, "> ")
        if kind != "text":
            out.append(line)
            i += 1
            continue
        prefix = _TABLE_QUOTE.match(line).group(0)  # type: ignore[union-attr]
        header = _table_cells(line[len(prefix):]) if "|" in line and i + 1 < n else None
        # each line of a table has its own indent (up to 3 spaces) and space after a `>`:
        # only its quote level must be the header's
        below = _in_quote(lines[i + 1], prefix) if header else None
        delimiters = _table_cells(below) if below is not None else None
        if not (header and delimiters and len(delimiters) == len(header)
                and len(header) <= MAX_TABLE_COLUMNS
                and all(_TABLE_DELIMITER_CELL.match(cell) for cell in delimiters)):
            out.append(line)
            i += 1
            continue
        end = i + 2
        rows = [header]
        while end < n:
            row = _in_quote(lines[end], prefix)
            cells = _table_cells(row) if row is not None and row.strip() else None
            if cells is None:
                break
            rows.append(cells)
            end += 1
        quotes = prefix.count(">")
        if quotes:  # what a quote level costs on screen (the math module: only for these)
            from flashdeck.mathtext.markdown import QUOTE_COST
        split = _split_table(prefix, rows, delimiters,
                             room - (QUOTE_COST * quotes if quotes else 0), column_cost)
        out.extend(split if split is not None else lines[i:end])
        i = end
    return "\n".join(out)


# -- nesting deeper than the renderers parse ---------------------------------------------------
# markdown-it (Textual's Markdown widget and Rich's, for `show`) stops at 20 levels of nested
# blocks, and drops what is deeper and, for a list, the rest of the card with it: a list
# nested ten deep lost its last items and every line after it. So a list item or a quote
# nested deeper than they can show is written at the deepest level they do: its text stays.

MAX_QUOTE_DEPTH = 12  # `>` markers kept on a line (each costs the parser a level)
MAX_NESTING_COST = 16  # columns of list indentation, less one a quote level: see below
_NESTED_LINE = Lazy(r"^((?:[ \t]*>)*)([ \t]*)((?:[-*+]|\d{1,9}[.)])(?:[ \t]|$))?")


def cap_nesting(markdown: str) -> str:
    """The list items indented, and the quotes nested, deeper than markdown-it parses moved
    up to the deepest level it does (see above); code blocks left alone. A list level costs
    the parser two levels and is indented at least two columns, a quote level one: capping
    a list item's indentation at 16 columns less one per quote level around it keeps every
    line within its 20 levels (a paragraph takes the last)."""
    if "\n" not in markdown:
        return markdown
    lines = markdown.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        fence, kind = _fenced(fence, line, "> \t")
        if kind == "code":
            continue
        match = _NESTED_LINE.match(line)
        quotes, indent, item = match.group(1), match.group(2), match.group(3)
        depth = quotes.count(">")
        if depth > MAX_QUOTE_DEPTH:
            quotes = "> " * MAX_QUOTE_DEPTH
        room = max(0, MAX_NESTING_COST - min(depth, MAX_QUOTE_DEPTH)) & ~1
        if item is not None and len(indent.expandtabs(4)) > room:
            indent = " " * room
        elif depth <= MAX_QUOTE_DEPTH:
            continue
        lines[i] = quotes + indent + line[match.end(2):]
    return "\n".join(lines)
