"""The cards the author wrote: `::` and `:::` lines, `?`/`??` cards, cloze paragraphs, and
their `<!--SR:-->` schedules.

Lines are scanned the way the Obsidian Spaced Repetition plugin does (paragraph-like runs
of lines), with the plugin's known bugs fixed.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from flashdeck.notes import _cloze, _tags
from flashdeck.notes._cards import MAX_NOTE_CARDS, Draft, render, seed, shows_nothing
from flashdeck.notes._lines import (
    BLANK,
    CALLOUT,
    COMMENTED,
    HEADING,
    METADATA_CALLOUT,
    QUESTION_CALLOUTS,
    TEXT,
    VERBATIM,
    Lines,
)
from flashdeck.notes._mask import line_of, unlinked
from flashdeck.notes.model import ParserSettings, SRSeed

_RUNNABLE = (TEXT, VERBATIM, COMMENTED)
_MAX_PAST_BACK = 200  # lines past a back searched for its schedule (a long quote or table)
_ATX_OPEN_RE = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]+|$)")
_ATX_CLOSE_RE = re.compile(r"[ \t]+#+[ \t]*$")
_CALLOUT_OPEN_RE = re.compile(r"\[![^\]]+\][+-]?[ \t]*")
# A cloze paragraph makes one card per deletion, each holding the whole paragraph:
# bound the total so a pathological megabyte paragraph cannot explode memory.
_MAX_CLOZE_CARDS = 200
_MAX_CLOZE_OUTPUT = 8_000_000
_LISTED = 5  # the lines named in the warning for schedules no card takes


class Schedule(NamedTuple):
    """One `<!--SR:-->` comment."""

    line: int  # body line index
    seeds: list[SRSeed | None]  # one per `!` group
    alone: bool  # nothing but blanks (and quote markers) before it on its line


class ExplicitCards(NamedTuple):
    cards: list[Draft]
    spans: list[tuple[int, int]]  # body line ranges of the cards' sources, clozes included
    # body lines of the `::` and `?` cards (`?` lines, backs and end markers included)
    front_back_lines: set[int]
    warnings: list[tuple[int, str]]  # (body line, message)


def read_schedules(lines: Lines) -> tuple[list[Schedule], list[tuple[int, str]]]:
    """The schedule comments in text order, and a warning for each group out of range (its
    card starts new)."""
    if not lines.schedule_spans:
        return [], []
    from flashdeck.notes._schedule import parse_schedule_comment

    schedules: list[Schedule] = []
    warnings: list[tuple[int, str]] = []
    text, starts = lines.text, lines.line_starts
    # a comment in the plugin's `> [!sr|card-metadata]` callout is the schedule of the
    # card just above that callout: it stands where the callout starts
    in_metadata: dict[int, int] = {}
    for c in lines.callouts:
        if c.kind == METADATA_CALLOUT and lines.kinds[c.start] == COMMENTED:
            in_metadata.update((i, c.start) for i in range(c.start, c.end))
    for start, end in lines.schedule_spans:
        idx = line_of(starts, start)
        seeds, messages = parse_schedule_comment(text[start:end])
        warnings.extend((idx, message) for message in messages)
        header = in_metadata.get(idx)
        if header is not None:
            schedules.append(Schedule(header, seeds, True))
            continue
        # alone on its line, callout/quote markers aside
        alone = not text[starts[idx]:start].replace(">", "").strip()
        schedules.append(Schedule(idx, seeds, alone))
    return schedules, warnings


def explicit_cards(lines: Lines, schedules: list[Schedule],
                   settings: ParserSettings) -> ExplicitCards:
    return _Scanner(lines, schedules, settings).scan()


def _cloze_lines(lines: Lines, kinds: tuple[str, ...]) -> set[int]:
    """The body lines whose masked text holds an opener of one of the cloze `kinds` (as
    `has_cloze_marker` reads a line): found in the note's masked text, a few finds a note,
    instead of a look at every line of every paragraph."""
    text, starts = lines.masked_text, lines.line_starts
    found: set[int] = set()
    for opener in dict.fromkeys(_cloze.cloze_openers(kinds)):
        at = text.find(opener)
        while at >= 0:
            i = line_of(starts, at)
            found.add(i)
            if i + 1 >= len(starts):
                break
            at = text.find(opener, starts[i + 1])  # the next line: one is enough
    return found


_ITEM_MARKER_RE = re.compile(r"\s{0,3}([-*+]|\d{1,9}[.)])\s")


def _leading_tags(masked: str, settings_tags: tuple[str, ...],
                  pos: int = 0) -> tuple[str | None, int]:
    """Leading `#tags` on a card's first line, removed from its text as the plugin
    does: the deck of the first flashcard tag among them, and where the text starts."""
    deck: str | None = None
    if masked.find("#", pos) < 0:  # no tag at all (most cards): no look at each place
        return deck, pos
    while True:
        m = _tags.LEADING_TAG_RE.match(masked, pos)
        if m is None:
            break
        tag = _tags.clean_tag(m.group(1))
        if not tag:
            break
        if deck is None and _tags.is_flashcard_tag(tag, settings_tags):
            deck = tag
        pos = m.end()
    return deck, pos


def _heading_text(orig: str, masked: str) -> tuple[str, str, int]:
    """A heading line without its closing `#`s, and where its text starts (after the
    opening `#`s)."""
    opener = _ATX_OPEN_RE.match(masked)
    start = opener.end() if opener else 0
    closer = _ATX_CLOSE_RE.search(masked)
    if closer is not None and closer.start() > start:
        orig, masked = orig[: closer.start()], masked[: closer.start()]
    return orig, masked, start


class _Scanner:
    """One scan of one note; its state lives as long as `scan()`."""

    def __init__(self, lines: Lines, schedules: list[Schedule], settings: ParserSettings):
        self.lines = lines
        self.kinds = lines.kinds
        self.masked = lines.masked
        self.paths = lines.paths
        self.tags = settings.tags
        self.cloze = settings.cloze
        self.schedules = schedules
        self.schedule_lines = [s.line for s in schedules]
        self.used = [False] * len(schedules)
        self.stopped = len(lines.kinds)  # the body line the scan stopped at (see _full)
        marker = settings.multiline_end_marker.strip()
        kinds, masked = self.kinds, self.masked
        self.marker_lines = (
            [i for i in range(len(kinds)) if kinds[i] != VERBATIM and masked[i].strip() == marker]
            if marker
            else []
        )
        self.marker_set = set(self.marker_lines)
        # the `[!type]` lines of the callouts a back may hold (`> [!tip]` under an answer):
        # not a question callout (a card of its own) nor the plugin's schedule callout,
        # nor one that holds cards of its own (a `?` or `::` line, a cloze)
        self.back_callouts = {c.start: min(c.end, len(kinds)) for c in lines.callouts
                              if c.kind not in QUESTION_CALLOUTS and c.kind != METADATA_CALLOUT}
        # where a cloze's run to its end marker last stopped (line, quote key)
        self.cloze_blocked: tuple[int, tuple[int, ...]] = (-1, ())
        self.found = ExplicitCards([], [], set(), [])
        self.cloze_lines = _cloze_lines(lines, settings.cloze)

    def scan(self) -> ExplicitCards:
        kinds = self.kinds
        quote_keys = self.lines.quote_keys
        i = 0
        n = len(kinds)
        while i < n and not self._full():
            if kinds[i] not in (TEXT, VERBATIM):
                i += 1
                continue
            # A run: non-blank lines inside the same blockquote (a quote or callout
            # starts its own paragraph, a list item does not: the plugin reads a list of
            # clozes as one paragraph and so does its schedule comment).
            key = quote_keys[i]
            e = i + 1
            while e < n and kinds[e] in _RUNNABLE and quote_keys[e] == key:
                e += 1
            i = self._scan_run(i, e)
        self.stopped = min(i, n)
        self._unclaimed_schedules()
        return self.found

    def _full(self) -> bool:
        """Past MAX_NOTE_CARDS: the note makes no more cards (the parser drops those past the
        cap, from the first line past it on, and says so), and none is made to be dropped."""
        return len(self.found.cards) > MAX_NOTE_CARDS

    def _unclaimed_schedules(self) -> None:
        """One warning for the plugin schedules no card of the note took (those dropped
        with a reason of their own are marked used): a user of the plugin's custom
        separators (`—`, `;;`) or cloze patterns, which are not read here, had every card of
        the note given nothing, its review history lost without a word."""
        # past where a note over MAX_NOTE_CARDS stopped, no card was looked for
        left = [k for k, used in enumerate(self.used)
                if not used and self.schedule_lines[k] < self.stopped]
        if not left:
            return
        if len(left) == 1:
            what = ("this plugin schedule belongs to no card here: the card it was written"
                    " for is not made, and its review history is not carried over")
        else:
            shown = [str(self.lines.file_line(self.schedule_lines[k])) for k in left[:_LISTED]]
            rest = f", …; {len(left)} in all" if len(left) > _LISTED else ""
            what = (f"{len(left)} plugin schedules in this note belong to no card (lines"
                    f" {', '.join(shown)}{rest}): the cards they were written for are not"
                    " made, and their review history is not carried over")
        self._warn(self.schedule_lines[left[0]], (
            f"{what}. flashdeck reads the plugin's `::`, `:::`, `?`, `??` and its three"
            " cloze kinds, not custom separators or cloze patterns set in the plugin"
            " (FORMAT.md): written with those, a card takes the schedule under it"))

    def _warn(self, idx: int, message: str) -> None:
        self.found.warnings.append((idx, message))

    def _is_inline(self, i: int) -> bool:
        # not in a table row: the plugin made `| std` / `map | O(log n) |` of a row,
        # garbage; but a line with no `|` that goes on from a table's last row (a row of
        # one cell to GFM) is the card the plugin reads there, not a cell
        masked = self.masked[i]
        return ("::" in masked and self.kinds[i] == TEXT and "::" in unlinked(masked)
                and (i not in self.lines.table_rows or "|" not in masked))

    def _sep(self, i: int) -> str | None:
        if self.kinds[i] != TEXT:
            return None
        s = self.masked[i].strip()
        return s if s in ("?", "??") else None

    def _take_schedule(self, first: int, last: int) -> list[SRSeed | None]:
        """The plugin's schedule comment of a card on lines first..last (or the next line)."""
        lines = self.schedule_lines
        k = bisect_left(lines, first)
        while k < len(lines) and lines[k] <= last + 1:
            schedule = self.schedules[k]
            if schedule.line > last and not schedule.alone:
                k += 1  # on the next line after other text: it is that line's card's
                continue
            if not self.used[k]:
                self.used[k] = True
                return schedule.seeds
            k += 1
        return []

    def _schedule_past_back(self, b: int) -> list[SRSeed | None]:
        """The plugin reads a back up to a blank line; here a rule (`___`) or a question
        callout (`> [!faq]`) under the back ends it at line b, and the plugin's schedule comment
        written under them was this card's: a migrating user's review history, lost
        silently. Taken when it stands on its own line before the next blank line, with no
        card syntax (`::`, `?`, a cloze) between."""
        kinds = self.kinds
        j = b
        limit = min(len(kinds), b + _MAX_PAST_BACK)
        while j < limit and kinds[j] != BLANK:
            if (kinds[j] == TEXT and (self._is_inline(j) or self._sep(j) is not None
                                      or j in self.cloze_lines)):
                return []
            j += 1
        k = bisect_left(self.schedule_lines, b)
        if k < len(self.schedule_lines) and self.schedule_lines[k] < j:
            schedule = self.schedules[k]
            if schedule.alone and not self.used[k]:
                self.used[k] = True
                return schedule.seeds
        return []

    def _scan_run(self, p: int, e: int) -> int:
        """Cards in lines p..e-1 (a run of non-blank lines); returns where to go on."""
        while p < e:
            if self._full():
                return p
            if self.kinds[p] == COMMENTED:
                p += 1
                continue
            if self._is_inline(p):
                self._inline(p)
                p += 1
                continue
            q = p
            while (q < e and not self._is_inline(q) and self._sep(q) is None
                   and q not in self.marker_set):
                q += 1
            if q < e and q in self.marker_set:  # an end marker ends a cloze paragraph too
                self._cloze(p, q)
                p = q + 1
                continue
            sep = self._sep(q) if q < e else None
            if sep is None:
                if q == e and self.marker_lines and self._has_deletions(p, q):
                    # with an end marker, a cloze runs over blank lines to the marker, as
                    # in the plugin, unless another card or a heading comes first
                    m = self._cloze_marker(p, e)
                    if m is not None and self._cloze(p, m, m + 1):
                        return m + 1
                self._cloze(p, q)
                p = q
                continue
            nxt = self._multiline(p, q, e, sep)
            if nxt > e:
                return nxt
            p = nxt
        return e

    def _inline(self, i: int) -> None:
        lines = self.lines
        orig = lines.body[i][lines.content_column[i] :]
        masked = self.masked[i]
        start = 0
        if i in lines.heading_cards:
            callout = _CALLOUT_OPEN_RE.match(masked)
            if callout is not None:  # `> [!tip] Term::Def` loses its `[!tip]`
                start = callout.end()
            else:  # `## Term::Def` loses its `#`s and closing `#`s
                orig, masked, start = _heading_text(orig, masked)
        deck, cut = _leading_tags(masked, self.tags, start)
        seps = unlinked(masked)  # `[tokio::sync](…)`: no separator
        sep = ":::" if ":::" in seps[cut:] else "::"
        at = seps.find(sep, cut)
        # the sides are parts of the line's mask: on a line with no cloze opener (most;
        # `_cloze_lines`), neither side has one to show as plain text, told without a look
        cloze = self.cloze if i in self.cloze_lines else ()
        front = render(orig[cut:at], masked[cut:at], cloze=cloze)
        back = render(orig[at + len(sep) :], masked[at + len(sep) :], cloze=cloze)
        self.found.spans.append((i, i + 1))
        self.found.front_back_lines.add(i)
        seeds = self._take_schedule(i, i)
        # (most sides start with a word: told without a call)
        if not (front and back and front[0].isalnum() and back[0].isalnum()) and (
                shows_nothing(front) or shows_nothing(back)):
            self._warn(i, f"card has an empty {'front' if shows_nothing(front) else 'back'}; skipped")
            return
        self._pair(i, sep == ":::", front, back, seeds, deck)

    def _multiline(self, p: int, q: int, e: int, sep: str) -> int:
        """A `?`/`??` card around separator line q; returns the line after its back."""
        lines = self.lines
        path = self.paths[q]
        depth = len(path)
        f0 = q
        while f0 > p and self.paths[f0 - 1][:depth] == path:
            f0 -= 1
        if f0 > p:
            self._cloze(p, f0)
        elif not lines.body[q].lstrip().startswith(">"):
            f0 = self._lead_in(p)  # a bare `?` after a quote: the front is all above it
        front_idx = [i for i in range(f0, q) if self.kinds[i] != COMMENTED]
        heading_front = False
        if not front_idx:
            h = self._heading_over(q)
            if h is not None:
                # `### Reverse an array` over the `?` line: the heading is the front (it
                # stays a heading: breadcrumbs, sections and exercises still see it)
                f0 = h
                front_idx = [h]
                heading_front = True
        if not front_idx:
            marker = _ITEM_MARKER_RE.match(lines.body[q])
            if marker is not None and q > 0 and self.kinds[q - 1] == TEXT:
                # `Question?` over `- ?`: the `?` opens a list item, the question is no part
                # of it (the plugin makes no card of it either)
                self._warn(q, f"card has an empty front: this '{sep}' is a list item"
                              f" ('{marker.group(1)} {sep}'), and the line above is not in it;"
                              f" write the '{sep}' on a line of its own; skipped")
            else:
                self._warn(q, f"card has an empty front (nothing above the '{sep}' line);"
                              " skipped")
            return q + 1
        e = self._quote_in_back(q, e)
        end, nxt = self._back_end(q, e, path)
        back_idx = [i for i in range(q + 1, end) if self.kinds[i] != COMMENTED]
        self.found.spans.append((f0, end))
        self.found.front_back_lines.update(range(f0, nxt))
        # a back line the plugin reads as a `::` card of its own: the plugin never had this
        # card, and a schedule it wrote after that line is the `::` card's, which flashdeck
        # reads as back text (`std::vector`): no card here may take it
        cut = next((i for i in back_idx if self._plugin_inline(i)), None)
        seeds = self._take_schedule(f0, nxt - 1 if cut is None else cut - 1)
        if not seeds and cut is None and not self.marker_lines:
            seeds = self._schedule_past_back(nxt)
        if cut is not None:
            self._drop_schedules(cut, nxt, f0)
        front_orig, front_masked = lines.joined(front_idx,
                                                lines.common_depth(front_idx, lazy=True))
        start = 0
        if heading_front:  # without its `#`s
            front_orig, front_masked, start = _heading_text(front_orig, front_masked)
        deck, cut = _leading_tags(front_masked, self.tags, start)
        cloze = self.cloze
        # the front's last line is over the `?` line, in the same paragraph: a block id
        # there is text to Obsidian (a heading front is a block of its own)
        front = render(front_orig[cut:], front_masked[cut:], cloze=cloze,
                       ends_block=heading_front)
        back = ""
        if back_idx:
            # the back loses only the markers of the containers that hold the whole card
            # (a card written in a list item or callout): a back all quote keeps its `>`,
            # a back of one list item its `- `; they are the answer's form, as a back of
            # two items keeps both markers
            back_depth = lines.common_depth(front_idx + back_idx)
            back_orig, back_masked = lines.joined(back_idx, back_depth)
            back = render(back_orig, back_masked, cloze=cloze)
        # (most sides start with a word: told without a call)
        if not (front and back and front[0].isalnum() and back[0].isalnum()) and (
                shows_nothing(front) or shows_nothing(back)):
            self._warn(f0, f"card has an empty {'front' if shows_nothing(front) else 'back'}; skipped")
            return nxt
        self._pair(front_idx[0], sep == "??", front, back, seeds, deck)
        return nxt

    def _heading_over(self, q: int) -> int | None:
        """The ATX heading (`## …`) right above the separator on line q (comments between
        hide only themselves), in the same containers: the plugin reads it as the card's
        front."""
        h = q - 1
        while h >= 0 and self.kinds[h] == COMMENTED and q - h <= _MAX_PAST_BACK:
            h -= 1
        if (h >= 0 and self.kinds[h] == HEADING and self.paths[h] == self.paths[q]
                and _ATX_OPEN_RE.match(self.masked[h]) is not None):
            return h
        return None

    def _plugin_inline(self, i: int) -> bool:
        """Whether the plugin reads body line i as a `::` (or `:::`) card: a text line whose
        first `::` is not inside inline code by its count of backticks (its parser's
        hasInlineMarker)."""
        if self.kinds[i] != TEXT:
            return False
        line = self.lines.body[i]
        at = line.find("::")
        if at < 0:
            return False
        return not (line.count("`", 0, at) % 2 and line.count("`", at + 2) % 2)

    def _drop_schedules(self, cut: int, nxt: int, f0: int) -> None:
        """The schedule comments on lines cut..nxt-1 (and one alone on line nxt: those the
        card would have taken), left to no card, each with a warning."""
        lines = self.schedule_lines
        k = bisect_left(lines, cut)
        while k < len(lines) and lines[k] <= nxt:
            if lines[k] == nxt and not self.schedules[k].alone:
                k += 1  # on the next card's line, after its text: that card's
                continue
            if not self.used[k]:
                self.used[k] = True
                where, card, back = (self.lines.file_line(x) for x in (lines[k], cut, f0))
                self._warn(lines[k], (
                    f"this plugin schedule is that of the '::' card on line {card}, which is"
                    f" part of the back of the card on line {back} here (a blank line before"
                    f" line {card} makes it a card of its own); no card takes it"))
            k += 1

    def _pair(self, idx: int, reversed_: bool, front: str, back: str,
              seeds: list[SRSeed | None], deck: str | None) -> None:
        """A basic card, or a reversed pair (siblings of one block), starting at body line idx."""
        line = self.lines.file_line(idx)
        block = f"L{line}"
        crumbs = self.lines.crumbs(idx)
        cards = self.found.cards
        if reversed_:
            cards.append(
                Draft("reversed", front, back, line, block, 0, seed(seeds, 0), deck, crumbs))
            cards.append(
                Draft("reversed", back, front, line, block, 1, seed(seeds, 1), deck, crumbs))
        else:
            cards.append(
                Draft("basic", front, back, line, block, 0, seed(seeds, 0), deck, crumbs))

    def _lead_in(self, p: int) -> int:
        """Where the front starts when a bare `?` line (a lazy line of a quote that starts
        run p) follows the quote: the lines just above the quote, when they are plain text
        (no card of their own), as the plugin reads the front up to a blank line (`Who
        wrote this?` then `> Veni, vidi, vici.` then `?`: the question was dropped)."""
        kinds, keys = self.kinds, self.lines.quote_keys
        key = keys[p]
        j = p
        while j > 0:
            above = j - 1
            outer = keys[above]
            if (kinds[above] not in (TEXT, VERBATIM) or len(outer) >= len(key)
                    or key[:len(outer)] != outer or self._is_inline(above)
                    or self._sep(above) is not None or above in self.marker_set):
                break
            j = above
        if j == p or self._has_deletions(j, p):
            return p
        return j

    def _quote_in_back(self, q: int, e: int) -> int:
        """The end of the run: a back runs on into a blockquote or callout
        that starts inside it (`Clause 39:` then `> No free man…`; `> [!tip]` under an
        answer), as the plugin reads a back up to a blank line; a run alone stops at the
        quote, which dropped those lines unseen. A question callout is a card of its own
        and stays out. The back goes on after the quote too, up to a blank line (a list or
        table under `> …`, or under a bare `>` line), as the plugin reads it: those lines
        were dropped from the back, shown nowhere; a line there with card syntax of its
        own (`::`, `?`, a cloze) is read on its own, as before."""
        kinds, keys, body = self.kinds, self.lines.quote_keys, self.lines.body
        key = keys[q]
        k = len(key)
        n = len(kinds)
        while True:
            start = e
            while e < n and len(keys[e]) > k and keys[e][:k] == key and (
                    kinds[e] in _RUNNABLE or (kinds[e] == CALLOUT and self._back_callout(e))
                    or (kinds[e] == BLANK and body[e].strip())):  # a bare `>` line
                e += 1
            if e == start:
                return e
            after = e
            while e < n and keys[e] == key and kinds[e] in _RUNNABLE:
                e += 1
            if e == after:
                return e
            if any(self._sep(i) is not None or self._is_inline(i) for i in range(after, e)) \
                    or self._has_deletions(after, e):
                return after  # the lines after the quote are a card's (a front over its `?`)

    def _back_callout(self, i: int) -> bool:
        """Whether the callout opening on line i may be part of a back above it."""
        end = self.back_callouts.get(i)
        return end is not None and not self._holds_cards(i + 1, end)

    def _back_end(self, q: int, e: int, path: tuple[int, ...]) -> tuple[int, int]:
        """(end of the back, line to continue at) for the separator on line q."""
        depth = len(path)
        if self.marker_lines:
            k = bisect_right(self.marker_lines, q)
            if k < len(self.marker_lines):
                m = self.marker_lines[k]
                # a card in a callout or list item ends with it: a marker further on
                # belongs to what follows the container
                b = q + 1
                while depth and b < m and self.paths[b][:depth] == path:
                    b += 1
                if depth and b < m:
                    return b, b
                # a later paragraph with its own `?` line is the next card, whose marker
                # this one took: its own marker is missing, its back ends at its first
                # blank line, as with no marker (what lies between, a `::` card, a cloze,
                # is read on its own, not swallowed into this back)
                first = -1
                for j in range(q + 1, m):
                    if self.kinds[j] == BLANK:
                        if first < 0:
                            first = j
                    elif first > q and self._sep(j) is not None:
                        return first, first
                return m, m + 1
        b = q + 1
        # The back ends at a blank line, or where the card's list item / quote ends.
        while b < e and self.paths[b][:depth] == path:
            b += 1
        return b, b

    def _holds_cards(self, a: int, b: int) -> bool:
        """Whether lines a..b-1 hold card syntax: a `?`/`??` line, a `::` card, a cloze."""
        return (any(self._sep(i) is not None or self._is_inline(i) for i in range(a, b))
                or self._has_deletions(a, b))

    def _has_deletions(self, a: int, b: int) -> bool:
        kinds = self.cloze
        if self.cloze_lines.isdisjoint(range(a, b)):
            return False
        idxs = [i for i in range(a, b) if self.kinds[i] != COMMENTED]
        if self.cloze_lines.isdisjoint(idxs):
            return False
        lines = self.lines
        orig, masked = lines.joined(idxs, lines.common_depth(idxs))
        return bool(_cloze.find_deletions(orig, masked, kinds))

    def _cloze_marker(self, p: int, e: int) -> int | None:
        """The end marker that ends the cloze paragraph p..e-1, when only text lies between
        them (no other card, heading, rule or other blockquote), else None."""
        k = bisect_right(self.marker_lines, e - 1)
        if k == len(self.marker_lines):
            return None
        m = self.marker_lines[k]
        kinds, quote_keys = self.kinds, self.lines.quote_keys
        key = quote_keys[p]
        blocked_at, blocked_key = self.cloze_blocked
        if e <= blocked_at < m and blocked_key == key:
            return None  # the line that stopped the cloze before this one stops it too
        for i in range(e, m):
            kind = kinds[i]
            if kind == BLANK or kind == COMMENTED:
                continue
            if (kind not in (TEXT, VERBATIM) or quote_keys[i] != key or self._is_inline(i)
                    or self._sep(i) is not None):
                self.cloze_blocked = (i, key)  # so each line is looked at once
                return None
        return m if quote_keys[m] == key or kinds[m] == BLANK else None

    def _cloze(self, a: int, b: int, span_end: int | None = None) -> bool:
        """The cloze cards of lines a..b-1 (span_end: where their source ends, an end
        marker included); whether there were any."""
        kinds = self.cloze
        if self.cloze_lines.isdisjoint(range(a, b)):
            return False
        idxs = [i for i in range(a, b) if self.kinds[i] != COMMENTED]
        if self.cloze_lines.isdisjoint(idxs):
            return False
        lines = self.lines
        # a paragraph glued under a quote or list item by lazy continuation lines is that
        # container's paragraph: its first lines lose their markers too
        orig, masked = lines.joined(idxs, lines.common_depth(idxs, lazy=True))
        deck, cut = _leading_tags(masked, self.tags)
        orig, masked = orig[cut:], masked[cut:]
        deletions = _cloze.find_deletions(orig, masked, kinds)
        if not deletions:
            return False
        self.found.spans.append((a, b if span_end is None else span_end))
        seeds = self._take_schedule(a, b - 1)
        limit = min(_MAX_CLOZE_CARDS, max(1, _MAX_CLOZE_OUTPUT // max(1, len(orig))))
        cards, total = _cloze.expand(deletions, limit, kinds)
        if total > limit:
            self._warn(
                idxs[0], f"paragraph has {total} cloze cards; only the first {limit} are made"
            )
        line = lines.file_line(idxs[0])
        crumbs = lines.crumbs(idxs[0])
        for card in cards:
            front = render(orig, masked, card.replacements)
            back = render(orig, masked, card.back_replacements)
            sr = seed(seeds, card.sr_index) if card.sr_index >= 0 else None
            self.found.cards.append(
                Draft("cloze", front, back, line, f"L{line}", card.ordinal, sr, deck, crumbs)
            )
        return True

