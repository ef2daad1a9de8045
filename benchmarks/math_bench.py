"""Math rendering under attack: every card renders in under 50 ms (issue 17, "Bounded math").

    python benchmarks/math_bench.py [--repeat N]

Each hostile formula (deep \\frac, \\left(, braces, environments, double superscripts, long
sources) and each hostile card (thousands of formulas) is rendered with cold caches, through
render_inline / render_display and through the card paths (render_plain, split_markdown);
the best of N runs is printed with what came out. Exit status 1 when any exceeds the target.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 50.0


def frac(n: int) -> str:
    return "\\frac{" * n + "1" + "}{2}" * n


def balanced(d: int) -> str:
    return "x" if d == 0 else "\\frac{%s}{%s}" % (balanced(d - 1), balanced(d - 1))


FORMULAS = {
    "frac 24": frac(24), "frac 50": frac(50), "frac 80": frac(80), "frac 160": frac(160),
    "frac 300": frac(300), "balanced frac 6": balanced(6), "balanced frac 7": balanced(7),
    "left( 50": "\\left(" * 50 + "\\frac{x}{y}" + "\\right)" * 50,
    "left( 3000": "\\left(" * 3000 + "x" + "\\right)" * 3000,
    "braces 5000": "{" * 5000 + "x" + "}" * 5000,
    "matrix 2000": "\\begin{matrix}" * 2000 + "x" + "\\end{matrix}" * 2000,
    "x^2^2… 3000": "x" + "^2" * 3000,
    "((…)) 59": "(" * 59 + "\\frac{1}{2}" + ")" * 59,
    "sqrt 24 + frac": "\\sqrt{" * 24 + "\\frac{1}{2}" + "}" * 24,
    "soup 999": ("\\frac{a^2_3}{\\sqrt{b}} + \\left[ \\alpha \\right] " * 40)[:999],
    # a formula's own macros (flashdeck.texmacros): calling itself, doubling its argument,
    # hundreds of definitions
    "macro loop": "\\def\\a{\\a x}\\a",
    "macro doubling 16": "\\newcommand{\\a}[1]{#1#1}" + "\\a{" * 16 + "x" + "}" * 16,
    "macro 2-arg grow": "\\newcommand{\\f}[2]{\\f{#1#1}{#2}}\\f{x}{y}",
    "macro defs 400": "\\def\\a{x}" * 400 + "\\a",
    # the physics package's commands (mathtext.physics): nested brackets, a run of operators
    "physics qty( 300": "\\qty(" * 300 + "x" + ")" * 300,
    "physics dv 600": "\\dv{f}{x}" * 600,
    "physics mqty 200": "\\mqty(" * 200 + "a & b \\\\ c & d" + ")" * 200,
}
F1 = r"F_1 = \frac{2}{\frac{1}{P} + \frac{1}{R}} = \frac{2PR}{P + R} = \frac{2TP}{2TP + FP + FN}"
CARDS = {
    "400 formulas": "\n".join(f"Term {i}: $a_{{{i}}} + \\frac{{{i}}}{{x}}$ and\n$$\n{F1} + {i}\n$$"
                              for i in range(200)),
    "2000 inline": " ".join(f"${{x^{i}}}$" for i in range(2000)),
    "frac 300": f"Q ${frac(300)}$\n\n$$\n{frac(300)}\n$$",
    "frac 49 x3": "\n\n".join(f"$$\n{frac(49)}\n$$" for _ in range(3)),
    "balanced 6 x3": "\n\n".join(f"$$\n{balanced(6)}\n$$ $x{i}$" for i in range(3)),
}


def _best(fn, arg, repeat: int) -> tuple[float, object]:
    import flashdeck.mathtext.render as render

    best, out = float("inf"), None
    for _ in range(repeat):
        render._inline_cached.cache_clear()
        render._display_cached.cache_clear()
        started = time.perf_counter()
        out = fn(arg)
        best = min(best, time.perf_counter() - started)
    return best * 1000, out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from flashdeck.mathtext import render_display, render_inline, render_plain, split_markdown

    render_inline("x")  # pylatexenc imported once, not measured
    worst = 0.0
    for name, source in FORMULAS.items():
        for fn in (render_inline, render_display):
            ms, out = _best(fn, source, args.repeat)
            worst = max(worst, ms)
            shape = f"{len(out)} lines" if isinstance(out, list) else f"{len(out)} chars"
            shown = "source" if (out == source or out == [source]) else "rendered"
            print(f"{name:16} {len(source):6} chars  {fn.__name__:15} {ms:7.1f} ms  "
                  f"{shown:8} {shape}")
    for name, card in CARDS.items():
        for fn in (render_plain, split_markdown):
            ms, _ = _best(fn, card, args.repeat)
            worst = max(worst, ms)
            print(f"card {name:11} {len(card):6} chars  {fn.__name__:15} {ms:7.1f} ms")
    print(f"worst {worst:.1f} ms (target {TARGET_MS:.0f} ms)")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
