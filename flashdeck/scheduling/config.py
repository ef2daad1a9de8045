"""User settings: `config.toml` in the platform's user config dir (or $FLASHDECK_CONFIG).

    new_per_day = 20            # new cards introduced per day
    reviews_per_day = 200       # reviews shown per day
    desired_retention = 0.9     # FSRS target recall probability (0.7 .. 0.99)
    learning_steps = ["1m", "10m"]
    relearning_steps = ["10m"]
    maximum_interval = 36500    # days
    day_start_hour = 4          # the day rolls over at 04:00 local time
    fuzz = true                 # spread intervals a little, as Anki does
    leech_lapses = 8            # a card with this many lapses is flagged and suspended
    new_order = "interleaved"   # new cards: "interleaved" (notes take turns, in import
                                # order), "note" (note by note) or "random" (shuffled daily)
    parameters = [0.212, ...]   # personal FSRS-6 weights (21), written by `flashdeck optimize`
                                # (Anki's FSRS-5 weights, 19, are taken as FSRS-6's)
    parameters_fitted_at = 2026-01-31T12:00:00Z   # when, and from how many reviews
    parameters_reviews = 2400

A bad value is reported naming the file and the key; nothing runs on a guess.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flashdeck.errors import UsageError
from flashdeck.paths import config_path


@dataclass(frozen=True, slots=True)
class Config:
    new_per_day: int = 20
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    day_start_hour: int = 4
    fuzz: bool = True
    leech_lapses: int = 8
    new_order: str = "interleaved"
    parameters: tuple[float, ...] | None = None  # None: FSRS-6's defaults
    parameters_fitted_at: datetime | None = None
    parameters_reviews: int | None = None


NEW_ORDERS = ("interleaved", "note", "random")


# patterns as text, compiled by `re` (and kept in its cache) when a settings file is read:
# not by every start (`review`'s first card; most users have no settings file)
_STEP = r"(?a)^\s*([0-9]+(?:\.[0-9]+)?)\s*([smhd])\s*$"
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_STEP_DAYS = 365  # a learning step is minutes to days; longer is the FSRS interval's job
MAX_STEPS = 100


def parse_steps(value, key: str, where: str) -> tuple[timedelta, ...]:
    if not isinstance(value, list):
        raise UsageError(f'{where}: {key} must be a list like ["1m", "10m"]')
    if len(value) > MAX_STEPS:
        raise UsageError(f"{where}: {key}: at most {MAX_STEPS} steps, not {len(value)}")
    steps = []
    for item in value:
        match = re.match(_STEP, item) if isinstance(item, str) and len(item) < 40 else None
        if not match:
            raise UsageError(f'{where}: {key}: {toml_value(item)} is not a step like "10m", "1h" or'
                             ' "1d"')
        seconds = float(match.group(1)) * _SECONDS[match.group(2)]
        if seconds < 1:
            raise UsageError(f"{where}: {key}: {toml_value(item)}: steps must be at least one"
                             " second")
        if seconds > MAX_STEP_DAYS * 86400:
            raise UsageError(f"{where}: {key}: {toml_value(item)}: steps can be at most "
                             f"{MAX_STEP_DAYS} days")
        steps.append(timedelta(seconds=seconds))
    return tuple(steps)


PARAMETER_COUNT = 21  # FSRS-6


_OLDER_COUNTS = (17, 19)  # FSRS-4.5's and FSRS-5's weights, as Anki showed them


def parse_parameters(value, where: str) -> tuple[float, ...]:
    """FSRS-6's 21 weights; Anki's FSRS-5 (19) or FSRS-4.5 (17) weights are taken as the
    FSRS-6 weights they are (fsrs-rs's own conversion: FSRS-5 with w19 = 0 and the decay
    w20 = 0.5 it had fixed), as Anki itself takes them."""
    import math

    if not isinstance(value, list) or len(value) not in (PARAMETER_COUNT, *_OLDER_COUNTS) \
            or any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x)
                   for x in value):
        raise UsageError(f"{where}: parameters must be a list of {PARAMETER_COUNT} numbers"
                         " (FSRS-6 weights, as `flashdeck optimize` writes them; Anki's 19"
                         " FSRS-5 weights are taken too)")
    params = tuple(float(x) for x in value)
    if len(params) != PARAMETER_COUNT:
        from fsrs_rs_python import check_and_fill_parameters  # deferred: older weights only

        try:
            filled = check_and_fill_parameters(list(params))
        except ValueError:
            raise UsageError(f"{where}: parameters are not valid FSRS-{5 if len(params) == 19 else 4.5}"
                             " weights") from None
        # in fsrs-rs's 32-bit floats: FSRS-5's weights are kept as written, FSRS-4.5's
        # are changed by the conversion
        kept = params if len(params) == 19 else ()
        params = kept + tuple(float(f"{x:.7g}") for x in filled[len(kept):])
    # the bounds the `fsrs` package enforces (imported only when parameters are set)
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    for index, (x, low, high) in enumerate(zip(params, LOWER_BOUNDS_PARAMETERS,
                                               UPPER_BOUNDS_PARAMETERS)):
        if not low <= x <= high:
            raise UsageError(f"{where}: parameters[{index}] = {x} is out of bounds"
                             f" ({low} to {high})")
    return params


def toml_value(value) -> str:
    """A setting's value as TOML writes it, for a message about it: `true`, not Python's
    `True`; `"20"`, not `'20'`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + "}"
    import tomlkit  # only for a message

    try:
        return tomlkit.item(value).as_string()
    except (TypeError, ValueError):  # no TOML form (tomlkit's ConvertError is both)
        return repr(value)


def _int(value, key, where, low, high) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{where}: {key} must be a whole number from {low} to {high},"
                         f" not {toml_value(value)}")
    return value


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """A settings warning on stderr, once per process (the settings are read by several
    parts of one command)."""
    import sys

    from flashdeck.textsafe import sanitize

    if message not in _warned:
        _warned.add(message)
        print(sanitize(message), file=sys.stderr)


MAX_SETTINGS_BYTES = 2**20  # a config.toml bigger than this is refused, not read


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _read_regular(path: Path) -> bytes:
    """The bytes of `path` when it is a regular file of at most MAX_SETTINGS_BYTES (opened
    without blocking: a FIFO never waits for a writer); else a UsageError saying what it is."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise UsageError(f"{path}: cannot read the settings: it is {kind}, not a file")
        chunks, total = [], 0
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_SETTINGS_BYTES:
                raise UsageError(f"{path}: cannot read the settings: it is over the"
                                 f" {MAX_SETTINGS_BYTES // 2**20} MiB a settings file may have")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_settings(path: Path) -> str | None:
    """config.toml's text (None: there is none). A UTF-8 byte order mark (Windows Notepad
    writes one) is dropped; bytes that are not UTF-8 are an error naming the line. Only a
    regular file of at most MAX_SETTINGS_BYTES is read: a config.toml that is a named pipe
    hung every command, waiting for a writer, and one linked to /dev/zero read until memory
    ran out."""
    try:
        raw = _read_regular(path)
    except FileNotFoundError:
        if path.is_symlink():  # a dotfiles link gone stale: not "no settings"
            raise UsageError(f"{path}: cannot read the settings: it is a symlink to"
                             f" {os.readlink(path)!r}, which does not exist") from None
        return None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the settings: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{path}:{line}: the settings are not UTF-8 text (byte"
                         f" 0x{raw[exc.start]:02x}); save the file as UTF-8") from None


_NAME = r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*"""
_KEY_LINE = _NAME + "[=.]"
_HEADER = r"\s*\[\[?" + _NAME + r"[\].]"


SYNC_KEYS = ("endpoint", "user")


def _table_key_line(source: str, table: str, key: str) -> int:
    """The 1-based line of `key = ...` in `[table]` (that of the header when not found)."""
    header = None
    for number, line in enumerate(source.split("\n"), start=1):
        m = re.match(_HEADER, line)
        if m:
            if header is not None:
                break
            if next(g for g in m.groups() if g is not None) == table:
                header = number
        elif header is not None:
            m = re.match(_KEY_LINE, line)
            if m and next(g for g in m.groups() if g is not None) == key:
                return number
    return header if header is not None else _key_lines(source).get(table, 1)


def _key_lines(source: str) -> dict[str, int]:
    """The 1-based line of each top-level `key = ...` (before the first [table]) and of
    each table's first header."""
    lines: dict[str, int] = {}
    in_table = False
    for number, line in enumerate(source.split("\n"), start=1):
        m = re.match(_HEADER, line)
        if m:
            in_table = True
        elif not in_table:
            m = re.match(_KEY_LINE, line)
        if m:
            lines.setdefault(next(g for g in m.groups() if g is not None), number)
    return lines


def toml_error_place(path: Path, source: str, exc: Exception) -> str:
    """`path:line` of a TOML error: its line, or for one "at end of document" (a bracket or
    a string never closed) the last line written."""
    m = re.search(r"at line (\d+)", str(exc))
    return f"{path}:{m.group(1) if m else len(source.rstrip().split(chr(10)))}"


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    source = read_settings(path)
    if source is None:
        return Config()
    import tomllib  # deferred: only a settings file needs it (~4 ms of every command's start)

    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{toml_error_place(path, source, exc)}: not valid TOML: {exc}") from None
    lines = _key_lines(source)
    known = {f.name for f in fields(Config)}
    values = {}
    for key, value in data.items():
        # each message names the file and the key's line (`path:line: ...`)
        where = f"{path}:{lines[key]}" if key in lines else str(path)
        if key == "sync":  # [sync] endpoint and user: `flashdeck sync` reads them
            if isinstance(value, dict):
                for name in value:
                    if name not in SYNC_KEYS:  # `endpont`: a sync with AnkiWeb instead
                        _warn_once(f"{path}:{_table_key_line(source, 'sync', name)}: warning:"
                                   f" unknown setting 'sync.{name}' ignored (known in [sync]:"
                                   f" {', '.join(SYNC_KEYS)})")
            continue
        if key not in known:  # a warning, never an error (a newer flashdeck's setting)
            _warn_once(f"{where}: warning: unknown setting {key!r} ignored"
                       f" (known: {', '.join(sorted(known))})")
            continue
        if key in ("new_per_day", "reviews_per_day"):
            values[key] = _int(value, key, where, 0, 100_000)
        elif key == "maximum_interval":
            values[key] = _int(value, key, where, 1, 36500)
        elif key == "day_start_hour":
            values[key] = _int(value, key, where, 0, 23)
        elif key == "leech_lapses":
            values[key] = _int(value, key, where, 1, 1000)
        elif key == "desired_retention":
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0.7 <= value <= 0.99:
                raise UsageError(f"{where}: desired_retention must be a number from 0.7 to 0.99,"
                                 f" not {toml_value(value)}")
            values[key] = float(value)
        elif key in ("learning_steps", "relearning_steps"):
            values[key] = steps = parse_steps(value, key, where)
            down = next((i for i in range(1, len(steps)) if steps[i] < steps[i - 1]), None)
            if down is not None:  # "1d", "1m" for "1m", "1d": Again would wait longer than Good
                _warn_once(f"{where}: warning: {key} go down ({toml_value(value[down - 1])} then"
                           f" {toml_value(value[down])}): steps are meant to grow (Again waits the"
                           " first, Good moves on to the next); used as written")
        elif key == "fuzz":
            if not isinstance(value, bool):
                raise UsageError(f"{where}: fuzz must be true or false, not {toml_value(value)}")
            values[key] = value
        elif key == "new_order":
            if value not in NEW_ORDERS:
                raise UsageError(f"{where}: new_order must be one of {', '.join(NEW_ORDERS)},"
                                 f" not {toml_value(value)}")
            values[key] = value
        elif key == "parameters":
            values[key] = parse_parameters(value, where)
        elif key == "parameters_fitted_at":
            if not isinstance(value, datetime):
                raise UsageError(f"{where}: parameters_fitted_at must be a date and time"
                                 f" like 2026-01-31T12:00:00Z, not {toml_value(value)}")
            values[key] = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        elif key == "parameters_reviews":
            values[key] = _int(value, key, where, 0, 10**12)
    return Config(**values)


def update_config(path: Path, edit) -> None:
    """Change config.toml by `edit(doc)` (a tomlkit document), keeping the rest of the file
    and its comments. `optimize` writes the personal parameters with it, `sync` the `[sync]`
    table: the read, edit and write happen under a lock on the config's folder (two at once
    each keep the other's edit) and the file is replaced durably (a temp file of its own,
    flushed to disk, then renamed: a power cut leaves the old file or the new one)."""
    import tomlkit

    from flashdeck.durable import folder_lock, replace_durably

    # a config.toml linked from a dotfiles folder stays a link: the file it names is the
    # one rewritten (renaming over the link would cut it, the dotfiles copy going stale),
    # and keeps its permissions
    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with folder_lock(target.parent):
            text = read_settings(path) or ""
            doc = tomlkit.parse(text)
            edit(doc)
            new = tomlkit.dumps(doc)
            if new == text:
                return
            replace_durably(target, new)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the settings: {exc.strerror}") from None
