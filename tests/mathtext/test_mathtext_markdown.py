"""Math inside markdown: which dollars are math, how blocks and inline math come out."""

from __future__ import annotations

import textwrap

import pytest

from flashdeck.mathtext import Segment, escape_markdown, render_markdown, split_markdown

# A note in the style of the user's vault (written for these tests).
NOTE = textwrap.dedent(r"""
    ---
    tags: [flashcards]
    aliases: [Jaccard Index, ]
    summary: the overlap of two sets divided by their union
    ---

    $$J(A, B)=\frac{|A \cap B|}{|A \cup B|}=\frac{T P}{T P+F P+F N}$$

    > [!NOTE] IoU is the Jaccard index applied to masks

    ### How do IoU and Dice relate?
    Dice is $D = \frac{2 J}{1 + J}$, so for a mask with 40 pixels:
    - perfect prediction: $\frac{2 * 40}{2*40 + 0 + 0} = 1$
    - half missed: $\frac{20}{20 + 0 + 20} = \frac{1}{2}$

    The tool costs $5 and $6 a month.

    An escaped \$x$ stays.

    ```python
    iou = tp / (tp + fp + fn)  # $not math$
    ```
    """).lstrip()


def test_note_renders_block_and_inline_math() -> None:
    out = render_markdown(NOTE)
    assert out == textwrap.dedent(r"""
        ---
        tags: [flashcards]
        aliases: [Jaccard Index, ]
        summary: the overlap of two sets divided by their union
        ---

        ```text
                  |A ∩ B|        TP
        J(A, B) = ─────── = ────────────
                  |A ∪ B|   TP + FP + FN
        ```

        > [!NOTE] IoU is the Jaccard index applied to masks

        ### How do IoU and Dice relate?
        Dice is D \= 2J/\(1 \+ J\), so for a mask with 40 pixels:
        - perfect prediction: \(2 \* 40\)/\(2 \* 40 \+ 0 \+ 0\) \= 1
        - half missed: 20/\(20 \+ 0 \+ 20\) \= 1/2

        The tool costs $5 and $6 a month.

        An escaped \$x$ stays.

        ```python
        iou = tp / (tp + fp + fn)  # $not math$
        ```
        """).lstrip()


def test_no_math_delimiters_or_latex_commands_survive() -> None:
    out = render_markdown(NOTE)
    assert "$$" not in out
    assert "\\frac" not in out and "\\cap" not in out


INLINE_RULES = [
    # (markdown, expected with escape=False)
    ("a $x^2$ b", "a x² b"),
    ("$F_1$", "F₁"),
    ("costs $5 and $6", "costs $5 and $6"),
    ("$ x$", "$ x$"),  # opening dollar followed by a space
    ("$x $", "$x $"),  # closing dollar preceded by a space
    ("$x$5", "$x$5"),  # closing dollar followed by a digit
    ("$a$ and $b$", "a and b"),
    (r"\$x$ stays", r"\$x$ stays"),
    (r"price \$5, math $y$", r"price \$5, math y"),
    ("`$x$` stays", "`$x$` stays"),
    ("``a ` $x$ b`` then $y$", "``a ` $x$ b`` then y"),
    ("unclosed $x", "unclosed $x"),
    ("unclosed $$x", "unclosed $$x"),
    ("$a\n\nb$", "$a\n\nb$"),  # never across a paragraph break
    ("$a\nb$", "ab"),  # a soft line break inside inline math is fine
    ("mid-line $$\\frac{a}{b}$$ display", "mid-line a/b display"),
    (r"$\$5$", "$5"),
]


@pytest.mark.parametrize(("markdown", "expected"), INLINE_RULES)
def test_which_dollars_are_math(markdown: str, expected: str) -> None:
    assert render_markdown(markdown, escape=False) == expected


def test_inline_math_is_escaped_for_markdown_by_default() -> None:
    assert render_markdown(r"$x_{max} * |y|$") == r"x\_max \* \|y\|"
    assert escape_markdown("a*b_c") == r"a\*b\_c"


def test_display_block_spanning_lines() -> None:
    text = "Before\n$$\nx = \\frac{1}{2}\n$$\nAfter"
    assert render_markdown(text) == "Before\n```text\n    1\nx = ─\n    2\n```\nAfter"


def test_display_block_in_a_callout_keeps_the_quote_markers() -> None:
    text = "> [!NOTE] Dice\n> $$\n> D = \\frac{2a}{b}\n> $$\n> after"
    assert render_markdown(text) == (
        "> [!NOTE] Dice\n> ```text\n>     2a\n> D = ──\n>     b\n> ```\n> after"
    )


def test_display_block_in_a_list_item_is_indented_under_it() -> None:
    text = "- $$\\frac{a}{b}$$\n- next"
    assert render_markdown(text) == "- ```text\n  a\n  ─\n  b\n  ```\n- next"


def test_math_inside_fenced_code_is_untouched() -> None:
    text = "~~~\n$$\\frac{a}{b}$$ and $x$\n~~~\n$y$"
    assert render_markdown(text) == "~~~\n$$\\frac{a}{b}$$ and $x$\n~~~\ny"


def test_math_inside_fenced_code_in_a_callout_is_untouched() -> None:
    text = "> ```\n> $x$\n> ```\n> $y$"
    assert render_markdown(text) == "> ```\n> $x$\n> ```\n> y"


def test_invalid_display_math_shows_its_source_without_dollars() -> None:
    assert render_markdown("$$a}b$$") == "```text\na}b\n```"


def test_split_markdown_segments() -> None:
    text = "Intro $x^2$.\n\n$$\\frac{a}{b}$$\n\nOutro"
    assert split_markdown(text) == [
        Segment("markdown", "Intro x².\n\n"),
        Segment("math", "\\frac{a}{b}", ("a", "─", "b")),
        Segment("markdown", "\nOutro"),
    ]


def test_split_markdown_in_callout_records_the_indent() -> None:
    segments = split_markdown("> [!NOTE] x\n> $$a = 1$$\n> end")
    assert segments == [
        Segment("markdown", "> [!NOTE] x\n"),
        Segment("math", "a = 1", ("a = 1",), "> "),
        Segment("markdown", "> end"),
    ]


def test_split_markdown_without_math_is_one_segment() -> None:
    assert split_markdown("just *text*") == [Segment("markdown", "just *text*")]
    assert split_markdown("") == []


def test_the_note_splits_into_markdown_math_markdown() -> None:
    segments = split_markdown(NOTE)
    assert [s.kind for s in segments] == ["markdown", "math", "markdown"]
    assert segments[1].lines[1] == "J(A, B) = ─────── = ────────────"
    assert r"D \= 2J/\(1 \+ J\)" in segments[2].text  # escaped: markdown shows it as is


def test_render_plain_prints_blocks_bare_and_unescaped() -> None:
    from flashdeck.mathtext import render_plain

    text = "Dice $x_{max} * 2$:\n> $$D = \\frac{2a}{b}$$\n> end"
    assert render_plain(text) == (
        "Dice x_max * 2:\n>     2a\n> D = ──\n>     b\n> end"
    )
