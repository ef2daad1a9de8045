"""Text wrapped at a widget's width with a hanging indent, and lines cut in their middle:
the working under an exercise, the help's keys, card info, the breadcrumb. Nothing here is
ever clipped silently. The widget that draws hanging text is `flashdeck.tui.hanging`'s."""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual.content import Content

from flashdeck.render import Lazy


# Line-breaking rules of Chinese and Japanese text (kinsoku shori, JIS X 4051; CSS's
# `line-break: normal`): a line does not start with closing punctuation, a full stop or
# comma, an iteration mark or a middle dot, nor end with opening punctuation. Where text
# with no space is cut by cells, the cut moves back a character or two (the character
# goes to the next line with what must stay with it), as a typesetter does.
NO_LINE_START = frozenset(
    "、。，．：；？！・･…‥〜～々〻ゝゞヽヾ"  # stops, commas, marks
    "）］｝〕〉》」』】〙〗〟｠»’”"  # closing brackets and quotes (fullwidth and CJK)
    "｡､｣")  # halfwidth forms
NO_LINE_END = frozenset("（［｛〔〈《「『【〘〖〝｟«‘“｢")
KINSOKU_REACH = 3  # characters a cut moves back at most (then it stays where it was)


def kinsoku_cut(text: str, start: int, cut: int) -> int:
    """`cut` (a break by cells inside `text[start:]`, with no space there) moved back so
    that the line after it does not start with a character of `NO_LINE_START` and the line
    before it does not end with one of `NO_LINE_END`; `cut` itself when that would take
    more than `KINSOKU_REACH` characters or leave the line before it empty."""
    if cut >= len(text) or (text[cut] not in NO_LINE_START
                            and text[cut - 1] not in NO_LINE_END):
        return cut
    for moved in range(cut - 1, max(start, cut - 1 - KINSOKU_REACH), -1):
        if text[moved] not in NO_LINE_START and text[moved - 1] not in NO_LINE_END:
            return moved
    return cut


def wrap_hanging(text: str, width: int, hang: int = 2,
                 column: int | None = None) -> list[tuple[int, int, int]]:
    """Where `text` breaks to fit `width` cells: `(indent, start, end)` for each screen line,
    `text[start:end]` shown after `indent` spaces.

    Lines break at spaces (a word longer than the line is cut), but not between a number
    and the word it counts (`0 learning`, `3.2 days`: `_counted`) unless nothing else
    fits; each line's continuations hang `hang` cells past its own indent (its leading
    spaces), or start at `column` when given, so that a wrapped line reads as one. Never
    past half the width, but for a `column` whose room takes every word after it (and each
    number with the word it counts): a value column is kept then (the summary's
    `Still due today      13 new ·` went on at 40×12 four cells left of its column, under
    the label). Trailing spaces at a break are dropped; a line's own leading spaces are
    kept."""
    width = max(width, 1)
    rows: list[tuple[int, int, int]] = []
    offset = 0
    for line in text.split("\n"):
        lead = len(line) - len(line.lstrip(" "))
        hanging = min(column if column is not None else lead + hang, width // 2)
        if column is not None and hanging < column < width \
                and _widest_unit(line[column:]) <= width - column:
            hanging = column
        start, indent = 0, 0
        while True:
            room = width - indent
            used = 0
            end = start
            fits_to = start  # the end of the last word that fits, not a number's
            counted_to = start  # ... or of a number, before the word it counts
            while end < len(line):
                used += cell_len(line[end])
                if used > room:
                    break
                end += 1
                if end == len(line) or (line[end] == " " and line[end - 1] != " "):
                    if end < len(line) and _counted(line, start, end):
                        counted_to = end
                    else:
                        fits_to = end
            if end >= len(line):
                rows.append((indent, offset + start, offset + len(line)))
                break
            if fits_to <= start:  # only a number and its word: split them, else cut
                fits_to = counted_to
            if fits_to <= start:  # no word ends in the room: cut the one that overflows
                fits_to = kinsoku_cut(line, start, max(end, start + 1))
            rows.append((indent, offset + start, offset + fits_to))
            start = fits_to
            while start < len(line) and line[start] == " ":
                start += 1
            if start >= len(line):
                break
            indent = hanging
        offset += len(line) + 1
    return rows


_NUMBER = re.compile(r"[0-9][0-9.,]*%?|[0-9]*½")


def _widest_unit(text: str) -> int:
    """The cells of the widest piece `wrap_hanging` keeps on one line in `text`: a word,
    or a number with the word it counts (`0 learning`)."""
    words = text.split()
    widest = 0
    for i, word in enumerate(words):
        widest = max(widest, cell_len(word))
        if i + 1 < len(words) and words[i + 1][:1].isalpha() and _NUMBER.fullmatch(word):
            widest = max(widest, cell_len(word) + 1 + cell_len(words[i + 1]))
    return widest


def _counted(line: str, start: int, end: int) -> bool:
    """Whether the space at `line[end]` is between a number (the word ending at `end`, not
    before `start`) and a word it counts: `16 new`, `0 learning`, `1½ cards`."""
    word_start = line.rfind(" ", start, end) + 1 or start
    return (line[end + 1:end + 2].isalpha()
            and _NUMBER.fullmatch(line, max(word_start, start), end) is not None)


RELATIONS = frozenset("= ≈ ≠ ≤ ≥ < > ≡ ≅ ∼ ~ ∝ → ⇒ ⟹ ⇔ ↔ := =>".split())
OPERATORS = frozenset("+ − - · × / ÷ * ± ∓ ∩ ∪ ∧ ∨ ⋅ ∘ ⊕".split())
# the one-character signs: what a formula's piece may start with (`_long_run`)
_SIGN_CHARACTERS = frozenset(sign for sign in RELATIONS | OPERATORS if len(sign) == 1)
_OPENS, _CLOSES = "([{⟨⌊⌈", ")]}⟩⌋⌉"
# What a break costs, by the place (the lowest wins, the latest of equals)
STEP_BREAK = 0  # before a step's sign: `… = 0.2704/0.78` | `= 26/75`
CLAUSE_BREAK = 1  # after a clause's `,` `;` `:`
WORD_BREAK = 2  # between words
FIRST_SIGN_BREAK = 3  # between a name and its `=`: `Average speed` | `= …`
OPERATOR_BREAK = 3  # before `+`, `−`: `2·TP + FP` | `+ FN`
TERM_WORD_BREAK = 4  # between the words of a term: `total` | `distance / total time`
PRODUCT_BREAK = 5  # before `/`, `·`: `2·20·60` | `/ (20 + 60)`
_PRODUCTS = frozenset("· × / ÷ * ⋅ ∘".split())
NUMBER_UNIT_BREAK = 20  # between a number and the word after it: `40` | `min`
AFTER_SIGN_BREAK = 50  # between a sign and its operand: `≈` | `0.3467`
DEPTH_COST = 10  # for each bracket the break falls inside
SLACK_COST = 4  # ... and what the line leaves empty: a whole line empty costs this much
SHORT_LINE_COST = 5  # ... and more when it holds less than a quarter of its room (`TI`)
_NUMBER = Lazy(r"[(\[]*[−+-]?[$€£]?[\d.,/]*\d[%)\]]*")
_CONNECTIVES = frozenset("and or but so hence thus then which where while gives is are"
                         .split())  # `D = 2J / (1 + J) and J = …`: a new statement
_SHORT_NAME = Lazy(r"[^\W\d]\w?")  # `α`, `M`, `F1`: `α = β = 0.5` is one statement


def working_rows(text: str, width: int, hang: int = 2) -> list[tuple[int, int, int]]:
    """Where the lines of an exercise's working break to fit `width` cells, as
    `(indent, start, end)` for each screen line (as `wrap_hanging`).

    A working line is a chain of steps (`F1 = 2·P·R / (P + R) = 0.2704/0.78 ≈ 0.3467`)
    in a sentence. It breaks where a reader expects, as a textbook breaks a displayed
    computation: before a step's `=`/`≈`, then after a clause, between words, before an
    operator (each place has its cost, and so has the room a line leaves empty: the
    cheapest wins); inside brackets, between a number and its unit, or between a sign and
    its operand (`≈` | `0.3467`) only when nothing else fits; a piece with no space at all
    (a 300-digit number) is cut by cells.
    A chain of steps (`Dice = 2·77 / (…) = 154/421 ≈ 0.3658`) continues under its first
    `=` (a step) or its right-hand side (an operator), when that is within a third of the
    width; any other line hangs `hang` cells past its own indent, never past half the
    width. Bounded: each screen line takes at least one character."""
    width = max(width, 1)
    rows: list[tuple[int, int, int]] = []
    offset = 0
    for line in text.split("\n"):
        rows.extend((indent, offset + start, offset + end)
                    for indent, start, end in _working_line(line, width, hang))
        offset += len(line) + 1
    return rows


def _is_sign(token: str) -> bool:
    return token in RELATIONS or token in OPERATORS


def _working_breaks(line: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Each place `line` may break: (the end of the text before it, where the text after
    it starts, its cost)."""
    words = [line[start:end] for start, end in tokens]
    count = len(words)
    # the words in a row up to each token (0 for a sign), and from it on
    run_before = [0] * count
    run_after = [0] * count
    for k in range(count):
        run_before[k] = 0 if _is_sign(words[k]) else (run_before[k - 1] if k else 0) + 1
    for k in range(count - 1, -1, -1):
        run_after[k] = 0 if _is_sign(words[k]) else (run_after[k + 1] if k + 1 < count
                                                     else 0) + 1
    breaks: list[tuple[int, int, int]] = []
    depth, related, operated = 0, False, False
    for k in range(count - 1):
        left, right = words[k], words[k + 1]
        for character in left:
            if character in _OPENS:
                depth += 1
            elif character in _CLOSES:
                depth = max(depth - 1, 0)
        clause_end = not depth and left[-1] in ",;:"
        if left in RELATIONS and not depth:
            related = True
        elif left in OPERATORS and not depth:
            operated = True
        elif clause_end or left in _CONNECTIVES:
            # a new clause: its first `=` is not a step of the last one
            related = operated = False
        if _is_sign(left):
            cost = AFTER_SIGN_BREAK
        elif right in RELATIONS:
            if related:  # a step, unless `α = β = 0.5`: one statement
                named = _SHORT_NAME.fullmatch(left) and k and words[k - 1] in RELATIONS
                cost = FIRST_SIGN_BREAK if named else STEP_BREAK
            else:  # a clause's first `=`: after a name, or a computation (`12 + 60`)
                cost = WORD_BREAK if operated else FIRST_SIGN_BREAK
        elif right in _PRODUCTS:
            cost = PRODUCT_BREAK
        elif right in OPERATORS:
            cost = OPERATOR_BREAK
        elif _NUMBER.fullmatch(left) and right[0].isalpha():
            cost = NUMBER_UNIT_BREAK
        elif clause_end:
            cost = CLAUSE_BREAK
        elif k + 1 + run_after[k + 1] < count and run_before[k] + run_after[k + 1] <= 3:
            # a sign (or the line's start) a few words either side: one term's words
            cost = TERM_WORD_BREAK
        else:
            cost = WORD_BREAK
        breaks.append((tokens[k][1], tokens[k + 1][0], cost + DEPTH_COST * depth))
    return breaks


def _working_line(line: str, width: int, hang: int) -> list[tuple[int, int, int]]:
    if cell_len(line) <= width:
        return [(0, 0, len(line))]
    tokens = [(match.start(), match.end()) for match in re.finditer(r"[^ ]+", line)]
    breaks = _working_breaks(line, tokens)
    lead = len(line) - len(line.lstrip(" "))
    step_column, operand_column = _chain_columns(line, tokens, width)
    step_at = next((start for start, end in tokens if line[start:end] in RELATIONS), -1)
    hanging = min(lead + hang, width // 2)
    rows: list[tuple[int, int, int]] = []
    start, indent, k = 0, 0, 0
    while True:
        room = max(width - indent, 1)
        used, end = 0, start
        while end < len(line):
            used += cell_len(line[end])
            if used > room:
                break
            end += 1
        if end >= len(line):
            rows.append((indent, start, len(line)))
            return rows
        while k < len(breaks) and breaks[k][1] <= start:
            k += 1
        # the cheapest break: its place's cost and the room it leaves empty
        chosen, least = None, 0.0
        j = k
        while j < len(breaks) and breaks[j][0] <= end:
            candidate = breaks[j]
            used = cell_len(line[start:candidate[0]])
            cost = candidate[2] + SLACK_COST * (room - used) / room
            if step_column is None and candidate[2] == STEP_BREAK:
                cost += CLAUSE_BREAK  # a step in a sentence: a place as good as a clause's
            if 4 * used < room:
                cost += SHORT_LINE_COST
            if step_column is not None and candidate[1] == step_at:
                cost += AFTER_SIGN_BREAK  # a chain's name alone, its steps under nothing
            if chosen is None or cost <= least:
                chosen, least = candidate, cost
            j += 1
        if chosen is None:  # no space in the room: cut by cells
            cut = kinsoku_cut(line, start, max(end, start + 1))
            rows.append((indent, start, cut))
            start = cut
        else:
            rows.append((indent, start, chosen[0]))
            start = chosen[1]
        if start >= len(line):
            return rows
        if step_column is None:
            indent = hanging
        else:
            first = line[start:].split(" ", 1)[0]
            indent = step_column if first in RELATIONS else operand_column


def _chain_columns(line: str, tokens: list[tuple[int, int]],
                   width: int) -> tuple[int | None, int]:
    """Where a chain of steps continues: under its first `=` (a step) and under its
    right-hand side (an operator). A chain is a line that opens with one or two words
    (`Dice`, `Average speed`), a sign, and a second sign before any `,;:` ends the
    clause; its first `=` within a third of the width. Else (None, 0)."""
    words = [line[start:end] for start, end in tokens]
    first = next((k for k, word in enumerate(words[:3]) if word in RELATIONS), None)
    if not first or any(word[-1] in ",;:" for word in words[:first]):
        return None, 0
    column = cell_len(line[:tokens[first][0]])
    if column > width // 3:
        return None, 0
    depth = 0
    for word in words[first + 1:]:
        depth += sum(word.count(c) for c in _OPENS) - sum(word.count(c) for c in _CLOSES)
        if depth <= 0 and word in RELATIONS:
            return column, column + 2
        if depth <= 0 and word[-1] in ",;:":
            break
    return None, 0


def working_content(content: Content, width: int, hang: int = 2) -> list[Content]:
    """`content`'s lines broken by `working_rows`, styles kept."""
    return [Content(" " * indent) + content[start:end] if indent else content[start:end]
            for indent, start, end in working_rows(content.plain, width, hang)]


def hanging_content(content: Content, width: int, hang: int = 2,
                    column: int | None = None) -> list[Content]:
    """`content`'s lines wrapped at `width` with a hanging indent (`wrap_hanging`), styles
    kept."""
    return [Content(" " * indent) + content[start:end] if indent else content[start:end]
            for indent, start, end in wrap_hanging(content.plain, width, hang, column)]


def middle_ellipsis(text: str, width: int) -> str:
    """`text` cut to `width` cells by an ellipsis in its middle, at word boundaries where
    it can: both ends stay (a breadcrumb's deck and its heading)."""
    if cell_len(text) <= width:
        return text
    if width < 7:
        return _cells_prefix(text, max(width - 1, 0)) + "…"[:width]
    head_room = (width - 3) // 3  # " … " takes 3 cells
    first_word = cell_len(text.split(" ", 1)[0])  # a breadcrumb's deck: whole if it can be
    if head_room < first_word <= (width - 3) // 2:
        head_room = first_word
    head = _cells_prefix(text, head_room)
    if text[len(head):][:1] not in ("", " ") and not head.endswith(" ") \
            and " " in head.strip():
        head = head[:head.rstrip().rfind(" ")]  # the last whole word
    tail = _cells_prefix(text[::-1], width - 3 - cell_len(head.rstrip()))[::-1]
    if text[:len(text) - len(tail)][-1:] not in ("", " ") and not tail.startswith(" ") \
            and " " in tail.strip():
        tail = tail[tail.lstrip().find(" ") + len(tail) - len(tail.lstrip()):]
    return f"{head.rstrip()} … {tail.lstrip()}"


NO_BREAK = "\u00a0"


def no_break_rows(text: str, width: int) -> list[tuple[int, int]]:
    """Where `text` breaks to fit `width` cells, as `(start, end)` of each screen line,
    breaking only at its ordinary spaces (and its newlines): a run of words joined by
    no-break spaces (an inline formula, `P(A | B) = P(B)`) moves to the next line whole.
    Only a run wider than the line breaks inside, at its own no-break spaces (as a
    textbook breaks a long formula), and a piece still wider is cut by cells. A line's
    trailing spaces are dropped at a break. Bounded: every step takes a character."""
    width = max(width, 1)
    rows: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start, n = 0, len(line)
        line_start, used = 0, 0  # the current screen line and its cells so far
        pending: tuple[int, int] | None = None  # the current screen line's end
        i = 0
        while i < n:
            if line[i] == " " or (line[i].isspace() and line[i] != NO_BREAK):
                i += 1
                continue
            start = i
            while i < n and not (line[i] == " " or (line[i].isspace() and line[i] != NO_BREAK)):
                i += 1
            word = cell_len(line[start:i])
            gap = cell_len(line[pending[1]:start]) if pending else 0
            if pending and used + gap + word <= width:
                pending = (line_start, i)
                used += gap + word
                continue
            if pending:
                rows.append((offset + pending[0], offset + pending[1]))
            if word <= width:
                line_start, used, pending = start, word, (start, i)
                continue
            # a run wider than the line: its no-break spaces, then its cells
            for piece_start, piece_end in _long_run(line, start, i, width):
                rows.append((offset + piece_start, offset + piece_end))
            last = rows.pop()
            line_start, pending = last[0] - offset, (last[0] - offset, last[1] - offset)
            used = cell_len(line[pending[0]:pending[1]])
        if pending:
            rows.append((offset + pending[0], offset + pending[1]))
        elif not n or not rows or rows[-1][1] < offset:
            rows.append((offset, offset))  # a blank line is a line
        offset += n + 1
    return rows


def _long_run(line: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """`line[start:end]` (no ordinary space inside) in pieces of at most `width` cells,
    broken at its no-break spaces where it can (before a sign where one fits in the
    piece's second half: `TP/(TP` | `+ FP)`, not `TP/(TP +` | `FP)`), by cells where it
    cannot."""
    pieces: list[tuple[int, int]] = []
    piece = start
    while piece < end:
        used, i, fits, signed = 0, piece, None, None
        while i < end:
            used += cell_len(line[i])
            if used > width:
                break
            i += 1
            if i < end and line[i] == NO_BREAK:
                fits = i  # the piece may end before this no-break space
                if i + 1 < end and line[i + 1] in _SIGN_CHARACTERS \
                        and (i + 2 >= end or line[i + 2] == NO_BREAK) \
                        and 2 * (i - piece) >= width:
                    signed = i  # ... and the next one start with a sign
        if i >= end:
            pieces.append((piece, end))
            break
        if signed is not None and signed > piece:
            fits = signed
        cut = fits if fits is not None and fits > piece \
            else kinsoku_cut(line, piece, max(i, piece + 1))
        pieces.append((piece, cut))
        piece = cut
        while piece < end and line[piece] == NO_BREAK:
            piece += 1
    return pieces


def no_break_wrapped(content: Content, width: int) -> Content:
    """`content` broken into lines at `width` by `no_break_rows`, styles kept: each line
    fits, so the widget's own wrapping leaves it as it is."""
    return Content("\n").join(content[start:end] for start, end in
                               no_break_rows(content.plain, width))


class KeepsFormulasWhole:
    """For a `Static` whose text may hold no-break spaces (a card's paragraph: an inline
    formula's spaces): drawn wrapped by `no_break_rows`, not by Textual, which breaks a
    line at any space, no-break ones too (`P(A | B) =` at the end of one line, `P(B)` on
    the next). Text without one is left to the widget."""

    def _kept_whole(self):
        visual = super().render()  # type: ignore[misc]
        if isinstance(visual, Content) and NO_BREAK in visual.plain \
                and self.styles.text_wrap != "nowrap":  # type: ignore[attr-defined]
            return visual
        return None

    def render(self):
        visual = self._kept_whole()
        if visual is None:
            return super().render()  # type: ignore[misc]
        return no_break_wrapped(visual, self.size.width)  # type: ignore[attr-defined]

    def get_content_height(self, container, viewport, width: int) -> int:
        visual = self._kept_whole()
        if visual is None:
            return super().get_content_height(container, viewport, width)  # type: ignore[misc]
        return len(no_break_rows(visual.plain, width))


def _cells_prefix(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells` cells."""
    used = 0
    for i, character in enumerate(text):
        used += cell_len(character)
        if used > cells:
            return text[:i]
    return text
