"""flashdeck's side of the sync: the bookkeeping tables, and Anki's revlog merged into
flashdeck's review log.

Two tables of our own in the flashdeck collection (created here, `IF NOT EXISTS`):
  - `anki_cards (card_id, guid)`: each card's Anki GUID, fixed the first time the card is
    synced, so it survives edits of the card's text (the card keeps its id through them).
  - `anki_log (revlog_id, review_id, pulled)`: which Anki revlog entry is which flashdeck
    review: pulled from Anki (1) or pushed to it (0). An entry listed here is never pulled
    again; a review listed here is sent again only when a full download took its entry from
    the mirror (`forget_pushed`: ours, pushed anew; `lost_pulled`: a pulled one, written
    back under the id listed).
Pulled reviews, their `anki_log` rows and the cards' new states are written in one
transaction: a sync killed midway leaves all of it or none of it, and the next sync finds
the same entries unseen. Pushed reviews are recorded (with the revlog ids chosen for them)
before they are written to the mirror: a sync killed in between leaves rows whose entries
the mirror lacks, which the next sync drops (`forget_pushed`) and pushes again.

The GUID: `derived_guid`, a hash of the note's path inside its vault, the card's kind, its
content key (kind, front, back) and which copy of that content in the note it is. A second
flashdeck importing the same notes derives the same GUIDs (its card ids differ); a card
whose text was edited after its first sync keeps the GUID it got then.

Merging: a card's pulled answers are inserted in time order into its log, each a review
FSRS replays (`step.review`, the parameters in force at its time as `doctor` replays them);
answers of ours logged after the first pulled one are replayed again after it (their ids
renewed, `anki_log` following, `anki_renumbered` keeping each old id's new one for undo, until
`prune_renumbered` drops what no undo can reach), so
the log stays in time order and every `state_before` is the previous `state_after`. The
card's state is the replay's end: never last-writer-wins.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone

from flashdeck.collection.cards import LATER_COPY
from flashdeck.collection.store import Collection
from flashdeck.scheduling import step
from flashdeck.scheduling.state import SCHEDULING_COLUMNS, CardState

TABLES = (
    # stamp: what the card's Anki fields were made from and their hash (ankisync/cards.py);
    # hidden: the card's suspension and bury as the server last got them (`take_hidden`);
    # removed: the Anki note id of the card's note this collection removed (`gone_notes`)
    "CREATE TABLE IF NOT EXISTS anki_cards (card_id INTEGER PRIMARY KEY, guid TEXT NOT NULL"
    " UNIQUE, stamp TEXT, hidden TEXT, removed INTEGER)",
    "CREATE TABLE IF NOT EXISTS anki_log (revlog_id INTEGER PRIMARY KEY, review_id INTEGER"
    " NOT NULL, pulled INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS anki_log_review ON anki_log (review_id)",
    # every Anki card id a card's note has had (`record_cids`): an answer given on a phone
    # to a card whose note flashdeck removed meanwhile (its note orphaned, its kind
    # changed) is still found by the card id its revlog entry names
    "CREATE TABLE IF NOT EXISTS anki_cids (cid INTEGER PRIMARY KEY, guid TEXT NOT NULL)",
    # Anki's schedule changes that are not answers (a reset, a due date set), once said:
    # each is told the user at one sync (`schedule_changes`), never again
    "CREATE TABLE IF NOT EXISTS anki_told (revlog_id INTEGER PRIMARY KEY)",
    # answers of ours a pull logged again under a new id (`_merge_card`): old id -> the id
    # it has now, so the review screen's undo still finds the answer it just gave
    # (collection/lookups.py `current_review_ids`)
    "CREATE TABLE IF NOT EXISTS anki_renumbered (old_id INTEGER PRIMARY KEY,"
    " new_id INTEGER NOT NULL)",
)
MAX_GUID_TRIES = 100

# the live cards a mirror holds: not orphaned, and not a waiting copy of a shared exercise
LIVE_CARDS = (
    "SELECT c.*, n.relpath AS relpath, n.title AS note_title, s.path AS source_path,"
    " s.kind AS source_kind FROM cards c JOIN notes n ON n.id = c.note_id"
    " JOIN sources s ON s.id = n.source_id"
    f" WHERE c.orphaned = 0 AND NOT (c.state = 'new' AND {LATER_COPY})")


def ensure_tables(col: Collection) -> None:
    with col.transaction() as conn:
        for statement in TABLES:
            conn.execute(statement)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(anki_cards)")}
        if "hidden" not in columns:  # synced before suspensions went both ways
            conn.execute("ALTER TABLE anki_cards ADD COLUMN hidden TEXT")
        if "removed" not in columns:  # synced before removals were remembered
            conn.execute("ALTER TABLE anki_cards ADD COLUMN removed INTEGER")


def derived_guid(relpath: str, kind: str, ckey: str, copy: int) -> str:
    digest = hashlib.sha256(f"flashdeck\0{relpath}\0{kind}\0{ckey}\0{copy}".encode()).digest()
    return "fd" + base64.urlsafe_b64encode(digest[:12]).decode("ascii")


def assign_guids(col: Collection, deck: str | None = None, *,
                 write: bool = True, adopt=None) -> dict[int, str]:
    """The GUID of every live card (of `deck` and its subdecks), giving the cards that have
    none theirs (`derived_guid`; a GUID another card holds gets a suffix). `write=False`
    (export) keeps the new ones in memory only.

    `adopt(rows, claimed)` (sync: `cards.adopter`): for the cards without a GUID (each row
    with its derived GUID) whose derived one names no note of the mirror, card id -> the GUID
    of a note of the mirror made of the same card (its content, or a similar one in the note
    it was: edited since) that no card claims (`claimed`: every GUID this
    collection has given, and those derived here that the mirror has). Another flashdeck
    on the account gave the card its GUID from the path the note had when it first synced
    it: this one, syncing first after the note moved (or was edited), made another and so
    a second Anki note of each card, never getting the answers given to the first."""
    from flashdeck.collection.cards import deck_clause

    clause, params = deck_clause(deck)
    rows = col.conn.execute(
        LIVE_CARDS + clause + " ORDER BY c.note_id, c.position, c.id", params).fetchall()
    has_table = col.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'anki_cards'"
                                 ).fetchone() is not None
    with (col.transaction() if write else nullcontext(col.conn)) as conn:
        known = dict(conn.execute("SELECT card_id, guid FROM anki_cards")) if has_table else {}
        used = set(known.values())
        copies: dict[tuple, int] = defaultdict(int)
        derived: dict[int, str] = {}
        for row in rows:
            key = (row["note_id"], row["kind"], row["ckey"])
            copy = copies[key]
            copies[key] += 1
            if row["id"] not in known:
                derived[row["id"]] = derived_guid(row["relpath"], row["kind"], row["ckey"],
                                                  copy)
        adopted = {} if adopt is None or not derived else adopt(
            [(row, derived[row["id"]]) for row in rows if row["id"] in derived],
            used | set(derived.values()))
        result = {}
        for row in rows:
            guid = known.get(row["id"])
            if guid is None and row["id"] in adopted:
                guid = adopted[row["id"]]
                if write:
                    conn.execute("INSERT INTO anki_cards (card_id, guid) VALUES (?, ?)",
                                 (row["id"], guid))
                used.add(guid)
            elif guid is None:
                base = derived[row["id"]]
                guid = base
                for n in range(2, MAX_GUID_TRIES):
                    if guid not in used:
                        break
                    guid = f"{base}-{n}"
                else:
                    continue  # a hundred cards of one content: the rest are not synced
                if write:
                    conn.execute("INSERT INTO anki_cards (card_id, guid) VALUES (?, ?)",
                                 (row["id"], guid))
                used.add(guid)
            result[row["id"]] = guid
    return result


def record_cids(col: Collection, cids: dict[int, str]) -> None:
    """Remember the mirror's card ids (cid -> guid; kept when the card goes)."""
    with col.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO anki_cids (cid, guid) VALUES (?, ?)",
                         list(cids.items()))


def known_cids(col: Collection) -> dict[int, str]:
    return dict(col.conn.execute("SELECT cid, guid FROM anki_cids"))


@dataclass
class ScheduleChange:
    """A schedule change made in Anki that flashdeck does not keep (`schedule_changes`)."""
    revlog_id: int
    card_id: int
    what: str  # "reset", "due date" or "rescheduled"
    front: str


def schedule_changes(col: Collection, entries: list[tuple[int, str, int, int]]
                     ) -> list[ScheduleChange]:
    """Anki's resets, due dates set and reschedules (`Mirror.schedule_changes`) of flashdeck
    cards not yet told the user. flashdeck schedules a card from its answers alone, so the
    push that follows puts each card's schedule back: the user is told which, once."""
    if not entries:
        return []
    told = {row[0] for row in col.conn.execute("SELECT revlog_id FROM anki_told")}
    cards = {guid: (card_id, front) for card_id, guid, front in col.conn.execute(
        "SELECT a.card_id, a.guid, c.front FROM anki_cards a JOIN cards c ON c.id = a.card_id"
        " WHERE c.orphaned = 0")}
    changes = []
    for revlog_id, guid, kind, ivl in entries:
        if revlog_id in told or guid not in cards:
            continue
        card_id, front = cards[guid]
        what = "rescheduled" if kind == 5 else "reset" if ivl == 0 else "due date"
        changes.append(ScheduleChange(revlog_id, card_id, what, front))
    return changes


def record_told(col: Collection, changes: list[ScheduleChange]) -> None:
    with col.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO anki_told (revlog_id) VALUES (?)",
                         [(change.revlog_id,) for change in changes])


def stamps(col: Collection) -> dict[int, str]:
    return {card_id: stamp for card_id, stamp in col.conn.execute(
        "SELECT card_id, stamp FROM anki_cards WHERE stamp IS NOT NULL")}


def record_stamps(col: Collection, new: dict[int, str]) -> None:
    with col.transaction() as conn:
        conn.executemany("UPDATE anki_cards SET stamp = ? WHERE card_id = ?",
                         [(stamp, card_id) for card_id, stamp in new.items()])


SUSPENDED, BURIED = "suspended", "buried:"


def _hidden(suspended, buried_until, now: int) -> str:
    """A card's suspension and bury as `anki_cards.hidden` keeps them: "suspended",
    "buried:<until>" (a bury in force), or "" (neither)."""
    if suspended:
        return SUSPENDED
    if buried_until is not None and buried_until > now:
        return f"{BURIED}{int(buried_until)}"
    return ""


@dataclass
class HiddenResult:
    suspended: int = 0  # suspended in Anki, so now here
    unsuspended: int = 0
    buried: int = 0


def take_hidden(col: Collection, anki: dict[str, tuple[int, int]], now: datetime,
                day: tuple[datetime, datetime],
                before: dict[str, tuple[int, int]] | None = None) -> HiddenResult:
    """Suspensions and buries made in Anki (a phone) since the last sync, taken into the
    flashdeck collection, so the next push does not undo them. `anki`: guid -> (the Anki
    card's queue, its modification time in seconds); `day`: flashdeck's scheduling day now.

    Suspension is a three-way merge against `anki_cards.hidden`, what the server last got
    from us: a side whose flag differs from it changed it. Only Anki changed it: flashdeck
    takes Anki's (unsuspending a leech clears its flag, as `flashdeck unsuspend` does);
    only flashdeck changed it, or both the same way: flashdeck's goes to Anki as before. A
    flag is one bit, so both sides cannot change it in different directions. No clock of
    either device is compared. A card with no `hidden` yet (synced by a flashdeck that did
    not keep it) takes as its base the mirror's flag `before` this sync's exchange with the
    server (what the last sync left there, flashdeck's); with neither, flashdeck's stays. Answers are never touched: only the flag (and the card's version, so an
    answer before it can no longer be undone, as after a suspend here).

    A bury made in Anki today (Anki's queue -2/-3, the card modified within flashdeck's
    scheduling day, and not the bury flashdeck itself sent) buries the card here until the
    day ends, as a bury here does; Anki lifts its own the next day."""
    result = HiddenResult()
    stamp = int(now.timestamp())
    start, end = int(day[0].timestamp()), int(day[1].timestamp())
    with col.transaction() as conn:  # read and written under one lock: no change between
        rows = conn.execute(
            "SELECT g.card_id, g.guid, g.hidden, c.suspended, c.buried_until FROM anki_cards g"
            " JOIN cards c ON c.id = g.card_id WHERE c.orphaned = 0").fetchall()
        for row in rows:
            found = anki.get(row["guid"])
            if found is None:
                continue
            queue, modified = found
            base = row["hidden"]
            if base is None and before and row["guid"] in before:
                base = SUSPENDED if before[row["guid"]][0] == -1 else ""
            there = queue == -1
            here = bool(row["suspended"])
            if base is not None and there != (base == SUSPENDED) and here == (base == SUSPENDED):
                conn.execute("UPDATE cards SET suspended = ?, leech = leech * ?,"
                             " version = version + 1 WHERE id = ?",
                             (int(there), int(there), row["card_id"]))
                if there:
                    result.suspended += 1
                else:
                    result.unsuspended += 1
                continue
            sent_bury = base is not None and base.startswith(BURIED) \
                and int(base[len(BURIED):]) > stamp
            buried_here = row["buried_until"] is not None and row["buried_until"] > stamp
            if queue in (-2, -3) and not here and not buried_here and not sent_bury \
                    and start <= modified < end:
                conn.execute("UPDATE cards SET buried_until = ?, version = version + 1"
                             " WHERE id = ?", (end, row["card_id"]))
                result.buried += 1
    return result


def hidden_now(col: Collection, now: datetime) -> dict[int, str]:
    """Every synced card's suspension and bury as `anki_cards.hidden` keeps them, read
    before the push that sends them: what the server gets (`record_hidden` keeps it once it
    has). Read before, not after: a card suspended in the review screen while the sync
    talks to the server was not sent, and must not count as what the server has."""
    stamp = int(now.timestamp())
    return {card_id: _hidden(suspended, buried_until, stamp)
            for card_id, suspended, buried_until in col.conn.execute(
                "SELECT c.id, c.suspended, c.buried_until FROM cards c"
                " JOIN anki_cards g ON g.card_id = c.id")}


def record_hidden(col: Collection, sent: dict[int, str]) -> None:
    """What the server now has of the synced cards' suspension and bury (`hidden_now`,
    pushed): the base of the next `take_hidden`."""
    with col.transaction() as conn:
        conn.executemany(
            "UPDATE anki_cards SET hidden = ? WHERE card_id = ? AND hidden IS NOT ?",
            [(value, card_id, value) for card_id, value in sent.items()])


def gone_guids(col: Collection, live: dict[int, str]) -> set[str]:
    """GUIDs this collection gave out whose cards are no longer live (orphaned, deleted, a
    waiting exercise copy): their Anki notes go."""
    return {guid for card_id, guid in col.conn.execute("SELECT card_id, guid FROM anki_cards")
            if card_id not in live}


def gone_notes(col: Collection, live: dict[int, str], have: dict[str, tuple]) -> set[str]:
    """The GUIDs of `gone_guids` whose Anki note (`have`: `Mirror.notes()`, guid -> (note
    id, ...)) is to be removed: not one made after this collection removed the card's note.
    Two flashdeck collections can share notes on one Anki account (the same vault, the
    bundled deck in both); when one of them drops a card the other still has, the other
    adds its note again, as a new Anki note (a higher id: Anki's ids are creation times),
    and removing that one too made the two collections fight over it at every sync (the
    card gone from the phone and back, its phone answers scattered over dead Anki cards).
    The note removed before comes back only with a server's collection replaced by an
    older copy: that one is removed again."""
    removed = dict(col.conn.execute(
        "SELECT guid, removed FROM anki_cards WHERE removed IS NOT NULL"))
    return {guid for guid in gone_guids(col, live) if guid in have
            and (guid not in removed or have[guid][0] <= removed[guid])}


def clear_removed(col: Collection, live: dict[int, str]) -> None:
    """A live card's removal mark cleared (its note restored: its Anki note is added again,
    and goes when the card goes again), before `gone_notes` reads the marks."""
    with col.transaction() as conn:
        marked = [card_id for (card_id,) in conn.execute(
            "SELECT card_id FROM anki_cards WHERE removed IS NOT NULL") if card_id in live]
        conn.executemany("UPDATE anki_cards SET removed = NULL WHERE card_id = ?",
                         [(card_id,) for card_id in marked])


def record_removed(col: Collection, removed: dict[str, int]) -> None:
    """The Anki note ids of the notes this sync removed (guid -> note id), once the server
    has the removal."""
    with col.transaction() as conn:
        conn.executemany("UPDATE anki_cards SET removed = ? WHERE guid = ?",
                         [(nid, guid) for guid, nid in removed.items()])


def forget_pushed(col: Collection, present: set[int]) -> int:
    """Reviews recorded as pushed whose revlog entry the mirror no longer has (a full
    download replaced it before the server got them): pushed again by the next push."""
    with col.transaction() as conn:
        missing = [rid for (rid,) in conn.execute(
            "SELECT revlog_id FROM anki_log WHERE pulled = 0") if rid not in present]
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            conn.execute(f"DELETE FROM anki_log WHERE revlog_id IN"
                         f" ({','.join('?' * len(chunk))})", chunk)
    return len(missing)


def lost_pulled(col: Collection, present: set[int]) -> list:
    """Answers pulled from Anki whose revlog entry the mirror no longer has: the server's
    collection was replaced by a device that never had them (a phone's "Upload to AnkiWeb"
    after a one-way sync was asked for), and the mirror took the server's copy. flashdeck
    has each in its log; `sync` writes it back under its own revlog id, so every device gets
    it again, and an entry that comes back from elsewhere is the same one, never a second.
    The reviews (with their `revlog_id` and GUID), oldest first."""
    missing = [rid for (rid,) in col.conn.execute(
        "SELECT revlog_id FROM anki_log WHERE pulled = 1") if rid not in present]
    rows = []
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        rows += col.conn.execute(
            "SELECT l.revlog_id, r.id, r.reviewed_at, r.rating, r.duration_ms, r.state_before,"
            " r.state_after, g.guid FROM anki_log l JOIN reviews r ON r.id = l.review_id"
            " JOIN anki_cards g ON g.card_id = r.card_id"
            f" WHERE l.revlog_id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
    return sorted(rows, key=lambda row: row["revlog_id"])


@dataclass
class PullResult:
    reviews: int = 0  # answers added to flashdeck's log
    cards: int = 0  # cards whose state was replayed
    unknown: int = 0  # entries on notes this flashdeck has no card for


def pull(col: Collection, entries, config) -> PullResult:
    """Merge the mirror's revlog `entries` (mirror.RevlogEntry) into flashdeck's log: the ones
    not yet in `anki_log`, on cards this collection has. One transaction."""
    from flashdeck.clock import local_tz
    from flashdeck.scheduling.parameters import InForce, parameters_history

    result = PullResult()
    here = local_tz()
    with col.transaction() as conn:
        seen = {rid for (rid,) in conn.execute("SELECT revlog_id FROM anki_log")}
        card_of = {guid: card_id for card_id, guid in
                   conn.execute("SELECT card_id, guid FROM anki_cards")}
        fresh: dict[int, list] = defaultdict(list)
        for entry in entries:
            if entry.revlog_id in seen:
                continue
            card_id = card_of.get(entry.guid)
            if card_id is None:
                result.unknown += 1
                continue
            fresh[card_id].append(entry)
        if not fresh:
            return result
        in_force = InForce(parameters_history(conn))
        for card_id, items in fresh.items():
            _merge_card(conn, card_id, items, config, in_force, here)
            result.reviews += len(items)
            result.cards += 1
    return result


def _merge_card(conn, card_id: int, items: list, config, in_force, here) -> None:
    from flashdeck.scheduling.parameters import with_parameters

    card = conn.execute(f"SELECT {', '.join(SCHEDULING_COLUMNS)} FROM cards WHERE id = ?",
                        (card_id,)).fetchone()
    existing = conn.execute(
        "SELECT id, reviewed_at, rating, duration_ms, state_before, state_after FROM reviews"
        " WHERE card_id = ? ORDER BY id", (card_id,)).fetchall()
    items = sorted(items, key=lambda e: e.revlog_id)
    first = items[0].revlog_id // 1000
    cut = next((i for i, r in enumerate(existing) if r["reviewed_at"] > first), len(existing))
    redo = existing[cut:]
    current = CardState.from_dict(card).to_dict()
    if not redo:
        state = current  # appended after the last answer: from the card as it is
    else:
        source = existing[cut - 1]["state_after"] if cut else existing[0]["state_before"]
        state = {c: json.loads(source).get(c) for c in SCHEDULING_COLUMNS}
        for column in ("suspended", "buried_until", "version"):
            state[column] = current[column]
        conn.execute(f"DELETE FROM reviews WHERE id IN ({','.join('?' * len(redo))})",
                     [r["id"] for r in redo])
    # (time, 0 ours / 1 pulled, order): ours first within a second, as they were logged
    queue = [(r["reviewed_at"], 0, r["id"], r) for r in redo] + \
            [(e.revlog_id // 1000, 1, e.revlog_id, e) for e in items]
    queue.sort(key=lambda q: q[:3])
    for at, pulled, _, item in queue:
        moment = datetime.fromtimestamp(at, timezone.utc)
        if pulled:
            rating, duration = item.ease, item.duration_ms
            zone, rules = step.zone_key(here, moment), step.RULES
            logged = {"hour": config.day_start_hour, "set": step.settings_logged(config)}
        else:
            logged = json.loads(item["state_after"])
            rating, duration = item["rating"], item["duration_ms"]
            zone, rules = logged.get("zone"), logged.get("rules", 1)
        used = step.logged_config(logged, with_parameters(config, in_force.at(at)))
        tz = step.zone_from_key(zone, here)
        after = step.review(card_id, CardState.from_dict(state), rating, moment, used, tz,
                            rules).to_dict()
        extra = {"rules": rules}
        if zone is not None:
            extra["zone"] = zone
        if "hour" in logged:
            extra["hour"] = used.day_start_hour
        if "set" in logged:  # the settings it was answered with, kept for later replays
            extra["set"] = logged["set"]
        review_id = conn.execute(
            "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms, state_before,"
            " state_after) VALUES (?, ?, ?, ?, ?, ?)",
            (card_id, at, rating, duration, json.dumps(state),
             json.dumps({**after, **extra}))).lastrowid
        if pulled:
            conn.execute("INSERT INTO anki_log (revlog_id, review_id, pulled) VALUES (?, ?, 1)",
                         (item.revlog_id, review_id))
        else:
            conn.execute("UPDATE anki_log SET review_id = ? WHERE review_id = ?",
                         (review_id, item["id"]))
            # renumbered: its older ids lead to the new one in one step
            conn.execute("UPDATE anki_renumbered SET new_id = ? WHERE new_id = ?",
                         (review_id, item["id"]))
            conn.execute("INSERT OR REPLACE INTO anki_renumbered (old_id, new_id)"
                         " VALUES (?, ?)", (item["id"], review_id))
        state = after
    conn.execute(f"UPDATE cards SET {', '.join(c + ' = ?' for c in SCHEDULING_COLUMNS)}"
                 " WHERE id = ?", (*[state[c] for c in SCHEDULING_COLUMNS], card_id))


def prune_renumbered(col: Collection, since: datetime) -> int:
    """Forget the renumberings no undo can need: those of answers logged before `since`
    (the start of yesterday's scheduling day, so a review screen left open over the day's
    rollover still finds its answers by them; one open for longer finds them by card, time
    and rating: `lookups.answers_in_log`), and those whose answer left the log (undone). Undo
    reaches only the current day's answers given here; without this the table grew with
    every sync for ever. How many were dropped."""
    with col.transaction() as conn:
        return conn.execute(
            "DELETE FROM anki_renumbered WHERE NOT EXISTS (SELECT 1 FROM reviews r"
            " WHERE r.id = anki_renumbered.new_id AND r.reviewed_at >= ?)",
            (int(since.timestamp()),)).rowcount


def unpushed(col: Collection) -> list:
    """Our reviews not yet in Anki (nor from it), of cards that have a GUID, oldest first."""
    return col.conn.execute(
        "SELECT r.id, r.reviewed_at, r.rating, r.duration_ms, r.state_before, r.state_after,"
        " g.guid FROM reviews r JOIN anki_cards g ON g.card_id = r.card_id"
        " WHERE NOT EXISTS (SELECT 1 FROM anki_log l WHERE l.review_id = r.id)"
        " ORDER BY r.id").fetchall()


def record_pushed(col: Collection, pairs: list[tuple[int, int]]) -> None:
    """(revlog id, review id) of the reviews now in the mirror."""
    with col.transaction() as conn:
        conn.executemany("INSERT OR IGNORE INTO anki_log (revlog_id, review_id, pulled)"
                         " VALUES (?, ?, 0)", pairs)
