"""The `physics` package (`\\require{physics}` in a vault's preamble.sty, MathJax's physics
extension) read as it is typeset: before, `\\ket{\\psi}` read 'ket(ψ)', `\\dv{f}{x}` 'dv(f, x)'
(3,342 of a physics vault's 10,608 formulas showed a command's name)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from flashdeck.mathtext import render_display, render_inline


@pytest.mark.parametrize("latex,shown", [
    (r"\ket{\psi}", "|ψ⟩"),
    (r"\bra{\phi}\ket{\psi}", "⟨ϕ|ψ⟩"),  # one bracket, as the package sets it
    (r"\braket{\phi}{\psi}", "⟨ϕ|ψ⟩"),
    (r"\ev{\hat H}", "⟨Ĥ⟩"),
    (r"\ev{A}{\psi}", "⟨ψ|A|ψ⟩"),
    (r"\mel{n}{H}{m}", "⟨n|H|m⟩"),
    (r"\op{0}{1}", "|0⟩⟨1|"),
    (r"\comm{A}{B} = AB - BA", "[A, B] = AB − BA"),
    (r"\qty(\frac{a}{b})^2", "(a/b)²"),
    (r"\qty[x+y]", "[x + y]"),
    (r"\int f(x) \dd x", "∫ f(x) dx"),
    (r"\dv{f}{x}", "df/dx"),
    (r"\dv{x}", "d/dx"),
    (r"\dv[2]{f}{x}", "d²f/dx²"),
    (r"\pdv{f}{x}", "∂f/∂x"),
    (r"\pdv[2]{f}{x}", "∂²f/∂x²"),
    (r"\vb{F} = m\vb{a}", "F = ma"),
    (r"\grad\phi", "∇ϕ"),
    (r"\curl\vb{B}", "∇ × B"),
    (r"\abs{x}", "|x|"),
    (r"\Omega_\gamma = \abs(k)/\sqrt 3", "Ω_γ = |k|/√3"),  # a vault's: brackets for braces
    (r"\norm{\vb v}", "‖v‖"),
    (r"\order{x^2}", "O(x²)"),
    (r"\require{physics}\ket{0}", "|0⟩"),
    (r"x = 1 \qq{for} y", "x = 1  for  y"),
    (r"\div x", "÷x"),  # a name LaTeX itself has keeps its meaning
    (r"\qty(a", "(a"),  # never closed: as written
])
def test_physics_commands_read_as_typeset(latex, shown):
    assert render_inline(latex) == shown


def test_physics_in_a_display():
    lines = [line.rstrip() for line in render_display(
        r"\pdv[2]{\psi}{x} = \frac{1}{c^2}\pdv[2]{\psi}{t}")]
    assert lines == ["∂²ψ   1  ∂²ψ", "─── = ── ───", "∂x²   c² ∂t²"]
    matrix = [line.rstrip() for line in render_display(r"\mqty(a & b \\ c & d)")]
    assert matrix == ["⎛a  b⎞", "⎝c  d⎠"]


_PIECES = st.sampled_from([r"\qty", r"\mqty", r"\dv", r"\pdv", r"\ket", r"\bra", r"\ev",
                           r"\dd", "{", "}", "(", ")", "[", "]", "|", "x", "&", r"\\", "2"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30))
def test_any_physics_renders_without_failing(pieces):
    out = render_inline("".join(pieces))
    assert isinstance(out, str)
