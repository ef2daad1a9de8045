"""A note's own LaTeX macros, as MathJax (Obsidian's math renderer) reads them.

Obsidian renders math with MathJax, which keeps a `\\newcommand`, `\\renewcommand`,
`\\providecommand`, `\\def`, `\\let`, `\\DeclareMathOperator` or `\\DeclarePairedDelimiter`
written in one math block defined for
every formula after it (users put a `$$\\newcommand{\\R}{\\mathbb{R}} …$$` block at the top of a
note); the Extended MathJax plugin also reads a `preamble.sty` at the vault's root. So the
parser expands them in a card's math (`expand_text`), and the card's formulas read as the
note shows them: in the terminal, and in Anki (where a note's macros are unknown).

- `read_definitions(source)`: the definitions in a piece of LaTeX (a formula, a preamble).
- `expand_text(markdown, macros)`: every formula of a markdown string with the macros
  expanded and its definitions taken out (a formula that was only definitions is gone, its
  `$` delimiters too); definitions met on the way apply to the formulas after them.
- `math_spans(markdown)`: where its formulas are, by the rules the renderer reads them with
  (`$…$`, `$$…$$`, not in code; see `flashdeck.mathtext.markdown`).

Bounded: a formula is expanded by at most MAX_EXPANSIONS macro calls into at most
MAX_TOKENS tokens; past that (a macro that calls itself, one that doubles at each call) the
formula is left as written and `MacroOverflow` says which macro ran away. Pure functions: no
import of the rest of flashdeck, so the parser (notes) and the renderer (mathtext) both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Iterator

__all__ = [
    "Macro", "MacroOverflow", "DEFINING", "expand_formula", "expand_text", "math_spans",
    "might_define", "read_definitions", "strip_definitions",
]

MAX_EXPANSIONS = 2_000  # macro calls expanded in one formula
MAX_TOKENS = 10_000  # tokens a formula may grow to
MAX_WORK = 40_000  # tokens all of one formula's expansions may write, added up
MAX_DEFINITIONS = 1_000  # definitions read from one note or preamble
MAX_BODY = 4_000  # tokens of one macro's body

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|#[1-9#]|\s+|.", re.S)
_CONTROL_WORD = re.compile(r"\\[A-Za-z]+\Z")
_NEW = ("\\newcommand", "\\renewcommand", "\\providecommand")
_DEF = ("\\def", "\\gdef", "\\edef", "\\xdef")
_OPERATOR = "\\DeclareMathOperator"
_LET = "\\let"
_PAIRED = "\\DeclarePairedDelimiter"
DEFINING = frozenset(_NEW + _DEF + (_OPERATOR, _LET, _PAIRED))
_MIGHT_DEFINE = re.compile(
    r"\\(?:(?:re)?newcommand|providecommand|[gex]?def(?![A-Za-z])|let(?![A-Za-z])"
    r"|DeclareMathOperator|DeclarePairedDelimiter)")


def might_define(text: str) -> bool:
    """Whether `text` may hold a macro definition (a cheap test, no tokenizing)."""
    return _MIGHT_DEFINE.search(text) is not None


@dataclass(frozen=True, slots=True)
class Macro:
    """`name` (with its backslash) takes `nargs` arguments, the first optional (`[…]`) with
    `default` when that is not None; `body` holds `#1`…`#9` for them."""

    name: str
    nargs: int
    default: tuple[str, ...] | None
    body: tuple[str, ...]
    provide: bool = False  # \providecommand: only when not defined yet
    paired: bool = False  # \DeclarePairedDelimiter: `\abs*{x}`, `\abs[\big]{x}` read too
    # \let: takes the meaning its target has where it is defined (`define`); a command that
    # is no macro then (`\let\oldvec\vec`) stays that command, never expanded again
    let: bool = False
    primitive: bool = False


class MacroOverflow(Exception):
    """A formula's expansion went past the bounds (`name`: the macro expanding then)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _BadDefinition(Exception):
    """A definition not of a form read here (a delimited `\\def\\a#1.{…}`, a missing body)."""


def tokenize(source: str) -> list[str]:
    return _TOKEN.findall(source)


def join(tokens: list[str]) -> str:
    """Tokens as LaTeX source: a control word keeps apart from a letter after it."""
    out: list[str] = []
    prev = ""
    for tok in tokens:
        if prev and prev[0] == "\\" and tok[:1].isalpha() and _CONTROL_WORD.match(prev):
            out.append(" ")
        out.append(tok)
        prev = tok
    return "".join(out)


# -- reading definitions ------------------------------------------------------------------


class _Stream:
    """Tokens read from the front (a reversed list: popping is cheap). While a definition is
    read, the tokens taken are kept (`begin`), to be put back if it is not one (`undo`)."""

    __slots__ = ("stack", "taken")

    def __init__(self, tokens: list[str]) -> None:
        self.stack = tokens[::-1]
        self.taken: list[str] | None = None

    def begin(self) -> None:
        self.taken = []

    def undo(self) -> None:
        if self.taken:
            self.stack.extend(reversed(self.taken))
        self.taken = None

    def pop(self) -> str | None:
        if not self.stack:
            return None
        tok = self.stack.pop()
        if self.taken is not None:
            self.taken.append(tok)
        return tok

    def skip_space(self) -> None:
        stack = self.stack
        while stack and stack[-1].isspace():
            self.pop()

    def peek(self) -> str | None:
        return self.stack[-1] if self.stack else None

    def push(self, tokens: list[str] | tuple[str, ...]) -> None:
        self.stack.extend(reversed(tokens))

    def group(self) -> list[str]:
        """The tokens of a `{…}` group (the `{` already next), without its braces."""
        self.pop()
        depth = 1
        out: list[str] = []
        while self.stack:
            tok = self.pop()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    return out
            out.append(tok)
        raise _BadDefinition("a { never closed")

    def bracket(self) -> list[str]:
        """The tokens of a `[…]` optional argument (the `[` already next), braces kept."""
        self.pop()
        depth = 0
        out: list[str] = []
        while self.stack:
            tok = self.pop()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
            elif tok == "]" and depth <= 0:
                return out
            out.append(tok)
        raise _BadDefinition("a [ never closed")

    def argument(self) -> list[str]:
        """One undelimited argument: a group's tokens, else one token (spaces skipped)."""
        self.skip_space()
        tok = self.peek()
        if tok is None:
            return []
        if tok == "{":
            return self.group()
        self.pop()
        return [tok]


def _name(stream: _Stream) -> str:
    """The name defined: `\\R` or `{\\R}`."""
    stream.skip_space()
    tok = stream.peek()
    if tok == "{":
        inner = [t for t in stream.group() if not t.isspace()]
        if len(inner) == 1 and inner[0].startswith("\\") and len(inner[0]) > 1:
            return inner[0]
        raise _BadDefinition("the name is not one command")
    if tok is not None and tok.startswith("\\") and len(tok) > 1:
        stream.pop()
        return tok
    raise _BadDefinition("no command name")


def _body(stream: _Stream) -> tuple[str, ...]:
    stream.skip_space()
    if stream.peek() != "{":
        raise _BadDefinition("no { body }")
    body = stream.group()
    if len(body) > MAX_BODY:
        raise _BadDefinition("the body is too long")
    return tuple(body)


def _read_one(keyword: str, stream: _Stream) -> Macro:
    """The definition after `keyword` (already read)."""
    if keyword in _NEW:
        stream.skip_space()
        if stream.peek() == "*":
            stream.pop()
        name = _name(stream)
        nargs, default = 0, None
        stream.skip_space()
        if stream.peek() == "[":
            count = "".join(stream.bracket()).strip()
            if not count.isdigit() or not 0 <= int(count) <= 9:
                raise _BadDefinition("the number of arguments is not 0 to 9")
            nargs = int(count)
            stream.skip_space()
            if stream.peek() == "[":
                default = tuple(stream.bracket())
                if nargs == 0:
                    raise _BadDefinition("a default for no argument")
        return Macro(name, nargs, default, _body(stream), keyword == "\\providecommand")
    if keyword in _DEF:
        stream.skip_space()
        tok = stream.pop()
        if tok is None or not tok.startswith("\\") or len(tok) < 2:
            raise _BadDefinition("no command name")
        nargs = 0
        while stream.peek() is not None and stream.peek() != "{":
            param = stream.pop()
            if param == f"#{nargs + 1}":
                nargs += 1
            else:  # `\def\a#1.{…}`: an argument ended by a delimiter
                raise _BadDefinition("delimited arguments are not read")
        return Macro(tok, nargs, None, _body(stream))
    if keyword == _LET:  # \let\epsilon\varepsilon, \let\a=\b: the meaning it has now
        stream.skip_space()
        tok = stream.pop()
        if tok is None or not tok.startswith("\\") or len(tok) < 2:
            raise _BadDefinition("no command name")
        stream.skip_space()
        if stream.peek() == "=":
            stream.pop()
            stream.skip_space()
        target = stream.pop()
        if target is None or target.isspace():
            raise _BadDefinition("nothing to let it be")
        return Macro(tok, 0, None, (target,), let=True)
    if keyword == _PAIRED:  # \DeclarePairedDelimiter{\abs}{\lvert}{\rvert}
        name = _name(stream)
        left, right = _body(stream), _body(stream)
        return Macro(name, 1, None, ("\\left", *left, "#1", "\\right", *right), paired=True)
    # \DeclareMathOperator{\argmax}{arg\,max}, starred: limits under and over
    stream.skip_space()
    star = stream.peek() == "*"
    if star:
        stream.pop()
    name = _name(stream)
    body = _body(stream)
    return Macro(name, 0, None, ("\\operatorname", *(("*",) if star else ()), "{", *body, "}"))


def read_definitions(source: str) -> tuple[list[Macro], str, list[str]]:
    """The definitions in `source`, in order; the source without them; and what could not
    be read (each a message naming the command), whose text is left in place."""
    macros: list[Macro] = []
    problems: list[str] = []
    out: list[str] = []
    stream = _Stream(tokenize(source))
    while stream.stack:
        tok = stream.pop()
        if tok in DEFINING and len(macros) < MAX_DEFINITIONS:
            stream.begin()
            try:
                macros.append(_read_one(tok, stream))
                stream.taken = None
                continue
            except _BadDefinition as e:
                stream.undo()
                problems.append(f"{tok} not read ({e})")
        out.append(tok)
    return macros, join(out), problems


# -- expanding ----------------------------------------------------------------------------


def _substitute(body: tuple[str, ...], args: list[list[str]]) -> list[str]:
    out: list[str] = []
    for tok in body:
        if tok[0] == "#" and len(tok) == 2:
            if tok == "##":
                out.append("#")
                continue
            k = int(tok[1]) - 1
            if k < len(args):
                out.extend(args[k])
                continue
        out.append(tok)
    return out


def define(macros: dict[str, Macro], macro: Macro, only_new: bool = False) -> None:
    """`macro` added to `macros` (`only_new`: unless its name is defined already)."""
    if (macro.provide or only_new) and macro.name in macros:
        return
    if macro.let:
        target = macros.get(macro.body[0])
        macro = replace(target, name=macro.name) if target is not None else \
            replace(macro, let=False, primitive=True)
    macros[macro.name] = macro


def expand_formula(source: str, macros: dict[str, Macro], budget: list[int] | None = None) -> str:
    """`source` with `macros` expanded (and those it defines, after their definition; they
    are added to `macros`) and its definitions taken out. Raises MacroOverflow past the
    bounds; a source with no macro of `macros` and no definition comes back as it was.
    `budget`: the tokens still to be written by expansions for a whole note (spent here)."""
    if not might_define(source) and not any(
            tok in macros for tok in re.findall(r"\\[A-Za-z]+|\\.", source)):
        return source
    stream = _Stream(tokenize(source))
    stack = stream.stack
    out: list[str] = []
    calls = 0
    work = MAX_WORK if budget is None else min(MAX_WORK, budget[0])
    changed = False
    while stack:
        tok = stack.pop()
        if tok in DEFINING:
            stream.begin()
            try:
                define(macros, _read_one(tok, stream))
                stream.taken = None
                changed = True
                continue
            except _BadDefinition:
                stream.undo()
        macro = macros.get(tok)
        if macro is None:
            out.append(tok)
            continue
        if macro.primitive:  # `\let\oldvec\vec`: the command itself, as it was
            out.append(macro.body[0])
            changed = True
            continue
        calls += 1
        if calls > MAX_EXPANSIONS or len(stack) + len(out) > MAX_TOKENS:
            raise MacroOverflow(tok)
        changed = True
        args: list[list[str]] = []
        if macro.paired:  # `\abs*{x}`, `\abs[\Big]{x}`: the delimiters grow anyway
            stream.skip_space()
            if stream.peek() == "*":
                stream.pop()
                stream.skip_space()
            if stream.peek() == "[":
                stream.begin()
                try:
                    stream.bracket()
                    stream.taken = None
                except _BadDefinition:
                    stream.undo()
        if macro.nargs:
            if macro.default is not None:
                stream.skip_space()
                if stream.peek() == "[":
                    stream.begin()
                    try:
                        args.append(stream.bracket())
                        stream.taken = None
                    except _BadDefinition:  # `[` never closed: no optional argument
                        stream.undo()
                        args.append(list(macro.default))
                else:
                    args.append(list(macro.default))
            while len(args) < macro.nargs:
                stream.begin()
                try:
                    args.append(stream.argument())
                    stream.taken = None
                except _BadDefinition:  # `{` never closed: an empty argument, the rest read on
                    stream.undo()
                    stream.pop()
                    args.append([])
        expansion = _substitute(macro.body, args)
        work -= len(expansion) + 1
        if budget is not None:
            budget[0] -= len(expansion) + 1
        if work < 0 or len(stack) + len(out) + len(expansion) > MAX_TOKENS:
            raise MacroOverflow(tok)
        stream.push(expansion)
    return join(out) if changed else source


# -- math in markdown ---------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)*")


def math_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, delimiter length) of each formula in `text`, in order: `text[start:end]`
    is its source, between `$` or `$$` delimiters of that length. Fenced code and code spans
    hold none; the rules are the renderer's (`flashdeck.mathtext.markdown`)."""
    pos = 0
    fence: str | None = None
    prose_start = 0
    for line in text.splitlines(keepends=True):
        inner = line[len(_QUOTE.match(line).group(0)):] if line.lstrip().startswith(">") else line
        if fence is None:
            m = _FENCE_OPEN.match(inner.rstrip("\r\n"))
            if m and not (m.group("fence")[0] == "`" and "`" in m.group("info")):
                yield from _prose_spans(text, prose_start, pos)
                fence = m.group("fence")
        else:
            stripped = inner.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = None
                prose_start = pos + len(line)
        pos += len(line)
    if fence is None:
        yield from _prose_spans(text, prose_start, len(text))


def _prose_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    s = text[start:end]
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            i += 2
            continue
        if c == "`":
            run = run_length(s, i, "`")
            close = find_backtick_close(s, i + run, run)
            i = i + run if close < 0 else close + run
            continue
        if s.startswith("$$", i):
            close = find_unescaped(s, "$$", i + 2)
            if close < 0:
                i += 2
                continue
            yield start + i + 2, start + close, 2
            i = close + 2
            continue
        if c == "$":
            close = find_inline_close(s, i)
            if close < 0:
                i += 1
                continue
            yield start + i + 1, start + close, 1
            i = close + 1
            continue
        i += 1


def map_math(text: str, fn: Callable[[str, int], str | None]) -> str:
    """`text` with each formula's source replaced by `fn(source, start)`; None takes the
    formula out with its delimiters (and the blank lines that leaves are closed up)."""
    out: list[str] = []
    last = 0
    removed = False
    for start, end, delim in math_spans(text):
        new = fn(text[start:end], start)
        if new is None:
            out.append(text[last:start - delim])
            out.append(_GONE)
            removed = True
        else:
            out.append(text[last:start])
            out.append(new)
            out.append(text[end:end + delim])
        last = end + delim
    if not out:
        return text
    out.append(text[last:])
    if not removed:
        return "".join(out)
    return _tidy("".join(out)) if _GONE not in text else "".join(out).replace(_GONE, "")


def strip_definitions(text: str) -> str:
    """`text` with the definitions in its formulas taken out (a formula of definitions only,
    and its delimiters, gone), the macros left as written."""
    if not might_define(text):
        return text

    def strip(source: str, _start: int) -> str | None:
        if not might_define(source):
            return source
        macros, rest, _problems = read_definitions(source)
        if not macros:
            return source
        return rest if rest.strip() else None

    return map_math(text, strip)


def expand_text(text: str, macros: dict[str, Macro],
                budget: list[int] | None = None) -> tuple[str, list[str]]:
    """Each formula of markdown `text` with `macros` expanded, in order (a definition in one
    applies to those after it; `macros` is not changed); a formula of definitions only is
    taken out. Returns the text and the names of the macros that ran past the bounds (their
    formulas are left as written). `budget`: see `expand_formula`."""
    if not macros and not might_define(text):
        return text, []
    env = dict(macros)
    overflow: list[str] = []

    def expand(source: str, _start: int) -> str | None:
        before = dict(env)
        try:
            new = expand_formula(source, env, budget)
        except MacroOverflow as e:
            env.clear()
            env.update(before)
            overflow.append(e.name)
            return source
        if new is not source and not new.strip() and source.strip():
            return None  # definitions only
        return new

    return map_math(text, expand), overflow


_GONE = "\ue000"  # where a formula was taken out (a private-use character)
_BLANK = re.compile(r"[ \t>]*\Z")


def _tidy(text: str) -> str:
    """`text` with the lines a formula taken out (`_GONE`) left blank dropped, and one blank
    line of the two around each (a paragraph of its own between two others), and none left
    at the start or end by them; every other line as it was (a code block keeps its
    blank lines)."""
    lines = text.split("\n")
    keep = [True] * len(lines)
    for k, line in enumerate(lines):
        if _GONE not in line:
            continue
        line = lines[k] = line.replace(" " + _GONE + " ", " ").replace(_GONE, "")
        if not _BLANK.match(line):
            continue
        keep[k] = False
        before = next((j for j in range(k - 1, -1, -1) if keep[j]), None)
        after = k + 1 if k + 1 < len(lines) else None
        if after is not None and _BLANK.match(lines[after]) and _GONE not in lines[after] and (
                before is None or _BLANK.match(lines[before])):
            keep[after] = False  # `A`, ``, `$$defs$$`, ``, `B`: one blank line between A, B
        elif before is not None and after is None and _BLANK.match(lines[before]):
            keep[before] = False
    kept = [line for line, k in zip(lines, keep) if k]
    return "\n".join(kept)


# -- shared with the renderer (flashdeck.mathtext.markdown) -------------------------------


def run_length(s: str, i: int, ch: str) -> int:
    j = i
    while j < len(s) and s[j] == ch:
        j += 1
    return j - i


def find_backtick_close(s: str, start: int, run: int) -> int:
    """The start of the next backtick run of exactly `run` characters, or -1."""
    j = start
    while True:
        j = s.find("`", j)
        if j < 0:
            return -1
        length = run_length(s, j, "`")
        if length == run:
            return j
        j += length


def find_unescaped(s: str, needle: str, start: int) -> int:
    j = start
    while True:
        j = s.find(needle, j)
        if j < 0:
            return -1
        if escaped(s, j):
            j += 1
            continue
        return j


def escaped(s: str, j: int) -> bool:
    backslashes = 0
    k = j - 1
    while k >= 0 and s[k] == "\\":
        backslashes += 1
        k -= 1
    return backslashes % 2 == 1


def find_inline_close(s: str, i: int) -> int:
    """The closing `$` of inline math opened at i, by the Pandoc rules, or -1."""
    n = len(s)
    if i + 1 >= n or s[i + 1].isspace() or s[i + 1] == "$":
        return -1
    j = i + 1
    while True:
        j = s.find("$", j)
        if j < 0:
            return -1
        between = s[i + 1 : j]
        if re.search(r"\n[ \t>]*\n", between):
            return -1  # math never spans a blank line (a paragraph break)
        if "`" in between:
            # a code span starts inside: it wins, and this `$` is text (`costs $5, see
            # `${VAR}``: the `$` of the code is no closer), as the parser masks it
            return -1
        if escaped(s, j):
            j += 1
            continue
        if s[j - 1].isspace() or (j + 1 < n and s[j + 1].isdigit()):
            j += 1
            continue
        return j
