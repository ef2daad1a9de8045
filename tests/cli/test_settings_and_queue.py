"""Settings a daily Anki user writes (config.toml) and the queue behaviour they expect, driven
through the command line: learning steps of a day or more, the settings file's own faults."""

from __future__ import annotations

import os
import sqlite3

import pytest

from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import load_config
from flashdeck.scheduling.engine import Engine
from flashdeck.scheduling.upcoming import upcoming
from support.notes import write_note


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    write_note(folder, "Kinematics.md",
               "---\ntags: [flashcards/physics]\n---\n\n"
               "Unit of acceleration::metres per second squared\n\n"
               "Unit of force::newton\n")
    return folder


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("FLASHDECK_NOW", moment)


def configure(tmp_path, monkeypatch, text: str | bytes):
    config = tmp_path / "config.toml"
    if isinstance(text, bytes):
        config.write_bytes(text)
    else:
        config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    return config


# -- learning steps of a day or more ----------------------------------------------------------

def test_a_one_day_learning_step_is_due_all_of_the_day_it_ends_on(cli, vault, tmp_path,
                                                                    monkeypatch):
    """Anki's "10m 1d" steps: a card on its 1-day step, answered yesterday at 21:00, is due
    from the start of today (as Anki's interday learning cards are), not only from 21:00
    tonight; `next` gives it in the morning and `due` counts it where `next` finds it."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    configure(tmp_path, monkeypatch, 'learning_steps = ["10m", "1d"]\nnew_per_day = 1\n')
    col = tmp_path / "c.sqlite"
    at(monkeypatch, "2026-11-24T21:00:00+01:00")
    assert cli("--collection", col, "import", vault).code == 0
    card = cli("--collection", col, "next", "--json").json["card"]
    answered = cli("--collection", col, "answer", card["id"], "good", "--json").json
    assert answered["state"] == "learning"  # Good: on to its 1-day step, due tomorrow 21:00

    at(monkeypatch, "2026-11-25T07:30:00+01:00")  # the next morning, after the 04:00 roll-over
    due = cli("--collection", col, "due", "--json").json
    assert due["total"]["learning"] == 1
    nxt = cli("--collection", col, "next", "--json").json
    assert nxt["card"] is not None and nxt["card"]["id"] == card["id"]
    assert nxt["card"]["state"] == "learning"
    # the review screen's summary does not also call it "later today" (it is due now)
    with Collection.open(col) as opened:
        later = upcoming(Engine(opened, load_config()))
    assert later.later_today == 0 and later.next_at is None

    at(monkeypatch, "2026-11-25T03:30:00+01:00")  # still yesterday's scheduling day
    early = cli("--collection", col, "next", "--json").json
    assert early["card"] is None or early["card"]["id"] != card["id"]


# -- the settings file's own faults -----------------------------------------------------------

def test_a_settings_file_saved_with_a_byte_order_mark_is_read(cli, vault, tmp_path,
                                                               monkeypatch):
    """Windows Notepad saves UTF-8 with a byte order mark: the settings in it apply (they
    were refused as "not valid TOML ... line 1, column 1")."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    configure(tmp_path, monkeypatch, "\ufeffnew_per_day = 1\r\n".encode("utf-8"))
    result = cli("--collection", col, "due", "--json")
    assert result.code == 0, result.err
    assert result.json["total"]["new"] == 1 and result.err == ""


@pytest.mark.parametrize("text, line, key", [
    ('# my settings\ndesired_retention = 0.9\nnew_per_day = "20"\n', 3, "new_per_day"),
    ("fuzz = true\n\n\nday_start_hour = 3.5\n", 4, "day_start_hour"),
    ('learning_steps = ["1m"]\nrelearning_steps = [\n  "10m",\n  "soon",\n]\n', 2,
     "relearning_steps"),
    ("new_order = 'note'\n  desired_retention = nan\n", 2, "desired_retention"),
])
def test_a_bad_setting_names_the_file_its_line_and_the_key(cli, vault, tmp_path, monkeypatch,
                                                           text, line, key):
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    config = configure(tmp_path, monkeypatch, text)
    for args in (["next"], ["due"], ["answer", "1", "good"]):
        result = cli("--collection", col, *args)
        assert result.code == 2, args
        assert result.err.startswith(f"flashdeck: {config}:{line}: {key}")
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    with sqlite3.connect(col) as conn:  # nothing was answered on a guess
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


@pytest.mark.parametrize("text, shown", [
    ("day_start_hour = true\n", "not true"),
    ('new_per_day = "20"\n', 'not "20"'),
    ('learning_steps = ["1m", 10]\n', '10 is not a step like "10m"'),
    ('[sync]\nuser = false\n', "must be a string in quotes, not false")])
def test_a_bad_value_is_quoted_as_toml_writes_it(cli, vault, tmp_path, monkeypatch, text,
                                                 shown):
    """The message quoted the value as Python prints it: `not True`, `not '20'`."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    configure(tmp_path, monkeypatch, text)
    result = cli("--collection", col, "sync" if "sync" in text else "due")
    assert result.code == 2 and shown in result.err, result.err
    assert "True" not in result.err and "False" not in result.err and "'" not in result.err


def test_an_unknown_setting_or_table_is_a_warning_at_its_line(cli, vault, tmp_path,
                                                              monkeypatch):
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    config = configure(tmp_path, monkeypatch,
                       "new_per_day = 1\nnew_per_dya = 5\n\n[limits]\nnew = 3\n")
    result = cli("--collection", col, "due", "--json")
    assert result.code == 0 and result.json["total"]["new"] == 1
    assert f"{config}:2: warning: unknown setting 'new_per_dya' ignored" in result.err
    assert f"{config}:4: warning: unknown setting 'limits' ignored" in result.err


def test_a_list_never_closed_names_the_last_line_written(cli, vault, tmp_path, monkeypatch):
    """TOML says "at end of document" with no line: the message named only the file."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    config = configure(tmp_path, monkeypatch,
                       'new_per_day = 5\nlearning_steps = ["1m",\n  "10m"\n\n')
    result = cli("--collection", col, "next")
    assert result.code == 2
    assert result.err.startswith(f"flashdeck: {config}:3: not valid TOML")


def test_a_misspelt_sync_setting_is_a_warning_at_its_line(cli, vault, tmp_path, monkeypatch):
    """`[sync] endpont = ...` was ignored without a word: `sync` then went to AnkiWeb, not
    to the user's own server."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    config = configure(tmp_path, monkeypatch,
                       'new_per_day = 1\n\n[sync]\nuser = "me"\n'
                       'endpont = "https://sync.example.org/"\n')
    result = cli("--collection", col, "due", "--json")
    assert result.code == 0 and result.json["total"]["new"] == 1
    assert result.err.startswith(f"{config}:5: warning: unknown setting 'sync.endpont' ignored")
    from flashdeck.ankisync.sync import sync_settings

    assert sync_settings(config) == {"user": "me"}


def test_settings_that_are_not_utf8_name_the_line(cli, vault, tmp_path, monkeypatch):
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    config = configure(tmp_path, monkeypatch,
                       b"new_per_day = 5\n# caf\xe9 opens at 7\nfuzz = true\n")
    result = cli("--collection", col, "next")
    assert result.code == 2
    assert result.err.startswith(f"flashdeck: {config}:2: ") and "UTF-8" in result.err
    assert len(result.err.strip().splitlines()) == 1


def _pipe(path) -> str:
    os.mkfifo(path)
    return "a named pipe (FIFO), not a file"


def _zero(path) -> str:
    path.symlink_to("/dev/zero")
    return "a character device, not a file"


def _folder(path) -> str:
    path.mkdir()
    return "a folder, not a file"


def _huge(path) -> str:
    path.write_text("new_per_day = 5\n" + "# " + "x" * 2**20 + "\n", encoding="utf-8")
    return "over the 1 MiB a settings file may have"


def _stale_link(path) -> str:
    path.symlink_to(path.parent / "dotfiles" / "config.toml")
    return "a symlink to"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev/zero: POSIX")
@pytest.mark.parametrize("make", [_pipe, _zero, _folder, _huge, _stale_link])
def test_a_config_that_is_no_readable_file_is_named_never_waited_on(cli, vault, tmp_path,
                                                                    monkeypatch, make):
    """config.toml a named pipe hung every command (waiting for a writer that never
    came); linked to /dev/zero, it was read until memory ran out; a dotfiles link gone
    stale gave the defaults without a word. Each is now a usage error naming the file."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    config = tmp_path / "config.toml"
    what = make(config)
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    for args in (["next"], ["due"], ["answer", "1", "good"], ["doctor"]):
        result = cli("--collection", col, *args)
        assert result.code == 2, args
        assert result.err.startswith(f"flashdeck: {config}: cannot read the settings: it is")
        assert what in result.err and len(result.err.strip().splitlines()) == 1
    with sqlite3.connect(col) as conn:  # nothing was answered on a guess
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_a_sync_endpoint_that_is_not_a_string_is_named(tmp_path):
    """`[sync] endpoint = 5` was dropped without a word: `sync` then asked "which account?"
    or synced with AnkiWeb instead of the user's own server."""
    from flashdeck.ankisync.sync import sync_settings
    from flashdeck.errors import UsageError

    config = tmp_path / "config.toml"
    config.write_text('[sync]\nendpoint = 5\nuser = "kim"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"\[sync\] endpoint must be a string"):
        sync_settings(config)
    config.write_bytes('\ufeff[sync]\nendpoint = "http://localhost:8080/"\n'.encode())
    assert sync_settings(config) == {"endpoint": "http://localhost:8080/"}


# -- --deck and letter case -------------------------------------------------------------------

def test_decks_that_differ_only_in_letter_case_are_one_deck(cli, tmp_path):
    """Obsidian's tags are case-insensitive (`#Flashcards/ML` is `#flashcards/ml`), and so
    are Anki's deck names. `--deck flashcards/ml` took the `FLASHCARDS/ML/deep` cards (SQL's
    LIKE folds case) but not `Flashcards/ML`'s own, and `due` showed three trees."""
    vault = tmp_path / "vault"
    write_note(vault, "Bayes.md", "---\ntags: [Flashcards/ML]\n---\n\nPrior::belief before\n")
    write_note(vault, "Entropy.md", "#flashcards/ml/info\n\nEntropy unit::bit\n")
    write_note(vault, "Huffman.md", "#FLASHCARDS/ML/Info\n\nHuffman codes::prefix-free\n")
    write_note(vault, "Sets.md", "#flashcards/maths\n\nEmpty set::no elements\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0

    due = cli("--collection", col, "due", "--json").json
    assert [(row["deck"], row["new"]) for row in due["decks"]] == [
        ("flashcards", 4), ("flashcards/maths", 1), ("flashcards/ml", 3),
        ("flashcards/ml/info", 2)]
    for deck in ("flashcards/ml", "Flashcards/ML", "FLASHCARDS/ml/"):
        listed = cli("--collection", col, "list", "--deck", deck, "--json").json
        assert sorted(card["front"] for card in listed) == [
            "Entropy unit", "Huffman codes", "Prior"], deck
        nxt = cli("--collection", col, "next", "--deck", deck, "--json").json
        assert nxt["counts"]["new"] == 3, deck  # = its row in `due`
    listed = cli("--collection", col, "list", "--deck", "flashcards/ML/INFO", "--json").json
    assert sorted(card["front"] for card in listed) == ["Entropy unit", "Huffman codes"]
    assert cli("--collection", col, "list", "--deck", "flashcards/m", "--json").json == []


def test_decks_that_differ_in_the_case_of_other_letters_are_one_deck_too(cli, tmp_path):
    """`--deck flashcards/übungen` found nothing for `#flashcards/Übungen` (SQLite folds only
    ASCII letters), while `due` showed the two spellings as two decks."""
    vault = tmp_path / "vault"
    write_note(vault, "Ableitung.md", "---\ntags: [flashcards/Übungen]\n---\n\n"
                                      "Ableitung von sin x::cos x\n")
    write_note(vault, "Integral.md", "#flashcards/übungen/Analysis\n\nIntegral von 1/x::ln|x|\n")
    write_note(vault, "Etudes.md", "#flashcards/ÉTUDES\n\nLa dérivée de x²::2x\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0

    due = cli("--collection", col, "due", "--json").json
    assert [(row["deck"], row["new"]) for row in due["decks"]] == [
        ("flashcards", 3), ("flashcards/ÉTUDES", 1), ("flashcards/übungen", 2),
        ("flashcards/übungen/Analysis", 1)]
    for deck in ("flashcards/übungen", "FLASHCARDS/ÜBUNGEN/", "flashcards/Übungen"):
        listed = cli("--collection", col, "list", "--deck", deck, "--json").json
        assert sorted(card["front"] for card in listed) == [
            "Ableitung von sin x", "Integral von 1/x"], deck
        assert cli("--collection", col, "next", "--deck", deck, "--json").json[
            "counts"]["new"] == 2, deck
    listed = cli("--collection", col, "list", "--deck", "flashcards/études", "--json").json
    assert [card["front"] for card in listed] == ["La dérivée de x²"]
    assert cli("--collection", col, "list", "--deck", "flashcards/ubungen", "--json").json == []


# -- the vault's .flashdeck.toml ---------------------------------------------------------------

@pytest.mark.parametrize("marker", ['"?"', '" ?? "', '"::"'])
def test_an_end_marker_that_is_a_card_separator_is_refused_and_no_card_is_lost(
        cli, tmp_path, marker):
    """`multiline_end_marker = "?"` made every multi-line card's own `?` line its end:
    the cards vanished from the import without a word."""
    vault = tmp_path / "vault"
    write_note(vault, ".flashdeck.toml", f"# vault settings\n[cards]\n"
                                         f"multiline_end_marker = {marker}\n")
    write_note(vault, "Thermodynamics.md",
               "---\ntags: [flashcards]\n---\n\nWhat does the first law state?\n?\n"
               "Energy is conserved: dU = Q - W.\n\nZeroth law::thermal equilibrium is"
               " transitive\n")
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 1
    settings = str(vault / ".flashdeck.toml")
    assert [(e["path"], e["line"]) for e in result.json["errors"]] == [(settings, 3)]
    assert "multiline_end_marker" in result.json["errors"][0]["message"]
    fronts = sorted(c["front"] for c in cli("--collection", col, "list", "--json").json)
    assert fronts == ["What does the first law state?", "Zeroth law"]


def test_an_unknown_cards_subtable_is_a_warning_at_its_header(cli, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, ".flashdeck.toml", '[cards]\ntags = ["flashcards"]\n\n[cards.review]\n'
                                         "limit = 5\n")
    write_note(vault, "Optics.md", "#flashcards\n\nFocal length unit::metre\n")
    result = cli("check", vault)
    assert result.code == 0
    assert f"{vault / '.flashdeck.toml'}:4: warning: [cards] unknown setting 'review'" \
        in result.out + result.err


@pytest.mark.parametrize("command", [["next"], ["list"], ["stats"], ["review"],
                                     ["export", "anki", "{tmp}/out.apkg"]])
@pytest.mark.parametrize("deck", ["", "  ", "/"])
def test_an_empty_deck_name_is_a_usage_error_not_every_deck(cli, vault, tmp_path, command,
                                                            deck):
    """`--deck "$DECK"` with DECK unset named every deck: `review` and `export` took the
    whole collection without a word."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    command = [part.replace("{tmp}", str(tmp_path)) for part in command]
    result = cli("--collection", col, *command, "--deck", deck)
    assert result.code == 2 and "is not a deck name" in result.err and result.out == ""
    assert not (tmp_path / "out.apkg").exists()


def test_learning_steps_that_go_down_are_a_warning_at_their_line(cli, vault, tmp_path,
                                                                 monkeypatch):
    """`["1d", "1m"]` (for "1m 1d"): Again waited a day and Good was pushed after it, with
    no word about the order."""
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    config = configure(tmp_path, monkeypatch,
                       'new_per_day = 5\nlearning_steps = ["1d", "1m"]\n'
                       'relearning_steps = ["10m", "1h"]\n')
    result = cli("--collection", col, "next", "--json")
    assert result.code == 0 and result.json["card"] is not None
    assert result.err.count("warning") == 1
    assert result.err.startswith(f"{config}:2: warning: learning_steps go down (\"1d\" then"
                                 ' "1m")')


def test_review_ahead_counts_the_learning_cards_it_shows(cli, vault, tmp_path, monkeypatch):
    """A card on a 2-day learning step, answered yesterday and due tomorrow: `next --ahead
    1` shows it, and counted it nowhere (0 left while it showed a card)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    configure(tmp_path, monkeypatch, 'learning_steps = ["10m", "2d"]\nnew_per_day = 1\n')
    col = tmp_path / "c.sqlite"
    at(monkeypatch, "2026-11-24T09:00:00+01:00")
    assert cli("--collection", col, "import", vault).code == 0
    card = cli("--collection", col, "next", "--json").json["card"]
    assert cli("--collection", col, "answer", card["id"], "good").code == 0  # due in 2 days
    at(monkeypatch, "2026-11-25T09:00:00+01:00")
    configure(tmp_path, monkeypatch, 'learning_steps = ["10m", "2d"]\nnew_per_day = 0\n')
    assert cli("--collection", col, "next", "--json").json["card"] is None
    ahead = cli("--collection", col, "next", "--ahead", "1", "--json").json
    assert ahead["card"]["id"] == card["id"] and ahead["card"]["state"] == "learning"
    assert sum(ahead["counts"].values()) == 1


def _shown_in_turn(cli, col, count: int) -> list[int]:
    """The ids of the next `count` cards as the review gives them: each `next` answered Easy
    (out of today, so it does not come back)."""
    shown = []
    for _ in range(count):
        card = cli("--collection", col, "next", "--json").json["card"]
        shown.append(card["id"])
        assert cli("--collection", col, "answer", card["id"], "easy").code == 0
    return shown


# -- list --due lists what due counts --------------------------------------------------------

def _metrics_vault(folder):
    write_note(folder, "Precision.md",
               "---\ntags: [flashcards/ml/metrics]\naliases: [positive predictive value]\n"
               "summary: The share of predicted positives that are real.\n---\n"
               "# Precision\n\n## Why does precision ignore false negatives?\n"
               "It only looks at what was predicted positive.\n\n"
               "$$\\text{precision} = \\frac{TP}{TP + FP}$$\n")
    write_note(folder, "Softmax.md",
               "---\ntags: [flashcards/ml/activations]\n"
               "summary: Exponentials normalised to sum to one.\n---\n"
               "# Softmax\n\n## Why subtract the max before exponentiating?\n"
               "For numerical stability: $e^{x - m}$ never overflows.\n\n"
               "Softmax output range::$(0, 1)$\n")
    return folder


@pytest.mark.parametrize("order", ["interleaved", "note", "random"])
def test_list_due_lists_the_new_cards_due_counts_in_queue_order(cli, tmp_path, monkeypatch,
                                                                order):
    """`flashdeck due` said 3 new while `flashdeck list --due` said "no cards": it left
    every new card out. It now lists what `due` counts — the new cards the day's limit lets
    in, in the order the review brings them (the notes take turns) — in text and JSON."""
    configure(tmp_path, monkeypatch, f'new_per_day = 3\nnew_order = "{order}"\n')
    at(monkeypatch, "2026-11-24T09:00:00+00:00")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", _metrics_vault(tmp_path / "vault")).code == 0
    due = cli("--collection", col, "due", "--json").json["total"]
    assert due == {"new": 3, "learning": 0, "review": 0}
    listed = cli("--collection", col, "list", "--due", "--json").json
    assert [c["state"] for c in listed] == ["new"] * 3
    if order == "interleaved":  # the two notes take turns
        assert {c["deck"] for c in listed} == {"flashcards/ml/metrics",
                                               "flashcards/ml/activations"}
    text = cli("--collection", col, "list", "--due")
    assert text.code == 0 and [line.split()[0] for line in text.out.splitlines()] == [
        str(c["id"]) for c in listed]
    # the order the review gives them
    shown = _shown_in_turn(cli, col, 3)
    assert shown == [c["id"] for c in listed]
    # the limit spent: nothing new is due, nothing is listed
    assert cli("--collection", col, "due", "--json").json["total"]["new"] == 0
    assert cli("--collection", col, "list", "--due", "--json").json == []


def test_list_due_counts_as_due_does_with_learning_reviews_and_a_deck(cli, tmp_path,
                                                                     monkeypatch):
    """Learning steps and reviews come with the new cards, each once, as many as `due`
    counts; with --deck, that deck's row."""
    configure(tmp_path, monkeypatch, "new_per_day = 4\n")
    at(monkeypatch, "2026-11-24T09:00:00+00:00")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", _metrics_vault(tmp_path / "vault")).code == 0
    first = cli("--collection", col, "list", "--due", "--json").json
    assert cli("--collection", col, "answer", first[0]["id"], "again").code == 0
    assert cli("--collection", col, "answer", first[1]["id"], "good").code == 0
    at(monkeypatch, "2026-11-24T09:30:00+00:00")  # both steps due again
    for deck in (None, "flashcards/ml/metrics", "flashcards/ml/activations"):
        args = ["--deck", deck] if deck else []
        data = cli("--collection", col, "due", "--json").json
        counts = data["total"] if deck is None else next(
            d for d in data["decks"] if d["deck"] == deck)
        listed = cli("--collection", col, "list", "--due", *args, "--json").json
        assert len(listed) == len({c["id"] for c in listed}) == sum(
            counts[k] for k in ("new", "learning", "review")), (deck, counts, listed)
        assert sum(c["state"] == "learning" for c in listed) == counts["learning"]
        assert all(deck is None or c["deck"] == deck for c in listed)
        if deck is None:
            assert [c["state"] for c in listed[:2]] == ["learning", "learning"]


def test_list_due_after_some_answers_follows_the_turns_the_notes_have_had(cli, tmp_path,
                                                                          monkeypatch):
    """Two new cards of one note answered this morning: the other note has its turns
    first, as the review gives them (list --due, then `next` after each answer)."""
    configure(tmp_path, monkeypatch, "new_per_day = 5\n")
    at(monkeypatch, "2026-11-24T09:00:00+00:00")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", _metrics_vault(tmp_path / "vault")).code == 0
    cards = cli("--collection", col, "list", "--json").json
    first_note = [c["id"] for c in cards if c["note"] == cards[0]["note"]]
    for card_id in first_note[:2]:
        assert cli("--collection", col, "answer", card_id, "easy").code == 0
    listed = [c["id"] for c in cli("--collection", col, "list", "--due", "--json").json]
    assert len(listed) == cli("--collection", col, "due", "--json").json["total"]["new"] == 3
    shown = _shown_in_turn(cli, col, 3)
    assert shown == listed


def _exercise_vault(folder):
    """Two notes that get worked exercises (a note titled "Harmonic Mean" gets the round
    trip, the average price and F1 from precision and recall; "Jaccard Index" the IoU ones)
    after one text card each, and a note of text cards: in turns, two notes' exercises meet."""
    write_note(folder, "Harmonic Mean.md",
               "---\ntags: [flashcards/math]\n---\n\nHarmonic mean of 10 and 30::15\n")
    write_note(folder, "Jaccard Index.md",
               "---\ntags: [flashcards/ml]\n---\n\nJaccard index of two equal sets::1\n")
    write_note(folder, "Logs.md", "---\ntags: [flashcards/math]\n---\n\n" + "".join(
        f"log2 of {2 ** k}::{k}\n\n" for k in range(3, 12)))
    return folder


@pytest.mark.parametrize("order", ["interleaved", "random"])
def test_list_due_gives_the_exercises_apart_as_the_review_does(cli, tmp_path, monkeypatch,
                                                                order):
    """The review never gives two exercises in a row while another new card waits; `list
    --due` listed the notes' turns as they fall (an exercise, then another), so the day's
    list and the cards shown parted after the first exercise. Both now give the same order,
    every exercise followed by a card that is not one while one is left."""
    configure(tmp_path, monkeypatch, f'new_per_day = 12\nnew_order = "{order}"\n')
    at(monkeypatch, "2026-11-24T09:00:00+00:00")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", _exercise_vault(tmp_path / "vault")).code == 0
    listed = cli("--collection", col, "list", "--due", "--json").json
    kinds = [c["kind"] for c in listed]
    assert len(listed) == 12 and kinds.count("exercise") >= 3, kinds
    assert not any(a == b == "exercise" for a, b in zip(kinds, kinds[1:])), kinds
    shown = _shown_in_turn(cli, col, 12)
    assert shown == [c["id"] for c in listed]
