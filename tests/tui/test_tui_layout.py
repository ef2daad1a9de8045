"""80×24 is a supported size: what the user sees there, read off the screen.

The key bar holds every key uncut, the help fits (scrolling between its title and its
closing line, wrapped lines hanging under their text), the breadcrumb stays on one line,
an exercise's verdict and working come into view after Enter, the card scrolls without
Tab, and toasts keep off the card's text, the grade buttons and the answer box.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.tui import NOW_ISO, app_for, card, fuel_card, make_collection, run_async, screen_text

SMALL = (80, 24)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


LONG_BACK = "\n\n".join(
    f"Paragraph {n}: the harmonic mean of two rates weighs each by the time spent at it."
    for n in range(1, 13))


def _collection(tmp_path: Path, cards) -> Path:
    return make_collection(tmp_path / "c.sqlite", cards)


def _lines(app) -> list[str]:
    return screen_text(app).split("\n")


def _card_text(app) -> str:
    """The card area's words as one line (a wrapped line reads on; the card's scrollbar,
    in the right margin, left out)."""
    card = app.screen.query_one("#card")
    region = card.region
    rows = _lines(app)[region.y:region.bottom]
    return " ".join(" ".join(row[region.x:region.right - 4] for row in rows).split())


def _visible(app, widget) -> bool:
    """Whether all of `widget` is inside the card's visible area."""
    view = app.screen.query_one("#card").scrollable_content_region
    return widget.region.y >= view.y and widget.region.bottom <= view.bottom


# -- the key bar ----------------------------------------------------------------------------------
@run_async
async def test_the_key_bar_holds_every_key_uncut_at_80_columns(tmp_path):
    app = app_for(_collection(tmp_path, [card("basic", "Capital of Peru?", "Lima", 3)]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.pause()
        footer = _lines(app)[-1]
        for label in ("Space Show / Good", "u Undo", "s Suspend", "b Bury", "e Edit", "i Info",
                      "? Help", "q Quit"):
            assert label in footer, footer
        for key in app.screen.query("Footer FooterKey"):
            if key.display:
                assert key.region.right <= SMALL[0], key.region



@pytest.mark.parametrize("columns", [70, 76])
@run_async
async def test_the_key_bar_closes_up_below_80_columns(tmp_path, columns):
    """In a split pane narrower than 80 columns the key bar lost its last keys, `? Help` and
    `q Quit` first: the one key that lists the others was cut off. Below 80 the keys now
    close up (a space between them, none around a key), and all of them show to 70."""
    app = app_for(_collection(tmp_path, [card("basic", "Capital of Peru?", "Lima", 3)]))
    async with app.run_test(size=(columns, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        footer = _lines(app)[-1]
        assert footer.rstrip().endswith("? Help q Quit"), footer
        assert "Space Show / Good u Undo" in footer, footer
        for key in app.screen.query("Footer FooterKey"):
            if key.display:
                assert key.region.right <= columns, key.region


@pytest.mark.parametrize("columns, expected", [
    (79, "⏎ Review deck a Review all t Stats ? Help q Quit"),
    (60, "⏎ Review deck a Review all t Stats ? Help q Quit"),
    (50, "⏎ Review a All t Stats ? Help q Quit"),
    (40, "⏎ Review a All t Stats ? Help q Quit"),
    (30, "⏎ a t ? q"),
])
@run_async
async def test_the_deck_list_s_key_bar_gives_up_words_not_keys(tmp_path, columns, expected):
    """The deck list in a split pane: at 60 columns its key bar ended `? Help q` and the
    palette key (`Quit` cut off), at 50 `t Stat` and a stray letter, at 40 `a Revie`. Now
    the palette key gives its place below 80 columns (Ctrl+P still opens it; the help names
    it), the labels shorten, and every key shows whole."""
    from support.tui import laid_out

    app = app_for(_collection(tmp_path, [card("basic", "Capital of Peru?", "Lima", 3)]))
    async with app.run_test(size=(columns, 16)) as pilot:
        await laid_out(pilot)
        await pilot.press("escape")
        await laid_out(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        footer = " ".join(_lines(app)[-1].split())
        assert footer == expected, footer
        for key in app.screen.query("Footer FooterKey"):
            if key.display:
                assert key.region.right <= columns - 2, key.region  # (the list's padding)


@pytest.mark.parametrize("columns, expected", [
    (60, "Space Show/Good u Undo s Susp. b e i ? Help q Quit"),
    (50, "Space Show/Good u Undo s Susp. b e i ? Help q Quit"),
    (40, "Space Show/Good u s b e i ? Help q Quit"),
    (24, "Space u s b e i ? q"),
])
@run_async
async def test_below_70_columns_the_key_bar_gives_up_words_not_keys(tmp_path, columns,
                                                                     expected):
    """A split tmux pane of 60 columns: the key bar ended `i Info ? He` and `q Quit` was
    gone. Now the labels shorten, the least used first, and every key shows, `? Help`
    and `q Quit` longest; the keys work at any width (`q` ends the session)."""
    app = app_for(_collection(tmp_path, [card("basic", "Capital of Peru?", "Lima", 3)]))
    async with app.run_test(size=(columns, 16)) as pilot:
        await pilot.pause()
        await pilot.pause()
        footer = " ".join(_lines(app)[-1].split())
        assert footer == expected, footer
        for key in app.screen.query("Footer FooterKey"):
            if key.display:
                assert key.region.right <= columns, key.region
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ != "ReviewScreen"


@run_async
async def test_the_key_bar_fits_again_after_a_resize(tmp_path):
    """Narrowed from 100 to 50 columns and widened back: the bar fits each width."""
    app = app_for(_collection(tmp_path, [card("basic", "Capital of Peru?", "Lima", 3)]))
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert "e Edit i Info ? Help q Quit" in " ".join(_lines(app)[-1].split())
        for size, bar in (((50, 16), "Susp. b e i ? Help q Quit"),
                          ((100, 24), "e Edit i Info ? Help q Quit")):
            await pilot.resize_terminal(*size)
            for _ in range(20):
                await pilot.pause()
                if bar in " ".join(_lines(app)[-1].split()):
                    break
            assert bar in " ".join(_lines(app)[-1].split()), _lines(app)[-1]


# -- the help ---------------------------------------------------------------------------------------
@run_async
async def test_the_help_fits_80x24_and_scrolls_to_its_last_line(tmp_path):
    from flashdeck.tui.screens.help import KEYS, keys_content

    app = app_for(_collection(tmp_path, [card("basic", "Capital of Peru?", "Lima", 3)]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        lines = _lines(app)
        assert any("Escape or ? closes this help" in line for line in lines)
        assert lines[0].startswith("╭") and lines[-1].startswith("╰")  # the whole box
        # a wrapped description goes on under its text, not under the keys
        _, column = keys_content()
        row = next(i for i, line in enumerate(lines) if "`flashdeck unsuspend ID`" in line)
        left = lines[row].index("s   suspend") + len("s   ")
        continued = lines[row + 1]
        assert continued[left:].startswith("back)"), continued
        assert continued[:left].strip("│ ") == ""
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "calibration)." in text
        assert "Escape or ? closes this help" in text  # still there
        await pilot.press("home")
        await pilot.pause()
        text = screen_text(app)
        for key, _ in KEYS[:6]:
            assert key in text
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"


# -- the header -------------------------------------------------------------------------------------
@run_async
async def test_a_long_breadcrumb_stays_on_one_line_with_both_ends(tmp_path):
    crumbs = ("Averages", "When the arithmetic mean misleads", "Rates over equal distances",
              "The return trip")
    app = app_for(_collection(tmp_path, [card("basic", "Average speed?", "Harmonic", 3,
                                              deck="flashcards/maths/averages",
                                              breadcrumb=crumbs)]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        lines = _lines(app)
        assert lines[0].strip().startswith("flashcards/maths/averages")
        assert lines[0].rstrip().endswith("The return trip")
        assert "…" in lines[0]
        assert "1 new · 0 learning · 0 review" in lines[1]  # the next line is the counts
        assert app.screen.query_one("#crumbs").region.height == 1


# -- exercises --------------------------------------------------------------------------------------
@run_async
async def test_after_enter_the_verdict_and_the_whole_working_are_in_view(tmp_path):
    app = app_for(_collection(tmp_path, [fuel_card()]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        # the answer box's hint is wider than the box: shown whole under it
        assert ("your answer: a fraction (3/4), a decimal (0.75) or a percentage (75%)"
                in screen_text(app))
        await pilot.press(*"0.5", "enter")
        await pilot.pause()
        await pilot.pause()
        verdict = app.screen.query_one("#verdict")
        instance = app.screen.query_one("#exercise").instance
        for keys in ((), ("pagedown",)):
            await pilot.press(*keys)
            await pilot.pause()
            assert _visible(app, verdict)
            text = _card_text(app)
            assert "✗ Not quite: you gave 0.5; the answer is 20/7 ≈ 2.8571." in text
            for step in instance.steps:  # every line whole, wrapped, none cut
                assert " ".join(step.split()) in text, step
        # the working's wrapped lines hang under their first line
        lines = _lines(app)
        first = next(i for i, line in enumerate(lines) if "The plain average" in line)
        indent = len(lines[first]) - len(lines[first].lstrip())
        assert len(lines[first + 1]) - len(lines[first + 1].lstrip()) == indent + 2


@run_async
async def test_page_keys_scroll_the_card_without_tab_even_from_the_answer_box(tmp_path):
    cards = [card("basic", "What does the harmonic mean weigh?", LONG_BACK, 3), fuel_card()]
    app = app_for(_collection(tmp_path, cards))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        await pilot.pause()
        scroll = app.screen.query_one("#card")
        assert app.screen.focused is None
        assert "Paragraph 12" not in _card_text(app)
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert "Paragraph 12" in _card_text(app)
        await pilot.press("home")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("down")
        await pilot.pause()
        assert scroll.scroll_y == 1
        await pilot.press("up", "3")  # answered: the exercise comes, its box focused
        await pilot.pause()
        box = app.screen.query_one("#answer")
        assert app.screen.focused is box
        await pilot.press("1", "pagedown", "pageup", "2")
        await pilot.pause()
        assert box.value == "12"  # PageUp/PageDown scrolled, the typing went on
        await pilot.press("home")  # the box's own: the cursor to the start
        await pilot.press("3")
        await pilot.pause()
        assert box.value == "312"


@run_async
async def test_escape_leaves_the_answer_box_and_the_hint_says_so(tmp_path):
    app = app_for(_collection(tmp_path, [fuel_card()]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        hint = app.screen.query_one("#reveal-hint")
        assert "Enter  check your answer" in _lines(app)[hint.region.y + 1]
        await pilot.press("escape")
        await pilot.pause()
        assert "Space  type your answer" in _lines(app)[hint.region.y + 1]
        assert type(app.screen).__name__ == "ReviewScreen"


# -- toasts -----------------------------------------------------------------------------------------
def _toasts(app):
    return [toast for toast in app.screen.query("Toast") if toast.region.area]


TABLE_BACK = ("A table of counts:\n\n| | predicted + | predicted − |\n|---|---|---|\n"
              "| actual + | TP (hits) | FN (misses) |\n| actual − | FP (false alarms) | TN |\n\n"
              + LONG_BACK)


@run_async
async def test_toasts_cover_no_text_of_the_card_nor_the_grade_buttons(tmp_path):
    """A toast takes rows of its own between the card and the grade buttons: the card's
    table and text scroll above it. Before, toasts were drawn over the card's right half
    (the table's last column, the ends of the back's lines) for their five seconds."""
    app = app_for(_collection(tmp_path, [card("basic", "What is a confusion matrix?",
                                              TABLE_BACK, 3)]))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.press("space")
        await pilot.pause()
        for n in range(3):
            app.notify(f"Re-read {n + 1} changed notes: 3 cards added, 12 updated, 1 gone; "
                       "the review goes on meanwhile.", markup=False)
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        answers, card_panel = screen.query_one("#answers"), screen.query_one("#card")
        assert answers.display
        rack = screen.query_one("ToastRack")
        for part in (card_panel, answers, screen.query_one("#status")):
            assert not rack.region.overlaps(part.region), (rack.region, part.region)
        toasts = _toasts(app)
        assert len(toasts) == 3
        # the toasts take a quarter of the screen at most: the newest in view (its two
        # lines), right above the grade buttons
        newest = max(toasts, key=lambda toast: toast.region.y)
        assert rack.region.contains_region(newest.region)
        assert newest.region.bottom == rack.region.bottom == answers.region.y
        assert "3 changed notes" in "".join(_lines(app)[newest.region.y:newest.region.bottom])
        # the card scrolls above the toasts: page by page, every line of the back, the
        # table's last column too, is read
        seen = _card_text(app)
        for _ in range(12):
            await pilot.press("pagedown")
            await pilot.pause()
            seen += " " + _card_text(app)
        assert "FN (misses)" in seen and "predicted −" in seen
        for n in range(1, 13):
            assert f"Paragraph {n}: the harmonic mean of two rates" in seen, n


@run_async
async def test_a_toast_covers_no_line_of_the_card_info(tmp_path):
    """`s` then `i`: the suspend's toast is shown on the card info too, below its box (the
    box scrolls), not over its last lines; one copy of it, not the review screen's too."""
    cards = [card("basic", "Capital of Peru?", "Lima", 3),
             card("basic", "Capital of Chile?", "Santiago", 5)]
    app = app_for(_collection(tmp_path, cards))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.press("s", "i")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "InfoScreen"
        box = app.screen.query_one("#info-box")
        toasts = _toasts(app)
        assert toasts and all(not t.region.overlaps(box.region) for t in toasts)
        text = screen_text(app)
        assert "Escape or i closes · ↑ ↓ PgUp PgDn scroll" in text, text
        assert text.count("Suspended card") == 1
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        assert screen_text(app).count("Suspended card") == 1  # its toast back in its place


@run_async
async def test_toasts_cover_no_line_of_the_deck_list(tmp_path):
    """The deck list fits its table above the toasts while they show (it scrolls), and
    takes the room back when they go; before, they covered its last rows and the lines
    saying what is due."""
    from support.tui import laid_out

    cards = [card("basic", f"Question {n}?", "Answer", 3 + 2 * n, deck=f"flashcards/d{n:02}")
             for n in range(14)]
    app = app_for(_collection(tmp_path, cards))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await laid_out(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        table, later = app.screen.query_one("#decks"), app.screen.query_one("#later")
        tall = table.region.height
        for n in range(2):
            app.notify(f"Re-read {n + 1} changed notes: 3 cards added, 12 updated, 1 gone.",
                       markup=False, timeout=60)
        await laid_out(pilot)
        rack = app.screen.query_one("ToastRack")
        assert rack.region.height and len(_toasts(app)) == 2
        for part in (table, later):
            assert not rack.region.overlaps(part.region), (rack.region, part.region)
        assert "Today: 14 new · 0 learning · 0 review" in screen_text(app)
        assert table.region.height < tall
        for _ in range(2):  # a click on a toast closes it (as its time running out does)
            await pilot.click(_toasts(app)[0])
            await laid_out(pilot)
        assert not _toasts(app)
        assert table.region.height == tall


@run_async
async def test_the_undo_toast_keeps_off_the_answer_box(tmp_path):
    cards = [fuel_card(), card("basic", "Capital of Peru?", "Lima", 3)]
    app = app_for(_collection(tmp_path, cards))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.press(*"0.5", "enter")
        await pilot.pause()
        await pilot.press("1")  # Again: the basic card comes
        await pilot.pause()
        await pilot.press("u")  # the exercise again, its box focused, "Undid Again."
        await pilot.pause()
        await pilot.pause()
        assert "Undid Again." in screen_text(app)
        box = app.screen.query_one("#answer")
        assert app.screen.focused is box
        for toast in _toasts(app):
            assert not toast.region.overlaps(box.region), (toast.region, box.region)


# -- wrapping ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", [12, 30, 72])
def test_wrapped_lines_fit_hang_and_lose_no_word(width):
    from rich.cells import cell_len

    from flashdeck.tui.wrapping import hanging_content

    from textual.content import Content

    text = ("  Average speed = total distance / total time = 20 mi / (110/60 h) ≈ 10.9091 mph\n"
            "short\n"
            "\n"
            "日本語の説明文はここで折り返されるべきです 1/12 + 1/3\n"
            "a_very_long_identifier_that_cannot_break_anywhere_at_all = 1")
    lines = [line.plain for line in hanging_content(Content(text), width)]
    assert all(cell_len(line) <= width for line in lines), lines
    assert " ".join(" ".join(lines).split()).replace(" ", "") == text.replace(" ", "") \
        .replace("\n", "")
    assert lines[1].startswith(" " * min(4, width // 2)) and lines[1].strip()  # hangs
    assert "" in lines  # the empty line kept


def test_the_breadcrumb_ellipsis_keeps_both_ends():
    from rich.cells import cell_len

    from flashdeck.tui.wrapping import middle_ellipsis

    crumb = "flashcards/maths · Averages › When the arithmetic mean misleads › The return trip"
    assert middle_ellipsis(crumb, 200) == crumb
    for width in (76, 50, 30, 12, 5, 1):
        short = middle_ellipsis(crumb, width)
        assert cell_len(short) <= width and "…" in short
        if width >= 12:
            assert short.startswith("fla") and short.endswith("trip")


# -- blocks wider than the panel ------------------------------------------------------------------
WIDE_CODE = ("```python\n"
             "dice = 2 * (prediction & target).sum() / (prediction.sum() + target.sum() + eps)"
             "  # the smoothing term keeps empty masks at 1\n```")


@run_async
async def test_a_code_block_wider_than_the_panel_scrolls_sideways_and_shows_it(tmp_path):
    app = app_for(_collection(tmp_path, [card("basic", "Dice loss in PyTorch?", WIDE_CODE, 9)]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        await pilot.pause()
        fence = app.screen.query_one("#back").query_one("MarkdownFence")
        assert fence.max_scroll_x > 0  # wider than the panel
        assert fence.show_horizontal_scrollbar  # the sign that there is more
        assert "keeps empty masks at 1" not in _card_text(app)
        for _ in range(10):
            await pilot.press("right")
        await pilot.pause()
        assert fence.scroll_x == fence.max_scroll_x  # Right reaches the end of the line
        assert "keeps empty mas" in _card_text(app)
        await pilot.press("left")
        await pilot.pause()
        assert fence.scroll_x < fence.max_scroll_x


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
@run_async
async def test_toasts_cover_no_line_of_the_summary(tmp_path, size):
    """The summary's box ends above the toasts, its closing border drawn, and what does
    not fit scrolls in it. Before, at 80×24 with two toasts, the box went on under them:
    its last lines, its keys and its closing border were hidden."""
    from support.tui import laid_out

    cards = [card("basic", "Capital of Peru?", "Lima", 3),
             card("basic", "Capital of Chile?", "Santiago", 5)]
    app = app_for(_collection(tmp_path, cards))
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.press("space", "4")
        await laid_out(pilot)
        for n in range(2 if size == (80, 24) else 1):
            app.notify(f"Re-read {n + 1} changed notes: 3 cards added, 12 updated, 1 gone.",
                       markup=False, timeout=60)
        await pilot.press("space", "4")
        await laid_out(pilot)
        assert type(app.screen).__name__ == "SummaryScreen"
        box = app.screen.query_one("#summary-box")
        toasts = _toasts(app)
        assert toasts and all(not t.region.overlaps(box.region) for t in toasts)
        lines = _lines(app)
        assert lines[box.region.y].lstrip().startswith("╭")
        assert lines[box.region.bottom - 1].lstrip().startswith("╰"), "\n".join(lines)
        assert "Done for now" in lines[box.region.y + 1 + (size == (80, 24))]
        seen = " ".join(lines[box.region.y:box.region.bottom])
        for _ in range(12):  # the lines that do not fit: scrolled to with the arrows
            await pilot.press("down")
            await laid_out(pilot)
            seen += " " + " ".join(_lines(app)[box.region.y:box.region.bottom])
        for label in ("Cards reviewed", "Hard · Good · Easy", "Still due today", "Tomorrow"):
            assert label in seen, seen


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("keys, last, closing", [
    (("i",), "No reviews yet.", "Escape or i closes"),
    (("question_mark", "end"), "calibration).", "Escape or ? closes")])
@run_async
async def test_one_blank_line_before_the_closing_line_of_a_box(tmp_path, size, keys, last,
                                                               closing):
    """The card info and the keys: one blank line between the box's last line and its
    closing line, as between its other parts. There were two: Textual gives a box of
    auto height with a stable scrollbar gutter a row for a horizontal scrollbar too."""
    from support.tui import laid_out

    app = app_for(_collection(tmp_path, [card("basic", "Capital of Peru?", "Lima", 3)]))
    async with app.run_test(size=size) as pilot:
        await laid_out(pilot)
        await pilot.press(*keys)
        await laid_out(pilot)
        lines = _lines(app)
    row = next(i for i, line in enumerate(lines) if closing in line)
    assert last in lines[row - 2], "\n".join(lines)
    assert lines[row - 1].strip(" │") == "", "\n".join(lines)


@run_async
async def test_a_toast_shows_whole_in_a_small_pane(tmp_path):
    """At 40×12 a toast of three lines showed its last two only: a quarter of the screen
    is two rows, and the rack keeps its end in view. Below 16 rows it may take 40%: the
    toast is read from its start, and the card keeps its rows above it."""
    from support.tui import laid_out

    app = app_for(_collection(tmp_path, [card("basic", "Capital of Peru?", "Lima", 3)]))
    async with app.run_test(size=(40, 12), notifications=True) as pilot:
        await laid_out(pilot)
        app.notify("Imported the demo deck: 58 cards from 6 notes. `flashdeck import NOTES` "
                   "starts your own collection.", markup=False, timeout=60)
        await laid_out(pilot)
        text = " ".join(" ".join(line.strip(" ▌") for line in _lines(app)).split())
        assert "Imported the demo deck: 58 cards from 6 notes." in text, text
        assert "starts your own collection." in text, text
        card_view = app.screen.query_one("#card").region
        assert card_view.height >= 2 and "Capital of Peru?" in _card_text(app)
        assert not app.screen.query_one("ToastRack").region.overlaps(card_view)
