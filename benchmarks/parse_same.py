"""The parser's speed-ups change no card: parse the same notes with another tree's code
(main's, by default) and with this one, and compare everything the parse gives.

    python benchmarks/parse_same.py [--against DIR] [--notes N] [--mixed M] [--sample PATH]

The notes: the bundled deck (cards/), every note under tests/, the user's sample note (when
it is there), a generated vault of N notes (benchmarks/vault.py) and M notes mixed from the
lines of all of those (seeded: the same notes on every run). Each note is read and parsed
as the importer does it (`read_and_parse`: reading, hashing, the parse, the exercises), with
the default settings and with every cloze kind and an end marker; the vault's notes also as
a folder import reads them (the flashcard tag required). What is compared, note by note: the
title, aliases, tags, decks of the cards, headings, exercise blocks, every card's every field
(kind, front, back, line, deck, block, ordinal, breadcrumb, schedule, exercise, text as
written) and every problem. Exits 1 at the first note that differs, showing both.

--against DIR: a tree holding the other code (a `flashdeck` package); without it, main's
(`git archive main`) in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = Path("/work/shared/samples/F1 Score.md")


def _inputs(folder: Path, notes: int, mixed: int, sample: Path | None) -> list[tuple[str, bool]]:
    """Copy every note to parse under `folder`; (path, whether a folder import reads it) each."""
    sys.path.insert(0, str(HERE))
    from vault import generate

    found = sorted(ROOT.glob("cards/**/*.md")) + sorted(ROOT.glob("tests/**/*.md"))
    if sample is not None and sample.is_file():
        found.append(sample)
    own = folder / "own"
    jobs: list[tuple[str, bool]] = []
    texts: list[str] = []
    for k, path in enumerate(found):
        target = own / f"{k:04d}" / path.name
        target.parent.mkdir(parents=True)
        data = path.read_bytes()
        target.write_bytes(data)
        jobs.append((str(target), False))
        texts.append(data.decode("utf-8", "replace"))
    vault = generate(folder / "vault", notes)
    for path in sorted(vault.rglob("*.md")):
        jobs += [(str(path), False), (str(path), True)]
        if len(texts) < len(found) + 200:
            texts.append(path.read_text(encoding="utf-8"))
    # notes mixed from runs of the lines of all of those: card syntax in odd places
    rng = random.Random(23)
    lines = [text.split("\n") for text in texts]
    for k in range(mixed):
        parts: list[str] = []
        for _ in range(rng.randint(1, 8)):
            source = rng.choice(lines)
            start = rng.randrange(len(source))
            parts += source[start:start + rng.randint(1, 25)]
        if rng.random() < 0.5:
            parts.insert(0, "#flashcards")
        path = folder / "mixed" / f"{rng.choice(['Note', 'F1 Score', 'Harmonic Mean'])} {k}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(parts) + "\n", encoding="utf-8")
        jobs.append((str(path), False))
    return jobs


def _dump(jobs_file: Path, out: Path) -> None:
    """In the tree on sys.path: parse every job and write what came out, a line each."""
    from flashdeck.collection.parsing import read_and_parse
    from flashdeck.collection.sources import NoteFile
    from flashdeck.notes.model import ParserSettings

    every_kind = ParserSettings(cloze=("highlight", "bold", "curly"),
                                multiline_end_marker="+++")
    jobs = json.loads(jobs_file.read_text())
    with out.open("w", encoding="utf-8") as f:
        for path, require_tag in jobs:
            file = NoteFile(path, Path(path).name, Path(path).name)
            for settings in ((ParserSettings(),) if require_tag
                             else (ParserSettings(), every_kind)):
                parsed = read_and_parse(file, settings, require_tag)
                note = parsed.note
                shown = [parsed.hash, parsed.unread_cards,
                         [repr(p) for p in parsed.problems]]
                if note is not None:
                    shown += [note.title, note.aliases, note.tags, note.tagged,
                              note.plugin_scheduled, note.multiline_syntax, note.exercises,
                              [repr(h) for h in note.headings],
                              [repr(b) for b in note.exercise_blocks],
                              [repr(c) for c in note.cards]]
                f.write(json.dumps([path, require_tag, repr(settings.cloze), shown]) + "\n")


def _run(tree: Path, jobs_file: Path, out: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--dump", str(jobs_file),
                    str(out), "--tree", str(tree)], check=True, env=env, cwd=str(tree))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", type=Path)
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--mixed", type=int, default=2000)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--dump", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        sys.path.insert(0, str(args.tree))
        _dump(*args.dump)
        return 0
    with tempfile.TemporaryDirectory(prefix="parse_same.") as tmp:
        folder = Path(tmp)
        sys.path.insert(0, str(HERE))
        from trees import other_tree

        against = other_tree(args.against, folder)
        jobs = _inputs(folder / "notes", args.notes, args.mixed, args.sample)
        jobs_file = folder / "jobs.json"
        jobs_file.write_text(json.dumps(jobs))
        theirs, ours = folder / "theirs.jsonl", folder / "ours.jsonl"
        _run(against.resolve(), jobs_file, theirs)
        _run(ROOT, jobs_file, ours)
        count = 0
        cards = 0
        with theirs.open(encoding="utf-8") as a, ours.open(encoding="utf-8") as b:
            for line_a, line_b in zip(a, b, strict=True):
                count += 1
                if line_a != line_b:
                    old, new = json.loads(line_a), json.loads(line_b)
                    print(f"DIFFERS: {old[0]} (require_tag={old[1]}, cloze={old[2]})")
                    for x, y in zip(old[3], new[3]):
                        if x != y:
                            print(f"  theirs: {x!r}\n  ours:   {y!r}")
                    return 1
                cards += len(json.loads(line_a)[3][-1]) if len(json.loads(line_a)[3]) > 3 else 0
        print(f"identical: {count} parses of {len(jobs)} notes, {cards} cards")
    return 0


if __name__ == "__main__":
    sys.exit(main())
