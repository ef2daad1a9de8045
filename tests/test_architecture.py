"""The layering PRODUCT.md §8 asks for: the domain never imports Textual, and the headless
commands load neither Textual nor the markdown renderers (they must start fast)."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from support.notes import write_note

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["flashdeck.notes.parser", "flashdeck.notes.files", "flashdeck.notes.settings",
          "flashdeck.collection.importer", "flashdeck.collection.store",
          "flashdeck.scheduling.doctor", "flashdeck.scheduling.engine",
          "flashdeck.exercises", "flashdeck.mathtext", "flashdeck.render"]


def run_python(code: str, **env) -> str:
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    return done.stdout


def test_imports_run_one_way():
    """The import-linter contracts in pyproject.toml: commands -> tui -> scheduling ->
    collection -> exercises -> notes, mathtext, and no Textual in the domain."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE|DROP|ALTER|REPLACE INTO)\b"
                       r"|\bFROM\s+\w+\s+(WHERE|JOIN|ORDER|GROUP|LIMIT)\b")


def test_no_sql_in_screens_or_commands():
    """SQL lives in collection/ (its query layer); the screens and commands call it."""
    found = []
    for package in ("tui", "commands"):
        for path in sorted((ROOT / "flashdeck" / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            where = path.relative_to(ROOT)
            if ".execute(" in source or ".executemany(" in source or ".executescript(" in source:
                found.append(f"{where}: calls execute")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and SQL_WORDS.search(node.value):
                    found.append(f"{where}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_domain_modules_never_import_textual():
    code = ("import importlib, sys\n"
            f"for name in {DOMAIN!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual'}))\n")
    assert run_python(code).strip() == "[]"


def test_next_and_answer_load_no_tui_and_no_renderer(tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "n.md", "#flashcards\n\nQ::A\n\n$$x^2$$\n")
    collection = tmp_path / "c.sqlite"
    env = {"FLASHDECK_COLLECTION": str(collection), "FLASHDECK_NOW": "2026-11-24T09:00:00+00:00",
           "FLASHDECK_CONFIG": str(tmp_path / "none.toml")}
    run_python(f"from flashdeck.cli import main; main(['import', {str(vault)!r}])", **env)
    heavy = ["textual", "rich", "markdown_it", "pylatexenc", "flashdeck.mathtext",
             "flashdeck.tui", "flashdeck.notes.parser"]
    for command in (["next", "--json"], ["answer", "1", "good", "--json"], ["due", "--json"]):
        code = ("import io, json, sys, contextlib\n"
                "from flashdeck.cli import main\n"
                "out = io.StringIO()\n"
                "with contextlib.redirect_stdout(out):\n"
                f"    code = main({command!r})\n"
                f"print(json.dumps([code, [m for m in {heavy!r} if m in sys.modules]]))\n")
        code_and_loaded = json.loads(run_python(code, **env).strip().splitlines()[-1])
        assert code_and_loaded == [0, []], command


def test_stats_loads_no_tui_and_no_renderer(tmp_path):
    """`flashdeck stats` fits its lines to the terminal in columns: measured without the
    math renderer (its package import was ~20 ms of a command with a 0.3 s budget), Rich's
    cell tables (~8 ms, for lines of words and figures) or shutil (bz2, lzma)."""
    vault = tmp_path / "vault"
    write_note(vault, "n.md", "#flashcards\n\nQ::A\n\nWhat is 字?::A word " + "long " * 30 + "\n")
    collection = tmp_path / "c.sqlite"
    env = {"FLASHDECK_COLLECTION": str(collection), "FLASHDECK_NOW": "2026-11-24T09:00:00+00:00",
           "FLASHDECK_CONFIG": str(tmp_path / "none.toml"), "COLUMNS": "40"}
    run_python(f"from flashdeck.cli import main; main(['import', {str(vault)!r}])", **env)
    heavy = ["textual", "rich", "markdown_it", "pylatexenc", "flashdeck.mathtext",
             "flashdeck.tui", "flashdeck.notes.parser", "shutil"]
    for command in (["stats"], ["stats", "--json"], ["stats", "--deck", "flashcards"]):
        code = ("import io, json, sys, contextlib\n"
                "from flashdeck.cli import main\n"
                "out = io.StringIO()\n"
                "with contextlib.redirect_stdout(out):\n"
                f"    code = main({command!r})\n"
                "width = max(len(line) for line in out.getvalue().splitlines())\n"
                f"print(json.dumps([code, width <= 40, [m for m in {heavy!r}"
                " if m in sys.modules]]))\n")
        loaded = json.loads(run_python(code, **env).strip().splitlines()[-1])
        assert loaded == [0, True, []], command
