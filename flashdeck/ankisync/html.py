"""A card's markdown as the HTML of an Anki note field.

markdown-it-py renders the markdown (CommonMark, tables, strikethrough; a single newline is
a line break, as Obsidian shows it); its dollarmath plugin finds the math, which becomes
MathJax as Anki writes it: `$…$` -> `\\(…\\)`, `$$…$$` -> `\\[…\\]`. Obsidian's own syntax
(wiki links, callouts) is rewritten first by `cardtext.obsidian_to_markdown`, as for the
terminal. Card text is untrusted: raw HTML in a note is shown as text (markdown-it's `html`
option off), never passed on to a phone's web view.

Images: `![[x.png]]` and `![alt](x.png)` become `<img>` of a media file when the caller can
resolve them (`images`), else the labelled placeholder the terminal shows.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Callable

_EMBED = re.compile(r"!\[\[([^\[\]\n]+?)\]\]")
# `![alt](path.png)`, `![alt](<a path with spaces.png> "title")` (cardtext's rule)
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\(\s*(<[^<>\n]*>|[^()\s<>]*)(?:\s+\"[^\"]*\")?\s*\)")
# private-use marks that survive markdown rendering untouched; any in card text are dropped
# images("wiki", target, "") for `![[target]]`, images("markdown", alt, src) for `![alt](src)`:
# the media file name to show, or None (then the embed stays as written: a placeholder)
Images = Callable[[str, str, str], "str | None"]
_OPEN, _CLOSE, _IMG = "\ue000", "\ue001", "\ue002"
_MARKS = re.compile("[\ue000-\ue002]")
_IMG_MARK = re.compile(_IMG + r"(\d+)" + _IMG)
# Anki's cloze syntax characters in the text of rendered HTML (group 1: a tag, kept as is)
_CLOZE_SYNTAX = re.compile(r"(<[^<>]*>)|[{}:]")


def _math(content: str, options: dict) -> str:
    body = html.escape(content.strip(), quote=False)
    if options.get("display_mode"):
        return f"\\[{body}\\]"
    return f"\\({body}\\)"


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, renderer=_math)
    return md


# what Anki drops from every field it saves: the ASCII controls but tab and newline
_ANKI_DROPS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def anki_field(text: str) -> str:
    """A field as Anki keeps it: each control character Anki would drop shown as the review
    screen shows it, its control picture (the one sanitizer's: ESC -> ␛). A field with one
    never matched what Anki had stored, so every sync rewrote the note, and the phone showed
    the text with the character gone."""
    from flashdeck.textsafe import sanitize

    return _ANKI_DROPS.sub(lambda m: sanitize(m.group()), text)


def embeds(text: str) -> list[tuple[str, str, str]]:
    """The image embeds of a card side as `images` is asked about them."""
    return [("wiki", m.group(1), "") for m in _EMBED.finditer(text)] + \
        [("markdown", m.group(1), m.group(2)) for m in _IMAGE.finditer(text)]


def to_html(markdown: str, images: Images | None = None) -> str:
    """The HTML of a card side written in markdown (the flashdeck card text)."""
    return _render(_MARKS.sub("", markdown), images)


def cloze_html(back: str, images: Images | None = None) -> str:
    """A cloze card's full text (its asked deletions marked `==x==`) as the Text field of an
    Anki cloze note: the asked deletions become `{{c1::x}}`, the rest plain text."""
    from flashdeck.render import mark_cloze_answers  # the review screen's rule

    marked = mark_cloze_answers(_MARKS.sub("", back), _OPEN, _CLOSE)
    # the card's own braces and colons as character references (shown the same): Anki
    # reads `{{cN::…}}`, `::hint` and `}}` in a cloze field as deletions, so a note's
    # `{{c2::x}}` would make a second Anki card, and `a::b` inside the asked deletion a hint
    text = _CLOZE_SYNTAX.sub(lambda m: m.group(1) or f"&#{ord(m.group(0))};",
                             _render(marked, images))
    return text.replace(_OPEN, "{{c1::").replace(_CLOSE, "}}")


def _render(text: str, images) -> str:
    from flashdeck.cardtext import Labels, obsidian_to_markdown

    found: list[str] = []

    def embed(match: re.Match, *how: str) -> str:
        name = images(*how)
        if name is None:
            return match.group(0)
        found.append(name)
        return f"{_IMG}{len(found) - 1}{_IMG}"

    if images is not None:
        text = _EMBED.sub(lambda m: embed(m, "wiki", m.group(1), ""), text)
        text = _IMAGE.sub(lambda m: embed(m, "markdown", m.group(1), m.group(2)), text)
    # raw HTML stays as written: this markdown-it shows it as text (escaped), never drops it
    rendered = _markdown().render(obsidian_to_markdown(text, Labels(keep_html=True))).strip()
    if found:
        rendered = _IMG_MARK.sub(
            lambda m: f'<img src="{html.escape(found[int(m.group(1))])}">', rendered)
    return rendered
