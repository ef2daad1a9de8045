"""Hostile exercise templates found by attacking the evaluator and the placeholders: each is
refused as one `path:line: message` by `check`, quickly, and the rest of the note is kept."""

from __future__ import annotations

import re

import pytest

from support.notes import write_note

FENCE = "```"


def _note(title: str, body: str) -> str:
    return (f"---\ntags: [flashcards]\n---\n# {title}\n\nQ {title}::A\n\n"
            f"{FENCE}flashdeck-exercise\ntitle: {title}\nvars:\n  q: 2..9\n{body}{FENCE}\n")


def _errors(result) -> list[tuple[str, int, str]]:
    found = []
    for line in result.err.splitlines():
        match = re.match(r"^(.+):(\d+): (\S.*)$", line)
        assert match, line
        found.append((match[1], int(match[2]), match[3]))
    return found


@pytest.mark.parametrize("spec", [">100000000", ".100000000f", "0100000", "x^61", ",.61f",
                                  ">0000000000000000000000000000000000000000000000000099"])
def test_a_huge_width_or_precision_in_a_placeholder_is_refused(cli, tmp_path, spec):
    # `{q:>100000000}` used to build a 100 MB prompt while checking the note (the check
    # ran into its 30 s limit with gigabytes of padding); now a message on the prompt's line.
    vault = tmp_path / "vault"
    write_note(vault, "pad.md", _note("Pad", f'prompt: "q is {{q:{spec}}}"\nanswer: q\n'
                                      "steps: [working]\n"))
    result = cli("check", vault)
    assert result.code == 1
    [(path, line, message)] = _errors(result)
    assert path.endswith("pad.md") and line == 12
    assert "width or precision above 60" in message
    assert "Q Pad" in result.out  # the note's other card is still there


@pytest.mark.parametrize("spec, whole", [(">8", True), (".3f", False), ("08.2f", False),
                                         (".1%", False), (",", True), ("0>60", True),
                                         (".60f", False), ("+", True), ("d", True)])
def test_ordinary_python_formats_still_work(cli, tmp_path, spec, whole):
    # a format without a type or precision keeps a whole number whole: `{q:>8}` used to
    # show `     4.0`, and `{N:,}` `12,000.0`
    vault = tmp_path / "vault"
    write_note(vault, "fmt.md", _note("Fmt", f'prompt: "q is [{{q:{spec}}}]"\nanswer: q\n'
                                      "steps: [working]\n"))
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    result = cli("--collection", collection, "exercise", "fmt", "--seed", "3", "--json")
    assert result.code == 0
    q = result.json["given"]["q"]
    expected = format(int(q), spec) if whole else format(float(q), spec)
    assert f"q is [{expected}]" in result.json["prompt"]
    assert (".0" in expected) is (not whole)


@pytest.mark.parametrize("zero_division", ["", "zero_division: {value: 1, convention: c}\n"])
def test_a_log_base_too_close_to_1_is_the_templates_mistake(cli, tmp_path, zero_division):
    # ln(1 + 1/10**60) is 0.0 as a float: the log used to be reported as a "division by
    # zero" — and with a 0/0 convention the card silently answered the convention's 1.
    vault = tmp_path / "vault"
    write_note(vault, "log.md", _note("Log", "prompt: what\nanswer: log(q, 1 + 1/10**60)\n"
                                      + zero_division + "steps: [working]\n"))
    result = cli("check", vault)
    assert result.code == 1
    [(path, line, message)] = _errors(result)
    assert path.endswith("log.md") and line == 13
    assert "too close to 1" in message and "division by zero" not in message


@pytest.mark.parametrize("ranges, line, shown", [
    ("  n: 9..2\n", 12, "the range n: 9..2 is empty"),
    ("  p: 0.9..0.1\n", 12, "the range p: 0.9..0.1 is empty"),
    ("  M: 0..0\n  r: 1..M\n", 13, "the range r: 1..M (here 1..0) is empty"),
])
def test_a_reversed_range_is_named_on_its_own_line(cli, tmp_path, ranges, line, shown):
    # A typo like `9..2` used to be "no draw satisfied the ranges in 1000 tries", reported
    # on the block's first line: now the range, at the line where it is written.
    vault = tmp_path / "vault"
    write_note(vault, "range.md", _note("Range", ranges + "prompt: what\nanswer: q\n"
                                        "steps: [working]\n"))
    result = cli("check", vault)
    assert result.code == 1
    [(path, at, message)] = _errors(result)
    assert path.endswith("range.md") and at == line
    assert shown in message and "its first bound is above its second" in message


def test_a_range_empty_on_some_draws_is_still_redrawn(cli, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "some.md", _note("Some", "  M: 0..3\n  r: 1..M\nprompt: '{r}'\n"
                                       "answer: q + r\nsteps: [working]\n"))
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    for seed in range(20):
        result = cli("--collection", collection, "exercise", "some", "--seed", str(seed),
                     "--json")
        assert result.code == 0
        assert 1 <= result.json["given"]["r"] <= result.json["given"]["M"]


def test_a_python_format_never_shows_negative_zero(cli, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "neg.md", _note("Neg", "prompt: 'change {(q - q - 1) / 1000:.2f}, "
                                      "{-q / 10**9:.1%} and {q - 10:.0f}'\nanswer: q\n"
                                      "steps: [working]\n"))
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    result = cli("--collection", collection, "exercise", "neg", "--seed", "1", "--json")
    q = result.json["given"]["q"]
    assert result.json["prompt"] == f"change 0.00, 0.0% and {q - 10}"


def test_a_note_template_under_a_built_ins_id_is_warned_about(cli, tmp_path):
    # `title: Precision` derives the id precision: the note's card replaced the built-in
    # precision exercise while `flashdeck exercise precision` kept running the built-in —
    # the author could never try their own template from the command line, silently.
    vault = tmp_path / "vault"
    write_note(vault, "Precision.md", "---\ntags: [flashcards]\n---\n# Precision\n\nprose\n\n"
               "```flashdeck-exercise\ntitle: Precision\nvars:\n  q: 2..9\n"
               "prompt: q = {q}\nanswer: 10*q\nsteps: [working]\n```\n")
    result = cli("check", vault)
    assert result.code == 0  # a warning: the note's cards are all there
    [line] = [l for l in result.err.splitlines() if ": warning: " in l]
    assert line.endswith("give it an id of its own (e.g. id: my-precision)")
    assert re.match(r"^.*Precision\.md:9: warning: id 'precision' is a built-in", line)


def test_a_verbatim_copy_of_a_built_in_is_not_warned_about(cli, tmp_path):
    from flashdeck.exercises import builtin_template

    source = builtin_template("precision").source
    vault = tmp_path / "vault"
    write_note(vault, "Copy.md", "---\ntags: [flashcards]\n---\n# Copy\n\n"
               f"```flashdeck-exercise\n{source.rstrip()}\n```\n")
    result = cli("check", vault)
    assert result.code == 0 and "warning" not in result.err


def test_a_grouped_whole_number_reads_as_people_write_it(cli, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "big.md", _note("Big", "  N: {min: 10000, max: 90000, step: 1000}\n"
                                      "prompt: 'An image of {N:,} pixels'\nanswer: N\n"
                                      "steps: ['{N:,} pixels']\n"))
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    result = cli("--collection", collection, "exercise", "big", "--seed", "2", "--json")
    n = result.json["given"]["N"]
    assert result.json["prompt"] == f"An image of {n:,} pixels"
    assert result.json["steps"] == [f"{n:,} pixels"]
