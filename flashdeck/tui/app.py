"""The flashdeck review app. `build_app` builds it for the CLI and for the tests alike.

On start the app shows the first due card at once: the review screen goes straight on an
empty base screen (the deck list is built only when asked for, with Escape), and nothing
the first frame does not need runs before it (PRODUCT.md §7: first card on screen within
1.3x a hello-world Textual app). Once the card is on screen a worker re-scans the
registered note sources, so edits made in Obsidian show up. A fresh collection opens on
the deck list and gets the bundled deck imported (said so on screen) so the very first
`flashdeck review` shows the real thing.

Workers open their own connection (SQLite connections belong to their thread) and post
messages; the handlers here own the state.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.message import Message
from textual.screen import Screen

from flashdeck.collection.store import Collection
from flashdeck.errors import UsageError
from flashdeck.scheduling.config import Config
from flashdeck.tui.content import plain
from flashdeck.tui.session import Session, worker_collection


class FlashdeckApp(App[str]):
    CSS_PATH = "flashdeck.tcss"
    TITLE = "flashdeck"

    class Imported(Message):
        """A background import finished (`bundled`: the bundled deck on a fresh collection)."""

        def __init__(self, report, bundled: bool) -> None:
            super().__init__()
            self.report = report
            self.bundled = bundled

    class ImportFailed(Message):
        def __init__(self, error: str, bundled: bool) -> None:
            super().__init__()
            self.error = error
            self.bundled = bundled

    def __init__(self, col: Collection, *, config: Config, deck: str | None = None,
                 now: Callable[[], datetime] | None = None,
                 monotonic: Callable[[], float] = time.monotonic, rescan: bool = True,
                 bundled: Path | None = None, ahead: int = 0, cram: bool = False) -> None:
        super().__init__()
        self.collection_path = col.path
        self.session = Session(col, config, now=now, monotonic=monotonic, ahead=ahead,
                               cram=cram)
        self.deck = deck
        self.rescan = rescan
        self.bundled = bundled
        from flashdeck.clock import local_tz

        self.tz = local_tz()
        self.final_summary: str | None = None
        self.crash = None  # a flashdeck.tui.crash.Crash once a handler has raised
        self.home_notice = ""  # the line above the deck list (the bundled deck's import)
        self._importing_bundled = False
        self._first_review: Screen | None = None
        self._started = False
        self._frame_ready = False
        self._waiting_for_ready: list[tuple[Screen, Callable[[], object]]] = []

    def get_default_screen(self) -> Screen:
        """The deck list when nothing is due, or when an empty collection gets the bundled
        deck first; else an empty screen, for the first card's review screen to go on.

        (Not the review screen itself: Textual cannot switch away from the default screen,
        and the review screen switches to the summary.)"""
        col = self.session.col
        if self.bundled is not None and col.conn.execute(
                "SELECT 1 FROM cards WHERE orphaned = 0 LIMIT 1").fetchone() is None:
            self._importing_bundled = True
            self.home_notice = f"No cards yet: importing the bundled deck from {self.bundled} …"
            return self._new_home()
        card = self.session.engine(self.deck).next_card()
        if card is None:
            return self._new_home()
        from flashdeck.tui.screens.review import ReviewScreen

        self._first_review = ReviewScreen(self.deck, first=card)
        return Screen(id="base")

    def on_mount(self) -> None:
        if self._first_review is not None:
            self.push_screen(self._first_review)
            self._first_review = None
        elif self._importing_bundled:
            self.import_notes([str(self.bundled)], bundled=True)

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
        if self.rescan and not self._importing_bundled:
            from flashdeck.collection.sources import list_sources

            # the vaults the user keeps: forgotten ones stay forgotten, missing ones (moved,
            # unplugged) are no error at start-up
            paths = [str(source.path) for source in list_sources(self.session.col)
                     if not source.missing]
            if paths:
                self.import_notes(paths, bundled=False)

    @staticmethod
    def _new_home() -> Screen:
        from flashdeck.tui.screens.home import HomeScreen

        return HomeScreen()

    @property
    def home(self) -> Screen | None:
        """The deck list, if it has been built (it is, below every review started from it)."""
        from flashdeck.tui.screens.home import HomeScreen

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
        from flashdeck.tui.screens.review import ReviewScreen

        card = self.session.engine(self.deck).next_card()
        if card is not None:
            self.push_screen(ReviewScreen(self.deck, first=card))

    @work(thread=True, exclusive=True, group="import")
    def import_notes(self, paths: list[str], bundled: bool) -> None:
        from flashdeck.collection.importer import import_paths

        try:
            with worker_collection(self.collection_path) as col:
                moment = int(self.session.engine().now().timestamp())
                report = import_paths(col, paths, now=moment)
        except Exception as exc:  # reported on screen by the handler; reviewing goes on
            self.post_message(self.ImportFailed(f"{type(exc).__name__}: {exc}", bundled))
            return
        self.post_message(self.Imported(report, bundled))

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
            said = (f"Imported the bundled deck: {report.cards_added} cards from "
                    f"{report.notes_imported} notes. Add your own notes with "
                    "`flashdeck import PATH`.")
            self._importing_bundled = False
            self.notice(said)
            self.notify(said, markup=False, timeout=8)
            self.refresh_home()
            self.start_review()
            return
        if report.notes_imported or report.notes_gone:
            changed = report.notes_imported + report.notes_gone
            self.notify(f"Re-read {changed} changed note{'s' if changed != 1 else ''}: "
                        f"{report.cards_added} cards added, {report.cards_updated} updated, "
                        f"{report.cards_orphaned} gone.", markup=False)
            self.refresh_home()
            refresh = getattr(self.screen, "refresh_counts", None)
            if refresh is not None and self.screen is not self.home:
                refresh()

    def on_flashdeck_app_import_failed(self, message: ImportFailed) -> None:
        what = "import the bundled deck" if message.bundled else "re-scan your notes"
        self.notify(plain(f"Could not {what}: {message.error}"), severity="error",
                    markup=False, timeout=8)
        if message.bundled:
            self._importing_bundled = False
            self.notice("No cards yet: add your notes with `flashdeck import PATH`.")

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
            from flashdeck.tui.crash import record

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
        self.final_summary = self.session.summary().line(self.tz)
        self.session.col.close()


def build_app(collection_path: str | Path, deck: str | None = None,
              now: Callable[[], datetime] | None = None, *, config: Config | None = None,
              monotonic: Callable[[], float] = time.monotonic, rescan: bool = True,
              bundled: Path | bool | None = True, ahead: int = 0,
              cram: bool = False) -> FlashdeckApp:
    """The app over the collection at `collection_path` (created if missing).

    `now` fixes the clock (default: `flashdeck.clock.now`, which honours FLASHDECK_NOW);
    `monotonic` times the answers; `rescan` re-scans registered sources on start;
    `bundled` is the deck imported into an empty collection (True: the bundled `cards/`);
    `ahead` reviews that many days ahead once nothing is due; `cram` drills the deck without
    touching any schedule.
    A bad collection or an unknown deck raises a FlashdeckError before anything is drawn.
    """
    from flashdeck.collection.cards import deck_clause

    if config is None:
        from flashdeck.scheduling.config import load_config

        config = load_config()
    if bundled is True:
        from flashdeck.paths import bundled_cards_dir

        bundled = bundled_cards_dir()
    elif bundled is False:
        bundled = None
    col = Collection.open(Path(collection_path))
    try:
        if deck:
            clause, params = deck_clause(deck, "deck")
            if col.conn.execute("SELECT 1 FROM cards WHERE orphaned = 0" + clause + " LIMIT 1",
                                params).fetchone() is None:
                raise UsageError(f"no deck named {deck!r} (`flashdeck due` lists the decks)")
    except BaseException:
        col.close()
        raise
    return FlashdeckApp(col, config=config, deck=deck.strip("/") if deck else None, now=now,
                        monotonic=monotonic, rescan=rescan, bundled=bundled, ahead=ahead,
                        cram=cram)
