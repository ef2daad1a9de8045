"""The Obsidian Spaced Repetition plugin's `<!--SR:…-->` schedules seed migrated cards
exactly, in both of its forms, and a group out of range costs that card only (issue 13,
"What to build" 5).

SM-2 form `!2023-09-03,4,270`; FSRS form (plugin 1.14.2+) `!fsrs,<due ISO>,<interval>,
<stability>,<difficulty>,<state 0-3>,<reps>,<lapses>,<learning step>,<last review ISO or ->`,
one group per sibling, `!2000-01-01,1,250` for a sibling not yet reviewed.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.notes import write_note
from flashdeck.scheduling.doctor import initial_state
from flashdeck.notes._schedule import parse_schedule_comment
from flashdeck.notes.model import SRSeed
from flashdeck.notes.parser import parse_note
from flashdeck.collection.seed import seed_from_json, seed_json, state_from_sr

UTC = timezone.utc
NOW = "2026-11-24T09:30:00+00:00"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def fsrs(due: datetime, interval, stability, difficulty, state, reps, lapses, step,
         last: datetime | None) -> SRSeed:
    ease = math.floor(130 + (10 - difficulty) / 9 * 240 + 0.5)
    return SRSeed(due, interval, ease, stability, difficulty, state, reps, lapses, step, last)


# --------------------------------------------------------------------- the parse table
GOOD = [
    ("SM-2", "<!--SR:!2023-09-03,4,270-->", [SRSeed(date(2023, 9, 3), 4, 270)]),
    ("SM-2 siblings, placeholder second",
     "<!--SR:!2023-09-03,4,270!2000-01-01,1,250!2023-10-01,10,250-->",
     [SRSeed(date(2023, 9, 3), 4, 270), None, SRSeed(date(2023, 10, 1), 10, 250)]),
    ("SM-2 interval in tenths, read as the plugin's parseInt does",
     "<!--SR:!2024-02-29,10.8,290-->", [SRSeed(date(2024, 2, 29), 10, 290)]),
    ("SM-2 without the comment markers", "!2023-09-03,4,270", [SRSeed(date(2023, 9, 3), 4, 270)]),
    ("FSRS review",
     "<!--SR:!fsrs,2026-11-30T08:15:00.000Z,12,14.2301,4.87,2,5,1,0,2026-11-18T08:15:00.000Z-->",
     [fsrs(utc(2026, 11, 30, 8, 15), 12, 14.2301, 4.87, 2, 5, 1, 0, utc(2026, 11, 18, 8, 15))]),
    ("FSRS learning (the plugin's own test value)",
     "<!--SR:!fsrs,2023-09-06T00:10:00.000Z,0,0.4,5.5,1,1,0,1,2023-09-06T00:00:00.000Z-->",
     [fsrs(utc(2023, 9, 6, 0, 10), 0, 0.4, 5.5, 1, 1, 0, 1, utc(2023, 9, 6))]),
    ("FSRS relearning, no last review",
     "<!--SR:!fsrs,2026-11-20T08:00:00.000Z,0,1.2,7.1,3,9,2,0,--->",
     [fsrs(utc(2026, 11, 20, 8), 0, 1.2, 7.1, 3, 9, 2, 0, None)]),
    ("FSRS state New starts new, no warning",
     "<!--SR:!fsrs,2026-11-20T08:00:00.000Z,0,0,0,0,0,0,0,--->", [None]),
    ("mixed forms, placeholder first (as the plugin writes them in FSRS mode)",
     "<!--SR:!2000-01-01,1,250!fsrs,2023-09-06T00:10:00.000Z,0,0.4,5.5,1,1,0,1,"
     "2023-09-06T00:00:00.000Z!2023-09-02,4,270-->",
     [None, fsrs(utc(2023, 9, 6, 0, 10), 0, 0.4, 5.5, 1, 1, 0, 1, utc(2023, 9, 6)),
      SRSeed(date(2023, 9, 2), 4, 270)]),
    ("bounds are inclusive",
     "<!--SR:!fsrs,2200-12-31T23:59:59Z,36500,36500,10,2,100000,100000,0,1970-01-01T00:00:00Z"
     "!1970-01-01,36500,5000!fsrs,1970-01-02T00:00:00+00:00,0,0.001,1,1,0,0,100,--->",
     [fsrs(utc(2200, 12, 31, 23, 59, 59), 36500, 36500.0, 10.0, 2, 100000, 100000, 0,
           utc(1970, 1, 1)),
      SRSeed(date(1970, 1, 1), 36500, 5000),
      fsrs(utc(1970, 1, 2), 0, 0.001, 1.0, 1, 0, 0, 100, None)]),
    ("an offset other than Z", "<!--SR:!fsrs,2026-11-30T09:15:00+01:00,3,3,5,2,2,0,0,--->",
     [fsrs(datetime(2026, 11, 30, 9, 15, tzinfo=timezone(timedelta(hours=1))),
           3, 3.0, 5.0, 2, 2, 0, 0, None)]),
    ("empty", "<!--SR:-->", []),
    ("the first releases' form, without the `!`", "<!--SR:2021-08-11,4,270-->",
     [SRSeed(date(2021, 8, 11), 4, 270)]),
    ("the first releases' date (JavaScript's toDateString)", "<!--SR:Tue May 04 2021,3,250-->",
     [SRSeed(date(2021, 5, 4), 3, 250)]),
    ("May 2021's DD-MM-YYYY date", "<!--SR:08-05-2021,12,230-->",
     [SRSeed(date(2021, 5, 8), 12, 230)]),
]


@pytest.mark.parametrize(("comment", "expected"), [pytest.param(c, e, id=i) for i, c, e in GOOD])
def test_groups_that_seed(comment: str, expected: list) -> None:
    seeds, warnings = parse_schedule_comment(comment)
    assert warnings == []
    assert seeds == expected
    for seed in seeds:
        if seed is not None:
            assert seed.is_fsrs == (seed.stability is not None)


F = "!fsrs,2026-11-30T08:15:00.000Z,12,14.2,4.8,2,5,1,0,2026-11-18T08:15:00.000Z"
BAD = [
    ("SM-2 interval huge", "!2023-09-03,800000,250", "interval 800000 days is out of range"),
    ("SM-2 date before 1970", "!0001-01-01,1,250", "due date 0001-01-01 is out of range"),
    ("SM-2 date after 2200", "!2201-01-01,1,250", "out of range"),
    ("SM-2 no such day", "!2023-02-30,4,270", "'2023-02-30' is not a date"),
    ("SM-2 negative interval", "!2023-09-03,-4,270", "interval -4 days is out of range"),
    ("SM-2 ease absurd", "!2023-09-03,4,99999", "ease 99999 is out of range"),
    ("SM-2 ease zero", "!2023-09-03,4,0", "ease 0 is out of range"),
    ("SM-2 too few fields", "!2023-09-03,4", "expected due date, interval and ease"),
    ("SM-2 words", "!tomorrow,soon,easy", "is not a date"),
    ("SM-2 old date, no such day", "!31-02-2021,3,250", "'31-02-2021' is not a date"),
    ("SM-2 old date, no such month", "!Tue Mai 04 2021,3,250", "is not a date (YYYY-MM-DD)"),
    ("SM-2 huge digits", "!2023-09-03," + "9" * 5000 + ",250", "is not a number"),
    ("FSRS too few fields", "!fsrs,2026-11-30T08:15:00.000Z,12,14.2", "9 fields"),
    ("FSRS due unparsable", F.replace("2026-11-30T08:15:00.000Z", "next tuesday"),
     "due 'next tuesday' is not an ISO 8601 time"),
    ("FSRS due year 1", F.replace("2026-11-30T08:15:00.000Z", "0001-01-01T00:00:00Z"),
     "out of range"),
    ("FSRS due extended year", F.replace("2026-11-30T08:15:00.000Z", "+275760-09-13T00:00:00Z"),
     "not an ISO 8601 time"),
    ("FSRS interval huge", F.replace(",12,", ",99999999,"), "interval 99999999 days"),
    ("FSRS stability NaN", F.replace("14.2", "NaN"), "stability 'NaN' is not a number"),
    ("FSRS stability Infinity", F.replace("14.2", "Infinity"), "is not a number"),
    ("FSRS stability overflows", F.replace("14.2", "1e400"), "stability 1e400 is out of range"),
    ("FSRS stability zero", F.replace("14.2", "0"), "stability 0 is out of range"),
    ("FSRS stability negative", F.replace("14.2", "-3"), "out of range"),
    ("FSRS difficulty above 10", F.replace("4.8", "10.5"), "difficulty 10.5 is out of range"),
    ("FSRS difficulty below 1", F.replace("4.8", "0.2"), "difficulty 0.2 is out of range"),
    ("FSRS state 4", F.replace(",2,5,", ",4,5,"), "state 4 is out of range"),
    ("FSRS state not a number", F.replace(",2,5,", ",review,5,"), "state 'review'"),
    ("FSRS reps negative", F.replace(",5,1,", ",-5,1,"), "reps -5 is out of range"),
    ("FSRS lapses huge", F.replace(",5,1,", ",5,10000000,"), "lapses 10000000 is out of range"),
    ("FSRS learning step huge", F.replace(",1,0,2026", ",1,5000,2026"), "learning step 5000"),
    ("FSRS last review after due",
     F.replace("2026-11-18T08:15:00.000Z", "2026-12-18T08:15:00.000Z"), "is after the due time"),
    ("FSRS last review unparsable", F.replace("2026-11-18T08:15:00.000Z", "yesterday"),
     "last review 'yesterday' is not an ISO 8601 time"),
]


@pytest.mark.parametrize(("group", "reason"), [pytest.param(g, r, id=i) for i, g, r in BAD])
def test_a_group_out_of_range_is_a_warning_and_costs_only_its_card(group: str,
                                                                    reason: str) -> None:
    good = "!2023-09-03,4,270"
    seeds, warnings = parse_schedule_comment(f"<!--SR:{good}{group}{good}-->")
    assert seeds == [SRSeed(date(2023, 9, 3), 4, 270), None, SRSeed(date(2023, 9, 3), 4, 270)]
    assert len(warnings) == 1
    assert reason in warnings[0]
    assert "(card 2 of its comment)" in warnings[0] and "starts new" in warnings[0]
    assert len(warnings[0]) < 400  # a megabyte group is not quoted whole


def test_a_comment_of_many_bad_groups_warns_a_bounded_number_of_times() -> None:
    seeds, warnings = parse_schedule_comment("<!--SR:" + "!x,y,z" * 5000 + "-->")
    assert len(seeds) == 1000 and set(seeds) == {None}
    assert len(warnings) <= 7
    assert any("more than 1000 groups" in w for w in warnings)
    assert any("more unusable groups" in w for w in warnings)


# ----------------------------------------------------------------- in a note, per sibling
NOTE = """\
---
tags: [flashcards/ml/losses]
---
# Cross-entropy loss

Cross-entropy of a one-hot target::$-\\log p_y$ <!--SR:!fsrs,2026-11-30T08:15:00.000Z,12,14.2301,4.87,2,5,1,0,2026-11-18T08:15:00.000Z-->

Binary cross-entropy:::$-[y \\log p + (1 - y) \\log (1 - p)]$
<!--SR:!fsrs,2026-11-24T08:00:00.000Z,3,3.1,6.2,2,2,0,0,2026-11-21T08:00:00.000Z!fsrs,2026-11-24T10:10:00.000Z,0,0.4,5.5,1,1,0,1,2026-11-24T10:00:00.000Z-->

Minimising cross-entropy is ==maximum likelihood==, and with ==softmax== outputs its gradient is ==p - y==.
<!--SR:!2000-01-01,1,250!fsrs,2026-11-25T08:00:00.000Z,0,1.2,7.1,3,9,2,0,2026-11-24T07:50:00.000Z!2026-12-01,8,230-->

Label smoothing::mixes the one-hot target with a uniform one <!--SR:!2023-09-03,800000,250-->

Focal loss down-weights::easy examples <!--SR:!2026-12-02,6,250-->
"""


def test_each_sibling_takes_its_own_group_and_a_bad_one_warns_on_its_line() -> None:
    note = parse_note(NOTE, "Cross-entropy loss.md")
    basic = next(c for c in note.cards if c.front == "Cross-entropy of a one-hot target")
    assert basic.sr == fsrs(
        utc(2026, 11, 30, 8, 15), 12, 14.2301, 4.87, 2, 5, 1, 0, utc(2026, 11, 18, 8, 15))
    reversed_ = sorted((c for c in note.cards if c.kind == "reversed"), key=lambda c: c.ordinal)
    assert [c.sr.state for c in reversed_] == [2, 1]
    assert reversed_[1].sr.step == 1 and reversed_[1].sr.stability == 0.4
    clozes = sorted((c for c in note.cards if c.kind == "cloze"), key=lambda c: c.ordinal)
    assert clozes[0].sr is None  # the placeholder: not yet reviewed
    assert clozes[1].sr.state == 3 and clozes[1].sr.lapses == 2
    assert clozes[2].sr == SRSeed(date(2026, 12, 1), 8, 230)
    smoothing = next(c for c in note.cards if c.front == "Label smoothing")
    focal = next(c for c in note.cards if c.front == "Focal loss down-weights")
    assert smoothing.sr is None
    assert focal.sr == SRSeed(date(2026, 12, 2), 6, 250)
    assert all("SR:" not in c.front + c.back for c in note.cards)
    [problem] = note.problems
    line = next(i for i, text in enumerate(NOTE.splitlines(), 1) if "800000" in text)
    assert (problem.line, problem.severity) == (line, "warning") == (14, "warning")
    assert "interval 800000 days is out of range" in problem.message


# -------------------------------------------------------------------------- seeding
def test_a_seed_gives_exactly_the_plugin_card(monkeypatch) -> None:
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    review = fsrs(utc(2026, 11, 30, 8, 15), 12, 14.2301, 4.87, 2, 5, 1, 0,
                  utc(2026, 11, 18, 8, 15))
    assert state_from_sr(review) == {
        "state": "review", "due": int(utc(2026, 11, 30, 8, 15).timestamp()), "step": None,
        "stability": 14.2301, "difficulty": 4.87,
        "last_review": int(utc(2026, 11, 18, 8, 15).timestamp()), "reps": 5, "lapses": 1}
    learning = fsrs(utc(2023, 9, 6, 0, 10), 0, 0.4, 5.5, 1, 1, 0, 1, None)
    columns = state_from_sr(learning)
    assert (columns["state"], columns["step"]) == ("learning", 1)
    assert columns["last_review"] == columns["due"]  # no last review: due less 0 days
    no_last = fsrs(utc(2026, 12, 1), 8, 8.5, 3.3, 2, 3, 0, 0, None)
    assert state_from_sr(no_last)["last_review"] == int(utc(2026, 11, 23).timestamp())
    # SM-2: the mapping of earlier versions, unchanged
    assert state_from_sr(SRSeed(date(2026, 11, 20), 12, 230)) == {
        "state": "review", "due": int(utc(2026, 11, 20, 4).timestamp()), "step": None,
        "stability": 12.0, "difficulty": 5.0 + 20 / 24,
        "last_review": int(utc(2026, 11, 8, 4).timestamp()), "reps": 1}


@pytest.mark.parametrize("seed", [
    SRSeed(date(1, 1, 1), 1, 250),
    SRSeed(date(2023, 9, 3), 800000, 250),
    SRSeed(date(2023, 9, 3), 10**30, 10**30),
    SRSeed(datetime(1, 1, 1, tzinfo=UTC), 10**9, 0, 1.0, 5.0, 2, 0, 0, None),
    SRSeed(datetime(2026, 1, 1, tzinfo=UTC), 1, 0, float("nan"), 5.0, 2, 0, 0, None),
    SRSeed(datetime(2026, 1, 1, tzinfo=UTC), 1, 0, 1.0, float("inf"), 2, 0, 0, None),
    SRSeed(datetime(2026, 1, 1, tzinfo=UTC), 1, 0, 1.0, 5.0, 7, 0, 0, None),
    SRSeed(datetime(2026, 1, 1, tzinfo=UTC), 1, 0, 1.0, 5.0, 2, -1, 0, None),
    SRSeed(date(2026, 1, 1), 1, 0, 1.0, 5.0, 2, 0, 0, None),  # FSRS fields on a bare date
])
def test_seeding_never_raises_it_gives_up(seed: SRSeed) -> None:
    assert state_from_sr(seed) is None


def test_the_stored_seed_reads_back_in_both_forms_and_old_collections_still_work(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    for seed in (SRSeed(date(2026, 11, 20), 12, 230),
                 fsrs(utc(2026, 11, 30, 8, 15), 12, 14.2301, 4.87, 2, 5, 1, 0,
                      utc(2026, 11, 18, 8, 15)),
                 fsrs(datetime(2026, 11, 30, 8, 15), 0, 0.5, 9.0, 3, 7, 3, 0, None)):
        assert seed_from_json(seed_json(seed)) == seed
        assert initial_state(seed_json(seed)) == {**initial_state(None), **state_from_sr(seed)}
    # what every earlier version stored
    old = '{"due": "2026-11-20", "interval": 12, "ease": 230}'
    assert seed_json(SRSeed(date(2026, 11, 20), 12, 230)) == old
    assert initial_state(old)["stability"] == 12.0
    with pytest.raises(ValueError):
        initial_state('{"form": "fsrs", "due": "2026-11-30T08:15:00+00:00", "interval": 1,'
                      ' "stability": 1, "difficulty": 5, "state": 9, "reps": 0, "lapses": 0,'
                      ' "step": 0, "last_review": null}')


# ----------------------------------------------------------------- never raises (hypothesis)
_fragments = st.sampled_from([
    "!", ",", "fsrs", "-", "--", ">", "<!--SR:", "-->", "2000-01-01", "2023-09-03",
    "0001-01-01", "9999-12-31", "2026-11-30T08:15:00.000Z", "+275760-09-13T00:00:00Z",
    "T", "Z", ":", ".", "e", "E", "+", "NaN", "Infinity", "1e400", "0", "1", "2", "3", "4",
    "-1", "36500", "36501", "800000", "9" * 40, " ", "\n", "\x00", "٣", "½", "\u202e",
])
_texts = st.one_of(st.text(max_size=200), st.lists(_fragments, max_size=40).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_the_comment_parser_never_raises_and_its_seeds_always_seed(text: str) -> None:
    seeds, warnings = parse_schedule_comment(text)
    assert all(isinstance(w, str) for w in warnings)
    for seed in seeds:
        if seed is None:
            continue
        columns = state_from_sr(seed)  # whatever the parser accepts can be seeded
        assert columns is not None and columns["state"] in ("learning", "review", "relearning")
        assert seed_from_json(seed_json(seed)) == seed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_a_note_with_any_schedule_comment_parses(text: str) -> None:
    note = parse_note(f"#flashcards\n\nQ:::A <!--SR:{text}-->\n", "n.md")
    assert not [p for p in note.problems if p.severity == "error"]


# ------------------------------------------------------------------ through the CLI
SOFTMAX = """\
---
tags: [flashcards/ml/activations]
aliases: [normalized exponential]
---
# Softmax

Softmax of logits $z$::$\\sigma(z)_i = e^{z_i} / \\sum_j e^{z_j}$ <!--SR:!fsrs,2026-11-24T08:15:00.000Z,12,14.2301,4.87,2,5,1,0,2026-11-12T08:15:00.000Z-->

Temperature $T \\to 0$:::softmax tends to argmax
<!--SR:!fsrs,2026-11-27T10:00:00.000Z,3,3.1,6.2,2,2,0,0,2026-11-24T08:00:00.000Z!fsrs,2026-11-24T10:10:00.000Z,0,0.4,5.5,1,1,0,1,2026-11-24T09:00:00.000Z-->

Softmax is invariant to ==adding a constant== to every logit, which is why we subtract the ==max logit== for numerical stability.
<!--SR:!2000-01-01,1,250!fsrs,2026-11-26T08:00:00.000Z,0,1.2,7.1,3,9,2,0,2026-11-24T07:50:00.000Z-->
"""

DROPOUT = "#flashcards/ml\n\nDropout rate $p$::fraction of units zeroed in training\n"


def _cards(cli, col) -> dict[str, dict]:
    return {c["front"]: c for c in cli("--collection", col, "list", "--json").json}


def test_plugin_fsrs_schedules_import_as_the_plugin_left_them(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    vault = tmp_path / "vault"
    write_note(vault, "Softmax.md", SOFTMAX)
    write_note(vault, "Dropout.md", DROPOUT)
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 0, result.err
    assert "warning" not in result.err
    cards = _cards(cli, col)
    basic = cards["Softmax of logits $z$"]
    assert (basic["state"], basic["due"]) == ("review", "2026-11-24T08:15:00+00:00")
    forward = cards["Temperature $T \\to 0$"]
    backward = cards["softmax tends to argmax"]
    assert (forward["state"], forward["due"]) == ("review", "2026-11-27T10:00:00+00:00")
    assert (backward["state"], backward["due"]) == ("learning", "2026-11-24T10:10:00+00:00")
    clozes = [c for c in cards.values() if c["kind"] == "cloze"]
    asked_constant = next(c for c in clozes if "invariant to [...] to every" in c["front"])
    assert (asked_constant["state"], asked_constant["due"]) == ("new", None)  # placeholder
    asked_max = next(c for c in clozes if "subtract the [...] for numerical" in c["front"])
    assert (asked_max["state"], asked_max["due"]) == ("relearning", "2026-11-26T08:00:00+00:00")
    assert cards["Dropout rate $p$"]["state"] == "new"

    with sqlite3.connect(col) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM cards WHERE id = ?", (basic["id"],)).fetchone()
        learning = conn.execute("SELECT * FROM cards WHERE id = ?",
                                (backward["id"],)).fetchone()
        relearning = conn.execute("SELECT * FROM cards WHERE id = ?",
                                  (asked_max["id"],)).fetchone()
    assert (row["stability"], row["difficulty"], row["reps"], row["lapses"], row["step"]) == (
        14.2301, 4.87, 5, 1, None)
    assert row["last_review"] == int(utc(2026, 11, 12, 8, 15).timestamp())
    assert row["due"] == int(utc(2026, 11, 24, 8, 15).timestamp())
    assert (learning["state"], learning["step"], learning["stability"], learning["reps"]) == (
        "learning", 1, 0.4, 1)
    assert (relearning["step"], relearning["lapses"], relearning["difficulty"]) == (0, 2, 7.1)

    # the review card due this morning is what the scheduler shows now, with its previews
    shown = cli("--collection", col, "next", "--json").json
    assert shown["card"]["id"] == basic["id"] and shown["card"]["state"] == "review"
    assert set(shown["previews"]) == {"again", "hard", "good", "easy"}
    assert all(p["due"] and p["interval"] for p in shown["previews"].values())
    assert cli("--collection", col, "answer", basic["id"], "good").code == 0
    assert cli("--collection", col, "doctor").code == 0  # replayed from its seed: agrees


def test_one_absurd_schedule_costs_one_card_not_the_vault(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    vault = tmp_path / "vault"
    write_note(vault, "Softmax.md", SOFTMAX)
    write_note(vault, "Dropout.md", DROPOUT)
    write_note(vault, "metrics/Precision.md", (
        "---\ntags: [flashcards/ml/metrics]\n---\n# Precision\n\n"
        "Precision::$\\frac{TP}{TP + FP}$ <!--SR:!2023-09-03,800000,250-->\n"
        "Recall::$\\frac{TP}{TP + FN}$ <!--SR:!2026-11-30,6,250-->\n"
        "Specificity::$\\frac{TN}{TN + FP}$ <!--SR:!0001-01-01,1,250-->\n"))
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 0, result.err  # warnings do not fail an import
    assert "internal error" not in result.err
    where = str(vault / "metrics" / "Precision.md")
    assert f"{where}:6: warning: plugin schedule '!2023-09-03,800000,250'" in result.err
    assert f"{where}:8: warning: plugin schedule '!0001-01-01,1,250'" in result.err
    cards = _cards(cli, col)
    assert cards["Precision"]["state"] == "new" and cards["Specificity"]["state"] == "new"
    assert (cards["Recall"]["state"], cards["Recall"]["due"]) == (
        "review", "2026-11-30T04:00:00+00:00")
    assert cards["Softmax of logits $z$"]["state"] == "review"
    assert cards["Dropout rate $p$"]["state"] == "new"
    report = cli("--collection", col, "import", vault, "--json")
    assert report.code == 0 and report.json["errors"] == []


def test_a_schedule_an_older_flashdeck_could_not_read_seeds_the_card_on_the_next_import(
        cli, tmp_path, monkeypatch):
    """A collection made before the FSRS form was read: the card came in new. Once the
    notes are read again it takes the plugin's schedule, unless it was answered here."""
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    vault = tmp_path / "vault"
    write_note(vault, "Softmax.md", SOFTMAX)
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    cards = _cards(cli, col)
    basic = cards["Softmax of logits $z$"]["id"]
    forward = cards["Temperature $T \\to 0$"]["id"]
    with sqlite3.connect(col) as conn:  # as the older flashdeck left them: new, no seed
        conn.execute("UPDATE cards SET state = 'new', due = NULL, stability = NULL,"
                     " difficulty = NULL, last_review = NULL, reps = 0, lapses = 0, step = NULL,"
                     " sr_seed = NULL")
        conn.execute("DELETE FROM meta WHERE key LIKE 'parse_stamp:%'")
    assert cli("--collection", col, "answer", forward, "good").code == 0  # answered here
    assert cli("--collection", col, "import", vault).code == 0
    cards = {c["id"]: c for c in cli("--collection", col, "list", "--json").json}
    assert (cards[basic]["state"], cards[basic]["due"]) == ("review", "2026-11-24T08:15:00+00:00")
    assert cards[forward]["state"] == "learning"  # its own answer counts, not the comment
    assert cli("--collection", col, "doctor").code == 0


CUSTOM_SEPARATORS = """\
---
tags: [flashcards/geo]
---
# Rivers

Which river runs through Lyon? — The Rhône
<!--SR:!2026-12-03,4,250-->

Which river runs through Basel? — The Rhine
<!--SR:!2026-12-05,6,270-->

Which river runs through Porto? — The Douro
<!--SR:!2026-12-06,6,270-->

Capital of Peru::Lima
<!--SR:!2026-12-04,3,250-->
"""


def test_schedules_no_card_takes_are_said_once_per_note() -> None:
    """A plugin user's custom separator (`—` set in the plugin) is not read: those cards
    are not made, and their schedules (the user's review history) went without a word. One
    warning now names the first and counts the rest; the `::` card keeps its own."""
    note = parse_note(CUSTOM_SEPARATORS, "Rivers.md")
    [card] = note.cards
    assert card.front == "Capital of Peru" and card.sr == SRSeed(date(2026, 12, 4), 3, 250)
    [problem] = note.problems
    assert (problem.line, problem.severity) == (7, "warning")  # the first, under Lyon
    assert problem.message.startswith(
        "3 plugin schedules in this note belong to no card (lines 7, 10, 13): the cards they"
        " were written for are not made, and their review history is not carried over.")
    assert "custom separators" in problem.message


def test_the_warning_for_one_schedule_left_says_what_is_lost_and_many_are_bounded() -> None:
    """Before, the warning said the schedule 'belongs to no card here' and what flashdeck
    reads, not that the card and its review history were not carried over, nor where the
    others were ('and 2 more in this note')."""
    one = parse_note(CUSTOM_SEPARATORS.split("\n\nWhich river runs through Basel")[0],
                     "Rivers.md")
    [problem] = one.problems
    assert problem.line == 7 and problem.message.startswith(
        "this plugin schedule belongs to no card here: the card it was written for is not"
        " made, and its review history is not carried over.")
    many = "#flashcards\n\n" + "".join(
        f"Bay {i} — Fact {i}\n<!--SR:!2026-12-0{i % 9 + 1},4,250-->\n\n" for i in range(40))
    [problem] = parse_note(many, "Bays.md").problems
    assert "(lines 4, 7, 10, 13, 16, …; 40 in all)" in problem.message
    assert len(problem.message) < 500


def test_a_card_rewritten_with_the_default_separator_takes_its_schedule(cli, tmp_path) -> None:
    """What the warning promises: once `—` is written `::`, the plugin's schedule under
    the line seeds the card (a review card due 2026-12-03, not a new one)."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Rivers.md").write_text(CUSTOM_SEPARATORS.replace(" — ", "::"), encoding="utf-8")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    cards = {c["front"]: (c["state"], c["due"][:10])
             for c in cli("--collection", col, "list", "--json").json}
    assert cards["Which river runs through Lyon?"] == ("review", "2026-12-03")


def test_a_note_whose_schedules_all_have_cards_says_nothing() -> None:
    note = parse_note(CUSTOM_SEPARATORS.replace(" — ", "::"), "Rivers.md")
    assert len(note.cards) == 4 and note.problems == []
