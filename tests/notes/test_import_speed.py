"""The parser's speed-ups change no card: markdown-it is run without the block rules a note
cannot use (`_lines.markdown_for`), and that must give the very tokens, and so the very
cards and problems, that the full parser gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashdeck.notes import _lines
from flashdeck.notes.parser import parse_note

# pieces of block syntax, each one some rule's trigger or a near miss of it
_PIECES = [
    "\n", "\n\n", " ", "    ", "\t", "> ", ">", "- ", "* ", "1. ", "2) ", "# ", "## Title",
    "---", "- - -", "* * *", "___", "===", "--", "==", "Term::Def", "Q:::A", "?", "??",
    "==cloze==", "| a | b |", "|---|---|", "| x | y |", "```", "```python", "~~~", "$$",
    "$$x = 1$$", "$x$", "[ref]: /url", "[!question] Why?", "<div>", "</div>", "<!-- c -->",
    "<!--SR:!2023-09-03,4,270-->", "text", "more words", "#flashcards", "\\", "`code`",
    "[", "]", ":", "\x00", "\u00a0",
]


def _tokens(md, text: str) -> list[tuple]:
    return [(t.type, t.tag, t.nesting, t.map, t.level, t.info, t.content, t.markup)
            for t in md.parse(text)]


def _cards(note) -> list[tuple]:
    return [(c.kind, c.front, c.back, c.line, c.deck, c.block, c.ordinal, c.breadcrumb,
             c.sr) for c in note.cards]


def _problems(note) -> list[tuple]:
    return [(p.line, p.message, p.severity) for p in note.problems]


def _parse_with_full_parser(monkeypatch, text: str):
    with monkeypatch.context() as m:
        m.setattr(_lines, "markdown_for", lambda _text: _lines.markdown())
        return parse_note(text, "Note.md")


NOTES = {
    "plain cards": "#flashcards\n\nWhat is F1::the harmonic mean\nA:::B\n\nQ\n?\nA\n",
    "setext heading": "#flashcards\n\nTitle\n=====\n\nq::a\n\nSub\n---\nx::y\n",
    "rule": "#flashcards\n\nq::a\n\n* * *\n\nr::s\n_ _ _\n",
    "table": "#flashcards\n\n| a | b |\n|---|---|\n| q::a | ==c== |\n",
    "fence": "#flashcards\n\n```\nx::y\n```\n~~~\n==no==\n~~~\nq::a\n",
    "math": "#flashcards\n\n$$\nF_1 = \\frac{a}{b}\n$$\n\nq::a $x::y$\n",
    "reference": "#flashcards\n\n[label]: /url 'title'\nq::a\n",
    "html": "#flashcards\n\n<div>\nq::a\n</div>\n\n<!--\nx::y\n-->\nr::s\n",
    "quote and callout": "#flashcards\n\n> [!question] Why?\n> because\n\n> q::a\n>> ==deep==\n",
    "heading cards": "#flashcards\n\n# Why does it work?\nIt does.\n## Term::Def\n",
    "nothing special": "#flashcards\nq::a\nplain text ==c== here\n",
    "lazy lines": "#flashcards\n\n> Q\n?\nA\n- item\ncontinued::back\n",
}


def test_each_note_gets_the_cards_of_the_full_parser(monkeypatch):
    for name, text in NOTES.items():
        fast = parse_note(text, "Note.md")
        full = _parse_with_full_parser(monkeypatch, text)
        assert fast.cards, name
        assert _cards(fast) == _cards(full), name
        assert _problems(fast) == _problems(full), name


def test_rules_a_note_cannot_use_are_left_out():
    plain = "q::a\n\nsome words ==cloze==\n- item\n"
    assert _lines.markdown_for(plain) is not _lines.markdown()
    full_syntax = ("| a |\n|---|\n```\n~~~\n$$x$$\n[a]: /u\n<div>\nT\n---\n"
                   "* * *\n# H\n> q\n")
    assert _lines.markdown_for(full_syntax) is _lines.markdown()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_the_tokens_are_those_of_the_full_parser(pieces):
    text = "".join(pieces)
    assert _tokens(_lines.markdown_for(text), text) == _tokens(_lines.markdown(), text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_the_cards_are_those_of_the_full_parser(monkeypatch, pieces):
    text = "#flashcards\n" + "".join(pieces)
    fast = parse_note(text, "Note.md")
    full = _parse_with_full_parser(monkeypatch, text)
    assert _cards(fast) == _cards(full)
    assert _problems(fast) == _problems(full)


def test_a_long_line_of_rule_markers_is_read_as_before(monkeypatch):
    # the rule test is linear: a long line of `- - - …` once took a backtracking regex
    # minutes; such a line is a list item, and the card after it is found as ever
    for line in ("- " * 50_000 + "x", "* " * 50_000, "_" + " " * 100_000 + "_x"):
        text = f"#flashcards\n\n{line}\n\nq::a\n"
        fast = parse_note(text, "Note.md")
        full = _parse_with_full_parser(monkeypatch, text)
        assert ("basic", "q", "a") in [(c.kind, c.front, c.back) for c in fast.cards]
        assert _cards(fast) == _cards(full)
        assert _problems(fast) == _problems(full)
