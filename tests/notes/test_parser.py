"""What the parser gives besides the cards of a note: tags, metadata, headings, blocks.

The cards a note gives (the plugin's syntax, flashdeck's fixes, derived cards, decks,
schedules, lines) are specified case by case in tests/fixtures/plugin/*.md and run by
tests/test_parser_spec.py. Here are the checks that do not fit "a note, then its cards".
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from flashdeck.notes.model import ParserSettings
from flashdeck.notes.parser import might_be_tagged, parse_note

DEFAULT = ParserSettings()


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


@pytest.mark.parametrize("deck", [
    "flashcards/हिंदी",  # Devanagari: vowel signs (Mc, Mn) and a virama
    "flashcards/বাংলা/ব্যাকরণ",  # Bengali
    "flashcards/தமிழ்",  # Tamil
    "flashcards/cafe\u0301",  # a decomposed é (as some editors and file systems keep it)
    "flashcards/עִבְרִית",  # Hebrew with its vowel points
])
def test_a_tag_goes_on_through_the_marks_of_its_letters(deck) -> None:
    """Python's `\\w` has no combining marks: `#flashcards/हिंदी` was deck `flashcards/ह`
    (the rest of the tag dropped), so `--deck flashcards/हिंदी` found no card."""
    inline = parse_note(f"#{deck}\n\nQ::A\n\n#{deck} Leading::tag\n", "n.md")
    assert [(c.deck, c.front) for c in inline.cards] == [(deck, "Q"), (deck, "Leading")]
    assert deck in inline.tags
    tag_only = parse_note(f"#flashcards\n\n## Why?\n\nBecause.\n#{deck}\n", "n.md")
    [question] = [c for c in tag_only.cards if c.kind == "question"]
    assert question.back.strip() == "Because."  # the tag-only line is no part of the answer


@pytest.mark.parametrize("deck", [
    "flashcards/🧠-ml",  # an emoji (Obsidian's tags take any character but its punctuation)
    "flashcards/ml✨",  # a symbol at the end
    "flashcards/❤️/herz",  # an emoji with its variation selector
    "flashcards/°C-→-K",  # signs and arrows
])
def test_a_tag_goes_on_through_emoji_and_symbols_as_in_obsidian(deck) -> None:
    """`#flashcards/🧠-ml` was deck `flashcards` (the tag stopped at the emoji: only letters,
    digits, `_`, `-`, `/` were tag characters), and `#flashcards/ml✨ Q::A` kept the tag in
    the card's front. Obsidian, and so the plugin, reads the whole tag."""
    inline = parse_note(f"#{deck}\n\nQ::A\n\n#{deck} Leading::tag\n", "n.md")
    assert [(c.deck, c.front) for c in inline.cards] == [(deck, "Q"), (deck, "Leading")]
    assert deck in inline.tags
    tag_only = parse_note(f"#flashcards\n\n## Why?\n\nBecause.\n#{deck}\n", "n.md")
    [question] = [c for c in tag_only.cards if c.kind == "question"]
    assert question.back.strip() == "Because."


@pytest.mark.parametrize(("written", "deck"), [
    ("#flashcards/ml.", "flashcards/ml"),  # a full stop ends a sentence, not the tag's part
    ("#flashcards/ml, then", "flashcards/ml"),
    ("#flashcards/ml: more", "flashcards/ml"),
    ("#flashcards/a—b", "flashcards/a"),  # an em dash (U+2014): general punctuation
    ("#flashcards/a\u2019s", "flashcards/a"),  # a curly apostrophe
    ("#flashcards/dev👨\u200d💻", "flashcards/dev👨"),  # Obsidian stops at the joiner
    ("(#flashcards/x)", "flashcards"),  # after `(`: no tag (the frontmatter's deck)
])
def test_a_tag_stops_where_obsidians_does(written, deck) -> None:
    note = parse_note(f"---\ntags: [flashcards]\n---\n{written}\n\nQ::A\n", "n.md")
    assert [c.deck for c in note.cards] == [deck]


@pytest.mark.parametrize("mark", ["**", "*", "~~", "***"])
def test_a_tag_in_bold_or_struck_is_a_tag_as_in_obsidian(mark) -> None:
    """`**#flashcards**` is a tag to Obsidian (its tags start at an emphasis too), so the
    plugin reviews the note; flashdeck skipped it as untagged, and `**#flashcards/ml**`
    above a card did not set its deck."""
    note = parse_note(f"# Note\n\n{mark}#flashcards/ml{mark}\n\nQ::A\n", "n.md")
    assert note.tagged and note.tags == ["flashcards/ml"]
    assert [c.deck for c in note.cards] == ["flashcards/ml"]
    tag_only = parse_note(f"#flashcards\n\n## Why?\n\nBecause.\n{mark}#flashcards/z{mark}\n",
                          "n.md")
    [question] = [c for c in tag_only.cards if c.kind == "question"]
    assert question.back.strip() == "Because."  # a tag line, bold or not, is no answer


@pytest.mark.parametrize("text", ["a**#flashcards**", "x*#flashcards*", "`**#flashcards**`",
                                  "**x #1984**"])
def test_emphasis_glued_to_a_word_starts_no_tag(text) -> None:
    assert not parse_note(f"# Note\n\n{text}\n\nQ::A\n", "n.md").tagged


@pytest.mark.parametrize("key", ["Tags", "TAGS", "Tag", "tag"])
def test_obsidians_tags_and_aliases_keys_in_any_case(key) -> None:
    """Obsidian reads `tags`/`tag` and `aliases`/`alias` in any case (`Tags:` is what its
    property editor shows): a note tagged `Tags: [flashcards/ml]` is a flashcard note in
    that deck, and `Aliases:` gives the aliases card."""
    note = parse_note(f"---\n{key}: [flashcards/ml]\nAliases: [Sørensen index]\n---\n"
                      "Q::A\n", "Dice.md")
    assert note.tagged and note.tags == ["flashcards/ml"]
    assert {c.kind: c.deck for c in note.cards} == {"aliases": "flashcards/ml",
                                                    "basic": "flashcards/ml"}
    assert note.aliases == ["Sørensen index"]
    assert [c.back for c in note.cards if c.kind == "aliases"] == ["Sørensen index"]
    # the lower-case key wins over another case of it, as written
    both = parse_note("---\nTags: [other]\ntags: [flashcards]\n---\nQ::A\n", "n.md")
    assert both.tags == ["flashcards"]


def test_might_be_tagged() -> None:
    s = DEFAULT
    assert might_be_tagged("---\ntags: [flashcards]\n---\n", s)
    assert might_be_tagged("text #Flashcards/ml", s)
    assert not might_be_tagged("# Notes\nNothing to see, #ideas only", s)
    assert might_be_tagged("#srs", replace(s, tags=("#srs",)))
    assert not might_be_tagged("#flashcards", replace(s, tags=("srs",)))


# ------------------------------------------------------------- blocks, metadata
def test_derived_cards_have_their_own_blocks() -> None:
    text = "---\nsummary: s\naliases: [b]\n---\n$$x$$\n\n$$y$$\n## Why?\nz"
    cards = parse_note(text, "n.md").cards
    assert [c.kind for c in cards] == ["summary", "aliases", "formula", "formula", "question"]
    assert len({c.block for c in cards}) == len(cards)
    assert [c.line for c in cards] == [2, 3, 5, 7, 8]


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


def test_other_cards_under_a_question_heading_are_not_part_of_its_answer():
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
    assert back == "More prose after the cards."
    # the cloze paragraph is a card of its own: its text would give it away
    assert "Rayleigh" not in back and "==" not in back
    assert "::" not in back and "\n?\n" not in back and "Lord Rayleigh" not in back
    assert "Only cards here?" not in questions  # nothing but cards: no question card
    assert not [p for p in note.problems if "nothing under it" in p.message]
    assert {c.front for c in note.cards if c.kind == "basic"} == {
        "Scattering law", "Who described it", "Q"}


def test_a_tag_and_a_question_heading_inside_an_obsidian_comment_do_not_count():
    note = parse_note("%%\n#flashcards\n## Why is this hidden?\nBecause.\n%%\nQ::A\n", "n.md")
    assert not note.tagged
    assert [c.kind for c in note.cards] == ["basic"]
