"""`doctor --fix` while someone reviews (issue 23): the fix diagnoses without the write lock
and repairs in short batches, so every concurrent answer is recorded, never "busy", and the
collection ends clean."""

from __future__ import annotations

import json

from support.reliability import (answer_loop, doctor_json, flashdeck, make_vault,
                                 parse_loop_output, query, wait)


def break_cards(collection, ids) -> None:
    import sqlite3

    conn = sqlite3.connect(collection, timeout=30)
    try:
        with conn:
            conn.executemany("UPDATE cards SET stability = stability * 2 WHERE id = ?",
                             [(i,) for i in ids])
    finally:
        conn.close()


def test_answers_during_doctor_fix_are_recorded(tmp_path):
    vault = make_vault(tmp_path / "vault", 40)
    collection = tmp_path / "c.sqlite"
    assert flashdeck(collection, "import", vault).returncode == 0
    top = query(collection, "SELECT max(id) FROM cards")[0][0]
    half = top // 2
    # a history for every card first: the fix will have logs to replay
    history = answer_loop(collection, 1, top, 1200, seed=3)
    out, err = wait(history)
    assert err == "" and "finished" in out
    answered = [r[0] for r in query(collection, "SELECT DISTINCT card_id FROM reviews"
                                                " WHERE card_id > ? ORDER BY card_id", (half,))]
    assert len(answered) > 20
    # one reviewer on the first half; the doctor fixes cards of the second half meanwhile
    reviewer = answer_loop(collection, 1, half, 600, seed=4)
    fixes = []
    for round_ in range(4):
        broken = answered[round_::4]
        break_cards(collection, broken)
        result = flashdeck(collection, "doctor", "--fix", "--json", timeout=300)
        assert result.stderr == "", result.stderr
        report = json.loads(result.stdout)
        assert result.returncode == 0, report["problems"]
        fixes.append(len(report["fixed"]))
        assert sorted(int(line.split()[1].rstrip(":")) for line in report["fixed"]) == broken
    out, err = wait(reviewer)
    assert err == "" and "finished" in out
    done, other = parse_loop_output(out)
    assert len(done) == 600 and other == ["finished"]  # none refused, none "busy"
    logged = {r[0]: r[1:] for r in query(collection, "SELECT id, card_id, rating FROM reviews")}
    for review_id, card_id, _version, rating in done:
        assert logged[review_id] == (card_id, rating)
    code, report, err = doctor_json(collection)
    assert code == 0 and err == "", report.get("problems")
    assert sum(fixes) == len(answered)
