"""What the card finders share: a card before its deck is known, and card text cut out
of the note's source."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flashdeck.notes import _cloze
from flashdeck.notes._mask import COMMENT
from flashdeck.notes.model import SRSeed

# Cards one note may make. A real note holds at most a few thousand: a vocabulary list of a
# language's 10,000 commonest words, one `:::` line each, is 20,000 cards. Past that a note
# is a dump (a generated file, an export pasted in) whose cards, about 1 KB each while the
# note is parsed and written, would take the import's memory (a 16 MiB note of `q::a` lines
# made 900,000 cards and peaked near 1 GB): the rest of the note makes none, and says so.
MAX_NOTE_CARDS = 20_000

_BLOCK_ID_RE = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+(?=[ \t\x02]*$)", re.M)
# a line that starts a block of its own: the line above it ends its block (a list item,
# heading, quote, table row, fence or display math)
_BLOCK_START_RE = re.compile(r"[ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|#{1,6}[ \t]|>|\||```|~~~|\$\$)")
_COMMENT_RUN_RE = re.compile(COMMENT + "+")


@dataclass(slots=True)
class Draft:
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
    # a formula asked by its introducing sentence: its front and alt_front without it, for a
    # sentence that states another card's answer (`intro_states_no_answer`)
    bare: tuple[str, str] | None = None
    names: tuple[str, ...] = ()  # the aliases card's: the other names it asks for
    # (front, back) as written, when the note's macros were expanded in them (`_macros`)
    written: tuple[str, str] | None = None


def over_cap(drafts: list[Draft]) -> int | None:
    """For drafts sorted by line: the file line of the first card past MAX_NOTE_CARDS, after
    dropping it and every card after it (a line's cards, siblings, go together), or None."""
    if len(drafts) <= MAX_NOTE_CARDS:
        return None
    cut = drafts[MAX_NOTE_CARDS].line
    keep = MAX_NOTE_CARDS
    while keep > 0 and drafts[keep - 1].line >= cut:
        keep -= 1
    del drafts[keep:]
    return cut


def seed(seeds: list[SRSeed | None], index: int) -> SRSeed | None:
    return seeds[index] if 0 <= index < len(seeds) else None


def plain_cloze(text: str, kinds: tuple[str, ...]) -> str:
    """Frontmatter text (no code or math masking there) with cloze syntax as plain text."""
    if not text or not _cloze.has_cloze_marker(text, kinds):
        return text
    return render(text, text, cloze=kinds)


def render(
    orig: str,
    masked: str,
    edits: list[tuple[int, int, str]] | tuple[()] = (),
    keep_indent: bool = False,
    cloze: tuple[str, ...] = (),
    ends_block: bool = True,
) -> str:
    """Card text: `orig` with `edits` applied and comments and block ids removed.

    Positions come from `masked`, the same text with code, math and comments masked.
    With `cloze` (the cloze kinds in use), cloze syntax in the text of a card that is
    not that cloze's own shows as its plain answer: `==x;;hint==` reads `x` (bold stays
    bold), so no card shows another card's syntax.

    A block id (` ^abc123`) goes where Obsidian reads it as one: at the end of a block
    (the text's last line, when `ends_block`; a line over a blank line or over a line that
    starts a block). In the middle of a paragraph (`What is dropout? ^d1` over a `?` line)
    it is text, as Obsidian shows it and the plugin keeps it.
    """
    removals: list[tuple[int, int, str]] = list(edits)
    if cloze and _cloze.has_cloze_marker(masked, cloze):
        for d in _cloze.find_deletions(orig, masked, cloze):
            plain = f"**{d.answer}**" if orig.startswith("**", d.start) else d.answer
            removals.append((d.start, d.end, plain))
    if COMMENT in masked:
        removals.extend((m.start(), m.end(), "") for m in _COMMENT_RUN_RE.finditer(masked))
    if "^" in masked:
        removals.extend((m.start(), m.end(), "") for m in _BLOCK_ID_RE.finditer(masked)
                        if _ends_block(masked, m.end(), ends_block))
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


def _ends_block(masked: str, at: int, ends_block: bool) -> bool:
    """Whether the line ending after offset `at` (its trailing spaces and comments aside)
    is the last line of a block."""
    newline = masked.find("\n", at)
    if newline == -1:
        return ends_block
    end = masked.find("\n", newline + 1)
    nxt = masked[newline + 1 : end if end != -1 else len(masked)]
    return not nxt.strip() or _BLOCK_START_RE.match(nxt) is not None


_MAX_BLANK = 64  # characters of a side read for invisible ones (a longer side is taken as shown)


def shows_nothing(side: str) -> bool:
    """A card side that shows nothing: empty, or only invisible characters (a zero-width
    space, a word joiner, a direction mark, a soft hyphen: Unicode's format characters)
    and spaces, also written as entities (`&nbsp;`, `&#8203;`), as text pasted from a web
    page may hold. Such a side is no question and no answer."""
    if not side:
        return True
    if side[0].isalnum() or len(side) > _MAX_BLANK:
        return False
    if "&" in side:
        import html  # only for a short side with an entity

        side = html.unescape(side)
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in side)
