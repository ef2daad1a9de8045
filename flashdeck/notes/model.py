"""The data the parser produces: parsed notes, the cards found in them, and problems.

Small frozen dataclasses, no behaviour beyond trivial helpers. Everything downstream
(the collection, scheduling, the CLI, the TUI) depends on these shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, get_args

# Bump when the cards the parser gives for the same note change (fronts, backs, kinds): an
# import then re-reads every note once, even unchanged ones, so a collection made by an
# older flashdeck gets the new cards (each keeps its id and history through the
# importer's matching). 2: fronts asked by name, answers that give nothing away.
# 3: new built-in exercises and tighter exercise matching.
# 4: a frontmatter key given twice: its last value everywhere (a summary card showed the
# first), with a warning; fronts that give nothing away (a question callout's title answer
# on the back, no formula asked by a cloze's sentence, cloze syntax plain in headings, no
# title among its own other names) and formulas under a question heading kept in its answer.
# 5: `Tags:`, `TAG:`, `Aliases:` in any case are the note's tags and aliases, as in Obsidian.
# 6: the plugin's `> [!sr|card-metadata]` schedule callout seeds the card above it and is
# no part of any answer; `==`, `**`, `{{}}` in a wiki link, a link's destination or a URL
# are text, not a cloze (a link was cut in every card of its paragraph); with an end
# marker a cloze runs over blank lines to it, and a `---` marker under a paragraph makes
# no heading of it, and a back does not run over the next `?` card to take its marker;
# `> [!tip] Term::Def` is a card, as `## Term::Def` is; an escaped `\==` is no cloze;
# the plugin's first date forms (`Tue May 04 2021`, `04-05-2021`) seed their cards.
# 7: aliases that only spell the title otherwise (`Enzyme` for `Enzymes`) are no other name;
# a summary written as a list is a card; a formula's condition (`\text{for } i = 1, …`) is
# not asked; two formulas of one name are told apart by their sentence; footnotes go with
# the answer that cites them.
# 8: a question heading or callout title tagged at its end (`## Why? #flashcards/bio`) is a
# card in that deck, without the tag; `**Why?**` asks; `## ?` does not.
# 9: an alias the front already shows (`ATP` of `ATP (Adenosine Triphosphate)`) is no other name.
# 10: the rows of `cases` and matrices are no equations; `\Pr(X = k) = …` is asked by `\Pr(X = k)`.
# 11: an Obsidian comment in a heading (`## Why? %%todo%%`) is no part of its text.
# 12: misspelt `flashdeck:` options (`{drive: false}`, `derive: "no"`) are warnings.
# 13: a question callout inside another is out of the outer one's answer.
# 14: a formula in a titled callout is asked by its title.
# 15: a callout with Obsidian metadata (`[!faq|wide]`) is read by its type.
# 16: exercise cards go to the deck of their note's tags (a note of exercises only, or with
# derivation off, put them in `flashcards`), and roc-point's scores are a fixed-width block,
# confusion-matrix's counts aligned as scikit-learn prints them.
# 17: a cloze inside another (`**a ==b== c**`) is part of its answer: the back highlights it all;
# `Mod` is another name for `Mode`; a title that is a clause (`How to …`) is asked for its gist.
# 18: a multi-line back goes on into a blockquote that starts inside it (the quoted lines
# were dropped; a back all quote was an empty back); a code span that starts after a `$`
# ends the search for its closing `$` (`$5 … `${VAR}``: no math, the `::` after `$5` seen);
# a `::` in a table row is no separator; a front goes on into a quote before a bare `?`;
# a heading's trailing footnote references are no text (`## Who was Tribonian?[^1]` asks).
# 19 (three branches at once): a title taken from a file's name, and a deck from a
# folder's, are composed (NFC): macOS writes `Käse.md` decomposed, so `--deck Übungen` found
# nothing and a breadcrumb read `Käse › Käse`. A formula card under a question heading is
# the question's sibling (its answer shows the formula: the next card asked `F₁ = ?` right
# after it). A frontmatter YAML error names the line of the mistake (a quote, `[` or `{`
# never closed was reported at the closing `---`). A tag goes on through the marks of its
# letters (`#flashcards/हिंदी` was deck `flashcards/ह`, a decomposed `café` deck
# `flashcards/cafe`).
# 20: a formula stated by `≈`, `\sim`, `\propto`, `\le`, `\ge`, `\equiv` is asked by its
# left-hand side ("log₂(n!) ≈ ?"), as one with `=` is ("What is the formula for …?" before).
# 22: all of 19 and 20 together (a collection read by any one of them is read again).
# 23: an exercise's breadcrumb leaves out a heading that repeats the note's title, as the
# other cards' do ("Harmonic Mean › Harmonic Mean" before).
# 23: a paragraph mixing cloze kinds seeds each deletion from its own plugin schedule group
# (the plugin's order: kind by kind as `cloze` lists them); a `::` card on the line right
# under a table is a card; a task list item's checkbox is no part of a card's text; a plugin
# schedule under a `::` line in a multi-line back seeds no card (it was that `::` card's).
# 24: 23 (an exercise's breadcrumb) and 23 (the plugin's cloze groups, ...) together.
# 23 (hC): no heading or introducing sentence states a display formula's answer: a breadcrumb
# `Recall = TP / (TP + FN)` reads `Recall = …`, a front `Specificity is TN / (TN + FP) …?`
# reads `Specificity is …?`; nor one that states another card's answer (the summary's);
# a heading that repeats the title or an alias (`# Intersection over Union` in IoU.md,
# `# Bayes' Theorem` in Bayes Theorem.md) is no breadcrumb; the summary and aliases cards
# are siblings of a card of the author's about the note's name (`σ::The standard deviation`).
# 25: all of 24 and 23 (hC) together; 23's exercise breadcrumbs are hC's (title or alias).
# 26 (hD): a card of the author's (cloze, `::`) that states what a display formula states is
# that formula's sibling (`recall = ==TP / (TP + FN)==` beside `$$R = \frac{TP}{TP+FN}$$`);
# the aliases card is the sibling of the (at most three) cards whose front or breadcrumb
# shows one of the names it asks (`IoU of two boxes::0` in Intersection over Union.md).
# 26 (hE, its own 26): a fence that is a slip of ```flashdeck-exercise (```flashdeck-exercises,
# ```Flashdeck-Exercise, ```flashdeck_exercise, a letter off) is an error at its line: its
# exercise made no card and nothing said so. A tag is read as Obsidian reads it: through
# emoji and symbols (`#flashcards/🧠-ml` was deck `flashcards`), not all digits (`#🧠`), and
# in bold or struck (`**#flashcards**` tags the note; a bold tag-only line is no answer).
# 26 (hF, its own 26): formulas named outside `\{…\}`, `\left…\right`, `\langle…\rangle`;
# an Excalidraw drawing's data and banner give no cards; `::` inside a link is no separator;
# a heading ending in a colon asks `… › _proof_: S = ?`; query blocks (```dataview…) are no
# answer; a question callout with no title asks its first line; a plugin schedule under a
# `___` rule or a callout after a multi-line back seeds that card.
# 27: 26 (hD) and 26 (hE) together. 28: 27 and 26 (hF) together.
# 29: the plugin schedules no card takes are said, once per note (custom separators).
# 30 (hG): a callout under a multi-line answer is part of the back (a back all callout is a
# card, no longer "empty back"); a back of one list item keeps its `- ` (as of two items);
# a heading right over a `?`/`??` line is that card's front (was "empty front"); with an
# end marker, a back whose marker is missing ends at its first blank line.
# 31 (hM): a note's own LaTeX macros (`\newcommand`, `\renewcommand`, `\def`,
# `\DeclareMathOperator` in its math, and the vault's `preamble.sty`) are expanded in its
# cards' formulas (shown as unknown commands before); a block of definitions only is no
# formula card, and no part of an answer. A card keeps its id: its content key is its text
# as written.
# 31 (hK, its own 31): a space before a cloze's closing marker closes it (`==a ==`, as the
# plugin); a block id is stripped only at the end of a block; a paragraph glued under a
# quote, callout or list item by lazy lines loses the container's markers; bold inside a
# deletion stays bold; a multi-line back goes on after a quote under it.
# 32: 31 (hM) and 31 (hK) together.
# 33: an exercise whose working states a card's formula (`Recall = TP / (TP + FN)` beside
# `Recall::$\frac{TP}{TP+FN}$`, the Dice exercise beside `F₁ = ?`) is that card's sibling.
# 34 (lead): an exercise whose title, prompt or working states a card's answer in words (the summary
# `… by taking their harmonic mean` and `Compute F1 from precision and recall (their harmonic
# mean)`) is that card's sibling; so is a card showing a short answer of the note's word for
# word (`Which mean does F1 take?::The harmonic mean` beside `Why does F1 take the harmonic
# mean …?`).
# 34 (h28x): a question may end in the full-width `？` or the Arabic `؟` as in `?` (a heading, a
# title-less question callout's line, a title asked as itself).
# 35: the two 34s together.
# 36 (h29f): a note with bytes that are not UTF-8 is read (each bad sequence U+FFFD, a warning
# a line) instead of being refused: a collection keeps such a note as unreadable by its hash,
# so it is read again once.
# 36 (h29b): a short answer shown on another card across an HTML comment (`harmonic <!-- x -->
# mean`, which the card shows as `harmonic mean`) makes the two siblings, as without one.
# 37: the two 36s together.
# 38 (h32e): Anki's cloze `{{c1::answer::hint}}` is a numbered deletion (it was a `::` card,
# front `{{c1`), and an escaped colon (`std\::sort`) is no separator; a tab in a list's
# indentation is to the next multiple of 4 columns (a tab-indented item kept its `- `); a
# list nested past markdown-it's 20 levels is a warning, no card.
# 39 (h33e): a note makes at most 20,000 cards (_cards.MAX_NOTE_CARDS); the rest of a note
# past them makes none, with a warning at its first line.
# 40 (h35c): a title from a file name is plain text, escaped where markdown would read it
# (`__init__.md` showed `What is meant by init?` under `flashcards · init`); so are the
# names the aliases card answers with. A question title's own `?` ends a derived front
# (not `?*?`); a highlighted question heading asks; a card side of invisible characters
# only (a zero-width space, `&nbsp;`) is an empty side: a warning, no card. A doubled slash
# in a tag is one (`#flashcards//ml` is the deck `flashcards/ml`).
PARSER_VERSION = 40

CardKind = Literal[
    "basic", "reversed", "cloze", "summary", "aliases", "formula", "question", "exercise"
]
CARD_KINDS: tuple[CardKind, ...] = get_args(CardKind)  # the same kinds, as a tuple


@dataclass(frozen=True, slots=True)
class SRSeed:
    """One card's schedule written by the Obsidian Spaced Repetition plugin.

    SM-2 form: `<!--SR:!2023-09-03,4,270-->` is due 2023-09-03, interval 4 days, ease 270;
    only the first three fields are set.
    FSRS form (plugin 1.14.2+): `!fsrs,<due>,<interval>,<stability>,<difficulty>,<state>,
    <reps>,<lapses>,<learning step>,<last review>`: `due` is the exact due moment (a
    datetime; naive when the plugin wrote no offset, i.e. local time), `state` 1 learning,
    2 review, 3 relearning (ts-fsrs and py-fsrs number them alike), `step` the index of the
    current (re)learning step, and `ease` the plugin's own reading of the difficulty.
    A card block may carry several groups (`!…!…`), one per sibling, in order.
    """

    due: date  # a datetime for the FSRS form
    interval: int  # days
    ease: int  # percent
    # FSRS form only (stability is None for the SM-2 form)
    stability: float | None = None
    difficulty: float | None = None
    state: int | None = None
    reps: int = 0
    lapses: int = 0
    step: int = 0
    last_review: datetime | None = None

    @property
    def is_fsrs(self) -> bool:
        return self.stability is not None


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__,
# which made building a note's cards ~4x slower (a tenth of the parser's own time); nothing
# changes a card once made. Hashable as before.
@dataclass(slots=True, unsafe_hash=True)
class ParsedCard:
    """A card as found in a note.

    `front`/`back` are markdown source: separators, tags, SR comments, block ids and
    frontmatter removed. For a cloze, `front` shows `[...]` (or `[hint]`) for the asked
    deletions and `back` is the full text with the answers shown.
    """

    kind: CardKind
    front: str
    back: str
    line: int  # 1-based line in the file where the card's source starts
    deck: str  # e.g. "flashcards/ml/metrics"
    block: str  # sibling key: cards from one source block share it (within one note)
    ordinal: int = 0  # position among its siblings (reversed: 0 fwd, 1 back; cloze: group)
    breadcrumb: tuple[str, ...] = ()  # the headings above the card, outermost first
    sr: SRSeed | None = None  # plugin schedule to seed this card on first import
    exercise: str | None = None  # exercise template id, for kind == "exercise"
    # (front, back) as the note writes them, when its macros were expanded in front/back
    written: tuple[str, str] | None = None

    @property
    def content_key(self) -> str:
        """What identifies this card's content (used to match it across edits): its text
        as written (a macro of the note expanded otherwise does not make it another card)."""
        front, back = self.written or (self.front, self.back)
        return f"{self.kind}\x1f{front}\x1f{back}"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input. Reported as `path:line: message`."""

    path: str
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def describe_failure(exc: BaseException) -> str:
    """A failure while reading or parsing a note, in a few words (no traceback)."""
    name = type(exc).__name__
    if isinstance(exc, MemoryError):
        return ("cannot be parsed: it needs more memory than a note may have; split it into"
                f" smaller notes ({name})")
    if isinstance(exc, RecursionError):
        return f"cannot be parsed: nested too deeply ({name})"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(detail) > 160:
        detail = detail[:157] + "..."
    return f"cannot be parsed: {name}" + (f": {detail}" if detail else "")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    line: int  # 1-based


@dataclass(frozen=True, slots=True)
class ExerciseBlock:
    """A ```flashdeck-exercise fenced block: a user-written exercise template (YAML)."""

    line: int  # 1-based line of the opening fence
    source: str  # the YAML inside the fence


@dataclass(slots=True)
class ParsedNote:
    path: str  # as given to the parser (for messages)
    title: str  # markdown: frontmatter `title`, else the file name stem (escaped: plain text)
    frontmatter: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # every tag in the note, without '#'
    tagged: bool = False  # carries a flashcard tag (settings.tags) anywhere
    # holds a `<!--SR:…-->` schedule comment: the plugin has reviewed cards of this note
    plugin_scheduled: bool = False
    # holds a line `?` or `??` (outside code and math): a multi-line card of the plugin
    multiline_syntax: bool = False
    cards: list[ParsedCard] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    exercise_blocks: list[ExerciseBlock] = field(default_factory=list)
    # frontmatter `exercises:` — None when absent, [] to remove matched exercises
    exercises: list[str] | None = None
    # the note's deck rules (`notes._decks.Decks`), for the cards added after parsing (the
    # exercises): None for a note that was not parsed
    decks: Any = None

    def deck_at(self, line: int) -> str | None:
        """The deck of a card at file `line` of this note, by the rules every other card of
        the note follows (the nearest flashcard tag above it, else the frontmatter's...)."""
        return self.decks.deck(line, None) if self.decks is not None else None


@dataclass(frozen=True, slots=True)
class ParserSettings:
    """Settings from a vault's `.flashdeck.toml` `[cards]` section."""

    tags: tuple[str, ...] = ("flashcards",)
    cloze: tuple[str, ...] = ("highlight",)  # subset of highlight, bold, curly
    multiline_end_marker: str = ""
    decks: Literal["tags", "folders"] = "tags"
    # The note's folder relative to the vault root, for decks = "folders".
    folder: str = ""
    # The vault's `preamble.sty` (the Extended MathJax plugin's macros), as text; its
    # digest, not its text, goes in the settings stamp (`collection.sources.settings_stamp`)
    preamble: str = field(default="", repr=False)
