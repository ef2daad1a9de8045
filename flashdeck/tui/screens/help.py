"""The keys, on a screen of their own (`?`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("Space / Enter", "show the answer; once shown, answer Good"),
    ("1  2  3  4", "Again · Hard · Good · Easy (after the answer is shown)"),
    ("u", "undo this session's last answer (the card comes back)"),
    ("s", "suspend the card (`flashdeck unsuspend ID` brings it back)"),
    ("b", "bury the card until tomorrow"),
    ("e", "edit the note in $EDITOR at this card, re-import it after"),
    ("i", "card info: memory, recall now, its history"),
    ("q", "end the session with a summary"),
    ("Escape", "back to the deck list"),
    ("Ctrl+P", "the command palette: every action by name"),
    ("?", "this help"),
)

EXERCISE = ("Exercise cards: type the answer (3/4, 0.75, 75%, 15 mph) and press Enter; the "
            "working is shown and the suggested grade highlighted (Space/Enter takes it, 1-4 "
            "pick another). While you type, u s b e i stay keys unless they go on the answer "
            "(e after a digit: 1e-3; the unit's letters); q and ? always are; a Space in an "
            "empty box is not typed.")

DECKS = ("Deck list: Enter reviews the highlighted deck (with its subdecks), a reviews "
         "everything due.")


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"  # its rules, parsed when the screen is first shown

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in KEYS)
        keys = Content("\n").join(
            Content.assemble((f"{key:>{width}}", "bold $accent"), "   ", what)
            for key, what in KEYS)
        with Vertical(id="help-box"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            yield Static(keys, id="help-keys")
            yield Static(Content(EXERCISE), id="help-exercise")
            yield Static(Content(DECKS), id="help-decks")
            yield Static(Content.styled("Escape or ? closes this help", "dim"), id="help-close")
