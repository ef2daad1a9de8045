"""mhchem's `\\ce{…}` and `\\pu{…}` (MathJax reads them, so Obsidian shows them) read as a
chemist writes: before, `\\ce{H2O + CO2 -> H2CO3}` showed 'ce(H2O + CO2 − > H2CO3)'."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from flashdeck.mathtext import render_display, render_inline
from flashdeck.mathtext.chem import replace_ce


@pytest.mark.parametrize("latex,shown", [
    (r"\ce{H2O + CO2 -> H2CO3}", "H₂O + CO₂ → H₂CO₃"),
    (r"\ce{2H2 + O2 <=> 2H2O}", "2H₂ + O₂ ⇌ 2H₂O"),  # a coefficient stays a number
    (r"\ce{C6H12O6 + 6O2 -> 6CO2 + 6H2O}", "C₆H₁₂O₆ + 6O₂ → 6CO₂ + 6H₂O"),
    (r"\ce{SO4^2-}", "SO₄²⁻"),
    (r"\ce{Fe^3+ + e- <=> Fe^2+}", "Fe³⁺ + e⁻ ⇌ Fe²⁺"),
    (r"\ce{Na+ + Cl- -> NaCl(s)}", "Na⁺ + Cl⁻ → NaCl(s)"),
    (r"\ce{[Cu(NH3)4]^2+}", "[Cu(NH₃)₄]²⁺"),
    (r"\ce{CuSO4*5H2O}", "CuSO₄·5H₂O"),
    (r"\ce{Ca(OH)2 + CO2 -> CaCO3 v + H2O}", "Ca(OH)₂ + CO₂ → CaCO₃ ↓ + H₂O"),
    (r"\ce{CaCO3 ->[\Delta] CaO + CO2 ^}", "CaCO₃ →[Δ] CaO + CO₂ ↑"),
    (r"\ce{N2 + 3H2 <=>[Fe] 2NH3}", "N₂ + 3H₂ ⇌[Fe] 2NH₃"),
    (r"\ce{^{235}_{92}U}", "²³⁵₉₂U"),
    (r"\Delta H = \pu{-286 kJ/mol}", "ΔH = −286 kJ/mol"),
    (r"R = \pu{8.314 J K^-1 mol^-1}", "R = 8.314 J K⁻¹ mol⁻¹"),
    (r"\ce{H2O", r"\ce{H2O"),  # never closed: the source, as any invalid formula
])
def test_chemistry_reads_as_written_in_a_textbook(latex, shown):
    assert render_inline(latex) == shown


def test_chemistry_inside_a_stacked_fraction():
    lines = [line.rstrip() for line in
             render_display(r"K_c = \frac{[\ce{NH3}]^2}{[\ce{N2}][\ce{H2}]^3}")]
    assert lines == ["       [NH₃]²", "K_c = ─────────", "      [N₂][H₂]³"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="HOCNaSFe0123456789+-^_{}()[]<=>*. v$\\", max_size=40))
def test_any_chemistry_renders_without_a_command_or_a_failure(body):
    latex = f"x = \\ce{{{body}}}"
    replace_ce(latex)  # never raises
    out = render_inline(latex)
    assert isinstance(out, str)
    assert "ce(" not in out
