"""The demo deck has its own collection (issue 18): `flashdeck review` shows it while the user
has no collection of their own, labelled as the demo; their first import starts their own
collection without it; a collection an older version filled with the demo lets it go."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from flashdeck.collection.store import Collection
from support.tui import NOW_ISO, SIZE, read_rows, app_for, run_async, screen_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MY_NOTE = """\
---
tags: [flashcards/garden]
---
# Tomatoes

When do tomatoes go outside?::after the last frost
How deep is a tomato planted?::deeper than in its pot
"""

DEMO_NOTE = """\
---
tags: [flashcards/demo]
---
# Demo

What is the demo for?::to show flashdeck before your own notes
"""


@pytest.fixture
def fresh_home(tmp_path, monkeypatch) -> Path:
    """A new user's machine: nothing in the data dir, no FLASHDECK_COLLECTION."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("FLASHDECK_COLLECTION", raising=False)
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return home


def data_dir(home: Path) -> Path:
    return home / ".local" / "share" / "flashdeck"


def my_vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Tomatoes.md").write_text(MY_NOTE, encoding="utf-8")
    return vault


def test_review_opens_the_demo_until_the_user_has_a_collection(fresh_home, tmp_path,
                                                                monkeypatch):
    from flashdeck.paths import review_collection

    demo = data_dir(fresh_home) / "demo.sqlite"
    assert review_collection(None) == (demo, True)
    assert review_collection(None, demo=True) == (demo, True)
    named = tmp_path / "mine.sqlite"
    assert review_collection(str(named)) == (named, False)  # named: theirs, even if new
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(named))
    assert review_collection(None) == (named, False)
    monkeypatch.delenv("FLASHDECK_COLLECTION")
    own = data_dir(fresh_home) / "collection.sqlite"
    own.parent.mkdir(parents=True)
    Collection.open(own).close()
    assert review_collection(None) == (own, False)
    assert review_collection(None, demo=True) == (demo, True)  # `--demo` any time


def test_the_first_import_starts_the_users_collection_without_the_demo(fresh_home, tmp_path,
                                                                       cli):
    demo = data_dir(fresh_home) / "demo.sqlite"
    demo.parent.mkdir(parents=True)
    from flashdeck.collection.importer import import_paths
    from flashdeck.paths import bundled_cards_dir

    with Collection.open(demo) as col:  # the demo, as `flashdeck review` made it
        import_paths(col, [str(bundled_cards_dir())], now=0)
    demo_cards = read_rows(demo, "SELECT count(*) FROM cards")[0][0]
    result = cli("import", my_vault(tmp_path))
    assert result.code == 0, result.err
    own = data_dir(fresh_home) / "collection.sqlite"
    assert read_rows(own, "SELECT front FROM cards ORDER BY front") == [
        ("How deep is a tomato planted?",), ("When do tomatoes go outside?",)]
    assert read_rows(demo, "SELECT count(*) FROM cards")[0][0] == demo_cards  # untouched
    result = cli("due")
    assert "garden" in result.out and "flashcards/math" not in result.out


def test_an_old_collection_of_only_the_demo_lets_it_go_on_the_first_import(tmp_path, cli):
    """Made by an earlier version: `review` imported the bundled deck into the user's own
    collection. Their first import of their notes forgets it (history kept) and says so."""
    from flashdeck.collection.importer import import_paths
    from flashdeck.paths import bundled_cards_dir
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    path = tmp_path / "old.sqlite"
    with Collection.open(path) as col:
        import_paths(col, [str(bundled_cards_dir())], now=0)
        engine = Engine(col, Config(fuzz=False))
        answered = engine.next_card()
        engine.answer(answered.id, 3)
    result = cli("--collection", path, "import", my_vault(tmp_path))
    assert result.code == 0, result.err
    said = " ".join(result.err.split())
    assert "this collection held only the demo deck: it is forgotten now" in said
    assert "`flashdeck review --demo` shows the demo any time" in said
    live = read_rows(path, "SELECT front FROM cards WHERE orphaned = 0 ORDER BY front")
    assert live == [("How deep is a tomato planted?",), ("When do tomatoes go outside?",)]
    assert read_rows(path, "SELECT count(*) FROM reviews WHERE card_id = %d" % answered.id) == [(1,)]
    sources = cli("--collection", path, "sources")
    assert str(bundled_cards_dir()) not in sources.out and "vault" in sources.out
    # a second import of the user's notes says nothing more about it
    again = cli("--collection", path, "import", tmp_path / "vault")
    assert "demo deck" not in again.err


def test_a_collection_with_the_demo_and_the_users_notes_is_left_alone(tmp_path, cli):
    from flashdeck.collection.importer import import_paths
    from flashdeck.paths import bundled_cards_dir

    path = tmp_path / "mixed.sqlite"
    vault = my_vault(tmp_path)
    with Collection.open(path) as col:
        import_paths(col, [str(bundled_cards_dir()), str(vault)], now=0)
    before = read_rows(path, "SELECT count(*) FROM cards WHERE orphaned = 0")[0][0]
    other = tmp_path / "other"
    other.mkdir()
    (other / "Beans.md").write_text(MY_NOTE.replace("omato", "ean"), encoding="utf-8")
    result = cli("--collection", path, "import", other)
    assert result.code == 0 and "demo deck" not in result.err
    assert read_rows(path, "SELECT count(*) FROM cards WHERE orphaned = 0")[0][0] == before + 2


@run_async
async def test_the_demo_says_importing_until_it_is_there_then_is_labelled(fresh_home, tmp_path,
                                                                         monkeypatch):
    import flashdeck.collection.importer as importer

    bundled = tmp_path / "cards"
    bundled.mkdir()
    (bundled / "Demo.md").write_text(DEMO_NOTE, encoding="utf-8")
    go = threading.Event()
    real = importer.import_paths

    def slow_import(*args, **kwargs):  # the real import, once the test has looked
        go.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "import_paths", slow_import)
    from flashdeck.paths import review_collection

    path, demo = review_collection(None)
    app = app_for(path, bundled=bundled, demo=demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for _ in range(50):  # the deck list, its counts in
            await pilot.pause()
            if app.home is not None and not app.home.workers:
                break
            await asyncio.sleep(0.01)
        text = " ".join(screen_text(app).split())
        assert "Importing the demo deck…" in text
        assert "No cards yet" not in text and "nothing more today" not in text
        assert "(demo)" in text
        go.set()
        for _ in range(400):
            await pilot.pause()
            if type(app.screen).__name__ == "ReviewScreen":
                break
            await asyncio.sleep(0.01)
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "Demo deck — `flashdeck import NOTES` starts your own collection." in text
        assert "What is the demo for?" in text
    assert path == data_dir(fresh_home) / "demo.sqlite"
    assert not (data_dir(fresh_home) / "collection.sqlite").exists()


def test_the_demos_first_day_holds_a_worked_exercise(tmp_path, cli):
    """Exercises are what no other tool has: the demo's first 20 new cards (a day's limit)
    hold one, not only its second day (a note's exercises come after its text cards, and
    the five notes of text took the first day's turns)."""
    from flashdeck.paths import bundled_cards_dir

    path = tmp_path / "demo.sqlite"
    assert cli("--collection", path, "import", bundled_cards_dir()).code == 0
    first_day = cli("--collection", path, "list", "--due", "--json").json
    kinds = [card["kind"] for card in first_day]
    assert len(kinds) == 20 and "exercise" in kinds[:10], kinds
