"""A synthetic vault of seed-sized notes, for the benchmarks.

Each note looks like the user's: YAML frontmatter (tags, aliases, summary), a display
formula, callouts, question headings with worked examples and inline math, and 20+
explicit cards (basic, reversed, multi-line, clozes). A share of the notes carries no
flashcard tag, as in a real vault.
"""

from __future__ import annotations

import random
from pathlib import Path

TOPICS = ["precision", "recall", "dice", "jaccard", "entropy", "margin", "kernel", "gradient",
          "momentum", "dropout", "softmax", "attention", "embedding", "residual", "pooling"]


def note_text(i: int, rng: random.Random, tagged: bool) -> str:
    topic = rng.choice(TOPICS)
    title = f"{topic.capitalize()} note {i}"
    tag = f"flashcards/ml/{topic}" if tagged else f"reading/{topic}"
    lines = [
        "---",
        f"tags: [{tag}]",
        "source:",
        f"aliases: [{topic.upper()} {i}, {topic} measure {i}, ]",
        f"summary: a short summary of {topic} number {i} that is one line long",
        "---",
        "",
        f"$$F_{{{i % 9}}}=\\frac{{2 T P}}{{2 T P+F P+F N}} = 2 \\times \\frac{{\\text {{ a }} "
        f"\\times \\text {{ b }}}}{{\\text {{ a }}+ \\text {{ b }}}}$$",
        "",
        f"> [!NOTE] {title} is the same thing as {topic} measure {i}",
        "",
    ]
    for section in range(4):
        a, b, c = rng.randint(10, 500), rng.randint(0, 300), rng.randint(0, 300)
        lines += [
            f"### Section {section} of {title}",
            f"For this example the image has {a + b + c} pixels. We compute "
            f"$\\frac{{2 * {a}}}{{2*{a} + {b} + {c}}}$ for the score.",
            f"- TP: {a} correctly predicted pixels",
            f"- FP: {b} background predicted as object",
            f"- FN: {c} object predicted as background",
            "",
            f"Question {i}.{section}.1 about {topic}::Answer {a} with some words",
            f"Question {i}.{section}.2 about {topic}:::Reversed answer {b}",
            f"The ==highlighted {topic}== of section {section} is ==cloze {c}==.",
            "",
            f"Multi-line question {i}.{section} about {topic}",
            "?",
            f"The answer spans a line with {a} and {b}",
            "and a second line.",
            "",
            f"### Why does {topic} {section} behave like this?",
            "Because of the way the numbers above work out, which is explained in this paragraph "
            "at some length so that the section reads like a real note would read.",
            "",
            f"Another card {i}.{section}::with its answer and `code::inside` the answer",
            f"Last card {i}.{section}::the end",
            "",
        ]
    return "\n".join(lines) + "\n"


def generate(root: Path, notes: int, untagged_share: float = 0.25, seed: int = 7) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(notes):
        folder = root / f"area{i % 10}"
        folder.mkdir(exist_ok=True)
        tagged = rng.random() >= untagged_share
        (folder / f"Note {i}.md").write_text(note_text(i, rng, tagged), encoding="utf-8")
    return root
