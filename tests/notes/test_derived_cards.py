"""Derived cards a reader can trust (issue 13): an answer never gives another card away, no
two cards of a note share a front, formulas are asked by what they compute, fronts read as
English for every shape of title, and frontmatter values show as the author wrote them."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from support.notes import write_note
from flashdeck.notes._latex import equation_names
from flashdeck.notes._phrasing import aliases_front, summary_front
from flashdeck.notes.model import PARSER_VERSION, ParserSettings
from flashdeck.notes.parser import parse_note

NOTES = Path(__file__).parents[1] / "fixtures" / "derived"


BUNDLED = Path(__file__).parents[2] / "cards"  # the demo deck: notes written by us


def parsed(name: str):
    path = NOTES / name if (NOTES / name).exists() else BUNDLED / name
    return parse_note(path.read_text(encoding="utf-8"), str(path))


ALL = sorted(p.name for p in NOTES.glob("*.md")) + sorted(p.name for p in BUNDLED.glob("*.md"))


def _text_pieces(text: str) -> list[str]:
    """The lines of a card's text worth looking for elsewhere (short ones are common words)."""
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= 12]


@pytest.mark.parametrize("name", ALL)
def test_no_answer_gives_another_card_away(name: str) -> None:
    note = parsed(name)
    assert [p for p in note.problems if p.severity == "error"] == []
    cards = note.cards
    for card in cards:
        if card.kind == "exercise":
            continue
        back = card.back
        # no raw syntax of another card: exercise YAML, cloze markers, tags, comments
        assert "flashdeck-exercise" not in back and "answer:" not in back, card
        assert "#flashcards" not in back and "<!--" not in back and "%%" not in back, card
        if card.kind != "cloze":
            assert "==" not in back and ";;" not in back, card
            assert "==" not in card.front, card
        assert "::" not in back and "\n?\n" not in back, card
        for other in cards:
            if other is card or other.block == card.block or other.kind == "exercise":
                continue
            for piece in _text_pieces(other.front) + _text_pieces(other.back):
                if card.kind == "cloze" and other.kind == "cloze":
                    continue
                assert piece not in back, (card.front, "shows", other.front)


@pytest.mark.parametrize("name", ALL)
def test_no_two_cards_of_a_note_share_a_front(name: str) -> None:
    fronts = [c.front for c in parsed(name).cards]
    assert len(fronts) == len(set(fronts)), fronts


# every display formula with a left-hand side, and the names its card must ask for
NAMED = {
    "Tversky Index.md": [["\\text{TI}"], ["\\text{TI}_{0.5}"]],
    "Confusion Matrix.md": [["\\text{accuracy}"], ["\\text{precision}", "\\text{recall}"],
                            ["\\text{TPR}", "\\text{FPR}"]],
    "Batch Normalization.md": [["\\mu_B"], ["\\sigma_B^2"]],
    "Precision vs Recall.md": [["\\text{precision}"]],
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_formulas_with_a_left_side_are_asked_by_name(name: str) -> None:
    note = parsed(name)
    title = note.title
    asked = [c.front for c in note.cards if c.kind == "formula"]
    for names in NAMED[name]:
        want = f"*{title}*: " + " and ".join(f"${n}$ = ?" for n in names)
        assert want in asked, (want, asked)


def test_formula_without_a_left_side_is_asked_by_its_sentence_or_heading() -> None:
    fronts = {c.line: c.front for c in parsed("Batch Normalization.md").cards
              if c.kind == "formula"}
    assert fronts[16] == ("*Batch Normalization*: Each input is shifted and scaled by the"
                          " batch statistics …?")
    assert fronts[19] == "What is the formula for *Batch Normalization › Scale and shift*?"


def test_question_answers_hold_the_explanation_only() -> None:
    cards = {c.front: c for c in parsed("Tversky Index.md").cards}
    back = cards["Why use $\\beta > \\alpha$ for *lesion* segmentation?"].back
    assert back == ("A missed lesion (a **false negative**) costs far more than a false alarm,"
                    " so FN gets the larger weight and the loss pushes recall up.")
    # the callout under it is its own card, asked on its own
    assert cards["What does $\\alpha=\\beta=1$ give?"].back == "The Jaccard index, also called IoU."
    # a question heading nested in another is left out of the outer one's answer
    matrix = {c.front: c.back for c in parsed("Confusion Matrix.md").cards}
    assert matrix["What does the diagonal hold?"] == (
        "The correct predictions: every cell where the predicted class is the true class.")
    assert matrix["Why can accuracy mislead?"].startswith("With 95 % negatives")


def test_same_question_under_two_headings_is_told_apart_by_its_heading() -> None:
    fronts = [c.front for c in parsed("Precision vs Recall.md").cards if c.kind == "question"]
    assert fronts == ["Why? (Trade-off)", "Why? (Averages)"]


def test_a_question_ending_in_a_full_width_or_arabic_question_mark_is_a_card() -> None:
    """`？` (Chinese, Japanese) and `؟` (Arabic) end a question as `?` does: such headings,
    and a title-less callout's question line, were no cards, and a title ending in `？` was
    asked "What is meant by *…？*?"."""
    text = (
        "---\ntags: [flashcards/ml]\nsummary: 一种加权平均。\n---\n# 注意力机制\n\n"
        "## 什么是自注意力？\n每个位置同时关注所有位置，复杂度为 $O(n^2 d)$。\n\n"
        "## 注意力的复杂度\n与序列长度成平方关系。\n\n"
        "## ما هو الانتباه؟\nمتوسط مرجح للقيم.\n\n"
        "> [!faq]\n> 多头注意力有什么用？\n> 在不同的子空间中学习。\n"
    )
    cards = {c.front: c for c in parse_note(text, "/vault/为什么要注意力？.md").cards}
    assert cards["什么是自注意力？"].kind == "question"
    assert cards["什么是自注意力？"].back == "每个位置同时关注所有位置，复杂度为 $O(n^2 d)$。"
    assert cards["ما هو الانتباه؟"].back == "متوسط مرجح للقيم."
    assert cards["多头注意力有什么用？"].back == "在不同的子空间中学习。"
    assert "注意力的复杂度" not in cards  # no question mark: context, not a card
    assert summary_front("为什么要注意力？") == "为什么要注意力？"


def test_a_highlighted_question_asks_as_an_emphasised_one_does() -> None:
    """`## ==Why …?==` asks as `## **Why …?**` does (it was no card), and a question
    callout titled `==Why …?==` asked `==Why …?` with a stray `==` heading its answer."""
    text = ("#flashcards\n\n## ==Why do gradients vanish?==\nSigmoids saturate.\n\n"
            "> [!question] ==Why clip gradients?==\n> To stop them exploding.\n\n"
            "## Is a == b?\nOnly for equal values.\n")
    assert [(c.kind, c.front, c.back) for c in parse_note(text, "/v/Gradients.md").cards] == [
        ("question", "Why do gradients vanish?", "Sigmoids saturate."),
        ("question", "Why clip gradients?", "To stop them exploding."),
        ("question", "Is a == b?", "Only for equal values.")]


def test_a_title_heading_is_not_repeated_in_the_breadcrumb() -> None:
    for card in parsed("Confusion Matrix.md").cards:
        assert "Confusion Matrix" not in card.breadcrumb


@pytest.mark.parametrize(("title", "summary", "aliases_one", "aliases_many"), [
    ("Confusion Matrix", "What is meant by *Confusion Matrix*?",
     "What is another name for *Confusion Matrix*?",
     "What are other names for *Confusion Matrix*?"),
    ("Specificity and Sensitivity", "What is meant by *Specificity and Sensitivity*?",
     "What is another name for *Specificity and Sensitivity*?",
     "What are other names for *Specificity and Sensitivity*?"),
    ("Decision Trees", "What is meant by *Decision Trees*?",
     "What is another name for *Decision Trees*?", "What are other names for *Decision Trees*?"),
    ("IoU", "What is meant by *IoU*?", "What is another name for *IoU*?",
     "What are other names for *IoU*?"),
    ("Cross Entropy vs Dice Loss", "How do *Cross Entropy* and *Dice Loss* differ?",
     "What is another name for *Cross Entropy vs Dice Loss*?",
     "What are other names for *Cross Entropy vs Dice Loss*?"),
    ("L1 versus L2", "How do *L1* and *L2* differ?", "What is another name for *L1 versus L2*?",
     "What are other names for *L1 versus L2*?"),
    ("Why does Dice beat CE?", "Why does Dice beat CE?",
     "What is another name for *Why does Dice beat CE?*",  # one `?`, not `?*?`
     "What are other names for *Why does Dice beat CE?*"),
    ("How to Temper Chocolate", "What is the gist of *How to Temper Chocolate*?",
     "What is another name for *How to Temper Chocolate*?",
     "What are other names for *How to Temper Chocolate*?"),
    ("When to Use Dice Loss", "What is the gist of *When to Use Dice Loss*?",
     "What is another name for *When to Use Dice Loss*?",
     "What are other names for *When to Use Dice Loss*?"),
    ("Whole Numbers", "What is meant by *Whole Numbers*?",
     "What is another name for *Whole Numbers*?", "What are other names for *Whole Numbers*?"),
    ("snake_case names", "What is meant by snake_case names?",
     "What is another name for snake_case names?", "What are other names for snake_case names?"),
])
def test_derived_fronts_read_as_english(title, summary, aliases_one, aliases_many) -> None:
    assert summary_front(title) == summary
    assert aliases_front(title, 1) == aliases_one
    assert aliases_front(title, 3) == aliases_many


@pytest.mark.parametrize(("latex", "names"), [
    (r"F_1=\frac{2}{\frac{1}{r} + \frac{1}{p}}=\frac{2 T P}{2 T P+F P+F N}", ["F_1"]),
    (r"D=\frac{2J}{1+J} \qquad J=\frac{D}{2-D}", ["D", "J"]),
    (r"\text{precision}=\frac{TP}{TP+FP}, \quad \text{recall}=\frac{TP}{TP+FN}",
     [r"\text{precision}", r"\text{recall}"]),
    (r"\begin{aligned} \mu &= \frac1m \sum x_i \\ \sigma^2 &= \frac1m \sum (x_i-\mu)^2"
     r" \\ &= E[x^2] - \mu^2 \end{aligned}", [r"\mu", r"\sigma^2"]),
    (r"H(p, q) = -\sum_x p(x) \log q(x)", ["H(p, q)"]),
    (r"L := 1 - D", ["L"]),
    (r"\int_0^1 f(x)\,dx", []),
    (r"x \le y", ["x"]), (r"a <= b", []), (r"f == g", []), (r"\frac{1}{2} = 0.5", []),
    # a relation other than `=` has a left-hand side too
    (r"\log_2(n!) \approx n\log_2 n", [r"\log_2(n!)"]),
    (r"X \sim \mathcal{N}(\mu, \sigma^2)", ["X"]), (r"p(x|y)\propto p(y|x)p(x)", ["p(x|y)"]),
    (r"a \equiv b \pmod{n}", ["a"]), (r"T(n) \geq c n", ["T(n)"]), (r"\Delta ≈ 0.3", [r"\Delta"]),
    (r"0 \le p \le 1", []), (r"x \leftarrow x + 1", []), (r"a \lesssim b", []),
    (r"\left(a+b\right)^2 \le 2a^2 + 2b^2", [r"\left(a+b\right)^2"]),
    (r"\text{a = b}", []),
])
def test_equation_names(latex: str, names: list[str]) -> None:
    assert equation_names(latex) == names


def test_equation_names_is_bounded() -> None:
    assert equation_names("x = " + "{" * 50_000) == []
    assert equation_names("a = 1, " * 2000) == ["a"]


@pytest.mark.parametrize(("written", "shown"), [
    (".nan", ".nan"), (".inf", ".inf"), ("!!binary aGVsbG8=", "aGVsbG8="), ("1e3", "1e3"),
    ("0x1F", "0x1F"), ("2024-01-05", "2024-01-05"), ("007", "007"), ("'quoted: yes'", "quoted: yes"),
])
def test_frontmatter_values_show_as_written(written: str, shown: str) -> None:
    note = parse_note(f"---\ntags: [flashcards]\nsummary: {written}\naliases: [{written}]\n---\n",
                      "Note.md")
    cards = {c.kind: c.back for c in note.cards}
    assert cards["summary"] == shown
    assert note.aliases == [shown]


def test_a_boolean_or_empty_summary_gives_no_card() -> None:
    for value in ("true", "", "~", "null"):
        note = parse_note(f"---\ntags: [flashcards]\nsummary: {value}\n---\n", "Note.md")
        assert [c for c in note.cards if c.kind == "summary"] == []


def test_cloze_syntax_in_another_cards_text_is_plain() -> None:
    note = parse_note("#flashcards\n\nThe ==x;;hint== thing\n?\nthe ==answer== here\n\n"
                      "Q::it is ==y==\n", "Note.md")
    assert [(c.kind, c.front, c.back) for c in note.cards] == [
        ("basic", "The x thing", "the answer here"), ("basic", "Q", "it is y")]


# --- the plugin's behaviour, where flashdeck differed without reason

def test_any_leading_tag_is_removed_and_a_flashcard_tag_sets_the_deck() -> None:
    note = parse_note("#flashcards\n\n#important #flashcards/bio What is ATP?::energy\n"
                      "#todo Q2::A2\n", "Note.md")
    assert [(c.front, c.deck) for c in note.cards] == [
        ("What is ATP?", "flashcards/bio"), ("Q2", "flashcards")]


def test_a_heading_holding_a_card_is_a_card() -> None:
    note = parse_note("#flashcards\n\n## Recall::the share of positives found ##\n"
                      "### Precision:::TP / (TP + FP)\nText under it.\n", "Note.md")
    assert [(c.kind, c.front, c.back) for c in note.cards] == [
        ("basic", "Recall", "the share of positives found"),
        ("reversed", "Precision", "TP / (TP + FP)"), ("reversed", "TP / (TP + FP)", "Precision")]
    assert note.headings == []  # a card, not a section title
    assert all(c.breadcrumb == () for c in note.cards)


def test_an_end_marker_is_not_part_of_a_cloze() -> None:
    settings = replace(ParserSettings(), multiline_end_marker="+++")
    note = parse_note("#flashcards\n\nThe ==mitochondria== makes ATP.\n+++\n"
                      "Cells split by ==mitosis==.\n", "Note.md", settings)
    assert [c.back for c in note.cards] == [
        "The ==mitochondria== makes ATP.", "Cells split by ==mitosis==."]


# --- a collection made by an older flashdeck gets the new cards, every id and history kept

def test_an_older_parsers_cards_are_read_again_keeping_ids_and_history(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Tversky Index.md", (NOTES / "Tversky Index.md").read_text())
    col = tmp_path / "c.db"
    assert cli("--collection", col, "import", vault).code == 0
    cards = {c["front"]: c for c in cli("--collection", col, "list", "--json").json}
    question = cards["Why use $\\beta > \\alpha$ for *lesion* segmentation?"]["id"]
    formula = cards["*Tversky Index*: $\\text{TI}$ = ?"]["id"]
    summary = cards["What is meant by *Tversky Index*?"]["id"]
    for card_id in (question, formula, summary):
        assert cli("--collection", col, "answer", card_id, "good").code == 0
    # as an older flashdeck left it: other fronts, a question answer that swallowed the
    # cards below it, and no record of the parser that read the notes
    with sqlite3.connect(col) as conn:
        conn.execute("UPDATE cards SET front = 'What is *Tversky Index*?' WHERE id = ?",
                     (summary,))
        conn.execute("UPDATE cards SET front = 'What is the formula for *Tversky Index*?'"
                     " WHERE id = ?", (formula,))
        conn.execute("UPDATE cards SET back = back || '\n\n> [!question] What does ...\n"
                     "> The Jaccard index\n\nThe Tversky index weights FP with ==alpha==.'"
                     " WHERE id = ?", (question,))
        conn.execute("DELETE FROM meta WHERE key LIKE 'parse_stamp:%'")
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["notes"]["imported"] == 1 and report["cards"]["added"] == 0
    assert report["cards"]["orphaned"] == 0
    after = {c["id"]: c for c in cli("--collection", col, "list", "--json").json}
    assert after[summary]["front"] == "What is meant by *Tversky Index*?"
    assert after[formula]["front"] == "*Tversky Index*: $\\text{TI}$ = ?"
    assert "Jaccard" not in after[question]["back"]
    for card_id in (question, formula, summary):
        assert after[card_id]["state"] != "new"
    # read once: the next import skips the unchanged note again
    again = cli("--collection", col, "import", vault, "--json").json
    assert again["notes"]["unchanged"] == 1


def test_the_parse_stamp_names_this_parser() -> None:
    assert PARSER_VERSION >= 2


def test_a_card_whose_answer_was_rewritten_keeps_its_id(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    text = ("#flashcards\n\n### Why is the sky blue?\nShort wavelengths scatter more.\n\n"
            "Colour of the sky::blue\n")
    write_note(vault, "Sky.md", text)
    col = tmp_path / "c.db"
    cli("--collection", col, "import", vault)
    before = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    write_note(vault, "Sky.md", text.replace(
        "Short wavelengths scatter more.",
        "Rayleigh: air molecules redirect blue light far more than red, in all directions.")
        .replace("::blue", "::a pale blue by day"))
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["cards"] == {"added": 0, "updated": 2, "orphaned": 0}
    after = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    assert after == before


def test_two_cards_with_the_same_front_are_not_matched_by_it(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Q.md", "#flashcards\n\nQ::first answer\nQ::second answer\n")
    col = tmp_path / "c.db"
    cli("--collection", col, "import", vault)
    before = {c["back"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    write_note(vault, "Q.md", "#flashcards\n\nQ::entirely different text one\n"
                              "Q::something else altogether two\n")
    cli("--collection", col, "import", vault)
    after = {c["back"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    assert not set(after.values()) & set(before.values())  # which was which cannot be told
    assert re.search(r"entirely", " ".join(after))
