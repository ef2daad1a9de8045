"""Exercise templates as a user writes them in notes, imported into a real collection and
seen through the CLI: the deck they land in, names in any script, an edit of a template
keeping the card and its history."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from flashdeck.cli import main


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def _flashdeck(capsys, col: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--collection", str(col), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _exercise_cards(capsys, col: Path, *argv: str) -> dict[str, dict]:
    code, out, err = _flashdeck(capsys, col, "list", "--json", *argv)
    assert code == 0, err
    return {c["front"]: c for c in json.loads(out) if c["kind"] == "exercise"}


MCC_NOTE = """\
---
tags: [flashcards/ml/metrics]
exercises: []
---
# Matthews correlation

```flashdeck-exercise
id: mcc
title: Matthews correlation coefficient from a confusion matrix
vars:
  TP: 5..50
  TN: 5..50
  FP: 1..20
  FN: 1..20
prompt: "TP = {TP}, TN = {TN}, FP = {FP}, FN = {FN}. What is the MCC?"
answer: (TP*TN - FP*FN) / sqrt((TP + FP)*(TP + FN)*(TN + FP)*(TN + FN))
steps: |
  MCC = (TP·TN − FP·FN) / √((TP + FP)(TP + FN)(TN + FP)(TN + FN))
  MCC = ({TP}·{TN} − {FP}·{FN}) / √({TP + FP}·{TP + FN}·{TN + FP}·{TN + FN}) {answer:eq}
```
"""

DRILL_NOTE = """\
---
tags: [flashcards/ml/drill]
flashdeck: {derive: false}
exercises: [f1-counts]
---
Morning drill.

#flashcards/ml/losses
```flashdeck-exercise
id: bce-one
title: Binary cross-entropy of one prediction
vars:
  p: 0.05..0.95
prompt: "The model predicts p = {p} for the true class. What is the cross-entropy (natural log)?"
answer: -ln(p)
steps: |
  CE = −ln p, p the probability given to the true class
  CE = −ln {p} {answer:eq}
```
"""


def test_exercise_cards_go_to_the_deck_of_their_notes_tags(tmp_path, capsys):
    """A note holding only exercises (no derived card), or with derivation off, put its
    exercise cards in the deck `flashcards` whatever its tags said: `review --deck
    flashcards/ml/metrics` never showed the MCC exercise of a note tagged with it. Now an
    exercise card takes its deck by the rules every card follows: the nearest flashcard
    tag above it, else the note's frontmatter tags."""
    vault = tmp_path / "vault"
    _write(vault / "Metrics" / "Matthews Correlation.md", MCC_NOTE)
    _write(vault / "Drill.md", DRILL_NOTE)
    col = tmp_path / "col.sqlite"
    code, _, err = _flashdeck(capsys, col, "import", str(vault))
    assert code == 0, err
    cards = _exercise_cards(capsys, col)
    decks = {front: c["deck"] for front, c in cards.items()}
    assert decks == {
        "Matthews correlation coefficient from a confusion matrix": "flashcards/ml/metrics",
        "Compute the Dice (F1) score from TP, FP and FN": "flashcards/ml/drill",
        "Binary cross-entropy of one prediction": "flashcards/ml/losses",
    }
    chosen = _exercise_cards(capsys, col, "--deck", "flashcards/ml/metrics")
    assert list(chosen) == ["Matthews correlation coefficient from a confusion matrix"]


TVERSKY_NOTE = """\
---
tags: [flashcards/ml/losses]
---
# Tversky loss

```flashdeck-exercise
id: tversky-α
title: Tversky index with weights α and β
vars:
  TP: 10..90
  FP: 0..40
  FN: 0..40
  α: [0.3, 0.5, 0.7]
let:
  β: 1 - α
prompt: "TP = {TP}, FP = {FP}, FN = {FN}, α = {α} and β = {β}. What is the Tversky index?"
answer: TP / (TP + α*FP + β*FN)
given: [TP, FP, FN, α]
steps: |
  TI = TP / (TP + α·FP + β·FN), α the weight of FP and β that of FN
  TI = {TP} / ({TP} + {α}·{FP} + {β}·{FN}) = {TP / (TP + α*FP + β*FN):work}
```

```flashdeck-exercise
id: fläche
title: Fläche eines Rechtecks
vars:
  Breite: 2..9
  Höhe: 2..9
prompt: "Ein Rechteck ist {Breite} cm breit und {Höhe} cm hoch. Wie groß ist die Fläche?"
answer: Breite * Höhe
unit: cm²
steps: |
  A = Breite·Höhe = {Breite}·{Höhe} = {answer}
```
"""


def test_names_and_ids_in_any_script(tmp_path, capsys):
    """`α: [0.3, 0.5, 0.7]` was refused with "'α' is not a usable name: letters, digits and
    _, starting with a letter" (α is a letter), and `id: fläche` with "must be lower-case
    letters" (ä is one): an ML student's Greek weights or a German note's names could not
    be written. Now names and ids take letters of any script; an id typed decomposed (as
    some keyboards send ä) finds the same exercise."""
    import unicodedata

    vault = tmp_path / "vault"
    _write(vault / "Tversky.md", TVERSKY_NOTE)
    col = tmp_path / "col.sqlite"
    code, out, err = _flashdeck(capsys, col, "import", str(vault))
    assert code == 0 and "3 added" in out, (out, err)  # and the built-in tversky-index
    code, out, err = _flashdeck(capsys, col, "exercise", "tversky-α", "--seed", "4", "--json")
    assert code == 0, err
    shown = json.loads(out)
    given = shown["given"]
    assert set(given) == {"TP", "FP", "FN", "α"}
    alpha = given["α"]
    expected = given["TP"] / (given["TP"] + alpha * given["FP"] + (1 - alpha) * given["FN"])
    assert shown["value"] == pytest.approx(expected)
    assert shown["steps"][0] == "TI = TP / (TP + α·FP + β·FN), α the weight of FP and β that of FN"
    decomposed = unicodedata.normalize("NFD", "fläche")
    assert decomposed != "fläche"
    code, out, err = _flashdeck(capsys, col, "exercise", decomposed, "--seed", "2", "--json")
    assert code == 0, err
    area = json.loads(out)
    assert area["id"] == "fläche" and area["value"] == area["given"]["Breite"] * area["given"]["Höhe"]
    code, out, _ = _flashdeck(capsys, col, "exercise", "fläche", "--seed", "2", "--check",
                              f"{area['value']} cm²")
    assert code == 0 and "Right" in out


def _speed_block(template_id: str, title: str, unit: str) -> str:
    return (f"```flashdeck-exercise\nid: {template_id}\ntitle: {title}\nunit: {unit}\nvars:\n"
            "  d: 2..9\nprompt: \"You go {d} units in one hour. How fast?\"\nanswer: d\n"
            "steps: ['speed = distance / time = {d} / 1 = {answer}']\n```\n")


def test_one_id_in_two_notes_is_named_where_the_exercise_is_run(tmp_path, capsys):
    """Two notes holding different templates under one id: each note gets its card, but
    `flashdeck exercise` listed one of them and `flashdeck exercise ID` ran it without a
    word about the other, which could not be run at all. Now both say where the other is."""
    vault = tmp_path / "vault"
    _write(vault / "Cycling.md", "---\ntags: [flashcards/sport]\n---\n# Cycling\n\n"
           + _speed_block("speed", "Cycling speed", "km/h"))
    _write(vault / "Running.md", "---\ntags: [flashcards/sport]\n---\n# Running\n\n"
           + _speed_block("speed", "Running pace", "mph"))
    col = tmp_path / "col.sqlite"
    assert _flashdeck(capsys, col, "import", str(vault))[0] == 0
    assert len(_exercise_cards(capsys, col)) == 2  # one card in each note
    code, out, err = _flashdeck(capsys, col, "exercise")
    assert code == 0
    listed = out[out.index("speed "):]
    assert "Cycling speed" in listed and f"from: {vault / 'Cycling.md'}" in listed
    assert f"the same id, another template: {vault / 'Running.md'}" in listed
    code, out, err = _flashdeck(capsys, col, "exercise", "speed", "--seed", "3")
    assert code == 0 and out.startswith("Cycling speed")
    assert err.strip() == (f"flashdeck: warning: 'speed' is also the id of another template in "
                           f"{vault / 'Running.md'}; this is the one in {vault / 'Cycling.md'} "
                           "(give each template its own id to run the other)")


def _let_block(let: str) -> str:
    return ("---\ntags: [flashcards/ml/metrics]\n---\n# Precision\n\n```flashdeck-exercise\n"
            "id: precision-let\ntitle: Precision from counts\nvars:\n  TP: 1..9\n  FP: 1..9\n"
            f"let:\n{let}prompt: \"TP = {{TP}}, FP = {{FP}}. Precision?\"\nanswer: p\n"
            "steps: ['p = {TP} / ({TP} + {FP}) = {p}']\n```\n\nPrecision is also called::PPV\n")


@pytest.mark.parametrize("let,message", [
    ("  p: TP / den\n  den: TP + FP\n",
     ":13: p: `TP / den` uses den, defined below it; let: values are computed in order, so "
     "move den above p"),
    ("  p: TP / den\n  den: TP * p / p + FP\n",
     ":13: p: `TP / den` uses den, which uses p in turn: a cycle, so neither can be computed; "
     "write one of them without the other"),
])
def test_a_derived_value_used_before_it_is_defined_says_so(tmp_path, capsys, let, message):
    """`let:` values are computed in order. One that uses a value defined below it got
    "unknown name(s) den in `TP / den` (defined before it: TP, FP)" -- den is not unknown,
    it is in the template, and two values that use each other (a cycle) got the same words.
    Now the message says which it is and what to do; the rest of the note imports."""
    note = _write(tmp_path / "vault" / "Precision.md", _let_block(let))
    col = tmp_path / "col.sqlite"
    code, out, err = _flashdeck(capsys, col, "import", str(note.parent))
    assert code == 1
    assert err.strip() == f"{note}{message}"
    code, out, _ = _flashdeck(capsys, col, "list", "--json")
    fronts = [c["front"] for c in json.loads(out)]
    assert "Precision is also called" in fronts and "Precision from counts" not in fronts


def test_a_where_list_cut_by_yaml_at_a_comma_says_so(tmp_path, capsys):
    """`where: [TP != TN, max(TN, TP) >= 100]` is three items to YAML (it cuts a [...] list
    at every comma): the author got "1: cannot read `max(TN` as an expression ('(' was never
    closed)" and "2: cannot read `TP) >= 100`...", about a text they never wrote. Now the
    message says YAML cut the list and how to write it."""
    note = _write(tmp_path / "vault" / "Where.md", """\
        ---
        tags: [flashcards/ml/metrics]
        ---
        ```flashdeck-exercise
        id: cm-where
        title: Where with a comma
        vars:
          TN: 5..300
          TP: 5..200
        where: [TP != TN, max(TN, TP) >= 100]
        prompt: "TN = {TN}, TP = {TP}"
        answer: TP / (TP + TN)
        steps: "{answer}"
        ```
        """)
    code, out, err = _flashdeck(capsys, tmp_path / "col.sqlite", "check", str(note))
    assert code == 1
    assert err.strip() == (f"{note}:10: where: YAML cut the list [...] at the comma inside "
                           "`max(TN, TP) >= 100`; quote that condition, or write one condition "
                           "a line (- max(a, b) < 9)")


_SLIPPED_FENCE_NOTE = """\
---
tags: [flashcards/ml/metrics]
exercises: []
---
# Recall

Recall is also called::sensitivity

{fence}
id: recall-slip
title: Recall from counts
vars:
  TP: 1..50
  FN: 1..50
prompt: "TP = {{TP}}, FN = {{FN}}"
answer: TP / (TP + FN)
steps: "{{answer}}"
```
"""


@pytest.mark.parametrize("fence", ["```flashdeck-exercises", "```Flashdeck-Exercise",
                                   "```flashdeck_exercise", "```flashdeck exercise",
                                   "```flashdeck-excercise", "```flashcard-exercise",
                                   "```flashdeckexercise", "```flashdeck-ex"])
def test_a_slip_in_the_exercise_fence_is_named_not_a_silent_loss(tmp_path, capsys, fence):
    """A block opened ```flashdeck-exercises (or another case, `_`, a letter off) is code to
    markdown: its exercise made no card and nothing said so, in `check` or in `import` (exit
    0). Now it is an error at the fence's line; the note's other cards import."""
    note = _write(tmp_path / "vault" / "Recall.md", _SLIPPED_FENCE_NOTE.format(fence=fence))
    col = tmp_path / "col.sqlite"
    word = fence[3:].split()[0]
    said = (f"{note}:9: ```{word} is not ```flashdeck-exercise: the block stays code and "
            "makes no exercise card; open it with ```flashdeck-exercise")
    for command in ("check", "import"):
        code, out, err = _flashdeck(capsys, col, command, str(note.parent))
        assert (code, err.strip()) == (1, said), command
    code, out, _ = _flashdeck(capsys, col, "list", "--json")
    assert [c["front"] for c in json.loads(out)] == ["Recall is also called"]
    # written right, the same block is the exercise, and nothing is said
    _write(note, _SLIPPED_FENCE_NOTE.format(fence="```flashdeck-exercise"))
    code, out, err = _flashdeck(capsys, col, "import", str(note.parent))
    assert (code, err) == (0, "")
    assert "Recall from counts" in _exercise_cards(capsys, col)


@pytest.mark.parametrize("fence", ["```python", "```yaml", "```", "~~~flashdeck-exercise",
                                   "```flashdeck-exercise {.yaml}", "```flashdeck",
                                   "```flashdeck-config", "```flashcards"])
def test_other_fences_say_nothing(tmp_path, capsys, fence):
    note = _write(tmp_path / "vault" / "Recall.md", _SLIPPED_FENCE_NOTE.format(fence=fence)
                  .replace("\n```\n", "\n~~~\n" if fence.startswith("~") else "\n```\n"))
    code, out, err = _flashdeck(capsys, tmp_path / "col.sqlite", "check", str(note))
    assert (code, err) == (0, "")


def test_a_where_condition_that_cannot_be_read_is_named_by_its_key(tmp_path, capsys):
    """A `where:` item that cannot be read said "0: cannot read `TP => 3` ..." (its index in
    the list), where every other key names itself."""
    note = _write(tmp_path / "vault" / "Where.md", """\
        ---
        tags: [flashcards/ml/metrics]
        ---
        ```flashdeck-exercise
        id: where-typo
        title: Where with a typo
        vars:
          TP: 5..200
        where:
          - TP => 3
        prompt: "TP = {TP}"
        answer: TP / 2
        steps: "{answer}"
        ```
        """)
    code, out, err = _flashdeck(capsys, tmp_path / "col.sqlite", "check", str(note))
    assert code == 1
    assert err.strip().startswith(f"{note}:10: where: cannot read `TP => 3` as an expression")


@pytest.mark.parametrize(("extra", "key", "lines"), [
    ("answer: TP / (TP + FP)\n", "answer", (11, 14)),
    ("vars:\n  FP: 1..9\n", "vars", (6, 14)),
], ids=["answer", "vars"])
def test_a_key_written_twice_is_named_not_silently_replaced(tmp_path, capsys, extra, key, lines):
    """A second `answer:` (or `vars:`) further down a template replaced the first without a
    word (YAML keeps the last): the card asked what the author had meant to change, or
    "unknown name(s) TP ... (defined before it: FP)" pointed at names that are written."""
    note = _write(tmp_path / "vault" / "Ratio Drill.md", (
        "---\ntags: [flashcards/drills]\n---\n"
        "```flashdeck-exercise\ntitle: Precision twice\n"
        "vars:\n  TP: 1..50\n  FP: 1..50\nwhere:\n  - TP > 0\n"
        "answer: TP / (TP + FP)\nprompt: \"TP = {TP}, FP = {FP}\"\nsteps: \"{answer}\"\n"
        + extra + "```\n\nA ratio drill is::practice\n"))
    col = tmp_path / "col.sqlite"
    code, out, err = _flashdeck(capsys, col, "import", str(note.parent))
    assert code == 1
    assert err.strip() == (f"{note}:{lines[1]}: {key}: written twice (lines {lines[0]} and "
                           f"{lines[1]}); YAML keeps only the last, so keep one")
    assert list(_exercise_cards(capsys, col)) == []
    code, out, _ = _flashdeck(capsys, col, "list", "--json")
    assert [c["front"] for c in json.loads(out)] == ["A ratio drill is"]


SHOWN_ANSWER = """\
---
tags: [flashcards/stats]
---
```flashdeck-exercise
id: mean-of-two
title: Mean of two marks
vars:
  a: 1..9
  b: 1..9
let:
  m: (a + b) / 2
variants:
  - name: told
    prompt: |
      Two exams scored {a} and {b}; their mean, {m}, is what?
  - name: asked
    prompt: |
      Two exams scored {a} and {b}. What is their mean?
answer: (a + b) / 2
steps: |
  ({a} + {b}) / 2 = {answer}
```
"""


def test_a_prompt_that_shows_its_answer_is_a_warning(capsys, tmp_path):
    """An exercise whose question contains its result asks nothing: `{m}`, the answer under
    another name, in the prompt. It was taken without a word; the import now names the
    variant and the line, and the card is still made (the author decides)."""
    note = _write(tmp_path / "vault" / "Mean.md", SHOWN_ANSWER)
    col = tmp_path / "c.sqlite"
    code, out, err = _flashdeck(capsys, col, "import", str(note))
    assert code == 0, err
    assert err.splitlines() == [
        f"{note}:14: warning: prompt: shows the answer in every draw (variant told), so the"
        " card asks nothing: leave the answer, and what equals it, out of the prompt"]
    assert list(_exercise_cards(capsys, col)) == ["Mean of two marks"]


def test_no_builtin_exercise_shows_its_answer_in_its_prompt():
    from flashdeck.exercises.template import builtin_templates, parse_template

    for template in builtin_templates():
        _, problems = parse_template(template.source, "builtin.yaml")
        assert not [p for p in problems if "shows the answer" in p.message], template.id
