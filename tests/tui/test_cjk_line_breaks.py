"""Chinese and Japanese text wrapped by flashdeck (a table's cells, a paragraph holding an
inline formula, an exercise's working, the help and info screens) keeps the line-breaking
rules of those languages: no line starts with closing punctuation (`。` `、` `，` `）` `」`),
none ends with opening punctuation (`（` `「`). Paragraphs without an inline formula are
wrapped by Textual itself, which does not keep them (not changed here)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from rich.cells import cell_len

from flashdeck.tui.wrapping import (KINSOKU_REACH, NO_LINE_END, NO_LINE_START, kinsoku_cut,
                                    no_break_rows, working_rows, wrap_hanging)
from support.tui import app_for, card, make_collection, run_async, screen_text

SENTENCE = "私は学生です。駅に行きます、そして「東京」へ。日本語（にほんご）は難しい。"


def _lines(text: str, width: int) -> dict[str, list[str]]:
    return {"no_break_rows": [text[a:b] for a, b in no_break_rows(text, width)],
            "wrap_hanging": [text[a:b] for _, a, b in wrap_hanging(text, width)],
            "working_rows": [text[a:b] for _, a, b in working_rows(text, width)]}


def _kept(lines: list[str]) -> bool:
    return all(line[:1] not in NO_LINE_START for line in lines[1:]) and \
        all(line[-1:] not in NO_LINE_END for line in lines[:-1])


def test_a_japanese_sentence_never_starts_a_line_with_a_closing_mark():
    for width in range(6, 40):
        for way, lines in _lines(SENTENCE, width).items():
            assert "".join(lines) == SENTENCE, (way, width)
            assert _kept(lines), (way, width, lines)


def test_a_cut_moves_back_at_most_a_few_characters_and_never_empties_a_line():
    text = "あ。。。。。。い"
    assert kinsoku_cut(text, 0, 3) == 3  # five marks in a row: no place to move to
    assert kinsoku_cut("ab「c", 0, 3) == 2  # `「` goes down with `c`
    assert kinsoku_cut("abc。d", 0, 3) == 2  # `c` goes down with `。`
    assert kinsoku_cut("。d", 0, 1) == 1  # the line before would be empty
    assert kinsoku_cut("abcd", 0, 2) == 2  # nothing to keep


_CJK = st.text(alphabet=st.sampled_from(list("私は学生駅東京日本語難しいアイウ漢字中文")
                                        + list(NO_LINE_START) + list(NO_LINE_END)
                                        + ["a", "1", " "]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_CJK, st.integers(4, 30))
def test_any_cjk_text_keeps_the_rules_where_it_can(text, width):
    """Every way of wrapping keeps the text, fits the width (a character wider than the
    line excepted), and keeps the rules wherever a cut inside a run of text falls, unless
    more than `KINSOKU_REACH` characters in a row are bound to each other."""
    for way, lines in _lines(text, width).items():
        assert "".join(lines).replace(" ", "") == text.replace(" ", ""), way
        for k in range(1, len(lines)):
            before, line = lines[k - 1], lines[k]
            if not before or not line or text.count(before + line) == 0:
                continue  # a break at a space, or lines not side by side in the text
            tail = (before + line)[max(0, len(before) - KINSOKU_REACH - 1):len(before) + 1]
            bound = all(c in NO_LINE_START or p in NO_LINE_END
                        for p, c in zip(tail, tail[1:]))
            if not bound and cell_len(before) > 2:
                assert line[0] not in NO_LINE_START and before[-1] not in NO_LINE_END, \
                    (way, width, lines)


@pytest.mark.parametrize("size", [(80, 40), (120, 40)])
@run_async
async def test_a_table_cell_of_japanese_never_starts_a_line_with_a_closing_mark(tmp_path,
                                                                               size):
    """Three rows whose full stops fall one character further each time: whatever the
    column's width, one of them was cut right before a `。`."""
    rows = "\n".join(f"| 例{k} | {'あ' * k}{'字字。' * 30} |" for k in range(3))
    table = "| 単語 | 例文 |\n|---|---|\n" + rows
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "どう使いますか？", table, 3, deck="flashcards/ja")]))
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        await pilot.pause()
        cells = [line.split("│")[2].strip().replace(" ", "")
                 for line in screen_text(app).split("\n") if line.count("│") == 3]
        assert len(cells) >= 7, cells  # the header and the three rows, each wrapped
        assert "".join(cells[1:]) == "".join(f"{'あ' * k}{'字字。' * 30}" for k in range(3))
        assert not any(cell[:1] in NO_LINE_START for cell in cells), cells


# a first column of short Japanese terms beside a column of sentences (a glossary)
GLOSSARY = ("| 評価指標 | 説明 |\n|---|---|\n"
            "| 適合率 | 陽性と判定したもののうち、本当に陽性だったものの割合。誤検出が少ないほど高い。 |\n"
            "| 再現率 | 本当に陽性のもののうち、陽性と判定できたものの割合。見逃しが少ないほど高い。 |")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@run_async
async def test_a_narrow_column_of_japanese_terms_keeps_its_header_and_terms_whole(tmp_path,
                                                                                  size):
    """Every character of CJK text is a place to break, so the first column was given only
    a share of the room in proportion to the few cells it lacked: at 80 columns its header
    folded, `評価指` over `標`. A column no wider than an even share of the room is now
    shown whole; the sentences beside it wrap."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "分類の評価指標は？", GLOSSARY, 3, deck="flashcards/ja")]))
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        await pilot.pause()
        rows = [line.split("│")[1:3] for line in screen_text(app).split("\n")
                if line.count("│") == 3]
        firsts = [first.strip() for first, _ in rows]
        assert [term for term in firsts if term] == ["評価指標", "適合率", "再現率"], firsts
        seconds = "".join(second.strip() for _, second in rows)
        assert seconds == "説明" + "".join(GLOSSARY.split("\n")[k].split("|")[2].strip()
                                           for k in (2, 3))
        if size[0] == 80:
            assert len(rows) > 3  # the sentences wrapped


def test_a_narrow_column_is_given_its_width_while_the_others_words_still_fit():
    from flashdeck.tui.card_table import column_widths

    # a table 72 cells wide: 65 for the text of two columns
    assert column_widths([8, 96], [2, 2], 72, [2, 2]) == [8, 57]
    # the narrow column whole would leave the other's longest word no room: shared
    assert column_widths([30, 60], [4, 50], 72, [4, 50])[1] >= 50
    # every column wider than an even share: shared as before, in proportion
    assert sum(column_widths([40, 60], [5, 5], 72, [5, 5])) == 65
