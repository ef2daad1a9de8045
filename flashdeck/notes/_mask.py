"""Masking of inline code, math and comments in note text.

Card syntax (`::`, `==`, `?`, `#tags`) is searched in a *masked* copy of the note where
code and math are overwritten with OPAQUE and comments (HTML's `<!-- -->` and Obsidian's
`%% %%`) with COMMENT, character for character (newlines kept). Offsets found in the mask
therefore index the original text directly, and the author's markdown is sliced out
unchanged.

One left-to-right pass decides which construct wins when they overlap: the one that
starts first (as in CommonMark, where a code span and a comment compete by position).
All searches for a closing delimiter go through precomputed position lists and `bisect`,
so a pathological line (a megabyte of backticks or dollars) stays linear-ish instead of
quadratic.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

OPAQUE = "\x01"  # code and math: kept in card text, never card syntax
COMMENT = "\x02"  # comments: removed from card text

# \-escapes of \ ` $ <, backtick runs, $$, $, <!--, -->, %%. Each alternative is written
# after a first character from one set, so the engine jumps from candidate to candidate
# instead of trying every alternative at every position (3x faster; same matches).
_TOKEN_RE = re.compile(
    r"[\\`$<%-](?:(?<=\\)[\\`$<]|(?<=`)`*|(?<=\$)\$?|(?<=<)!--|(?<=-)->|(?<=%)%)")
_NOT_NEWLINE_RE = re.compile(r"[^\n]")
_ESCAPE_RE = re.compile(r"\\[\\`$<]")  # _TOKEN_RE's first alternative
_BACKTICKS_RE = re.compile(r"`+")
_SR_PREFIX = "<!--SR:"


@dataclass(slots=True)
class MaskResult:
    masked: str
    # (start, end) of every top-level `<!--SR:...-->` comment, in text order
    sr_spans: list[tuple[int, int]] = field(default_factory=list)
    # (start, end) of every inline `$$...$$` span (may cross lines inside a paragraph)
    display_math: list[tuple[int, int]] = field(default_factory=list)


def _fill(segment: str, ch: str) -> str:
    if "\n" in segment:
        return _NOT_NEWLINE_RE.sub(ch, segment)
    return ch * len(segment)


def mask_text(text: str, breaks: list[int], line_starts: list[int]) -> MaskResult:
    """Mask code spans, `$…$` / `$$…$$` math and comments in `text`.

    An Obsidian comment runs from a `%%` to the next one, across lines and paragraphs as
    in Obsidian; an unclosed `%%` is plain text (a typo must not hide the rest of a note).

    `breaks` (sorted offsets) are block boundaries that code spans and `$$` spans cannot
    cross (paragraph starts and ends); `line_starts` (sorted) are the offsets of the
    lines, since single-dollar math never crosses a line.
    """
    tokens = _tokens(text)
    if not tokens:
        return MaskResult(text)

    # Comments nest like in the Obsidian SR plugin's grammar (`<!-- card <!--SR:..--> -->`
    # hides the card and its schedule); an unmatched `<!--` is plain text.
    comment_end: dict[int, int] = {}
    stack: list[int] = []
    backticks: dict[int, list[int]] = {}
    doubles: list[int] = []
    percents: list[int] = []
    closers: list[int] = []
    n = len(text)
    for start, end, tok in tokens:
        if tok == "<!--":
            stack.append(start)
        elif tok == "-->":
            if stack:
                comment_end[stack.pop()] = end
        elif tok[0] == "`":
            backticks.setdefault(end - start, []).append(start)
        elif tok == "$$":
            doubles.append(start)
        elif tok == "%%":
            percents.append(start)
        elif tok == "$":
            # A closing `$` has a non-space before it and no digit after it ($5 and $6).
            if start > 0 and not text[start - 1].isspace() and not (
                end < n and text[end].isdigit()
            ):
                closers.append(start)

    spans: list[tuple[int, int, str]] = []
    result = MaskResult(text)
    cursor = 0
    for start, end, tok in tokens:
        if start < cursor:
            continue
        first = tok[0]
        if first == "\\" or tok == "-->":
            continue
        if tok == "<!--":
            close = comment_end.get(start)
            if close is None:
                continue
            spans.append((start, close, COMMENT))
            if text.startswith(_SR_PREFIX, start):
                result.sr_spans.append((start, close))
            cursor = close
            continue
        if tok == "%%":
            k = bisect_right(percents, start)
            if k < len(percents):
                close = percents[k] + 2
                spans.append((start, close, COMMENT))
                cursor = close
            continue
        limit = _next_break(breaks, start, n)
        if first == "`":
            length = end - start
            positions = backticks[length]
            k = bisect_right(positions, start)
            if k < len(positions) and positions[k] + length <= limit:
                close = positions[k] + length
                spans.append((start, close, OPAQUE))
                cursor = close
            continue
        if tok == "$$":
            k = bisect_right(doubles, start)
            if k < len(doubles) and doubles[k] + 2 <= limit:
                close = doubles[k] + 2
                spans.append((start, close, OPAQUE))
                result.display_math.append((start, close))
                cursor = close
            continue
        # single `$`: opener must be followed by a non-space, closer on the same line
        if end >= n or text[end].isspace():
            continue
        k = bisect_right(closers, start)
        if k == len(closers):
            continue
        close_at = closers[k]
        line = bisect_right(line_starts, start) - 1
        next_line = line_starts[line + 1] if line + 1 < len(line_starts) else n + 1
        # and no code span starts inside it (`$5, see `${VAR}``: the code span wins)
        if close_at < next_line and close_at < limit and text.find("`", end, close_at) < 0:
            spans.append((start, close_at + 1, OPAQUE))
            cursor = close_at + 1

    if not spans:
        return result
    pieces: list[str] = []
    last = 0
    for start, end, ch in spans:
        pieces.append(text[last:start])
        pieces.append(_fill(text[start:end], ch))
        last = end
    pieces.append(text[last:])
    result.masked = "".join(pieces)
    return result


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each match of _TOKEN_RE in `text`, in order. A text with no
    escape (`\\` then one of \\ ` $ <), no `<!--` and no `%%` (most notes) has only backtick
    runs and `$`/`$$` among them (and `-->`, which is nothing without a `<!--`), found by a
    few finds: the regex is tried at every offset (0.25M instructions a note of the
    benchmark's, for 18 tokens)."""
    if (("\\" in text and _ESCAPE_RE.search(text) is not None)
            or ("<" in text and "<!--" in text) or ("%" in text and "%%" in text)):
        return [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]
    tokens: list[tuple[int, int, str]] = []
    at = text.find("$")
    while at >= 0:
        if text.startswith("$", at + 1):
            tokens.append((at, at + 2, "$$"))
            at = text.find("$", at + 2)
        else:
            tokens.append((at, at + 1, "$"))
            at = text.find("$", at + 1)
    at = text.find("`")
    if at >= 0:
        dollars = tokens
        tokens = []
        while at >= 0:
            end = _BACKTICKS_RE.match(text, at).end()  # type: ignore[union-attr]
            tokens.append((at, end, text[at:end]))
            at = text.find("`", end)
        if dollars:
            tokens += dollars
            tokens.sort()  # by start: no two start at one offset
    return tokens


def _next_break(breaks: list[int], pos: int, default: int) -> int:
    k = bisect_right(breaks, pos)
    return breaks[k] if k < len(breaks) else default + 1


def line_of(line_starts: list[int], pos: int) -> int:
    """The index of the line holding offset `pos`."""
    return bisect_right(line_starts, pos) - 1



# a link's text (`[tokio::sync](https://…)`) and a wiki link (`[[Note|std::vector]]`): a `::`
# there is a path or a name, never a card's separator (the card cut inside the link, its
# front a fragment with an unclosed `[`)
_LINKED_RE = re.compile(r"\[\[[^\[\]\n]{1,2000}\]\]|\[[^\[\]\n]{1,2000}\]\((?=[^\s)])")
# and where `::` is no separator either: an escaped colon (`\::` reads `::` in Obsidian, as
# `\==x==` is no highlight: the author asked for the text), an escaped backslash escaping
# nothing; and Anki's cloze `{{c1::answer::hint}}` (a deletion: `_cloze`)
_ESCAPED_COLON_RE = re.compile(r"\\[\\:]")
_ANKI_START_RE = re.compile(r"\{\{c\d{1,9}::")
_ANKI_MAX_INNER = 4002  # as a `{{curly}}` deletion's (`_cloze`)


def anki_clozes(masked: str) -> list[tuple[int, int, int, int]]:
    """(start, end, inner start, inner end) of each Anki cloze `{{c1::…}}` in `masked`: a
    `{{c`, a number and `::`, up to the first `}}` on its line, within _ANKI_MAX_INNER
    characters after the `{{` (an empty one too: no separator either). Linear in the text: the next `}}` and the next newline
    only move forward (a line of 200,000 unclosed `{{c1::` is one pass)."""
    found: list[tuple[int, int, int, int]] = []
    p = masked.find("{{c")
    closer = newline = -2
    while p != -1:
        m = _ANKI_START_RE.match(masked, p)
        if m is not None:
            after = m.end()
            if closer != -1 and closer < after:
                closer = masked.find("}}", after)
            if closer == -1:
                break  # no `}}` after this point: no more clozes
            if newline != -1 and newline < after:
                newline = masked.find("\n", after)
            if closer - (p + 2) <= _ANKI_MAX_INNER and (newline == -1 or newline > closer):
                found.append((p, closer + 2, p + 2, closer))
                p = masked.find("{{c", closer + 2)
                continue
        p = masked.find("{{c", p + 1)
    return found


def _opaque_colons(m: re.Match[str]) -> str:
    return m.group().replace(":", OPAQUE)


def unlinked(masked: str) -> str:
    """`masked` with the colons of link texts and wiki links, escaped colons and Anki
    clozes masked: where `::` is looked for as a card's separator."""
    if "::" not in masked:
        return masked
    if "[" in masked:
        masked = _LINKED_RE.sub(_opaque_colons, masked)
    if "\\" in masked:
        masked = _ESCAPED_COLON_RE.sub(_opaque_colons, masked)
    if "{{c" in masked:
        spans = anki_clozes(masked)
        if spans:
            pieces: list[str] = []
            last = 0
            for start, end, _inner, _inner_end in spans:
                pieces += [masked[last:start], masked[start:end].replace(":", OPAQUE)]
                last = end
            pieces.append(masked[last:])
            masked = "".join(pieces)
    return masked
