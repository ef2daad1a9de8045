"""Cases found by running the Obsidian Spaced Repetition plugin's own parser (its
`NoteQuestionParser`, 1.15.4, default settings) side by side with flashdeck on public
vaults and generated notes. Each docstring gives the plugin's cards for the note; the
expected cards are written out here, no plugin is run."""

from __future__ import annotations

import json

from support.notes import write_note

from flashdeck.notes.model import ParserSettings
from flashdeck.notes.parser import parse_note

SOFTMAX = """---
tags: [flashcards/ml]
---
# Softmax

Why subtract the largest logit before softmax?
?
The result is the same, and no exponential overflows.
> [!tip] Remember
> $e^{x - m}$ is at most 1.

What does softmax return for equal logits?
?
> [!example]
> A uniform distribution: $1/K$ each.
<!--SR:!2026-11-20,4,270-->

Is softmax invariant to scaling the logits?
?
No: only to adding a constant.
> [!faq] And temperature?
> Dividing by $T$ sharpens or flattens it.
"""


def _explicit(text: str, settings: ParserSettings | None = None):
    note = parse_note(text, "vault/ML/Softmax.md", settings or ParserSettings())
    return note, [c for c in note.cards if c.kind in ("basic", "reversed", "cloze")]


def test_a_callout_under_an_answer_is_part_of_the_back():
    """Plugin: back 'The result is the same…\\n> [!tip] Remember\\n> $e^{x - m}$ is at most 1.';
    flashdeck dropped the tip from the back without a word (a plain `> quote` there was kept)."""
    _, cards = _explicit(SOFTMAX)
    assert (cards[0].front, cards[0].back) == (
        "Why subtract the largest logit before softmax?",
        "The result is the same, and no exponential overflows.\n"
        "> [!tip] Remember\n> $e^{x - m}$ is at most 1.")


def test_a_back_that_is_all_callout_is_a_card_with_its_schedule():
    """Plugin: a card, back '> [!example]\\n> A uniform distribution: $1/K$ each.', scheduled
    2026-11-20; flashdeck warned 'card has an empty back; skipped' and the card, with the
    migrating user's review history, was gone."""
    note, cards = _explicit(SOFTMAX)
    assert (cards[1].front, cards[1].back) == (
        "What does softmax return for equal logits?",
        "> [!example]\n> A uniform distribution: $1/K$ each.")
    assert cards[1].sr is not None and cards[1].sr.due.isoformat() == "2026-11-20"
    assert not any("empty back" in p.message for p in note.problems)


def test_a_question_callout_under_an_answer_stays_a_card_of_its_own():
    """Plugin: the `[!faq]` callout is in the back of 'Is softmax invariant…?' (and no card
    of its own: the plugin makes none from callouts). flashdeck keeps it out of that back:
    it is a derived question card, and a back must not give another card's answer away."""
    note, cards = _explicit(SOFTMAX)
    assert (cards[2].front, cards[2].back) == (
        "Is softmax invariant to scaling the logits?", "No: only to adding a constant.")
    asked = [(c.front, c.back) for c in note.cards if c.kind == "question"]
    assert ("And temperature?", "Dividing by $T$ sharpens or flattens it.") in asked


def test_a_callout_in_a_back_is_shown_with_the_answer(cli, tmp_path):
    """What `flashdeck check --json` prints for the note: the three cards, no warning."""
    vault = tmp_path / "vault"
    write_note(vault, "Softmax.md", SOFTMAX)
    result = cli("check", "--json", vault)
    assert result.code == 0
    report = json.loads(result.out)
    backs = [c["back"] for c in report["notes"][0]["cards"] if c["kind"] == "basic"]
    assert backs[1] == "> [!example]\n> A uniform distribution: $1/K$ each."
    assert "> [!tip] Remember" in backs[0]
    assert report["warnings"] == []


METRICS = """#flashcards/ml/metrics

What is the F1 score of a precision P and a recall R?
?
- the harmonic mean $2PR/(P+R)$

Which two rates does the F1 score combine?
?
- precision
- recall

- What is IoU?
  ?
  intersection over union
"""


def test_a_back_of_one_list_item_keeps_its_bullet():
    """Plugin: back '- the harmonic mean $2PR/(P+R)$'. flashdeck printed 'the harmonic mean
    …': a back of one bullet lost its `- `, while a back of two bullets kept both."""
    _, cards = _explicit(METRICS)
    assert [(c.front, c.back) for c in cards] == [
        ("What is the F1 score of a precision P and a recall R?",
         "- the harmonic mean $2PR/(P+R)$"),
        ("Which two rates does the F1 score combine?", "- precision\n- recall"),
        # a card written inside a list item still loses that item's marker (FORMAT.md)
        ("What is IoU?", "intersection over union"),
    ]


def test_a_card_written_in_a_list_item_keeps_its_answers_own_list_unindented():
    """Plugin: front '- **Name the parts of a confusion matrix**', back the four indented
    lines as written ('  Four counts:', '  - TP…'). flashdeck drops the card's own item
    marker and its indentation, and keeps the bullets of the list inside the answer."""
    note = ("#flashcards/ml/metrics\n\n"
            "- **Name the parts of a confusion matrix**\n"
            "?\n"
            "  Four counts:\n"
            "  - TP, FP\n"
            "  - FN, TN\n"
            "<!--SR:!2026-10-02,30,250-->\n")
    _, cards = _explicit(note)
    assert [(c.front, c.back) for c in cards] == [
        ("**Name the parts of a confusion matrix**", "Four counts:\n- TP, FP\n- FN, TN")]
    assert cards[0].sr is not None


ARRAYS = """---
tags: [flashcards/js]
---
### Sort numbers ascending
?
- `.sort((a, b) => a - b)`
<!--SR:!2026-11-02,3,250-->

Some prose about ==comparators==
## Reverse an array ##
??
`.reverse()`

### Sort strings
<!-- the default -->
?
`.sort()`

## Not a front

?
stray
"""


def test_a_heading_over_a_question_line_is_the_cards_front():
    """Plugin: '### Sort numbers ascending' / '- `.sort((a, b) => a - b)`' (scheduled), and
    the cloze paragraph with '## Reverse an array ##' as one reversed front (the cloze
    lost); under '### Sort strings' its comment line hides the `?` line too: no card.
    flashdeck warned 'card has an empty front' for each and said the schedule belonged to
    'custom separators': the cards were lost."""
    note, cards = _explicit(ARRAYS)
    assert [(c.kind, c.front, c.back) for c in cards] == [
        ("basic", "Sort numbers ascending", "- `.sort((a, b) => a - b)`"),
        ("cloze", "Some prose about [...]", "Some prose about ==comparators=="),
        ("reversed", "Reverse an array", "`.reverse()`"),
        ("reversed", "`.reverse()`", "Reverse an array"),
        ("basic", "Sort strings", "`.sort()`"),
    ]
    assert cards[0].sr is not None and cards[0].sr.due.isoformat() == "2026-11-02"
    # a blank line between the heading and the `?`: no card, as in the plugin
    assert [p.line for p in note.problems] == [21]
    assert "empty front" in note.problems[0].message
    # the headings stay headings: the card below is under them
    assert [h.text for h in note.headings] == [
        "Sort numbers ascending", "Reverse an array", "Sort strings", "Not a front"]


def test_a_question_heading_made_a_card_keeps_its_history(cli, tmp_path):
    """`## What is the F1 score?` over prose was a question card; writing a `?` line under
    the heading (the plugin's syntax) makes it a basic card: the same question, so it keeps
    its id and its review, as `Q::A` turned `Q:::A` does."""
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    head = "---\ntags: [flashcards/ml]\n---\n## What is the F1 score?\n"
    write_note(vault, "F1.md", head + "\nThe harmonic mean of precision and recall.\n")
    assert cli("--collection", col, "import", vault).code == 0
    [card] = [c for c in cli("--collection", col, "list", "--json").json
              if c["kind"] == "question"]
    assert cli("--collection", col, "answer", card["id"], "good").code == 0

    write_note(vault, "F1.md", head + "?\nThe harmonic mean of precision and recall.\n")
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0 and result.json["cards"]["orphaned"] == 0
    [now] = [c for c in cli("--collection", col, "list", "--json").json
             if c["front"] == "What is the F1 score?"]
    assert (now["id"], now["kind"], now["state"]) == (card["id"], "basic", "learning")
    assert now["back"] == "The harmonic mean of precision and recall."


LOSSES = """#flashcards/ml

What does cross-entropy compare?
?
Two distributions: the labels and the predictions.

Which loss suits binary labels?::binary cross-entropy
<!--SR:!2026-11-10,12,250-->

Why clip the predicted probabilities?
?
$\\log 0$ is $-\\infty$.

Clip to $[\\epsilon, 1 - \\epsilon]$.
+++
"""


def test_an_end_marker_forgotten_ends_the_back_at_its_first_blank_line():
    """With `multiline_end_marker = "+++"`, the first card has no marker of its own (the
    `+++` is the third card's). Plugin: the `::` line is a card (with its schedule) and the
    first card is lost. flashdeck ran the first back over the blank lines to the blank
    before the third card, swallowing the `::` card and its schedule; FORMAT says the back
    ends at a blank line, and it does now."""
    _, cards = _explicit(LOSSES, ParserSettings(multiline_end_marker="+++"))
    assert [(c.front, c.back) for c in cards] == [
        ("What does cross-entropy compare?",
         "Two distributions: the labels and the predictions."),
        ("Which loss suits binary labels?", "binary cross-entropy"),
        ("Why clip the predicted probabilities?",
         "$\\log 0$ is $-\\infty$.\n\nClip to $[\\epsilon, 1 - \\epsilon]$."),
    ]
    assert cards[1].sr is not None and cards[1].sr.due.isoformat() == "2026-11-10"


def test_a_callout_holding_cards_of_its_own_stays_out_of_the_back_above():
    """A callout under an answer that holds a card (a `?` card, a cloze) is not swallowed
    into that back: its cards stay cards, as before callouts joined backs. (Plugin: the
    callout's lines are back text; '> ?' is no separator to it.)"""
    note = ("#flashcards/ml\n\n"
            "What is softmax?\n?\nexp over the sum of exps\n"
            "> [!tip]\n> What is its input called?\n> ?\n> the logits\n\n"
            "What is ReLU?\n?\nmax(0, x)\n"
            "> [!note] Remember\n> It is ==piecewise linear==.\n")
    _, cards = _explicit(note)
    assert [(c.front, c.back) for c in cards] == [
        ("What is softmax?", "exp over the sum of exps"),
        ("What is its input called?", "the logits"),
        ("What is ReLU?", "max(0, x)"),
        ("It is [...].", "It is ==piecewise linear==."),
    ]


ACTIVATIONS = """---
tags: [flashcards/ml]
---
# Activations

ReLU returns =="max(0, x)" == and its slope is ==1== for positive inputs.
<!--SR:!2026-11-20,4,270!2026-11-27,11,250-->

What does dropout do at train time? ^drop-q
?
It zeroes random units ^drop-a
with probability $p$. ^dropout

Batch norm::normalises each feature over the batch ^bn
"""


def test_a_space_before_the_closing_marker_still_closes_the_deletion():
    """Plugin: two cards, asking `"max(0, x)" ` (scheduled 2026-11-20) and `1` (2026-11-27).
    flashdeck read one deletion from the first `==` to the `==` after `1` (a closer after a
    space did not count), asking `"max(0, x)" == and its slope is ==1` on one card that took
    the first schedule; the `1` card and its own schedule were gone."""
    _, cards = _explicit(ACTIVATIONS)
    clozes = [c for c in cards if c.kind == "cloze"]
    assert [(c.front, c.back, c.sr.due.isoformat() if c.sr else None) for c in clozes] == [
        ("ReLU returns [...] and its slope is 1 for positive inputs.",
         'ReLU returns =="max(0, x)"== and its slope is 1 for positive inputs.', "2026-11-20"),
        ('ReLU returns "max(0, x)" and its slope is [...] for positive inputs.',
         'ReLU returns "max(0, x)" and its slope is ==1== for positive inputs.', "2026-11-27"),
    ]


def test_prose_equality_is_still_no_deletion():
    """`a == b and c == d`: a cloze to the plugin, prose to Obsidian and to flashdeck (an
    opener followed by a space opens nothing); unchanged by the closer rule above."""
    note = parse_note("#flashcards\n\nIn Python x == y and y == z chain.\n",
                      "vault/ML/Python.md", ParserSettings())
    assert [c for c in note.cards if c.kind == "cloze"] == []


def test_a_block_id_is_stripped_only_at_the_end_of_its_block():
    """Plugin: front 'What does dropout do at train time? ^drop-q', back 'It zeroes random
    units ^drop-a\\nwith probability $p$.', and 'Batch norm' / 'normalises each feature over
    the batch'. Obsidian reads `^id` as a block id only at the end of a block; flashdeck
    stripped every `^id` at a line end, so text Obsidian shows was missing from the card."""
    _, cards = _explicit(ACTIVATIONS)
    basic = [(c.front, c.back) for c in cards if c.kind == "basic"]
    assert basic == [
        ("What does dropout do at train time? ^drop-q",
         "It zeroes random units ^drop-a\nwith probability $p$."),
        ("Batch norm", "normalises each feature over the batch"),
    ]


CALLOUTS = """#flashcards/ml

> [!note] Regularisation
> An L2 penalty on the weights
is called ==weight decay== in most optimisers.

> [!note] Early stopping
> Training stops when the validation loss
What does early stopping watch?
?
The validation loss

- A list item about Adam
keeps ==running means== of the gradient.
"""


def test_a_card_glued_under_a_callout_by_lazy_lines_loses_the_marker():
    """Plugin: fronts '> [!note] Regularisation\\n> An L2 penalty on the weights\\nis called
    [...] in most optimisers.', '> [!note] Early stopping\\n> Training stops…\\nWhat does
    early stopping watch?', '- A list item about Adam\\nkeeps [...] of the gradient.'.
    In Obsidian the unmarked lines continue the callout's (the item's) paragraph; flashdeck
    dropped the callout's title but kept a stray `> ` (`- `) on the first line."""
    _, cards = _explicit(CALLOUTS)
    assert [c.front for c in cards] == [
        "An L2 penalty on the weights\nis called [...] in most optimisers.",
        "Training stops when the validation loss\nWhat does early stopping watch?",
        "A list item about Adam\nkeeps [...] of the gradient.",
    ]


def test_bold_inside_a_deletion_stays_bold_when_bold_clozes_are_on():
    """Plugin (highlight and bold clozes): three cards, asking 'a small subset', 'data' and
    'small' (the bold inside the deletion, a card of its own; FORMAT.md's table). flashdeck
    made the deletion's answer 'a small subset': the author's bold was gone from every card,
    and from `==**Adam**==` in a basic card's back."""
    text = ("#flashcards\n\nA mini batch is ==a **small** subset== of ==data==.\n\n"
            "Which optimiser keeps running means?::==**Adam**==\n")
    settings = ParserSettings(cloze=("highlight", "bold"))
    _, cards = _explicit(text, settings)
    assert [(c.front, c.back) for c in cards] == [
        ("A mini batch is [...] of data.", "A mini batch is ==a **small** subset== of data."),
        ("A mini batch is a **small** subset of [...].",
         "A mini batch is a **small** subset of ==data==."),
        ("Which optimiser keeps running means?", "**Adam**"),
    ]


def test_with_an_end_marker_a_cloze_runs_over_cloze_paragraphs_to_its_marker():
    """Plugin (end marker `+++`): one card source over lines 3-5, two cards, their schedules
    read from the comment above the marker: 'distributions' 2026-11-20, '(-1, 1)' 2026-11-25.
    flashdeck reads it as the plugin does: cut at the blank line, the schedule under the
    second paragraph would seed its card with the first one's group."""
    text = ("#flashcards\n\nCross-entropy compares ==distributions==.\n\n"
            "Tanh squashes to ==(-1, 1)==.\n<!--SR:!2026-11-20,4,270!2026-11-25,9,250-->\n"
            "+++\n")
    _, cards = _explicit(text, ParserSettings(multiline_end_marker="+++"))
    assert [(c.front, c.sr.due.isoformat() if c.sr else None) for c in cards] == [
        ("Cross-entropy compares [...].\n\nTanh squashes to (-1, 1).", "2026-11-20"),
        ("Cross-entropy compares distributions.\n\nTanh squashes to [...].", "2026-11-25"),
    ]


AUTOMATA = """#flashcards/ml

How does evolvability search pick a parent?
?
> Will this parent have interesting children?
1. Take a candidate from the population
2. Mutate copies and measure their diversity
<!--SR:!2026-11-18,3,250-->

What does channel 4 of a cell hold?
?
The alpha channel
>
| alpha | state |
| --- | --- |
| 0 | empty |

What is a glider?
?
> A pattern that moves
- Glider gun::a pattern that emits gliders
"""


def test_a_back_goes_on_after_a_quote_up_to_its_blank_line():
    """Plugin: backs '> Will this parent…\\n1. Take a candidate…\\n2. Mutate copies…'
    (scheduled 2026-11-18) and 'The alpha channel\\n>\\n| alpha | state |…'. flashdeck
    ended the back at the quote: the numbered steps and the table, the answer itself, were
    in no card (shown nowhere). A `::` line there (a list item after the quote) is still a
    card of its own, as for the plugin."""
    _, cards = _explicit(AUTOMATA)
    assert [(c.front, c.back) for c in cards] == [
        ("How does evolvability search pick a parent?",
         "> Will this parent have interesting children?\n"
         "1. Take a candidate from the population\n"
         "2. Mutate copies and measure their diversity"),
        ("What does channel 4 of a cell hold?",
         "The alpha channel\n>\n| alpha | state |\n| --- | --- |\n| 0 | empty |"),
        ("What is a glider?", "> A pattern that moves"),
        ("Glider gun", "a pattern that emits gliders"),
    ]
    assert cards[0].sr is not None and cards[0].sr.due.isoformat() == "2026-11-18"


def test_the_front_of_the_next_card_after_a_quote_is_not_swallowed():
    """Found attacking the fix above on generated notes: a `??` card whose back ends in a
    callout and its schedule, then (no blank line) the lines of the next card's front over
    its own `??`. The plugin merges both into one card (its documented 'a ??/? line in one
    paragraph'); flashdeck made both, and still does: the back does not run on into them
    (the fix above swallowed `Tanh` into the first back, and the second card was lost)."""
    text = ("#flashcards\n\nSigmoid\n??\nlogistic function\n> [!tip]\n> squashes to (0, 1)\n"
            "<!--SR:!2026-11-20,4,270!2026-11-22,5,250-->\nTanh\n??\nhyperbolic tangent\n")
    _, cards = _explicit(text)
    assert [(c.front, c.back) for c in cards] == [
        ("Sigmoid", "logistic function\n> [!tip]\n> squashes to (0, 1)"),
        ("logistic function\n> [!tip]\n> squashes to (0, 1)", "Sigmoid"),
        ("Tanh", "hyperbolic tangent"),
        ("hyperbolic tangent", "Tanh"),
    ]
