"""Does a change to the import leave the collection exactly as it was? Two trees' code (this
one and another, e.g. main's: `git archive main | tar -x -C /tmp/old`) import the same notes
into new collections, step by step, and every table is compared after each step.

    python benchmarks/compare_import.py --other /tmp/old [--notes N] [--keep DIR]

The steps, each imported by both trees with the clock fixed (FLASHDECK_NOW):
  1. a generated vault (benchmarks/vault.py), cold;
  2. the same, unchanged;
  3. some notes edited (a card reworded, one added, one removed), some moved to another
     folder, one renamed, one deleted;
  4. every note moved to one new folder;
then, each into its own new collection: the bundled deck (cards/), and every folder of
tests/fixtures. Every row of every table must be the same (ids, history, problems), but the
collection header's random marks (wal.py) and the paths of the temporary folders.
Exit status 0 when all is the same; else the first differences are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from vault import generate  # noqa: E402

NOW = "2026-03-01T09:00:00+00:00"
SHOWN = 8  # differences printed per table


def flashdeck(tree: Path, work: Path, collection: Path, notes: Path) -> None:
    env = dict(os.environ, FLASHDECK_NOW=NOW, XDG_DATA_HOME=str(work / "data"),
               FLASHDECK_CONFIG=str(work / "no-config.toml"), PYTHONPATH=str(tree))
    result = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(collection),
                             "import", str(notes)], cwd=tree, env=env, capture_output=True,
                            text=True)
    if result.returncode not in (0, 1):  # 1: problems in the notes, the same for both
        raise SystemExit(f"{tree}: import {notes} failed ({result.returncode}):\n"
                         f"{result.stderr[-2000:]}")


def tables(collection: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"{collection.as_uri()}?mode=ro", uri=True)
    try:
        names = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for name in names}
    finally:
        conn.close()


def differences(mine: Path, other: Path) -> list[str]:
    found = []
    a, b = tables(mine), tables(other)
    for name in sorted(set(a) | set(b)):
        rows_a, rows_b = a.get(name), b.get(name)
        if rows_a == rows_b:
            continue
        if rows_a is None or rows_b is None:
            found.append(f"table {name}: only in {'the other' if rows_a is None else 'this'}"
                         " tree's collection")
            continue
        only_a = [row for row in rows_a if row not in set(rows_b)]
        only_b = [row for row in rows_b if row not in set(rows_a)]
        found.append(f"table {name}: {len(rows_a)} rows here, {len(rows_b)} in the other;"
                     f" {len(only_a)} only here, {len(only_b)} only there")
        found += [f"  here:  {row!r}"[:300] for row in only_a[:SHOWN]]
        found += [f"  there: {row!r}"[:300] for row in only_b[:SHOWN]]
    return found


def edit(vault: Path) -> None:
    """Step 3: edits, moves, a rename and a deletion, in the user's ways."""
    notes = sorted(vault.rglob("*.md"))
    for k, path in enumerate(notes[::7]):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        cards = [i for i, line in enumerate(lines) if "::" in line and "`" not in line]
        if not cards:
            continue
        if k % 3 == 0:  # a card reworded
            lines[cards[0]] = lines[cards[0]].replace("::", " (reworded)::", 1)
        elif k % 3 == 1:  # a card added
            lines.append(f"\nA new question {k}?::A new answer {k}\n")
        else:  # a card removed
            del lines[cards[-1]]
        path.write_text("".join(lines), encoding="utf-8")
    moved = vault / "moved"
    moved.mkdir(exist_ok=True)
    for path in notes[3::11]:
        path.rename(moved / path.name)
    notes[5].rename(notes[5].with_name("Renamed " + notes[5].name))
    notes[9].unlink()


def move_all(vault: Path) -> None:
    """Step 4: every note into one new folder."""
    target = vault / "everything"
    target.mkdir()
    for k, path in enumerate(sorted(p for p in vault.rglob("*.md") if target not in p.parents)):
        path.rename(target / f"{k:05d} {path.name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True,
                        help="the other tree (holding flashdeck/), e.g. main's")
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="keep the collections here")
    args = parser.parse_args()
    mine, other = HERE.parent, args.other.resolve()
    work = Path(tempfile.mkdtemp(prefix="flashdeck-compare-"))
    failed = False
    try:
        vault = generate(work / "vault", args.notes)
        steps = [("cold", None), ("unchanged", None), ("edited and moved", edit),
                 ("every note moved", move_all)]
        for name, change in steps:
            if change is not None:
                change(vault)
            for tree, label in ((mine, "mine"), (other, "other")):
                flashdeck(tree, work, work / f"vault-{label}.sqlite", vault)
            found = differences(work / "vault-mine.sqlite", work / "vault-other.sqlite")
            print(f"generated vault, {name}: {'same' if not found else 'DIFFERENT'}")
            print("\n".join(found[:60]))
            failed |= bool(found)
        sets = [("bundled deck", mine / "cards")] + [
            (f"tests/fixtures/{p.name}", p) for p in sorted((mine / "tests" / "fixtures").iterdir())
            if p.is_dir()]
        for k, (name, notes) in enumerate(sets):
            copy = work / f"set{k}"
            shutil.copytree(notes, copy)  # the same path for both trees
            for tree, label in ((mine, "mine"), (other, "other")):
                flashdeck(tree, work, work / f"set{k}-{label}.sqlite", copy)
            found = differences(work / f"set{k}-mine.sqlite", work / f"set{k}-other.sqlite")
            print(f"{name}: {'same' if not found else 'DIFFERENT'}")
            print("\n".join(found[:60]))
            failed |= bool(found)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in work.glob("*.sqlite"):
                shutil.copy2(path, args.keep / path.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
