"""What the review screen hands to the Markdown widget, and the session's summary line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.scheduling.engine import Counts
from flashdeck.inline import inline_paragraph
from flashdeck.tui.content import escape_markdown, obsidian_to_markdown, prepare
from flashdeck.scheduling.upcoming import Upcoming
from flashdeck.tui.session import Summary, format_duration


@pytest.mark.parametrize("source,shown", [
    ("see [[Precision and Recall]]", "see Precision and Recall"),
    ("see [[Precision and Recall|precision]]", "see precision"),
    ("see [[F1 Score#Definition]]", "see F1 Score › Definition"),
    ("see [[#Definition]]", "see Definition"),
    ("see [[F1 Score#^abc123]]", "see F1 Score"),
])
def test_wiki_links_read_as_their_text(source, shown):
    assert obsidian_to_markdown(source) == shown


def test_embeds_become_labelled_placeholders():
    assert obsidian_to_markdown("![[f1-curve.png]]") == r"\[image: f1\-curve\.png\]"
    assert obsidian_to_markdown("![[Other note]]") == r"\[embed: Other note\]"
    assert obsidian_to_markdown("![[pr_curve.PNG|300]]") == r"\[image: pr\_curve\.PNG\]"
    assert obsidian_to_markdown("![a curve](img/pr.png)") == r"\[image: a curve \(pr\.png\)\]"


def test_callouts_get_a_label_and_keep_their_body():
    source = "> [!NOTE] Why not the arithmetic mean?\n> It hides a bad recall."
    assert obsidian_to_markdown(source) == (
        "> **Note: Why not the arithmetic mean?**\n>\n> It hides a bad recall.")
    assert obsidian_to_markdown("> [!tip]-\n> fold me").startswith("> **Tip**\n>")
    assert obsidian_to_markdown("> [!faq] Why?").startswith("> **Question: Why?**")


def test_code_is_left_alone():
    source = "```python\nx = [[a]]  # ![[b.png]]\n```\nand `[[c]]` but [[d]]"
    assert obsidian_to_markdown(source) == (
        "```python\nx = [[a]]  # ![[b.png]]\n```\nand `[[c]]` but d")


def test_math_is_rendered_before_the_markdown_widget_sees_it():
    shown = prepare("The score $F_1$ is\n\n$$F_1 = \\frac{2PR}{P + R}$$\n")
    assert "F₁" in shown
    assert "$" not in shown and "\\frac" not in shown
    assert "```text" in shown  # display math as an aligned block


def test_control_characters_are_made_visible_and_markup_left_as_text():
    shown = prepare("[bold red]x[/] [@click=app.quit]y \x1b[31mred\x07")
    assert "\x1b" not in shown and "\x07" not in shown
    assert "␛[31mred␇" in shown
    assert "[bold red]x[/] [@click=app.quit]y" in shown


def test_escape_markdown_escapes_every_syntax_character():
    assert escape_markdown("*a_b* [c](d) `e` #f") == r"\*a\_b\* \[c\]\(d\) \`e\` \#f"


def test_format_duration():
    assert format_duration(7) == "7s"
    assert format_duration(125) == "2m 05s"
    assert format_duration(3725) == "1h 02m"


def test_summary_line():
    next_at = datetime(2026, 11, 24, 9, 10, tzinfo=timezone.utc)
    upcoming = Upcoming(later_today=2, next_at=next_at, tomorrow=14)
    summary = Summary(done=4, again=1, by_rating={1: 1, 2: 0, 3: 3, 4: 0}, seconds=95,
                      left=Counts(0, 2, 0), upcoming=upcoming)
    tz = timezone(timedelta(hours=1))
    assert summary.line(tz) == ("Reviewed 4 cards in 1m 35s, again 25%. Still due today: "
                                "2 learning. Next: 2 cards come back later today (the next at "
                                "10:10); 14 due tomorrow.")
    one = Summary(1, 0, {1: 0, 2: 0, 3: 1, 4: 0}, 6, Counts(0, 0, 0),
                  Upcoming(later_today=1, next_at=next_at, tomorrow=0))
    assert one.line(tz) == ("Reviewed 1 card in 6s, again 0%. Next: 1 card comes back later "
                            "today (the next at 10:10); 0 due tomorrow.")
    idle = Summary(0, 0, {1: 0, 2: 0, 3: 0, 4: 0}, 0, Counts(0, 0, 0), Upcoming(0, None, 3))
    assert idle.line(tz) == "No cards reviewed. Nothing more today; 3 due tomorrow."
    # quitting at once (or after undoing everything) with cards due: say so, not "nothing"
    waiting = Summary(0, 0, {1: 0, 2: 0, 3: 0, 4: 0}, 0, Counts(20, 0, 0), Upcoming(0, None, 0))
    assert waiting.line(tz) == ("No cards reviewed. Still due today: 20 new. Nothing comes back "
                                "later today; 0 due tomorrow.")


# -- the plain paragraph widget: only for text the Markdown widget would show as is ------------


def _markdown_widget_text(markdown: str) -> str | None:
    """What Textual's Markdown widget shows for `markdown` when it is one plain paragraph
    (its parser is markdown-it's "gfm-like"; it collapses whitespace runs); else None."""
    import re

    from markdown_it import MarkdownIt

    tokens = MarkdownIt("gfm-like").parse(markdown)
    if [t.type for t in tokens] != ["paragraph_open", "inline", "paragraph_close"]:
        return None
    children = tokens[1].children or []
    if any(child.type != "text" for child in children):
        return None
    return re.sub(r"\s+", " ", "".join(child.content for child in children))


def simple_text(markdown: str) -> str | None:
    """The text a one-line plain paragraph shows, or None when the markdown needs a parser
    or has inline markup: the plain part of the review screen's fast path
    (`inline_paragraph`, which also takes emphasis, code spans and escapes)."""
    if any(char in markdown for char in "\\`*_"):
        return None
    shown = inline_paragraph(markdown)
    return None if shown is None else shown[0]


@pytest.mark.parametrize("front", [
    "What does the F1 score measure?",
    "Question 0.0 with some words",
    "Is Dice the same as F1?",
    "F₁ = 2·P·R / (P + R): when is it 0?",
    "What is TP/FP, in words?",
    "Recall: how many of the real positives are found?",
    "A  question   with\tgaps",
])
def test_plain_one_line_fronts_skip_the_markdown_widget(front):
    assert simple_text(front) is not None
    assert simple_text(front) == _markdown_widget_text(front)


@pytest.mark.parametrize("markdown", [
    "What is **precision**?", "What is `x`?", "see [[Note]]", "a_b", "x < y", "AT&T",
    "# heading", "- item", "1. item", "2) item", "> quote", "    code", "---", "===",
    "see example.com", "mail me@example.org", "http://x", "www.x", "two\nlines",
    "price $5", "a | b", "~~gone~~", "trailing \\", "", "\n",
])
def test_anything_that_may_be_markdown_goes_to_the_markdown_widget(markdown):
    assert simple_text(markdown) is None


# mostly harmless pieces, so that many texts are accepted, and every kind of syntax among them
_PIECES = ["What", "is", "F1", "0.75", " ", " ", "  ", "?", ",", ":", "(", ")", "/", "'", '"',
           "-", "+", "=", "!", "₁", "·", "é", "\t", "*", "_", "#", ">", "|", "<", "&", "~",
           "`", "[", "]", "\\", "$", "@", "\n", "1.", "2)", "x.org", "http://", "www", ";;"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_simple_text_shows_what_the_markdown_widget_would(markdown):
    shown = simple_text(markdown)
    if shown is not None:
        assert shown == _markdown_widget_text(markdown)


# -- display math fitted to the card panel --------------------------------------------------------
CHAIN = (r"D=\frac{2|A\cap B|}{|A|+|B|}=\frac{2\,\text{overlap}}{\text{size of }A+\text{size of }B}"
         r"=\frac{2TP}{2TP+FP+FN}")


def test_prepare_breaks_wide_math_at_the_panel_width():
    whole = prepare(f"$${CHAIN}$$")
    fitted = prepare(f"$${CHAIN}$$", 40)
    assert max(len(line) for line in whole.splitlines()) > 40
    assert max(len(line) for line in fitted.splitlines()) <= 40
    assert "2TP + FP + FN" in fitted and "size of A + size of B" in fitted
    continuations = [line for line in fitted.splitlines() if line.lstrip().startswith("= ")]
    assert 1 <= len(continuations) <= 2


def test_math_width_leaves_the_code_block_padding_and_a_scrollbar():
    from flashdeck.tui.content import math_width

    assert math_width(72, 2) == 66
    assert math_width(8, 2) >= 10  # never nothing, however narrow
