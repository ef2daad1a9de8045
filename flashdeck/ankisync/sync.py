"""`flashdeck sync`: two-way sync of a flashdeck collection with an Anki sync server.

One run, in order:
  1. the mirror (a local Anki collection per flashdeck collection, in the user data dir)
     syncs with the server by Anki's own protocol (`sync_collection`; a full download or
     upload when Anki asks for one: a mirror with nothing of its own downloads, a server
     with nothing uploads, a conflict is settled by the server's copy, as the mirror is
     only ever derived from flashdeck and the server);
  2. the answers in the mirror's log that flashdeck has not seen join its review log, and
     each card they touch is replayed (`merge.pull`: one transaction);
  3. the mirror is made to hold flashdeck's live cards and states, and flashdeck's reviews
     it lacks (`mirror.push`, `merge.unpushed`; `merge.lost_pulled`: answers pulled from
     Anki that the server lost since, a phone having replaced its collection);
  4. the mirror syncs again, sending all that to the server.
A failure anywhere (a wrong password, a server that is down, a kill) leaves each side whole:
flashdeck's writes are transactions, Anki's too, and the protocol itself is Anki's; the next
run picks up where this one stopped (see merge.py for how nothing is counted twice).

The login key (never the password) is kept owner-only in the user data dir, with the
endpoint and user it belongs to; `config.toml` `[sync]` remembers `endpoint` and `user`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from flashdeck.errors import FlashdeckError, UsageError


class SyncFailed(FlashdeckError):
    """The sync could not finish (exit 2); the message says why, in one line."""


class LoginRefused(SyncFailed):
    """The server refused the login key or the password."""


@dataclass
class Login:
    endpoint: str | None  # None: AnkiWeb
    user: str
    hkey: str


@dataclass
class SyncReport:
    pulled: int = 0
    pushed: int = 0
    cards: dict = field(default_factory=dict)
    full: list[str] = field(default_factory=list)  # "download" / "upload", as they happened
    seconds: float = 0.0
    unknown: int = 0
    hidden: dict = field(default_factory=dict)  # suspended/unsuspended/buried in Anki
    # resets and due dates set in Anki, which flashdeck's schedule (its answers) undoes
    not_kept: list = field(default_factory=list)


# -- where things are ------------------------------------------------------------------------
def anki_dir() -> Path:
    from flashdeck.paths import data_dir

    return data_dir() / "anki"


def mirror_path(collection: Path) -> Path:
    """The mirror of one flashdeck collection, keyed by the collection's absolute path."""
    key = hashlib.sha256(str(Path(collection).resolve()).encode()).hexdigest()[:16]
    return anki_dir() / key / "collection.anki2"


def login_path() -> Path:
    return anki_dir() / "login.json"


# -- settings and the login key -----------------------------------------------------------------
def sync_settings(path: Path) -> dict:
    """`[sync]` of config.toml: {"endpoint": ..., "user": ...} (what is there)."""
    import tomllib

    from flashdeck.scheduling.config import read_settings, toml_error_place, toml_value

    source = read_settings(path)
    if source is None:
        return {}
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{toml_error_place(path, source, exc)}: cannot read the settings:"
                         f" {exc}") from None
    table = data.get("sync", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [sync] must be a table with endpoint and user")
    for key in ("endpoint", "user"):
        if key in table and not isinstance(table[key], str):
            raise UsageError(f"{path}: [sync] {key} must be a string in quotes,"
                             f" not {toml_value(table[key])}")
    return {k: v for k, v in table.items() if k in ("endpoint", "user")}


def remember_settings(path: Path, endpoint: str | None, user: str) -> None:
    """Write `[sync]` endpoint and user to config.toml, keeping the rest of the file and its
    comments."""
    import tomlkit

    from flashdeck.scheduling.config import update_config

    def edit(doc) -> None:
        table = doc.get("sync")
        if table is None:
            table = tomlkit.table()
            doc["sync"] = table
        if endpoint:
            table["endpoint"] = endpoint
        elif "endpoint" in table:
            del table["endpoint"]
        table["user"] = user

    update_config(path, edit)


def load_login() -> Login | None:
    try:
        data = json.loads(login_path().read_text(encoding="utf-8"))
        return Login(data.get("endpoint"), str(data["user"]), str(data["hkey"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # unreadable: log in again (it is rewritten then)


def save_login(login: Login) -> None:
    """Owner-only (0600) from the moment it exists, written whole (durable.replace_durably:
    fsynced, under the folder's lock, a temp name of its own), so two syncs at once or a
    power cut never leave a torn login."""
    from flashdeck.durable import folder_lock, replace_durably

    path = login_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"endpoint": login.endpoint, "user": login.user, "hkey": login.hkey})
    with folder_lock(path.parent):
        replace_durably(path, text, mode=0o600)


def forget_login() -> None:
    try:
        login_path().unlink()
    except FileNotFoundError:
        pass  # nothing to forget


# -- errors ----------------------------------------------------------------------------------
# an HTTP status in Anki's network error: "HTTP status client error (404 Not Found)"
_STATUS = re.compile(r"\((4\d\d) ([^()]*)\)")


def _failed(exc: Exception, where: str, endpoint: str | None) -> SyncFailed:
    """Anki's exception as one line naming the server (`endpoint`, None: AnkiWeb)."""
    from anki.errors import NetworkError, SyncError, SyncErrorKind

    from flashdeck.textsafe import sanitize

    # Anki's messages come from Fluent, which wraps values in bidi isolates (U+2068, U+2069);
    # it leaves the address out of its network errors ("for url ()")
    text = sanitize(" ".join(str(exc).replace("\u2068", "").replace("\u2069", "")
                             .replace(" for url ()", "").split()) or type(exc).__name__)
    server = sanitize(endpoint or "AnkiWeb")
    if isinstance(exc, SyncError) and exc.kind == SyncErrorKind.AUTH:
        return LoginRefused(f"sync: {server} refused the login ({text}); check the user"
                            " name and password")
    status = _STATUS.search(text)
    if isinstance(exc, NetworkError) and status and endpoint:
        return SyncFailed(f"sync: {server} answered {status.group(1)} {status.group(2)}:"
                          f" no Anki sync server at that address; check --endpoint; {where}")
    if isinstance(exc, NetworkError):
        return SyncFailed(f"sync: cannot reach the sync server {server} ({text}); {where}")
    if "too old" in text and endpoint:  # what Anki makes of an answer it cannot read
        # (Anki's own words there ask to update Anki, which is not what is wrong)
        return SyncFailed(f"sync: {server} did not answer as an Anki sync server does;"
                          f" check --endpoint; {where}")
    return SyncFailed(f"sync: the server {server} failed ({text}); {where}")


# -- the run ---------------------------------------------------------------------------------
def login(endpoint: str | None, user: str, password: str) -> Login:
    """Log in with the password (used once, never stored) and keep the login key."""
    from anki.collection import Collection as AnkiCollection
    from anki.errors import AnkiException

    import tempfile

    with tempfile.TemporaryDirectory(prefix="flashdeck-login-") as tmp:
        col = AnkiCollection(str(Path(tmp) / "login.anki2"))
        try:
            auth = col.sync_login(user, password, endpoint)
        except AnkiException as exc:
            raise _failed(exc, "nothing was changed", endpoint) from None
        finally:
            col.close()
    result = Login(endpoint, user, auth.hkey)
    save_login(result)
    return result


def _auth(login: Login):
    from anki.sync import SyncAuth

    auth = SyncAuth(hkey=login.hkey)
    if login.endpoint:
        auth.endpoint = login.endpoint
    return auth


def _sync_once(mirror, auth, login: Login, report: SyncReport, *, prefer_upload: bool) -> None:
    """One exchange with the server; a full download or upload when Anki asks for one."""
    from anki.sync_pb2 import SyncCollectionResponse

    required = SyncCollectionResponse.ChangesRequired
    col = mirror.col
    out = col.sync_collection(auth, False)
    if out.new_endpoint:  # AnkiWeb moved this account to another shard
        auth.endpoint = out.new_endpoint
        login.endpoint = out.new_endpoint
        save_login(login)
    if out.required in (required.NO_CHANGES, required.NORMAL_SYNC):
        return
    if out.required == required.FULL_UPLOAD:
        upload = True
    elif out.required == required.FULL_DOWNLOAD:
        upload = False
    else:  # FULL_SYNC: both sides changed in ways only a full sync settles
        upload = prefer_upload
    col.close_for_full_sync()
    try:
        col.full_upload_or_download(auth=auth, server_usn=out.server_media_usn, upload=upload)
    finally:
        col.reopen(after_full_sync=True)
    report.full.append("upload" if upload else "download")


MEDIA_WAIT = 0.05  # seconds between looks at Anki's background media sync
MEDIA_LOOKS = 12_000  # ten minutes of them


def _sync_media(mirror, auth) -> None:
    """The images: Anki syncs media in the background; wait for it to end (it raises, when
    asked, if it failed)."""
    col = mirror.col
    col.sync_media(auth)
    for _ in range(MEDIA_LOOKS):
        if not col.media_sync_status().active:
            return
        time.sleep(MEDIA_WAIT)
    col.abort_media_sync()
    raise SyncFailed("sync: the images are still being sent after ten minutes; the cards and"
                     " reviews are synced, run `flashdeck sync` again for the images")


MAX_ASIDE = 100  # damaged mirrors kept aside in one second


def _open_mirror(path: Path):
    """The mirror; a damaged one (not a database, or one SQLite finds malformed: a disk
    that failed under it) is kept beside it, renamed, and a new one made. Nothing is lost
    with it: it is only ever derived from flashdeck and the server, and the new one gets
    both (a full download, then flashdeck's reviews the server lacks, `forget_pushed`)."""
    import sys

    from flashdeck.ankisync.mirror import Mirror
    from flashdeck.textsafe import sanitize

    try:
        return Mirror(path)
    except FlashdeckError:
        problem = _damaged(path)
        if problem is None:
            raise  # locked by another sync, unreadable: said as it is
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = next((candidate for n in range(1, MAX_ASIDE) if not (candidate := path.with_name(
        f"{path.name}.damaged-{stamp}" + (f"-{n}" if n > 1 else ""))).exists()), None)
    if aside is None:
        raise SyncFailed(f"sync: {path}: the Anki mirror is damaged ({problem}); move it"
                         " away and run `flashdeck sync` again")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm", "-journal"):  # SQLite's files of the damaged one
        try:
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
        except FileNotFoundError:
            pass  # not there: the usual case
    print(sanitize(f"flashdeck: {path}: the Anki mirror is damaged ({problem}); kept as"
                   f" {aside.name}, a new one is made from the server and flashdeck"),
          file=sys.stderr)
    return Mirror(path)


def _damaged(path: Path) -> str | None:
    """Why SQLite finds the file damaged, or None (sound, missing, or only busy)."""
    import sqlite3

    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.OperationalError:
        return None  # locked, or not readable: not evidence of damage
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
    result = rows[0][0] if rows else "ok"
    return None if result == "ok" else result


def run_sync(col, login: Login, config, now, tz, progress=None) -> SyncReport:
    """Sync the open flashdeck collection `col` through its mirror (the steps above)."""
    from anki.errors import AnkiException

    from flashdeck.ankisync import merge
    from flashdeck.ankisync.cards import Media, adopter, mirror_cards
    from flashdeck.scheduling.day import day_bounds, days_later
    from flashdeck.scheduling.parameters import current_parameters

    say = progress or (lambda text: None)
    started = time.monotonic()
    report = SyncReport()
    merge.ensure_tables(col)
    auth = _auth(login)
    parameters = current_parameters(config).parameters
    with _open_mirror(mirror_path(col.path)) as mirror:
        before = mirror.hidden()  # what the last sync left: the base of a flag not yet kept
        say("syncing with the server")
        try:
            _sync_once(mirror, auth, login, report, prefer_upload=False)
        except AnkiException as exc:
            raise _failed(exc, "nothing was changed; run `flashdeck sync` again",
                          login.endpoint) from None
        basic, cloze = mirror.models()
        media = Media(lambda path: mirror.col.media.add_file(str(path)))
        # a card new to this mirror takes the note another flashdeck made of it, if any
        guids = merge.assign_guids(col, adopt=adopter(col, mirror.notes, (basic["id"],
                                                                           cloze["id"]), media))
        present = mirror.revlog_ids()  # after a full download: the server's
        merge.forget_pushed(col, present)
        merge.record_cids(col, mirror.card_ids())
        say("merging the reviews")
        pulled = merge.pull(col, mirror.revlog(merge.known_cids(col)), config)
        merge.prune_renumbered(col, days_later(now, -1, config.day_start_hour, tz))
        report.pulled, report.unknown = pulled.reviews, pulled.unknown
        report.not_kept = merge.schedule_changes(col, mirror.schedule_changes())
        taken = merge.take_hidden(col, mirror.hidden(), now,
                                  day_bounds(now, config.day_start_hour, tz), before)
        report.hidden = {"suspended": taken.suspended, "unsuspended": taken.unsuspended,
                         "buried": taken.buried}
        say("updating the cards")
        sent = merge.hidden_now(col, now)
        have = mirror.notes()
        basic, cloze = mirror.models()
        cards, stamps = mirror_cards(col, guids, config, now, tz, mirror.today(), media,
                                     have=have, stamps=merge.stamps(col),
                                     note_types=(basic["id"], cloze["id"]))
        for card in cards:
            mirror.deck_id(card.deck)
        mirror.use_preset(config, parameters)
        merge.clear_removed(col, guids)
        gone = merge.gone_notes(col, guids, have)
        removed = {guid: have[guid][0] for guid in gone}
        report.cards = mirror.push(cards, gone, parameters, have)
        merge.record_cids(col, mirror.card_ids())
        merge.record_stamps(col, stamps)
        report.pushed = _resend_pulled(col, mirror, config, tz, present)
        report.pushed += _push_reviews(col, mirror, config, tz)
        say("sending to the server")
        try:
            full = len(report.full)
            _sync_once(mirror, auth, login, report, prefer_upload=True)
            if "download" not in report.full[full:]:  # a download replaced what was sent
                merge.record_hidden(col, sent)  # the server has them: the next sync's base
                merge.record_told(col, report.not_kept)  # the server has them put back
                merge.record_removed(col, removed)  # and has these notes removed
            else:  # not sent: put back, and told, at the next sync
                report.not_kept = []
            _sync_media(mirror, auth)
        except AnkiException as exc:
            raise _failed(exc, "flashdeck has the server's reviews; run `flashdeck sync`"
                               " again to send its own", login.endpoint) from None
    report.seconds = time.monotonic() - started
    return report


def _push_reviews(col, mirror, config, tz) -> int:
    """flashdeck's reviews the mirror lacks, into its revlog. Recorded as pushed first,
    then written: a run killed in between left rows that `merge.forget_pushed` finds
    missing from the mirror next time (they are pushed again), never an answer twice."""
    from flashdeck.ankisync import merge

    rows = merge.unpushed(col)
    if not rows:
        return 0
    planned = mirror.plan_revlog([revlog_row(row, row["guid"], config, tz) for row in rows])
    pairs = [(plan[0], row["id"]) for plan, row in zip(planned, rows) if plan is not None]
    merge.record_pushed(col, pairs)
    mirror.write_revlog([plan for plan in planned if plan is not None])
    return len(pairs)


def _resend_pulled(col, mirror, config, tz, present: set[int]) -> int:
    """Answers pulled from Anki that the server lost since (`merge.lost_pulled`) written
    back to the mirror under the revlog ids they had, before `_push_reviews` picks free ids
    for ours (so none of theirs is taken). Nothing is recorded: `anki_log` already names
    each; a run killed before the server got them finds them missing again next time."""
    from flashdeck.ankisync import merge

    rows = merge.lost_pulled(col, present)
    if not rows:
        return 0
    planned = mirror.plan_revlog([revlog_row(row, row["guid"], config, tz) for row in rows])
    again = [(row["revlog_id"], *plan[1:]) for plan, row in zip(planned, rows)
             if plan is not None]  # None: its card is not in the mirror (its note removed)
    mirror.write_revlog(again)
    return len(again)


def revlog_row(row, guid: str, config, tz) -> tuple:
    """A review (a `reviews` row) as `Mirror.add_revlog` takes it."""
    return (guid, row["reviewed_at"], row["rating"], *_intervals(row, config, tz),
            row["duration_ms"] or 0, _revlog_type(row["state_before"]))


def _revlog_type(before_json: str) -> int:
    """Anki's revlog type by the state answered from: 0 learning, 1 review, 2 relearning."""
    try:
        state = json.loads(before_json).get("state")
    except (ValueError, AttributeError):
        return 0
    return {"review": 1, "relearning": 2}.get(state, 0)


def _intervals(row, config, tz) -> tuple[int, int]:
    """Anki's ivl and lastIvl of an answer: days when positive (scheduling days in the zone
    and day-start hour the answer was given with, as the card's own interval: a 21-day
    interval given in the evening is 21, not the 20 its hours round to), seconds when
    negative."""
    from flashdeck.scheduling.step import logged_days

    def interval(state: dict, at: int) -> int:
        due, last = state.get("due"), state.get("last_review")
        if due is None:
            return 0
        if state.get("state") == "review" and last is not None:
            return max(1, logged_days(after, last, due, tz, config.day_start_hour))
        return -max(1, int(due - at))
    try:
        before, after = json.loads(row["state_before"]), json.loads(row["state_after"])
        return interval(after, row["reviewed_at"]), interval(before, before.get("last_review")
                                                              or row["reviewed_at"])
    except (ValueError, AttributeError, TypeError):
        return 0, 0
