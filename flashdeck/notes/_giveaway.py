"""Context that states a formula: a heading or an introducing sentence shown with a card
must not show a formula card's answer.

`## Precision = TP / (TP + FP)` above `$$P = \\frac{TP}{TP+FP}$$` is shown as the formula
card's breadcrumb, and `Specificity is TN / (TN + FP):` above `$$\\frac{TN}{TN+FP}$$` is
that card's front: both state the answer. `redact` finds the expressions in such a text
(inline math, or words joined by operators: `TP / (TP + FP)`, `λ‖w‖²`) that state a
formula's right-hand side, and shows each as `…`, keeping what it names (`Precision = …`,
`Specificity is …`). A text that only names the formula (`## Derivative of $x^n$`, `The
density of $\\mathcal{N}(\\mu, \\sigma^2)$`) stays as written.

Symbols are compared, not notations: `TP / (TP + FP)` and `\\frac{TP}{TP+FP}` both use
`tp` and `fp`. Every step is one pass over a bounded text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from flashdeck.notes._latex import _RELATION_RE

__all__ = ["Formula", "formula", "formula_values", "has_operator", "might_state", "redact",
           "stated_values"]

_MAX_TEXT = 1_000  # characters of a heading or sentence read; a longer one is left as it is
_MAX_FORMULAS = 50  # formulas of one note a heading is compared with
_MAX_SOURCE = 5_000  # characters of a formula read

_ELLIPSIS = "…"
_LATEX_ELLIPSIS = "\\dots"
# a command and its name: `\lambda` is a symbol (λ), `\frac` and `\log` are not
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)|\\.")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_DIGITS_RE = re.compile(r"\d+")
_FUNCTION_WORDS = frozenset({
    "log", "ln", "lg", "exp", "sin", "cos", "tan", "det", "lim", "max", "min", "arg", "sup",
    "inf", "mod", "dx", "dt", "d",
})
_GREEK_NAMES = {"lambda": "lamda"}  # how Unicode spells it
_LATEX_OPS_RE = re.compile(
    r"\\(?:frac|dfrac|tfrac|cdot|times|div|sum|prod|sqrt|int|cap|cup|pm|mp|circ|\||lVert|"
    r"rVert|Vert)(?![A-Za-z])|[+\-*/^]")
# in prose: a word of these alone joins its neighbours (`TP / (TP + FP)`); a word holding
# one is an expression (`TP/(TP+FP)`, `λ‖w‖²`)
_OPERATOR_CHARS = frozenset("=+*/^×·÷∝≈≤≥−‖√∑∏∩∪∘²³⁻⁺ⁿ")
# `$` or an operator character, found by one scan in C (`has_operator`): a frozenset's
# isdisjoint(text) hashes every character of the text in turn, ~2x the time on a card side
_MATH_OR_OPERATOR_RE = re.compile("[$" + re.escape("".join(sorted(_OPERATOR_CHARS))) + "]")
_ALONE_OPERATORS = frozenset({"-", "–"})  # a hyphen only between spaces (`F-beta` is a word)
_RELATION_CHARS = frozenset("=∝≈≤≥≡∼≃")
# inline `$…$` only: what a card of the author's states (`stated_values`)
_INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?!\$)([^$\n]{1,500}?)(?<![\\\s])\$(?!\$)")
# math in a sentence: inline `$…$`, or display `$$…$$` written inside a line of prose
_MATH_RE = re.compile(r"(?<![\\$])(\$\$)([^$]{1,500}?)\$\$|(?<![\\$])(\$)(?!\$)([^$\n]{1,500}?)(?<![\\\s])\$(?!\$)")
_TRAILING_PUNCT = ",;:.!?"


class Formula(NamedTuple):
    """What a display formula states: the symbols of its right-hand side (the whole of it
    when it has no relation) and of its left-hand side, and how many operators its left
    side holds."""

    value: frozenset[str]
    named: frozenset[str]
    named_ops: int
    result: str = ""  # a worked example's number after its last relation (`… = 0.75`)


def formula(latex: str) -> Formula | None:
    """A display formula's symbols; None for one that states nothing to compare."""
    latex = latex.strip().strip("$")[:_MAX_SOURCE]
    m = _RELATION_RE.search(latex)
    lhs, rhs = (latex[:m.start()], latex[m.end():]) if m else ("", latex)
    value = _symbols(rhs, latex=True)
    result = ""
    if m is not None:
        last = list(_RELATION_RE.finditer(latex, m.start()))[-1]
        result = _number(latex[last.end():], whole=True)
    if not value and not result:
        return None
    return Formula(frozenset(value), frozenset(_symbols(lhs, latex=True)),
                   len(_LATEX_OPS_RE.findall(lhs)), result)


_NUMBER_RE = re.compile(r"[-−]?\d+(?:[.,]\d+)?")
_NUMBER_JUNK_RE = re.compile(r"\\[,;:! ]|\\%|%|\\text\s*\{[^{}]*\}|[\s{}.]+$")


def _number(text: str, whole: bool = False) -> str:
    """The number `text` states (its first, or, `whole`, all of it), as `0.75`: `0,75`,
    `{0.75}`, `75\\%` are read as the author writes them; "" for none."""
    text = text.replace("{,}", ",").strip()
    if whole:
        text = _NUMBER_JUNK_RE.sub("", text).strip()
        m = _NUMBER_RE.fullmatch(text)
    else:
        m = _NUMBER_RE.search(text)
    return m.group(0).replace(",", ".").replace("−", "-") if m else ""


def might_state(text: str) -> bool:
    """False when `text` certainly states no formula (no math, no operator): most headings
    and sentences, told at the cost of one scan."""
    if not text or len(text) > _MAX_TEXT:
        return False
    return (" - " in text or " – " in text
            or _MATH_OR_OPERATOR_RE.search(text) is not None)


def redact(text: str, formulas: list[Formula] | tuple[()]) -> str:
    """`text` with every expression that states one of `formulas` shown as `…`."""
    if not formulas or not might_state(text):
        return text
    formulas = list(formulas[:_MAX_FORMULAS])
    out: list[str] = []
    last = 0
    for m in _MATH_RE.finditer(text):
        out.append(_redact_prose(text[last:m.start()], formulas))
        fence, latex = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.append(_redact_math(m.group(0), latex, formulas, fence))
        last = m.end()
    out.append(_redact_prose(text[last:], formulas))
    return "".join(out)


def _redact_math(whole: str, latex: str, formulas: list[Formula], fence: str = "$") -> str:
    rel = _RELATION_RE.search(latex)
    if rel is not None:
        stated = latex[rel.end():]
        if _states(_symbols(stated, latex=True), 1, formulas) or _is_result(stated, formulas):
            return f"{fence}{latex[:rel.end()].strip()} {_LATEX_ELLIPSIS}{fence}"
        return whole
    ops = len(_LATEX_OPS_RE.findall(latex))
    if ops and _states(_symbols(latex, latex=True), ops, formulas):
        return _ELLIPSIS
    return whole


def _redact_prose(text: str, formulas: list[Formula]) -> str:
    """Plain words: the runs joined by operators, each checked on its own."""
    out: list[str] = []
    last = 0
    for start, end in _runs(text):
        shown = _redact_span(text[start:end], formulas)
        if shown is not None:
            out.append(text[last:start])
            out.append(shown)
            last = end
    out.append(text[last:])
    return "".join(out)


def _runs(text: str) -> list[tuple[int, int]]:
    """Where plain words hold an expression: the runs of words joined by operators (a word
    holding an operator, and the neighbours of a word that is an operator alone), each
    ending at a clause's comma or semicolon, trailing punctuation left out."""
    if not text.strip():
        return []
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if not words:
        return []
    inside = [False] * len(words)
    for k, (a, b) in enumerate(words):
        word = text[a:b].rstrip(_TRAILING_PUNCT) or text[a:b]
        if word in _ALONE_OPERATORS or all(ch in _OPERATOR_CHARS for ch in word):
            inside[k] = True
            if k > 0 and not text[words[k - 1][0]:words[k - 1][1]].endswith(tuple(",;:")):
                inside[k - 1] = True
            if k + 1 < len(words):
                inside[k + 1] = True
        elif any(ch in _OPERATOR_CHARS for ch in word):
            inside[k] = True
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(words):
        if not inside[k]:
            k += 1
            continue
        j = k
        while j + 1 < len(words) and inside[j + 1] and not _ends_clause(text, words[j]):
            j += 1
        start, end = words[k][0], words[j][1]
        while end > start and text[end - 1] in _TRAILING_PUNCT:
            end -= 1
        runs.append((start, end))
        k = j + 1
    return runs


def _ends_clause(text: str, word: tuple[int, int]) -> bool:
    return text[word[1] - 1] in ",;:" if word[1] > word[0] else False


def _redact_span(span: str, formulas: list[Formula]) -> str | None:
    """The span shown instead of `span`, or None to keep it."""
    rel = next((i for i, ch in enumerate(span) if ch in _RELATION_CHARS), -1)
    if rel >= 0:
        stated = span[rel + 1:]
        if _states(_symbols(stated), 1, formulas) or _is_result(stated, formulas):
            return f"{span[:rel + 1].rstrip()} {_ELLIPSIS}".lstrip()
        return None
    ops = sum(1 for ch in span if ch in _OPERATOR_CHARS) + span.count(" - ")
    if _states(_symbols(span), ops, formulas):
        return _ELLIPSIS
    return None


def _is_result(stated: str, formulas: list[Formula]) -> bool:
    """Whether `stated` (what follows a relation) begins with a worked example's result:
    `## Entropy of a fair coin = 1 bit` above `$$H = -2 \\cdot \\tfrac12 \\log_2 \\tfrac12 = 1$$`."""
    number = _number(stated)
    return bool(number) and any(f.result == number for f in formulas)


def _states(symbols: set[str], ops: int, formulas: list[Formula]) -> bool:
    """Whether an expression of these symbols (and `ops` operators) states one of the
    formulas' right-hand sides: it shares at least two of its symbols (its one symbol, for
    a value of one), half of them or more, and it is not just the left-hand side's name
    (`$x^n$` in `## Derivative of $x^n$`)."""
    if not symbols:
        return False
    for f in formulas:
        if not f.value:
            continue
        shared = len(symbols & f.value)
        if shared < min(2, len(f.value)) or 2 * shared < len(f.value):
            continue
        if f.named and symbols <= f.named and ops <= f.named_ops:
            continue
        return True
    return False


def _symbols(text: str, latex: bool = False) -> set[str]:
    """The names an expression uses, case aside: `\\frac{TP}{TP+FP}` and `TP / (TP + FP)`
    use `tp` and `fp`; `\\lambda` and `λ` are `λ`; function names (`\\log`, `exp`) and
    super- and subscript letters (`xᵢ`) are no symbols."""
    return set(_symbol_list(text, latex))


def _symbol_list(text: str, latex: bool = False, numbers: bool = False) -> list[str]:
    """`_symbols`, each as often as the expression uses it (`TP / (TP + FP)`: tp, tp, fp);
    with `numbers`, the whole numbers written in it too (`2TP / (2TP + FP + FN)`: 2, tp, 2,
    tp, fp, fn), which tell it from `TP / (TP + FP + FN)`."""
    if latex:
        text = _COMMAND_RE.sub(_command_symbol, text)
    if not text.isascii():  # modifier letters and super-/subscript digits (`xᵢ`, `X²`)
        text = "".join(" " if unicodedata.category(ch) in ("Lm", "No") else ch for ch in text)
    found: list[str] = _DIGITS_RE.findall(text) if numbers else []
    for run in _LETTERS_RE.findall(text):
        # a Greek letter is a symbol of its own (`λw`, `σx`); Latin letters run together
        # (`TP`, `Var`)
        for part in re.findall(r"[\u0370-\u03ff]|[^\u0370-\u03ff]+", run):
            key = part.casefold()
            if key not in _FUNCTION_WORDS:
                found.append(key)
    return found


def _command_symbol(m: re.Match) -> str:
    name = m.group(1)
    if name is None:
        return " "
    if name in ("text", "mathrm", "operatorname", "mathit", "mathbf", "mathcal", "textrm",
                "mathsf", "boldsymbol", "bm"):
        return " "  # the braces' content stays as letters
    letter = greek_letter(name)
    return f" {letter} " if letter else " "


def greek_letter(name: str) -> str | None:
    """The letter a LaTeX command names (`sigma` σ, `Delta` Δ, `lambda` λ), else None."""
    greek = _GREEK_NAMES.get(name.lower(), name.lower())
    case = "CAPITAL" if name[:1].isupper() else "SMALL"
    try:
        return unicodedata.lookup(f"GREEK {case} LETTER {greek.upper()}")
    except KeyError:
        return None


# -- one fact stated twice: a card of the author's and a display formula ---------------------

_SEPARATOR_RE = re.compile(r"\\q?quad(?![A-Za-z])|\\\\")  # equations side by side
_MAX_PIECES = 20  # expressions of one formula or one card's text compared


def _key(symbols: list[str]) -> tuple[tuple[str, int], ...] | None:
    """An expression as compared: its symbols and how often each is used (`TP / (TP + FP)`
    is not `FP / (TP + FP)`); None for one too small to tell a fact by (`TP`, `2`)."""
    if len(symbols) < 2:
        return None
    counts: dict[str, int] = {}
    for s in symbols:
        counts[s] = counts.get(s, 0) + 1
    return tuple(sorted(counts.items()))


# single letters a space apart are one name in math (`\\frac{T P}{T P + F P}` reads `TP`)
_SPACED_LETTERS_RE = re.compile(r"(?<![\\A-Za-z])([A-Za-z])((?: [A-Za-z](?![A-Za-z]))+)")


def _joined(latex: str) -> str:
    if " " not in latex:
        return latex
    return _SPACED_LETTERS_RE.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), latex)


def formula_values(latex: str, numbers: bool = False) -> frozenset[tuple[tuple[str, int], ...]]:
    """What a display formula states, as expressions compared by `_key`: each side after a
    relation (`P = \\frac{TP}{TP+FP}` states `TP/(TP+FP)`; `F_1 = a = b` states a and b),
    the whole formula when it has no relation. The left-hand side only names it."""
    latex = latex.strip().strip("$")[:_MAX_SOURCE]
    found: set[tuple[tuple[str, int], ...]] = set()
    for part in _SEPARATOR_RE.split(latex)[:_MAX_PIECES]:
        sides = _RELATION_RE.split(part)
        for side in (sides[1:] if len(sides) > 1 else sides)[:_MAX_PIECES]:
            key = _key(_symbol_list(_joined(side), latex=True, numbers=numbers))
            if key is not None:
                found.add(key)
    return frozenset(found)


def stated_values(text: str, units: list[str] | tuple[()] = (), numbers: bool = False) -> set[
        tuple[tuple[str, int], ...]]:
    """The expressions a card's text states, as `formula_values` gives a formula's: inline
    math and runs of words joined by operators (`precision = TP/(TP+FP)`), and each of
    `units` whole (a cloze's answer, a basic card's side: `a E[X] + b E[Y]`), each side of a
    relation on its own. A text that might state nothing (no math, no operator) is read no
    further."""
    found: set[tuple[tuple[str, int], ...]] = set()
    pieces: list[tuple[str, bool]] = []
    for unit in units[:_MAX_PIECES]:
        if might_state(unit) and has_operator(unit):
            bare = unit.strip()
            math = bare.startswith("$") and bare.endswith("$")
            pieces.append((bare.strip("$") if math else bare, math))
    if might_state(text):
        last = 0
        for m in _INLINE_MATH_RE.finditer(text):
            pieces += [(text[a + last:b + last], False) for a, b in _runs(text[last:m.start()])]
            pieces.append((m.group(1), True))
            last = m.end()
        pieces += [(text[a + last:b + last], False) for a, b in _runs(text[last:])]
    # words joined by a dash alone (`bias – variance`) are a phrase here, not a difference
    pieces = [(piece, latex) for piece, latex in pieces if latex or has_operator(piece)]
    for piece, latex in pieces[:3 * _MAX_PIECES]:
        if latex:
            sides = _RELATION_RE.split(_joined(piece))
        else:
            sides = re.split("[" + "".join(_RELATION_CHARS) + "]", piece)
        for side in sides[:_MAX_PIECES]:
            key = _key(_symbol_list(side, latex=latex, numbers=numbers))
            if key is not None:
                found.add(key)
    return found


def has_operator(text: str) -> bool:
    """Whether `text` holds math or an operator character: else it states no expression."""
    return _MATH_OR_OPERATOR_RE.search(text) is not None
