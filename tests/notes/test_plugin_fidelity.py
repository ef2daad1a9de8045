"""Properties of the Obsidian Spaced Repetition plugin's card syntax as flashdeck reads it,
beyond the example cases of tests/fixtures/plugin/."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.notes.model import ParserSettings
from flashdeck.notes.parser import parse_note

ALL_CLOZES = ParserSettings(cloze=("highlight", "bold", "curly"))

# what a URL's query may hold: base64 padding (`==`), `*`, braces, `;`
_URL_CHARS = st.text(alphabet="abcXYZ019=*{};&?/._-~", min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(path=_URL_CHARS, query=_URL_CHARS)
def test_a_link_or_url_reaches_every_card_unchanged(path: str, query: str) -> None:
    url = f"https://example.org/{path}?q={query}"
    note = (
        "#flashcards\n\n"
        f"Where is the paper::[the paper]({url})\n\n"
        f"See {url} and [[Loss {query}|the notes]]: the ==Adam== optimizer.\n"
    )
    cards = parse_note(note, "vault/Optimizers.md", ALL_CLOZES).cards
    basic = [c for c in cards if c.kind == "basic"]
    assert [c.back for c in basic] == [f"[the paper]({url})"]
    clozes = [c for c in cards if c.kind == "cloze"]
    assert [c.front for c in clozes] == [
        f"See {url} and [[Loss {query}|the notes]]: the [...] optimizer."]
    assert clozes[0].back == f"See {url} and [[Loss {query}|the notes]]: the ==Adam== optimizer."


@settings(max_examples=60, deadline=None)
@given(path=_URL_CHARS, query=_URL_CHARS)
def test_a_deletion_holding_a_url_is_a_cloze_after_any_url(path: str, query: str) -> None:
    url = f"https://example.org/{path}?q={query}"
    held = f"https://example.org/{path}/paper"
    note = f"#flashcards\n\nEarlier {url} then ==read {held}== at last.\n"
    cards = parse_note(note, "vault/Optimizers.md", ALL_CLOZES).cards
    assert [(c.kind, c.front, c.back) for c in cards] == [
        ("cloze", f"Earlier {url} then [...] at last.",
         f"Earlier {url} then ==read {held}== at last.")]


_WORD = st.text(alphabet="abcxyz019 ;", min_size=1, max_size=12).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(words=st.lists(_WORD, min_size=1, max_size=5),
       marks=st.lists(st.sampled_from(["==", "**", "{{"]), min_size=5, max_size=5))
def test_escaped_cloze_markers_make_no_card(words: list[str], marks: list[str]) -> None:
    closing = {"==": "==", "**": "**", "{{": "}}"}
    parts = [f"\\{m}{w.strip()}{closing[m]}" for w, m in zip(words, marks)]
    note = "#flashcards\n\nEscaped: " + " and ".join(parts) + ".\n"
    assert parse_note(note, "vault/Escapes.md", ALL_CLOZES).cards == []


_TERM = st.text(alphabet="abcxyz019", min_size=1, max_size=8)
_OPEN_CLOSE = {"==": "==", "**": "**", "{{": "}}"}


@settings(max_examples=80, deadline=None)
@given(before=_TERM, inner=_TERM, after=_TERM,
       kinds=st.lists(st.sampled_from(["==", "**", "{{"]), min_size=2, max_size=2, unique=True))
def test_a_cloze_inside_another_is_part_of_its_answer(before: str, inner: str, after: str,
                                                      kinds: list[str]) -> None:
    """`**harmonic ==mean== of P and R**` is one deletion whose answer is the whole bold
    text: its back highlights all of it (the inner `==` no longer cuts the highlight short,
    which showed only part of the answer as the answer). Bold inside a deletion is the
    answer's own bold (`==a **b** c==` is asked as `a **b** c`): Obsidian shows it bold."""
    outer, nested = kinds
    text = (f"{outer}{before} {nested}{inner}{_OPEN_CLOSE[nested]} {after}"
            f"{_OPEN_CLOSE[outer]}")
    note = f"#flashcards\n\nThe {text} is F1.\n"
    cards = parse_note(note, "vault/F-beta.md", ALL_CLOZES).cards
    shown = f"**{inner}**" if nested == "**" else inner
    assert [(c.front, c.back) for c in cards] == [
        ("The [...] is F1.", f"The =={before} {shown} {after}== is F1.")]


def test_clozes_nested_twice_and_a_numbered_one_keep_their_whole_answer() -> None:
    note = ("#flashcards\n\nDeep **a ==b {{c}} d== e** here.\n\n"
            "Recall is **1;;TP over ==TP + FN==;;a ratio** of counts.\n")
    cards = parse_note(note, "vault/Recall.md", ALL_CLOZES).cards
    assert [(c.front, c.back) for c in cards] == [
        ("Deep [...] here.", "Deep ==a b c d e== here."),
        ("Recall is [a ratio] of counts.", "Recall is ==TP over TP + FN== of counts."),
    ]
