"""review: the TUI. Textual is imported only inside the handler, so other commands stay fast."""

from __future__ import annotations

import argparse
import os
import sys

from flashdeck.commands import deck_name
from flashdeck.errors import UsageError
from flashdeck.textsafe import sanitize


def register(sub) -> None:
    p = sub.add_parser("review", help="review what is due, in the terminal (the main job)")
    p.add_argument("--deck", metavar="D", type=deck_name, help="only this deck and its subdecks")
    p.add_argument("--demo", action="store_true",
                   help="the demo deck, in its own collection (what `review` opens while you "
                        "have no collection of your own)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--ahead", metavar="DAYS", type=ahead_days, default=0,
                      help="once nothing is due, review cards due within DAYS (early reviews)")
    mode.add_argument("--cram", action="store_true",
                      help="drill the deck's cards without touching their schedules")
    p.set_defaults(func=cmd_review)


def ahead_days(value: str) -> int:
    """`--ahead DAYS`: a whole number of days, 1 to 3650."""
    text = value.strip()
    # plain ASCII digits: int() would also take `1_0`, `+5` and full-width digits
    days = int(text) if text.isascii() and text.isdigit() and len(text) <= 5 else 0
    if not 1 <= days <= 3650:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days from 1 to 3650")
    return days


def cmd_review(args) -> int:
    """The review app. Python's cyclic garbage collector is paused until the first card is
    on screen: start-up (Textual's and our imports, the first screen) allocates ~50,000
    objects and frees almost none, and the collector's ~100 passes over them cost the first
    card ~15-20 ms. It resumes once that screen is drawn (`FlashdeckApp.when_started`), and
    in any case when the app ends; nothing a user sees depends on it."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _review(args, resume_gc=gc.enable if collecting else None)
    finally:
        if collecting:
            gc.enable()


def _review(args, resume_gc) -> int:
    from flashdeck.paths import review_collection  # this command only
    from flashdeck.scheduling.config import load_config

    path, demo = review_collection(getattr(args, "collection", None), args.demo)
    if not demo:
        # a collection named by --collection or FLASHDECK_COLLECTION that is not there (a
        # typo, an unmounted disk) is refused as by every other command: it was created,
        # folders and all, and the screen said "No cards yet", the user's cards elsewhere
        from flashdeck.commands import require_collection

        require_collection(args)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("review needs a terminal; in scripts use `flashdeck next` and "
                         "`flashdeck answer`")
    if not sys.stderr.isatty():
        # Textual draws the screen on stderr: `flashdeck review 2>>errors.log` ran the
        # review unseen, into the file, the terminal blank while keys still answered cards.
        # Said on the terminal (stdout) as well as on stderr, where it is not seen
        message = ("flashdeck: review draws its screen on standard error, which is not a"
                   " terminal here (`2>` a file?); run it without redirecting stderr")
        print(message)
        print(message, file=sys.stderr)
        return 2
    term = os.environ.get("TERM", "")
    if term.lower() in ("dumb", "unknown"):
        # Rich takes such a terminal for 80x25 with no cursor control: the screen was drawn
        # a row too tall (the key bar off the bottom of 80x24), and never redrawn, so the
        # keys seemed dead (Emacs' M-x shell, a CI log, an ssh session set up bare)
        raise UsageError(f"review needs a terminal that can draw a screen, and TERM={term}"
                         " says this one cannot; if it can, run `TERM=xterm-256color"
                         " flashdeck review`")
    _draw_in_utf8()
    config = load_config()
    from flashdeck.tui.app import build_app  # Textual: the review command only

    # the bundled deck goes only into the demo's collection, never into the user's
    app = build_app(path, deck=args.deck, config=config, ahead=args.ahead, cram=args.cram,
                    bundled=demo, demo=demo)
    if resume_gc is not None:
        app.when_started(resume_gc)
    summary = app.run()
    return finish(app, summary)


def _draw_in_utf8() -> None:
    """The screen in UTF-8, whatever Python took the terminal's encoding for: under
    PYTHONIOENCODING=ascii (or a latin-1 locale with UTF-8 mode off) every rule, bar and
    letter beyond ASCII was drawn as its escape (`\\u2501\\u2501`, `Gr\\xfc\\xdfe`): the
    screen unreadable. Terminals are UTF-8 almost everywhere, and a screen of box drawing
    has nothing else to fall back to."""
    import codecs

    stream = sys.__stderr__  # where Textual draws
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        unicode = codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        unicode = False
    if not unicode and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")


def finish(app, summary: str | None) -> int:
    """After the app: the session summary (exit 0), or the crash in one line (exit 2)."""
    if app.crash is not None:  # the traceback is in the log file the line names
        print(sanitize(app.crash.line()), file=sys.stderr)
        return 2
    if app.return_code:
        return 2
    summary = summary or app.final_summary
    if summary:
        print(summary)
    if app.close_problem is not None:  # the file moved away: where its last answers are
        print(f"flashdeck: {sanitize(app.close_problem)}", file=sys.stderr)
        return 2
    return 0
