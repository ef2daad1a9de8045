"""The headless review commands: next, answer, undo, due, log, stats, suspend (PRODUCT.md §5)."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from support.notes import write_note
from flashdeck.scheduling.config import load_config
from support.clock import T0


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    write_note(folder, "a.md", "#flashcards\n\nCapital of France::Paris\n\nTwo plus two:::four\n")
    return folder


def test_next_answer_undo_from_the_command_line(cli, vault, tmp_path, monkeypatch):
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    nxt = cli("--collection", col, "next", "--json").json
    assert nxt["card"]["front"] == "Capital of France"
    # the reversed pair counts once: one side is asked today, the other held back
    assert nxt["counts"] == {"new": 2, "learning": 0, "review": 0}
    assert set(nxt["previews"]) == {"again", "hard", "good", "easy"}
    assert nxt["previews"]["good"]["interval"] == "10m"
    card_id = nxt["card"]["id"]

    answered = cli("--collection", col, "answer", card_id, "good", "--json").json
    assert answered["state"] == "learning" and answered["interval"] == "10m"
    assert answered["due"] == nxt["previews"]["good"]["due"]
    log = cli("--collection", col, "log", "--json").json
    assert [(e["card"], e["rating"], e["state_before"]) for e in log] == [(card_id, "good", "new")]

    assert cli("--collection", col, "undo", "--json").json == {
        "undone": {"card": card_id, "rating": "good"}, "reason": None}
    assert cli("--collection", col, "log", "--json").json == []
    assert cli("--collection", col, "undo").out.strip() == "nothing to undo: no answers yet"

    due = cli("--collection", col, "due", "--json").json
    assert due["total"] == {"new": 2, "learning": 0, "review": 0}
    assert due["decks"] == [{"deck": "flashcards", "new": 2, "learning": 0, "review": 0}]

    monkeypatch.setenv("FLASHDECK_NOW", (T0 + timedelta(minutes=30)).isoformat())
    cli("--collection", col, "answer", card_id, "3")
    later = cli("--collection", col, "next", "--json").json
    assert later["card"]["front"] == "Two plus two"  # siblings of the answered card wait


@pytest.mark.parametrize("args, message", [
    (["answer", "999", "good"], "no card with id 999"),
    (["answer", "1", "great"], "not a rating"),
    (["answer", "abc", "good"], "not a card id"),
    (["show", "999"], "no card with id 999"),
    (["suspend", "999"], "no card with id 999"),
])
def test_bad_input_is_one_line_and_exit_2(cli, vault, tmp_path, args, message):
    col = tmp_path / "c.sqlite"
    cli("--collection", col, "import", vault)
    result = cli("--collection", col, *args)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    with sqlite3.connect(col) as conn:
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_answering_a_suspended_card_is_refused(cli, vault, tmp_path):
    col = tmp_path / "c.sqlite"
    cli("--collection", col, "import", vault)
    assert cli("--collection", col, "suspend", "1").code == 0
    result = cli("--collection", col, "answer", "1", "good")
    assert result.code == 2 and "suspended" in result.err
    assert cli("--collection", col, "list", "--json").json[0]["suspended"] is True


def test_malformed_now_is_refused(cli, vault, tmp_path, monkeypatch):
    col = tmp_path / "c.sqlite"
    cli("--collection", col, "import", vault)
    monkeypatch.setenv("FLASHDECK_NOW", "tomorrow morning")
    for args in (["next"], ["answer", "1", "good"], ["due"]):
        result = cli("--collection", col, *args)
        assert result.code == 2 and "FLASHDECK_NOW" in result.err, args


def test_bad_config_names_the_key(cli, vault, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    cli("--collection", tmp_path / "c.sqlite", "import", vault)
    config.write_text("new_per_day = -3\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    result = cli("--collection", tmp_path / "c.sqlite", "next")
    assert result.code == 2 and "new_per_day" in result.err and str(config) in result.err
    config.write_text('learning_steps = ["1m", "soon"]\n')
    assert "learning_steps" in cli("--collection", tmp_path / "c.sqlite", "next").err
    config.write_text("new_per_day = 5\nlearning_steps = [\"2m\"]\n")
    loaded = load_config(config)
    assert loaded.new_per_day == 5 and loaded.learning_steps == (timedelta(minutes=2),)


def test_an_unknown_setting_is_a_warning_and_the_rest_applies(cli, vault, tmp_path,
                                                               monkeypatch):
    """PRODUCT.md §6: unknown keys are warnings, never errors (a setting of a newer
    flashdeck, or a typo, must not stop the review)."""
    config = tmp_path / "config.toml"
    cli("--collection", tmp_path / "c.sqlite", "import", vault)
    config.write_text("new_per_dya = 5\nnew_per_day = 1\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    result = cli("--collection", tmp_path / "c.sqlite", "due", "--json")
    assert result.code == 0
    assert f"{config}:1: warning: unknown setting 'new_per_dya' ignored" in result.err
    assert result.err.count("new_per_dya") == 1
    assert result.json["total"]["new"] == 1  # of 3 new cards: the known setting applies


def test_stats_counts_what_happened(cli, vault, tmp_path):
    col = tmp_path / "c.sqlite"
    cli("--collection", col, "import", vault)
    cli("--collection", col, "answer", "1", "easy")
    stats = cli("--collection", col, "stats", "--json").json
    assert stats["cards"] == 3 and stats["states"]["review"] == 1
    assert stats["reviews"]["today"] == 1
    assert json.loads(json.dumps(stats))  # plain JSON


def test_due_shows_the_deck_tree_with_parents_counting_their_subdecks(cli, tmp_path):
    vault = tmp_path / "nested"
    write_note(vault, "m.md", "#flashcards/ml/metrics\n\nQ1::A1\n\nQ2::A2\n")
    write_note(vault, "l.md", "#flashcards/ml/losses\n\nQ3::A3\n")
    col = tmp_path / "c.sqlite"
    cli("--collection", col, "import", vault)
    due = cli("--collection", col, "due", "--json").json
    assert [(d["deck"], d["new"]) for d in due["decks"]] == [
        ("flashcards", 3), ("flashcards/ml", 3), ("flashcards/ml/losses", 1),
        ("flashcards/ml/metrics", 2)]
    text = cli("--collection", col, "due").out
    assert "    losses" in text and "total" in text


@pytest.mark.parametrize("args", [["next"], ["next", "--json"], ["stats"], ["stats", "--json"]],
                         ids=" ".join)
def test_a_mistyped_deck_is_a_usage_error_not_nothing_due(cli, vault, tmp_path, args):
    """`next --deck Gepgraphy` in a script said "Nothing due now" (exit 0, `card: null`):
    a typo read as a finished day. `review --deck` already refused it; so do these now."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    result = cli("--collection", col, *args, "--deck", "nope")
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    assert result.err.strip() == ("flashdeck: no deck named 'nope' (`flashdeck due` lists the"
                                  " decks)")
    deck = cli("--collection", col, "list", "--json").json[0]["deck"]
    assert cli("--collection", col, *args, "--deck", deck).code == 0


def test_a_deck_with_nothing_due_is_still_nothing_due(cli, vault, tmp_path):
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    cards = cli("--collection", col, "list", "--json").json
    for card in cards:
        assert cli("--collection", col, "suspend", str(card["id"])).code == 0
    result = cli("--collection", col, "next", "--deck", cards[0]["deck"], "--json")
    assert result.code == 0 and result.json["card"] is None


def test_the_due_table_is_as_wide_as_its_labels_and_aligned_for_wide_characters(cli, tmp_path):
    """`due` made its deck column as wide as the longest whole deck path, though each row
    shows only the last part, indented: nested decks pushed the counts off an 80-column
    terminal. And a deck named in CJK (two columns a character) put its counts out of line."""
    vault = tmp_path / "vault"
    write_note(vault, "a.md", "#flashcards/machine-learning/classification-metrics/"
                              "threshold-independent\n\nA::B\n")
    write_note(vault, "b.md", "#flashcards/日本語/語彙\n\nC::D\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    result = cli("--collection", col, "due")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["deck", "new", "learn", "due"]
    assert lines[3].strip().startswith("classification-metrics")
    assert lines[4].strip().split() == ["threshold-independent", "1", "0", "0"]

    def cells(text: str) -> int:
        import unicodedata
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = {cells(line) for line in lines}
    assert widths == {len("      threshold-independent") + 2 + 17}, lines


SEVEN_CARDS_IN_THREE_BLOCKS = {
    "a.md": ("#flashcards/ml\n\nKL divergence:::relative entropy\n\n"
             "Cross entropy is ==H(p)== plus ==KL(p, q)==, and ==asymmetric==.\n"),
    "b.md": "#flashcards/ml\n\nL2 penalty:::ridge\n",
}


def test_due_says_how_many_cards_siblings_hold_back(cli, tmp_path, monkeypatch):
    """Seven new cards in three blocks read `3` new: a reversed card's other side and a
    paragraph's other clozes come on another day (PRODUCT §3). `due` said 3 and nothing
    more, so a user who had just imported seven cards saw four of them vanish; it now says
    how many wait, and why, as long as the daily limit would have let them in."""
    for name, text in SEVEN_CARDS_IN_THREE_BLOCKS.items():
        write_note(tmp_path / "vault", name, text)
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", tmp_path / "vault").code == 0
    due = cli("--collection", col, "due", "--json").json
    assert due["total"] == {"new": 3, "learning": 0, "review": 0}
    assert due["held"] == {"new": 4, "review": 0}
    assert cli("--collection", col, "due").out.splitlines()[-1] == (
        "4 new held back for another day: siblings of today's cards")
    for _ in range(3):
        card = cli("--collection", col, "next", "--json").json["card"]
        assert cli("--collection", col, "answer", card["id"], "easy").code == 0
    due = cli("--collection", col, "due", "--json").json
    assert due["total"] == {"new": 0, "learning": 0, "review": 0}
    assert due["held"] == {"new": 4, "review": 0}
    # the next day: one card of each block again, the cloze's third deletion held back
    monkeypatch.setenv("FLASHDECK_NOW", (T0 + timedelta(days=1)).isoformat())
    due = cli("--collection", col, "due", "--json").json
    assert due["total"]["new"] == 3 and due["held"] == {"new": 1, "review": 0}
    # with a daily limit of 2 new, the cards past it are not said to be held back by siblings
    config = tmp_path / "config.toml"
    config.write_text("new_per_day = 2\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    due = cli("--collection", col, "due", "--json").json
    assert due["total"]["new"] == 2 and due["held"] == {"new": 0, "review": 0}
    assert "held back" not in cli("--collection", col, "due").out
