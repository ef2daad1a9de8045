"""A card side of invisible characters only is an empty side: a warning naming its line, no
card. `Q::` followed by a zero-width space (text pasted from a web page), a word joiner, a
direction mark or `&nbsp;` made a card whose answer showed nothing on the review screen."""

from __future__ import annotations

from support.notes import write_note


def test_a_side_of_invisible_characters_is_empty(cli, tmp_path):
    lines = ["Boiling point of water at sea level::\u200b",
             "\u200b\u200e::A side with no question",
             "Speed of light::&nbsp;",
             "Planck constant::&#8203; \u2060",
             "Largest planet\n?\n\u00ad",
             "Smallest prime::2",
             "Family emoji::👨\u200d👩\u200d👧",
             "Zero width joiner::\u200d in a word",
             "Em space::\u2003\u3000x"]
    note = write_note(tmp_path, "Pasted.md", "#flashcards\n\n" + "\n\n".join(lines) + "\n")
    checked = cli("check", "--json", note).json
    cards = [(c["line"], c["front"], c["back"]) for c in checked["notes"][0]["cards"]]
    assert cards == [(15, "Smallest prime", "2"),
                     (17, "Family emoji", "👨\u200d👩\u200d👧"),
                     (19, "Zero width joiner", "\u200d in a word"),
                     (21, "Em space", "x")]
    assert [(w["line"], w["message"]) for w in checked["warnings"]] == [
        (3, "card has an empty back; skipped"), (5, "card has an empty front; skipped"),
        (7, "card has an empty back; skipped"), (9, "card has an empty back; skipped"),
        (11, "card has an empty back; skipped")]


def test_a_derived_card_of_invisible_characters_only_is_none(cli, tmp_path):
    """The same for the cards a note's structure gives: a summary, an alias, a question
    heading's section or a question callout's body of a zero-width space or `&nbsp;`."""
    note = write_note(tmp_path, "Pasted.md", (
        "---\ntags: [flashcards]\nsummary: \"\\u200b\"\naliases: [\"\\u2060\", Blank page]\n"
        "---\n## Why is this page blank?\n\u200b\n\n"
        "## Why does the printer jam?\nThe paper is damp.\n\n"
        "> [!question] Why no ink?\n> &nbsp;\n"))
    checked = cli("check", "--json", note).json
    assert [(c["kind"], c["front"], c["back"]) for c in checked["notes"][0]["cards"]] == [
        ("aliases", "What is another name for *Pasted*?", "Blank page"),
        ("question", "Why does the printer jam?", "The paper is damp.")]
    assert [(w["line"], w["message"]) for w in checked["warnings"]] == [
        (6, "question heading has nothing under it; no card"),
        (12, "question callout has no body; no card")]
