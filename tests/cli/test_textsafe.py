"""The one sanitizer: terminal controls, bidi and invisible format characters made visible,
in everything the screen and the CLI print, and escaped in --json output."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.notes import write_note
from flashdeck.textsafe import _UNSAFE_CHARS, _picture, json_dumps, sanitize

HOSTILE = [
    ("a\x1b[31mred\x07", "a␛[31mred␇"),
    ("\x00\x08\x0b\x0c\r\x7f", "␀␈␋␌␍␡"),
    ("keep\nnew\tlines", "keep\nnew\tlines"),
    ("c1 \x85 \x9b31m", "c1 \ufffd \ufffd31m"),
    ("evil\u202eexe.txt", "evil\ufffdexe.txt"),
    ("\u202a\u202b\u202c\u202d", "\ufffd\ufffd\ufffd\ufffd"),
    ("\u2066x\u2067y\u2068z\u2069", "\ufffdx\ufffdy\ufffdz\ufffd"),
    ("l\u200er\u200fa\u061c", "l\ufffdr\ufffda\ufffd"),
    ("\u206a\u206f", "\ufffd\ufffd"),
    ("line\u2028para\u2029", "line\ufffdpara\ufffd"),
    ("\ufff9hidden\ufffb", "\ufffdhidden\ufffd"),
    ("lone \udc80 surrogate", "lone \ufffd surrogate"),
    # kept on purpose: joiners (emoji, Persian, Indic), zero-width space, accents, flags
    ("👩\u200d💻 می\u200cخواهم a\u200bb e\u0301 🏴\U000e0067\U000e0062\U000e007f",
     "👩\u200d💻 می\u200cخواهم a\u200bb e\u0301 🏴\U000e0067\U000e0062\U000e007f"),
    ("plain ascii, ünïcödé, 数学, ∑ x²", "plain ascii, ünïcödé, 数学, ∑ x²"),
]
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize(("text", "shown"), HOSTILE)
def test_hostile_strings_are_shown_visibly(text: str, shown: str) -> None:
    assert sanitize(text) == shown


@given(st.text())
def test_sanitized_text_holds_no_control_and_no_bidi(text: str) -> None:
    out = sanitize(text)
    assert not any(ch in BIDI or ch in "\u2028\u2029" for ch in out)
    assert not any((ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F
                   for ch in out)
    assert sanitize(out) == out  # idempotent: the placeholders are themselves safe
    assert len(out) == len(text)  # one for one: cuts and widths computed on the source hold
    out.encode("utf-8")  # printable: no lone surrogate survives


def test_a_printable_text_is_returned_as_it_is_as_nothing_in_it_needs_a_picture() -> None:
    """`sanitize` returns a printable text (`str.isprintable`) without looking further: that
    holds only while every code point it replaces is unprintable, checked here for all of
    them (the Unicode database of this Python)."""
    unsafe = re.compile(_UNSAFE_CHARS)
    replaced = [code for code in range(0x110000) if unsafe.match(chr(code))]
    assert len(replaced) > 2000  # the surrogates and the rest
    assert [hex(code) for code in replaced if chr(code).isprintable()] == []
    for text, _ in HOSTILE:
        if text.isprintable():
            assert sanitize(text) is text


@given(st.text())
def test_sanitize_shows_every_unsafe_character_whether_or_not_the_text_is_printable(
        text: str) -> None:
    assert sanitize(text) == re.sub(_UNSAFE_CHARS, _picture, text)


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_round_trips_and_carries_no_raw_control(data) -> None:
    out = json_dumps(data, indent=2)
    assert json.loads(out) == data
    assert sanitize(out) == out


def test_json_escapes_bidi_and_c1_but_keeps_unicode_readable() -> None:
    out = json_dumps({"front": "évil\u202e\x85 数学"})
    assert out == '{"front": "évil\\u202e\\u0085 数学"}'


def _card_with_bidi(cli, tmp_path):
    vault = tmp_path / "vault"
    write_note(vault, "bidi.md",
               "#flashcards\n\nWhat does evil\u202etxt.exe \u2066do\u2069?::It \u200freverses\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    return col


def test_show_and_list_print_no_raw_bidi(cli, tmp_path) -> None:
    col = _card_with_bidi(cli, tmp_path)
    for command in (["show", "1", "--answer"], ["list"], ["info", "1"], ["next"]):
        result = cli("--collection", col, *command)
        assert result.code == 0, (command, result.err)
        assert not any(ch in BIDI for ch in result.out + result.err), command
        if command[0] in ("show", "list"):
            assert "evil\ufffdtxt.exe" in result.out, command


def test_json_output_escapes_bidi(cli, tmp_path) -> None:
    col = _card_with_bidi(cli, tmp_path)
    for command in (["list", "--json"], ["info", "1", "--json"]):
        result = cli("--collection", col, *command)
        assert result.code == 0, (command, result.err)
        assert not any(ch in BIDI for ch in result.out), command
        assert "\\u202e" in result.out, command
        assert "evil\u202etxt.exe" in json.dumps(result.json, ensure_ascii=False)


EVIL = "ev\x1b]0;owned\x07il\u202etxt.\x9b31m"
EVIL_SHOWN = "ev␛]0;owned␇il\ufffdtxt.\ufffd31m"


def assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, repr(text)
    assert "\x9b" not in text, repr(text)


@pytest.mark.parametrize("what", ["directory", "text file", "missing"])
def test_a_hostile_collection_path_in_an_error_is_shown_inert(cli, tmp_path, what) -> None:
    """The collection's path is named in every error about it: a path holding an escape
    (a folder made by a script, a name from a synced drive) drove the terminal from the
    error lines raised while opening the file."""
    path = tmp_path / f"{EVIL}.sqlite"
    if what == "directory":
        path.mkdir()
    elif what == "text file":
        path.write_text("not a database\n")
    for args in (["due"], ["list", "--json"], ["answer", "1", "good"], ["doctor"]):
        result = cli("--collection", path, *args)
        assert result.code == 2, (args, result.err)
        assert_inert(result.err)
        assert f"{tmp_path}/{EVIL_SHOWN}.sqlite" in result.err, (args, result.err)


def test_the_exercises_warning_names_a_hostile_collection_inertly(cli, tmp_path,
                                                                  monkeypatch) -> None:
    path = tmp_path / f"{EVIL}.sqlite"
    path.write_text("not a database\n")
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(path))
    result = cli("exercise")
    assert result.code == 0  # the built-ins still list
    assert "warning: the exercises in your notes cannot be read" in result.err
    assert_inert(result.err)
    assert EVIL_SHOWN in result.err


def test_an_unknown_hostile_deck_is_echoed_inertly(cli, tmp_path) -> None:
    write_note(tmp_path / "vault", "a.md", "#flashcards\n\nQ::A\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", tmp_path / "vault").code == 0
    result = cli("--collection", col, "list", "--deck", EVIL)
    assert result.out == ""
    assert result.err.strip() == f"no cards in deck {EVIL_SHOWN}"
