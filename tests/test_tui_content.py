"""What the review screen hands to the Markdown widget, and the session's summary line."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from flashdeck.scheduling.engine import Counts
from flashdeck.tui.content import escape_markdown, obsidian_to_markdown, prepare
from flashdeck.tui.session import Summary, Upcoming, format_duration


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
    assert summary.line(tz) == ("Reviewed 4 cards in 1m 35s, again 25%. Next: 2 cards come "
                                "back later today (the next at 10:10); 14 due tomorrow.")
    idle = Summary(0, 0, {1: 0, 2: 0, 3: 0, 4: 0}, 0, Counts(0, 0, 0), Upcoming(0, None, 3))
    assert idle.line(tz) == "No cards reviewed. Nothing more today; 3 due tomorrow."
