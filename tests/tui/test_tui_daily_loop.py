"""The daily loop as a user lives it: keys typed fast (as a terminal delivers them in one
read), undo after the note changed, a card answered elsewhere while it is on screen."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
from textual import events

from support.tui import (SIZE, app_for, card, card_column, make_collection, read_rows, reviews,
                         run_async, screen_text, standard_cards, toasts,
                         editor_replacing, until)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    from support.tui import NOW_ISO

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def _exercise_first(tmp_path):
    exercise = [c for c in standard_cards() if c.kind == "exercise"][0]
    basic = card("basic", "Is Dice the same as F1?", "Yes: on binary masks Dice = F1.", 40)
    return make_collection(tmp_path / "c.sqlite", [exercise, basic])


def _two_metrics(tmp_path, front: str):
    """A collection of two basic cards, `front` with {n} = 1, 2, answers `Answer {n}`."""
    cards = [card("basic", front.format(n=n), f"Answer {n}", 10 * n) for n in (1, 2)]
    return make_collection(tmp_path / "c.sqlite", cards)


def _burst(app, keys: list[tuple[str, str | None]]) -> None:
    """Keys as a terminal delivers a fast burst (key repeat, a quick typist): all of them
    queued before the app has handled the first."""
    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)


@pytest.mark.parametrize("fix", [
    [("backspace", None)] * 4,                       # Backspace held down
    [("home", None), ("delete", None), ("delete", None), ("end", None),
     ("backspace", None), ("backspace", None)],       # the cursor keys, then Backspace
])
@run_async
async def test_an_answer_corrected_fast_is_graded_as_typed(tmp_path, fix):
    # Typing `71`, holding Backspace and typing `0.5` Enter quickly graded `7`: Textual
    # inserts a typed character at once but runs the box's Backspace (a binding) only when
    # the key has bubbled up to the app, so the characters typed after it came first and
    # Backspace then deleted them. The box now does its own keys in the order they came.
    app = app_for(_exercise_first(tmp_path))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#answer")
        assert app.screen.focused is box
        await pilot.press("7", "1")
        assert box.value == "71"
        _burst(app, [*fix, ("0", "0"), ("full_stop", "."), ("5", "5"), ("enter", None)])
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert "you gave 0.5" in text, text
        assert box.value == "0.5"
    assert reviews(app.collection_path) == []  # checked, not yet graded


def _vault_collection(tmp_path, text: str):
    """A vault of one note, imported into a fresh collection (before any app opens it)."""
    from flashdeck.collection.importer import import_paths
    from flashdeck.collection.store import Collection

    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "Metrics.md"
    note.write_text(text, encoding="utf-8")
    path = tmp_path / "c.sqlite"
    with Collection.open(path) as col:
        import_paths(col, [str(vault)], now=0)
    return path, note


def _editor_that_deletes(tmp_path, monkeypatch, line: str) -> None:
    """$VISUAL: a script that removes `line` from the note it is given."""
    editor_replacing(tmp_path, monkeypatch, line + "\n", "")


@run_async
async def test_undo_of_a_card_gone_from_its_note_does_not_show_it_again(tmp_path, monkeypatch):
    # Answer a card, then edit the note (`e` on the next card) and delete the answered
    # card's line, then `u`: the answer was taken back and the card came back on screen as
    # if due; revealed and graded, it was refused ("card 1 is no longer in its note"), the
    # user's effort for nothing. Now undo says the card is gone and shows the next card.
    lines = ["Precision::TP / (TP + FP)", "Recall::TP / (TP + FN)"]
    path, note = _vault_collection(
        tmp_path, "---\ntags: [flashcards/ml]\n---\n\n" + "\n\n".join(lines) + "\n")
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card
        gone = next(line for line in lines if line.startswith(first.front))
        await pilot.press("space", "3")
        await pilot.pause()
        second = app.screen.card
        assert second.id != first.id
        _editor_that_deletes(tmp_path, monkeypatch, gone)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.card.id == second.id  # the card shown was kept
        await pilot.press("u")
        await pilot.pause()
        text = screen_text(app)
        assert "Undid Good" in text and "no longer in its note" in text, text
        assert app.screen.card is not None and app.screen.card.id == second.id
        assert not app.screen.revealed
    assert reviews(app.collection_path) == []
    assert gone not in note.read_text(encoding="utf-8")


def _exercise_with_unit(tmp_path, unit: str):
    exercise = [c for c in standard_cards() if c.kind == "exercise"][0]
    if unit:
        back = exercise.back.replace("answer:", f"unit: {unit}\nanswer:")
        exercise = card("exercise", exercise.front, back, 50, exercise="cat-dice")
    basic = card("basic", "Is Dice the same as F1?", "Yes: on binary masks Dice = F1.", 40)
    return make_collection(tmp_path / "c.sqlite", [exercise, basic])


def _keys_of(text: str) -> list[tuple[str, str]]:
    names = {" ": "space", ".": "full_stop", "-": "minus", "/": "slash", "%": "percent_sign"}
    return [(names.get(ch, ch), ch) for ch in text]


@pytest.mark.parametrize("unit, typed", [("", "1e-3"), ("seconds", "2 secs"),
                                         ("mph", "15 mph"), ("", "3/4 ")])
@run_async
async def test_an_answer_typed_fast_is_typed_not_taken_for_commands(tmp_path, monkeypatch,
                                                                     unit, typed):
    # Whether a letter goes into the answer (`e` after a digit, `s` beginning the unit
    # word) was decided on the box's text as it was when the key reached the app: in a
    # burst (a fast typist, a busy machine) the keys before it were not in the box yet, so
    # `1e-3` typed fast opened the editor and `2 secs` suspended the card.
    marker = tmp_path / "edited"
    editor = tmp_path / "editor.py"
    editor.write_text(f"open({str(marker)!r}, 'w').write('yes')\n", encoding="utf-8")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    path = _exercise_with_unit(tmp_path, unit)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#answer")
        assert app.screen.focused is box
        _burst(app, _keys_of(typed))
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert app.screen.card.id == 1 and box.value == typed
    assert not marker.exists()
    assert read_rows(path, "SELECT suspended, buried_until FROM cards WHERE id = 1") == [(0, None)]
    assert reviews(path) == []


@run_async
async def test_command_keys_typed_fast_after_an_answer_still_work(tmp_path):
    # the other way round: `q` and `?` are never typed, `s` after `3/4 ` is a command
    path = _exercise_with_unit(tmp_path, "")
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        _burst(app, _keys_of("3/4 s"))
        await pilot.pause()
        await pilot.pause()
        assert "Is Dice the same as F1?" in screen_text(app)
    assert read_rows(path, "SELECT suspended FROM cards WHERE id = 1") == [(1,)]


@run_async
async def test_a_card_answered_elsewhere_before_the_reveal_is_not_revealed(tmp_path):
    # Another terminal answered the card while this one showed its question: Space showed
    # the answer with the buttons' intervals of the card's new state (Good 2d for a new
    # card), and the grade given was refused only then. Now the reveal says so at once
    # and shows the next card.
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    cards = [card("basic", "Precision?", "TP / (TP + FP)", 10),
             card("basic", "Recall?", "TP / (TP + FN)", 20, deck="flashcards/ml/other")]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = app.screen.card
        with Collection.open(path) as other:  # the other terminal answers it
            Engine(other, Config(fuzz=False)).answer(shown.id, 3)
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert f"card {shown.id} was answered elsewhere" in text.lower(), text
        assert app.screen.card.id != shown.id and not app.screen.revealed
        await pilot.press("space", "3")
        await pilot.pause()
    assert sorted(reviews(path)) == sorted([(shown.id, 3), (3 - shown.id, 3)])


def _reimport_elsewhere(path, note, old: str, new: str) -> None:
    """Another terminal: the note edited, then `flashdeck import` of its vault."""
    from flashdeck.collection.importer import import_paths
    from flashdeck.collection.store import Collection

    text = note.read_text(encoding="utf-8")
    assert old in text
    note.write_text(text.replace(old, new), encoding="utf-8")
    with Collection.open(path) as other:
        import_paths(other, [str(note.parent)], now=0)


PRECISION_NOTE = ("---\ntags: [flashcards/ml/metrics]\n---\n# Precision\n\n"
                  "Precision::$\\frac{TP}{TP + FP}$\n")


@run_async
async def test_an_answer_re_imported_elsewhere_is_revealed_as_it_is_now(tmp_path):
    # The card on screen, its note fixed in the editor and `flashdeck import` run in
    # another terminal: Space showed the old answer (the mistake just fixed) until the
    # next card. The reveal now shows the answer as it is now, and says it changed.
    path, note = _vault_collection(tmp_path, PRECISION_NOTE)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = app.screen.card
        assert shown.front == "Precision"
        _reimport_elsewhere(path, note, "{TP + FP}", "{TP + FP + 0}")
        await pilot.press("space")
        await pilot.pause()
        said = toasts(app)
        assert f"Card {shown.id} was changed in its note since it was shown: its answer" \
            in said, said
        assert app.screen.revealed and app.screen.card.id == shown.id
        text = screen_text(app)
        assert "TP + FP + 0" in text, text
        await pilot.press("3")
        await pilot.pause()
    assert reviews(path) == [(shown.id, 3)]


@run_async
async def test_a_question_re_imported_elsewhere_is_shown_again_before_its_answer(tmp_path):
    # the question changed too: the new question is shown (the old one was read), and the
    # next Space reveals the new answer
    path, note = _vault_collection(tmp_path, PRECISION_NOTE)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = app.screen.card
        _reimport_elsewhere(path, note, "Precision::", "Precision (PPV)::")
        await pilot.press("space")
        await pilot.pause()
        said = toasts(app)
        assert "here is its question as it is now" in said, said
        assert not app.screen.revealed and app.screen.card.id == shown.id
        assert "Precision (PPV)" in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.revealed and "TP + FP" in screen_text(app)


@run_async
async def test_the_day_s_last_card_answered_elsewhere_ends_on_the_summary(tmp_path):
    # The day's last card on screen, answered in another terminal, then Space: the screen
    # said so and went to the summary, then crashed ("internal error: NoMatches: No nodes
    # match '#card'": the reveal's scroll ran on the review screen already taken down).
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    path = make_collection(tmp_path / "c.sqlite", [card("basic", "Precision?", "TP / (TP + FP)",
                                                        10)])
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        with Collection.open(path) as other:
            Engine(other, Config(fuzz=False)).answer(app.screen.card.id, 4)  # days away
        await pilot.press("space")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        assert "was answered elsewhere" in toasts(app)
    assert app.crash is None
    assert reviews(path) == [(1, 4)]


def _three_metric_decks(tmp_path):
    """A collection of three basic cards, each in a deck of its own."""
    cards = [card("basic", f"Metric {n}?", f"Answer {n}", 10 * n,
                  deck=f"flashcards/ml/d{n}") for n in (1, 2, 3)]
    return make_collection(tmp_path / "c.sqlite", cards)


def _undo_elsewhere(path) -> None:
    """The collection's last answer taken back as `flashdeck undo` takes it back."""
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    with Collection.open(path) as other:
        assert Engine(other, Config(fuzz=False)).undo().done


@run_async
async def test_an_answer_undone_elsewhere_neither_blocks_undo_nor_counts(tmp_path):
    # `flashdeck undo` in another terminal took back the session's last answer: every `u`
    # then said "that answer is no longer in the review log" and the session's earlier
    # answers could never be undone; the summary still counted the undone answer.
    path = _three_metric_decks(tmp_path)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card.id
        await pilot.press("space", "3")
        await pilot.pause()
        await pilot.press("space", "4")
        await pilot.pause()
        _undo_elsewhere(path)  # `flashdeck undo` in another terminal
        await pilot.press("u")
        await pilot.pause()
        assert "undone elsewhere" in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert "Undid Good." in screen_text(app)
        assert app.screen.card.id == first
        assert reviews(path) == []
        await pilot.press("space", "3")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.session.summary().done == 1
        assert "Cards reviewed       1" in screen_text(app)
    assert reviews(path) == [(first, 3)]


@run_async
async def test_the_summary_leaves_out_an_answer_undone_elsewhere(tmp_path):
    path = _three_metric_decks(tmp_path)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "3", "space", "2")
        await pilot.pause()
        _undo_elsewhere(path)
        await pilot.press("q")
        await pilot.pause()
        text = screen_text(app)
        assert "Cards reviewed       1" in text and "0 · 1 · 0" in text, text
    assert len(reviews(path)) == 1
    assert app.final_summary.startswith("Reviewed 1 card ")


@run_async
async def test_e_on_a_note_moved_meanwhile_finds_it_instead_of_opening_an_empty_file(
        tmp_path, monkeypatch):
    # The note was renamed in Obsidian while its card was on screen: `e` opened the editor
    # on the old path, an empty new file (saved, a stray note in the vault). Now `e` says
    # the note is gone from there and re-reads the vault; the next `e` opens it where it is.
    path, note = _vault_collection(
        tmp_path, "---\ntags: [flashcards/ml]\n---\n\nPrecision::TP / (TP + FP)\n")
    opened = tmp_path / "opened"
    script = tmp_path / "editor.py"
    script.write_text(f"import sys\nopen({str(opened)!r}, 'a').write(sys.argv[-1] + '\\n')\n",
                      encoding="utf-8")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = app.screen.card
        moved = note.with_name("Precision and Recall.md")
        note.rename(moved)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not opened.exists() and not note.exists()
        said = toasts(app)
        assert f"The note {note} is no longer there" in said, said
        assert app.screen.card.id == shown.id and app.screen.card.note == str(moved)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert opened.read_text(encoding="utf-8") == f"{moved}\n"
    assert not note.exists()


@run_async
async def test_b_in_cram_puts_the_card_aside_instead_of_showing_it_again(tmp_path):
    # `review --cram`: `b` said "Buried until tomorrow." and showed the same card again,
    # and again: a card could not be skipped. The cram now leaves it out.
    path = _two_metrics(tmp_path, "Metric {n}?")
    app = app_for(path, cram=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card.id
        await pilot.press("b")
        await pilot.pause()
        assert "Put aside for this cram" in screen_text(app)
        assert app.screen.card is not None and app.screen.card.id != first
        await pilot.press("space", "3")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
    assert read_rows(path, "SELECT card_id, rating FROM cram_log") == [(3 - first, 3)]
    assert reviews(path) == []


@run_async
async def test_b_in_cram_leaves_the_real_schedule_alone(tmp_path, cli):
    # `b` in `review --cram` buried the real card until tomorrow ("Buried until
    # tomorrow"): a card due today vanished from the day's review, though a cram is meant
    # to touch no schedule. As in Anki's filtered decks without rescheduling, `b` now takes
    # the card out of this cram only, and says so; `u` brings it back into the cram.
    cards = [card("basic", f"What does metric {n} measure?", f"Answer {n}", 10 * n)
             for n in (1, 2, 3)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    before = read_rows(path, "SELECT id, due, buried_until, version FROM cards ORDER BY id")
    app = app_for(path, cram=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card.id
        await pilot.press("b")
        await pilot.pause()
        said = toasts(app)
        assert "Put aside for this cram; its schedule is untouched" in said, said
        assert "Buried until tomorrow" not in said
        assert app.screen.card.id != first
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.card.id == first  # back in the cram
        await pilot.press("b")
        await pilot.pause()
        seen = set()
        while type(app.screen).__name__ == "ReviewScreen":
            seen.add(app.screen.card.id)
            await pilot.press("space", "3")
            await pilot.pause()
        assert first not in seen and len(seen) == 2
    assert read_rows(path, "SELECT id, due, buried_until, version FROM cards ORDER BY id") \
        == before
    result = cli("--collection", str(path), "due", "--json")
    assert result.code == 0
    total = result.json["total"]
    assert total["new"] + total["learning"] + total["review"] == 3, result.out


@run_async
async def test_a_cram_card_answered_in_another_terminal_is_still_revealed(tmp_path):
    # `review --cram` in one terminal, `flashdeck answer` (the daily review) in another on
    # the card the cram shows: Space said "Card 1 was answered elsewhere in the meantime:
    # on to the next card" and showed the same card again. A cram touches no schedule, so
    # an answer elsewhere changes nothing in it: the answer is revealed and graded once.
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    path = _two_metrics(tmp_path, "What does metric {n} measure?")
    app = app_for(path, cram=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = app.screen.card
        with Collection.open(path) as other:
            Engine(other, Config(fuzz=False)).answer(shown.id, 3)
        await pilot.press("space")
        await pilot.pause()
        said = toasts(app)
        assert "answered elsewhere" not in said, said
        assert app.screen.revealed and app.screen.card.id == shown.id
        assert f"Answer {shown.id}" in screen_text(app)
        await pilot.press("3")
        await pilot.pause()
        assert app.screen.card.id != shown.id
        with Collection.open(path) as other:  # suspended elsewhere: out of the cram too
            Engine(other, Config(fuzz=False)).suspend(app.screen.card.id)
        await pilot.press("space")
        await pilot.pause()
        said = toasts(app)
        assert "was suspended elsewhere in the meantime" in said, said
        assert type(app.screen).__name__ == "SummaryScreen"
    assert read_rows(path, "SELECT card_id, rating FROM cram_log") == [(shown.id, 3)]
    assert reviews(path) == [(shown.id, 3)]  # the other terminal's, and only it


@run_async
async def test_s_in_cram_suspends_the_card_and_says_it_is_everywhere(tmp_path):
    # `s` in a cram suspends the card itself (Anki's filtered decks do too: a card the
    # user wants gone is gone), and the toast says it reaches beyond the cram
    path = _two_metrics(tmp_path, "Metric {n}?")
    app = app_for(path, cram=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card.id
        await pilot.press("s")
        await pilot.pause()
        said = toasts(app)
        assert f"Suspended card {first} everywhere, not only in this cram" in said, said
    assert card_column(path, first, "suspended") == 1


@run_async
async def test_q_in_a_deck_session_sums_up_that_deck(tmp_path):
    # `flashdeck review --deck flashcards/ml/losses`, a card answered, `q`: the summary
    # said "Still due today: 2 new" — the other deck's cards, as if left in this session —
    # and so did the line printed on exit. It now speaks of the deck, and of the others
    # apart, as the end of a deck's queue always did.
    cards = [card("basic", "Cross entropy?", "−∑ p log q", 10, deck="flashcards/ml/losses"),
             card("basic", "Precision?", "TP / (TP + FP)", 20, deck="flashcards/ml/metrics"),
             card("basic", "Recall?", "TP / (TP + FN)", 30, deck="flashcards/ml/metrics")]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path, deck="flashcards/ml/losses")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert "Cross entropy?" in screen_text(app)
        await pilot.press("space", "1", "q")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "Still due in this deck 0 new · 0 learning · 0 review" in text, text
        assert "Other decks 2 new due" in text, text
        await pilot.press("q")
        await pilot.pause()
    assert "Still due today: 2 new" not in app.final_summary
    assert "Elsewhere: 2 new due." in app.final_summary, app.final_summary


@run_async
async def test_u_on_the_summary_takes_back_the_last_answer_of_the_day(tmp_path):
    # The last due card answered Again by a slip: the queue ended on the summary, where `u`
    # did nothing, and the session's undo could not be reached any more (the CLI's
    # `flashdeck undo` only). Now `u` there takes the answer back and shows the card again.
    cards = [card("basic", "Precision?", "TP / (TP + FP)", 10)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "4")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        assert reviews(path) == [(1, 4)]
        await pilot.press("u")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert "Undid Easy." in screen_text(app) and "Precision?" in screen_text(app)
        assert reviews(path) == []
        await pilot.press("u")  # nothing before it in this session
        await pilot.pause()
        assert "Nothing to undo in this session" in " ".join(screen_text(app).split())
        await pilot.press("space", "4")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen", screen_text(app)
        assert "Cards reviewed       1" in screen_text(app)
    assert reviews(path) == [(1, 4)]


@run_async
async def test_u_on_the_summary_keeps_the_progress_of_the_sitting(tmp_path):
    # Three cards answered, the summary, `u` (the last was a slip): the review screen came
    # back with its progress bar at 0/1, as if the sitting had just begun. It goes on at
    # 2/3 (the answer taken back is the one left), and ends at 3/3 again.
    cards = [card("basic", f"What does metric {n} measure?", f"Answer {n}", 10 * n)
             for n in (1, 2, 3)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.press("space", "4")
            await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        await pilot.press("u")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        status = app.screen.query_one("#status")
        assert status.progress == "2/3", status.progress
        assert "2/3" in screen_text(app).splitlines()[1]
        await pilot.press("space", "4")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
    assert len(reviews(path)) == 3


@run_async
async def test_u_on_the_summary_after_a_bury_keeps_the_progress(tmp_path):
    cards = [card("basic", f"What does metric {n} measure?", f"Answer {n}", 10 * n)
             for n in (1, 2)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "4")
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        await pilot.press("u")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert app.screen.query_one("#status").progress == "1/2"


@run_async
async def test_u_on_the_summary_takes_back_a_bury_of_the_last_card(tmp_path):
    """The day's last card buried by a slip of `b`: the summary's `u` unburies it and shows
    it again, as it takes back an answer."""
    cards = [card("basic", "Recall?", "TP / (TP + FN)", 10)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        assert card_column(path, 1, "buried_until") is not None
        await pilot.press("u")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert "Undid the bury of card 1." in screen_text(app)
        assert "Recall?" in screen_text(app)
    assert card_column(path, 1, "buried_until") is None


@run_async
async def test_grades_typed_fast_are_the_grades_given_each_to_its_own_card(tmp_path):
    # `Space 1 Space 1 …` typed fast (a quick typist, a busy machine): Space was handled as
    # it came but a digit only after it had gone to the screen and back, so the second
    # Space came first and graded the first card Good, the `1` then rang the bell on the
    # next card's question: every other card graded Good, none Again. Each card now gets
    # the grade typed after its reveal, in order, none skipped and none twice.
    cards = [card("basic", f"Capital of country {i}?", f"City {i}", 3 + 2 * i,
                  deck="flashcards/geo") for i in range(8)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    typed = [("space", " "), ("1", "1"), ("enter", None), ("2", "2"), ("space", " "),
             ("4", "4"), ("enter", None), ("enter", None), ("space", " "), ("1", "1"),
             ("space", " "), ("3", "3"), ("space", " ")]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card.id
        _burst(app, typed)
        for _ in range(100):  # bounded: until the burst is handled (the 7th card revealed)
            await pilot.pause()
            if len(reviews(path)) == 6 and app.screen.revealed:
                break
        text = screen_text(app)
        assert "Capital of country 6?" in text and "City 6" in text, text
    given = reviews(path)
    assert [rating for _, rating in given] == [1, 2, 4, 3, 1, 3]
    assert [card_id for card_id, _ in given] == list(range(first, first + 6))


def _driver_click(app, selector: str) -> None:
    """A click as the terminal driver delivers it: the mouse button's press and release,
    posted to the app (Textual makes the Click of them; the pilot's `click()` skips that)."""
    from textual.pilot import _get_mouse_message_arguments

    target = app.screen.query_one(selector)
    arguments = _get_mouse_message_arguments(target, (2, 0), button=1)
    for kind in (events.MouseDown, events.MouseUp):
        event = kind(**arguments)
        event.set_sender(app)
        app.post_message(event)


@pytest.mark.parametrize("clicks, then, given", [
    (1, [], [(0, 1)]),                                      # the click alone
    (2, [], [(0, 1)]),                                      # a double-click: one answer
    (1, [("space", " ")], [(0, 1)]),                        # then the next card's reveal
    (1, [("space", " "), ("space", " ")], [(0, 1), (1, 3)]),  # ...and Good on it
])
@run_async
async def test_a_click_on_a_grade_then_keys_grade_the_card_clicked(tmp_path, clicks, then,
                                                                   given):
    # Mouse users reveal with Space and click a grade. A click on Again and a Space right
    # after it (the next card's reveal; a busy machine delivers both at once): the Space
    # was handled first and graded the card Good, and the click, landing later, graded the
    # next card Again the moment it was revealed. The click is now handled in its turn.
    cards = [card("basic", f"Capital of country {i}?", f"City {i}", 3 + 2 * i,
                  deck="flashcards/geo") for i in range(4)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card.id
        await pilot.press("space")
        await pilot.pause()
        for _ in range(clicks):
            _driver_click(app, "#grade-1")
        _burst(app, then)
        for _ in range(100):  # bounded: until the clicks and keys are handled
            await pilot.pause()
            if len(reviews(path)) == len(given) and app.screen.revealed == (len(then) == 1):
                break
        shown = app.screen.card.id
    assert reviews(path) == [(first + offset, rating) for offset, rating in given]
    assert shown == first + len(given)


@run_async
async def test_escape_then_a_grade_typed_fast_leaves_the_card_unanswered(tmp_path):
    # Escape (back to the decks) then `3` in one burst: the grade, a priority binding, ran
    # before the Escape and graded the card the user had left. Escape is in its turn too.
    from flashdeck.tui.screens.home import HomeScreen

    cards = [card("basic", f"Capital of country {i}?", f"City {i}", 3 + 2 * i,
                  deck="flashcards/geo") for i in range(3)]
    path = make_collection(tmp_path / "c.sqlite", cards)
    app = app_for(path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("space")
        await pilot.pause()
        _burst(app, [("escape", None), ("3", "3")])
        for _ in range(100):  # bounded: until the deck list is shown
            await pilot.pause()
            if isinstance(app.screen, HomeScreen):
                break
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert reviews(path) == []


@pytest.mark.parametrize("where", ["question", "answer box"])
@run_async
async def test_ctrl_c_quits_with_the_summary(tmp_path, where):
    # Ctrl-C (every terminal user's quit) only showed Textual's "Do you want to quit? Press
    # ctrl+q to quit the app"; it now quits as Ctrl-Q does, the answers kept and the
    # session's summary line made, from a card's question or from the exercise's answer box
    path = _exercise_first(tmp_path) if where == "answer box" else \
        make_collection(tmp_path / "c.sqlite")
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        if where == "answer box":
            assert app.screen.focused is app.screen.query_one("#answer")
            await pilot.press("1", "2")
        else:
            await pilot.press("space", "3")
            await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert "Do you want to quit" not in toasts(app)
    assert app.return_code == 0
    assert app.final_summary.startswith(
        "No cards reviewed" if where == "answer box" else "Reviewed 1 card")
    assert len(reviews(path)) == (0 if where == "answer box" else 1)


@pytest.mark.parametrize("after, rating", [("1", 1), ("4", 4), ("enter", None)])
@run_async
async def test_a_grade_typed_right_after_checking_an_answer_grades_the_card(tmp_path, after,
                                                                           rating):
    # `3/4` Enter `1` in one burst (as tmux send-keys sends it, or a quick typist): the
    # `1` came to the answer box while Enter was still on its way, and landed in the box
    # after the check (`3/41` shown, the card left ungraded). The box is done once its
    # answer is checked: the grade after it grades the card; Enter takes the suggestion.
    path = _exercise_with_unit(tmp_path, "")
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#answer")
        assert app.screen.focused is box
        _burst(app, [*_keys_of("3/4"), ("enter", None),
                     (after, None if after == "enter" else after)])
        # bounded: until the burst is handled (the answer written, the next card shown)
        # (up to ~30 s: a grade waits up to review.DRAW_WAIT, 10 s, for its answer's frame)
        await until(pilot, lambda: reviews(path)
                    and "Is Dice the same as F1?" in screen_text(app), rounds=3000)
        assert box.value == "3/4"
        given = reviews(path)
        assert [card_id for card_id, _ in given] == [1]
        if rating is not None:
            assert given == [(1, rating)]


@pytest.mark.parametrize("after, rating", [("1", 1), ("4", 4), ("enter", None),
                                           ("space", None)])
@run_async
async def test_a_grade_typed_while_the_checked_answer_is_being_shown_grades_the_card(
        tmp_path, after, rating):
    # `3/4` Enter, then `1` a moment later: the box has taken Enter (checked the answer,
    # given up the focus) but the screen has not shown the answer yet. The `1` went
    # straight to the screen's binding, found nothing revealed, rang the bell and was
    # dropped: the card stayed ungraded (the burst test above failed this way in CI).
    path = _exercise_with_unit(tmp_path, "")
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#answer")
        _burst(app, [*_keys_of("3/4"), ("enter", None)])
        for _ in range(10_000):  # bounded: until the box has checked the answer
            if box.disabled:
                break
            await asyncio.sleep(0)
        assert box.disabled and not app.screen.revealed and app.screen.focused is None
        _burst(app, [(after, {"space": " ", "enter": None}.get(after, after))])
        await until(pilot, lambda: reviews(path)
                    and "Is Dice the same as F1?" in screen_text(app), rounds=3000)
        given = reviews(path)
        assert [card_id for card_id, _ in given] == [1]
        if rating is not None:
            assert given == [(1, rating)]


@run_async
async def test_after_a_burst_graded_an_exercise_that_comes_again_the_box_has_the_keys(tmp_path):
    # the same burst on a lone exercise: Again brings it back at once, its box focused and
    # the line under the card saying Enter checks (a blur of the box, handled late behind
    # the burst, said "Space  type your answer" over a box that had the focus)
    exercise = [c for c in standard_cards() if c.kind == "exercise"][0]
    path = make_collection(tmp_path / "c.sqlite", [exercise])
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#answer")
        _burst(app, [*_keys_of("3/4"), ("enter", None), ("1", "1")])
        # bounded: until the burst is handled (a grade may wait for its answer's frame)
        await until(pilot, lambda: reviews(path) and not box.disabled and box.value == "",
                    rounds=3000)
        for _ in range(5):
            await pilot.pause()
        assert reviews(path) == [(1, 1)]
        assert app.screen.focused is box and box.value == ""
        assert "Enter  check your answer" in screen_text(app)
        await pilot.press("7")
        assert box.value == "7"


@pytest.mark.parametrize("opens, screen", [("i", "InfoScreen"), ("question_mark", "HelpScreen")])
@run_async
async def test_a_screen_opened_from_the_answer_box_takes_the_keys_typed_after_it(
        tmp_path, opens, screen):
    # `2 i Escape 3 Enter` typed fast on an exercise: the `i` (a command: it cannot go on
    # with `2`) opens the card info, the Escape closes it, `3` goes on with the answer and
    # Enter checks `23`. The keys after the `2` were all on their way to the answer box
    # together, so the Escape was the box's (it left the box) and the card info stayed
    # open over the card, `3` and Enter typed under it.
    path = _exercise_first(tmp_path)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        review = app.screen
        assert review.focused is review.query_one("#answer")
        _burst(app, [("2", "2"), (opens, "?" if opens == "question_mark" else opens),
                     ("escape", None), ("3", "3"), ("enter", None)])
        await until(pilot, lambda: review.revealed, rounds=3000)
        assert [type(s).__name__ for s in app.screen_stack] == ["ReviewScreen"], screen
        assert "you gave 23" in screen_text(app)


def _note_deleted_elsewhere(path, card_id: int) -> None:
    """Another terminal: the card's note deleted, then `flashdeck import` of its vault."""
    from flashdeck.collection.cards import get_card
    from flashdeck.collection.importer import import_paths
    from flashdeck.collection.store import Collection

    with Collection.open(path) as other:
        note = get_card(other, card_id).note
        os.remove(note)
        import_paths(other, [os.path.dirname(note)], now=0)


def _hidden_elsewhere(action: str):
    """Another terminal: `flashdeck suspend` or `flashdeck bury` of the card."""
    def hide(path, card_id: int) -> None:
        from flashdeck.collection.store import Collection
        from flashdeck.scheduling.config import Config
        from flashdeck.scheduling.engine import Engine

        with Collection.open(path) as other:
            getattr(Engine(other, Config(fuzz=False)), action)(card_id)
    return hide


@pytest.mark.parametrize("change, said", [
    (_note_deleted_elsewhere, "is no longer in its note"),
    (_hidden_elsewhere("suspend"), "was suspended elsewhere in the meantime"),
    (_hidden_elsewhere("bury"), "was buried elsewhere in the meantime"),
])
@run_async
async def test_a_card_changed_elsewhere_before_the_reveal_is_said_as_it_was(tmp_path, change,
                                                                              said):
    # The card on screen, its note deleted and the vault re-imported in another terminal
    # (or the card suspended or buried there): Space said "Card 1 was answered elsewhere in
    # the meantime (or put aside there)", though nobody had answered it. Now it says what
    # happened, and goes on to the next card as before.
    vault = tmp_path / "vault"
    vault.mkdir()
    for name, line in (("Precision.md", "Precision::TP / (TP + FP)"),
                       ("Recall.md", "Recall::TP / (TP + FN)")):
        (vault / name).write_text(f"---\ntags: [flashcards/ml]\n---\n\n{line}\n",
                                  encoding="utf-8")
    from flashdeck.collection.importer import import_paths
    from flashdeck.collection.store import Collection

    path = tmp_path / "c.sqlite"
    with Collection.open(path) as col:
        import_paths(col, [str(vault)], now=0)
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = app.screen.card
        change(path, shown.id)
        await pilot.press("space")
        await pilot.pause()
        text = toasts(app)
        assert f"Card {shown.id} {said}" in text and "on to the next card" in text, text
        assert "answered elsewhere" not in text, text
        assert app.screen.card.id != shown.id and not app.screen.revealed
    assert reviews(path) == []
