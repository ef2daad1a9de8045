"""YAML frontmatter: split it off the note, load it, and read the keys flashdeck uses.

A broken frontmatter never costs the user their cards: it gives one Problem with its
line and the body is parsed as usual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flashdeck.notes.model import Problem

_KEY_RE = re.compile(r"([^\s#:'\"\[\]{},][^:]*?)\s*:(?:\s|$)")
_TAG_SPLIT_RE = re.compile(r"[,\s]+")


@dataclass(slots=True)
class Frontmatter:
    data: dict[str, Any]
    body_lines: list[str]
    offset: int  # file lines before the body (the frontmatter and its fences)
    key_lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based file line
    problems: list[Problem] = field(default_factory=list)
    # top-level key -> its value as the author wrote it: a scalar's source text, or a list
    # of them for a list of scalars (`.nan` stays ".nan", `!!binary aGk=` stays "aGk=")
    written: dict[str, Any] = field(default_factory=dict)


def obsidian_key(data: dict[Any, Any], *names: str) -> str | None:
    """The key of one of Obsidian's own properties (`tags`/`tag`, `aliases`/`alias`): as
    `names` spell it, else in any case (`Tags:`, `ALIASES:`), as Obsidian reads them; the
    first of `names` found wins. None: the note has none."""
    for name in names:
        if name in data:
            return name
    for name in names:
        for key in data:
            if isinstance(key, str) and key.casefold() == name:
                return key
    return None


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_frontmatter(lines: list[str], path: str) -> Frontmatter:
    if not lines or lines[0].rstrip() != "---":
        return Frontmatter({}, lines, 0)
    close = -1
    for j in range(1, len(lines)):
        if lines[j].rstrip() in ("---", "..."):
            close = j
            break
    if close < 0:
        problem = Problem(
            path, 1, "frontmatter is not closed (no line '---' after it); read as note text",
            "warning",
        )
        return Frontmatter({}, lines, 0, problems=[problem])

    fm_lines = lines[1:close]
    result = Frontmatter({}, lines[close + 1 :], close + 1)
    for k, line in enumerate(fm_lines):
        m = _KEY_RE.match(line)
        if m:
            result.key_lines.setdefault(m.group(1), k + 2)
    source = "\n".join(fm_lines)
    if not source.strip():
        return result

    import yaml

    try:
        data, result.written, repeated = _load(source)
    except yaml.MarkedYAMLError as e:
        line, what = _error_place(e, source, len(fm_lines))
        result.problems.append(Problem(path, line, f"frontmatter is not valid YAML: {what}"))
        return result
    except Exception as e:  # YAMLError without a mark, RecursionError on deep nesting
        result.problems.append(
            Problem(path, 2, f"frontmatter is not valid YAML: {type(e).__name__}")
        )
        return result
    if data is None:
        return result
    if not isinstance(data, dict):
        result.problems.append(
            Problem(
                path, 2,
                f"frontmatter is a {type(data).__name__}, not a mapping of keys; ignored",
            )
        )
        return result
    result.data = data
    for key, first, again in repeated:
        result.problems.append(Problem(
            path, again + 2, f"frontmatter key {key!r} is given again (first on line"
                             f" {first + 2}); the last one is used", "warning"))
    return result


_UNCLOSED = {  # what PyYAML was reading when the frontmatter ended, as the author wrote it
    "quoted scalar": "a quoted value",
    "flow sequence": "a '[' list",
    "flow mapping": "a '{' mapping",
}


def _error_place(e: Any, source: str, n_lines: int) -> tuple[int, str]:
    """The file line of a YAML error in the frontmatter, and what to say of it. PyYAML's
    problem mark, offset by the opening `---`; when the problem is that the frontmatter
    ended (a quote, `[` or `{` never closed), the mark is the end of the text, so the line
    named is where the unclosed thing began (its context mark). Never the closing `---`."""
    problem, context = e.problem_mark, e.context_mark
    what = e.problem or e.context or "invalid YAML"
    mark = problem or context
    kind = (e.context or "").removeprefix("while scanning ").removeprefix("while parsing ")
    kind = kind.removeprefix("a ")
    at_end = problem is not None and problem.index >= len(source.rstrip())
    if at_end and context is not None and kind in _UNCLOSED:
        mark = context
        what = f"{_UNCLOSED[kind]} begun on this line is never closed"
    elif problem is not None and context is not None and kind in _UNCLOSED \
            and context.line != problem.line:
        what = f"{what} (in {_UNCLOSED[kind]} begun on line {context.line + 2})"
    line = mark.line + 2 if mark is not None else 2
    return min(max(line, 2), n_lines + 1), what


def _load(source: str) -> tuple[Any, dict[str, Any], list[tuple[str, int, int]]]:
    """The document, its top-level values as written (read off the composed nodes, so
    nothing is parsed twice), and the top-level keys given more than once (key, first
    line, line again; 0-based in `source`). Of a repeated key the last value is the one,
    as in the document PyYAML makes."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    loader = _loader()(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    written: dict[str, Any] = {}
    repeated: list[tuple[str, int, int]] = []
    if isinstance(node, MappingNode) and isinstance(data, dict):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line
            if key == "<<":  # a merge key (`<<: *defaults`): not a value of its own
                continue
            if key in seen:
                repeated.append((key, seen[key], line))
            else:
                seen[key] = line
            if isinstance(value_node, ScalarNode):
                written[key] = value_node.value
            elif isinstance(value_node, SequenceNode):
                written[key] = [
                    item.value if isinstance(item, ScalarNode) else None
                    for item in value_node.value[:10_000]
                ]
            else:  # the last value is not one to show as written: what came before is not it
                written.pop(key, None)
    return data, written, repeated


def string_list(value: Any, split_words: bool = False) -> list[str]:
    """A frontmatter list of strings: `[a, b, ]`, a single string, or numbers.

    Empty and null entries are dropped (`aliases: [F1 Measure, Dice Loss, ]`). With
    `split_words`, a string holds several entries separated by commas or spaces, as
    Obsidian reads `tags: a, b`.
    """
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[str] = []
    for item in items:
        if item is None or isinstance(item, (dict, list, tuple)):
            continue
        text = str(item).strip()
        if not text:
            continue
        if split_words:
            out.extend(part for part in _TAG_SPLIT_RE.split(text) if part)
        elif isinstance(value, str):
            out.extend(part.strip() for part in text.split(",") if part.strip())
        else:
            out.append(text)
    return out


def scalar_text(value: Any, written: Any = None) -> str:
    """A frontmatter value shown as card text (`summary:`), or "" when not a scalar (or a
    bool or null). `written` is the value as the author wrote it, shown when given: a
    number, date or binary value is shown as typed, never as a Python repr."""
    if value is None or isinstance(value, (dict, list, tuple, set)):
        return ""
    if isinstance(value, bool):
        return ""
    if isinstance(written, str):
        return written.strip()
    return str(value).strip()


def written_list(value: Any, written: Any, split_words: bool = False) -> list[str]:
    """`string_list` of a value, each scalar shown as the author wrote it."""
    if isinstance(written, str) and not isinstance(value, (dict, list, tuple)):
        return string_list(written if value is not None else None, split_words)
    if isinstance(written, list) and isinstance(value, list) and len(written) == len(value):
        items = [w if isinstance(w, str) and v is not None and not isinstance(v, (dict, list, bool))
                 else v for v, w in zip(value, written)]
        return string_list(items, split_words)
    return string_list(value, split_words)
