"""How a card reads on the review screen at 80×24 when its note is hostile or just large:
a formula too wide to break, a table too wide for the panel, embeds of other notes."""

from __future__ import annotations

import pytest

from support.tui import app_for, card, make_collection, run_async, screen_text

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


async def _reveal(pilot):
    await pilot.press("space")
    await pilot.pause()
    await pilot.pause()


# a loss written out term by term: one relation, a right-hand side far wider than 80 columns
LONG_SUM = "L = " + " + ".join(rf"w_{{{i}}} \cdot x_{{{i}}}^2" for i in range(30))
# ... and the same sum as one fraction's numerator: no place to break it
WIDE_FRACTION = r"L = \frac{" + " + ".join(rf"w_{{{i}}} x_{{{i}}}^2" for i in range(30)) + "}{2}"


@run_async
async def test_the_scroll_note_under_a_wide_formula_is_not_read_into_the_next_line(tmp_path):
    """A note puts its explanation right under the closing `$$` (no blank line). The screen
    said `→ 300 more columns to the right: ← → scroll sideways A weighted sum of squares.`:
    the note and the card's text ran on as one sentence. Now the text is its own paragraph."""
    back = f"$$\n{WIDE_FRACTION}\n$$\nA weighted sum of squares."
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "What is the long loss?", back, 3)]))
    async with app.run_test(size=SIZE) as pilot:
        await _reveal(pilot)
        await pilot.press("end")
        await pilot.pause()
        lines = [line.strip() for line in screen_text(app).split("\n")]
        assert any(line.endswith("scroll sideways") for line in lines), lines
        assert "A weighted sum of squares." in lines, lines


@run_async
async def test_an_embedded_note_section_is_named_with_its_heading(tmp_path):
    """`![[Gradient Descent#Learning rate]]` read `[embed: Gradient Descent]`, on a line of
    its own and inside a sentence alike: which part of the note was meant was lost. Now the
    placeholder names the heading too."""
    from flashdeck.notes.embeds import VaultIndex
    from support.images import vault_with

    VaultIndex.forget()
    _vault, path = vault_with(
        tmp_path, "![[Gradient Descent#Learning rate]]\n\n"
                  "Too large a step overshoots; see ![[Adam#Bias correction]] too.")
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await _reveal(pilot)
        text = screen_text(app)
        assert "[embed: Gradient Descent › Learning rate]" in text
        assert "see [embed: Adam › Bias correction] too." in text
    VaultIndex.forget()


@run_async
async def test_a_table_too_wide_for_the_panel_reads_whole_in_column_groups(tmp_path):
    """A 10-class confusion matrix at 80×24: Textual squeezed its 11 columns into the panel
    and folded the counts across lines (`907` shown as `90` over `7`). Now it is drawn as
    two tables, each with the class names, every count whole on one line."""
    import re

    classes = ["cat", "dog", "bird", "fish", "horse", "sheep", "cow", "truck", "ship",
               "plane"]
    counts = {(t, p): str(100 + 37 * i + 11 * j) for i, t in enumerate(classes)
              for j, p in enumerate(classes)}
    table = "\n".join(["| true \\ pred | " + " | ".join(classes) + " |",
                       "|---|" + "---|" * len(classes)]
                      + ["| " + t + " | " + " | ".join(counts[t, p] for p in classes) + " |"
                         for t in classes])
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "Which classes does the model confuse?", table, 3)]))
    async with app.run_test(size=SIZE) as pilot:
        await _reveal(pilot)
        await pilot.press("home")
        screens = []
        for _ in range(12):
            await pilot.pause()
            screens.append(screen_text(app))
            await pilot.press("pagedown")
        text = "\n".join(screens)
        assert "Columns 1–" in text and "of 11:" in text
        shown = re.findall(r"│ (\d+) +(?=│)", text)
        assert set(shown) == set(counts.values())
        assert all(len(number) == 3 for number in shown)  # none folded across lines


@run_async
async def test_a_long_sum_breaks_before_its_terms_and_needs_no_sideways_scroll(tmp_path):
    """A sum of 30 terms after its `=` was shown on one line 300 columns wide, read by
    scrolling sideways 8 columns a key. Now it breaks before its `+` signs, as a textbook
    does: every term on screen, each continuation starting with its sign under the first
    term."""
    import re

    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "What is the long loss?", f"$$\n{LONG_SUM}\n$$\n\nA weighted sum.", 3)]))
    async with app.run_test(size=SIZE) as pilot:
        await _reveal(pilot)
        screens = []
        for _ in range(4):
            await pilot.pause()
            screens.append(screen_text(app))
            await pilot.press("pagedown")
        text = "\n".join(screens)
        assert "scroll sideways" not in text
        subscripts = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
        for i in range(30):
            assert f"w{str(i).translate(subscripts)} · x{str(i).translate(subscripts)}²" in text
        lines = [line for line in text.split("\n") if "w₀" in line or
                 re.match(r"^\s+\+ w", line)]
        first = next(line for line in lines if "L = w₀" in line)
        column = first.index("w₀")
        continuations = [line for line in lines if re.match(r"^\s+\+ w", line)]
        assert continuations and all(line.index("+") == column for line in continuations)


@run_async
async def test_a_list_nested_fourteen_deep_keeps_every_item_and_what_follows(tmp_path):
    """The review screen dropped a list's items from the tenth level down and every line of
    the answer after the list: markdown-it stops at 20 nested blocks. Now the deeper items
    are shown at the deepest level it parses, and the answer goes on after them."""
    steps = "\n".join("  " * d + f"- step {d}" for d in range(14))
    app = app_for(make_collection(tmp_path / "c.sqlite", [
        card("question", "How does backprop unfold?", f"{steps}\n\nThe chain rule.", 3)]))
    async with app.run_test(size=(80, 50)) as pilot:
        await _reveal(pilot)
        text = screen_text(app)
        for d in range(14):
            assert f"step {d}" in text
        assert "The chain rule." in text


@run_async
async def test_links_and_images_in_a_table_written_with_an_escaped_pipe(tmp_path):
    """Obsidian escapes a link's `|` inside a table: `[[Recall\\|sensitivity]]`,
    `![[pr-curve.png\\|120]]`. The image read as a note `[embed: pr-curve.png\\]`."""
    from flashdeck.notes.embeds import VaultIndex
    from support.images import vault_with

    VaultIndex.forget()
    _vault, path = vault_with(tmp_path, "| figure | metric |\n|---|---|\n"
                                        "| ![[pr-curve.png\\|120]] | [[Recall\\|sensitivity]] |")
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await _reveal(pilot)
        text = screen_text(app)
        assert "[image: pr-curve.png]" in text and "sensitivity" in text
        assert "embed" not in text
    VaultIndex.forget()
