"""Matching skips a heading or a name at once when none of its words is a template topic's
first word. That shortcut must decide nothing by itself: on any heading or note name, made
of the built-ins' topic words, question words, separators and other words, the matcher gives
what the rule says without it (a heading is about a topic when one of its subjects is the
topic, or starts with it outside a question; a title or alias when the topic's words occur
in it in order, or it is just an exact topic)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flashdeck.exercises.matching import _SIDES, _core, _matches, heading_matches, words
from flashdeck.exercises.template import builtin_templates

_TEMPLATES = list(builtin_templates())
_TOPIC_WORDS = sorted({w for t in _TEMPLATES for topic in (*t.topics, *t.exact_topics)
                       for w in topic.split()})
_PIECES = st.one_of(
    st.sampled_from(_TOPIC_WORDS),
    st.sampled_from(["what", "is", "the", "How", "does", "Why", "of", "a", "for"]),
    st.sampled_from([" vs. ", "/", " & ", ",", ":", " - ", "(", ")", "?"]),
    st.sampled_from(["pixels", "Dice", "games", "Score", "F₁", "loss", "FPR", "x"]),
)
_TEXT = st.lists(_PIECES, min_size=1, max_size=8).map(" ".join)


def _about_by_rule(template, text: str) -> bool:
    hay = words(text)
    core = _core(hay)
    sides = [_core(words(side)) for side in _SIDES.split(text)]
    subjects = [s for s in [core, *sides] if s]
    question = text.rstrip().endswith("?") or hay[:1] in {
        (w,) for w in "what whats how why which when who where does do is are can should".split()}
    for topic in template.topics:
        wanted = words(topic)
        if wanted and any(s == wanted if question else s[:len(wanted)] == wanted
                          for s in subjects):
            return True
    return any(words(topic) and s == words(topic)
               for topic in template.exact_topics for s in subjects)


def _named_by_rule(template, text: str) -> bool:
    hay = words(text)
    core = _core(hay)

    def occurs(needle):
        return bool(needle) and any(hay[i:i + len(needle)] == needle
                                    for i in range(len(hay) - len(needle) + 1))

    return any(occurs(words(topic)) for topic in template.topics) or (
        bool(core) and any(core == words(topic) for topic in template.exact_topics))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_a_heading_matches_as_the_rule_says(text):
    for template in _TEMPLATES:
        assert heading_matches(template, text) is _about_by_rule(template, text), (
            template.id, text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_a_title_or_alias_matches_as_the_rule_says(text):
    hay = words(text)
    for template in _TEMPLATES:
        assert _matches(template, hay, _core(hay)) is _named_by_rule(template, text), (
            template.id, text)
