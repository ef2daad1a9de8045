"""Turn one markdown note into cards.

`parse_note` is the pipeline: frontmatter (`_frontmatter`), the body's lines and their
containers (`_lines`), the cards the author wrote and their schedules (`_explicit`), the
cards derived from the note (`_derived`), then tags and decks (`_decks`).
It never raises: an unexpected failure becomes an error Problem on the note.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import PurePath

from flashdeck.escaping import escape_name
from flashdeck.notes import _tags
from flashdeck.notes._cards import MAX_NOTE_CARDS, Draft, over_cap
from flashdeck.notes._cloze import has_cloze_marker
from flashdeck.notes._decks import read_decks
from flashdeck.notes._derived import (
    DERIVERS,
    alias_siblings,
    answer_siblings,
    NoteFormulas,
    Source,
    card_sources,
    derive_enabled,
    distinct_fronts,
    exercise_siblings,
    footnotes,
    formula_siblings,
    intro_states_no_answer,
    options_warnings,
    redact_crumbs,
    same_fact_siblings,
)
from flashdeck.notes._explicit import explicit_cards, read_schedules
from flashdeck.notes._frontmatter import (
    Frontmatter,
    obsidian_key,
    scalar_text,
    split_frontmatter,
    string_list,
    written_list,
)
from flashdeck.notes._lines import COMMENTED, TEXT, read_lines
from flashdeck.notes._macros import NoteMacros, expand_drafts
from flashdeck.notes._lines import markdown as _markdown  # noqa: F401 (the importer warms it)
from flashdeck.notes.model import (
    ExerciseBlock,
    Heading,
    ParsedCard,
    ParsedNote,
    ParserSettings,
    Problem,
    describe_failure,
)
from flashdeck.texmacros import might_define

__all__ = ["parse_note", "might_be_tagged"]


def might_be_tagged(text: str, settings: ParserSettings) -> bool:
    """Cheap pre-filter (no markdown parse): False only when the note certainly carries
    none of settings.tags, in frontmatter or inline (nested tags count)."""
    return _tags.might_carry(text, settings.tags)


def might_hold_cards(text: str, settings: ParserSettings) -> bool:
    """Cheap pre-filter (no markdown parse): False only when the note certainly holds no
    card in the plugin's one-line syntax (a `::` line, a cloze of settings.cloze)."""
    return "::" in text or has_cloze_marker(text, settings.cloze)


def parse_note(
    text: str,
    path: str,
    settings: ParserSettings = ParserSettings(),
    title: str | None = None,
    derive_untagged: bool = True,
) -> ParsedNote:
    """Never raises, on any str. `text` is already decoded (no BOM); CR and CRLF line
    endings are read as LF, as markdown-it reads them (its lines and ours must agree).
    title: frontmatter `title`, else `title` arg, else the stem of `path`.
    derive_untagged=False: a note with no flashcard tag gives its explicit cards only
    (the plugin's syntax), no derived ones (a folder note read for `decks = "folders"`)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return _parse(text, path, settings, title, derive_untagged)
    except Exception as e:  # a bug must cost one note, never the whole import
        note = ParsedNote(path=path, title=title or escape_name(_stem(path)))
        note.problems.append(Problem(path, 1, describe_failure(e)))
        return note


def _parse(text: str, path: str, settings: ParserSettings, title: str | None,
           derive_untagged: bool = True) -> ParsedNote:
    frontmatter = split_frontmatter(text.split("\n"), path)
    if _DRAWING_KEY in frontmatter.data:
        frontmatter.body_lines = _drawing_notes(frontmatter.body_lines)
    note = _note_meta(frontmatter, path, title)
    lines = read_lines(frontmatter.body_lines, frontmatter.offset, note.title,
                       settings.multiline_end_marker, note.aliases)
    formulas = NoteFormulas(lines) if lines.math_blocks or lines.display_math else None
    if formulas is not None and lines.headings:  # no breadcrumb states a formula's answer
        redact_crumbs(lines, formulas)
    schedules, schedule_warnings = read_schedules(lines)
    explicit = explicit_cards(lines, schedules, settings)

    drafts: list[Draft] = list(explicit.cards)
    warnings = schedule_warnings + lines.warnings + explicit.warnings
    warnings += options_warnings(frontmatter)
    decks = read_decks(frontmatter, lines, explicit.spans, settings)
    if derive_enabled(note.frontmatter) and (derive_untagged or decks.tagged):
        source = Source(note.title, note.aliases, frontmatter, lines,
                        explicit.front_back_lines, settings.cloze, footnotes(lines),
                        formulas)
        # lines no answer may show: the cards found so far, each kind adding its own
        taken = card_sources(lines, explicit)
        for derive in DERIVERS:
            found = derive(source, taken)
            drafts += found.cards
            warnings += found.warnings
            if found.took:
                taken = taken | found.took

    note.tags = decks.tags
    note.tagged = decks.tagged
    note.plugin_scheduled = bool(lines.schedule_spans)
    note.multiline_syntax = "?" in lines.masked_text and any(
        kind == TEXT and masked.strip() in ("?", "??")
        for kind, masked in zip(lines.kinds, lines.masked))
    note.decks = decks
    note.headings = [Heading(h.level, h.text, lines.file_line(h.start)) for h in lines.headings]
    note.exercise_blocks = [ExerciseBlock(lines.file_line(f.start), f.content)
                            for f in lines.exercise_fences if lines.kinds[f.start] != COMMENTED]
    drafts.sort(key=lambda d: d.line)  # stable: a line's cards in the order found
    cut = over_cap(drafts)
    intro_states_no_answer(drafts)
    same_fact_siblings(drafts, note.title, note.aliases)
    formula_siblings(drafts)
    alias_siblings(drafts)
    answer_siblings(drafts, note.title, note.aliases, text)
    distinct_fronts(drafts)
    macro_warnings: list[tuple[int, str]] = []
    if settings.preamble or might_define(text):
        macros = NoteMacros("\n".join(frontmatter.body_lines), frontmatter.offset,
                            settings.preamble)
        if macros:
            macro_warnings = expand_drafts(drafts, macros)
    deck = decks.deck
    note.cards = [  # by position, in ParsedCard's order (keywords cost twice the time):
        # kind, front, back, line, deck, block, ordinal, breadcrumb, sr, exercise, written
        ParsedCard(d.kind, d.front, d.back, d.line, deck(d.line, d.deck), d.block, d.ordinal,
                   d.crumbs, d.sr, None, d.written)
        for d in drafts
    ]
    problems = frontmatter.problems + [
        Problem(path, lines.file_line(idx), message, "warning") for idx, message in warnings
    ]
    problems += [Problem(path, line, message, "warning") for line, message in macro_warnings]
    if cut is not None:
        problems.append(Problem(path, cut, (
            f"this note makes more than {MAX_NOTE_CARDS:,} cards; the rest of the note, from"
            " this line on, makes none (split it into smaller notes)"), "warning"))
    problems += [
        Problem(path, lines.file_line(f.start),
                f"```{_first_word(f.info)} is not ```flashdeck-exercise: the block stays code and "
                "makes no exercise card; open it with ```flashdeck-exercise")
        for f in lines.misnamed_exercise_fences if lines.kinds[f.start] != COMMENTED
    ]
    problems.sort(key=lambda p: p.line)  # stable: a line's problems in the order found
    note.problems = problems
    return note


def _first_word(info: str) -> str:
    word = info.split()[0]
    return word if len(word) <= 40 else word[:40] + "…"


# Obsidian's Excalidraw plugin keeps a drawing as a markdown file (`x.excalidraw.md`, or any
# name) marked by this frontmatter key: the author's notes, then the drawing's data from a
# `# Text Elements` / `# Excalidraw Data` heading on (its shape labels, with block ids, and
# the scene); a banner line `==⚠ Switch to EXCALIDRAW VIEW…==` opens the body
_DRAWING_KEY = "excalidraw-plugin"
_DRAWING_DATA_RE = re.compile(r"#{1,6}\s+(?:Text Elements|Excalidraw Data)\s*$")
_DRAWING_BANNER = "==⚠"


def _drawing_notes(body: list[str]) -> list[str]:
    """The lines of a drawing that are its notes: the banner and the drawing's data (and a
    `%%` opening its hidden part) blanked, so that no card comes from the banner (a cloze
    asking `[...]` for "Switch to EXCALIDRAW VIEW…") or a shape's label (`::` in a label
    gave cards of fragments), and every line keeps its number."""
    lines = list(body)
    end = next((i for i, line in enumerate(lines) if _DRAWING_DATA_RE.match(line)), len(lines))
    while end > 0 and lines[end - 1].strip() in ("", "%%"):
        end -= 1
    for i in range(end, len(lines)):
        lines[i] = ""
    for i in range(end):
        if lines[i].lstrip().startswith(_DRAWING_BANNER):
            lines[i] = ""
    return lines


def _note_meta(frontmatter: Frontmatter, path: str, title_arg: str | None) -> ParsedNote:
    data = frontmatter.data
    written = frontmatter.written
    title = scalar_text(data.get("title"), written.get("title"))
    title = title or (title_arg or "").strip()
    # a file's name is plain text (Obsidian shows it as written); a written title is markdown
    note = ParsedNote(path=path, title=title or escape_name(_stem(path)), frontmatter=data)
    key = obsidian_key(data, "aliases", "alias")
    if key is not None:
        note.aliases = written_list(data.get(key), written.get(key))
    if "exercises" in data and data["exercises"] is not None:
        note.exercises = string_list(data["exercises"])
    return note


_POSIX_PATHS = os.name != "nt"  # pathlib's own test for Windows paths


def _stem(path: str) -> str:
    """The title a file's name gives, composed (NFC): macOS writes `Käse.md` decomposed
    (NFD), and the same title in the note's text is composed."""
    path = path.replace("\\", "/")
    # on POSIX the name is what follows the last `/`, unless that is empty or `.` (`x/`,
    # `x/.`); those, and Windows paths (a drive, a share), are pathlib's to read
    name = path[path.rfind("/") + 1:]
    if not _POSIX_PATHS or name in ("", "."):
        name = PurePath(path).name
    stem = name[:-3] if name.lower().endswith(".md") else PurePath(name).stem or name
    return unicodedata.normalize("NFC", stem)
