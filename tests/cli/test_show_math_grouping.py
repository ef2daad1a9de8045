"""`flashdeck show` prints math so that where a group ends is never lost: a subscript or
superscript spelled out in ASCII, a root, a scripted big operator in a numerator."""

from __future__ import annotations

from support.notes import shown_answer

NOTE = """---
tags: [flashcards]
---
# Momentum

### What is the weight update with momentum?
The step is $w_{t+1}=w_{t}-\\eta \\hat{g}_{ij}k$ with $\\frac{e^{\\alpha}}{2}$ and
$\\frac{\\sum_{i} a_i}{n}$, over $10 \\text{ s}$.
$$v=\\frac{a}{\\sqrt{b}c}$$
"""


def test_show_keeps_script_root_and_numerator_groupings(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    shown = shown_answer(cli, tmp_path, "Momentum.md", NOTE, "What is the weight update", "--width", "80")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    # not ĝ_ijk, e^α/2, ∑ᵢ aᵢ/n, 10s
    assert "The step is wₜ₊₁ = wₜ − ηĝ_(ij)k with e^(α)/2 and" in lines  # the note's lines
    assert "(∑ᵢ aᵢ)/n, over 10 s." in lines
    assert [line.strip() for line in lines[-4:-1]] == ["a", "v = ─────", "√(b)c"]  # not √bc
