"""Lay a math tree out as one line of text (inline) or as a 2-D block of lines (display).

Spacing is decided here, from atom kinds, never copied from the source: TeX ignores spaces in
math mode, so `2 T P` and `2TP` are the same product and both print `2TP`. Binary operators
and relations get one space each side (`a + b`, `x = y`, `a × b`, also `2 * 300`: `*` is kept as
the author wrote it, not turned into × or ·), a comma gets a space after it (except between
digits, `1,000`), words (`\\text{recall}`, function names) are separated from their neighbours.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flashdeck.cells import cell_width
from flashdeck.mathtext import symbols as S
from flashdeck.mathtext.tree import (
    Accent, Atom, Binom, Boxed, Brace, Call, Fenced, Frac, Grid, Node, Row, Scripted, Sqrt,
)

# --- kinds and spacing ---------------------------------------------------------------------

_ORDLIKE = (S.ORD, S.WORD)


def _kinds_of(node: Node) -> tuple[str, str]:
    """The (left, right) kinds a node presents to its neighbours."""
    if isinstance(node, Atom):
        return node.kind, node.kind
    if isinstance(node, Boxed):
        items = _unwrap(node.body).items
        return _kinds_of(items[0]) if len(items) == 1 else (S.ORD, S.ORD)
    if isinstance(node, Scripted):
        return _kinds_of(node.base)
    if isinstance(node, (Fenced, Binom)):
        return S.OPEN, S.CLOSE
    if isinstance(node, Call):
        return S.WORD, S.CLOSE
    if isinstance(node, Grid):
        left, right = S.ENVIRONMENT_DELIMITERS.get(node.env, ("", ""))
        return (S.OPEN if left else S.ORD), (S.CLOSE if right else S.ORD)
    return S.ORD, S.ORD


def _classify(items: list[Node]) -> list[tuple[str, str]]:
    """Kinds of each item, with binary operators that have no left operand made unary."""
    out: list[tuple[str, str]] = []
    prev: str | None = None
    for item in items:
        left, right = _kinds_of(item)
        if left == S.BIN and prev in (None, S.BIN, S.UNARY, S.REL, S.OPEN, S.PUNCT, S.OP):
            left = right = S.UNARY
        out.append((left, right))
        if left != S.SPACE:
            prev = right
    return out


def _gap(prev: str, nxt: str) -> str:
    if prev == S.SPACE or nxt == S.SPACE:
        return ""
    if prev == S.REL and nxt == S.REL:
        return ""  # as TeX sets them: `:=`, `<<`, `+=` are one sign, not `: =`, `< <`
    if prev in (S.BIN, S.REL) or nxt in (S.BIN, S.REL):
        return " "
    if prev == S.UNARY:
        return ""
    if nxt in (S.PUNCT, S.CLOSE) or prev == S.OPEN:
        return ""
    if prev == S.PUNCT:
        return " "
    if prev == S.OP:
        return " "
    if prev == S.FN:
        return "" if nxt == S.OPEN else " "
    if prev == S.WORD or nxt in (S.WORD, S.FN, S.OP):
        return "" if nxt == S.OPEN else " "
    if prev == S.CLOSE and nxt == S.WORD:
        return " "
    return ""


def _gaps(items: list[Node], kinds: list[tuple[str, str]], compact: bool) -> list[str]:
    """The separator before each item (the first is always empty)."""
    gaps = [""]
    for i in range(1, len(items)):
        g = _gap(kinds[i - 1][1], kinds[i][0])
        if compact and g and not {kinds[i - 1][1], kinds[i][0]} & {S.WORD, S.FN, S.OP}:
            g = ""
        if g and _opening_bar(items, kinds, i - 1):
            g = ""  # `|det(A)|`, `‖sin x‖`: not `| det(A)|`
        if (not g and kinds[i - 1][1] in (S.WORD, S.FN) and _bars(items[i])
                and kinds[i - 1][1] != S.SPACE):
            g = " "  # `log |x|`, `for |x|`: a bar is no bracket of an argument
        gaps.append(g)
    for i in range(1, len(items) - 1):
        # a bar between two terms (`P(A|\text{rain})`, "given") spaced as on its other side
        # when a word makes it one side's gap: `P(A | rain)`, not `P(A| rain)`
        if gaps[i] != gaps[i + 1] and _middle_bar(items[i]) \
                and S.WORD in (kinds[i - 1][1], kinds[i + 1][0]) \
                and S.SPACE not in (kinds[i - 1][1], kinds[i + 1][0]):
            gaps[i] = gaps[i + 1] = " "
    if compact:
        for i in range(1, len(items) - 1):
            # an operator spaced on one side (a word or function name beside it) is spaced
            # on both: `e^(zᵢ − max z)`, not `e^(zᵢ− max z)`
            if kinds[i][0] in (S.BIN, S.REL) and gaps[i] != gaps[i + 1] \
                    and S.SPACE not in (kinds[i - 1][1], kinds[i + 1][0]):
                gaps[i] = gaps[i + 1] = " "
    return gaps


def _middle_bar(node: Node) -> bool:
    return isinstance(node, Atom) and node.text in ("|", "‖") and node.kind == S.ORD


def _bars(node: Node) -> bool:
    """A group between bars (`|x|`, `‖w‖²`)."""
    if isinstance(node, Scripted):
        node = node.base
    return isinstance(node, Fenced) and node.left in ("|", "‖")


def _opening_bar(items: list[Node], kinds: list[tuple[str, str]], i: int) -> bool:
    """items[i] is a `|` or `‖` that opens (nothing before it but an operator, a relation,
    an opening bracket or a comma): what follows it sits against it as after a `(`."""
    item = items[i]
    if not (isinstance(item, Atom) and item.text in ("|", "‖")):
        return False
    return i == 0 or kinds[i - 1][1] in (S.BIN, S.UNARY, S.REL, S.OPEN, S.PUNCT, S.OP)


# --- inline --------------------------------------------------------------------------------


def inline(node: Node, compact: bool = False) -> str:
    """One line of text. `compact` drops operator spacing (used inside sub/superscripts)."""
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Row):
        return _inline_row(node.items, compact)
    if isinstance(node, Frac):
        return _inline_frac(node, compact)
    if isinstance(node, Binom):
        return f"({inline(node.top, compact)} choose {inline(node.bottom, compact)})"
    if isinstance(node, Sqrt):
        return _inline_sqrt(node, compact)
    if isinstance(node, Scripted):
        return _inline_scripted(node, compact)
    if isinstance(node, Fenced):
        return f"{node.left}{inline(node.body, compact)}{node.right}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(inline(a, compact) for a in node.args)})"
    if isinstance(node, Grid):
        return _inline_grid(node, compact)
    if isinstance(node, Accent):
        body = inline(node.body, compact)
        if _marks_each(node):
            return _marked(body, node.name)
        # a hat or an arrow over a sum, a fraction…: a mark on each of its signs would not
        # read as one accent over the whole
        return f"{node.name}({body})"
    if isinstance(node, Brace):
        return inline(_brace_scripted(node), compact)
    if isinstance(node, Boxed):
        return inline(node.body, compact)
    raise TypeError(f"not a math node: {node!r}")


def _marked(text: str, name: str) -> str:
    """`text` with the accent's combining mark on each of its characters (after any marks
    a character already carries): `A̅B̅`, `φ̅(̅x̅)̅`, `d⃗S⃗`. A line accent (overline, bar,
    underline) runs on across the spaces, so it reads as one line over the whole."""
    mark = S.ACCENTS[name]
    spaces = name in S.LINE_ACCENTS
    out: list[str] = []
    base = ""  # the character that starts the current cluster
    for i, ch in enumerate(text):
        out.append(ch)
        if not unicodedata.combining(ch):
            base = ch
        last_of_cluster = i + 1 == len(text) or not unicodedata.combining(text[i + 1])
        if last_of_cluster and base and (spaces or not base.isspace()):
            out.append(mark)
    return unicodedata.normalize("NFC", "".join(out))


def _inline_scripted(node: Scripted, compact: bool, closed: bool = False) -> str:
    """`closed`: something follows directly, so a spelled-out last script is bracketed
    (`x_(ij)k`, not `x_ijk`, which reads as the subscript ijk)."""
    base = inline(node.base, compact)
    if _base_needs_brackets(node.base):
        base = f"({base})"
    # A spelled-out subscript followed by a superscript is closed too: `x_(ij)²`, not `x_ij²`.
    sub = _script(node.sub, sup=False, closed=closed or node.sup is not None)
    return base + sub + _script(node.sup, sup=True, closed=closed)


def _script_is_followed(items: list[Node], kinds: list[tuple[str, str]], gaps: list[str],
                        i: int, compact: bool) -> bool:
    """True when items[i] is a sub/superscripted node with a factor glued to its right."""
    k = i + 1
    if not (isinstance(items[i], Scripted) and k < len(items) and not gaps[k]):
        return False
    # An operator, relation or comma is set apart by spaces, except inside a script
    # (compact), where `x^α+1` would read as x to the α+1.
    apart = (S.CLOSE, S.SPACE) if compact else (S.BIN, S.REL, S.PUNCT, S.CLOSE, S.SPACE)
    return kinds[k][0] not in apart


def _inline_row(items: list[Node], compact: bool) -> str:
    kinds = _classify(items)
    gaps = _gaps(items, kinds, compact)
    parts: list[str] = []
    for i, item in enumerate(items):
        text = _inline_in_row(items, kinds, gaps, i, compact)
        if isinstance(item, Frac) and _frac_is_juxtaposed(items, kinds, i):
            text = f"({text})"
        parts.append(gaps[i])
        parts.append(text)
    return "".join(parts)


def _inline_in_row(items: list[Node], kinds: list[tuple[str, str]], gaps: list[str], i: int,
                   compact: bool) -> str:
    """items[i] on one line, closed against what follows it: `x_(ij)k`, `√(2)x`."""
    item = items[i]
    if _script_is_followed(items, kinds, gaps, i, compact):
        return _inline_scripted(item, compact, closed=True)  # type: ignore[arg-type]
    text = inline(item, compact)
    if (isinstance(item, Sqrt) and not text.endswith(")")
            and not (i + 1 < len(items) and kinds[i + 1][0] == S.SPACE)  # `√2 E`: set apart
            and _frac_is_juxtaposed(items, kinds, i, after_only=True)):
        text = inline(Sqrt(Row([Fenced("(", item.body, ")")]), item.index), compact)
    if _indexed_root_is_preceded(items, kinds, gaps, i):
        text = f"({text})"
    return text


def _indexed_root_is_preceded(items: list[Node], kinds: list[tuple[str, str]],
                              gaps: list[str], i: int) -> bool:
    """A root whose index is written before it (`ⁿ√x`, `^α√x`) right after a factor: `2ⁿ√x`
    would read as 2ⁿ times √x, so it is bracketed, `2(ⁿ√x)` (∛ and ∜ are one sign)."""
    item = items[i]
    if not (isinstance(item, Sqrt) and item.index is not None and i and not gaps[i]):
        return False
    if inline(item.index, compact=True) in ("3", "4"):
        return False
    return kinds[i - 1][1] in (S.ORD, S.WORD, S.CLOSE, S.FN, S.OP)


def _inline_closed(row: Row, compact: bool) -> str:
    """A row on one line, closed at its end as if something followed it (a fraction's
    numerator before its `/`: `e^(α)/2`, not `e^α/2`, which reads as e to the α/2)."""
    items = _unwrap(row).items
    if items and isinstance(items[-1], Scripted):
        kinds = _classify(items)
        gaps = _gaps(items, kinds, compact)
        parts = [gap + inline(item, compact) for gap, item in zip(gaps[:-1], items[:-1])]
        return "".join(parts) + gaps[-1] + _inline_scripted(items[-1], compact, closed=True)
    return inline(row, compact)


def _frac_is_juxtaposed(items: list[Node], kinds: list[tuple[str, str]], i: int,
                        after_only: bool = False) -> bool:
    """A slashed fraction touching a factor (`x 1/2`, `1/2(f + g)`) would read wrongly;
    so would a root followed by one (`√2x`)."""
    j = i - 1
    while j >= 0 and kinds[j][0] == S.SPACE:
        j -= 1
    if j >= 0 and not after_only:
        prev = items[j]
        if kinds[j][1] in (S.ORD, S.WORD, S.CLOSE, S.FN, S.OP):
            return True
        if isinstance(prev, Atom) and prev.text in ("/", "÷"):
            return True
    k = i + 1
    while k < len(items) and kinds[k][0] == S.SPACE:
        k += 1
    return k < len(items) and kinds[k][0] in (S.ORD, S.WORD, S.OPEN, S.FN, S.OP)


def _factors_only(row: Row) -> bool:
    """True when a row is a plain product of factors (2TP, x², √2): no operator, no fraction."""
    items = _unwrap(row).items
    if not items:
        return False
    if len(items) > 1 and any(isinstance(x, Atom) and x.kind == S.WORD for x in items):
        return False  # `precision recall`: words side by side read as separate terms
    for item in items:
        if isinstance(item, Atom):
            if item.kind not in _ORDLIKE or item.text in ("/", "÷"):
                return False
        elif isinstance(item, (Frac, Grid)):
            return False
        elif isinstance(item, Row) and not _factors_only(item):
            return False
        elif isinstance(item, Scripted) and not _factors_only(Row([item.base])):
            return False  # a scripted fraction, or `∑ᵢ`, `maxᵢ`: (∑ᵢ aᵢ)/n, not ∑ᵢ aᵢ/n
        elif isinstance(item, Accent) and not _marks_each(item):
            return False  # `hat(a + b)`: a named form, not a factor with a mark
    return True


def _marks_each(node: Accent) -> bool:
    """Whether an accent is shown as its mark on each character (`A̅B̅`, `x̃ỹ`), not named
    (`hat(a + b)`): a line accent always, another over a plain product only."""
    if node.name not in S.LINE_ACCENTS:
        return _factors_only(node.body)
    stack: list[Node] = [node.body]
    while stack:  # a line over a named form would run over its name: name it too
        item = stack.pop()
        if isinstance(item, Accent) and not _marks_each(item):
            return False
        if isinstance(item, Row):
            stack.extend(item.items)
    return True


def _unwrap(row: Row) -> Row:
    while len(row.items) == 1 and isinstance(row.items[0], Row):
        row = row.items[0]
    return row


def _inline_frac(node: Frac, compact: bool) -> str:
    num = _inline_closed(node.num, compact)
    den = inline(node.den, compact)
    if not _factors_only(node.num):
        num = f"({num})"
    single = _factor_count(_unwrap(node.den).items) == 1
    if not (single and _factors_only(node.den)):
        den = f"({den})"
    return f"{num}/{den}"


def _factor_count(items: list[Node]) -> int:
    """Factors in a product, counting a function application `P(B)`, `f(x)` as one, and a
    differential `dx`, `∂x²` as one (`∂f/∂x`, `dy/dt`, as every reader reads them)."""
    count = 0
    for i, item in enumerate(items):
        prev = items[i - 1] if i else None
        applied = (isinstance(item, Fenced) and item.left == "(" and (
            (isinstance(prev, Atom) and not prev.number and prev.text.isalpha())
            or (isinstance(prev, Scripted) and isinstance(prev.base, Atom)
                and prev.base.text.isalpha())))
        if not applied and not _is_differential(prev):
            count += 1
    return count


def _is_differential(node: Node | None) -> bool:
    """`d` or `∂` (`\\partial`, `\\mathrm{d}`), possibly with a power (`∂²`), which makes
    one factor with what follows it."""
    if isinstance(node, Scripted) and node.sub is None:
        node = node.base
    return isinstance(node, Atom) and not node.number and node.text in ("d", "∂")


def _inline_sqrt(node: Sqrt, compact: bool) -> str:
    body = inline(node.body, compact)
    items = _unwrap(node.body).items
    if not (len(items) == 1 and _factors_only(node.body)):
        body = f"({body})"
    if node.index is None:
        return "√" + body
    index = inline(node.index, compact=True)
    if index == "3":
        return "∛" + body
    if index == "4":
        return "∜" + body
    return _script(node.index, sup=True) + "√" + body


def _base_needs_brackets(base: Node) -> bool:
    """A base that is itself a fraction, a scripted node or a root is bracketed:
    `{x^2}^3` is `(x²)³` (not `x²³`), `\\sqrt{a}^2` is `(√a)²` (not `√a²`)."""
    if isinstance(base, (Frac, Scripted, Sqrt)):
        return True
    if isinstance(base, Row):
        items = _unwrap(base).items
        return len(items) > 1 or (len(items) == 1 and _base_needs_brackets(items[0]))
    return False


def _script(row: Row | None, sup: bool, closed: bool = False) -> str:
    """`x²`, `xᵢ₌₁` where every character has a Unicode script form; `x_max`, `x^(a/b)` else.
    `closed`: something follows directly, so a spelled-out script is always bracketed."""
    if row is None:
        return ""
    text = inline(row, compact=True)
    if not text:
        return ""
    table = S.SUPERSCRIPTS if sup else S.SUBSCRIPTS
    letters_in_a_row = any(a.isalpha() and b.isalpha() for a, b in zip(text, text[1:]))
    if all(ch in table for ch in text) and not letters_in_a_row:
        return "".join(table[ch] for ch in text)
    if sup and all(ch == "′" for ch in text):
        return text
    mark = "^" if sup else "_"
    # isdigit() is also true of `²`: `x^{2^3}` must be `x^(2³)`, not `x^2³`.
    if text.startswith("(") and _brackets_close_at_end(text):
        return f"{mark}{text}"  # already one bracketed group: `x^(train)`, not `x^((train))`
    single = len(text) == 1 or (text.isascii() and text.isalnum())
    return f"{mark}{text}" if single and not closed else f"{mark}({text})"


def _brackets_close_at_end(text: str) -> bool:
    """True when the bracket opening `text` is the one that closes at its very end."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def _inline_grid(node: Grid, compact: bool) -> str:
    aligned = node.env not in S.ENVIRONMENT_DELIMITERS
    cell_sep = " " if aligned else ", "
    rows = [cell_sep.join(c for c in (inline(cell, compact) for cell in row) if c or not aligned)
            for row in node.rows]
    body = "; ".join(rows)
    left, right = S.ENVIRONMENT_DELIMITERS.get(node.env, ("", ""))
    if left == "{" and not right:
        right = "}"
    if right == "}" and not left:
        left = "{"
    return f"{left}{body}{right}"


# --- display -------------------------------------------------------------------------------


def pad(text: str, width: int, align: str = "left") -> str:
    space = width - cell_width(text)
    if space <= 0:
        return text
    if align == "right":
        return " " * space + text
    if align == "center":
        left = space // 2
        return " " * left + text + " " * (space - left)
    return text + " " * space


@dataclass
class Box:
    """Lines of equal width; `baseline` is the row that lines up with its neighbours' rows."""

    lines: list[str]
    baseline: int = 0

    @property
    def width(self) -> int:
        return max((cell_width(line) for line in self.lines), default=0)

    @property
    def height(self) -> int:
        return len(self.lines)


def _text(text: str) -> Box:
    return Box([text], 0)


def hconcat(boxes: list[Box]) -> Box:
    boxes = [b for b in boxes if b.lines]
    if not boxes:
        return Box([""], 0)
    above = max(b.baseline for b in boxes)
    below = max(b.height - b.baseline - 1 for b in boxes)
    lines = [""] * (above + below + 1)
    for b in boxes:
        w = b.width
        top = above - b.baseline
        for r in range(len(lines)):
            src = r - top
            lines[r] += pad(b.lines[src] if 0 <= src < b.height else "", w)
    return Box(lines, above)


def _vstack_centered(parts: list[Box], width: int) -> list[str]:
    return [pad(line, width, "center") for part in parts for line in part.lines]


_TALL: dict[str, tuple[str, str, str, str]] = {
    # top, extension, bottom, middle
    "(": ("⎛", "⎜", "⎝", "⎜"), ")": ("⎞", "⎟", "⎠", "⎟"),
    "[": ("⎡", "⎢", "⎣", "⎢"), "]": ("⎤", "⎥", "⎦", "⎥"),
    "{": ("⎧", "⎪", "⎩", "⎨"), "}": ("⎫", "⎪", "⎭", "⎬"),
    "⌊": ("⎢", "⎢", "⎣", "⎢"), "⌋": ("⎥", "⎥", "⎦", "⎥"),
    "⌈": ("⎡", "⎢", "⎢", "⎢"), "⌉": ("⎤", "⎥", "⎥", "⎥"),
    "|": ("│", "│", "│", "│"), "‖": ("‖", "‖", "‖", "‖"),
}


def _tall_delimiter(ch: str, height: int, baseline: int) -> Box:
    if not ch:
        return Box([""] * height, baseline)
    if height == 1:
        return Box([ch], 0)
    if ch in _TALL:
        top, ext, bottom, middle = _TALL[ch]
        lines = [top] + [ext] * (height - 2) + [bottom]
        if ch in "{}" and height >= 3:
            lines[min(max(baseline, 1), height - 2)] = middle
        return Box(lines, baseline)
    if ch in "⟨⟩":
        up, down = ("╱", "╲") if ch == "⟨" else ("╲", "╱")
        lines = [up if r < baseline else down if r > baseline else ch for r in range(height)]
        return Box(lines, baseline)
    width = cell_width(ch)
    return Box([ch if r == baseline else " " * width for r in range(height)], baseline)


def _fence(left: str, body: Box, right: str) -> Box:
    return hconcat([
        _tall_delimiter(left, body.height, body.baseline),
        body,
        _tall_delimiter(right, body.height, body.baseline),
    ])


MAX_DISPLAY_LINES = 40  # a taller 2-D block is unreadable (and slow to build)
MAX_DISPLAY_CELLS = 20_000  # lines x columns of one 2-D block


class TooBig(Exception):
    """A 2-D block past MAX_DISPLAY_LINES or MAX_DISPLAY_CELLS; raised as soon as a part of
    it is (a part is never bigger than the whole), so the work stops early."""


def display(node: Node) -> Box:
    """A 2-D block: fractions stacked, everything else on the fraction bar's row.

    Raises TooBig as soon as the block grows past the display budget."""
    box = _display(node)
    if box.height > 1 and (box.height > MAX_DISPLAY_LINES
                           or box.height * box.width > MAX_DISPLAY_CELLS):
        raise TooBig(f"{box.height} lines")
    return box


def _display(node: Node) -> Box:
    if isinstance(node, Atom):
        return _text(node.text)
    if isinstance(node, Row):
        return _display_row(node.items)
    if isinstance(node, Frac):
        num, den = display(node.num), display(node.den)
        width = max(num.width, den.width, 1)
        if num.height > 1 or den.height > 1:
            width += 2  # a fraction of fractions: the main rule overhangs the inner ones
        lines = _vstack_centered([num], width) + ["─" * width] + _vstack_centered([den], width)
        return Box(lines, num.height)
    if isinstance(node, Binom):
        top, bottom = display(node.top), display(node.bottom)
        width = max(top.width, bottom.width, 1)
        lines = _vstack_centered([top, bottom], width)
        inner = Box(lines, (len(lines) - 1) // 2)
        return _fence("(", inner, ")")
    if isinstance(node, Sqrt):
        body = display(node.body)
        if body.height == 1:
            return _text(inline(node))
        prefix = _script(node.index, sup=True) if node.index is not None else ""
        return hconcat([_text(prefix + "√"), _fence("(", body, ")")])
    if isinstance(node, Scripted):
        stacked = _limits(node)
        if stacked is not None:
            return stacked
        inner = node.base
        while isinstance(inner, Scripted):  # bounded by the tree's checked depth
            inner = inner.base
        if display(inner).height == 1:  # scripts are one line: so is the whole chain
            return _text(inline(node))  # (once: not at every level of `x^a^b^c…`)
        base = display(node.base)
        if isinstance(node.base, Frac):
            base = _fence("(", base, ")")
        sup = _script(node.sup, sup=True)
        sub = _script(node.sub, sup=False)
        width = max(cell_width(sup), cell_width(sub))
        column = [""] * base.height
        column[0] = sup
        column[-1] = sub if base.height > 1 else sup + sub
        return hconcat([base, Box([pad(c, width) for c in column], base.baseline)])
    if isinstance(node, Fenced):
        return _fence(node.left, display(node.body), node.right)
    if isinstance(node, Call):
        args: list[Box] = []
        for i, arg in enumerate(node.args):
            if i:
                args.append(_text(", "))
            args.append(display(arg))
        return hconcat([_text(node.name), _fence("(", hconcat(args), ")")])
    if isinstance(node, Grid):
        return _display_grid(node)
    if isinstance(node, Accent):
        return _display_accent(node)
    if isinstance(node, Brace):
        return _display_brace(node)
    if isinstance(node, Boxed):
        body = display(node.body)
        width = body.width
        lines = (["┌" + "─" * (width + 2) + "┐"]
                 + ["│ " + pad(line, width) + " │" for line in body.lines]
                 + ["└" + "─" * (width + 2) + "┘"])
        return Box(lines, body.baseline + 1)
    raise TypeError(f"not a math node: {node!r}")


def _brace_scripted(node: Brace) -> Scripted:
    """A brace on one line: its label as the body's subscript (superscript over)."""
    return Scripted(node.body, sub=node.label if node.under else None,
                    sup=None if node.under else node.label)


def _display_brace(node: Brace) -> Box:
    """The body over `└──┬──┘` over its label (under a `┌──┴──┐` for an over-brace)."""
    body = display(node.body)
    label = display(node.label)
    span = max(body.width, 3)
    tip = span // 2
    rule = ("└┬┘" if node.under else "┌┴┐")
    line = rule[0] + "─" * (tip - 1) + rule[1] + "─" * (span - tip - 2) + rule[2]
    width = max(span, label.width)
    centred = [pad(x, width, "center") for x in body.lines]
    labels = [pad(x, width, "center") for x in label.lines]
    line = pad(line, width, "center")
    if node.under:
        return Box(centred + [line] + labels, body.baseline)
    return Box(labels + [line] + centred, len(labels) + 1 + body.baseline)


def _display_accent(node: Accent) -> Box:
    """One line: the marks on its characters. A taller body (a fraction under a hat): a rule
    over it, `───→` for an arrow, `‾‾‾` for a bar, the accent's sign centred else; under it
    for the `under…` accents."""
    body = display(node.body)
    if body.height == 1:
        return _text(inline(node))
    width = body.width
    rule = S.ACCENT_RULES.get(node.name)
    if rule in ("→", "←", "↔"):
        line = {"→": "─" * (width - 1) + "→", "←": "←" + "─" * (width - 1),
                "↔": "←" + "─" * max(width - 2, 0) + "→"}[rule]
    elif rule is None:  # a line accent: `‾` over, `_` under, never a fraction's `─`
        line = ("_" if node.name.startswith("under") else "‾") * width
    else:
        line = pad(rule, width, "center")
    line = pad(line, width)
    if node.name.startswith("under"):
        return Box(body.lines + [line], body.baseline)
    return Box([line] + body.lines, body.baseline + 1)


# Operators whose limits a display sets under and over them (LaTeX's display style): the
# large operators but the integrals, and the functions with limits (`\\lim`, `\\max`…)
_LIMITS_UNDER = frozenset(ch for name, ch in S.BIG_OPERATORS.items()
                          if "int" not in name) | frozenset(
    "lim liminf limsup max min sup inf argmax argmin det Pr gcd".split())


def _limits(node: Node, always: bool = False) -> Box | None:
    """`∑` with its limits under and over it, when a script cannot be written in Unicode's
    script letters: `∑_(c=1)^C` and `lim_(n→∞)` read as code, where a display sets

          C
          ∑        lim
         c=1       n→∞

    (`∑ᵢ₌₁ⁿ` stays as it is, unless `always`: a row with one sum stacked stacks them all).
    None for any other node."""
    if not isinstance(node, Scripted) or not isinstance(node.base, Atom):
        return None
    if "".join(node.base.text.split()) not in _LIMITS_UNDER:  # `arg max` (\\operatorname*)
        return None
    sub, sup = _script(node.sub, sup=False), _script(node.sup, sup=True)
    if not (always or sub[:1] in ("_", "^") or sup[:1] in ("_", "^")):
        return None  # every script in Unicode's script letters: `∑ᵢ₌₁ⁿ`, `maxᵢ`
    over = inline(node.sup, compact=True) if node.sup is not None else ""
    under = inline(node.sub, compact=True) if node.sub is not None else ""
    op = node.base.text
    width = max(cell_width(op), cell_width(over), cell_width(under))
    rows = ([pad(over, width, "center")] if over else []) + [pad(op, width, "center")]
    rows += [pad(under, width, "center")] if under else []
    return Box(rows, 1 if over else 0)


def _tall_node(node: Node) -> bool:
    return isinstance(node, (Frac, Binom))


def _display_row(items: list[Node]) -> Box:
    kinds = _classify(items)
    gaps = _gaps(items, kinds, compact=False)
    boxes: list[Box] = []
    # one sum's limits set under and over it: so are its neighbours' (`∑ᵢ₌₁ᴺ` beside a
    # stacked `∑` over `c=1` read as two kinds of sum)
    stacked = [_limits(item) for item in items]
    if any(box is not None for box in stacked):
        stacked = [_limits(item, always=True) for item in items]
    after_limits = False  # the item before is an operator with its limits under and over it
    for i, item in enumerate(items):
        gap = gaps[i]
        if after_limits and not gap and kinds[i][0] not in (S.CLOSE, S.PUNCT):
            gap = " "  # `lim ⎛1 + ─⎞`, not `lim⎛…`: the limit under `lim` is no argument
        if (i and not gap and (_tall_node(item) or _tall_node(items[i - 1]))
                and S.SPACE not in (kinds[i - 1][1], kinds[i][0])
                and kinds[i - 1][1] not in (S.OPEN, S.UNARY)
                and kinds[i][0] not in (S.CLOSE, S.PUNCT)):
            gap = " "  # keep two stacked fractions (or a fraction and a factor) apart
        if gap:
            boxes.append(_text(gap))
        after_limits = stacked[i] is not None
        box = stacked[i] if after_limits else display(item)
        if after_limits:
            pass  # `∑` with its limits under and over it
        elif box.height == 1 and isinstance(item, (Scripted, Sqrt)):
            box = _text(_inline_in_row(items, kinds, gaps, i, compact=False))  # `√(2)x`
        elif _indexed_root_is_preceded(items, kinds, gaps, i):
            box = _fence("(", box, ")")
        boxes.append(box)
    return hconcat(boxes) if boxes else Box([""], 0)


def _display_grid(node: Grid) -> Box:
    aligned = node.env not in S.ENVIRONMENT_DELIMITERS
    cells = [[display(cell) for cell in row] for row in node.rows]
    ncols = max(len(r) for r in cells)
    widths = [max((r[c].width for r in cells if c < len(r)), default=0) for c in range(ncols)]

    def align(col: int) -> str:
        if ncols == 1:
            return "center"  # lines split by \\ alone are centred, as MathJax shows them
        if aligned:
            return "right" if col % 2 == 0 else "left"
        return "center" if "matrix" in node.env else "left"

    sep = " " if aligned else "  "
    lines: list[str] = []
    row_boxes: list[Box] = []
    for row in cells:
        parts: list[Box] = []
        for c in range(ncols):
            box = row[c] if c < len(row) else Box([""], 0)
            padded = Box([pad(line, widths[c], align(c)) for line in box.lines], box.baseline)
            if c:
                empty_next = c < len(row) and not "".join(row[c].lines).strip()
                parts.append(_text("" if aligned and empty_next else sep))
            parts.append(padded)
        row_boxes.append(hconcat(parts))
    for r, box in enumerate(row_boxes):
        if r and (box.height > 1 or row_boxes[r - 1].height > 1):
            lines.append("")
        lines.extend(box.lines)
    total = max((cell_width(line) for line in lines), default=0)
    body = Box([pad(line, total) for line in lines], (len(lines) - 1) // 2)
    left, right = S.ENVIRONMENT_DELIMITERS.get(node.env, ("", ""))
    if left or right:
        return _fence(left, body, right)
    return body
