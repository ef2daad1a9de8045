"""The patterns a plain first card never needs (footnotes, HTML, tables, nested lists) are
compiled on their first use, not when `review` starts (issue 23: first card on screen), and
a lazy pattern finds what the compiled one finds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from flashdeck import cardtext
from flashdeck.render import Lazy
from flashdeck.tui import wrapping

ROOT = Path(__file__).resolve().parent.parent
LAZY = ["_FOOTNOTE", "_INLINE_FOOTNOTE", "_HTML_TAG", "_HTML_ATTR", "_QUOTE_PREFIX",
        "_TABLE_DELIMITER_CELL", "_TABLE_QUOTE", "_CELL_MARKUP", "_CELL_MARKUP_START",
        "_NESTED_LINE"]


def test_a_plain_first_card_compiles_none_of_the_rarer_patterns():
    code = ("import json, re\n"
            "from flashdeck import cardtext\n"
            "from flashdeck.tui import content\n"
            "content.with_images('Which river runs through *Lyon*?', 70, None)\n"
            f"print(json.dumps([n for n in {LAZY!r}"
            " if isinstance(getattr(cardtext, n), re.Pattern)"
            " or getattr(cardtext, n)._compiled is not None]))\n")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert json.loads(done.stdout) == []


def test_a_table_a_footnote_and_html_still_render_through_the_lazy_patterns():
    markdown = ("> - a[^1] <b>bold</b> ^[inline]\n\n"
                "| a | b |\n|---|:-:|\n| **x** | `y` |\n")
    shown = cardtext.prepare(markdown, 40)
    assert shown == ("> - a\\[1\\] bold  (inline)\n\n"
                     "| a | b |  \n|---|:-:|  \n| **x** | `y` |\n")
    assert cardtext._table_cells("| **x** | `y` |") == ["**x**", "`y`"]


TEXT = st.text(alphabet=st.sampled_from(list("ab1 \t>-*+._=~`[]()^!<>/\"'\\:|\n%$α")),
               max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([getattr(cardtext, name) for name in LAZY]
                       + [wrapping._NUMBER, wrapping._SHORT_NAME]), TEXT, st.integers(0, 5))
def test_a_lazy_pattern_finds_what_the_compiled_one_finds(lazy, text, pos):
    assert isinstance(lazy, Lazy)
    compiled = re.compile(lazy.pattern)

    def spans(found):
        return None if found is None else (found.span(), found.groups())

    assert spans(lazy.match(text)) == spans(compiled.match(text))
    assert spans(lazy.match(text, pos)) == spans(compiled.match(text, pos))
    assert spans(lazy.fullmatch(text)) == spans(compiled.fullmatch(text))
    assert spans(lazy.search(text)) == spans(compiled.search(text))
    assert [spans(m) for m in lazy.finditer(text)] == [spans(m) for m in compiled.finditer(text)]
    assert lazy.sub("#", text) == compiled.sub("#", text)
    assert lazy.sub(lambda m: m.group(0).upper(), text, 1) == \
        compiled.sub(lambda m: m.group(0).upper(), text, 1)
