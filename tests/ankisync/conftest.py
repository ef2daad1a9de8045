"""A real Anki sync server (`python -m anki.syncserver`, from the `anki` package) on
127.0.0.1 with a free port, and plain Anki collections playing the phone."""

from __future__ import annotations

import pytest

pytest.importorskip("anki")

from support.syncserver import Phone, far_day_start, sync_server  # noqa: E402

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
    far_from_today_end(monkeypatch, tmp_path)
    return tmp_path / "data"


def far_from_today_end(monkeypatch, tmp_path) -> None:
    """flashdeck's day starts twelve hours from the hour the test runs in, as the phone's
    does (`Phone`): the phone's answers are given at the real time, and with the 4 AM
    default a test run just before 04:00 saw a 10-minute learning step land tomorrow
    (`learning: 0`, not 1: CI at 03:59)."""
    config = tmp_path / "day-config.toml"
    config.write_text(f"day_start_hour = {far_day_start()}\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))


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
