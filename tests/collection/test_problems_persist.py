"""A note's problems are kept with it (PRODUCT.md §2, issue 15): an unchanged note's errors and
warnings are reported by every import, which exits 1 while any error remains, until the note
changes and parses clean; a note gone takes its problems with it; `doctor` lists them."""

from __future__ import annotations

import os
import sqlite3

import pytest

from support.notes import write_note
from support.schema import back_to_schema_10
from flashdeck.collection import importer
from flashdeck.collection.report import MAX_KEPT_PROBLEMS
from flashdeck.collection.store import SCHEMA_VERSION, Collection

BAD_EXERCISE = """\
---
tags: [flashcards]
---

Good question::good answer

```flashdeck-exercise
id: bad
title: Double it
prompt: double {a}
answer: 2*a
steps: [twice a]
```
"""
FIXED_EXERCISE = BAD_EXERCISE.replace("steps:", "vars:\n  a: [1, 5]\nsteps:")
EMPTY_SIDE = "#flashcards\n\nQ::\nFine::yes\n"
GOOD = "#flashcards\n\nFrance::Paris\n"


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    write_note(folder, "exercise.md", BAD_EXERCISE)
    write_note(folder, "empty side.md", EMPTY_SIDE)
    write_note(folder, "good.md", GOOD)
    return folder


@pytest.fixture
def col(tmp_path):
    return tmp_path / "c.sqlite"


def problems(report: dict, kind: str = "errors") -> list[tuple]:
    return [(os.path.basename(p["path"]), p["line"], p["message"]) for p in report[kind]]


def test_the_first_import_finds_the_problems(cli, vault, col):
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 1
    errors = problems(result.json)
    assert errors and {name for name, _, _ in errors} == {"exercise.md"}
    assert any("a" in message for _, _, message in errors)
    assert problems(result.json, "warnings") == [("empty side.md", 3,
                                                  "card has an empty back; skipped")]


def test_an_unchanged_note_reports_its_problems_on_every_import(cli, vault, col):
    first = cli("--collection", col, "import", vault, "--json")
    for _ in range(2):
        again = cli("--collection", col, "import", vault, "--json")
        assert again.code == 1
        assert again.json["notes"]["unchanged"] == 3 and again.json["notes"]["imported"] == 0
        assert problems(again.json) == problems(first.json)
        assert problems(again.json, "warnings") == problems(first.json, "warnings")
    text = cli("--collection", col, "import", vault)
    assert text.code == 1
    for name, line, message in problems(first.json):
        assert f"{vault / name}:{line}: {message}" in text.err
    assert f"{vault / 'empty side.md'}:3: warning: card has an empty back; skipped" in text.err
    assert "errors" in text.out and "1 warning" in text.out


def test_a_touched_but_unchanged_note_reports_them_too(cli, vault, col):
    """Size or mtime changed, same content: the hash spares the parse, not the report."""
    first = cli("--collection", col, "import", vault, "--json")
    os.utime(vault / "exercise.md", ns=(1, 1))
    os.utime(vault / "empty side.md", ns=(1, 1))
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 1 and again.json["notes"]["unchanged"] == 3
    assert problems(again.json) == problems(first.json)
    assert problems(again.json, "warnings") == problems(first.json, "warnings")
    third = cli("--collection", col, "import", vault, "--json")
    assert problems(third.json) == problems(first.json)


def test_messages_name_the_note_as_this_import_names_the_vault(cli, vault, col, tmp_path,
                                                               monkeypatch):
    cli("--collection", col, "import", vault)
    monkeypatch.chdir(tmp_path)
    again = cli("--collection", col, "import", "vault", "--json")
    assert {p["path"] for p in again.json["errors"]} == {"vault/exercise.md"}
    assert {p["path"] for p in again.json["warnings"]} == {"vault/empty side.md"}


def test_a_fixed_note_is_clean_from_then_on(cli, vault, col):
    cli("--collection", col, "import", vault)
    write_note(vault, "exercise.md", FIXED_EXERCISE)
    fixed = cli("--collection", col, "import", vault, "--json")
    assert fixed.code == 0, fixed.out
    assert fixed.json["errors"] == [] and fixed.json["notes"]["imported"] == 1
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 0 and again.json["errors"] == []
    # the warning of the other note stays until that note is fixed too
    assert problems(again.json, "warnings") == [("empty side.md", 3,
                                                 "card has an empty back; skipped")]
    write_note(vault, "empty side.md", "#flashcards\n\nQ::A\nFine::yes\n")
    cli("--collection", col, "import", vault)
    assert cli("--collection", col, "import", vault, "--json").json["warnings"] == []


def test_a_note_that_changes_but_stays_broken_reports_what_it_has_now(cli, vault, col):
    cli("--collection", col, "import", vault)
    write_note(vault, "exercise.md", BAD_EXERCISE.replace("Good question", "Better question"))
    changed = cli("--collection", col, "import", vault, "--json")
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 1 and problems(again.json) == problems(changed.json)
    assert {line for _, line, _ in problems(again.json)} >= {8}


def test_warnings_alone_are_repeated_and_exit_0(cli, tmp_path, col):
    folder = tmp_path / "warned"
    write_note(folder, "empty side.md", EMPTY_SIDE)
    write_note(folder, "good.md", GOOD)
    for _ in range(3):
        result = cli("--collection", col, "import", folder, "--json")
        assert result.code == 0 and result.json["errors"] == []
        assert problems(result.json, "warnings") == [("empty side.md", 3,
                                                      "card has an empty back; skipped")]


def test_a_deleted_note_takes_its_problems_with_it(cli, vault, col):
    cli("--collection", col, "import", vault)
    (vault / "exercise.md").unlink()
    (vault / "empty side.md").unlink()
    gone = cli("--collection", col, "import", vault, "--json")
    assert gone.code == 0 and gone.json["errors"] == [] and gone.json["warnings"] == []
    assert gone.json["notes"]["gone"] == 2
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 0 and again.json["errors"] == []
    doctor = cli("--collection", col, "doctor", "--json").json
    assert doctor["note_problems"]["notes"] == 0
    # back again (same content): read again, and so reported again
    write_note(vault, "exercise.md", BAD_EXERCISE)
    back = cli("--collection", col, "import", vault, "--json")
    assert back.code == 1 and {name for name, _, _ in problems(back.json)} == {"exercise.md"}


def test_an_untagged_note_with_an_error_keeps_it_and_loses_it_when_deleted(cli, tmp_path, col):
    """A folder note whose frontmatter cannot be read is not taken as a flashcard note, but
    its error is still its own: repeated, and gone with it — even when it comes back with
    the very same size and mtime (`mv` out and back)."""
    folder = tmp_path / "vault"
    broken = write_note(folder, "broken yaml.md", "---\ntags: [flashcards\n---\n\nQ1::A1\n")
    write_note(folder, "good.md", GOOD)
    first = cli("--collection", col, "import", folder, "--json")
    assert first.code == 1 and problems(first.json)
    again = cli("--collection", col, "import", folder, "--json")
    assert again.code == 1 and problems(again.json) == problems(first.json)
    assert again.json["notes"]["skipped"] == 1
    aside = tmp_path / "aside.md"
    os.rename(broken, aside)
    assert cli("--collection", col, "import", folder, "--json").code == 0
    os.rename(aside, broken)
    back = cli("--collection", col, "import", folder, "--json")
    assert back.code == 1 and problems(back.json) == problems(first.json)


def test_an_unreadable_note_keeps_its_problem_and_its_cards(cli, vault, col):
    cli("--collection", col, "import", vault)
    before = {c["front"] for c in cli("--collection", col, "list", "--json").json}
    (vault / "good.md").write_bytes(b"#flashcards\n\nFrance::Par\x00is\n")  # a NUL: binary
    first = cli("--collection", col, "import", vault, "--json")
    assert first.code == 1
    unreadable = [p for p in problems(first.json) if p[0] == "good.md"]
    assert len(unreadable) == 1
    for _ in range(2):
        again = cli("--collection", col, "import", vault, "--json")
        assert again.code == 1 and problems(again.json) == problems(first.json)
    assert {c["front"] for c in cli("--collection", col, "list", "--json").json} == before
    write_note(vault, "good.md", GOOD)
    fixed = cli("--collection", col, "import", vault, "--json")
    assert not [p for p in problems(fixed.json) if p[0] == "good.md"]


def test_a_new_unreadable_note_is_reported_on_every_import(cli, vault, col):
    (vault / "binary.md").write_bytes(bytes(range(256)) * 4)
    first = cli("--collection", col, "import", vault, "--json")
    names = [name for name, _, _ in problems(first.json)]
    assert names.count("binary.md") == 1
    again = cli("--collection", col, "import", vault, "--json")
    assert problems(again.json) == problems(first.json)


def test_a_new_parser_reads_everything_again_and_reports_each_problem_once(cli, vault, col,
                                                                          monkeypatch):
    write_note(vault, "broken yaml.md", "---\ntags: [flashcards\n---\n\nQ1::A1\n")
    first = cli("--collection", col, "import", vault, "--json")
    monkeypatch.setattr(importer, "PARSER_VERSION", "a newer one")
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 1
    assert sorted(problems(again.json)) == sorted(problems(first.json))
    assert problems(again.json, "warnings") == problems(first.json, "warnings")
    third = cli("--collection", col, "import", vault, "--json")
    assert sorted(problems(third.json)) == sorted(problems(first.json))


def test_a_file_source_keeps_its_problems_too(cli, vault, col):
    note = vault / "exercise.md"
    first = cli("--collection", col, "import", note, "--json")
    again = cli("--collection", col, "import", note, "--json")
    assert again.code == 1 and again.json["errors"] == first.json["errors"]
    assert {p["path"] for p in again.json["errors"]} == {str(note)}


def test_a_note_with_a_flood_of_problems_keeps_a_bounded_number(cli, tmp_path, col):
    folder = tmp_path / "flood"
    write_note(folder, "flood.md", "#flashcards\n\n" + "Q::\n" * 100_000 + "Fine::yes\n")
    first = cli("--collection", col, "import", folder, "--json")
    assert first.code == 0 and len(first.json["warnings"]) == 100_000
    with Collection.open(col) as c:
        kept = c.conn.execute("SELECT count(*) FROM note_problems").fetchone()[0]
    assert kept == MAX_KEPT_PROBLEMS + 1
    again = cli("--collection", col, "import", folder, "--json")
    assert again.code == 0 and len(again.json["warnings"]) == MAX_KEPT_PROBLEMS + 1
    assert again.json["warnings"][:MAX_KEPT_PROBLEMS] == first.json["warnings"][:MAX_KEPT_PROBLEMS]
    last = again.json["warnings"][-1]
    assert last["line"] == 3 + MAX_KEPT_PROBLEMS
    assert last["message"].startswith(f"{100_000 - MAX_KEPT_PROBLEMS} more problems not kept")


def test_doctor_lists_the_notes_problems_without_calling_the_collection_damaged(cli, vault,
                                                                                col):
    cli("--collection", col, "import", vault)
    result = cli("--collection", col, "doctor")
    assert result.code == 0, result.out  # the notes' problems, not the collection's
    assert "note problems: 2 notes with" in result.out
    assert f"{vault / 'exercise.md'}:" in result.out
    assert f"{vault / 'empty side.md'}:3: warning: card has an empty back; skipped" \
        in result.out
    report = cli("--collection", col, "doctor", "--json").json
    assert report["ok"] is True and report["problems"] == []
    kept = report["note_problems"]
    assert kept["notes"] == 2 and kept["warnings"] == 1 and kept["errors"] >= 1
    assert len(kept["listed"]) == kept["errors"] + kept["warnings"]
    assert {os.path.basename(p["path"]) for p in kept["listed"]} == {"exercise.md",
                                                                      "empty side.md"}
    write_note(vault, "exercise.md", FIXED_EXERCISE)
    write_note(vault, "empty side.md", GOOD)
    cli("--collection", col, "import", vault)
    clean = cli("--collection", col, "doctor")
    assert clean.code == 0 and "note problems" not in clean.out
    assert clean.out.rstrip().endswith("no problems found")


def test_doctor_lists_the_first_few_and_counts_the_rest(cli, tmp_path, col):
    folder = tmp_path / "many"
    write_note(folder, "many.md", "#flashcards\n\n" + "Q::\n" * 30 + "Fine::yes\n")
    cli("--collection", col, "import", folder)
    result = cli("--collection", col, "doctor")
    assert "note problems: 1 note with 30 warnings" in result.out
    assert "... and 20 more" in result.out
    assert len(cli("--collection", col, "doctor", "--json").json["note_problems"]["listed"]) == 30


def test_a_version_9_collection_is_migrated_with_a_backup_and_reads_its_notes_again(
        cli, vault, col):
    """Before version 10 nothing was kept: the first import after the upgrade reads every
    note again (as a new parser would), so an unchanged note's problems are found again."""
    cli("--collection", col, "import", vault)
    before = {c["id"] for c in cli("--collection", col, "list", "--json").json}
    conn = sqlite3.connect(col)
    back_to_schema_10(conn)
    conn.execute("DROP TABLE note_problems")
    conn.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with Collection.open(col) as c:
        assert c.schema_version() == SCHEMA_VERSION == 13
        assert c.conn.execute("SELECT count(*) FROM note_problems").fetchone()[0] == 0
    backup = col.with_name(col.name + ".v9.bak")
    assert backup.exists()
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                           ).fetchone()[0] == "9"
    first = cli("--collection", col, "import", vault, "--json")
    assert first.code == 1 and problems(first.json)
    assert first.json["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 1 and problems(again.json) == problems(first.json)
    assert {c["id"] for c in cli("--collection", col, "list", "--json").json} == before
    assert cli("--collection", col, "doctor", "--json").json["ok"] is True


def test_a_forgotten_vault_takes_its_problems_with_it(cli, vault, col):
    cli("--collection", col, "import", vault)
    assert cli("--collection", col, "doctor", "--json").json["note_problems"]["notes"] == 2
    forgot = cli("--collection", col, "forget", vault)
    assert forgot.code == 0, forgot.err
    report = cli("--collection", col, "doctor", "--json").json
    assert report["note_problems"] == {"notes": 0, "errors": 0, "warnings": 0, "listed": []}
    # imported again: read again, and its problems with it
    back = cli("--collection", col, "import", vault, "--json")
    assert back.code == 1 and {name for name, _, _ in problems(back.json)} == {"exercise.md"}
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 1 and problems(again.json) == problems(back.json)
