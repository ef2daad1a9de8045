"""sync, export: flashdeck and Anki (the optional `flashdeck[anki]` extra).

`anki` is imported only by `flashdeck.ankisync`, and that only inside these handlers.
"""

from __future__ import annotations

import os
import sys

from flashdeck.commands import deck_name, open_collection
from flashdeck.errors import UsageError
from flashdeck.textsafe import sanitize

PASSWORD_ENV = "FLASHDECK_SYNC_PASSWORD"
MAX_NAME = 200  # characters of a user name or an endpoint URL
MAX_NAMED = 5  # cards a warning names; the rest are counted


def register(sub) -> None:
    p = sub.add_parser(
        "sync", help="two-way sync with an Anki sync server (AnkiWeb or your own)",
        description="Sync your cards and reviews with AnkiWeb or a self-hosted Anki sync"
                    " server, for AnkiDroid, AnkiMobile and Anki. Reviews made anywhere join"
                    " flashdeck's log; each card's schedule is the FSRS replay of it. The"
                    f" password comes from ${PASSWORD_ENV} or a prompt; only the login key is"
                    " kept. Needs the anki extra: pip install 'flashdeck[anki]'.")
    p.add_argument("--endpoint", metavar="URL",
                   help="a self-hosted sync server (default: the one used last, else AnkiWeb)")
    p.add_argument("--user", metavar="NAME", help="the account (default: the one used last)")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser(
        "export", help="export cards with schedules and history for Anki",
        description="Write the live cards, with their schedules and review history, as an"
                    " Anki package (.apkg) made by Anki's own exporter."
                    " Needs the anki extra: pip install 'flashdeck[anki]'.")
    p.add_argument("format", metavar="anki", choices=["anki"], help="the format: anki")
    p.add_argument("file", metavar="FILE.apkg")
    p.add_argument("--deck", metavar="D", type=deck_name, help="only this deck and its subdecks")
    p.set_defaults(func=cmd_export)


def _endpoint(value: str | None) -> str | None:
    if value is None or value.strip() == "":
        return None
    from urllib.parse import urlsplit

    value = value.strip()
    try:
        parts = urlsplit(value)
        usable = bool(parts.hostname) and (parts.port is None or parts.port > 0)
    except ValueError:  # a bracket not closed, a port that is not one (99999, "x")
        usable = False
    if len(value) > MAX_NAME or not value.startswith(("http://", "https://")) \
            or any(ch.isspace() for ch in value) or not usable:
        raise UsageError(f"--endpoint {value[:80]!r}: give the server's URL, like"
                         " http://192.168.1.10:8080/")
    return value if value.endswith("/") else value + "/"


def _password(endpoint: str | None, user: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        raise UsageError(f"sync: no password: set {PASSWORD_ENV}, or run it in a terminal"
                         " to be asked")
    import getpass

    where = endpoint or "AnkiWeb"
    try:
        return getpass.getpass(sanitize(f"Password for {user} on {where}: "))
    except EOFError:
        raise UsageError("sync: no password given") from None


def _progress(text: str) -> None:
    print(sanitize(f"flashdeck: {text}…"), file=sys.stderr)


def cmd_sync(args) -> int:
    from flashdeck.ankisync import require_anki, sync

    require_anki()
    from flashdeck.clock import local_tz
    from flashdeck.paths import config_path
    from flashdeck.scheduling.config import load_config

    config = load_config()
    saved = sync.sync_settings(config_path())
    stored = sync.load_login()
    endpoint = _endpoint(args.endpoint if args.endpoint is not None else
                         saved.get("endpoint", stored.endpoint if stored else None))
    user = args.user or saved.get("user") or (stored.user if stored else None)
    if not user:
        raise UsageError("sync: which account? `flashdeck sync --user NAME` (remembered"
                         " after that)")
    if len(user) > MAX_NAME:
        raise UsageError("sync: the user name is too long")
    with open_collection(args) as col:
        login = stored if stored and stored.user == user and stored.endpoint == endpoint \
            else None
        if login is None:
            login = sync.login(endpoint, user, _password(endpoint, user))
        sync.remember_settings(config_path(), endpoint, user)
        tz = local_tz()
        progress = _progress if sys.stderr.isatty() else None
        try:
            report = sync.run_sync(col, login, config, args.now, tz, progress)
        except sync.LoginRefused:
            if stored is None or login is not stored:
                raise
            sync.forget_login()  # the key expired or the password changed: ask again
            login = sync.login(endpoint, user, _password(endpoint, user))
            report = sync.run_sync(col, login, config, args.now, tz, progress)
    cards = report.cards
    full = f"; full {' and '.join(report.full)}" if report.full else ""
    taken = ", ".join(f"{n} {what}" for what, n in report.hidden.items() if n)
    if taken:
        full += f"; changed in Anki: {taken}"
    print(sanitize(
        f"Synced with {endpoint or 'AnkiWeb'} as {user} in {report.seconds:.1f} s: "
        f"{report.pulled} review{'s' if report.pulled != 1 else ''} from Anki, "
        f"{report.pushed} to Anki; cards {cards.get('added', 0)} added,"
        f" {cards.get('updated', 0) + cards.get('scheduled', 0)} updated,"
        f" {cards.get('removed', 0)} removed{full}."))
    if report.not_kept:
        print(sanitize(_not_kept(report.not_kept)), file=sys.stderr)
    return 0


def _not_kept(changes) -> str:
    """The warning for schedule changes made in Anki that the sync put back."""
    from flashdeck.commands.notes import _cut

    what = {"reset": "reset (Forget)", "due date": "given a due date",
            "rescheduled": "rescheduled by a change of FSRS settings"}
    done = " or ".join(what[kind] for kind in what if any(c.what == kind for c in changes))
    named = ", ".join(f"card {change.card_id} ({_cut(' '.join(change.front.split()), 40)})"
                      for change in changes[:MAX_NAMED])
    if len(changes) > MAX_NAMED:
        named += f" and {len(changes) - MAX_NAMED} more"
    if len(changes) == 1:
        said, kept = f"{named} was {done} in Anki", "it keeps"
    else:
        said, kept = f"{len(changes)} cards were {done} in Anki: {named}", "they keep"
    return (f"flashdeck: warning: {said}. flashdeck schedules a card from its answers alone,"
            f" so {kept} flashdeck's schedule, here and in Anki again after this sync"
            " (in flashdeck, `review --ahead DAYS` shows cards sooner; bury or suspend puts"
            " them off).")


def cmd_export(args) -> int:
    from pathlib import Path

    from flashdeck.ankisync import require_anki

    require_anki()
    from flashdeck.ankisync.export import export_apkg
    from flashdeck.clock import local_tz
    from flashdeck.scheduling.config import load_config

    out = Path(args.file).expanduser()
    if out.suffix.lower() != ".apkg":
        raise UsageError(f"{args.file}: the file name must end in .apkg")
    if out.is_dir() or not out.parent.is_dir():
        raise UsageError(f"{args.file}: no folder to write it in")
    config = load_config()
    with open_collection(args, readonly=True) as col:
        report = export_apkg(col, out, config, args.now, local_tz(), args.deck)
    for problem in report.damaged:  # left out, each named with what fixes it
        print(sanitize(f"{problem} (left out of the package)"), file=sys.stderr)
    left_out = (f" ({len(report.damaged)} damaged card{'s' if len(report.damaged) != 1 else ''}"
                " left out)") if report.damaged else ""
    print(sanitize(f"Wrote {out}: {report.notes} card{'s' if report.notes != 1 else ''},"
                   f" {report.reviews} review{'s' if report.reviews != 1 else ''}{left_out}."
                   " In Anki, turn FSRS on (deck options) to schedule them as flashdeck"
                   " does."))
    return 1 if report.damaged else 0
