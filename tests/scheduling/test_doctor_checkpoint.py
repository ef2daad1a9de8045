"""`doctor` at a million reviews (issue 23): a run that finds a card's log consistent keeps a
checkpoint of it, and the next run replays only what came after, when every logged row up to
it hashes the same; `--fix` repairs in short batches that re-check their cards. Nothing the
full replay finds may be missed."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from flashdeck.collection.store import Collection
from flashdeck.scheduling import doctor
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.doctor import CHECKPOINTS, diagnose, repair
from flashdeck.scheduling.engine import Engine
from support.notes import write_note

NOTE = """\
---
tags: [flashcards/stats]
aliases: [true positive rate, sensitivity]
summary: the share of actual positives that the model finds
---

# Recall

$$\\text{recall} = \\frac{TP}{TP + FN}$$

## Why can recall be perfect for a useless model?
Predict positive everywhere: no false negatives, so $FN = 0$ and recall is $1$.

Recall with TP = 45, FN = 15::0.75
Recall and precision trade off:::as the threshold moves
Precision of the all-positive model::the prevalence
A ==false negative== is a positive the model missed
"""

START = datetime(2026, 9, 1, 8, 30, tzinfo=timezone.utc)


@pytest.fixture
def col(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("FLASHDECK_NOW", START.isoformat())
    write_note(tmp_path / "vault", "Recall.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    answer_days(path, START, 6)
    monkeypatch.setenv("FLASHDECK_NOW", (START + timedelta(days=60)).isoformat())
    return path


def answer_days(path, first: datetime, days: int) -> datetime:
    """Every card answered once a day (a learning step or two on the first), with grades
    that differ by card and day. Returns the moment after the last answer."""
    moment = [first]
    with Collection.open(path) as opened:
        engine = Engine(opened, Config(), now=lambda: moment[0])
        ids = [r[0] for r in opened.conn.execute("SELECT id FROM cards ORDER BY id")]
        for day in range(days):
            moment[0] = first + timedelta(days=day * 3)
            for card_id in ids:
                engine.answer(card_id, (1, 3, 3, 2, 4, 3)[(card_id + day) % 6])
                moment[0] += timedelta(minutes=11)
    return moment[0]


def run(path, **kw):
    with Collection.open(path) as opened:
        return diagnose(opened, save_checkpoints=True, **kw)


def problems(result) -> list[tuple]:
    return [(p.check, p.card_id, p.message, p.fixable) for p in result.problems]


def drop_checkpoints(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {CHECKPOINTS}")


def test_the_second_run_replays_nothing_and_agrees(col, cli):
    first = run(col)
    assert first.ok and first.from_checkpoint == 0
    assert first.replayed == first.reviews > 30
    assert first.checkpoints_saved == first.cards_reviewed
    second = run(col)
    assert second.ok and second.replayed == 0 and second.checkpoints_saved == 0
    assert second.from_checkpoint == second.cards_reviewed
    assert second.logs_unread == second.cards_reviewed  # no log changed: none read again
    # the table is the doctor's own: not a schema problem, and the report reads as before
    shown = cli("--collection", col, "doctor")
    assert shown.code == 0 and "every card agrees" in shown.out
    assert shown.out.rstrip().endswith("no problems found")
    assert cli("--collection", col, "doctor", "--json").json["replay"] == {
        "from_checkpoint": second.cards_reviewed, "logs_unread": second.cards_reviewed,
        "reviews_replayed": 0, "checkpoints_saved": 0, "checkpoint_error": None}


def test_new_answers_replay_from_the_checkpoint(col):
    cards = run(col).cards_reviewed
    answer_days(col, START + timedelta(days=30), 1)
    resumed = run(col)
    assert resumed.ok and resumed.from_checkpoint == cards
    assert resumed.logs_unread == 0  # every log changed: each read and hashed again
    assert resumed.replayed == cards  # the one new answer of each card
    assert resumed.checkpoints_saved == cards
    assert run(col).replayed == 0


@pytest.mark.parametrize("tamper", [
    "UPDATE reviews SET rating = 4 WHERE id = {old}",
    "UPDATE reviews SET reviewed_at = reviewed_at + 7200 WHERE id = {old}",
    "UPDATE reviews SET state_after = json_set(state_after, '$.stability', 31.5)"
    " WHERE id = {old}",
    "UPDATE reviews SET state_before = json_set(state_before, '$.reps', 9) WHERE id = {old}",
    "DELETE FROM reviews WHERE id = {old}",
    "INSERT INTO reviews (id, card_id, reviewed_at, rating, state_before, state_after)"
    " SELECT -5, card_id, reviewed_at - 60, 3, state_before, state_before FROM reviews"
    " WHERE id = {old}",
])
def test_a_tampered_old_row_is_still_found(col, tamper):
    """An old review of a checkpointed card, changed behind flashdeck's back: the next run
    finds exactly what a run without any checkpoint finds."""
    assert run(col).ok
    with sqlite3.connect(col) as conn:
        old = conn.execute("SELECT min(id) FROM reviews WHERE card_id = 3").fetchone()[0]
        conn.execute(tamper.format(old=old))
    found = run(col)
    assert not found.ok
    assert any(p.card_id == 3 for p in found.problems)
    drop_checkpoints(col)
    assert problems(run(col)) == problems(found)


def test_a_stored_state_changed_after_the_checkpoint_is_found_and_fixed(col, cli):
    assert run(col).ok
    with sqlite3.connect(col) as conn:
        right = conn.execute("SELECT stability, due FROM cards WHERE id = 2").fetchone()
        conn.execute("UPDATE cards SET stability = stability * 3 WHERE id = 2")
    shown = cli("--collection", col, "doctor")
    assert shown.code == 1
    assert "problem: card 2: stored state disagrees with its review log" in shown.out
    fixed = cli("--collection", col, "doctor", "--fix", "--json")
    assert fixed.code == 0 and fixed.json["fixed"] == [
        "card 2: set to the state its review log replays to"]
    with sqlite3.connect(col) as conn:
        assert conn.execute("SELECT stability, due FROM cards WHERE id = 2").fetchone() == right


def test_a_checkpoint_edited_by_hand_is_not_trusted(col):
    assert run(col).ok
    with sqlite3.connect(col) as conn:
        state = json.loads(conn.execute(f"SELECT state FROM {CHECKPOINTS} WHERE card_id = 4"
                                        ).fetchone()[0])
        state["final"]["stability"] *= 2
        state["at"]["stability"] *= 2
        conn.execute(f"UPDATE {CHECKPOINTS} SET state = ? WHERE card_id = 4",
                     (json.dumps(state),))
        # and the card made to agree with the edited checkpoint
        conn.execute("UPDATE cards SET stability = ? WHERE id = 4",
                     (state["final"]["stability"],))
    found = run(col)
    assert [(p.check, p.card_id) for p in found.problems] == [("card", 4)]
    assert found.from_checkpoint == found.cards_reviewed - 1


def test_other_settings_replay_everything(col, tmp_path, monkeypatch, cli):
    assert run(col).ok
    config = tmp_path / "config.toml"
    config.write_text("desired_retention = 0.85\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    result = cli("--collection", col, "doctor", "--json")
    assert result.json["replay"]["from_checkpoint"] == 0
    # replayed in full, each review with the settings it was answered with: all agree
    assert result.code == 0 and result.json["problems"] == []
    # in another time zone, the checkpoints of this one are not used either
    monkeypatch.delenv("FLASHDECK_CONFIG")
    monkeypatch.setenv("TZ", "America/New_York")
    assert run(col).from_checkpoint == 0


def test_parallel_replay_finds_what_one_process_finds(col, monkeypatch):
    with sqlite3.connect(col) as conn:
        conn.execute("UPDATE cards SET due = due + 86400 WHERE id = 5")
        old = conn.execute("SELECT min(id) FROM reviews WHERE card_id = 2").fetchone()[0]
        conn.execute("UPDATE reviews SET rating = 1 WHERE id = ?", (old,))
    alone = run(col)
    drop_checkpoints(col)
    monkeypatch.setattr(doctor, "PARALLEL_REVIEWS", 1)
    monkeypatch.setattr(doctor, "CHUNK_REVIEWS", 7)
    monkeypatch.setattr(doctor, "_cores", lambda: 2)
    spread = run(col)
    assert problems(spread) == problems(alone) != []
    assert spread.repairs == alone.repairs
    assert spread.checkpoints_saved == alone.checkpoints_saved == spread.cards_reviewed - 1


def test_fix_works_in_batches_that_each_recheck_their_cards(col, monkeypatch):
    assert run(col).ok
    with sqlite3.connect(col) as conn:
        broken = [r[0] for r in conn.execute("SELECT id FROM cards WHERE reps > 0 ORDER BY id")]
        conn.executemany("UPDATE cards SET stability = stability + 1 WHERE id = ?",
                         [(i,) for i in broken])
    monkeypatch.setattr(doctor, "BATCH", 2)
    statements: list[str] = []
    with Collection.open(col) as opened:
        opened.conn.set_trace_callback(statements.append)
        result = repair(opened, Config())
    assert result.ok and len(result.fixed) == len(broken) >= 5
    writes = [s for s in statements if s == "BEGIN IMMEDIATE"]
    assert len(writes) == -(-len(broken) // 2)  # one short transaction per batch
    assert run(col).ok


def test_a_card_answered_while_fixing_is_diagnosed_again_not_overwritten(col, monkeypatch):
    assert run(col).ok
    with sqlite3.connect(col) as conn:
        conn.execute("UPDATE cards SET stability = stability + 1 WHERE id IN (2, 3)")
    made_backup = doctor.backup_copy

    def backup_then_answer(opened, *args):
        """Between the diagnosis (no lock) and the repairs: card 3 answered elsewhere."""
        path = made_backup(opened, *args)
        with Collection.open(col) as other:
            moment = START + timedelta(days=61)
            Engine(other, Config(), now=lambda: moment).answer(3, 3)
        return path

    monkeypatch.setattr(doctor, "backup_copy", backup_then_answer)
    with Collection.open(col) as opened:
        result = repair(opened, Config())
    assert result.fixed == ["card 2: set to the state its review log replays to"]
    # the answer started from the broken state, so card 3's log no longer chains: reported,
    # and the answer's state is kept, not replaced by the state diagnosed before it
    assert [(p.check, p.card_id, p.fixable) for p in result.problems] == [
        ("log", 3, False), ("card", 3, False)]
    with sqlite3.connect(col) as conn:
        after = json.loads(conn.execute("SELECT state_after FROM reviews WHERE card_id = 3"
                                        " ORDER BY id DESC LIMIT 1").fetchone()[0])
        stored = conn.execute("SELECT stability, version FROM cards WHERE id = 3").fetchone()
    assert stored == (after["stability"], after["version"])


def test_a_busy_collection_is_diagnosed_without_checkpoints(col, cli):
    holder = sqlite3.connect(col, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holding the lock throughout
    try:
        result = run(col)
        shown = cli("--collection", col, "doctor")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.ok and result.checkpoints_saved == 0
    assert "busy" in result.checkpoint_error
    assert shown.code == 0
    assert "(checkpoints not saved: the collection is busy" in shown.out
    assert run(col).checkpoints_saved == result.cards_reviewed


def test_a_damaged_file_is_reported_and_gets_no_checkpoints(col, cli):
    with sqlite3.connect(col) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reviews_card'"
                            ).fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(col, "r+b") as handle:  # no connection of this process has it open
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 64)
    result = cli("--collection", col, "doctor")
    assert result.code == 1, result.err
    assert "integrity:    DAMAGED" in result.out
    assert "counts and the review log were not checked" in result.out
    with sqlite3.connect(col) as conn:
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                (CHECKPOINTS,)).fetchone()


def test_checkpoints_across_optimize_recomputes(tmp_path, monkeypatch, cli):
    """`optimize --reschedule` recomputes every card's memory state after its last review:
    the checkpoint keeps the state before and after that, so cards answered since resume
    before the recompute and the others take the recomputed state, as a full replay does."""
    from support.fitting_learners import SETTINGS, T0, fast_forgetter, run_learner, vault_note

    from flashdeck.scheduling.config import load_config

    write_note(tmp_path / "vault", "words.md", vault_note(30))
    config = tmp_path / "config.toml"
    config.write_text(SETTINGS)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    run_learner(path, fast_forgetter, 60, 10)
    later = T0 + timedelta(days=61)
    monkeypatch.setenv("FLASHDECK_NOW", later.isoformat())
    assert cli("--collection", path, "optimize", "--reschedule").code == 0
    first = run(path, config=load_config())
    assert first.ok and first.checkpoints_saved == first.cards_reviewed
    answered = run_learner(path, fast_forgetter, 3, 0, start=later + timedelta(days=1),
                           config=load_config())
    assert answered > 10
    monkeypatch.setenv("FLASHDECK_NOW", (later + timedelta(days=5)).isoformat())
    resumed = run(path, config=load_config())
    assert resumed.ok and resumed.from_checkpoint == resumed.cards_reviewed
    assert resumed.replayed == answered
    with sqlite3.connect(path) as conn:  # a card state the recompute would not give
        conn.execute("UPDATE cards SET difficulty = difficulty + 0.5 WHERE id = 7")
    broken = run(path, config=load_config())
    assert [(p.check, p.card_id, p.fixable) for p in broken.problems] == [("card", 7, True)]
    drop_checkpoints(path)
    assert problems(run(path, config=load_config())) == problems(broken)


def test_a_log_changed_behind_the_triggers_back_is_read_again(col):
    """The unread path trusts the triggers that count each card's log changes; with one
    of them gone (dropped by hand), no checkpoint is taken on trust and a rewritten old
    review is found as before."""
    assert run(col).ok
    with sqlite3.connect(col) as conn:
        conn.execute("DROP TRIGGER log_changes_update")
        conn.execute("UPDATE reviews SET rating = CASE rating WHEN 1 THEN 3 ELSE 1 END"
                     " WHERE id = (SELECT min(id) FROM reviews WHERE card_id = 3)")
    found = run(col)
    assert found.logs_unread == 0
    assert any(p.card_id == 3 and p.check == "replay" for p in found.problems)
    assert any(p.check == "trigger" and "log_changes_update" in p.message
               for p in found.problems)


def test_a_rewritten_old_review_is_found_though_later_runs_skip_unchanged_logs(col):
    assert run(col).ok and run(col).logs_unread > 0
    with sqlite3.connect(col) as conn:  # any SQL writer fires the triggers
        conn.execute("UPDATE reviews SET rating = CASE rating WHEN 1 THEN 3 ELSE 1 END"
                     " WHERE id = (SELECT min(id) FROM reviews WHERE card_id = 3)")
    found = run(col)
    assert [p.card_id for p in found.problems if p.check == "replay"] == [3]
    assert found.logs_unread == found.cards_reviewed - 1


def test_fix_recreates_a_missing_trigger_and_trusts_no_stale_count(col, cli):
    assert run(col).ok
    with sqlite3.connect(col) as conn:
        conn.execute("DROP TRIGGER log_changes_update")
        conn.execute("UPDATE reviews SET duration_ms = 1 WHERE card_id = 3")  # uncounted
    fixed = cli("--collection", col, "doctor", "--fix", "--json")
    assert "recreated trigger log_changes_update" in fixed.json["fixed"]
    after = run(col)
    assert after.logs_unread == 0  # every log counts as changed: each read again
    assert cli("--collection", col, "doctor").code == 0


@pytest.mark.parametrize("change", [
    "UPDATE cards SET stability = stability + 1e-12 WHERE id = 2",  # the same, to 1e-9
    "UPDATE cards SET stability = stability * 3 WHERE id = 2",
    "UPDATE cards SET version = version - 1 WHERE id = 2",
    "UPDATE cards SET version = 'x' WHERE id = 2",
    "UPDATE cards SET due = 'soon' WHERE id = 2",
    "UPDATE cards SET step = 7, reps = reps + 1 WHERE id = 2",
    "UPDATE cards SET suspended = 1, version = version + 1 WHERE id = 2",
    "UPDATE cards SET sr_seed = '{\"due\": 1790000000, \"interval\": 3, \"ease\": 250}'"
    " WHERE id = 2",
    "UPDATE log_changes SET generation = generation + 1 WHERE card_id = 2",
    f"UPDATE {CHECKPOINTS} SET state = 'not json' WHERE card_id = 2",
    f"UPDATE {CHECKPOINTS} SET state = json_set(state, '$.final.due', 'soon') WHERE card_id = 2",
], ids=["stability within 1e-9", "stability", "version behind", "version text", "due text",
        "step and reps", "suspended", "seed", "log generation", "checkpoint not json",
        "checkpoint due text"])
def test_the_quick_look_at_unchanged_cards_concludes_as_python_does(col, monkeypatch, change):
    """A card whose log is unchanged is passed by SQLite's look at its checkpoint (no JSON
    parsed in Python) only when Python's comparison would find nothing either: after any
    change, the run finds exactly what it finds with that look turned off."""
    assert run(col).ok
    with sqlite3.connect(col) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(change)
    copy = col.with_name("copy.sqlite")
    with sqlite3.connect(col) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    quick = run(col)
    monkeypatch.setattr(doctor, "_agrees_sql", lambda tracked: "0")
    slow = run(copy)
    assert problems(quick) == problems(slow)
    assert quick.repairs == slow.repairs
    assert (quick.from_checkpoint, quick.logs_unread, quick.replayed) == \
        (slow.from_checkpoint, slow.logs_unread, slow.replayed)
    assert quick.from_checkpoint >= quick.cards_reviewed - 1  # the others: the quick look


def test_unchanged_cards_are_passed_without_python_reading_their_checkpoint(col, monkeypatch):
    assert run(col).ok

    def parsed(*args):
        raise AssertionError("a checkpoint parsed in Python")

    monkeypatch.setattr(doctor, "_trusted", parsed)
    second = run(col)
    assert second.ok and second.logs_unread == second.cards_reviewed > 0
