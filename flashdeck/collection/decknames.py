"""Deck names as decks are compared, in Python and in SQL (no imports: the store registers
the SQL function on every connection)."""

from __future__ import annotations


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_deck(name: str) -> str:
    """A deck name as decks are compared: tags name decks and tags are case-insensitive
    (`#Flashcards/ML` is `#flashcards/ml`, `#flashcards/Übungen` is `#flashcards/übungen`),
    as Anki's deck names are."""
    return name.casefold()


def in_deck(name: str, deck: str) -> bool:
    """Whether deck `name` is `deck` or one of its subdecks, as `deck_clause` matches: letter
    case aside (`fold_deck`); for a `deck` of ASCII characters only, ASCII letters' case
    (as SQLite's NOCASE and LIKE fold them: a scan of 100k cards in C, where `in_deck` in SQL
    would cost ~1 µs a card; only `Straße` and `STRASSE` differ by it)."""
    deck = deck.strip("/")
    if deck.isascii():
        name, deck = name.translate(_ASCII_LOWER), deck.translate(_ASCII_LOWER)
    else:
        name, deck = fold_deck(name), fold_deck(deck)
    return name == deck or name.startswith(deck + "/")


def _sql_in_deck(name: object, deck: object) -> int:
    return int(isinstance(name, str) and isinstance(deck, str) and in_deck(name, deck))


def register_deck_functions(conn) -> None:
    """`in_deck(name, deck)` in SQL, for the names SQLite's NOCASE and LIKE cannot fold (they
    fold ASCII letters only): every connection to a collection has it
    (`collection.cards.deck_clause`)."""
    conn.create_function("in_deck", 2, _sql_in_deck, deterministic=True)
