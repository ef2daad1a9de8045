"""The two entry points on a LaTeX string: one line, or a 2-D block."""

from __future__ import annotations

from functools import lru_cache

from flashdeck.mathtext import layout
from flashdeck.mathtext.tree import InvalidLatex, parse


@lru_cache(maxsize=512)
def _inline_cached(latex: str) -> str:
    try:
        tree = parse(latex)
    except InvalidLatex:
        return " ".join(latex.split())
    return layout.inline(tree)


@lru_cache(maxsize=256)
def _display_cached(latex: str) -> tuple[str, ...]:
    if not latex.strip():
        return ()
    try:
        tree = parse(latex)
    except InvalidLatex:
        lines = [line.rstrip() for line in latex.strip("\n").splitlines()]
        width = max(layout.cell_width(line) for line in lines)
        return tuple(layout.pad(line, width) for line in lines)
    box = layout.display(tree)
    width = box.width
    lines = [layout.pad(line, width) for line in box.lines]
    # Blank rows at the top or bottom (a lone sub/superscript column) are not content.
    while len(lines) > 1 and not lines[0].strip():
        lines.pop(0)
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return tuple(lines)


def render_inline(latex: str) -> str:
    """One line: `\\frac{a+b}{c}` -> `(a + b)/c`, with brackets exactly where needed.

    Invalid LaTeX (unbalanced braces) comes back as its source, on one line.
    """
    return _inline_cached(latex)


def render_display(latex: str) -> list[str]:
    """A 2-D block as lines of equal width: fractions stacked over a `─` rule, centred,
    nested fractions too; the other terms sit on the fraction bar's row.

    Empty input gives no lines; invalid LaTeX gives its source lines unchanged (padded).
    """
    return list(_display_cached(latex))
