"""The other tree a benchmark compares this one with: a folder holding its code."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def other_tree(against: Path | None, folder: Path) -> Path:
    """`against`, or else main's code (`git archive main`) laid out in `folder`/main."""
    if against is not None:
        return against.resolve()
    tree = folder / "main"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "main"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree
