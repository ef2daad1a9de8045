"""Shared fixtures: real collections in temp dirs, a fixed clock, a CLI runner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from flashdeck.cli import main


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """Never touch the developer's real collection, settings or files: the platform's user
    folders (data: the demo, the Anki mirror and login; state: the review app's crash logs;
    config; cache) are a temp home's, for this process and the subprocesses it starts
    (HOME too: where platformdirs looks outside the XDG variables, e.g. on macOS)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for variable, folder in (("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state"),
                             ("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(variable, str(home / folder))
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


SYSTEM = Path(__file__).resolve().parent / "system"


def pytest_collection_modifyitems(config, items):
    """The subprocess, kill -9 and concurrency suites (tests/system/) carry the `system`
    marker: `-m "not system"` runs the fast ones alone, `-m system` only these."""
    for item in items:
        if SYSTEM in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.system)
