"""The review screen: one card at a time, answered from the keyboard.

The screen's handlers own the state (the card shown, revealed or not, its previews, when
it was shown); the engine owns the scheduling and commits every answer before the next
card is drawn, so a killed process loses nothing already answered.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from functools import partial, wraps
from inspect import isawaitable
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual._time import get_time  # the clock of `Message.time` (a key's `event.time`)
from textual.screen import Screen
from textual.widgets import Static

from flashdeck.collection.cards import CardView, get_card
from flashdeck.collection.lookups import card_source_path
from flashdeck.errors import FlashdeckError
from flashdeck.render import (card_has_embed, exercise_instance, exercise_seed, header,
                              note_resolver)
from flashdeck.scheduling.rating import Rating
from flashdeck.tui import content
from flashdeck.tui.app import DEMO_NOTICE, RESCAN_HOLD_SECONDS, Reimported, key_time
from flashdeck.tui.session import ChangeWatch, worker_collection
from flashdeck.tui.answer_keys import COMMAND_KEYS, answer_words, types_into_answer
from flashdeck.tui.widgets import (CardSide, Notice, StatusLine, card_markdown_class,
                                   once_laid_out, queue_of, row_in, still_shown)

if TYPE_CHECKING:
    from flashdeck.tui.answer_parts import AnswerBar, ExercisePanel


SIDEWAYS_STEP = 8  # columns per Left/Right on a block wider than the panel


def _run_editor(command: list[str], **streams) -> subprocess.CompletedProcess | OSError:
    """Run the editor to its end; the error, returned, when it cannot be started."""
    try:
        return subprocess.run(command, check=False, **streams)
    except OSError as exc:
        return exc


def _question_of(card: CardView) -> tuple:
    """What the question of a card shows (an exercise's numbers come from these)."""
    return (card.kind, card.front, card.exercise)


def _text_of(card: CardView) -> tuple:
    """What the card shows, question and answer (its deck and note on top)."""
    return (*_question_of(card), card.back, card.breadcrumb, card.deck, card.note_title)


def changed_elsewhere(card: CardView, now: int) -> str:
    """What another program did to the card on screen since it was shown (`now`: Unix
    seconds), said as it was: a card whose note was deleted and re-imported in another
    terminal was said to be "answered elsewhere in the meantime (or put aside there)"."""
    if card.orphaned:
        return ("is no longer in its note (changed or deleted, then re-imported elsewhere;"
                " its history is kept)")
    if card.suspended:
        return "was suspended elsewhere in the meantime"
    if card.buried_until is not None and card.buried_until > now:
        return "was buried elsewhere in the meantime"
    return "was answered elsewhere in the meantime"


def after_first_card(action):
    """A key's action that waits, if need be, until the screen shows its first card.

    The review screen is the app's first screen: Textual runs a key's action (on the app's
    task) as soon as the key comes, while the screen's own `on_mount` (showing the first
    card) may not have finished. A key pressed that early is then neither lost nor run on a
    half-built screen: it waits for the first card, and keys keep their order (the app
    handles the next key only once this one is done)."""
    @wraps(action)
    async def run(self, *args):
        await self.first_card_shown.wait()
        result = action(self, *args)
        if isawaitable(result):
            await result

    return run


REFIT_DELAY = 0.12  # s: a window drag's resizes come closer than this; the card waits

# A grade (1-4, or Space/Enter once revealed) typed before the answer was on screen is not
# taken when drawing that answer was this much work or more (seconds of the screen thread's
# CPU time): see `ReviewScreen._typed_unseen`.
# The first exercise's answer takes ~0.23 s of it on a quiet machine (the Markdown side and
# the answer's parts built, their rules loaded), and a busy one's shared caches stretch CPU
# time too: at 0.5 s a fast `3/4` Enter `1` on it was dropped in test runs under load.
ANSWER_SEEN_AFTER = 1.0  # s
DRAW_WAIT = 10.0  # s: a grade waits at most this long for its answer's first frame


def taken_back(done: int, seen: set[int], undone, answers) -> int:
    """The progress bar's cards done after the answer `undone` (session._Done, or None) is
    taken back, `seen` updated: one done less if it took its card out of today's queue;
    its card still seen if an earlier answer of it is left in `answers` (the session's,
    without a suspend or bury of it), else not."""
    if undone is None or undone.finished is None:  # never counted: it changed nothing
        return done
    earlier = any(other.card_id == undone.card_id for other in answers)
    (seen.add if earlier else seen.discard)(undone.card_id)
    return max(0, done - bool(undone.finished))


class ReviewScreen(Screen):
    """Review the cards due in one deck (and its subdecks), or in all of them."""

    # The command keys are priority bindings so that they stay commands while an
    # exercise's answer box has focus, unless the key continues the answer typed so far
    # (`answer_box_passes`); Enter, Escape and the digits belong to the box there (it
    # consumes them: `AnswerInput.check_consume_key`). Enter, Escape and the grades are
    # priority bindings too: Textual runs a priority binding as the key comes, but a
    # plain one only once the key has gone to the screen and bubbled back, so keys typed
    # fast ran out of order. `Space 1 Space 1` graded the first card Good with the second
    # Space (the `1` came after it, on the next card, unrevealed: a bell), and so on,
    # every other card graded Good and none Again.
    BINDINGS = [
        Binding("space", "primary", "Show / Good", key_display="Space", priority=True),
        Binding("enter", "primary", "Show / Good", show=False, priority=True),
        Binding("1", "grade(1)", "Again", show=False, priority=True),
        Binding("2", "grade(2)", "Hard", show=False, priority=True),
        Binding("3", "grade(3)", "Good", show=False, priority=True),
        Binding("4", "grade(4)", "Easy", show=False, priority=True),
        Binding("u", "undo", "Undo", priority=True),
        Binding("s", "suspend", "Suspend", priority=True),
        Binding("b", "bury", "Bury", priority=True),
        Binding("e", "edit", "Edit", priority=True),
        Binding("i", "info", "Info", priority=True),
        Binding("question_mark", "help", "Help", key_display="?", priority=True),
        Binding("q", "quit_session", "Quit", priority=True),
        # (`Escape 3` typed fast graded the card, then left, while Escape was a plain one)
        Binding("escape", "decks", "Decks", show=False, priority=True),
        # the card scrolls without Tab; PageUp/PageDown even from the answer box, whose
        # own Home/End (the cursor) come first there (the arrows it does not use)
        Binding("pagedown", "scroll_card('page_down')", "Scroll", show=False, priority=True),
        Binding("pageup", "scroll_card('page_up')", "Scroll", show=False, priority=True),
        Binding("down", "scroll_card('down')", "Scroll", show=False),
        Binding("up", "scroll_card('up')", "Scroll", show=False),
        Binding("home", "scroll_card('home')", "Scroll", show=False),
        Binding("end", "scroll_card('end')", "Scroll", show=False),
        # a block wider than the panel (a code fence, a formula form too wide to break)
        # scrolls sideways; its scrollbar shows that there is more
        Binding("right", "scroll_card('right')", "Scroll", show=False),
        Binding("left", "scroll_card('left')", "Scroll", show=False),
    ]

    # a small terminal (a split pane): the card keeps the rows and columns its padding took
    # (`flashdeck.tcss`); at 80×24 and wider nothing changes
    VERTICAL_BREAKPOINTS = [(0, "-short"), (16, "-tall")]
    # Nothing is focused but an exercise's answer box (`show_card`, `reveal`). Textual's auto
    # focus gave the card panel the focus on the first card (and on coming back from the
    # help): the arrows, Home and End were then the panel's own (an animated scroll) rather
    # than the screen's `scroll_card`, as on every later card, and restyling the focused
    # panel cost the first card ~1 ms.
    AUTO_FOCUS = ""

    def __init__(self, deck: str | None = None, first: CardView | None = None,
                 done: int = 0, seen: frozenset[int] = frozenset()) -> None:
        super().__init__()
        self.deck = deck
        self.first = first
        self.card: CardView | None = None
        self.revealed = False
        self.graded = False  # an exercise whose typed answer has been checked
        # `key_after_check`: (key, when typed, its character)
        self._keys_after_check: list[tuple[str, float | None, str | None]] = []
        self._keys_waiting = False  # ... and they wait for the answer's first frame
        self.suggested: int | None = None
        self.seed: int | None = None
        self.shown_at = 0.0
        # the answer's drawing (`reveal`, `_typed_unseen`): when it began (the screen
        # thread's CPU time), when it was on screen (Textual's clock; None: not yet) and the work it
        # took, an event set once it is on screen; a dropped grade is said once per card
        self._reveal_started: float | None = None
        self._answer_drawn_at: float | None = None
        self._draw_work = 0.0
        self._reveal_began = 0.0  # (Textual's clock: what the notice says it took)
        self._answer_drawn = asyncio.Event()
        self._unseen_said = False
        # the progress bar's cards done: taken out of today's queue by this sitting's
        # answers (a sitting resumed: so far); see `refresh_counts`
        self.done_here = done
        # the cards this sitting answered that are still in today's queue (a learning
        # step, Again): the bar fills for them too, so a day of new cards moves it from the
        # first answer on, while its total stays put (`refresh_counts`)
        self.seen_here: set[int] = set(seen)
        self._queue_total: int | None = None  # today's cards left, as the line shows them
        self._uncounted = None  # the answer just given (session._Done), until counted
        self._changes = None  # a session.ChangeWatch: the counts' catch-up (`_catch_up`)
        self._answer_parts_lock = asyncio.Lock()
        self.first_card_shown = asyncio.Event()  # see `after_first_card`
        self._answer_parts_built = False
        self._was_away = False
        self._resumed = False  # shown once (`on_screen_resume`)
        self._resolver = None  # finds the shown card's embedded images (`_resolver_for`)
        self._resolvers: dict[str, object] = {}  # by note path, for the session

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # the two lines above the card (no container of their own, one widget each: fewer
        # widgets to lay out before the first card; `flashdeck.tcss` gives each the same
        # padding and panel)
        yield Notice(id="crumbs")
        yield StatusLine(id="status")
        # Only what the question shows: the answer's parts (rule, back, grade buttons) are
        # built after the first frame (`_build_answer_parts`), to draw the first card sooner.
        with VerticalScroll(id="card"):
            yield CardSide(id="front")  # an exercise's panel comes after it (`_exercise_panel`)
        yield Static(id="reveal-hint")
        # The footer's keys come a frame after the card too: Textual's Footer fills itself
        # in after a refresh anyway, and building it costs the first frame ~25 ms. Its line
        # is kept meanwhile, so nothing moves when it arrives.
        yield Static(id="footer-space")

    async def mount_composed_widgets(self, widgets: list) -> None:
        """The toasts' rack (Textual's, composed first) goes in the screen's own layout,
        between the card and the line under it (`flashdeck.tcss`): a toast takes rows of
        its own and the card scrolls above it. As an overlay at the right a toast covered
        the card's text (the answer's table, a long back) for its five seconds."""
        rack = next((widget for widget in widgets if type(widget).__name__ == "ToastRack"),
                    None)
        if rack is not None:
            widgets.remove(rack)
            place = next((j for j, w in enumerate(widgets) if w.id == "card"), len(widgets) - 1)
            widgets.insert(place + 1, rack)
        await super().mount_composed_widgets(widgets)

    def _pop_result_callback(self) -> None:
        """Leaving this screen (`switch_screen`: the summary, the deck list) pops the result
        callback `push_screen` gave it; as the app's first screen it was never pushed, so
        it has none (Textual 8.2 pops unconditionally: an IndexError, with the screen
        stack already popped). Textual is pinned to 8.2.8 (pyproject); tested in
        tests/tui/test_tui_start.py."""
        if self._result_callbacks:
            super()._pop_result_callback()

    async def on_mount(self) -> None:
        self.engine = self.app.session.engine(self.deck)
        self._changes = ChangeWatch(self.app.session.col, self.engine.now,
                                    self.engine.config.day_start_hour)
        first, self.first = self.first, None
        try:
            await self.next_card(first)
        finally:
            self.first_card_shown.set()
        self.app.after_first_frame(self, self._after_first_frame)

    async def _after_first_frame(self) -> None:
        """What the first frame did not wait for: the footer, the answer's parts, then the
        app's background work (re-scanning the notes)."""
        from flashdeck.tui.keybar import KeyBar  # a Footer: not loaded before the first frame

        if not still_shown(self):
            # already left (the queue ran out at once, or Escape before the first frame): a
            # footer mounted on a screen being removed would refresh the bindings of the one
            # shown now (its footer then drew its keys again, a frame later)
            self.app.first_screen_shown()
            return
        self.app.load_rules("footer.tcss")
        with self.app.batch_update():
            await self.query_one("#footer-space", Static).remove()
            await self.mount(KeyBar())
        self.refresh_bindings()
        await self._build_answer_parts()
        self.set_interval(ChangeWatch.EVERY, self._catch_up)
        self.app.first_screen_shown()

    async def _exercise_panel(self) -> ExercisePanel:
        """The exercise's grid, answer box and verdict, below the prompt (built for the
        first exercise card: most sessions start with none)."""
        from flashdeck.tui.answer_parts import ExercisePanel  # built after the first frame

        for panel in self.query("#exercise").results(ExercisePanel):
            return panel
        self.app.load_rules("answer.tcss")
        panel = ExercisePanel(id="exercise")
        await self.query_one("#card", VerticalScroll).mount(panel, after="#front")
        return panel

    async def _build_answer_parts(self) -> None:
        """The rule, the back and the grade buttons, hidden until a reveal (once)."""
        async with self._answer_parts_lock:  # a reveal may come before the first frame's end
            if self._answer_parts_built:
                return
            from textual.widgets import Rule  # not loaded before the first frame

            from flashdeck.tui.answer_parts import AnswerBar

            self.app.load_rules("answer.tcss")
            divider, back, answers = Rule(id="divider"), CardSide(id="back"), \
                AnswerBar(id="answers")
            for widget in (divider, back, answers):
                widget.display = False
            await self.query_one("#card", VerticalScroll).mount_all([divider, back])
            await self.mount(answers, after="#reveal-hint")
            self._answer_parts_built = True

    def on_screen_suspend(self) -> None:
        self._was_away = True
        # under the card info or the keys (drawn through their backdrop), its toasts are
        # the ones those screens show themselves: one copy, theirs (the app shows the
        # toasts again on the screen it resumes)
        for rack in self.query("ToastRack"):
            rack.display = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            # First shown: every widget here was styled as it was mounted, moments ago, by
            # the same rules. Textual's restyle of them all on a resume (it runs after this
            # handler: `refresh_styles`) is for a screen coming back, whose rules may have
            # changed meanwhile; here it cost the first card ~2.5 ms for nothing.
            self._resumed = True
            event.refresh_styles = False
        # back from another screen (help): the counts may have changed meanwhile; not on
        # first showing, when show_card has just counted
        if self._was_away and self.card is not None:
            self.refresh_counts()
        self._was_away = False

    # -- showing cards ---------------------------------------------------------------------
    async def next_card(self, card: CardView | None = None) -> None:
        card = card or self.engine.next_card()
        if card is None:
            self.card = None
            if self._uncounted is not None:  # the last answer: counted for the summary's undo
                self.refresh_counts()
            from flashdeck.tui.screens.summary import SummaryScreen  # not before the first frame

            self.app.switch_screen(SummaryScreen(finished=True, deck=self.deck,
                                                  done=self.done_here,
                                                  seen=frozenset(self.seen_here)))
            return
        if getattr(self.app, "demo", False) and not self.query("#demo-banner"):
            banner = Static(Content.styled(DEMO_NOTICE, "bold $warning"), id="demo-banner")
            banner.styles.height = 1
            banner.styles.width = "1fr"
            banner.styles.text_wrap = "nowrap"
            banner.styles.text_overflow = "ellipsis"
            await self.mount(banner, before="#crumbs")
        await self.show_card(card)

    async def show_card(self, card: CardView, seed: int | None = None) -> None:
        """Show `card`'s question; an exercise with the instance of `seed` when given (the
        same numbers again after the editor), else the card's own."""
        self.card = card
        self.revealed = self.graded = False
        self._keys_after_check = []
        self._keys_waiting = False
        self._answer_drawn.set()  # a grade waiting for the last card's answer: not for this
        self._reveal_started = self._answer_drawn_at = None
        self._draw_work = 0.0
        self._unseen_said = False
        self.suggested = None
        if card.kind != "exercise":
            self.seed = None
        else:
            self.seed = seed if seed is not None else exercise_seed(card)
        self.query_one("#crumbs", Notice).say(header(card))
        self.refresh_counts()
        exercise = card.kind == "exercise"
        try:
            self._math_width = content.panel_math_width(
                self.query_one("#card", VerticalScroll), self.app.size.width)
            self._resolver = self._resolver_for(card)
            front = content.front(card, self.seed, self._math_width, self._resolver)
            if exercise:
                from flashdeck.exercises.text import card_answer_hint  # ~8 ms: exercises only

                instance = exercise_instance(card, self.seed)
                hint = card_answer_hint(card.exercise, card.back, instance)
                await (await self._exercise_panel()).load(instance, hint)
        except FlashdeckError as exc:  # e.g. a broken exercise template: say so, keep going
            front = content.escape_markdown(f"This card cannot be shown: {exc}")
            exercise = False
        for panel in self.query("#exercise"):
            panel.display = exercise
        await self.query_one("#front", CardSide).show(front)
        for part in self.query("#back, #divider, #answers"):  # none before they are built
            part.display = False
        self.query_one("#reveal-hint", Static).display = True
        panel = self.query_one("#card", VerticalScroll)
        panel.remove_class("-tight")  # (see `_answer_into_view`)
        panel.scroll_home(animate=False)
        if exercise:
            self.query_one("#exercise").focus_input()
        else:
            self.set_focus(None)  # (no-op when nothing is focused: the first card's case)
        self._show_hint()
        if self._resolver is not None:
            self.call_after_refresh(self._prefetch_images, card)
        self.shown_at = self.app.session.start_timer()

    def _prefetch_images(self, card: CardView) -> None:
        """The answer's images decoded while the question is read (`images.prefetch`)."""
        if self.card is not card or self.revealed or not still_shown(self):
            return
        from flashdeck.tui import images  # only for a card with an embed

        try:
            back = content.back(card, self.seed, getattr(self, "_math_width", None),
                                self._resolver)
        except FlashdeckError:
            return  # the reveal says why
        embeds = images.drawable(back)
        if embeds:
            card_markdown_class()  # the answer's Markdown widget imported now, not on Space
        images.prefetch(self, embeds)

    def _resolver_for(self, card: CardView):
        """What finds the card's images in its note's vault (`render.note_resolver`, one
        per note for the session), or None for a card without an embed."""
        if not card_has_embed(card):
            return None
        resolver = self._resolvers.get(card.note)
        if resolver is None:
            resolver = self._resolvers[card.note] = note_resolver(self.app.session.col, card)
        return resolver

    def _show_hint(self, in_box: bool | None = None) -> None:
        """The line under the card says what Space/Enter do now: it follows the focus (in
        an exercise's answer box, or out of it after Escape)."""
        hint = self.query_one("#reveal-hint", Static)
        exercise = self.card is not None and self.card.kind == "exercise" and any(
            panel.display for panel in self.query("#exercise"))
        if in_box is None:
            focused = self.focused
            in_box = focused is not None and focused.id == "answer"
        if not exercise:
            text = Content.assemble(("Space", "bold"), "  show the answer")
        elif in_box:
            text = Content.assemble(("Enter", "bold"), "  check your answer    ",
                                    ("q", "bold"), " quit  ", ("?", "bold"), " keys")
        else:
            text = Content.assemble(("Space", "bold"), "  type your answer    ",
                                    ("Escape", "bold"), "  decks")
        hint.update(text)

    def on_descendant_focus(self, event) -> None:
        if getattr(event.widget, "id", None) == "answer":
            self._show_hint()

    def on_descendant_blur(self, event) -> None:
        # said by where the focus is now: a blur handled late (the box's, queued behind
        # a burst `3/4` Enter `1`) comes after the next card has focused the box again
        if getattr(event.widget, "id", None) == "answer":
            self._show_hint()

    def refresh_counts(self) -> None:
        """The counts line: what is left today, and the bar of this sitting's progress
        out of done + left: a card done counts 1, a card answered but still due today
        (`seen_here`) ½ (`StatusLine`), so the bar is full only once nothing is left.

        A card is done once an answer takes it out of today's queue (a review answered,
        a learning card past its last step, a new card answered Easy): an answer that
        leaves it due again today (a learning step, Again) leaves it in the queue, counted
        once there, as Anki's counts count it. The total then stays as it was from answer
        to answer (`12/40` never becomes `12/47` for the steps coming back), and changes
        only when today's work does otherwise: a card held back as a sibling of one
        answered, an import, another terminal's answers, a new day. The bar fills for the
        cards seen too: counting the cards done alone left a day of new cards at `0/20`
        for its first ~40 answers, until one graduated; counting each seen card whole
        read `20/20` (done) while the steps still brought all twenty back."""
        self._changes.mark()
        counts = self.engine.counts()
        answer, self._uncounted = self._uncounted, None
        if answer is not None and self._queue_total is not None:
            answer.finished = counts.total < self._queue_total
            self.done_here += answer.finished
            (self.seen_here.discard if answer.finished else self.seen_here.add)(answer.card_id)
        self._queue_total = counts.total
        current = queue_of(self.card.state) if self.card else None
        total = self.done_here + counts.total
        self.query_one("#status", StatusLine).show(counts, current, self.done_here,
                                                   len(self.seen_here), total)

    def _unseen(self, undone) -> None:
        """The bar after `undone` (session._Done) is taken back (`taken_back`)."""
        self.done_here = taken_back(self.done_here, self.seen_here, undone,
                                    self.app.session.answers)

    def _catch_up(self) -> None:
        """Every `ChangeWatch.EVERY` seconds: the counts line read again if another
        program wrote to the collection since (`flashdeck answer`, `flashdeck sync`, an
        import in another terminal) or a new day began. The counts stayed as they were
        until the next card, the answers given elsewhere still counted as due."""
        if self.card is None or not still_shown(self) or self.app.pending is not None:
            # (an answer waiting for the collection: read now, the counts would take in
            # its write by the worker before the answer is counted on the screen, and the
            # progress bar would not count its card done)
            return
        if self._changes.changed():
            self.refresh_counts()

    async def reveal(self) -> None:
        card = self.card
        if card is None or self.revealed:
            return
        started, began = time.thread_time(), get_time()  # (see `_typed_unseen`)
        await self._build_answer_parts()
        if self.app.pending is None:
            now = get_card(self.app.session.col, card.id)
            if self.app.session.cram and (now.orphaned or now.suspended):
                self.notify(f"Card {card.id} {changed_elsewhere(now, 0)}: on to the next"
                            " card.", markup=False)
                await self.next_card()
                return
            if not self.app.session.cram and (
                    now.version != card.version or now.orphaned or now.suspended):
                # another terminal answered (or suspended, buried) it since it was shown:
                # its buttons would preview the new state and the grade be refused. (A
                # cram's answers touch no schedule: one given elsewhere changes nothing
                # here, the card is revealed as the cram showed it.)
                moment = int(self.engine.now().timestamp())
                self.notify(f"Card {card.id} {changed_elsewhere(now, moment)}: on to the"
                            " next card.", markup=False)
                await self.next_card()
                return
            if _text_of(now) != _text_of(card):
                # its note was re-imported elsewhere (`flashdeck import` in another
                # terminal) since it was shown: the answer read from the card as shown
                # would be the old one. A new question is shown first (the old one was
                # read); a new answer is simply the one revealed, said so
                changed = f"Card {card.id} was changed in its note since it was shown"
                if _question_of(now) != _question_of(card):
                    self.notify(f"{changed}: here is its question as it is now.",
                                markup=False)
                    await self.show_card(now)
                    return
                self.notify(f"{changed}: its answer is shown as it is now.", markup=False)
            self.card = card = now  # (a note moved meanwhile: its images are found there)
        try:
            self.previews = self.engine.previews(card.id)
        except FlashdeckError as exc:  # its stored schedule is damaged: say so, keep going
            self.previews = {}
            self.notify(content.plain(str(exc)), severity="error", markup=False)
        try:
            back = content.back(card, self.seed, getattr(self, "_math_width", None),
                                self._resolver)
        except FlashdeckError as exc:
            back = content.escape_markdown(f"The answer cannot be shown: {exc}")
        back_widget = self.query_one("#back", CardSide)
        back_widget.set_class(card.kind == "cloze", "-cloze")
        await back_widget.show(back)
        back_widget.display = True
        self.query_one("#divider").display = True
        self.query_one("#reveal-hint", Static).display = False
        bar = self.query_one("#answers")
        bar.show({p.rating: p.label for p in self.previews.values()}, self.suggested)
        bar.display = True
        self.revealed = True
        self.query_one("#crumbs", Notice).say(header(card, answered=True))  # nothing to hide now
        self.set_focus(None)
        self._reveal_started, self._reveal_began, self._answer_drawn_at = started, began, None
        self._answer_drawn = drawn = asyncio.Event()
        self.call_after_refresh(self._answer_on_screen, drawn)

    def _answer_on_screen(self, drawn: asyncio.Event) -> None:
        """The screen has been drawn since the reveal (`call_after_refresh`): the answer is
        on it."""
        if drawn is self._answer_drawn and not drawn.is_set():
            self._answer_drawn_at = get_time()
            self._draw_work = time.thread_time() - self._reveal_started
            drawn.set()

    async def _typed_unseen(self) -> bool:
        """Whether the grade being given now was typed before its answer was on screen,
        drawing that answer having been `ANSWER_SEEN_AFTER` of work or more; if so the bell
        rings, the screen says so (once a card), and the grade is not to be given.

        Space on a card whose answer is a 1,000-row table (seconds to draw), then Space
        again or `3` while nothing seemed to happen: that key graded the card, its answer
        never seen. Such a key is now dropped. An answer drawn at once keeps every key in
        order: a fast typist's `Space 3` (the `3` typed before the answer's first frame,
        a few milliseconds after the Space) grades as typed, as before.

        The draw is measured in the CPU time of the screen's own thread, which draws it,
        not in wall time: on a busy machine (a build, a test run beside the app) an
        ordinary answer took up to 0.8 s of wall time to draw, but never more than 0.25 s
        of work (the session's first exercise, its parts built then), where a 1,000-row
        table takes seconds of both. Not the whole process's:
        its other threads (the start's re-import of the notes, images decoded, the decks
        counted) made an ordinary answer look slow, and a fast `Space 3` was dropped. A key comes with the time it was typed
        (`app.key_time`); what is not typed (a click on a grade button, which is
        on screen only with the answer; the command palette) is always taken."""
        typed_at = key_time()
        card = self.card
        if typed_at is None or self._reveal_started is None or card is None:
            return False
        if self._answer_drawn_at is None and asyncio.current_task() is not self._task:
            # its first frame comes after this key's turn: the key waits for it (the keys
            # behind it wait too, in their order). (Not on the screen's own task, which
            # draws it: `_run_keys_after_check` runs once it is drawn.)
            try:
                await asyncio.wait_for(self._answer_drawn.wait(), DRAW_WAIT)
            except asyncio.TimeoutError:  # not on screen after all that time: not seen
                self._draw_work = time.thread_time() - self._reveal_started
        drawn_at = self._answer_drawn_at
        if self.card is card and drawn_at is not None and (
                typed_at >= drawn_at or self._draw_work < ANSWER_SEEN_AFTER):
            return False
        self.app.bell()
        if not self._unseen_said and self.card is card:
            self._unseen_said = True
            took = (drawn_at if drawn_at is not None else get_time()) - self._reveal_began
            self.notify("A grade typed before this answer was on screen was not taken (the "
                        f"answer took {took:.1f} s to appear): read it, then grade.",
                        severity="warning", markup=False, timeout=6)
        return True

    # -- actions ---------------------------------------------------------------------------
    @after_first_card
    async def action_primary(self) -> None:
        """Space/Enter: show the answer; once shown, answer Good (an exercise: its grade)."""
        if self.card is None:
            return
        if self._verdict_on_its_way():
            await self.key_after_check("space", key_time())
            return
        if not self.revealed:
            panel = next(iter(self.query("#exercise")), None)
            if self.card.kind == "exercise" and not self.graded and panel is not None and \
                    panel.display:
                panel.focus_input()
                return
            await self.reveal()
            # the answer in view once laid out: below a long front (or on a small terminal)
            # it came in under the fold, and a second Space graded an answer never seen
            once_laid_out(self, self._answer_into_view)
            return
        if await self._typed_unseen():
            return
        await self.action_grade(self.suggested or Rating.GOOD, True)

    @after_first_card
    async def action_grade(self, rating: int, checked: bool = False) -> None:
        """Grade the card shown (`checked`: `_typed_unseen` has been asked already)."""
        card = self.card
        if card is None:
            return
        if self._verdict_on_its_way():
            await self.key_after_check(str(rating), key_time())
            return
        if not self.revealed or self.app.pending is not None:
            # grading an unseen answer is almost always a slip; while an answer waits for
            # the collection, no second answer to the same card
            self.app.bell()
            return
        if not checked and await self._typed_unseen():
            return
        try:
            answered = self.app.submit_answer(self.engine, card, rating, self.shown_at)
        except FlashdeckError as exc:
            self.notify(content.plain(str(exc)), severity="error", markup=False)
            await self.next_card()
            return
        if answered is None:  # the collection is busy: a worker writes it once it is free
            self.show_pending()
            return
        await self._answered(card.id, answered)

    async def _answered(self, card_id: int, answered) -> None:
        """An answer is written: count it, say if the card became a leech, go on."""
        # counted done or not by the counts after it (`refresh_counts`, on the next card)
        self._uncounted = self.app.session.answer_record(answered.review_id)
        if answered.leech:
            self.notify(f"Card {card_id} lapsed {self.engine.config.leech_lapses} times: it is a "
                        "leech and is now suspended. Rewrite it, then `flashdeck unsuspend "
                        f"{card_id}`.", severity="warning", markup=False, timeout=8)
        await self.next_card()

    def show_pending(self) -> None:
        """The answer waits for the collection: said where the keys' hint is, the grade
        buttons off, until `pending_written`."""
        pending = self.app.pending
        if pending is None:
            return
        hint = self.query_one("#reveal-hint", Static)
        hint.update(Content.assemble(
            ("⏳ " + self.app.waiting_text(), "bold $warning"),
            f"\nYour answer ({Rating(pending.rating).label}) is kept and written "
            "as soon as the collection is free."))
        hint.display = True
        for bar in self.query("#answers"):
            bar.disabled = True

    async def pending_written(self, answered) -> None:
        """The pending answer is written (`answered`), or was refused (None, said already)."""
        for bar in self.query("#answers"):
            bar.disabled = False
        if answered is None:
            await self.next_card()
            return
        await self._answered(answered.card_id, answered)

    @after_first_card
    async def action_undo(self) -> None:
        before = len(self.app.session.answers)
        last = self.app.session.last_answer()  # what the bar counted for it
        self._uncounted = None
        try:
            undone = self.app.session.undo(self.engine)
        except FlashdeckError as exc:
            self.notify(content.plain(str(exc)), severity="error", markup=False)
            return
        if not undone.done:
            self.notify(content.plain(undone.reason), markup=False)
            if len(self.app.session.answers) < before:  # undone elsewhere: not done here
                self._unseen(last)
                if self.card is not None:
                    self.refresh_counts()
            return
        card = get_card(self.app.session.col, undone.card_id)
        if undone.action != "answer":
            self.notify(f"Undid the {undone.action} of card {undone.card_id}.", markup=False)
            await self.show_card(card)
            return
        self._unseen(last)
        if card.orphaned or card.suspended:
            # its note lost it since (an edit, a re-import), or it was suspended elsewhere:
            # the answer is taken back, but the card cannot be answered again
            why = "is no longer in its note" if card.orphaned else "is suspended"
            self.notify(f"Undid {Rating(undone.rating).label}. Card {card.id} {why}: it is "
                        "not shown again.", markup=False)
            if self.card is None or self.card.id == card.id:
                await self.next_card()
            else:
                self.refresh_counts()
            return
        self.notify(f"Undid {Rating(undone.rating).label}.", markup=False)
        await self.show_card(card)

    @after_first_card
    async def action_suspend(self) -> None:
        card = self.card
        if card is None:
            return
        if not self.app.guarded_write(
                lambda: self.app.session.hid(self.engine.suspend(card.id, True)),
                "the card is not suspended"):
            return
        # in a cram too (as in Anki's filtered decks): a card the user wants gone is a card
        # of theirs, whatever deck it was met in; the toast says it is more than the cram's
        where = " everywhere, not only in this cram" if self.app.session.cram else ""
        self.notify(f"Suspended card {card.id}{where} (u takes it back; `flashdeck unsuspend"
                    f" {card.id}` any time).", markup=False)
        await self.next_card()

    @after_first_card
    async def action_bury(self) -> None:
        card = self.card
        if card is None:
            return
        if not self.app.guarded_write(lambda: self.app.session.hid(self.engine.bury(card.id)),
                                      "the card is not buried"):
            return
        self.notify("Put aside for this cram; its schedule is untouched (u takes it back)."
                    if self.app.session.cram else "Buried until tomorrow (u takes it back).",
                    markup=False)
        await self.next_card()

    @after_first_card
    def action_info(self) -> None:
        """The card's memory and history (what `flashdeck info` prints), over the card."""
        card = self.card
        if card is None:
            return
        from flashdeck.cardinfo import card_info  # ~70 ms with its screen: built when asked
        from flashdeck.tui.screens.info import InfoScreen

        try:
            info = card_info(self.engine, card.id, self.app.tz)
        except FlashdeckError as exc:
            self.notify(content.plain(str(exc)), severity="error", markup=False)
            return
        self.app.push_screen(InfoScreen(info))

    def answer_box_passes(self, key: str, character: str | None, before: str = "") -> bool:
        """Whether a command key stays a command while an exercise's answer box has focus
        (see `AnswerInput`), `before` being the box's text up to the cursor. It does unless
        it can continue the answer (`types_into_answer`): a digit, a space after text, `e`
        right after a digit, a letter of the exercise's unit word; `q` and `?` always do."""
        if key not in COMMAND_KEYS:
            return False
        panel = next(iter(self.query("#exercise")), None)
        unit = str(getattr(getattr(panel, "instance", None), "unit", "") or "")
        return not types_into_answer(before, character, answer_words(unit))

    @after_first_card
    def action_help(self) -> None:
        from flashdeck.tui.screens.help import HelpScreen  # ~20 ms: built when asked

        self.app.push_screen(HelpScreen())

    @after_first_card
    def action_quit_session(self) -> None:
        from flashdeck.tui.screens.summary import SummaryScreen  # not before the first frame

        self.app.switch_screen(SummaryScreen(finished=False, deck=self.deck, done=self.done_here,
                                             seen=frozenset(self.seen_here)))

    @after_first_card
    def action_decks(self) -> None:
        self.app.show_home()

    @after_first_card
    async def action_edit(self) -> None:
        """Open the card's note in $EDITOR at its line, then re-import it."""
        card = self.card
        if card is None:
            return
        import shlex  # only for the editor: not before the first card

        if not os.path.isfile(card.note):
            # moved or deleted since it was read: an editor would open an empty new file
            # there (and saving it would make a stray note); the re-import finds a moved
            # note (the card then names its new place) or takes the card out
            self.notify(content.plain(f"The note {card.note} is no longer there (moved or "
                                      "deleted): re-reading your notes."), markup=False)
            await self.reimport(card)
            return
        variable = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
        value = os.environ.get(variable) or "vi"
        try:
            command = shlex.split(value) or ["vi"]  # only blanks: as if unset
        except ValueError as exc:  # `EDITOR="code '"`: the review ended "internal error"
            self.notify(content.plain(f"Cannot run the editor: ${variable} ({value!r}) is no"
                                      f" command line: {exc}."), severity="error",
                        markup=False)
            return
        command += [f"+{card.line}", card.note]
        try:
            with self.app.suspend():
                # an editor that cannot start (not installed, a typo in $EDITOR) is caught
                # inside the block: Textual's suspend() gives the terminal back to the app
                # only when its block ends without an exception (else: a blank screen that
                # no key but Ctrl+C leaves)
                result = _run_editor(command)
        except SuspendNotSupported:
            if not self.app.is_headless:
                self.notify("This terminal cannot hand over to an editor.", severity="error",
                            markup=False)
                return
            # headless (tests, scripts): there is no terminal to hand over
            result = _run_editor(command, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if isinstance(result, OSError):
            self.notify(content.plain(f"Cannot run the editor {command[0]!r}: "
                                      f"{result.strerror or result}"),
                        severity="error", markup=False)
            return
        if result.returncode != 0:
            self.notify(f"The editor exited with status {result.returncode}.",
                        severity="warning", markup=False)
        await self.reimport(card)

    async def reimport(self, card: CardView) -> None:
        """Re-import the card's note in a worker (an import is no work for the event loop);
        `on_reimported` then shows the card as it is now."""
        self.run_worker(lambda: self._reimport_in_thread(card), thread=True, exclusive=True,
                        group="reimport")

    def _reimport_in_thread(self, card: CardView) -> None:
        from flashdeck.collection.importer import import_paths  # ~90 ms (the note parser)

        try:
            with worker_collection(self.app.collection_path, self.app.session.col) as col:
                source = card_source_path(col, card.id)
                if source is None:
                    return
                moment = int(self.engine.now().timestamp())
                report = import_paths(col, [source], now=moment, hold_seconds=RESCAN_HOLD_SECONDS)
                fresh = get_card(col, card.id)
        except Exception as exc:  # said on screen by the handler; the card stays as it was
            error = str(exc) if isinstance(exc, FlashdeckError) else f"{type(exc).__name__}: {exc}"
            self.post_message(Reimported(card, None, None, error))
            return
        self.post_message(Reimported(card, fresh, report))

    async def on_reimported(self, message) -> None:
        card, fresh, report = message.card, message.fresh, message.report
        if message.error is not None:
            self.notify(content.plain(f"Could not re-read the note: {message.error}"),
                        severity="error", markup=False)
            return
        for problem in report.errors[:3]:
            self.notify(content.plain(str(problem)), severity="error", markup=False)
        if report.notes_imported:
            self.notify(content.plain(report.summary()), markup=False)
        if self.card is None or self.card.id != card.id or self.app.pending is not None:
            return  # the user has moved on meanwhile (or answered it): nothing to refresh
        if fresh.orphaned or fresh.suspended:
            if fresh.orphaned and card.kind == "exercise" and report.errors:
                # its block no longer reads (the problem is said above): the card is not
                # gone from the note, it waits there with its history for the fix
                self.notify("This exercise's template has a mistake now (see above): its card "
                            "is set aside, with its history, until the block is fixed and "
                            "the note read again.", severity="warning", markup=False, timeout=8)
            else:
                self.notify("That card is no longer in its note.", markup=False)
            await self.next_card()
            return
        # the card's state is kept: the exercise's numbers, the typed answer, the verdict
        # and its working (graded again: the edit may have changed the working), revealed
        revealed, graded, seed = self.revealed, self.graded, self.seed
        panel = next(iter(self.query("#exercise")), None)
        typed = panel.typed if panel is not None and card.kind == "exercise" else ""
        same_kind = fresh.kind == card.kind == "exercise"
        if self._resolvers:  # the edit may have added an image to the vault: look again
            from flashdeck.notes.embeds import VaultIndex

            self._resolvers.clear()
            VaultIndex.forget()
        await self.show_card(fresh, seed if same_kind else None)
        panel = next(iter(self.query("#exercise")), None)
        if same_kind and panel is not None and panel.display:
            panel.retype(typed)
            if graded:
                verdict = panel.check(typed)
                if verdict is not None:
                    self.graded = True
                    self.suggested = Rating.named(verdict.suggested) or Rating.GOOD
                revealed = verdict is not None  # unreadable now (its unit edited): try again
        if revealed:
            await self.reveal()

    # -- messages from the parts -------------------------------------------------------------
    async def on_answer_bar_chosen(self, message: AnswerBar.Chosen) -> None:
        await self.action_grade(message.rating)

    async def grade_clicked(self, rating: int) -> None:
        """A grade button clicked (`FlashdeckApp.on_event`: in its turn among the keys)."""
        await self.action_grade(rating)

    async def on_exercise_panel_graded(self, message: ExercisePanel.Graded) -> None:
        self.graded = True
        self.suggested = Rating.named(message.verdict.suggested) or Rating.GOOD
        await self.reveal()
        # the verdict and the working below it in view (at 80×24 PageDown shows the rest),
        # once the revealed answer has been laid out
        once_laid_out(self, self._verdict_into_view)
        if self._keys_after_check:
            # typed right after Enter, in one burst: run in their order once the answer is
            # on screen (`_typed_unseen` asks when it was: waited for here, on the screen's
            # own task, its frame would never come)
            self._keys_waiting = True
            self.call_after_refresh(self._run_keys_after_check, self.card)

    async def _run_keys_after_check(self, card: CardView | None) -> None:
        from flashdeck.tui.answer_parts import run_screen_key

        keys, self._keys_after_check = self._keys_after_check, []
        self._keys_waiting = False
        for done, (key, typed_at, _) in enumerate(keys):
            if not still_shown(self):
                break
            if self.card is None or self.card is not card or not self.revealed:
                # a key before these moved on (a grade: the next card is shown): they are
                # typed to the screen as it is now, in their order. They were dropped:
                # `3/4` Enter `3 Space` left the next card unrevealed
                await self._type_keys(keys[done:])
                break
            await run_screen_key(self, key, typed_at)

    async def _type_keys(self, keys: list[tuple[str, float | None, str | None]]) -> None:
        """`keys` (with the times they were typed, their characters) handled as if typed now, in order: to the
        focused widget (the next exercise's answer box, which decides each in its turn),
        else by the bindings of the screen on top (`run_key_on_top`)."""
        from textual.keys import key_to_character

        from flashdeck.tui.app import run_key_on_top

        focused = self.app.focused
        if focused is None and self.app.screen is self and self.card is not None \
                and self.card.kind == "exercise" and not self.graded:
            # the next exercise's box, focused (`show_card`) once the app's turn comes
            focused = next((box for box in self.query("#exercise #answer")
                            if box.display and not box.disabled), None)
        for index, (key, typed_at, character) in enumerate(keys):
            if focused is None:
                if self.revealed and self._answer_drawn_at is None and still_shown(self):
                    # a key before it showed an answer: the rest wait for it on screen
                    # (on this task its frame would never come: `_typed_unseen`)
                    self.call_after_refresh(self._type_keys, keys[index:])
                    return
                await run_key_on_top(self.app, key, typed_at)
                continue
            # (Textual 8.2.8's key_to_character gives None for `slash`: the key's own first)
            event = events.Key(key, character if character is not None
                               else key_to_character(key))
            if typed_at is not None:
                event.time = typed_at
            event.set_sender(self.app)
            focused._forward_event(event)

    def _verdict_on_its_way(self) -> bool:
        """The shown exercise's typed answer is checked (its box done) but its answer is not
        revealed yet: the panel's Graded message is still on its way to the screen, or the
        reveal is under way. `3/4` Enter `1` typed quickly: once the box had taken Enter
        (and lost the focus) the `1` came straight to the screen's binding, which found
        nothing revealed, rang the bell and dropped the grade. Such a key now waits with
        the keys typed after the check (`key_after_check`)."""
        if self.revealed or self.card is None or self.card.kind != "exercise":
            return False
        for box in self.query("#exercise #answer"):
            return box.disabled
        return False

    async def key_after_check(self, key: str, typed_at: float | None = None,
                              character: str | None = None) -> None:
        """A key that came to the exercise's answer box after Enter checked the answer
        (a burst: `3/4` Enter `1`): the box is done, the key is the screen's. Run once the
        answer is revealed (the Graded message may still be on its way), after the keys
        that came before it; before, the `1` landed in the box (`3/41`) and the card was
        left ungraded. `typed_at`: when it was typed (`_typed_unseen`)."""
        from flashdeck.tui.answer_parts import run_screen_key

        if self.graded and self.revealed and not self._keys_waiting:
            await run_screen_key(self, key, typed_at)
        elif len(self._keys_after_check) < 16:  # bounded: a key held down
            self._keys_after_check.append((key, typed_at, character))

    def _answer_into_view(self) -> object:
        """The least scroll that shows the back's first lines (half the view, or all of a
        shorter back), never past the rule: no scroll when the card already shows them,
        and as much of the front above as fits. Returns what it decided on
        (`once_laid_out`)."""
        if not self.revealed or not self.is_attached:
            # the reveal moved on instead (the card answered elsewhere): maybe to the
            # summary, this screen's widgets already gone
            return None
        parts = [next(iter(self.query(name)), None) for name in ("#card", "#divider", "#back")]
        if None in parts:
            return None
        card, divider, back = parts
        if not (card.is_attached and back.is_attached):
            return None
        rule_top, back_top = row_in(card, divider), row_in(card, back)
        if rule_top is None or back_top is None:
            return None
        view = card.scrollable_content_region
        if card.virtual_size.height > view.height and not card.has_class("-tight"):
            # the card does not fit its panel (the user's two-line F1 formula at 80×24 lost
            # the denominator of its last row under the fold): its blank rows go first, the
            # ones around the rule and the shaded rows of a formula's block
            # (flashdeck.tcss, markdown.tcss), then it is looked at again
            card.add_class("-tight")
            return object()
        y = round(card.scroll_y)
        wanted = back_top + min(back.region.height, max(3, view.height // 2))
        target = min(rule_top, max(y, wanted - view.height))
        if target > y:
            card.scroll_to(y=target, animate=False, immediate=True)
            if round(card.scroll_y) < target or back.region.height == 0:
                # the card cannot scroll that far yet (its size not grown to the back's,
                # the answer's rules still being applied): look again after the next
                # refresh, whatever else is the same (the chain is bounded)
                return object()
        return card.virtual_size, view, rule_top, wanted, target

    def _verdict_into_view(self) -> object:
        if not self.revealed or not self.is_attached or not self.query("#card #back"):
            return None  # the reveal moved on instead (see `_answer_into_view`)
        for verdict in self.query("#exercise #verdict"):
            from flashdeck.tui.answer_parts import scroll_to_show

            return scroll_to_show(self.query_one("#card"), verdict, self.query_one("#back"))
        return None

    @after_first_card
    def action_scroll_card(self, how: str) -> None:
        """PageUp/PageDown, the arrows, Home/End: scroll the card without focusing it;
        Left/Right scroll its wide blocks sideways."""
        card = self.query_one("#card", VerticalScroll)
        if how in ("left", "right"):
            step = SIDEWAYS_STEP if how == "right" else -SIDEWAYS_STEP
            for fence in card.query("MarkdownFence"):
                fence.scroll_relative(x=step, animate=False)
            return
        scroll = {"page_down": card.scroll_page_down, "page_up": card.scroll_page_up,
                  "down": card.scroll_down, "up": card.scroll_up,
                  "home": card.scroll_home, "end": card.scroll_end}.get(how)
        if scroll is not None:
            scroll(animate=False)

    async def on_resize(self, event) -> None:
        """Display math is laid out for the card panel's width: on a new width the card's
        sides are drawn again (a chain too wide for it breaks at its relations).

        A window dragged wider or narrower sends a resize for every step, each of which
        drew the card whole: with a 1,000-row table a drag of twenty steps kept the screen
        frozen for minutes, keys unanswered. Now the card is drawn once the resizes stop
        coming (`REFIT_DELAY` after the last), and a side whose markdown the new width
        leaves as it was is not drawn again (`CardSide.show`)."""
        self._resizes = generation = getattr(self, "_resizes", 0) + 1
        app = self.app
        waiting = getattr(self, "_refit_waiting", None)
        if waiting is not None:  # the last resize's refit, not started: this one's instead
            waiting.stop()
            app.layout_passes_pending -= 1
        # a pass still to run, app-wide (`once_laid_out`): tests and snapshots wait for it
        app.layout_passes_pending = getattr(app, "layout_passes_pending", 0) + 1

        async def refit() -> None:  # once the panel has its new size
            self._refit_waiting = None
            try:
                await fit()
            finally:
                app.layout_passes_pending -= 1

        async def fit() -> None:
            card = self.card
            if card is None or not still_shown(self) or generation != self._resizes:
                return
            if self.revealed:
                card_panel = self.query_one("#card", VerticalScroll)
                card_panel.remove_class("-tight")  # fits again, maybe: decided anew
                # made smaller after the reveal (a split pane opened), the card kept its
                # scroll: the answer went under the fold, the question and the grade
                # buttons left on screen. The answer comes back into view as on Space.
                once_laid_out(self, self._verdict_into_view if self.graded
                              else self._answer_into_view)
            elif card.kind == "exercise":
                # the answer box, typed into, back in view (made smaller, it went under
                # the fold with the prompt above it)
                from flashdeck.tui.answer_parts import ExercisePanel  # built: loaded

                for panel in self.query("#exercise").results(ExercisePanel):
                    once_laid_out(self, panel.input_into_view)
            width = content.panel_math_width(self.query_one("#card", VerticalScroll),
                                             self.size.width)
            if width == getattr(self, "_math_width", None):
                return
            self._math_width = width
            try:
                front = content.front(card, self.seed, width, self._resolver)
                back = content.back(card, self.seed, width, self._resolver) \
                    if self.revealed else None
            except FlashdeckError:
                return  # the sides already say the card cannot be shown: nothing to lay out
            await self.query_one("#front", CardSide).show(front)
            if back is not None and self.card is card and generation == self._resizes:
                await self.query_one("#back", CardSide).show(back)
            elif back is not None:
                self._math_width = None  # a later refit draws the answer at its width

        self._refit_waiting = self.set_timer(REFIT_DELAY, refit)

    def on_unmount(self) -> None:
        waiting = getattr(self, "_refit_waiting", None)
        if waiting is not None:  # its timer goes with the screen: the pass will not run
            self._refit_waiting = None
            waiting.stop()
            self.app.layout_passes_pending -= 1

    def on_markdown_link_clicked(self, message) -> None:  # Markdown.LinkClicked
        message.stop()
        self.notify(content.plain(f"Link: {message.href}"), markup=False)

    # -- the command palette ---------------------------------------------------------------
    def palette_commands(self):
        """(title, help, callback) for the command palette: the same actions as the keys."""
        yield "Show answer", "Reveal the back of the card (Space)", self.action_primary
        for rating in Rating:
            yield (f"Answer {rating.label}", f"Grade the card {rating.label} ({rating.value})",
                   partial(self.action_grade, rating.value))
        yield "Undo", "Undo the last answer, suspend or bury (u)", self.action_undo
        yield "Suspend card", "Hide this card until unsuspended (s)", self.action_suspend
        yield ("Bury card", "Hide this card until tomorrow; in a cram, out of this cram only (b)",
               self.action_bury)
        yield "Edit note", "Open the note in $EDITOR at this card (e)", self.action_edit
        yield "Card info", "This card's memory, recall now and history (i)", self.action_info
        yield "Help", "Show the keys (?)", self.action_help
        yield "Quit review", "End the session with a summary (q)", self.action_quit_session
        yield "Decks", "Back to the deck list (Escape)", self.action_decks
