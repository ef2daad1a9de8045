"""The subjects a student of these metrics keeps notes on, and what each note gets.

- Matching is tight: a note titled, aliased or headed "Confusion Matrix", "Specificity",
  "ROC AUC", "Tversky Index"... gets that subject's exercises; a heading that only mentions
  a topic in passing ("Why does Dice loss cope better with class imbalance?") gets none.
- Templates written in notes are first-class: `flashdeck exercise` lists and runs them.
- The waiting copies of a shared exercise are never counted as new (stats, due, deck list).
"""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pytest

from support.notes import write_note
from flashdeck.exercises import builtin_templates, exercises_for_note
from flashdeck.notes.model import Heading, ParsedNote

ROOT = Path(__file__).resolve().parents[2]


def note(title: str, aliases=(), headings=(), text: str = "") -> ParsedNote:
    found = [Heading(2, h, number) for number, h in enumerate(headings, 3)]
    if text:
        found = [Heading(len(m[1]), m[2], number)
                 for number, line in enumerate(text.splitlines(), 1)
                 if (m := re.match(r"(#{1,6})\s+(.+?)\s*$", line))]
    return ParsedNote(path=f"vault/{title}.md", title=title, frontmatter={},
                      aliases=list(aliases), tags=["flashcards"], tagged=True, cards=[],
                      headings=found, exercise_blocks=[], exercises=None)


def ids(parsed: ParsedNote) -> set[str]:
    cards, problems = exercises_for_note(parsed)
    assert problems == []
    return {card.exercise for card in cards}


DICE = {"f1-counts", "segmentation-story", "mask-grid"}

# (title, aliases, headings) -> exactly the exercises the note gets
TABLE = [
    # each subject by its title
    ("Confusion Matrix", (), (), {"confusion-matrix", "accuracy"}),
    ("Specificity", (), (), {"specificity"}),
    ("Sensitivity", (), (), {"sensitivity", "recall"}),  # sensitivity is recall
    ("Sensitivity and Specificity", (), (), {"sensitivity", "specificity"}),
    ("True Negative Rate", (), (), {"specificity"}),
    ("False Positive Rate", (), (), {"false-positive-rate"}),
    ("Negative Predictive Value", (), (), {"npv"}),
    ("Accuracy", (), (), {"accuracy"}),
    ("Balanced Accuracy", (), (), {"balanced-accuracy"}),
    ("ROC", (), (), {"roc-point"}),
    ("ROC AUC", (), (), {"roc-point"}),
    ("Receiver Operating Characteristic", (), (), {"roc-point"}),
    ("Tversky Index", (), (), {"tversky-index"}),
    ("Cross Entropy", (), (), {"cross-entropy"}),
    ("Softmax", (), (), {"softmax"}),
    # ... by an alias
    ("Metrics 2", ("TNR",), (), {"specificity"}),
    ("Loss zoo", ("Tversky Loss",), (), {"tversky-index"}),
    ("Classifier curves", ("AUROC",), (), {"roc-point"}),
    # ... by a heading that is about the subject
    ("Classification metrics", (), ("Confusion matrix", "Specificity", "The ROC curve",
                                    "What is the Tversky index?"),
     {"confusion-matrix", "accuracy", "specificity", "roc-point", "tversky-index"}),
    ("Losses", (), ("Dice loss",), DICE),
    ("Losses", (), ("How do you compute the Tversky index?",), {"tversky-index"}),
    ("Screening", (), ("Specificity and sensitivity",), {"specificity", "sensitivity"}),
    ("Overlap", (), ("Dice Score vs. IoU",), DICE | {"iou-counts", "dice-to-iou", "iou-to-dice"}),
    # a heading that only mentions a topic gets nothing from it
    ("Losses", (), ("Why does Dice loss cope better with class imbalance?",), set()),
    ("Losses", (), ("What is the weakness of Dice loss?",), set()),
    ("Losses", (), ("Comparison with Dice loss",), set()),
    ("Losses", (), ("Why use cross entropy with softmax?",), set()),
    ("Overlap", (), ("Converting between IoU and Dice",), set()),
    # everyday words are not the metric
    ("Notes", (), ("Dice games", "Sensitivity analysis", "Accuracy of floating point",
                   "Specific heat", "Rock climbing", "Market segmentation"), set()),
    ("Sensitivity analysis", (), (), set()),
    ("Floating point precision", (), (), set()),
]


@pytest.mark.parametrize("title, aliases, headings, expected", TABLE,
                         ids=[f"{t}|{'/'.join(a)}|{'/'.join(h)}" for t, a, h, _ in TABLE])
def test_which_notes_get_which_exercises(title, aliases, headings, expected):
    assert ids(note(title, aliases, headings)) == expected


def test_the_dice_heading_that_mentions_dice_brings_no_dice_exercises():
    """The bug: one question heading pulled in every Dice exercise."""
    text = "# Losses\n### Why does Dice loss cope better with class imbalance?\n"
    assert ids(note("Training notes", text=text)) == set()


def test_every_new_subject_has_a_template():
    shipped = {t.id for t in builtin_templates()}
    assert {"accuracy", "balanced-accuracy", "sensitivity", "specificity", "false-positive-rate",
            "npv", "confusion-matrix", "roc-point", "tversky-index", "cross-entropy",
            "softmax"} <= shipped


# A note in the user's style (a metrics note with aliases, a segmentation story, a question
# heading about losses, a comparison, and a harmonic-mean section), written for this test.
F1_STYLE_NOTE = dedent(
    """\
    ---
    tags: [flashcards]
    aliases: [F1 Measure, Dice Loss, ]
    summary: one number for a classifier, the harmonic mean of its precision and recall
    ---

    $$F_1 = \\frac{2 \\cdot P \\cdot R}{P + R} = \\frac{2 T P}{2 T P + F P + F N}$$

    > [!NOTE] On masks the F1 score is called the Dice score

    ### F1 Score for Segmentation
    A picture of a bird: 800 pixels, 200 of them bird.
    - Everything predicted as bird: $\\frac{2*200}{2*200 + 600 + 0} = \\frac{400}{1000}$

    ### Why does Dice Loss cope with rare classes better than cross entropy loss?
    Cross entropy sums over every pixel; Dice only over the object.

    # F1 Score/Dice Score vs. IoU
    They order models the same way.

    # Comparing two datasets
    ## Harmonic Mean
    Riding to work at 15 km/h and back at 30 km/h averages 20 km/h, not 22.5.
    """
)


def test_a_note_in_the_users_style():
    parsed = note("F1 Score", aliases=["F1 Measure", "Dice Loss", ""], text=F1_STYLE_NOTE)
    assert ids(parsed) == {"f1-counts", "f1-from-precision-recall", "segmentation-story",
                           "mask-grid", "iou-counts", "dice-to-iou", "iou-to-dice",
                           "harmonic-mean-speed", "harmonic-mean-price"}
    cards, _ = exercises_for_note(parsed)
    lines = F1_STYLE_NOTE.splitlines()
    by_id = {card.exercise: card for card in cards}
    assert by_id["iou-counts"].line == lines.index("# F1 Score/Dice Score vs. IoU") + 1
    assert by_id["harmonic-mean-speed"].line == lines.index("## Harmonic Mean") + 1
    # cross entropy is named only in a question about Dice loss: no cross-entropy exercise
    assert "cross-entropy" not in by_id


BUNDLED = {
    "Confusion Matrix.md": {"accuracy", "confusion-matrix"},
    "Cross Entropy vs Dice Loss.md": {"cross-entropy"} | DICE,  # the title names both
    "Dice Coefficient.md": DICE | {"f1-from-precision-recall"},  # alias "F1 Score for masks"
    "Harmonic Mean.md": {"harmonic-mean-speed", "harmonic-mean-price",
                         "f1-from-precision-recall"},
    "Intersection over Union.md": {"iou-counts", "dice-to-iou", "iou-to-dice", "mask-grid"},
    "Precision and Recall.md": {"precision", "recall", "f1-from-precision-recall",
                                "sensitivity"},  # alias Sensitivity
}


def test_the_bundled_deck(cli):
    result = cli("check", ROOT / "cards", "--json")
    assert result.code == 0, result.err
    got = {Path(n["path"]).name: {c["front"] for c in n["cards"] if c["kind"] == "exercise"}
           for n in result.json["notes"]}
    titles = {t.id: t.title for t in builtin_templates()}
    assert set(got) == set(BUNDLED)
    for name, expected in BUNDLED.items():
        assert got[name] == {titles[i] for i in expected}, name


# --- templates from notes are first-class -------------------------------------------------

TEMPLATE_NOTE = dedent(
    """\
    ---
    tags: [flashcards]
    ---
    # Tumour masks

    ```flashdeck-exercise
    id: tversky-counts
    title: Tversky index of a tumour mask
    topics: [Tumour Masks]
    vars:
      TP: 10..200
      FP: 0..80
      FN: 0..80
      a: [0.3, 0.7]
    let:
      b: 1 - a
    prompt: |
      TP = {TP}, FP = {FP}, FN = {FN}; α = {a}, β = {b}. What is the Tversky index?
    answer: TP / (TP + a*FP + b*FN)
    steps: |
      TI = TP / (TP + α·FP + β·FN) = {TP} / ({TP} + {a}·{FP} + {b}·{FN}) = {TP / (TP + a*FP + b*FN):work}
    ```
    """
)


@pytest.fixture
def imported(cli, tmp_path, monkeypatch):
    vault = tmp_path / "vault"
    write_note(vault, "Tumour masks.md", TEMPLATE_NOTE)
    collection = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(collection))
    assert cli("import", vault).code == 0
    return vault


def test_note_templates_are_listed_with_the_builtins(cli, imported):
    rows = cli("exercise", "--json").json
    by_id = {row["id"]: row for row in rows}
    assert {t.id for t in builtin_templates()} < set(by_id)
    mine = by_id["tversky-counts"]
    assert mine["title"] == "Tversky index of a tumour mask"
    assert mine["topics"] == ["Tumour Masks"]
    assert mine["note"].endswith("Tumour masks.md")
    table = cli("exercise").out
    assert re.search(r"^tversky-counts +Tversky index of a tumour mask$", table, re.M)
    assert "(1 from your notes)" in table


def test_a_note_template_runs_like_a_builtin(cli, imported):
    result = cli("exercise", "tversky-counts", "--seed", "3", "--json")
    assert result.code == 0, result.err
    data = result.json
    assert (data["id"], data["seed"]) == ("tversky-counts", 3)
    g = data["given"]
    from fractions import Fraction

    a = Fraction(str(g["a"]))
    expected = g["TP"] / (g["TP"] + a * g["FP"] + (1 - a) * g["FN"])
    assert Fraction(data["answer"]) == expected
    assert cli("exercise", "tversky-counts", "--seed", "3", "--json").out == result.out
    assert cli("exercise", "tversky-counts", "--seed", "3", "--check",
               data["answer"]).code == 0
    assert cli("exercise", "tversky-counts", "--seed", "3", "--check", "7").code == 1
    text = cli("exercise", "tversky-counts", "--seed", "3").out
    assert "Answer: " in text and "Working:" in text
    wrong = cli("exercise", "tversky-count")
    assert wrong.code == 2 and "did you mean tversky-counts?" in wrong.err


def test_listing_never_creates_a_collection(cli, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(missing))
    assert cli("exercise", "--json").code == 0
    assert cli("exercise", "no-such-exercise").code == 2
    assert not missing.exists() and not missing.parent.exists()


# --- waiting copies of a shared exercise are not new --------------------------------------

def test_waiting_copies_are_never_counted_as_new(cli, tmp_path, monkeypatch):
    """Two notes about the Tversky index share its exercise: one copy is new, the other
    waits (PRODUCT.md §3); stats, due and the deck list (home screen) agree."""
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import load_config
    from flashdeck.scheduling.decks import deck_counts

    monkeypatch.setenv("FLASHDECK_NOW", "2026-03-02T10:00:00+00:00")
    vault = tmp_path / "vault"
    for name in ("Tversky Index.md", "Tversky Loss.md", "Focal Tversky Loss.md"):
        write_note(vault, name, f"---\ntags: [flashcards]\n---\n{name[:-3]}::a loss\n")
    collection = tmp_path / "c.sqlite"
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(collection))
    assert cli("import", vault).code == 0
    cards = cli("list", "--json").json
    exercises = [c for c in cards if c["kind"] == "exercise"]
    assert len(exercises) == 3 and len(cards) == 6  # three copies of tversky-index

    stats = cli("stats", "--json").json
    assert stats["cards"] == 6
    assert stats["states"]["new"] == 4  # three basic cards and the first copy
    assert stats["waiting_copies"] == 2
    assert stats["due_today"]["new"] == 4
    assert "4 new (+2 waiting copies of shared exercises)" in cli("stats").out

    due = cli("due", "--json").json
    assert due["total"]["new"] == 4
    with Collection.open_readonly(collection) as col:
        rows, total = deck_counts(col, load_config())
    assert total.new == 4 and [c.new for _d, _depth, c in rows] == [4]


# --- the answer box says what kind of answer it wants ---------------------------------------

def test_the_answer_box_placeholder_follows_the_template(tmp_path, monkeypatch):
    from flashdeck.exercises import builtin_template
    from support.tui import NOW_ISO, SIZE, app_for, card, make_collection, run_async

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    speed, counts = builtin_template("harmonic-mean-speed"), builtin_template("f1-counts")
    cards = [card("exercise", speed.title, speed.source, 10, exercise=speed.id),
             card("exercise", counts.title, counts.source, 20, exercise=counts.id)]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    seen = []

    @run_async
    async def review():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#answer")
            seen.append((app.screen.card.exercise, str(box.placeholder)))
            await pilot.press(*"1/2", "enter", "3")  # answer, then grade Good: the next card
            await pilot.pause()
            box = app.screen.query_one("#answer")
            seen.append((app.screen.card.exercise, str(box.placeholder)))

    review()
    hints = dict(seen)
    assert hints["harmonic-mean-speed"] == "your answer in mph"
    assert hints["f1-counts"].startswith("your answer: a fraction (")
    assert "0.75 or 75%" not in hints["harmonic-mean-speed"]


# --- the text helpers behind tidy working --------------------------------------------------

def test_plural_placeholders_and_the_one_rounding_rule():
    from fractions import Fraction

    from flashdeck.exercises import parse_template
    from flashdeck.exercises.text import answer_text, decimal, format_value

    assert format_value(Fraction(1), "plural cat pixel") == "1 cat pixel"
    assert format_value(Fraction(3), "plural cat pixel") == "3 cat pixels"
    assert format_value(Fraction(2), "plural box") == "2 boxes"
    assert format_value(Fraction(0), "plural child/children") == "0 children"
    source = ("title: t\nvars: {n: 1..3}\nprompt: '{n:plural cat}'\nanswer: n\n"
              "steps: '{n:plural}'\n")
    template, problems = parse_template(source, "note.md", 10)
    assert template is None and "plural needs the noun" in problems[0].message
    # exact when 6 places or fewer say it, else 4 places, rounded half away from zero
    assert decimal(Fraction(21, 32)) == "0.65625"
    assert decimal(Fraction(6, 65)) == "0.0923"
    assert decimal(Fraction(13125, 10**7) + Fraction(1, 10**9)) == "0.0013"
    assert decimal(Fraction(65625, 10**5) + Fraction(1, 3 * 10**9)) == "0.6563"  # not 0.6562
    assert decimal(-Fraction(2, 3)) == "-0.6667"
    assert answer_text(Fraction(15)) == "15"
    assert answer_text(Fraction(21, 32)) == "21/32 = 0.65625"
    assert answer_text(Fraction(6, 65)) == "6/65 ≈ 0.0923"
    assert answer_text(0.46203545959655923) == "≈ 0.462"
    assert answer_text(Fraction(15, 4), "$") == "15/4 = $3.75"
    assert answer_text(Fraction(24), "mph") == "24 mph"
