"""Reading note files and walking a vault: each bad file is one Problem, the rest goes on."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from flashdeck.notes.files import iter_note_files, read_note_file
from flashdeck.notes.parser import parse_note

needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ read_note_file
def test_reads_utf8(tmp_path: Path) -> None:
    p = write(tmp_path / "n.md", "Café::coffee\n")
    assert read_note_file(p) == ("Café::coffee\n", [])


def test_crlf_cr_and_bom_become_plain_lf(tmp_path: Path) -> None:
    p = write(tmp_path / "win.md", b"\xef\xbb\xbf---\r\ntags: [flashcards]\r\n---\r\nQ::A\r\nR::B\rS::C")
    text, problems = read_note_file(p)
    assert problems == []
    assert text == "---\ntags: [flashcards]\n---\nQ::A\nR::B\nS::C"
    note = parse_note(text, str(p))
    assert note.frontmatter == {"tags": ["flashcards"]}
    assert [(c.front, c.back, c.line) for c in note.cards] == [
        ("Q", "A", 4), ("R", "B", 5), ("S", "C", 6)
    ]


def test_a_byte_that_is_not_utf8_is_a_warning_and_the_rest_of_the_note_is_read(
        tmp_path: Path) -> None:
    """As Obsidian shows such a note: the bad byte is U+FFFD, every other line as written.
    It used to stop the whole note (its new and edited cards never came in)."""
    p = write(tmp_path / "latin1.md", "line one\nline two caf".encode() + b"\xe9\nQ::A\n")
    text, problems = read_note_file(p, display="vault/latin1.md")
    assert text == "line one\nline two caf\ufffd\nQ::A\n"
    assert [(str(x), x.severity) for x in problems] == [
        ("vault/latin1.md:2: not valid UTF-8 (byte 0xe9 at column 13): read as \ufffd;"
         " save the note as UTF-8 to keep the character", "warning")
    ]
    assert p.read_bytes() == "line one\nline two caf".encode() + b"\xe9\nQ::A\n"


def test_bad_bytes_name_each_line_they_are_on_up_to_a_bound(tmp_path: Path) -> None:
    """Lines counted as the note is read (CRLF, CR, LF each end one); one warning a line,
    five lines at most, the last saying there are more."""
    data = b"a\xff\xfe b\xff\r\nok\rc\xc3\n" + b"".join(b"x\x80\n" for _ in range(1000))
    text, problems = read_note_file(write(tmp_path / "n.md", data), "n.md")
    assert text.splitlines()[:4] == ["a\ufffd\ufffd b\ufffd", "ok", "c\ufffd", "x\ufffd"]
    assert [(x.line, x.message.split(":")[0], x.severity) for x in problems] == [
        (1, "not valid UTF-8 (byte 0xff at column 2)", "warning"),
        (3, "not valid UTF-8 (byte 0xc3 at column 2)", "warning"),
        (4, "not valid UTF-8 (byte 0x80 at column 2)", "warning"),
        (5, "not valid UTF-8 (byte 0x80 at column 2)", "warning"),
        (6, "not valid UTF-8 (byte 0x80 at column 2)", "warning"),
    ]
    assert problems[-1].message.endswith("(and on later lines)")
    assert not problems[-2].message.endswith("(and on later lines)")


def test_nul_bytes_are_a_binary_file(tmp_path: Path) -> None:
    p = write(tmp_path / "bin.md", b"text\nmore\x00\x01\x02")
    text, problems = read_note_file(p)
    assert text is None
    assert [(x.line, x.message) for x in problems] == [
        (2, "binary file (NUL byte), not a markdown note")
    ]


def test_binary_md_file(tmp_path: Path) -> None:
    p = write(tmp_path / "image.md", bytes(range(256)) * 4)
    text, problems = read_note_file(p)
    assert text is None and len(problems) == 1 and "binary" in problems[0].message


def test_utf16_file_is_named(tmp_path: Path) -> None:
    p = write(tmp_path / "u16.md", "Q::A".encode("utf-16"))
    text, problems = read_note_file(p)
    assert text is None and "UTF-16" in problems[0].message


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "x.md").mkdir()
    text, problems = read_note_file(tmp_path / "x.md")
    assert text is None and [x.message for x in problems] == ["is a folder, not a note file"]


def test_missing_file(tmp_path: Path) -> None:
    text, problems = read_note_file(tmp_path / "gone.md", display="gone.md")
    assert text is None and [str(x) for x in problems] == ["gone.md:1: file not found"]


@needs_symlinks
def test_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "nowhere.md")
    text, problems = read_note_file(link)
    assert text is None and problems[0].message.startswith("dangling symlink")


@needs_symlinks
def test_symlink_loop_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    text, problems = read_note_file(tmp_path / "a.md")
    assert text is None and [x.message for x in problems] == ["symlink loop"]


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root reads everything"
)
def test_unreadable_file(tmp_path: Path) -> None:
    p = write(tmp_path / "secret.md", "Q::A")
    p.chmod(0)
    try:
        text, problems = read_note_file(p)
    finally:
        p.chmod(0o644)
    assert text is None and "permission denied" in problems[0].message


def test_bytes_already_read_are_decoded_without_reading_again(tmp_path: Path) -> None:
    p = tmp_path / "not-on-disk.md"
    assert read_note_file(p, "n.md", data=b"\xef\xbb\xbfQ::A\r\n") == ("Q::A\n", [])
    text, problems = read_note_file(p, "n.md", data=b"ok\n\xff")
    assert text == "ok\n\ufffd" and [x.line for x in problems] == [2]


def test_empty_file(tmp_path: Path) -> None:
    assert read_note_file(write(tmp_path / "e.md", b"")) == ("", [])


# ----------------------------------------------------------------- iter_note_files
def walk(root: Path) -> list[tuple[str, str | None]]:
    return [
        (path.relative_to(root).as_posix(), problem.message if problem else None)
        for path, problem in iter_note_files(root)
    ]


def test_walk_is_sorted_and_skips_hidden_and_non_notes(tmp_path: Path) -> None:
    for name in ("b.md", "a.MD", "c.txt", "sub/z.md", "sub/deeper/y.Md", ".obsidian/app.md",
                 ".trash/old.md", ".git/x.md", "sub/.hidden.md", "img.png", "d.markdown"):
        write(tmp_path / name, "x")
    assert walk(tmp_path) == [
        ("a.MD", None), ("b.md", None), ("sub/deeper/y.Md", None), ("sub/z.md", None)
    ]
    assert walk(tmp_path) == walk(tmp_path)


def test_folder_named_like_a_note_is_walked_not_read(tmp_path: Path) -> None:
    write(tmp_path / "x.md" / "inner.md", "x")
    write(tmp_path / "y.md", "x")
    assert walk(tmp_path) == [("x.md/inner.md", None), ("y.md", None)]


@needs_symlinks
def test_symlinks_followed_safely(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    write(vault / "a.md", "x")
    write(vault / "notes" / "n.md", "x")
    write(tmp_path / "outside" / "o.md", "x")
    (vault / "linked").symlink_to(tmp_path / "outside")  # followed
    (vault / "notes" / "loop").symlink_to(vault)  # back up the tree: a loop
    (vault / "self").symlink_to(vault / "self")  # a link to itself
    (vault / "dangling.md").symlink_to(tmp_path / "missing.md")
    (vault / "dangling-folder").symlink_to(tmp_path / "missing-folder")  # not a note: quiet
    (vault / "file-link.md").symlink_to(vault / "a.md")
    assert walk(vault) == [
        ("a.md", None),
        ("dangling.md", "dangling symlink"),
        ("linked/o.md", None),
        ("notes/loop", "symlink loop (links to a folder above it)"),
        ("notes/n.md", None),
        ("self", "symlink loop"),
    ]


@needs_symlinks
def test_second_link_to_a_walked_folder_is_not_read_twice(tmp_path: Path) -> None:
    write(tmp_path / "a" / "n.md", "x")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert walk(tmp_path) == [("a/n.md", None)]


@needs_symlinks
def test_a_note_with_two_names_is_walked_once(tmp_path: Path) -> None:
    """A symlink to a note of the vault (before or after it in the walk) is skipped: the note
    keeps its own name; two names of one file otherwise (a hard link, two links to a note
    outside) give the first. A link to a note in a hidden folder or not named like a note is
    the only way to it, and is walked."""
    write(tmp_path / "vault" / "m.md", "x")
    write(tmp_path / "vault" / ".hidden" / "h.md", "x")
    write(tmp_path / "vault" / "plain.txt", "x")
    write(tmp_path / "outside" / "o.md", "x")
    vault = tmp_path / "vault"
    (vault / "a-link.md").symlink_to(vault / "m.md")  # before m.md in the walk
    (vault / "sub").mkdir()
    (vault / "sub" / "z-link.md").symlink_to(Path("..") / "m.md")  # after it, relative
    (vault / "b-out.md").symlink_to(tmp_path / "outside" / "o.md")
    (vault / "c-out.md").symlink_to(tmp_path / "outside" / "o.md")
    (vault / "d-hidden.md").symlink_to(vault / ".hidden" / "h.md")
    (vault / "e-text.md").symlink_to(vault / "plain.txt")
    os.link(vault / "m.md", vault / "n-hard.md")
    assert walk(vault) == [("b-out.md", None), ("d-hidden.md", None), ("e-text.md", None),
                           ("m.md", None)]


def test_root_that_is_not_a_folder(tmp_path: Path) -> None:
    note = write(tmp_path / "n.md", "x")
    assert [(p, x.message if x else None) for p, x in iter_note_files(note)] == [
        (note, "not a folder")
    ]
    missing = tmp_path / "missing"
    results = list(iter_note_files(missing))
    assert len(results) == 1 and results[0][1] is not None


def test_bad_files_do_not_stop_the_rest(tmp_path: Path) -> None:
    write(tmp_path / "1-good.md", "Q1::A1")
    write(tmp_path / "2-binary.md", b"\x00\x01")
    write(tmp_path / "3-latin1.md", b"caf\xe9::coffee")
    (tmp_path / "4-folder.md").mkdir()
    write(tmp_path / "5-good.md", "\ufeffQ5::A5\r\n")
    cards, problems = [], []
    for path, problem in iter_note_files(tmp_path):
        assert problem is None
        text, read_problems = read_note_file(path, path.name)
        problems.extend(str(p) for p in read_problems)
        if text is not None:
            cards.extend(c.front for c in parse_note(text, path.name).cards)
    assert cards == ["Q1", "caf\ufffd", "Q5"]
    assert problems == [
        "2-binary.md:1: binary file (NUL byte), not a markdown note",
        "3-latin1.md:1: not valid UTF-8 (byte 0xe9 at column 4): read as \ufffd; save the note"
        " as UTF-8 to keep the character",
    ]
