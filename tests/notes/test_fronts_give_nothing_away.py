"""What a card's front shows — its text and the context printed with it — never gives away
its own answer or the answer of another card of the note. Checked as the user sees it:
`flashdeck check --json` and `flashdeck show`."""

from __future__ import annotations

import json

from support.notes import write_note


def cards_of(cli, path) -> list[dict]:
    result = cli("check", "--json", path)
    assert result.code == 0, result
    return [c for note in json.loads(result.out)["notes"] for c in note["cards"]]


def test_a_formula_is_not_introduced_by_a_cloze_sentence(cli, tmp_path) -> None:
    note = write_note(tmp_path, "Averaging Rates.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "The ==harmonic mean== of precision and recall is:\n\n"
        "$$\\frac{2PR}{P+R}$$\n"))
    cards = cards_of(cli, note)
    assert [c["kind"] for c in cards] == ["cloze", "formula"]
    cloze, formula = cards
    assert cloze["front"] == "The [...] of precision and recall is:"
    # introduced by its sentence, it read "The harmonic mean of ... is …?": the cloze's answer
    assert "harmonic" not in formula["front"]
    assert formula["front"] == "What is the formula for *Averaging Rates*?"
