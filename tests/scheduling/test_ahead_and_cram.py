"""Review ahead and cram (issue 14): for when nothing is due."""

from __future__ import annotations

import sqlite3

import pytest

from support.notes import write_note
from support.tui import app_for, make_collection, run_async, screen_text, toasts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _studied_vault(cli, tmp_path, monkeypatch, cards: int = 6):
    """A collection whose cards were all learned on 1 Nov and are due days later."""
    vault = tmp_path / "vault"
    write_note(vault, "Metrics.md", "#flashcards\n\n" + "".join(
        f"Metric question {i}::metric answer {i}\n" for i in range(cards)))
    col = tmp_path / "c.db"
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-01T09:00:00+01:00")
    assert cli("--collection", col, "import", vault).code == 0
    for _ in range(cards):
        card = cli("--collection", col, "next", "--json").json["card"]
        cli("--collection", col, "answer", card["id"], "easy")
    return col


def _schedules(col) -> list[tuple]:
    with sqlite3.connect(col) as conn:
        return conn.execute("SELECT id, state, due, stability, difficulty, reps, version"
                            " FROM cards ORDER BY id").fetchall()


def test_next_ahead_offers_the_card_due_soonest_when_nothing_is_due(cli, tmp_path,
                                                                    monkeypatch) -> None:
    col = _studied_vault(cli, tmp_path, monkeypatch)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-02T09:00:00+01:00")
    assert cli("--collection", col, "next", "--json").json["card"] is None
    assert cli("--collection", col, "next", "--ahead", "1", "--json").json["card"] is None
    shown = cli("--collection", col, "next", "--ahead", "30", "--json").json
    card = shown["card"]
    assert card is not None and card["state"] == "review"
    dues = sorted(c["due"] for c in cli("--collection", col, "list", "--json").json)
    assert card["due"] == dues[0]  # the soonest
    assert shown["counts"]["review"] == 6
    # answered as an early review: it is rescheduled from today, and the log has it
    answered = cli("--collection", col, "answer", card["id"], "good", "--json").json
    assert answered["due"] > card["due"]
    assert len(cli("--collection", col, "log", "--json").json) == 7
    assert cli("--collection", col, "doctor").code == 0


@pytest.mark.parametrize("days", ["0", "-3", "x", "99999"])
def test_ahead_takes_a_number_of_days(cli, tmp_path, days) -> None:
    result = cli("--collection", tmp_path / "c.db", "next", "--ahead", days)
    assert result.code == 2 and "number of days" in result.err


@run_async
async def test_review_ahead_in_the_review_screen(tmp_path, cli, monkeypatch) -> None:
    col = _studied_vault(cli, tmp_path, monkeypatch, cards=3)
    from datetime import datetime

    later = datetime.fromisoformat("2026-11-02T09:00:00+01:00")
    app = app_for(col, now=later, ahead=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Metric question" in screen_text(app)
        await pilot.press("space", "3")
        await pilot.pause()
    with sqlite3.connect(col) as conn:
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 4


@run_async
async def test_the_summary_of_a_review_ahead_does_not_call_the_cards_ahead_due_today(
        tmp_path, cli, monkeypatch) -> None:
    """Quitting a review ahead: the summary said the cards of the next days still ahead
    were "still due today" (and the exit line "Still due today: 2 review.")."""
    col = _studied_vault(cli, tmp_path, monkeypatch, cards=3)
    from datetime import datetime

    later = datetime.fromisoformat("2026-11-02T09:00:00+01:00")
    app = app_for(col, now=later, ahead=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert "0 new · 0 learning · 0 review" in screen_text(app)
    assert "Still due" not in app.final_summary


@run_async
async def test_cram_drills_without_touching_schedules(tmp_path, cli, monkeypatch) -> None:
    col = _studied_vault(cli, tmp_path, monkeypatch, cards=3)
    before = _schedules(col)
    from datetime import datetime

    later = datetime.fromisoformat("2026-11-02T09:00:00+01:00")
    app = app_for(col, now=later, cram=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Metric question" in text
        await pilot.press("space")
        await pilot.pause()
        assert "Again soon" in screen_text(app) and "Good done" in screen_text(app)
        await pilot.press("1")  # again: it comes back in this session
        await pilot.pause()
        await pilot.press("space", "3")
        await pilot.pause()
        await pilot.press("u")  # undo takes back the last cram answer only
        await pilot.pause()
        assert "Undid Good." in screen_text(app)
        for keys in (("space", "4"), ("space", "3"), ("space", "3")):
            await pilot.press(*keys)
            await pilot.pause()
    assert _schedules(col) == before  # nothing rescheduled
    with sqlite3.connect(col) as conn:
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 3  # learning only
        cram = conn.execute("SELECT card_id, rating FROM cram_log ORDER BY id").fetchall()
    assert [rating for _card, rating in cram] == [1, 4, 3, 3]
    assert cram[0][0] == cram[-1][0]  # the card answered Again came back last
    assert sorted({card for card, rating in cram if rating > 1}) == [1, 2, 3]


@run_async
async def test_the_summary_of_a_cram_session_says_what_is_really_due(tmp_path, cli,
                                                                     monkeypatch) -> None:
    """Cramming cards that are not due, then quitting: the summary said "Still due today
    0 new · 0 learning · 2 review" (the cram's cards not yet passed), and the line printed
    on exit "Still due today: 2 review." Nothing is due: the schedules say so."""
    col = _studied_vault(cli, tmp_path, monkeypatch, cards=3)
    from datetime import datetime

    later = datetime.fromisoformat("2026-11-02T09:00:00+01:00")
    assert cli("--collection", col, "due", "--json").json["total"] == {
        "new": 0, "learning": 0, "review": 0}
    app = app_for(col, now=later, cram=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        text = screen_text(app)
        assert "Cards reviewed" in text
        assert "0 new · 0 learning · 0 review" in text
    assert "Still due" not in app.final_summary
    assert app.final_summary.startswith("Reviewed 1 card")


@run_async
async def test_a_finished_cram_of_a_deck_does_not_claim_nothing_is_due(tmp_path, cli,
                                                                       monkeypatch) -> None:
    """A cram ends when every card passed, not when nothing is due: the end of a cram of a
    deck whose new cards wait said "Nothing more due in deck ...", above their count."""
    vault = tmp_path / "vault"
    write_note(vault, "Optics.md", "#flashcards/physics\n\nLens::focuses light\n")
    write_note(vault, "Sets.md", "#flashcards/maths\n\nEmpty set::no elements\n")
    col = tmp_path / "c.db"
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-01T09:00:00+01:00")
    assert cli("--collection", col, "import", vault).code == 0
    from datetime import datetime

    app = app_for(col, deck="flashcards/physics", cram=True,
                  now=datetime.fromisoformat("2026-11-01T09:00:00+01:00"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Lens" in screen_text(app)
        await pilot.press("space", "3")
        await pilot.pause()
        text = screen_text(app)
        assert "Cram done" in text and "flashcards/physics" in text
        assert "Nothing more due" not in text
        assert "1 new · 0 learning · 0 review" in text  # the deck's new card is still new
        assert "1 new due" in text  # and the other deck's


def test_cram_keeps_siblings_apart_so_no_card_gives_the_next_away(tmp_path, cli,
                                                                   monkeypatch) -> None:
    """A reversed pair's two sides, or the clozes of one paragraph, came back to back in a
    cram (new cards in their order): the card just answered showed the next one's answer."""
    from datetime import datetime, timezone

    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.cram import Cram

    vault = tmp_path / "vault"
    write_note(vault, "Chemistry.md",
               "#flashcards\n\nSodium:::Na\n\nThe ==anode== is where ==oxidation== happens."
               "\n\nNoble gas example::argon\n\npH of pure water::7\n\n"
               "Avogadro constant::6.022e23\n\nPotassium:::K\n")
    col_path = tmp_path / "c.db"
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-01T09:00:00+01:00")
    assert cli("--collection", col_path, "import", vault).code == 0
    now = datetime(2026, 11, 1, 8, tzinfo=timezone.utc)
    with Collection.open(col_path) as col:
        cram = Cram(col, Config(), now=lambda: now)
        seen = []
        while (card := cram.next_card()) is not None and len(seen) < 20:
            seen.append(card)
            cram.answer(card.id, 3)
    assert len(seen) == 9  # every card once
    blocks = [(c.note_id, c.block) for c in seen]
    for i, (a, b) in enumerate(zip(blocks, blocks[1:])):
        # back to back only when nothing else was left
        assert a != b or i + 2 == len(seen), [c.front for c in seen]
    assert [c.front for c in seen][:3] == [
        "Sodium", "The [...] is where oxidation happens.", "Noble gas example"]


@run_async
async def test_a_card_buried_in_a_cram_leaves_it(tmp_path, cli, monkeypatch) -> None:
    """`b` in a cram said "Buried until tomorrow." and showed the same card again: the cram
    took every unsuspended card, buried ones too. (`b` now puts the card aside for the
    cram only, its schedule untouched.)"""
    col = _studied_vault(cli, tmp_path, monkeypatch, cards=3)
    from datetime import datetime

    later = datetime.fromisoformat("2026-11-02T09:00:00+01:00")
    app = app_for(col, now=later, cram=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        import re

        buried = re.search(r"Metric question \d", screen_text(app)).group(0)
        await pilot.press("b")
        await pilot.pause()
        text = screen_text(app)
        said = toasts(app)
        assert "Put aside for this cram" in said, said
        assert buried not in text and re.search(r"Metric question \d", text)
        assert "2 review" in text  # the cram's cards left: the buried one is not
        for _ in range(2):
            await pilot.press("space", "3")
            await pilot.pause()
        assert "Cram done" in screen_text(app)  # it did not come back
    with sqlite3.connect(col) as conn:
        crammed = [card for card, in conn.execute("SELECT card_id FROM cram_log")]
        fronts = dict(conn.execute("SELECT id, front FROM cards"))
    assert len(crammed) == 2 and buried not in {fronts[card] for card in crammed}
    with sqlite3.connect(col) as conn:  # the cram buried nothing for real
        assert conn.execute("SELECT count(*) FROM cards WHERE buried_until IS NOT NULL"
                            ).fetchone() == (0,)


def test_cram_counts_and_order(tmp_path, monkeypatch) -> None:
    from datetime import datetime, timezone

    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.cram import Cram

    path = make_collection(tmp_path / "c.sqlite")
    now = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
    with Collection.open(path) as col:
        cram = Cram(col, Config(), now=lambda: now)
        total = cram.counts().total
        assert total == col.conn.execute(
            "SELECT count(*) FROM cards WHERE orphaned = 0 AND suspended = 0").fetchone()[0]
        seen = []
        for _ in range(total + 2):
            card = cram.next_card()
            if card is None:
                break
            seen.append(card.id)
            cram.answer(card.id, 1 if len(seen) == 1 else 3)
        assert seen.count(seen[0]) == 2  # again: back once more
        assert len(set(seen)) == total and cram.next_card() is None
        assert cram.counts().total == 0
        other = Cram(col, Config(), now=lambda: now)  # a new sitting starts over
        assert other.counts().total == total


@run_async
async def test_u_at_the_start_of_a_session_leaves_earlier_answers_alone(tmp_path, cli,
                                                                        monkeypatch) -> None:
    col = _studied_vault(cli, tmp_path, monkeypatch, cards=3)  # answered from the CLI
    from datetime import datetime

    app = app_for(col, now=datetime.fromisoformat("2026-11-30T09:00:00+01:00"))  # all due
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        for _ in range(3):  # a key held too long
            await pilot.press("u")
            await pilot.pause()
        assert "Nothing to undo in this session" in screen_text(app)
    with sqlite3.connect(col) as conn:
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 3
