"""One-line paragraphs with inline markup (emphasis, strong, code spans, escapes), read as
markdown-it reads them, without markdown-it: the review screen draws such a card without the
Markdown widget (`tui/content.py`, `tui/widgets.CardText`), and `flashdeck next` prints one
without Rich (`render.print_card`). Plain text work: no Textual, no Rich.
"""

from __future__ import annotations

import re

# What the inline fast path leaves to the real parser: links, images, autolinks and HTML
# (`[`, `]`, `<`, `>`), entities, strikethrough, tables, headings, math leftovers, and what
# linkify would make a link of (see `_MARKDOWN_SYNTAX`). Checked outside escapes and code.
_INLINE_SYNTAX = re.compile(r"[\[\]<>&~|#$@]|\.[^\W\d_]|//|www", re.IGNORECASE)
# A line that is not a paragraph: indented (code), a list item (`-`, `+`, `* `, `*` alone,
# `1.`), a setext underline (`=`), a fence (three backticks). A rule (`***`, `_ _ _`) is
# only those characters: `inline_paragraph` leaves such a line to the widget.
_INLINE_BLOCK_START = re.compile(r"^(?:\s|[-+=]|\*(?:[ \t]|$)|\d{1,9}[.)](?:\s|$)|```)")
# What a backslash escapes (CommonMark's ASCII punctuation); before anything else the
# backslash stays, as written.
_ESCAPABLE = frozenset("!\"#$%&'()*+,./:;<=>?@[\\]^_`{|}~-")
# markdown-it's whitespace for emphasis flanking (`isWhiteSpace`): Zs and [\t\n\v\f\r].
_MD_WHITESPACE = frozenset("\t\n\x0b\x0c\r \xa0\u1680\u202f\u205f\u3000") | frozenset(
    chr(code) for code in range(0x2000, 0x200B))
INLINE_FAST_PATH_MAX = 2000  # characters: longer text goes to the Markdown widget

Span = tuple[int, int, str]


def _md_punctuation(char: str) -> bool:
    """markdown-it's punctuation for emphasis flanking: ASCII punctuation, Unicode P and S."""
    import unicodedata  # C module, loaded by the time a card is shown anyway

    return char in _ESCAPABLE or unicodedata.category(char).startswith(("P", "S"))


def _flanking(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the run of `*` or `_` at text[start:end] can open and can close emphasis
    (markdown-it's `scanDelims`, on the raw source: the start and end of the line count
    as whitespace)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    before_punct, after_punct = _md_punctuation(before), _md_punctuation(after)
    before_space, after_space = before in _MD_WHITESPACE, after in _MD_WHITESPACE
    left = not (after_space or (after_punct and not (before_space or before_punct)))
    right = not (before_space or (before_punct and not (after_space or after_punct)))
    if text[start] == "*":
        return left, right
    return left and (not right or before_punct), right and (not left or after_punct)


def inline_paragraph(markdown: str) -> tuple[str, list[Span]] | None:
    """A one-line paragraph with inline markup (emphasis, strong, code spans, escapes), as
    the Markdown widget's paragraph shows it: its text, and its spans `(start, end, name)`
    with `name` one of the widget's inline component classes (`em`, `strong`,
    `code_inline`), in the order the widget makes them. None when the markdown needs the
    real parser.

    The review screen draws such a card (most fronts: `*Title*`, `` `code` ``, math and
    wiki links rendered to escaped text) without importing the Markdown widget. A small
    deliberate subset of CommonMark, checked against markdown-it by the tests: anything
    that might parse otherwise (a link, a `***` run, an emphasis delimiter that could both
    open and close, an opener closed out of order, an unclosed code span) is None."""
    text = markdown.strip("\n")
    if (not text or len(text) > INLINE_FAST_PATH_MAX or text != text.strip() or "\n" in text
            or "\r" in text or _INLINE_BLOCK_START.match(text) or not text.strip("*_ \t")):
        return None
    # the inline tokens: ("text", str), ("code", str), or a delimiter run
    # [marker, count, can_open, can_close, role]; role is set once matched
    tokens: list[list] = []
    checked: list[str] = []  # the text linkify and the other syntax would see
    position, length = 0, len(text)
    while position < length:  # every step consumes at least one character
        char = text[position]
        if char == "\\":
            if position + 1 >= length:
                return None  # a backslash at the end: literal, but not worth the risk
            escaped = text[position + 1]
            tokens.append(["text", escaped if escaped in _ESCAPABLE else "\\" + escaped])
            checked.append(" ")
            position += 2
        elif char == "`":
            end = position
            while end < length and text[end] == "`":
                end += 1
            marker = text[position:end]
            close = _closing_backticks(text, end, len(marker))
            if close is None:
                return None
            code = text[end:close]
            if code.startswith(" ") and code.endswith(" ") and code.strip():
                code = code[1:-1]
            tokens.append(["code", code])
            checked.append(" ")
            position = close + len(marker)
        elif char in "*_":
            end = position
            while end < length and text[end] == char:
                end += 1
            can_open, can_close = _flanking(text, position, end)
            tokens.append([char, end - position, can_open, can_close, None])
            checked.append(" ")
            position = end
        else:
            tokens.append(["text", char])
            checked.append(char)
            position += 1
    if _INLINE_SYNTAX.search("".join(checked)):
        return None
    if not _match_emphasis(tokens):
        return None
    return _widget_content(tokens)


def _closing_backticks(text: str, start: int, count: int) -> int | None:
    """Where the run of exactly `count` backticks that closes a code span opened before
    `start` begins, or None (then the opening run is literal text)."""
    position = text.find("`", start)
    while position != -1:
        end = position
        while end < len(text) and text[end] == "`":
            end += 1
        if end - position == count:
            return position
        position = text.find("`", end)
    return None


def _match_emphasis(tokens: list[list]) -> bool:
    """Pair the delimiter runs as markdown-it would, in the unambiguous cases only: each
    closer closes the innermost open run, of the same marker and length. A run that can
    neither open nor close, or closes nothing, is literal text, as is an opener never
    closed. False when markdown-it's own rules might pair them otherwise."""
    openers: list[list] = []
    for token in tokens:
        if token[0] not in ("*", "_"):
            continue
        marker, count, can_open, can_close = token[:4]
        if count > 2 or (can_open and can_close):
            return False
        if can_close:
            if openers and openers[-1][0] == marker:
                opener = openers.pop()
                if opener[1] != count:
                    return False
                opener[4] = token[4] = "em" if count == 1 else "strong"
            elif any(opener[0] == marker for opener in openers):
                return False
        elif can_open:
            openers.append(token)
    return True


def _collapse(text: str) -> str:
    """`re.sub(r"\\s+", " ", text)`, as the Markdown widget collapses a text token (`\\s`
    and `str.split` know the same whitespace), without compiling a pattern at start-up;
    but a no-break space is kept (`collapse_spaces`)."""
    if "\u00a0" in text:
        return collapse_spaces(text)
    words = text.split()
    if not words:
        return " " if text else ""
    return ((" " if text[0].isspace() else "") + " ".join(words)
            + (" " if text[-1].isspace() else ""))


def collapse_spaces(text: str) -> str:
    """A text token's whitespace runs as the card's Markdown widget shows them: each run one
    space, but a no-break space is kept, and a run holding one is its no-break spaces
    (an inline formula's spaces, or the author's own: `tui/wrapping.no_break_rows`)."""
    import re

    return re.sub(r"\s+", lambda m: "\u00a0" * m.group().count("\u00a0") or " ", text)


def _widget_content(tokens: list[list]) -> tuple[str, list[Span]]:
    """The text and spans Textual's Markdown widget makes of these inline tokens
    (`MarkdownBlock._token_to_content`): adjacent text is one text token whose whitespace
    runs become one space; a code span is kept as it is."""
    parts: list[str] = []
    spans: list[Span] = []
    opened: list[tuple[str, int]] = []
    position = 0
    pending: list[str] = []

    def flush() -> None:
        nonlocal position
        if pending:
            run = _collapse("".join(pending))
            pending.clear()
            parts.append(run)
            position += len(run)

    for token in tokens:
        kind = token[0]
        if kind == "text":
            pending.append(token[1])
        elif kind == "code":
            flush()
            parts.append(token[1])
            spans.append((position, position + len(token[1]), "code_inline"))
            position += len(token[1])
        elif token[4] is None:  # a delimiter run that is literal text
            pending.append(kind * token[1])
        else:
            flush()
            if opened and opened[-1][0] == token[4] and token[3]:
                name, start = opened.pop()
                spans.append((start, position, name))
            else:
                opened.append((token[4], position))
    flush()
    return "".join(parts), spans
