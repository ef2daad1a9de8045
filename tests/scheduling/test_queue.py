"""The queue of one day (scheduling/queue.py, decks.py): siblings, counts and limits, the deck
tree's counts, the order of new cards (PRODUCT.md §3). Real collections in tmp_path."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from support.notes import write_note
from flashdeck.collection.identity import sync_note_cards
from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError
from flashdeck.notes.model import ParsedCard
from flashdeck.scheduling.config import Config, load_config
from flashdeck.scheduling.decks import deck_counts
from flashdeck.scheduling.engine import Engine
from support.clock import T0, Clock
from support.schema import back_to_schema_10


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())


def basic(name: str, k: int, deck: str = "flashcards") -> ParsedCard:
    return ParsedCard("basic", f"{name} Q{k}", f"A{k}", k, deck, f"L{k}")


def reversed_pair(name: str, line: int, deck: str = "flashcards") -> list[ParsedCard]:
    return [ParsedCard("reversed", f"{name} term", f"{name} meaning", line, deck, f"L{line}", 0),
            ParsedCard("reversed", f"{name} meaning", f"{name} term", line, deck, f"L{line}", 1)]


def clozes(name: str, line: int, n: int = 3, deck: str = "flashcards") -> list[ParsedCard]:
    return [ParsedCard("cloze", f"{name} paragraph [...] {i}", f"{name} paragraph {i}", line,
                       deck, f"L{line}", i) for i in range(n)]


def exercise(template: str, deck: str = "flashcards") -> ParsedCard:
    return ParsedCard("exercise", f"Compute {template}", f"id: {template}", 90, deck,
                      f"exercise:{template}", exercise=template)


def make_vault(tmp_path, notes: dict[str, list[ParsedCard]]) -> Collection:
    """A collection with these notes, imported in this order (note ids follow it)."""
    col = Collection.open(tmp_path / "c.sqlite")
    with col.transaction() as conn:
        source = conn.execute(
            "INSERT INTO sources (path, kind, added) VALUES ('/vault', 'folder', 0)").lastrowid
        for name, cards in notes.items():
            note = conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (?, ?, ?)",
                                (source, f"{name}.md", name)).lastrowid
            sync_note_cards(conn, note, cards, set(), 0)
    return col


def engine(col, clock, deck=None, **config) -> Engine:
    return Engine(col, Config(**config), now=clock, deck=deck)


def new_cards_in_order(e: Engine, n: int | None = None) -> list:
    """The new cards the queue gives, answering each Easy (days away) as it comes."""
    shown = []
    while (card := e.next_card()) is not None and (n is None or len(shown) < n):
        assert card.state == "new"
        shown.append(card)
        e.answer(card.id, 4)
    return shown


# -- siblings -----------------------------------------------------------------------------

def test_a_reversed_pair_and_the_clozes_of_a_paragraph_are_one_a_day(tmp_path):
    col = make_vault(tmp_path, {"a": [*reversed_pair("a", 1), *clozes("a", 3), basic("a", 5)]})
    clock = Clock()
    e = engine(col, clock)
    assert e.counts().new == 3  # one a block: the cards that will be asked today
    fronts = [c.front for c in new_cards_in_order(e)]
    assert fronts == ["a term", "a paragraph [...] 0", "a Q5"]  # one of each block
    assert e.counts().new == 0
    clock.advance(days=1)
    assert e.counts().new == 2
    fronts = [c.front for c in new_cards_in_order(e)]
    assert fronts == ["a meaning", "a paragraph [...] 1"]  # the next of each block, one a day


def test_undo_brings_the_sibling_back_with_nothing_else_to_restore(tmp_path):
    col = make_vault(tmp_path, {"a": [*clozes("a", 1), basic("a", 5)]})
    e = engine(col, Clock())
    first = e.next_card()
    others = col.conn.execute("SELECT * FROM cards WHERE id != ? ORDER BY id",
                              (first.id,)).fetchall()
    e.answer(first.id, 4)
    assert e.counts().new == 1 and e.next_card().front == "a Q5"
    # the siblings are held back by the answer's review row alone: no other card changed
    assert col.conn.execute("SELECT * FROM cards WHERE id != ? ORDER BY id",
                            (first.id,)).fetchall() == others
    e.undo()
    assert e.counts().new == 2
    second = e.next_card()
    assert second.id == first.id
    e.answer(second.id, 4)
    assert [c.front for c in new_cards_in_order(e)] == ["a Q5"]


def test_exercise_copies_in_review_are_one_a_day_and_undo_brings_the_copy_back(tmp_path):
    col = make_vault(tmp_path, {"Dice": [exercise("dice"), basic("Dice", 1)],
                                "F1": [exercise("dice"), basic("F1", 1)]})
    clock = Clock()
    now = int(clock.moment.timestamp())
    with col.transaction() as conn:
        conn.execute("UPDATE cards SET state = 'review', due = ?, stability = 5, difficulty = 5,"
                     " last_review = ?, reps = 3 WHERE kind = 'exercise'",
                     (now - 60, now - 5 * 86400))
    e = engine(col, clock)
    assert e.counts().review == 2
    first = e.next_card()
    assert first.kind == "exercise"
    e.answer(first.id, 3)
    assert e.counts().review == 0  # the other copy waits for tomorrow
    assert all(c.kind == "basic" for c in new_cards_in_order(e))
    for _ in range(3):
        e.undo()
    assert e.counts().review == 2


def test_twenty_thousand_blocks_answered_in_a_day_bind_no_variable_each(tmp_path):
    """Past 16,383 answered blocks the old queue bound more variables than SQLite builds
    with the default limit (32,766) allow: `next`, `due` and the review failed."""
    blocks = 20_001
    notes = {f"n{i:03}": [card for j in range(i * 100, min(i * 100 + 100, blocks))
                          for card in reversed_pair(f"b{j}", j + 1)]
             for i in range((blocks + 99) // 100)}
    col = make_vault(tmp_path, notes)
    clock = Clock()
    e = engine(col, clock, new_per_day=100_000, reviews_per_day=100_000)
    # today: the first side of 20,000 pairs answered (the log as answers leave it)
    start = int(clock.moment.timestamp()) - 3600
    before = json.dumps({"state": "new", "due": None, "version": 0})
    after = json.dumps({"state": "review", "due": start + 86400 * 5, "version": 1})
    with col.transaction() as conn:
        firsts = [r[0] for r in conn.execute(
            "SELECT id FROM cards WHERE kind = 'reversed' AND ordinal = 0 ORDER BY id")]
        conn.executemany(
            "INSERT INTO reviews (card_id, reviewed_at, rating, state_before, state_after)"
            " VALUES (?, ?, 4, ?, ?)", [(i, start, before, after) for i in firsts[:-1]])
        conn.executemany("UPDATE cards SET state = 'review', due = ?, last_review = ?,"
                         " stability = 5, difficulty = 5, reps = 1 WHERE id = ?",
                         [(start + 86400 * 5, start, i) for i in firsts[:-1]])
    # as strict as the python.org macOS and Windows builds, whatever this build allows
    col.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    # only the last pair, none of whose sides is answered: one side today
    assert e.counts().new == 1
    assert e.next_card().id == firsts[-1]
    rows, total = deck_counts(col, e.config, clock)
    assert total.new == 1 and rows[0][2].new == 1


def test_a_version_7_collection_is_migrated_and_keeps_todays_answers(tmp_path):
    """Schema 8's indexes are built from the log already there; a damaged log row (not
    JSON) does not stop the migration nor the queue (`doctor` reports such rows)."""
    col = make_vault(tmp_path, {"a": [*reversed_pair("a", 1), basic("a", 3)]})
    e = engine(col, Clock())
    first = e.next_card()
    e.answer(first.id, 4)
    with col.transaction() as conn:  # back to schema 7's indexes
        back_to_schema_10(conn)
        conn.execute("DROP INDEX cards_block")
        conn.execute("DROP INDEX reviews_state")
        conn.execute("DROP INDEX cards_new")
        conn.execute("CREATE INDEX cards_new ON cards (id)"
                     " WHERE state = 'new' AND orphaned = 0 AND suspended = 0")
        conn.execute("DROP INDEX reviews_card")
        conn.execute("CREATE INDEX reviews_card ON reviews (card_id)")
        conn.execute("INSERT INTO reviews (card_id, reviewed_at, rating, state_before,"
                     " state_after) VALUES (3, 0, 3, 'not json', 'not json')")
        conn.execute("DROP TABLE cram_log")  # schema 9's
        conn.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    col.close()
    col = Collection.open(tmp_path / "c.sqlite")
    assert (tmp_path / "c.sqlite.v7.bak").exists()
    indexes = {r[0] for r in col.conn.execute("SELECT name FROM sqlite_master"
                                              " WHERE type = 'index'")}
    assert {"cards_block", "reviews_state", "cards_new", "reviews_card"} <= indexes
    e = engine(col, Clock())
    assert e.counts().new == 1  # the other side waits: today's answer is still seen
    assert e.queue().done_today() == (1, 0)
    assert e.next_card().front == "a Q3"


# -- counts, limits, the deck tree --------------------------------------------------------

def deck_vault(tmp_path) -> Collection:
    return make_vault(tmp_path, {
        "m": [basic("m", k, "flashcards/ml/metrics") for k in range(1, 6)]
        + reversed_pair("m", 9, "flashcards/ml/metrics"),
        "l": [basic("l", k, "flashcards/ml/losses") for k in range(1, 4)],
        "h": [basic("h", k, "flashcards/history") for k in range(1, 5)],
        "x": [basic("x", k, "other") for k in range(1, 3)],
    })


def test_counts_keep_the_daily_limits(tmp_path):
    col, clock = deck_vault(tmp_path), Clock()
    e = engine(col, clock, new_per_day=5, reviews_per_day=2)
    assert e.counts().new == 5
    for card in new_cards_in_order(e, 3):
        pass
    assert e.counts().new == 2  # 3 of today's 5 introduced
    clock.advance(days=30)  # the three are due as reviews, and 5 new again
    counts = e.counts()
    assert (counts.new, counts.review) == (5, 2)  # reviews capped at 2
    card = e.next_card()
    assert card.state == "review"
    e.answer(card.id, 3)
    assert e.counts().review == 1


def test_the_deck_tree_counts_as_the_queue_of_each_deck_would(tmp_path):
    col, clock = deck_vault(tmp_path), Clock()
    config = dict(new_per_day=6, reviews_per_day=3)
    e = engine(col, clock, **config)
    new_cards_in_order(e, 4)  # introduced today: Easy, days away
    learning = e.next_card()
    e.answer(learning.id, 3)  # Good: in learning, 10 minutes away
    e.suspend(col.conn.execute("SELECT id FROM cards WHERE deck = 'other' LIMIT 1").fetchone()[0])
    e.bury(col.conn.execute("SELECT id FROM cards WHERE deck = 'flashcards/history' AND"
                            " state = 'new' LIMIT 1").fetchone()[0])
    for days in (0, 4, 30):
        clock.advance(days=days)
        rows, total = deck_counts(col, Config(**config), clock)
        assert [deck for deck, _, _ in rows] == [
            "flashcards", "flashcards/history", "flashcards/ml", "flashcards/ml/losses",
            "flashcards/ml/metrics", "other"]
        for deck, depth, counts in rows:
            assert depth == deck.count("/")
            assert counts == engine(col, clock, deck, **config).counts(), (days, deck)
        assert total == engine(col, clock, **config).counts()
    assert rows[0][2].new == 6  # the limit applies to each row


def test_due_is_one_query_over_the_cards_not_one_per_deck(tmp_path):
    col = make_vault(tmp_path, {f"n{i}": [basic(f"n{i}", 1, f"flashcards/g{i % 7}/d{i}")]
                                for i in range(60)})
    statements = []
    col.conn.set_trace_callback(statements.append)
    rows, total = deck_counts(col, Config(), Clock())
    col.conn.set_trace_callback(None)
    assert len(rows) == 1 + 7 + 60 and total.new == 20
    assert sum("FROM cards" in s for s in statements) <= 2


# -- the order of new cards -------------------------------------------------------------

def ten_notes(n: int = 10) -> dict[str, list[ParsedCard]]:
    return {f"note{i:02}": [basic(f"note{i:02}", 1), *reversed_pair(f"note{i:02}", 3),
                            basic(f"note{i:02}", 5), *clozes(f"note{i:02}", 7),
                            basic(f"note{i:02}", 9)]
            for i in range(n)}


def test_the_first_ten_new_cards_of_a_ten_note_vault_come_from_ten_notes(cli, tmp_path):
    """Through the CLI, `next` then `answer` in turn, as a script would."""
    vault = tmp_path / "vault"
    for i in range(10):
        write_note(vault, f"note{i:02}.md", "#flashcards\n\n" + "\n\n".join(
            f"Question {i}.{k}::Answer {k}" for k in range(6)) + "\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    notes = []
    for _ in range(10):
        card = cli("--collection", col, "next", "--json").json["card"]
        notes.append(card["note"])
        assert cli("--collection", col, "answer", card["id"], "easy").code == 0
    assert len(set(notes)) >= 5
    assert notes == sorted(notes)  # notes take turns, in import order
    card = cli("--collection", col, "next", "--json").json["card"]
    assert card["note"] == notes[0] and card["front"] == "Question 0.1"  # the second round


def test_interleaved_goes_round_the_notes_in_import_order_and_again_each_day(tmp_path):
    col = make_vault(tmp_path, {"b": [basic("b", k) for k in range(1, 5)],
                                "a": [basic("a", k) for k in range(1, 3)],
                                "c": [basic("c", 1)]})
    clock = Clock()
    e = engine(col, clock, new_per_day=5)
    fronts = [c.front for c in new_cards_in_order(e)]
    assert fronts == ["b Q1", "a Q1", "c Q1", "b Q2", "a Q2"]  # import order: b, a, c
    clock.advance(days=1)
    assert [c.front for c in new_cards_in_order(e)] == ["b Q3", "b Q4"]


def test_undo_gives_a_note_its_turn_back(tmp_path):
    col = make_vault(tmp_path, {"a": [basic("a", 1), basic("a", 2)], "b": [basic("b", 1)]})
    e = engine(col, Clock())
    first = e.next_card()
    e.answer(first.id, 4)
    assert e.next_card().front == "b Q1"
    e.undo()
    assert e.next_card().id == first.id


def assert_exercises_apart(kinds: list[str]) -> None:
    """Two exercises in a row only once no other new card waits."""
    for i in range(1, len(kinds)):
        if kinds[i - 1] == kinds[i] == "exercise":
            assert "basic" not in kinds[i:], kinds


def test_never_two_exercises_in_a_row_while_other_new_cards_wait(tmp_path):
    col = make_vault(tmp_path, {
        "a": [exercise(f"a{k}") for k in range(7)] + [basic("a", 1)],
        "b": [exercise("b0"), basic("b", 1), basic("b", 2)],
        "c": [exercise("c0"), exercise("c1")],
    })
    e = engine(col, Clock(), new_per_day=100)
    kinds = [c.kind for c in new_cards_in_order(e)]
    assert len(kinds) == 13
    assert_exercises_apart(kinds)
    assert kinds[:7] == ["exercise", "basic", "exercise", "basic", "exercise", "basic",
                         "exercise"]


def test_note_order_is_note_by_note(tmp_path):
    col = make_vault(tmp_path, ten_notes(3))
    e = engine(col, Clock(), new_per_day=100, new_order="note")
    notes = [c.note for c in new_cards_in_order(e)]
    assert notes == sorted(notes) and len(notes) == 3 * 5  # one card of each block
    tomorrow = engine(col, Clock(T0 + timedelta(days=1)), new_order="note")
    first = [c.front for c in new_cards_in_order(tomorrow, 2)]
    assert first == ["note00 meaning", "note00 paragraph [...] 1"]


def test_random_order_is_stable_all_day_and_changes_with_the_day(tmp_path):
    col = make_vault(tmp_path, ten_notes())
    clock = Clock()

    def upcoming(moment) -> list[int]:
        # a fresh engine each time, as `flashdeck next` and `answer` are fresh processes
        return [engine(col, Clock(moment), new_order="random").next_card().id for _ in range(3)]

    first = upcoming(clock.moment)
    assert len(set(first)) == 1
    assert upcoming(clock.moment + timedelta(hours=5)) == first  # the same day
    e = engine(col, clock, new_per_day=100, new_order="random")
    today = new_cards_in_order(e)
    ids = [c.id for c in today]
    assert ids[0] == first[0] and len(ids) == 10 * 5
    assert ids != sorted(ids)
    assert len({(c.note_id, c.block) for c in today}) == len(today)  # siblings apart
    # another day, another order (of the cards still new)
    with col.transaction() as conn:
        conn.execute("DELETE FROM reviews")
        conn.execute("UPDATE cards SET state = 'new', due = NULL, step = NULL, stability = NULL,"
                     " difficulty = NULL, last_review = NULL, reps = 0")
    orders = {tuple(c.id for c in new_cards_in_order(
        engine(col, Clock(clock.moment + timedelta(days=d)), new_per_day=5,
               new_order="random"))) for d in range(1, 4)}
    assert len(orders) > 1


def test_random_order_is_not_a_walk_with_a_fixed_stride(tmp_path):
    """`random` ordered by (id * m + s) mod p: by the three-gap theorem every step between
    consecutive cards' ids then takes one of at most three values, so the day's new cards
    came as a fixed stride through the collection (note 1, 12, 5, 8, ... each day the same
    pattern shifted). A shuffle has steps of many sizes, and in both directions."""
    col = make_vault(tmp_path, {f"n{k:02}": [basic(f"n{k:02}", i) for i in range(1, 4)]
                                for k in range(30)})
    for day in range(3):
        ids = [c.id for c in new_cards_in_order(engine(
            col, Clock(Clock().moment + timedelta(days=day)), new_per_day=90,
            new_order="random"))]
        assert sorted(ids) == list(range(1, 91))
        steps = [b - a for a, b in zip(ids, ids[1:])]
        assert len(set(steps)) > 20, steps
        # and the notes do not come round in one fixed order: ever-new neighbours
        assert len({(a - 1) // 3 for a, b in zip(ids, ids[1:]) if (b - 1) // 3 == 0}) > 1
        with col.transaction() as conn:  # the next day starts from all new again
            conn.execute("DELETE FROM reviews")
            conn.execute("UPDATE cards SET state = 'new', due = NULL, step = NULL,"
                         " stability = NULL, difficulty = NULL, last_review = NULL, reps = 0")


def test_random_order_keeps_exercises_apart(tmp_path):
    col = make_vault(tmp_path, {"a": [exercise(f"a{k}") for k in range(6)]
                                + [basic("a", k) for k in range(1, 7)]})
    kinds = [c.kind for c in new_cards_in_order(engine(col, Clock(), new_per_day=100,
                                                       new_order="random"))]
    assert len(kinds) == 12
    assert_exercises_apart(kinds)


# -- the setting ---------------------------------------------------------------------------

def test_new_order_setting(tmp_path):
    config = tmp_path / "config.toml"
    assert load_config(config).new_order == "interleaved"
    for value in ("note", "random", "interleaved"):
        config.write_text(f'new_order = "{value}"\n')
        assert load_config(config).new_order == value


@pytest.mark.parametrize("value", ['"shuffle"', "3", '["note"]', '"Note"'])
def test_a_bad_new_order_is_a_one_line_error_naming_the_file_and_key(cli, tmp_path,
                                                                      monkeypatch, value):
    config = tmp_path / "config.toml"
    config.write_text(f"new_order = {value}\n")
    with pytest.raises(UsageError) as caught:
        load_config(config)
    message = str(caught.value)
    assert str(config) in message and "new_order" in message and "interleaved" in message
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    from flashdeck.collection.store import Collection

    Collection.open(tmp_path / "c.sqlite").close()  # a missing collection is its own error
    result = cli("--collection", tmp_path / "c.sqlite", "next")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "new_order" in result.err and str(config) in result.err
