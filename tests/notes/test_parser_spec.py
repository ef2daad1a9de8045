"""The card spec: notes in tests/fixtures/plugin/*.md and the cards each must give.

Each case is a note as a user of the Obsidian Spaced Repetition plugin writes it, then
the cards flashdeck makes of it, in order: the plugin's syntax gives the plugin's cards,
and where the plugin is known to be wrong flashdeck does the sane thing (the "fix:"
cases). The format, that of mdit-py-plugins' syntax fixtures with cards for output, is
described in tests/fixtures/plugin/README.md:

    ## cloze hint
    .
    The capital of France is ==Paris;;a city==.
    .
    cloze
      The capital of France is [a city].
      ---
      The capital of France is ==Paris==.
    .

The note is parsed as `vault/note.md` (a derived card's title is *note*). One test per
case, its id `file/title`; a failure shows the note and the expected and actual cards
in the fixture's own syntax.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flashdeck.notes.model import CARD_KINDS, ParsedCard, ParserSettings, Problem, SRSeed
from flashdeck.notes.parser import parse_note

SPEC = Path(__file__).parents[1] / "fixtures" / "plugin"
NOTE_PATH = "vault/note.md"
SPACE = "␠"  # a space the fixture must keep (at the end of a line)
CRUMB = " › "
ATTRIBUTES = ("deck", "line", "block", "ordinal", "breadcrumb", "sr")
_SR_RE = re.compile(r"!(\d{4}-\d{2}-\d{2}),(-?\d+),(-?\d+)")
_PROBLEM_RE = re.compile(r"(warning|error) (\d+)(?:: (.*))?")


class FixtureError(ValueError):
    """A fixture file that does not follow the format (names file and line)."""


@dataclass
class Card:
    kind: str
    front: str | None  # None (with back): the text is not checked
    back: str | None
    attrs: dict[str, Any] = field(default_factory=dict)  # only the attributes checked


@dataclass
class ExpectedProblem:
    severity: str
    line: int
    message: str | None  # None: any message; "..." in it stands for any text

    def matches(self, problem: Problem) -> bool:
        if (problem.path, problem.severity, problem.line) != (NOTE_PATH, self.severity, self.line):
            return False
        if self.message is None:
            return True
        pattern = ".*".join(re.escape(part) for part in self.message.split("..."))
        return re.fullmatch(pattern, problem.message, re.DOTALL) is not None


@dataclass
class Case:
    file: str
    title: str
    line: int  # of the title in the file
    settings_source: list[str]
    settings: ParserSettings
    note: str
    cards: list[Card]
    problems: list[ExpectedProblem] | None  # None: not checked

    @property
    def id(self) -> str:
        return f"{Path(self.file).stem}/{self.title}"  # e.g. cloze/cloze hint


# ---------------------------------------------------------------------- reader
def read_spec(path: Path) -> list[Case]:
    """The cases of one fixture file, in order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    titles: set[str] = set()
    i = 0

    def fail(lineno: int, message: str) -> FixtureError:
        return FixtureError(f"{path}:{lineno}: {message}")

    while i < len(lines):
        line = lines[i]
        if line == ".":
            raise fail(i + 1, "'.' outside a case (a case starts with '## title')")
        if not line.startswith("## "):
            i += 1  # a comment
            continue
        title, title_line = line[3:].strip(), i + 1
        if not title or title in titles:
            raise fail(title_line, f"empty or repeated case title {title!r}")
        titles.add(title)
        i += 1
        settings_lines: list[str] = []
        while i < len(lines) and lines[i] != ".":
            if lines[i].startswith("## "):
                raise fail(i + 1, f"case {title!r} has no note ('.' line)")
            if lines[i].strip():
                settings_lines.append(lines[i])
            i += 1
        blocks: list[tuple[int, list[str]]] = []  # (1-based line of the first, lines)
        for _ in range(2):  # the note, then the cards
            opening = i
            i += 1
            while i < len(lines) and lines[i] != ".":
                i += 1
            if i >= len(lines):
                raise fail(opening + 1, f"case {title!r}: this '.' is never closed")
            blocks.append((opening + 2, lines[opening + 1:i]))
        i += 1
        (note_start, note_lines), (cards_start, card_lines) = blocks
        settings = _settings(settings_lines, lambda m: fail(title_line, m))
        note = _note_text(note_lines, note_start, fail)
        cards, problems = _expected(card_lines, cards_start, fail)
        cases.append(Case(_shown(path), title, title_line, settings_lines, settings, note, cards,
                          problems))
    return cases


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parents[2]))
    except ValueError:
        return str(path)


def _note_text(lines: list[str], first: int, fail) -> str:
    for n, text in enumerate(lines, first):
        if text != text.rstrip():
            raise fail(n, f"trailing whitespace: write a trailing space as {SPACE}")
    return "\n".join(lines).replace(SPACE, " ")


def _settings(lines: list[str], fail) -> ParserSettings:
    try:
        data = tomllib.loads("\n".join(lines))
    except tomllib.TOMLDecodeError as e:
        raise fail(f"settings are not TOML: {e}") from None
    fields = {f.name for f in dataclasses.fields(ParserSettings)}
    if unknown := sorted(set(data) - fields):
        raise fail(f"unknown settings {unknown}; known: {sorted(fields)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return dataclasses.replace(ParserSettings(), **values)


def _expected(lines: list[str], first: int, fail):
    cards: list[Card] = []
    problems: list[ExpectedProblem] | None = None
    no_cards = False
    body: list[str] | None = None  # the indented lines of the card being read
    body_line = 0

    def close() -> None:
        if body is None:
            return
        while body and not body[-1]:
            body.pop()
        if not body:
            return  # no text: only the kind and attributes are checked
        if "---" not in body:
            raise fail(body_line, "a card needs its front, a '---' line, then its back")
        split = body.index("---")
        cards[-1].front = "\n".join(body[:split])
        cards[-1].back = "\n".join(body[split + 1:])

    for n, text in enumerate(lines, first):
        if text != text.rstrip():
            raise fail(n, f"trailing whitespace: write a trailing space as {SPACE}")
        text = text.replace(SPACE, " ")
        if not text or text.startswith("  "):
            if body is None:
                if not text:
                    continue
                raise fail(n, "indented text outside a card (a card starts with its kind)")
            body.append(text[2:])
            continue
        close()
        body = None
        if text == "no cards":
            no_cards = True
        elif text == "no problems":
            problems = problems if problems is not None else []
        elif m := _PROBLEM_RE.fullmatch(text):
            problems = problems if problems is not None else []
            problems.append(ExpectedProblem(m.group(1), int(m.group(2)), m.group(3)))
        else:
            kind, *attributes = (part.strip() for part in text.split(";"))
            if kind not in CARD_KINDS:
                raise fail(n, f"expected a card kind ({', '.join(CARD_KINDS)}), "
                              f"'no cards' or 'warning LINE: message', not {text!r}")
            cards.append(Card(kind, None, None, _attributes(attributes, lambda m: fail(n, m))))
            body, body_line = [], n
    close()
    if no_cards == bool(cards):
        raise fail(first, "list the cards, or write 'no cards'")
    return cards, problems


def _attributes(parts: list[str], fail) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for part in parts:
        name, colon, value = (s.strip() for s in part.partition(":"))
        if not colon or name not in ATTRIBUTES or name in attrs:
            raise fail(f"bad card attribute {part!r}; known: {', '.join(ATTRIBUTES)}")
        if name in ("line", "ordinal"):
            attrs[name] = int(value)
        elif name == "breadcrumb":
            attrs[name] = tuple(value.split(CRUMB)) if value else ()
        elif name == "sr":
            if value == "none":
                attrs[name] = None
            elif m := _SR_RE.fullmatch(value):
                attrs[name] = SRSeed(date.fromisoformat(m.group(1)), int(m.group(2)),
                                     int(m.group(3)))
            else:
                raise fail(f"sr is '!YYYY-MM-DD,interval,ease' or 'none', not {value!r}")
        else:
            attrs[name] = value
    return attrs


# -------------------------------------------------------------------- renderer
def render_value(name: str, value: Any) -> str:
    if name == "breadcrumb":
        return CRUMB.join(value)
    if name == "sr":
        if value is None:
            return "none"
        if isinstance(value, SRSeed) and value == SRSeed(value.due, value.interval, value.ease):
            return f"!{value.due.isoformat()},{value.interval},{value.ease}"
        return repr(value)  # a form the fixtures cannot write yet
    return str(value)


def render_cards(cards: list[Card]) -> str:
    """Cards as a fixture writes them."""
    if not cards:
        return "no cards"
    out: list[str] = []
    for card in cards:
        out.append(card.kind + "".join(f"; {k}: {render_value(k, v)}"
                                       for k, v in card.attrs.items()))
        if card.front is None or card.back is None:
            continue
        for text in (*card.front.split("\n"), "---", *card.back.split("\n")):
            out.append(f"  {_visible(text)}" if text else "")
    return "\n".join(out)


def render_note(text: str) -> str:
    return "\n".join(_visible(line) for line in text.split("\n"))


def _visible(line: str) -> str:
    kept = line.rstrip(" ")
    return kept + SPACE * (len(line) - len(kept))


# ---------------------------------------------------------------------- runner
def actual_cards(parsed: list[ParsedCard], expected: list[Card]) -> list[Card]:
    """The parsed cards with, for each, the attributes its expected card checks."""
    cards = []
    for i, c in enumerate(parsed):
        want = expected[i] if i < len(expected) else Card(c.kind, "", "")
        text = (c.front, c.back) if want.front is not None else (None, None)
        cards.append(Card(c.kind, *text, {k: getattr(c, k) for k in want.attrs}))
    return cards


def all_cases() -> list[Case]:
    return [case for path in sorted(SPEC.glob("*.md")) if path.name != "README.md"
            for case in read_spec(path)]


CASES = all_cases()


def test_the_spec_is_there() -> None:
    assert len(CASES) > 100
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_note_gives_cards(case: Case) -> None:
    note = parse_note(case.note, NOTE_PATH, case.settings)
    cards = actual_cards(note.cards, case.cards)
    cards_ok = cards == case.cards
    problems_ok = case.problems is None or (
        len(note.problems) == len(case.problems)
        and all(e.matches(p) for e, p in zip(case.problems, note.problems, strict=True))
    )
    if cards_ok and problems_ok:
        return
    expected, actual = render_cards(case.cards), render_cards(cards)
    if case.problems is not None:
        expected += "".join(
            f"\n{p.severity} {p.line}" + (f": {p.message}" if p.message is not None else "")
            for p in case.problems)
        actual += "".join(f"\n{p.severity} {p.line}: {p.message}"
                       + (f" (in {p.path!r})" if p.path != NOTE_PATH else "")
                       for p in note.problems)
    diff = list(difflib.unified_diff(expected.split("\n"), actual.split("\n"), lineterm="",
                                     n=2))[2:]
    settings = "".join(f"{line}\n" for line in case.settings_source)
    pytest.fail(
        f"{case.file}:{case.line}: {case.title}\n{settings}.\n{render_note(case.note)}\n.\n\n"
        f"expected:\n{expected}\n\nactual:\n{actual}\n\ndiff (- expected, + actual):\n"
        + "\n".join(diff),
        pytrace=False,
    )
