"""What importing a module does, seen from a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dataclasses_made(module: str, prefixes: tuple[str, ...]) -> list[str]:
    """The dataclasses (`module.QualName`) of modules starting with one of `prefixes` that
    importing `module` in a fresh interpreter makes (each compiles its methods at import)."""
    code = ("import dataclasses, json\n"
            "made = []\n"
            "real = dataclasses._process_class\n"
            "def counted(cls, *a, **k):\n"
            "    made.append(cls.__module__ + '.' + cls.__qualname__)\n"
            "    return real(cls, *a, **k)\n"
            "dataclasses._process_class = counted\n"
            f"import {module}\n"
            f"print(json.dumps([m for m in made if m.startswith({tuple(prefixes)!r})]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout)
