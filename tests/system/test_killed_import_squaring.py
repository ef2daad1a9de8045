"""`kill -9` of a real import at each statement that squares a move up (PRODUCT.md §2): the
process kills itself as it calls the function, with the notes written and the cards they
left orphaned and committed. The next import, run as the user would, must give each answered
card back its place, and `doctor` must be clean. (The in-process versions of these, with an
exception standing in for the kill: tests/collection/test_identity_killed_squaring.py.)"""

from __future__ import annotations

import json
import os
import sys

import pytest

from support.identity import geo_notes
from support.reliability import flashdeck, spawn

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX signals")

# `flashdeck import VAULT` that SIGKILLs itself as it calls importer.<name>
KILLED_AT = """\
import os, signal, sys
from flashdeck.collection import importer
def dies(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
setattr(importer, sys.argv[1], dies)
from flashdeck.cli import main
sys.exit(main(["import", sys.argv[2]]))
"""


def cards(collection) -> dict[str, int]:
    listed = flashdeck(collection, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return {c["front"]: c["id"] for c in json.loads(listed.stdout)}


@pytest.mark.parametrize("name", ["reclaim_moved_cards", "return_taken_cards"])
def test_an_import_killed_as_it_squares_a_move_up_loses_no_history(tmp_path, name):
    collection, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    geo_notes(vault)
    assert flashdeck(collection, "import", vault).returncode == 0
    before = cards(collection)
    france, peru = before["Capital of France"], before["Capital of Peru"]
    for card, rating in ((france, "good"), (peru, "again")):
        assert flashdeck(collection, "answer", card, rating).returncode == 0
    log = flashdeck(collection, "log", "--limit", "0", "--json").stdout

    geo_notes(vault, moved=True)  # France's card moved into the note Peru's left
    proc = spawn(collection, [sys.executable, "-c", KILLED_AT, name, str(vault)])
    proc.communicate(timeout=120)
    assert proc.returncode == -9

    rerun = flashdeck(collection, "import", vault)
    assert rerun.returncode == 0, rerun.stderr
    after = cards(collection)
    assert after["Capital of France"] == france and peru not in after.values()
    assert flashdeck(collection, "log", "--limit", "0", "--json").stdout == log
    doctor = flashdeck(collection, "doctor")
    assert doctor.returncode == 0 and "no problems found" in doctor.stdout, doctor.stdout
    assert "stopped before its end" not in doctor.stdout
