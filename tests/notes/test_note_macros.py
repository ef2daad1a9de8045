"""A note's own LaTeX macros (`\\newcommand` & co. in its math, the vault's `preamble.sty`)
are expanded in its cards' formulas, as Obsidian's MathJax shows them (PARSER_VERSION 31)."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings, strategies as st

from flashdeck.notes import _derived, parser
from flashdeck.collection import importer
from flashdeck.notes.parser import parse_note
from flashdeck.texmacros import (MAX_TOKENS, MacroOverflow, expand_formula, expand_text,
                                 read_definitions)
from tests.support.notes import write_note

# a note as an ML student writes one: a block of definitions at the top, then the notes
KERNEL = r"""---
tags: [flashcards/ml]
---
$$
\newcommand{\R}{\mathbb{R}}
\newcommand{\inner}[2]{\left\langle #1, #2 \right\rangle}
\DeclareMathOperator*{\argmax}{arg\,max}
\def\phi#1{\varphi(#1)}
$$

# Kernels

A kernel on $\mathcal{X} \subseteq \R^d$ is an inner product after a feature map:

$$k(x, y) = \inner{\phi{x}}{\phi{y}}$$

## Which $\alpha$ does the SVM dual pick?

$$\alpha^* = \argmax_{\alpha \in \R^n} \sum_i \alpha_i$$

Feature space::$\phi{x} \in \R^D$
"""


def _cards(text: str, preamble: str = ""):
    note = parse_note(text, "Kernels.md", parser.ParserSettings(preamble=preamble))
    return note, {c.front: c for c in note.cards}


def test_a_notes_definitions_are_expanded_in_every_card_and_make_no_card():
    note, cards = _cards(KERNEL)
    assert not [p for p in note.problems if p.severity == "error"]
    # the block of definitions is no card ("What is the formula for Kernels?" before)
    assert all("newcommand" not in c.front + c.back for c in note.cards)
    assert len(note.cards) == 4
    formula = cards[r"*Kernels*: $k(x, y)$ = ?"]
    assert formula.back == (r"$$k(x, y) = \left\langle \varphi(x), \varphi(y) \right\rangle$$")
    question = cards[r"Which $\alpha$ does the SVM dual pick?"]
    assert question.back == (r"$$\alpha^* = \operatorname*{arg\,min}_{\alpha \in \mathbb{R}^n}"
                             r" \sum_i \alpha_i$$".replace("min", "max"))
    basic = cards["Feature space"]
    assert basic.back == r"$\varphi(x) \in \mathbb{R}^D$"


def test_the_cards_show_as_the_note_does(cli, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "Kernels.md", KERNEL)
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    listed = cli("--collection", col, "list").out
    assert "k(x, y) = ?" in listed and "newcommand" not in listed
    card = next(c for c in cli("--collection", col, "list", "--json").json
                if c["front"].startswith("Which"))
    shown = cli("--collection", col, "show", card["id"], "--answer").out
    assert "arg max" in shown and "ℝⁿ" in shown
    assert "argmax" not in shown and "R(" not in shown


def test_a_macro_used_above_its_definition_and_redefined_below():
    text = ("#flashcards\n\nFirst::$\\V$\n\n$$\\newcommand{\\V}{\\mathbf{v}}$$\n\n"
            "Second::$\\V$\n\n$$\\renewcommand{\\V}{\\vec{v}}$$\n\nThird::$\\V$\n")
    _note, cards = _cards(text)
    # above every definition: the first one the note makes (Obsidian keeps it once shown)
    assert cards["First"].back == r"$\mathbf{v}$"
    assert cards["Second"].back == r"$\mathbf{v}$"
    assert cards["Third"].back == r"$\vec{v}$"


def test_the_vaults_preamble_and_an_optional_argument(cli, tmp_path):
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "preamble.sty").write_text(
        "% Extended MathJax preamble\n\\newcommand{\\E}{\\mathbb{E}}\n"
        "\\newcommand{\\expect}[2][]{\\E_{#1}\\left[#2\\right]}\n"
        "\\def\\broken#1.{x}\n", encoding="utf-8")
    write_note(vault, "stats/Risk.md", "#flashcards/stats\n\n"
               "Risk::$\\expect[(x,y)]{\\ell(f(x), y)}$\n\nMean::$\\expect{X} = \\mu$\n")
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 0
    # the definition not read is named by file and line, and the rest is used
    assert "preamble.sty:4: warning: \\def not read (delimited arguments" in result.err
    backs = {c["front"]: c["back"] for c in cli("--collection", col, "list", "--json").json}
    assert backs["Risk"] == r"$\mathbb{E}_{(x,y)}\left[\ell(f(x), y)\right]$"
    assert backs["Mean"] == r"$\mathbb{E}_{}\left[X\right] = \mu$"
    # a changed preamble reads every note again (the notes themselves did not change)
    (vault / "preamble.sty").write_text("\\newcommand{\\E}{\\operatorname{E}}\n"
                                        "\\newcommand{\\expect}[1]{\\E #1}\n", encoding="utf-8")
    assert cli("--collection", col, "import", vault).code == 0
    backs = {c["front"]: c["back"] for c in cli("--collection", col, "list", "--json").json}
    assert backs["Mean"] == r"$\operatorname{E} X = \mu$"


def test_a_card_keeps_its_id_and_history_from_the_parser_that_did_not_expand(
        cli, tmp_path, monkeypatch):
    """Cards imported by PARSER_VERSION 30 (macros as written, a block of definitions asked
    as a formula) keep their ids and reviews when 31 expands their macros."""
    vault = tmp_path / "vault"
    write_note(vault, "Kernels.md", KERNEL)
    # a formula that defines a macro and uses it: its card's front and back both change
    write_note(vault, "Entropy.md", "#flashcards/ml\n\n"
               "$$\\newcommand{\\KL}{D_{\\mathrm{KL}}} H(p, q) = H(p) + \\KL(p \\| q)$$\n\n"
               "## Why is $\\KL$ no distance?\n\n$\\KL(p\\|q) \\ne \\KL(q\\|p)$\n")
    col = tmp_path / "c.sqlite"
    with monkeypatch.context() as old:  # the parser before: no macro read anywhere
        old.setattr(parser, "might_define", lambda text: False)
        old.setattr(_derived, "might_define", lambda text: False)
        old.setattr(importer, "PARSER_VERSION", 30)
        assert cli("--collection", col, "import", vault).code == 0
        before = cli("--collection", col, "list", "--json").json
    assert any("newcommand" in c["back"] for c in before)
    for card in before:
        assert cli("--collection", col, "answer", card["id"], "good").code == 0
    assert cli("--collection", col, "import", vault).code == 0
    after = cli("--collection", col, "list", "--json").json
    assert all("newcommand" not in c["front"] + c["back"] for c in after)
    kept = {c["id"] for c in after}
    # every card but the block of definitions kept its id, and its review
    definitions_only = [c["id"] for c in before if c["back"].startswith("$$\n\\newcommand")]
    assert kept == {c["id"] for c in before} - set(definitions_only)
    assert len(definitions_only) == 1 and len(after) == len(before) - 1
    with sqlite3.connect(col) as conn:
        reviewed = {row[0] for row in conn.execute("SELECT DISTINCT card_id FROM reviews")}
    assert kept <= reviewed
    assert all(c["state"] != "new" for c in after)


def test_a_macro_without_end_is_said_and_shown_as_written():
    text = ("#flashcards\n\n$$\\def\\loop{\\loop x} \\def\\grow{\\grow\\grow}$$\n\n"
            "Loop::$\\loop$\n\nGrow::$a + \\grow$\n\nFine::$x$\n")
    note, cards = _cards(text)
    assert cards["Loop"].back == r"$\loop$"
    assert cards["Grow"].back == r"$a + \grow$"
    assert cards["Fine"].back == "$x$"
    said = [str(p) for p in note.problems]
    assert any(s.startswith("Kernels.md:5: the macro \\loop expands without end") for s in said)
    assert any("\\grow expands without end" in s for s in said)


def test_definitions_inside_code_are_code():
    text = ("#flashcards\n\n```latex\n$\\newcommand{\\R}{X}$\n```\n\n"
            "`$\\def\\R{Y}$`\n\nReals::$\\R$\n")
    _note, cards = _cards(text, preamble="\\newcommand{\\R}{\\mathbb{R}}")
    assert cards["Reals"].back == r"$\mathbb{R}$"


_TOKENS = st.sampled_from([r"\a", r"\b", r"\c", "x", "{", "}", "#1", "#2", " ", "[", "]", "^"])


@settings(max_examples=300, deadline=None)
@given(bodies=st.lists(st.lists(_TOKENS, max_size=12), min_size=1, max_size=3),
       nargs=st.lists(st.integers(0, 2), min_size=3, max_size=3),
       use=st.lists(_TOKENS, max_size=20))
def test_expansion_always_ends_within_its_bound(bodies, nargs, use):
    """Any definitions (recursive, doubling, unbalanced) and any use: the expansion ends,
    with a result no longer than the bound, or says which macro ran away."""
    names = [r"\a", r"\b", r"\c"]
    source = "".join(f"\\newcommand{{{names[k]}}}[{nargs[k]}]{{{''.join(body)}}}"
                     for k, body in enumerate(bodies)) + "".join(use)
    try:
        out = expand_formula(source, {})
    except MacroOverflow as e:
        assert e.name in names
        return
    assert len(out) <= 4 * MAX_TOKENS
    text, overflow = expand_text(f"see ${source}$ here", {})
    assert isinstance(text, str) and not overflow


def test_definitions_read_and_left():
    macros, rest, problems = read_definitions(
        r"\newcommand*{\N}{\mathbb{N}} \providecommand\Z{\mathbb{Z}} x \newcommand{\bad}[12]{y}")
    assert [m.name for m in macros] == [r"\N", r"\Z"]
    assert rest.split() == [r"x", r"\newcommand{\bad}[12]{y}"]
    assert problems == [r"\newcommand not read (the number of arguments is not 0 to 9)"]
    env = {m.name: m for m in macros}
    assert expand_formula(r"\N\subset\Z", env) == r"\mathbb{N}\subset\mathbb{Z}"
    # a control word a macro leaves before a letter keeps apart from it
    macros, _rest, _ = read_definitions(r"\def\s{\sigma}")
    assert expand_formula(r"\s x", {m.name: m for m in macros}) == r"\sigma x"


def test_definitions_in_a_callout_and_a_list_item_and_let_and_paired_delimiters():
    text = ("#flashcards/ml\n\n> [!note] Notation\n> $$\n> \\newcommand{\\R}{\\mathbb{R}}\n"
            "> \\let\\epsilon\\varepsilon\n> \\DeclarePairedDelimiter{\\abs}{\\lvert}{\\rvert}\n"
            "> $$\n\n- $$\\def\\N{\\mathbb{N}}$$\n\nLet $\\def\\Z{\\mathbb{Z}}$ be given.\n\n"
            "## What is $\\epsilon$-closeness in $\\R^n$?\n\n"
            "$\\abs*{x - y} < \\epsilon$ for $n \\in \\N$, $k \\in \\Z$.\n")
    note, cards = _cards(text)
    # the callout of definitions is no formula card ("What is the formula for … Notation?")
    assert [c.kind for c in note.cards] == ["question"]
    [card] = note.cards
    assert card.front == r"What is $\varepsilon$-closeness in $\mathbb{R}^n$?"
    assert card.back == (r"$\left\lvert x - y\right\rvert < \varepsilon$ for $n \in \mathbb{N}$,"
                         r" $k \in \mathbb{Z}$.")
    assert not note.problems


def test_let_keeps_the_meaning_a_command_had():
    macros, _rest, _ = read_definitions(
        r"\let\oldvec\vec \renewcommand{\vec}[1]{\oldvec{\mathbf{#1}}}")
    env: dict = {}
    from flashdeck.texmacros import define
    for m in macros:
        define(env, m)
    # no loop: \oldvec is the \vec of before
    assert expand_formula(r"\vec{v}", env) == r"\vec{\mathbf{v}}"


def test_a_question_answer_loses_only_the_definitions():
    """The block of definitions is taken out of the answer with its blank line; a code
    block's own blank lines and the rest are kept."""
    text = ("#flashcards\n\n## Why does the code print $\\R$?\n\nBecause:\n\n"
            "```python\nprint('R')\n\n\n\nprint('done')\n```\n\n"
            "$$\\newcommand{\\R}{\\mathbb{R}}$$\n\nLet $\\def\\Z{\\mathbb{Z}}$ be $\\Z$.\n")
    _note, cards = _cards(text)
    card = cards[r"Why does the code print $\mathbb{R}$?"]
    assert card.back == ("Because:\n\n```python\nprint('R')\n\n\n\nprint('done')\n```\n\n"
                         "Let be $\\mathbb{Z}$.")


_FRAGMENTS = st.sampled_from([
    "#flashcards\n", "\n", "$$", "$", "\\newcommand{\\R}{\\mathbb{R}}", "\\def\\a{\\a\\a}",
    "\\renewcommand{\\b}[2][x]{#1#2\\b}", "\\let\\c\\R", "\\DeclareMathOperator*{\\m}{max}",
    "\\R", "\\a", "\\b{y}", "\\c", "\\m_x", "Q::", "## Why?\n", "x = ", "{", "}", "[", "```\n",
    "> ", "- ", "==cloze==", "\\DeclarePairedDelimiter\\n{|}{|}", "\\n*{x}",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40), st.sampled_from(["", "\\newcommand{\\R}{X}\n\\a"]))
def test_any_note_with_macros_parses_without_an_internal_error(parts, preamble):
    note = parse_note("".join(parts), "n.md", parser.ParserSettings(preamble=preamble))
    assert not [p for p in note.problems if "internal error" in p.message]
    for card in note.cards:
        assert "\ue000" not in card.front + card.back


def test_the_review_screen_shows_a_card_with_the_notes_macros(cli, tmp_path, monkeypatch):
    from support.tui import NOW_ISO, app_for, run_async, screen_text

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    vault = tmp_path / "vault"
    write_note(vault, "Kernels.md", KERNEL.replace("Feature space::", "%% no card %%"))
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0

    @run_async
    async def run():
        app = app_for(col)
        async with app.run_test(size=(80, 24)) as pilot:
            seen = []
            for _ in range(3):
                await pilot.press("space")
                await pilot.pause()
                seen.append(screen_text(app))
                await pilot.press("3")
                await pilot.pause()
            text = "\n".join(seen)
            assert "k(x, y) = ⟨ϕ(x), ϕ(y)⟩" in text.replace("φ", "ϕ")
            assert "arg max" in text and "ℝⁿ" in text
            assert "newcommand" not in text and "inner(" not in text and "argmax" not in text

    run()
