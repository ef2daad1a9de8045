"""A real Anki sync server (`python -m anki.syncserver`, from the `anki` package) on
127.0.0.1 with a free port, and plain Anki collections playing the phone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("anki")

from support.syncserver import Server, sync_server  # noqa: E402

USER, PASSWORD = "learner", "correct horse"


@pytest.fixture
def server(tmp_path_factory):
    """A fresh sync server for one test (its own empty account), stopped afterwards."""
    try:
        with sync_server(tmp_path_factory.mktemp("syncserver"), USER, PASSWORD) as running:
            yield running
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def sync_env(tmp_path, monkeypatch):
    """The user data dir (mirror, login key) in the test's tmp dir; the password set."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("FLASHDECK_SYNC_PASSWORD", PASSWORD)
    return tmp_path / "data"


class Phone:
    """A plain Anki collection, synced like AnkiDroid would (Anki's own calls)."""

    def __init__(self, folder: Path, server: Server):
        from anki.collection import Collection

        folder.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(folder / "collection.anki2"))
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

    def revlog(self) -> int:
        return self.col.db.scalar("SELECT count() FROM revlog")

    def close(self) -> None:
        self.col.close()


@pytest.fixture
def phone_at(tmp_path, server):
    phones = []

    def make(name: str = "phone") -> Phone:
        phone = Phone(tmp_path / name, server)
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        phone.close()
