"""`flashdeck next` prints a plain one-line question without Rich (render._print_plain): its
output must be exactly what Rich draws for the same card, for every front it takes, and it
must leave every other front to Rich."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck import render
from flashdeck.collection.cards import CardView

CARD = CardView(
    id=42, deck="flashcards/ml/metrics", note="/vault/Recall.md", note_title="Recall",
    line=3, kind="basic", front="What does recall measure?", back="The share found",
    breadcrumb="Definition", block="L3", ordinal=0, exercise=None, state="new", due=None,
    suspended=False, buried_until=None, leech=False, orphaned=False, reps=0, lapses=0,
    note_id=1)


def _both(card: CardView, width: int = 80) -> tuple[str, str, bool]:
    """(what print_card writes, what Rich alone writes, whether the plain path took it)."""
    fast = io.StringIO()
    render.print_card(card, file=fast, width=width)
    took = render._print_plain(card, False, None, io.StringIO(), width)
    rich = io.StringIO()
    original = render._print_plain
    render._print_plain = lambda *args: False
    try:
        render.print_card(card, file=rich, width=width)
    finally:
        render._print_plain = original
    return fast.getvalue(), rich.getvalue(), took


@pytest.mark.parametrize("front", [
    "What does recall measure?",
    "What are other names for *Note 0*?",
    "Is **precision** or _recall_ the share of positives found?",
    "Is __strong__ (or *this one*) a mark?",
    "Has `code` in it", "An \\* escape", "Ünïcode text",
    "Unclosed *emphasis and _underscore",
    "(Parenthesised) 'quoted' \"double\" 50% a/b x+y=z",
])
def test_the_plain_path_prints_what_rich_prints(front):
    fast, rich, took = _both(CARD._replace(front=front))
    assert took
    assert fast == rich


@pytest.mark.parametrize("front", [
    "1. a list item", "- a bullet", "* a star bullet", "= underline", "# heading",
    "> quote", "    indented code", "Has $x^2$ math", "A [[Wiki]] link",
    "An <b>html</b> tag", "An &amp; entity", "a | table | row",
    "x" * 81, "line one\nline two", "Two  spaces", "a\ttab",
    "Why is ***both*** marks here?", "snake_case_name and 2*3*4 and a * b",
    "1**1*", "` `", "a ` `", "` ` a",
])
def test_anything_else_is_left_to_rich(front):
    fast, rich, took = _both(CARD._replace(front=front))
    assert not took
    assert fast == rich


def test_a_terminal_a_suspended_card_and_an_answer_are_left_to_rich():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert not render._print_plain(CARD, False, None, Terminal(), 80)
    assert not render._print_plain(CARD._replace(suspended=True), False, None, io.StringIO(), 80)
    assert not render._print_plain(CARD, True, None, io.StringIO(), 80)
    assert not render._print_plain(CARD._replace(deck="デッキ"), False, None, io.StringIO(), 80)


@settings(max_examples=800, deadline=None)
@given(front=st.text(alphabet="ab *_.,'()-1?`\\é", min_size=1, max_size=40),
       width=st.integers(min_value=20, max_value=90))
def test_any_front_prints_as_rich_prints_it(front, width):
    fast, rich, _took = _both(CARD._replace(front=front), width)
    assert fast == rich
