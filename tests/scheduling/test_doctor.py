"""`flashdeck doctor [--fix] [--json]`: integrity, schema, and the review log replayed through
FSRS against every card's stored state (issue 9)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from support.notes import write_note
from flashdeck.scheduling.doctor import diagnose, initial_state
from flashdeck.collection.store import Collection

NOW = "2026-11-24T09:00:00+00:00"

NOTE = """\
---
tags: [flashcards/ml]
aliases: [Sørensen–Dice coefficient]
summary: twice the overlap over the total size of both sets
---

# Dice score

$$D = \\frac{2|A \\cap B|}{|A| + |B|}$$

## Why is Dice never below IoU?
Because $D = \\frac{2J}{1 + J} \\ge J$ for $0 \\le J \\le 1$.

Dice of identical masks::1
Dice with TP = 30, FP = 10, FN = 20:::0.6667

Migrated card::with its old schedule <!--SR:!2026-11-20,12,230-->
"""


@pytest.fixture
def col(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    write_note(tmp_path / "vault", "Dice.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    return path


def card_id(cli, col, front: str) -> int:
    return next(c["id"] for c in cli("--collection", col, "list", "--json").json
                if c["front"] == front)


def session(cli, col, monkeypatch) -> None:
    """A few days of review: answers of every grade, an undo, suspend/unsuspend, bury."""
    days = ["2026-11-24T09:00:00+00:00", "2026-11-24T09:30:00+00:00",
            "2026-11-26T08:00:00+01:00", "2026-12-03T21:15:00-05:00",
            "2027-01-15T07:00:00+00:00"]
    ratings = ["good", "again", "hard", "easy", "good"]
    for day in days:
        monkeypatch.setenv("FLASHDECK_NOW", day)
        for card in cli("--collection", col, "list", "--json").json:
            if card["suspended"]:
                continue
            assert cli("--collection", col, "answer", card["id"],
                       ratings[card["id"] % len(ratings)]).code == 0
        assert cli("--collection", col, "undo").code == 0
    assert cli("--collection", col, "suspend", "1").code == 0
    assert cli("--collection", col, "unsuspend", "1").code == 0
    assert cli("--collection", col, "bury", "2").code == 0
    assert cli("--collection", col, "answer", "1", "good").code == 0


def test_a_healthy_collection_is_clean(cli, col, monkeypatch):
    session(cli, col, monkeypatch)
    result = cli("--collection", col, "doctor")
    assert result.code == 0, result.out
    assert "integrity:    ok" in result.out
    assert "every card agrees" in result.out
    assert result.out.rstrip().endswith("no problems found")
    report = cli("--collection", col, "doctor", "--json").json
    assert report["ok"] is True and report["problems"] == []
    assert report["schema_version"] >= 1 and report["integrity"] == ["ok"]
    # the last card of each day's list was answered and undone each time: never reviewed
    assert report["reviews"] > 20 and report["cards_reviewed"] == report["cards"] - 1


def test_a_card_seeded_from_the_plugin_replays_from_its_seed(cli, col, monkeypatch):
    migrated = card_id(cli, col, "Migrated card")
    listed = {c["id"]: c for c in cli("--collection", col, "list", "--json").json}
    assert listed[migrated]["state"] == "review"
    assert cli("--collection", col, "doctor").code == 0  # seeded, never answered: agrees
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-21T10:00:00+00:00")
    assert cli("--collection", col, "answer", migrated, "hard").code == 0
    assert cli("--collection", col, "doctor").code == 0
    # had it been replayed from a new card it would disagree: the seed is what makes it agree
    with sqlite3.connect(col) as conn:
        seed = conn.execute("SELECT sr_seed FROM cards WHERE id = ?", (migrated,)).fetchone()[0]
    assert initial_state(seed)["stability"] == 12.0
    assert initial_state(None)["state"] == "new"
    # the seed's day starts at 04:00 local time: checked from another zone, it still agrees
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-21T10:00:00+09:30")
    assert cli("--collection", col, "doctor").code == 0
    # but a seeded card whose state was changed by hand does not
    with sqlite3.connect(col) as conn:
        conn.execute("UPDATE reviews SET state_before = json_set(state_before, '$.stability',"
                     " 40.0) WHERE card_id = ?", (migrated,))
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 1
    assert "state_before is not the card's starting state: stability 40" in \
        result.json["problems"][0]["message"]


def test_a_card_that_disagrees_with_its_log_is_reported_then_fixed(cli, col, monkeypatch,
                                                                   tmp_path):
    session(cli, col, monkeypatch)
    with sqlite3.connect(col) as conn:
        right = conn.execute("SELECT stability, due FROM cards WHERE id = 3").fetchone()
        conn.execute("UPDATE cards SET stability = 99.5, due = due + 86400 WHERE id = 3")
    result = cli("--collection", col, "doctor")
    assert result.code == 1
    assert "problem: card 3: stored state disagrees with its review log" in result.out
    assert "stability 99.5, replay says" in result.out
    assert "(fixable: flashdeck doctor --fix)" in result.out
    assert "1 problem found, 1 fixable with --fix" in result.out

    fixed = cli("--collection", col, "doctor", "--fix", "--json")
    assert fixed.code == 0, fixed.out
    report = fixed.json
    assert report["ok"] is True
    assert report["fixed"] == ["card 3: set to the state its review log replays to"]
    backup = tmp_path / report["backup"].rsplit("/", 1)[-1]
    assert backup.exists() and backup.name.startswith("c.sqlite.doctor-")
    with sqlite3.connect(col) as conn:
        assert conn.execute("SELECT stability, due FROM cards WHERE id = 3").fetchone() == right
    with sqlite3.connect(backup) as conn:  # the backup is the collection as it was
        assert conn.execute("SELECT stability FROM cards WHERE id = 3").fetchone()[0] == 99.5
    assert cli("--collection", col, "doctor").code == 0


def test_a_broken_log_chain_is_reported_and_not_guessed_at(cli, col, monkeypatch):
    session(cli, col, monkeypatch)
    with sqlite3.connect(col) as conn:
        review_id, before = conn.execute(
            "SELECT id, state_before FROM reviews WHERE card_id = 4 ORDER BY id LIMIT 1 OFFSET 1"
        ).fetchone()
        state = json.loads(before)
        state["reps"] += 5
        conn.execute("UPDATE reviews SET state_before = ? WHERE id = ?",
                     (json.dumps(state), review_id))
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 1
    problems = result.json["problems"]
    assert [p["check"] for p in problems] == ["log"]
    assert problems[0]["card"] == 4 and problems[0]["fixable"] is False
    assert f"review {review_id}: state_before is not the previous review's state_after" \
        in problems[0]["message"]
    fixed = cli("--collection", col, "doctor", "--fix")
    assert fixed.code == 1 and "fixed:" not in fixed.out
    assert not list(col.parent.glob("*.doctor-*.bak"))  # nothing fixable: nothing written


def _settings(monkeypatch, tmp_path, text: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))


def test_settings_changed_over_the_weeks_leave_the_doctor_clean(cli, col, monkeypatch,
                                                               tmp_path):
    """A user answers with the defaults, then lowers the desired retention, changes the
    steps, turns fuzz off, caps the interval and the leech threshold, answers on, and later
    changes the retention again: every review replays with the settings it was answered
    with (logged with it), so `doctor` finds nothing wrong at every stage. Before, every
    review made before a change "disagreed with FSRS" (exit 1, and no --fix could clear it)."""
    session(cli, col, monkeypatch)
    _settings(monkeypatch, tmp_path,
              'desired_retention = 0.8\nlearning_steps = ["90s", "1h"]\n'
              'relearning_steps = []\nfuzz = false\nmaximum_interval = 30\nleech_lapses = 3\n')
    result = cli("--collection", col, "doctor")
    assert result.code == 0, result.out
    assert "no problems found" in result.out
    for day in ("2027-01-20T09:00:00+00:00", "2027-03-01T09:00:00+00:00"):
        monkeypatch.setenv("FLASHDECK_NOW", day)
        for card in cli("--collection", col, "list", "--json").json:
            if not card["suspended"]:
                lapsed = cli("--collection", col, "answer", card["id"], "again", "--json")
                assert lapsed.code == 0
                if not lapsed.json["leech"]:  # a leech at 3 lapses is suspended
                    assert cli("--collection", col, "answer", card["id"], "good").code == 0
    _settings(monkeypatch, tmp_path, "desired_retention = 0.85\n")
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 0, result.json["problems"]
    assert result.json["problems"] == []
    monkeypatch.delenv("FLASHDECK_CONFIG")  # back to the defaults
    assert cli("--collection", col, "doctor").code == 0
    # and what an answer logs is what a replay gives: --fix has nothing to do
    result = cli("--collection", col, "doctor", "--fix", "--json")
    assert result.code == 0 and result.json["problems"] == []


ANKI_FSRS5 = ("0.40255, 1.18385, 3.173, 15.69105, 7.1949, 0.5345, 1.4604, 0.0046, 1.54575,"
              " 0.1192, 1.01925, 1.9395, 0.11, 0.29605, 2.2698, 0.2315, 2.9898, 0.51655, 0.6621")


def test_parameters_pasted_from_anki_then_removed_leave_the_doctor_clean(cli, col,
                                                                         monkeypatch,
                                                                         tmp_path):
    """The weights Anki showed, pasted into config.toml by hand (no `optimize`), answered
    with for days, then taken out again: the answers given with them replay with them (the
    collection notes which parameters were in force when), so `doctor` stays clean."""
    session(cli, col, monkeypatch)
    _settings(monkeypatch, tmp_path, f"parameters = [{ANKI_FSRS5}]\n")

    def a_day(moment: str) -> None:
        monkeypatch.setenv("FLASHDECK_NOW", moment)
        for card in cli("--collection", col, "list", "--json").json:
            if not card["suspended"]:
                assert cli("--collection", col, "answer", card["id"], "hard").code == 0

    a_day("2027-01-20T09:00:00+00:00")
    a_day("2027-02-10T09:00:00+00:00")
    assert cli("--collection", col, "doctor").code == 0
    monkeypatch.delenv("FLASHDECK_CONFIG")  # the defaults again
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 0, result.json["problems"]
    a_day("2027-04-01T09:00:00+00:00")
    _settings(monkeypatch, tmp_path, f"parameters = [{ANKI_FSRS5}]\n")
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 0, result.json["problems"]


def test_a_review_screen_left_open_while_new_parameters_come_leaves_the_doctor_clean(
        cli, col, monkeypatch, tmp_path):
    """The review screen reads the settings once, at start; meanwhile another terminal puts
    other parameters in force (`optimize`, or weights pasted into config.toml and an
    answer). The screen's next answers are scheduled with the parameters it has: before,
    the collection's history said the new ones were in force, so `doctor` replayed those
    answers with them and reported every one as a disagreement (`--fix` would have rewritten
    the schedules shown). Now the history follows what each answer was given with."""
    from datetime import datetime

    from flashdeck.scheduling.config import load_config
    from flashdeck.scheduling.engine import Engine

    monkeypatch.delenv("FLASHDECK_CONFIG", raising=False)
    cards = [c["id"] for c in cli("--collection", col, "list", "--json").json][:4]
    moment = {"now": datetime.fromisoformat("2026-11-24T09:00:00+00:00")}
    screen = Collection.open(col)  # the review screen's connection, held all along
    try:
        engine = Engine(screen, load_config(), now=lambda: moment["now"])
        engine.answer(cards[0], 3)
        _settings(monkeypatch, tmp_path, f"parameters = [{ANKI_FSRS5}]\n")
        monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:05:00+00:00")
        assert cli("--collection", col, "answer", cards[1], "good").code == 0
        moment["now"] = datetime.fromisoformat("2026-11-24T09:10:00+00:00")
        engine.answer(cards[2], 3)  # with the defaults it started with
        engine.answer(cards[0], 4)
    finally:
        screen.close()
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:20:00+00:00")
    assert cli("--collection", col, "answer", cards[3], "hard").code == 0  # the new ones
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 0, result.json["problems"]
    assert result.json["problems"] == []


def _as_logged_by_an_older_flashdeck(col) -> None:
    """The log as flashdeck wrote it before reviews kept their settings (`set`)."""
    conn = sqlite3.connect(col)
    with conn:
        conn.execute("UPDATE reviews SET state_after = json_remove(state_after, '$.set')")
    conn.close()


def test_a_log_from_before_settings_were_logged_replays_with_the_defaults(cli, col,
                                                                          monkeypatch,
                                                                          tmp_path):
    """A collection answered with the default settings by an older flashdeck (its log keeps
    no settings), whose user has changed them since: its reviews replay as they were
    answered, with the defaults; the doctor is clean."""
    session(cli, col, monkeypatch)
    _as_logged_by_an_older_flashdeck(col)
    _settings(monkeypatch, tmp_path, 'desired_retention = 0.8\nlearning_steps = ["5m"]\n')
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 0, result.json["problems"]


def test_a_log_from_other_settings_is_named_as_such(cli, col, monkeypatch, tmp_path):
    """Reviews an older flashdeck logged (no settings kept) with settings that are neither
    the defaults nor the current ones cannot be replayed: named as such, not "fixed"."""
    _settings(monkeypatch, tmp_path, "desired_retention = 0.8\n")
    session(cli, col, monkeypatch)
    _as_logged_by_an_older_flashdeck(col)
    _settings(monkeypatch, tmp_path, "desired_retention = 0.85\n")
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 1
    problems = result.json["problems"]
    assert problems[0]["check"] == "replay"
    assert "current settings (changed desired retention or steps?)" in problems[0]["message"]
    # the stored states then disagree with the replay too, but the log cannot be trusted to
    # say which is right: reported, not "fixed"
    assert {p["check"] for p in problems} == {"replay", "card"}
    assert not any(p["fixable"] for p in result.json["problems"])


def test_a_missing_index_is_rebuilt(cli, col):
    with sqlite3.connect(col) as conn:
        conn.execute("DROP INDEX cards_queue")
    result = cli("--collection", col, "doctor")
    assert result.code == 1 and "problem: index cards_queue is missing" in result.out
    fixed = cli("--collection", col, "doctor", "--fix")
    assert fixed.code == 0
    assert "fixed: rebuilt index cards_queue" in fixed.out
    assert "backup before fixing: " in fixed.out
    with sqlite3.connect(col) as conn:
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'cards_queue'").fetchone()


def test_answered_state_without_a_log_is_reset_by_fix(cli, col):
    with sqlite3.connect(col) as conn:
        conn.execute("UPDATE cards SET state = 'review', due = 1800000000, stability = 3,"
                     " difficulty = 5, last_review = 1790000000, reps = 2 WHERE id = 1")
    assert cli("--collection", col, "doctor").code == 1
    assert cli("--collection", col, "doctor", "--fix").code == 0
    assert cli("--collection", col, "list", "--json").json[0]["state"] == "new"


def test_dangling_rows_are_reported(cli, col):
    conn = sqlite3.connect(col)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO reviews (card_id, reviewed_at, rating, state_before, state_after)"
                 " VALUES (999, 0, 3, '{}', '{}')")
    conn.commit()
    conn.close()
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 1
    messages = [p["message"] for p in result.json["problems"]]
    # the row named, and the card it points to (before: only counted)
    assert [m for m in messages if m.startswith("1 row of reviews points to a missing row of"
                                                " cards: review ") and m.endswith(" (card_id 999)")]


def test_a_damaged_file_is_reported_not_crashed_on(cli, col):
    with sqlite3.connect(col) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cards_ckey'"
                            ).fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # no connection of this process is open now: writing the bytes is safe
    with open(col, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 64)
    result = cli("--collection", col, "doctor")
    assert result.code == 1, result.err
    assert "integrity:    DAMAGED" in result.out
    assert "problem: SQLite integrity check: database disk image is malformed" in result.out
    assert "restore a backup copy" in result.out
    assert "counts and the review log were not checked" in result.out
    assert "every card agrees" not in result.out


def test_no_collection_yet(cli, tmp_path):
    result = cli("--collection", tmp_path / "none.sqlite", "doctor")
    assert result.code == 2
    assert result.err.strip() == (f"flashdeck: no collection at {tmp_path / 'none.sqlite'};"
                                  " `flashdeck import NOTES` creates one")
    assert not (tmp_path / "none.sqlite").exists()


def test_diagnose_is_a_consistent_read(tmp_path):
    """The API others call: diagnose() on an open collection, no writes."""
    with Collection.open(tmp_path / "c.sqlite") as col:
        result = diagnose(col)
        assert result.ok and result.cards == 0
        assert not col.conn.in_transaction


@pytest.mark.parametrize("damage, fixable", [
    # a bit flipped in the stored due: a time no calendar has
    ("UPDATE cards SET due = due + 99999999999999 WHERE id = ?", True),
    ("UPDATE cards SET stability = 'abc' WHERE id = ?", True),  # text where a number was
    ("UPDATE cards SET last_review = 'x' WHERE id = ?", True),
    ("UPDATE reviews SET state_after = '[1, 2]' WHERE card_id = ?", False),  # JSON, no state
], ids=["due out of range", "stability text", "last review text", "log state a list"])
def test_damaged_values_are_reported_never_a_crash(cli, col, monkeypatch, damage, fixable):
    """Damaged values on a card or in its log: the doctor is the way out, so it must name
    them. It ended in "internal error" (a time out of range, text compared as a number, a
    logged state that is not an object) and --fix could not run at all."""
    session(cli, col, monkeypatch)
    target = card_id(cli, col, "Dice of identical masks")
    with sqlite3.connect(col) as conn:
        conn.execute(damage, (target,))
    conn.close()
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 1, result.err
    problems = result.json["problems"]
    assert problems and {p["card"] for p in problems} == {target}
    assert all(p["fixable"] is fixable for p in problems)
    text = cli("--collection", col, "doctor")
    assert text.code == 1 and text.err == ""
    assert f"card {target}" in text.out
    fixed = cli("--collection", col, "doctor", "--fix")
    assert fixed.err == ""
    if fixable:
        assert fixed.code == 0, fixed.out
        assert cli("--collection", col, "doctor").code == 0
        assert cli("--collection", col, "answer", target, "good").code == 0
    else:
        assert fixed.code == 1 and "unreadable state in the log" in fixed.out


@pytest.mark.parametrize("damage", ["due = 'soon'", "stability = 5.0", "step = 1"])
def test_a_new_card_with_a_damaged_schedule_is_found_and_fixed(cli, col, monkeypatch, damage):
    """A card never answered, its row damaged (a due or a stability written over it): the
    doctor skipped every new card without a review, and said "no problems found" while
    `export anki` and `answer` named the card and sent the user to `doctor --fix`. Such a
    card is compared with its replay (new, nothing stored) like any other, and fixed."""
    session(cli, col, monkeypatch)
    new = next(c["id"] for c in cli("--collection", col, "list", "--json").json
               if c["state"] == "new")
    with sqlite3.connect(col) as conn:
        conn.execute(f"UPDATE cards SET {damage} WHERE id = ?", (new,))
    conn.close()
    result = cli("--collection", col, "doctor", "--json")
    assert result.code == 1, result.out
    assert [(p["card"], p["fixable"]) for p in result.json["problems"]] == [(new, True)]
    fixed = cli("--collection", col, "doctor", "--fix")
    assert fixed.code == 0 and f"fixed: card {new}:" in fixed.out, fixed.out
    assert cli("--collection", col, "doctor").code == 0
    shown = cli("--collection", col, "info", new, "--json")
    assert shown.code == 0 and shown.json["state"] == "new"
