"""A one-line card side with inline markup is drawn without the Markdown widget
(`content.inline_paragraph` and `widgets.CardText`): it must look exactly as the widget
draws it. Each card is drawn both ways, on a screen laid out as the review screen's card
panel, and the two screens compared cell by cell (text, colours, styles)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

import flashdeck.tui
from flashdeck.tui.content import inline_paragraph, prepare
from flashdeck.tui.widgets import CardSide, card_markdown_class
from support.tui import run_async

CSS = Path(flashdeck.tui.__file__).parent / "flashdeck.tcss"


class OneSide(App):
    """A card side in a panel styled as the review screen's (`flashdeck.tcss`)."""

    CSS_PATH = CSS

    def __init__(self, fast_text: bool, side: str, classes: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fast_text, self.side, self.side_classes = fast_text, side, classes

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="card"):
            yield CardSide(id=self.side, classes=self.side_classes, fast_text=self.fast_text)


async def _drawn(markdown: str, *, fast_text: bool, theme: str = "textual-dark",
                 ansi: bool = False, side: str = "front", classes: str = "",
                 size: tuple[int, int] = (80, 24)) -> tuple[str, bool]:
    """The screen showing `markdown`, and whether the Markdown widget drew it."""
    app = OneSide(fast_text, side, classes, ansi_color=ansi)
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        card_side = app.query_one(CardSide)
        await card_side.show(markdown)
        await pilot.pause()
        return app.export_screenshot(), bool(card_side.query("Markdown"))


FRONTS = {
    "emphasis": "What are other names for *Fixture Title 7*?",
    "underscore emphasis": "Is _this_ weighted, and how?",
    "strong": "What does **recall** leave out, exactly?",
    "nested": "Why is **the *harmonic* mean** used, not __the _arithmetic_ one__?",
    "inline code": "What does `frobnicate(xs, [1, 2])` return when `xs` is empty?",
    "code with spaces": "Compare `a  b` with `` a`b `` and `   `.",
    "inline math": r"What is $G_2$ when $A = B$ and $\frac{x+y}{z} \le \max(x, y)$?",
    "math in emphasis": r"Is *$\alpha_i^2 > 0$* always?",
    "wiki link": "How does [[Fixture Note|the fixture]] relate to [[Other Note#Part One]]?",
    "escapes": r"Is 2 \* 3 \= 6, and what are a\_b, \`tick\`, \[x\] and \\ here?",
    "looks like syntax": "Is a * b + c the same as 2 ** 3, snake_case_name or _ and __?",
    "intraword stars": "Does 2*3*4 equal 24?",
    "dunder": "What does __init__ do, and *args?",
    "unicode punctuation": "«*quoted*» and “*curly*”: which one?",
    "whitespace": "A  question   with\tgaps *and   words*, `kept  as is`",
    "long": "Why does the *weighted mean of two rates* equal the harmonic mean when the "
            "**distances** are equal, and what happens with `unequal distances` in the "
            "second *leg of the round trip*?",
    "link": "Where is this explained? [the docs](https://example.org/guide)",
    "strikethrough": "Is this ~~gone~~ or not?",
    "triple": "Is ***this*** both?",
}


@pytest.mark.parametrize("name", sorted(FRONTS))
@run_async
async def test_a_front_looks_the_same_without_the_markdown_widget(name):
    markdown = prepare(FRONTS[name])
    fast, fast_used_widget = await _drawn(markdown, fast_text=True)
    slow, slow_used_widget = await _drawn(markdown, fast_text=False)
    assert slow_used_widget
    assert fast == slow
    if name in ("link", "strikethrough", "triple", "intraword stars"):  # left to the widget on purpose
        assert fast_used_widget
    else:
        assert not fast_used_widget


@pytest.mark.parametrize("theme,ansi", [("textual-light", False), ("textual-dark", True)])
@pytest.mark.parametrize("name", ["inline code", "nested", "escapes"])
@run_async
async def test_same_in_other_themes(name, theme, ansi):
    markdown = prepare(FRONTS[name])
    fast, _ = await _drawn(markdown, fast_text=True, theme=theme, ansi=ansi)
    slow, _ = await _drawn(markdown, fast_text=False, theme=theme, ansi=ansi)
    assert fast == slow


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@run_async
async def test_a_cloze_answer_keeps_its_highlight(size):
    markdown = "The **harmonic mean** of *two* rates is `2ab/(a+b)`."
    fast, fast_used_widget = await _drawn(markdown, fast_text=True, side="back",
                                          classes="-cloze", size=size)
    slow, _ = await _drawn(markdown, fast_text=False, side="back", classes="-cloze", size=size)
    assert not fast_used_widget
    assert fast == slow
    plain, _ = await _drawn("The harmonic mean of two rates is 2ab/(a+b).", fast_text=True,
                            side="back", classes="-cloze", size=size)
    assert plain != fast  # the highlight is drawn at all


@run_async
async def test_switching_between_the_two_ways_leaves_nothing_behind():
    """A side drawn by the widget, then by the fast path, then by the widget again."""
    app = OneSide(True, "front", "")
    async with app.run_test(size=(80, 24)) as pilot:
        side = app.query_one(CardSide)
        await side.show(prepare(FRONTS["link"]))
        await pilot.pause()
        with_link = app.export_screenshot()
        await side.show(prepare(FRONTS["emphasis"]))
        await pilot.pause()
        assert "Fixture" in app.export_screenshot() and "docs" not in app.export_screenshot()
        await side.show(prepare(FRONTS["link"]))
        await pilot.pause()
        assert app.export_screenshot() == with_link


# -- the fast path's text and spans are the widget's, token for token ----------------------------
_PARSER = MarkdownIt("gfm-like")  # what Textual's Markdown widget parses with


def _widget_paragraph(markdown: str):
    """The text and spans the card's Markdown widget gives a one-paragraph text, else None
    (Textual's, but a no-break space kept: `inline.collapse_spaces`)."""
    tokens = _PARSER.parse(markdown)
    if [t.type for t in tokens] != ["paragraph_open", "inline", "paragraph_close"]:
        return None
    # the card's paragraph block (no-break spaces kept); its method uses no widget state
    paragraph = card_markdown_class().BLOCKS["paragraph_open"]
    content = paragraph._token_to_content(object.__new__(paragraph), tokens[1])
    spans = [(span.start, span.end, span.style) for span in content.spans]
    if not all(isinstance(style, str) and style.startswith(".") for _, _, style in spans):
        return None  # a link or an image: never the fast path's
    return content.plain, [(start, end, style[1:]) for start, end, style in spans]


_PIECES = ["What", "is", "F1", "0.75", " ", " ", "  ", "?", ",", ":", "(", ")", "/", "'", '"',
           "-", "+", "=", "!", "₁", "·", "é", "\t", "\u00a0", "\u3000", "—", "“", "€", "※",
           "*", "*", "**", "***", "_", "__", "`", "``", "\\", "\\*", "\\_", "\\`", "\\\\",
           "\\[", "\\.", "\\a", "#", ">", "|", "<", "&", "~", "[", "]", "$", "@", "1.", "2)",
           "x.org", "e.g.", "www", ";;", "a", "b", "ab_cd", "*a*", "_b_", "**c**", "`d`",
           "\n"]


def test_the_fast_path_gives_what_the_widget_would_on_random_text():
    rng = random.Random(20261130)
    accepted = 0
    for _ in range(6000):  # bounded: a fixed number of random texts, seeded
        markdown = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 16)))
        shown = inline_paragraph(markdown)
        if shown is None:
            continue
        accepted += 1
        assert shown == _widget_paragraph(markdown), repr(markdown)
    assert accepted > 500  # the comparison covers many texts, not a few


@pytest.mark.parametrize("markdown", [
    "- item", "* item", "*", "+ x", "1. item", "# heading", "> quote", "    code", "***",
    "_ _ _", "```code```", "two\nlines", "trailing \\", "a [link](x)", "<b>x</b>", "AT&T",
    "see example.com", "mail me@example.org", "http://x", "www.x", "~~gone~~", "a | b",
    "**a*", "*a _b* c_", "a*b*c", "2*3*4", "***both***", "`unclosed", "x" * 2001,
])
def test_anything_doubtful_goes_to_the_markdown_widget(markdown):
    assert inline_paragraph(markdown) is None


def test_real_fronts_take_the_fast_path():
    for front in ("What are other names for *Fixture Title 7*?", "What is `x` for?",
                  prepare("When is $G_2 = 0$?"), prepare("What is [[Note|a note]]?"),
                  "Question 0.0 with some words"):
        assert inline_paragraph(front) is not None, front
    assert re.fullmatch(r"What are other names for Fixture Title 7\?",
                        inline_paragraph("What are other names for *Fixture Title 7*?")[0])
