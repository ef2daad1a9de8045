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
        data = yaml.load(source, Loader=_loader())  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 2 if mark is not None else 2
        what = e.problem or e.context or "invalid YAML"
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
    return result


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


def scalar_text(value: Any) -> str:
    """A frontmatter value shown as card text (`summary:`), or "" when not a scalar."""
    if value is None or isinstance(value, (dict, list, tuple, set)):
        return ""
    if isinstance(value, bool):
        return ""
    return str(value).strip()
