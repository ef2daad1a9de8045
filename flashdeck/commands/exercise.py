"""`flashdeck exercise`: list the exercise templates, print one worked instance, or drill.

    flashdeck exercise                      the templates (id, title, topics)
    flashdeck exercise ID [--seed N]        an instance: prompt, grid, answer and working
    flashdeck exercise ID --check ANSWER    grade ANSWER: exit 0 right, 1 wrong

The templates are the built-ins and those written in the collection's notes (```flashdeck-
exercise blocks): an imported note's exercise card carries its template (the card's back),
so they are read from the collection — read-only, and a missing collection is an empty one
(never created). A built-in's id wins over a note template of the same id.

Only argparse (and what cli.py loads anyway) at import time; the exercise engine and the
store are imported by the handler.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import PurePosixPath

from flashdeck.commands import print_json, reader_gone
from flashdeck.errors import FlashdeckError, UsageError
from flashdeck.textsafe import sanitize

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
    parser.add_argument("--seed", type=seed_number, metavar="N",
                        help="draw the numbers from this seed (default: a random one, printed)")
    parser.add_argument("--check", metavar="ANSWER",
                        help="grade ANSWER: a fraction (3/4), a decimal (0.75) or a percentage (75%%)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=handler)


def seed_number(value: str) -> int:
    """`--seed N`: a whole number in plain ASCII digits (int() would take `1_0`, `+5` and
    full-width digits), small enough to type back in."""
    from flashdeck.collection.cards import ascii_int  # sqlite3 and the store: only with --seed

    seed = ascii_int(value)
    if seed is None or seed >= 2**63:
        raise argparse.ArgumentTypeError(f"{value!r} is not a seed (a whole number such as 4821)")
    return seed


def handler(args: argparse.Namespace) -> int:
    from flashdeck.exercises import builtin_template, builtin_templates  # this command only

    if args.id is None:
        if args.seed is not None or args.check is not None:
            raise UsageError("--seed and --check need an exercise ID (run `flashdeck exercise` "
                             "for the list)")
        return _list(builtin_templates(), _note_templates(args), args.json)
    import unicodedata  # an id in any script, as a template's is read (NFC)

    args.id = unicodedata.normalize("NFC", args.id)
    template = builtin_template(args.id)
    if template is None:
        from_notes = _note_templates(args, args.id)
        template = from_notes[0][0] if from_notes else None
        if from_notes and from_notes[0][2]:
            _, note, others = from_notes[0]
            print(sanitize(f"flashdeck: warning: {args.id!r} is also the id of another template in "
                           f"{', '.join(others)}; this is the one in {note} (give each template "
                           "its own id to run the other)"), file=sys.stderr)
    if template is None and (failed := _failed_template(args, args.id)) is not None:
        for line in failed:
            print(sanitize(line), file=sys.stderr)
        return 2
    if template is None:
        import difflib  # only for an unknown id

        ids = [t.id for t in builtin_templates()] + [t.id for t, *_ in _note_templates(args)]
        close = difflib.get_close_matches(args.id, ids, n=1)
        hint = f"; did you mean {close[0]}?" if close else " (run `flashdeck exercise` for the list)"
        raise UsageError(f"unknown exercise {args.id!r}{hint}")
    seed = args.seed
    if seed is None:
        import secrets  # only without --seed

        seed = secrets.randbelow(SEED_RANGE)
    return _show(template, seed, args.check, args.json, chosen=args.seed is not None)


def _note_templates(args: argparse.Namespace, only: str | None = None) -> list:
    """[(template, note path, other notes)]: the templates written in the collection's
    notes, one per id (the first card's, by id) that is not a built-in's, with the notes
    that hold a different template under the same id; `only`: just that id."""
    # the store and the exercise engine: this command only (every command imports this module)
    from flashdeck.collection.queries import exercise_cards
    from flashdeck.collection.store import Collection
    from flashdeck.exercises import builtin_template, template_for_card
    from flashdeck.paths import collection_path

    path = collection_path(getattr(args, "collection", None))
    if not path.is_file():  # read-only: never create a collection to list exercises
        if getattr(args, "collection", None) and not path.exists() \
                and not getattr(args, "_warned", False):
            args._warned = True  # a typo in --collection: said once; the built-ins still work
            print(f"flashdeck: warning: no collection at {sanitize(str(path))}; only the "
                  "built-in exercises", file=sys.stderr)
        return []
    found: dict[str, tuple] = {}
    elsewhere: dict[str, list[str]] = {}  # id -> the notes of other templates of that id
    try:
        col = Collection.open_readonly(path)
    except FlashdeckError as exc:  # the built-ins still work without the collection
        if not getattr(args, "_warned", False):
            args._warned = True
            print("flashdeck: warning: the exercises in your notes cannot be read: "
                  f"{sanitize(str(exc))}",
                  file=sys.stderr)
        return []
    from flashdeck.commands import say_notices

    say_notices(col)
    with col:
        for row in exercise_cards(col, only):
            exercise = row.exercise
            if exercise in found:
                if row.back.strip() != found[exercise][0].source.strip():
                    note = _note_of(row)
                    if note != found[exercise][1] and note not in elsewhere.setdefault(
                            exercise, []):
                        elsewhere[exercise].append(note)
                continue
            builtin = builtin_template(exercise)
            if builtin is not None:
                continue  # a built-in (or a note's copy of one): listed as the built-in
            try:
                template = template_for_card(exercise, row.back)
            except FlashdeckError:
                continue  # a card written by an older flashdeck that no longer reads
            found[exercise] = (template, _note_of(row))
    return sorted(((template, note, tuple(elsewhere.get(template.id, ())))
                   for template, note in found.values()), key=lambda found: found[0].id)


MAX_NOTES_READ = 200  # notes with errors read again to find a template that failed


def _failed_template(args: argparse.Namespace, wanted: str) -> list[str] | None:
    """What to say of an id that no card has because its template failed to import: the
    note that writes it and its errors, `path:line: message`, read from the note as
    `check` reads it (None: no note with errors writes a template of that id). Only the
    notes the collection keeps errors for are read, at most MAX_NOTES_READ; read-only."""
    from flashdeck.collection.queries import notes_with_errors
    from flashdeck.collection.store import Collection
    from flashdeck.exercises import parse_template, written_id
    from flashdeck.notes import files
    from flashdeck.notes.parser import parse_note
    from flashdeck.paths import collection_path

    path = collection_path(getattr(args, "collection", None))
    if not path.is_file():
        return None
    try:
        col = Collection.open_readonly(path)
    except FlashdeckError:  # said by _note_templates already
        return None
    with col:
        notes = notes_with_errors(col, MAX_NOTES_READ)
    for note in notes:
        text, _problems = files.read_note_file(note, note)
        if text is None or "flashdeck-exercise" not in text:
            continue
        for block in parse_note(text, note).exercise_blocks:
            if written_id(block.source) != wanted:
                continue
            template, problems = parse_template(block.source, note, block.line + 1)
            errors = [str(p) for p in problems if p.severity == "error"]
            if template is not None or not errors:  # fixed since: not imported yet
                return [f"flashdeck: exercise {wanted!r} (in {note}, line {block.line}) is not "
                        "in the collection: its template failed at the last import and "
                        "reads now; run `flashdeck import` to add it"]
            return [f"flashdeck: exercise {wanted!r} was not imported: its template in "
                    f"{note} (line {block.line}) has errors; fix them and import again:",
                    *errors]
    return None


def _note_of(row) -> str:
    if row.source_kind == "file":
        return row.source_path
    return str(PurePosixPath(row.source_path) / row.relpath)


def _list(templates: list, from_notes: list, as_json: bool) -> int:
    if as_json:
        rows = [{"id": t.id, "title": t.title, "topics": [*t.topics, *t.exact_topics]}
                for t in templates]
        rows += [{"id": t.id, "title": t.title, "topics": [*t.topics, *t.exact_topics],
                  "note": note} for t, note, _ in from_notes]
        print_json(rows)
        return 0
    everything = [*templates, *(t for t, *_ in from_notes)]
    width = max(len(t.id) for t in everything)
    print(f"{'ID'.ljust(width)}  TITLE")
    for t in templates:
        print(sanitize(f"{t.id.ljust(width)}  {t.title}"))
        if t.topics or t.exact_topics:
            print(sanitize(f"{''.ljust(width)}  topics: {', '.join(t.topics + t.exact_topics)}"))
    for t, note, others in from_notes:
        print(sanitize(f"{t.id.ljust(width)}  {t.title}"))
        print(sanitize(f"{''.ljust(width)}  from: {note}"))
        if others:  # `flashdeck exercise ID` runs the one above: say the others exist
            print(sanitize(f"{''.ljust(width)}  the same id, another template: "
                           f"{', '.join(others)} (not run by this id)"))
        if t.topics or t.exact_topics:
            print(sanitize(f"{''.ljust(width)}  topics: {', '.join(t.topics + t.exact_topics)}"))
    mine = f" ({len(from_notes)} from your notes)" if from_notes else ""
    print(f"\n{len(everything)} exercises{mine}. Try: flashdeck exercise {_example(templates)}")
    return 0


def _show(template, seed: int, check: str | None, as_json: bool, chosen: bool) -> int:
    from flashdeck.exercises import grade, grid_text, instantiate  # this command only

    instance = instantiate(template, seed)
    verdict = grade(instance, check) if check is not None else None
    data: dict = {}
    if as_json:
        data = {
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
    code = 0 if verdict is None or verdict.correct else 1
    try:
        if as_json:
            print_json(data)
        else:
            print(sanitize(_text(instance, seed, verdict, chosen)))
        sys.stdout.flush()
    except BrokenPipeError:
        # `flashdeck exercise ID --check WRONG | head -1`: the reader went away, the answer is
        # still wrong (exit 1); it was exit 0, "right", from the CLI's closed-pipe exit
        return reader_gone(code)
    return code


def _text(instance, seed: int, verdict, chosen: bool) -> str:
    from flashdeck.exercises import grid_text  # this command only
    from flashdeck.exercises.text import instance_answer_text

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
        lines.append(f"Answer: {instance_answer_text(instance)}")
    lines.append("Working:")
    lines.extend(f"  {step}" for step in instance.steps)
    return "\n".join(lines)


def _example(templates: list) -> str:
    ids = [t.id for t in templates]
    return "f1-counts" if "f1-counts" in ids else ids[0]
