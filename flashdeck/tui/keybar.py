"""The key bar of the review screen and the deck list, narrowed to fit a split pane.

Textual's Footer draws its keys in one row and clips what does not fit: at 60 columns
the review screen's bar ended `i Info ? He`, and `q Quit` was gone (the keys still
worked, but nothing said so). `KeyBar` gives up words instead of keys, in steps, until
the bar fits: shorter labels, then the labels of the keys used least (bury, edit, info),
then those of undo and suspend; Space, `?` and `q` keep theirs longest. The deck list's
shortens `Review deck` and `Review all` to `Review` and `All` (at 40 columns its bar ended
`a Revie`). The help screen (`?`) names every key whatever the width. Imported after the
first frame (as the Footer).
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

SHORT = {"primary": "Show/Good", "suspend": "Susp.",
         "select_cursor": "Review", "review_all": "All"}  # (the deck list's)
# the labels each step drops (keys by action), after SHORT
STEPS: list[frozenset[str]] = [
    frozenset(),
    frozenset({"bury", "edit", "info"}),
    frozenset({"bury", "edit", "info", "undo", "suspend"}),
]
FULL_WIDTH = 80  # from here the footer is Textual's own (not compact: spaced out)


def _width(keys: list[tuple[str, str]]) -> int:
    """The compact bar's width (flashdeck.tcss: a space after each key, one between a key
    and its label)."""
    return sum(len(key) + (1 + len(label) if label else 0) + 1 for key, label in keys) - 1


def labels_for(keys: list[tuple[str, str, str]], width: int) -> list[str]:
    """The label each key (`(action, key shown, label)`) gets on a bar `width` columns
    wide: the first step that fits, or the keys alone."""
    if width >= FULL_WIDTH or _width([(k, label) for _, k, label in keys]) <= width:
        return [label for _, _, label in keys]
    for dropped in STEPS:
        labels = ["" if action in dropped else SHORT.get(action, label)
                  for action, _, label in keys]
        if _width([(k, label) for (_, k, _), label in zip(keys, labels)]) <= width:
            return labels
    return ["" for _ in keys]


class KeyBar(Footer):
    """Textual's Footer, its labels shortened to fit (see the module doc)."""

    _fitted_width = -1

    def compose(self):
        widgets = list(super().compose())
        keys = [widget for widget in widgets if isinstance(widget, FooterKey)
                and "-command-palette" not in widget.classes]
        width = self._room()
        labels = labels_for([(key.action, key.key_display, key.description) for key in keys],
                            width)
        for key, label in zip(keys, labels):
            if label != key.description:
                key.tooltip = key.description
                key.description = label
        self._fitted_width = width
        yield from widgets

    def _room(self) -> int:
        """The columns the bar has: the terminal's, less its screen's padding (the deck
        list's two each side: at 50 columns its bar, fitted to 50, ended `q Qu`)."""
        return self.app.size.width - self.screen.styles.gutter.width

    def on_resize(self) -> None:
        if self._room() != self._fitted_width and self._bindings_ready:
            self.call_after_refresh(self.recompose)
