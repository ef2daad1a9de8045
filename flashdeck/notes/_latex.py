"""What a display formula defines: the names on the left of its equations.

`F_1 = \\frac{2}{…} = …` defines `F_1`; `D = … \\qquad J = …` and
`\\text{precision} = …, \\quad \\text{recall} = …` define two names each; an `aligned`
block one per row that has a left side. Only the author's LaTeX source is sliced (the
name is rendered where it is shown), one linear scan, bounded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

__all__ = ["equation_names", "equation_sides"]

_MAX_SOURCE = 20_000  # a longer block is asked by its context
_MAX_NAME = 80
_MAX_NAMES = 4
_ENV_RE = re.compile(r"\\(begin|end)\{(aligned|align\*?|gathered|gather\*?|split|equation\*?)\}")
# top-level separators between equations written side by side
_SEP_RE = re.compile(
    r"\\\\|\\qquad\b|\\quad\b|\\text\s*\{\s*(?:and|,|;)\s*\}|\\(?:text|mathrm)\s*\{\s*and\s*\}|[,;]")
# what opens a condition on a formula rather than an equation of its own
_QUALIFIER_RE = re.compile(
    r"(?:\\(?:text|textrm|mathrm|textit|mbox)\s*\{\s*(?:for|where|if|when|with|and|s\.t\.|"
    r"such that|subject to|unless|otherwise)\b|\\(?:forall|quad|qquad)\b|"
    r"(?:for|where|if|when|with)\b)", re.I)
_DOTS_RE = re.compile(r"\s*(?:\\[lcv]?dots[bcimo]?\b|\.\.\.|…)")
# environments whose rows are one value's parts, not equations of their own
_NESTED_ENV_RE = re.compile(
    r"\\(begin|end)\s*\{(?:[dr]?cases|array|[pbBvV]?matrix|smallmatrix|subarray)\*?\}")
# the relations a left-hand side is defined or estimated by, besides `=`: LaTeX source ->
# how the front shows it (`\\log_2(n!) \\approx …` is asked "log₂(n!) ≈ ?")
_RELATIONS = {
    "=": "=", "\\approx": "≈", "≈": "≈", "\\sim": "∼", "∼": "∼", "\\simeq": "≃",
    "≃": "≃", "\\propto": "∝", "∝": "∝", "\\le": "≤", "\\leq": "≤", "≤": "≤",
    "\\ge": "≥", "\\geq": "≥", "≥": "≥", "\\equiv": "≡", "≡": "≡",
}
_RELATION_RE = re.compile(
    r"=|\\(?:approx|simeq|sim|propto|leq?|geq?|equiv)(?![A-Za-z])|[≈∼≃∝≤≥≡]")
_NOT_A_NAME_RE = re.compile(r"\\(?:[a-zA-Z]+|.)|[{}\s\d.,;:+\-*/^_()\[\]|&!<>=']")
# a bracket of the formula: `(`, `[`, `\{`, `\langle`, `\lvert`, … and `\left<delim>`; the
# group names whether it opens (`(`, `[`, `\l…`) or closes
_BRACKET_RE = re.compile(
    r"(?P<open>[(\[]|\\left\s*(?:\\[a-zA-Z]+|\\.|.)|\\\{|\\(?:lbrace|langle|lvert|lVert|lceil"
    r"|lfloor)(?![a-zA-Z]))|(?P<close>[)\]]|\\right\s*(?:\\[a-zA-Z]+|\\.|.)|\\\}|\\(?:rbrace"
    r"|rangle|rvert|rVert|rceil|rfloor)(?![a-zA-Z]))")


def _top_level(latex: str) -> list[int]:
    """Brace depth before each character (a `\\{`, `\\}` or other escape is not a brace);
    -1 marks the second character of an escape."""
    n = len(latex)
    out = [0] * n
    depth = 0
    done = 0  # out[:done] is written
    # only escapes and braces change anything: the runs between them are filled at once
    for m in _BRACE_OR_ESCAPE_RE.finditer(latex):
        i = m.start()
        if depth and i > done:
            out[done:i] = [depth] * (i - done)
        ch = latex[i]
        if ch == "\\":
            out[i] = depth
            out[i + 1] = -1
            done = i + 2
            continue
        if ch == "{":
            out[i] = depth
            depth += 1
        elif depth > 0:  # `}`
            depth -= 1
            out[i] = depth
        done = i + 1
    if depth and n > done:
        out[done:] = [depth] * (n - done)
    return out


# what `_top_level` looks at: an escape (a backslash and the character after it, a newline
# too; a backslash at the very end escapes nothing) and a brace
_BRACE_OR_ESCAPE_RE = re.compile(r"\\.|[{}]", re.S)


def _enclosed(latex: str, depth: list[int]) -> list[int]:
    """How many matched brackets enclose each character (at brace depth 0): `(…)`, `[…)`,
    `\\{…\\}`, `\\left< … \\right>`, `\\langle … \\rangle`, `\\lvert … \\rvert`. A bracket
    that is never closed (the bra `\\langle a|`, a typo) encloses nothing."""
    n = len(latex)
    change = [0] * n
    opened: list[int] = []
    pos = 0
    # a bracket counts where it starts at brace depth 0; the character after a backslash
    # is marked -1 by _top_level, so none starts there (an escape is not a bracket)
    while (m := _BRACKET_RE.search(latex, pos)) is not None:
        if depth[m.start()] != 0:
            pos = m.start() + 1
            continue
        if m.group("open") is not None:
            opened.append(m.end())
        elif opened:
            opened_at = opened.pop()
            if opened_at < n:
                change[opened_at] += 1
            change[m.start()] -= 1
        pos = m.end()
    if not any(change):
        return [0] * n
    return list(accumulate(change))


def _parts(latex: str, depth: list[int], enclosed: list[int]) -> list[tuple[int, int]]:
    """Spans of the equations written side by side (split at top-level separators,
    outside parentheses, brackets and the rows of a `cases` or matrix environment)."""
    spans: list[tuple[int, int]] = []
    start = 0
    envs = 0
    pos = 0
    n = len(latex)
    while pos < n:
        ch = latex[pos]
        if depth[pos] == 0:
            if ch == "\\" and (m := _NESTED_ENV_RE.match(latex, pos)) is not None:
                envs = envs + 1 if m.group(1) == "begin" else max(envs - 1, 0)
                pos = m.end()
                continue
            if enclosed[pos] == 0 and envs == 0:
                m = _SEP_RE.match(latex, pos)
                if m is not None:
                    spans.append((start, pos))
                    start = pos = m.end()
                    continue
        pos += 1
    spans.append((start, n))
    return spans


def _left_side(latex: str, depth: list[int], enclosed: list[int], a: int,
               b: int) -> tuple[str, str] | None:
    """The source left of the first top-level relation (`=`, `\\approx`, `\\le`, …) in
    latex[a:b] when it reads as a name, and the relation as the front shows it."""
    i = a
    while i < b:
        ch = latex[i]
        if depth[i] != 0:
            i += 1
            continue
        m = None if enclosed[i] else _RELATION_RE.match(latex, i, b)
        if m is None:  # `\Pr(X = k) = …` defines `\Pr(X = k)`
            i = i + 2 if ch == "\\" else i + 1  # `\=`, `\{`: an escape, no relation
            continue
        if m.group() == "=" and ((i > a and latex[i - 1] in "<>!=") or latex.startswith("=", i + 1)):
            return None  # an inequality or a comparison (`==`)
        lhs = latex[a:i].replace("&", " ").strip()
        if lhs.endswith(":"):
            lhs = lhs[:-1].rstrip()  # `:=`
        if not lhs or len(lhs) > _MAX_NAME:
            return None
        # a name holds a letter that is not formatting (`\frac{1}{2} = …` names nothing)
        bare = re.sub(r"\\(?:frac|dfrac|tfrac|left|right|cdot|times|quad|qquad|[,;:! ])", "", lhs)
        bare = re.sub(r"\\(?:text|mathrm|mathbf|mathit|operatorname)\b", "", bare)
        if not re.search(r"[A-Za-z]", bare):
            return None
        return lhs, _RELATIONS[m.group()]
    return None


def equation_names(latex: str) -> list[str]:
    """The left-hand sides of the equations (and relations: `≈`, `\\le`, …) a display
    block defines, in order, as LaTeX; [] when it defines none (then the block is asked
    by its context)."""
    return [name for name, _relation in equation_sides(latex)]


def equation_sides(latex: str) -> list[tuple[str, str]]:
    """`equation_names`, each with its relation as a front shows it (`=`, `≈`, `≤`, …)."""
    return list(_equation_sides(latex))


# a formula's card asks for its names up to four times (its front, the front with its
# heading, each without the sentence introducing it): the block is read once
@lru_cache(maxsize=16)
def _equation_sides(latex: str) -> tuple[tuple[str, str], ...]:
    text = latex.strip()
    if text.startswith("$$") and text.endswith("$$") and len(text) >= 4:
        text = text[2:-2]
    if len(text) > _MAX_SOURCE or _RELATION_RE.search(text) is None:
        return ()
    text = _ENV_RE.sub(" \\\\\\\\ ", text)
    depth = _top_level(text)
    sides: list[tuple[str, str]] = []
    enclosed = _enclosed(text, depth)
    parts = _parts(text, depth, enclosed)
    for k, (a, b) in enumerate(parts):
        side = _left_side(text, depth, enclosed, a, b)
        if side is None or _QUALIFIER_RE.match(side[0]):
            continue  # `\quad \text{for } i = 1` is the formula's condition, not a name
        if k + 1 < len(parts) and _DOTS_RE.match(text, parts[k + 1][0]):
            continue  # `i = 1, \dots, K` is a range
        name = " ".join(side[0].split())
        if name not in [n for n, _ in sides]:
            sides.append((name, side[1]))
        if len(sides) >= _MAX_NAMES:
            break
    return tuple(sides)
