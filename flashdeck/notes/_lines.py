"""The note's body read line by line: containers, masked text, line kinds, headings.

markdown-it's block tokens (block rules only: no inline parse is needed) give the
structure with line maps: containers (blockquotes, list items), fenced/indented code and
`$$` math blocks, headings, rules, callouts. A masked copy of the text hides inline code,
math and comments, so card syntax found in it is real syntax, and offsets in it index the
author's text unchanged.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate
from operator import itemgetter
from dataclasses import dataclass
from typing import Any, NamedTuple

from flashdeck.notes._marks import TAG_CHAR
from flashdeck.notes.names import NoteNames
from flashdeck.notes._mask import COMMENT as COMMENT_CHAR
from flashdeck.notes._mask import OPAQUE, mask_text, unlinked

# the fenced blocks Obsidian (`query`, `base`) and its plugins (Dataview, Tasks) run as a
# query and show as its results
QUERY_FENCES = frozenset({"dataview", "dataviewjs", "query", "tasks", "base"})

# line kinds
BLANK, TEXT, VERBATIM, HEADING, BREAK, CALLOUT, COMMENTED = range(7)
# VERBATIM: in a code or math block; COMMENTED: nothing but comments
# container kinds
QUOTE, LIST_ITEM = 0, 1

_QUOTE_RE = re.compile(r"[ \t]{0,3}>[ \t]?")
_LIST_ITEM_RE = re.compile(r"([ \t]*(?:[-+*]|\d{1,9}[.)]))([ \t]*)")
# a task list item's checkbox (`- [ ] `, `- [x] `, Obsidian's custom `- [?] `): list syntax,
# like the marker before it, so no part of a card's text written in the item
_TASK_RE = re.compile(r"\[[^\]\n]\][ \t]+(?=\S)")
_CALLOUT_RE = re.compile(r"\[!([^\]]+)\]([+-]?)[ \t]*(.*)")
HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
TRAILING_BLOCK_ID_RE = re.compile(r"[ \t]+\^[A-Za-z0-9-]+[ \t]*$")
_TRAILING_FOOTNOTES_RE = re.compile(r"(?:[ \t]*\[\^[^\[\]\s]+\])+[ \t]*$")
# Where the plugin (1.15+, "use callouts for scheduling comments") writes a card's
# `<!--SR:-->` comment: a callout on the line below the card, hidden in Obsidian.
METADATA_CALLOUT = "sr|card-metadata"
# callouts that ask a question: each is a derived card of its own (`> [!faq] Why…?`)
QUESTION_CALLOUTS = frozenset({"question", "faq", "help"})
_OBSIDIAN_COMMENT_RE = re.compile(r"%%.*?%%")
_TAG_TOKEN_RE = re.compile(rf"#{TAG_CHAR}+")
_NOT_A_DIGIT_RE = re.compile(r"[^0-9]")


def strip_trailing_tags(text: str) -> str:
    """`text` without the tags at its end (a tag is not all digits: `## Issue #42` keeps its
    number). Token by token from the end, so a line of thousands of tags is one pass."""
    end = len(text.rstrip(" \t"))
    while end > 0:
        cut = max(text.rfind(" ", 0, end), text.rfind("\t", 0, end))
        if (_TAG_TOKEN_RE.fullmatch(text, cut + 1, end) is None
                or _NOT_A_DIGIT_RE.search(text, cut + 2, end) is None):
            break
        end = len(text[:max(cut, 0)].rstrip(" \t")) if cut >= 0 else 0
    return text[:end]


_md_instance: Any = None


def markdown() -> Any:
    """One MarkdownIt per process, block rules only (we never need inline tokens)."""
    global _md_instance
    if _md_instance is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        md = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)
        md.disable(["inline", "text_join"])
        _quiet_block_rules()
        _md_instance = _by_first_character(md)
    return _md_instance


# markdown-it's block rules each log a debug line on entry, ~800 calls a note whose level
# check alone cost ~6% of the parse; nothing here ever logs at DEBUG
_BLOCK_RULES = ("blockquote", "code", "fence", "heading", "hr", "html_block", "lheading",
                "list", "paragraph", "reference")


def _quiet_block_rules() -> None:
    """Those loggers' `debug` made a no-op (a C call ignoring its arguments), unless some
    logging configuration asks for their debug output."""
    import logging

    for rule in _BLOCK_RULES:
        logger = logging.getLogger(f"markdown_it.rules_block.{rule}")
        if not logger.isEnabledFor(logging.DEBUG):
            logger.debug = "".format  # type: ignore[method-assign]


# What a line must start with (its first character past its indent, where every block rule
# looks first) for each block rule that needs one: any other line, the rule returns False
# at once, touching nothing (markdown-it-py 4.x's sources). `table`, `code`, `lheading`,
# `paragraph` and any rule not named here are tried at every line, as markdown-it does.
_FIRST_CHARACTERS = {
    "math_block": "$", "fence": "`~", "blockquote": ">", "hr": "*-_",
    "list": "*-+0123456789", "reference": "[", "html_block": "<", "heading": "#",
}
# the markdown-it-py whose block parse (ParserBlock.parse and .tokenize, StateBlock's __init__
# and push) and paragraph rule the functions below copy, each line as it is there (but for the
# line markers read per line, the Token's fields set one by one, and a paragraph's opening
# token made alone: no inline token holding its text, no closing token, which nothing here
# reads; a list's item opening tokens alone, likewise); with any other markdown-it the
# parser is left as it is
_COPIED_FROM = "4.3.0"


_FastState: Any = None


def _fast_state() -> Any:
    """markdown-it's StateBlock, its `push` making each token field by field: Token(ttype,
    tag, nesting) with block=True, without the dataclass's __init__ and __post_init__ (a
    third of the cost of a paragraph's three tokens)."""
    from markdown_it.rules_block.state_block import StateBlock
    from markdown_it.token import Token

    new_token = Token.__new__

    class FastState(StateBlock):
        def __init__(self, src: str, md: Any, env: Any, tokens: list[Any],
                     code_enabled: bool) -> None:
            # StateBlock.__init__, each line's markers from the line's own leading spaces
            # and tabs (lstrip) instead of a call per character; `code_enabled` told by the
            # caller instead of listing the parser's active rules for every note
            self.src = src
            self.md = md
            self.env = env
            self.tokens = tokens
            self.blkIndent = 0
            self.line = 0
            self.tight = False
            self.ddIndent = -1
            self.listIndent = -1
            self.parentType = "root"
            self.level = 0
            self.result = ""
            lines = src.split("\n")
            if not lines[-1]:  # the nothing after a last newline: no line
                lines.pop()
            elif not lines[-1].lstrip(" \t"):
                lines.pop()  # a last line of only spaces and tabs, no newline: no marker
            # each line's start, end and indent, a list at a time, then the fake last
            # line's entry (markdown-it appends them line by line)
            ends = list(accumulate([len(text) + 1 for text in lines]))  # each end + 1
            self.bMarks = [0, *ends]
            self.bMarks[-1] = len(src)
            self.eMarks = [end - 1 for end in ends]
            self.eMarks.append(len(src))
            self.tShift = tShift = [len(text) - len(text.lstrip(" \t")) for text in lines]
            tShift.append(0)
            self.sCount = sCount = tShift.copy()
            if "\t" in src:  # columns, a tab to the next multiple of 4, where one indents
                for i, text in enumerate(lines):
                    indent = tShift[i]
                    if indent and "\t" in text[:indent]:
                        offset = 0
                        for character in text[:indent]:
                            offset += 4 - offset % 4 if character == "\t" else 1
                        sCount[i] = offset
            self.bsCount = [0] * len(tShift)
            self.lineMax = len(lines)
            self._code_enabled = code_enabled

        def push(self, ttype: str, tag: str, nesting: int) -> Any:  # type: ignore[override]
            token = new_token(Token)
            token.type = ttype
            token.tag = tag
            token.nesting = nesting
            token.attrs = {}
            token.map = None
            token.children = None
            token.content = ""
            token.markup = ""
            token.info = ""
            token.meta = {}
            token.block = True
            token.hidden = False
            if nesting < 0:
                self.level -= 1
            token.level = self.level
            if nesting > 0:
                self.level += 1
            self.tokens.append(token)
            return token

        def push_paragraph(self, start: int, end: int) -> None:
            """A paragraph's opening token alone, its map [start, end]: its inline token
            (the paragraph's text, for an inline parse that never runs) and its closing
            token are read by nothing here, so they are not made."""
            self.push("paragraph_open", "p", 1).map = [start, end]
            self.level -= 1  # the level it opened closes with it: no closing token

    return FastState


def _by_first_character(md: Any) -> Any:
    """md, its block rules tried only at the lines whose first character they can start
    with (_FIRST_CHARACTERS): at the start of each block and, as paragraph terminators, at
    each line of a paragraph, where markdown-it calls every enabled rule in turn (~70,000
    calls for 500 notes, nearly all returning False on their first look). The same rules
    in the same order for every line they could match: the same tokens
    (tests/notes/test_import_speed.py compares them)."""
    import markdown_it

    global _FastState
    if markdown_it.__version__ != _COPIED_FROM:
        return md
    if _FastState is None:
        _FastState = _fast_state()
    from markdown_it.rules_block.list import skipOrderedListMarker as skip_ordered_marker

    def by_character(chain: str) -> tuple[dict[str, list[Any]], list[Any]]:
        rules = [r for r in md.block.ruler.__rules__
                 if r.enabled and (not chain or chain in r.alt)]
        starts = {c for r in rules for c in _FIRST_CHARACTERS.get(r.name, "")}
        every = [r.fn for r in rules if r.name not in _FIRST_CHARACTERS]
        return ({c: [r.fn for r in rules if c in _FIRST_CHARACTERS.get(r.name, c)]
                 for c in starts}, every)

    def tokenize(state: Any, startLine: int, endLine: int) -> None:
        line = startLine
        maxNesting = state.md.options.maxNesting
        hasEmptyLines = False
        src = state.src
        # state.skipEmptyLines and state.isEmpty read in place (the rules change these
        # lists' items, never the lists)
        bMarks, tShift, eMarks = state.bMarks, state.tShift, state.eMarks
        while line < endLine:
            lineMax = state.lineMax
            while line < lineMax and bMarks[line] + tShift[line] >= eMarks[line]:
                line += 1
            state.line = line
            if line >= endLine:
                break
            if state.sCount[line] < state.blkIndent:
                break
            if state.level >= maxNesting:
                state.line = endLine
                break
            pos = state.bMarks[line] + state.tShift[line]
            ok = False
            for rule in (rules_at.get(src[pos], other_rules) if pos < len(src)
                         else other_rules):
                ok = rule(state, line, endLine, False)
                if ok:
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            if not ok:
                raise RuntimeError("none of the block rules matched")
            state.tight = not hasEmptyLines
            line = state.line
            last = line - 1
            if last < endLine and bMarks[last] + tShift[last] >= eMarks[last]:
                hasEmptyLines = True
            if line < endLine and bMarks[line] + tShift[line] >= eMarks[line]:
                hasEmptyLines = True
                line += 1
                state.line = line

    def paragraph(state: Any, startLine: int, endLine: int, silent: bool) -> bool:
        nextLine = startLine + 1
        endLine = state.lineMax
        oldParentType = state.parentType
        state.parentType = "paragraph"
        src = state.src
        bMarks, tShift, eMarks, sCount = state.bMarks, state.tShift, state.eMarks, state.sCount
        blkIndent = state.blkIndent
        while nextLine < endLine:
            pos = bMarks[nextLine] + tShift[nextLine]
            if pos >= eMarks[nextLine]:  # state.isEmpty(nextLine)
                break
            if sCount[nextLine] - blkIndent > 3:
                nextLine += 1
                continue
            if sCount[nextLine] < 0:
                nextLine += 1
                continue
            terminate = False
            for terminatorRule in terminators_at.get(src[pos], other_terminators):
                if terminatorRule(state, nextLine, endLine, True):
                    terminate = True
                    break
            if terminate:
                break
            nextLine += 1
        state.line = nextLine
        state.push_paragraph(startLine, nextLine)
        state.parentType = oldParentType
        return True

    def list_block(state: Any, startLine: int, endLine: int, silent: bool) -> bool:
        # markdown-it's list rule, each line as it is there but: no debug log, the code
        # block test and the bullet marker read in place (and an ordered marker looked for
        # only after a digit: a digit is no bullet), the terminators tried by the next
        # item's first character (as the paragraph's), no task list checkbox (off in the
        # notes' parser; a parser with it keeps markdown-it's rule) and no `hidden` set on
        # a tight list's paragraphs (the renderer's flag, read by nothing here: so whether
        # the list is tight is not worked out either)
        src = state.src
        bMarks, eMarks, tShift, sCount = state.bMarks, state.eMarks, state.tShift, state.sCount
        isTerminatingParagraph = False
        if state._code_enabled and sCount[startLine] - state.blkIndent >= 4:
            return False
        if (
            state.listIndent >= 0
            and sCount[startLine] - state.listIndent >= 4
            and sCount[startLine] < state.blkIndent
        ):
            return False
        if silent and state.parentType == "paragraph" and sCount[startLine] >= state.blkIndent:
            isTerminatingParagraph = True
        start = bMarks[startLine] + tShift[startLine]
        character = src[start] if start < len(src) else ""
        if "0" <= character <= "9":
            posAfterMarker = skip_ordered_marker(state, startLine)
            if posAfterMarker < 0:
                return False
            isOrdered = True
            markerValue = int(src[start : posAfterMarker - 1])
            if isTerminatingParagraph and markerValue != 1:
                return False
        elif character in ("*", "-", "+"):
            posAfterMarker = start + 1
            if posAfterMarker < eMarks[startLine] and src[posAfterMarker] not in (" ", "\t"):
                return False
            isOrdered = False
        else:
            return False
        if isTerminatingParagraph and state.skipSpaces(posAfterMarker) >= eMarks[startLine]:
            return False
        markerChar = src[posAfterMarker - 1]
        if silent:
            return True
        # the list's own opening and closing tokens and each item's closing token are read
        # by nothing here (_READ_TOKENS): not made, their nesting kept in the state's level
        state.level += 1
        nextLine = startLine
        oldParentType = state.parentType
        state.parentType = "list"
        while nextLine < endLine:
            pos = posAfterMarker
            maximum = eMarks[nextLine]
            initial = offset = sCount[nextLine] + posAfterMarker - (
                bMarks[startLine] + tShift[startLine])
            while pos < maximum:
                ch = src[pos]
                if ch == "\t":
                    offset += 4 - (offset + state.bsCount[nextLine]) % 4
                elif ch == " ":
                    offset += 1
                else:
                    break
                pos += 1
            contentStart = pos
            indentAfterMarker = 1 if contentStart >= maximum else offset - initial
            if indentAfterMarker > 4:
                indentAfterMarker = 1
            indent = initial + indentAfterMarker
            token = state.push("list_item_open", "li", 1)
            token.markup = markerChar
            token.map = itemLines = [startLine, 0]
            if isOrdered:
                token.info = src[start : posAfterMarker - 1]
            oldTight = state.tight
            oldTShift = tShift[startLine]
            oldSCount = sCount[startLine]
            oldListIndent = state.listIndent
            state.listIndent = state.blkIndent
            state.blkIndent = indent
            state.tight = True
            tShift[startLine] = contentStart - bMarks[startLine]
            sCount[startLine] = offset
            if contentStart >= maximum and state.isEmpty(startLine + 1):
                state.line = min(state.line + 2, endLine)
            else:
                tokenize(state, startLine, endLine)
            state.blkIndent = state.listIndent
            state.listIndent = oldListIndent
            tShift[startLine] = oldTShift
            sCount[startLine] = oldSCount
            state.tight = oldTight
            state.level -= 1  # the item's closing token
            nextLine = startLine = state.line
            itemLines[1] = nextLine
            if nextLine >= endLine:
                break
            if sCount[nextLine] < state.blkIndent:
                break
            if state._code_enabled and sCount[startLine] - state.blkIndent >= 4:
                break
            pos = bMarks[nextLine] + tShift[nextLine]
            terminate = False
            for terminatorRule in (list_terminators_at.get(src[pos], list_other_terminators)
                                   if pos < len(src) else list_other_terminators):
                if terminatorRule(state, nextLine, endLine, True):
                    terminate = True
                    break
            if terminate:
                break
            if isOrdered:
                posAfterMarker = skip_ordered_marker(state, nextLine)
                if posAfterMarker < 0:
                    break
                start = bMarks[nextLine] + tShift[nextLine]
            else:  # markdown-it's skipBulletListMarker
                pos = bMarks[nextLine] + tShift[nextLine]
                if pos >= len(src) or src[pos] not in ("*", "-", "+"):
                    break
                posAfterMarker = pos + 1
                if posAfterMarker < eMarks[nextLine] and src[posAfterMarker] not in (" ", "\t"):
                    break
            if markerChar != src[posAfterMarker - 1]:
                break
        state.level -= 1  # the list's closing token
        state.line = nextLine
        state.parentType = oldParentType
        return True

    def parse(src: str, md: Any, env: Any, outTokens: list[Any]) -> list[Any] | None:
        if not src:
            return None
        state = _FastState(src, md, env, outTokens, code_enabled)
        tokenize(state, state.line, state.lineMax)
        return state.tokens

    def normalize(state: Any) -> None:
        # markdown-it's normalize rewrites every line ending (a regex substitution per
        # newline) and NUL: a text with neither a CR nor a NUL (every note: parse_note
        # reads CR and CRLF as LF) comes out of it unchanged
        src = state.src
        if "\r" in src or "\0" in src:
            normalize_all(state)

    normalize_all = next(r.fn for r in md.core.ruler.__rules__ if r.name == "normalize")
    md.core.ruler.at("normalize", normalize)
    md.block.ruler.at("paragraph", paragraph)
    if not md.options.get("tasklists", False):
        alt = next(r.alt for r in md.block.ruler.__rules__ if r.name == "list")
        md.block.ruler.at("list", list_block, {"alt": list(alt)})  # the same chains
    rules_at, other_rules = by_character("")
    terminators_at, other_terminators = by_character("paragraph")
    list_terminators_at, list_other_terminators = by_character("list")
    md.block.tokenize = tokenize
    md.block.parse = parse
    code_enabled = "code" in md.block.ruler.get_active_rules()
    return md


class Fence(NamedTuple):
    start: int  # body line indexes, end exclusive
    end: int
    info: str
    content: str


class HeadingSpan(NamedTuple):
    start: int  # body line index
    end: int
    level: int
    text: str


class Callout(NamedTuple):
    start: int  # body line index of the `[!type]` line
    end: int
    depth: int  # how many containers deep its content is
    kind: str  # the type, lower case
    title: str


class _Blocks(NamedTuple):
    """What markdown-it's block tokens say, by body line."""

    containers: list[tuple[int, int, int]]  # kind, start, end
    verbatim: list[bool]
    breaks: set[int]  # lines where a paragraph starts or ends
    headings: list[tuple[int, int, int, str, str]]  # start, end, level, markup, content
    rules: list[int]
    fences: list[Fence]
    math_blocks: list[tuple[int, int]]
    max_nesting: int
    table_rows: set[int]  # the lines of tables (header, delimiter row, body rows)


class _Containers(NamedTuple):
    kinds: list[int]  # by container id
    token_paths: list[tuple[int, ...]]
    paths: list[tuple[int, ...]]
    columns: list[tuple[int, ...]]
    content_column: list[int]
    quote_keys: list[tuple[int, ...]]


class _Masked(NamedTuple):
    contents: list[str]
    line_starts: list[int]
    text: str
    masked_text: str
    masked: list[str]
    display_math: list[tuple[int, int]]
    schedule_spans: list[tuple[int, int]]


# no repr or eq: nothing prints or compares it, and making them costs import time
@dataclass(slots=True, repr=False, eq=False)
class Lines:
    """The body, line by line. Body line `i` is file line `offset + i + 1`.

    A line's *content* is what is right of its containers' markers (`>`, a list item's
    indent); `contents`, `text` and the masks hold contents only, and the lines of code
    and math blocks are blanked there, so no card syntax is found in code or math.
    """

    body: list[str]  # the author's lines
    offset: int  # file lines before the body (the frontmatter)
    container_kinds: list[int]  # QUOTE or LIST_ITEM, by container id
    # the containers markdown-it puts each line in, outermost first
    token_paths: list[tuple[int, ...]]
    # only those whose marker is really on the line: a lazy continuation line (`- Q` then
    # an unindented `?`) has a shorter path than its token path
    paths: list[tuple[int, ...]]
    columns: list[tuple[int, ...]]  # where each container's content starts, by depth
    content_column: list[int]  # where the line's content starts
    quote_keys: list[tuple[int, ...]]  # the blockquotes holding each line
    contents: list[str]
    line_starts: list[int]  # offset of each line's content in `text`
    text: str  # the contents joined by newlines
    masked_text: str  # `text` with inline code, math and comments masked
    masked: list[str]  # `masked_text` by line
    display_math: list[tuple[int, int]]  # `$$…$$` spans inside paragraphs, in `text`
    schedule_spans: list[tuple[int, int]]  # `<!--SR:…-->` comments in `text`
    kinds: list[int]
    # `## Term::Def` and `> [!tip] Term::Def` lines: cards, as in the plugin
    heading_cards: set[int]
    callouts: list[Callout]
    headings: list[HeadingSpan]  # less those that are really cards or commented out
    heading_starts: list[int]
    crumb_stacks: list[tuple[tuple[int, str], ...]]  # (level, text) above each heading
    exercise_fences: list[Fence]  # ```flashdeck-exercise blocks
    # fences whose info string is a slip of `flashdeck-exercise` (```flashdeck-exercises,
    # ```Flashdeck-Exercise, ```flashdeck exercise): code to markdown, no card, so said
    misnamed_exercise_fences: list[Fence]
    # ```dataview, ```dataviewjs, ```query, ```tasks, ```base blocks: a plugin's live query,
    # shown in Obsidian as its results (which no card can show), never as this code
    query_fences: list[Fence]
    math_blocks: list[tuple[int, int]]
    warnings: list[tuple[int, str]]  # (body line, message)
    # the lines of tables: a `::` in a cell (`| std::map | O(log n) |`) is no separator
    table_rows: set[int]
    # crumbs() below each heading (every level), by heading: made at its first card
    crumbs_under: list[tuple[str, ...] | None]

    def file_line(self, idx: int) -> int:
        return self.offset + idx + 1

    def column(self, i: int, depth: int) -> int:
        if depth <= 0:
            return 0
        cs = self.columns[i]
        if not cs:
            return 0
        return cs[min(depth, len(cs)) - 1]

    def joined(self, idxs: list[int], depth: int) -> tuple[str, str]:
        """Source and mask of lines, stripped of `depth` container prefixes (`>`, `- `)."""
        origs: list[str] = []
        masks: list[str] = []
        body = self.body
        masked = self.masked
        content_column = self.content_column
        for i in idxs:
            col = self.column(i, depth)
            line = body[i]
            start = content_column[i]
            origs.append(line[col:])
            masks.append(line[col:start] + masked[i] if col < start else masked[i][col - start :])
        return "\n".join(origs), "\n".join(masks)

    def common_depth(self, idxs: list[int], lazy: bool = False) -> int:
        """How many containers all of these lines share; `lazy`: counting those a lazy
        continuation line is in without its marker (`> [!note] …` / `> a` / `b`: the
        paragraph `a b` is the callout's, as Obsidian shows it)."""
        paths = self.token_paths if lazy else self.paths
        first = paths[idxs[0]]
        depth = len(first)
        for i in idxs[1:]:
            p = paths[i]
            k = 0
            limit = min(depth, len(p))
            while k < limit and p[k] == first[k]:
                k += 1
            depth = k
            if depth == 0:
                break
        return depth

    def in_list(self, i: int) -> bool:
        return any(self.container_kinds[c] == LIST_ITEM for c in self.token_paths[i])

    def crumbs(self, idx: int, below_level: int = 99) -> tuple[str, ...]:
        """Headings above body line `idx`, outermost first (only levels < below_level)."""
        k = bisect_left(self.heading_starts, idx) - 1
        if k < 0:
            return ()
        if below_level == 99:  # every card under heading k has these: made once
            found = self.crumbs_under[k]
            if found is None:
                found = self.crumbs_under[k] = tuple(text for _level, text
                                                     in self.crumb_stacks[k])
            return found
        return tuple(text for level, text in self.crumb_stacks[k] if level < below_level)


EXERCISE_FENCE = "flashdeck-exercise"
_FENCE_WORD_SEP_RE = re.compile(r"[\s_.:]+")


def misnamed_exercise_fence(info: str) -> bool:
    """Whether a fence's info string is a slip of `flashdeck-exercise`: another case, `_` or
    a space for the `-`, a plural, a letter or two off (`flashdeck-excercise`), or
    `flashdeck`/`flashcard` then a word for an exercise. Markdown leaves such a block code,
    so its exercise would be lost without a word."""
    words = info.split()
    if not words or words[0] == EXERCISE_FENCE:
        return False
    folded = _FENCE_WORD_SEP_RE.sub("-", info.strip()[:60].casefold()).strip("-{}")
    if folded.startswith(EXERCISE_FENCE):
        return True
    if folded.startswith("flashdeck") and folded[9:].lstrip("-").startswith("ex"):
        return True  # ```flashdeckexercise, ```flashdeck-ex; a bare ```flashdeck (a shell
        # session of the command, say) is code
    first = folded.split("-", 2)
    if len(first) >= 2 and first[0].startswith("flash") and first[1].startswith(
            ("exerc", "exers", "excer", "exc")):
        return True
    return _within_two_edits(_FENCE_WORD_SEP_RE.sub("-", words[0].casefold()), EXERCISE_FENCE)


def _within_two_edits(a: str, b: str) -> bool:
    """A letter or two off (difflib's ratio; a word of at most 40 characters: bounded work)."""
    from difflib import SequenceMatcher

    return abs(len(a) - len(b)) <= 2 and len(a) <= 40 and \
        SequenceMatcher(None, a, b).ratio() >= 0.88


def read_lines(body: list[str], offset: int, title: str, end_marker: str = "",
               aliases: list[str] | tuple[()] = ()) -> Lines:
    """`title` is the note's: a heading that repeats it, or one of its `aliases`, is left
    out of breadcrumbs.
    `end_marker`: the vault's `multiline_end_marker` (a `---` marker under a paragraph
    ends a card, it does not make the paragraph a heading)."""
    blocks = _blocks(body)
    boxes = _containers(body, blocks.containers)
    mask = _mask(body, blocks, boxes.content_column)
    kinds, demoted, heading_cards, callouts, warnings = _classify(
        body, blocks, boxes, mask, end_marker.strip())
    headings = _headings(blocks, kinds, demoted)
    heading_starts, crumb_stacks = _crumb_stacks(headings, title, aliases)
    return Lines(
        body=body,
        offset=offset,
        container_kinds=boxes.kinds,
        token_paths=boxes.token_paths,
        paths=boxes.paths,
        columns=boxes.columns,
        content_column=boxes.content_column,
        quote_keys=boxes.quote_keys,
        contents=mask.contents,
        line_starts=mask.line_starts,
        text=mask.text,
        masked_text=mask.masked_text,
        masked=mask.masked,
        display_math=mask.display_math,
        schedule_spans=mask.schedule_spans,
        kinds=kinds,
        heading_cards=heading_cards,
        callouts=callouts,
        headings=headings,
        heading_starts=heading_starts,
        crumb_stacks=crumb_stacks,
        exercise_fences=[f for f in blocks.fences
                         if f.info.split()[:1] == [EXERCISE_FENCE]],
        misnamed_exercise_fences=[f for f in blocks.fences if misnamed_exercise_fence(f.info)],
        query_fences=[f for f in blocks.fences
                      if f.info.split()[:1] and f.info.split()[0].lower() in QUERY_FENCES],
        math_blocks=blocks.math_blocks,
        warnings=warnings,
        table_rows=blocks.table_rows,
        crumbs_under=[None] * len(headings),
    )


# A block rule is only worth trying where its syntax can occur: each of these is left out
# of the parse of a text that lacks what it needs (markdown-it tries most rules at every
# block's start, and `table` also at every line of every paragraph). Each one's test is a
# condition without which the rule returns False, with no effect on the parse, in every call
# (markdown-it-py's sources): the tokens are the same with or without it. (A failing lheading
# leaves `parentType` at "paragraph"; it is read only by `list` in its silent calls, whose
# callers set it first.) tests/notes/test_import_speed.py compares the tokens and the cards.
_NEEDS: tuple[tuple[str, Any], ...] = (  # (rule, needs(text, _line_ends(text)))
    ("table", lambda text, ends: "|" in text),  # its header row holds a `|`
    ("fence", lambda text, ends: "```" in text or "~~~" in text),  # three markers in a row
    ("math_block", lambda text, ends: "$$" in text),  # a line starting `$$`
    ("reference", lambda text, ends: "]:" in text),  # `[label]:` (a label ends on its line)
    ("html_block", lambda text, ends: "<" in text),  # a line starting `<`
    # a setext underline: a line ending in `-`s or `=`s and spaces or tabs
    ("lheading", lambda text, ends: "-" in ends or "=" in ends),
    # a rule: a line ending in three or more of one of `*-_`, spaces or tabs between
    ("hr", lambda text, ends: _may_hold_rule(text, ends)),
    ("heading", lambda text, ends: "#" in text),  # a line starting `#`
    ("blockquote", lambda text, ends: ">" in text),  # a line starting `>`
    # indented code: a line indented 4 columns past its block's content, which takes four
    # spaces or a tab (after a `>` too; a list item's content column is its block's own).
    # Without it every rule's `is_code_block` is False as well, as it is in such a text
    ("code", lambda text, ends: "    " in text or "\t" in text),
)


def _line_ends(text: str, lines: list[str] | None = None) -> str:
    """Which of `-=*_` end a line of `text`, its trailing spaces and tabs aside (what the
    regex `[-=*_][ \t]*$`, multi-line, finds). Where no line ends in a space or tab (most
    notes), a few finds: a character just before a newline or at the end. (The regex is
    tried at every offset of the note, and a look at each line costs as much: ~0.2M and
    ~0.13M instructions a note of the benchmark's; the finds ~0.08M.)
    `lines`: text.split("\n"), when the caller has them: each one's last character, taken
    in C (a few finds of two characters each scanned the whole note: ~3x the time)."""
    if lines is not None:
        ends = set(map(_LAST_CHARACTER, lines))
        if " " not in ends and "\t" not in ends:
            return "".join(c for c in _LINE_END_MARKERS if c in ends)
    if " \n" in text or ("\t" in text and "\t\n" in text) or text.endswith((" ", "\t")):
        ends = {line.rstrip(" \t")[-1:] for line in text.split("\n")}
        return "".join(c for c in _LINE_END_MARKERS if c in ends)
    found = "".join(c for c in _LINE_END_MARKERS if c + "\n" in text)
    last = text[-1:]
    return found + last if last and last in _LINE_END_MARKERS else found


_LINE_END_MARKERS = "-=*_"
_LAST_CHARACTER = itemgetter(slice(-1, None))  # "" for an empty line


def _may_hold_rule(text: str, ends: str) -> bool:
    """False only when no line ends in a run of one marker (`*`, `-` or `_`), spaces and
    tabs holding three of that marker: what a thematic break is, inside any containers.
    `ends`: _line_ends(text). Linear: each line is looked at once (a regex for the whole
    rule backtracked quadratically on a long line of `- - - …`)."""
    if "*" not in ends and "_" not in ends and "-" not in ends:
        return False
    for line in text.split("\n"):
        line = line.rstrip(" \t")
        marker = line[-1:]
        if not marker or marker not in "*_-":
            continue
        run = len(line) - len(line.rstrip(marker + " \t"))
        if line.count(marker, len(line) - run) >= 3:
            return True
    return False


_MAX_INSTANCES = 64  # past this many combinations, the full parser (the same tokens)
_md_without: dict[tuple[str, ...], Any] = {}


def markdown_for(text: str, lines: list[str] | None = None) -> Any:
    """`markdown()`, less the block rules that cannot match anywhere in `text` (see
    _NEEDS): the same tokens, for less work. At most _MAX_INSTANCES per process.
    `lines`: text.split("\n"), when the caller has them."""
    if "\r" in text:  # markdown-it's own line ending normalisation: leave it all to it
        return markdown()
    ends = _line_ends(text, lines)
    unused = tuple(rule for rule, needs in _NEEDS if not needs(text, ends))
    if not unused:
        return markdown()
    md = _md_without.get(unused)
    if md is None:
        if len(_md_without) >= _MAX_INSTANCES:
            return markdown()
        markdown()  # the loggers quietened
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        md = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)
        md.disable(["inline", "text_join", *unused])
        _md_without[unused] = md = _by_first_character(md)
    return md


# the block tokens _blocks reads (each branch of its loop): one look skips the others
_READ_TOKENS = frozenset({
    "blockquote_open", "list_item_open", "fence", "code_block", "math_block",
    "math_block_label", "heading_open", "hr", "paragraph_open", "html_block", "table_open"})


def _blocks(body: list[str]) -> _Blocks:
    text = "\n".join(body)
    md = markdown_for(text, body)
    tokens = md.parse(text)
    n = len(body)
    containers: list[tuple[int, int, int]] = []
    verbatim = [False] * n
    breaks: set[int] = set()
    headings: list[tuple[int, int, int, str, str]] = []
    rules: list[int] = []
    fences: list[Fence] = []
    math_blocks: list[tuple[int, int]] = []
    table_rows: set[int] = set()
    for k, tok in enumerate(tokens):
        t = tok.type
        if t not in _READ_TOKENS:  # closing tokens, a paragraph's inline content, list opens
            continue
        mp = tok.map
        if mp is None:
            continue
        start, end = mp[0], min(mp[1], n)
        if t == "blockquote_open":
            containers.append((QUOTE, start, end))
        elif t == "list_item_open":
            containers.append((LIST_ITEM, start, end))
        elif t in ("fence", "code_block", "math_block", "math_block_label"):
            for i in range(start, end):
                verbatim[i] = True
            breaks.update((start, end))
            if t == "fence":
                fences.append(Fence(start, end, tok.info, tok.content))
            elif t.startswith("math_block"):
                math_blocks.append((start, end))
        elif t == "heading_open":
            content = tokens[k + 1].content if k + 1 < len(tokens) else ""
            headings.append((start, end, int(tok.tag[1:] or 1), tok.markup, content))
            breaks.update((start, end))
        elif t == "hr":
            rules.append(start)
            breaks.update((start, end))
        elif t in ("paragraph_open", "html_block", "table_open"):
            breaks.update((start, end))
            if t == "table_open":
                table_rows.update(range(start, end))
    return _Blocks(containers, verbatim, breaks, headings, rules, fences, math_blocks,
                   int(md.options.get("maxNesting", 20)), table_rows)


def _columns(line: str, start: int, end: int) -> int:
    """How many columns line[start:end] takes, a tab to the next multiple of 4."""
    return len(line[:end].expandtabs(4)) - len(line[:start].expandtabs(4))


def _containers(body: list[str], containers: list[tuple[int, int, int]]) -> _Containers:
    """Per line: the containers holding it and where each one's content starts."""
    n = len(body)
    empty: tuple[int, ...] = ()
    kinds = [kind for kind, _, _ in containers]
    if not containers:
        return _Containers(kinds, [empty] * n, [empty] * n, [empty] * n, [0] * n, [empty] * n)
    # only the lines in a container are looked at (most lines of most notes are in none):
    # the others are in no container, with no markers, their content at column 0
    lists: dict[int, list[int]] = {}
    for cid, (_, start, end) in enumerate(containers):
        for i in range(start, min(end, n)):
            held = lists.get(i)
            if held is None:
                lists[i] = [cid]
            else:
                held.append(cid)
    token_paths: list[tuple[int, ...]] = [empty] * n
    paths: list[tuple[int, ...]] = [empty] * n
    columns: list[tuple[int, ...]] = [empty] * n
    content_column: list[int] = [0] * n
    quote_keys: list[tuple[int, ...]] = [empty] * n
    indent: dict[int, int] = {}
    for i in sorted(lists):  # in line order: a list item's first line sets its indent
        token_paths[i] = path = tuple(lists[i])
        line = body[i]
        pos = 0
        cs: list[int] = []
        for cid in path:
            kind, start, _ = containers[cid]
            if kind == QUOTE:
                m = _QUOTE_RE.match(line, pos)
                if m is None:
                    break  # a lazy continuation line: no marker to strip
                pos = m.end()
            elif i == start:
                m = _LIST_ITEM_RE.match(line, pos)
                if m is None:
                    break
                spaces = m.end() - m.end(1)
                lead = (m.end(1) - pos if "\t" not in line[pos : m.end(1)]
                        else _columns(line, pos, m.end(1)))
                indent[cid] = lead + (spaces if 1 <= spaces <= 4 else 1)
                pos = m.end()
                if spaces and cid == path[-1]:  # the innermost item's own checkbox
                    task = _TASK_RE.match(line, pos)
                    if task is not None:
                        pos = task.end()
            else:
                width = indent.get(cid, 2)
                k = w = 0  # characters, columns
                while w < width and pos + k < len(line) and line[pos + k] in " \t":
                    # a tab is to the next multiple of 4 columns, as CommonMark reads it
                    # (Obsidian indents lists with tabs by default)
                    w += 1 if line[pos + k] == " " else 4 - _columns(line, 0, pos + k) % 4
                    k += 1
                if w < width and pos + k < len(line):
                    break  # lazy: not indented under the item
                pos += k
            cs.append(pos)
        paths[i] = path[: len(cs)] if len(cs) < len(path) else path
        columns[i] = tuple(cs)
        content_column[i] = pos
        quote_keys[i] = tuple(c for c in path if kinds[c] == QUOTE)
    return _Containers(kinds, token_paths, paths, columns, content_column, quote_keys)


def _mask(body: list[str], blocks: _Blocks, content_column: list[int]) -> _Masked:
    verbatim = blocks.verbatim
    contents: list[str] = []
    for i in range(len(body)):
        c = body[i][content_column[i] :] if content_column[i] else body[i]
        contents.append(OPAQUE * len(c) if verbatim[i] else c)
    starts: list[int] = []
    pos = 0
    for c in contents:
        starts.append(pos)
        pos += len(c) + 1
    text = "\n".join(contents)
    total = len(text)
    n = len(body)
    breaks = sorted(starts[b] if b < n else total + 1 for b in blocks.breaks)
    result = mask_text(text, breaks, starts)
    return _Masked(contents, starts, text, result.masked, result.masked.split("\n"),
                   result.display_math, result.sr_spans)


def _classify(
    body: list[str], blocks: _Blocks, boxes: _Containers, mask: _Masked, end_marker: str = ""
) -> tuple[list[int], set[int], set[int], list[Callout], list[tuple[int, str]]]:
    """Each line's kind; the headings that are cards; the callouts; a nesting warning."""
    n = len(body)
    masked = mask.masked
    kinds = [TEXT] * n
    heading_line = [False] * n
    demoted: set[int] = set()
    heading_cards: set[int] = set()
    for start, end, _level, markup, _content in blocks.headings:
        if markup.startswith("#") and "::" in unlinked(masked[start]):
            demoted.add(start)
            heading_cards.add(start)
            continue
        if markup in ("=", "-") and (
            end - start > 2 or any("::" in unlinked(masked[i]) for i in range(start, end - 1))
            or (end_marker and masked[end - 1].strip() == end_marker)
        ):
            # `Q::A` or a whole multi-line card directly above a `---` separator, or a
            # paragraph above the end marker: markdown calls it a setext heading, the
            # plugin and its users a card.
            demoted.add(start)
            kinds[end - 1] = BREAK
            continue
        for i in range(start, end):
            heading_line[i] = True
    for i in blocks.rules:
        kinds[i] = BREAK
    callouts: list[Callout] = []
    token_paths, columns = boxes.token_paths, boxes.columns
    for cid, (kind, start, end) in enumerate(blocks.containers):
        if kind != QUOTE or start >= n:
            continue
        path = token_paths[start]
        if cid not in path:
            continue
        d = path.index(cid)
        if len(columns[start]) <= d:
            continue
        m = _CALLOUT_RE.match(body[start], columns[start][d])
        if m:
            column = boxes.content_column[start]
            if column <= m.start(3) and "::" in unlinked(masked[start][m.start(3) - column:]):
                # `> [!tip] Term::Def`: a card in the title, as the plugin reads the line
                heading_cards.add(start)
                continue
            kinds[start] = CALLOUT
            # `[!faq|wide]`: what follows a `|` is the callout's styling, not its type; the
            # plugin's schedule callout keeps its whole name (METADATA_CALLOUT)
            kind = m.group(1).strip().lower()
            if kind != METADATA_CALLOUT:
                kind = kind.split("|", 1)[0].strip()
            callouts.append(Callout(start, end, d + 1, kind, m.group(3)))
    warnings: list[tuple[int, str]] = []
    max_nesting = blocks.max_nesting
    verbatim = blocks.verbatim
    contents = mask.contents
    over_nested_first = -1
    container_kinds, marked = boxes.kinds, boxes.paths
    for i in range(n):
        path = token_paths[i]
        # markdown-it reads no block deeper than max_nesting levels: a quote is one level,
        # a list item two (its list's and its own); past that, `- - - … x::y` was a card
        # with the markers in its front. Counted over the containers whose markers or
        # indentation the line has: a line markdown-it took into such an item but written
        # at the margin (a lazy line, `q::a` under it) is read as before
        if len(path) * 2 >= max_nesting and (
                len(path) >= max_nesting
                or sum(2 if container_kinds[c] == LIST_ITEM else 1 for c in marked[i])
                >= max_nesting):
            kinds[i] = BREAK
            if over_nested_first < 0:
                over_nested_first = i
            continue
        line = masked[i]
        if COMMENT_CHAR in line and not line.replace(COMMENT_CHAR, "").strip():
            kinds[i] = COMMENTED
        elif verbatim[i]:
            kinds[i] = VERBATIM
        elif heading_line[i]:
            kinds[i] = HEADING
        elif kinds[i] != TEXT:
            continue
        elif not contents[i].strip():
            kinds[i] = BLANK
    if over_nested_first >= 0:
        warnings.append((
            over_nested_first,
            f"blockquotes or lists nested deeper than {max_nesting} levels (a list item is"
            " two) are not read",
        ))
    for c in callouts:
        if c.kind == METADATA_CALLOUT and kinds[c.start] == CALLOUT and _only_metadata(
            c, masked, kinds
        ):
            for i in range(c.start, min(c.end, n)):
                kinds[i] = COMMENTED
    return kinds, demoted, heading_cards, callouts, warnings


def _only_metadata(c: Callout, masked: list[str], kinds: list[int]) -> bool:
    """Whether a `> [!sr|card-metadata]` callout holds nothing but schedule comments (and
    block ids): the plugin's hidden box for a card's schedule, which Obsidian never shows."""
    if _is_blank_metadata(HTML_COMMENT_RE.sub("", c.title)):
        return all(
            kinds[i] in (BLANK, COMMENTED)
            or (kinds[i] == TEXT and _is_blank_metadata(masked[i].replace(COMMENT_CHAR, "")))
            for i in range(c.start + 1, min(c.end, len(kinds)))
        )
    return False


def _is_blank_metadata(text: str) -> bool:
    return not TRAILING_BLOCK_ID_RE.sub("", " " + text).strip()


def _headings(blocks: _Blocks, kinds: list[int], demoted: set[int]) -> list[HeadingSpan]:
    headings: list[HeadingSpan] = []
    for start, end, level, _markup, content in blocks.headings:
        if start in demoted or kinds[start] == COMMENTED:
            continue
        # each regex only where its text can match (a substitution scans every offset)
        text = HTML_COMMENT_RE.sub("", content) if "<!--" in content else content
        if "%%" in text:  # `## Why? %%check%%`: an Obsidian comment shows nowhere
            text = _OBSIDIAN_COMMENT_RE.sub("", text)
        if "^" in text:
            text = TRAILING_BLOCK_ID_RE.sub("", text)
        text = text.strip()
        if "#" in text:  # `## Why does X? #flashcards/bio`: the tag sets a deck, it is no text
            text = strip_trailing_tags(text) or text  # (a heading of tags only stays)
        if "[^" in text:  # `## Who was Tribonian?[^1]`: a source cited, the heading still asks
            text = _TRAILING_FOOTNOTES_RE.sub("", text) or text
        headings.append(HeadingSpan(start, end, level, text))
    return headings


def _crumb_stacks(
    headings: list[HeadingSpan], title: str, aliases: list[str] | tuple[()]
) -> tuple[list[int], list[tuple[tuple[int, str], ...]]]:
    # a heading that repeats the note's title or one of its aliases is left out (NoteNames)
    names = NoteNames.of(title, aliases)
    stack: list[tuple[int, str]] = []
    stacks: list[tuple[tuple[int, str], ...]] = []
    for h in headings:
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        stack.append((h.level, h.text))
        stacks.append(tuple(e for e in stack if not names.repeats(e[1])))
    return [h.start for h in headings], stacks
