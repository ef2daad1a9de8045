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


@pytest.mark.parametrize("spec", [">8", ".3f", "08.2f", ".1%", ",", "0>60", ".60f"])
def test_ordinary_python_formats_still_work(cli, tmp_path, spec):
    vault = tmp_path / "vault"
    write_note(vault, "fmt.md", _note("Fmt", f'prompt: "q is [{{q:{spec}}}]"\nanswer: q\n'
                                      "steps: [working]\n"))
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    result = cli("--collection", collection, "exercise", "fmt", "--seed", "3", "--json")
    assert result.code == 0
    q = result.json["given"]["q"]
    assert f"q is [{format(float(q), spec)}]" in result.json["prompt"]


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
