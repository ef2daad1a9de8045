"""Which exercise cards a note gets: by topic, by frontmatter, and from its own blocks.

The notes parser is another area; these tests build the `ParsedNote` the parser would give
for fixture notes written in the user's style (headings, aliases, exercise blocks), with a
tiny stand-in for the parts the matcher reads.
"""

import re
from textwrap import dedent

import pytest

from flashdeck.exercises import (
    builtin_template,
    exercises_for_note,
    instantiate,
    mentions,
    template_for_card,
)
from flashdeck.notes.model import ExerciseBlock, Heading, ParsedCard, ParsedNote

SEGMENTATION_NOTE = dedent(
    """\
    ---
    tags: [flashcards]
    aliases: [F1 Measure, Dice Loss, ]
    summary: the harmonic mean of precision and recall, used as an overlap score for masks
    ---

    $$F_1 = \\frac{2 T P}{2 T P + F P + F N}$$

    > [!NOTE] Dice and F1 are one formula under two names

    ### F1 Score for Segmentation
    Take a photo of a dog: 400 pixels, 100 of them dog.
    - Predict everything as dog: $\\frac{2*100}{2*100 + 300 + 0} = \\frac{200}{500}$
    - Predict nothing: $\\frac{0}{0 + 0 + 100} = 0$

    ### Why is Dice Loss robust to class imbalance?
    It only looks at the foreground, so a tiny object counts as much as a big one.

    # Dice Score vs. IoU
    They rank models the same way.

    # Comparing classifiers
    ## Harmonic Mean
    Cycling up a hill at 10 km/h and down at 30 km/h does not average 20 km/h.

    ```python
    # Not a heading: code
    ```
    """
)

EXPECTED_IDS = {
    "f1-counts", "f1-from-precision-recall", "segmentation-story", "mask-grid",
    "dice-to-iou", "iou-to-dice", "iou-counts", "harmonic-mean-speed", "harmonic-mean-price",
}

USER_BLOCK = dedent(
    """\
    id: dog-dice
    title: Dice of the dog mask
    vars:
      N: {min: 200, max: 800, step: 100}
      M: {min: 50, max: N - 50, step: 50}
    prompt: "{N} pixels, {M} dog; everything predicted as dog. Dice?"
    answer: 2*M / (2*M + N - M)
    steps: Dice = 2·{M} / (2·{M} + {N - M} + 0) = {2*M / (2*M + N - M):work}
    """
)


def headings(text: str) -> list[Heading]:
    found, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"(#{1,6})\s+(.+?)\s*#*$", line)):
            found.append(Heading(len(m[1]), m[2], number))
    return found


def note_for(text: str, *, title: str = "F1 Score", aliases=("F1 Measure", "Dice Loss", ""),
             exercises=None, blocks=(), frontmatter=None, cards=()) -> ParsedNote:
    return ParsedNote(
        path=f"vault/{title}.md", title=title, frontmatter=dict(frontmatter or {}),
        aliases=list(aliases), tags=["flashcards"], tagged=True, cards=list(cards),
        headings=headings(text), exercise_blocks=list(blocks), exercises=exercises,
    )


def ids(cards: list[ParsedCard]) -> set[str]:
    return {card.exercise for card in cards}


def test_a_note_in_the_users_style_gets_its_exercises_with_no_edit():
    cards, problems = exercises_for_note(note_for(SEGMENTATION_NOTE))
    assert problems == []
    assert ids(cards) == EXPECTED_IDS
    by_id = {card.exercise: card for card in cards}
    f1 = by_id["f1-counts"]
    assert f1.kind == "exercise"
    assert f1.front == builtin_template("f1-counts").title
    assert f1.back == builtin_template("f1-counts").source
    assert f1.block == "exercise:f1-counts"
    assert f1.deck == "flashcards"
    # the "F1 Score for Segmentation" heading
    assert f1.line == SEGMENTATION_NOTE.splitlines().index("### F1 Score for Segmentation") + 1
    assert f1.breadcrumb == ("F1 Score for Segmentation",)
    speed = by_id["harmonic-mean-speed"]
    assert speed.line == SEGMENTATION_NOTE.splitlines().index("## Harmonic Mean") + 1
    assert speed.breadcrumb == ("Comparing classifiers", "Harmonic Mean")
    assert len({card.block for card in cards}) == len(cards)


def test_the_title_or_an_alias_alone_is_enough():
    cards, _ = exercises_for_note(note_for("Just prose.\n", title="Notes", aliases=["Dice Loss"]))
    assert "f1-counts" in ids(cards)
    assert all(card.line == 1 for card in cards)
    cards, _ = exercises_for_note(note_for("Just prose.\n", title="Jaccard index", aliases=[]))
    assert ids(cards) >= {"iou-counts", "dice-to-iou"}
    assert "f1-counts" not in ids(cards)


def test_an_unrelated_note_gets_none():
    text = ("# Floating point precision\n## Recall of a memory\n## Dice games\n"
            "## Market segmentation\n")
    cards, problems = exercises_for_note(note_for(text, title="Numerics", aliases=[]))
    assert (cards, problems) == ([], [])


@pytest.mark.parametrize(
    "text, topic, expected",
    [
        ("F1 Score for Segmentation", "F1 Score", True),
        ("F1-score", "F1 Score", True),
        ("The F₁ score", "F1 Score", True),
        ("Harmonic Means", "Harmonic Mean", True),
        ("F1 Score/Dice Score vs. IoU", "IoU", True),
        ("Why does DICE LOSS handle imbalance?", "Dice Loss", True),
        ("Precisionist painting", "Precision", False),
        ("Score F1", "F1 Score", False),
        ("Diced onions", "Dice", False),
        ("", "Dice", False),
    ],
)
def test_topic_mentions(text, topic, expected):
    assert mentions(text, topic) is expected


@pytest.mark.parametrize(
    "heading, template_id",
    [("Precision", "precision"), ("What is precision?", "precision"), ("Recall", "recall"),
     ("Dice", "f1-counts"), ("Segmentation", "segmentation-story")],
)
def test_everyday_words_match_when_they_are_the_whole_heading(heading, template_id):
    cards, _ = exercises_for_note(note_for(f"## {heading}\n", title="Other", aliases=[]))
    assert template_id in ids(cards)


def test_frontmatter_adds_and_removes():
    cards, problems = exercises_for_note(note_for(SEGMENTATION_NOTE, exercises=["fbeta"]))
    assert problems == []
    assert ids(cards) == EXPECTED_IDS | {"fbeta"}
    assert next(c for c in cards if c.exercise == "fbeta").line == 1

    cards, problems = exercises_for_note(note_for(SEGMENTATION_NOTE, exercises=[]))
    assert (cards, problems) == ([], [])

    cards, problems = exercises_for_note(
        note_for("Prose.\n", title="Other", aliases=[], exercises=["precision", "recall"]))
    assert ids(cards) == {"precision", "recall"} and problems == []


def test_unknown_frontmatter_id_is_a_problem():
    cards, problems = exercises_for_note(
        note_for("Prose.\n", title="Other", aliases=[], exercises=["dice-score"]))
    assert cards == []
    assert len(problems) == 1
    assert problems[0].path == "vault/Other.md"
    assert "unknown exercise 'dice-score'" in problems[0].message
    assert "f1-counts" in problems[0].message  # says what exists


def test_derivation_off_keeps_only_what_the_note_asks_for():
    note = note_for(SEGMENTATION_NOTE, frontmatter={"flashdeck": {"derive": False}},
                    exercises=["iou-counts"])
    cards, _ = exercises_for_note(note)
    assert ids(cards) == {"iou-counts"}


def test_a_user_block_becomes_a_self_contained_card():
    text = SEGMENTATION_NOTE + "\n```flashdeck-exercise\n" + USER_BLOCK + "```\n"
    fence = text.splitlines().index("```flashdeck-exercise") + 1
    deck_card = ParsedCard(kind="summary", front="What is *F1 Score*?", back="…", line=1,
                           deck="flashcards/ml/metrics", block="summary")
    note = note_for(text, blocks=[ExerciseBlock(fence, USER_BLOCK)], exercises=[],
                    cards=[deck_card])
    cards, problems = exercises_for_note(note)
    assert problems == []
    assert len(cards) == 1  # exercises: [] removed the matches, not the note's own block
    card = cards[0]
    assert (card.kind, card.front, card.back, card.line, card.deck, card.block, card.exercise) \
        == ("exercise", "Dice of the dog mask", USER_BLOCK, fence, "flashcards/ml/metrics",
            "exercise:dog-dice", "dog-dice")
    assert card.breadcrumb == ("Comparing classifiers", "Harmonic Mean")
    # the card alone is enough to review it
    instance = instantiate(template_for_card(card.exercise, card.back), 7)
    n, m = instance.given["N"], instance.given["M"]
    assert instance.steps == [f"Dice = 2·{m} / (2·{m} + {n - m} + 0) = "
                              + instance.steps[0].split(" = ", 2)[2]]
    from fractions import Fraction

    assert Fraction(instance.answer) == Fraction(2 * m, 2 * m + n - m)


def test_a_bad_block_is_a_problem_with_its_line_not_a_crash():
    bad = USER_BLOCK.replace("answer: 2*M / (2*M + N - M)", "answer: 2*M / (2*M + FP)")
    good_fence, bad_fence = 40, 60
    note = note_for(SEGMENTATION_NOTE, blocks=[ExerciseBlock(good_fence, USER_BLOCK),
                                               ExerciseBlock(bad_fence, bad)])
    cards, problems = exercises_for_note(note)
    assert "dog-dice" in ids(cards) and ids(cards) >= EXPECTED_IDS
    assert len(problems) == 1
    answer_line = bad_fence + 1 + bad.splitlines().index("answer: 2*M / (2*M + FP)")
    assert (problems[0].path, problems[0].line) == ("vault/F1 Score.md", answer_line)
    assert "unknown name(s) FP" in problems[0].message
    assert str(problems[0]).startswith(f"vault/F1 Score.md:{answer_line}: ")


@pytest.mark.parametrize("garbage", ["", "just words", "- a list", "title: [unclosed",
                                     "{{{{", "title: x\nvars: 5\n", "\x00\x01"])
def test_any_block_text_gives_problems_not_exceptions(garbage):
    note = note_for("Prose.\n", title="Other", aliases=[], blocks=[ExerciseBlock(3, garbage)])
    cards, problems = exercises_for_note(note)
    assert cards == []
    assert problems and all(p.line >= 3 for p in problems)


def test_duplicate_block_ids_in_one_note():
    note = note_for("Prose.\n", title="Other", aliases=[],
                    blocks=[ExerciseBlock(3, USER_BLOCK), ExerciseBlock(20, USER_BLOCK)])
    cards, problems = exercises_for_note(note)
    assert len(cards) == 1 and cards[0].line == 3
    assert [(p.line, "used by an earlier block" in p.message) for p in problems] == [(20, True)]


def test_a_block_may_replace_a_built_in_of_the_same_id():
    mine = USER_BLOCK.replace("id: dog-dice", "id: f1-counts")
    note = note_for(SEGMENTATION_NOTE, blocks=[ExerciseBlock(30, mine)])
    cards, _ = exercises_for_note(note)
    f1 = [c for c in cards if c.exercise == "f1-counts"]
    assert len(f1) == 1 and f1[0].back == mine and f1[0].line == 30


def test_through_the_real_note_parser():
    from flashdeck.notes.parser import parse_note

    text = SEGMENTATION_NOTE + "\n```flashdeck-exercise\n" + USER_BLOCK.replace(
        "answer: 2*M / (2*M + N - M)", "answer: 2*M / (2*M + FP)") + "```\n"
    note = parse_note(text, "vault/F1 Score.md")
    cards, problems = exercises_for_note(note)
    assert ids(cards) == EXPECTED_IDS
    assert all(card.deck == "flashcards" for card in cards)
    bad_line = text.splitlines().index("answer: 2*M / (2*M + FP)") + 1
    assert [(p.line, "unknown name(s) FP" in p.message) for p in problems] == [(bad_line, True)]


@pytest.mark.parametrize("heading, template_id, expected", [
    ("F1 Score for Segmentation", "f1-counts", True),
    ("F1 Score/Dice Score vs. IoU", "iou-counts", True),
    ("What is the F1 score?", "f1-counts", True),
    ("Dice", "f1-counts", True),
    ("Why is Dice Loss robust to class imbalance?", "f1-counts", False),
    ("What is the weakness of Dice loss?", "f1-counts", False),
    ("Converting between IoU and Dice", "iou-counts", False),
    ("Using the harmonic mean for rates", "harmonic-mean-speed", False),
    ("The harmonic mean", "harmonic-mean-speed", True),
])
def test_a_heading_matches_only_when_it_is_about_the_topic(heading, template_id, expected):
    from flashdeck.exercises.matching import heading_matches

    assert heading_matches(builtin_template(template_id), heading) is expected
