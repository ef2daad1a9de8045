"""`flashdeck exercise`: list, show, check — as a user at the terminal sees it."""

import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from flashdeck.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["exercise", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_lists_the_templates_as_json(capsys):
    code, out, _ = run(capsys, "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 8
    assert all(set(row) == {"id", "title", "topics"} for row in rows)
    by_id = {row["id"]: row for row in rows}
    assert "Harmonic Mean" in by_id["harmonic-mean-speed"]["topics"]
    assert by_id["f1-counts"]["title"] == "Compute the Dice (F1) score from TP, FP and FN"


def test_lists_the_templates_as_a_table(capsys):
    code, out, _ = run(capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "TITLE"]
    for template_id in ("precision", "recall", "f1-counts", "iou-counts", "mask-grid",
                        "segmentation-story", "harmonic-mean-speed", "fbeta"):
        assert any(line.startswith(template_id + " ") for line in lines), template_id
    assert re.search(r"^\d+ exercises\. Try: flashdeck exercise f1-counts$", out, re.M)


def test_prints_an_instance_as_json_reproducibly(capsys):
    code, out, _ = run(capsys, "f1-counts", "--seed", "5", "--json")
    assert code == 0
    data = json.loads(out)
    assert {"id", "seed", "prompt", "given", "answer", "value", "steps"} <= set(data)
    assert (data["id"], data["seed"]) == ("f1-counts", 5)
    g = data["given"]
    expected = Fraction(2 * g["TP"], 2 * g["TP"] + g["FP"] + g["FN"])
    assert Fraction(data["answer"]) == expected and data["value"] == pytest.approx(float(expected))
    assert data["steps"][0] == "Dice = F1 = 2·TP / (2·TP + FP + FN)"
    _, again, _ = run(capsys, "f1-counts", "--seed", "5", "--json")
    assert again == out


def test_prints_an_instance_as_text(capsys):
    code, out, _ = run(capsys, "mask-grid", "--seed", "3")
    assert code == 0
    data_code, data, _ = run(capsys, "mask-grid", "--seed", "3", "--json")
    data = json.loads(data)
    assert out.startswith(data["title"] + "\n(seed 3)\n")
    assert data["prompt"] in out
    for line in data["grid"]:
        assert line in out  # the grid and its legend
    assert "■ TP  object, predicted as object" in out
    assert "Working:\n" in out
    for step in data["steps"]:
        assert f"  {step}" in out
    assert f"\nAnswer: {data['answer']}" in out


def test_without_a_seed_one_is_drawn_and_printed(capsys):
    code, out, _ = run(capsys, "harmonic-mean-speed")
    assert code == 0
    match = re.search(r"\(seed (\d+); again with: flashdeck exercise harmonic-mean-speed "
                      r"--seed (\d+)\)", out)
    assert match and match[1] == match[2]
    _, again, _ = run(capsys, "harmonic-mean-speed", "--seed", match[1])
    # same numbers: everything after the seed line is identical
    assert again.split("\n", 2)[2] == out.split("\n", 2)[2]


def answer_for(capsys, template_id: str, seed: int) -> dict:
    _, out, _ = run(capsys, template_id, "--seed", str(seed), "--json")
    return json.loads(out)


def test_check_right_exits_0(capsys):
    data = answer_for(capsys, "iou-counts", 8)
    code, out, _ = run(capsys, "iou-counts", "--seed", "8", "--check", data["answer"])
    assert code == 0
    assert "\nRight: " in out and "Working:" in out
    code, out, _ = run(capsys, "iou-counts", "--seed", "8", "--check", f"{data['value']:.3f}")
    assert code == 0


def test_check_unsimplified_still_exits_0(capsys):
    data = answer_for(capsys, "segmentation-story", 4)
    value = Fraction(data["answer"])
    typed = f"{value.numerator * 10}/{value.denominator * 10}"
    code, out, _ = run(capsys, "segmentation-story", "--seed", "4", "--check", typed, "--json")
    assert code == 0
    verdict = json.loads(out)["verdict"]
    assert verdict["status"] == "unsimplified" and verdict["suggested"] == "good"
    assert f"reduces to {data['answer']}" in verdict["message"]


def test_check_wrong_or_unreadable_exits_1(capsys):
    data = answer_for(capsys, "precision", 2)
    wrong = str(data["value"] + 0.2)
    code, out, _ = run(capsys, "precision", "--seed", "2", "--check", wrong)
    assert code == 1
    assert f"Not quite: you gave {wrong}; the answer is {data['answer']}" in out
    assert "Working:" in out
    code, out, _ = run(capsys, "precision", "--seed", "2", "--check", "about a half")
    assert code == 1
    assert "Could not read 'about a half' as a number" in out
    assert "a fraction (3/4), a decimal (0.75 or .75) or a percentage (75%)" in out


def test_unknown_id_is_a_one_line_usage_error(capsys):
    code, out, err = run(capsys, "f1-count")
    assert code == 2 and out == ""
    assert err == "flashdeck: unknown exercise 'f1-count'; did you mean f1-counts?\n"
    code, _, err = run(capsys, "zzz")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_seed_without_id_is_a_usage_error(capsys):
    code, _, err = run(capsys, "--seed", "3")
    assert code == 2 and "need an exercise ID" in err


def test_bad_seed_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["exercise", "f1-counts", "--seed", "many"])
    assert caught.value.code == 2


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_through_a_real_process():
    result = subprocess.run(
        [sys.executable, "-m", "flashdeck", "exercise", "--json"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=subprocess_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(json.loads(result.stdout)) >= 8


def test_importing_the_package_stays_light():
    code = ("import sys, flashdeck.exercises, flashdeck.commands.exercise; "
            "heavy = {'textual', 'yaml', 'rich'} & {m.split('.')[0] for m in sys.modules}; "
            "print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, env=subprocess_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_answer_line_names_the_answer_once_by_the_one_rounding_rule(capsys):
    """`Answer: 1` (never `1 (1)`), `3/4 = 0.75`, `2/3 ≈ 0.6667`, `≈ 0.462` — as the working."""
    from flashdeck.exercises import builtin_template, instantiate
    from flashdeck.exercises.text import instance_answer_text

    story = builtin_template("segmentation-story")
    seed = next(s for s in range(500) if instantiate(story, s).variant == "perfect")
    _, out, _ = run(capsys, "segmentation-story", "--seed", str(seed))
    assert "\nAnswer: 1\n" in out and "(1)" not in out
    for template_id, seed in (("f1-counts", 5), ("harmonic-mean-speed", 3), ("tversky-index", 1),
                              ("cross-entropy", 1)):
        data = answer_for(capsys, template_id, seed)
        _, out, _ = run(capsys, template_id, "--seed", str(seed))
        line = next(line for line in out.splitlines() if line.startswith("Answer: "))
        written = line.removeprefix("Answer: ").removesuffix(" mph").split(" ")[-1]
        assert written in "\n".join(data["steps"]), (line, data["steps"])
        assert line == f"Answer: {instance_answer_text(instantiate(builtin_template(template_id), seed))}"
        assert not re.search(r"\(\d", line)


def test_the_confusion_matrix_is_printed_as_scikit_learn_prints_it(capsys):
    # The prompt says "confusion_matrix(y_true, y_pred) prints": it printed `[[111 72]` over
    # `[79 169]]`, the columns out of line; NumPy pads every count to the widest one.
    for seed in range(40):
        code, out, _ = run(capsys, "confusion-matrix", "--seed", str(seed), "--json")
        assert code == 0
        data = json.loads(out)
        g = data["given"]
        width = max(len(str(g[name])) for name in ("TN", "FP", "FN", "TP"))
        expected = (f"[[{g['TN']:>{width}} {g['FP']:>{width}}]\n"
                    f"     [{g['FN']:>{width}} {g['TP']:>{width}}]]")
        assert expected in data["prompt"], data["prompt"]


TRIPS = """---
tags: [flashcards]
---
# Round trips

```flashdeck-exercise
id: round-trip
title: Average speed of a round trip
vars:
  a: 10..60
  b: 10..60
prompt: Out at {a} km/h, back at {b} km/h. The average speed?
answer: 2*a*b / (a + c)
steps: |
  2·{a}·{b} / ({a} + {b}) = {answer}
```

```flashdeck-exercise
id: "fuel-use"   # quoted, with a comment
title: Fuel for a trip
vars: {d: 10..90
prompt: How much fuel for {d} km?
```

```flashdeck-exercise
title: Doubling Time
vars:
  r: 1..9
prompt: Doubling time at {r} percent?
```

```flashdeck-exercise
id: halve-it
title: Half of it
vars:
  n: 2..40
prompt: What is half of {n}?
answer: n / 2
steps: |
  {n} / 2 = {answer}
```
"""


def test_an_exercise_whose_template_failed_to_import_says_where_and_why(cli, tmp_path):
    note = tmp_path / "vault" / "Round Trips.md"
    note.parent.mkdir()
    note.write_text(TRIPS, encoding="utf-8")
    col = tmp_path / "c.sqlite"
    imported = cli("--collection", col, "import", note.parent)
    assert imported.code == 1
    checked = cli("check", note).err.splitlines()

    result = cli("--collection", col, "exercise", "round-trip")
    assert result.code == 2 and result.out == ""
    lines = result.err.splitlines()
    assert lines[0] == (f"flashdeck: exercise 'round-trip' was not imported: its template in "
                        f"{note} (line 6) has errors; fix them and import again:")
    assert lines[1:] == [f"{note}:13: answer: unknown name(s) c in `2*a*b / (a + c)` "
                         "(defined before it: a, b)"]
    assert lines[1] in checked  # the same words as `check`

    result = cli("--collection", col, "exercise", "fuel-use")  # its YAML does not read
    assert result.code == 2
    lines = result.err.splitlines()
    assert "exercise 'fuel-use' was not imported" in lines[0] and "(line 18)" in lines[0]
    assert len(lines) == 2 and lines[1].startswith(f"{note}:")
    assert "not valid YAML" in lines[1] and lines[1] in checked

    result = cli("--collection", col, "exercise", "doubling-time")  # its id is its title's
    assert "exercise 'doubling-time' was not imported" in result.err
    assert f"{note}:" in result.err and "answer" in result.err

    assert cli("--collection", col, "exercise", "halve-it", "--seed", "3").code == 0
    unknown = cli("--collection", col, "exercise", "no-such-thing")
    assert unknown.code == 2 and "unknown exercise 'no-such-thing'" in unknown.err

    note.write_text(TRIPS.replace("(a + c)", "(a + b)"), encoding="utf-8")  # fixed since
    result = cli("--collection", col, "exercise", "round-trip")
    assert result.code == 2
    assert "run `flashdeck import` to add it" in result.err
