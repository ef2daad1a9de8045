"""`flashdeck stats`'s text: a summary of the figures, or (`--plot`) the charts as text,
fitting the terminal (or 80 columns in a pipe). Everything printed goes through the
sanitizer (deck names are the user's text)."""

from __future__ import annotations

import shutil

from flashdeck.scheduling.stats import Stats, count
from flashdeck.textsafe import sanitize


def print_figures(stats: Stats, plot: bool = False) -> None:
    from flashdeck.scheduling import stats_charts as charts

    width = max(40, shutil.get_terminal_size((80, 24)).columns)
    if plot:
        for line in charts.all_lines(stats, width, damage=False):  # on stderr already
            print(sanitize(line))
        return
    fc = stats.forecast
    print(f"forecast: {fc.days[0]} due today ({fc.overdue} overdue), {sum(fc.days[:7])} in the"
          f" next 7 days, {sum(fc.days)} in 30")
    hm = stats.heatmap
    print(f"last 365 days: {count(sum(hm.counts), 'review')} on"
          f" {count(sum(1 for n in hm.counts if n), 'day')}")
    if stats.later:
        print(sanitize(stats.notices()[-1]))
    month = stats.true_retention["month"]
    rates = ", ".join(f"{kind} {month[kind].rate:.1%} of {month[kind].total}"
                      for kind in ("young", "mature") if month[kind].total)
    print(f"true retention (last 30 days): {rates or 'no review cards answered'}")
    cal = stats.calibration
    if cal:
        best = max(cal, key=lambda b: b.count)
        print(f"calibration (last year, {sum(b.count for b in cal)} answers to cards in review or"
              f" relearning):"
              f" when flashdeck said {best.predicted:.0%}, you remembered {best.actual:.0%}")
    else:
        print("calibration: no answers to cards in review yet")
    for line in charts.parameters_lines(stats, width)[:1]:
        print(sanitize(line))
    print("(`flashdeck stats --plot` draws the charts, `--json` gives every figure)")
