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

__all__ = ["Formula", "formula", "might_state", "redact"]

_MAX_TEXT = 1_000  # characters of a heading or sentence read; a longer one is left as it is
_MAX_FORMULAS = 50  # formulas of one note a heading is compared with
_MAX_SOURCE = 5_000  # characters of a formula read

_ELLIPSIS = "…"
_LATEX_ELLIPSIS = "\\dots"
# a command and its name: `\lambda` is a symbol (λ), `\frac` and `\log` are not
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)|\\.")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
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
_ALONE_OPERATORS = frozenset({"-", "–"})  # a hyphen only between spaces (`F-beta` is a word)
_RELATION_CHARS = frozenset("=∝≈≤≥≡∼≃")
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
    return ("$" in text or " - " in text or " – " in text
            or not _OPERATOR_CHARS.isdisjoint(text))


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
    if not text.strip():
        return text
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if not words:
        return text
    # which words are in an expression: a word holding an operator, and the neighbours of
    # a word that is an operator alone
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
    out: list[str] = []
    last = 0
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
        shown = _redact_span(text[start:end], formulas)
        if shown is not None:
            out.append(text[last:start])
            out.append(shown)
            last = end
        k = j + 1
    out.append(text[last:])
    return "".join(out)


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
    if latex:
        text = _COMMAND_RE.sub(_command_symbol, text)
    if not text.isascii():
        text = "".join(" " if unicodedata.category(ch) == "Lm" else ch for ch in text)
    found: set[str] = set()
    for run in _LETTERS_RE.findall(text):
        # a Greek letter is a symbol of its own (`λw`, `σx`); Latin letters run together
        # (`TP`, `Var`)
        for part in re.findall(r"[\u0370-\u03ff]|[^\u0370-\u03ff]+", run):
            key = part.casefold()
            if key not in _FUNCTION_WORDS:
                found.add(key)
    return found


def _command_symbol(m: re.Match) -> str:
    name = m.group(1)
    if name is None:
        return " "
    if name in ("text", "mathrm", "operatorname", "mathit", "mathbf", "mathcal", "textrm",
                "mathsf", "boldsymbol", "bm"):
        return " "  # the braces' content stays as letters
    greek = _GREEK_NAMES.get(name.lower(), name.lower())
    case = "CAPITAL" if name[0].isupper() else "SMALL"
    try:
        return " " + unicodedata.lookup(f"GREEK {case} LETTER {greek.upper()}") + " "
    except KeyError:
        return " "
