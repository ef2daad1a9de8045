"""Which exercises a note gets: matched by topic, listed in frontmatter, or written in it.

The user's notes have no exercise syntax, so matching has to work on what they already
write: a note titled "F1 Score", aliased "Dice Loss", or with a heading "Harmonic Mean"
gets the templates whose topics name those things. Matching ignores case, punctuation,
subscripts (F₁ = F1), plurals and extra words around the topic ("F1 Score for
Segmentation" is about F1 Score), but a topic must appear as whole words, in order.
Everyday words (Precision, Recall, Dice, Segmentation) are a template's `exact_topics`:
they match only a title, alias or heading that is just that word ("What is recall?"), so
"Floating point precision" or "Dice games" get no exercises.

A title or an alias names what the whole note is about, so a topic anywhere in it counts.
A heading is held to more: its topic must be what the section is about, not a word in
passing. A heading matches when its subject — the heading without question words, or one
side of a comparison ("F1 Score/Dice Score vs. IoU") — starts with the topic ("F1 Score
for Segmentation", "The ROC curve"); a question matches only when it asks about exactly
the topic ("What is the Tversky index?"). So "Why does Dice loss cope better with class
imbalance?" or "Converting between IoU and Dice" bring no exercises of their own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from flashdeck.exercises.model import Template
from flashdeck.exercises.template import builtin_template, builtin_templates, parse_template
from flashdeck.notes.model import ParsedCard, ParsedNote, Problem
from flashdeck.notes.names import NoteNames

DEFAULT_DECK = "flashcards"
_STEPS_READ = 5  # lines of a variant's working compared with the note's cards
_SHOWN_READ = 20_000  # characters of a template's text compared with the note's answers
_WORD = re.compile(r"[^\W_]+")
_QUESTION_WORDS = frozenset(
    "what whats is are was the a an of does do how why which when define definition"
    " you we can should to compute calculate computing calculating".split()
)
# words that open a question even without its "?"
_ASKING = frozenset("what whats how why which when who where does do is are can should".split())
# the sides of a comparison or a list in a heading: "F1 Score/Dice Score vs. IoU"
_SIDES = re.compile(r"\s+(?:vs\.?|versus)\s+|[/&,;:|()\[\]]|\s[–—-]\s", re.IGNORECASE)


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """Normalised words: case- and punctuation-free, simple plurals folded."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for word in _WORD.findall(folded):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return tuple(out)


def _contains(hay: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    span = len(needle)
    if not span or span > len(hay):
        return False
    first = needle[0]
    return any(hay[i] == first and hay[i : i + span] == needle
               for i in range(len(hay) - span + 1))


def _core(hay: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in hay if w not in _QUESTION_WORDS)


def mentions(text: str, topic: str) -> bool:
    """True when `topic`'s words occur in `text`, whole and in order."""
    return _contains(words(text), words(topic))


def _matches(template: Template, hay: tuple[str, ...], core: tuple[str, ...]) -> bool:
    wanted, exact, firsts = _topic_words(template.topics, template.exact_topics)
    if firsts.isdisjoint(hay):
        return False  # a topic's words, or an exact topic's, begin with its first word
    return any(_contains(hay, topic) for topic in wanted) or core in exact


@lru_cache(maxsize=1024)  # the built-ins' are asked for by every note
def _topic_words(topics: tuple[str, ...], exact_topics: tuple[str, ...]
                 ) -> tuple[tuple[tuple[str, ...], ...], frozenset[tuple[str, ...]], frozenset[str]]:
    """A template's topics as words (those with any), its exact topics as words, and the
    first word of each: normalised once, not for every heading of every note."""
    wanted = tuple(w for w in map(words, topics) if w)
    exact = frozenset(w for w in map(words, exact_topics) if w)
    return wanted, exact, frozenset(w[0] for w in wanted) | frozenset(w[0] for w in exact)


@lru_cache(maxsize=4096)  # a vault's headings repeat ("Definition", "Example")
def _heading_parts(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], bool,
                                       frozenset[str]]:
    """A heading's words, its subjects (the heading, question words dropped, and each side
    of it), whether it asks a question, and its subjects' first words."""
    hay = words(text)
    core = _core(hay)
    sides = [_core(words(side)) for side in _SIDES.split(text)]
    subjects = tuple(dict.fromkeys(s for s in [core, *sides] if s))
    question = text.rstrip().endswith("?") or hay[:1] in {(w,) for w in _ASKING}
    return hay, subjects, question, frozenset(s[0] for s in subjects)


class _Heading:
    """A heading's subjects: the heading (question words dropped) and each side of it."""

    __slots__ = ("line", "hay", "subjects", "question", "firsts")

    def __init__(self, line: int, text: str) -> None:
        self.line = line
        self.hay, self.subjects, self.question, self.firsts = _heading_parts(text)

    def about(self, template: Template) -> bool:
        wanted, exact, firsts = _topic_words(template.topics, template.exact_topics)
        if self.firsts.isdisjoint(firsts):
            return False  # a topic matches a subject that starts with its first word
        for topic in wanted:
            span = len(topic)
            if any(s == topic if self.question else s[:span] == topic
                   for s in self.subjects):
                return True
        return any(s in exact for s in self.subjects)


def heading_matches(template: Template, text: str) -> bool:
    """True when a heading with this text is about one of the template's topics."""
    return _Heading(0, text).about(template)


class _Names:
    """A note's headings, title and aliases, normalised once for all templates."""

    def __init__(self, note: ParsedNote) -> None:
        self._note_headings = note.headings
        self._headings: list[_Heading] | None = None
        self.names = []
        for name in [note.title, *note.aliases]:
            if isinstance(name, str):
                hay = words(name)
                self.names.append((hay, _core(hay)))
        self.vocabulary = {w for heading in note.headings for w in words(heading.text)} | {
            w for hay, _c in self.names for w in hay}

    @property
    def headings(self) -> list[_Heading]:
        """Made when a template's first words occur in the note at all (most notes match
        no template, and most templates no note)."""
        if self._headings is None:
            self._headings = [_Heading(heading.line, heading.text)
                              for heading in self._note_headings]
        return self._headings


def _first_words(topics: tuple[str, ...], exact_topics: tuple[str, ...]) -> frozenset[str]:
    """The first word of each topic (those with any words)."""
    return _topic_words(topics, exact_topics)[2]


def match_line(template: Template, note: ParsedNote | _Names) -> int | None:
    """Where the note matches the template: the first matching heading's line, 1 for the
    title or an alias, None when it does not match."""
    names = note if isinstance(note, _Names) else _Names(note)
    if names.vocabulary.isdisjoint(_first_words(template.topics, template.exact_topics)):
        return None  # no topic's first word occurs anywhere: the common case, made cheap
    for heading in names.headings:
        if heading.about(template):
            return heading.line
    if any(_matches(template, hay, core) for hay, core in names.names):
        return 1
    return None


_BY_FIRST_WORD: tuple[tuple[Template, ...], dict[str, list[int]]] | None = None


def _builtins_by_first_word() -> tuple[tuple[Template, ...], dict[str, list[int]]]:
    """The built-in templates, and where each first word of their topics leads (their
    places), made once: the built-ins are read once a process."""
    global _BY_FIRST_WORD
    if _BY_FIRST_WORD is None:
        templates = tuple(builtin_templates())
        index: dict[str, list[int]] = {}
        for k, template in enumerate(templates):
            for word in _first_words(template.topics, template.exact_topics):
                index.setdefault(word, []).append(k)
        _BY_FIRST_WORD = templates, index
    return _BY_FIRST_WORD


def _derive(note: ParsedNote) -> bool:
    settings = note.frontmatter.get("flashdeck") if isinstance(note.frontmatter, dict) else None
    return not (isinstance(settings, dict) and settings.get("derive") is False)


def _breadcrumb(note: ParsedNote, line: int, include_at: bool) -> tuple[str, ...]:
    """The headings above `line` (and the heading on it, when it is the matched one), less
    those that repeat the note's title or an alias, as every other card's breadcrumb (it
    read `Precision › Precision` under `# Precision` in Precision.md)."""
    names = NoteNames.of(note.title, note.aliases)
    stack: list[tuple[int, str]] = []
    for heading in note.headings:
        if heading.line > line or (heading.line == line and not include_at):
            break
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        stack.append((heading.level, heading.text))
    return tuple(text for _level, text in stack if not names.repeats(text))


def _stated(template: Template) -> list[str]:
    """What every draw of the template's working states: the expressions its answers are
    computed by, and the lines of its steps without a drawn number (`Recall = TP / (TP +
    FN): …`; a line with `{TP}` shows the draw's numbers)."""
    stated = dict.fromkeys(v.answer.text for v in template.variants)
    for variant in template.variants:
        steps = variant.steps[:_STEPS_READ]
        stated.update(dict.fromkeys(line for line in steps if "{" not in line))
    return list(stated)


_PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}")


def _shown(template: Template) -> str:
    """The words every draw of the template shows: its title, and its prompts and working
    with the drawn values (`{TP}`, `{2*TP / …:work}`) left out. Read once per template."""
    key = (template.id, template.source)
    text = _SHOWN.get(key)
    if text is None:
        if len(_SHOWN) >= _SHOWN_KEPT:
            _SHOWN.clear()
        text = _SHOWN[key] = _shown_text(template)
    return text


_SHOWN: dict[tuple[str, str], str] = {}
_SHOWN_KEPT = 256  # templates' texts kept (the built-ins, and the notes' own blocks)


def _shown_text(template: Template) -> str:
    parts = [template.title]
    for variant in template.variants:
        parts.append(_PLACEHOLDER_RE.sub(" ", variant.prompt))
        parts.extend(_PLACEHOLDER_RE.sub(" ", line) for line in variant.steps[:_STEPS_READ])
    return "\n".join(parts)[:_SHOWN_READ]


def exercises_for_note(note: ParsedNote) -> tuple[list[ParsedCard], list[Problem]]:
    """The exercise cards of a note, and the problems with its exercise blocks.

    Matched built-ins come first (unless frontmatter says `exercises: []`, or derivation is
    off with `flashdeck: {derive: false}`), then ids listed in `exercises:`, then the
    note's own ```flashdeck-exercise blocks, which replace a built-in of the same id.
    """
    problems: list[Problem] = []
    # a note built without the parser has no deck rules: its first card's deck
    fallback = note.cards[0].deck if note.cards else DEFAULT_DECK
    # id -> (template, line, breadcrumb); dicts keep insertion order, so cards are stable
    chosen: dict[str, tuple[Template, int, tuple[str, ...]]] = {}

    if note.exercises != [] and _derive(note):
        names = _Names(note)
        # only the built-ins a topic's first word of which the note has: match_line would
        # return None at once for every other (most notes match none)
        builtins, by_first_word = _builtins_by_first_word()
        for k in sorted({k for w in names.vocabulary for k in by_first_word.get(w, ())}):
            template = builtins[k]
            line = match_line(template, names)
            if line is not None:
                chosen[template.id] = (template, line, _breadcrumb(note, line, line > 1))

    own_ids: set[str] = set()
    own: list[tuple[Template, int]] = []
    for block in note.exercise_blocks:
        template, found = parse_template(block.source, note.path, block.line + 1)
        problems.extend(found)
        if template is None:
            continue
        if template.id in own_ids:
            problems.append(Problem(note.path, block.line,
                                    f"exercise id {template.id!r} is used by an earlier block "
                                    "in this note; give this one its own id:"))
            continue
        own_ids.add(template.id)
        own.append((template, block.line))

    for exercise_id in note.exercises or []:
        if not isinstance(exercise_id, str):
            problems.append(Problem(note.path, 1, f"exercises: {exercise_id!r} is not an id"))
            continue
        if exercise_id in chosen or exercise_id in own_ids:
            continue
        template = builtin_template(exercise_id)
        if template is None:
            known = ", ".join(t.id for t in builtin_templates())
            problems.append(Problem(note.path, 1, f"exercises: unknown exercise {exercise_id!r} "
                                    f"(built-in: {known})"))
            continue
        chosen[template.id] = (template, 1, ())

    for template, line in own:
        chosen[template.id] = (template, line, _breadcrumb(note, line, False))

    cards = [
        ParsedCard(
            kind="exercise",
            front=template.title,
            back=template.source,
            line=line,
            deck=note.deck_at(line) or fallback,
            block=f"exercise:{template.id}",
            breadcrumb=breadcrumb,
            exercise=template.id,
        )
        for template, line, breadcrumb in chosen.values()
    ]
    if cards:
        from flashdeck.notes.parser import exercise_siblings

        exercise_siblings(note.cards, [(card, _stated(template), _shown(template))
                                       for card, (template, _line, _crumb)
                                       in zip(cards, chosen.values())],
                          [note.title, *note.aliases])
    return cards, problems
