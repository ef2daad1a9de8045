"""Exercise templates and typed answers are untrusted: nothing a note or a user types can
hang, exhaust memory or crash import, `check`, `show`, `exercise` or the review screen.

Reading answers (currency, units, decimal comma, thousands, scientific notation, a length
cap), bounds in the evaluator (sizes checked before computing, a work budget), YAML alias
protection, the import trial drawing as reviews draw, and sqrt/log/ln/exp/pi/e."""

from __future__ import annotations

import math
import os
import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.notes import write_note
from flashdeck.exercises import ACCEPTED, ExprError, Instance, compile_expr, grade
from flashdeck.exercises.instances import INSTANCE_BUDGET, draw_instance, instantiate
from flashdeck.exercises.expr import MAX_BITS, Budget, BudgetError
from flashdeck.exercises.grading import MAX_TYPED, Reading, read
from flashdeck.exercises.model import ExerciseError
from flashdeck.exercises.template import parse_template, read_template

FIVE_THOUSAND_DIGITS = "9" * 5000


def make(answer: str, unit: str = "", tolerance: float = 0.005) -> Instance:
    value = float(Fraction(answer)) if re.fullmatch(r"-?\d+(/\d+)?", answer) else float(answer)
    return Instance(template_id="t", seed=0, prompt="?", given={}, answer=answer, value=value,
                    steps=["working"], grid=None, tolerance=tolerance, unit=unit)


# -- reading answers ------------------------------------------------------------------------

ANSWERS = [
    # (expected answer, unit, typed, status)
    ("889/100", "$", "$8.89", "right"),
    ("889/100", "$", "8.89 $", "right"),
    ("889/100", "$", "$ 8.89", "right"),
    ("889/100", "", "$8.89", "right"),  # a currency sign is fine even when none is asked
    ("889/100", "", "€8,89", "right"),
    ("15", "mph", "15 mph", "right"),
    ("15", "mph", "15mph", "right"),
    ("15", "mph", "15", "right"),
    ("15", "mph", "15 km", "unreadable"),  # another unit: said, not silently accepted
    ("15", "", "15 pixels", "right"),  # a unit word when the template names none
    ("3/4", "", "75 %", "right"),
    ("3/4", "", "75%", "right"),
    ("3/4", "", "75 percent", "right"),
    ("1829/5000", "", "0,3658", "right"),  # decimal comma
    ("3/8", "", "0,375", "right"),  # a leading 0 group is never thousands
    ("25/2", "", "12,5", "right"),
    ("1234", "", "1,234", "right"),  # comma + exactly three digits: thousands
    ("2469/2", "", "1,234.5", "right"),
    ("2469/2", "", "1.234,5", "right"),
    ("1234", "", "1 234", "right"),
    ("1234", "", "1\u202f234", "right"),  # a narrow no-break space
    ("1234567", "", "1,234,567", "right"),
    ("1234567", "", "1.234.567", "right"),
    ("1/1000", "", "1e-3", "right"),
    ("250", "", "2.5E2", "right"),
    ("2500", "", "2.5×10^3", "right"),
    ("3/4", "", "3/4", "right"),
    ("3/4", "", "600/800", "unsimplified"),
    ("3/4", "", "0.75", "right"),
    ("3/4", "", ".75", "right"),
    ("3/4", "", "−0.75", "wrong"),  # a Unicode minus
    ("1/2", "", "½", "right"),
    ("3/4", "", "1/0", "unreadable"),
    ("3/4", "", "", "unreadable"),
    ("3/4", "", "garbage", "unreadable"),
    ("3/4", "", FIVE_THOUSAND_DIGITS, "unreadable"),
    ("3/4", "", "1,23,4", "unreadable"),
    ("3/4", "", "1e99999", "unreadable"),
    ("3/4", "", "0.75 0.75", "unreadable"),
    ("1.4142135623730951", "", "1.414", "right"),  # an answer computed with sqrt: a float
    ("1.4142135623730951", "", "1.42", "wrong"),
]


@pytest.mark.parametrize("answer, unit, typed, status", ANSWERS,
                         ids=[f"{a[2][:12]!r}->{a[3]}" for a in ANSWERS])
def test_typed_answers_get_the_expected_verdicts(answer, unit, typed, status):
    verdict = grade(make(answer, unit), typed)
    assert verdict.status == status, verdict.message
    assert verdict.suggested == ("good" if verdict.correct else "again")


def test_unreadable_answers_say_why():
    three_quarters = make("3/4")
    assert "divides by zero" in grade(three_quarters, "1/0").message
    long = grade(three_quarters, FIVE_THOUSAND_DIGITS).message
    assert f"at most {MAX_TYPED} characters" in long and "5,000 characters" in long
    assert FIVE_THOUSAND_DIGITS[:200] not in long  # the paste is not echoed back
    assert "No answer given" in grade(three_quarters, "  ").message
    assert ACCEPTED in grade(three_quarters, "garbage").message
    assert "asked in mph" in grade(make("15", "mph"), "15 km").message


def test_an_inexact_answer_is_named_rounded():
    verdict = grade(make("0.6931471805599453"), "0.7")
    assert verdict.status == "wrong"
    assert "≈ 0.6931" in verdict.message


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=150) | st.from_regex(r"[-+$€ ]?[\d,. '_]{0,60}(e-?\d{1,6})?[ %]?",
                                              fullmatch=True))
def test_the_answer_reader_never_raises(typed):
    result = read(typed, "mph")
    assert isinstance(result, (Reading, str))
    verdict = grade(make("3/4"), typed)
    assert verdict.status in ("right", "unsimplified", "wrong", "unreadable")


def test_the_check_command_refuses_a_pasted_huge_number(cli):
    result = cli("exercise", "f1-counts", "--seed", "3", "--check", FIVE_THOUSAND_DIGITS)
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert "at most 100 characters" in result.out
    result = cli("exercise", "f1-counts", "--seed", "3", "--check", "1/0")
    assert result.code == 1 and "divides by zero" in result.out


# -- sqrt, log, ln, exp, pi, e in templates ---------------------------------------------------

def test_a_template_with_sqrt_and_log_grades_within_its_tolerance():
    source = ("title: Entropy\nvars:\n  p: 0.1..0.9\nprompt: p = {p}\nanswer: -(p*ln(p) + "
              "(1 - p)*ln(1 - p))\nsteps: 'H = {-(p*ln(p) + (1 - p)*ln(1 - p)):eq}'\n"
              "tolerance: 0.001\n")
    template, problems = parse_template(source, "note.md", 1)
    assert template is not None, problems
    instance = instantiate(template, 5)
    p = instance.given["p"]
    h = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    assert instance.value == pytest.approx(h)
    assert "≈" in instance.steps[0]  # the working shows the rounding
    assert grade(instance, f"{h:.3f}").status == "right"
    assert grade(instance, f"{h + 0.01:.3f}").status == "wrong"


def test_a_domain_error_in_a_template_is_a_problem_with_a_line():
    source = "title: T\nvars:\n  a: -3..3\nprompt: P\nsteps: s\nanswer: sqrt(a)\n"
    template, problems = parse_template(source, "note.md", 10)
    assert template is None
    assert problems[0].line == 15 and "square root of a negative number" in problems[0].message


# -- bounds in the evaluator ------------------------------------------------------------------

def test_a_product_blow_up_is_refused_before_it_is_computed():
    chain = "*".join(["q"] * 60)
    env = {"q": Fraction(2**200 + 1, 3**100)}
    expr = compile_expr(chain)
    budget = Budget(10**9)
    with pytest.raises(ExprError, match="too large"):
        expr.evaluate(env, budget)
    assert budget.used < 1_000  # refused within the chain, not after building the number


def test_sizes_are_checked_for_every_operation():
    big = Fraction(2**4000)
    for text in ("x * x", "x + 1/(x+1)", "x / (1/x)", "x ** 2", "(1/x) ** -2"):
        with pytest.raises(ExprError, match="too large"):
            compile_expr(text).evaluate({"x": big})


def test_the_work_budget_stops_an_evaluation():
    expr = compile_expr("+".join(["x"] * 150))
    with pytest.raises(BudgetError, match="operations of work"):
        expr.evaluate({"x": Fraction(1)}, Budget(100))


LEAVES = st.one_of(
    st.integers(0, 10**6).map(str),
    st.sampled_from(["0.5", "0.001", "x", "y", "pi", "e", "1e300", "1e-300", "(0 - 3)"]),
)


def _node(children):
    shapes = st.sampled_from(["-{}", "sqrt({})", "ln({})", "exp({})", "abs({})", "log({})", "({})"])
    unary = st.tuples(shapes, children).map(lambda t: t[0].format(t[1]))
    binary = st.tuples(children, st.sampled_from([" + ", " - ", " * ", " / ", " ** "]), children)
    power = st.tuples(children, st.integers(-70, 70)).map(lambda t: f"({t[0]}) ** {t[1]}")
    call = st.tuples(st.sampled_from(["min", "max", "log"]), children, children).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]})")
    return unary | binary.map("".join) | power | call


EXPRESSIONS = st.recursive(LEAVES, _node, max_leaves=40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**6),
       st.fractions(min_value=-10, max_value=10, max_denominator=100))
def test_expressions_in_the_grammar_stay_within_their_bounds(text, x, y):
    try:
        expr = compile_expr(text)
    except ExprError:
        return  # longer than MAX_LENGTH: refused with a message
    budget = Budget(INSTANCE_BUDGET)
    try:
        value = expr.evaluate({"x": x, "y": y}, budget)
    except (ExprError, ZeroDivisionError):
        return
    assert budget.used <= INSTANCE_BUDGET
    if isinstance(value, Fraction):
        assert value.numerator.bit_length() <= MAX_BITS
        assert value.denominator.bit_length() <= MAX_BITS
    else:
        assert isinstance(value, float) and math.isfinite(value)


TEMPLATE_PARTS = st.fixed_dictionaries({
    "low": st.integers(-5, 5), "span": st.integers(0, 50),
    "let": EXPRESSIONS, "answer": EXPRESSIONS,
    "where": st.sampled_from(["", "a > 0", "a != 3", "d != 0", "a > 1000", "d >= 0"]),
})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEMPLATE_PARTS)
def test_random_templates_never_raise_and_never_exceed_the_budget(parts):
    let = re.sub(r"\by\b", "b", re.sub(r"\bx\b", "a", parts["let"]))
    answer = re.sub(r"\by\b", "a", re.sub(r"\bx\b", "d", parts["answer"]))
    source = (f"title: Random\nvars:\n  a: {parts['low']}..{parts['low'] + parts['span']}\n"
              f"  b: [1, 2.5, 7]\nlet:\n  d: '{let}'\n"
              + (f"where: '{parts['where']}'\n" if parts["where"] else "")
              + f"prompt: 'a = {{a}}, d = {{d}}'\nanswer: '{answer}'\n"
              "steps: ['{answer:eq}', '{d:dec}']\n")
    template, problems = parse_template(source, "fuzz.md", 1)
    if template is None:
        assert problems and all(re.match(r"\S", p.message) for p in problems)
        return
    for seed in range(5):
        budget = Budget(INSTANCE_BUDGET)
        try:
            instance = draw_instance(template, seed, budget)
        except ExerciseError:
            continue
        assert budget.used <= INSTANCE_BUDGET
        assert math.isfinite(instance.value)
        grade(instance, instance.answer)


# -- hostile templates: refused with path:line, the rest of the vault imports ------------------

BLOCK = "```flashdeck-exercise\n{}```\n"
BASE = "title: {title}\nvars:\n  q: 2..9\nprompt: q = {{q}}\nsteps: [working]\n"


def _note(title: str, template: str) -> str:
    return f"---\ntags: [flashcards]\n---\n# {title}\n\nQ {title}::A\n\n" + BLOCK.format(template)


def _hostile() -> dict[str, str]:
    lets = "let:\n" + "".join(
        f"  a{i}: {'*'.join([f'a{i - 1}' if i else 'q'] * 40)}\n" for i in range(10))
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    variants = "where: q > 100\nvariants:\n" + "".join(
        f"  - {{name: v{i}, weight: 1}}\n" for i in range(2000))  # about 35 KB
    return {
        "product.md": _note("Product", BASE.format(title="Product") + lets + "answer: a9\n"),
        "power.md": _note("Power", BASE.format(title="Power") + "answer: (10**64)**5\n"),
        "float.md": _note("Float", BASE.format(title="Float") + "answer: exp(q*100)\n"),
        "bomb.md": _note("Bomb", BASE.format(title="Bomb") + bomb + "answer: q\n"),
        "self alias.md": _note("Self", BASE.format(title="Self") + "loop: &l [*l]\nanswer: q\n"),
        "merge.md": _note("Merge", BASE.format(title="Merge") + "m: &m {<<: *m}\nanswer: q\n"),
        "huge int.md": _note("Int", BASE.format(title="Int") + f"x: {'9' * 5000}\nanswer: q\n"),
        "variants.md": _note("Variants", BASE.format(title="Variants") + "answer: q\n" + variants),
    }


@pytest.fixture
def hostile_vault(tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "good.md", _note("Good", BASE.format(title="Good") + "answer: q / 2\n"))
    for name, text in _hostile().items():
        write_note(vault, name, text)
    return vault


def _block_lines(vault) -> dict[str, range]:
    spans = {}
    for path in vault.iterdir():
        lines = path.read_text(encoding="utf-8").splitlines()
        start = lines.index("```flashdeck-exercise") + 1
        end = lines.index("```", start) + 1
        spans[path.name] = range(start, end + 1)
    return spans


def test_check_names_every_hostile_template_with_its_line(cli, hostile_vault):
    assert len((hostile_vault / "variants.md").read_text()) > 35_000
    result = cli("check", hostile_vault)
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    spans = _block_lines(hostile_vault)
    errors = [line for line in result.err.splitlines() if ": warning: " not in line]
    named = {}
    for line in errors:
        match = re.match(r"^(.+):(\d+): (\S.*)$", line)
        assert match, line
        name = os.path.basename(match[1])
        assert int(match[2]) in spans[name], line
        named[name] = match[3]
    assert set(named) == set(_hostile())
    assert "too large" in named["product.md"] and "too large" in named["power.md"]
    assert "too large" in named["float.md"]
    assert "expanded" in named["bomb.md"] and "its own anchor" in named["self alias.md"]
    assert "at most 100" in named["variants.md"]


def test_import_takes_everything_else(cli, hostile_vault, tmp_path):
    collection = tmp_path / "c.sqlite"
    result = cli("--collection", collection, "import", hostile_vault, "--json")
    assert result.code == 1
    assert {os.path.basename(e["path"]) for e in result.json["errors"]} == set(_hostile())
    cards = cli("--collection", collection, "list", "--json").json
    exercises = [c for c in cards if c["kind"] == "exercise"]
    assert [c["front"] for c in exercises] == ["Good"]
    assert {c["front"] for c in cards} >= {f"Q {t}" for t in ("Good", "Product", "Bomb", "Self")}
    shown = cli("--collection", collection, "show", str(exercises[0]["id"]), "--answer")
    assert shown.code == 0 and "q =" in shown.out


# -- the import trial draws as reviews draw ------------------------------------------------------

SOMETIMES = """\
title: Sometimes
variants:
  - name: one
  - name: two
vars:
  a: 0..9
prompt: a = {a}
steps: [working]
answer: 1 / (a - 1)
"""


def test_a_template_that_fails_on_some_seeds_is_refused():
    # Drawn with each variant forced (the old trial) seeds 0-2 give a = 6, 2, 0 and pass;
    # drawn as a review draws (the variant chosen first), seed 1 gives a = 1.
    from flashdeck.exercises.instances import instantiate_variant

    template, _ = read_template(SOMETIMES, "note.md", 1, default_id=None, trial=False)
    for index in range(2):
        for seed in range(3):
            instantiate_variant(template, seed, index)
    with pytest.raises(ExerciseError, match="division by zero"):
        draw_instance(template, 1)
    template, problems = parse_template(SOMETIMES, "note.md", 1)
    assert template is None
    assert "division by zero in `1 / (a - 1)`" in problems[0].message


def test_a_failing_draw_at_review_time_is_redrawn():
    source = SOMETIMES.replace("0..9", "0..999").replace("(a - 1)", "(a - 17)")
    template, _ = read_template(source, "note.md", 1, default_id=None, trial=False)
    failing = next(seed for seed in range(100_000)
                   if _fails(lambda: draw_instance(template, seed)))
    instance = instantiate(template, failing)
    assert instance.seed != failing and instance.given["a"] != 17
    assert instantiate(template, failing) == instance  # still reproducible


def _fails(call) -> bool:
    try:
        call()
    except ExerciseError:
        return True
    return False


def test_the_trial_has_a_total_budget():
    heavy = "let:\n" + "".join(f"  l{i}: {' + '.join(['q'] * 30)}\n" for i in range(80))
    source = BASE.format(title="Heavy") + heavy + "answer: l79\n"
    template, problems = parse_template(source, "note.md", 1)
    assert template is None
    assert "takes too much work" in problems[0].message


def test_an_impossible_where_with_many_variants_is_refused_quickly():
    variants = "variants:\n" + "".join(f"  - name: v{i}\n    where: q > {100 + i}\n"
                                       for i in range(90))
    source = BASE.format(title="Never") + "answer: q\n" + variants
    template, problems = parse_template(source, "note.md", 1)
    assert template is None
    assert "no draw satisfied" in problems[0].message


# -- the review screen survives the paste ---------------------------------------------------------

def test_the_review_screen_survives_a_5000_digit_paste(tmp_path, monkeypatch):
    from textual import events

    from support.tui import (NOW_ISO, SIZE, app_for, make_collection, run_async,
                                  screen_text, standard_cards)

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    cards = [c for c in standard_cards() if c.kind == "exercise"]
    path = make_collection(tmp_path / "c.sqlite", cards)

    @run_async
    async def scenario():
        app = app_for(path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            answer = app.screen.query_one("#answer")
            answer.post_message(events.Paste(FIVE_THOUSAND_DIGITS))
            await pilot.pause()
            answer.value = FIVE_THOUSAND_DIGITS  # whatever the box kept of the paste
            await pilot.press("enter")
            await pilot.pause()
            assert type(app.screen).__name__ == "ReviewScreen"
            assert "at most 100 characters" in screen_text(app)
            answer.value = ""
            await pilot.press(*"3/4", "enter")
            await pilot.pause()
            assert "✓ Right" in screen_text(app)

    scenario()
