"""`flashdeck sync` killed again and again (kill -9, a real process, a real Anki sync server on
127.0.0.1): each run is killed one step later than the one before, after each Anki call and
each of flashdeck's own writes, until a run finishes; the first sync (a full upload) and a
later one (news on both sides). Nothing may be lost or counted twice: doctor is clean after
every kill, the last run finishes, every answer given on either side is in flashdeck's log
and in the phone's Anki log exactly once, the phone holds one note per card, and a card
suspended on the phone is suspended on both. (PRODUCT.md §2; test_sync_failures.py in
tests/ankisync kills one run at each of a few stages.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

pytest.importorskip("anki")

from support.notes import write_note  # noqa: E402
from support.reliability import env  # noqa: E402
from support.syncserver import Phone, sync_server  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX signals")

USER, PASSWORD = "learner", "battery staple"
EASE = {"again": 1, "hard": 2, "good": 3, "easy": 4}
RUNS = 60  # far more than the steps of one sync (about 30)

# runs `flashdeck ARGV` killed (SIGKILL) when the Nth of these calls returns
KILLER = """
import importlib, os, signal, sys
nth = int(sys.argv[1])
TARGETS = [("anki.collection", "Collection", name) for name in (
    "sync_collection", "full_upload_or_download", "close_for_full_sync", "add_notes",
    "update_notes", "update_cards", "remove_notes", "sync_media")]
TARGETS += [("flashdeck.ankisync.mirror", "Mirror", "write_revlog")]
TARGETS += [("flashdeck.ankisync.merge", None, name) for name in (
    "assign_guids", "forget_pushed", "record_cids", "pull", "take_hidden", "clear_removed",
    "record_stamps", "record_pushed", "record_hidden", "record_told", "record_removed")]
done = [0]
def wrap(owner, name):
    original = getattr(owner, name)
    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        done[0] += 1
        if done[0] == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    setattr(owner, name, wrapped)
for module, cls, name in TARGETS:
    owner = importlib.import_module(module)
    wrap(getattr(owner, cls) if cls else owner, name)
from flashdeck.cli import main
sys.exit(main(sys.argv[2:]))
"""

NOTES = {
    "Bayes.md": """---
tags: [flashcards/stats]
---
# Bayes' theorem

$$P(A \\mid B) = \\frac{P(B \\mid A)\\, P(A)}{P(B)}$$

Prior::what is believed about $A$ before the evidence $B$

Posterior::$P(A \\mid B)$, the belief after seeing $B$

The denominator $P(B)$ is called the ==evidence== or marginal likelihood.
""",
    "Entropy.md": """#flashcards/info

# Entropy

Entropy of a fair coin::$1$ bit

Entropy of a certain outcome::$0$

Units of entropy with $\\log_2$::bits

Units of entropy with $\\ln$::nats

### When is entropy largest?
When every outcome is equally likely.
""",
    "Gradient descent.md": """#flashcards/ml

# Gradient descent

Update rule::$\\theta \\leftarrow \\theta - \\eta \\nabla L(\\theta)$

Too large a learning rate::the loss diverges or oscillates

Too small a learning rate::training crawls

Momentum::a running average of past gradients added to the step
""",
}


class Side:
    """One flashdeck collection, run as a user runs it (a subprocess each time)."""

    def __init__(self, folder: Path, endpoint: str):
        self.collection = folder / "a.sqlite"
        self.env = env(self.collection, XDG_DATA_HOME=str(folder / "data"),
                       FLASHDECK_SYNC_PASSWORD=PASSWORD)
        self.env.pop("FLASHDECK_NOW")  # the phone answers at the real time: so does this
        self.sync_args = ["sync", "--endpoint", endpoint, "--user", USER]

    def run(self, *args, killed_at: int | None = None) -> subprocess.CompletedProcess:
        head = [sys.executable, "-m", "flashdeck"] if killed_at is None else [
            sys.executable, "-c", textwrap.dedent(KILLER), str(killed_at)]
        return subprocess.run([*head, "--collection", str(self.collection), *map(str, args)],
                              env=self.env, capture_output=True, text=True, timeout=300,
                              cwd=str(self.collection.parent))

    def answer(self, count: int) -> None:
        for _ in range(count):
            card = json.loads(self.run("next", "--json").stdout)["card"]
            assert self.run("answer", card["id"], "good").returncode == 0

    def doctor_clean(self) -> bool:
        done = self.run("doctor", "--json")
        return done.returncode == 0 and json.loads(done.stdout)["ok"]

    def log(self) -> list[tuple[int, int]]:
        """(second, Anki's ease) of every review kept."""
        entries = json.loads(self.run("log", "--limit", "0", "--json").stdout)
        return sorted((int(datetime.fromisoformat(entry["time"]).timestamp()),
                       EASE[entry["rating"]]) for entry in entries)


def _phone_log(phone: Phone) -> list[tuple[int, int]]:
    """(second, ease) of every answer in the phone's Anki log (its ids are milliseconds)."""
    return sorted((rid // 1000, ease) for rid, ease in phone.col.db.all(
        "SELECT id, ease FROM revlog WHERE ease BETWEEN 1 AND 4"))


def test_a_sync_killed_at_every_step_in_turn_loses_and_doubles_nothing(tmp_path):
    for name, text in NOTES.items():
        write_note(tmp_path / "vault", name, text)
    with sync_server(tmp_path / "server", USER, PASSWORD) as server:
        side = Side(tmp_path, server.endpoint)
        assert side.run("import", tmp_path / "vault").returncode == 0
        cards = len(json.loads(side.run("list", "--json").stdout))
        side.answer(4)
        # the first sync (a new mirror, a full upload) killed step by step too
        _sync_killed_step_by_step(side)
        phone = Phone(tmp_path / "phone", server)
        try:
            phone.sync()
            phone.answer(3, ease=4)
            held = phone.col.db.scalar("SELECT id FROM cards ORDER BY id DESC")
            phone.col.sched.suspend_cards([held])  # and suspends a card
            phone.sync()
            side.answer(3)  # both sides have news
            killed = _sync_killed_step_by_step(side)
            assert killed >= 10, "the kills did not land inside the sync"
            phone.sync()
            mine, theirs = side.log(), _phone_log(phone)
            assert len(mine) == 10 and mine == theirs  # each answer once, on both sides
            # the phone's suspend held on both sides
            assert phone.col.get_card(held).queue == -1
            listed = json.loads(side.run("list", "--json").stdout)
            assert sum(card["suspended"] for card in listed) == 1
            guids = phone.col.db.list("SELECT guid FROM notes")
            assert len(guids) == len(set(guids)) == cards  # one note per card, none twice
            again = side.run(*side.sync_args)
            assert "0 reviews from Anki, 0 to Anki" in again.stdout, again.stdout
            assert side.doctor_clean()
        finally:
            phone.close()


def _sync_killed_step_by_step(side: Side) -> int:
    """Run the sync killed after its 1st step, then after its 2nd, ... until a run ends;
    doctor is clean after each kill and the last run succeeds. How many were killed."""
    for step in range(1, RUNS + 1):
        done = side.run(*side.sync_args, killed_at=step)
        if done.returncode != -9:
            assert done.returncode == 0, done.stderr
            return step - 1
        assert side.doctor_clean(), f"doctor found a fault after the kill at step {step}"
    raise AssertionError(f"the sync was still being killed after {RUNS} runs")
