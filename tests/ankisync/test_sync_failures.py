"""A sync killed midway (kill -9 of a real `flashdeck sync` process at each stage) leaves
both sides whole, and the next sync finishes the job: nothing lost, nothing counted twice."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from support.notes import write_note

NOTE = """---
tags: [flashcards/stats]
---
# Variance

$$\\operatorname{Var}(X) = E[(X - \\mu)^2]$$

Standard deviation::the square root of the variance, $\\sigma = \\sqrt{\\operatorname{Var}(X)}$

Variance of a constant::$0$

Variance of $aX$::$a^2 \\operatorname{Var}(X)$

The variance of a sum of ==independent== variables is the sum of their variances.
"""

# where the process is killed: (module, function, which call)
STAGES = {
    "while merging the pulled reviews": ("flashdeck.ankisync.merge", "_merge_card", 2),
    "after the merge, before the mirror is updated": ("flashdeck.ankisync.mirror.Mirror",
                                                      "push", 1),
    "before our reviews were recorded as pushed": ("flashdeck.ankisync.merge",
                                                   "record_pushed", 1),
    "recorded as pushed, before the mirror got them": ("flashdeck.ankisync.mirror.Mirror",
                                                       "write_revlog", 1),
    "after the server got everything": ("flashdeck.ankisync.sync", "_sync_media", 1),
}

KILLER = """
import importlib, os, signal, sys
module, name, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
owner, _, cls = module.partition(".Mirror")
target = importlib.import_module(owner)
if cls or module.endswith(".Mirror"):
    target = target.Mirror
original = getattr(target, name)
calls = [0]
def killed(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)
setattr(target, name, killed)
from flashdeck.cli import main
sys.exit(main(sys.argv[4:]))
"""


def answer(cli, path, count):
    for _ in range(count):
        card = cli("--collection", path, "next", "--json").json["card"]
        assert cli("--collection", path, "answer", card["id"], "good").code == 0


@pytest.mark.parametrize("stage", list(STAGES))
def test_killed_midway_then_the_next_sync_finishes(cli, tmp_path, server, sync_env, phone_at,
                                                   stage):
    write_note(tmp_path / "vault", "Variance.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    args = ["--collection", str(a), "sync", "--endpoint", server.endpoint, "--user",
            server.user]
    answer(cli, a, 2)
    assert cli(*args).code == 0
    phone = phone_at()
    phone.sync()
    phone.answer(3, ease=4)  # easy: three cards, each answered once
    held = phone.col.db.scalar("SELECT id FROM cards ORDER BY id DESC")
    phone.col.sched.suspend_cards([held])  # and suspends one
    phone.sync()
    answer(cli, a, 2)  # and two more here: both sides have news

    module, name, nth = STAGES[stage]
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(KILLER), module, name,
                           str(nth), *args], env=dict(os.environ), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert cli("--collection", a, "doctor").code == 0  # whole after the kill

    result = cli(*args)
    assert result.code == 0, result.err
    phone.sync()
    assert len(cli("--collection", a, "log", "--limit", "0", "--json").json) == 7
    assert phone.revlog() == 7, result.out
    assert cli("--collection", a, "doctor").code == 0
    # the phone's suspend held on both sides
    assert phone.col.get_card(held).queue == -1
    assert sum(c["suspended"] for c in cli("--collection", a, "list", "--json").json) == 1
    # and again: nothing moves
    result = cli(*args)
    assert "0 reviews from Anki, 0 to Anki" in result.out
    assert "changed in Anki" not in result.out


@pytest.mark.parametrize("damage", ["not a database", "cut short"])
def test_a_damaged_mirror_is_kept_aside_and_made_again(cli, tmp_path, server, sync_env,
                                                       phone_at, damage):
    """The local Anki mirror damaged on disk (a crash, a failing disk): the next sync says
    so, keeps the damaged file, makes a new mirror, and nothing is lost or doubled."""
    write_note(tmp_path / "vault", "Variance.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    args = ["--collection", a, "sync", "--endpoint", server.endpoint, "--user", server.user]
    answer(cli, a, 2)
    assert cli(*args).code == 0
    phone = phone_at()
    phone.sync()
    phone.answer(1, ease=4)
    phone.sync()
    answer(cli, a, 1)
    (mirror,) = (sync_env / "flashdeck" / "anki").glob("*/collection.anki2")
    content = mirror.read_bytes()
    damaged = b"garbage" * 100 if damage == "not a database" else content[:8192]
    mirror.write_bytes(damaged)

    result = cli(*args)
    assert result.code == 0, result.err
    assert "the Anki mirror is damaged" in result.err and str(mirror) in result.err
    assert "1 review from Anki, 1 to Anki" in result.out
    (aside,) = mirror.parent.glob("collection.anki2.damaged-*[0-9]")
    assert aside.read_bytes() == damaged  # kept as it was
    phone.sync()
    assert phone.revlog() == 4
    assert len(cli("--collection", a, "log", "--limit", "0", "--json").json) == 4
    assert cli("--collection", a, "doctor").code == 0
    result = cli(*args)
    assert "0 reviews from Anki, 0 to Anki" in result.out and result.err == ""


@pytest.fixture
def not_anki():
    """A web server on 127.0.0.1 that is not an Anki sync server (it refuses every POST)."""
    import http.server
    import threading

    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            """No request log on stderr (the test reads flashdeck's)."""

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_a_wrong_endpoint_is_named_in_one_line(cli, tmp_path, server, sync_env, not_anki):
    """Another web server, a wrong path on the right one, a URL that is not one: one line
    naming the address, exit 2, nothing written (were: "Your Anki version is too old", a
    404 said as "cannot reach the sync server", "Invalid sync server specified")."""
    write_note(tmp_path / "vault", "Variance.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    cases = {
        not_anki: f"sync: {not_anki} did not answer as an Anki sync server does; check"
                  " --endpoint; nothing was changed",
        server.endpoint + "anki/": f"sync: {server.endpoint}anki/ answered 404 Not Found: no"
                                   " Anki sync server at that address; check --endpoint;"
                                   " nothing was changed",
        "http://127.0.0.1:99999/": "--endpoint 'http://127.0.0.1:99999/': give the server's"
                                   " URL, like http://192.168.1.10:8080/",
        "http://[::1": "--endpoint 'http://[::1': give the server's URL",
    }
    for endpoint, said in cases.items():
        result = cli("--collection", a, "sync", "--endpoint", endpoint, "--user", server.user)
        assert result.code == 2, result
        assert result.err.startswith(f"flashdeck: {said}"), result.err
        assert len(result.err.strip().splitlines()) == 1 and "too old" not in result.err
    assert not (sync_env / "flashdeck" / "anki" / "login.json").exists()
    assert cli("--collection", a, "sync", "--endpoint", server.endpoint, "--user",
               server.user).code == 0


def test_a_second_sync_while_one_runs_says_so(cli, tmp_path, server, sync_env):
    """Two syncs at once (a timer and a hand): the second one says another sync is running
    (was: 'cannot open the Anki mirror: Anki already open, or media currently syncing')."""
    from anki.collection import Collection

    write_note(tmp_path / "vault", "Variance.md", NOTE)
    a = tmp_path / "a.sqlite"
    args = ["--collection", a, "sync", "--endpoint", server.endpoint, "--user", server.user]
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    assert cli(*args).code == 0
    (mirror,) = (sync_env / "flashdeck" / "anki").glob("*/collection.anki2")
    running = Collection(str(mirror))  # the other sync holds the mirror
    try:
        result = cli(*args)
    finally:
        running.close()
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        f"flashdeck: sync: another `flashdeck sync` is running ({mirror} is in use); run it"
        " again when that one ends"]
    assert cli(*args).code == 0
