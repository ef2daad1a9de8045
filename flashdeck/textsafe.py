"""Card text is untrusted: make it safe to print to a terminal.

Control characters (ESC and the other C0/C1 codes, except newline and tab) would let a note
drive the terminal (move the cursor, change colours, set the title). They are shown as
their visible Unicode control pictures instead (ESC -> ␛).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def sanitize(text: str) -> str:
    """The text with terminal control characters made visible and harmless."""
    return _CONTROL.sub(_picture, text)
