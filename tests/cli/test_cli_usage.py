"""The command line's edges (issue 18): a missing collection is an error, not an empty one;
`log` streams; out-of-range input is a one-line usage error; `--version`; shell completion."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest

from support.notes import geo_collection, write_note
from flashdeck import __version__

NOW = "2026-11-24T09:00:00+01:00"

READ_ONLY = [["next"], ["next", "--json"], ["due"], ["due", "--json"], ["list"],
             ["list", "--json"], ["show", "1"], ["log"], ["log", "--json"], ["stats"],
             ["stats", "--json"], ["info", "1"], ["sources"], ["sources", "--json"],
             ["doctor"], ["doctor", "--fix"]]
WRITING = [["answer", "1", "good"], ["undo"], ["suspend", "1"], ["unsuspend", "1"],
           ["bury", "1"], ["forget", "/vault"]]


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setenv("FLASHDECK_NOW", NOW)


@pytest.fixture
def col(cli, tmp_path) -> Path:
    return geo_collection(cli, tmp_path)


def one_line_usage_error(result, *words: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err  # no usage block burying the line that matters
    assert "Traceback" not in result.err and "internal error" not in result.err
    for word in words:
        assert word in lines[0], (word, lines[0])


# -- a missing collection -------------------------------------------------------------------------
@pytest.mark.parametrize("args", READ_ONLY + WRITING, ids=" ".join)
def test_a_missing_collection_is_exit_2_naming_it_and_nothing_is_created(cli, tmp_path, args):
    missing = tmp_path / "nowhere" / "typo.db"
    result = cli("--collection", missing, *args)
    one_line_usage_error(result, f"no collection at {missing}", "flashdeck import NOTES")
    assert not missing.parent.exists()


@pytest.mark.parametrize("args", READ_ONLY + WRITING, ids=" ".join)
@pytest.mark.parametrize("empty", ["empty file", "database with no tables"])
def test_an_empty_file_is_not_read_as_an_empty_collection(cli, tmp_path, args, empty):
    """A 0-byte file (a `touch`ed path, a collection emptied by a failed copy) is no
    collection: only `import` makes one there. Every other command wrote a new schema
    into it and answered "0 cards" as if nothing were wrong."""
    path = tmp_path / "c.sqlite"
    if empty == "empty file":
        path.write_bytes(b"")
    else:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 0")  # a valid header, no tables
        conn.close()
    before = path.read_bytes()
    result = cli("--collection", path, *args)
    one_line_usage_error(result, f"{path}: an empty file, not a flashdeck collection",
                         "flashdeck import NOTES")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite"]


def test_import_makes_a_collection_in_an_empty_file(cli, tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"")
    write_note(tmp_path / "vault", "a.md", "#flashcards\n\nQ::A\n")
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    result = cli("--collection", path, "list", "--json")
    assert result.code == 0 and [c["front"] for c in result.json] == ["Q"]


def test_a_typo_in_the_environment_is_named_too(cli, tmp_path, monkeypatch):
    missing = tmp_path / "typo.db"
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(missing))
    result = cli("next")
    one_line_usage_error(result, f"no collection at {missing}")
    assert "Nothing due" not in result.out
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_only_import_creates_a_collection(cli, tmp_path):
    path = tmp_path / "new" / "c.sqlite"
    write_note(tmp_path / "vault", "a.md", "#flashcards\n\nQ::A\n")
    assert cli("--collection", path, "check", tmp_path / "vault").code == 0
    assert not path.parent.exists()
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    assert path.is_file()
    result = cli("--collection", path, "next")
    assert result.code == 0 and "Q" in result.out


def test_exercise_works_without_a_collection(cli, tmp_path):
    missing = tmp_path / "none.db"
    result = cli("--collection", missing, "exercise", "--json")
    assert result.code == 0 and result.json and not missing.exists()
    # a typo in --collection is said once; the built-ins still work
    assert result.err == f"flashdeck: warning: no collection at {missing}; only the built-in" \
                         " exercises\n"
    result = cli("exercise", "f1-counts", "--seed", "3")  # the default path: no collection yet
    assert result.code == 0 and result.err == ""


# -- log streams ------------------------------------------------------------------------------------
def add_reviews(col: Path, count: int) -> None:
    """`count` more reviews, copies of the log's first one a minute apart each."""
    conn = sqlite3.connect(col)
    with conn:
        first = conn.execute("SELECT card_id, reviewed_at, rating, duration_ms, state_before,"
                             " state_after FROM reviews ORDER BY id LIMIT 1").fetchone()
        conn.executemany(
            "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms, state_before,"
            " state_after) VALUES (?, ?, ?, ?, ?, ?)",
            ((first[0] if i % 3 else 2, first[1] + 60 * i, 1 + i % 4, i, first[4], first[5])
             for i in range(1, count + 1)))
    conn.close()


@pytest.fixture
def big_log(cli, col) -> Path:
    assert cli("--collection", col, "answer", "1", "good").code == 0
    add_reviews(col, 2999)
    return col


def expected_ids(col: Path) -> list[int]:
    conn = sqlite3.connect(col)
    ids = [row[0] for row in conn.execute("SELECT id FROM reviews ORDER BY id")]
    conn.close()
    return ids


def test_log_all_as_json_is_every_review_oldest_first(cli, big_log):
    result = cli("--collection", big_log, "log", "--limit", "0", "--json")
    assert result.code == 0, result.err
    entries = json.loads(result.out)
    ids = expected_ids(big_log)
    assert len(ids) == 3000
    assert [e["id"] for e in entries] == ids
    assert {e["rating"] for e in entries} == {"again", "hard", "good", "easy"}
    assert {e["card"] for e in entries} == {1, 2}
    assert entries[0]["time"] == "2026-11-24T09:00:00+01:00"
    assert entries[-1]["time"] == "2026-11-26T10:59:00+01:00"  # 2,999 minutes on
    assert entries[5]["duration_ms"] == 5 and entries[5]["deck"] == "flashcards"


def test_log_limit_is_the_last_n_oldest_first(cli, big_log):
    ids = expected_ids(big_log)
    entries = cli("--collection", big_log, "log", "--limit", "7", "--json").json
    assert [e["id"] for e in entries] == ids[-7:]
    assert len(cli("--collection", big_log, "log", "--json").json) == 50  # the default
    assert [e["id"] for e in cli("--collection", big_log, "log", "--limit", "99999",
                                 "--json").json] == ids
    text = cli("--collection", big_log, "log", "--limit", "0").out.splitlines()
    assert len(text) == 3000 and text[0].startswith("2026-11-24 09:00 +01:00  card     1")
    assert text[-1] == cli("--collection", big_log, "log", "--limit", "1").out.rstrip("\n")


def test_log_of_an_empty_history(cli, col):
    assert cli("--collection", col, "log").out == "no reviews yet\n"
    assert cli("--collection", col, "log", "--json", "--limit", "0").json == []


def test_the_log_is_read_lazily(big_log):
    from flashdeck.cardinfo import iter_review_log
    from flashdeck.collection.store import Collection

    with Collection.open(big_log, create=False) as c:
        rows = iter_review_log(c, 0)
        assert isinstance(rows, types.GeneratorType)
        assert next(rows).id == expected_ids(big_log)[0]


@pytest.mark.parametrize("limit", ["-5", "-1", "1_0", "５", "ten", "1e3", ""])
def test_a_bad_log_limit_is_a_usage_error(cli, col, limit):
    one_line_usage_error(cli("--collection", col, "log", f"--limit={limit}"), "--limit")


# -- out-of-range input -------------------------------------------------------------------------------
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+02:00", "9999-12-31T23:59:59-05:00",
                                    "9999-12-31T23:59:59+00:00", "1900-01-01T00:00:00+00:00"])
@pytest.mark.parametrize("args", [["next"], ["due"], ["log"], ["stats"], ["info", "1"],
                                  ["answer", "1", "good"], ["list", "--due"], ["sources"]],
                         ids=" ".join)
def test_an_out_of_range_clock_is_a_usage_error(cli, col, monkeypatch, moment, args):
    monkeypatch.setenv("FLASHDECK_NOW", moment)
    one_line_usage_error(cli("--collection", col, *args), "FLASHDECK_NOW", "out of range")


def test_a_bad_clock_stops_every_command_before_it_starts_but_version_and_completion(
        cli, col, tmp_path, monkeypatch):
    vault = tmp_path / "notes"
    write_note(vault, "n.md", "#flashcards\n\nWhat colour is the sky::blue\n")
    monkeypatch.setenv("FLASHDECK_NOW", "next tuesday")
    for args in (["check", vault], ["exercise"], ["forget", "/vault"], ["undo"]):
        one_line_usage_error(cli("--collection", col, *args), "FLASHDECK_NOW", "next tuesday")
    assert cli("--version").code == 0
    result = cli("completion", "bash")
    assert result.code == 0 and "flashdeck" in result.out


def test_the_clock_works_near_its_bounds(cli, col, monkeypatch):
    for moment in ("8999-12-31T12:00:00-05:00", "1970-01-02T00:00:00+00:00"):
        monkeypatch.setenv("FLASHDECK_NOW", moment)
        for _ in range(4):
            assert cli("--collection", col, "answer", "1", "easy").code == 0
        for args in (["info", "1"], ["log"], ["stats"], ["due"], ["next", "--json"]):
            result = cli("--collection", col, *args)
            assert result.code == 0, (moment, args, result.err)


@pytest.mark.parametrize("card_id", ["99999999999999999999", "9223372036854775808", "1_0",
                                     "１", "1０", "+1", "-1", "0", "0x1", "1.0", "", "٣"])
@pytest.mark.parametrize("command", ["show", "info", "suspend", "bury"])
def test_card_ids_are_plain_ascii_numbers_within_range(cli, col, command, card_id):
    one_line_usage_error(cli("--collection", col, command, card_id), "not a card id")


def test_answer_checks_its_id_too(cli, col):
    one_line_usage_error(cli("--collection", col, "answer", "1_0", "good"), "not a card id")
    one_line_usage_error(cli("--collection", col, "answer", "99999999999999999999", "good"),
                         "not a card id")
    result = cli("--collection", col, "show", "9223372036854775807")
    one_line_usage_error(result, "no card with id 9223372036854775807")
    assert cli("--collection", col, "show", "#1").code == 0
    assert cli("--collection", col, "show", " 2 ").code == 0


@pytest.mark.parametrize("value", ["1_0", "１", "+3", "99999999"])
def test_ahead_days_are_plain_numbers(cli, col, value):
    one_line_usage_error(cli("--collection", col, "next", "--ahead", value), "--ahead")


@pytest.mark.parametrize("value", ["1_0", "１２", "+3", "-1", "1e3", "99999999999999999999"])
def test_exercise_seeds_are_plain_numbers(cli, value):
    one_line_usage_error(cli("exercise", "f1-counts", "--seed", value), "is not a seed")


def test_an_exercise_seed_shows_that_instance(cli):
    first = cli("exercise", "f1-counts", "--seed", "4821", "--json")
    again = cli("exercise", "f1-counts", "--seed", "4821", "--json")
    assert first.code == 0 and json.loads(first.out)["seed"] == 4821
    assert json.loads(first.out) == json.loads(again.out)


def test_forget_takes_plain_source_ids_only(cli, col):
    listed = json.loads(cli("--collection", col, "sources", "--json").out)
    source_id = listed[0]["id"]
    wide = "".join(chr(ord(d) - ord("0") + ord("０")) for d in str(source_id))
    result = cli("--collection", col, "forget", wide)
    assert result.code == 2 and "no source" in result.err
    assert json.loads(cli("--collection", col, "sources", "--json").out) == listed  # kept
    assert cli("--collection", col, "forget", str(source_id)).code == 0


@pytest.mark.parametrize("steps, words", [
    ('["99999999999d"]', "at most 365 days"),
    ('["1000000d"]', "at most 365 days"),
    ('["1m", "366d"]', "at most 365 days"),
    ('["8761h"]', "at most 365 days"),
    ('["１m"]', "is not a step"),
    ('["1_0m"]', "is not a step"),
    ('["0.1s"]', "at least one second"),
    ('["0m"]', "at least one second"),
    ("[1]", "is not a step"),
])
@pytest.mark.parametrize("key", ["learning_steps", "relearning_steps"])
def test_steps_out_of_bounds_are_usage_errors(cli, col, tmp_path, monkeypatch, key, steps,
                                              words):
    config = tmp_path / "config.toml"
    config.write_text(f"{key} = {steps}\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    one_line_usage_error(cli("--collection", col, "next"), str(config), key, words)


def test_long_steps_within_bounds_still_work(cli, col, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('learning_steps = ["365d"]\nmaximum_interval = 36500\n')
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    result = cli("--collection", col, "answer", "1", "again", "--json")
    assert result.code == 0, result.err
    assert result.json["due"].startswith("2027-11-24")


# -- --version and completion --------------------------------------------------------------------------
def test_version(cli):
    from importlib.metadata import version

    result = cli("--version")
    assert (result.code, result.out) == (0, f"flashdeck {version('flashdeck')}\n")
    assert result.out == f"flashdeck {__version__}\n"
    result = cli("--collection", "/nowhere.db", "--version")
    assert (result.code, result.out) == (0, f"flashdeck {__version__}\n")


def test_version_runs_as_a_program():
    out = subprocess.run([sys.executable, "-m", "flashdeck", "--version"], capture_output=True,
                         text=True, timeout=60)
    assert (out.returncode, out.stdout, out.stderr) == (0, f"flashdeck {__version__}\n", "")


def subcommands() -> list[str]:
    from flashdeck.cli import build_parser
    from flashdeck.commands.completion import describe

    return [c.name for c in describe(build_parser())[1]]


def test_completion_names_every_subcommand_and_option(cli):
    from flashdeck.cli import COMMAND_MODULES

    names = subcommands()
    assert set(names) == {n for group in COMMAND_MODULES.values() for n in group}
    for shell in ("bash", "zsh", "fish"):
        result = cli("completion", shell)
        assert result.code == 0 and result.err == ""
        for name in names:
            assert name in result.out, (shell, name)
        for option in ("--collection", "--version", "--limit", "--deck", "--json", "--answer"):
            assert option.lstrip("-") in result.out, (shell, option)
    one_line_usage_error(cli("completion", "powershell"), "invalid choice")


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_completion_is_valid_and_completes(cli, tmp_path):
    script = tmp_path / "flashdeck.bash"
    script.write_text(cli("completion", "bash").out)
    assert subprocess.run(["bash", "-n", str(script)], timeout=60).returncode == 0
    (tmp_path / "notes.md").write_text("x")
    probe = f"""
source {script}
complete_words() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ));
  COMPREPLY=(); _flashdeck; echo "${{COMPREPLY[*]}}"; }}
complete_words flashdeck ''
complete_words flashdeck ne
complete_words flashdeck --collection x.db ne
complete_words flashdeck log --l
complete_words flashdeck answer 12 g
complete_words flashdeck completion f
complete_words flashdeck import no
"""
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert set(lines[0].split()) >= set(subcommands()) | {"--collection", "--version"}
    assert lines[1:] == ["next", "next", "--limit", "good", "fish", "notes.md"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_completion_offers_the_export_file_after_anki(cli, tmp_path):
    """`flashdeck export anki de<Tab>` offered `anki` again (or nothing), never the file:
    the command's word took every position. The fish script offered no file either."""
    script = tmp_path / "flashdeck.bash"
    script.write_text(cli("completion", "bash").out)
    (tmp_path / "deck.apkg").write_text("x")
    probe = f"""
source {script}
complete_words() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ));
  COMPREPLY=(); _flashdeck; printf '[%s]' "${{COMPREPLY[@]}}"; echo; }}
complete_words flashdeck export a
complete_words flashdeck export anki de
complete_words flashdeck answer 12 g
"""
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[anki]", "[deck.apkg]", "[good]"]
    fish = cli("completion", "fish").out.splitlines()
    assert ("complete -c flashdeck -n '__fish_seen_subcommand_from export; and"
            " __fish_seen_subcommand_from anki' -F") in fish


@pytest.mark.skipif(shutil.which("zsh") is None, reason="no zsh here")
def test_zsh_completion_parses(cli, tmp_path):
    script = tmp_path / "_flashdeck"
    script.write_text(cli("completion", "zsh").out)
    assert subprocess.run(["zsh", "-n", str(script)], timeout=60).returncode == 0


@pytest.mark.skipif(shutil.which("fish") is None, reason="no fish here")
def test_fish_completion_parses(cli, tmp_path):
    script = tmp_path / "flashdeck.fish"
    script.write_text(cli("completion", "fish").out)
    assert subprocess.run(["fish", "--no-execute", str(script)], timeout=60).returncode == 0


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_completion_keeps_a_path_with_spaces_whole(cli, tmp_path):
    """`flashdeck import My<Tab>` in a folder holding `My Vault/F1 Score.md` offered the
    words `My`, `Vault/F1` and `Score.md`: the paths were split at their spaces."""
    script = tmp_path / "flashdeck.bash"
    script.write_text(cli("completion", "bash").out)
    (tmp_path / "My Vault").mkdir()
    (tmp_path / "My Vault" / "F1 Score.md").write_text("x")
    probe = f"""
source {script}
complete_words() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ));
  COMPREPLY=(); _flashdeck; printf '[%s]' "${{COMPREPLY[@]}}"; echo; }}
complete_words flashdeck import My
complete_words flashdeck check 'My Vault/F'
complete_words flashdeck --collection 'My Vault/F'
complete_words flashdeck import --j
"""
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[My Vault]", "[My Vault/F1 Score.md]",
                                       "[My Vault/F1 Score.md]", "[--json]"]


# -- mistyped commands and options ----------------------------------------------------------------
@pytest.mark.parametrize("typed, meant", [
    ("lst", "`flashdeck list`"), ("reveiw", "`flashdeck review`"),
    ("imprt", "`flashdeck import`"), ("stat", "`flashdeck stats`"),
    ("unsupend", "`flashdeck unsuspend` or `flashdeck suspend`")])
def test_a_mistyped_command_is_one_line_with_the_command_meant(cli, col, typed, meant):
    """`flashdeck lst` said "argument COMMAND: invalid choice: 'lst' (choose from 'import',
    'check', …)": all 24 names on one line, the one meant to be found by eye."""
    result = cli("--collection", col, typed, "x")
    one_line_usage_error(result)
    assert result.err == (f"flashdeck: {typed!r} is not a flashdeck command; did you mean"
                          f" {meant}? (`flashdeck --help` lists them)\n")


def test_a_word_like_no_command_names_none(cli, col):
    result = cli("--collection", col, "frobnicate")
    one_line_usage_error(result)
    assert result.err == ("flashdeck: 'frobnicate' is not a flashdeck command"
                          " (`flashdeck --help` lists them)\n")


def test_a_mistyped_global_option_is_named_not_its_value(cli, col):
    """`flashdeck --colection C due`: argparse took C for the command ("invalid choice:
    '/home/…/c.sqlite'")."""
    result = cli("--colection", col, "due")
    one_line_usage_error(result)
    assert result.err == ("flashdeck: unknown option '--colection'; did you mean --collection?"
                          " (see `flashdeck --help`)\n")
    assert cli("--coll", col, "due").code == 0  # argparse's own abbreviation still works
    assert cli(f"--collection={col}", "due").code == 0


@pytest.mark.parametrize("command", ["due", "list", "exercise", "doctor"])
def test_an_option_the_command_lacks_points_to_the_commands_help(cli, col, command):
    """`flashdeck due --jsn` pointed to `flashdeck --help`, which lists no option of `due`."""
    result = cli("--collection", col, command, "--jsn")
    one_line_usage_error(result)
    assert result.err == (f"flashdeck {command}: unrecognized arguments: --jsn"
                          f" (see `flashdeck {command} --help`)\n")
