"""The local Anki collection that mirrors flashdeck's live cards (and, for `export`, a
throwaway one made the same way).

Each live card is one Anki note: note type "flashdeck" (fields Front, Back, Source) or, for
a cloze, "flashdeck cloze" (Text, Back, Source; the card's asked deletion is `{{c1::…}}`),
GUID = the card's stable identity (`merge.derived_guid`), deck = the flashdeck deck with
`::`, Source = `note:line`. Its scheduling is flashdeck's (FSRS memory state, due, interval,
suspension); the decks share a preset "flashdeck" holding flashdeck's FSRS parameters and
settings. Reviews are written to Anki's `revlog` table as Anki logs them (millisecond ids,
`usn = -1`: waiting for the next sync).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from flashdeck.errors import FlashdeckError

BASIC = "flashdeck"
CLOZE = "flashdeck cloze"
PRESET = "flashdeck"
SEP = "\x1f"  # Anki's field separator
MAX_FIELD = 100_000  # characters of one field (Anki's own limit is far higher)


@dataclass(frozen=True, slots=True)
class MirrorCard:
    """What one flashdeck card is in Anki: its note (guid, type, fields, deck) and the
    scheduling its Anki card gets (Anki's card columns)."""

    guid: str
    cloze: bool
    fields: tuple[str, str, str] | None  # None: the mirror's note has them already
    deck: str  # Anki's name, `a::b`
    ctype: int  # 0 new, 1 learning, 2 review, 3 relearning
    queue: int  # -1 suspended, 0 new, 1 learning (due in seconds), 2 review
    due: int
    ivl: int
    left: int
    reps: int
    lapses: int
    stability: float | None
    difficulty: float | None
    last_review: int | None


@dataclass(frozen=True, slots=True)
class RevlogEntry:
    revlog_id: int  # milliseconds
    guid: str
    ease: int  # 1-4
    duration_ms: int


class Mirror:
    """An open Anki collection (anki.collection.Collection) with flashdeck's note types."""

    def __init__(self, path: Path):
        from anki.collection import Collection as AnkiCollection
        from anki.errors import AnkiException

        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.col = AnkiCollection(str(path))
        except AnkiException as exc:  # a locked or damaged file
            if "already open" in str(exc):  # Anki's lock: another sync or export has it
                raise FlashdeckError(f"sync: another `flashdeck sync` is running ({path} is"
                                     " in use); run it again when that one ends") from None
            raise FlashdeckError(f"{path}: cannot open the Anki mirror: {exc}") from None
        self.path = path
        self._decks: dict[str, int] = {}

    def close(self) -> None:
        if self.col.db is not None:
            self.col.close()

    def __enter__(self) -> "Mirror":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- note types, decks, the preset ---------------------------------------------------
    def models(self) -> tuple[dict, dict]:
        """The two note types, made when missing (a collection downloaded from a server that
        another flashdeck synced has them already)."""
        return self._model(BASIC, False), self._model(CLOZE, True)

    def _model(self, name: str, cloze: bool) -> dict:
        from anki.models import MODEL_CLOZE

        mm = self.col.models
        model = mm.by_name(name)
        if model is not None:
            return model
        model = mm.new(name)
        if cloze:
            model["type"] = MODEL_CLOZE
        for field in ("Text" if cloze else "Front", "Back", "Source"):
            mm.add_field(model, mm.new_field(field))
        template = mm.new_template("Cloze" if cloze else "Card 1")
        source = '<div class="flashdeck-source">{{Source}}</div>'
        if cloze:
            template["qfmt"] = "{{cloze:Text}}"
            template["afmt"] = "{{cloze:Text}}{{#Back}}<hr>{{Back}}{{/Back}}" + source
        else:
            template["qfmt"] = "{{Front}}"
            template["afmt"] = "{{FrontSide}}<hr id=answer>{{Back}}" + source
        mm.add_template(model, template)
        model["css"] = (".card { font-family: sans-serif; font-size: 20px; text-align: left;"
                        " }\n.flashdeck-source { margin-top: 1em; font-size: 12px;"
                        " color: grey; }\n.cloze { font-weight: bold; color: blue; }\n")
        mm.add(model)
        return mm.by_name(name)

    def deck_id(self, name: str) -> int:
        if name not in self._decks:
            self._decks[name] = int(self.col.decks.id(name))
        return self._decks[name]

    def use_preset(self, config, parameters: tuple[float, ...]) -> None:
        """The preset "flashdeck" with flashdeck's FSRS parameters and settings, on every
        deck holding flashdeck cards; FSRS on. Written only when something differs."""
        decks = self.col.decks
        conf = next((c for c in decks.all_config() if c["name"] == PRESET), None)
        if conf is None:
            conf = decks.get_config(decks.add_config_returning_id(PRESET))
        wanted = {
            "fsrsParams6": [float(p) for p in parameters],
            "desiredRetention": float(config.desired_retention),
        }
        new = {"delays": [s.total_seconds() / 60 for s in config.learning_steps] or [1.0],
               "perDay": int(config.new_per_day)}
        lapse = {"delays": [s.total_seconds() / 60 for s in config.relearning_steps]}
        rev = {"maxIvl": int(config.maximum_interval), "perDay": int(config.reviews_per_day)}
        if any(not _close(conf.get(k), v) for k, v in wanted.items()) \
                or any(conf["new"].get(k) != v for k, v in new.items()) \
                or any(conf["lapse"].get(k) != v for k, v in lapse.items()) \
                or any(conf["rev"].get(k) != v for k, v in rev.items()):
            conf.update(wanted)
            conf["new"].update(new)
            conf["lapse"].update(lapse)
            conf["rev"].update(rev)
            decks.update_config(conf)
        for did in set(self._decks.values()):
            deck = decks.get(did)
            if deck is not None and not deck.get("dyn") and deck.get("conf") != conf["id"]:
                decks.set_config_id_for_deck_dict(deck, conf["id"])
        if not self.col.get_config("fsrs", False):
            self.col.set_config("fsrs", True)
        if self.col.get_config("rollover", None) != config.day_start_hour:
            self.col.set_config("rollover", config.day_start_hour)

    # -- reading ------------------------------------------------------------------------
    def notes(self) -> dict[str, tuple]:
        """guid -> (note id, note type id, fields, card id, deck id, the card's columns) of
        the notes of flashdeck's note types (their first card: a flashdeck note has one).
        A card in a filtered deck (a phone's custom study) is seen in its home deck, due
        when it is due there."""
        basic, cloze = self.models()
        rows = self.col.db.all(
            "SELECT n.guid, n.id, n.mid, n.flds, c.id,"
            " CASE WHEN c.odid != 0 THEN c.odid ELSE c.did END, c.type, c.queue,"
            " CASE WHEN c.odid != 0 THEN c.odue ELSE c.due END, c.ivl,"
            " c.left, c.reps, c.lapses, c.data FROM notes n JOIN cards c ON c.nid = n.id"
            " WHERE n.mid IN (?, ?) ORDER BY c.ord", basic["id"], cloze["id"])
        found: dict[str, tuple] = {}
        for row in rows:
            found.setdefault(row[0], tuple(row[1:]))
        return found

    def revlog(self, gone: dict[int, str] | None = None) -> list[RevlogEntry]:
        """Every answer in the mirror's log on a card of flashdeck's note types (manual
        reschedules and other entries without a grade are not answers, nor, as for Anki's
        own FSRS, a preview in a filtered deck that does not reschedule: type 3, factor 0).
        Only the note's first card is the flashdeck card: another (a `{{c2::…}}` added in
        Anki) is not. `gone`: card id -> guid of flashdeck cards the mirror may no longer
        have (their answers, given on a phone before it learnt the note was removed,
        count too)."""
        basic, cloze = self.models()
        answers = "r.ease BETWEEN 1 AND 4 AND (r.type < 3 OR (r.type = 3 AND r.factor != 0))"
        found = [RevlogEntry(int(rid), guid, int(ease), max(0, int(ms or 0)))
                 for rid, guid, ease, ms in self.col.db.all(
                     "SELECT r.id, n.guid, r.ease, r.time FROM revlog r"
                     " JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid"
                     f" WHERE n.mid IN (?, ?) AND c.ord = 0 AND {answers} ORDER BY r.id",
                     basic["id"], cloze["id"])]
        if gone:
            found += [RevlogEntry(int(rid), gone[cid], int(ease), max(0, int(ms or 0)))
                      for rid, cid, ease, ms in self.col.db.all(
                          "SELECT r.id, r.cid, r.ease, r.time FROM revlog r WHERE"
                          f" {answers} AND NOT EXISTS (SELECT 1 FROM cards c"
                          " WHERE c.id = r.cid)") if cid in gone]
            found.sort(key=lambda entry: entry.revlog_id)
        return found

    def schedule_changes(self) -> list[tuple[int, str, int, int]]:
        """Anki's log entries that changed a flashdeck card's schedule there without an
        answer: a reset ("Forget": type 4, interval 0), a due date set (type 4), a
        reschedule after a change of FSRS settings (type 5). (revlog id, guid, type, ivl),
        oldest first. flashdeck's own writes to the mirror never log these."""
        basic, cloze = self.models()
        return [(int(rid), guid, int(kind), int(ivl or 0)) for rid, guid, kind, ivl in
                self.col.db.all(
                    "SELECT r.id, n.guid, r.type, r.ivl FROM revlog r"
                    " JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid"
                    " WHERE n.mid IN (?, ?) AND c.ord = 0 AND r.type IN (4, 5)"
                    " ORDER BY r.id", basic["id"], cloze["id"])]

    def card_ids(self) -> dict[int, str]:
        """card id -> guid of the flashdeck cards the mirror has (a note's first card)."""
        basic, cloze = self.models()
        return {int(cid): guid for cid, guid in self.col.db.all(
            "SELECT c.id, n.guid FROM cards c JOIN notes n ON n.id = c.nid"
            " WHERE n.mid IN (?, ?) AND c.ord = 0", basic["id"], cloze["id"])}

    def hidden(self) -> dict[str, tuple[int, int]]:
        """guid -> (queue, modification time in seconds) of the flashdeck cards: whether
        each is suspended (-1) or buried (-2, -3) in Anki, and when it last changed. Makes
        no note type (a new mirror stays empty, so its first sync is a plain download)."""
        types = [m["id"] for m in map(self.col.models.by_name, (BASIC, CLOZE)) if m]
        if not types:
            return {}
        return {guid: (int(queue), int(mod)) for guid, queue, mod in self.col.db.all(
            "SELECT n.guid, c.queue, c.mod FROM notes n JOIN cards c ON c.nid = n.id"
            f" WHERE n.mid IN ({', '.join('?' * len(types))}) AND c.ord = 0", *types)}

    def revlog_ids(self) -> set[int]:
        return {int(r[0]) for r in self.col.db.all("SELECT id FROM revlog")}

    def today(self) -> int:
        return int(self.col.sched.today)

    # -- writing ------------------------------------------------------------------------
    def push(self, cards: list[MirrorCard], remove: set[str], parameters,
             have: dict | None = None) -> dict:
        """Make the mirror hold `cards` (add, update the changed ones) and drop the notes of
        `remove` (guids of cards no longer live). `have`: `notes()`, when just read.
        Returns counts."""
        from anki.collection import AddNoteRequest
        from anki.cards import FSRSMemoryState

        basic, cloze = self.models()
        have = self.notes() if have is None else have
        decay = float(parameters[20]) if len(parameters) > 20 else None
        adds, note_updates, card_updates, recreate = [], [], [], []
        for card in cards:
            model = cloze if card.cloze else basic
            did = self.deck_id(card.deck)
            current = have.get(card.guid)
            if current is not None and current[1] != model["id"]:
                recreate.append(current[0])  # its kind changed: a note of the other type
                current = None
            if current is None:
                if card.fields is None:
                    raise ValueError(f"note {card.guid}: no fields to add it with")
                note = self.col.new_note(model)
                note.guid = card.guid
                note.fields = list(card.fields)
                adds.append((AddNoteRequest(note=note, deck_id=did), card))
                continue
            nid, _mid, flds, cid, card_did, *columns = current
            if card.fields is not None and flds.split(SEP) != list(card.fields):
                note = self.col.get_note(nid)
                note.fields = list(card.fields)
                note_updates.append(note)
            if card_did != did or not _same_state(card, columns):
                card_updates.append((cid, did, card))
        if recreate:
            self.col.remove_notes(recreate)
        if adds:
            self.col.add_notes([request for request, _ in adds])
            added = self.notes()
            for _, card in adds:
                if card.ctype != 0 or card.queue != 0:
                    card_updates.append((added[card.guid][3], self.deck_id(card.deck), card))
        if note_updates:
            self.col.update_notes(note_updates)
        if card_updates:
            objects = []
            for cid, did, card in card_updates:
                anki_card = self.col.get_card(cid)
                # home, with flashdeck's state: out of a filtered deck, as Anki empties one
                anki_card.did, anki_card.odid, anki_card.odue = did, 0, 0
                anki_card.type, anki_card.queue = card.ctype, card.queue
                anki_card.due, anki_card.ivl, anki_card.left = card.due, card.ivl, card.left
                anki_card.reps, anki_card.lapses = card.reps, card.lapses
                if card.ctype in (2, 3) and not anki_card.factor:
                    # Anki's ease, read only when FSRS is off (an Anki that imports the
                    # .apkg, by default): 0 made every review grow its interval by a day
                    anki_card.factor = STARTING_EASE
                if card.stability is not None and card.difficulty is not None:
                    anki_card.memory_state = FSRSMemoryState(
                        stability=card.stability, difficulty=card.difficulty)
                    anki_card.decay = decay
                else:
                    anki_card.memory_state = None
                anki_card.last_review_time = card.last_review
                objects.append(anki_card)
            self.col.update_cards(objects, skip_undo_entry=True)
        gone = [have[g][0] for g in remove if g in have]
        if gone:
            self.col.remove_notes(gone)
        # a note of ours has one card: others (a deletion added to a cloze in Anki, left
        # when the note's text was put back) go
        extra = [cid for (cid,) in self.col.db.all(
            "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.mid IN (?, ?)"
            " AND c.ord > 0", basic["id"], cloze["id"])]
        if extra:
            self.col.remove_cards_and_orphaned_notes(extra)
        return {"added": len(adds), "updated": len(note_updates), "scheduled": len(card_updates),
                "removed": len(gone)}

    def plan_revlog(self, rows: list[tuple]) -> list[tuple]:
        """Revlog rows for answers: `rows` of (guid, reviewed_at seconds, ease, ivl, last ivl,
        duration ms, type) -> Anki's revlog columns (id: a free millisecond of its second,
        cid, ease, ivl, lastIvl, time, type), or None where the card is not in the mirror.
        Written by `write_revlog`."""
        cards = {guid: info[3] for guid, info in self.notes().items()}
        taken = self.revlog_ids()
        planned: list[tuple | None] = []
        for guid, seconds, ease, ivl, last_ivl, duration, kind in rows:
            cid = cards.get(guid)
            revlog_id = None if cid is None else next(
                (seconds * 1000 + k for k in range(1000) if seconds * 1000 + k not in taken),
                None)  # None: a thousand answers in one second, not a person's
            if revlog_id is None:
                planned.append(None)
                continue
            taken.add(revlog_id)
            planned.append((revlog_id, cid, ease, ivl, last_ivl, min(duration, 60_000), kind))
        return planned

    def write_revlog(self, planned: list[tuple]) -> None:
        """Write planned revlog rows (`usn = -1`: the next sync sends them); a row already
        there (an earlier run wrote it) is left as it is."""
        if planned:
            self.col.db.executemany(
                "INSERT OR IGNORE INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time,"
                " type) VALUES (?, ?, -1, ?, ?, ?, 0, ?, ?)", planned)
            # the collection's modification time, as Anki's own writes set it: a sync
            # compares it with the server's to know there is something to send
            self.col.db.execute("UPDATE col SET mod = max(mod + 1, ?)",
                                int(time.time() * 1000))


def _close(a, b) -> bool:
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(
            math.isclose(x, y, rel_tol=1e-6) for x, y in zip(a, b))
    return isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-6)


def _same_state(card: MirrorCard, columns) -> bool:
    ctype, queue, due, ivl, left, reps, lapses, data = columns
    if queue in (-2, BURIED) and card.queue >= 0:
        queue = card.queue  # buried in Anki (until its next day): that is Anki's to undo
    if card.ctype == 0 and ctype == 0:  # a new card: its position is Anki's business
        return queue == card.queue
    if (ctype, queue, due, ivl, reps, lapses) != (card.ctype, card.queue, card.due, card.ivl,
                                                  card.reps, card.lapses):
        return False
    try:
        memory = json.loads(data or "{}")
    except ValueError:
        return False
    if card.stability is None:
        return "s" not in memory
    return (_stored(memory.get("s"), card.stability, ANKI_S_PLACES)
            and _stored(memory.get("d"), card.difficulty, ANKI_D_PLACES))


# Anki keeps a card's FSRS memory state rounded: stability to 4 decimals, difficulty to 3
ANKI_S_PLACES, ANKI_D_PLACES = 4, 3


def _stored(kept, value: float, places: int) -> bool:
    """Whether Anki's `kept` number is `value` as Anki stores it (rounded to `places`)."""
    if not isinstance(kept, (int, float)):
        return False
    return abs(kept - value) <= 0.5 * 10 ** -places + 1e-9 \
        or math.isclose(kept, value, rel_tol=1e-4)


def anki_deck(deck: str) -> str:
    """flashdeck's `a/b/c` as Anki's `a::b::c`."""
    parts = [p.strip() for p in deck.split("/") if p.strip()]
    return "::".join(parts) or "flashdeck"


STARTING_EASE = 2500  # Anki's starting ease (250 %), its default for a card graduating
BURIED = -3  # Anki's queue of a card the user buried (Anki brings it back the next day)


def anki_schedule(row, today: date, anki_today: int, config, tz,
                  now: datetime | None = None) -> dict:
    """Anki's card columns for a flashdeck card's scheduling state (a dict or a row with
    the scheduling columns); a card buried until after `now` is buried in Anki too."""
    schedule = _anki_schedule(row, today, anki_today, config, tz)
    buried = row["buried_until"]
    if now is not None and buried is not None and buried > now.timestamp() \
            and schedule["queue"] != -1:
        schedule["queue"] = BURIED
    return schedule


def _anki_schedule(row, today: date, anki_today: int, config, tz) -> dict:
    from flashdeck.scheduling.step import scheduling_date

    hour = config.day_start_hour
    state = row["state"]
    suspended = bool(row["suspended"])
    base = {"reps": row["reps"] or 0, "lapses": row["lapses"] or 0,
            "stability": row["stability"], "difficulty": row["difficulty"],
            "last_review": row["last_review"]}
    if state == "new" or row["due"] is None:
        return {**base, "ctype": 0, "queue": -1 if suspended else 0, "due": 0, "ivl": 0,
                "left": 0, "stability": None, "difficulty": None, "last_review": None}
    due = datetime.fromtimestamp(row["due"], timezone.utc)
    last = row["last_review"]
    last_day = scheduling_date(datetime.fromtimestamp(last, timezone.utc), hour, tz) \
        if last is not None else today
    if state == "review":
        due_day = scheduling_date(due, hour, tz)
        return {**base, "ctype": 2, "queue": -1 if suspended else 2,
                "due": anki_today + (due_day - today).days,
                "ivl": max(1, (due_day - last_day).days), "left": 0}
    steps = config.learning_steps if state == "learning" else config.relearning_steps
    left = max(1, len(steps) - (row["step"] or 0))
    ivl = 0 if state == "learning" else max(1, round(row["stability"] or 1))
    return {**base, "ctype": 1 if state == "learning" else 3, "queue": -1 if suspended else 1,
            "due": int(row["due"]), "ivl": ivl, "left": left}
