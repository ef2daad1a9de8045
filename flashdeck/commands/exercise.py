"""`flashdeck exercise`: list the exercise templates, print one worked instance, or drill.

    flashdeck exercise                      the templates (id, title, topics)
    flashdeck exercise ID [--seed N]        an instance: prompt, grid, answer and working
    flashdeck exercise ID --check ANSWER    grade ANSWER: exit 0 right, 1 wrong

Only argparse at import time; the exercise engine is imported by the handler.
"""

from __future__ import annotations

import argparse
import json

from flashdeck.errors import UsageError

SEED_RANGE = 1_000_000  # short enough to type back in


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exercise",
        help="list the worked computation exercises, show one, or check an answer",
        description="Worked computation exercises (F1, Dice, IoU, harmonic means...) with "
        "fresh numbers on every run. Without ID: list them. With ID: print an instance and "
        "its working; --check grades an answer (exit 0 right, 1 wrong).",
    )
    parser.add_argument("id", nargs="?", metavar="ID", help="the exercise to show")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="draw the numbers from this seed (default: a random one, printed)")
    parser.add_argument("--check", metavar="ANSWER",
                        help="grade ANSWER: a fraction (3/4), a decimal (0.75) or a percentage (75%%)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from flashdeck.exercises import builtin_template, builtin_templates

    if args.id is None:
        if args.seed is not None or args.check is not None:
            raise UsageError("--seed and --check need an exercise ID (run `flashdeck exercise` "
                             "for the list)")
        return _list(builtin_templates(), args.json)
    template = builtin_template(args.id)
    if template is None:
        import difflib

        ids = [t.id for t in builtin_templates()]
        close = difflib.get_close_matches(args.id, ids, n=1)
        hint = f"; did you mean {close[0]}?" if close else " (run `flashdeck exercise` for the list)"
        raise UsageError(f"unknown exercise {args.id!r}{hint}")
    seed = args.seed
    if seed is None:
        import secrets

        seed = secrets.randbelow(SEED_RANGE)
    return _show(template, seed, args.check, args.json, chosen=args.seed is not None)


def _list(templates: list, as_json: bool) -> int:
    if as_json:
        rows = [{"id": t.id, "title": t.title, "topics": [*t.topics, *t.exact_topics]}
                for t in templates]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max(len(t.id) for t in templates)
    print(f"{'ID'.ljust(width)}  TITLE")
    for t in templates:
        print(f"{t.id.ljust(width)}  {t.title}")
        if t.topics or t.exact_topics:
            print(f"{''.ljust(width)}  topics: {', '.join(t.topics + t.exact_topics)}")
    print(f"\n{len(templates)} exercises. Try: flashdeck exercise {_example(templates)}")
    return 0


def _show(template, seed: int, check: str | None, as_json: bool, chosen: bool) -> int:
    from flashdeck.exercises import grade, grid_text, instantiate

    instance = instantiate(template, seed)
    verdict = grade(instance, check) if check is not None else None
    if as_json:
        data: dict = {
            "id": instance.template_id,
            "seed": instance.seed,
            "title": instance.title,
            "prompt": instance.prompt,
            "given": instance.given,
            "answer": instance.answer,
            "value": instance.value,
            "steps": instance.steps,
        }
        if instance.grid is not None:
            data["grid"] = grid_text(instance.grid)
        if verdict is not None:
            data["check"] = check
            data["verdict"] = {"status": verdict.status, "message": verdict.message,
                               "suggested": verdict.suggested}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(_text(instance, seed, verdict, chosen))
    if verdict is None:
        return 0
    return 0 if verdict.correct else 1


def _text(instance, seed: int, verdict, chosen: bool) -> str:
    from fractions import Fraction

    from flashdeck.exercises import grid_text
    from flashdeck.exercises.grading import shown

    reproduce = f"flashdeck exercise {instance.template_id} --seed {seed}"
    lines = [instance.title, f"(seed {seed}{'' if chosen else f'; again with: {reproduce}'})", ""]
    lines.append(instance.prompt)
    if instance.grid is not None:
        lines.append("")
        lines.extend(f"  {line}" if line else "" for line in grid_text(instance.grid))
    lines.append("")
    if verdict is not None:
        lines.extend([verdict.message, ""])
    else:
        lines.append(f"Answer: {shown(Fraction(instance.answer), instance.unit)}")
    lines.append("Working:")
    lines.extend(f"  {step}" for step in instance.steps)
    return "\n".join(lines)


def _example(templates: list) -> str:
    ids = [t.id for t in templates]
    return "f1-counts" if "f1-counts" in ids else ids[0]
