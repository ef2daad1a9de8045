"""A busy collection makes the review screen wait, never die (issue 17).

Another program holds the collection's write lock (a real second sqlite3 connection in
`BEGIN IMMEDIATE`, in a thread of the test); the screen must say it is waiting, keep the
answer, refuse a second one, and write it exactly once when the lock is let go. The lock is
released by the test once the waiting state is on screen (no timing in the assertions); the
app's `busy_wait` is made short so each test takes about a second.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from flashdeck.tui.session import WAITING_TEXT
from support.tui import (NOW_ISO, SIZE, app_for, card_column, make_collection, reviews,
                              run_async, screen_text, toasts, until)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WAITING = "Waiting for the collection"
BUSY_WAIT = 0.2  # seconds an answer waits on the event loop before it is pending


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    return make_collection(tmp_path / "c.sqlite")


class Holder:
    """Another program writing: a connection of its own thread holds BEGIN IMMEDIATE until
    `release()` (or the end of the `with`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.held = threading.Event()
        self.go = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            self.held.set()
            self.go.wait(30)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def release(self) -> None:
        self.go.set()
        self.thread.join(10)

    def __enter__(self) -> "Holder":
        self.thread.start()
        assert self.held.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.release()


@asynccontextmanager
async def pending_answer(pilot, app, collection: Path, key: str):
    """The shown card's answer (`key` after Space) given while another program holds the
    collection: pending within the block, which gets the review screen and the card
    answered; the other program lets go at its end."""
    await pilot.pause()
    review = app.screen
    first = review.card
    await pilot.press("space")
    with Holder(collection):
        await pilot.press(key)
        await until(pilot, lambda: app.pending is not None)
        yield review, first


def flat(app) -> str:
    return " ".join(screen_text(app).split())


@run_async
async def test_an_answer_waits_for_a_busy_collection_then_is_written_once(collection):
    app = app_for(collection, busy_wait=BUSY_WAIT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen.card
        await pilot.press("space")  # the answer
        with Holder(collection):
            await pilot.press("3")  # Good: cannot be written now
            await until(pilot, lambda: WAITING in flat(app))
            text = flat(app)
            assert WAITING_TEXT.split("…")[0] in text
            assert "(another program is writing to it)" in text
            assert "Your answer (Good) is kept" in text
            assert app.screen.card.id == first.id  # still on the card it answered
            # no second answer to the same card, whatever is pressed meanwhile
            for key in ("1", "4", "space", "enter"):
                await pilot.press(key)
            assert app.pending is not None and app.pending.rating == 3
            assert reviews(collection) == []
        # the other program lets go: the answer is written, once, and the next card shows
        await until(pilot, lambda: app.pending is None)
        await pilot.pause()
        assert reviews(collection) == [(first.id, 3)]
        assert app.screen.card is not None and app.screen.card.id != first.id
        assert WAITING not in flat(app)
        assert card_column(collection, first.id, "state") != "new"
    assert app.crash is None


@run_async
async def test_an_answer_written_while_the_help_is_open_moves_the_review_on(collection):
    app = app_for(collection, busy_wait=BUSY_WAIT)
    async with app.run_test(size=SIZE) as pilot:
        async with pending_answer(pilot, app, collection, "2") as (review, first):
            await pilot.press("question_mark")  # the help, over the waiting card
            await until(pilot, lambda: app.screen is not review)
        await until(pilot, lambda: app.pending is None)
        await pilot.press("escape")  # the help closes: the next card is there
        await until(pilot, lambda: app.screen is review)
        await pilot.pause()
        assert review.card.id != first.id
        assert WAITING not in flat(app)
    assert reviews(collection) == [(first.id, 2)]


@run_async
async def test_quitting_while_an_answer_waits_writes_it_first(collection):
    app = app_for(collection, busy_wait=BUSY_WAIT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen.card
        await pilot.press("space")
        with Holder(collection):
            await pilot.press("1")  # Again, pending
            await until(pilot, lambda: app.pending is not None)
            await pilot.press("q")  # the summary: it waits for the answer, and says so
            await until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
            await pilot.pause()
            text = flat(app)
            assert WAITING in text
            assert "Your last answer is written as soon as the collection is free" in text
            await pilot.press("q")  # quit: not before the answer is written
            await pilot.pause()
            assert app.is_running
            assert reviews(collection) == []
        await until(pilot, lambda: not app.is_running)
    assert reviews(collection) == [(first.id, 1)]
    assert app.final_summary.startswith("Reviewed 1 card")
    assert app.crash is None


@run_async
async def test_the_summary_shows_the_answer_once_it_is_written(collection):
    app = app_for(collection, busy_wait=BUSY_WAIT)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space")
        with Holder(collection):
            await pilot.press("3")
            await until(pilot, lambda: app.pending is not None)
            await pilot.press("q")
            await until(pilot, lambda: WAITING in flat(app))
        await until(pilot, lambda: "Cards reviewed" in flat(app))
        assert WAITING not in flat(app)
        assert "Cards reviewed 1" in flat(app)
    assert len(reviews(collection)) == 1


@run_async
async def test_bury_suspend_and_undo_on_a_busy_collection_are_messages(collection):
    app = app_for(collection, busy_wait=BUSY_WAIT)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")  # written at once: the collection is free
        await pilot.pause()
        assert len(reviews(collection)) == 1
        shown = app.screen.card
        with Holder(collection):
            for key, what in (("b", "the card is not buried"),
                              ("s", "the card is not suspended"),
                              ("u", "nothing undone")):
                await pilot.press(key)
                await until(pilot, lambda: what in toasts(app))
                assert app.screen.card.id == shown.id  # nothing changed on screen
            messages = toasts(app)
            assert "The collection is busy (another program is writing to it)" in messages
        assert card_column(collection, shown.id, "suspended") == 0
        assert card_column(collection, shown.id, "buried_until") is None
        assert len(reviews(collection)) == 1  # the undo did not happen
        await pilot.press("u")  # free again: it does
        await pilot.pause()
        assert reviews(collection) == []
    assert app.crash is None


def test_a_retried_answer_is_never_applied_twice(collection):
    """The pending answer carries the card's version as shown: once written, the same
    answer written again is refused, not applied to the new state."""
    from flashdeck.collection.store import Collection
    from flashdeck.errors import UsageError
    from flashdeck.scheduling.config import Config
    from flashdeck.tui.session import Pending, Session

    with Collection.open(collection) as col:
        session = Session(col, Config(fuzz=False))
        card = session.engine().next_card()
        pending = Pending(card.id, 3, 1000, card.version, None)
        answered = session.write_pending(pending, collection, retry_seconds=0.1)
        assert answered is not None and answered.card_id == card.id
        with pytest.raises(UsageError, match="answered elsewhere"):
            session.write_pending(pending, collection, retry_seconds=0.1)
    assert reviews(collection) == [(card.id, 3)]


def test_the_rescan_commits_between_notes(tmp_path):
    """The app's re-scan (hold_seconds) lets the write lock go between notes, so an answer
    never waits behind a whole import; `flashdeck import` (no hold) writes one batch."""
    from flashdeck.collection.importer import import_paths
    from flashdeck.collection.store import Collection

    vault = tmp_path / "vault"
    vault.mkdir()
    for n in range(6):
        (vault / f"note {n}.md").write_text(
            f"---\ntags: [flashcards/test]\n---\n# Topic {n}\n\nWhat is {n} + 1?::{n + 1}\n",
            encoding="utf-8")

    def commits(path: Path, hold: float | None) -> tuple[int, int]:
        seen: list[str] = []
        with Collection.open(path) as col:
            col.conn.set_trace_callback(seen.append)
            report = import_paths(col, [str(vault)], now=0, hold_seconds=hold)
        return sum(1 for s in seen if s.strip().upper() == "COMMIT"), report.cards_added

    batched, added = commits(tmp_path / "a.sqlite", None)
    note_by_note, added_too = commits(tmp_path / "b.sqlite", 0.0)
    assert added == added_too == 6
    assert note_by_note >= batched + 5  # a commit after every note


# -- honest messages: each card counted once; a deck session's end speaks of that deck ------
@run_async
async def test_the_summary_counts_a_learning_card_once(collection):
    app = app_for(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "1")  # Again: back in a minute, later today
        await pilot.pause()
        await pilot.press("q")
        await until(pilot, lambda: "Cards reviewed" in flat(app))
        text = flat(app)
        assert "Still due today 5 new · 0 learning · 0 review" in text
        assert "Later today 1 card (the next at" in text
    assert "Still due today: 5 new." in app.final_summary
    assert "1 card comes back later today" in app.final_summary


@run_async
async def test_a_deck_session_ends_speaking_of_its_deck_and_of_the_others(collection):
    app = app_for(collection, deck="flashcards/misc")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "4")  # its only card, Easy: the deck is done
        await until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
        await pilot.pause()
        text = flat(app)
        assert "Done for now — nothing more is due" not in text
        assert "Nothing more due in deck flashcards/misc." in text
        assert "Elsewhere: 5 new due — Escape for the deck list." in text
        assert "Still due in this deck 0 new · 0 learning · 0 review" in text
        assert "Other decks 5 new due" in text
        await pilot.press("escape")
        await until(pilot, lambda: app.home is not None and app.screen is app.home)
        await pilot.pause()
        assert "All decks" in flat(app)


@pytest.mark.parametrize("size", [(80, 24), (40, 16)])
@run_async
async def test_the_waiting_lines_are_whole_on_a_narrow_terminal(collection, size):
    """The line under the card had room for two lines: at 40 columns the waiting notice
    wraps to four, and `Your answer (Good) is kept and written as soon as the collection
    is free.` was cut off. The line now grows with its text."""
    app = app_for(collection, busy_wait=BUSY_WAIT)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("space")
        with Holder(collection):
            await pilot.press("3")
            await until(pilot, lambda: WAITING in flat(app))
            hint = app.screen.query_one("#reveal-hint")
            rows = screen_text(app).split("\n")[hint.region.y:hint.region.bottom]
            shown = " ".join(" ".join(rows).split())
            assert "(another program is writing to it)" in shown
            assert ("Your answer (Good) is kept and written as soon as the collection is "
                    "free.") in shown
            assert hint.region.bottom <= app.screen.query_one("#answers").region.y
        await until(pilot, lambda: app.pending is None)
        await pilot.pause()
        assert app.screen.query_one("#reveal-hint").region.height in (0, 3)
    assert reviews(collection) != []


@run_async
async def test_a_card_with_a_damaged_schedule_is_a_message_not_a_crash(collection):
    """A card whose stored schedule is damaged on disk (a flipped bit in its stability):
    revealing it and answering it crashed the review ("internal error"). Both say what is
    wrong and how to fix it; the card can be suspended and the review goes on."""
    first = app_for(collection)
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = first.screen.card.id
    with sqlite3.connect(collection) as conn:
        conn.execute("UPDATE cards SET stability = -5.0 WHERE id = ?", (shown,))
    conn.close()
    app = app_for(collection)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert app.screen.card.id == shown
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        messages = toasts(app)
        assert f"card {shown}: its stored schedule is damaged (stability = -5.0)" in messages
        assert "`flashdeck doctor --fix`" in messages
        assert reviews(collection) == []
        assert app.screen.card.id == shown
        await pilot.press("s")  # suspend it: the next card comes
        await pilot.pause()
        assert app.screen.card.id != shown
    assert app.crash is None
    assert card_column(collection, shown, "suspended") == 1


class NoRoom:
    """The disk refuses to let any file grow (a file-size limit of 0, as `ulimit -f 0`; a
    write past it fails instead of killing the process) while inside: SQLite's real error
    for the collection's log, as on a full disk or over a quota."""

    def __enter__(self) -> "NoRoom":
        import resource
        import signal

        self.limits = resource.getrlimit(resource.RLIMIT_FSIZE)
        self.handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, self.limits[1]))
        return self

    def __exit__(self, *exc) -> None:
        import resource
        import signal

        resource.setrlimit(resource.RLIMIT_FSIZE, self.limits)
        signal.signal(signal.SIGXFSZ, self.handler)


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGXFSZ"), reason="POSIX file limits")
@run_async
async def test_a_disk_with_no_room_is_a_message_on_the_review_screen_not_a_crash(collection):
    """Before, a grade, suspend or undo the collection could not be written for (a full
    disk, a quota) ended the review: "internal error: OperationalError: database or disk is
    full". Now each says what was not done and why; the card stays, and once there is room
    the same grade is written."""
    app = app_for(collection, busy_wait=BUSY_WAIT)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        first = app.screen.card
        await pilot.press("space")
        with NoRoom():
            await pilot.press("3")
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
        messages = toasts(app)
        assert f"Your answer to card {first.id} was not written: cannot write the collection" \
               " file (I/O error): a file-size limit or a quota is reached" in messages
        assert "The card is not suspended: cannot write the collection file" in messages
        assert app.is_running and app.crash is None
        assert app.screen.card.id == first.id  # still the card to answer
        assert reviews(collection) == []
        assert card_column(collection, first.id, "suspended") == 0
        await pilot.press("space", "3")  # room again: the same grade is written
        await pilot.pause()
        assert reviews(collection) == [(first.id, 3)]
        with NoRoom():
            await pilot.press("u")
            await pilot.pause()
        assert "Nothing undone: cannot write the collection file" in toasts(app)
        assert reviews(collection) == [(first.id, 3)]
    assert app.crash is None


@run_async
async def test_a_pending_answer_written_counts_its_card_done_whenever_the_counts_catch_up(
        collection):
    """The worker writes a pending answer on a connection of its own: the counts line's
    catch-up (`ReviewScreen._catch_up`, every second) sees the collection changed. Run
    before the screen had counted the answer, it read the counts after it as the ones the
    answer is measured against, and the progress bar never counted the card done."""
    import time

    app = app_for(collection, busy_wait=BUSY_WAIT)
    async with app.run_test(size=SIZE) as pilot:
        # Easy: the card leaves today's queue
        async with pending_answer(pilot, app, collection, "4") as (review, first):
            pass
        # the worker writes it; the screen is not told yet (this loop does not run meanwhile)
        for _ in range(1000):
            if reviews(collection):
                break
            time.sleep(0.01)
        assert reviews(collection) == [(first.id, 4)]
        review._catch_up()  # the catch-up's tick comes first
        await until(pilot, lambda: app.pending is None)
        await pilot.pause()
        assert review.card.id != first.id
        assert review.query_one("#status").progress == "1/6"
