"""Card identity's matching itself (flashdeck/collection/identity.py), on real SQLite
collections: the candidate index that makes similarity near-linear, and the rules it must
keep (PRODUCT.md §2): a small edit keeps the id, a big one makes a new card and orphans the
old, kinds never cross, near-identical cards never swap, a moved note's edited cards are found
among its vanished note's. tests/test_identity.py covers the same through the CLI."""

from __future__ import annotations

from difflib import SequenceMatcher

import pytest

from flashdeck.collection import similar
from flashdeck.collection.card_rows import CardRow, card_row
from flashdeck.collection.identity import GoneCards, sync_note_cards
from flashdeck.collection.similar import SIMILARITY_THRESHOLD, CandidateIndex, similarity
from flashdeck.collection.store import Collection
from flashdeck.notes.model import ParsedCard


@pytest.fixture
def col(tmp_path):
    with Collection.open(tmp_path / "c.sqlite") as collection:
        collection.conn.execute(
            "INSERT INTO sources (path, kind, added) VALUES ('/vault', 'folder', 0)")
        yield collection


def new_note(col, name: str = "N.md") -> int:
    return col.conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (1, ?, ?)",
                            (name, name)).lastrowid


def sync(col, note: int, cards: list, gone: set[int] | None = None,
         gone_cards: GoneCards | None = None) -> tuple[int, int, int]:
    with col.transaction() as conn:
        return sync_note_cards(conn, note, cards, gone or set(), 0, gone_cards)


def live_ids(col, note: int) -> list[int]:
    """The note's live card ids, in the note's order."""
    return [r[0] for r in col.conn.execute(
        "SELECT id FROM cards WHERE note_id = ? AND orphaned = 0 ORDER BY position", (note,))]


def orphans(col) -> set[int]:
    return {r[0] for r in col.conn.execute("SELECT id FROM cards WHERE orphaned = 1")}


def card(front: str, back: str, n: int = 0, kind: str = "basic", ordinal: int = 0,
         block: str | None = None) -> ParsedCard:
    return ParsedCard(kind, front, back, n + 1, "flashcards", block or f"L{n}", ordinal)


def many(n: int, word: str = "longer") -> list[ParsedCard]:
    """n cards alike but for their number; `word` appears in both sides of each."""
    return [card(f"Q{i} asks some {word} thing", f"A{i} with some {word} text", i)
            for i in range(n)]


@pytest.fixture
def scored(monkeypatch):
    """Counts the difflib-grade comparisons made."""
    calls = []
    real = similar.similarity

    def counting(*args, **kwargs):
        calls.append(args[:2])
        return real(*args, **kwargs)

    monkeypatch.setattr(similar, "similarity", counting)
    return calls


# -- the candidate index -----------------------------------------------------------------------


def test_cards_edited_by_one_word_are_found_among_1000_similar_cards(col, scored):
    note = new_note(col)
    sync(col, note, many(1000))
    before = live_ids(col, note)
    edited = many(1000)
    for i in (5, 537, 998):  # enough pairs for the index (ALL_PAIRS)
        edited[i] = card(f"Q{i} asks some other thing", f"A{i} with some other text", i)
    assert 3 * 1000 > similar.ALL_PAIRS
    assert sync(col, note, edited) == (0, 3, 0)
    assert live_ids(col, note) == before
    assert len(scored) <= 6  # each with its best candidates only, not with 999 cards


def test_one_edited_card_is_compared_with_every_card_but_scored_with_few(col, scored):
    note = new_note(col)
    sync(col, note, many(1000))
    before = live_ids(col, note)
    edited = many(1000)
    edited[537] = card("Q537 asks some other thing", "A537 with some other text", 537)
    assert sync(col, note, edited) == (0, 1, 0)
    assert live_ids(col, note) == before
    assert len(scored) <= 2  # the other 999 pairs stay bounds: never scored


def test_every_card_of_1000_edited_keeps_its_id_and_the_work_stays_linear(col, scored):
    note = new_note(col)
    sync(col, note, many(1000))
    before = live_ids(col, note)
    # both sides edited: only similarity can tell (a side kept whole would match by itself)
    assert sync(col, note, many(1000, "edited")) == (0, 1000, 0)
    assert live_ids(col, note) == before
    assert len(scored) <= 3 * 1000  # quadratic was 1,000,000


def test_the_index_ranks_a_cards_old_self_first():
    index = CandidateIndex()
    for i in range(1000):
        index.add(i + 1, "basic", f"Q{i} asks some longer thing", f"A{i} with some longer text",
                  0, i)
    text = "Q412 asks some edited thing\nA412 with some edited text"
    found = index.candidates("basic", text, 0, 412)
    assert found[0].old.id == 413
    assert len(found) <= similar.MAX_CANDIDATES
    assert index.candidates("cloze", text, 0, 412) == []  # another kind: none
    index.discard(413)
    assert 413 not in {c.old.id for c in index.candidates("basic", text, 0, 412)}


def test_alike_cards_are_offered_nearest_first():
    """Cards nothing tells apart (copies): the nearest places first, so each copy finds
    its own among hundreds."""
    index = CandidateIndex()
    for i in range(500):
        index.add(i + 1, "basic", "Same question", "same answer", 0, i)
    found = [c.old.position for c in index.candidates("basic", "Same question\nsame answer!",
                                                     0, 300, limit=5)]
    assert sorted(found) == [298, 299, 300, 301, 302] and found[0] == 300


def test_similarity_is_difflibs_ratio_and_bounded_for_long_texts():
    a, b = "Speed there 60, back 40: average?\n48 km/h", "Speed there 60: average?\n48 km/h"
    assert similarity(a, b) == SequenceMatcher(None, a, b, autojunk=False).ratio()
    words = " ".join(f"word{i % 37} and more" for i in range(400))  # ~6,000 characters
    edited = words.replace("word5 ", "word five ", 1)
    assert similarity(edited, words) > 0.99
    # edited at both ends: what lies between is compared by its head and tail
    assert similarity("X" + words[:3000] + "Y" + words[3000:] + "Z", words) > 0.99
    assert similarity(words, words[::-1]) < SIMILARITY_THRESHOLD


# -- the rules it keeps ------------------------------------------------------------------------


def test_two_near_identical_cards_are_not_swapped(col):
    note = new_note(col)
    first, second = (card("Define the recall", "tp over tp plus fn", 0),
                     card("Define the recall of a model", "tp over tp plus fn, always", 1))
    sync(col, note, [first, second])
    ids = live_ids(col, note)
    # each edited toward the other, and their order swapped: content decides, not place
    assert sync(col, note, [card("Define the recall of a model!", "tp over tp plus fn, always!"),
                            card("Define the recall:", "tp over tp plus fn.")]) == (0, 2, 0)
    assert live_ids(col, note) == ids[::-1]


def test_copies_edited_alike_keep_their_places(col):
    note = new_note(col)
    copies = [card("Same question", "same answer", i) for i in range(200)]
    sync(col, note, copies)
    ids = live_ids(col, note)
    assert sync(col, note, [card("Same question?", "same answer!", i) for i in range(200)]) \
        == (0, 200, 0)
    assert live_ids(col, note) == ids


def test_kind_must_match(col):
    note = new_note(col)
    sync(col, note, [card("Term of art", "its meaning", kind="basic")])
    (old,) = live_ids(col, note)
    # nearly the same text, but now a cloze: a new card; the basic one is orphaned
    assert sync(col, note, [card("Term of art", "its meaning!", kind="cloze")]) == (1, 0, 1)
    assert old not in live_ids(col, note) and old in orphans(col)


def test_an_edit_beyond_the_threshold_is_a_new_card_and_the_old_one_an_orphan(col):
    note = new_note(col)
    cards = many(200)
    sync(col, note, cards)
    before = live_ids(col, note)
    cards[70] = card("Who first named the harmonic mean?", "Archytas of Tarentum", 70)
    assert sync(col, note, cards) == (1, 0, 1)
    after = live_ids(col, note)
    assert after[:70] == before[:70] and after[71:] == before[71:]
    assert after[70] not in before and before[70] in orphans(col)


def test_a_small_edit_scores_at_the_threshold_and_a_larger_one_below(col):
    note = new_note(col)
    sync(col, note, [card("abcdefghij", "klmnopqrst")])
    (kept,) = live_ids(col, note)
    text = "abcdefghij\nklmnopqrst"
    near = "abcdefXXXX\nklmnopXXXX"  # 13 of 21 characters kept
    assert similarity(near, text) >= SIMILARITY_THRESHOLD
    assert sync(col, note, [card("abcdefXXXX", "klmnopXXXX")]) == (0, 1, 0)
    assert live_ids(col, note) == [kept]
    assert similarity("abcdeYYYYY\nklmnoZZZZZ", near) < SIMILARITY_THRESHOLD
    assert sync(col, note, [card("abcdeYYYYY", "klmnoZZZZZ")]) == (1, 0, 1)


def test_a_moved_note_finds_its_edited_cards_among_the_vanished_notes(col):
    """No card of the moved note is unchanged, so no origin is known: its cards are looked
    for among every vanished note's, through one index for the whole import."""
    notes = [new_note(col, f"old{n}.md") for n in range(30)]
    for n, note in enumerate(notes):
        sync(col, note, [card(f"Note {n} question {k} about means", f"answer {n}.{k} here", k)
                         for k in range(20)])
    gone = set(notes)
    gone_cards = GoneCards(col.conn, gone)
    moved = {}
    for n in (3, 17):
        before = live_ids(col, notes[n])
        moved[n] = new_note(col, f"new{n}.md")
        edited = [card(f"Note {n} question {k} about the means", f"answer {n}.{k} here!", k)
                  for k in range(20)]
        assert sync(col, moved[n], edited, gone, gone_cards) == (0, 20, 0)
        assert live_ids(col, moved[n]) == before
    # a brand-new note like none of them adds its cards
    other = new_note(col, "other.md")
    assert sync(col, other, [card("Unrelated", "entirely different words")], gone,
                gone_cards)[0] == 1


def test_a_card_another_import_claimed_meanwhile_is_not_claimed_again(col):
    old = new_note(col, "old.md")
    sync(col, old, [card("Capital of France", "Paris")])
    (france,) = live_ids(col, old)
    gone_cards = GoneCards(col.conn, {old})
    # the vanished notes' cards are indexed once per import, before...
    assert france in {c.old.id for c in gone_cards.index({old}).candidates(
        "basic", "Capital of France\nParis!", 0, 0)}
    elsewhere = new_note(col, "elsewhere.md")  # ...another import claims the card
    col.conn.execute("UPDATE cards SET note_id = ? WHERE id = ?", (elsewhere, france))
    new = new_note(col, "new.md")
    assert sync(col, new, [card("Capital of France", "Paris!")], {old}, gone_cards) == (1, 0, 0)
    assert live_ids(col, elsewhere) == [france]


def test_rows_from_a_worker_and_parsed_cards_match_alike(col):
    """Workers send plain tuples (CardRow's order); the writer reads them by name."""
    note = new_note(col)
    cards = many(50)
    sync(col, note, [card_row(c) for c in cards])
    before = live_ids(col, note)
    rows = [card_row(c) for c in many(50, "edited")]
    assert type(rows[0]) is tuple and CardRow._make(rows[0]).front == "Q0 asks some edited thing"
    assert sync(col, note, rows) == (0, 50, 0)
    assert live_ids(col, note) == before
