"""A bug in the review app must not reach the user as a traceback (PRODUCT.md §5).

When a handler raises, Textual ends the app and prints a long traceback after restoring the
terminal. The app (`FlashdeckApp._handle_exception`) instead records the crash here: the
traceback goes to a log file in the platform's user log directory, and the command prints
one line naming it. Answers given before the crash are already committed (one transaction
per answer), so nothing is lost but the session summary.

No Textual import here: this is plain file and text work, tested on its own.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flashdeck.textsafe import sanitize

MAX_MESSAGE = 200  # characters of the exception's message on the one line


@dataclass(frozen=True, slots=True)
class Crash:
    """What the user is told: the error in one line, and where its details are."""

    kind: str  # the exception's type name
    message: str  # its message, on one line
    log: Path | None  # the log file, or None when it could not be written
    log_problem: str = ""  # why it could not

    def line(self) -> str:
        what = f"{self.kind}: {self.message}" if self.message else self.kind
        where = (f"details in {self.log}" if self.log is not None else
                 f"no log written: {self.log_problem}; set FLASHDECK_DEBUG=1 for details")
        return f"flashdeck: internal error: {what} ({where})"


def log_dir() -> Path:
    """The platform's user log directory for flashdeck (`~/.local/state/flashdeck/log`)."""
    from platformdirs import user_log_path

    return user_log_path("flashdeck")


def one_line(text: str) -> str:
    """A message made safe for one terminal line: control characters shown, whitespace
    runs (newlines too) collapsed, cut to MAX_MESSAGE characters."""
    text = " ".join(sanitize(text).split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


def record(error: BaseException, directory: Path | None = None,
           now: datetime | None = None) -> Crash:
    """Write `error`'s traceback to a new log file in `directory` (default: `log_dir()`)."""
    now = now or datetime.now().astimezone()
    crash = Crash(type(error).__name__, one_line(str(error)), None)
    report = "".join([
        f"flashdeck review crashed at {now.isoformat(timespec='seconds')}\n",
        f"python {platform.python_version()} on {sys.platform}; argv {sys.argv!r}\n\n",
        *traceback.format_exception(error),
    ])
    try:
        directory = directory if directory is not None else log_dir()
        directory.mkdir(parents=True, exist_ok=True)
        stem = f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}"
        for n in range(1, 100):
            path = directory / (f"{stem}.log" if n == 1 else f"{stem}-{n}.log")
            try:
                with open(path, "x", encoding="utf-8") as out:  # never overwrite a report
                    out.write(report)
                return Crash(crash.kind, crash.message, path)
            except FileExistsError:
                continue
        raise FileExistsError(f"{directory / stem}-*.log: too many reports this second")
    except OSError as exc:
        return Crash(crash.kind, crash.message, None, one_line(f"{exc.strerror or exc}"))
