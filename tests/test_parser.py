"""Plugin-style notes -> the cards a user sees (kind, front, back).

Each row is a note as a user of the Obsidian Spaced Repetition plugin writes it, and the
cards flashdeck must make of it: the plugin's syntax gives the plugin's cards, and where
the plugin is known to be wrong flashdeck does the sane thing (the "fix:" rows).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from flashdeck.notes.model import ParsedCard, ParserSettings, SRSeed
from flashdeck.notes.parser import might_be_tagged, parse_note

DEFAULT = ParserSettings()
BOLD = replace(DEFAULT, cloze=("highlight", "bold"))
CURLY = replace(DEFAULT, cloze=("curly",))
NO_CLOZE = replace(DEFAULT, cloze=())
END_MARKER = replace(DEFAULT, multiline_end_marker="---")


def rev(a: str, b: str) -> list[tuple[str, str, str]]:
    return [("reversed", a, b), ("reversed", b, a)]


# (id, note text, settings, expected [(kind, front, back)] in order)
CASES: list[tuple[str, str, ParserSettings, list[tuple[str, str, str]]]] = [
    # --- single line
    ("basic", "Q::A", DEFAULT, [("basic", "Q", "A")]),
    ("basic spaces trimmed", "  What is 2 + 2 :: four  ", DEFAULT, [("basic", "What is 2 + 2", "four")]),
    ("basic keeps markdown", "**Bold** *q*::`code` [[Link]]", DEFAULT,
     [("basic", "**Bold** *q*", "`code` [[Link]]")]),
    ("reversed", "Front:::Back", DEFAULT, rev("Front", "Back")),
    ("longest separator wins", "a::b:::c", DEFAULT, rev("a::b", "c")),
    ("first triple separator splits", "a:::b::c", DEFAULT, rev("a", "b::c")),
    ("one card per line", "Q1::A1\nQ2::A2\nQ3:::A3", DEFAULT,
     [("basic", "Q1", "A1"), ("basic", "Q2", "A2"), *rev("Q3", "A3")]),
    ("prose line before a card is no card", "Some prose.\nQ::A", DEFAULT, [("basic", "Q", "A")]),
    # --- multi-line
    ("multiline", "Line 1\nLine 2\n?\nBack 1\nBack 2\n\nNot part of it", DEFAULT,
     [("basic", "Line 1\nLine 2", "Back 1\nBack 2")]),
    ("multiline reversed", "Front\n??\nBack", DEFAULT, rev("Front", "Back")),
    ("separator with trailing spaces", "Q\n?   \nA", DEFAULT, [("basic", "Q", "A")]),
    ("two multiline cards", "Q1\n?\nA1\n\nQ2\n??\nA2", DEFAULT,
     [("basic", "Q1", "A1"), *rev("Q2", "A2")]),
    ("multiline back with a list", "Name the primes below 6\n?\n- 2\n- 3\n- 5", DEFAULT,
     [("basic", "Name the primes below 6", "- 2\n- 3\n- 5")]),
    ("multiline back with code", "Hello in Python?\n?\n```python\nprint('hi')\n\nprint('bye')\n```",
     DEFAULT, [("basic", "Hello in Python?", "```python\nprint('hi')\n\nprint('bye')\n```")]),
    ("multiline card after a single-line card", "Q1::A1\nQ2\n?\nA2", DEFAULT,
     [("basic", "Q1", "A1"), ("basic", "Q2", "A2")]),
    ("multiline card directly above a rule", "Q\n?\nA1\nA2\n---\nafter", DEFAULT,
     [("basic", "Q", "A1\nA2")]),
    ("end marker: back runs over blank lines", "Q\n?\nA1\n\nA2\n---\nR::B", END_MARKER,
     [("basic", "Q", "A1\n\nA2"), ("basic", "R", "B")]),
    ("end marker missing: back ends at blank line", "Q\n?\nA1\n\nA2", END_MARKER,
     [("basic", "Q", "A1")]),
    ("end marker: reversed", "F\n??\nB1\n\nB2\n---", END_MARKER, rev("F", "B1\n\nB2")),
    # --- clozes
    ("cloze, one card per deletion", "The ==heart== pumps ==blood==.", DEFAULT,
     [("cloze", "The [...] pumps blood.", "The ==heart== pumps blood."),
      ("cloze", "The heart pumps [...].", "The heart pumps ==blood==.")]),
    ("cloze numbered groups", "==1;;Paris== and ==1;;Rome== are capitals, ==2;;Lyon== is not",
     DEFAULT,
     [("cloze", "[...] and [...] are capitals, Lyon is not",
       "==Paris== and ==Rome== are capitals, Lyon is not"),
      ("cloze", "Paris and Rome are capitals, [...] is not",
       "Paris and Rome are capitals, ==Lyon== is not")]),
    ("cloze hint", "The capital of France is ==Paris;;a city==.", DEFAULT,
     [("cloze", "The capital of France is [a city].", "The capital of France is ==Paris==.")]),
    ("cloze numbered with hint", "==1;;H2O;;formula== is ==2;;water==", DEFAULT,
     [("cloze", "[formula] is water", "==H2O== is water"),
      ("cloze", "H2O is [...]", "H2O is ==water==")]),
    ("cloze overlapping", "Steps: ==ah;;wash==, ==ha;;dry==", DEFAULT,
     [("cloze", "Steps: [...], ...", "Steps: ==wash==, ..."),
      ("cloze", "Steps: ..., [...]", "Steps: ..., ==dry==")]),
    ("cloze overlapping, shown when a letter is missing", "==as;;one== ==sa;;two== ==a;;three==",
     DEFAULT,
     [("cloze", "[...] two [...]", "==one== two ==three=="),
      ("cloze", "one [...] three", "one ==two== three")]),
    ("unnumbered deletion in a numbered paragraph gets its own card",
     "==1;;A== then ==B==", DEFAULT,
     [("cloze", "[...] then B", "==A== then B"), ("cloze", "A then [...]", "A then ==B==")]),
    ("cloze over two lines of a paragraph", "First line has ==x==\nsecond line ==y==", DEFAULT,
     [("cloze", "First line has [...]\nsecond line y", "First line has ==x==\nsecond line y"),
      ("cloze", "First line has x\nsecond line [...]", "First line has x\nsecond line ==y==")]),
    ("cloze list is one paragraph, as in the plugin", "- ==H== is hydrogen\n- ==O== is oxygen",
     DEFAULT,
     [("cloze", "- [...] is hydrogen\n- O is oxygen", "- ==H== is hydrogen\n- O is oxygen"),
      ("cloze", "- H is hydrogen\n- [...] is oxygen", "- H is hydrogen\n- ==O== is oxygen")]),
    ("bold is no cloze by default", "The **heart** pumps blood", DEFAULT, []),
    ("bold cloze when enabled", "The **heart** pumps ==blood==", BOLD,
     [("cloze", "The [...] pumps blood", "The ==heart== pumps blood"),
      ("cloze", "The heart pumps [...]", "The heart pumps ==blood==")]),
    ("curly cloze when enabled", "The {{heart}} pumps ==blood==", CURLY,
     [("cloze", "The [...] pumps ==blood==", "The ==heart== pumps ==blood==")]),
    ("highlight off", "The ==heart== pumps", NO_CLOZE, []),
    ("comparison is no cloze", "if a == b and c == d then", DEFAULT, []),
    ("multiline wins over cloze on its front", "The ==x== thing\n?\nBack", DEFAULT,
     [("basic", "The ==x== thing", "Back")]),
    # --- stripped syntax
    ("SR comment on the line", "Q::A <!--SR:!2023-09-03,4,270-->", DEFAULT, [("basic", "Q", "A")]),
    ("SR comment on the next line", "Q::A\n<!--SR:!2023-09-03,4,270-->", DEFAULT,
     [("basic", "Q", "A")]),
    ("SR comment after a multiline back", "Q\n?\nA\n<!--SR:!2023-09-03,4,270-->", DEFAULT,
     [("basic", "Q", "A")]),
    ("block id", "Q::A ^abc123", DEFAULT, [("basic", "Q", "A")]),
    ("block id after a multiline back", "Q\n?\nA ^card-1", DEFAULT, [("basic", "Q", "A")]),
    ("leading flashcard tag", "#flashcards/ml Q::A", DEFAULT, [("basic", "Q", "A")]),
    ("leading other tag stays", "#todo Q::A", DEFAULT, [("basic", "#todo Q", "A")]),
    ("leading tag on a cloze", "#flashcards The ==heart== pumps", DEFAULT,
     [("cloze", "The [...] pumps", "The ==heart== pumps")]),
    ("tag line above a multiline card", "#flashcards/bio\nWhat pumps blood?\n?\nThe heart", DEFAULT,
     [("basic", "What pumps blood?", "The heart")]),
    # --- fix: code and math are text, not syntax
    ("fix: inline code", "`std::vector` is a class template", DEFAULT, []),
    ("fix: inline code, card around it", "What is `std::vector`?::a class template", DEFAULT,
     [("basic", "What is `std::vector`?", "a class template")]),
    ("fix: inline math", "Here $a::b$ is notation", DEFAULT, []),
    ("fix: double-dollar math in a sentence", "so $$a::b$$ holds", DEFAULT, []),
    ("fix: == in inline code", "Compare with `x == y` and `a == b`", DEFAULT, []),
    ("fix: == in math", "We have $x == y$ and $a == b$ here", DEFAULT, []),
    ("fix: fenced code", "```cpp\nstd::vector<int> v;\nQ::A\n==x==\n?\n```", DEFAULT, []),
    ("fix: tilde fence", "~~~\nQ::A\n~~~", DEFAULT, []),
    ("fix: indented code", "Intro.\n\n    Q::A", DEFAULT, []),
    ("fix: display math block", "Text.\n\n$$\nf::g == h\n$$", DEFAULT,
     [("formula", "What is the formula for *note*?", "$$\nf::g == h\n$$")]),
    # --- fix: an HTML comment hides only itself
    ("fix: comment hides its card", "<!-- Q::A -->\nR::B", DEFAULT, [("basic", "R", "B")]),
    ("fix: multi-line comment", "<!--\nQ1::A1\n\nQ2::A2\n-->\nQ3::A3", DEFAULT,
     [("basic", "Q3", "A3")]),
    ("fix: text after a comment on its line", "<!-- old --> Q::A", DEFAULT, [("basic", "Q", "A")]),
    ("fix: comment inside card text", "Q::A <!-- my note --> too", DEFAULT,
     [("basic", "Q", "A  too")]),
    ("fix: plugin's nested ignore comment", "<!--Q::A <!--SR:!2021-08-20,13,290--> -->\nR::B",
     DEFAULT, [("basic", "R", "B")]),
    ("fix: unclosed comment is text", "<!-- Q::A", DEFAULT, [("basic", "<!-- Q", "A")]),
    ("fix: comment in code is code", "`<!--` Q::A `-->`", DEFAULT,
     [("basic", "`<!--` Q", "A `-->`")]),
    # --- Obsidian's %% comments hide what they hold, as Obsidian does (the plugin reads them)
    ("obsidian comment hides its card", "%% Q::A %%\nR::B", DEFAULT, [("basic", "R", "B")]),
    ("obsidian comment block across paragraphs", "%%\nQ1::A1\n\nQ2\n?\nA2\n%%\nQ3::A3",
     DEFAULT, [("basic", "Q3", "A3")]),
    ("obsidian comment inside card text", "Q::A %%check this%% too", DEFAULT,
     [("basic", "Q", "A  too")]),
    ("obsidian comment hides a cloze", "%%The ==answer== is here.%%\nR::B", DEFAULT,
     [("basic", "R", "B")]),
    ("unclosed %% is text", "Q::A %% 50", DEFAULT, [("basic", "Q", "A %% 50")]),
    ("%% in code is code", "`%%` Q::A `%%`", DEFAULT, [("basic", "`%%` Q", "A `%%`")]),
    # --- fix: `::` in a multi-line back is part of it
    ("fix: :: in a multiline back", "Which container?\n?\nstd::vector holds\nelements::contiguously",
     DEFAULT, [("basic", "Which container?", "std::vector holds\nelements::contiguously")]),
    # --- fix: containers lose their markers
    ("fix: quote", "> Q::A", DEFAULT, [("basic", "Q", "A")]),
    ("fix: callout body", "> [!tip] Remember\n> Q::A\n> R:::B", DEFAULT,
     [("basic", "Q", "A"), *rev("R", "B")]),
    ("fix: list items", "- Q1::A1\n* Q2::A2\n1. Q3::A3", DEFAULT,
     [("basic", "Q1", "A1"), ("basic", "Q2", "A2"), ("basic", "Q3", "A3")]),
    ("fix: list in a quote", "> - Q::A", DEFAULT, [("basic", "Q", "A")]),
    ("fix: multiline in a callout", "> [!note] Title\n> Q line\n> ?\n> A line", DEFAULT,
     [("basic", "Q line", "A line")]),
    ("fix: multiline cards in list items", "- Q1\n  ?\n  A1\n- Q2\n  ?\n  A2", DEFAULT,
     [("basic", "Q1", "A1"), ("basic", "Q2", "A2")]),
    ("fix: nested list kept in a list card's back", "- Q\n  ?\n  - a\n  - b", DEFAULT,
     [("basic", "Q", "- a\n- b")]),
    ("fix: lazy separator after a list item", "- Q\n?\nA", DEFAULT, [("basic", "Q", "A")]),
    ("list as a front, separator outside it", "- item one\n- item two\n?\nanswer", DEFAULT,
     [("basic", "- item one\n- item two", "answer")]),
    ("fix: lazy lines after a quote", "> Q\n?\nA", DEFAULT, [("basic", "Q", "A")]),
    ("fix: quote after a paragraph starts a new card", "Intro text\n> Q\n> ?\n> A", DEFAULT,
     [("basic", "Q", "A")]),
    # --- fix: empty sides are no card (and warn, see test_empty_sides_warn)
    ("fix: empty front", "::A", DEFAULT, []),
    ("fix: empty back", "Q::", DEFAULT, []),
    ("fix: empty reversed side", "Q:::  <!--SR:!2023-09-03,4,270-->", DEFAULT, []),
    ("fix: separator with nothing above", "?\nA", DEFAULT, []),
    ("fix: separator with nothing below", "Q\n?", DEFAULT, []),
    # --- structure that is context only
    ("plain headings, prose and callouts", "# Topic\nProse.\n\n> [!note] A note\n> body\n\n## Sub\nMore.",
     DEFAULT, []),
    ("question mark inside a line is no separator", "What if?\nThen what ???\nok", DEFAULT, []),
]


def cards_of(text: str, settings: ParserSettings = DEFAULT) -> list[tuple[str, str, str]]:
    note = parse_note(text, "vault/note.md", settings)
    return [(c.kind, c.front, c.back) for c in note.cards]


@pytest.mark.parametrize(
    ("text", "settings", "expected"),
    [pytest.param(t, s, e, id=i) for i, t, s, e in CASES],
)
def test_note_gives_cards(text: str, settings: ParserSettings, expected: list) -> None:
    assert cards_of(text, settings) == expected


# --------------------------------------------------------------- derived cards
DERIVED: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    ("summary", "---\nsummary: a way to average rates\n---\nBody.",
     [("summary", "What is *note*?", "a way to average rates")]),
    ("aliases, empty entries dropped", "---\naliases: [Mean, null, '', Average, ]\n---\n",
     [("aliases", "What else is *note* called?", "Mean, Average")]),
    ("frontmatter title", "---\ntitle: Harmonic Mean\nsummary: an average of rates\n---\n",
     [("summary", "What is *Harmonic Mean*?", "an average of rates")]),
    ("formula", "Intro.\n\n$$H = \\frac{n}{\\sum 1/x_i}$$\n",
     [("formula", "What is the formula for *note*?", "$$H = \\frac{n}{\\sum 1/x_i}$$")]),
    ("formula under headings", "# Means\n## Harmonic\n$$H=\\frac{2ab}{a+b}$$\n",
     [("formula", "What is the formula for *note › Means › Harmonic*?", "$$H=\\frac{2ab}{a+b}$$")]),
    ("formula on its own lines inside a paragraph", "It reads\n$$\nx = 1\n$$\nwhich is short",
     [("formula", "What is the formula for *note*?", "$$\nx = 1\n$$")]),
    ("no formula inside a sentence", "The value $$x=1$$ is small.", []),
    ("no formula in a list", "- $$x=1$$\n- second", []),
    ("question heading",
     "# Means\n## Why use the harmonic mean?\n\nFor rates.\n\n### Example\nSpeeds.\n## Next\nother",
     [("question", "Why use the harmonic mean?", "For rates.\n\n### Example\nSpeeds.")]),
    ("question heading ends at a higher heading", "### Why?\nBecause.\n# Top\nx",
     [("question", "Why?", "Because.")]),
    ("question callout", "> [!question] What is a rate?\n> A ratio per unit\n> of time.",
     [("question", "What is a rate?", "A ratio per unit\nof time.")]),
    ("faq callout, any case, folded", "> [!FAQ]- Is it fast?\n> Yes.\n\n> [!Question]+ Why?\n> So.",
     [("question", "Is it fast?", "Yes."), ("question", "Why?", "So.")]),
    ("other callouts are context", "> [!note] Why is this here?\n> Context only.", []),
    ("derivation off",
     "---\nsummary: s\naliases: [a]\nflashdeck: {derive: false}\n---\n## Why?\nx\n\n$$y$$\n\nQ::A",
     [("basic", "Q", "A")]),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in DERIVED])
def test_derived_cards(text: str, expected: list) -> None:
    assert cards_of(text) == expected


# ----------------------------------------------------------------------- decks
DECKS: list[tuple[str, str, ParserSettings, list[str]]] = [
    ("nearest tag above", "#flashcards/ml\nQ1::A1\n\n#flashcards/bio\nQ2::A2", DEFAULT,
     ["flashcards/ml", "flashcards/bio"]),
    ("frontmatter tags when none above",
     "---\ntags: [flashcards/fm]\n---\nQ1::A1\n\n#flashcards/inline\nQ2::A2", DEFAULT,
     ["flashcards/fm", "flashcards/inline"]),
    ("first tag in the note when none above and no frontmatter",
     "Q1::A1\n\n#flashcards/later\nQ2::A2", DEFAULT, ["flashcards/later", "flashcards/later"]),
    ("frontmatter tag as a string with #", "---\ntags: '#flashcards/x, other'\n---\nQ::A", DEFAULT,
     ["flashcards/x"]),
    ("leading tag wins", "#flashcards/ml\n#flashcards/bio Q::A\nR::B", DEFAULT,
     ["flashcards/bio", "flashcards/ml"]),
    ("card-line tag does not carry over", "#flashcards/a\nQ::A #flashcards/b\nR::B", DEFAULT,
     ["flashcards/a", "flashcards/a"]),
    ("other tags are no decks", "#todo\n#flashcards/x\nQ::A\n#later\nR::B", DEFAULT,
     ["flashcards/x", "flashcards/x"]),
    ("tag in code is no deck", "#flashcards/a\n`#flashcards/b`\nQ::A", DEFAULT, ["flashcards/a"]),
    ("untagged note: first settings tag", "Q::A", DEFAULT, ["flashcards"]),
    ("custom settings tags", "#srs/chem\nQ::A", replace(DEFAULT, tags=("srs",)), ["srs/chem"]),
    ("tags are case-insensitive", "#Flashcards/ML\nQ::A", DEFAULT, ["Flashcards/ML"]),
    ("folders", "#flashcards/x\nQ::A", replace(DEFAULT, decks="folders", folder="Science/Bio"),
     ["Science/Bio"]),
    ("folders at the vault root", "Q::A", replace(DEFAULT, decks="folders", folder=""),
     ["flashcards"]),
    ("derived cards take decks too", "---\ntags: [flashcards/m]\nsummary: s\n---\n#flashcards/n\n## Why?\nx",
     DEFAULT, ["flashcards/m", "flashcards/n"]),
]


@pytest.mark.parametrize(
    ("text", "settings", "decks"), [pytest.param(t, s, d, id=i) for i, t, s, d in DECKS]
)
def test_decks(text: str, settings: ParserSettings, decks: list[str]) -> None:
    note = parse_note(text, "note.md", settings)
    assert [c.deck for c in note.cards] == decks


def test_tagged_and_tags() -> None:
    note = parse_note("---\ntags: [topic]\n---\nText #flashcards/ml/metrics and #idea\n`#code`",
                      "n.md")
    assert note.tagged
    assert note.tags == ["topic", "flashcards/ml/metrics", "idea"]
    assert not parse_note("#ideas and `#flashcards` in code\n```\n#flashcards\n```", "n.md").tagged
    assert not parse_note("<!-- #flashcards -->\nQ::A", "n.md").tagged
    assert parse_note("---\ntags: flashcards\n---\n", "n.md").tagged
    assert parse_note("---\ntags: ['#flashcards/x']\n---\n", "n.md").tagged
    assert not parse_note("x#flashcards and #123", "n.md").tagged


def test_might_be_tagged() -> None:
    s = DEFAULT
    assert might_be_tagged("---\ntags: [flashcards]\n---\n", s)
    assert might_be_tagged("text #Flashcards/ml", s)
    assert not might_be_tagged("# Notes\nNothing to see, #ideas only", s)
    assert might_be_tagged("#srs", replace(s, tags=("#srs",)))
    assert not might_be_tagged("#flashcards", replace(s, tags=("srs",)))


# ------------------------------------------------------ schedules, ids, lines
def seeds(note_cards: list[ParsedCard]) -> list[SRSeed | None]:
    return [c.sr for c in note_cards]


def test_sr_seeds_per_sibling() -> None:
    text = (
        "Q:::A\n<!--SR:!2023-09-03,4,270!2023-10-01,10,250-->\n\n"
        "The ==1;;x== and ==2;;y== and ==3;;z==\n<!--SR:!2023-01-01,1,230!2000-01-01,1,250-->\n\n"
        "Lone::card <!--SR:!2024-02-29,30,290-->"
    )
    cards = parse_note(text, "n.md").cards
    assert [(c.kind, c.ordinal) for c in cards] == [
        ("reversed", 0), ("reversed", 1), ("cloze", 0), ("cloze", 1), ("cloze", 2), ("basic", 0)
    ]
    assert seeds(cards) == [
        SRSeed(date(2023, 9, 3), 4, 270),
        SRSeed(date(2023, 10, 1), 10, 250),
        SRSeed(date(2023, 1, 1), 1, 230),
        None,  # 2000-01-01 is the plugin's "not reviewed yet"
        None,  # no entry for the third sibling
        SRSeed(date(2024, 2, 29), 30, 290),
    ]
    assert all("SR" not in c.front + c.back for c in cards)


def test_sr_comment_belongs_to_the_card_just_above() -> None:
    text = "Q1::A1\nQ2::A2\n<!--SR:!2023-09-03,4,270-->\n\n<!--SR:!2023-09-04,5,250-->\nQ3::A3"
    assert seeds(parse_note(text, "n.md").cards) == [None, SRSeed(date(2023, 9, 3), 4, 270), None]


def test_bad_sr_date_warns_and_seeds_nothing() -> None:
    note = parse_note("Q::A <!--SR:!2023-02-30,4,270-->", "n.md")
    assert [(c.front, c.back, c.sr) for c in note.cards] == [("Q", "A", None)]
    assert [(p.line, p.severity) for p in note.problems] == [(1, "warning")]
    assert "2023-02-30" in note.problems[0].message


def test_lines_blocks_and_breadcrumbs() -> None:
    text = (
        "---\ntags: [flashcards]\n---\n"  # lines 1-3
        "# Biology\n"  # 4
        "## Heart\n"  # 5
        "Pump::heart\n"  # 6
        "Organ:::heart\n"  # 7
        "\n"  # 8
        "The ==left== side and ==right== side\n"  # 9
        "## Lungs\n"  # 10
        "What do lungs do?\n"  # 11
        "?\n"  # 12
        "Breathe\n"  # 13
    )
    cards = parse_note(text, "n.md").cards
    got = [(c.kind, c.line, c.block, c.ordinal, c.breadcrumb) for c in cards]
    assert got == [
        ("basic", 6, "L6", 0, ("Biology", "Heart")),
        ("reversed", 7, "L7", 0, ("Biology", "Heart")),
        ("reversed", 7, "L7", 1, ("Biology", "Heart")),
        ("cloze", 9, "L9", 0, ("Biology", "Heart")),
        ("cloze", 9, "L9", 1, ("Biology", "Heart")),
        ("basic", 11, "L11", 0, ("Biology", "Lungs")),
    ]


def test_derived_cards_have_their_own_blocks() -> None:
    text = "---\nsummary: s\naliases: [b]\n---\n$$x$$\n\n$$y$$\n## Why?\nz"
    cards = parse_note(text, "n.md").cards
    assert [c.kind for c in cards] == ["summary", "aliases", "formula", "formula", "question"]
    assert len({c.block for c in cards}) == len(cards)
    assert [c.line for c in cards] == [2, 3, 5, 7, 8]


def test_empty_sides_warn() -> None:
    note = parse_note("Intro\n\n::A\nQ::\nZ\n?\n", "dir/n.md")
    assert note.cards == []
    assert [str(p) for p in note.problems] == [
        "dir/n.md:3: card has an empty front; skipped",
        "dir/n.md:4: card has an empty back; skipped",
        "dir/n.md:5: card has an empty back; skipped",
    ]
    assert all(p.severity == "warning" for p in note.problems)


def test_empty_question_heading_and_callout_warn() -> None:
    note = parse_note("## Why?\n\n## Next\n\n> [!question]\n> body\n", "n.md")
    assert note.cards == []
    assert [(p.line, p.severity) for p in note.problems] == [(1, "warning"), (5, "warning")]


def test_headings_exercises_and_metadata() -> None:
    text = (
        "---\ntitle: Harmonic Mean\naliases: HM, Subcontrary Mean\nexercises: [hm-speed]\n---\n"
        "# Harmonic Mean ^top\n"
        "Setext Heading\n"
        "--------------\n"
        "<!--\n# Hidden heading\n-->\n"
        "```flashdeck-exercise\nid: trip\nanswer: 15\n```\n"
        "> ```flashdeck-exercise\n> id: quoted\n> ```\n"
    )
    note = parse_note(text, "x/hm.md")
    assert note.title == "Harmonic Mean"
    assert note.aliases == ["HM", "Subcontrary Mean"]
    assert note.exercises == ["hm-speed"]
    assert [(h.level, h.text, h.line) for h in note.headings] == [
        (1, "Harmonic Mean", 6), (2, "Setext Heading", 7)
    ]
    assert [(b.line, b.source) for b in note.exercise_blocks] == [
        (12, "id: trip\nanswer: 15\n"), (16, "id: quoted\n")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Body", None), ("---\nexercises: []\n---\n", []), ("---\nexercises: one\n---\n", ["one"]),
     ("---\nexercises:\n---\n", None)],
)
def test_exercises_field(text: str, expected: list[str] | None) -> None:
    assert parse_note(text, "n.md").exercises == expected


@pytest.mark.parametrize(
    ("path", "title_arg", "text", "title"),
    [("a/b/F1 Score.md", None, "", "F1 Score"),
     ("a/b/F1 Score.md", "Given", "", "Given"),
     ("a/b/F1 Score.md", "Given", "---\ntitle: From FM\n---\n", "From FM"),
     ("C:\\vault\\Note.MD", None, "", "Note")],
)
def test_title(path: str, title_arg: str | None, text: str, title: str) -> None:
    assert parse_note(text, path, title=title_arg).title == title


def test_explicit_cards_under_a_question_heading_are_not_part_of_its_answer():
    text = (
        "#flashcards\n\n"
        "### Why is the sky blue?\n"
        "Rayleigh scattering: short wavelengths scatter ==more==.\n\n"
        "Scattering law::intensity ∝ 1/λ⁴\n\n"
        "Who described it\n?\nLord Rayleigh\n\n"
        "More prose after the cards.\n\n"
        "### Only cards here?\n"
        "Q::A\n"
    )
    note = parse_note(text, "Sky.md")
    questions = {c.front: c.back for c in note.cards if c.kind == "question"}
    back = questions["Why is the sky blue?"]
    assert "Rayleigh scattering" in back and "More prose after the cards." in back
    assert "==more==" in back  # a cloze paragraph is prose, it stays
    assert "::" not in back and "\n?\n" not in back and "Lord Rayleigh" not in back
    assert "Only cards here?" not in questions  # nothing but cards: no question card
    assert not [p for p in note.problems if "nothing under it" in p.message]
    assert {c.front for c in note.cards if c.kind == "basic"} == {
        "Scattering law", "Who described it", "Q"}


def test_a_schedule_comment_belongs_to_the_card_on_its_line():
    text = (
        "#flashcards\n\n"
        "A:::B\n"
        "C::D <!--SR:!2026-12-01,10,250-->\n"
        "E::F\n"
        "<!--SR:!2026-12-05,3,230-->\n"
    )
    seeds = {c.front: c.sr for c in parse_note(text, "n.md").cards}
    assert seeds["A"] is None and seeds["B"] is None
    assert seeds["C"] == SRSeed(date(2026, 12, 1), 10, 250)
    assert seeds["E"] == SRSeed(date(2026, 12, 5), 3, 230)  # alone on the next line: E's


def test_a_schedule_comment_alone_in_a_callout_seeds_the_card_above():
    text = "#flashcards\n\n> [!NOTE] cards\n> Q\n> ?\n> A\n> <!--SR:!2026-12-05,3,230-->\n"
    (card,) = parse_note(text, "n.md").cards
    assert (card.front, card.back, card.sr) == ("Q", "A", SRSeed(date(2026, 12, 5), 3, 230))


def test_a_tag_and_a_question_heading_inside_an_obsidian_comment_do_not_count():
    note = parse_note("%%\n#flashcards\n## Why is this hidden?\nBecause.\n%%\nQ::A\n", "n.md")
    assert not note.tagged
    assert [c.kind for c in note.cards] == ["basic"]
