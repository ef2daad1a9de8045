"""LaTeX math -> readable Unicode for a terminal. Pure functions; no Textual.

Public API:
- `render_inline(latex) -> str`: one line; `\\frac{a+b}{c}` -> `(a + b)/c`.
- `render_display(latex, width=None) -> list[str]`: a 2-D block of equal-width lines,
  fractions stacked; wider than `width`, its statements (set apart by `\\quad`, listed with
  commas, joined by `and`/`where`) go one under the other, then a chain is broken at its
  top-level relations, one form per line-block aligned on the relation, a long sum before
  its terms, and as the last resort a wide bracket before the terms inside it
  (`fit_display` also says by how much a block that cannot be broken enough still
  overflows: it is never cut).
- `render_markdown(text, escape=True, width=None) -> str`: the math in a markdown string replaced; display
  blocks become fenced ```text blocks, inline math its one-line rendering (markdown-escaped).
- `render_plain(text) -> str`: the same for plain terminal output: display blocks as bare
  lines (no fences), nothing escaped.
- `split_markdown(text, escape=True) -> list[Segment]`: the same, as ("markdown", text) and
  ("math", lines) segments, for a UI that shows block math as its own widget.
- `escape_markdown(text) -> str`: backslash-escape markdown syntax characters.

Conventions (consistent everywhere): spaces in the source are ignored, as TeX ignores them
(`2 T P` -> `2TP`); binary operators and relations get one space each side (`a + b`, `x = y`,
`a × b`, `2 * 300`: `*` stays `*`, as written); `-` prints as the minus sign `−`; nothing is
simplified, reordered or evaluated. Invalid LaTeX comes back as its source; unknown commands
print as `name` or `name(arg)`; no output ever contains a backslash command.

Bounded: every formula is measured before it is parsed (length, nesting of braces,
`\\left…\\right`, `\\begin…\\end`) and its tree after (depth, nodes); past the budget, or on
any failure in parsing or layout, it is shown as its LaTeX source. A 2-D block taller than
`layout.MAX_DISPLAY_LINES` is shown in its one-line form; a card's formulas together are held
to `markdown.MAX_CARD_MATH`. So no card can crash or hang a screen (a card renders in well
under 50 ms), and real formulas are far inside every limit.

pylatexenc (the tokenizer) is imported on first use, not at import time.
"""

from flashdeck.mathtext.markdown import (
    Segment,
    escape_markdown,
    render_markdown,
    render_plain,
    split_markdown,
)
from flashdeck.mathtext.render import Fit, fit_display, render_display, render_inline

__all__ = [
    "Fit",
    "fit_display",
    "Segment",
    "escape_markdown",
    "render_display",
    "render_inline",
    "render_markdown",
    "render_plain",
    "split_markdown",
]
