"""`--deck` in SQL (`deck_clause`) and in Python (`in_deck`, the stats' cached days) take
the same cards for every name: letter case aside, in any script."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.collection.cards import deck_clause
from flashdeck.collection.decknames import in_deck, register_deck_functions

# letters whose case SQLite does not fold, some that fold to two letters or to ASCII, and
# the characters LIKE gives a meaning to
_LETTERS = st.sampled_from(list("aAbBzZ") + list("äÄüÜßẞéÉıIİiçÇσςΣﬁKk") + list("%_\\ /"))
_NAMES = st.lists(st.text(_LETTERS, min_size=1, max_size=4), min_size=1, max_size=3).map(
    "/".join)


@settings(max_examples=200, deadline=None)
@given(names=st.lists(_NAMES, min_size=1, max_size=6), deck=_NAMES)
def test_sql_and_python_take_the_same_decks(names, deck):
    conn = sqlite3.connect(":memory:")
    register_deck_functions(conn)
    conn.execute("CREATE TABLE cards (id INTEGER PRIMARY KEY, deck TEXT)")
    conn.executemany("INSERT INTO cards (deck) VALUES (?)", [(n,) for n in names])
    clause, params = deck_clause(deck)
    in_sql = {row[0] for row in conn.execute(f"SELECT c.deck FROM cards c WHERE 1{clause}",
                                             params)}
    assert in_sql == {n for n in names if in_deck(n, deck)}


def test_a_deck_named_in_another_case_takes_its_cards_and_its_subdecks():
    assert in_deck("flashcards/Übungen/Analysis", "FLASHCARDS/übungen")
    assert in_deck("flashcards/ÉTUDES", "flashcards/études/")
    assert not in_deck("flashcards/Übungen", "flashcards/ubungen")
    assert not in_deck("flashcards/Übungenx", "flashcards/übungen")
