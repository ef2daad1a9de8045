"""Shared fixtures: real collections in temp dirs, a fixed clock, a CLI runner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from flashdeck.cli import main


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """Never touch the developer's real collection or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(home / "default.sqlite"))
    monkeypatch.setenv("FLASHDECK_CONFIG", str(home / "config.toml"))
    monkeypatch.delenv("FLASHDECK_NOW", raising=False)
    monkeypatch.delenv("FLASHDECK_DEBUG", raising=False)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys):
    """Run `flashdeck ARGS...` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def write_note(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def geo_collection(cli, tmp_path: Path) -> Path:
    """A collection holding two basic cards (Capital of France / Peru), imported by the CLI."""
    vault = tmp_path / "vault"
    write_note(vault, "geo.md", "#flashcards\n\nCapital of France::Paris\n\n"
                                "Capital of Peru::Lima\n")
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", vault).code == 0
    return path
