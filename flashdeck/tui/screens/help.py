"""The keys, on a screen of their own (`?`).

Sized to the screen: the title and the closing line stay, the keys between them scroll
(at 80×24 they do not all fit), and a description that wraps hangs under its first line.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from flashdeck.tui.hanging import HangingText

KEYS: tuple[tuple[str, str], ...] = (
    ("Space / Enter", "show the answer; once shown, answer Good"),
    ("1  2  3  4", "Again · Hard · Good · Easy (after the answer is shown)"),
    ("u", "undo this session's last answer, suspend or bury (the card comes back)"),
    ("s", "suspend the card (`flashdeck unsuspend ID` brings it back)"),
    ("b", "bury the card until tomorrow (in a cram: out of this cram only)"),
    ("e", "edit the note in $EDITOR at this card, re-import it after"),
    ("i", "card info: memory, recall now, its history"),
    ("q", "end the session with a summary"),
    ("Ctrl+C", "quit at once; every answer is kept"),
    ("Escape", "back to the deck list"),
    ("PgUp PgDn ↑ ↓", "scroll the card (Home and End too, outside the answer box)"),
    ("← →", "scroll a block wider than the screen sideways (its scrollbar shows it)"),
    ("Ctrl+P", "the command palette: every action by name"),
    ("?", "this help"),
)

EXERCISE = ("Exercise cards: type the answer (3/4, 0.75, 75%, 15 mph) and press Enter; the "
            "working is shown and the suggested grade highlighted (Space/Enter takes it, 1-4 "
            "pick another). While you type, u s b e i stay keys unless they go on the answer "
            "(e after a digit: 1e-3; the unit's letters); q and ? always are; a Space in an "
            "empty box is not typed.")

DECKS = ("Deck list: Enter reviews the highlighted deck (with its subdecks), a reviews "
         "everything due, t shows the stats (forecast, retention, calibration).")

CLOSE = "Escape or ? closes this help · ↑ ↓ PgUp PgDn scroll"


def keys_content() -> tuple[Content, int]:
    """The keys, right-aligned in their column, and the column their descriptions start
    at (where a wrapped description continues)."""
    width = max(len(k) for k, _ in KEYS)
    keys = Content("\n").join(
        Content.assemble((f"{key:>{width}}", "bold $accent"), "   ", what)
        for key, what in KEYS)
    return keys, width + 3


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"  # its rules, parsed when the screen is first shown

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        keys, column = keys_content()
        # the box itself scrolls; its title and closing line are docked, so they stay
        with VerticalScroll(id="help-box"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            yield Static(Content.styled(CLOSE, "dim"), id="help-close")
            yield HangingText(keys, column=column, id="help-keys")
            yield Static(Content(EXERCISE), id="help-exercise")
            yield Static(Content(DECKS), id="help-decks")

    def on_mount(self) -> None:
        self.query_one("#help-box", VerticalScroll).focus()  # the arrows scroll at once
