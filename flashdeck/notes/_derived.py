"""Cards derived from the note itself: its summary and aliases (frontmatter), display
formulas, question callouts and question headings.

An answer shows the explanation only: the lines of other cards' sources are left out of
it. Each kind's function says which lines its cards took, and later kinds leave them out.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flashdeck.escaping import escape_name
from flashdeck.notes import _phrasing
from flashdeck.notes._cards import Draft, plain_cloze, render, shows_nothing
from flashdeck.notes._decks import TAG_ONLY_LINE_RE
from flashdeck.notes._explicit import ExplicitCards
from flashdeck.notes._frontmatter import Frontmatter, obsidian_key, scalar_text, written_list
from flashdeck.notes._giveaway import (
    Formula,
    formula,
    formula_values,
    greek_letter,
    has_operator,
    might_state,
    redact,
    stated_values,
)
from flashdeck.notes._lines import (
    BLANK,
    CALLOUT,
    COMMENTED,
    HTML_COMMENT_RE,
    QUESTION_CALLOUTS,
    TEXT,
    TRAILING_BLOCK_ID_RE,
    Lines,
    strip_trailing_tags,
)
from flashdeck.notes._cloze import has_cloze_marker
from flashdeck.notes._latex import equation_names
from flashdeck.notes._mask import line_of, mask_text
from flashdeck.notes.names import NoteNames
from flashdeck.notes.names import name_key as _name_key
from flashdeck.notes.names import singular
from flashdeck.texmacros import might_define, strip_definitions

_INTRO_MAX = 200  # characters of an introducing sentence used as a formula's front
_DERIVED_KINDS = frozenset({"summary", "aliases", "formula", "question"})


class Source(NamedTuple):
    """What the derivers read."""

    title: str
    aliases: list[str]
    frontmatter: Frontmatter
    lines: Lines
    front_back_lines: set[int]  # body lines of explicit `::` and `?` cards
    cloze: tuple[str, ...]  # the cloze kinds in use
    footnotes: Footnotes | None = None  # the note's footnote definitions
    formulas: NoteFormulas | None = None  # what the note's display formulas state


class Footnotes(NamedTuple):
    """Footnote definitions (`[^1]: Suetonius, …`): an answer that cites one shows it, and
    no other answer does (the definitions at the end of a note are not its last section's)."""

    lines: set[int]  # body lines of every definition
    by_label: dict[str, list[int]]  # label -> the body lines of its definition


_MAX_FOOTNOTES = 20  # shown with one answer: a note citing one long note everywhere stays small
_FOOTNOTE_DEF_RE = re.compile(r"\[\^([^\[\]\s]{1,200})\]:")
_FOOTNOTE_REF_RE = re.compile(r"\[\^([^\[\]\s]{1,200})\](?!:)")


def footnotes(lines: Lines) -> Footnotes:
    """The definitions at the top level of the note: a `[^label]:` line and the lines of
    its paragraph after it."""
    found = Footnotes(set(), {})
    if "[^" not in lines.masked_text:
        return found
    kinds, masked, paths = lines.kinds, lines.masked, lines.paths
    current: list[int] | None = None
    for i in range(len(kinds)):
        m = _FOOTNOTE_DEF_RE.match(masked[i]) if kinds[i] == TEXT and not paths[i] else None
        if m is not None:
            current = found.by_label.setdefault(m.group(1), [])
            if current:  # defined twice: the first one counts, as in markdown
                current = []
        elif current is None or kinds[i] != TEXT or paths[i]:
            current = None
            continue
        current.append(i)
        found.lines.add(i)
    return found


@dataclass(slots=True)
class Derived:
    cards: list[Draft] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (body line, message)
    took: set[int] = field(default_factory=set)  # body lines later kinds must leave out


def derive_enabled(frontmatter: dict[str, Any]) -> bool:
    options = frontmatter.get("flashdeck")
    if isinstance(options, dict):
        return options.get("derive", True) is not False
    return True


def options_warnings(frontmatter: Frontmatter) -> list[tuple[int, str]]:
    """What is wrong with the note's `flashdeck:` options (`{derive: false}`), as warnings
    (body line, message): a typo must not leave derivation on without a word."""
    options = frontmatter.data.get("flashdeck")
    if options is None:  # none, or an empty property
        return []
    at = frontmatter.key_lines.get("flashdeck", 1) - 1 - frontmatter.offset
    if not isinstance(options, dict):
        return [(at, "frontmatter 'flashdeck' is not a mapping of options"
                     " (as in `flashdeck: {derive: false}`); ignored")]
    found: list[tuple[int, str]] = []
    for key in list(options)[:20]:
        if key != "derive":
            found.append((at, f"frontmatter 'flashdeck' has an unknown option {str(key)[:80]!r}"
                              " (known: derive); ignored"))
    if "derive" in options and not isinstance(options["derive"], bool):
        found.append((at, "frontmatter 'flashdeck: derive' is not true or false;"
                          " cards are derived as usual"))
    return found


_MAX_FORMULAS = 50  # display formulas of a note that context is compared with


class NoteFormulas:
    """What the note's display formulas (`$$…$$`) state, read when a text that might
    state one is first shown: no heading, callout title or introducing sentence shown with
    a card may state one (`## Precision = TP / (TP + FP)` above the formula card asking
    `P = ?` gave its answer away)."""

    __slots__ = ("_lines", "_found")

    def __init__(self, lines: Lines) -> None:
        self._lines = lines
        self._found: list[Formula] | None = None

    def redact(self, text: str) -> str:
        """`text` with what states a formula of the note shown as `…` (`_giveaway`)."""
        if not might_state(text):
            return text
        if self._found is None:
            self._found = self._read()
        return redact(text, self._found)

    def _read(self) -> list[Formula]:
        lines = self._lines
        found: list[Formula] = []
        for start, end in lines.math_blocks:
            if len(found) >= _MAX_FORMULAS:
                return found
            if lines.kinds[start] != COMMENTED:
                orig, _masked = lines.joined(list(range(start, min(end, start + 200))),
                                             len(lines.paths[start]))
                f = formula(orig)
                if f is not None:
                    found.append(f)
        for start, end in lines.display_math:
            if len(found) >= _MAX_FORMULAS:
                break
            f = formula(lines.text[start:end])
            if f is not None:
                found.append(f)
        return found


def redact_crumbs(lines: Lines, formulas: NoteFormulas) -> None:
    """The note's headings as every card's breadcrumb shows them: a heading that states a
    display formula of the note (`## Recall = TP / (TP + FN)`) shows `Recall = …`."""
    shown: dict[str, str] = {}
    for k, stack in enumerate(lines.crumb_stacks):
        new = []
        for level, text in stack:
            if text not in shown:
                shown[text] = formulas.redact(text)
            new.append((level, shown[text]))
        if any(a[1] != b[1] for a, b in zip(stack, new)):
            lines.crumb_stacks[k] = tuple(new)
            lines.crumbs_under[k] = None


def card_sources(lines: Lines, explicit: ExplicitCards) -> set[int]:
    """Body lines no explanation may show: explicit cards (`::`, `?`, clozes),
    exercise blocks, live queries (```dataview: Obsidian shows their results, an answer
    would show the code), lines of nothing but tags, comments."""
    taken: set[int] = set(explicit.front_back_lines)
    for a, b in explicit.spans:
        taken.update(range(a, b))
    for fence in lines.exercise_fences + lines.query_fences:
        taken.update(range(fence.start, fence.end))
    kinds, masked = lines.kinds, lines.masked
    for i in range(len(kinds)):
        kind = kinds[i]
        if kind == COMMENTED or (kind == TEXT and "#" in masked[i]
                                 and TAG_ONLY_LINE_RE.fullmatch(masked[i])):
            taken.add(i)
    return taken


def summary(src: Source, taken: set[int]) -> Derived:
    """`summary:` as text, or a list of points (`summary: [a, b]` or `- a` lines), shown as
    a list; a summary that is neither gives a warning, never a silent loss."""
    frontmatter = src.frontmatter
    value = frontmatter.data.get("summary")
    written = frontmatter.written.get("summary")
    line = frontmatter.key_lines.get("summary", 1)
    if isinstance(value, list):
        points = [plain_cloze(p, src.cloze) for p in written_list(value, written)]
        text = "\n".join(f"- {p}" for p in points if p)
    else:
        text = plain_cloze(scalar_text(value, written), src.cloze)
    if shows_nothing(text):
        if isinstance(value, (dict, list, set)) and value:
            return Derived(warnings=[(line - 1 - frontmatter.offset, "summary is not text or a list"
                                      " of points; no summary card")])
        return Derived()
    return Derived([Draft("summary", _phrasing.summary_front(src.title), text, line,
                          f"summary:L{line}")])


def aliases(src: Source, taken: set[int]) -> Derived:
    """The note's other names: the title itself (Obsidian users list it, or its other
    casing, for links) or a part of it the front shows (`ATP` of `ATP (Adenosine
    Triphosphate)`) is no other name, and a name listed twice is one."""
    title_key = _name_key(src.title)
    title = f" {title_key} " if len(title_key) <= _MAX_TITLE_SEARCHED else ""
    seen: set[str] = {title_key}
    names: list[str] = []
    for name in src.aliases:
        if shows_nothing(name):  # (`"\u200b"`: no name)
            continue
        key = _name_key(name)
        if title and f" {key} " in title:  # a part the front shows (`ATP (Adenosine…)`)
            continue
        if key not in seen:
            seen.add(key)
            names.append(name)
    if not names:
        return Derived()
    frontmatter = src.frontmatter
    key = obsidian_key(frontmatter.data, "aliases", "alias") or "aliases"
    line = frontmatter.key_lines.get(key, 1)
    # names are plain text, as Obsidian shows them (`__init__` is no bold `init`)
    return Derived([Draft("aliases", _phrasing.aliases_front(src.title, len(names)),
                          ", ".join(map(escape_name, names)), line, f"aliases:L{line}",
                          names=tuple(names))])


_MAX_TITLE_SEARCHED = 500  # a longer title is only compared whole with each alias


def question_callouts(src: Source, taken: set[int]) -> Derived:
    """`> [!question] Title` cards. They take their whole callout, card or not."""
    lines = src.lines
    found = Derived()
    asking = [c for c in lines.callouts
              if c.kind in QUESTION_CALLOUTS and lines.kinds[c.start] == CALLOUT]
    starts = [c.start for c in asking]  # in note order
    for k, c in enumerate(asking):
        found.took.update(range(c.start, c.end))
        # a question callout inside this one is a card of its own, out of this answer
        # (callouts nest at most a few deep, so these ranges add up to a few times the note)
        inner: set[int] = set()
        j = k + 1
        while j < len(asking) and starts[j] < c.end:
            inner.update(range(starts[j], asking[j].end))
            j = bisect_left(starts, asking[j].end, j + 1)
        masked = lines.masked[c.start][len(lines.contents[c.start]) - len(c.title):]
        asked, told = _split_title(c.title, masked if len(masked) == len(c.title) else c.title)
        front = _plain(_title_text(asked), src.cloze)
        first = c.start + 1  # where the answer begins
        if not front:  # `> [!question]` over `> Why …?`: the body's first line asks
            front, first = _body_question(src, c, taken, inner)
            if not front:
                first = c.start + 1
        back = _section_text(src, first, c.end, c.depth, taken, inner)
        told = _plain(_title_text(told), src.cloze)
        if told:  # `Is Dice differentiable? Yes, the soft one is.`: the title's own answer
            back = f"{told}\n\n{back}" if back else told
        no_front = shows_nothing(front)
        if no_front or shows_nothing(back):
            if not no_front and any(i in taken or i in inner for i in range(c.start + 1, c.end)):
                why = "question callout's body holds only other cards, comments or queries; no card"
            elif not no_front and first > c.start + 1:
                why = ("question callout asks its question in its body and holds no answer"
                       " under it; no card")
            else:
                why = f"question callout has no {'title' if no_front else 'body'}; no card"
            found.warnings.append((c.start, why))
            continue
        line = lines.file_line(c.start)
        crumbs = lines.crumbs(c.start)
        alt = _phrasing.distinct_front(front, " › ".join(crumbs), 0) if crumbs else ""
        found.cards.append(Draft("question", front, back, line, f"callout:L{line}",
                                 crumbs=crumbs, alt_front=alt))
    return found


_AFTER_QUESTION_MARK = frozenset("*_~=)]\"'”’»")  # what closes around a question


def _body_question(src: Source, c, taken: set[int], inner: set[int]) -> tuple[str, int]:
    """The question a title-less question callout asks on its body's first line (one that
    ends with a question mark, as Obsidian shows "Question" for a title), and the line its
    answer begins at; ("", 0) when that line asks nothing."""
    lines = src.lines
    b = c.start + 1
    while b < c.end and lines.kinds[b] == BLANK:
        b += 1
    if b >= c.end or lines.kinds[b] != TEXT or b in taken or b in inner:
        return "", 0
    orig, masked = lines.joined([b], c.depth)
    asked, told = _split_title(orig, masked)
    if told.strip() or not _phrasing.ends_asking(asked):
        return "", 0
    return _plain(_title_text(render(orig, masked)), src.cloze), b + 1


def _split_title(title: str, masked: str) -> tuple[str, str]:
    """A question callout's title: the question, up to its last question mark (outside
    code, math and comments, with the emphasis or bracket closing around it), and what
    follows it, which answers it and so belongs to the back."""
    mark = max(masked.rfind(sign) for sign in _phrasing.QUESTION_MARKS)
    if mark < 0:
        return title, ""
    end = mark + 1
    while end < len(masked) and masked[end] in _AFTER_QUESTION_MARK:
        end += 1
    return title[:end], title[end:]


def _plain(text: str, cloze: tuple[str, ...]) -> str:
    """A heading's or a title's text with cloze syntax shown as its plain answer (a heading
    is no cloze card, so `Why does ==Dice== win?` reads `Why does Dice win?`)."""
    if not cloze or not has_cloze_marker(text, cloze):
        return text
    return render(text, mask_text(text, [0, len(text)], [0]).masked, cloze=cloze)


def _title_text(title: str) -> str:
    """A callout title's text: no comment, block id or tags at its end (a tag there sets
    the card's deck, `> [!faq] Why? #flashcards/bio`)."""
    text = TRAILING_BLOCK_ID_RE.sub("", HTML_COMMENT_RE.sub("", title)).strip()
    return strip_trailing_tags(text) if "#" in text else text


def formulas(src: Source, taken: set[int]) -> Derived:
    """Formula cards from display math standing on its own. Math that is part of another
    card (a `?` card's back, a question callout) is that card's answer, not a card of its
    own. Under a question heading, a formula whose left-hand side names it (`F_1 = …`) is a
    card asked by that name and stays in the question's answer too (a question answered by
    "It is computed as:" alone asks nothing), the question's sibling, as its answer shows the
    formula; one without is the question's answer only (its front could only be the question
    again, or a sentence of the question's answer)."""
    lines = src.lines
    kinds = lines.kinds
    if any(_is_question(h.text) for h in lines.headings):
        asked = _question_sections(lines)
    else:
        asked = [0] * len(lines.body)
    blocks: list[tuple[int, int, str]] = []  # start, end, the formula
    for start, end in lines.math_blocks:
        if kinds[start] == COMMENTED or lines.in_list(start) or start in taken:
            continue
        orig, _masked = lines.joined(list(range(start, end)), len(lines.paths[start]))
        blocks.append((start, end, orig.strip()))
    text, starts = lines.text, lines.line_starts
    for start, end in lines.display_math:
        first = line_of(starts, start)
        last = line_of(starts, end - 1)
        if kinds[first] != TEXT or lines.in_list(first) or first in taken:
            continue
        before = text[starts[first] : start]
        after = text[end : starts[last] + len(lines.contents[last])]
        if before.strip() or after.strip():
            continue  # inside a sentence
        blocks.append((first, last + 1, text[start:end]))
    blocks.sort(key=lambda x: x[0])
    found = Derived()
    boxed = _callout_titles(lines, src.formulas) if blocks and lines.callouts else {}
    for start, end, back in blocks:
        written = ""  # the block as written, when it defines macros too
        if might_define(back):  # a note's macros are defined there: no part of the formula
            written, back = back, strip_definitions(back)
            if written == back:
                written = ""
        if asked[start]:
            if not back or not equation_names(back):
                continue  # the question's answer alone
        else:
            found.took.update(range(start, end))
        if not back:
            continue
        crumbs = lines.crumbs(start)
        line = lines.file_line(start)
        intro = _intro(src, start, taken)
        # a formula in a titled callout (`> [!example] Calvin cycle`) is asked by it too
        box = boxed.get(start, "")
        heading = _plain(" › ".join(crumbs + (box,) if box else crumbs), src.cloze)
        front = _phrasing.formula_front(back, src.title, heading, intro)
        alt = _phrasing.formula_front(back, src.title, heading, intro, with_heading=True)
        bare = (_phrasing.formula_front(back, src.title, heading),
                 _phrasing.formula_front(back, src.title, heading, with_heading=True)
                 ) if intro else None
        # in a question's answer, a sibling of the question: never on the day it is answered
        block = f"question:L{asked[start]}" if asked[start] else f"formula:L{line}"
        # its identity: the block as written and the front it gave (so a card keeps its
        # history through the version that first took the definitions out)
        found.cards.append(Draft("formula", front, back, line, block,
                                 crumbs=crumbs, alt_front=alt, bare=bare,
                                 written=(_phrasing.formula_front(written, src.title, heading,
                                                                  intro), written)
                                 if written else None))
    return found


def _callout_titles(lines: Lines, formulas: NoteFormulas | None) -> dict[int, str]:
    """Body line -> the title of the innermost titled callout holding it. Callouts nest a
    few deep at most, so the ranges painted add up to a few times the note."""
    titles: dict[int, str] = {}
    for c in lines.callouts:  # in note order: an inner callout paints over its outer one
        title = _title_text(c.title)
        if len(title) > _INTRO_MAX or "$" in title or "=" in title:
            title = ""  # a title that states the formula would give it away
        else:  # `> [!tip] Recall is TP / (TP + FN)` is asked `Recall is …`
            title = formulas.redact(title) if formulas is not None else title
        for i in range(c.start + 1, c.end):
            if title:
                titles[i] = title
            else:
                titles.pop(i, None)
    return titles


def question_headings(src: Source, taken: set[int]) -> Derived:
    """A heading ending in `?` asks its section; a question heading inside it is a card of
    its own and out of its answer."""
    lines = src.lines
    headings = lines.headings
    ends = _section_ends(lines)
    questions = [k for k, h in enumerate(headings) if _is_question(h.text)]
    starts = [headings[k].start for k in questions]
    found = Derived()
    taken_sorted: list[int] | None = None  # "is any other card in this section", by bisection
    for q, k in enumerate(questions):
        h = headings[k]
        stop = ends[k]
        # headings nest at most six deep, so these ranges add up to a few times the note
        inner: set[int] = set()
        j = q + 1
        while j < len(questions) and starts[j] < stop:
            inner.update(range(starts[j], ends[questions[j]]))
            j = bisect_left(starts, ends[questions[j]], j + 1)
        back = _section_text(src, h.end, stop, len(lines.paths[h.start]), taken, inner)
        line = lines.file_line(h.start)
        if shows_nothing(back):
            if taken_sorted is None:
                taken_sorted = sorted(taken)
            first = bisect_left(taken_sorted, h.end)
            if not (first < len(taken_sorted) and taken_sorted[first] < stop):
                found.warnings.append((h.start, "question heading has nothing under it; no card"))
            continue
        crumbs = lines.crumbs(h.start, h.level)
        front = _plain(h.text, src.cloze)
        alt = _phrasing.distinct_front(front, " › ".join(crumbs), 0) if crumbs else ""
        found.cards.append(Draft("question", front, back, line, f"question:L{line}",
                                 crumbs=crumbs, alt_front=alt))
    return found


# One function per kind, each given the lines that the explicit cards and the kinds
# before it took: a question callout's lines are no formula, and neither they nor a
# formula show in a question heading's answer.
DERIVERS = (summary, aliases, question_callouts, formulas, question_headings)


def _is_question(heading: str) -> bool:
    """A heading that asks: it ends with a question mark (`?`, `？`, `؟`; inside emphasis
    or a highlight too, as in `**Why?**`) after some words (`## ?` asks nothing)."""
    return (heading.rstrip(_phrasing.MARKS_AROUND).endswith(_phrasing.QUESTION_MARKS)
            and _QUESTION_WORDS_RE.search(heading) is not None)


_QUESTION_WORDS_RE = re.compile(r"[^\W_]")


def _section_ends(lines: Lines) -> list[int]:
    """Where each heading's section ends: at the next heading of the same or a higher
    level (subsections included), else at the end of the note."""
    headings = lines.headings
    ends = [len(lines.body)] * len(headings)
    open_sections: list[int] = []
    for k, h in enumerate(headings):
        while open_sections and headings[open_sections[-1]].level >= h.level:
            ends[open_sections.pop()] = h.start
        open_sections.append(k)
    return ends


def _question_sections(lines: Lines) -> list[int]:
    """For each body line under a question heading (in its section, below the heading): the
    file line of the innermost such heading, whose answer holds it; 0 for the others.
    Headings nest at most six deep, so the ranges marked add up to a few times the note."""
    inside = [0] * len(lines.body)
    headings = lines.headings
    for h, end in zip(headings, _section_ends(lines)):  # by start: an inner one comes later
        if _is_question(h.text) and h.end < end:
            inside[h.end:end] = [lines.file_line(h.start)] * (end - h.end)
    return inside


def _intro(src: Source, start: int, taken: set[int]) -> str:
    """The sentence that introduces the block at body line `start`: the line just
    above it (blank lines aside), when it is prose ending with a colon, and no other
    card's source (a cloze's line would show its answer on this front)."""
    lines = src.lines
    kinds = lines.kinds
    j = start - 1
    while j >= 0 and kinds[j] == BLANK and start - j <= 2:
        j -= 1
    if j < 0 or kinds[j] != TEXT or lines.in_list(j) or j in taken:  # taken: `::`, `?` too
        return ""
    text = render(lines.contents[j], lines.masked[j], cloze=src.cloze)
    if not text.endswith(":") or len(text) > 4 * _INTRO_MAX:
        return ""
    sentence = re.split(r"(?<=[.!?])\s+", text)[-1]
    if len(sentence) > _INTRO_MAX:
        return ""
    # `Precision is TP / (TP + FP), the share …:` asks `Precision is …, the share …:`
    return src.formulas.redact(sentence) if src.formulas is not None else sentence


def _section_text(src: Source, first: int, end: int, depth: int, taken: set[int],
                  also: set[int] | frozenset[int] = frozenset()) -> str:
    """The section's markdown: its explanation only. Other cards' sources (`taken`,
    `also`) are left out, and so are the blank lines their removal leaves doubled."""
    kinds = src.lines.kinds
    notes = src.footnotes
    idxs: list[int] = []
    blank = True
    for i in range(first, end):
        if i in taken or i in also or (notes and i in notes.lines):
            continue
        if kinds[i] == BLANK:
            if blank:
                continue
            blank = True
        else:
            blank = False
        idxs.append(i)
    while idxs and kinds[idxs[-1]] == BLANK:
        idxs.pop()
    if not idxs:
        return ""
    orig, masked = src.lines.joined(idxs, depth)
    if notes and notes.by_label:
        for lines in _cited_footnotes(src, idxs, notes, taken):
            note_orig, note_masked = src.lines.joined(lines, 0)
            orig += "\n\n" + note_orig
            masked += "\n\n" + note_masked
    return render(orig, masked, keep_indent=True, cloze=src.cloze)


def _cited_footnotes(src: Source, idxs: list[int], notes: Footnotes,
                     taken: set[int]) -> list[list[int]]:
    """The lines of the definitions of the footnotes these lines cite, in citing order."""
    masked = src.lines.masked
    cited: list[str] = []
    for i in idxs:
        if "[^" in masked[i]:
            for label in _FOOTNOTE_REF_RE.findall(masked[i]):
                if label in notes.by_label and label not in cited:
                    cited.append(label)
        if len(cited) >= _MAX_FOOTNOTES:
            break
    shown = [[i for i in notes.by_label[label] if i not in taken]
             for label in cited[:_MAX_FOOTNOTES]]
    return [lines for lines in shown if lines]


_ANSWER_WORD_RE = re.compile(r"\w+")
_CLOZE_ANSWER_RE = re.compile(r"==(.{1,500}?)==")
_MAX_ANSWERS = 200  # answers of a note a formula's sentence is compared with


def intro_states_no_answer(cards: list[Draft]) -> None:
    """A formula asked by its introducing sentence is asked without it when the sentence
    states another card's answer: `The F1 score is the harmonic mean of precision and
    recall:` above `$$F_1 = …$$` showed the summary card's answer (`Harmonic mean of
    precision and recall.`) on the formula's front. Answers of two words or more are
    compared, word by word, case and a leading article aside."""
    asked = [c for c in cards if c.bare is not None]
    if not asked:
        return
    answers: list[str] = []
    for c in cards:
        if c.kind in ("summary", "basic", "reversed"):
            found = [line.strip().removeprefix("- ") for line in c.back.splitlines()]
        elif c.kind == "aliases":
            found = c.back.split(", ")
        elif c.kind == "cloze":
            found = _CLOZE_ANSWER_RE.findall(c.back)
        else:
            continue
        for text in found[:_MAX_ANSWERS]:
            words = _ANSWER_WORD_RE.findall(text[:500].casefold())
            if words and words[0] in ("the", "a", "an"):
                words = words[1:]
            if len(words) >= 2:
                answers.append(f" {' '.join(words)} ")
        if len(answers) >= _MAX_ANSWERS:
            break
    if not answers:
        return
    def states(front: str, bare: str) -> bool:
        shown = f" {' '.join(_ANSWER_WORD_RE.findall(front.casefold()))} "
        told = f" {' '.join(_ANSWER_WORD_RE.findall(bare.casefold()))} "
        return any(a in shown and a not in told for a in answers)

    for c in asked:  # the alt front is the one a clash of fronts shows (`distinct_fronts`)
        assert c.bare is not None
        if states(c.front, c.bare[0]):
            c.front = c.bare[0]
        if states(c.alt_front, c.bare[1]):
            c.alt_front = c.bare[1]


_MAX_NAME = 200  # characters of a question compared with the note's names


# a question that asks what the note's name means: `What is ROC AUC?`, `What are p-values?`,
# `Define overfitting.`, `What is meant by **AUROC**?`
_ASKS_NAME_RE = re.compile(
    r"(?:(?:what|who)\s+(?:is|are|was|were)(?:\s+meant\s+by)?|define|definition\s+of)"
    r"\s+(?:(?:an?|the)\s+)?(.{1,200}?)\s*[?.:]*", re.I)


def same_fact_siblings(cards: list[Draft], title: str, aliases: list[str]) -> None:
    """The summary and aliases cards ask about the note's name; a card of the author's that
    asks it too, or answers with it (`σ::The standard deviation` in Standard Deviation.md
    with `aliases: [σ]`, `Overfitting::A model that …` beside its summary, a cloze
    `==Overfitting== is …`), or a question `What is AUROC?` (an alias), states their
    answers on its front, and they state its: they become its siblings (one block), never
    shown on the same day. A question moves with the cards in its block (the formulas of
    its answer)."""
    derived = [c for c in cards if c.kind in ("summary", "aliases")]
    if not derived:
        return
    names = NoteNames.of(title, aliases)
    target = ""
    for c in cards:
        if c.kind in ("basic", "reversed"):
            sides = [c.front, c.back]
        elif c.kind == "cloze":
            sides = _CLOZE_ANSWER_RE.findall(c.back)[:20]
        else:
            continue
        for side in sides:
            if names.repeats(side.strip()):
                target = c.block
                break
        if target:
            break
    moved: set[str] = set()
    for c in cards:
        if c.kind == "question" and len(c.front) <= _MAX_NAME:
            m = _ASKS_NAME_RE.fullmatch(c.front.strip())
            if m is not None and names.repeats(m.group(1).strip("*_ ")):
                if not target:
                    target = c.block
                elif c.block != target:
                    moved.add(c.block)
    if not target:
        return
    for c in cards:
        if c.kind in ("summary", "aliases") or c.block in moved:
            c.block = target


_MAX_COMPARED = 500  # cards of the author's in one note compared with its formulas
_MAX_SHOWN = 1_000  # characters of a front or heading searched for the note's other names
# A note that shows another name of its on more cards than this uses it as its notation
# (`IoU` on most cards of Intersection over Union.md): every review of the note shows it
# beside the title, and holding those cards back for the aliases card would put them on as
# many days (one card of a block a day). Most notes show a name on one or two cards.
_MAX_JOINED = 3
_COMMAND_NAME_RE = re.compile(r"\\([A-Za-z]+)")


def alias_siblings(cards: list[Draft]) -> None:
    """The aliases card asks the note's other names; a card whose front or breadcrumb shows
    one (`IoU of two boxes::0`, `## Why does Dice Loss handle class imbalance?`, a formula
    asked `IoU = ?`, a heading `## IoU for detection` above a card) beside the note's title
    states its answer: they become siblings (one block), never shown on the same day. Before,
    `What are other names for Intersection over Union?` came right after `IoU of two boxes`.
    Names are compared as the aliases card compares them (case, punctuation, a plural aside),
    word by word, in math as it reads (`$\\sigma$` shows `σ`)."""
    asking = next((c for c in cards if c.kind == "aliases" and c.names), None)
    if asking is None:
        return
    finder = _NameFinder({_name_key(_as_read(n)) for n in asking.names[:50]})
    seen: dict[str, bool] = {}

    def shows(text: str) -> bool:
        found = seen.get(text)
        if found is None:
            read = text[:_MAX_SHOWN]
            found = seen[text] = finder.finds(_as_read(read) if "\\" in read else read)
        return found

    crumbs_seen: dict[tuple[str, ...], bool] = {}  # the cards under a heading share its crumbs

    def crumbs_show(crumbs: tuple[str, ...]) -> bool:
        found = crumbs_seen.get(crumbs)
        if found is None:
            found = crumbs_seen[crumbs] = any(shows(h) for h in crumbs)
        return found

    sizes: dict[str, int] = {}
    for c in cards:
        sizes[c.block] = sizes.get(c.block, 0) + 1
    joined = {asking.block}
    moving = 0
    for c in cards[:_MAX_COMPARED]:
        if c.kind in ("aliases", "summary") or c.block in joined:
            continue
        if shows(c.front) or (c.crumbs and crumbs_show(c.crumbs)):
            joined.add(c.block)
            moving += sizes[c.block]
            if moving > _MAX_JOINED:
                return  # the note's own notation: see _MAX_JOINED
    if len(joined) == 1:
        return
    for c in cards:
        if c.block in joined:
            c.block = asking.block


_WORD_RE = re.compile(r"[^\W_]+")


class _NameFinder:
    """Whether a text shows one of the names (as `name_key` gives them: `iou`, `p value`,
    `newton method`) as name_key reads the text: case, apostrophes, punctuation and plural
    endings aside (`IoUs`, `p-values`, `Newton's`). The forms a text may give a name's first
    word are looked for in it, and only the words after each one found are read."""

    __slots__ = ("_firsts", "_symbols", "_stems")

    def __init__(self, keys: set[str]) -> None:
        self._firsts: dict[str, list[list[str]]] = {}
        self._symbols: list[str] = []  # names of symbols only (`∑`), found as written
        self._stems: list[str] = []  # what every form of a first word starts with
        for key in sorted(keys):
            words = key.split()
            if not words:
                continue
            if _WORD_RE.fullmatch(words[0]) is None:
                self._symbols.append(key)
                continue
            w = words[0]
            forms = {w, w + "s", w + "es", w + "e"}
            if w.endswith("y"):
                forms.add(w[:-1] + "ies")
            for form in forms:
                self._firsts.setdefault(form, []).append(words)
            stem = w[:-1] if w.endswith("y") else w
            if stem not in self._stems:  # `p value`, `p values`: one look for `p`
                self._stems.append(stem)

    def finds(self, text: str) -> bool:
        folded = text.casefold()
        if "'" in folded or "\u2019" in folded:
            folded = folded.replace("'", "").replace("\u2019", "")
        if self._symbols and any(k in " ".join(folded.split()) for k in self._symbols):
            return True
        # each word of the text that starts with the stem of a name's first word (no word
        # character, `[^\W_]`, which is what isalnum() is, before it) is looked up among the
        # first words' forms; the words after it are read only when it is one. Most texts
        # hold no stem at all: one find each
        firsts = self._firsts
        for stem in self._stems:
            at = folded.find(stem)
            while at >= 0:
                if at == 0 or not folded[at - 1].isalnum():
                    word = _WORD_RE.match(folded, at)
                    if word is not None:
                        names = firsts.get(word.group())
                        if names is not None and self._named(names, folded, word.end()):
                            return True
                at = folded.find(stem, at + 1)
        return False

    def _named(self, names: list[list[str]], folded: str, end: int) -> bool:
        """Whether one of `names` (those of the first word that ends at `end`) has its
        other words next, each as it is or in a plural: read one word at a time, up to the
        first that differs (most often the first after)."""
        for name in names:
            size = len(name)
            j = 1
            at = end
            while j < size:
                word = _WORD_RE.search(folded, at)
                if word is None or singular(word.group()) != name[j]:
                    break
                at = word.end()
                j += 1
            if j == size:
                return True
        return False


def _as_read(text: str) -> str:
    """Text with its LaTeX commands as they read: `\\sigma` is `σ`, `\\log` `log`."""
    if "\\" not in text:
        return text
    return _COMMAND_NAME_RE.sub(_command_read, text)


def _command_read(m: re.Match) -> str:
    return f" {greek_letter(m.group(1)) or m.group(1)} "


def _states(c, numbers: bool = False) -> set[tuple[tuple[str, int], ...]]:
    """The expressions a card of the author's (basic, reversed, cloze) states, as
    `formula_values` gives a display formula's: a cloze's answers and the text around them,
    a basic card's sides. Empty for words only (most cards), told cheaply."""
    if c.kind == "cloze":
        if not has_operator(c.back.replace("==", "").replace("**", "")):
            return set()
        return stated_values(c.back.replace("==", ""), _CLOZE_ANSWER_RE.findall(c.back),
                             numbers=numbers)
    if not (has_operator(c.back) or has_operator(c.front)):
        return set()
    return (stated_values(c.front, [c.front, c.back], numbers=numbers)
            | stated_values(c.back, numbers=numbers))


class _Joined:
    """Blocks made one as a pass finds that they state one fact: each block joined to
    another points at it; `apply` gives every card the block its own ends up in."""

    __slots__ = ("_merged",)

    def __init__(self) -> None:
        self._merged: dict[str, str] = {}  # block -> the block it joins

    def root(self, block: str) -> str:
        merged = self._merged
        seen = 0
        while block in merged and seen < len(merged):
            block = merged[block]
            seen += 1
        return block

    def join(self, kept: str, joining: str) -> None:
        a, b = self.root(kept), self.root(joining)
        if a != b:
            self._merged[b] = a

    def apply(self, cards: list) -> None:
        if self._merged:
            for c in cards:
                c.block = self.root(c.block)


def formula_siblings(cards: list[Draft]) -> None:
    """A card of the author's that states what a display formula of the note states (a cloze
    `precision = ==TP / (TP + FP)==`, `Precision::TP / (TP + FP)`, a cloze whose text shows
    it while asking something else) and that formula's card are one fact: they become
    siblings (one block), never shown on the same day, as the clozes of one paragraph are.
    Before, the cloze and `P = ?` came one after the other, each answering the other.
    Expressions are compared by their symbols and how often each is used, notation aside
    (`TP/(TP+FP)` is `\\frac{TP}{TP+FP}`, not `FP/(TP+FP)`); one of a single symbol (`TP`)
    tells no fact and is never compared."""
    formula_cards = [c for c in cards if c.kind == "formula"][:_MAX_FORMULAS]
    if not formula_cards:
        return
    formulas: list[tuple[Draft, frozenset]] | None = None  # read at the first card with math
    joined = _Joined()

    compared = 0
    for c in cards:
        if c.kind not in ("basic", "reversed", "cloze"):
            continue
        compared += 1
        if compared > _MAX_COMPARED:
            break
        stated = _states(c)  # empty for words only (most cards): nothing a formula states
        if not stated:
            continue
        if formulas is None:
            formulas = [(f, values) for f in formula_cards if (values := formula_values(f.back))]
        if not formulas:
            return
        for f, values in formulas:
            if values & stated:
                joined.join(c.block, f.block)
    joined.apply(cards)


_MAX_PHRASE_WORDS = 6  # an answer this short is looked for word for word on other cards
_MAX_SOURCE = 2_000_000  # characters of a note's text an answer is first looked for in
_MAX_PHRASES = 200  # answers of a note looked for on its other cards
_MAX_TEXT = 5_000  # characters of a card (breadcrumb, front, back) searched for them
_PHRASE_END = ".,;:!?…"


def answer_siblings(cards: list[Draft], title: str, aliases: list[str],
                    source: str | None = None) -> None:
    """A short answer of the author's (`Which mean does F1 take?::The harmonic mean`, a
    cloze's `==harmonic mean==`) shown word for word on another card of the note (the
    question `### Why does F1 take the harmonic mean?`, a summary saying it, a heading over a
    card) is given away by it: they become siblings (one block), never shown on the same
    day. Before, the two came one after the other. An answer of two to six words, two of
    them not the note's names nor words like `the`, `is`; one shown on more than three other
    cards is the note's vocabulary (every review of it shows it), not one card's fact.
    `source`: the note's text, read as an answer is (`_phrase`): an answer found there once
    only (on its own card: most answers) is shown on no other card, told by one scan."""
    phrases: list[tuple[int, str]] = []
    named: set[str] | None = None
    words_of = _ANSWER_WORD_RE.findall
    read: str | None = None
    kept: dict[str, str] = {}  # side -> its phrase, if it may be looked for ("" not)
    for i, c in enumerate(cards[:_MAX_COMPARED]):
        for side in _answers_of(c):
            phrase = kept.get(side)
            if phrase is not None:  # a reversed pair's sides, an answer said twice
                if phrase:
                    phrases.append((i, phrase))
                continue
            phrase = kept[side] = _phrase(side)
            if not phrase:
                continue
            # an answer found once only in the note (on its own card: most answers) is
            # looked at no further: one scan, before its words are
            if source is not None:
                if read is None:
                    read = source[:_MAX_SOURCE]
                    if "<!--" in read:  # a comment hides only itself: `harmonic <!-- x -->
                        read = HTML_COMMENT_RE.sub("", read)  # mean` shows `harmonic mean`
                    read = _one_spaced(_without(_without(read, "=="), "**").replace(
                        ">", " ").casefold())
                if read.count(phrase) < 2:
                    kept[side] = ""
                    continue
            if named is None:
                named = {w for name in [title, *aliases][:50]
                         for w in words_of(name[:200].casefold())}
            facts = 0  # two are enough
            for w in words_of(phrase):
                if (len(w) > 1 and w not in _FUNCTION_WORDS and w not in named
                        and not w.isdigit()):
                    facts += 1
                    if facts == 2:
                        break
            if facts < 2:
                kept[side] = ""
                continue
            phrases.append((i, phrase))
        if len(phrases) >= _MAX_PHRASES:
            break
    if not phrases:
        return
    # what each card shows (breadcrumb, front, back), read as `_phrase` reads an answer,
    # the cards one after the other, each after a NUL
    shown = _one_spaced(_without(_without("\0".join(
        "\n".join([*c.crumbs, c.front, c.back])[:_MAX_TEXT].replace("\0", " ")
        for c in cards[:_MAX_COMPARED]), "=="), "**").casefold())
    starts = [0]
    at = shown.find("\0")
    while at >= 0:
        starts.append(at + 1)
        at = shown.find("\0", at + 1)
    joined = _Joined()

    for i, phrase in phrases:
        showing = _showing(shown, starts, phrase, i)
        if not showing or len(showing) > _MAX_JOINED:
            continue
        for j in showing:
            joined.join(cards[i].block, cards[j].block)
    joined.apply(cards)


# what str.split() splits at besides a space and a newline (tests/notes check the list)
_OTHER_SPACES = ("\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
                "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _one_spaced(text: str) -> str:
    """`" ".join(text.split())`: a note's whole text as `answer_siblings` reads it. Where
    spaces and newlines are its only whitespace (most notes), its newlines made spaces and
    its runs of spaces made one, a few scans in C instead of a string for each of its
    words (~20 us a note of the benchmark's, ~3% of its parse)."""
    for space in _OTHER_SPACES:
        if space in text:
            return " ".join(text.split())
    text = text.replace("\n", " ")
    while "  " in text:  # each pass at least halves the longest run
        text = " ".join(text.split("  "))
    return text.strip(" ")


def _without(text: str, marker: str) -> str:
    """`text.replace(marker, "")`, the same string: split and joined it is ~3x faster
    (`==`, `**`: CPython's replace by an empty string of a two-character marker is slow),
    and a text without the marker's first character is left at once."""
    return "".join(text.split(marker)) if marker[0] in text else text


def _answers_of(c) -> list[str] | tuple[str, ...]:
    """What a card asks to recall, as written: a summary's or a basic card's back, both
    sides of a reversed one, a cloze's deletions; nothing for the other kinds."""
    kind = c.kind
    if kind == "basic" or kind == "summary":
        return (c.back,)
    if kind == "reversed":
        return (c.front, c.back)
    if kind == "cloze":
        return _CLOZE_ANSWER_RE.findall(c.back)[:20]
    return ()


def _phrase(side: str) -> str:
    """An answer as it is looked for: casefolded, emphasis and a leading article dropped;
    empty when it is no short answer in words (a formula, one word, a sentence)."""
    if len(side) > 200 or "$" in side:
        return ""
    if "==" in side or "**" in side:
        side = side.replace("==", "").replace("**", "")
    words = side.strip(" *_").casefold().split()
    count = len(words)
    if count > _MAX_PHRASE_WORDS + 1 or count < 2:  # too long or short with an article too
        return ""
    if words[0] in ("the", "a", "an"):
        words = words[1:]
        count -= 1
    if count < 2 or count > _MAX_PHRASE_WORDS:
        return ""
    words[-1] = words[-1].rstrip(_PHRASE_END)
    if not words[-1] or has_operator(side):
        return ""
    return " ".join(words)


_MAX_FOUND = 100  # places a phrase is found at, looked at


def _showing(shown: str, starts: list[int], phrase: str, own: int) -> set[int]:
    """The cards (but `own`) whose text, joined in `shown` at `starts`, holds `phrase` as
    whole words; more than `_MAX_JOINED` of them are not all counted."""
    found: set[int] = set()
    start = shown.find(phrase)
    for _ in range(_MAX_FOUND):
        if start < 0:
            break
        end = start + len(phrase)
        if (start == 0 or not shown[start - 1].isalnum()) and (
                end == len(shown) or not shown[end].isalnum()):
            j = bisect_right(starts, start) - 1
            if j != own:
                found.add(j)
                if len(found) > _MAX_JOINED:
                    break
        start = shown.find(phrase, start + 1)
    return found


_MAX_EXPRESSIONS = 50  # expressions of one exercise compared with the note's cards


def exercise_siblings(cards: list, exercises: list[tuple[Any, list[str], str]],
                      names: list[str] = ()) -> None:
    """An exercise's worked answer states the formula it is computed by (`Recall = TP /
    (TP + FN)` above the numbers); a card of the note that asks or states that formula
    (`Recall::$\\frac{TP}{TP+FN}$`, the formula's card `F1 Score: F₁ = ?`, a cloze `recall =
    ==TP / (TP + FN)==`) is one fact with it: the exercise joins that card's block (siblings,
    never shown on the same day). Before, `Recall` came right before `Compute the recall from
    TP, FP and FN`, whose working shows its answer. `exercises`: each exercise card with the
    expressions its answers are computed by (`2*TP / (2*TP + FP + FN)`), then the lines of its
    working that every draw shows (`Recall = TP / (TP + FN): of all the cats …`), compared as
    `formula_siblings` compares, and by the whole numbers they show: the Dice score's
    `2TP / (2TP + FP + FN)` is not the IoU's `TP / (TP + FP + FN)`.
    An exercise joins one block only, the first card stating its first expression that any
    card states: one stating two formulas (the mask grid's Dice or IoU) does not make the
    Dice card and the IoU card siblings, and so one card a day, of each other.
    Then its words: the text every draw shows (title, prompt and working, drawn values
    left out) can state a card's answer in words (`_AnswerWords`): `Compute F1 from
    precision and recall (their harmonic mean)` under the summary `combines the precision and
    recall … by taking their harmonic mean`. That card's block joins the exercise's."""
    stated: list[tuple[Any, set]] | None = None  # read at the first exercise with an expression
    for exercise, expressions, _text in exercises:
        for text in expressions[:_MAX_EXPRESSIONS]:
            values = _expression_values(text)
            if not values:
                continue
            if stated is None:
                stated = _cards_stating(cards)
            card = next((c for c, its in stated if values & its), None)
            if card is not None:
                exercise.block = card.block
                break
    answers = _AnswerWords.of(cards, names)
    if answers is None:
        return
    joined = _Joined()
    for exercise, _expressions, text in exercises:
        card = answers.stated_in(text)
        if card is None:
            continue
        if exercise.block.startswith("exercise:"):  # in no card's block yet: it joins this one
            joined.join(card.block, exercise.block)
        else:  # in a formula's block already: the answer's block joins it
            joined.join(exercise.block, card.block)
    joined.apply([*cards, *(exercise for exercise, _e, _t in exercises)])


_MAX_ANSWER_CARDS = 200  # cards of a note whose answers an exercise's words are compared with
_MAX_SHOWN_WORDS = 2_000  # words of an exercise's text compared with them
_MIN_SHARED = 3  # content words an answer in words and an exercise's text share, at least
# words that carry no fact of their own (`of`, `the`, `is`): left out before counting
_FUNCTION_WORDS = frozenset("""
a an the of and or nor but to in on at by for with from into onto over under as than then
so is are was were be been being it its this that these those their there they them he she
his her we our you your i me my which what who whom whose how why when where whether if
not no do does did done has have had can could will would shall should may might must
one each every all any some both either neither more most less least very also just only
about between through per via such same other another own up down out off
""".split())


class _AnswerWords:
    """The answers of a note's cards in words (a summary, the back of a basic card, both
    sides of a reversed one, a cloze's deletions), read once for the note's exercises."""

    __slots__ = ("_phrases", "_answers")

    def __init__(self, phrases: list[tuple[Any, str]],
                 answers: list[tuple[Any, list[str], frozenset[str]]]) -> None:
        self._phrases = phrases  # (card, ` harmonic mean `): a short answer's words
        self._answers = answers  # (card, its words, its fact words {combine, precision, …})

    @classmethod
    def of(cls, cards: list, names: list[str]) -> _AnswerWords | None:
        named = set()
        for name in names[:50]:
            named.update(_content_words(name[:200]))
        phrases: list[tuple[Any, str]] = []
        answers: list[tuple[Any, list[str], frozenset[str]]] = []
        for c in cards:
            for side in _answers_of(c):
                if has_operator(side):
                    continue  # a formula: the expressions above are compared, not words
                words = _plain_words(side[:1_000])
                if words and words[0] in ("the", "a", "an"):
                    words = words[1:]
                content = frozenset(w for w in words if w not in _FUNCTION_WORDS
                                    and w not in named and len(w) > 1 and not w.isdigit())
                if 2 <= len(words) <= 6 and content:
                    phrases.append((c, f" {' '.join(words)} "))
                if len(content) >= _MIN_SHARED:
                    answers.append((c, words, content))
            if len(phrases) + len(answers) >= _MAX_ANSWER_CARDS:
                break
        if not (phrases or answers):
            return None
        return cls(phrases, answers)

    def stated_in(self, text: str):
        """The first card whose answer the text states: a short answer (two to six words)
        word for word; a longer one by two thirds of its fact words, or by phrases of it
        (runs of two words or more, each with two fact words: `precision and recall`,
        `their harmonic mean`) holding two fifths of them. Three fact words at least:
        one or two shared (`positive`, `pixel`) are the topic's vocabulary, not its fact."""
        joined, shown, pairs = _shown_words(text)
        for c, phrase in self._phrases:
            if phrase in joined:
                return c
        for c, said, content in self._answers:
            shared = len(content & shown)
            if shared < _MIN_SHARED:
                continue
            if 3 * shared >= 2 * len(content):
                return c
            in_phrases: set[str] = set()
            run = said[:1]
            for before, word in zip(said, [*said[1:], None]):
                if word is not None and (before, word) in pairs:
                    run.append(word)
                    continue
                facts = content.intersection(run)
                if len(facts) >= 2:
                    in_phrases |= facts
                run = [word]
            if len(in_phrases) >= _MIN_SHARED and 5 * len(in_phrases) >= 2 * len(content):
                return c
        return None


@lru_cache(maxsize=256)  # a built-in's text, compared with every note it matches
def _shown_words(text: str) -> tuple[str, frozenset[str], frozenset[tuple[str, str]]]:
    """An exercise's text as `_AnswerWords.stated_in` compares it: its words joined, the
    set of them, and the pairs of words that follow each other."""
    words = _plain_words(text)[:_MAX_SHOWN_WORDS]
    return f" {' '.join(words)} ", frozenset(words), frozenset(zip(words, words[1:]))


def _plain_words(text: str) -> list[str]:
    """A text's words as answers are compared: casefolded, LaTeX commands read, plural
    endings aside."""
    return [_singular(w) for w in _ANSWER_WORD_RE.findall(_as_read(text).casefold())]


# the words of a note's answers and of the exercises' texts come back note after note
_singular = lru_cache(maxsize=8_192)(singular)


def _content_words(text: str) -> set[str]:
    return {w for w in _plain_words(text) if w not in _FUNCTION_WORDS}


@lru_cache(maxsize=1024)  # a built-in's expressions, asked for by every note it matches
def _expression_values(text: str) -> frozenset[tuple[tuple[str, int], ...]]:
    """What an exercise's expression or line of working states, numbers counted; numbers
    alone (`α = β = 0.5`) state no fact a card could give away."""
    return frozenset(key for key in stated_values(text, [text], numbers=True)
                     if not all(symbol.isdigit() for symbol, _count in key))


def _cards_stating(cards: list) -> list[tuple[Any, set]]:
    """The cards of the author's and formula cards with what each states, numbers counted
    (`exercise_siblings`), in note order; those that state nothing left out."""
    found = []
    compared = 0
    for c in cards:
        if c.kind not in ("basic", "reversed", "cloze", "formula"):
            continue
        compared += 1
        if compared > _MAX_COMPARED:
            break
        its = formula_values(c.back, numbers=True) if c.kind == "formula" else _states(
            c, numbers=True)
        if its:
            found.append((c, its))
    return found


def distinct_fronts(cards: list[Draft]) -> None:
    """No two cards of a note share a front: a derived card whose front another card has
    is asked with its heading; if that is not enough, numbered in note order. Explicit
    cards are the author's words and stay as written."""
    def clashes() -> list[Draft]:
        count: dict[str, int] = {}
        for c in cards:
            count[c.front] = count.get(c.front, 0) + 1
        return [c for c in cards if c.kind in _DERIVED_KINDS and count[c.front] > 1]

    clashing = clashes()
    if not clashing:
        return
    for c in clashing:
        if c.alt_front:
            c.front = c.alt_front
    seen: dict[str, int] = {c.front: 0 for c in cards if c.kind not in _DERIVED_KINDS}
    for c in cards:
        if c.kind not in _DERIVED_KINDS:
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
