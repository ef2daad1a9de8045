"""Breadcrumbs as they read (issue 13, item 4): math rendered, markdown syntax dropped, on the
review screen, in `flashdeck show` and in `flashdeck list` — and never a risk however hostile
the heading."""

from __future__ import annotations

import time
import unicodedata
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.notes import write_note
from flashdeck.render import (MAX_CRUMB_SOURCE, MAX_TRAIL_SOURCE, breadcrumb_text, header,
                              inline_text)

HEADING = r"Why use $\beta > \alpha$ for *lesion* segmentation?"
SHOWN = "Why use β > α for lesion segmentation?"


# -- the function -------------------------------------------------------------------------------
@pytest.mark.parametrize("source,shown", [
    # the two breadcrumbs
    (r"Tversky Index › Why use $\beta > \alpha$ for lesion segmentation?",
     "Tversky Index › Why use β > α for lesion segmentation?"),
    ("Screening › When does a test rule a disease *out*?",
     "Screening › When does a test rule a disease out?"),
    # math, as in card text (mathtext's rules: prices stay, `\$` is a dollar)
    (r"The $F_1$ score", "The F₁ score"),
    (r"$\frac{a+b}{c}$ inline", "(a + b)/c inline"),
    (r"$$E = mc^2$$", "E = mc²"),  # a heading of display math is still one line
    (r"- $$x^2$$", "- x²"),
    (r"$2 * 300$ and $x_{max}$", "2 * 300 and x_max"),  # the rendering stays literal
    ("costs $5 and $6", "costs $5 and $6"),
    (r"a \$5 fee, $x$", "a $5 fee, x"),
    (r"unclosed $\alpha", r"unclosed $\alpha"),
    (r"$\frac{a}{$ b", r"\frac{a}{ b"),  # invalid LaTeX: its source, as in card text
    # emphasis
    ("*x* and _y_", "x and y"),
    ("**x** and __y__", "x and y"),
    ("~~old~~ ==new==", "old new"),
    ("***both*** and *a **b** c*", "both and a b c"),
    ("snake_case_name and __init__", "snake_case_name and init"),
    ("2 * 3 * 4, x == y, ~5 ms, a = b", "2 * 3 * 4, x == y, ~5 ms, a = b"),
    ("**unbalanced* and *x", "*unbalanced and *x"),
    ("===", "==="),
    # code
    ("the `*args` and `` a`b `` forms", "the *args and a`b forms"),
    ("a `$x$` span", "a $x$ span"),
    ("an ` unclosed span", "an ` unclosed span"),
    # links
    ("see [the *docs*](https://x.org/a_b_c) now", "see the docs now"),
    ('[text](<a b> "title")', "text"),
    ("[a `b](u)` c", "[a b](u) c"),  # code binds tighter than the link
    ("<https://x.org/a_b>", "https://x.org/a_b"),
    ("[not a link] [^1]", "[not a link] [^1]"),
    ("![a curve](img/pr.png) and ![[f1.png]], ![[Other]]",
     "[image: a curve (pr.png)] and [image: f1.png], [embed: Other]"),
    # wiki links
    ("[[Precision and Recall]]", "Precision and Recall"),
    ("[[Precision and Recall|precision]]", "precision"),
    ("[[F1 Score#Definition]]", "F1 Score > Definition"),
    ("[[#Definition]]", "Definition"),
    ("[[F1 Score#^abc123]]", "F1 Score"),
    # HTML and entities
    ('<span style="color:red">red</span> <b>bold</b>', "red bold"),
    ("a<br>b <!-- hidden --> c", "a b c"),
    ("A < B > C, Q&A", "A < B > C, Q&A"),
    ("&lt;b&gt; &amp; &copy; &#x3B1;", "<b> & © α"),
    # backslash escapes
    (r"\*lit\* \_x\_ \[[x]] \\ \q", r"*lit* _x_ [[x]] \ \q"),
    # markup and control characters are text, made visible
    ("[bold red]x[/] [@click=app.quit]y", "[bold red]x[/] [@click=app.quit]y"),
    ("a\x1b[31mred\x07", "a␛[31mred␇"),
    ("&#27;[31m", "[31m"),  # an entity never yields a control character
    ("  many \t spaces\n", "many spaces"),
    ("", ""),
])
def test_breadcrumb_text(source, shown):
    assert breadcrumb_text(source) == shown


def test_each_heading_is_read_on_its_own():
    # a `$` left open in one heading does not swallow the next one
    assert breadcrumb_text(r"Costs $5 › Why $\alpha$?") == "Costs $5 › Why α?"
    assert breadcrumb_text(r"*a › b*") == "*a › b*"
    assert breadcrumb_text("<b> › **") == "**"  # an empty heading leaves no separator


def test_header_renders_the_note_title_and_the_breadcrumb():
    card = SimpleNamespace(deck="flashcards/ml", note_title=r"$\beta$-VAE",
                           breadcrumb=f"Loss › {HEADING}")
    assert header(card) == f"flashcards/ml · β-VAE › Loss › {SHOWN}"
    assert header(SimpleNamespace(deck="d", note_title="", breadcrumb="")) == "d"
    assert header(SimpleNamespace(deck="d", note_title="<br>", breadcrumb="**x**")) == "d · x"


def test_plain_text_needs_no_math_module():
    # the common heading costs nothing: no LaTeX tokenizer loaded for it
    import subprocess
    import sys

    code = ("import sys\nfrom flashdeck.render import breadcrumb_text\n"
            "assert breadcrumb_text('Metrics › Recall *at* k') == 'Metrics › Recall at k'\n"
            "print('flashdeck.mathtext' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "False"


# -- hostile headings ---------------------------------------------------------------------------
HOSTILE = {
    "a 1 MB heading": "word " * 200_000,
    "dollars": "$a " * 350_000,
    "lone dollars": "$" * 1_000_000,
    "nested braces": "$" + "{" * 500_000 + "$",
    "nested fractions": "$" + r"\frac{" * 50_000 + "}" * 50_000 + "$",
    "stars": "*" * 1_000_000,
    "alternating stars": "*a " * 350_000,
    "open emphasis": "*_" * 500_000,
    "nested emphasis": "*" * 1000 + "x" + "*" * 1000 + " **_~~==a==~~_**" * 50_000,
    "brackets": "[" * 1_000_000,
    "links": "[a](" * 250_000,
    "wiki": "[[" * 500_000,
    "backticks": "".join("`" * k + " " for k in range(1, 1400)),
    "tags": "<a " * 350_000,
    "comments": "<!--" * 250_000,
    "entities": "&#" * 500_000,
    "backslashes": "\\" * 1_000_001,
    "separators": " › " * 300_000,
    "controls": "\x1b\x00\x9b\u202e" * 250_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_headings_are_bounded(name):
    source = HOSTILE[name]
    started = time.perf_counter()
    shown = breadcrumb_text(source)
    line = inline_text(source)
    assert time.perf_counter() - started < 2.0, name
    assert len(shown) <= MAX_TRAIL_SOURCE + 1 and len(line) <= MAX_CRUMB_SOURCE + 1
    assert not any(unicodedata.category(ch) == "Cc" for ch in shown + line)


def test_a_long_heading_is_cut_visibly():
    shown = breadcrumb_text("word " * 1000)
    assert shown.endswith("word…") and len(shown) <= MAX_CRUMB_SOURCE + 1
    assert breadcrumb_text("x" * (MAX_CRUMB_SOURCE)) == "x" * MAX_CRUMB_SOURCE


_ALPHABET = st.sampled_from(list("ab *_~=`$\\[]()<>!&#|^{}/:;.-?") + [
    " › ", r"\frac{", r"\alpha", "\x1b", "\x00", "\x85", "\x9b", "\n", "\t", "[[", "]]",
    "<!--", "-->", "&amp;", "&#27;", "<b>", "**", "==", "~~", "$$", "```", "é", "β", "\u202e",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=60).map("".join) | st.text(max_size=200))
def test_never_raises_and_never_prints_a_control_character(source):
    # the steps themselves never raise either: the fallback to the source is a last resort
    from flashdeck.render import _render_math, _strip_inline

    _strip_inline(_render_math(" ".join(source.split())))
    for shown in (breadcrumb_text(source), inline_text(source)):
        assert isinstance(shown, str)
        assert not any(unicodedata.category(ch) == "Cc" for ch in shown)
        assert shown == shown.strip() and "  " not in shown


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=("L", "N"), include_characters=" ,.?'"),
               max_size=80))
def test_text_without_syntax_reads_as_written(source):
    assert breadcrumb_text(source) == " ".join(source.split())


# -- the commands -------------------------------------------------------------------------------
NOTE = f"""#flashcards/ml

# Tversky Index

## {HEADING}
The cost of a missed lesion is higher.

What does a larger $\\beta$ weigh?::False negatives
"""


@pytest.fixture
def imported(cli, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "Tversky Index.md", NOTE)
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    cards = cli("--collection", col, "list", "--json").json
    return col, {c["front"]: c for c in cards}


def test_show_prints_the_breadcrumb_rendered(cli, imported):
    col, cards = imported
    card = cards[r"What does a larger $\beta$ weigh?"]
    shown = cli("--collection", col, "show", card["id"])
    assert shown.code == 0
    head = " ".join(shown.out.split("\n\n")[0].split())  # Rich may wrap the header line
    assert head.startswith(f"#{card['id']} flashcards/ml · Tversky Index › ")
    assert head.endswith(f" › {SHOWN}")
    assert "$" not in head and "*" not in head and "\\" not in head


def test_list_shows_a_heading_front_as_it_reads(cli, imported):
    col, cards = imported
    assert HEADING in cards  # the JSON keeps the source (PRODUCT.md §5)
    rows = cli("--collection", col, "list").out.splitlines()
    row = next(r for r in rows if r.lstrip().startswith(f"{cards[HEADING]['id']} "))
    assert row.endswith(SHOWN)
    assert any(r.endswith("What does a larger β weigh?") for r in rows)


# -- the review screen --------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_review_screen_shows_the_breadcrumb_rendered(tmp_path, monkeypatch):
    from support.tui import NOW_ISO, SIZE, app_for, card, make_collection, run_async, \
        screen_text

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    cards = [card("basic", "What does a larger beta weigh?", "False negatives", 7,
                  breadcrumb=("Tversky", HEADING, "[bold]x[/] <b>and</b> `code`"))]
    path = make_collection(tmp_path / "c.sqlite", cards)

    @run_async
    async def run():
        app = app_for(path)
        async with app.run_test(size=(160, 32), notifications=True) as pilot:
            await pilot.pause()
            assert type(app.screen).__name__ == "ReviewScreen"
            assert (f"flashcards/ml/metrics · F1 Score › Tversky › {SHOWN} › [bold]x[/] and "
                    "code") in screen_text(app)
        async with app_for(path).run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()  # 100 columns: one line, cut in its middle, both ends kept
            line = next(row for row in screen_text(pilot.app).splitlines()
                        if "flashcards/ml/metrics" in row).strip()
            assert "…" in line and line.endswith("[bold]x[/] and code"), line
            assert line.startswith("flashcards/ml/metrics · F1"), line

    run()
