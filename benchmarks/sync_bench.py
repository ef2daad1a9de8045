"""`flashdeck sync` timings against a real Anki sync server on 127.0.0.1 (needs the anki
extra), for the bundled deck and for a generated collection of about 10,000 cards.

    python benchmarks/sync_bench.py [--cards N] [--answers N]

For each collection: the first sync (every card into a new mirror, a full upload), a sync
with nothing new, a sync after N answers in flashdeck, a sync pulling N answers made in a
plain Anki collection (the phone), and a fresh second flashdeck over the same notes syncing
(a full download, every review merged). Nothing but 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from support.syncserver import sync_server  # noqa: E402  (the sync tests' server)

USER, PASSWORD = "bench", "bench-password"
CARDS_PER_NOTE = 39  # about what benchmarks/vault.py's notes give


def flashdeck(*args) -> tuple[int, str]:
    from flashdeck.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in args])
    return code, out.getvalue()


def timed(*args) -> float:
    start = time.perf_counter()
    code, out = flashdeck(*args)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"flashdeck {' '.join(map(str, args))} failed: {out}")
    return elapsed


def answer_some(collection: Path, count: int) -> None:
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.config import Config
    from flashdeck.scheduling.engine import Engine

    with Collection.open(collection) as col:
        engine = Engine(col, Config(new_per_day=10**6))
        for _ in range(count):
            card = engine.next_card()
            if card is None:
                break
            engine.answer(card.id, 4)


def phone_answers(folder: Path, endpoint: str, count: int) -> float:
    """A plain Anki collection downloads, answers `count` cards and syncs; seconds taken
    by its download."""
    from anki.collection import Collection

    folder.mkdir(parents=True)
    col = Collection(str(folder / "collection.anki2"))
    try:
        auth = col.sync_login(USER, PASSWORD, endpoint)
        start = time.perf_counter()
        out = col.sync_collection(auth, False)
        if out.required > 1:
            col.close_for_full_sync()
            col.full_upload_or_download(auth=auth, server_usn=None, upload=False)
            col.reopen(after_full_sync=True)
        download = time.perf_counter() - start
        answered = 0
        for deck in col.decks.all_names_and_ids():
            col.decks.select(deck.id)
            while answered < count:
                card = col.sched.getCard()
                if card is None:
                    break
                col.sched.answerCard(card, 4)
                answered += 1
        col.sync_collection(auth, False)
        return download
    finally:
        col.close()


def bench(name: str, notes: Path, root: Path, answers: int) -> list[tuple[str, float]]:
    os.environ["XDG_DATA_HOME"] = str(root / "data")
    os.environ["FLASHDECK_SYNC_PASSWORD"] = PASSWORD
    os.environ["FLASHDECK_CONFIG"] = str(root / "config.toml")
    rows = []
    with sync_server(root / "server", USER, PASSWORD) as server:
        endpoint = server.endpoint
        a, b = root / "a.sqlite", root / "b.sqlite"
        flashdeck("--collection", a, "import", notes)
        cards = int(flashdeck("--collection", a, "list", "--json")[1].count('"id"'))
        sync = ("sync", "--endpoint", endpoint, "--user", USER)
        rows.append((f"{name}: first sync ({cards} cards, full upload)",
                     timed("--collection", a, *sync)))
        rows.append((f"{name}: sync, nothing new", timed("--collection", a, *sync)))
        answer_some(a, answers)
        rows.append((f"{name}: sync after {answers} answers here",
                     timed("--collection", a, *sync)))
        download = phone_answers(root / "phone", endpoint, answers)
        rows.append((f"{name}: plain Anki's full download (for comparison)", download))
        rows.append((f"{name}: sync pulling {answers} answers from Anki",
                     timed("--collection", a, *sync)))
        flashdeck("--collection", b, "import", notes)
        rows.append((f"{name}: a second flashdeck's first sync ({2 * answers} reviews in)",
                     timed("--collection", b, *sync)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=100)
    args = parser.parse_args()

    from flashdeck.paths import bundled_cards_dir
    from vault import generate

    rows = []
    with tempfile.TemporaryDirectory(prefix="flashdeck-sync-bench-") as tmp:
        tmp = Path(tmp)
        bundled = bundled_cards_dir()
        if bundled is not None:
            rows += bench("bundled deck", bundled, tmp / "bundled", min(args.answers, 20))
        vault = generate(tmp / "vault", max(1, args.cards // CARDS_PER_NOTE), untagged_share=0)
        rows += bench(f"~{args.cards} cards", vault, tmp / "big", args.answers)
    width = max(len(label) for label, _ in rows)
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds:7.2f} s")


if __name__ == "__main__":
    main()
