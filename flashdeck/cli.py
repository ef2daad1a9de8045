"""The `flashdeck` command line.

Each area registers its subcommands from a module in `flashdeck/commands/`. Those modules
stay light at import time (heavy imports go inside the handlers) so that non-TUI
commands start fast. No traceback ever reaches the user: expected failures are
`FlashdeckError`s with a one-line message, anything else is reported in one line too
(set FLASHDECK_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from flashdeck import __version__, clock
from flashdeck.errors import FlashdeckError
from flashdeck.textsafe import sanitize

# One module per area; each defines register(subparsers). The names let a run register
# only the module of the command it runs (building every subparser costs start-up time).
COMMAND_MODULES = {
    "flashdeck.commands.notes": ("import", "check", "list", "show"),
    "flashdeck.commands.scheduling": ("next", "answer", "undo", "due", "log", "stats",
                                      "suspend", "unsuspend", "bury"),
    "flashdeck.commands.exercise": ("exercise",),
    "flashdeck.commands.info": ("info",),
    "flashdeck.commands.review": ("review",),
    "flashdeck.commands.doctor": ("doctor",),
    "flashdeck.commands.sources": ("sources", "forget"),
    "flashdeck.commands.completion": ("completion",),
    "flashdeck.commands.optimize": ("optimize", "retention"),
    "flashdeck.commands.anki": ("sync", "export"),
}
# Commands that need no clock: every other one gets the moment it runs at as `args.now`,
# read (and FLASHDECK_NOW checked) once, here, before it starts.
CLOCKLESS = frozenset({"completion"})


def package_version() -> str:
    """The installed package's version (importlib.metadata), else the source tree's."""
    # deferred: importlib.metadata costs every other command start-up time
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flashdeck")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return __version__


class _Version(argparse.Action):
    """`--version`: the version looked up only when asked for (importlib.metadata costs
    start-up time every other command should not pay)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="print flashdeck's version and exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"flashdeck {package_version()}")
        parser.exit()  # an output that fails is main's one line


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size gives it: $COLUMNS, else stdout's
    terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, sized without importing shutil (which brings bz2 and lzma:
    ~3 ms of every command's start, and argparse makes a formatter for each argument)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    # the command main found in argv: an option the command does not know is reported by
    # the top parser ("flashdeck: unrecognized arguments"), but it is the command's help
    # that lists its options
    command: str | None = None

    def error(self, message: str):
        """A usage error: one line naming the mistake and where help is, exit 2 (argparse
        prints the whole usage first, which buries the line that matters)."""
        prog = self.prog
        if self.command and message.startswith("unrecognized arguments") \
                and self.command in _all_commands():
            prog = f"{prog} {self.command}"
        self.exit(2, f"{prog}: {sanitize(message)} (see `{prog} --help`)\n")


def _all_commands() -> list[str]:
    return [name for names in COMMAND_MODULES.values() for name in names]


_GLOBAL_OPTIONS = ("--collection", "--version", "--help", "-h")


def _unknown_option(argv: list[str], command: str) -> str | None:
    """An option before the command that flashdeck does not have (`flashdeck --colection
    C due`): argparse took its value for the command and said "invalid choice: 'C'"."""
    for arg in argv:  # bounded: up to the command
        if arg == command:
            return None
        name = arg.split("=", 1)[0]
        if arg.startswith("-") and name not in ("-", "--") and not any(
                option.startswith(name) for option in _GLOBAL_OPTIONS if len(name) > 2
                or name == option):
            from difflib import get_close_matches  # only here: every command passes above

            close = get_close_matches(name, _GLOBAL_OPTIONS[:2], n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            return (f"flashdeck: unknown option {sanitize(repr(name))}{hint}"
                    " (see `flashdeck --help`)")
    return None


def _unknown_command(command: str) -> str | None:
    """For a word that is no command (`flashdeck lst`): one line saying so, with the command
    it most likely meant (as git does), instead of argparse's list of all 24."""
    names = _all_commands()
    if command in names:
        return None
    from difflib import get_close_matches  # only here: a command named right returns above

    close = get_close_matches(command, names, n=2, cutoff=0.6)
    hint = (f"; did you mean `flashdeck {close[0]}`?" if len(close) == 1 else
            f"; did you mean `flashdeck {close[0]}` or `flashdeck {close[1]}`?" if close else "")
    return f"flashdeck: {sanitize(repr(command))} is not a flashdeck command{hint}" \
           " (`flashdeck --help` lists them)"


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in argv (skipping global options), if any."""
    args = iter(argv)
    for arg in args:
        if arg == "--collection" or (len(arg) > 2 and "--collection".startswith(arg)):
            next(args, None)  # its value (argparse takes `--coll` for it too)
        elif not arg.startswith("-"):
            return arg
    return None


def _negative_answer(argv: list[str]) -> list[str]:
    """`exercise ID --check -1/2`: argparse takes `-1/2` (or `-5%`, `-$3`) for an option
    and refuses the answer; a `--check` followed by a minus and a number is the answer."""
    out: list[str] = []
    index = 0
    while index < len(argv):  # bounded: one pass over argv
        arg = argv[index]
        following = argv[index + 1] if index + 1 < len(argv) else ""
        if arg == "--check" and len(following) > 1 and following[0] == "-" \
                and (following[1].isdigit() or following[1] in ".,$€£¥₹"):
            out.append(f"--check={following}")
            index += 2
            continue
        out.append(arg)
        index += 1
    return out


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `command`, only the module that defines it is registered."""
    parser = _Parser(
        prog="flashdeck",
        description="Flashcards from your markdown notes, reviewed in the terminal.",
    )
    parser.add_argument("--version", action=_Version)
    parser.add_argument(
        "--collection",
        metavar="PATH",
        help="the collection file (default: $FLASHDECK_COLLECTION, else the user data dir)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    modules = [m for m, names in COMMAND_MODULES.items() if command in names] or COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


def _output_failed(exc: OSError) -> bool:
    """Whether `exc` is standard output failing (`> log` on a full disk): what a full or
    failing output gives, with no file named (a file's own errors name it). If so, stdout is
    pointed at devnull, so what is still buffered does not fail the interpreter's exit."""
    import errno

    codes = {getattr(errno, name, None) for name in ("ENOSPC", "EDQUOT", "EIO", "EFBIG")}
    if exc.filename is not None or exc.errno not in codes:
        return False
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError):
        return True  # no file behind it (a test's capture): no flush at exit can fail
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    return True


def _damaged_collection(args) -> str | None:
    """After a command failed unexpectedly: the line to say when the collection it used is
    damaged, else None."""
    from flashdeck.collection.store import damaged_file
    from flashdeck.paths import collection_path

    try:
        path = collection_path(getattr(args, "collection", None))
    except (OSError, ValueError):
        return None
    return damaged_file(path)


def _usable_streams() -> None:
    """Standard streams a command can use, whatever the process was started with:
    - one started closed (`flashdeck list >&-`, `2>&-`, `<&-`: Python makes it None) is
      /dev/null, so a check such as `sys.stdin.isatty()` or a line on stderr is no crash;
    - one whose encoding cannot carry Unicode (PYTHONIOENCODING=ascii, a latin-1 locale with
      Python's UTF-8 mode off) writes what it cannot encode as `\\xfc`-style escapes (as
      Python's own stderr does): a deck named `übung` was "internal error:
      UnicodeEncodeError" in every command. (JSON is written all-ASCII there instead:
      `commands.print_json`.)"""
    import codecs

    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding or not hasattr(stream, "reconfigure"):
            continue
        try:
            unicode = codecs.lookup(encoding).name.startswith("utf")
        except LookupError:
            unicode = False
        if not unicode:
            stream.reconfigure(errors="backslashreplace")


def _closed_pipe() -> int:
    """`flashdeck list --json | head`: the reader went away; that is fine, exit 0 (as git and
    ripgrep do). A command whose exit code is a verdict keeps it itself."""
    from flashdeck.commands import reader_gone

    return reader_gone(0)


def _unwritable(exc: OSError) -> int:
    """Standard output failing (a full disk behind `> file`): one line, exit 2."""
    if not _output_failed(exc):
        raise exc
    print(f"flashdeck: cannot write the output: {sanitize(exc.strerror or str(exc))}",
          file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    _usable_streams()
    if argv == ["--version"]:  # at once: no subcommand parsers to build
        try:
            print(f"flashdeck {package_version()}")
            sys.stdout.flush()
        except BrokenPipeError:  # `flashdeck --version | head -c1`: a traceback, exit 1
            return _closed_pipe()
        except OSError as exc:  # `--version > /dev/full`: one line, not a traceback
            return _unwritable(exc)
        return 0
    command = _command_in(argv)
    if command == "exercise":
        argv = _negative_answer(argv)
    if command is not None and (unknown := _unknown_option(argv, command)
                                or _unknown_command(command)) is not None:
        print(unknown, file=sys.stderr)
        return 2
    parser = build_parser(command)
    parser.command = command
    try:
        args = parser.parse_args(argv)
    except BrokenPipeError:  # `flashdeck --collection C --version | head -c1`
        return _closed_pipe()
    except OSError as exc:  # `flashdeck --collection C --version > /dev/full`
        return _unwritable(exc)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        # the clock, read once: a malformed or out-of-range FLASHDECK_NOW is a usage error
        # before the command does anything (`review` reads the live clock itself as well)
        args.now = None if args.command in CLOCKLESS else clock.now()
        if args.command not in CLOCKLESS and (problem := clock.tz_problem()) is not None:
            print(f"flashdeck: warning: {sanitize(problem)}", file=sys.stderr)
        return int(args.func(args) or 0)
    except FlashdeckError as exc:
        # the one exit every message passes: a path or a name in it may hold anything (a
        # collection path with an escape in it drove the terminal); sanitizing twice is
        # harmless, the placeholders are plain characters
        print(f"flashdeck: {sanitize(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("flashdeck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if isinstance(exc, OSError) and _output_failed(exc):
            # `flashdeck answer … > log` on a full disk: the answer is committed before it is
            # printed; "internal error" read as "not answered", and a rerun answered twice
            print(f"flashdeck: cannot write the output: {sanitize(exc.strerror or str(exc))};"
                  " what the command changed in the collection is saved", file=sys.stderr)
            return 2
        if os.environ.get("FLASHDECK_DEBUG"):
            raise
        if "readonly database" in str(exc) and type(exc).__name__ == "OperationalError":
            # a write outside a transaction, on a collection opened read-only (its folder
            # or disk is): said as a transaction's failure is
            from flashdeck.collection.store import describe_error

            print(f"flashdeck: {describe_error(exc)}", file=sys.stderr)
            return 2
        damaged = _damaged_collection(args)
        if damaged is not None:
            # what a damaged file reads as (a NULL where a deck name belongs, a row cut
            # short) fails deep in the command: the file is what to name, not the code
            print(f"flashdeck: {sanitize(damaged)}", file=sys.stderr)
            return 2
        print(f"flashdeck: internal error: {type(exc).__name__}: {sanitize(str(exc))}",
              file=sys.stderr)
        print("flashdeck: (set FLASHDECK_DEBUG=1 for details)", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
