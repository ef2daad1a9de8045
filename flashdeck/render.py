"""What a card shows, as markdown, shared by `flashdeck show` and the review screen.

The card's text is untrusted: it is only ever handed to a markdown renderer (never parsed
as Rich/Textual markup) and terminal control characters are made visible first.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from flashdeck.notes.links import link_text, note_embed_name, unescape_pipe
from flashdeck.notes.names import singular
from flashdeck.textsafe import sanitize

if TYPE_CHECKING:
    from collections.abc import Iterator

# A cloze card's back marks its asked deletions `==x==`; a `==` in code, math, a link or
# a URL (`?id=YWJj==`), or an escaped one, is text there (as when the card was parsed).
_TEXT_OR_OPENER = re.compile(
    r"`+[^`]*`+|\$\$.*?\$\$|\$[^$\n]+\$|\\.|\[\[[^\[\]\n]*\]\]|\]\(<?[^\s()<>]*"
    r"|\b(?:https?|ftp)://[^\s<>]*|==", re.S)
_MAX_ANSWER = 4002  # as long as the parser's deletions


def _cloze_answers(back: str) -> list[tuple[int, int]]:
    """Where the asked deletions `==x==` of a cloze back are, markers included: each `==`
    before a non-space takes the first `==` after a non-space on its line (at most
    _MAX_ANSWER characters on), as `(?=\\S)(.{1,4002}?)(?<=\\S)==` would, but in time linear
    in the back: a 400 kB back of unclosed `==a ` took 16 s to show."""
    closers: list[int] = []
    c = back.find("==", 1)
    while c != -1:
        if not back[c - 1].isspace():
            closers.append(c)
        c = back.find("==", c + 1)
    found: list[tuple[int, int]] = []
    pos = 0
    while closers and (m := _TEXT_OR_OPENER.search(back, pos)) is not None:
        start = m.start()
        pos = m.end()
        if m.group() != "==":
            continue  # code, math, a link, an escape: text
        first = start + 2
        if first < len(back) and not back[first].isspace():
            k = bisect_left(closers, first + 1)
            if k < len(closers):
                end = closers[k]
                if end - first <= _MAX_ANSWER and back.find("\n", first, end) == -1:
                    found.append((start, end + 2))
                    pos = end + 2
                    continue
        pos = start + 1  # `===x==`: the next `=` may open one
    return found


def mark_cloze_answers(back: str, opening: str, closing: str) -> str:
    """A cloze back with each asked deletion `==x==` written `{opening}x{closing}`."""
    if "==" not in back:
        return back
    out: list[str] = []
    last = 0
    for start, end in _cloze_answers(back):
        out += [back[last:start], opening, back[start + 2:end - 2], closing]
        last = end
    out.append(back[last:])
    return "".join(out)

CRUMB_SEPARATOR = " › "  # how the collection joins a card's headings (column `breadcrumb`)


def header(card, *, answered: bool = False) -> str:
    """`deck · Note title › Heading › Sub`: where the card comes from, as it reads (math
    rendered, markdown syntax dropped: see `breadcrumb_text`). Plain text, never markup.

    The header is shown with the front, so a title or heading that states the card's answer
    shows as `…` (`## Sensitivity` above `Recall is also called ==sensitivity==`, the title
    `Harmonic Mean` above `What do we average rates with?::the harmonic mean`). One that
    only takes part in the answer stays: the front may need it (`Other name?::Sørensen–Dice
    coefficient` in `Dice Coefficient`). `answered`: shown with the answer: all of it."""
    trail = CRUMB_SEPARATOR.join(
        part for part in (breadcrumb_text(card.note_title), breadcrumb_text(card.breadcrumb))
        if part)
    answers = _answer_words(card) if trail and not answered else ()
    if answers:
        trail = CRUMB_SEPARATOR.join(
            _ELLIPSIS if any(a in f" {_words(part)} " for a in answers) else part
            for part in trail.split(CRUMB_SEPARATOR))
    return f"{card.deck} · {trail}" if trail else card.deck


_WORD = re.compile(r"\w+")
# the back is the answer; or, of a question (a heading or callout that asks), an explanation
# that no heading holds whole, or a one-line answer one may (`## RMSProp` over `> [!question]
# Which optimizer divides by a running RMS?` answered `RMSProp`)
_ANSWERED_KINDS = frozenset({"basic", "reversed", "summary", "aliases", "question"})
_ARTICLE = re.compile(r"^(?:the|an?) (?=.)")  # `the harmonic mean` is stated by `Harmonic Mean`
_MAX_COMPARED_LINES = 40  # lines of an answer compared with the headings


def _words(text: str) -> str:
    """Text as it reads (markup dropped), word by word, plural endings aside: `TP / (TP +
    FP)` and `tp tp fp` read the same. Bounded: a few dozen lines, each cut by
    `inline_text`. A line with math is compared as written: rendering it would load the
    math module before the first card."""
    lines = (text or "").splitlines()[:_MAX_COMPARED_LINES]
    read = (line[:MAX_CRUMB_SOURCE] if "$" in line else inline_text(line) for line in lines)
    # a plural ending aside: `## Priors and posteriors` states a `==prior==` cloze's answer
    return " ".join(map(singular, _WORD.findall(" ".join(read).casefold())))


def _answer_words(card) -> tuple[str, ...]:
    """The card's answers, as ` word word ` without a leading article: a cloze's asked
    deletions, the back of a card whose back is its answer or a question's (a formula's back
    is the formula, redacted from headings when the note is read)."""
    kind, back = getattr(card, "kind", ""), getattr(card, "back", "") or ""
    if kind == "cloze":
        answers = [back[start + 2:end - 2] for start, end in _cloze_answers(back)]
    elif kind in _ANSWERED_KINDS:
        answers = [back]
    else:
        return ()
    keys = (_ARTICLE.sub("", words) for words in map(_words, answers))
    return tuple(f" {key} " for key in keys if key)


def exercise_seed(card) -> int:
    """A different instance for every review of an exercise card, reproducible for `show`."""
    return card.id * 7919 + card.reps


def front_markdown(card, seed: int | None = None) -> str:
    if card.kind == "exercise":
        instance = exercise_instance(card, seed)
        parts = [instance.prompt]
        if instance.grid is not None:
            from flashdeck.exercises import grid_text  # ~8 ms: exercise cards only

            parts.append("```text\n" + "\n".join(grid_text(instance.grid)) + "\n```")
        return "\n\n".join(parts)
    return card.front


def back_markdown(card, seed: int | None = None, *, highlight: str = "**") -> str:
    """The answer side. Cloze answers (`==x==`) are shown emphasised (`highlight` marks)."""
    if card.kind == "exercise":
        from flashdeck.exercises.text import instance_answer_text  # ~8 ms: exercises only

        instance = exercise_instance(card, seed)
        steps = "\n".join(f"    {step}" for step in instance.steps)
        # one rounding rule: the answer is named as the working names it ("15", never "15 (15)")
        return f"**Answer: {instance_answer_text(instance)}**\n\n{steps}"
    if card.kind == "cloze":
        return mark_cloze_answers(card.back, highlight, highlight)
    return card.back


def exercise_instance(card, seed: int | None = None):
    from flashdeck.exercises import instantiate, template_for_card  # ~8 ms: exercises only

    template = template_for_card(card.exercise, card.back)
    return instantiate(template, exercise_seed(card) if seed is None else seed)


def card_parts(card, answer: bool, seed: int | None = None) -> list[str]:
    """The card's markdown: the front, and the rule and the answer below it, each part
    sanitized, math still as LaTeX."""
    parts = [front_markdown(card, seed)]
    if answer:
        parts.append("---")
        parts.append(back_markdown(card, seed))
    return [sanitize(part) for part in parts]


def _segments(parts: list[str], width: int) -> list:
    """The math and markdown segments of a card's parts, each part split on its own (a
    `$$` left open in the question never pairs with one in the answer, swallowing the rule
    and the answer between them as math); markdown running on across parts is joined,
    drawn as one document as before."""
    from dataclasses import replace

    from flashdeck.mathtext import split_markdown  # ~55 ms: `show` only, not `list`

    out: list = []
    for part in parts:
        for segment in split_markdown(part, width=width):
            if out and segment.kind == "markdown" and out[-1].kind == "markdown":
                out[-1] = replace(out[-1], text=out[-1].text + "\n\n" + segment.text)
            else:
                out.append(segment)
    return out


def card_has_embed(card) -> bool:
    return card.kind != "exercise" and ("![" in card.front or "![" in card.back)


def note_resolver(col, card):
    """What finds `card`'s embedded images: a `flashdeck.notes.embeds.Resolver` for its
    note in the vault it was imported from (the nearest folder above the imported path
    with `.obsidian` or `.flashdeck.toml`, else that folder), or None for a card without
    an embed (no query, no import)."""
    if not card_has_embed(card) or card.source_missing:  # no vault known to look in
        return None
    from flashdeck.collection.lookups import card_source_path
    from flashdeck.collection.sources import find_vault_root
    from flashdeck.notes.embeds import Resolver

    source = card_source_path(col, card.id)
    root = find_vault_root(Path(source)) if source else Path(card.note).parent
    return Resolver(root, card.note)


def print_card(card, answer: bool = False, seed: int | None = None, file=None,
               width: int | None = None, resolver=None) -> None:
    """Print a card as the review screen shows it, for a terminal or a pipe.

    The same text as the screen (`cardtext`: math as Unicode, callouts as labelled quotes,
    wiki links as their text, embeds as `[image: x.png]` — given a `resolver`, with the
    image's path in the vault or why it cannot be shown — cloze answers highlighted), its
    markdown drawn by Rich in `width` columns (default: the terminal's, else 80); display
    math as its own unwrapped block (a wrapped stacked fraction is unreadable), broken at its
    relations to fit the width. No line ends in padding; plain text (no escapes) when `file`
    is not a terminal."""
    if _print_plain(card, answer, seed, file or sys.stdout, width):
        return
    from rich.console import Console  # Rich and markdown-it: not for a plain one-liner
    from rich.markdown import Markdown
    from rich.segment import Segment, Segments
    from rich.text import Text
    from rich.theme import Theme

    from flashdeck.cardtext import (RICH_COLUMN_COST, Labels, cap_nesting,  # a cycle
                                    fit_tables, has_embed, image_blocks, obsidian_to_markdown)
    from flashdeck.escaping import escape_markdown
    # a cloze's answers are its strong text: highlighted as on the review screen
    theme = Theme({"markdown.strong": "bold reverse"}) if card.kind == "cloze" else None
    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # `flashdeck show 5 | head -1`: Rich's own handling exits 1 (read as "some
            # input failed"); the CLI's is every other command's: the reader went away, 0
            raise BrokenPipeError

    console = _Console(file=file or sys.stdout, width=width, highlight=False, markup=False,
                       emoji=False, theme=theme)
    width = console.width

    def emit(lines) -> None:
        for line in lines:
            segments = [seg for seg in line if not seg.control]
            while segments and not segments[-1].text.strip():
                segments.pop()
            if segments:
                last = segments[-1]
                segments[-1] = Segment(last.text.rstrip(), last.style)
            segments.append(Segment.line())
            console.print(Segments(segments), crop=False, soft_wrap=True, end="")

    def draw(renderable) -> None:
        emit(console.render_lines(renderable, console.options, pad=False))

    labels = Labels(resolver, with_paths=True)
    draw(Text(sanitize(f"#{card.id}  {header(card, answered=answer)}"), style="dim"))
    if card.suspended:
        draw(Text("(suspended)", style="dim"))
    console.print()
    for segment in _segments(card_parts(card, answer, seed), max(width - 2, 1)):
        if segment.kind == "math":
            lead = _shown_prefix(segment.indent) + "  "  # inside its quote, indented
            emit([[Segment(lead + line)] for line in segment.lines])
            if segment.overflow:
                draw(Text(f"{lead}→ {segment.overflow} columns wider than {width}; "
                          f"a wider terminal or --width shows it unwrapped", style="dim"))
            console.print()
        else:
            text = segment.text
            if resolver is not None and has_embed(text):
                # an image on a line of its own is a block of its own, as the review screen
                # draws it (its label read on into the next line of text)
                text = "\n\n".join(
                    part if isinstance(part, str) else escape_markdown(part.label(True))
                    for part in image_blocks(text, resolver))
            # a table too wide for the width: in column groups that fit (Rich squeezed a
            # 200-column table to a blank line); sanitized again, as the labels name files
            # from the disk (a folder named with a terminal escape)
            text = obsidian_to_markdown(text, labels, line_breaks=card.kind != "exercise")
            shown = sanitize(fit_tables(cap_nesting(text), width, RICH_COLUMN_COST))
            draw(Markdown(shown, code_theme="ansi_dark", hyperlinks=False))


def _print_plain(card, answer: bool, seed: int | None, file, width: int | None) -> bool:
    """Print a card without Rich and markdown-it (~60 ms of imports: `flashdeck next` runs
    against `python -c pass`) when the output is a pipe or a file (no styles) and what Rich
    would draw is certain: a question side that is one short line of inline markup read as
    markdown-it reads it (`inline.inline_paragraph`, the review screen's own fast path; Rich
    draws its text, unstyled in a pipe), of one-column characters, under a short header.
    Anything else, False: Rich draws it."""
    if answer or card.kind == "exercise" or card.suspended:
        return False
    try:
        if file.isatty():
            return False
    except (AttributeError, ValueError):  # no isatty, or closed: Rich decides
        return False
    from flashdeck.inline import inline_paragraph

    columns = width or 80
    head = sanitize(f"#{card.id}  {header(card)}")
    source = sanitize(card.front)  # as written: indented is code
    # Rich keeps a run of spaces the review screen's widget collapses: left to Rich
    shown = None if "  " in source or "\t" in source else inline_paragraph(source)
    if shown is None or len(head) > columns or not _narrow(head):
        return False
    text = shown[0]
    # a code span of spaces (`` ` ` ``) at an end: Rich trims the line's ends, left to it
    if not text.strip() or text != text.strip() or len(text) > columns or not _narrow(text):
        return False
    file.write(f"{head.rstrip()}\n\n{text}\n")
    return True


def _narrow(text: str) -> bool:
    """Each character one terminal column (no wide East Asian ones, no combining marks)."""
    return text.isascii() or not any(
        unicodedata.east_asian_width(ch) in ("W", "F") or unicodedata.combining(ch)
        or unicodedata.category(ch) in ("Cc", "Cf", "Mn", "Me") for ch in text)


def _shown_prefix(prefix: str) -> str:
    """A display block's container prefix as Rich draws containers: `> ` as `▌ `, a list
    marker as a bullet."""
    out = []
    for ch in prefix:
        out.append("▌" if ch == ">" else "•" if ch in "-*+" else " " if ch == "\t" else ch)
    return "".join(out)


# -- breadcrumbs: one line of heading source as it reads ----------------------------------------
# A card's breadcrumb is stored as its headings' markdown source, and a note title may hold
# markdown too (`title: $\beta$-VAE`). Shown as written they read `Why use $\beta > \alpha$ for
# *lesion* segmentation?`; shown here they read `Why use β > α for lesion segmentation?`.
# Headings are untrusted and may be huge (a 1 MB heading) or malformed (unbalanced `$`, `*`,
# backticks): the work is bounded by reading at most MAX_CRUMB_SOURCE characters of a heading
# (the rest is shown as `…`), every step below is a single left-to-right pass, and any failure
# falls back to the source as written. Nothing here imports Textual or parses Rich markup.

MAX_CRUMB_SOURCE = 500  # characters of one heading read; a longer one is cut and shown with `…`
MAX_TRAIL_SOURCE = 4 * MAX_CRUMB_SOURCE  # characters of a whole breadcrumb read
_ELLIPSIS = "…"

# Any of these may start inline syntax; a line without one is shown as it is (the common case,
# and it keeps the math module and its LaTeX tokenizer unimported).
_INLINE_SYNTAX = re.compile(r"[\\`*_~=\[<&$]")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


class Lazy:
    """A pattern compiled on its first use: most headings hold no link, tag or entity, and
    compiling them all costs every `review` start ~1.5 ms before the first card. The same
    for `flashdeck.cardtext`'s patterns of footnotes, HTML, tables and nested lists, which a
    plain first card never needs."""

    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source, self._flags, self._compiled = source, flags, None

    @property
    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled

    @property
    def pattern(self) -> str:
        return self._source

    def match(self, text: str, *bounds: int) -> re.Match | None:
        return self.compiled.match(text, *bounds)

    def fullmatch(self, text: str, *bounds: int) -> re.Match | None:
        return self.compiled.fullmatch(text, *bounds)

    def search(self, text: str, *bounds: int) -> re.Match | None:
        return self.compiled.search(text, *bounds)

    def finditer(self, text: str, *bounds: int) -> Iterator[re.Match]:
        return self.compiled.finditer(text, *bounds)

    def sub(self, replacement, text: str, count: int = 0) -> str:
        return self.compiled.sub(replacement, text, count)


# `[text](url "title")`; the text holds no unescaped bracket (an inner link wins, as in
# CommonMark), the url no space or parenthesis.
_LINK = Lazy(r"\[((?:[^\[\]\\]|\\.)*)\]\(\s*(?:<[^<>]*>|[^\s()<>]*)"
              r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)")
_IMAGE = Lazy(r"!\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?([^\s()<>]*)>?"
                    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)")
_WIKI = Lazy(r"(!?)\[\[([^\[\]]+)\]\]")
_AUTOLINK = Lazy(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_HTML_COMMENT = Lazy(r"<!--.*?-->", re.S)
_HTML_TAG = Lazy(
    r"</?([A-Za-z][A-Za-z0-9-]*)"
    r"(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>")
_ENTITY = Lazy(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BREAK_TAGS = frozenset({"br", "hr", "p", "div", "li", "tr", "td", "th"})
_IMAGE_EXT = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif",
                        ".tif", ".tiff"})
_MATH_GUARD = "a"  # see `_render_math`


def breadcrumb_text(source: str) -> str:
    """A breadcrumb (headings joined by ' › ') or a note title, as display text.

    Inline math becomes Unicode (`$\\beta > \\alpha$` -> `β > α`, by `flashdeck.mathtext`);
    markdown emphasis is dropped (`*x*`, `_x_`, `**x**`, `__x__`, `~~x~~`, `==x==` -> `x`);
    inline code shows its text, `[text](url)` its text, `[[Note|alias]]` the alias and
    `[[Note#Heading]]` `Note > Heading`; HTML tags are dropped, entities and backslash
    escapes resolved; whitespace runs become one space. The result is plain text (never
    Rich/Textual markup) with control characters made visible (`textsafe.sanitize`).
    Never raises; the work is bounded however long the source."""
    try:
        text = str(source or "")
        cut = len(text) > MAX_TRAIL_SOURCE
        parts = [inline_text(part) for part in text[:MAX_TRAIL_SOURCE].split(CRUMB_SEPARATOR)]
        shown = CRUMB_SEPARATOR.join(part for part in parts if part)
        if cut and not shown.endswith(_ELLIPSIS):
            shown += _ELLIPSIS
        return shown
    except Exception:  # noqa: BLE001 - a heading must never break a screen: show its source
        return sanitize(" ".join(str(source)[:MAX_TRAIL_SOURCE].split()))


def inline_text(source: str) -> str:
    """One heading (or any one line of card markdown) as display text: `breadcrumb_text`
    for a single part, also used for the first line `flashdeck list` shows."""
    try:
        text = " ".join(str(source or "").split())
        cut = len(text) > MAX_CRUMB_SOURCE
        if cut:
            text = text[:MAX_CRUMB_SOURCE].rstrip()
        if _INLINE_SYNTAX.search(text):
            text = " ".join(_strip_inline(_render_math(text)).split())
        return sanitize(text + _ELLIPSIS if cut else text)
    except Exception:  # noqa: BLE001 - see breadcrumb_text
        return sanitize(" ".join(str(source)[:MAX_CRUMB_SOURCE].split()))


def _render_math(text: str) -> str:
    """`$…$` and `$$…$$` rendered as Unicode, by the same rules as card text, and escaped for
    markdown (so `2 * 300` or `x_max` stays literal below). The math module reads a line
    that is only a `$$` block (or starts with a fence) as a display block; a heading is one
    line of prose, so it is given a plain first character that it copies through."""
    if "$" not in text:
        return text
    from flashdeck.mathtext import render_markdown  # ~55 ms: only for a heading with math

    rendered = render_markdown(_MATH_GUARD + text, escape=True)
    if not rendered.startswith(_MATH_GUARD) or "\n" in rendered:
        return text  # not expected; the source then shows as written
    return rendered[len(_MATH_GUARD):]


class _Delim:
    """A run of `*`, `_`, `~~` or `==` that may open or close emphasis."""

    __slots__ = ("char", "length", "left", "can_open", "can_close")

    def __init__(self, char: str, length: int, can_open: bool, can_close: bool) -> None:
        self.char, self.length, self.left = char, length, length
        self.can_open, self.can_close = can_open, can_close


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _delim(s: str, i: int, j: int) -> _Delim | None:
    """The run s[i:j] as a delimiter (CommonMark's flanking rules), or None when literal."""
    char = s[i]
    if char in "~=" and j - i != 2:
        return None  # `~~x~~` and `==x==` only; a lone `~` or `=`, or `===`, is text
    before = s[i - 1] if i > 0 else " "
    after = s[j] if j < len(s) else " "
    left = not after.isspace() and (not _is_punct(after) or before.isspace()
                                     or _is_punct(before))
    right = not before.isspace() and (not _is_punct(before) or after.isspace()
                                      or _is_punct(after))
    if char == "_":  # no emphasis inside words: snake_case stays
        can_open = left and (not right or _is_punct(before))
        can_close = right and (not left or _is_punct(after))
    else:
        can_open, can_close = left, right
    return _Delim(char, j - i, can_open, can_close) if can_open or can_close else None


def _match_emphasis(delims: list[_Delim]) -> None:
    """Pair openers with closers (CommonMark's delimiter stack, without the rule of three)
    and take the paired characters off each run's `left`. Linear: an opener is passed over
    at most once per character kind when no closer finds it, and once when it is dropped."""
    stack: list[_Delim] = []
    floor: dict[str, int] = {}  # below this stack height there is no opener of that kind
    for d in delims:
        while d.can_close and d.left:
            k = len(stack) - 1
            bottom = floor.get(d.char, 0)
            while k >= bottom and not (stack[k].char == d.char and stack[k].left):
                k -= 1
            if k < bottom:
                floor[d.char] = len(stack)
                break
            opener = stack[k]
            use = 2 if d.char in "~=" or (opener.left >= 2 and d.left >= 2) else 1
            opener.left -= use
            d.left -= use
            del stack[k + 1:]  # openers between the pair stay text
            if not opener.left:
                stack.pop()
            for char, height in floor.items():
                floor[char] = min(height, len(stack))
        if d.can_open and d.left:
            stack.append(d)


def _strip_inline(s: str) -> str:
    """Markdown inline syntax dropped, in one pass: the text a reader sees."""
    out: list[str | _Delim] = []
    delims: list[_Delim] = []
    link_ends: dict[int, int] = {}  # a link's `]` -> the end of its `(url)`
    i, n = 0, len(s)
    while i < n:
        if i in link_ends:
            i = link_ends.pop(i)
            continue
        c = s[i]
        if c == "\\":
            if i + 1 < n and s[i + 1] in _ASCII_PUNCT:
                out.append(s[i + 1])
                i += 2
            else:
                out.append(c)
                i += 1
            continue
        if c == "`":
            run = _run_end(s, i) - i
            close = _backtick_close(s, i + run, run)
            if close < 0:
                out.append(s[i:i + run])
                i += run
                continue
            code = s[i + run:close]
            if len(code) > 2 and code[0] == code[-1] == " " and code.strip():
                code = code[1:-1]
            out.append(code)
            i = close + run
            continue
        if c in "*_~=":
            j = _run_end(s, i)
            d = _delim(s, i, j)
            if d is None:
                out.append(s[i:j])
            else:
                out.append(d)
                delims.append(d)
            i = j
            continue
        if c == "[" or (c == "!" and s.startswith("[", i + 1)):
            m = _WIKI.match(s, i)
            if m:
                out.append(embed_label(m.group(2), " > ") if m.group(1)
                           else link_text(m.group(2), " > "))
                i = m.end()
                continue
            if c == "!":
                m = _IMAGE.match(s, i)
                if m:
                    out.append(image_label(_strip_inline(m.group(1)), m.group(2)))
                    i = m.end()
                    continue
            else:
                m = _LINK.match(s, i)
                if m and _code_stays_inside(s, m.start(1), m.end(1)):
                    link_ends[m.end(1)] = m.end()  # its text is read on, then the url skipped
                    i += 1
                    continue
        if c == "<":
            m = _AUTOLINK.match(s, i)
            if m:
                out.append(m.group(1))
                i = m.end()
                continue
            m = _HTML_COMMENT.match(s, i) or _HTML_TAG.match(s, i)
            if m:
                tag = m.group(1) if m.re is _HTML_TAG.compiled else None
                out.append(" " if tag and tag.lower() in _BREAK_TAGS else "")
                i = m.end()
                continue
        if c == "&":
            m = _ENTITY.match(s, i)
            if m:
                import html  # its entity table: only for a heading that has an entity

                out.append(html.unescape(m.group()))
                i = m.end()
                continue
        out.append(c)
        i += 1
    _match_emphasis(delims)
    return "".join(p if isinstance(p, str) else p.char * p.left for p in out)


def _run_end(s: str, i: int) -> int:
    j = i
    while j < len(s) and s[j] == s[i]:
        j += 1
    return j


def _backtick_close(s: str, start: int, run: int) -> int:
    """The start of the next run of exactly `run` backticks from `start`, or -1."""
    j = start
    while True:
        j = s.find("`", j)
        if j < 0:
            return -1
        end = _run_end(s, j)
        if end - j == run:
            return j
        j = end


def _code_stays_inside(s: str, start: int, end: int) -> bool:
    """No code span that opens in s[start:end] closes after it (code binds tighter than a
    link's brackets, as in CommonMark: "[a `b](u)`" is no link)."""
    i = s.find("`", start, end)
    while 0 <= i < end:
        run = _run_end(s, i) - i
        close = _backtick_close(s, i + run, run)
        if close < 0:
            return True  # unclosed: literal backticks from here on
        if close >= end:
            return False
        i = s.find("`", close + run, end)
    return True


def embed_label(target: str, separator: str = " › ") -> str:
    """`![[name.png]]` as a labelled placeholder: `[image: name.png]`; an embedded note
    with the heading it embeds, `[embed: Note › Heading]`."""
    name = unescape_pipe(target).split("|", 1)[0].split("#", 1)[0].strip()
    if PurePosixPath(name).suffix.lower() in _IMAGE_EXT:
        return f"[image: {name or target.strip()}]"
    return f"[embed: {note_embed_name(target, separator)}]"


def image_label(alt: str, src: str) -> str:
    """`![alt](src)` as a labelled placeholder: `[image: alt (file.png)]`."""
    name = PurePosixPath(src).name if src else ""
    shown = alt.strip() or name or "image"
    if name and alt.strip() and alt.strip() != name:
        shown = f"{alt.strip()} ({name})"
    return f"[image: {shown}]"
