"""The first screen: the review screen is the app's first screen (no empty one under it),
keys pressed before it has shown its first card wait for it (never lost, in order), it can
be left for the summary and the deck list like any screen, and what `review` pauses while
starting (the garbage collector) resumes once the first screen is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.tui import NOW_ISO, SIZE, app_for, card, fuel_card, laid_out, make_collection, \
    reviews, run_async, screen_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FRONTS = ["Which river runs through Lyon?", "Which river runs through Basel?",
          "Which river runs through Porto?"]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def rivers(tmp_path: Path) -> Path:
    return make_collection(tmp_path / "c.sqlite", [
        card("basic", front, f"The answer to {front!r}", 10 * (i + 1), deck="flashcards/geo")
        for i, front in enumerate(FRONTS)])


@run_async
async def test_the_review_screen_is_the_only_screen_at_start(rivers):
    app = app_for(rivers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack] == ["ReviewScreen"]
        assert FRONTS[0] in screen_text(app)


@run_async
async def test_keys_pressed_at_once_wait_for_the_first_card_and_keep_their_order(rivers):
    app = app_for(rivers)
    seen: list[str] = []

    async def keys_at_once(pilot) -> None:
        # the auto-pilot starts as soon as the app is ready: before the first screen has
        # necessarily shown its card (as keys typed while `review` starts)
        await pilot.press("u", "space", "3", "space")
        await pilot.pause()
        seen.append(screen_text(app))
        app.exit()

    await app.run_async(headless=True, size=SIZE, auto_pilot=keys_at_once)
    assert FRONTS[1] in seen[0]  # the first card answered Good, the second revealed
    assert "The answer to 'Which river runs through Basel?'" in seen[0]
    assert len(reviews(rivers)) == 1
    assert app.crash is None


@run_async
async def test_the_first_screen_is_left_for_the_summary_then_the_deck_list(rivers):
    app = app_for(rivers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "3", "q")
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack] == ["SummaryScreen"]
        assert "Cards reviewed       1" in screen_text(app)
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack] == ["HomeScreen"]
        assert "flashcards/geo" in screen_text(app) or "geo" in screen_text(app)
    assert app.crash is None


@run_async
async def test_escape_from_the_first_screen_opens_the_deck_list(rivers):
    app = app_for(rivers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack] == ["HomeScreen"]
    assert app.crash is None


@run_async
async def test_the_deck_list_left_to_has_its_key_bar_while_the_review_screen_goes(rivers):
    """Escape while the review screen still had work waiting for its next refresh (the card
    drawn again for a new width): that work came round on the deck list, with the deck
    list's own, while Textual was removing the review screen's widgets. It failed to find
    them, and the deck list's work after it never ran: the deck list came up with an empty
    key bar (a CI snapshot under load, about once in a hundred). Here the refresh work is
    made to wait and the widgets to go at the moment Textual would take them."""
    app = app_for(rivers)
    async with app.run_test(size=SIZE) as pilot:
        await laid_out(pilot)
        review = app.screen
        review._math_width = -1  # a new width: the card is to be drawn again
        await review.on_resize(None)
        app.show_home()
        review.query_one("#card").remove()  # as Textual removes the screen's widgets
        for _ in range(100):
            keys = app.screen.query("FooterKey")
            if keys and keys.first().region.width:
                break
            await pilot.pause(0.02)
        assert type(app.screen).__name__ == "HomeScreen"
        assert "Review all" in screen_text(app) and "Quit" in screen_text(app)
    assert app.crash is None


@run_async
async def test_what_waits_for_the_first_screen_runs_once_it_is_drawn(rivers):
    app = app_for(rivers)
    ran: list[str] = []
    app.when_started(lambda: ran.append("started"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert ran == ["started"]
        app.when_started(lambda: ran.append("later"))  # after the start: at once
        assert ran == ["started", "later"]


@run_async
async def test_the_first_frame_parses_no_rule_of_the_answer_which_comes_before_it_is_built(
        rivers, monkeypatch):
    """Issue 23: the rules of the answer's parts and of an exercise's panel (answer.tcss)
    are not parsed before the first card is drawn; they are there, and style those parts,
    once they are built (the rule's margin, the grade buttons' bar, the exercise's gap)."""
    from flashdeck.tui.app import FlashdeckApp

    answer_rules = str(Path(__file__).resolve().parents[2] / "flashdeck" / "tui" /
                       "answer.tcss")
    answer_selectors = ("AnswerBar", "#divider", "#back", "#exercise", "FooterKey",
                        "Markdown")
    at_first_frame: list[list[str]] = []
    waiting = FlashdeckApp.after_first_frame

    def noted(app, screen, callback):  # the review screen has shown its first card
        at_first_frame.append([rule.selectors for rule in app.stylesheet.rules
                               if any(name in rule.selectors for name in answer_selectors)])
        waiting(app, screen, callback)

    monkeypatch.setattr(FlashdeckApp, "after_first_frame", noted)
    app = app_for(rivers)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await laid_out(pilot)
        assert at_first_frame == [[]]
        assert answer_rules in [path for path, _ in app.stylesheet.source]
        divider = app.screen.query_one("#divider")
        assert (divider.styles.margin.top, divider.styles.margin.bottom) == (1, 1)
        assert app.screen.query_one("#answers").outer_size.height == 3
    assert app.crash is None

    with_exercise = make_collection(rivers.with_name("x.sqlite"), [fuel_card()])
    app = app_for(with_exercise)
    async with app.run_test(size=SIZE) as pilot:
        await laid_out(pilot)
        panel = app.screen.query_one("#exercise")
        assert panel.styles.margin.top == 1 and panel.region.height > 0
    assert app.crash is None


@run_async
async def test_the_key_bars_rules_style_every_key_bar_though_the_first_card_waits_for_none(
        rivers, tmp_path):
    """The key bars' rules (footer.tcss: keys closed up below 80 columns, no palette key on
    the review screen) are not parsed for the first card, and are there for every key bar:
    the review screen's (built a frame later), the summary's after it, the deck list's as
    the app's first screen."""
    narrow = (70, 24)

    def closed_up(app) -> bool:
        keys = list(app.screen.query("FooterKey"))
        return bool(keys) and all(key.styles.margin.right == 1 for key in keys)

    app = app_for(rivers)
    async with app.run_test(size=narrow) as pilot:
        await laid_out(pilot)
        assert closed_up(app)
        palette = [key for key in app.screen.query("FooterKey")
                   if key.has_class("-command-palette")]
        assert palette and not any(key.display for key in palette)
        await pilot.press("q")
        await laid_out(pilot)
        assert type(app.screen).__name__ == "SummaryScreen" and closed_up(app)
    assert app.crash is None

    app = app_for(make_collection(tmp_path / "empty.sqlite", []))
    async with app.run_test(size=narrow) as pilot:
        await laid_out(pilot)
        assert type(app.screen).__name__ == "HomeScreen" and closed_up(app)
    assert app.crash is None


@run_async
async def test_a_markdown_card_side_is_styled_by_its_rules_added_when_it_is_built(tmp_path):
    """The rules of a card side the Markdown widget draws (markdown.tcss) are added before
    the first such side is built, even for the first card: no padding of its own."""
    path = make_collection(tmp_path / "m.sqlite", [
        card("basic", "Rivers of Lyon:\n\n- the first\n- the second", "Rhône, Saône", 10,
             deck="flashcards/geo")])
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await laid_out(pilot)
        markdown = app.screen.query_one("#front").query_one("Markdown")
        assert markdown.display and "the second" in screen_text(app)
        assert (markdown.styles.padding.left, markdown.styles.padding.right) == (0, 0)
    assert app.crash is None


@run_async
async def test_the_first_card_like_every_other_leaves_the_focus_to_the_screens_keys(rivers):
    """Nothing is focused on the first card, as on the later ones and after the help: the
    arrows are the screen's (the card panel's own focus took them on the first card only,
    and restyling it cost the first frame)."""
    app = app_for(rivers)
    async with app.run_test(size=SIZE) as pilot:
        await laid_out(pilot)
        assert app.screen.focused is None
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await laid_out(pilot)
        assert type(app.screen).__name__ == "ReviewScreen" and app.screen.focused is None
        await pilot.press("space", "3")
        await laid_out(pilot)
        assert FRONTS[1] in screen_text(app) and app.screen.focused is None
    assert app.crash is None


@run_async
async def test_the_first_card_is_not_restyled_on_its_first_showing(rivers, monkeypatch):
    """Issue 23: the review screen, first shown, is not restyled whole on its resume
    (Textual restyles a resuming screen, for one coming back whose rules may have changed):
    its widgets were styled as they were mounted. Restyled afterwards, none of them changes.
    Other screens are restyled on their first showing, as Textual does it."""
    from textual.app import App
    from textual.screen import Screen

    restyled: list[str] = []
    resuming: list[bool] = []
    update = App.update_styles
    resume = Screen._on_screen_resume

    def noted(app, node, animate=True):
        if resuming:
            restyled.append(type(node).__name__)
        update(app, node, animate)

    def resumed(screen, event):
        resuming.append(True)
        try:
            return resume(screen, event)
        finally:
            resuming.pop()

    monkeypatch.setattr(App, "update_styles", noted)
    monkeypatch.setattr(Screen, "_on_screen_resume", resumed)
    app = app_for(rivers)
    async with app.run_test(size=SIZE) as pilot:
        await laid_out(pilot)
        assert restyled == [] and FRONTS[0] in screen_text(app)
        nodes = list(app.screen.walk_children(with_self=True))
        before = [dict(node._css_styles.get_rules()) for node in nodes]
        app.update_styles(app.screen)
        assert [dict(node._css_styles.get_rules()) for node in nodes] == before
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await laid_out(pilot)
        assert restyled == ["HelpScreen"]  # other screens as Textual does it
    assert app.crash is None


def test_review_resumes_the_garbage_collector_when_it_ends(rivers, monkeypatch):
    """`review` pauses the collector while it starts; however it ends (here: no terminal),
    the collector runs again afterwards."""
    import gc

    from flashdeck.cli import main

    assert gc.isenabled()
    code = main(["--collection", str(rivers), "review"])
    assert code == 2  # not a terminal
    assert gc.isenabled()


def test_the_first_card_loads_no_module_and_compiles_no_pattern_it_does_not_need(rivers):
    """Issue 23 (first card on screen): what only other cards or other commands need is
    neither imported (glob: set-aside logs and backups; the hanging-indent widget of the
    working, the help and card info) nor compiled (cardtext's patterns of
    footnotes, HTML, tables, nested lists; the formula working's number and name patterns;
    the settings file's patterns, with no settings file; the sanitizer's, for printable
    text) by the time the first card is on
    screen. Run in a fresh interpreter: other tests load them."""
    import json
    import os
    import subprocess
    import sys

    lazy = ["_FOOTNOTE", "_INLINE_FOOTNOTE", "_HTML_TAG", "_HTML_ATTR", "_QUOTE_PREFIX",
            "_TABLE_DELIMITER_CELL", "_TABLE_QUOTE", "_CELL_MARKUP", "_CELL_MARKUP_START",
            "_NESTED_LINE"]
    code = f"""
import asyncio, json, re, sys
from flashdeck.tui.app import build_app

async def main():
    app = build_app({str(rivers)!r}, rescan=False, bundled=False)
    seen = []
    def started():
        from flashdeck import cardtext, textsafe
        from flashdeck.scheduling import config
        from flashdeck.tui import wrapping
        seen.append(["glob"] * ("glob" in sys.modules) + [
            m for m in ("flashdeck.tui.hanging",) if m in sys.modules] + ["sanitize"] * (
            textsafe._UNSAFE is not None) + [
            n for n in {lazy!r} if isinstance(getattr(cardtext, n), re.Pattern)
            or getattr(cardtext, n)._compiled is not None] + [
            n for n in ("_NUMBER", "_SHORT_NAME") if isinstance(getattr(wrapping, n), re.Pattern)
            or getattr(wrapping, n)._compiled is not None] + [
            n for n in ("_STEP", "_KEY_LINE", "_HEADER")
            if isinstance(getattr(config, n), re.Pattern)])
    app.when_started(started)
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(200):  # bounded: the first screen is drawn within a few frames
            if seen:
                break
            await pilot.pause(0.01)
        shown = getattr(app.screen.card, "front", None)
    print(json.dumps([seen, shown]))

asyncio.run(main())
"""
    root = Path(__file__).resolve().parent.parent.parent
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(root),
                               "FLASHDECK_CONFIG": str(rivers.with_name("none.toml"))})
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [[[]], FRONTS[0]]
