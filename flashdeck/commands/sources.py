"""sources, forget: the imported vaults, and dropping one (its cards kept as orphans)."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

from flashdeck import clock
from flashdeck.collection.sources import find_source, forget_source, list_sources
from flashdeck.commands import open_collection, print_json
from flashdeck.textsafe import sanitize
from flashdeck.words import count


def register(sub) -> None:
    p = sub.add_parser("sources", help="the imported vaults and files: notes, cards, last import")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("forget", help="drop a source: its cards become orphans (hidden, history"
                                      " kept; importing it again brings them back)")
    p.add_argument("source", metavar="SOURCE", help="its path or id, as `sources` shows it")
    p.set_defaults(func=cmd_forget)


def _shown(path: str) -> str:
    """A path on one line, nothing in it able to drive the terminal."""
    return sanitize(path).replace("\n", "\u2424").replace("\t", "\u2409")


def _local(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc).astimezone(clock.local_tz())


def _time_text(moment) -> str:
    """`2026-11-24 10:00 +01:00`: local time, the offset written out."""
    minutes = round(moment.utcoffset().total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{moment:%Y-%m-%d %H:%M} {sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def cmd_sources(args) -> int:
    with open_collection(args, readonly=True) as col:
        sources = list_sources(col)
    if args.json:
        print_json([{
            "id": s.id, "path": s.path, "kind": s.kind, "notes": s.notes, "cards": s.cards,
            "added": _local(s.added).isoformat(),
            "last_import": _local(s.last_import if s.last_import is not None
                                  else s.added).isoformat(),
            "missing": s.missing,
        } for s in sources])
        return 0
    if not sources:
        print("no sources yet (run `flashdeck import PATH`)")
        return 0
    width = max(len(str(s.id)) for s in sources)
    for s in sources:
        when = _time_text(_local(s.last_import if s.last_import is not None else s.added))
        state = "  MISSING" if s.missing else ""
        print(f"{s.id:>{width}}  {_shown(s.path)}  ({s.kind}: {count(s.notes, 'note')},"
              f" {count(s.cards, 'card')}, last import {when}){state}")
    return 0


def cmd_forget(args) -> int:
    moment = int(args.now.timestamp())
    with open_collection(args, readonly=True) as col:  # no collection: no source to forget
        source = find_source(col, args.source)
        if source is None:
            print(f"flashdeck: no source {_shown(repr(args.source))} (see `flashdeck sources`)",
                  file=sys.stderr)
            return 2
        notes, cards, moved = forget_source(col, source, moment)
    print(f"forgot {_shown(source.path)}: {count(notes, 'note')}, {count(cards, 'card')} hidden"
          " (history kept; importing it again brings them back)")
    if moved:
        print(f"{count(moved, 'answered card')} of it found where its note is now (a copy"
              " never answered, added since): the history goes on there")
    return 0
