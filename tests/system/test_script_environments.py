"""The command line as scripts, cron jobs and odd terminals run it: standard streams closed or
broken, an output encoding that is not UTF-8. Real subprocesses, as the shell starts them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.notes import write_note
from support.reliability import env


@pytest.fixture
def col(cli, tmp_path) -> Path:
    """A collection of German, Japanese, Arabic and emoji cards, as a user's vault has them."""
    vault = tmp_path / "vault"
    write_note(vault, "Grüße.md", "---\ntags: [flashcards/deutsch/übung]\n"
                                  "summary: Eine höfliche Begrüßung.\n---\n\n"
                                  "Wie sagt man \"good morning\"?::Guten Morgen — Straße\n")
    write_note(vault, "日本語.md",
               "#flashcards/日本語\n\n犬は英語で何ですか？::dog 🐕‍🦺\n")
    write_note(vault, "عربي.md",
               "#flashcards/عربي\n\nما هو الكتاب؟::book كتاب\n")
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", vault).code == 0
    return path


def run(col: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    extra = kwargs.pop("extra_env", {})
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(col), *args],
                          env=env(col, **extra), timeout=120, cwd=str(col.parent), **kwargs)


PLAIN = [["list"], ["due"], ["next"], ["show", "1", "--answer"], ["show", "3", "--answer"],
         ["info", "2"], ["sources"], ["stats"], ["exercise", "f1-counts", "--seed", "3"],
         ["retention"], ["check", "{vault}"]]
JSON = [["list", "--json"], ["due", "--json"], ["next", "--json"], ["info", "2", "--json"],
        ["check", "{vault}", "--json"], ["exercise", "--json"], ["stats", "--json"]]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_an_output_encoding_without_unicode_prints_escapes_not_an_error(col, encoding, args):
    """PYTHONIOENCODING=ascii (or a latin-1 locale with Python's UTF-8 mode off): every
    command that printed a deck `übung` or a card in Japanese was "internal error:
    UnicodeEncodeError", exit 2. What the encoding cannot carry is written escaped."""
    args = [a.format(vault=col.parent / "vault") for a in args]
    done = run(col, *args, extra_env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""
    out = done.stdout.decode(encoding)
    assert out.strip()
    if args[0] == "list":
        assert "Gr\\xfc\\xdfe" in out or "Grüße" in out
    if args[0] == "due":
        assert "\\xfcbung" in out or "übung" in out
    if args[0] in ("list", "due"):
        assert "\\u65e5\\u672c\\u8a9e" in out  # 日本語


@pytest.mark.parametrize("args", JSON, ids=" ".join)
def test_json_in_an_ascii_output_is_valid_and_holds_the_same_text(col, args):
    args = [a.format(vault=col.parent / "vault") for a in args]
    utf8 = run(col, *args)
    ascii_ = run(col, *args, extra_env={"PYTHONIOENCODING": "ascii"})
    assert (ascii_.returncode, ascii_.stderr) == (utf8.returncode, b"")
    assert ascii_.stdout.isascii()
    assert json.loads(ascii_.stdout.decode("ascii")) == json.loads(utf8.stdout.decode("utf-8"))


@pytest.mark.skipif(os.name != "posix", reason="closed descriptors at start are POSIX")
def test_review_with_stdin_closed_says_it_needs_a_terminal(col):
    """`flashdeck review <&-` (a cron job, a detached ssh command): it was "internal error:
    AttributeError: 'NoneType' object has no attribute 'isatty'"."""
    done = run(col, "review", preexec_fn=lambda: os.close(0))
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode() == ("flashdeck: review needs a terminal; in scripts use"
                                    " `flashdeck next` and `flashdeck answer`\n")


@pytest.mark.skipif(os.name != "posix", reason="closed descriptors at start are POSIX")
def test_stderr_closed_leaves_stdout_to_the_output(cli, col, tmp_path):
    """`flashdeck import VAULT 2>&-`: the problem lines had nowhere to go and the import ended
    "internal error: AttributeError", printed on stdout (exit 2); `review 2>&-` printed its
    refusal on stdout. Now the problems are dropped as asked and the exit code tells."""
    vault = col.parent / "vault"
    write_note(vault, "broken.md", "#flashcards\n\nFront::Back\n")
    (vault / "broken.md").write_bytes(b"#flashcards\nQ\x00::A\n")
    done = run(col, "import", str(vault), preexec_fn=lambda: os.close(2), stderr=None)
    assert done.returncode == 1
    assert done.stdout.decode().startswith("4 notes scanned")
    assert "error" in done.stdout.decode() and "internal" not in done.stdout.decode()
    done = run(col, "review", preexec_fn=lambda: os.close(2), stderr=None)
    assert (done.returncode, done.stdout) == (2, b"")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_version_to_a_full_disk_is_one_line(col):
    """`flashdeck --version > /dev/full` ended in a Python traceback."""
    with open("/dev/full", "w") as full:
        done = run(col, "--version", stdout=full)
    assert done.returncode == 2
    assert done.stderr.decode() == "flashdeck: cannot write the output: No space left on device\n"


@pytest.mark.skipif(os.name != "posix", reason="a pipe with no reader is POSIX")
@pytest.mark.parametrize("args", [["show", "1", "--answer"], ["show", "2"], ["list"]],
                         ids=" ".join)
def test_a_reader_gone_away_is_exit_0_for_show_as_for_every_command(col, args):
    """`flashdeck show 1 --answer | head -1`: Rich's own handling of the closed pipe made
    `show` exit 1 ("some input failed"), where every other command exits 0."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        done = run(col, *args, stdout=write)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (0, b"")


def in_a_terminal(col: Path, *args: str, stderr=None, **extra: str) -> tuple[int, str]:
    """Run flashdeck with a pseudo-terminal as its stdin and stdout (and stderr, unless
    given): its exit code and what the terminal showed (run to completion: for commands that
    end by themselves)."""
    import pty

    leader, follower = pty.openpty()
    try:
        done = run(col, *args, stdin=follower, stdout=follower,
                   stderr=follower if stderr is None else stderr, extra_env=extra)
        os.close(follower)
        shown = b""
        while True:  # bounded: the child has ended, its output is in the pty's buffer
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # Linux: no writer left, the buffer read out
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    return done.returncode, shown.decode().replace("\r\n", "\n")


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_review_with_stderr_redirected_says_so_instead_of_drawing_unseen(col, tmp_path):
    """`flashdeck review 2>>errors.log`: Textual draws on stderr, so the review ran into the
    file, the terminal blank, while the keys typed still answered cards."""
    log = tmp_path / "errors.log"
    with open(log, "w") as err:
        code, shown = in_a_terminal(col, "review", stderr=err)
    message = ("flashdeck: review draws its screen on standard error, which is not a terminal"
               " here (`2>` a file?); run it without redirecting stderr")
    assert code == 2
    assert shown == message + "\n"
    assert log.read_text() == message + "\n"
    assert run(col, "log", "--json").stdout == b"[]\n"  # no card answered unseen


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("term", ["dumb", "unknown"])
def test_review_in_a_dumb_terminal_says_how_to_run_it(col, term):
    """TERM=dumb (Emacs' M-x shell, a bare ssh session): Rich took the terminal for 80x25
    with no cursor control; the screen lost its key bar off the bottom and was never
    redrawn, so every key seemed dead, q too."""
    code, shown = in_a_terminal(col, "review", TERM=term)
    assert code == 2
    assert shown == (f"flashdeck: review needs a terminal that can draw a screen, and"
                     f" TERM={term} says this one cannot; if it can, run"
                     " `TERM=xterm-256color flashdeck review`\n")


@pytest.mark.skipif(os.name != "posix", reason="a pipe with no reader is POSIX")
@pytest.mark.parametrize("args", [["check", "{vault}"], ["import", "{vault}"],
                                  ["import", "{vault}", "--json"]], ids=" ".join)
def test_a_reader_gone_away_keeps_the_problems_and_their_exit_code(col, args):
    """`flashdeck check VAULT | head`: the reader closed the pipe before the problems (on
    stderr, after the cards) were said; they never were, and the exit code was 0. Import
    too: its notes failed, the exit code said it went fine."""
    vault = col.parent / "vault"
    (vault / "broken.md").write_bytes(b"#flashcards\nQ\x00::A\n")
    read, write = os.pipe()
    os.close(read)
    try:
        done = run(col, *[a.format(vault=vault) for a in args], stdout=write)
    finally:
        os.close(write)
    assert done.returncode == 1
    said = f"{vault / 'broken.md'}:2: binary file (NUL byte), not a markdown note\n"
    assert done.stderr.decode() == ("" if "--json" in args else said)  # JSON: in the JSON


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a deleted cwd, as Linux has it")
def test_relative_paths_in_a_deleted_folder_say_the_folder_is_gone(col, tmp_path):
    """`cd d; rm -rf d; flashdeck check .`: '.:0: cannot follow this path: [Errno 2] No such
    file or directory'; `--collection c.sqlite` there: 'no collection at c.sqlite' (a cron
    job's collection taken for missing)."""
    gone = tmp_path / "gone"

    def enter_then_delete() -> None:  # in the child, before flashdeck starts
        os.mkdir(gone)
        os.chdir(gone)
        os.rmdir(gone)

    vault = col.parent / "vault"
    done = run(col, "check", ".", str(vault), preexec_fn=enter_then_delete)
    assert done.returncode == 1
    said = ("the current folder no longer exists (deleted or moved since the shell entered"
            " it): `cd` to a folder, or give the path from /")
    assert done.stderr.decode() == f".:0: {said}\n"
    assert "3 notes read (3 with cards)" in done.stdout.decode()  # the absolute path was read
    done = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", "c.sqlite", "due"],
                          env=env(col), capture_output=True, timeout=120,
                          preexec_fn=enter_then_delete)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode() == f"flashdeck: --collection c.sqlite is relative, and {said}\n"


@pytest.mark.skipif(os.name != "posix", reason="a pipe with no reader is POSIX")
@pytest.mark.parametrize("args", [["--version"], ["--collection", "{col}", "--version"]],
                         ids=" ".join)
def test_version_to_a_reader_gone_away_is_a_quiet_exit_0(col, args):
    """`flashdeck --version | head -c1`: a Python traceback (BrokenPipeError), exit 1."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "flashdeck",
                               *[a.format(col=col) for a in args]],
                              env=env(col), timeout=120, cwd=str(col.parent), stdout=write,
                              stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (0, b"")


@pytest.mark.skipif(os.name != "posix", reason="a pipe with no reader is POSIX")
@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
@pytest.mark.parametrize("right", [False, True], ids=["wrong", "right"])
def test_exercise_check_keeps_its_verdict_when_the_reader_is_gone(col, json_flag, right):
    """`flashdeck exercise ID --check WRONG | head -1` exited 0, "right", as a closed pipe
    does for every other command; the exit code is the verdict, whoever reads the output."""
    exercise = ["exercise", "accuracy", "--seed", "1"]
    answer = json.loads(run(col, *exercise, "--json").stdout)["answer"] if right else "99"
    code = 0 if right else 1
    assert run(col, *exercise, "--check", answer, *json_flag).returncode == code  # open pipe
    read, write = os.pipe()
    os.close(read)
    try:
        done = run(col, *exercise, "--check", answer, *json_flag, stdout=write)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (code, b"")
