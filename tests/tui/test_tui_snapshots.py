"""SVG snapshots of every screen at the two supported sizes, 80×24 and 120×40
(pytest-textual-snapshot): fixed clock, time zone, timer and exercise numbers.

Update after a deliberate change with `--snapshot-update`, then look at the SVGs: nothing
may be clipped at the right edge, at either size.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.tui import (NOW_ISO, app_for, card, fuel_card, laid_out, make_collection,
                         sibling_cards, standard_cards)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TZ", "UTC")  # the info screen and the summary print local times
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def app(tmp_path: Path):
    return app_for(make_collection(tmp_path / "c.sqlite"))


def _only(tmp_path: Path, kind: str):
    cards = [c for c in standard_cards() if c.kind == kind]
    return app_for(make_collection(tmp_path / "c.sqlite", cards))


async def _settled(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    # a screen's Footer fills in its keys a refresh after the screen shows, and they are
    # drawn after one more: later, on a busy machine, than one pause (the snapshot then
    # lacked the keys line under load)
    for _ in range(250):
        footers = pilot.app.screen.query("Footer")
        keys = footers.first().query("FooterKey") if footers else None
        if not footers or (keys and keys.first().region.width > 0):
            break
        await pilot.pause(0.02)
    else:
        # 5 s with an empty key bar is no slow machine: say so, not as a picture mismatch
        raise AssertionError(f"{type(pilot.app.screen).__name__}'s key bar drew no keys")
    await pilot.pause()
    await _laid_out(pilot)


async def _laid_out(pilot) -> None:
    """`laid_out` (under load, CI shot the 80×24 home screen half way through its chain)."""
    await laid_out(pilot)
    # and then still: two screenshots 0.1 s apart the same (whatever else a busy machine
    # may leave half drawn)
    last = None
    for _ in range(30):
        shot = pilot.app.export_screenshot()
        if shot == last:
            break
        last = shot
        await pilot.pause(0.1)


def _pressing(*keys: str, first=None):
    """A snapshot's `run_before`: the keys, then a wait until the screen has settled
    (snap_compare's own `press=` shoots right after the last key)."""
    async def run(pilot) -> None:
        if first is not None:
            await first(pilot)
        await pilot.press(*keys)
        await _settled(pilot)

    return run


async def _to_home(pilot):
    await pilot.press("escape")
    # Escape waits for the first card to be shown (later on a busy machine)
    from flashdeck.tui.screens.home import HomeScreen

    for _ in range(200):
        if isinstance(pilot.app.screen, HomeScreen):
            break
        await pilot.pause(0.02)
    await _settled(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_home_screen(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=_to_home)


@pytest.mark.parametrize("size", SIZES)
def test_home_screen_with_siblings_held_back(tmp_path, snap_compare, size):
    """`Held back: 3 new for another day (siblings of today's cards)` under the table."""
    app = app_for(make_collection(tmp_path / "c.sqlite", sibling_cards()))
    assert snap_compare(app, terminal_size=size, run_before=_to_home)


@pytest.mark.parametrize("size", SIZES)
def test_question(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_revealed_answer_with_previews(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=_pressing("space"))


@pytest.mark.parametrize("size", SIZES)
def test_cloze_revealed(tmp_path, snap_compare, size):
    assert snap_compare(_only(tmp_path, "cloze"), terminal_size=size,
                        run_before=_pressing("space"))


@pytest.mark.parametrize("size", SIZES)
def test_formula_revealed(tmp_path, snap_compare, size):
    assert snap_compare(_only(tmp_path, "formula"), terminal_size=size,
                        run_before=_pressing("space"))


# A chain wider than 80 columns: it breaks at its `=` there, one row at 120 columns.
TVERSKY_CHAIN = (r"$$T_{\alpha,\beta} = \frac{|A \cap B|}{|A \cap B| + \alpha |A \setminus B|"
                 r" + \beta |B \setminus A|} = \frac{TP}{TP + \alpha FP + \beta FN}"
                 r" = \frac{1}{1 + \frac{\alpha FP + \beta FN}{TP}}$$")


# A column of short Japanese terms beside one of sentences: the terms and their header
# whole (`card_table._narrow_columns`), the sentences wrapped beside them.
GLOSSARY = ("| 評価指標 | 説明 |\n|---|---|\n"
            "| 適合率 | 陽性と判定したもののうち、本当に陽性だったものの割合。誤検出が少ないほど"
            "高い。 |\n"
            "| 再現率 | 本当に陽性のもののうち、陽性と判定できたものの割合。見逃しが少ないほど"
            "高い。 |")


@pytest.mark.parametrize("size", SIZES)
def test_japanese_glossary_table_revealed(tmp_path, snap_compare, size):
    cards = [card("question", "分類の評価指標は？", GLOSSARY, 3, deck="flashcards/ja")]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    assert snap_compare(app, terminal_size=size, run_before=_pressing("space"))


@pytest.mark.parametrize("size", SIZES)
def test_wide_formula_revealed(tmp_path, snap_compare, size):
    cards = [card("formula", "Tversky Index: $T_{\\alpha,\\beta}$ = ?", TVERSKY_CHAIN, 22,
                  breadcrumb=("Tversky Index",))]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    assert snap_compare(app, terminal_size=size, run_before=_pressing("space"))


async def _steady_cursor(pilot) -> None:
    """The answer box (it comes a frame after the card) with its cursor held on: it blinks
    every 0.5 s, and on a busy machine the snapshot was taken after a blink had hidden it."""
    from textual.widgets import Input

    for _ in range(200):
        boxes = pilot.app.screen.query(Input)
        if boxes:
            break
        await pilot.pause(0.02)
    for box in boxes:
        box.cursor_blink = False  # Textual then shows the cursor, steady
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_exercise_question(tmp_path, snap_compare, size):
    app = app_for(make_collection(tmp_path / "c.sqlite", [fuel_card()]))
    assert snap_compare(app, terminal_size=size, run_before=_steady_cursor)


@pytest.mark.parametrize("size", SIZES)
def test_exercise_graded(tmp_path, snap_compare, size):
    """Answered 0.5: the verdict and the working in view, the long lines wrapped."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [fuel_card()]))
    assert snap_compare(app, terminal_size=size,
                        run_before=_pressing(*"0.5", "enter", first=_steady_cursor))


@pytest.mark.parametrize("size", SIZES)
def test_exercise_with_a_grid_graded(tmp_path, snap_compare, size):
    from flashdeck.exercises import builtin_template

    template = builtin_template("mask-grid")
    cards = [card("exercise", template.title, template.source, 5, exercise="mask-grid")]
    app = app_for(make_collection(tmp_path / "c.sqlite", cards))
    assert snap_compare(app, terminal_size=size,
                        run_before=_pressing(*"1/2", "enter", first=_steady_cursor))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=_pressing("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen_scrolled_to_the_end(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=_pressing("question_mark", "end"))


@pytest.mark.parametrize("size", SIZES)
def test_info_screen(tmp_path, cli, monkeypatch, snap_compare, size):
    """`i` on a card answered twice three days ago: its memory and its history."""
    # a fixed note path (the screen shows it): long enough to wrap at 80 columns
    path = make_collection(tmp_path / "c.sqlite", note_path=Path(
        "/home/reader/notes/machine-learning/evaluation/metrics/F1 Score.md"))
    for moment in ("2026-11-21T08:00:00+00:00", "2026-11-21T08:20:00+00:00"):
        monkeypatch.setenv("FLASHDECK_NOW", moment)
        assert cli("--collection", path, "answer", "1", "good").code == 0
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    assert snap_compare(app_for(path), terminal_size=size, run_before=_pressing("i"))


@pytest.mark.parametrize("size", SIZES)
def test_summary(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size,
                        run_before=_pressing("space", "1", "space", "3", "q"))


# -- images embedded in the note (half-blocks: the same SVG on every terminal) --------------
IMAGE_BACK = ("It hugs the top right corner: precision stays high as recall grows.\n\n"
              "![[pr-curve.png]]\n\nA poor classifier's curve falls towards the diagonal.")
MISSING_IMAGE_BACK = ("The matrix from the lecture:\n\n![[confusion-matrix.png]]\n\n"
                      "Rows are the truth, columns the prediction.")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("back", [pytest.param(IMAGE_BACK, id="image"),
                                  pytest.param(MISSING_IMAGE_BACK, id="missing")])
def test_image_revealed(tmp_path, monkeypatch, snap_compare, size, back):
    from support.images import vault_with

    from flashdeck.notes.embeds import VaultIndex

    monkeypatch.setenv("FLASHDECK_IMAGES", "halfblocks")
    VaultIndex.forget()
    _vault, path = vault_with(tmp_path, back)

    async def reveal(pilot):
        await pilot.press("space")
        await _settled(pilot)
        await pilot.pause()

    assert snap_compare(app_for(path), terminal_size=size, run_before=reveal)
