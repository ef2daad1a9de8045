"""A vault of three users who are not ML students (tests/fixtures/other_users): a language
learner (German, French, Spanish, Japanese, Arabic, Hebrew, Mandarin, decomposed diacritics,
emoji), a history and law student (long prose, tables of dates, nested lists, footnotes,
quotes, question headings, `?` cards) and a programmer (code blocks holding `::`, `==` and
`{{ }}`, shell `$VAR`s and money, tables of complexities, real math). `check` reads every
note, each card as its author meant it, and nothing that is code becomes a card."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "other_users"


@pytest.fixture(scope="module")
def checked():
    from flashdeck.cli import main
    import contextlib
    import io
    import json

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", str(VAULT), "--json"])
    assert code == 0
    return json.loads(out.getvalue())


def cards(checked, note: str) -> list[dict]:
    [found] = [n for n in checked["notes"] if Path(n["path"]).stem == note]
    return found["cards"]


def pairs(checked, note: str) -> list[tuple[str, str, str]]:
    return [(c["kind"], c["front"], c["back"]) for c in cards(checked, note)]


def test_every_note_is_read_without_a_problem(checked):
    assert len(checked["notes"]) == len(list(VAULT.rglob("*.md"))) == 29
    assert checked["errors"] == [] and checked["warnings"] == []
    assert all(n["cards"] for n in checked["notes"])


def test_code_is_never_a_card(checked):
    everything = [c["front"] + "\n" + c["back"] for n in checked["notes"] for c in n["cards"]]
    for code in ("String::from", "Vec::new", "hello::world", "key::value", "x::y",
                 "{{ .Name }}", "==done==", "not a cloze", "set -euo pipefail", "git bisect bad",
                 '{{"ada", 36}}'):
        assert not [t for t in everything if code in t and "```" not in t], code
    # the shell snippets are answers, whole, in their fences
    [loop] = [c for c in cards(checked, "Bash Scripting") if c["front"].startswith("How do I loop")]
    assert loop["back"].startswith("```bash\nwhile IFS= read -r line; do")


def test_a_table_row_with_double_colons_is_no_card(checked):
    fronts = [c["front"] for c in cards(checked, "C++ STL Containers")]
    assert fronts == ["Which header declares `std::unordered_map`?",
                      "What does `std::map::at` do on a missing key?",
                      "When does a `std::vector` reallocate?"]


def test_money_and_shell_variables_stay_text(checked):
    [cost] = [c for c in cards(checked, "Bash Scripting") if c["kind"] == "cloze"]
    assert cost["front"].startswith("The file costs $5 and the book $12")
    assert "`${VAR:-default}` uses [...] when" in cost["front"]
    [plan] = [c for c in cards(checked, "Cold War Timeline") if "Marshall" in c["front"]]
    assert plan["back"].startswith("About $13 billion")


def test_vocabulary_keeps_every_letter(checked):
    german = pairs(checked, "German Verbs")
    assert ("reversed", "schlafen", "to sleep") in german
    assert ("reversed", "to sleep", "schlafen") in german
    assert ("basic", "Präteritum von „gehen“", "ging") in german
    assert ("reversed", "la bibliothèque", "the library") in pairs(checked, "French Vocabulary")
    assert ("reversed", "תּוֹדָה", "thank you") in pairs(checked, "Hebrew Words")
    assert ("basic", "أين المكتبة؟", "Where is the library?") in pairs(checked, "Arabic Basics")
    assert ("basic", "绿 lǜ", "green") in pairs(checked, "Mandarin Tones")
    decomposed = [c["front"] for c in cards(checked, "Combining Characters")]
    # as the author's file has them: decomposed, not normalised
    assert "cafe\u0301 (decomposed)" in decomposed
    assert unicodedata.normalize("NFC", decomposed[0]) == "café (decomposed)"
    assert "👨\u200d👩\u200d👧 family emoji" in decomposed


def test_clozes_in_other_scripts(checked):
    japanese = [c["front"] for c in cards(checked, "Japanese N5 Kanji") if c["kind"] == "cloze"]
    assert japanese == ["私[...]学生です。\n駅に行きます。", "私は学生です。\n駅[...]行きます。",
                        "The capital of Japan is [...] (とうきょう).",  # {{curly}}, enabled
                        "The capital of Japan is 東京 ([...])."]
    [arabic] = [c for c in cards(checked, "Arabic Basics") if c["kind"] == "cloze"]
    assert (arabic["front"], arabic["back"]) == ("ذهبت إلى [...] أمس.", "ذهبت إلى ==المدرسة== أمس.")
    # a Jinja/Helm `{{ user.name }}` (spaces inside) is template syntax, not a deletion
    assert not [c for c in cards(checked, "Docker and YAML") if c["kind"] == "cloze"]


def test_a_quoted_clause_is_part_of_the_answer(checked):
    [clause] = [c for c in cards(checked, "Magna Carta") if "due process" in c["front"]]
    assert clause["back"].startswith("Clause 39:\n> No free man shall be seized")


def test_question_headings_answer_without_giving_other_cards_away(checked):
    roman = {c["front"]: c["back"] for c in cards(checked, "Roman Law Sources")}
    corpus = roman["What is the Corpus Juris Civilis?"]
    assert corpus.startswith("Justinian's codification") and "4. *Novellae*" in corpus
    assert "Tribonian" not in corpus and "ius civile" not in corpus  # cards of their own
    terror = {c["front"]: c["back"] for c in cards(checked, "French Revolution")}
    assert "14 July 1789" not in terror["What was the Terror?"]
    assert terror["What was the Terror?"].endswith(
        "[^greer]: Greer, *The Incidence of the Terror* (1935).")  # its footnote, not Doyle's
    for note in checked["notes"]:
        for c in note["cards"]:
            if c["kind"] in ("basic", "question", "summary", "aliases"):
                assert c["back"] not in c["front"], c
