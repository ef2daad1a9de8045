"""A real Anki sync server (`python -m anki.syncserver`, from the `anki` package) on
127.0.0.1 with a free port, for the sync tests and benchmarks/sync_bench.py, and a plain Anki
collection playing the phone."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

START_TRIES = 600  # 0.05 s apart: the server is up in well under a second


@dataclass
class Server:
    endpoint: str
    proc: subprocess.Popen
    user: str
    password: str

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def sync_server(base: Path, user: str, password: str):
    """A server with one account (`user`, `password`) keeping its data in `base`, its output
    in `base/server.log`; stopped on leaving. RuntimeError (with the log's end) when it
    stops or does not answer."""
    base.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "SYNC_USER1": f"{user}:{password}", "SYNC_HOST": "127.0.0.1",
           "SYNC_PORT": str(port), "SYNC_BASE": str(base), "RUST_LOG": "error"}
    with open(base / "server.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "anki.syncserver"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        running = Server(f"http://127.0.0.1:{port}/", proc, user, password)
        try:
            for _ in range(START_TRIES):
                if proc.poll() is not None:
                    raise RuntimeError("the sync server stopped: " + (
                        base / "server.log").read_text(errors="replace")[-500:])
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                raise RuntimeError("the sync server did not start")
            yield running
        finally:
            running.stop()


def synced(cli, path, server, *extra: str):
    """`flashdeck sync` of the collection at `path` with `server`, which must succeed."""
    result = cli("--collection", path, "sync", "--endpoint", server.endpoint, "--user",
                 server.user, *extra)
    assert result.code == 0, result.err
    return result


def anki_guids(path) -> dict[int, str]:
    """card id -> the Anki GUID the flashdeck collection at `path` gave it."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT card_id, guid FROM anki_cards"))
    finally:
        conn.close()


def far_day_start() -> int:
    """The hour a day starts twelve hours from the hour the test runs in (for the phone's
    Anki `rollover` and flashdeck's `day_start_hour` alike): the phone's answers are given
    at the real time, and with the 4 AM default a test run just before 04:00 saw a
    10-minute learning step land tomorrow."""
    import datetime

    return (datetime.datetime.now().hour + 12) % 24


class Phone:
    """A plain Anki collection, synced like AnkiDroid would (Anki's own calls)."""

    def __init__(self, folder: Path, server: Server):
        from anki.collection import Collection

        folder.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(folder / "collection.anki2"))
        self._rollover: int | None = None
        self.auth = self.col.sync_login(server.user, server.password, server.endpoint)

    def sync(self) -> None:
        from anki.sync_pb2 import SyncCollectionResponse

        required = SyncCollectionResponse.ChangesRequired
        out = self.col.sync_collection(self.auth, False)
        if out.required in (required.FULL_DOWNLOAD, required.FULL_SYNC, required.FULL_UPLOAD):
            upload = out.required == required.FULL_UPLOAD
            self.col.close_for_full_sync()
            self.col.full_upload_or_download(auth=self.auth, server_usn=None, upload=upload)
            self.col.reopen(after_full_sync=True)
        self.col.sync_media(self.auth)
        while self.col.media_sync_status().active:  # Anki's background media sync
            time.sleep(0.05)

    def answer(self, count: int, ease: int = 3) -> list[str]:
        """Answer `count` cards as the scheduler serves them; their notes' fronts."""
        self._day_far_from_its_end()
        fronts = []
        for name_id in self.col.decks.all_names_and_ids():
            if len(fronts) == count:
                break
            self.col.decks.select(name_id.id)
            while len(fronts) < count:
                card = self.col.sched.getCard()
                if card is None:
                    break
                self.col.sched.answerCard(card, ease)
                fronts.append(card.note().fields[0])
        assert len(fronts) == count
        return fronts

    def _day_far_from_its_end(self) -> None:
        """The phone's day starts twelve hours from the hour the test runs in. With Anki's
        default (4 AM), a test run in the twenty minutes before it saw a card's 10-minute
        learning step cross into tomorrow (queue 3, due day 1): the scheduler served it no
        more today and `answer(2)` found one card, not two (CI at 03:57). A full sync
        brings the other side's setting: it is looked at before every answer."""
        if self._rollover is None:
            self._rollover = far_day_start()  # once: a test that spans an hour keeps its day
        if self.col.get_config("rollover", None) != self._rollover:
            self.col.set_config("rollover", self._rollover)

    def revlog(self) -> int:
        return self.col.db.scalar("SELECT count() FROM revlog")

    def close(self) -> None:
        self.col.close()
