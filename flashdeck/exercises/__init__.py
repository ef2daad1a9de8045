"""Worked computation exercises: templates, a safe exact evaluator, grading and working.

An exercise card carries a template (YAML); each review instantiates it with a fresh seed,
so the numbers change every time while the card — and its schedule — stays the same.

    template = template_for_card(card.exercise, card.back)
    instance = instantiate(template, seed)      # prompt, grid, answer, steps
    verdict = grade(instance, "3/4")            # right / unsimplified / wrong / unreadable

No Textual and no YAML at import time: the CLI and the importer load this cheaply.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# name -> submodule; loaded on first use so that importing the package costs nothing
_EXPORTS = {
    "draw_grid": "instances",
    "grid_text": "instances",
    "instantiate": "instances",
    "Expr": "expr",
    "ExprError": "expr",
    "compile_expr": "expr",
    "ACCEPTED": "grading",
    "grade": "grading",
    "read_answer": "grading",
    "exercises_for_note": "matching",
    "mentions": "matching",
    "Cell": "model",
    "ExerciseError": "model",
    "Grid": "model",
    "Instance": "model",
    "Template": "model",
    "Variant": "model",
    "Verdict": "model",
    "builtin_template": "template",
    "builtin_templates": "template",
    "parse_template": "template",
    "template_for_card": "template",
    "written_id": "template",
}

if TYPE_CHECKING:  # pragma: no cover
    from flashdeck.exercises.expr import Expr, ExprError, compile_expr
    from flashdeck.exercises.grading import ACCEPTED, grade, read_answer
    from flashdeck.exercises.instances import draw_grid, grid_text, instantiate
    from flashdeck.exercises.matching import exercises_for_note, mentions
    from flashdeck.exercises.model import (
        Cell,
        ExerciseError,
        Grid,
        Instance,
        Template,
        Variant,
        Verdict,
    )
    from flashdeck.exercises.template import (
        builtin_template,
        builtin_templates,
        parse_template,
        template_for_card,
        written_id,
    )


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "ACCEPTED",
    "Cell",
    "ExerciseError",
    "Expr",
    "ExprError",
    "Grid",
    "Instance",
    "Template",
    "Variant",
    "Verdict",
    "builtin_template",
    "builtin_templates",
    "compile_expr",
    "draw_grid",
    "exercises_for_note",
    "grade",
    "grid_text",
    "instantiate",
    "mentions",
    "parse_template",
    "read_answer",
    "template_for_card",
    "written_id",
]
