"""Cloze deletions, compatible with the Obsidian Spaced Repetition plugin.

The plugin (through its `clozecraft` library) reads each deletion as
`[number;;]answer[;;hint]` and picks one mode per paragraph:

- numbered (`==1;;a==`, `==2;;b==`): one card per number, deletions sharing a number
  are asked together; the plugin's schedule comment holds one entry per number (`n-1`);
- overlapping (`==ah;;x==`): the letters say, card by card, whether the deletion is
  asked (a), hidden as `...` (h) or shown (s); missing letters mean shown;
- simple (`==a==`): one card per deletion, in text order. The plugin's schedule comment
  holds one entry per deletion in the order clozecraft finds them: pattern by pattern (as
  its cloze patterns setting lists them, and so as `cloze` lists the kinds), each in text
  order; `The **heart** pumps ==blood==` with highlight before bold is `!blood!heart`.

Where the plugin leaves unnumbered deletions of a numbered paragraph as raw `==x==` on
every card, flashdeck asks each of them on a card of its own (after the numbered ones),
so nothing the author highlighted is silently dropped.

Deletions are found in the masked text (so `==` inside code or math is not a cloze)
and a deletion's text must not start with a space, like emphasis in CommonMark:
`a == b and c == d` is prose, not a cloze. It may end with one, as the plugin reads it:
`=="max(0, x)" ==` is a deletion whose answer is `"max(0, x)"` (without the space), so
the plugin's schedule groups of the paragraph go to the cards they were written for.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from flashdeck.notes._mask import COMMENT, OPAQUE, anki_clozes

# A deletion is what these patterns match, its inner text bounded (tests prove that
# `_matches` finds the same, in one pass: the patterns scan up to 4 000 characters from
# every unclosed opener, 16 s for a 400 kB line of `==a `).
_PATTERNS: dict[str, re.Pattern[str]] = {
    "highlight": re.compile(r"==([^\s=][^\n]{0,4001}?)=="),
    "bold": re.compile(r"\*\*([^\s*][^\n]{0,4001}?)\*\*"),
    "curly": re.compile(r"\{\{([^\s{}][^\n]{0,4001}?)\}\}"),
}
_OPENERS = OPENERS = {"highlight": "==", "bold": "**", "curly": "{{"}
# Anki's own cloze, `{{c1::answer}}` / `{{c1::answer::hint}}`: read whatever `cloze` lists (a
# `{{`, then `c`, a number and `::`, is no other syntax), as a numbered deletion (c1 is card 1).
# Its `::` is no card's separator (`_mask.unlinked`).
ANKI_OPENER = "{{c"
_ANKI_RE = re.compile(r"c(\d{1,9})::(.+?)(?:::(.+))?\Z", re.S)
_SYNTAX = {  # opener, closer, what the answer may not start with
    "highlight": ("==", "==", "="), "bold": ("**", "**", "*"), "curly": ("{{", "}}", "{}")}
_MAX_INNER = 4002


def _matches(masked: str, kind: str) -> list[tuple[int, int, int, int]]:
    """(start, end, inner start, inner end) of each match of `_PATTERNS[kind]` in `masked`,
    as `finditer` gives them, in time linear in the text: each opener takes the first
    closer after its first character, when no newline and at most _MAX_INNER characters
    lie between."""
    opener, closer, not_first = _SYNTAX[kind]
    closers: list[int] = []
    c = masked.find(closer, 1)
    while c != -1:
        closers.append(c)
        c = masked.find(closer, c + 1)
    if not closers:
        return []
    newlines = [i for i, ch in enumerate(masked) if ch == "\n"] if "\n" in masked else []
    found: list[tuple[int, int, int, int]] = []
    p = masked.find(opener)
    while p != -1:
        first = p + 2
        if first < len(masked) and not masked[first].isspace() and masked[first] not in not_first:
            k = bisect_left(closers, first + 1)
            if k < len(closers):
                end = closers[k]
                n = bisect_left(newlines, first)
                if end - first <= _MAX_INNER and (n == len(newlines) or newlines[n] >= end):
                    found.append((p, end + 2, first, end))
                    p = masked.find(opener, end + 2)
                    continue
        p = masked.find(opener, p + 1)
    return found

_NUMBERED_RE = re.compile(r"(\d+);;(.+?)(?:;;(.+))?\Z", re.S)
_OVERLAP_RE = re.compile(r"([ash]+);;(.+?)(?:;;(.+))?\Z", re.S)
_SIMPLE_RE = re.compile(r"(.+?)(?:;;(.+))?\Z", re.S)
_COMMENT_RUN_RE = re.compile(COMMENT + "+")


@dataclass(slots=True)
class Deletion:
    start: int  # offsets of the whole deletion, markers included
    end: int
    answer: str
    hint: str | None
    number: int | None = None  # numbered mode
    seq: str | None = None  # overlapping mode
    kind: str = "highlight"  # which cloze kind's markers it has (highlight, bold, curly)


@dataclass(slots=True)
class ClozeCard:
    ordinal: int
    sr_index: int  # which entry of the plugin's schedule comment belongs to this card
    replacements: list[tuple[int, int, str]]  # front
    back_replacements: list[tuple[int, int, str]]


def has_cloze_marker(masked: str, kinds: tuple[str, ...]) -> bool:
    openers = _OPENERS_OF.get(kinds)
    if openers is None:
        openers = cloze_openers(kinds)
        if len(_OPENERS_OF) < 64:  # the settings' kinds: one or two tuples a process
            _OPENERS_OF[kinds] = openers
    for opener in openers:  # a loop, not any(): called for every card side and line
        if opener in masked:
            return True
    return False


_OPENERS_OF: dict[tuple[str, ...], tuple[str, ...]] = {}


def cloze_openers(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The openers of the cloze `kinds`, and Anki's `{{c` when clozes are on and `{{` is
    not one of them already."""
    openers = tuple(_OPENERS[k] for k in kinds if k in _OPENERS)
    return openers + (ANKI_OPENER,) if openers and "{{" not in openers else openers


def _clean(orig: str, masked: str) -> str:
    """`orig` without the HTML comments the mask marks."""
    if COMMENT not in masked:
        return orig
    out: list[str] = []
    last = 0
    for m in _COMMENT_RUN_RE.finditer(masked):
        out.append(orig[last : m.start()])
        last = m.end()
    out.append(orig[last:])
    return "".join(out)


# Where cloze markup is text: wiki links and embeds (`[[target|alias]]`: a `]` in the
# `[...]` of a front would end the link), a markdown link's destination and bare URLs
# (`?id=YWJj==&sig=ZGVm==`: base64 padding is no cloze, and no card may cut a link).
_LINK_RE = re.compile(
    r"\[\[[^\[\]\n]{1,2000}\]\]"
    r"|\]\(<?[^\s()<>]{1,2000}"
    r"|\b(?:https?|ftp)://[^\s<>]{1,2000}"
)
_PAIRS = (("==", "=="), ("**", "**"), ("{{", "}}"))
_MARKERS = ("==", "**", "{{", "}}")
_TRAILING = ".,:;!?'\")"  # punctuation after a URL, as GFM's autolinks leave it out


def _protect_links(masked: str) -> str:
    """`masked` with wiki links, link destinations and URLs masked out of cloze syntax."""
    if "[[" not in masked and "](" not in masked and "://" not in masked:
        return masked
    out: list[str] = []
    last = 0
    # cloze markers on the current line so far, the links and URLs on it left out
    counts = dict.fromkeys(_MARKERS, 0)
    for m in _LINK_RE.finditer(masked):
        start, end = m.span()
        text = masked[last:start]
        newline = text.rfind("\n")
        if newline >= 0:
            counts = dict.fromkeys(_MARKERS, 0)
        for marker in _MARKERS:
            counts[marker] += text.count(marker, newline + 1)
        if masked[start] not in "[]":
            # a bare URL ends at a space, so it runs over the closer of a deletion that
            # holds it (`==see https://example.org==`): that closer is markup, not URL,
            # when a deletion is open before the URL on its line
            url_end = len(masked[start:end].rstrip(_TRAILING)) + start
            for opener, closer in _PAIRS:
                opened = (counts[opener] - counts[closer] if opener != closer
                          else counts[opener] % 2)
                if opened > 0 and masked.endswith(closer, start, url_end):
                    end = url_end - len(closer)
                    break
        out.append(text)
        out.append(OPAQUE * (end - start))
        last = end
    out.append(masked[last:])
    return "".join(out)


_ESCAPE_RE = re.compile(r"\\[\s\S]")


def _protect_escapes(masked: str) -> str:
    """`masked` with backslash-escaped `=`, `*`, `{`, `}` masked: `\\==x==` is text in
    Obsidian, no highlight, so no cloze either (an escaped backslash escapes nothing)."""
    if "\\" not in masked:
        return masked
    chars = list(masked)
    for m in _ESCAPE_RE.finditer(masked):
        if masked[m.end() - 1] in "=*{}":
            chars[m.end() - 1] = OPAQUE
    return "".join(chars)


def find_deletions(orig: str, masked: str, kinds: tuple[str, ...]) -> list[Deletion]:
    masked = _protect_escapes(_protect_links(masked))
    found: list[tuple[int, int, int, int, str]] = []
    for kind in kinds:
        if kind in _SYNTAX and _OPENERS[kind] in masked:
            found += [(*match, kind) for match in _matches(masked, kind)]
    if kinds and "curly" not in kinds and ANKI_OPENER in masked:
        found += [(*match, "curly") for match in anki_clozes(masked)
                  if masked.find("::", match[2]) + 2 < match[3]]  # not `{{c1::}}`
    found.sort()
    kept: list[tuple[int, int, int, int, str, list[tuple[int, int]]]] = []
    inside: list[tuple[int, int, int, int, str]] = []  # the open deletions nested in kept[-1]
    for match in found:
        if kept and match[0] < kept[-1][1]:
            # overlaps an earlier deletion: one of another kind inside it (`**a ==b== c**`)
            # is the answer's own markup, and its markers are left out of the answer; but
            # bold is bold to Obsidian too: `==a **b** c==` is asked as `a **b** c`
            while inside and inside[-1][1] <= match[0]:
                inside.pop()
            outer = inside[-1] if inside else kept[-1]
            if match[0] >= outer[2] and match[1] <= outer[3]:  # within: not across a marker
                if match[4] != "bold":
                    kept[-1][5].extend(((match[0], match[2]), (match[3], match[1])))
                inside.append(match)
            continue
        kept.append((*match, []))
        inside = []
    return [_read_deletion(orig, masked, *k) for k in kept]


def _without(text: str, offset: int, cuts: list[tuple[int, int]]) -> str:
    """`text` (starting at `offset`) without the spans `cuts`."""
    out: list[str] = []
    last = 0
    for start, end in sorted(cuts):
        out.append(text[last : start - offset])
        last = end - offset
    out.append(text[last:])
    return "".join(out)


def _read_deletion(
    orig: str, masked: str, start: int, end: int, inner_start: int, inner_end: int,
    kind: str = "highlight", markers: list[tuple[int, int]] | None = None,
) -> Deletion:
    """`markers`: spans of the inner text that are nested deletions' markers (left out)."""
    while inner_end > inner_start + 1 and masked[inner_end - 1].isspace():
        inner_end -= 1  # `==a ==`: the answer is `a`
    inner_m = masked[inner_start:inner_end]
    inner_o = orig[inner_start:inner_end]
    if markers:
        inner_m = _without(inner_m, inner_start, markers)
        inner_o = _without(inner_o, inner_start, markers)
    if ";;" not in inner_m and kind != "curly":
        # no `;;` (most deletions): neither numbered nor overlapping, and the whole inner
        # text is the answer, with no hint (what _SIMPLE_RE reads), told without a regex
        return Deletion(start, end, _clean(inner_o, inner_m), None, kind=kind)

    def part(m: re.Match[str], group: int) -> str | None:
        if m.group(group) is None:
            return None
        s, e = m.span(group)
        return _clean(inner_o[s:e], inner_m[s:e])

    m = _ANKI_RE.match(inner_m) if kind == "curly" else None
    if m:  # `{{c2::answer::hint}}`
        return Deletion(start, end, part(m, 2) or "", part(m, 3), number=int(m.group(1)),
                        kind=kind)
    m = _NUMBERED_RE.match(inner_m)
    if m:
        return Deletion(start, end, part(m, 2) or "", part(m, 3), number=int(m.group(1)),
                        kind=kind)
    m = _OVERLAP_RE.match(inner_m)
    if m:
        return Deletion(start, end, part(m, 2) or "", part(m, 3), seq=m.group(1), kind=kind)
    m = _SIMPLE_RE.match(inner_m)
    assert m is not None  # the inner text is never empty
    return Deletion(start, end, part(m, 1) or "", part(m, 2), kind=kind)


def _asked(d: Deletion) -> str:
    return f"[{d.hint}]" if d.hint else "[...]"


def expand(deletions: list[Deletion], limit: int,
           kinds: tuple[str, ...] = ()) -> tuple[list[ClozeCard], int]:
    """The first `limit` cards of one paragraph, and how many it has in all; `kinds`: the
    cloze kinds in the order the settings list them (the order of the plugin's schedule
    entries in a paragraph that mixes them).

    Each card lists every deletion of the paragraph, so the limit must apply before the
    cards are built: a paragraph of 100 000 deletions would otherwise need 10^10 entries.
    """
    if not deletions:
        return [], 0
    if any(d.number is not None for d in deletions):
        plans = _numbered_plans(deletions)
    elif any(d.seq is not None for d in deletions):
        plans = _overlapping_plans(deletions)
    else:
        plans = _simple_plans(deletions, kinds)
    cards = [_card(deletions, ordinal, sr, actions) for ordinal, sr, actions in plans[:limit]]
    return cards, len(plans)


def _card(
    deletions: list[Deletion], ordinal: int, sr_index: int, actions: dict[int, str]
) -> ClozeCard:
    front: list[tuple[int, int, str]] = []
    back: list[tuple[int, int, str]] = []
    for i, d in enumerate(deletions):
        action = actions.get(i, "s")
        if action == "a":
            front.append((d.start, d.end, _asked(d)))
            back.append((d.start, d.end, f"=={d.answer}=="))
        elif action == "h":
            front.append((d.start, d.end, "..."))
            back.append((d.start, d.end, "..."))
        else:
            front.append((d.start, d.end, d.answer))
            back.append((d.start, d.end, d.answer))
    return ClozeCard(ordinal, sr_index, front, back)


Plan = tuple[int, int, dict[int, str]]  # ordinal, schedule entry, action per deletion


def _numbered_plans(deletions: list[Deletion]) -> list[Plan]:
    """Card n asks group n (ordinal and schedule entry n-1, as the plugin counts them);
    group 0 and unnumbered deletions get cards of their own after the numbered ones."""
    groups: dict[int, dict[int, str]] = {}
    extra: list[dict[int, str]] = []
    zero: dict[int, str] = {}
    for i, d in enumerate(deletions):
        if d.number:
            groups.setdefault(d.number, {})[i] = "a"
        elif d.number == 0:
            zero[i] = "a"
        else:
            extra.append({i: "a"})
    plans: list[Plan] = [(n - 1, n - 1, groups[n]) for n in sorted(groups)]
    next_ordinal = max(groups) if groups else 0
    if zero:
        extra.insert(0, zero)
    for asked in extra:
        # schedule entry -1: the plugin never scheduled these, so no seed applies
        plans.append((next_ordinal, -1, asked))
        next_ordinal += 1
    return plans


def _simple_plans(deletions: list[Deletion], kinds: tuple[str, ...]) -> list[Plan]:
    """A card per deletion, in text order (its ordinal); its schedule entry is its place
    in the plugin's order: the deletions of the first kind the settings list, in text order,
    then those of the next kind (a kind not listed, last)."""
    first = deletions[0].kind
    if all(d.kind == first for d in deletions):  # one kind (most paragraphs): text order
        return [(i, i, {i: "a"}) for i in range(len(deletions))]
    rank = {kind: k for k, kind in enumerate(kinds)}
    order = sorted(range(len(deletions)), key=lambda i: rank.get(deletions[i].kind, len(rank)))
    entry = {i: k for k, i in enumerate(order)}
    return [(i, entry[i], {i: "a"}) for i in range(len(deletions))]


def _overlapping_plans(deletions: list[Deletion]) -> list[Plan]:
    count = max(len(d.seq or "") for d in deletions)
    plans: list[Plan] = []
    for k in range(count):
        actions = {
            i: d.seq[k] for i, d in enumerate(deletions) if d.seq is not None and k < len(d.seq)
        }
        if "a" in actions.values():  # else nothing is asked: front and back would match
            plans.append((k, k, actions))
    return plans
