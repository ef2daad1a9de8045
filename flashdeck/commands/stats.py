"""`flashdeck stats`'s text: a summary of the figures, or (`--plot`) the charts as text,
fitting the terminal (or 80 columns in a pipe). Everything printed goes through the
sanitizer (deck names are the user's text)."""

from __future__ import annotations

from flashdeck.scheduling.stats import Stats, count
from flashdeck.textsafe import sanitize


def terminal_width() -> int:
    """The columns `stats` fits its lines to: the terminal's (80 in a pipe), at least 40.
    (shutil.get_terminal_size's columns, without importing shutil: bz2 and lzma.)"""
    from flashdeck.cli import _columns

    return max(40, _columns())


def fitted(line: str, width: int) -> list[str]:
    """`line` wrapped to lines of at most `width` terminal columns (the lines after the
    first indented by two): after a `; ` where the clauses fit, else at its spaces, a word
    longer than a line cut where it must be — as `list` and `check` keep every line
    within the terminal."""
    from flashdeck.cells import cell_width

    if cell_width(line) <= width:
        return [line]
    clauses = line.split("; ")
    if len(clauses) > 1:
        parts = [clause + ";" for clause in clauses[:-1]] + [clauses[-1]]
        if all(cell_width(part) <= width - 2 for part in parts):
            out: list[str] = []
            for part in parts:
                if out and cell_width(f"{out[-1]} {part}") <= width:
                    out[-1] = f"{out[-1]} {part}"
                else:
                    out.append(f"  {part}" if out else part)
            return out
    from flashdeck.scheduling.stats_charts import wrap_line

    return wrap_line(line, width)


def say(line: str, width: int | None = None) -> None:
    """Print one line of the summary, sanitized and fitted to the terminal."""
    for part in fitted(sanitize(line), width or terminal_width()):
        print(part)


def print_figures(stats: Stats, plot: bool = False) -> None:
    from flashdeck.scheduling import stats_charts as charts

    width = terminal_width()
    if plot:
        for line in charts.all_lines(stats, width, damage=False):  # on stderr already
            print(sanitize(line))
        return
    fc = stats.forecast
    say(f"forecast: {fc.days[0]} due today ({fc.overdue} overdue), {sum(fc.days[:7])} in the"
        f" next 7 days, {sum(fc.days)} in 30")
    hm = stats.heatmap
    say(f"last 365 days: {count(sum(hm.counts), 'review')} on"
        f" {count(sum(1 for n in hm.counts if n), 'day')}")
    if stats.later:
        say(stats.notices()[-1])
    month = stats.true_retention["month"]
    rates = ", ".join(f"{kind} {month[kind].rate:.1%} of {month[kind].total}"
                      for kind in ("young", "mature") if month[kind].total)
    say(f"true retention (last 30 days): {rates or 'no review cards answered'}")
    cal = stats.calibration
    if cal:
        best = max(cal, key=lambda b: b.count)
        say(f"calibration (last year, {sum(b.count for b in cal)} answers to cards in review or"
            f" relearning):"
            f" when flashdeck said {best.predicted:.0%}, you remembered {best.actual:.0%}")
    else:
        say("calibration: no answers to cards in review yet")
    for line in charts.parameters_lines(stats, width)[:1]:
        say(line)
    say("(`flashdeck stats --plot` draws the charts, `--json` gives every figure)")
