"""LaTeX math source -> a small math tree, on pylatexenc's tokenizer.

pylatexenc does the lexing a regex cannot do reliably: nested brace groups, environments,
macros with their exact names, and (in strict mode) unbalanced braces reported as errors,
which is how invalid LaTeX is detected. It is given an empty macro database, so every macro
comes back without arguments and this module collects arguments itself, the way TeX does
(one token or one brace group each): that keeps `\\frac12`, `\\bar` with nothing after it and
unknown commands under our control instead of pylatexenc's defaults.

pylatexenc is imported lazily (it costs ~30 ms), so importing flashdeck.mathtext is cheap.
"""

from __future__ import annotations

import re
from typing import Union

from flashdeck.mathtext import symbols as S
from flashdeck.mathtext.chem import replace_ce
from flashdeck.mathtext.physics import TooMuch, expand_physics, might_use_physics
from flashdeck.records import Record
from flashdeck.texmacros import MacroOverflow, expand_formula, might_define


class InvalidLatex(ValueError):
    """The source cannot be parsed (unbalanced braces, stray \\end, ...)."""


class TooComplex(InvalidLatex):
    """The source is past the renderer's budget (too long, nested too deep, too many nodes):
    it is shown as its source instead, so no card can hang or crash the renderer."""


# --- the budget ----------------------------------------------------------------------------
# pylatexenc, this parser and the layout all recurse, and a 2-D layout grows with the square
# of the nesting: 300 nested \frac took minutes, 3,000 nested \left( blew Python's stack.
# Every source is measured first (one regex pass, no recursion) and every tree after parsing
# (an explicit stack); past a limit the caller shows the LaTeX source as text. No real formula
# comes near these: the sample notes nest at most 4 deep and stay under 110 characters.
MAX_SOURCE = 1000  # characters of one formula
MAX_NESTING = 50  # brace groups, \left…\right and \begin…\end open at once
MAX_TREE_DEPTH = 120  # tree levels (a \frac level is two: Frac and Row)
MAX_NODES = 3000  # tree nodes

_NESTING_TOKEN = re.compile(r"\\(?:(left|begin)|(right|end))(?![A-Za-z])|\\.|([{])|([}])", re.S)


def nesting_depth(latex: str) -> int:
    """How deeply groups nest in the source: `{`, `\\left`, `\\begin` open one level; `}`,
    `\\right`, `\\end` close one (`\\{` and `\\}` are delimiters, not groups). One pass."""
    depth = deepest = 0
    for m in _NESTING_TOKEN.finditer(latex):
        if m.group(1) or m.group(3):
            depth += 1
            if depth > deepest:
                deepest = depth
        elif m.group(2) or m.group(4):
            depth = max(depth - 1, 0)
    return deepest


def check_source(latex: str) -> None:
    """Raise TooComplex when the source is too long or nests too deeply to parse safely."""
    if len(latex) > MAX_SOURCE:
        raise TooComplex(f"{len(latex)} characters (at most {MAX_SOURCE})")
    depth = nesting_depth(latex)
    if depth > MAX_NESTING:
        raise TooComplex(f"nested {depth} deep (at most {MAX_NESTING})")


def _children(node: object) -> list:
    if isinstance(node, Row):
        return node.items
    if isinstance(node, Frac):
        return [node.num, node.den]
    if isinstance(node, Binom):
        return [node.top, node.bottom]
    if isinstance(node, Sqrt):
        return [node.body] if node.index is None else [node.body, node.index]
    if isinstance(node, Scripted):
        return [x for x in (node.base, node.sub, node.sup) if x is not None]
    if isinstance(node, Fenced):
        return [node.body]
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Accent):
        return [node.body]
    if isinstance(node, Brace):
        return [node.body, node.label]
    if isinstance(node, Boxed):
        return [node.body]
    if isinstance(node, Grid):
        return [cell for row in node.rows for cell in row]
    return []


def check_tree(root: Node) -> None:
    """Raise TooComplex when a parsed tree is too deep or too big to lay out quickly.

    Iterative, so it is safe on any tree (`x^2^2^2…` or `((((…))))` nest without braces)."""
    stack = [(root, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_TREE_DEPTH:
            raise TooComplex(f"tree deeper than {MAX_TREE_DEPTH}")
        if count > MAX_NODES:
            raise TooComplex(f"more than {MAX_NODES} nodes")
        stack.extend((child, depth + 1) for child in _children(node))


# --- the tree ------------------------------------------------------------------------------


class _Node(Record):
    """What `@dataclass` gave the nodes, written out (`Record`): `__init__`, a repr naming
    every field, `==` field by field (between nodes of one class), unhashable. A dataclass
    compiles its methods when its module is imported, ~0.3 ms a class: these twelve were
    ~4 ms of the start of a review whose first card has math."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq is


_NEW_LIST = object()  # Row's default: a new empty list for each row


class Atom(_Node):
    """A symbol, number or word. `kind` is one of the atom kinds in `symbols`."""

    __match_args__ = ("text", "kind", "number")

    def __init__(self, text: str, kind: str = S.ORD, number: bool = False) -> None:
        self.text = text
        self.kind = kind
        self.number = number


class Row(_Node):
    """A sequence of nodes laid out left to right (a brace group, a numerator, a cell...)."""

    __match_args__ = ("items",)

    def __init__(self, items: list[Node] = _NEW_LIST) -> None:  # type: ignore[assignment]
        self.items = [] if items is _NEW_LIST else items


class Frac(_Node):
    __match_args__ = ("num", "den")

    def __init__(self, num: Row, den: Row) -> None:
        self.num = num
        self.den = den


class Binom(_Node):
    __match_args__ = ("top", "bottom")

    def __init__(self, top: Row, bottom: Row) -> None:
        self.top = top
        self.bottom = bottom


class Sqrt(_Node):
    __match_args__ = ("body", "index")

    def __init__(self, body: Row, index: Row | None = None) -> None:
        self.body = body
        self.index = index


class Scripted(_Node):
    __match_args__ = ("base", "sub", "sup")

    def __init__(self, base: Node, sub: Row | None = None, sup: Row | None = None) -> None:
        self.base = base
        self.sub = sub
        self.sup = sup


class Fenced(_Node):
    """Brackets that belong together (`\\left( … \\right)` or a balanced `( … )`): they can grow."""

    __match_args__ = ("left", "body", "right")

    def __init__(self, left: str, body: Row, right: str) -> None:
        self.left = left
        self.body = body
        self.right = right


class Call(_Node):
    """An unknown command with arguments, shown as `name(arg, …)`."""

    __match_args__ = ("name", "args")

    def __init__(self, name: str, args: list[Row]) -> None:
        self.name = name
        self.args = args


class Accent(_Node):
    """An accent over more than one character (`\\overline{AB}`, `\\vec{dS}`,
    `\\overline{\\phi(x)}`): its mark over each character of the body on one line, a rule
    drawn over (or under) a body that is taller (see `layout`)."""

    __match_args__ = ("name", "body")

    def __init__(self, name: str, body: Row) -> None:
        self.name = name
        self.body = body


class Brace(_Node):
    """`\\underbrace{body}_{label}` (or over…^): a brace drawn under (over) the body in
    2-D, the label at its tip; on one line the label is the body's sub/superscript."""

    __match_args__ = ("body", "label", "under")

    def __init__(self, body: Row, label: Row, under: bool = True) -> None:
        self.body = body
        self.label = label
        self.under = under


class Boxed(_Node):
    """`\\boxed{…}`: a frame around the body in 2-D; on one line, the body."""

    __match_args__ = ("body",)

    def __init__(self, body: Row) -> None:
        self.body = body


class Grid(_Node):
    """Rows of cells split by `&` and `\\\\` (environments, multi-line display math)."""

    __match_args__ = ("rows", "env")

    def __init__(self, rows: list[list[Row]], env: str = "") -> None:
        self.rows = rows
        self.env = env


Node = Union[Atom, Row, Frac, Binom, Sqrt, Scripted, Fenced, Call, Grid, Accent, Brace, Boxed]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name


CELL = _Marker("&")
NEWROW = _Marker("\\\\")

# --- tokens --------------------------------------------------------------------------------
# ("char", c) | ("macro", name) | ("group", [tokens]) | ("env", name, [tokens])
Token = tuple


def _walker_db():  # type: ignore[no-untyped-def]
    from pylatexenc import macrospec

    db = macrospec.LatexContextDb()
    db.set_unknown_macro_spec(macrospec.MacroSpec(""))
    db.set_unknown_environment_spec(macrospec.EnvironmentSpec(""))
    return db


_DB = None


def tokenize(latex: str) -> list[Token]:
    """Lex math-mode LaTeX into tokens; raises InvalidLatex on unbalanced input."""
    global _DB
    from pylatexenc import latexwalker as lw

    if _DB is None:
        _DB = _walker_db()
    walker = lw.LatexWalker(latex, latex_context=_DB, tolerant_parsing=False)
    try:
        nodes, _, _ = walker.get_latex_nodes(
            parsing_state=walker.make_parsing_state(in_math_mode=True)
        )
    except lw.LatexWalkerError as exc:
        raise InvalidLatex(str(exc)) from exc
    except (IndexError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # pylatexenc has a few internal failures on odd input; they mean "cannot parse".
        raise InvalidLatex(repr(exc)) from exc
    return _flatten(nodes)


def _flatten(nodes) -> list[Token]:  # type: ignore[no-untyped-def]
    from pylatexenc import latexwalker as lw

    out: list[Token] = []
    for n in nodes or ():
        if isinstance(n, lw.LatexCharsNode):
            out.extend(("char", c) for c in n.chars)
        elif isinstance(n, lw.LatexMacroNode):
            out.append(("macro", n.macroname))
        elif isinstance(n, lw.LatexGroupNode):
            out.append(("group", _flatten(n.nodelist)))
        elif isinstance(n, lw.LatexEnvironmentNode):
            out.append(("env", n.environmentname, _flatten(n.nodelist)))
        elif isinstance(n, lw.LatexMathNode):
            out.append(("group", _flatten(n.nodelist)))
        elif isinstance(n, lw.LatexSpecialsNode):
            out.extend(("char", c) for c in n.specials_chars)
        # LatexCommentNode: a `%` comment is hidden, as MathJax (and so Obsidian) hides it.
    return out


# --- text mode -----------------------------------------------------------------------------


def text_of(tokens: list[Token]) -> str:
    """The words of a text-mode argument (\\text{…}), whitespace collapsed and trimmed."""
    return " ".join(_text_raw(tokens).split())


def _text_raw(tokens: list[Token]) -> str:
    parts: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok[0] == "char":
            parts.append(tok[1])
        elif tok[0] == "group":
            parts.append(_text_raw(tok[1]))
        elif tok[0] == "env":
            parts.append(_text_raw(tok[2]))
        else:
            name = tok[1]
            if name in S.SPACES:
                parts.append(S.SPACES[name] or "")
            elif name in S.TEXT_COMMANDS or name in S.STYLE_COMMANDS or name == "operatorname":
                continue  # the group that follows is read as text by the loop
            elif name in ("\\", "newline", "cr"):
                parts.append(" ")
            elif name in S.DROP_ARGUMENT or name in S.IGNORED:
                if name in S.DROP_ARGUMENT and i < len(tokens) and tokens[i][0] == "group":
                    i += 1
            else:
                parts.append(_symbol_text(name))
    return "".join(parts)


def _symbol_text(name: str) -> str:
    for table in (S.GREEK, S.ORDINARY, S.BINARY, S.RELATION, S.PUNCTUATION, S.BIG_OPERATORS,
                  S.OPENERS, S.CLOSERS):
        if name in table:
            return table[name]
    return name


# --- math mode -----------------------------------------------------------------------------

_NEGATED = {
    "=": "≠", "∈": "∉", "<": "≮", ">": "≯", "≤": "≰", "≥": "≱", "⊂": "⊄", "⊃": "⊅",
    "⊆": "⊈", "⊇": "⊉", "∼": "≁", "≡": "≢", "≈": "≉", "∣": "∤", "∃": "∄", "≅": "≇",
    "∥": "∦", "→": "↛", "←": "↚", "⇒": "⇏", "⇔": "⇎", "↔": "↮",
}
_CIRCLED = {
    **{str(n): chr(0x2460 + n - 1) for n in range(1, 21)}, "0": "⓪",
    **{chr(ord("A") + k): chr(0x24B6 + k) for k in range(26)},
    **{chr(ord("a") + k): chr(0x24D0 + k) for k in range(26)},
}
# Environments whose first brace group is a column spec or count, not content.
_ENV_WITH_SPEC = frozenset({"array", "alignat", "alignat*", "alignedat", "subarray"})


def parse(latex: str) -> Row:
    """Parse math-mode LaTeX into a Row. Raises InvalidLatex when the source cannot be lexed."""
    return _Parser(tokenize(latex)).parse_block()


_KNOWN: list[frozenset[str]] = []


def _known() -> frozenset[str]:
    if not _KNOWN:
        _KNOWN.append(S.known_commands())
    return _KNOWN[0]


def parse_bounded(latex: str) -> Row:
    """`parse` within the budget: TooComplex (an InvalidLatex) for a source or a tree past
    it, and for a recursion or memory failure anywhere in the parse (the last resort).
    A formula that defines macros itself (`\\newcommand{\\R}{\\mathbb{R}} x \\in \\R`, as
    MathJax reads it) has them expanded and its definitions taken out first (the parser
    does so with the note's macros; this is for a formula shown on its own)."""
    check_source(latex)
    if "\\ce" in latex or "\\pu" in latex:  # mhchem: its chemistry as a chemist writes it
        latex = replace_ce(latex)
    if might_define(latex):
        try:
            latex = expand_formula(latex, {})
        except MacroOverflow as exc:
            raise TooComplex(f"the macro {exc.name} expands without end") from exc
        check_source(latex)
    if "\\" in latex and might_use_physics(latex, _known()):  # `\require{physics}`'s commands
        try:
            latex = expand_physics(latex, _known())
        except TooMuch as exc:
            raise TooComplex(f"{exc} expands without end") from exc
        check_source(latex)
    try:
        root = parse(latex)
    except (RecursionError, MemoryError) as exc:
        raise TooComplex(type(exc).__name__) from exc
    check_tree(root)
    return root


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    # token access ---------------------------------------------------------------------
    def _skip_space(self) -> None:
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if tok[0] == "char" and tok[1].isspace():
                self.i += 1
            else:
                return

    def peek(self) -> Token | None:
        self._skip_space()
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token | None:
        tok = self.peek()
        if tok is not None:
            self.i += 1
        return tok

    def arg_tokens(self) -> list[Token] | None:
        """One TeX argument: a brace group's contents or a single token; None at the end."""
        tok = self.peek()
        if tok is None or (tok[0] == "char" and tok[1] in "&^_"):
            return None
        if tok[0] == "macro" and tok[1] in ("\\", "right", "end"):
            return None
        self.i += 1
        return tok[1] if tok[0] == "group" else [tok]

    def arg(self) -> Row | None:
        """One math argument as a Row. A command given without braces takes its own
        arguments with it, as TeX reads it: `x_\\text{rel}` is x with the subscript rel,
        `e^\\frac12` e to the 1/2 (not `x_(text)rel`, `e^(frac)12`)."""
        tok = self.peek()
        if (tok is not None and tok[0] == "macro"
                and tok[1] not in ("\\", "right", "end", "newline", "cr")):
            self.i += 1
            node = self._macro(tok[1], [])
            return Row([] if node is None or isinstance(node, _Marker) else [node])
        toks = self.arg_tokens()
        return None if toks is None else _Parser(toks).parse_block()

    def optional_arg(self) -> Row | None:
        tok = self.peek()
        if tok != ("char", "["):
            return None
        start = self.i + 1
        depth = 0
        for j in range(start, len(self.tokens)):
            t = self.tokens[j]
            if t == ("char", "["):
                depth += 1
            elif t == ("char", "]"):
                if depth == 0:
                    self.i = j + 1
                    return _Parser(self.tokens[start:j]).parse_block()
                depth -= 1
        return None  # no closing bracket: the `[` is ordinary content

    # rows ------------------------------------------------------------------------------
    def parse_block(self) -> Row:
        """Parse everything; a top-level `&` or `\\\\` makes the result one Grid."""
        items = self.parse_items()
        return Row([_grid_or_row_items(items, "")]) if _has_markers(items) else Row(_pair(items))

    def parse_items(self, stop_at_right: bool = False) -> list:
        items: list = []
        while True:
            tok = self.peek()
            if tok is None:
                return items
            if stop_at_right and tok == ("macro", "right"):
                return items
            self.i += 1
            kind = tok[0]
            if kind == "char":
                self._char(tok[1], items)
            elif kind == "group":
                inner = _Parser(tok[1]).parse_block()
                items.append(inner)
            elif kind == "env":
                items.append(self._environment(tok[1], tok[2]))
            else:
                node = self._macro(tok[1], items)
                if node is not None:
                    items.append(node)

    def _char(self, c: str, items: list) -> None:
        if c in "^_":
            arg = self.arg()
            if arg is None:
                items.append(Atom(c))
                return
            _attach_script(items, arg, sup=(c == "^"))
        elif c == "'":
            _attach_script(items, Row([Atom("′")]), sup=True)
        elif c == "&":
            items.append(CELL)
        elif c.isdigit():
            last = items[-1] if items else None
            if isinstance(last, Atom) and last.number:
                last.text += c
            else:
                items.append(Atom(c, S.ORD, number=True))
        elif c == ".":
            last = items[-1] if items else None
            nxt = self.peek()
            if (isinstance(last, Atom) and last.number and "." not in last.text
                    and nxt is not None and nxt[0] == "char" and nxt[1].isdigit()):
                last.text += "."
            else:
                items.append(Atom("."))
        elif c == "," and self._digit_follows_directly() and isinstance(
                items[-1] if items else None, Atom) and items[-1].number:
            items[-1].text += ","  # 1,000 as written: one number, no space after the comma
        elif c == "~":
            items.append(Atom(" ", S.SPACE))
        else:
            items.append(Atom(S.CHAR_TEXT.get(c, c), S.CHAR_KINDS.get(c, S.ORD)))

    def _digit_follows_directly(self) -> bool:
        nxt = self.tokens[self.i] if self.i < len(self.tokens) else None
        return nxt is not None and nxt[0] == "char" and nxt[1].isdigit()

    def _delimiter(self) -> str:
        """The delimiter after `\\left`/`\\right`. What cannot be one (`&`, `\\\\`, an
        environment, `\\right` itself) is left in place to be read as what it is: no cell,
        row or content is swallowed, no backslash printed."""
        tok = self.take()
        if tok is None:
            return ""
        if tok[0] == "char":
            if tok[1] in "&^_":
                self.i -= 1
                return ""
            return "" if tok[1] == "." else tok[1]
        if tok[0] == "macro":
            name = tok[1]
            for table in (S.OPENERS, S.CLOSERS):
                if name in table:
                    return table[name]
            if name in ("|", "Vert"):
                return "‖"
            if name in ("vert", "mid"):
                return "|"
            text = _symbol_text(name)
            if name in ("right", "left", "newline", "cr") or (text == name
                                                               and not name.isalpha()):
                self.i -= 1
                return ""
            return text
        if tok[0] == "group":
            return text_of(tok[1])
        self.i -= 1  # an environment: content, not a delimiter
        return ""

    def _environment(self, name: str, tokens: list[Token]) -> Node:
        if name in _ENV_WITH_SPEC:
            inner = _Parser(tokens)
            if inner.peek() is not None and inner.peek()[0] == "group":
                inner.i += 1
            tokens = tokens[inner.i:]
        items = _Parser(tokens).parse_items()
        return _grid_or_row_items(items, name, force_grid=True)

    def _macro(self, name: str, items: list) -> Node | None:  # noqa: C901 - a dispatch table
        if name in S.FRACTIONS or name in S.BINOMIALS:
            if name == "choose":
                return Atom("choose", _INFIX)  # made a Binom of its group by `_pair`
            a, b = self.arg(), self.arg()
            if a is None or b is None:
                return _call(name, [x for x in (a, b) if x is not None])
            return Frac(a, b) if name in S.FRACTIONS else Binom(a, b)
        if name == "over":
            return Atom("over", _INFIX)  # `{a \\over b}`: made a Frac by `_pair`
        if name == "sqrt":
            index = self.optional_arg()
            body = self.arg()
            return Atom("√") if body is None else Sqrt(body, index)
        if name in S.TEXT_COMMANDS:
            toks = self.arg_tokens()
            if toks is None:
                return _call(name, [])
            raw = _text_raw(toks)
            words = " ".join(raw.split())
            if not words:
                return Atom(" ", S.SPACE)
            # A one-letter text is a symbol (`\text{F}_1`), unless the author spaced it off
            # as a word: `10 \text{ s}` is 10 s, `x \text{ a } y` is x a y.
            spaced = raw[:1].isspace() or raw[-1:].isspace()
            return Atom(words, S.WORD if len(words) > 1 or spaced else S.ORD)
        if name == "operatorname" or name == "mathop":
            star = self.peek()
            if star == ("char", "*"):
                self.i += 1
            toks = self.arg_tokens()
            return _call(name, []) if toks is None else Atom(text_of(toks) or name, S.FN)
        if name in S.STYLE_COMMANDS:
            row = self.arg()
            if row is None:
                return _call(name, [])
            return _styled(name, row)
        if name in S.ACCENTS:
            row = self.arg()
            if row is None:
                return _call(name, [])
            return _accent(name, row)
        if name == "left":
            left = self._delimiter()
            body_items = self.parse_items(stop_at_right=True)
            right = ""
            if self.peek() == ("macro", "right"):
                self.i += 1
                right = self._delimiter()
            body = (Row([_grid_or_row_items(body_items, "")]) if _has_markers(body_items)
                    else Row(_pair(body_items)))
            return Fenced(left, body, right)
        if name == "right":
            return Atom(self._delimiter(), S.CLOSE)
        if name == "textcircled":  # ① Ⓐ ⓐ; a longer text in brackets
            toks = self.arg_tokens()
            text = text_of(toks) if toks else ""
            return Atom(_CIRCLED.get(text, f"({text})"), S.ORD)
        if name in ("not", "centernot"):
            row = self.arg()
            if row is None:
                return Atom("¬")
            if len(row.items) == 1 and isinstance(row.items[0], Atom):
                atom = row.items[0]
                return Atom(_NEGATED.get(atom.text, atom.text + "\u0338"), S.REL)
            return Row([Atom("¬"), row])
        if name == "pmod":
            row = self.arg() or Row()
            return Row([Atom(" ", S.SPACE), Fenced("(", Row([Atom("mod", S.FN), row]), ")")])
        if name in ("overset", "stackrel", "underset"):
            a, b = self.arg(), self.arg()
            if a is None or b is None:
                return _call(name, [x for x in (a, b) if x is not None])
            base = b.items[0] if len(b.items) == 1 else b
            return Scripted(base, sub=a) if name == "underset" else Scripted(base, sup=a)
        if name.startswith("x") and name in S.RELATION:  # \\xrightarrow[below]{above}
            self.optional_arg()
            above = self.arg()
            arrow = Atom(S.RELATION[name], S.REL)
            return arrow if above is None else Scripted(arrow, sup=above)
        if name in ("overbrace", "underbrace", "overbracket", "underbracket"):
            row = self.arg()
            if row is None:
                return _call(name, [])
            under = name.startswith("under")
            if self.peek() == ("char", "_" if under else "^"):  # its label
                self.i += 1
                label = self.arg()
                if label is not None:
                    return Brace(row, label, under)
            return row
        if name in ("textcolor", "colorbox", "fcolorbox"):
            self.optional_arg()  # a colour model: \\textcolor[RGB]{153,115,235}{x}
            self.arg_tokens()
            if name == "fcolorbox":
                self.arg_tokens()
            return self.arg() or Row()
        if name == "rule":  # a strut or a drawn bar: [raise]{width}{height}, nothing to read
            self.optional_arg()
            self.arg_tokens()
            self.arg_tokens()
            return None
        if name in S.MATH_CLASSES:
            row = self.arg()
            if row is None:
                return _call(name, [])
            if len(row.items) == 1 and isinstance(row.items[0], Atom):
                return Atom(row.items[0].text, S.MATH_CLASSES[name])
            return row
        if name == "boxed":  # a result: framed in 2-D, as it is on one line
            row = self.arg()
            return _call(name, []) if row is None else Boxed(row)
        if name == "substack":  # `\\sum_{\\substack{i<n \\\\ j<m}}`: its lines, as a grid
            return self.arg() or Row()
        if name == "tag":
            toks = self.arg_tokens()
            return Atom(f"({text_of(toks)})" if toks else "tag", S.WORD)
        if name in S.DROP_ARGUMENT:
            if name == "hspace" and self.peek() == ("char", "*"):
                self.i += 1
            if name == "color":
                self.optional_arg()  # \\color[RGB]{…}
            self.arg_tokens()
            return Atom(" ", S.SPACE) if name == "hspace" else None
        if name in ("\\", "newline", "cr"):
            self.optional_arg()
            return NEWROW  # type: ignore[return-value]
        if name in S.IGNORED:
            return None
        if name in S.SPACES:
            return Atom(S.SPACES[name], S.SPACE)
        for table, kind in ((S.GREEK, S.ORD), (S.ORDINARY, S.ORD), (S.BINARY, S.BIN),
                            (S.RELATION, S.REL), (S.PUNCTUATION, S.PUNCT),
                            (S.BIG_OPERATORS, S.OP), (S.OPENERS, S.OPEN), (S.CLOSERS, S.CLOSE)):
            if name in table:
                return Atom(table[name], kind)
        if name in S.FUNCTIONS:
            return Atom(name, S.FN)
        # Unknown command: its name, with any brace groups that follow as arguments.
        args: list[Row] = []
        while (tok := self.peek()) is not None and tok[0] == "group":
            self.i += 1
            args.append(_Parser(tok[1]).parse_block())
        return _call(name, args)


def _call(name: str, args: list[Row]) -> Node:
    if args:
        return Call(name, args)
    if not name.isalpha():
        return Atom(name)
    return Atom(name, S.WORD if len(name) > 1 else S.ORD)


def _attach_script(items: list, arg: Row, sup: bool) -> None:
    last = items[-1] if items else None
    if last is None or isinstance(last, _Marker):
        base: Node = Atom("")
        items.append(Scripted(base))
    elif not isinstance(last, Scripted):
        items[-1] = Scripted(last)
    target = items[-1]
    if sup:
        if target.sup is None:
            target.sup = arg
        elif all(isinstance(x, Atom) and x.text == "′" for x in target.sup.items):
            target.sup = Row(target.sup.items + arg.items)  # f'^2, f''
        else:
            items[-1] = Scripted(target, sup=arg)  # a double superscript: nest, keep both
    elif target.sub is None:
        target.sub = arg
    else:
        items[-1] = Scripted(target, sub=arg)


def _styled(name: str, row: Row) -> Node:
    letters = [x for x in row.items if isinstance(x, Atom)]
    if name in ("mathbb", "Bbb"):
        for atom in letters:
            atom.text = "".join(S.DOUBLE_STRUCK.get(ch, ch) for ch in atom.text)
    if (len(letters) == len(row.items) and len(letters) > 1
            and all(a.kind == S.ORD and a.text.isalpha() for a in letters)):
        # \mathrm{recall}: one word, not a product of letters.
        return Atom("".join(a.text for a in letters), S.WORD)
    if len(row.items) == 1:
        return row.items[0]
    return row


def _accent(name: str, row: Row) -> Node:
    mark = S.ACCENTS[name]
    items = row.items
    while len(items) == 1 and isinstance(items[0], Row):
        items = items[0].items  # \vec{{v}}
    if len(items) == 1 and isinstance(items[0], Atom) and len(items[0].text) == 1:
        atom = items[0]
        return Atom(_nfc(atom.text + mark), atom.kind)
    if (len(items) == 1 and isinstance(items[0], Scripted) and isinstance(items[0].base, Atom)
            and len(items[0].base.text) == 1):
        # \vec{v_1}, \hat{\beta_j}: the mark on the letter, its scripts kept (v⃗₁, β̂ⱼ)
        node = items[0]
        return Scripted(Atom(_nfc(node.base.text + mark), node.base.kind), node.sub, node.sup)
    return Accent(name, row)


def _nfc(text: str) -> str:
    """Precomposed where Unicode has it (ŷ, x̄ stays combining): terminals draw those better."""
    import unicodedata

    return unicodedata.normalize("NFC", text)


def _has_markers(items: list) -> bool:
    return any(isinstance(x, _Marker) for x in items)


def _grid_or_row_items(items: list, env: str, force_grid: bool = False) -> Node:
    rows: list[list[Row]] = [[]]
    cell: list = []
    for it in items:
        if it is CELL:
            rows[-1].append(Row(_pair(cell)))
            cell = []
        elif it is NEWROW:
            rows[-1].append(Row(_pair(cell)))
            cell = []
            rows.append([])
        else:
            cell.append(it)
    rows[-1].append(Row(_pair(cell)))
    # A trailing `\\` leaves an empty last row: not content.
    if len(rows) > 1 and len(rows[-1]) == 1 and not rows[-1][0].items:
        rows.pop()
    if env not in S.ENVIRONMENT_DELIMITERS:
        # an aligned right-hand side opening with an operator continues the line above:
        # `&- 2xy` is binary, as TeX sets it (an empty atom before it), not a minus sign
        for row in rows:
            for cell in row[1::2]:
                first = next((x for x in cell.items
                              if not (isinstance(x, Atom) and x.kind == S.SPACE)), None)
                if isinstance(first, Atom) and first.kind == S.BIN:
                    cell.items.insert(0, Atom("", S.ORD))
    if not force_grid and len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return Grid(rows, env)


_INFIX = "infix"  # the kind of `\\choose` and `\\over` until `_pair` splits their group


def _infix(items: list) -> list | None:
    """A group holding `\\choose` or `\\over` (TeX's infix forms: `{n \\choose k}`,
    `{a \\over b}`) as the one Binom or Frac it means; None when it holds neither."""
    for k, it in enumerate(items):
        if isinstance(it, Atom) and it.kind == _INFIX:
            top, bottom = Row(_pair(items[:k])), Row(_pair(items[k + 1:]))
            return [Binom(top, bottom) if it.text == "choose" else Frac(top, bottom)]
    return None


def _pair(items: list) -> list:
    """Join balanced ( ), [ ], { } atoms into Fenced nodes so they can grow around fractions."""
    infix = _infix(items)
    if infix is not None:
        return infix
    stack: list[list] = [[]]
    opens: list[Atom] = []
    for it in items:
        if isinstance(it, Atom) and it.kind == S.OPEN and it.text in S.BRACKET_PAIRS:
            opens.append(it)
            stack.append([])
        elif (isinstance(it, Atom) and it.kind == S.CLOSE and opens
              and S.BRACKET_PAIRS[opens[-1].text] == it.text):
            body = _pair_bars(stack.pop())
            stack[-1].append(Fenced(opens.pop().text, Row(body), it.text))
        elif (isinstance(it, Scripted) and isinstance(it.base, Atom) and it.base.kind == S.CLOSE
              and opens and S.BRACKET_PAIRS[opens[-1].text] == it.base.text):
            # `(x - \mu)^2`: the script went onto the `)`; it belongs to the whole group
            body = _pair_bars(stack.pop())
            fenced = Fenced(opens.pop().text, Row(body), it.base.text)
            stack[-1].append(Scripted(fenced, sub=it.sub, sup=it.sup))
        else:
            stack[-1].append(it)
    while opens:  # unmatched openers stay ordinary atoms
        body = stack.pop()
        stack[-1].append(opens.pop())
        stack[-1].extend(body)
    return _pair_bars(stack[0])


_BARS = ("|", "‖")


def _bar(node: Node) -> str | None:
    """The bar a node is (`|`, `‖`, also with a script on it: `‖x‖₂`), or None."""
    base = node.base if isinstance(node, Scripted) else node
    if isinstance(base, Atom) and base.kind == S.ORD and base.text in _BARS:
        return base.text
    return None


def _operand_end(node: Node) -> bool:
    """Whether a node can end what a closing bar closes: not an operator, relation, opening
    or comma, nor a big operator with its limits (`∫_I |f|`: that bar opens)."""
    base = node.base if isinstance(node, Scripted) else node
    return not (isinstance(base, Atom) and base.kind in (
        S.BIN, S.REL, S.OPEN, S.PUNCT, S.OP, S.SPACE))


def _pair_bars(items: list) -> list:
    """`|A ∩ B|`, `‖x‖₂`: a bar and the next like bar that can close it made one Fenced
    group, as a reader pairs them, so a fraction needs no brackets around it
    (`|A ∩ B|/|A ∪ B|`) and a tall body gets tall bars. A bar closes after an operand, over
    a body with no relation and no other bar; one that cannot close opens instead, and a bar
    left alone (`P(A|B)`, `{x | x > 0}`, `d|a ⟹ …`) stays an ordinary sign."""
    if not any(_bar(x) for x in items):
        return items
    out: list = []
    opened: list[int] = []  # where in `out` the bars waiting to be closed are
    for it in items:
        bar = _bar(it)
        if bar is None:
            out.append(it)
            continue
        at = next((k for k in reversed(opened) if _bar(out[k]) == bar), None)
        body = out[at + 1:] if at is not None else []
        if (at is not None and body and _operand_end(body[-1])
                and not any(_bar(x) or (isinstance(x, Atom) and x.kind == S.REL)
                            for x in body)):
            del out[at:]
            opened = [k for k in opened if k < at]
            fenced = Fenced(bar, Row(body), bar)
            out.append(Scripted(fenced, sub=it.sub, sup=it.sup)
                       if isinstance(it, Scripted) else fenced)
        else:
            if not isinstance(it, Scripted):  # `|x|²`'s `|²` never opens
                opened.append(len(out))
            out.append(it)
    return out
