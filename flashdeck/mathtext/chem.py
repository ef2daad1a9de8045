"""Chemistry written with mhchem (`\\ce{…}`, `\\pu{…}`; MathJax reads them, so Obsidian
shows them) as the text a chemist writes: `\\ce{2H2 + O2 -> 2H2O}` reads `2H₂ + O₂ → 2H₂O`,
`\\ce{SO4^2-}` `SO₄²⁻`, `\\ce{Fe^3+ + e- <=> Fe^2+}` `Fe³⁺ + e⁻ ⇌ Fe²⁺`.

The common part of mhchem: formulas (digits after an element or a bracket are subscripts, a
leading number is a coefficient), charges (`^2+`, a trailing `+`/`-`), states (`(aq)`),
arrows (`->`, `<-`, `<->`, `<=>`, `<=>>`, `<<=>`, with `[above]` text), hydrates (`*`, `.`),
`^` gas and `v` precipitate. What is not read is kept as written, never dropped.
`replace_ce(latex)` gives the formula with each `\\ce{…}`/`\\pu{…}` as a `\\text{…}` of its
reading, for the math parser (`tree.parse_bounded`); one linear pass, bounded by the source.
"""

from __future__ import annotations

import re

from flashdeck.mathtext.symbols import (BINARY, GREEK, ORDINARY, RELATION, SUBSCRIPTS,
                                        SUPERSCRIPTS)

__all__ = ["ce_text", "replace_ce"]

_COMMAND = re.compile(r"\\(ce|pu)\s*\{")
_ARROWS = {
    "<=>>": "⇌", "<<=>": "⇌", "<=>": "⇌", "<->": "↔", "<-->": "⇄", "->": "→", "<-": "←",
}
_ARROW = re.compile(r"(<=>>|<<=>|<=>|<-->|<->|->|<-)(\[[^\[\]]*\])?(\[[^\[\]]*\])?")
_CHARGE = re.compile(r"\^(\{[^{}]*\}|[0-9]*[+\-]|[0-9]+|[A-Za-z])")
_SUB = re.compile(r"_(\{[^{}]*\}|[0-9A-Za-z])")


def replace_ce(latex: str) -> str:
    """`latex` with each `\\ce{…}` and `\\pu{…}` as `\\text{…}` of its reading."""
    if "\\ce" not in latex and "\\pu" not in latex:
        return latex
    out: list[str] = []
    last = 0
    for m in _COMMAND.finditer(latex):
        if m.start() < last:
            continue
        depth, j = 1, m.end()
        while j < len(latex) and depth:
            if latex[j] == "\\":
                j += 2
                continue
            depth += {"{": 1, "}": -1}.get(latex[j], 0)
            j += 1
        if depth:
            break  # never closed: left as written (the parser says so)
        body = latex[m.end():j - 1]
        text = ce_text(body) if m.group(1) == "ce" else _unit(body)
        out.append(latex[last:m.start()])
        out.append("\\text{" + _text_safe(text) + "}")
        last = j
    out.append(latex[last:])
    return "".join(out)


def _unit(body: str) -> str:
    """A `\\pu{…}` quantity: `-286 kJ/mol` reads `−286 kJ/mol`, `mol^-1` `mol⁻¹`."""
    words = " ".join(body.split())
    words = re.sub(r"(?<![\w.])-(?=\d)", "−", words)
    return re.sub(r"\^(\{[^{}]*\}|[-−]?\d+)", lambda m: _script(_bare(m.group(1)), SUPERSCRIPTS),
                  words)


def _text_safe(text: str) -> str:
    """No brace or backslash of the reading can end the `\\text{…}` around it."""
    return text.replace("\\", "∖").replace("{", "(").replace("}", ")")


def ce_text(body: str) -> str:
    """The reading of one `\\ce{…}`."""
    body = _ARROW.sub(lambda m: f" {_arrow(m)} ", body)
    words = body.split()
    out: list[str] = []
    for k, word in enumerate(words):
        if word in ("+", "→", "←", "↔", "⇌", "⇄") or word.startswith(("→", "←", "↔", "⇌", "⇄")):
            out.append(word)
        elif word == "^":
            out.append("↑")
        elif word == "v":
            out.append("↓")
        else:
            out.append(_species(word))
    return " ".join(out)


def _arrow(m: re.Match) -> str:
    sign = _ARROWS[m.group(1)]
    notes = [g[1:-1].strip() for g in (m.group(2), m.group(3)) if g and g[1:-1].strip()]
    if notes:  # `->[\Delta]`: what stands over the arrow, in brackets after it
        return sign + "[" + ", ".join(_note(n) for n in notes) + "]"
    return sign


_NAMED = {**GREEK, **ORDINARY, **BINARY, **RELATION}


def _note(note: str) -> str:
    """What an arrow carries (`\\Delta`, `$h\\nu$`, `H2O`): its commands as their signs."""
    note = note.replace("$", "")
    note = re.sub(r"\\text\s*\{([^{}]*)\}", r"\1", note)
    note = re.sub(r"\\([A-Za-z]+)", lambda m: _NAMED.get(m.group(1), m.group(1)), note)
    return " ".join(_species(w) for w in note.split()) if "\\" not in note else note


def _species(word: str) -> str:
    """`2H2O` -> `2H₂O`, `SO4^2-` -> `SO₄²⁻`, `Na+` -> `Na⁺`, `CuSO4*5H2O` -> `CuSO₄·5H₂O`."""
    parts = re.split(r"(?<=[A-Za-z)\]0-9])[*.](?=\d*[A-Z(])", word)
    if len(parts) > 1:
        return "·".join(_species(p) for p in parts)
    out: list[str] = []
    i, n = 0, len(word)
    # a leading coefficient (`2`, `1/2`) stays as written
    m = re.match(r"\d+(?:/\d+)?(?=[A-Z(\[])", word)
    if m:
        out.append(m.group(0))
        i = m.end()
    while i < n:
        c = word[i]
        if c == "^":
            m = _CHARGE.match(word, i)
            if m:
                out.append(_script(_bare(m.group(1)), SUPERSCRIPTS))
                i = m.end()
                continue
        if c == "_":
            m = _SUB.match(word, i)
            if m:
                out.append(_script(_bare(m.group(1)), SUBSCRIPTS))
                i = m.end()
                continue
        if c.isdigit() and out and (out[-1][-1:].isalpha() or out[-1][-1:] in ")]"
                                    or out[-1][-1:] in SUBSCRIPTS.values()):
            j = i
            while j < n and word[j].isdigit():
                j += 1
            out.append(_script(word[i:j], SUBSCRIPTS))
            i = j
            continue
        if c in "+-" and i == n - 1 and out:  # `Na+`, `Cl-`, `e-`: a charge
            out.append(_script(c, SUPERSCRIPTS))
            i += 1
            continue
        if c in "+-" and i == n - 2 and word[-1] in "+-" and word[i] == word[-1] and out:
            out.append(_script(word[i:], SUPERSCRIPTS))  # `O--`
            i = n
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _bare(script: str) -> str:
    return script[1:-1] if script.startswith("{") and script.endswith("}") else script


def _script(text: str, table: dict[str, str]) -> str:
    """`text` in super- or subscript characters when each has one, else `^(text)`/`_(text)`."""
    text = text.replace("-", "−")
    if all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    mark = "^" if table is SUPERSCRIPTS else "_"
    return f"{mark}({text})" if len(text) > 1 else f"{mark}{text}"
