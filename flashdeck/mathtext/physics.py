"""The `physics` package's commands (MathJax's physics extension, which a vault's
`preamble.sty` loads with `\\require{physics}`), as the LaTeX they stand for, so that the
math parser draws them: `\\ket{\\psi}` reads `|ψ⟩`, `\\qty(\\frac{a}{b})` tall brackets,
`\\dv{f}{x}` `df/dx`, `\\pdv{f}{x}{y}` `∂²f/∂x∂y`, `\\mqty(a & b \\\\ c & d)` a matrix in
brackets, `\\vb{F}` a bold F.

Only names the parser does not know already (`\\div` stays ÷, `\\Re` ℜ); a note's own macro
of the same name was expanded before (`flashdeck.texmacros`). Bounded as a note's macros
are: at most MAX_EXPANSIONS commands, MAX_TOKENS tokens; past that the formula is left as
written (`TooMuch`).
"""

from __future__ import annotations

import re

from flashdeck.texmacros import MAX_EXPANSIONS, MAX_TOKENS, join, tokenize

__all__ = ["TooMuch", "expand_physics", "might_use_physics"]


class TooMuch(Exception):
    """The physics commands of a formula expand past the bounds."""


_d = ("\\mathrm", "{", "d", "}")
_PLAIN = {  # no argument
    "vdot": ("\\cdot",), "cross": ("\\times",), "cp": ("\\times",),
    "grad": ("\\nabla",), "curl": ("\\nabla", "\\times"), "laplacian": ("\\nabla", "^", "2"),
    "tr": ("\\operatorname", "{", "tr", "}"), "Tr": ("\\operatorname", "{", "Tr", "}"),
    "rank": ("\\operatorname", "{", "rank", "}"), "erf": ("\\operatorname", "{", "erf", "}"),
    "Res": ("\\operatorname", "{", "Res", "}"), "pv": ("\\mathcal", "{", "P", "}"),
    "sgn": ("\\operatorname", "{", "sgn", "}"), "var": ("\\delta",),
    "divergence": ("\\nabla", "\\cdot"),
}
_ONE = {  # one argument in braces: #1
    "abs": ("\\left", "|", "#1", "\\right", "|"),
    "norm": ("\\left", "\\|", "#1", "\\right", "\\|"),
    "ket": ("\\left", "|", "#1", "\\right", "\\rangle"),
    "bra": ("\\left", "\\langle", "#1", "\\right", "|"),
    "vb": ("\\mathbf", "{", "#1", "}"), "vectorbold": ("\\mathbf", "{", "#1", "}"),
    "vu": ("\\hat", "{", "\\mathbf", "{", "#1", "}", "}"),
    "va": ("\\vec", "{", "#1", "}"), "vectorarrow": ("\\vec", "{", "#1", "}"),
    "order": ("\\mathcal", "{", "O", "}", "\\left", "(", "#1", "\\right", ")"),
    "pqty": ("\\left", "(", "#1", "\\right", ")"), "bqty": ("\\left", "[", "#1", "\\right", "]"),
    "Bqty": ("\\left", "\\{", "#1", "\\right", "\\}"), "vqty": ("\\left", "|", "#1", "\\right", "|"),
    "eval": ("\\left", ".", "#1", "\\right", "|"),
    "pmqty": ("\\begin", "{", "pmatrix", "}", "#1", "\\end", "{", "pmatrix", "}"),
    "bmqty": ("\\begin", "{", "bmatrix", "}", "#1", "\\end", "{", "bmatrix", "}"),
    "vmqty": ("\\begin", "{", "vmatrix", "}", "#1", "\\end", "{", "vmatrix", "}"),
    "Bmqty": ("\\begin", "{", "Bmatrix", "}", "#1", "\\end", "{", "Bmatrix", "}"),
    "qq": ("\\quad", "\\text", "{", "#1", "}", "\\quad"),
}
_TWO = {  # two arguments in braces
    "comm": ("\\left", "[", "#1", ",", "#2", "\\right", "]"),
    "commutator": ("\\left", "[", "#1", ",", "#2", "\\right", "]"),
    "acomm": ("\\left", "\\{", "#1", ",", "#2", "\\right", "\\}"),
    "anticommutator": ("\\left", "\\{", "#1", ",", "#2", "\\right", "\\}"),
    "pb": ("\\left", "\\{", "#1", ",", "#2", "\\right", "\\}"),
    "poissonbracket": ("\\left", "\\{", "#1", ",", "#2", "\\right", "\\}"),
}
# the brackets `\qty` and `\mqty` take: what opens -> (what closes, left, right, matrix)
_BRACKETS = {
    "(": (")", "(", ")", "pmatrix"), "[": ("]", "[", "]", "bmatrix"),
    "{": ("}", "\\{", "\\}", "matrix"), "|": ("|", "|", "|", "vmatrix"),
}
_NAMES = (set(_PLAIN) | set(_ONE) | set(_TWO)
          | {"qty", "quantity", "mqty", "matrixquantity", "smqty", "braket", "innerproduct",
             "ip", "ev", "expval", "expectationvalue", "mel", "matrixel", "matrixelement", "op",
             "outerproduct", "dyad", "dd", "differential", "dv", "derivative", "pdv",
             "partialderivative", "fdv", "functionalderivative"})


def _pattern(known: frozenset[str]) -> re.Pattern:
    names = sorted((n for n in _NAMES if n not in known), key=len, reverse=True)
    return re.compile(r"\\(?:" + "|".join(names) + r")(?![A-Za-z])")


_USE: re.Pattern | None = None


def might_use_physics(latex: str, known: frozenset[str]) -> bool:
    global _USE
    if _USE is None:
        _USE = _pattern(known)
    return "\\" in latex and _USE.search(latex) is not None


def expand_physics(latex: str, known: frozenset[str]) -> str:
    """`latex` with the physics commands it uses (and the parser does not know) written out."""
    tokens = tokenize(latex)
    stack = tokens[::-1]
    out: list[str] = []
    calls = 0
    while stack:
        tok = stack.pop()
        name = tok[1:] if tok.startswith("\\") else ""
        if name not in _NAMES or name in known:
            out.append(tok)
            continue
        calls += 1
        if calls > MAX_EXPANSIONS or len(stack) + len(out) > MAX_TOKENS:
            raise TooMuch(tok)
        stack.extend(reversed(_written(name, stack)))
    return join(out)


def _skip_space(stack: list[str]) -> None:
    while stack and stack[-1].isspace():
        stack.pop()


def _group(stack: list[str]) -> list[str] | None:
    """The tokens of a `{…}` group next (spaces before it skipped), without its braces; None
    when no group is next (the stack as it was)."""
    k = len(stack) - 1
    while k >= 0 and stack[k].isspace():
        k -= 1
    if k < 0 or stack[k] != "{":
        return None
    return _delimited(stack, k, "{", "}")


def _delimited(stack: list[str], k: int, opening: str, closing: str) -> list[str] | None:
    """The tokens from stack[k] (an `opening`) to its `closing`, without them; nested braces
    (and, for a bracket other than a bar, nested brackets of its kind) kept whole. None, and
    the stack as it was, when it never closes."""
    depth = brace = 0
    out: list[str] = []
    j = k - 1
    while j >= 0:
        tok = stack[j]
        if tok == "{" and opening != "{":
            brace += 1
        elif tok == "}" and opening != "{":
            brace -= 1
        elif brace == 0 and tok == closing and depth == 0:
            del stack[j:]
            return out
        elif brace == 0 and opening != closing and tok == opening:
            depth += 1
        elif brace == 0 and opening != closing and tok == closing:
            depth -= 1
        out.append(tok)
        j -= 1
    return None


def _optional(stack: list[str]) -> list[str] | None:
    """The tokens of an optional `[…]` next, or None."""
    k = len(stack) - 1
    while k >= 0 and stack[k].isspace():
        k -= 1
    if k < 0 or stack[k] != "[":
        return None
    return _delimited(stack, k, "[", "]")


def _substitute(body: tuple[str, ...], args: list[list[str]]) -> list[str]:
    out: list[str] = []
    for tok in body:
        if len(tok) == 2 and tok[0] == "#" and tok[1].isdigit():
            out.extend(args[int(tok[1]) - 1])
        else:
            out.append(tok)
    return out


def _written(name: str, stack: list[str]) -> list[str]:
    """What `\\name` and the arguments it takes from `stack` stand for."""
    if name in _PLAIN:
        return list(_PLAIN[name])
    if name == "bra":  # `\bra{a}\ket{b}` is one bracket, ⟨a|b⟩, as the package sets it
        arg = _group(stack)
        if arg is not None:
            k = len(stack) - 1
            while k >= 0 and stack[k].isspace():
                k -= 1
            if k >= 0 and stack[k] == "\\ket":
                del stack[k:]
                ket = _group(stack) or []
                return ["\\left", "\\langle", *arg, "|", *ket, "\\right", "\\rangle"]
            stack.extend(["}", *reversed(arg), "{"])  # as it was: read below
    if name in _ONE:
        arg = _group(stack)
        if arg is None:
            _skip_space(stack)
            if stack and stack[-1] in "([":  # `\abs(k)`: what the brackets hold, |k|
                arg = _delimited(stack, len(stack) - 1, stack[-1], _BRACKETS[stack[-1]][0])
            if arg is None:  # `\abs x`: one token, as TeX takes it
                arg = [stack.pop()] if stack else []
        return _substitute(_ONE[name], [arg])
    if name in _TWO:
        first = _group(stack) or []
        second = _group(stack) or []
        return _substitute(_TWO[name], [first, second])
    if name in ("qty", "quantity", "mqty", "matrixquantity", "smqty"):
        k = len(stack) - 1
        while k >= 0 and stack[k].isspace():
            k -= 1
        if k < 0 or stack[k] not in _BRACKETS:
            return ["\\left", "(", "\\right", ")"] if name.startswith("q") else []
        closing, left, right, env = _BRACKETS[stack[k]]
        inner = _delimited(stack, k, stack[k], closing)
        if inner is None:
            return []  # never closed: the bracket as written, the rest read on
        if not name.startswith("q"):
            return ["\\begin", "{", env, "}", *inner, "\\end", "{", env, "}"]
        return ["\\left", left, *inner, "\\right", right]
    if name in ("braket", "innerproduct", "ip"):
        a = _group(stack) or []
        b = _group(stack)
        return ["\\left", "\\langle", *a, "|", *(a if b is None else b), "\\right", "\\rangle"]
    if name in ("ev", "expval", "expectationvalue"):
        a = _group(stack) or []
        psi = _group(stack)
        if psi is None:
            return ["\\left", "\\langle", *a, "\\right", "\\rangle"]
        return ["\\left", "\\langle", *psi, "|", *a, "|", *psi, "\\right", "\\rangle"]
    if name in ("mel", "matrixel", "matrixelement"):
        a, op, b = _group(stack) or [], _group(stack) or [], _group(stack) or []
        return ["\\left", "\\langle", *a, "|", *op, "|", *b, "\\right", "\\rangle"]
    if name in ("op", "outerproduct", "dyad"):
        a = _group(stack) or []
        b = _group(stack)
        return ["|", *a, "\\rangle", "\\langle", *(a if b is None else b), "|"]
    if name in ("dd", "differential"):
        power = _optional(stack)
        arg = _group(stack)
        head = ["\\,", *_d, *(["^", "{", *power, "}"] if power else [])]  # `f \dd x`: f dx
        return [*head, *(arg or [])] if arg is not None else head
    # derivatives: \dv[n]{f}{x}, \dv{x} (d/dx), \pdv{f}{x}{y} (mixed)
    partial = name in ("pdv", "partialderivative")
    sign = ["\\partial"] if partial else (["\\delta"] if name.startswith("f") else list(_d))
    power = _optional(stack)
    groups = []
    while len(groups) < (3 if partial else 2):
        g = _group(stack)
        if g is None:
            break
        groups.append(g)
    if not groups:
        return sign
    top = [*sign, *(["^", "{", *power, "}"] if power else [])]
    if len(groups) == 1:  # the operator: d/dx
        return ["\\frac", "{", *top, "}", "{", *sign, *groups[0],
                *(["^", "{", *power, "}"] if power else []), "}"]
    f, *wrt = groups
    if len(wrt) == 2:  # mixed: ∂²f/∂x∂y
        return ["\\frac", "{", *sign, "^", "2", *f, "}",
                "{", *sign, *wrt[0], *sign, *wrt[1], "}"]
    return ["\\frac", "{", *top, *f, "}", "{", *sign, *wrt[0],
            *(["^", "{", *power, "}"] if power else []), "}"]
