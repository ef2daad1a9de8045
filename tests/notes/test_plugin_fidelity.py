"""Properties of the Obsidian Spaced Repetition plugin's card syntax as flashdeck reads it,
beyond the example cases of tests/fixtures/plugin/."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.notes.model import ParserSettings
from flashdeck.notes.parser import parse_note

ALL_CLOZES = ParserSettings(cloze=("highlight", "bold", "curly"))

# what a URL's query may hold: base64 padding (`==`), `*`, braces, `;`
_URL_CHARS = st.text(alphabet="abcXYZ019=*{};&?/._-~%", min_size=1, max_size=30)


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
