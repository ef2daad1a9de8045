"""`.flashdeck.toml` [cards]: a bad value costs only that key, and says where it is."""

from __future__ import annotations

from pathlib import Path

from flashdeck.notes.model import ParserSettings
from flashdeck.notes.parser import parse_note
from flashdeck.notes.settings import load_vault_settings


def settings_from(tmp_path: Path, toml: str):
    (tmp_path / ".flashdeck.toml").write_text(toml, encoding="utf-8")
    settings, problems = load_vault_settings(tmp_path)
    return settings, [(p.line, p.message, p.severity) for p in problems]


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_vault_settings(tmp_path) == (ParserSettings(), [])


def test_no_cards_section_gives_defaults(tmp_path: Path) -> None:
    assert settings_from(tmp_path, "# nothing set\n") == (ParserSettings(), [])


def test_a_misspelt_section_is_a_warning_and_cards_still_apply(tmp_path: Path) -> None:
    """`[card]` for `[cards]` used to leave its settings unused without a word."""
    settings, problems = settings_from(
        tmp_path, 'title = "my vault"\n[card]\ncloze = ["bold"]\n'
                  '[cards]\ntags = ["srs"]\n[[cards2]]\nx = 1\n[card.sub]\ny = 2\n')
    assert settings == ParserSettings(tags=("srs",))
    assert problems == [
        (1, "unknown section or key 'title'; ignored (settings go in [cards])", "warning"),
        (2, "unknown section or key 'card'; ignored (settings go in [cards])", "warning"),
        (6, "unknown section or key 'cards2'; ignored (settings go in [cards])", "warning"),
    ]
    settings, problems = settings_from(tmp_path, '[card]\ncloze = ["bold"]\n')
    assert settings == ParserSettings()
    assert [(line, severity) for line, _, severity in problems] == [(1, "warning")]


def test_all_keys(tmp_path: Path) -> None:
    settings, problems = settings_from(
        tmp_path,
        '[cards]\ntags = ["#srs", "flashcards/ml"]\ncloze = ["highlight", "Bold", "curly"]\n'
        'multiline_end_marker = "---"\ndecks = "folders"\n',
    )
    assert problems == []
    assert settings == ParserSettings(
        tags=("srs", "flashcards/ml"),
        cloze=("highlight", "bold", "curly"),
        multiline_end_marker="---",
        decks="folders",
    )


def test_empty_cloze_list_turns_clozes_off(tmp_path: Path) -> None:
    settings, problems = settings_from(tmp_path, "[cards]\ncloze = []\n")
    assert problems == [] and settings.cloze == ()


def test_bad_values_keep_their_defaults_and_say_where(tmp_path: Path) -> None:
    settings, problems = settings_from(
        tmp_path,
        '# vault settings\n[cards]\ntags = "flashcards"\ncloze = ["highlight", "underline"]\n'
        'multiline_end_marker = 3\ndecks = "topics"\ncolour = "red"\n',
    )
    assert settings == ParserSettings()
    assert [(line, severity) for line, _, severity in problems] == [
        (3, "error"), (4, "error"), (5, "error"), (6, "error"), (7, "warning")
    ]
    messages = [m for _, m, _ in problems]
    assert messages[0].startswith("[cards] tags: must be a non-empty list")
    assert "'underline'" not in messages[1] and "'bold'" in messages[1]
    assert messages[4] == "[cards] unknown setting 'colour'; ignored"


def test_one_bad_key_keeps_the_good_ones(tmp_path: Path) -> None:
    settings, problems = settings_from(
        tmp_path, '[cards]\ntags = ["srs"]\ndecks = 1\nmultiline_end_marker = "+++"\n'
    )
    assert settings == ParserSettings(tags=("srs",), multiline_end_marker="+++")
    assert [line for line, _, _ in problems] == [3]


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    settings, problems = settings_from(tmp_path, '[cards]\ntags = ["a"\ndecks = "tags"\n')
    assert settings == ParserSettings()
    assert len(problems) == 1
    line, message, severity = problems[0]
    assert line in (2, 3) and message.startswith("invalid TOML") and severity == "error"


def test_cards_not_a_table(tmp_path: Path) -> None:
    settings, problems = settings_from(tmp_path, 'title = "x"\ncards = 3\n')
    assert settings == ParserSettings()
    assert [(line, severity) for line, _, severity in problems] == [(1, "warning"), (2, "error")]


def test_not_utf8_and_folder(tmp_path: Path) -> None:
    (tmp_path / ".flashdeck.toml").write_bytes(b'[cards]\ntags = ["caf\xe9"]\n')
    settings, problems = load_vault_settings(tmp_path)
    assert settings == ParserSettings() and [p.line for p in problems] == [2]
    (tmp_path / ".flashdeck.toml").unlink()
    (tmp_path / ".flashdeck.toml").mkdir()
    settings, problems = load_vault_settings(tmp_path)
    assert settings == ParserSettings() and len(problems) == 1
    assert str(problems[0]).startswith(str(tmp_path / ".flashdeck.toml") + ":1: ")


def test_settings_drive_the_parser(tmp_path: Path) -> None:
    settings, _ = settings_from(
        tmp_path, '[cards]\ntags = ["srs"]\ncloze = ["bold"]\nmultiline_end_marker = "+++"\n'
    )
    note = parse_note("#srs/chem\nThe **heart** and ==not this==\n\nQ\n?\nA\n\nB\n+++", "n.md", settings)
    assert note.tagged
    assert [(c.kind, c.front, c.back, c.deck) for c in note.cards] == [
        ("cloze", "The [...] and ==not this==", "The ==heart== and ==not this==", "srs/chem"),
        ("basic", "Q", "A\n\nB", "srs/chem"),
    ]


def test_a_bracket_never_closed_names_the_last_line_written(tmp_path: Path) -> None:
    """TOML reports a list or string left open "at end of document", with no line: the
    message said line 1 (the `[cards]` header), far from the typo."""
    settings, problems = settings_from(
        tmp_path, '# my vault\n[cards]\ndecks = "folders"\ntags = ["flashcards",\n\n\n')
    assert settings == ParserSettings()
    [(line, message, severity)] = problems
    assert line == 4 and "end of document" in message and severity == "error"
