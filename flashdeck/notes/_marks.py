"""What a tag is made of, as Obsidian reads one.

Obsidian's own pattern (its app.js; the same class its importer and many plugins copy): after
the `#`, one or more characters that are not whitespace, not in U+2000–U+206F (general
punctuation: dashes, quotes, the zero-width joiner…) or U+2E00–U+2E7F (supplemental
punctuation), and not one of ``'!"#$%&()*+,.:;<=>?@^`{|}~[]\\``; not all digits. So a
tag goes on through letters of any script and their combining marks
(`#flashcards/हिंदी`), emoji (`#flashcards/🧠-ml`) and symbols (`#flashcards/ml✨`), and
stops at `.`, `,`, `:` or `*`.
Control characters end it too: the masks (\\x01 code and math, \\x02 comments) are
neither text nor tags.
"""

TAG_CHAR = (
    "[^\\s\\x00-\\x1f\\x7f\\u2000-\\u206f\\u2e00-\\u2e7f"
    "'!\"#$%&()*+,.:;<=>?@^`{|}~\\[\\]\\\\]"
)
