"""A note's own LaTeX macros in its cards (`flashdeck.texmacros` does the expanding).

MathJax keeps a macro defined in one math block of a note for the rest of it, and the
Extended MathJax plugin reads the vault's `preamble.sty` first. A card's formulas see: the
preamble's macros, then the note's definitions above the card's line in order (a later one
of the same name replaces an earlier one), then those further down for names not defined
yet (Obsidian keeps them once the note has been shown whole), and the definitions in the
card's own text, in order. A card's text keeps its formulas with the macros expanded and the
definitions taken out; its identity (`ParsedCard.content_key`) stays its text as written, so
a card keeps its id and history whatever its macros become.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from flashdeck.notes._cards import Draft
from flashdeck.texmacros import (MAX_TOKENS, Macro, define, expand_text, map_math,
                                 might_define, read_definitions)

_MAX_WARNINGS = 20  # messages about one note's macros
# tokens the expansions of one note's cards may write, added up: past it, the formulas left
# are shown as written (a note of thousands of formulas each calling a runaway macro would
# otherwise cost each formula's whole bound); real notes write a few thousand
NOTE_WORK = 400_000


@lru_cache(maxsize=8)
def preamble_macros(preamble: str) -> tuple[Macro, ...]:
    """The macros of a vault's `preamble.sty` (`%` comments dropped), in order."""
    macros, _rest, _problems = read_definitions(drop_comments(preamble))
    return tuple(macros)


def drop_comments(source: str) -> str:
    """TeX source without its `%` comments (a `\\%` stays)."""
    if "%" not in source:
        return source
    out = []
    for line in source.split("\n"):
        k = 0
        while True:
            k = line.find("%", k)
            if k < 0:
                break
            slashes = len(line[:k]) - len(line[:k].rstrip("\\"))
            if slashes % 2 == 0:
                line = line[:k]
                break
            k += 1
        out.append(line)
    return "\n".join(out)


class NoteMacros:
    """The definitions of one note, by the file line they are on."""

    def __init__(self, body: str, offset: int, preamble: str) -> None:
        self.base: dict[str, Macro] = {}
        for macro in preamble_macros(preamble) if preamble else ():
            define(self.base, macro)
        self.defs: list[tuple[int, Macro]] = []
        self.warnings: list[tuple[int, str]] = []  # (file line, message)
        if not might_define(body):
            return
        starts = [0]
        k = body.find("\n")
        while k >= 0:
            starts.append(k + 1)
            k = body.find("\n", k + 1)

        def collect(source: str, start: int) -> str:
            if might_define(source):
                line = offset + bisect_right(starts, start)
                macros, _rest, problems = read_definitions(source)
                self.defs.extend((line, m) for m in macros)
                for message in problems[:_MAX_WARNINGS - len(self.warnings)]:
                    self.warnings.append((line, f"{message}: it is left as written"))
            return source

        map_math(body, collect)

    def __bool__(self) -> bool:
        return bool(self.base or self.defs)

    def at(self, line: int) -> dict[str, Macro]:
        """The macros a card at file `line` sees before its own text."""
        env = dict(self.base)
        later: list[Macro] = []
        for def_line, macro in self.defs:
            if def_line < line:
                define(env, macro)
            else:
                later.append(macro)
        for macro in later:
            define(env, macro, only_new=True)
        return env


def expand_drafts(drafts: list[Draft], macros: NoteMacros) -> list[tuple[int, str]]:
    """Each draft's front, back and breadcrumb with the note's macros expanded (in place);
    a draft's text as written is kept in `written` for its identity. Returns warnings."""
    warnings = list(macros.warnings)
    told: set[str] = set()  # macros that ran away: not expanded again in this note
    budget = [NOTE_WORK]
    for d in drafts:
        env = macros.at(d.line)
        for name in told:
            env.pop(name, None)
        front, over_front = expand_text(d.front, env, budget)
        back, over_back = expand_text(d.back, env, budget)
        crumbs = []
        for crumb in d.crumbs:
            text, over = expand_text(crumb, env, budget)
            crumbs.append(text if text.strip() else crumb)
            over_back += over
        for name in over_front + over_back:
            if name not in told and len(warnings) < _MAX_WARNINGS:
                warnings.append((d.line, f"the macro {name} expands without end (it calls "
                                 f"itself, or grows past {MAX_TOKENS} tokens): its formula "
                                 "is shown as written"))
            told.add(name)
        if front == d.front and back == d.back and tuple(crumbs) == d.crumbs:
            continue
        if (d.front.strip() and not front.strip()) or (d.back.strip() and not back.strip()):
            continue  # a side of definitions only: the card as written (nothing to ask)
        d.written = d.written or (d.front, d.back)
        d.front, d.back, d.crumbs = front, back, tuple(crumbs)
    return warnings
