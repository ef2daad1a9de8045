"""The two entry points on a LaTeX string: one line, or a 2-D block.

Both work within a budget (see `tree.MAX_SOURCE` and friends, and `layout.MAX_DISPLAY_*`):
a formula past it, or one that fails anywhere in parsing or layout, comes back as its LaTeX
source, so no card can hang or crash a screen. A 2-D block too big to read comes back as the
one-line form.
"""

from __future__ import annotations

from functools import lru_cache

from flashdeck.mathtext import layout
from flashdeck.mathtext.tree import parse_bounded

MAX_DISPLAY_CELLS = layout.MAX_DISPLAY_CELLS  # a source block is held to it too


def source_line(latex: str) -> str:
    """A formula shown as its source on one line (whitespace runs become one space)."""
    return " ".join(latex.split())


def source_block(latex: str) -> tuple[str, ...]:
    """A display formula shown as its source lines, padded to equal width (one line when
    padding them would make the block too big)."""
    lines = [line.rstrip() for line in latex.strip("\n").splitlines()] or [""]
    width = max(layout.cell_width(line) for line in lines)
    if len(lines) > 1 and width * len(lines) > MAX_DISPLAY_CELLS:
        return (source_line(latex),)  # padding every line to the longest would balloon
    return tuple(layout.pad(line, width) for line in lines)


@lru_cache(maxsize=512)
def _inline_cached(latex: str) -> str:
    try:
        return layout.inline(parse_bounded(latex))
    except Exception:  # noqa: BLE001 - invalid, past the budget, or a bug: show the source
        return source_line(latex)


@lru_cache(maxsize=256)
def _display_cached(latex: str) -> tuple[str, ...]:
    if not latex.strip():
        return ()
    try:
        tree = parse_bounded(latex)
    except Exception:  # noqa: BLE001 - see _inline_cached
        return source_block(latex)
    try:
        box = layout.display(tree)
        width = box.width
        lines = [layout.pad(line, width) for line in box.lines]
    except layout.TooBig:
        try:
            return (layout.inline(tree),)  # too big to read in 2-D: the one-line form
        except Exception:  # noqa: BLE001 - see _inline_cached
            return source_block(latex)
    except Exception:  # noqa: BLE001 - see _inline_cached
        return source_block(latex)
    # Blank rows at the top or bottom (a lone sub/superscript column) are not content.
    while len(lines) > 1 and not lines[0].strip():
        lines.pop(0)
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return tuple(lines)


def render_inline(latex: str) -> str:
    """One line: `\\frac{a+b}{c}` -> `(a + b)/c`, with brackets exactly where needed.

    Invalid LaTeX (unbalanced braces), or a formula past the budget (too long, nested too
    deep), comes back as its source, on one line.
    """
    return _inline_cached(latex)


def render_display(latex: str) -> list[str]:
    """A 2-D block as lines of equal width: fractions stacked over a `─` rule, centred,
    nested fractions too; the other terms sit on the fraction bar's row.

    Empty input gives no lines; invalid LaTeX, or a formula past the budget, gives its source
    lines unchanged (padded); a block too tall or too big to read gives the one-line form.
    """
    return list(_display_cached(latex))
