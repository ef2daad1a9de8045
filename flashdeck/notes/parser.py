"""Turn one markdown note into cards.

The note is read in three layers:

1. markdown-it block tokens (block rules only: no inline parse is needed) give the
   structure with line maps: containers (blockquotes, list items), fenced/indented code
   and `$$` math blocks, headings, rules, callouts.
2. A masked copy of the text hides inline code, math and HTML comments, so card syntax
   found in it is real syntax, and offsets in it index the author's text unchanged.
3. A line scanner finds the explicit cards the way the Obsidian Spaced Repetition plugin
   does (paragraph-like runs of lines, `::`, `?` lines, clozes, `<!--SR:-->` schedules),
   with the plugin's known bugs fixed; derived cards come from frontmatter and structure.

`parse_note` never raises: an unexpected failure becomes an error Problem on the note.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

from flashdeck.notes import _cloze, _phrasing, _tags
from flashdeck.notes._frontmatter import (
    Frontmatter,
    scalar_text,
    split_frontmatter,
    string_list,
    written_list,
)
from flashdeck.notes._mask import COMMENT, OPAQUE, line_of, mask_text
from flashdeck.notes.model import (
    ExerciseBlock,
    Heading,
    ParsedCard,
    ParsedNote,
    ParserSettings,
    Problem,
    SRSeed,
)

__all__ = ["parse_note", "might_be_tagged"]

# line kinds
_BLANK, _TEXT, _OPAQUE, _HEADING, _BREAK, _CALLOUT, _COMMENT = range(7)
_RUNNABLE = (_TEXT, _OPAQUE, _COMMENT)
# container kinds
_BQ, _LI = 0, 1

_BQ_RE = re.compile(r"[ \t]{0,3}>[ \t]?")
_LI_RE = re.compile(r"([ \t]*(?:[-+*]|\d{1,9}[.)]))([ \t]*)")
_CALLOUT_RE = re.compile(r"\[!([^\]]+)\]([+-]?)[ \t]*(.*)")
_QUESTION_CALLOUTS = frozenset({"question", "faq", "help"})
_BLOCK_ID_RE = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+(?=[ \t\x02]*$)", re.M)
_COMMENT_RUN_RE = re.compile(COMMENT + "+")
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_TAG_ONLY_LINE_RE = re.compile(r"[ \t]*(?:#[\w/-]+[ \t]*)+")
_TRAILING_BLOCK_ID_RE = re.compile(r"[ \t]+\^[A-Za-z0-9-]+[ \t]*$")
_ATX_OPEN_RE = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]+|$)")
_ATX_CLOSE_RE = re.compile(r"[ \t]+#+[ \t]*$")
_INTRO_MAX = 200  # characters of an introducing sentence used as a formula's front
_DERIVED = frozenset({"summary", "aliases", "formula", "question"})
_INTERNAL_ERROR = "internal error while parsing this note"
# A cloze paragraph makes one card per deletion, each holding the whole paragraph:
# bound the total so a pathological megabyte paragraph cannot explode memory.
_MAX_CLOZE_CARDS = 200
_MAX_CLOZE_OUTPUT = 8_000_000

_md_instance: Any = None


def _markdown() -> Any:
    """One MarkdownIt per process, block rules only (we never need inline tokens)."""
    global _md_instance
    if _md_instance is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        md = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)
        md.disable(["inline", "text_join"])
        _md_instance = md
    return _md_instance


def might_be_tagged(text: str, settings: ParserSettings) -> bool:
    """Cheap pre-filter (no markdown parse): False only when the note certainly carries
    none of settings.tags, in frontmatter or inline (nested tags count)."""
    return _tags.might_carry(text, settings.tags)


def parse_note(
    text: str,
    path: str,
    settings: ParserSettings = ParserSettings(),
    title: str | None = None,
) -> ParsedNote:
    """Never raises, on any str. `text` is already decoded (no BOM); CR and CRLF line
    endings are read as LF, as markdown-it reads them (its lines and ours must agree).
    title: frontmatter `title`, else `title` arg, else the stem of `path`."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return _NoteParser(text, path, settings, title).run()
    except Exception as e:  # a bug must cost one note, never the whole import
        note = ParsedNote(path=path, title=title or _stem(path))
        note.problems.append(Problem(path, 1, f"{_INTERNAL_ERROR}: {type(e).__name__}: {e}"))
        return note


def _stem(path: str) -> str:
    name = PurePath(path.replace("\\", "/")).name
    return name[:-3] if name.lower().endswith(".md") else PurePath(name).stem or name


@dataclass(slots=True)
class _Pending:
    kind: str
    front: str
    back: str
    line: int  # 1-based file line
    block: str
    ordinal: int = 0
    sr: SRSeed | None = None
    deck: str | None = None  # from a leading tag on the card line
    crumbs: tuple[str, ...] = ()
    alt_front: str = ""  # a derived card's front with its heading, for when fronts clash


@dataclass(slots=True)
class _HeadingInfo:
    start: int  # body line index
    end: int
    level: int
    text: str


@dataclass(slots=True)
class _SRComment:
    line: int  # body line index
    seeds: list[SRSeed | None]
    used: bool = False
    alone: bool = True  # nothing but blanks before it on its line


@dataclass(slots=True)
class _Structure:
    containers: list[tuple[int, int, int]] = field(default_factory=list)  # kind, start, end
    opaque: list[bool] = field(default_factory=list)
    breaks: set[int] = field(default_factory=set)
    headings: list[tuple[int, int, int, str, str]] = field(default_factory=list)
    hr: list[int] = field(default_factory=list)
    fences: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, info, content
    math_blocks: list[tuple[int, int]] = field(default_factory=list)


class _NoteParser:
    def __init__(self, text: str, path: str, settings: ParserSettings, title: str | None):
        self.text = text
        self.path = path
        self.settings = settings
        self.title_arg = title
        self.problems: list[Problem] = []
        self.pending: list[_Pending] = []
        self.card_lines: list[tuple[int, int]] = []  # body ranges of explicit cards
        # body lines of `::` and `?` cards: not part of a question section's answer
        self.qa_lines: set[int] = set()

    # ------------------------------------------------------------------ driver
    def run(self) -> ParsedNote:
        fm = split_frontmatter(self.text.split("\n"), self.path)
        self.problems.extend(fm.problems)
        self.offset = fm.offset
        self.body = fm.body_lines
        self.n = len(self.body)
        note = self._note_meta(fm)
        self.title_key = note.title.strip().casefold()

        struct = self._structure()
        self._containers_and_columns(struct)
        self._mask(struct)
        self._classify(struct)
        self._read_headings(struct)
        self._scan_explicit()
        if _derive_enabled(note.frontmatter):
            self._derive(note, fm, struct)
        self._read_tags(note, fm)
        self._finish(note, struct)
        return note

    def _file_line(self, idx: int) -> int:
        return self.offset + idx + 1

    def _warn(self, idx: int, message: str) -> None:
        self.problems.append(Problem(self.path, self._file_line(idx), message, "warning"))

    # ------------------------------------------------------------ frontmatter
    def _note_meta(self, fm: Frontmatter) -> ParsedNote:
        data = fm.data
        title = scalar_text(data.get("title"), fm.written.get("title"))
        title = title or (self.title_arg or "").strip()
        note = ParsedNote(path=self.path, title=title or _stem(self.path), frontmatter=data)
        key = "aliases" if "aliases" in data else "alias"
        note.aliases = written_list(data.get(key), fm.written.get(key))
        if "exercises" in data and data["exercises"] is not None:
            note.exercises = string_list(data["exercises"])
        return note

    # -------------------------------------------------------------- structure
    def _structure(self) -> _Structure:
        md = _markdown()
        tokens = md.parse("\n".join(self.body))
        self.max_nesting = int(md.options.get("maxNesting", 20))
        n = self.n
        s = _Structure(opaque=[False] * n)
        for k, tok in enumerate(tokens):
            mp = tok.map
            if mp is None:
                continue
            start, end = mp[0], min(mp[1], n)
            t = tok.type
            if t == "blockquote_open":
                s.containers.append((_BQ, start, end))
            elif t == "list_item_open":
                s.containers.append((_LI, start, end))
            elif t in ("fence", "code_block", "math_block", "math_block_label"):
                for i in range(start, end):
                    s.opaque[i] = True
                s.breaks.update((start, end))
                if t == "fence":
                    s.fences.append((start, end, tok.info, tok.content))
                elif t.startswith("math_block"):
                    s.math_blocks.append((start, end))
            elif t == "heading_open":
                content = tokens[k + 1].content if k + 1 < len(tokens) else ""
                s.headings.append((start, end, int(tok.tag[1:] or 1), tok.markup, content))
                s.breaks.update((start, end))
            elif t == "hr":
                s.hr.append(start)
                s.breaks.update((start, end))
            elif t in ("paragraph_open", "html_block", "table_open"):
                s.breaks.update((start, end))
        return s

    def _containers_and_columns(self, s: _Structure) -> None:
        """Per line: the containers holding it and where each one's content starts.

        `tok_paths` are the containers markdown-it puts a line in; `paths` keep only those
        whose marker is really on the line (`>` or the list item's indent): a lazy
        continuation line (`- Q` then an unindented `?`) has a shorter `paths` entry.
        """
        n = self.n
        empty: tuple[int, ...] = ()
        self._container_kinds = [kind for kind, _, _ in s.containers]
        if not s.containers:
            self.tok_paths = self.paths = [empty] * n
            self.cols = [empty] * n
            self.ccol = [0] * n
            self.bq_keys = [empty] * n
            return
        lists: list[list[int]] = [[] for _ in range(n)]
        for cid, (_, start, end) in enumerate(s.containers):
            for i in range(start, end):
                lists[i].append(cid)
        self.tok_paths = [tuple(p) if p else empty for p in lists]
        self.paths = []
        self.cols = []
        self.ccol = []
        indent: dict[int, int] = {}
        for i in range(n):
            path = self.tok_paths[i]
            if not path:
                self.paths.append(empty)
                self.cols.append(empty)
                self.ccol.append(0)
                continue
            line = self.body[i]
            pos = 0
            cs: list[int] = []
            for cid in path:
                kind, start, _ = s.containers[cid]
                if kind == _BQ:
                    m = _BQ_RE.match(line, pos)
                    if m is None:
                        break  # a lazy continuation line: no marker to strip
                    pos = m.end()
                elif i == start:
                    m = _LI_RE.match(line, pos)
                    if m is None:
                        break
                    spaces = m.end() - m.end(1)
                    indent[cid] = (m.end(1) - pos) + (spaces if 1 <= spaces <= 4 else 1)
                    pos = m.end()
                else:
                    width = indent.get(cid, 2)
                    k = 0
                    while k < width and pos + k < len(line) and line[pos + k] in " \t":
                        k += 1
                    if k < width and pos + k < len(line):
                        break  # lazy: not indented under the item
                    pos += k
                cs.append(pos)
            self.paths.append(path[: len(cs)] if len(cs) < len(path) else path)
            self.cols.append(tuple(cs))
            self.ccol.append(pos)
        kinds = self._container_kinds
        self.bq_keys = [
            tuple(c for c in p if kinds[c] == _BQ) if p else empty for p in self.tok_paths
        ]

    def _col(self, i: int, depth: int) -> int:
        if depth <= 0:
            return 0
        cs = self.cols[i]
        if not cs:
            return 0
        return cs[min(depth, len(cs)) - 1]

    def _mask(self, s: _Structure) -> None:
        contents: list[str] = []
        for i in range(self.n):
            c = self.body[i][self.ccol[i] :] if self.ccol[i] else self.body[i]
            contents.append(OPAQUE * len(c) if s.opaque[i] else c)
        self.contents = contents
        starts: list[int] = []
        pos = 0
        for c in contents:
            starts.append(pos)
            pos += len(c) + 1
        self.line_starts = starts
        self.joined = "\n".join(contents)
        total = len(self.joined)
        breaks = sorted(starts[b] if b < self.n else total + 1 for b in s.breaks)
        result = mask_text(self.joined, breaks, starts)
        self.masked_joined = result.masked
        self.mc = result.masked.split("\n")
        self.display_math = result.display_math
        self.sr_comments: list[_SRComment] = []
        for start, end in result.sr_spans:
            idx = line_of(starts, start)
            # alone on its line, callout/quote markers aside
            alone = not self.joined[starts[idx]:start].replace(">", "").strip()
            self.sr_comments.append(
                _SRComment(idx, self._sr_seeds(idx, self.joined[start:end]), alone=alone))
        self.sr_lines = [c.line for c in self.sr_comments]

    def _sr_seeds(self, idx: int, comment: str) -> list[SRSeed | None]:
        """One seed per `!` group of the comment (SM-2 or FSRS form); a group out of range
        is a warning on this line and its card starts new."""
        from flashdeck.notes._schedule import parse_schedule_comment

        seeds, warnings = parse_schedule_comment(comment)
        for message in warnings:
            self._warn(idx, message)
        return seeds

    def _classify(self, s: _Structure) -> None:
        n = self.n
        kinds = [_TEXT] * n
        heading_line = [False] * n
        self.demoted: set[int] = set()
        self.heading_cards: set[int] = set()  # `## Term::Def`: a card, as in the plugin
        for start, end, _level, markup, _content in s.headings:
            if markup.startswith("#") and "::" in self.mc[start]:
                self.demoted.add(start)
                self.heading_cards.add(start)
                continue
            if markup in ("=", "-") and (
                end - start > 2 or any("::" in self.mc[i] for i in range(start, end - 1))
            ):
                # `Q::A` or a whole multi-line card directly above a `---` separator:
                # markdown calls it a setext heading, the plugin and its users a card.
                self.demoted.add(start)
                kinds[end - 1] = _BREAK
                continue
            for i in range(start, end):
                heading_line[i] = True
        for i in s.hr:
            kinds[i] = _BREAK
        self.callouts: list[tuple[int, int, int, str, str]] = []  # start, end, depth, type, title
        for cid, (kind, start, end) in enumerate(s.containers):
            if kind != _BQ or start >= n:
                continue
            path = self.tok_paths[start]
            if cid not in path:
                continue
            d = path.index(cid)
            if len(self.cols[start]) <= d:
                continue
            m = _CALLOUT_RE.match(self.body[start], self.cols[start][d])
            if m:
                kinds[start] = _CALLOUT
                self.callouts.append((start, end, d + 1, m.group(1).strip().lower(), m.group(3)))
        over_nested_first = -1
        for i in range(n):
            if len(self.tok_paths[i]) >= self.max_nesting:
                kinds[i] = _BREAK
                if over_nested_first < 0:
                    over_nested_first = i
                continue
            mc = self.mc[i]
            if COMMENT in mc and not mc.replace(COMMENT, "").strip():
                kinds[i] = _COMMENT
            elif s.opaque[i]:
                kinds[i] = _OPAQUE
            elif heading_line[i]:
                kinds[i] = _HEADING
            elif kinds[i] != _TEXT:
                continue
            elif not self.contents[i].strip():
                kinds[i] = _BLANK
        if over_nested_first >= 0:
            self._warn(
                over_nested_first,
                f"blockquotes or lists nested deeper than {self.max_nesting} levels are not read",
            )
        self.kinds = kinds

    def _read_headings(self, s: _Structure) -> None:
        self.headings: list[_HeadingInfo] = []
        for start, end, level, _markup, content in s.headings:
            if start in self.demoted or self.kinds[start] == _COMMENT:
                continue
            text = _HTML_COMMENT_RE.sub("", content)
            text = _TRAILING_BLOCK_ID_RE.sub("", text).strip()
            self.headings.append(_HeadingInfo(start, end, level, text))
        self.heading_starts = [h.start for h in self.headings]
        stack: list[tuple[int, str]] = []
        self.crumb_stacks: list[tuple[tuple[int, str], ...]] = []
        for h in self.headings:
            while stack and stack[-1][0] >= h.level:
                stack.pop()
            stack.append((h.level, h.text))
            # a heading that repeats the note's title (`# ROC AUC` in ROC AUC.md) says
            # nothing the title does not: not shown as "ROC AUC › ROC AUC"
            self.crumb_stacks.append(
                tuple(e for e in stack if e[1].casefold() != self.title_key))

    def _crumbs(self, idx: int, below_level: int = 99) -> tuple[str, ...]:
        """Headings above body line `idx`, outermost first (only levels < below_level)."""
        k = bisect_left(self.heading_starts, idx) - 1
        if k < 0:
            return ()
        return tuple(text for level, text in self.crumb_stacks[k] if level < below_level)

    # ---------------------------------------------------------- text building
    def _joined(self, idxs: list[int], depth: int) -> tuple[str, str]:
        """Source and mask of lines, stripped of `depth` container prefixes (`>`, `- `)."""
        origs: list[str] = []
        masks: list[str] = []
        for i in idxs:
            col = self._col(i, depth)
            line = self.body[i]
            ccol = self.ccol[i]
            origs.append(line[col:])
            masks.append(line[col:ccol] + self.mc[i] if col < ccol else self.mc[i][col - ccol :])
        return "\n".join(origs), "\n".join(masks)

    def _common_depth(self, idxs: list[int]) -> int:
        first = self.paths[idxs[0]]
        depth = len(first)
        for i in idxs[1:]:
            p = self.paths[i]
            k = 0
            limit = min(depth, len(p))
            while k < limit and p[k] == first[k]:
                k += 1
            depth = k
            if depth == 0:
                break
        return depth

    def _leading_tags(self, masked: str, pos: int = 0) -> tuple[str | None, int]:
        """Leading `#tags` on a card's first line, removed from its text as the plugin
        does: the deck of the first flashcard tag among them, and where the text starts."""
        deck: str | None = None
        while True:
            m = _tags.LEADING_TAG_RE.match(masked, pos)
            if m is None:
                break
            tag = _tags.clean_tag(m.group(1))
            if not tag:
                break
            if deck is None and _tags.is_flashcard_tag(tag, self.settings.tags):
                deck = tag
            pos = m.end()
        return deck, pos

    def _take_sr(self, first: int, last: int) -> list[SRSeed | None]:
        """The plugin's schedule comment of a card on lines first..last (or the next line)."""
        k = bisect_left(self.sr_lines, first)
        while k < len(self.sr_comments) and self.sr_lines[k] <= last + 1:
            comment = self.sr_comments[k]
            if comment.line > last and not comment.alone:
                k += 1  # on the next line after other text: it is that line's card's
                continue
            if not comment.used:
                comment.used = True
                return comment.seeds
            k += 1
        return []

    # ---------------------------------------------------------- explicit cards
    def _scan_explicit(self) -> None:
        kinds = self.kinds
        marker = self.settings.multiline_end_marker.strip()
        self.marker_lines = (
            [i for i in range(self.n) if kinds[i] != _OPAQUE and self.mc[i].strip() == marker]
            if marker
            else []
        )
        self.marker_set = set(self.marker_lines)
        i = 0
        n = self.n
        while i < n:
            if kinds[i] not in (_TEXT, _OPAQUE):
                i += 1
                continue
            # A run: non-blank lines inside the same blockquote (a quote or callout
            # starts its own paragraph, a list item does not: the plugin reads a list of
            # clozes as one paragraph and so does its schedule comment).
            key = self.bq_keys[i]
            e = i + 1
            while e < n and kinds[e] in _RUNNABLE and self.bq_keys[e] == key:
                e += 1
            i = self._scan_run(i, e)

    def _is_inline(self, i: int) -> bool:
        return self.kinds[i] == _TEXT and "::" in self.mc[i]

    def _sep(self, i: int) -> str | None:
        if self.kinds[i] != _TEXT:
            return None
        s = self.mc[i].strip()
        return s if s in ("?", "??") else None

    def _scan_run(self, p: int, e: int) -> int:
        """Cards in lines p..e-1 (a run of non-blank lines); returns where to go on."""
        while p < e:
            if self.kinds[p] == _COMMENT:
                p += 1
                continue
            if self._is_inline(p):
                self._emit_inline(p)
                p += 1
                continue
            q = p
            while (q < e and not self._is_inline(q) and self._sep(q) is None
                   and q not in self.marker_set):
                q += 1
            if q < e and q in self.marker_set:  # an end marker ends a cloze paragraph too
                self._emit_cloze(p, q)
                p = q + 1
                continue
            sep = self._sep(q) if q < e else None
            if sep is None:
                self._emit_cloze(p, q)
                p = q
                continue
            nxt = self._emit_multiline(p, q, e, sep)
            if nxt > e:
                return nxt
            p = nxt
        return e

    def _emit_inline(self, i: int) -> None:
        ccol = self.ccol[i]
        orig = self.body[i][ccol:]
        masked = self.mc[i]
        start = 0
        if i in self.heading_cards:  # `## Term::Def` loses its `#`s and closing `#`s
            opener = _ATX_OPEN_RE.match(masked)
            start = opener.end() if opener else 0
            closer = _ATX_CLOSE_RE.search(masked)
            if closer is not None and closer.start() > start:
                orig, masked = orig[: closer.start()], masked[: closer.start()]
        deck, cut = self._leading_tags(masked, start)
        sep = ":::" if ":::" in masked[cut:] else "::"
        at = masked.find(sep, cut)
        cloze = self.settings.cloze
        front = _render(orig[cut:at], masked[cut:at], cloze=cloze)
        back = _render(orig[at + len(sep) :], masked[at + len(sep) :], cloze=cloze)
        self.card_lines.append((i, i + 1))
        self.qa_lines.add(i)
        seeds = self._take_sr(i, i)
        if not front or not back:
            self._warn(i, f"card has an empty {'front' if not front else 'back'}; skipped")
            return
        self._emit_pair(i, sep == ":::", front, back, seeds, deck)

    def _emit_multiline(self, p: int, q: int, e: int, sep: str) -> int:
        """A `?`/`??` card around separator line q; returns the line after its back."""
        path = self.paths[q]
        depth = len(path)
        f0 = q
        while f0 > p and self.paths[f0 - 1][:depth] == path:
            f0 -= 1
        if f0 > p:
            self._emit_cloze(p, f0)
        front_idx = [i for i in range(f0, q) if self.kinds[i] != _COMMENT]
        if not front_idx:
            self._warn(q, "card has an empty front (nothing above the '?' line); skipped")
            return q + 1
        end, nxt = self._back_end(q, e, path)
        back_idx = [i for i in range(q + 1, end) if self.kinds[i] != _COMMENT]
        self.card_lines.append((f0, end))
        self.qa_lines.update(range(f0, nxt))
        seeds = self._take_sr(f0, nxt - 1)
        fo, fm = self._joined(front_idx, self._common_depth(front_idx))
        deck, cut = self._leading_tags(fm)
        cloze = self.settings.cloze
        front = _render(fo[cut:], fm[cut:], cloze=cloze)
        back = ""
        if back_idx:
            bo, bm = self._joined(back_idx, self._common_depth(back_idx))
            back = _render(bo, bm, cloze=cloze)
        if not front or not back:
            self._warn(f0, f"card has an empty {'front' if not front else 'back'}; skipped")
            return nxt
        self._emit_pair(front_idx[0], sep == "??", front, back, seeds, deck)
        return nxt

    def _emit_pair(self, idx: int, reversed_: bool, front: str, back: str,
                   seeds: list[SRSeed | None], deck: str | None) -> None:
        """A basic card, or a reversed pair (siblings of one block), starting at body line idx."""
        line = self._file_line(idx)
        block = f"L{line}"
        crumbs = self._crumbs(idx)
        if reversed_:
            self.pending.append(
                _Pending("reversed", front, back, line, block, 0, _seed(seeds, 0), deck, crumbs))
            self.pending.append(
                _Pending("reversed", back, front, line, block, 1, _seed(seeds, 1), deck, crumbs))
        else:
            self.pending.append(
                _Pending("basic", front, back, line, block, 0, _seed(seeds, 0), deck, crumbs))

    def _back_end(self, q: int, e: int, path: tuple[int, ...]) -> tuple[int, int]:
        """(end of the back, line to continue at) for the separator on line q."""
        if self.marker_lines:
            k = bisect_right(self.marker_lines, q)
            if k < len(self.marker_lines):
                m = self.marker_lines[k]
                return m, m + 1
        depth = len(path)
        b = q + 1
        # The back ends at a blank line, or where the card's list item / quote ends.
        while b < e and self.paths[b][:depth] == path:
            b += 1
        return b, b

    def _emit_cloze(self, a: int, b: int) -> None:
        kinds = self.settings.cloze
        idxs = [i for i in range(a, b) if self.kinds[i] != _COMMENT]
        if not idxs or not any(_cloze.has_cloze_marker(self.mc[i], kinds) for i in idxs):
            return
        depth = self._common_depth(idxs)
        orig, masked = self._joined(idxs, depth)
        deck, cut = self._leading_tags(masked)
        orig, masked = orig[cut:], masked[cut:]
        deletions = _cloze.find_deletions(orig, masked, kinds)
        if not deletions:
            return
        self.card_lines.append((a, b))
        seeds = self._take_sr(a, b - 1)
        limit = min(_MAX_CLOZE_CARDS, max(1, _MAX_CLOZE_OUTPUT // max(1, len(orig))))
        cards, total = _cloze.expand(deletions, limit)
        if total > limit:
            self._warn(
                idxs[0], f"paragraph has {total} cloze cards; only the first {limit} are made"
            )
        line = self._file_line(idxs[0])
        crumbs = self._crumbs(idxs[0])
        for card in cards:
            front = _render(orig, masked, card.replacements)
            back = _render(orig, masked, card.back_replacements)
            sr = _seed(seeds, card.sr_index) if card.sr_index >= 0 else None
            self.pending.append(
                _Pending("cloze", front, back, line, f"L{line}", card.ordinal, sr, deck, crumbs)
            )

    # ----------------------------------------------------------- derived cards
    def _derive(self, note: ParsedNote, fm: Frontmatter, s: _Structure) -> None:
        title = note.title
        cloze = self.settings.cloze
        summary = _plain_cloze(scalar_text(fm.data.get("summary"), fm.written.get("summary")),
                               cloze)
        if summary:
            line = fm.key_lines.get("summary", 1)
            self.pending.append(
                _Pending("summary", _phrasing.summary_front(title), summary, line,
                         f"summary:L{line}"))
        if note.aliases:
            key = "aliases" if "aliases" in fm.data else "alias"
            line = fm.key_lines.get(key, 1)
            self.pending.append(
                _Pending("aliases", _phrasing.aliases_front(title, len(note.aliases)),
                         ", ".join(note.aliases), line, f"aliases:L{line}"))
        # Lines that are other cards' sources: no derived answer may include them.
        sources = self._card_sources(s)
        taken = set(sources)
        callouts = [c for c in self.callouts
                    if c[3] in _QUESTION_CALLOUTS and self.kinds[c[0]] == _CALLOUT]
        for start, end, _depth, _ctype, _title in callouts:
            taken.update(range(start, end))
        taken.update(self._derive_formulas(title, s, taken))
        self._derive_question_callouts(callouts, sources)
        self._derive_question_headings(taken)

    def _card_sources(self, s: _Structure) -> set[int]:
        """Body lines no explanation may show: explicit cards (`::`, `?`, clozes),
        exercise blocks, lines of nothing but tags, comments."""
        taken: set[int] = set(self.qa_lines)
        for a, b in self.card_lines:
            taken.update(range(a, b))
        for start, end, info, _content in s.fences:
            if info.split()[:1] == ["flashdeck-exercise"]:
                taken.update(range(start, end))
        for i in range(self.n):
            kind = self.kinds[i]
            if kind == _COMMENT or (kind == _TEXT and "#" in self.mc[i]
                                    and _TAG_ONLY_LINE_RE.fullmatch(self.mc[i])):
                taken.add(i)
        return taken

    def _in_list(self, i: int) -> bool:
        return any(self._container_kinds[c] == _LI for c in self.tok_paths[i])

    def _intro(self, start: int) -> str:
        """The sentence that introduces the block at body line `start`: the line just
        above it (blank lines aside), when it is prose ending with a colon."""
        j = start - 1
        while j >= 0 and self.kinds[j] == _BLANK and start - j <= 2:
            j -= 1
        if j < 0 or self.kinds[j] != _TEXT or self._in_list(j) or j in self.qa_lines:
            return ""
        text = _render(self.contents[j], self.mc[j], cloze=self.settings.cloze)
        if not text.endswith(":") or len(text) > 4 * _INTRO_MAX:
            return ""
        sentence = re.split(r"(?<=[.!?])\s+", text)[-1]
        return sentence if len(sentence) <= _INTRO_MAX else ""

    def _formula(self, title: str, start: int, back: str) -> None:
        if not back:
            return
        crumbs = self._crumbs(start)
        line = self._file_line(start)
        intro = self._intro(start)
        heading = " › ".join(crumbs)
        front = _phrasing.formula_front(back, title, heading, intro)
        alt = _phrasing.formula_front(back, title, heading, intro, with_heading=True)
        self.pending.append(
            _Pending("formula", front, back, line, f"formula:L{line}", crumbs=crumbs,
                     alt_front=alt))

    def _derive_formulas(self, title: str, s: _Structure, taken: set[int]) -> set[int]:
        """Formula cards from display math standing on its own; returns their lines.
        Math that is part of another card (a `?` card's back, a question callout) is that
        card's, not a card of its own."""
        found: list[tuple[int, int, str]] = []
        for start, end in s.math_blocks:
            if self.kinds[start] == _COMMENT or self._in_list(start) or start in taken:
                continue
            idxs = list(range(start, end))
            orig, _masked = self._joined(idxs, len(self.paths[start]))
            found.append((start, end, orig.strip()))
        for start, end in self.display_math:
            first = line_of(self.line_starts, start)
            last = line_of(self.line_starts, end - 1)
            if self.kinds[first] != _TEXT or self._in_list(first) or first in taken:
                continue
            before = self.joined[self.line_starts[first] : start]
            after_end = self.line_starts[last] + len(self.contents[last])
            after = self.joined[end:after_end]
            if before.strip() or after.strip():
                continue  # inside a sentence
            found.append((first, last + 1, self.joined[start:end]))
        found.sort(key=lambda x: x[0])
        lines: set[int] = set()
        for start, end, back in found:
            self._formula(title, start, back)
            lines.update(range(start, end))
        return lines

    def _section_text(self, first: int, end: int, depth: int, taken: set[int],
                      also: set[int] | frozenset[int] = frozenset()) -> str:
        """The section's markdown: its explanation only. Other cards' sources (`taken`,
        `also`) are left out, and so are the blank lines their removal leaves doubled."""
        idxs: list[int] = []
        blank = True
        for i in range(first, end):
            if i in taken or i in also:
                continue
            if self.kinds[i] == _BLANK:
                if blank:
                    continue
                blank = True
            else:
                blank = False
            idxs.append(i)
        if not idxs:
            return ""
        orig, masked = self._joined(idxs, depth)
        return _render(orig, masked, keep_indent=True, cloze=self.settings.cloze)

    def _derive_question_headings(self, taken: set[int]) -> None:
        hs = self.headings
        ends: list[int] = []
        for k, h in enumerate(hs):
            stop = self.n
            for later in hs[k + 1 :]:
                if later.level <= h.level:
                    stop = later.start
                    break
            ends.append(stop)
        questions = [k for k, h in enumerate(hs) if h.text.endswith("?")]
        starts = [hs[k].start for k in questions]
        for q, k in enumerate(questions):
            h = hs[k]
            stop = ends[k]
            # a question heading inside this section is a card of its own (headings nest
            # at most six deep, so these ranges add up to a few times the note)
            inner: set[int] = set()
            j = q + 1
            while j < len(questions) and starts[j] < stop:
                inner.update(range(starts[j], ends[questions[j]]))
                j = bisect_left(starts, ends[questions[j]], j + 1)
            back = self._section_text(h.end, stop, len(self.paths[h.start]), taken, inner)
            line = self._file_line(h.start)
            if not back:
                if not any(h.end <= i < stop for i in taken):
                    self._warn(h.start, "question heading has nothing under it; no card")
                continue
            crumbs = self._crumbs(h.start, h.level)
            alt = _phrasing.distinct_front(h.text, " › ".join(crumbs), 0) if crumbs else ""
            self.pending.append(
                _Pending("question", h.text, back, line, f"question:L{line}", crumbs=crumbs,
                         alt_front=alt)
            )

    def _derive_question_callouts(
        self, callouts: list[tuple[int, int, int, str, str]], taken: set[int]
    ) -> None:
        """`> [!question] Title` cards; `taken` holds the sources of the explicit cards,
        which stay out of a callout's answer as out of a heading's."""
        for start, end, depth, _ctype, title in callouts:
            front = _TRAILING_BLOCK_ID_RE.sub("", _HTML_COMMENT_RE.sub("", title)).strip()
            back = self._section_text(start + 1, end, depth, taken)
            if not front or not back:
                what = "title" if not front else "body"
                self._warn(start, f"question callout has no {what}; no card")
                continue
            line = self._file_line(start)
            crumbs = self._crumbs(start)
            alt = _phrasing.distinct_front(front, " › ".join(crumbs), 0) if crumbs else ""
            self.pending.append(
                _Pending("question", front, back, line, f"callout:L{line}", crumbs=crumbs,
                         alt_front=alt)
            )

    # ------------------------------------------------------------ tags, decks
    def _read_tags(self, note: ParsedNote, fm: Frontmatter) -> None:
        settings_tags = self.settings.tags
        raw_fm = fm.data.get("tags", fm.data.get("tag"))
        fm_tags = [t for t in (_tags.clean_tag(x) for x in string_list(raw_fm, True)) if t]
        seen: set[str] = set()
        all_tags: list[str] = []

        def add(tag: str) -> None:
            folded = tag.casefold()
            if folded not in seen:
                seen.add(folded)
                all_tags.append(tag)

        for tag in fm_tags:
            add(tag)
        # Tags on a card's lines name that card's deck only (as in the plugin), except a
        # line holding nothing but tags: written above a card, it reads as a section tag.
        on_card = [False] * self.n
        for a, b in self.card_lines:
            for i in range(a, min(b, self.n)):
                on_card[i] = _TAG_ONLY_LINE_RE.fullmatch(self.mc[i]) is None
        context: list[tuple[int, str]] = []  # (file line, deck) of tag lines, outside cards
        any_card_tag: str | None = None
        last_line = -1
        masked = self.masked_joined
        if "#" in masked:
            for m in _tags.TAG_RE.finditer(masked):
                tag = _tags.clean_tag(m.group(1))
                if not tag:
                    continue
                add(tag)
                if not _tags.is_flashcard_tag(tag, settings_tags):
                    continue
                idx = line_of(self.line_starts, m.start())
                if on_card[idx]:
                    any_card_tag = any_card_tag or tag
                    continue
                if idx != last_line:  # the first flashcard tag of a line names its deck
                    context.append((self._file_line(idx), tag))
                    last_line = idx
        note.tags = all_tags
        fm_deck = next((t for t in fm_tags if _tags.is_flashcard_tag(t, settings_tags)), None)
        note.tagged = fm_deck is not None or bool(context) or any_card_tag is not None
        self.context_tags = context
        self.context_lines = [line for line, _ in context]
        self.fm_deck = fm_deck
        self.fallback_deck = (
            context[0][1] if context else any_card_tag or _tags.default_deck(settings_tags)
        )

    def _deck(self, card: _Pending) -> str:
        settings = self.settings
        if settings.decks == "folders":
            folder = settings.folder.replace("\\", "/").strip("/")
            return folder or _tags.default_deck(settings.tags)
        if card.deck:
            return card.deck
        k = bisect_left(self.context_lines, card.line) - 1
        if k >= 0:
            return self.context_tags[k][1]
        if self.fm_deck:
            return self.fm_deck
        return self.fallback_deck

    # ---------------------------------------------------------------- output
    def _finish(self, note: ParsedNote, s: _Structure) -> None:
        note.headings = [
            Heading(h.level, h.text, self._file_line(h.start)) for h in self.headings
        ]
        for start, _end, info, content in s.fences:
            if info.split()[:1] == ["flashdeck-exercise"] and self.kinds[start] != _COMMENT:
                note.exercise_blocks.append(ExerciseBlock(self._file_line(start), content))
        order = sorted(range(len(self.pending)), key=lambda k: self.pending[k].line)
        _distinct_fronts([self.pending[k] for k in order])
        for k in order:
            c = self.pending[k]
            note.cards.append(
                ParsedCard(
                    kind=c.kind,
                    front=c.front,
                    back=c.back,
                    line=c.line,
                    deck=self._deck(c),
                    block=c.block,
                    ordinal=c.ordinal,
                    breadcrumb=c.crumbs,
                    sr=c.sr,
                )
            )
        self.problems.sort(key=lambda p: p.line)  # stable: a line's problems in order found
        note.problems = self.problems


def _derive_enabled(frontmatter: dict[str, Any]) -> bool:
    options = frontmatter.get("flashdeck")
    if isinstance(options, dict):
        return options.get("derive", True) is not False
    return True


def _distinct_fronts(cards: list[_Pending]) -> None:
    """No two cards of a note share a front: a derived card whose front another card has
    is asked with its heading; if that is not enough, numbered in note order. Explicit
    cards are the author's words and stay as written."""
    def clashes() -> list[_Pending]:
        count: dict[str, int] = {}
        for c in cards:
            count[c.front] = count.get(c.front, 0) + 1
        return [c for c in cards if c.kind in _DERIVED and count[c.front] > 1]

    clashing = clashes()
    if not clashing:
        return
    for c in clashing:
        if c.alt_front:
            c.front = c.alt_front
    seen: dict[str, int] = {c.front: 0 for c in cards if c.kind not in _DERIVED}
    for c in cards:
        if c.kind not in _DERIVED:
            continue
        n = seen.get(c.front)
        if n is None:
            seen[c.front] = 1
            continue
        base = c.front
        k = max(n, 1) + 1
        while f"{base} ({k})" in seen:
            k += 1
        seen[base] = k
        c.front = f"{base} ({k})"
        seen[c.front] = 1


def _plain_cloze(text: str, kinds: tuple[str, ...]) -> str:
    """Frontmatter text (no code or math masking there) with cloze syntax as plain text."""
    if not text or not _cloze.has_cloze_marker(text, kinds):
        return text
    return _render(text, text, cloze=kinds)


def _seed(seeds: list[SRSeed | None], index: int) -> SRSeed | None:
    return seeds[index] if 0 <= index < len(seeds) else None


def _render(
    orig: str,
    masked: str,
    edits: list[tuple[int, int, str]] | tuple[()] = (),
    keep_indent: bool = False,
    cloze: tuple[str, ...] = (),
) -> str:
    """Card text: `orig` with `edits` applied and comments and block ids removed.

    Positions come from `masked`, the same text with code, math and comments masked.
    With `cloze` (the cloze kinds in use), cloze syntax in the text of a card that is
    not that cloze's own shows as its plain answer: `==x;;hint==` reads `x` (bold stays
    bold), so no card shows another card's syntax.
    """
    removals: list[tuple[int, int, str]] = list(edits)
    if cloze and _cloze.has_cloze_marker(masked, cloze):
        for d in _cloze.find_deletions(orig, masked, cloze):
            plain = f"**{d.answer}**" if orig.startswith("**", d.start) else d.answer
            removals.append((d.start, d.end, plain))
    if COMMENT in masked:
        removals.extend((m.start(), m.end(), "") for m in _COMMENT_RUN_RE.finditer(masked))
    if "^" in masked:
        removals.extend((m.start(), m.end(), "") for m in _BLOCK_ID_RE.finditer(masked))
    if removals:
        removals.sort(key=lambda r: r[0])
        out: list[str] = []
        last = 0
        for start, end, repl in removals:
            if start < last:
                continue
            out.append(orig[last:start])
            out.append(repl)
            last = end
        out.append(orig[last:])
        text = "".join(out)
    else:
        text = orig
    if not keep_indent:
        return text.strip()
    lines = text.split("\n")
    a, b = 0, len(lines)
    while a < b and not lines[a].strip():
        a += 1
    while b > a and not lines[b - 1].strip():
        b -= 1
    return "\n".join(lines[a:b]).rstrip()
