"""Derived cards read as a user reads them, on notes written the way the user writes them:
no card that asks for the title's own spelling, no summary lost for being a list, formulas
asked by what they compute (not by their condition), two formulas of one name told apart
by their sentence, and footnotes with the answer that cites them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from support.notes import write_note
from flashdeck.notes._latex import equation_names
from flashdeck.notes.parser import parse_note

NOTES = Path(__file__).parents[1] / "fixtures" / "derived"


def cards_of(name: str) -> dict[int, tuple[str, str, str]]:
    path = NOTES / name
    note = parse_note(path.read_text(encoding="utf-8"), str(path))
    assert note.problems == []
    return {c.line: (c.kind, c.front, c.back) for c in note.cards}


def imported(cli, tmp_path: Path, notes: dict[str, str]) -> list[dict]:
    vault = tmp_path / "vault"
    for name, text in notes.items():
        write_note(vault, name, text)
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 0, result.out
    return cli("--collection", col, "list", "--json").json


# --- aliases: the title's own spellings are no other name

@pytest.mark.parametrize(("title", "aliases"), [
    ("p-values", "[p-value, P Value]"),
    ("Enzymes", "Enzyme"),
    ("Confidence Intervals", "[Confidence Interval, confidence-interval]"),
    ("Newton's Method", "[Newtons Method, newton method]"),
    ("Probabilities", "[probability]"),
    ("Hash Boxes", "[hash box]"),
    ("Image Sauces", "[image sauce, Images Sauce]"),
    ("Matches", "[match]"),
])
def test_an_alias_that_only_spells_the_title_otherwise_gives_no_card(
        cli, tmp_path, title, aliases) -> None:
    cards = imported(cli, tmp_path, {f"{title}.md": (
        f"---\ntags: [flashcards]\naliases: {aliases}\nsummary: s\n---\n\nText.\n")})
    assert [c["kind"] for c in cards] == ["summary"]


def test_other_names_stay_beside_the_titles_own_spellings() -> None:
    kind, front, back = cards_of("Newton's Method.md")[3]
    assert (kind, front, back) == (
        "aliases", "What is another name for *Newton's Method*?", "Newton-Raphson")


@pytest.mark.parametrize(("title", "alias"), [
    ("Mean", "Median"), ("RNA", "Ribonucleic Acid"), ("Sets", "Set Theory"), ("∑", "→"),
    ("Gradient Descent", "Steepest Descent"), ("Bayes' Theorem", "Bayes' Law"),
    ("Mode", "Mod"), ("Learning Rate", "Learning Rat"), ("Notes", "Not"),
])
def test_a_real_other_name_is_kept(title, alias) -> None:
    note = parse_note(f"---\naliases: [{alias}, '⇒']\n---\n", f"{title}.md")
    assert [c.back for c in note.cards if c.kind == "aliases"] == [f"{alias}, ⇒"]


# --- summary: a list of points is a summary, anything else says why it is no card

def test_a_summary_written_as_a_list_is_a_card_of_its_points(cli, tmp_path) -> None:
    assert cards_of("Newton's Method.md")[4] == (
        "summary", "What is meant by *Newton's Method*?",
        "- finds a root of a differentiable function by following its tangent line\n"
        "- converges quadratically near a simple root")
    cards = imported(cli, tmp_path, {"Sourdough Starters.md": (
        "---\ntags: [flashcards]\nsummary: [a culture of wild yeast, kept alive by feeding]\n"
        "---\n\nFeed it flour and water.\n")})
    assert [(c["kind"], c["back"]) for c in cards] == [
        ("summary", "- a culture of wild yeast\n- kept alive by feeding")]


def test_a_summary_that_is_no_text_is_a_warning_naming_its_line(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Roux.md", "---\ntags: [flashcards]\nsummary:\n  fat: butter\n"
                                 "  starch: flour\n---\n\n## Why cook the flour?\nTo lose its "
                                 "raw taste.\n")
    result = cli("--collection", tmp_path / "c.sqlite", "import", vault)
    assert result.code == 0
    assert ("Roux.md:3: warning: summary is not text or a list of points; no summary card"
            in result.err)
    cards = cli("--collection", tmp_path / "c.sqlite", "list", "--json").json
    assert [c["front"] for c in cards] == ["Why cook the flour?"]


# --- formulas: asked by what they compute

@pytest.mark.parametrize(("latex", "names"), [
    (r"\sigma(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}} \quad \text{for } i = 1, \dots, K",
     [r"\sigma(z)_i"]),
    (r"y_i = w x_i + b, \quad i = 1, \ldots, n", ["y_i"]),
    (r"y_i = w x_i + b \qquad \forall i = 1..n", ["y_i"]),
    (r"p(x) = \lambda e^{-\lambda x}, \quad \text{where } \lambda = 2", ["p(x)"]),
    (r"f(x) = x^2, \quad \text{if } x = 3", ["f(x)"]),
    (r"a = 1, \quad b = 2", ["a", "b"]),
    # the rows of a `cases` or matrix are one value's parts, not equations of their own
    (r"f(x) = \begin{cases} 1 & x = 0 \\ 2 & x = 1 \\ 0 & \text{otherwise} \end{cases}",
     ["f(x)"]),
    (r"A = \begin{pmatrix} a = 1 & b \\ c & d \end{pmatrix}, \quad B = I", ["A", "B"]),
    # an `=` inside brackets is part of the name
    (r"\Pr(X = k) = \binom{n}{k} p^k (1-p)^{n-k}", [r"\Pr(X = k)"]),
    (r"P(X \le x) = F(x)", [r"P(X \le x)"]),
])
def test_a_formulas_condition_or_range_is_not_asked_as_a_formula(latex, names) -> None:
    assert equation_names(latex) == names


def test_the_condition_of_a_formula_is_not_on_its_front() -> None:
    kind, front, _back = cards_of("Newton's Method.md")[17]
    assert (kind, front) == ("formula", "*Newton's Method*: $\\Delta_i$ = ?")


def test_two_formulas_of_one_name_are_told_apart_by_their_sentence(cli, tmp_path) -> None:
    cards = cards_of("Newton's Method.md")
    assert cards[9][1] == "*Newton's Method*: $x_{n+1}$ = ?"
    assert cards[13][1] == ("*Newton's Method*: To minimise a function instead, apply the same"
                            " step to its derivative: $x_{n+1}$ = ?")
    listed = imported(cli, tmp_path, {"Softmax.md": (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "$$\\sigma(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$$\n\n"
        "Numerically stable form:\n\n"
        "$$\\sigma(z)_i = \\frac{e^{z_i - \\max z}}{\\sum_j e^{z_j - \\max z}}$$\n")})
    assert [c["front"] for c in listed] == [
        "*Softmax*: $\\sigma(z)_i$ = ?", "*Softmax*: Numerically stable form: $\\sigma(z)_i$ = ?"]


# --- footnotes: with the answer that cites them, and nowhere else

def test_a_footnote_shows_with_the_answer_that_cites_it() -> None:
    cards = cards_of("Newton's Method.md")
    assert cards[19] == (
        "question", "Why can Newton's method diverge?",
        "If the start is far from the root, or $f'(x_n)$ is close to zero, the tangent sends"
        " the next guess far away.[^basin] Damping the step helps.\n\n[^basin]: The set of"
        " starts that reach a given root is its *basin of attraction*; it can be a fractal.")
    assert cards[22] == (
        "question", "Is Newton's method always faster than bisection?",
        "No.\n\nEach step needs the derivative, and it only converges near the root.[^cost]"
        "\n\n[^cost]: Counting the cost of $f'$, the secant method often wins.")
    # the definitions at the end of the note are not the last question's answer
    assert cards[25][2] == ("It replaces the Hessian with an estimate built from past"
                            " gradients (BFGS).")


def test_footnotes_in_the_review_as_the_user_sees_them(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"Rubicon.md": (
        "---\ntags: [flashcards]\n---\n\n## Why was crossing the Rubicon illegal?\n"
        "No general could bring his army into Italy.[^1]\n\n"
        "## What did Caesar say?\n*Alea iacta est*.\n\n"
        "[^1]: Suetonius, *Divus Julius* 31.\n")})
    by_front = {c["front"]: c for c in cards}
    col = tmp_path / "c.sqlite"
    said = cli("--collection", col, "show", by_front["What did Caesar say?"]["id"], "--answer")
    assert "Suetonius" not in said.out and "Alea iacta est" in said.out
    why = cli("--collection", col, "show",
              by_front["Why was crossing the Rubicon illegal?"]["id"], "--answer")
    assert "Suetonius, Divus Julius 31." in why.out


# --- question headings and callouts as the user writes them: tagged, in bold

def test_a_tagged_question_is_a_card_in_its_tags_deck_without_the_tag(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"Entropy.md": (
        "---\ntags: [flashcards]\n---\n\n"
        "## Why is [[Entropy|entropy]] maximal for a fair coin? #flashcards/info #todo\n"
        "Both outcomes are equally surprising.\n\n"
        "> [!faq] Is entropy ever negative? #flashcards/info/continuous\n"
        "> Not for a discrete distribution.\n\n"
        "> [!question] Can two distributions share it? Yes. #flashcards/info\n"
        "> Any permutation of the probabilities.\n\n"
        "## What does C# call a dictionary?\nA `Dictionary<K, V>`.\n")})
    assert [(c["deck"], c["front"], c["back"]) for c in cards] == [
        ("flashcards/info", "Why is [[Entropy|entropy]] maximal for a fair coin?",
         "Both outcomes are equally surprising."),
        ("flashcards/info/continuous", "Is entropy ever negative?",
         "Not for a discrete distribution."),
        ("flashcards/info", "Can two distributions share it?",
         "Yes.\n\nAny permutation of the probabilities."),
        ("flashcards/info", "What does C# call a dictionary?", "A `Dictionary<K, V>`."),
    ]


def test_a_question_heading_in_bold_is_a_card_and_a_bare_mark_is_none(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"Units.md": (
        "#flashcards\n\n## **What is the unit of entropy?**\nBits for a base-2 log.\n\n"
        "## _Why nats?_\nThe natural log.\n\n## ?\nA stray line.\n\n### Issue #42?\nFixed.\n")})
    assert [(c["front"], c["back"]) for c in cards] == [
        ("**What is the unit of entropy?**", "Bits for a base-2 log."),
        ("_Why nats?_", "The natural log."),
        ("Issue #42?", "Fixed."),
    ]


def test_an_alias_the_front_already_shows_is_no_other_name(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"ATP.md": (
        "---\ntags: [flashcards]\ntitle: ATP (Adenosine Triphosphate)\n"
        "aliases: ATP, adenosine triphosphate, Energy Currency\n---\n\nText.\n")})
    assert [(c["front"], c["back"]) for c in cards] == [
        ("What is another name for *ATP (Adenosine Triphosphate)*?", "Energy Currency")]


def test_a_question_heading_with_an_obsidian_comment_is_a_card(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"Rice.md": (
        "#flashcards\n\n## Why rinse rice? %%check the source%%\nIt removes surface starch.\n")})
    assert [(c["front"], c["back"]) for c in cards] == [
        ("Why rinse rice?", "It removes surface starch.")]


# --- HTML in an answer: renderers drop raw HTML blocks with their text; the text stays

def test_an_answer_written_in_html_shows_its_text(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"HTTP.md": (
        "#flashcards\n\n## What does 404 mean?\nNot found.<br>Retry with <kbd>F5</kbd>.\n\n"
        "<details><summary>More</summary>\n<b>410</b> means gone for good.\n</details>\n\n"
        "## What does 500 mean?\n<div align=\"center\">\nInternal server error.\n</div>\n\n"
        "<img src=\"codes/500.png\" alt=\"a broken server\">\n\n"
        "> <p>Quoted <i>text</i></p>\n")})
    col = tmp_path / "c.sqlite"
    shown = [cli("--collection", col, "show", c["id"], "--answer", "--width", "80").out
             for c in cards]
    assert "Not found.\nRetry with F5." in shown[0]
    assert "410 means gone for good." in shown[0]
    assert "Internal server error." in shown[1]
    assert "[image: a broken server (500.png)]" in shown[1]
    assert "Quoted text" in shown[1]
    assert "<" not in shown[0] + shown[1]


# --- `flashdeck: {derive: false}` misspelt: said, not silently ignored

@pytest.mark.parametrize(("options", "message"), [
    ("{drive: false}", "frontmatter 'flashdeck' has an unknown option 'drive' (known: derive);"
                       " ignored"),
    ("{derive: 'no'}", "frontmatter 'flashdeck: derive' is not true or false; cards are derived"
                       " as usual"),
    ("no-derive", "frontmatter 'flashdeck' is not a mapping of options (as in"
                  " `flashdeck: {derive: false}`); ignored"),
])
def test_misspelt_flashdeck_options_are_a_warning(cli, tmp_path, options, message) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Kimchi.md", f"---\ntags: [flashcards]\nsummary: fermented cabbage\n"
                                   f"flashdeck: {options}\n---\n\nText.\n")
    result = cli("--collection", tmp_path / "c.sqlite", "import", vault)
    assert result.code == 0
    assert f"Kimchi.md:4: warning: {message}" in result.err
    cards = cli("--collection", tmp_path / "c.sqlite", "list", "--json").json
    assert [c["kind"] for c in cards] == ["summary"]


@pytest.mark.parametrize("options", ["{derive: false}", "{derive: true}", "", "{}"])
def test_valid_or_empty_flashdeck_options_say_nothing(options) -> None:
    note = parse_note(f"---\nsummary: s\nflashdeck: {options}\n---\n", "N.md")
    assert note.problems == []
    assert [c.kind for c in note.cards] == ([] if "false" in options else ["summary"])


def test_two_formulas_of_one_name_keep_their_histories_when_reworded(cli, tmp_path) -> None:
    """An older flashdeck asked the first formula `σ(z)ᵢ = ? and for i = ?` and the second
    `σ(z)ᵢ = ?`: now the first is `σ(z)ᵢ = ?`, and it must not take the second's id (and
    history) for its front, when its back says which card it is."""
    first = ("$$\\sigma(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}} \\quad \\text{for } i = 1,"
             " \\dots, K$$")
    second = "$$\\sigma(z)_i = \\frac{e^{z_i - \\max z}}{\\sum_j e^{z_j - \\max z}}$$"
    cards = imported(cli, tmp_path, {"Softmax.md": (
        f"---\ntags: [flashcards]\nexercises: []\n---\n\n{first}\n\nNumerically stable form:\n\n"
        f"{second}\n")})
    col = tmp_path / "c.sqlite"
    ids = {c["back"]: c["id"] for c in cards}
    assert cli("--collection", col, "answer", ids[first], "good").code == 0
    with sqlite3.connect(col) as conn:  # as the older parser left them
        older = "*Softmax*: $\\sigma(z)_i$ = ?"
        for card_id, front in ((ids[first], older + " and $\\text{for } i$ = ?"),
                               (ids[second], older)):
            conn.execute("UPDATE cards SET front = ?, ckey = 'formula' || char(31) || ? ||"
                         " char(31) || back WHERE id = ?", (front, front, card_id))
        conn.execute("DELETE FROM meta WHERE key LIKE 'parse_stamp:%'")
    assert cli("--collection", col, "import", tmp_path / "vault").code == 0
    after = {c["id"]: c for c in cli("--collection", col, "list", "--json").json}
    assert after[ids[first]]["back"] == first and after[ids[first]]["state"] != "new"
    assert after[ids[first]]["front"] == "*Softmax*: $\\sigma(z)_i$ = ?"
    assert after[ids[second]]["back"] == second and after[ids[second]]["state"] == "new"


def test_a_question_callout_inside_another_is_out_of_its_answer(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"Autumn.md": (
        "#flashcards\n\n> [!question] Why do leaves change colour?\n"
        "> Chlorophyll breaks down in autumn.\n> > [!faq]- Which pigment makes leaves yellow?\n"
        "> > Carotenoids.\n>\n> Shorter days trigger it.\n")})
    assert [(c["front"], c["back"]) for c in cards] == [
        ("Why do leaves change colour?",
         "Chlorophyll breaks down in autumn.\n\nShorter days trigger it."),
        ("Which pigment makes leaves yellow?", "Carotenoids.")]


def test_footnotes_read_as_text_on_screen(cli, tmp_path) -> None:
    """No renderer here knows footnotes: `[^1]` showed raw, and a definition holding a URL
    was read as a link reference definition and vanished."""
    cards = imported(cli, tmp_path, {"Rubicon.md": (
        "---\ntags: [flashcards]\n---\n\n## Why was crossing the Rubicon illegal?\n"
        "No general could bring his army into Italy.[^1][^src]\n\n"
        "[^1]: Suetonius, *Divus Julius* 31.\n"
        "[^src]: https://en.wikipedia.org/wiki/Crossing_the_Rubicon\n")})
    shown = cli("--collection", tmp_path / "c.sqlite", "show", cards[0]["id"], "--answer",
                "--width", "100").out
    assert "into Italy.[1][src]" in shown
    assert "[1]: Suetonius, Divus Julius 31." in shown
    assert "[src]: https://en.wikipedia.org/wiki/Crossing_the_Rubicon" in shown
    assert "[^" not in shown


def test_an_answer_shows_a_bounded_number_of_footnotes() -> None:
    refs = "".join(f"[^{k}]" for k in range(50))
    defs = "\n".join(f"[^{k}]: source number {k}" for k in range(50))
    note = parse_note(f"#flashcards\n\n## Why?\nBecause.{refs}\n\n{defs}\n", "N.md")
    back = note.cards[0].back
    assert back.count("source number") == 20
    assert "[^0]: source number 0" in back and "[^19]: source number 19" in back


def test_a_formula_in_a_titled_callout_is_asked_by_its_title(cli, tmp_path) -> None:
    """Three formulas without a name or a heading read "What is the formula for X?", "(2)",
    "(3)": which one is asked cannot be told."""
    cards = imported(cli, tmp_path, {"Photosynthesis 🌱.md": (
        "#flashcards\n\n> [!example] Calvin cycle\n> $$3CO_2 + 9ATP + 6NADPH \\to G3P$$\n\n"
        "> [!note]- Overall\n> $$6CO_2 + 6H_2O \\to C_6H_{12}O_6 + 6O_2$$\n\n"
        "> [!tip] It runs uphill: $\\Delta G > 0$\n> $$\\Delta H - T\\Delta S > 0$$\n\n"
        "$$\\Delta G^\\circ = -nFE^\\circ$$\n")})
    assert [c["front"] for c in cards] == [
        "What is the formula for *Photosynthesis 🌱 › Calvin cycle*?",
        "What is the formula for *Photosynthesis 🌱 › Overall*?",
        "What is the formula for *Photosynthesis 🌱*?",  # a title stating it is left out
        "*Photosynthesis 🌱*: $\\Delta G^\\circ$ = ?",
    ]


def test_a_callout_with_obsidian_metadata_is_read_by_its_type(cli, tmp_path) -> None:
    """`> [!faq|wide]` styles the callout (Obsidian's callout metadata): it was no card, and
    `[!info|right]` showed raw in an answer."""
    cards = imported(cli, tmp_path, {"TCP.md": (
        "#flashcards\n\n## Why is TCP reliable?\n> [!info|right] Handshake\n"
        "> SYN, SYN-ACK, ACK.\n\n> [!faq|wide]- Why is UDP fast?\n> No handshake.\n")})
    assert [(c["front"], c["back"]) for c in cards] == [
        ("Why is TCP reliable?", "> [!info|right] Handshake\n> SYN, SYN-ACK, ACK."),
        ("Why is UDP fast?", "No handshake.")]
    shown = cli("--collection", tmp_path / "c.sqlite", "show", cards[0]["id"], "--answer",
                "--width", "80").out
    assert "Info: Handshake" in shown and "[!" not in shown


def test_a_note_in_the_users_style_gives_exactly_its_cards() -> None:
    """Every card of a note written as the user writes: title with a colon, a summary as a
    list, the title among its aliases, a tagged question, a commented one, callouts with
    metadata nested in each other, a bold question, HTML and footnotes."""
    cards = cards_of("Roman Republic: Magistrates.md")
    assert {line: card[:2] for line, card in cards.items()} == {
        4: ("aliases", "What is another name for *Roman Republic: Magistrates*?"),
        5: ("summary", "What is meant by *Roman Republic: Magistrates*?"),
        13: ("question", "Who were the consuls?"),
        16: ("question", "Could a consul be re-elected?"),
        19: ("question", "What could one consul do against the other?"),
        21: ("question", "What was that veto called?"),
        24: ("question", "**What did a censor do?**"),
    }
    assert cards[4][2] == "Cursus Honorum"
    assert cards[13][2] == ("Two magistrates elected each year who held *imperium*.[^livy]\n\n"
                            "[^livy]: Livy, *Ab Urbe Condita* 2.1.")
    assert cards[16][2] == "Only after ten years (a law of 342 BC)."
    assert cards[19][2] == "Veto him: each had *intercessio* over his colleague."
    assert cards[24][2].startswith("Kept the census")
    assert "Eighteen months" in cards[24][2] and "Livy" not in cards[24][2]


def test_a_heading_of_tags_only_keeps_its_text_as_context() -> None:
    note = parse_note("#flashcards\n\n## #flashcards/bio\n### Why is the sky blue?\nRayleigh.\n",
                      "Sky.md")
    assert [(c.front, c.breadcrumb, c.deck) for c in note.cards] == [
        ("Why is the sky blue?", ("#flashcards/bio",), "flashcards/bio")]


def test_an_inline_footnote_reads_as_a_bracketed_note(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"Rubicon.md": (
        "#flashcards\n\n## When did Caesar cross the Rubicon?\n"
        "In 49 BC^[Suetonius dates it to January] with one legion.\n")})
    shown = cli("--collection", tmp_path / "c.sqlite", "show", cards[0]["id"], "--answer",
                "--width", "100").out
    assert "In 49 BC (Suetonius dates it to January) with one legion." in shown


@pytest.mark.parametrize("body", [
    "## Why" + " #a" * 20_000 + " x?\ntext\n",  # tags, then not a tag: no trailing tags
    "> [!faq] Why?" + " #a" * 20_000 + " x\n> body\n",
    "## Why? #" + "a" * 60_000 + "!\ntext\n",
    "## Why?\n" + "[^" * 30_000 + "\n\n" + "[^a" * 20_000 + ": b\n",
])
def test_hostile_headings_and_footnotes_parse_in_one_pass(body) -> None:
    """Each of these took a minute or more (a regex tried again at every `#` or `[^`)."""
    note = parse_note("#flashcards\n\n" + body, "N.md")
    assert [p for p in note.problems if p.severity == "error"] == []


def test_hostile_footnotes_render_in_one_pass(cli, tmp_path) -> None:
    cards = imported(cli, tmp_path, {"N.md": "#flashcards\n\n## Why?\n" + "[^" * 30_000 + "\n"})
    shown = cli("--collection", tmp_path / "c.sqlite", "show", cards[0]["id"], "--answer")
    assert shown.code == 0 and "[^[^" in shown.out.replace("\n", "")
