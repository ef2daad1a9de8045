"""`flashdeck show` on math as vaults write it: a `\\text{…}` subscript without braces, an
accent over a subscripted letter, `:=`, a binomial in TeX's infix form."""

from __future__ import annotations

from support.notes import shown_answer

NOTE = """---
tags: [flashcards]
---
# Gradient Descent

### How does one step update the weights?
With learning rate $\\eta_\\text{lr}$ the weight vector $\\vec{w_t}$ moves against the
gradient: $\\vec{w_{t+1}} := \\vec{w_t} - \\eta_\\text{lr} \\nabla_w \\mathcal{L}$,
until $\\|\\nabla_w \\mathcal{L}\\| << 1$.
$$P(k) = {n \\choose k} \\overline{p}^k$$
"""


def test_show_reads_script_commands_accents_and_infix(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    shown = shown_answer(cli, tmp_path, "Gradient Descent.md", NOTE, "How does one step", "--width", "80")
    assert shown.code == 0, shown.err
    lines = [line.rstrip() for line in shown.out.splitlines()]
    # was `η_(text)lr`, `vec(w_t)`, `: =`, `< <`
    assert "With learning rate η_lr the weight vector w⃗ₜ moves against the" in lines
    assert "gradient: w⃗ₜ₊₁ := w⃗ₜ − η_(lr)∇_(w)L," in lines
    assert "until ‖∇_(w)L‖ << 1." in lines
    # was `P(k) = n choose kp̅ᵏ` on one line: the binomial is stacked
    assert [line.strip() for line in lines if line.strip()][-2:] == ["P(k) = ⎛n⎞p̅ᵏ", "⎝k⎠"]
