"""User-written templates: the format, its placeholders, and problems that point at a line."""

from fractions import Fraction
from textwrap import dedent

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.exercises import (
    ExerciseError,
    builtin_template,
    builtin_templates,
    draw_grid,
    instantiate,
    parse_template,
    template_for_card,
)

GOOD = dedent(
    """\
    id: tumour-dice
    title: Dice of a tumour segmentation
    topics: [Tumour Segmentation]
    vars:
      M: {min: 100, max: 400, step: 20}
      TP: 0..M
      FP: 0..100
    let:
      FN: M - TP
      den: 2*TP + FP + FN
    where:
      - den > 0
      - TP >= M / 2
    prompt: |
      The tumour covers {M} voxels; the model finds {TP} of them and adds {FP} false ones.
      What is the Dice score?
    answer: 2*TP / den
    tolerance: 0.01
    steps:
      - Dice = 2·TP / (2·TP + FP + FN)
      - FN = {M} − {TP} = {FN}
      - Dice = 2·{TP} / ({den}) = {2*TP / den:work}
      - "as a percentage: {answer:.1%}, to three places: {answer:.3f}, exactly {answer:frac}"
      - "{{literal braces}} stay"
    """
)


def parse_ok(source: str, **kw):
    template, problems = parse_template(source, "note.md", **kw)
    assert template is not None, problems
    assert problems == []
    return template


def parse_bad(source: str, line: int = 1):
    template, problems = parse_template(source, "note.md", line)
    assert template is None
    assert problems, "a bad template must say what is wrong"
    return problems


def test_a_user_template_reads_and_instantiates():
    template = parse_ok(GOOD)
    assert (template.id, template.title, template.topics) == (
        "tumour-dice", "Dice of a tumour segmentation", ("Tumour Segmentation",))
    assert template.tolerance == 0.01
    for seed in range(100):
        instance = instantiate(template, seed)
        g = instance.given
        assert set(g) == {"M", "TP", "FP"}
        assert g["M"] % 20 == 0 and 100 <= g["M"] <= 400
        assert g["TP"] >= g["M"] / 2  # the where: condition holds
        fn = g["M"] - g["TP"]
        assert Fraction(instance.answer) == Fraction(2 * g["TP"], 2 * g["TP"] + g["FP"] + fn)
        assert f"FN = {g['M']} − {g['TP']} = {fn}" in instance.steps
        assert instance.steps[-1] == "{literal braces} stay"
    assert instantiate(template, 5) == instantiate(template, 5)


def test_format_specs_in_steps():
    template = parse_ok(GOOD)
    instance = next(i for i in (instantiate(template, s) for s in range(200))
                    if i.answer == "3/4" or Fraction(i.answer).denominator > 1)
    value = Fraction(instance.answer)
    assert (f"as a percentage: {float(value):.1%}, to three places: {float(value):.3f}, "
            f"exactly {instance.answer}") in instance.steps


def test_decimal_ranges_infer_places_and_choices_can_be_words():
    template = parse_ok(dedent(
        """\
        title: Precision from a rate
        vars:
          p: 0.05..0.95
          thing: [photos, emails]
        prompt: A filter flags {thing} with precision {p}. What share of flagged {thing} are wrong?
        answer: 1 - p
        steps: 1 − {p} = {1 - p}
        """))
    assert template.id == "precision-from-a-rate"  # derived from the title when not given
    for seed in range(50):
        instance = instantiate(template, seed)
        p = Fraction(str(instance.given["p"]))
        assert (p * 100).denominator == 1 and Fraction(5, 100) <= p <= Fraction(95, 100)
        assert instance.given["thing"] in ("photos", "emails")
        assert instance.given["thing"] in instance.prompt


def test_derived_values_are_guarded_by_earlier_conditions():
    # `where: a != b` is checked as soon as a and b are drawn, before q divides by a - b
    template = parse_ok(dedent(
        """\
        title: Guarded
        vars: {a: 1..3, b: 1..3}
        where: a != b
        let: {q: 1 / (a - b)}
        prompt: a = {a}, b = {b}
        answer: q
        steps: q = {q:frac}
        """))
    for seed in range(100):
        instance = instantiate(template, seed)
        assert instance.given["a"] != instance.given["b"]


def test_a_stated_convention_settles_zero_over_zero():
    template = parse_ok(dedent(
        """\
        title: Empty masks
        vars: {TP: 0, FP: 0, FN: 0}
        zero_division:
          value: 1
          convention: we define Dice = 1 when there is nothing to find and nothing predicted
        prompt: Nothing to find, nothing predicted.
        answer: 2*TP / (2*TP + FP + FN)
        steps: Dice = {2*TP / (2*TP + FP + FN):work}
        """))
    instance = instantiate(template, 0)
    assert instance.answer == "1"
    assert instance.steps == [
        "Dice = 0/0, which is undefined",
        "Convention: we define Dice = 1 when there is nothing to find and nothing predicted",
    ]


def test_template_for_card_rebuilds_from_the_stored_source():
    for template in builtin_templates():
        rebuilt = template_for_card(template.id, template.source)
        assert rebuilt.id == template.id
        assert instantiate(rebuilt, 99) == instantiate(template, 99)
    # a user block without an id takes the card's exercise id
    rebuilt = template_for_card("my-own", GOOD.replace("id: tumour-dice\n", ""))
    assert rebuilt.id == "my-own"
    assert instantiate(rebuilt, 3).template_id == "my-own"


def test_template_for_card_falls_back_to_the_built_in_then_fails_clearly():
    assert template_for_card("f1-counts", "not: [valid") == builtin_template("f1-counts")
    with pytest.raises(ExerciseError, match="exercise 'nobody'"):
        template_for_card("nobody", "title: [unclosed")


# --- problems, each with the line of the offending key ---------------------------------

BAD_CASES = [
    # (description, source, expected line within the source, words in the message)
    ("unknown name in answer",
     "title: T\nvars: {a: 1..5}\nprompt: P\nsteps: s\nanswer: a + b\n", 5, "unknown name(s) b"),
    ("attribute access in a let",
     "title: T\nvars:\n  a: 1..5\nlet:\n  x: a.real\nprompt: P\nsteps: s\nanswer: x\n", 5,
     "attribute access"),
    ("a call that is not min/max/abs",
     "title: T\nvars: {a: 1..5}\nprompt: P\nsteps: s\nanswer: __import__('os')\n", 5,
     "calling __import__"),
    ("bad range",
     "title: T\nvars:\n  a: 1..5\n  b: lots\nprompt: P\nsteps: s\nanswer: a\n", 4, "not a range"),
    ("never satisfiable",
     "title: T\nvars: {a: 1..5}\nwhere: a > 10\nprompt: P\nsteps: s\nanswer: a\n", 3,
     "no draw satisfied a > 10"),
    ("division by zero without a convention",
     "title: T\nvars: {a: 0..3}\nprompt: P\nsteps: s\nanswer: 1 / a\n", 5,
     "division by zero in `1 / a`"),
    ("placeholder with an unknown name",
     "title: T\nvars: {a: 1..5}\nprompt: P {b}\nsteps: s\nanswer: a\n", 3, "unknown name(s) b"),
    ("stray brace",
     "title: T\nvars: {a: 1..5}\nprompt: P\nsteps:\n  - ok\n  - 'x {a'\nanswer: a\n", 6,
     "never closed"),
    ("missing title",
     "vars: {a: 1..5}\nprompt: P\nsteps: s\nanswer: a\n", 1, "title: missing"),
    ("missing answer",
     "title: T\nvars: {a: 1..5}\nprompt: P\nsteps: s\n", 1, "answer: missing"),
    ("not YAML",
     "title: T\nvars: {a: 1..5\nprompt: P\n", 3, "not valid YAML"),
    ("not a mapping", "- a\n- b\n", 1, "YAML mapping"),
    ("comparison outside where",
     "title: T\nvars: {a: 1..5}\nprompt: P\nsteps: s\nanswer: a > 1\n", 5, "only allowed in where"),
    ("reserved name",
     "title: T\nvars:\n  answer: 1..5\nprompt: P\nsteps: s\nanswer: 1\n", 3, "reserved"),
    ("bad format spec",
     "title: T\nvars: {a: 1..5}\nprompt: P\nsteps: '{a:zz}'\nanswer: a\n", 4, "unknown format"),
    ("work needs a division",
     "title: T\nvars: {a: 1..5}\nprompt: P\nsteps: '{a:work}'\nanswer: a\n", 4, "needs a division"),
]


@pytest.mark.parametrize("name, source, line, says", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_templates_give_a_problem_with_a_line(name, source, line, says):
    problems = parse_bad(source, line=10)  # the source starts on line 10 of its note
    first = next(p for p in problems if p.severity == "error")
    assert first.path == "note.md"
    assert first.line == 10 + line - 1, str(first)
    assert says in first.message, str(first)


def test_unknown_keys_are_warned_about_not_fatal():
    template, problems = parse_template(GOOD + "tolerence: 0.1\n", "note.md", 20)
    assert template is not None
    assert [(p.severity, p.line) for p in problems] == [("warning", 20 + GOOD.count("\n"))]
    assert "unknown key 'tolerence'" in problems[0].message


def test_instantiate_reports_an_impossible_template_clearly():
    # parse_template catches this at import time; instantiate says the same if called anyway
    from flashdeck.exercises.template import read_template

    template, _ = read_template("title: T\nvars: {a: 1..5}\nwhere: a > 10\nprompt: P\n"
                                "steps: s\nanswer: a\n", "x.md", 1, default_id=None, trial=False)
    with pytest.raises(ExerciseError, match="no draw satisfied a > 10 in 1000 tries"):
        instantiate(template, 0)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.integers(1, 8), cols=st.integers(1, 8),
    data=st.data(), seed=st.integers(0, 2**32),
)
def test_drawn_grids_have_exactly_the_requested_counts(rows, cols, data, seed):
    import random

    truth = data.draw(st.integers(0, rows * cols))
    overlap = data.draw(st.integers(0, truth))
    predicted = overlap + data.draw(st.integers(0, rows * cols - truth))
    grid = draw_grid(random.Random(seed), rows, cols, truth, predicted, overlap)
    counts = grid.counts()
    assert (grid.rows, grid.cols) == (rows, cols)
    assert counts["TP"] == overlap
    assert counts["FP"] == predicted - overlap
    assert counts["FN"] == truth - overlap
    assert sum(counts.values()) == rows * cols


def test_integer_format_on_a_fraction_is_a_problem_not_a_crash():
    problems = parse_bad("title: T\nvars: {a: 1..5}\nprompt: P\nsteps: '{a / 7:d}'\nanswer: a\n")
    assert "cannot show" in problems[0].message and "format 'd'" in problems[0].message


def test_huge_powers_are_refused():
    problems = parse_bad("title: T\nvars: {a: 10..20}\nprompt: P\nsteps: s\n"
                         "answer: ((a**64)**64)**64\n")
    assert "too large" in problems[0].message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parse_template_never_raises_on_any_text(source):
    template, problems = parse_template(source, "fuzz.md", 7)
    if template is None:
        assert problems and all(p.line >= 7 for p in problems)


KEYS = st.sampled_from(["title", "vars", "let", "where", "prompt", "steps", "answer",
                        "tolerance", "zero_division", "grid", "variants", "given", "traps"])
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
              st.sampled_from(["a", "1..5", "a / 0", "{a}", "a.b", "0..a", "x {", "2*a"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["a", "b", "min", "max", "value", "convention", "name", "rows"]),
        inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_parse_template_never_raises_on_any_structure(data):
    import yaml

    source = yaml.safe_dump(data, allow_unicode=True)
    template, problems = parse_template(source, "fuzz.md", 1)
    assert template is not None or problems


def test_the_format_guide_example_is_a_valid_template():
    import re
    from pathlib import Path

    import flashdeck.exercises

    guide = Path(flashdeck.exercises.__file__).with_name("FORMAT.md").read_text(encoding="utf-8")
    block = re.search(r"```flashdeck-exercise\n(.*?)```", guide, re.S)[1]
    template = parse_ok(block)
    instance = instantiate(template, 1)
    g = instance.given
    fn = g["M"] - g["TP"]
    assert Fraction(instance.answer) == Fraction(2 * g["TP"], 2 * g["TP"] + g["FP"] + fn)
