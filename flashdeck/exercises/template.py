"""Reading exercise templates from YAML — the built-in ones and the ones users write.

One format for both, so a user can copy a built-in (`flashdeck exercise ID --json` shows
its working; the YAML ships in `flashdeck/exercises/builtin/`) and change it. Everything a
user can get wrong becomes a `Problem(path, line, message)` pointing at the offending key,
never an exception: a bad block in one note must not stop an import.

A block is untrusted: its YAML is composed, then checked before anything is built from it —
at most MAX_SOURCE characters, MAX_YAML_NODES nodes with every alias expanded (an alias bomb
is refused, never expanded), no alias inside its own anchor (`loop: &l [*l]`), nesting at
most MAX_YAML_DEPTH deep. A user template is then tried the way reviews draw it (`_trial`):
TRIAL_SEEDS seeds and more until every variant has been drawn, within TEMPLATE_BUDGET
operations of work in all; a template that fails on any of them is refused.

Each variant's keys are read by `variants.py`, one small reader per key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import Any

from flashdeck.exercises.expr import Budget, BudgetError
from flashdeck.exercises.instances import (
    INSTANCE_BUDGET,
    chosen_variant,
    draw_instance,
    instantiate_variant,
)
from flashdeck.exercises.model import (
    DEFAULT_TOLERANCE,
    ExerciseError,
    Template,
    Variant,
)
from flashdeck.exercises.variants import Collector, read_variant
from flashdeck.notes.model import Problem

TOP_KEYS = (
    "id", "title", "topics", "exact_topics", "vars", "let", "where", "prompt", "steps", "answer",
    "tolerance", "unit", "given", "zero_division", "traps", "grid", "variants",
)
VARIANT_KEYS = (
    "name", "weight", "vars", "let", "where", "prompt", "steps", "answer", "given",
    "zero_division", "traps", "grid",
)
# lower-case letters of any script (`fläche`, `α-ratio`), digits, - and _
_ID = re.compile(r"[^\W_][\w-]*\Z")
MAX_VARIANTS = 100
MAX_SOURCE = 64_000  # characters of one template's YAML
MAX_YAML_NODES = 20_000  # nodes, every alias expanded
MAX_YAML_DEPTH = 40
TRIAL_SEEDS = 40  # draws, exactly as reviews make them, before a user template is accepted
TRIAL_MAX_SEEDS = 400  # ...more when a variant has not been drawn yet
TEMPLATE_BUDGET = 150_000  # evaluator operations for the whole trial of one template


class _Lines:
    """Absolute file lines of the YAML keys, so a problem can point at `vars: TP:`."""

    def __init__(self, node: Any, first_line: int) -> None:
        self.first = first_line
        self.map: dict[tuple, int] = {}
        if node is not None:
            self._walk(node)

    def _walk(self, root: Any) -> None:
        """Every key's line. Iterative; the YAML was checked by `_yaml_shape` (at most
        MAX_YAML_NODES nodes with its aliases expanded, no cycles), so this ends quickly."""
        import yaml  # deferred (here and below): PyYAML loads only when a template is read

        stack: list[tuple[Any, tuple]] = [(root, ())]
        while stack:
            node, path = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if not isinstance(key, yaml.ScalarNode):
                        continue
                    sub = path + (str(key.value),)
                    self.map.setdefault(sub, self.first + key.start_mark.line)
                    stack.append((value, sub))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    sub = path + (index,)
                    self.map.setdefault(sub, self.first + item.start_mark.line)
                    stack.append((item, sub))


    def __call__(self, *path: Any) -> int:
        while path:
            if path in self.map:
                return self.map[path]
            path = path[:-1]
        return self.first


def _yaml_shape(root: Any) -> tuple[str, int] | None:
    """Why a composed YAML document is refused before it is built (None: it is fine):
    an alias inside its own anchor, more than MAX_YAML_NODES nodes once every alias is
    expanded (an alias bomb), or nesting deeper than MAX_YAML_DEPTH. Linear in the nodes
    as written: expanded sizes are added up, never expanded."""
    import yaml  # deferred: see _Lines._walk

    def children(node: Any) -> list:
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in children(node))
            if size[key] > MAX_YAML_NODES:
                return (f"exercise template has more than {MAX_YAML_NODES:,} values once its "
                        "aliases (*name) are expanded; refused", node.start_mark.line)
            continue
        if key in size:
            continue
        if depth > MAX_YAML_DEPTH:
            return (f"exercise template is nested more than {MAX_YAML_DEPTH} levels deep; "
                    "refused", node.start_mark.line)
        on_path.add(key)
        stack.append((node, depth, True))
        for child in children(node):
            if id(child) in on_path:
                return ("exercise template has an alias (*name) inside its own anchor (&name); "
                        "refused", node.start_mark.line)
            stack.append((child, depth + 1, False))
    return None


def _written_twice(root: Any) -> tuple[str, int, int] | None:
    """A key written twice in one mapping (`answer:` again further down, a second `vars:`):
    YAML keeps the last and drops the first without a word, so the template would run on
    what its author may have meant to replace. (key, its two lines in the YAML). Each node
    as written is visited once (`_yaml_shape` has bounded them)."""
    import yaml  # deferred: see _Lines._walk

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    at = key.start_mark.line
                    if key.value in first:
                        name = key.value if len(key.value) <= 40 else key.value[:40] + "…"
                        return name, first[key.value], at
                    first[key.value] = at
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def parse_template(
    source: str, path: str = "<builtin>", line: int = 1
) -> tuple[Template | None, list[Problem]]:
    """Read one template. `line` is the file line on which `source` starts.

    Returns the template (None when it has errors) and the problems found; a user
    template is also instantiated for a few seeds so that impossible `where:`
    conditions or unguarded divisions by zero are reported now, not at review time.
    """
    return read_template(source, path, line, default_id=None, trial=True)


def read_template(
    source: str, path: str, line: int, *, default_id: str | None, trial: bool
) -> tuple[Template | None, list[Problem]]:
    """Read one template from its YAML: `parse_template` with the choices spelled out —
    `default_id` when the YAML names none (a card's stored template), and `trial` to draw it
    as reviews would before accepting it (a user's block; the built-ins and a card's stored
    source are not tried again)."""
    import yaml  # deferred: see _Lines._walk

    if len(source) > MAX_SOURCE:
        return None, [Problem(path, line, f"exercise template is {len(source):,} characters "
                              f"long; at most {MAX_SOURCE:,} are read")]
    loader = None
    try:
        # libyaml when PyYAML has it (~10x faster: the built-ins load on every import run)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(source)
        node = loader.get_single_node()
        refused = _yaml_shape(node) if node is not None else None
        if refused:
            return None, [Problem(path, line + refused[1], refused[0])]
        twice = _written_twice(node) if node is not None else None
        if twice:
            name, once, again = twice
            return None, [Problem(path, line + again,
                                  f"{name}: written twice (lines {line + once} and "
                                  f"{line + again}); YAML keeps only the last, so keep one")]
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = line + mark.line if mark is not None else line
        reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) \
            or str(exc).splitlines()[0]
        return None, [Problem(path, where, f"exercise template is not valid YAML: {reason}")]
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:
        # a number past Python's 4,300-digit limit, a merge key that merges itself...
        reason = "a number too long to read" if isinstance(exc, ValueError) \
            else type(exc).__name__
        return None, [Problem(path, line, f"exercise template is not valid YAML: {reason}")]
    finally:
        if loader is not None:
            loader.dispose()
    lines = _Lines(node, line)
    out = Collector(path, lines)
    if not isinstance(data, dict):
        out.error("an exercise template is a YAML mapping with at least title, vars, prompt, "
                  "steps and answer")
        return None, out.problems
    for key in data:
        if key not in TOP_KEYS:
            out.warning(f"unknown key {key!r} ignored (known: {', '.join(TOP_KEYS)})", key)

    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        out.error("title: missing; it is the card's front, e.g. 'Compute the Dice score'", "title")
        title = ""
    template_id = data.get("id", default_id)
    if template_id is None:
        template_id = _slug(title) if title else "exercise"
    if isinstance(template_id, str):
        template_id = unicodedata.normalize("NFC", template_id)  # as `flashdeck exercise` reads it
    if not isinstance(template_id, str) or not _ID.match(template_id) \
            or template_id != template_id.lower():
        shown = repr(template_id)[:60] if isinstance(template_id, (str, int, float)) \
            else _describe(template_id)
        out.error(f"id: {shown} must be lower-case letters, digits, - or _ "
                  "(e.g. dice-counts)", "id")
    if trial and isinstance(template_id, str) and _ID.match(template_id) \
            and template_id == template_id.lower():
        builtin = builtin_template(template_id)
        if builtin is not None and builtin.source.strip() != source.strip():
            # a note's own template under a built-in's id (`title: Precision` gives the id
            # precision): its card stands in for the built-in's, which `flashdeck exercise`
            # keeps running — so the author could not try theirs
            out.warning(f"id {template_id!r} is a built-in exercise's: this block replaces "
                        f"that exercise in the note, and `flashdeck exercise {template_id}` "
                        "runs the built-in; give it an id of its own (e.g. id: my-"
                        f"{template_id})", "id" if "id" in data else "title")
    topics = _topics(data.get("topics"), out, "topics")
    exact_topics = _topics(data.get("exact_topics"), out, "exact_topics")
    tolerance = _tolerance(data.get("tolerance", DEFAULT_TOLERANCE), out)
    unit = data.get("unit", "")
    if not isinstance(unit, str):
        out.error("unit: must be text, e.g. mph", "unit")
        unit = ""

    variants_raw = data.get("variants")
    variants: list[Variant] = []
    if variants_raw is None:
        variant = read_variant(data, {}, (), out)
        if variant is not None:
            variants.append(variant)
    elif not isinstance(variants_raw, list) or not variants_raw:
        out.error("variants: must be a non-empty list of scenarios", "variants")
    elif len(variants_raw) > MAX_VARIANTS:
        out.error(f"variants: {len(variants_raw):,} scenarios; a template has at most "
                  f"{MAX_VARIANTS}", "variants")
    else:
        seen: set[str] = set()
        for index, raw in enumerate(variants_raw):
            if not isinstance(raw, dict):
                out.error("each variant is a mapping with at least name:", "variants", index)
                continue
            for key in raw:
                if key not in VARIANT_KEYS:
                    out.warning(f"unknown key {key!r} in a variant ignored "
                                f"(known: {', '.join(VARIANT_KEYS)})", "variants", index, key)
            name = raw.get("name")
            if not isinstance(name, str) or not name.strip():
                out.error("variants: each variant needs a name:", "variants", index)
                continue
            if name in seen:
                out.error(f"variants: duplicate name {name!r}", "variants", index, "name")
                continue
            seen.add(name)
            variant = read_variant(data, raw, ("variants", index), out)
            if variant is not None:
                variants.append(variant)
    out.problems = list(dict.fromkeys(out.problems))  # a top-level slip repeats per variant
    if out.failed or not variants:
        if not out.failed:
            out.error("the template defines no usable variant")
        return None, out.problems

    template = Template(
        id=template_id, title=" ".join(title.split()), topics=topics,
        exact_topics=exact_topics, variants=tuple(variants),
        source=source, tolerance=tolerance, unit=unit.strip(), path=path, line=line,
    )
    if trial:
        _trial(template, out)
        if out.failed:
            return None, out.problems
    return template, out.problems


def _trial(template: Template, out: Collector) -> None:
    """Draw the template exactly as reviews do (seed after seed, the variant chosen by the
    draw) — TRIAL_SEEDS seeds, more until every variant has been drawn — within
    TEMPLATE_BUDGET operations in all; report the first failure, which refuses it. A variant
    no seed chose (a tiny weight) is then drawn on its own for a few seeds."""
    left = TEMPLATE_BUDGET
    drawn = [0] * len(template.variants)
    # per variant: whether every draw's prompt showed its own answer (`(It is {m}.)`)
    told = [True] * len(template.variants)

    def refuse(exc: ExerciseError, index: int) -> None:
        name = template.variants[index].name
        label = f" (variant {name})" if name else ""
        out.problems.append(Problem(out.path, exc.line or template.line, f"{exc}{label}"))

    def draw(seed: int, index: int | None) -> bool:
        nonlocal left
        budget = Budget(min(INSTANCE_BUDGET, left))
        variant = chosen_variant(template, seed) if index is None else index
        try:
            if index is None:
                instance = draw_instance(template, seed, budget)
            else:
                instance = instantiate_variant(template, seed, index, budget)
        except BudgetError as exc:
            if budget.limit < INSTANCE_BUDGET:  # the whole trial's budget ran out
                out.problems.append(Problem(
                    out.path, template.line,
                    f"exercise {template.id!r}: drawing it takes too much work (more than "
                    f"{TEMPLATE_BUDGET:,} operations for {seed + 1} draws); simplify it"))
            else:
                refuse(exc, variant)
            return False
        except ExerciseError as exc:
            refuse(exc, variant)
            return False
        left -= budget.used
        drawn[variant] += 1
        told[variant] = told[variant] and _prompt_tells(instance)
        return True

    for seed in range(TRIAL_MAX_SEEDS):
        if seed >= TRIAL_SEEDS and min(drawn) > 0:
            break
        if not draw(seed, None):
            return
    for index, count in enumerate(drawn):
        if count == 0:
            for seed in range(3):
                if not draw(seed, index):
                    return
    for index, variant in enumerate(template.variants):
        if told[index] and drawn[index] >= 2:
            at = ("variants", index, "prompt") if variant.name else ("prompt",)
            label = f" (variant {variant.name})" if variant.name else ""
            out.warning(f"prompt: shows the answer in every draw{label}, so the card asks "
                        "nothing: leave the answer, and what equals it, out of the prompt", *at)


_NUMBER_AT = r"(?<![\w.,/]){}(?![\w/]|[.,]\d)"


def _prompt_tells(instance) -> bool:
    """Whether the prompt shows the answer: its exact form (`7`, `3/4`) or its decimal (to
    as many places as the tolerance reads, `0.75`) as a number of its own."""
    forms = {instance.answer}
    if "/" in instance.answer:
        forms.add(f"{instance.value:.4f}".rstrip("0").rstrip("."))
    return any(re.search(_NUMBER_AT.format(re.escape(form)), instance.prompt)
               for form in forms if form)


_WRITTEN_KEY_RE = re.compile(r"(id|title)[ \t]*:[ \t]*(.*)\Z")


def written_id(source: str) -> str | None:
    """The id a template block is known by — its `id:`, else its title's slug — read off
    its top-level lines, not its YAML, so a block that does not read (a YAML error, a
    mistake in a key) has one too: `flashdeck exercise ID` names its errors. None: a
    block with neither, or too long to read."""
    if len(source) > MAX_SOURCE:
        return None
    written: dict[str, str] = {}
    for line in source.split("\n"):
        m = _WRITTEN_KEY_RE.match(line)
        if m is None or m.group(1) in written:
            continue
        value = re.sub(r"(?:\A|\s+)#.*\Z", "", m.group(2)).strip()  # a comment
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1].strip()
        written[m.group(1)] = value
    if written.get("id"):
        return unicodedata.normalize("NFC", written["id"])
    if written.get("title"):
        return _slug(unicodedata.normalize("NFC", written["title"]))
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "exercise"


def _topics(raw: Any, out: Collector, key: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(t, (str, int, float)) for t in raw):
        out.error(f"{key}: must be a list of note titles, aliases or headings", key)
        return ()
    return tuple(str(t).strip() for t in raw if str(t).strip())


def _describe(value: Any) -> str:
    return "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) \
        else "nothing" if value is None else type(value).__name__


def _tolerance(raw: Any, out: Collector) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw < 10**6:
        out.error("tolerance: must be a number ≥ 0, e.g. 0.005", "tolerance")
        return DEFAULT_TOLERANCE
    return float(raw)


# --- built-ins ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtins() -> tuple[Template, ...]:
    from importlib import resources  # deferred: ~9 ms, and a card's own template needs none

    templates = []
    folder = resources.files("flashdeck.exercises").joinpath("builtin")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        source = entry.read_text(encoding="utf-8")
        path = f"flashdeck/exercises/builtin/{entry.name}"
        template, problems = read_template(source, path, 1, default_id=None, trial=False)
        if template is None or problems:  # a warning in a shipped template is a bug too
            raise ExerciseError(f"built-in exercise {entry.name} is broken: {problems[0]}")
        if template.id != entry.name[: -len(".yaml")]:
            raise ExerciseError(f"built-in exercise {entry.name} has id {template.id!r}")
        templates.append(template)
    return tuple(templates)


def builtin_templates() -> list[Template]:
    """The templates shipped with flashdeck, sorted by id."""
    return list(_builtins())


def builtin_template(template_id: str) -> Template | None:
    for template in _builtins():
        if template.id == template_id:
            return template
    return None


@lru_cache(maxsize=256)  # a review session instantiates the same cards again and again
def template_for_card(exercise_id: str, back: str) -> Template:
    """Rebuild the template an exercise card carries (its back is the template's YAML).

    The card is self-contained, so a review works even when the note is gone. If the
    stored source no longer reads (it was written by an older flashdeck) a built-in of
    that id stands in; otherwise the first problem is raised as an ExerciseError.
    """
    template, problems = read_template(back, "<card>", 1, default_id=exercise_id, trial=False)
    if template is not None:
        if template.id != exercise_id:
            template = _replace_id(template, exercise_id)
        return template
    fallback = builtin_template(exercise_id)
    if fallback is not None:
        return fallback
    first = next((p for p in problems if p.severity == "error"), None)
    raise ExerciseError(f"exercise {exercise_id!r}: {first.message if first else 'unreadable'}")


def _replace_id(template: Template, new_id: str) -> Template:
    return replace(template, id=new_id)
