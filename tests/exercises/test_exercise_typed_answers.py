"""Typed answers a real user gives, checked through `flashdeck exercise --check`: a right
answer is never marked wrong and a wrong one never right."""

from __future__ import annotations

import pytest

from support.notes import write_note


def _instance(cli, exercise: str, seed: int) -> dict:
    result = cli("exercise", exercise, "--seed", str(seed), "--json")
    assert result.code == 0, result.err
    return result.json


def _seed_between(cli, exercise: str, low: float, high: float) -> tuple[int, float]:
    for seed in range(200):
        value = float(_instance(cli, exercise, seed)["value"])
        if low <= value < high and abs(value * 1000 - round(value * 1000)) > 1e-6:
            return seed, value
    raise AssertionError(f"no seed of {exercise} gives an answer in [{low}, {high})")


@pytest.mark.parametrize("exercise", ["cross-entropy", "harmonic-mean-speed"])
def test_a_decimal_comma_with_three_places_is_right(cli, exercise):
    # The answer ≈ 2.3026 typed as `2,303` used to be read as 2303 (thousands) and marked
    # wrong — a right answer marked wrong for everyone who writes a decimal comma.
    seed, value = _seed_between(cli, exercise, 1, 1000)
    typed = f"{value:.3f}".replace(".", ",")
    result = cli("exercise", exercise, "--seed", str(seed), "--check", typed)
    assert result.code == 0, result.out
    assert "Right" in result.out and "decimal comma" in result.out


@pytest.mark.parametrize("exercise", ["cross-entropy", "harmonic-mean-speed"])
def test_a_wrong_decimal_comma_answer_stays_wrong(cli, exercise):
    seed, value = _seed_between(cli, exercise, 1, 1000)
    typed = f"{value + 0.25:.3f}".replace(".", ",")
    result = cli("exercise", exercise, "--seed", str(seed), "--check", typed)
    assert result.code == 1
    assert "Not quite" in result.out


def test_thousands_are_still_read_first(cli, tmp_path):
    # a count typed with a thousands comma (`1,234` for 1234) is right by the thousands
    # reading; the same digits as a decimal comma (1.234) are not the answer
    vault = tmp_path / "vault"
    write_note(vault, "pixels.md", "---\ntags: [flashcards]\n---\n# Pixels\n\n"
               "```flashdeck-exercise\ntitle: Count the pixels\nvars:\n  n: 1001..1999\n"
               "prompt: How many pixels are {n}?\nanswer: n\nsteps: ['{n}']\n```\n")
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    base = ("--collection", collection, "exercise", "count-the-pixels", "--seed", "5")
    value = int(cli(*base, "--json").json["value"])
    result = cli(*base, "--check", f"{value:,}")
    assert result.code == 0 and "decimal comma" not in result.out
    assert cli(*base, "--check", f"{value + 1:,}").code == 1


def test_an_unreduced_fraction_of_a_whole_answer_names_it_once(cli):
    # the all-background story's answer is 0: `0/5` used to say "reduces to 0 (0)"
    for seed in range(200):
        if _instance(cli, "segmentation-story", seed)["answer"] == "0":
            break
    else:
        raise AssertionError("no seed draws the all-background story")
    result = cli("exercise", "segmentation-story", "--seed", str(seed), "--check", "0/5")
    assert result.code == 0
    assert "Right, but 0/5 reduces to 0." in result.out
    assert "0 (0)" not in result.out


@pytest.mark.parametrize("tolerance", ["0", "0.00001"])
@pytest.mark.parametrize("answer", ["sqrt(n + 1/2)", "n / 7"])
def test_typing_the_answer_as_shown_is_right_whatever_the_tolerance(cli, tmp_path, tolerance,
                                                                     answer):
    # With `tolerance: 0` (or below the 4 places shown) the answer shown, `≈ 1.8708`, was
    # marked wrong when typed — and for sqrt nothing typed at all could be right.
    vault = tmp_path / "vault"
    write_note(vault, "root.md", "---\ntags: [flashcards]\n---\n# Root\n\n"
               "```flashdeck-exercise\ntitle: Root\nvars:\n  n: 1..9\nprompt: n = {n}\n"
               f"answer: {answer}\ntolerance: {tolerance}\nsteps: ['{{answer:eq}}']\n```\n")
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    base = ("--collection", collection, "exercise", "root", "--seed", "4")
    shown = cli(*base).out
    rounded = next(line for line in shown.splitlines() if line.startswith("Answer:"))
    typed = rounded.split("≈")[1].strip()
    assert len(typed.split(".")[1]) == 4  # shown rounded to 4 places
    assert cli(*base, "--check", typed).code == 0
    value = cli(*base, "--json").json["value"]
    assert cli(*base, "--check", repr(value)).code == 0
    assert cli(*base, "--check", f"{value + 0.0002:.4f}").code == 1


def test_a_miscounted_fraction_is_wrong_not_unreduced(cli):
    # precision = TP / (TP + FP); `TP/(TP + FP - 1)` is a miscount. It is within ±0.005 of
    # the answer, and was marked "Right, but … can be reduced" (it does not reduce to it).
    for seed in range(100):
        given = _instance(cli, "precision", seed)
        tp, fp = given["given"]["TP"], given["given"]["FP"]
        if tp + fp > 150:
            break
    typed = f"{tp}/{tp + fp - 1}"
    result = cli("exercise", "precision", "--seed", str(seed), "--check", typed)
    assert result.code == 1
    assert f"Not quite: you gave {typed}" in result.out
    assert cli("exercise", "precision", "--seed", str(seed), "--check",
               f"{2 * tp}/{2 * (tp + fp)}").code == 0  # the same fraction, unreduced: right


def test_an_answer_smaller_than_the_tolerance_is_not_matched_by_zero(cli):
    # A false positive rate of 1/273 ≈ 0.0037: `0` (and `0.008`, `-0.003`) were "within
    # ±0.005", so right. The answer as shown, and close roundings, still are.
    for seed in range(2000):
        instance = _instance(cli, "false-positive-rate", seed)
        if 0 < instance["value"] < 0.004:
            break
    else:
        raise AssertionError("no seed draws a false positive rate below 0.004")
    value = instance["value"]
    check = ("exercise", "false-positive-rate", "--seed", str(seed), "--check")
    for wrong in ("0", "0.00", "0%", f"{-value:.4f}", f"{2 * value + 0.0001:.4f}"):
        assert cli(*check, wrong).code == 1, wrong
    for right in (f"{value:.4f}", f"{value:.3f}", f"{value * 100:.2f}%", instance["answer"]):
        assert cli(*check, right).code == 0, right


@pytest.mark.parametrize("form", ["{n}/{d}", "{pct}%"])
def test_a_negative_answer_can_be_checked_from_the_command_line(cli, tmp_path, form):
    # `--check -3/4` was refused as a usage error (argparse took it for an option), so a
    # negative fraction or percentage could not be checked at all.
    vault = tmp_path / "vault"
    write_note(vault, "loss.md", "---\ntags: [flashcards]\n---\n# Loss\n\n"
               "```flashdeck-exercise\ntitle: Change\nvars:\n  q: 1..9\n"
               "prompt: It falls by q = {q} quarters.\nanswer: -q / 4\nsteps: ['{answer}']\n```\n")
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    base = ("--collection", collection, "exercise", "change", "--seed", "3")
    value = cli(*base, "--json").json["value"]
    from fractions import Fraction

    exact = Fraction(value).limit_denominator(4)
    typed = form.format(n=exact.numerator, d=exact.denominator, pct=f"{float(exact) * 100:g}")
    assert typed.startswith("-")
    result = cli(*base, "--check", typed)
    assert result.code == 0, result.err
    assert "Right" in result.out
    assert cli(*base, "--check", "-9/2").code == 1  # -q/4 is never -9/2


@pytest.mark.parametrize("form", ["{pct}%.", "{pct} %.", "{dec}.", "≈ {dec}", "= {dec}",
                                  "≈{frac}", "~{dec}"])
def test_an_answer_written_as_in_a_sentence_is_read(cli, form):
    # `75%.` and `0.75.` (a full stop after the number, as at the end of a sentence) and
    # `≈ 0.7847` (copied the way the working writes it) were refused: "Could not read
    # '75%.' as a number", and `0.75.` got a message about thousands separators.
    instance = _instance(cli, "f1-counts", 7)  # 154/421 ≈ 0.3658
    value = float(instance["value"])
    typed = form.format(pct=f"{value * 100:.2f}", dec=f"{value:.4f}", frac=instance["answer"])
    result = cli("exercise", "f1-counts", "--seed", "7", "--check", typed)
    assert result.code == 0, (typed, result.out)
    assert "Right" in result.out
    wrong = form.format(pct=f"{value * 100 + 5:.2f}", dec=f"{value + 0.05:.4f}", frac="1/2")
    result = cli("exercise", "f1-counts", "--seed", "7", "--check", wrong)
    assert result.code == 1 and "Not quite" in result.out, (wrong, result.out)


def test_a_minus_sign_set_apart_is_read(cli, tmp_path):
    # `- 0.75` (a space after the minus) was unreadable; `−0.75` (the Unicode minus) was read
    vault = tmp_path / "vault"
    write_note(vault, "loss.md", "---\ntags: [flashcards]\n---\n# Loss\n\n"
               "```flashdeck-exercise\ntitle: Change\nvars:\n  q: 3..3\n"
               "prompt: It falls by q = {q} quarters.\nanswer: -q / 4\nsteps: ['{answer}']\n```\n")
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    base = ("--collection", collection, "exercise", "change", "--seed", "3", "--check")
    for typed in ("- 0.75", "−0.75", "− 0.75", "- 3/4", "-75 %"):
        result = cli(*base, typed)
        assert result.code == 0 and "Right" in result.out, (typed, result.out)
    assert cli(*base, "- 0.5").code == 1


@pytest.mark.parametrize("unit,typed", [("cm²", "{v} cm²"), ("cm²", "{v}cm²"), ("m³", "{v} m³"),
                                        ("µs", "{v} µs"), ("cm²", "{v} cm2"),
                                        ("cm²", "{v} cm^2"), ("m/s²", "{v} m/s^2")])
def test_an_answer_in_a_unit_with_a_superscript_is_read(cli, tmp_path, unit, typed):
    # `36 cm²` for a template whose unit is `cm²` was "Could not read '36 cm²' as a
    # number": the typed answer was normalised (² to 2) and the unit was not.
    vault = tmp_path / "vault"
    write_note(vault, "area.md", "---\ntags: [flashcards]\n---\n# Area\n\n"
               "```flashdeck-exercise\ntitle: Area\nvars:\n  a: 6..6\n"
               f"prompt: A square of side {{a}}. Its area?\nanswer: a*a\nunit: {unit}\n"
               "steps: ['{a}·{a} = {answer}']\n```\n")
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    base = ("--collection", collection, "exercise", "area", "--check")
    result = cli(*base, typed.format(v=36))
    assert result.code == 0 and "Right" in result.out, result.out
    result = cli(*base, typed.format(v=35))
    assert result.code == 1 and "Not quite" in result.out, result.out


@pytest.mark.parametrize("unit,typed,named", [
    ("cm²", "36 m²", "m²"), ("cm²", "36 mm²", "mm²"), ("cm²", "36 m^2", "m²"),
    ("m", "36 cm", "cm"), ("m/s²", "36 m/s", "m/s")])
def test_an_answer_in_another_unit_is_named_as_that_unit(unit, typed, named):
    # `16 m²` for a template in `cm²` was "Could not read '16 m²' as a number" (a unit with
    # a power was not read as a unit), and `16 cm` for one in `m` was unreadable too (the
    # `m` at its end was taken for the unit, leaving `16 c`)
    from flashdeck.exercises.grading import read

    reading = read(typed, unit)
    assert reading == (f"The answer is asked in {unit}, not {named}: type the number"
                               f" (in {unit}).")


@pytest.mark.parametrize("typed,value", [("5e2", 500), ("16 m2", 16), ("2.5×10^3", 2500),
                                         ("1e-3", 0.001)])
def test_numbers_stay_numbers_beside_units_with_powers(typed, value):
    from flashdeck.exercises.grading import read

    assert float(read(typed).value) == value
