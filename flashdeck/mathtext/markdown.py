"""Find the math in a markdown string and replace it with its Unicode rendering.

Rules (Obsidian's, which follow Pandoc's):
- `$$…$$` is display math, possibly over several lines. When it stands on its own lines it
  becomes a block (a fenced ```text block in markdown, so a renderer keeps the columns
  aligned; a "math" segment for the TUI). Inside a paragraph (`a $$x$$ b`) it is rendered
  on one line in place, so the paragraph is not torn apart.
- `$…$` is inline math when the opening `$` is not followed by whitespace and the closing
  `$` is not preceded by whitespace nor followed by a digit, and no blank line lies between.
  So "costs $5 and $6" stays as written.
- `\\$` is a literal dollar; fenced code (``` or ~~~) and inline code spans are left alone,
  also a code span that starts after an opening `$`: no `$…$` holds a backtick.
- An unclosed `$$` or `$` is literal text.
- Given a `width`, a display block wider than it is broken at its top-level relations
  (`render.fit_display`); one that is still wider is shown whole, never cut, and said so.
Rendered inline math is escaped for markdown (`*`, `_`, `|`, `[` … get a backslash), so
`2 * 300` or `x_max` cannot turn into emphasis or break a table; pass `escape=False` for
plain-text output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from flashdeck.escaping import escape_markdown
from flashdeck.mathtext.layout import cell_width
from flashdeck.mathtext.render import (fit_display, render_inline, source_block,
                                      source_line)
# the `$` rules, shared with the parser's reading of a note's macros (`flashdeck.texmacros`)
from flashdeck.texmacros import find_backtick_close as _find_backtick_close
from flashdeck.texmacros import find_inline_close as _find_inline_close
from flashdeck.texmacros import find_unescaped as _find_unescaped
from flashdeck.texmacros import run_length as _run_length

# Math source rendered per call (a card), in characters: past it the remaining formulas show
# as their source, so a card holding thousands of formulas still renders at once (each is
# bounded on its own by the budget in `tree`; this bounds their sum). The sample notes' cards
# hold under 300 characters of math.
MAX_CARD_MATH = 1500
_FORMULA_COST = 15  # what one formula costs besides its characters (the tokenizer's set-up)

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# A container prefix: blockquote markers, then optionally one list marker.
_CONTAINER = re.compile(r"^(?P<quote>[ \t]*(?:>[ \t]?)*)(?P<item>[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)?")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)*")


@dataclass(frozen=True)
class Segment:
    """A piece of a card's markdown, for a renderer that shows block math as its own widget.

    kind "markdown": `text` is markdown with its inline math already rendered (escaped).
    kind "math": `text` is the LaTeX source of a display block, `lines` its rendering (equal
    width, ready to print one per line), `indent` the container prefix it sat under
    (e.g. "> " inside a callout) for a renderer that wants to keep the nesting visible.
    """

    kind: Literal["markdown", "math"]
    text: str
    lines: tuple[str, ...] = ()
    indent: str = ""
    overflow: int = 0  # columns by which `lines` are wider than the width asked for


@dataclass(frozen=True)
class _Display:
    source: str
    lines: tuple[str, ...]
    prefix: str  # what stood before `$$` on its line (already emitted as text)
    continuation: str  # the prefix for the following lines (list markers become spaces)
    overflow: int = 0  # see Segment


# Said under a display block that is wider than the width given even once broken at its
# relations (the screen's code block scrolls sideways; nothing of it is cut).
def overflow_note(columns: int) -> str:
    return f"→ {columns} more columns to the right: ← → scroll sideways"


# What a quote level costs a block inside it on the review screen (Textual's blockquote:
# a border column and a padding column each side); a terminal's `▌ ` costs less.
QUOTE_COST = 3


def render_markdown(text: str, escape: bool = True, width: int | None = None,
                    inline_space: str = " ") -> str:
    """Replace the math in a markdown string by its Unicode rendering (see the module doc).

    `width`: the columns a display block has at the top level (inside a quote, less by
    QUOTE_COST a level); a wider block is broken at its relations (`render.fit_display`),
    and one still wider gets a line under its fence saying so (`overflow_note`).
    `inline_space`: the spaces of an inline formula written as this (the review screen
    asks for no-break spaces: a formula in a sentence wraps as one word)."""
    out: list[str] = []
    for piece in _scan(text, escape, width, inline_space):
        if isinstance(piece, str):
            out.append(piece)
            continue
        ticks = "`" * max(3, _longest_backtick_run("\n".join(piece.lines)) + 1)
        block = [f"{ticks}text"] + [line.rstrip() for line in piece.lines] + [ticks]
        out.append(block[0])
        for line in block[1:]:
            out.append("\n" + (piece.continuation + line if line else piece.continuation.rstrip()))
        if piece.overflow:
            note = overflow_note(piece.overflow)
            out.append("\n" + piece.continuation + (escape_markdown(note) if escape else note))
            # a paragraph of its own: a line of text right under the `$$` (no blank line
            # between, as notes often have it) read on after the note, in the same sentence
            out.append("\n" + piece.continuation.rstrip())
    return "".join(out)


def render_plain(text: str, width: int | None = None) -> str:
    """The same replacement for plain terminal output (`flashdeck show` without a markdown
    renderer): display blocks are their bare lines under the container prefix, no fences,
    and nothing is escaped."""
    out: list[str] = []
    for piece in _scan(text, escape=False, width=width):
        if isinstance(piece, str):
            out.append(piece)
            continue
        for k, line in enumerate(piece.lines):
            line = line.rstrip()
            if k:
                out.append("\n" + (piece.continuation + line if line else piece.continuation.rstrip()))
            else:
                out.append(line)
    return "".join(out)


def split_markdown(text: str, escape: bool = True, width: int | None = None) -> list[Segment]:
    """Split markdown into ("markdown", text) and ("math", lines) segments, in order.

    Display blocks on their own lines become math segments; everything else (inline math
    rendered in place) is markdown. Empty markdown pieces between blocks are dropped.
    """
    segments: list[Segment] = []
    buffer: list[str] = []
    pending_newline_strip = False
    for piece in _scan(text, escape, width):
        if isinstance(piece, str):
            if pending_newline_strip and piece.startswith("\n"):
                piece = piece[1:]
            pending_newline_strip = False
            buffer.append(piece)
            continue
        before = "".join(buffer)
        if piece.prefix and before.endswith(piece.prefix):
            before = before[: -len(piece.prefix)]  # the `> ` or `- ` that led into the block
        if before.strip():
            segments.append(Segment("markdown", before))
        buffer = []
        segments.append(Segment("math", piece.source, piece.lines, piece.prefix,
                                piece.overflow))
        pending_newline_strip = True
    rest = "".join(buffer)
    if rest.strip():
        segments.append(Segment("markdown", rest))
    return segments


def _longest_backtick_run(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(r) for r in runs), default=0)


def _scan(text: str, escape: bool, width: int | None = None,
          inline_space: str = " ") -> list[str | _Display]:
    """Walk the text line-wise for code fences, and char-wise in between for math and code."""
    pieces: list[str | _Display] = []
    budget = [MAX_CARD_MATH]
    lines = text.splitlines(keepends=True)
    prose: list[str] = []
    fence: str | None = None
    for line in lines:
        inner = line[len(_QUOTE.match(line).group(0)):] if line.lstrip().startswith(">") else line
        if fence is None:
            m = _FENCE_OPEN.match(inner.rstrip("\r\n"))
            if m and not (m.group("fence")[0] == "`" and "`" in m.group("info")):
                pieces.extend(_scan_prose("".join(prose), escape, budget, width, inline_space))
                prose = []
                fence = m.group("fence")
                pieces.append(line)
                continue
            prose.append(line)
        else:
            pieces.append(line)
            stripped = inner.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = None
    pieces.extend(_scan_prose("".join(prose), escape, budget, width, inline_space))
    return pieces


def _within(budget: list[int], source: str) -> bool:
    """Whether the card's math budget still covers `source` (and spend it)."""
    budget[0] -= len(source) + _FORMULA_COST
    return budget[0] >= 0


def _scan_prose(s: str, escape: bool, budget: list[int], width: int | None = None,
                inline_space: str = " ") -> list[str | _Display]:
    pieces: list[str | _Display] = []
    text: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            text.append(s[i : i + 2])
            i += 2
            continue
        if c == "`":
            run = _run_length(s, i, "`")
            close = _find_backtick_close(s, i + run, run)
            if close < 0:
                text.append(s[i : i + run])
                i += run
            else:
                text.append(s[i : close + run])
                i = close + run
            continue
        if s.startswith("$$", i):
            close = _find_unescaped(s, "$$", i + 2)
            if close < 0:
                text.append("$$")
                i += 2
                continue
            source = s[i + 2 : close]
            line_start = s.rfind("\n", 0, i) + 1
            line_end = s.find("\n", close + 2)
            line_end = n if line_end < 0 else line_end
            prefix = s[line_start:i]
            container = _CONTAINER.match(prefix)
            own_lines = (container is not None and container.end() == len(prefix)
                         and not s[close + 2 : line_end].strip())
            if own_lines:
                quote = container.group("quote") if container else ""
                item = (container.group("item") or "") if container else ""
                continuation = quote + " " * len(item)
                if ">" in quote:
                    source = "\n".join(_QUOTE.sub("", ln, count=1) if k else ln
                                       for k, ln in enumerate(source.split("\n")))
                pieces.append("".join(text))
                text = []
                room = None if width is None else max(
                    width - (cell_width(continuation) - cell_width(quote))
                    - QUOTE_COST * quote.count(">"), 1)
                if _within(budget, source):
                    fit = fit_display(source, room)
                    lines, overflow = fit.lines, fit.overflow
                else:
                    lines = source_block(source)
                    overflow = 0 if room is None else max(
                        0, max(cell_width(ln) for ln in lines) - room)
                pieces.append(_Display(source, tuple(lines), prefix, continuation, overflow))
                i = line_end  # whatever followed `$$` on its line was only whitespace
            else:
                rendered = render_inline(source) if _within(budget, source) else source_line(source)
                if inline_space != " ":
                    rendered = rendered.replace(" ", inline_space)
                text.append(escape_markdown(rendered) if escape else rendered)
                i = close + 2
            continue
        if c == "$":
            close = _find_inline_close(s, i)
            if close < 0:
                text.append("$")
                i += 1
                continue
            source = s[i + 1 : close]
            rendered = render_inline(source) if _within(budget, source) else source_line(source)
            if inline_space != " ":
                rendered = rendered.replace(" ", inline_space)
            text.append(escape_markdown(rendered) if escape else rendered)
            i = close + 1
            continue
        text.append(c)
        i += 1
    pieces.append("".join(text))
    return [p for p in pieces if not (isinstance(p, str) and p == "")]
