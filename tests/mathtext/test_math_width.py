"""Display math fitted to a width: a chain wider than the panel breaks at its top-level
relations, one form per line-block aligned on the relation; nothing is ever cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.mathtext import fit_display, render_display, render_markdown
from flashdeck.mathtext.layout import cell_width, display, pad
from flashdeck.mathtext.tree import Atom, Row, parse_bounded

# A Jaccard chain in the user's style: four forms, 120 columns laid out whole.
JACCARD = (r"J(A,B)=\frac{|A\cap B|}{|A\cup B|}=\frac{|A\cap B|}{|A|+|B|-|A\cap B|}"
           r"=\frac{\text{true positives}}{\text{true positives}+\text{false positives}"
           r"+\text{false negatives}}=\frac{TP}{TP+FP+FN}")


def width_of(lines) -> int:
    return max((cell_width(line) for line in lines), default=0)


def block(latex: str) -> list[str]:
    """A form's own 2-D block, as the layout draws it alone (blank edge rows dropped)."""
    box = display(parse_bounded(latex))
    lines = [pad(line, box.width) for line in box.lines]
    while len(lines) > 1 and not lines[0].strip():
        lines.pop(0)
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return lines


def places(lines: list[str], sub: list[str]) -> list[tuple[int, int]]:
    """Every (row, column) where the block `sub` stands whole inside `lines`."""
    w = width_of(sub)
    grid = [pad(line, width_of(lines)) for line in lines]
    found = []
    for r in range(len(grid) - len(sub) + 1):
        start = 0
        while (c := grid[r].find(sub[0], start)) >= 0:
            if all(grid[r + i][c:c + w].rstrip() == sub[i].rstrip() for i in range(len(sub))):
                found.append((r, c))
            start = c + 1
    return found


def assert_forms_in_order(lines: list[str], forms: list[str]) -> None:
    """Each form's own block is in `lines` whole (so nothing was broken inside it), each
    after the one before: further right on the same rows, or below it."""
    blocks = [block(form) for form in forms]
    spots = [places(lines, sub) for sub in blocks]
    for form, found in zip(forms, spots):
        assert found, (form, "\n".join(lines))

    def placed(k: int, previous) -> bool:  # a choice of spots, one per form, in order
        if k == len(blocks):
            return True
        for r, c in spots[k]:
            if previous is not None:
                (pr, pc), (ph, pw) = previous
                if not (r >= pr + ph or c >= pc + pw):
                    continue
            if placed(k + 1, ((r, c), (len(blocks[k]), width_of(blocks[k])))):
                return True
        return False

    assert placed(0, None), ("out of order", forms, "\n".join(lines))


def test_f1_style_chain_breaks_at_its_equals_aligned_on_the_first():
    lines = render_display(JACCARD, 66)
    assert width_of(render_display(JACCARD)) > 100
    assert width_of(lines) <= 66
    first = next(line for line in lines if "J(A, B) = " in line)
    column = first.index("= ")
    starts = [line for line in lines if line.strip().startswith("= ")]
    assert 1 <= len(starts) <= 3  # a continuation per line-block, forms packed while they fit
    assert all(line.index("= ") == column for line in starts)  # aligned on the first `=`
    assert "TP + FP + FN" in "\n".join(lines)  # the last, most used form is there
    assert_forms_in_order(lines, [r"\frac{|A\cap B|}{|A\cup B|}",
                                  r"\frac{|A\cap B|}{|A|+|B|-|A\cap B|}",
                                  r"\frac{TP}{TP+FP+FN}"])


def test_forms_that_fit_side_by_side_share_a_line():
    """A textbook fills the line: two short forms after a break sit side by side."""
    chain = r"x = \frac{aaaaaaaaaaaaaaaaaaaa}{b} = \frac{c}{d} = \frac{e}{f} = gggggggggggggggggggggggggg"
    lines = render_display(chain, 40)
    assert width_of(lines) <= 40
    text = "\n".join(lines)
    rows_with_bars = [line for line in lines if line.count("─") and line.count(" = ") >= 2]
    assert rows_with_bars, text  # at least one line-block holds two forms


@pytest.mark.parametrize("width", [None, 130, 500])
def test_a_chain_that_fits_is_laid_out_whole(width):
    assert render_display(JACCARD, width) == render_display(JACCARD)
    assert fit_display(JACCARD, width).overflow == 0


def test_widths_are_cached_apart():
    assert render_display(JACCARD, 60) != render_display(JACCARD, 200)
    assert render_display(JACCARD, 200) == render_display(JACCARD)


@pytest.mark.parametrize("latex,kept", [
    (r"\frac{a+b=c}{d=e+f}=\frac{xxxxxxxxxxxxxxxx}{y}", r"\frac{a+b=c}{d=e+f}"),
    (r"f\left(x=yyyyyyyyyyyyyyyyy\right)=zzzzzzzzzzzzzzzz", r"f\left(x=yyyyyyyyyyyyyyyyy\right)"),
    # a left-hand side wider than the width breaks before its own terms, never inside a group
    (r"x+{a=bbbbbbbbbbbbbbbbbb}=c", r"{a=bbbbbbbbbbbbbbbbbb}"),
])
def test_relations_inside_fractions_brackets_or_groups_are_never_break_points(latex, kept):
    fit = fit_display(latex, 20)
    assert_forms_in_order(list(fit.lines), [kept])


def test_a_wide_left_hand_side_goes_on_its_own_line_when_nothing_else_fits():
    latex = r"\text{balanced accuracy}=\frac{\text{TPR}+\text{TNR}}{2}=\frac{1}{2}(a+b)"
    fit = fit_display(latex, 22)
    assert fit.overflow == 0 and width_of(fit.lines) <= 22
    assert fit.lines[0].strip() == "balanced accuracy"
    assert_forms_in_order(list(fit.lines), [r"\frac{\text{TPR}+\text{TNR}}{2}",
                                            r"\frac{1}{2}(a+b)"])


def test_a_single_form_too_wide_stays_whole_and_says_by_how_much():
    latex = r"\frac{\text{precision}\times\text{recall}\times\text{specificity}}{2}"
    fit = fit_display(latex, 20)
    assert list(fit.lines) == render_display(latex)  # its own 2-D block, not cut
    assert fit.overflow == width_of(fit.lines) - 20 > 0
    shown = render_markdown(f"$${latex}$$", width=20)
    assert "precision × recall × specificity" in shown
    assert f"{fit.overflow} more columns to the right: ← → scroll sideways" in shown


def test_a_form_too_wide_in_a_chain_overflows_only_by_itself():
    latex = r"x=\frac{\text{precision}\times\text{recall}\times\text{specificity}}{2}=y"
    fit = fit_display(latex, 30)
    lines = list(fit.lines)
    assert fit.overflow == width_of(lines) - 30 > 0
    assert_forms_in_order(lines, [
        r"\frac{\text{precision}\times\text{recall}\times\text{specificity}}{2}", "y"])
    assert lines[-1].strip() == "= y"


def test_a_long_sum_breaks_before_its_own_terms_under_the_first_one():
    """A form still too wide once the chain is broken (a sum of many terms) breaks before
    its top-level `+` and `−`, never inside a fraction or a bracket; the continuations
    start with their sign, under the form's first term."""
    latex = (r"\mathcal{L} = -\frac{1}{N}\sum_{i=1}^{N} y_i \log \hat{y}_i + \lambda \|w\|^2"
             r" - \mu \sum_j \left(a_j + b_j\right) + \frac{\gamma}{2} \|W\|_F^2 + c_1 + c_2")
    fit = fit_display(latex, 40)
    lines = list(fit.lines)
    assert fit.overflow == 0 and width_of(lines) <= 40
    assert_forms_in_order(lines, [r"\mathcal{L}", r"-\frac{1}{N}\sum_{i=1}^{N} y_i \log \hat{y}_i",
                                  r"\lambda \|w\|^2", r"\mu \sum_j \left(a_j + b_j\right)",
                                  r"\frac{\gamma}{2} \|W\|_F^2", "c_1", "c_2"])
    text_rows = [line for line in lines if line.strip() and "─" not in line
                 and line.lstrip()[:1] in "+−"]
    assert text_rows and all(line.index(line.lstrip()[0]) == 4 for line in text_rows)
    # a sum without a relation breaks the same way
    plain = " + ".join(f"x_{{{i}}}" for i in range(40))
    fit = fit_display(plain, 30)
    assert fit.overflow == 0 and width_of(fit.lines) <= 30
    assert "".join(fit.lines).split() == render_display(plain)[0].split()


def test_markdown_blocks_inside_a_callout_get_less_room():
    text = f"> [!note] Jaccard\n> $${JACCARD}$$\n"
    shown = render_markdown(text, width=72)
    rows = [line[2:] for line in shown.splitlines()[2:-1]]  # inside the fence, `> ` off
    assert width_of(rows) <= 72 - 3
    assert "scroll sideways" not in shown


# -- properties ---------------------------------------------------------------------------------
def terms(form: str) -> list[str]:
    """`x_i^2+y_i^2` -> [`x_i^2`, `y_i^2`]: the form's own terms (a `+` in braces stays)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(form):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "+" and depth == 0:
            parts.append(form[start:i])
            start = i + 1
    return [*parts, form[start:]]


FORMS = st.sampled_from([
    "a", "2TP", r"\frac{x+y}{z}", r"\frac{1}{\frac{1}{a}+\frac{1}{b}}", r"\left(\frac{a}{b}\right)^2",
    r"\frac{a=b}{c}", r"\sqrt{\frac{p}{q}}", r"x_i^2+y_i^2", r"\text{precision}\times\text{recall}",
    r"\sum_{i=1}^{n} w_i", r"f(x \le y)",
])
RELATIONS = st.sampled_from(["=", r"\approx", r"\le", "<"])


@settings(max_examples=120, deadline=None)
@given(lhs=FORMS, rest=st.lists(st.tuples(RELATIONS, FORMS), min_size=1, max_size=5),
       width=st.integers(min_value=4, max_value=120))
def test_breaking_keeps_every_form_in_order_and_fits_whenever_it_can(lhs, rest, width):
    latex = lhs + "".join(f" {rel} {form}" for rel, form in rest)
    fit = fit_display(latex, width)
    lines = list(fit.lines)
    # every top-level form, whole (nothing broken inside it but before its own terms: a
    # form too wide for a line is a long sum broken at its `+`, and so is a left-hand side
    # wider than the width), in order
    left = terms(lhs) if width_of(block(lhs)) > width else [lhs]
    assert_forms_in_order(lines, [*left, *(term for _rel, form in rest for term in terms(form))])
    # never wider than the width when a break exists: each part fits on its own line
    parts = [block(lhs)] + [block(f"{rel} {form}") for rel, form in rest]
    if all(width_of(part) <= width for part in parts):
        assert fit.overflow == 0
        assert width_of(lines) <= width
    # never cut: overflow is what is left over, and the text is all there
    assert fit.overflow == max(0, width_of(lines) - width)


# -- the review screen --------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_review_screen_at_80x24_shows_the_last_form_of_a_wide_chain(tmp_path, monkeypatch):
    from textual.containers import VerticalScroll

    from support.tui import NOW_ISO, app_for, card, laid_out, make_collection, run_async, \
        screen_text

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    path = make_collection(tmp_path / "c.sqlite", [
        card("formula", "Jaccard Index: J(A,B) = ?", f"$${JACCARD}$$", 10)])

    @run_async
    async def run():
        app = app_for(path)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.press("space")
            await pilot.pause()
            top = screen_text(app)
            assert "J(A, B) = " in top and "|A ∩ B|" in top
            panel = app.screen.query_one("#card", VerticalScroll)
            panel.scroll_end(animate=False)  # what End / PageDown do
            await pilot.pause()
            end = screen_text(app)
            assert "TP + FP + FN" in end  # the last form, whole
            assert "true positives + false positives + false negatives" in top + end
            assert "scroll sideways" not in top + end  # every form fits: nothing overflows
            assert all(cell_width(line) <= 80 for line in end.splitlines())

            await pilot.resize_terminal(160, 40)  # wide enough: the chain on one line again
            await laid_out(pilot)  # the card is drawn again REFIT_DELAY after the resize
            wide = screen_text(app)
            row = next(line for line in wide.splitlines() if "J(A, B) = " in line)
            assert row.count(" = ") == 4

    run()


def test_top_level_relations_are_atoms_of_the_formula_row():
    """The break points are the relation atoms of the formula's own row (a guard on the
    parser shape the breaking relies on)."""
    row = parse_bounded(r"a = \frac{b = c}{d} \le e")
    relations = [item.text for item in row.items if isinstance(item, Atom) and item.kind == "rel"]
    assert relations == ["=", "≤"]
    assert isinstance(row, Row)
