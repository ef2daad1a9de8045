"""A line break inside a paragraph is shown as a line break, as Obsidian shows it: a
language learner's conjugations one form a line, a quote and its attribution."""

from __future__ import annotations

from support.notes import shown_answer

CONJUGATION = """---
tags: [flashcards/de]
---
## Umlaut in the present tense
du fährst, er ==fährt==, wir fahren
ich laufe, du läufst, sie läuft
"""


def test_lines_of_a_paragraph_stay_lines(cli, tmp_path):
    """Obsidian shows a line break inside a paragraph as a line break (and the Anki cards
    are written so): two conjugation lines ran together into one line."""
    out = shown_answer(cli, tmp_path, "German.md", CONJUGATION).out
    lines = [line.strip() for line in out.splitlines()]
    assert "du fährst, er [...], wir fahren" in lines
    assert "du fährst, er fährt, wir fahren" in lines
    assert lines.count("ich laufe, du läufst, sie läuft") == 2


QUOTE = """#flashcards/history

## Who said it?
> What is the Third Estate? Everything.
> — Sieyès, January 1789

```text
code line one
code line two
```
"""


def test_a_quote_keeps_its_attribution_line_and_code_is_untouched(cli, tmp_path):
    out = shown_answer(cli, tmp_path, "Sieyes.md", QUOTE).out
    lines = [line.rstrip() for line in out.splitlines()]
    assert "▌ What is the Third Estate? Everything." in lines
    assert "▌ — Sieyès, January 1789" in lines
    assert "code line one" in [line.strip() for line in lines]
    assert not [line for line in lines if line.startswith("code line") and line.endswith(" ")]
