"""TUI measurements, in a real terminal (tmux), each against its baseline in the same run:

- time until the first card is on screen vs a hello-world Textual app, measured the same way
  (start the program in a fresh tmux session, poll the pane until the text shows);
- peak memory (max RSS) of `flashdeck review` at 5,000 and at 50,000 cards: it must be flat
  (the queue is never loaded whole).
"""

from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

HELLO = """
from textual.app import App
from textual.widgets import Static

class Hello(App):
    def compose(self):
        yield Static("hello-world-ready")

Hello().run()
"""


# A tmux server of our own: other users of the machine's default server (another benchmark
# killing it, say) cannot make a measurement fail.
SOCKET = f"flashdeck-bench-{os.getpid()}"


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"tmux {args[0]} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def end(session: str) -> None:
    """Kill one session of our server (gone already is fine)."""
    subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", session], capture_output=True)


def forget_server() -> None:
    """Stop our tmux server and remove its socket file (tmux leaves it behind)."""
    subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    socket = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}" / SOCKET
    socket.unlink(missing_ok=True)


def start_session(session: str, command: str, size: tuple[int, int] = (120, 40)) -> float:
    """Start `command` in a new session of `size` (columns, rows); the moment it was started.

    Retried: when the last session ends the server exits, and a session started while it
    is exiting fails (the next attempt starts a new server)."""
    for attempt in range(3):
        start = time.perf_counter()
        try:
            tmux("new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]),
                 command)
            return start
        except RuntimeError:
            if attempt == 2:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


def time_to_text(command: str, text: str, env: dict, timeout: float = 30.0) -> float:
    """Seconds from starting `command` in a new 120x40 tmux session until `text` is on screen."""
    session = f"bench{os.getpid()}{time.monotonic_ns() % 100000}"
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()
                       if k.startswith(("FLASHDECK_", "PYTHON")))
    start = start_session(session, f"env {exports} TERM=xterm-256color {command}")
    try:
        while time.perf_counter() - start < timeout:
            if text in tmux("capture-pane", "-p", "-t", session):
                return time.perf_counter() - start
            time.sleep(0.01)
        raise RuntimeError(f"{text!r} never appeared for: {command}")
    finally:
        end(session)


def peak_rss_of_review(collection: Path, first_front: str, env: dict) -> float:
    """Max RSS in MiB of a review session that shows its first card, answers ten, and quits."""
    report = collection.with_suffix(".time")
    session = f"mem{os.getpid()}"
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()
                       if k.startswith(("FLASHDECK_", "PYTHON")))
    command = (f"env {exports} TERM=xterm-256color /usr/bin/time -v -o {report} "
               f"{sys.executable} -m flashdeck --collection {collection} review")
    start_session(session, command)
    try:
        deadline = time.perf_counter() + 60
        while first_front not in tmux("capture-pane", "-p", "-t", session):
            if time.perf_counter() > deadline:
                raise RuntimeError("the first card never appeared")
            time.sleep(0.05)
        for _ in range(10):
            tmux("send-keys", "-t", session, "Space")
            time.sleep(0.15)
            tmux("send-keys", "-t", session, "3")
            time.sleep(0.15)
        tmux("send-keys", "-t", session, "q")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "q")
        deadline = time.perf_counter() + 20
        while not report.exists() or "Maximum resident" not in report.read_text():
            if time.perf_counter() > deadline:
                raise RuntimeError("review did not quit")
            time.sleep(0.1)
    finally:
        end(session)
    for line in report.read_text().splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
    raise RuntimeError("no memory figure")


def first_front_text(collection: Path, env: dict) -> str:
    """Words of the collection's first card as the screen shows them: the longest run of
    plain words on the first line of its front (markdown marks and math are drawn other
    than written)."""
    import json
    import re

    done = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(collection),
                           "next", "--json"], capture_output=True, text=True, env=env,
                          check=True)
    front = json.loads(done.stdout)["card"]["front"].strip().splitlines()[0]
    runs = re.findall(r"[A-Za-z][A-Za-z ]*[A-Za-z]", front)
    if not runs:
        raise RuntimeError(f"no plain words to wait for in the first card: {front!r}")
    return max(runs, key=len)


def run_all(table, work: Path, build_big_collection, env: dict,
            vault_collection: Path | None = None) -> None:
    """`vault_collection`: a collection imported from the benchmark vault (run.py's), whose
    first card is measured as a user's would be (markdown in it, a vault to re-scan)."""
    env = {**env, "FLASHDECK_NOW": "2026-11-24T09:00:00+00:00"}
    print("first card on screen (tmux)", flush=True)
    hello = work / "hello.py"
    hello.write_text(HELLO)
    small = work / "tui5k.sqlite"
    build_big_collection(small, 5_000)
    front = "Question 0.0 with some words"
    hello_run = (f"{sys.executable} {hello}", "hello-world-ready")
    cases = []
    if vault_collection is not None:
        first = first_front_text(vault_collection, env)
        cases.append(("first card on screen, the vault's collection",
                      (f"{sys.executable} -m flashdeck --collection {vault_collection} review",
                       first)))
    # `review` as users run it: all decks, no --deck
    cases.append(("first card on screen, 5k plain cards",
                  (f"{sys.executable} -m flashdeck --collection {small} review", front)))
    for name, review_run in cases:
        for command, text in (hello_run, review_run):  # warm-up: .pyc files, the disk cache
            time_to_text(command, text, env)
        pairs = []
        for _ in range(9):  # interleaved pairs: a busy moment of the machine hits both alike
            pairs.append((time_to_text(*hello_run, env), time_to_text(*review_run, env)))
        table.add(name, statistics.median(f for _, f in pairs),
                  statistics.median(h for h, _ in pairs), 1.15,
                  baseline_name="hello-world Textual",
                  ratio=statistics.median(f / h for h, f in pairs))
    print("peak memory of review", flush=True)
    big = work / "tui50k.sqlite"
    build_big_collection(big, 50_000)
    rss_small = peak_rss_of_review(small, front, env)
    rss_big = peak_rss_of_review(big, front, env)
    forget_server()
    table.add("review peak RSS, 50k vs 5k cards", rss_big, rss_small, 1.15, unit="MiB",
              baseline_name="5k cards")
