"""Shared set-up for the TUI tests: a real collection file with cards of every kind.

Cards are written straight into the store with `sync_note_cards` (no parser needed), in
the style of a user's notes: frontmatter-derived cards, a question heading with a callout,
a table and a list, a display formula, a cloze, an exercise, and a card made of hostile
text. The clock is fixed (FLASHDECK_NOW), the answer timer is fake, animations are off.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flashdeck.collection.identity import sync_note_cards
from flashdeck.collection.store import Collection
from flashdeck.notes.model import ParsedCard
from flashdeck.scheduling.config import Config

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
NOW_ISO = "2026-11-24T09:00:00+00:00"
SIZE = (100, 32)

F1_EXERCISE = """\
id: cat-dice
title: Dice score of the cat mask
topics: [Dice Score]
vars:
  TP: 300..300
  FP: 200..200
  FN: 0..0
prompt: |
  A model finds TP = {TP} cat pixels, FP = {FP} false alarms and FN = {FN} misses.
  What is its Dice score?
answer: 2*TP / (2*TP + FP + FN)
steps: |
  Dice = 2·TP / (2·TP + FP + FN)
  Dice = 2·{TP} / (2·{TP} + {FP} + {FN}) = {2*TP / (2*TP + FP + FN):work}
"""

HOSTILE = "[bold red]x[/] [@click=app.quit]y[/] list[int] x[/]y \x1b[31mred"

QUESTION_BACK = """\
The harmonic mean of precision and recall.

> [!NOTE] Why not the arithmetic mean?
> It would hide a terrible recall behind a good precision.

| model | P | R | F1 |
|---|---|---|---|
| a | 0.9 | 0.1 | 0.18 |
| b | 0.5 | 0.5 | 0.50 |

- symmetric in P and R
- see [[Precision and Recall|precision]] and ![[f1-curve.png]]
"""


def card(kind: str, front: str, back: str, line: int, deck: str = "flashcards/ml/metrics",
         block: str | None = None, ordinal: int = 0, breadcrumb: tuple[str, ...] = (),
         exercise: str | None = None) -> ParsedCard:
    return ParsedCard(kind, front, back, line, deck, block or f"L{line}", ordinal, breadcrumb,
                      None, exercise)


def standard_cards() -> list[ParsedCard]:
    """The order here is the order new cards are shown in."""
    return [
        card("question", "What does the F1 score measure?", QUESTION_BACK, 12,
             breadcrumb=("Metrics",)),
        card("formula", "F1 Score: the formula",
             "$$F_1 = \\frac{2 \\cdot P \\cdot R}{P + R}$$", 20, breadcrumb=("Definition",)),
        card("cloze", "The F1 score is the [...] mean of precision and recall.",
             "The F1 score is the ==harmonic== mean of precision and recall.", 30),
        card("basic", "Is Dice the same as F1?", "Yes: on binary masks Dice = F1.", 40,
             deck="flashcards/ml/segmentation"),
        card("exercise", "Dice score of the cat mask", F1_EXERCISE, 50, exercise="cat-dice",
             deck="flashcards/ml/segmentation"),
        card("basic", HOSTILE, "back: " + HOSTILE, 60, deck="flashcards/misc"),
    ]


def sibling_cards() -> list[ParsedCard]:
    """A reversed pair, a paragraph with three clozes and a basic card: three new cards
    today (one of each block), three held back as their siblings."""
    text = "Softmax turns ==scores== into ==probabilities== that sum to ==one==."
    deck = "flashcards/ml/activations"
    return [
        card("reversed", "Temperature", "a divisor of the logits", 10, deck, block="L10"),
        card("reversed", "a divisor of the logits", "Temperature", 10, deck, block="L10",
             ordinal=1),
        *(card("cloze", text.replace(f"=={word}==", "[...]").replace("==", ""),
               text.replace("==", ""), 14, deck, block="L14", ordinal=n)
          for n, word in enumerate(["scores", "probabilities", "one"])),
        card("basic", "What is a logit?", "The raw score of a class.", 18, deck),
    ]


def make_collection(path: Path, cards: list[ParsedCard] | None = None,
                    note_path: Path | None = None) -> Path:
    """A collection file at `path` holding `cards` (default: `standard_cards()`) in one note."""
    note_path = note_path or path.parent / "vault" / "F1 Score.md"
    with Collection.open(path) as col, col.transaction() as conn:
        source = conn.execute("INSERT INTO sources (path, kind, added) VALUES (?, 'folder', 0)",
                              (str(note_path.parent),)).lastrowid
        note = conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (?, ?, ?)",
                            (source, note_path.name, note_path.stem)).lastrowid
        sync_note_cards(conn, note, cards if cards is not None else standard_cards(), set(), 0)
    return path


class FakeClock:
    """The answer timer: each reading is `step` seconds after the one before."""

    def __init__(self, step: float = 4.0) -> None:
        self.t = 1000.0
        self.step = step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


def app_for(path: Path, deck: str | None = None, now: datetime = NOW, **kwargs):
    from flashdeck.tui.app import build_app

    app = build_app(path, deck=deck, now=lambda: now, config=Config(fuzz=False),
                    monotonic=FakeClock(), rescan=kwargs.pop("rescan", False),
                    bundled=kwargs.pop("bundled", False), **kwargs)
    app.animation_level = "none"
    return app


def read_rows(path: Path, sql: str) -> list:
    """Read the collection the way another process would, with a plain connection.

    (Not `Collection.open`: its header sniff closes a file descriptor, which would drop the
    running app's SQLite locks held by this same test process.)
    """
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def reviews(path: Path) -> list[tuple[int, int]]:
    """(card id, rating) of every review in the log, oldest first."""
    return [(r[0], r[1]) for r in read_rows(path, "SELECT card_id, rating FROM reviews ORDER BY id")]


def card_column(path: Path, card_id: int, column: str):
    return read_rows(path, f"SELECT {column} FROM cards WHERE id = {int(card_id)}")[0][0]


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def editor_replacing(tmp_path: Path, monkeypatch, old: str, new: str) -> None:
    """$VISUAL: a script that replaces `old` by `new` in the note it is given (its last
    argument), as a user's edit in their editor."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        "path = sys.argv[-1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        f"open(path, 'w', encoding='utf-8').write(text.replace({old!r}, {new!r}))\n",
        encoding="utf-8")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")


def toasts(app) -> str:
    """The notifications the app has shown so far, joined by spaces."""
    return " ".join(str(n.message) for n in app._notifications)


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines (read from the app's SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for match in re.finditer(r'<text class="[^"]*-r\d+"[^>]*?x="([\d.]+)" y="([\d.]+)"[^>]*>'
                             r'(.*?)</text>', svg, re.S):
        rows.setdefault(float(match.group(2)), []).append(
            (float(match.group(1)), html.unescape(match.group(3))))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(int(round(x / 12.2))) + text
        lines.append(line.rstrip())
    return "\n".join(lines).replace("\xa0", " ")


async def laid_out(pilot, bound: int = 250) -> None:
    """Wait (at most `bound` short pauses) until no layout pass is left to run: the home
    screen fits its deck table to the room left, the review screen scrolls the answer into
    view, each in a chain of refreshes (`widgets.once_laid_out`), and no widget of the
    screen has a layout still to come (`widgets.layout_pending`: the parts a key just
    showed tell the screen from their own tasks). A fixed number of pauses read the screen
    half way through on a busy machine."""
    from flashdeck.tui.widgets import layout_pending

    await pilot.pause()
    for _ in range(bound):
        app = pilot.app
        if not getattr(app, "layout_passes_pending", 0) and not layout_pending(app.screen):
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def until(pilot, condition, rounds: int = 400) -> None:
    """Let the app run until `condition()` holds (a bounded wait: the test fails if never)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause()
        await asyncio.sleep(0.01)
    raise AssertionError("the app never got there")


def run_async(test):
    """Run an `async def` test with asyncio (no pytest async plugin is installed)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


# An exercise whose working has long lines: at 80 columns they wrap, hanging under their
# first line (fixed numbers: every instance is the same).
FUEL_EXERCISE = """\
id: fuel-average
title: Average fuel price over two fill-ups
topics: [Harmonic Mean]
vars:
  A: 40..40
  P1: 2..2
  P2: 5..5
prompt: |
  You spend {A} euros on fuel at {P1} euros a litre, then another {A} euros at {P2} euros
  a litre. What did a litre cost you on average, in euros?
answer: 2*A / (A/P1 + A/P2)
steps: |
  First fill-up: {A} / {P1} = {A/P1:work} litres; second fill-up: {A} / {P2} = {A/P2:work} litres
  Average price = money spent / litres bought = 2·{A} / ({A/P1} + {A/P2}) = {2*A / (A/P1 + A/P2):work}
  The plain average of the two prices, ({P1} + {P2}) / 2 = {(P1 + P2) / 2:work}, is too high: the same money buys more litres at the cheaper pump, so the cheaper price weighs more.
"""


def fuel_card():
    return card("exercise", "Average fuel price over two fill-ups", FUEL_EXERCISE, 70,
                exercise="fuel-average", deck="flashcards/maths/means",
                breadcrumb=("Means", "Harmonic mean", "Prices paid at two pumps"))


def burst(app, keys: list[tuple[str, str | None]]) -> None:
    """Keys (`(key, character)`) as a terminal delivers a fast burst (key repeat, a quick
    typist): all of them queued before the app has handled the first."""
    from textual import events

    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)


def typed(text: str) -> list[tuple[str, str | None]]:
    """`text` as the keys that type it (`burst`)."""
    names = {"/": "slash", ".": "full_stop", "?": "question_mark", " ": "space"}
    return [(names.get(c, c), c) for c in text]


def stack(app) -> list[str]:
    """The screens open, bottom first, by class name."""
    return [type(screen).__name__ for screen in app.screen_stack]


async def settle(pilot, condition, rounds: int = 150) -> None:
    """Let the app run until `condition()` holds or `rounds` pauses have gone by (no error:
    the test then asserts what the screen shows), then a few pauses more, for anything
    still on its way to show."""
    try:
        await until(pilot, condition, rounds=rounds)
    except AssertionError:
        pass
    for _ in range(5):
        await pilot.pause()


def card_rows(app) -> list[str]:
    """The card panel's rows as the screen shows them, its scrollbar's thumb left out."""
    import re

    panel = app.screen.query_one("#card")
    rows = screen_text(app).split("\n")[panel.region.y:panel.region.bottom]
    # the scrollbar's thumb drawn beside a row is not the row's text
    return [re.sub(r"\s*[▁▂▃▄▅▆▇█]+$", "", row[panel.region.x:panel.region.right]).rstrip()
            for row in rows]
