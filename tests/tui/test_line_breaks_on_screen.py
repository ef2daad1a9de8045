"""A line break inside a paragraph reads as a line break on the review screen, as in
Obsidian: a language learner's cloze of two sentences, a quote and its attribution. An
exercise's text (wrapped template prose) still flows as one paragraph."""

from __future__ import annotations

from support.tui import app_for, card, fuel_card, make_collection, run_async, screen_text

SIZE = (80, 24)


@run_async
async def test_two_lines_of_a_cloze_stay_two_lines(tmp_path):
    """`私==は==学生です。` / `駅に行きます。` read `私[...]学生です。 駅に行きます。` (one line,
    a space between the sentences) on the front and on the back."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("cloze", "私[...]学生です。\n駅に行きます。", "私==は==学生です。\n駅に行きます。", 3,
             deck="flashcards/ja"),
    ]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = [line.strip() for line in screen_text(app).split("\n")]
        assert "私[...]学生です。" in lines and "駅に行きます。" in lines, lines
        await pilot.press("space")
        await pilot.pause()
        await pilot.pause()
        # (the highlighted answer is a span of its own: the screenshot's text runs of wide
        # characters are placed with gaps, so the lines are compared without spaces)
        lines = [line.replace(" ", "") for line in screen_text(app).split("\n")]
        assert "私は学生です。" in lines and lines.count("駅に行きます。") == 2, "\n".join(lines)


@run_async
async def test_a_quote_keeps_its_attribution_on_its_own_line(tmp_path):
    back = "> What is the Third Estate? Everything.\n> — Sieyès, January 1789"
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "Who asked what the Third Estate was?", back, 3)]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        await pilot.pause()
        lines = [line.strip(" ▌▎▍│┃") for line in screen_text(app).split("\n")]
        assert "What is the Third Estate? Everything." in lines, lines
        assert "— Sieyès, January 1789" in lines, lines


@run_async
async def test_an_exercise_prompt_still_flows(tmp_path):
    """The template's prompt is written over two lines: it reads as one paragraph."""
    app = app_for(make_collection(tmp_path / "c.sqlite", [fuel_card()]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = " ".join(line.strip() for line in screen_text(app).split("\n"))
        assert "then another 40 euros at 5 euros a litre." in text, text
        lines = [line.strip() for line in screen_text(app).split("\n")]
        assert not any(line.startswith("a litre. What did") for line in lines), lines
