"""`flashdeck show` prints a card as the review screen shows it; `flashdeck list` is one
readable line a card, sized to the terminal."""

from __future__ import annotations

import io
import json

import pytest

from support.notes import write_note
from flashdeck.mathtext.layout import cell_width
from flashdeck.tui.content import back, front

NOTE = """---
tags: [flashcards/statistics/set-similarity-measures-and-friends]
---
# Jaccard Index

## Why is the Jaccard index stricter than accuracy?
> [!tip] Overlap over union
> It compares two sets, see [[Set Theory|sets]] and ![[venn-diagram.png]].

The Jaccard index is also called ==intersection over union== in segmentation.

## $J$ with the counts
$$J=\\frac{|A\\cap B|}{|A\\cup B|}=\\frac{|A\\cap B|}{|A|+|B|-|A\\cap B|}=\\frac{TP}{TP+FP+FN}$$
"""


@pytest.fixture()
def col(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    monkeypatch.setenv("TZ", "UTC")
    write_note(tmp_path / "vault", "Jaccard Index.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    return path


def card_id(cli, col, start: str) -> int:
    cards = cli("--collection", col, "list", "--json").json
    return next(c["id"] for c in cards if c["front"].startswith(start))


def test_show_prints_callouts_links_clozes_and_embeds_as_the_review_screen(cli, col):
    callout = card_id(cli, col, "Why is the Jaccard")
    shown = cli("--collection", col, "show", callout, "--answer")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert "Why is the Jaccard index stricter than accuracy?" in lines
    assert "▌ Tip: Overlap over union" in lines  # a labelled block, not `[!tip]`
    # the vault has no such image: `show` says so (tests/cli/test_show_images.py: found)
    assert "▌ It compares two sets, see sets and [image: venn-diagram.png — not found]." \
        in lines
    assert "[[" not in shown.out and "[!" not in shown.out and "![[" not in shown.out
    assert "\x1b" not in shown.out  # piped: plain text
    assert not any(line.endswith(" ") for line in lines)

    cloze = card_id(cli, col, "The Jaccard index is also called")
    question = cli("--collection", col, "show", cloze)
    assert "The Jaccard index is also called [...] in segmentation." in question.out
    answer = cli("--collection", col, "show", cloze, "--answer")
    assert ("The Jaccard index is also called intersection over union in segmentation."
            in answer.out.splitlines())
    assert "==" not in answer.out
    assert not any(line.endswith(" ") for line in answer.out.splitlines())


def test_show_says_what_the_screen_says(cli, col):
    """The same card text module: what `show` prints is the screen's text, less markdown."""
    from flashdeck.collection.cards import get_card
    from flashdeck.collection.store import Collection

    callout = card_id(cli, col, "Why is the Jaccard")
    with Collection.open(col) as opened:
        card = get_card(opened, callout)
    screen = back(card)
    assert "**Tip: Overlap over union**" in screen
    assert r"\[image: venn\-diagram\.png\]" in screen and "see sets" in screen
    assert front(card) == "Why is the Jaccard index stricter than accuracy?"


def test_show_on_a_terminal_highlights_cloze_answers(col, monkeypatch):
    from flashdeck.collection.cards import get_card
    from flashdeck.collection.store import Collection
    from flashdeck.render import print_card

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    with Collection.open(col) as opened:
        cloze = next(c for c in (get_card(opened, i) for i in range(1, 4)) if c.kind == "cloze")
    out = Terminal()
    print_card(cloze, answer=True, file=out, width=60)
    text = out.getvalue()
    assert "\x1b[1;7mintersection over union" in text  # bold, reversed
    visible = [line for line in text.splitlines() if line.strip("\x1b[0m ")]
    assert not any(line.endswith(" ") for line in visible)


def test_show_highlights_the_cloze_answer_and_no_url_padding(cli, tmp_path, monkeypatch):
    """A base64 `==` in a URL is no deletion: neither cut out of the link nor shown as the
    answer's highlight (its two `==` took the highlight and broke the URL)."""
    from flashdeck.collection.cards import get_card
    from flashdeck.collection.store import Collection
    from flashdeck.render import print_card

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    url = "https://example.org/view?id=YWJj==&sig=ZGVm=="
    write_note(tmp_path / "vault", "Optimizers.md",
               f"#flashcards/ml\n\nThe paper at {url} introduced ==Adam== in 2014.\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", tmp_path / "vault").code == 0
    shown = cli("--collection", col, "show", "1", "--answer")
    assert shown.code == 0
    assert shown.out.count(url) == 2  # front and back, whole
    with Collection.open(col) as opened:
        card = get_card(opened, 1)
    out = Terminal()
    print_card(card, answer=True, file=out, width=200)
    text = out.getvalue()
    assert "\x1b[1;7mAdam" in text  # the answer is the highlight
    assert "ZGVm" in text and "\x1b[1;7m&sig" not in text


def test_show_width_breaks_display_math_at_its_equals(cli, col):
    formula = card_id(cli, col, "*Jaccard Index*: $J$")
    wide = cli("--collection", col, "show", formula, "--answer", "--width", "120")
    row = next(line for line in wide.out.splitlines() if line.lstrip().startswith("J = "))
    assert row.count(" = ") == 3  # laid out whole: it fits

    narrow = cli("--collection", col, "show", formula, "--answer", "--width", "40")
    lines = narrow.out.splitlines()
    assert narrow.code == 0
    assert all(cell_width(line) <= 40 for line in lines)
    equals = [line for line in lines if line.lstrip().startswith("= ")]
    assert 1 <= len(equals) <= 2  # forms side by side while they fit
    first = next(line for line in lines if line.lstrip().startswith("J = "))
    assert {line.index("=") for line in equals} == {first.index("=")}  # aligned
    assert "TP + FP + FN" in narrow.out
    assert "Jaccard Index: J = ?" in narrow.out  # inline math as Unicode


@pytest.mark.parametrize("width", ["0", "-3", "abc", "１２０"])
def test_show_width_must_be_a_number_of_columns(cli, col, width):
    result = cli("--collection", col, "show", "1", "--width", width)
    assert result.code == 2
    assert "--width" in result.err


def test_list_fits_a_narrow_terminal(cli, col, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    rows = cli("--collection", col, "list").out.splitlines()
    assert rows
    assert all(cell_width(row) <= 60 for row in rows)
    assert not any(row.endswith(" ") for row in rows)
    cloze = next(row for row in rows if "The Jaccard index" in row)
    ident, due, deck, text = cloze.split(maxsplit=3)
    assert due == "new"
    assert deck.startswith("flashcards/") and deck.endswith("…")  # cut, not run into the front
    assert text.startswith("The Jaccard index is") and text.endswith("…")
    formula = next(row for row in rows if "Jaccard Index:" in row)
    assert formula.endswith("Jaccard Index: J = ?")  # math rendered, no `$` nor `*`


def test_list_shows_when_each_card_is_due(cli, col, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    first = card_id(cli, col, "Why is the Jaccard")
    assert cli("--collection", col, "answer", first, "easy").code == 0
    cloze = card_id(cli, col, "The Jaccard index is also called")
    assert cli("--collection", col, "answer", cloze, "again").code == 0
    rows = {int(r.split()[0]): r for r in cli("--collection", col, "list").out.splitlines()}
    due = {c["id"]: c["due"] for c in cli("--collection", col, "list", "--json").json}
    from datetime import datetime

    day = datetime.fromisoformat(due[first]).strftime("%Y-%m-%d")
    assert rows[first].split()[1] == day
    assert rows[cloze].split()[1] == "2026-11-24"  # again: in a minute, today
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T10:00:00+00:00")
    rows = {int(r.split()[0]): r for r in cli("--collection", col, "list").out.splitlines()}
    assert rows[cloze].split()[1] == "now"


def test_list_json_is_unchanged(cli, col):
    cards = json.loads(cli("--collection", col, "list", "--json").out)
    assert set(cards[0]) == {"id", "deck", "note", "line", "kind", "front", "back", "state",
                             "due", "suspended"}
    assert any(c["front"] == "*Jaccard Index*: $J$ = ?" for c in cards)  # the source


def test_a_formula_stated_as_an_estimate_or_bound_is_asked_by_its_left_hand_side(cli, tmp_path):
    """`≈`, `\\le`, `\\sim` … relate a left-hand side to its value as `=` does: the card asks
    "log₂(n!) ≈ ?", not "What is the formula for *Sorting › Bounds*?"."""
    vault = tmp_path / "v"
    write_note(vault, "Sorting.md", "#flashcards\n\n## Bounds\n\n"
               "$$\\log_2(n!) \\approx n\\log_2 n$$\n\n"
               "## Growth\n\n$$T(n) \\le c \\cdot n \\log n$$\n\n"
               "## Noise\n\n$$\\varepsilon \\sim \\mathcal{N}(0, \\sigma^2)$$\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    fronts = [c["front"] for c in cli("--collection", col, "list", "--json").json]
    assert fronts == ["*Sorting*: $\\log_2(n!)$ ≈ ?", "*Sorting*: $T(n)$ ≤ ?",
                      "*Sorting*: $\\varepsilon$ ∼ ?"]
    shown = cli("--collection", col, "show", "1").out
    assert "Sorting: log₂(n!) ≈ ?" in shown
    assert "What is the formula" not in shown


def test_a_card_whose_source_row_is_gone_is_listed_marked_as_due_counts_it(cli, tmp_path):
    """A collection that lost a row of `sources` (doctor names it): `due` counts its cards,
    so `list` and `list --json` show them too, marked, and `show`/`info` find them."""
    import sqlite3

    vault = tmp_path / "Biology"
    write_note(vault, "Cells.md", "#flashcards/bio\n\nPowerhouse of the cell::mitochondrion\n")
    loose = write_note(tmp_path / "loose", "Krebs.md",
                       "#flashcards/bio\n\nKrebs cycle happens in::the matrix\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    assert cli("--collection", col, "import", loose).code == 0
    conn = sqlite3.connect(col)
    conn.execute("DELETE FROM sources WHERE kind = 'file'")  # foreign keys are off by default
    conn.commit()
    conn.close()
    assert "row of notes points to a missing row of sources" in \
        cli("--collection", col, "doctor").out

    due = cli("--collection", col, "due").out
    assert [line.split() for line in due.splitlines() if line.startswith("total")] == \
        [["total", "2", "0", "0"]]
    listed = cli("--collection", col, "list").out.splitlines()
    assert len(listed) == 2
    assert listed[0].endswith("Powerhouse of the cell")
    assert listed[1].endswith("(source missing) Krebs cycle happens in")
    rows = cli("--collection", col, "list", "--json").json
    assert [(r["front"], r.get("source_missing", False)) for r in rows] == [
        ("Powerhouse of the cell", False), ("Krebs cycle happens in", True)]
    assert rows[0]["note"] == str(vault / "Cells.md") and rows[1]["note"] == "Krebs.md"
    assert [r["id"] for r in cli("--collection", col, "list", "--due", "--json").json] \
        == [r["id"] for r in rows]
    lost = rows[1]["id"]
    shown = cli("--collection", col, "show", lost)
    assert shown.code == 0 and "Krebs cycle happens in" in shown.out
    assert "source missing" in cli("--collection", col, "info", lost).out
