"""The review screen at 80, 60 and 40 columns, read off the screen as the user sees it: an
exercise's working breaks between its steps, never between a sign and its number."""

from __future__ import annotations

import re

import pytest

from support.tui import (NOW_ISO, app_for, card, card_rows as _card_rows, laid_out,
                         make_collection, reviews, run_async, screen_text)

SIGNS = ("=", "≈", "+", "−", "/", "·", "≤", "≥")

DETECTOR_F1 = """\
id: detector-f1
title: F1 of the pedestrian detector
topics: [F1 Score]
vars:
  TP: 278..278
  FP: 33..33
  FN: 94..94
prompt: |
  The detector finds TP = {TP} pedestrians, raises FP = {FP} false alarms and misses FN = {FN}.
  What is its F1 score?
answer: 2*TP / (2*TP + FP + FN)
steps: |
  F1 = 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall
  F1 = 2·{TP} / (2·{TP} + {FP} + {FN}) = {2*TP / (2*TP + FP + FN):work}
  Precision = TP / (TP + FP) = {TP} / ({TP} + {FP}) = {TP / (TP + FP):work} and recall = TP / (TP + FN) = {TP} / ({TP} + {FN}) = {TP / (TP + FN):work}
"""


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


async def _working_on_screen(app, pilot) -> list[str]:
    """The rows of the working, scrolled through from the answer line to the end."""
    seen: list[str] = []
    await laid_out(pilot)
    for _ in range(40):  # bounded: a page at a time
        for row in _card_rows(app):
            if row.strip() and (not seen or row not in seen[-30:]):
                seen.append(row)
        scroll = app.screen.query_one("#card")
        if scroll.scroll_y >= scroll.max_scroll_y:
            break
        await pilot.press("pagedown")
        await laid_out(pilot)
    start = next(i for i, row in enumerate(seen) if "Answer:" in row)
    return [row for row in seen[start + 1:] if row.strip()]


@pytest.mark.parametrize("columns", [80, 60, 40])
@run_async
async def test_the_working_breaks_between_its_steps(tmp_path, columns):
    """At 80 and 60 columns the working broke at any space: `F1 = 2 / (1/P +` over `1/R)`,
    `≈` at the end of a line and `0.3467` on the next. Now a line breaks before a step's
    `=`/`≈` (or, pressed for room, before an operator), the continuation indented; no
    line of the working ends with a sign, and every result reads whole with its sign."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("exercise", "F1 of the pedestrian detector", DETECTOR_F1, 5,
             exercise="detector-f1")]))
    async with app.run_test(size=(columns, 24 if columns > 40 else 16)) as pilot:
        await laid_out(pilot)
        await pilot.press(*"0.5", "enter")
        working = await _working_on_screen(app, pilot)
    text = "\n".join(working)
    for row in working:
        assert not row.rstrip().endswith(SIGNS), text  # a sign always with what it applies to
    assert re.search(r"≈ 0\.8141$", text, re.M), text  # 556/683 ≈ 0.8141, never `≈` | `0.8141`
    for result in ("= 556/683", "≈ 0.8939", "= 278/372", "= 139/186", "≈ 0.7473"):
        assert any(result in row for row in working), text
    steps = [row for row in working if row.lstrip().startswith("F1 = 2·278")]
    assert steps, text
    # the worked line's continuations hang under its first `=` (a step) or further right
    first = working.index(steps[0])
    column = steps[0].index("=")
    for row in working[first + 1:]:
        if row.lstrip().startswith("Precision"):
            break
        assert len(row) - len(row.lstrip()) >= column, text
    if columns <= 60:  # broken: before a step, its `=` under the first one
        assert any(row.lstrip().startswith(("= ", "≈ ")) and row.index(row.lstrip()[0]) == column
                   for row in working[first + 1:first + 4]), text


@pytest.mark.parametrize("columns", [60, 52])
@run_async
async def test_the_verdict_keeps_its_result_whole(tmp_path, columns):
    """`the answer is 556/683 ≈` ended one line of the verdict and `0.8141.` began the next
    at 60 columns: the result moves to the next line whole."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("exercise", "F1 of the pedestrian detector", DETECTOR_F1, 5,
             exercise="detector-f1")]))
    async with app.run_test(size=(columns, 24)) as pilot:
        await laid_out(pilot)
        await pilot.press(*"0.5", "enter")
        await laid_out(pilot)
        rows = _card_rows(app)
    start = next(i for i, row in enumerate(rows) if "Not quite" in row)
    verdict = rows[start:rows.index("", start)]
    assert any("556/683 ≈ 0.8141." in row for row in verdict), "\n".join(rows)


def _pieces(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("width", [1, 7, 20, 33, 50, 68, 112])
def test_working_rows_fit_and_lose_nothing_for_every_builtin(width):
    """Every built-in exercise's working, at every width: each screen line fits, no word
    is lost or changed, and no line but a cut one ends with a sign while a place to break
    was there."""
    from rich.cells import cell_len

    from flashdeck.exercises import builtin_templates, instantiate
    from flashdeck.tui.wrapping import working_rows

    for template in builtin_templates():
        for seed in (1, 7):
            text = "\n".join(instantiate(template, seed).steps)
            rows = working_rows(text, width)
            shown = [(indent, text[start:end]) for indent, start, end in rows]
            assert all(indent + cell_len(piece) <= max(width, 1) or not indent
                       and cell_len(piece) <= max(width, 2) for indent, piece in shown), shown
            assert "".join(piece for _, piece in shown).replace(" ", "") == \
                text.replace(" ", "").replace("\n", "")
            if width >= 33:
                assert not any(piece.endswith((" =", " ≈")) for _, piece in shown), shown


def test_working_rows_are_bounded_on_any_text():
    """A 300-character number, a line of only signs, wide characters: every line fits and
    each screen line takes at least one character (no loop without progress)."""
    from hypothesis import given, settings, strategies as st
    from rich.cells import cell_len

    from flashdeck.tui.wrapping import working_rows

    alphabet = st.sampled_from(list("ab1.0 =≈+/·()[],:;") + ["日", "😀", "\n"])

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet, max_size=400), st.integers(1, 90))
    def check(text, width):
        rows = working_rows(text, width)
        assert len(rows) <= len(text) + text.count("\n") + 1
        for indent, start, end in rows:
            assert indent + cell_len(text[start:end]) <= width or end - start == 1
        assert "".join(text[s:e] for _, s, e in rows).replace(" ", "") == \
            text.replace(" ", "").replace("\n", "")

    check()
    number = "9" * 300
    rows = working_rows(f"x = {number} ≈ 1", 40)
    assert all(e - s <= 40 for _, s, e in rows)


METRICS_TABLE = r"""The three overlap metrics side by side:

| Metric | Formula | Range | Note |
|---|---|---|---|
| Precision | $\frac{TP}{TP + FP}$ | 0–1 | of the predicted positives, how many are right |
| Recall | $\frac{TP}{TP + FN}$ | 0–1 | of the real positives, how many were found |
| IoU | $\frac{|A \cap B|}{|A \cup B|}$ | 0–1 | intersection over union, also Jaccard |
"""


async def _table_rows(tmp_path, back: str, size: tuple[int, int]) -> list[list[list[str]]]:
    """The answer's table as drawn: each row, each cell's screen lines."""
    from flashdeck.tui.card_table import CardTable

    app = app_for(make_collection(tmp_path / f"c{size[0]}.sqlite", [
        card("question", "How do the overlap metrics compare?", back, 3)]))
    async with app.run_test(size=size) as pilot:
        await laid_out(pilot)
        await pilot.press("space")
        await laid_out(pilot)
        (table,) = app.screen.query(CardTable)
        panel = app.screen.query_one("#card")
        panel.scroll_to_widget(table, animate=False, top=True, immediate=True)
        await laid_out(pilot)
        assert table.region.height <= panel.content_region.height, "the table in view"
        lines = screen_text(app).split("\n")[table.region.y:table.region.bottom]
        lines = [line[table.region.x:table.region.right] for line in lines]
    rows: list[list[list[str]]] = []
    for line in lines:
        if not line.startswith("│"):
            rows.append([])
            continue
        parts = [part.strip() for part in line.strip().strip("│").split("│")]
        if not rows[-1]:
            rows[-1] = [[] for _ in parts]
        for cell, part in zip(rows[-1], parts):
            if part:
                cell.append(part)
    return [row for row in rows if row]


@run_async
async def test_a_formula_in_a_table_cell_is_not_broken_at_its_spaces(tmp_path):
    """`|A ∩ B|/|A ∪ B|` in a table cell was drawn `|A ∩ B|/|A ∪` over `B|` at 80 columns:
    the cell wrapped at the formula's spaces while the next column had room to give.
    Now the formula counts as one word: at 80 columns each reads on one line; at 60,
    where it must break, it breaks before an operator (`TP/(TP` over `+ FP)`)."""
    rows = await _table_rows(tmp_path, METRICS_TABLE, (80, 30))
    formulas = {row[0][0]: row[1] for row in rows[1:]}
    assert formulas == {"Precision": ["TP/(TP + FP)"], "Recall": ["TP/(TP + FN)"],
                        "IoU": ["|A ∩ B|/|A ∪ B|"]}, rows
    rows = await _table_rows(tmp_path, METRICS_TABLE, (60, 34))
    for row, other in zip(rows[1:3], ("FP", "FN")):
        assert row[1] == ["TP/(TP", f"+ {other})"], rows  # broken before the `+`
    assert {row[0][0]: "".join(row[1]).replace(" ", "") for row in rows[1:]} == {
        "Precision": "TP/(TP+FP)", "Recall": "TP/(TP+FN)", "IoU": "|A∩B|/|A∪B|"}


def _confusion(classes: int, columns: int) -> str:
    head = "| true \\ pred | " + " | ".join(f"class {j}" for j in range(1, columns)) + " |"
    lines = [head, "|---" * columns + "|"]
    for i in range(classes):
        lines.append(f"| class {i} | " + " | ".join(str((i * 41 + j * 7) % 1000)
                                                     for j in range(1, columns)) + " |")
    return "\n".join(lines)


@run_async
async def test_a_window_dragged_draws_the_answer_once_it_stops(tmp_path, monkeypatch):
    """A window dragged narrower and wider sends a resize for every step, and each drew
    the whole answer again for the new width: with a 1,000-row × 30-column table several
    seconds a step on a busy machine, and the screen answered no key for minutes (seen as
    a freeze on revealing a big table). Now the answer is drawn again once the resizes
    stop coming: during a drag (a resize every 0.1 s) it is not drawn at all, after it
    once, and the grade pressed then grades it."""
    import asyncio

    from textual.events import Resize
    from textual.geometry import Size

    from flashdeck.tui import card_table
    from flashdeck.tui.screens import review

    drawn: list[str] = []
    update = card_table.TableReader.update

    def counting(self, markdown):
        drawn.append(markdown)
        return update(self, markdown)

    monkeypatch.setattr(card_table.TableReader, "update", counting)
    # the drag's resizes 0.1 s apart, each putting the drawing off by a minute: a busy
    # machine's pauses (a second and more in a full test run beside others) do not end
    # the drag early; the last one's by a fifth of a second
    monkeypatch.setattr(review, "REFIT_DELAY", 60.0)
    # a chain too wide for 60 columns, not for 80: drawn broken at its `=` at 60
    formula = (r"$$\text{F1} = \frac{2 \cdot 278}{2 \cdot 278 + 33 + 94} = "
               r"\frac{556}{683} = 0.8140556368960469 \approx 0.8141$$")
    path = make_collection(tmp_path / "c.sqlite", [
        card("question", "What is the F1 of the pedestrian detector?",
             "From its counts:\n\n" + formula + "\n\n" + _confusion(40, 12), 3),
        card("basic", "Is Dice the same as F1?", "Yes, on binary masks.", 9)])
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await laid_out(pilot)
        await pilot.press("space")
        await laid_out(pilot)
        before = len(drawn)
        for step in range(13):  # 60 and 80 columns in turn, 60 last: the answer differs
            if step == 12:
                during = len(drawn) - before
                monkeypatch.setattr(review, "REFIT_DELAY", 0.2)
            size = Size(60 if step % 2 == 0 else 80, 24)
            app._driver._size = size  # as Pilot.resize_terminal, without its wait for idle
            app.post_message(Resize(size, size))
            await asyncio.sleep(0.1)
        await laid_out(pilot)
        after = len(drawn) - before
        text = screen_text(app)
        await pilot.press("3")
        await laid_out(pilot)
        assert "Is Dice the same as F1?" in screen_text(app)
    assert during == 0 and after == 1, (during, after)  # was one a step
    assert "From its counts:" in text
    assert [rating for _, rating in reviews(path)] == [3]


@run_async
async def test_a_cjk_cell_does_not_squeeze_a_word_beside_it(tmp_path):
    """A Chinese sentence (no spaces) counted as one 56-cell word: the table's words did
    not fit at 40 columns and every column was squeezed, `العربية` folded over two lines.
    Chinese breaks between its characters: the word beside it now reads whole."""
    back = ("| 语言 | 例子 |\n|---|---|\n"
            "| 中文 | 这是一个很长的中文句子，用于测试表格里的换行效果是否正确 |\n"
            "| العربية | مرحبا بالعالم هذا نص عربي طويل |\n")
    rows = await _table_rows(tmp_path, back, (40, 24))
    assert rows[2][0] == ["العربية"], rows
    assert "".join(rows[1][1]) == "这是一个很长的中文句子，用于测试表格里的换行效果是否正确"


async def _resized(pilot, *sizes) -> None:
    for size in sizes:
        await pilot.resize_terminal(*size)
        await pilot.pause(0.2)  # past the refit's wait for the last resize (REFIT_DELAY)
        await laid_out(pilot)


@pytest.mark.parametrize("sizes", [[(40, 12)], [(60, 20), (40, 12)], [(40, 12), (120, 40)]])
@run_async
async def test_the_verdict_stays_in_view_when_the_pane_is_resized(tmp_path, sizes):
    """An exercise graded at 80×24, then the pane made 40×12 (a split opened): the card
    ran to the end of its working and the verdict (`✗ Not quite…`) was out of view. Each
    pass that scrolls it into view read the verdict where the last layout had drawn it,
    at the scroll of then, and took the rows it had scrolled since for rows still to go."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("exercise", "F1 of the pedestrian detector", DETECTOR_F1, 5,
             exercise="detector-f1")]))
    async with app.run_test(size=(80, 24)) as pilot:
        await laid_out(pilot)
        await pilot.press(*"0.5", "enter")
        await laid_out(pilot)
        assert any("Not quite" in row for row in _card_rows(app))
        await _resized(pilot, *sizes)
        rows = _card_rows(app)
    assert any(row.lstrip().startswith("✗ Not quite") for row in rows), "\n".join(rows)


LONG_QUESTION = " ".join(f"Clause {n} of a question about the harmonic mean of rates."
                         for n in range(1, 9))


@run_async
async def test_the_answer_stays_in_view_when_the_pane_is_resized(tmp_path):
    """A long question's answer shown at 80×24, then the pane made 40×12: the answer's
    first line is in view, under the rule, as after Space at that size."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("basic", LONG_QUESTION, "Weigh each rate by the time spent at it.", 5)]))
    async with app.run_test(size=(80, 24)) as pilot:
        await laid_out(pilot)
        await pilot.press("space")
        await laid_out(pilot)
        await _resized(pilot, (40, 12))
        rows = _card_rows(app)
    assert any(row.lstrip().startswith("Weigh each rate") for row in rows), "\n".join(rows)
