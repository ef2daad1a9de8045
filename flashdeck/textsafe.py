"""Card text is untrusted: make it safe to print to a terminal.

`sanitize` is the one sanitizer for everything the screen and the CLI print:

- Control characters (ESC and the other C0 codes, except newline and tab, and DEL) would let a
  note drive the terminal (move the cursor, change colours, set the title). They are shown as
  their visible Unicode control pictures instead (ESC -> ␛, DEL -> ␡).
- C1 controls (U+0080–U+009F; some terminals act on them like ESC sequences) and lone
  surrogates (unprintable: they would crash the UTF-8 encoder) become U+FFFD �.
- Bidirectional controls reorder the text around them ("Trojan Source"): a U+202E in a card's
  front reverses the rest of the header or of a `list` line. They, and the few other invisible
  format characters that only hide or rearrange text, become U+FFFD � too (as C1 controls do):
  U+061C ALM, U+200E LRM, U+200F RLM, U+202A–U+202E (LRE RLE PDF LRO RLO),
  U+2066–U+2069 (LRI RLI FSI PDI), U+206A–U+206F (deprecated shaping/swapping controls),
  U+2028/U+2029 (line and paragraph separators: a line break the terminal does not show),
  U+FFF9–U+FFFB (interlinear annotation, hides text).

Every replacement is one character for one character, one column wide: text keeps its length,
so cuts and widths computed on the source (a breadcrumb's bound, a `list` column) still hold,
and the placeholders hold no markdown or Rich markup syntax.

Kept as they are, on purpose: zero-width joiner and non-joiner (U+200D, U+200C: emoji
sequences, Persian and Indic scripts need them), zero-width space and word joiner (U+200B,
U+2060: line-break hints), variation selectors, soft hyphen, U+FEFF, and tag characters
(U+E0020–E007F: subdivision flag emoji). They can hide a character but never move text,
drive the terminal, or change how the rest of a line reads.

`json_dumps` is JSON for `--json` output: Unicode stays readable (`ensure_ascii=False`), but
every code point `sanitize` would change is written as a `\\uXXXX` escape, so a JSON document
printed to a terminal carries no raw control either, and a JSON reader still gets the text
exactly as it was.
"""

from __future__ import annotations

import re

# Bidi and other invisible format characters that reorder or hide text (see the module doc).
_INVISIBLE = (
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u206a-\u206f\u2028\u2029\ufff9-\ufffb"
)
# Every character of this class is unprintable to `str.isprintable` (controls, surrogates,
# format characters, line and paragraph separators): a printable text holds none of them and
# is returned as it is, and the class is compiled (~0.3 ms: its 2,000 surrogates) only for a
# text that is not (a newline will do). The first card's one-line front and its breadcrumb
# never compile it.
_UNSAFE_CHARS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + _INVISIBLE + "]"
_UNSAFE: re.Pattern | None = None
# In JSON a newline and a tab are escaped by json.dumps itself; the rest of _UNSAFE is not
# (ensure_ascii=False leaves DEL, C1, bidi and separators raw). Compiled on first use, as
# `json` is imported: the review screen never writes JSON, and its start-up pays for neither.
_JSON_UNSAFE_CHARS = "[\x7f-\x9f\ud800-\udfff" + _INVISIBLE + "]"


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"  # C1, surrogates, bidi and invisible format characters


def sanitize(text: str) -> str:
    """The text with terminal control characters and bidi/invisible format characters made
    visible and harmless (see the module doc for the list)."""
    global _UNSAFE
    if text.isprintable():
        return text
    if _UNSAFE is None:
        _UNSAFE = re.compile(_UNSAFE_CHARS)
    return _UNSAFE.sub(_picture, text)


def sanitize_line(text: str) -> str:
    """`sanitize`, and a newline or tab shown as its control picture too (␊, ␉): for what
    must stay on one line, a `path:line: message` naming a file called "a<newline>b.md"."""
    return sanitize(text).replace("\n", "\u240a").replace("\t", "\u2409")


def _json_escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_dumps(data, *, ascii_only: bool = False, **kwargs) -> str:
    """`json.dumps(data, ensure_ascii=False, **kwargs)` with DEL, C1 controls, surrogates and
    the bidi/invisible characters written as `\\uXXXX` escapes (C0 controls already are).
    `ascii_only`: every non-ASCII character escaped (`ensure_ascii=True`), for an output
    whose encoding cannot carry Unicode (`LANG=C` with UTF-8 mode off, PYTHONIOENCODING)."""
    import json

    text = json.dumps(data, ensure_ascii=ascii_only, **kwargs)
    return re.sub(_JSON_UNSAFE_CHARS, _json_escape, text)
