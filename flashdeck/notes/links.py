"""How an Obsidian link reads as text: `[[Note#Heading|shown]]` and `![[Note#Heading]]`.

Shared by the card text (`flashdeck.render`, `flashdeck.cardtext`) and the embeds'
placeholders (`flashdeck.notes.embeds`). Plain string work, nothing imported: the first
card on screen pays nothing for it.
"""

from __future__ import annotations


def unescape_pipe(target: str) -> str:
    """A link's target with Obsidian's `\\|` read as `|`: in a table a link is written
    `[[Note\\|shown]]`, `![[plot.png\\|300]]` (a bare `|` would end the cell)."""
    return target.replace("\\|", "|")


def link_text(target: str, separator: str = " › ") -> str:
    """`[[Note#Heading|shown]]` reads as `shown`; without an alias as `Note › Heading` (a
    breadcrumb passes `separator=" > "`, since ` › ` separates its own headings there)."""
    target = unescape_pipe(target)
    if "|" in target:
        alias = target.split("|", 1)[1].strip()
        if alias:
            return alias
        target = target.split("|", 1)[0]
    page, _, anchor = target.partition("#")
    page = page.strip()
    if anchor.startswith("^"):  # a block reference: name the note only
        return page or target.strip()
    parts = [page, *(a.strip() for a in anchor.split("#"))] if anchor else [page]
    return separator.join(p for p in parts if p) or target.strip()


def note_embed_name(target: str, separator: str = " › ") -> str:
    """What the placeholder of an embedded note (`![[Other#Heading|alt]]`) names: the note
    and the heading it embeds (`Other › Heading`; a block reference, the note). What follows
    a `|` is display text, not a part of what is embedded."""
    return link_text(unescape_pipe(target).split("|", 1)[0], separator)
