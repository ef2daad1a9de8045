"""Settings a daily Anki user writes (config.toml) and the queue behaviour they expect, driven
through the command line: learning steps of a day or more, the settings file's own faults."""

from __future__ import annotations

import pytest

from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import load_config
from flashdeck.scheduling.engine import Engine
from flashdeck.scheduling.upcoming import upcoming
from support.notes import write_note


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    write_note(folder, "Kinematics.md",
               "---\ntags: [flashcards/physics]\n---\n\n"
               "Unit of acceleration::metres per second squared\n\n"
               "Unit of force::newton\n")
    return folder


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("FLASHDECK_NOW", moment)


def configure(tmp_path, monkeypatch, text: str | bytes):
    config = tmp_path / "config.toml"
    if isinstance(text, bytes):
        config.write_bytes(text)
    else:
        config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    return config


# -- learning steps of a day or more ----------------------------------------------------------

def test_a_one_day_learning_step_is_due_all_of_the_day_it_ends_on(cli, vault, tmp_path,
                                                                    monkeypatch):
    """Anki's "10m 1d" steps: a card on its 1-day step, answered yesterday at 21:00, is due
    from the start of today (as Anki's interday learning cards are), not only from 21:00
    tonight; `next` gives it in the morning and `due` counts it where `next` finds it."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    configure(tmp_path, monkeypatch, 'learning_steps = ["10m", "1d"]\nnew_per_day = 1\n')
    col = tmp_path / "c.sqlite"
    at(monkeypatch, "2026-11-24T21:00:00+01:00")
    assert cli("--collection", col, "import", vault).code == 0
    card = cli("--collection", col, "next", "--json").json["card"]
    answered = cli("--collection", col, "answer", card["id"], "good", "--json").json
    assert answered["state"] == "learning"  # Good: on to its 1-day step, due tomorrow 21:00

    at(monkeypatch, "2026-11-25T07:30:00+01:00")  # the next morning, after the 04:00 roll-over
    due = cli("--collection", col, "due", "--json").json
    assert due["total"]["learning"] == 1
    nxt = cli("--collection", col, "next", "--json").json
    assert nxt["card"] is not None and nxt["card"]["id"] == card["id"]
    assert nxt["card"]["state"] == "learning"
    # the review screen's summary does not also call it "later today" (it is due now)
    with Collection.open(col) as opened:
        later = upcoming(Engine(opened, load_config()))
    assert later.later_today == 0 and later.next_at is None

    at(monkeypatch, "2026-11-25T03:30:00+01:00")  # still yesterday's scheduling day
    early = cli("--collection", col, "next", "--json").json
    assert early["card"] is None or early["card"]["id"] != card["id"]
