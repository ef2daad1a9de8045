"""The two entry points on a LaTeX string: one line, or a 2-D block.

Both work within a budget (see `tree.MAX_SOURCE` and friends, and `layout.MAX_DISPLAY_*`):
a formula past it, or one that fails anywhere in parsing or layout, comes back as its LaTeX
source, so no card can hang or crash a screen. A 2-D block too big to read comes back as the
one-line form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flashdeck.mathtext import layout
from flashdeck.mathtext.symbols import (BIN, CLOSE, FN, OP, OPEN, ORD, PUNCT, REL, SPACE,
                                        WORD)
from flashdeck.mathtext.tree import Atom, Fenced, Row, Scripted, parse_bounded

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
    return _parse_and_display(latex)[1]


def _parse_and_display(latex: str) -> tuple[Row | None, tuple[str, ...]]:
    """(the tree, or None when the source could not be parsed; the block's lines)."""
    if not latex.strip():
        return None, ()
    try:
        tree = parse_bounded(latex)
    except Exception:  # noqa: BLE001 - see _inline_cached
        return None, source_block(latex)
    return tree, _display_tree(latex, tree)


def _display_tree(latex: str, tree: Row) -> tuple[str, ...]:
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


# -- fitting a display block to a width ----------------------------------------------------
# A chain `F₁ = a = b = c` wider than the screen is broken at its top-level relation signs
# (never inside a fraction, a bracket or a group: only the signs of the formula's own row),
# one form per line-block, each continuation starting with its relation, aligned on the first
# one as a textbook does. A form still too wide is shown whole as its own 2-D block and
# reported as overflowing (`Fit.overflow`), so the screen can offer to scroll it: nothing is
# ever cut. A block too big for 2-D at all is the one-line form (as without a width).


@dataclass(frozen=True)
class Fit:
    """A display block for a width: its lines, and by how many columns its widest line is
    wider than the width (0 when it fits)."""

    lines: tuple[str, ...]
    overflow: int = 0


def _trim(lines: list[str]) -> list[str]:
    """Blank rows at the top or bottom (a lone sub/superscript column) are not content."""
    while len(lines) > 1 and not lines[0].strip():
        lines.pop(0)
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return lines


def _block_width(lines) -> int:
    return max((layout.cell_width(line) for line in lines), default=0)


def _top_row(tree: Row) -> list:
    """The formula's own items (a formula wrapped whole in braces is the same formula)."""
    items = tree.items
    while len(items) == 1 and isinstance(items[0], Row):
        items = items[0].items
    return items


def _is_relation(node) -> bool:
    return isinstance(node, Atom) and node.kind == REL and node.text not in (":",)


def _chain(tree: Row) -> tuple[list, list[list]] | None:
    """(left-hand side, [[relation, *form], …]) split at the top-level relations, or None
    when the formula is no chain (no relation at the top, or one with nothing around it)."""
    items = _top_row(tree)
    cuts = [i for i, item in enumerate(items) if _is_relation(item)]
    # a relation sign followed directly by another (`=` `-`), or at the very end, is not a
    # place to break: keep it with what follows
    cuts = [i for i in cuts if i + 1 < len(items) and not _is_relation(items[i + 1])]
    if not cuts:
        return None
    lhs = items[:cuts[0]]
    forms = [items[a:b] for a, b in zip(cuts, cuts[1:] + [len(items)])]
    if len(forms) == 1 and not lhs:
        return None
    return lhs, forms


def _lines(node) -> list[str]:
    box = layout.display(node)
    width = box.width
    return _trim([layout.pad(line, width) for line in box.lines])


def _indent(lines: list[str], columns: int) -> list[str]:
    return [" " * columns + line for line in lines]


def _stack(blocks: list[list[str]]) -> list[str]:
    """Line-blocks one under the other, a blank line between two when either is 2-D."""
    out: list[str] = []
    for k, block in enumerate(blocks):
        if k and (len(block) > 1 or len(blocks[k - 1]) > 1):
            out.append("")
        out.extend(block)
    width = _block_width(out)
    return [layout.pad(line, width) for line in out]


def _pack(head: list, forms: list[list], width: int, rest: int | None = None,
          lead: tuple = ()) -> list[list[list]]:
    """Consecutive forms side by side while they fit (as a textbook fills a line), the first
    group after `head` in `width`, the others after `lead` in `rest` (default `width`):
    [forms of each group]."""
    groups: list[list[list]] = [[forms[0]]]
    for form in forms[1:]:
        items = (head if len(groups) == 1 else [*lead]) + \
            [x for f in groups[-1] + [form] for x in f]
        room = width if len(groups) == 1 or rest is None else rest
        if _block_width(_lines(Row(items))) <= room:
            groups[-1].append(form)
        else:
            groups.append([form])
    return groups


def _flat(forms: list[list]) -> list:
    return [x for f in forms for x in f]


def _terms(form: list) -> list[list]:
    """A form cut before each of its own `+`, `−`, `±` and `∓` (binary: one with a term
    before it), never inside a fraction, a bracket or a group: `= a + b − c` as `= a`,
    `+ b`, `− c`."""
    cuts = [i for i in range(1, len(form))
            if _is_term_sign(form[i]) and not _is_relation(form[i - 1])
            and not _is_term_sign(form[i - 1]) and i + 1 < len(form)]
    return [form[a:b] for a, b in zip([0, *cuts], [*cuts, len(form)])]


def _is_term_sign(node) -> bool:
    return isinstance(node, Atom) and node.kind == BIN and node.text in _TERM_SIGNS


_TERM_SIGNS = frozenset("+−-±∓")


def _opened(form: list, least: int) -> list | None:
    """A form that is one product (`−(1/N) ∑ (y log ŷ + (1 − y) log(1 − ŷ))`) with its
    widest bracket opened into plain signs, so that the sum inside can be broken
    before its terms like a sum outside; None when it has no such bracket at least `least`
    columns wide (a short `(a₂ − a₁)` is not torn apart)."""
    best = None
    for k, item in enumerate(form):
        fence = item.base if isinstance(item, Scripted) else item  # `(…)²`
        if not (isinstance(fence, Fenced) and fence.left and fence.right):
            continue
        if len(_terms(fence.body.items)) < 2:
            continue
        lines = _lines(item)
        # a one-line bracket first; a tall one (a fraction inside) only when none is wide
        # enough: its signs are then drawn one line high, around a sum that is broken
        key = (len(lines) == 1, _block_width(lines))
        if key[1] >= least and (best is None or key > best[1]):
            best = (k, key)
    if best is None:
        return None
    k = best[0]
    item = form[k]
    fence = item.base if isinstance(item, Scripted) else item
    close: object = Atom(fence.right, CLOSE)
    if isinstance(item, Scripted):  # its scripts go on the closing sign: `…)²`
        close = Scripted(close, item.sub, item.sup)
    return [*form[:k], Atom(fence.left, OPEN), *fence.body.items, close, *form[k + 1:]]


_NOTHING = Atom("", ORD)


def _group_blocks(head: list, group: list[list], width: int,
                  open_brackets: bool = False) -> list[list[str]]:
    """One packed group's line-blocks: one, or for a lone form still wider than `width` (a
    long sum), its terms as many to a line as fit, each continuation starting with its
    sign under the form's first term."""
    lines = _lines(Row(head + _flat(group)))
    if _block_width(lines) <= width or len(group) != 1:
        return [lines]
    terms = _terms(group[0])
    if open_brackets:  # a term still too wide (one product): broken inside its bracket
        wider: list[list] = []
        for term in terms:
            opened = None
            if len(terms) < 2 or _block_width(_lines(Row(term))) > width - 4:
                opened = _opened(term, width // 3)
            wider.extend(_terms(opened) if opened is not None else [term])
        terms = wider
    if len(terms) < 2:
        return [lines]
    lead = head + terms[0][:1] if _is_relation(terms[0][0]) else head
    under = _block_width(_lines(Row(lead))) + 1 if lead else 2  # where the first term starts
    if width - under < 8:
        under = 2  # a wide left-hand side: the continuations hang a little instead
    groups = _pack(head, terms, width, width - under + 1, lead=(_NOTHING,))
    # a continuation's sign is binary (`+ b`, not `+b`): set after an empty term, whose
    # column the indent takes back
    return [_lines(Row(head + _flat(groups[0])))] + \
        [_indent(_lines(Row([_NOTHING, *_flat(g)])), under - 1) for g in groups[1:]]


def _broken(lhs: list, forms: list[list], width: int,
            open_brackets: bool = False) -> tuple[list[str], int]:
    """The chain broken at its relations, as many forms to a line-block as fit, a form still
    too wide broken before its terms (`_group_blocks`); (lines, overflow). Tries the textbook
    layout (continuations aligned on the first relation) first, then a narrow hanging
    indent."""
    lhs_lines = _lines(Row(lhs)) if lhs else []
    lhs_width = _block_width(lhs_lines) + 1 if lhs else 0
    lhs_blocks = [lhs_lines]
    if lhs_width > width:  # a left-hand side wider than the width: broken in its turn
        lhs_blocks = _wrapped(lhs, width, open_brackets)
    first = _lines(Row(lhs + forms[0])) if lhs else _lines(Row(forms[0]))
    best: tuple[list[str], int] | None = None
    for indent in dict.fromkeys((lhs_width, min(lhs_width, 4), 0)):
        blocks = []
        room = width - indent
        if lhs and indent < lhs_width and _block_width(first) > width:
            blocks.extend(lhs_blocks)  # the left-hand side on its own, the forms under it
            for group in _pack([], forms, room):
                blocks.extend(_indent(lines, indent)
                              for lines in _group_blocks([], group, room, open_brackets))
        else:
            for k, group in enumerate(_pack(lhs, forms, room)):
                # the first group starts the block at its left edge (after the left-hand
                # side), the others under it at `indent`
                for lines in _group_blocks(lhs if k == 0 else [], group, room if k else width,
                                           open_brackets):
                    blocks.append(_indent(lines, indent) if k else lines)
        lines = _stack(blocks)
        overflow = max(0, _block_width(lines) - width)
        if best is None or overflow < best[1]:
            best = (lines, overflow)
        if not overflow:
            break
    return best


def _wrapped(items: list, width: int, open_brackets: bool) -> list[list[str]]:
    """Items that are no chain (a left-hand side) in `width`, as line-blocks: a sum before
    its terms (`_group_blocks`), else, when that is still too wide, as a line of prose
    wraps: before its terms, around its words (`\\text{…}`, a long one at its spaces), as
    many to a line as fit, each line after the first two columns in; the narrower of the
    two."""
    best = _group_blocks([], [items], width, open_brackets)
    best_width = _block_width(_stack(best))
    if best_width <= width:
        return best
    pieces = _pieces(items)
    if len(pieces) < 2:
        return best
    rows: list[list] = [[]]
    for piece in pieces:
        room = width if len(rows) == 1 else width - 2
        if rows[-1] and _block_width(_lines(Row(rows[-1] + piece))) > room:
            rows.append([])
        rows[-1].extend(piece)
    blocks = [_lines(Row(row)) if k == 0
              else _indent(_lines(Row([_NOTHING, *row])), 1) if _is_term_sign(row[0])
              else _indent(_lines(Row(row)), 2)
              for k, row in enumerate(rows) if row]
    return blocks if _block_width(_stack(blocks)) < best_width else best


def _pieces(items: list) -> list[list]:
    """What a line may break between: before a `+`/`−` term, around a text of prose (words,
    or one ending in a colon: `\\text{for the fourth of a circle:}`), between its words; a
    one-word name (`\\text{precision}`) is a term's factor like any other."""
    pieces: list[list] = []
    for term in _terms(items):
        current: list = []
        for item in term:
            if isinstance(item, Atom) and item.kind == WORD and (
                    " " in item.text.strip() or item.text.rstrip().endswith(":")):
                if current:
                    pieces.append(current)
                words = item.text.split(" ")
                if len(words) > 1 and all(words):
                    pieces.extend([Atom(word, WORD)] for word in words)
                else:
                    pieces.append([item])
                current = []
            else:
                current.append(item)
        if current:
            pieces.append(current)
    return pieces


def _break_items(items: list, width: int) -> tuple[list[str], int]:
    """One statement broken for a width: at its relations (a chain), else (no relation) a
    long sum before its terms; a product still too wide, inside its widest bracket, as the
    last resort; (lines, overflow)."""
    best = _break_with(items, width, open_brackets=False)
    if best[1]:
        opened = _break_with(items, width, open_brackets=True)
        if opened[1] < best[1]:
            return opened
    return best


def _break_with(items: list, width: int, open_brackets: bool) -> tuple[list[str], int]:
    chain = _chain(Row(items))
    if chain is not None:
        return _broken(*chain, width, open_brackets)
    lines = _stack(_group_blocks([], [items], width, open_brackets))
    return lines, max(0, _block_width(lines) - width)


def _is_wide_space(node) -> bool:
    return isinstance(node, Atom) and node.kind == SPACE and len(node.text) >= 2


def _statements(items: list) -> list[tuple[list, list]]:
    """The formula's statements, as [(the spaces before it, its items)]: its own items
    split at each run of spaces holding a `\\quad` or wider (`μ = …, \\quad σ² = …`), and,
    between two that each hold a relation, after a comma or semicolon (`TP = 300, FP = 200`)
    and before a word (`x = 2 \\text{ and } y = 3`). `x = 1, 2, 3` stays one statement."""
    pieces: list[tuple[list, list, bool]] = []  # (spaces before, items, set apart by a quad)
    sep: list = []
    part: list = []
    strong = False

    def cut(next_sep: list, next_strong: bool) -> None:
        nonlocal sep, part, strong
        if part:
            pieces.append((sep, part, strong))
            sep, part, strong = next_sep, [], next_strong
        else:
            sep, strong = sep + next_sep, strong or next_strong

    k = 0
    while k < len(items):
        item = items[k]
        if isinstance(item, Atom) and item.kind == SPACE:
            run = k
            while run < len(items) and isinstance(items[run], Atom) and items[run].kind == SPACE:
                run += 1
            if any(_is_wide_space(x) for x in items[k:run]):
                cut(items[k:run], True)
            elif not part:
                sep = sep + items[k:run]  # the spaces after a comma: before the next one
            else:
                part.extend(items[k:run])
            k = run
            continue
        if _connective(item) and part and _operand(part[-1]):
            cut([], False)  # `and`, `where`, `for` after an operand opens what follows
        part.append(item)
        k += 1
        if isinstance(item, Atom) and item.kind == PUNCT and item.text in (",", ";"):
            cut([], False)
    if part:
        pieces.append((sep, part, strong))
    merged: list[tuple[list, list]] = []
    for sep, part, strong in pieces:
        if merged and not strong and not (_holds_relation(merged[-1][1])
                                          and _holds_relation(part)):
            merged[-1] = (merged[-1][0], merged[-1][1] + sep + part)
        else:
            merged.append((sep, part))
    return merged


# Words that join two statements (`x = 2 \\text{ and } y = 3`), never a quantity's name.
_CONNECTIVES = frozenset(
    "and or so where with for if then hence thus since because when while but i.e. e.g. "
    "otherwise s.t. such given as let also therefore whereas iff und et и где".split())


def _connective(node) -> bool:
    if not (isinstance(node, Atom) and node.kind == WORD):
        return False
    words = node.text.split()
    return bool(words) and words[0].lower().rstrip(",:") in _CONNECTIVES


def _operand(node) -> bool:
    """Whether a node ends an operand (not an operator, relation or opening waiting for
    one: `precision × recall` is one product, `x = 2 and` a statement and a word)."""
    return not (isinstance(node, Atom) and node.kind in (BIN, REL, OPEN, PUNCT, OP, FN))


def _holds_relation(items: list) -> bool:
    return any(_is_relation(x) for x in items)


def _statements_fit(parts: list[tuple[list, list]], width: int) -> tuple[list[str], int]:
    """Statements side by side while they fit, else one under the other, each broken on its
    own when it alone is too wide: `v = a \\quad w = b` never reads as `v = a w` then `= b`."""
    groups: list[list] = []
    for sep, part in parts:
        if groups:
            trial = groups[-1] + sep + part
            if _block_width(_lines(Row(trial))) <= width:
                groups[-1] = trial
                continue
        groups.append(list(part))
    blocks = []
    for group in groups:
        lines = _lines(Row(group))
        if _block_width(lines) > width:
            lines = _break_items(group, width)[0]
        blocks.append(lines)
    lines = _stack(blocks)
    return lines, max(0, _block_width(lines) - width)


@lru_cache(maxsize=512)
def _fit_cached(latex: str, width: int) -> Fit:
    tree, whole = _parse_and_display(latex)  # one parse for the whole block and its forms
    whole_width = _block_width(whole)
    if whole_width <= width:
        return Fit(whole)
    try:
        parts = _statements(_top_row(tree)) if tree is not None else []
        if len(parts) > 1:  # statements (a \quad, a comma, `and` between them): each its own
            broken = _statements_fit(parts, width)
        elif tree is not None:
            broken = _break_items(_top_row(tree), width)
        else:
            broken = None
    except Exception:  # noqa: BLE001 - invalid, past the budget (TooBig) or a bug: no break,
        broken = None  # the whole block below is shown instead, flagged, never cut
    if broken is not None and broken[1] < whole_width - width:
        return Fit(tuple(broken[0]), broken[1])
    return Fit(whole, whole_width - width)


def fit_display(latex: str, width: int | None = None) -> Fit:
    """`render_display` for a width, with how much it still overflows (see `Fit`)."""
    if width is None:
        return Fit(_display_cached(latex))
    return _fit_cached(latex, max(int(width), 1))


def render_inline(latex: str) -> str:
    """One line: `\\frac{a+b}{c}` -> `(a + b)/c`, with brackets exactly where needed.

    Invalid LaTeX (unbalanced braces), or a formula past the budget (too long, nested too
    deep), comes back as its source, on one line.
    """
    return _inline_cached(latex)


def render_display(latex: str, width: int | None = None) -> list[str]:
    """A 2-D block as lines of equal width: fractions stacked over a `─` rule, centred,
    nested fractions too; the other terms sit on the fraction bar's row.

    Empty input gives no lines; invalid LaTeX, or a formula past the budget, gives its source
    lines unchanged (padded); a block too tall or too big to read gives the one-line form.
    With a `width`, a block wider than it is broken at its top-level relations, one form per
    line-block aligned on the relation; a form that is still too wide stays whole (never cut:
    `fit_display` tells by how much it overflows).
    """
    return list(fit_display(latex, width).lines)
