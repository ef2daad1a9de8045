"""The flashdeck review app. `build_app` builds it for the CLI and for the tests alike.

On start the app shows the first due card at once: the review screen is the app's first
screen (the deck list is built only when asked for, with Escape), and nothing
the first frame does not need runs before it (PRODUCT.md §7: first card on screen within
1.15x a hello-world Textual app). Shortly after the card is on screen a worker re-scans the
registered note sources (listing them too: never on the event loop), so edits made in
Obsidian show up. A fresh collection opens on
the deck list and gets the bundled deck imported (said so on screen) so the very first
`flashdeck review` shows the real thing.

Workers open their own connection (SQLite connections belong to their thread) and post
messages; the handlers here own the state.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from textual import events, work
from textual.errors import NoWidget
from textual.worker import get_current_worker
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from flashdeck.clock import local_tz
from flashdeck.collection.lookups import has_live_cards, set_busy_wait
from flashdeck.collection.store import Collection
from flashdeck.errors import FlashdeckError, UsageError
from flashdeck.paths import bundled_cards_dir
from flashdeck.scheduling.config import Config, load_config
from flashdeck.tui.content import plain
from flashdeck.tui.session import (BUSY_WAIT_SECONDS, WAITING_TEXT, Session, busy_error,
                                   is_busy, worker_collection, write_failed)
from flashdeck.words import count

if TYPE_CHECKING:
    from flashdeck.tui.session_values import Pending

DEMO_NOTICE = "Demo deck — `flashdeck import NOTES` starts your own collection."
IMPORTING_DEMO = "Importing the demo deck…"

# The start-up re-scan waits this long after the first card is drawn: on a busy machine
# its work (importing the note parser, reading every note's size and time) would otherwise
# take the CPU the terminal needs to show that card, and the first keypress would share it.
RESCAN_DELAY_SECONDS = 0.5
RESCAN_DELAY_STEP = 0.05  # the wait is cut short when the app quits meanwhile

# While the app re-scans the notes it commits at least this often, so that an answer never
# waits long behind the re-scan's write lock (`flashdeck import` writes bigger batches).
RESCAN_HOLD_SECONDS = 0.1


# The messages are plain classes, not dataclasses: a dataclass is built (its methods
# compiled) when its module is imported, ~1 ms each before the first card.
class Reimported(Message):
    """A note re-imported after `e` (in a worker): the card as it is now (`fresh`; None if
    gone), the import's report, or the error that stopped it."""

    def __init__(self, card: object, fresh: object, report: object,
                 error: str | None = None) -> None:
        super().__init__()
        self.card = card
        self.fresh = fresh
        self.report = report
        self.error = error


# The key whose binding runs now: the task running it and when the key was typed (Textual's
# clock, `Message.time`). See `typed_at` and `key_time`.
_KEY_TIME: ContextVar[tuple[object, float] | None] = ContextVar("flashdeck_key_time",
                                                                default=None)


@contextmanager
def typed_at(moment: float | None):
    """Within the block, this task runs the binding of a key typed at `moment`."""
    token = _KEY_TIME.set(None if moment is None else (asyncio.current_task(), moment))
    try:
        yield
    finally:
        _KEY_TIME.reset(token)


async def run_key_on_top(app: App, key: str, moment: float | None) -> bool:
    """Run `key`, typed at `moment`, on the screen on top now, as the app runs a key typed
    now: its priority bindings, then those of the focused widget, its screen and the app
    (Textual's two passes for a key; Textual 8.2.8, pinned), the key's time kept
    (`key_time`). For a key that came in a burst to a widget, or to the review screen
    after an exercise's check, once a key before it opened another screen. Whether a
    binding ran.

    A screen just opened (the summary, after a bury ended the deck) is waited for until
    it is mounted (bounded): `Enter b Escape` typed fast on the deck list ran the
    summary's Escape before it was, and its mount then found its widgets gone (a
    traceback). A key the app gives a screen itself waits in its queue so."""
    screen = app.screen
    if not screen.is_mounted:
        try:
            await asyncio.wait_for(screen._mounted_event.wait(), SCREEN_MOUNT_WAIT)
        except asyncio.TimeoutError:
            return False  # never came: the key is not run on a screen half built
        if app.screen is not screen and screen not in app.screen_stack:
            return False  # gone meanwhile
    with typed_at(moment):
        return (await app._check_bindings(key, priority=True)
                or await app._check_bindings(key))


SCREEN_MOUNT_WAIT = 10.0  # s: a key waits at most this long for the screen it is for


def key_time() -> float | None:
    """When the key whose binding this task runs was typed; None outside a key's binding
    (a click, the command palette). A task started meanwhile (a screen, a widget mounted by
    the key's action) inherits the context but is not running that key: None there too."""
    value = _KEY_TIME.get()
    return value[1] if value is not None and value[0] is asyncio.current_task() else None


def load_rules(app: App, name: str) -> None:
    """Add the rules of `name` (a .tcss file beside this module) to `app`'s stylesheet,
    once, before the widgets they style are first mounted (the answer's parts, an
    exercise's panel: `answer.tcss`; a Markdown card side: `markdown.tcss`; the key
    bars: `footer.tcss`): the first frame then parses and matches only the
    rules it uses (`flashdeck.tcss`: ~2 ms less before the first card). Only the new
    file is parsed (the others come from the stylesheet's parse cache) and no widget on
    screen is restyled: none matches these rules before those widgets are mounted."""
    path = os.path.abspath(Path(__file__).with_name(name))
    if not app.stylesheet.has_source(path):
        app.stylesheet.read(path)
        app.stylesheet.parse()


class FlashdeckApp(App[str]):
    CSS_PATH = "flashdeck.tcss"
    TITLE = "flashdeck"
    # Ctrl-C quits, as in every terminal program, with the session's summary line (as
    # Ctrl-Q): Textual's own only said "Press ctrl+q to quit the app". Text selected on
    # the screen or in the answer box is still copied: their copy runs first, and passes
    # the key on when nothing is selected.
    BINDINGS = [Binding("ctrl+c", "quit", show=False, system=True)]
    # every screen's width class: `-full` from 80 columns (the supported size); below it the
    # key bars close up so that `? Help` and `q Quit` still show down to about 70 columns
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide"), (80, "-full")]

    class Imported(Message):
        """A background import finished (`bundled`: the bundled deck on a fresh collection)."""

        def __init__(self, report: object, bundled: bool) -> None:
            super().__init__()
            self.report = report
            self.bundled = bundled

    class ImportFailed(Message):
        def __init__(self, error: str, bundled: bool) -> None:
            super().__init__()
            self.error = error
            self.bundled = bundled

    class AnswerWritten(Message):
        """A pending answer is in the collection at last."""

        def __init__(self, pending: Pending, answered: object) -> None:
            super().__init__()
            self.pending = pending
            self.answered = answered

    class AnswerFailed(Message):
        """A pending answer was refused (the card changed meanwhile, say): nothing written."""

        def __init__(self, pending: Pending, error: str) -> None:
            super().__init__()
            self.pending = pending
            self.error = error

    def __init__(self, col: Collection, *, config: Config, deck: str | None = None,
                 now: Callable[[], datetime] | None = None,
                 monotonic: Callable[[], float] = time.monotonic, rescan: bool = True,
                 bundled: Path | None = None, ahead: int = 0, cram: bool = False,
                 demo: bool = False, busy_wait: float = BUSY_WAIT_SECONDS) -> None:
        super().__init__()
        self.collection_path = col.path
        self.session = Session(col, config, now=now, monotonic=monotonic, ahead=ahead,
                               cram=cram)
        self.demo = demo  # the demo collection (labelled so on screen)
        # an answer waits this long for the write lock on the event loop, then is pending
        self.busy_wait = busy_wait
        set_busy_wait(col, busy_wait)
        # seconds without a write before the log is copied into the file (on_mount)
        self.idle_checkpoint = IDLE_CHECKPOINT_SECONDS
        self._exit_when_written = False
        self.deck = deck
        self.rescan = rescan
        self.bundled = bundled
        self.tz = local_tz()
        self.final_summary: str | None = None
        # what closing the collection could not do (its file moved away while open)
        self.close_problem: str | None = None
        self.crash = None  # a flashdeck.tui.crash.Crash once a handler has raised
        self.home_notice = DEMO_NOTICE if demo else ""  # the line above the deck list
        self._importing_bundled = False
        self._started = False
        self._frame_ready = False
        self._waiting_for_ready: list[tuple[Screen, Callable[[], object]]] = []
        self._when_started: list[Callable[[], object]] = []

    def get_default_screen(self) -> Screen:
        """The first due card's review screen; the deck list when nothing is due, or when
        an empty collection gets the bundled deck first.

        The review screen is the app's first screen itself (no empty screen under it): one
        screen fewer to build, style and lay out before the first card. It can still be
        switched away from like any other screen (`ReviewScreen._pop_result_callback`)."""
        col = self.session.col
        if self.bundled is not None and not has_live_cards(col):
            self._importing_bundled = True
            self.home_notice = IMPORTING_DEMO
            return self._first_home()
        card = self.session.engine(self.deck).next_card()
        if card is None:
            return self._first_home()
        from flashdeck.tui.screens.review import ReviewScreen  # it imports this module: cycle

        return ReviewScreen(self.deck, first=card)

    def on_mount(self) -> None:
        if self._importing_bundled:
            self.import_notes([str(self.bundled)], bundled=True)
        for notice in self.session.col.notices:  # a log of another copy set aside
            self.notify(plain(notice), severity="warning", markup=False, timeout=15)
        # the answers of a sitting reach the collection file itself (not only its
        # write-ahead log) once the screen has been left alone a moment: a backup or sync
        # tool copying the file alone meanwhile carried a collection without them
        self.set_interval(self.idle_checkpoint, self.checkpoint_when_idle)

    def checkpoint_when_idle(self) -> bool:
        """Copy the write-ahead log into the collection file (`Collection.checkpoint`:
        never waits, never blocks another process; about nothing to do when the log holds
        nothing new) once nothing was written here for `idle_checkpoint` seconds and no
        answer waits to be written: never between an answer and the next card. Whether it
        ran. First, an answer whose flush to the disk is still due (the screen it was to
        follow went away before its repaint) is flushed: within `idle_checkpoint` at most."""
        self.session.col.flush_log()
        if self.pending is not None or \
                time.monotonic() - self.session.last_write < self.idle_checkpoint:
            return False
        self.session.col.checkpoint()
        return True

    def after_first_frame(self, screen: Screen, callback: Callable[[], object]) -> None:
        """Run `callback` on `screen` once that screen has really been drawn.

        Textual draws nothing during the app's start-up batch (which includes mounting the
        first screens), and a screen's `call_after_refresh` may fire after a refresh that
        was not drawn; the app's Ready event is handled only once that batch is over."""
        if self._frame_ready:
            screen.call_after_refresh(callback)
        else:
            self._waiting_for_ready.append((screen, callback))

    def on_ready(self) -> None:
        self._frame_ready = True
        waiting, self._waiting_for_ready = self._waiting_for_ready, []
        for screen, callback in waiting:
            screen.call_after_refresh(callback)

    def first_screen_shown(self) -> None:
        """Called once the first screen is drawn: start what it did not wait for."""
        if self._started:
            return
        self._started = True
        waiting, self._when_started = self._when_started, []
        for callback in waiting:
            callback()
        if self.rescan and not self._importing_bundled:
            # the registered sources are listed by the worker: listing them counts every
            # card (~50 ms at 300k cards), which the event loop (the first keypress) never
            # waits for
            self.import_notes(None, bundled=False)

    def when_started(self, callback: Callable[[], object]) -> None:
        """Run `callback` once, when the first screen has been drawn (`first_screen_shown`)."""
        if self._started:
            callback()
        else:
            self._when_started.append(callback)

    def load_rules(self, name: str) -> None:
        """`load_rules` for this app (the answer's parts, an exercise's panel, the key bars)."""
        load_rules(self, name)

    def _load_screen_css(self, screen: Screen) -> None:
        """A screen's own rules (Textual loads them when it is pushed or switched to), and
        the key bars' (`footer.tcss`) before its Footer is built: only the review screen's
        first frame goes without them (its KeyBar comes a frame later, `ReviewScreen`)."""
        self.load_rules("footer.tcss")
        super()._load_screen_css(screen)

    def _first_home(self) -> Screen:
        """The deck list as the app's first screen, with its own rules (`CSS_PATH`): Textual
        (8.2.8) loads a screen's CSS when it is pushed or switched to, not for the default
        screen, so the deck list opened unstyled (no border, no padding, deck names cut to
        "All", "fl") on the first run's demo and whenever nothing was due."""
        home = self._new_home()
        self._load_screen_css(home)
        return home

    @staticmethod
    def _new_home() -> Screen:
        from flashdeck.tui.screens.home import HomeScreen  # it imports this module: cycle

        return HomeScreen()

    @property
    def home(self) -> Screen | None:
        """The deck list, if it has been built (it is, below every review started from it)."""
        from flashdeck.tui.screens.home import HomeScreen  # it imports this module: cycle

        return next((s for s in self.screen_stack if isinstance(s, HomeScreen)), None)

    def show_home(self) -> None:
        """Back to the deck list: the one below this screen, else a new one in its place."""
        if self.home is not None:
            if self.screen is not self.home:
                self.pop_screen()
        else:
            self.switch_screen(self._new_home())

    def notice(self, text: str) -> None:
        """A line above the deck list, kept for a deck list built later."""
        self.home_notice = text
        if self.home is not None:
            self.home.notice(text)

    def refresh_home(self) -> None:
        if self.home is not None:
            self.home.refresh_counts()

    def start_review(self) -> None:
        """Straight to the first due card; with nothing due, the deck list says what is later."""
        from flashdeck.tui.screens.review import ReviewScreen  # it imports this module: cycle

        card = self.session.engine(self.deck).next_card()
        if card is not None:
            self.push_screen(ReviewScreen(self.deck, first=card))

    @work(thread=True, exclusive=True, group="import")
    def import_notes(self, paths: list[str] | None, bundled: bool) -> None:
        """Import `paths` (None: re-scan the registered sources) in a worker thread."""
        if paths is None and not self._rescan_waited():
            return  # the app is quitting: no re-scan
        try:
            with worker_collection(self.collection_path, self.session.col) as col:
                if paths is None:
                    paths = rescan_paths(col)
                    if not paths:
                        return
                from flashdeck.collection.importer import import_paths  # ~90 ms (the parser)

                moment = int(self.session.engine().now().timestamp())
                report = import_paths(col, paths, now=moment, hold_seconds=RESCAN_HOLD_SECONDS)
        except Exception as exc:  # reported on screen by the handler; reviewing goes on
            self.post_message(self.ImportFailed(f"{type(exc).__name__}: {exc}", bundled))
            return
        self.post_message(self.Imported(report, bundled))

    def _rescan_waited(self) -> bool:
        """In the re-scan's worker: wait `RESCAN_DELAY_SECONDS` (not headless: no terminal
        draws the card then); False if the worker was cancelled meanwhile (the app quit)."""
        worker = get_current_worker()
        steps = 0 if self.is_headless else round(RESCAN_DELAY_SECONDS / RESCAN_DELAY_STEP)
        for _ in range(steps):
            if worker.is_cancelled:
                return False
            time.sleep(RESCAN_DELAY_STEP)
        return not worker.is_cancelled

    def on_flashdeck_app_imported(self, message: Imported) -> None:
        report = message.report
        for problem in report.errors[:3]:
            where = f"{problem.path}:{problem.line}" if problem.line else problem.path
            self.notify(plain(f"{where}: {problem.message}"), severity="warning", markup=False,
                        timeout=6)
        if len(report.errors) > 3:
            self.notify(f"… and {len(report.errors) - 3} more problems (`flashdeck import` "
                        "lists them).", severity="warning", markup=False)
        if message.bundled:
            said = (f"Imported the demo deck: {count(report.cards_added, 'card')} from "
                    f"{count(report.notes_imported, 'note')}. `flashdeck import NOTES` starts"
                    " your own collection.")
            self._importing_bundled = False
            self.notice(DEMO_NOTICE if self.demo else said)
            self.notify(said, markup=False, timeout=8)
            self.refresh_home()
            self.start_review()
            return
        if report.notes_imported or report.notes_gone:
            changed = report.notes_imported + report.notes_gone
            self.notify(f"Re-read {count(changed, 'changed note')}: "
                        f"{count(report.cards_added, 'card')} added,"
                        f" {report.cards_updated} updated, {report.cards_orphaned} gone.",
                        markup=False)
            self.refresh_home()
            refresh = getattr(self.screen, "refresh_counts", None)
            if refresh is not None and self.screen is not self.home:
                refresh()

    def on_flashdeck_app_import_failed(self, message: ImportFailed) -> None:
        what = "import the demo deck" if message.bundled else "re-scan your notes"
        self.notify(plain(f"Could not {what}: {message.error}"), severity="error",
                    markup=False, timeout=8)
        if message.bundled:
            self._importing_bundled = False
            self.notice("No cards yet: add your notes with `flashdeck import PATH`.")

    # -- answers: written now, or pending while another program writes ---------------------
    @property
    def pending(self) -> Pending | None:
        """An answer given but not yet written (the collection was busy)."""
        return self.session.pending

    @pending.setter
    def pending(self, value: Pending | None) -> None:
        self.session.pending = value

    def guarded_write(self, write: Callable[[], object], what: str) -> bool:
        """Run a write of the review screen (suspend, bury): a busy collection is a message
        (`what` was not done), never a crash; nothing is written while an answer waits."""
        if self.pending is not None:
            self.notify(f"{WAITING_TEXT}: {what} until your answer is written.",
                        severity="warning", markup=False)
            return False
        try:
            write()
            self.session.last_write = time.monotonic()
        except sqlite3.Error as exc:
            if not is_busy(exc):  # a full disk, a file made read-only: said, not a crash
                self.notify(plain(str(write_failed(exc, what[0].upper() + what[1:]))),
                            severity="error", markup=False)
                return False
            self.notify(str(busy_error(what)), severity="warning", markup=False)
            return False
        except FlashdeckError as exc:  # the collection file moved away meanwhile
            self.notify(plain(f"{exc} ({what})"), severity="error", markup=False)
            return False
        return True

    def submit_answer(self, engine, card, rating: int, shown_at: float):
        """Answer `card` (as shown: its version guards against a double answer). Written at
        once when the collection's write lock comes within `busy_wait`, and returned; else
        the answer is pending (None returned): a worker writes it as soon as the lock is
        free and `AnswerWritten` follows. Never two answers pending."""
        if self.pending is not None:
            return None
        session = self.session
        duration = session.duration(shown_at)
        try:
            answered = engine.answer(card.id, rating, duration_ms=duration,
                                     expected_version=card.version)
        except sqlite3.Error as exc:
            if not is_busy(exc):  # a full disk, a file made read-only: the screen says so
                raise write_failed(exc, f"Your answer to card {card.id} was not written"
                                   ) from None
            from flashdeck.tui.session_values import Pending  # a busy collection only

            self.pending = Pending(card.id, rating, duration, card.version, engine.deck)
            self.write_pending(self.pending)
            return None
        session.record(card.id, rating, duration, answered)
        session.last_write = time.monotonic()
        return answered

    @work(thread=True, group="pending-answer")
    def write_pending(self, pending: Pending) -> None:
        try:
            answered = self.session.write_pending(pending, self.collection_path,
                                                  retry_seconds=min(0.5, self.busy_wait))
        except Exception as exc:  # said on screen by the handler: the answer was refused
            self.post_message(self.AnswerFailed(pending, str(exc) if isinstance(
                exc, FlashdeckError) else f"{type(exc).__name__}: {exc}"))
            return
        if answered is not None:
            self.post_message(self.AnswerWritten(pending, answered))

    async def on_flashdeck_app_answer_written(self, message: AnswerWritten) -> None:
        pending = message.pending
        self.pending = None
        self.session.last_write = time.monotonic()
        self.session.record(pending.card_id, pending.rating, pending.duration_ms,
                            message.answered)
        await self._tell_screens(message.answered)
        if self._exit_when_written:
            self.exit()  # the summary line, with this answer, is made on unmount

    async def on_flashdeck_app_answer_failed(self, message: AnswerFailed) -> None:
        self.pending = None
        self.notify(plain(f"Your answer to card {message.pending.card_id} was not written: "
                          f"{message.error}"), severity="error", markup=False, timeout=8)
        await self._tell_screens(None)
        if self._exit_when_written:
            self.exit()  # the summary line, with this answer, is made on unmount

    async def _tell_screens(self, answered) -> None:
        """Every screen that showed the wait moves on (the review screen may be under the
        help or the card info; the deck list recounts)."""
        for screen in reversed(self.screen_stack):
            written = getattr(screen, "pending_written", None)
            if written is not None:
                await written(answered)

    def waiting_text(self) -> str:
        return WAITING_TEXT

    def leave(self, result: str | None = None) -> None:
        """Exit, but never before a pending answer is written (it says so meanwhile)."""
        if self.pending is None:
            self.exit(result)
            return
        self._exit_when_written = True
        self.notify(f"{WAITING_TEXT}: your last answer is written first, then flashdeck "
                    "quits.", markup=False, timeout=4)

    async def action_quit(self) -> None:
        self.leave()  # the summary line is made on unmount (`final_summary`)

    async def on_event(self, event: events.Event) -> None:
        """A click on a grade button is answered here, in its turn among the keys.

        Textual runs the screen's (priority) key bindings as each key comes, but a click
        reaches its button several messages later: a click on Again and a Space right
        after it (the next card's reveal) came in the other order, the Space graded the
        card Good and the click, landing late, graded the next card, just revealed, Again.
        Textual makes a click of a mouse button's release over the widget it went down on
        (`App.on_event`); that same check is made here, the grade given now and no click
        made for the button."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            # the key's priority binding runs inside this call: its action may ask when
            # the key was typed (`key_time`: a grade typed before its answer was drawn)
            with typed_at(event.time):
                await super().on_event(event)
            return
        rating = None
        if isinstance(event, events.MouseUp) and not event.is_forwarded:
            rating = self._grade_clicked(event)
            if rating is not None:
                self._mouse_down_widget = None  # handled here: Textual makes no Click of it
        await super().on_event(event)
        if rating is not None:
            grade = getattr(self.screen, "grade_clicked", None)
            if grade is not None:
                await grade(rating)

    def _grade_clicked(self, event: events.MouseUp) -> int | None:
        """The rating of the grade button this mouse-up completes a click on, if any
        (enabled and shown on the current screen); None for any other click."""
        down = self._mouse_down_widget
        name = getattr(down, "id", None) or ""
        if (down is None or not name.startswith("grade-") or not down.is_attached
                or getattr(down.parent, "id", None) != "answers"):
            return None
        try:
            up, _ = self.get_widget_at(*event.screen_offset)
        except NoWidget:
            return None
        if up is not down or down.is_disabled or down.screen is not self.screen:
            return None
        try:
            return int(name.removeprefix("grade-"))
        except ValueError:
            return None

    def _handle_exception(self, error: Exception) -> None:
        """An exception no handler caught (a bug): the app ends, as Textual ends it, but
        the traceback goes to a log file instead of the terminal; the command prints one
        line naming it (`crash.Crash.line`) and exits 2. FLASHDECK_DEBUG=1 keeps Textual's
        own report too.

        Textual 8 has no public hook for this (textual#5931): every unhandled exception
        reaches `App._handle_exception`, which queues the report in `_exit_renderables`
        and closes the app; the report is printed after the terminal is restored."""
        super()._handle_exception(error)
        if self.crash is None:  # the first one is the cause; later ones are its echoes
            from flashdeck.tui.crash import record  # only ever needed after a crash

            self.crash = record(error)
        if not os.environ.get("FLASHDECK_DEBUG"):
            self._exit_renderables.clear()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            for title, help_text, callback in commands():
                yield SystemCommand(title, help_text, callback)
        yield from super().get_system_commands(screen)

    def on_unmount(self) -> None:
        # for an exit that skipped the summary screen (Ctrl+Q): the CLI still prints it
        # (a `--deck` session's: that deck's, with what is due elsewhere apart)
        self.final_summary = self.session.summary(self.deck).line(self.tz)
        try:
            self.session.col.close()
        except FlashdeckError as exc:  # moved while open, its last answers left behind
            self.close_problem = str(exc)


# how long the review screen is left alone before what it wrote is copied from the
# write-ahead log into the collection file itself (`FlashdeckApp.checkpoint_when_idle`):
# a sitting's answers otherwise reached the file only every 40 answers (the flush after a
# repaint: `Collection.flush_log`, CHECKPOINT_COMMITS) or on quitting
IDLE_CHECKPOINT_SECONDS = 3.0


def rescan_paths(col: Collection) -> list[str]:
    """The vaults the user keeps, re-scanned on start: forgotten ones stay forgotten, missing
    ones (moved, unplugged) are no error at start-up."""
    from flashdeck.collection.sources import list_sources  # ~20 ms: in the re-scan's worker

    return [str(source.path) for source in list_sources(col) if not source.missing]


def build_app(collection_path: str | Path, deck: str | None = None,
              now: Callable[[], datetime] | None = None, *, config: Config | None = None,
              monotonic: Callable[[], float] = time.monotonic, rescan: bool = True,
              bundled: Path | bool | None = True, ahead: int = 0,
              cram: bool = False, demo: bool = False,
              busy_wait: float = BUSY_WAIT_SECONDS) -> FlashdeckApp:
    """The app over the collection at `collection_path` (created if missing).

    `now` fixes the clock (default: `flashdeck.clock.now`, which honours FLASHDECK_NOW);
    `monotonic` times the answers; `rescan` re-scans registered sources on start;
    `bundled` is the deck imported into an empty collection (True: the bundled `cards/`);
    `ahead` reviews that many days ahead once nothing is due; `cram` drills the deck without
    touching any schedule; `demo` labels the collection as the demo on screen; `busy_wait`
    is how long an answer waits for a busy collection before it is pending (and written by a
    worker once the collection is free).
    A bad collection or an unknown deck raises a FlashdeckError before anything is drawn.
    """
    if config is None:
        config = load_config()
    if bundled is True:
        bundled = bundled_cards_dir()
    elif bundled is False:
        bundled = None
    col = Collection.open(Path(collection_path))
    try:
        if deck and not has_live_cards(col, deck):
            raise UsageError(f"no deck named {deck!r} (`flashdeck due` lists the decks)")
    except BaseException:
        col.close()
        raise
    app = FlashdeckApp(col, config=config, deck=deck.strip("/") if deck else None, now=now,
                       monotonic=monotonic, rescan=rescan, bundled=bundled, ahead=ahead,
                       cram=cram, demo=demo, busy_wait=busy_wait)
    # an answer is flushed to the disk once the next card is painted (issue 23)
    col.sync_in_background(later=lambda: app.call_after_refresh(col.flush_log))
    return app
