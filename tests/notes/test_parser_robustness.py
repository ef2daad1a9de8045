"""Bad input: the parser never raises, reports one clear Problem, and keeps good cards."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flashdeck.notes._mask import anki_clozes
from flashdeck.notes.model import ParsedNote, ParserSettings
from flashdeck.notes.parser import parse_note

ALL_CLOZES = ParserSettings(cloze=("highlight", "bold", "curly"), multiline_end_marker="---")


def assert_sound(note: ParsedNote, source: str = "") -> None:
    """No internal error, and every card is a card a user could review."""
    assert not [p for p in note.problems if "internal error" in p.message], note.problems
    for card in note.cards:
        assert card.front.strip() and card.back.strip(), card
        assert card.line >= 1
        for placeholder in ("\x01", "\x02"):  # the parser's mask must never leak out
            if placeholder not in source:
                assert placeholder not in card.front + card.back, card


def test_broken_yaml_reports_its_line_and_keeps_the_body() -> None:
    text = "---\ntags: [flashcards\nsummary: x\n---\nQ::A\n"
    note = parse_note(text, "v/broken.md")
    assert_sound(note)
    assert [(c.front, c.back, c.line) for c in note.cards] == [("Q", "A", 5)]
    assert len(note.problems) == 1
    problem = note.problems[0]
    assert problem.severity == "error"
    assert str(problem).startswith("v/broken.md:3: frontmatter is not valid YAML")
    assert note.frontmatter == {}


def test_yaml_error_line_counts_the_opening_fence() -> None:
    note = parse_note("---\na: 1\nb: : :\n---\n", "n.md")
    assert [p.line for p in note.problems] == [3]


def test_frontmatter_list_or_scalar_is_ignored_with_a_problem() -> None:
    for fm, kind in (("- a\n- b", "list"), ("just words", "str"), ("42", "int")):
        note = parse_note(f"---\n{fm}\n---\nQ::A", "n.md")
        assert_sound(note)
        assert note.frontmatter == {}
        assert [c.front for c in note.cards] == ["Q"]
        assert len(note.problems) == 1 and kind in note.problems[0].message


def test_a_frontmatter_key_given_twice_is_read_as_yaml_reads_it_with_a_warning(
        cli, tmp_path) -> None:
    """A template pasted over a note's own frontmatter gives a key twice. YAML keeps the
    last value; the summary card showed the first one (the aliases card the last)."""
    source = ("---\ntags: [flashcards]\nsummary: an old draft\naliases: [Old name]\n"
              "summary: the share of flagged items that are truly positive\n"
              "aliases: [Precision]\nsummary: 2024-05-01\n<<: {source: a}\n<<: {x: 1}\n---\n"
              "# Positive predictive value\n")
    note = parse_note(source, "PPV.md")
    assert_sound(note, source)
    assert {c.kind: c.back for c in note.cards} == {"summary": "2024-05-01", "aliases": "Precision"}
    assert [(p.line, p.severity, p.message) for p in note.problems] == [
        (5, "warning", "frontmatter key 'summary' is given again (first on line 3);"
                       " the last one is used"),
        (6, "warning", "frontmatter key 'aliases' is given again (first on line 4);"
                       " the last one is used"),
        (7, "warning", "frontmatter key 'summary' is given again (first on line 3);"
                       " the last one is used"),
    ]
    # a later value that is not a scalar: no value as written is left over from before
    note = parse_note("---\ntags: [flashcards]\nsummary: the first\nsummary: {a: 1}\n---\n",
                      "n.md")
    assert [c.kind for c in note.cards] == []
    (tmp_path / "Precision.md").write_text(
        "---\ntags: [flashcards]\nsummary: a draft\nsummary: flagged items truly positive\n"
        "---\n")
    result = cli("check", tmp_path / "Precision.md")
    assert result.code == 0
    assert "Precision.md:4: warning: frontmatter key 'summary' is given again" in result.err
    shown = cli("check", tmp_path / "Precision.md", "--json").json
    assert [c["back"] for n in shown["notes"] for c in n["cards"] if c["kind"] == "summary"] \
        == ["flagged items truly positive"]


def test_unclosed_frontmatter_is_read_as_body() -> None:
    note = parse_note("---\ntags: [flashcards]\nQ::A\n", "n.md")
    assert_sound(note)
    assert [(c.front, c.back, c.line) for c in note.cards] == [("Q", "A", 3)]
    assert [(p.line, p.severity) for p in note.problems] == [(1, "warning")]
    assert "not closed" in note.problems[0].message


def test_empty_frontmatter_and_empty_file() -> None:
    for text in ("", "\n", "---\n---\n", "---\n\n---"):
        note = parse_note(text, "empty.md")
        assert (note.cards, note.problems, note.frontmatter) == ([], [], {})


def test_multi_megabyte_note() -> None:
    block = "# Section\n\nQ::A\n\nThe ==heart== pumps blood.\n\n$$x^2$$\n\n" + "Prose line. " * 40 + "\n\n"
    text = block * 6000  # about 3.5 MB
    assert len(text) > 3_000_000
    note = parse_note(text, "big.md")
    assert_sound(note)
    assert len(note.cards) == 6000 * 3
    assert note.cards[-1].line == text.count("\n") - 3


def test_one_megabyte_single_line() -> None:
    for line in ("word " * 200_000, "Q::" + "a" * 1_000_000, "==x== " * 170_000, "$a" * 500_000,
                 "x" + "`" * 1_000_000, "<!--" * 250_000, "[" * 1_000_000, "== " * 300_000):
        note = parse_note("Before::card\n\n" + line + "\n\nAfter::card", "line.md")
        assert_sound(note)
        assert note.cards[0].front == "Before" and note.cards[-1].front == "After"


def test_huge_cloze_paragraph_is_bounded() -> None:
    note = parse_note("==x== " * 100_000, "n.md")
    assert_sound(note)
    assert 1 <= len(note.cards) <= 200
    assert [p.severity for p in note.problems] == ["warning"]


def test_deep_blockquote() -> None:
    text = "Q1::A1\n\n" + ">" * 3000 + " deep::card\n\nQ2::A2\n"
    note = parse_note(text, "deep.md")
    assert_sound(note)
    assert [c.front for c in note.cards] == ["Q1", "Q2"]
    assert [(p.line, p.severity) for p in note.problems] == [(3, "warning")]


def test_deep_nested_lists_and_quotes() -> None:
    text = "".join("  " * i + "- item\n" for i in range(300)) + "\n" + "> " * 300 + "x\n\nQ::A"
    note = parse_note(text, "deep.md")
    assert_sound(note)
    assert [c.front for c in note.cards] == ["Q"]


def test_lists_nested_past_what_markdown_it_reads_are_a_warning_not_a_card() -> None:
    """markdown-it reads 20 block levels, a list item taking two (its list's and its own):
    `- - - … x::y` (10,000 levels on one line) was a card whose front began with thousands
    of `- `, and no warning; a quote nested as deep was a warning. Nine levels are read,
    and a card below, at the margin, as before."""
    for deep in ("- " * 10_000, "1. " * 10, "> - " * 6 + "- ", "> " * 20):
        note = parse_note(f"Q1::A1\n\n{deep}x::y\n\nQ2::A2\n", "deep.md")
        assert_sound(note)
        assert [c.front for c in note.cards] == ["Q1", "Q2"], deep[:20]
        assert [(p.line, p.severity) for p in note.problems] == [(3, "warning")]
        assert "nested deeper than 20 levels" in note.problems[0].message
    for read in ("- " * 9, "> - " * 6 + "> "):
        note = parse_note(f"{read}x::y\n", "deep.md")
        assert [(c.front, c.back) for c in note.cards] == [("x", "y")] and not note.problems


def test_nul_and_control_characters_in_text() -> None:
    text = "Q\x00::A\x01\x02\n\x0b\x0c==x\x00==\r\n"
    note = parse_note(text, "n.md")
    assert_sound(note, text)
    assert [(c.kind, c.front) for c in note.cards] == [("basic", "Q\x00"), ("cloze", "[...]")]


def test_crlf_left_in_text_does_not_break_cards() -> None:
    note = parse_note("Q::A\r\nR::B\r\n", "n.md")
    assert [(c.front, c.back) for c in note.cards] == [("Q", "A"), ("R", "B")]


FRAGMENTS = [
    "::", ":::", "?", "??", "==", "=", "$$", "$", "```", "~~~", "`", "<!--", "-->",
    "<!--SR:!2023-09-03,4,270-->", "<!--SR:!2023-13-45,1,1-->", "> [!question] ", "> [!faq]- ",
    "> ", ">", "#", "# ", "## Why?", "#flashcards/x ", "#tag", "- ", "1. ", "  ", "\t", "\n",
    "\n\n", "---", "---\n", "**", "{{", "}}", ";;", "1;;", "ah;;", "^abc", "[", "]", "|", "\\",
    "x", "Q", "A", "word ", "$$\n", "\u00a0", "\ufeff", "é", "\x00", "%%", "\r", "\r\n",
    "> [!sr|card-metadata] \n> ", "> [!tip] ", "https://a.org/?q=", "[[", "]]", "](", "\\==",
    "{{c1::", "{{c2::", "\\:", "\\\\",
]

note_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=40).map("".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note_text)
@example("\r#")  # a lone CR: markdown-it saw two lines where we saw one (found by this test)
def test_parse_note_never_fails(text: str) -> None:
    assert_sound(parse_note(text, "fuzz.md"), text)
    assert_sound(parse_note(text, "fuzz.md", ALL_CLOZES), text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_parse_note_with_frontmatter_never_fails(body: str) -> None:
    text = "---\ntags: [flashcards]\nsummary: s\naliases: [a, ]\n---\n" + body
    note = parse_note(text, "fuzz.md")
    assert_sound(note, text)
    assert note.tagged


# The scanner's regexes are written for speed (a first character, then look-behinds); each
# must find exactly what its plain form finds, on text full of the characters they care about.
_SCANNER_TEXT = st.text(alphabet="\\`$<!->#%a_/ \t\n", max_size=200)


@given(_SCANNER_TEXT)
def test_the_fast_token_pattern_finds_what_the_plain_one_finds(text: str) -> None:
    import re

    from flashdeck.notes._mask import _TOKEN_RE

    plain = re.compile(r"\\[\\`$<]|`+|\$\$|\$|<!--|-->|%%")
    assert [(m.span(), m.group()) for m in _TOKEN_RE.finditer(text)] == \
        [(m.span(), m.group()) for m in plain.finditer(text)]


def _tokens_by_regex(text: str) -> list[tuple[int, int, str]]:
    from flashdeck.notes._mask import _TOKEN_RE

    return [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]


def _assert_masked_as_by_the_regex(text: str) -> None:
    """mask_text's tokens found by finds (no escape, `<!--` or `%%` in the text) are the
    regex's, `-->` aside (nothing without a `<!--`), and so is everything masked."""
    from flashdeck.notes import _mask

    tokens = _mask._tokens(text)
    by_regex = _tokens_by_regex(text)
    if tokens != by_regex:  # only where the finds were used, and only `-->` left out
        assert "<!--" not in text and "%%" not in text
        assert re.search(r"\\[\\`$<]", text) is None
        assert tokens == [t for t in by_regex if t[2] != "-->"]
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    breaks = sorted({starts[k] for k in range(0, len(starts), 3)} | {len(text) + 1})
    fast = _mask.mask_text(text, breaks, starts)
    original = _mask._tokens
    try:
        _mask._tokens = _tokens_by_regex
        slow = _mask.mask_text(text, breaks, starts)
    finally:
        _mask._tokens = original
    assert (fast.masked, fast.sr_spans, fast.display_math) == \
        (slow.masked, slow.sr_spans, slow.display_math), text


@settings(max_examples=1500)
@given(st.lists(st.sampled_from(["$", "$$", "`", "``", "```", "\\", "\\$", "\\\\", "\\`",
                                 "\\<", "<!--", "-->", "<!--SR:!2023-09-03,4,270-->", "-", "<",
                                 "%", "%%", "a", "x y", " ", "\n", "\n\n", "é", "→", "5"]),
                max_size=30))
def test_the_masks_tokens_found_by_finds_are_the_regexs(pieces: list[str]) -> None:
    _assert_masked_as_by_the_regex("".join(pieces))


def test_each_near_miss_of_the_masks_finds_is_masked_as_by_the_regex() -> None:
    # an escape of each kind (the regex then); a backslash escaping nothing; a comment's
    # opener or closer alone; a `%` alone; `$` runs; backtick runs at the ends
    for text in ["$a$ \\$b$", "`x` \\` y`", "\\\\$x$", "\\<!-- a -->", "\\frac{a}{b} $x$",
                 "<!-- `a` -->", "a --> `b` $c$", "<!- `a`", "% `a` %", "%% `a` %%", "$$$",
                 "$$$$x$$", "`", "``a``", "a```", "$", "$5 and $6$", "`$a$`", "$`a`$", "<a>`b`",
                 "-->$x$<!--", "\\", "x\\"]:
        _assert_masked_as_by_the_regex(text)


@given(_SCANNER_TEXT)
def test_the_fast_tag_pattern_finds_what_the_plain_one_finds(text: str) -> None:
    import re

    from flashdeck.notes._tags import TAG_RE

    plain = re.compile(r"(?<!\S)#([\w/-]+)")
    assert [(m.span(), m.group(1)) for m in TAG_RE.finditer(text)] == \
        [(m.span(), m.group(1)) for m in plain.finditer(text)]


_CLOZE_TEXT = st.text(alphabet="=*{}a \t\n\x1c\x85\u3000", max_size=200)


@given(_CLOZE_TEXT, st.sampled_from(["highlight", "bold", "curly"]))
@example("==" + "a" * 4002 + "==", "highlight")
@example("==" + "a" * 4003 + "==", "highlight")
def test_the_one_pass_cloze_finder_finds_what_the_patterns_find(text: str, kind: str) -> None:
    from flashdeck.notes._cloze import _PATTERNS, _matches

    assert _matches(text, kind) == [
        (m.start(), m.end(), m.start(1), m.end(1)) for m in _PATTERNS[kind].finditer(text)]


_ANKI_PLAIN = re.compile(r"\{\{(?=c\d{1,9}::)([^\n]{0,4002}?)\}\}")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["{{c1::", "{{c", "{{", "}}", "}", "c12::", "::", "\n", "a",
                                 " ", "x" * 1000, "{{c1234567890::"]), max_size=40).map("".join))
def test_anki_clozes_finds_what_its_plain_regex_finds(text: str) -> None:
    """`anki_clozes` is written to be linear (a line of unclosed `{{c1::` is one pass); it
    finds exactly the spans of the plain lazy regex."""
    assert anki_clozes(text) == [(m.start(), m.end(), m.start(1), m.end(1))
                                 for m in _ANKI_PLAIN.finditer(text)]

