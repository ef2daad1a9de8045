"""optimize, retention: personal FSRS parameters, and the desired-retention trade-off."""

from __future__ import annotations

import sys

from flashdeck.commands import open_collection, print_json
from flashdeck.textsafe import sanitize


def register(sub) -> None:
    p = sub.add_parser(
        "optimize", help="personal FSRS parameters from your own reviews",
        description="Fit FSRS parameters on your older reviews and compare them with the"
                    " current ones on your most recent quarter; switch only if they predict"
                    " it better. Saved in config.toml.")
    p.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    p.add_argument("--reschedule", action="store_true",
                   help="after switching, recompute each card's memory state under the new"
                        " parameters and its due date from it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_optimize)

    p = sub.add_parser(
        "retention", help="workload vs desired retention (simulated)",
        description="Simulate a year of reviews with your FSRS parameters and limits at"
                    " desired retentions from 0.70 to 0.97.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retention)


def _fmt(evaluation) -> str:
    if evaluation is None:
        return "-"
    return f"log loss {evaluation.log_loss:.4f}, RMSE(bins) {evaluation.rmse_bins:.4f}"


def cmd_optimize(args) -> int:
    from flashdeck.paths import config_path
    from flashdeck.scheduling.config import load_config
    from flashdeck.scheduling.optimize import named_lines, optimize, reschedule, save

    from flashdeck.scheduling.parameters import current_parameters

    config = load_config()
    source = current_parameters(config).source
    kept: list[str] = []  # the cards a damaged log keeps as they are in --reschedule
    with open_collection(args, readonly=args.dry_run) as col:
        result = optimize(col.conn, config)
        rescheduled = None
        if result.switched and not args.dry_run:
            save(col, config_path(), result, args.now)
            from dataclasses import replace

            result = replace(result, written=True)
            if args.reschedule:
                rescheduled = reschedule(col, load_config(), args.now, damaged=kept)
    # a damaged review is named on stderr, a line each (its card left out of the fit, and
    # of the rescheduling): the rest is done, exit 1
    damaged = (*result.damaged, *named_lines(kept))
    for line in damaged:
        print(f"flashdeck: {sanitize(line)}", file=sys.stderr)
    failed = 1 if damaged else 0
    if args.json:
        data = result.to_json()
        data["rescheduled"] = rescheduled
        data["damaged"] = list(damaged)
        print_json(data)
        return failed
    print(sanitize(f"Reviews: {result.reviews} ({result.items} on a later day than the"
                   f" card's previous review: {result.train} to fit, {result.test} to test)"))
    current_label = f"Current parameters ({source}): "
    if result.current is not None:
        print(sanitize(f"{current_label}{_fmt(result.current)}"))
    if result.new_parameters is not None:  # the figures under the current ones
        print(sanitize(f"{'New parameters: ':<{len(current_label)}}{_fmt(result.new)}"))
    print(sanitize(result.message[:1].upper() + result.message[1:] + "."))
    if result.switched:
        if args.dry_run:
            print("Dry run: nothing written (run without --dry-run to switch).")
        else:
            print(sanitize(f"Switched: saved in {config_path()}."))
            if rescheduled is not None:
                print(sanitize(f"Rescheduled {rescheduled} cards under the new parameters."))
    return failed


def cmd_retention(args) -> int:
    from flashdeck.scheduling.config import load_config
    from flashdeck.scheduling.optimize import simulate_retention

    config = load_config()
    with open_collection(args, readonly=True) as col:
        result = simulate_retention(col.conn, config)
    if args.json:
        print_json(result.to_json())
        return 0
    simulated, yours = result.deck_size, result.your_cards
    if simulated == yours:
        size = f"your {yours:,} cards"
    else:  # a small collection makes a noisy table; a huge one, a slow one
        size = (f"{simulated:,} cards (you have {yours:,}: the figures a day are for"
                f" {simulated:,}; the best retention hardly depends on the count)")
    print(sanitize(f"A simulated year of {size}, with your limits and the"
                   f" {result.source} FSRS parameters:"))
    print()
    print("  retention  reviews/day  minutes/day  remembered  minutes per card")
    for row in result.rows:
        mark = " ← now" if abs(row.retention - result.current) < 1e-9 else ""
        print(sanitize(f"  {row.retention:9.2f}  {row.reviews_per_day:11.1f}"
                       f"  {row.minutes_per_day:11.1f}  {row.memorized:10.0f}"
                       f"  {row.cost_per_card:16.2f}{mark}"))
    print()
    best = result.best
    print(sanitize(f"Least work per card remembered: desired retention {best.retention:.2f}"
                   f" ({best.reviews_per_day:.0f} reviews and {best.minutes_per_day:.0f}"
                   f" minutes a day, {best.memorized:.0f} cards remembered)."))
    print(sanitize(f"Yours is {result.current:.2f} (desired_retention in config.toml)."))
    return 0
