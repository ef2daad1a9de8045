"""The parser's speed-ups change no card: markdown-it is run without the block rules a note
cannot use (`_lines.markdown_for`), and each rule is tried only at the lines whose first
character it can start with (`_lines._by_first_character`): that must give the very tokens
the parser reads (a paragraph's opening token only), and so the very cards and problems,
that markdown-it as shipped gives with every rule (its tokens made by `StateBlock.push`, not
field by field)."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashdeck.notes import _lines
from flashdeck.notes.parser import parse_note

# pieces of block syntax, each one some rule's trigger or a near miss of it
_PIECES = [
    "\n", "\n\n", " ", "  ", "   ", "    ", "\t", "123456789. ", "> ", ">", "- ", "* ", "1. ",
    "2) ", "# ", "## Title",
    "---", "- - -", "* * *", "___", "===", "--", "==", "Term::Def", "Q:::A", "?", "??",
    "==cloze==", "| a | b |", "|---|---|", "| x | y |", "```", "```python", "~~~", "$$",
    "$$x = 1$$", "$x$", "[ref]: /url", "[!question] Why?", "<div>", "</div>", "<!-- c -->",
    "<!--SR:!2023-09-03,4,270-->", "text", "more words", "#flashcards", "\\", "`code`",
    "[", "]", ":", "\x00", "\u00a0", "\r\n", "\r", "x\r\ny",
    # list markers and near misses, in quotes and indented; a paragraph's lazy lines
    "+ ", "-", "+", "*", "10) ", "9) ", "5. ", "1.", "0. ", "-\t", "> - ", ">> ", "  > ",
    "    - ", "* [ ] ", "1234567890. ", "#", "#x", "######## ", "~~~python", "``", "$$\n", "<!--", "-->",
    "<https://x>", "[x]: ", "\\$$", "_ _ _", "** **", "word\n", "\ttext",
]


def _shipped_markdown():
    """markdown-it as shipped, every rule the notes' parser uses tried at every line."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)
    md.disable(["inline", "text_join"])
    return md


_SHIPPED = _shipped_markdown()


_UNMADE_LIST_TOKENS = frozenset({"bullet_list_open", "bullet_list_close", "ordered_list_open",
                                 "ordered_list_close", "list_item_close"})


def _read_tokens(md, text: str) -> list[dict]:
    """The tokens the notes' parser reads, every field of each (`dataclasses.asdict`: a
    field markdown-it adds is compared too). A paragraph's inline and closing tokens are
    left out (the notes' parser makes only its opening token: it never reads the
    paragraph's text, the inline parse is off), and so is `hidden`, which markdown-it sets
    on a tight list's paragraph tokens for its renderer, in every token. So are a list's
    opening and closing tokens and its items' closing tokens: the notes' parser makes only
    each item's opening token (its `level` counts them all, and is compared)."""
    out: list[dict] = []
    skip_next_inline = False
    for t in md.parse(text):
        if t.type in _UNMADE_LIST_TOKENS:
            continue
        fields = dataclasses.asdict(t)
        del fields["hidden"]
        if t.type == "paragraph_close" or (t.type == "inline" and skip_next_inline):
            skip_next_inline = False
            continue
        skip_next_inline = t.type == "paragraph_open"
        out.append(fields)
    return out


def _cards(note) -> list[tuple]:
    return [(c.kind, c.front, c.back, c.line, c.deck, c.block, c.ordinal, c.breadcrumb,
             c.sr) for c in note.cards]


def _problems(note) -> list[tuple]:
    return [(p.line, p.message, p.severity) for p in note.problems]


def _parse_with_full_parser(monkeypatch, text: str):
    with monkeypatch.context() as m:
        m.setattr(_lines, "markdown_for", lambda _text, _lines=None: _SHIPPED)
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
    "indented code": "#flashcards\n\n    x::y\n\nq::a\n- item\n\n      in::item code\n"
                     "\n> quote\n>     in::quote code\n\n\tq::tab\n",
    "indented, no code": "#flashcards\n\n123456789. Long::marker\n   three::spaces\n"
                         "- a\n  - b\n   c::d\n>   e::f\n",
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
                   "* * *\n# H\n> q\n\n    code\n")
    assert _lines.markdown_for(full_syntax) is _lines.markdown()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_the_tokens_are_those_of_the_full_parser(pieces):
    _assert_tokens_as_shipped("".join(pieces))


def _assert_tokens_as_shipped(text: str) -> None:
    """The tokens read of the notes' parser for `text` (all rules, and those it needs) are
    markdown-it's as shipped."""
    assert _read_tokens(_lines.markdown_for(text), text) == _read_tokens(_SHIPPED, text), text
    assert _read_tokens(_lines.markdown(), text) == _read_tokens(_SHIPPED, text), text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_the_cards_are_those_of_the_full_parser(monkeypatch, pieces):
    text = "#flashcards\n" + "".join(pieces)
    fast = parse_note(text, "Note.md")
    full = _parse_with_full_parser(monkeypatch, text)
    assert _cards(fast) == _cards(full)
    assert _problems(fast) == _problems(full)


# lists: items and their markers (bullets, ordered from 0, 1 and 2, both delimiters, too many
# digits), the indents that nest them or make code, empty items, blank lines (loose lists),
# lazy lines, and what ends a list (a rule, a quote, a fence, a heading, another marker)
_LIST_PIECES = [
    "- ", "* ", "+ ", "-", "1. ", "2. ", "0) ", "1) ", "3.", "1234567890. ", "-\t", "1.\t",
    "  ", "   ", "    ", "     ", "\t", "\n", "\n\n", "item", "x", "* * *", "---", "> ",
    "```", "# H", "[ ] ", "[x] ", "q::a", "?", "==c==", "$$", "<div>", "| a |", "\n  - ",
    "\n    1. ", "\n\t- ", "\n- ", "\n1. ", "\n2) ",
]


def test_the_notes_list_rule_is_its_own_copy():
    # the token tests below compare the copy (not markdown-it's list rule) with markdown-it
    from markdown_it.rules_block.list import list_block

    for md in (_lines.markdown(), _lines.markdown_for("- a\n")):
        rule = next(r for r in md.block.ruler.__rules__ if r.name == "list")
        assert rule.fn is not list_block
        shipped = next(r for r in _SHIPPED.block.ruler.__rules__ if r.name == "list")
        assert rule.alt == shipped.alt


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_LIST_PIECES), max_size=40))
def test_the_tokens_of_lists_are_those_of_the_full_parser(pieces):
    _assert_tokens_as_shipped("".join(pieces))


def test_each_near_miss_of_a_list_gives_the_tokens_of_the_full_parser():
    # five spaces after a marker (code in the item), a tab there, an ordered list not from 1
    # after a paragraph (no list) and from 1 (a list), an empty item, markers changing, a
    # lazy line, a rule or heading ending a list, ten digits (no marker)
    for text in ["-     x\n", "- \t  x\n", "1.      x\n  y\n", "-      code\n\n  more\n",
                 "para\n2. x\n", "para\n1. x\n", "para\n-\n", "-\n\n  x\n", "- a\n+ b\n",
                 "1. a\n1) b\n", "- a\nlazy\n- b\n", "- a\n---\n", "- a\n# H\n",
                 "1234567890. x\n", "- a\n\n- b\n", "  - a\n - b\n   - c\n    - d\n"]:
        _assert_tokens_as_shipped(text)


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



# -- which rules a note needs: a line's last character, read by finds, as the regexes read it --

# what markdown_for once asked of every note, a regex search at every offset of it: a line
# ending in one of the markers, spaces and tabs after it; a rule's run of three
_LINE_END_RE = re.compile(r"[-=*_][ \t]*$", re.M)
_RULE_END_RE = re.compile(r"[*_-][ \t]*$", re.M)


def _may_hold_rule_by_regex(text: str) -> bool:
    for m in _RULE_END_RE.finditer(text):
        marker = text[m.start()]
        line = text[text.rfind("\n", 0, m.start()) + 1:m.start() + 1]
        run = len(line) - len(line.rstrip(marker + " \t"))
        if line.count(marker, len(line) - run) >= 3:
            return True
    return False


def _assert_line_ends_as_the_regexes(text: str) -> None:
    ends = _lines._line_ends(text)
    assert set(ends) == {text[m.start()] for m in _LINE_END_RE.finditer(text)}, text
    assert _lines._may_hold_rule(text, ends) == _may_hold_rule_by_regex(text), text
    # read from the note's lines (each one's last character), as _blocks reads them
    assert set(_lines._line_ends(text, text.split("\n"))) == set(ends), text


_LINE_END_PIECES = ["-", "=", "*", "_", " ", "\t", "\n", "a", "--", "==", "\n\n", "- - -",
                    "***", "_ _ _", "x=", "* *", "-\t", "\r", "\u00a0", "\u3000", "|"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_LINE_END_PIECES), max_size=16))
def test_a_lines_end_is_read_as_the_regex_reads_it(pieces):
    _assert_line_ends_as_the_regexes("".join(pieces))


def test_each_near_miss_of_a_lines_end_is_read_as_the_regex_reads_it():
    # a marker at the very end, before a newline, before spaces or tabs (on one line, on
    # the last, in a note with no other trailing space); a marker in a line's middle; a
    # space other than a space or tab after it (no trailing space to CommonMark)
    for text in ["a\n-", "a\n=", "-\n", "a-\nb", "a\n- ", "a\n-\t", "x-  \ny", "x=\t\ny",
                 "x\n-- \n", "a - b\n", "-\u00a0\n", "=\u3000", "a\n\n", "", " ", "\t",
                 "\n", "***", "* * *\n", "a\n_ _ _ \n", "- -\n", "q\n---\t", "x\t\n***",
                 "a\r\n---\r\n", "** *", "-*-\n", "_\n_\n_\n"]:
        _assert_line_ends_as_the_regexes(text)


# -- a display formula's names: read by scanning for escapes, braces and brackets only -----

_LATEX_PIECES = ["\\", "{", "}", "(", ")", "[", "]", "\\{", "\\}", "\\left(", "\\right)",
                 "\\left\\{", "\\right.", "\\langle", "\\rangle", "\\lvert", "\\rvert", " ",
                 "=", "x", "F_1", "\\frac", "\\text{and}", ",", ";", "\\\\", "\\qquad",
                 "\\begin{cases}", "\\end{cases}", "\\approx", "\\le", "\n", "\\\n", "|", "<",
                 "\\dots", "\\begin{aligned}", "&", "\\end{aligned}", "$$", "é"]


def _depth_char_by_char(latex: str) -> list[int]:
    """The brace depth before each character, as `_latex._top_level` defines it, one
    character at a time: an escape is no brace, its second character is marked -1, a `}`
    has the depth it closes to."""
    out, depth, i = [0] * len(latex), 0, 0
    while i < len(latex):
        out[i] = depth
        if latex[i] == "\\" and i + 1 < len(latex):
            out[i + 1] = -1
            i += 2
            continue
        if latex[i] == "{":
            depth += 1
        elif latex[i] == "}" and depth > 0:
            depth -= 1
            out[i] = depth
        i += 1
    return out


def _enclosed_char_by_char(latex: str, depth: list[int]) -> list[int]:
    """How many matched brackets enclose each character, a bracket tried at every
    character of brace depth 0 (an escape skipped whole)."""
    from flashdeck.notes._latex import _BRACKET_RE

    change, opened, pos = [0] * (len(latex) + 1), [], 0
    while pos < len(latex):
        if depth[pos] != 0:
            pos += 1
            continue
        m = _BRACKET_RE.match(latex, pos)
        if m is None:
            pos += 2 if latex[pos] == "\\" else 1
            continue
        if m.group("open") is not None:
            opened.append(m.end())
        elif opened:
            change[opened.pop()] += 1
            change[m.start()] -= 1
        pos = m.end()
    out, level = [], 0
    for i in range(len(latex)):
        level += change[i]
        out.append(level)
    return out


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_LATEX_PIECES), max_size=40))
def test_a_formula_is_read_as_character_by_character(pieces):
    from flashdeck.notes import _latex

    latex = "".join(pieces)
    depth = _latex._top_level(latex)
    assert depth == _depth_char_by_char(latex)
    assert _latex._enclosed(latex, depth) == _enclosed_char_by_char(latex, depth)


def test_a_formula_asked_again_gives_the_same_names():
    # a formula's names are read once and kept for the next front of the same block: what
    # a caller does with the list it gets changes nothing the next caller gets
    from flashdeck.notes._latex import equation_names, equation_sides

    latex = r"F_1 = \frac{2 TP}{2 TP + FP + FN} \qquad J = \frac{TP}{TP + FP + FN}"
    first = equation_sides(latex)
    assert first == [("F_1", "="), ("J", "=")]
    first.clear()
    assert equation_sides(latex) == [("F_1", "="), ("J", "=")]
    assert equation_names(latex) == ["F_1", "J"]


# -- a note's other names looked for in a card's text: the loop as it was, for comparison ---

_NAME_WORDS = ["iou", "ious", "p", "value", "values", "p-value", "newton's", "newtons", "method",
               "box", "boxes", "policy", "policies", "f1", "dice", "∑", "σ", "x", "the", "of"]


def _finds_as_before(finder, text: str) -> bool:
    """What the finder's loop found, read plainly: a name's first word (in one of its
    forms) at some word of the text, its other words after it, singularised."""
    from flashdeck.notes._derived import _WORD_RE
    from flashdeck.notes.names import singular

    folded = text.casefold().replace("'", "").replace("\u2019", "")
    spaced = " ".join(folded.split())
    if any(symbols in spaced for symbols in finder._symbols):
        return True
    words = _WORD_RE.findall(folded)
    read = [singular(w) for w in words]
    return any(read[i + 1:i + len(name)] == name[1:]
               for i, w in enumerate(words) for name in finder._firsts.get(w, ()))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=3), max_size=4),
       st.lists(st.sampled_from(_NAME_WORDS + [" ", "-", "'", "IoU", "Boxes"]), max_size=12))
def test_a_name_is_found_in_a_text_as_before(names, pieces):
    from flashdeck.notes._derived import _NameFinder
    from flashdeck.notes.names import name_key

    finder = _NameFinder({name_key(" ".join(words)) for words in names})
    text = " ".join(pieces)
    assert finder.finds(text) == _finds_as_before(finder, text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30), st.lists(st.text(max_size=20), max_size=3), st.text(max_size=60))
def test_a_heading_repeats_a_name_as_before(title, aliases, heading):
    # a text longer than every name and the title is told without folding it: the same
    from flashdeck.notes import names as names_module

    names = names_module.NoteNames(title, aliases)
    folded = heading.casefold()
    first = names_module._first(folded) if len(heading) <= names._longest else ""
    before = folded == names._title or (
        first in names._firsts and len(heading) <= names_module._MAX_NAME
        and names_module.name_key(heading) in names._keys)
    assert names.repeats(heading) == before


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=12))
def test_a_names_first_character_is_the_first_words(text):
    # `_first` takes a text's first character when a word starts it: what the regex finds
    import re

    from flashdeck.notes.names import _first

    m = re.search(r"[^\W_]+", text) or re.search(r"\S", text)
    assert _first(text) == (m.group(0)[0] if m else "")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + ["  \t", "\t ", " \t\t x"]), max_size=40),
       st.booleans())
def test_the_line_markers_are_markdown_its(pieces, code_enabled):
    # the notes' StateBlock reads each line's markers from its leading spaces and tabs:
    # every field is StateBlock's own, a last line of only spaces and tabs too
    from markdown_it.rules_block.state_block import StateBlock

    _lines.markdown()  # makes the notes' StateBlock
    text = "".join(pieces)
    md = _shipped_markdown()
    if not code_enabled:
        md.disable("code")
    shipped = StateBlock(text, md, {}, [])
    ours = _lines._FastState(text, md, {}, [], code_enabled)
    assert vars(ours) == vars(shipped)


# -- a note's title from its file name: the last part of the path, pathlib's where it is odd --

@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "/", "\\", ".", "..", ".md", ".MD", "x y", "é", "e\u0301",
                                 "//", " ", "C:", "Note.md", ".txt"]), max_size=8))
def test_a_title_from_a_file_name_is_pathlibs(pieces):
    import unicodedata
    from pathlib import PurePath

    from flashdeck.notes.parser import _stem

    path = "".join(pieces)
    name = PurePath(path.replace("\\", "/")).name
    stem = name[:-3] if name.lower().endswith(".md") else PurePath(name).stem or name
    assert _stem(path) == unicodedata.normalize("NFC", stem)


# -- frontmatter of the common shapes read without PyYAML: what PyYAML reads, or PyYAML reads it --

_FM_KEYS = ["tags", "aliases", "summary", "source", "title", "Tags", "a-b", "_x", "x1", "yes",
            "no", "on", "Off", "null", "true", "y", "n", "1", "12", "<<", "é", "a b", "exercises"]
_FM_VALUES = ["", " ", "word", "two words", "a  b", "flashcards/ml/x", "yes", "No", "TRUE", "on",
              "null", "Null", "~", "12", "-3", "+4", "1_000", "0x1F", "0o7", "1.5", ".5", ".inf",
              ".nan", ".x", "1e3", "2024-01-01", "2024-01-01 10:00:00", "12:30", "1:20:30", "=",
              "a: b", "a:b", "x:", "a #b", "#x", "C#", "'q'", '"q"', "it's", "-x", "- x", "?x",
              "?", ":x", "&a", "*a", "!!str x", "%x", "@x", "`x`", "|", ">", "{a: b}", "why?",
              "é", "F₁ score", "a\u2028b", "a\u2029b", "a\x85b", "a\tb", "\ufeffx", "a\x00b",
              "[a, b, ]", "[a, b]", "[a,b]", "[ a ]", "[]", "[ ]", "[,]", "[ , ]", "[a,,b]",
              "[a, ]", "[a", "[a]b]", "[[a]]", "[a] x", "[yes, 12]", "[why?]", "[a:b]",
              "[a: b]", "[DICE 0, dice measure 0, ]", "[{a}]", "[a, b], c", "[#a]", "[-a]",
              "[é, F₁]", "[a  b]", "[a{b]", "[a}b]", "[a?b]", "[a[b]", "[a:]", "[a, b{]",
              "['a', b]", "[~]", "[null]", "[ .inf ]", "[a\tb]", "- [a]"]
_FM_LINES = ["", " ", "\t", "- a", "- b c", "  - a", "    - b", "-", "- ", "-  a", "- yes",
             "- 12", "- [a]", "- a: b", "- - a", "  more words", "  - ", "# comment", "---",
             "...", "key", "%YAML 1.1", "- 'q'", "- é"]


_FM_PLAIN_KEYS = ["tags", "aliases", "summary", "source", "title"]
_FM_PLAIN_VALUES = ["", "word", "two words", "flashcards/ml/x", "[a, b, ]", "[a]", "[]"]
_FM_PLAIN_LINES = ["- a", "  - a", "", "- b c"]


@st.composite
def _frontmatter_lines(draw):
    """Lines of a frontmatter of the common shapes (read without PyYAML), one of them, in
    most examples, a near miss of those shapes or something else."""
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.integers(0, 2)) > 0:
            key = draw(st.sampled_from(_FM_PLAIN_KEYS))
            lines.append(f"{key}: {draw(st.sampled_from(_FM_PLAIN_VALUES))}")
        else:
            lines.append(draw(st.sampled_from(_FM_PLAIN_LINES)))
    at = draw(st.integers(0, len(lines)))
    odd = draw(st.sampled_from(["key", "value", "sep", "line", "space", "none"]))
    key = draw(st.sampled_from(_FM_KEYS if odd == "key" else _FM_PLAIN_KEYS))
    value = draw(st.sampled_from(_FM_VALUES if odd == "value" else _FM_PLAIN_VALUES))
    sep = draw(st.sampled_from([": ", ":", ":  ", " : "] if odd == "sep" else [": "]))
    space = draw(st.sampled_from([" ", "  ", "\t"])) if odd == "space" else ""
    if odd == "line":
        lines.insert(at, draw(st.sampled_from(_FM_LINES)))
    elif odd != "none":
        lines.insert(at, f"{key}{sep}{value}{space}")
    return lines


def _pyyaml_read(lines):
    from flashdeck.notes import _frontmatter

    data, written, repeated = _frontmatter._load("\n".join(lines))
    return repr(data), repr(written), repeated


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frontmatter_lines())
def test_a_simple_frontmatter_is_read_as_pyyaml_reads_it(lines):
    from flashdeck.notes import _frontmatter

    simple = _frontmatter._simple_load(lines)
    if simple is None:  # not of the shapes read without PyYAML: PyYAML reads it
        return
    data, written, repeated = simple
    assert (repr(data), repr(written), repeated) == _pyyaml_read(lines)


def test_each_near_miss_is_read_as_pyyaml_reads_it():
    # every odd key, value and line of the generated ones, alone in a frontmatter of the
    # common shapes: read as PyYAML reads it, or left to PyYAML
    from flashdeck.notes import _frontmatter

    docs = [["tags: [a]", f"{key}: word", "aliases:", "- b"] for key in _FM_KEYS]
    docs += [["tags: [a]", f"summary: {value}", "aliases:", "- b"] for value in _FM_VALUES]
    docs += [["tags:", line, "- a", "summary: word"] for line in _FM_LINES]
    docs += [["tags:", "- a", line, "summary: word"] for line in _FM_LINES]
    docs += [["summary: word", line] for line in _FM_LINES]
    read = 0
    for lines in docs:
        simple = _frontmatter._simple_load(lines)
        if simple is not None:
            read += 1
            data, written, repeated = simple
            assert (repr(data), repr(written), repeated) == _pyyaml_read(lines), lines
    assert read > len(docs) // 4  # a good share is read without PyYAML


def test_the_common_frontmatter_shapes_are_read_without_pyyaml():
    # the shapes of the users' notes and Obsidian's property editor take the short way,
    # and give what PyYAML gives
    from flashdeck.notes import _frontmatter

    shapes = [
        ["tags: [flashcards/ml/dice]", "source:", "aliases: [DICE 0, dice measure 0, ]",
         "summary: a short summary of dice number 0 that is one line long"],
        ["tags:", "  - flashcards", "  - ml/metrics", "aliases:", "- F1", "- F-measure",
         "created: now", "", "summary: F₁ is the harmonic mean of precision and recall"],
        ["title: Harmonic Mean", "tags: flashcards", "tags: [flashcards, maths]"],
    ]
    for lines in shapes:
        simple = _frontmatter._simple_load(lines)
        assert simple is not None, lines
        data, written, repeated = simple
        assert (repr(data), repr(written), repeated) == _pyyaml_read(lines)
    assert _frontmatter._simple_load(["date: 2024-01-01"]) is None  # PyYAML's date
    assert _frontmatter._simple_load(["draft: yes"]) is None  # PyYAML's bool


# -- a `::` line's sides shown with cloze syntax as plain text: looked at only on a line
# -- with a cloze opener (`_explicit._cloze_lines`): no other line has one in any part of it

_INLINE_PIECES = ["::", ":::", "==", "**", "{{", "}}", "{{c1::", "`", "$", "<!--", "-->", "=",
                  "*", "{", "}", "word", " ", "\\", "[[", "]]", "#flashcards ", "## ", "> ",
                  "- ", "^id", "|", "\n", ";;", "x"]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_INLINE_PIECES), max_size=24).map("".join),
       st.sampled_from([("highlight",), ("highlight", "bold", "curly"), ("bold",), ()]))
def test_a_line_not_among_the_cloze_lines_has_no_cloze_marker_anywhere(body, kinds):
    """`_inline` renders a `::` line's sides without cloze syntax when the line is not one
    of `_cloze_lines`: render looks at cloze syntax only when `has_cloze_marker` finds an
    opener in the side's mask, a part of the line's; none in the line, none in a part."""
    from flashdeck.notes._cloze import has_cloze_marker
    from flashdeck.notes._explicit import _cloze_lines
    from flashdeck.notes._frontmatter import split_frontmatter

    lines = _lines.read_lines(split_frontmatter(body.split("\n"), "N.md").body_lines, 0, "N")
    found = _cloze_lines(lines, kinds)
    for i, masked in enumerate(lines.masked):
        assert has_cloze_marker(masked, kinds) == (i in found), (body, i)


def test_a_cloze_in_an_inline_cards_side_shows_as_plain_text():
    note = parse_note("#flashcards\n\nThe ==heart== pumps::**blood** and `==x==`\n", "N.md")
    basic = [(c.front, c.back) for c in note.cards if c.kind == "basic"]
    assert basic == [("The heart pumps", "**blood** and `==x==`")]


# -- a deletion without `;;`: its whole inner text is the answer, told without the regexes --

@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["1", "12", "a", "s", "h", "ash", ";", ";;", ":", "x", " ",
                                 "\n", "\x01", "c1::", "==", "*"]), min_size=1, max_size=12)
       .map("".join))
def test_a_deletion_without_a_double_semicolon_is_read_as_the_regexes_read_it(inner):
    from flashdeck.notes import _cloze

    if ";;" in inner:
        return
    assert _cloze._NUMBERED_RE.match(inner) is None
    assert _cloze._OVERLAP_RE.match(inner) is None
    m = _cloze._SIMPLE_RE.match(inner)
    assert m is not None and m.group(1) == inner and m.group(2) is None
    for kind, (opener, closer, _first) in _cloze._SYNTAX.items():
        masked = opener + inner + closer
        d = _cloze._read_deletion(masked, masked, 0, len(masked), 2, len(masked) - 2, kind)
        stripped = inner.rstrip() if inner.strip() else inner[:1]  # `==a ==` answers `a`
        if kind != "curly" or _cloze._ANKI_RE.match(stripped) is None:
            assert (d.answer, d.hint, d.number, d.seq) == (stripped, None, None, None), kind


# -- a heading's text and a place's colon: each substitution only where it can match -------

_HEADING_PIECES = ["<!--", "-->", "<!-- c -->", "^", "^id", " ^b1", "\t^x-2 ", " ", "%%", "%%x%%",
                   "#tag", ":", "_", "*", "word", "?", "[^1]", "\n", "-"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_HEADING_PIECES), max_size=12).map("".join))
def test_a_headings_text_and_a_places_colon_are_read_as_by_the_substitutions(text):
    from flashdeck.notes import _phrasing

    blocks = _lines._Blocks([], [], set(), [(0, 1, 2, "##", text)], [], [], [], 20, set())
    expected = _lines.HTML_COMMENT_RE.sub("", text)
    if "%%" in expected:
        expected = _lines._OBSIDIAN_COMMENT_RE.sub("", expected)
    expected = _lines.TRAILING_BLOCK_ID_RE.sub("", expected).strip()
    if "#" in expected:
        expected = _lines.strip_trailing_tags(expected) or expected
    if "[^" in expected:
        expected = _lines._TRAILING_FOOTNOTES_RE.sub("", expected) or expected
    assert [h.text for h in _lines._headings(blocks, [_lines.HEADING], set())] == [expected]
    assert _phrasing._no_colon(text) == _phrasing._TRAILING_COLON_RE.sub(r"\1", text.rstrip())
